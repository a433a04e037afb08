// SPDX-License-Identifier: Apache-2.0
#include "cohortgis/app/backtest.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "cohortgis/app/commands.hpp"
#include "cohortgis/app/results.hpp"
#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/planning.hpp"
#include "cohortgis/engine/projection.hpp"
#include "cohortgis/engine/types.hpp"
#include "cohortgis/geodata/ascii_case.hpp"
#include "cohortgis/geodata/maps.hpp"
#include "cohortgis/geodata/read_cancel.hpp"
#include "cohortgis/geodata/read_policy.hpp"
#include "cohortgis/geodata/sha256.hpp"
#include "cohortgis/geodata/table.hpp"
#include "cohortgis/geodata/zones.hpp"
#include "cohortgis/scenarios/level_fitting.hpp"
#include "cohortgis/scenarios/scenario.hpp"
#include "cohortgis/scenarios/scenario_file.hpp"
#include "figures.hpp"
#include "output_dir.hpp"
#include "text_output.hpp"

namespace cohortgis::app {

namespace fs = std::filesystem;

namespace {

constexpr int kAllAges = -1;

// One row of an observed table: a zone's persons of a group, sex and age (or `all` of them).
struct ObservedRow {
  std::size_t row = 0;  // data row in the table
  std::string zone, group, sex;
  int age = kAllAges;
  double persons = 0;
  bool is_total() const { return group == "all" && sex == "all" && age == kAllAges; }
};

struct ObservedTable {
  std::string path;
  int year = 0;
  std::vector<ObservedRow> rows;
  std::vector<double> zone_totals;  // by scenario zone
  std::vector<bool> total_given;    // a row with group, sex and age `all` gave the total
};

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

// The fields a breakdown pattern ("gSa": group and age given, sex `all`) divides by, e.g. "group × age".
std::string breakdown_name(const std::string& pattern) {
  std::string s;
  const char* names[] = {"group", "sex", "age"};
  for (std::size_t i = 0; i < 3; ++i)
    if (geodata::is_ascii_lower(pattern[i])) s += (s.empty() ? "" : " × ") + std::string(names[i]);
  return s;
}

// The fields an observed row gives (not `all`), as bits: 1 group, 2 sex, 4 age.
unsigned given_fields(const ObservedRow& r) {
  return (r.group != "all" ? 1u : 0u) | (r.sex != "all" ? 2u : 0u) | (r.age != kAllAges ? 4u : 0u);
}

// A row's values of the fields `fields` gives, e.g. "sex female, age 5" (for messages) or a key.
std::string field_values(const ObservedRow& r, unsigned fields) {
  std::string s;
  if (fields & 1u) s += "group " + r.group;
  if (fields & 2u) s += (s.empty() ? "" : ", ") + std::string("sex ") + r.sex;
  if (fields & 4u) s += (s.empty() ? "" : ", ") + std::string("age ") + std::to_string(r.age);
  return s;
}

// Whether rows summing to `sum` persons hold the `coarser` figure's persons: within half a person (a figure rounded to
// whole persons), and a relative 1e-9 for figures past 5e8 (read from text, summed in another order).
bool same_persons(double sum, double coarser) { return std::abs(sum - coarser) <= 0.5 + 1e-9 * coarser; }

// A zone as the messages name it: "110101 (Dongcheng)", or its id alone where it has no name.
std::string zone_label(const scenarios::Zone& z) { return z.name.empty() ? z.id : z.id + " (" + z.name + ")"; }

// A zone's rows at two levels hold the same persons (the women's row and the women's rows by age): each is scored
// on its own (docs/cli.md, backtest), so the two must tell the same story. Every row other than the zone total (its
// own check in read_observed) that a whole set of finer rows covers must equal their sum, within half a person: the
// women's row 2,600 beside women by age summing to 3,000 was scored on both without a word.
void check_nested_rows(const ObservedTable& o, const scenarios::Scenario& sc, const std::string& path,
                       const std::string& option) {
  const std::size_t n_groups = sc.group_names.size(), n_ages = uz(sc.grid.n_ages);
  // (zone, finer fields, coarser fields, the coarser fields' values) → rows, persons
  std::map<std::string, std::pair<std::size_t, double>> inside;
  const auto key = [](const ObservedRow& r, unsigned finer, unsigned coarser) {
    return r.zone + '\x1f' + std::to_string(finer) + '\x1f' + std::to_string(coarser) + '\x1f' +
           field_values(r, coarser);
  };
  for (const auto& x : o.rows) {
    const unsigned fx = given_fields(x);
    for (unsigned q = 1; q < 8; ++q)
      if ((q & fx) == q && q != fx) {
        auto& [rows, persons] = inside[key(x, fx, q)];
        ++rows;
        persons += x.persons;
      }
  }
  const auto size = [&](unsigned fields) {
    return ((fields & 1u) ? n_groups : 1) * ((fields & 2u) ? 2 : 1) * ((fields & 4u) ? n_ages : 1);
  };
  for (const auto& r : o.rows) {
    const unsigned q = given_fields(r);
    for (unsigned p = q + 1; q != 0 && p < 8; ++p) {
      if ((p & q) != q) continue;
      const auto it = inside.find(key(r, p, q));
      if (it == inside.end() || it->second.first != size(p & ~q)) continue;
      if (same_persons(it->second.second, r.persons)) continue;
      const std::string by =
          std::string((p & ~q & 1u) ? "g" : "G") + ((p & ~q & 2u) ? "s" : "S") + ((p & ~q & 4u) ? "a" : "A");
      const auto zone = std::find_if(sc.zones.begin(), sc.zones.end(), [&](const auto& z) { return z.id == r.zone; });
      const std::string name = zone_label(*zone);
      throw InputError(path + ", column 'population': zone " + name + ": its rows by " + breakdown_name(by) + " with " +
                       field_values(r, q) + " add up to " + shortest_number(it->second.second) +
                       " persons, but its row with " + field_values(r, q) + " (data row " + std::to_string(r.row + 1) +
                       ") gives " + shortest_number(r.persons) + "; expected the same number: both hold the same " +
                       "persons (" + option + ")");
    }
  }
}

// Reads a table in the layout of population.csv and checks it against the scenario: known zones, groups, sexes and
// ages of its grid, one year, no duplicates, and a zone total for every zone of the projection. An optional `parity`
// column (population.csv of a run with parity): the women's rows of one cell by parity 0, 1, 2, 3+ are summed into
// the cell (the back-test compares persons); `all` or an empty cell is a row of the whole cell.
ObservedTable read_observed(const std::string& path, const scenarios::Scenario& sc, const std::string& option) {
  using geodata::ColumnType;
  // `group` is optional (a census table has none: every row is of group `all`).
  const geodata::Table t = geodata::read_table(path, {{"year", ColumnType::number},
                                                      {"zone", ColumnType::text},
                                                      {"sex", ColumnType::text},
                                                      {"age", ColumnType::text},
                                                      {"population", ColumnType::number}});
  ObservedTable o;
  o.path = path;
  std::map<std::string, std::size_t> zone_index;
  std::vector<std::string> zone_ids;
  for (std::size_t z = 0; z < sc.zones.size(); ++z) {
    zone_index[sc.zones[z].id] = z;
    zone_ids.push_back(sc.zones[z].id);
  }
  std::set<int> ages;
  std::vector<std::string> age_texts;
  for (int i = 0; i < sc.grid.n_ages; ++i) {
    ages.insert(sc.grid.age_start(i));
    age_texts.push_back(std::to_string(sc.grid.age_start(i)));
  }
  std::vector<std::string> groups = sc.group_names;
  groups.push_back("all");
  std::map<std::string, std::size_t> seen;  // key → data row
  std::map<std::string, std::size_t> merged;  // key of a cell given by parity → its entry in o.rows
  const bool by_parity = t.has_column("parity");
  const std::size_t cpar = by_parity ? t.column("parity") : 0;
  const bool has_group = t.has_column("group");
  const std::size_t cy = t.column("year"), cz = t.column("zone"), cg = has_group ? t.column("group") : 0,
                    cs = t.column("sex"), ca = t.column("age"), cp = t.column("population");
  for (std::size_t r = 0; r < t.size(); ++r) {
    const double y = t.number(r, cy);
    if (y != std::floor(y)) throw InputError(t.where(r, cy) + ": year " + t.text(r, cy) + "; expected a whole year");
    // Checked before the cast: 1e20 as an int is undefined (it read as -2147483648 and blamed a missing zone).
    if (!(y >= 1 && y <= 9999))
      throw InputError(t.where(r, cy) + ": year " + geodata::escape_cell(t.text(r, cy)) +
                       "; expected a calendar year from 1 to 9999");
    if (r == 0) o.year = static_cast<int>(y);
    if (static_cast<int>(y) != o.year)
      throw InputError(t.where(r, cy) + ": year " + t.text(r, cy) + ", but data row 1 has " + std::to_string(o.year) +
                       "; expected one year per table (" + option + ")");
    ObservedRow row;
    row.row = r;
    row.zone = t.text(r, cz);
    if (!zone_index.count(row.zone))
      throw InputError(t.where(r, cz) + ": zone '" + row.zone + "' is not a zone of the projection; expected one of " +
                       join(zone_ids));
    row.group = has_group ? t.text(r, cg) : "all";
    if (std::find(groups.begin(), groups.end(), row.group) == groups.end())
      throw InputError(t.where(r, cg) + ": group '" + row.group + "'; expected one of " + join(groups));
    row.sex = t.text(r, cs);
    if (row.sex != "female" && row.sex != "male" && row.sex != "all")
      throw InputError(t.where(r, cs) + ": sex '" + row.sex + "'; expected female, male or all");
    const std::string& age = t.text(r, ca);
    if (age != "all") {
      double a = 0;
      if (!geodata::parse_number(age, a) || a != std::floor(a) || !ages.count(static_cast<int>(a)))
        throw InputError(t.where(r, ca) + ": age '" + age + "'; expected all or the first age of an age group of the " +
                         "projection (" + join(age_texts) + ")");
      row.age = static_cast<int>(a);
    }
    row.persons = t.number(r, cp);
    if (row.persons < 0)
      throw InputError(t.where(r, cp) + ": " + t.text(r, cp) + " persons; expected 0 or more");
    if (row.persons > scenarios::kMaxCellPersons)  // the engine's bound on a cell (2^63 persons were scored)
      throw InputError(t.where(r, cp) + ": " + geodata::escape_cell(t.text(r, cp)) + " persons; expected at most 1e12");
    const std::string key = row.zone + '\x1f' + row.group + '\x1f' + row.sex + '\x1f' + age;
    const std::string parity = by_parity && !t.text(r, cpar).empty() ? t.text(r, cpar) : "all";
    if (parity != "all") {
      if (parity != "0" && parity != "1" && parity != "2" && parity != "3+")
        throw InputError(t.where(r, cpar) + ": parity '" + geodata::escape_cell(parity) + "'" +
                         "; expected all, 0, 1, 2 or 3+ (children ever born)");
      if (row.sex != "female")
        throw InputError(t.where(r, cpar) + ": parity " + parity + " for sex " + row.sex +
                         "; expected all (parity is given for women only)");
      const std::string state = key + '\x1f' + parity;
      if (const auto it = seen.find(state); it != seen.end())
        throw InputError(t.where(r, cz) + ": the same zone, group, sex, age and parity as data row " +
                         std::to_string(it->second + 1) + "; expected one row each");
      seen[state] = r;
      if (const auto it = merged.find(key); it != merged.end()) {
        o.rows[it->second].persons += row.persons;  // one more parity state of the cell
        continue;
      }
      merged[key] = o.rows.size();
    }
    if (const auto it = seen.find(key); it != seen.end())
      throw InputError(t.where(r, cz) + ": the same zone, group, sex and age as data row " +
                       std::to_string(it->second + 1) + "; expected one row each");
    seen[key] = r;
    o.rows.push_back(row);
  }
  // Zone totals: the row with group, sex and age `all`, else the rows of one full breakdown (e.g. every sex × age).
  o.zone_totals.assign(sc.zones.size(), 0.0);
  o.total_given.assign(sc.zones.size(), false);
  const std::size_t n_groups = sc.group_names.size(), n_ages = uz(sc.grid.n_ages);
  for (std::size_t z = 0; z < sc.zones.size(); ++z) {
    const std::string& id = sc.zones[z].id;
    const std::string name = zone_label(sc.zones[z]);
    std::map<std::string, std::pair<std::size_t, double>> patterns;  // which fields are `all` → rows, persons
    bool any = false;
    for (const auto& row : o.rows) {
      if (row.zone != id) continue;
      any = true;
      if (row.is_total()) {
        o.zone_totals[z] = row.persons;
        o.total_given[z] = true;
      }
      const std::string p = std::string(row.group == "all" ? "G" : "g") + (row.sex == "all" ? "S" : "s") +
                            (row.age == kAllAges ? "A" : "a");
      patterns[p].first += 1;
      patterns[p].second += row.persons;
    }
    if (!any)
      throw InputError(path + ", column 'zone': no rows for zone " + name + ", a zone of the projection (" +
                       std::to_string(sc.zones.size()) + " zones); expected a zone total (group, sex and age all) "
                       "or its breakdown for every zone (" + option + ", year " + std::to_string(o.year) + ")");
    const auto complete = [&](const std::string& p, std::size_t rows) {
      return rows == (p[0] == 'G' ? 1 : n_groups) * (p[1] == 'S' ? 1 : 2) * (p[2] == 'A' ? 1 : n_ages);
    };
    std::string total_from = "its row with group, sex and age all gives";
    if (!o.total_given[z]) {
      bool found = false;
      for (const auto& [p, v] : patterns)
        if (complete(p, v.first)) {
          o.zone_totals[z] = v.second;
          total_from = "its rows by " + breakdown_name(p) + " give";
          found = true;
          break;
        }
      if (!found)
        throw InputError(path + ", column 'zone': zone " + name + " has no zone total: no row with group, sex and " +
                         "age all, and its rows do not cover every group, sex or age of one breakdown (" + option +
                         ")");
    }
    // Every full breakdown must add up to the zone total: a table whose ages summed to less than its total row was
    // scored on both without a word (the total on one figure, the ages on another).
    for (const auto& [p, v] : patterns)
      if (p != "GSA" && complete(p, v.first) && !same_persons(v.second, o.zone_totals[z]))
        throw InputError(path + ", column 'population': zone " + name + ": its rows by " + breakdown_name(p) +
                         " add up to " + shortest_number(v.second) + " persons, but " + total_from + " " +
                         shortest_number(o.zone_totals[z]) + "; expected the same number (" + option + ")");
    if (!(o.zone_totals[z] > 0))
      throw InputError(path + ", column 'population': zone " + name + " has a total of 0 persons; expected more " +
                       "than 0 to score a percentage error (" + option + ")");
  }
  check_nested_rows(o, sc, path, option);  // a zone total of 0 is refused above, given or summed
  return o;
}

// Persons of the results for a cell of an observed row (sex/age `all`: summed).
double projected_cell(const Results& res, const std::string& variant, int year, const std::string& zone,
                      const std::string& group, const std::string& sex, int age) {
  double sum = 0;
  for (const char* s : {"female", "male"}) {
    if (sex != "all" && sex != s) continue;
    const std::vector<double> v = res.population(variant, year, zone, group, s);
    if (v.empty())
      throw InputError(res.dir + "/population.csv: no rows for variant " + variant + ", year " + std::to_string(year) +
                       ", zone " + zone + ", group " + group + ", sex " + s);
    for (std::size_t i = 0; i < v.size(); ++i)
      if (age == kAllAges || res.population_ages[i] == age) sum += v[i];
  }
  return sum;
}

std::string forecast_name(const std::string& variant) {
  return variant == "baseline" ? "cohortgis" : "cohortgis:" + variant;
}

// Fits to a published figure of a year after the launch (their notes in a run's assumptions), and control totals
// ([controls]) of a year from the launch to the observed year: the exam may have been seen. One warning per fit or
// set of control years, not repeated for the variants that keep the baseline's.
std::vector<std::string> look_ahead_warnings(const scenarios::ScenarioSet& set, int observed_year) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& run : set.runs)
    for (const auto& a : run.assumptions)
      if ((a.rfind(scenarios::kMortalityFitNote, 0) == 0 || a.rfind(scenarios::kFertilityFitNote, 0) == 0) &&
          seen.insert(a).second)
        out.push_back(forecast_name(run.variant) + ": " + a + " The fitted figure is of a year after the launch " +
                      "year " + std::to_string(run.base_year) + ": unless it was known then, the back-test scores a " +
                      "projection that has seen part of what it predicts (docs/cli.md, backtest).");
  // A control total holds the projection to a figure of the years it predicts: fair when it is a plan's target known
  // at the launch, the exam itself when it was taken from the observed figures (a total of 2020 fixed the 2020 error).
  for (const auto& run : set.runs) {
    if (!run.planning) continue;
    std::set<int> years;
    for (const auto& c : run.planning->controls)
      if (c.year > run.base_year && c.year <= observed_year) years.insert(c.year);
    if (years.empty()) continue;
    std::string list;
    for (int y : years) list += (list.empty() ? "" : ", ") + std::to_string(y);
    const std::string text = "control totals ([controls]) of " + list + ", after the launch year " +
                             std::to_string(run.base_year) + ": unless they were known then (a plan's target), the " +
                             "back-test scores a projection held to figures of the years it predicts (docs/cli.md, " +
                             "backtest).";
    if (seen.insert(text).second) out.push_back(forecast_name(run.variant) + ": " + text);
  }
  return out;
}

