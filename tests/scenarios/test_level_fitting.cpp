// SPDX-License-Identifier: Apache-2.0
// Levels fitted to published figures (scenarios/level_fitting.hpp): every fit reproduces its target to 1e-6, checked
// by recomputing the figure from the fitted schedules outside the fitting code; fertility factors against hand sums.
#include <gtest/gtest.h>

#include <cmath>

#include "cohortgis/engine/life_table.hpp"
#include "cohortgis/scenarios/level_fitting.hpp"
#include "cohortgis/scenarios/models.hpp"

using namespace cohortgis;
using namespace cohortgis::scenarios;

namespace {

// Abridged rows 0, 1-4, 5-9, …, 85+ (19 rows for a five-year grid open at 85): a Gompertz adult hazard plus
// childhood rates; men's rates 1.3 times women's.
MortalityStandard standard() {
  MortalityStandard s;
  s.grid = AgeGrid::five_year(85);
  const int rows = s.grid.life_table_rows();
  for (int r = 0; r < rows; ++r) {
    const double x = r == 0 ? 0.0 : r == 1 ? 1.0 : 5.0 * (r - 1);
    const double m = (r == 0 ? 0.004 : r == 1 ? 0.0003 : 0.0) + 0.00005 * std::exp(0.095 * (x + 2.5));
    s.female.push_back(m);
    s.male.push_back(1.3 * m);
  }
  return s;
}

double e0_of(const std::vector<double>& mx, Sex sex) { return abridged_life_table(mx, sex).ex[0]; }

std::vector<double> population(double scale) {
  std::vector<double> p;
  for (int r = 0; r < 19; ++r) p.push_back(scale * (r == 0 ? 800.0 : r == 1 ? 3200.0 : 5000.0 - 150.0 * r));
  return p;
}

}  // namespace

TEST(LevelFitting, BothSexesLifeExpectancyIsTheBirthWeightedMean) {
  EXPECT_DOUBLE_EQ(life_expectancy_both_sexes(80, 76, 100), 78.0);
  // (80 + 1.123 · 76) / 2.123 = 165.348 / 2.123 = 77.88412623645784 (by hand).
  EXPECT_NEAR(life_expectancy_both_sexes(80, 76, 112.3), 77.88412623645784, 1e-12);
}

TEST(LevelFitting, AlphaToBothSexesE0ReproducesTheTarget) {
  const MortalityStandard s = standard();
  const double e_std = life_expectancy_both_sexes(e0_of(s.female, Sex::female), e0_of(s.male, Sex::male), 112.3);
  // The standard itself: α = 0.
  EXPECT_NEAR(fit_alpha_to_e0_both_sexes(s, e_std, 112.3).level, 0.0, 1e-9);
  for (double target : {82.47, e_std - 5.0, e_std + 3.0}) {
    const LevelFit f = fit_alpha_to_e0_both_sexes(s, target, 112.3);
    // Recompute e0 from the fitted schedules through the engine's life table, outside the fit.
    const double ef = e0_of(brass_logit_mx(s.female, s.grid, Sex::female, f.level), Sex::female);
    const double em = e0_of(brass_logit_mx(s.male, s.grid, Sex::male, f.level), Sex::male);
    EXPECT_NEAR((ef + 1.123 * em) / 2.123, target, 1e-6) << target;
    EXPECT_NEAR(f.fitted, target, 1e-6);
    // Lower mortality than the standard needs α < 0 (l(x) above the standard's).
    EXPECT_EQ(f.level<0, target> e_std);
  }
  EXPECT_THROW(fit_alpha_to_e0_both_sexes(s, 1e6, 112.3), InputError);  // beyond α = −4
}

