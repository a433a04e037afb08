// SPDX-License-Identifier: Apache-2.0
// A run with parity ([fertility] parity_rates): the engine's parity projection beside the step, and parity.csv, the
// family-planning indicators (births by order and their shares, TFR by order, mean age at first birth, women 49+ and
// 60+ by parity) per variant, zone or aggregate and year (docs/results.md "parity.csv").
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cohortgis/app/backtest.hpp"
#include "cohortgis/app/language.hpp"
#include "cohortgis/app/parity_indicators.hpp"
#include "cohortgis/engine/parity.hpp"
#include "cohortgis/engine/projection.hpp"
#include "cohortgis/scenarios/scenario.hpp"

namespace cohortgis::app {

// The text of parity.csv and parity_women.csv (rows of every variant, without headers).
struct ParityTables {
  int min_cell = 0;  // [outputs] min_cell: parity_women.csv suppresses counts of 1 to min_cell − 1 women
  std::string indicators, women;
  std::string long_rows;  // the same indicators as rows of indicators.csv (variant,year,zone,all,indicator,value)
};

// Forwards every result to `inner` (the results writer) after moving the parity states one step on; wrap() gives
// the schedule provider that sets each step's ASFR from the parity states.
class ParityRecorder : public ResultSink {
 public:
  ParityRecorder(const scenarios::Scenario& sc, const std::vector<ZoneAggregate>& aggregates, ResultSink& inner,
                 ParityTables& tables);
  ScheduleProvider wrap(ScheduleProvider inner);
  void base(const CohortArray& population, int year) override;
  void step(const StepResult& result) override;
  // The parity states, for population.csv's parity column (ResultsWriter::set_parity).
  const ParityProjection& projection() const { return parity_; }

 private:
  const scenarios::Scenario& sc_;
  const std::vector<ZoneAggregate>& aggregates_;
  ResultSink& inner_;
  void women_rows(int year);
  ParityTables& tables_;
  ParityProjection parity_;
};

// The header of parity.csv.
std::string parity_csv_header();
// Writes parity.csv and parity_women.csv into `dir` when a run had parity (rows not empty) and appends the parity
// indicators to its indicators.csv (group `all`); returns whether it did.
bool write_parity_csv(const std::filesystem::path& dir, const ParityTables& tables);

// The report's section "births by order" of a results folder with parity.csv (nothing without one): the whole area
// (`total`) per variant and year, in the report's language; the first cell of a row is the variant's name.
std::optional<ReportSection> parity_report_section(const std::string& dir, Language language);

}  // namespace cohortgis::app
