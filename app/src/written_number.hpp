// SPDX-License-Identifier: Apache-2.0
// A number cell of a CSV cohortgis wrote, read back for the report (report.cpp, parity_output.cpp,
// ensemble_report.cpp).
#pragma once

#include <cmath>
#include <optional>
#include <string>

#include "cohortgis/app/results.hpp"
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

// Data row `row`'s cell of column `col` of a results CSV as a whole number (a year); throws InputError naming the
// file, row and column otherwise (the report read years with std::stoi: "internal error: stoi", exit 2, on a forged
// cell). The reader of indicators.csv's years checks them the same way (results.cpp).
int written_whole_number(const CsvData& csv, std::size_t row, std::size_t col);

// The last year of a plan period's label as manifest.json and plan_periods.csv write it ("2026-2030" → 2030, "2030"
// → 2030); nullopt for any other text.
std::optional<int> plan_period_last_year(const std::string& label);

}  // namespace cohortgis::app
