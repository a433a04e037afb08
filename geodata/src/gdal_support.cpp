// SPDX-License-Identifier: Apache-2.0
// Shared GDAL helpers of geodata/ (see gdal_support.hpp).
#include "gdal_support.hpp"

#include "checked_files.hpp"

#include "cohortgis/geodata/ascii_case.hpp"
#include "cohortgis/geodata/read_policy.hpp"
#include "cohortgis/geodata/text_encoding.hpp"

#include <cpl_conv.h>
#include <cpl_string.h>
#include <gdal.h>
#include <ogr_srs_api.h>
#include <proj.h>

#include <mutex>
#include <string>

namespace cohortgis::geodata {

namespace {

// Drivers that only talk to servers (cohortgis reads local files; read_policy.hpp).
constexpr const char* kNetworkDrivers[] = {
    "HTTP",  "WFS",  "OAPIF",    "OGCAPI",    "CSW",   "WMS",           "WMTS",    "WCS",      "EEDA",
    "EEDAI", "DAAS", "PLSCENES", "PLMOSAIC",  "NGW",   "Elasticsearch", "CouchDB", "Cloudant", "AmigoCloud",
    "Carto", "GFT",  "GSheets",  "MongoDBv3", "ESRIC", "OGR_DODS",      "DODS"};

bool is_placeholder(GDALDriver* d) { return !d->pfnOpen && !d->pfnOpenWithDriverArg && !d->pfnIdentify; }

// Each network driver's name taken by a driver that opens nothing: GDAL's registration functions return early when a
// driver of their name exists, so GDALAllRegister (register_all_drivers, or another GDAL user of a Python process)
// never registers the real one. A real one already there (another GDAL user registered it first) is removed.
void block_network_drivers() {
  GDALDriverManager* dm = GetGDALDriverManager();
  for (const char* name : kNetworkDrivers) {
    GDALDriver* d = dm->GetDriverByName(name);
    if (d && is_placeholder(d)) continue;
    if (d) {
      dm->DeregisterDriver(d);
      GDALDestroyDriver(d);
    }
    auto* p = new GDALDriver();
    p->SetDescription(name);
    p->SetMetadataItem(GDAL_DMD_LONGNAME, "disabled: cohortgis reads local files only");
    // Declared, as every driver must be: without a capability RegisterDriver assumed DCAP_RASTER and said so under
    // CPL_DEBUG=ON ("Assuming DCAP_RASTER for driver HTTP. Please fix it.", into CPL_LOG's file too). The same
    // capability it assumed: the placeholder opens nothing either way.
    p->SetMetadataItem(GDAL_DCAP_RASTER, "YES");
    dm->RegisterDriver(p);
  }
}

}  // namespace

void register_drivers() {
  static std::once_flag once;
  std::call_once(once, [] {
    block_network_drivers();
    // Only the formats geodata opens (input_drivers, read_policy.cpp, and the GeoPackage and GeoJSON it writes), in
    // GDALAllRegister's relative order, so the first of them to recognise a file is the same. GDALAllRegister itself
    // touches every built-in driver's registration code: 9 MB of libgdal's pages, against 2 MB for these
    // (bench/HISTORY.md, round 15).
    for (void (*reg)() : {RegisterOGRShape, RegisterOGRVRT, RegisterOGRCSV, RegisterOGRGeoJSON, RegisterOGRGeoJSONSeq,
                          RegisterOGRGeoPackage, RegisterOGRPG, RegisterOGROpenFileGDB, RegisterOGRFlatGeobuf,
                          RegisterOGRODS, RegisterOGRXLSX})
      reg();
    GetGDALDriverManager()->AutoSkipDrivers();  // GDAL_SKIP, as GDALAllRegister honours it
    disable_network();
    bind_checked_files();  // what check_input approved is what GDAL reads (checked_files.hpp)
  });
}

void register_all_drivers() {
  register_drivers();
  static std::once_flag once;
  std::call_once(once, [] {
    // GDALAllRegister also loads every shared library and Python script in GDAL_DRIVER_PATH and
    // GDAL_PYTHON_DRIVER_PATH (or GDAL's plugin folder): code the environment names would run while cohortgis only
    // names a file's format. "disable" is GDAL's word to skip the libraries (AutoLoadDrivers); the scripts are looked
    // for in the folders of that list, and /dev/null is none. Thread-local, so other GDAL users' settings stay.
    const std::string drivers = CPLGetThreadLocalConfigOption("GDAL_DRIVER_PATH", "");
    const std::string scripts = CPLGetThreadLocalConfigOption("GDAL_PYTHON_DRIVER_PATH", "");
    CPLSetThreadLocalConfigOption("GDAL_DRIVER_PATH", "disable");
    CPLSetThreadLocalConfigOption("GDAL_PYTHON_DRIVER_PATH", "/dev/null");
    GDALAllRegister();
    CPLSetThreadLocalConfigOption("GDAL_DRIVER_PATH", drivers.empty() ? nullptr : drivers.c_str());
    CPLSetThreadLocalConfigOption("GDAL_PYTHON_DRIVER_PATH", scripts.empty() ? nullptr : scripts.c_str());
    block_network_drivers();
  });
}

void release_proj_database() {
  OSRCleanup();    // this thread's PROJ context (GDAL's), its database context and cached CRS objects
  proj_cleanup();  // PROJ's cache of open databases: proj.db's connection, 4.4 MB of SQLite's memory at 50,000 zones
  // A context GDAL makes after OSRCleanup does not get OSRSetPROJEnableNetwork(FALSE) again (set before: GDAL sees no
  // change), so PROJ_NETWORK=ON would turn its network on. Contexts start as a copy of PROJ's default one; set after
  // proj_cleanup (set before it, the next context's network was on: ProjDatabase tests).
  proj_context_set_enable_network(nullptr, FALSE);
}

OGRSpatialReference parse_crs(const std::string& text, const std::string& what) {
  OGRSpatialReference srs;
  CPLStringList opts;
  opts.AddNameValue("ALLOW_NETWORK_ACCESS", "NO");
  opts.AddNameValue("ALLOW_FILE_ACCESS", "NO");
  QuietGdalErrors quiet;
  if (text.empty() || srs.SetFromUserInput(text.c_str(), opts.List()) != OGRERR_NONE)
    throw InputError(what + ": '" + text + "' is not a coordinate reference system" + QuietGdalErrors::because() +
                     "; expected an EPSG code such as EPSG:4326, a WKT definition or a PROJ string");
  srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  return srs;
}

TransformPtr make_transform(const OGRSpatialReference& a, const OGRSpatialReference& b, const std::string& what) {
  QuietGdalErrors quiet;
  TransformPtr t(OGRCreateCoordinateTransformation(&a, &b));
  if (!t) {
    const char* na = a.GetName();
    const char* nb = b.GetName();
    throw InputError(what + ": PROJ finds no transformation from '" + (na ? na : "?") + "' to '" + (nb ? nb : "?") +
                     "'" + QuietGdalErrors::because());
  }
  return t;
}

bool reopen_shapefile_with_encoding(DatasetPtr& ds, const std::string& path, const std::string& encoding) {
  if (encoding.empty() || !ds || !ds->GetDriver() ||
      !ascii_iequals(ds->GetDriver()->GetDescription(), "ESRI Shapefile"))
    return false;
  const char* const drivers[] = {"ESRI Shapefile", nullptr};
  CPLStringList options;
  options.AddNameValue("ENCODING", encoding.c_str());
  ds.reset();
  ds.reset(GDALDataset::FromHandle(
      GDALOpenEx(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, drivers, options.List(), nullptr)));
  return true;
}

void refuse_encoding_of_utf8_format(GDALDataset& ds, const std::string& what, const std::string& encoding) {
  if (is_utf8_encoding(encoding) || !ds.GetDriver()) return;
  // Drivers whose text is Unicode by the format (SQLite and PostgreSQL store UTF-8, JSON is UTF-8 by RFC 8259,
  // XLSX/ODS/KML/GML are XML read by expat into UTF-8, FlatGeobuf and the file geodatabase store UTF-8 strings).
  static constexpr const char* kUtf8Drivers[] = {"GPKG",        "SQLite",   "PostgreSQL", "GeoJSON", "GeoJSONSeq",
                                                 "ESRIJSON",    "TopoJSON", "FlatGeobuf", "XLSX",    "ODS",
                                                 "OpenFileGDB", "KML",      "LIBKML",     "GML",     "GPX"};
  const std::string driver = ds.GetDriver()->GetDescription();
  for (const char* d : kUtf8Drivers)
    if (ascii_iequals(driver, d))
      throw DeclaredEncodingError(
          what + ": encoding '" + escape_cell(encoding) + "' declared, but the text of a " + driver +
          " source is UTF-8 by its format (GDAL reads it as such); expected no encoding (or UTF-8): " +
          "encoding is for CSV files and Shapefile DBFs saved in another encoding");
}

std::string QuietGdalErrors::last() {
  const char* m = CPLGetLastErrorMsg();
  if (!m || !*m) return {};
  std::string out;
  const char* c = m;
  // Stop after 300 bytes, but never inside a UTF-8 character.
  for (; *c && (out.size() < 300 || (static_cast<unsigned char>(*c) & 0xC0) == 0x80); ++c) {
    const auto u = static_cast<unsigned char>(*c);
    if (u < 0x20 || u == 0x7F) {
      static const char* const d = "0123456789abcdef";
      out += "\\x";
      out += d[u >> 4];
      out += d[u & 15];
    } else {
      out += *c;
    }
  }
  if (*c) out += "…";
  return out;
}

std::string quoted_list(const std::vector<std::string>& items, std::size_t max_items) {
  if (items.empty()) return "(none)";
  std::string s;
  const std::size_t n = std::min(items.size(), max_items);
  for (std::size_t i = 0; i < n; ++i) s += (i ? ", '" : "'") + escape_cell(items[i]) + "'";
  if (items.size() > n) s += " … and " + std::to_string(items.size() - n) + " more";
  return s;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

}  // namespace cohortgis::geodata
