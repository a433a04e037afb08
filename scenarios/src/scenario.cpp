// SPDX-License-Identifier: Apache-2.0
#include "cohortgis/scenarios/scenario.hpp"
#include "cohortgis/engine/index_cast.hpp"

#include <memory>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <utility>

#include "cohortgis/engine/number_text.hpp"
#include "cohortgis/engine/types.hpp"
#include "cohortgis/geodata/read_policy.hpp"
#include "cohortgis/geodata/text_encoding.hpp"
#include "shared_steps.hpp"
#include "text_limits.hpp"

namespace cohortgis::scenarios {

std::string PlanPeriod::label() const {
  if (first_year == last_year) return std::to_string(first_year);
  return std::to_string(first_year) + "-" + std::to_string(last_year);
}

std::vector<std::string> Scenario::zone_ids() const {
  std::vector<std::string> ids;
  ids.reserve(zones.size());
  for (const auto& z : zones) ids.push_back(z.id);
  return ids;
}

namespace {

// The last year a projection may reach (check_years): well inside int and the 16-bit years of indicators.csv's keys.
constexpr int kLastYear = 9999;

using geodata::quote_cell;  // a name in a message: quoted, escaped and cut as a table cell is

// A C0 control, DEL, a C1 control (U+0080 … U+009F in UTF-8: NEL U+0085 breaks lines) or U+2028/U+2029 (line and
// paragraph separators): each breaks the line in some reader of the outputs (hostile probe 19 for the last two).
bool breaks_line(const std::string& s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    const auto next = [&](std::size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u; };
    if (c < 0x20 || c == 0x7f || (c == 0xc2 && next(1) >= 0x80 && next(1) <= 0x9f) ||
        (c == 0xe2 && next(1) == 0x80 && (next(2) == 0xa8 || next(2) == 0xa9)))
      return true;
  }
  return false;
}

}  // namespace

void check_name(const std::string& name, const std::string& what) {
  if (name.empty()) throw InputError(what + ": empty; expected a name");
  if (breaks_line(name))
    throw InputError(what + " " + quote_cell(name) +
                     ": holds a control character (tab, line break, U+0085, U+2028 …); expected a name on one line");
  // Only spaces: a name no output shows (hostile probe 19).
  if (name.find_first_not_of(' ') == std::string::npos)
    throw InputError(what + " " + quote_cell(name) + ": only spaces; expected a name");
}

void validate_runs(const std::vector<Scenario>& runs) {
  if (runs.empty()) throw InputError("scenario set: no runs; expected a baseline");
  if (runs.front().variant != "baseline")
    throw InputError("scenario '" + runs.front().name + "': the first run is " + quote_cell(runs.front().variant) +
                     "; expected the baseline, named \"baseline\"");
  std::set<std::string> seen{"baseline"};
  for (std::size_t r = 1; r < runs.size(); ++r) {
    const std::string what = "scenario '" + runs[r].name + "': variant " + std::to_string(r);
    check_name(runs[r].variant, what + " name");
    if (!seen.insert(runs[r].variant).second)
      throw InputError(what + " " + quote_cell(runs[r].variant) + ": " +
                       (runs[r].variant == "baseline" ? "the name of the baseline" : "a second variant of that name") +
                       "; expected a name of its own");
  }
  for (const auto& r : runs) r.validate();
}

void Scenario::check_years() const {
  const std::string what = "scenario '" + name + "'";
  if (base_year < 1 || base_year > kLastYear)
    throw InputError(what + ": base year " + std::to_string(base_year) + "; expected a year from 1 to " +
                     std::to_string(kLastYear));
  if (steps < 0) throw InputError(what + ": negative number of steps");
  const long long end = base_year + static_cast<long long>(steps) * grid.width_years;
  if (end > kLastYear)
    throw InputError(what + ": " + std::to_string(steps) + " steps of " + std::to_string(grid.width_years) +
                     " years from " + std::to_string(base_year) + " end in " + std::to_string(end) +
                     "; expected an end year of at most " + std::to_string(kLastYear));
}

