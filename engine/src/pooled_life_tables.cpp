// SPDX-License-Identifier: Apache-2.0
// The pooled units' life tables several at a time (pooled_life_tables.hpp).
#include "pooled_life_tables.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <span>

#include "indicator_kernels.hpp"
#include "indicators_pass.hpp"
#include "life_table_detail.hpp"
#include "simd.hpp"

namespace cohortgis::detail {

namespace {
constexpr std::size_t kLanes = 2 * kTableUnits;  // lane 2j: unit j's women, 2j + 1: its men
// Four lanes (units 0 and 1, or 2 and 3); two such vectors rather than one of eight lanes, which GCC lowers through
// the stack on AVX2.
using Quad = double __attribute__((vector_size(4 * sizeof(double))));
using Mask = long long __attribute__((vector_size(4 * sizeof(long long))));

// single_year_e0_e65_both's fast path (life_table.cpp) with a lane per unit and sex instead of a lane per sex: row 0's
// a and q given (a0, q0), rows 1 … w−1 with a = 0.5, q = 1·m / (1 + (1 − 0.5)·m), l from the radix, each row's term
// of T 1·l_{k+1} + a_k (l_k − l_{k+1}), T = l_w / m_w plus the terms from the top down, e65 after row 65's term, e0
// = T / l_0 (0 where l ≤ 0): each lane the same operations in the same order, so the same bits. The terms are made in
// the l recurrence (l itself is not stored: only l_0, l_65 and l_w are read again) and only their sum is serial. mx:
// the rates by row and lane (row r's at mx[kLanes·r …]). Returns a bit per lane of the first `used` with a row
// 1 … w−1 whose q exceeds 1 (that function's constant-hazard fallback, which these lanes do not take).
COHORTGIS_KERNEL unsigned lanes_e0_e65(const double* __restrict mx, std::size_t w, std::size_t used, const double* a0,
                                       const double* q0, double radix, double* __restrict t, double* e0, double* e65) {
  // Vectors loaded and stored through load_vec / store_vec (simd.hpp: by reference, -Wpsabi). Every lambda of a clone
  // always inlined: one that is not is compiled for the default target (SSE2), not the clone's.
  const Quad one = Quad{} + 1.0, l0 = Quad{} + radix;
  Quad cA = l0, cB = l0;
  Quad mostA = Quad{}, mostB = Quad{};  // the largest rate of rows 1 … w−1 of each lane
  {
    Quad qA, qB, aA, aB;
    load_vec(qA, q0), load_vec(qB, q0 + 4), load_vec(aA, a0), load_vec(aB, a0 + 4);
    const Quad nA = cA * (one - qA), nB = cB * (one - qB);
    store_vec(t, 1.0 * nA + aA * (cA - nA));
    store_vec(t + 4, 1.0 * nB + aB * (cB - nB));
    cA = nA, cB = nB;
  }
  const auto row = [&](std::size_t i) __attribute__((always_inline)) {
    Quad mA, mB;
    load_vec(mA, mx + kLanes * i), load_vec(mB, mx + kLanes * i + 4);
    const Quad qA = 1.0 * mA / (1.0 + (1.0 - 0.5) * mA), qB = 1.0 * mB / (1.0 + (1.0 - 0.5) * mB);
    mostA = mA > mostA ? mA : mostA;
    mostB = mB > mostB ? mB : mostB;
    const Quad nA = cA * (one - qA), nB = cB * (one - qB);
    store_vec(t + kLanes * i, 1.0 * nA + 0.5 * (cA - nA));
    store_vec(t + kLanes * i + 4, 1.0 * nB + 0.5 * (cB - nB));
    cA = nA, cB = nB;
  };
  std::size_t i = 1;
  const std::size_t k65 = std::min<std::size_t>(w, 65);
#pragma GCC unroll 2
  for (; i < k65; ++i) row(i);
  const Quad l65A = cA, l65B = cB;  // l_65 where w ≥ 65
#pragma GCC unroll 2
  for (; i < w; ++i) row(i);
  // L_w = l_w / m_w
  Quad TA, TB;
  load_vec(TA, mx + kLanes * w), load_vec(TB, mx + kLanes * w + 4);
  TA = cA / TA, TB = cB / TB;
  for (std::size_t j = 0; j < 4; ++j) {
    e65[j] = w == 65 ? (cA[j] > 0.0 ? TA[j] / cA[j] : 0.0) : std::numeric_limits<double>::quiet_NaN();
    e65[j + 4] = w == 65 ? (cB[j] > 0.0 ? TB[j] / cB[j] : 0.0) : std::numeric_limits<double>::quiet_NaN();
  }
  Quad xA, xB;
  const auto add = [&](std::size_t k) __attribute__((always_inline)) {
    load_vec(xA, t + kLanes * k), load_vec(xB, t + kLanes * k + 4);
    TA += xA, TB += xB;
  };
  std::size_t k = w;
  if (w > 65) {
#pragma GCC unroll 4
    for (; k > 66; --k) add(k - 1);
    add(65);
    for (std::size_t j = 0; j < 4; ++j) {
      e65[j] = l65A[j] > 0.0 ? TA[j] / l65A[j] : 0.0;
      e65[j + 4] = l65B[j] > 0.0 ? TB[j] / l65B[j] : 0.0;
    }
    k = 65;
  }
#pragma GCC unroll 4
  for (; k > 0; --k) add(k - 1);
  for (std::size_t j = 0; j < 4; ++j) {
    e0[j] = l0[j] > 0.0 ? TA[j] / l0[j] : 0.0;
    e0[j + 4] = l0[j] > 0.0 ? TB[j] / l0[j] : 0.0;
  }
  // A q > 1 needs a rate above 2 (for 0 ≤ m ≤ 2, fl(1 + 0.5·m) ≥ m, so m / it ≤ 1): where a lane has one (rare),
  // the lanes' q again, the same numbers, for which lanes (a maximum an age instead of a test of q).
  unsigned lanes = 0;
  bool above2 = false;
  for (std::size_t j = 0; j < 4; ++j) above2 = above2 || mostA[j] > 2.0 || mostB[j] > 2.0;
  if (above2)
    for (std::size_t j = 0; j < used; ++j)
      for (std::size_t r = 1; r < w; ++r)
        if (1.0 * mx[kLanes * r + j] / (1.0 + (1.0 - 0.5) * mx[kLanes * r + j]) > 1.0) lanes |= 1u << j;
  return lanes;
}

}  // namespace

// pooled_rates_of_two (indicator_kernels.cpp) of both sexes, four rows at a time, the rates written into a batch's
// lanes: row r's women at out[kLanes·r], its men at out[kLanes·r + 1]. The same operations on each row and sex, so the
// same rates; the flags of each sex as pooled_rates makes them (kRatesOk, kRatesWithin).
COHORTGIS_KERNEL void rates_of_two_lanes(const double* __restrict mx_a, const double* __restrict P0a,
                                         const double* __restrict P1a, const double* __restrict mx_b,
                                         const double* __restrict P0b, const double* __restrict P1b, std::size_t rows,
                                         std::size_t ages, double* __restrict out, int* flags) {
  const double n_mx = (0.0 + 1.0) + 1.0;
  // The rates of rows r … r + 3 of sex s (a state's sexes at `rows` apart in the rates, `ages` in the populations).
  // Not `full`: num / den alone, the rate of every row where someone is exposed (den > 0; den without its +0 first:
  // the same number but for the sign of a zero, which is not > 0 either way), its rows where nobody is marked in
  // `unexposed` (then the pass runs again in full: the plain mean there).
  Mask unexposed = Mask{};
  const auto rates4 = [&](Quad & m, std::size_t s, std::size_t r, bool full) __attribute__((always_inline)) {
    Quad p0a, p1a, p0b, p1b, ma, mb;
    load_vec(p0a, P0a + s * ages + r), load_vec(p1a, P1a + s * ages + r), load_vec(p0b, P0b + s * ages + r);
    load_vec(p1b, P1b + s * ages + r), load_vec(ma, mx_a + s * rows + r), load_vec(mb, mx_b + s * rows + r);
    const Quad wa = (p0a + p1a) / 2.0, wb = (p0b + p1b) / 2.0;
    const Quad num = (0.0 + ma * wa) + mb * wb;
    if (!full) {
      const Quad den = wa + wb;
      unexposed |= ~(den > 0.0);
      m = num / den;
      return;
    }
    const Quad den = (0.0 + wa) + wb;
    const Quad plain = (0.0 + ma) + mb;
    const Mask exposed = den > 0.0;
    m = (exposed ? num : plain) / (exposed ? den : Quad{} + n_mx);
  };
  // Flags as two vectors a sex: the sum of m − m (0 for a finite m, NaN from ±inf and NaN: any bad rate leaves it
  // not 0) and the least rate (< 0 where one is negative; a NaN is bad already).
  Quad bad[2] = {}, least[2] = {};
  const auto block = [&](std::size_t r, bool full) __attribute__((always_inline)) {
    Quad f, m;
    rates4(f, 0, r, full);
    rates4(m, 1, r, full);
    bad[0] += f - f;
    bad[1] += m - m;
    least[0] = f < least[0] ? f : least[0];
    least[1] = m < least[1] ? m : least[1];
    // {f_r, m_r, f_{r+2}, m_{r+2}} and {f_{r+1}, m_{r+1}, f_{r+3}, m_{r+3}}: each pair to its row's lanes.
    const Quad lo = __builtin_shufflevector(f, m, 0, 4, 2, 6), hi = __builtin_shufflevector(f, m, 1, 5, 3, 7);
    std::memcpy(out + kLanes * r, &lo, 2 * sizeof(double));
    std::memcpy(out + kLanes * (r + 1), &hi, 2 * sizeof(double));
    std::memcpy(out + kLanes * (r + 2), reinterpret_cast<const char*>(&lo) + 2 * sizeof(double), 2 * sizeof(double));
    std::memcpy(out + kLanes * (r + 3), reinterpret_cast<const char*>(&hi) + 2 * sizeof(double), 2 * sizeof(double));
  };
  std::size_t r = 0;
  // The last rows: the last four again (rows computed twice are the same numbers, the flags the same), not a scalar
  // loop (its set-up cost as much as the rows).
  const auto pass = [&](bool full) __attribute__((always_inline)) {
    for (r = 0; r + 4 <= rows; r += 4) block(r, full);
    if (r < rows && rows >= 4) {
      block(rows - 4, full);
      r = rows;
    }
  };
  pass(false);
  if ((unexposed[0] | unexposed[1] | unexposed[2] | unexposed[3]) != 0) {  // a row where nobody is exposed
    bad[0] = bad[1] = least[0] = least[1] = Quad{};
    pass(true);
  }
  double bad1[2] = {0.0, 0.0}, negative1[2] = {0.0, 0.0};
  for (; r < rows; ++r)  // fewer than four rows: pooled_rates_of_two's loop
    for (std::size_t s = 0; s < 2; ++s) {
      const std::size_t x = s * ages + r, y = s * rows + r;
      const double wa = (P0a[x] + P1a[x]) / 2.0, wb = (P0b[x] + P1b[x]) / 2.0;
      const double num = (0.0 + mx_a[y] * wa) + mx_b[y] * wb;
      const double den = (0.0 + wa) + wb;
      const double plain = (0.0 + mx_a[y]) + mx_b[y];
      const bool exposed = den > 0.0;
      const double m = (exposed ? num : plain) / (exposed ? den : n_mx);
      out[kLanes * r + s] = m;
      bad1[s] = (m - m == 0.0) ? bad1[s] : 1.0;
      negative1[s] = m >= 0.0 ? negative1[s] : 1.0;
    }
  for (std::size_t s = 0; s < 2; ++s) {
    const bool any_bad = bad[s][0] != 0.0 || bad[s][1] != 0.0 || bad[s][2] != 0.0 || bad[s][3] != 0.0 || bad1[s] != 0.0;
    const bool any_negative =
        least[s][0] < 0.0 || least[s][1] < 0.0 || least[s][2] < 0.0 || least[s][3] < 0.0 || negative1[s] != 0.0;
    flags[s] = any_bad || !(rows > 0 && out[kLanes * (rows - 1) + s] > 0.0) ? 0
               : any_negative                                               ? kRatesOk
                                                                            : kRatesOk | kRatesWithin;
  }
}

bool pooled_tables_take(const LifeTableMethod& method, std::size_t rows) {
  const auto& q0 = method.infant_mortality_q0;
  return rows >= 3 && std::isfinite(method.radix) && method.radix > 0.0 &&
         (!q0 || (std::isfinite(*q0) && *q0 >= 0.0 && *q0 < 1.0));
}

void pooled_e0_e65_lanes(const double* mx, std::size_t n, std::size_t rows, const LifeTableMethod& method,
                         PooledTablesScratch& sc, double (*e0)[2], double (*e65)[2]) {
  const std::size_t w = rows - 1;
  const auto& q0_given = method.infant_mortality_q0;
  double a0[kLanes], q0[kLanes], le0[kLanes], le65[kLanes];
  unsigned alone = 0;  // units whose table takes the fallback somewhere: built alone
  for (std::size_t j = 0; j < kLanes; ++j) {
    const double m = mx[j];
    // Lanes of no unit: any numbers (not read).
    const double a =
        j < 2 * n ? infant_a0(method.a0_rule, j % 2 == 0 ? Sex::female : Sex::male, method.region, m, q0_given) : 0.5;
    // q_from_m(1, m_0, a, q) unless q0 is given; its fallback (q > 1) is the table's alone.
    const double q = q0_given ? *q0_given : 1.0 * m / (1.0 + (1.0 - a) * m);
    if (q > 1.0 && j < 2 * n) alone |= 1u << (j / 2);
    a0[j] = a;
    q0[j] = q;
  }
  sc.terms.resize(kLanes * w);
  const unsigned over = lanes_e0_e65(mx, w, 2 * n, a0, q0, method.radix, sc.terms.data(), le0, le65);
  for (std::size_t j = 0; j < n; ++j) {
    if ((alone & (1u << j)) != 0 || (over & (3u << (2 * j))) != 0) {
      sc.alone.resize(2 * rows);
      for (std::size_t s = 0; s < 2; ++s)
        for (std::size_t r = 0; r < rows; ++r) sc.alone[s * rows + r] = mx[kLanes * r + 2 * j + s];
      detail::single_year_e0_e65_both_checked(std::span<const double>(sc.alone.data(), rows),
                                              std::span<const double>(sc.alone.data() + rows, rows), method, sc.lt,
                                              e0[j], e65[j]);
      continue;
    }
    for (std::size_t s = 0; s < 2; ++s) {
      e0[j][s] = le0[2 * j + s];
      e65[j][s] = le65[2 * j + s];
    }
  }
}

void pooled_e0_e65(const double* const* rates, std::size_t n, std::size_t rows, const LifeTableMethod& method,
                   PooledTablesScratch& sc, double (*e0)[2], double (*e65)[2]) {
  sc.lanes.assign(kLanes * rows, 0.0);
  for (std::size_t j = 0; j < n; ++j)
    for (std::size_t s = 0; s < 2; ++s)
      for (std::size_t r = 0; r < rows; ++r) sc.lanes[kLanes * r + 2 * j + s] = rates[j][s * rows + r];
  pooled_e0_e65_lanes(sc.lanes.data(), n, rows, method, sc, e0, e65);
}

}  // namespace cohortgis::detail

