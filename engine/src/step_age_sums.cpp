// SPDX-License-Identifier: Apache-2.0
// The step's sums over age per state (step_kernels.hpp, sum_ages_states): every sum the left-to-right sum of its own
// vector from +0, bit for bit, however many sums share a loop or a vector.
#include "simd.hpp"
#include "step_kernels.hpp"

namespace cohortgis::detail {

namespace {
// *out[j] = v[j][0] + v[j][1] + … + v[j][n − 1] in age order for eight sums, one chain of additions each, interleaved.
[[gnu::always_inline]] inline void sum8(const double* const (&v)[8], double* const (&out)[8], std::size_t n) {
  const double *v0 = v[0], *v1 = v[1], *v2 = v[2], *v3 = v[3], *v4 = v[4], *v5 = v[5], *v6 = v[6], *v7 = v[7];
  double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0, a4 = 0.0, a5 = 0.0, a6 = 0.0, a7 = 0.0;
#pragma GCC unroll 8  // less loop overhead per add; each chain keeps its order
  for (std::size_t i = 0; i < n; ++i) {
    a0 += v0[i];
    a1 += v1[i];
    a2 += v2[i];
    a3 += v3[i];
    a4 += v4[i];
    a5 += v5[i];
    a6 += v6[i];
    a7 += v7[i];
    // Scalar: GCC's vectorised in-order folds of two elements at a time cost an address computation per pair
    // (1.5 instructions per element against 1.03 for scalar adds). A transpose to vector lanes (a sum per lane)
    // costs as much as scalar adds with their loads folded in (AVX2: four loads, four inserts, four unpacks and
    // four adds per four ages of four sums); with eight lanes see sum8_lanes.
    COHORTGIS_KEEP_SCALAR(a7);
  }
  // Sums GCC cannot see come out of the loop: stored to adjacent outputs, it would pack pairs of chains into vectors
  // (a load and an insert per two elements more).
  COHORTGIS_KEEP_SCALAR(a0);
  COHORTGIS_KEEP_SCALAR(a1);
  COHORTGIS_KEEP_SCALAR(a2);
  COHORTGIS_KEEP_SCALAR(a3);
  COHORTGIS_KEEP_SCALAR(a4);
  COHORTGIS_KEEP_SCALAR(a5);
  COHORTGIS_KEEP_SCALAR(a6);
  *out[0] = a0;
  *out[1] = a1;
  *out[2] = a2;
  *out[3] = a3;
  *out[4] = a4;
  *out[5] = a5;
  *out[6] = a6;
  *out[7] = a7;
}

// The same for one sum.
[[gnu::always_inline]] inline void sum1(const double* v, double* out, std::size_t n) {
  double a = 0.0;
  for (std::size_t i = 0; i < n; ++i) a += v[i];
  *out = a;
}

#if defined(COHORTGIS_WIDE_KERNELS)
// Eight vectors of eight ages of one sum each ([sum][age]) ↔ eight of one age of every sum ([age][sum]): the 8 × 8
// transpose (pairs, then pairs of pairs, then halves), its own inverse. Moves values only.
[[gnu::always_inline]] inline void transpose8(Cells8 (&r)[8]) {
  Cells8 t[8], u[8];
#pragma GCC unroll 4
  for (int k = 0; k < 8; k += 2) {
    t[k] = __builtin_shufflevector(r[k], r[k + 1], 0, 8, 2, 10, 4, 12, 6, 14);
    t[k + 1] = __builtin_shufflevector(r[k], r[k + 1], 1, 9, 3, 11, 5, 13, 7, 15);
  }
#pragma GCC unroll 2
  for (int k = 0; k < 8; k += 4) {
    u[k] = __builtin_shufflevector(t[k], t[k + 2], 0, 1, 8, 9, 4, 5, 12, 13);
    u[k + 1] = __builtin_shufflevector(t[k + 1], t[k + 3], 0, 1, 8, 9, 4, 5, 12, 13);
    u[k + 2] = __builtin_shufflevector(t[k], t[k + 2], 2, 3, 10, 11, 6, 7, 14, 15);
    u[k + 3] = __builtin_shufflevector(t[k + 1], t[k + 3], 2, 3, 10, 11, 6, 7, 14, 15);
  }
#pragma GCC unroll 4
  for (int k = 0; k < 4; ++k) {
    r[k] = __builtin_shufflevector(u[k], u[k + 4], 0, 1, 2, 3, 8, 9, 10, 11);
    r[k + 4] = __builtin_shufflevector(u[k], u[k + 4], 4, 5, 6, 7, 12, 13, 14, 15);
  }
}

// sum8 with the eight sums in the lanes of one AVX-512 vector (n ≥ 8): eight ages of each sum loaded, transposed to
// [age][sum], and added to the lanes in age order: lane j's sum is ((0 + v[j][0]) + v[j][1]) + …, sum8's chain j.
// One chain of a vector addition per age instead of eight scalar chains of one addition per age each: on a core
// with 512-bit units (AMD Zen 5) the scalar adds' throughput (two a cycle) bounded sum8, the vector chain's latency
// bounds this (bench/HISTORY.md "Round 26: the step's remaining four-wide kernels"). The ages after the blocks of
// eight: the last eight ages again, of which only the rows not yet added are added.
COHORTGIS_AVX512 void sum8_lanes(const double* const (&v)[8], double* const (&out)[8], std::size_t n) {
  Cells8 acc{};  // +0 in every lane, as sum8's a_j
  const auto rows = [&](std::size_t i, std::size_t from) __attribute__((always_inline)) {
    Cells8 r[8];
#pragma GCC unroll 8
    for (int j = 0; j < 8; ++j) load_vec(r[j], v[j] + i);
    transpose8(r);
#pragma GCC unroll 8
    for (std::size_t k = from; k < 8; ++k) acc = acc + r[k];
  };
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) rows(i, 0);
  if (i < n) rows(n - 8, 8 - (n - i));
#pragma GCC unroll 8
  for (int j = 0; j < 8; ++j) *out[j] = acc[j];
}
void sum8_scalar(const double* const (&v)[8], double* const (&out)[8], std::size_t n) { sum8(v, out, n); }
#endif
}  // namespace