void Scenario::validate() const {
  // The scenario's name goes into manifest.json and the outputs: on one line, as the names below (may be empty).
  if (breaks_line(name))
    throw InputError("scenario name " + quote_cell(name) +
                     ": holds a control character (tab, line break, NUL …); expected a name on one line");
  const std::string what = "scenario '" + name + "'";
  check_name(variant, what + ": variant name");
  // As a file's scenario.title: a title set from Python was copied whole into every output (10 MB: 30 MB of results).
  // On one line, as the aggregates' titles below: a variant titled "more\nbirths" was two lines in the charts'
  // legends, read as two entries, and a title broke report.html's heading where it broke (round 25).
  for (const auto& [t, key] : {std::pair{&title, "title"}, std::pair{&title_en, "title_en"}}) {
    if (breaks_line(*t))
      throw InputError(what + ": " + key + " " + quote_cell(*t) +
                       ": holds a control character (tab, line break, NUL …); expected a title on one line");
    if (const std::size_t chars = geodata::utf8_chars(*t); chars > detail::kMaxTitleChars)
      throw InputError(what + ": " + key + " of " + std::to_string(chars) + " characters; expected at most " +
                       std::to_string(detail::kMaxTitleChars));
  }
  grid.validate();
  if (zones.empty()) throw InputError(what + ": no zones");
  if (group_names.empty()) throw InputError(what + ": no population groups");
  const CohortLayout want{static_cast<int>(zones.size()), static_cast<int>(group_names.size()), grid};
  if (!(base_population.layout() == want) || base_population.data().size() != want.cells())
    throw InputError(what + ": the base population does not match its zones, groups and age grid");
  check_years();
  if (steps > 0 && schedules.size() != 1 && schedules.size() != uz(steps))
    throw InputError(what + ": " + std::to_string(schedules.size()) + " schedule sets for " + std::to_string(steps) +
                     " steps; expected one per step or one for all");
  // Names (they are the keys of every CSV row and part of file names).
  std::set<std::string> ids, aggs, groups;
  for (std::size_t z = 0; z < zones.size(); ++z) {
    check_name(zones[z].id, what + ": zone " + std::to_string(z + 1) + " id");
    if (zones[z].id == "total")
      throw InputError(what +
                       ": zone id \"total\" is reserved for the whole area (indicators.csv, targets); give "
                       "the zone another id");
    if (!ids.insert(zones[z].id).second)
      throw InputError(what + ": zone id " + quote_cell(zones[z].id) + " appears twice");
  }
  if (const std::string twins = zone_id_twins(zones); !twins.empty()) throw InputError(what + ": " + twins);
  for (std::size_t g = 0; g < group_names.size(); ++g) {
    check_name(group_names[g], what + ": population group " + std::to_string(g + 1) + " name");
    if (group_names[g] == "all")
      throw InputError(what +
                       ": population group name \"all\" is reserved for all groups together; give the group "
                       "another name");
    if (!groups.insert(group_names[g]).second)
      throw InputError(what + ": population group " + quote_cell(group_names[g]) + " appears twice");
  }
  for (std::size_t a = 0; a < aggregates.size(); ++a) {
    const ZoneAggregate& ag = aggregates[a];
    check_name(ag.name, what + ": aggregate " + std::to_string(a + 1) + " name");
    if (ag.name == "total")
      throw InputError(what +
                       ": aggregate name \"total\" is reserved for the whole area, which cohortgis adds "
                       "itself; give the aggregate another name");
    if (ids.count(ag.name))
      throw InputError(what + ": aggregate name " + quote_cell(ag.name) + " is also a zone id; give it another name");
    if (!aggs.insert(ag.name).second) throw InputError(what + ": aggregate " + quote_cell(ag.name) + " appears twice");
    if (ag.zones.empty()) throw InputError(what + ": aggregate " + quote_cell(ag.name) + " has no zones");
    for (int z : ag.zones)
      if (z < 0 || uz(z) >= zones.size())
        throw InputError(what + ": aggregate " + quote_cell(ag.name) + ": zone index " + std::to_string(z) +
                         " is not a zone");
  }
  // Aggregate titles as the scenario's title (set from Python, a title was copied whole into every output).
  // Each named as its key (title, title_en): a bad title_en was reported as the title.
  for (const auto& [aggregate, titles] : aggregate_titles) {
    // Set from Python, a title of a misspelt or removed aggregate named nothing and was dropped without a word.
    if (!aggs.count(aggregate))
      throw InputError(what + ": aggregate_titles names " + quote_cell(aggregate) +
                       ", which is not an aggregate of the scenario; expected the name of one of its aggregates");
    for (const auto& [t, key] : {std::pair{&titles.first, "title"}, std::pair{&titles.second, "title_en"}}) {
      if (breaks_line(*t))
        throw InputError(what + ": aggregate " + quote_cell(aggregate) + " " + key + " " + quote_cell(*t) +
                         ": holds a control character (tab, line break, NUL …); expected a title on one line");
      if (const std::size_t chars = geodata::utf8_chars(*t); chars > detail::kMaxTitleChars)
        throw InputError(what + ": aggregate " + quote_cell(aggregate) + " " + key + " of " + std::to_string(chars) +
                         " characters; expected at most " + std::to_string(detail::kMaxTitleChars));
    }
  }
  // The variant's titles as a file's [[variants]] title, as the scenario's title above (settable from Python since
  // round 25: a title was copied whole into every output).
  for (const auto& [t, key] : {std::pair{&variant_title, "title"}, std::pair{&variant_title_en, "title_en"}}) {
    if (breaks_line(*t))
      throw InputError(what + ": variant " + quote_cell(variant) + " " + key + " " + quote_cell(*t) +
                       ": holds a control character (tab, line break, NUL …); expected a title on one line");
    if (const std::size_t chars = geodata::utf8_chars(*t); chars > detail::kMaxTitleChars)
      throw InputError(what + ": variant " + quote_cell(variant) + " " + key + " of " + std::to_string(chars) +
                       " characters; expected at most " + std::to_string(detail::kMaxTitleChars));
  }
  // The base population: finite, >= 0 and at most kMaxCellPersons per cell, so that no total overflows.
  {
    const CohortLayout& L = base_population.layout();
    double sum = 0.0;
    for (int z = 0; z < L.zones; ++z)
      for (int g = 0; g < L.groups; ++g)
        for (int x = 0; x < 2; ++x)
          for (int i = 0; i < L.grid.n_ages; ++i) {
            const double v = base_population.at(z, g, x, i);
            if (!std::isfinite(v) || v < 0.0 || v > kMaxCellPersons)
              throw InputError(what + ": base population, zone " + quote_cell(zones[uz(z)].id) + ", group " +
                               quote_cell(group_names[uz(g)]) + ", sex " + sex_name(static_cast<Sex>(x)) + ", age " +
                               std::to_string(L.grid.age_start(i)) + ": " + shortest_number(v) +
                               " persons; expected a finite number from 0 to 1e12 per cell");
            sum += v;
          }
    if (!std::isfinite(sum)) throw InputError(what + ": the base population's total is not a finite number");
  }
  for (const auto& p : plan_periods) {
    const int z = grid.width_years;
    const bool on_grid = (p.first_year - 1 - base_year) % z == 0 && (p.last_year - base_year) % z == 0;
    if (p.first_year > p.last_year || p.first_year - 1 < base_year || p.last_year > end_year() || !on_grid)
      throw InputError(what + ": plan period " + p.label() + " does not fall on the projection's steps (" +
                       std::to_string(base_year) + " to " + std::to_string(end_year()) + " in " + std::to_string(z) +
                       "-year steps)");
    // As a file's [plan_periods] name (read_plan.cpp): set from Python it was copied whole into every output.
    if (const std::size_t chars = geodata::utf8_chars(p.plan); chars > detail::kMaxTitleChars)
      throw InputError(what + ": plan period " + p.label() + ": plan name of " + std::to_string(chars) +
                       " characters; expected at most " + std::to_string(detail::kMaxTitleChars));
    // On one line, as a file's (round 27): the name titles plan-period maps and report rows.
    if (breaks_line(p.plan))
      throw InputError(what + ": plan period " + p.label() + ": plan name " + quote_cell(p.plan) +
                       ": holds a control character (tab, line break, U+0085, U+2028 …); expected a name on one line");
  }
}

