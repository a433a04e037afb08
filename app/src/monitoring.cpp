// SPDX-License-Identifier: Apache-2.0
#include "cohortgis/app/monitoring.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "cohortgis/engine/indicator_ages.hpp"
#include "cohortgis/engine/types.hpp"
#include "cohortgis/geodata/ascii_case.hpp"
#include "cohortgis/geodata/read_policy.hpp"
#include "cohortgis/geodata/table.hpp"
#include "cohortgis/geodata/text_encoding.hpp"
#include "cohortgis/scenarios/did_you_mean.hpp"
#include "text_output.hpp"

namespace cohortgis::app {

namespace {

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

bool is_count(const std::string& i) {
  return i == "population" || i.rfind("population_", 0) == 0 || i.rfind("births", 0) == 0 || i == "deaths" ||
         i == "net_migration" || i == "person_years" || i == "women_15_49" || i.rfind("age_", 0) == 0;
}

bool is_years(const std::string& i) {
  return i == "e0" || i.rfind("e0_", 0) == 0 || i.rfind("e65_", 0) == 0 || i == "median_age";
}

std::string quote_cell(const std::string& s) { return "'" + geodata::escape_cell(s) + "'"; }

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

// The section's own keys against the projection: a whole_area code that is a zone id or aggregate would take that
// zone's rows for the whole area, and a name mapped to no indicator was reported as a unit error of its rows.
void check_monitoring_keys(const scenarios::MonitoringSpec& spec, const MonitoringScope& scope,
                           const std::set<std::string>& indicators) {
  if (!spec.whole_area.empty() &&
      std::find(scope.zones.begin(), scope.zones.end(), spec.whole_area) != scope.zones.end())
    throw InputError("key 'monitoring.whole_area': " + quote_cell(spec.whole_area) +
                     " is a zone id or aggregate name of the projection; expected the code that stands for the "
                     "whole area only (e.g. \"110000\"), or leave it out and write 'total'");
  const std::vector<std::string> known(indicators.begin(), indicators.end());
  for (const auto& [name, mapped] : spec.names)
    if (!indicators.count(mapped.indicator))
      throw InputError("key 'monitoring.names." + name + "': indicator " + quote_cell(mapped.indicator) +
                       " is not an indicator the projection computes; " +
                       scenarios::did_you_mean(mapped.indicator, known) +
                       "expected one of indicators.csv (docs/results.md) or e0");
}

}  // namespace

namespace {
constexpr double kMaxObservedValue = 1e12;  // as a target's min and max (read_plan.cpp) and an absolute tolerance
}  // namespace

std::optional<double> unit_factor(const std::string& unit_text, const std::string& indicator) {
  const std::string u = geodata::ascii_lower(unit_text);
  if (is_count(indicator)) {
    if (u == "persons" || u == "person" || u == "人") return 1.0;
    if (u == "10k persons" || u == "万人" || u == "10000 persons") return 1e4;
    if (u == "thousands" || u == "thousand persons" || u == "千人") return 1e3;
    return std::nullopt;
  }
  if (ends_with(indicator, "_per_1000")) {
    if (u == "per 1000" || u == "‰" || u == "per mille") return 1.0;
    return std::nullopt;
  }
  if (ends_with(indicator, "_percent")) {
    if (u == "percent" || u == "%") return 1.0;
    return std::nullopt;
  }
  if (is_years(indicator)) {
    if (u == "years" || u == "year" || u == "岁" || u == "年") return 1.0;
    return std::nullopt;
  }
  if (indicator == "srb_per_100_females") return u == "per 100 females" ? std::optional<double>(1.0) : std::nullopt;
  if (indicator == "tfr") return u == "children per woman" ? std::optional<double>(1.0) : std::nullopt;
  if (ends_with(indicator, "_ratio")) {
    if (u == "percent" || u == "%") return 1.0;
    return std::nullopt;
  }
  return std::nullopt;
}

std::vector<ObservedFigure> read_observed_figures(const scenarios::MonitoringSpec& spec, const MonitoringScope& scope) {
  using geodata::ColumnType;
  const geodata::Table t = [&] {
    try {
      return geodata::read_table(spec.observed,
                                 {{"year", ColumnType::number},
                                  {"zone", ColumnType::text},
                                  {"indicator", ColumnType::text},
                                  {"value", ColumnType::number},
                                  {"unit", ColumnType::text}},
                                 {}, spec.encoding);
    } catch (const geodata::DeclaredEncodingError& e) {
      // The declaration is what is wrong: named by its key, as every other table's (toml_doc.cpp).
      throw InputError("key 'monitoring.observed.encoding': " + std::string(e.what()));
    }
  }();
  const std::size_t cy = t.column("year"), cz = t.column("zone"), ci = t.column("indicator"), cv = t.column("value"),
                    cu = t.column("unit");
  const bool has_group = t.has_column("group");
  std::set<std::string> indicators(scope.indicators.begin(), scope.indicators.end());
  indicators.insert("e0");
  check_monitoring_keys(spec, scope, indicators);
  std::vector<std::string> zone_list = scope.zones;
  if (!spec.whole_area.empty()) zone_list.push_back(spec.whole_area);
  zone_list.push_back("total");
  std::vector<std::string> groups = scope.groups;
  groups.push_back("all");
  std::map<std::string, std::size_t> seen;
  std::vector<ObservedFigure> out;
  for (std::size_t r = 0; r < t.size(); ++r) {
    ObservedFigure f;
    f.row = r;
    const double y = t.number(r, cy);
    if (y != std::floor(y))
      throw InputError(t.where(r, cy) + ": year " + geodata::escape_cell(t.text(r, cy)) + "; expected a whole year");
    // Compared before the cast: 1e20 as an int is undefined (it was reported as year -2147483648).
    if (!(y > scope.base_year && y <= scope.end_year))
      throw InputError(t.where(r, cy) + ": year " + geodata::escape_cell(t.text(r, cy)) +
                       "; expected a year after the base year " + std::to_string(scope.base_year) +
                       " up to the horizon " + std::to_string(scope.end_year));
    f.year = static_cast<int>(y);
    const std::string& zone = t.text(r, cz);
    // An empty cell is no code: with no whole_area (or an empty one) it matched the empty default and a row whose
    // zone was left out was read as the whole area (hostile probe of round 26).
    if ((!zone.empty() && zone == spec.whole_area) || zone == "total")
      f.zone = "total";
    else if (std::find(scope.zones.begin(), scope.zones.end(), zone) != scope.zones.end())
      f.zone = zone;
    else if (zone.empty())
      throw InputError(t.where(r, cz) + ": the cell is empty; expected a zone id, total or the whole area's code (" +
                       join(zone_list) + ")");
    else
      throw InputError(t.where(r, cz) + ": zone " + quote_cell(zone) + " is not a zone of the projection; expected " +
                       "one of " + join(zone_list) + " (monitoring.whole_area names the code of the whole area)");
    f.observed_name = t.text(r, ci);
    if (const auto it = spec.names.find(f.observed_name); it != spec.names.end()) {
      f.indicator = it->second.indicator;
      f.group = it->second.group;
    } else if (indicators.count(f.observed_name)) {
      f.indicator = f.observed_name;
      f.group = "all";
    } else if (f.observed_name == "households" || f.observed_name == "dwellings_needed") {
      throw InputError(t.where(r, ci) + ": indicator " + quote_cell(f.observed_name) + " of [households] is written " +
                       "to indicators.csv but cannot be monitored; expected an indicator computed for every scenario");
    } else {
      std::vector<std::string> known(indicators.begin(), indicators.end());
      for (const auto& [name, mapped] : spec.names) known.push_back(name);
      throw InputError(t.where(r, ci) + ": indicator " + quote_cell(f.observed_name) + " is neither an indicator the " +
                       "projection computes (indicators.csv, or e0) nor mapped in monitoring.names; " +
                       scenarios::did_you_mean(f.observed_name, known) +
                       "expected one of those, or a line for it in monitoring.names");
    }
    for (int i = 0; i < kStandardIndicators; ++i) {
      const auto id = static_cast<Indicator>(i);
      if (f.indicator != indicator_name(id) || indicator_min_open_age(id) <= scope.open_age) continue;
      throw InputError(t.where(r, ci) + ": indicator " + quote_cell(f.indicator) + " counts persons aged " +
                       indicator_age_band(id) + ", but the grid's open age group " + std::to_string(scope.open_age) +
                       "+ has no ages inside it, so the projection does not define it; expected projection.open_age "
                       "of at least " +
                       std::to_string(indicator_min_open_age(id)) + ", or a row of another indicator");
    }
    if (has_group) {
      const std::string& g = t.text(r, t.column("group"));
      if (!g.empty() && g != "all") {
        if (f.group != "all" && f.group != g)
          throw InputError(t.where(r, t.column("group")) + ": group " + quote_cell(g) + ", but monitoring.names maps " +
                           quote_cell(f.observed_name) + " to group " + quote_cell(f.group));
        f.group = g;
      }
    }
    if (std::find(groups.begin(), groups.end(), f.group) == groups.end())
      throw InputError(t.where(r, has_group ? t.column("group") : ci) + ": group " + quote_cell(f.group) +
                       " is not a group of the projection; expected one of " + join(groups));
    const std::optional<double> factor = unit_factor(t.text(r, cu), f.indicator);
    if (!factor)
      throw InputError(t.where(r, cu) + ": unit " + quote_cell(t.text(r, cu)) + " cannot be read for indicator " +
                       quote_cell(f.indicator) + "; expected persons, 10k persons (万人) or thousands for counts, " +
                       "per 1000 (‰) for rates, percent for shares, years for life expectancy");
    f.value = t.number(r, cv) * *factor;
    // The bound of a target's min and max: 1e306 "10k persons" became inf, written as an empty observed figure
    // without a word (hostile probe of round 26).
    if (!(std::fabs(f.value) <= kMaxObservedValue))
      throw InputError(t.where(r, cv) + ": " + geodata::escape_cell(t.text(r, cv)) + " " +
                       geodata::escape_cell(t.text(r, cu)) + " for indicator " + quote_cell(f.indicator) +
                       "; expected a value from -1e12 to 1e12 in the indicator's own unit (persons, per 1000, "
                       "percent, years)");
    // Only net migration and natural growth may fall below 0; a negative count, rate or age was compared as given.
    if (f.value < 0.0 && f.indicator != "net_migration" && f.indicator != "natural_growth_per_1000")
      throw InputError(t.where(r, cv) + ": " + geodata::escape_cell(t.text(r, cv)) + " for indicator " +
                       quote_cell(f.indicator) + "; expected a value >= 0 (only net_migration and " +
                       "natural_growth_per_1000 may be negative)");
    f.flow = f.indicator == "e0" || std::find(scope.flow_indicators.begin(), scope.flow_indicators.end(),
                                              f.indicator) != scope.flow_indicators.end();
    const std::string key = std::to_string(f.year) + '\x1f' + f.zone + '\x1f' + f.group + '\x1f' + f.indicator;
    if (const auto it = seen.find(key); it != seen.end())
      throw InputError(t.where(r, ci) + ": the same year, zone, group and indicator as data row " +
                       std::to_string(it->second + 1) + "; expected one figure each");
    seen[key] = r;
    out.push_back(f);
  }
  // A tolerance or fitted year that matches no row (a misspelled name) would leave the rows unflagged or checked.
  const auto no_row = [&](const std::string& key, const std::string& name, std::optional<int> year) {
    for (const auto& f : out)
      if (f.observed_name == name && (!year || f.year == *year)) return;
    std::vector<std::string> names;  // in the table's order
    for (const auto& f : out)
      if (std::find(names.begin(), names.end(), f.observed_name) == names.end()) names.push_back(f.observed_name);
    for (auto& n : names) n = quote_cell(n);
    throw InputError("key '" + key + "': " + spec.observed + " has no row for " + quote_cell(name) +
                     (year ? " in " + std::to_string(*year) : std::string()) +
                     "; expected an indicator of the observed table (by the name it has there: " + join(names) + ")" +
                     (year ? " and a year it has a row for" : ""));
  };
  for (const auto& [name, tol] : spec.tolerances) no_row("monitoring.tolerances." + name, name, std::nullopt);
  for (const auto& [name, years] : spec.fitted)
    for (int y : years) no_row("monitoring.fitted." + name, name, y);
  return out;
}

std::string MonitoringRow::flag() const {
  std::string s;
  const auto add = [&](const char* w) { s += (s.empty() ? "" : " ") + std::string(w); };
  if (beyond_tolerance) add("beyond_tolerance");
  if (interpolated) add("interpolated");
  if (step_mean) add("step_mean");
  if (no_projection) add("no_projection");
  return s;
}

std::vector<MonitoringRow> monitor(const std::vector<ObservedFigure>& figures, const scenarios::MonitoringSpec& spec,
                                   const std::vector<int>& projected_years, const ProjectedLookup& projected) {
  std::vector<MonitoringRow> rows;
  for (const auto& f : figures) {
    MonitoringRow m;
    m.year = f.year;
    m.zone = f.zone;
    m.group = f.group;
    m.indicator = f.indicator;
    double p = std::nan("");
    if (const auto v = projected(f.year, f.zone, f.group, f.indicator)) {
      p = *v;
    } else {
      if (f.flow) {
        // A flow of year Y is reported for the step that covers Y (docs/results.md: flows of year Y cover the step
        // ending with Y): the first projected year at or after Y.
        const auto it = std::lower_bound(projected_years.begin(), projected_years.end(), f.year);
        if (it != projected_years.end())
          if (const auto at_step = projected(*it, f.zone, f.group, f.indicator)) p = *at_step;
        m.step_mean = !std::isnan(p);
      } else {
        // A stock: linear between the projected years around the observed one (e.g. a five-year step's ends).
        std::vector<int> ys;
        std::vector<double> vs;
        for (int y : projected_years)
          if (const auto at_year = projected(y, f.zone, f.group, f.indicator)) {
            ys.push_back(y);
            vs.push_back(*at_year);
          }
        p = interpolate_linear(ys, vs, f.year);
        m.interpolated = !std::isnan(p);
      }
      m.no_projection = std::isnan(p);
    }
    m.values = compare_values(f.value, p);
    const auto fit = spec.fitted.find(f.observed_name);
    const bool fitted =
        fit != spec.fitted.end() && std::find(fit->second.begin(), fit->second.end(), f.year) != fit->second.end();
    m.role = fitted ? "fitted" : "checked";
    if (!fitted && !std::isnan(p))
      if (const auto tol = spec.tolerances.find(f.observed_name); tol != spec.tolerances.end()) {
        const double off = tol->second.kind == scenarios::Tolerance::Kind::relative
                               ? std::abs(m.values.relative_difference)
                               : std::abs(m.values.difference);
        // NaN (observed 0 with a relative tolerance) counts as beyond it.
        m.beyond_tolerance = !(off <= tol->second.value + 1e-12);
      }
    rows.push_back(m);
  }
  return rows;
}

std::string monitoring_csv(const std::vector<MonitoringRow>& rows) {
  std::string out = "year,zone,group,indicator,observed,projected,difference,relative_difference,role,flag\n";
  for (const auto& r : rows) {
    const std::vector<std::string> cells{std::to_string(r.year),
                                         r.zone,
                                         r.group,
                                         r.indicator,
                                         number_cell(r.values.observed),
                                         number_cell(r.values.projected),
                                         number_cell(r.values.difference),
                                         number_cell(r.values.relative_difference),
                                         r.role,
                                         r.flag()};
    append_csv_row(out, cells);
  }
  return out;
}

}  // namespace cohortgis::app
