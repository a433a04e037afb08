// SPDX-License-Identifier: Apache-2.0
// The `cohortgis run` job: build a scenario, project it, stream the results into an output folder.
#pragma once

#include <atomic>
#include <string>
#include <vector>

namespace cohortgis::app {

struct RunConfig {
  // A scenario file (.toml), or "default": the shipped example scenarios/examples/beijing-2020/scenario.toml.
  std::string scenario = "default";
  std::string out_dir = "results";
  int threads = 0;     // 0: all cores
  bool quiet = false;  // no progress on stderr
  // Folder with census/, geo/ and wpp/. Empty: $COHORTGIS_DATA_DIR if set, else the repository's data/ folder
  // baked in at build time.
  std::string data_dir;
  std::atomic<bool>* cancel = nullptr;  // set to true (e.g. on SIGINT) to stop between steps
};

// One variant of a run (the baseline is the first).
struct VariantSummary {
  std::string name;
  std::vector<double> total_population;  // the whole area per year (RunSummary::years)
  int targets_met = 0, targets_missed = 0;
  std::vector<std::string> missed;       // names of the targets missed
};

struct RunSummary {
  std::string scenario;                 // resolved name, e.g. "beijing-2020"
  std::string scenario_file;            // the scenario file read
  std::vector<VariantSummary> variants; // baseline first
  std::string out_dir;                  // the finished output folder (absolute)
  std::string data_dir;                 // the input folder used
  int threads = 0;                      // worker threads used
  std::vector<int> years;               // base year, then the end year of every step
  std::vector<double> total_population; // the whole area ("total" aggregate) per year
  std::vector<std::string> files;       // file names inside out_dir
  double seconds = 0.0;                 // wall-clock time of the run
};

// The data folder RunConfig::data_dir resolves to.
std::string resolve_data_dir(const std::string& configured);
// The scenario file RunConfig::scenario names ("default" → the shipped Beijing example).
std::string resolve_scenario_file(const std::string& scenario);

// What `cohortgis validate` reports about a scenario file that loaded without errors.
struct ValidationSummary {
  std::string scenario, file;
  int zones = 0, groups = 0, base_year = 0, end_year = 0, step_years = 0, targets = 0, services = 0;
  double base_population = 0.0;
  std::vector<std::string> variants;  // baseline first
  std::vector<std::string> inputs;    // tables read
};
// Loads and checks a scenario file (every table it names is read) without projecting. Throws InputError.
ValidationSummary validate(const std::string& scenario, const std::string& data_dir = {});

// Runs the job. Outputs are written to a sibling temporary folder and renamed to out_dir only when complete, so a
// failed run leaves a previous out_dir as it was. An existing out_dir is replaced only if it is empty or holds a
// manifest.json (a previous run's results). Throws InputError / ProjectionError for bad input (including an
// unknown scenario name), other exceptions for internal errors.
RunSummary run(const RunConfig& config);

}  // namespace cohortgis::app
