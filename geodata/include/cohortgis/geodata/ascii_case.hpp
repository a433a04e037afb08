// SPDX-License-Identifier: Apache-2.0
#pragma once
// ASCII case for names, keys, codes and file extensions compared without regard to case. Not std::tolower,
// std::toupper or strcasecmp (GDAL's EQUAL): they follow the host's LC_CTYPE, and in a Python process after
// locale.setlocale(LC_ALL, "tr_TR.UTF-8") 'I' lowers to 'I' (dotless i is not one byte), so "ENGLISH", "data.TIF" or
// a field "ID" named "id" were not what they are under C. Bytes outside A–Z (UTF-8 included) are left as they are.
// The ASCII character classes below, for the same reason, instead of std::isalnum, isalpha, isdigit, isspace and
// islower: in a single-byte host locale (Latin-1 de_DE.ISO-8859-1, Latin-5 tr_TR.ISO-8859-9) they call bytes 0xC0-0xFF
// letters, and a UTF-8 "é" (C3 A9) kept its first byte and lost its second to '_' in a GeoPackage layer name.
#include <cstddef>
#include <string>
#include <string_view>

namespace cohortgis::geodata {

constexpr char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
constexpr char ascii_upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

// The "C" locale's classes, for every host locale: only bytes 0-127 are in any of them.
constexpr bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_ascii_lower(char c) { return c >= 'a' && c <= 'z'; }
constexpr bool is_ascii_alpha(char c) { return is_ascii_lower(c) || (c >= 'A' && c <= 'Z'); }
constexpr bool is_ascii_alnum(char c) { return is_ascii_alpha(c) || is_ascii_digit(c); }
// Space, \t, \n, \v, \f and \r, as std::isspace under "C".
constexpr bool is_ascii_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

inline std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

inline std::string ascii_upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_upper(c);
  return out;
}

inline bool ascii_iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

}  // namespace cohortgis::geodata
