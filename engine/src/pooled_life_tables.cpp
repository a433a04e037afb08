// SPDX-License-Identifier: Apache-2.0
// The pooled units' life tables several at a time (pooled_life_tables.hpp).
#include "pooled_life_tables.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <span>
#include <utility>

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
// a pointer per lane to its rates by row. Returns a bit per lane with a row 1 … w−1 whose q exceeds 1 (that
// function's constant-hazard fallback, which these lanes do not take).
COHORTGIS_KERNEL unsigned lanes_e0_e65(const double* const* mx, std::size_t w, const double* a0, const double* q0,
                                       double radix, double* __restrict t, double* e0, double* e65) {
  // Vectors through references, not returned: a lambda returning a 32-byte vector is a function whose ABI depends on
  // the clone's target (-Wpsabi).
  const auto load = [](Quad& v, const double* p) { std::memcpy(&v, p, sizeof v); };
  const auto put = [](double* p, const Quad& v) { std::memcpy(p, &v, sizeof v); };
  const double *m0 = mx[0], *m1 = mx[1], *m2 = mx[2], *m3 = mx[3], *m4 = mx[4], *m5 = mx[5], *m6 = mx[6], *m7 = mx[7];
  const Quad one = Quad{} + 1.0, l0 = Quad{} + radix;
  Quad cA = l0, cB = l0;
  Mask over = Mask{};
  {
    Quad qA, qB, aA, aB;
    load(qA, q0), load(qB, q0 + 4), load(aA, a0), load(aB, a0 + 4);
    const Quad nA = cA * (one - qA), nB = cB * (one - qB);
    put(t, 1.0 * nA + aA * (cA - nA));
    put(t + 4, 1.0 * nB + aB * (cB - nB));
    cA = nA, cB = nB;
  }
  const auto row = [&](std::size_t i) {
    const Quad mA = {m0[i], m1[i], m2[i], m3[i]}, mB = {m4[i], m5[i], m6[i], m7[i]};
    const Quad qA = 1.0 * mA / (1.0 + (1.0 - 0.5) * mA), qB = 1.0 * mB / (1.0 + (1.0 - 0.5) * mB);
    over |= (qA > 1.0) | (qB > 1.0);  // which half: found again below for the lanes that have one
    const Quad nA = cA * (one - qA), nB = cB * (one - qB);
    put(t + kLanes * i, 1.0 * nA + 0.5 * (cA - nA));
    put(t + kLanes * i + 4, 1.0 * nB + 0.5 * (cB - nB));
    cA = nA, cB = nB;
  };
  std::size_t i = 1;
  const std::size_t k65 = std::min<std::size_t>(w, 65);
  for (; i < k65; ++i) row(i);
  const Quad l65A = cA, l65B = cB;  // l_65 where w ≥ 65
  for (; i < w; ++i) row(i);
  // L_w = l_w / m_w
  Quad TA = cA / Quad{m0[w], m1[w], m2[w], m3[w]}, TB = cB / Quad{m4[w], m5[w], m6[w], m7[w]};
  for (std::size_t j = 0; j < 4; ++j) {
    e65[j] = w == 65 ? (cA[j] > 0.0 ? TA[j] / cA[j] : 0.0) : std::numeric_limits<double>::quiet_NaN();
    e65[j + 4] = w == 65 ? (cB[j] > 0.0 ? TB[j] / cB[j] : 0.0) : std::numeric_limits<double>::quiet_NaN();
  }
  Quad xA, xB;
  const auto add = [&](std::size_t k) {
    load(xA, t + kLanes * k), load(xB, t + kLanes * k + 4);
    TA += xA, TB += xB;
  };
  std::size_t k = w;
  if (w > 65) {
    for (; k > 66; --k) add(k - 1);
    add(65);
    for (std::size_t j = 0; j < 4; ++j) {
      e65[j] = l65A[j] > 0.0 ? TA[j] / l65A[j] : 0.0;
      e65[j + 4] = l65B[j] > 0.0 ? TB[j] / l65B[j] : 0.0;
    }
    k = 65;
  }
  for (; k > 0; --k) add(k - 1);
  for (std::size_t j = 0; j < 4; ++j) {
    e0[j] = l0[j] > 0.0 ? TA[j] / l0[j] : 0.0;
    e0[j + 4] = l0[j] > 0.0 ? TB[j] / l0[j] : 0.0;
  }
  // Some lane had a q > 1: the lanes' rates again, the same q, for which (rare: a rate above 2).
  unsigned lanes = 0;
  if (over[0] | over[1] | over[2] | over[3])
    for (std::size_t j = 0; j < kLanes; ++j)
      for (std::size_t r = 1; r < w; ++r)
        if (1.0 * mx[j][r] / (1.0 + (1.0 - 0.5) * mx[j][r]) > 1.0) lanes |= 1u << j;
  return lanes;
}
}  // namespace

