// SPDX-License-Identifier: Apache-2.0
// Points to zones (a spatial join of point records, e.g. the addresses of a population register, to the zones).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "cohortgis/geodata/zones.hpp"

namespace cohortgis::geodata {

// Finds the zone of a point with GEOS prepared geometries and an envelope test first. Rule for points on a
// boundary: a zone holds the points of its closed polygon (interior and boundary), and a point on the boundary shared
// by several zones goes to the first of them in the zones' order (file order). Not thread-safe (one GEOS context).
class ZoneLocator {
 public:
  // points_crs: the CRS of the points (EPSG code, WKT or PROJ string); empty: the zones' CRS. Throws InputError
  // when the CRS is not understood or GEOS cannot take a zone.
  explicit ZoneLocator(const Zones& zones, const std::string& points_crs = {});
  ~ZoneLocator();
  ZoneLocator(const ZoneLocator&) = delete;
  ZoneLocator& operator=(const ZoneLocator&) = delete;
  // Index of the zone holding (x, y) (x = easting/longitude), or nothing when the point is outside every zone or
  // cannot be transformed.
  std::optional<std::size_t> locate(double x, double y) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cohortgis::geodata
