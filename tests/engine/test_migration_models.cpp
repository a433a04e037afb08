// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <cmath>

#include "cohortgis/engine/migration_models.hpp"

using namespace cohortgis;

// Only the constant term: every single year gets the same share; the open group (20 years wide) 20 times that.
TEST(RogersCastro, ConstantScheduleIsUniform) {
  RogersCastro p;
  p.a1 = 0;
  p.a2 = 0;
  p.c = 0.01;
  const auto s = rogers_castro_age_shares(AgeGrid::single_year(10), p);
  const double unit = 1.0 / (10 + 20);
  for (int i = 0; i < 10; ++i) EXPECT_NEAR(s[static_cast<std::size_t>(i)], unit, 1e-15);
  EXPECT_NEAR(s[10], 20 * unit, 1e-14);
}

// The labour-force curve peaks where its derivative vanishes: x* = μ2 + ln(λ2/α2)/λ2 (Rogers & Castro 1981).
TEST(RogersCastro, LabourForcePeakAtAnalyticAge) {
  RogersCastro p;
  p.a1 = 0;
  p.c = 0;
  const double peak = p.mu2 + std::log(p.lambda2 / p.alpha2) / p.lambda2;  // 20 + ln 4 / 0.4 = 23.466
  EXPECT_NEAR(peak, 23.4657359, 1e-6);
  EXPECT_GT(p.at(peak), p.at(peak - 0.01));
  EXPECT_GT(p.at(peak), p.at(peak + 0.01));
  const auto s = rogers_castro_age_shares(AgeGrid::single_year(100), p);
  std::size_t best = 0;
  for (std::size_t i = 1; i < s.size(); ++i)
    if (s[i] > s[best]) best = i;
  EXPECT_EQ(best, 23u);  // the year of age [23, 24) holds the peak
  double sum = 0;
  for (double v : s) sum += v;
  EXPECT_NEAR(sum, 1.0, 1e-14);
}

// Childhood component alone: shares of ages [0,5) and [5,10) on a five-year grid are in ratio e^{−5α1}.
TEST(RogersCastro, ChildhoodComponentDecaysExponentially) {
  RogersCastro p;
  p.a2 = 0;
  p.c = 0;
  const auto s = rogers_castro_age_shares(AgeGrid::five_year(50), p);
  EXPECT_NEAR(s[1] / s[0], std::exp(-5 * p.alpha1), 1e-9);
  p.alpha1 = -1;
  EXPECT_THROW(rogers_castro_age_shares(AgeGrid::five_year(50), p), InputError);
}
