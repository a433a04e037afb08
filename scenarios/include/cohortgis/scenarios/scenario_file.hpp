// SPDX-License-Identifier: Apache-2.0
// Scenario files (TOML, read with toml++): one file describes the baseline, its variants, plan periods, targets and
// service norms. The format is documented in scenarios/README.md. A scenario file is data only: no code runs, no
// network is used, and every table is a local path (relative to the file, or "data:…" for the data folder) inside
// the folders it may read (scenarios/README.md "Where inputs may come from").
// Errors are InputError "FILE:LINE:COLUMN: key 'a.b': expected …, got …".
#pragma once

#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cohortgis/geodata/read_policy.hpp"
#include "cohortgis/geodata/zones.hpp"
#include "cohortgis/scenarios/models.hpp"
#include "cohortgis/scenarios/monitoring_spec.hpp"
#include "cohortgis/scenarios/output_components.hpp"
#include "cohortgis/scenarios/records.hpp"
#include "cohortgis/scenarios/scenario.hpp"
#include "cohortgis/scenarios/stochastic.hpp"

namespace cohortgis::scenarios {

// A plan target, e.g. "resident population of the whole area ≤ 8,500,000 at the end of 2015".
struct Target {
  std::string name;
  std::string indicator;              // an engine indicator (indicators.csv) or, for periods, a plan_periods.csv column
  std::string unit = "total";         // zone id, aggregate name or "total"
  std::string group = "all";          // group name or "all"
  int year = 0;                       // a year of the projection (0 when `period` is used)
  int first_year = 0, last_year = 0;  // a period (inclusive), when year == 0
  std::optional<double> min, max;
  std::vector<std::string> variants;  // empty: every variant
  std::string where;                  // "file:line:column" of the target, for messages
  std::string period_label() const;   // "2011-2015" or the year
};

// A service norm: demand = persons in an age band × places per person (× enrolment), or births per year × rate.
struct ServiceNorm {
  std::string name;
  bool per_births = false;        // basis: births per year (e.g. maternity beds per 1000 births)
  int from_age = 0, to_age = -1;  // basis: persons aged from_age … to_age (to_age < 0: open-ended)
  int group = -1;                 // basis: persons (or births) of this group of projection.groups; -1: every group
  double per_person = 0.0;        // places per person of the basis (per-1000 norms are divided by 1000)
  // A norm that changes over the years: places per person in year Y = per_person × per_person_path.at(Y)
  // (linear between the given years, constant outside); empty: per_person every year.
  std::optional<YearPath> per_person_path;
  double per_person_in(int year) const { return per_person_path ? per_person * per_person_path->at(year) : per_person; }
  std::vector<double> capacity;  // [zone]; NaN where not given; empty: no capacity given
  double total_capacity = std::numeric_limits<double>::quiet_NaN();  // whole area, when given as one number
};

// A relocation programme (e.g. 疏解 of a central district): persons_per_year from one zone to another over the
// years first_year … last_year, by an age–sex profile; run as external out-flows from `from` and equal external
// in-flows to `to` in the same step, so the books balance exactly.
struct Relocation {
  std::string name;
  int from = 0, to = 0, group = 0;
  double persons_per_year = 0.0;
  int first_year = 0, last_year = 0;
};

struct OutputOptions {
  bool population = true;
  // `components`: true (every component, the default), false (none) or a list of names (output_components.hpp)
  // — the per-cell components written to components.csv and results.nc. `cohortgis run --components` and Python
  // `write_outputs(components=…)` override it.
  ComponentSelection components;
  // `min_cell`: published counts by person below this (and above 0) are suppressed: written empty, flagged in a
  // `suppressed` column (docs/results.md "Small cells"). 0: nothing suppressed.
  int min_cell = 0;
};

// What a scenario file gives: the baseline and each variant as complete scenarios (same zones, groups, grid and
// years), and the plan reporting that applies to all of them.
struct ScenarioSet {
  std::string file;            // the scenario file as opened
  std::vector<Scenario> runs;  // runs[0] is the baseline ("baseline"), then the variants in file order
  std::vector<Target> targets;
  std::vector<ServiceNorm> services;
  std::vector<std::vector<Relocation>> relocations;  // per run
  OutputOptions outputs;
  // [geography.source]: the zones' GDAL source (path, layer, id/name/parent fields); zones_source.path is empty
  // when not given. When given, the loader opens it (geodata::load_zones), checks that its ids are the scenario's
  // zones, and a gravity model without a distance table uses its centroids. Maps and results.gpkg draw it.
  geodata::ZoneSource zones_source;
  std::string zones_source_path, zones_source_layer;  // = zones_source.path / .layer
  // What a person-level register gave the base population (`[base_population] records`); null without one.
  std::shared_ptr<const RecordsSummary> records;
  // Events of the registers of births and deaths (`[registers]`); null without them.
  std::shared_ptr<const EventRegisters> events;
  // [stochastic]: the random deviations of an ensemble run (`cohortgis run --trajectories N`); none when not given.
  StochasticSpec stochastic;
  // [monitoring]: published figures to set beside the projection (monitoring.csv); observed empty when none.
  MonitoringSpec monitoring;

