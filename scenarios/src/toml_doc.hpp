// SPDX-License-Identifier: Apache-2.0
// Reading a scenario file: typed access to TOML nodes with the file, line, column and key in every error, and
// table references (a path, or an inline table with path, layer, filter and column names) read through geodata.
#pragma once

#include <toml++/toml.h>

#include <initializer_list>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cohortgis/engine/types.hpp"
#include "cohortgis/geodata/read_policy.hpp"
#include "cohortgis/geodata/table.hpp"
#include "cohortgis/scenarios/models.hpp"
#include "cohortgis/scenarios/scenario.hpp"

namespace cohortgis::scenarios::detail {

std::string join_key(const std::string& prefix, std::string_view key);
std::string describe(const toml::node& n);  // "the string \"x\"", "the integer 3", "a table", …
std::string fmt(double v);                  // short number for messages

struct Doc {
  std::string file, dir, data_dir;
  std::vector<InputFile>* inputs = nullptr;  // tables read, for the manifest
  // Where the files the scenario names may come from (read_policy.hpp): set by grant().
  geodata::ReadPolicy policy;

  // The scenario's own folder, the data folder, and what the command line allows (--allow-read, --allow-db).
  void grant(const geodata::ReadPolicy& allowed);
  // Adds a file to the manifest's inputs once (by path).
  void record(const std::string& role, const std::string& path, const std::string& relative) const;

  std::string where(const toml::node* n) const;             // "file:line:column" (or "file")
  std::string where(const toml::source_region& r) const;
  [[noreturn]] void fail(const toml::node* n, const std::string& key, const std::string& message) const;
  [[noreturn]] void fail(const toml::source_region& r, const std::string& key, const std::string& message) const;

  // Unknown keys are errors (typos must not be ignored silently).
  void allow(const toml::table& t, const std::string& prefix, std::initializer_list<std::string_view> keys) const;
  const toml::table& table(const toml::node& n, const std::string& key) const;
  const toml::array& array(const toml::node& n, const std::string& key) const;
  std::string string(const toml::node& n, const std::string& key) const;
  bool boolean(const toml::node& n, const std::string& key) const;
  double number(const toml::node& n, const std::string& key, double lo, double hi, const std::string& what = {}) const;
  int integer(const toml::node& n, const std::string& key, long long lo, long long hi, const std::string& what = {}) const;
  std::vector<std::string> strings(const toml::node& n, const std::string& key) const;
  // A number, or a path over years { "2020" = 1.5, "2030" = 1.7 } with years in [first_year, last_year].
  YearPath path(const toml::node& n, const std::string& key, double lo, double hi, int first_year, int last_year,
                const std::string& what) const;
  // "2011-2015" or "2015" → (first, last).
  std::pair<int, int> years_label(const toml::node& n, const std::string& key) const;
};

// A table the scenario points at, with logical column names mapped to the file's own names.
struct TableRef {
  std::string key;      // e.g. "fertility.schedule"
  const toml::node* node = nullptr;
  std::string written;  // the path as written
  std::string path;     // resolved
  std::string layer;
  std::string encoding;  // of a CSV file, e.g. "GBK"; empty: UTF-8
  std::string database;  // a PostgreSQL service (PG:service=NAME or db:NAME, allowed by --allow-db); path = PG:…
  std::vector<std::pair<std::string, std::string>> filter;  // column → value ("…*": prefix)
  std::map<std::string, std::string> columns;               // logical → file column
  std::string column(const std::string& logical) const {
    auto it = columns.find(logical);
    return it == columns.end() ? logical : it->second;
  }
};

// A read table: the rows that pass the filter, with logical column access and positions for errors.
struct Rows {
  TableRef ref;
  geodata::Table table;
  std::vector<std::size_t> keep;
  std::size_t size() const { return keep.size(); }
  bool has(const std::string& logical) const { return table.has_column(ref.column(logical)); }
  const std::string& text(std::size_t r, const std::string& logical) const {
    return table.text(keep[r], ref.column(logical));
  }
  double number(std::size_t r, const std::string& logical) const;
  // The cell for an error message: "\"…\"", at most 40 characters, control characters as \xNN (quote_cell).
  std::string quoted(std::size_t r, const std::string& logical) const {
    return "\"" + geodata::quote_cell(text(r, logical)) + "\"";
  }
  // A whole number in [lo, hi] ("5", "5.0"; not "5.5"); `what` names it in the error ("a whole age").
  int whole(std::size_t r, const std::string& logical, long long lo, long long hi, const std::string& what) const;
  std::string where(std::size_t r, const std::string& logical) const;
};

TableRef table_ref(const Doc& doc, const toml::node& n, const std::string& key,
                   std::initializer_list<std::string_view> logical_columns);
// Reads the table; `required` are logical columns that must exist. Errors carry the scenario key and position.
Rows read_rows(const Doc& doc, const TableRef& ref, const std::vector<std::string>& required,
               const std::vector<std::string>& number_columns);
// The same checks, streamed: on_row gets a Rows of one kept row (index 0) at a time, for tables of any size.
void stream_rows(const Doc& doc, const TableRef& ref, const std::vector<std::string>& required,
                 const std::vector<std::string>& number_columns, const std::function<void(const Rows&)>& on_row);

}  // namespace cohortgis::scenarios::detail
