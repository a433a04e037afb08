// SPDX-License-Identifier: Apache-2.0
// The registered/floating split from hukou-elsewhere counts, by hand, and its errors.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "cohortgis/app/group_split.hpp"
#include "cohortgis/engine/types.hpp"

using namespace cohortgis;
using namespace cohortgis::app;

// 100 residents: 5 with hukou in another township of the district, 10 in another district, 30 in another province.
// Floating from outside the province: 30, registered 70; floating relative to the district: 40, registered 60.
TEST(GroupSplit, ByHand) {
  const HukouCounts c{100, 5, 10, 30};
  const GroupSplit p = split_by_hukou(c, FloatingScope::other_province, "x");
  EXPECT_DOUBLE_EQ(p.registered, 70.0);
  EXPECT_DOUBLE_EQ(p.floating, 30.0);
  const GroupSplit d = split_by_hukou(c, FloatingScope::other_district, "x");
  EXPECT_DOUBLE_EQ(d.registered, 60.0);
  EXPECT_DOUBLE_EQ(d.floating, 40.0);
}

TEST(GroupSplit, MoreFloatingThanResidentsIsAnError) {
  try {
    split_by_hukou({20, 0, 10, 15}, FloatingScope::other_district, "census.csv, zone 110101");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("census.csv, zone 110101: 25 residents with hukou elsewhere but only 20"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(split_by_hukou({20, -1, 0, 0}, FloatingScope::other_province, "x"), InputError);
}

// The options that change the split (--zones, --floating) are in manifest.json beside the inputs, so the folder says
// how to make it again.
TEST(GroupSplit, ManifestRecordsTheOptions) {
  const std::filesystem::path out =
      std::filesystem::temp_directory_path() / ("cohortgis_group_split_" + std::to_string(::getpid()));
  std::filesystem::remove_all(out);
  GroupSplitConfig cfg;
  cfg.census = std::string(COHORTGIS_DATA) + "/census/census2020_districts.csv";
  cfg.zone_prefix = "1101";
  cfg.scope = FloatingScope::other_district;
  cfg.out_dir = out.string();
  EXPECT_EQ(group_split(cfg).zones.size(), 16u);
  std::ifstream in(out / "manifest.json");
  const std::string manifest{std::istreambuf_iterator<char>(in), {}};
  EXPECT_NE(manifest.find("\n  \"options\": {\"zones\": \"1101\", \"floating\": \"other-district\"},\n"),
            std::string::npos)
      << manifest;
  std::filesystem::remove_all(out);
}

// Round 27: an empty zone code was written as a zone "" of group_split.csv; a registry with two columns named
// registered* had the last one taken silently; a registry count of 1e300 万人 was written as 1e304 persons, and a
// second row of a zone replaced the first. Each is now an error naming the file, row and column, and writes nothing.
TEST(GroupSplit, BadCodesAndRegistriesWriteNothing) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("cohortgis_group_split_bad_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir / name) << text;
    return (dir / name).string();
  };
  auto zone = [](const std::string& code) {
    return code + ",pop_resident,1000\n" + code + ",pop_hukou_elsewhere_same_district,100\n" + code +
           ",pop_hukou_elsewhere_other_district_same_province,100\n" + code +
           ",pop_hukou_elsewhere_other_province,100\n";
  };
  auto error_of = [](const GroupSplitConfig& cfg) {
    try {
      group_split(cfg);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  GroupSplitConfig cfg;
  cfg.out_dir = (dir / "out").string();
  cfg.census = write("empty_code.csv", "code,indicator,value\n" + zone("110101") + zone(""));
  std::string e = error_of(cfg);
  EXPECT_NE(e.find("empty_code.csv, layer 'empty_code', data row 5 (row 6 counting the header row), column 'code': "
                   "the cell is empty; expected the zone's code"),
            std::string::npos)
      << e;
  cfg.census = write("census.csv", "code,indicator,value\n" + zone("110101") + zone("110102"));
  cfg.registry = write("two_columns.csv", "code,registered,registered_10k\n110101,5,6\n");
  e = error_of(cfg);
  EXPECT_NE(e.find("two_columns.csv: two columns whose names start with 'registered' ('registered' and "
                   "'registered_10k')"),
            std::string::npos)
      << e;
  cfg.registry = write("huge.csv", "code,registered_10k\n110101,1e300\n");
  e = error_of(cfg);
  EXPECT_NE(e.find("huge.csv, layer 'huge', data row 1 (row 2 counting the header row), column 'registered_10k': "
                   "1e+304 persons; expected 0 to 1e12"),
            std::string::npos)
      << e;
  cfg.registry = write("negative.csv", "code,registered\n110101,-1\n");
  EXPECT_NE(error_of(cfg).find("column 'registered': -1 persons; expected 0 to 1e12"), std::string::npos);
  cfg.registry = write("twice.csv", "code,registered\n110101,900\n110102,800\n110101,700\n");
  e = error_of(cfg);
  EXPECT_NE(e.find("twice.csv, layer 'twice', data row 3 (row 4 counting the header row), column 'code': a second "
                   "row for zone 110101"),
            std::string::npos)
      << e;
  EXPECT_FALSE(fs::exists(dir / "out"));
  cfg.registry = write("good.csv", "code,registered\n110101,900\n110102,800\n999999,5\n");
  EXPECT_EQ(error_of(cfg), "no error");
  fs::remove_all(dir);
}

// Round 27: registry codes that are no zone of the census were passed over without a word, and a zone of 0
// residents was written with a floating share of 0 (0 / 0). Now each is a warning naming the codes (a registry of
// another year's divisions, or of a wider area, cross-checks nothing; an empty zone has no share, left empty).
// Codes outside --zones are the other areas the option leaves out: not named.
TEST(GroupSplit, RegistryCodesThatAreNoZoneAndZonesOfNobodyAreSaid) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("cohortgis_group_split_warn_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir / name) << text;
    return (dir / name).string();
  };
  auto zone = [](const std::string& code, int residents) {
    const std::string r = std::to_string(residents), h = std::to_string(residents / 10);
    return code + ",pop_resident," + r + "\n" + code + ",pop_hukou_elsewhere_same_district," + h + "\n" + code +
           ",pop_hukou_elsewhere_other_district_same_province," + h + "\n" + code +
           ",pop_hukou_elsewhere_other_province," + h + "\n";
  };
  GroupSplitConfig cfg;
  cfg.out_dir = (dir / "out").string();
  cfg.census = write("census.csv", "code,indicator,value\n" + zone("110101", 1000) + zone("110102", 2000) +
                                       zone("110199", 0) + zone("120101", 500));
  cfg.registry = write("registry.csv", "code,registered\n110101,900\n110102,1800\n110103,700\n120101,400\n");
  cfg.zone_prefix = "1101";
  const GroupSplitSummary s = group_split(cfg);
  EXPECT_EQ(s.zones, (std::vector<std::string>{"110101", "110102", "110199"}));
  ASSERT_EQ(s.warnings.size(), 2u);
  EXPECT_EQ(s.warnings[0], "--registry " + cfg.registry +
                               ": 1 row of codes starting with 1101 that are no zone of the census (\"110103\") passed "
                               "over: their 户籍人口 cross-checks nothing; check that the registry's codes are the "
                               "census's (the same year's divisions)");
  EXPECT_EQ(s.warnings[1], cfg.census +
                               ": 1 zone of 0 residents (\"110199\"): written with 0 registered and 0 floating and no "
                               "floating share (floating_share_percent empty); check that the code is a zone of the "
                               "area");
  std::ifstream in(dir / "out" / "group_split.csv");
  const std::string csv{std::istreambuf_iterator<char>(in), {}};
  EXPECT_NE(csv.find("\n110199,,0,0,0,0,0,0,,\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\n110101,,1000,100,100,100,900,100,10,900\n"), std::string::npos) << csv;
  // Without --zones every code is of the area: 120101 is now a zone, 110103 still none.
  fs::remove_all(dir / "out");
  cfg.zone_prefix.clear();
  const GroupSplitSummary all = group_split(cfg);
  ASSERT_EQ(all.warnings.size(), 2u);
  EXPECT_NE(all.warnings[0].find(": 1 row of codes that are no zone of the census (\"110103\") passed over"),
            std::string::npos)
      << all.warnings[0];
  EXPECT_NE(all.warnings[0].find(", or keep the census's area with --zones"), std::string::npos) << all.warnings[0];
  fs::remove_all(dir);
}