// One forecast's values: zone totals by scenario zone and a value per observed row.
struct Forecast {
  std::string name;
  std::vector<double> zone_totals;
  std::vector<double> cells;
};

void write_text(const fs::path& file, const std::string& text) {
  TextFile f(file.string());
  f.write(text);
  f.close();
}

// The exam the back-test read: the observed tables with their SHA-256, as a results file (backtest_inputs.csv) that
// the manifest then lists and seals with the others.
std::string backtest_inputs_csv(const BacktestConfig& cfg) {
  std::string csv = "role,path,sha256\n";
  for (const auto& [role, path] : {std::pair{"observed", cfg.observed}, std::pair{"earlier", cfg.earlier}}) {
    if (path.empty()) continue;
    append_csv_row(csv, {role, path, geodata::sha256_file(path)});
    // What GDAL read beside the table (a CSV's .csvt …), as a scenario's tables' companions.
    for (const std::string& side : geodata::read_companions(path))
      append_csv_row(csv, {std::string(role) + " (sidecar)", side, geodata::sha256_file(side)});
  }
  return csv;
}

// The errors by sex and age over the area (backtest_by_age.csv): for each forecast and each sex × age of the observed
// rows of group `all`, the observed and projected persons summed over the zones that gave that row, the error of the
// sums and the MAPE over those zones. Empty when the observed table has no age rows.
std::string by_age_csv(const ObservedTable& observed, const std::vector<Forecast>& forecasts) {
  struct Cell {
    std::size_t zones = 0;
    double observed = 0, projected = 0;
    std::vector<ZoneComparison> scored;  // the zones with observed persons: their MAPE by summarize_errors
  };
  static constexpr const char* kSexNames[] = {"female", "male", "all"};  // the order of the rows
  const auto sex_order = [](const std::string& sex) { return sex == "female" ? 0 : sex == "male" ? 1 : 2; };
  std::string csv;
  for (const auto& f : forecasts) {
    std::map<std::pair<int, int>, Cell> cells;  // (sex order, age) → sums
    for (std::size_t k = 0; k < observed.rows.size(); ++k) {
      const ObservedRow& r = observed.rows[k];
      if (r.group != "all" || r.age == kAllAges) continue;
      Cell& c = cells[{sex_order(r.sex), r.age}];
      ++c.zones;
      c.observed += r.persons;
      c.projected += f.cells[k];
      // A zone's cell of 0 persons has no percentage error: left out of the MAPE.
      if (r.persons > 0) c.scored.push_back({r.zone, r.persons, f.cells[k]});
    }
    if (cells.empty()) return {};
    if (csv.empty()) csv = "forecast,sex,age,zones,observed,projected,error_percent,mape_percent\n";
    for (const auto& [key, c] : cells)
      append_csv_row(
          csv, {f.name, kSexNames[key.first], std::to_string(key.second), std::to_string(c.zones),
                number_cell(c.observed), number_cell(c.projected), number_cell(error_percent(c.projected, c.observed)),
                c.scored.empty() ? std::string() : number_cell(summarize_errors(c.scored).mape_percent)});
  }
  return csv;
}

}  // namespace

