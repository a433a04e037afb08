// SPDX-License-Identifier: Apache-2.0
#include "cohortgis/scenarios/level_fitting.hpp"

#include <algorithm>
#include <cmath>

#include "cohortgis/engine/number_text.hpp"
#include "cohortgis/scenarios/models.hpp"

namespace cohortgis::scenarios {

namespace {

double sum_product(std::span<const double> a, std::span<const double> b, const char* what) {
  if (a.size() != b.size())
    throw InputError(std::string(what) + ": " + std::to_string(a.size()) + " rates for " + std::to_string(b.size()) +
                     " population rows; expected the same age rows");
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

double total(std::span<const double> v) {
  double s = 0;
  for (double x : v) s += x;
  return s;
}

}  // namespace

double solve_monotone(const std::function<double(double)>& f, double target, double lo, double hi, double tolerance,
                      const std::string& what) {
  const double f_lo = f(lo), f_hi = f(hi);
  const bool rising = f_hi > f_lo;
  if (!(target >= std::min(f_lo, f_hi) && target <= std::max(f_lo, f_hi)))
    throw InputError(what + " " + rounded_number(target) + " cannot be reached (reachable: " +
                     rounded_number(std::min(f_lo, f_hi)) + " to " + rounded_number(std::max(f_lo, f_hi)) + ")");
  for (int it = 0; it < 200 && hi - lo > 1e-13; ++it) {
    const double mid = 0.5 * (lo + hi);
    const double v = f(mid);
    if (std::abs(v - target) <= tolerance) return mid;
    if ((v < target) == rising)
      lo = mid;
    else
      hi = mid;
  }
  return 0.5 * (lo + hi);
}

// Declared in models.hpp; fitted here so that every Brass fit shares one solver.
double brass_alpha_for_e0(std::span<const double> mx_standard, const AgeGrid& grid, Sex sex, double e0,
                          const LifeTableMethod& method) {
  auto e = [&](double a) {
    return life_expectancy_at_birth(brass_logit_mx(mx_standard, grid, sex, a, method), grid, sex, method);
  };
  return solve_monotone(e, e0, -4.0, 4.0, 1e-10,
                        "mortality: life expectancy by the Brass logit model on the base life table:");
}

double life_expectancy_both_sexes(double e0_female, double e0_male, double srb) {
  const double rho = srb / 100.0;
  return (e0_female + rho * e0_male) / (1.0 + rho);
}

LevelFit fit_alpha_to_e0_both_sexes(const MortalityStandard& s, double e0, double srb) {
  if (!(srb > 0))
    throw InputError("mortality fit: sex ratio at birth " + rounded_number(srb) + "; expected more than 0");
  auto e = [&](double a) {
    const double ef = life_expectancy_at_birth(brass_logit_mx(s.female, s.grid, Sex::female, a, s.method), s.grid,
                                               Sex::female, s.method);
    const double em =
        life_expectancy_at_birth(brass_logit_mx(s.male, s.grid, Sex::male, a, s.method), s.grid, Sex::male, s.method);
    return life_expectancy_both_sexes(ef, em, srb);
  };
  LevelFit r;
  r.target = e0;
  r.level = solve_monotone(e, e0, -4.0, 4.0, 1e-10, "mortality fit: life expectancy (both sexes)");
  r.fitted = e(r.level);
  return r;
}

double expected_deaths(std::span<const double> mx_female, std::span<const double> mx_male,
                       std::span<const double> population_female, std::span<const double> population_male) {
  return sum_product(mx_female, population_female, "mortality fit (female)") +
         sum_product(mx_male, population_male, "mortality fit (male)");
}

LevelFit fit_alpha_to_deaths(const MortalityStandard& s, std::span<const double> pf, std::span<const double> pm,
                             double deaths) {
  if (!(deaths > 0)) throw InputError("mortality fit: " + rounded_number(deaths) + " deaths; expected more than 0");
  auto d = [&](double a) {
    return expected_deaths(brass_logit_mx(s.female, s.grid, Sex::female, a, s.method),
                           brass_logit_mx(s.male, s.grid, Sex::male, a, s.method), pf, pm);
  };
  LevelFit r;
  r.target = deaths;
  r.level = solve_monotone(d, deaths, -4.0, 4.0, 1e-12 * deaths, "mortality fit: deaths by the Brass logit model");
  r.fitted = d(r.level);
  return r;
}

LevelFit fit_alpha_to_crude_death_rate(const MortalityStandard& s, std::span<const double> pf,
                                       std::span<const double> pm, double cdr_per_1000) {
  const double population = total(pf) + total(pm);
  if (!(population > 0)) throw InputError("mortality fit: the population is 0; a death rate needs people");
  LevelFit r = fit_alpha_to_deaths(s, pf, pm, cdr_per_1000 / 1000.0 * population);
  r.target = cdr_per_1000;
  r.fitted = 1000.0 * r.fitted / population;
  return r;
}

LevelFit fit_fertility_to_tfr(std::span<const double> asfr, int width_years, double tfr) {
  const double now = width_years * total(asfr);
  if (!(now > 0)) throw InputError("fertility fit: the standard schedule has no births (sum 0)");
  if (!(tfr >= 0)) throw InputError("fertility fit: total fertility " + rounded_number(tfr) + "; expected 0 or more");
  LevelFit r;
  r.target = tfr;
  r.level = tfr / now;
  r.fitted = width_years * r.level * total(asfr);
  return r;
}

LevelFit fit_fertility_to_births(std::span<const double> asfr, std::span<const double> women, double births) {
  const double now = sum_product(asfr, women, "fertility fit");
  if (!(now > 0)) throw InputError("fertility fit: the standard schedule gives no births to these women");
  if (!(births >= 0)) throw InputError("fertility fit: " + rounded_number(births) + " births; expected 0 or more");
  LevelFit r;
  r.target = births;
  r.level = births / now;
  r.fitted = r.level * now;
  return r;
}

LevelFit fit_fertility_to_crude_birth_rate(std::span<const double> asfr, std::span<const double> women,
                                           double population, double cbr_per_1000) {
  if (!(population > 0)) throw InputError("fertility fit: the population is 0; a birth rate needs people");
  LevelFit r = fit_fertility_to_births(asfr, women, cbr_per_1000 / 1000.0 * population);
  r.target = cbr_per_1000;
  r.fitted = 1000.0 * r.fitted / population;
  return r;
}

LevelFit fit_fertility_through_projection(const std::function<BirthsAndExposure(double level)>& project, double target,
                                          bool per_1000, double years, double start_level) {
  if (!(target >= 0)) throw InputError("fertility fit: target " + rounded_number(target) + "; expected 0 or more");
  if (!(start_level > 0))
    throw InputError("fertility fit: start level " + rounded_number(start_level) + "; expected more than 0");
  const auto figure = [&](const BirthsAndExposure& p) {
    return per_1000 ? (p.person_years > 0 ? 1000.0 * p.births / p.person_years : 0.0) : p.births / years;
  };
  const auto residual = [&](const BirthsAndExposure& p) {
    return per_1000 ? 1000.0 * p.births - target * p.person_years : p.births - target * years;
  };
  LevelFit r;
  r.target = target;
  if (target == 0) return r;  // no births: level 0
  double k0 = 0.0, k1 = start_level;
  BirthsAndExposure p0 = project(k0), p1 = project(k1);
  if (per_1000 && !(p0.person_years > 0))
    throw InputError("fertility fit: the projection has no person-years in the fitted period; a birth rate needs people");
  for (int it = 0; it < 20; ++it) {
    if (std::abs(figure(p1) - target) <= 1e-13 * std::max(target, 1e-300)) break;
    const double r0 = residual(p0), r1 = residual(p1);
    if (r1 == r0)
      throw InputError("fertility fit: the projection's births do not change with the fertility level (no women "
                       "exposed, or no schedule)");
    const double k2 = k1 - r1 * (k1 - k0) / (r1 - r0);
    if (!(k2 >= 0) || !std::isfinite(k2))
      throw InputError(std::string("fertility fit: the projection cannot reach ") +
                       (per_1000 ? "a crude birth rate of " : "births per year of ") + rounded_number(target) +
                       " (its figure at the level " + rounded_number(k1) + " is " + rounded_number(figure(p1)) + ")");
    k0 = k1;
    p0 = p1;
    k1 = k2;
    p1 = project(k1);
  }
  r.level = k1;
  r.fitted = figure(p1);
  if (!(std::abs(r.fitted - target) <= 1e-10 * std::max(target, 1e-300)))
    throw InputError("fertility fit: the projection's figure " + rounded_number(r.fitted) + " did not converge to " +
                     rounded_number(target));
  return r;
}

}  // namespace cohortgis::scenarios
