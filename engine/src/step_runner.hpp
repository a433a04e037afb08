// SPDX-License-Identifier: Apache-2.0
// The step runner (private to engine/src): one projection step of every zone in parallel, Part B then Part A of
// docs/ccmpp.md. step_runner.cpp holds the plan, the zones' pass and the step; step_flows.cpp the checks of the
// schedules, the out-flows (phase 1) and the survival ratios.
#pragma once

#include <oneapi/tbb/enumerable_thread_specific.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/multistate.hpp"
#include "cohortgis/engine/multistate_od.hpp"
#include "cohortgis/engine/projection.hpp"
#include "cohortgis/engine/zone_shared_schedules.hpp"
#include "engine_support.hpp"
#include "indicators_pass.hpp"
#include "parallel.hpp"
#include "simd.hpp"
#include "step_kernels.hpp"
#include "step_plan.hpp"

namespace cohortgis::detail {

// Per-thread scratch of a whole run (ScratchPool::local()), reused from block to block and step to step: no
// allocation per block or step (the step writes every scratch value before it reads it). Under TSan (std::threads,
// parallel.hpp) a scratch per block instead: no TBB structure TSan cannot see into.
// The error of the lowest zone that threw in a parallel pass over the zones, whatever order they threw in: the error a
// user sees does not depend on the thread count. One slot, not one per zone (0.4 MB at 50,000 zones).
class LowestZoneError {
 public:
  void keep(int zone, std::exception_ptr e) {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (!error_ || zone < zone_) {
      zone_ = zone;
      error_ = std::move(e);
    }
  }
  void clear() { error_ = nullptr; }  // before a pass: none kept from one that ended by another error
  void rethrow() {                    // the error kept, if any
    std::exception_ptr e;
    std::swap(e, error_);
    if (e) std::rethrow_exception(e);
  }

 private:
  std::mutex mutex_;
  int zone_ = 0;
  std::exception_ptr error_;
};

// The cells a step floored (A3 step 7), listed by the zones' threads as they come: few or none, so one list under a
// lock instead of a list per zone (1.2 MB of empty lists at 50,000 zones). Each zone is stepped by one thread, which
// lists its cells in order, so a stable sort by zone gives the per-zone lists' order: zones ascending, each zone's
// cells as listed.
class FlooredCells {
 public:
  void add(const AdjustedCell& cell) {
    const std::lock_guard<std::mutex> lock(mutex_);
    cells_.push_back(cell);
  }
  // A zone's cells, listed in its scratch (Scratch::floored) and added at the end of its step: one lock a zone.
  void add(std::span<const AdjustedCell> cells) {
    const std::lock_guard<std::mutex> lock(mutex_);
    cells_.insert(cells_.end(), cells.begin(), cells.end());
  }
  void clear() { cells_.clear(); }
  // A counting sort by zone, stable, straight into `out`: O(cells + zones) on the step's thread after the zone pass,
  // where std::stable_sort took O(cells · log cells) and a copy (the benchmark's five-year steps at 40,000 zones floor
  // 68,000 cells a step over ten steps, 138,000 in the tenth: ≈ 10 M instructions a step while the other threads
  // waited; bench/HISTORY.md round 23).
  void take_in_zone_order(std::vector<AdjustedCell>& out) {
    out.clear();
    if (cells_.empty()) return;
    int low = cells_.front().zone, high = low;
    for (const AdjustedCell& c : cells_) low = std::min(low, c.zone), high = std::max(high, c.zone);
    // at_[z − low]: where zone z's next cell goes in `out` (first the count of the zones before it).
    at_.assign(uz(high - low) + 2, 0);
    for (const AdjustedCell& c : cells_) ++at_[uz(c.zone - low) + 1];
    for (std::size_t k = 1; k < at_.size(); ++k) at_[k] += at_[k - 1];
    out.resize(cells_.size());
    for (const AdjustedCell& c : cells_) out[at_[uz(c.zone - low)]++] = c;
    cells_.clear();
  }

