// SPDX-License-Identifier: Apache-2.0
// Numbers as people read them in figures, legends and the report (files use cohortgis::number_cell).
#pragma once

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>

namespace cohortgis::geodata {

// |v| with `decimals` (0–20) digits after the point, the digits of printf's %.*f but with '.' whatever LC_NUMERIC
// (std::to_chars: snprintf wrote "1,5" in a Python host after locale.setlocale(LC_ALL, "de_DE.UTF-8")). The buffer
// holds DBL_MAX's 309 digits and 20 decimals.
inline std::string fixed_digits(double v, int decimals) {
  char buf[352];
  return std::string(
      buf,
      std::to_chars(buf, buf + sizeof buf, std::abs(v), std::chars_format::fixed, std::clamp(decimals, 0, 20)).ptr);
}

// fixed_digits' text with ',' between groups of three digits before the point ("12345.6" → "12,345.6").
inline std::string group_thousands(const std::string& fixed) {
  const std::size_t dot = std::min(fixed.find('.'), fixed.size());
  std::string out;
  for (std::size_t i = 0; i < dot; ++i) {
    if (i > 0 && (dot - i) % 3 == 0) out += ',';
    out += fixed[i];
  }
  return out + fixed.substr(dot);
}

}  // namespace cohortgis::geodata