BacktestSummary backtest(const BacktestConfig& cfg) {
  check_threads(cfg.run.threads, "--threads");  // as `run`: the option named, before anything is read
  if (cfg.observed.empty()) throw InputError("--observed: no table given; expected the observed population");
  const std::string data_dir = resolve_data_dir(cfg.run.data_dir);
  // A host's set (Python's backtest(ScenarioSet)) is back-tested as it is, like run() projects it; else the file.
  const scenarios::ScenarioSet* host = cfg.run.scenario_set;
  const std::string scenario_file = host ? host->file : resolve_scenario_file(cfg.run.scenario);
  // Everything is checked before the output folder is touched: bad input writes nothing.
  std::optional<scenarios::ScenarioSet> loaded;
  // Ctrl-C in a 40,000-zone load (seconds) or in the observed tables' reading.
  const geodata::ReadCancellation stoppable(cfg.run.cancel);
  if (!host)
    loaded.emplace(scenarios::load_scenario_file(
        scenario_file, data_dir, geodata::granted(cfg.run.allow_read, cfg.run.allow_db, "--allow-read", "--allow-db"),
        cfg.run.threads));
  throw_if_cancelled(cfg.run.cancel, "back-test");  // Python's Ctrl-C: each stage of seconds looks before the next
  const scenarios::ScenarioSet& set = loaded ? *loaded : *host;
  if (set.runs.empty()) throw InputError("backtest: a scenario set without runs; expected a baseline");
  const scenarios::Scenario& sc = set.runs.front();
  if (!set.outputs.population)
    throw InputError(scenario_file + ": key 'outputs.population' is false; the back-test compares population.csv, "
                     "expected true");
  const ObservedTable observed = read_observed(cfg.observed, sc, "--observed");
  if (observed.year <= sc.base_year || observed.year > sc.end_year() ||
      (observed.year - sc.base_year) % sc.grid.width_years != 0)
    throw InputError(cfg.observed + ", data row 1, column 'year': " + std::to_string(observed.year) +
                     "; expected a year the projection reaches after its launch year " + std::to_string(sc.base_year) +
                     " (" + std::to_string(sc.base_year + sc.grid.width_years) + " to " + std::to_string(sc.end_year()) +
                     " every " + std::to_string(sc.grid.width_years) + " years)");
  std::optional<ObservedTable> earlier;
  if (!cfg.earlier.empty()) {
    earlier = read_observed(cfg.earlier, sc, "--earlier");
    if (earlier->year >= sc.base_year)
      throw InputError(cfg.earlier + ", data row 1, column 'year': " + std::to_string(earlier->year) +
                       "; expected a year before the launch year " + std::to_string(sc.base_year));
  }

  throw_if_cancelled(cfg.run.cancel, "back-test");
  StagedDirectory out(cfg.run.out_dir);
  RunConfig rc = cfg.run;
  // The run writes its own finished folder inside the back-test's staging folder; its files then move up one level,
  // so the back-test's folder appears complete (run and scores) or not at all.
  const fs::path inner = out.staging() / "run";
  rc.out_dir = inner.string();
  rc.data_dir = data_dir;
  if (!host) rc.scenario = scenario_file;
  const bool report = rc.report;
  BacktestSummary summary;
  summary.run = run(rc);
  for (const auto& e : fs::directory_iterator(inner)) fs::rename(e.path(), out.staging() / e.path().filename());
  fs::remove(inner);
  summary.warnings = look_ahead_warnings(set, observed.year);
  summary.launch_year = sc.base_year;
  summary.observed_year = observed.year;
  summary.earlier_year = earlier ? earlier->year : 0;

  throw_if_cancelled(cfg.run.cancel, "back-test");
  const Results res = load_results(out.staging().string());
  const std::size_t nz = sc.zones.size();
  const auto cells_of = [&](const std::string& variant, int year) {
    Forecast f;
    for (const auto& z : sc.zones) f.zone_totals.push_back(projected_cell(res, variant, year, z.id, "all", "all", kAllAges));
    for (const auto& r : observed.rows) f.cells.push_back(projected_cell(res, variant, year, r.zone, r.group, r.sex, r.age));
    return f;
  };
  std::vector<Forecast> forecasts;
  for (const auto& v : res.meta.variants) {
    forecasts.push_back(cells_of(v, observed.year));
    forecasts.back().name = forecast_name(v);
  }
  // The benchmarks scale the launch-year population: the whole area (constant-share) or each zone (linear), so a
  // row of any breakdown gets a value.
  Forecast launch = cells_of("baseline", sc.base_year);
  std::map<std::string, std::size_t> zone_of;
  for (std::size_t z = 0; z < nz; ++z) zone_of[sc.zones[z].id] = z;
  {
    Forecast f = launch;
    f.name = "no-change";
    forecasts.push_back(f);
  }
  {
    double projected_total = 0, launch_total = 0;
    for (double v : forecasts.front().zone_totals) projected_total += v;
    for (double v : launch.zone_totals) launch_total += v;
    Forecast f;
    f.name = "constant-share";
    f.zone_totals = constant_share(launch.zone_totals, projected_total);
    for (double v : launch.cells) f.cells.push_back(launch_total > 0 ? v * projected_total / launch_total : 0.0);
    forecasts.push_back(f);
  }
  if (earlier) {
    Forecast f;
    f.name = "linear";
    f.zone_totals = linear_trend(earlier->zone_totals, earlier->year, launch.zone_totals, sc.base_year, observed.year);
    for (std::size_t k = 0; k < observed.rows.size(); ++k) {
      const std::size_t z = zone_of.at(observed.rows[k].zone);
      f.cells.push_back(launch.zone_totals[z] > 0 ? launch.cells[k] * f.zone_totals[z] / launch.zone_totals[z] : 0.0);
    }
    forecasts.push_back(f);
  }

  std::string rows_csv = "forecast,zone,group,sex,age,observed,projected,error_percent\n";
  std::string summary_csv =
      "forecast,mape_percent,malpe_percent,worst_zone,worst_error_percent,share_within_5_percent,"
      "share_within_10_percent,total_error_percent,weighted_mape_percent,median_ape_percent,rmse_persons,"
      "launch_year,observed_year\n";
  for (const auto& f : forecasts) {
    std::vector<ZoneComparison> zones;
    for (std::size_t z = 0; z < nz; ++z) {
      zones.push_back({sc.zones[z].id, observed.zone_totals[z], f.zone_totals[z]});
      append_csv_row(rows_csv, {f.name, sc.zones[z].id, "all", "all", "all", number_cell(observed.zone_totals[z]),
                                number_cell(f.zone_totals[z]),
                                number_cell(error_percent(f.zone_totals[z], observed.zone_totals[z]))});
    }
    for (std::size_t k = 0; k < observed.rows.size(); ++k) {
      const ObservedRow& r = observed.rows[k];
      if (r.is_total()) continue;  // written above
      append_csv_row(rows_csv, {f.name, r.zone, r.group, r.sex, r.age == kAllAges ? "all" : std::to_string(r.age),
                                number_cell(r.persons), number_cell(f.cells[k]),
                                number_cell(error_percent(f.cells[k], r.persons))});
    }
    const ErrorSummary s = summarize_errors(zones);
    summary.scores.push_back({f.name, s});
    append_csv_row(summary_csv,
                   {f.name, number_cell(s.mape_percent), number_cell(s.malpe_percent), s.worst_zone,
                    number_cell(s.worst_error_percent), number_cell(s.share_within_5_percent),
                    number_cell(s.share_within_10_percent), number_cell(s.total_error_percent),
                    number_cell(s.weighted_mape_percent), number_cell(s.median_ape_percent),
                    number_cell(s.rmse_persons), std::to_string(sc.base_year), std::to_string(observed.year)});
  }
  const std::string by_age = by_age_csv(observed, forecasts);
  write_text(out.staging() / "backtest.csv", rows_csv);
  write_text(out.staging() / "backtest_summary.csv", summary_csv);
  write_text(out.staging() / "backtest_inputs.csv", backtest_inputs_csv(cfg));
  if (!by_age.empty()) write_text(out.staging() / "backtest_by_age.csv", by_age);
  // The manifest lists (and seals) the back-test's files; the run drew its report before the back-test existed, and
  // drawing it again adds the error maps and the section (make_report lists what it draws).
  std::vector<std::string> added{"backtest.csv", "backtest_summary.csv", "backtest_inputs.csv"};
  if (!by_age.empty()) added.push_back("backtest_by_age.csv");
  throw_if_cancelled(cfg.run.cancel, "back-test");
  refresh_manifest(out.staging(), added);
  if (report)  // drawn again with the run's cancel: a report of thousands of zones takes seconds
    for (const auto& f : make_report(out.staging().string(), summary.run.language, true, cfg.run.cancel).figures)
      if (f.rfind("maps/backtest_", 0) == 0) added.push_back(f);
  throw_if_cancelled(cfg.run.cancel, "back-test");  // before its results are moved into place
  out.commit();
  summary.run.out_dir = out.target().string();
  summary.run.files.insert(summary.run.files.end(), added.begin(), added.end());
  return summary;
}

