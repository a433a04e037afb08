// SPDX-License-Identifier: Apache-2.0
// Tables joined to zones by id; parent units; dissolved parent geometries (GEOS cascaded union through OGR).
#include "cohortgis/geodata/join.hpp"

#include <algorithm>
#include <unordered_map>

#include "gdal_support.hpp"

namespace cohortgis::geodata {

namespace {

std::string listed(const std::vector<std::string>& items, std::size_t max_items = 20) {
  std::string s;
  const std::size_t n = std::min(items.size(), max_items);
  for (std::size_t k = 0; k < n; ++k) s += (k ? "; " : "") + items[k];
  if (items.size() > n) s += "; … and " + std::to_string(items.size() - n) + " more";
  return s;
}

std::unordered_map<std::string, std::size_t> id_index(const Zones& zones) {
  std::unordered_map<std::string, std::size_t> m;
  for (std::size_t i = 0; i < zones.size(); ++i) m.emplace(zones.id(i), i);
  return m;
}

}  // namespace

ZoneJoin join_by_id(const Zones& zones, const Table& table, const std::string& id_column, const JoinOptions& o) {
  const std::size_t col = table.column(id_column);
  const auto index = id_index(zones);
  ZoneJoin j;
  j.rows_of_zone.resize(zones.size());
  j.zone_of_row.resize(table.size());
  std::vector<std::string> unknown, repeated;
  for (std::size_t r = 0; r < table.size(); ++r) {
    const std::string id = trim(table.text(r, col));
    const auto it = index.find(id);
    if (it == index.end()) {
      unknown.push_back(table.where(r, col) + ": '" + id + "'");
      continue;
    }
    j.zone_of_row[r] = it->second;
    j.rows_of_zone[it->second].push_back(r);
  }
  std::vector<std::string> without;
  for (std::size_t z = 0; z < zones.size(); ++z) {
    if (j.rows_of_zone[z].empty()) without.push_back(zones.id(z));
    if (!o.many_rows_per_zone && j.rows_of_zone[z].size() > 1) {
      std::string rows;
      for (std::size_t r : j.rows_of_zone[z]) rows += (rows.empty() ? "" : ", ") + std::to_string(r + 1);
      repeated.push_back("'" + zones.id(z) + "' in data rows " + rows);
    }
  }
  std::vector<std::string> problems;
  if (!unknown.empty())
    problems.push_back(std::to_string(unknown.size()) + " row(s) name no zone of " + zones.source() + ": " +
                       listed(unknown));
  if (!without.empty() && !o.missing_zone_is_empty)
    problems.push_back(std::to_string(without.size()) + " zone(s) have no row: " + quoted_list(without));
  if (!repeated.empty())
    problems.push_back("zone(s) with more than one row (one expected): " + listed(repeated));
  if (!problems.empty()) {
    std::string msg = table.path + ", layer '" + table.layer + "', joined on '" + id_column + "': ";
    for (std::size_t k = 0; k < problems.size(); ++k) msg += (k ? " | " : "") + problems[k];
    throw InputError(msg);
  }
  if (o.missing_zone_is_empty) j.zones_without_rows = std::move(without);
  return j;
}

namespace {

ZoneHierarchy build(const Zones& zones, const std::vector<std::string>& parent_of, const std::string& where) {
  std::vector<std::string> orphans;
  for (std::size_t i = 0; i < zones.size(); ++i)
    if (parent_of[i].empty()) orphans.push_back(zones.id(i));
  if (!orphans.empty())
    throw InputError(where + ": " + std::to_string(orphans.size()) + " zone(s) have no parent: " +
                     quoted_list(orphans));
  ZoneHierarchy h;
  std::unordered_map<std::string, std::size_t> index;
  h.parent_of_zone.resize(zones.size());
  for (std::size_t i = 0; i < zones.size(); ++i) {
    auto [it, added] = index.emplace(parent_of[i], h.parent_ids.size());
    if (added) {
      h.parent_ids.push_back(parent_of[i]);
      h.members.emplace_back();
    }
    h.parent_of_zone[i] = it->second;
    h.members[it->second].push_back(i);
  }
  return h;
}

}  // namespace

ZoneHierarchy hierarchy_from_parents(const Zones& zones) {
  return build(zones, zones.parents(), zones.source() + ", parent field");
}

ZoneHierarchy hierarchy_from_table(const Zones& zones, const Table& table, const std::string& id_column,
                                   const std::string& parent_column) {
  const ZoneJoin j = join_by_id(zones, table, id_column);
  const std::size_t pc = table.column(parent_column);
  std::vector<std::string> parent_of(zones.size());
  for (std::size_t z = 0; z < zones.size(); ++z) parent_of[z] = trim(table.text(j.rows_of_zone[z].front(), pc));
  return build(zones, parent_of, table.path + ", column '" + parent_column + "'");
}

std::vector<ZoneAggregate> to_zone_aggregates(const ZoneHierarchy& h) {
  std::vector<ZoneAggregate> out;
  for (std::size_t p = 0; p < h.parent_ids.size(); ++p) {
    ZoneAggregate a;
    a.name = h.parent_ids[p];
    for (std::size_t z : h.members[p]) a.zones.push_back(static_cast<int>(z));
    out.push_back(std::move(a));
  }
  return out;
}

std::vector<double> sum_by_parent(const ZoneHierarchy& h, const std::vector<double>& per_zone) {
  if (per_zone.size() != h.parent_of_zone.size())
    throw InputError("sum by parent: " + std::to_string(per_zone.size()) + " values for " +
                     std::to_string(h.parent_of_zone.size()) + " zones");
  std::vector<double> s(h.parent_ids.size(), 0.0);
  for (std::size_t z = 0; z < per_zone.size(); ++z) s[h.parent_of_zone[z]] += per_zone[z];
  return s;
}

Zones dissolve(const Zones& zones, const ZoneHierarchy& h) {
  if (h.parent_of_zone.size() != zones.size())
    throw InputError(zones.source() + ": the hierarchy is for " + std::to_string(h.parent_of_zone.size()) +
                     " zones, not " + std::to_string(zones.size()));
  QuietGdalErrors quiet;
  std::vector<GeometryPtr> geoms;
  for (std::size_t p = 0; p < h.parent_ids.size(); ++p) {
    OGRMultiPolygon parts;
    for (std::size_t z : h.members[p])
      for (const OGRPolygon* poly : *zones.impl().geoms[z]->toMultiPolygon()) parts.addGeometry(poly);
    GeometryPtr u(parts.UnionCascaded());
    if (!u)
      throw InputError(zones.source() + ": the zones of parent '" + h.parent_ids[p] + "' cannot be dissolved" +
                       QuietGdalErrors::because());
    // A union is a Polygon or MultiPolygon; keep every zone a MultiPolygon.
    if (wkbFlatten(u->getGeometryType()) == wkbPolygon) u.reset(OGRGeometryFactory::forceToMultiPolygon(u.release()));
    geoms.push_back(std::move(u));
  }
  std::vector<std::string> names(h.parent_ids.size()), parents(h.parent_ids.size());
  return ZonesBuilder::make(zones.source() + " dissolved by parent", h.parent_ids, std::move(names),
                            std::move(parents), {}, zones.impl().srs, std::move(geoms));
}

}  // namespace cohortgis::geodata
