// SPDX-License-Identifier: Apache-2.0
// The pooled units' life tables several at a time (pooled_life_tables.hpp).
#include "pooled_life_tables.hpp"

#include <algorithm>
#include <bit>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <span>
#include <type_traits>

#include "indicator_kernels.hpp"
#include "indicators_pass.hpp"
#include "life_table_detail.hpp"
#include "simd.hpp"

namespace cohortgis::detail {

namespace {
constexpr std::size_t kLanes = 2 * kTableUnits;  // lane 2j: unit j's women, 2j + 1: its men
// Four lanes (units 0 and 1, or 2 and 3); two such vectors rather than one of eight lanes, which GCC lowers through
// the stack on AVX2 (lanes_e0_e65 takes one of eight in its AVX-512 body alone).
using Quad = double __attribute__((vector_size(4 * sizeof(double))));
using Mask = long long __attribute__((vector_size(4 * sizeof(long long))));

// single_year_e0_e65_both's fast path (life_table.cpp) with a lane per unit and sex instead of a lane per sex: row 0's
// a and q given (a0, q0), rows 1 … w−1 with a = 0.5, q = 1·m / (1 + (1 − 0.5)·m), l from the radix, each row's term
// of T 1·l_{k+1} + a_k (l_k − l_{k+1}), T = l_w / m_w plus the terms from the top down, e65 after row 65's term, e0
// = T / l_0 (0 where l ≤ 0): each lane the same operations in the same order, so the same bits. The terms are made in
// the l recurrence (l itself is not stored: only l_0, l_65 and l_w are read again) and only their sum is serial. mx:
// the rates by row and lane (row r's at mx[kLanes·r …]). A lane with a row 1 … w−1 whose q exceeds 1 (that
// function's constant-hazard fallback, which these lanes do not take) is the caller's to find (fallback_lanes).
// V: Cells8 (the eight lanes one vector) in COHORTGIS_AVX512 code, else Cells4 (two vectors): each lane the same
// operations at either width. The rows' divisions (q) are most of its work, and an AVX-512 division makes eight.
template <class V>
[[gnu::always_inline]] inline void lanes_e0_e65_of(const double* __restrict mx, std::size_t w, const double* a0,
                                                   const double* q0, double radix, double* __restrict t, double* e0,
                                                   double* e65) {
  // Vectors loaded and stored through load_vec / store_vec (simd.hpp: by reference, -Wpsabi). Every lambda of a clone
  // always inlined: one that is not is compiled for the default target (SSE2), not the clone's.
  constexpr std::size_t L = kVectorLanes<V>, NV = kLanes / L;  // the lanes j of vector j / L
  const V one = V{} + 1.0, l0 = V{} + radix;
  V c[NV];
#pragma GCC unroll 2
  for (std::size_t h = 0; h < NV; ++h) {
    V q, a;
    load_vec(q, q0 + L * h), load_vec(a, a0 + L * h);
    const V n = l0 * (one - q);
    store_vec(t + L * h, 1.0 * n + a * (l0 - n));
    c[h] = n;
  }
  // Row i from l_i in l to l_{i+1} in n.
  const auto step = [&](std::size_t i, const V(&l)[NV], V(&n)[NV]) __attribute__((always_inline)) {
#pragma GCC unroll 2
    for (std::size_t h = 0; h < NV; ++h) {
      V m;
      load_vec(m, mx + kLanes * i + L * h);
      const V q = 1.0 * m / (1.0 + (1.0 - 0.5) * m);
      n[h] = l[h] * (one - q);
      store_vec(t + kLanes * i + L * h, 1.0 * n[h] + 0.5 * (l[h] - n[h]));
    }
  };
  // Two rows a trip, l passed from one to the other by name: the loop-carried l then needs no register copy a row.
  const auto rows_to = [&](std::size_t & i, std::size_t end) __attribute__((always_inline)) {
#pragma GCC unroll 4
    for (; i + 2 <= end; i += 2) {
      V d[NV];
      step(i, c, d);
      step(i + 1, d, c);
    }
    if (i < end) {
      V d[NV];
      step(i, c, d);
#pragma GCC unroll 2
      for (std::size_t h = 0; h < NV; ++h) c[h] = d[h];
      ++i;
    }
  };
  std::size_t i = 1;
  const std::size_t k65 = std::min<std::size_t>(w, 65);
  rows_to(i, k65);
  V l65[NV];  // l_65 where w ≥ 65
  V T[NV];    // L_w = l_w / m_w
#pragma GCC unroll 2
  for (std::size_t h = 0; h < NV; ++h) l65[h] = c[h];
  rows_to(i, w);
#pragma GCC unroll 2
  for (std::size_t h = 0; h < NV; ++h) {
    load_vec(T[h], mx + kLanes * w + L * h);
    T[h] = c[h] / T[h];
  }
  for (std::size_t j = 0; j < kLanes; ++j) {
    const double l = c[j / L][j % L];
    e65[j] = w == 65 ? (l > 0.0 ? T[j / L][j % L] / l : 0.0) : std::numeric_limits<double>::quiet_NaN();
  }
  const auto add = [&](std::size_t k) __attribute__((always_inline)) {
#pragma GCC unroll 2
    for (std::size_t h = 0; h < NV; ++h) {
      V x;
      load_vec(x, t + kLanes * k + L * h);
      T[h] += x;
    }
  };
  std::size_t k = w;
  if (w > 65) {
#pragma GCC unroll 8
    for (; k > 66; --k) add(k - 1);
    add(65);
    for (std::size_t j = 0; j < kLanes; ++j) {
      const double l = l65[j / L][j % L];
      e65[j] = l > 0.0 ? T[j / L][j % L] / l : 0.0;
    }
    k = 65;
  }
#pragma GCC unroll 8
  for (; k > 0; --k) add(k - 1);
  for (std::size_t j = 0; j < kLanes; ++j) e0[j] = l0[j % L] > 0.0 ? T[j / L][j % L] / l0[j % L] : 0.0;
}

// The three bodies (simd.hpp, pick_kernel); sanitizer builds (COHORTGIS_NO_MULTIVERSION) the four-lane one alone.
#if defined(COHORTGIS_WIDE_KERNELS)
COHORTGIS_AVX512 void lanes_e0_e65_avx512(const double* mx, std::size_t w, const double* a0, const double* q0,
                                          double radix, double* t, double* e0, double* e65) {
  lanes_e0_e65_of<Cells8>(mx, w, a0, q0, radix, t, e0, e65);
}
COHORTGIS_AVX2 void lanes_e0_e65_avx2(const double* mx, std::size_t w, const double* a0, const double* q0, double radix,
                                      double* t, double* e0, double* e65) {
  lanes_e0_e65_of<Cells4>(mx, w, a0, q0, radix, t, e0, e65);
}
void lanes_e0_e65_other(const double* mx, std::size_t w, const double* a0, const double* q0, double radix, double* t,
                        double* e0, double* e65) {
  lanes_e0_e65_of<Cells4>(mx, w, a0, q0, radix, t, e0, e65);
}
}  // namespace
extern "C" {
static decltype(&lanes_e0_e65_other) cohortgis_pick_lanes_e0_e65() {
  return pick_kernel(&lanes_e0_e65_avx512, &lanes_e0_e65_avx2, &lanes_e0_e65_other);
}
}
namespace {
void lanes_e0_e65(const double* mx, std::size_t w, const double* a0, const double* q0, double radix, double* t,
                  double* e0, double* e65) __attribute__((ifunc("cohortgis_pick_lanes_e0_e65")));
#else
void lanes_e0_e65(const double* mx, std::size_t w, const double* a0, const double* q0, double radix, double* t,
                  double* e0, double* e65) {
  lanes_e0_e65_of<Cells4>(mx, w, a0, q0, radix, t, e0, e65);
}
#endif

// The lanes [0, used) with a row 1 … w−1 whose q exceeds 1, as a bit each, among those of units not in `below2` (a bit
// per unit whose rates are all below 2: for 0 ≤ m ≤ 2, fl(1 + 0.5·m) ≥ m, so m / it ≤ 1): the lanes' q again, the
// same numbers.
unsigned fallback_lanes(const double* mx, std::size_t w, std::size_t used, unsigned below2) {
  unsigned lanes = 0;
  const unsigned units = (1u << ((used + 1) / 2)) - 1;
  if ((below2 & units) == units) return 0;  // the common case: no lane to test
  for (std::size_t j = 0; j < used; ++j)
    if ((below2 & (1u << (j / 2))) == 0)
      for (std::size_t r = 1; r < w; ++r)
        if (1.0 * mx[kLanes * r + j] / (1.0 + (1.0 - 0.5) * mx[kLanes * r + j]) > 1.0) lanes |= 1u << j;
  return lanes;
}

// Row 0 of the eight lanes under the default rule without a given q0: a0 = ak_a0_from_m0 (life_table_detail.hpp: its
// segments kAkA0, each lane its sex's) and q0 = 1·m / (1 + (1 − a)·m), each lane the scalar operations, so the same
// bits (a call per lane, its branches, cost ≈ 35 instructions a lane). Returns the lanes the caller makes alone: m0
// not within [0, DBL_MAX] (where infant_a0 does not call ak_a0_from_m0) or q0 above 1.
COHORTGIS_KERNEL unsigned ak_row0_lanes(const double* m0, double* a0, double* q0) {
  const AkA0Segments &w = kAkA0[0], &men = kAkA0[1];  // lanes {women, men, women, men}
  const Quad below1 = {w.b1, men.b1, w.b1, men.b1}, below2 = {w.b2, men.b2, w.b2, men.b2};
  const Quad c1 = {w.c1, men.c1, w.c1, men.c1}, s1 = {w.s1, men.s1, w.s1, men.s1};
  const Quad c2 = {w.c2, men.c2, w.c2, men.c2}, s2 = {w.s2, men.s2, w.s2, men.s2};
  const Quad c3 = {w.c3, men.c3, w.c3, men.c3};
  Mask alone[2];
  for (std::size_t h = 0; h < 2; ++h) {
    Quad m;
    load_vec(m, m0 + 4 * h);
    const Quad a = m < below1 ? c1 - s1 * m : m < below2 ? c2 + s2 * m : c3;
    const Quad q = 1.0 * m / (1.0 + (1.0 - a) * m);
    alone[h] = ~((m >= 0.0) & (m <= DBL_MAX)) | (q > 1.0);
    store_vec(a0 + 4 * h, a);
    store_vec(q0 + 4 * h, q);
  }
  const Mask any = alone[0] | alone[1];
  if ((any[0] | any[1] | any[2] | any[3]) == 0) return 0;  // the common case: no lane's bit to find
  unsigned other = 0;
  for (std::size_t j = 0; j < kLanes; ++j) other |= alone[j / 4][j % 4] != 0 ? 1u << j : 0u;
  return other;
}

}  // namespace

// pooled_rates_of_two (indicator_kernels.cpp) of both sexes, four rows at a time, the rates written into a batch's
// lanes: row r's women at out[kLanes·r], its men at out[kLanes·r + 1]. The same operations on each row and sex, so the
// same rates; the flags of each sex as pooled_rates makes them (kRatesOk, kRatesWithin).
COHORTGIS_KERNEL bool rates_of_two_lanes(const double* __restrict mx_a, const double* __restrict P0a,
                                         const double* __restrict P1a, const double* __restrict mx_b,
                                         const double* __restrict P0b, const double* __restrict P1b, std::size_t rows,
                                         std::size_t ages, double* __restrict out, int* flags,
                                         double* __restrict weights) {
  using Bits = unsigned long long __attribute__((vector_size(4 * sizeof(long long))));
  const double n_mx = (0.0 + 1.0) + 1.0;
  // Each row's (women, men) pair to its lanes: {f_r, m_r, f_{r+2}, m_{r+2}} and {f_{r+1}, m_{r+1}, f_{r+3}, m_{r+3}}
  // in halves.
  const auto to_lanes = [&](const Quad& f, const Quad& m, std::size_t r) __attribute__((always_inline)) {
    const Quad lo = __builtin_shufflevector(f, m, 0, 4, 2, 6), hi = __builtin_shufflevector(f, m, 1, 5, 3, 7);
    // Each half stored from the vector's bytes: the upper ones by one extract to memory (a shuffle of them to a Pair
    // took a permute and a store).
    const char *const l = reinterpret_cast<const char*>(&lo), *const h = reinterpret_cast<const char*>(&hi);
    std::memcpy(out + kLanes * r, l, 2 * sizeof(double));
    std::memcpy(out + kLanes * (r + 1), h, 2 * sizeof(double));
    std::memcpy(out + kLanes * (r + 2), l + 2 * sizeof(double), 2 * sizeof(double));
    std::memcpy(out + kLanes * (r + 3), h + 2 * sizeof(double), 2 * sizeof(double));
  };
  // First the rates as they are where someone is exposed at every row (den > 0), num / den, with num and den without
  // their leading +0: each the same number but for the sign of a zero (den's is not > 0 either way; num's, −0 only
  // where pooled_rates_of_two's is +0, makes the rate −0 instead of +0). The rows' bits ORed: no rate has bit 63
  // (sign: negative or −0) or 62 (exponent ≥ 1024: 2 or more, ∞, NaN) set unless one is negative, −0, ≥ 2 or not
  // finite, so where none has and every den is > 0 (a NaN den makes a NaN rate) each rate is pooled_rates_of_two's,
  // within [0, 2) (so no row of its table takes the fallback: lanes_e0_e65), and the flags those of rates within.
  Bits bits = Bits{};
  Quad least_den = Quad{} + std::numeric_limits<double>::infinity();
  // With `weights`, each block's terms (the fold's: add_w3_four) stored as well, the next block's women's at wt, its
  // men's per_sex further (two pointers and constant offsets: the terms' stores took four pointers of their own).
  double* wt = weights;
  const std::size_t per_sex = kept_blocks_per_sex(rows) * kKeptBlockStride;
  const auto keep = [&](double* p, const Quad& wa, const Quad& mwa, const Quad& wb, const Quad& mwb)
      __attribute__((always_inline)) {
    store_vec(p, wa), store_vec(p + 4, mwa), store_vec(p + 8, wb), store_vec(p + 12, mwb);
  };
  const auto fast = [&](std::size_t r, auto with_weights) __attribute__((always_inline)) {
    // With the terms (rows = ages), the men's rows at one index of their own from the women's arrays: hoisted as
    // twelve pointers of their own, with the terms' they did not fit the registers (reloads from the stack).
    std::size_t ra = r + ages;
    if constexpr (decltype(with_weights)::value) asm("" : "+r"(ra));
    const std::size_t rr = decltype(with_weights)::value ? ra : r + rows;
    Quad p0, p1, q0, q1, ma, mb, f, m;
    load_vec(p0, P0a + r), load_vec(p1, P1a + r), load_vec(q0, P0b + r), load_vec(q1, P1b + r);
    load_vec(ma, mx_a + r), load_vec(mb, mx_b + r);
    {
      const Quad wa = (p0 + p1) / 2.0, wb = (q0 + q1) / 2.0, den = wa + wb, mwa = ma * wa, mwb = mb * wb;
      f = (mwa + mwb) / den;
      least_den = den < least_den ? den : least_den;
      if constexpr (decltype(with_weights)::value) keep(wt, wa, mwa, wb, mwb);
    }
    load_vec(p0, P0a + ra), load_vec(p1, P1a + ra), load_vec(q0, P0b + ra), load_vec(q1, P1b + ra);
    load_vec(ma, mx_a + rr), load_vec(mb, mx_b + rr);
    {
      const Quad wa = (p0 + p1) / 2.0, wb = (q0 + q1) / 2.0, den = wa + wb, mwa = ma * wa, mwb = mb * wb;
      m = (mwa + mwb) / den;
      least_den = den < least_den ? den : least_den;
      if constexpr (decltype(with_weights)::value) keep(wt + per_sex, wa, mwa, wb, mwb), wt += kKeptBlockStride;
    }
    Bits bf, bm;  // (std::bit_cast would return the vector by value: -Wpsabi)
    std::memcpy(&bf, &f, sizeof bf), std::memcpy(&bm, &m, sizeof bm);
    bits |= bf | bm;
    to_lanes(f, m, r);
  };
  if (rows >= 4) {
    // The last rows: the last four again (the same numbers), not a scalar loop.
    if (weights) {
      std::size_t r = 0;
#pragma GCC unroll 2
      for (; r + 4 <= rows; r += 4) fast(r, std::true_type{});
      if (r < rows) fast(rows - 4, std::true_type{});
    } else {
      std::size_t r = 0;
#pragma GCC unroll 2
      for (; r + 4 <= rows; r += 4) fast(r, std::false_type{});
      if (r < rows) fast(rows - 4, std::false_type{});
    }
    const Bits top = bits >> 62;
    if ((top[0] | top[1] | top[2] | top[3]) == 0 && least_den[0] > 0.0 && least_den[1] > 0.0 && least_den[2] > 0.0 &&
        least_den[3] > 0.0 && out[kLanes * (rows - 1)] > 0.0 && out[kLanes * (rows - 1) + 1] > 0.0) {
      flags[0] = flags[1] = kRatesOk | kRatesWithin;
      return true;
    }
  }
  // Otherwise (a row where nobody is exposed, a rate negative, ≥ 2 or not finite, fewer than four rows) every row
  // again with pooled_rates_of_two's operations (the plain mean where nobody is exposed), each sex's flags from the
  // sum of m − m (0 for a finite m, NaN from ±inf and NaN: any bad rate leaves it not 0) and the least rate.
  Quad bad[2] = {}, least[2] = {};
  const auto rates4 = [&](Quad & m, std::size_t s, std::size_t r) __attribute__((always_inline)) {
    Quad p0a, p1a, p0b, p1b, ma, mb;
    load_vec(p0a, P0a + s * ages + r), load_vec(p1a, P1a + s * ages + r), load_vec(p0b, P0b + s * ages + r);
    load_vec(p1b, P1b + s * ages + r), load_vec(ma, mx_a + s * rows + r), load_vec(mb, mx_b + s * rows + r);
    const Quad wa = (p0a + p1a) / 2.0, wb = (p0b + p1b) / 2.0;
    const Quad num = (0.0 + ma * wa) + mb * wb;
    const Quad den = (0.0 + wa) + wb;
    const Quad plain = (0.0 + ma) + mb;
    const Mask exposed = den > 0.0;
    m = (exposed ? num : plain) / (exposed ? den : Quad{} + n_mx);
  };
  const auto block = [&](std::size_t r) __attribute__((always_inline)) {
    Quad f, m;
    rates4(f, 0, r);
    rates4(m, 1, r);
    bad[0] += f - f;
    bad[1] += m - m;
    least[0] = f < least[0] ? f : least[0];
    least[1] = m < least[1] ? m : least[1];
    to_lanes(f, m, r);
  };
  std::size_t r = 0;
  for (; r + 4 <= rows; r += 4) block(r);
  if (r < rows && rows >= 4) {
    block(rows - 4);
    r = rows;
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
  return false;
}

bool pooled_tables_take(const LifeTableMethod& method, std::size_t rows) {
  const auto& q0 = method.infant_mortality_q0;
  return rows >= 3 && std::isfinite(method.radix) && method.radix > 0.0 &&
         (!q0 || (std::isfinite(*q0) && *q0 >= 0.0 && *q0 < 1.0));
}

void pooled_e0_e65_lanes(const double* mx, std::size_t n, std::size_t rows, const LifeTableMethod& method,
                         PooledTablesScratch& sc, double (*e0)[2], double (*e65)[2], unsigned below2) {
  const std::size_t w = rows - 1;
  const auto& q0_given = method.infant_mortality_q0;
  double a0[kLanes], q0[kLanes], le0[kLanes], le65[kLanes];
  unsigned alone = 0;  // units whose table takes the fallback somewhere: built alone
  // infant_a0 of the default rule (Andreev–Kingkade from m0, q0 given or not: pooled_tables_take found it valid) where
  // m0 is finite and ≥ 0: its value, not a call per lane. Without a given q0 every lane at once (ak_row0_lanes), the
  // lanes it leaves as below.
  const bool ak = method.a0_rule == A0Rule::andreev_kingkade;
  const unsigned used = (1u << (2 * n)) - 1;
  const unsigned scalar = ak && !q0_given ? ak_row0_lanes(mx, a0, q0) & used : (1u << kLanes) - 1;
  for (unsigned left = scalar; left != 0; left &= left - 1) {  // the lanes of `scalar` only
    const std::size_t j = uz(std::countr_zero(left));
    const double m = mx[j];
    const Sex sex = j % 2 == 0 ? Sex::female : Sex::male;
    // Lanes of no unit: any numbers (not read).
    const double a = j >= 2 * n                       ? 0.5
                     : ak && m >= 0.0 && m <= DBL_MAX ? ak_a0_from_m0(sex, m)
                                                      : infant_a0(method.a0_rule, sex, method.region, m, q0_given);
    // q_from_m(1, m_0, a, q) unless q0 is given; its fallback (q > 1) is the table's alone.
    const double q = q0_given ? *q0_given : 1.0 * m / (1.0 + (1.0 - a) * m);
    if (q > 1.0 && j < 2 * n) alone |= 1u << (j / 2);
    a0[j] = a;
    q0[j] = q;
  }
  sc.terms.resize(kLanes * w);
  lanes_e0_e65(mx, w, a0, q0, method.radix, sc.terms.data(), le0, le65);
  const unsigned over = fallback_lanes(mx, w, 2 * n, below2);
  if ((alone | over) == 0) {  // the common case: every unit's values are its lanes'
    for (std::size_t j = 0; j < 2 * n; ++j) {
      e0[j / 2][j % 2] = le0[j];
      e65[j / 2][j % 2] = le65[j];
    }
    return;
  }
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
                   PooledTablesScratch& sc, double (*e0)[2], double (*e65)[2], unsigned below2) {
  sc.lanes.assign(kLanes * rows, 0.0);
  for (std::size_t j = 0; j < n; ++j)
    for (std::size_t s = 0; s < 2; ++s)
      for (std::size_t r = 0; r < rows; ++r) sc.lanes[kLanes * r + 2 * j + s] = rates[j][s * rows + r];
  pooled_e0_e65_lanes(sc.lanes.data(), n, rows, method, sc, e0, e65, below2);
}

}  // namespace cohortgis::detail

namespace cohortgis::detail {

void IndicatorPass::make_weights_ring() {
  // The zones' terms interleaved: slot k's at 16k (kept_terms_span: its blocks kKeptBlockStride apart).
  weights_.reset(new double[kept_terms_span(rows_)]);
  weight_zone_.reset(new std::atomic<int>[kWeightZones]);
  for (std::size_t i = 0; i < kWeightZones; ++i) weight_zone_[i].store(-1, std::memory_order_relaxed);
}

bool IndicatorPass::rates_to_batch(int zn, int (&flags)[2], IndicatorScratch& sc) const {
  if (sc.batch_pass != id_) {  // the thread's batch of this pass (a lookup per zone cost more than the cache)
    sc.batch = &batches_.local();
    sc.batch_pass = id_;
  }
  TableBatch& b = *sc.batch;
  const std::size_t rows = rows_, sa = uz(zn) * 2;
  b.sc.lanes.resize(kLanes * rows);
  double* lanes = b.sc.lanes.data() + 2 * b.n;
  // The zone's two states (groups 0 and 1) in both populations (one layout) and in the rates, each a state further:
  // their offsets once, not per array and group.
  const std::size_t o = sa * kSexes * A_, state = kSexes * A_;
  const double *P0 = start_.data().data() + o, *P1 = end_.data().data() + o, *mx = mx_of(sa);
  // The fold's terms kept where the slot's last zone is folded and this one is not, and the slot is claimed (see
  // weights_).
  const std::size_t slot = uz(zn) % kWeightZones;
  double* w = nullptr;
  if (weights_) {
    const int folded = folded_.load(std::memory_order_acquire);
    if (zn >= folded && zn - static_cast<int>(kWeightZones) < folded) {
      int seen = weight_zone_[slot].load(std::memory_order_relaxed);
      if (seen >= -1 && seen < zn &&
          weight_zone_[slot].compare_exchange_strong(seen, -(zn + 2), std::memory_order_acquire))
        w = weights_.get() + 16 * slot;
    }
  }
  const bool below2 = rates_of_two_lanes(mx, P0, P1, mx_of(sa + 1), P0 + state, P1 + state, rows, A_, lanes, flags, w);
  if (w) weight_zone_[slot].store(zn, std::memory_order_release);
  b.below2 = below2 ? b.below2 | (1u << b.n) : b.below2 & ~(1u << b.n);
  if ((flags[0] & flags[1] & kRatesWithin) != 0) return true;
  sc.zone_rates.resize(2 * rows);  // finish makes these tables (with their checks) from [sex][row]
  for (std::size_t s = 0; s < 2; ++s)
    for (std::size_t r = 0; r < rows; ++r) sc.zone_rates[s * rows + r] = lanes[kLanes * r + s];
  return false;
}

void IndicatorPass::run_tables(TableBatch& b) const {
  if (b.n == 0) return;
  double e0[kTableUnits][2], e65[kTableUnits][2];
  pooled_e0_e65_lanes(b.sc.lanes.data(), b.n, rows_, method_, b.sc, e0, e65, b.below2);
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

void IndicatorPass::pooled_tables(double* v, const SlotView& acc, std::size_t slot, std::span<const int> zones,
                                  IndicatorScratch& sc) const {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  const AgeGrid& grid = start_.layout().grid;
  auto set = [&](Indicator id, double x) { v[static_cast<int>(id)] = x; };
  // Nobody exposed at a row in any member: the members' plain mean rate keeps the table defined.
  int flags[2] = {acc.rate_flags[0], acc.rate_flags[1]};
  const double* mx_both = acc.rates;
  if (!mx_both) {
    const IndicatorSums& pooled = *acc.pooled;
    const double* plain = pooled.mx_sum.data();
    if (pooled.plain_deferred) plain = deferred_plain(pooled, slot, zones, sc);
    sc.pooled_mx.resize(2 * rows_);
    for (int s = 0; s < 2; ++s) {
      const std::size_t o = uz(s) * rows_;
      flags[s] = pooled_rates(pooled.mx_num.data() + o, pooled.mx_den.data() + o, plain + o, pooled.n_mx,
                              sc.pooled_mx.data() + o, rows_);
    }
    mx_both = sc.pooled_mx.data();
  }
  const bool ok[2] = {(flags[0] & kRatesOk) != 0, (flags[1] & kRatesOk) != 0};
  // Rates given past a five-year grid's open age: the pooled table closes as each member's does (DemoTools'
  // lt_abridged(OAnew = w) order, build_abridged_life_table_closed_above), its last closed group's Greville nax
  // taking the members' rates of the group above the open age pooled as the open row's are (Σ m·w / Σ w with the
  // open group's mid-step persons w, add_mx; the plain mean where nobody is exposed there). One member: its own
  // rate, so a unit of one state (or of states with the same rates) has its states' e0.
  if (!mx_next_.empty() && grid.width_years != 1) {
    for (int s = 0; s < 2; ++s) {
      if (!ok[s]) continue;
      const std::span<const double> mx(mx_both + uz(s) * rows_, rows_);
      build_abridged_life_table_closed_above(mx, pooled_rate_above_open(slot, zones, s), static_cast<Sex>(s), method_,
                                             sc.lt);
      set(s == 0 ? Indicator::e0_female : Indicator::e0_male, sc.lt.ex[0]);
      for (std::size_t r = 0; r < sc.lt.rows(); ++r)
        if (sc.lt.age[r] == 65.0) set(s == 0 ? Indicator::e65_female : Indicator::e65_male, sc.lt.ex[r]);
    }
    return;
  }
  const bool both_sexes = ok[0] && ok[1] && grid.width_years == 1;
  if (both_sexes) {  // the two tables' recurrences interleaved (the same bits as one table after the other)
    double e0[2] = {kNaN, kNaN}, e65[2] = {kNaN, kNaN};
    const std::span<const double> mx_f(mx_both, rows_), mx_m(mx_both + rows_, rows_);
    if ((flags[0] & flags[1] & kRatesWithin) != 0)  // checked as they were made: no second pass over them
      single_year_e0_e65_both_checked(mx_f, mx_m, method_, sc.lt, e0, e65);
    else
      single_year_e0_e65_both(mx_f, mx_m, method_, sc.lt, e0, e65);
    set(Indicator::e0_female, e0[0]);
    set(Indicator::e0_male, e0[1]);
    if (!std::isnan(e65[0])) set(Indicator::e65_female, e65[0]);
    if (!std::isnan(e65[1])) set(Indicator::e65_male, e65[1]);
  }
  // Five-year grids: e0 and e65 of both abridged tables in one pass (a lane each; the same bits), else each alone.
  bool both_abridged = false;
  if (ok[0] && ok[1] && grid.width_years != 1) {
    double e0[2] = {kNaN, kNaN}, e65[2] = {kNaN, kNaN};
    const AbridgedStepLane lanes[2] = {
        {std::span<const double>(mx_both, rows_), Sex::female, {}, &e0[0], &e65[0]},
        {std::span<const double>(mx_both + rows_, rows_), Sex::male, {}, &e0[1], &e65[1]}};
    both_abridged = abridged_step_mortality_lanes(lanes, method_, 0, sc.lt);
    if (both_abridged) {
      set(Indicator::e0_female, e0[0]);
      set(Indicator::e0_male, e0[1]);
      set(Indicator::e65_female, e65[0]);
      set(Indicator::e65_male, e65[1]);
    }
  }
  for (int s = 0; s < 2 && !both_sexes && !both_abridged; ++s) {
    if (!ok[s]) continue;
    const std::span<const double> mx(mx_both + uz(s) * rows_, rows_);
    if (grid.width_years == 1) {  // only e0 and e65 of the table (the same bits, without its other columns)
      double e0 = kNaN, e65 = kNaN;
      single_year_e0_e65(mx, static_cast<Sex>(s), method_, sc.lt, e0, e65);
      set(s == 0 ? Indicator::e0_female : Indicator::e0_male, e0);
      if (!std::isnan(e65)) set(s == 0 ? Indicator::e65_female : Indicator::e65_male, e65);
      continue;
    }
    double e0 = kNaN, e65 = kNaN;  // only e0 and e65 of the abridged table (the same bits), else the table
    if (abridged_step_mortality(mx, static_cast<Sex>(s), method_, 0, sc.lt, {}, e0, e65)) {
      set(s == 0 ? Indicator::e0_female : Indicator::e0_male, e0);
      set(s == 0 ? Indicator::e65_female : Indicator::e65_male, e65);
      continue;
    }
    build_abridged_life_table(mx, static_cast<Sex>(s), method_, sc.lt);
    set(s == 0 ? Indicator::e0_female : Indicator::e0_male, sc.lt.ex[0]);
    for (std::size_t r = 0; r < sc.lt.rows(); ++r)
      if (sc.lt.age[r] == 65.0) set(s == 0 ? Indicator::e65_female : Indicator::e65_male, sc.lt.ex[r]);
  }
}

double IndicatorPass::pooled_rate_above_open(std::size_t slot, std::span<const int> zones, int s) const {
  const std::size_t open = A_ - 1;
  const std::size_t g_lo = slot < uz(G_) ? slot : 0, g_hi = slot < uz(G_) ? slot + 1 : uz(G_);
  double num = 0.0, den = 0.0, plain = 0.0, n = 0.0;
  for (int zn : zones)
    for (std::size_t g = g_lo; g < g_hi; ++g) {
      const std::size_t st = uz(zn) * uz(G_) + g;
      const double w =
          (start_.ages(zn, static_cast<int>(g), s)[open] + end_.ages(zn, static_cast<int>(g), s)[open]) / 2.0;
      const double m = mx_next_[st * kSexes + uz(s)];
      num += m * w;
      den += w;
      plain += m;
      n += 1.0;
    }
  return den > 0.0 ? num / den : plain / n;
}

void IndicatorPass::run_all_tables() const {
  for (TableBatch& b : batches_) run_tables(b);
}

}  // namespace cohortgis::detail
