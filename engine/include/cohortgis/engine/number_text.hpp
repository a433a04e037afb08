// SPDX-License-Identifier: Apache-2.0
// The project's one shortest round-trip number text (engine, geodata, scenarios, app): the fewest digits that read
// back to the same double (std::to_chars), so 0.1 is "0.1", 1e21 "1e+21" and 2^53 "9007199254740992".
//
// Two spellings of the values outside the finite non-zero numbers, one per purpose:
//  - shortest_number (messages, table cells read as text, attributes): NaN "nan" whatever its sign bit (to_chars
//    alone writes "-nan"), +inf "inf", −inf "-inf", −0 "-0", as TOML and strtod read them; −0 reads back as −0.
//  - number_cell (the numbers of files cohortgis writes: CSV cells, JSON, Markdown tables): NaN and ±inf give "" (a
//    missing value is an empty cell; json_number writes null) and −0 gives "0", as every output has written them.
// And rounded_number: ten significant digits for the messages of computed figures (a sum of rates reads 0.3, not
// 0.30000000000000004), NaN "nan".
#pragma once

#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>

namespace cohortgis {

inline void append_shortest_number(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "nan";
    return;
  }
  char buf[32];  // the longest shortest form, "-2.2250738585072014e-308", is 24 characters
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

inline std::string shortest_number(double v) {
  std::string s;
  append_shortest_number(s, v);
  return s;
}

inline void append_number_cell(std::string& out, double v) {
  if (!std::isfinite(v)) return;
  append_shortest_number(out, v == 0.0 ? 0.0 : v);  // no "-0"
}

inline std::string number_cell(double v) {
  std::string s;
  append_number_cell(s, v);
  return s;
}

inline std::string rounded_number(double v) {
  if (std::isnan(v)) return "nan";
  char buf[32];  // "-1.234567891e-308" at most
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

}  // namespace cohortgis