ProjectionConfig Scenario::projection_config() const {
  ProjectionConfig c;
  c.grid = grid;
  c.zone_ids = zone_ids();
  c.group_names = group_names;
  c.base_year = base_year;
  c.steps = steps;
  c.migration_timing = migration_timing;
  c.flow_policy = flow_policy;
  c.method = method;
  c.multistate_open_age = multistate_open_age;
  c.life_table_method = life_table_method;
  c.aggregates = aggregates;
  c.extra_age_bands = indicator_bands;
  if (planning) {  // control totals and capacity apply in every run (the app swaps in an adjuster that keeps logs)
    auto a = std::make_shared<PlanningAdjuster>(*planning, c.zone_ids);
    c.step_adjuster = [a, keep = planning](const StepContext& ctx, const CohortArray& start, CohortArray& end,
                                           StepComponents& comp) { (*a)(ctx, start, end, comp); };
  }
  return c;
}

const StepSchedules& Scenario::step_schedules(int step) const {
  return schedules.size() == 1 ? schedules.front() : schedules.at(uz(step));
}

ScheduleProvider Scenario::schedule_provider() const {
  return [this](const StepContext& ctx, StepSchedules& out) {
    // The engine reuses its buffer across steps, so every field is assigned (not merged).
    out = step_schedules(ctx.step);
  };
}

