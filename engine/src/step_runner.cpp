// SPDX-License-Identifier: Apache-2.0
// The step runner: the plan of a step, the zones' pass (net migrants, then the Part A step of every state) and
// the step over all zones. The zone's net migrants (fused and general paths) are in step_migration.cpp; checks,
// out-flows and survival ratios in step_flows.cpp; the births of a zone's groups and the slow close of a state in
// step_close.cpp.
#include "step_runner.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <mutex>
#include <type_traits>

#include "large_arrays.hpp"
#include "simd.hpp"

namespace cohortgis::detail {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void ensure(CohortArray& a, const CohortLayout& layout, bool wanted, double fill = 0.0) {
  if (!wanted) {
    a = CohortArray();
    return;
  }
  if (a.layout() == layout && a.data().size() == layout.cells())
    std::fill(a.storage().begin(), a.storage().end(), fill);
  else
    a = CohortArray(layout, fill);
}

void ensure(std::vector<double>& v, std::size_t n, double fill = 0.0) { v.assign(n, fill); }

// Sizes arrays every cell of which the step writes: allocated (zeroed) once, never cleared again. The first step
// allocates several state-sized arrays: one task each, so that their zeroing and first-touch page faults (the larger
// part of that step's extra work) spread over the threads instead of running on one; each task's array is faulted in
// by the threads that are free (ParallelFirstTouch in the task: a task may run on a thread without the run's flag).
// Returns, per array, whether it was (re)allocated, i.e. is all zeros now.
template <std::size_t N>
std::array<bool, N> ensure_sized(const std::array<std::pair<CohortArray*, bool>, N>& arrays,
                                 const CohortLayout& layout) {
  std::array<bool, N> fresh{};
  std::array<int, N> todo{};
  int n = 0;
  for (std::size_t k = 0; k < N; ++k) {
    CohortArray& a = *arrays[k].first;
    if (!arrays[k].second)
      a = CohortArray();
    else if (!(a.layout() == layout && a.data().size() == layout.cells()))
      todo[uz(n++)] = static_cast<int>(k), fresh[k] = true;
  }
  parallel_blocks(n, 1, [&](int first, int last) {
    const ParallelFirstTouch first_touch;
    for (int j = first; j < last; ++j) *arrays[uz(todo[uz(j)])].first = CohortArray(layout);
  });
  return fresh;
}

}  // namespace

