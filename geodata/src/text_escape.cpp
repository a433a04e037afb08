// SPDX-License-Identifier: Apache-2.0
#include "cohortgis/geodata/text_escape.hpp"

#include <algorithm>

#include "cohortgis/geodata/read_policy.hpp"  // escape_cell, quote_cell, terminal_text

namespace cohortgis::geodata {

void append_csv_field(std::string& out, std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(text);
    return;
  }
  out += '"';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

std::string xml_escape(std::string_view text) {
  std::string o;
  o.reserve(text.size());
  for (char c : text) {
    const char* entity = c == '&' ? "&amp;" : c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '"' ? "&quot;" : nullptr;
    if (entity)
      o += entity;
    else
      o += c;
  }
  return o;
}

namespace {

// The length of the valid UTF-8 sequence at text[i] (2 to 4), or 0: a stray or lead byte without its continuation
// bytes, an overlong form, a surrogate or a code point past U+10FFFF (RFC 3629) is no character.
std::size_t utf8_length(const std::string& text, std::size_t i, char32_t& cp) {
  const auto c = static_cast<unsigned char>(text[i]);
  const std::size_t len = c >= 0xc2 && c < 0xe0 ? 2 : c >= 0xe0 && c < 0xf0 ? 3 : c >= 0xf0 && c < 0xf5 ? 4 : 0;
  if (len == 0 || i + len > text.size()) return 0;
  cp = c & (0x7f >> len);
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(text[i + k]);
    if ((b & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3f);
  }
  const char32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < least[len] || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return 0;
  return len;
}

// Characters a terminal acts on or draws as nothing: C1 controls (U+009B is CSI, U+0085 a line break), zero-width
// and direction marks, the line and paragraph separators, bidirectional embeddings, overrides and isolates (they
// reorder what follows), the word joiner and invisible operators, and the BOM. In a message they are shown as bytes,
// so that "B\xe2\x80\x8b" is not read as the zone "B" (hostile probe of round 22).
bool invisible(char32_t cp) {
  return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e) ||
         (cp >= 0x2060 && cp <= 0x2069) || cp == 0xfeff || cp == 0x061c || cp == 0x180e;
}

}  // namespace

std::string escape_cell(const std::string& text, std::size_t max_chars) {
  static const char* const kHex = "0123456789abcdef";
  std::string out;
  std::size_t chars = 0, i = 0;
  const auto hex = [&](std::size_t at) {
    const auto c = static_cast<unsigned char>(text[at]);
    out += "\\x";
    out += kHex[c >> 4];
    out += kHex[c & 15];
  };
  while (i < text.size() && chars < max_chars) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
      ++i;
    } else {
      // A UTF-8 character is kept whole unless it is invisible; anything else (control bytes, '\\', stray bytes) is
      // \xNN, an invisible character as the \xNN of each of its bytes.
      char32_t cp = 0;
      const std::size_t len = utf8_length(text, i, cp);
      if (len > 0 && !invisible(cp)) {
        out.append(text, i, len);
      } else {
        for (std::size_t k = 0; k < std::max<std::size_t>(len, 1); ++k) hex(i + k);
      }
      i += std::max<std::size_t>(len, 1);
    }
    ++chars;
  }
  if (i < text.size()) out += "…";
  return out;
}

std::string quote_cell(std::string_view cell) { return "\"" + escape_cell(std::string(cell)) + "\""; }

std::string terminal_text(const std::string& text) {
  static const char* const kHex = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    char32_t cp = c;
    const std::size_t len = c < 0x80 ? 1 : utf8_length(text, i, cp);
    if (len == 0 || (c < 0x20 && c != '\n') || c == 0x7f || invisible(cp)) {
      for (std::size_t k = 0; k < std::max<std::size_t>(len, 1); ++k) {
        const auto b = static_cast<unsigned char>(text[i + k]);
        out += "\\x";
        out += kHex[b >> 4];
        out += kHex[b & 15];
      }
    } else {
      out.append(text, i, len);
    }
    i += std::max<std::size_t>(len, 1);
  }
  return out;
}

}  // namespace cohortgis::geodata
