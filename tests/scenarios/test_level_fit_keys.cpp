// SPDX-License-Identifier: Apache-2.0
// `mortality.fit` and `fertility.fit` of scenario files: the schedules the scenario hands to the engine reproduce the
// published figure to 1e-6, recomputed here from those schedules (the engine's life table; Σ f·W by hand).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "cohortgis/engine/life_table.hpp"
#include "cohortgis/scenarios/scenario_file.hpp"

using namespace cohortgis;

namespace {

const std::string kDir = std::string(COHORTGIS_FIXTURES) + "/scenarios";

std::string good_with(const std::string& extra_mortality, const std::string& extra_fertility) {
  std::ifstream in(kDir + "/good.toml");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string t = ss.str();
  t = t.substr(0, t.find("[[variants]]"));
  t.replace(t.find("srb = 105\n"), 10, "srb = 105\n" + extra_fertility);
  const std::string mx = "mx = { path = \"mx.csv\", columns = { value = \"mx\" } }\n";
  t.replace(t.find(mx), mx.size(), mx + extra_mortality);
  return t;
}

scenarios::Scenario load(const std::string& text) {
  return scenarios::load_scenario_text(text, "fit_test", kDir, COHORTGIS_DATA, {}).runs.front();
}

// Both-sexes e0 of step k, zone 0, group 0: (e0_f + ρ e0_m) / (1 + ρ).
double e0_both(const scenarios::Scenario& sc, std::size_t k, double srb) {
  const auto& m = sc.schedules[k].mortality;
  const std::size_t rows = static_cast<std::size_t>(sc.grid.life_table_rows());
  const std::vector<double> f(m.begin(), m.begin() + static_cast<long>(rows)),
      male(m.begin() + static_cast<long>(rows), m.begin() + static_cast<long>(2 * rows));
  const double rho = srb / 100.0;
  return (abridged_life_table(f, Sex::female, sc.life_table_method).ex[0] +
          rho * abridged_life_table(male, Sex::male, sc.life_table_method).ex[0]) /
         (1 + rho);
}

}  // namespace

TEST(LevelFitKeys, MortalityFitGivesThePublishedBothSexesE0) {
  const double standard = e0_both(load(good_with("", "")), 0, 105);
  const double target = standard - 10.0;  // the fixture's constant mx 0.01 gives e0 near 100
  const scenarios::Scenario sc =
      load(good_with("fit = { e0 = " + std::to_string(target) + ", srb = 105, year = 2023 }\n", ""));
  EXPECT_NEAR(e0_both(sc, 0, 105), target, 1e-6);
  EXPECT_NEAR(e0_both(sc, 1, 105), target, 1e-6);  // the same standard in every step: the same level
  bool noted = false;
  for (const auto& a : sc.assumptions) noted |= a.find("Mortality level fitted ([mortality] fit)") != std::string::npos;
  EXPECT_TRUE(noted);
  EXPECT_THROW(load(good_with("fit = { e0 = 70, srb = 105, year = 2031 }\n", "")), InputError);  // past the horizon
  EXPECT_THROW(load(good_with("fit = { e0 = 70, year = 2023 }\n", "")), InputError);             // srb missing
}

TEST(LevelFitKeys, FertilityFitGivesThePublishedBirthRateOnTheBasePopulation) {
  const scenarios::Scenario sc = load(good_with("", "fit = { cbr_per_1000 = 6.35, year = 2021 }\n"));
  // Births = Σ f · W over zones and groups with the first step's schedules and the base population's women.
  double births = 0, population = 0;
  const std::size_t A = static_cast<std::size_t>(sc.grid.n_ages);
  for (int z = 0; z < static_cast<int>(sc.zones.size()); ++z)
    for (int g = 0; g < static_cast<int>(sc.group_names.size()); ++g) {
      const auto w = sc.base_population.ages(z, g, 0);
      const std::size_t off = static_cast<std::size_t>(z * static_cast<int>(sc.group_names.size()) + g) * A;
      for (std::size_t i = 0; i < A; ++i) births += sc.schedules[0].asfr[off + i] * w[i];
      for (int s = 0; s < 2; ++s)
        for (double p : sc.base_population.ages(z, g, s)) population += p;
    }
  EXPECT_NEAR(1000.0 * births / population, 6.35, 1e-6);
  EXPECT_THROW(load(good_with("", "fit = { cbr_per_1000 = 6.35, year = 2027 }\n")), InputError);  // not step 1
  EXPECT_THROW(load(good_with("", "fit = { cbr_per_1000 = 6.35, births = 10, year = 2021 }\n")), InputError);
}
