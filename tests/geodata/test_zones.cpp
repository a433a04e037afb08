// SPDX-License-Identifier: Apache-2.0
// load_zones: real district files, name/parent fields, reprojection, and one broken fixture for every error.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cohortgis/geodata/table.hpp"
#include "cohortgis/geodata/zones.hpp"
#include "error_of.hpp"

using namespace cohortgis;
using namespace cohortgis::geodata;

using cohortgis::test::error_of;

namespace {

std::string data_file(const std::string& rel) { return std::string(COHORTGIS_DATA) + "/" + rel; }
std::string fixture(const std::string& rel) { return std::string(COHORTGIS_FIXTURES) + "/geo/" + rel; }

}  // namespace

TEST(Zones, LoadsBeijingDistrictsWithNamesInFileOrder) {
  const Zones z = load_zones({.path = data_file("geo/beijing_districts.gpkg"),
                              .layer = "beijing_districts",
                              .id_field = "code",
                              .name_field = "name_zh"});
  ASSERT_EQ(z.size(), 16u);
  EXPECT_EQ(z.id(0), "110101");
  EXPECT_EQ(z.names()[1], "西城区");
  EXPECT_EQ(z.id(15), "110119");
  EXPECT_EQ(z.index("110108"), 5u);
  EXPECT_FALSE(z.find("110100").has_value());
  EXPECT_TRUE(z.crs_is_geographic());
  EXPECT_EQ(z.crs_name(), "WGS 84");
  EXPECT_TRUE(z.repairs().empty());
  // Extent in longitude/latitude order as DATA.md states it, whatever EPSG:4326's official axis order.
  const Envelope e = z.extent();
  EXPECT_NEAR(e.min_x, 115.4238, 1e-3);
  EXPECT_NEAR(e.min_y, 39.4434, 1e-3);
  EXPECT_NEAR(e.max_x, 117.5146, 1e-3);
  EXPECT_NEAR(e.max_y, 41.0615, 1e-3);
  EXPECT_EQ(z.wkt(0).rfind("MULTIPOLYGON", 0), 0u);
  EXPECT_GT(z.wkb(0).size(), 100u);
}

TEST(Zones, TheOnlyLayerNeedsNoNameAndParentsAreRead) {
  const Zones z = load_zones({.path = fixture("townships.geojson"), .id_field = "code", .name_field = "name_zh",
                              .parent_field = "district"});
  ASSERT_EQ(z.size(), 6u);
  EXPECT_EQ(z.id(0), "T00");
  EXPECT_EQ(z.names()[5], "镇12");
  EXPECT_EQ(z.parents()[0], "D1");
  EXPECT_EQ(z.parents()[2], "D2");
}

TEST(Zones, NcCountiesInNad27WithNumericIds) {
  const Zones z = load_zones({.path = data_file("geo/nc_counties.gpkg"), .layer = "nc.gpkg", .id_field = "CNTY_ID",
                              .name_field = "NAME"});
  ASSERT_EQ(z.size(), 100u);
  EXPECT_EQ(z.crs_name(), "NAD27");
  EXPECT_EQ(z.id(0), "1825");  // a Real field read as its shortest decimal text
  EXPECT_EQ(z.names()[0], "Ashe");
}

TEST(Zones, ReprojectsToEpsgWktAndProjStrings) {
  const Zones z = load_zones({.path = fixture("townships.geojson"), .id_field = "code"});
  const Zones utm = reproject(z, "EPSG:32650");  // UTM 50N covers 114–120°E
  EXPECT_FALSE(utm.crs_is_geographic());
  const Envelope e = utm.extent();
  EXPECT_GT(e.min_x, 400000.0);
  EXPECT_LT(e.max_x, 500000.0);
  EXPECT_NEAR(e.min_y, 4.417e6, 2e3);  // 39.9°N
  const Zones proj = reproject(z, "+proj=laea +lat_0=39.91 +lon_0=116.315 +datum=WGS84 +units=m +no_defs");
  EXPECT_NEAR((proj.extent().min_x + proj.extent().max_x) / 2, 0.0, 50.0);
  const Zones back = reproject(utm, z.crs_wkt());
  EXPECT_NEAR(back.extent().min_x, 116.30, 1e-9);
  EXPECT_NEAR(back.extent().max_y, 39.92, 1e-9);

  const auto pts = reproject_points({{116.3, 39.9}}, "EPSG:4326", "EPSG:32650");
  // The townships' south-west corner is (116.3, 39.9): the point path and the geometry path agree, and the easting is
  // about 500 km − 0.7° × 85.4 km/° (one degree of longitude at 39.9°N).
  EXPECT_NEAR(pts[0].x, utm.extent().min_x, 1e-6);
  EXPECT_NEAR(pts[0].x, 500000.0 - 0.7 * 85400.0, 1000.0);
  EXPECT_CONTAINS(error_of([&] { (void)reproject(z, "EPSG:999999"); }), "is not a coordinate reference system");
}

