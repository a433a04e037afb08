// SPDX-License-Identifier: Apache-2.0
// [fertility] of a scenario file: ASFR schedules, TFR and mean-age paths, SRB, per step.
#include "scenario_build.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <tuple>

#include "cohortgis/engine/graduation.hpp"
#include "cohortgis/scenarios/input_limits.hpp"
#include "cohortgis/scenarios/level_fitting.hpp"
#include "cohortgis/scenarios/models.hpp"
#include "schedule_time.hpp"
#include "zone_factors.hpp"

namespace cohortgis::scenarios::detail {

namespace fs = std::filesystem;

// ---- fertility --------------------------------------------------------------------------------------------------

std::optional<FertilityFitSpec> build_fertility(const Build& b, const Layer& L, std::vector<StepSchedules>& steps,
                                                FoldedSteps& folded) {
  const Doc& doc = b.doc;
  L.allow(doc, "fertility",
          {"schedule", "schedule_age_width", "schedule_graduation", "zone_factors", "tfr", "mean_age", "srb", "fit",
           "parity_rates", "parity_progression", "parity_base", "parity_base_age_width", "srb_by_order"});
  auto [sn, skey] = L.get("fertility", "schedule");
  // With parity_rates (build_parity.cpp) the run sets the ASFR of every step from the parity states.
  auto [pn, pkey] = L.get("fertility", "parity_rates");
  if (!pn) std::tie(pn, pkey) = L.get("fertility", "parity_progression");
  if (!sn && !pn) doc.fail(L.base, "fertility.schedule", "missing; expected an ASFR schedule table (age, value)");
  if (sn && pn) doc.fail(pn, pkey, "a schedule (" + skey + ") and parity_rates; expected one of them (parity_rates set the ASFR)");
  if (pn)
    for (const char* k : {"tfr", "mean_age", "schedule_age_width", "schedule_graduation"})
      if (auto [n, key] = L.get("fertility", k); n) doc.fail(n, key, "does not apply to parity_rates; expected it only with a schedule");
  std::vector<std::vector<std::vector<double>>> base_by_key;  // [key][zone·G + group] → ASFR ([standard·G + group])
  TimedRows timed;
  // zone_factors: the schedule table holds standard schedules; a zone's ASFR = factor × its standard's
  // (zone_factors.hpp), after tfr and mean_age moved the standard.
  auto [fzn, fzkey] = L.get("fertility", "zone_factors");
  if (fzn && !sn) doc.fail(fzn, fzkey, "zone factors multiply a schedule: give fertility.schedule (the standard) with them");
  std::optional<ZoneFactors> factors;
  // The first rate above 1 of a schedule without a unit (a shape such as the UN's pasfr in percent): it needs tfr or
  // fit to set its level, else it would be projected as births per woman (a TFR of 500).
  std::string shape_row;
  std::string schedule_path;  // for the message of a step whose schedule has no births to scale to a TFR
  if (sn) {
  int width = b.z;
  if (auto [wn, wkey] = L.get("fertility", "schedule_age_width"); wn) {
    width = doc.integer(*wn, wkey, 1, 5);
    if (width != 1 && width != 5) doc.fail(wn, wkey, "expected 1 or 5");
    if (width < b.z) doc.fail(wn, wkey, "a single-year schedule on a five-year grid is not supported; give five-year rates");
  }
  // Which spline graduates five-year rates on a one-year grid (graduation.hpp): cohortgis's natural spline, or the
  // fmm spline of DemoTools' graduate_mono (the UN's). Given only where there is something to graduate.
  SplineEnds graduation_ends = SplineEnds::natural;
  if (auto [gn, gkey] = L.get("fertility", "schedule_graduation"); gn) {
    const std::string v = doc.string(*gn, gkey);
    if (v == "graduate_mono")
      graduation_ends = SplineEnds::fmm;
    else if (v != "natural")
      doc.fail(gn, gkey, "expected \"natural\" or \"graduate_mono\", got \"" + escape_cell(v) + "\"");
    if (width != 5) doc.fail(gn, gkey, "graduates five-year rates; expected it only with schedule_age_width = 5");
  }
  // Base schedules per time key and (zone, group); without zone/group columns one schedule serves all.
  TableRef ref = table_ref(doc, *sn, skey, {"year", "period", "age", "value", "zone", "group", "standard"});
  if (ref.label_width > 0) ref.label_width = width;  // schedule_age_width = 5: labels "15-19" on a one-year grid
  refuse_per(doc, ref);
  schedule_path = ref.path;
  double per_woman = 1.0;
  if (ref.unit == "per_1000_women" || ref.unit == "per_1000") per_woman = 1e-3;
  else if (!ref.unit.empty() && ref.unit != "per_woman")
    doc.fail(ref.unit_node, skey + ".unit", "expected \"per_woman\" (births per woman per year) or \"per_1000_women\", got \"" +
                                                escape_cell(ref.unit) + "\"");
  const Rows rows = read_rows(doc, ref, {"age", "value"}, {"age", "value"});
  if (fzn) factors = standards_of(b, rows, sn, skey);
  const int n_std = factors ? static_cast<int>(factors->standards.size()) : b.Z;
  timed = time_rows(b, rows, skey);
  base_by_key.resize(timed.keys());
  for (std::size_t key = 0; key < timed.keys(); ++key) {
    if (!timed.used[key]) continue;
    std::vector<std::vector<double>>& base = base_by_key[key];
    base.assign(uz(n_std * b.G), {});
    std::map<std::pair<int, int>, std::map<int, double>> got;  // (zone, group) → age → value
    std::map<std::pair<int, int>, std::map<int, std::size_t>> row_of;  // … → age → its row, for the messages
    for (std::size_t r : timed.rows[key]) {
      const int zi = factors ? factors->standard_of_row(rows, r) : b.zone_of_row(rows, r, sn, skey);
      const int g = b.group_of_row(rows, r, sn, skey, true);  // applied before named groups (map order)
      const int age = whole_number(doc, rows, r, "age", skey);
      const double v = rows.number(r, "value") * per_woman;
      if (!(v >= 0)) doc.fail(sn, skey, rows.where(r, "value") + ": expected a rate >= 0, got " + fmt(v));
      // With a declared unit, an annual rate above 1 birth per woman is not a human population's (usually a rate per
      // 1000 women). Without one the values may be a shape only (e.g. percentages) that a TFR path rescales.
      if (v > 1.0 && ref.unit.empty() && shape_row.empty()) shape_row = rows.where(r, "value") + ": " + fmt(v);
      if (const std::string problem = birth_rate_problem(v); !ref.unit.empty() && !problem.empty())  // input_limits
        doc.fail(
            sn, skey,
            rows.where(r, "value") + ": " + problem + " (a rate per 1000 women? declare unit = \"per_1000_women\")");
      if (v > 0 && (age < 10 || age + width - 1 > 54))
        doc.fail(sn, skey, rows.where(r, "value") + ": births to mothers aged " + std::to_string(age) + "-" +
                               std::to_string(age + width - 1) + " (rate " + fmt(v) +
                               "); expected fertility only at ages 10-54");
      if (age % width != 0 || age < 0)
        doc.fail(sn, skey, rows.where(r, "age") + ": age " + std::to_string(age) + " is not a multiple of " + std::to_string(width));
      if (!got[{zi, g}].emplace(age, v).second) doc.fail(sn, skey, rows.where(r, "age") + ": a second row for this age");
      row_of[{zi, g}][age] = r;
    }
    for (const auto& [zg, by_age] : got) {
      std::vector<double> f(uz(b.A), 0.0);
      if (width == b.z) {
        for (const auto& [age, v] : by_age) {
          const int i = age / b.z;
          if (v == 0.0) continue;  // zero rows outside the childbearing ages are harmless (the UN's files have them)
          if (i <= 0 || i >= b.A - 1)
            doc.fail(sn, skey,
                     rows.where(row_of[zg][age], "age") + ": mother's age " + std::to_string(age) +
                         " is outside the ages that bear children on the grid (" + std::to_string(b.z) + " to " +
                         std::to_string(b.sc.grid.open_age() - 1) + ")");
          f[uz(i)] = v;
        }
      } else {  // five-year rates on a single-year grid: graduate (monotone spline on cumulative fertility)
        const int first = by_age.begin()->first;
        std::vector<double> five;
        int expect = first;
        for (const auto& [age, v] : by_age) {
          if (age != expect) doc.fail(sn, skey, "five-year ages must be contiguous; missing " + std::to_string(expect));
          five.push_back(v);
          expect += 5;
        }
        const std::vector<double> single = graduate_asfr_five_to_single(five, graduation_ends);
        for (std::size_t k = 0; k < single.size(); ++k) {
          const int i = first + static_cast<int>(k);
          if (i <= 0 || i >= b.A - 1) continue;
          f[uz(i)] = single[k];
        }
      }
      for (int zi = 0; zi < n_std; ++zi)
        for (int g = 0; g < b.G; ++g)
          if ((zg.first < 0 || zg.first == zi) && (zg.second < 0 || zg.second == g)) base[uz(zi * b.G + g)] = f;
    }
    for (int zi = 0; zi < n_std; ++zi)
      for (int g = 0; g < b.G; ++g)
        if (base[uz(zi * b.G + g)].empty())
          doc.fail(sn, skey, "no schedule for " + (factors ? factors->standard_label(zi) : "zone " + b.sc.zones[uz(zi)].id) + ", group " + b.sc.group_names[uz(g)] +
                                 (timed.kind == TimedRows::Kind::always ? std::string() : " in " + std::to_string(timed.first[key])));
  }
  if (factors) {
    // With a declared unit a zone's rate must stay at most 1 birth per woman per year (as the rows above).
    std::vector<double> largest(factors->standards.size(), 0.0);
    for (std::size_t key = 0; key < timed.keys(); ++key)
      for (std::size_t c = 0; timed.used[key] && c < base_by_key[key].size(); ++c)
        for (double x : base_by_key[key][c]) largest[c / uz(b.G)] = std::max(largest[c / uz(b.G)], x);
    read_zone_factors(b, *fzn, fzkey, largest, ref.unit.empty() ? std::numeric_limits<double>::infinity() : 1.0,
                      "a fertility rate", *factors);
  }
  }  // sn
  std::optional<YearPath> tfr, mac;
  // Not a structured binding: step_asfr captures them (clang 14 does not capture structured bindings).
  const toml::node* tfr_node = nullptr;
  std::string tfr_key;
  std::tie(tfr_node, tfr_key) = L.get("fertility", "tfr");
  if (tfr_node) tfr = doc.path(*tfr_node, tfr_key, 0.0, 10.0, b.base_year, b.horizon, "a TFR");
  if (!shape_row.empty() && !tfr && !L.get("fertility", "fit").first)
    doc.fail(sn, skey,
             shape_row + " births per woman per year in a schedule without a unit and without tfr or fit; " +
                 "expected rates from 0 to 1 (a rate per 1000 women? declare unit = \"per_1000_women\"; a " +
                 "shape such as the UN's pasfr in percent? give tfr)");
  if (auto [n, k] = L.get("fertility", "mean_age"); n) mac = doc.path(*n, k, 15.0, 45.0, b.base_year, b.horizon, "a mean age at childbearing");
  auto [srbn, srbkey] = L.get("fertility", "srb");
  // srb_by_order (build_parity.cpp) replaces srb: the run sets each zone's SRB step by step.
  const auto [sbo, sbokey] = L.get("fertility", "srb_by_order");
  if (!srbn && !sbo) doc.fail(L.base, "fertility.srb", "missing; expected the sex ratio at birth (males per 100 females)");
  if (srbn && sbo) doc.fail(sbo, sbokey, "srb (" + srbkey + ") and srb_by_order; expected one of them");
  // A number or a path over years (males per 100 females), or a table by year/period and zone with a declared unit.
  const bool srb_table = srbn && (srbn->is_string() || (srbn->is_table() && srbn->as_table()->get("path")));
  YearPath srb;
  std::vector<std::vector<double>> srb_by_key;  // [key][zone] males per female
  TimedRows srb_time;
  if (!srbn) {
  } else if (!srb_table) {
    // A ratio (1.06) where males per 100 females (106) are meant: said with the hint the table form gives.
    const auto ratio = [&](const toml::node& n, const std::string& key) {
      const std::optional<double> v = n.value<double>();
      if (v && *v > 0 && *v < 2)
        doc.fail(&n, key,
                 "expected a sex ratio at birth per 100 females from 90 to 130, got " + fmt(*v) +
                     " (SRB is males per 100 females: " + fmt(std::round(*v * 1000) / 10) + ", not " + fmt(*v) + ")");
    };
    if (const toml::table* t = srbn->as_table())
      for (auto&& [k, v] : *t) ratio(v, join_key(srbkey, k.str()));
    else
      ratio(*srbn, srbkey);
    srb = doc.path(*srbn, srbkey, 90.0, 130.0, b.base_year, b.horizon, "a sex ratio at birth per 100 females");
  } else {
    const TableRef sref = table_ref(doc, *srbn, srbkey, {"year", "period", "zone", "value"});
    refuse_per(doc, sref);
    double scale = 0.01;  // per 100 females (the default), as the number form: 90 to 130 (input_limits.hpp)
    if (sref.unit == "per_female")
      scale = 1.0;
    else if (!sref.unit.empty() && sref.unit != "per_100_females")
      doc.fail(sref.unit_node, srbkey + ".unit", "expected \"per_100_females\" (105) or \"per_female\" (1.05), got \"" + escape_cell(sref.unit) + "\"");
    const Rows srows = read_rows(doc, sref, {"value"}, {"value"});
    srb_time = time_rows(b, srows, srbkey);
    srb_by_key.resize(srb_time.keys());
    for (std::size_t key = 0; key < srb_time.keys(); ++key) {
      if (!srb_time.used[key]) continue;
      std::vector<double>& v = srb_by_key[key];
      v.assign(uz(b.Z), kNaN);
      // A zone (or, without a zone column, the table) has one ratio per year or period: a second row used to
      // replace the first without a word (the UN's srb repeated in a stacked file, round 28).
      // (srbn and srbkey are structured bindings, which clang 14 does not capture: copies.)
      const toml::node* srb_node = srbn;
      const std::string& srb_key = srbkey;
      const auto second_row = [&](std::size_t r, const std::string& whose) {
        const std::string when = srb_time.kind == TimedRows::Kind::year     ? "year"
                                 : srb_time.kind == TimedRows::Kind::period ? "period"
                                                                            : "";
        const bool by_zone = srows.has("zone");
        doc.fail(srb_node, srb_key,
                 srows.where(r, "value") + ": a second row" + (by_zone ? " for zone " + whose : "") +
                     (when.empty() ? "" : " in this " + when) + "; expected one sex ratio at birth per " +
                     (by_zone        ? "zone" + (when.empty() ? "" : " and " + when)
                      : when.empty() ? "table"
                                     : when) +
                     (by_zone ? "" : " (the table has no zone column: a row holds for every zone)"));
      };
      for (std::size_t r : srb_time.rows[key]) {
        const double x = srows.number(r, "value");
        if (const std::string problem = sex_ratio_at_birth_problem(x, scale != 1.0); !problem.empty())  // input_limits
          doc.fail(srbn, srbkey,
                   srows.where(r, "value") + ": " + problem +
                       (scale == 1.0 && x > 50  ? " (per 100 females? declare unit = \"per_100_females\")"
                        : scale != 1.0 && x < 2 ? " (per female? declare unit = \"per_female\")"
                                                : ""));
        if (srows.has("zone")) {
          auto it = b.zone_index.find(srows.text(r, "zone"));
          if (it == b.zone_index.end())
            doc.fail(srbn, srbkey,
                     srows.where(r, "zone") + ": unknown zone \"" + escape_cell(srows.text(r, "zone")) + "\"" +
                         b.zone_twin_hint(srows.text(r, "zone")));
          if (!std::isnan(v[uz(it->second)])) second_row(r, b.sc.zones[uz(it->second)].id);
          v[uz(it->second)] = x * scale;
        } else {
          if (r != srb_time.rows[key].front()) second_row(r, "");
          std::fill(v.begin(), v.end(), x * scale);
        }
      }
      for (int zi = 0; zi < b.Z; ++zi)
        if (std::isnan(v[uz(zi)])) doc.fail(srbn, srbkey, sref.path + ": no sex ratio at birth for zone " + b.sc.zones[uz(zi)].id);
    }
  }

  // The schedule of zone zi, group g in step k, before a fitted level.
  const auto step_asfr = [&](int k, int zi, int g) {
    const int y0 = b.step_first_year(k), y1 = b.step_last_year(k);
    std::vector<std::vector<double>> each;
    const int si = factors ? factors->standard_of[uz(zi * b.G + g)] : zi;
    for (const auto& [key, w] : timed.steps[uz(k)]) each.push_back(base_by_key[key][uz(si * b.G + g)]);
    std::vector<std::pair<std::size_t, double>> parts;
    for (std::size_t p = 0; p < each.size(); ++p) parts.push_back({p, timed.steps[uz(k)][p].second});
    std::vector<double> f = mix_step(each, parts);
    if (mac) f = shift_schedule(f, b.z, mac->mean_over_years(y0, y1) - mean_age_at_childbearing(f, b.z));
    if (tfr && !(total_fertility(f, b.z) > 0.0)) {
      // rescale_to_tfr's own message named neither the step, the zone nor the year of the rows (round 29): a
      // year of a pasfr table left all 0, or a zone whose rates are all 0, has nothing to scale.
      std::string rows_of;
      for (const auto& [key, w] : timed.steps[uz(k)]) {
        const std::string when = timed.kind == TimedRows::Kind::always ? std::string()
                                 : timed.first[key] == timed.last[key]
                                     ? std::to_string(timed.first[key])
                                     : std::to_string(timed.first[key]) + "-" + std::to_string(timed.last[key]);
        if (!when.empty()) rows_of += (rows_of.empty() ? "" : " and ") + when;
      }
      const std::string whose = factors ? factors->standard_label(si) : "zone " + b.sc.zones[uz(zi)].id;
      doc.fail(tfr_node, tfr_key,
               "the schedule (" + schedule_path + ") has no births for " + whose + ", group " +
                   b.sc.group_names[uz(g)] + " in the step " + std::to_string(y0) + "-" + std::to_string(y1) +
                   (rows_of.empty() ? std::string() : " (its rows of " + rows_of + " sum to 0)") +
                   ", so it cannot be scaled to a TFR of " + fmt(tfr->mean_over_years(y0, y1)) +
                   "; expected a rate above 0 at some age from 10 to 54 in every year and zone the steps use");
    }
    if (tfr) f = rescale_to_tfr(f, b.z, tfr->mean_over_years(y0, y1));
    if (factors)
      for (double& x : f) x = factors->factor[uz(zi * b.G + g)] * x;
    return f;
  };
  // fit = { cbr_per_1000 | births, year }: one factor on every zone's, group's and step's schedule. Here its start
  // value: the first step's schedules applied to the women of the base population give the published births or crude
  // birth rate (level_fitting.hpp). fit_fertility_in_projection then moves it until the projection's own figure of the
  // first step (births per person-year, as indicators.csv and monitoring.csv compute it) equals the target.
  double fit_factor = 1.0;
  std::optional<FertilityFitSpec> spec;
  if (auto [fn, fkey] = L.get("fertility", "fit"); fn) {
    const toml::table& t = doc.table(*fn, fkey);
    doc.allow(t, fkey, {"cbr_per_1000", "births", "year"});
    // The fit scales an ASFR schedule; with parity_rates the run sets the ASFR from the parity states instead.
    if (!sn) doc.fail(fn, fkey, "a fit scales fertility.schedule; with " + pkey + " there is no schedule to scale (leave fit out)");
    if ((t.get("cbr_per_1000") != nullptr) == (t.get("births") != nullptr))
      doc.fail(fn, fkey, "expected exactly one of cbr_per_1000 (births per 1000 population) and births (per year)");
    if (!t.get("year")) doc.fail(fn, fkey + ".year", "missing; expected the year of the published figure");
    const int year = doc.integer(*t.get("year"), fkey + ".year", b.base_year + 1, b.base_year + b.z,
                                 "a year of the first step");
    std::vector<double> asfr, women;
    double population = 0;
    for (int zi = 0; zi < b.Z; ++zi)
      for (int g = 0; g < b.G; ++g) {
        const std::vector<double> f = step_asfr(0, zi, g);
        asfr.insert(asfr.end(), f.begin(), f.end());
        const auto w = b.sc.base_population.ages(zi, g, static_cast<int>(Sex::female));
        women.insert(women.end(), w.begin(), w.end());
        for (int s = 0; s < 2; ++s)
          for (double p : b.sc.base_population.ages(zi, g, s)) population += p;
      }
    LevelFit fitted;
    spec = FertilityFitSpec{fn, fkey, !t.get("births"), 0.0, year, 1.0};
    try {
      if (t.get("births")) {
        spec->target = doc.number(*t.get("births"), fkey + ".births", 0.0, 1e10, "births per year");
        fitted = fit_fertility_to_births(asfr, women, spec->target);
      } else {
        spec->target = doc.number(*t.get("cbr_per_1000"), fkey + ".cbr_per_1000", 0.0, 100.0, "births per 1000");
        fitted = fit_fertility_to_crude_birth_rate(asfr, women, population, spec->target);
      }
    } catch (const InputError& e) {
      doc.fail(fn, fkey, e.what());
    }
    fit_factor = fitted.level;
    // A target of 0 births gives the factor 0; the projection fit then starts from 1 (it evaluates 0 itself).
    spec->start_level = fit_factor > 0 ? fit_factor : 1.0;
    if (!(fit_factor > 0)) fit_factor = 1.0;
  }
  for (int k = 0; k < b.steps; ++k) {
    StepSchedules& s = steps[uz(k)];
    const int y0 = b.step_first_year(k), y1 = b.step_last_year(k);
    s.asfr.clear();
    if (!sn) s.asfr.assign(uz(b.Z * b.G * b.A), 0.0);  // parity_rates: the run fills it step by step
    else s.asfr.reserve(uz(b.Z * b.G * b.A));            // not the doubling growth of insert: held for the run
    // A national schedule: held once for every zone (shared_steps.hpp ZoneBlocksOnce). Every value appended (no
    // comparison with the first step's: FoldedSteps below compares them).
    const std::size_t zone_ages = uz(b.G * b.A);
    AppendedLikeFirst all_values(steps[0].asfr, s.asfr, false);
    ZoneBlocksOnce asfr_rows(all_values, zone_ages, b.Z, b.schedules_once && sn);
    for (int zi = 0; sn && zi < b.Z; ++zi)
      for (int g = 0; g < b.G; ++g) {
        std::vector<double> f = step_asfr(k, zi, g);
        if (fit_factor != 1.0)
          for (double& x : f) x *= fit_factor;
        asfr_rows.append(f.data(), f.size());
      }
    asfr_rows.finish();
    if (sn && s.asfr.size() == zone_ages && b.Z > 1) s.asfr.shrink_to_fit();  // held once: not the reserved room
    if (srb_table) s.srb = mix_step(srb_by_key, srb_time.steps[uz(k)]);
    else if (!srbn) s.srb.assign(uz(b.Z), 1.05);  // srb_by_order: the run replaces it before every step
    else s.srb.assign(uz(b.Z), srb.mean_over_years(y0, y1) / 100.0);
    folded.fold(steps, uz(k), &StepSchedules::asfr);  // freed now when equal to the first step's (shared_steps.hpp)
    folded.fold(steps, uz(k), &StepSchedules::srb);
  }
  return spec;
}

}  // namespace cohortgis::scenarios::detail
