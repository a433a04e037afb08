// SPDX-License-Identifier: Apache-2.0
// The scenario loader's input sandbox (issue #17): what a scenario may read by default, what --allow-read and
// --allow-db grant, and the files an OGR VRT pulls in recorded as inputs (for the manifest's SHA-256 list).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <unistd.h>

#include "error_of.hpp"
#include "cohortgis/app/run.hpp"
#include "cohortgis/scenarios/scenario_file.hpp"
#include "toml_doc.hpp"  // scenarios/src: Rows

using namespace cohortgis;
using cohortgis::test::error_of;
namespace fs = std::filesystem;

namespace {

const fs::path kGood = fs::path(COHORTGIS_FIXTURES) / "scenarios";

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}
void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}
std::string replaced(std::string s, const std::string& from, const std::string& to) {
  const auto at = s.find(from);
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

// A copy of the good scenario in TMP/scenario/ whose base table is `base` (as written in the file).
class Folder : public ::testing::Test {
 protected:
  void SetUp() override {
    tmp = fs::temp_directory_path() / ("cohortgis_input_sandbox_" + std::to_string(::getpid()) + "_" +
                                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(tmp);
    for (const char* f : {"asfr.csv", "mx.csv", "base.csv"}) write(tmp / "scenario" / f, read(kGood / f));
  }
  void TearDown() override { fs::remove_all(tmp); }
  std::string scenario(const std::string& base) {
    const fs::path p = tmp / "scenario" / "s.toml";
    write(p, replaced(read(kGood / "good.toml"), "table = \"base.csv\"", "table = \"" + base + "\""));
    return p.string();
  }
  fs::path tmp;
};

}  // namespace

TEST_F(Folder, ParentFolderNeedsAllowRead) {
  write(tmp / "shared" / "base.csv", read(kGood / "base.csv"));
  const std::string s = scenario("../shared/base.csv");
  EXPECT_CONTAINS(error_of([&] { (void)scenarios::load_scenario_file(s, COHORTGIS_DATA); }),
                  "key 'base_population.table': '../shared/base.csv' is outside the folders this scenario may read");
  geodata::ReadPolicy allowed;
  allowed.roots = {(tmp / "shared").string()};
  const auto set = scenarios::load_scenario_file(s, COHORTGIS_DATA, allowed);
  EXPECT_EQ(set.runs.front().zones.size(), 2u);
  // The same through the app facade (what --allow-read does), and a granted folder that does not exist is an error.
  EXPECT_EQ(app::validate(s, COHORTGIS_DATA, {(tmp / "shared").string()}).zones, 2);
  EXPECT_CONTAINS(error_of([&] { (void)app::validate(s, COHORTGIS_DATA, {(tmp / "nope").string()}); }),
                  "--allow-read: '");
}

TEST_F(Folder, VrtSourcesAreRecordedAsInputs) {
  write(tmp / "scenario" / "tables" / "base.vrt",
        "<OGRVRTDataSource><OGRVRTLayer name=\"base\"><SrcDataSource relativeToVRT=\"1\">../base.csv</SrcDataSource>"
        "</OGRVRTLayer></OGRVRTDataSource>\n");
  const auto set = scenarios::load_scenario_file(scenario("tables/base.vrt"), COHORTGIS_DATA);
  bool vrt = false, pulled = false;
  for (const auto& in : set.runs.front().inputs) {
    vrt = vrt || (in.role == "base_population.table" && in.relative == "tables/base.vrt");
    pulled = pulled || (in.role == "base_population.table (through tables/base.vrt)" && in.relative == "base.csv" &&
                        in.path == fs::canonical(tmp / "scenario" / "base.csv").string());
  }
  EXPECT_TRUE(vrt);
  EXPECT_TRUE(pulled);
}

// A VRT as [geography.source]: the VRT and the GeoJSON it reads are both inputs.
TEST_F(Folder, ZonesVrtIsAnInput) {
  write(tmp / "scenario" / "zones.geojson",
        R"({"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "EPSG:4326"}}, "features": [)"
        R"({"type": "Feature", "properties": {"code": "A"}, "geometry": {"type": "Polygon", "coordinates": [[[0,0],[1,0],[1,1],[0,1],[0,0]]]}},)"
        R"({"type": "Feature", "properties": {"code": "B"}, "geometry": {"type": "Polygon", "coordinates": [[[1,0],[2,0],[2,1],[1,1],[1,0]]]}}]})");
  write(tmp / "scenario" / "zones.vrt",
        "<OGRVRTDataSource><OGRVRTLayer name=\"zones\"><SrcDataSource relativeToVRT=\"1\">zones.geojson</SrcDataSource>"
        "</OGRVRTLayer></OGRVRTDataSource>\n");
  const fs::path p = tmp / "scenario" / "s.toml";
  write(p, replaced(read(kGood / "good.toml"), R"(zones = [ { id = "A", name = "Zone A" }, { id = "B", name = "Zone B" } ])",
                    R"(source = { path = "zones.vrt", id_field = "code" })"));
  const auto set = scenarios::load_scenario_file(p.string(), COHORTGIS_DATA);
  bool vrt = false, json = false;
  for (const auto& in : set.runs.front().inputs) {
    vrt = vrt || (in.role == "geography.source.path" && in.relative == "zones.vrt");
    json = json || (in.role == "geography.source.path (through zones.vrt)" && in.relative == "zones.geojson");
  }
  EXPECT_TRUE(vrt);
  EXPECT_TRUE(json);
}

