// SPDX-License-Identifier: Apache-2.0
// single_year_step_mortality of 2 or 4 tables at once (life_table_detail.hpp): the engine's step builds a state's
// female and male tables, or two states', in one pass, a vector lane per table.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <type_traits>

#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/life_table.hpp"
#include "life_table_detail.hpp"
#include "simd.hpp"

namespace cohortgis {
namespace {
using detail::load_vec;
using detail::q_from_m;
using detail::store_vec;

// A vector of N doubles, one per lane (table), and its comparisons' mask. (An alias template with a dependent
// vector_size is silently a plain double in GCC 12: one type per N.)
template <int N>
struct LanesOf;
template <>
struct LanesOf<2> {
  using type = double __attribute__((vector_size(16)));
  using mask = long long __attribute__((vector_size(16)));
};
template <>
struct LanesOf<4> {
  using type = double __attribute__((vector_size(32)));
  using mask = long long __attribute__((vector_size(32)));
};

// N vectors of N rows of one lane each ↔ N vectors of one row of every lane ([row][lane]): the N × N transpose, its
// own inverse. Moves values only.
template <int N>
[[gnu::always_inline]] inline void transpose(typename LanesOf<N>::type (&v)[N]) {
  if constexpr (N == 2) {
    const auto r0 = __builtin_shufflevector(v[0], v[1], 0, 2), r1 = __builtin_shufflevector(v[0], v[1], 1, 3);
    v[0] = r0;
    v[1] = r1;
  } else {
    const auto t0 = __builtin_shufflevector(v[0], v[1], 0, 4, 2, 6),
               t1 = __builtin_shufflevector(v[0], v[1], 1, 5, 3, 7);
    const auto t2 = __builtin_shufflevector(v[2], v[3], 0, 4, 2, 6),
               t3 = __builtin_shufflevector(v[2], v[3], 1, 5, 3, 7);
    v[0] = __builtin_shufflevector(t0, t2, 0, 1, 4, 5);
    v[1] = __builtin_shufflevector(t1, t3, 0, 1, 4, 5);
    v[2] = __builtin_shufflevector(t0, t2, 2, 3, 6, 7);
    v[3] = __builtin_shufflevector(t1, t3, 2, 3, 6, 7);
  }
}

// A value whose making GCC cannot see (an empty asm: no instruction).
template <class T>
[[gnu::always_inline]] inline void opaque(T& v) {
  asm("" : "+v"(v));
}

// Rows r and r + 1 of four lanes ([row][lane]) as one vector of eight (an AVX-512 register), and back: moves only.
using Rows2 = double __attribute__((vector_size(64)));  // COHORTGIS_AVX512 code only (simd.hpp)
// (By reference: a vector argument or result of 64 bytes would change the ABI outside AVX-512 code, -Wpsabi. Templates:
// not compiled where no AVX-512 code uses them.)
template <class Pair>
[[gnu::always_inline]] inline void rows_pair(Pair& x, const LanesOf<4>::type& a, const LanesOf<4>::type& b) {
  x = __builtin_shufflevector(a, b, 0, 1, 2, 3, 4, 5, 6, 7);
}
template <class Pair>
[[gnu::always_inline]] inline void rows_split(const Pair& x, LanesOf<4>::type& a, LanesOf<4>::type& b) {
  a = __builtin_shufflevector(x, x, 0, 1, 2, 3);
  b = __builtin_shufflevector(x, x, 4, 5, 6, 7);
}

// step_mortality's operations for N tables, each number of each table by the same operations in the same order, the
// tables' rows interleaved in scratch ([row][lane]): the rates come in and S, φ go out through transposes of N rows.
// PAIRS (N = 4, COHORTGIS_AVX512 code): the rows' q, S and φ two rows a vector of eight (their divisions, ≈ 300 a call
// of four tables at four lanes, the most of the call's time once its rates are in cache, take a vector of eight in
// about the time of one of four: bench/HISTORY.md "Round 26: the step's remaining four-wide kernels"); element-wise,
// so every lane gets the same operations: the same bits.
template <int N, bool PAIRS = false>
[[gnu::always_inline]] inline bool step_mortality_lanes(const detail::StepMortalityLane* lanes,
                                                        const LifeTableMethod& method, int open_age,
                                                        LifeTable& scratch) {
  using V = typename LanesOf<N>::type;
  using M = typename LanesOf<N>::mask;
  static_assert(!PAIRS || N == 4, "two rows of four lanes a vector");
  const std::size_t rows = lanes[0].mx.size();
  const auto& q0_given = method.infant_mortality_q0;
  if (open_age < 2) return false;
  const std::size_t wg = uz(open_age);
  if (rows < 3 || rows < wg + 1 || !detail::fast_path_method(method)) return false;
  const bool want_phi = !lanes[0].phi.empty();
  const std::size_t w = rows - 1;
  const double* m[N];
#pragma GCC unroll 4
  for (int k = 0; k < N; ++k) {
    const detail::StepMortalityLane& t = lanes[k];
    m[k] = t.mx.data();
    // The first and open rows' rates checked here (infant_a0 reads the first), the others with q below.
    if (t.mx.size() != rows || t.S.size() != wg + 1 || t.phi.empty() == want_phi || (want_phi && t.phi.size() != wg) ||
        !(m[k][0] >= 0.0 && m[k][0] <= DBL_MAX) || !(m[k][w] > 0.0 && m[k][w] <= DBL_MAX))
      return false;
  }
  scratch.qx.resize(N * rows);
  scratch.lx.resize(N * rows);
  scratch.Lx.resize(N * rows);
  scratch.Tx.resize(N * rows);
  double* __restrict q = scratch.qx.data();
  double* __restrict l = scratch.lx.data();
  double* __restrict L = scratch.Lx.data();
  double* __restrict Tx = scratch.Tx.data();
  double a0[N];
  // infant_a0 of the default rule is ak_a0_from_m0 for the rates m0 checked above (finite, ≥ 0; q0 within [0, 1)):
  // its value, not a call per lane.
  const bool ak = method.a0_rule == A0Rule::andreev_kingkade;
#pragma GCC unroll 4
  for (int k = 0; k < N; ++k) {
    a0[k] = ak ? detail::ak_a0_from_m0(lanes[k].sex, m[k][0])
               : infant_a0(method.a0_rule, lanes[k].sex, method.region, m[k][0], q0_given);
    if (q0_given)
      q[k] = *q0_given;
    else
      q_from_m(1.0, m[k][0], a0[k], q[k]);
  }
  // q_from_m's common branch with n = 1 and a = 0.5 for rows 1 … w−1, N rows at a time. One test covers the rates'
  // check and the fallback's: q = m / (1 + m/2) is within [0, 1] for every rate m in [0, 2] and for no rate that is
  // negative, infinite or NaN (below −2 it passes 2; −2 gives −∞; between, it is < 0; −0 is a rate ≥ 0), so only
  // when some q is outside do the rates get their exact check and the rows their fallback. The test is made in the
  // pass of l and L (below), which is made again after the fallback where it fails.
  const V one = V{} + 1.0, half = V{} + 0.5;
  const auto q_rows = [&](std::size_t j) __attribute__((always_inline)) {
    V v[N];
#pragma GCC unroll 4
    for (int k = 0; k < N; ++k) load_vec(v[k], m[k] + j);
    transpose<N>(v);
    if constexpr (PAIRS) {
      const Rows2 one2 = Rows2{} + 1.0, half2 = Rows2{} + 0.5;
#pragma GCC unroll 2
      for (int r = 0; r < N; r += 2) {
        Rows2 x;
        rows_pair(x, v[r], v[r + 1]);
        store_vec(q + N * (j + r), 1.0 * x / (one2 + (one2 - half2) * x));
      }
    } else {
#pragma GCC unroll 4
      for (int r = 0; r < N; ++r) {
        store_vec(q + N * (j + r), 1.0 * v[r] / (one + (one - half) * v[r]));
      }
    }
  };
  std::size_t i = 1;
  for (; i + N <= w; i += N) q_rows(i);
  // The rows left as the last N rows (some computed again: the same q), not row by row.
  if (i < w && w >= N + 1) {
    q_rows(w - N);
    i = w;
  }
  for (; i < w; ++i)
#pragma GCC unroll 4
    for (int k = 0; k < N; ++k) {
      const double r = m[k][i];
      q[N * i + k] = 1.0 * r / (1.0 + (1.0 - 0.5) * r);
    }
  // l_{x+1} = l_x (1 − q_x), a lane per table, l of the row before in a register; in the same pass (its work fills
  // the chain's latency) nLx = 1·l_{x+1} + a_x (l_x − l_{x+1}) (row 0: a0; rows 1 … w−1: 0.5, which the fallback
  // keeps), which survival_ratios refuses ≤ 0 or not finite (flags by mask). Then L_w = l_w / m_w, the last read of mx
  // (S may overwrite it).
  const V big = V{} + DBL_MAX;
  M fine = M{} - 1;
  V c = V{} + method.radix, prev = c, a0v;
  std::memcpy(&a0v, a0, sizeof a0v);
  store_vec(l, c);
  {
    V q0v;
    load_vec(q0v, q);
    c = c * (one - q0v);
    store_vec(l + N, c);
    const V L0 = 1.0 * c + a0v * (prev - c);
    fine &= (L0 > 0.0) & (L0 <= big);
    store_vec(L, L0);
    prev = c;
  }
  double* __restrict a = nullptr;  // a by row where a row took the fallback (0.5 there too)
  // Without the fallback: q_r within [0, 1] exactly where q_r · (1 − q_r) ≥ 0 (NaN, ±∞ and every value outside fail:
  // 1 − q_r has the sign that makes the product < 0, and no such product rounds to −0; −0 passes as −0 ≥ 0 did), on
  // the 1 − q_r the row computes anyway: a product and a compare per row instead of two compares.
  M inside = M{} - 1;
  const auto rows_from_1 = [&](auto fallback) {  // std::true_type: the rows' a from the fallback's pass
#pragma GCC unroll 4
    for (std::size_t r = 1; r < w; ++r) {
      V qr, ar = half;
      load_vec(qr, q + N * r);
      if constexpr (decltype(fallback)::value) load_vec(ar, a + N * r);
      if constexpr (!decltype(fallback)::value) inside &= qr * (one - qr) >= 0.0;
      c = c * (one - qr);
      store_vec(l + N * (r + 1), c);
      const V Lr = 1.0 * c + ar * (prev - c);
      if constexpr (decltype(fallback)::value) fine &= (Lr > 0.0) & (Lr <= big);
      store_vec(L + N * r, Lr);
      prev = c;
    }
  };
  // Without the fallback rows (every q_r of rows 1 … w−1 within [0, 1], every a_r 0.5) their L_r need no test of
  // their own: where L_w = l_w / m_w passes its test below (m_w finite and > 0), l_w is finite and > 0, so l_1 was
  // (l_{r+1} = l_r·(1 − q_r) with 1 − q_r within [0, 1]: ∞ stays ∞ or becomes NaN, a value ≤ 0 stays ≤ 0), every
  // l_{r+1} is within (0, l_r] (rounding is monotone), and L_r = l_{r+1} + 0.5·(l_r − l_{r+1}) is within
  // [l_{r+1}, l_r] up to a rounding that cannot reach ∞: in (0, DBL_MAX]. Where L_w fails the call refuses anyway. So
  // the same tables are refused, with two compares and two ANDs less per row. The fallback's rows keep their test.
  const V c1 = c;
  rows_from_1(std::false_type{});
  bool all_inside = true;
#pragma GCC unroll 4
  for (int k = 0; k < N; ++k) all_inside = all_inside && inside[k] != 0;
  if (!all_inside) {  // the rates' exact check, the fallback's rows, and their l and L again from l_1
#pragma GCC unroll 4
    for (int k = 0; k < N; ++k)
      if (!detail::all_within(m[k] + 1, w - 1, 0.0, DBL_MAX)) return false;
    scratch.ax.resize(N * rows);
    a = scratch.ax.data();
#pragma GCC unroll 4
    for (int k = 0; k < N; ++k) a[k] = a0[k];
    for (std::size_t j = 1; j < w; ++j)
#pragma GCC unroll 4
      for (int k = 0; k < N; ++k) {
        a[N * j + k] = 0.5;
        if (q[N * j + k] > 1.0) q_from_m(1.0, m[k][j], a[N * j + k], q[N * j + k]);
      }
    c = c1;
    prev = c1;
    rows_from_1(std::true_type{});
  }
  double bad = 0.0;
#pragma GCC unroll 4
  for (int k = 0; k < N; ++k) {
    L[N * w + k] = l[N * w + k] / m[k][w];
    bad = (fine[k] != 0 && L[N * w + k] > 0.0 && L[N * w + k] <= DBL_MAX) ? bad : 1.0;
  }
  if (bad != 0.0) return false;
  // T from the open row down, kept by row.
  V T = V{};
#pragma GCC unroll 4
  for (std::size_t r = rows; r > 0; --r) {
    V Lr;
    load_vec(Lr, L + N * (r - 1));
    T += Lr;
    store_vec(Tx + N * (r - 1), T);
  }
  // A1: S_0 = L_0 / l_0, S_x = L_x / L_{x−1} (N rows at a time, then by lane), S_w = T_w / (L_{w−1} + T_w).
  double* S[N];
#pragma GCC unroll 4
  for (int k = 0; k < N; ++k) S[k] = lanes[k].S.data();
  const auto s_rows = [&](std::size_t j) __attribute__((always_inline)) {
    V v[N];
    if constexpr (PAIRS) {
#pragma GCC unroll 2
      for (int r = 0; r < N; r += 2) {
        Rows2 num, den;
        load_vec(num, L + N * (j + r));
        load_vec(den, L + N * (j + r - 1));
        rows_split(num / den, v[r], v[r + 1]);
      }
    } else {
#pragma GCC unroll 4
      for (int r = 0; r < N; ++r) {
        V num, den;
        load_vec(num, L + N * (j + r));
        load_vec(den, L + N * (j + r - 1));
        v[r] = num / den;
      }
    }
    transpose<N>(v);
#pragma GCC unroll 4
    for (int k = 0; k < N; ++k) store_vec(S[k] + j, v[k]);
  };
  for (i = 1; i + N <= wg; i += N) s_rows(i);
  if (i < wg && wg >= N + 1) {  // the last N rows, as q's
    s_rows(wg - N);
    i = wg;
  }
  for (; i < wg; ++i)
#pragma GCC unroll 4
    for (int k = 0; k < N; ++k) S[k][i] = L[N * i + k] / L[N * (i - 1) + k];
#pragma GCC unroll 4
  for (int k = 0; k < N; ++k) {
    S[k][0] = L[k] / l[k];
    const double Tw = Tx[N * wg + k];
    S[k][wg] = Tw / (L[N * (wg - 1) + k] + Tw);
  }
  // A4: φ_x = (L_x − l_{x+1}) / (L_x − L_{x+1}), φ_{w−1} = (L_{w−1} − l_w) / L_{w−1}; 0/0 is 1.
  if (want_phi) {
    double* f[N];
#pragma GCC unroll 4
    for (int k = 0; k < N; ++k) f[k] = lanes[k].phi.data();
    const auto phi_rows = [&](std::size_t j) __attribute__((always_inline)) {
      V v[N];
      if constexpr (PAIRS) {
        const Rows2 one2 = Rows2{} + 1.0;
#pragma GCC unroll 2
        for (int r = 0; r < N; r += 2) {
          Rows2 Li, li1, Li1;
          load_vec(Li, L + N * (j + r));
          load_vec(li1, l + N * (j + r + 1));
          load_vec(Li1, L + N * (j + r + 1));
          const Rows2 num = Li - li1, den = Li - Li1;
          // The four-lane body's selects on both_zero as two selects on one comparison each (1 where both are 0,
          // else num / den): GCC 12 makes the AND of two comparisons' masks lane by lane in AVX-512F code (kandb is
          // AVX-512DQ), unless it cannot see that the selects nest (opaque).
          Rows2 den_or_one = den == 0.0 ? one2 : den;
          opaque(den_or_one);
          const Rows2 q_r = num / (num == 0.0 ? den_or_one : den);
          Rows2 one_or_q = den == 0.0 ? one2 : q_r;
          opaque(one_or_q);
          rows_split(num == 0.0 ? one_or_q : q_r, v[r], v[r + 1]);
        }
      } else {
#pragma GCC unroll 4
        for (int r = 0; r < N; ++r) {
          V Li, li1, Li1;
          load_vec(Li, L + N * (j + r));
          load_vec(li1, l + N * (j + r + 1));
          load_vec(Li1, L + N * (j + r + 1));
          const V num = Li - li1, den = Li - Li1;
          const M both_zero = (num == 0.0) & (den == 0.0);
          const V q_r = num / (both_zero ? one : den);
          v[r] = both_zero ? one : q_r;
        }
      }
      transpose<N>(v);
#pragma GCC unroll 4
      for (int k = 0; k < N; ++k) store_vec(f[k] + j, v[k]);
    };
    for (i = 0; i + N <= wg - 1; i += N) phi_rows(i);
    if (i < wg - 1 && wg - 1 >= N) {  // the last N rows, as q's
      phi_rows(wg - 1 - N);
      i = wg - 1;
    }
    for (; i < wg - 1; ++i)
#pragma GCC unroll 4
      for (int k = 0; k < N; ++k) {
        const double num = L[N * i + k] - l[N * (i + 1) + k], den = L[N * i + k] - L[N * (i + 1) + k];
        const bool both_zero = (num == 0.0) & (den == 0.0);
        const double r = num / (both_zero ? 1.0 : den);
        f[k][i] = both_zero ? 1.0 : r;
      }
#pragma GCC unroll 4
    for (int k = 0; k < N; ++k) {
      const double num = L[N * (wg - 1) + k] - l[N * wg + k], den = L[N * (wg - 1) + k];
      f[k][wg - 1] = (num == 0.0 && den == 0.0) ? 1.0 : num / den;
    }
  }
#pragma GCC unroll 4
  for (int k = 0; k < N; ++k) {
    *lanes[k].e0 = l[k] > 0.0 ? Tx[k] / l[k] : 0.0;
    if (rows > 65) *lanes[k].e65 = l[N * 65 + k] > 0.0 ? Tx[N * 65 + k] / l[N * 65 + k] : 0.0;
  }
  return true;
}

COHORTGIS_KERNEL bool step_mortality_2(const detail::StepMortalityLane* lanes, const LifeTableMethod& method,
                                       int open_age, LifeTable& scratch) {
  return step_mortality_lanes<2>(lanes, method, open_age, scratch);
}
}  // namespace

// Four tables two rows a vector where AVX-512 is (simd.hpp, pick_kernel); four lanes a vector otherwise.
#if defined(COHORTGIS_WIDE_KERNELS)
namespace {
COHORTGIS_AVX512 bool step_mortality_4_avx512(const detail::StepMortalityLane* lanes, const LifeTableMethod& method,
                                              int open_age, LifeTable& scratch) {
  return step_mortality_lanes<4, true>(lanes, method, open_age, scratch);
}
COHORTGIS_AVX2 bool step_mortality_4_avx2(const detail::StepMortalityLane* lanes, const LifeTableMethod& method,
                                          int open_age, LifeTable& scratch) {
  return step_mortality_lanes<4>(lanes, method, open_age, scratch);
}
bool step_mortality_4_other(const detail::StepMortalityLane* lanes, const LifeTableMethod& method, int open_age,
                            LifeTable& scratch) {
  return step_mortality_lanes<4>(lanes, method, open_age, scratch);
}
}  // namespace
extern "C" {
static decltype(&step_mortality_4_other) cohortgis_pick_step_mortality_4() {
  return detail::pick_kernel(&step_mortality_4_avx512, &step_mortality_4_avx2, &step_mortality_4_other);
}
}
namespace detail {
bool step_mortality_4(const StepMortalityLane* lanes, const LifeTableMethod& method, int open_age, LifeTable& scratch)
    __attribute__((ifunc("cohortgis_pick_step_mortality_4")));
}  // namespace detail
#else
namespace detail {
bool step_mortality_4(const StepMortalityLane* lanes, const LifeTableMethod& method, int open_age, LifeTable& scratch) {
  return step_mortality_lanes<4>(lanes, method, open_age, scratch);
}
}  // namespace detail
#endif

namespace {

// Whether every lane of a mask is set.
template <int N>
[[gnu::always_inline]] inline bool all_lanes(const typename LanesOf<N>::mask& m) {
  bool all = true;
#pragma GCC unroll 4
  for (int k = 0; k < N; ++k) all = all && m[k] != 0;
  return all;
}

// g[j] = ln g[j] by glibc's scalar log, a call each, in a loop of its own: outside the vector clones, so that the
// loop does not clear the upper registers and reload its constants around every call.
[[gnu::noinline]] void logs_in_place(double* g, std::size_t count) {
  for (std::size_t j = 0; j < count; ++j) g[j] = std::log(g[j]);
}

// The rows of the abridged tables the lanes take (0, 1–4, …, 100+ is 22): a bound for the per-row masks on the stack.
constexpr std::size_t kMaxAbridgedRows = 64;

// A1 of abridged_lanes from its rows ([row][lane]): S_0 = 5L0 / (5 l0), 5L0 = 1L0 + 4L1; S_1 = L(5–9) / 5L0; each
// group's L over the one before; S_w = T_w / (L_{w−1} + T_w), T_w = L of the open row. By row into Sr, then to each
// lane's S through transposes of N rows (the last block over the last N rows again).
template <int N>
[[gnu::always_inline]] inline void s_rows_out(const detail::AbridgedStepLane* lanes, const double* __restrict L,
                                              const double* __restrict l, double* __restrict Sr, std::size_t w,
                                              std::size_t wg) {
  using V = typename LanesOf<N>::type;
  std::size_t i;
  {
    V L0, L1, L2, l0;
    load_vec(L0, L);
    load_vec(L1, L + N);
    load_vec(L2, L + 2 * N);
    load_vec(l0, l);
    const V L0_5 = L0 + L1;
    store_vec(Sr, L0_5 / (5.0 * l0));
    store_vec(Sr + N, L2 / L0_5);
  }
  for (i = 2; i < wg; ++i) {
    V num, den;
    load_vec(num, L + N * (i + 1));
    load_vec(den, L + N * i);
    store_vec(Sr + N * i, num / den);
  }
  {
    V Lw, Lp;
    load_vec(Lw, L + N * w);
    load_vec(Lp, L + N * wg);
    store_vec(Sr + N * wg, Lw / (Lp + Lw));
  }
  double* S[N];
#pragma GCC unroll 4
  for (int k = 0; k < N; ++k) S[k] = lanes[k].S.data();
  const auto s_out = [&](std::size_t j) __attribute__((always_inline)) {
    V v[N];
#pragma GCC unroll 4
    for (int r = 0; r < N; ++r) load_vec(v[r], Sr + N * (j + r));
    transpose<N>(v);
#pragma GCC unroll 4
    for (int k = 0; k < N; ++k) store_vec(S[k] + j, v[k]);
  };
  for (i = 0; i + N <= wg + 1; i += N) s_out(i);
  if (i < wg + 1) s_out(wg + 1 - N);
}

// abridged_step_mortality's operations for N tables of a five-year step, each number of each table by the same
// operations in the same order, the tables' rows interleaved in scratch ([row][lane]): the rates come in and S goes
// out through transposes of N rows (the rows left after blocks of N: the last N rows again, the same values).
template <int N>
[[gnu::always_inline]] inline bool abridged_lanes(const detail::AbridgedStepLane* lanes, const LifeTableMethod& method,
                                                  int open_index, LifeTable& scratch) {
  using V = typename LanesOf<N>::type;
  using M = typename LanesOf<N>::mask;
  const std::size_t rows = lanes[0].mx.size();
  const auto& q0_given = method.infant_mortality_q0;
  const bool want_S = !lanes[0].S.empty();  // else e0 and e65 only (any row count above 14)
  // Rows 0, 1–4, 5–9, …: S's open age is the table's open row less one (5L0 takes two rows); row 14 is age 65.
  if ((want_S && (open_index < 2 || rows != uz(open_index) + 2)) || rows <= 14 || rows > kMaxAbridgedRows ||
      !detail::fast_path_method(method))
    return false;
  const std::size_t w = rows - 1, wg = rows - 2;
  const double* m[N];
#pragma GCC unroll 4
  for (int k = 0; k < N; ++k) {
    m[k] = lanes[k].mx.data();
    if (lanes[k].mx.size() != rows || lanes[k].S.empty() == want_S || (want_S && lanes[k].S.size() != wg + 1) ||
        !(m[k][w] > 0.0))
      return false;
  }
  scratch.mx.resize(N * rows);
  scratch.ax.resize(N * rows);
  scratch.qx.resize(N * rows);
  scratch.lx.resize(N * rows);
  scratch.Lx.resize(N * rows);
  scratch.Tx.resize(N * rows);
  scratch.dx.resize(N * rows);
  double* __restrict X = scratch.mx.data();  // the rates
  double* __restrict a = scratch.ax.data();
  double* __restrict q = scratch.qx.data();
  double* __restrict l = scratch.lx.data();
  double* __restrict L = scratch.Lx.data();
  double* __restrict g = scratch.Tx.data();   // Greville's ratios, then their logs
  double* __restrict Sr = scratch.dx.data();  // S by row
  // The rates by row, checked finite and ≥ 0 (build_abridged_life_table's check; the open row's > 0 above).
  const V big = V{} + DBL_MAX;
  M fine = M{} - 1;
  const auto rates_in = [&](std::size_t j) __attribute__((always_inline)) {
    V v[N];
#pragma GCC unroll 4
    for (int k = 0; k < N; ++k) load_vec(v[k], m[k] + j);
    transpose<N>(v);
#pragma GCC unroll 4
    for (int r = 0; r < N; ++r) {
      fine &= (v[r] >= 0.0) & (v[r] <= big);
      store_vec(X + N * (j + r), v[r]);
    }
  };
  std::size_t i = 0;
  for (; i + N <= rows; i += N) rates_in(i);
  if (i < rows) rates_in(rows - N);
#pragma GCC unroll 4
  for (int k = 0; k < N; ++k)
    if (fine[k] == 0) return false;
      // a0 and 4a1 by lane; the closed rows from 5–9 by the midpoint or Greville (greville_rows of life_table.cpp, by
      // row: the ratios, glibc's scalar log of each, nax; the guard's constant hazard where nax leaves [0.4 n, 0.6 n]).
#pragma GCC unroll 4
  for (int k = 0; k < N; ++k) detail::abridged_a0_and_4a1(X[k], lanes[k].sex, method, a[k], a[N + k]);
  constexpr double n = 5.0;
  const std::size_t first = method.ax_method != AxMethod::greville ? w : method.greville_from_age_5 ? 2 : 4;
  for (i = 2; i < std::min(first, w); ++i) store_vec(a + N * i, V{} + 0.5 * n);
  if (first < w) {
    const V tiny = V{} + DBL_MIN;
    for (i = first; i < w; ++i) {
      V hi, lo;
      load_vec(hi, X + N * (i + 1));
      load_vec(lo, X + N * (i - 1));
      hi = hi > tiny ? hi : tiny;
      lo = lo > tiny ? lo : tiny;
      store_vec(g + N * i, hi / lo);
    }
    logs_in_place(g + N * first, N * (w - first));
    M inside = M{} - 1, row_inside[kMaxAbridgedRows];
    for (i = first; i < w; ++i) {
      V lg, x;
      load_vec(lg, g + N * i);
      load_vec(x, X + N * i);
      const double divisor = i == 2 ? 0.5 * 4.0 + n + 0.5 * n : 0.5 * n + n + 0.5 * n;  // 9.5 at 5–9, else 10
      const V ar = 0.5 * n - (n * n / 12.0) * (x - lg / divisor);
      // The guard's range from 10–14 on; at 5–9 an undefined or negative nax (ar − ar is 0 only where ar is finite;
      // greville_kept).
      row_inside[i] = i == 2 ? ((ar - ar) == V{}) & (ar >= 0.0) : (ar >= 0.4 * n) & (ar <= 0.6 * n);
      inside &= row_inside[i];
      store_vec(a + N * i, ar);
    }
    if (!all_lanes<N>(inside))  // only the rows with a lane outside (the same test as the mask's)
      for (i = first; i < w; ++i)
        if (!all_lanes<N>(row_inside[i]))
#pragma GCC unroll 4
          for (std::size_t j = N * i; j < N * i + N; ++j)
            if (!detail::greville_kept(i, a[j])) a[j] = detail::greville_replacement(i, a[j], X[j]);
  }
  // complete_table's q: a given IMR replaces 1q0; q_from_m's common branch, its fallback where q > 1.
#pragma GCC unroll 4
  for (int k = 0; k < N; ++k) {
    if (q0_given)
      q[k] = *q0_given;
    else
      q_from_m(1.0, X[k], a[k], q[k]);
  }
  // The rows' widths as constants: row 1 (1–4) and, in the second pass, row 0 before the loops.
  M over = M{};
  const auto q_row = [&](std::size_t r, double ni) __attribute__((always_inline)) {
    V x, ar;
    load_vec(x, X + N * r);
    load_vec(ar, a + N * r);
    const V qr = ni * x / (1.0 + (ni - ar) * x);
    over |= qr > 1.0;
    store_vec(q + N * r, qr);
  };
  q_row(1, 4.0);
  for (i = 2; i < w; ++i) q_row(i, n);
  bool any_over = false;
#pragma GCC unroll 4
  for (int k = 0; k < N; ++k) any_over = any_over || over[k] != 0;
  if (any_over)
    for (std::size_t j = N; j < N * w; ++j)
      if (q[j] > 1.0) q_from_m(j < 2 * N ? 4.0 : n, X[j], a[j], q[j]);  // recomputes q, then the fallback
  // l_{x+n} = l_x (1 − nqx), l of the row before in a register; in the same pass nLx = n l_{x+n} + nax ndx with
  // ndx = l_x − l_{x+n}; L_w = l_w / m_w. survival_ratios refuses L ≤ 0 or not finite (flags by mask).
  V c = V{} + method.radix;
  store_vec(l, c);
  M L_fine = M{} - 1;
  const auto l_and_L_row = [&](std::size_t r, double ni) __attribute__((always_inline)) {
    V qr, ar;
    load_vec(qr, q + N * r);
    load_vec(ar, a + N * r);
    const V next = c * (1.0 - qr);
    store_vec(l + N * (r + 1), next);
    const V Lr = ni * next + ar * (c - next);
    L_fine &= (Lr > 0.0) & (Lr <= big);
    store_vec(L + N * r, Lr);
    c = next;
  };
  l_and_L_row(0, 1.0);
  l_and_L_row(1, 4.0);
  for (i = 2; i < w; ++i) l_and_L_row(i, n);
  {
    V xw;
    load_vec(xw, X + N * w);
    const V Lw = c / xw;
    L_fine &= (Lw > 0.0) & (Lw <= big);
    store_vec(L + N * w, Lw);
  }
  if (want_S && !all_lanes<N>(L_fine)) return false;
  // Tx from the open row down, at rows 14 (age 65) and 0.
  V T = V{}, Lr;
  for (i = w; i > 14; --i) {
    load_vec(Lr, L + N * i);
    T += Lr;
  }
  load_vec(Lr, L + N * 14);
  T += Lr;
  const V T65 = T;
  for (i = 14; i-- > 0;) {
    load_vec(Lr, L + N * i);
    T += Lr;
  }
  if (want_S) s_rows_out<N>(lanes, L, l, Sr, w, wg);
    // e_x = T_x / l_x, 0 where l_x = 0.
#pragma GCC unroll 4
  for (int k = 0; k < N; ++k) {
    *lanes[k].e0 = l[k] > 0.0 ? T[k] / l[k] : 0.0;
    *lanes[k].e65 = l[N * 14 + k] > 0.0 ? T65[k] / l[N * 14 + k] : 0.0;
  }
  return true;
}

COHORTGIS_KERNEL bool abridged_2(const detail::AbridgedStepLane* lanes, const LifeTableMethod& method, int open_index,
                                 LifeTable& scratch) {
  return abridged_lanes<2>(lanes, method, open_index, scratch);
}
COHORTGIS_KERNEL bool abridged_4(const detail::AbridgedStepLane* lanes, const LifeTableMethod& method, int open_index,
                                 LifeTable& scratch) {
  return abridged_lanes<4>(lanes, method, open_index, scratch);
}
}  // namespace

namespace detail {
bool single_year_step_mortality_lanes(std::span<const StepMortalityLane> lanes, const LifeTableMethod& method,
                                      int open_age, LifeTable& scratch) {
  if (lanes.size() == 2) return step_mortality_2(lanes.data(), method, open_age, scratch);
  if (lanes.size() == 4) return detail::step_mortality_4(lanes.data(), method, open_age, scratch);
  return false;
}

bool abridged_step_mortality_lanes(std::span<const AbridgedStepLane> lanes, const LifeTableMethod& method,
                                   int open_index, LifeTable& scratch) {
  if (lanes.size() == 2) return abridged_2(lanes.data(), method, open_index, scratch);
  if (lanes.size() == 4) return abridged_4(lanes.data(), method, open_index, scratch);
  return false;
}
}  // namespace detail

}  // namespace cohortgis
