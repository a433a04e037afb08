// SPDX-License-Identifier: Apache-2.0
// A ResultSink that streams each step to the CSV outputs as it arrives (nothing but running sums is kept).
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "cohortgis/engine/projection.hpp"
#include "cohortgis/scenarios/scenario.hpp"
#include "text_output.hpp"

namespace cohortgis::app {

struct StepTiming {
  int start_year = 0, end_year = 0;
  double compute_seconds = 0.0;  // from the previous result to this one: schedules, engine step, indicators
  double write_seconds = 0.0;
};

class ResultsWriter : public ResultSink {
 public:
  // aggregates: the named ones plus "total", as the engine reports them.
  ResultsWriter(const std::filesystem::path& dir, const scenarios::Scenario& scenario,
                std::vector<ZoneAggregate> aggregates);
  void base(const CohortArray& population, int year) override;
  void step(const StepResult& result) override;
  void finish();  // writes zones.csv, closes every file and reports write errors

  static std::vector<std::string> file_names();
  const std::vector<int>& years() const { return years_; }
  const std::vector<double>& total_population() const { return totals_; }
  const std::vector<StepTiming>& timings() const { return timings_; }

 private:
  struct UnitSums {
    double population = 0, births = 0, deaths = 0, net_migration = 0, adjustments = 0;
  };
  struct PeriodState {
    bool started = false;
    std::vector<UnitSums> units;  // start population and flows so far
  };

  void write_population(const CohortArray& pop, int year);
  void write_indicators(const IndicatorTable& table, int year, bool stocks_only);
  std::vector<UnitSums> unit_sums(const CohortArray& pop, const StepComponents* comp) const;
  void track_periods(const std::vector<UnitSums>& end, int start_year, int end_year);

  const scenarios::Scenario& sc_;
  std::vector<ZoneAggregate> aggregates_;
  std::vector<std::string> unit_names_;
  std::size_t total_unit_ = 0;  // the "total" aggregate
  TextFile population_, components_, indicators_, plan_periods_;
  std::filesystem::path dir_;
  std::vector<PeriodState> periods_;
  std::vector<int> years_;
  std::vector<double> totals_;
  std::vector<StepTiming> timings_;
  std::chrono::steady_clock::time_point mark_;
  std::string buf_;
};

}  // namespace cohortgis::app
