// SPDX-License-Identifier: Apache-2.0
// Plain comma-separated text: one header row, no quoting (data/wpp/DATA.md, tests/fixtures). One reader for the
// benchmark workload (workload.cpp) and the tests' fixtures (tests/support/csv_fixture.hpp); the product reads tables
// through GDAL (geodata/).
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace cohortgis::bench {

// Reads `path` into its header and rows: '\r' before a line's end dropped, blank lines skipped, a trailing comma an
// empty last cell. False where the file cannot be opened.
inline bool read_plain_csv(const std::string& path, std::vector<std::string>& header,
                           std::vector<std::vector<std::string>>& rows) {
  std::ifstream in(path);
  if (!in) return false;
  bool first = true;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::vector<std::string> cells;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) cells.push_back(cell);
    if (line.back() == ',') cells.emplace_back();
    if (first) {
      header = std::move(cells);
      first = false;
    } else {
      rows.push_back(std::move(cells));
    }
  }
  return true;
}

}  // namespace cohortgis::bench