StepPlan plan_step(const ProjectionConfig& cfg, const CohortLayout& L, const StepSchedules& sch,
                   const MortalityCache& cache) {
  StepPlan plan;
  const bool death_rates = sch.mortality_kind == MortalityInput::death_rates;
  plan.phi_wanted = cfg.cell_components && L.grid.width_years == 1 && death_rates;
  // Reuse last step's survival ratios only when the provider says mortality did not change and the cache holds
  // everything this step needs (same layout, φ when age-period deaths are kept).
  const bool given_S = sch.mortality_kind == MortalityInput::survival_ratios;
  const std::size_t cached_cells = cache.shared ? uz(L.groups) * kSexes * L.ages() : L.cells();
  plan.reuse_mortality = (sch.mortality_unchanged || cache.same_as_last) && cache.valid &&
                         cache.kind == sch.mortality_kind && (given_S || cache.S.size() == cached_cells) &&
                         (!plan.phi_wanted || cache.phi.size() == cached_cells) &&
                         (!cache.shared || cfg.method != ProjectionMethod::multistate);
  // In place: single-year death rates (one row per age, so each row is overwritten by its own survival ratios) in a
  // lean run without indicators (nothing else reads mx after the step).
  plan.multistate = cfg.method == ProjectionMethod::multistate;
  // The multistate step reads the mx rows themselves (M(x)), so they are never overwritten.
  plan.in_place = cfg.mortality_in_place && !plan.multistate && death_rates && !plan.reuse_mortality &&
                  L.grid.width_years == 1 && !cfg.cell_components && !cfg.indicators &&
                  sch.mortality.size() == L.cells();
  plan.S_in_schedule = given_S || plan.in_place;

  plan.has_od = sch.od && !sch.od->empty();
  plan.has_ext_in = !sch.external_in.empty();
  plan.has_ext_out = !sch.external_out.empty() || !sch.external_out_rate.empty();
  plan.has_net = !sch.net_migrants.empty() || !sch.net_migrants_per_person.empty() || !sch.net_migrants_total.empty();
  plan.has_tr = !sch.transitions.empty();
  // `wpp` overrides M = 0 too (A2: a cell of 0 with no migrants gets M = 0.00001, as ccmppWPP's zero-migration
  // variant does), so a wpp run without any migration input still takes the migration path.
  plan.any_migration = plan.has_od || plan.has_ext_in || plan.has_ext_out || plan.has_net || plan.has_tr ||
                       (cfg.flow_policy == FlowPolicy::wpp && !plan.multistate);
  plan.keep_cells = cfg.cell_components;
  // Births by age of mother and their exposure: state-sized arrays, kept with cell components or indicators.
  plan.births_by_age_kept = plan.keep_cells || cfg.indicators;
  plan.timing = sch.migration_timing.value_or(cfg.migration_timing);
  plan.fused = !plan.multistate && plan.any_migration && plan.timing == MigrationTiming::even && !plan.has_ext_in &&
               !plan.has_ext_out && !plan.has_net && cfg.flow_policy != FlowPolicy::wpp;
  plan.births_in_pass = plan.fused && births_in_pass(uz(L.grid.open_index()));
  plan.tr_out.assign(uz(L.groups), -1);
  plan.tr_in.assign(uz(L.groups), -1);
  for (std::size_t k = 0; k < sch.transitions.size() && plan.fused; ++k) {
    int& o = plan.tr_out[uz(sch.transitions[k].from_group)];
    int& i = plan.tr_in[uz(sch.transitions[k].to_group)];
    if (o >= 0 || i >= 0) plan.fused = false;  // two transitions out of or into one group: the general path
    o = i = static_cast<int>(k);
  }
  if (plan.fused) {
    const double zy = L.grid.width_years;
    plan.tr_rate_z.resize(sch.transitions.size());
    for (std::size_t k = 0; k < sch.transitions.size(); ++k) {
      const std::vector<double>& r = sch.transitions[k].rate_per_year;
      plan.tr_rate_z[k].resize(r.size());
      for (std::size_t i = 0; i < r.size(); ++i) plan.tr_rate_z[k][i] = zy * r[i];
    }
  }
  // Phase 1 is needed only where out-flows may exceed a cell; `wpp` never scales. With rate-only out-flows a
  // zone's rate bound decides without reading its population.
  plan.rate_bound_only = sch.external_out.empty() && sch.external_out_rate.empty() && sch.net_migrants.empty() &&
                         sch.net_migrants_per_person.empty() && sch.net_migrants_total.empty();
  if (plan.rate_bound_only) {
    plan.profile_max.assign(uz(L.groups), 1.0);
    if (plan.has_od)
      for (int g = 0; g < L.groups; ++g)
        for (int s = 0; s < 2; ++s)
          for (double p : sch.od->profile_row(g, s)) plan.profile_max[uz(g)] = std::max(plan.profile_max[uz(g)], p);
    plan.transition_max.clear();
    for (const auto& t : sch.transitions)
      plan.transition_max.push_back(*std::max_element(t.rate_per_year.begin(), t.rate_per_year.end()));
  }
  return plan;
}

