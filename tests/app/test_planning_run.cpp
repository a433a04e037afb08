// SPDX-License-Identifier: Apache-2.0
// `cohortgis run` with [controls], [capacity] and [households] (tests/fixtures/planning): the control of the parent
// unit met every year, the cap never exceeded, the books balance with the reported planning_adjustment, households
// recomputed from population.csv and the headship table, every file listed in the manifest.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "cohortgis/app/run.hpp"
#include "csv_fixture.hpp"

using namespace cohortgis;
namespace fs = std::filesystem;
using cohortgis::test::fixture;
using cohortgis::test::read_csv;

namespace {

class PlanningRun : public ::testing::Test {
 protected:
  void SetUp() override {
    out_ = fs::temp_directory_path() / ("cohortgis_planning_" + std::to_string(::getpid()));
    fs::remove_all(out_);
    app::RunConfig cfg;
    cfg.scenario = fixture("planning/planning.toml");
    cfg.out_dir = out_.string();
    cfg.quiet = true;
    cfg.report = false;
    cfg.data_dir = COHORTGIS_DATA;
    app::run(cfg);
  }
  void TearDown() override { fs::remove_all(out_); }
  std::string file(const char* name) const { return (out_ / name).string(); }
  fs::path out_;
};

// (zone, year) → persons of population.csv, all groups, sexes and ages.
std::map<std::pair<std::string, int>, double> zone_totals(const cohortgis::test::CsvTable& pop) {
  std::map<std::pair<std::string, int>, double> t;
  for (std::size_t r = 0; r < pop.rows.size(); ++r)
    t[{pop.at(r, "zone"), std::stoi(pop.at(r, "year"))}] += pop.num(r, "population");
  return t;
}

}  // namespace

// controls.csv: D (zones A and B) = 21000 in 2025 and 22000 in 2030; caps.csv: A at most 10000 from 2025.
TEST_F(PlanningRun, ControlMetCapHeldBooksBalance) {
  const auto tot = zone_totals(read_csv(file("population.csv")));
  for (auto [year, target] : {std::pair{2025, 21000.0}, std::pair{2030, 22000.0}}) {
    EXPECT_NEAR(tot.at({"A", year}) + tot.at({"B", year}), target, 1e-6) << year;
    EXPECT_LE(tot.at({"A", year}), 10000.0 * (1 + 1e-9)) << year;
  }
  const auto cap = read_csv(file("capacity.csv"));
  ASSERT_EQ(cap.rows.size(), 2u);  // A in 2025 and 2030 (the cap holds)
  for (std::size_t r = 0; r < cap.rows.size(); ++r) {
    EXPECT_EQ(cap.at(r, "binds"), "1");
    EXPECT_NEAR(cap.num(r, "population"), 10000.0, 1e-6);
    EXPECT_NEAR(cap.num(r, "tentative_population") - cap.num(r, "population"), cap.num(r, "displaced"), 1e-6);
  }
  // Books: per zone and period, end − start = births − deaths + net_migration + floor + planning_adjustment.
  const auto comp = read_csv(file("components.csv"));
  std::map<std::pair<std::string, std::string>, double> flow;
  double planning = 0.0;
  for (std::size_t r = 0; r < comp.rows.size(); ++r) {
    const std::string c = comp.at(r, "component");
    const double v = comp.num(r, "persons");
    const double sign = c == "deaths" ? -1.0 : 1.0;
    flow[{comp.at(r, "zone"), comp.at(r, "period")}] += sign * v;
    if (c == "planning_adjustment") planning += v;
  }
  EXPECT_NE(planning, 0.0);
  for (const char* z : {"A", "B"})
    for (auto [period, y0, y1] : {std::tuple{"2021-2025", 2020, 2025}, std::tuple{"2026-2030", 2025, 2030}})
      EXPECT_NEAR(tot.at({z, y1}) - tot.at({z, y0}), flow.at({z, period}), 1e-6) << z << " " << period;
  const auto ctl = read_csv(file("controls.csv"));
  ASSERT_EQ(ctl.rows.size(), 2u);
  EXPECT_EQ(ctl.at(0, "control"), "D");
  EXPECT_NEAR(ctl.num(0, "tentative") + ctl.num(0, "adjustment"), 21000.0, 1e-6);
  const std::string manifest = cohortgis::test::slurp(file("manifest.json"));
  for (const char* f : {"controls.csv", "capacity.csv", "households.csv"})
    EXPECT_NE(manifest.find(std::string("\"") + f + "\""), std::string::npos) << f;
}

