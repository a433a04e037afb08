// SPDX-License-Identifier: Apache-2.0
// `[base_population] records`: person-level registers counted into the base population. Dates and ages in completed
// years (birthdays on the base date, 29 February), every exclusion reason (counted under a declared policy, an
// error naming file and row otherwise), points joined to zones (the boundary rule), parity of women, and registers
// without the mapped columns.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "cohortgis/scenarios/records.hpp"
#include "cohortgis/scenarios/scenario_file.hpp"

using namespace cohortgis;
using scenarios::CivilDate;
namespace fs = std::filesystem;

namespace {

const std::string kBad = std::string(COHORTGIS_FIXTURES) + "/bad";

CivilDate date(const std::string& s) {
  CivilDate d;
  EXPECT_TRUE(scenarios::parse_civil_date(s, d)) << s;
  return d;
}

TEST(RecordDates, Forms) {
  EXPECT_EQ(date("2020-12-31").iso(), "2020-12-31");
  EXPECT_EQ(date("2020/1/5").iso(), "2020-01-05");
  EXPECT_EQ(date("20000229").iso(), "2000-02-29");
  EXPECT_EQ(date("2020/12/31 00:00:00").iso(), "2020-12-31");
  EXPECT_EQ(date(" 2020-12-31T08:00 ").iso(), "2020-12-31");
  CivilDate d;
  for (const char* bad : {"", "abc", "2021-02-29", "1900-02-29", "2020-13-01", "2020-00-10", "2020-04-31", "2020-12",
                          "2020-12-31x", "2020/12-31", "31.12.2020", "202012310"})
    EXPECT_FALSE(scenarios::parse_civil_date(bad, d)) << bad;
  EXPECT_TRUE(scenarios::parse_civil_date("2000-02-29", d));  // 2000 is a leap year (divisible by 400)
}

TEST(RecordDates, OnlyATimeOfDayMayFollowTheDate) {
  EXPECT_EQ(date("2020/1/5 0:00").iso(), "2020-01-05");
  EXPECT_EQ(date("2020-01-05 13:45:00.123").iso(), "2020-01-05");
  EXPECT_EQ(date("2020-01-05T13:45:00Z").iso(), "2020-01-05");
  EXPECT_EQ(date("2020-01-05T13:45:00+08:00").iso(), "2020-01-05");
  EXPECT_EQ(date("2020/01/05 00:00:00+08").iso(), "2020-01-05");
  EXPECT_EQ(date("2020-01-05T13:45-0500").iso(), "2020-01-05");
  EXPECT_EQ(date("2020-01-05 12:00:00 AM").iso(), "2020-01-05");
  EXPECT_EQ(date("20200105T134500").iso(), "2020-01-05");  // ISO 8601 basic format
  CivilDate d;
  // Text after the date is no time of day: the cell is no date (it was counted by its first ten characters).
  for (const char* bad : {"2020-01-05 garbage", "2020-01-05 2021-06-02", "20200105 x", "2020-01-05T", "2020-01-05 13",
                          "2020-01-05 13:4", "2020-01-05 13:45 then", "2020-01-05 123:45", "2020-01-05 2021"})
    EXPECT_FALSE(scenarios::parse_civil_date(bad, d)) << bad;
}

// A time no clock shows is no time of day: "2020-12-31T25:00" is 1 a.m. of the next year by some programs' count, and
// was counted on 31 December (hostile probe of round 26).
TEST(RecordDates, ATimeNoClockShowsIsNoDate) {
  EXPECT_EQ(date("2020-12-31T23:59:60").iso(), "2020-12-31");  // a leap second
  EXPECT_EQ(date("2020-05-01T10:00-12:00").iso(), "2020-05-01");
  EXPECT_EQ(date("2020-05-01 12:30 PM").iso(), "2020-05-01");
  EXPECT_EQ(date("20200501T235959").iso(), "2020-05-01");
  CivilDate d;
  for (const char* bad :
       {"2020-12-31T25:00", "2020-12-31 24:00", "2020-05-01 10:60", "2020-05-01 10:00:61", "2020-05-01T10:00+99:99",
        "2020-05-01T10:00+2400", "2020-05-01T10:00+24", "2020-05-01T10:00+08:60", "2020-05-01 13:00 PM",
        "2020-05-01 0:30 AM", "20200501T2500", "20200501T126000", "20200501T120061"})
    EXPECT_FALSE(scenarios::parse_civil_date(bad, d)) << bad;
}

TEST(RecordDates, CompletedYearsAroundBirthdays) {
  const CivilDate base = date("2020-12-31");
  EXPECT_EQ(scenarios::completed_years(date("2015-12-31"), base), 5);  // birthday on the base date counts
  EXPECT_EQ(scenarios::completed_years(date("2016-01-01"), base), 4);
  EXPECT_EQ(scenarios::completed_years(date("2020-12-31"), base), 0);
  EXPECT_EQ(scenarios::completed_years(date("1900-01-01"), base), 120);
}

TEST(RecordDates, LeapDayBirthsGrowOnFirstMarchInCommonYears) {
  const CivilDate born = date("2016-02-29");
  EXPECT_EQ(scenarios::completed_years(born, date("2021-02-28")), 4);
  EXPECT_EQ(scenarios::completed_years(born, date("2021-03-01")), 5);
  EXPECT_EQ(scenarios::completed_years(born, date("2020-02-28")), 3);
  EXPECT_EQ(scenarios::completed_years(born, date("2020-02-29")), 4);  // leap year: on the day itself
}

// A two-zone (A, B), two-group scenario on a five-year grid to 20+ (ages 0, 5, 10, 15, 20+) in a fresh folder.
class Register : public ::testing::Test {
 protected:
  fs::path dir;
  void SetUp() override {
    dir = fs::temp_directory_path() / ("cohortgis_records_" + std::to_string(::getpid()) + "_" +
                                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }
  void write(const std::string& name, const std::string& text) const { std::ofstream(dir / name) << text; }
  scenarios::ScenarioSet load(const std::string& base, int base_year = 2020, const std::string& geography = {}) const {
    write("s.toml", "[scenario]\nname = \"records\"\n[geography]\n" +
                        (geography.empty() ? std::string("zones = [ { id = \"A\" }, { id = \"B\" } ]\n") : geography) +
                        "[projection]\nbase_year = " + std::to_string(base_year) + "\nhorizon = " +
                        std::to_string(base_year + 10) + "\nstep = 5\nopen_age = 20\n"
                        "groups = [\"registered\", \"floating\"]\n"
                        "[fertility]\nschedule = { path = \"" + kBad + "/asfr.csv\" }\ntfr = 1.5\nsrb = 105\n"
                        "[mortality]\nmx = { path = \"" + kBad + "/mx.csv\", columns = { value = \"mx\" } }\n"
                        "[base_population]\n" + base);
    // The scenario reads tests/fixtures: granted as --allow-read would.
    return scenarios::load_scenario_file((dir / "s.toml").string(), COHORTGIS_DATA,
                                         geodata::ReadPolicy{{COHORTGIS_FIXTURES}, {}});
  }
  std::string error_of(const std::string& base, int base_year = 2020, const std::string& geography = {}) const {
    try {
      load(base, base_year, geography);
    } catch (const InputError& e) {
      return e.what();
    }
    return "no error";
  }
  static std::size_t count(const scenarios::RecordsSummary& r, const std::string& reason) {
    for (const auto& e : r.exclusions)
      if (e.reason == reason) return e.count;
    return 999;
  }
};

constexpr const char* kHeader = "pid,dob,sex,zone,hukou\n";

TEST_F(Register, AgesAtTheEndOfTheBaseYearByHand) {
  write("reg.csv", std::string(kHeader) +
                       "1,2015-12-31,F,A,registered\n"   // 5 on the base date: age group 5
                       "2,2016-01-01,F,A,registered\n"   // 4: group 0
                       "3,2020-12-31,男,B,floating\n"     // born on the base date: 0
                       "4,1921-01-01,male,B,floating\n"   // 99: the open group 20+
                       "5,2001-06-15,女,A,floating\n");  // 19: group 15
  const auto set = load("records = { path = \"reg.csv\", columns = { id = \"pid\", birth_date = \"dob\", group = \"hukou\" } }\n");
  const auto& p = set.runs.front().base_population;
  EXPECT_EQ(p.at(0, 0, 0, 1), 1.0);
  EXPECT_EQ(p.at(0, 0, 0, 0), 1.0);
  EXPECT_EQ(p.at(1, 1, 1, 0), 1.0);
  EXPECT_EQ(p.at(1, 1, 1, 4), 1.0);
  EXPECT_EQ(p.at(0, 1, 0, 3), 1.0);
  double sum = 0;
  for (double v : p.data()) sum += v;
  EXPECT_EQ(sum, 5.0);
  ASSERT_TRUE(set.records);
  EXPECT_EQ(set.records->persons, 5u);
  EXPECT_EQ(set.records->base_date, "2020-12-31");
  EXPECT_TRUE(set.records->exclusions.empty());
  EXPECT_FALSE(set.records->has_parity);
}

TEST_F(Register, LeapDayBirthAroundADeclaredBaseDate) {
  // Born 29 February 2016: 4 on 28 February 2021 (age group 0), 5 on 1 March 2021 (group 5).
  write("reg.csv", std::string(kHeader) + "1,2016-02-29,F,A,registered\n2,2000-01-01,F,B,registered\n");
  const std::string ref = "records = { path = \"reg.csv\", columns = { id = \"pid\", birth_date = \"dob\", group = \"hukou\" } }\n";
  EXPECT_EQ(load(ref + "base_date = \"2021-02-28\"\n", 2021).runs.front().base_population.at(0, 0, 0, 0), 1.0);
  EXPECT_EQ(load(ref + "base_date = \"2021-03-01\"\n", 2021).runs.front().base_population.at(0, 0, 0, 1), 1.0);
  EXPECT_NE(error_of(ref + "base_date = \"2020-12-31\"\n", 2021).find("expected a date in projection.base_year 2021"),
            std::string::npos);
}

TEST_F(Register, AgeColumnAtAnEarlierDateShiftsByWholeYears) {
  write("reg.csv", "pid,age,sex,zone,hukou\n1,4,F,A,registered\n2,30,M,B,floating\n");
  const std::string ref = "records = { path = \"reg.csv\", columns = { id = \"pid\", group = \"hukou\" } }\n";
  EXPECT_EQ(load(ref).runs.front().base_population.at(0, 0, 0, 0), 1.0);
  EXPECT_EQ(load(ref + "age_date = \"2019-12-31\"\n").runs.front().base_population.at(0, 0, 0, 1), 1.0);
  EXPECT_NE(error_of(ref + "age_date = \"2020-11-01\"\n").find("same day of an earlier year"), std::string::npos);
}

// Each reason: an error naming the file, row and column by default; counted (with its first rows) when declared.
struct Case {
  const char* reason;
  const char* row;       // the faulty row (data row 2, after a good row)
  const char* message;   // in the default error
};
const Case kCases[] = {
    {"bad_date", "2,2015-02-30,F,A,registered", "expected a date of birth"},
    {"born_after_base", "2,2021-01-01,F,A,registered", "after the base date 2020-12-31"},
    {"over_max_age", "2,1899-05-01,F,A,registered", "is over base_population.max_age = 120"},
    {"duplicate_id", "1,2000-01-01,F,A,registered", "a person id that appears on an earlier row (not shown)"},
    {"unknown_zone", "2,2000-01-01,F,C,registered", "expected a zone id of the geography, got \"C\""},
    {"unknown_group", "2,2000-01-01,F,A,tourist", "expected a group of projection.groups"},
    {"bad_value", ",2000-01-01,F,A,registered", "expected a person id"},
};

TEST_F(Register, EachReasonIsAnErrorNamingFileAndRowByDefault) {
  for (const Case& c : kCases) {
    write("reg.csv", std::string(kHeader) + "1,2000-01-01,M,B,floating\n" + c.row + "\n");
    const std::string e =
        error_of("records = { path = \"reg.csv\", columns = { id = \"pid\", birth_date = \"dob\", group = \"hukou\" } }\n");
    EXPECT_NE(e.find("reg.csv"), std::string::npos) << c.reason << ": " << e;
    EXPECT_NE(e.find("data row 2"), std::string::npos) << c.reason << ": " << e;
    EXPECT_NE(e.find(c.message), std::string::npos) << c.reason << ": " << e;
    EXPECT_NE(e.find(std::string("exclude = [\"") + c.reason + "\"]"), std::string::npos) << c.reason << ": " << e;
  }
}

TEST_F(Register, EachReasonIsCountedUnderADeclaredPolicy) {
  for (const Case& c : kCases) {
    write("reg.csv", std::string(kHeader) + "1,2000-01-01,M,B,floating\n" + c.row + "\n3,2010-01-01,F,A,registered\n" +
                         c.row + "\n");
    const auto set = load("records = { path = \"reg.csv\", columns = { id = \"pid\", birth_date = \"dob\", group = \"hukou\" } }\n"
                          "exclude = [\"" + std::string(c.reason) + "\"]\n");
    const auto& r = *set.records;
    EXPECT_EQ(r.rows, 4u) << c.reason;
    EXPECT_EQ(r.persons, 2u) << c.reason;
    ASSERT_EQ(r.exclusions.size(), 1u);
    EXPECT_EQ(r.exclusions[0].count, 2u) << c.reason;
    EXPECT_EQ(r.exclusions[0].first_rows, (std::vector<std::size_t>{2, 4})) << c.reason;
    bool noted = false;
    for (const auto& a : set.runs.front().assumptions) noted = noted || a.find("2 " + std::string(c.reason)) != std::string::npos;
    EXPECT_TRUE(noted) << c.reason;
  }
}

TEST_F(Register, RegistrationAfterTheBaseDateAndUnknownReasons) {
  write("reg.csv", "pid,dob,sex,zone,hukou,since\n1,2000-01-01,F,A,registered,2019-05-01\n"
                   "2,2000-01-01,F,A,registered,2021-02-01\n3,2000-01-01,F,B,floating,\n");
  const std::string ref = "records = { path = \"reg.csv\", columns = { id = \"pid\", birth_date = \"dob\", group = "
                          "\"hukou\", registered = \"since\" } }\n";
  EXPECT_NE(error_of(ref).find("registered 2021-02-01, after the base date"), std::string::npos);
  const auto set = load(ref + "exclude = [\"registered_after_base\"]\n");
  EXPECT_EQ(count(*set.records, "registered_after_base"), 1u);
  EXPECT_EQ(set.records->persons, 2u);
  EXPECT_NE(error_of(ref + "exclude = [\"typo\"]\n").find("expected one of: bad_date"), std::string::npos);
}

TEST_F(Register, RegisterWithoutTheMappedColumns) {
  write("reg.csv", "pid,birth,sex,zone,hukou\n1,2000-01-01,F,A,registered\n");
  // The mapping names "dob", the file has "birth".
  const std::string e = error_of("records = { path = \"reg.csv\", columns = { id = \"pid\", birth_date = \"dob\", group = \"hukou\" } }\n");
  EXPECT_NE(e.find("reg.csv"), std::string::npos) << e;
  EXPECT_NE(e.find("dob"), std::string::npos) << e;
  // Neither a date of birth nor an age.
  write("reg2.csv", "pid,sex,zone,hukou\n1,F,A,registered\n");
  const std::string e2 = error_of("records = { path = \"reg2.csv\", columns = { id = \"pid\", group = \"hukou\" } }\n");
  EXPECT_NE(e2.find("expected a column 'birth_date'"), std::string::npos) << e2;
  // A zone with nobody is a forgotten zone.
  const std::string e3 = error_of("records = { path = \"reg.csv\", columns = { id = \"pid\", birth_date = \"birth\", group = \"hukou\" } }\n");
  EXPECT_NE(e3.find("no persons counted for zone B"), std::string::npos) << e3;
  // Options of a register without one.
  write("t.csv", "zone,group,sex,age,population\nA,registered,female,0,1\n");
  EXPECT_NE(error_of("table = \"t.csv\"\nexclude = [\"bad_date\"]\n").find("only with 'records'"), std::string::npos);
}

TEST_F(Register, ParityOfWomen) {
  write("reg.csv", "pid,dob,sex,zone,hukou,ceb\n"
                   "1,1990-01-01,F,A,registered,0\n2,1990-01-01,F,A,registered,2\n3,1990-02-01,F,A,registered,5\n"
                   "4,1990-01-01,F,A,registered,\n5,1990-01-01,M,A,registered,7\n6,2000-01-01,F,B,floating,1\n");
  const auto set = load("records = { path = \"reg.csv\", columns = { id = \"pid\", birth_date = \"dob\", group = "
                        "\"hukou\", children = \"ceb\" } }\n");
  const auto& r = *set.records;
  ASSERT_TRUE(r.has_parity);
  // Women aged 30 (the open group 20+ of this grid) in zone A, registered: parity 0, 2, 3+ and unknown once each.
  EXPECT_EQ(r.parity_women[r.parity_index(0, 0, 4, 0)], 1.0);
  EXPECT_EQ(r.parity_women[r.parity_index(0, 0, 4, 1)], 0.0);
  EXPECT_EQ(r.parity_women[r.parity_index(0, 0, 4, 2)], 1.0);
  EXPECT_EQ(r.parity_women[r.parity_index(0, 0, 4, 3)], 1.0);
  EXPECT_EQ(r.parity_women[r.parity_index(0, 0, 4, 4)], 1.0);
  EXPECT_EQ(r.parity_women[r.parity_index(1, 1, 4, 1)], 1.0);
  double women = 0;
  for (double v : r.parity_women) women += v;
  EXPECT_EQ(women, 5.0);  // the man's 7 is not counted
  write("bad.csv", "pid,dob,sex,zone,hukou,ceb\n1,1990-01-01,F,A,registered,1.5\n2,1990-01-01,F,B,registered,1\n");
  EXPECT_NE(error_of("records = { path = \"bad.csv\", columns = { id = \"pid\", birth_date = \"dob\", group = "
                     "\"hukou\", children = \"ceb\" } }\n").find("expected children ever born"),
            std::string::npos);
}

// Points: zone A is the square (0 0, 1 1), B the square (1 0, 2 1); the point on their shared edge goes to A, the
// first zone in file order (the documented rule).
TEST_F(Register, PointsJoinedToZonesWithTheBoundaryRule) {
  write("zones.geojson",
        R"({"type":"FeatureCollection","features":[)"
        R"({"type":"Feature","properties":{"id":"A"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}},)"
        R"({"type":"Feature","properties":{"id":"B"},"geometry":{"type":"Polygon","coordinates":[[[1,0],[2,0],[2,1],[1,1],[1,0]]]}}]})");
  const std::string geo = "source = { path = \"zones.geojson\", id_field = \"id\" }\n";
  write("reg.csv", "pid,dob,sex,lon,lat,hukou\n1,2000-01-01,F,0.5,0.5,registered\n2,2000-01-01,F,1.5,0.5,registered\n"
                   "3,2000-01-01,F,1,0.5,registered\n4,2000-01-01,F,2,1,registered\n");
  const std::string ref = "records = { path = \"reg.csv\", columns = { id = \"pid\", birth_date = \"dob\", group = "
                          "\"hukou\", x = \"lon\", y = \"lat\" } }\n";
  const auto set = load(ref, 2020, geo);
  const auto& p = set.runs.front().base_population;
  EXPECT_EQ(p.at(0, 0, 0, 4), 2.0);  // (0.5, 0.5) and (1, 0.5) on the shared edge
  EXPECT_EQ(p.at(1, 0, 0, 4), 2.0);  // (1.5, 0.5) and the corner (2, 1) of B alone
  write("out.csv", "pid,dob,sex,lon,lat,hukou\n1,2000-01-01,F,0.5,0.5,registered\n2,2000-01-01,F,1.5,0.5,registered\n"
                   "3,2000-01-01,F,3,0.5,registered\n");
  const std::string out_ref = "records = { path = \"out.csv\", columns = { id = \"pid\", birth_date = \"dob\", group = "
                              "\"hukou\", x = \"lon\", y = \"lat\" } }\n";
  const std::string e = error_of(out_ref, 2020, geo);
  EXPECT_NE(e.find("out.csv"), std::string::npos) << e;
  EXPECT_NE(e.find("data row 3"), std::string::npos) << e;
  EXPECT_NE(e.find("is outside every zone"), std::string::npos) << e;
  EXPECT_EQ(count(*load(out_ref + "exclude = [\"outside_zones\"]\n", 2020, geo).records, "outside_zones"), 1u);
  // Points without polygons.
  EXPECT_NE(error_of(out_ref).find("no [geography.source]"), std::string::npos);
  // Points in another CRS (web Mercator metres; the zones are in degrees): 0.5° ≈ 55,660 m, 1.5° ≈ 166,980 m.
  write("merc.csv", "pid,dob,sex,lon,lat,hukou\n1,2000-01-01,F,55660,55660,registered\n2,2000-01-01,F,166980,55660,registered\n"
                    "3,2000-01-01,F,166980,55660,registered\n");
  const std::string merc = "records = { path = \"merc.csv\", columns = { id = \"pid\", birth_date = \"dob\", group = "
                           "\"hukou\", x = \"lon\", y = \"lat\" } }\n";
  const auto m = load(merc + "records_crs = \"EPSG:3857\"\n", 2020, geo);
  EXPECT_EQ(m.runs.front().base_population.at(0, 0, 0, 4), 1.0);
  EXPECT_EQ(m.runs.front().base_population.at(1, 0, 0, 4), 2.0);
  EXPECT_NE(error_of(merc, 2020, geo).find("is outside every zone"), std::string::npos);  // taken as degrees
  EXPECT_NE(error_of(merc + "records_crs = \"EPSG:nonsense\"\n", 2020, geo).find("not understood"), std::string::npos);
}

// records_crs is a CRS definition, never a file to read (round 29, h184): a path was opened by GDAL wherever it led,
// outside the folders the scenario may read; an empty string placed the points in the zones' CRS as if the key were
// absent; a PROJ string whose grid cannot be read gave a transformation without that step, and GDAL's error on stderr.
TEST_F(Register, RecordsCrsIsADefinitionNeverAFileAndNeverEmpty) {
  write(
      "zones.geojson",
      R"({"type":"FeatureCollection","features":[)"
      R"({"type":"Feature","properties":{"id":"A"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}},)"
      R"({"type":"Feature","properties":{"id":"B"},"geometry":{"type":"Polygon","coordinates":[[[1,0],[2,0],[2,1],[1,1],[1,0]]]}}]})");
  const std::string geo = "source = { path = \"zones.geojson\", id_field = \"id\" }\n";
  write("reg.csv", "pid,dob,sex,lon,lat,hukou\n1,2000-01-01,F,0.5,0.5,registered\n2,2000-01-01,F,1.5,0.5,floating\n");
  const std::string ref =
      "records = { path = \"reg.csv\", columns = { id = \"pid\", birth_date = \"dob\", group = "
      "\"hukou\", x = \"lon\", y = \"lat\" } }\n";
  EXPECT_EQ(load(ref + "records_crs = \"EPSG:4326\"\n", 2020, geo).runs.front().base_population.at(0, 0, 0, 4), 1.0);
  for (const std::string crs : {"", "  "}) {
    const std::string e = error_of(ref + "records_crs = \"" + crs + "\"\n", 2020, geo);
    EXPECT_NE(e.find("key 'base_population.records_crs': expected the coordinate reference system"), std::string::npos)
        << e;
  }
  // A file holding a good WKT definition, in the scenario's folder and outside it: neither is read.
  const std::string wkt = R"(GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],)"
                          R"(PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]])";
  write("crs.prj", wkt);
  const fs::path outside = fs::temp_directory_path() / ("cohortgis-records-crs-" + std::to_string(::getpid()) + ".prj");
  std::ofstream(outside) << wkt;
  for (const std::string& path : {(dir / "crs.prj").string(), outside.string()}) {
    const std::string e = error_of(ref + "records_crs = \"" + path + "\"\n", 2020, geo);
    EXPECT_NE(e.find("records_crs': coordinate reference system of the points not understood"), std::string::npos) << e;
  }
  fs::remove(outside);
  const std::string grid =
      error_of(ref + "records_crs = \"+proj=longlat +ellps=WGS84 +nadgrids=" + (dir / "no-such-grid.gsb").string() +
                   " +no_defs\"\n",
               2020, geo);
  EXPECT_NE(grid.find("records_crs': no transformation from"), std::string::npos) << grid;
}

TEST_F(Register, MinCellIsReadAndChecked) {
  write("reg.csv", std::string(kHeader) + "1,2000-01-01,F,A,registered\n2,2000-01-01,F,B,floating\n");
  const std::string ref = "records = { path = \"reg.csv\", columns = { id = \"pid\", birth_date = \"dob\", group = \"hukou\" } }\n";
  EXPECT_EQ(load(ref).outputs.min_cell, 0);
  EXPECT_EQ(load(ref + "[outputs]\nmin_cell = 10\n").outputs.min_cell, 10);
  EXPECT_NE(error_of(ref + "[outputs]\nmin_cell = -1\n").find("key 'outputs.min_cell'"), std::string::npos);
}

// A register with both a date of birth and an age (or a zone code and a point): the column mapped in `columns`
// decides, the date (the zone code) when neither is mapped; mapping both is an error, never one of them ignored.
// Person 1 was born 1980-05-04 (40 at 2020-12-31: the open group 20+) but its `age` cell says 3 (group 0).
TEST_F(Register, TheMappedColumnDecidesBetweenAlternatives) {
  write("reg.csv",
        "pid,birth_date,age,sex,zone,hukou\n1,1980-05-04,3,F,A,registered\n2,2000-01-01,40,F,B,registered\n");
  const std::string cols = "id = \"pid\", group = \"hukou\"";
  const auto by_date = load("records = { path = \"reg.csv\", columns = { " + cols + " } }\n");
  EXPECT_EQ(by_date.runs.front().base_population.at(0, 0, 0, 4), 1.0);
  EXPECT_EQ(by_date.runs.front().base_population.at(0, 0, 0, 0), 0.0);
  const auto by_age = load("records = { path = \"reg.csv\", columns = { " + cols + ", age = \"age\" } }\n");
  EXPECT_EQ(by_age.runs.front().base_population.at(0, 0, 0, 0), 1.0);  // the mapped age, not the date
  EXPECT_EQ(by_age.runs.front().base_population.at(1, 0, 0, 4), 1.0);
  EXPECT_NE(error_of("records = { path = \"reg.csv\", columns = { " + cols +
                     ", age = \"age\", birth_date = "
                     "\"birth_date\" } }\n")
                .find("key 'base_population.records.columns': maps both birth_date and age"),
            std::string::npos);
  // age_date shifts an `age` column; beside dates of birth it would be ignored.
  EXPECT_NE(error_of("records = { path = \"reg.csv\", columns = { " + cols + " } }\nage_date = \"2019-12-31\"\n")
                .find("key 'base_population.age_date': applies to an `age` column; this register's ages come from its "
                      "dates of birth (column 'birth_date')"),
            std::string::npos);
  EXPECT_EQ(
      load("records = { path = \"reg.csv\", columns = { " + cols + ", age = \"age\" } }\nage_date = \"2019-12-31\"\n")
          .runs.front()
          .base_population.at(0, 0, 0, 0),
      1.0);  // 3 + 1 = 4: still group 0
  // Zone code against point: person 1's zone cell says B, its point lies in A.
  write(
      "zones.geojson",
      R"({"type":"FeatureCollection","features":[)"
      R"({"type":"Feature","properties":{"id":"A"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}},)"
      R"({"type":"Feature","properties":{"id":"B"},"geometry":{"type":"Polygon","coordinates":[[[1,0],[2,0],[2,1],[1,1],[1,0]]]}}]})");
  const std::string geo = "source = { path = \"zones.geojson\", id_field = \"id\" }\n";
  write("pts.csv",
        "pid,dob,sex,zone,x,y,hukou\n1,2000-01-01,F,B,0.5,0.5,registered\n2,2000-01-01,F,B,1.5,0.5,registered\n"
        "3,2000-01-01,F,A,0.5,0.5,registered\n");
  const std::string pcols = "id = \"pid\", birth_date = \"dob\", group = \"hukou\"";
  EXPECT_EQ(load("records = { path = \"pts.csv\", columns = { " + pcols + " } }\n", 2020, geo)
                .runs.front()
                .base_population.at(1, 0, 0, 4),
            2.0);  // neither mapped: the zone code
  EXPECT_EQ(load("records = { path = \"pts.csv\", columns = { " + pcols + ", x = \"x\", y = \"y\" } }\n", 2020, geo)
                .runs.front()
                .base_population.at(0, 0, 0, 4),
            2.0);  // the mapped point
  EXPECT_NE(
      error_of("records = { path = \"pts.csv\", columns = { " + pcols + ", zone = \"zone\", x = \"x\", y = \"y\" } }\n",
               2020, geo)
          .find("maps both zone and x/y"),
      std::string::npos);
  write("x_only.csv", "pid,dob,sex,lon,hukou\n1,2000-01-01,F,0.5,registered\n");
  EXPECT_NE(error_of("records = { path = \"x_only.csv\", columns = { " + pcols + ", x = \"lon\" } }\n", 2020, geo)
                .find("expected both columns 'lon' and 'y'"),
            std::string::npos);
  // records_crs places points; beside zone codes it would be ignored.
  EXPECT_NE(error_of("records = { path = \"pts.csv\", columns = { " + pcols + " } }\nrecords_crs = \"EPSG:4326\"\n",
                     2020, geo)
                .find("key 'base_population.records_crs': applies to points (columns x and y); this register "
                      "gives zone codes (column 'zone')"),
            std::string::npos);
}

// Table options that a register would ignore: its rows are persons (no unit, nothing per step, no years).
TEST_F(Register, OptionsARegisterWouldIgnoreAreRefused) {
  write("reg.csv", std::string(kHeader) + "1,2000-01-01,F,A,registered\n2,2000-01-01,F,B,floating\n");
  const std::string cols = "columns = { id = \"pid\", birth_date = \"dob\", group = \"hukou\" }";
  for (const std::string opt : {"unit = \"persons\"", "per = \"step\"", "between = \"linear\""}) {
    const std::string e = error_of("records = { path = \"reg.csv\", " + opt + ", " + cols + " }\n");
    EXPECT_NE(e.find("key 'base_population.records." + opt.substr(0, opt.find(' ')) + "'"), std::string::npos) << e;
    EXPECT_NE(e.find("leave it out"), std::string::npos) << e;
  }
}

// A spreadsheet whose date of birth is a typed date cell (GDAL gives "1980/05/04"): tests/fixtures/tables/
// register_dates.xlsx holds 1 (1980-05-04, F, A), 2 (1975-11-30, M, B), 3 (2016-02-29, F, B), all registered.
TEST_F(Register, SpreadsheetWithDateCells) {
  const auto set = load("records = { path = \"" + std::string(COHORTGIS_FIXTURES) + "/tables/register_dates.xlsx\", "
                        "columns = { id = \"pid\", birth_date = \"dob\" } }\n");
  const auto& p = set.runs.front().base_population;
  EXPECT_EQ(p.at(0, 0, 0, 4), 1.0);  // 40: the open group 20+
  EXPECT_EQ(p.at(1, 0, 1, 4), 1.0);
  EXPECT_EQ(p.at(1, 0, 0, 0), 1.0);  // born 29 February 2016: 4 at 2020-12-31
  EXPECT_EQ(set.records->persons, 3u);
}

}  // namespace