TEST_F(Folder, DatabaseOnlyWhenAllowed) {
  const std::string s = scenario("db:census");
  EXPECT_CONTAINS(error_of([&] { (void)scenarios::load_scenario_file(s, COHORTGIS_DATA); }),
                  "the database service 'census' is not allowed");
  // Allowed: the loader hands "PG:service=census" to GDAL's PostgreSQL driver. No pg_service file here, so libpq
  // fails before any connection is tried.
  ::setenv("PGSERVICEFILE", (tmp / "no_pg_service.conf").c_str(), 1);
  geodata::ReadPolicy allowed;
  allowed.databases = {"census"};
  const std::string m = error_of([&] { (void)scenarios::load_scenario_file(s, COHORTGIS_DATA, allowed); });
  EXPECT_CONTAINS(m, "key 'base_population.table': PG:service=census: cannot be read as a table");
  EXPECT_CONTAINS(error_of([&] {
                    (void)scenarios::load_scenario_file(scenario("PG:service=census host=10.0.0.1"), COHORTGIS_DATA,
                                                        allowed);
                  }),
                  "never taken from a scenario file");
}

// Rows::whole (toml_doc.hpp), for the loader's age columns; the cell in its message is escaped and cut.
TEST(Rows, WholeNumbers) {
  scenarios::detail::Rows rows;
  rows.ref.key = "base_population.table";
  rows.table.path = "base.csv";
  rows.table.layer = "base";
  rows.table.columns = {"age", "zone"};
  rows.table.rows = {{"5", "A"}, {"0.5", std::string("\x1b[2J") + std::string(60, 'z')}, {"5.0", "B"}, {"-5", "C"}};
  rows.keep = {0, 1, 2, 3};
  EXPECT_EQ(rows.whole(0, "age", 0, 150, "a whole age"), 5);
  EXPECT_EQ(rows.whole(2, "age", 0, 150, "a whole age"), 5);
  EXPECT_CONTAINS(error_of([&] { (void)rows.whole(1, "age", 0, 150, "a whole age"); }),
                  "base.csv, layer 'base', data row 2 (row 3 counting the header row), column 'age': '0.5'; expected a "
                  "whole age from 0 to 150");
  EXPECT_CONTAINS(error_of([&] { (void)rows.whole(3, "age", 0, 150, "a whole age"); }), "'-5'; expected a whole age");
  EXPECT_EQ(scenarios::detail::escape_cell(rows.text(1, "zone")), "\\x1b[2J" + std::string(36, 'z') + "…");
}
