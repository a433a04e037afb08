// SPDX-License-Identifier: Apache-2.0
// A scenario: everything a projection run needs besides run options (threads, output folder).
// Builders (the embedded default here, a scenario-file loader later) fill the same struct.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "cohortgis/engine/cohort_array.hpp"
#include "cohortgis/engine/indicators.hpp"
#include "cohortgis/engine/projection.hpp"
#include "cohortgis/scenarios/parity_inputs.hpp"
#include "cohortgis/scenarios/sparse_text.hpp"

namespace cohortgis::scenarios {

struct Zone {
  std::string id;        // as written in outputs (e.g. the GB/T 2260 district code)
  std::string name;      // local name (e.g. 东城区)
  SparseText name_en;    // may be empty (most are: one pointer each, not a string)
  SparseText parent{};   // the unit it belongs to (e.g. its district), a control-total zone set; may be empty
};

// A planning period in calendar years, inclusive (docs/ccmpp.md Part C): "2021–2025" starts with the end-2020
// population and ends with the end-2025 population. Its bounds must fall on step boundaries.
struct PlanPeriod {
  int first_year = 0;
  int last_year = 0;
  std::string plan;           // e.g. "14th Five-Year Plan"; may be empty
  std::string label() const;  // "2021-2025" (or "2021" for a one-year period)
};

struct InputFile {
  std::string role;      // what the scenario takes from it
  std::string path;      // as opened
  std::string relative;  // relative to the data folder (stable across machines, for manifests)
};

// Where a scenario file's net migration rates come from (`[migration] net_rate`): a rate may be any finite number,
// as ccmppWPP takes them (M = r · P), so only the run finds that one grew a population past the largest double; its
// message then names the table row (app/src/results_writer.cpp). Per zone, the row of the zone's largest rate.
struct NetRateRows {
  struct Largest {
    double per_step = 0.0;  // the rate as the schedules hold it (persons per person over the step); 0: no row
    std::size_t cell = 0;   // its cell of the schedules (CohortLayout::index)
    std::size_t row = 0;    // into `where`
  };
  std::vector<Largest> by_zone;    // one per zone
  std::vector<std::string> where;  // "sc.toml:27:12: key 'migration.net_rate': m.csv, …, data row 1 (…), column …"
};

struct Scenario {
  std::string name;      // e.g. "beijing-2020"
  std::string title;     // one line
  std::string title_en;  // the title in English reports and maps ([scenario] title_en); empty: title
  std::string language;  // of maps and report: "zh" or "en"; empty: guessed from the title and zone names
  std::string variant = "baseline";
  std::string variant_title, variant_title_en;  // [[variants]] title / title_en for reports; empty: the name
  std::vector<std::string> assumptions;         // plain-language statements for manifests and documentation
  std::vector<InputFile> inputs;

  AgeGrid grid = AgeGrid::five_year(85);
  int base_year = 2020;  // the base population is the end of this year
  int steps = 0;
  std::vector<Zone> zones;
  std::vector<std::string> group_names;
  CohortArray base_population;            // [zone][group][sex][age]
  std::vector<ZoneAggregate> aggregates;  // named aggregates; the engine adds "total" (whole area)
  // [geography] aggregates' `title` / `title_en` by aggregate name (reports and figures; "" where not given): an
  // aggregate without one is named by its name.
  std::map<std::string, std::pair<std::string, std::string>> aggregate_titles;
  // `[outputs] indicators`: built-in indicators asked for by name (optional_indicator), after the standard columns
  // of every indicator table (the base year's too).
  std::vector<AgeBand> indicator_bands;
  std::vector<PlanPeriod> plan_periods;
  MigrationTiming migration_timing = MigrationTiming::even;
  FlowPolicy flow_policy = FlowPolicy::conserve;
  // [projection] method and multistate_open_age (engine/multistate.hpp).
  ProjectionMethod method = ProjectionMethod::flows;
  OpenAgeSurvivors multistate_open_age = OpenAgeSurvivors::keep;
  LifeTableMethod life_table_method;
  // Schedules of step k are schedules[k]; a single entry holds for every step.
  std::vector<StepSchedules> schedules;
  // Optional: schedules that depend on the population at the start of the step (yearly quotas, gravity OD rates,
  // relocation programmes). Called after the step's fixed schedules are copied in. The engine's ScheduleProvider
  // is not given the population, so the run passes it on (see schedule_provider below). It must leave the mortality
  // rows alone: the provider keeps them from one step to the next when they do not change (and says so to the engine).
  std::function<void(const StepContext&, const CohortArray& start, StepSchedules&)> adjust_schedules;
  // The same for a trajectory of a probabilistic projection: the fixed OD rates out of zone o (by pair or by cell,
  // not gravity's) are multiplied by od_multiplier[o], the zone's migration multiplier (scenarios/README.md
  // "Probabilistic projections"). Scenario files set it with adjust_schedules.
  std::function<void(const StepContext&, const CohortArray& start, StepSchedules&,
                     std::span<const double> od_multiplier)>
      adjust_schedules_scaled;
  // Women by parity and parity-specific fertility ([fertility] parity_rates); null without. The run then sets each
  // step's ASFR from the parity states (engine/parity.hpp).
  std::shared_ptr<const ParityInputs> parity;

