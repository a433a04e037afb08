// SPDX-License-Identifier: Apache-2.0
// Mortality and fertility levels fitted to published figures, in one place for the scenario models (`fit` keys of
// [mortality] and [fertility]), `cohortgis estimate` (levels per zone) and monitoring (the `fitted` rows).
// Mortality: the Brass (1971) relational logit with β = 1 on a standard schedule (models.hpp brass_logit_mx), one α
// for both sexes where a figure covers both. Fertility: the standard age pattern scaled by one factor.
// Pure functions: each fit reproduces its target to far better than 1e-6 (tests/scenarios/test_level_fitting.cpp).
#pragma once

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "cohortgis/engine/life_table.hpp"
#include "cohortgis/engine/types.hpp"

namespace cohortgis::scenarios {

// A level and what it gives: `level` is α (mortality) or the factor on the standard ASFR (fertility); `fitted` is the
// figure the fitted schedules give, to set beside `target`.
// How a fitted level opens its note in the run's assumptions; `cohortgis backtest` looks for them to warn that a
// level was fitted to a figure of a year after the launch year.
inline constexpr char kMortalityFitNote[] = "Mortality level fitted ([mortality] fit)";
inline constexpr char kFertilityFitNote[] = "Fertility level fitted ([fertility] fit)";

struct LevelFit {
  double level = 0, target = 0, fitted = 0;
};

// The x in [lo, hi] where the monotone f(x) equals target, by bisection (stops when |f − target| ≤ tolerance or the
// interval is below 1e-13). Throws InputError naming `what` and the reachable range when target is outside
// [f(lo), f(hi)].
double solve_monotone(const std::function<double(double)>& f, double target, double lo, double hi, double tolerance,
                      const std::string& what);

// The standard schedules of both sexes on the grid's life-table rows (0, 1–4, 5–9, … for five-year grids).
struct MortalityStandard {
  std::vector<double> female, male;
  AgeGrid grid;
  LifeTableMethod method;
};

// Life expectancy at birth of both sexes together: the life table of a birth cohort with `srb` males per 100 females,
// e0 = (e0_f + ρ · e0_m) / (1 + ρ), ρ = srb / 100 (the combined l(x) is the births-weighted sum of the sexes' l(x),
// so T(0) and e0 are the same weighted sums; Preston, Heuveline & Guillot 2001, §3.5).
double life_expectancy_both_sexes(double e0_female, double e0_male, double srb);

// α (one for both sexes, on [−4, 4]) at which the Brass logit schedules have both-sexes e0 `e0` (tolerance 1e-10 years).
LevelFit fit_alpha_to_e0_both_sexes(const MortalityStandard& standard, double e0, double srb);

// Deaths per year of a population exposed to the schedules: Σ_sex Σ_rows m(x) · P(x); population by sex on the
// life-table rows (for five-year grids split 0–4 into 0 and 1–4 first, e.g. by the standard's L0 : L1-4).
double expected_deaths(std::span<const double> mx_female, std::span<const double> mx_male,
                       std::span<const double> population_female, std::span<const double> population_male);

// α at which the population's expected deaths equal `deaths` (relative tolerance 1e-12): a zone's level from its
// registered deaths (all ages) and its population by age.
LevelFit fit_alpha_to_deaths(const MortalityStandard& standard, std::span<const double> population_female,
                             std::span<const double> population_male, double deaths);
// The same for a crude death rate per 1000: deaths = cdr / 1000 · Σ population.
LevelFit fit_alpha_to_crude_death_rate(const MortalityStandard& standard, std::span<const double> population_female,
                                       std::span<const double> population_male, double cdr_per_1000);

// Fertility: factor k on the standard ASFR (per woman per year, on age groups of width_years).
// To a total fertility rate: k = tfr / (width · Σ f).
LevelFit fit_fertility_to_tfr(std::span<const double> asfr, int width_years, double tfr);
// To births per year of women by the same age groups: k = births / Σ f · W.
LevelFit fit_fertility_to_births(std::span<const double> asfr, std::span<const double> women, double births);
// To a crude birth rate per 1000 of a total population: births = cbr / 1000 · population.
LevelFit fit_fertility_to_crude_birth_rate(std::span<const double> asfr, std::span<const double> women,
                                           double population, double cbr_per_1000);

// What a projection gives in the fitted period at a fertility level (the factor on its schedules): its births and
// person-years (the exposure of its crude rates, indicators.csv: z · (P_start + P_end) / 2), and the period's years.
struct BirthsAndExposure {
  double births = 0, person_years = 0;
};
// The level at which the projection's own figure of the fitted period equals `target`: the crude birth rate
// 1000 · B / PY (per_1000 = true) or the births per year B / years. Secant method on r(k) = 1000·B(k) − target·PY(k)
// (births: B(k) − target·years) from k = 0 and `start_level`. In the first step r is linear in k, so the first secant
// step is the closed-form solution: births are linear in the level (every woman exposed was born before the base
// year) and so are the person-years (the births' survivors). Further steps (at most 20) only serve runs where a floor
// or cap makes them nonlinear; stops at a relative miss of 1e-13. Throws InputError when it cannot reach the target.
LevelFit fit_fertility_through_projection(const std::function<BirthsAndExposure(double level)>& project, double target,
                                          bool per_1000, double years, double start_level);

}  // namespace cohortgis::scenarios
