// SPDX-License-Identifier: Apache-2.0
// A results folder read back (the CSVs and manifest.json that `cohortgis run` writes), for maps, the report and
// `cohortgis info`. Values are looked up by variant, year or period, zone and group.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "cohortgis/app/language.hpp"

namespace cohortgis::app {

struct ResultsZone {
  std::string id, name, name_en;
};

struct ResultsPlanPeriod {
  std::string label, plan;  // "2026-2030", "15th Five-Year Plan"
};

// What manifest.json says about the run.
struct ResultsMeta {
  std::string version, scenario, title, scenario_file, started_at_utc, language;
  std::vector<std::string> variants;  // baseline first
  std::vector<std::string> variant_descriptions;  // "" where none; same order
  std::string title_en;                           // [scenario] title_en ("" when not given)
  std::vector<std::string> variant_titles, variant_titles_en;  // [[variants]] title / title_en; "" where none
  std::vector<std::string> assumptions;
  std::vector<std::string> groups;
  std::vector<ResultsPlanPeriod> plan_periods;
  std::vector<std::pair<std::string, std::string>> aggregates;  // name, member ids joined by ", "
  // [geography] aggregates' title and title_en by name (manifest.json's projection.aggregates); absent: none given.
  std::map<std::string, std::pair<std::string, std::string>> aggregate_titles;
  struct Input {
    std::string role, path, sha256;
    std::string opened;  // the absolute path the run read (empty in manifests of older versions)
  };
  std::vector<Input> inputs;
  std::string data_dir;  // the data folder of the run ("data:" paths)
  int base_year = 0, end_year = 0, step_years = 0, threads = 0;
  double seconds = 0.0;
  std::string maps_note;  // why there are no maps (no zone geometry), or ""
};

// A CSV file as text cells (RFC 4180 quoting), with the row numbers of the file for messages.
struct CsvData {
  std::string path;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::size_t column(const std::string& name) const;  // throws InputError naming the file
};
CsvData read_csv_file(const std::string& path);

class Results {
 public:
  std::string dir;
  ResultsMeta meta;
  std::vector<ResultsZone> zones;
  std::vector<int> years;
  CsvData plan_periods, targets;
  CsvData plan_periods_by_group;  // empty in results folders written before it existed

  // indicators.csv value; NaN when absent or empty.
  double indicator(const std::string& variant, int year, const std::string& unit, const std::string& group,
                   const std::string& indicator) const;
  bool has_indicator(const std::string& indicator) const;
  // plan_periods.csv value; NaN when absent.
  double period_value(const std::string& variant, const std::string& period, const std::string& unit,
                      const std::string& column) const;
  // population.csv: persons by age index (ages in population_ages) for one zone ("total": every zone; an aggregate's
  // name: its member zones), group
  // ("all": every group) and sex ("female" / "male"). Empty when population.csv has no such rows.
  std::vector<double> population(const std::string& variant, int year, const std::string& zone,
                                 const std::string& group, const std::string& sex) const;
  std::vector<int> population_ages;  // first age of each age group, ascending
  std::vector<std::string> age_labels() const;  // "0-4" … "85+"
  // Display name of a zone id or aggregate in a language (name, name_en, 合计 …; an aggregate by its title_en, else
  // title, in English and its title in Chinese, else by its name).
  std::string zone_label(const std::string& id, Language l) const;
  // A variant as reports and figures name it: "baseline" as the word of language l, others by their title in l
  // (title_en, else title, in English; title in Chinese), else by their name.
  std::string variant_label(const std::string& variant, Language l) const;
  // The scenario's title in language l (English: title_en, else title).
  std::string scenario_title(Language l) const;

  // Every indicators.csv value in the order of the keys joined by '\x1f' as text (variant, year, unit, group,
  // indicator: the order results.gpkg's long table has always had).
  void for_each_indicator(
      const std::function<void(const std::string& variant, int year, const std::string& unit, const std::string& group,
                               const std::string& indicator, double value)>& visit) const;

  // Internal storage. indicators.csv: each key's five parts as ids (in the order the file first names them) packed
  // into 64 bits, the values sorted by key. A W3k run's 3.3 million values take 53 MB this way; in a map keyed by
  // strings they took 400 MB and over three seconds to read and free (bench/HISTORY.md "Round 7").
  struct IndicatorKeys {
    std::vector<std::string> names;
    std::unordered_map<std::string, std::uint32_t> ids;
    std::uint32_t intern(const std::string& s);
    std::optional<std::uint32_t> find(const std::string& s) const;
  };
  IndicatorKeys indicator_variants, indicator_units, indicator_groups, indicator_names;
  std::vector<std::pair<std::uint64_t, double>> indicator_values;
  // population.csv: variant|year|zone|group|sex (joined by '\x1f') → persons by age.
  std::map<std::string, std::vector<double>> population_values;
  std::map<std::string, std::size_t> period_rows;                 // variant|period|unit → row of plan_periods
};

// Reads a results folder. Throws InputError naming the folder or file (and row) when it is not a results folder.
// `threads` > 1 reads a large indicators.csv in as many parts at once (0: one per core; the same Results for any).
Results load_results(const std::string& dir, int threads = 1);

// Parses manifest.json of a results folder (throws InputError with the file on bad JSON).
ResultsMeta read_manifest(const std::string& path);

// What changed in a results folder since cohortgis wrote it: its files against the sizes and SHA-256 listed in
// manifest.json, manifest.json against its seal, and the run's inputs against their recorded SHA-256.
struct ResultsIntegrity {
  bool verifiable = false;  // manifest.json carries the cohortgis_results marker and its seal matches
  bool legacy = false;      // no marker: results of an older cohortgis (nothing can be verified)
  std::string problem;      // why it is not verifiable ("" when it is)
  std::vector<std::string> results_changed;  // listed files changed or gone ("path (what)")
  std::vector<std::string> unlisted;         // files in the folder that cohortgis did not write
  std::vector<std::string> inputs_changed;   // inputs changed or gone since the run
  std::size_t files_checked = 0, inputs_checked = 0;
  std::size_t files_size_only = 0;  // listed without a SHA-256 (run --no-results-nc-hash): checked by size
  // One line per finding, for a person.
  std::vector<std::string> findings() const;
};
// inputs: also re-hash the inputs the manifest lists (at the paths the run read them from).
ResultsIntegrity check_results(const std::string& dir, bool inputs = true);

// For commands that draw from a results folder (map, report): throws InputError listing what changed when
// manifest.json was edited or a results file changed since the run; returns warnings (inputs changed since the
// run, or results of an older version that cannot be verified) for the caller to show.
std::vector<std::string> require_intact_results(const std::string& dir);

}  // namespace cohortgis::app
