// SPDX-License-Identifier: Apache-2.0
// The scenario-file loader (format: scenarios/README.md). Builds one complete Scenario per run (baseline, then each
// variant) with the schedules of every step; schedules that need the population at the start of a step (quotas,
// gravity rates, relocation by the origin's age structure) go into Scenario::adjust_schedules.
#include "cohortgis/scenarios/scenario_file.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

#include "cohortgis/engine/graduation.hpp"
#include "cohortgis/engine/migration_models.hpp"
#include "cohortgis/geodata/measures.hpp"
#include "cohortgis/scenarios/models.hpp"
#include "cohortgis/scenarios/sources.hpp"
#include "toml_doc.hpp"

#ifndef COHORTGIS_EXAMPLES_DIR
#error "COHORTGIS_EXAMPLES_DIR must be defined by the build (scenarios/examples)"
#endif

namespace cohortgis::scenarios {

using namespace detail;
namespace fs = std::filesystem;

std::string Target::period_label() const {
  if (year != 0) return std::to_string(year);
  return first_year == last_year ? std::to_string(first_year)
                                 : std::to_string(first_year) + "-" + std::to_string(last_year);
}

std::string examples_dir() {
  if (const char* env = std::getenv("COHORTGIS_EXAMPLES_DIR"); env && *env) return env;
  return COHORTGIS_EXAMPLES_DIR;
}
std::string default_scenario_file() { return (fs::path(examples_dir()) / "beijing-2020" / "scenario.toml").string(); }

namespace {

std::size_t uz(int v) { return static_cast<std::size_t>(v); }
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Indicators a period target may use: the columns of plan_periods.csv.
const std::vector<std::string> kPeriodIndicators = {
    "population_start", "population_end", "births", "deaths", "net_migration", "births_per_year", "deaths_per_year",
    "net_migration_per_year", "cbr_per_1000", "cdr_per_1000", "natural_growth_per_1000", "growth_rate_percent",
    "srb_per_100_females"};

// The assumption sections a variant may override. Tables merge key by key; arrays are replaced whole.
constexpr std::string_view kTableSections[] = {"fertility", "mortality", "migration"};
constexpr std::string_view kArraySections[] = {"relocation", "transitions", "newborn"};

// Looks a key up in the variant's section first, then in the baseline's.
struct Layer {
  const toml::table* base = nullptr;
  const toml::table* over = nullptr;
  std::string over_prefix;  // e.g. "variants[1]"

  const toml::table* section(const toml::table* t, std::string_view s) const {
    if (!t) return nullptr;
    const toml::node* n = t->get(s);
    return n ? n->as_table() : nullptr;
  }
  // (node, key name for messages)
  std::pair<const toml::node*, std::string> get(std::string_view sec, std::string_view key) const {
    if (const toml::table* o = section(over, sec); o && o->get(key))
      return {o->get(key), over_prefix + "." + std::string(sec) + "." + std::string(key)};
    if (const toml::table* b = section(base, sec); b && b->get(key))
      return {b->get(key), std::string(sec) + "." + std::string(key)};
    return {nullptr, std::string(sec) + "." + std::string(key)};
  }
  std::pair<const toml::node*, std::string> array(std::string_view sec) const {
    if (over && over->get(sec)) return {over->get(sec), over_prefix + "." + std::string(sec)};
    if (base && base->get(sec)) return {base->get(sec), std::string(sec)};
    return {nullptr, std::string(sec)};
  }
};

// Shared context of one run being built.
struct Build {
  Build(const Doc& d, Scenario& s) : doc(d), sc(s) {}
  const Doc& doc;
  Scenario& sc;
  int Z = 0, G = 0, A = 0, rows = 0, z = 5, steps = 0;
  int base_year = 0, horizon = 0;
  std::map<std::string, int> zone_index, group_index;
  // Zone centroids (longitude, latitude) from [geography.source], in zone order; empty without a source.
  std::shared_ptr<const std::vector<geodata::XY>> centroids_lonlat;

