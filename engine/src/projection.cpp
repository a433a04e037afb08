// SPDX-License-Identifier: Apache-2.0
// Multi-regional projection (docs/ccmpp.md Part B): flows → net migrants per state, then the Part A step per state.
#include "cohortgis/engine/projection.hpp"

#include <oneapi/tbb/enumerable_thread_specific.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/info.h>
#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <sstream>

#include "engine_support.hpp"
#include "parallel.hpp"
#include "simd.hpp"

namespace cohortgis {

using detail::fmt;
using detail::uz;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();


// Per-thread scratch of a whole run (ScratchPool::local()), reused from block to block and step to step: no
// allocation per block or step (the step writes every scratch value before it reads it). Under TSan (std::threads,
// parallel.hpp) a scratch per block instead: no TBB structure TSan cannot see into.
template <class Scratch>
struct ScratchPool {
#ifndef COHORTGIS_TSAN
  tbb::enumerable_thread_specific<Scratch> per_thread;
#endif
  std::vector<std::exception_ptr> errors;  // per zone, kept from pass to pass
};

// Runs body(zone, scratch) for every zone in parallel over blocked zone ranges. An exception in a zone is kept and
// the one of the lowest zone is rethrown afterwards, so the error a user sees does not depend on the thread count.
template <class Scratch, class Body>
void for_each_zone(int zones, ScratchPool<Scratch>& pool, Body&& body) {
  std::vector<std::exception_ptr>& errors = pool.errors;
  errors.assign(uz(zones), nullptr);
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
        errors[uz(z)] = std::current_exception();
      }
    }
  });
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

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

// Sizes an array every cell of which the step writes: allocated (zeroed) once, never cleared again.
void ensure_sized(CohortArray& a, const CohortLayout& layout, bool wanted) {
  if (!wanted) a = CohortArray();
  else if (!(a.layout() == layout && a.data().size() == layout.cells())) a = CohortArray(layout);
}

// One OD in-edge of a (group, sex) as the destination adds it: c · profile · P_origin (· scale of the origin's cell).
struct InEdge {
  double c;           // z · rate per year
  const double* Po;   // origin population by age
  const double* so;   // origin's conserve factors by age, or null (no cell scaled: factor 1, x · 1 = x exactly)
};

// in[i] = c_k · prof[i] · P_k[i] (· s_k[i]) summed over the edges k in their order, from 0: up to eight unscaled edges
// share one pass (in[i] = ((0 + t_1) + t_2) + …: the same additions in the same order as a zeroed `in` and one pass
// per edge).
template <int K, bool FIRST>
[[gnu::always_inline]] inline void edge_pass(double* __restrict in, const double* __restrict prof, const InEdge* e,
                                             std::size_t n) {
  double c[K];
  const double* p[K];
  for (int j = 0; j < K; ++j) {
    c[j] = e[j].c;
    p[j] = e[j].Po;
  }
  for (std::size_t i = 0; i < n; ++i) {
    const double q = prof[i];
    double acc = FIRST ? 0.0 : in[i];
#pragma GCC unroll 8
    for (int j = 0; j < K; ++j) acc = acc + c[j] * q * p[j][i];
    in[i] = acc;
  }
}

template <int K>
[[gnu::always_inline]] inline void edge_pass(bool first, double* __restrict in, const double* __restrict prof,
                                             const InEdge* e, std::size_t n) {
  if (first) edge_pass<K, true>(in, prof, e, n);
  else edge_pass<K, false>(in, prof, e, n);
}

COHORTGIS_KERNEL void add_in_flows(double* __restrict in, const double* __restrict prof,
                                   const std::vector<InEdge>& edges, std::size_t n) {
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
    if (run == 8) edge_pass<8>(first, in, prof, e, n), k += 8;
    else if (run >= 4) edge_pass<4>(first, in, prof, e, n), k += 4;
    else if (run >= 2) edge_pass<2>(first, in, prof, e, n), k += 2;
    else if (run == 1) edge_pass<1>(first, in, prof, e, n), k += 1;
    else {  // a scaled origin: c · prof · P · s
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

// The common state of a lean run, fused: OD and at most one group transition in and out, `even` timing, no cell of
// the zone scaled. One pass computes the out-flows, the net migrants M of B1 and A3 step 1 (E = M/2, A = P + E), a
// second (survive_steps_2_3, once the first pass of every state of the zone is done: a load of A[i − 1] right after
// the vector stores of A stalls on store-to-load forwarding) A3 steps 2–3, with the same operations per cell, in the
// same order, as the general path (cell_outflows, the B1 loops and survive_cohorts), so the results are the same bits.
struct FusedState {
  const double* P;      // start population
  const double* prof;   // OD profile (has_od)
  double R = 0.0;       // z · Σ out-edge rates (has_od)
  const double* in_od;  // OD in-flows (has_od)
  bool has_od = false, has_tr = false;
  const double* tr_rate = nullptr;  // transition out of the group: rates by age, or null
  double tr_mult = 1.0;
  const double* in_rate = nullptr;  // transition into the group: rates by age, or null
  double in_mult = 1.0;
  const double* in_P = nullptr;     // population of the group it comes from
  double zy = 1.0;
  double *M, *A, *E;
  std::size_t n;
};

// TO / TI: a transition out of / into the group (each term's presence is a template parameter, so that no load is
// conditional and the loop vectorises).
// (The pointers are parameters: GCC 12 does not vectorise the loop when it reads them from the struct.)
template <bool OD, bool TR, bool TO, bool TI>
[[gnu::always_inline]] inline void fused_state_body(const double* __restrict P, const double* __restrict prof,
                                                    const double* __restrict in_od, const double* __restrict tr_rate,
                                                    const double* __restrict in_rate, const double* __restrict in_P,
                                                    double R, double zy, double tm, double im, double* __restrict M,
                                                    double* __restrict A, double* __restrict E, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    double m = 0.0;
    if constexpr (OD) m += in_od[i] - R * prof[i] * P[i];
    if constexpr (TR) {
      double out = 0.0, in = 0.0;
      if constexpr (TO) out = 0.0 + zy * tr_rate[i] * tm * P[i];
      if constexpr (TI) in = 0.0 + zy * in_rate[i] * im * in_P[i];
      m += in - out;
    }
    M[i] = m;
    E[i] = m / 2.0;
    A[i] = P[i] + E[i];
  }
}

template <bool OD, bool TR, bool TO, bool TI>
[[gnu::always_inline]] inline void fused_state_call(const FusedState& f) {
  fused_state_body<OD, TR, TO, TI>(f.P, f.prof, f.in_od, f.tr_rate, f.in_rate, f.in_P, f.R, f.zy, f.tr_mult, f.in_mult,
                                   f.M, f.A, f.E, f.n);
}

template <bool OD, bool TR>
[[gnu::always_inline]] inline void fused_state_transitions(const FusedState& f) {
  const bool to = TR && f.tr_rate, ti = TR && f.in_rate;
  if (to && ti) fused_state_call<OD, TR, TR, TR>(f);
  else if (to) fused_state_call<OD, TR, TR, false>(f);
  else if (ti) fused_state_call<OD, TR, false, TR>(f);
  else fused_state_call<OD, TR, false, false>(f);
}

COHORTGIS_KERNEL void fused_state(const FusedState& f) {
  if (f.has_od && f.has_tr) fused_state_transitions<true, true>(f);
  else if (f.has_od) fused_state_transitions<true, false>(f);
  else if (f.has_tr) fused_state_transitions<false, true>(f);
  else fused_state_transitions<false, false>(f);
}

constexpr double kMax = std::numeric_limits<double>::max();
using detail::all_within;

// A sum over the ages of one vector, and where it goes.
struct AgeSum {
  const double* v;
  double* out;
};

// out = v[0] + v[1] + … in age order for every sum; eight (or four) sums at a time share one loop so that their
// (independent) chains of additions overlap. Each sum is the same left-to-right sum as a loop of its own, bit for bit.
void sum_ages_interleaved(const std::vector<AgeSum>& sums, std::size_t n) {
  std::size_t k = 0;
  for (; k + 8 <= sums.size(); k += 8) {
    const double *v0 = sums[k].v, *v1 = sums[k + 1].v, *v2 = sums[k + 2].v, *v3 = sums[k + 3].v;
    const double *v4 = sums[k + 4].v, *v5 = sums[k + 5].v, *v6 = sums[k + 6].v, *v7 = sums[k + 7].v;
    double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0, a4 = 0.0, a5 = 0.0, a6 = 0.0, a7 = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      a0 += v0[i];
      a1 += v1[i];
      a2 += v2[i];
      a3 += v3[i];
      a4 += v4[i];
      a5 += v5[i];
      a6 += v6[i];
      a7 += v7[i];
    }
    const double a[8] = {a0, a1, a2, a3, a4, a5, a6, a7};
    for (std::size_t j = 0; j < 8; ++j) *sums[k + j].out = a[j];
  }
  for (; k + 4 <= sums.size(); k += 4) {
    const double *v0 = sums[k].v, *v1 = sums[k + 1].v, *v2 = sums[k + 2].v, *v3 = sums[k + 3].v;
    double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      a0 += v0[i];
      a1 += v1[i];
      a2 += v2[i];
      a3 += v3[i];
    }
    *sums[k].out = a0;
    *sums[k + 1].out = a1;
    *sums[k + 2].out = a2;
    *sums[k + 3].out = a3;
  }
  for (; k < sums.size(); ++k) {
    double a = 0.0;
    for (std::size_t i = 0; i < n; ++i) a += sums[k].v[i];
    *sums[k].out = a;
  }
}

