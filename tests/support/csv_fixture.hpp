// SPDX-License-Identifier: Apache-2.0
// The long CSV fixtures of tests/fixtures (plain comma-separated, one header row, no quoting: bench/plain_csv.hpp).
// Test support only: the product reads tables through GDAL (geodata/).
#pragma once

#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "../../bench/plain_csv.hpp"  // the reader, shared with the benchmark workload

namespace cohortgis::test {

struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;

  std::size_t col(const std::string& name) const {
    for (std::size_t i = 0; i < header.size(); ++i)
      if (header[i] == name) return i;
    throw std::runtime_error("fixture has no column '" + name + "'");
  }
  std::string at(std::size_t row, const std::string& name) const { return rows.at(row).at(col(name)); }
  double num(std::size_t row, const std::string& name) const { return std::stod(at(row, name)); }
};

inline CsvTable read_csv(const std::string& path) {
  CsvTable t;
  if (!bench::read_plain_csv(path, t.header, t.rows)) throw std::runtime_error("cannot open fixture " + path);
  return t;
}

// A whole file's bytes (for byte-for-byte comparisons of outputs).
inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::string fixture(const std::string& rel) { return std::string(COHORTGIS_FIXTURES) + "/" + rel; }
inline std::string data_file(const std::string& rel) { return std::string(COHORTGIS_DATA) + "/" + rel; }

// The census values of data/census/census2020_districts.csv by (code, indicator) (the columns read come before the
// file's quoted one, which the plain reader would split).
inline std::map<std::pair<std::string, std::string>, double> census2020_values() {
  const CsvTable t = read_csv(data_file("census/census2020_districts.csv"));
  std::map<std::pair<std::string, std::string>, double> v;
  for (std::size_t r = 0; r < t.rows.size(); ++r) v[{t.at(r, "code"), t.at(r, "indicator")}] = t.num(r, "value");
  return v;
}

}  // namespace cohortgis::test
