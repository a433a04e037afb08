// SPDX-License-Identifier: Apache-2.0
// `zone_factors` of [mortality] and [fertility] (scenarios/README.md "Zone factors on standard schedules"): every
// zone's schedule the scenario hands to the engine is its factor times its standard's, bit for bit, in each step
// (the standard by year). Expected values are computed here from the fixture's CSV text, not through the loader.
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>
#include <tuple>

#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/scenarios/models.hpp"
#include "cohortgis/scenarios/scenario_file.hpp"

using namespace cohortgis;

namespace {

const std::string kDir = std::string(COHORTGIS_FIXTURES) + "/scenarios/zone_factors";

std::vector<std::vector<std::string>> csv(const std::string& name) {
  std::ifstream in(kDir + "/" + name);
  std::vector<std::vector<std::string>> out;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream ss(line);
    for (std::string c; std::getline(ss, c, ',');) cells.push_back(c);
    if (line.back() == ',') cells.push_back("");
    out.push_back(cells);
  }
  return out;
}

// (year, standard, sex, age) → mx of a standards table; zone → (standard, factor) of a factor table.
std::map<std::tuple<int, std::string, int, int>, double> mx_standards(const std::string& name) {
  std::map<std::tuple<int, std::string, int, int>, double> standard;
  for (const auto& r : csv(name)) standard[{std::stoi(r[0]), r[1], r[2] == "male", std::stoi(r[3])}] = std::stod(r[4]);
  return standard;
}
std::map<std::string, std::pair<std::string, double>> mx_factors(const std::string& name) {
  std::map<std::string, std::pair<std::string, double>> factor;
  for (const auto& r : csv(name)) factor[r[0]] = {r[2], std::stod(r[3])};
  return factor;
}

}  // namespace

TEST(ZoneFactors, MortalityIsTheFactorTimesTheStandardOfEachStep) {
  const auto set = scenarios::load_scenario_file(kDir + "/scenario.toml", COHORTGIS_DATA);
  const scenarios::Scenario& sc = set.runs.front();
  const auto standard = mx_standards("mx_standard.csv");
  const auto factor = mx_factors("mx_factors.csv");
  const int ages[] = {0, 1, 5, 10, 15, 20};
  const std::size_t rows = static_cast<std::size_t>(sc.grid.life_table_rows());
  ASSERT_EQ(rows, 6u);
  ASSERT_EQ(sc.schedules.size(), 2u);
  for (std::size_t k = 0; k < 2; ++k) {
    const int year = 2020 + 5 * static_cast<int>(k);  // the step starting at `year` uses that year's rows
    const auto& m = sc.schedules[k].mortality;
    ASSERT_EQ(m.size(), 3 * 2 * rows);
    for (std::size_t z = 0; z < 3; ++z)
      for (int s = 0; s < 2; ++s)
        for (std::size_t i = 0; i < rows; ++i) {
          const auto& [name, f] = factor.at(sc.zones[z].id);
          const double expect = f * standard.at({year, name, s, ages[i]});
          EXPECT_EQ(m[(z * 2 + static_cast<std::size_t>(s)) * rows + i], expect)
              << "step " << k << ", zone " << sc.zones[z].id << ", sex " << s << ", age " << ages[i];
        }
  }
  // By hand: zone C (north, factor 2), female, age 10 in 2020: 2 × 0.04.
  EXPECT_EQ(sc.schedules[0].mortality[(2 * 2) * rows + 3], 2 * 0.04);
}

TEST(ZoneFactors, FertilityIsTheFactorTimesTheStandard) {
  const auto set = scenarios::load_scenario_file(kDir + "/scenario.toml", COHORTGIS_DATA);
  const scenarios::Scenario& sc = set.runs.front();
  std::map<std::pair<std::string, int>, double> standard;
  for (const auto& r : csv("asfr_standard.csv")) standard[{r[0], std::stoi(r[1])}] = std::stod(r[2]);
  std::map<std::string, std::pair<std::string, double>> factor;
  for (const auto& r : csv("asfr_factors.csv")) factor[r[0]] = {r[1], std::stod(r[2])};
  const std::size_t A = static_cast<std::size_t>(sc.grid.n_ages);
  for (const auto& st : sc.schedules)
    for (std::size_t z = 0; z < 3; ++z) {
      const auto& [name, f] = factor.at(sc.zones[z].id);
      for (std::size_t i = 0; i < A; ++i) {
        const auto it = standard.find({name, static_cast<int>(5 * i)});
        EXPECT_EQ(st.asfr[z * A + i], it == standard.end() ? 0.0 : f * it->second) << "zone " << z << ", age " << 5 * i;
      }
    }
  EXPECT_EQ(sc.schedules[0].asfr[2 * A + 3], 1.5 * 0.08);  // zone C, ages 15-19, south
}

