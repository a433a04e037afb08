// SPDX-License-Identifier: Apache-2.0
// Probabilistic projections: ensembles of trajectories of a scenario's stochastic assumptions ([stochastic],
// scenarios/README.md "Probabilistic projections"), over oneTBB threads and, through an EnsembleComm, over MPI ranks.
// Each trajectory keeps only its summary cells (docs/results.md "quantiles.csv"), so memory is N × summary cells.
#pragma once

#include <atomic>
#include <cstdint>
#include <iterator>
#include <string>
#include <vector>

#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/indicators.hpp"
#include "cohortgis/scenarios/scenario_fwd.hpp"

namespace cohortgis::app {

// The processes an ensemble is split across (MPI ranks). The default (no EnsembleComm) is one process. The Python
// module and the library never link MPI; the command line supplies an MPI implementation when built with it.
class EnsembleComm {
 public:
  virtual ~EnsembleComm() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Every rank passes its block; rank 0 gets the blocks of ranks 0, 1, … concatenated (counts[r] doubles from rank
  // r), the others an empty vector.
  virtual std::vector<double> gather(const std::vector<double>& mine, const std::vector<long long>& counts) const = 0;
};

// The trajectories [first, last) of rank `rank` among `ranks` for N trajectories: contiguous blocks, the first
// N mod ranks ranks one longer.
std::pair<long long, long long> trajectory_block(long long n, int ranks, int rank);

// The indicators of quantiles.csv, for every zone, aggregate and the whole area ("total"), all groups.
inline constexpr Indicator kEnsembleIndicators[] = {Indicator::population, Indicator::births, Indicator::deaths,
                                                    Indicator::net_migration, Indicator::share_65_plus};

// The most memory the summary cells of one run's ensemble may take on rank 0 (N × cells × 8 bytes): 4 GiB.
inline constexpr std::size_t kMaxEnsembleBytes = std::size_t{4} << 30;

// Scratch-file mode: when N × cells × 8 bytes exceed `memory_bytes` (default 1 GiB; `cohortgis run
// --ensemble-memory MIB`) and a scratch folder is given (the run's staging folder), a one-process ensemble runs its
// trajectories in blocks that fit in memory_bytes, appends each block's summary cells to a scratch file there, and
// the outputs read the cells back block by block; the scratch file is removed before the results are sealed.
inline constexpr std::size_t kDefaultEnsembleMemoryBytes = std::size_t{1} << 30;

struct EnsembleOptions {
  long long trajectories = 0;
  std::uint64_t seed = 1;
  int threads = 0;                        // 0: all cores
  const EnsembleComm* comm = nullptr;     // null: one process
  std::atomic<bool>* cancel = nullptr;
  // Counts this process's finished trajectories, for a host's progress (Python polls it); null: not counted.
  std::atomic<long long>* done = nullptr;
  // The summary indicators kept per trajectory (all groups, every zone and aggregate).
  std::vector<Indicator> indicators{std::begin(kEnsembleIndicators), std::end(kEnsembleIndicators)};
  std::string scratch_file;  // empty: always in memory (bounded by kMaxEnsembleBytes)
  std::size_t memory_bytes = kDefaultEnsembleMemoryBytes;
};

// One run's ensemble. values: [trajectory][cell] on rank 0 (every trajectory, in trajectory order), empty on other
// ranks. Cells: [year][unit][indicator] (years: end of each step; units: zones, then the aggregates; indicators:
// EnsembleOptions::indicators), then one per target of this variant evaluated at a year (NaN for period targets).
struct EnsembleResult {
  std::string variant;
  std::vector<int> years;
  std::vector<std::string> units;
  std::vector<Indicator> indicators;
  std::vector<std::size_t> targets;  // indexes into ScenarioSet::targets of this variant's targets
  std::size_t cells = 0;
  long long trajectories = 0;
  std::vector<double> values;
  std::vector<double> base_population;  // per unit (zones, then aggregates): persons at the end of the base year
  std::string scratch;  // not empty: the values are in this file instead ([trajectory][cell] doubles), values empty
  std::size_t memory_bytes = kDefaultEnsembleMemoryBytes;  // the most a block read back may take
  std::size_t cell(std::size_t year, std::size_t unit, std::size_t indicator) const {
    return (year * units.size() + unit) * indicators.size() + indicator;
  }
  std::size_t target_cell(std::size_t target) const { return years.size() * units.size() * indicators.size() + target; }
  double value(long long trajectory, std::size_t cell) const { return values[uz(trajectory) * cells + cell]; }
  // Cells [first, last) of every trajectory, by cell: out[(c − first) · N + t] (from memory or the scratch file).
  void columns(std::size_t first, std::size_t last, std::vector<double>& out) const;
  // How many cells columns() may return at once within memory_bytes (at least 1).
  std::size_t block_cells() const;
};

EnsembleResult run_ensemble(const scenarios::ScenarioSet& set, const scenarios::Scenario& run,
                            const std::vector<ZoneAggregate>& aggregates, const EnsembleOptions& options);

// Refuses (InputError) a run that the trajectories cannot project as the deterministic run does: parity fertility,
// whose each step's ASFR comes from the parity states. run_ensemble calls it; `cohortgis run` before any run.
void check_ensemble_run(const scenarios::ScenarioSet& set, const scenarios::Scenario& run);

// What an ensemble of `trajectories` (0: none) needs of the set, refused (InputError) before any run: a trajectory
// table with fewer (scenarios::check_ensemble_size) and a run the trajectories cannot project (check_ensemble_run,
// every run of the set). `cohortgis run` with --trajectories or the scenario's `trajectories`, `validate` with the
// scenario's: a scenario `run` refuses for its ensemble is refused by `validate` with the same message.
void check_ensemble_settings(const scenarios::ScenarioSet& set, long long trajectories);

// Trajectories asked of a scenario whose [stochastic] section declares no deviation (or that has none) are every one
// the deterministic projection: quantiles without spread. `cohortgis run` warns on stderr, Python with warnings.warn;
// both say this text after what asked for them (`--trajectories N`, `trajectories=N`). Empty when there are deviations.
std::string no_deviations_warning(const scenarios::ScenarioSet& set);

// The type-7 sample quantile (Hyndman & Fan 1996, R's default) of sorted values: h = (n−1)p,
// x[⌊h⌋] + (h − ⌊h⌋)(x[⌊h⌋+1] − x[⌊h⌋]). NaN when empty or any value is NaN.
double type7_quantile(const std::vector<double>& sorted, double p);

// quantiles.csv and probabilities.csv (docs/results.md) for the ensembles of a run, and the column probability_met
// added to the targets.csv
// already in `dir` (share of trajectories whose target value meets the target; empty for period targets and
// deterministic variants).
void write_ensemble_outputs(const std::string& dir, const scenarios::ScenarioSet& set,
                            const std::vector<EnsembleResult>& ensembles);

}  // namespace cohortgis::app