// The component arrays of the step, sized for what the plan keeps.
void StepRunner::prepare_components() {
  const std::size_t states = L_.states(), A = L_.ages();
  const bool keep = plan_.keep_cells;
  // Births by age of mother and their exposure: every cell is written by the step (sized, not cleared); not kept
  // at all by a lean run without indicators.
  std::vector<double>* by_age[] = {&c_.births_by_mother_age, &c_.women_exposure};
  parallel_blocks(2, 1, [&](int first, int last) {  // one task each: see ensure_sized
    const ParallelFirstTouch first_touch;
    for (int k = first; k < last; ++k) {
      if (plan_.births_by_age_kept)
        resize_large(*by_age[k], states * A);
      else
        std::vector<double>().swap(*by_age[k]);
      // Written zone by zone in the pass, from fresh pages (the first step faulted them in: given back at once).
      if (give_back_) give_back_pages(by_age[k]->data(), by_age[k]->size() * sizeof(double));
    }
  });
  // Per-state arrays that the flow path's zone pass writes in full for every zone are only sized, not filled first
  // (five fills on one thread before the pass: 40 k instructions a year at 1,000 zones, 6.4 MB a step at 40,000
  // zones): the births (step_zone), the deaths by state (sum_state_totals), the net migrants by state where there is
  // migration (sum_state_totals sums M; without it they stay +0), e0 and e65 where mortality is reused
  // (zone_mortality copies them from the cache; a step that builds its tables leaves NaN where it makes none). The
  // multistate steps fill them as before.
  const bool flow = !plan_.multistate;
  const auto written = [&](std::vector<double>& v, bool in_full, double fill) {
    if (in_full)
      v.resize(states * kSexes);
    else
      ensure(v, states * kSexes, fill);
  };
  written(c_.births, flow, 0.0);
  ensure(c_.newborn_transfer_in, sch_.newborn_rules.empty() ? 0 : states * kSexes);
  ensure(c_.newborn_transfer_out, sch_.newborn_rules.empty() ? 0 : states * kSexes);
  written(c_.e0, flow && plan_.reuse_mortality, kNaN);
  written(c_.e65, flow && plan_.reuse_mortality, kNaN);
  written(c_.deaths_by_state, flow, 0.0);
  written(c_.net_migrants_by_state, flow && plan_.any_migration, 0.0);
  // Arrays every cell of which the step writes are only sized, not cleared (a clear is a full pass over memory).
  // The floor adjustments are kept only in a step that can floor a cell: without migration a step only survives
  // cohorts (0 <= S <= 1) and adds births, so no cell falls below zero and the array would be zeros (14.4 MB at
  // 50,000 zones); it is left empty (reads as zero), and filled in from the list of floored cells after the pass
  // should one be floored all the same.
  const bool floors_kept = keep && (plan_.any_migration || plan_.multistate);
  const auto fresh = ensure_sized<11>({{{&c_.deaths, keep},
                                        {&c_.deaths_age_period, plan_.phi_wanted},
                                        {&c_.od_in, keep && plan_.has_od},
                                        {&c_.od_out, keep && plan_.has_od},
                                        {&c_.external_in, keep && plan_.has_ext_in},
                                        {&c_.external_out, keep && plan_.has_ext_out},
                                        {&c_.net_given, keep && plan_.has_net},
                                        {&c_.transfer_in, keep && plan_.has_tr},
                                        {&c_.transfer_out, keep && plan_.has_tr},
                                        {&c_.net_migrants, keep && plan_.any_migration},
                                        {&c_.floor_adjustment, floors_kept}}},
                                      L_);
  ensure(c_.migration_override, L_, keep && plan_.any_migration && cfg_.flow_policy == FlowPolicy::wpp);
  // The floor adjustments: sparse on the flow path once the array is known zero outside the listed vectors.
  if (fresh[10]) {
    floors_.tracked = true;
    floors_.floored_last.assign(L_.states() * kSexes, 0);
  }
  if (!floors_kept || plan_.multistate) floors_.tracked = false;  // the multistate step writes every vector
  if (keep && floors_.floored_last.size() != L_.states() * kSexes) floors_.floored_last.assign(L_.states() * kSexes, 0);
  floors_sparse_ = floors_kept && floors_.tracked;
  track_transfer_zeros(fresh[7], fresh[8]);
}

void StepRunner::apply_newborn_rules(int z, Scratch& sc) {
  const int G = L_.groups;
  // Newborn rules (B3): shares of a mother group's births go to another group, before A3 step 5.
  if (!sch_.newborn_rules.empty()) {
    sc.B_mother.assign(sc.B.begin(), sc.B.end());  // births by mother's group before any rule moves them
    const std::vector<double>& original = sc.B_mother;
    for (const auto& r : sch_.newborn_rules) {
      const double share = r.zone_share.empty() ? r.share : r.zone_share[uz(z)];
      for (int s = 0; s < 2; ++s) {
        const double moved = share * original[uz(r.mother_group) * 2 + uz(s)];
        sc.B[uz(r.mother_group) * 2 + uz(s)] -= moved;
        sc.B[uz(r.child_group) * 2 + uz(s)] += moved;
        const std::size_t mo = (uz(z) * uz(G) + uz(r.mother_group)) * kSexes + uz(s);
        const std::size_t ch = (uz(z) * uz(G) + uz(r.child_group)) * kSexes + uz(s);
        c_.newborn_transfer_out[mo] += moved;
        c_.newborn_transfer_in[ch] += moved;
      }
    }
  }
}

