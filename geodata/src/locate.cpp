// SPDX-License-Identifier: Apache-2.0
#include "cohortgis/geodata/locate.hpp"

#include <geos_c.h>
#include <ogr_spatialref.h>

#include <vector>

#include "cohortgis/geodata/read_policy.hpp"
#include "gdal_support.hpp"

namespace cohortgis::geodata {

struct ZoneLocator::Impl {
  GEOSContextHandle_t h = GEOS_init_r();
  std::vector<GEOSGeometry*> geoms;
  std::vector<const GEOSPreparedGeometry*> prepared;
  std::vector<OGREnvelope> boxes;
  TransformPtr to_zones;  // null: points already in the zones' CRS
  ~Impl() {
    for (auto* p : prepared) GEOSPreparedGeom_destroy_r(h, p);
    for (auto* g : geoms) GEOSGeom_destroy_r(h, g);
    GEOS_finish_r(h);
  }
};

ZoneLocator::ZoneLocator(const Zones& zones, const std::string& points_crs) : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  const auto& z = zones.impl();
  for (std::size_t i = 0; i < zones.size(); ++i) {
    GEOSGeometry* g = z.geoms[i]->exportToGEOS(m.h);
    if (!g) throw InputError(zones.source() + ", zone '" + zones.id(i) + "': GEOS cannot process the geometry");
    m.geoms.push_back(g);
    const GEOSPreparedGeometry* p = GEOSPrepare_r(m.h, g);
    if (!p) throw InputError(zones.source() + ", zone '" + zones.id(i) + "': GEOS cannot prepare the geometry");
    m.prepared.push_back(p);
    OGREnvelope e;
    z.geoms[i]->getEnvelope(&e);
    m.boxes.push_back(e);
  }
  if (!points_crs.empty()) {
    OGRSpatialReference from;
    from.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    // The text is a definition, never a file or a URL to read (as parse_crs): GDAL would otherwise open a path given
    // as the CRS, a file outside the folders the scenario may read (and print its own error on stderr).
    CPLStringList opts;
    opts.AddNameValue("ALLOW_NETWORK_ACCESS", "NO");
    opts.AddNameValue("ALLOW_FILE_ACCESS", "NO");
    QuietGdalErrors quiet;
    if (from.SetFromUserInput(points_crs.c_str(), opts.List()) != OGRERR_NONE)
      throw InputError("coordinate reference system of the points not understood: \"" + escape_cell(points_crs, 300) +
                       "\"" + QuietGdalErrors::because());
    if (!from.IsSame(&z.srs)) {
      CPLErrorReset();
      m.to_zones.reset(OGRCreateCoordinateTransformation(&from, &z.srs));
      // PROJ makes a transformation even when a step of the one asked for fails (a grid named by +nadgrids that
      // cannot be read): the points would be moved by another one without a word. An error while making it refuses.
      if (!m.to_zones || CPLGetLastErrorType() >= CE_Failure)
        throw InputError("no transformation from \"" + escape_cell(points_crs, 300) + "\" to the zones' CRS (" +
                         zones.crs_name() + ")" + QuietGdalErrors::because());
    }
  }
}

ZoneLocator::~ZoneLocator() = default;

std::optional<std::size_t> ZoneLocator::locate(double x, double y) const {
  Impl& m = *impl_;
  if (m.to_zones && !m.to_zones->Transform(1, &x, &y)) return std::nullopt;
  GEOSGeometry* pt = nullptr;
  std::optional<std::size_t> found;
  for (std::size_t i = 0; i < m.boxes.size() && !found; ++i) {
    const OGREnvelope& b = m.boxes[i];
    if (x < b.MinX || x > b.MaxX || y < b.MinY || y > b.MaxY) continue;
    if (!pt) pt = GEOSGeom_createPointFromXY_r(m.h, x, y);
    // Intersects, not Contains: a closed polygon holds its boundary (the rule in the header).
    if (pt && GEOSPreparedIntersects_r(m.h, m.prepared[i], pt) == 1) found = i;
  }
  if (pt) GEOSGeom_destroy_r(m.h, pt);
  return found;
}

}  // namespace cohortgis::geodata
