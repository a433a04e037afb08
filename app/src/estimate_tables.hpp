// SPDX-License-Identifier: Apache-2.0
// The tables `cohortgis estimate` reads and the folder it writes, shared by its net-migration (estimate.cpp), level
// (estimate_levels.cpp) and group-split (group_split.cpp) parts: one reader and one writer of each.
#pragma once

#include <array>
#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cohortgis/engine/types.hpp"
#include "cohortgis/geodata/read_cancel.hpp"
#include "cohortgis/geodata/table.hpp"
#include "output_dir.hpp"

namespace cohortgis::app::detail {

// A census table read onto its own units: totals always, sex × age cells when every unit has them.
struct Census {
  std::string path;
  std::vector<std::string> units;
  std::map<std::string, std::size_t> index;  // unit → its position in units: the one look-up of a census's units
  std::vector<std::string> unit_where;  // where its first row is: "file, layer …, data row R (…), column 'zone'"
  std::vector<double> totals;         // by unit
  std::vector<double> cells;          // [unit][female 0..n-1, male 0..n-1] when by_age
  bool by_age = false;
};

// Columns zone, sex, age, population; sex and age `all` for a zone total. `option` names the command-line option in
// errors. Throws InputError naming file, row and column.
// With `year` (not 0), a `year` column, when the table has one, must hold that year on every row.
Census read_census(const std::string& path, const AgeGrid& grid, const std::string& option, int year = 0);

// Abridged death rates (rows 0, 1–4, 5–9, …, open) of each sex (0 female, 1 male) from a table with columns sex,
// age or age_start, and mx, keeping only the rows whose columns equal the filter's values.
std::array<std::vector<double>, 2> read_abridged_mx(const std::string& path,
                                                    const std::vector<std::pair<std::string, std::string>>& filter);

// The inputs of an estimate, each hashed once (SHA-256): rows of the report's markdown inputs table, the manifest's
// "inputs" entries, and the paths appended to `paths`. `in` holds (role, path) pairs.
struct HashedInputs {
  std::string markdown_rows;
  std::string json_entries;
};
HashedInputs hash_inputs(const std::vector<std::pair<std::string, std::string>>& in, std::vector<std::string>& paths);

// The rows of `t` whose columns hold the text of every COLUMN=VALUE of `filter` (1: kept). A filter that keeps no
// row throws InputError naming the file, `option` (--mx-filter, --asfr-filter) and, for each column no cell of which
// matched, up to five cells it holds: "no rows after the filter" named neither (hostile probe of round 28).
std::vector<char> filtered_rows(const geodata::Table& t, const std::vector<std::pair<std::string, std::string>>& filter,
                                const std::string& option);

// A row filter (--mx-filter, --asfr-filter) as manifest.json's list of "COLUMN=VALUE" texts: which rows of a listed
// input the estimate read, so that it can be repeated from the manifest.
std::string filter_json(const std::vector<std::pair<std::string, std::string>>& filter);

// An estimate's results folder: files written into a staging folder (StagedDirectory, output_dir.hpp) and their
// names appended to `files`; commit() moves the folder into place and returns its path. `cancel` (the configs' cancel,
// may be null) is looked at before the folder is made, before each file, within a table (write_rows) and before the
// move (throw_if_cancelled): a stopped estimate leaves its out_dir as it was.
class EstimateFolder {
 public:
  // `cancel` is looked at before out_ makes the staging folder.
  EstimateFolder(const std::string& dir, std::vector<std::string>& files, const std::atomic<bool>* cancel)
      : cancel_((throw_if_cancelled(cancel, "estimate"), cancel)), out_(dir), files_(files) {}
  void write(const std::string& name, const std::string& text);
  // A table of `rows` lines after `header`, made a line at a time by row(text, i) (which appends line i) and written
  // in stretches: `cancel` is looked at every geodata::kRowsBetweenStops lines too, as the readers look at theirs
  // (read_cancel.hpp). net_migration.csv of 1.5 million zones is 2 GB of text, written for tens of seconds: a stop
  // looked at only between files came after all of it. A stopped table throws with the rest of the folder (nothing
  // of it is left).
  void write_rows(const std::string& name, std::string_view header, std::size_t rows,
                  const std::function<void(std::string& text, std::size_t row)>& row);
  // The sealed manifest.json (write_manifest: `body` holds its members before "outputs"), then commit().
  std::string seal(const std::string& body);
  std::string commit();

 private:
  const std::atomic<bool>* cancel_;
  StagedDirectory out_;
  std::vector<std::string>& files_;
};

}  // namespace cohortgis::app::detail