void StepRunner::sum_state_totals(int z, Scratch& sc) {
  // Per state and sex, the sums over age of the deaths D and the net migrants M, each in age order. The vectors of
  // (g, s) at (g · 2 + s) · nA from the zone's first, as buffers() and migrants() give them.
  const bool mig = plan_.any_migration, keep = plan_.keep_cells;
  const std::size_t nA = L_.ages(), n = uz(L_.groups) * kSexes, z0 = uz(z) * n * nA;
  const double* const Dz = keep ? c_.deaths.data().data() + z0 : sc.D.data();
  const double* const Mz = !mig ? nullptr : keep ? c_.net_migrants.data().data() + z0 : sc.M.data();
  sum_ages_states(Dz, c_.deaths_by_state.data() + uz(z) * n, Mz, c_.net_migrants_by_state.data() + uz(z) * n, n, nA);
}

// Survival ratios (and e0, e65, φ when wanted) of every group and sex of zone z, for the flow and multistate steps.
void StepRunner::zone_mortality(int z, Scratch& sc) {
  const std::size_t nA = L_.ages();
  // As mortality() per state and sex when reused or built shared (build_shared_mortality): e0, e65 from the cache.
  if (plan_.reuse_mortality || cache_.shared) {
    // A shared cache holds zone 0's e0 and e65 only (build_shared_mortality).
    const std::size_t count = uz(L_.groups) * kSexes, first = uz(z) * count, from = cache_.shared ? 0 : first;
    std::copy_n(cache_.e0.begin() + static_cast<std::ptrdiff_t>(from), count,
                c_.e0.begin() + static_cast<std::ptrdiff_t>(first));
    std::copy_n(cache_.e65.begin() + static_cast<std::ptrdiff_t>(from), count,
                c_.e65.begin() + static_cast<std::ptrdiff_t>(first));
    return;
  }
  // The next zone's death rates asked for now (a thread steps the zones of its chunk in ascending order): the tables
  // read each zone's rates once, from memory (a new period's rates were just written, 3.2 kB a zone of two groups),
  // and without this the loads of the first rows waited for them (bench/HISTORY.md "Round 26: the step's remaining
  // four-wide kernels"). A hint only: no value changes.
  if (z + 1 < L_.zones && sch_.mortality_kind == MortalityInput::death_rates && !mx_once_) {
    const std::size_t per_zone = sch_.mortality.size() / uz(L_.zones);
    const double* const next = sch_.mortality.data() + uz(z + 1) * per_zone;
    for (std::size_t i = 0; i < per_zone; i += 8) __builtin_prefetch(next + i);  // a line of 8 doubles each
    if (per_zone > 0) __builtin_prefetch(next + per_zone - 1);                   // the last (rows not line-aligned)
  }
  // Two states' tables at a time (one when a single state is left), else each table alone (its errors, in order).
  for (int g = 0; g < L_.groups;) {
    const int n = std::min(2, L_.groups - g);
    if (!mortality_lanes(z, g, n, sc))
      for (int k = g; k < g + n; ++k)
        for (int s = 0; s < 2; ++s)
          mortality(z, k, s, sc, survival(z, k, s),
                    plan_.phi_wanted && !cache_.phi.empty() ? phi_of(z, k, s).first(nA - 1) : std::span<double>());
    g += n;
  }
}

