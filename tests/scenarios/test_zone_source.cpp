// SPDX-License-Identifier: Apache-2.0
// [geography.source] as older Chinese data comes (issue #18): a GBK Shapefile without .cpg declared with `encoding`
// gives the zones the names of the UTF-8 original, and the boundary file (with a Shapefile's sidecars) is an input of
// the run even when the zones come only from it.
#include <gtest/gtest.h>

#include <unistd.h>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "cohortgis/scenarios/scenario_file.hpp"
#include "error_of.hpp"

using namespace cohortgis;
using cohortgis::test::error_of;
namespace fs = std::filesystem;

namespace {

const fs::path kExample = fs::path(COHORTGIS_EXAMPLES) / "beijing-2020" / "scenario.toml";
const std::string kZonesLine =
    "zones = { path = \"data:geo/beijing_districts.gpkg\", columns = { id = \"code\", name = \"name_zh\", name_en = "
    "\"name_en\" } }\n";
const std::string kSourceLine =
    "source = { path = \"data:geo/beijing_districts.gpkg\", layer = \"beijing_districts\", id_field = \"code\", "
    "name_field = \"name_zh\" }\n";

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// The Beijing example with its [geography] zones line and source line replaced; written to a temporary folder.
struct Edited {
  explicit Edited(const std::string& zones, const std::string& source) {
    dir = fs::temp_directory_path() / ("cohortgis_zone_source_" + std::to_string(::getpid()) + "_" +
                                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir);
    std::string s = read(kExample);
    for (const auto& [from, to] : {std::pair{kZonesLine, zones}, std::pair{kSourceLine, source}}) {
      const auto at = s.find(from);
      EXPECT_NE(at, std::string::npos) << "the example changed: " << from;
      if (at != std::string::npos) s.replace(at, from.size(), to);
    }
    file = dir / "scenario.toml";
    std::ofstream(file, std::ios::binary) << s;
  }
  ~Edited() { fs::remove_all(dir); }
  scenarios::ScenarioSet load(const std::vector<std::string>& allow_read = {}) const {
    geodata::ReadPolicy p;
    p.roots = allow_read;
    return scenarios::load_scenario_file(file.string(), COHORTGIS_DATA, p);
  }
  fs::path dir, file;
};

const scenarios::InputFile* input(const scenarios::Scenario& sc, const std::string& relative) {
  const auto it = std::find_if(sc.inputs.begin(), sc.inputs.end(),
                               [&](const scenarios::InputFile& in) { return in.relative == relative; });
  return it == sc.inputs.end() ? nullptr : &*it;
}

}  // namespace

TEST(ZoneSource, BoundaryFileGivenOnlyAsSourceIsAnInput) {
  const Edited e("", kSourceLine);
  const scenarios::ScenarioSet set = e.load();
  const scenarios::Scenario& sc = set.runs.front();
  ASSERT_EQ(sc.zones.size(), 16u);
  EXPECT_EQ(sc.zones[0].name, "东城区");
  const scenarios::InputFile* in = input(sc, "data:geo/beijing_districts.gpkg");
  ASSERT_NE(in, nullptr);
  EXPECT_EQ(in->role, "geography.source");
}

TEST(ZoneSource, GbkShapefileDeclaredGivesTheOriginalNamesAndItsSidecarsAreInputs) {
  const std::string fixtures = fs::absolute(COHORTGIS_FIXTURES).string();
  const std::string shp = fixtures + "/geo/beijing_gbk.shp";
  const Edited declared(
      "", "source = { path = \"" + shp + "\", id_field = \"code\", name_field = \"区名\", encoding = \"GBK\" }\n");
  const scenarios::ScenarioSet set = declared.load({fixtures});
  const scenarios::Scenario& sc = set.runs.front();
  ASSERT_EQ(sc.zones.size(), 16u);
  // The names of data/geo/beijing_districts.gpkg (UTF-8), in its order.
  const Edited original("", kSourceLine);
  const scenarios::ScenarioSet want_set = original.load();  // kept: `want` refers into it
  const scenarios::Scenario& want = want_set.runs.front();
  for (std::size_t i = 0; i < 16; ++i) EXPECT_EQ(sc.zones[i].name, want.zones[i].name) << i;
  for (const char* ext : {".shp", ".dbf", ".shx", ".prj"}) {
    const std::string rel = fixtures + "/geo/beijing_gbk" + ext;
    EXPECT_NE(input(sc, rel), nullptr) << rel;
  }
  EXPECT_EQ(input(sc, fixtures + "/geo/beijing_gbk.cpg"), nullptr);  // there is none

  // Undeclared: refused, naming the key, the file, the feature and the field, with the advice.
  const Edited undeclared("", "source = { path = \"" + shp + "\", id_field = \"code\", name_field = \"name_zh\" }\n");
  const std::string m = error_of([&] { (void)undeclared.load({fixtures}); });
  EXPECT_NE(m.find("key 'geography.source'"), std::string::npos) << m;
  EXPECT_NE(m.find("beijing_gbk.shp, layer 'beijing_gbk', feature 0, field 'name_zh'"), std::string::npos) << m;
  EXPECT_NE(m.find("encoding = \"GBK\""), std::string::npos) << m;
}

