// SPDX-License-Identifier: Apache-2.0
// Part A of docs/ccmpp.md, operation for operation (UN Population Division, ccmppWPP `project_ccmpp_z_by_z`).
#include "cohortgis/engine/ccmpp_step.hpp"

#include <algorithm>
#include <bit>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <string>
#include <type_traits>

#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/life_table.hpp"
#include "cohortgis/engine/number_text.hpp"
#include "simd.hpp"

namespace cohortgis {

namespace {

// T at row r: the sum of person-years from row r to the last (open) row, summed from the top down.
double person_years_above(std::span<const double> Lx, std::size_t r) {
  double T = 0.0;
  for (std::size_t k = Lx.size(); k-- > r;) T += Lx[k];
  return T;
}
}  // namespace

namespace detail {
COHORTGIS_KERNEL bool all_within(const double* __restrict v, std::size_t n, double lo, double hi) {
  double bad = 0.0;  // a select into a double flag: GCC 12 vectorises it (not a bool or int flag, nor a sum)
  // Two vectors per loop step: less loop overhead per value (0.93 against 1.11 instructions per cell of the step).
#pragma GCC unroll 2
  for (std::size_t i = 0; i < n; ++i) bad = ((v[i] >= lo) & (v[i] <= hi)) ? bad : 1.0;
  return bad == 0.0;
}
}  // namespace detail

// Design note A1.
COHORTGIS_KERNEL void survival_ratios(std::span<const double> Lx, LxLayout layout, double l0, const AgeGrid& grid,
                                      std::span<double> S) {
  grid.validate();
  const std::size_t w = uz(grid.open_index());
  if (S.size() != w + 1) throw InputError("survival_ratios: output has the wrong number of ages");
  if (!(l0 > 0.0) || !std::isfinite(l0)) throw InputError("survival_ratios: radix l0 must be > 0");
  double bad = 0.0;  // a flag set by select (vectorises); the loop that names the bad row only when it is set
  for (std::size_t r = 0; r < Lx.size(); ++r) {
    // One read: with span::operator[] calls on both sides of &, clang 14 took them for side effects that && would
    // skip (-Wbitwise-instead-of-logical). The same machine code under GCC.
    const double L = Lx[r];
    bad = ((L > 0.0) & (L <= DBL_MAX)) ? bad : 1.0;
  }
  for (std::size_t r = 0; r < (bad == 0.0 ? 0 : Lx.size()); ++r)
    if (!(Lx[r] > 0.0) || !std::isfinite(Lx[r]))
      throw InputError(
          "survival_ratios: person-years L at row " + std::to_string(r) + " is " + rounded_number(Lx[r]) +
          "; expected a finite number > 0" +
          (Lx[r] == 0.0 ? " (0: no one survives to this row; the death rates before it are too high)" : ""));
  if (grid.width_years == 1) {
    if (layout != LxLayout::single_year)
      throw InputError("survival_ratios: a one-year step needs a single-year life table");
    if (Lx.size() < w + 1)
      throw InputError("survival_ratios: the life table ends before the projection's open age " +
                       std::to_string(grid.open_age()));
    S[0] = Lx[0] / l0;
    for (std::size_t i = 1; i < w; ++i) S[i] = Lx[i] / Lx[i - 1];
    const double Tw = Lx.size() == w + 1 ? Lx[w] : person_years_above(Lx, w);
    S[w] = Tw / (Lx[w - 1] + Tw);
    return;
  }
  // Five-year step. `row(k)` is the row of five-year group k ≥ 1.
  const std::size_t shift = layout == LxLayout::abridged ? 1 : 0;
  if (layout == LxLayout::single_year)
    throw InputError("survival_ratios: a five-year step needs an abridged or five-year life table");
  if (Lx.size() < w + 1 + shift)
    throw InputError("survival_ratios: the life table ends before the projection's open age " +
                     std::to_string(grid.open_age()));
  const double L0_5 = layout == LxLayout::abridged ? Lx[0] + Lx[1] : Lx[0];  // 5L0 = 1L0 + 4L1
  S[0] = L0_5 / (5.0 * l0);
  S[1] = Lx[1 + shift] / L0_5;
  // Each ratio from the rows themselves (not a carried previous row): the same divisions, and the loop vectorises.
  const double* __restrict L = Lx.data() + shift;
  double* __restrict out = S.data();
  for (std::size_t i = 2; i < w; ++i) out[i] = L[i] / L[i - 1];
  const double prev = Lx[w - 1 + shift];  // w ≥ 2 (the grid's check)
  const double Tw = Lx.size() == w + 1 + shift ? Lx[w + shift] : person_years_above(Lx, w + shift);
  S[w] = Tw / (prev + Tw);  // T_{5w} / T_{5w−5}, T_{5w−5} = 5L_{5w−5} + T_{5w}
}

void survival_ratios(const LifeTable& lt, const AgeGrid& grid, std::span<double> S) {
  if (lt.rows() < 3) throw InputError("survival_ratios: life table has fewer than 3 rows");
  LxLayout layout = LxLayout::single_year;
  if (lt.width[0] == 1.0 && lt.width[1] == 4.0)
    layout = LxLayout::abridged;
  else if (lt.width[0] == 5.0)
    layout = LxLayout::five_year;
  survival_ratios(lt.Lx, layout, lt.lx[0], grid, S);
}

// A3 steps 1–3.
COHORTGIS_KERNEL void survive_cohorts(const AgeGrid& grid, std::span<const double> P, std::span<const double> S,
                                      std::span<const double> M, MigrationTiming timing, const SexStepBuffers& b) {
  const std::size_t w = uz(grid.open_index());
  const bool even = timing == MigrationTiming::even && !M.empty();
  // The buffers are distinct arrays (restrict: loops vectorise without run-time overlap checks).
  double* __restrict A = b.A.data();
  double* __restrict E = b.E.data();
  const double* __restrict p = P.data();
  if (even) {  // step 1
    const double* __restrict m = M.data();
    for (std::size_t i = 0; i <= w; ++i) {
      E[i] = m[i] / 2.0;
      A[i] = p[i] + E[i];  // P + M/2
    }
  } else {
    for (std::size_t i = 0; i <= w; ++i) {
      A[i] = p[i];
      E[i] = 0.0;
    }
  }
  survive_steps_2_3(grid, S, b);
}

namespace {
// A3 steps 2–3 and, with CLOSE, step 7 of ages 1 … w into P_end (detail::survive_and_close_states); returns whether one
// of those cells was floored (CLOSE only). The pointers are parameters: on locals GCC 12 versions the loop for aliasing
// (about 40 instructions of run-time checks per call).
template <bool CLOSE>
[[gnu::always_inline]] inline bool steps_2_3_body(std::size_t w, const double* __restrict A, const double* __restrict E,
                                                  double* __restrict D, double* __restrict Q,
                                                  const double* __restrict s, double* __restrict P_end) {
  double any = 0.0;   // as close_step's flag: a select into a double vectorises
#pragma GCC unroll 2  // two vectors per loop step: less loop overhead per cell
  for (std::size_t i = 1; i < w; ++i) {
    const double d = (1.0 - s[i]) * A[i - 1];
    const double q = A[i - 1] - d + E[i];
    D[i] = d;
    Q[i] = q;
    if constexpr (CLOSE) {
      P_end[i] = q >= 0.0 ? q : kFloorPersons;
      any = q >= 0.0 ? any : 1.0;
    }
  }
  const double top = A[w - 1] + A[w];
  D[w] = (1.0 - s[w]) * top;
  Q[w] = top - D[w] + E[w];
  D[0] = 0.0;  // set by close_step (close_step_age0) once births are known
  Q[0] = 0.0;
  if constexpr (CLOSE) {
    P_end[w] = Q[w] >= 0.0 ? Q[w] : kFloorPersons;
    return any != 0.0 || !(Q[w] >= 0.0);
  }
  return false;
}
}  // namespace

// A3 steps 2–3.
COHORTGIS_KERNEL void survive_steps_2_3(const AgeGrid& grid, std::span<const double> S, const SexStepBuffers& b) {
  steps_2_3_body<false>(uz(grid.open_index()), b.A.data(), b.E.data(), b.D.data(), b.Q.data(), S.data(), nullptr);
}

namespace {
// Four ages of a vector (GCC 12 lowers a 64-byte vector through the stack where AVX-512 is off: two of these per
// eight ages). Element-wise, so every width gives the same bits.
using Ages4 = double __attribute__((vector_size(32)));
using Bits4 = std::uint64_t __attribute__((vector_size(32)));
using Bits8 = std::uint64_t __attribute__((vector_size(64)));  // COHORTGIS_AVX512 code only (simd.hpp)
template <class V>
using BitsOf = std::conditional_t<sizeof(V) == sizeof(Bits8), Bits8, Bits4>;  // a lane's bits, of V's width

// A3 step 1's E = M/2 on the fused path, made where it is read (the fused pass stores M only), as survive_cohorts
// makes it (the same bits); A = P + E. (Vectors divide in place: no 32-byte vector is returned by value.)
[[gnu::always_inline]] inline double half(double m) { return m / 2.0; }

// A3 step 4's B = z · F · (A + Q) / 2 (and the exposure z · (A + Q) / 2) of four ages from F and A + Q; ONE: a one-year
// step, F · (A + Q) / 2 (births_of_4).
template <bool EXPOSURE, bool ONE, class V>
[[gnu::always_inline]] inline void store_births_4(std::size_t i, double z, const V& fv, const V& aq, double* b,
                                                  double* e) {
  if constexpr (ONE) {
    detail::store_vec(b + i, fv * aq / 2.0);
    if constexpr (EXPOSURE) detail::store_vec(e + i, aq / 2.0);
  } else {
    detail::store_vec(b + i, z * fv * aq / 2.0);
    if constexpr (EXPOSURE) detail::store_vec(e + i, z * aq / 2.0);
  }
}

// The next zone's vectors of one state (F: its group's rates, read for women only), for the survive pass's prefetches
// (ZoneBirths::next_*).
struct NextState {
  const double *S = nullptr, *P = nullptr, *F = nullptr, *P_end = nullptr;
};
// Age i's line of each, asked for with locality 2 (prefetcht1: for L2, as the next zone is read a whole zone's pass
// from now; where the line goes is the CPU's choice). Inlined: GCC takes a call with only prefetches for pure and
// drops it (bench/HISTORY.md "Round 27: life tables two rows a vector").
template <bool F>
[[gnu::always_inline]] inline void prefetch_next(const NextState& x, std::size_t i) {
  __builtin_prefetch(x.S + i, 0, 2);
  __builtin_prefetch(x.P + i, 0, 2);
  __builtin_prefetch(x.P_end + i, 1, 2);
  if constexpr (F) __builtin_prefetch(x.F + i, 0, 2);
}

// steps_2_3_body<true> of ages i … i + 3 (V = Ages4; i … i + 7 for Cells8) with A and E made from P and M: the same
// operations per age; `kept` keeps the lanes where Q ≥ 0 held. BIRTHS (a women's state): also births_of_4<true,
// EXPOSURE, ONE, true> of the same ages from E[i] and Q[i] in registers (A[i] = P[i] + E[i]; B, the exposure and the OR
// of F's bits into `fbits`), so that the births take no pass of their own over P, M and Q. ONE: a one-year step (z · F
// is F); else z · F · (A + Q) / 2.
template <bool BIRTHS = false, bool EXPOSURE = false, bool ONE = true, bool STORE_Q = true, class V = Ages4>
[[gnu::always_inline]] inline void survive_close_4(std::size_t i, const double* __restrict s,
                                                   const double* __restrict p, const double* __restrict m,
                                                   double* __restrict d, double* __restrict q, double* __restrict p_end,
                                                   BitsOf<V>& kept, const double* __restrict f = nullptr,
                                                   double* __restrict b = nullptr, double* __restrict e = nullptr,
                                                   BitsOf<V>* fbits = nullptr, double z = 1.0) {
  using Bits = BitsOf<V>;
  V sv, pv, mv, nv;
  detail::load_vec(sv, s + i);
  detail::load_vec(pv, p + i - 1);
  detail::load_vec(mv, m + i - 1);
  detail::load_vec(nv, m + i);
  const V av = pv + mv / 2.0;  // A[i − 1]
  const V dv = (1.0 - sv) * av;
  const V ev = nv / 2.0;  // E[i]
  const V qv = av - dv + ev;
  detail::store_vec(d + i, dv);
  if constexpr (STORE_Q) detail::store_vec(q + i, qv);
  const auto ok = qv >= 0.0;  // false for NaN, as q >= 0.0
  const V floor = V{} + kFloorPersons;
  detail::store_vec(p_end + i, ok ? qv : floor);
  kept &= (Bits)ok;        // the lanes' masks (all ones or zero) as bits
  if constexpr (BIRTHS) {  // births_of_4's operations: A[i] + Q[i], then (z ·) F · (A + Q) / 2
    V pn, fv;
    detail::load_vec(pn, p + i);
    detail::load_vec(fv, f + i);
    const V aq = (pn + ev) + qv;
    store_births_4<EXPOSURE, ONE>(i, z, fv, aq, b, e);
    Bits fb;
    detail::load_vec(fb, f + i);
    *fbits |= fb;
  }
}

// steps_2_3_body<true> with ages 1 … w − 1 eight at a time, then the ages left as four from the first of them and the
// last four (an age computed twice stores the same D, Q and P_end: its inputs P, M, S are not written), instead of
// the vectoriser's 2-wide and scalar tails (≈ 60 instructions a state). w ≥ 5 (fewer than four ages: the loop of
// steps_2_3_body). `end` is where the blocks of eight stop and `mid` whether four ages follow them before the last
// four: the same for every state of a zone, so worked out once.
// BIRTHS: a women's state's births of ages 1 … w − 1 in the same blocks (births_ages' blocks: the same ages, those
// computed twice storing the same values), the OR of F's bits over them into `fbits`.
// V = Cells8 (COHORTGIS_AVX512 code): each block of eight ages as one vector (the same operations per age).
// AHEAD: each block also prefetches the same ages of `next` (the next zone's state: ZoneBirths::next_*), and the ages
// after the blocks once.
template <bool BIRTHS = false, bool EXPOSURE = false, bool ONE = true, bool STORE_Q = true, class V = Ages4,
          bool AHEAD = false>
[[gnu::always_inline]] inline bool survive_close_state(
    std::size_t w, std::size_t end, bool mid, const double* __restrict s, const double* __restrict p,
    const double* __restrict m, double* __restrict d, double* __restrict q, double* __restrict p_end,
    const double* __restrict f = nullptr, double* __restrict b = nullptr, double* __restrict e = nullptr,
    std::uint64_t* fbits = nullptr, double z = 1.0, const NextState& next = {}) {
  Bits4 kept0 = ~Bits4{}, kept1 = ~Bits4{}, bits{};
  if constexpr (AHEAD) prefetch_next<BIRTHS>(next, end), prefetch_next<BIRTHS>(next, w);  // the ages after the blocks
  if constexpr (sizeof(V) == sizeof(Bits8)) {
    Bits8 kept8 = ~Bits8{}, bits8{};
    for (std::size_t i = 1; i < end; i += 8) {
      survive_close_4<BIRTHS, EXPOSURE, ONE, STORE_Q, V>(i, s, p, m, d, q, p_end, kept8, f, b, e, &bits8, z);
      if constexpr (AHEAD) prefetch_next<BIRTHS>(next, i);
    }
    kept0 = __builtin_shufflevector(kept8, kept8, 0, 1, 2, 3);
    kept1 = __builtin_shufflevector(kept8, kept8, 4, 5, 6, 7);
    if constexpr (BIRTHS)
      bits = __builtin_shufflevector(bits8, bits8, 0, 1, 2, 3) | __builtin_shufflevector(bits8, bits8, 4, 5, 6, 7);
  } else {
    for (std::size_t i = 1; i < end; i += 8) {
      survive_close_4<BIRTHS, EXPOSURE, ONE, STORE_Q>(i, s, p, m, d, q, p_end, kept0, f, b, e, &bits, z);
      survive_close_4<BIRTHS, EXPOSURE, ONE, STORE_Q>(i + 4, s, p, m, d, q, p_end, kept1, f, b, e, &bits, z);
      if constexpr (AHEAD) prefetch_next<BIRTHS>(next, i);
    }
  }
  if (mid)  // 5–7 ages left: four of them here
    survive_close_4<BIRTHS, EXPOSURE, ONE, STORE_Q>(end, s, p, m, d, q, p_end, kept0, f, b, e, &bits, z);
  // The last four (some again when w − 1 is a multiple of 8).
  survive_close_4<BIRTHS, EXPOSURE, ONE, STORE_Q>(w - 4, s, p, m, d, q, p_end, kept1, f, b, e, &bits, z);
  if constexpr (BIRTHS) {
    const auto b2 = __builtin_shufflevector(bits, bits, 0, 1) | __builtin_shufflevector(bits, bits, 2, 3);
    *fbits = b2[0] | b2[1];
  }
  const Bits4 kept = kept0 & kept1;
  const auto h2 = __builtin_shufflevector(kept, kept, 0, 1) & __builtin_shufflevector(kept, kept, 2, 3);
  const double top = (p[w - 1] + half(m[w - 1])) + (p[w] + half(m[w]));  // the open age, as steps_2_3_body
  const double dw = (1.0 - s[w]) * top;
  const double qw = top - dw + half(m[w]);
  d[w] = dw;
  d[0] = 0.0;
  if constexpr (STORE_Q) q[w] = qw, q[0] = 0.0;
  p_end[w] = qw >= 0.0 ? qw : kFloorPersons;
  return (h2[0] & h2[1]) != ~std::uint64_t{0} || !(qw >= 0.0);
}

// The Q that survive_close_state<…, false> did not store, from the D it stored: Q[i] = (A[i − 1] − D[i]) + E[i] with A
// and E made from P and M as there (D is its (1 − S) · A, the same bits), in its blocks; Q[w] and Q[0] as there.
[[gnu::always_inline]] inline void survive_close_q(std::size_t w, std::size_t end, bool mid, const double* __restrict p,
                                                   const double* __restrict m, const double* __restrict d,
                                                   double* __restrict q) {
  const auto q4 = [&](std::size_t i) __attribute__((always_inline)) {
    Ages4 pv, mv, nv, dv;
    detail::load_vec(pv, p + i - 1);
    detail::load_vec(mv, m + i - 1);
    detail::load_vec(nv, m + i);
    detail::load_vec(dv, d + i);
    const Ages4 av = pv + mv / 2.0;
    detail::store_vec(q + i, av - dv + nv / 2.0);
  };
  for (std::size_t i = 1; i < end; i += 8) q4(i), q4(i + 4);
  if (mid) q4(end);
  q4(w - 4);
  const double top = (p[w - 1] + half(m[w - 1])) + (p[w] + half(m[w]));
  q[w] = top - d[w] + half(m[w]);
  q[0] = 0.0;
}
}  // namespace

namespace {
// B (and the exposure) of ages i … i + 3, and the OR of their F's bits (BITS). The same operations per age as
// z · F · (A + Q) / 2 and z · (A + Q) / 2 one age at a time.
// ONE: a one-year step, whose z · F is F itself (x · 1 is exact for every x; a signaling NaN, which 1 · x would quiet,
// sets the bits that make the step check the rates exactly and refuse them): one multiplication less per vector.
// PM: `a` holds P, and A = P + M/2 is made from it and m (the fused path, whose pass stores M only).
template <bool BITS, bool EXPOSURE, bool ONE, bool PM>
[[gnu::always_inline]] inline void births_of_4(std::size_t i, double z, const double* __restrict f,
                                               const double* __restrict a, const double* __restrict m,
                                               const double* __restrict q, double* __restrict b, double* __restrict e,
                                               Bits4& bits) {
  Ages4 fv, av, qv;
  detail::load_vec(fv, f + i);
  detail::load_vec(av, a + i);
  detail::load_vec(qv, q + i);
  if constexpr (PM) {
    Ages4 mv;
    detail::load_vec(mv, m + i);
    av = av + mv / 2.0;
  }
  const Ages4 aq = av + qv;
  store_births_4<EXPOSURE, ONE>(i, z, fv, aq, b, e);
  if constexpr (BITS) {
    Bits4 fb;
    detail::load_vec(fb, f + i);
    bits |= fb;
  }
}

// B over ages 1 … w − 1 (and the exposure), eight ages at a time; the last eight ages again where w − 1 is not a
// multiple of eight (recomputing an age writes the same value, and ORs its bits again). Returns the OR of F's bits
// over those ages (BITS). The pointers are parameters: on locals GCC 12 versions the loop for aliasing.
template <bool BITS, bool EXPOSURE, bool PM>
[[gnu::always_inline]] inline std::uint64_t births_ages(std::size_t w, double z, const double* __restrict f,
                                                        const double* __restrict a, const double* __restrict m,
                                                        const double* __restrict q, double* __restrict b,
                                                        double* __restrict e) {
  std::uint64_t bits = 0;
  if (w < 9) {  // fewer than eight ages: one at a time
    for (std::size_t i = 1; i < w; ++i) {
      const double aq = (PM ? a[i] + half(m[i]) : a[i]) + q[i];
      b[i] = z * f[i] * aq / 2.0;
      if constexpr (EXPOSURE) e[i] = z * aq / 2.0;
      if constexpr (BITS) bits |= std::bit_cast<std::uint64_t>(f[i]);
    }
    return bits;
  }
  Bits4 acc0{}, acc1{};
  const auto blocks = [&](auto one) {
    constexpr bool ONE = decltype(one)::value;
    std::size_t i = 1;
    for (; i + 8 <= w; i += 8) {
      births_of_4<BITS, EXPOSURE, ONE, PM>(i, z, f, a, m, q, b, e, acc0);
      births_of_4<BITS, EXPOSURE, ONE, PM>(i + 4, z, f, a, m, q, b, e, acc1);
    }
    if (i < w) {
      births_of_4<BITS, EXPOSURE, ONE, PM>(w - 8, z, f, a, m, q, b, e, acc0);
      births_of_4<BITS, EXPOSURE, ONE, PM>(w - 4, z, f, a, m, q, b, e, acc1);
    }
  };
  if (z == 1.0)
    blocks(std::true_type{});
  else
    blocks(std::false_type{});
  if constexpr (BITS) {
    const Bits4 acc = acc0 | acc1;
    const auto h2 = __builtin_shufflevector(acc, acc, 0, 1) | __builtin_shufflevector(acc, acc, 2, 3);
    bits = h2[0] | h2[1];
  }
  return bits;
}

// Whether any of the four values at b is not ±0 (NaN counts): the OR of their bits, less the sign bit.
[[gnu::always_inline]] inline bool any_not_zero4(const Bits4& v) {
  const auto h2 = __builtin_shufflevector(v, v, 0, 1) | __builtin_shufflevector(v, v, 2, 3);
  return ((h2[0] | h2[1]) << 1) != 0;
}

// The last age in 1 … w − 1 whose B is not ±0 (NaN counts as births), 0 if none: a scan down from w − 1, sixteen ages
// at a time while all sixteen are ±0 (bits << 1 drops the sign: 0 only for ±0); the block of sixteen with births
// narrowed to its last eight, then four ages with births (blocks of four below sixteen ages); then age by age. In the
// benchmark's schedules it passes the ≈ 50 childless ages above the last fertile one in three steps and two tests;
// tracking the last age with births in the loop that computes B cost five instructions per vector of four ages.
[[gnu::always_inline]] inline std::size_t last_age_with_births(const double* __restrict b, std::size_t w) {
  std::size_t hi = w;  // every age in [hi, w) has B = ±0
  bool found = false;  // [hi − 4, hi) has births
  Bits4 v0, v1, v2, v3;
  for (; hi >= 17; hi -= 16) {
    detail::load_vec(v0, b + hi - 16);
    detail::load_vec(v1, b + hi - 12);
    detail::load_vec(v2, b + hi - 8);
    detail::load_vec(v3, b + hi - 4);
    const Bits4 upper = v2 | v3;
    if (any_not_zero4((v0 | v1) | upper)) {
      if (!any_not_zero4(upper)) hi -= 8;
      detail::load_vec(v3, b + hi - 4);
      if (!any_not_zero4(v3)) hi -= 4;
      found = true;
      break;
    }
  }
  if (!found)
    for (; hi >= 5; hi -= 4) {
      detail::load_vec(v3, b + hi - 4);
      if (any_not_zero4(v3)) break;
    }
  while (hi > 1 && (std::bit_cast<std::uint64_t>(b[hi - 1]) << 1) == 0) --hi;
  return hi - 1;
}

// The first age in 1 … last whose B is not ±0 (NaN counts as births; B[last] is not ±0): a scan up from age 1,
// sixteen ages at a time while all sixteen are ±0, the block with births narrowed to eight and four ages, then age by
// age (the benchmark's ≈ 14 childless ages below its first fertile one: one block, two tests and three ages).
[[gnu::always_inline]] inline std::size_t first_age_with_births(const double* __restrict b, std::size_t last) {
  std::size_t lo = 1;  // every age in [1, lo) has B = ±0
  Bits4 v0, v1, v2, v3;
  for (; lo + 16 <= last; lo += 16) {
    detail::load_vec(v0, b + lo);
    detail::load_vec(v1, b + lo + 4);
    detail::load_vec(v2, b + lo + 8);
    detail::load_vec(v3, b + lo + 12);
    const Bits4 lower = v0 | v1;
    if (any_not_zero4(lower | (v2 | v3))) {
      if (!any_not_zero4(lower)) lo += 8, v0 = v2;
      if (!any_not_zero4(v0)) lo += 4;
      break;
    }
  }
  while ((std::bit_cast<std::uint64_t>(b[lo]) << 1) == 0) ++lo;
  return lo;
}

// The end of A3 step 4 once B (and the exposure) of ages 1 … w − 1 are made: ages 0 and w (no births), the OR of F's
// bits with F[0] and F[w] (BITS), and the ages with births. The (x87) sum runs over the ages from the first to the last
// with births (B not ±0; NaN counts as births), each found by a scan (last_age_with_births, first_age_with_births):
// adding ±0 to the long double sum's +0 start gives +0 again (round to nearest), and adding ±0 leaves any other sum
// as it is, so the sum over [lo, hi) is the sum over every age. The adds are one chain, bound by the x87 add's latency
// (several cycles each) where the scans' tests are not: the ≈ 14 childless ages below the benchmark's first fertile
// one took ≈ 14 of those latencies per women's state.
template <bool BITS>
[[gnu::always_inline]] inline detail::BirthsRange births_ends(std::size_t w, const double* F, double* B,
                                                              double* exposure, std::uint64_t bits,
                                                              std::uint64_t* bits_out) {
  B[0] = 0.0;
  B[w] = 0.0;
  if (exposure) {
    exposure[0] = 0.0;
    exposure[w] = 0.0;
  }
  if constexpr (BITS) *bits_out = bits | std::bit_cast<std::uint64_t>(F[0]) | std::bit_cast<std::uint64_t>(F[w]);
  const std::size_t last = last_age_with_births(B, w);
  // [lo, last + 1): empty without births (last = 0).
  return last == 0 ? detail::BirthsRange{} : detail::BirthsRange{first_age_with_births(B, last), last + 1};
}

// A3 step 4 without the sum: B (and the exposure) by age, and the ages [lo, hi) outside which every B is 0. BITS: also
// the bitwise OR of every F[i] (ages 0 … w), for the step's check of the fertility rates
// (detail::births_by_age_bits); an integer OR in the loop that reads F anyway, instead of a pass of its own. PM: A
// holds P, and A = P + M/2 is made from it and M (births_of_4).
template <bool BITS, bool PM>
[[gnu::always_inline]] inline detail::BirthsRange births_body(std::size_t w, double z, const double* F, const double* A,
                                                              const double* M, const double* Q, double* B,
                                                              double* exposure, std::uint64_t* bits_out) {
  [[maybe_unused]] std::uint64_t bits = 0;
  if (!exposure)
    bits = births_ages<BITS, false, PM>(w, z, F, A, M, Q, B, nullptr);
  else  // the exposure z·(A + Q)/2 in the same pass, from the same sum A + Q (the same bits)
    bits = births_ages<BITS, true, PM>(w, z, F, A, M, Q, B, exposure);
  return births_ends<BITS>(w, F, B, exposure, bits, bits_out);
}
}  // namespace

COHORTGIS_KERNEL double births_by_age_of_mother(const AgeGrid& grid, std::span<const double> F,
                                                const SexStepBuffers& women, std::span<double> B,
                                                std::span<double> exposure) {
  return detail::sum_births(B.data(), births_body<false, false>(uz(grid.open_index()), grid.width_years, F.data(),
                                                                women.A.data(), nullptr, women.Q.data(), B.data(),
                                                                exposure.empty() ? nullptr : exposure.data(), nullptr));
}

namespace detail {
COHORTGIS_KERNEL void births_by_age_bits_states(const BirthsOfState* s, std::size_t count, BirthsRange* range,
                                                std::uint64_t* bits) {
  for (std::size_t k = 0; k < count; ++k)
    range[k] = s[k].M ? births_body<true, true>(s[k].w, s[k].z, s[k].F, s[k].A, s[k].M, s[k].Q, s[k].B, s[k].exposure,
                                                &bits[k])
                      : births_body<true, false>(s[k].w, s[k].z, s[k].F, s[k].A, nullptr, s[k].Q, s[k].B, s[k].exposure,
                                                 &bits[k]);
}

double sum_births(const double* B, BirthsRange r) {
  long double total = 0.0L;  // R's sum() accumulates in long double
#pragma GCC unroll 8         // eight adds per loop step (the x87 adds stay in order, one chain): less loop overhead
  for (std::size_t i = r.lo; i < r.hi; ++i) total += B[i];
  return static_cast<double>(total);
}

std::pair<double, double> sum_births(const double* B0, BirthsRange r0, const double* B1, BirthsRange r1) {
  // Two loops, each over its own range: x87 adds only to st(0), so two chains interleaved in one loop took an fxch
  // per add (two instructions an age and state instead of one). The second loop's chain does not depend on the
  // first's, so the core overlaps them anyway (≈ 100 instructions in flight, far below its reorder window).
  return {sum_births(B0, r0), sum_births(B1, r1)};
}
}  // namespace detail

namespace {
// survive_close_state with a women's state's births (and, EXPOSURE, the exposure) in the same pass (w ≥ 9: births_ages'
// blocks of eight; ONE a one-year step, else z · F as births_ages makes it where z ≠ 1), then births_ends.
template <bool EXPOSURE, bool ONE, class V>
[[gnu::always_inline]] inline bool survive_births_state(std::size_t w, std::size_t end, bool mid,
                                                        const double* __restrict s, const double* __restrict p,
                                                        const double* __restrict m, double* __restrict d,
                                                        double* __restrict q, double* __restrict p_end,
                                                        const double* __restrict f, double* __restrict b,
                                                        double* __restrict e, detail::BirthsRange& range,
                                                        std::uint64_t& bits, double z, const NextState& next) {
  std::uint64_t fbits = 0;
  const bool floored = survive_close_state<true, EXPOSURE, ONE, false, V, true>(w, end, mid, s, p, m, d, q, p_end, f, b,
                                                                                e, &fbits, z, next);
  range = births_ends<true>(w, f, b, EXPOSURE ? e : nullptr, fbits, &bits);
  return floored;
}

// The zone's groups with each women's state's births in its survive pass, then the men's state of the group: a
// group's two states in one loop step, so that the loop holds no test of sex.
template <bool EXPOSURE, bool ONE, class V>
[[gnu::always_inline]] inline void survive_births_groups(std::size_t w, std::size_t states, const double* S,
                                                         const double* P, const double* M, double* D, double* Q,
                                                         double* P_end, unsigned char* floored,
                                                         const detail::ZoneBirths& births) {
  const std::size_t n = w + 1, end = 1 + (w - 1) / 8 * 8;  // as survive_close_states
  const bool mid = end + 4 < w;
  const double z = births.z;
  const double* f = births.F;
  double* b = births.B;
  double* e = EXPOSURE ? births.exposure : nullptr;
  bool q_after = births.q_every_state;  // whether a state's Q is stored after the pass
  // The next zone's arrays (ZoneBirths::next_*), or this zone's where not given (prefetches of lines in cache).
  const double* const nS = births.next_S ? births.next_S : S;
  const double* const nP = births.next_P ? births.next_P : P;
  const double* const nF = births.next_F ? births.next_F : births.F;
  const double* const nE = births.next_P_end ? births.next_P_end : P_end;
  for (std::size_t k = 0, g = 0; k < states; k += kSexes, ++g, f += n, b += n, e += EXPOSURE ? n : 0) {
    const std::size_t o = k * n, o1 = o + n;
    const bool women = survive_births_state<EXPOSURE, ONE, V>(w, end, mid, S + o, P + o, M + o, D + o, Q + o, P_end + o,
                                                              f, b, e, births.range[g], births.bits[g], z,
                                                              {nS + o, nP + o, nF + g * n, nE + o});
    const bool men = survive_close_state<false, false, true, false, V, true>(
        w, end, mid, S + o1, P + o1, M + o1, D + o1, Q + o1, P_end + o1, nullptr, nullptr, nullptr, nullptr, 1.0,
        {nS + o1, nP + o1, nullptr, nE + o1});
    floored[k] = women ? 1 : 0;
    floored[k + 1] = men ? 1 : 0;
    q_after = q_after || women || men;
  }
  // Q where it is read after the pass (ZoneBirths::q_every_state): the states with a floored cell, or every state.
  if (q_after)
    for (std::size_t k = 0; k < states; ++k)
      if (floored[k] || births.q_every_state) {
        const std::size_t o = k * n;
        survive_close_q(w, end, mid, P + o, M + o, D + o, Q + o);
      }
}

// survive_and_close_states' pass without births.
[[gnu::always_inline]] inline void survive_close_states(std::size_t w, std::size_t states, const double* S,
                                                        const double* P, const double* M, double* D, double* Q,
                                                        double* P_end, unsigned char* floored) {
  const std::size_t n = w + 1;
  if (w < 5) {
    for (std::size_t k = 0; k < states; ++k) {
      const std::size_t o = k * n;
      double A[5], E[5];  // A3 step 1 of the state's n ≤ 5 ages
      for (std::size_t i = 0; i < n; ++i) {
        E[i] = half(M[o + i]);
        A[i] = P[o + i] + E[i];
      }
      floored[k] = steps_2_3_body<true>(w, A, E, D + o, Q + o, S + o, P_end + o) ? 1 : 0;
    }
    return;
  }
  const std::size_t end = 1 + (w - 1) / 8 * 8;  // the first age after the blocks of eight
  const bool mid = end + 4 < w;
  for (std::size_t k = 0; k < states; ++k) {
    const std::size_t o = k * n;
    floored[k] = survive_close_state(w, end, mid, S + o, P + o, M + o, D + o, Q + o, P_end + o) ? 1 : 0;
  }
}
}  // namespace

namespace detail {
// survive_steps_2_3 with step 7 of ages 1 … w in the same loop (simd.hpp): P_end[i] as close_step writes it, from Q[i]
// still in a register (close_step's own pass loads Q again and stores P_end a second time round the zone's ages).
// One call for the zone's states: a call's set-up and its arguments once per zone instead of once per state.
COHORTGIS_KERNEL void survive_and_close_states(std::size_t w, std::size_t states, const double* S, const double* P,
                                               const double* M, double* D, double* Q, double* P_end,
                                               unsigned char* floored) {
  survive_close_states(w, states, S, P, M, D, Q, P_end, floored);
}

// survive_and_close_states with each group's women's births (A3 step 4 without the sum) in the same pass where
// births_in_pass holds: a women's state's loop loads P[i] and F[i] more and stores B (13 instructions more per eight
// ages on a one-year step, a multiplication by z more a vector on a five-year step; the exposure two more a vector),
// against a pass of its own that loads P, M and Q again (17 per eight ages) and its set-up. A kernel of its own: the
// branch and the larger body in survive_and_close_states cost the other runs ≈ 15 instructions a zone.
namespace {
template <class V>
[[gnu::always_inline]] inline void survive_births_and_close_of(std::size_t w, std::size_t states, const double* S,
                                                               const double* P, const double* M, double* D, double* Q,
                                                               double* P_end, unsigned char* floored,
                                                               const ZoneBirths& births) {
  const std::size_t n = w + 1;
  if (births_in_pass(w)) {  // as births_ages: z · F only where z ≠ 1
    if (births.z == 1.0) {
      if (births.exposure)
        survive_births_groups<true, true, V>(w, states, S, P, M, D, Q, P_end, floored, births);
      else
        survive_births_groups<false, true, V>(w, states, S, P, M, D, Q, P_end, floored, births);
    } else if (births.exposure) {
      survive_births_groups<true, false, V>(w, states, S, P, M, D, Q, P_end, floored, births);
    } else {
      survive_births_groups<false, false, V>(w, states, S, P, M, D, Q, P_end, floored, births);
    }
    return;
  }
  // Otherwise the births after the pass, which wrote the women's Q, as births_by_age_bits_states makes them.
  survive_close_states(w, states, S, P, M, D, Q, P_end, floored);
  for (std::size_t k = 0, g = 0; k < states; k += kSexes, ++g) {
    const std::size_t o = k * n;
    births.range[g] = births_body<true, true>(w, births.z, births.F + g * n, P + o, M + o, Q + o, births.B + g * n,
                                              births.exposure ? births.exposure + g * n : nullptr, &births.bits[g]);
  }
}
}  // namespace

// Eight ages a vector where AVX-512 is (simd.hpp, pick_kernel), as fused_state_in_flows.
#if defined(COHORTGIS_WIDE_KERNELS)
namespace {
using SurviveBirthsFn = void(std::size_t, std::size_t, const double*, const double*, const double*, double*, double*,
                             double*, unsigned char*, const ZoneBirths&);
COHORTGIS_AVX512 void survive_births_and_close_avx512(std::size_t w, std::size_t states, const double* S,
                                                      const double* P, const double* M, double* D, double* Q,
                                                      double* P_end, unsigned char* floored, const ZoneBirths& births) {
  survive_births_and_close_of<Cells8>(w, states, S, P, M, D, Q, P_end, floored, births);
}
COHORTGIS_AVX2 void survive_births_and_close_avx2(std::size_t w, std::size_t states, const double* S, const double* P,
                                                  const double* M, double* D, double* Q, double* P_end,
                                                  unsigned char* floored, const ZoneBirths& births) {
  survive_births_and_close_of<Ages4>(w, states, S, P, M, D, Q, P_end, floored, births);
}
void survive_births_and_close_other(std::size_t w, std::size_t states, const double* S, const double* P,
                                    const double* M, double* D, double* Q, double* P_end, unsigned char* floored,
                                    const ZoneBirths& births) {
  survive_births_and_close_of<Ages4>(w, states, S, P, M, D, Q, P_end, floored, births);
}
}  // namespace
extern "C" {
static SurviveBirthsFn* cohortgis_pick_survive_births_and_close_states() {
  return pick_kernel<SurviveBirthsFn>(&survive_births_and_close_avx512, &survive_births_and_close_avx2,
                                      &survive_births_and_close_other);
}
}
void survive_births_and_close_states(std::size_t w, std::size_t states, const double* S, const double* P,
                                     const double* M, double* D, double* Q, double* P_end, unsigned char* floored,
                                     const ZoneBirths& births)
    __attribute__((ifunc("cohortgis_pick_survive_births_and_close_states")));
#else
void survive_births_and_close_states(std::size_t w, std::size_t states, const double* S, const double* P,
                                     const double* M, double* D, double* Q, double* P_end, unsigned char* floored,
                                     const ZoneBirths& births) {
  survive_births_and_close_of<Ages4>(w, states, S, P, M, D, Q, P_end, floored, births);
}
#endif
}  // namespace detail

std::pair<double, double> births_by_sex(double births, double srb) { return detail::births_by_sex_inline(births, srb); }

namespace {
// The end of step 7: the number of floored cells (counted only when `any`) and the adjustments when kept.
[[gnu::always_inline]] inline int count_floored(std::size_t w, const double* __restrict Q, bool any,
                                                std::span<double> floor_adjustment) {
  int floored = 0;
  if (any)
    for (std::size_t i = 0; i <= w; ++i) floored += Q[i] >= 0.0 ? 0 : 1;
  if (!floor_adjustment.empty()) {
    double* __restrict adj = floor_adjustment.data();
    for (std::size_t i = 0; i <= w; ++i) adj[i] = Q[i] >= 0.0 ? 0.0 : kFloorPersons - Q[i];
  }
  return floored;
}
}  // namespace

// A3 steps 5–7.
COHORTGIS_KERNEL int close_step(const AgeGrid& grid, double births_of_sex, std::span<const double> S,
                                std::span<const double> M, MigrationTiming timing, const SexStepBuffers& b,
                                std::span<double> P_end, std::span<double> floor_adjustment) {
  const std::size_t w = uz(grid.open_index());
  b.D[0] = (1.0 - S[0]) * births_of_sex;  // step 5
  b.Q[0] = births_of_sex - b.D[0] + b.E[0];
  double* __restrict Q = b.Q.data();
  double* __restrict out = P_end.data();
  if (timing == MigrationTiming::end && !M.empty()) {  // step 6
    const double* __restrict m = M.data();
    for (std::size_t i = 0; i <= w; ++i) Q[i] += m[i];
  }
  // Step 7, branch-free; `Q >= 0` is false for NaN, which is floored as before. Whether any cell was floored is a
  // select into a double flag (GCC 12 vectorises that, not an integer count or a sum, which it keeps in order);
  // the floored cells are counted only when there are some.
  double any = 0.0;
#pragma GCC unroll 2  // as above
  for (std::size_t i = 0; i <= w; ++i) {
    out[i] = Q[i] >= 0.0 ? Q[i] : kFloorPersons;
    any = Q[i] >= 0.0 ? any : 1.0;
  }
  return count_floored(w, Q, any != 0.0, floor_adjustment);
}

namespace detail {
COHORTGIS_KERNEL int floors_of(const double* Q, std::size_t n, std::span<double> floor_adjustment) {
  return count_floored(n - 1, Q, true, floor_adjustment);
}

// Sixteen ages a loop step while none is floored (compares and the AND of the lanes' masks), then eight, then age by
// age.
namespace {
// Whether none of the eight ages from Q is floored and every lane of `ok_before` is all ones.
[[gnu::always_inline]] inline bool none_floored_8(const double* Q, const Bits4& ok_before) {
  Ages4 lo, hi;
  load_vec(lo, Q);
  load_vec(hi, Q + 4);
  const Bits4 ok = ok_before & (Bits4)(lo >= 0.0) & (Bits4)(hi >= 0.0);
  const auto h2 = __builtin_shufflevector(ok, ok, 0, 1) & __builtin_shufflevector(ok, ok, 2, 3);
  return (h2[0] & h2[1]) == ~std::uint64_t{0};
}
}  // namespace

COHORTGIS_KERNEL std::size_t first_floored(const double* Q, std::size_t from, std::size_t n) {
  std::size_t i = from;
  for (; i + 16 <= n; i += 16) {
    Ages4 lo, hi;
    load_vec(lo, Q + i + 8);
    load_vec(hi, Q + i + 12);
    const Bits4 upper = (Bits4)(lo >= 0.0) & (Bits4)(hi >= 0.0);
    if (!none_floored_8(Q + i, upper)) break;
  }
  const Bits4 all = ~Bits4{};
  for (; i + 8 <= n; i += 8)
    if (!none_floored_8(Q + i, all)) break;
  while (i < n && Q[i] >= 0.0) ++i;
  return i;
}
}  // namespace detail

int apply_wpp_migration_override(std::span<const double> P, std::span<double> M) {
  int changed = 0;
  for (std::size_t i = 0; i < P.size(); ++i) {
    if (P[i] + M[i] <= 0.0) {
      M[i] = kMigrationResidualPersons - P[i];
      ++changed;
    }
  }
  return changed;
}

}  // namespace cohortgis
