// SPDX-License-Identifier: Apache-2.0
// The vectorised loops of the indicators (indicator_kernels.hpp). Every loop is element-wise or keeps each sum a serial
// chain in age order, so every vector width gives the same bits.
#include "indicator_kernels.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>

#include "simd.hpp"

namespace cohortgis::detail {

namespace {
// a where c, else b, selected in the integer bits (the same double): GCC if-converts and vectorises this where a
// select of doubles that feeds a division is turned back into a branch under -ftrapping-math (pooled_rates_of_two,
// tfr_terms: the selected operands are computed, not loaded).
inline double pick(bool c, double a, double b) {
  const std::uint64_t m = std::uint64_t{0} - static_cast<std::uint64_t>(c);
  return std::bit_cast<double>((std::bit_cast<std::uint64_t>(a) & m) | (std::bit_cast<std::uint64_t>(b) & ~m));
}

int rates_flags(double bad, double negative, const double* mx, std::size_t rows) {
  if (!(bad == 0.0 && rows > 0 && mx[rows - 1] > 0.0)) return 0;
  return negative == 0.0 ? kRatesOk | kRatesWithin : kRatesOk;
}
}  // namespace

// acc[i] += v[i]: element-wise, so every vector width gives the same bits.
COHORTGIS_KERNEL void add_to(double* __restrict acc, const double* __restrict v, std::size_t n) {
#pragma GCC unroll 4  // the vectorised loop four times per trip: less loop overhead per vector
  for (std::size_t i = 0; i < n; ++i) acc[i] += v[i];
}

// Pooled mx of one state and sex by life-table row r, weighted by mid-step persons w = (P0 + P1) / 2 at the
// population index of the row (single years: r; abridged: 0 and 1–4 → 0, 5–9 → 1, …): element-wise.
COHORTGIS_KERNEL void add_mx(double* __restrict num, double* __restrict den, double* __restrict plain,
                             const double* __restrict mx, const double* __restrict P0, const double* __restrict P1,
                             std::size_t rows, int z) {
  std::size_t r = 0, shift = 0;
  if (z != 1) {  // row 0 (age 0) and row 1 (1–4) both read index 0
    const double w = (P0[0] + P1[0]) / 2.0;
    num[0] += mx[0] * w;
    den[0] += w;
    plain[0] += mx[0];
    r = shift = 1;
  }
  for (; r < rows; ++r) {
    const double w = (P0[r - shift] + P1[r - shift]) / 2.0;
    num[r] += mx[r] * w;
    den[r] += w;
    plain[r] += mx[r];
  }
}

// add_mx over the rows [r0, r1) (an aggregate's sums split over row ranges across threads): each row sees the same
// operations whichever range holds it.
COHORTGIS_KERNEL void add_mx_rows(double* __restrict num, double* __restrict den, double* __restrict plain,
                                  const double* __restrict mx, const double* __restrict P0, const double* __restrict P1,
                                  std::size_t r0, std::size_t r1, int z) {
  std::size_t r = r0, shift = 0;
  if (z != 1) {  // row 0 (age 0) and row 1 (1–4) both read index 0
    if (r == 0 && r < r1) {
      const double w = (P0[0] + P1[0]) / 2.0;
      num[0] += mx[0] * w, den[0] += w, plain[0] += mx[0];
      r = 1;
    }
    shift = 1;
  }
  for (; r < r1; ++r) {
    const double w = (P0[r - shift] + P1[r - shift]) / 2.0;
    num[r] += mx[r] * w;
    den[r] += w;
    plain[r] += mx[r];
  }
}

// acc1[i] += v[i] and acc2[i] += v[i] in one pass (an aggregate's group slot and its "all groups" slot): each sum
// sees the same additions in the same order as from add_to.
COHORTGIS_KERNEL void add_to2(double* __restrict acc1, double* __restrict acc2, const double* __restrict v,
                              std::size_t n) {
#pragma GCC unroll 4  // the vectorised loop four times per trip: less loop overhead per vector
  for (std::size_t i = 0; i < n; ++i) {
    acc1[i] += v[i];
    acc2[i] += v[i];
  }
}

// add_mx into two slots' sums in one pass (the same products and additions for each), over the rows [r0, r1): a
// zone's slots take every row, an aggregate's sums split over row ranges across threads; each row sees the same
// operations whichever range holds it.
COHORTGIS_KERNEL void add_mx2_rows(double* __restrict num1, double* __restrict den1, double* __restrict plain1,
                                   double* __restrict num2, double* __restrict den2, double* __restrict plain2,
                                   const double* __restrict mx, const double* __restrict P0,
                                   const double* __restrict P1, std::size_t r0, std::size_t r1, int z) {
  std::size_t r = r0, shift = 0;
  if (z != 1) {  // row 0 (age 0) and row 1 (1–4) both read index 0
    if (r == 0 && r < r1) {
      const double w = (P0[0] + P1[0]) / 2.0, mw = mx[0] * w;
      num1[0] += mw, den1[0] += w, plain1[0] += mx[0];
      num2[0] += mw, den2[0] += w, plain2[0] += mx[0];
      r = 1;
    }
    shift = 1;
  }
#pragma GCC unroll 2  // the vectorised loop twice per trip
  for (; r < r1; ++r) {
    const double w = (P0[r - shift] + P1[r - shift]) / 2.0, mw = mx[r] * w;
    num1[r] += mw;
    den1[r] += w;
    plain1[r] += mx[r];
    num2[r] += mw;
    den2[r] += w;
    plain2[r] += mx[r];
  }
}

// The two states of a zone of two groups (a, then b) into their groups' sums and into the "all" sums of an aggregate,
// in one pass: g0 += a, g1 += b, all = (all + a) + b — the additions of add_to2(g0, all, a) then add_to2(g1, all, b),
// in the same order, reading and writing `all` once.
COHORTGIS_KERNEL void add_to3(double* __restrict g0, double* __restrict g1, double* __restrict all,
                              const double* __restrict a, const double* __restrict b, std::size_t n) {
#pragma GCC unroll 2  // the vectorised loop twice per trip
  for (std::size_t i = 0; i < n; ++i) {
    g0[i] += a[i];
    g1[i] += b[i];
    all[i] = (all[i] + a[i]) + b[i];
  }
}

// add_to3 of four consecutive zones in one pass (zone k's state a at a + k · zone, its state b `b` further): each sum
// sees zone 0's additions, then zone 1's, …, as from four add_to3 calls, with the sums read and written once instead of
// four times (an aggregate's fold, IndicatorPass::accumulate_four_zones_of_two).
COHORTGIS_KERNEL void add_to3_four(double* __restrict g0, double* __restrict g1, double* __restrict all,
                                   const double* __restrict a, std::size_t b, std::size_t zone, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    double x0 = g0[i], x1 = g1[i], x = all[i];
#pragma GCC unroll 4
    for (std::size_t k = 0; k < 4; ++k) {
      const double va = a[k * zone + i], vb = a[k * zone + b + i];
      x0 += va;
      x1 += vb;
      x = (x + va) + vb;
    }
    g0[i] = x0;
    g1[i] = x1;
    all[i] = x;
  }
}

