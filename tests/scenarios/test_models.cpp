// SPDX-License-Identifier: Apache-2.0
// Assumption models against hand-computed or analytic numbers (never numbers produced by the code under test).
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <span>
#include <vector>

#include "cohortgis/engine/life_table.hpp"
#include "cohortgis/scenarios/models.hpp"

using namespace cohortgis;
using namespace cohortgis::scenarios;

TEST(YearPath, LinearBetweenPointsConstantOutside) {
  YearPath p{{{2020, 1.0}, {2030, 2.0}}};
  EXPECT_DOUBLE_EQ(p.at(2015), 1.0);
  EXPECT_DOUBLE_EQ(p.at(2025), 1.5);
  EXPECT_DOUBLE_EQ(p.at(2040), 2.0);
  // Years 2021…2025: 1.1, 1.2, 1.3, 1.4, 1.5 → mean 1.3 (by hand).
  EXPECT_NEAR(p.mean_over_years(2021, 2025), 1.3, 1e-15);
  EXPECT_NEAR(p.mean_over_years(2026, 2030), 1.8, 1e-15);
}

TEST(Fertility, RescaleToTfrAndMeanAge) {
  const std::vector<double> f = {0, 0, 0.05, 0.15, 0};  // five-year groups: TFR = 5·0.2 = 1
  EXPECT_NEAR(total_fertility(f, 5), 1.0, 1e-15);
  // Mean age at childbearing: (12.5·0.05 + 17.5·0.15) / 0.2 = 16.25.
  EXPECT_NEAR(mean_age_at_childbearing(f, 5), 16.25, 1e-12);
  const auto g = rescale_to_tfr(f, 5, 1.3);
  EXPECT_NEAR(g[2], 0.065, 1e-15);
  EXPECT_NEAR(g[3], 0.195, 1e-15);
}

TEST(Fertility, ShiftMovesTheMeanAgeByDelta) {
  // All births at 15–19 (index 3); a shift of 2 years moves 2/5 of them to 20–24 (hand: 0.6·f, 0.4·f).
  const std::vector<double> f = {0, 0, 0, 0.2, 0, 0, 0};
  const auto g = shift_schedule(f, 5, 2.0);
  EXPECT_NEAR(g[3], 0.12, 1e-15);
  EXPECT_NEAR(g[4], 0.08, 1e-15);
  EXPECT_NEAR(mean_age_at_childbearing(g, 5), 17.5 + 2.0, 1e-12);
  EXPECT_NEAR(total_fertility(g, 5), 1.0, 1e-15);
  // A backward shift of 7 years from 20–24 (midpoint 22.5): the new mean 15.5 lies 3/5 of the way from 12.5 to 17.5,
  // so 0.4 of the births go to index 2 and 0.6 to index 3.
  const auto h = shift_schedule(std::vector<double>{0, 0, 0, 0, 0.2, 0, 0}, 5, -7.0);
  EXPECT_NEAR(h[2], 0.2 * 0.4, 1e-15);
  EXPECT_NEAR(h[3], 0.2 * 0.6, 1e-15);
  EXPECT_NEAR(mean_age_at_childbearing(h, 5), 22.5 - 7.0, 1e-12);
}

namespace {
// Constant hazard μ on the abridged rows 0, 1–4, 5–9, …, open at 85: the table has l(x) = exp(−μx) exactly.
std::vector<double> constant_mx(double mu, const AgeGrid& grid) {
  return std::vector<double>(static_cast<std::size_t>(grid.life_table_rows()), mu);
}
}  // namespace

TEST(Mortality, BrassLogitAlphaZeroIsTheStandardAndLogitsDifferByAlpha) {
  const AgeGrid grid = AgeGrid::five_year(85);
  const auto mx = constant_mx(0.02, grid);
  const auto same = brass_logit_mx(mx, grid, Sex::female, 0.0);
  for (std::size_t k = 0; k < mx.size(); ++k) EXPECT_NEAR(same[k], mx[k], 1e-12 * mx[k]) << k;
  // With α = 0.3 the new l(x) obeys ½ ln((1−l)/l) = 0.3 + ½ ln((1−l_s)/l_s) at every row boundary; check at 5 and 40
  // against l_s(x) = exp(−0.02x) computed here by hand: l = 1 / (1 + e^{0.6}(1 − l_s)/l_s).
  const double alpha = 0.3;
  const auto mxa = brass_logit_mx(mx, grid, Sex::female, alpha);
  const LifeTable t = abridged_life_table(mxa, Sex::female);
  const LifeTable s = abridged_life_table(mx, Sex::female);
  for (double x : {5.0, 40.0}) {
    const double ls = s.lx[s.row_of_age(x)] / s.lx[0];
    const double want = 1.0 / (1.0 + std::exp(2 * alpha) * (1 - ls) / ls);
    // The engine rebuilds ax (Greville) from the new mx, so its l(x) differs from the logit's by < 1e-3.
    EXPECT_NEAR(t.lx[t.row_of_age(x)] / t.lx[0], want, 1e-3) << x;
  }
}

