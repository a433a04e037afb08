// SPDX-License-Identifier: Apache-2.0
// Loader rules of issue #15's loose ends (scenarios/README.md "Group cells"): an empty group cell in a schedule,
// standard or factor table is every group and a row naming a group takes precedence for it, in any row order;
// scenario and variant names with a control character are refused at their file:line:column; [base_population]
// has no `rows` key; a variant's `mx = false` switches the baseline's mortality form off. Expected values are the
// fixture's numbers multiplied here by hand, not through the loader.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "cohortgis/scenarios/scenario_file.hpp"

using namespace cohortgis;

namespace {

const std::string kDir = std::string(COHORTGIS_FIXTURES) + "/scenarios/group_cells";

std::string fixture_text() {
  std::ifstream in(kDir + "/scenario.toml");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string replaced(std::string t, const std::string& from, const std::string& to) {
  const std::size_t at = t.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return t.replace(at, from.size(), to);
}

std::string error_of(const std::string& text) {
  try {
    scenarios::load_scenario_text(text, "loose_ends.toml", kDir, COHORTGIS_DATA, {});
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

// mx_standard.csv: female and male rows of ages 0, 1, 5, 10, 15, 20 (life-table rows of the five-year grid).
const double kStandard[] = {0.01, 0.002, 0.001, 0.001, 0.002, 0.1};

}  // namespace

TEST(GroupCells, FactorRowNamingAGroupTakesPrecedenceOverTheEmptyCell) {
  // mx_factors.csv: A,floating,1.5 (first), A,,1.25, B,,0.8.
  const auto set = scenarios::load_scenario_file(kDir + "/scenario.toml", COHORTGIS_DATA);
  const scenarios::Scenario& sc = set.runs.front();
  ASSERT_EQ(sc.group_names, (std::vector<std::string>{"local", "floating"}));
  const std::size_t rows = static_cast<std::size_t>(sc.grid.life_table_rows());
  ASSERT_EQ(rows, 6u);
  const auto& m = sc.schedules.front().mortality;  // [zone][group][sex][row]
  ASSERT_EQ(m.size(), 2u * 2u * 2u * rows);
  const double factor[2][2] = {{1.25, 1.5}, {0.8, 0.8}};  // [zone][group] by hand from the table
  for (std::size_t z = 0; z < 2; ++z)
    for (std::size_t g = 0; g < 2; ++g)
      for (std::size_t s = 0; s < 2; ++s)
        for (std::size_t i = 0; i < rows; ++i)
          EXPECT_EQ(m[((z * 2 + g) * 2 + s) * rows + i], factor[z][g] * kStandard[i])
              << "zone " << z << ", group " << g << ", sex " << s << ", row " << i;
}

TEST(GroupCells, EmptyCellInASchedulePrecededByNoGroupIsEveryGroup) {
  // asfr.csv: ,10,0.01  ,15,0.05  floating,15,0.03 — the floating rows are that group's whole schedule.
  const auto set = scenarios::load_scenario_file(kDir + "/scenario.toml", COHORTGIS_DATA);
  const scenarios::Scenario& sc = set.runs.front();
  const std::size_t A = static_cast<std::size_t>(sc.grid.n_ages);
  const auto& f = sc.schedules.front().asfr;  // [zone][group][age]
  for (std::size_t z = 0; z < 2; ++z) {
    EXPECT_EQ(f[(z * 2 + 0) * A + 2], 0.01) << z;  // local, 10-14
    EXPECT_EQ(f[(z * 2 + 0) * A + 3], 0.05) << z;  // local, 15-19
    EXPECT_EQ(f[(z * 2 + 1) * A + 2], 0.0) << z;   // floating: its own rows only (not merged age by age)
    EXPECT_EQ(f[(z * 2 + 1) * A + 3], 0.03) << z;
  }
}

TEST(GroupCells, MortalityTableByZoneWithEmptyCells) {
  // mx_by_group.csv: every zone with an empty group cell (the standard's values), zone B's floating group doubled.
  const std::string t = replaced(replaced(fixture_text(), "mx = \"mx_standard.csv\"", "mx = \"mx_by_group.csv\""),
                                 "zone_factors = \"mx_factors.csv\"\n", "");
  const auto set = scenarios::load_scenario_text(t, "group_cells", kDir, COHORTGIS_DATA, {});
  const auto& m = set.runs.front().schedules.front().mortality;
  const std::size_t rows = 6;
  for (std::size_t z = 0; z < 2; ++z)
    for (std::size_t g = 0; g < 2; ++g)
      for (std::size_t i = 0; i < rows; ++i) {
        const double expect = (z == 1 && g == 1 ? 2.0 : 1.0) * kStandard[i];
        EXPECT_EQ(m[((z * 2 + g) * 2 + 1) * rows + i], expect) << "zone " << z << ", group " << g << ", row " << i;
      }
}

TEST(GroupCells, TwoEveryGroupFactorsForAZoneAreRefused) {
  const std::string e = error_of(
      replaced(fixture_text(), "zone_factors = \"mx_factors.csv\"", "zone_factors = \"mx_factors_twice.csv\""));
  EXPECT_NE(e.find("mx_factors_twice.csv"), std::string::npos) << e;
  EXPECT_NE(e.find("row 3"), std::string::npos) << e;
  EXPECT_NE(e.find("a second factor for zone A, all groups"), std::string::npos) << e;
}

TEST(GroupCells, ANamedGroupTwiceIsRefused) {
  // mx_factors_named_twice.csv: A,,1  B,,1  B,floating,2  B,floating,3.
  const std::string e = error_of(
      replaced(fixture_text(), "zone_factors = \"mx_factors.csv\"", "zone_factors = \"mx_factors_named_twice.csv\""));
  EXPECT_NE(e.find("a second factor for zone B, group floating"), std::string::npos) << e;
}

TEST(ScenarioName, ControlCharacterIsRefusedAtItsPosition) {
  const std::string t = replaced(fixture_text(), "name = \"group-cells\"", "name = \"a\\tb\"");
  const std::string e = error_of(t);
  // loose_ends.toml:<line>:<column>: key 'scenario.name': "a\x09b": holds a control character …
  EXPECT_TRUE(std::regex_search(e, std::regex(R"(loose_ends\.toml:5:8: key 'scenario\.name': "a\\x09b": holds a )"
                                              R"(control character)")))
      << e;
  const std::string v = error_of(fixture_text() + "\n[[variants]]\nname = \"x\\ny\"\nfertility = { tfr = 2.0 }\n");
  EXPECT_TRUE(std::regex_search(v, std::regex(R"(loose_ends\.toml:[0-9]+:8: key 'variants\[0\]\.name': "x\\x0ay")")))
      << v;
}

// Hostile probe 19: an unknown key of 60,000 bytes was echoed whole in the message.
TEST(BasePopulation, AHugeUnknownKeyIsCutInTheMessage) {
  const std::string key(60000, 'k');
  const std::string e =
      error_of(replaced(fixture_text(), "table = \"base.csv\"", "table = \"base.csv\"\n" + key + " = 3"));
  EXPECT_NE(e.find("key 'base_population.kkkk"), std::string::npos) << e.substr(0, 300);
  EXPECT_NE(e.find("unknown key"), std::string::npos) << e.substr(0, 300);
  EXPECT_LT(e.size(), 2000u);
}

TEST(BasePopulation, RowsIsNotAKey) {
  const std::string e = error_of(replaced(fixture_text(), "table = \"base.csv\"", "table = \"base.csv\"\nrows = 3"));
  EXPECT_NE(e.find("key 'base_population.rows': unknown key"), std::string::npos) << e;
}

TEST(VariantMortality, FormSwitchedOffBesideAnotherFormIsReplaced) {
  // scenarios/README.md: `key = false` switches a baseline key off; a variant writing `mx = false` beside another form
  // was refused as "mortality in two forms". The life table read by its mx column gives the same death rates.
  const std::string base = replaced(replaced(fixture_text(), "mx = \"mx_standard.csv\"", "mx = \"mx_by_group.csv\""),
                                    "zone_factors = \"mx_factors.csv\"\n", "");
  const std::string t = base +
                        "\n[[variants]]\nname = \"as-life-table\"\nmortality = { mx = false, life_table = { path = "
                        "\"mx_by_group.csv\", columns = { mx = \"value\" } } }\n";
  const auto set = scenarios::load_scenario_text(t, "group_cells", kDir, COHORTGIS_DATA, {});
  ASSERT_EQ(set.runs.size(), 2u);
  EXPECT_EQ(set.runs[1].schedules.front().mortality, set.runs[0].schedules.front().mortality);
}

TEST(VariantMortality, FormSwitchedOffAloneIsRefusedAtItsKey) {
  const std::string e = error_of(fixture_text() +
                                 "\n[[variants]]\nname = \"none\"\nmortality = { mx = false, "
                                 "zone_factors = false }\n");
  EXPECT_NE(e.find("key 'variants[0].mortality.mx': switches the baseline's mortality off"), std::string::npos) << e;
}