// ---- one broken input per error ----

TEST(ZoneErrors, MissingFile) {
  const std::string m = error_of([] { (void)load_zones({.path = fixture("nowhere.gpkg"), .id_field = "code"}); });
  EXPECT_CONTAINS(m, "nowhere.gpkg: file not found");
}

TEST(ZoneErrors, MissingLayerListsTheLayers) {
  const std::string m = error_of([] {
    (void)load_zones({.path = data_file("geo/beijing_districts.gpkg"), .layer = "beijing", .id_field = "code"});
  });
  EXPECT_CONTAINS(m, "beijing_districts.gpkg: no layer 'beijing'; layers found: 'beijing_districts'");
}

TEST(ZoneErrors, MissingFieldsListTheFields) {
  const std::string m = error_of([] {
    (void)load_zones({.path = fixture("townships.geojson"), .id_field = "adcode", .parent_field = "county"});
  });
  EXPECT_CONTAINS(m, "townships.geojson, layer 'townships': missing fields 'adcode', 'county'");
  EXPECT_CONTAINS(m, "fields found: 'code', 'name_zh', 'district', 'pop'");
}

TEST(ZoneErrors, MissingCrs) {
  const std::string m = error_of([] { (void)load_zones({.path = fixture("no_crs.shp"), .id_field = "code"}); });
  EXPECT_CONTAINS(m, "no_crs.shp, layer 'no_crs': has no coordinate reference system");
  // …unless the caller names the CRS to assume.
  const Zones z = load_zones({.path = fixture("no_crs.shp"), .id_field = "code", .assume_crs = "EPSG:4326"});
  EXPECT_EQ(z.size(), 6u);
  EXPECT_EQ(z.crs_name(), "WGS 84");
}

// A .prj that GDAL cannot read leaves the layer without a CRS: the message names the .prj and what GDAL found wrong
// (it read as if there were no .prj at all, then "has no coordinate reference system … a .prj beside a Shapefile").
// Read as a table (cohortgis info, a scenario's table), the layer needs no CRS: it failed as a "read error after data
// row 6", GDAL parsing the .prj with the first feature.
TEST(ZoneErrors, UnreadablePrjSaysWhy) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("cohortgis_bad_prj_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  for (const char* ext : {".shp", ".shx", ".dbf", ".cpg"})
    fs::copy(fixture(std::string("no_crs") + ext), dir / (std::string("z") + ext),
             fs::copy_options::overwrite_existing);
  std::ofstream(dir / "z.prj") << "PROJCS[\"nonsense\"]";
  const std::string m = error_of([&] { (void)load_zones({.path = (dir / "z.shp").string(), .id_field = "code"}); });
  std::size_t rows = 0;
  EXPECT_NO_THROW(rows = read_table((dir / "z.shp").string(), {}).size());
  fs::remove_all(dir);
  EXPECT_CONTAINS(m,
                  "its .prj " + (dir / "z.prj").string() + " cannot be read as a coordinate reference system (GDAL: ");
  EXPECT_EQ(m.find("has no coordinate reference system"), std::string::npos) << m;
  EXPECT_EQ(rows, 6u);
}

TEST(ZoneErrors, EmptyAndDuplicateIds) {
  const std::string m = error_of([] { (void)load_zones({.path = fixture("duplicate_ids.geojson"), .id_field = "code"}); });
  EXPECT_CONTAINS(m, "duplicate_ids.geojson, layer 'duplicate_ids': ");
  EXPECT_CONTAINS(m, "features with an empty id (2): feature 3, feature 4");
  EXPECT_CONTAINS(m, "duplicate ids (1): 'A1' (feature 0, feature 2)");
}

TEST(ZoneErrors, MissingAndEmptyGeometries) {
  const std::string m = error_of([] {
    (void)load_zones({.path = fixture("empty_geometry.gpkg"), .id_field = "code"});
  });
  EXPECT_CONTAINS(m, "zones without a geometry (1): 'G2'");
  EXPECT_CONTAINS(m, "zones with an empty geometry (1): 'G3'");
  EXPECT_EQ(m.find("'G1'"), std::string::npos) << m;
}