  // A copy of everything but `runs` (left empty), without copying the runs: a host's own runs go into it (Python's
  // write_outputs of a changed set). A field added above is copied here too.
  ScenarioSet without_runs() const;
};

// How the loader holds death rates and ASFR that are the same bits in every zone (a table without a zone column):
// written out for every zone (what every reader of Scenario::schedules may index by zone), or held once for every
// zone as they are read (cohortgis/engine/zone_shared_schedules.hpp) in the runs whose schedules the engine is handed
// as they are (engine_reads_schedules_as_given below) of a set that draws no trajectories ([stochastic]
// trajectories: an ensemble perturbs every zone's): `cohortgis run`, which never wrote them out for the whole run
// (app/src/national_schedules.hpp), no longer writes them out while loading either (50,000 zones: 22.8 MB, the
// loader's peak). The other runs' are written out before the loader returns. The same projection either way.
enum class NationalSchedules { every_zone, once };

// Whether a run's engine is handed its schedules as they are and reads arrays given once for every zone so
// (cohortgis/engine/zone_shared_schedules.hpp): no population-dependent schedules, no parity fertility, the flow
// method (the multistate step would write every zone's out again each step).
inline bool engine_reads_schedules_as_given(const Scenario& r) {
  return !r.adjust_schedules && !r.adjust_schedules_scaled && !r.parity && r.method == ProjectionMethod::flows;
}

// Loads and validates a scenario file; data_dir resolves "data:" paths. Reads every table it names. Every file the
// scenario names must lie (symlinks resolved) inside the scenario file's folder, data_dir, or a folder of
// allowed.roots; a database only as a service of allowed.databases (geodata/read_policy.hpp). The scenario file
// itself and the folders are trusted: they come from the command line.
// `threads`: how many threads may parse a large CSV table at once (geodata::StreamOptions; 0: every core, as
// resolve_threads says). The set is the same for any count.
ScenarioSet load_scenario_file(const std::string& path, const std::string& data_dir,
                               const geodata::ReadPolicy& allowed = {}, int threads = 1,
                               NationalSchedules national = NationalSchedules::every_zone);

// A table held in memory (e.g. a pandas DataFrame), read exactly as a file with the same columns and text cells
// would be: the same roles, checks and messages. A scenario names it as "frame:NAME".
struct MemoryTable {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;  // [row][column], text as a CSV cell would hold it
};
using MemoryTables = std::map<std::string, MemoryTable>;

// Loads a scenario from TOML text (the scenario-file format) whose tables are in `frames` ("frame:NAME") or files
// relative to `base_dir`; `label` names the text in messages ("scenario_from_frames"). The same loader and builders
// as load_scenario_file, so both accept exactly the same things and give the same bits.
ScenarioSet load_scenario_text(const std::string& text, const std::string& label, const std::string& base_dir,
                               const std::string& data_dir, const MemoryTables& frames, int threads = 1);

// The shipped example that `cohortgis run default` runs (scenarios/examples/beijing-2020/scenario.toml).
std::string default_scenario_file();
// The folder of shipped examples: $COHORTGIS_EXAMPLES_DIR if set, else an installed cohortgis's
// (<prefix>/share/cohortgis/examples), else scenarios/examples baked in at build time.
std::string examples_dir();

}  // namespace cohortgis::scenarios
