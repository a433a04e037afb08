// SPDX-License-Identifier: Apache-2.0
// Abridged tables after round 22's rewrite (Greville nax in three passes; the five-year step's S, e0 and e65 without
// the table's other columns): every column of build_abridged_life_table and every output of abridged_step_mortality
// bit for bit as the straightforward formulas give them, one loop per row with the table's own widths and std::fmax
// (the code before the rewrite), and any input the table or the ratios would refuse makes the step refuse without
// writing anything (the caller then builds the table, which reports the error).
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "../../engine/src/life_table_detail.hpp"
#include "cohortgis/engine/life_table.hpp"

namespace cohortgis {
namespace {

std::uint64_t bits(double x) { return std::bit_cast<std::uint64_t>(x); }

// WPP-like abridged rates, 22 rows: 0, 1–4, …, 95–99, 100+.
const std::vector<double> kBase{0.23669, 0.04672, 0.00982, 0.00511, 0.00697, 0.01036, 0.01169, 0.01332,
                                0.01528, 0.01757, 0.02092, 0.02517, 0.03225, 0.04241, 0.06056, 0.08574,
                                0.11840, 0.16226, 0.23745, 0.31,    0.42,    0.55};

struct Ref {
  std::vector<double> a, q, l, L, T, e, S;
};

// The table and the five-year ratios as one loop per row computes them, the widths read from a width column.
Ref straightforward(const std::vector<double>& mx, Sex sex, const LifeTableMethod& method, std::size_t S_ages) {
  const std::size_t rows = mx.size(), w = rows - 1;
  std::vector<double> n(rows, 5.0);
  n[0] = 1.0;
  n[1] = 4.0;
  n[w] = 0.0;
  Ref r;
  r.a.assign(rows, 0.0);
  r.q.assign(rows, 0.0);
  r.l.assign(rows, 0.0);
  r.L.assign(rows, 0.0);
  r.T.assign(rows, 0.0);
  r.e.assign(rows, 0.0);
  r.a[0] = infant_a0(method.a0_rule, sex, method.region, mx[0], method.infant_mortality_q0);
  double a0 = 0.0;  // Coale–Demeny 4a1: not rewritten, only moved (the published tables' tests pin it)
  detail::abridged_a0_and_4a1(mx[0], sex, method, a0, r.a[1]);
  for (std::size_t i = 2; i < w; ++i) {
    const bool greville = method.ax_method == AxMethod::greville && (i >= 4 || method.greville_from_age_5);
    if (!greville) {
      r.a[i] = 0.5 * n[i];
      continue;
    }
    const double n_next = i + 1 == w ? n[i] : n[i + 1];
    const double k = std::log(std::fmax(mx[i + 1], DBL_MIN) / std::fmax(mx[i - 1], DBL_MIN)) /
                     (0.5 * n[i - 1] + n[i] + 0.5 * n_next);
    double a = 0.5 * n[i] - (n[i] * n[i] / 12.0) * (mx[i] - k);
    // DemoTools' guard from 10–14 on (lt_id_morq_a_greville: Age >= 10); at 5–9 an undefined nax takes the constant
    // hazard and a negative one n/2 (lt_a_un's patch, R/nAx.R:847-850).
    if (i == 2 && a < 0.0)
      a = 0.5 * n[i];
    else if (!std::isfinite(a) || (i >= 3 && (a < 0.4 * n[i] || a > 0.6 * n[i])))
      a = detail::constant_hazard_ax(n[i], mx[i]);
    r.a[i] = a;
  }
  if (method.infant_mortality_q0)
    r.q[0] = *method.infant_mortality_q0;
  else
    detail::q_from_m(n[0], mx[0], r.a[0], r.q[0]);
  for (std::size_t i = 1; i < w; ++i) detail::q_from_m(n[i], mx[i], r.a[i], r.q[i]);
  r.q[w] = 1.0;
  r.a[w] = 1.0 / mx[w];
  r.l[0] = method.radix;
  for (std::size_t i = 0; i < w; ++i) {
    r.l[i + 1] = r.l[i] * (1.0 - r.q[i]);
    const double d = r.l[i] - r.l[i + 1];
    r.L[i] = n[i] * r.l[i + 1] + r.a[i] * d;
  }
  r.L[w] = r.l[w] / mx[w];
  double T = 0.0;
  for (std::size_t k = rows; k-- > 0;) {
    T += r.L[k];
    r.T[k] = T;
    r.e[k] = r.l[k] > 0.0 ? T / r.l[k] : 0.0;
  }
  // A1 on the five-year grid: 5L0 = 1L0 + 4L1, each group's L over the one before (carried), the open group by T.
  if (S_ages > 0) {
    const std::size_t wg = S_ages - 1;
    r.S.assign(S_ages, 0.0);
    const double L0_5 = r.L[0] + r.L[1];
    r.S[0] = L0_5 / (5.0 * r.l[0]);
    double prev = L0_5;
    for (std::size_t i = 1; i < wg; ++i) {
      r.S[i] = r.L[i + 1] / prev;
      prev = r.L[i + 1];
    }
    r.S[wg] = r.T[wg + 1] / (prev + r.T[wg + 1]);
  }
  return r;
}

// Rates the tests run: scaled rows, zero rates (the DBL_MIN floor, 0/0 logs), rates where the Greville guard or the
// q > 1 fallback fires (a·m > 1 near the top), a high m0 (Coale–Demeny's constant branch).
std::vector<std::vector<double>> rate_sets() {
  std::vector<std::vector<double>> sets;
  for (int variant = 0; variant < 5; ++variant) {
    std::vector<double> mx = kBase;
    for (std::size_t i = 0; i < mx.size(); ++i) mx[i] *= 1.0 + 0.013 * static_cast<double>((i * 7 + variant) % 5);
    sets.push_back(mx);
  }
  std::vector<double> zeros = kBase;
  zeros[6] = 0.0;
  zeros[3] = -0.0;
  zeros[4] = 0.0;
  sets.push_back(zeros);
  std::vector<double> steep = kBase;
  for (std::size_t i = 17; i < steep.size(); ++i) steep[i] = 0.3 + 0.25 * static_cast<double>(i - 17);
  sets.push_back(steep);
  std::vector<double> young = kBase;
  young[0] = 0.35;
  young[1] = 0.9;  // 4a1's constant branch, q(1–4) from the fallback
  young[2] = 1e-7;
  sets.push_back(young);
  return sets;
}

std::vector<LifeTableMethod> methods() {
  std::vector<LifeTableMethod> all(8);
  all[1].greville_from_age_5 = false;
  all[2].ax_method = AxMethod::midpoint;
  all[3].a0_rule = A0Rule::coale_demeny;
  all[3].region = CoaleDemenyRegion::east;
  all[4].infant_mortality_q0 = 0.05;
  all[5].a0_rule = A0Rule::coale_demeny;
  all[5].infant_mortality_q0 = 0.12;
  all[6].radix = 1.0;
  all[7].greville_from_age_5 = false;
  all[7].a0_rule = A0Rule::coale_demeny;
  all[7].region = CoaleDemenyRegion::south;
  return all;
}

TEST(AbridgedStepMortality, TableAndStepAreTheStraightforwardFormulasBits) {
  int compared = 0, guarded = 0;
  for (const auto& rates : rate_sets())
    for (const LifeTableMethod& method : methods())
      for (Sex sex : {Sex::female, Sex::male})
        // The full grid to 100+, a shorter one (70+: 16 rows), and e0/e65 only (S empty) on 18 rows.
        for (std::size_t rows : {22u, 16u, 18u}) {
          std::vector<double> mx(rates.begin(), rates.begin() + static_cast<std::ptrdiff_t>(rows));
          mx[rows - 1] = rates.back();
          const std::size_t S_ages = rows == 18 ? 0 : rows - 1;
          const std::string what = "rates " + std::to_string(compared) + ", rows " + std::to_string(rows) + ", " +
                                   (sex == Sex::female ? "female" : "male");
          const LifeTable lt = abridged_life_table(mx, sex, method);
          const Ref r = straightforward(mx, sex, method, S_ages);
          for (std::size_t i = 0; i < rows; ++i) ASSERT_EQ(bits(lt.ax[i]), bits(r.a[i])) << what << " ax row " << i;
          for (std::size_t i = 0; i < rows; ++i) ASSERT_EQ(bits(lt.qx[i]), bits(r.q[i])) << what << " qx row " << i;
          for (std::size_t i = 0; i < rows; ++i) ASSERT_EQ(bits(lt.lx[i]), bits(r.l[i])) << what << " lx row " << i;
          for (std::size_t i = 0; i < rows; ++i) ASSERT_EQ(bits(lt.Lx[i]), bits(r.L[i])) << what << " Lx row " << i;
          for (std::size_t i = 0; i < rows; ++i) ASSERT_EQ(bits(lt.ex[i]), bits(r.e[i])) << what << " ex row " << i;
          for (std::size_t i = 4; i + 1 < rows; ++i) guarded += r.a[i] < 2.0 || r.a[i] > 3.0 ? 1 : 0;
          // The step's outputs, into their own vector and over the rates themselves (the lean step's S in place).
          for (bool in_place : {false, true}) {
            std::vector<double> rates_in = mx, own(S_ages, -1.0);
            const std::span<double> S = S_ages == 0 ? std::span<double>()
                                        : in_place  ? std::span<double>(rates_in).first(S_ages)
                                                    : std::span<double>(own);
            double e0 = -1.0, e65 = -1.0;
            LifeTable scratch;
            const int open_index = S_ages == 0 ? 0 : static_cast<int>(S_ages) - 1;
            ASSERT_TRUE(detail::abridged_step_mortality(rates_in, sex, method, open_index, scratch, S, e0, e65))
                << what;
            EXPECT_EQ(bits(e0), bits(r.e[0])) << what;
            EXPECT_EQ(bits(e65), bits(r.e[14])) << what;
            for (std::size_t i = 0; i < S_ages; ++i) EXPECT_EQ(bits(S[i]), bits(r.S[i])) << what << " S age " << i;
            // The table's own ratios agree (survival_ratios of the table's Lx).
            if (rows == 22) {
              std::vector<double> S_table(21);
              survival_ratios(lt, AgeGrid::five_year(100), S_table);
              for (std::size_t i = 0; i < 21; ++i) EXPECT_EQ(bits(S[i]), bits(S_table[i])) << what << " age " << i;
            }
          }
          ++compared;
        }
  EXPECT_EQ(compared, 8 * 8 * 2 * 3);
  EXPECT_GT(guarded, 20);  // the guard's constant hazard was taken
}

TEST(AbridgedStepMortality, RefusesWithoutWritingWhatTheTableOrTheRatiosRefuse) {
  const auto try_step = [](const std::vector<double>& mx, const LifeTableMethod& method, int open_index,
                           std::size_t S_ages) {
    std::vector<double> S(S_ages, -1.0);
    double e0 = -1.0, e65 = -1.0;
    LifeTable scratch;
    const bool built = detail::abridged_step_mortality(mx, Sex::male, method, open_index, scratch, S, e0, e65);
    EXPECT_EQ(e0, -1.0);
    EXPECT_EQ(e65, -1.0);
    EXPECT_TRUE(std::all_of(S.begin(), S.end(), [](double x) { return x == -1.0; }));
    return built;
  };
  const LifeTableMethod method;
  for (double bad : {std::numeric_limits<double>::quiet_NaN(), -1e-9, std::numeric_limits<double>::infinity()})
    for (std::size_t row : {0u, 1u, 7u, 21u}) {
      std::vector<double> mx = kBase;
      mx[row] = bad;
      EXPECT_FALSE(try_step(mx, method, 20, 21)) << row << " " << bad;
    }
  std::vector<double> open_zero = kBase;
  open_zero[21] = 0.0;
  EXPECT_FALSE(try_step(open_zero, method, 20, 21));
  EXPECT_FALSE(try_step(kBase, method, 19, 20));  // rows ≠ open_index + 2
  EXPECT_FALSE(try_step(kBase, method, 20, 20));  // S of the wrong size
  const std::vector<double> short_rows(kBase.begin(), kBase.begin() + 14);
  EXPECT_FALSE(try_step(short_rows, method, 12, 13));  // no row 14 (age 65)
  // Nobody left from 50–54 (q = 1): the table is built, but survival_ratios refuses its L = 0.
  std::vector<double> empty = kBase;
  empty[11] = 1e6;
  EXPECT_FALSE(try_step(empty, method, 20, 21));
  LifeTableMethod bad_imr;
  bad_imr.infant_mortality_q0 = 1.0;
  EXPECT_FALSE(try_step(kBase, bad_imr, 20, 21));
  LifeTableMethod bad_radix;
  bad_radix.radix = 0.0;
  EXPECT_FALSE(try_step(kBase, bad_radix, 20, 21));
}

// abridged_step_mortality_lanes (a five-year step's zone: two states' female and male tables in one pass): each lane
// is its table alone bit for bit, whatever tables stand beside it, its S in its own vector or over its rates.
TEST(AbridgedStepMortalityLanes, EachLaneIsItsTableAloneBitForBit) {
  const auto sets = rate_sets();
  int cases = 0;
  for (const LifeTableMethod& method : methods())
    for (std::size_t rows : {22u, 16u, 18u})  // 18: e0 and e65 only (S empty, as the pooled indicator tables)
      for (std::size_t n : {2u, 4u})
        for (std::size_t first = 0; first < sets.size(); ++first)
          for (bool in_place : {false, true}) {
            const std::size_t S_ages = rows == 18 ? 0 : rows - 1;
            if (S_ages == 0 && in_place) continue;
            std::vector<std::vector<double>> mx, own(n, std::vector<double>(S_ages, -1.0));
            for (std::size_t k = 0; k < n; ++k) {
              const auto& t = sets[(first + k) % sets.size()];
              mx.emplace_back(t.begin(), t.begin() + static_cast<std::ptrdiff_t>(rows));
              mx.back()[rows - 1] = t.back();
            }
            const auto rates = mx;
            std::vector<double> e0(n, -1.0), e65(n, -1.0);
            std::vector<detail::AbridgedStepLane> lanes;
            for (std::size_t k = 0; k < n; ++k)
              lanes.push_back({mx[k], k % 2 == 0 ? Sex::female : Sex::male,
                               S_ages == 0 ? std::span<double>()
                               : in_place  ? std::span<double>(mx[k]).first(S_ages)
                                           : std::span<double>(own[k]),
                               &e0[k], &e65[k]});
            LifeTable scratch;
            const std::string what = "lanes " + std::to_string(n) + ", first " + std::to_string(first) + ", rows " +
                                     std::to_string(rows) + (in_place ? ", in place" : "");
            const int open_index = S_ages == 0 ? 0 : static_cast<int>(S_ages) - 1;
            ASSERT_TRUE(detail::abridged_step_mortality_lanes(lanes, method, open_index, scratch)) << what;
            for (std::size_t k = 0; k < n; ++k) {
              std::vector<double> S(S_ages, -1.0);
              double a0 = -1.0, a65 = -1.0;
              ASSERT_TRUE(detail::abridged_step_mortality(rates[k], k % 2 == 0 ? Sex::female : Sex::male, method,
                                                          open_index, scratch, S, a0, a65));
              EXPECT_EQ(bits(e0[k]), bits(a0)) << what << " lane " << k;
              EXPECT_EQ(bits(e65[k]), bits(a65)) << what << " lane " << k;
              const std::vector<double>& got = in_place ? mx[k] : own[k];
              for (std::size_t i = 0; i < S_ages; ++i)
                EXPECT_EQ(bits(got[i]), bits(S[i])) << what << " lane " << k << " S age " << i;
            }
            ++cases;
          }
  EXPECT_EQ(cases, 8 * 3 * 2 * 8 * 2 - 8 * 2 * 8);
}

TEST(AbridgedStepMortalityLanes, OneTableRefusedRefusesAllWithoutWriting) {
  std::vector<double> bad_rate = kBase, open_zero = kBase, empty = kBase, other_length = kBase;
  bad_rate[9] = std::numeric_limits<double>::quiet_NaN();
  open_zero[21] = 0.0;
  empty[11] = 1e6;  // nobody left from 50–54: survival_ratios refuses L = 0
  other_length.push_back(0.7);
  for (const auto& odd : {bad_rate, open_zero, empty, other_length})
    for (std::size_t n : {2u, 4u})
      for (std::size_t at = 0; at < n; ++at) {
        std::vector<std::vector<double>> mx(n, kBase), S(n, std::vector<double>(21, -1.0));
        mx[at] = odd;
        std::vector<double> e0(n, -1.0), e65(n, -1.0);
        std::vector<detail::AbridgedStepLane> lanes;
        for (std::size_t k = 0; k < n; ++k) lanes.push_back({mx[k], Sex::female, S[k], &e0[k], &e65[k]});
        LifeTable scratch;
        EXPECT_FALSE(detail::abridged_step_mortality_lanes(lanes, LifeTableMethod{}, 20, scratch)) << at;
        for (std::size_t k = 0; k < n; ++k) {
          EXPECT_EQ(e0[k], -1.0);
          EXPECT_EQ(e65[k], -1.0);
          EXPECT_TRUE(std::all_of(S[k].begin(), S[k].end(), [](double x) { return x == -1.0; }));
        }
      }
  // S in one lane and not in another; three lanes: the one-table path.
  {
    std::vector<std::vector<double>> mx(2, kBase);
    std::vector<double> S(21, -1.0);
    double e[4] = {-1.0, -1.0, -1.0, -1.0};
    const std::vector<detail::AbridgedStepLane> mixed{{mx[0], Sex::female, S, &e[0], &e[2]},
                                                      {mx[1], Sex::male, {}, &e[1], &e[3]}};
    LifeTable scratch;
    EXPECT_FALSE(detail::abridged_step_mortality_lanes(mixed, LifeTableMethod{}, 20, scratch));
    EXPECT_TRUE(std::all_of(std::begin(e), std::end(e), [](double x) { return x == -1.0; }));
  }
  // Three lanes: the one-table path.
  std::vector<std::vector<double>> mx(3, kBase), S(3, std::vector<double>(21, -1.0));
  double e[6];
  std::vector<detail::AbridgedStepLane> lanes;
  for (std::size_t k = 0; k < 3; ++k) lanes.push_back({mx[k], Sex::male, S[k], &e[k], &e[3 + k]});
  LifeTable scratch;
  EXPECT_FALSE(detail::abridged_step_mortality_lanes(lanes, LifeTableMethod{}, 20, scratch));
}

}  // namespace
}  // namespace cohortgis