  int zone(const toml::node& n, const std::string& key) const {
    const std::string id = doc.string(n, key);
    auto it = zone_index.find(id);
    if (it == zone_index.end()) doc.fail(&n, key, "expected a zone id of the geography, got \"" + id + "\"");
    return it->second;
  }
  int group(const toml::node& n, const std::string& key) const {
    const std::string g = doc.string(n, key);
    auto it = group_index.find(g);
    if (it == group_index.end()) {
      std::string list;
      for (const auto& name : sc.group_names) list += (list.empty() ? "" : ", ") + name;
      doc.fail(&n, key, "expected a population group (" + list + "), got \"" + g + "\"");
    }
    return it->second;
  }
  int step_first_year(int k) const { return base_year + k * z + 1; }
  int step_last_year(int k) const { return base_year + (k + 1) * z; }
  // Age index of an age on the grid (exact group start), or -1.
  int age_index(int age) const {
    if (age < 0 || age % z != 0 || age / z >= A) return -1;
    return age / z;
  }
};

int sex_of(const Doc& doc, const Rows& t, std::size_t r, const std::string& key) {
  const std::string& s = t.text(r, "sex");
  if (s == "female" || s == "f" || s == "F") return 0;
  if (s == "male" || s == "m" || s == "M") return 1;
  doc.fail(t.ref.node, key, t.where(r, "sex") + ": expected female or male, got \"" + s + "\"");
}

int whole_number(const Doc& doc, const Rows& t, std::size_t r, const std::string& col, const std::string& key) {
  const double v = t.number(r, col);
  if (v != std::floor(v) || std::abs(v) > 1e6)
    doc.fail(t.ref.node, key, t.where(r, col) + ": expected a whole number, got " + fmt(v));
  return static_cast<int>(v);
}

// ---- geography and projection ----------------------------------------------------------------------------------

// [geography.source]: zones from any GDAL vector source, opened read-only by geodata::load_zones.
geodata::Zones read_zone_source(const Doc& doc, const toml::node& sn, ScenarioSet& set) {
  const toml::table& t = doc.table(sn, "geography.source");
  doc.allow(t, "geography.source", {"path", "layer", "id_field", "name_field", "parent_field", "make_valid"});
  geodata::ZoneSource& src = set.zones_source;
  if (!t.get("path")) doc.fail(&sn, "geography.source.path", "missing; expected the zones file (GeoPackage, Shapefile, …)");
  src.path = table_ref(doc, *t.get("path"), "geography.source.path", {}).path;
  if (!t.get("id_field")) doc.fail(&sn, "geography.source.id_field", "missing; expected the field holding the zone ids");
  src.id_field = doc.string(*t.get("id_field"), "geography.source.id_field");
  if (const toml::node* l = t.get("layer")) src.layer = doc.string(*l, "geography.source.layer");
  if (const toml::node* f = t.get("name_field")) src.name_field = doc.string(*f, "geography.source.name_field");
  if (const toml::node* f = t.get("parent_field")) src.parent_field = doc.string(*f, "geography.source.parent_field");
  if (const toml::node* f = t.get("make_valid")) src.make_valid = doc.boolean(*f, "geography.source.make_valid");
  set.zones_source_path = src.path;
  set.zones_source_layer = src.layer;
  try {
    return geodata::load_zones(src);
  } catch (const InputError& e) {
    doc.fail(&sn, "geography.source", e.what());
  }
}

void read_geography(const Doc& doc, const toml::table& root, Scenario& sc, ScenarioSet& set,
                    std::shared_ptr<const std::vector<geodata::XY>>& centroids_lonlat) {
  const toml::node* gn = root.get("geography");
  if (!gn) doc.fail(&root, "geography", "missing; expected a [geography] table with the zones");
  const toml::table& g = doc.table(*gn, "geography");
  doc.allow(g, "geography", {"zones", "aggregates", "source"});
  std::optional<geodata::Zones> source_zones;
  if (const toml::node* sn = g.get("source")) source_zones = read_zone_source(doc, *sn, set);
  const toml::node* zn = g.get("zones");
  if (!zn && !source_zones)
    doc.fail(gn, "geography.zones", "missing; expected a table path or an array of { id, name }, or a [geography.source]");
  if (!zn) {
    for (std::size_t i = 0; i < source_zones->size(); ++i)
      sc.zones.push_back({source_zones->id(i), source_zones->names()[i], ""});
  } else if (zn->is_array()) {
    const toml::array& a = *zn->as_array();
    for (std::size_t i = 0; i < a.size(); ++i) {
      const std::string key = "geography.zones[" + std::to_string(i) + "]";
      const toml::table& t = doc.table(*a.get(i), key);
      doc.allow(t, key, {"id", "name", "name_en"});
      if (!t.get("id")) doc.fail(&t, key, "expected an 'id'");
      Zone zone{doc.string(*t.get("id"), key + ".id"), "", ""};
      if (t.get("name")) zone.name = doc.string(*t.get("name"), key + ".name");
      if (t.get("name_en")) zone.name_en = doc.string(*t.get("name_en"), key + ".name_en");
      sc.zones.push_back(zone);
    }
  } else {
    const TableRef ref = table_ref(doc, *zn, "geography.zones", {"id", "name", "name_en"});
    const Rows rows = read_rows(doc, ref, {"id"}, {});
    for (std::size_t r = 0; r < rows.size(); ++r)
      sc.zones.push_back({rows.text(r, "id"), rows.has("name") ? rows.text(r, "name") : "",
                          rows.has("name_en") ? rows.text(r, "name_en") : ""});
  }
  if (sc.zones.empty()) doc.fail(zn, "geography.zones", "expected at least one zone");
  const toml::node* zones_node = zn ? zn : g.get("source");
  std::set<std::string> ids;
  for (const auto& z : sc.zones)
    if (!ids.insert(z.id).second) doc.fail(zones_node, "geography.zones", "zone id \"" + z.id + "\" appears twice");
  if (source_zones) {
    // The zone table and the geometry must hold the same ids (a zone without a shape, or a shape without data, is
    // a mistake a planner wants to hear about, with the ids).
    std::vector<std::string> no_shape, no_data;
    for (const auto& z : sc.zones)
      if (!source_zones->find(z.id)) no_shape.push_back(z.id);
    for (const auto& id : source_zones->ids())
      if (!ids.count(id)) no_data.push_back(id);
    auto list = [](const std::vector<std::string>& v) {
      std::string out;
      for (std::size_t i = 0; i < v.size() && i < 20; ++i) out += (i ? ", " : "") + v[i];
      return v.size() > 20 ? out + ", … (" + std::to_string(v.size()) + " in all)" : out;
    };
    if (!no_shape.empty() || !no_data.empty())
      doc.fail(g.get("source"), "geography.source",
               source_zones->source() + ": " +
                   (no_shape.empty() ? std::string() : "zones without a shape in the source: " + list(no_shape)) +
                   (no_shape.empty() || no_data.empty() ? "" : "; ") +
                   (no_data.empty() ? std::string() : "shapes without a zone in geography.zones: " + list(no_data)));
    const geodata::ZoneMeasures m = geodata::measure_zones(*source_zones);
    auto c = std::make_shared<std::vector<geodata::XY>>();
    for (const auto& z : sc.zones) c->push_back(m.centroid_lonlat[*source_zones->find(z.id)]);
    centroids_lonlat = std::move(c);
  }
  if (const toml::node* an = g.get("aggregates")) {
    const toml::array& a = doc.array(*an, "geography.aggregates");
    for (std::size_t i = 0; i < a.size(); ++i) {
      const std::string key = "geography.aggregates[" + std::to_string(i) + "]";
      const toml::table& t = doc.table(*a.get(i), key);
      doc.allow(t, key, {"name", "zones"});
      if (!t.get("name") || !t.get("zones")) doc.fail(&t, key, "expected 'name' and 'zones'");
      ZoneAggregate agg{doc.string(*t.get("name"), key + ".name"), {}};
      if (agg.name == "total" || ids.count(agg.name))
        doc.fail(t.get("name"), key + ".name", "\"" + agg.name + "\" is already a zone id or the whole area 'total'");
      const toml::array& zs = doc.array(*t.get("zones"), key + ".zones");
      for (std::size_t k = 0; k < zs.size(); ++k) {
        const std::string id = doc.string(*zs.get(k), key + ".zones");
        auto it = std::find_if(sc.zones.begin(), sc.zones.end(), [&](const Zone& zz) { return zz.id == id; });
        if (it == sc.zones.end()) doc.fail(zs.get(k), key + ".zones", "expected a zone id of the geography, got \"" + id + "\"");
        agg.zones.push_back(static_cast<int>(it - sc.zones.begin()));
      }
      sc.aggregates.push_back(agg);
    }
  }
}

void read_projection(const Doc& doc, const toml::table& root, Scenario& sc) {
  const toml::node* pn = root.get("projection");
  if (!pn) doc.fail(&root, "projection", "missing; expected [projection] with base_year, horizon and step");
  const toml::table& p = doc.table(*pn, "projection");
  doc.allow(p, "projection", {"base_year", "horizon", "step", "open_age", "groups", "migration_timing", "flow_policy"});
  for (const char* k : {"base_year", "horizon", "step"})
    if (!p.get(k)) doc.fail(pn, std::string("projection.") + k, "missing");
  sc.base_year = doc.integer(*p.get("base_year"), "projection.base_year", 1800, 2300, "a year");
  const toml::node* stepn = p.get("step");
  if (!stepn->is_integer() || (stepn->as_integer()->get() != 1 && stepn->as_integer()->get() != 5))
    doc.fail(stepn, "projection.step", "expected 1 or 5 (years per step and per age group), got " + describe(*stepn));
  const int z = static_cast<int>(stepn->as_integer()->get());
  const int horizon = doc.integer(*p.get("horizon"), "projection.horizon", sc.base_year + z, sc.base_year + 300, "a year");
  if ((horizon - sc.base_year) % z != 0)
    doc.fail(p.get("horizon"), "projection.horizon", "expected base_year + a multiple of the step (" +
                                                         std::to_string(z) + "), got " + std::to_string(horizon));
  int open_age = z == 5 ? 85 : 100;
  if (const toml::node* o = p.get("open_age")) {
    open_age = doc.integer(*o, "projection.open_age", 10, 130, "an age");
    if (open_age % z != 0) doc.fail(o, "projection.open_age", "expected a multiple of the step " + std::to_string(z));
  }
  sc.grid = z == 5 ? AgeGrid::five_year(open_age) : AgeGrid::single_year(open_age);
  sc.steps = (horizon - sc.base_year) / z;
  sc.group_names = {"total"};
  if (const toml::node* g = p.get("groups")) {
    sc.group_names = doc.strings(*g, "projection.groups");
    if (sc.group_names.empty()) doc.fail(g, "projection.groups", "expected at least one group name");
    std::set<std::string> seen;
    for (const auto& name : sc.group_names)
      if (name == "all" || name.empty() || !seen.insert(name).second)
        doc.fail(g, "projection.groups", "group \"" + name + "\" is empty, repeated or the reserved name 'all'");
  }
  if (const toml::node* t = p.get("migration_timing")) {
    const std::string v = doc.string(*t, "projection.migration_timing");
    if (v == "even") sc.migration_timing = MigrationTiming::even;
    else if (v == "end") sc.migration_timing = MigrationTiming::end;
    else doc.fail(t, "projection.migration_timing", "expected \"even\" or \"end\", got \"" + v + "\"");
  }
  if (const toml::node* f = p.get("flow_policy")) {
    const std::string v = doc.string(*f, "projection.flow_policy");
    if (v == "conserve") sc.flow_policy = FlowPolicy::conserve;
    else if (v == "wpp") sc.flow_policy = FlowPolicy::wpp;
    else if (v == "error") sc.flow_policy = FlowPolicy::error;
    else doc.fail(f, "projection.flow_policy", "expected \"conserve\", \"wpp\" or \"error\", got \"" + v + "\"");
  }
}

// ---- base population -------------------------------------------------------------------------------------------

void read_base_population(const Doc& doc, const toml::table& root, Build& b) {
  Scenario& sc = b.sc;
  const toml::node* bn = root.get("base_population");
  if (!bn) doc.fail(&root, "base_population", "missing; expected [base_population] with a table");
  const toml::table& t = doc.table(*bn, "base_population");
  doc.allow(t, "base_population", {"table", "format", "split", "rows"});
  sc.base_population = CohortArray(CohortLayout{b.Z, b.G, sc.grid});
  std::string format = "long";
  if (const toml::node* f = t.get("format")) {
    format = doc.string(*f, "base_population.format");
    if (format != "long" && format != "census_long")
      doc.fail(f, "base_population.format", "expected \"long\" (zone, group, sex, age, population) or \"census_long\" "
                                           "(code, indicator, value with pop_f_<age>/pop_m_<age>), got \"" + format + "\"");
  }
  if (format == "census_long") {
    // The project's long census format (data/census/DATA.md): five-year cells by sex per district.
    const toml::node* tn = t.get("table");
    if (!tn) doc.fail(bn, "base_population.table", "missing");
    const TableRef ref = table_ref(doc, *tn, "base_population.table", {});
    (void)read_rows(doc, ref, {"code", "indicator", "value"}, {});  // checks the file and records it as an input
    std::vector<CensusDistrict> districts;
    try {
      districts = read_census_districts(ref.path, "");
    } catch (const InputError& e) {
      doc.fail(tn, "base_population.table", e.what());
    }
    std::map<std::string, const CensusDistrict*> by_code;
    for (const auto& d : districts) by_code[d.code] = &d;
    if (b.z != 5) doc.fail(tn, "base_population.format", "census_long needs projection.step = 5 (five-year census cells)");
    // Optional split into two groups by census indicators, applied evenly to every age and sex.
    int split_group = -1;
    std::vector<std::string> split_ind;
    std::string of = "pop_resident";
    double split_total = kNaN;
    const toml::node* sn = t.get("split");
    if (sn) {
      const toml::table& s = doc.table(*sn, "base_population.split");
      doc.allow(s, "base_population.split", {"group", "indicators", "of", "total"});
      if (!s.get("group") || !s.get("indicators")) doc.fail(sn, "base_population.split", "expected 'group' and 'indicators'");
      if (b.G != 2) doc.fail(sn, "base_population.split", "a split needs exactly two groups in projection.groups");
      split_group = b.group(*s.get("group"), "base_population.split.group");
      split_ind = doc.strings(*s.get("indicators"), "base_population.split.indicators");
      if (s.get("of")) of = doc.string(*s.get("of"), "base_population.split.of");
      if (s.get("total")) split_total = doc.number(*s.get("total"), "base_population.split.total", 0, 1e10, "persons");
    } else if (b.G != 1) {
      doc.fail(bn, "base_population.split", "missing; census_long with several groups needs a split");
    }
    std::vector<double> share(uz(b.Z), 0.0), resident(uz(b.Z), 0.0);
    std::vector<std::vector<double>> cells(uz(b.Z));
    for (int zi = 0; zi < b.Z; ++zi) {
      const std::string& id = sc.zones[uz(zi)].id;
      auto it = by_code.find(id);
      if (it == by_code.end())
        doc.fail(tn, "base_population.table", ref.path + ": no rows for zone \"" + id + "\"");
      try {
        cells[uz(zi)] = census_population_by_sex_age(*it->second, sc.grid, ref.path);
        if (split_group >= 0) {
          double part = 0.0;
          for (const auto& ind : split_ind) part += it->second->at(ind, ref.path);
          resident[uz(zi)] = it->second->at(of, ref.path);
          share[uz(zi)] = resident[uz(zi)] > 0 ? part / resident[uz(zi)] : 0.0;
        }
      } catch (const InputError& e) {
        doc.fail(tn, "base_population.table", e.what());
      }
    }
    if (split_group >= 0 && std::isfinite(split_total)) {
      double now = 0.0;
      for (int zi = 0; zi < b.Z; ++zi) now += share[uz(zi)] * resident[uz(zi)];
      for (double& s : share) s *= now > 0 ? split_total / now : 0.0;
    }
    for (int zi = 0; zi < b.Z; ++zi) {
      if (!(share[uz(zi)] >= 0.0 && share[uz(zi)] <= 1.0))
        doc.fail(sn, "base_population.split", "zone " + sc.zones[uz(zi)].id + ": the split share is " +
                                                  fmt(share[uz(zi)]) + "; expected 0 to 1");
      for (int s = 0; s < 2; ++s)
        for (int i = 0; i < b.A; ++i) {
          const double persons = cells[uz(zi)][uz(s) * uz(b.A) + uz(i)];
          if (split_group < 0) {
            sc.base_population.at(zi, 0, s, i) = persons;
          } else {
            const double part = persons * share[uz(zi)];
            sc.base_population.at(zi, split_group, s, i) = part;
            sc.base_population.at(zi, 1 - split_group, s, i) = persons - part;  // the cell's sum stays the census count
          }
        }
    }
    return;
  }
  if (t.get("split")) doc.fail(t.get("split"), "base_population.split", "only with format = \"census_long\"");
  const toml::node* tn = t.get("table");
  if (!tn) doc.fail(bn, "base_population.table", "missing; expected a table of zone, group, sex, age, population");
  const TableRef ref = table_ref(doc, *tn, "base_population.table", {"zone", "group", "sex", "age", "population"});
  std::vector<std::string> req = {"zone", "sex", "age", "population"};
  if (b.G > 1) req.push_back("group");
  std::vector<char> seen(sc.base_population.data().size(), 0);
  const std::string key = "base_population.table";
  // Streamed: a township-level base table can be hundreds of MB; only one row is held at a time.
  stream_rows(doc, ref, req, {"age", "population"}, [&](const Rows& rows) {
    const std::size_t r = 0;
    auto zi = b.zone_index.find(rows.text(r, "zone"));
    if (zi == b.zone_index.end())
      doc.fail(tn, key, rows.where(r, "zone") + ": expected a zone id of the geography, got \"" + rows.text(r, "zone") + "\"");
    int g = 0;
    if (b.G > 1) {
      auto gi = b.group_index.find(rows.text(r, "group"));
      if (gi == b.group_index.end())
        doc.fail(tn, key, rows.where(r, "group") + ": expected a group of projection.groups, got \"" + rows.text(r, "group") + "\"");
      g = gi->second;
    }
    const int s = sex_of(doc, rows, r, key);
    const int age = whole_number(doc, rows, r, "age", key);
    const int i = b.age_index(age);
    if (i < 0) doc.fail(tn, key, rows.where(r, "age") + ": age " + std::to_string(age) + " is not the start of an age group of the grid");
    const double p = rows.number(r, "population");
    if (!(p >= 0.0)) doc.fail(tn, key, rows.where(r, "population") + ": expected persons >= 0, got " + fmt(p));
    const std::size_t cell = sc.base_population.layout().index(zi->second, g, s, i);
    if (seen[cell]++) doc.fail(tn, key, rows.where(r, "age") + ": a second row for this zone, group, sex and age");
    sc.base_population.data()[cell] = p;
  });
  // A zone with no row at all is a forgotten zone, not an empty one (a zone that really is empty gets rows of 0).
  std::vector<std::string> no_rows;
  for (int zi = 0; zi < b.Z; ++zi) {
    bool any = false;
    for (int g = 0; g < b.G && !any; ++g)
      for (int s = 0; s < 2 && !any; ++s)
        for (int i = 0; i < b.A && !any; ++i) any = seen[sc.base_population.layout().index(zi, g, s, i)] != 0;
    if (!any) no_rows.push_back(sc.zones[uz(zi)].id);
  }
  if (!no_rows.empty()) {
    std::string list;
    for (const auto& id : no_rows) list += (list.empty() ? "" : ", ") + id;
    doc.fail(tn, key, ref.path + ": no rows for zone" + (no_rows.size() > 1 ? "s " : " ") + list +
                          "; expected the base population of every zone of the geography (rows of 0 for an empty zone)");
  }
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
    rc(params);
    return out;
  }
  if (n->is_string() && n->as_string()->get().find('.') == std::string::npos && n->as_string()->get().find('/') == std::string::npos)
    b.doc.fail(n, key, "expected \"rogers-castro\", \"uniform\", \"population\", { rogers_castro = {…} } or a table "
                       "(sex, age, share), got " + describe(*n));
  const TableRef ref = table_ref(b.doc, *n, key, {"sex", "age", "share"});
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

// ---- fertility --------------------------------------------------------------------------------------------------

void build_fertility(const Build& b, const Layer& L, std::vector<StepSchedules>& steps) {
  const Doc& doc = b.doc;
  for (const toml::table* t : {L.section(L.base, "fertility"), L.section(L.over, "fertility")})
    if (t) doc.allow(*t, "fertility", {"schedule", "schedule_age_width", "tfr", "mean_age", "srb"});
  auto [sn, skey] = L.get("fertility", "schedule");
  if (!sn) doc.fail(L.base, "fertility.schedule", "missing; expected an ASFR schedule table (age, value)");
  int width = b.z;
  if (auto [wn, wkey] = L.get("fertility", "schedule_age_width"); wn) {
    width = doc.integer(*wn, wkey, 1, 5);
    if (width != 1 && width != 5) doc.fail(wn, wkey, "expected 1 or 5");
    if (width < b.z) doc.fail(wn, wkey, "a single-year schedule on a five-year grid is not supported; give five-year rates");
  }
  // Base schedules per (zone, group); without zone/group columns one schedule serves all.
  std::vector<std::vector<double>> base(uz(b.Z * b.G));
  {
    const TableRef ref = table_ref(doc, *sn, skey, {"age", "value", "zone", "group"});
    const Rows rows = read_rows(doc, ref, {"age", "value"}, {"age", "value"});
    const bool by_zone = rows.has("zone"), by_group = rows.has("group");
    std::map<std::pair<int, int>, std::map<int, double>> got;  // (zone, group) → age → value
    for (std::size_t r = 0; r < rows.size(); ++r) {
      int zi = -1, g = -1;
      if (by_zone) {
        auto it = b.zone_index.find(rows.text(r, "zone"));
        if (it == b.zone_index.end()) doc.fail(sn, skey, rows.where(r, "zone") + ": unknown zone \"" + rows.text(r, "zone") + "\"");
        zi = it->second;
      }
      if (by_group) {
        auto it = b.group_index.find(rows.text(r, "group"));
        if (it == b.group_index.end()) doc.fail(sn, skey, rows.where(r, "group") + ": unknown group \"" + rows.text(r, "group") + "\"");
        g = it->second;
      }
      const int age = whole_number(doc, rows, r, "age", skey);
      const double v = rows.number(r, "value");
      if (!(v >= 0)) doc.fail(sn, skey, rows.where(r, "value") + ": expected a rate >= 0, got " + fmt(v));
      if (v > 0 && (age < 10 || age + width - 1 > 54))
        doc.fail(sn, skey, rows.where(r, "value") + ": births to mothers aged " + std::to_string(age) + "-" +
                               std::to_string(age + width - 1) + " (rate " + fmt(v) +
                               "); expected fertility only at ages 10-54");
      if (age % width != 0 || age < 0)
        doc.fail(sn, skey, rows.where(r, "age") + ": age " + std::to_string(age) + " is not a multiple of " + std::to_string(width));
      if (!got[{zi, g}].emplace(age, v).second) doc.fail(sn, skey, rows.where(r, "age") + ": a second row for this age");
    }
    for (const auto& [zg, by_age] : got) {
      std::vector<double> f(uz(b.A), 0.0);
      if (width == b.z) {
        for (const auto& [age, v] : by_age) {
          const int i = age / b.z;
          if (i <= 0 || i >= b.A - 1)
            doc.fail(sn, skey, "mother's age " + std::to_string(age) + " is outside the ages that bear children on the grid (" +
                                   std::to_string(b.z) + " to " + std::to_string(b.sc.grid.open_age() - 1) + ")");
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
        const std::vector<double> single = graduate_asfr_five_to_single(five);
        for (std::size_t k = 0; k < single.size(); ++k) {
          const int i = first + static_cast<int>(k);
          if (i <= 0 || i >= b.A - 1) continue;
          f[uz(i)] = single[k];
        }
      }
      for (int zi = 0; zi < b.Z; ++zi)
        for (int g = 0; g < b.G; ++g)
          if ((zg.first < 0 || zg.first == zi) && (zg.second < 0 || zg.second == g)) base[uz(zi * b.G + g)] = f;
    }
    for (int zi = 0; zi < b.Z; ++zi)
      for (int g = 0; g < b.G; ++g)
        if (base[uz(zi * b.G + g)].empty())
          doc.fail(sn, skey, "no schedule for zone " + b.sc.zones[uz(zi)].id + ", group " + b.sc.group_names[uz(g)]);
  }
  std::optional<YearPath> tfr, mac;
  if (auto [n, k] = L.get("fertility", "tfr"); n) tfr = doc.path(*n, k, 0.0, 10.0, b.base_year, b.horizon, "a TFR");
  if (auto [n, k] = L.get("fertility", "mean_age"); n) mac = doc.path(*n, k, 15.0, 45.0, b.base_year, b.horizon, "a mean age at childbearing");
  auto [srbn, srbkey] = L.get("fertility", "srb");
  if (!srbn) doc.fail(L.base, "fertility.srb", "missing; expected the sex ratio at birth (males per 100 females)");
  const YearPath srb = doc.path(*srbn, srbkey, 90.0, 130.0, b.base_year, b.horizon, "a sex ratio at birth per 100 females");

  for (int k = 0; k < b.steps; ++k) {
    StepSchedules& s = steps[uz(k)];
    const int y0 = b.step_first_year(k), y1 = b.step_last_year(k);
    s.asfr.clear();
    for (int zi = 0; zi < b.Z; ++zi)
      for (int g = 0; g < b.G; ++g) {
        std::vector<double> f = base[uz(zi * b.G + g)];
        if (mac) f = shift_schedule(f, b.z, mac->mean_over_years(y0, y1) - mean_age_at_childbearing(f, b.z));
        if (tfr) f = rescale_to_tfr(f, b.z, tfr->mean_over_years(y0, y1));
        s.asfr.insert(s.asfr.end(), f.begin(), f.end());
      }
    s.srb.assign(uz(b.Z), srb.mean_over_years(y0, y1) / 100.0);
  }
}

// ---- mortality --------------------------------------------------------------------------------------------------

// mx rows from a table of (age, value) on the grid's life-table rows: abridged for z = 5 (closed at the grid's open
// age keeping its person-years, sources.hpp close_abridged_mx), single years for z = 1 (abridged input graduated).
std::vector<double> mx_on_grid(const Build& b, const std::map<int, double>& by_age, Sex sex, const toml::node* n,
                               const std::string& key, const LifeTableMethod& method) {
  std::vector<int> ages;
  std::vector<double> mx;
  for (const auto& [a, m] : by_age) (ages.push_back(a), mx.push_back(m));
  const bool abridged = ages.size() >= 4 && ages[0] == 0 && ages[1] == 1 && ages[2] == 5;
  try {
    if (abridged) {
      for (std::size_t k = 2; k < ages.size(); ++k)
        if (ages[k] != 5 * static_cast<int>(k - 1)) b.doc.fail(n, key, "abridged mx rows must be 0, 1, 5, 10, …; missing age " + std::to_string(5 * (k - 1)));
      const int open_in = ages.back();
      if (b.z == 5) {
        if (open_in < b.sc.grid.open_age())
          b.doc.fail(n, key, "the mx rows end at " + std::to_string(open_in) + "+, below the grid's open age " + std::to_string(b.sc.grid.open_age()));
        return open_in == b.sc.grid.open_age() ? mx : close_abridged_mx(mx, sex, b.sc.grid.open_age(), method);
      }
      return graduate_abridged_mx_to_single(mx, sex, b.sc.grid.open_age(), method);
    }
    if (b.z == 5) b.doc.fail(n, key, "a five-year grid needs abridged mx rows 0, 1, 5, 10, …");
    for (std::size_t k = 0; k < ages.size(); ++k)
      if (ages[k] != static_cast<int>(k)) b.doc.fail(n, key, "single-year mx rows must be 0, 1, 2, …; missing age " + std::to_string(k));
    const int w = b.sc.grid.open_age();
    if (ages.back() < w) b.doc.fail(n, key, "the mx rows end at " + std::to_string(ages.back()) + ", below the open age " + std::to_string(w));
    if (ages.back() == w) return mx;
    // Close at w keeping the person-years above it: m(w+) = l(w) / T(w) (as close_abridged_mx).
    const LifeTable lt = single_year_life_table(mx, sex, method);
    std::vector<double> out(mx.begin(), mx.begin() + w);
    out.push_back(lt.lx[uz(w)] / lt.Tx[uz(w)]);
    return out;
  } catch (const InputError& e) {
    if (std::string(e.what()).find(b.doc.file) == 0) throw;
    b.doc.fail(n, key, e.what());
  }
}

void build_mortality(const Build& b, const Layer& L, std::vector<StepSchedules>& steps) {
  const Doc& doc = b.doc;
  for (const toml::table* t : {L.section(L.base, "mortality"), L.section(L.over, "mortality")})
    if (t) doc.allow(*t, "mortality", {"mx", "e0", "e0_gain_per_year", "lee_carter"});
  auto [mn, mkey] = L.get("mortality", "mx");
  if (!mn) doc.fail(L.base, "mortality.mx", "missing; expected a table of death rates (age, sex, value)");
  const LifeTableMethod& method = b.sc.life_table_method;
  // Distinct base schedules and, per (zone, group, sex), which one applies.
  std::vector<std::vector<double>> schedules;
  std::vector<Sex> schedule_sex;
  std::vector<std::size_t> which(uz(b.Z * b.G * 2), SIZE_MAX);
  {
    const TableRef ref = table_ref(doc, *mn, mkey, {"age", "sex", "value", "zone"});
    const Rows rows = read_rows(doc, ref, {"age", "sex", "value"}, {"age", "value"});
    const bool by_zone = rows.has("zone");
    std::map<std::pair<int, int>, std::map<int, double>> got;  // (zone or −1, sex) → age → mx
    for (std::size_t r = 0; r < rows.size(); ++r) {
      int zi = -1;
      if (by_zone) {
        auto it = b.zone_index.find(rows.text(r, "zone"));
        if (it == b.zone_index.end()) doc.fail(mn, mkey, rows.where(r, "zone") + ": unknown zone \"" + rows.text(r, "zone") + "\"");
        zi = it->second;
      }
      const int s = sex_of(doc, rows, r, mkey);
      const double v = rows.number(r, "value");
      // A central death rate above 2 per person-year is not a human population's (and usually a value per 1000).
      if (!(v >= 0 && v <= 2))
        doc.fail(mn, mkey, rows.where(r, "value") + ": expected a death rate from 0 to 2 per person-year, got " + fmt(v) +
                               (v > 2 ? " (a rate per 1000? divide by 1000)" : ""));
      if (!got[{zi, s}].emplace(whole_number(doc, rows, r, "age", mkey), v).second)
        doc.fail(mn, mkey, rows.where(r, "age") + ": a second row for this age and sex");
    }
    for (const auto& [zs, by_age] : got) {
      schedules.push_back(mx_on_grid(b, by_age, static_cast<Sex>(zs.second), mn, mkey, method));
      schedule_sex.push_back(static_cast<Sex>(zs.second));
      for (int zi = 0; zi < b.Z; ++zi)
        if (zs.first < 0 || zs.first == zi)
          for (int g = 0; g < b.G; ++g) which[uz((zi * b.G + g) * 2 + zs.second)] = schedules.size() - 1;
    }
    for (int zi = 0; zi < b.Z; ++zi)
      for (int s = 0; s < 2; ++s)
        if (which[uz(zi * b.G * 2 + s)] == SIZE_MAX)
          doc.fail(mn, mkey, "no " + std::string(sex_name(static_cast<Sex>(s))) + " mx rows for zone " + b.sc.zones[uz(zi)].id);
  }
  // e0 paths (Brass logit against the base table), or a gain per year, or Lee–Carter; at most one.
  std::optional<YearPath> e0[2];
  auto [en, ekey] = L.get("mortality", "e0");
  auto [gn, gkey] = L.get("mortality", "e0_gain_per_year");
  auto [ln, lkey] = L.get("mortality", "lee_carter");
  if ((en != nullptr) + (gn != nullptr) + (ln != nullptr) > 1)
    doc.fail(en ? en : gn, en ? ekey : gkey, "give only one of e0, e0_gain_per_year and lee_carter");
  double lc_drift = 0.0;
  if (en) {
    const toml::table& t = doc.table(*en, ekey);
    doc.allow(t, ekey, {"female", "male"});
    for (int s = 0; s < 2; ++s)
      if (const toml::node* x = t.get(sex_name(static_cast<Sex>(s))))
        e0[s] = doc.path(*x, ekey + "." + sex_name(static_cast<Sex>(s)), 15.0, 100.0, b.base_year, b.horizon, "a life expectancy");
  }
  std::optional<double> gain[2];
  if (gn) {
    const toml::table& t = doc.table(*gn, gkey);
    doc.allow(t, gkey, {"female", "male"});
    for (int s = 0; s < 2; ++s)
      if (const toml::node* x = t.get(sex_name(static_cast<Sex>(s))))
        gain[s] = doc.number(*x, gkey + "." + sex_name(static_cast<Sex>(s)), -2.0, 2.0, "years per year");
  }
  if (ln) {
    const toml::table& t = doc.table(*ln, lkey);
    doc.allow(t, lkey, {"drift"});
    if (!t.get("drift")) doc.fail(ln, lkey, "expected 'drift' (change of k per year)");
    lc_drift = doc.number(*t.get("drift"), lkey + ".drift", -50.0, 50.0);
  }
  // Per base schedule and sex, the e0 of the base table (the path's value at the base year unless given).
  std::map<std::pair<std::size_t, double>, std::vector<double>> cache;  // (schedule, target e0) → mx
  for (int k = 0; k < b.steps; ++k) {
    StepSchedules& st = steps[uz(k)];
    st.mortality_kind = MortalityInput::death_rates;
    st.mortality.clear();
    const int y0 = b.step_first_year(k), y1 = b.step_last_year(k);
    for (int zi = 0; zi < b.Z; ++zi)
      for (int g = 0; g < b.G; ++g)
        for (int s = 0; s < 2; ++s) {
          const std::size_t w = which[uz((zi * b.G + g) * 2 + s)];
          const std::vector<double>& base = schedules[w];
          std::vector<double> mx = base;
          if (e0[s] || gain[s]) {
            const double e_base = life_expectancy_at_birth(base, b.sc.grid, static_cast<Sex>(s), method);
            YearPath p;
            if (e0[s]) {
              p = *e0[s];
              if (!p.points.count(b.base_year)) p.points[b.base_year] = e_base;  // start from the base table
            } else {
              p.points[b.base_year] = e_base;
              p.points[b.horizon] = e_base + *gain[s] * (b.horizon - b.base_year);
            }
            const double target = p.mean_over_years(y0, y1);
            auto key = std::make_pair(w, target);
            auto it = cache.find(key);
            if (it == cache.end()) {
              double alpha = 0.0;
              try {
                alpha = brass_alpha_for_e0(base, b.sc.grid, static_cast<Sex>(s), target, method);
              } catch (const InputError& e) {
                doc.fail(en ? en : gn, en ? ekey : gkey, std::string(e.what()) + " (years " + std::to_string(y0) + "-" + std::to_string(y1) + ")");
              }
              it = cache.emplace(key, brass_logit_mx(base, b.sc.grid, static_cast<Sex>(s), alpha, method)).first;
            }
            mx = it->second;
          } else if (ln) {
            // k_t at the mean calendar year of the step, relative to the base year.
            const double t = 0.5 * (y0 + y1) - b.base_year;
            mx = lee_carter_mx(base, {}, lc_drift, t);
          }
          st.mortality.insert(st.mortality.end(), mx.begin(), mx.end());
        }
  }
}

// ---- migration, relocation, transitions ----------------------------------------------------------------------------

struct Dynamic {
  struct Reloc {
    Relocation r;
    std::vector<double> profile;  // [sex][age]; empty: by the origin's start population
  };
  struct Quota {
    int from = 0, to = 0, from_age = 0, to_age = -1;
    double per_year = 0;
    int first_year = 0, last_year = 0;
  };
  struct Gravity {
    int group = -1;
    std::vector<double> out_rate;   // [zone]
    std::vector<double> distance;   // [o][d]
    double beta = 1.0, gamma = 2.0;
  };
  std::vector<Reloc> relocations;
  std::vector<Quota> quotas;
  std::optional<Gravity> gravity;
  std::vector<OdFlow> od_static;
  std::vector<double> od_profile;
  bool any() const { return !relocations.empty() || !quotas.empty() || gravity; }
};

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

void build_migration(const Build& b, const Layer& L, std::vector<StepSchedules>& steps, Dynamic& dyn) {
  const Doc& doc = b.doc;
  const CohortLayout layout = b.sc.base_population.layout();
  for (const toml::table* t : {L.section(L.base, "migration"), L.section(L.over, "migration")})
    if (t) doc.allow(*t, "migration", {"flows", "od", "gravity", "od_profile"});
  for (auto& s : steps) {
    s.net_migrants.clear();
    s.external_in.clear();
    s.external_out.clear();
    s.external_out_rate.clear();
  }
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
      int first = b.base_year + 1, last = b.horizon;
      if (const toml::node* yn = t.get("years")) {
        const toml::array& ya = doc.array(*yn, key + ".years");
        if (ya.size() != 2) doc.fail(yn, key + ".years", "expected [first, last]");
        first = doc.integer(*ya.get(0), key + ".years", b.base_year + 1, b.horizon, "a year in the horizon");
        last = doc.integer(*ya.get(1), key + ".years", first, b.horizon, "a year in the horizon");
      }
      if (kind == "out_rate") {
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
      // Persons per year per zone: a total allocated over zones, or given per zone.
      std::vector<double> per_zone(uz(b.Z), 0.0);
      const double lo = kind == "net" ? -1e9 : 0.0;
      if (const toml::node* tn = t.get("total_per_year")) {
        const double total = doc.number(*tn, key + ".total_per_year", lo, 1e9, "persons per year");
        const std::vector<double> w = allocate(b, t, key, group);
        for (int zi = 0; zi < b.Z; ++zi) per_zone[uz(zi)] = total * w[uz(zi)];
        if (t.get("zones")) doc.fail(t.get("zones"), key + ".zones", "give either total_per_year or zones");
      } else if (const toml::node* zn = t.get("zones")) {
        if (zn->is_table() && !zn->as_table()->get("path")) {
          for (auto&& [k, v] : *zn->as_table()) {
            auto it = b.zone_index.find(std::string(k.str()));
            if (it == b.zone_index.end()) doc.fail(k.source(), key + ".zones." + std::string(k.str()), "expected a zone id of the geography");
            per_zone[uz(it->second)] = doc.number(v, key + ".zones." + std::string(k.str()), lo, 1e9, "persons per year");
          }
        } else {
          const TableRef ref = table_ref(doc, *zn, key + ".zones", {"zone", "persons_per_year"});
          const Rows rows = read_rows(doc, ref, {"zone", "persons_per_year"}, {"persons_per_year"});
          for (std::size_t r = 0; r < rows.size(); ++r) {
            auto it = b.zone_index.find(rows.text(r, "zone"));
            if (it == b.zone_index.end()) doc.fail(zn, key + ".zones", rows.where(r, "zone") + ": unknown zone");
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
  if (auto [pn, pkey] = L.get("migration", "od_profile"); pn) {
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
  if (auto [on, okey] = L.get("migration", "od"); on) {
    const toml::table& t = doc.table(*on, okey);
    doc.allow(t, okey, {"rates"});
    if (!t.get("rates")) doc.fail(on, okey + ".rates", "missing; expected a table origin, destination, rate");
    const TableRef ref = table_ref(doc, *t.get("rates"), okey + ".rates", {"origin", "destination", "rate", "group"});
    const Rows rows = read_rows(doc, ref, {"origin", "destination", "rate"}, {"rate"});
    for (std::size_t r = 0; r < rows.size(); ++r) {
      auto o = b.zone_index.find(rows.text(r, "origin")), d = b.zone_index.find(rows.text(r, "destination"));
      if (o == b.zone_index.end() || d == b.zone_index.end())
        doc.fail(t.get("rates"), okey + ".rates", rows.where(r, "origin") + ": unknown origin or destination zone");
      int g = -1;
      if (rows.has("group") && !rows.text(r, "group").empty()) {
        auto gi = b.group_index.find(rows.text(r, "group"));
        if (gi == b.group_index.end()) doc.fail(t.get("rates"), okey + ".rates", rows.where(r, "group") + ": unknown group");
        g = gi->second;
      }
      const double rate = rows.number(r, "rate");
      if (!(rate >= 0 && rate <= 1)) doc.fail(t.get("rates"), okey + ".rates", rows.where(r, "rate") + ": expected a rate from 0 to 1, got " + fmt(rate));
      if (o->second == d->second) doc.fail(t.get("rates"), okey + ".rates", rows.where(r, "destination") + ": origin and destination are the same zone");
      dyn.od_static.push_back({o->second, d->second, g, rate});
      // Rates out of one origin (and group) cannot exceed one mover per person per year.
      double out = 0.0;
      for (const auto& f : dyn.od_static)
        if (f.origin == o->second && (f.group == g || f.group < 0 || g < 0)) out += f.rate_per_year;
      if (out > 1.0)
        doc.fail(t.get("rates"), okey + ".rates", rows.where(r, "rate") + ": the rates out of zone " +
                                                      b.sc.zones[uz(o->second)].id + " now sum to " + fmt(out) +
                                                      " per person per year; expected at most 1");
    }
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
      const Rows rows = read_rows(doc, ref, {"zone", "x", "y"}, {"x", "y"});
      std::vector<double> x(uz(b.Z), kNaN), y(uz(b.Z), kNaN);
      for (std::size_t r = 0; r < rows.size(); ++r)
        if (auto it = b.zone_index.find(rows.text(r, "zone")); it != b.zone_index.end())
          (x[uz(it->second)] = rows.number(r, "x"), y[uz(it->second)] = rows.number(r, "y"));
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
    r.r.name = t.get("name") ? doc.string(*t.get("name"), key + ".name") : "relocation " + std::to_string(k + 1);
    r.r.from = b.zone(*t.get("from"), key + ".from");
    r.r.to = b.zone(*t.get("to"), key + ".to");
    if (r.r.from == r.r.to) doc.fail(t.get("to"), key + ".to", "the same zone as 'from'");
    r.r.group = t.get("group") ? b.group(*t.get("group"), key + ".group") : 0;
    r.r.persons_per_year = doc.number(*t.get("persons_per_year"), key + ".persons_per_year", 0, 1e8, "persons per year");
    const toml::array& ya = doc.array(*t.get("years"), key + ".years");
    if (ya.size() != 2) doc.fail(t.get("years"), key + ".years", "expected [first, last]");
    r.r.first_year = doc.integer(*ya.get(0), key + ".years", b.base_year + 1, b.horizon, "a year in the horizon");
    r.r.last_year = doc.integer(*ya.get(1), key + ".years", r.r.first_year, b.horizon, "a year in the horizon");
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
      doc.allow(t, key, {"from", "to", "rate", "quota_per_year", "ages", "years"});
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
      int first = b.base_year + 1, last = b.horizon;
      if (const toml::node* yn = t.get("years")) {
        const toml::array& ya = doc.array(*yn, key + ".years");
        if (ya.size() != 2) doc.fail(yn, key + ".years", "expected [first, last]");
        first = doc.integer(*ya.get(0), key + ".years", b.base_year + 1, b.horizon, "a year in the horizon");
        last = doc.integer(*ya.get(1), key + ".years", first, b.horizon, "a year in the horizon");
      }
      if ((t.get("rate") != nullptr) == (t.get("quota_per_year") != nullptr))
        doc.fail(&t, key, "expected exactly one of 'rate' and 'quota_per_year'");
      if (t.get("quota_per_year")) {
        dyn.quotas.push_back({from, to, from_age, to_age, doc.number(*t.get("quota_per_year"), key + ".quota_per_year", 0, 1e8, "persons per year"), first, last});
        continue;
      }
      const double rate = doc.number(*t.get("rate"), key + ".rate", 0.0, 1.0, "a rate per person per year");
      for (int s = 0; s < b.steps; ++s) {
        const double share = static_cast<double>(years_in_step(first, last, b.step_first_year(s), b.step_last_year(s))) / b.z;
        if (share == 0.0) continue;
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
    for (std::size_t k = 0; k < a.size(); ++k) {
      const std::string key = nkey + "[" + std::to_string(k) + "]";
      const toml::table& t = doc.table(*a.get(k), key);
      doc.allow(t, key, {"mother_group", "child_group", "share"});
      if (!t.get("mother_group") || !t.get("child_group") || !t.get("share"))
        doc.fail(&t, key, "expected mother_group, child_group and share");
      NewbornRule r{b.group(*t.get("mother_group"), key + ".mother_group"), b.group(*t.get("child_group"), key + ".child_group"),
                    doc.number(*t.get("share"), key + ".share", 0, 1, "a share"), {}};
      for (auto& s : steps) s.newborn_rules.push_back(r);
    }
  }
}

// The population-dependent part of each step (Scenario::adjust_schedules).
std::function<void(const StepContext&, const CohortArray&, StepSchedules&)> make_adjuster(const Build& b, Dynamic dyn) {
  if (!dyn.any() && dyn.od_static.empty()) return {};
  const int Z = b.Z, G = b.G, A = b.A, z = b.z;
  const AgeGrid grid = b.sc.grid;
  auto d = std::make_shared<const Dynamic>(std::move(dyn));
  return [d, Z, G, A, z, grid](const StepContext& ctx, const CohortArray& start, StepSchedules& s) {
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
          // A programme may move at most half of a cell in one step, so the engine never scales the out-flow and
          // the persons leaving `from` are exactly those arriving in `to` (books exact). More is a planning error,
          // reported rather than silently cut.
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
    std::vector<OdFlow> flows = d->od_static;
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
    if (!flows.empty()) s.od = std::make_shared<const OdMigration>(std::move(flows), d->od_profile, Z, G, A);
  };
}

// Deep equality of two TOML nodes (for variants that set only baseline values).
bool same(const toml::node& a, const toml::node& b) {
  if (a.type() != b.type()) {
    if (a.is_number() && b.is_number()) return a.value<double>() == b.value<double>();
    return false;
  }
  if (a.is_table()) {
    const toml::table &x = *a.as_table(), &y = *b.as_table();
    if (x.size() != y.size()) return false;
    for (auto&& [k, v] : x) {
      const toml::node* w = y.get(k.str());
      if (!w || !same(v, *w)) return false;
    }
    return true;
  }
  if (a.is_array()) {
    const toml::array &x = *a.as_array(), &y = *b.as_array();
    if (x.size() != y.size()) return false;
    for (std::size_t i = 0; i < x.size(); ++i)
      if (!same(*x.get(i), *y.get(i))) return false;
    return true;
  }
  if (a.is_string()) return a.as_string()->get() == b.as_string()->get();
  if (a.is_integer()) return a.as_integer()->get() == b.as_integer()->get();
  if (a.is_floating_point()) return a.as_floating_point()->get() == b.as_floating_point()->get();
  if (a.is_boolean()) return a.as_boolean()->get() == b.as_boolean()->get();
  return false;
}

void build_assumptions(const Build& b, const Layer& L, std::vector<Relocation>& relocations) {
  std::vector<StepSchedules> steps(uz(b.steps));
  Dynamic dyn;
  build_fertility(b, L, steps);
  build_mortality(b, L, steps);
  build_migration(b, L, steps, dyn);
  build_relocations(b, L, dyn, relocations);
  build_transitions(b, L, steps, dyn);
  b.sc.schedules = std::move(steps);
  b.sc.adjust_schedules = make_adjuster(b, std::move(dyn));
}

void read_plan(const Doc& doc, const toml::table& root, Scenario& sc) {
  const toml::node* pn = root.get("plan_periods");
  if (!pn) return;
  for (auto&& [k, v] : doc.table(*pn, "plan_periods")) {
    const std::string key = "plan_periods." + std::string(k.str());
    const std::string label(k.str());
    int a = 0, c = 0;
    const auto dash = label.find('-');
    try {
      a = std::stoi(label.substr(0, dash));
      c = dash == std::string::npos ? a : std::stoi(label.substr(dash + 1));
    } catch (const std::exception&) {
      doc.fail(k.source(), key, "expected a period such as \"2021-2025\" as the key");
    }
    PlanPeriod p{a, c, doc.string(v, key)};
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
    tg.name = t.get("name") ? doc.string(*t.get("name"), key + ".name") : tg.indicator;
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
      if (!known) doc.fail(t.get("indicator"), key + ".indicator", "expected an indicator of indicators.csv (e.g. population, share_65_plus_percent, srb_per_100_females), got \"" + tg.indicator + "\"");
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
    if (t.get("variants")) tg.variants = doc.strings(*t.get("variants"), key + ".variants");
    set.targets.push_back(tg);
  }
}

void read_services(const Doc& doc, const toml::table& root, const Build& b, ScenarioSet& set) {
  const toml::node* sn = root.get("services");
  if (!sn) return;
  const toml::array& a = doc.array(*sn, "services");
  for (std::size_t k = 0; k < a.size(); ++k) {
    const std::string key = "services[" + std::to_string(k) + "]";
    const toml::table& t = doc.table(*a.get(k), key);
    doc.allow(t, key, {"name", "ages", "births", "per_person", "per_1000", "enrolment", "capacity"});
    ServiceNorm s;
    if (!t.get("name")) doc.fail(&t, key + ".name", "missing");
    s.name = doc.string(*t.get("name"), key + ".name");
    s.per_births = t.get("births") && doc.boolean(*t.get("births"), key + ".births");
    if (s.per_births == (t.get("ages") != nullptr)) doc.fail(&t, key, "expected either 'ages' = [from, to] or births = true");
    if (t.get("ages")) {
      const toml::array& ag = doc.array(*t.get("ages"), key + ".ages");
      if (ag.size() < 1 || ag.size() > 2) doc.fail(t.get("ages"), key + ".ages", "expected [from, to] or [from] (open-ended)");
      s.from_age = doc.integer(*ag.get(0), key + ".ages", 0, 130, "an age");
      s.to_age = ag.size() == 2 ? doc.integer(*ag.get(1), key + ".ages", s.from_age, 130, "an age") : -1;
    }
    if ((t.get("per_person") != nullptr) == (t.get("per_1000") != nullptr)) doc.fail(&t, key, "expected exactly one of per_person and per_1000");
    s.per_person = t.get("per_person") ? doc.number(*t.get("per_person"), key + ".per_person", 0, 100)
                                       : doc.number(*t.get("per_1000"), key + ".per_1000", 0, 100000) / 1000.0;
    if (t.get("enrolment")) s.per_person *= doc.number(*t.get("enrolment"), key + ".enrolment", 0, 1.5, "an enrolment ratio");
    if (const toml::node* cn = t.get("capacity")) {
      const std::string ckey = key + ".capacity";
      if (cn->is_number()) {
        s.total_capacity = doc.number(*cn, ckey, 0, 1e10, "places");
      } else if (cn->is_table() && !cn->as_table()->get("path")) {
        s.capacity.assign(uz(b.Z), kNaN);
        for (auto&& [kk, v] : *cn->as_table()) {
          auto it = b.zone_index.find(std::string(kk.str()));
          if (it == b.zone_index.end()) doc.fail(kk.source(), ckey + "." + std::string(kk.str()), "expected a zone id of the geography");
          s.capacity[uz(it->second)] = doc.number(v, ckey + "." + std::string(kk.str()), 0, 1e10, "places");
        }
      } else {
        const TableRef ref = table_ref(doc, *cn, ckey, {"zone", "capacity"});
        const Rows rows = read_rows(doc, ref, {"zone", "capacity"}, {"capacity"});
        s.capacity.assign(uz(b.Z), kNaN);
        for (std::size_t r = 0; r < rows.size(); ++r) {
          auto it = b.zone_index.find(rows.text(r, "zone"));
          if (it == b.zone_index.end()) doc.fail(cn, ckey, rows.where(r, "zone") + ": unknown zone");
          s.capacity[uz(it->second)] = rows.number(r, "capacity");
        }
      }
    }
    set.services.push_back(s);
  }
}

}  // namespace

ScenarioSet load_scenario_file(const std::string& path, const std::string& data_dir, const geodata::ReadPolicy& allowed) {
  ScenarioSet set;
  set.file = path;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) throw InputError(path + ": scenario file not found");
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    const auto& s = e.source();
    throw InputError(path + ":" + std::to_string(s.begin.line) + ":" + std::to_string(s.begin.column) +
                     ": TOML syntax error: " + std::string(e.description()));
  }
  std::vector<InputFile> inputs;
  Doc doc{path, fs::path(path).parent_path().string(), data_dir, &inputs, {}};
  if (doc.dir.empty()) doc.dir = ".";
  doc.grant(allowed);
  doc.allow(root, "", {"scenario", "geography", "projection", "base_population", "fertility", "mortality", "migration",
                       "relocation", "transitions", "newborn", "plan_periods", "targets", "services", "variants", "outputs"});
  Scenario base;
  base.name = fs::path(path).stem().string();
  if (const toml::node* sn = root.get("scenario")) {
    const toml::table& s = doc.table(*sn, "scenario");
    doc.allow(s, "scenario", {"name", "title", "assumptions", "language"});
    if (s.get("name")) base.name = doc.string(*s.get("name"), "scenario.name");
    if (s.get("title")) base.title = doc.string(*s.get("title"), "scenario.title");
    if (s.get("assumptions")) base.assumptions = doc.strings(*s.get("assumptions"), "scenario.assumptions");
    if (const toml::node* l = s.get("language")) {
      base.language = doc.string(*l, "scenario.language");
      if (base.language == "zh-CN") base.language = "zh";
      if (base.language != "zh" && base.language != "en")
        doc.fail(l, "scenario.language", "expected \"zh\" (or \"zh-CN\") or \"en\", got \"" + base.language + "\"");
    }
  }
  std::shared_ptr<const std::vector<geodata::XY>> centroids_lonlat;
  read_geography(doc, root, base, set, centroids_lonlat);
  read_projection(doc, root, base);
  Build b(doc, base);
  b.centroids_lonlat = centroids_lonlat;
  b.Z = static_cast<int>(base.zones.size());
  b.G = static_cast<int>(base.group_names.size());
  b.A = base.grid.n_ages;
  b.rows = base.grid.life_table_rows();
  b.z = base.grid.width_years;
  b.steps = base.steps;
  b.base_year = base.base_year;
  b.horizon = base.end_year();
  for (int i = 0; i < b.Z; ++i) b.zone_index[base.zones[uz(i)].id] = i;
  for (int i = 0; i < b.G; ++i) b.group_index[base.group_names[uz(i)]] = i;
  read_base_population(doc, root, b);
  read_plan(doc, root, base);
  if (const toml::node* on = root.get("outputs")) {
    const toml::table& o = doc.table(*on, "outputs");
    doc.allow(o, "outputs", {"population", "components"});
    if (o.get("population")) set.outputs.population = doc.boolean(*o.get("population"), "outputs.population");
    if (o.get("components")) set.outputs.components = doc.boolean(*o.get("components"), "outputs.components");
  }
  read_targets(doc, root, base, set);
  read_services(doc, root, b, set);

  // The baseline, then every variant built from the same file with its overrides on top.
  std::vector<const toml::table*> variant_tables;
  std::vector<std::string> variant_names, variant_desc;
  if (const toml::node* vn = root.get("variants")) {
    const toml::array& a = doc.array(*vn, "variants");
    for (std::size_t k = 0; k < a.size(); ++k) {
      const std::string key = "variants[" + std::to_string(k) + "]";
      const toml::table& t = doc.table(*a.get(k), key);
      doc.allow(t, key, {"name", "description", "fertility", "mortality", "migration", "relocation", "transitions", "newborn"});
      if (!t.get("name")) doc.fail(&t, key + ".name", "missing");
      const std::string name = doc.string(*t.get("name"), key + ".name");
      if (name == "baseline" || name.empty() || std::find(variant_names.begin(), variant_names.end(), name) != variant_names.end())
        doc.fail(t.get("name"), key + ".name", "\"" + name + "\" is empty, 'baseline' or the name of another variant");
      // A variant must change something: at least one key that differs from the baseline.
      bool changes = false;
      for (std::string_view sec : kTableSections)
        if (const toml::node* n = t.get(sec)) {
          const toml::table& over = doc.table(*n, key + "." + std::string(sec));
          const toml::node* bsec = root.get(sec);
          for (auto&& [kk, v] : over) {
            const toml::node* bv = bsec && bsec->is_table() ? bsec->as_table()->get(kk.str()) : nullptr;
            if (!bv || !same(v, *bv)) changes = true;
          }
        }
      for (std::string_view sec : kArraySections)
        if (const toml::node* n = t.get(sec)) {
          (void)doc.array(*n, key + "." + std::string(sec));
          const toml::node* bv = root.get(sec);
          if (!bv || !same(*n, *bv)) changes = true;
        }
      if (!changes)
        doc.fail(&t, key, "variant \"" + name + "\" overrides nothing; expected fertility, mortality, migration, "
                          "relocation, transitions or newborn settings that differ from the baseline");
      variant_tables.push_back(&t);
      variant_names.push_back(name);
      variant_desc.push_back(t.get("description") ? doc.string(*t.get("description"), key + ".description") : "");
    }
  }
  for (const Target& tg : set.targets)
    for (const auto& v : tg.variants)
      if (v != "baseline" && std::find(variant_names.begin(), variant_names.end(), v) == variant_names.end())
        throw InputError(tg.where + ": key 'targets.variants': unknown variant \"" + v + "\"");

  const std::size_t runs = 1 + variant_tables.size();
  set.relocations.resize(runs);
  for (std::size_t r = 0; r < runs; ++r) {
    Scenario sc = base;  // zones, groups, grid, base population, plan periods
    Build bb(doc, sc);
    bb.Z = b.Z; bb.G = b.G; bb.A = b.A; bb.rows = b.rows; bb.z = b.z; bb.steps = b.steps;
    bb.base_year = b.base_year; bb.horizon = b.horizon; bb.zone_index = b.zone_index; bb.group_index = b.group_index;
    bb.centroids_lonlat = b.centroids_lonlat;
    Layer L{&root, r == 0 ? nullptr : variant_tables[r - 1], r == 0 ? "" : "variants[" + std::to_string(r - 1) + "]"};
    build_assumptions(bb, L, set.relocations[r]);
    if (r > 0) {
      sc.variant = variant_names[r - 1];
      if (!variant_desc[r - 1].empty()) sc.assumptions.push_back("Variant " + sc.variant + ": " + variant_desc[r - 1]);
    }
    set.runs.push_back(std::move(sc));
  }
  inputs.insert(inputs.begin(), InputFile{"scenario file", path, fs::path(path).filename().string()});
  for (auto& sc : set.runs) {
    sc.inputs = inputs;
    sc.validate();
  }
  return set;
}

}  // namespace cohortgis::scenarios
