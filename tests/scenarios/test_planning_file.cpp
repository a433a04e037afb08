// SPDX-License-Identifier: Apache-2.0
// [controls], [capacity], [households] as the loader reads them (tests/fixtures/planning): zone sets through the
// zones' parent, caps held to the horizon, headship rates, the average-household-size fallback (1 / size per person)
// and a variant that adds a section.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "cohortgis/scenarios/scenario_file.hpp"

using namespace cohortgis;

namespace {
const std::string kDir = std::string(COHORTGIS_FIXTURES) + "/planning";

std::string fixture_text() {
  std::ifstream in(kDir + "/planning.toml");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The fixture without its planning sections, then `extra`.
scenarios::ScenarioSet load_with(const std::string& extra, const scenarios::MemoryTables& frames = {}) {
  std::string text = fixture_text();
  text = text.substr(0, text.find("[controls]")) + extra;
  return scenarios::load_scenario_text(text, "planning_text", kDir, COHORTGIS_DATA, frames);
}
}  // namespace

TEST(PlanningFile, FixtureReadByHand) {
  const auto set = scenarios::load_scenario_file(kDir + "/planning.toml", COHORTGIS_DATA);
  const auto& sc = set.runs.front();
  EXPECT_EQ(sc.zones[0].parent, "D");
  ASSERT_TRUE(sc.planning);
  const PlanningSpec& p = *sc.planning;
  ASSERT_EQ(p.controls.size(), 2u);
  EXPECT_EQ(p.controls[0].name, "D");
  EXPECT_EQ(p.controls[0].zones, (std::vector<int>{0, 1}));  // the zones whose parent is D
  EXPECT_EQ(p.controls[1].year, 2030);
  EXPECT_EQ(p.controls[1].total, 22000.0);
  ASSERT_EQ(p.limits.size(), 2u);  // A's cap of 2025 holds in 2030 too
  EXPECT_EQ(p.limits[1].year, 2030);
  EXPECT_EQ(p.limits[1].max_population, 10000.0);
  ASSERT_EQ(p.headship.size(), 1u);
  // [zone][sex][age]: zone B (1), male (1), age 20+ (index 4) = 0.6; 5 ages per sex.
  EXPECT_EQ(p.headship[0].rates[(1 * 2 + 1) * 5 + 4], 0.6);
  EXPECT_EQ(p.vacancy_percent, 4.0);
}

// Each control and cap keeps the row that gave it, for the errors of the run (capacity's when every cap binds): the
// file and data row, as other scenario errors name them; a cap held to a later step keeps its own row.
TEST(PlanningFile, ControlsAndCapsKeepTheirRows) {
  const auto set = scenarios::load_scenario_file(kDir + "/planning.toml", COHORTGIS_DATA);
  const PlanningSpec& p = *set.runs.front().planning;
  ASSERT_EQ(p.controls.size(), 2u);
  EXPECT_NE(p.controls[1].source.find("controls.csv"), std::string::npos) << p.controls[1].source;
  EXPECT_NE(p.controls[1].source.find("data row 2 (row 3 counting the header row), column 'persons'"),
            std::string::npos)
      << p.controls[1].source;
  ASSERT_EQ(p.limits.size(), 2u);
  for (const CapacityLimit& c : p.limits) {
    ASSERT_TRUE(c.source);
    EXPECT_NE(c.source->find("caps.csv"), std::string::npos) << *c.source;
    EXPECT_NE(c.source->find("data row 1 (row 2 counting the header row), column 'max_population'"), std::string::npos)
        << *c.source;
  }
}

TEST(PlanningFile, AverageHouseholdSizeFallback) {
  scenarios::MemoryTables frames;
  frames["sizes"] = {{"zone", "persons_per_household"}, {{"A", "2.5"}, {"B", "2"}}};
  const auto set = load_with("[households]\naverage_size = \"frame:sizes\"\n", frames);
  const PlanningSpec& p = *set.runs.front().planning;
  ASSERT_EQ(p.headship.size(), 1u);
  for (int s = 0; s < 2; ++s)
    for (int i = 0; i < 5; ++i) {
      EXPECT_EQ(p.headship[0].rates[static_cast<std::size_t>((0 * 2 + s) * 5 + i)], 0.4);
      EXPECT_EQ(p.headship[0].rates[static_cast<std::size_t>((1 * 2 + s) * 5 + i)], 0.5);
    }
}

TEST(PlanningFile, VariantAddsCapacityAndZoneSetsResolve) {
  const auto set = load_with(
      "[controls]\ntable = \"frame:ctl\"\n\n[[variants]]\nname = \"capped\"\ncapacity = { table = \"caps.csv\" }\n",
      {{"ctl", {{"zone", "year", "persons"}, {{"A", "2025", "9000"}, {"total", "2025", "20000"}}}}});
  ASSERT_EQ(set.runs.size(), 2u);
  EXPECT_TRUE(set.runs[0].planning->limits.empty());
  EXPECT_EQ(set.runs[1].planning->limits.size(), 2u);
  EXPECT_EQ(set.runs[1].planning->controls.size(), 2u);  // the baseline's controls hold in the variant
  EXPECT_EQ(set.runs[0].planning->controls[0].zones, (std::vector<int>{0}));
  EXPECT_EQ(set.runs[0].planning->controls[1].zones, (std::vector<int>{0, 1}));
}

TEST(PlanningFile, ControlByAgeMustCoverTheGrid) {
  try {
    load_with("[controls]\ntable = \"frame:ctl\"\nmethod = \"ipf\"\n",
              {{"ctl", {{"zone", "year", "sex", "age", "persons"}, {{"total", "2025", "female", "0", "10"}}}}});
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("has no target for female age 5; expected every sex and age"),
              std::string::npos)
        << e.what();
  }
}