TEST(Mortality, BrassReachesTheTargetE0) {
  const AgeGrid grid = AgeGrid::five_year(85);
  const auto mx = constant_mx(0.02, grid);  // e0 = 1/μ = 50 for a pure constant hazard (open group included)
  EXPECT_NEAR(life_expectancy_at_birth(mx, grid, Sex::male), 50.0, 0.5);
  for (double target : {45.0, 55.0, 62.0}) {
    const double a = brass_alpha_for_e0(mx, grid, Sex::male, target);
    EXPECT_NEAR(life_expectancy_at_birth(brass_logit_mx(mx, grid, Sex::male, a), grid, Sex::male), target, 1e-8);
    EXPECT_EQ(a < 0, target > 50.0) << "lower alpha means lower mortality";
  }
  EXPECT_THROW(brass_alpha_for_e0(mx, grid, Sex::male, 0.001), InputError);
}

TEST(Mortality, BrassCarriesTheRateAboveTheOpenAge) {
  // Abridged rates to 100+ on a grid to 85+: the grid's rows (below 85, then l(85)/T(85) of the whole table) and one
  // row more, the table's own 85–89 rate (build_abridged_life_table_closed_above). e0 is the whole table's.
  const AgeGrid grid = AgeGrid::five_year(85);
  std::vector<double> m{0.021, 0.0018};
  for (int x = 5; x <= 100; x += 5) m.push_back(1.8e-4 + 2.3e-5 * std::exp(0.099 * (x + 2.5)));
  const LifeTable whole = abridged_life_table(m, Sex::female);
  std::vector<double> g(m.begin(), m.begin() + 18);
  g.push_back(whole.lx[18] / whole.Tx[18]);
  g.push_back(m[18]);
  EXPECT_NEAR(life_expectancy_at_birth(g, grid, Sex::female), whole.ex[0], 1e-11);
  // Without the row the last closed group's nax reads l(85)/T(85): another e0.
  EXPECT_GT(std::abs(life_expectancy_at_birth(std::span<const double>(g).first(19), grid, Sex::female) - whole.ex[0]),
            1e-4);
  // α moves the rate above the open age by the open rate's ratio; α = 0 gives it back.
  const auto same = brass_logit_mx(g, grid, Sex::female, 0.0);
  ASSERT_EQ(same.size(), 20u);
  EXPECT_NEAR(same[19], m[18], 1e-12 * m[18]);
  const auto moved = brass_logit_mx(g, grid, Sex::female, 0.2);
  EXPECT_NEAR(moved[19] / m[18], moved[18] / g[18], 1e-14);
  const double a = brass_alpha_for_e0(g, grid, Sex::female, 80.0);
  EXPECT_NEAR(life_expectancy_at_birth(brass_logit_mx(g, grid, Sex::female, a), grid, Sex::female), 80.0, 1e-8);
}

TEST(Mortality, LeeCarterWithUniformBx) {
  // m(x,t) = m(x,0)·exp(b·drift·t) with b = 1/n: n = 4 rows, drift −2, t = 10 → factor exp(−5).
  const std::vector<double> m = {0.01, 0.001, 0.002, 0.1};
  const auto out = lee_carter_mx(m, {}, -2.0, 10.0);
  for (std::size_t k = 0; k < m.size(); ++k) EXPECT_NEAR(out[k], m[k] * std::exp(-5.0), 1e-18) << k;
  const auto given = lee_carter_mx(m, std::vector<double>{0.5, 0.5, 0.0, 0.0}, -1.0, 2.0);
  EXPECT_NEAR(given[0], 0.01 * std::exp(-1.0), 1e-18);
  EXPECT_EQ(given[3], 0.1);
}

TEST(Migration, GreatCircleDistance) {
  // One degree of latitude on the IUGG mean sphere: 2π·6371.0088/360 = 111.19508 km.
  EXPECT_NEAR(great_circle_km(116.0, 39.0, 116.0, 40.0), 2 * std::numbers::pi * 6371.0088 / 360, 1e-9);
  // Quarter of the equator.
  EXPECT_NEAR(great_circle_km(0, 0, 90, 0), std::numbers::pi * 6371.0088 / 2, 1e-9);
}

TEST(Migration, ProductionConstrainedGravityByHand) {
  // Zones on a line at 0, 10, 30 km; masses 100, 200, 400; β = 1, γ = 1; out-rate 0.02 for zone 0.
  // Zone 0: w01 = 200/10 = 20, w02 = 400/30 = 13.333…; shares 0.6, 0.4 → rates 0.012, 0.008.
  const std::vector<double> dist = {0, 10, 30, 10, 0, 20, 30, 20, 0};
  const auto r = gravity_rates(std::vector<double>{0.02, 0.01, 0.0}, std::vector<double>{100, 200, 400}, dist, 1.0, 1.0);
  EXPECT_NEAR(r[1], 0.012, 1e-15);
  EXPECT_NEAR(r[2], 0.008, 1e-15);
  // Zone 1: w10 = 100/10 = 10, w12 = 400/20 = 20 → 1/3, 2/3 of 0.01.
  EXPECT_NEAR(r[3], 0.01 / 3, 1e-15);
  EXPECT_NEAR(r[5], 0.02 / 3, 1e-15);
  EXPECT_EQ(r[0], 0.0);
  EXPECT_EQ(r[6] + r[7], 0.0);
}
