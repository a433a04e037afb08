// SPDX-License-Identifier: Apache-2.0
// Declared text encodings (text_encoding.hpp): checked with iconv_open, recoded with iconv.
#include "cohortgis/geodata/text_encoding.hpp"
#include "cohortgis/engine/index_cast.hpp"

#include <iconv.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <vector>

#include "cohortgis/engine/types.hpp"
#include "cohortgis/geodata/ascii_case.hpp"
#include "cohortgis/geodata/read_policy.hpp"

namespace cohortgis::geodata {

bool is_utf8_encoding(const std::string& encoding) {
  std::string e;
  for (char c : encoding)
    if (c != '-' && c != '_') e += ascii_upper(c);
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
    if (!is_ascii_alnum(c) && c != '-' && c != '_' && c != '.' && c != ':') return false;
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

namespace {
// `s` in NFC; `s` itself when it is not valid UTF-8 or ICU fails.
std::string nfc(const std::string& s) {
  if (std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; })) return s;
  UErrorCode err = U_ZERO_ERROR;
  const UNormalizer2* n = unorm2_getNFCInstance(&err);
  int32_t len = 0;
  if (U_FAILURE(err) || s.size() > (1u << 20)) return s;
  u_strFromUTF8(nullptr, 0, &len, s.data(), static_cast<int32_t>(s.size()), &err);
  if (err != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(err)) return s;
  err = U_ZERO_ERROR;
  std::vector<UChar> in(static_cast<std::size_t>(len) + 1), out;
  u_strFromUTF8(in.data(), len + 1, nullptr, s.data(), static_cast<int32_t>(s.size()), &err);
  if (U_FAILURE(err)) return s;
  out.resize(in.size() * 3 + 16);  // NFC of a composition-excluded character can grow it (at most 3 times)
  const int32_t n_len = unorm2_normalize(n, in.data(), len, out.data(), static_cast<int32_t>(out.size()), &err);
  if (U_FAILURE(err)) return s;
  std::string r(static_cast<std::size_t>(n_len) * 3 + 1, '\0');
  int32_t r_len = 0;
  u_strToUTF8(r.data(), static_cast<int32_t>(r.size()), &r_len, out.data(), n_len, &err);
  if (U_FAILURE(err)) return s;
  r.resize(static_cast<std::size_t>(r_len));
  return r;
}

// ASCII as it is, every other character (and control) as <U+XXXX>: what tells twins apart in a message.
std::string code_points(const std::string& s) {
  std::string o;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t n = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (c >= 0x20 && c < 0x7F) {
      o += s[i++];
      continue;
    }
    char32_t cp = n == 1 ? c : c & (0x7F >> n);
    for (std::size_t k = 1; k < n && i + k < s.size(); ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    char buf[16];
    std::snprintf(buf, sizeof buf, "<U+%04X>", static_cast<unsigned>(cp));
    o += buf;
    i += n;
  }
  return o;
}

}  // namespace

std::string without_spaces_around(const std::string& s) {
  std::string_view v(s);
  for (bool cut = true; cut && !v.empty();) {
    cut = false;
    for (std::string_view sp : {" ", "\t", "\r", "\n", "\xC2\xA0", "\xE3\x80\x80"}) {
      if (v.starts_with(sp)) v.remove_prefix(sp.size()), cut = true;
      if (v.ends_with(sp)) v.remove_suffix(sp.size()), cut = true;
    }
  }
  return std::string(v);
}

std::string twin_key(const std::string& name) { return nfc(without_spaces_around(name)); }

std::string twin_difference(const std::string& a, const std::string& b) {
  if (a == b || twin_key(a) != twin_key(b)) return "";
  if (without_spaces_around(a) != without_spaces_around(b))
    return "they differ only in Unicode normalisation (" + code_points(without_spaces_around(a)) + " against " +
           code_points(without_spaces_around(b)) + ")" + (without_spaces_around(a) == a && without_spaces_around(b) == b ? "" : " and in spaces at their ends");
  return "they differ only in spaces at their ends";
}

}  // namespace cohortgis::geodata
