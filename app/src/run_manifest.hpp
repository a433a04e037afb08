// SPDX-License-Identifier: Apache-2.0
// manifest.json of a run's results folder (run.cpp): the scenario and its variants, the inputs with their SHA-256,
// the projection's layout, the conventions of the files, the timings, then (output_dir.hpp) the list of files and
// the seal.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "cohortgis/app/language.hpp"
#include "cohortgis/engine/projection.hpp"
#include "cohortgis/scenarios/scenario.hpp"
#include "output_dir.hpp"
#include "results_writer.hpp"

namespace cohortgis::app {

struct InputHash {
  std::string role, path, sha256, opened;  // opened: the absolute path read (for re-checks)
};

struct ManifestExtras {
  std::vector<const scenarios::Scenario*> runs;  // the runs done, baseline first
  Language language = Language::en;
  std::string zones_source, maps_note;
  std::string scenario_note;  // scenario.note (RunConfig::scenario_note); not written when empty
  // Phases of the run (manifest.json "timings"): reading the scenario and opening the outputs; from the last step
  // to the report (closing results files, the other outputs); the report and its figures.
  double load_seconds = 0.0, finish_seconds = 0.0, report_seconds = 0.0;
  // Files listed without their SHA-256 (list_result_files): results.nc in the manifest that the report reads, while
  // it is hashed on another thread.
  std::vector<std::string> unhashed;
  // The per-cell components written (manifest.json "components"; --components, none with [outputs] components =
  // false).
  std::vector<std::string> components;
  // Where the report took the indicators from: "memory", "results.nc" or "indicators.csv" (written_indicators.hpp);
  // empty without a report.
  std::string report_indicators;
  // A probabilistic run's ensemble (manifest.json "ensemble"): its size and seed, which the outputs depend on and
  // the command line may set (--trajectories, --seed) apart from the scenario file; 0 trajectories: none.
  long long trajectories = 0;
  std::uint64_t seed = 0;
};

// manifest.json of a results folder: the run's description, then (output_dir.hpp) the marker, the list of files with
// their sizes and SHA-256, and the seal.
std::vector<ListedFile> write_run_manifest(const std::filesystem::path& dir, const scenarios::ScenarioSet& set,
                                           const std::vector<ZoneAggregate>& aggregates,
                                           const std::vector<InputHash>& inputs, const std::string& data_dir,
                                           const std::string& started, int threads_requested, int threads,
                                           const std::vector<StepTiming>& timings, double total_seconds,
                                           const ManifestExtras& extras);

}  // namespace cohortgis::app
