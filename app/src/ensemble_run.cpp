// SPDX-License-Identifier: Apache-2.0
// The ensemble part of `cohortgis run` (ensemble_run.hpp): how many trajectories, every run's ensemble, and the work
// of MPI ranks other than 0 (they compute their blocks and send them; rank 0 writes every file).
#include "ensemble_run.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "cohortgis/app/ensemble.hpp"
#include "cohortgis/app/project.hpp"
#include "cohortgis/geodata/read_policy.hpp"
#include "cohortgis/scenarios/scenario_file.hpp"

namespace cohortgis::app {

void check_trajectories(const RunConfig& cfg) {
  if (cfg.trajectories && (*cfg.trajectories < 1 || *cfg.trajectories > scenarios::kMaxTrajectories))
    throw InputError("--trajectories " + std::to_string(*cfg.trajectories) +
                     ": expected a number of trajectories from 1 to " + std::to_string(scenarios::kMaxTrajectories) +
                     " (leave it out for a deterministic run)");
}

long long ensemble_size(const RunConfig& cfg, const scenarios::ScenarioSet& set) {
  check_trajectories(cfg);
  return cfg.trajectories ? *cfg.trajectories : set.stochastic.trajectories;
}

long long run_ensembles(const std::string& dir, const scenarios::ScenarioSet& set,
                        const std::vector<const scenarios::Scenario*>& runs,
                        const std::vector<ZoneAggregate>& aggregates, const RunConfig& cfg, int threads) {
  const long long n = ensemble_size(cfg, set);
  if (n == 0) return 0;
  EnsembleOptions o;
  o.trajectories = n;
  o.seed = cfg.seed ? *cfg.seed : set.stochastic.seed;
  o.threads = threads;
  o.comm = cfg.comm;
  o.cancel = cfg.cancel;
  if (cfg.ensemble_memory_bytes) o.memory_bytes = *cfg.ensemble_memory_bytes;
  std::vector<EnsembleResult> ensembles;
  for (const scenarios::Scenario* sc : runs) {
    if (!cfg.quiet)
      std::fprintf(stderr, "cohortgis: %s: %lld trajectories (seed %llu)\n", sc->variant.c_str(), n,
                   static_cast<unsigned long long>(o.seed));
    // Scratch-file mode (ensemble.hpp): in the staging folder, one file per run, removed below before sealing.
    o.scratch_file = dir + "/ensemble-" + std::to_string(ensembles.size()) + ".scratch";
    const auto t0 = std::chrono::steady_clock::now();
    ensembles.push_back(run_ensemble(set, *sc, aggregates, o));
    // Wall time of the trajectories (with the gather from the other ranks), and what each trajectory sends to rank 0:
    // its summary cells, 8 bytes each (bench/ensemble_bench.sh reads this line).
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!cfg.quiet)
      std::fprintf(stderr,
                   "cohortgis: %s: ensemble of %lld trajectories in %.3f s (%.2f trajectories per second); %zu bytes "
                   "per trajectory to rank 0, %d rank(s)\n",
                   sc->variant.c_str(), n, secs, static_cast<double>(n) / secs,
                   ensembles.back().cells * sizeof(double), cfg.comm ? cfg.comm->size() : 1);
    if (!ensembles.back().scratch.empty() && !cfg.quiet)
      std::fprintf(stderr, "cohortgis: %s: trajectories' summary values in a scratch file (above %zu bytes)\n",
                   sc->variant.c_str(), o.memory_bytes);
  }
  write_ensemble_outputs(dir, set, ensembles);
  for (const EnsembleResult& e : ensembles)
    if (!e.scratch.empty()) std::filesystem::remove(e.scratch);
  return n;
}

RunSummary ensemble_worker(const RunConfig& cfg) {
  check_trajectories(cfg);
  const std::string data_dir = resolve_data_dir(cfg.data_dir);
  const std::string file = resolve_scenario_file(cfg.scenario);
  const scenarios::ScenarioSet set = scenarios::load_scenario_file(
      file, data_dir, geodata::granted(cfg.allow_read, cfg.allow_db, "--allow-read", "--allow-db"), cfg.threads);
  // The runs rank 0 does, in its order (project()'s selection, so that every rank's trajectories line up).
  const std::vector<const scenarios::Scenario*> runs = select_runs(set, cfg.variants, "--variant");
  const long long n = ensemble_size(cfg, set);
  EnsembleOptions o;
  o.trajectories = n;
  o.seed = cfg.seed ? *cfg.seed : set.stochastic.seed;
  o.threads = resolve_threads(cfg.threads);
  o.comm = cfg.comm;
  o.cancel = cfg.cancel;
  const std::vector<ZoneAggregate> aggregates =
      with_total_aggregate(set.runs.front().aggregates, static_cast<int>(set.runs.front().zones.size()));
  if (n > 0)
    for (const scenarios::Scenario* sc : runs) (void)run_ensemble(set, *sc, aggregates, o);
  RunSummary s;
  s.scenario = set.runs.front().name;
  s.scenario_file = file;
  s.trajectories = n;
  return s;
}

}  // namespace cohortgis::app
