// SPDX-License-Identifier: Apache-2.0
// The sums of the indicators' slots of several states (IndicatorPass, indicators_pass.hpp): a state's events, its cells
// added into one slot's sums or into two (its group's and "all"), a zone of two groups in one pass. Each sum adds the
// states in the order zone, group, sex and each cell in its own element (indicator_kernels.cpp), so the bits do not
// depend on how the states are grouped into calls. Also what is carried from step to step (the folded aggregates' end
// sums, the zones' start totals) and the deferred plain mx sums; the standard and extra bands' weights (BandWeights).
#include <algorithm>
#include <cstddef>
#include <limits>
#include <vector>

#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/projection.hpp"
#include "indicator_kernels.hpp"
#include "indicators_pass.hpp"

namespace cohortgis::detail {

// The weights of persons_in_band for one band, computed once per step instead of once per unit: the ages with a
// share in the band, [first, last), and that share ((hi − lo) / z; 1 for a whole age or the open age). sum() adds
// persons[i] · w[i] over those ages in age order: the same products and additions, in the same order, as
// persons_in_band (x · 1 = x exactly), so the same bits, without a division per age and unit.
BandWeights::BandWeights(const AgeGrid& grid, double from, double to) {
  const double z = grid.width_years;
  std::vector<double> all(uz(grid.n_ages), 0.0);
  std::vector<bool> in(uz(grid.n_ages), false);
  for (int i = 0; i < grid.n_ages; ++i) {
    const double a = i * z;
    const bool open = i == grid.open_index();
    const double b = a + z;
    if (open && to == std::numeric_limits<double>::infinity() && from <= a) {
      all[uz(i)] = 1.0;
      in[uz(i)] = true;
      continue;
    }
    const double lo = std::max(a, from), hi = std::min(b, to);
    if (hi > lo) all[uz(i)] = (hi - lo) / z, in[uz(i)] = true;
  }
  while (first < in.size() && !in[first]) ++first;
  last = in.size();  // a band is an interval of ages: every age in [first, last) has a share
  while (last > first && !in[last - 1]) --last;
  w.assign(all.begin() + static_cast<std::ptrdiff_t>(first), all.begin() + static_cast<std::ptrdiff_t>(last));
}

double BandWeights::sum(std::span<const double> persons) const {
  double total = 0.0;
  for (std::size_t i = first; i < last; ++i) total += persons[i] * w[i - first];
  return total;
}

// add_events (indicators_pass.hpp) but its common case: the step's per-state sums (kept in every mode, so a run with
// per-cell components and one without give the same bits and no pass over the cells is needed); the per-cell arrays
// only when there are no sums; the planning adjustment's migrants.
void IndicatorPass::add_events_general(int zn, int g, double& deaths, double& net) const {
  const StepComponents& comp = comp_;
  const std::size_t st = uz(zn) * uz(G_) + uz(g), A = A_;
  for (int s = 0; s < 2; ++s) {
    if (!comp.deaths_by_state.empty()) {
      deaths += comp.deaths_by_state[st * kSexes + uz(s)];
    } else if (!comp.deaths.empty()) {
      auto D = comp.deaths.ages(zn, g, s);
      for (std::size_t i = 0; i < A; ++i) deaths += D[i];
    }
    if (!comp.net_migrants_by_state.empty()) {
      net += comp.net_migrants_by_state[st * kSexes + uz(s)];
    } else if (!comp.net_migrants.empty()) {
      auto M = comp.net_migrants.ages(zn, g, s);
      for (std::size_t i = 0; i < A; ++i) net += M[i];
    }
    if (!comp.planning_adjustment.empty()) {  // control totals and capacity move migrants (planning.hpp)
      auto Q = comp.planning_adjustment.ages(zn, g, s);
      for (std::size_t i = 0; i < A; ++i) net += Q[i];
    }
  }
}

// Adds the cells of one state (zone zn, group g) to the sums of a unit × group slot.
void IndicatorPass::accumulate(IndicatorSums& acc, int zn, int g) const {
  const std::size_t st = uz(zn) * uz(G_) + uz(g), A = A_, rows = rows_;
  ++acc.n_states;
  for (int s = 0; s < 2; ++s) {
    auto P0 = start_.ages(zn, g, s), P1 = end_.ages(zn, g, s);
    if (!acc.start_given) add_to(acc.start.data() + uz(s) * A, P0.data(), A);
    add_to(acc.end.data() + uz(s) * A, P1.data(), A);
    if (rows > 0)  // pooled mx weighted by mid-step persons (counts first)
      add_mx(acc.mx_num.data() + uz(s) * rows, acc.mx_den.data() + uz(s) * rows, acc.mx_sum.data() + uz(s) * rows,
             mx_of(st) + uz(s) * rows, P0.data(), P1.data(), rows, start_.layout().grid.width_years);
  }
  add_events(zn, g, acc.deaths, acc.net);
  acc.n_mx += 1.0;
  acc.births_f += comp_.births[st * kSexes + 0];
  acc.births_m += comp_.births[st * kSexes + 1];
  add_to(acc.bma.data(), comp_.births_by_mother_age.data() + st * A, A);
  add_to(acc.expo.data(), comp_.women_exposure.data() + st * A, A);
}

// reset + accumulate(acc, zn, 0) + accumulate(acc, zn, 1) for a zone of two groups on a single-year grid (or without
// death rates): each sum written once from the two states' values, the same operations in the same order (the
// "all" slot of a zone, every year). Of the pooled-mx sums only the rates finish makes from them are written
// (pooled_rates_of_two), when there are death rates (rows_ > 0), which is when finish reads them.
void IndicatorPass::accumulate_two_groups(IndicatorSums& acc, std::vector<double>& rates, int (&flags)[2], int zn,
                                          bool persons, bool with_rates) const {
  const std::size_t A = A_, rows = rows_, sa = uz(zn) * 2, sb = sa + 1;
  for (auto* v : {&acc.start, &acc.end}) v->resize(2 * A);
  acc.bma.resize(A);
  acc.expo.resize(A);
  // Both sexes in one call (adjacent in the populations and in the sums: see accumulate2).
  if (persons) sum_of_two(acc.start.data(), start_.ages(zn, 0, 0).data(), start_.ages(zn, 1, 0).data(), 2 * A);
  if (persons || !extra_bands_.empty())
    sum_of_two(acc.end.data(), end_.ages(zn, 0, 0).data(), end_.ages(zn, 1, 0).data(), 2 * A);
  // The pooled rates straight from the two states (finish reads only them, not the sums).
  if (with_rates) rates.resize(2 * rows);
  for (int s = 0; s < 2 && rows > 0 && with_rates; ++s) {
    const std::size_t o = uz(s) * rows;
    flags[s] = pooled_rates_of_two(mx_of(sa) + uz(s) * rows, start_.ages(zn, 0, s).data(), end_.ages(zn, 0, s).data(),
                                   mx_of(sb) + uz(s) * rows, start_.ages(zn, 1, s).data(), end_.ages(zn, 1, s).data(),
                                   rates.data() + o, rows);
  }
  acc.n_states = 2;
  acc.n_mx = (0.0 + 1.0) + 1.0;
  acc.deaths = acc.net = 0.0;
  add_events(zn, 0, acc.deaths, acc.net);
  add_events(zn, 1, acc.deaths, acc.net);
  acc.births_f = (0.0 + comp_.births[sa * kSexes + 0]) + comp_.births[sb * kSexes + 0];
  acc.births_m = (0.0 + comp_.births[sa * kSexes + 1]) + comp_.births[sb * kSexes + 1];
  if (!persons) return;
  sum_of_two(acc.bma.data(), comp_.births_by_mother_age.data() + sa * A, comp_.births_by_mother_age.data() + sb * A, A);
  sum_of_two(acc.expo.data(), comp_.women_exposure.data() + sa * A, comp_.women_exposure.data() + sb * A, A);
}

// accumulate(one, zn, g) and accumulate(two, zn, g) in one pass over the state's cells (the same bits in each).
void IndicatorPass::accumulate2(IndicatorSums& one, IndicatorSums& two, int zn, int g) const {
  const std::size_t st = uz(zn) * uz(G_) + uz(g), A = A_, rows = rows_;
  // A state's two sexes are adjacent in the populations, the death rates and the sums ([sex][age], [sex][row]): one
  // call over both (element-wise, so the same additions; fewer calls and loop tails). Rows that read population index
  // r (single years) are adjacent too when there are as many rows as ages.
  const double *P0 = start_.ages(zn, g, 0).data(), *P1 = end_.ages(zn, g, 0).data();
  if (!two.start_given) add_to2(one.start.data(), two.start.data(), P0, 2 * A);
  add_to2(one.end.data(), two.end.data(), P1, 2 * A);
  const int width = start_.layout().grid.width_years;
  const double* mx = mx_of(st);
  if (rows > 0 && width == 1 && rows == A) {
    add_mx2_rows(one.mx_num.data(), one.mx_den.data(), one.mx_sum.data(), two.mx_num.data(), two.mx_den.data(),
                 two.mx_sum.data(), mx, P0, P1, 0, 2 * rows, width);
  } else if (rows > 0) {
    for (std::size_t s = 0; s < 2; ++s) {
      const std::size_t o = s * rows;
      add_mx2_rows(one.mx_num.data() + o, one.mx_den.data() + o, one.mx_sum.data() + o, two.mx_num.data() + o,
                   two.mx_den.data() + o, two.mx_sum.data() + o, mx + o, P0 + s * A, P1 + s * A, 0, rows, width);
    }
  }
  accumulate2_events(one, &two, zn, g);  // the state count, deaths, net migrants and births
  add_to2(one.bma.data(), two.bma.data(), comp_.births_by_mother_age.data() + st * A, A);
  add_to2(one.expo.data(), two.expo.data(), comp_.women_exposure.data() + st * A, A);
}

void IndicatorPass::accumulate_zone(std::vector<IndicatorSums>& per_group, IndicatorSums& all, int zn) const {
  if (G_ == 1) {  // "all" is the group's slot (finish makes it from the group's sums): `all` is left as it is
    accumulate(per_group[0], zn, 0);
    return;
  }
  if (zone_of_two_sums()) {
    accumulate_zone_of_two(per_group[0], per_group[1], all, zn);
    return;
  }
  for (int g = 0; g < G_; ++g) accumulate2(per_group[uz(g)], all, zn, g);
}

// The sums of accumulate2 for group 0 and then group 1, each accumulator seeing the same additions in the same order
// (per_group sums of one state each; `all` state a's then state b's), in one pass over the zone's cells: `all` is read
// and written once instead of twice.
void IndicatorPass::accumulate_zone_of_two(IndicatorSums& g0, IndicatorSums& g1, IndicatorSums& all, int zn) const {
  const std::size_t A = A_, rows = rows_, sa = uz(zn) * 2, sb = sa + 1;
  ++g0.n_states;
  ++all.n_states;
  ++g1.n_states;
  ++all.n_states;
  const double *P0a = start_.ages(zn, 0, 0).data(), *P1a = end_.ages(zn, 0, 0).data();
  const double *P0b = start_.ages(zn, 1, 0).data(), *P1b = end_.ages(zn, 1, 0).data();
  if (!all.start_given) add_to3(g0.start.data(), g1.start.data(), all.start.data(), P0a, P0b, 2 * A);
  add_to3(g0.end.data(), g1.end.data(), all.end.data(), P1a, P1b, 2 * A);
  if (rows > 0) {  // single-year rows, as many as ages: both sexes adjacent (see accumulate2)
    // The plain sums are left to finish (deferred_plain): they matter only where nobody is exposed.
    add_mx3(g0.mx_num.data(), g0.mx_den.data(), g1.mx_num.data(), g1.mx_den.data(), all.mx_num.data(),
            all.mx_den.data(), mx_of(sa), P0a, P1a, mx_of(sb), P0b, P1b, 2 * rows);
    g0.plain_deferred = g1.plain_deferred = all.plain_deferred = true;
  }
  add_zones_events_of_two(g0, g1, all, zn, 1);
  const double* bma = comp_.births_by_mother_age.data();
  const double* expo = comp_.women_exposure.data();
  add_to3(g0.bma.data(), g1.bma.data(), all.bma.data(), bma + sa * A, bma + sb * A, A);
  add_to3(g0.expo.data(), g1.expo.data(), all.expo.data(), expo + sa * A, expo + sb * A, A);
}

// The per-state numbers of zones zn … zn + nz − 1 of two groups into their groups' sums and the "all" sums: each sum
// sees the additions of add_events and of the counts and births per state, zone by zone and group by group, in the
// same order. In locals: through the references the sums were loaded and stored again at every addition (the
// compiler cannot tell them from the components' arrays).
void IndicatorPass::add_zones_events_of_two(IndicatorSums& g0, IndicatorSums& g1, IndicatorSums& all, int zn,
                                            int nz) const {
  const StepComponents& c = comp_;
  if (c.deaths_by_state.empty() || c.net_migrants_by_state.empty() || !c.planning_adjustment.empty()) {
    for (int z = zn; z < zn + nz; ++z)
      for (const auto& [one, g] : {std::pair{&g0, 0}, std::pair{&g1, 1}}) {
        const std::size_t st = uz(z) * 2 + uz(g);
        add_events(z, g, one->deaths, one->net);
        add_events(z, g, all.deaths, all.net);
        for (IndicatorSums* acc : {one, &all}) {
          acc->n_mx += 1.0;
          acc->births_f += c.births[st * kSexes + 0];
          acc->births_m += c.births[st * kSexes + 1];
        }
      }
    return;
  }
  // One sum at a time (its five chains in registers; the three at once spilled to the stack): group g's states,
  // then "all"'s, both groups' states of each zone in turn.
  const std::size_t first = uz(zn) * 2 * kSexes, last = first + uz(nz) * 2 * kSexes;
  const double* D = c.deaths_by_state.data();
  const double* N = c.net_migrants_by_state.data();
  const double* B = c.births.data();
  const auto add = [&](IndicatorSums& acc, std::size_t from, std::size_t step) {
    double deaths = acc.deaths, net = acc.net, n_mx = acc.n_mx, births_f = acc.births_f, births_m = acc.births_m;
    for (std::size_t i = from; i < last; i += step) {  // i: the state's women; its men at i + 1
      deaths += D[i];
      net += N[i];
      deaths += D[i + 1];
      net += N[i + 1];
      n_mx += 1.0;
      births_f += B[i];
      births_m += B[i + 1];
    }
    acc.deaths = deaths, acc.net = net, acc.n_mx = n_mx, acc.births_f = births_f, acc.births_m = births_m;
  };
  add(g0, first, 2 * kSexes);
  add(g1, first + kSexes, 2 * kSexes);
  add(all, first, kSexes);
}

void IndicatorPass::accumulate_four_zones_of_two(IndicatorSums& g0, IndicatorSums& g1, IndicatorSums& all, int zn,
                                                 const std::size_t (&bma_at)[2],
                                                 const std::size_t (&expo_at)[2]) const {
  const std::size_t A = A_, rows = rows_, sa = uz(zn) * 2;
  g0.n_states += 4;
  g1.n_states += 4;
  all.n_states += 8;
  // Zone zn's cells and the distances to its second state and to the next zone, from the layout.
  const double* P0 = start_.ages(zn, 0, 0).data();
  const double* P1 = end_.ages(zn, 0, 0).data();
  const std::size_t b = uz(start_.ages(zn, 1, 0).data() - P0), zone = uz(start_.ages(zn + 1, 0, 0).data() - P0);
  if (!all.start_given) add_to3_four(g0.start.data(), g1.start.data(), all.start.data(), P0, b, zone, 2 * A);
  add_to3_four(g0.end.data(), g1.end.data(), all.end.data(), P1, b, zone, 2 * A);
  // As accumulate_zone_of_two: single-year rows, as many as ages, the plain sums deferred (the pooled-mx sums:
  // add_mx_of_zones).
  if (rows > 0) g0.plain_deferred = g1.plain_deferred = all.plain_deferred = true;
  add_zones_events_of_two(g0, g1, all, zn, 4);
  const double* bma = comp_.births_by_mother_age.data() + sa * A;
  const double* expo = comp_.women_exposure.data() + sa * A;
  const auto add = [&](std::vector<double> IndicatorSums::*v, const double* x, const std::size_t(&at)[2]) {
    const std::size_t lo = at[0], n = at[1] > lo ? at[1] - lo : 0;
    if (n > 0) add_to3_four((g0.*v).data() + lo, (g1.*v).data() + lo, (all.*v).data() + lo, x + lo, A, 2 * A, n);
  };
  add(&IndicatorSums::bma, bma, bma_at);
  add(&IndicatorSums::expo, expo, expo_at);
}

void IndicatorPass::add_mx_of_zones(IndicatorSums& g0, IndicatorSums& g1, IndicatorSums& all, int zn, int n) const {
  const std::size_t rows = rows_;
  if (rows == 0) return;
  // From the terms the zones' rates kept where all have them in consecutive slots (zone zn + k's 16k after zone zn's:
  // not where the ring's slots wrap round) (the same sums).
  const auto kept = [&](int first, int count) {
    if (!kept_weights(first) || uz(first) % kWeightZones + uz(count) > kWeightZones) return false;
    for (int k = 1; k < count; ++k)
      if (!kept_weights(first + k)) return false;
    return true;
  };
  static_assert(kMxZones == 16, "add_w3_sixteen adds sixteen zones");
  if (uz(n) == kMxZones && kept(zn, n)) {
    add_w3_sixteen(g0.mx_num.data(), g0.mx_den.data(), g1.mx_num.data(), g1.mx_den.data(), all.mx_num.data(),
                   all.mx_den.data(), kept_weights(zn), rows);
    return;
  }
  for (int z = zn; z < zn + n; z += 4) {
    if (kept(z, 4)) {
      add_w3_four(g0.mx_num.data(), g0.mx_den.data(), g1.mx_num.data(), g1.mx_den.data(), all.mx_num.data(),
                  all.mx_den.data(), kept_weights(z), rows);
      continue;
    }
    // Four rows of the six sums in registers over the four zones, the zones' streams reached from three pointers
    // (a pass over four zones' 24 streams each with its own address ran out of registers: round 13).
    const double* P0 = start_.ages(z, 0, 0).data();
    const double* P1 = end_.ages(z, 0, 0).data();
    const std::size_t b = uz(start_.ages(z, 1, 0).data() - P0), zone = uz(start_.ages(z + 1, 0, 0).data() - P0);
    add_mx3_four(g0.mx_num.data(), g0.mx_den.data(), g1.mx_num.data(), g1.mx_den.data(), all.mx_num.data(),
                 all.mx_den.data(), mx_of(uz(z) * 2), kSexes * rows, mx_once_ ? 0 : 2 * kSexes * rows, P0, P1, b, zone,
                 2 * rows);
  }
}

void IndicatorPass::cover_exposure(Fold& f, std::size_t lo, std::size_t hi) const {
  const std::size_t A = A_, old_lo = f.expo_lo, old_hi = f.expo_hi;
  const bool none = old_lo >= old_hi;
  if (lo >= hi || (!none && lo >= old_lo && hi <= old_hi)) return;  // nothing new (the common case)
  f.expo_lo = none ? lo : std::min(lo, old_lo);
  f.expo_hi = none ? hi : std::max(hi, old_hi);
  const std::vector<int>& zs = aggregates_[f.aggregate].zones;
  const double* expo = comp_.women_exposure.data();
  // The new ages: below the old ones and above them (all of them where there were none).
  for (auto [a, b] :
       {std::pair{f.expo_lo, none ? f.expo_hi : old_lo}, std::pair{none ? f.expo_hi : old_hi, f.expo_hi}}) {
    if (a >= b) continue;
    for (IndicatorSums* s : {&f.per_group[0], &f.per_group[1], &f.all})
      std::fill(s->expo.begin() + a, s->expo.begin() + b, 0.0);
    for (std::size_t k = 0; k < f.next; ++k) {
      const std::size_t sa = uz(zs[k]) * 2;
      add_to3(f.per_group[0].expo.data() + a, f.per_group[1].expo.data() + a, f.all.expo.data() + a, expo + sa * A + a,
              expo + (sa + 1) * A + a, b - a);
    }
  }
}

// accumulate2's cells of ages [a0, a1) and life-table rows [r0, r1) only; its per-state numbers (events, births,
// counts) are added by accumulate2_events. Every element sees the additions of accumulate2 in the same order.
void IndicatorPass::accumulate2_part(IndicatorSums& one, IndicatorSums* two, int zn, int g, std::size_t a0,
                                     std::size_t a1, std::size_t r0, std::size_t r1) const {
  const std::size_t st = uz(zn) * uz(G_) + uz(g), A = A_, rows = rows_, n = a1 - a0;
  // Into `one` and `two` at once, or into `one` alone (the same additions into it).
  const auto add = [&](std::vector<double> IndicatorSums::*v, std::size_t o, const double* x) {
    if (two)
      add_to2((one.*v).data() + o, (two->*v).data() + o, x, n);
    else
      add_to((one.*v).data() + o, x, n);
  };
  const int width = start_.layout().grid.width_years;
  for (int s = 0; s < 2; ++s) {
    auto P0 = start_.ages(zn, g, s), P1 = end_.ages(zn, g, s);
    const std::size_t o = uz(s) * A + a0;
    add(&IndicatorSums::start, o, P0.data() + a0);
    add(&IndicatorSums::end, o, P1.data() + a0);
    if (rows > 0) {
      const std::size_t m = uz(s) * rows;
      const double* mx = mx_of(st) + uz(s) * rows;
      if (two)
        add_mx2_rows(one.mx_num.data() + m, one.mx_den.data() + m, one.mx_sum.data() + m, two->mx_num.data() + m,
                     two->mx_den.data() + m, two->mx_sum.data() + m, mx, P0.data(), P1.data(), r0, r1, width);
      else
        add_mx_rows(one.mx_num.data() + m, one.mx_den.data() + m, one.mx_sum.data() + m, mx, P0.data(), P1.data(), r0,
                    r1, width);
    }
  }
  add(&IndicatorSums::bma, a0, comp_.births_by_mother_age.data() + st * A + a0);
  add(&IndicatorSums::expo, a0, comp_.women_exposure.data() + st * A + a0);
}

void IndicatorPass::accumulate2_events(IndicatorSums& one, IndicatorSums* two, int zn, int g) const {
  const std::size_t st = uz(zn) * uz(G_) + uz(g);
  for (IndicatorSums* acc : {&one, two}) {
    if (!acc) continue;
    ++acc->n_states;
    add_events(zn, g, acc->deaths, acc->net);
    acc->n_mx += 1.0;
    acc->births_f += comp_.births[st * kSexes + 0];
    acc->births_m += comp_.births[st * kSexes + 1];
  }
}

void IndicatorPass::keep_end_sums(std::vector<std::vector<double>>& ends) const {
  ends.clear();
  for (const Fold& f : folds_)
    if (f.next != aggregates_[f.aggregate].zones.size()) return;  // not folded in this step (all or nothing)
  for (const Fold& f : folds_) {
    for (const IndicatorSums& g : f.per_group) ends.push_back(g.end);
    if (G_ != 1) ends.push_back(f.all.end);  // one group: "all" is the group's slot, its sums not made
  }
}

void IndicatorPass::start_sums_from(const std::vector<std::vector<double>>& ends) {
  if (ends.size() != folds_.size() * (uz(G_) + (G_ != 1 ? 1 : 0))) return;
  for (const auto& e : ends)
    if (e.size() != 2 * A_) return;
  std::size_t k = 0;
  for (Fold& f : folds_) {
    for (IndicatorSums& g : f.per_group) g.start = ends[k++], g.start_given = true;
    if (G_ == 1) continue;
    f.all.start = ends[k++];
    f.all.start_given = true;
  }
}

void IndicatorPass::carry_zone_start_totals(std::vector<ZoneCarry>& carry, bool given) {
  zone_carry_ = nullptr;
  zone_totals_given_ = false;
  if (!zone_of_two_) return;
  const std::size_t n = uz(zones());
  if (carry.size() != n) {
    carry.assign(n, ZoneCarry{});
    given = false;
  }
  zone_carry_ = carry.data();
  zone_totals_given_ = given;
}

void IndicatorPass::fold(int end) const {
  int safe = end;  // the ring's slots of zones before safe + kWeightZones may be written again
  for (Fold& f : folds_) {
    const std::vector<int>& zs = aggregates_[f.aggregate].zones;
    // The pooled-mx sums of the zones waiting, if any (in the zones' order, before any zone after them).
    const auto flush = [&] {
      if (f.mx_next < f.next)
        add_mx_of_zones(f.per_group[0], f.per_group[1], f.all, zs[f.mx_next], static_cast<int>(f.next - f.mx_next));
      f.mx_next = f.next;
    };
    // The chunks come in ascending order and cover every zone, so the aggregate's zones below `end` not yet added
    // are those of the latest range.
    while (f.next < zs.size() && zs[f.next] < end) {
      // Four consecutive zones of two groups at once where they are all below `end` (the same sums in the same order).
      const std::size_t k = f.next;
      const bool four = zone_of_two_sums() && k + 4 <= zs.size() && zs[k + 3] < end && zs[k + 3] == zs[k] + 3;
      // The ages where the zones' births may not be ±0 (every age unless births_ages_), their exposure made to hold
      // every zone added there first.
      std::size_t bma[2] = {0, A_}, expo[2] = {0, A_};
      if (!births_ages_.empty()) {
        bma[0] = A_, bma[1] = 0;
        for (std::size_t j = k; j < k + (four ? 4 : 1); ++j) {
          const std::uint32_t* r = births_ages_.data() + 2 * uz(zs[j]);
          if (r[0] < r[1]) bma[0] = std::min<std::size_t>(bma[0], r[0]), bma[1] = std::max<std::size_t>(bma[1], r[1]);
        }
        cover_exposure(f, bma[0], bma[1]);
        expo[0] = f.expo_lo, expo[1] = f.expo_hi;
      }
      if (four) {
        accumulate_four_zones_of_two(f.per_group[0], f.per_group[1], f.all, zs[k], bma, expo);
        // The pooled-mx sums of kMxZones consecutive zones from a multiple of kMxZones at once (consecutive slots of
        // the ring): their first four to twelve wait for the rest (their terms kept: `safe` below); other zones' four
        // at a time.
        if (const std::size_t p = k - f.mx_next; p > 0 && zs[k] != zs[f.mx_next] + static_cast<int>(p))
          flush();  // the zones waiting and these are not consecutive
        f.next += 4;
        const std::size_t n = f.next - f.mx_next;
        if (!weights_ || uz(zs[f.mx_next]) % kMxZones != 0 || n == kMxZones) {
          add_mx_of_zones(f.per_group[0], f.per_group[1], f.all, zs[f.mx_next], static_cast<int>(n));
          f.mx_next = f.next;
        }
      } else {  // every age (the exposure outside f's ages is not read, and made again if they grow)
        flush();
        accumulate_zone(f.per_group, f.all, zs[f.next++]);
        f.mx_next = f.next;
      }
    }
    if (f.next == zs.size()) flush();                              // the last zones: none to wait for
    if (f.mx_next < f.next) safe = std::min(safe, zs[f.mx_next]);  // the four waiting keep their slots
  }
  // Every zone below `safe` added: the ring's slots of zones before safe + kWeightZones may be written again.
  folded_.store(safe, std::memory_order_release);
}

// The plain mx sums of a slot whose states accumulate_zone_of_two added (plain_deferred): pooled_rates reads them only
// at rows where nobody is exposed (den not > 0), rare, so they are made here, and only then, with the additions
// add_mx2_rows makes: per row from +0, the slot's states in the order zone, group (every zone of `zones` in its order,
// repeats included). Otherwise the +0 sums are never read.
const double* IndicatorPass::deferred_plain(const IndicatorSums& pooled, std::size_t slot, std::span<const int> zones,
                                            IndicatorScratch& sc) const {
  const std::size_t R = 2 * rows_;
  bool all_exposed = true;
  for (std::size_t r = 0; r < R; ++r) all_exposed = all_exposed && pooled.mx_den[r] > 0.0;
  if (all_exposed) return pooled.mx_sum.data();
  sc.plain.assign(R, 0.0);
  const int g_lo = slot == uz(G_) ? 0 : static_cast<int>(slot), g_hi = slot == uz(G_) ? G_ : g_lo + 1;
  for (int zn : zones)
    for (int g = g_lo; g < g_hi; ++g) {
      const double* m = mx_of(uz(zn) * uz(G_) + uz(g));  // both sexes' rows, adjacent
      for (std::size_t r = 0; r < R; ++r) sc.plain[r] += m[r];
    }
  return sc.plain.data();
}

}  // namespace cohortgis::detail
