// SPDX-License-Identifier: Apache-2.0
// The per-step adjuster of a scenario file's population-dependent schedules (Scenario::adjust_schedules): relocation
// by structure, quotas, gravity OD, and the OD index kept while fixed OD rates do not change. The inputs are read in
// build_migration.cpp.
#include "scenario_build.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <tuple>

#include "cohortgis/engine/migration_models.hpp"
#include "cohortgis/geodata/measures.hpp"
#include "cohortgis/scenarios/models.hpp"
#include "schedule_time.hpp"

namespace cohortgis::scenarios::detail {

namespace {

bool same_flows(const std::vector<OdFlow>& a, const std::vector<OdFlow>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t k = 0; k < a.size(); ++k)
    if (a[k].origin != b[k].origin || a[k].destination != b[k].destination || a[k].group != b[k].group ||
        std::memcmp(&a[k].rate_per_year, &b[k].rate_per_year, sizeof(double)) != 0)
      return false;
  return true;
}

// The OD index of the last step whose rates did not depend on the population (no gravity; a profile used as given,
// or none): while a step's source flows equal those it was built from (every step of od_static, a period's steps of
// od_by_step) it is handed on instead of being validated, sorted and indexed again every step. Shared by the
// projections of one scenario, which an ensemble runs in parallel: hence the mutex.
struct FixedOdCache {
  std::mutex mutex;
  const std::vector<OdFlow>* source = nullptr;  // into the adjuster's Dynamic, which outlives the cache
  std::shared_ptr<const OdMigration> od;
};

}  // namespace