// Per-block scratch of the step: vectors of one zone, reused from zone to zone (no allocation per zone).
struct Scratch {
  std::vector<AgeSum> sums;
  std::vector<InEdge> edges;
  std::vector<double> A, E, Q, B, B_mother, M, D;
  std::vector<double> od, tr, ext, net, f, total, in_od, in_tr, ones, births_by_age;  // one age vector each
  LifeTable lt;
  void reserve(std::size_t n) {
    for (auto* v : {&od, &tr, &ext, &net, &f, &total, &in_od, &in_tr, &births_by_age}) v->resize(n);
    if (ones.size() != n) ones.assign(n, 1.0);
  }
  // The OD age–sex profile of (group, sex), or 1 everywhere when the migration has none.
  const double* profile_row(const OdMigration& m, int g, int s, std::size_t /*n*/) const {
    auto row = m.profile_row(g, s);
    return row.empty() ? ones.data() : row.data();
  }
};

// Survival ratios (and A4 split factors) of the last step, reused when the provider says mortality is unchanged.
struct MortalityCache {
  bool valid = false;
  MortalityInput kind = MortalityInput::death_rates;
  std::vector<double> S, phi;  // [zone][group][sex][age]; φ uses the first n_ages − 1 of each vector
  std::vector<double> e0, e65;  // [zone][group][sex]
};

// What a run keeps from step to step: the mortality cache, the per-zone lists (cleared, not reallocated, every
// step: their memory is not churned through the allocator) and the per-thread scratch.
struct RunWorkspace {
  MortalityCache cache;
  std::vector<std::vector<double>> zone_scale;
  std::vector<std::vector<AdjustedCell>> scaled, floored, overridden;
  ScratchPool<Scratch> scratch;
};

}  // namespace

// ---------------------------------------------------------------------------------------------------------------
void KeepPopulationsSink::base(const CohortArray& population, int year) {
  years.push_back(year);
  populations.push_back(population);
}
void KeepPopulationsSink::step(const StepResult& r) {
  years.push_back(r.context.end_year);
  populations.push_back(r.end);
}

// ---------------------------------------------------------------------------------------------------------------
namespace {

class StepRunner {
 public:
  // `writable`: the same schedules, which the step may change (ProjectionConfig::mortality_in_place).
  StepRunner(const ProjectionConfig& cfg, const CohortLayout& layout, const StepContext& ctx,
             StepSchedules& writable, const CohortArray& P, CohortArray& next, StepComponents& comp,
             RunWorkspace& ws)
      : cfg_(cfg), L_(layout), ctx_(ctx), sch_(writable), writable_(writable), P_(P), next_(next), c_(comp),
        cache_(ws.cache), zone_scale_(ws.zone_scale), scaled_(ws.scaled), floored_(ws.floored),
        overridden_(ws.overridden), scratch_(ws.scratch) {}

  void run();

 private:
  std::string where(int zone, int group, int sex, int age) const {
    std::string s = "year " + std::to_string(ctx_.start_year) + "–" + std::to_string(ctx_.end_year) + ", zone '" +
                    cfg_.zone_ids[uz(zone)] + "'";
    if (group >= 0) s += ", group '" + cfg_.group_names[uz(group)] + "'";
    if (sex >= 0) s += std::string(", sex ") + sex_name(static_cast<Sex>(sex));
    if (age >= 0) s += ", age " + std::to_string(L_.grid.age_start(age));
    return s;
  }
  void validate_sizes() const;
  // z · Σ rate over the out-edges of a zone that carry the group, in edge order: ((0 + z·r_1) + z·r_2) + …; on a
  // one-year grid the OD's own per-year sums (z·r = r exactly for z = 1).
  double out_rate_sum(const OdMigration& od, int zone, int group) const {
    const double zy = L_.grid.width_years;
    if (zy == 1.0) return od.out_rate_per_year(zone, group);
    double R = 0.0;
    for (int e : od.out_edges(zone)) {
      const OdFlow& f = od.flows()[uz(e)];
      if (f.group < 0 || f.group == group) R += zy * f.rate_per_year;
    }
    return R;
  }
  void validate_zone(int zone) const;
  double total_share(int zone, int group) const;
  bool cell_outflows(int zone, int group, int sex, double share, Scratch& sc, bool record, bool may_scale);
  void outflows(int zone, Scratch& sc);
  void step_zone(int zone, Scratch& s);
  void mortality(int zone, int group, int sex, Scratch& s, std::span<double> S, std::span<double> phi);
  // An age vector of a component array, or empty when the array is not kept.
  static std::span<double> part(CohortArray& a, int z, int g, int s) {
    return a.empty() ? std::span<double>() : a.ages(z, g, s);
  }
  const double* scale_of(int zone, int group, int sex) const {
    const auto& b = zone_scale_[uz(zone)];
    return b.empty() ? nullptr : b.data() + (uz(group) * kSexes + uz(sex)) * L_.ages();
  }

