// SPDX-License-Identifier: Apache-2.0
// single_year_step_mortality: a one-year step's S, φ, e0 and e65 against the full single-year life table, bit for
// bit, and against the constant-hazard closed forms (split from test_life_table.cpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "cohortgis/engine/life_table.hpp"
#include "cohortgis/engine/types.hpp"
#include "error_of.hpp"

namespace cohortgis {
using cohortgis::test::error_of;

namespace {
// ---------------------------------------------------------------------------------------------------------------
// single_year_step_mortality: S, φ, e0 and e65 of a one-year step are the bits of the full table's columns
// (build_single_year_life_table + survival_ratios + age_period_death_split), and analytic under constant hazards.
// ---------------------------------------------------------------------------------------------------------------

struct StepMortality {
  std::vector<double> S, phi;
  double e0 = -1.0, e65 = -1.0;  // -1: not written
};

StepMortality full_table_step(const std::vector<double>& mx, Sex sex, const LifeTableMethod& method, int open_age) {
  StepMortality r;
  const LifeTable lt = single_year_life_table(mx, sex, method);
  const AgeGrid grid = AgeGrid::single_year(open_age);
  r.S.assign(static_cast<std::size_t>(open_age) + 1, 0.0);
  r.phi.assign(static_cast<std::size_t>(open_age), 0.0);
  survival_ratios(lt, grid, r.S);
  age_period_death_split(lt, open_age, r.phi);
  r.e0 = lt.ex[0];
  if (lt.rows() > 65) r.e65 = lt.ex[65];
  return r;
}

TEST(SingleYearLifeTable, StepMortalityIsTheFullTablesBits) {
  std::vector<double> male(101);
  for (std::size_t x = 0; x < male.size(); ++x) male[x] = 0.00025 * std::exp(0.088 * static_cast<double>(x));
  male[0] = 0.031;
  std::vector<double> steep = male;  // a·m > 1 from age 92: the constant-hazard fallback rows
  for (std::size_t x = 92; x < steep.size(); ++x) steep[x] = 2.5 + 0.2 * static_cast<double>(x - 92);
  std::vector<double> with_zero = male;
  with_zero[10] = with_zero[11] = 0.0;  // zero rates below the open age: φ_10 = 0/0, taken as 1
  LifeTableMethod cd;
  cd.a0_rule = A0Rule::coale_demeny;
  LifeTableMethod imr = cd;
  imr.infant_mortality_q0 = 0.04;
  auto check = [](const std::vector<double>& mx, const LifeTableMethod& method, int open_age, const char* what) {
    for (Sex sex : {Sex::female, Sex::male}) {
      const StepMortality want = full_table_step(mx, sex, method, open_age);
      StepMortality got;
      got.S.assign(want.S.size(), -1.0);
      got.phi.assign(want.phi.size(), -1.0);
      LifeTable scratch;
      ASSERT_TRUE(single_year_step_mortality(mx, sex, method, open_age, scratch, got.S, got.phi, got.e0, got.e65))
          << what;
      for (std::size_t i = 0; i < want.S.size(); ++i) EXPECT_EQ(got.S[i], want.S[i]) << what << " S age " << i;
      for (std::size_t i = 0; i < want.phi.size(); ++i) EXPECT_EQ(got.phi[i], want.phi[i]) << what << " phi " << i;
      EXPECT_EQ(got.e0, want.e0) << what;
      EXPECT_EQ(got.e65, want.e65) << what;  // -1 (left as it was) when the table has no row at 65
      // Without φ; and in place, S over the mx row itself (the lean step's survival ratios in the schedule).
      std::vector<double> row = mx;
      double e0 = 0.0, e65 = 0.0;
      ASSERT_TRUE(single_year_step_mortality(row, sex, method, open_age, scratch,
                                             std::span<double>(row).first(want.S.size()), {}, e0, e65))
          << what;
      for (std::size_t i = 0; i < want.S.size(); ++i) EXPECT_EQ(row[i], want.S[i]) << what << " in place, age " << i;
      EXPECT_EQ(e0, want.e0) << what;
    }
  };
  check(male, LifeTableMethod{}, 100, "Gompertz, AK");
  check(male, cd, 100, "Gompertz, CD");
  check(male, imr, 100, "Gompertz, IMR");
  check(steep, LifeTableMethod{}, 100, "fallback rows");
  check(with_zero, LifeTableMethod{}, 100, "zero rates at 10 and 11");
  EXPECT_EQ(full_table_step(with_zero, Sex::male, LifeTableMethod{}, 100).phi[10], 1.0);  // the 0/0 case is met
  check(male, LifeTableMethod{}, 85, "table beyond the grid's open age (T_85 summed from 100 down)");
  check(std::vector<double>(male.begin(), male.begin() + 66), LifeTableMethod{}, 65, "open row at 65");
  check(std::vector<double>(male.begin(), male.begin() + 41), LifeTableMethod{}, 40, "open row at 40 (no e65)");
}

// Constant hazard μ with a = 1/2 from age 1: l_{x+1}/l_x = r = (1 − μ/2)/(1 + μ/2), L_x = l_x (1 + r)/2, so
// S_x = r and φ_x = (L_x − l_{x+1}) / (L_x − L_{x+1}) = 1/(1 + r) for 1 ≤ x < w − 1; the open group has
// T_w = l_w / μ, so S_w = T_w / (L_{w−1} + T_w) = (r/μ) / ((1 + r)/2 + r/μ).
TEST(SingleYearLifeTable, StepMortalityConstantHazard) {
  const double mu = 0.02, r = (1.0 - mu / 2.0) / (1.0 + mu / 2.0);
  const std::vector<double> mx(101, mu);
  std::vector<double> S(101), phi(100);
  LifeTable scratch;
  double e0 = 0.0, e65 = 0.0;
  ASSERT_TRUE(single_year_step_mortality(mx, Sex::female, LifeTableMethod{}, 100, scratch, S, phi, e0, e65));
  for (std::size_t x = 2; x < 100; ++x) EXPECT_NEAR(S[x], r, 1e-14) << "age " << x;
  for (std::size_t x = 1; x < 99; ++x) EXPECT_NEAR(phi[x], 1.0 / (1.0 + r), 1e-12) << "age " << x;
  EXPECT_NEAR(S[100], (r / mu) / ((1.0 + r) / 2.0 + r / mu), 1e-14);
  EXPECT_NEAR(e65, 1.0 / mu, 1e-9);
  EXPECT_NEAR(e0, 1.0 / mu, 1e-9);
}

// Inputs the table or the survival ratios refuse: false, and nothing written (the caller builds the full table for
// its error).
TEST(SingleYearLifeTable, StepMortalityRefusesWhatTheTableRefuses) {
  std::vector<double> mx(101, 0.02);
  LifeTableMethod bad_radix;
  bad_radix.radix = 0.0;
  LifeTableMethod bad_imr;
  bad_imr.infant_mortality_q0 = 1.0;
  std::vector<double> open_zero = mx, negative = mx, infinite = mx, no_survivors = mx;
  open_zero[100] = 0.0;
  negative[40] = -0.001;
  infinite[0] = std::numeric_limits<double>::infinity();
  no_survivors[30] = 1e300;  // q = 1 (fallback): l_31 = 0, so L_31 = 0 and survival_ratios refuses it
  EXPECT_NE(error_of([&] {
              std::vector<double> S(101);
              survival_ratios(single_year_life_table(no_survivors, Sex::male), AgeGrid::single_year(100), S);
            }),
            "<no exception>");
  struct Bad {
    const std::vector<double>* mx;
    LifeTableMethod method;
    int open_age;
    std::size_t S_size;
  };
  for (const Bad& b : {Bad{&open_zero, {}, 100, 101}, Bad{&negative, {}, 100, 101}, Bad{&infinite, {}, 100, 101},
                       Bad{&no_survivors, {}, 100, 101}, Bad{&mx, bad_radix, 100, 101}, Bad{&mx, bad_imr, 100, 101},
                       Bad{&mx, {}, 100, 100}, Bad{&mx, {}, 101, 102}, Bad{&mx, {}, 1, 2}}) {
    std::vector<double> S(b.S_size, -1.0), phi(b.S_size - 1, -1.0);
    double e0 = -1.0, e65 = -1.0;
    LifeTable scratch;
    EXPECT_FALSE(single_year_step_mortality(*b.mx, Sex::male, b.method, b.open_age, scratch, S, phi, e0, e65));
    EXPECT_TRUE(std::all_of(S.begin(), S.end(), [](double v) { return v == -1.0; }));
    EXPECT_TRUE(std::all_of(phi.begin(), phi.end(), [](double v) { return v == -1.0; }));
    EXPECT_EQ(e0, -1.0);
    EXPECT_EQ(e65, -1.0);
  }
}

}  // namespace
}  // namespace cohortgis
