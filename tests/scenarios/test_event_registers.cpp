// SPDX-License-Identifier: Apache-2.0
// `[registers]`: registers of births and deaths (one row per event) counted by year, zone, group, sex and age, and
// turned into rates against person-years (the base population, or a table). Every figure is checked against a hand
// count; every exclusion reason is an error by default and counted under a declared policy; register_rates.csv and
// register_observed.csv come out of a whole run with small cells suppressed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cohortgis/app/run.hpp"
#include "cohortgis/scenarios/records.hpp"
#include "cohortgis/scenarios/scenario_file.hpp"

using namespace cohortgis;
namespace fs = std::filesystem;

namespace {

// Zones A and B, one group, five-year ages to 50+. The base population is a register at 2020-12-31: zone A 4 women
// born 1993-06-01 (27: age group 25) and 1 man born 1950-01-01 (70: the open group); zone B 2 women born 1990-01-01
// (30: group 30).
class Events : public ::testing::Test {
 protected:
  fs::path dir;
  void SetUp() override {
    dir = fs::temp_directory_path() / ("cohortgis_events_" + std::to_string(::getpid()) + "_" +
                                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
    // Schedules on the five-year grid to 50+ (the fixtures' end at 20+).
    std::string mx = "age,sex,mx\n";
    for (const char* sex : {"female", "male"})
      for (int a : {0, 1, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50}) mx += std::to_string(a) + "," + sex + ",0.01\n";
    write("mx.csv", mx);
    write("asfr.csv", "age,value\n15,0.1\n20,0.3\n25,0.3\n30,0.2\n35,0.1\n");
    write("people.csv",
          "pid,dob,sex,zone\n1,1993-06-01,F,A\n2,1993-06-01,F,A\n3,1993-06-01,F,A\n4,1993-06-01,F,A\n"
          "5,1950-01-01,M,A\n6,1990-01-01,F,B\n7,1990-01-01,F,B\n");
    // Births: two in A to mothers of 26 (group 25), a girl and a boy; one boy in B to a mother of 30 (group 30).
    write("births.csv",
          "bid,born,mother_dob,child_sex,zone\nb1,2020-03-01,1993-06-01,女,A\nb2,2020-04-01,1993-06-01,男,A\n"
          "b3,2020-05-05,1990-01-01,男,B\n");
    // Deaths: a man of 80 in A (open group), a woman of 29 in B (group 25, where B has no person-years).
    write("deaths.csv", "death_date,dob,sex,zone\n2020-07-01,1940-01-01,M,A\n2020-02-01,1990-02-02,F,B\n");
  }
  void TearDown() override { fs::remove_all(dir); }
  void write(const std::string& name, const std::string& text) const { std::ofstream(dir / name) << text; }
  std::string scenario(const std::string& registers) const {
    return "[scenario]\nname = \"events\"\n[geography]\nzones = [ { id = \"A\" }, { id = \"B\" } ]\n"
           "[projection]\nbase_year = 2020\nhorizon = 2025\nstep = 5\nopen_age = 50\n"
           "[fertility]\nschedule = { path = \"asfr.csv\" }\ntfr = 1.5\nsrb = 105\n"
           "[mortality]\nmx = { path = \"mx.csv\", columns = { value = \"mx\" } }\n"
           "[base_population]\nrecords = { path = \"people.csv\", columns = { id = \"pid\", birth_date = \"dob\" } }\n"
           "[registers]\n" + registers;
  }
  scenarios::ScenarioSet load(const std::string& registers) const {
    write("s.toml", scenario(registers));
    return scenarios::load_scenario_file((dir / "s.toml").string(), COHORTGIS_DATA,
                                         geodata::ReadPolicy{{COHORTGIS_FIXTURES}, {}});
  }
  std::string error_of(const std::string& registers) const {
    try {
      load(registers);
    } catch (const InputError& e) {
      return e.what();
    }
    return "no error";
  }
  // Runs s.toml into dir/out (the scenario reads tests/fixtures, granted as --allow-read would).
  void run_scenario(bool report) const {
    app::RunConfig cfg;
    cfg.scenario = (dir / "s.toml").string();
    cfg.out_dir = (dir / "out").string();
    cfg.quiet = true;
    cfg.report = report;
    cfg.data_dir = COHORTGIS_DATA;
    cfg.allow_read = {COHORTGIS_FIXTURES};
    app::run(cfg);
  }
  std::string read(const fs::path& p) const {
    std::ifstream f(p);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
  }
};

const std::string kBirths =
    "births = { path = \"births.csv\", columns = { id = \"bid\", date = \"born\", mother_birth_date = \"mother_dob\", "
    "sex = \"child_sex\" } }\n";
const std::string kDeaths = "deaths = { path = \"deaths.csv\", columns = { date = \"death_date\", birth_date = \"dob\" } }\n";

TEST_F(Events, CountsByMotherAgeAndAgeAtDeathByHand) {
  const auto set = load(kBirths + kDeaths);
  ASSERT_TRUE(set.events);
  const auto& ev = *set.events;
  ASSERT_EQ(ev.registers.size(), 2u);
  const auto& b = ev.registers[0];
  const auto& d = ev.registers[1];
  EXPECT_EQ(b.kind, "births");
  EXPECT_EQ(b.events, 3u);
  EXPECT_EQ(b.counts[ev.index(2020, 0, 0, 0, 5)], 2.0);  // A, mothers 25-29
  EXPECT_EQ(b.counts[ev.index(2020, 1, 0, 0, 6)], 1.0);  // B, mothers 30-34
  double all = 0;
  for (double v : b.counts) all += v;
  EXPECT_EQ(all, 3.0);
  // Child's sex: A one girl one boy, B one boy ([year][zone][group][sex]).
  EXPECT_EQ(b.births_by_child_sex[0], 1.0);
  EXPECT_EQ(b.births_by_child_sex[1], 1.0);
  EXPECT_EQ(b.births_by_child_sex[3], 1.0);
  EXPECT_EQ(d.counts[ev.index(2020, 0, 0, 1, 10)], 1.0);  // A, man of 80: open group 50+
  EXPECT_EQ(d.counts[ev.index(2020, 1, 0, 0, 5)], 1.0);   // B, woman of 29 (birthday 2 February not reached)
  // Person-years of 2020: the base population.
  EXPECT_EQ(ev.person_years[ev.index(2020, 0, 0, 0, 5)], 4.0);
  EXPECT_EQ(ev.person_years[ev.index(2020, 1, 0, 0, 6)], 2.0);
}

TEST_F(Events, EveryReasonIsAnErrorNamingFileAndRowUnlessExcluded) {
  struct Case {
    const char* row;  // a fourth row of births.csv
    const char* reason;
    const char* message;
  };
  const Case cases[] = {
      {"b4,2020-02-30,1993-06-01,女,A", "bad_date", "expected a date"},
      {"b4,2021-01-01,1993-06-01,女,A", "after_base", "after the base date 2020-12-31"},
      {"b4,2019-05-01,1993-06-01,女,A", "outside_years", "outside registers.years"},
      {"b4,2020-05-01,2020-06-01,女,A", "born_after_event", "after the event"},
      {"b4,2020-05-01,1993-06-01,女,Q", "unknown_zone", "expected a zone id"},
      {"b4,2020-05-01,1993-06-01,?,A", "bad_value", "expected female or male"},
      {"b1,2020-05-01,1993-06-01,女,A", "duplicate_id", "appears on an earlier row"},
  };
  const std::string base = read(dir / "births.csv");
  for (const Case& c : cases) {
    write("births.csv", base + c.row + "\n");
    const std::string e = error_of(kBirths);
    EXPECT_NE(e.find("births.csv"), std::string::npos) << c.reason << ": " << e;
    EXPECT_NE(e.find("row 4"), std::string::npos) << c.reason << ": " << e;
    EXPECT_NE(e.find(c.message), std::string::npos) << c.reason << ": " << e;
    const auto set = load(kBirths + "exclude = [\"" + c.reason + "\"]\n");
    const auto& r = set.events->registers[0];
    ASSERT_EQ(r.exclusions.size(), 1u);
    EXPECT_EQ(r.exclusions[0].reason, c.reason);
    EXPECT_EQ(r.exclusions[0].count, 1u) << c.reason;
    ASSERT_EQ(r.exclusions[0].first_rows.size(), 1u);
    EXPECT_EQ(r.exclusions[0].first_rows[0], 4u);
    EXPECT_EQ(r.events, 3u);
  }
}

TEST_F(Events, ExposureTableCoversEveryYear) {
  // Person-years of 2019 and 2020 given as a table: 10 women 25-29 in A each year, 5 men 50+ in A.
  write("py.csv", "year,zone,sex,age,value\n2019,A,F,25,10\n2020,A,F,25,10\n2019,A,M,50,5\n2020,A,M,50,5\n");
  write("births.csv", "bid,born,mother_dob,child_sex,zone\nb1,2019-03-01,1993-06-01,女,A\nb2,2020-04-01,1993-06-01,男,A\n"
                      "b3,2020-05-05,1993-06-01,男,A\n");
  const auto set = load(kBirths + "years = [2019, 2020]\nexposure = { path = \"py.csv\" }\n");
  const auto& ev = *set.events;
  EXPECT_EQ(ev.registers[0].counts[ev.index(2019, 0, 0, 0, 5)], 1.0);
  EXPECT_EQ(ev.registers[0].counts[ev.index(2020, 0, 0, 0, 5)], 2.0);
  EXPECT_EQ(ev.person_years[ev.index(2019, 0, 0, 0, 5)], 10.0);
  EXPECT_EQ(ev.person_years[ev.index(2020, 1, 0, 0, 5)], 0.0);  // a year given, the cell absent: nobody
  write("py.csv", "year,zone,sex,age,value\n2020,A,F,25,10\n");
  EXPECT_NE(error_of(kBirths + "years = [2019, 2020]\nexposure = { path = \"py.csv\" }\n").find("no person-years for 2019"),
            std::string::npos);
  write("py.csv", "year,zone,sex,age,value\n2019,A,F,27,10\n");
  EXPECT_NE(error_of(kBirths + "years = [2019, 2020]\nexposure = { path = \"py.csv\" }\n")
                .find("expected the first age of an age group"),
            std::string::npos);
}

TEST_F(Events, BadDeclarations) {
  EXPECT_NE(error_of("years = [2019, 2021]\n" + kBirths).find("registers.years[1]"), std::string::npos);
  EXPECT_NE(error_of("exposure = \"census\"\n" + kBirths).find("\"base_population\" or a table"), std::string::npos);
  // A file name alone is answered with the table form to write (round 27: the message did not say it).
  EXPECT_NE(error_of("exposure = \"py.csv\"\n" + kBirths).find("exposure = { path = \"py.csv\" }"), std::string::npos);
  EXPECT_NE(error_of("exclude = [\"typo\"]\n" + kBirths).find("expected one of: bad_date"), std::string::npos);
  EXPECT_NE(error_of("years = [2020, 2020]\n").find("births = …"), std::string::npos);
  write("deaths.csv", "death_date,sex,zone\n2020-07-01,M,A\n");
  EXPECT_NE(error_of(kDeaths).find("deaths.csv, layer 'deaths': missing column 'dob'"), std::string::npos);
  // Unmapped, the register needs a date of birth or an age by its role's name.
  EXPECT_NE(error_of("deaths = { path = \"deaths.csv\", columns = { date = \"death_date\" } }\n")
                .find("expected a column 'birth_date' (date of birth of the deceased) or 'age'"),
            std::string::npos);
}

// Registers with both a date and a year (or a date of birth and an age): the column mapped in `columns` decides,
// the dates when neither is mapped; mapping both is an error. The exposure table's `unit` scales its person-years
// (thousands: 0.01 → 10), and options that a table would ignore are refused.
TEST_F(Events, TheMappedColumnDecidesAndIgnoredOptionsAreRefused) {
  // Death d1: dated 2020-07-01, born 1940 (80: the open group 50+), but its `year` cell says 2019 and its `age` 27.
  write("d2.csv", "date,year,birth_date,age,sex,zone\n2020-07-01,2019,1940-01-01,27,M,A\n");
  const auto by_dates = load("deaths = { path = \"d2.csv\" }\nyears = [2019, 2020]\n");
  EXPECT_EQ(by_dates.events->registers[0].counts[by_dates.events->index(2020, 0, 0, 1, 10)], 1.0);
  const auto by_year_age =
      load("deaths = { path = \"d2.csv\", columns = { year = \"year\", age = \"age\" } }\nyears = [2019, 2020]\n");
  EXPECT_EQ(by_year_age.events->registers[0].counts[by_year_age.events->index(2019, 0, 0, 1, 5)], 1.0);
  EXPECT_NE(
      error_of("deaths = { path = \"d2.csv\", columns = { date = \"date\", year = \"year\" } }\nyears = [2019, 2020]\n")
          .find("key 'registers.deaths.columns': maps both date and year"),
      std::string::npos);
  EXPECT_NE(error_of("deaths = { path = \"d2.csv\", columns = { birth_date = \"birth_date\", age = \"age\" } }\n")
                .find("key 'registers.deaths.columns': maps both birth_date and age"),
            std::string::npos);
  write("py.csv", "year,zone,sex,age,value\n2020,A,F,25,0.01\n");
  const auto k = load(kBirths + "exposure = { path = \"py.csv\", unit = \"thousands\" }\n");
  EXPECT_NEAR(k.events->person_years[k.events->index(2020, 0, 0, 0, 5)], 10.0, 1e-12);
  EXPECT_NE(
      error_of(kBirths + "exposure = { path = \"py.csv\", unit = \"per_1000\" }\n").find("registers.exposure.unit"),
      std::string::npos);
  EXPECT_NE(error_of(kBirths + "exposure = { path = \"py.csv\", per = \"step\" }\n").find("registers.exposure.per"),
            std::string::npos);
  EXPECT_NE(error_of("births = { path = \"births.csv\", unit = \"persons\", columns = { id = \"bid\", date = \"born\", "
                     "mother_birth_date = \"mother_dob\", sex = \"child_sex\" } }\n")
                .find("key 'registers.births.unit': this table has no unit to choose (its values are events"),
            std::string::npos);
  EXPECT_NE(
      error_of(kDeaths.substr(0, kDeaths.size() - 3) + ", between = \"linear\" }\n").find("registers.deaths.between"),
      std::string::npos);
}

TEST_F(Events, RatesAndObservedFiguresOfAWholeRun) {
  write("s.toml", scenario(kBirths + kDeaths));
  run_scenario(false);
  const std::string rates = read(dir / "out" / "register_rates.csv");
  // ASFR of A at 25-29: 2 births / 4 woman-years; mx of A's men 50+: 1 / 1; B's women 25-29: a death, no
  // person-years, so no rate.
  EXPECT_NE(rates.find("births,2020,A,total,female,25,2,4,0.5\n"), std::string::npos) << rates;
  EXPECT_NE(rates.find("births,2020,total,total,female,30,1,2,0.5\n"), std::string::npos) << rates;
  EXPECT_NE(rates.find("deaths,2020,A,total,male,50,1,1,1\n"), std::string::npos) << rates;
  EXPECT_NE(rates.find("deaths,2020,B,total,female,25,1,0,\n"), std::string::npos) << rates;
  const std::string obs = read(dir / "out" / "register_observed.csv");
  // A: 2 births, 1 death over 5 person-years: CBR 400, CDR 200, natural growth 200 per 1000; TFR = 5 × 2/4 = 2.5;
  // SRB 100 boys per 100 girls. The whole area: 3 births over 7 person-years; SRB 200.
  for (const char* line : {"2020,A,total,births,2,persons\n", "2020,A,total,cbr_per_1000,400,per 1000\n",
                           "2020,A,total,cdr_per_1000,200,per 1000\n", "2020,A,total,natural_growth_per_1000,200,per 1000\n",
                           "2020,A,total,tfr,2.5,children per woman\n", "2020,A,total,srb_per_100_females,100,per 100 females\n",
                           "2020,total,total,births,3,persons\n", "2020,total,total,srb_per_100_females,200,per 100 females\n",
                           "2020,total,total,person_years,7,persons\n"})
    EXPECT_NE(obs.find(line), std::string::npos) << line << obs;
  const std::string manifest = read(dir / "out" / "manifest.json");
  for (const char* f : {"register_rates.csv", "register_observed.csv", "register_exclusions.csv", "births.csv", "deaths.csv"})
    EXPECT_NE(manifest.find(f), std::string::npos) << f;
}

TEST_F(Events, SmallCellsSuppressed) {
  write("s.toml", scenario(kBirths + kDeaths) + "[outputs]\nmin_cell = 2\n");
  run_scenario(false);
  const std::string rates = read(dir / "out" / "register_rates.csv");
  EXPECT_NE(rates.find("births,2020,A,total,female,25,2,4,0.5,0\n"), std::string::npos) << rates;
  EXPECT_NE(rates.find("births,2020,B,total,female,30,,2,,1\n"), std::string::npos) << rates;  // 1 birth: hidden
  const std::string obs = read(dir / "out" / "register_observed.csv");
  EXPECT_NE(obs.find("2020,B,total,births,,persons,1\n"), std::string::npos) << obs;
  EXPECT_EQ(obs.find("2020,A,total,srb_per_100_females"), std::string::npos) << obs;  // 1 girl, 1 boy: no ratio
}

}  // namespace

namespace {

TEST_F(Events, ReportShowsRowsLeftOutAndEventsCounted) {
  write("births.csv", read(dir / "births.csv") + "b4,2021-01-02,1993-06-01,女,A\n");
  write("s.toml", scenario(kBirths + kDeaths + "exclude = [\"after_base\"]\n"));
  run_scenario(true);
  const std::string html = read(dir / "out" / "report.html");
  EXPECT_NE(html.find("Registers: records left out"), std::string::npos);
  EXPECT_NE(html.find("<td>births</td><td>after_base</td><td>left out, counted</td><td>1</td><td>4</td>"),
            std::string::npos);
  EXPECT_NE(html.find("2020 registered: births 3, deaths 2"), std::string::npos);
  const std::string ex = read(dir / "out" / "register_exclusions.csv");
  EXPECT_NE(ex.find("births,after_base,exclude,1,4\n"), std::string::npos) << ex;
  EXPECT_NE(ex.find("deaths,after_base,exclude,0,\n"), std::string::npos) << ex;
}

}  // namespace
