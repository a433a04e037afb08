// SPDX-License-Identifier: Apache-2.0
// The `cohortgis backtest` job: run a scenario from a past launch year, set its projection for a year with observed
// figures beside them, and score it next to naive benchmarks (no-change, constant-share, linear). The scoring
// arithmetic is comparison.hpp's (shared with monitoring); this file reads the observed table and writes
// backtest.csv and backtest_summary.csv into the run's results folder (docs/results.md).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cohortgis/app/comparison.hpp"
#include "cohortgis/app/run.hpp"

namespace cohortgis::app {

struct BacktestConfig {
  // The run: scenario, out_dir, threads, variants, language, report … (as `cohortgis run`). With run.scenario_set (a
  // host's set: Python's backtest(ScenarioSet)) that set is back-tested as it is and run.scenario is not read.
  RunConfig run;
  // Observed population in the layout of population.csv (year, zone, group, sex, age, population; a variant column
  // is ignored), one year after the launch year that the projection reaches; `all` allowed for group, sex and age.
  // Every zone of the scenario must have a zone total (a row with group, sex and age `all`, or rows that cover one
  // full breakdown).
  std::string observed;
  // Optional: the zones' population in one year before the launch year, same layout, for the `linear` benchmark.
  std::string earlier;
};

struct ForecastScore {
  std::string forecast;  // "cohortgis", "cohortgis:<variant>", "no-change", "constant-share", "linear"
  ErrorSummary summary;
};

struct BacktestSummary {
  RunSummary run;
  int launch_year = 0, observed_year = 0, earlier_year = 0;  // earlier_year 0: no linear benchmark
  std::vector<ForecastScore> scores;                         // cohortgis forecasts first, then the benchmarks
  // Look-ahead the back-test cannot rule out: a level fitted to a figure of a year after the launch year (the
  // scenario's `mortality.fit`, `fertility.fit`), one line per run and fit. The command prints them on stderr.
  std::vector<std::string> warnings;
};

// Checks the observed (and earlier) tables against the scenario before anything is written, runs the scenario
// through run() into the output folder's staging area, writes backtest.csv and backtest_summary.csv next to the
// run's files (and, with a report, the error maps and the report's back-test section), then moves the folder into
// place: the output folder appears complete or not at all. Throws InputError naming file, row and column.
BacktestSummary backtest(const BacktestConfig& config);

// A section of report.html as data (report.cpp renders it): a table and figures drawn into the results folder.
struct ReportSection {
  std::string id, title, note;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  struct Image {
    std::string file, caption;  // file relative to the results folder
  };
  std::vector<Image> figures;
};

class Results;
// The report's back-test section of a results folder (nothing when it holds no backtest_summary.csv): the summary
// table and the error maps, drawn into maps/ when the folder has zone boundaries (results.gpkg).
std::optional<ReportSection> backtest_report_section(const Results& results, Language language);

}  // namespace cohortgis::app
