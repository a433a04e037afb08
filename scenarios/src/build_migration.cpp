// SPDX-License-Identifier: Apache-2.0
// [migration], [[relocation]], [[transitions]] and [[newborn]] of a scenario file (the per-step adjuster of the
// population-dependent ones: schedule_adjuster.cpp).
#include "scenario_build.hpp"
#include "text_limits.hpp"

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
#include "cohortgis/scenarios/input_limits.hpp"
#include "cohortgis/scenarios/models.hpp"
#include "cohortgis/scenarios/newborn_checks.hpp"
#include "schedule_time.hpp"

namespace cohortgis::scenarios::detail {

namespace fs = std::filesystem;

// ---- migration, relocation, transitions ----------------------------------------------------------------------------

// `female_share` splits only the profiles that have no sex of their own ("rogers-castro", { rogers_castro = … },
// "uniform"); a profile table or "population" carries its own split, so a share beside it would be ignored: refused.
static void check_female_share(const Doc& doc, const toml::table& t, const std::string& key) {
  const toml::node* fs = t.get("female_share");
  const toml::node* p = t.get("profile");
  if (!fs || !p) return;
  const bool own_split = p->is_table()
                             ? p->as_table()->get("path") != nullptr
                             : p->is_string() && *p->as_string() != "rogers-castro" && *p->as_string() != "uniform";
  if (own_split)
    doc.fail(fs, key + ".female_share",
             "not with this profile (a profile table or \"population\" gives its own split by sex); leave it out");
}

// Zone weights for a total: "base_population" (the zone's base population in the group), "equal", or given per zone.
std::vector<double> allocate(const Build& b, const toml::table& t, const std::string& key, int group) {
  std::vector<double> w(uz(b.Z), 0.0);
  const toml::node* an = t.get("allocation");
  const std::string how = an ? b.doc.string(*an, key + ".allocation") : "base_population";
  if (how == "equal") {
    std::fill(w.begin(), w.end(), 1.0);
  } else if (how == "base_population") {
    for (int zi = 0; zi < b.Z; ++zi)
      for (int g = 0; g < b.G; ++g)
        if (group < 0 || g == group)
          for (int s = 0; s < 2; ++s)
            for (int i = 0; i < b.A; ++i) w[uz(zi)] += b.sc.base_population.at(zi, g, s, i);
  } else {
    b.doc.fail(an, key + ".allocation", "expected \"base_population\" or \"equal\", got \"" + how + "\"");
  }
  double sum = 0;
  for (double v : w) sum += v;
  for (double& v : w) v = sum > 0 ? v / sum : 0.0;
  return w;
}

namespace {

// The migration tables by cell (scenarios/README.md "Migration"): each kind's values over one step, added into the
// step's schedules. Counts (net, in, out) are persons per year (× z) or per step, signed only for net; rates
// (net_rate, out_rate) per person per year or per step; totals (net_total) by zone and group, spread by the engine
// in proportion to the start population (docs/ccmpp.md A2).
enum class CellKind { net, in, out, net_rate, out_rate, net_total };
struct CellTable {
  const char* key;
  CellKind kind;
};
constexpr CellTable kCellTables[] = {{"net", CellKind::net},           {"in", CellKind::in},
                                     {"out", CellKind::out},           {"net_rate", CellKind::net_rate},
                                     {"out_rate", CellKind::out_rate}, {"net_total", CellKind::net_total}};

std::vector<double>& target_of(StepSchedules& s, CellKind k) {
  switch (k) {
    case CellKind::net: return s.net_migrants;
    case CellKind::in: return s.external_in;
    case CellKind::out: return s.external_out;
    case CellKind::net_rate: return s.net_migrants_per_person;
    case CellKind::out_rate: return s.external_out_rate;
    case CellKind::net_total: break;
  }
  return s.net_migrants_total;
}

void add_cell_table(const Build& b, const toml::node& n, const std::string& key, CellKind kind,
                    std::vector<StepSchedules>& steps) {
  const Doc& doc = b.doc;
  const bool by_age = kind != CellKind::net_total;
  const bool rate = kind == CellKind::net_rate || kind == CellKind::out_rate;
  const TableRef ref = table_ref(doc, n, key, {"year", "period", "zone", "group", "sex", "age", "value"});
  std::vector<std::string> required = {"value"};
  if (by_age) (required.push_back("sex"), required.push_back("age"));
  // A count belongs to one zone and group; a rate may apply to all of them.
  if (!rate && b.Z > 1) required.push_back("zone");
  if (!rate && b.G > 1) required.push_back("group");
  const Rows rows = read_rows(doc, ref, required, {"value"});
  // ccmppWPP's mig_net_count_tot_b is one total for both sexes; its S3 class allows a `sex` column of "both" only
  // (R/S3_classes_validators_ccmpp_input.R:320-345 at 09739c8). Sex is no role of net_total here, so a table of
  // totals by sex would have been spread over both sexes without a word (one sex's rows) or stopped at a second row.
  if (kind == CellKind::net_total && rows.has("sex"))
    for (std::size_t r = 0; r < rows.size(); ++r)
      if (const std::string& sex = rows.text(r, "sex"); sex != "both" && sex != "Both")
        doc.fail(&n, key,
                 rows.where(r, "sex") + ": '" + escape_cell(sex) +
                     "'; expected \"both\": net_total is one total for both sexes (the UN's mig_net_count_tot_b); "
                     "give migrants by sex as `net` (by sex and age), or drop the sex column");
  double scale = 1.0;
  if (rate) {
    if (!ref.unit.empty() && ref.unit != "per_person")
      doc.fail(ref.unit_node, key + ".unit", "expected \"per_person\" for a rate, got \"" + escape_cell(ref.unit) + "\"");
    // The engine takes net rates over the whole step and out-rates per year.
    const bool per_step = ref.per == "step";
    scale = kind == CellKind::net_rate ? (per_step ? 1.0 : b.z) : (per_step ? 1.0 / b.z : 1.0);
  } else {
    scale = count_scale(b, ref);
  }
  const TimedRows timed = time_rows(b, rows, key);
  const std::size_t cells = by_age ? b.sc.base_population.layout().cells() : uz(b.Z * b.G);
  // Net rates: each zone's largest and its row, for the message of a run whose population overflows (NetRateRows).
  struct LargestRate {
    double per_step = 0.0;
    std::size_t cell = 0, row = 0;
  };
  std::vector<LargestRate> largest(kind == CellKind::net_rate ? uz(b.Z) : 0);
  std::vector<std::vector<double>> per_key(timed.keys());
  for (std::size_t k = 0; k < timed.keys(); ++k) {
    if (!timed.used[k]) continue;
    std::vector<double>& v = per_key[k];
    v.assign(cells, 0.0);
    std::vector<char> seen(cells, 0);
    std::set<std::pair<std::size_t, int>> open_rows;  // (cell, age) of the rows of an open group
    for (std::size_t r : timed.rows[k]) {
      std::vector<int> zones, groups;
      if (const int zi = b.zone_of_row(rows, r, &n, key); zi >= 0) zones.push_back(zi);
      else for (int z = 0; z < b.Z; ++z) zones.push_back(z);
      if (const int gi = b.group_of_row(rows, r, &n, key); gi >= 0) groups.push_back(gi);
      else for (int g = 0; g < b.G; ++g) groups.push_back(g);
      int s = 0, i = 0;
      if (by_age) {
        s = sex_of(doc, rows, r, key);
        const int age = whole_number(doc, rows, r, "age", key);
        i = b.age_index_folded(age);
        if (i < 0)
          doc.fail(&n, key, rows.where(r, "age") + ": age " + std::to_string(age) + " is not the start of an age group of the grid (0, " +
                                std::to_string(b.z) + ", …, " + std::to_string(b.sc.grid.open_age()) + "+)");
      }
      const double x = rows.number(r, "value");
      // The ranges and their words are input_limits.hpp's, which StepSchedules set from Python are checked by too.
      const MigrationValue range = kind == CellKind::net || kind == CellKind::net_total ? MigrationValue::signed_count
                                   : kind == CellKind::net_rate                         ? MigrationValue::net_rate
                                   : kind == CellKind::out_rate                         ? MigrationValue::out_rate
                                                                                        : MigrationValue::count;
      // Counts and net rates as the step holds them (× unit, × z per year): one limit for every step length.
      if (const std::string problem = migration_value_problem(range, x, x * scale); !problem.empty())
        doc.fail(&n, key, rows.where(r, "value") + ": " + problem);
      // Counts of the open group are the sum of its rows (the open age's and any past it); a rate applies to the
      // persons of its own age, so the rows from the open age on must agree (the UN's 0 past 100, say).
      const bool open = by_age && i == b.A - 1;
      const int age = open ? whole_number(doc, rows, r, "age", key) : 0;
      for (int z : zones)
        for (int g : groups) {
          const std::size_t c = by_age ? b.sc.base_population.layout().index(z, g, s, i) : uz(z * b.G + g);
          if (!largest.empty() && std::abs(x * scale) > std::abs(largest[uz(z)].per_step))
            largest[uz(z)] = {x * scale, c, r};
          if (open) {
            if (!open_rows.insert({c, age}).second)
              doc.fail(&n, key, rows.where(r, "age") + ": a second row for this cell (zone " + b.sc.zones[uz(z)].id +
                                    (b.G > 1 ? ", group " + b.sc.group_names[uz(g)] : "") + ", " +
                                    sex_name(static_cast<Sex>(s)) + ", age " + std::to_string(age) + ")");
            if (!rate) {
              v[c] += x * scale;
              continue;
            }
            if (seen[c]++ && v[c] != x * scale)
              doc.fail(&n, key, rows.where(r, "value") + ": the rate " + fmt(x) +
                                    " differs from the rate of another row of the open group " +
                                    std::to_string(b.sc.grid.open_age()) + "+ (zone " + b.sc.zones[uz(z)].id +
                                    (b.G > 1 ? ", group " + b.sc.group_names[uz(g)] : "") + ", " +
                                    sex_name(static_cast<Sex>(s)) + ", " + fmt(v[c] / scale) +
                                    "); rates of the ages past the open age cannot be summed into it: give counts, "
                                    "one rate for the open group, or set open_age to the table's last age");
            v[c] = x * scale;
            continue;
          }
          if (seen[c]++)
            doc.fail(&n, key, rows.where(r, by_age ? "age" : "value") + ": a second row for this cell (zone " +
                                  b.sc.zones[uz(z)].id + (b.G > 1 ? ", group " + b.sc.group_names[uz(g)] : "") +
                                  (by_age ? std::string(", ") + sex_name(static_cast<Sex>(s)) + ", age " +
                                                std::to_string(b.sc.grid.age_start(i))
                                          : std::string()) + ")");
          v[c] = x * scale;
        }
    }
  }
  if (!largest.empty()) {
    auto rates = std::make_shared<NetRateRows>();
    std::map<std::size_t, std::size_t> where_of_row;  // a row without a zone gives every zone its rate: one text
    for (const LargestRate& l : largest) {
      std::size_t w = 0;
      if (l.per_step != 0.0) {
        const auto [it, added] = where_of_row.try_emplace(l.row, rates->where.size());
        if (added) rates->where.push_back(doc.where(&n) + ": key '" + key + "': " + rows.where(l.row, "value"));
        w = it->second;
      }
      rates->by_zone.push_back({l.per_step, l.cell, w});
    }
    b.sc.net_rate_rows = std::move(rates);
  }
  for (int k = 0; k < b.steps; ++k) {
    const std::vector<double> add = mix_step(per_key, timed.steps[uz(k)]);
    std::vector<double>& t = target_of(steps[uz(k)], kind);
    if (t.empty()) t.assign(cells, 0.0);
    for (std::size_t c = 0; c < cells; ++c) t[c] += add[c];
  }
}

// [migration] timing: "even" or "end" for every step, or { "2020" = "even", "2030" = "end" } by the year each step
// starts, held until the next given year (the UN's mig_parameter changes it by period).
void read_timing(const Build& b, const toml::node& n, const std::string& key, std::vector<StepSchedules>& steps) {
  auto parse = [&](const toml::node& v, const std::string& k) {
    const std::string t = b.doc.string(v, k);
    if (t == "even") return MigrationTiming::even;
    if (t == "end") return MigrationTiming::end;
    b.doc.fail(&v, k, "expected \"even\" or \"end\", got \"" + escape_cell(t) + "\"");
  };
  std::map<int, MigrationTiming> by_year;
  if (n.is_string()) {
    by_year[b.base_year] = parse(n, key);
  } else {
    for (auto&& [k, v] : b.doc.table(n, key)) {
      const std::string sub = key + "." + std::string(k.str());
      const int y = b.doc.year_key(k, sub, "the start of a step", b.base_year);
      // Two keys of one year ("2020" and "02020") would leave the later one's timing without a word.
      if (by_year.count(y))
        b.doc.fail(k.source(), sub, "the year " + std::to_string(y) + " is given twice; expected one timing a step");
      if (y < b.base_year || y >= b.horizon || (y - b.base_year) % b.z != 0)
        b.doc.fail(k.source(), sub, "expected the start year of a step (" + std::to_string(b.base_year) + ", " +
                                        std::to_string(b.base_year + b.z) + ", …), got " + std::to_string(y));
      by_year[y] = parse(v, sub);
    }
    if (by_year.empty() || by_year.begin()->first != b.base_year)
      b.doc.fail(&n, key, "expected the timing of the first step (key \"" + std::to_string(b.base_year) + "\")");
  }
  for (int k = 0; k < b.steps; ++k) {
    auto it = by_year.upper_bound(b.base_year + k * b.z);
    steps[uz(k)].migration_timing = std::prev(it)->second;
  }
}

}  // namespace

// The origin and destination zones of an OD row (distinct zones of the geography).
std::pair<int, int> od_pair(const Build& b, const Rows& rows, std::size_t r, const toml::node& n, const std::string& key) {
  auto o = b.zone_index.find(rows.text(r, "origin")), d = b.zone_index.find(rows.text(r, "destination"));
  if (o == b.zone_index.end())
    b.doc.fail(&n, key,
               rows.where(r, "origin") + ": unknown origin zone \"" + escape_cell(rows.text(r, "origin")) + "\"" +
                   b.zone_twin_hint(rows.text(r, "origin")));
  if (d == b.zone_index.end())
    b.doc.fail(&n, key,
               rows.where(r, "destination") + ": unknown destination zone \"" +
                   escape_cell(rows.text(r, "destination")) + "\"" + b.zone_twin_hint(rows.text(r, "destination")));
  if (o->second == d->second)
    b.doc.fail(&n, key, rows.where(r, "destination") + ": origin and destination are the same zone");
  return {o->second, d->second};
}

// [migration] od.rates: one annual rate per pair (and group), moved by the od_profile; or, with sex and age columns,
// a rate per pair and cell. Either may change by year or period. The rates out of one origin cell sum to at most 1.
void read_od_rates(const Build& b, const toml::node& n, const std::string& key, Dynamic& dyn) {
  const Doc& doc = b.doc;
  const TableRef ref = table_ref(doc, n, key, {"origin", "destination", "rate", "group", "sex", "age", "year", "period"});
  refuse_unit_and_per(doc, ref, "rates per person per year", "per_person");
  const Rows rows = read_rows(doc, ref, {"origin", "destination", "rate"}, {"rate"});
  const bool by_cell = rows.has("sex") || rows.has("age");
  if (by_cell && !(rows.has("sex") && rows.has("age")))
    doc.fail(&n, key, ref.path + ": rates by cell need both a 'sex' and an 'age' column");
  const TimedRows timed = time_rows(b, rows, key);
  std::vector<std::vector<OdFlow>> pair_flows(timed.keys());
  std::vector<std::vector<Dynamic::CellRate>> cell_flows(timed.keys());
  for (std::size_t k = 0; k < timed.keys(); ++k) {
    if (!timed.used[k]) continue;
    std::map<std::tuple<int, int, int, int>, double> out;  // (origin, group, sex, age) → Σ rates out
    for (std::size_t r : timed.rows[k]) {
      const auto [o, d] = od_pair(b, rows, r, n, key);
      const int g = b.group_of_row(rows, r, &n, key);
      const double rate = rows.number(r, "rate");
      if (!(rate >= 0 && rate <= 1))
        doc.fail(&n, key, rows.where(r, "rate") + ": expected a rate from 0 to 1 per person per year, got " + fmt(rate));
      int s = -1, i = -1;
      if (by_cell) {
        s = sex_of(doc, rows, r, key);
        i = b.age_index(whole_number(doc, rows, r, "age", key));
        if (i < 0) doc.fail(&n, key, rows.where(r, "age") + ": not the start of an age group of the grid");
        cell_flows[k].push_back({o, d, g, s, i, rate});
      } else {
        pair_flows[k].push_back({o, d, g, rate});
      }
      // Rates out of one origin (and group, sex, age) cannot exceed one mover per person per year.
      // By cell the flows leave the origin as external out-flows, X = z·r·P: at most the cell over a step.
      double& sum = out[{o, g, s, i}];
      sum += rate;
      const double limit = by_cell ? 1.0 / b.z : 1.0;
      if (sum > limit + 1e-12)
        doc.fail(&n, key, rows.where(r, "rate") + ": the rates out of zone " + b.sc.zones[uz(o)].id + " now sum to " +
                              fmt(sum) + " per person per year; expected at most " + fmt(limit) +
                              (by_cell ? " (the whole cell over a " + std::to_string(b.z) + "-year step)" : ""));
    }
  }
  const auto mixed = [&](auto& per_key, auto& by_step) {
    using Flow = typename std::decay_t<decltype(per_key)>::value_type::value_type;
    for (int st = 0; st < b.steps; ++st) {
      std::vector<Flow> flows;
      for (const auto& [kk, w] : timed.steps[uz(st)])
        for (Flow f : per_key[kk]) {
          f.rate_per_year = timed.steps[uz(st)].size() == 1 ? f.rate_per_year : w * f.rate_per_year;
          flows.push_back(f);
        }
      by_step.push_back(std::move(flows));
    }
  };
  if (by_cell) {
    mixed(cell_flows, dyn.od_cells_by_step);
  } else if (timed.kind == TimedRows::Kind::always) {
    dyn.od_static = pair_flows.front();
  } else {
    mixed(pair_flows, dyn.od_by_step);
  }
}

// [migration] od.counts: persons by pair, group, sex and age (per year unless per = "step"), by year or period if
// given; the origin's loss is the destination's gain (equal external out- and in-flows in the same step).
void read_od_counts(const Build& b, const toml::node& n, const std::string& key, Dynamic& dyn) {
  const Doc& doc = b.doc;
  const TableRef ref = table_ref(doc, n, key, {"origin", "destination", "group", "sex", "age", "value", "year", "period"});
  std::vector<std::string> required = {"origin", "destination", "sex", "age", "value"};
  if (b.G > 1) required.push_back("group");
  const Rows rows = read_rows(doc, ref, required, {"value"});
  const double scale = count_scale(b, ref);
  const TimedRows timed = time_rows(b, rows, key);
  std::vector<std::vector<Dynamic::CellCount>> per_key(timed.keys());
  for (std::size_t k = 0; k < timed.keys(); ++k) {
    if (!timed.used[k]) continue;
    std::set<std::tuple<int, int, int, int, int>> seen;
    for (std::size_t r : timed.rows[k]) {
      const auto [o, d] = od_pair(b, rows, r, n, key);
      const int g = std::max(0, b.group_of_row(rows, r, &n, key));
      const int s = sex_of(doc, rows, r, key);
      const int i = b.age_index(whole_number(doc, rows, r, "age", key));
      if (i < 0) doc.fail(&n, key, rows.where(r, "age") + ": not the start of an age group of the grid");
      const double v = rows.number(r, "value");
      // A count as [migration] in and out are (input_limits.hpp): at most 1e9 persons over the step.
      if (const std::string problem = migration_value_problem(MigrationValue::count, v, v * scale); !problem.empty())
        doc.fail(&n, key, rows.where(r, "value") + ": " + problem);
      if (!seen.insert({o, d, g, s, i}).second)
        doc.fail(&n, key, rows.where(r, "age") + ": a second row for this pair, group, sex and age");
      per_key[k].push_back({o, d, g, s, i, v * scale});
    }
  }
  for (int st = 0; st < b.steps; ++st) {
    std::vector<Dynamic::CellCount> counts;
    for (const auto& [kk, w] : timed.steps[uz(st)])
      for (Dynamic::CellCount c : per_key[kk]) {
        if (timed.steps[uz(st)].size() > 1) c.persons *= w;
        counts.push_back(c);
      }
    dyn.od_counts_by_step.push_back(std::move(counts));
  }
}

// `years = [first, last]` of a flow or transition (calendar years inside the horizon); default: every year.
std::pair<int, int> years_of(const Build& b, const toml::table& t, const std::string& key) {
  int first = b.base_year + 1, last = b.horizon;
  if (const toml::node* yn = t.get("years")) {
    const toml::array& ya = b.doc.array(*yn, key + ".years");
    if (ya.size() != 2) b.doc.fail(yn, key + ".years", "expected [first, last]");
    first = b.doc.integer(*ya.get(0), key + ".years", b.base_year + 1, b.horizon, "a year in the horizon");
    last = b.doc.integer(*ya.get(1), key + ".years", first, b.horizon, "a year in the horizon");
  }
  return {first, last};
}

void build_migration(const Build& b, const Layer& L, std::vector<StepSchedules>& steps, Dynamic& dyn) {
  const Doc& doc = b.doc;
  const CohortLayout layout = b.sc.base_population.layout();
  L.allow(doc, "migration",
          {"flows", "od", "gravity", "od_profile", "net", "in", "out", "net_rate", "out_rate", "net_total", "timing"});
  for (auto& s : steps) {
    s.net_migrants.clear();
    s.net_migrants_per_person.clear();
    s.net_migrants_total.clear();
    s.external_in.clear();
    s.external_out.clear();
    s.external_out_rate.clear();
    s.migration_timing.reset();
  }
  b.sc.net_rate_rows.reset();  // a variant's rates are its own (or the baseline's table read again)
  for (const auto& ct : kCellTables)
    if (auto [n, k] = L.get("migration", ct.key); n) add_cell_table(b, *n, k, ct.kind, steps);
  if (auto [n, k] = L.get("migration", "timing"); n) read_timing(b, *n, k, steps);
  auto [fn, fkey] = L.get("migration", "flows");
  if (fn) {
    const toml::array& a = doc.array(*fn, fkey);
    for (std::size_t f = 0; f < a.size(); ++f) {
      const std::string key = fkey + "[" + std::to_string(f) + "]";
      const toml::table& t = doc.table(*a.get(f), key);
      doc.allow(t, key, {"kind", "group", "total_per_year", "zones", "allocation", "years", "profile", "female_share", "rate"});
      if (!t.get("kind")) doc.fail(&t, key, "expected 'kind' (net, in, out or out_rate)");
      const std::string kind = doc.string(*t.get("kind"), key + ".kind");
      if (kind != "net" && kind != "in" && kind != "out" && kind != "out_rate")
        doc.fail(t.get("kind"), key + ".kind", "expected \"net\", \"in\", \"out\" or \"out_rate\", got \"" + kind + "\"");
      const int group = t.get("group") ? b.group(*t.get("group"), key + ".group") : (b.G == 1 ? 0 : -1);
      if (group < 0) doc.fail(&t, key + ".group", "missing; several groups: name the group of the flow");
      const auto [first, last] = years_of(b, t, key);
      if (kind == "out_rate") {
        // Only `group`, `years` and `rate` shape an out_rate flow; the keys of a persons flow would be ignored.
        for (const char* k : {"total_per_year", "zones", "allocation", "profile", "female_share"})
          if (t.get(k))
            doc.fail(t.get(k), key + "." + k,
                     "not with kind = \"out_rate\" (only group, years and rate); leave it out");
        if (!t.get("rate")) doc.fail(&t, key + ".rate", "missing; expected the out-migration rate per person per year");
        const double rate = doc.number(*t.get("rate"), key + ".rate", 0.0, 1.0, "a rate per person per year");
        for (int k = 0; k < b.steps; ++k) {
          const double share = static_cast<double>(years_in_step(first, last, b.step_first_year(k), b.step_last_year(k))) / b.z;
          auto& v = steps[uz(k)].external_out_rate;
          if (v.empty()) v.assign(layout.cells(), 0.0);
          for (int zi = 0; zi < b.Z; ++zi)
            for (int s = 0; s < 2; ++s)
              for (int i = 0; i < b.A; ++i) v[layout.index(zi, group, s, i)] += rate * share;
        }
        continue;
      }
      if (t.get("rate")) doc.fail(t.get("rate"), key + ".rate", "only with kind = \"out_rate\"; leave it out");
      check_female_share(doc, t, key);
      // Persons per year per zone: a total allocated over zones, or given per zone.
      std::vector<double> per_zone(uz(b.Z), 0.0);
      const double lo = kind == "net" ? -1e9 : 0.0;
      if (const toml::node* tn = t.get("total_per_year")) {
        const double total = doc.number(*tn, key + ".total_per_year", lo, 1e9, "persons per year");
        const std::vector<double> w = allocate(b, t, key, group);
        for (int zi = 0; zi < b.Z; ++zi) per_zone[uz(zi)] = total * w[uz(zi)];
        if (t.get("zones")) doc.fail(t.get("zones"), key + ".zones", "give either total_per_year or zones");
      } else if (const toml::node* zn = t.get("zones")) {
        if (t.get("allocation"))
          doc.fail(t.get("allocation"), key + ".allocation",
                   "only with total_per_year (zones gives each zone's persons); leave it out");
        if (zn->is_table() && !zn->as_table()->get("path")) {
          // `zones = {}` moved nobody, without a word (a table of zones without rows is refused as empty).
          if (zn->as_table()->empty())
            doc.fail(zn, key + ".zones", "expected at least one zone id = persons per year, got an empty table");
          for (auto&& [k, v] : *zn->as_table()) {
            auto it = b.zone_index.find(std::string(k.str()));
            if (it == b.zone_index.end()) doc.fail(k.source(), key + ".zones." + std::string(k.str()), "expected a zone id of the geography");
            per_zone[uz(it->second)] = doc.number(v, key + ".zones." + std::string(k.str()), lo, 1e9, "persons per year");
          }
        } else {
          const TableRef ref = table_ref(doc, *zn, key + ".zones", {"zone", "persons_per_year"});
          refuse_unit_and_per(doc, ref, "persons per year");
          refuse_between(doc, ref);
          const Rows rows = read_rows(doc, ref, {"zone", "persons_per_year"}, {"persons_per_year"});
          for (std::size_t r = 0; r < rows.size(); ++r) {
            auto it = b.zone_index.find(rows.text(r, "zone"));
            if (it == b.zone_index.end())
              doc.fail(zn, key + ".zones",
                       rows.where(r, "zone") + ": unknown zone" + b.zone_twin_hint(rows.text(r, "zone")));
            per_zone[uz(it->second)] += rows.number(r, "persons_per_year");
          }
        }
      } else {
        doc.fail(&t, key, "expected total_per_year or zones");
      }
      const double female = t.get("female_share") ? doc.number(*t.get("female_share"), key + ".female_share", 0, 1, "a share") : 0.5;
      const std::vector<double> prof = profile_shares(b, t.get("profile"), key + ".profile", female);
      if (prof.empty()) doc.fail(t.get("profile"), key + ".profile", "\"population\" is only for relocation programmes");
      for (int k = 0; k < b.steps; ++k) {
        const int years = years_in_step(first, last, b.step_first_year(k), b.step_last_year(k));
        std::vector<double>& v = kind == "net" ? steps[uz(k)].net_migrants
                                 : kind == "in" ? steps[uz(k)].external_in : steps[uz(k)].external_out;
        if (v.empty()) v.assign(layout.cells(), 0.0);
        for (int zi = 0; zi < b.Z; ++zi)
          for (int s = 0; s < 2; ++s)
            for (int i = 0; i < b.A; ++i)
              v[layout.index(zi, group, s, i)] += per_zone[uz(zi)] * years * prof[uz(s * b.A + i)];
      }
    }
  }
  // OD age profile: multipliers of the rates, mean 1 over the age groups (both sexes alike).
  dyn.od_profile.clear();
  dyn.od_profile_as_given = false;
  const auto [pn, pkey] = L.get("migration", "od_profile");
  const bool profile_table = pn && (pn->is_table() || (pn->is_string() && (pn->as_string()->get().find('.') != std::string::npos ||
                                                                           pn->as_string()->get().find('/') != std::string::npos)));
  if (profile_table) {
    // A table of multipliers by group, sex and age, used as given: X = z · r · m · P (no rescaling by c).
    const TableRef ref = table_ref(doc, *pn, pkey, {"group", "sex", "age", "value"});
    refuse_unit_and_per(doc, ref, "multipliers of the pair rates");
    refuse_between(doc, ref);
    const Rows rows = read_rows(doc, ref, {"sex", "age", "value"}, {"age", "value"});
    dyn.od_profile.assign(uz(b.G) * 2 * uz(b.A), kNaN);
    for (std::size_t r = 0; r < rows.size(); ++r) {
      const int g = b.group_of_row(rows, r, pn, pkey), s = sex_of(doc, rows, r, pkey);
      const int i = b.age_index(whole_number(doc, rows, r, "age", pkey));
      if (i < 0) doc.fail(pn, pkey, rows.where(r, "age") + ": not the start of an age group of the grid");
      const double m = rows.number(r, "value");
      if (!(m >= 0 && m <= 100))
        doc.fail(pn, pkey, rows.where(r, "value") + ": expected a multiplier from 0 to 100, got " + fmt(m));
      for (int gg = 0; gg < b.G; ++gg) {
        if (g >= 0 && g != gg) continue;
        double& cell = dyn.od_profile[(uz(gg) * 2 + uz(s)) * uz(b.A) + uz(i)];
        if (!std::isnan(cell)) doc.fail(pn, pkey, rows.where(r, "age") + ": a second row for this group, sex and age");
        cell = m;
      }
    }
    for (std::size_t c = 0; c < dyn.od_profile.size(); ++c)
      if (std::isnan(dyn.od_profile[c]))
        doc.fail(pn, pkey, ref.path + ": no row for group " + b.sc.group_names[c / (2 * uz(b.A))] + ", " +
                               sex_name(static_cast<Sex>(c / uz(b.A) % 2)) + ", age " +
                               std::to_string(b.sc.grid.age_start(static_cast<int>(c % uz(b.A)))) +
                               "; expected one row for every group, sex and age group");
    dyn.od_profile_as_given = true;
  } else if (pn) {
    const std::string v = doc.string(*pn, pkey);
    if (v == "rogers-castro") {
      const std::vector<double> sh = rogers_castro_age_shares(b.sc.grid);
      for (int g = 0; g < b.G; ++g)
        for (int s = 0; s < 2; ++s)
          for (int i = 0; i < b.A; ++i) dyn.od_profile.push_back(sh[uz(i)] * b.A);
    } else if (v != "uniform") {
      doc.fail(pn, pkey, "expected \"uniform\" or \"rogers-castro\", got \"" + v + "\"");
    }
  }
  dyn.od_static.clear();
  dyn.od_by_step.clear();
  dyn.od_cells_by_step.clear();
  dyn.od_counts_by_step.clear();
  if (auto [on, okey] = L.get("migration", "od"); on) {
    const toml::table& t = doc.table(*on, okey);
    doc.allow(t, okey, {"rates", "counts"});
    if (!t.get("rates") && !t.get("counts"))
      doc.fail(on, okey, "expected 'rates' (origin, destination, rate) and/or 'counts' (origin, destination, sex, age, value)");
    if (const toml::node* rn = t.get("rates")) read_od_rates(b, *rn, okey + ".rates", dyn);
    if (const toml::node* cn = t.get("counts")) read_od_counts(b, *cn, okey + ".counts", dyn);
  }
  dyn.gravity.reset();
  if (auto [gn, gkey] = L.get("migration", "gravity"); gn) {
    const toml::table& t = doc.table(*gn, gkey);
    doc.allow(t, gkey, {"out_rate", "distances", "centroids", "coordinates", "distance_decay", "destination_exponent", "group"});
    Dynamic::Gravity grav;
    grav.group = t.get("group") ? b.group(*t.get("group"), gkey + ".group") : -1;
    if (!t.get("out_rate")) doc.fail(gn, gkey + ".out_rate", "missing; expected the share of each zone's population leaving for other zones per year");
    grav.out_rate.assign(uz(b.Z), doc.number(*t.get("out_rate"), gkey + ".out_rate", 0.0, 0.5, "a rate per person per year"));
    if (t.get("distance_decay")) grav.gamma = doc.number(*t.get("distance_decay"), gkey + ".distance_decay", 0.0, 5.0);
    if (t.get("destination_exponent")) grav.beta = doc.number(*t.get("destination_exponent"), gkey + ".destination_exponent", 0.0, 3.0);
    grav.distance.assign(uz(b.Z * b.Z), kNaN);
    if (const toml::node* dn = t.get("distances")) {
      const TableRef ref = table_ref(doc, *dn, gkey + ".distances", {"origin", "destination", "distance"});
      refuse_unit_and_per(doc, ref, "distances; only their ratios matter");
      refuse_between(doc, ref);
      const Rows rows = read_rows(doc, ref, {"origin", "destination", "distance"}, {"distance"});
      for (std::size_t r = 0; r < rows.size(); ++r) {
        auto o = b.zone_index.find(rows.text(r, "origin")), d = b.zone_index.find(rows.text(r, "destination"));
        if (o == b.zone_index.end() || d == b.zone_index.end()) continue;  // zones outside the geography
        grav.distance[uz(o->second * b.Z + d->second)] = rows.number(r, "distance");
        if (std::isnan(grav.distance[uz(d->second * b.Z + o->second)]))
          grav.distance[uz(d->second * b.Z + o->second)] = rows.number(r, "distance");
      }
    } else if (const toml::node* cn = t.get("centroids")) {
      const std::string coords = t.get("coordinates") ? doc.string(*t.get("coordinates"), gkey + ".coordinates") : "lonlat";
      if (coords != "lonlat" && coords != "planar")
        doc.fail(t.get("coordinates"), gkey + ".coordinates", "expected \"lonlat\" (degrees, great-circle km) or \"planar\" (same units as x, y)");
      const TableRef ref = table_ref(doc, *cn, gkey + ".centroids", {"zone", "x", "y"});
      refuse_unit_and_per(doc, ref, "coordinates, read as `coordinates` says");
      refuse_between(doc, ref);
      const Rows rows = read_rows(doc, ref, {"zone", "x", "y"}, {"x", "y"});
      std::vector<double> x(uz(b.Z), kNaN), y(uz(b.Z), kNaN);
      for (std::size_t r = 0; r < rows.size(); ++r)
        if (auto it = b.zone_index.find(rows.text(r, "zone")); it != b.zone_index.end()) {
          x[uz(it->second)] = rows.number(r, "x");
          y[uz(it->second)] = rows.number(r, "y");
          // Degrees on the globe: a latitude of 100 (or x and y swapped, 39.9 and 116.4) gave a great-circle distance
          // of no place on Earth, silently (hostile probe of round 27).
          if (coords == "lonlat" && !(y[uz(it->second)] >= -90 && y[uz(it->second)] <= 90))
            doc.fail(cn, gkey + ".centroids",
                     rows.where(r, "y") + ": latitude " + fmt(y[uz(it->second)]) +
                         " outside -90 to 90; expected degrees, longitude in x and latitude in y (or coordinates = "
                         "\"planar\")");
          if (coords == "lonlat" && !(x[uz(it->second)] >= -180 && x[uz(it->second)] <= 360))
            doc.fail(cn, gkey + ".centroids",
                     rows.where(r, "x") + ": longitude " + fmt(x[uz(it->second)]) +
                         " outside -180 to 360; expected degrees, longitude in x and latitude in y (or coordinates = "
                         "\"planar\")");
        }
      for (int o = 0; o < b.Z; ++o)
        for (int d = 0; d < b.Z; ++d)
          grav.distance[uz(o * b.Z + d)] = coords == "lonlat" ? great_circle_km(x[uz(o)], y[uz(o)], x[uz(d)], y[uz(d)])
                                                             : std::hypot(x[uz(o)] - x[uz(d)], y[uz(o)] - y[uz(d)]);
    } else if (b.centroids_lonlat) {  // centroids of the [geography.source] shapes, great-circle km
      const auto& c = *b.centroids_lonlat;
      for (int o = 0; o < b.Z; ++o)
        for (int d = 0; d < b.Z; ++d)
          grav.distance[uz(o * b.Z + d)] = great_circle_km(c[uz(o)].x, c[uz(o)].y, c[uz(d)].x, c[uz(d)].y);
    } else {
      doc.fail(gn, gkey, "expected 'distances' (origin, destination, distance) or 'centroids' (zone, x, y), or a "
                         "[geography.source] whose shapes give the centroids");
    }
    for (int o = 0; o < b.Z; ++o)
      for (int d = 0; d < b.Z; ++d)
        if (o != d && !(grav.distance[uz(o * b.Z + d)] > 0))
          doc.fail(gn, gkey, "no positive distance between zones " + b.sc.zones[uz(o)].id + " and " + b.sc.zones[uz(d)].id);
        // A weight D^-γ of 0 (planar centroids 1e308 apart: D overflows; a distance of 1e200 with γ = 2) left the
        // zone's out_rate unspent: no one moved, silently (hostile probe of round 18).
        else if (o != d && !(std::pow(grav.distance[uz(o * b.Z + d)], -grav.gamma) > 0))
          doc.fail(gn, gkey,
                   "the distance between zones " + b.sc.zones[uz(o)].id + " and " + b.sc.zones[uz(d)].id + " (" +
                       fmt(grav.distance[uz(o * b.Z + d)]) +
                       ") is too large for its weight D^-distance_decay to be represented; expected "
                       "distances in km or coordinates in metres or degrees");
    dyn.gravity = grav;
  }
}

void build_relocations(const Build& b, const Layer& L, Dynamic& dyn, std::vector<Relocation>& out) {
  const Doc& doc = b.doc;
  dyn.relocations.clear();
  auto [rn, rkey] = L.array("relocation");
  if (!rn) return;
  const toml::array& a = doc.array(*rn, rkey);
  for (std::size_t k = 0; k < a.size(); ++k) {
    const std::string key = rkey + "[" + std::to_string(k) + "]";
    const toml::table& t = doc.table(*a.get(k), key);
    doc.allow(t, key, {"name", "from", "to", "persons_per_year", "years", "group", "profile", "female_share"});
    for (const char* req : {"from", "to", "persons_per_year", "years"})
      if (!t.get(req)) doc.fail(&t, key + "." + req, "missing");
    Dynamic::Reloc r;
    // Named in messages and components (the name of 10 MB was echoed whole; round 27): capped and on one line.
    r.r.name = t.get("name") ? one_line_label(doc, *t.get("name"), key + ".name", kMaxNameChars)
                             : "relocation " + std::to_string(k + 1);
    r.r.from = b.zone(*t.get("from"), key + ".from");
    r.r.to = b.zone(*t.get("to"), key + ".to");
    if (r.r.from == r.r.to) doc.fail(t.get("to"), key + ".to", "the same zone as 'from'");
    r.r.group = t.get("group") ? b.group(*t.get("group"), key + ".group") : 0;
    r.r.persons_per_year = doc.number(*t.get("persons_per_year"), key + ".persons_per_year", 0, 1e8, "persons per year");
    const toml::array& ya = doc.array(*t.get("years"), key + ".years");
    if (ya.size() != 2) doc.fail(t.get("years"), key + ".years", "expected [first, last]");
    r.r.first_year = doc.integer(*ya.get(0), key + ".years", b.base_year + 1, b.horizon, "a year in the horizon");
    r.r.last_year = doc.integer(*ya.get(1), key + ".years", r.r.first_year, b.horizon, "a year in the horizon");
    check_female_share(doc, t, key);
    const double female = t.get("female_share") ? doc.number(*t.get("female_share"), key + ".female_share", 0, 1, "a share") : 0.5;
    r.profile = profile_shares(b, t.get("profile"), key + ".profile", female);
    out.push_back(r.r);
    dyn.relocations.push_back(r);
  }
}

void build_transitions(const Build& b, const Layer& L, std::vector<StepSchedules>& steps, Dynamic& dyn) {
  const Doc& doc = b.doc;
  dyn.quotas.clear();
  for (auto& s : steps) s.transitions.clear(), s.newborn_rules.clear();
  if (auto [tn, tkey] = L.array("transitions"); tn) {
    const toml::array& a = doc.array(*tn, tkey);
    for (std::size_t k = 0; k < a.size(); ++k) {
      const std::string key = tkey + "[" + std::to_string(k) + "]";
      const toml::table& t = doc.table(*a.get(k), key);
      doc.allow(t, key, {"from", "to", "rate", "rates", "quota_per_year", "ages", "years"});
      if (!t.get("from") || !t.get("to")) doc.fail(&t, key, "expected 'from' and 'to' groups");
      const int from = b.group(*t.get("from"), key + ".from"), to = b.group(*t.get("to"), key + ".to");
      if (from == to) doc.fail(t.get("to"), key + ".to", "the same group as 'from'");
      int from_age = 0, to_age = -1;
      if (const toml::node* an = t.get("ages")) {
        const toml::array& aa = doc.array(*an, key + ".ages");
        if (aa.size() != 2) doc.fail(an, key + ".ages", "expected [first age, last age]");
        from_age = doc.integer(*aa.get(0), key + ".ages", 0, 130, "an age");
        to_age = doc.integer(*aa.get(1), key + ".ages", from_age, 130, "an age");
      }
      const auto [first, last] = years_of(b, t, key);
      if ((t.get("rate") != nullptr) + (t.get("rates") != nullptr) + (t.get("quota_per_year") != nullptr) != 1)
        doc.fail(&t, key, "expected exactly one of 'rate', 'rates' and 'quota_per_year'");
      if (const toml::node* rn = t.get("rates")) {  // by sex and age (each row: one age group), every step alike
        if (t.get("ages")) doc.fail(t.get("ages"), key + ".ages", "not with 'rates' (its rows give the ages)");
        const TableRef ref = table_ref(doc, *rn, key + ".rates", {"sex", "age", "value"});
        refuse_unit_and_per(doc, ref, "rates per person per year");
        refuse_between(doc, ref);
        const Rows rows = read_rows(doc, ref, {"sex", "age", "value"}, {"age", "value"});
        std::vector<double> by_cell(uz(2 * b.A), 0.0);
        std::vector<bool> seen(by_cell.size(), false);
        for (std::size_t r = 0; r < rows.size(); ++r) {
          const int sx = sex_of(doc, rows, r, key + ".rates");
          const int i = b.age_index(whole_number(doc, rows, r, "age", key + ".rates"));
          if (i < 0) doc.fail(rn, key + ".rates", rows.where(r, "age") + ": not the start of an age group of the grid");
          const double v = rows.number(r, "value");
          if (const std::string problem = range_problem(kTransitionRateRange, v); !problem.empty())  // input_limits
            doc.fail(rn, key + ".rates", rows.where(r, "value") + ": " + problem);
          if (b.sc.method == ProjectionMethod::multistate && v * b.z / 2.0 >= 1.0)  // read_multistate.cpp
            doc.fail(rn, key + ".rates", rows.where(r, "value") + ": " + multistate_rate_problem(v, b.z));
          if (seen[uz(sx * b.A + i)]) doc.fail(rn, key + ".rates", rows.where(r, "age") + ": a second row for this sex and age");
          seen[uz(sx * b.A + i)] = true;
          by_cell[uz(sx * b.A + i)] = v;
        }
        for (int s = 0; s < b.steps; ++s) {
          const double share = static_cast<double>(years_in_step(first, last, b.step_first_year(s), b.step_last_year(s))) / b.z;
          if (share == 0.0) continue;
          GroupTransition tr{from, to, by_cell, {}};
          for (double& v : tr.rate_per_year) v *= share;
          steps[uz(s)].transitions.push_back(std::move(tr));
        }
        continue;
      }
      if (t.get("quota_per_year")) {
        dyn.quotas.push_back({from, to, from_age, to_age, doc.number(*t.get("quota_per_year"), key + ".quota_per_year", 0, 1e8, "persons per year"), first, last});
        continue;
      }
      // A number or a path over years ({ "2020" = 0.01, "2030" = 0.02 }): a step uses the mean over its years.
      const YearPath rate_path = doc.path(*t.get("rate"), key + ".rate", kTransitionRateRange.lo,
                                          kTransitionRateRange.hi, b.base_year, b.horizon, kTransitionRateRange.what);
      if (b.sc.method == ProjectionMethod::multistate)  // read_multistate.cpp
        for (const auto& [year, v] : rate_path.points)
          if (v * b.z / 2.0 >= 1.0) doc.fail(t.get("rate"), key + ".rate", multistate_rate_problem(v, b.z));
      for (int s = 0; s < b.steps; ++s) {
        const double share = static_cast<double>(years_in_step(first, last, b.step_first_year(s), b.step_last_year(s))) / b.z;
        if (share == 0.0) continue;
        const double rate = rate_path.points.size() == 1 ? rate_path.points.begin()->second  // a number: as given
                                                         : rate_path.mean_over_years(b.step_first_year(s), b.step_last_year(s));
        GroupTransition tr{from, to, std::vector<double>(uz(2 * b.A), 0.0), {}};
        // Age groups wholly inside [from_age, to_age] at the start of the step (as the embedded default).
        for (int sx = 0; sx < 2; ++sx)
          for (int i = 0; i < b.A; ++i) {
            const int age = b.sc.grid.age_start(i);
            if (age >= from_age && (to_age < 0 || (i < b.A - 1 && age + b.z - 1 <= to_age)))
              tr.rate_per_year[uz(sx * b.A + i)] = rate * share;
          }
        steps[uz(s)].transitions.push_back(std::move(tr));
      }
    }
  }
  if (auto [nn, nkey] = L.array("newborn"); nn) {
    const toml::array& a = doc.array(*nn, nkey);
    std::vector<NewbornRule> rules;  // the rules so far
    for (std::size_t k = 0; k < a.size(); ++k) {
      const std::string key = nkey + "[" + std::to_string(k) + "]";
      const toml::table& t = doc.table(*a.get(k), key);
      doc.allow(t, key, {"mother_group", "child_group", "share"});
      if (!t.get("mother_group") || !t.get("child_group") || !t.get("share"))
        doc.fail(&t, key, "expected mother_group, child_group and share");
      NewbornRule r{b.group(*t.get("mother_group"), key + ".mother_group"),
                    b.group(*t.get("child_group"), key + ".child_group"),
                    doc.number(*t.get("share"), key + ".share", kNewbornShareRange.lo, kNewbornShareRange.hi,
                               kNewbornShareRange.what),
                    {}};
      // More than all of a group's births (newborn_checks.hpp), named at the rule that passes it.
      rules.push_back(r);
      if (const std::string why = newborn_share_refusal(rules, b.sc.group_names, 0, uz(b.Z)); !why.empty())
        doc.fail(t.get("share"), key + ".share", why);
      for (auto& s : steps) s.newborn_rules.push_back(r);
    }
  }
}

}  // namespace cohortgis::scenarios::detail