// The population-dependent part of each step (Scenario::adjust_schedules).
std::function<void(const StepContext&, const CohortArray&, StepSchedules&, std::span<const double>)> make_adjuster(
    const Build& b, Dynamic dyn) {
  if (!dyn.any() && dyn.od_static.empty()) return {};
  const int Z = b.Z, G = b.G, A = b.A, z = b.z;
  const AgeGrid grid = b.sc.grid;
  const std::vector<std::string> ids = b.sc.zone_ids();
  auto d = std::make_shared<const Dynamic>(std::move(dyn));
  const bool fixed_od = !d->gravity && (d->od_profile.empty() || d->od_profile_as_given);
  auto cache = fixed_od ? std::make_shared<FixedOdCache>() : nullptr;
  return [d, Z, G, A, z, grid, ids, cache](const StepContext& ctx, const CohortArray& start, StepSchedules& s,
                                           std::span<const double> od_multiplier) {
    // A trajectory's multiplier of the fixed OD rates out of zone o (1 when not given).
    const auto scale = [&](int origin) { return od_multiplier.empty() ? 1.0 : od_multiplier[uz(origin)]; };
    const CohortLayout& layout = start.layout();
    const int y0 = ctx.start_year + 1, y1 = ctx.end_year;
    for (const auto& r : d->relocations) {
      const int years = years_in_step(r.r.first_year, r.r.last_year, y0, y1);
      if (years == 0) continue;
      const std::vector<double> prof = r.profile.empty() ? population_shares(start, r.r.from, r.r.group) : r.profile;
      if (s.external_in.empty()) s.external_in.assign(layout.cells(), 0.0);
      if (s.external_out.empty()) s.external_out.assign(layout.cells(), 0.0);
      for (int sx = 0; sx < 2; ++sx)
        for (int i = 0; i < A; ++i) {
          // A programme may move at most half of a cell in one step (more is a planning error, reported rather than
          // silently cut); with the cell's other out-flows it may still be scaled under conserve, and then arrives
          // scaled as it left (the pair below), so the books stay exact.
          const std::size_t src = layout.index(r.r.from, r.r.group, sx, i), dst = layout.index(r.r.to, r.r.group, sx, i);
          const double x = r.r.persons_per_year * years * prof[uz(sx * A + i)];
          if (x > 0.5 * start.data()[src] && x > 0.0)
            throw ProjectionError("relocation '" + r.r.name + "': in " + std::to_string(y0) + "-" + std::to_string(y1) +
                                  " it would move " + fmt(x) + " persons (" + sex_name(static_cast<Sex>(sx)) +
                                  ", age group starting at " + std::to_string(grid.age_start(i)) + ") out of " +
                                  fmt(start.data()[src]) + " in the origin zone; at most half of an age group can "
                                  "move in one step: lower persons_per_year or spread the programme over more years");
          s.external_out[src] += x;
          s.external_in[dst] += x;
          if (x > 0.0) s.external_pairs.push_back({src, dst, x});
        }
    }
    for (const auto& q : d->quotas) {
      const int years = years_in_step(q.first_year, q.last_year, y0, y1);
      if (years == 0) continue;
      // τ = quota / eligible population at the start, so X = z·τ·P sums to the quota over the step's years.
      std::vector<double> eligible(uz(2 * A), 0.0);
      double sum = 0.0;
      for (int sx = 0; sx < 2; ++sx)
        for (int i = 0; i < A; ++i) {
          const int age = grid.age_start(i);
          if (age >= q.from_age && (q.to_age < 0 || (i < A - 1 && age + z - 1 <= q.to_age))) {
            eligible[uz(sx * A + i)] = 1.0;
            for (int zi = 0; zi < Z; ++zi) sum += start.at(zi, q.from, sx, i);
          }
        }
      const double tau = sum > 0 ? q.per_year * years / (z * sum) : 0.0;
      if (z * tau > 1.0)
        throw ProjectionError("transition quota of " + fmt(q.per_year) + " a year exceeds the eligible population " +
                              fmt(sum) + " in the step ending " + std::to_string(y1));
      GroupTransition tr{q.from, q.to, std::vector<double>(uz(2 * A), 0.0), {}};
      for (std::size_t c = 0; c < eligible.size(); ++c) tr.rate_per_year[c] = eligible[c] * tau;
      s.transitions.push_back(std::move(tr));
    }
    if (!d->od_cells_by_step.empty()) {
      if (s.external_in.empty()) s.external_in.assign(layout.cells(), 0.0);
      if (s.external_out.empty()) s.external_out.assign(layout.cells(), 0.0);
      for (const auto& f : d->od_cells_by_step[uz(ctx.step)])
        for (int g = 0; g < G; ++g) {
          if (f.group >= 0 && f.group != g) continue;
          // X = z · r · P at the start of the step, the flow convention of docs/ccmpp.md B1.
          const double x = z * f.rate_per_year * scale(f.origin) * start.at(f.origin, g, f.sex, f.age);
          const std::size_t src = layout.index(f.origin, g, f.sex, f.age);
          const std::size_t dst = layout.index(f.destination, g, f.sex, f.age);
          s.external_out[src] += x;
          s.external_in[dst] += x;
          if (x > 0.0) s.external_pairs.push_back({src, dst, x});
        }
    }
    if (!d->od_counts_by_step.empty()) {
      if (s.external_in.empty()) s.external_in.assign(layout.cells(), 0.0);
      if (s.external_out.empty()) s.external_out.assign(layout.cells(), 0.0);
      std::vector<double> leaving(layout.cells(), 0.0);
      for (const auto& c : d->od_counts_by_step[uz(ctx.step)]) {
        const std::size_t src = layout.index(c.origin, c.group, c.sex, c.age);
        leaving[src] += c.persons;
        // The destination receives exactly what the origin loses, so the origin must hold the persons.
        if (leaving[src] > start.data()[src] && c.persons > 0)
          throw ProjectionError("migration.od.counts: in " + std::to_string(y0) + "-" + std::to_string(y1) + " " +
                                fmt(leaving[src]) + " persons (" + sex_name(static_cast<Sex>(c.sex)) +
                                ", age group starting at " + std::to_string(grid.age_start(c.age)) +
                                ") would leave zone " + ids[uz(c.origin)] + " for " + ids[uz(c.destination)] + "; it holds " +
                                fmt(start.data()[src]) + "; expected counts at most the origin's population");
        const std::size_t dst = layout.index(c.destination, c.group, c.sex, c.age);
        s.external_out[src] += c.persons;
        s.external_in[dst] += c.persons;
        if (c.persons > 0.0) s.external_pairs.push_back({src, dst, c.persons});
      }
    }
    const std::vector<OdFlow>& source = d->od_by_step.empty() ? d->od_static : d->od_by_step[uz(ctx.step)];
    std::unique_lock<std::mutex> fixed;
    if (cache && od_multiplier.empty()) {  // a trajectory's scaled rates are its own
      fixed = std::unique_lock<std::mutex>(cache->mutex);
      if (cache->od && (cache->source == &source || same_flows(*cache->source, source))) {
        cache->source = &source;
        s.od = cache->od;  // the same flows built below give the same index, bit for bit
        return;
      }
    }
    std::vector<OdFlow> flows = source;
    if (!od_multiplier.empty())
      for (OdFlow& f : flows) f.rate_per_year *= od_multiplier[uz(f.origin)];
    if (d->gravity) {
      // Destination masses: the start population of the flow's group (all groups when none is named).
      std::vector<double> mass(uz(Z), 0.0);
      for (int zi = 0; zi < Z; ++zi)
        for (int g = 0; g < G; ++g)
          if (d->gravity->group < 0 || g == d->gravity->group)
            for (int sx = 0; sx < 2; ++sx)
              for (int i = 0; i < A; ++i) mass[uz(zi)] += start.at(zi, g, sx, i);
      const std::vector<double> r = gravity_rates(d->gravity->out_rate, mass, d->gravity->distance, d->gravity->beta, d->gravity->gamma);
      for (int o = 0; o < Z; ++o)
        for (int dd = 0; dd < Z; ++dd)
          if (r[uz(o * Z + dd)] > 0) flows.push_back({o, dd, d->gravity->group, r[uz(o * Z + dd)]});
    }
    if (!flows.empty() && !d->od_profile.empty()) {
      // The profile moves a pair's rate over age and sex but keeps its overall rate: each origin's rates are scaled
      // by c = Σ P / Σ profile·P over its start population (every age group, the open one included), so the
      // persons moved equal z · r · Σ P (scenarios/README.md "Migration").
      std::vector<OdFlow> by_group;
      for (const OdFlow& f : flows)
        for (int g = 0; g < G; ++g)
          if (f.group < 0 || f.group == g) by_group.push_back({f.origin, f.destination, g, f.rate_per_year});
      std::vector<double> c(uz(Z * G), 1.0);
      for (int o = 0; o < Z; ++o)
        for (int g = 0; g < G; ++g) {
          double all = 0.0, weighted = 0.0;
          for (int sx = 0; sx < 2; ++sx)
            for (int i = 0; i < A; ++i) {
              const double p = start.at(o, g, sx, i);
              all += p;
              weighted += p * d->od_profile[uz((g * 2 + sx) * A + i)];
            }
          if (weighted > 0 && !d->od_profile_as_given) c[uz(o * G + g)] = all / weighted;
        }
      for (OdFlow& f : by_group) f.rate_per_year *= c[uz(f.origin * G + f.group)];
      flows = std::move(by_group);
    }
    if (flows.empty()) return;
    s.od = std::make_shared<const OdMigration>(std::move(flows), d->od_profile, Z, G, A);
    if (cache && od_multiplier.empty()) {
      cache->source = &source;
      cache->od = s.od;
    }
  };
}

}  // namespace cohortgis::scenarios::detail