// acc[i] = (+0 + a[i]) + b[i]: the sums of two states as reset + add_to + add_to make them (the same additions in
// the same order), in one pass with no zeroing of the sums.
COHORTGIS_KERNEL void sum_of_two(double* __restrict acc, const double* __restrict a, const double* __restrict b,
                                 std::size_t n) {
#pragma GCC unroll 4  // the vectorised loop four times per trip: less loop overhead per vector
  for (std::size_t i = 0; i < n; ++i) acc[i] = (0.0 + a[i]) + b[i];
}

// The pooled rates of one sex by row: Σ mx·w / Σ w, or the members' plain mean where nobody is exposed, and their
// flags (kRatesOk, kRatesWithin), checked in the same branch-free pass.
COHORTGIS_KERNEL int pooled_rates(const double* __restrict num, const double* __restrict den,
                                  const double* __restrict plain, double n_mx, double* __restrict mx,
                                  std::size_t rows) {
  double bad = 0.0, negative = 0.0;
  for (std::size_t r = 0; r < rows; ++r) {
    // num / den or plain / n_mx as one division of selected operands (the same quotient): the loop vectorises at
    // AVX2 too (a select between two divisions stays a branch there).
    const double d = den[r];
    const bool exposed = d > 0.0;
    const double m = (exposed ? num[r] : plain[r]) / (exposed ? d : n_mx);
    mx[r] = m;
    bad = (m - m == 0.0) ? bad : 1.0;  // x − x is 0 for a finite x, NaN for ±inf and NaN
    negative = m >= 0.0 ? negative : 1.0;
  }
  return rates_flags(bad, negative, mx, rows);
}

