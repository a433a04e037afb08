// SPDX-License-Identifier: Apache-2.0
// The vector kernels of the projection step (private to engine/src): OD in-flows, the fused per-state pass, sums over
// age. Element-wise loops compiled for AVX-512, AVX2 and baseline x86-64 (simd.hpp): every width, and the general
// path of step_runner.cpp, give the same bits, since each cell sees the same IEEE operations in the same order.
#pragma once

#include <cstddef>
#include <span>

#include "cohortgis/engine/projection.hpp"

namespace cohortgis::detail {

// One OD in-edge of a (group, sex) as the destination adds it: c · profile · P_origin (· scale of the origin's cell).
struct InEdge {
  double c;          // z · rate per year
  const double* Po;  // origin population by age
  const double* so;  // origin's conserve factors by age, or null (no cell scaled: factor 1, x · 1 = x exactly)
};

// in[i] = Σ_k c_k · prof[i] · P_k[i] (· s_k[i]) over the edges in their order, from +0 (B1); +0 with no edges. So
// in[i] is never −0, which fused_state's fewer additions of +0 rely on.
void add_in_flows(double* in, const double* prof, std::span<const InEdge> edges, std::size_t n);

// The in-edges of a (zone, group) read straight from the OD index, for a step in which no origin's cell is scaled:
// edge k (k < count) is flows[idx[k]], with c = z · rate per year and the origin's age vector of the (group, sex) at
// P0 + origin · zone_cells (P0: zone 0's).
struct IndexedInEdges {
  const OdFlow* flows;  // OdMigration::flows()
  const int* idx;       // OdMigration::in_flows_of_group
  std::size_t count;
  const double* P0;
  std::size_t zone_cells;
  double zy;
};
// add_in_flows over those edges: the same products and additions in the same order, without a list of InEdge to
// build per (zone, group), shift for the second sex and scan for scaled origins. from_first: the sums may start from
// the first term, (t_1 + t_2) + …, one addition a vector less: the same bits wherever t_1 is not −0, which the caller
// knows (StepRunner: no −0 among the populations, the OD rates and the profile, so every term is +0 or more).
void add_in_flows_indexed(double* in, const double* prof, const IndexedInEdges& edges, std::size_t n, bool from_first);

// One state and sex on the fused path: OD and at most one group transition in and out, `even` timing, no cell of
// the zone scaled. One pass computes the out-flows and the net migrants M of B1; A3 step 1 (E = M/2, A = P + E) is
// not stored but made from P and M where it is read (survive_and_close_states, the births, close_age0), once every
// state of the zone has had this pass: two stores a vector less here (and two address streams less in the loop)
// against a multiplication and an addition a vector more where they are read. The same operations per cell, in the
// same order, as the general path (cell_outflows, the B1 loops, survive_cohorts): the results are the same bits.
struct FusedState {
  const double* P;      // start population
  const double* prof;   // OD profile (has_od)
  double R = 0.0;       // z · Σ out-edge rates (has_od)
  const double* in_od;  // OD in-flows (has_od)
  bool has_od = false, has_tr = false;
  // Transition out of the group: z · rate by age (StepPlan::tr_rate_z), or null.
  const double* tr_rate = nullptr;
  double tr_mult = 1.0;
  const double* in_rate = nullptr;  // transition into the group: z · rate by age, or null
  double in_mult = 1.0;
  const double* in_P = nullptr;  // population of the group it comes from
  double* M;
  // Per-cell components, written in the same pass when the run keeps them (ProjectionConfig::cell_components), else
  // null: OD out-flows (has_od), transfers out of and into the group (has_tr; 0 where there is no such transition).
  double* od_out = nullptr;
  double* transfer_out = nullptr;
  double* transfer_in = nullptr;
  // The kept transfers this group has no transition for (out of it, into it, or both) hold +0 already (the runner's
  // TransferTracking): they are not stored again.
  bool zero_known = false;
  double* od_in = nullptr;  // the kept OD in-flows, where fused_state_keep_in_flows stores them
  std::size_t n;
};
void fused_state(const FusedState& f);

// add_in_flows_indexed and fused_state in one pass, for a run that keeps no per-cell components (the in-flows are
// scratch): each cell's in-flow is the same sum ((0 + t_1) + t_2) + … of add_in_flows_indexed, taken from a register
// instead of stored to f.in_od and loaded again (f.in_od is not read or written). For f.has_od with 1 …
// kFusedInEdges edges, at most one transition (out of or into the group) and no kept component (f.od_out,
// f.transfer_out null). Twelve edges, as add_in_flows_indexed's longest pass: the loop's streams are P, the profile,
// M, the origins and the transition's (A and E are not stored), so with twelve origins only a few pointers are
// reloaded from the stack, fewer instructions than the in-flows' store and load and a second loop.
// from_first: the in-flows may be summed (t_1 + t_2) + … instead, one addition a vector less. That sum differs only
// where every term is −0 (−0, not +0), so M only in the sign of a zero where the OD out-flow is +0; the caller passes
// true only where no result then changes: StepRunner, when the step's start population holds no −0 (a population
// P ≠ −0 absorbs a zero of either sign in A = P + M/2, and A − D ≠ −0 one in Q = A − D + M/2; bench/HISTORY.md
// "Round 22: the lean kernel, tenth part").
inline constexpr std::size_t kFusedInEdges = 12;
void fused_state_in_flows(const FusedState& f, const IndexedInEdges& edges, bool from_first);

// The same for a run that keeps the per-cell components (the user path), where the group's +0 transfer need not be
// stored (f.zero_known): the in-flows stored from the register (to f.od_in), the out-flows, the transition's transfer
// and M, the same bits as add_in_flows_indexed then fused_state. For f.has_od with 1 … kFusedKeepInEdges edges and
// exactly one transition (out of or into the group). Eight edges: the loop's streams are P, the profile, the
// transition's rates (and the population it comes from), M, the in-flows, out-flows and transfer, and the origins;
// with more origins their pointers are reloaded from the stack more often than the second pass costs (bench/HISTORY.md
// "Round 20: the user path's in-flow passes"). Its own function: the larger passes of fused_state_in_flows spill
// vectors to a realigned stack, which takes a register from every loop of the function.
// from_first as add_in_flows_indexed's (the same bits where the caller passes true).
inline constexpr std::size_t kFusedKeepInEdges = 8;
void fused_state_keep_in_flows(const FusedState& f, const IndexedInEdges& edges, bool from_first);

// Whether some value of v[0 … n − 1] has its sign bit set (for values validated ≥ 0: whether one is −0): the OR of
// their bits, so it vectorises (the base population's check, Projection::no_minus_zero_).
bool any_sign_bit(const double* v, std::size_t n);

// sum[k] = v[k · n] + v[k · n + 1] + … in age order, for the `states` consecutive vectors of n ages in D (into
// D_sum) and, unless M is null, in M (into M_sum). Eight sums at a time share one loop (four states of D and M, or
// eight of D) so that their independent chains of additions overlap; each sum is the same left-to-right sum as a loop
// of its own, bit for bit.
void sum_ages_states(const double* D, double* D_sum, const double* M, double* M_sum, std::size_t states, std::size_t n);

}  // namespace cohortgis::detail