TEST(LevelFitting, AlphaToDeathsAndCrudeDeathRate) {
  const MortalityStandard s = standard();
  const auto pf = population(1.0), pm = population(1.05);
  double d_std = 0, pop = 0;
  for (std::size_t r = 0; r < pf.size(); ++r) {
    d_std += s.female[r] * pf[r] + s.male[r] * pm[r];
    pop += pf[r] + pm[r];
  }
  EXPECT_NEAR(fit_alpha_to_deaths(s, pf, pm, d_std).level, 0.0, 1e-9);
  for (double deaths : {0.6 * d_std, 1.4 * d_std}) {
    const LevelFit f = fit_alpha_to_deaths(s, pf, pm, deaths);
    const auto mf = brass_logit_mx(s.female, s.grid, Sex::female, f.level);
    const auto mm = brass_logit_mx(s.male, s.grid, Sex::male, f.level);
    double d = 0;
    for (std::size_t r = 0; r < pf.size(); ++r) d += mf[r] * pf[r] + mm[r] * pm[r];
    EXPECT_NEAR(d / deaths, 1.0, 1e-9) << deaths;
    EXPECT_EQ(f.level > 0, deaths > d_std);
  }
  // 5.39 per 1000: deaths = 0.00539 · population.
  const LevelFit c = fit_alpha_to_crude_death_rate(s, pf, pm, 5.39);
  const auto mf = brass_logit_mx(s.female, s.grid, Sex::female, c.level);
  const auto mm = brass_logit_mx(s.male, s.grid, Sex::male, c.level);
  double d = 0;
  for (std::size_t r = 0; r < pf.size(); ++r) d += mf[r] * pf[r] + mm[r] * pm[r];
  EXPECT_NEAR(1000.0 * d / pop, 5.39, 1e-6);
  EXPECT_NEAR(c.fitted, 5.39, 1e-6);
  EXPECT_THROW(fit_alpha_to_deaths(s, pf, std::vector<double>(3, 1.0), d_std), InputError);  // rows disagree
  EXPECT_THROW(fit_alpha_to_deaths(s, pf, pm, 100.0 * d_std), InputError);                   // unreachable
}

TEST(LevelFitting, FertilityFactorsByHand) {
  const std::vector<double> f = {0, 0.02, 0.06, 0.04, 0};  // TFR = 5 · 0.12 = 0.6
  const LevelFit t = fit_fertility_to_tfr(f, 5, 1.2);
  EXPECT_DOUBLE_EQ(t.level, 2.0);
  EXPECT_NEAR(t.fitted, 1.2, 1e-12);
  // Women 0, 1000, 2000, 1500, 0: births = 20 + 120 + 60 = 200 a year; 300 births need factor 1.5.
  const std::vector<double> w = {0, 1000, 2000, 1500, 0};
  const LevelFit b = fit_fertility_to_births(f, w, 300);
  EXPECT_NEAR(b.level, 1.5, 1e-15);
  EXPECT_NEAR(b.fitted, 300, 1e-9);
  // CBR 5 per 1000 of 50,000 people: 250 births, factor 1.25.
  const LevelFit c = fit_fertility_to_crude_birth_rate(f, w, 50000, 5.0);
  EXPECT_NEAR(c.level, 1.25, 1e-15);
  EXPECT_NEAR(c.fitted, 5.0, 1e-12);
  EXPECT_THROW(fit_fertility_to_tfr(std::vector<double>(5, 0.0), 5, 1.0), InputError);
  EXPECT_THROW(fit_fertility_to_births(f, std::vector<double>(2, 1.0), 10), InputError);
}