TEST(ZoneErrors, NonPolygonGeometries) {
  const std::string m = error_of([] { (void)load_zones({.path = fixture("non_polygon.geojson"), .id_field = "code"}); });
  EXPECT_CONTAINS(m, "not a polygon or multipolygon (2): 'N2' (Line String), 'N3' (Point)");
}

TEST(ZoneErrors, InvalidGeometryNamesTheReasonAndMakeValidRepairsIt) {
  const std::string m = error_of([] {
    (void)load_zones({.path = fixture("invalid_geometry.geojson"), .id_field = "code"});
  });
  EXPECT_CONTAINS(m, "invalid geometry (load with make_valid to repair) (1): 'B1' (Self-intersection");
  EXPECT_EQ(m.find("'V1'"), std::string::npos) << m;

  const Zones z = load_zones({.path = fixture("invalid_geometry.geojson"), .id_field = "code", .make_valid = true});
  ASSERT_EQ(z.size(), 2u);
  ASSERT_EQ(z.repairs().size(), 1u);
  EXPECT_CONTAINS(z.repairs()[0], "zone 'B1': Self-intersection");
  EXPECT_CONTAINS(z.repairs()[0], "repaired by MakeValid into 2 polygon(s)");
  // The bow-tie's two triangles, each a quarter of the 0.01° square.
  EXPECT_EQ(z.wkt(1).rfind("MULTIPOLYGON", 0), 0u);
}

// An unclosed ring (GeoJSON does not close rings for the writer) is named as such; GEOS's reason was "invalid".
TEST(ZoneErrors, UnclosedRingIsNamed) {
  const std::string m =
      error_of([] { (void)Zones::from_wkt("t", "EPSG:4326", {"U1"}, {"POLYGON ((116 39,116 40,117 40,117 39))"}); });
  EXPECT_CONTAINS(m, "'U1' (Ring not closed: it ends at 117 39, not at its first point 116 39)");
  // make_valid closes it (MakeValid alone could not: "could not repair into polygons").
  const Zones z = Zones::from_wkt("t", "EPSG:4326", {"U1"}, {"POLYGON ((116 39,116 40,117 40,117 39))"}, {}, {}, true);
  EXPECT_EQ(z.wkt(0), "MULTIPOLYGON (((116 39,116 40,117 40,117 39,116 39)))");
  ASSERT_EQ(z.repairs().size(), 1u);
  EXPECT_CONTAINS(z.repairs()[0], "zone 'U1': Ring not closed");
}

// An id repeated in many features (an OGR VRT union of one source 1000 times) lists 5 of them, not every one (a
// 27 kB message before); an id with a line break is quoted with it escaped.
TEST(ZoneErrors, ManyDuplicatesOfOneIdAreCutAndIdsAreEscaped) {
  const std::vector<std::string> ids(1000, "A");
  const std::vector<std::string> wkt(1000, "POLYGON ((0 0,1 0,1 1,0 1,0 0))");
  const std::string m = error_of([&] { (void)Zones::from_wkt("grid", "EPSG:3035", ids, wkt); });
  EXPECT_CONTAINS(m,
                  "duplicate ids (1): 'A' (geometry 1, geometry 2, geometry 3, geometry 4, geometry 5 … and 995 more)");
  EXPECT_LT(m.size(), 300u) << m;
  const std::string nl = error_of([] {
    (void)Zones::from_wkt("grid", "EPSG:3035", {"A\nB", "A\nB"},
                          {"POLYGON ((0 0,1 0,1 1,0 1,0 0))", "POLYGON ((1 0,2 0,2 1,1 1,1 0))"});
  });
  EXPECT_CONTAINS(nl, "'A\\x0aB' (geometry 1, geometry 2)");
}

TEST(ZoneErrors, FromWktRunsTheSameChecks) {
  const std::string m = error_of([] {
    (void)Zones::from_wkt("grid", "EPSG:3035", {"a", "a"},
                          {"POLYGON ((0 0,1 0,1 1,0 1,0 0))", "POINT (3 3)"});
  });
  EXPECT_CONTAINS(m, "grid: duplicate ids (1): 'a' (geometry 1, geometry 2)");
  EXPECT_CONTAINS(m, "'a' (Point)");
  EXPECT_CONTAINS(error_of([] { (void)Zones::from_wkt("g", "EPSG:3035", {"a"}, {"POLYGON ((0 0"}); }),
                  "g, zone 'a': not a WKT geometry");
}
