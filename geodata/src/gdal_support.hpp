// SPDX-License-Identifier: Apache-2.0
// Internal to geodata/: GDAL set-up, quiet error capture, RAII holders, CRS parsing and the Zones internals.
#pragma once

#include <cpl_error.h>
#include <cpl_string.h>
#include <gdal_priv.h>
#include <ogr_geometry.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#include <memory>
#include <string>
#include <vector>

#include "cohortgis/engine/number_text.hpp"  // shortest_number, for the files below
#include "cohortgis/geodata/zones.hpp"

namespace cohortgis::geodata {

// Registers the drivers of the formats geodata reads and writes (read_policy.cpp's input_drivers, GPKG, GeoJSON),
// never a network one, and switches the network off (disable_network). Once per process; thread-safe.
void register_drivers();
// Registers every other built-in driver too (GDALAllRegister), still none of the network ones: only to name a format
// that a scenario may not use in a message. Once per process; thread-safe.
void register_all_drivers();

// GDAL reports problems through its error handler (stderr by default); keep them quiet and read the last one.
class QuietGdalErrors {
 public:
  QuietGdalErrors() {
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CPLErrorReset();
  }
  ~QuietGdalErrors() { CPLPopErrorHandler(); }
  QuietGdalErrors(const QuietGdalErrors&) = delete;
  QuietGdalErrors& operator=(const QuietGdalErrors&) = delete;
  // GDAL's messages can quote a file's bytes: control characters are escaped and the text is cut at 300 bytes.
  static std::string last();
  // " (GDAL: …)" or "".
  static std::string because() {
    const std::string m = last();
    return m.empty() ? std::string() : " (GDAL: " + m + ")";
  }
};

struct DatasetCloser {
  void operator()(GDALDataset* d) const { GDALClose(GDALDataset::ToHandle(d)); }
};
using DatasetPtr = std::unique_ptr<GDALDataset, DatasetCloser>;

struct GeometryDeleter {
  void operator()(OGRGeometry* g) const { OGRGeometryFactory::destroyGeometry(g); }
};
using GeometryPtr = std::unique_ptr<OGRGeometry, GeometryDeleter>;

struct TransformDeleter {
  void operator()(OGRCoordinateTransformation* t) const { OGRCoordinateTransformation::DestroyCT(t); }
};
using TransformPtr = std::unique_ptr<OGRCoordinateTransformation, TransformDeleter>;

// A CRS from an EPSG code, WKT or PROJ string, with longitude/easting first. No network or file look-ups (the CRS
// is a user's text, not a URL). Throws InputError "<what>: '<text>' is not a coordinate reference system …".
OGRSpatialReference parse_crs(const std::string& text, const std::string& what);
// Transformation a → b; throws InputError naming `what` when PROJ finds none.
TransformPtr make_transform(const OGRSpatialReference& a, const OGRSpatialReference& b, const std::string& what);

// The drivers geodata reads inputs with (read_policy.cpp): for "PG:…" the PostgreSQL driver, else the local
// vector formats (CSV, XLSX, ODS, GeoPackage, GeoJSON, Shapefile, FlatGeobuf, OpenFileGDB, OGR VRT).
// Passed to GDALOpenEx so no other driver (WFS, HTTP, raster VRT …) answers for a file.
CPLStringList input_drivers(const std::string& path);

// The one open point of geodata's readers (read_policy.cpp): GDALOpenEx(path, vector, read-only, drivers, options),
// and for an SQLite file (a GeoPackage) the checks of refuse_computed_geopackage (read_policy.hpp) on that open
// dataset, the write-ahead log before it is opened; throws InputError naming `label`. nullptr when GDAL cannot
// open the file (its message in CPLGetLastErrorMsg).
DatasetPtr open_input(const std::string& path, const std::string& label, const char* const* drivers,
                      const char* const* options);

// A Shapefile's driver recodes the DBF text itself (from the .cpg or the DBF's language byte; raw bytes when
// neither is there). A declared `encoding` is handed to that driver instead (open option ENCODING, which overrides
// both), so the text is not recoded twice: reopens `ds` and returns true when `ds` is a Shapefile and `encoding` is
// not empty; false (nothing done) otherwise.
bool reopen_shapefile_with_encoding(DatasetPtr& ds, const std::string& path, const std::string& encoding);

// Throws DeclaredEncodingError when `encoding` is declared (not UTF-8 in any spelling) for a source whose text is UTF-8
// by its format (a GeoPackage or SQLite database, GeoJSON, FlatGeobuf, XLSX, ODS, a file geodatabase, KML, GML): GDAL
// already hands its text over as UTF-8, and recoding it from GBK turned 海淀 into 娴锋穩 without a word (hostile probe
// of round 28). `what` names the source in the message.
void refuse_encoding_of_utf8_format(GDALDataset& ds, const std::string& what, const std::string& encoding);

// "'a', 'b', 'c' … and 7 more" for error messages; each item escaped and cut as escape_cell does.
std::string quoted_list(const std::vector<std::string>& items, std::size_t max_items = 20);

// `s` without leading and trailing blanks (space, tab, CR, LF).
std::string trim(const std::string& s);

struct Zones::Impl {
  OGRSpatialReference srs;          // axis order: traditional GIS (x = longitude/easting)
  std::vector<GeometryPtr> geoms;   // one MultiPolygon per zone, 2D
  std::vector<std::size_t> by_id;   // zone indices in id order (equal ids in file order): find's binary search
};

// Sets the private parts of Zones (geodata/src only).
struct ZonesBuilder {
  static Zones make(std::string source, std::vector<std::string> ids, std::vector<std::string> names,
                    std::vector<std::string> parents, std::vector<std::string> repairs, OGRSpatialReference srs,
                    std::vector<GeometryPtr> geoms);
};

}  // namespace cohortgis::geodata
