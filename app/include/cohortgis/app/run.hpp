// SPDX-License-Identifier: Apache-2.0
// The `cohortgis run` job: build a scenario, project it, stream the results into an output folder.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cohortgis/app/language.hpp"
#include "cohortgis/scenarios/scenario_fwd.hpp"

namespace cohortgis::app {

// Deflate level of `--compress` for results.nc (with the shuffle filter), chosen by the measurement in docs/results.md.
inline constexpr int kNetcdfCompressLevel = 1;
class EnsembleComm;  // ensemble.hpp

struct RunConfig {
  // A scenario file (.toml), or "default": the shipped example scenarios/examples/beijing-2020/scenario.toml.
  std::string scenario = "default";
  // A set loaded, and perhaps changed, by a host (Python's write_outputs(ScenarioSet)): projected and written instead
  // of loading `scenario`, with the same outputs. Not owned: it must outlive the call, and is only read (each run's
  // base population is copied into the engine, not taken). scenario_note (manifest.json's scenario.note) says where
  // the runs came from, since they may differ from the file whose inputs the manifest lists.
  const scenarios::ScenarioSet* scenario_set = nullptr;
  std::string scenario_note;
  std::string out_dir = "results";
  int threads = 0;     // 0: all cores
  bool quiet = false;  // no progress on stderr
  // Called instead of the stderr progress (quiet or not) before each run's first step (done 0) and after each step,
  // on the projecting thread: a host's own progress (Python's write_outputs(progress=...)).
  std::function<void(const std::string& variant, int done, int total)> progress;
  // Folder with census/, geo/ and wpp/. Empty: $COHORTGIS_DATA_DIR if set, else an installed cohortgis's data
  // folder (<prefix>/share/cohortgis/data, found relative to its libraries), else the repository's data/ folder
  // baked in at build time.
  std::string data_dir;
  // The input sandbox (scenarios/README.md "Where inputs may come from"): a scenario reads files only inside its
  // own folder, the data folder and these folders (--allow-read DIR), and databases only among these PostgreSQL
  // services (--allow-db NAME, names from the user's pg_service file).
  std::vector<std::string> allow_read, allow_db;
  std::atomic<bool>* cancel = nullptr;  // set to true (e.g. on SIGINT) to stop between steps
  // Variants to run besides the baseline (names from the scenario file); empty: every variant.
  std::vector<std::string> variants;
  // Language of maps, charts and the report; default: the scenario's `language`, else Chinese for a Chinese
  // scenario (zone names in Chinese).
  std::optional<Language> language;
  // results.gpkg, maps/, charts/ and report.html (false: the CSVs and manifest.json only).
  bool report = true;
  // CSVs start with a UTF-8 byte-order mark (--csv-bom), which Chinese-locale Excel needs to open them as UTF-8.
  bool csv_bom = false;
  // Where population and components go (docs/results.md "results.nc"): "csv" (population.csv, components.csv),
  // "netcdf" (results.nc) or "both"; empty: results.nc above 5 million population values, else the CSVs. With
  // "netcdf" (asked for or by size) the indicators are in results.nc only: no indicators.csv, unless indicators_csv
  // or the run appends rows to it that results.nc lacks or reads it back (parity, [households], [monitoring]).
  std::string format;
  // indicators.csv also in the netcdf format (--indicators-csv); the csv and both formats always write it.
  bool indicators_csv = false;
  // The per-cell components written (components.csv rows, results.nc variables): names as written there (births,
  // newborn_transfer_in, newborn_transfer_out, deaths, net_migration, transfer_in, transfer_out, floor_adjustment,
  // planning_adjustment), or "all" or "none" alone; empty: the scenario file's `[outputs] components` (true, false
  // or a list of the same names; default all). indicators.csv, plan_periods.csv and the report are the same
  // whatever the selection. An unknown name is an InputError listing the valid ones.
  std::vector<std::string> components;
  // results.nc: 0 uncompressed; 1–9 shuffle + deflate at that level (--compress uses 1, measured in docs/results.md).
  int compress_level = 0;
  // Each year's results are written on a writer thread while the next year is projected (async_sink.hpp); false
  // (--no-write-thread): written in line, as before. The files are the same bytes either way.
  bool write_thread = true;
  // Uncompressed results.nc: whole chunks written straight into the file (geodata/hdf5_chunks.hpp); false
  // (--no-direct-chunks): every chunk through netCDF-C and HDF5's chunk buffer. The same bytes either way.
  bool direct_chunks = true;
  // results.nc listed in manifest.json with its size and an empty SHA-256 (--no-results-nc-hash): the run does not
  // read the file back to hash it (6.75 GB at 40,000 zones over 10 years: ≈ 3.7 s of a core after the projection),
  // and `report`, `map`, `info` and `run --out` then compare its size only. The other files keep their SHA-256.
  bool hash_results_nc = true;
  // From the start of the run, freed heap memory beyond 1 MiB at an arena's top is given back to the system, for the
  // rest of the process (retained_heap.hpp: 5-6 MB less peak RSS at 50,000 zones on two threads). A process-wide
  // malloc setting: the command line sets it, a host process (Python) keeps its own unless it asks.
  bool limit_retained_heap = false;
  // After loading, PROJ's database is closed (geodata::release_proj_database: 4-5 MB less peak RSS at 50,000 zones)
  // and opened again where an output needs it. Process-wide: the command line sets it; a host process (Python), whose
  // other libraries may hold PROJ objects, does not.
  bool release_proj_database = false;
  // Probabilistic projection (ensemble.hpp): the number of trajectories and the seed; unset: the scenario's
  // [stochastic] trajectories and seed (no ensemble when it sets none). quantiles.csv and probability_met then join
  // the outputs. comm: the MPI ranks to split the trajectories across (null: this process alone).
  std::optional<long long> trajectories;
  std::optional<std::uint64_t> seed;
  // Above this many bytes of per-trajectory summary cells (N × cells × 8) a one-process ensemble keeps them in a
  // scratch file in the staging folder and computes quantiles block by block (--ensemble-memory MIB; ensemble.hpp).
  // Unset: 1 GiB. Set for a run without trajectories, an InputError (as seed), not a setting that does nothing.
  std::optional<std::size_t> ensemble_memory_bytes;
  const EnsembleComm* comm = nullptr;
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
  std::vector<std::string> files;       // file names inside out_dir (maps/… and charts/… included)
  double seconds = 0.0;                 // wall-clock time of the run
  double report_seconds = 0.0;          // of that, drawing maps and charts and writing report.html
  Language language = Language::en;     // of the maps and the report
  std::string maps_note;                // why there are no maps (no zone boundaries), or ""
  long long trajectories = 0;           // of the ensemble (0: none)
};

// For a signal watchdog thread (not a signal handler): removes the temporary folders of the runs in progress in this
// process, so that a process that must exit at once (a signal not noticed within a second) leaves nothing partial.
// A run whose folder was removed can no longer commit. A `report` redraw in progress gets its old files back. Only
// for a thread about to exit the process: a lock stays held so that no redraw is kept or restored afterwards.
void remove_runs_in_progress();

// The data folder RunConfig::data_dir resolves to.
std::string resolve_data_dir(const std::string& configured);
// resolve_data_dir, refused (InputError naming the folder, then `how` to give another) when it is not a folder: a
// missing folder was otherwise reported as the first input missing from it (the geography file).
std::string existing_data_dir(const std::string& configured, const std::string& how = "set COHORTGIS_DATA_DIR");
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
// allow_read / allow_db: as RunConfig's; threads: that parse a large CSV table at once (0: all cores).
ValidationSummary validate(const std::string& scenario, const std::string& data_dir = {},
                           const std::vector<std::string>& allow_read = {},
                           const std::vector<std::string>& allow_db = {}, int threads = 0);

// The scenario's inputs compared with those recorded in results_dir/manifest.json: one line per input whose SHA-256
// differs, that is new, or that the results used and the scenario no longer names (empty: the results are current).
// threads: as validate's (the scenario is loaded again to list its inputs; 0 = all cores).
std::vector<std::string> inputs_changed_since(const std::string& scenario, const std::string& results_dir,
                                              const std::string& data_dir = {},
                                              const std::vector<std::string>& allow_read = {},
                                              const std::vector<std::string>& allow_db = {}, int threads = 0);

// Runs the job: population.csv, components.csv, indicators.csv, plan_periods.csv, targets.csv,
// service_demand.csv, zones.csv, results.gpkg, maps/, charts/, report.html and manifest.json (docs/results.md).
// Outputs are written to a sibling temporary folder and renamed to out_dir only when complete, so a
// failed run leaves a previous out_dir as it was. An existing out_dir is replaced only if it is empty or holds a
// manifest.json (a previous run's results). Throws InputError / ProjectionError for bad input (including an
// unknown scenario name), other exceptions for internal errors.
RunSummary run(const RunConfig& config);

}  // namespace cohortgis::app
