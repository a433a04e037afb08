// SPDX-License-Identifier: Apache-2.0
// A table reference's `filter`: which rows it keeps, and what the file held when it kept none.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "toml_doc.hpp"

namespace cohortgis::scenarios::detail {

// Every filter column must match; adjacent entries of one column are alternatives (a list of values).
bool passes_filter(const TableRef& ref, const geodata::Table& t, std::size_t r);

// The cells of the filter's columns in rows the filter dropped, for the error when it keeps no row: the filter
// compares the cell's text, so `time_start = 2015` keeps no CSV cell `2015.0` (pandas' float column), and the
// message shows what the column held instead. Only a few distinct values per column are kept (a register of 20
// million rows pays a few string comparisons per dropped row).
class FilterMisses {
 public:
  explicit FilterMisses(const TableRef& ref);
  // Row r of t, which the filter dropped.
  void note(const TableRef& ref, const geodata::Table& t, std::size_t r);
  // " (…)" naming each filter column that matched no row, with the values it held; empty without a filter.
  std::string explain(const TableRef& ref) const;

 private:
  struct Column {
    std::size_t first = 0, end = 0;  // its entries in ref.filter
    bool matched = false;            // some dropped row matched this column (another column dropped it)
    std::vector<std::string> seen;   // distinct cells, at most kSeen
    bool more = false;               // more distinct cells than seen holds
  };
  static constexpr std::size_t kSeen = 5;
  std::vector<Column> columns_;
};

}  // namespace cohortgis::scenarios::detail