// Phase 2: in-flows, net migrants, and the Part A step for every group of the zone.
void StepRunner::step_zone(int z, Scratch& sc) {
  const int A = L_.grid.n_ages, G = L_.groups;
  const std::size_t nA = uz(A);
  const MigrationTiming timing = plan_.timing;
  const bool keep = plan_.keep_cells;
  sc.size_for_zone(G, nA);
  sc.floored.clear();  // none left by a zone whose step threw
  // Survival ratios (life tables) of every group and sex: they do not depend on migration.
  zone_mortality(z, sc);

  const bool fused = plan_.fused && zone_scale_[uz(z)].empty();  // plan_.fused: with migration (zone_scale_ kept)
  if (fused)
    fused_migration(z, sc);
  else if (plan_.any_migration)
    general_migration(z, sc);
  // Hook: a per-step adjustment of the net migrants M (e.g. to control totals) goes here for the general path,
  // and clears StepPlan::fused in plan_step (the fused pass has already used M for A3 step 1).

  // Part A steps 1–4 for every group and sex (1–3 done already on the fused path); births pooled per group, two
  // groups at a time.
  if (!fused)
    for (int g = 0; g < G; ++g)
      for (int s = 0; s < 2; ++s)
        survive_cohorts(L_.grid, P_.ages(z, g, s), survival(z, g, s), migrants(z, g, s, sc), timing,
                        buffers(z, g, s, sc));
  for (int g = 0; g < G; g += 2) births_of_groups(z, g, std::min(2, G - g), sc, fused);

  apply_newborn_rules(z, sc);

  // Part A steps 5–7. The vectors of (g, s) at (g · 2 + s) · nA from the zone's first in each array, as buffers(),
  // survival() and migrants() give them (see fused_migration).
  const std::size_t z0 = uz(z) * uz(G) * kSexes * nA;
  const double* const Sz = survival(z, 0, 0).data();
  double* const Dz = keep ? c_.deaths.data().data() + z0 : sc.D.data();
  double* const end_z = next_.data().data() + z0;
  // On the fused path, where no dense floor adjustments are kept: a state with no cell floored (the common case) and
  // no adjustments to clear (floored_last, sparse adjustments) needs only age 0 closed and its births stored, in this
  // loop with every pointer in a register; close_state does the rest otherwise (closing age 0 again gives the same
  // values).
  const bool quick = fused && (!keep || floors_sparse_);
  const std::size_t states = uz(G) * kSexes, zs = uz(z) * states;
  const double* const B = sc.B.data();
  const double* const Mz = fused ? (keep ? c_.net_migrants.data().data() + z0 : sc.M.data()) : nullptr;
  double* const Qz = sc.Q.data();
  double* const births = c_.births.data() + zs;
  const unsigned char* const above = sc.floored_above.data();
  const unsigned char* const last = floors_sparse_ ? floors_.floored_last.data() + zs : nullptr;
  for (std::size_t k = 0; k < states; ++k) {
    const std::size_t o = k * nA;
    births[k] = B[k];
    if (quick && close_age0(B[k], Sz + o, Mz[o], Dz + o, Qz + o, end_z + o) && !above[k] && !(last && last[k]))
      continue;
    close_state(z, k, fused, sc);
  }
  if (!sc.floored.empty()) floored_.add(sc.floored);  // the zone's floored cells, in the order close_state listed them
  // The zone's deaths by age and period, every state's deaths D now final (age 0's: close_step).
  if (!c_.deaths_age_period.empty())
    age_period_deaths_states(Dz, phi_of(z, 0, 0).data(), c_.deaths_age_period.ages(z, 0, 0).data(), nA, uz(G) * kSexes);

  sum_state_totals(z, sc);
}

