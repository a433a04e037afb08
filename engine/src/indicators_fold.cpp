// SPDX-License-Identifier: Apache-2.0
// The sums of an aggregate of two-group zones on a single-year grid (the "total" of every zone, every year): each
// group's slot and the "all" slot, over a block of ages (and life-table rows) at a time whose sums stay in registers
// while a run of zones is added, instead of a load and a store of every sum per state (IndicatorPass::accumulate2).
// Each sum sees the same additions in the same order: a group's slot its states in zone order, "all" the states in
// the order (zone, group); the pooled-mx terms w = (P0 + P1) / 2 and mx · w as add_mx2_rows makes them.
#include <algorithm>

#include "cohortgis/engine/index_cast.hpp"
#include "indicators_pass.hpp"
#include "simd.hpp"

namespace cohortgis::detail {

namespace {

// Four doubles, loaded and stored unaligned: element-wise IEEE operations, so each lane has the bits of the scalar
// operation (GCC's vector extension; two SSE2 halves in the default clone).
typedef double V4 __attribute__((vector_size(32), aligned(8)));
constexpr std::size_t kRun = 64;  // zones added between a load and a store of the sums (their cells stay in L2)

// Four doubles at p as one vector, by reference (no vector passed by value: the same ABI in every clone).
inline const V4& at(const double* p) { return *reinterpret_cast<const V4*>(p); }
inline V4& at(double* p) { return *reinterpret_cast<V4*>(p); }

// g0[i] += x(z, 0)[i], all[i] += x(z, 0)[i], g1[i] += x(z, 1)[i], all[i] += x(z, 1)[i] for the zones in order,
// i in [i0, i1); x(z, g) = base + (2z + g) · stride. Eight sums per slot stay in registers over a run of zones.
COHORTGIS_KERNEL void fold_two(double* __restrict g0, double* __restrict g1, double* __restrict all,
                               const double* __restrict base, std::size_t stride, const int* zones, std::size_t nz,
                               std::size_t i0, std::size_t i1) {
  for (std::size_t k0 = 0; k0 < nz; k0 += kRun) {
    const std::size_t k1 = std::min(nz, k0 + kRun);
    std::size_t i = i0;
    for (; i + 8 <= i1; i += 8) {
      V4 a0 = at(g0 + i), b0 = at(g0 + i + 4), a1 = at(g1 + i), b1 = at(g1 + i + 4);
      V4 aa = at(all + i), ba = at(all + i + 4);
      for (std::size_t k = k0; k < k1; ++k) {
        const double* v = base + uz(zones[k]) * 2 * stride + i;
        const V4 x0 = at(v), y0 = at(v + 4), x1 = at(v + stride), y1 = at(v + stride + 4);
        a0 += x0, b0 += y0, aa += x0, ba += y0;
        a1 += x1, b1 += y1, aa += x1, ba += y1;
      }
      at(g0 + i) = a0, at(g0 + i + 4) = b0, at(g1 + i) = a1, at(g1 + i + 4) = b1;
      at(all + i) = aa, at(all + i + 4) = ba;
    }
    for (; i < i1; ++i)
      for (std::size_t k = k0; k < k1; ++k) {
        const double* v = base + uz(zones[k]) * 2 * stride + i;
        g0[i] += v[0], all[i] += v[0];
        g1[i] += v[stride], all[i] += v[stride];
      }
  }
}

// The pooled-mx sums (num += mx · w, den += w, plain += mx, w = (P0 + P1) / 2) of the three slots, rows [r0, r1)
// read at population index r (single-year rows); state (z, g) of the population at P + (2z + g) · p_stride, of the
// rates at mx + (2z + g) · m_stride. Four rows' nine sums stay in registers over a run of zones.
struct MxSums {
  double *num, *den, *plain;
};
COHORTGIS_KERNEL void fold_two_mx(MxSums g0, MxSums g1, MxSums all, const double* __restrict mx, std::size_t m_stride,
                                  const double* __restrict P0, const double* __restrict P1, std::size_t p_stride,
                                  const int* zones, std::size_t nz, std::size_t r0, std::size_t r1) {
  for (std::size_t k0 = 0; k0 < nz; k0 += kRun) {
    const std::size_t k1 = std::min(nz, k0 + kRun);
    std::size_t r = r0;
    for (; r + 4 <= r1; r += 4) {
      V4 n0 = at(g0.num + r), d0 = at(g0.den + r), p0 = at(g0.plain + r);
      V4 n1 = at(g1.num + r), d1 = at(g1.den + r), p1 = at(g1.plain + r);
      V4 na = at(all.num + r), da = at(all.den + r), pa = at(all.plain + r);
      for (std::size_t k = k0; k < k1; ++k) {
        const std::size_t st = uz(zones[k]) * 2;
        const double* m = mx + st * m_stride + r;
        const double* a = P0 + st * p_stride + r;
        const double* b = P1 + st * p_stride + r;
        const V4 m0 = at(m), w0 = (at(a) + at(b)) / 2.0, mw0 = m0 * w0;
        const V4 m1 = at(m + m_stride), w1 = (at(a + p_stride) + at(b + p_stride)) / 2.0, mw1 = m1 * w1;
        n0 += mw0, d0 += w0, p0 += m0;
        na += mw0, da += w0, pa += m0;
        n1 += mw1, d1 += w1, p1 += m1;
        na += mw1, da += w1, pa += m1;
      }
      at(g0.num + r) = n0, at(g0.den + r) = d0, at(g0.plain + r) = p0;
      at(g1.num + r) = n1, at(g1.den + r) = d1, at(g1.plain + r) = p1;
      at(all.num + r) = na, at(all.den + r) = da, at(all.plain + r) = pa;
    }
    for (; r < r1; ++r)
      for (std::size_t k = k0; k < k1; ++k)
        for (int g = 0; g < 2; ++g) {
          const std::size_t st = uz(zones[k]) * 2 + uz(g);
          const double m = mx[st * m_stride + r];
          const double w = (P0[st * p_stride + r] + P1[st * p_stride + r]) / 2.0, mw = m * w;
          const MxSums& o = g == 0 ? g0 : g1;
          o.num[r] += mw, o.den[r] += w, o.plain[r] += m;
          all.num[r] += mw, all.den[r] += w, all.plain[r] += m;
        }
  }
}

}  // namespace

void IndicatorPass::fold_two_groups(IndicatorSums& g0, IndicatorSums& g1, IndicatorSums& all,
                                    std::span<const int> zones, std::size_t a0, std::size_t a1, std::size_t r0,
                                    std::size_t r1) const {
  const std::size_t A = A_, rows = rows_, nz = zones.size();
  const int* zs = zones.data();
  for (std::size_t s = 0; s < 2; ++s) {
    const std::size_t o = s * A;
    fold_two(g0.start.data() + o, g1.start.data() + o, all.start.data() + o, start_.data().data() + o, 2 * A, zs, nz,
             a0, a1);
    fold_two(g0.end.data() + o, g1.end.data() + o, all.end.data() + o, end_.data().data() + o, 2 * A, zs, nz, a0, a1);
    if (rows > 0) {
      const std::size_t m = s * rows;
      auto sums = [m](IndicatorSums& x) {
        return MxSums{x.mx_num.data() + m, x.mx_den.data() + m, x.mx_sum.data() + m};
      };
      fold_two_mx(sums(g0), sums(g1), sums(all), mx_.data() + m, 2 * rows, start_.data().data() + o,
                  end_.data().data() + o, 2 * A, zs, nz, r0, r1);
    }
  }
  fold_two(g0.bma.data(), g1.bma.data(), all.bma.data(), comp_.births_by_mother_age.data(), A, zs, nz, a0, a1);
  fold_two(g0.expo.data(), g1.expo.data(), all.expo.data(), comp_.women_exposure.data(), A, zs, nz, a0, a1);
}

}  // namespace cohortgis::detail
