// SPDX-License-Identifier: Apache-2.0
// Random deviations of the stochastic assumptions (stochastic.hpp; equations in scenarios/README.md
// "Probabilistic projections").
#include "cohortgis/scenarios/stochastic.hpp"

#include <Random123/philox.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <numbers>

#include "cohortgis/engine/types.hpp"
#include "cohortgis/scenarios/models.hpp"
#include "cohortgis/engine/index_cast.hpp"

namespace cohortgis::scenarios {

namespace {


r123::Philox4x64::ctr_type philox_words(std::uint64_t seed, std::uint64_t trajectory, RandomStream stream,
                                        std::uint64_t i, std::uint64_t j) {
  const r123::Philox4x64 rng;
  const r123::Philox4x64::ctr_type ctr = {{static_cast<std::uint64_t>(stream), i, j, 0}};
  const r123::Philox4x64::key_type key = {{seed, trajectory}};
  return rng(ctr, key);
}

// 2^-53: the spacing of doubles in [0.5, 1); a 53-bit integer times it is exact.
constexpr double kTwoPowMinus53 = 1.0 / 9007199254740992.0;

}  // namespace

double philox_uniform(std::uint64_t seed, std::uint64_t trajectory, RandomStream stream, std::uint64_t i,
                      std::uint64_t j) {
  const auto w = philox_words(seed, trajectory, stream, i, j);
  return static_cast<double>((w[0] >> 11) + 1) * kTwoPowMinus53;
}

double standard_normal(std::uint64_t seed, std::uint64_t trajectory, RandomStream stream, std::uint64_t i,
                       std::uint64_t j) {
  const auto w = philox_words(seed, trajectory, stream, i, j);
  const double u1 = static_cast<double>((w[0] >> 11) + 1) * kTwoPowMinus53;  // (0, 1]: ln u1 is finite
  const double u2 = static_cast<double>(w[1] >> 11) * kTwoPowMinus53;        // [0, 1)
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

double TrajectoryDraws::tfr_deviation(int years) const {
  // e(t) = φ e(t−1) + σ η(t), summed forward from e(0) = 0 (the same bits whichever step asks first).
  double e = 0.0;
  for (int t = 1; t <= years; ++t)
    e = spec->tfr_ar1 * e + spec->tfr_sd * standard_normal(seed, trajectory, RandomStream::fertility, uz(t));
  return e;
}

double TrajectoryDraws::k_deviation(int years) const {
  double u = 0.0;
  for (int t = 1; t <= years; ++t)
    u += spec->k_sd * standard_normal(seed, trajectory, RandomStream::mortality, uz(t));
  return u;
}

double TrajectoryDraws::migration_multiplier(int step, int zone) const {
  const double rho = spec->migration_correlation, sd = spec->migration_sd;
  if (const CorrelationFactor* f = spec->migration_correlation_matrix.get()) {
    // X = Σ_c F(zone, c) E(step, c), summed in component order (the same bits as migration_multipliers).
    double x = 0.0;
    for (int c = 0; c < f->zones; ++c)
      x += f->factor[uz(zone) * uz(f->zones) + uz(c)] *
           standard_normal(seed, trajectory, RandomStream::migration_zone, uz(step), uz(c));
    return std::exp(sd * x - 0.5 * sd * sd);
  }
  const double x = std::sqrt(rho) * standard_normal(seed, trajectory, RandomStream::migration_common, uz(step)) +
                   std::sqrt(1.0 - rho) *
                       standard_normal(seed, trajectory, RandomStream::migration_zone, uz(step), uz(zone));
  // Log-normal with mean 1: E[exp(σX)] = exp(σ²/2).
  return std::exp(sd * x - 0.5 * sd * sd);
}

std::vector<double> TrajectoryDraws::migration_multipliers(int step, int zones) const {
  std::vector<double> m(uz(zones));
  const CorrelationFactor* f = spec->migration_correlation_matrix.get();
  if (!f) {
    for (int zn = 0; zn < zones; ++zn) m[uz(zn)] = migration_multiplier(step, zn);
    return m;
  }
  // The Z deviates E(step, c) once, then X = F E: Z² products rather than Z² deviates.
  std::vector<double> e(uz(f->zones));
  for (int c = 0; c < f->zones; ++c)
    e[uz(c)] = standard_normal(seed, trajectory, RandomStream::migration_zone, uz(step), uz(c));
  const double sd = spec->migration_sd;
  for (int zn = 0; zn < zones; ++zn) {
    double x = 0.0;
    for (int c = 0; c < f->zones; ++c) x += f->factor[uz(zn) * uz(f->zones) + uz(c)] * e[uz(c)];
    m[uz(zn)] = std::exp(sd * x - 0.5 * sd * sd);
  }
  return m;
}

namespace {

// The u at which m_x · exp(b_x · u) has life expectancy at birth e0 (bisection; e0 falls as u rises when every
// b_x ≥ 0, the Lee–Carter shape). Throws InputError when e0 cannot be reached. `next_mx`: the rate of the group
// above the grid's open age (StepSchedules::mortality_next; NaN when none), moved at the open row's pace and given
// to the life table as its one row more (models.hpp), so that e0 is that of the table the step builds
// (build_abridged_life_table_closed_above), not of the grid's rows alone.
double lee_carter_shift_for_e0(std::span<const double> mx, double next_mx, std::span<const double> bx,
                               const AgeGrid& grid, Sex sex, const LifeTableMethod& method, double e0,
                               const std::string& file) {
  const std::size_t rows = mx.size();
  std::vector<double> m(rows + (std::isnan(next_mx) ? 0 : 1));
  const auto e0_at = [&](double u) {
    for (std::size_t x = 0; x < rows; ++x) m[x] = mx[x] * std::exp(bx[x] * u);
    if (m.size() > rows) m[rows] = next_mx * std::exp(bx[rows - 1] * u);
    return life_expectancy_at_birth(m, grid, sex, method);
  };
  double lo = -1.0, hi = 1.0;
  // Widen until the bracket holds e0 (u of ±2^12 moves every rate by a factor far beyond any life table).
  while (e0_at(lo) < e0 && lo > -4096.0) lo *= 2.0;
  while (e0_at(hi) > e0 && hi < 4096.0) hi *= 2.0;
  if (e0_at(lo) < e0 || e0_at(hi) > e0)
    throw InputError(file + ": a life expectancy at birth of " + std::to_string(e0) +
                     " years cannot be reached by moving the scenario's death rates along b_x");
  for (int i = 0; i < 200 && hi - lo > 1e-12 * std::max(1.0, std::abs(lo)); ++i) {
    const double mid = 0.5 * (lo + hi);
    (e0_at(mid) > e0 ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

}  // namespace

void perturb_schedules(const TrajectoryDraws& draws, const StepContext& ctx, const AgeGrid& grid, int zones,
                       int groups, StepSchedules& s) {
  const StochasticSpec& spec = *draws.spec;
  const int z = grid.width_years, n_ages = grid.n_ages, rows = grid.life_table_rows();
  const int years = (ctx.step + 1) * z;  // the step's last year, counted from the base year
  const ExternalTrajectories* tfr_given = spec.tfr_trajectories.get();
  if ((spec.tfr_sd > 0.0 || tfr_given) && !s.asfr.empty()) {
    const double e = tfr_given ? 0.0 : draws.tfr_deviation(years);
    // asfr is [zone][group][age]: each row of n_ages rates is one schedule with its own TFR.
    for (std::size_t r0 = 0; r0 + uz(n_ages) <= s.asfr.size(); r0 += uz(n_ages)) {
      const std::span<double> f(s.asfr.data() + r0, uz(n_ages));
      const double tfr = total_fertility(f, z);
      if (!(tfr > 0.0)) continue;
      const int zone = static_cast<int>(r0 / uz(n_ages) / uz(groups));
      // Given: the row's TFR becomes the trajectory's value, its age pattern stays.
      const double scale = tfr_given ? tfr_given->at(draws.trajectory, zone, 0, ctx.step) / tfr
                                     : std::max(tfr + e, 0.0) / tfr;  // exactly 1 when e = 0
      for (double& v : f) v *= scale;
    }
  }
  if (spec.k_sd > 0.0 && !s.mortality.empty()) {
    if (s.mortality_kind != MortalityInput::death_rates)
      throw InputError(spec.where + ": stochastic.lee_carter needs mortality given as death rates (mx); this "
                       "scenario gives person-years or survival ratios");
    if (!spec.bx.empty() && spec.bx.size() != uz(rows))
      throw InputError(spec.where + ": stochastic.lee_carter.bx has " + std::to_string(spec.bx.size()) +
                       " values; expected one per life-table row (" + std::to_string(rows) + ")");
    const double u = draws.k_deviation(years);
    for (std::size_t r0 = 0; r0 + uz(rows) <= s.mortality.size(); r0 += uz(rows))
      for (int x = 0; x < rows; ++x) {
        const double b = spec.bx.empty() ? 1.0 / rows : spec.bx[uz(x)];
        s.mortality[r0 + uz(x)] *= std::exp(b * u);
      }
    // The rates above the open age (StepSchedules::mortality_next) at the open row's pace.
    const double b_open = spec.bx.empty() ? 1.0 / rows : spec.bx[uz(rows - 1)];
    for (double& x : s.mortality_next) x *= std::exp(b_open * u);
    s.mortality_unchanged = false;  // the rates differ from the previous step's even where the path does not
  }
  if (const ExternalTrajectories* e0_given = spec.e0_trajectories.get(); e0_given && !s.mortality.empty()) {
    if (s.mortality_kind != MortalityInput::death_rates)
      throw InputError(e0_given->file + ": stochastic.e0_trajectories needs mortality given as death rates (mx); this "
                       "scenario gives person-years or survival ratios");
    std::vector<double> b = spec.bx;
    if (b.empty()) b.assign(uz(rows), 1.0 / rows);
    // mortality is [zone][group][sex][row]: each block of rows is one life table.
    for (std::size_t r0 = 0; r0 + uz(rows) <= s.mortality.size(); r0 += uz(rows)) {
      const std::size_t block = r0 / uz(rows);
      const int sex = static_cast<int>(block % kSexes), zone = static_cast<int>(block / kSexes / uz(groups));
      const std::span<double> mx(s.mortality.data() + r0, uz(rows));
      const double next = s.mortality_next.empty() ? std::numeric_limits<double>::quiet_NaN() : s.mortality_next[block];
      const double u = lee_carter_shift_for_e0(mx, next, b, grid, static_cast<Sex>(sex), spec.life_table_method,
                                               e0_given->at(draws.trajectory, zone, sex, ctx.step), e0_given->file);
      for (int x = 0; x < rows; ++x) mx[uz(x)] *= std::exp(b[uz(x)] * u);
      if (!s.mortality_next.empty()) s.mortality_next[block] *= std::exp(b[uz(rows - 1)] * u);
    }
    s.mortality_unchanged = false;
  }
  if (spec.migration_sd > 0.0) {
    const std::vector<double> m = draws.migration_multipliers(ctx.step, zones);
    // Arrays whose leading index is the zone ([zone][group][sex][age] or [zone][group]).
    for (std::vector<double>* v : {&s.net_migrants, &s.net_migrants_per_person, &s.net_migrants_total,
                                   &s.external_in, &s.external_out, &s.external_out_rate}) {
      if (v->empty()) continue;
      const std::size_t per_zone = v->size() / uz(zones);
      for (std::size_t i = 0; i < v->size(); ++i) (*v)[i] *= m[i / per_zone];
    }
    // A matrix of other counts than the scenario's (Python's set_od) is left as it is, for the engine to refuse
    // naming them (StepRunner::validate_sizes): its flows and profile read by the scenario's counts ran past them.
    if (s.od && !s.od->empty() && s.od->zones() == zones && s.od->groups() == groups && s.od->n_ages() == n_ages) {
      // Each flow's rate scales with its origin's multiplier: the persons leaving o for d are the persons arriving
      // in d from o, so the books still balance.
      std::vector<OdFlow> flows = s.od->flows();
      for (OdFlow& f : flows) f.rate_per_year *= m[uz(f.origin)];
      std::vector<double> profile;
      if (!s.od->profile_row(0, 0).empty()) {
        for (int g = 0; g < groups; ++g)  // [group][sex][age], as the engine holds it
          for (int sex = 0; sex < static_cast<int>(kSexes); ++sex) {
            const auto p = s.od->profile_row(g, sex);
            profile.insert(profile.end(), p.begin(), p.end());
          }
      }
      s.od = std::make_shared<const OdMigration>(std::move(flows), std::move(profile), zones, groups, n_ages);
    }
  }
}

}  // namespace cohortgis::scenarios
