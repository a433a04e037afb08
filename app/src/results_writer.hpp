// SPDX-License-Identifier: Apache-2.0
// A ResultSink that streams each step to the CSV outputs as it arrives (nothing but running sums is kept).
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "cohortgis/engine/projection.hpp"
#include "cohortgis/scenarios/scenario.hpp"
#include "cohortgis/scenarios/scenario_file.hpp"
#include "component_selection.hpp"
#include "text_output.hpp"

namespace cohortgis {
class ParityProjection;  // cohortgis/engine/parity.hpp
}

namespace cohortgis::app {

class WrittenIndicators;  // written_indicators.hpp

struct StepTiming {
  int start_year = 0, end_year = 0;
  double compute_seconds = 0.0;  // from the previous result to this one: schedules, engine step, indicators
  double write_seconds = 0.0;
  // Written on the writer thread (RunConfig::write_thread): write_seconds overlap the next step's compute_seconds;
  // handover_seconds is what the projection spent handing the result over (waiting for the writer, copying it).
  bool overlapped = false;
  double handover_seconds = 0.0;
};

// Results of one variant's targets (targets.csv).
struct TargetOutcome {
  std::string variant, target;
  bool met = false;
  double value = 0.0, margin = 0.0;
};

// Writes every run of a scenario set into one set of files; every row carries its variant. Call begin_variant before
// each run and end_variant after it (targets are evaluated then).
class ResultsWriter : public ResultSink {
 public:
  // aggregates: the named ones plus "total", as the engine reports them. The set outlives the writer.
  ResultsWriter(const std::filesystem::path& dir, const scenarios::ScenarioSet& set,
                std::vector<ZoneAggregate> aggregates);
  ResultsWriter(const ResultsWriter&) = delete;  // unit_names_ points into its own aggregates_
  ResultsWriter& operator=(const ResultsWriter&) = delete;
  // The name of unit u in the rows written (a zone's id, then the aggregates' names): the scenario's own string.
  const std::string& unit_name(std::size_t u) const { return unit_names_[u]; }
  void begin_variant(const scenarios::Scenario& scenario);
  void end_variant();
  void base(const CohortArray& population, int year) override;
  void step(const StepResult& result) override;
  void finish();  // writes zones.csv, closes every file and reports write errors
  // false: no population.csv or components.csv (the run writes them to results.nc only).
  void set_cube_csv(bool on) { cube_csv_ = on; }
  // false: no indicators.csv (results.nc holds the same tables; RunConfig::indicators_csv). The tables still go to
  // keep_indicators' WrittenIndicators, and the targets and plan periods are the same.
  void set_indicators_csv(bool on) { indicators_csv_ = on; }
  // The components components.csv gets rows of (--components; default all). The sums behind the other files use
  // every component either way.
  void set_components(const ComponentSelection& on) { components_on_ = on; }
  // A run with parity (parity_output.hpp): population.csv splits each women's cell into the parity states 0, 1, 2,
  // 3+ by the projection's shares at the time of the row; nullptr (every row `all`) otherwise. Reset per variant.
  void set_parity(const ParityProjection* parity) { parity_ = parity; }
  // Every table of indicators.csv also to `w` (the run's report takes them from there), and its size once closed.
  void keep_indicators(WrittenIndicators* w) { written_ = w; }

  static std::vector<std::string> file_names();
  const std::vector<int>& years() const { return years_; }
  const std::vector<double>& total_population() const { return totals_; }
  const std::vector<StepTiming>& timings() const { return timings_; }
  // Another writer of the same results (results.nc) took `seconds` with the result just received: counted as that
  // step's writing, not as computing the next step.
  void add_write_seconds(double seconds);
  // The base year is handed to the writers now (the run's sink, before a writer thread or the two writers get it):
  // its writing, until the last writer is done with it, counts as the variant's first step's write_seconds, and
  // the time from begin_variant to here (the engine's set-up) as that step's compute_seconds. Without this call the
  // base year is timed from base().
  void start_base();
  const std::vector<TargetOutcome>& target_outcomes() const { return outcomes_; }
  // Whether the current variant's per-unit sums are made a block of zones at a time (checked_total): no plan period,
  // every aggregate's zones ascending. Else one UnitSums per unit and per unit and group each year.
  bool sums_by_block() const { return sums_by_block_; }
  void set_sum_block(std::size_t zones) { sum_block_ = std::max<std::size_t>(zones, 1); }  // for tests

 private:
  struct UnitSums {
    double population = 0, births = 0, deaths = 0, net_migration = 0, adjustments = 0;
    double births_female = 0, births_male = 0, person_years = 0;
    double transfers = 0;  // per group: transfers from other groups in − out (0 for all groups together)
  };
  struct PeriodState {
    bool started = false;
    std::vector<UnitSums> units;   // start population and flows so far
    std::vector<UnitSums> groups;  // the same per [unit][group]
  };
  struct PeriodResult {
    int first_year = 0, last_year = 0;
    std::vector<UnitSums> units;  // sums over the period; population = start
    std::vector<double> end;      // population at the end per unit
  };
  double period_value(const PeriodResult& p, std::size_t unit, const std::string& indicator) const;
  void write_services(const CohortArray& pop, const StepComponents* c, int year);

