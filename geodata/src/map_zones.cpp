// SPDX-License-Identifier: Apache-2.0
// Zones (OGR geometries) → planar map shapes.
#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/types.hpp"
#include "cohortgis/geodata/maps.hpp"
#include "cohortgis/geodata/measures.hpp"
#include "cohortgis/geodata/zones.hpp"
#include "gdal_support.hpp"

namespace cohortgis::geodata {

std::vector<MapZone> map_zones(const Zones& zones, const std::vector<double>& values,
                               const std::vector<std::string>& labels, const std::string& map_crs) {
  if (values.size() != zones.size())
    throw InputError("map of " + zones.source() + ": " + std::to_string(values.size()) + " values for " +
                     std::to_string(zones.size()) + " zones");
  if (!labels.empty() && labels.size() != zones.size())
    throw InputError("map of " + zones.source() + ": " + std::to_string(labels.size()) + " labels for " +
                     std::to_string(zones.size()) + " zones");
  const Zones planar = reproject(zones, map_crs.empty() ? equal_area_crs_for(zones) : map_crs);
  // The map's frame, scale bar and north arrow take metres, north up: degrees would give a plate carrée (stretched
  // east–west by 1/cos(latitude), 1.31 at 40°N) with a scale bar in degrees read as metres.
  if (planar.crs_is_geographic())
    throw InputError("map of " + zones.source() + ": map CRS '" + map_crs + "' (" + planar.crs_name() +
                     ") is geographic, in degrees; expected a projected CRS, or none for the Lambert azimuthal "
                     "equal-area projection centred on the zones");
  const double metres = planar.impl().srs.GetLinearUnits();  // per CRS unit: 0.3048006 for US survey feet
  std::vector<MapZone> out(zones.size());
  for (std::size_t i = 0; i < zones.size(); ++i) {
    MapZone& z = out[i];
    z.id = zones.id(i);
    z.label = !labels.empty() ? labels[i] : !zones.names()[i].empty() ? zones.names()[i] : zones.id(i);
    z.value = values[i];
    const OGRGeometry* g = planar.impl().geoms[i].get();
    auto add = [&](const OGRPolygon* p) {
      MapPolygon poly;
      for (const OGRLinearRing* ring : *p) {
        MapRing r;
        r.reserve(uz(ring->getNumPoints()));
        for (const OGRPoint& pt : *ring) r.push_back({pt.getX() * metres, pt.getY() * metres});
        poly.push_back(std::move(r));
      }
      z.parts.push_back(std::move(poly));
    };
    if (wkbFlatten(g->getGeometryType()) == wkbPolygon) add(g->toPolygon());
    else
      for (const OGRPolygon* p : *g->toMultiPolygon()) add(p);
  }
  return out;
}

}  // namespace cohortgis::geodata