// households = Σ headship × population, recomputed here from population.csv and the fixture's headship table;
// dwellings needed with 4 % vacancy = households / 0.96.
TEST_F(PlanningRun, HouseholdsAreHeadshipTimesPopulation) {
  const auto h = read_csv(fixture("planning/headship.csv"));
  std::map<std::pair<std::string, std::string>, double> rate;
  for (std::size_t r = 0; r < h.rows.size(); ++r) rate[{h.at(r, "sex"), h.at(r, "age")}] = h.num(r, "rate");
  const auto pop = read_csv(file("population.csv"));
  std::map<std::pair<std::string, int>, double> expected;
  for (std::size_t r = 0; r < pop.rows.size(); ++r)
    expected[{pop.at(r, "zone"), std::stoi(pop.at(r, "year"))}] +=
        rate.at({pop.at(r, "sex"), pop.at(r, "age")}) * pop.num(r, "population");
  const auto hh = read_csv(file("households.csv"));
  ASSERT_EQ(hh.rows.size(), 6u);  // 2 zones × 2020, 2025, 2030
  for (std::size_t r = 0; r < hh.rows.size(); ++r) {
    const double want = expected.at({hh.at(r, "zone"), std::stoi(hh.at(r, "year"))});
    EXPECT_NEAR(hh.num(r, "households"), want, 1e-6 * want) << r;
    EXPECT_NEAR(hh.num(r, "dwellings_needed"), want / 0.96, 1e-6 * want) << r;
  }
  // indicators.csv: the same households per zone, and their sum for the whole area ("total").
  const auto ind = read_csv(file("indicators.csv"));
  double total_2030 = 0.0, a_2030 = -1.0;
  for (std::size_t r = 0; r < ind.rows.size(); ++r)
    if (ind.at(r, "indicator") == "households" && ind.at(r, "year") == "2030" && ind.at(r, "group") == "all") {
      if (ind.at(r, "zone") == "total") total_2030 = ind.num(r, "value");
      if (ind.at(r, "zone") == "A") a_2030 = ind.num(r, "value");
    }
  EXPECT_NEAR(a_2030, expected.at({"A", 2030}), 1e-6 * a_2030);
  EXPECT_NEAR(total_2030, expected.at({"A", 2030}) + expected.at({"B", 2030}), 1e-6 * total_2030);
}