// The zone pass of for_each_zone (step and indicators of each zone) with the large aggregates' sums made as it goes
// (IndicatorPass::fold): those sums must run over the zones in ascending order, and made after the pass they read every
// state's cells from memory once more. Zones are handed out in ascending chunks. After every kFoldZones zones (and at
// the end of its chunk) a thread adds the zones that are next in order and stepped to the sums, unless another thread
// is doing so (no waiting: a thread that waits for a lock sleeps, and on a loaded machine wakes up late while the sums
// wait for it), so that where the zones before them have been added, zones are added a few zones after their step,
// their cells still in this core's L2 (16-zone chunks at the chunk's end ran slower, and slower again read from the
// other core's cache: round 11). Zones of a chunk that another thread is still stepping are left to that thread; a
// chunk whose thread has moved on is anyone's. The same sums in the same order at any thread count; errors as
// for_each_zone (the lowest zone's is rethrown).
void StepRunner::zone_pass_folding() {
  // Zones handed out at a time; zones stepped between tries to add to the sums (their cells, about 50 kB a zone
  // with components at W3k, stay in a core's L2; a try for every zone cost 0.17 M instructions a year at 1,000
  // zones, the lock and the fold's own loop).
  constexpr int kChunk = 16, kFoldZones = 4;
  const int Z = L_.zones, chunks = (Z + kChunk - 1) / kChunk;
  LowestZoneError& errors = scratch_.errors;
  errors.clear();
  const int workers = std::max(1, std::min(chunks, tbb::this_task_arena::max_concurrency()));
  std::vector<std::atomic<int>> stepped(uz(chunks));  // zones of the chunk stepped (in order), released
  std::vector<int> owner(uz(chunks), -1);             // the worker stepping the chunk (written before `stepped`)
  std::atomic<int> next{0};
  std::mutex fold_mutex;
  int folded = 0;  // zones added to the sums, under fold_mutex
  // give_back_: the zones below `folded` are stepped, their units computed and folded, and no zone reads another's
  // start cells (run()): their start cells, births by age of mother and exposure are read no more in this step.
  const std::size_t zone_cells = uz(L_.groups) * kSexes * L_.ages(), zone_ages = uz(L_.groups) * L_.ages();
  FrontRelease start_pages, births_pages, exposure_pages;  // under fold_mutex
  if (give_back_) {
    give_back_pages(next_.data().data(), next_.data().size() * sizeof(double));  // the step writes every cell
    start_pages = FrontRelease(start_to_give_back_->data().data(), start_to_give_back_->data().size());
    births_pages = FrontRelease(c_.births_by_mother_age.data(), c_.births_by_mother_age.size());
    exposure_pages = FrontRelease(c_.women_exposure.data(), c_.women_exposure.size());
  }
  // Adds the zones that are next in order and stepped, those of a chunk in progress only if worker w steps it.
  auto fold_locked = [&](int w) {
    while (folded < Z) {
      const int c = folded / kChunk, z0 = c * kChunk, n = stepped[uz(c)].load(std::memory_order_acquire);
      if (z0 + n <= folded || (n < std::min(Z, z0 + kChunk) - z0 && owner[uz(c)] != w)) break;
      folded = z0 + n;
      indicator_pass_->fold(folded);
      if (give_back_) {
        start_pages.done_below(uz(folded) * zone_cells);
        births_pages.done_below(uz(folded) * zone_ages);
        exposure_pages.done_below(uz(folded) * zone_ages);
      }
    }
  };
  auto try_fold = [&](int w) {
    const std::unique_lock<std::mutex> lock(fold_mutex, std::try_to_lock);
    if (lock.owns_lock()) fold_locked(w);
  };
  parallel_blocks(workers, 1, [&](int first, int last) {
#ifdef COHORTGIS_TSAN
    Scratch scratch_local;
    Scratch& scratch = scratch_local;
#else
    Scratch& scratch = scratch_.per_thread.local();
#endif
    for (int w = first; w < last; ++w)
      for (int c = next.fetch_add(1); c < chunks; c = next.fetch_add(1)) {
        owner[uz(c)] = w;
        const int z0 = c * kChunk, z1 = std::min(Z, z0 + kChunk);
        for (int z = z0; z < z1; ++z) {
          try {
            step_zone(z, scratch);
            indicator_pass_->unit(z, scratch.indicators);
          } catch (...) {
            errors.keep(z, std::current_exception());
          }
          stepped[uz(c)].store(z + 1 - z0, std::memory_order_release);
          if ((z + 1 - z0) % kFoldZones == 0 || z + 1 == z1) try_fold(w);
        }
      }
  });
  const std::lock_guard<std::mutex> lock(fold_mutex);
  fold_locked(-1);  // what no thread could take in time (every chunk stepped)
  // After an error too: the run stops (its start population is not kept then).
  if (give_back_) {
    start_pages.done_all();
    births_pages.done_all();
    exposure_pages.done_all();
  }
  errors.rethrow();
}

bool StepRunner::folding_pass() const {
  // One thread adds the sums at a time: past about eight threads it would fall behind the zones (≈ 1 µs a zone in
  // cache against ≈ 10 µs of step per zone and thread at W3k), and the aggregates split over age ranges after the
  // pass (IndicatorPass::unit) instead. The same bits either way.
  return !plan_.multistate && indicator_pass_ && indicator_pass_->fold_zones() &&
         tbb::this_task_arena::max_concurrency() <= 8;
}