  const ProjectionConfig& cfg_;
  const CohortLayout& L_;
  const StepContext& ctx_;
  const StepSchedules& sch_;
  StepSchedules& writable_;
  const CohortArray& P_;
  CohortArray& next_;
  StepComponents& c_;
  MortalityCache& cache_;
  bool any_migration_ = false, has_od_ = false, has_ext_in_ = false, has_ext_out_ = false, has_net_ = false,
       has_tr_ = false, reuse_mortality_ = false, phi_wanted_ = false;
  // S_in_schedule_: the survival ratios of the step are rows of the mortality schedule (given as survival ratios, or
  // written there by this step when in_place_), not the cache.
  bool S_in_schedule_ = false, in_place_ = false;
  // fused_: the zones without scaled cells take the fused path (fused_state); tr_out_/tr_in_: per group, the one
  // transition out of / into it, or -1.
  bool fused_ = false;
  MigrationTiming timing_ = MigrationTiming::even;  // of this step: the schedules' timing, else the config's
  std::vector<int> tr_out_, tr_in_;
  // Survival ratios of one state and sex for this step.
  std::span<double> survival(int z, int g, int s) {
    const std::size_t nA = L_.ages();
    if (S_in_schedule_) return {writable_.mortality.data() + L_.offset(z, g, s), nA};
    return {cache_.S.data() + L_.offset(z, g, s), nA};
  }
  // conserve: per zone, the factor applied to every out-flow of a cell, [group][sex][age]; empty when no cell of
  // the zone was scaled (the common case: no state-sized array to write and read).
  std::vector<std::vector<double>>& zone_scale_;
  bool rate_bound_only_ = false;
  std::vector<double> profile_max_, transition_max_;  // phase 1 rate bound: per group; per transition
  std::vector<std::vector<AdjustedCell>>&scaled_, &floored_, &overridden_;  // per zone
  ScratchPool<Scratch>& scratch_;
};

void StepRunner::validate_sizes() const {
  const std::size_t states = L_.states(), A = L_.ages(), cells = L_.cells();
  const std::size_t rows = sch_.mortality_kind == MortalityInput::survival_ratios ? A
                           : (sch_.mortality_kind == MortalityInput::person_years &&
                              sch_.person_years_layout == LxLayout::five_year)
                               ? A
                               : uz(L_.grid.life_table_rows());
  auto check = [&](const std::vector<double>& v, std::size_t n, const char* name, const char* shape, bool optional) {
    if (optional && v.empty()) return;
    if (v.size() != n)
      throw InputError("year " + std::to_string(ctx_.start_year) + "–" + std::to_string(ctx_.end_year) +
                       ": schedule '" + name + "' has " + std::to_string(v.size()) + " values; expected " + shape +
                       " = " + std::to_string(n));
  };
  check(sch_.mortality, states * kSexes * rows, "mortality", "zones × groups × 2 sexes × life-table rows", false);
  if (sch_.mortality_kind == MortalityInput::person_years)
    check(sch_.radix_l0, states * kSexes, "radix_l0", "zones × groups × 2 sexes", false);
  check(sch_.asfr, states * A, "asfr", "zones × groups × ages", false);
  check(sch_.srb, uz(L_.zones), "srb", "zones", false);
  check(sch_.net_migrants, cells, "net_migrants", "zones × groups × 2 sexes × ages", true);
  check(sch_.net_migrants_per_person, cells, "net_migrants_per_person", "zones × groups × 2 sexes × ages", true);
  check(sch_.net_migrants_total, states, "net_migrants_total", "zones × groups", true);
  check(sch_.external_in, cells, "external_in", "zones × groups × 2 sexes × ages", true);
  check(sch_.external_out, cells, "external_out", "zones × groups × 2 sexes × ages", true);
  check(sch_.external_out_rate, cells, "external_out_rate", "zones × groups × 2 sexes × ages", true);
  for (const auto& t : sch_.transitions) {
    if (t.from_group < 0 || t.from_group >= L_.groups || t.to_group < 0 || t.to_group >= L_.groups ||
        t.from_group == t.to_group)
      throw InputError("group transition " + std::to_string(t.from_group) + " → " + std::to_string(t.to_group) +
                       ": groups must be two different groups of the projection");
    check(t.rate_per_year, kSexes * A, "transition rate_per_year", "2 sexes × ages", false);
    check(t.zone_multiplier, uz(L_.zones), "transition zone_multiplier", "zones", true);
  }
  std::vector<double> share_out(uz(L_.groups), 0.0);
  for (const auto& r : sch_.newborn_rules) {
    if (r.mother_group < 0 || r.mother_group >= L_.groups || r.child_group < 0 || r.child_group >= L_.groups)
      throw InputError("newborn rule: unknown group");
    check(r.zone_share, uz(L_.zones), "newborn rule zone_share", "zones", true);
    auto bad = [](double v) { return !std::isfinite(v) || v < 0.0 || v > 1.0; };
    if (bad(r.share)) throw InputError("newborn rule: share " + fmt(r.share) + " is not within 0..1");
    for (double v : r.zone_share)
      if (bad(v)) throw InputError("newborn rule: zone share " + fmt(v) + " is not within 0..1");
  }
}

void StepRunner::validate_zone(int z) const {
  const int A = L_.grid.n_ages;
  const std::size_t rows = sch_.mortality.size() / (L_.states() * kSexes);
  if (!(std::isfinite(sch_.srb[uz(z)]) && sch_.srb[uz(z)] > 0.0))
    throw InputError(where(z, -1, -1, -1) + ": sex ratio at birth " + fmt(sch_.srb[uz(z)]) +
                     " males per female birth; expected a number > 0");
  for (int g = 0; g < L_.groups; ++g) {
    const std::size_t st = uz(z) * uz(L_.groups) + uz(g);
    if (!sch_.net_migrants_total.empty() && !std::isfinite(sch_.net_migrants_total[st]))
      throw InputError(where(z, g, -1, -1) + ": net migrants total " + fmt(sch_.net_migrants_total[st]) +
                       "; expected a finite number of persons");
    for (int i = 0; i < (all_within(sch_.asfr.data() + st * uz(A), uz(A), 0.0, kMax) ? 0 : A); ++i) {
      const double f = sch_.asfr[st * uz(A) + uz(i)];
      if (!std::isfinite(f) || f < 0.0)
        throw InputError(where(z, g, 0, i) + ": fertility rate (asfr) " + fmt(f) +
                         "; expected births per woman per year ≥ 0");
    }
    for (int s = 0; s < 2; ++s) {
      const double* m = sch_.mortality.data() + (st * kSexes + uz(s)) * rows;
      const bool fine = reuse_mortality_ ||  // checked when it was first used
                        (sch_.mortality_kind == MortalityInput::death_rates && all_within(m, rows, 0.0, kMax)) ||
                        (sch_.mortality_kind == MortalityInput::survival_ratios && all_within(m, rows, 0.0, 1.0));
      for (std::size_t r = 0; r < (fine ? 0 : rows); ++r) {  // finds and reports the bad value
        const double v = m[r];
        bool ok = std::isfinite(v);
        const char* expect = "";
        switch (sch_.mortality_kind) {
          case MortalityInput::death_rates: ok = ok && v >= 0.0; expect = "a death rate mx ≥ 0"; break;
          case MortalityInput::person_years: ok = ok && v > 0.0; expect = "person-years L > 0"; break;
          case MortalityInput::survival_ratios: ok = ok && v >= 0.0 && v <= 1.0; expect = "a survival ratio in 0..1"; break;
        }
        if (!ok)
          throw InputError(where(z, g, s, -1) + ", mortality row " + std::to_string(r) + ": value " + fmt(v) +
                           "; expected " + expect);
      }
      const bool per_cell = !sch_.net_migrants.empty() || !sch_.net_migrants_per_person.empty() ||
                            !sch_.external_in.empty() || !sch_.external_out.empty() || !sch_.external_out_rate.empty();
      for (int i = 0; i < (per_cell ? A : 0); ++i) {  // no per-cell loop when there is nothing per cell to check
        const std::size_t c = L_.index(z, g, s, i);
        auto chk = [&](const std::vector<double>& v, const char* name, bool nonneg) {
          if (v.empty()) return;
          if (!std::isfinite(v[c]) || (nonneg && v[c] < 0.0))
            throw InputError(where(z, g, s, i) + ": " + name + " " + fmt(v[c]) +
                             (nonneg ? "; expected a finite number ≥ 0" : "; expected a finite number"));
        };
        chk(sch_.net_migrants, "net migrants", false);
        chk(sch_.net_migrants_per_person, "net migrants per person", false);
        chk(sch_.external_in, "external in-migrants", true);
        chk(sch_.external_out, "external out-migrants", true);
        chk(sch_.external_out_rate, "external out-migration rate", true);
      }
    }
  }
}

// A2 "total distributed in proportion to the start population": M[s][i] = T · P[s][i] / Σ P; returns T / Σ P.
double StepRunner::total_share(int z, int g) const {
  if (sch_.net_migrants_total.empty()) return 0.0;
  const double T = sch_.net_migrants_total[uz(z) * uz(L_.groups) + uz(g)];
  const double sumP = P_.vec(z, g, 0).sum() + P_.vec(z, g, 1).sum();
  if (T != 0.0 && !(sumP > 0.0))
    throw InputError(where(z, g, -1, -1) + ": net migrants total " + fmt(T) +
                     " cannot be distributed over an empty population");
  return sumP > 0.0 ? T / sumP : 0.0;
}

// The out-flows of one (zone, group, sex) by age as the origin loses them: sc.od, sc.tr, sc.ext (external out),
// sc.net (given net), scaled under `conserve` by one factor per cell (sc.f). Loops run over the age vector; sums
// keep a fixed order (edges by destination), so values do not depend on threads. Unscaled OD out-flows are
// (Σ rates)·profile·P, equal to what the destinations receive to rounding; a scaled cell's out-flows are the
// destinations' own products, so they receive exactly what it loses (B2).
// `record`: report scaled cells and apply the `error` policy (phase 1 only; phase 2 recomputes the same values).
// Returns whether any cell was scaled.
bool StepRunner::cell_outflows(int z, int g, int s, double share, Scratch& sc, bool record, bool may_scale) {
  const std::size_t nA = L_.ages();
  const double zy = L_.grid.width_years;
  const double* __restrict P = P_.data().data() + L_.offset(z, g, s);
  const std::size_t c0 = L_.offset(z, g, s);
  double* __restrict od = sc.od.data();
  double* __restrict tr = sc.tr.data();
  double* __restrict ext = sc.ext.data();
  double* __restrict net = sc.net.data();
  double* __restrict tot = sc.total.data();
  std::fill(od, od + nA, 0.0);
  std::fill(tr, tr + nA, 0.0);
  const OdMigration* odm = has_od_ ? sch_.od.get() : nullptr;
  const double* __restrict prof = odm ? sc.profile_row(*odm, g, s, nA) : nullptr;
  if (odm) {  // one pass: the sum of the edges' rates (in edge order) times profile and population
    const double R = out_rate_sum(*odm, z, g);
    for (std::size_t i = 0; i < nA; ++i) od[i] = R * prof[i] * P[i];
  }
  for (const auto& t : sch_.transitions)
    if (t.from_group == g) {
      const double m = t.zone_multiplier.empty() ? 1.0 : t.zone_multiplier[uz(z)];
      const double* __restrict r = t.rate_per_year.data() + uz(s) * nA;
      for (std::size_t i = 0; i < nA; ++i) tr[i] += zy * r[i] * m * P[i];
    }
  const double* __restrict xo = sch_.external_out.empty() ? nullptr : sch_.external_out.data() + c0;
  const double* __restrict xr = sch_.external_out_rate.empty() ? nullptr : sch_.external_out_rate.data() + c0;
  const double* __restrict nm = sch_.net_migrants.empty() ? nullptr : sch_.net_migrants.data() + c0;
  const double* __restrict np = sch_.net_migrants_per_person.empty() ? nullptr : sch_.net_migrants_per_person.data() + c0;
  // What is needed: the totals only where a cell may be scaled, external out and net only where present.
  const bool need_total = may_scale && cfg_.flow_policy != FlowPolicy::wpp;
  // Unscaled external out-flows e and given net n per cell, each optional term in its own loop (the same operations
  // per cell as one loop with branches, but every loop vectorises): e = 0 (+ xo) (+ z·xr·P); n = nm (+ np·P) + share·P.
  if (need_total || has_ext_out_) {
    for (std::size_t i = 0; i < nA; ++i) ext[i] = 0.0;
    if (xo)
      for (std::size_t i = 0; i < nA; ++i) ext[i] += xo[i];
    if (xr)
      for (std::size_t i = 0; i < nA; ++i) ext[i] += zy * xr[i] * P[i];
  }
  if (need_total || has_net_) {
    if (nm)
      for (std::size_t i = 0; i < nA; ++i) net[i] = nm[i];
    else
      for (std::size_t i = 0; i < nA; ++i) net[i] = 0.0;
    if (np)
      for (std::size_t i = 0; i < nA; ++i) net[i] += np[i] * P[i];
    for (std::size_t i = 0; i < nA; ++i) net[i] += share * P[i];
  }
  if (!need_total) return false;
  // What leaves a cell: OD, transfers, external out and the negative part of the given net.
  double over = 0.0;  // a flag set by select (vectorises)
  for (std::size_t i = 0; i < nA; ++i) {
    const double n = net[i];
    tot[i] = od[i] + tr[i] + ext[i] + (n < 0.0 ? -n : 0.0);
    over = tot[i] > P[i] ? 1.0 : over;
  }
  if (over == 0.0) return false;
  // Rare: cells whose out-flows exceed them are scaled by one factor f (B2).
  for (std::size_t i = 0; i < nA; ++i) sc.f[i] = 1.0;
  bool any = false;
  for (std::size_t i = 0; i < nA; ++i) {
    const double total = tot[i];
    if (!(total > P[i])) continue;
    const int age = static_cast<int>(i);
    if (cfg_.flow_policy == FlowPolicy::error)
      throw ProjectionError(where(z, g, s, age) + ": out-migration and transfers of " + fmt(total) +
                            " persons exceed the " + fmt(P[i]) +
                            " persons at the start of the step (flow policy 'error')");
    const double f = std::max(P[i] - kMigrationResidualPersons, 0.0) / total;
    if (record) scaled_[uz(z)].push_back({z, g, s, age, total - total * f});
    any = true;
    // The same products as the destinations compute, scaled.
    if (odm) {
      od[i] = 0.0;
      for (int e : odm->out_edges(z)) {
        const OdFlow& fl = odm->flows()[uz(e)];
        if (fl.group < 0 || fl.group == g) od[i] += zy * fl.rate_per_year * prof[i] * P[i] * f;
      }
    }
    tr[i] = 0.0;
    for (const auto& t : sch_.transitions)
      if (t.from_group == g)
        tr[i] += zy * t.rate_per_year[uz(s) * nA + i] * (t.zone_multiplier.empty() ? 1.0 : t.zone_multiplier[uz(z)]) *
                 P[i] * f;
    sc.f[i] = f;
    ext[i] = ext[i] * f;
    if (net[i] < 0.0) net[i] = net[i] * f;
  }
  return any;
}

// Phase 1: the conserve factors of every cell of a zone.
void StepRunner::outflows(int z, Scratch& sc) {
  const int G = L_.groups;
  const std::size_t nA = L_.ages();
  if (rate_bound_only_) {
    // Only per-person rates flow out: if they cannot add up to 1 at any age, no cell of the zone is scaled and
    // its population need not be read here (rounding moves a total by ~1e-15 relative, far inside the margin).
    const double zy = L_.grid.width_years;
    double worst = 0.0;
    for (int g = 0; g < G; ++g) {
      const double R = has_od_ ? out_rate_sum(*sch_.od, z, g) : 0.0;
      double T = 0.0;
      for (std::size_t k = 0; k < sch_.transitions.size(); ++k) {
        const auto& t = sch_.transitions[k];
        if (t.from_group == g) T += zy * transition_max_[k] * (t.zone_multiplier.empty() ? 1.0 : t.zone_multiplier[uz(z)]);
      }
      worst = std::max(worst, R * profile_max_[uz(g)] + T);
    }
    if (worst <= 1.0 - 1e-6) return;
  }
  sc.reserve(nA);
  for (int g = 0; g < G; ++g) {
    const double share = total_share(z, g);
    for (int s = 0; s < 2; ++s) {
      if (cell_outflows(z, g, s, share, sc, true, true)) {
        auto& block = zone_scale_[uz(z)];
        if (block.empty()) block.assign(uz(G) * kSexes * nA, 1.0);
        std::copy(sc.f.begin(), sc.f.begin() + static_cast<std::ptrdiff_t>(nA),
                  block.begin() + static_cast<std::ptrdiff_t>((uz(g) * kSexes + uz(s)) * nA));
      }
    }
  }
}

// Survival ratios S (and, when wanted, the A4 split φ) of one state and sex for this step: from the cache when the
// provider said mortality did not change, else built from the schedule and stored in the cache.
void StepRunner::mortality(int z, int g, int s, Scratch& sc, std::span<double> S, std::span<double> phi) {
  const std::size_t st = (uz(z) * uz(L_.groups) + uz(g)) * kSexes + uz(s);
  const std::size_t es = st;  // [zone][group][sex] index for e0/e65
  if (reuse_mortality_) {
    c_.e0[es] = cache_.e0[es];
    c_.e65[es] = cache_.e65[es];
    return;
  }
  const std::size_t rows = sch_.mortality.size() / (L_.states() * kSexes);
  std::span<const double> row(sch_.mortality.data() + st * rows, rows);
  switch (sch_.mortality_kind) {
    case MortalityInput::survival_ratios:  // S is the schedule's row itself
      break;
    case MortalityInput::person_years: {
      const LxLayout layout = L_.grid.width_years == 1 ? LxLayout::single_year : sch_.person_years_layout;
      survival_ratios(row, layout, sch_.radix_l0[st], L_.grid, S);
      double T = 0.0;
      for (std::size_t k = rows; k-- > 0;) T += row[k];
      c_.e0[es] = T / sch_.radix_l0[st];
      break;
    }
    case MortalityInput::death_rates: {
      try {
        if (L_.grid.width_years == 1)
          build_single_year_life_table(row, static_cast<Sex>(s), cfg_.life_table_method, sc.lt);
        else
          build_abridged_life_table(row, static_cast<Sex>(s), cfg_.life_table_method, sc.lt);
      } catch (const InputError& e) {
        throw InputError(where(z, g, s, -1) + ": life table from mx: " + e.what());
      }
      survival_ratios(sc.lt, L_.grid, S);  // in place: over the mx row the life table was built from
      c_.e0[es] = sc.lt.ex[0];
      for (std::size_t r = 0; r < sc.lt.rows(); ++r)
        if (sc.lt.age[r] == 65.0) {
          c_.e65[es] = sc.lt.ex[r];
          break;
        }
      if (!phi.empty()) age_period_death_split(sc.lt, L_.grid.open_age(), phi);
      break;
    }
  }
  cache_.e0[es] = c_.e0[es];
  cache_.e65[es] = c_.e65[es];
}

// Phase 2: in-flows, net migrants, and the Part A step for every group of the zone.
void StepRunner::step_zone(int z, Scratch& sc) {
  const int A = L_.grid.n_ages, G = L_.groups;
  const std::size_t nA = uz(A);
  const double zy = L_.grid.width_years;
  const OdMigration* od = has_od_ ? sch_.od.get() : nullptr;
  const MigrationTiming timing = timing_;
  const bool keep = cfg_.cell_components;
  sc.reserve(nA);
  sc.M.resize(uz(G) * kSexes * nA);
  sc.D.resize(uz(G) * kSexes * nA);
  auto migrants = [&](int g, int s) -> std::span<double> {
    if (!any_migration_) return {};
    return keep ? c_.net_migrants.ages(z, g, s) : std::span<double>(sc.M.data() + (uz(g) * kSexes + uz(s)) * nA, nA);
  };

  // Part A buffers of every group and sex.
  const std::size_t per_gs = nA;
  sc.A.resize(uz(G) * 2 * per_gs);
  sc.E.resize(uz(G) * 2 * per_gs);
  sc.Q.resize(uz(G) * 2 * per_gs);
  sc.B.resize(uz(G) * 2);
  const bool want_phi = phi_wanted_;
  auto buffers = [&](int g, int s) {
    const std::size_t o = (uz(g) * 2 + uz(s)) * per_gs;
    return SexStepBuffers{{sc.A.data() + o, per_gs}, {sc.E.data() + o, per_gs},
                          keep ? c_.deaths.ages(z, g, s) : std::span<double>(sc.D.data() + o, per_gs),
                          {sc.Q.data() + o, per_gs}};
  };
  auto cached = [&](std::vector<double>& v, int g, int s) {
    return v.empty() ? std::span<double>() : std::span<double>(v.data() + L_.offset(z, g, s), per_gs);
  };
  // Survival ratios (life tables) of every group and sex: they do not depend on migration.
  for (int g = 0; g < G; ++g)
    for (int s = 0; s < 2; ++s)
      mortality(z, g, s, sc, survival(z, g, s), want_phi ? cached(cache_.phi, g, s).first(per_gs - 1) : std::span<double>());

  const bool fused = fused_ && zone_scale_[uz(z)].empty();
  if (fused) {
    for (int g = 0; g < G; ++g) {
      double R = 0.0;  // as cell_outflows: the edges' rates in edge order
      if (od) R = out_rate_sum(*od, z, g);
      for (int s = 0; s < 2; ++s) {
        FusedState f{};
        f.P = P_.data().data() + L_.offset(z, g, s);
        f.has_od = od != nullptr;
        f.has_tr = has_tr_;
        f.zy = zy;
        if (od) {
          f.prof = sc.profile_row(*od, g, s, nA);
          f.R = R;
          sc.edges.clear();
          for (const OdFlow& fl : od->in_flows(z)) {
            if (fl.group >= 0 && fl.group != g) continue;
            sc.edges.push_back({zy * fl.rate_per_year, P_.data().data() + L_.offset(fl.origin, g, s),
                                scale_of(fl.origin, g, s)});
          }
          add_in_flows(sc.in_od.data(), f.prof, sc.edges, nA);
          f.in_od = sc.in_od.data();
        }
        if (const int k = tr_out_[uz(g)]; k >= 0) {
          const auto& t = sch_.transitions[uz(k)];
          f.tr_rate = t.rate_per_year.data() + uz(s) * nA;
          f.tr_mult = t.zone_multiplier.empty() ? 1.0 : t.zone_multiplier[uz(z)];
        }
        if (const int k = tr_in_[uz(g)]; k >= 0) {
          const auto& t = sch_.transitions[uz(k)];
          f.in_rate = t.rate_per_year.data() + uz(s) * nA;
          f.in_mult = t.zone_multiplier.empty() ? 1.0 : t.zone_multiplier[uz(z)];
          f.in_P = P_.data().data() + L_.offset(z, t.from_group, s);
        }
        const auto b = buffers(g, s);
        f.M = migrants(g, s).data();
        f.A = b.A.data();
        f.E = b.E.data();
        f.n = nA;
        fused_state(f);
      }
    }
    for (int g = 0; g < G; ++g)
      for (int s = 0; s < 2; ++s) survive_steps_2_3(L_.grid, survival(z, g, s), buffers(g, s));
  }

  // Net migrants M per cell (B1): own out-flows recomputed (phase 1 values), in-flows per edge over the age vector,
  // every sum in a fixed order (edges by origin).
  if (any_migration_ && !fused) {
    for (int g = 0; g < G; ++g) {
      const double share = total_share(z, g);
      for (int s = 0; s < 2; ++s) {
        cell_outflows(z, g, s, share, sc, false, !zone_scale_[uz(z)].empty());
        double* __restrict in_od = sc.in_od.data();
        double* __restrict in_tr = sc.in_tr.data();
        std::fill(in_tr, in_tr + nA, 0.0);
        if (!od) std::fill(in_od, in_od + nA, 0.0);
        if (od) {
          const double* prof = sc.profile_row(*od, g, s, nA);
          sc.edges.clear();
          for (const OdFlow& f : od->in_flows(z)) {
            if (f.group >= 0 && f.group != g) continue;
            sc.edges.push_back({zy * f.rate_per_year, P_.data().data() + L_.offset(f.origin, g, s),
                                scale_of(f.origin, g, s)});
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
        double* __restrict M = migrants(g, s).data();
        const double* __restrict o_od = sc.od.data();
        const double* __restrict o_ext = sc.ext.data();
        const double* __restrict o_net = sc.net.data();
        const double* __restrict o_tr = sc.tr.data();
        for (std::size_t i = 0; i < nA; ++i) M[i] = 0.0;
        if (has_od_)
          for (std::size_t i = 0; i < nA; ++i) M[i] += in_od[i] - o_od[i];
        if (has_ext_in_) {
          if (xin)
            for (std::size_t i = 0; i < nA; ++i) M[i] += xin[i];
          else
            for (std::size_t i = 0; i < nA; ++i) M[i] += 0.0;
        }
        if (has_ext_out_)
          for (std::size_t i = 0; i < nA; ++i) M[i] -= o_ext[i];
        if (has_net_)
          for (std::size_t i = 0; i < nA; ++i) M[i] += o_net[i];
        if (has_tr_)
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
        if (cfg_.flow_policy == FlowPolicy::wpp) {
          const double* P = P_.data().data() + c0;
          for (int i = 0; i < A; ++i) {
            const double before = M[uz(i)];
            if (P[i] + before <= 0.0) {
              M[uz(i)] = kMigrationResidualPersons - P[i];
              if (!c_.migration_override.empty()) c_.migration_override.at(z, g, s, i) = M[uz(i)] - before;
              overridden_[uz(z)].push_back({z, g, s, i, M[uz(i)] - before});
            }
          }
        }
      }
    }
  }

  // Part A steps 1–4 for every group and sex (1–3 done already on the fused path); births pooled per group.
  for (int g = 0; g < G; ++g) {
    if (!fused)
      for (int s = 0; s < 2; ++s)
        survive_cohorts(L_.grid, P_.ages(z, g, s), survival(z, g, s), migrants(g, s), timing, buffers(g, s));
    const std::size_t st = uz(z) * uz(G) + uz(g);
    std::span<const double> F(sch_.asfr.data() + st * nA, nA);
    const bool kept = !c_.births_by_mother_age.empty();
    std::span<double> B = kept ? std::span<double>(c_.births_by_mother_age.data() + st * nA, nA)
                               : std::span<double>(sc.births_by_age.data(), nA);
    std::span<double> X = kept ? std::span<double>(c_.women_exposure.data() + st * nA, nA) : std::span<double>();
    const double births = births_by_age_of_mother(L_.grid, F, buffers(g, 0), B, X);
    const auto [bf, bm] = births_by_sex(births, sch_.srb[uz(z)]);
    sc.B[uz(g) * 2 + 0] = bf;
    sc.B[uz(g) * 2 + 1] = bm;
  }

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

  // Part A steps 5–7.
  for (int g = 0; g < G; ++g)
    for (int s = 0; s < 2; ++s) {
      const double Bs = sc.B[uz(g) * 2 + uz(s)];
      const std::size_t ss = (uz(z) * uz(G) + uz(g)) * kSexes + uz(s);
      c_.births[ss] = Bs;
      const auto buf = buffers(g, s);
      // The per-cell floor adjustments are kept only with cell components; the floored cells are listed always.
      std::span<double> adj = keep ? c_.floor_adjustment.ages(z, g, s) : std::span<double>();
      const int floored = close_step(L_.grid, Bs, survival(z, g, s), migrants(g, s), timing, buf,
                                     next_.ages(z, g, s), adj);
      if (floored > 0) {
        for (int i = 0; i < A; ++i)
          if (!(buf.Q[uz(i)] >= 0.0)) {  // floored (A3 step 7): adjustment kFloorPersons − Q, as close_step's
            if (cfg_.flow_policy == FlowPolicy::error)
              throw ProjectionError(where(z, g, s, i) + ": the population would fall to " +
                                    fmt(buf.Q[uz(i)]) + " persons (flow policy 'error')");
            floored_[uz(z)].push_back({z, g, s, i, kFloorPersons - buf.Q[uz(i)]});
          }
      }
      if (!c_.deaths_age_period.empty())
        age_period_deaths(buf.D, cached(cache_.phi, g, s).first(per_gs - 1), c_.deaths_age_period.ages(z, g, s));
    }

  // Per state and sex, the sums over age of the deaths D and the net migrants M, each in age order.
  sc.sums.clear();
  for (int g = 0; g < G; ++g)
    for (int s = 0; s < 2; ++s) {
      const std::size_t ss = (uz(z) * uz(G) + uz(g)) * kSexes + uz(s);
      sc.sums.push_back({buffers(g, s).D.data(), &c_.deaths_by_state[ss]});
      if (any_migration_) sc.sums.push_back({migrants(g, s).data(), &c_.net_migrants_by_state[ss]});
    }
  sum_ages_interleaved(sc.sums, nA);
}

void StepRunner::run() {
  const std::size_t states = L_.states(), A = L_.ages();
  const bool death_rates = sch_.mortality_kind == MortalityInput::death_rates;
  phi_wanted_ = cfg_.cell_components && L_.grid.width_years == 1 && death_rates;
  // Reuse last step's survival ratios only when the provider says mortality did not change and the cache holds
  // everything this step needs (same layout, φ when age-period deaths are kept).
  const bool given_S = sch_.mortality_kind == MortalityInput::survival_ratios;
  reuse_mortality_ = sch_.mortality_unchanged && cache_.valid && cache_.kind == sch_.mortality_kind &&
                     (given_S || cache_.S.size() == L_.cells()) && (!phi_wanted_ || cache_.phi.size() == L_.cells());
  // In place: single-year death rates (one row per age, so each row is overwritten by its own survival ratios) in a
  // lean run without indicators (nothing else reads mx after the step).
  in_place_ = cfg_.mortality_in_place && death_rates && !reuse_mortality_ && L_.grid.width_years == 1 &&
              !cfg_.cell_components && !cfg_.indicators && sch_.mortality.size() == L_.cells();
  S_in_schedule_ = given_S || in_place_;
  validate_sizes();
  for_each_zone<Scratch>(L_.zones, scratch_, [&](int z, Scratch&) { validate_zone(z); });

  has_od_ = sch_.od && !sch_.od->empty();
  has_ext_in_ = !sch_.external_in.empty();
  has_ext_out_ = !sch_.external_out.empty() || !sch_.external_out_rate.empty();
  has_net_ = !sch_.net_migrants.empty() || !sch_.net_migrants_per_person.empty() || !sch_.net_migrants_total.empty();
  has_tr_ = !sch_.transitions.empty();
  any_migration_ = has_od_ || has_ext_in_ || has_ext_out_ || has_net_ || has_tr_;
  const bool keep = cfg_.cell_components;
  timing_ = sch_.migration_timing.value_or(cfg_.migration_timing);
  fused_ = any_migration_ && !keep && timing_ == MigrationTiming::even && !has_ext_in_ &&
           !has_ext_out_ && !has_net_ && cfg_.flow_policy != FlowPolicy::wpp;
  tr_out_.assign(uz(L_.groups), -1);
  tr_in_.assign(uz(L_.groups), -1);
  for (std::size_t k = 0; k < sch_.transitions.size() && fused_; ++k) {
    int& o = tr_out_[uz(sch_.transitions[k].from_group)];
    int& i = tr_in_[uz(sch_.transitions[k].to_group)];
    if (o >= 0 || i >= 0) fused_ = false;  // two transitions out of or into one group: the general path
    o = i = static_cast<int>(k);
  }

  // Births by age of mother and their exposure: every cell is written by the step (sized, not cleared); not kept
  // at all by a lean run without indicators (they are state-sized arrays).
  const bool births_by_age_kept = keep || cfg_.indicators;
  for (auto* v : {&c_.births_by_mother_age, &c_.women_exposure}) {
    if (births_by_age_kept) v->resize(states * A);
    else std::vector<double>().swap(*v);
  }
  ensure(c_.births, states * kSexes);
  ensure(c_.newborn_transfer_in, sch_.newborn_rules.empty() ? 0 : states * kSexes);
  ensure(c_.newborn_transfer_out, sch_.newborn_rules.empty() ? 0 : states * kSexes);
  ensure(c_.e0, states * kSexes, kNaN);
  ensure(c_.e65, states * kSexes, kNaN);
  ensure(c_.deaths_by_state, states * kSexes);
  ensure(c_.net_migrants_by_state, states * kSexes);
  // Arrays every cell of which the step writes are only sized, not cleared (a clear is a full pass over memory).
  ensure_sized(c_.deaths, L_, keep);
  ensure_sized(c_.deaths_age_period, L_, phi_wanted_);
  ensure_sized(c_.od_in, L_, keep && has_od_);
  ensure_sized(c_.od_out, L_, keep && has_od_);
  ensure_sized(c_.external_in, L_, keep && has_ext_in_);
  ensure_sized(c_.external_out, L_, keep && has_ext_out_);
  ensure_sized(c_.net_given, L_, keep && has_net_);
  ensure_sized(c_.transfer_in, L_, keep && has_tr_);
  ensure_sized(c_.transfer_out, L_, keep && has_tr_);
  ensure(c_.migration_override, L_, keep && any_migration_ && cfg_.flow_policy == FlowPolicy::wpp);
  ensure_sized(c_.net_migrants, L_, keep && any_migration_);
  ensure_sized(c_.floor_adjustment, L_, keep);
  if (!reuse_mortality_) {
    cache_.valid = false;
    cache_.kind = sch_.mortality_kind;
    if (S_in_schedule_) std::vector<double>().swap(cache_.S);
    else cache_.S.resize(L_.cells());
    cache_.phi.resize(phi_wanted_ ? L_.cells() : 0);
    cache_.e0.assign(states * kSexes, kNaN);
    cache_.e65.assign(states * kSexes, kNaN);
  }
  auto reset = [&](auto& per_zone) {
    if (per_zone.size() != uz(L_.zones)) per_zone.assign(uz(L_.zones), {});
    else
      for (auto& v : per_zone) v.clear();
  };
  reset(zone_scale_);
  reset(scaled_);
  reset(floored_);
  reset(overridden_);

  // Phase 1 is needed only where out-flows may exceed a cell; `wpp` never scales. With rate-only out-flows a
  // zone's rate bound decides without reading its population.
  rate_bound_only_ = sch_.external_out.empty() && sch_.external_out_rate.empty() && sch_.net_migrants.empty() &&
                     sch_.net_migrants_per_person.empty() && sch_.net_migrants_total.empty();
  if (rate_bound_only_) {
    profile_max_.assign(uz(L_.groups), 1.0);
    if (has_od_)
      for (int g = 0; g < L_.groups; ++g)
        for (int s = 0; s < 2; ++s)
          for (double p : sch_.od->profile_row(g, s)) profile_max_[uz(g)] = std::max(profile_max_[uz(g)], p);
    transition_max_.clear();
    for (const auto& t : sch_.transitions)
      transition_max_.push_back(*std::max_element(t.rate_per_year.begin(), t.rate_per_year.end()));
  }
  if (any_migration_ && cfg_.flow_policy != FlowPolicy::wpp)
    for_each_zone<Scratch>(L_.zones, scratch_, [&](int z, Scratch& scratch) { outflows(z, scratch); });
  for_each_zone<Scratch>(L_.zones, scratch_, [&](int z, Scratch& scratch) { step_zone(z, scratch); });
  cache_.valid = true;
  if (in_place_) {  // the schedule now holds what the next step needs if mortality does not change
    writable_.mortality_kind = MortalityInput::survival_ratios;
    cache_.kind = MortalityInput::survival_ratios;
  }

  auto gather = [](std::vector<std::vector<AdjustedCell>>& per_zone, std::vector<AdjustedCell>& out) {
    out.clear();
    for (auto& v : per_zone) out.insert(out.end(), v.begin(), v.end());
  };
  gather(scaled_, c_.scaled_flows);
  gather(floored_, c_.floored);
  gather(overridden_, c_.overridden);
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------------
void check_threads(int threads, const std::string& option) {
  if (threads < 0 || threads > kMaxThreads)
    throw InputError(option + ": " + std::to_string(threads) + "; expected 0 (all cores) or 1 to " +
                     std::to_string(kMaxThreads) + " worker threads");
}

Projection::Projection(ProjectionConfig config, CohortArray base_population)
    : config_(std::move(config)), layout_(base_population.layout()), population_(std::move(base_population)) {
  check_threads(config_.threads, "projection threads");
  config_.grid.validate();
  if (!(layout_.grid == config_.grid))
    throw InputError("base population: its age grid does not match the projection's (" +
                     std::to_string(layout_.grid.n_ages) + " ages of " + std::to_string(layout_.grid.width_years) +
                     " years vs " + std::to_string(config_.grid.n_ages) + " of " +
                     std::to_string(config_.grid.width_years) + ")");
  if (layout_.zones < 1 || layout_.groups < 1) throw InputError("base population: no zones or no groups");
  if (config_.steps < 0) throw InputError("projection: the number of steps must be ≥ 0");
  if (config_.zone_ids.empty())
    for (int z = 0; z < layout_.zones; ++z) config_.zone_ids.push_back(std::to_string(z));
  if (config_.group_names.empty()) {
    if (layout_.groups == 1) config_.group_names = {"total"};
    else
      for (int g = 0; g < layout_.groups; ++g) config_.group_names.push_back("group" + std::to_string(g));
  }
  if (config_.zone_ids.size() != uz(layout_.zones))
    throw InputError("projection: " + std::to_string(config_.zone_ids.size()) + " zone ids for " +
                     std::to_string(layout_.zones) + " zones");
  if (config_.group_names.size() != uz(layout_.groups))
    throw InputError("projection: " + std::to_string(config_.group_names.size()) + " group names for " +
                     std::to_string(layout_.groups) + " groups");
  for (int z = 0; z < layout_.zones; ++z)
    for (int g = 0; g < layout_.groups; ++g)
      for (int s = 0; s < 2; ++s)
        for (int i = 0; i < layout_.grid.n_ages; ++i) {
          const double v = population_.at(z, g, s, i);
          if (!std::isfinite(v) || v < 0.0)
            throw InputError("base population, zone '" + config_.zone_ids[uz(z)] + "', group '" +
                             config_.group_names[uz(g)] + "', sex " + sex_name(static_cast<Sex>(s)) + ", age " +
                             std::to_string(layout_.grid.age_start(i)) + ": " + fmt(v) +
                             " persons; expected a finite number ≥ 0");
        }
  for (const auto& a : config_.aggregates)
    for (int z : a.zones)
      if (z < 0 || z >= layout_.zones)
        throw InputError("aggregate '" + a.name + "': zone index " + std::to_string(z) + " is not a zone");
  next_ = CohortArray(layout_);
}

const CohortArray& Projection::run(const ScheduleProvider& provider, ResultSink& sink) {
  check_threads(config_.threads, "projection threads");
  const int threads = config_.threads > 0 ? config_.threads : tbb::task_arena::automatic;
  // More threads than cores (asked for on purpose): oneTBB's default limit is the number of cores, and an arena
  // above it prints "TBB Warning: The number of workers is currently limited …" on stderr. Raising the limit for
  // the run gives the threads asked for, without the warning.
  std::optional<tbb::global_control> limit;
  if (threads > tbb::info::default_concurrency())
    limit.emplace(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
  tbb::task_arena arena(threads);
  const std::vector<ZoneAggregate> aggregates = with_total_aggregate(config_.aggregates, layout_.zones);
  StepSchedules schedules;
  StepComponents components;
  IndicatorTable indicators;
  RunWorkspace workspace;  // lives for one run: survival ratios of the last step, per-zone lists, scratch
  sink.base(population_, config_.base_year);
  for (int step = 0; step < config_.steps; ++step) {
    if (config_.cancel && config_.cancel->load()) throw ProjectionError("projection cancelled");
    StepContext ctx{step, config_.base_year + step * config_.grid.width_years,
                    config_.base_year + (step + 1) * config_.grid.width_years};
    provider(ctx, schedules);
    arena.execute([&] {
      StepRunner(config_, layout_, ctx, schedules, population_, next_, components, workspace).run();
      if (config_.step_adjuster) config_.step_adjuster(ctx, population_, next_, components);
      if (config_.indicators) {
        std::span<const double> mx;
        if (schedules.mortality_kind == MortalityInput::death_rates) mx = schedules.mortality;
        compute_indicators(population_, next_, components, schedules.asfr, mx, config_.zone_ids,
                           config_.group_names, aggregates, config_.extra_age_bands, config_.life_table_method,
                           indicators);
      }
    });
    sink.step(StepResult{ctx, population_, next_, components, config_.indicators ? &indicators : nullptr});
    schedules.mortality_unchanged = false;  // a hint holds for one step only
    std::swap(population_, next_);
    if (config_.progress) config_.progress(step + 1, config_.steps);
  }
  return population_;
}

}  // namespace cohortgis
