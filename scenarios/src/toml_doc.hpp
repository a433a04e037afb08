// SPDX-License-Identifier: Apache-2.0
// Reading a scenario file: typed access to TOML nodes with the file, line, column and key in every error, and
// table references (a path, or an inline table with path, layer, filter and column names) read through geodata.
#pragma once

#include <toml++/toml.h>

#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/types.hpp"
#include "cohortgis/geodata/read_policy.hpp"
#include "cohortgis/geodata/table.hpp"
#include "cohortgis/scenarios/models.hpp"
#include "cohortgis/scenarios/scenario.hpp"
#include "cohortgis/scenarios/scenario_file.hpp"

namespace cohortgis::scenarios::detail {

std::string join_key(const std::string& prefix, std::string_view key);
std::string describe(const toml::node& n);  // "the string \"x\"", "the integer 3", "a table", …
// A short number for messages; `significant` > 0 rounds it to that many significant digits first (sums of decimals).
std::string fmt(double v, int significant = 0);
// A table cell quoted in a message: at most 40 characters, control and non-UTF-8 bytes as \xNN (geodata's helper,
// shared with the table reader and the input sandbox).
using geodata::escape_cell;
using geodata::quote_cell;  // a cell for a message: in quotes, escaped, at most 40 characters

// "did you mean 'open_age'? " for a misspelt name (a few letters off, another case, '-' for '_'), or "" when no one
// known name is near: put before the list of valid names in an "unknown key" message.
std::string did_you_mean(std::string_view got, std::initializer_list<std::string_view> known);

struct Doc {
  std::string file, dir, data_dir;
  std::vector<InputFile>* inputs = nullptr;  // tables read, for the manifest
  const MemoryTables* frames = nullptr;       // tables named "frame:NAME" (load_scenario_text)
  // Where the files the scenario names may come from (read_policy.hpp): set by grant().
  geodata::ReadPolicy policy;
  int threads = 1;  // threads that may parse a large CSV table (geodata::StreamOptions), resolved
  // The projection's grid once [projection] is read (0 / -1 before): age labels of a group must fit it.
  int grid_width = 0, grid_open_age = -1;

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
  // The year a key of a table keyed by years names (a path's "2030", `[migration] timing`'s "2025"): decimal digits
  // only (no sign, blank or point), else an error at the key `sub` saying what the key is (`what`, e.g. "the start
  // of a step") with `example` as an example.
  int year_key(const toml::key& k, const std::string& sub, const std::string& what, int example) const;
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
  std::vector<std::pair<std::string, std::string>> filter;  // column → value ("…*": prefix); a column's entries are alternatives
  std::map<std::string, std::string> columns;               // logical → file column
  // Declared per table (scenarios/README.md "Tables"): how values between the years of a `year` column are found
  // ("hold" or "linear"; empty: the table's default), the unit of its values (e.g. "per_1000_women", "thousands"),
  // and for counts whether they are per year or per projection step ("year" or "step"; empty: the default).
  std::string between, unit, per;
  const MemoryTable* frame = nullptr;  // "frame:NAME": a table held in memory instead of a file
  const toml::node* unit_node = nullptr;  // for messages about the unit
  const toml::node* per_node = nullptr;   // for messages about `per`
  const toml::node* between_node = nullptr;  // for messages about `between`
  // `values = { role = { "file value" = "value the builders expect" } }` (value_maps.cpp): applied to the kept rows
  // when the table is read, so builders see canonical values; a cell of a mapped column that matches nothing is an
  // error. Without a map for `sex`, the built-in spellings (Female, F, 女, …) become female/male.
  std::map<std::string, std::map<std::string, std::string>> values;
  // `ages = "labels"`: the `age` column holds labels such as "5～9岁" or "85+", read as the group's first age.
  bool age_labels = false;
  // With age_labels (or a WPP file's AgeGrpSpan): the width of the age groups a label may name ("5-9" is 5 years) and
  // the grid's open age (an open label such as "85+" must not start below it), from Doc's grid; 0 / -1: not checked
  // (life tables, whose abridged rows 0, 1-4, 5-9 … are not the grid's groups). Read as first ages only, a wider group
  // would be one single age.
  int label_width = 0, label_open_age = -1;
  // `wpp = { location, variant }` (wpp_files.cpp): one of the UN's WPP 2022 CSV files as published. table_ref sets
  // `columns` for the roles it holds (year → Time, age → AgeGrpStart, age_span → AgeGrpSpan, sex → Sex,
  // for base population zone → ISO3_code; value → the column the scenario key reads, e.g. mx or ASFR; for mortality.life_table one role
  // per column: mx, qx, px, lx, dx, Lx, Sx, Tx, ex, ax) and `unit` (per_1000_women for ASFR, thousands for PopFemale
  // and PopMale); reading keeps the rows of the location and variant and drops Sex = Total.
  struct Wpp {
    bool on = false;
    std::string location, variant;
    const toml::node* node = nullptr;
    std::vector<std::string> value_columns;  // the file's value columns this key reads, e.g. {"mx"}
    // Population files hold both sexes in one row (PopFemale, PopMale): each file row becomes two rows, roles
    // `sex` (female, male) and `population` (that sex's column).
    bool wide = false;
    bool by_sex = true;  // the file has a Sex column (life tables); fertility and population files have none
  } wpp;
  std::string column(const std::string& logical) const {
    auto it = columns.find(logical);
    return it == columns.end() ? logical : it->second;
  }
};

// A read table: the rows that pass the filter, with logical column access and positions for errors. Cells of mapped
// columns (values, ages = "labels", WPP files) already hold the canonical values.
struct Rows {
  TableRef ref;
  geodata::Table table;
  std::vector<std::size_t> keep;
  // The file's data row (0-based) of each table row when the table holds only the kept rows (WPP files are read
  // streamed: the UN's files hold every country); empty: table row i is data row table.first_row + i.
  std::vector<std::size_t> data_row;
  std::size_t size() const { return keep.size(); }
  bool has(const std::string& logical) const { return column_index(logical) != kNoColumn; }
  const std::string& text(std::size_t r, const std::string& logical) const {
    const std::size_t c = column_index(logical);
    return c == kNoColumn ? table.text(keep[r], ref.column(logical)) : table.text(keep[r], c);  // throws, listing the columns
  }
  double number(std::size_t r, const std::string& logical) const {
    return number_at(r, column_index(logical), logical);
  }
  // number() with the column already found (column_index(logical)): a loop over millions of rows finds it once.
  double number_at(std::size_t r, std::size_t c, const std::string& logical) const;
  // A whole number in [lo, hi] ("5", "5.0"; not "5.5"); `what` names it in the error ("a whole age").
  int whole(std::size_t r, const std::string& logical, long long lo, long long hi, const std::string& what) const;
  std::string where(std::size_t r, const std::string& logical) const;