// pooled_rates of the sums that reset + add_mx + add_mx make from two states on single-year rows (num, den and plain
// from +0, n_mx = (+0 + 1) + 1), in one pass: the "all" slot of a zone of two groups every year. The same operations
// on each row, so the same rates and flags, without storing the sums and reading them back.
COHORTGIS_KERNEL int pooled_rates_of_two(const double* __restrict mx_a, const double* __restrict P0a,
                                         const double* __restrict P1a, const double* __restrict mx_b,
                                         const double* __restrict P0b, const double* __restrict P1b,
                                         double* __restrict mx, std::size_t rows) {
  const double n_mx = (0.0 + 1.0) + 1.0;
  double bad = 0.0, negative = 0.0;
  for (std::size_t r = 0; r < rows; ++r) {
    const double wa = (P0a[r] + P1a[r]) / 2.0, wb = (P0b[r] + P1b[r]) / 2.0;
    const double num = (0.0 + mx_a[r] * wa) + mx_b[r] * wb;
    const double den = (0.0 + wa) + wb;
    const double plain = (0.0 + mx_a[r]) + mx_b[r];
    const bool exposed = den > 0.0;
    const double m = pick(exposed, num, plain) / pick(exposed, den, n_mx);
    mx[r] = m;
    bad = (m - m == 0.0) ? bad : 1.0;
    negative = m >= 0.0 ? negative : 1.0;
  }
  return rates_flags(bad, negative, mx, rows);
}

// The TFR's terms of a slot of several states: births by age of mother over exposure where anyone is exposed, +0
// elsewhere (adding +0 to the sum, which starts at +0 and so is never −0, leaves it as skipping the age did), as one
// division of selected operands so that the loop vectorises; the sum stays a serial chain in age order.
COHORTGIS_KERNEL void tfr_terms(const double* __restrict bma, const double* __restrict expo, double* __restrict q,
                                std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    const double b = bma[i], e = expo[i];
    const bool exposed = e > 0.0;
    q[i] = pick(exposed, b, 0.0) / pick(exposed, e, 1.0);
  }
}

// The sums of persons of one slot on a single-year grid whose open age is 65 or above (IndicatorPass::
// single_year_bands_), in one pass over the ages: the start population (female ages, then male), the end population
// of each sex, both sexes by age (`both`) and their total, each in age order from +0 (the same bits as a loop of its
// own); the running total before each age (`cum`, ages + 1 values: cum[i] is the sum of both[0 … i−1], the `cum` of
// median_age_of_total at age i, and cum[ages] the total); and the ten standard bands (band_'s order: 0–14, 15–64,
// 65+, 60+, women 15–49, 0–2, 3–5, 6–11, 12–14, 15–59), whose weights are all 1 there: each band's additions in age
// order from +0 as BandWeights::sum makes them (x · 1 = x exactly), from the values already in registers.
COHORTGIS_KERNEL void slot_sums_single_year(const double* __restrict start_f, const double* __restrict start_m,
                                            const double* __restrict Pf, const double* __restrict Pm,
                                            double* __restrict both, double* __restrict cum, std::size_t ages,
                                            SlotSums& out) {
  double st = 0.0, pf = 0.0, pm = 0.0, bt = 0.0;
  double b0_14 = 0.0, b15_64 = 0.0, b65 = 0.0, b60 = 0.0, w15_49 = 0.0;
  double b0_2 = 0.0, b3_5 = 0.0, b6_11 = 0.0, b12_14 = 0.0, b15_59 = 0.0;
  const auto age = [&](std::size_t i) {
    const double f = Pf[i], b = f + Pm[i];
    both[i] = b;
    cum[i] = bt;
    st += start_f[i];
    pf += f;
    pm += Pm[i];
    bt += b;
    return b;
  };
  std::size_t i = 0;
  for (; i < 3; ++i) {
    const double b = age(i);
    b0_14 += b, b0_2 += b;
  }
  for (; i < 6; ++i) {
    const double b = age(i);
    b0_14 += b, b3_5 += b;
  }
  for (; i < 12; ++i) {
    const double b = age(i);
    b0_14 += b, b6_11 += b;
  }
  for (; i < 15; ++i) {
    const double b = age(i);
    b0_14 += b, b12_14 += b;
  }
#pragma GCC unroll 4
  for (; i < 50; ++i) {
    const double b = age(i);
    b15_64 += b, b15_59 += b, w15_49 += Pf[i];
  }
#pragma GCC unroll 2
  for (; i < 60; ++i) {
    const double b = age(i);
    b15_64 += b, b15_59 += b;
  }
  for (; i < 65; ++i) {
    const double b = age(i);
    b15_64 += b, b60 += b;
  }
#pragma GCC unroll 4
  for (; i < ages; ++i) {
    const double b = age(i);
    b65 += b, b60 += b;
  }
  cum[ages] = bt;
#pragma GCC unroll 4
  for (i = 0; i < ages; ++i) st += start_m[i];
  out.start_total = st, out.pop_f = pf, out.pop_m = pm, out.both_total = bt;
  const double band[10] = {b0_14, b15_64, b65, b60, w15_49, b0_2, b3_5, b6_11, b12_14, b15_59};
  std::copy(band, band + 10, out.band);
}