// `crs` names the CRS of a layer without one (a Shapefile without .prj), which the error for such a layer advises;
// for a layer with its own CRS it is an error, not silently ignored.
TEST(ZoneSource, CrsNamesTheCrsOfALayerWithoutOne) {
  const std::string fixtures = fs::absolute(COHORTGIS_FIXTURES).string();
  const fs::path shapes = fs::temp_directory_path() / ("cohortgis_no_prj_" + std::to_string(::getpid()));
  fs::create_directories(shapes);
  for (const char* ext : {".shp", ".dbf", ".shx"})
    fs::copy(fixtures + "/geo/beijing_gbk" + ext, shapes / (std::string("no_prj") + ext),
             fs::copy_options::overwrite_existing);
  const std::string shp = (shapes / "no_prj.shp").string();
  struct Remove {
    fs::path p;
    ~Remove() { fs::remove_all(p); }
  } remove{shapes};
  // The Shapefile's DBF is GBK; a GeoPackage's text is UTF-8 by its format (an encoding for it is refused).
  auto source = [&](const std::string& path, const std::string& crs, const std::string& encoding = "GBK") {
    return Edited("", "source = { path = \"" + path + "\", id_field = \"code\"" +
                          (encoding.empty() ? "" : ", encoding = \"" + encoding + "\"") + crs + " }\n");
  };
  const std::string missing = error_of([&] { (void)source(shp, "").load({shapes.string()}); });
  EXPECT_NE(missing.find("has no coordinate reference system"), std::string::npos) << missing;
  EXPECT_NE(missing.find("[geography.source] crs"), std::string::npos) << missing;
  const scenarios::ScenarioSet set = source(shp, ", crs = \"EPSG:4326\"").load({shapes.string()});
  EXPECT_EQ(set.runs.front().zones.size(), 16u);
  EXPECT_EQ(set.zones_source.assume_crs, "EPSG:4326");
  const std::string gpkg = std::string(COHORTGIS_DATA) + "/geo/beijing_districts.gpkg";
  const std::string own = error_of([&] { (void)source(gpkg, ", crs = \"EPSG:4326\"", "").load(); });
  EXPECT_NE(own.find("has its own coordinate reference system (WGS 84)"), std::string::npos) << own;
}

// Zone ids with leading zeros against a source whose id field holds numbers (FIPS 01001 saved as 1001): the
// mismatch says why.
TEST(ZoneSource, IdsThatLostTheirLeadingZerosAreExplained) {
  const fs::path dir = fs::temp_directory_path() / ("cohortgis_zeros_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  struct Remove {
    fs::path p;
    ~Remove() { fs::remove_all(p); }
  } remove{dir};
  std::ofstream(dir / "z.geojson") << R"({"type": "FeatureCollection", "features": [
{"type": "Feature", "properties": {"code": 110101}, "geometry": {"type": "Polygon", "coordinates":
 [[[116.3, 39.9], [116.3, 39.91], [116.31, 39.91], [116.31, 39.9], [116.3, 39.9]]]}}]})";
  const Edited e("zones = [ { id = \"0110101\", name = \"A\" } ]\n",
                 "source = { path = \"" + (dir / "z.geojson").string() + "\", id_field = \"code\" }\n");
  const std::string m = error_of([&] { (void)e.load({dir.string()}); });
  EXPECT_NE(m.find("the source's id '110101' is zone '0110101' without its leading zeros: the id field 'code' holds "
                   "numbers"),
            std::string::npos)
      << m;
}