 private:
  std::mutex mutex_;
  std::vector<AdjustedCell> cells_;
  std::vector<std::size_t> at_;  // the sort's counts, kept from step to step (no allocation per step)
};

template <class Scratch>
struct ScratchPool {
#ifndef COHORTGIS_TSAN
  tbb::enumerable_thread_specific<Scratch> per_thread;
#endif
  LowestZoneError errors;
};

// Runs body(zone, scratch) for every zone in parallel over blocked zone ranges. An exception in a zone is kept and
// the one of the lowest zone is rethrown afterwards, so the error a user sees does not depend on the thread count.
template <class Scratch, class Body>
void for_each_zone(int zones, ScratchPool<Scratch>& pool, Body&& body) {
  LowestZoneError& errors = pool.errors;
  errors.clear();
#ifdef COHORTGIS_TSAN
  detail::parallel_blocks(zones, 16, [&](int begin, int end) {
    Scratch scratch;
#else
  detail::parallel_blocks(zones, 16, [&](int begin, int end) {
    Scratch& scratch = pool.per_thread.local();
#endif
    for (int z = begin; z != end; ++z) {
      try {
        body(z, scratch);
      } catch (...) {
        errors.keep(z, std::current_exception());
      }
    }
  });
  errors.rethrow();
}

// Per-block scratch of the step: vectors of one zone, reused from zone to zone (no allocation per zone).
struct Scratch {
  std::vector<InEdge> edges;
  std::vector<double> A, E, Q, B, B_mother, M, D;
  std::vector<unsigned char> floored_above;  // per group and sex: survive_and_close_states floored a cell of ages 1 … w
  std::vector<double> od, tr, ext, net, f, total, in_od, in_tr, ones, births_by_age;  // one age vector each (two)
  // The lean fused path's births of each group's women, made in the survive pass (fused_migration:
  // StepPlan::births_in_pass) and summed by births_of_groups: B by age (group g's at g · ages), ranges and bits.
  std::vector<double> women_births;
  std::vector<BirthsRange> births_range;
  std::vector<std::uint64_t> births_bits;
  // Their pointers for survive_births_and_close_states, set by resize_for_zone (B the scratch's, no exposure):
  // fused_migration sets only z and F per zone, and B and the exposure where births by age are kept (the whole run).
  ZoneBirths zone_births{};
  LifeTable lt;
  // Multistate step: M(x) per life-table row, P(x) and S(x) per index of both sexes, the single-state death rates.
  std::vector<StateMatrix> ms_M, ms_P, ms_S;
  IndicatorScratch indicators;  // the zone's indicators, computed right after its step (StepRunner::set_indicators)
  // The zone's floored cells in the order close_state lists them, handed to FlooredCells at the end of its step.
  std::vector<AdjustedCell> floored;
  int sized_groups = -1;  // size_for_zone's last shape (reserve alone does not change it)
  std::size_t sized_ages = 0;
  void reserve(std::size_t n) {
    if (n != sized_ages) sized_groups = -1;  // size_for_zone sizes everything again
    for (auto* v : {&od, &tr, &ext, &net, &f, &total, &in_tr}) v->resize(n);
    births_by_age.resize(2 * n);  // two groups' (StepRunner::births_of_groups)
    // Both sexes' age vectors (the fused path's in-flows of a group take one pass over both: fused_migration).
    in_od.resize(2 * n);
    if (ones.size() != 2 * n) ones.assign(2 * n, 1.0);
  }
  // The per-zone arrays of a zone with `groups` groups and n ages (both the flow and the multistate step).
  void size_for_zone(int groups, std::size_t n) {
    if (groups == sized_groups && n == sized_ages) return;  // as the last zone: nothing to resize
    resize_for_zone(groups, n);
  }
  // Apart from the test above, which stays inline in step_zone (with the resizes too it was called: ≈ 20
  // instructions a zone).
  void resize_for_zone(int groups, std::size_t n) {
    sized_groups = groups;
    sized_ages = n;
    reserve(n);
    const std::size_t g = uz(groups);
    M.resize(g * kSexes * n);
    D.resize(g * kSexes * n);
    A.resize(g * 2 * n);
    E.resize(g * 2 * n);
    Q.resize(g * 2 * n);
    B.resize(g * 2);
    floored_above.resize(g * 2);
    births_range.resize(g);
    births_bits.resize(g);
    women_births.resize(g * n);
    zone_births = {1.0, nullptr, women_births.data(), nullptr, births_range.data(), births_bits.data()};
  }
  // The OD age–sex profile of (group, sex), or 1 everywhere when the migration has none. Sex 0's row read over 2n
  // ages is both sexes' (the profile is [group][sex][age]; `ones` holds 2n): fused_migration's in-flow pass.
  const double* profile_row(const OdMigration& m, int g, int s) const {
    auto row = m.profile_row(g, s);
    return row.empty() ? ones.data() : row.data();
  }
};

// Survival ratios (and A4 split factors) of the last step, reused when the provider says mortality is unchanged.
struct MortalityCache {
  bool valid = false;
  // Set by Projection::run_shared when the schedules it was handed by reference hold the same mortality (rows,
  // kind, layout, radix) as the last step's: the hint StepSchedules::mortality_unchanged of a const object.
  bool same_as_last = false;
  int builds = 0;  // steps of the run that built their life tables and survival ratios (not reused)
  MortalityInput kind = MortalityInput::death_rates;
  // Every zone's death rates are the same bits (a national schedule): S and φ are zone 0's, [group][sex][age], and
  // serve every zone (the same life tables would give the same bits; 14.4 MB at 50,000 zones, bench/HISTORY.md
  // "Round 12: memory at 50,000 zones"). Flow steps only.
  bool shared = false;
  std::vector<double> S, phi;  // [zone][group][sex][age] (or [group][sex][age] when shared); φ: the first n_ages − 1
  std::vector<double> e0, e65;  // [zone][group][sex] ([group][sex]: zone 0's, when shared)
};

// What a run keeps from step to step: the mortality cache, the per-zone lists (cleared, not reallocated, every
// step: their memory is not churned through the allocator) and the per-thread scratch.
// The multistate step's survivorship matrices S(x) of the last step, reused while the provider says mortality is
// unchanged and the group transitions are the same (S depends on nothing else): [zone][sex][age][G·G], column-major.
struct MultistateCache {
  bool valid = false;
  std::vector<double> S;
  std::vector<GroupTransition> transitions;
  // Multistate over OD (step_multistate_od.cpp): the sparse factors of S(x) of both sexes, kept under the same
  // conditions for the OD object and the transitions they were built from.
  std::vector<SparseMultistateSurvivorship> od_S;
  std::shared_ptr<const OdMigration> od;
  std::vector<GroupTransition> od_transitions;
};

// The floor adjustments (a component array, mostly zero: a cell is floored only where its population would fall
// below zero) are written sparsely: a state's vector only when one of its cells is floored, and zeroed again in the
// next step that floors none of it. floored_last[(zone·G + group)·2 + sex] says which vectors hold non-zeros;
// `tracked` that the array is zero everywhere else (false: the next flow step writes every vector, as before).
struct FloorTracking {
  bool tracked = false;
  std::vector<unsigned char> floored_last;
};
// The kept transfers of a group without a transition out of (into) it are +0 in every cell. zero_out[g] / zero_in[g]:
// every zone's cells of group g in StepComponents::transfer_out / transfer_in hold +0 now (the arrays were just
// allocated, or the last step stored +0 there and nothing has written them since: no step adjuster), so a fused step
// in which the group still has no such transition leaves them as they are instead of storing +0 again.
struct TransferTracking {
  std::vector<unsigned char> zero_out, zero_in;
};
// The same group transitions (groups, rates and zone multipliers), for the multistate caches.
bool same_transitions(const std::vector<GroupTransition>& a, const std::vector<GroupTransition>& b);

// Five-year grids with OD: each (zone, group)'s z · Σ rate over its out-edges that carry the group, in out_edges()
// order ((0 + z·r_1) + z·r_2) + …, [zone][group] (StepRunner::out_rate_sum reads them: phase 1, the fused pass and
// cell_outflows would each sum the edges again), and the OD they were summed from: made again only when a step's OD
// is another object (held here, it cannot be freed and another made at its address; an OdMigration does not change).
// One-year grids read the OD index's own sums.
struct OutRateSums {
  std::shared_ptr<const OdMigration> od;
  std::vector<double> z;
};

struct RunWorkspace {
  MortalityCache cache;
  OutRateSums out_rates;
  MultistateCache multistate;
  FloorTracking floors;
  TransferTracking transfers;
  std::vector<std::vector<double>> zone_scale;
  std::vector<std::vector<AdjustedCell>> scaled, overridden;  // per zone
  // Whether one of the three per-zone lists above may hold an entry: set where a zone pass adds one (rare: a scaled or
  // overridden cell), cleared when the next step empties them. A step that added none neither clears nor gathers them
  // (three serial passes over every zone's lists between the parallel ones: ≈ 0.3 ms a step at 40,000 zones).
  std::atomic<bool> zone_lists_used{false};
  FlooredCells floored;
  ScratchPool<Scratch> scratch;
  // The zones' names for errors when not the config's: the indicator table's unit names, which begin with them while
  // the run holds the ids there (Projection::run_shared).
  const std::vector<std::string>* zone_ids = nullptr;
  // The step's start population holds no −0 (Projection::run_shared): the lean fused pass may sum its in-flows from
  // the first term (fused_state_in_flows).
  bool start_no_minus_zero = false;
};

// Decides the plan of one step (step_plan.hpp).
StepPlan plan_step(const ProjectionConfig& cfg, const CohortLayout& layout, const StepSchedules& sch,
                   const MortalityCache& cache);

class StepRunner {
 public:
  // `writable`: the same object as `schedules` when the step may change it (the engine's own buffer; needed for
  // ProjectionConfig::mortality_in_place), or null when the schedules are a provider's own (ScheduleSource).
  StepRunner(const ProjectionConfig& cfg, const CohortLayout& layout, const StepContext& ctx,
             const StepSchedules& schedules, StepSchedules* writable, const CohortArray& P, CohortArray& next,
             StepComponents& comp, RunWorkspace& ws)
      : cfg_(cfg),
        zone_ids_(ws.zone_ids ? *ws.zone_ids : cfg.zone_ids),
        L_(layout),
        ctx_(ctx),
        sch_(schedules),
        writable_(writable),
        P_(P),
        next_(next),
        c_(comp),
        cache_(ws.cache),
        ms_cache_(ws.multistate),
        zone_scale_(ws.zone_scale),
        scaled_(ws.scaled),
        overridden_(ws.overridden),
        zone_lists_used_(ws.zone_lists_used),
        floored_(ws.floored),
        floors_(ws.floors),
        transfers_(ws.transfers),
        out_rates_(ws.out_rates),
        start_no_minus_zero_(ws.start_no_minus_zero),
        scratch_(ws.scratch) {}

  void run();
  // Computes each zone's indicators (its unit of `pass`) in the zone pass, right after the zone's step, while its
  // populations and components are in cache; run() then says whether it did (the flow step does; the multistate
  // step leaves them to the caller).
  void set_indicators(const IndicatorPass* pass) { indicator_pass_ = pass; }
  bool zone_indicators_done() const { return zone_indicators_done_; }
  // The sink reads neither the start population nor the births by age of mother and their exposure
  // (cohortgis/engine/sink_inputs.hpp): `start` is the step's start population (P_),
  // writable. Where nothing after the zone pass reads them either (run() decides: see gave_back), the pass gives
  // their memory back as it is done with them, and the end population's as it begins (every cell of both is written
  // again before it is read: the next step's end population is this one's start).
  void give_back_read_arrays(CohortArray* start) { start_to_give_back_ = start; }
  // Whether the step gave them back: the sink must then get them empty (their values are gone).
  bool gave_back() const { return give_back_; }

 private:
  std::string where(int zone, int group, int sex, int age) const;
  void validate_sizes() const;
  // z · Σ rate over the out-edges of a zone that carry the group, in edge order: ((0 + z·r_1) + z·r_2) + …; on a
  // one-year grid the OD's own per-year sums (z·r = r exactly for z = 1), else the run's (OutRateSums).
  // Inline: one load, not a call per (zone, group) of the fused path. `od` is the step's OD (sch_.od).
  double out_rate_sum(const OdMigration& od, int zone, int group) const {
    return L_.grid.width_years == 1 ? od.out_rate_per_year(zone, group)
                                    : out_rates_.z[uz(zone) * uz(L_.groups) + uz(group)];
  }
  void validate_zone(int zone) const;
  void validate_zones();
  bool only_whole_array_checks() const;  // validate_zones' checks of whole arrays, when they are all it needs
  // The first bad fertility rate of a (zone, group), or of every zone in order: throws its error (as validate_zone).
  void check_asfr(int zone, int group) const;
  void check_all_asfr() const;
  void run_checked();  // run() after the checks of the schedules
  double total_share(int zone, int group) const;
  bool cell_outflows(int zone, int group, int sex, double share, Scratch& sc, bool record, bool may_scale);
  void outflows(int zone, Scratch& sc);
  bool no_zone_may_scale() const;  // outflows() would return at once in every zone
  void step_zone(int zone, Scratch& s);
  void zone_pass_folding();  // the flow step's zone pass with the large aggregates folded as it goes
  // Whether the flow step's zone pass is zone_pass_folding.
  bool folding_pass() const;
  // Rogers' multistate step of one zone (step_multistate.cpp) and the check of a multistate step's schedules.
  void step_zone_multistate(int zone, Scratch& s);
  void validate_multistate() const;
  // The death rate of state (z, g), sex s in M(x) of mx row r (mx_rows rows a state): the row's rate, but under
  // `drop` the open row's is that of the closed interval [w, w+z), the given table's own next rate when there is one
  // (StepSchedules::mortality_next).
  double multistate_death_rate(int z, int g, int s, std::size_t r, std::size_t mx_rows) const;
  void step_multistate_od();  // multistate with OD rates between zones: all zones at once (step_multistate_od.cpp)
  void prepare_multistate_cache();  // decides reuse_multistate_; sizes the cache when it is rebuilt
  // Step 7 of a multistate state, as close_step: end = Q, or kFloorPersons where Q ≥ 0 is false; the adjustments
  // into adj (unless empty); the floored cells listed, or ProjectionError under flow policy 'error'.
  void floor_multistate_state(int zone, int group, int sex, std::span<const double> Q, std::span<double> end,
                              std::span<double> adj);
  // A3 step 4 into sc.B; fused: the fused path's (no A stored: made from P and M)
  void births_of_groups(int zone, int group, int count, Scratch& sc, bool fused);
  void close_state(int zone, std::size_t state, bool fused, Scratch& sc);  // step_zone's steps 5–7, the slow way
  void apply_newborn_rules(int zone, Scratch& sc);                     // B3
  void sum_state_totals(int zone, Scratch& sc);                        // deaths_by_state, net_migrants_by_state
  void track_transfer_zeros(bool fresh_in, bool fresh_out);            // TransferTracking, once per step
  void fused_migration(int zone, Scratch& sc);                         // B1 and A3 steps 1–3 of the fused path
  void general_migration(int zone, Scratch& sc);                       // B1 of the general path
  void scaled_pair_arrivals(std::size_t c0, double* M, std::span<double> external_in);  // B2: pairs as lost
  void index_scaled_pairs();
  void mortality(int zone, int group, int sex, Scratch& s, std::span<double> S, std::span<double> phi);
  void zone_mortality(int zone, Scratch& s);
  bool mortality_lanes(int zone, int group, int groups, Scratch& s);
  void prepare_components();
  // An age vector of a component array, or empty when the array is not kept.
  static std::span<double> part(CohortArray& a, int z, int g, int s) {
    return a.empty() ? std::span<double>() : a.ages(z, g, s);
  }
  const double* scale_of(int zone, int group, int sex) const {
    const auto& b = zone_scale_[uz(zone)];
    return b.empty() ? nullptr : b.data() + (uz(group) * kSexes + uz(sex)) * L_.ages();
  }
  // Survival ratios of one state and sex for this step.
  std::span<double> survival(int z, int g, int s) {
    const std::size_t nA = L_.ages();
    if (plan_.in_place) return {writable_->mortality.data() + L_.offset(z, g, s), nA};
    // Given survival ratios are only read (mortality() writes S only when it builds them), so the schedules may be
    // a provider's own object, handed as const (ScheduleSource).
    if (plan_.S_in_schedule) return {const_cast<double*>(sch_.mortality.data()) + L_.offset(z, g, s), nA};
    return {cache_.S.data() + (cache_.shared ? (uz(g) * kSexes + uz(s)) * nA : L_.offset(z, g, s)), nA};
  }
  // φ of one state and sex (empty when not kept).
  std::span<double> phi_of(int z, int g, int s) {
    const std::size_t nA = L_.ages();
    if (cache_.phi.empty()) return {};
    return {cache_.phi.data() + (cache_.shared ? (uz(g) * kSexes + uz(s)) * nA : L_.offset(z, g, s)), nA};
  }
  // Builds a shared cache (MortalityCache::shared) from zone 0 when every zone has its death rates; false (nothing
  // kept) otherwise or when zone 0's life tables fail (the zone pass then reports the error as before).
  bool build_shared_mortality(Scratch& sc);
  // The net migrants M of a state and sex: the component array when kept, else the zone's scratch.
  std::span<double> migrants(int z, int g, int s, Scratch& sc) {
    if (!plan_.any_migration) return {};
    const std::size_t nA = L_.ages();
    return plan_.keep_cells ? c_.net_migrants.ages(z, g, s)
                            : std::span<double>(sc.M.data() + (uz(g) * kSexes + uz(s)) * nA, nA);
  }
  // Part A buffers of a group and sex of the zone (deaths D into the component array when kept).
  SexStepBuffers buffers(int z, int g, int s, Scratch& sc) {
    const std::size_t nA = L_.ages(), o = (uz(g) * 2 + uz(s)) * nA;
    return SexStepBuffers{{sc.A.data() + o, nA},
                          {sc.E.data() + o, nA},
                          plan_.keep_cells ? c_.deaths.ages(z, g, s) : std::span<double>(sc.D.data() + o, nA),
                          {sc.Q.data() + o, nA}};
  }

  const ProjectionConfig& cfg_;
  const std::vector<std::string>& zone_ids_;  // [zone] names (RunWorkspace::zone_ids)
  const CohortLayout& L_;
  const StepContext& ctx_;
  const StepSchedules& sch_;
  StepSchedules* writable_;  // sch_ itself when the step may write it, else null
  const CohortArray& P_;
  CohortArray& next_;
  StepComponents& c_;
  MortalityCache& cache_;
  MultistateCache& ms_cache_;
  bool reuse_multistate_ = false;  // this step's S(x) are the cache's (step_multistate.cpp)
  const IndicatorPass* indicator_pass_ = nullptr;
  bool zone_indicators_done_ = false;
  CohortArray* start_to_give_back_ = nullptr;  // give_back_read_arrays
  bool give_back_ = false;                     // this step gives them back (run())
  StepPlan plan_;
  // conserve: per zone, the factor applied to every out-flow of a cell, [group][sex][age]; empty when no cell of
  // the zone was scaled (the common case: no state-sized array to write and read).
  std::vector<std::vector<double>>& zone_scale_;
  std::vector<std::vector<AdjustedCell>>&scaled_, &overridden_;  // per zone
  // RunWorkspace::zone_lists_used, set by zone_lists_add() before an entry is added to one of the lists.
  std::atomic<bool>& zone_lists_used_;
  void zone_lists_add() { zone_lists_used_.store(true, std::memory_order_relaxed); }
  FlooredCells& floored_;
  FloorTracking& floors_;
  bool floors_sparse_ = false;  // this step writes the floor adjustments sparsely (FloorTracking)
  TransferTracking& transfers_;
  OutRateSums& out_rates_;
  // The in-flows' sums may start from their first term where that changes no result: in the lean fused pass (M
  // only) where the step's start population holds no −0 (RunWorkspace::start_no_minus_zero, fused_state_in_flows);
  // in the kept ones (the in-flows themselves) where no OD rate or profile value is −0 either (the same bits:
  // add_in_flows_indexed).
  const bool start_no_minus_zero_;
  bool in_flows_from_first_ = false;
  // Per group: the kept transfers the group's fused pass would store as +0 are +0 already (FusedState::zero_known).
  std::vector<unsigned char> transfer_zeros_known_;
  bool any_scaled_ = true;      // some zone of this step has a conserve block (zone_scale_), set after phase 1
  // conserve with scaled cells: the indexes of sch_.external_pairs by destination cell (B2; empty: nothing to do).
  std::vector<std::size_t> pairs_by_destination_;
  // The fertility rates are checked in the births pass (births_of_groups), not by validate_zone: see validate_zones.
  bool asfr_in_births_ = false;
  // The death rates are checked where the step's life tables read them (mortality_lanes, mortality), not by
  // validate_zone: see validate_zones.
  bool mx_in_step_ = false;
  // Schedules given once for every zone (zone_shared_schedules.hpp), set by run(): every zone reads zone 0's values.
  bool mx_once_ = false, asfr_once_ = false, srb_once_ = false;
  // The [zone][group] index of the state whose mortality rows or fertility rates state `st` reads (its own, or its
  // group's in the one zone given), the mx rows of a state and sex, and the sex ratio at birth zone z reads.
  std::size_t mx_state(std::size_t st) const { return mx_once_ ? st % uz(L_.groups) : st; }
  std::size_t mx_rows() const { return sch_.mortality.size() / ((mx_once_ ? uz(L_.groups) : L_.states()) * kSexes); }
  const double* asfr_of(std::size_t st) const {
    return sch_.asfr.data() + (asfr_once_ ? st % uz(L_.groups) : st) * L_.ages();
  }
  double srb_of(int z) const { return sch_.srb[srb_once_ ? 0 : uz(z)]; }
  ScratchPool<Scratch>& scratch_;
};

}  // namespace cohortgis::detail
