// SPDX-License-Identifier: Apache-2.0
// A number cell of a CSV cohortgis wrote, read back for the report (report.cpp, parity_output.cpp,
// ensemble_report.cpp).
#pragma once

#include <cmath>
#include <string>

#include "cohortgis/geodata/table.hpp"

namespace cohortgis::app {

// The cell's double (the shortest round-trip text the writers put there), NaN when empty: geodata::parse_number's
// std::from_chars, not std::stod, whose decimal mark follows LC_NUMERIC (a Python host's locale.setlocale(LC_ALL,
// "de_DE.UTF-8") read "12330.7" as 12330 in the report's targets table).
inline double written_number(const std::string& cell) {
  double v = std::nan("");
  if (!cell.empty()) (void)geodata::parse_number(cell, v);
  return v;
}

}  // namespace cohortgis::app