  // The table's column of a logical column, kNoColumn when it has none. Remembered per logical name (and for the
  // column count it was found for: a WPP wide row gains columns): a cell access of a table of millions of rows must
  // not map the name and search the columns each time. The cache makes a Rows one thread's at a time (the register
  // pipeline's worker has its own copy).
  static constexpr std::size_t kNoColumn = uz(-1);
  std::size_t column_index(const std::string& logical) const;
  mutable std::vector<std::pair<std::string, std::size_t>> column_cache;
  mutable std::size_t column_cache_width = 0;

  // The numbers of the current row that stream_rows has checked, so that the builder reading them does not parse
  // them again (a 16-million-row base population parsed its ages and counts twice). Only stream_rows turns it on and
  // clears it whenever the row's cells change; a copy of a Rows (the register pipeline's) starts without it.
  struct NumberCache {
    bool on = false;
    std::vector<std::pair<std::size_t, double>> values;  // (column, value) of row 0
    NumberCache() = default;
    NumberCache(const NumberCache&) {}
    NumberCache& operator=(const NumberCache&) { return on = false, values.clear(), *this; }
  };
  mutable NumberCache number_cache;
};

// ---- value maps and age labels (value_maps.cpp) ----
// Reads `values` and `ages` of a table reference; roles must be among `logical_columns` when that list is not empty.
void read_value_options(const Doc& doc, const toml::table& t, TableRef& ref,
                        std::initializer_list<std::string_view> logical_columns);
// The first age of an age label ("0岁", "1-4岁", "5～9岁", "85岁及以上", "100+", "85 and over", "7"); false when
// the label is none of the accepted forms. `years`: the group's width for a closed group ("5～9岁": 5), 0 for one age
// ("7"), -1 for an open group ("85+").
bool age_label_start(std::string_view label, int& age, int* years = nullptr);
extern const char* const kAgeLabelForms;  // the accepted forms, for messages
// Rewrites row `row` of `t` to canonical values (value maps, built-in sex spellings, age labels); throws InputError
// naming the file, data row, column and the accepted values.
void canonical_cells(const TableRef& ref, geodata::Table& t, std::size_t row);

// ---- the UN's WPP 2022 files (wpp_files.cpp) ----
// Reads `wpp = { location, variant }` and sets ref.columns, ref.unit and ref.wpp from the scenario key.
void read_wpp_option(const Doc& doc, const toml::node& n, TableRef& ref);
// The file columns a WPP file must have for this reference.
std::vector<std::string> wpp_columns(const TableRef& ref);
// Which rows of a WPP file are kept, and what was seen for messages when none are.
struct WppScan {
  std::vector<std::string> locations;  // a few locations of the file, "China (CHN, LocID 156)"
  std::vector<std::string> variants;   // variants of the location asked for
  bool location_found = false, variant_found = false;
  bool keep(const TableRef& ref, const geodata::Table& t, std::size_t row);
  // When no row was kept: the error naming the location or variant the file lacks (returns when both were there).
  void fail_none(const Doc& doc, const TableRef& ref) const;
};
// Appends the synthetic sex and population cells of a wide WPP row (part 0: female, 1: male) to t's row `row`, or
// rewrites them when present.
void wpp_wide_part(const TableRef& ref, geodata::Table& t, std::size_t row, int part);

TableRef table_ref(const Doc& doc, const toml::node& n, const std::string& key,
                   std::initializer_list<std::string_view> logical_columns);
// `per` scales the counts and rates of [migration]; a table elsewhere would ignore it without a word: refused.
// `what` (e.g. "rates per person per year") says what the table's values are, for a table whose values have one
// fixed meaning (refuse_unit_and_per); without it the message points to [migration].
// "2021" → {2021, 2021}, "2021-2025" → {2021, 2025}; nothing else (no blanks, no trailing text, first ≤ last).
std::optional<std::pair<int, int>> parse_years_label(std::string_view s);
void refuse_per(const Doc& doc, const TableRef& ref, std::string_view what = {});
// A table whose values have one fixed meaning (rates per person per year, multipliers, distances, capacities …)
// would ignore `unit` and `per` without a word: both are refused, `what` saying what its values are. `unit_ok`
// (e.g. "per_person") is the one unit that may be declared since it is what the values already are.
void refuse_unit_and_per(const Doc& doc, const TableRef& ref, std::string_view what, std::string_view unit_ok = {});
// `between` interpolates the years of a schedule's `year` column; a table read otherwise would ignore it: refused.
void refuse_between(const Doc& doc, const TableRef& ref);
// Records the file of `ref` as an input of the run (manifest.json) under `role`, with the companions GDAL reads with
// it (geodata::read_companions: a Shapefile's .dbf, a CSV's .csvt …) as "ROLE (sidecar)"; a database by its service.
void record_file(const Doc& doc, const std::string& role, const TableRef& ref);
// Reads the table; `required` are logical columns that must exist. Errors carry the scenario key and position.
Rows read_rows(const Doc& doc, const TableRef& ref, const std::vector<std::string>& required,
               const std::vector<std::string>& number_columns);
// The same checks, streamed: on_row gets a Rows of one kept row (index 0) at a time, for tables of any size.
void stream_rows(const Doc& doc, const TableRef& ref, const std::vector<std::string>& required,
                 const std::vector<std::string>& number_columns, const std::function<void(const Rows&)>& on_row);

}  // namespace cohortgis::scenarios::detail