namespace {
// Two doubles, one per slot: a lane-wise addition is each slot's own addition (the same bits).
using Pair = double __attribute__((vector_size(16)));
inline Pair pair(const double* a, const double* b, std::size_t i) { return Pair{a[i], b[i]}; }
inline void store(double* a, double* b, std::size_t i, Pair v) { a[i] = v[0], b[i] = v[1]; }
}  // namespace

// slot_sums_single_year of two slots in one pass, slot a in the low lane of each vector and slot b in the high one:
// every chain is its slot's own chain, in the same order, from +0, so each slot's sums are the bits of its own pass;
// one vector addition makes both slots' additions (half the instructions) and the two chains overlap.
COHORTGIS_KERNEL void slot_sums_single_year2(const SlotSumsIn& a, const SlotSumsIn& b, std::size_t ages,
                                             SlotSums& out_a, SlotSums& out_b) {
  const double* __restrict sfa = a.start_f, * __restrict sfb = b.start_f, * __restrict sma = a.start_m, * __restrict smb = b.start_m;
  const double* __restrict pfa = a.Pf, * __restrict pfb = b.Pf, * __restrict pma = a.Pm, * __restrict pmb = b.Pm;
  double* __restrict ba = a.both, * __restrict bb = b.both, * __restrict ca = a.cum, * __restrict cb = b.cum;
  const Pair zero = {0.0, 0.0};
  Pair st = zero, pf = zero, pm = zero, bt = zero;
  Pair b0_14 = zero, b15_64 = zero, b65 = zero, b60 = zero, w15_49 = zero;
  Pair b0_2 = zero, b3_5 = zero, b6_11 = zero, b12_14 = zero, b15_59 = zero;
  Pair f;  // the women of the last age
  const auto age = [&](std::size_t i) {
    f = pair(pfa, pfb, i);
    const Pair m = pair(pma, pmb, i), both = f + m;
    store(ba, bb, i, both);
    store(ca, cb, i, bt);
    st += pair(sfa, sfb, i);
    pf += f;
    pm += m;
    bt += both;
    return both;
  };
  std::size_t i = 0;
  for (; i < 3; ++i) {
    const Pair v = age(i);
    b0_14 += v, b0_2 += v;
  }
  for (; i < 6; ++i) {
    const Pair v = age(i);
    b0_14 += v, b3_5 += v;
  }
  for (; i < 12; ++i) {
    const Pair v = age(i);
    b0_14 += v, b6_11 += v;
  }
  for (; i < 15; ++i) {
    const Pair v = age(i);
    b0_14 += v, b12_14 += v;
  }
#pragma GCC unroll 4
  for (; i < 50; ++i) {
    const Pair v = age(i);
    b15_64 += v, b15_59 += v, w15_49 += f;
  }
#pragma GCC unroll 2
  for (; i < 60; ++i) {
    const Pair v = age(i);
    b15_64 += v, b15_59 += v;
  }
  for (; i < 65; ++i) {
    const Pair v = age(i);
    b15_64 += v, b60 += v;
  }
#pragma GCC unroll 4
  for (; i < ages; ++i) {
    const Pair v = age(i);
    b65 += v, b60 += v;
  }
  store(ca, cb, ages, bt);
  Pair tfr = zero;
  if (a.asfr && b.asfr) {  // the schedules' sums too, a chain of their own beside the male start population's
    const double* __restrict fa = a.asfr, * __restrict fb = b.asfr;
#pragma GCC unroll 4
    for (i = 0; i < ages; ++i) st += pair(sma, smb, i), tfr += pair(fa, fb, i);
  } else {
#pragma GCC unroll 4
    for (i = 0; i < ages; ++i) st += pair(sma, smb, i);
  }
  const Pair band[10] = {b0_14, b15_64, b65, b60, w15_49, b0_2, b3_5, b6_11, b12_14, b15_59};
  SlotSums* out[2] = {&out_a, &out_b};
  for (int k = 0; k < 2; ++k) {
    SlotSums& o = *out[k];
    o.start_total = st[k], o.pop_f = pf[k], o.pop_m = pm[k], o.both_total = bt[k];
    o.asfr_sum = tfr[k];
    for (int j = 0; j < 10; ++j) o.band[j] = band[j][k];
  }
}

