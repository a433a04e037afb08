// SPDX-License-Identifier: Apache-2.0
// [base_population] of a scenario file, and the age–sex profiles that spread counts over cells. Population groups
// are given directly (a long table with a group column), as the residual of a total cell by cell, or fitted to
// margins by iterative proportional fitting (scenarios/README.md "Base population by group").
#include "scenario_build.hpp"
#include "schedule_time.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

#include "cohortgis/engine/fitting.hpp"
#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/migration_models.hpp"
#include "cohortgis/scenarios/sources.hpp"

namespace cohortgis::scenarios::detail {

namespace fs = std::filesystem;

// ---- base population -------------------------------------------------------------------------------------------

namespace {

// No zone, sex and age group holds more persons than this (China's largest five-year cell is about 6e7); a larger
// value is a count in persons declared as thousands or 万人.
constexpr double kPlausibleCellPersons = 1e8;
// Nor does a zone or a group of a zone hold more than the world's largest country.
constexpr double kMaxZonePersons = 2e9;

// Persons per unit of a population table: `unit = "persons" | "thousands" | "10k"` (万人) on its reference.

// A count cell in persons: >= 0 and at most `max_persons` once its unit is applied.
double persons_cell(const Doc& doc, const Rows& rows, std::size_t r, const std::string& col, double factor,
                    double max_persons, const std::string& key, std::size_t c = Rows::kNoColumn) {
  // c: the column of `col` when the caller found it (rows.column_index(col)), else found here.
  const double v = c == Rows::kNoColumn ? rows.number(r, col) : rows.number_at(r, c, col);
  if (!(v >= 0.0)) doc.fail(rows.ref.node, key, rows.where(r, col) + ": expected persons >= 0, got " + fmt(v));
  if (v * factor > max_persons) {
    const std::string unit = rows.ref.unit.empty() ? "persons" : rows.ref.unit;
    doc.fail(rows.ref.node, key, rows.where(r, col) + ": " + fmt(v) + " in unit \"" + unit + "\" is " +
                                     fmt(v * factor) + " persons; expected at most " + fmt(max_persons) +
                                     " here (is the table in another unit? declare it with unit = \"persons\", "
                                     "\"thousands\" or \"10k\")");
  }
  return v * factor;
}

std::string age_label(const Build& b, int i) {
  const int start = i * b.z;
  if (i == b.A - 1) return std::to_string(start) + "+";
  return b.z == 1 ? std::to_string(start) : std::to_string(start) + "-" + std::to_string(start + b.z - 1);
}

std::string cell_label(const Build& b, int zone, int sex, int i) {
  return "zone " + b.sc.zones[uz(zone)].id + ", " + (sex == 0 ? "female" : "male") + ", age " + age_label(b, i);
}

// Reads a long table of persons (zone, sex, age, population; and group when `out` has several groups) into `out`,
// in persons by the table's unit. Every zone needs rows. Streamed: a township-level table can be hundreds of MB.
void read_long(const Doc& doc, const Build& b, const toml::node& tn, const std::string& key, CohortArray& out) {
  const TableRef ref = table_ref(doc, tn, key, {"zone", "group", "sex", "age", "population"});
  refuse_per(doc, ref);
  refuse_between(doc, ref);  // the population at the base date: no years to interpolate
  const double factor = persons_per_unit(doc, ref);
  const bool by_group = out.layout().groups > 1;
  // One zone (a country, as in the UN's inputs): the zone column may be left out.
  std::vector<std::string> req = {"sex", "age", "population"};
  if (b.Z > 1) req.push_back("zone");
  if (by_group) req.push_back("group");
  std::vector<char> seen(out.data().size(), 0);
  std::set<std::pair<std::size_t, int>> open_rows;  // (cell, age) of the rows summed into an open group
  // stream_rows prefixes any InputError from the callback with the key once more; ours carry it already.
  struct RowError {
    InputError e;
  };
  // Column names built once: every row of a 16-million-row table looks them up.
  static const std::string kZone = "zone", kGroup = "group", kSex = "sex", kAge = "age", kPopulation = "population";
  // The columns found once per row width (Rows::text, sex_of and whole_number search them by name on every call).
  std::size_t width = uz(-1), c_sex = Rows::kNoColumn, c_age = Rows::kNoColumn, c_zone = Rows::kNoColumn,
              c_group = Rows::kNoColumn, c_population = Rows::kNoColumn;
  // The zone and group of the previous row: a long table lists a zone's (and a group's) rows together, so most
  // rows compare one short label instead of hashing it into zone_index (interned labels, checked each row).
  std::string last_zone, last_group;
  int last_zi = -1, last_g = -1;
  auto on_row = [&](const Rows& rows) {
    const std::size_t r = 0;
    if (width != rows.table.columns.size()) {
      c_zone = rows.column_index(kZone);
      c_group = rows.column_index(kGroup);
      c_sex = rows.column_index(kSex);
      c_age = rows.column_index(kAge);
      c_population = rows.column_index(kPopulation);
      width = rows.table.columns.size();
    }
    int z = 0;
    if (c_zone != Rows::kNoColumn) {
      const std::string& id = rows.table.text(rows.keep[r], c_zone);
      if (last_zi < 0 || id != last_zone) {
        auto zi = b.zone_index.find(id);
        if (zi == b.zone_index.end())
          doc.fail(&tn, key,
                   rows.where(r, kZone) + ": expected a zone id of the geography, got \"" + escape_cell(id) + "\"" +
                       b.zone_twin_hint(id));
        last_zone = id;
        last_zi = zi->second;
      }
      z = last_zi;
    } else {
      z = b.zone_index.begin()->second;
    }
    int g = 0;
    if (by_group) {
      const std::string& name =
          c_group != Rows::kNoColumn ? rows.table.text(rows.keep[r], c_group) : rows.text(r, kGroup);
      if (last_g < 0 || name != last_group) {
        auto gi = b.group_index.find(name);
        if (gi == b.group_index.end())
          doc.fail(
              &tn, key,
              rows.where(r, kGroup) + ": expected a group of projection.groups, got \"" + escape_cell(name) + "\"");
        last_group = name;
        last_g = gi->second;
      }
      g = last_g;
    }
    // The canonical sexes and a whole age in range directly; anything else through sex_of and whole_number, which
    // accept the other spellings and give the messages.
    int s = -1;
    if (c_sex != Rows::kNoColumn) {
      const std::string& sex = rows.table.text(rows.keep[r], c_sex);
      s = sex == "female" ? 0 : sex == "male" ? 1 : -1;
    }
    if (s < 0) s = sex_of(doc, rows, r, key);
    int age = -1;
    if (c_age != Rows::kNoColumn) {
      try {
        const double v = rows.number_at(r, c_age, kAge);  // parsed and kept by stream_rows
        if (v == std::floor(v) && v >= 0.0 && v <= 150.0) age = static_cast<int>(v);
      } catch (const InputError&) {
      }
    }
    if (age < 0) age = whole_number(doc, rows, r, kAge, key);
    const int i = b.age_index_folded(age);
    if (i < 0)
      doc.fail(&tn, key, rows.where(r, "age") + ": age " + std::to_string(age) +
                             " is not the start of an age group of the grid (0, " + std::to_string(b.z) + ", …, " +
                             std::to_string(b.sc.grid.open_age()) + "+)");
    const double p = persons_cell(doc, rows, r, kPopulation, factor, kPlausibleCellPersons, key, c_population);
    const std::size_t cell = out.layout().index(z, g, s, i);
    // The open group sums its rows: the open age's and any past it (a table to 130+ on a grid to 100+).
    const bool open = i == b.A - 1;
    if (open ? !open_rows.insert({cell, age}).second : seen[cell] != 0)
      doc.fail(&tn, key, rows.where(r, "age") + ": a second row for this zone, group, sex and age (age " +
                             std::to_string(age) + "; a table of several years needs a filter on its year column, e.g. "
                             "filter = { time_start = 2020 })");
    seen[cell] = 1;
    if (open) out.data()[cell] += p;
    else out.data()[cell] = p;
  };
  try {
    stream_rows(doc, ref, req, {"age", "population"}, [&](const Rows& rows) {
      try {
        on_row(rows);
      } catch (const InputError& e) {
        throw RowError{e};
      }
    });
  } catch (const RowError& r) {
    throw r.e;
  }
  // A zone with no row at all is a forgotten zone, not an empty one (a zone that really is empty gets rows of 0).
  std::vector<std::string> no_rows;
  for (int zi = 0; zi < b.Z; ++zi) {
    bool any = false;
    for (int g = 0; g < out.layout().groups && !any; ++g)
      for (int s = 0; s < 2 && !any; ++s)
        for (int i = 0; i < b.A && !any; ++i) any = seen[out.layout().index(zi, g, s, i)] != 0;
    if (!any) no_rows.push_back(b.sc.zones[uz(zi)].id);
  }
  if (!no_rows.empty()) {
    // At most 20 ids: a table of another geography would otherwise list every zone (a message of megabytes).
    std::string list;
    const std::size_t shown = std::min<std::size_t>(no_rows.size(), 20);
    for (std::size_t k = 0; k < shown; ++k) list += (k ? ", " : "") + no_rows[k];
    if (no_rows.size() > shown) list += " … and " + std::to_string(no_rows.size() - shown) + " more";
    doc.fail(&tn, key, ref.path + ": no rows for zone" + (no_rows.size() > 1 ? "s " : " ") + list +
                           "; expected the base population of every zone of the geography (rows of 0 for an empty zone)");
  }
  // A table whose rows all stop below the open age, with persons in the last age given, has a lower open group (the
  // UN's 100+ on a grid to 130+): read as it is, everyone of 100+ would be aged exactly 100. (A sparse table may
  // leave out ages without persons, so a zone ending early is fine once any row reaches the open age.)
  int last = -1;
  for (std::size_t c = 0; c < seen.size(); ++c)
    if (seen[c]) last = std::max(last, static_cast<int>(c % uz(b.A)));
  if (last >= 0 && last < b.A - 1)
    for (int zi = 0; zi < b.Z; ++zi)
      for (int g = 0; g < out.layout().groups; ++g)
        for (int s = 0; s < 2; ++s) {
          if (!(out.at(zi, g, s, last) > 0.0)) continue;
          const std::string age = std::to_string(b.sc.grid.age_start(last));
          doc.fail(&tn, key, ref.path + ": the rows end at age " + age + " (zone " + b.sc.zones[uz(zi)].id +
                                 (by_group ? ", group " + b.sc.group_names[uz(g)] : "") + ", " +
                                 sex_name(static_cast<Sex>(s)) + ": " + fmt(out.at(zi, g, s, last)) +
                                 " persons), below the grid's open age " + std::to_string(b.sc.grid.open_age()) +
                                 "; if " + age + " is the table's open group, set open_age = " + age +
                                 " or extend the table to the open age (the UN's ccmppWPP_input_file_extend); if no "
                                 "one is older, add a row of 0 at the open age");
        }
}

// The project's long census format (data/census/DATA.md): five-year cells by sex per district, and the district's
// other indicators (e.g. residents whose hukou is elsewhere) for group totals.
struct Census {
  std::string path;
  std::vector<CensusDistrict> districts;
  std::vector<const CensusDistrict*> by_zone;
};

Census read_census(const Doc& doc, const Build& b, const toml::node& tn, CohortArray& total) {
  const TableRef ref = table_ref(doc, tn, "base_population.table", {});
  if (!ref.unit.empty())
    doc.fail(ref.unit_node, "base_population.table.unit", "census_long tables carry their own unit (persons); remove 'unit'");
  refuse_per(doc, ref);
  refuse_between(doc, ref);
  (void)read_rows(doc, ref, {"code", "indicator", "value"}, {});  // checks the file and records it as an input
  Census c;
  c.path = ref.path;
  try {
    c.districts = read_census_districts(ref.path, "", ref.layer, ref.encoding);  // a database table or sheet too
  } catch (const InputError& e) {
    doc.fail(&tn, "base_population.table", e.what());
  }
  std::map<std::string, const CensusDistrict*> by_code;
  for (const auto& d : c.districts) by_code[d.code] = &d;
  if (b.z != 5 && b.z != 1)
    doc.fail(&tn, "base_population.format", "census_long needs projection.step = 5 (the census cells) or 1 (the cells "
                                            "graduated to single years)");
  for (int zi = 0; zi < b.Z; ++zi) {
    const std::string& id = b.sc.zones[uz(zi)].id;
    auto it = by_code.find(id);
    if (it == by_code.end()) {
      std::string also;  // the same id with spaces around it (a census spreadsheet's "110101 ")
      for (const auto& [code, d] : by_code)
        if (code != id && geodata::without_spaces_around(code) == id)
          also = "; the table has rows for \"" + escape_cell(code) +
                 "\", the zone's id with spaces around it: remove them from the table (zone ids are compared as "
                 "written)";
      doc.fail(&tn, "base_population.table", ref.path + ": no rows for zone \"" + id + "\"" + also);
    }
    c.by_zone.push_back(it->second);
    try {
      const std::vector<double> cells = census_population_by_sex_age(*it->second, b.sc.grid, ref.path);
      for (int s = 0; s < 2; ++s)
        for (int i = 0; i < b.A; ++i) total.at(zi, 0, s, i) = cells[uz(s) * uz(b.A) + uz(i)];
    } catch (const InputError& e) {
      doc.fail(&tn, "base_population.table", e.what());
    }
  }
  return c;
}

double census_value(const Doc& doc, const Census& c, int zone, const std::string& indicator, const toml::node* n,
                    const std::string& key) {
  try {
    return c.by_zone[uz(zone)]->at(indicator, c.path);
  } catch (const InputError& e) {
    doc.fail(n, key, e.what());
  }
}

double zone_total(const CohortArray& a, int zone, int group) {
  double s = 0.0;
  for (int sex = 0; sex < 2; ++sex)
    for (int i = 0; i < a.layout().grid.n_ages; ++i) s += a.at(zone, group, sex, i);
  return s;
}

// The legacy split of census_long into two groups: one share per zone, applied evenly to every age and sex.
void split_evenly(const Doc& doc, Build& b, const toml::node& sn, const Census& census, const CohortArray& total) {
  const toml::table& s = doc.table(sn, "base_population.split");
  doc.allow(s, "base_population.split", {"group", "indicators", "of", "total"});
  if (!s.get("group") || !s.get("indicators")) doc.fail(&sn, "base_population.split", "expected 'group' and 'indicators'");
  if (b.G != 2) doc.fail(&sn, "base_population.split", "a split needs exactly two groups in projection.groups");
  const int split_group = b.group(*s.get("group"), "base_population.split.group");
  const std::vector<std::string> split_ind = doc.strings(*s.get("indicators"), "base_population.split.indicators");
  std::string of = "pop_resident";
  double split_total = kNaN;
  if (s.get("of")) of = doc.string(*s.get("of"), "base_population.split.of");
  if (s.get("total")) split_total = doc.number(*s.get("total"), "base_population.split.total", 0, 1e10, "persons");
  std::vector<double> share(uz(b.Z), 0.0), resident(uz(b.Z), 0.0);
  for (int zi = 0; zi < b.Z; ++zi) {
    double part = 0.0;
    for (const auto& ind : split_ind) part += census_value(doc, census, zi, ind, &sn, "base_population.split");
    resident[uz(zi)] = census_value(doc, census, zi, of, &sn, "base_population.split");
    share[uz(zi)] = resident[uz(zi)] > 0 ? part / resident[uz(zi)] : 0.0;
  }
  if (std::isfinite(split_total)) {
    double now = 0.0;
    for (int zi = 0; zi < b.Z; ++zi) now += share[uz(zi)] * resident[uz(zi)];
    for (double& v : share) v *= now > 0 ? split_total / now : 0.0;
  }
  for (int zi = 0; zi < b.Z; ++zi) {
    if (!(share[uz(zi)] >= 0.0 && share[uz(zi)] <= 1.0))
      doc.fail(&sn, "base_population.split", "zone " + b.sc.zones[uz(zi)].id + ": the split share is " +
                                                 fmt(share[uz(zi)]) + "; expected 0 to 1");
    for (int sx = 0; sx < 2; ++sx)
      for (int i = 0; i < b.A; ++i) {
        const double persons = total.at(zi, 0, sx, i);
        const double part = persons * share[uz(zi)];
        b.sc.base_population.at(zi, split_group, sx, i) = part;
        b.sc.base_population.at(zi, 1 - split_group, sx, i) = persons - part;  // the cell's sum stays the census count
      }
  }
}

// One group = the total − the other groups, cell by cell (e.g. registered residents = residents − residents whose
// hukou is elsewhere). A negative cell means the tables disagree: an error, never clipped silently.
void residual_group(const Doc& doc, Build& b, const toml::node& rn, const CohortArray& total) {
  const std::string key = "base_population.residual";
  const toml::table& r = doc.table(rn, key);
  doc.allow(r, key, {"group", "others"});
  if (!r.get("group") || !r.get("others"))
    doc.fail(&rn, key, "expected 'group' (the residual group) and 'others' = { <group> = table, … } (the other groups)");
  const int rg = b.group(*r.get("group"), key + ".group");
  const toml::table& others = doc.table(*r.get("others"), key + ".others");
  for (const auto& [k, v] : others) {
    auto gi = b.group_index.find(std::string(k.str()));
    if (gi == b.group_index.end() || gi->second == rg)
      doc.fail(&v, key + ".others." + std::string(k.str()),
               "expected a group of projection.groups other than the residual group \"" + b.sc.group_names[uz(rg)] + "\"");
  }
  CohortArray& out = b.sc.base_population;
  CohortArray sum_others(CohortLayout{b.Z, 1, b.sc.grid});
  std::string other_names;
  for (int g = 0; g < b.G; ++g) {
    if (g == rg) continue;
    const std::string& name = b.sc.group_names[uz(g)];
    other_names += (other_names.empty() ? "" : ", ") + name;
    const toml::node* tn = others.get(name);
    if (!tn) doc.fail(&rn, key + ".others." + name, "missing; expected a table of the group's persons (zone, sex, age, population)");
    CohortArray one(CohortLayout{b.Z, 1, b.sc.grid});
    read_long(doc, b, *tn, key + ".others." + name, one);
    for (int z = 0; z < b.Z; ++z)
      for (int s = 0; s < 2; ++s)
        for (int i = 0; i < b.A; ++i) {
          out.at(z, g, s, i) = one.at(z, 0, s, i);
          sum_others.at(z, 0, s, i) += one.at(z, 0, s, i);
        }
  }
  for (int z = 0; z < b.Z; ++z)
    for (int s = 0; s < 2; ++s)
      for (int i = 0; i < b.A; ++i) {
        const double t = total.at(z, 0, s, i), o = sum_others.at(z, 0, s, i);
        double v = t - o;
        if (v < 0.0 && -v <= 1e-9 * t) v = 0.0;  // rounding of sums, not a disagreement
        if (v < 0.0)
          doc.fail(&rn, key, cell_label(b, z, s, i) + ": the other groups (" + other_names + ") hold " + fmt(o) +
                                 " persons but the total is " + fmt(t) + "; expected at most the total (the residual \"" +
                                 b.sc.group_names[uz(rg)] + "\" would be " + fmt(v) + ")");
        out.at(z, rg, s, i) = v;
      }
}

// Age indexes [first, last] of `ages = [first]` (first and over) or `ages = [first, last]` (whole age groups).
std::pair<int, int> age_range(const Doc& doc, const Build& b, const toml::node& n, const std::string& key) {
  const toml::array& a = doc.array(n, key);
  if (a.size() != 1 && a.size() != 2) doc.fail(&n, key, "expected [first] (first and over) or [first, last]");
  const int first = doc.integer(*a.get(0), key + "[0]", 0, 200, "age");
  const int i0 = b.age_index(first);
  if (i0 < 0) doc.fail(a.get(0), key + "[0]", "age " + std::to_string(first) + " is not the start of an age group of the grid");
  if (a.size() == 1) return {i0, b.A - 1};
  const int last = doc.integer(*a.get(1), key + "[1]", 0, 200, "age");
  const int j = b.age_index(last + 1);
  if (j <= i0)
    doc.fail(a.get(1), key + "[1]", "expected the last age of an age group from " + std::to_string(first) + " (e.g. " +
                                        std::to_string(first + b.z - 1) + "; for the open group write [" +
                                        std::to_string(first) + "]), got " + std::to_string(last));
  return {i0, j - 1};
}

// Totals [zone][group] from `group_totals`: a table (zone, group, population) or, per group, census indicators
// ({ indicators = [...] }, summed) or "rest" (the zone's census total less the other groups; at most one group).
// Every zone's groups must add up to its total: otherwise no table meets both, and the error names both sums.
std::vector<double> group_totals(const Doc& doc, const Build& b, const toml::node& n, const std::string& key,
                                 const Census& census, const CohortArray& total) {
  const std::size_t G = uz(b.G);
  std::vector<double> out(uz(b.Z) * G, kNaN);
  const toml::table* inl = n.as_table();
  if (inl && !inl->get("path")) {
    int rest = -1;
    for (const auto& [k, v] : *inl) {
      const std::string gk = key + "." + std::string(k.str());
      auto gi = b.group_index.find(std::string(k.str()));
      if (gi == b.group_index.end()) doc.fail(&v, gk, "expected a group of projection.groups");
      if (v.is_string() && v.as_string()->get() == "rest") {
        if (rest >= 0) doc.fail(&v, gk, "only one group can be the \"rest\"");
        rest = gi->second;
        continue;
      }
      const toml::table& e = doc.table(v, gk);
      doc.allow(e, gk, {"indicators"});
      if (!e.get("indicators")) doc.fail(&v, gk, "expected { indicators = [...] } (census_long indicators, summed) or \"rest\"");
      if (census.by_zone.empty()) doc.fail(&v, gk, "indicators need format = \"census_long\"; otherwise give a table (zone, group, population)");
      const std::vector<std::string> ind = doc.strings(*e.get("indicators"), gk + ".indicators");
      for (int z = 0; z < b.Z; ++z) {
        double s = 0.0;
        for (const auto& name : ind) s += census_value(doc, census, z, name, &v, gk + ".indicators");
        out[uz(z) * G + uz(gi->second)] = s;
      }
    }
    for (int g = 0; g < b.G; ++g)
      if (g != rest && std::isnan(out[uz(g)]))
        doc.fail(&n, key + "." + b.sc.group_names[uz(g)], "missing; expected the group's totals by zone (or \"rest\")");
    if (rest >= 0)
      for (int z = 0; z < b.Z; ++z) {
        double others = 0.0;
        for (int g = 0; g < b.G; ++g)
          if (g != rest) others += out[uz(z) * G + uz(g)];
        const double t = zone_total(total, z, 0), v = t - others;
        if (v < 0.0)
          doc.fail(&n, key, "zone " + b.sc.zones[uz(z)].id + ": the other groups total " + fmt(others) +
                                " but the zone's total is " + fmt(t) + "; the \"rest\" (" + b.sc.group_names[uz(rest)] +
                                ") would be negative");
        out[uz(z) * G + uz(rest)] = v;
      }
  } else {
    const TableRef ref = table_ref(doc, n, key, {"zone", "group", "population"});
    refuse_per(doc, ref);
    refuse_between(doc, ref);
    const double factor = persons_per_unit(doc, ref);
    const Rows rows = read_rows(doc, ref, {"zone", "group", "population"}, {"population"});
    for (std::size_t r = 0; r < rows.size(); ++r) {
      auto zi = b.zone_index.find(rows.text(r, "zone"));
      if (zi == b.zone_index.end())
        doc.fail(
            &n, key,
            rows.where(r, "zone") + ": expected a zone id of the geography" + b.zone_twin_hint(rows.text(r, "zone")));
      auto gi = b.group_index.find(rows.text(r, "group"));
      if (gi == b.group_index.end()) doc.fail(&n, key, rows.where(r, "group") + ": expected a group of projection.groups");
      double& cell = out[uz(zi->second) * G + uz(gi->second)];
      if (!std::isnan(cell)) doc.fail(&n, key, rows.where(r, "group") + ": a second row for this zone and group");
      cell = persons_cell(doc, rows, r, "population", factor, kMaxZonePersons, key);
    }
    for (int z = 0; z < b.Z; ++z)
      for (int g = 0; g < b.G; ++g)
        if (std::isnan(out[uz(z) * G + uz(g)]))
          doc.fail(&n, key, ref.path + ": no row for zone " + b.sc.zones[uz(z)].id + ", group " + b.sc.group_names[uz(g)]);
  }
  for (int z = 0; z < b.Z; ++z) {
    double s = 0.0;
    for (std::size_t g = 0; g < G; ++g) s += out[uz(z) * G + g];
    const double t = zone_total(total, z, 0);
    if (std::abs(s - t) > 1e-9 * std::max(s, t))
      doc.fail(&n, key, "zone " + b.sc.zones[uz(z)].id + ": the group totals add up to " + fmt(s) +
                            " but the base population table gives " + fmt(t) + "; expected equal sums");
  }
  return out;
}

// Groups fitted by iterative proportional fitting: seed = each group's age–sex profile; margins = the total by
// zone × sex × age, optionally the totals by zone × group, and known counts (group, ages, sex, zones).
void fit_groups(const Doc& doc, Build& b, const toml::node& fn, const Census& census, const CohortArray& total) {
  const std::string key = "base_population.fit";
  const toml::table& f = doc.table(fn, key);
  doc.allow(f, key, {"group_totals", "profiles", "known", "max_iterations"});
  const CohortLayout& L = b.sc.base_population.layout();
  const std::size_t n = b.sc.base_population.data().size(), A = uz(b.A);

  // Seed: the group's profile [sex][age], the same in every zone. "total" (the default): the area's own age–sex
  // distribution. Only the ratios between the groups' profiles at each sex and age matter once the census cells
  // are a margin.
  std::vector<double> area(2 * A, 0.0);
  for (int z = 0; z < b.Z; ++z)
    for (int s = 0; s < 2; ++s)
      for (std::size_t i = 0; i < A; ++i) area[uz(s) * A + i] += total.at(z, 0, s, static_cast<int>(i));
  // Shares, like the other profiles: without group totals the groups' seeds then weigh the same.
  double area_sum = 0.0;
  for (double v : area) area_sum += v;
  for (double& v : area) v = area_sum > 0 ? v / area_sum : 0.0;
  const toml::table* profiles = nullptr;
  if (const toml::node* p = f.get("profiles")) {
    profiles = &doc.table(*p, key + ".profiles");
    for (const auto& [k, v] : *profiles)
      if (!b.group_index.count(std::string(k.str())))
        doc.fail(&v, key + ".profiles." + std::string(k.str()), "expected a group of projection.groups");
  }
  std::vector<double> seed(n, 0.0);
  std::vector<std::string> profile_names;
  for (int g = 0; g < b.G; ++g) {
    const std::string& name = b.sc.group_names[uz(g)];
    const toml::node* pn = profiles ? profiles->get(name) : nullptr;
    std::vector<double> shares;
    std::string described = "like the total";
    if (pn && pn->is_string()) {
      const std::string v = pn->as_string()->get();
      const bool word = v.find('.') == std::string::npos && v.find('/') == std::string::npos;
      if (word && v != "total" && v != "population" && v != "uniform" && v != "rogers-castro")
        doc.fail(pn, key + ".profiles." + name, "expected \"total\" (the area's age-sex distribution), \"uniform\", "
                                              "\"rogers-castro\", { rogers_castro = {...} } or a table (sex, age, share), "
                                              "got \"" + v + "\"");
    }
    if (pn && !(pn->is_string() && (pn->as_string()->get() == "total" || pn->as_string()->get() == "population"))) {
      shares = profile_shares(b, pn, key + ".profiles." + name, 0.5);
      described = pn->is_string() ? pn->as_string()->get() : (pn->is_table() && pn->as_table()->get("rogers_castro") ? "rogers-castro" : "a table");
    }
    if (shares.empty()) shares = area;
    profile_names.push_back(name + ": " + described);
    for (int z = 0; z < b.Z; ++z)
      for (int s = 0; s < 2; ++s)
        for (std::size_t i = 0; i < A; ++i) seed[L.index(z, g, s, static_cast<int>(i))] = shares[uz(s) * A + i];
  }

  std::vector<FitMargin> margins;
  FitMargin cells{"zone x sex x age (the base population table)", std::vector<int>(n, -1), {}, {}};
  for (int z = 0; z < b.Z; ++z)
    for (int s = 0; s < 2; ++s)
      for (int i = 0; i < b.A; ++i) {
        cells.target.push_back(total.at(z, 0, s, i));
        cells.label.push_back(cell_label(b, z, s, i));
        for (int g = 0; g < b.G; ++g) cells.bucket[L.index(z, g, s, i)] = static_cast<int>(cells.target.size() - 1);
      }
  margins.push_back(std::move(cells));
  if (const toml::node* gt = f.get("group_totals")) {
    FitMargin m{"zone x group (" + key + ".group_totals)", std::vector<int>(n, -1),
                group_totals(doc, b, *gt, key + ".group_totals", census, total), {}};
    for (int z = 0; z < b.Z; ++z)
      for (int g = 0; g < b.G; ++g) {
        m.label.push_back("zone " + b.sc.zones[uz(z)].id + ", " + b.sc.group_names[uz(g)]);
        for (int s = 0; s < 2; ++s)
          for (int i = 0; i < b.A; ++i) m.bucket[L.index(z, g, s, i)] = z * b.G + g;
      }
    margins.push_back(std::move(m));
  }
  if (!f.get("group_totals") && !f.get("known"))
    doc.fail(&fn, key, "expected 'group_totals' or 'known' counts: without either, nothing fixes the size of each group");
  if (const toml::node* kn = f.get("known")) {
    const toml::array& arr = doc.array(*kn, key + ".known");
    for (std::size_t k = 0; k < arr.size(); ++k) {
      const std::string kk = key + ".known[" + std::to_string(k) + "]";
      const toml::table& e = doc.table(*arr.get(k), kk);
      doc.allow(e, kk, {"group", "persons", "ages", "sex", "zone"});
      if (!e.get("group") || !e.get("persons")) doc.fail(arr.get(k), kk, "expected 'group' and 'persons' (and optionally ages, sex, zone)");
      const int g = b.group(*e.get("group"), kk + ".group");
      const double persons = doc.number(*e.get("persons"), kk + ".persons", 0, kMaxZonePersons, "persons");
      std::pair<int, int> ages{0, b.A - 1};
      if (const toml::node* a = e.get("ages")) ages = age_range(doc, b, *a, kk + ".ages");
      int sex = -1;
      if (const toml::node* s = e.get("sex")) {
        const std::string v = doc.string(*s, kk + ".sex");
        if (v != "female" && v != "male") doc.fail(s, kk + ".sex", "expected \"female\" or \"male\", got \"" + v + "\"");
        sex = v == "female" ? 0 : 1;
      }
      std::vector<char> in_zone(uz(b.Z), 1);
      std::string zones = "all zones";
      if (const toml::node* zn = e.get("zone")) {
        std::fill(in_zone.begin(), in_zone.end(), 0);
        zones = "zone";
        const std::vector<std::string> ids = zn->is_string() ? std::vector<std::string>{doc.string(*zn, kk + ".zone")}
                                                             : doc.strings(*zn, kk + ".zone");
        for (const auto& id : ids) {
          auto zi = b.zone_index.find(id);
          if (zi == b.zone_index.end()) doc.fail(zn, kk + ".zone", "expected a zone id of the geography, got \"" + id + "\"");
          in_zone[uz(zi->second)] = 1;
          zones += " " + id;
        }
      }
      const std::string label = b.sc.group_names[uz(g)] + ", ages " + std::to_string(ages.first * b.z) +
                                (ages.second == b.A - 1 ? "+" : "-" + std::to_string((ages.second + 1) * b.z - 1)) + ", " +
                                (sex < 0 ? "both sexes" : sex == 0 ? "female" : "male") + ", " + zones;
      FitMargin m{kk, std::vector<int>(n, -1), {persons}, {label}};
      for (int z = 0; z < b.Z; ++z)
        for (int s = 0; s < 2; ++s)
          for (int i = ages.first; i <= ages.second; ++i)
            if (in_zone[uz(z)] && (sex < 0 || sex == s)) m.bucket[L.index(z, g, s, i)] = 0;
      margins.push_back(std::move(m));
    }
  }
  FitOptions opt;
  if (const toml::node* mi = f.get("max_iterations")) opt.max_iterations = doc.integer(*mi, key + ".max_iterations", 1, 1000000);
  FitResult res;
  try {
    res = fit_proportional(std::move(seed), margins, opt);
  } catch (const InputError& e) {
    doc.fail(&fn, key, e.what());
  }
  std::copy(res.cells.begin(), res.cells.end(), b.sc.base_population.data().begin());
  std::string list;
  for (const auto& p : profile_names) list += (list.empty() ? "" : "; ") + p;
  b.sc.assumptions.push_back("Base population by group: fitted by iterative proportional fitting to " +
                             std::to_string(margins.size()) + " margins (the base population by zone, sex and age" +
                             std::string(f.get("group_totals") ? ", the group totals by zone" : "") +
                             (margins.size() > 2 || !f.get("group_totals") ? ", known counts" : "") +
                             ") from age-sex profiles (" + list + "); converged in " + std::to_string(res.iterations) +
                             " sweeps, largest relative gap " + fmt(res.max_relative_gap, 2) + ".");
}

}  // namespace

void read_base_population(const Doc& doc, const toml::table& root, Build& b) {
  Scenario& sc = b.sc;
  const toml::node* bn = root.get("base_population");
  if (!bn) doc.fail(&root, "base_population", "missing; expected [base_population] with a table");
  const toml::table& t = doc.table(*bn, "base_population");
  doc.allow(t, "base_population", {"table", "format", "split", "residual", "fit", "records", "base_date",
                                   "age_date", "max_age", "exclude", "records_crs"});
  sc.base_population = CohortArray(CohortLayout{b.Z, b.G, sc.grid});
  // A person-level register (read_records.cpp) gives the groups directly; its options go with it only.
  if (t.get("records")) {
    for (const char* k : {"table", "format", "split", "residual", "fit"})
      if (t.get(k)) doc.fail(t.get(k), std::string("base_population.") + k, "not with 'records' (a register gives "
                                                                            "the base population and its groups)");
    return read_records(doc, root, t, b);
  }
  for (const char* k : {"base_date", "age_date", "max_age", "exclude", "records_crs"})
    if (t.get(k)) doc.fail(t.get(k), std::string("base_population.") + k, "only with 'records' (a person-level register)");
  std::string format = "long";
  if (const toml::node* f = t.get("format")) {
    format = doc.string(*f, "base_population.format");
    if (format != "long" && format != "census_long" && format != "netcdf")
      doc.fail(f, "base_population.format", "expected \"long\" (zone, group, sex, age, population), \"census_long\" "
                                           "(code, indicator, value with pop_f_<age>/pop_m_<age>) or \"netcdf\" (a "
                                           "cube population(zone, group, sex, age)), got \"" + format + "\"");
  }
  const toml::node* tn = t.get("table");
  if (!tn) doc.fail(bn, "base_population.table", "missing; expected a table of zone, group, sex, age, population");
  const toml::node* sn = t.get("split");
  const toml::node* rn = t.get("residual");
  const toml::node* fn = t.get("fit");
  if ((sn ? 1 : 0) + (rn ? 1 : 0) + (fn ? 1 : 0) > 1)
    doc.fail(bn, "base_population", "expected at most one of 'split', 'residual' and 'fit' (ways to form the groups)");
  if (sn && format != "census_long") doc.fail(sn, "base_population.split", "only with format = \"census_long\"");
  if (format == "netcdf") {
    if (rn || fn)
      doc.fail(rn ? rn : fn, rn ? "base_population.residual" : "base_population.fit",
               "not with format = \"netcdf\" (the cube gives every group of projection.groups directly)");
    return read_population_netcdf(doc, b, *tn, "base_population.table", sc.base_population);
  }
  // A NetCDF file read as a table would fail in GDAL with a message that does not say what to do.
  const toml::node* pn = tn->is_table() ? tn->as_table()->get("path") : tn;
  if (const std::string w = pn && pn->is_string() ? std::string(*pn->as_string()) : std::string();
      w.ends_with(".nc") || w.ends_with(".nc4"))
    doc.fail(tn, "base_population.table", "'" + escape_cell(w) + "' looks like a NetCDF file; read it with format = "
                                          "\"netcdf\" in [base_population]");
  if (format == "long" && !rn && !fn) {
    read_long(doc, b, *tn, "base_population.table", sc.base_population);  // the groups given directly
    return;
  }
  // The total of all groups by zone, sex and age.
  CohortArray total(CohortLayout{b.Z, 1, sc.grid});
  Census census;
  if (format == "census_long") census = read_census(doc, b, *tn, total);
  else read_long(doc, b, *tn, "base_population.table", total);
  if (sn) return split_evenly(doc, b, *sn, census, total);
  if ((rn || fn) && b.G < 2) doc.fail(rn ? rn : fn, rn ? "base_population.residual" : "base_population.fit",
                                      "needs at least two groups in projection.groups");
  if (rn) return residual_group(doc, b, *rn, total);
  if (fn) return fit_groups(doc, b, *fn, census, total);
  if (b.G != 1)
    doc.fail(bn, "base_population", "census_long with several groups needs a 'split', 'residual' or 'fit'");
  std::copy(total.data().begin(), total.data().end(), sc.base_population.data().begin());
}

// ---- age profiles ---------------------------------------------------------------------------------------------

// Shares [sex][age] summing to 1 for counts spread over age and sex. "rogers-castro" (engine defaults), or
// { rogers_castro = { a1 = …, … } }, or a table (sex, age, share). Empty result: "population" (by the start
// population, decided per step).
std::vector<double> profile_shares(const Build& b, const toml::node* n, const std::string& key, double female_share) {
  const std::size_t A = uz(b.A);
  std::vector<double> out(2 * A, 0.0);
  auto rc = [&](const RogersCastro& params) {
    const std::vector<double> s = rogers_castro_age_shares(b.sc.grid, params);
    for (std::size_t i = 0; i < A; ++i) {
      out[i] = female_share * s[i];
      out[A + i] = (1.0 - female_share) * s[i];
    }
  };
  if (!n) {
    rc({});
    return out;
  }
  if (n->is_string()) {
    const std::string v = n->as_string()->get();
    if (v == "rogers-castro") { rc({}); return out; }
    if (v == "population") return {};
    if (v == "uniform") {
      for (std::size_t i = 0; i < A; ++i) {
        out[i] = female_share / static_cast<double>(A);
        out[A + i] = (1.0 - female_share) / static_cast<double>(A);
      }
      return out;
    }
  }
  if (n->is_table() && n->as_table()->get("rogers_castro")) {
    const toml::table& t = *n->as_table();
    b.doc.allow(t, key, {"rogers_castro"});
    const toml::table& p = b.doc.table(*t.get("rogers_castro"), key + ".rogers_castro");
    b.doc.allow(p, key + ".rogers_castro", {"a1", "alpha1", "a2", "alpha2", "mu2", "lambda2", "c"});
    RogersCastro params;
    auto get = [&](const char* k, double& v, double lo, double hi) {
      if (const toml::node* x = p.get(k)) v = b.doc.number(*x, key + ".rogers_castro." + k, lo, hi);
    };
    get("a1", params.a1, 0, 10); get("alpha1", params.alpha1, 0, 5); get("a2", params.a2, 0, 10);
    get("alpha2", params.alpha2, 0, 5); get("mu2", params.mu2, 0, 100); get("lambda2", params.lambda2, 0, 5);
    get("c", params.c, 0, 10);
    // Parameters each in range can still give a schedule of 0 at every age (a1 = a2 = c = 0, or a labour peak
    // whose terms underflow): the engine's error then names the key it came from.
    try {
      rc(params);
    } catch (const InputError& e) {
      b.doc.fail(n, key + ".rogers_castro", e.what());
    }
    return out;
  }
  if (n->is_string() && n->as_string()->get().find('.') == std::string::npos && n->as_string()->get().find('/') == std::string::npos)
    b.doc.fail(n, key, "expected \"rogers-castro\", \"uniform\", \"population\", { rogers_castro = {…} } or a table "
                       "(sex, age, share), got " + describe(*n));
  const TableRef ref = table_ref(b.doc, *n, key, {"sex", "age", "share"});
  refuse_unit_and_per(b.doc, ref, "shares of an age profile");
  refuse_between(b.doc, ref);
  const Rows rows = read_rows(b.doc, ref, {"sex", "age", "share"}, {"age", "share"});
  double sum = 0.0;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const int s = sex_of(b.doc, rows, r, key);
    const int i = b.age_index(whole_number(b.doc, rows, r, "age", key));
    if (i < 0) b.doc.fail(n, key, rows.where(r, "age") + ": not the start of an age group of the grid");
    const double v = rows.number(r, "share");
    if (!(v >= 0)) b.doc.fail(n, key, rows.where(r, "share") + ": expected a share >= 0");
    out[uz(s) * A + uz(i)] += v;
    sum += v;
  }
  if (!(sum > 0)) b.doc.fail(n, key, "the profile sums to 0");
  // Shares each finite can sum past the largest double (two of 1e308): every share / inf would be 0 and the flow's
  // persons would vanish without a word.
  if (!std::isfinite(sum))
    b.doc.fail(n, key,
               "the shares sum to more than the largest number (" + fmt(sum) +
                   "); expected shares whose sum is finite (any scale: they are divided by their sum)");
  for (double& v : out) v /= sum;
  return out;
}

// Persons of a zone's group at [sex][age] for a "population" profile: shares of the start population.
std::vector<double> population_shares(const CohortArray& pop, int zone, int group) {
  const std::size_t A = uz(pop.layout().grid.n_ages);
  std::vector<double> out(2 * A, 0.0);
  double sum = 0.0;
  for (int s = 0; s < 2; ++s)
    for (std::size_t i = 0; i < A; ++i) sum += (out[uz(s) * A + i] = pop.at(zone, group, s, static_cast<int>(i)));
  for (double& v : out) v = sum > 0 ? v / sum : 0.0;
  return out;
}

int years_in_step(int first, int last, int step_first, int step_last) {
  return std::max(0, std::min(last, step_last) - std::max(first, step_first) + 1);
}

}  // namespace cohortgis::scenarios::detail