  // Control totals, capacity and headship rates ([controls], [capacity], [households]); null when none are given.
  std::shared_ptr<const PlanningSpec> planning;

  // The rows of `[migration] net_rate` (NetRateRows); null without it (and for rates set from Python).
  std::shared_ptr<const NetRateRows> net_rate_rows;

  int end_year() const { return base_year + steps * grid.width_years; }
  std::vector<std::string> zone_ids() const;
  // Checks sizes, that plan periods fall on step boundaries, the names (check_names below) and the base population
  // (every cell finite, >= 0 and at most kMaxCellPersons; errors name the zone, group, sex and age); throws
  // InputError. Scenario files and Python-built scenarios both go through it.
  void validate() const;
  // The base year from 1 to 9999 and steps ≥ 0 that end by 9999 (a scenario file allows 1800–2300 and 300 years;
  // Python may set any int: 2^31 − 1 overflowed end_year, a million steps ran five million years); throws
  // InputError. Part of validate(); called before anything is sized by the number of steps.
  void check_years() const;
  // Engine configuration without run options (threads, progress, cancel).
  ProjectionConfig projection_config() const;
  // The fixed schedules of a step (schedules[step], or the one entry that holds for every step), by reference: a
  // run without adjust_schedules or parity hands them to the engine as they are (Projection::run_shared).
  const StepSchedules& step_schedules(int step) const;
  // Copies the step's schedules into the engine's buffer. The scenario must outlive the provider.
  ScheduleProvider schedule_provider() const;
  // The same, then adjust_schedules with *start_population (kept up to date by the caller: the base population,
  // then each step's end population, as Projection::population() is). Both must outlive the provider. A step whose
  // mortality rows equal the last step's (the steps of a five-year period) keeps those already in the engine's
  // buffer and sets StepSchedules::mortality_unchanged, so the engine reuses its life tables: a wrapper around this
  // provider that changes the mortality rows must clear that hint. One run at a time per provider (it remembers
  // what it copied last; a new run's first step copies everything again).
  ScheduleProvider schedule_provider(const CohortArray* const* start_population) const;
};

// What to check first when the population of `zone` (-1: of an aggregate) overflowed: "" or "the net migration rates
// reach 1e+300 persons per person over a step in zone 'A' (sc.toml:27:12: key 'migration.net_rate': m.csv, …, data
// row 1 (…), column 'value')": the zone's largest rate of `net_rate_rows`, else the largest of any zone (migrants
// move between zones), while the scenario's schedules still hold it (Python may have set others).
std::string net_rate_row_behind(const Scenario& sc, int zone);

// The largest number of persons one base-population cell (zone, group, sex, age) may hold: above any real
// population, and far enough below the largest double that no sum the results writer forms can overflow.
inline constexpr double kMaxCellPersons = 1e12;

// Names that become CSV keys and file names. Zone ids, group names, aggregate names and variant names must be
// non-empty, free of control characters and unique in their kind; a zone id may not be "total" (the whole area in
// indicators.csv) nor an aggregate's name, a group may not be called "all" (all groups), an aggregate not "total".
// Scenario::validate checks a run's own names; validate_runs checks a set of runs: each run, a baseline named
// "baseline" first and the variants' names (non-empty, unique, not "baseline"). Throw InputError.
void check_name(const std::string& name, const std::string& what);
void validate_runs(const std::vector<Scenario>& runs);
// "" when no two zone ids read alike; else 'zone ids "Café" (zone 2) and "Café" (zone 3) read alike: they differ only
// in Unicode normalisation (…); expected distinct ids …' (geodata::twin_difference): ids are compared byte for byte,
// and two such zones would print alike in every message and output.
std::string zone_id_twins(const std::vector<Zone>& zones);

inline constexpr const char* kDefaultScenarioName = "beijing-2020";

// Builds a scenario by name: "beijing-2020-embedded" (the scenario built in C++, kept as a reference for the shipped
// file scenarios/examples/beijing-2020/scenario.toml); anything else throws InputError. Scenario files and
// "default" are loaded with load_scenario_file (scenario_file.hpp).
// data_dir: the folder holding census/, geo/ and wpp/.
Scenario build_scenario(const std::string& name, const std::string& data_dir);

// The embedded default scenario (see scenarios/beijing-2020.md).
Scenario beijing_2020(const std::string& data_dir);

}  // namespace cohortgis::scenarios
