// SPDX-License-Identifier: Apache-2.0
// The vector kernels of the projection step (step_kernels.hpp).
#include "step_kernels.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>

#include "simd.hpp"

// The same for a pointer: GCC sees a value it cannot take apart (no instruction either).
#if defined(__GNUC__)
#define COHORTGIS_OPAQUE(p) asm("" : "+r"(p))
#else
#define COHORTGIS_OPAQUE(p) static_cast<void>(p)
#endif

// The fused pass with its in-flows (fused_state_in_flows) reads each origin through a pointer loaded from the index,
// not a __restrict parameter, so GCC would check at run time whether the stores of M overlap those reads,
// and with eight edges it gives up and keeps the loop scalar. They never overlap (scratch against populations and
// rates): `ivdep` says so. Clang has no such pragma (and warns on an unknown one).
#if defined(__GNUC__) && !defined(__clang__)
#define COHORTGIS_IVDEP _Pragma("GCC ivdep")
#else
#define COHORTGIS_IVDEP
#endif

namespace cohortgis::detail {

namespace {

// in[i] = c_k · prof[i] · P_k[i] (· s_k[i]) summed over the edges k in their order, from 0: up to eight unscaled edges
// share one pass (in[i] = ((0 + t_1) + t_2) + …: the same additions in the same order as a zeroed `in` and one pass
// per edge). `edge(j, c, p)` gives the pass's j-th edge: its c and its origin's age vector.
// acc + t_1 + t_2 + … in edge order, t_j = c_j · q · p_j[i]: age i's terms of K edges (q: the profile at age i).
template <int K, int N>
[[gnu::always_inline]] inline double add_edges(double acc, double q, const double (&c)[N], const double* const (&p)[N],
                                               std::size_t i) {
#pragma GCC unroll 12
  for (int j = 0; j < K; ++j) acc = acc + c[j] * q * p[j][i];
  return acc;
}

// add_edges of cells i … i + W − 1 (W = kVectorLanes<V>: four, or eight in COHORTGIS_AVX512 code) from +0 with GCC
// vectors: the same operations per cell (((0 + t_1) + t_2) + …, t_j = (c_j · q) · p_j[i]). FROM_FIRST: (t_1 + t_2) + …,
// one addition less, which differs from 0 + t_1 + … only where every t_j is −0 (−0 instead of +0): used where the
// caller knows that changes no result (step_kernels.hpp).
template <int K, int N, bool FROM_FIRST = false, class V>
[[gnu::always_inline]] inline void add_edges_4(V& in, const V& q, const double (&c)[N], const double* const (&p)[N],
                                               std::size_t i) {
  static_assert(K >= 1 || !FROM_FIRST, "a sum from the first term needs one");
  if constexpr (FROM_FIRST) {
    V x;
    load_vec(x, p[0] + i);
    in = c[0] * q * x;
  } else {
    in = V{};  // +0 in every lane
  }
#pragma GCC unroll 12
  for (int j = FROM_FIRST ? 1 : 0; j < K; ++j) {
    V x;
    load_vec(x, p[j] + i);
    in = in + c[j] * q * x;
  }
}

// A pass over cells 0 … n − 1 (n ≥ W) of `cells(i)`, which makes and stores cells i … i + W − 1: 2W cells a loop
// step, then W, then the last W again (cells made twice store the same values: a pass that uses it writes nothing it
// reads), instead of the vectoriser's tail (a 2-wide copy of the loop for the last two cells of a group's 2 · 101,
// which reloads every edge's c from the stack: ≈ 60 instructions a call).
template <std::size_t W, class Cells>
[[gnu::always_inline]] inline void pass_of(std::size_t n, const Cells& cells) {
  std::size_t i = 0;
  for (; i + 2 * W <= n; i += 2 * W) {
    cells(i);
    cells(i + W);
  }
  if (i + W <= n) {
    cells(i);
    i += W;
  }
  if (i < n) cells(n - W);
}

// in[i] = the sum of K edges' terms (add_edges_4) for cells 0 … n − 1 (n ≥ W), W = kVectorLanes<V> cells a vector.
template <class V, int K, bool FROM_FIRST>
[[gnu::always_inline]] inline void edge_sums(double* __restrict in, const double* __restrict prof, const double (&c)[K],
                                             const double* const (&p)[K], std::size_t n) {
  const auto sums = [&](std::size_t i) __attribute__((always_inline)) {
    V q, sum;
    load_vec(q, prof + i);
    add_edges_4<K, K, FROM_FIRST>(sum, q, c, p, i);
    store_vec(in + i, sum);
  };
  pass_of<kVectorLanes<V>>(n, sums);
}

// FROM_FIRST (with FIRST): the vector pass's sums from the first term (add_edges_4); below four cells from +0.
// V: the vector of the FIRST pass where n ≥ its lanes (eight cells in COHORTGIS_AVX512 code), four cells a vector
// below; the same sums per cell at either width.
template <int K, bool FIRST, bool FROM_FIRST, class V, class Edge>
[[gnu::always_inline]] inline void edge_pass(double* __restrict in, const double* __restrict prof, const Edge& edge,
                                             std::size_t n) {
  double c[K];
  const double* p[K];
  for (int j = 0; j < K; ++j) edge(j, c[j], p[j]);
  if constexpr (FIRST) {  // `in` is only written: cells made twice store the same sums
    if (n >= kVectorLanes<V>) {
      edge_sums<V, K, FROM_FIRST>(in, prof, c, p, n);
      return;
    }
    if (n >= 4) {
      edge_sums<Cells4, K, FROM_FIRST>(in, prof, c, p, n);
      return;
    }
  }
#pragma GCC unroll 2  // two vectors per loop step: half the loop overhead (0.4 instructions a cell of eight edges)
  for (std::size_t i = 0; i < n; ++i) in[i] = add_edges<K>(FIRST ? 0.0 : in[i], prof[i], c, p, i);
}

template <int K, class V, class Edge>
[[gnu::always_inline]] inline void edge_pass(bool first, bool from_first, double* __restrict in,
                                             const double* __restrict prof, const Edge& edge, std::size_t n) {
  if (first && from_first)
    edge_pass<K, true, true, V>(in, prof, edge, n);
  else if (first)
    edge_pass<K, true, false, V>(in, prof, edge, n);
  else
    edge_pass<K, false, false, V>(in, prof, edge, n);
}

// One pass of `run` (1–8) edges.
template <class V, class Edge>
[[gnu::always_inline]] inline void edge_pass(std::size_t run, bool first, bool from_first, double* __restrict in,
                                             const double* __restrict prof, const Edge& edge, std::size_t n) {
  switch (run) {
    case 8:
      edge_pass<8, V>(first, from_first, in, prof, edge, n);
      break;
    case 7:
      edge_pass<7, V>(first, from_first, in, prof, edge, n);
      break;
    case 6:
      edge_pass<6, V>(first, from_first, in, prof, edge, n);
      break;
    case 5:
      edge_pass<5, V>(first, from_first, in, prof, edge, n);
      break;
    case 4:
      edge_pass<4, V>(first, from_first, in, prof, edge, n);
      break;
    case 3:
      edge_pass<3, V>(first, from_first, in, prof, edge, n);
      break;
    case 2:
      edge_pass<2, V>(first, from_first, in, prof, edge, n);
      break;
    case 1:
      edge_pass<1, V>(first, from_first, in, prof, edge, n);
      break;
    default:
      break;
  }
}

}  // namespace

COHORTGIS_KERNEL void add_in_flows(double* __restrict in, const double* __restrict prof, std::span<const InEdge> edges,
                                   std::size_t n) {
  if (edges.empty()) {
    std::fill(in, in + n, 0.0);
    return;
  }
  std::size_t k = 0;
  bool first = true;
  while (k < edges.size()) {
    std::size_t run = 0;  // unscaled edges from k on, at most 8
    while (run < 8 && k + run < edges.size() && !edges[k + run].so) ++run;
    const InEdge* e = edges.data() + k;
    // One pass for the whole run (a pass per size, not 4 + 2 + 1 for seven edges): each pass loads the profile and
    // loads and stores `in` once more.
    edge_pass<Cells4>(
        run, first, false, in, prof,
        [e](int j, double& c, const double*& p) {
          c = e[j].c;
          p = e[j].Po;
        },
        n);
    k += run;
    if (run == 0) {  // a scaled origin: c · prof · P · s
      const double c = e->c;
      const double* __restrict p = e->Po;
      const double* __restrict so = e->so;
      if (first)
        for (std::size_t i = 0; i < n; ++i) in[i] = 0.0 + c * prof[i] * p[i] * so[i];
      else
        for (std::size_t i = 0; i < n; ++i) in[i] += c * prof[i] * p[i] * so[i];
      ++k;
    }
    first = false;
  }
}

namespace {
// Edge `first + j` of an IndexedInEdges as edge_pass takes it: its c and its origin's age vector.
struct IndexedEdge {
  const IndexedInEdges& e;
  std::size_t first;
  [[gnu::always_inline]] void operator()(int j, double& c, const double*& p) const {
    const OdFlow& f = e.flows[e.idx[first + static_cast<std::size_t>(j)]];
    c = e.zy * f.rate_per_year;  // as the InEdge list had it
    p = e.P0 + static_cast<std::size_t>(f.origin) * e.zone_cells;
    COHORTGIS_OPAQUE(p);  // one pointer per edge in the pass, not its origin's index kept as well
  }
};
}  // namespace

namespace {
template <class V>
[[gnu::always_inline]] inline void add_in_flows_indexed_of(double* __restrict in, const double* __restrict prof,
                                                           const IndexedInEdges& edges, std::size_t n,
                                                           bool from_first) {
  if (edges.count == 0) {
    std::fill(in, in + n, 0.0);
    return;
  }
  for (std::size_t k = 0; k < edges.count;) {
    const IndexedEdge edge{edges, k};
    // Up to twelve edges in one pass (about four in ten (zone, group)s of the benchmark have 9–12 in-edges: a
    // second pass for the ninth loads the profile and loads and stores `in` once more); past twelve, passes of
    // eight until twelve or fewer are left.
    const std::size_t left = edges.count - k, run = left <= 12 ? left : 8;
    switch (run) {
      case 12:
        edge_pass<12, V>(k == 0, from_first, in, prof, edge, n);
        break;
      case 11:
        edge_pass<11, V>(k == 0, from_first, in, prof, edge, n);
        break;
      case 10:
        edge_pass<10, V>(k == 0, from_first, in, prof, edge, n);
        break;
      case 9:
        edge_pass<9, V>(k == 0, from_first, in, prof, edge, n);
        break;
      default:
        edge_pass<V>(run, k == 0, from_first, in, prof, edge, n);
    }
    k += run;
  }
}
}  // namespace

// Eight cells a vector where AVX-512 is (simd.hpp, pick_kernel), as fused_state_in_flows: on the user path the
// in-flows of the groups the fused passes do not take (more in-edges than kFusedKeepInEdges: 7 % of its time at W40k
// before; bench/HISTORY.md "Round 25: user path eight cells a vector").
#if defined(COHORTGIS_WIDE_KERNELS)
namespace {
COHORTGIS_AVX512 void add_in_flows_indexed_avx512(double* __restrict in, const double* __restrict prof,
                                                  const IndexedInEdges& edges, std::size_t n, bool from_first) {
  add_in_flows_indexed_of<Cells8>(in, prof, edges, n, from_first);
}
COHORTGIS_AVX2 void add_in_flows_indexed_avx2(double* __restrict in, const double* __restrict prof,
                                              const IndexedInEdges& edges, std::size_t n, bool from_first) {
  add_in_flows_indexed_of<Cells4>(in, prof, edges, n, from_first);
}
void add_in_flows_indexed_other(double* __restrict in, const double* __restrict prof, const IndexedInEdges& edges,
                                std::size_t n, bool from_first) {
  add_in_flows_indexed_of<Cells4>(in, prof, edges, n, from_first);
}
}  // namespace
extern "C" {
static decltype(&add_in_flows_indexed_other) cohortgis_pick_add_in_flows_indexed() {
  return pick_kernel(&add_in_flows_indexed_avx512, &add_in_flows_indexed_avx2, &add_in_flows_indexed_other);
}
}
void add_in_flows_indexed(double* in, const double* prof, const IndexedInEdges& edges, std::size_t n, bool from_first)
    __attribute__((ifunc("cohortgis_pick_add_in_flows_indexed")));
#else
void add_in_flows_indexed(double* in, const double* prof, const IndexedInEdges& edges, std::size_t n, bool from_first) {
  add_in_flows_indexed_of<Cells4>(in, prof, edges, n, from_first);
}
#endif

namespace {

// TO / TI: a transition out of / into the group (each term's presence is a template parameter, so that no load is
// conditional and the loop vectorises).
// (The pointers are parameters: GCC 12 does not vectorise the loop when it reads them from the struct.)
// KEEP: the per-cell components are stored as well (out-flows as cell_outflows computes them: od = R·prof·P,
// tr = 0 + z·r·m·P; in-flows as the B1 loops: in = 0 + z·r·m·P_from).
// The transitions' rates come as z·r (StepPlan::tr_rate_z, the first product of z·r·m·P, the same for every zone).
// K = 0: the OD in-flows read from in_od; K > 0: the sum of the K edges (c, p) made in the pass itself (in_od unused),
// and stored to od_in when KEEP.
// ZERO: the kept +0 transfers (of a transition the group does not have) are stored; false where they hold +0 already.
template <bool OD, bool TR, bool TO, bool TI, bool KEEP, int K = 0, bool ZERO = true>
[[gnu::always_inline]] inline void fused_state_body(
    const double* __restrict P, const double* __restrict prof, const double* __restrict in_od, const double (&c)[K + 1],
    const double* const (&p)[K + 1], const double* __restrict tr_rate, const double* __restrict in_rate,
    const double* __restrict in_P, double R, double tm, double im, double* __restrict M, double* __restrict od_out,
    double* __restrict tr_out, double* __restrict tr_in, std::size_t n, double* __restrict od_in = nullptr) {
  // The kept transfers of a group with no transition out of (into) it are +0 at every age: stored from a +0 that GCC
  // cannot see, so that they stay vector stores in this pass instead of a call to memset per state and sex (63
  // instructions for 101 ages, 0.25 M a year at 1,000 zones).
  double zero = 0.0;
  if constexpr (KEEP && TR && !(TO && TI) && ZERO) COHORTGIS_KEEP_SCALAR(zero);
  COHORTGIS_IVDEP
#pragma GCC unroll 2  // two vectors per loop step: less loop overhead per cell
  for (std::size_t i = 0; i < n; ++i) {
    // M as the general path computes it, (0 + (in_od − o)) + ((0 + u) − (0 + t)) (a term absent is a literal 0),
    // with fewer additions of +0, which only turn a −0 into +0: in_od is never −0 (a sum from +0), so x = in_od − o
    // is not; a sum or difference whose first operand is never −0 is never −0; and adding or subtracting a zero of
    // either sign leaves a value never −0 as it is. So M = x − t, x + u or x + (u − t); without OD 0 − t, 0 + u or
    // 0 + (u − t) (each u, t or u − t differs from the general path's only in the sign of a zero). Kept transfers
    // are stored as 0 + t and 0 + u, as before.
    double m = 0.0;
    if constexpr (OD) {
      const double q = prof[i];
      const double o = R * q * P[i];
      if constexpr (K == 0) {
        m = in_od[i] - o;
      } else {
        const double in = add_edges<K>(0.0, q, c, p, i);
        if constexpr (KEEP) od_in[i] = in;  // as add_in_flows_indexed stores them
        m = in - o;
      }
      if constexpr (KEEP) od_out[i] = o;
    }
    if constexpr (TR) {
      const double t = TO ? tr_rate[i] * tm * P[i] : 0.0;
      const double u = TI ? in_rate[i] * im * in_P[i] : 0.0;
      if constexpr (TO && TI)
        m = m + (u - t);
      else if constexpr (TO)
        m = m - t;
      else if constexpr (TI)
        m = m + u;
      if constexpr (KEEP && (TO || ZERO)) tr_out[i] = TO ? 0.0 + t : zero;
      if constexpr (KEEP && (TI || ZERO)) tr_in[i] = TI ? 0.0 + u : zero;
    }
    M[i] = m;
  }
}

// fused_state_body<true, true, TO, !TO, true, K, false> (a kept run, one transition, its other transfer +0 already)
// with GCC vectors of V (kVectorLanes<V> cells, n ≥ that), in pass_of: the same operations per cell. K = 0: the
// in-flows read from in_od (as add_in_flows_indexed stored them); K > 0: made from the K edges and stored to od_in.
// The pointers are __restrict parameters: read from the FusedState, GCC would load them again after every store.
template <class V, int K, bool TO, bool FROM_FIRST = false>
[[gnu::always_inline]] inline void kept_migrants(const double* __restrict P, const double* __restrict prof,
                                                 const double* __restrict in_od, const double (&c)[K + 1],
                                                 const double* const (&p)[K + 1], const double* __restrict rate,
                                                 const double* __restrict from, double R, double mult,
                                                 double* __restrict M, double* __restrict od_in,
                                                 double* __restrict od_out, double* __restrict tr, std::size_t n) {
  const auto cells = [&](std::size_t i) __attribute__((always_inline)) {
    V q, in, pv, r;
    load_vec(q, prof + i);
    if constexpr (K == 0) {
      load_vec(in, in_od + i);
    } else {
      add_edges_4<K, K + 1, FROM_FIRST>(in, q, c, p, i);
      store_vec(od_in + i, in);
    }
    load_vec(pv, P + i);
    const V o = R * q * pv;
    store_vec(od_out + i, o);
    V m = in - o;
    load_vec(r, rate + i);
    if constexpr (TO) {
      const V t = r * mult * pv;
      m = m - t;
      store_vec(tr + i, 0.0 + t);
    } else {
      V x;
      load_vec(x, from + i);
      const V u = r * mult * x;
      m = m + u;
      store_vec(tr + i, 0.0 + u);
    }
    store_vec(M + i, m);
  };
  pass_of<kVectorLanes<V>>(n, cells);
}

// V: the kept pass's vector where n ≥ its lanes (eight cells in COHORTGIS_AVX512 code), else four cells a vector.
template <class V, bool OD, bool TR, bool TO, bool TI>
[[gnu::always_inline]] inline void fused_state_call(const FusedState& f) {
  const double c[1] = {0.0};
  const double* const p[1] = {nullptr};
  if (f.od_out || f.transfer_out) {
    if constexpr (TR && !(TO && TI)) {
      if (f.zero_known) {
        if constexpr (OD && (TO || TI)) {
          if (f.od_out && f.n >= 4) {
            const double* const rate = TO ? f.tr_rate : f.in_rate;
            if (f.n >= kVectorLanes<V>)
              kept_migrants<V, 0, TO>(f.P, f.prof, f.in_od, c, p, rate, f.in_P, f.R, TO ? f.tr_mult : f.in_mult, f.M,
                                      nullptr, f.od_out, TO ? f.transfer_out : f.transfer_in, f.n);
            else
              kept_migrants<Cells4, 0, TO>(f.P, f.prof, f.in_od, c, p, rate, f.in_P, f.R, TO ? f.tr_mult : f.in_mult,
                                           f.M, nullptr, f.od_out, TO ? f.transfer_out : f.transfer_in, f.n);
            return;
          }
        }
        fused_state_body<OD, TR, TO, TI, true, 0, false>(f.P, f.prof, f.in_od, c, p, f.tr_rate, f.in_rate, f.in_P, f.R,
                                                         f.tr_mult, f.in_mult, f.M, f.od_out, f.transfer_out,
                                                         f.transfer_in, f.n);
        return;
      }
    }
    fused_state_body<OD, TR, TO, TI, true>(f.P, f.prof, f.in_od, c, p, f.tr_rate, f.in_rate, f.in_P, f.R, f.tr_mult,
                                           f.in_mult, f.M, f.od_out, f.transfer_out, f.transfer_in, f.n);
  } else
    fused_state_body<OD, TR, TO, TI, false>(f.P, f.prof, f.in_od, c, p, f.tr_rate, f.in_rate, f.in_P, f.R, f.tr_mult,
                                            f.in_mult, f.M, nullptr, nullptr, nullptr, f.n);
}

template <class V, bool OD, bool TR>
[[gnu::always_inline]] inline void fused_state_transitions(const FusedState& f) {
  const bool to = TR && f.tr_rate, ti = TR && f.in_rate;
  if (to && ti)
    fused_state_call<V, OD, TR, TR, TR>(f);
  else if (to)
    fused_state_call<V, OD, TR, TR, false>(f);
  else if (ti)
    fused_state_call<V, OD, TR, false, TR>(f);
  else
    fused_state_call<V, OD, TR, false, false>(f);
}

template <class V>
[[gnu::always_inline]] inline void fused_state_of(const FusedState& f) {
  if (f.has_od && f.has_tr)
    fused_state_transitions<V, true, true>(f);
  else if (f.has_od)
    fused_state_transitions<V, true, false>(f);
  else if (f.has_tr)
    fused_state_transitions<V, false, true>(f);
  else
    fused_state_transitions<V, false, false>(f);
}
}  // namespace

// Eight cells a vector where AVX-512 is (simd.hpp, pick_kernel) in the kept pass after add_in_flows_indexed (the user
// path's groups with more in-edges than kFusedKeepInEdges): ≈ 12 % less time a call in cache, the same from memory
// (bench/HISTORY.md "Round 26: the step's remaining four-wide kernels"); the other bodies are the vectoriser's loops,
// compiled for each target as target_clones compiled them.
#if defined(COHORTGIS_WIDE_KERNELS)
namespace {
COHORTGIS_AVX512 void fused_state_avx512(const FusedState& f) { fused_state_of<Cells8>(f); }
COHORTGIS_AVX2 void fused_state_avx2(const FusedState& f) { fused_state_of<Cells4>(f); }
void fused_state_other(const FusedState& f) { fused_state_of<Cells4>(f); }
}  // namespace
extern "C" {
static decltype(&fused_state_other) cohortgis_pick_fused_state() {
  return pick_kernel(&fused_state_avx512, &fused_state_avx2, &fused_state_other);
}
}
void fused_state(const FusedState& f) __attribute__((ifunc("cohortgis_pick_fused_state")));
#else
void fused_state(const FusedState& f) { fused_state_of<Cells4>(f); }
#endif

namespace {
// fused_state_body<true, TO || TI, TO, TI, false, K> of cells i … i + W − 1 (W = kVectorLanes<V>), with GCC vectors:
// the same operations per cell (the in-flows ((0 + t_1) + t_2) + …, t_j = (c_j · q) · p_j; M = in − (R · q) · P, then −
// t or + u); FROM_FIRST: the in-flows (t_1 + t_2) + … (add_edges_4).
template <class V, int K, bool TO, bool TI, bool FROM_FIRST>
[[gnu::always_inline]] inline void lean_migrants_4(std::size_t i, const double* __restrict P,
                                                   const double* __restrict prof, const double (&c)[K + 1],
                                                   const double* const (&p)[K + 1], const double* __restrict tr_rate,
                                                   const double* __restrict in_rate, const double* __restrict in_P,
                                                   double R, double tm, double im, double* __restrict M) {
  V q, pv, in;
  load_vec(q, prof + i);
  add_edges_4<K, K + 1, FROM_FIRST>(in, q, c, p, i);
  load_vec(pv, P + i);
  V m = in - R * q * pv;
  if constexpr (TO) {
    V r;
    load_vec(r, tr_rate + i);
    m = m - r * tm * pv;
  } else if constexpr (TI) {
    V r, from;
    load_vec(r, in_rate + i);
    load_vec(from, in_P + i);
    m = m + r * im * from;
  }
  store_vec(M + i, m);
}

// fused_state_body of a lean run with K in-edges summed in the same pass (fused_state_in_flows), in pass_of
// (cells computed twice store the same M: nothing the pass reads is written). n ≥ kVectorLanes<V>. The pointers are
// parameters (__restrict): read from the struct, GCC would load them again after every store of M.
template <class V, int K, bool TO, bool TI, bool FROM_FIRST>
[[gnu::always_inline]] inline void lean_migrants(const double* __restrict P, const double* __restrict prof,
                                                 const double (&c)[K + 1], const double* const (&p)[K + 1],
                                                 const double* __restrict tr_rate, const double* __restrict in_rate,
                                                 const double* __restrict in_P, double R, double tm, double im,
                                                 double* __restrict M, std::size_t n) {
  const auto cells = [&](std::size_t i) __attribute__((always_inline)) {
    lean_migrants_4<V, K, TO, TI, FROM_FIRST>(i, P, prof, c, p, tr_rate, in_rate, in_P, R, tm, im, M);
  };
  pass_of<kVectorLanes<V>>(n, cells);
}

// FROM_FIRST: lean_migrants' in-flows from the first term where n ≥ 4 (below, the scalar body's from +0: the caller
// allows either). V: the vector where n ≥ its lanes, else four cells a vector.
template <class V, int K, bool TO, bool TI, bool FROM_FIRST>
[[gnu::always_inline]] inline void fused_in_flows_body(const FusedState& f, const IndexedInEdges& edges) {
  static_assert(!(TO && TI), "one transition at most (fused_state_in_flows)");
  double c[K + 1];  // (the last entry unused)
  const double* p[K + 1];
  const IndexedEdge edge{edges, 0};
  for (int j = 0; j < K; ++j) edge(j, c[j], p[j]);
  c[K] = 0.0;
  p[K] = nullptr;
  if (f.n >= kVectorLanes<V>)
    lean_migrants<V, K, TO, TI, FROM_FIRST>(f.P, f.prof, c, p, f.tr_rate, f.in_rate, f.in_P, f.R, f.tr_mult, f.in_mult,
                                            f.M, f.n);
  else if (f.n >= 4)
    lean_migrants<Cells4, K, TO, TI, FROM_FIRST>(f.P, f.prof, c, p, f.tr_rate, f.in_rate, f.in_P, f.R, f.tr_mult,
                                                 f.in_mult, f.M, f.n);
  else
    fused_state_body<true, TO || TI, TO, TI, false, K>(f.P, f.prof, nullptr, c, p, f.tr_rate, f.in_rate, f.in_P, f.R,
                                                       f.tr_mult, f.in_mult, f.M, nullptr, nullptr, nullptr, f.n);
}

template <class V, bool TO, bool TI, bool FROM_FIRST>
[[gnu::always_inline]] inline void fused_in_flows_edges(const FusedState& f, const IndexedInEdges& edges) {
  switch (edges.count) {
    case 1:
      fused_in_flows_body<V, 1, TO, TI, FROM_FIRST>(f, edges);
      break;
    case 2:
      fused_in_flows_body<V, 2, TO, TI, FROM_FIRST>(f, edges);
      break;
    case 3:
      fused_in_flows_body<V, 3, TO, TI, FROM_FIRST>(f, edges);
      break;
    case 4:
      fused_in_flows_body<V, 4, TO, TI, FROM_FIRST>(f, edges);
      break;
    case 5:
      fused_in_flows_body<V, 5, TO, TI, FROM_FIRST>(f, edges);
      break;
    case 6:
      fused_in_flows_body<V, 6, TO, TI, FROM_FIRST>(f, edges);
      break;
    case 7:
      fused_in_flows_body<V, 7, TO, TI, FROM_FIRST>(f, edges);
      break;
    case 8:
      fused_in_flows_body<V, 8, TO, TI, FROM_FIRST>(f, edges);
      break;
    case 9:
      fused_in_flows_body<V, 9, TO, TI, FROM_FIRST>(f, edges);
      break;
    case 10:
      fused_in_flows_body<V, 10, TO, TI, FROM_FIRST>(f, edges);
      break;
    case 11:
      fused_in_flows_body<V, 11, TO, TI, FROM_FIRST>(f, edges);
      break;
    case 12:
      fused_in_flows_body<V, 12, TO, TI, FROM_FIRST>(f, edges);
      break;
    default:
      break;
  }
}
}  // namespace

namespace {
template <class V, bool FROM_FIRST>
[[gnu::always_inline]] inline void fused_in_flows_transitions(const FusedState& f, const IndexedInEdges& edges) {
  const bool to = f.has_tr && f.tr_rate, ti = f.has_tr && f.in_rate;
  if (to)
    fused_in_flows_edges<V, true, false, FROM_FIRST>(f, edges);
  else if (ti)
    fused_in_flows_edges<V, false, true, FROM_FIRST>(f, edges);
  else
    fused_in_flows_edges<V, false, false, FROM_FIRST>(f, edges);
}

template <class V>
[[gnu::always_inline]] inline void fused_state_in_flows_of(const FusedState& f, const IndexedInEdges& edges,
                                                           bool from_first) {
  if (from_first)
    fused_in_flows_transitions<V, true>(f, edges);
  else
    fused_in_flows_transitions<V, false>(f, edges);
}
}  // namespace

// Eight cells a vector where AVX-512 is (simd.hpp, pick_kernel): half the vector instructions of the in-flow sums, the
// lean step's largest loop; on a core with 512-bit units (AMD Zen 5, the benchmark's VM) ≈ 13 % less CPU time in it
// (bench/HISTORY.md "Round 25: lean kernel against the floor").
#if defined(COHORTGIS_WIDE_KERNELS)
namespace {
COHORTGIS_AVX512 void fused_state_in_flows_avx512(const FusedState& f, const IndexedInEdges& edges, bool from_first) {
  fused_state_in_flows_of<Cells8>(f, edges, from_first);
}
COHORTGIS_AVX2 void fused_state_in_flows_avx2(const FusedState& f, const IndexedInEdges& edges, bool from_first) {
  fused_state_in_flows_of<Cells4>(f, edges, from_first);
}
void fused_state_in_flows_other(const FusedState& f, const IndexedInEdges& edges, bool from_first) {
  fused_state_in_flows_of<Cells4>(f, edges, from_first);
}
}  // namespace
extern "C" {
static decltype(&fused_state_in_flows_other) cohortgis_pick_fused_state_in_flows() {
  return pick_kernel(&fused_state_in_flows_avx512, &fused_state_in_flows_avx2, &fused_state_in_flows_other);
}
}
void fused_state_in_flows(const FusedState& f, const IndexedInEdges& edges, bool from_first)
    __attribute__((ifunc("cohortgis_pick_fused_state_in_flows")));
#else
void fused_state_in_flows(const FusedState& f, const IndexedInEdges& edges, bool from_first) {
  fused_state_in_flows_of<Cells4>(f, edges, from_first);
}
#endif

namespace {
// fused_state_body of a kept run with K in-edges summed in the pass, for a group with one transition, out of it (TO)
// or into it, whose other transfer is +0 already (ZERO = false). V: the vector where n ≥ its lanes, else four cells a
// vector.
template <class V, int K, bool TO, bool FROM_FIRST>
[[gnu::always_inline]] inline void fused_keep_body(const FusedState& f, const IndexedInEdges& edges) {
  double c[K + 1];
  const double* p[K + 1];
  const IndexedEdge edge{edges, 0};
  for (int j = 0; j < K; ++j) edge(j, c[j], p[j]);
  c[K] = 0.0;
  p[K] = nullptr;
  if (f.n >= kVectorLanes<V>)
    kept_migrants<V, K, TO, FROM_FIRST>(f.P, f.prof, nullptr, c, p, TO ? f.tr_rate : f.in_rate, f.in_P, f.R,
                                        TO ? f.tr_mult : f.in_mult, f.M, f.od_in, f.od_out,
                                        TO ? f.transfer_out : f.transfer_in, f.n);
  else if (f.n >= 4)
    kept_migrants<Cells4, K, TO, FROM_FIRST>(f.P, f.prof, nullptr, c, p, TO ? f.tr_rate : f.in_rate, f.in_P, f.R,
                                             TO ? f.tr_mult : f.in_mult, f.M, f.od_in, f.od_out,
                                             TO ? f.transfer_out : f.transfer_in, f.n);
  else
    fused_state_body<true, true, TO, !TO, true, K, false>(f.P, f.prof, nullptr, c, p, f.tr_rate, f.in_rate, f.in_P, f.R,
                                                          f.tr_mult, f.in_mult, f.M, f.od_out, f.transfer_out,
                                                          f.transfer_in, f.n, f.od_in);
}
template <class V, bool TO, bool FROM_FIRST>
[[gnu::always_inline]] inline void fused_keep_edges(const FusedState& f, const IndexedInEdges& edges) {
  switch (edges.count) {
    case 1:
      fused_keep_body<V, 1, TO, FROM_FIRST>(f, edges);
      break;
    case 2:
      fused_keep_body<V, 2, TO, FROM_FIRST>(f, edges);
      break;
    case 3:
      fused_keep_body<V, 3, TO, FROM_FIRST>(f, edges);
      break;
    case 4:
      fused_keep_body<V, 4, TO, FROM_FIRST>(f, edges);
      break;
    case 5:
      fused_keep_body<V, 5, TO, FROM_FIRST>(f, edges);
      break;
    case 6:
      fused_keep_body<V, 6, TO, FROM_FIRST>(f, edges);
      break;
    case 7:
      fused_keep_body<V, 7, TO, FROM_FIRST>(f, edges);
      break;
    case 8:
      fused_keep_body<V, 8, TO, FROM_FIRST>(f, edges);
      break;
    default:
      break;
  }
}

template <class V>
[[gnu::always_inline]] inline void fused_state_keep_in_flows_of(const FusedState& f, const IndexedInEdges& edges,
                                                                bool from_first) {
  if (f.tr_rate && from_first)
    fused_keep_edges<V, true, true>(f, edges);
  else if (f.tr_rate)
    fused_keep_edges<V, true, false>(f, edges);
  else if (from_first)
    fused_keep_edges<V, false, true>(f, edges);
  else
    fused_keep_edges<V, false, false>(f, edges);
}
}  // namespace

// Eight cells a vector where AVX-512 is (simd.hpp, pick_kernel), as fused_state_in_flows: the user path's largest
// loop after the survive pass (bench/HISTORY.md "Round 25: user path eight cells a vector").
#if defined(COHORTGIS_WIDE_KERNELS)
namespace {
COHORTGIS_AVX512 void fused_state_keep_in_flows_avx512(const FusedState& f, const IndexedInEdges& edges,
                                                       bool from_first) {
  fused_state_keep_in_flows_of<Cells8>(f, edges, from_first);
}
COHORTGIS_AVX2 void fused_state_keep_in_flows_avx2(const FusedState& f, const IndexedInEdges& edges, bool from_first) {
  fused_state_keep_in_flows_of<Cells4>(f, edges, from_first);
}
void fused_state_keep_in_flows_other(const FusedState& f, const IndexedInEdges& edges, bool from_first) {
  fused_state_keep_in_flows_of<Cells4>(f, edges, from_first);
}
}  // namespace
extern "C" {
static decltype(&fused_state_keep_in_flows_other) cohortgis_pick_fused_state_keep_in_flows() {
  return pick_kernel(&fused_state_keep_in_flows_avx512, &fused_state_keep_in_flows_avx2,
                     &fused_state_keep_in_flows_other);
}
}
void fused_state_keep_in_flows(const FusedState& f, const IndexedInEdges& edges, bool from_first)
    __attribute__((ifunc("cohortgis_pick_fused_state_keep_in_flows")));
#else
void fused_state_keep_in_flows(const FusedState& f, const IndexedInEdges& edges, bool from_first) {
  fused_state_keep_in_flows_of<Cells4>(f, edges, from_first);
}
#endif

COHORTGIS_KERNEL bool any_sign_bit(const double* __restrict v, std::size_t n) {
  std::uint64_t bits = 0;
#pragma GCC unroll 2
  for (std::size_t i = 0; i < n; ++i) bits |= std::bit_cast<std::uint64_t>(v[i]);
  return (bits >> 63) != 0;
}

}  // namespace cohortgis::detail
