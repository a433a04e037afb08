// SPDX-License-Identifier: Apache-2.0
// Zones: the spatial units of a projection (districts, townships, counties) loaded from any GDAL vector source.
// GDAL types stay out of this header; geometries are reachable as WKT/WKB for callers that need them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cohortgis/engine/types.hpp"

namespace cohortgis::geodata {

// Where the zones are and which fields carry what. `path` is anything GDALOpenEx reads as vector data: a
// GeoPackage, Shapefile, GeoJSON or FlatGeobuf file, a /vsizip/… path, or a "PG:dbname=…" connection string.
struct ZoneSource {
  std::string path{};
  std::string layer{};         // empty: the source must hold exactly one layer
  std::string id_field{};      // required; integer fields are read as their decimal text
  std::string name_field{};    // optional display name (e.g. name_zh)
  std::string parent_field{};  // optional id of the parent unit (e.g. the district a township belongs to)
  // Invalid geometries are an error unless this is set; then they are repaired with GEOS MakeValid (through
  // OGRGeometry::MakeValid) and every repair is described in Zones::repairs().
  bool make_valid = false;
  // A layer without a coordinate reference system is an error unless this names one (EPSG code, WKT or PROJ
  // string, anything OGRSpatialReference::SetFromUserInput takes).
  std::string assume_crs{};
  // The text encoding of the source's fields (ids, names, parents, field names), e.g. "GBK" for an older Chinese
  // Shapefile without .cpg; empty: what the source says (a Shapefile's .cpg), else UTF-8. Text that is not valid
  // UTF-8 and no declared encoding is an error (text_encoding.hpp).
  std::string encoding{};
};

struct XY {
  double x = 0.0, y = 0.0;  // easting/longitude, northing/latitude (GIS order, whatever the CRS's axis order)
};

struct Envelope {
  double min_x = 0.0, min_y = 0.0, max_x = 0.0, max_y = 0.0;
};

// Zones in file order, each a (Multi)Polygon in one CRS. Ids are unique and non-empty.
class Zones {
 public:
  Zones();
  ~Zones();
  Zones(const Zones&);
  Zones& operator=(const Zones&);
  Zones(Zones&&) noexcept;
  Zones& operator=(Zones&&) noexcept;

  // Zones from WKT polygons (for tests, benchmarks and generated grids). `crs` as in ZoneSource::assume_crs.
  // Runs the same checks as load_zones (ids, emptiness, type, validity unless make_valid).
  static Zones from_wkt(const std::string& label, const std::string& crs, const std::vector<std::string>& ids,
                        const std::vector<std::string>& wkt, const std::vector<std::string>& names = {},
                        const std::vector<std::string>& parents = {}, bool make_valid = false);

  std::size_t size() const { return ids_.size(); }
  bool empty() const { return ids_.empty(); }
  const std::string& source() const { return source_; }  // "PATH, layer 'L'", for messages
  const std::vector<std::string>& ids() const { return ids_; }
  const std::vector<std::string>& names() const { return names_; }    // "" when no name field was given
  const std::vector<std::string>& parents() const { return parents_; }  // "" when no parent field was given
  const std::string& id(std::size_t i) const { return ids_.at(i); }
  // Index of a zone id, or nothing.
  std::optional<std::size_t> find(const std::string& id) const;
  // Index of a zone id; throws InputError naming the source.
  std::size_t index(const std::string& id) const;
  // What make_valid repaired: one line per zone ("zone '110102': Self-intersection[…]; repaired …").
  const std::vector<std::string>& repairs() const { return repairs_; }

  std::string crs_wkt() const;   // WKT2 of the zones' CRS
  std::string crs_name() const;  // e.g. "WGS 84", "NAD27"
  bool crs_is_geographic() const;
  Envelope extent() const;  // in the zones' CRS

  // The zones with these ids, in this order, named and parented as given (an empty list: the zones' own). Geometries
  // and CRS are copied, not passed through WKT (15 digits). Throws InputError naming an id that is not a zone.
  Zones select(const std::vector<std::string>& ids, const std::vector<std::string>& names = {},
               const std::vector<std::string>& parents = {}) const;

  std::string wkt(std::size_t i) const;
  std::vector<std::uint8_t> wkb(std::size_t i) const;  // ISO WKB, little endian

  struct Impl;  // OGR geometries and the CRS (geodata/src only)
  const Impl& impl() const { return *impl_; }
  Impl& impl() { return *impl_; }

 private:
  friend struct ZonesBuilder;
  std::string source_{};
  std::vector<std::string> ids_, names_, parents_, repairs_;
  std::unique_ptr<Impl> impl_;
};

// Opens the source read-only (GDAL_OF_VECTOR | GDAL_OF_READONLY) and reads every feature. Throws one InputError
// naming the source that lists every problem found, each with the offending ids (or feature ids when the zone id
// itself is missing): source not readable; missing layer or field (listing those present); no CRS; empty or
// duplicate ids; missing or empty geometries; non-polygon geometries; invalid geometries (with GEOS's reason)
// unless make_valid is set. Curved polygons are linearised. The result keeps the file order.
Zones load_zones(const ZoneSource& source);

// Closes PROJ's database (proj.db) and frees PROJ's caches and this thread's PROJ context (GDAL's); the next CRS
// operation opens it again. Only while no CRS or transformation object lives in the process (the command line after
// loading: the scenario keeps no Zones): such objects belong to their PROJ context. PROJ's network stays off.
void release_proj_database();

// The zones in another CRS (EPSG code such as "EPSG:32650", WKT, or PROJ string). Throws InputError when the CRS is
// not understood or a zone cannot be transformed.
Zones reproject(const Zones& zones, const std::string& crs);

// Points from one CRS to another (same spellings as reproject). Throws InputError on failure.
std::vector<XY> reproject_points(const std::vector<XY>& points, const std::string& from_crs, const std::string& to_crs);

}  // namespace cohortgis::geodata
