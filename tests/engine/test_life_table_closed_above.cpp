// SPDX-License-Identifier: Apache-2.0
// The grid's abridged table of rates given past its open age (build_abridged_life_table_closed_above): DemoTools'
// lt_abridged(…, OAnew = w) order, the whole table first, then cut at w.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "cohortgis/engine/life_table.hpp"
#include "cohortgis/engine/types.hpp"

namespace cohortgis {
namespace {

std::uint64_t bits(double x) { return std::bit_cast<std::uint64_t>(x); }

// Abridged rates 0, 1, 5, …, 100+ (22 rows): a logistic adult curve, as the UN's tables to 130+ look.
std::vector<double> rates_to_100() {
  std::vector<double> m{0.021, 0.0018};
  for (int x = 5; x <= 100; x += 5) {
    const double e = 2.3e-5 * std::exp(0.099 * (x + 2.5));
    m.push_back(1.8e-4 + e / (1.0 + 0.9 * e));
  }
  return m;
}

// The rates of rows 0 … w−5 and the whole table's open rate l(w) / T(w) at w = 85 (row 18): the grid's schedule.
std::vector<double> closed_at_85(const std::vector<double>& m, const LifeTable& whole) {
  std::vector<double> g(m.begin(), m.begin() + 18);
  g.push_back(whole.lx[18] / whole.Tx[18]);
  return g;
}

TEST(AbridgedLifeTableClosedAbove, LastClosedGroupTakesTheTablesOwnNextRate) {
  const std::vector<double> m = rates_to_100();
  const LifeTable whole = abridged_life_table(m, Sex::female);
  const std::vector<double> g = closed_at_85(m, whole);
  LifeTable t;
  build_abridged_life_table_closed_above(g, m[18], Sex::female, {}, t);
  ASSERT_EQ(t.rows(), 19u);
  // 80–84 (row 17) by hand: 2.5 − (25/12)(m80 − ln(m85 / m75) / 10), m85 the table's 85–89 rate, not l(85) / T(85).
  const double hand = 2.5 - (25.0 / 12.0) * (m[17] - std::log(m[18] / m[16]) / 10.0);
  EXPECT_NEAR(t.ax[17], hand, 1e-13);
  EXPECT_NEAR(t.ax[17], 2.5335127, 1e-6);  // the value, so a formula changed on both sides still fails
  // Rows below w are the whole table's to the bit; l(85) too; the open row's L is T(85) of the whole table.
  for (std::size_t i = 0; i < 18; ++i) {
    EXPECT_EQ(bits(t.ax[i]), bits(whole.ax[i])) << "row " << i;
    EXPECT_EQ(bits(t.Lx[i]), bits(whole.Lx[i])) << "row " << i;
  }
  EXPECT_EQ(bits(t.lx[18]), bits(whole.lx[18]));
  EXPECT_NEAR(t.Lx[18] / whole.Tx[18], 1.0, 1e-14);
  EXPECT_NEAR(t.ex[0] / whole.ex[0], 1.0, 1e-14);
  // The table closed the other way (Greville's m_next = l(85) / T(85)) is not it: 0.37 % on 5L80, 0.17 % on T85.
  const LifeTable old = abridged_life_table(g, Sex::female);
  EXPECT_GT(std::abs(old.Lx[17] / whole.Lx[17] - 1.0), 3e-3);
  EXPECT_GT(std::abs(old.Lx[18] / whole.Tx[18] - 1.0), 1e-3);
}

TEST(AbridgedLifeTableClosedAbove, WithoutARateAboveItIsTheGridsTable) {
  const std::vector<double> m = rates_to_100();
  const std::vector<double> g(m.begin(), m.begin() + 19);  // a table that ends at 85+: 85–89's rate as the open one
  const LifeTable plain = abridged_life_table(g, Sex::male);
  for (double next : {std::numeric_limits<double>::quiet_NaN(), g.back()}) {  // none, or its own open rate
    LifeTable t;
    build_abridged_life_table_closed_above(g, next, Sex::male, {}, t);
    for (std::size_t i = 0; i < t.rows(); ++i) {
      EXPECT_EQ(bits(t.ax[i]), bits(plain.ax[i])) << "row " << i;
      EXPECT_EQ(bits(t.Lx[i]), bits(plain.Lx[i])) << "row " << i;
    }
  }
  LifeTable t;
  EXPECT_THROW(build_abridged_life_table_closed_above(g, -1.0, Sex::male, {}, t), InputError);
  EXPECT_THROW(build_abridged_life_table_closed_above(g, std::numeric_limits<double>::infinity(), Sex::male, {}, t),
               InputError);
}

TEST(AbridgedLifeTableClosedAbove, MidpointTablesDoNotReadIt) {
  const std::vector<double> m = rates_to_100();
  const LifeTable whole = abridged_life_table(m, Sex::female);
  const std::vector<double> g = closed_at_85(m, whole);
  LifeTableMethod mid;
  mid.ax_method = AxMethod::midpoint;
  LifeTable t;
  build_abridged_life_table_closed_above(g, m[18], Sex::female, mid, t);
  EXPECT_EQ(t.ax[17], 2.5);
  EXPECT_EQ(bits(t.Lx[17]), bits(abridged_life_table(g, Sex::female, mid).Lx[17]));
}

}  // namespace
}  // namespace cohortgis