namespace {
// Four doubles: lanes group 0, group 1, "all" and one unread (a lane-wise addition is each slot's own addition).
using Quad = double __attribute__((vector_size(32)));
// {a[i], b[i], a[i] + b[i], b[i] + a[i]}: the "all" slot's value as sum_of_two makes it, (+0 + a) + b, but for the sign
// of a zero (a = b = −0 gives −0 here), which a sum from +0 does not see (+0 + ±0 = +0; a sum from +0 is never −0).
// (Out-parameters, not return values: a 32-byte vector returned or passed by value changes the ABI without AVX.)
[[gnu::always_inline]] inline void quad(Quad& out, const double* a, const double* b, std::size_t i) {
  const Pair p = {a[i], b[i]};
  const Quad x = __builtin_shufflevector(p, p, 0, 1, 0, 1);
  out = __builtin_shufflevector(x, x + __builtin_shufflevector(x, x, 1, 0, 3, 2), 0, 1, 6, 7);
}
[[gnu::always_inline]] inline void add4(Quad& acc, const double* p) {
  Quad v;
  load_vec(v, p);
  acc += v;
}
// The quads of a and b at ages i … i + 3 (q[j]: age i + j), from vectors along the ages (the sums a + b of four ages
// in one addition, then a 4 × 4 transpose), which takes fewer instructions than quad per age.
[[gnu::always_inline]] inline void quads_of4(const double* __restrict a, const double* __restrict b, std::size_t i,
                                             Quad& q0, Quad& q1, Quad& q2, Quad& q3) {
  Quad va, vb;
  load_vec(va, a + i);
  load_vec(vb, b + i);
  const Quad vs = va + vb;
  const Quad lo = __builtin_shufflevector(va, vb, 0, 4, 2, 6), hi = __builtin_shufflevector(va, vb, 1, 5, 3, 7);
  // Lane 3 is left to whatever comes (no one reads it): a sum of another age, one shuffle less than a copy of lane 2.
  const Quad shi = __builtin_shufflevector(vs, vs, 1, 0, 3, 2);
  q0 = __builtin_shufflevector(lo, vs, 0, 1, 4, 5), q1 = __builtin_shufflevector(hi, shi, 0, 1, 4, 5);
  q2 = __builtin_shufflevector(lo, vs, 2, 3, 6, 7), q3 = __builtin_shufflevector(hi, shi, 2, 3, 6, 7);
}
// out[4i …] = the quad of a and b at age i, every age, and each quad added to `chain` in age order (the women's sums,
// from +0: the bits of a chain in the sums' own pass) while it is in registers.
[[gnu::always_inline]] inline void quads(double* __restrict out, const double* __restrict a, const double* __restrict b,
                                         std::size_t n, Quad& chain) {
  std::size_t i = 0;
#pragma GCC unroll 2  // half the loop's overhead
  for (; i + 4 <= n; i += 4) {
    Quad q0, q1, q2, q3;
    quads_of4(a, b, i, q0, q1, q2, q3);
    store_vec(out + 4 * i, q0);
    store_vec(out + 4 * i + 4, q1);
    store_vec(out + 4 * i + 8, q2);
    store_vec(out + 4 * i + 12, q3);
    chain = (((chain + q0) + q1) + q2) + q3;
  }
  for (; i < n; ++i) {
    Quad q;
    quad(q, a, b, i);
    store_vec(out + 4 * i, q);
    chain += q;
  }
}
}  // namespace

