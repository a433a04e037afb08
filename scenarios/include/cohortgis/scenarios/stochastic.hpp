// SPDX-License-Identifier: Apache-2.0
// Stochastic assumptions of a scenario ([stochastic], scenarios/README.md "Probabilistic projections"): random
// deviations around the scenario's own schedules, drawn per trajectory from a counter-based generator (Philox4x64-10,
// Salmon et al. 2011) keyed by (seed, trajectory), so a trajectory's numbers do not depend on which thread or MPI
// rank runs it, nor in which order. The deviations perturb each step's schedules (StepSchedules), never the engine.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/projection.hpp"

namespace cohortgis::scenarios {

// Trajectories given as data (the UN's probabilistic WPP, bayesTFR / bayesLife output): one value per trajectory,
// zone (or one for the whole area), sex (e0 only, or one for both) and step, read from a table
// `trajectory, year, [zone], [sex], value` (external_trajectories.cpp; scenarios/README.md "External trajectories").
struct ExternalTrajectories {
  std::string file;                   // the path as written, for messages
  std::vector<long long> ids;         // the table's trajectory numbers, ascending: ensemble trajectory i uses ids[i]
  int zones = 1, sexes = 1, steps = 0;  // zones 1: no zone column; sexes 1: no sex column
  std::vector<double> values;         // [trajectory][zone][sex][step]
  double at(std::size_t trajectory, int zone, int sex, int step) const {
    const std::size_t z = zones == 1 ? 0 : uz(zone), x = sexes == 1 ? 0 : uz(sex);
    return values[((trajectory * uz(zones) + z) * uz(sexes) + x) * uz(steps) + uz(step)];
  }
};

// The factor F of a zone × zone correlation matrix R = F Fᵀ (eigen-decomposition R = V Λ Vᵀ, F = V Λ^½ with
// eigenvalues below 0 by rounding set to 0): X = F E has corr(X_i, X_j) = R_ij for independent standard normal E.
struct CorrelationFactor {
  std::string file;           // the path as written
  int zones = 0;
  std::vector<double> factor;  // [zone][component], row-major
};

struct StochasticSpec {
  int trajectories = 0;         // ensemble size set in the scenario (0: none; --trajectories overrides)
  std::uint64_t seed = 1;       // --seed overrides
  // Fertility: deviation e(t) of the TFR from the scenario's path in year t (t = 1, 2, … years after the base year),
  // AR(1): e(t) = tfr_ar1 · e(t−1) + tfr_sd · η(t), e(0) = 0. A step uses e at its last year; every zone's and group's
  // ASFR is scaled by max(TFR + e, 0) / TFR (TFR of that schedule row).
  double tfr_sd = 0.0, tfr_ar1 = 0.0;
  // Mortality: Lee–Carter (1992) k(t) around its path as a random walk, u(t) = u(t−1) + k_sd · η(t), u(0) = 0;
  // a step's death rates become m_x · exp(b_x · u) with u at the step's last year. b_x: one per life-table row
  // (empty: 1 / rows, the convention of lee_carter_mx in models.hpp).
  double k_sd = 0.0;
  std::vector<double> bx;
  // Migration: per step and zone a level multiplier m = exp(σ X − σ²/2) with X = √ρ C + √(1−ρ) E_zone (C, E
  // independent standard normals; corr(X_z, X_w) = ρ), applied to the given net migration, the external flows and the
  // OD rates out of the zone (origin losses and destination gains of a flow stay equal).
  double migration_sd = 0.0, migration_correlation = 0.0;
  // The migration correlation as a zone × zone matrix (migration.correlation = a table); null: the common factor ρ.
  std::shared_ptr<const CorrelationFactor> migration_correlation_matrix;
  // TFR and e0 trajectories given as data (tfr_trajectories, e0_trajectories); null when not given.
  std::shared_ptr<const ExternalTrajectories> tfr_trajectories, e0_trajectories;
  // The life-table method of the scenario: e0_trajectories are matched with the engine's own life table.
  LifeTableMethod life_table_method;
  std::string where;  // "file:line:column" of [stochastic], for messages

  bool declared() const {
    return trajectories > 0 || tfr_sd > 0 || k_sd > 0 || migration_sd > 0 || tfr_trajectories || e0_trajectories;
  }
};

// Most trajectories of one ensemble, from the scenario (`trajectories`), --trajectories or Python alike: a typo of a
// few digits must be an error, not a run of days.
inline constexpr long long kMaxTrajectories = 10'000'000;

// Refuses an ensemble of n trajectories when a trajectory table holds fewer than n (InputError naming the file).
void check_ensemble_size(const StochasticSpec& spec, long long n);

// Random-number streams of one trajectory (the counter's first word).
enum class RandomStream : std::uint64_t { fertility = 1, mortality = 2, migration_common = 3, migration_zone = 4 };

// A standard normal deviate for (seed, trajectory, stream, i, j): Philox4x64-10 with key {seed, trajectory} and
// counter {stream, i, j, 0} gives 64-bit words w0, w1; u1 = (⌊w0 / 2^11⌋ + 1) · 2^−53 ∈ (0, 1] and
// u2 = ⌊w1 / 2^11⌋ · 2^−53 ∈ [0, 1) are exact doubles; Box & Muller (1958): z = √(−2 ln u1) · cos(2π u2).
double standard_normal(std::uint64_t seed, std::uint64_t trajectory, RandomStream stream, std::uint64_t i,
                       std::uint64_t j = 0);
// The uniform u1 above (exposed for tests of the transform).
double philox_uniform(std::uint64_t seed, std::uint64_t trajectory, RandomStream stream, std::uint64_t i,
                      std::uint64_t j = 0);

// One trajectory's deviations: the TFR deviation e(t) and Lee–Carter deviation u(t) at year t ≥ 1 after the base,
// and the migration multiplier of a zone in step k.
struct TrajectoryDraws {
  const StochasticSpec* spec = nullptr;
  std::uint64_t seed = 1, trajectory = 0;
  double tfr_deviation(int years) const;
  double k_deviation(int years) const;
  double migration_multiplier(int step, int zone) const;
  // Every zone's multiplier of step k (with a correlation matrix: X = F E from one set of Z deviates E).
  std::vector<double> migration_multipliers(int step, int zones) const;
};

// Perturbs one step's fixed schedules in place (before population-dependent adjustments) on `grid` with `zones`
// zones and `groups` groups. Throws InputError when the schedules cannot carry a deviation
// (mortality given other than as death rates, b_x of the wrong length).
void perturb_schedules(const TrajectoryDraws& draws, const StepContext& ctx, const AgeGrid& grid, int zones,
                       int groups, StepSchedules& s);

}  // namespace cohortgis::scenarios
