// SPDX-License-Identifier: Apache-2.0
// Iterative proportional fitting: a 2×2 case solved by hand, margins met to 1e-9 on a larger table with a known
// count, cells the margins force to 0 (by hand), and the errors for inconsistent margins, an empty bucket and margins
// no table can meet.
#include <gtest/gtest.h>

#include <cmath>

#include "cohortgis/engine/fitting.hpp"

using namespace cohortgis;

namespace {
// Rows and columns of a 2×2 table stored row by row.
FitMargin rows(double r0, double r1) { return {"rows", {0, 0, 1, 1}, {r0, r1}, {"row 0", "row 1"}}; }
FitMargin cols(double c0, double c1) { return {"columns", {0, 1, 0, 1}, {c0, c1}, {"column 0", "column 1"}}; }

std::string message_of(const std::vector<double>& seed, const std::vector<FitMargin>& m) {
  try {
    fit_proportional(seed, m);
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}
}  // namespace

// IPF keeps the seed's odds ratio: seed [[1, 2], [3, 4]] has (1·4)/(2·3) = 2/3. The table with rows 5, 8, columns
// 6, 7 and that odds ratio is [[2, 3], [4, 4]] (2·4 / (3·4) = 2/3), and it is the only one: x11 = a solves
// a(a + 2) = (2/3)(5 − a)(6 − a), i.e. a² + 28a − 60 = 0, a = 2.
TEST(Fitting, TwoByTwoByHand) {
  const FitResult r = fit_proportional({1, 2, 3, 4}, {rows(5, 8), cols(6, 7)});
  ASSERT_EQ(r.cells.size(), 4u);
  EXPECT_NEAR(r.cells[0], 2.0, 1e-9);
  EXPECT_NEAR(r.cells[1], 3.0, 1e-9);
  EXPECT_NEAR(r.cells[2], 4.0, 1e-9);
  EXPECT_NEAR(r.cells[3], 4.0, 1e-9);
  EXPECT_GT(r.iterations, 1);
  EXPECT_LE(r.max_relative_gap, 1e-11);
}

// A seed that already meets the margins is returned after one sweep, unchanged.
TEST(Fitting, SeedMeetingTheMarginsIsKept) {
  const FitResult r = fit_proportional({2, 3, 4, 4}, {rows(5, 8), cols(6, 7)});
  EXPECT_EQ(r.iterations, 1);
  EXPECT_NEAR(r.cells[1], 3.0, 1e-12);
}

// zone (3) × group (2) × age (4): census by zone × age, totals by zone × group, and a known count of group 0 at the
// two oldest ages over all zones. Every bucket of every margin is met to 1e-9 relative.
TEST(Fitting, MarginsMetTo1e9WithAKnownCount) {
  const int Z = 3, G = 2, A = 4;
  auto cell = [&](int z, int g, int a) { return static_cast<std::size_t>((z * G + g) * A + a); };
  std::vector<double> seed(static_cast<std::size_t>(Z * G * A));
  for (int z = 0; z < Z; ++z)
    for (int g = 0; g < G; ++g)
      for (int a = 0; a < A; ++a) seed[cell(z, g, a)] = 1.0 + 0.3 * a * (g == 0 ? 1 : -0.5) + 0.1 * z + 0.05 * a * a;
  FitMargin census{"zone x age", std::vector<int>(seed.size()), {}, {}};
  FitMargin totals{"zone x group", std::vector<int>(seed.size()), {}, {}};
  FitMargin known{"group 0 at ages 2-3", std::vector<int>(seed.size(), -1), {310.0}, {"all zones"}};
  const double census_cells[3][4] = {{120, 110, 90, 60}, {200, 180, 150, 100}, {80, 70, 65, 55}};
  for (int z = 0; z < Z; ++z) {
    double zone_total = 0;
    for (int a = 0; a < A; ++a) {
      census.target.push_back(census_cells[z][a]);
      zone_total += census_cells[z][a];
    }
    totals.target.push_back(0.55 * zone_total);
    totals.target.push_back(0.45 * zone_total);
    for (int g = 0; g < G; ++g)
      for (int a = 0; a < A; ++a) {
        census.bucket[cell(z, g, a)] = z * A + a;
        totals.bucket[cell(z, g, a)] = z * G + g;
        if (g == 0 && a >= 2) known.bucket[cell(z, g, a)] = 0;
      }
  }
  const std::vector<FitMargin> margins = {census, totals, known};
  const FitResult r = fit_proportional(seed, margins);
  EXPECT_GT(r.iterations, 2);
  for (const FitMargin& m : margins) {
    std::vector<double> sums(m.target.size(), 0.0);
    for (std::size_t c = 0; c < r.cells.size(); ++c) {
      EXPECT_GE(r.cells[c], 0.0);
      if (m.bucket[c] >= 0) sums[static_cast<std::size_t>(m.bucket[c])] += r.cells[c];
    }
    for (std::size_t b = 0; b < sums.size(); ++b)
      EXPECT_LE(std::abs(sums[b] - m.target[b]), 1e-9 * m.target[b]) << m.name << " bucket " << b;
  }
}

// Row totals 13, column totals 14: no table has both; the message names both margins and both sums.
TEST(Fitting, InconsistentMarginsNameBothSums) {
  const std::string msg = message_of({1, 2, 3, 4}, {rows(5, 8), cols(6, 8)});
  EXPECT_NE(msg.find("margins 'rows' and 'columns'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("13 and 14"), std::string::npos) << msg;
}

// A known count for cell (0, 0) of 10 while row 0 holds 5: each sweep undoes the other; the fit fails after the
// sweeps allowed and names the margin with the largest gap.
TEST(Fitting, MarginsNoTableMeetsDoNotConverge) {
  FitMargin known{"known", {0, -1, -1, -1}, {10.0}, {"cell (0, 0)"}};
  try {
    fit_proportional({1, 2, 3, 4}, {rows(5, 8), cols(6, 7), known}, {.tolerance = 1e-11, .max_iterations = 200});
    FAIL() << "expected an error";
  } catch (const InputError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("did not converge after 200 sweeps"), std::string::npos) << msg;
  }
}

// Cells 0 and 1 total 100 and cell 0 alone is known to be 100: the one table that meets both has cell 1 at 0, which
// the sweeps alone approach as 100 / k (c' = 100 c / (100 + c)) and never reach (round 27: "did not converge"). The
// two margins force cell 1 to 0; set so, the fit converges to [100, 0].
TEST(Fitting, CellTheMarginsForceToZeroIsSetSo) {
  FitMargin both{"both", {0, 0}, {100.0}, {"cells 0 and 1"}};
  FitMargin known{"known", {0, -1}, {100.0}, {"cell 0"}};
  const FitResult r = fit_proportional({1, 1}, {both, known}, {.tolerance = 1e-11, .max_iterations = 200});
  EXPECT_EQ(r.cells[0], 100.0);
  EXPECT_EQ(r.cells[1], 0.0);
  EXPECT_LE(r.max_relative_gap, 1e-11);
}

// zone (2) × group (2) × age (2), census by zone × age [[60, 40], [30, 70]], group totals by zone [[70, 30], [80,
// 20]], and a known count of group 0 at age 1 of 110: the whole area's age-1 total (40 + 70), which leaves group 1
// none at age 1. By hand: zone 0 group 0 age 1 = 40, age 0 = 70 − 40 = 30, group 1 age 0 = 30 (60 − 30); zone 1
// group 0 age 1 = 70, age 0 = 80 − 70 = 10, group 1 age 0 = 20; the one table, whatever the seed. A count of 111
// (more than the cells hold) still fails as before.
TEST(Fitting, KnownCountOfTheWholeAreaFitsTheTableByHand) {
  auto cell = [](int z, int g, int a) { return static_cast<std::size_t>((z * 2 + g) * 2 + a); };
  FitMargin census{"zone x age", std::vector<int>(8), {60, 40, 30, 70}, {}};
  FitMargin totals{"zone x group", std::vector<int>(8), {70, 30, 80, 20}, {}};
  FitMargin known{"group 0 at age 1", std::vector<int>(8, -1), {110}, {"all zones"}};
  for (int z = 0; z < 2; ++z)
    for (int g = 0; g < 2; ++g)
      for (int a = 0; a < 2; ++a) {
        census.bucket[cell(z, g, a)] = z * 2 + a;
        totals.bucket[cell(z, g, a)] = z * 2 + g;
        if (g == 0 && a == 1) known.bucket[cell(z, g, a)] = 0;
      }
  const std::vector<double> seed = {1, 2, 3, 4, 5, 6, 7, 8};
  const FitResult r = fit_proportional(seed, {census, totals, known});
  const double want[8] = {30, 40, 30, 0, 10, 70, 20, 0};
  for (std::size_t c = 0; c < 8; ++c) EXPECT_NEAR(r.cells[c], want[c], 1e-9 * 70) << "cell " << c;
  EXPECT_EQ(r.cells[cell(0, 1, 1)], 0.0);
  EXPECT_EQ(r.cells[cell(1, 1, 1)], 0.0);
  known.target[0] = 111;
  try {
    fit_proportional(seed, {census, totals, known}, {.tolerance = 1e-11, .max_iterations = 300});
    FAIL() << "expected an error";
  } catch (const InputError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("did not converge after 300 sweeps"), std::string::npos) << msg;
    EXPECT_NE(msg.find("either the margins contradict each other"), std::string::npos) << msg;
  }
}

TEST(Fitting, PositiveTotalOverZeroSeedIsAnError) {
  const std::string msg = message_of({0, 0, 3, 4}, {rows(5, 8)});
  EXPECT_NE(msg.find("margin 'rows', row 0: the total is 5 but every cell"), std::string::npos) << msg;
}

TEST(Fitting, NegativeTotalIsAnError) {
  const std::string msg = message_of({1, 2, 3, 4}, {rows(-5, 8)});
  EXPECT_NE(msg.find("margin 'rows', row 0: the total is -5"), std::string::npos) << msg;
}

// A zero total empties its cells exactly.
TEST(Fitting, ZeroTotalGivesExactZeros) {
  const FitResult r = fit_proportional({1, 2, 3, 4}, {rows(0, 8), cols(3, 5)});
  EXPECT_EQ(r.cells[0], 0.0);
  EXPECT_EQ(r.cells[1], 0.0);
  EXPECT_NEAR(r.cells[2], 3.0, 1e-9);
  EXPECT_NEAR(r.cells[3], 5.0, 1e-9);
}