// slot_sums_single_year2 of a zone's two group slots and slot_sums_single_year of its "all" slot in one pass, a lane
// each: every chain is its slot's own, in the same order from +0, so the same bits as the two kernels on the group
// states' arrays and on the "all" slot's sum_of_two arrays (see quad: the "all" values differ at most in the sign of a
// zero, which no sum from +0 and no test of > 0 sees). With the start totals given (carried from the last step), the
// start population is not read; the end chain is made instead (one addition an age and slot, from the male values).
// Three bands are values of other chains on the way: ages 0–2 and 0–14 are the running total before ages 3 and 15
// (+0 and the same additions), ages 15–59 the 15–64 band's before age 60 (the same).
// The women's quads are stored by a first pass that makes their chain (the end chain goes on from its total over the
// men's ages); the men's are made four ages at a time in registers in the chains' pass, each block of four ages with
// its bands spelled out (ages ≥ 66: an open age of 65 or more).
COHORTGIS_KERNEL void slot_sums_zone_of_two(const ZoneOfTwoIn& in, std::size_t ages, ZoneOfTwoOut& out) {
  const double* __restrict pfa = in.Pfa, * __restrict pfb = in.Pfb, * __restrict pma = in.Pma, * __restrict pmb = in.Pmb;
  double* __restrict cum = out.cum;
  const Quad zero = {0.0, 0.0, 0.0, 0.0};
  double* __restrict women = out.scratch;  // [age][4]
  Quad pf = zero;
  quads(women, pfa, pfb, ages, pf);
  const bool start_summed = in.start_given == nullptr;
  Quad st = zero;
  if (start_summed) {  // the start chain: female ages, then male, a loop of its own (a run's first step only)
    Quad s;
#pragma GCC unroll 4
    for (std::size_t i = 0; i < ages; ++i) quad(s, in.start_fa, in.start_fb, i), st += s;
#pragma GCC unroll 4
    for (std::size_t i = 0; i < ages; ++i) quad(s, in.start_ma, in.start_mb, i), st += s;
  }
  Quad pm = zero, bt = zero, low = zero;
  Quad b15_64 = zero, b65 = zero, b60 = zero, w15_49 = zero;
  Quad b3_5 = zero, b6_11 = zero, b12_14 = zero;
  // The end chain continues the women's sum over the men's ages (the next step's start total).
  Quad end = pf;
  Quad f, v;  // the women and both sexes of the last age
  const auto age = [&](std::size_t i, const Quad& m) {
    load_vec(f, women + 4 * i);
    v = f + m;  // not stored: finish adds one age's again where it needs it (PresummedSlot::persons)
    store_vec(cum + 4 * i, bt);
    pm += m;
    end += m;
    bt += v;
    low = v < low ? v : low;
  };
  Quad m0, m1, m2, m3;
  const auto men4 = [&](std::size_t i) { quads_of4(pma, pmb, i, m0, m1, m2, m3); };
  men4(0);
  age(0, m0), age(1, m1), age(2, m2);
  const Quad b0_2 = bt;
  age(3, m3), b3_5 += v;
  men4(4);
  age(4, m0), b3_5 += v, age(5, m1), b3_5 += v;
  age(6, m2), b6_11 += v, age(7, m3), b6_11 += v;
  men4(8);
  age(8, m0), b6_11 += v, age(9, m1), b6_11 += v, age(10, m2), b6_11 += v, age(11, m3), b6_11 += v;
  men4(12);
  age(12, m0), b12_14 += v, age(13, m1), b12_14 += v, age(14, m2), b12_14 += v;
  const Quad b0_14 = bt;
  age(15, m3), b15_64 += v, w15_49 += f;
  const auto fertile = [&](std::size_t i, const Quad& m) { age(i, m), b15_64 += v, w15_49 += f; };
  std::size_t i = 16;
#pragma GCC unroll 2
  for (; i < 48; i += 4) men4(i), fertile(i, m0), fertile(i + 1, m1), fertile(i + 2, m2), fertile(i + 3, m3);
  men4(48);
  fertile(48, m0), fertile(49, m1);
  age(50, m2), b15_64 += v, age(51, m3), b15_64 += v;
  for (i = 52; i < 60; i += 4) {
    men4(i);
    age(i, m0), b15_64 += v, age(i + 1, m1), b15_64 += v, age(i + 2, m2), b15_64 += v, age(i + 3, m3), b15_64 += v;
  }
  const Quad b15_59 = b15_64;
  const auto sixties = [&](std::size_t a, const Quad& m) { age(a, m), b15_64 += v, b60 += v; };
  const auto old = [&](std::size_t a, const Quad& m) { age(a, m), b65 += v, b60 += v; };
  men4(60);
  sixties(60, m0), sixties(61, m1), sixties(62, m2), sixties(63, m3);
  if (ages >= 68) {
    men4(64);
    sixties(64, m0), old(65, m1), old(66, m2), old(67, m3);
#pragma GCC unroll 2
    for (i = 68; i + 4 <= ages; i += 4) men4(i), old(i, m0), old(i + 1, m1), old(i + 2, m2), old(i + 3, m3);
  } else {
    quad(m0, pma, pmb, 64);
    sixties(64, m0);
    i = 65;
  }
  for (; i < ages; ++i) quad(m0, pma, pmb, i), old(i, m0);  // past the last block of four
  store_vec(cum + 4 * ages, bt);
  const Quad band[10] = {b0_14, b15_64, b65, b60, w15_49, b0_2, b3_5, b6_11, b12_14, b15_59};
  for (int k = 0; k < 3; ++k) {
    SlotSums& o = out.sums[k];
    o.start_total = start_summed ? st[k] : in.start_given[k];
    o.pop_f = pf[k], o.pop_m = pm[k], o.both_total = bt[k];
    o.asfr_sum = 0.0;  // tfr_zone_of_two
    for (int j = 0; j < 10; ++j) o.band[j] = band[j][k];
    out.end_chain[k] = end[k];
    out.no_negative[k] = !(low[k] < 0.0);
  }
}