void StepRunner::run() {
  // Schedules given once for every zone (zone_shared_schedules.hpp).
  mx_once_ = sch_.mortality_kind == MortalityInput::death_rates && sch_.mortality_next.empty() &&
             given_once(sch_.mortality.size(), uz(L_.groups) * kSexes * uz(L_.grid.life_table_rows()), L_.zones);
  asfr_once_ = given_once(sch_.asfr.size(), uz(L_.groups) * L_.ages(), L_.zones);
  srb_once_ = given_once(sch_.srb.size(), 1, L_.zones);
  validate_sizes();
  plan_ = plan_step(cfg_, L_, sch_, cache_);
  in_flows_from_first_ = start_no_minus_zero_ && plan_.has_od && sch_.od->no_minus_zero();
  if (plan_.has_od && L_.grid.width_years != 1 && out_rates_.od != sch_.od) {
    // Each out-edge once for every group it carries (the groups' sums each in edge order: the same additions as a
    // sum per group).
    const OdMigration& od = *sch_.od;
    const double zy = L_.grid.width_years;
    const std::size_t G = uz(L_.groups);
    out_rates_.z.assign(uz(L_.zones) * G, 0.0);
    for (int z = 0; z < L_.zones; ++z) {
      double* const R = out_rates_.z.data() + uz(z) * G;
      for (const int e : od.out_edges(z)) {
        const OdFlow& f = od.flows()[uz(e)];
        const double c = zy * f.rate_per_year;
        if (f.group < 0)
          for (std::size_t g = 0; g < G; ++g) R[g] += c;
        else if (uz(f.group) < G)
          R[uz(f.group)] += c;
      }
    }
    out_rates_.od = sch_.od;
  }
  // Survival ratios over the mx rows need the engine's own buffer (Projection::run copies shared schedules into it
  // under mortality_in_place); without it the step keeps them in the cache, with the same bits.
  if (!writable_) {
    plan_.S_in_schedule = plan_.S_in_schedule && !plan_.in_place;
    plan_.in_place = false;
  }
  // The arrays that only the zone pass reads, given back as it goes (give_back_read_arrays): where that pass computes
  // every indicator that reads them (every zone's unit, every aggregate folded, no step adjuster to change the end
  // population after it) and each zone reads only its own start cells (OD in-flows and external pairs read others').
  give_back_ = start_to_give_back_ && !cfg_.step_adjuster && plan_.births_by_age_kept && folding_pass() &&
               indicator_pass_->cells_read_in_zone_pass() && !plan_.has_od && sch_.external_pairs.empty();
  if (plan_.multistate) validate_multistate();
  validate_zones();
  try {
    run_checked();
  } catch (...) {
    // A bad rate is the error the checks before the step report (validate_zones).
    if (mx_in_step_) {
      asfr_in_births_ = mx_in_step_ = false;
      for_each_zone<Scratch>(L_.zones, scratch_, [&](int z, Scratch&) { validate_zone(z); });
    } else if (asfr_in_births_) {
      check_all_asfr();
    }
    throw;
  }
}

bool StepRunner::build_shared_mortality(Scratch& sc) {
  cache_.shared = false;
  const int Z = L_.zones, G = L_.groups;
  if (plan_.S_in_schedule || plan_.multistate || sch_.mortality_kind != MortalityInput::death_rates || Z < 2)
    return false;
  // The zones' rows are [zone][group][sex][row]: one block per zone, compared bit for bit with zone 0's (or one
  // block given for every zone: mx_once_).
  const std::size_t block = sch_.mortality.size() / uz(Z);
  const double* m = sch_.mortality.data();
  if (!mx_once_ && (block == 0 || block * uz(Z) != sch_.mortality.size())) return false;
  for (int z = 1; z < Z && !mx_once_; ++z)
    if (std::memcmp(m, m + uz(z) * block, block * sizeof(double)) != 0) return false;
  const std::size_t nb = uz(G) * kSexes;  // the rates above the open age too (mortality_next), zone by zone
  if (!sch_.mortality_next.empty())
    for (int z = 1; z < Z; ++z)
      if (std::memcmp(sch_.mortality_next.data(), sch_.mortality_next.data() + uz(z) * nb, nb * sizeof(double)) != 0)
        return false;
  const std::size_t nA = L_.ages(), shared_cells = uz(G) * kSexes * nA;
  cache_.shared = true;
  // New vectors, not assign: a state-sized cache of an earlier step gives its memory back. e0 and e65 too: one
  // zone's, which zone_mortality copies to every zone (1.6 MB less at 50,000 zones than a state-sized copy).
  const std::size_t per_zone = uz(G) * kSexes;
  cache_.S = std::vector<double>(shared_cells, 0.0);
  cache_.phi = std::vector<double>(plan_.phi_wanted ? shared_cells : 0, 0.0);
  cache_.e0 = std::vector<double>(per_zone, kNaN);
  cache_.e65 = std::vector<double>(per_zone, kNaN);
  sc.size_for_zone(G, nA);
  try {
    for (int g = 0; g < G; ++g)
      for (int s = 0; s < 2; ++s)
        mortality(0, g, s, sc, survival(0, g, s),
                  plan_.phi_wanted ? phi_of(0, g, s).first(nA - 1) : std::span<double>());
  } catch (const std::exception&) {
    cache_.shared = false;  // the zone pass builds zone by zone and reports the error (run_checked sizes e0, e65)
    return false;
  }
  return true;
}