namespace cohortgis::detail {

bool IndicatorPass::rates_to_batch(int zn, int (&flags)[2], IndicatorScratch& sc) const {
  if (sc.batch_pass != id_) {  // the thread's batch of this pass (a lookup per zone cost more than the cache)
    sc.batch = &batches_.local();
    sc.batch_pass = id_;
  }
  TableBatch& b = *sc.batch;
  const std::size_t rows = rows_, sa = uz(zn) * 2, sb = sa + 1;
  b.sc.lanes.resize(kLanes * rows);
  double* lanes = b.sc.lanes.data() + 2 * b.n;
  rates_of_two_lanes(mx_.data() + sa * kSexes * rows, start_.ages(zn, 0, 0).data(), end_.ages(zn, 0, 0).data(),
                     mx_.data() + sb * kSexes * rows, start_.ages(zn, 1, 0).data(), end_.ages(zn, 1, 0).data(), rows,
                     A_, lanes, flags);
  if ((flags[0] & flags[1] & kRatesWithin) != 0) return true;
  sc.zone_rates.resize(2 * rows);  // finish makes these tables (with their checks) from [sex][row]
  for (std::size_t s = 0; s < 2; ++s)
    for (std::size_t r = 0; r < rows; ++r) sc.zone_rates[s * rows + r] = lanes[kLanes * r + s];
  return false;
}

void IndicatorPass::defer_life_table(std::size_t unit, IndicatorScratch& sc) const {
  TableBatch& b = *sc.batch;
  b.unit[b.n] = unit;
  b.births_f[b.n] = sc.all.births_f;
  b.births_m[b.n] = sc.all.births_m;
  if (++b.n == kTableUnits) run_tables(b);
}

void IndicatorPass::run_tables(TableBatch& b) const {
  if (b.n == 0) return;
  double e0[kTableUnits][2], e65[kTableUnits][2];
  pooled_e0_e65_lanes(b.sc.lanes.data(), b.n, rows_, method_, b.sc, e0, e65);
  for (std::size_t j = 0; j < b.n; ++j) {
    double* v = out_.values.data() + (b.unit[j] * NS_ + uz(G_)) * NI_;
    auto set = [&](Indicator id, double x) { v[static_cast<int>(id)] = x; };
    set(Indicator::e0_female, e0[j][0]);
    set(Indicator::e0_male, e0[j][1]);
    if (!std::isnan(e65[j][0])) set(Indicator::e65_female, e65[j][0]);
    if (!std::isnan(e65[j][1])) set(Indicator::e65_male, e65[j][1]);
    // finish's e0 of both sexes (the radix-weighted mean by the births' sex ratio), on the values above.
    const double bf = b.births_f[j], bm = b.births_m[j];
    if (bf > 0.0 && bm > 0.0 && std::isfinite(e0[j][0]) && std::isfinite(e0[j][1])) {
      const double rho = bm / bf;
      set(Indicator::e0, (e0[j][0] + rho * e0[j][1]) / (1.0 + rho));
    }
  }
  b.n = 0;
}

void IndicatorPass::run_all_tables() const {
  for (TableBatch& b : batches_) run_tables(b);
}

}  // namespace cohortgis::detail