// A zone's English name and parent (scenarios::SparseText): one pointer each, null when empty (2.4 MB less at 50,000
// zones without them), read as strings wherever one is expected.
TEST(ZoneTexts, EmptyTextsHoldNothingAndGivenOnesReadAsStrings) {
  static_assert(sizeof(scenarios::SparseText) == sizeof(void*));
  static_assert(sizeof(scenarios::Zone) == 2 * sizeof(std::string) + 2 * sizeof(void*));
  scenarios::SparseText t;
  EXPECT_TRUE(t.empty());
  EXPECT_EQ(t.str(), "");
  t = std::string("Dongcheng");
  EXPECT_FALSE(t.empty());
  EXPECT_EQ(t, "Dongcheng");
  EXPECT_EQ(t, std::string("Dongcheng"));
  const std::string& as_string = t;  // the conversion the writers use
  EXPECT_EQ(as_string, "Dongcheng");
  // A copy is its own text; an empty string given holds nothing, as never set.
  scenarios::SparseText copy = t;
  t = "";
  EXPECT_TRUE(t.empty());
  EXPECT_EQ(copy, "Dongcheng");
  EXPECT_FALSE(copy == t);
  copy = t;
  EXPECT_TRUE(copy.empty());
  scenarios::Zone z{"110101", "东城区", "", "D"};
  EXPECT_TRUE(z.name_en.empty());
  EXPECT_EQ(z.parent, "D");
  scenarios::Zone moved = std::move(z);
  EXPECT_EQ(moved.parent, "D");
  // The Beijing example's zones: English names from the zone table, no parents.
  const auto set = scenarios::load_scenario_file(kExample.string(), COHORTGIS_DATA);
  const auto& zones = set.runs.front().zones;
  ASSERT_FALSE(zones.empty());
  EXPECT_EQ(zones.front().name_en, "Dongcheng");
  for (const auto& zone : zones) {
    EXPECT_FALSE(zone.name_en.empty()) << zone.id;
    EXPECT_TRUE(zone.parent.empty()) << zone.id;
  }
}

// Every file GDAL reads with a table or zones file is an input of the run (manifest.json), so that a changed one
// shows in `validate --results`: a Shapefile's sidecars also when their extensions are upper case (BEIJING.DBF, as
// older Windows data come: only beijing.dbf was looked for), the .dbf of a Shapefile read as the zone table (it holds
// the rows; only the .shp was listed) and a CSV's .csvt (the column types).
TEST(ZoneSource, EveryCompanionGdalReadsIsAnInput) {
  const std::string fixtures = fs::absolute(COHORTGIS_FIXTURES).string();
  const fs::path dir = fs::temp_directory_path() / ("cohortgis_companions_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  struct Remove {
    fs::path p;
    ~Remove() { fs::remove_all(p); }
  } remove{dir};
  for (const char* ext : {"shp", "dbf", "shx", "prj"}) {
    std::string upper = ext;
    for (char& c : upper) c = static_cast<char>(c - 'a' + 'A');
    fs::copy(fixtures + "/geo/beijing_gbk." + ext, dir / ("BEIJING." + upper), fs::copy_options::overwrite_existing);
  }
  const std::string shp = (dir / "BEIJING.SHP").string();
  const Edited upper("", "source = { path = \"" + shp + "\", id_field = \"code\", encoding = \"GBK\" }\n");
  const scenarios::Scenario sc = upper.load({dir.string()}).runs.front();
  for (const char* ext : {".SHP", ".DBF", ".SHX", ".PRJ"}) {
    const scenarios::InputFile* in = input(sc, (dir / "BEIJING").string() + ext);
    ASSERT_NE(in, nullptr) << ext;
    EXPECT_EQ(in->role, std::string(ext) == ".SHP" ? "geography.source" : "geography.source (sidecar)") << ext;
  }

  const Edited table(
      "zones = { path = \"" + shp + "\", encoding = \"GBK\", columns = { id = \"code\", name = \"区名\" } }\n", "");
  const scenarios::Scenario from_table = table.load({dir.string()}).runs.front();
  ASSERT_EQ(from_table.zones.size(), 16u);
  const scenarios::InputFile* dbf = input(from_table, (dir / "BEIJING.DBF").string());
  ASSERT_NE(dbf, nullptr);
  EXPECT_EQ(dbf->role, "geography.zones (sidecar)");

  // A CSV with a .csvt: the scenario's zone table written as CSV, every column declared String.
  std::ofstream(dir / "zones.csv") << "code,name\n";
  {
    std::ofstream csv(dir / "zones.csv", std::ios::app);
    for (const auto& z : from_table.zones) csv << z.id << ",Z" << z.id << "\n";
  }
  std::ofstream(dir / "zones.csvt") << "String,String\n";
  const Edited csv("zones = { path = \"" + (dir / "zones.csv").string() + "\", columns = { id = \"code\" } }\n", "");
  const scenarios::Scenario from_csv = csv.load({dir.string()}).runs.front();
  const scenarios::InputFile* csvt = input(from_csv, (dir / "zones.csvt").string());
  ASSERT_NE(csvt, nullptr);
  EXPECT_EQ(csvt->role, "geography.zones (sidecar)");
  EXPECT_EQ(csvt->relative, (dir / "zones.csvt").string());
}