  static bool finite(const UnitSums& s);  // the sums check_sums requires to be finite
  void check_sums(const CohortArray& pop, const std::vector<UnitSums>& sums, int year) const;
  // Throws the error of a unit whose sums are not finite: the first cell of `pop` that is not, else the unit's sums.
  [[noreturn]] void sums_not_finite(const CohortArray& pop, std::size_t unit, int year) const;
  bool sums_by_block_for(const scenarios::Scenario& scenario) const;
  // check_sums and the "total" unit's population (returned) a block of zones at a time (sums_by_block()).
  double checked_total(const CohortArray& pop, const StepComponents* comp, int year) const;
  void write_population(const CohortArray& pop, int year);
  void append_state_key(int zone, int group, int sex);  // "zone,group,sex," of a CSV row to buf_
  void write_indicators(const IndicatorTable& table, int year, bool stocks_only);
  static void add_state(UnitSums& unit, UnitSums* group, const CohortArray& pop, const StepComponents* comp, int zone,
                        int group_index);
  static void add_sums(UnitSums& into, const UnitSums& s);
  // Per unit, and per [unit][group] when there is more than one group (else `groups` is left empty).
  void sums(const CohortArray& pop, const StepComponents* comp, std::vector<UnitSums>& units,
            std::vector<UnitSums>& groups) const;
  // The base year (c null) or a step: sums checked, plan periods tracked, populations kept, the total appended.
  void record_sums(const CohortArray& pop, const StepComponents* c, int start_year, int end_year);
  void keep_populations(const std::vector<UnitSums>& units, const std::vector<UnitSums>& groups);
  void track_periods(const std::vector<UnitSums>& end, const std::vector<UnitSums>& end_groups, int start_year,
                     int end_year);

  const scenarios::ScenarioSet& set_;
  const scenarios::Scenario* sc_ = nullptr;
  std::vector<ZoneAggregate> aggregates_;
  // The units' names as rows give them: the first run's zone ids, then the aggregates' names, read where they are
  // kept (not copied: 1.6 MB at 50,000 zones, issue #16).
  struct UnitNames {
    const std::vector<scenarios::Zone>* zones = nullptr;
    const std::vector<ZoneAggregate>* aggregates = nullptr;
    std::size_t size() const { return zones->size() + aggregates->size(); }
    const std::string& operator[](std::size_t u) const {
      return u < zones->size() ? (*zones)[u].id : (*aggregates)[u - zones->size()].name;
    }
  };
  UnitNames unit_names_;
  std::size_t total_unit_ = 0;  // the "total" aggregate
  TextFile population_, components_, indicators_, plan_periods_, plan_periods_by_group_, targets_, services_;
  // Per target of a year (set_.targets), its value in the current variant's table of that year (take_target_values).
  struct TargetValue {
    bool taken = false;           // the year's table was received
    double value = std::nan("");  // NaN: no such indicator
    std::exception_ptr error;     // the table has no such unit: thrown at end_variant
  };
  std::vector<TargetValue> target_values_;
  void take_target_values(const IndicatorTable& table, int year);
  std::vector<PeriodResult> period_results_;
  std::vector<PeriodResult> group_period_results_;  // units [unit][group]
  // Populations per unit and per [unit][group] of the last result received (the next step's start): of its sums
  // only these are read again (person-years), one double per unit instead of a UnitSums.
  std::vector<double> last_unit_populations_, last_group_populations_;
  std::vector<TargetOutcome> outcomes_;
  std::filesystem::path dir_;
  std::vector<PeriodState> periods_;
  bool sums_by_block_ = false;
  std::size_t sum_block_ = 4096;  // zones a block in checked_total (295 KB of UnitSums)
  std::vector<int> years_;
  std::vector<double> totals_;
  std::vector<StepTiming> timings_;
  std::chrono::steady_clock::time_point mark_;
  std::optional<std::chrono::steady_clock::time_point> base_start_;  // set by start_base() or base()
  double setup_seconds_ = 0.0, base_seconds_ = 0.0;                  // for the variant's first step
  std::string buf_;
  // "zone,group,sex," of every state and the age labels, escaped and formatted once per variant: a row of
  // population.csv or components.csv is otherwise three field escapes and an integer formatting.
  std::vector<std::string> state_keys_, age_texts_;
  const std::string& age_text(const CohortLayout& L, int i);
  bool cube_csv_ = true;
  bool indicators_csv_ = true;
  ComponentSelection components_on_;
  const ParityProjection* parity_ = nullptr;
  WrittenIndicators* written_ = nullptr;
  void end_persons_row(double persons, TextFile& file);  // persons, suppression flag, line end
  void flush_if_full(TextFile& file);                    // writes buf_ to `file` once it holds 1 MiB
};

}  // namespace cohortgis::app
