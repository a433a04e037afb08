// SPDX-License-Identifier: Apache-2.0
// [plan_periods], [[targets]] and [[services]] of a scenario file.
#include "scenario_build.hpp"
#include "text_limits.hpp"

#include "cohortgis/engine/indicator_ages.hpp"
#include "cohortgis/engine/indicator_kinds.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

namespace cohortgis::scenarios::detail {

namespace fs = std::filesystem;

void read_plan(const Doc& doc, const toml::table& root, Scenario& sc) {
  const toml::node* pn = root.get("plan_periods");
  if (!pn) return;
  for (auto&& [k, v] : doc.table(*pn, "plan_periods")) {
    const std::string key = "plan_periods." + std::string(k.str());
    const std::string label(k.str());
    // Strict: std::stoi read "2021-2025abc" as 2021-2025 and "2021to2025" as the year 2021.
    const auto years = parse_years_label(label);
    if (!years)
      doc.fail(k.source(), key,
               "expected a period such as \"2021-2025\" (or one year) as the key, got \"" + escape_cell(label) + "\"");
    const auto [a, c] = *years;
    // The plan's name goes into every plan-period map title and report row, as a title does: capped as titles are.
    PlanPeriod p{a, c, one_line_label(doc, v, key, kMaxTitleChars, true)};
    const int z = sc.grid.width_years;
    if (a > c || a - 1 < sc.base_year || c > sc.end_year() || (a - 1 - sc.base_year) % z != 0 || (c - sc.base_year) % z != 0)
      doc.fail(k.source(), key, "period " + p.label() + " is outside the horizon " + std::to_string(sc.base_year + 1) + "-" +
                                    std::to_string(sc.end_year()) + " or does not fall on the " + std::to_string(z) + "-year steps");
    sc.plan_periods.push_back(p);
  }
}

void read_targets(const Doc& doc, const toml::table& root, const Scenario& sc, ScenarioSet& set) {
  const toml::node* tn = root.get("targets");
  if (!tn) return;
  const toml::array& a = doc.array(*tn, "targets");
  for (std::size_t k = 0; k < a.size(); ++k) {
    const std::string key = "targets[" + std::to_string(k) + "]";
    const toml::table& t = doc.table(*a.get(k), key);
    doc.allow(t, key, {"name", "indicator", "zone", "group", "year", "period", "max", "min", "variants"});
    Target tg;
    tg.where = doc.where(&t);
    if (!t.get("indicator")) doc.fail(&t, key + ".indicator", "missing");
    tg.indicator = doc.string(*t.get("indicator"), key + ".indicator");
    tg.name = t.get("name") ? one_line_label(doc, *t.get("name"), key + ".name", kMaxNameChars) : tg.indicator;
    if (t.get("zone")) {
      tg.unit = doc.string(*t.get("zone"), key + ".zone");
      bool ok = tg.unit == "total";
      for (const auto& z : sc.zones) ok = ok || z.id == tg.unit;
      for (const auto& ag : sc.aggregates) ok = ok || ag.name == tg.unit;
      if (!ok) doc.fail(t.get("zone"), key + ".zone", "expected a zone id, an aggregate name or \"total\", got \"" + tg.unit + "\"");
    }
    if (t.get("group")) {
      tg.group = doc.string(*t.get("group"), key + ".group");
      if (tg.group != "all" && std::find(sc.group_names.begin(), sc.group_names.end(), tg.group) == sc.group_names.end())
        doc.fail(t.get("group"), key + ".group", "expected a group of projection.groups or \"all\", got \"" + tg.group + "\"");
    }
    if ((t.get("year") != nullptr) == (t.get("period") != nullptr)) doc.fail(&t, key, "expected exactly one of 'year' and 'period'");
    if (t.get("year")) {
      tg.year = doc.integer(*t.get("year"), key + ".year", sc.base_year, sc.end_year(), "a year in the horizon");
      if ((tg.year - sc.base_year) % sc.grid.width_years != 0)
        doc.fail(t.get("year"), key + ".year", "expected a year at the end of a step (" + std::to_string(sc.grid.width_years) + "-year steps from " + std::to_string(sc.base_year) + ")");
      bool known = false;
      for (int i = 0; i < kStandardIndicators; ++i) known = known || tg.indicator == indicator_name(static_cast<Indicator>(i));
      for (const AgeBand& b : sc.indicator_bands) known = known || tg.indicator == b.name;
      if (!known && optional_indicator(tg.indicator))
        doc.fail(t.get("indicator"), key + ".indicator",
                 "\"" + tg.indicator + "\" is written only when asked for: add it to [outputs] indicators");
      if (!known && (tg.indicator == "households" || tg.indicator == "dwellings_needed"))
        doc.fail(
            t.get("indicator"), key + ".indicator",
            "\"" + tg.indicator +
                "\" of [households] is written to indicators.csv and households.csv but cannot be a "
                "target; expected an indicator computed for every scenario (e.g. population, share_65_plus_percent)");
      if (!known) doc.fail(t.get("indicator"), key + ".indicator", "expected an indicator of indicators.csv (e.g. population, share_65_plus_percent, srb_per_100_females), got \"" + tg.indicator + "\"");
      // A flow counts the step ending with the year and the base year ends none (its rows of indicators.csv list the
      // stock indicators only): its value was 0 (births read as "missed" against a min, deaths "met" against a max),
      // or empty for a fertility summary, not a value of the base year.
      if (known && tg.year == sc.base_year && !is_stock_indicator(tg.indicator))
        doc.fail(t.get("year"), key + ".year",
                 "target \"" + escape_cell(tg.name) + "\" on \"" + tg.indicator + "\" in the base year " +
                     std::to_string(sc.base_year) +
                     ": it counts the events of the step ending with its year and the base year ends no step "
                     "(indicators.csv has only the stock indicators for it); expected a year from " +
                     std::to_string(sc.base_year + sc.grid.width_years) +
                     ", a period of [plan_periods], or a stock indicator (population, shares, age groups)");
      for (int i = 0; i < kStandardIndicators; ++i) {
        const auto id = static_cast<Indicator>(i);
        const int need = indicator_min_open_age(id);
        if (tg.indicator != indicator_name(id) || need <= sc.grid.open_age()) continue;
        doc.fail(t.get("indicator"), key + ".indicator",
                 "target \"" + escape_cell(tg.name) + "\" on \"" + tg.indicator + "\", which counts persons aged " +
                     indicator_age_band(id) + ": the grid's open age group " + std::to_string(sc.grid.open_age()) +
                     "+ has no ages inside it, so the indicator is not defined (empty in indicators.csv); expected "
                     "projection.open_age of at least " +
                     std::to_string(need) + ", or another indicator");
      }
    } else {
      const auto [a0, a1] = doc.years_label(*t.get("period"), key + ".period");
      const int z = sc.grid.width_years;
      if (a0 - 1 < sc.base_year || a1 > sc.end_year() || (a0 - 1 - sc.base_year) % z != 0 || (a1 - sc.base_year) % z != 0)
        doc.fail(t.get("period"), key + ".period", "period " + std::to_string(a0) + "-" + std::to_string(a1) + " is outside the horizon or not on the steps");
      tg.first_year = a0;
      tg.last_year = a1;
      bool declared = false;
      for (const auto& pp : sc.plan_periods) declared = declared || (pp.first_year == a0 && pp.last_year == a1);
      if (!declared)
        doc.fail(t.get("period"), key + ".period", "period " + std::to_string(a0) + "-" + std::to_string(a1) +
                                                      " is not one of [plan_periods]; declare it there");
      if (std::find(kPeriodIndicators.begin(), kPeriodIndicators.end(), tg.indicator) == kPeriodIndicators.end()) {
        std::string list;
        for (const auto& s : kPeriodIndicators) list += (list.empty() ? "" : ", ") + s;
        doc.fail(t.get("indicator"), key + ".indicator", "expected a period indicator (" + list + "), got \"" + tg.indicator + "\"");
      }
    }
    if (t.get("max")) tg.max = doc.number(*t.get("max"), key + ".max", -1e12, 1e12);
    if (t.get("min")) tg.min = doc.number(*t.get("min"), key + ".min", -1e12, 1e12);
    if (!tg.max && !tg.min) doc.fail(&t, key, "expected 'max' and/or 'min'");
    if (tg.max && tg.min &&
        *tg.min > *tg.max)  // no value can meet it: the target would be reported missed in every run
      doc.fail(t.get("min"), key + ".min",
               "larger than 'max' (" + fmt(*tg.min) + " > " + fmt(*tg.max) + "); no value meets the target");
    if (t.get("variants")) {
      tg.variants = doc.strings(*t.get("variants"), key + ".variants");
      // An empty list reads as no list at all (every run): `variants = []` checked the target on every run.
      if (tg.variants.empty())
        doc.fail(t.get("variants"), key + ".variants",
                 "expected at least one variant name (baseline or a [[variants]] name), got an empty list; leave the "
                 "key out to check the target on every run");
    }
    set.targets.push_back(tg);
  }
}

void read_services(const Doc& doc, const toml::table& root, const Build& b, ScenarioSet& set) {
  const toml::node* sn = root.get("services");
  if (!sn) return;
  const toml::array& a = doc.array(*sn, "services");
  std::set<std::string> names;
  for (std::size_t k = 0; k < a.size(); ++k) {
    const std::string key = "services[" + std::to_string(k) + "]";
    const toml::table& t = doc.table(*a.get(k), key);
    doc.allow(t, key, {"name", "ages", "births", "group", "per_person", "per_1000", "enrolment", "capacity"});
    ServiceNorm s;
    if (!t.get("name")) doc.fail(&t, key + ".name", "missing");
    s.name = one_line_label(doc, *t.get("name"), key + ".name", kMaxNameChars);
    // service_demand.csv tells services apart by name only
    if (!names.insert(s.name).second)
      doc.fail(t.get("name"), key + ".name",
               "\"" + s.name + "\" names another service too; expected a name of its own");
    s.per_births = t.get("births") && doc.boolean(*t.get("births"), key + ".births");
    // One group's demand, e.g. school places for the floating population's children (随迁子女): "all" is every group.
    if (const toml::node* gn = t.get("group"); gn && doc.string(*gn, key + ".group") != "all")
      s.group = b.group(*gn, key + ".group");
    if (s.per_births == (t.get("ages") != nullptr)) doc.fail(&t, key, "expected either 'ages' = [from, to] or births = true");
    if (t.get("ages")) {
      const toml::array& ag = doc.array(*t.get("ages"), key + ".ages");
      if (ag.size() < 1 || ag.size() > 2) doc.fail(t.get("ages"), key + ".ages", "expected [from, to] or [from] (open-ended)");
      s.from_age = doc.integer(*ag.get(0), key + ".ages", 0, 130, "an age");
      s.to_age = ag.size() == 2 ? doc.integer(*ag.get(1), key + ".ages", s.from_age, 130, "an age") : -1;
      // The open group w+ has no ages inside it: a band that starts or ends inside it took a fifth of it per year
      // as if it were one age group wide (ages [90] on a grid open at 85 counted nobody).
      const int w = (b.A - 1) * b.z;
      if (s.from_age > w || s.to_age >= w)
        doc.fail(t.get("ages"), key + ".ages",
                 (s.from_age > w ? "starts" : "ends") + std::string(" inside the open age group ") + std::to_string(w) +
                     "+ (the projection has no persons by age from " + std::to_string(w) +
                     " on); expected ages that end below " + std::to_string(w) + ", or [from] with from at most " +
                     std::to_string(w) + " for an open-ended band (or a higher projection.open_age)");
    }
    if ((t.get("per_person") != nullptr) == (t.get("per_1000") != nullptr)) doc.fail(&t, key, "expected exactly one of per_person and per_1000");
    // A number, or a path over years ({ "2020" = 0.8, "2030" = 1.0 }: linear between, constant outside).
    const bool per_1000 = t.get("per_1000") != nullptr;
    const toml::node& nn = *(per_1000 ? t.get("per_1000") : t.get("per_person"));
    const std::string nkey = key + (per_1000 ? ".per_1000" : ".per_person");
    if (nn.is_table()) {
      s.per_person_path = doc.path(nn, nkey, 0, per_1000 ? 100000 : 100, b.base_year, b.horizon, "places");
      s.per_person = per_1000 ? 1.0 / 1000.0 : 1.0;
    } else {
      s.per_person = per_1000 ? doc.number(nn, nkey, 0, 100000) / 1000.0 : doc.number(nn, nkey, 0, 100);
    }
    if (t.get("enrolment")) s.per_person *= doc.number(*t.get("enrolment"), key + ".enrolment", 0, 1.5, "an enrolment ratio");
    if (const toml::node* cn = t.get("capacity")) {
      const std::string ckey = key + ".capacity";
      if (cn->is_number()) {
        s.total_capacity = doc.number(*cn, ckey, 0, 1e10, "places");
      } else if (cn->is_table() && !cn->as_table()->get("path")) {
        // `capacity = {}` was a service without any capacity, as if the key were left out.
        if (cn->as_table()->empty())
          doc.fail(cn, ckey,
                   "expected at least one zone id = places, got an empty table; leave the key out for no capacity");
        s.capacity.assign(uz(b.Z), kNaN);
        for (auto&& [kk, v] : *cn->as_table()) {
          auto it = b.zone_index.find(std::string(kk.str()));
          if (it == b.zone_index.end()) doc.fail(kk.source(), ckey + "." + std::string(kk.str()), "expected a zone id of the geography");
          s.capacity[uz(it->second)] = doc.number(v, ckey + "." + std::string(kk.str()), 0, 1e10, "places");
        }
      } else {
        const TableRef ref = table_ref(doc, *cn, ckey, {"zone", "capacity"});
        refuse_unit_and_per(doc, ref, "places");
        refuse_between(doc, ref);
        const Rows rows = read_rows(doc, ref, {"zone", "capacity"}, {"capacity"});
        s.capacity.assign(uz(b.Z), kNaN);
        for (std::size_t r = 0; r < rows.size(); ++r) {
          auto it = b.zone_index.find(rows.text(r, "zone"));
          if (it == b.zone_index.end())
            doc.fail(cn, ckey,
                     rows.where(r, "zone") + ": unknown zone \"" + escape_cell(rows.text(r, "zone")) +
                         "\"; expected a zone id of the geography" + b.zone_twin_hint(rows.text(r, "zone")));
          double& cap = s.capacity[uz(it->second)];
          // As the inline form: places from 0 to 1e10, one row per zone (a second row replaced the first silently).
          if (!std::isnan(cap))
            doc.fail(cn, ckey,
                     rows.where(r, "zone") + ": a second capacity for zone " + b.sc.zones[uz(it->second)].id +
                         "; expected one row per zone");
          cap = rows.number(r, "capacity");
          if (!(cap >= 0.0 && cap <= 1e10))
            doc.fail(cn, ckey, rows.where(r, "capacity") + ": " + fmt(cap) + "; expected places from 0 to 1e10");
        }
      }
    }
    set.services.push_back(s);
  }
}

}  // namespace cohortgis::scenarios::detail
