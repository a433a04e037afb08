// SPDX-License-Identifier: Apache-2.0
// indicators.csv as a run writes it, kept in memory for the run's own report (run.cpp): load_results then takes the
// indicators from here instead of reading back the file it has just written (197 MB at W3k, the larger part of the
// report phase: bench/HISTORY.md "Round 10: after the projection"), and results.xlsx takes the file's row count.
// Past the memory bound, a run that also wrote the same tables to results.nc has them read from there, a year at a
// time, instead of parsing indicators.csv (2.7 GB at W40k: bench/HISTORY.md "Round 11: the command line at W40k").
// The Results are the same as from the file: names interned in the order the rows name them, the values the file's
// text reads back as (shortest round trip; empty, i.e. NaN, where not finite; no -0).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "cohortgis/app/results.hpp"
#include "cohortgis/engine/indicators.hpp"

namespace cohortgis::app {

class WrittenIndicators {
 public:
  // 8 bytes per value while the run projects, at most this many (64 MiB: a W3k run's 3.3 million values take 26 MB);
  // a larger run's report reads indicators.csv back as before, so that memory stays bounded at 50,000 zones.
  static constexpr std::size_t kMaxValues = std::size_t{8} << 20;

  // tables: how many tables the run will write (variants × years). At the first table the values are kept only
  // when that many tables of its size fit under max_values; past the bound (more tables than said) they are dropped.
  explicit WrittenIndicators(std::size_t tables, std::size_t max_values = kMaxValues)
      : expected_tables_(tables), max_values_(max_values) {}

  // One table as ResultsWriter::write_indicators writes it: every unit, group and indicator (the stocks alone when
  // stocks_only), in that order.
  void add(const std::string& variant, int year, const IndicatorTable& t, bool stocks_only);
  // The file once closed and its size in bytes (the check that nothing was appended since).
  void set_file(const std::filesystem::path& path, std::uintmax_t bytes) {
    path_ = path;
    bytes_ = bytes;
    closed_ = true;
  }
  // The run wrote no indicators.csv at `path` (results.nc holds the tables: RunConfig::indicators_csv); the tables
  // are still handed over, from memory or from results.nc.
  void set_no_file(const std::filesystem::path& path) {
    path_ = path;
    bytes_ = 0;
    closed_ = no_file_ = true;
  }
  bool has_file() const { return closed_ && !no_file_; }

  std::size_t rows() const { return rows_; }
  std::uintmax_t bytes() const { return bytes_; }
  bool kept() const { return keep_; }
  // True when `path` is the file written, closed, unchanged in size (nothing appended: households, parity rows), or,
  // after set_no_file, when nothing is at `path` (the tables are the folder's indicators, in results.nc).
  bool describes(const std::filesystem::path& path) const;
  // results.nc of the same run holds every table add() was given, as `indicators(variant, year, unit,
  // indicator_group, indicator)` (netcdf_output.hpp), closed: read from there when the values were not kept.
  void set_cube(const std::filesystem::path& results_nc) { cube_ = results_nc; }
  const std::filesystem::path& cube() const { return cube_; }
  // Every table add() was given, kept or not: what results.nc must hold for it to stand in for the values.
  struct Added {
    std::string variant;
    int year = 0;
    bool stocks_only = false;
    std::size_t units = 0, groups = 0, indicators = 0;  // of the whole table
  };
  const std::vector<Added>& added() const { return added_; }
  // Where take_written_indicators took the indicators from: "memory", "results.nc", or "" (not taken: the file is
  // read). manifest.json "timings" records it ("report_indicators").
  const std::string& taken_from() const { return taken_from_; }
  void set_taken_from(std::string from) { taken_from_ = std::move(from); }

  // One table kept: the names (shared by the tables that have the same) and the values in the file's row order.
  struct Names {
    std::vector<std::string> units, groups, indicators;  // indicators: those written
  };
  struct Table {
    std::string variant;
    int year = 0;
    std::shared_ptr<const Names> names;
    std::vector<double> values;  // as read back from the file's text
  };
  std::vector<Table>& tables() { return tables_; }
  void release() {
    tables_ = {};
    keep_ = false;
  }

 private:
  std::size_t expected_tables_, max_values_;
  std::size_t values_ = 0, rows_ = 0;
  bool decided_ = false, keep_ = false, closed_ = false, no_file_ = false;
  std::vector<Table> tables_;
  std::vector<Added> added_;
  std::filesystem::path path_, cube_;
  std::string taken_from_;
  std::uintmax_t bytes_ = 0;
};

// The indicators of r from `written` (the same as reading `path`), whose tables it takes, or, where it kept none,
// from its results.nc (set_cube): false, and r untouched, when written does not describe that file, kept nothing and
// has no results.nc that holds its tables, or its ids or years do not fit the packed keys (the file is then read, and
// its reader gives the message).
bool take_written_indicators(Results& r, WrittenIndicators& written, const std::filesystem::path& path);

namespace detail {  // results.cpp: the packing of Results::indicator_values' keys
bool indicator_ids_fit(std::size_t variants, std::size_t units, std::size_t groups, std::size_t indicators);
bool indicator_year_fits(int year);  // the key holds year + 32768 in 16 bits
std::uint64_t indicator_key(std::uint32_t variant, int year, std::uint32_t unit, std::uint32_t group,
                            std::uint32_t indicator);
// Keys, values in file order and years into r as load_results leaves them (values sorted by key, the last of a key
// given twice kept).
void set_indicators(Results& r, Results::IndicatorKeys (&keys)[4],
                    std::vector<std::pair<std::uint64_t, double>>&& values, const std::set<int>& years);
}  // namespace detail

// The indicators of a results folder without indicators.csv, from its results.nc (every variant's every year, the base
// year's stock indicators only, as indicators.csv would hold them): the same Results as reading that indicators.csv.
// Throws InputError naming the file where it holds no such tables.
void read_cube_indicators(Results& r, const std::filesystem::path& results_nc);

// load_results (results.hpp) with the indicators handed over by the run that wrote the folder, where they describe
// its indicators.csv; read from the file otherwise.
Results load_results(const std::string& dir, int threads, WrittenIndicators* written);

}  // namespace cohortgis::app