#if defined(COHORTGIS_WIDE_KERNELS)
// Eight sums of n ≥ 8 ages: in the lanes of a vector where AVX-512 is (pick_kernel), else sum8.
extern "C" {
static decltype(&sum8_scalar) cohortgis_pick_sum8_long() {
  return pick_kernel(&sum8_lanes, &sum8_scalar, &sum8_scalar);
}
}
void sum8_long(const double* const (&v)[8], double* const (&out)[8], std::size_t n)
    __attribute__((ifunc("cohortgis_pick_sum8_long")));
#endif

namespace {
// sum8 for any n.
inline void sum8_any(const double* const (&v)[8], double* const (&out)[8], std::size_t n) {
#if defined(COHORTGIS_WIDE_KERNELS)
  if (n >= 8) {
    sum8_long(v, out, n);
    return;
  }
#endif
  sum8(v, out, n);
}
}  // namespace

void sum_ages_states(const double* D, double* D_sum, const double* M, double* M_sum, std::size_t states,
                     std::size_t n) {
  std::size_t k = 0;
  if (M) {
    for (; k + 4 <= states; k += 4) {
      const double* const D4 = D + k * n;
      const double* const M4 = M + k * n;
      sum8_any({D4, D4 + n, D4 + 2 * n, D4 + 3 * n, M4, M4 + n, M4 + 2 * n, M4 + 3 * n},
               {D_sum + k, D_sum + k + 1, D_sum + k + 2, D_sum + k + 3, M_sum + k, M_sum + k + 1, M_sum + k + 2,
                M_sum + k + 3},
               n);
    }
    for (; k < states; ++k) {
      sum1(D + k * n, D_sum + k, n);
      sum1(M + k * n, M_sum + k, n);
    }
  } else {
    for (; k + 8 <= states; k += 8) {
      const double* const D8 = D + k * n;
      sum8_any({D8, D8 + n, D8 + 2 * n, D8 + 3 * n, D8 + 4 * n, D8 + 5 * n, D8 + 6 * n, D8 + 7 * n},
               {D_sum + k, D_sum + k + 1, D_sum + k + 2, D_sum + k + 3, D_sum + k + 4, D_sum + k + 5, D_sum + k + 6,
                D_sum + k + 7},
               n);
    }
    for (; k < states; ++k) sum1(D + k * n, D_sum + k, n);
  }
}

}  // namespace cohortgis::detail