// A variant switches a baseline section off with its table key false (was refused as a missing table, so a scenario
// with controls could have no unconstrained variant): section by section, the others kept.
TEST(PlanningFile, VariantSwitchesSectionsOff) {
  const std::string base =
      "[controls]\ntable = \"controls.csv\"\n\n[capacity]\ntable = \"caps.csv\"\n\n"
      "[households]\nheadship = \"headship.csv\"\n\n";
  const auto set =
      load_with(base +
                "[[variants]]\nname = \"free\"\ncontrols = { table = false }\n\n"
                "[[variants]]\nname = \"uncapped\"\ncapacity = { table = false }\n\n"
                "[[variants]]\nname = \"none\"\ncontrols = { table = false }\ncapacity = { table = false }\n"
                "households = { headship = false }\n");
  ASSERT_EQ(set.runs.size(), 4u);
  ASSERT_TRUE(set.runs[0].planning);
  EXPECT_EQ(set.runs[0].planning->controls.size(), 2u);
  ASSERT_TRUE(set.runs[1].planning);
  EXPECT_TRUE(set.runs[1].planning->controls.empty());
  EXPECT_EQ(set.runs[1].planning->limits.size(), 2u);
  ASSERT_TRUE(set.runs[2].planning);
  EXPECT_EQ(set.runs[2].planning->controls.size(), 2u);
  EXPECT_TRUE(set.runs[2].planning->limits.empty());
  EXPECT_FALSE(set.runs[3].planning);  // nothing left: no planning step at all
  // Households off while the caps still name dwellings: the caps' own error.
  EXPECT_THROW(load_with("[capacity]\ntable = \"frame:dw\"\n\n[households]\nheadship = \"headship.csv\"\n\n"
                         "[[variants]]\nname = \"v\"\nhouseholds = { headship = false }\n",
                         {{"dw", {{"zone", "year", "dwellings"}, {{"A", "2025", "2500"}}}}}),
               InputError);
}

