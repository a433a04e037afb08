// SPDX-License-Identifier: Apache-2.0
// The step runner's births of a zone's groups (A3 step 4) and the close of a state that step_zone's quick close of
// age 0 does not do (A3 steps 5–7: floored cells).
#include <algorithm>

#include "simd.hpp"
#include "step_runner.hpp"

namespace cohortgis::detail {

// A3 step 4 for `count` (1 or 2) groups of the zone from g on: births by age of the mother from the women's buffers A
// and Q, then by sex. The long-double sums of two groups run interleaved (each its own chain in age order). On the
// fused path, which stores no A, A = P + M/2 is made in the births' pass from the start population and M; or, where
// fused_migration made B by age, its ranges and the rates' bits in the survive pass (StepPlan::births_in_pass:
// survive_births_and_close_states), they are only summed here.
void StepRunner::births_of_groups(int z, int g, int count, Scratch& sc, bool fused) {
  const std::size_t nA = L_.ages();
  BirthsRange range[2];
  std::uint64_t bits[2] = {0, 0};
  const double* Bk[2];
  if (fused && plan_.births_in_pass) {
    Bk[0] = plan_.births_by_age_kept ? c_.births_by_mother_age.data() + (uz(z) * uz(L_.groups) + uz(g)) * nA
                                     : sc.women_births.data() + uz(g) * nA;
    Bk[1] = Bk[0] + nA;
    for (int k = 0; k < count; ++k) {
      range[k] = sc.births_range[uz(g + k)];
      bits[k] = sc.births_bits[uz(g + k)];
    }
  } else {
    const bool kept = !c_.births_by_mother_age.empty();
    const std::size_t z0 = uz(z) * uz(L_.groups) * kSexes * nA;
    // The women's A (or P and M) and Q as buffers() gives them; B and the exposure into the components when kept.
    const double* const Az = fused ? P_.data().data() + z0 : sc.A.data();
    const double* const Mz = !fused ? nullptr : plan_.keep_cells ? c_.net_migrants.data().data() + z0 : sc.M.data();
    const auto state_of = [&](int k) {
      const std::size_t st = uz(z) * uz(L_.groups) + uz(g + k), o = uz(g + k) * kSexes * nA;  // women: sex 0
      return BirthsOfState{nA - 1,
                           static_cast<double>(L_.grid.width_years),
                           asfr_of(st),
                           Az + o,
                           sc.Q.data() + o,
                           kept ? c_.births_by_mother_age.data() + st * nA : sc.births_by_age.data() + uz(k) * nA,
                           kept ? c_.women_exposure.data() + st * nA : nullptr,
                           Mz ? Mz + o : nullptr};
    };
    // Both groups' kernels in one call (a single group: the second entry is unused).
    const BirthsOfState states[2] = {state_of(0), state_of(count == 2 ? 1 : 0)};
    Bk[0] = states[0].B;
    Bk[1] = states[1].B;
    births_by_age_bits_states(states, uz(count), range, bits);
  }
  // The step's check of the rates (validate_zones): a bit test here, exact when it fires; the lower group first.
  if (asfr_in_births_)
    for (int k = 0; k < count; ++k)
      if (bits[k] >> 62) check_asfr(z, g + k);
  const auto births = count == 2 ? sum_births(Bk[0], range[0], Bk[1], range[1])
                                 : std::pair<double, double>{sum_births(Bk[0], range[0]), 0.0};
  for (int k = 0; k < count; ++k) {
    const auto [bf, bm] = births_by_sex_inline(k == 0 ? births.first : births.second, srb_of(z));
    sc.B[uz(g + k) * 2 + 0] = bf;
    sc.B[uz(g + k) * 2 + 1] = bm;
  }
}

// step_zone's steps 5–7 of state k = g · 2 + s of zone z where the quick close does not do: close_step (or, on the
// fused path, close_step_age0), the floored cells listed (and checked under the flow policy 'error') and their
// adjustments. Out of line: rare, and its locals would crowd the quick loop's registers.
void StepRunner::close_state(int z, std::size_t k, bool fused, Scratch& sc) {
  const int A = L_.grid.n_ages, G = L_.groups;
  const std::size_t nA = uz(A), o = k * nA, ss = uz(z) * uz(G) * kSexes + k;
  const int g = static_cast<int>(k / kSexes), s = static_cast<int>(k % kSexes);
  const bool keep = plan_.keep_cells;
  const std::size_t z0 = uz(z) * uz(G) * kSexes * nA;
  const double* const Sz = survival(z, 0, 0).data();
  double* const Dz = keep ? c_.deaths.data().data() + z0 : sc.D.data();
  double* const Mz = !plan_.any_migration ? nullptr : keep ? c_.net_migrants.data().data() + z0 : sc.M.data();
  double* const end_z = next_.data().data() + z0;
  const double Bs = sc.B[k];
  const SexStepBuffers buf{{sc.A.data() + o, nA}, {sc.E.data() + o, nA}, {Dz + o, nA}, {sc.Q.data() + o, nA}};
  const std::span<const double> S(Sz + o, nA);
  const std::span<double> end(end_z + o, nA);
  // The per-cell floor adjustments are kept only with cell components; the floored cells are listed always.
  std::span<double> adj = part(c_.floor_adjustment, z, g, s);
  const std::span<double> kept_adj = floors_sparse_ ? std::span<double>() : adj;
  // Whether a cell of the state is floored, and the first such age: on the fused path without dense adjustments
  // close_step_age0 without its count of the floored cells (the scan below lists them), else close_step's count.
  // The scan stops at age 0 where survive_and_close_states floored none of ages 1 … w (floored_above).
  std::size_t first = 0, scan_end = nA;
  bool any = false;
  if (fused && kept_adj.empty()) {
    const bool q0_kept = close_age0(Bs, S.data(), Mz[o], buf.D.data(), buf.Q.data(), end.data());
    scan_end = sc.floored_above[k] ? nA : 1;
    first = first_floored(buf.Q.data(), q0_kept ? 1 : 0, scan_end);
    any = first < scan_end;
  } else {
    any = (fused ? close_step_age0(Bs, S.data(), Mz[o], buf, end.data(), sc.floored_above[k], kept_adj)
                 : close_step(L_.grid, Bs, S, Mz ? std::span<const double>(Mz + o, nA) : std::span<const double>(),
                              plan_.timing, buf, end, kept_adj)) > 0;
    first = any ? first_floored(buf.Q.data(), 0, nA) : nA;
  }
  if (floors_sparse_) {
    // close_step's adjustments, written only where they are not all zero (+0.0 each, as the array holds).
    unsigned char& last = floors_.floored_last[ss];
    // The last step's cleared here, the floored cells' written from the list the scan below makes (a pass over
    // every age of a floored state cost 0.19 M instructions a year at 1,000 zones).
    if (last) std::fill(adj.begin(), adj.end(), 0.0);
    last = any ? 1 : 0;
  } else if (keep) {
    floors_.floored_last[ss] = any ? 1 : 0;
  }
  if (any) {
    // The floored cells (A3 step 7: Q ≥ 0 false, as close_step counts them) in age order: adjustment kFloorPersons − Q.
    for (std::size_t i = first; i < scan_end; i = first_floored(buf.Q.data(), i + 1, scan_end)) {
      const int age = static_cast<int>(i);
      if (cfg_.flow_policy == FlowPolicy::error)
        throw ProjectionError(where(z, g, s, age) + ": the population would fall to " + fmt(buf.Q[i]) +
                              " persons (flow policy 'error')");
      const AdjustedCell cell{z, g, s, age, kFloorPersons - buf.Q[i]};
      sc.floored.push_back(cell);  // listed at the end of the zone's step (step_zone): a lock a zone, not a cell
      if (floors_sparse_) adj[i] = cell.persons;  // the floored cells' adjustments (the rest are +0)
    }
  }
}

}  // namespace cohortgis::detail