// The "all" slot's TFR terms of ages i … i + 3: (births_a + births_b) / (exposure_a + exposure_b), +0 where the
// exposure is not > 0 (b & mask over e & mask | 1 & ~mask: no division by 0, the same bits as pick's scalar form).
[[gnu::always_inline]] inline void tfr_terms_of_two(Quad& q, const double* __restrict bma_a,
                                                    const double* __restrict bma_b, const double* __restrict expo_a,
                                                    const double* __restrict expo_b, std::size_t i) {
  using Mask = long long __attribute__((vector_size(32)));
  const Quad zero = {0.0, 0.0, 0.0, 0.0}, one = {1.0, 1.0, 1.0, 1.0};
  Quad b, e;
  load_vec(b, bma_a + i);
  add4(b, bma_b + i);
  load_vec(e, expo_a + i);
  add4(e, expo_b + i);
  const Mask exposed = e > zero;
  const Quad num = (Quad)((Mask)b & exposed), den = (Quad)(((Mask)e & exposed) | ((Mask)one & ~exposed));
  q = num / den;
}

// tfr_of_two: each age's term made as tfr_terms makes it from b = a_b + b_b and e = a_e + b_e (sum_of_two's
// (+0 + a) + b but for the sign of a zero: e's does not change e > 0; b's only the sign of a zero term, which the sum
// from +0 does not see), four ages at a time; the sum a serial chain in age order, as finish adds the terms.
COHORTGIS_KERNEL double tfr_of_two(const double* __restrict bma_a, const double* __restrict bma_b,
                                   const double* __restrict expo_a, const double* __restrict expo_b, std::size_t n) {
  double tfr = 0.0;
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    Quad q;
    tfr_terms_of_two(q, bma_a, bma_b, expo_a, expo_b, i);
    tfr += q[0];
    tfr += q[1];
    tfr += q[2];
    tfr += q[3];
  }
  for (; i < n; ++i) {
    const double b = bma_a[i] + bma_b[i], e = expo_a[i] + expo_b[i];
    const bool exposed = e > 0.0;
    tfr += pick(exposed, b, 0.0) / pick(exposed, e, 1.0);
  }
  return tfr;
}

// The three TFR sums of a zone of two groups in one pass, four ages at a time: lanes {Σ asfr_a, Σ asfr_b, the "all"
// slot's terms (tfr_of_two's), unused}, each lane a serial chain in age order from +0 (a 4 × 4 transpose of the ages'
// values, as quads makes), so each sum has the bits of its own loop: the group slots' Σ asfr (finish's loop over a
// state's schedule) and tfr_of_two's sum.
// The pairs of blocks of four ages where the schedules and the births are all ±0 (the ages below and above the fertile
// ones) are skipped from either end: every term there is ±0 (the "all" term ±0 / e, or +0 where not exposed), and
// adding ±0 to a chain from +0, which is never −0, leaves it as it is. A pair's test costs less than one block's sums.
COHORTGIS_KERNEL void tfr_zone_of_two(const double* __restrict asfr_a, const double* __restrict asfr_b,
                                      const double* __restrict bma_a, const double* __restrict bma_b,
                                      const double* __restrict expo_a, const double* __restrict expo_b, std::size_t n,
                                      double (&out)[3], std::uint32_t* ages) {
  using Bits = long long __attribute__((vector_size(32)));
  using Bits2 = long long __attribute__((vector_size(16)));
  const auto zeros = [&](std::size_t i) {  // whether every value of ages i … i + 7 is ±0 (a NaN is not)
    Bits x, y;
    load_vec(x, asfr_a + i);
    for (const double* p :
         {asfr_a + i + 4, asfr_b + i, asfr_b + i + 4, bma_a + i, bma_a + i + 4, bma_b + i, bma_b + i + 4})
      load_vec(y, p), x |= y;
    // One reduction for eight ages (half the cost of two), through the halves; the sign bit shifted out.
    const Bits2 h = __builtin_shufflevector(x, x, 0, 1) | __builtin_shufflevector(x, x, 2, 3);
    return (static_cast<unsigned long long>(h[0] | h[1]) << 1) == 0;
  };
  std::size_t first = 0, last = n / 4;  // blocks of four ages
  while (first + 2 <= last && zeros(4 * first)) first += 2;
  while (last >= first + 2 && zeros(4 * (last - 2))) last -= 2;
  Quad acc = {0.0, 0.0, 0.0, 0.0};
  for (std::size_t i = 4 * first; i < 4 * last; i += 4) {
    Quad fa, fb, q;
    tfr_terms_of_two(q, bma_a, bma_b, expo_a, expo_b, i);
    load_vec(fa, asfr_a + i);
    load_vec(fb, asfr_b + i);
    const Quad lo = __builtin_shufflevector(fa, fb, 0, 4, 2, 6), hi = __builtin_shufflevector(fa, fb, 1, 5, 3, 7);
    const Quad qhi = __builtin_shufflevector(q, q, 1, 0, 3, 2);  // lane 3: unread (see quads4)
    acc += __builtin_shufflevector(lo, q, 0, 1, 4, 5);
    acc += __builtin_shufflevector(hi, qhi, 0, 1, 4, 5);
    acc += __builtin_shufflevector(lo, q, 2, 3, 6, 7);
    acc += __builtin_shufflevector(hi, qhi, 2, 3, 6, 7);
  }
  double ta = acc[0], tb = acc[1], tfr = acc[2];
  const auto bits = [](double x) { return std::bit_cast<std::uint64_t>(x); };
  std::size_t lo = 4 * first, hi = 4 * last;
  for (std::size_t i = n / 4 * 4; i < n; ++i) {
    // An age past the blocks whose schedules and births are ±0 skipped too (the open age: a test costs less).
    if (((bits(asfr_a[i]) | bits(asfr_b[i]) | bits(bma_a[i]) | bits(bma_b[i])) << 1) == 0) continue;
    lo = lo < hi ? lo : i, hi = i + 1;
    const double b = bma_a[i] + bma_b[i], e = expo_a[i] + expo_b[i];
    const bool exposed = e > 0.0;
    ta += asfr_a[i];
    tb += asfr_b[i];
    tfr += pick(exposed, b, 0.0) / pick(exposed, e, 1.0);
  }
  out[0] = ta, out[1] = tb, out[2] = tfr;
  if (ages)
    ages[0] = static_cast<std::uint32_t>(lo < hi ? lo : 0), ages[1] = static_cast<std::uint32_t>(lo < hi ? hi : 0);
}