namespace {
std::string load_error(const std::string& extra, const scenarios::MemoryTables& frames = {}) {
  try {
    load_with(extra, frames);
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}
}  // namespace

// `unit = "10k"` on a table already in persons scaled every control by 10,000 without a word (21,000 persons became
// 210 million): a control above 1,000 times its set's base population (D: 20,000) is refused, naming the file, row,
// set, year, the value after the unit and the unit; the same table declared in 10k with values in 10k is read.
TEST(PlanningFile, ControlTotalsFarAboveTheBasePopulationAreRefused) {
  const std::string m = load_error("[controls]\ntable = { path = \"controls.csv\", unit = \"10k\" }\n");
  for (const char* part : {"controls.csv", "data row 1", "control \"D\" 2025 of 210000000 persons", "unit = \"10k\"",
                           "more than 1000 times the base population of its zones (20000)"})
    EXPECT_NE(m.find(part), std::string::npos) << part << " in: " << m;
  const auto set = load_with("[controls]\ntable = { path = \"frame:ctl\", unit = \"10k\" }\n",
                             {{"ctl", {{"zone", "year", "persons"}, {{"D", "2025", "2.1"}}}}});
  EXPECT_EQ(set.runs.front().planning->controls.at(0).total, 21000.0);
}

// Nested controls are met part first, so parts whose targets exceed their set's (or cover it and fall short) could
// never run: the run stopped naming only the set and year. Refused when read, naming the file and rows of the set
// and of its parts; parts that fit are read. A variant that switches [households] off while the baseline's caps keep
// dwellings is reported under the variant's key (was: the baseline's capacity.table).
TEST(PlanningFile, NestedControlsThatCannotBeMetAndVariantKeysNameTheirSource) {
  const auto ctl = [](const char* a, const char* b, const char* d) {
    return scenarios::MemoryTables{
        {"ctl", {{"zone", "year", "persons"}, {{"A", "2025", a}, {"B", "2025", b}, {"D", "2025", d}}}}};
  };
  const std::string controls = "[controls]\ntable = \"frame:ctl\"\n";
  EXPECT_EQ(load_with(controls, ctl("9000", "11000", "20000")).runs.front().planning->controls.size(), 3u);
  std::string m = load_error(controls, ctl("12000", "9000", "20000"));
  for (const char* part : {"table 'ctl', row 2, column 'persons': control \"D\" 2025 of 20000 persons",
                           "the controls of the zone sets inside it add up to 21000", "\"A\" at table 'ctl', row 0",
                           "\"B\" at table 'ctl', row 1", "to add up to at most the target"})
    EXPECT_NE(m.find(part), std::string::npos) << part << " in: " << m;
  m = load_error(controls, ctl("9000", "9000", "20000"));  // A and B are all of D: D must be their sum
  EXPECT_NE(m.find("add up to 18000 and leave none of its zones free"), std::string::npos) << m;
  m = load_error(
      "[capacity]\ntable = \"frame:dw\"\n\n[households]\nheadship = \"headship.csv\"\n\n"
      "[[variants]]\nname = \"v\"\nhouseholds = { headship = false }\n",
      {{"dw", {{"zone", "year", "dwellings"}, {{"A", "2025", "2500"}}}}});
  EXPECT_NE(m.find("key 'variants[0].households.headship'"), std::string::npos) << m;
  EXPECT_NE(m.find("switches [households] off, but the capacity table"), std::string::npos) << m;
}

// On the fixture's grid (open at 20) share_65_plus_percent was 0, so a target "at most 20 %" was reported met: a
// target on an indicator whose band the grid cannot count is refused naming the target, indicator, band and open
// age; one below the open age (age_0_2) is read. An unknown variant in the second target names targets[1].
TEST(PlanningFile, TargetsOnBandsAboveTheOpenAgeAndUnknownVariantsNameTheTarget) {
  const std::string target = "[[targets]]\nname = \"young\"\nindicator = \"age_0_2\"\nyear = 2030\nmin = 1\n\n";
  EXPECT_EQ(load_with(target).targets.size(), 1u);
  std::string m = load_error(target +
                             "[[targets]]\nname = \"ageing\"\nindicator = \"share_65_plus_percent\"\n"
                             "year = 2030\nmax = 20\n");
  for (const char* part : {"key 'targets[1].indicator'", "target \"ageing\" on \"share_65_plus_percent\"",
                           "persons aged 65+", "open age group 20+", "projection.open_age of at least 65"})
    EXPECT_NE(m.find(part), std::string::npos) << part << " in: " << m;
  m = load_error(target + "[[targets]]\nindicator = \"population\"\nyear = 2030\nmax = 1e9\nvariants = [\"low\"]\n");
  EXPECT_NE(m.find("key 'targets[1].variants': unknown variant \"low\""), std::string::npos) << m;
}

// The base year ends no step, so a flow indicator has no value there: a target on births in 2020 read 0 and was
// reported missed against `min` (deaths against `max`: met), not unknown. It is refused; a stock indicator of the
// base year and a flow indicator of the first step's end are read.
TEST(PlanningFile, FlowTargetsInTheBaseYearAreRefused) {
  const auto target = [](const char* indicator, int year) {
    return "[[targets]]\nname = \"t\"\nindicator = \"" + std::string(indicator) + "\"\nyear = " + std::to_string(year) +
           "\nmin = 1\n\n";
  };
  EXPECT_EQ(load_with(target("population", 2020) + target("births", 2025)).targets.size(), 2u);
  for (const char* flow : {"births", "deaths", "cbr_per_1000", "tfr", "e0_female"}) {
    const std::string m = load_error(target(flow, 2020));
    for (const std::string& part :
         {std::string("key 'targets[0].year'"), "target \"t\" on \"" + std::string(flow) + "\" in the base year 2020",
          std::string("expected a year from 2025")})
      EXPECT_NE(m.find(part), std::string::npos) << part << " in: " << m;
  }
}
