// SPDX-License-Identifier: Apache-2.0
// The foshan-2011 example states each group's predicted age structure of 2015 in its README; the statement is the
// run's own output (indicators.csv, baseline, whole city), so it is checked here against a fresh run, figure by figure
// as the README rounds it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>

#include "cohortgis/app/run.hpp"
#include "csv_fixture.hpp"

namespace fs = std::filesystem;
using namespace cohortgis;

namespace {

std::string thousands(double v) {  // 3772833 → "3,772,833"
  std::string s = std::to_string(static_cast<long long>(std::llround(v))), out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i > 0 && (s.size() - i) % 3 == 0) out += ',';
    out += s[i];
  }
  return out;
}

std::string fixed1(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f", v);
  return b;
}

TEST(ExampleFoshan, ReadmeStatesTheRunsAgeStructureOfEachGroupIn2015) {
  const fs::path out = fs::temp_directory_path() / ("cohortgis_foshan_" + std::to_string(::getpid()));
  fs::remove_all(out);
  app::RunConfig cfg;
  cfg.scenario = std::string(COHORTGIS_EXAMPLES) + "/foshan-2011/scenario.toml";
  cfg.out_dir = out.string();
  cfg.quiet = true;
  cfg.report = false;
  cfg.data_dir = COHORTGIS_DATA;
  app::run(cfg);
  std::map<std::pair<std::string, std::string>, double> v;  // (group, indicator) → value, baseline 2015, whole city
  const auto ind = test::read_csv((out / "indicators.csv").string());
  for (std::size_t r = 0; r < ind.rows.size(); ++r)
    if (ind.at(r, "variant") == "baseline" && ind.at(r, "year") == "2015" && ind.at(r, "zone") == "total")
      v[{ind.at(r, "group"), ind.at(r, "indicator")}] = ind.num(r, "value");
  std::ifstream in(std::string(COHORTGIS_EXAMPLES) + "/foshan-2011/README.md");
  const std::string readme((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::map<std::string, std::string> label{
      {"registered", "registered"}, {"floating", "floating"}, {"all", "all residents"}};
  for (const auto& [group, name] : label) {
    // | group | persons | 0–14 | 15–64 | 65+ (persons) | dependency ratio |
    const std::string row =
        "| " + name + " | " + thousands(v.at({group, "population"})) + " | " +
        fixed1(v.at({group, "share_0_14_percent"})) + " % | " + fixed1(v.at({group, "share_15_64_percent"})) + " % | " +
        fixed1(v.at({group, "share_65_plus_percent"})) + " % (" + thousands(v.at({group, "age_65_plus"})) + ") | " +
        fixed1(v.at({group, "total_dependency_ratio"})) + " |";
    EXPECT_NE(readme.find(row), std::string::npos) << "README.md lacks the run's row:\n" << row;
  }
  fs::remove_all(out);
}

}  // namespace
