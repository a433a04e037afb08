// SPDX-License-Identifier: Apache-2.0
// B1 of a zone's step: its net migrants M per cell, on the fused path (in-flows, out-flows and M in one pass per
// state, the per-cell components kept from it) or the general one (every sum in a fixed order), and which groups'
// +0 transfers the fused passes may leave as they are. Split from step_runner.cpp by concern.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "cohortgis/engine/index_cast.hpp"
#include "simd.hpp"
#include "step_runner.hpp"

namespace cohortgis::detail {

// TransferTracking: which groups' +0 transfers this step's fused passes may leave as they are, then what the arrays
// hold after the step (every path stores +0 for a group without a transition out of or into it).
void StepRunner::track_transfer_zeros(bool fresh_in, bool fresh_out) {
  const std::size_t G = uz(L_.groups);
  TransferTracking& t = transfers_;
  const bool kept = plan_.keep_cells && plan_.has_tr;
  if (!kept || t.zero_in.size() != G) {
    t.zero_in.assign(G, 0);
    t.zero_out.assign(G, 0);
  }
  if (fresh_in) t.zero_in.assign(G, 1);  // just allocated: zeros
  if (fresh_out) t.zero_out.assign(G, 1);
  transfer_zeros_known_.assign(G, 0);
  if (kept && plan_.fused)
    for (std::size_t g = 0; g < G; ++g)
      transfer_zeros_known_[g] = (plan_.tr_out[g] >= 0 || t.zero_out[g]) && (plan_.tr_in[g] >= 0 || t.zero_in[g]);
  // After the step: +0 wherever the group has no transition (the multistate step writes every vector, and a step
  // adjuster may write any component).
  const bool tracked = kept && !plan_.multistate && !cfg_.step_adjuster;
  std::fill(t.zero_in.begin(), t.zero_in.end(), tracked);
  std::fill(t.zero_out.begin(), t.zero_out.end(), tracked);
  for (const GroupTransition& tr : sch_.transitions) {
    t.zero_in[uz(tr.to_group)] = 0;
    t.zero_out[uz(tr.from_group)] = 0;
  }
}

// The fused path (step_kernels.hpp, FusedState): per state and sex the OD in-flows, then one pass for the out-flows
// and B1 (and the per-cell components when kept); A3 steps 1–3 once every state of the zone is done, A and E made from
// P and M where they are read (not stored).
void StepRunner::fused_migration(int z, Scratch& sc) {
  const int G = L_.groups;
  const std::size_t nA = L_.ages();
  const double zy = L_.grid.width_years;
  const OdMigration* od = plan_.has_od ? sch_.od.get() : nullptr;
  const bool keep = plan_.keep_cells;
  const std::size_t zone_cells = uz(G) * kSexes * nA;  // offset(o, g, s) = o · zone_cells + offset(0, g, s)
  // Every array here holds the zone's (group, sex) vectors at (g · 2 + s) · nA from the zone's first: the state-sized
  // arrays, the scratch (buffers(), migrants()) and the survival ratios (survival(): a shared cache is one zone's).
  // One base pointer per array and zone, instead of an offset() and the plan's tests per state and sex.
  const std::size_t z0 = uz(z) * zone_cells;
  const double* const Pz = P_.data().data() + z0;
  double* const Mz = keep ? c_.net_migrants.data().data() + z0 : sc.M.data();
  double* const in_z =
      keep && od ? c_.od_in.data().data() + z0 : nullptr;  // kept: in-flows straight into the component
  double* const od_out_z = keep && od ? c_.od_out.data().data() + z0 : nullptr;
  const bool keep_tr = keep && plan_.has_tr;
  double* const tr_out_z = keep_tr ? c_.transfer_out.data().data() + z0 : nullptr;
  double* const tr_in_z = keep_tr ? c_.transfer_in.data().data() + z0 : nullptr;
  FusedState f{};
  f.has_od = od != nullptr;
  f.has_tr = plan_.has_tr;
  f.n = 2 * nA;  // both sexes of a group (below)
  for (int g = 0; g < G; ++g) {
    std::size_t n_edges = 0;
    double R = 0.0;                 // as cell_outflows: the edges' rates in edge order
    std::span<const int> in_group;  // the OD index's in-flows of the group (no test of each of the zone's in-flows)
    if (od) {
      R = out_rate_sum(*od, z, g);
      in_group = od->in_flows_of_group(z, g);
      // With a conserve block somewhere, the group's in-edges as a list (an origin's factors on its edge) once for
      // sex 0; sex 1's are the same edges one age vector further on (offset(o, g, 1) = offset(o, g, 0) + ages, and
      // so in a conserve block). Without one, add_in_flows_indexed reads the index itself.
      if (any_scaled_) {
        if (sc.edges.size() < in_group.size()) sc.edges.resize(in_group.size());
        InEdge* e = sc.edges.data();
        const OdFlow* flows = od->flows().data();
        const double* Pg = P_.data().data() + L_.offset(0, g, 0);
        for (const int k : in_group) {
          const OdFlow& fl = flows[k];
          *e++ = {zy * fl.rate_per_year, Pg + uz(fl.origin) * zone_cells, scale_of(fl.origin, g, 0)};
        }
        n_edges = uz(e - sc.edges.data());
      }
    }
    // The group's transitions out of and into it (the same for both sexes).
    const double* tr_rate = nullptr;
    const double* in_rate = nullptr;
    const double* in_P = nullptr;
    double tr_mult = 1.0, in_mult = 1.0;
    if (const int k = plan_.tr_out[uz(g)]; k >= 0) {
      const auto& t = sch_.transitions[uz(k)];
      tr_rate = plan_.tr_rate_z[uz(k)].data();
      tr_mult = t.zone_multiplier.empty() ? 1.0 : t.zone_multiplier[uz(z)];
    }
    if (const int k = plan_.tr_in[uz(g)]; k >= 0) {
      const auto& t = sch_.transitions[uz(k)];
      in_rate = plan_.tr_rate_z[uz(k)].data();
      in_mult = t.zone_multiplier.empty() ? 1.0 : t.zone_multiplier[uz(z)];
      in_P = Pz + uz(t.from_group) * kSexes * nA;
    }
    f.tr_mult = tr_mult;
    f.in_mult = in_mult;
    f.tr_rate = tr_rate;
    f.in_rate = in_rate;
    f.in_P = in_P;
    // Both sexes of the group in one vector of 2 · nA: every array here holds sex 1's ages right after sex 0's (the
    // state-sized arrays and the scratch at (g · 2 + s) · nA, the transitions' rates [sex][age], the profile
    // [group][sex][age] or 2 · nA ones, every origin's population), and R and the multipliers are the group's. So one
    // in-flow pass and one fused pass per group (each edge's c and origin pointer computed once, one loop set-up and
    // one tail instead of two); each cell gets the same operations as in a pass per sex.
    const std::size_t o = uz(g) * kSexes * nA;
    f.P = Pz + o;
    if (od) {
      f.prof = sc.profile_row(*od, g, 0);
      f.R = R;
      double* const in = in_z ? in_z + o : sc.in_od.data();
      const IndexedInEdges indexed{
          od->flows().data(), in_group.data(), in_group.size(), P_.data().data() + L_.offset(0, g, 0), zone_cells, zy};
      f.M = Mz + o;
      // Lean (no per-cell component kept): the in-flows are scratch, so made in the fused pass itself (no store and
      // load of them, one loop); f.od_out and the kept transfers are null here. Summed from the first in-flow (no
      // 0 +) where the step's start population holds no −0 (fused_state_in_flows: the same results).
      if (!keep && !any_scaled_ && !(tr_rate && in_rate) && indexed.count >= 1 && indexed.count <= kFusedInEdges) {
        fused_state_in_flows(f, indexed, start_no_minus_zero_);
        continue;
      }
      // Kept, one transition and the other transfer +0 already (TransferTracking): the same one pass, with the kept
      // in-flows, out-flows and transfer stored from it.
      if (in_z && !any_scaled_ && (tr_rate != nullptr) != (in_rate != nullptr) && transfer_zeros_known_[uz(g)] &&
          indexed.count >= 1 && indexed.count <= kFusedKeepInEdges) {
        f.od_in = in;
        f.od_out = od_out_z + o;
        f.transfer_out = tr_out_z + o;
        f.transfer_in = tr_in_z + o;
        fused_state_keep_in_flows(f, indexed, in_flows_from_first_);
        continue;
      }
      if (any_scaled_) {
        // add_in_flows per sex (an edge's scale factors are per sex).
        const std::span<InEdge> edges(sc.edges.data(), n_edges);
        add_in_flows(in, f.prof, edges, nA);
        for (InEdge& e : edges) {
          e.Po += nA;
          if (e.so) e.so += nA;
        }
        add_in_flows(in + nA, sc.profile_row(*od, g, 1), edges, nA);
      } else {
        add_in_flows_indexed(in, f.prof, indexed, 2 * nA, in_flows_from_first_);
      }
      f.in_od = in;
      f.od_out = od_out_z ? od_out_z + o : nullptr;
    }
    f.transfer_out = tr_out_z ? tr_out_z + o : nullptr;
    f.transfer_in = tr_in_z ? tr_in_z + o : nullptr;
    f.zero_known = transfer_zeros_known_[uz(g)];  // (TransferTracking)
    f.M = Mz + o;
    fused_state(f);
  }
  // A3 steps 1–3 (A and E made from P and M) with step 7 of ages 1 … w (the end population of those ages does not
  // depend on births), and with StepPlan::births_in_pass the women's B by age of step 4 (births_of_groups sums them),
  // in one pass; step_zone closes age 0 (close_step_age0). Pointers as buffers() and survival() give them.
  const std::size_t w = nA - 1;
  const double* const Sz = survival(z, 0, 0).data();
  double* const Dz = keep ? c_.deaths.data().data() + z0 : sc.D.data();
  double* const end_z = next_.data().data() + z0;
  if (plan_.births_in_pass) {  // the women's births by age in the same pass (births_of_groups sums them)
    const std::size_t st0 = uz(z) * uz(G) * nA;  // the zone's first state's ages in the [state][age] arrays
    ZoneBirths& births = sc.zone_births;         // B into the scratch (resize_for_zone), ranges, bits
    births.z = zy;
    births.F = asfr_of(uz(z) * uz(G));  // the zone's groups' rates, adjacent
    // Q is read after the pass only for states with a floored cell (close_state), unless the floor adjustments are
    // kept dense (close_step_age0 then reads every state's).
    births.q_every_state = keep && !floors_sparse_;
    if (plan_.births_by_age_kept) {  // into the components, with their exposure
      births.B = c_.births_by_mother_age.data() + st0;
      births.exposure = c_.women_exposure.data() + st0;
    }
    // The next zone's arrays, prefetched by the pass (a thread steps the zones of its chunk in ascending order); the
    // last zone has none (its own: nothing fetched). Lean runs only: with births by age kept (cell components or
    // indicators) a zone's step writes a dozen vectors more and its indicators read them back, and the next zone's
    // 11 kB made that path slower, not faster (bench/HISTORY.md "Round 28: lean kernel").
    const bool next = z + 1 < L_.zones && !plan_.births_by_age_kept;
    births.next_S = next ? survival(z + 1, 0, 0).data() : Sz;
    births.next_P = next ? Pz + zone_cells : Pz;
    births.next_F = next ? asfr_of(uz(z + 1) * uz(G)) : births.F;  // the one copy where asfr is given once
    births.next_P_end = next ? end_z + zone_cells : end_z;
    survive_births_and_close_states(w, uz(G) * kSexes, Sz, Pz, Mz, Dz, sc.Q.data(), end_z, sc.floored_above.data(),
                                    births);
  } else {
    survive_and_close_states(w, uz(G) * kSexes, Sz, Pz, Mz, Dz, sc.Q.data(), end_z, sc.floored_above.data());
  }
}

// The general path of B1: net migrants M per cell from the own out-flows (phase 1 values, recomputed) and the
// in-flows per edge over the age vector, every sum in a fixed order (edges by origin).
void StepRunner::general_migration(int z, Scratch& sc) {
  const int A = L_.grid.n_ages, G = L_.groups;
  const std::size_t nA = uz(A);
  const double zy = L_.grid.width_years;
  const OdMigration* od = plan_.has_od ? sch_.od.get() : nullptr;
  const bool keep = plan_.keep_cells;
  // Net migrants M per cell (B1): own out-flows recomputed (phase 1 values), in-flows per edge over the age vector,
  // every sum in a fixed order (edges by origin).
  {
    for (int g = 0; g < G; ++g) {
      const double share = total_share(z, g);
      for (int s = 0; s < 2; ++s) {
        cell_outflows(z, g, s, share, sc, false, !zone_scale_[uz(z)].empty());
        double* __restrict in_od = sc.in_od.data();
        double* __restrict in_tr = sc.in_tr.data();
        std::fill(in_tr, in_tr + nA, 0.0);
        if (!od) std::fill(in_od, in_od + nA, 0.0);
        if (od) {
          const double* prof = sc.profile_row(*od, g, s);
          sc.edges.clear();
          for (const int k : od->in_flows_of_group(z, g)) {  // the in-flows that carry the group, in order
            const OdFlow& f = od->flows()[uz(k)];
            sc.edges.push_back(
                {zy * f.rate_per_year, P_.data().data() + L_.offset(f.origin, g, s), scale_of(f.origin, g, s)});
          }
          add_in_flows(in_od, prof, sc.edges, nA);
        }
        for (const auto& t : sch_.transitions)
          if (t.to_group == g) {
            const double m = t.zone_multiplier.empty() ? 1.0 : t.zone_multiplier[uz(z)];
            const double* r = t.rate_per_year.data() + uz(s) * nA;
            const double* Po = P_.data().data() + L_.offset(z, t.from_group, s);
            if (const double* so = scale_of(z, t.from_group, s))
              for (std::size_t i = 0; i < nA; ++i) in_tr[i] += zy * r[i] * m * Po[i] * so[i];
            else
              for (std::size_t i = 0; i < nA; ++i) in_tr[i] += zy * r[i] * m * Po[i];
          }
        const std::size_t c0 = L_.offset(z, g, s);
        const double* xin = sch_.external_in.empty() ? nullptr : sch_.external_in.data() + c0;
        // The terms of B1 in their order, m = 0 (+ in_od − od) (+ x_in) (− x_out) (+ net) (+ in_tr − tr): one loop
        // per term present, the same operations per cell as one loop with branches, but every loop vectorises.
        double* __restrict M = migrants(z, g, s, sc).data();
        const double* __restrict o_od = sc.od.data();
        const double* __restrict o_ext = sc.ext.data();
        const double* __restrict o_net = sc.net.data();
        const double* __restrict o_tr = sc.tr.data();
        for (std::size_t i = 0; i < nA; ++i) M[i] = 0.0;
        if (plan_.has_od)
          for (std::size_t i = 0; i < nA; ++i) M[i] += in_od[i] - o_od[i];
        if (plan_.has_ext_in) {
          if (xin)
            for (std::size_t i = 0; i < nA; ++i) M[i] += xin[i];
          else
            for (std::size_t i = 0; i < nA; ++i) M[i] += 0.0;
        }
        if (plan_.has_ext_out)
          for (std::size_t i = 0; i < nA; ++i) M[i] -= o_ext[i];
        if (plan_.has_net)
          for (std::size_t i = 0; i < nA; ++i) M[i] += o_net[i];
        if (plan_.has_tr)
          for (std::size_t i = 0; i < nA; ++i) M[i] += in_tr[i] - o_tr[i];
        if (keep) {
          auto put = [&](CohortArray& a, const double* v) {
            if (!a.empty()) std::copy(v, v + nA, a.ages(z, g, s).begin());
          };
          put(c_.od_in, in_od);
          put(c_.transfer_in, in_tr);
          put(c_.od_out, sc.od.data());
          put(c_.transfer_out, sc.tr.data());
          put(c_.external_out, sc.ext.data());
          put(c_.net_given, sc.net.data());
          if (!c_.external_in.empty()) {
            auto x = c_.external_in.ages(z, g, s);
            for (std::size_t i = 0; i < nA; ++i) x[i] = xin ? xin[i] : 0.0;
          }
        }
        if (!pairs_by_destination_.empty())
          scaled_pair_arrivals(c0, M, keep ? part(c_.external_in, z, g, s) : std::span<double>());
        if (cfg_.flow_policy == FlowPolicy::wpp) {
          const double* P = P_.data().data() + c0;
          for (int i = 0; i < A; ++i) {
            const double before = M[uz(i)];
            if (P[i] + before <= 0.0) {
              M[uz(i)] = kMigrationResidualPersons - P[i];
              if (!c_.migration_override.empty()) c_.migration_override.at(z, g, s, i) = M[uz(i)] - before;
              zone_lists_add();
              overridden_[uz(z)].push_back({z, g, s, i, M[uz(i)] - before});
            }
          }
        }
      }
    }
  }
}

}  // namespace cohortgis::detail
