// SPDX-License-Identifier: Apache-2.0
// The scenario-file loader's shared build context (private to scenarios/src): how a run's sections are looked up
// (baseline, then a variant's overrides), the indexes of zones and groups, and the per-section readers and builders
// that scenario_file.cpp calls in order. One file per section: read_geography.cpp, read_base_population.cpp,
// build_fertility.cpp, build_mortality.cpp, build_migration.cpp, read_plan.cpp.
#pragma once

#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/geodata/text_encoding.hpp"
#include "cohortgis/scenarios/records.hpp"
#include "cohortgis/scenarios/scenario_file.hpp"
#include "shared_steps.hpp"
#include "toml_doc.hpp"

namespace cohortgis::scenarios::detail {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Indicators a period target may use: the columns of plan_periods.csv.
inline const std::vector<std::string> kPeriodIndicators = {
    "population_start", "population_end", "births", "deaths", "net_migration", "births_per_year", "deaths_per_year",
    "net_migration_per_year", "cbr_per_1000", "cdr_per_1000", "natural_growth_per_1000", "growth_rate_percent",
    "srb_per_100_females"};

// The assumption sections a variant may override. Tables merge key by key; arrays are replaced whole.
inline constexpr std::string_view kTableSections[] = {"fertility", "mortality", "migration", "controls", "capacity",
                                                      "households"};
inline constexpr std::string_view kArraySections[] = {"relocation", "transitions", "newborn"};

// Looks a key up in the variant's section first, then in the baseline's.
struct Layer {
  const toml::table* base = nullptr;
  const toml::table* over = nullptr;
  std::string over_prefix;  // e.g. "variants[1]"

  const toml::table* section(const toml::table* t, std::string_view s) const {
    if (!t) return nullptr;
    const toml::node* n = t->get(s);
    return n ? n->as_table() : nullptr;
  }
  // (node, key name for messages)
  std::pair<const toml::node*, std::string> get(std::string_view sec, std::string_view key) const {
    if (const toml::table* o = section(over, sec); o && o->get(key)) {
      // `key = false` in a variant switches the baseline's key off (e.g. its net migration table); no key that a
      // variant can override takes a boolean.
      if (const toml::value<bool>* off = o->get(key)->as_boolean(); off && !off->get())
        return {nullptr, over_prefix + "." + std::string(sec) + "." + std::string(key)};
      return {o->get(key), over_prefix + "." + std::string(sec) + "." + std::string(key)};
    }
    if (const toml::table* b = section(base, sec); b && b->get(key))
      return {b->get(key), std::string(sec) + "." + std::string(key)};
    return {nullptr, std::string(sec) + "." + std::string(key)};
  }
  // Checks the keys of the section in both tables, a variant's named with its prefix (variants[1].fertility.tfx).
  // A section that is not a table (`migration = 5`, `[[migration]]`) is refused: section() passes it over, so an
  // optional one was ignored without a word (hostile probe of round 24).
  void allow(const Doc& doc, std::string_view sec, std::initializer_list<std::string_view> keys) const {
    if (const toml::node* n = base ? base->get(sec) : nullptr)
      doc.allow(doc.table(*n, std::string(sec)), std::string(sec), keys);
    if (const toml::node* n = over ? over->get(sec) : nullptr) {
      const std::string key = over_prefix + "." + std::string(sec);
      doc.allow(doc.table(*n, key), key, keys);
    }
  }
  std::pair<const toml::node*, std::string> array(std::string_view sec) const {
    if (over && over->get(sec)) return {over->get(sec), over_prefix + "." + std::string(sec)};
    if (base && base->get(sec)) return {base->get(sec), std::string(sec)};
    return {nullptr, std::string(sec)};
  }
};

// Shared context of one run being built.
struct Build {
  Build(const Doc& d, Scenario& s) : doc(d), sc(s) {}
  const Doc& doc;
  Scenario& sc;
  int Z = 0, G = 0, A = 0, rows = 0, z = 5, steps = 0;
  int base_year = 0, horizon = 0;
  // Hashed: every row of a schedule table looks its zone up (millions of rows at thousands of zones).
  std::unordered_map<std::string, int> zone_index, group_index;
  // Zone centroids (longitude, latitude) from [geography.source], in zone order; empty without a source.
  std::shared_ptr<const std::vector<geodata::XY>> centroids_lonlat;
  // What `[base_population] records` gave (read_records.cpp); null without a register.
  std::shared_ptr<const RecordsSummary> records;
  // What `[registers]` gave (read_event_registers.cpp); null without it.
  std::shared_ptr<const EventRegisters> events;
  // Death rates and ASFR that are the same bits in every zone held once for every zone as they are built
  // (NationalSchedules::once, shared_steps.hpp ZoneBlocksOnce); written out after the run's build where its engine
  // would not read them so (engine_reads_schedules_as_given).
  bool schedules_once = false;