// The fit through a projection, on projections given in closed form. Linear (the first step): B(k) = 200·k births,
// PY(k) = 50,000 + 0.5·200·k person-years (each birth lives half the year on average); CBR 5 ‰ by hand:
// 1000·200k = 5·(50,000 + 100k) ⇒ k = 250,000 / 199,500 = 1.253132832...; two secant steps, three projections.
TEST(LevelFitting, FertilityThroughAProjectionClosedForm) {
  int calls = 0;
  const auto linear = [&](double k) {
    ++calls;
    return BirthsAndExposure{200.0 * k, 50000.0 + 100.0 * k};
  };
  const LevelFit c = fit_fertility_through_projection(linear, 5.0, true, 1.0, 1.25);
  EXPECT_NEAR(c.level, 250000.0 / 199500.0, 1e-13);
  EXPECT_NEAR(c.fitted, 5.0, 1e-12);
  EXPECT_LE(calls, 4);
  // Births per year of a five-year step: B(k) = 200·k in the step; 1000 a year = 5000 in the step: k = 25.
  const LevelFit b = fit_fertility_through_projection([](double k) { return BirthsAndExposure{200.0 * k, 1.0}; },
                                                      1000.0, false, 5.0, 1.0);
  EXPECT_NEAR(b.level, 25.0, 1e-12);
  EXPECT_NEAR(b.fitted, 1000.0, 1e-9);
  // Nonlinear (a floor that binds at low levels): converges all the same, to the root found by hand,
  // 1000·(200k − 10/(1+k)) = 5·(50,000 + 100k) at k ≈ 1.29; checked by substituting back.
  const auto bent = [](double k) { return BirthsAndExposure{200.0 * k - 10.0 / (1.0 + k), 50000.0 + 100.0 * k}; };
  const LevelFit n = fit_fertility_through_projection(bent, 5.0, true, 1.0, 1.0);
  const double k = n.level;
  EXPECT_NEAR(1000.0 * (200.0 * k - 10.0 / (1.0 + k)) / (50000.0 + 100.0 * k), 5.0, 1e-10);
  // A target of 0 is level 0; births that do not move with the level cannot be fitted.
  EXPECT_EQ(fit_fertility_through_projection(linear, 0.0, true, 1.0, 1.0).level, 0.0);
  EXPECT_THROW(fit_fertility_through_projection([](double) { return BirthsAndExposure{10.0, 1000.0}; }, 5.0, true,
                                                1.0, 1.0),
               InputError);
}

// A known α recovered by the one Brass fit from figures made outside it. The death rates of α are built here by hand
// from the logit (Brass 1971, β = 1): l(x) = 1 / (1 + e^{2(α + Y_s(x))}), Y_s = ½ ln((1 − l_s)/l_s) on the standard's
// life table, m = d / L with L = n · l(x+n) + a_s(x) · d (the standard's a(x)); a population with nobody in the open
// group leaves the open row's convention out. Its deaths fitted give α back; and the both-sexes e0 of
// brass_logit_mx's schedules gives α back through the e0 fit (the solver's round trip).
TEST(LevelFitting, AKnownAlphaIsRecoveredFromTheFiguresOfItsLifeTable) {
  const MortalityStandard s = standard();
  auto pf = population(1.0), pm = population(1.05);
  pf.back() = pm.back() = 0.0;  // the open group 85+
  const auto by_hand = [](const std::vector<double>& mx, Sex sex, double alpha) {
    const LifeTable t = abridged_life_table(mx, sex);
    std::vector<double> l(t.rows()), m(t.rows(), 0.0);
    for (std::size_t k = 0; k < t.rows(); ++k) {
      const double ls = t.lx[k] / t.lx[0];
      l[k] = k == 0 ? 1.0 : 1.0 / (1.0 + std::exp(2.0 * (alpha + 0.5 * std::log((1.0 - ls) / ls))));
    }
    for (std::size_t k = 0; k + 1 < t.rows(); ++k) {
      const double d = l[k] - l[k + 1];
      m[k] = d / (t.width[k] * l[k + 1] + t.ax[k] * d);
    }
    return m;
  };
  for (double alpha : {0.37, -0.52, 1.25}) {
    const auto hf = by_hand(s.female, Sex::female, alpha), hm = by_hand(s.male, Sex::male, alpha);
    double deaths = 0;
    for (std::size_t r = 0; r < pf.size(); ++r) deaths += hf[r] * pf[r] + hm[r] * pm[r];
    EXPECT_NEAR(fit_alpha_to_deaths(s, pf, pm, deaths).level, alpha, 1e-9) << alpha;
    const auto mf = brass_logit_mx(s.female, s.grid, Sex::female, alpha);
    const auto mm = brass_logit_mx(s.male, s.grid, Sex::male, alpha);
    const double e0 = life_expectancy_both_sexes(e0_of(mf, Sex::female), e0_of(mm, Sex::male), 112.3);
    EXPECT_NEAR(fit_alpha_to_e0_both_sexes(s, e0, 112.3).level, alpha, 1e-8) << alpha;
  }
}
