// SPDX-License-Identifier: Apache-2.0
// Loader rules for input forms of the UN's projection code (ccmppWPP): l(65) of the mortality forms read as
// person-years (qx, lx, Lx with an lx column, a whole life table), from which the engine's e65 = T(65) / l(65) comes,
// and net migration rates of any finite size (ccmppWPP's M = r · P for every rate). Expected values by hand.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "cohortgis/scenarios/scenario_file.hpp"

using namespace cohortgis;

namespace {

// Single years 0 … 70+, one zone, one step 2020 → 2021; `tail` adds [mortality] and what else a test needs.
const std::string kHead =
    "[scenario]\nname = \"un-forms\"\n[geography]\nzones = [ { id = \"A\" } ]\n"
    "[projection]\nbase_year = 2020\nhorizon = 2021\nstep = 1\nopen_age = 70\n"
    "[base_population]\ntable = \"frame:base\"\n"
    "[fertility]\nschedule = { path = \"frame:asfr\", unit = \"per_woman\" }\nsrb = 105\n";

std::string num(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.17g", v);
  return b;
}

// A life table on l0 = 100000: q = 0.5 at ages 10 and 40, 0 at the other closed ages, so l is 100000 to age 10,
// 50000 from 11 and 25000 from 41 on (l(65) = 25000, exact in binary); a = 0.5, the open group's m = 0.2.
// Columns age, sex, qx, lx, Lx, ax, mx; `lx65` replaces the lx column's value at 65 (the Lx and whole-table forms
// read it as l(65)).
scenarios::MemoryTable life_table(double lx65 = 25000.0) {
  scenarios::MemoryTable t{{"age", "sex", "qx", "lx", "Lx", "ax", "mx"}, {}};
  for (const char* sex : {"female", "male"}) {
    double l = 100000.0;
    for (int x = 0; x <= 70; ++x) {
      const double q = x == 70 ? 1.0 : (x == 10 || x == 40) ? 0.5 : 0.0;
      const double next = l * (1.0 - q);
      const double L = x == 70 ? l / 0.2 : next + 0.5 * (l - next);
      t.rows.push_back({std::to_string(x), sex, num(q), num(x == 65 ? lx65 : l), num(L), "0.5", "0.2"});
      l = next;
    }
  }
  return t;
}

scenarios::MemoryTable without(scenarios::MemoryTable t, const std::string& column) {
  const auto at = std::find(t.columns.begin(), t.columns.end(), column) - t.columns.begin();
  t.columns.erase(t.columns.begin() + at);
  for (auto& row : t.rows) row.erase(row.begin() + at);
  return t;
}

scenarios::MemoryTables frames(const scenarios::MemoryTable& lt) {
  return {{"base",
           {{"zone", "sex", "age", "population"},
            {{"A", "female", "30", "100"},
             {"A", "male", "30", "100"},
             {"A", "female", "70", "0"},
             {"A", "male", "70", "0"}}}},
          {"asfr", {{"age", "value"}, {{"30", "0.1"}}}},
          {"lt", lt}};
}

scenarios::Scenario load(const std::string& tail, const scenarios::MemoryTable& lt = life_table()) {
  return scenarios::load_scenario_text(kHead + tail, "un_forms", ".", COHORTGIS_DATA, frames(lt)).runs.front();
}

std::string error_of(const std::string& tail, const scenarios::MemoryTable& lt = life_table()) {
  try {
    (void)load(tail, lt);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST(PersonYearsL65, EachFormGivesItsTablesL65) {
  // lx: the table's own l(65); qx: l0 · Π(1 − q) = 100000 · 0.5 · 0.5.
  for (const char* form : {"lx = { path = \"frame:lt\", columns = { value = \"lx\" } }",
                           "qx = { path = \"frame:lt\", columns = { value = \"qx\" } }"}) {
    // (qx without the lx column, which would give l0 and l(65) itself)
    const scenarios::MemoryTable lt = form[0] == 'q' ? without(life_table(), "lx") : life_table();
    const scenarios::Scenario sc = load(std::string("[mortality]\n") + form + "\n", lt);
    const StepSchedules& s = sc.schedules.front();
    ASSERT_EQ(s.mortality_kind, MortalityInput::person_years) << form;
    EXPECT_EQ(s.l65, (std::vector<double>{25000.0, 25000.0})) << form;
    EXPECT_EQ(s.radix_l0, (std::vector<double>{100000.0, 100000.0})) << form;
  }
  // Lx with an lx column, and a whole life table (its Lx, l0 = lx at 0): the lx column's value at 65, which the
  // Lx rows cannot give (here 24000, not the 25000 the rows would imply).
  for (const char* form :
       {"Lx = { path = \"frame:lt\", columns = { value = \"Lx\" } }", "life_table = { path = \"frame:lt\" }"}) {
    const scenarios::Scenario sc = load(std::string("[mortality]\n") + form + "\n", life_table(24000.0));
    EXPECT_EQ(sc.schedules.front().l65, (std::vector<double>{24000.0, 24000.0})) << form;
  }
}

TEST(PersonYearsL65, LxWithoutAnLxColumnHasNone) {
  const scenarios::Scenario sc =
      load("[mortality]\nLx = { path = \"frame:lt\", columns = { value = \"Lx\" } }\n", without(life_table(), "lx"));
  EXPECT_TRUE(sc.schedules.front().l65.empty());  // e65 unknown (NaN): the engine's test PersonYearsLifeExpectancy
}

TEST(PersonYearsL65, AnLxAt65OutsideTheRadixIsAnErrorNamingTheRow) {
  const std::string e =
      error_of("[mortality]\nLx = { path = \"frame:lt\", columns = { value = \"Lx\" } }\n", life_table(100001.0));
  EXPECT_NE(e.find("column 'lx'"), std::string::npos) << e;
  EXPECT_NE(e.find("lx at age 65 is 100001; expected 0 to the radix l0 = 100000"), std::string::npos) << e;
}

// Round 29 (h184): person-years of 0 in an age group of the grid (a probability of dying of 1 in a closed row, an
// open group of 0) reached the engine, whose error named its own row number but neither the table nor the key; an
// open group whose rows past the open age sum past the largest double likewise; a qx table's open rate of 1e308 was
// taken (an mx table refuses a rate above 2), its open group dying within the step.
TEST(PersonYearsForms, AnAgeGroupWithoutPersonYearsIsAnErrorNamingTheTable) {
  scenarios::MemoryTable dead = life_table();
  for (auto& row : dead.rows)
    if (row[0] == "20") row[2] = "1";  // qx = 1 at 20: nobody reaches 21
  const std::string q =
      error_of("[mortality]\nqx = { path = \"frame:lt\", columns = { value = \"qx\" } }\n", without(dead, "lx"));
  EXPECT_NE(q.find("key 'mortality.qx'"), std::string::npos) << q;
  EXPECT_NE(q.find("table 'lt', row 21, column 'age' (female)"), std::string::npos) << q;  // female, age 21
  EXPECT_NE(q.find("Lx at age 21 is 0; expected person-years above 0 and finite in every age group (nobody lives"),
            std::string::npos)
      << q;
  scenarios::MemoryTable open_zero = life_table();
  for (auto& row : open_zero.rows)
    if (row[0] == "70" && row[1] == "male") row[4] = "0";
  const std::string o =
      error_of("[mortality]\nLx = { path = \"frame:lt\", columns = { value = \"Lx\" } }\n", open_zero);
  EXPECT_NE(o.find("column 'Lx' (male): the open age group 70+ holds 0 person-years"), std::string::npos) << o;
  // Rows 0 … 72 of 1e308 person-years each on a radix of 1e308: each finite, T(70) = 3e308 is not.
  scenarios::MemoryTable huge{{"age", "sex", "Lx", "lx"}, {}};
  for (const char* sex : {"female", "male"})
    for (int x = 0; x <= 72; ++x) huge.rows.push_back({std::to_string(x), sex, "1e308", x == 0 ? "1e308" : ""});
  const std::string h = error_of("[mortality]\nLx = { path = \"frame:lt\", columns = { value = \"Lx\" } }\n", huge);
  EXPECT_NE(h.find("the open age group 70+ holds inf person-years (the sum of the rows from 70 on)"), std::string::npos)
      << h;
  scenarios::MemoryTable fast = life_table();
  for (auto& row : fast.rows)
    if (row[0] == "70") row[6] = "1e308";
  const std::string f =
      error_of("[mortality]\nqx = { path = \"frame:lt\", columns = { value = \"qx\" } }\n", without(fast, "lx"));
  EXPECT_NE(f.find("column 'mx' (female): the open age group's rate: expected a death rate from 0 to 2"),
            std::string::npos)
      << f;
  // The rate of 2 itself, as in an mx table, is taken.
  for (auto& row : fast.rows)
    if (row[0] == "70") row[6] = "2";
  EXPECT_NO_THROW(
      load("[mortality]\nqx = { path = \"frame:lt\", columns = { value = \"qx\" } }\n", without(fast, "lx")));
}

TEST(NetRates, AnyFiniteRateIsTakenAsGiven) {
  // Kuwait's rates run from −2.88 to 4.44 (ccmppWPP's data set): M = r · P, whatever r.
  const scenarios::MemoryTable rates{{"sex", "age", "value"}, {{"female", "30", "4.44"}, {"male", "30", "-2.88"}}};
  scenarios::MemoryTables f = frames(life_table());
  f["rates"] = rates;
  const auto sc =
      scenarios::load_scenario_text(kHead +
                                        "[mortality]\nlx = { path = \"frame:lt\", columns = { value = \"lx\" } }\n"
                                        "[migration]\nnet_rate = { path = \"frame:rates\", per = \"step\" }\n",
                                    "un_forms", ".", COHORTGIS_DATA, f)
          .runs.front();
  const std::vector<double>& r = sc.schedules.front().net_migrants_per_person;  // [zone][group][sex][age]
  ASSERT_EQ(r.size(), 2u * 71u);
  EXPECT_EQ(r[30], 4.44);
  EXPECT_EQ(r[71 + 30], -2.88);
  // A cell that is no finite number stays an error naming the table's row and column.
  f["rates"].rows[0][2] = "nan";
  try {
    (void)scenarios::load_scenario_text(kHead +
                                            "[mortality]\nlx = { path = \"frame:lt\", columns = { value = \"lx\" } }\n"
                                            "[migration]\nnet_rate = { path = \"frame:rates\", per = \"step\" }\n",
                                        "un_forms", ".", COHORTGIS_DATA, f);
    ADD_FAILURE() << "a NaN rate was taken";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("column 'value'"), std::string::npos) << e.what();
  }
}