ScheduleProvider Scenario::schedule_provider(const CohortArray* const* start_population) const {
  // What the provider copied last into which buffer: a step whose mortality rows equal those keeps the rows already
  // in the engine's buffer and tells the engine so (StepSchedules::mortality_unchanged), which then reuses its life
  // tables and survival ratios instead of rebuilding them every year of a five-year period. Only for the next step
  // of the same run (a provider may serve several runs, each with a fresh buffer) and unless the engine wrote
  // survival ratios over the rows (ProjectionConfig::mortality_in_place: mortality_kind changed).
  struct Last {
    const StepSchedules* entry = nullptr;
    const double* rows = nullptr;  // out.mortality.data() after the copy
    int step = -1;
  };
  auto last = std::make_shared<Last>();
  return [this, start_population, last](const StepContext& ctx, StepSchedules& out) {
    const StepSchedules& from = step_schedules(ctx.step);
    const bool keep = last->entry && ctx.step == last->step + 1 && !out.mortality.empty() &&
                      out.mortality.data() == last->rows && out.mortality.size() == from.mortality.size() &&
                      out.mortality_kind == from.mortality_kind &&
                      (last->entry == &from || same_mortality(*last->entry, from));
    detail::assign_step_schedules(out, from, keep);
    *last = Last{&from, out.mortality.data(), ctx.step};
    if (adjust_schedules) {
      if (!start_population || !*start_population)
        throw InputError("scenario '" + name + "': population-dependent schedules need the start population");
      adjust_schedules(ctx, **start_population, out);
    }
  };
}

Scenario build_scenario(const std::string& name, const std::string& data_dir) {
  if (name == "beijing-2020-embedded") return beijing_2020(data_dir);
  throw InputError("scenario '" + name + "': not a built-in scenario; give a scenario file (.toml) or 'default'");
}

std::string zone_id_twins(const std::vector<Zone>& zones) {
  // Ids of ASCII without spaces at their ends are their own keys, so distinct ones have no twin: no map is built for
  // them (50,000 zones of codes, the usual case).
  const auto plain = [](const std::string& id) {
    const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    return !id.empty() && !blank(id.front()) && !blank(id.back()) &&
           std::all_of(id.begin(), id.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  };
  if (std::all_of(zones.begin(), zones.end(), [&](const Zone& z) { return plain(z.id); })) return "";
  std::map<std::string, std::size_t> keys;
  for (std::size_t z = 0; z < zones.size(); ++z) {
    const auto [it, fresh] = keys.emplace(geodata::twin_key(zones[z].id), z);
    if (!fresh)
      return "zone ids " + quote_cell(zones[it->second].id) + " (zone " + std::to_string(it->second + 1) + ") and " +
             quote_cell(zones[z].id) + " (zone " + std::to_string(z + 1) +
             ") read alike: " + geodata::twin_difference(zones[it->second].id, zones[z].id) +
             "; expected distinct ids: write each id the same way everywhere (in NFC, without spaces at the ends)";
  }
  return "";
}

std::string net_rate_row_behind(const Scenario& sc, int zone) {
  const NetRateRows* rows = sc.net_rate_rows.get();
  if (!rows) return "";
  const auto held = [&](const NetRateRows::Largest& l) {
    if (l.per_step == 0.0) return false;
    for (const StepSchedules& s : sc.schedules)
      if (l.cell < s.net_migrants_per_person.size() && s.net_migrants_per_person[l.cell] == l.per_step) return true;
    return false;
  };
  const std::size_t none = rows->by_zone.size();
  std::size_t pick = none;
  if (zone >= 0 && uz(zone) < none && held(rows->by_zone[uz(zone)]))
    pick = uz(zone);
  else
    for (std::size_t z = 0; z < none; ++z)
      if (held(rows->by_zone[z]) &&
          (pick == none || std::abs(rows->by_zone[z].per_step) > std::abs(rows->by_zone[pick].per_step)))
        pick = z;
  if (pick == none || pick >= sc.zones.size()) return "";
  const NetRateRows::Largest& l = rows->by_zone[pick];
  return "the net migration rates reach " + shortest_number(l.per_step) + " persons per person over a step in zone '" +
         sc.zones[pick].id + "' (" + rows->where[l.row] + ")";
}

}  // namespace cohortgis::scenarios
