// SPDX-License-Identifier: Apache-2.0
#pragma once
// ASCII case for names, keys, codes and file extensions compared without regard to case. Not std::tolower,
// std::toupper or strcasecmp (GDAL's EQUAL): they follow the host's LC_CTYPE, and in a Python process after
// locale.setlocale(LC_ALL, "tr_TR.UTF-8") 'I' lowers to 'I' (dotless i is not one byte), so "ENGLISH", "data.TIF" or
// a field "ID" named "id" were not what they are under C. Bytes outside A–Z (UTF-8 included) are left as they are.
#include <cstddef>
#include <string>
#include <string_view>

namespace cohortgis::geodata {

constexpr char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
constexpr char ascii_upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

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
