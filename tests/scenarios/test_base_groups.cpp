// SPDX-License-Identifier: Apache-2.0
// [base_population] by group: a group as the residual of a total (by hand, and its negative-cell error), groups
// fitted to margins (every margin met, units applied), and the Foshan example's base (registered 65+ = the city's
// 286,500; the groups add up to the census cells; the group totals are the census's hukou counts).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "cohortgis/scenarios/scenario_file.hpp"
#include "cohortgis/scenarios/sources.hpp"

using namespace cohortgis;
namespace fs = std::filesystem;

namespace {

const std::string kBad = std::string(COHORTGIS_FIXTURES) + "/bad";

// A two-zone (A, B), two-group scenario on a five-year grid to 20+ in a fresh folder; `base` is the
// [base_population] section, `files` the tables it names.
class GroupsScenario : public ::testing::Test {
 protected:
  fs::path dir;
  void SetUp() override {
    dir = fs::temp_directory_path() / ("cohortgis_groups_" + std::to_string(::getpid()) + "_" +
                                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }
  void write(const std::string& name, const std::string& text) const { std::ofstream(dir / name) << text; }
  // Rows "zone,sex,age,population" with `value(zone, sex, age)` for every cell.
  template <class F>
  std::string long_table(F value) const {
    std::string t = "zone,sex,age,population\n";
    for (const char* z : {"A", "B"})
      for (const char* s : {"female", "male"})
        for (int a = 0; a <= 20; a += 5) t += std::string(z) + "," + s + "," + std::to_string(a) + "," + value(z, s, a) + "\n";
    return t;
  }
  scenarios::Scenario load(const std::string& base) const {
    write("s.toml", "[scenario]\nname = \"groups\"\n[geography]\nzones = [ { id = \"A\" }, { id = \"B\" } ]\n"
                    "[projection]\nbase_year = 2020\nhorizon = 2030\nstep = 5\nopen_age = 20\n"
                    "groups = [\"registered\", \"floating\"]\n"
                    "[fertility]\nschedule = { path = \"" + kBad + "/asfr.csv\" }\ntfr = 1.5\nsrb = 105\n"
                    "[mortality]\nmx = { path = \"" + kBad + "/mx.csv\", columns = { value = \"mx\" } }\n"
                    "[base_population]\n" + base);
    // The scenario reads tests/fixtures/bad: granted as --allow-read would.
    return scenarios::load_scenario_file((dir / "s.toml").string(), COHORTGIS_DATA,
                                         geodata::ReadPolicy{{COHORTGIS_FIXTURES}, {}})
        .runs.front();
  }
  std::string error_of(const std::string& base) const {
    try {
      load(base);
    } catch (const InputError& e) {
      return e.what();
    }
    return "no error";
  }
};

// total − floating, cell by cell: A female 5–9 is 1000 − 300 = 700; every other cell 1000 − 100 = 900.
TEST_F(GroupsScenario, ResidualByHand) {
  write("total.csv", long_table([](auto, auto, int) { return std::string("1000"); }));
  write("floating.csv", long_table([](const std::string& z, const std::string& s, int a) {
          return std::string(z == "A" && s == "female" && a == 5 ? "300" : "100");
        }));
  const auto sc = load("table = \"total.csv\"\nresidual = { group = \"registered\", others = { floating = \"floating.csv\" } }\n");
  EXPECT_EQ(sc.base_population.at(0, 0, 0, 1), 700.0);
  EXPECT_EQ(sc.base_population.at(0, 1, 0, 1), 300.0);
  EXPECT_EQ(sc.base_population.at(1, 0, 1, 4), 900.0);
  EXPECT_EQ(sc.base_population.at(1, 1, 1, 4), 100.0);
  double sum = 0;
  for (double v : sc.base_population.data()) sum += v;
  EXPECT_EQ(sum, 20 * 1000.0);
}

TEST_F(GroupsScenario, ResidualNegativeCellNamesZoneSexAgeAndBothValues) {
  write("total.csv", long_table([](auto, auto, int) { return std::string("1000"); }));
  write("floating.csv", long_table([](const std::string& z, const std::string& s, int a) {
          return std::string(z == "B" && s == "male" && a == 20 ? "1000.5" : "0");
        }));
  const std::string msg =
      error_of("table = \"total.csv\"\nresidual = { group = \"registered\", others = { floating = \"floating.csv\" } }\n");
  EXPECT_NE(msg.find("key 'base_population.residual': zone B, male, age 20+: the other groups (floating) hold 1000.5 "
                     "persons but the total is 1000"), std::string::npos) << msg;
}

TEST_F(GroupsScenario, ResidualNeedsEveryOtherGroup) {
  write("total.csv", long_table([](auto, auto, int) { return std::string("1000"); }));
  const std::string msg = error_of("table = \"total.csv\"\nresidual = { group = \"registered\", others = {} }\n");
  EXPECT_NE(msg.find("key 'base_population.residual.others.floating': missing"), std::string::npos) << msg;
}

// Total in thousands (1 = 1000 persons), group totals by zone in 万人, floating's profile a table, a known count of
// registered women aged 10+ in zone B: every margin met to 1e-9 relative, the profile's ratio kept where free.
TEST_F(GroupsScenario, FitMeetsEveryMarginWithUnits) {
  write("total.csv", long_table([](const std::string& z, const std::string& s, int a) {
          return std::to_string(1.0 + (z == "B" ? 0.5 : 0.0) + (s == "male" ? 0.1 : 0.0) + a / 20.0);
        }));
  // Zone totals: A 10 cells 1.0…2.0 (+0.1 male): 2·(1+1.25+1.5+1.75+2) + 0.5 = 15.5 thousand; B 15.5 + 5 = 20.5.
  write("totals.csv", "zone,group,population\nA,registered,0.9\nA,floating,0.65\nB,registered,1.25\nB,floating,0.8\n");
  write("profile.csv", "sex,age,share\nfemale,0,1\nfemale,5,1\nfemale,10,4\nfemale,15,3\nfemale,20,1\n"
                       "male,0,1\nmale,5,1\nmale,10,4\nmale,15,3\nmale,20,1\n");
  const auto sc = load("table = { path = \"total.csv\", unit = \"thousands\" }\n[base_population.fit]\n"
                       "group_totals = { path = \"totals.csv\", unit = \"10k\" }\n"
                       "profiles = { floating = \"profile.csv\", registered = \"uniform\" }\n"
                       "known = [ { group = \"registered\", zone = \"B\", sex = \"female\", ages = [10], persons = 4000 } ]\n");
  const auto& p = sc.base_population;
  auto near = [](double got, double want) { EXPECT_LE(std::abs(got - want), 1e-9 * want) << got << " vs " << want; };
  for (int z = 0; z < 2; ++z)
    for (int s = 0; s < 2; ++s)
      for (int a = 0; a < 5; ++a)
        near(p.at(z, 0, s, a) + p.at(z, 1, s, a), 1000.0 * (1.0 + 0.5 * z + 0.1 * s + a * 5 / 20.0));
  const double want[2][2] = {{9000, 6500}, {12500, 8000}};
  for (int z = 0; z < 2; ++z)
    for (int g = 0; g < 2; ++g) {
      double t = 0;
      for (int s = 0; s < 2; ++s)
        for (int a = 0; a < 5; ++a) t += p.at(z, g, s, a);
      near(t, want[z][g]);
    }
  near(p.at(1, 0, 0, 2) + p.at(1, 0, 0, 3) + p.at(1, 0, 0, 4), 4000.0);
  ASSERT_FALSE(sc.assumptions.empty());
  EXPECT_NE(sc.assumptions.back().find("iterative proportional fitting"), std::string::npos) << sc.assumptions.back();
  EXPECT_NE(sc.assumptions.back().find("sweeps"), std::string::npos);
  // As the report shows it (planner audit, round 21: "from the profiles registered uniform; floating profile.csv", and
  // a gap of 17 digits).
  EXPECT_NE(
      sc.assumptions.back().find("from age-sex profiles (registered: uniform; floating: profile.csv); converged in "),
      std::string::npos)
      << sc.assumptions.back();
  const std::string gap = sc.assumptions.back().substr(sc.assumptions.back().find("largest relative gap ") + 21);
  EXPECT_LE(gap.size(), 9u) << gap;  // two significant digits: "6.9e-12." or "0."
}

TEST_F(GroupsScenario, FitGroupTotalsMustAddUpPerZone) {
  write("total.csv", long_table([](auto, auto, int) { return std::string("1000"); }));
  write("totals.csv", "zone,group,population\nA,registered,6000\nA,floating,4000\nB,registered,7000\nB,floating,3001\n");
  const std::string msg = error_of("table = \"total.csv\"\n[base_population.fit]\ngroup_totals = \"totals.csv\"\n");
  EXPECT_NE(msg.find("zone B: the group totals add up to 10001 but the base population table gives 10000"),
            std::string::npos) << msg;
}

TEST_F(GroupsScenario, KnownCountAgesMustBeWholeAgeGroups) {
  write("total.csv", long_table([](auto, auto, int) { return std::string("1000"); }));
  const std::string msg = error_of("table = \"total.csv\"\n[base_population.fit]\n"
                                   "known = [ { group = \"registered\", ages = [5, 12], persons = 10 } ]\n");
  EXPECT_NE(msg.find("key 'base_population.fit.known[0].ages[1]': expected the last age of an age group"),
            std::string::npos) << msg;
}

TEST_F(GroupsScenario, FitProfileTypoListsTheChoices) {
  write("total.csv", long_table([](auto, auto, int) { return std::string("1000"); }));
  const std::string msg = error_of("table = \"total.csv\"\n[base_population.fit]\nprofiles = { floating = \"rogers\" }\n");
  EXPECT_NE(msg.find("key 'base_population.fit.profiles.floating': expected \"total\""), std::string::npos) << msg;
}

// No group totals: a known count without ages is floating's total for the whole area; the profiles ("total" for
// both) then split every cell in the same proportion, 4000 : 16000 (200 : 800 per cell).
TEST_F(GroupsScenario, FitWithAKnownGroupTotalOnly) {
  write("total.csv", long_table([](auto, auto, int) { return std::string("1000"); }));
  const auto sc = load("table = \"total.csv\"\n[base_population.fit]\nknown = [ { group = \"floating\", persons = 4000 } ]\n");
  for (int z = 0; z < 2; ++z)
    for (int s = 0; s < 2; ++s)
      for (int a = 0; a < 5; ++a) {
        EXPECT_NEAR(sc.base_population.at(z, 0, s, a), 800.0, 1e-6);
        EXPECT_NEAR(sc.base_population.at(z, 1, s, a), 200.0, 1e-6);
      }
  const std::string msg = error_of("table = \"total.csv\"\n[base_population.fit]\nprofiles = { floating = \"uniform\" }\n");
  EXPECT_NE(msg.find("expected 'group_totals' or 'known' counts"), std::string::npos) << msg;
}

// A known count equal to the whole area's: registered aged 20+ = 4000, every census cell of that age (4 × 1000).
// Floating then has no one aged 20+, which the sweeps alone only approach (round 27: "did not converge after 10000
// sweeps"); the fit sets those cells to 0 and, by hand, registered 20+ = 1000 per cell, the other ages split by the
// profiles ("total" for both: the same) 500 : 500. A count of 4001 (more than the cells hold) still fails.
TEST_F(GroupsScenario, FitKnownCountOfTheWholeAreaByHand) {
  write("total.csv", long_table([](auto, auto, int) { return std::string("1000"); }));
  const auto sc = load(
      "table = \"total.csv\"\n[base_population.fit]\n"
      "known = [ { group = \"registered\", ages = [20], persons = 4000 } ]\n");
  for (int z = 0; z < 2; ++z)
    for (int s = 0; s < 2; ++s) {
      for (int a = 0; a < 4; ++a) {
        EXPECT_NEAR(sc.base_population.at(z, 0, s, a), 500.0, 1e-8) << z << s << a;
        EXPECT_NEAR(sc.base_population.at(z, 1, s, a), 500.0, 1e-8) << z << s << a;
      }
      EXPECT_NEAR(sc.base_population.at(z, 0, s, 4), 1000.0, 1e-8) << z << s;
      EXPECT_EQ(sc.base_population.at(z, 1, s, 4), 0.0) << z << s;
    }
  const std::string msg = error_of(
      "table = \"total.csv\"\n[base_population.fit]\n"
      "known = [ { group = \"registered\", ages = [20], persons = 4001 } ]\n");
  EXPECT_NE(msg.find("key 'base_population.fit': fitting: did not converge after 10000 sweeps"), std::string::npos)
      << msg;
}

// The directly given long table (form a) in 万人: 0.1 → 1000 persons.
TEST_F(GroupsScenario, GroupTableInTenThousands) {
  std::string t = "zone,group,sex,age,population\n";
  for (const char* z : {"A", "B"})
    for (const char* g : {"registered", "floating"})
      for (const char* s : {"female", "male"})
        for (int a = 0; a <= 20; a += 5) t += std::string(z) + "," + g + "," + s + "," + std::to_string(a) + ",0.1\n";
  write("groups.csv", t);
  const auto sc = load("table = { path = \"groups.csv\", unit = \"10k\" }\n");
  EXPECT_DOUBLE_EQ(sc.base_population.at(1, 1, 1, 4), 1000.0);
}

TEST(FoshanBase, RegisteredOldAgeIsTheCitysFigureAndGroupsAddUpToTheCensus) {
  const std::string dir = std::string(COHORTGIS_EXAMPLES) + "/foshan-2011";
  const auto set = scenarios::load_scenario_file(dir + "/scenario.toml", COHORTGIS_DATA);
  const scenarios::Scenario& sc = set.runs.front();
  ASSERT_EQ(sc.group_names, (std::vector<std::string>{"registered", "floating"}));
  const auto& p = sc.base_population;
  const int A = sc.grid.n_ages;
  ASSERT_EQ(A, 18);  // 0, 5, …, 85+
  double reg65 = 0;
  for (std::size_t z = 0; z < sc.zones.size(); ++z)
    for (int s = 0; s < 2; ++s)
      for (int i = 13; i < A; ++i) reg65 += p.at(static_cast<int>(z), 0, s, i);
  EXPECT_NEAR(reg65, 286500.0, 1e-6);
  double fl65 = 0;  // the census's 378,193 residents aged 65+ less the registered 286,500 (README)
  for (std::size_t z = 0; z < sc.zones.size(); ++z)
    for (int s = 0; s < 2; ++s)
      for (int i = 13; i < A; ++i) fl65 += p.at(static_cast<int>(z), 1, s, i);
  EXPECT_NEAR(fl65, 378193.0 - 286500.0, 1e-9 * 378193.0);  // census cells are margins met to 1e-11 each
  const std::string census_file = dir + "/census2010_foshan.csv";
  const auto districts = scenarios::read_census_districts(census_file, "");
  for (std::size_t z = 0; z < sc.zones.size(); ++z) {
    const scenarios::CensusDistrict* d = nullptr;
    for (const auto& c : districts)
      if (c.code == sc.zones[z].id) d = &c;
    ASSERT_NE(d, nullptr) << sc.zones[z].id;
    const auto cells = scenarios::census_population_by_sex_age(*d, sc.grid, census_file);
    double floating = 0;
    for (int s = 0; s < 2; ++s)
      for (int i = 0; i < A; ++i) {
        const double census = cells[static_cast<std::size_t>(s * A + i)];
        const int zi = static_cast<int>(z);
        EXPECT_NEAR(p.at(zi, 0, s, i) + p.at(zi, 1, s, i), census, 1e-9 * census + 1e-9) << d->code << " " << s << " " << i;
        EXPECT_GE(p.at(zi, 0, s, i), 0.0);
        EXPECT_GE(p.at(zi, 1, s, i), 0.0);
        floating += p.at(zi, 1, s, i);
      }
    const double want = d->at("pop_hukou_elsewhere_other_district_same_province", census_file) +
                        d->at("pop_hukou_elsewhere_other_province", census_file);
    EXPECT_NEAR(floating, want, 1e-9 * want) << d->code;
  }
}

}  // namespace

// The long table's reader remembers the previous row's zone and group (most tables list a zone's rows together):
// rows in any order still land in their own cells, and an unknown zone or group after known ones is still named,
// with its data row.
TEST_F(GroupsScenario, LongTableRowsInAnyOrder) {
  // Zone and group change on every row (ages outermost); cell value = 1000·zone + 100·group + 10·sex + age group.
  std::string t = "zone,group,sex,age,population\n";
  for (int a = 0; a <= 20; a += 5)
    for (int s = 0; s < 2; ++s)
      for (int g = 0; g < 2; ++g)
        for (int z = 0; z < 2; ++z)
          t += std::string(z ? "B" : "A") + "," + (g ? "floating" : "registered") + "," + (s ? "male" : "female") +
               "," + std::to_string(a) + "," + std::to_string(1000 * z + 100 * g + 10 * s + a / 5) + "\n";
  write("base.csv", t);
  const auto sc = load("table = \"base.csv\"\n");
  for (int z = 0; z < 2; ++z)
    for (int g = 0; g < 2; ++g)
      for (int s = 0; s < 2; ++s)
        for (int i = 0; i < 5; ++i)
          EXPECT_EQ(sc.base_population.at(z, g, s, i), 1000.0 * z + 100 * g + 10 * s + i) << z << g << s << i;

  write("zone.csv", "zone,group,sex,age,population\nA,registered,female,0,1\nA,registered,female,5,1\n"
                    "C,registered,female,10,1\n");
  EXPECT_NE(error_of("table = \"zone.csv\"\n").find("data row 3 (row 4 counting the header row), column 'zone': "
                                                    "expected a zone id of the geography, got \"C\""),
            std::string::npos)
      << error_of("table = \"zone.csv\"\n");
  write("group.csv", "zone,group,sex,age,population\nA,registered,female,0,1\nB,registered,female,0,1\n"
                     "B,visitors,female,0,1\n");
  EXPECT_NE(error_of("table = \"group.csv\"\n").find("data row 3 (row 4 counting the header row), column 'group': "
                                                     "expected a group of projection.groups, got \"visitors\""),
            std::string::npos)
      << error_of("table = \"group.csv\"\n");
}

// The long table's reader takes "female", "male" and whole ages from 0 to 150 directly and everything else through
// the shared checks: other spellings of a sex are accepted, anything else is reported with its data row.
TEST_F(GroupsScenario, LongTableSexAndAgeCells) {
  const std::string head = "zone,group,sex,age,population\nA,registered,female,0,1\nB,floating,male,5,2\n";
  write("spellings.csv", head + "A,floating,F,10,3\nB,registered,m,20,4\n");
  const auto sc = load("table = \"spellings.csv\"\n");
  EXPECT_EQ(sc.base_population.at(0, 0, 0, 0), 1.0);
  EXPECT_EQ(sc.base_population.at(1, 1, 1, 1), 2.0);
  EXPECT_EQ(sc.base_population.at(0, 1, 0, 2), 3.0);
  EXPECT_EQ(sc.base_population.at(1, 0, 1, 4), 4.0);
  const std::pair<std::string, std::string> cases[] = {
      {"A,registered,x,10,1\n",
       "data row 3 (row 4 counting the header row), column 'sex': expected female or male, got \"x\""},
      {"A,registered,female,2.5,1\n",
       "data row 3 (row 4 counting the header row), column 'age': '2.5'; expected a whole age from 0 to 150"},
      {"A,registered,female,151,1\n",
       "data row 3 (row 4 counting the header row), column 'age': '151'; expected a whole age from 0 to 150"},
      {"A,registered,female,-5,1\n",
       "data row 3 (row 4 counting the header row), column 'age': '-5'; expected a whole age from 0 to 150"},
      // A zone id with spaces around it (a census spreadsheet's "B "): an error naming both spellings.
      {"B ,registered,female,10,1\n",
       "column 'zone': expected a zone id of the geography, got \"B \"; the geography's zone is \"B\", without the "
       "spaces around \"B \": it reads alike, but zone ids are compared as written: remove the spaces from the table"},
      {"\xC2\xA0"
       "A\xE3\x80\x80,registered,female,10,1\n",
       "the geography's zone is \"A\", without the spaces"}};
  for (const auto& [row, message] : cases) {
    write("bad.csv", head + row);
    const std::string e = error_of("table = \"bad.csv\"\n");
    EXPECT_NE(e.find(message), std::string::npos) << e;
  }
}

// census_long (data/census/DATA.md) with a district code written "110101 ": the message names both spellings instead
// of only "no rows for zone 110101".
TEST(CensusLong, ZoneCodeWithSpacesNamesBothSpellings) {
  const fs::path dir = fs::temp_directory_path() / ("cohortgis_census_spaces_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  {
    std::ifstream in(std::string(COHORTGIS_DATA) + "/census/census2020_districts.csv");
    std::ofstream out(dir / "census.csv");
    for (std::string line; std::getline(in, line);)
      out << (line.starts_with("110101,") ? "110101 " + line.substr(6) : line) << "\n";
  }
  std::ofstream(dir / "s.toml") << "[geography]\nzones = [ { id = \"110101\" }, { id = \"110102\" } ]\n"
                                   "[projection]\nbase_year = 2020\nhorizon = 2025\nstep = 5\nopen_age = 20\n"
                                   "[fertility]\nschedule = { path = \"" +
                                       kBad +
                                       "/asfr.csv\" }\ntfr = 1.5\nsrb = 105\n"
                                       "[mortality]\nmx = { path = \"" +
                                       kBad +
                                       "/mx.csv\", columns = { value = \"mx\" } }\n"
                                       "[base_population]\ntable = \"census.csv\"\nformat = \"census_long\"\n";
  std::string msg = "no error";
  try {
    (void)scenarios::load_scenario_file((dir / "s.toml").string(), COHORTGIS_DATA,
                                        geodata::ReadPolicy{{COHORTGIS_FIXTURES}, {}});
  } catch (const InputError& e) {
    msg = e.what();
  }
  EXPECT_NE(msg.find("no rows for zone \"110101\"; the table has rows for \"110101 \", the zone's id with spaces "
                     "around it: remove them from the table"),
            std::string::npos)
      << msg;
  fs::remove_all(dir);
}