void StepRunner::run_checked() {
  const std::size_t states = L_.states();
  prepare_components();
  if (!plan_.reuse_mortality) {
    ++cache_.builds;
    cache_.valid = false;
    cache_.kind = sch_.mortality_kind;
    Scratch sc;
    if (!build_shared_mortality(sc)) {  // else the shared cache (cache_.shared) serves every zone
      cache_.e0.assign(states * kSexes, kNaN);
      cache_.e65.assign(states * kSexes, kNaN);
      parallel_blocks(2, 1, [&](int first, int last) {  // state-sized, allocated in the first step: one task each
        const ParallelFirstTouch first_touch;           // as ensure_sized
        for (int k = first; k < last; ++k) {
          if (k == 1)
            resize_large(cache_.phi, plan_.phi_wanted ? L_.cells() : 0);
          else if (plan_.S_in_schedule)
            std::vector<double>().swap(cache_.S);
          else
            resize_large(cache_.S, L_.cells());
        }
      });
    }
  }
  // Without migration no out-flow is scaled and no migrant overridden: those per-zone lists are not kept (only the
  // migration paths read them; 3.6 MB at 50,000 zones). Kept, they are emptied only where the last step added to them.
  const bool lists_used = zone_lists_used_.exchange(false, std::memory_order_relaxed);
  auto reset = [&](auto& per_zone, bool kept) {
    if (!kept)
      std::decay_t<decltype(per_zone)>().swap(per_zone);
    else if (per_zone.size() != uz(L_.zones))
      per_zone.assign(uz(L_.zones), {});
    else if (lists_used)
      for (auto& v : per_zone) v.clear();
  };
  reset(zone_scale_, plan_.any_migration);
  reset(scaled_, plan_.any_migration);
  floored_.clear();
  reset(overridden_, plan_.any_migration);

  if (plan_.multistate) {  // moves are part of the survivorship matrices: no out-flow phase
    if (plan_.has_od) {
      ms_cache_.valid = false;
      step_multistate_od();
    } else {
      ms_cache_.od.reset();
      ms_cache_.od_S.clear();
      prepare_multistate_cache();
      for_each_zone<Scratch>(L_.zones, scratch_, [&](int z, Scratch& scratch) { step_zone_multistate(z, scratch); });
      ms_cache_.valid = true;
    }
  } else {
    // Phase 1, unless the rate bounds show that no zone can have a cell to scale (a pass over the zones less).
    if (plan_.any_migration && cfg_.flow_policy != FlowPolicy::wpp && !no_zone_may_scale())
      for_each_zone<Scratch>(L_.zones, scratch_, [&](int z, Scratch& scratch) { outflows(z, scratch); });
    any_scaled_ = zone_lists_used_.load(std::memory_order_relaxed) &&
                  std::any_of(zone_scale_.begin(), zone_scale_.end(), [](const auto& b) { return !b.empty(); });
    index_scaled_pairs();
    if (folding_pass())
      zone_pass_folding();
    else
      for_each_zone<Scratch>(L_.zones, scratch_, [&](int z, Scratch& scratch) {
        step_zone(z, scratch);
        // Nothing later in the step changes the zone's end population or components (step_zone wrote them all).
        if (indicator_pass_) indicator_pass_->unit(z, scratch.indicators);
      });
    zone_indicators_done_ = indicator_pass_ != nullptr;
    // Every vector of the floor adjustments was written or listed: the next flow step may write them sparsely.
    floors_.tracked = plan_.keep_cells;
  }
  cache_.valid = true;
  if (plan_.in_place) {  // the schedule now holds what the next step needs if mortality does not change
    writable_->mortality_kind = MortalityInput::survival_ratios;
    cache_.kind = MortalityInput::survival_ratios;
  }

  const bool lists_filled = zone_lists_used_.load(std::memory_order_relaxed);
  auto gather = [lists_filled](std::vector<std::vector<AdjustedCell>>& per_zone, std::vector<AdjustedCell>& out) {
    out.clear();
    if (lists_filled)
      for (auto& v : per_zone) out.insert(out.end(), v.begin(), v.end());
  };
  gather(scaled_, c_.scaled_flows);
  floored_.take_in_zone_order(c_.floored);
  if (plan_.keep_cells && c_.floor_adjustment.empty() && !c_.floored.empty()) {  // see prepare_components
    c_.floor_adjustment = CohortArray(L_);
    for (const AdjustedCell& a : c_.floored) c_.floor_adjustment.at(a.zone, a.group, a.sex, a.age) = a.persons;
  }
  gather(overridden_, c_.overridden);
}

}  // namespace cohortgis::detail
