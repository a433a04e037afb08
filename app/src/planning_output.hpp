// SPDX-License-Identifier: Apache-2.0
// What control totals, capacity and households did in each run of a scenario (engine/planning.hpp), written as
// controls.csv, capacity.csv and households.csv (docs/results.md). The per-cell adjustment itself is the component
// `planning_adjustment` of components.csv.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cohortgis/app/backtest.hpp"  // ReportSection
#include "cohortgis/app/language.hpp"
#include "cohortgis/engine/planning.hpp"
#include "cohortgis/engine/projection.hpp"
#include "cohortgis/scenarios/scenario.hpp"

namespace cohortgis::app {

class Results;

// The report's sections on control totals, capacity (where each cap binds) and households, from controls.csv,
// capacity.csv and households.csv of a results folder; none when the files are absent.
std::vector<ReportSection> planning_report_sections(const Results& results, Language language);
// The report's section on service demand (service_demand.csv, service_report.cpp): the whole area's places needed by
// each service, every variant, first and last year; none when the file is absent.
std::optional<ReportSection> service_report_section(const Results& results, Language language);

class PlanningOutputs {
 public:
  // Hooks the scenario's planning spec (if any) into the run's configuration; records the base year's households.
  void begin_variant(const scenarios::Scenario& sc, ProjectionConfig& pc);
  // Writes the files of every run into `dir` (nothing when no run had a planning spec) and, with households, appends
  // the indicators `households` and `dwellings_needed` (group "all", zones and aggregates) to its indicators.csv
  // (written and closed before); returns the names of the files written.
  std::vector<std::string> write(const std::filesystem::path& dir) const;

 private:
  struct Run {
    std::string variant;
    std::vector<std::string> zone_ids;
    std::vector<ZoneAggregate> aggregates;  // with "total"
    std::vector<std::string> groups;        // projection.groups (their households' rows of indicators.csv)
    std::shared_ptr<const PlanningSpec> spec;
    std::shared_ptr<PlanningAdjuster> adjuster;
    // Households of each group with several groups and headship rates: year → [zone × groups + group].
    std::shared_ptr<std::map<int, std::vector<double>>> group_households;
  };
  std::vector<Run> runs_;
};

}  // namespace cohortgis::app