  int zone(const toml::node& n, const std::string& key) const {
    const std::string id = doc.string(n, key);
    auto it = zone_index.find(id);
    if (it == zone_index.end())
      doc.fail(&n, key, "expected a zone id of the geography, got \"" + escape_cell(id) + "\"" + zone_twin_hint(id));
    return it->second;
  }
  // For a cell that names no zone, what the geography has that reads alike (ids are compared byte for byte, never
  // trimmed): "; the geography's zone is "110101", without the spaces around "110101 ": …" (also U+00A0, U+3000), or
  // "; the geography's zone "Café" reads alike: they differ only in Unicode normalisation (…)"; else "".
  std::string zone_twin_hint(const std::string& cell) const;
  int group(const toml::node& n, const std::string& key) const {
    const std::string g = doc.string(n, key);
    auto it = group_index.find(g);
    if (it == group_index.end()) {
      std::string list;
      for (const auto& name : sc.group_names) list += (list.empty() ? "" : ", ") + name;
      doc.fail(&n, key, "expected a population group (" + list + "), got \"" + g + "\"");
    }
    return it->second;
  }
  int step_first_year(int k) const { return base_year + k * z + 1; }
  int step_last_year(int k) const { return base_year + (k + 1) * z; }
  // Age index of an age on the grid (exact group start), or -1.
  int age_index(int age) const {
    if (age < 0 || age % z != 0 || age / z >= A) return -1;
    return age / z;
  }
  // Age index of a row of persons or migrant counts: as age_index, and a row past the open age w (a multiple of z)
  // belongs to the open group, whose value is the sum of the rows from w on (the UN's tables run to 130+ while a
  // projection may stop at 100+; scenarios/README.md "Rows past the open age").
  int age_index_folded(int age) const {
    if (age >= 0 && age % z == 0 && age / z >= A) return A - 1;
    return age_index(age);
  }
  // The zone (or group) of a table row: −1 when the table has no such column (the row applies to all), else the
  // index; an unknown id is an error naming the file, row and column. An empty group cell with one group is "all";
  // with every_if_empty (schedule, standard and factor tables: scenarios/README.md "Group cells") it is "all" with
  // any number of groups, and the callers let a row naming a group take precedence for that group.
  int zone_of_row(const Rows& t, std::size_t r, const toml::node* n, const std::string& key) const;
  int group_of_row(const Rows& t, std::size_t r, const toml::node* n, const std::string& key,
                   bool every_if_empty = false) const;
};


inline int sex_of(const Doc& doc, const Rows& t, std::size_t r, const std::string& key) {
  static const std::string kSex = "sex";  // not a string built per row
  const std::string& s = t.text(r, kSex);
  if (s == "female" || s == "f" || s == "F") return 0;
  if (s == "male" || s == "m" || s == "M") return 1;
  doc.fail(t.ref.node, key, t.where(r, kSex) + ": expected female or male, got \"" + escape_cell(s) + "\"");
}

inline int whole_number(const Doc& doc, const Rows& t, std::size_t r, const std::string& col, const std::string& key) {
  try {
    return col == "age" ? t.whole(r, col, 0, 150, "a whole age") : t.whole(r, col, -1000000, 1000000, "a whole number");
  } catch (const InputError& e) {
    doc.fail(t.ref.node, key, e.what());
  }
}

// Population-dependent schedules of a run (relocation, quotas, gravity OD), applied per step by make_adjuster.
struct Dynamic {
  struct Reloc {
    Relocation r;
    std::vector<double> profile;  // [sex][age]; empty: by the origin's start population
  };
  struct Quota {
    int from = 0, to = 0, from_age = 0, to_age = -1;
    double per_year = 0;
    int first_year = 0, last_year = 0;
  };
  struct Gravity {
    int group = -1;
    std::vector<double> out_rate;   // [zone]
    std::vector<double> distance;   // [o][d]
    double beta = 1.0, gamma = 2.0;
  };
  std::vector<Reloc> relocations;
  std::vector<Quota> quotas;
  std::optional<Gravity> gravity;
  std::vector<OdFlow> od_static;
  std::vector<double> od_profile;
  bool od_profile_as_given = false;  // a multiplier table: rates not rescaled to keep each pair's overall rate
  // OD rates that change by year: the pair flows of each step (replaces od_static when not empty).
  std::vector<std::vector<OdFlow>> od_by_step;
  // OD rates by sex and age of a pair, per step: X = z · rate · P_origin at the start, carried as equal external
  // out- and in-flows of the two zones.
  struct CellRate {
    int origin = 0, destination = 0, group = -1, sex = 0, age = 0;
    double rate_per_year = 0.0;
  };
  std::vector<std::vector<CellRate>> od_cells_by_step;
  // OD counts by pair and cell, persons over each step (od.counts); checked against the origin's start population.
  struct CellCount {
    int origin = 0, destination = 0, group = 0, sex = 0, age = 0;
    double persons = 0.0;
  };
  std::vector<std::vector<CellCount>> od_counts_by_step;
  bool any() const {
    return !relocations.empty() || !quotas.empty() || gravity || !od_by_step.empty() || !od_cells_by_step.empty() ||
           !od_counts_by_step.empty();
  }
};

// ---- per-section readers and builders (one file each) ----
geodata::Zones read_zone_source(const Doc& doc, const toml::node& sn, ScenarioSet& set);
void read_geography(const Doc& doc, const toml::table& root, Scenario& sc, ScenarioSet& set,
                    std::shared_ptr<const std::vector<geodata::XY>>& centroids_lonlat);
void read_projection(const Doc& doc, const toml::table& root, Scenario& sc);
// [projection] method and multistate_open_age (read_multistate.cpp); p is [projection].
void read_projection_method(const Doc& doc, const toml::table& p, Scenario& sc);
// With method = "multistate": refuses, by key, the migration forms that have no multistate meaning.
void check_multistate_forms(const Build& b, const Layer& L);
// Why a transition rate (per person per year) cannot be used by the multistate step of z-year steps.
std::string multistate_rate_problem(double rate_per_year, int z);
void read_base_population(const Doc& doc, const toml::table& root, Build& b);
// `[base_population] format = "netcdf"` (read_population_netcdf.cpp): the cube at `tn` into `out`.
void read_population_netcdf(const Doc& doc, const Build& b, const toml::node& tn, const std::string& key,
                            CohortArray& out);
// `[base_population] records = …` (t is [base_population]); fills b.sc.base_population and b.records.
void read_records(const Doc& doc, const toml::table& root, const toml::table& t, Build& b);
// `[registers]` (births and deaths, one row per event); fills b.events. After the base population.
void read_event_registers(const Doc& doc, const toml::table& root, Build& b);
std::vector<double> profile_shares(const Build& b, const toml::node* n, const std::string& key, double female_share);
std::vector<double> population_shares(const CohortArray& pop, int zone, int group);
int years_in_step(int first, int last, int step_first, int step_last);
// [fertility] parity_rates and parity_base (build_parity.cpp): sets Scenario::parity, or nothing without them.
void build_parity(const Build& b, const Layer& L);
// [fertility] fit = { cbr_per_1000 | births, year }: what build_fertility read, for fit_fertility_in_projection.
struct FertilityFitSpec {
  const toml::node* node = nullptr;  // for messages
  std::string key;                   // e.g. "fertility.fit"
  bool per_1000 = true;              // cbr_per_1000 (else births per year)
  double target = 0;
  int year = 0;
  double start_level = 1;  // the factor on the schedules from the base population's women (already applied)
};
// Returns the fit when [fertility] fit is given; the schedules then hold its start level.
std::optional<FertilityFitSpec> build_fertility(const Build& b, const Layer& L, std::vector<StepSchedules>& steps,
                                                FoldedSteps& folded);
// Rescales every step's ASFR of the built run `sc` so that the projection's own figure of the fitted year (its crude
// birth rate per person-year, or births per year, of the first step, as indicators.csv gives them) equals the target
// (fit_fertility_in_projection.cpp); adds the fit's note to the run's assumptions.
void fit_fertility_in_projection(const Doc& doc, const FertilityFitSpec& fit, Scenario& sc);
void build_mortality(const Build& b, const Layer& L, std::vector<StepSchedules>& steps, FoldedSteps& folded);
void build_migration(const Build& b, const Layer& L, std::vector<StepSchedules>& steps, Dynamic& dyn);
void build_relocations(const Build& b, const Layer& L, Dynamic& dyn, std::vector<Relocation>& out);
void build_transitions(const Build& b, const Layer& L, std::vector<StepSchedules>& steps, Dynamic& dyn);
// The last argument: the origin zones' multipliers of the fixed OD rates (empty: as given).
std::function<void(const StepContext&, const CohortArray&, StepSchedules&, std::span<const double>)> make_adjuster(
    const Build& b, Dynamic dyn);
void read_plan(const Doc& doc, const toml::table& root, Scenario& sc);
void read_targets(const Doc& doc, const toml::table& root, const Scenario& sc, ScenarioSet& set);
// [stochastic] (read_stochastic.cpp).
void read_stochastic(const Doc& doc, const toml::table& root, const Scenario& sc, StochasticSpec& out);
// Lee–Carter deviations and e0 trajectories move death rates: refused when a run gives mortality in another form.
void check_stochastic_mortality(const Doc& doc, const toml::table& root, const ScenarioSet& set);
void read_services(const Doc& doc, const toml::table& root, const Build& b, ScenarioSet& set);
// [controls], [capacity], [households] (read_planning.cpp), a variant's keys over the baseline's: sets b.sc.planning.
void read_planning(const Build& b, const Layer& L);
// [monitoring] (read_monitoring.cpp): published figures to set beside the projection.
void read_monitoring(const Doc& doc, const toml::table& root, ScenarioSet& set);

}  // namespace cohortgis::scenarios::detail