// The search of median_age_of_prefix (indicators.cpp) on the three lanes of slot_sums_zone_of_two's running totals
// (cum[4i + k]: the total before age i, i ≤ n) at once: for each lane the first age i < n with cum[4(i + 1) + k] ≥
// half, half = the lane's total / 2, or n. A lower bound without branches (Khuong and Morin's: a select per probe), the
// three lanes sharing its steps (one search's bookkeeping for three). Where the lane's totals never decrease (no
// persons < 0) its answer is the one age every lower bound finds; elsewhere median_age_of_lane does not use it.
// With `guess` (the ages of the last step's medians): first the ages guess[k], one above, one below and two above are
// tested (in the benchmark's years 2–6 the age stays 61 % of the time, moves up one 32 %, down one 6 %), each the
// answer where it is the first age whose total is ≥ half (it and the age below it compared), which is that one age
// wherever the totals never decrease; the search only where a lane has none of them (2 or 3 loads a lane against 21
// for the search's 7 steps).
// (Compiled for each vector width: 5 instructions fewer a zone in the AVX forms.)
COHORTGIS_KERNEL void lane_medians_at(const double* cum, std::size_t n, std::size_t (&at)[3],
                                      const std::uint16_t* guess) {
  // Lane k's totals from next[k] = cum + 4 + k, its position p[k] kept as 4 · age (an index the load scales by 8).
  const double* next[3];
  double half[3];
  for (std::size_t k = 0; k < 3; ++k) next[k] = cum + 4 + k, half[k] = cum[4 * n + k] / 2.0;
  const auto guessed = [&]() __attribute__((always_inline)) {  // every lane's age among its guesses
    for (std::size_t k = 0; k < 3; ++k) {
      const auto reached = [&](std::size_t i) { return !(next[k][4 * i] < half[k]); };
      const std::size_t g = guess[k];
      if (g < n && reached(g)) {
        if (g == 0 || !reached(g - 1))
          at[k] = g;
        else if (g == 1 || !reached(g - 2))
          at[k] = g - 1;
        else
          return false;
      } else if (g + 1 < n && reached(g + 1)) {
        at[k] = g + 1;
      } else if (g + 2 < n && reached(g + 2)) {
        at[k] = g + 2;
      } else {
        return false;
      }
    }
    return true;
  };
  if (guess && guessed()) return;
  std::size_t p[3] = {0, 0, 0};
  for (std::size_t len = n; len > 1;) {
    const std::size_t h = len / 2, h4 = 4 * h;
    for (std::size_t k = 0; k < 3; ++k) p[k] = next[k][p[k] + h4] < half[k] ? p[k] + h4 : p[k];
    len -= h;
  }
  for (std::size_t k = 0; k < 3; ++k) at[k] = n == 0 ? 0 : p[k] / 4 + (next[k][p[k]] < half[k] ? 1 : 0);
}

// Whether every v[0 … n−1] < x (false for a NaN): a branch-free pass that vectorises.
COHORTGIS_KERNEL bool all_below(const double* __restrict v, std::size_t n, double x) {
  double bad = 0.0;
#pragma GCC unroll 4  // the vectorised loop four times per trip
  for (std::size_t i = 0; i < n; ++i) bad = v[i] < x ? bad : 1.0;
  return bad == 0.0;
}

}  // namespace cohortgis::detail
