// SPDX-License-Identifier: Apache-2.0
// Declared text encodings (text_encoding.hpp): checked with iconv_open, recoded with iconv.
#include "cohortgis/geodata/text_encoding.hpp"
#include "cohortgis/engine/index_cast.hpp"

#include <iconv.h>

#include <cctype>
#include <cerrno>
#include <vector>

#include "cohortgis/engine/types.hpp"
#include "cohortgis/geodata/read_policy.hpp"

namespace cohortgis::geodata {

bool is_utf8_encoding(const std::string& encoding) {
  std::string e;
  for (char c : encoding)
    if (c != '-' && c != '_') e += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return e.empty() || e == "UTF8";
}

namespace {
// An iconv descriptor closed on every path.
struct Converter {
  explicit Converter(const std::string& from) : cd(iconv_open("UTF-8", from.c_str())) {}
  ~Converter() {
    if (ok()) iconv_close(cd);
  }
  Converter(const Converter&) = delete;
  Converter& operator=(const Converter&) = delete;
  bool ok() const { return cd != reinterpret_cast<iconv_t>(-1); }
  iconv_t cd;
};

bool plausible_name(const std::string& e) {
  if (e.empty() || e.size() > 40) return false;
  for (char c : e)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.' && c != ':') return false;
  return true;
}
}  // namespace

void check_encoding(const std::string& encoding, const std::string& what) {
  if (is_utf8_encoding(encoding)) return;
  // iconv also accepts "GBK//TRANSLIT" and similar suffixes: only plain names are taken.
  if (!plausible_name(encoding) || !Converter(encoding).ok())
    throw InputError((what.empty() ? std::string() : what + ": ") + "unknown text encoding '" + escape_cell(encoding) +
                     "'; expected a name iconv knows, such as UTF-8, GBK, GB18030, BIG5 or CP936");
}

std::size_t utf8_chars(const std::string& text) {
  std::size_t n = 0;
  for (const char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

void check_name_length(const std::string& name, const std::string& where) {
  const std::size_t chars = utf8_chars(name);
  if (chars > kMaxNameChars)
    throw InputError(where + ": \"" + escape_cell(name) + "\": " + std::to_string(chars) +
                     " characters; expected at most " + std::to_string(kMaxNameChars));
}

std::string to_utf8(const std::string& text, const std::string& encoding, const std::string& what) {
  if (is_utf8_encoding(encoding) || text.empty()) return text;
  Converter c(encoding);
  if (!c.ok()) check_encoding(encoding, what);  // throws
  std::string in = text;
  std::vector<char> out(text.size() * 4 + 16);
  char* ip = in.data();
  std::size_t il = in.size();
  char* op = out.data();
  std::size_t ol = out.size();
  if (iconv(c.cd, &ip, &il, &op, &ol) == uz(-1) || il != 0)
    throw InputError(what + ": '" + escape_cell(text) + "' is not valid " + encoding +
                     " text; check the declared encoding (GB18030 covers all of GBK and more)");
  return std::string(out.data(), uz(op - out.data()));
}

}  // namespace cohortgis::geodata
