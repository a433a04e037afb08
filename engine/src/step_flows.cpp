// SPDX-License-Identifier: Apache-2.0
// The step runner's checks of the schedules, its out-flows (phase 1, B1/B2) and survival ratios (A1).
#include <algorithm>
#include <cmath>
#include <limits>

#include "cohortgis/engine/count_text.hpp"
#include "life_table_detail.hpp"
#include "simd.hpp"
#include "step_runner.hpp"

namespace cohortgis::detail {

namespace {
constexpr double kMax = std::numeric_limits<double>::max();
}  // namespace

std::string StepRunner::where(int zone, int group, int sex, int age) const {
  std::string s = "year " + std::to_string(ctx_.start_year) + "–" + std::to_string(ctx_.end_year) + ", zone '" +
                  zone_ids_[uz(zone)] + "'";
  if (group >= 0) s += ", group '" + cfg_.group_names[uz(group)] + "'";
  if (sex >= 0) s += std::string(", sex ") + sex_name(static_cast<Sex>(sex));
  if (age >= 0) s += ", age " + std::to_string(L_.grid.age_start(age));
  return s;
}

void StepRunner::validate_sizes() const {
  const std::size_t states = L_.states(), A = L_.ages(), cells = L_.cells();
  const std::size_t rows =
      sch_.mortality_kind == MortalityInput::survival_ratios ? A
      : (sch_.mortality_kind == MortalityInput::person_years && sch_.person_years_layout == LxLayout::five_year)
          ? A
          : uz(L_.grid.life_table_rows());
  auto check = [&](const std::vector<double>& v, std::size_t n, const char* name, const char* shape, bool optional) {
    if (optional && v.empty()) return;
    if (v.size() != n)
      throw InputError("year " + std::to_string(ctx_.start_year) + "–" + std::to_string(ctx_.end_year) +
                       ": schedule '" + name + "' has " + std::to_string(v.size()) + " values; expected " + shape +
                       " = " + std::to_string(n));
  };
  // Each of mortality, asfr and srb may be given once for every zone (mx_once_, asfr_once_, srb_once_).
  const std::size_t G = uz(L_.groups);
  check(sch_.mortality, (mx_once_ ? G : states) * kSexes * rows, "mortality",
        "zones × groups × 2 sexes × life-table rows", false);
  if (sch_.mortality_kind == MortalityInput::person_years) {
    check(sch_.radix_l0, states * kSexes, "radix_l0", "zones × groups × 2 sexes", false);
    check(sch_.l65, states * kSexes, "l65", "zones × groups × 2 sexes", true);
  }
  check(sch_.mortality_next, states * kSexes, "mortality_next", "zones × groups × 2 sexes", true);
  check(sch_.asfr, (asfr_once_ ? G : states) * A, "asfr", "zones × groups × ages", false);
  check(sch_.srb, srb_once_ ? 1 : uz(L_.zones), "srb", "zones", false);
  check(sch_.net_migrants, cells, "net_migrants", "zones × groups × 2 sexes × ages", true);
  check(sch_.net_migrants_per_person, cells, "net_migrants_per_person", "zones × groups × 2 sexes × ages", true);
  check(sch_.net_migrants_total, states, "net_migrants_total", "zones × groups", true);
  check(sch_.external_in, cells, "external_in", "zones × groups × 2 sexes × ages", true);
  check(sch_.external_out, cells, "external_out", "zones × groups × 2 sexes × ages", true);
  check(sch_.external_out_rate, cells, "external_out_rate", "zones × groups × 2 sexes × ages", true);
  // An OD matrix's edge runs, rate sums and profile are sized by the counts it was built for, and the step indexes them
  // by the layout's: a matrix of other counts read past its tables (a flow from zone 2 of 3 in a 2-zone run: SIGSEGV)
  // or lost the persons sent to a zone the run lacks, silently. A default-constructed one (no counts, no flows) is
  // never read.
  if (const OdMigration* od = sch_.od.get();
      od && od->zones() != 0 &&
      (od->zones() != L_.zones || od->groups() != L_.groups || od->n_ages() != L_.grid.n_ages)) {
    const auto counts = [](int zones, int groups, int ages) {
      return count_of(zones, "zone") + ", " + count_of(groups, "group") + " and " + count_of(ages, "age group");
    };
    throw InputError("year " + std::to_string(ctx_.start_year) + "–" + std::to_string(ctx_.end_year) +
                     ": OD migration built for " + counts(od->zones(), od->groups(), od->n_ages()) +
                     "; expected the projection's " + counts(L_.zones, L_.groups, L_.grid.n_ages) +
                     " (the counts an OD matrix is built with: OdMigration, Python's set_od)");
  }
  // Pairs index cells of external_out and external_in (B2); a host's schedules (Python) may give any.
  if (!sch_.external_pairs.empty() && (sch_.external_out.empty() || sch_.external_in.empty()))
    throw InputError("year " + std::to_string(ctx_.start_year) + "–" + std::to_string(ctx_.end_year) +
                     ": external_pairs without external_out and external_in; expected the pairs' persons in both");
  for (std::size_t k = 0; k < sch_.external_pairs.size(); ++k) {
    const ExternalPair& p = sch_.external_pairs[k];
    if (p.from < cells && p.to < cells && std::isfinite(p.persons) && p.persons >= 0.0 &&
        p.persons <= sch_.external_out[p.from] && p.persons <= sch_.external_in[p.to])
      continue;
    // Named as the other cells' checks name theirs (validate_zone): the place, the row of the list, the field and
    // what was expected; a cell by its zone, group, sex and age ([zone][group][sex][age], CohortLayout::index).
    const std::string row = "external_pairs row " + std::to_string(k);
    if (p.from >= cells || p.to >= cells)
      throw InputError("year " + std::to_string(ctx_.start_year) + "–" + std::to_string(ctx_.end_year) + ": " + row +
                       ", " +
                       (p.from >= cells ? "from_cell " + std::to_string(p.from) : "to_cell " + std::to_string(p.to)) +
                       ": expected a cell index below " + std::to_string(cells) + " (zones × groups × 2 sexes × ages)");
    const auto cell = [&](std::size_t c) {
      const std::size_t age = c % A, sex = c / A % kSexes, state = c / A / kSexes;
      return where(static_cast<int>(state / uz(L_.groups)), static_cast<int>(state % uz(L_.groups)),
                   static_cast<int>(sex), static_cast<int>(age));
    };
    const bool over_out = !(p.persons <= sch_.external_out[p.from]) && std::isfinite(p.persons) && p.persons >= 0.0;
    const bool over_in = !over_out && std::isfinite(p.persons) && p.persons > sch_.external_in[p.to];
    throw InputError(cell(over_in ? p.to : p.from) + ": " + row + " (from_cell " + std::to_string(p.from) +
                     ", to_cell " + std::to_string(p.to) + "), persons " + fmt(p.persons) + "; expected " +
                     (over_out  ? "at most the from cell's external out-migrants " + fmt(sch_.external_out[p.from])
                      : over_in ? "at most the to cell's external in-migrants " + fmt(sch_.external_in[p.to])
                                : std::string("a finite number ≥ 0")));
  }
  for (const auto& t : sch_.transitions) {
    if (t.from_group < 0 || t.from_group >= L_.groups || t.to_group < 0 || t.to_group >= L_.groups ||
        t.from_group == t.to_group)
      throw InputError("group transition " + std::to_string(t.from_group) + " → " + std::to_string(t.to_group) +
                       ": groups must be two different groups of the projection");
    check(t.rate_per_year, kSexes * A, "transition rate_per_year", "2 sexes × ages", false);
    check(t.zone_multiplier, uz(L_.zones), "transition zone_multiplier", "zones", true);
    // A host's transitions (Python's GroupTransition) may hold any number: a NaN or an inf rate emptied the group
    // into the other, a negative one moved persons that do not exist out of the other group, silently. Checked as
    // the OD flows' rates are (od_migration.cpp): finite and ≥ 0.
    const std::string transition =
        "group transition '" + cfg_.group_names[uz(t.from_group)] + "' → '" + cfg_.group_names[uz(t.to_group)] + "'";
    for (std::size_t i = 0; i < t.rate_per_year.size(); ++i)
      if (!std::isfinite(t.rate_per_year[i]) || t.rate_per_year[i] < 0.0)
        throw InputError("year " + std::to_string(ctx_.start_year) + "–" + std::to_string(ctx_.end_year) + ", " +
                         transition + ", sex " + sex_name(static_cast<Sex>(i / A)) + ", age " +
                         std::to_string(L_.grid.age_start(static_cast<int>(i % A))) + ": rate_per_year " +
                         fmt(t.rate_per_year[i]) + "; expected a finite rate ≥ 0 per person per year");
    for (std::size_t z = 0; z < t.zone_multiplier.size(); ++z)
      if (!std::isfinite(t.zone_multiplier[z]) || t.zone_multiplier[z] < 0.0)
        throw InputError(where(static_cast<int>(z), -1, -1, -1) + ", " + transition + ": zone_multiplier " +
                         fmt(t.zone_multiplier[z]) + "; expected a finite factor ≥ 0");
  }
  for (std::size_t k = 0; k < sch_.newborn_rules.size(); ++k) {
    const NewbornRule& r = sch_.newborn_rules[k];
    // Named by the rule's row, field and index (a host's rules, Python's NewbornRule, may hold any; "unknown group"
    // named neither).
    const bool mother_bad = r.mother_group < 0 || r.mother_group >= L_.groups;
    if (mother_bad || r.child_group < 0 || r.child_group >= L_.groups)
      throw InputError("year " + std::to_string(ctx_.start_year) + "–" + std::to_string(ctx_.end_year) +
                       ": newborn rule " + std::to_string(k) + ", " +
                       (mother_bad ? "mother_group " + std::to_string(r.mother_group)
                                   : "child_group " + std::to_string(r.child_group)) +
                       ": expected a group index from 0 to " + std::to_string(L_.groups - 1) +
                       " (the scenario's groups)");
    check(r.zone_share, uz(L_.zones), "newborn rule zone_share", "zones", true);
    auto bad = [](double v) { return !std::isfinite(v) || v < 0.0 || v > 1.0; };
    if (bad(r.share)) throw InputError("newborn rule: share " + fmt(r.share) + " is not within 0..1");
    for (double v : r.zone_share)
      if (bad(v)) throw InputError("newborn rule: zone share " + fmt(v) + " is not within 0..1");
  }
}

void StepRunner::validate_zone(int z) const {
  const int A = L_.grid.n_ages;
  const std::size_t rows = mx_rows();
  if (!(std::isfinite(srb_of(z)) && srb_of(z) > 0.0))
    throw InputError(where(z, -1, -1, -1) + ": sex ratio at birth " + fmt(srb_of(z)) +
                     " males per female birth; expected a number > 0");
  // The fertility rates of all the zone's groups (contiguous) in one check; only when one is bad are the groups
  // scanned, each at its place below, so the first error reported is the same. Skipped when the births pass checks
  // them (asfr_in_births_).
  const bool asfr_fine =
      asfr_in_births_ || all_within(asfr_of(uz(z) * uz(L_.groups)), uz(L_.groups) * uz(A), 0.0, kMax);
  for (int g = 0; g < L_.groups; ++g) {
    const std::size_t st = uz(z) * uz(L_.groups) + uz(g);
    if (!sch_.net_migrants_total.empty() && !std::isfinite(sch_.net_migrants_total[st]))
      throw InputError(where(z, g, -1, -1) + ": net migrants total " + fmt(sch_.net_migrants_total[st]) +
                       "; expected a finite number of persons");
    if (!asfr_fine) check_asfr(z, g);
    for (int s = 0; s < 2; ++s) {
      const double* m = sch_.mortality.data() + (mx_state(st) * kSexes + uz(s)) * rows;
      const bool fine = plan_.reuse_mortality || mx_in_step_ ||  // checked when it was first used, or in the step
                        (sch_.mortality_kind == MortalityInput::death_rates && all_within(m, rows, 0.0, kMax)) ||
                        (sch_.mortality_kind == MortalityInput::survival_ratios && all_within(m, rows, 0.0, 1.0));
      for (std::size_t r = 0; r < (fine ? 0 : rows); ++r) {  // finds and reports the bad value
        const double v = m[r];
        bool ok = std::isfinite(v);
        const char* expect = "";
        switch (sch_.mortality_kind) {
          case MortalityInput::death_rates:
            ok = ok && v >= 0.0;
            expect = "a death rate mx ≥ 0";
            break;
          case MortalityInput::person_years:
            ok = ok && v > 0.0;
            expect = "person-years L > 0";
            break;
          case MortalityInput::survival_ratios:
            ok = ok && v >= 0.0 && v <= 1.0;
            expect = "a survival ratio in 0..1";
            break;
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

void StepRunner::check_asfr(int z, int g) const {
  const int A = L_.grid.n_ages;
  const std::size_t st = uz(z) * uz(L_.groups) + uz(g);
  for (int i = 0; i < A; ++i) {
    const double f = asfr_of(st)[i];
    if (!std::isfinite(f) || f < 0.0)
      throw InputError(where(z, g, 0, i) + ": fertility rate (asfr) " + fmt(f) +
                       "; expected births per woman per year ≥ 0");
  }
}

void StepRunner::check_all_asfr() const {
  const std::size_t zone_rates = uz(L_.groups) * L_.ages();
  for (int z = 0; z < L_.zones; ++z)
    if (!all_within(asfr_of(uz(z) * uz(L_.groups)), zone_rates, 0.0, kMax))
      for (int g = 0; g < L_.groups; ++g) check_asfr(z, g);
}

// The checks of every zone before the step. On the flow path the fertility rates are checked where the births pass
// reads them, and in a step that builds its life tables from death rates those rates where the life tables read them
// (one read of the schedule instead of two); the error reported stays the first of validate_zone's full checks in
// their order: should any check fail here, all of them run again with the rates; should the step fail (the births
// pass or a life table finding a bad rate, or any other error), every zone's checks run again with the rates first
// (run()): each other check passed, so the first bad rate is the error validate_zone would have reported.
void StepRunner::validate_zones() {
  asfr_in_births_ = !plan_.multistate;  // the multistate step has births of its own
  mx_in_step_ =  // every row goes through mortality() or mortality_lanes, which check them (the shared cache: zone 0's)
      !plan_.multistate && !plan_.reuse_mortality && sch_.mortality_kind == MortalityInput::death_rates;
  if (only_whole_array_checks()) return;
  try {
    for_each_zone<Scratch>(L_.zones, scratch_, [&](int z, Scratch&) { validate_zone(z); });
  } catch (...) {
    if (!asfr_in_births_ && !mx_in_step_) throw;
    asfr_in_births_ = mx_in_step_ = false;
    for_each_zone<Scratch>(L_.zones, scratch_, [&](int z, Scratch&) { validate_zone(z); });
    throw;
  }
}

// In a step that reuses the last step's mortality (checked when it was first used) or checks its death rates in the
// step (mx_in_step_), and has no per-cell migration inputs, validate_zone checks of each zone only its sex ratio at
// birth, its net migrants totals and (when the births pass does not) its fertility rates: here each of those arrays in
// one pass, without a pass over the zones. Returns true when that is all validate_zone would check and every value
// passes; otherwise (some value is bad, or there is more to check) the zones' pass runs, and reports the first bad
// value in its order as before.
bool StepRunner::only_whole_array_checks() const {
  const bool per_cell = !sch_.net_migrants.empty() || !sch_.net_migrants_per_person.empty() ||
                        !sch_.external_in.empty() || !sch_.external_out.empty() || !sch_.external_out_rate.empty();
  if (!(plan_.reuse_mortality || mx_in_step_) || per_cell) return false;
  // srb finite and > 0 (denorm_min is the least double > 0); totals finite; rates finite and >= 0.
  return all_within(sch_.srb.data(), sch_.srb.size(), std::numeric_limits<double>::denorm_min(), kMax) &&
         all_within(sch_.net_migrants_total.data(), sch_.net_migrants_total.size(), -kMax, kMax) &&
         (asfr_in_births_ || all_within(sch_.asfr.data(), sch_.asfr.size(), 0.0, kMax));
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
  const OdMigration* odm = plan_.has_od ? sch_.od.get() : nullptr;
  const double* __restrict prof = odm ? sc.profile_row(*odm, g, s) : nullptr;
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
  const double* __restrict np =
      sch_.net_migrants_per_person.empty() ? nullptr : sch_.net_migrants_per_person.data() + c0;
  // What is needed: the totals only where a cell may be scaled, external out and net only where present.
  const bool need_total = may_scale && cfg_.flow_policy != FlowPolicy::wpp;
  // Unscaled external out-flows e and given net n per cell, each optional term in its own loop (the same operations
  // per cell as one loop with branches, but every loop vectorises): e = 0 (+ xo) (+ z·xr·P); n = nm (+ np·P) + share·P.
  if (need_total || plan_.has_ext_out) {
    for (std::size_t i = 0; i < nA; ++i) ext[i] = 0.0;
    if (xo)
      for (std::size_t i = 0; i < nA; ++i) ext[i] += xo[i];
    if (xr)
      for (std::size_t i = 0; i < nA; ++i) ext[i] += zy * xr[i] * P[i];
  }
  if (need_total || plan_.has_net) {
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
    if (record) {
      zone_lists_add();
      scaled_[uz(z)].push_back({z, g, s, age, total - total * f});
    }
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

// Whether outflows() would find every zone's rate bound below 1 − 1e-6 (and so return at once for each): its bound
// from the largest rate sum of each group over the zones and the largest zone multiplier of each transition, in the
// same order of operations. Every term is ≥ 0, and rounded sums and products of numbers ≥ 0 do not decrease when a
// term grows, so no zone's own bound exceeds this one. The rate sums outflows() reads (out_rate_sum: the OD index's
// own on a one-year grid, the run's OutRateSums on a five-year grid).
bool StepRunner::no_zone_may_scale() const {
  if (!plan_.rate_bound_only) return false;
  const double zy = L_.grid.width_years;
  std::vector<double> mult_max(sch_.transitions.size(), 1.0);
  for (std::size_t k = 0; k < sch_.transitions.size(); ++k) {
    if (!(plan_.transition_max[k] >= 0.0)) return false;
    const std::vector<double>& m = sch_.transitions[k].zone_multiplier;
    if (m.empty()) continue;
    double hi = 0.0, bad = 0.0;  // the largest; a flag for a value not ≥ 0 (NaN included)
    for (double v : m) {
      hi = v > hi ? v : hi;
      bad = v >= 0.0 ? bad : 1.0;
    }
    if (bad != 0.0) return false;
    mult_max[k] = hi;
  }
  double worst = 0.0;
  for (int g = 0; g < L_.groups; ++g) {
    double R = 0.0;
    if (plan_.has_od)
      for (int z = 0; z < L_.zones; ++z) R = std::max(R, out_rate_sum(*sch_.od, z, g));
    double T = 0.0;
    for (std::size_t k = 0; k < sch_.transitions.size(); ++k)
      if (sch_.transitions[k].from_group == g) T += zy * plan_.transition_max[k] * mult_max[k];
    worst = std::max(worst, R * plan_.profile_max[uz(g)] + T);
  }
  return worst <= 1.0 - 1e-6;
}

// B2 under conserve: the persons of a pair (ExternalPair: an OD rate by cell, OD counts, a relocation) arrive scaled
// as its origin cell's out-flows were, so the destination receives exactly what the origin lost. The pairs are
// indexed by destination once a step has scaled cells (index_scaled_pairs); each in order of the schedules.
void StepRunner::index_scaled_pairs() {
  pairs_by_destination_.clear();
  if (!any_scaled_ || sch_.external_pairs.empty()) return;
  const auto& pairs = sch_.external_pairs;
  for (std::size_t k = 0; k < pairs.size(); ++k) {
    const std::size_t zone_cells = uz(L_.groups) * kSexes * L_.ages();
    if (!zone_scale_[pairs[k].from / zone_cells].empty()) pairs_by_destination_.push_back(k);
  }
  std::stable_sort(pairs_by_destination_.begin(), pairs_by_destination_.end(),
                   [&](std::size_t a, std::size_t b) { return pairs[a].to < pairs[b].to; });
}

// The cut of the arrivals in the cells c0 … c0 + ages − 1 of one state and sex, from M (and the kept external_in).
void StepRunner::scaled_pair_arrivals(std::size_t c0, double* M, std::span<double> external_in) {
  const auto& pairs = sch_.external_pairs;
  const std::size_t nA = L_.ages(), zone_cells = uz(L_.groups) * kSexes * nA;
  auto k = std::lower_bound(pairs_by_destination_.begin(), pairs_by_destination_.end(), c0,
                            [&](std::size_t i, std::size_t cell) { return pairs[i].to < cell; });
  for (; k != pairs_by_destination_.end() && pairs[*k].to < c0 + nA; ++k) {
    const ExternalPair& p = pairs[*k];
    const std::size_t zone = p.from / zone_cells;
    const double f = zone_scale_[zone][p.from - zone * zone_cells];
    const double cut = p.persons - p.persons * f;  // what the origin kept of these persons
    M[p.to - c0] -= cut;
    if (!external_in.empty()) external_in[p.to - c0] -= cut;
  }
}

// Phase 1: the conserve factors of every cell of a zone.
void StepRunner::outflows(int z, Scratch& sc) {
  const int G = L_.groups;
  const std::size_t nA = L_.ages();
  if (plan_.rate_bound_only) {
    // Only per-person rates flow out: if they cannot add up to 1 at any age, no cell of the zone is scaled and
    // its population need not be read here (rounding moves a total by ~1e-15 relative, far inside the margin).
    const double zy = L_.grid.width_years;
    double worst = 0.0;
    for (int g = 0; g < G; ++g) {
      const double R = plan_.has_od ? out_rate_sum(*sch_.od, z, g) : 0.0;
      double T = 0.0;
      for (std::size_t k = 0; k < sch_.transitions.size(); ++k) {
        const auto& t = sch_.transitions[k];
        if (t.from_group == g)
          T += zy * plan_.transition_max[k] * (t.zone_multiplier.empty() ? 1.0 : t.zone_multiplier[uz(z)]);
      }
      worst = std::max(worst, R * plan_.profile_max[uz(g)] + T);
    }
    if (worst <= 1.0 - 1e-6) return;
  }
  sc.reserve(nA);
  for (int g = 0; g < G; ++g) {
    const double share = total_share(z, g);
    for (int s = 0; s < 2; ++s) {
      if (cell_outflows(z, g, s, share, sc, true, true)) {
        auto& block = zone_scale_[uz(z)];
        zone_lists_add();
        if (block.empty()) block.assign(uz(G) * kSexes * nA, 1.0);
        std::copy(sc.f.begin(), sc.f.begin() + static_cast<std::ptrdiff_t>(nA),
                  block.begin() + static_cast<std::ptrdiff_t>((uz(g) * kSexes + uz(s)) * nA));
      }
    }
  }
}

// mortality() of both sexes of `groups` (1 or 2) states from group g, built from death rates by one call of
// single_year_step_mortality_lanes (one-year steps) or abridged_step_mortality_lanes (five-year steps; no φ) with the
// same bits. False, having written nothing, when the step reuses its mortality or has another input, or when a table
// needs the one-table path (its errors): mortality() per table then.
bool StepRunner::mortality_lanes(int z, int g, int groups, Scratch& sc) {
  if (plan_.reuse_mortality || sch_.mortality_kind != MortalityInput::death_rates) return false;
  // Rates given past a five-year grid's open age close in DemoTools' OAnew order: the one-table path (mortality()).
  if (L_.grid.width_years != 1 && !sch_.mortality_next.empty()) return false;
  const std::size_t nA = L_.ages();
  const std::size_t rows = mx_rows();
  const int n = groups * 2;
  std::size_t st[4];  // [zone][group][sex] of each lane
  for (int k = 0; k < n; ++k) st[k] = (uz(z) * uz(L_.groups) + uz(g + k / 2)) * kSexes + uz(k % 2);
  const auto state = [&](int k) { return st[k]; };
  // The rows each lane reads: its own, or those of its group and sex in the one zone given (mx_once_).
  const std::size_t mz = mx_once_ ? 0 : uz(z);
  const auto rates = [&](int k) {
    return std::span<const double>(
        sch_.mortality.data() + ((mz * uz(L_.groups) + uz(g + k / 2)) * kSexes + uz(k % 2)) * rows, rows);
  };
  bool built = false;
  if (L_.grid.width_years == 1) {
    StepMortalityLane lanes[4];
    for (int k = 0; k < n; ++k)
      lanes[k] = {
          rates(k),
          static_cast<Sex>(k % 2),
          survival(z, g + k / 2, k % 2),
          plan_.phi_wanted && !cache_.phi.empty() ? phi_of(z, g + k / 2, k % 2).first(nA - 1) : std::span<double>(),
          &c_.e0[state(k)],
          &c_.e65[state(k)]};
    built = single_year_step_mortality_lanes(std::span<const StepMortalityLane>(lanes, uz(n)), cfg_.life_table_method,
                                             L_.grid.open_age(), sc.lt);
  } else {
    // The lanes' rates, S, e0 and e65 follow one another ([zone][group][sex]): each from the first lane's.
    AbridgedStepLane lanes[4];
    const double* const mx0 = rates(0).data();
    double* const S0 = survival(z, g, 0).data();
    for (int k = 0; k < n; ++k)
      lanes[k] = {std::span<const double>(mx0 + uz(k) * rows, rows), static_cast<Sex>(k % 2),
                  std::span<double>(S0 + uz(k) * nA, nA), &c_.e0[st[0] + uz(k)], &c_.e65[st[0] + uz(k)]};
    built = abridged_step_mortality_lanes(std::span<const AbridgedStepLane>(lanes, uz(n)), cfg_.life_table_method,
                                          L_.grid.open_index(), sc.lt);
  }
  if (!built) return false;
  for (int k = 0; k < n; ++k) {
    cache_.e0[state(k)] = c_.e0[state(k)];
    cache_.e65[state(k)] = c_.e65[state(k)];
  }
  return true;
}

// Survival ratios S (and, when wanted, the A4 split φ) of one state and sex for this step: from the cache when the
// provider said mortality did not change, else built from the schedule and stored in the cache.
void StepRunner::mortality(int z, int g, int s, Scratch& sc, std::span<double> S, std::span<double> phi) {
  const std::size_t st = (uz(z) * uz(L_.groups) + uz(g)) * kSexes + uz(s);
  const std::size_t es = st;  // [zone][group][sex] index for e0/e65
  if (plan_.reuse_mortality) {
    c_.e0[es] = cache_.e0[es];
    c_.e65[es] = cache_.e65[es];
    return;
  }
  const std::size_t rows = mx_rows();
  std::span<const double> row(sch_.mortality.data() + (mx_state(st / kSexes) * kSexes + uz(s)) * rows, rows);
  switch (sch_.mortality_kind) {
    case MortalityInput::survival_ratios:  // S is the schedule's row itself
      break;
    case MortalityInput::person_years: {
      const LxLayout layout = L_.grid.width_years == 1 ? LxLayout::single_year : sch_.person_years_layout;
      try {
        survival_ratios(row, layout, sch_.radix_l0[st], L_.grid, S);
      } catch (const InputError& e) {
        throw InputError(where(z, g, s, -1) + ": life table from Lx: " + e.what());
      }
      // e0 = T(0) / l(0) and e65 = T(65) / l(65), T(x) the sum of the Lx rows from x (the last row holds T of the
      // open age): the UN's ex = Tx / lx (ccmppWPP's life tables). l(65) comes with the rows (l65); without it e65
      // stays unknown. The sum runs from the top, so T(0) is the same bits as before e65 was added.
      const std::size_t r65 = layout == LxLayout::single_year ? 65 : layout == LxLayout::abridged ? 14 : 13;
      c_.e65[es] = std::numeric_limits<double>::quiet_NaN();  // also when the rows end below 65
      double T = 0.0;
      for (std::size_t k = rows; k-- > 0;) {
        T += row[k];
        if (k == r65 && !sch_.l65.empty()) {  // l(65) = 0: no one reaches 65 (0, as the built tables say)
          const double l65 = sch_.l65[st];
          c_.e65[es] = l65 > 0.0 ? T / l65 : l65 == 0.0 ? 0.0 : std::numeric_limits<double>::quiet_NaN();
        }
      }
      c_.e0[es] = T / sch_.radix_l0[st];
      break;
    }
    case MortalityInput::death_rates: {
      // One-year steps: only S, φ, e0 and e65 of the table (the same bits); the full table for its errors. Both
      // check the rates (validate_zones leaves them to the step).
      if (L_.grid.width_years == 1 &&
          single_year_step_mortality(row, static_cast<Sex>(s), cfg_.life_table_method, L_.grid.open_age(), sc.lt, S,
                                     phi, c_.e0[es], c_.e65[es]))
        break;
      // Five-year steps (no φ): only S, e0 and e65 of the abridged table, the same bits (not for rates given past
      // the grid's open age: below).
      if (L_.grid.width_years != 1 && phi.empty() && sch_.mortality_next.empty() &&
          abridged_step_mortality(row, static_cast<Sex>(s), cfg_.life_table_method, L_.grid.open_index(), sc.lt, S,
                                  c_.e0[es], c_.e65[es]))
        break;
      try {
        if (L_.grid.width_years == 1)
          build_single_year_life_table(row, static_cast<Sex>(s), cfg_.life_table_method, sc.lt);
        else if (!sch_.mortality_next.empty())  // rates given past the grid's open age: DemoTools' OAnew order
          build_abridged_life_table_closed_above(row, sch_.mortality_next[st], static_cast<Sex>(s),
                                                 cfg_.life_table_method, sc.lt);
        else
          build_abridged_life_table(row, static_cast<Sex>(s), cfg_.life_table_method, sc.lt);
        survival_ratios(sc.lt, L_.grid, S);  // in place: over the mx row the life table was built from
      } catch (const InputError& e) {
        throw InputError(where(z, g, s, -1) + ": life table from mx: " + e.what());
      }
      c_.e0[es] = sc.lt.ex[0];
      // The row of age 65: 65 on a single-year table, 14 on an abridged one (0, 1–4, 5–9, …); else searched.
      const std::size_t r65 = L_.grid.width_years == 1 ? 65 : 14;
      if (r65 < sc.lt.rows() && sc.lt.age[r65] == 65.0)
        c_.e65[es] = sc.lt.ex[r65];
      else
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

}  // namespace cohortgis::detail
