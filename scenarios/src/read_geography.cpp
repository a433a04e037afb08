// SPDX-License-Identifier: Apache-2.0
// [geography] and [projection] of a scenario file.
#include "scenario_build.hpp"
#include "text_limits.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <unordered_map>

#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/geodata/join.hpp"
#include "cohortgis/geodata/measures.hpp"
#include "cohortgis/geodata/read_policy.hpp"
#include "cohortgis/geodata/text_encoding.hpp"

namespace cohortgis::scenarios::detail {

// ---- geography and projection ----------------------------------------------------------------------------------

// [geography.source]: zones from any GDAL vector source, opened read-only by geodata::load_zones.
geodata::Zones read_zone_source(const Doc& doc, const toml::node& sn, ScenarioSet& set) {
  const toml::table& t = doc.table(sn, "geography.source");
  doc.allow(t, "geography.source",
            {"path", "layer", "id_field", "name_field", "parent_field", "make_valid", "encoding", "crs"});
  geodata::ZoneSource& src = set.zones_source;
  if (!t.get("path")) doc.fail(&sn, "geography.source.path", "missing; expected the zones file (GeoPackage, Shapefile, …)");
  const TableRef ref = table_ref(doc, *t.get("path"), "geography.source.path", {});
  src.path = ref.path;
  if (const toml::node* e = t.get("encoding")) {
    src.encoding = doc.string(*e, "geography.source.encoding");
    try {
      geodata::check_encoding(src.encoding, "");
    } catch (const InputError& err) {
      doc.fail(e, "geography.source.encoding", err.what());
    }
  }
  // An input of the run (manifest.json, `validate --results`), with a Shapefile's sidecars (.dbf, .shx, .prj, .cpg),
  // which hold its fields and CRS; a database source is listed by its service name.
  record_file(doc, "geography.source", ref);
  if (!t.get("id_field")) doc.fail(&sn, "geography.source.id_field", "missing; expected the field holding the zone ids");
  src.id_field = doc.string(*t.get("id_field"), "geography.source.id_field");
  if (const toml::node* l = t.get("layer")) src.layer = doc.string(*l, "geography.source.layer");
  if (const toml::node* f = t.get("name_field")) src.name_field = doc.string(*f, "geography.source.name_field");
  if (const toml::node* f = t.get("parent_field")) src.parent_field = doc.string(*f, "geography.source.parent_field");
  if (const toml::node* f = t.get("crs")) src.assume_crs = doc.string(*f, "geography.source.crs");
  if (const toml::node* f = t.get("make_valid")) src.make_valid = doc.boolean(*f, "geography.source.make_valid");
  set.zones_source_path = src.path;
  set.zones_source_layer = src.layer;
  try {
    return geodata::load_zones(src);
  } catch (const geodata::DeclaredEncodingError& e) {
    doc.fail(t.get("encoding"), "geography.source.encoding", e.what());  // the key the user wrote
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
    sc.zones.reserve(source_zones->size());
    for (std::size_t i = 0; i < source_zones->size(); ++i)
      sc.zones.push_back({source_zones->id(i), source_zones->names()[i], "", ""});
  } else if (zn->is_array()) {
    const toml::array& a = *zn->as_array();
    for (std::size_t i = 0; i < a.size(); ++i) {
      const std::string key = "geography.zones[" + std::to_string(i) + "]";
      const toml::table& t = doc.table(*a.get(i), key);
      doc.allow(t, key, {"id", "name", "name_en", "parent"});
      if (!t.get("id")) doc.fail(&t, key, "expected an 'id'");
      Zone zone{bounded_text(doc, *t.get("id"), key + ".id", kMaxNameChars), "", "", ""};
      if (t.get("parent")) zone.parent = bounded_text(doc, *t.get("parent"), key + ".parent", kMaxNameChars);
      if (t.get("name")) zone.name = bounded_text(doc, *t.get("name"), key + ".name", kMaxNameChars);
      if (t.get("name_en")) zone.name_en = bounded_text(doc, *t.get("name_en"), key + ".name_en", kMaxNameChars);
      sc.zones.push_back(zone);
    }
  } else {
    const TableRef ref = table_ref(doc, *zn, "geography.zones", {"id", "name", "name_en", "parent"});
    refuse_unit_and_per(doc, ref, "zone ids and names");
    refuse_between(doc, ref);
    // Row by row: a table of 50,000 zones is not held as text cells next to the zones built from it.
    stream_rows(doc, ref, {"id"}, {}, [&](const Rows& rows) {
      // Names of at most 200 characters, with the file, row and column of a longer one.
      const auto name = [&](const char* column) {
        return rows.has(column) ? bounded_name_cell(doc, zn, "geography.zones", rows, 0, column) : std::string();
      };
      sc.zones.push_back({name("id"), name("name"), name("name_en"), name("parent")});
    });
  }
  if (sc.zones.empty()) doc.fail(zn, "geography.zones", "expected at least one zone");
  // Grown row by row: up to twice its size for the whole run otherwise (8.4 MB for 6.4 MB of zones at 50,000).
  sc.zones.shrink_to_fit();
  const toml::node* zones_node = zn ? zn : g.get("source");
  std::set<std::string> ids;
  for (const auto& z : sc.zones)
    if (!ids.insert(z.id).second) doc.fail(zones_node, "geography.zones", "zone id \"" + z.id + "\" appears twice");
  if (const std::string twins = zone_id_twins(sc.zones); !twins.empty()) doc.fail(zones_node, "geography.zones", twins);
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
      for (std::size_t i = 0; i < v.size() && i < 20; ++i) out += (i ? ", " : "") + geodata::escape_cell(v[i]);
      return v.size() > 20 ? out + ", … (" + std::to_string(v.size()) + " in all)" : out;
    };
    // "01001" against 1001: an id field of numbers (a DBF's N field, a FIPS code saved as an integer) loses the
    // leading zeros that the tables keep.
    std::string zeros;
    const std::set<std::string> unmatched(no_data.begin(), no_data.end());
    for (const auto& id : no_shape) {
      const std::size_t nz = id.find_first_not_of('0');
      if (nz == 0 || nz == std::string::npos || !unmatched.count(id.substr(nz))) continue;
      zeros = "; the source's id '" + geodata::escape_cell(id.substr(nz)) + "' is zone '" + geodata::escape_cell(id) +
              "' without its leading zeros: the id field '" + set.zones_source.id_field +
              "' holds numbers; store the ids as text in the source";
      break;
    }
    if (!no_shape.empty() || !no_data.empty())
      doc.fail(g.get("source"), "geography.source",
               source_zones->source() + ": " +
                   (no_shape.empty() ? std::string() : "zones without a shape in the source: " + list(no_shape)) +
                   (no_shape.empty() || no_data.empty() ? "" : "; ") +
                   (no_data.empty() ? std::string() : "shapes without a zone in geography.zones: " + list(no_data)) +
                   zeros);
    const geodata::ZoneMeasures m = geodata::measure_zones(*source_zones);
    auto c = std::make_shared<std::vector<geodata::XY>>();
    for (const auto& z : sc.zones) c->push_back(m.centroid_lonlat[*source_zones->find(z.id)]);
    centroids_lonlat = std::move(c);
    if (!set.zones_source.parent_field.empty()) {  // the parents of the source, unless the zone list gives them
      geodata::ZoneHierarchy h;
      try {
        h = geodata::hierarchy_from_parents(*source_zones);
      } catch (const InputError& e) {
        doc.fail(g.get("source"), "geography.source.parent_field", e.what());
      }
      for (auto& z : sc.zones)
        if (z.parent.empty()) z.parent = h.parent_ids[h.parent_of_zone[*source_zones->find(z.id)]];
    }
  }
  if (const toml::node* an = g.get("aggregates")) {
    const toml::array& a = doc.array(*an, "geography.aggregates");
    // Zone ids by hash and the aggregate each zone was last listed in: linear searches were quadratic in a large
    // aggregate's size.
    std::unordered_map<std::string, int> zone_index;
    zone_index.reserve(sc.zones.size());
    for (std::size_t z = 0; z < sc.zones.size(); ++z) zone_index.emplace(sc.zones[z].id, static_cast<int>(z));
    std::vector<std::size_t> listed_in(sc.zones.size(), a.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
      const std::string key = "geography.aggregates[" + std::to_string(i) + "]";
      const toml::table& t = doc.table(*a.get(i), key);
      doc.allow(t, key, {"name", "zones", "title", "title_en"});
      if (!t.get("name") || !t.get("zones")) doc.fail(&t, key, "expected 'name' and 'zones'");
      ZoneAggregate agg{bounded_text(doc, *t.get("name"), key + ".name", kMaxNameChars), {}};
      // The aggregate as reports and figures name it (as a variant's title / title_en): a name is an identifier.
      std::pair<std::string, std::string> titles;
      if (const toml::node* tn = t.get("title")) titles.first = bounded_text(doc, *tn, key + ".title", kMaxTitleChars);
      if (const toml::node* tn = t.get("title_en"))
        titles.second = bounded_text(doc, *tn, key + ".title_en", kMaxTitleChars);
      if (!titles.first.empty() || !titles.second.empty()) sc.aggregate_titles[agg.name] = titles;
      if (agg.name == "total" || ids.count(agg.name))
        doc.fail(t.get("name"), key + ".name", "\"" + agg.name + "\" is already a zone id or the whole area 'total'");
      const toml::array& zs = doc.array(*t.get("zones"), key + ".zones");
      // Scenario::validate refuses it too, but naming neither the file nor the key.
      if (zs.empty()) doc.fail(&zs, key + ".zones", "an empty list; expected at least one zone id");
      for (std::size_t k = 0; k < zs.size(); ++k) {
        const std::string id = doc.string(*zs.get(k), key + ".zones");
        const auto it = zone_index.find(id);
        if (it == zone_index.end())
          doc.fail(zs.get(k), key + ".zones", "expected a zone id of the geography, got \"" + id + "\"");
        const int zi = it->second;
        // A zone listed twice would be counted twice in every indicator of the aggregate.
        if (listed_in[uz(zi)] == i)
          doc.fail(zs.get(k), key + ".zones", "zone \"" + id + "\" is listed twice; expected each zone once");
        listed_in[uz(zi)] = i;
        agg.zones.push_back(zi);
      }
      sc.aggregates.push_back(agg);
    }
  }
}

void read_projection(const Doc& doc, const toml::table& root, Scenario& sc) {
  const toml::node* pn = root.get("projection");
  if (!pn) doc.fail(&root, "projection", "missing; expected [projection] with base_year, horizon and step");
  const toml::table& p = doc.table(*pn, "projection");
  doc.allow(p, "projection", {"base_year", "horizon", "step", "open_age", "groups", "migration_timing", "flow_policy",
                              "method", "multistate_open_age"});
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
      if (const std::size_t chars = utf8_chars(name); chars > kMaxNameChars)
        doc.fail(g, "projection.groups", "group " + quote_cell(name) + ": " + std::to_string(chars) +
                                             " characters; expected at most " + std::to_string(kMaxNameChars));
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
  read_projection_method(doc, p, sc);  // read_multistate.cpp
}

}  // namespace cohortgis::scenarios::detail