bool pooled_tables_take(const LifeTableMethod& method, std::size_t rows) {
  const auto& q0 = method.infant_mortality_q0;
  return rows >= 3 && std::isfinite(method.radix) && method.radix > 0.0 &&
         (!q0 || (std::isfinite(*q0) && *q0 >= 0.0 && *q0 < 1.0));
}

void pooled_e0_e65(const double* const* rates, std::size_t n, std::size_t rows, const LifeTableMethod& method,
                   PooledTablesScratch& sc, double (*e0)[2], double (*e65)[2]) {
  const std::size_t w = rows - 1;
  const auto& q0_given = method.infant_mortality_q0;
  const double* mx[kLanes];
  double a0[kLanes], q0[kLanes], le0[kLanes], le65[kLanes];
  unsigned alone = 0;  // units whose table takes the fallback somewhere: built alone
  for (std::size_t j = 0; j < kTableUnits; ++j)
    for (std::size_t s = 0; s < 2; ++s) {
      const double* m = rates[j < n ? j : 0] + s * rows;  // lanes of no unit repeat unit 0 (not read)
      const double a = infant_a0(method.a0_rule, s == 0 ? Sex::female : Sex::male, method.region, m[0], q0_given);
      // q_from_m(1, m_0, a, q) unless q0 is given; its fallback (q > 1) is the table's alone.
      const double q = q0_given ? *q0_given : 1.0 * m[0] / (1.0 + (1.0 - a) * m[0]);
      if (q > 1.0) alone |= 1u << j;
      mx[2 * j + s] = m;
      a0[2 * j + s] = a;
      q0[2 * j + s] = q;
    }
  sc.terms.resize(kLanes * w);
  const unsigned over = lanes_e0_e65(mx, w, a0, q0, method.radix, sc.terms.data(), le0, le65);
  for (std::size_t j = 0; j < n; ++j) {
    if ((alone & (1u << j)) != 0 || (over & (3u << (2 * j))) != 0) {
      detail::single_year_e0_e65_both_checked(std::span<const double>(rates[j], rows),
                                              std::span<const double>(rates[j] + rows, rows), method, sc.lt, e0[j],
                                              e65[j]);
      continue;
    }
    for (std::size_t s = 0; s < 2; ++s) {
      e0[j][s] = le0[2 * j + s];
      e65[j][s] = le65[2 * j + s];
    }
  }
}

}  // namespace cohortgis::detail

namespace cohortgis::detail {

void IndicatorPass::defer_life_table(std::size_t unit, IndicatorScratch& sc) const {
  if (sc.batch_pass != id_) {  // the thread's batch of this pass (a lookup per zone cost more than the cache)
    sc.batch = &batches_.local();
    sc.batch_pass = id_;
  }
  TableBatch& b = *sc.batch;
  b.unit[b.n] = unit;
  b.births_f[b.n] = sc.all.births_f;
  b.births_m[b.n] = sc.all.births_m;
  std::swap(b.rates[b.n], sc.zone_rates);  // no copy: the scratch takes the batch's last vector in turn
  if (++b.n == kTableUnits) run_tables(b);
}

void IndicatorPass::run_tables(TableBatch& b) const {
  if (b.n == 0) return;
  const double* rates[kTableUnits];
  for (std::size_t j = 0; j < b.n; ++j) rates[j] = b.rates[j].data();
  double e0[kTableUnits][2], e65[kTableUnits][2];
  pooled_e0_e65(rates, b.n, rows_, method_, b.sc, e0, e65);
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