TEST(ZoneFactors, RefusedWithOtherMortalityForms) {
  std::ifstream in(kDir + "/scenario.toml");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string t = ss.str();
  t.replace(t.find("mx = \"mx_standard.csv\""), 22, "qx = \"mx_standard.csv\"");
  try {
    scenarios::load_scenario_text(t, "zf", kDir, COHORTGIS_DATA, {});
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("zone factors multiply death rates: give mortality.mx"), std::string::npos)
        << e.what();
  }
}

TEST(ZoneFactors, AVariantReplacesTheFactorTable) {
  std::ifstream in(kDir + "/scenario.toml");
  std::stringstream ss;
  ss << in.rdbuf();
  // Every zone at its standard's level (factor 1), zone C moved from north to south.
  const std::string t =
      ss.str() +
      "\n[[variants]]\nname = \"standard_levels\"\nmortality = { zone_factors = \"mx_factors_variant.csv\" }\n";
  const auto set = scenarios::load_scenario_text(t, "zf", kDir, COHORTGIS_DATA, {});
  ASSERT_EQ(set.runs.size(), 2u);
  const std::size_t rows = static_cast<std::size_t>(set.runs[0].grid.life_table_rows());
  const auto& base = set.runs[0].schedules[0].mortality;
  const auto& variant = set.runs[1].schedules[0].mortality;
  // Zone C, female, age 10 in 2020: baseline 2 × north's 0.04; the variant south's 0.02 × 4 = 0.08 (factor 1).
  EXPECT_EQ(base[(2 * 2) * rows + 3], 2 * 0.04);
  EXPECT_EQ(variant[(2 * 2) * rows + 3], 0.08);
  EXPECT_EQ(variant[3], 0.04);  // zone A: north unchanged
}

// `e0_gain_per_year` on factored standards: each step's schedule of each zone and sex is the Brass move of its base
// (factor × standard of the step's year) to the base table's e0 plus the gain, computed here table by table; the
// loader builds one table per distinct base and sex (zones A and B share theirs, mx_factors_shared.csv; north's men
// have its women's rates, mx_standard_sexes.csv, but a table of their own sex; the standards change by year, so each
// step has its own), and the e0 it reuses must be the bits of the table built again.
TEST(ZoneFactors, LifeExpectancyGainsOnFactoredStandardsEachBaseTableOnce) {
  std::ifstream in(kDir + "/scenario.toml");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string t = ss.str();
  const std::string factors = "zone_factors = \"mx_factors.csv\"", mx = "mx = \"mx_standard.csv\"";
  t.replace(t.find(factors), factors.size(),
            "zone_factors = \"mx_factors_shared.csv\"\ne0_gain_per_year = { female = 0.3, male = 0.2 }");
  t.replace(t.find(mx), mx.size(), "mx = \"mx_standard_sexes.csv\"");
  const auto set = scenarios::load_scenario_text(t, "zf", kDir, COHORTGIS_DATA, {});
  const scenarios::Scenario& sc = set.runs.front();
  const auto standard = mx_standards("mx_standard_sexes.csv");
  const auto factor = mx_factors("mx_factors_shared.csv");
  const int ages[] = {0, 1, 5, 10, 15, 20};
  const double gain[2] = {0.3, 0.2};
  const std::size_t rows = static_cast<std::size_t>(sc.grid.life_table_rows());
  ASSERT_EQ(rows, 6u);
  ASSERT_EQ(sc.schedules.size(), 2u);
  for (std::size_t k = 0; k < 2; ++k) {
    const int year = 2020 + 5 * static_cast<int>(k);
    const auto& m = sc.schedules[k].mortality;
    ASSERT_EQ(m.size(), 3 * 2 * rows);
    for (std::size_t z = 0; z < 3; ++z)
      for (int s = 0; s < 2; ++s) {
        const auto& [name, f] = factor.at(sc.zones[z].id);
        std::vector<double> base(rows);
        for (std::size_t i = 0; i < rows; ++i) base[i] = f * standard.at({year, name, s, ages[i]});
        const Sex sex = static_cast<Sex>(s);
        const double e_base = scenarios::life_expectancy_at_birth(base, sc.grid, sex);
        scenarios::YearPath p;
        p.points[2020] = e_base;
        p.points[2030] = e_base + gain[s] * (2030 - 2020);
        const double target = p.mean_over_years(year + 1, year + 5);  // the step covers year + 1 … year + 5
        const std::vector<double> want =
            scenarios::brass_logit_mx(base, sc.grid, sex, scenarios::brass_alpha_for_e0(base, sc.grid, sex, target));
        for (std::size_t i = 0; i < rows; ++i)
          EXPECT_EQ(std::bit_cast<std::uint64_t>(m[(z * 2 + uz(s)) * rows + i]), std::bit_cast<std::uint64_t>(want[i]))
              << "step " << k << ", zone " << sc.zones[z].id << ", sex " << s << ", age " << ages[i] << ": "
              << m[(z * 2 + uz(s)) * rows + i] << " vs " << want[i];
      }
  }
}