// Planner audit (round 21): with several groups, indicators.csv gives households and dwellings needed of each group
// too (registered and floating households of a five-year plan): Σ headship × the group's persons, the groups adding
// up to the `all` rows in every zone, aggregate and year.
TEST(PlanningRunGroups, HouseholdsByGroupAddUpToAll) {
  const fs::path dir = fs::temp_directory_path() / ("cohortgis_planning_groups_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const auto base = read_csv(fixture("planning/base.csv"));
  std::string table = "zone,group,sex,age,population\n";
  for (std::size_t r = 0; r < base.rows.size(); ++r) {
    const double share = base.at(r, "zone") == "A" ? 0.3 : 0.5;  // floating
    for (const char* g : {"registered", "floating"})
      table += base.at(r, "zone") + "," + g + "," + base.at(r, "sex") + "," + base.at(r, "age") + "," +
               std::to_string(base.num(r, "population") * (std::string(g) == "floating" ? share : 1.0 - share)) + "\n";
  }
  std::ofstream(dir / "base.csv") << table;
  std::ofstream toml(dir / "s.toml");
  toml << "[geography]\nzones = [ { id = \"A\" }, { id = \"B\" } ]\n"
       << "aggregates = [ { name = \"AB\", zones = [\"A\", \"B\"] } ]\n"
       << "[projection]\nbase_year = 2020\nhorizon = 2030\nstep = 5\nopen_age = 20\n"
       << "groups = [\"registered\", \"floating\"]\n[base_population]\ntable = \"base.csv\"\n"
       << "[fertility]\nschedule = { path = \"" << fixture("planning/asfr.csv") << "\" }\ntfr = 1.5\nsrb = 105\n"
       << "[mortality]\nmx = { path = \"" << fixture("planning/mx.csv") << "\", columns = { value = \"mx\" } }\n"
       << "[households]\nheadship = \"" << fixture("planning/headship.csv") << "\"\nvacancy_percent = 4\n";
  toml.close();
  app::RunConfig cfg;
  cfg.scenario = (dir / "s.toml").string();
  cfg.out_dir = (dir / "out").string();
  cfg.quiet = true;
  cfg.report = false;
  cfg.data_dir = COHORTGIS_DATA;
  cfg.allow_read = {COHORTGIS_FIXTURES};
  app::run(cfg);
  const auto h = read_csv(fixture("planning/headship.csv"));
  std::map<std::pair<std::string, std::string>, double> rate;
  for (std::size_t r = 0; r < h.rows.size(); ++r) rate[{h.at(r, "sex"), h.at(r, "age")}] = h.num(r, "rate");
  const auto pop = read_csv((dir / "out" / "population.csv").string());
  std::map<std::string, double> want;  // "zone|year" of the floating group
  for (std::size_t r = 0; r < pop.rows.size(); ++r)
    if (pop.at(r, "group") == "floating")
      want[pop.at(r, "zone") + "|" + pop.at(r, "year")] +=
          rate.at({pop.at(r, "sex"), pop.at(r, "age")}) * pop.num(r, "population");
  const auto ind = read_csv((dir / "out" / "indicators.csv").string());
  std::map<std::string, double> v;  // "indicator|zone|group|year"
  for (std::size_t r = 0; r < ind.rows.size(); ++r)
    if (ind.at(r, "indicator") == "households" || ind.at(r, "indicator") == "dwellings_needed")
      v[ind.at(r, "indicator") + "|" + ind.at(r, "zone") + "|" + ind.at(r, "group") + "|" + ind.at(r, "year")] =
          ind.num(r, "value");
  int checked = 0;
  for (const char* y : {"2020", "2025", "2030"}) {
    for (const char* z : {"A", "B"}) {
      const double f = v["households|" + std::string(z) + "|floating|" + y];
      EXPECT_NEAR(f, want.at(std::string(z) + "|" + y), 1e-9 * f) << z << " " << y;
      EXPECT_NEAR(v["dwellings_needed|" + std::string(z) + "|floating|" + y], f / 0.96, 1e-9 * f);
    }
    for (const char* u : {"A", "B", "AB", "total"})
      for (const char* i : {"households", "dwellings_needed"}) {
        const std::string k = std::string(i) + "|" + u + "|";
        const double sum = v[k + "registered|" + y] + v[k + "floating|" + y];
        EXPECT_GT(v[k + "floating|" + y], 0.0) << k << y;
        EXPECT_NEAR(sum, v[k + "all|" + y], 1e-9 * sum) << k << y;
        ++checked;
      }
  }
  EXPECT_EQ(checked, 3 * 4 * 2);
  fs::remove_all(dir);
}

// Planner walkthrough (round 22): the report's households table says its units and gives the whole area's row for
// each variant and year (the sum of the zones; persons per household = population / households), and the monitoring
// table gives no relative difference for a rate that changes sign (the default's natural growth of 2024, 0.01 ‰
// published, −1.16 ‰ projected, showed "−11727.0 %"), while a level keeps it.
TEST(PlanningReport, HouseholdsWithUnitsAndAreaTotalNoRelativeForSignedRates) {
  const fs::path dir = fs::temp_directory_path() / ("cohortgis_planning_report_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "observed.csv")
      << "year,zone,indicator,value,unit\n2025,900000,population_resident,21000,persons\n"
      << "2025,900000,natural_growth_per_1000,0.01,‰\n";
  std::ofstream toml(dir / "s.toml");
  toml << "[scenario]\nname = \"r\"\nlanguage = \"en\"\n[geography]\nzones = [ { id = \"A\" }, { id = \"B\" } ]\n"
       << "[projection]\nbase_year = 2020\nhorizon = 2030\nstep = 5\nopen_age = 20\n"
       << "[base_population]\ntable = \"" << fixture("planning/base.csv") << "\"\n"
       << "[fertility]\nschedule = { path = \"" << fixture("planning/asfr.csv") << "\" }\ntfr = 1.5\nsrb = 105\n"
       << "[mortality]\nmx = { path = \"" << fixture("planning/mx.csv") << "\", columns = { value = \"mx\" } }\n"
       << "[households]\nheadship = \"" << fixture("planning/headship.csv") << "\"\nvacancy_percent = 4\n"
       << "[monitoring]\nobserved = \"observed.csv\"\nwhole_area = \"900000\"\n"
       << "names = { population_resident = \"population\" }\n"
       << "tolerances = { population_resident = { relative = 0.01 }, natural_growth_per_1000 = { absolute = 0.5 } }\n";
  toml.close();
  app::RunConfig cfg;
  cfg.scenario = (dir / "s.toml").string();
  cfg.out_dir = (dir / "out").string();
  cfg.quiet = true;
  cfg.data_dir = COHORTGIS_DATA;
  cfg.allow_read = {COHORTGIS_FIXTURES};
  app::run(cfg);
  const auto hh = read_csv((dir / "out" / "households.csv").string());
  double pop = 0, households = 0, dwellings = 0;
  for (std::size_t r = 0; r < hh.rows.size(); ++r)
    if (hh.at(r, "variant") == "baseline" && hh.at(r, "year") == "2030") {
      pop += hh.num(r, "population");
      households += hh.num(r, "households");
      dwellings += hh.num(r, "dwellings_needed");
    }
  const std::string html = cohortgis::test::slurp((dir / "out" / "report.html").string());
  const auto section = [&](const std::string& title) {
    const std::size_t at = html.find(title);
    EXPECT_NE(at, std::string::npos) << title;
    return at == std::string::npos ? std::string() : html.substr(at, html.find("</table>", at) - at);
  };
  const auto cells = [](const std::vector<std::string>& c) {
    std::string row = "<tr>";
    for (const auto& x : c) row += "<td>" + x + "</td>";
    return row + "</tr>";
  };
  const auto whole = [](double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    std::string s = buf, out;  // thousands separators, as the English report writes them
    const std::size_t dot = s.find('.') == std::string::npos ? s.size() : s.find('.');
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (i > 0 && i < dot && (dot - i) % 3 == 0) out += ',';
      out += s[i];
    }
    return out;
  };
  const std::string h = section("Households and dwellings needed");
  EXPECT_NE(h.find("<th>population (persons)</th>"), std::string::npos) << h;
  EXPECT_NE(h.find(cells({"Baseline", "Whole area", "2030", whole(pop, 0), whole(households, 0), whole(dwellings, 0),
                          whole(pop / households, 2)})),
            std::string::npos)
      << h;
  const std::string m = section("Monitoring: projected against published figures");
  const std::size_t ng = m.find("Natural growth");
  ASSERT_NE(ng, std::string::npos) << m;
  const std::string ng_row = m.substr(ng, m.find("</tr>", ng) - ng);
  EXPECT_NE(ng_row.find("<td>–</td>"), std::string::npos) << ng_row;
  const std::size_t pr = m.find("<td>2025</td>");
  const std::string pop_row = m.substr(pr, m.find("</tr>", pr) - pr);
  EXPECT_EQ(pop_row.find("<td>–</td>"), std::string::npos) << pop_row;
  fs::remove_all(dir);
}
