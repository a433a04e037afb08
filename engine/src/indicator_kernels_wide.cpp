// SPDX-License-Identifier: Apache-2.0
// The pooled-mx sums of an aggregate's fold (indicator_kernels.hpp: add_mx3, add_mx3_four, add_w3_four,
// add_w3_sixteen), eight rows a vector where AVX-512 is. Each sum adds the zones' terms in zone order whatever the
// vector's width (its lanes run across rows, never across zones), and every term is made by the same operations
// (-ffp-contract=off), so every width gives the same bits. Split from indicator_kernels.cpp and
// pooled_life_tables.cpp: their vector type is a template parameter here, compiled as three functions and chosen
// once by an ifunc resolver (simd.hpp, pick_kernel), as the step's in-flow passes.
#include <cstddef>
#include <type_traits>

#include "indicator_kernels.hpp"
#include "simd.hpp"

namespace cohortgis::detail {

namespace {
// Row r of add_mx3 (and of add_mx3_four's last rows).
[[gnu::always_inline]] inline void mx3_row(double* __restrict num0, double* __restrict den0, double* __restrict num1,
                                           double* __restrict den1, double* __restrict num, double* __restrict den,
                                           const double* __restrict mx_a, const double* __restrict P0a,
                                           const double* __restrict P1a, const double* __restrict mx_b,
                                           const double* __restrict P0b, const double* __restrict P1b, std::size_t r) {
  const double wa = (P0a[r] + P1a[r]) / 2.0, mwa = mx_a[r] * wa;
  const double wb = (P0b[r] + P1b[r]) / 2.0, mwb = mx_b[r] * wb;
  num0[r] += mwa;
  den0[r] += wa;
  num1[r] += mwb;
  den1[r] += wb;
  num[r] = (num[r] + mwa) + mwb;
  den[r] = (den[r] + wa) + wb;
}
}  // namespace

// add_mx2_rows of state a into (g0, all) then of state b into (g1, all), on single-year rows (row r reads population
// index r), in one pass, without the plain sums (IndicatorPass::deferred_plain): the same products and additions in the
// same order.
COHORTGIS_KERNEL void add_mx3(double* __restrict num0, double* __restrict den0, double* __restrict num1,
                              double* __restrict den1, double* __restrict num, double* __restrict den,
                              const double* __restrict mx_a, const double* __restrict P0a, const double* __restrict P1a,
                              const double* __restrict mx_b, const double* __restrict P0b, const double* __restrict P1b,
                              std::size_t rows) {
  for (std::size_t r = 0; r < rows; ++r) mx3_row(num0, den0, num1, den1, num, den, mx_a, P0a, P1a, mx_b, P0b, P1b, r);
}

namespace {
// The six sums of add_mx3_four's rows r … r + NV·L − 1 (NV vectors of V, L = kVectorLanes<V> rows each) held in
// registers over the four zones, each sum's additions zone after zone: the bits of add_mx3 per row.
template <class V, int NV>
[[gnu::always_inline]] inline void mx3_four_rows(double* __restrict num0, double* __restrict den0,
                                                 double* __restrict num1, double* __restrict den1,
                                                 double* __restrict num, double* __restrict den,
                                                 const double* __restrict mx, std::size_t mx_b, std::size_t mx_zone,
                                                 const double* __restrict P0, const double* __restrict P1,
                                                 std::size_t b, std::size_t zone, std::size_t r) {
  constexpr std::size_t L = kVectorLanes<V>;
  const V half = V{} + 0.5;  // (P0 + P1) / 2 exactly: a division by 2 is a product by 0.5
  V n0[NV], d0[NV], n1[NV], d1[NV], n[NV], d[NV];
#pragma GCC unroll 2
  for (int h = 0; h < NV; ++h) {
    const std::size_t i = r + L * h;
    load_vec(n0[h], num0 + i), load_vec(d0[h], den0 + i), load_vec(n1[h], num1 + i), load_vec(d1[h], den1 + i);
    load_vec(n[h], num + i), load_vec(d[h], den + i);
  }
  const double *m = mx + r, *s = P0 + r, *e = P1 + r;
#pragma GCC unroll 1  // see add_mx3_four
  for (int k = 0; k < 4; ++k, m += mx_zone, s += zone, e += zone) {
#pragma GCC unroll 2
    for (int h = 0; h < NV; ++h) {
      const std::size_t o = L * h;
      V p0, p1, q;
      load_vec(p0, s + o), load_vec(p1, e + o), load_vec(q, m + o);
      const V wa = (p0 + p1) * half, mwa = q * wa;
      load_vec(p0, s + b + o), load_vec(p1, e + b + o), load_vec(q, m + mx_b + o);
      const V wb = (p0 + p1) * half, mwb = q * wb;
      n0[h] += mwa, d0[h] += wa, n1[h] += mwb, d1[h] += wb;
      n[h] = (n[h] + mwa) + mwb;
      d[h] = (d[h] + wa) + wb;
    }
  }
#pragma GCC unroll 2
  for (int h = 0; h < NV; ++h) {
    const std::size_t i = r + L * h;
    store_vec(num0 + i, n0[h]), store_vec(den0 + i, d0[h]), store_vec(num1 + i, n1[h]), store_vec(den1 + i, d1[h]);
    store_vec(num + i, n[h]), store_vec(den + i, d[h]);
  }
}

// add_mx3_four with V (Cells8 in COHORTGIS_AVX512 code, else Cells4): two vectors of rows at a time, then (eight
// lanes) one, then four rows as one Cells4, then the last rows (fewer than four) one at a time. Every row's sums see
// the same operations in whichever of these it falls: the same bits at either width.
template <class V>
[[gnu::always_inline]] inline void add_mx3_four_of(double* __restrict num0, double* __restrict den0,
                                                   double* __restrict num1, double* __restrict den1,
                                                   double* __restrict num, double* __restrict den,
                                                   const double* __restrict mx, std::size_t mx_b, std::size_t mx_zone,
                                                   const double* __restrict P0, const double* __restrict P1,
                                                   std::size_t b, std::size_t zone, std::size_t rows) {
  constexpr std::size_t L = kVectorLanes<V>;
  std::size_t r = 0;
  for (; r + 2 * L <= rows; r += 2 * L)
    mx3_four_rows<V, 2>(num0, den0, num1, den1, num, den, mx, mx_b, mx_zone, P0, P1, b, zone, r);
  if constexpr (L > 4) {
    if (r + L <= rows) {
      mx3_four_rows<V, 1>(num0, den0, num1, den1, num, den, mx, mx_b, mx_zone, P0, P1, b, zone, r);
      r += L;
    }
  }
  if (r + 4 <= rows) {
    mx3_four_rows<Cells4, 1>(num0, den0, num1, den1, num, den, mx, mx_b, mx_zone, P0, P1, b, zone, r);
    r += 4;
  }
  for (; r < rows; ++r)  // the last rows (fewer than four)
    for (std::size_t k = 0; k < 4; ++k) {
      const double *m = mx + k * mx_zone, *s = P0 + k * zone, *e = P1 + k * zone;
      mx3_row(num0, den0, num1, den1, num, den, m, s, e, m + mx_b, s + b, e + b, r);
    }
}

// The four terms wa, mx_a·wa, wb, mx_b·wb of L rows of a zone from its kept blocks (rates_of_two_lanes' layout, blocks
// of four rows kKeptBlockStride apart): one block, or (eight lanes) two consecutive blocks' halves joined.
template <class V>
[[gnu::always_inline]] inline void kept_terms(const double* __restrict p, V& wa, V& mwa, V& wb, V& mwb) {
  if constexpr (kVectorLanes<V> == 4) {
    load_vec(wa, p), load_vec(mwa, p + 4), load_vec(wb, p + 8), load_vec(mwb, p + 12);
  } else {
    static_assert(kVectorLanes<V> == 8, "one or two blocks of four rows");
    const auto joined = [&](V & v, std::size_t at) __attribute__((always_inline)) {
      Cells4 lo, hi;
      load_vec(lo, p + at), load_vec(hi, p + kKeptBlockStride + at);
      v = __builtin_shufflevector(lo, hi, 0, 1, 2, 3, 4, 5, 6, 7);
    };
    joined(wa, 0), joined(mwa, 4), joined(wb, 8), joined(mwb, 12);
  }
}

// add_mx3_four (above) from the terms rates_of_two_lanes kept (zone k's at w + 16k, blocks kKeptBlockStride apart) of
// N zones, each sex's rows in turn: the same terms added in the same order (the terms made by the same operations), so
// the same sums, without the loads of the rates and persons and the products. The zones' terms from one pointer and
// constant offsets (four pointers of their own took four more instructions a block); the sums read and written once
// for the N zones (four: 47 instructions a block of four rows, sixteen: 143). V: Cells8 (two blocks of four rows a
// vector, half the additions) in COHORTGIS_AVX512 code, else Cells4; the blocks left one at a time as a Cells4.
template <int N, class V>
[[gnu::always_inline]] inline void add_w3_zones(double* __restrict num0, double* __restrict den0,
                                                double* __restrict num1, double* __restrict den1,
                                                double* __restrict num, double* __restrict den,
                                                const double* __restrict w, std::size_t rows) {
  const std::size_t per_sex = kept_blocks_per_sex(rows) * kKeptBlockStride, blocks = rows / 4;
  // The rows of the four-row blocks j … j + L/4 − 1 (their terms from j · kKeptBlockStride of each zone's sex), into
  // the sums at row o + 4j.
  // (The vector type from a null pointer of it: a vector passed by value changes the ABI, -Wpsabi.)
  const auto block = [&](auto* lanes, std::size_t o, std::size_t t, std::size_t j) __attribute__((always_inline)) {
    using W = std::remove_pointer_t<decltype(lanes)>;
    W n0, d0, n1, d1, s, d;
    const std::size_t i = o + 4 * j;
    load_vec(n0, num0 + i), load_vec(d0, den0 + i), load_vec(n1, num1 + i), load_vec(d1, den1 + i);
    load_vec(s, num + i), load_vec(d, den + i);
#pragma GCC unroll 16
    for (int k = 0; k < N; ++k) {
      W wa, mwa, wb, mwb;
      kept_terms(w + 16 * k + t + kKeptBlockStride * j, wa, mwa, wb, mwb);
      n0 += mwa, d0 += wa, n1 += mwb, d1 += wb;
      s = (s + mwa) + mwb;
      d = (d + wa) + wb;
    }
    store_vec(num0 + i, n0), store_vec(den0 + i, d0), store_vec(num1 + i, n1), store_vec(den1 + i, d1);
    store_vec(num + i, s), store_vec(den + i, d);
  };
  constexpr std::size_t B = kVectorLanes<V> / 4;  // blocks a vector
  for (std::size_t sex = 0; sex < 2; ++sex) {
    const std::size_t o = sex * rows, t = sex * per_sex;
    std::size_t j = 0;
    if constexpr (B > 1)
      for (; j + B <= blocks; j += B) block(static_cast<V*>(nullptr), o, t, j);
    for (; j < blocks; ++j) block(static_cast<Cells4*>(nullptr), o, t, j);
    for (std::size_t r = 4 * blocks; r < rows; ++r)  // the last rows: lanes of the block of rows − 4 … rows − 1
      for (std::size_t k = 0; k < N; ++k) {
        const double* p = w + 16 * k + t + kKeptBlockStride * blocks + (r - (rows - 4));
        const double wa = p[0], mwa = p[4], wb = p[8], mwb = p[12];
        num0[o + r] += mwa;
        den0[o + r] += wa;
        num1[o + r] += mwb;
        den1[o + r] += wb;
        num[o + r] = (num[o + r] + mwa) + mwb;
        den[o + r] = (den[o + r] + wa) + wb;
      }
  }
}
}  // namespace

// The kernels' three bodies and their resolvers (simd.hpp, pick_kernel); sanitizer builds (COHORTGIS_NO_MULTIVERSION)
// and other compilers compile the four-lane body alone.
#define COHORTGIS_MX3_FOUR_ARGS                                                                                       \
  double *__restrict num0, double *__restrict den0, double *__restrict num1, double *__restrict den1,                 \
      double *__restrict num, double *__restrict den, const double *__restrict mx, std::size_t mx_b,                  \
      std::size_t mx_zone, const double *__restrict P0, const double *__restrict P1, std::size_t b, std::size_t zone, \
      std::size_t rows
#define COHORTGIS_MX3_FOUR_CALL num0, den0, num1, den1, num, den, mx, mx_b, mx_zone, P0, P1, b, zone, rows
#define COHORTGIS_W3_ARGS                                                                             \
  double* __restrict num0, double* __restrict den0, double* __restrict num1, double* __restrict den1, \
      double* __restrict num, double* __restrict den, const double* __restrict w, std::size_t rows
#define COHORTGIS_W3_CALL num0, den0, num1, den1, num, den, w, rows

#if defined(COHORTGIS_WIDE_KERNELS)
namespace {
COHORTGIS_AVX512 void add_mx3_four_avx512(COHORTGIS_MX3_FOUR_ARGS) { add_mx3_four_of<Cells8>(COHORTGIS_MX3_FOUR_CALL); }
COHORTGIS_AVX2 void add_mx3_four_avx2(COHORTGIS_MX3_FOUR_ARGS) { add_mx3_four_of<Cells4>(COHORTGIS_MX3_FOUR_CALL); }
void add_mx3_four_other(COHORTGIS_MX3_FOUR_ARGS) { add_mx3_four_of<Cells4>(COHORTGIS_MX3_FOUR_CALL); }
COHORTGIS_AVX512 void add_w3_four_avx512(COHORTGIS_W3_ARGS) { add_w3_zones<4, Cells8>(COHORTGIS_W3_CALL); }
COHORTGIS_AVX2 void add_w3_four_avx2(COHORTGIS_W3_ARGS) { add_w3_zones<4, Cells4>(COHORTGIS_W3_CALL); }
void add_w3_four_other(COHORTGIS_W3_ARGS) { add_w3_zones<4, Cells4>(COHORTGIS_W3_CALL); }
COHORTGIS_AVX512 void add_w3_sixteen_avx512(COHORTGIS_W3_ARGS) { add_w3_zones<16, Cells8>(COHORTGIS_W3_CALL); }
COHORTGIS_AVX2 void add_w3_sixteen_avx2(COHORTGIS_W3_ARGS) { add_w3_zones<16, Cells4>(COHORTGIS_W3_CALL); }
void add_w3_sixteen_other(COHORTGIS_W3_ARGS) { add_w3_zones<16, Cells4>(COHORTGIS_W3_CALL); }
}  // namespace
extern "C" {
static decltype(&add_mx3_four_other) cohortgis_pick_add_mx3_four() {
  return pick_kernel(&add_mx3_four_avx512, &add_mx3_four_avx2, &add_mx3_four_other);
}
static decltype(&add_w3_four_other) cohortgis_pick_add_w3_four() {
  return pick_kernel(&add_w3_four_avx512, &add_w3_four_avx2, &add_w3_four_other);
}
static decltype(&add_w3_sixteen_other) cohortgis_pick_add_w3_sixteen() {
  return pick_kernel(&add_w3_sixteen_avx512, &add_w3_sixteen_avx2, &add_w3_sixteen_other);
}
}
void add_mx3_four(double* num0, double* den0, double* num1, double* den1, double* num, double* den, const double* mx,
                  std::size_t mx_b, std::size_t mx_zone, const double* P0, const double* P1, std::size_t b,
                  std::size_t zone, std::size_t rows) __attribute__((ifunc("cohortgis_pick_add_mx3_four")));
void add_w3_four(double* num0, double* den0, double* num1, double* den1, double* num, double* den, const double* w,
                 std::size_t rows) __attribute__((ifunc("cohortgis_pick_add_w3_four")));
void add_w3_sixteen(double* num0, double* den0, double* num1, double* den1, double* num, double* den, const double* w,
                    std::size_t rows) __attribute__((ifunc("cohortgis_pick_add_w3_sixteen")));
#else
void add_mx3_four(COHORTGIS_MX3_FOUR_ARGS) { add_mx3_four_of<Cells4>(COHORTGIS_MX3_FOUR_CALL); }
void add_w3_four(COHORTGIS_W3_ARGS) { add_w3_zones<4, Cells4>(COHORTGIS_W3_CALL); }
void add_w3_sixteen(COHORTGIS_W3_ARGS) { add_w3_zones<16, Cells4>(COHORTGIS_W3_CALL); }
#endif

}  // namespace cohortgis::detail
