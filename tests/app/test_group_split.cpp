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