std::optional<ReportSection> backtest_report_section(const Results& r, Language l) {
  const fs::path dir(r.dir);
  std::error_code ec;
  if (!fs::is_regular_file(dir / "backtest_summary.csv", ec)) return std::nullopt;
  const bool zh = l == Language::zh;
  const CsvData sum = read_csv_file((dir / "backtest_summary.csv").string());
  const CsvData rows = read_csv_file((dir / "backtest.csv").string());
  ReportSection s;
  s.id = "backtest";
  s.title = zh ? "回测：预测与实际人口" : "Back-test: projected against observed population";
  // Which year is which (a summary written before the years were columns has none): the observed year, then the launch.
  const auto has = [&](const char* name) {
    return std::find(sum.header.begin(), sum.header.end(), name) != sum.header.end();
  };
  const bool has_years = has("launch_year") && has("observed_year") && !sum.rows.empty() &&
                         sum.rows[0].size() > std::max(sum.column("launch_year"), sum.column("observed_year"));
  if (has_years) {
    const std::string& launch = sum.rows[0][sum.column("launch_year")];
    const std::string& observed = sum.rows[0][sum.column("observed_year")];
    s.title +=
        zh ? "（" + observed + " 年，自 " + launch + " 年起算）" : ", " + observed + " (launched " + launch + ")";
  }
  // The header from the file's own columns: a summary written before the weighted MAPE, MedAPE and RMSE existed
  // (8 columns) is drawn with its own header.
  const std::vector<std::string> en{"forecast",        "MAPE %",           "MALPE %",           "worst zone",
                                    "its error %",     "zones within 5 %", "zones within 10 %", "area total error %",
                                    "weighted MAPE %", "MedAPE %",         "RMSE (persons)"};
  const std::vector<std::string> cn{"预测",          "MAPE %",         "MALPE %",    "误差最大的区域",  "其误差 %",
                                    "误差≤5%的区域", "误差≤10%的区域", "合计误差 %", "人口加权 MAPE %", "MedAPE %",
                                    "RMSE（人）"};
  const auto is_year = [&](std::size_t c) {
    return sum.header[c] == "launch_year" || sum.header[c] == "observed_year";
  };
  for (std::size_t c = 0; c < sum.header.size(); ++c)
    if (!is_year(c)) s.header.push_back(c < en.size() ? (zh ? cn : en)[c] : sum.header[c]);
  const auto number = [&](const std::string& text, int decimals) {
    double v = std::nan("");
    geodata::parse_number(text, v);
    return format_value(v, decimals, l);
  };
  const std::size_t cworst = sum.column("worst_zone");
  for (const auto& row : sum.rows) {
    std::vector<std::string> cells{row[0]};
    for (std::size_t c = 1; c < row.size(); ++c) {
      if (is_year(c)) continue;  // in the title
      if (c == cworst) cells.push_back(r.zone_label(row[c], l));
      else if (sum.header[c].rfind("share_", 0) == 0) {
        double v = std::nan("");
        geodata::parse_number(row[c], v);
        cells.push_back(format_value(100 * v, 0, l) + " %");
      } else
        cells.push_back(number(row[c], sum.header[c] == "rmse_persons" ? 0 : 1));
    }
    s.rows.push_back(cells);
  }
  s.note =
      zh ? "误差 = 100 ×（预测 − 实际）/ 实际，按区域常住人口总数计算；MAPE 为各区域绝对误差的简单平均，MALPE "
           "为带符号误差的平均"
           "（正值：预测偏高），人口加权 MAPE = 100 × Σ|预测 − 实际| / Σ实际（大区权重大），"
           "MedAPE 为绝对误差的中位数。"
           "基准：no-change（起算年人口不变）、constant-share（各区域保持起算年占合计的比例，乘以本预测的合计总量）、"
           "linear（起算年与更早一年的直线外推）。数字见 backtest.csv 和 backtest_summary.csv。"
         : "Error = 100 × (projected − observed) / observed, on each zone's total population; MAPE is the plain "
           "mean of the zones' absolute errors, MALPE the mean of the signed errors (positive: too high), the "
           "weighted MAPE 100 × Σ|projected − observed| / Σ observed (large zones count more), MedAPE the median "
           "of the absolute errors. "
           "Benchmarks: no-change (the launch-year population), constant-share (each zone keeps its launch-year "
           "share of the area, applied to this projection's area total), linear (the straight line through an "
           "earlier year and the launch year). The numbers are those of backtest.csv and backtest_summary.csv.";

  // Error maps: the baseline alone, and every forecast side by side with the same classes.
  const auto zones = results_zones(r);
  if (!zones) return s;
  std::vector<std::string> names;
  std::map<std::string, std::vector<double>> errors;  // forecast → by zone of results.gpkg
  const std::size_t cf = rows.column("forecast"), cz = rows.column("zone"), cg = rows.column("group"),
                    cs = rows.column("sex"), ca = rows.column("age"), ce = rows.column("error_percent");
  for (const auto& row : rows.rows) {
    if (row[cg] != "all" || row[cs] != "all" || row[ca] != "all") continue;
    auto& v = errors[row[cf]];
    if (v.empty()) {
      v.assign(zones->size(), std::nan(""));
      names.push_back(row[cf]);
    }
    const auto i = zones->find(row[cz]);
    if (!i) continue;
    double e = std::nan("");
    geodata::parse_number(row[ce], e);
    v[*i] = e;
  }
  if (names.empty()) return s;
  std::vector<std::string> labels;
  for (std::size_t i = 0; i < zones->size(); ++i) labels.push_back(r.zone_label(zones->id(i), l));
  geodata::MapStyle st;
  st.source_note = word("source_note", l);
  st.no_data_label = word("no_data", l);
  st.legend_title = zh ? "误差 %" : "error %";
  st.diverging = true;
  fs::create_directories(dir / "maps", ec);
  const std::string& first = names.front();
  st.title = (zh ? "回测误差：" : "Back-test error: ") + first;
  st.subtitle = zh ? "100 ×（预测 − 实际）/ 实际" : "100 × (projected − observed) / observed";
  if (has_years) st.subtitle += ", " + sum.rows[0][sum.column("observed_year")];
  geodata::render_choropleth(geodata::map_zones(*zones, errors[first], labels), st, geodata::ImageFormat::png,
                             (dir / "maps" / "backtest_error.png").string());
  s.figures.push_back({"maps/backtest_error.png", st.title});
  std::vector<std::vector<double>> panels;
  for (const auto& n : names) panels.push_back(errors[n]);
  st.title = zh ? "回测误差：各预测" : "Back-test error by forecast";
  geodata::render_small_multiples(geodata::map_zones(*zones, errors[first], labels), names, panels, st,
                                  geodata::ImageFormat::png, (dir / "maps" / "backtest_errors.png").string());
  s.figures.push_back({"maps/backtest_errors.png", st.title});
  return s;
}

}  // namespace cohortgis::app
