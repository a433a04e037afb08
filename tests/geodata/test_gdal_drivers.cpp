// SPDX-License-Identifier: Apache-2.0
// Which GDAL drivers geodata registers (gdal_support.cpp): the formats a scenario may use and those it writes, never a
// network driver; every other built-in driver only to name a refused VRT source's format. And PROJ's database closed
// after loading (release_proj_database). bench/HISTORY.md, round 15.
#include <gtest/gtest.h>

#include <gdal_priv.h>
#include <gdal_utils.h>
#include <ogr_spatialref.h>

#include <unistd.h>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "cohortgis/geodata/read_policy.hpp"
#include "cohortgis/geodata/table.hpp"
#include "cohortgis/geodata/zones.hpp"
#include "error_of.hpp"

using namespace cohortgis;
using namespace cohortgis::geodata;
using cohortgis::test::error_of;
namespace fs = std::filesystem;

namespace {

const char* const kScenarioFormats[] = {"CSV",        "XLSX",           "ODS",        "GPKG",        "GeoJSON",
                                        "GeoJSONSeq", "ESRI Shapefile", "FlatGeobuf", "OpenFileGDB", "OGR_VRT",
                                        "PostgreSQL"};
const char* const kNetworkDrivers[] = {"HTTP",     "WFS", "OAPIF",         "OGCAPI", "CSW",     "WMS",
                                       "WMTS",     "WCS", "EEDA",          "EEDAI",  "DAAS",    "PLSCENES",
                                       "PLMOSAIC", "NGW", "Elasticsearch", "Carto",  "GSheets", "ESRIC"};

std::string beijing() { return std::string(COHORTGIS_DATA) + "/geo/beijing_districts.gpkg"; }

fs::path temp_dir() {
  const fs::path d = fs::temp_directory_path() / ("cohortgis_drivers_" + std::to_string(::getpid()) + "_" +
                                                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

// Drivers of a network name that can open or identify something (a real driver, not cohortgis's placeholder).
int live_network_drivers() {
  int n = 0;
  for (int i = 0; i < GDALGetDriverCount(); ++i) {
    auto* d = GDALDriver::FromHandle(GDALGetDriver(i));
    for (const char* name : kNetworkDrivers)
      if (std::string(d->GetDescription()) == name && (d->pfnOpen || d->pfnOpenWithDriverArg || d->pfnIdentify)) {
        std::fprintf(stderr, "network driver %s is registered\n", name);
        ++n;
      }
  }
  return n;
}

// `src` copied with GDAL's own writer of `format` (ogr2ogr in the process), with a layer creation option.
void translate(const std::string& src, const fs::path& dst, const char* format, const char* lco) {
  GDALDatasetH in = GDALOpenEx(src.c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr);
  ASSERT_NE(in, nullptr);
  char* argv[] = {const_cast<char*>("-f"), const_cast<char*>(format), const_cast<char*>("-lco"), const_cast<char*>(lco),
                  nullptr};
  GDALVectorTranslateOptions* o = GDALVectorTranslateOptionsNew(argv, nullptr);
  int usage_error = 0;
  GDALDatasetH out = GDALVectorTranslate(dst.string().c_str(), nullptr, 1, &in, o, &usage_error);
  GDALVectorTranslateOptionsFree(o);
  GDALClose(in);
  ASSERT_NE(out, nullptr) << format;
  GDALClose(out);
}

}  // namespace

// Loading a GeoPackage's zones and a CSV table registers the scenario formats and no more: GDALAllRegister would fault
// in 9 MB of libgdal's pages (every driver's registration code). In a fresh process (another test of this program
// may have registered every driver already). Fails with GDALAllRegister in register_drivers (185 drivers, GTiff …).
TEST(GdalDrivers, OnlyTheScenarioFormatsAreRegistered) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const fs::path dir = temp_dir();
  std::ofstream(dir / "t.csv") << "age,value\n0,1\n";
  EXPECT_EXIT(
      {
        int bad = load_zones({.path = beijing(), .id_field = "code"}).size() == 16u ? 0 : 1;
        bad += read_table((dir / "t.csv").string(), {{"age"}}).size() == 1u ? 0 : 1;
        for (const char* name : kScenarioFormats)
          if (!GDALGetDriverByName(name)) {
            std::fprintf(stderr, "%s is not registered\n", name);
            ++bad;
          }
        for (const char* name : {"GTiff", "KML", "LIBKML", "MapInfo File", "GML", "SQLite", "netCDF", "Memory"})
          if (GDALGetDriverByName(name)) {
            std::fprintf(stderr, "%s is registered\n", name);
            ++bad;
          }
        bad += live_network_drivers();
        std::exit(bad);
      },
      ::testing::ExitedWithCode(0), "");
  fs::remove_all(dir);
}

// Every local format a scenario may use still loads with the drivers registered (a VRT over one too).
TEST(GdalDrivers, EveryScenarioFormatStillLoads) {
  (void)load_zones({.path = beijing(), .id_field = "code"});  // registers the drivers the copies are written with
  const fs::path dir = temp_dir();
  struct Copy {
    const char *format, *file, *lco;
  };
  for (const Copy& c :
       {Copy{"FlatGeobuf", "z.fgb", "SPATIAL_INDEX=NO"},  // an index would reorder the features
        Copy{"GeoJSONSeq", "z.geojsonl", "RS=NO"}, Copy{"ESRI Shapefile", "z.shp", "ENCODING=UTF-8"},
        Copy{"OpenFileGDB", "z.gdb", "TARGET_ARCGIS_VERSION=ALL"}, Copy{"GeoJSON", "z.geojson", "RFC7946=NO"}}) {
    const char* format = c.format;
    const char* file = c.file;
    translate(beijing(), dir / file, format, c.lco);
    const Zones z = load_zones({.path = (dir / file).string(), .id_field = "code", .name_field = "name_zh"});
    ASSERT_EQ(z.size(), 16u) << format;
    EXPECT_EQ(z.id(0), "110101") << format;
    EXPECT_EQ(z.names()[1], "西城区") << format;
  }
  std::ofstream(dir / "z.vrt")
      << "<OGRVRTDataSource><OGRVRTLayer name=\"z\"><SrcDataSource relativeToVRT=\"1\">z.fgb"
         "</SrcDataSource><SrcLayer>beijing_districts</SrcLayer></OGRVRTLayer></OGRVRTDataSource>\n";
  ReadPolicy policy;
  policy.roots = {dir.string()};
  EXPECT_EQ(check_input((dir / "z.vrt").string(), "z.vrt", policy).pulls.size(), 1u);
  EXPECT_EQ(load_zones({.path = (dir / "z.vrt").string(), .id_field = "code"}).size(), 16u);
  fs::remove_all(dir);
}

// A VRT source in a format a scenario may not use is refused by the format's name: found with every driver registered
// (the fallback), still without a network driver. Fails without the fallback ("not a vector format GDAL recognises").
TEST(GdalDrivers, ARefusedVrtSourceIsNamedWithoutANetworkDriver) {
  const fs::path dir = temp_dir();
  std::ofstream(dir / "z.kml")
      << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<kml xmlns=\"http://www.opengis.net/kml/2.2\">"
         "<Document><Placemark><name>a</name><Point><coordinates>116.4,39.9</coordinates>"
         "</Point></Placemark></Document></kml>\n";
  std::ofstream(dir / "z.vrt") << "<OGRVRTDataSource><OGRVRTLayer name=\"z\"><SrcDataSource relativeToVRT=\"1\">z.kml"
                                  "</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>\n";
  ReadPolicy policy;
  policy.roots = {dir.string()};
  EXPECT_CONTAINS(error_of([&] { (void)check_input((dir / "z.vrt").string(), "z.vrt", policy); }),
                  "KML source, which a scenario input may not use");
  EXPECT_NE(GDALGetDriverByName("GTiff"), nullptr);  // every other driver is registered now
  EXPECT_EQ(live_network_drivers(), 0);
  // A KML named as the zones themselves is not opened either way (input_drivers).
  EXPECT_CONTAINS(error_of([&] { (void)load_zones({.path = (dir / "z.kml").string(), .id_field = "name"}); }),
                  "cannot be opened as vector data");
  fs::remove_all(dir);
}

namespace {

// Open file descriptors of this process on proj.db.
int proj_db_descriptors() {
  int n = 0;
  for (const auto& e : fs::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    if (fs::read_symlink(e.path(), ec).filename() == "proj.db") ++n;
  }
  return n;
}

// NAD27 → WGS84 at 100° W 40° N: without the NOAA grid (not installed here), PROJ falls back to another operation
// with its network off, and fails when the network is on and the endpoint refuses.
bool nad27_to_wgs84() {
  OGRSpatialReference a, b;
  a.importFromEPSG(4267);
  b.importFromEPSG(4326);
  a.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  b.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  std::unique_ptr<OGRCoordinateTransformation> t(OGRCreateCoordinateTransformation(&a, &b));
  double x = -100, y = 40;
  return t && t->Transform(1, &x, &y) && std::isfinite(x) && std::isfinite(y);
}

}  // namespace

// After loading, proj.db is closed; a later load opens it again and gives the same CRS. Fails with the function a
// no-op (proj.db stays open).
TEST(ProjDatabase, ClosedAfterLoadingAndOpenedAgain) {
  const std::string wkt = load_zones({.path = beijing(), .id_field = "code"}).crs_wkt();
  ASSERT_GT(proj_db_descriptors(), 0);
  release_proj_database();
  EXPECT_EQ(proj_db_descriptors(), 0);
  EXPECT_EQ(load_zones({.path = beijing(), .id_field = "code"}).crs_wkt(), wkt);
  EXPECT_GT(proj_db_descriptors(), 0);
}

// PROJ's network stays off in the context GDAL makes after the release, even with PROJ_NETWORK=ON (the endpoint a
// port that refuses). In a fresh process with that environment. Fails without proj_context_set_enable_network on
// PROJ's default context (the new context tries http://127.0.0.1:9/us_noaa_conus.tif and the transformation fails).
TEST(ProjDatabase, NetworkStaysOffAfterTheRelease) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  ::setenv("PROJ_NETWORK", "ON", 1);
  ::setenv("PROJ_NETWORK_ENDPOINT", "http://127.0.0.1:9", 1);
  EXPECT_EXIT(
      {
        disable_network();
        int bad = nad27_to_wgs84() ? 0 : 1;
        release_proj_database();
        bad += nad27_to_wgs84() ? 0 : 2;
        std::exit(bad);
      },
      ::testing::ExitedWithCode(0), "");
  ::unsetenv("PROJ_NETWORK");
  ::unsetenv("PROJ_NETWORK_ENDPOINT");
}
