// SPDX-License-Identifier: Apache-2.0
// Parity through a whole run (tests/fixtures/scenarios/parity): parity.csv against hand figures, births by order
// against the births of components.csv, the three-child variant, and the loader's errors.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

#include "cohortgis/app/run.hpp"
#include "cohortgis/scenarios/scenario_file.hpp"
#include "csv_fixture.hpp"
#include "error_of.hpp"

using namespace cohortgis;
namespace fs = std::filesystem;

namespace {
const std::string kDir = std::string(COHORTGIS_FIXTURES) + "/scenarios/parity";
}  // namespace

TEST(ParityScenario, LoaderBuildsStatesFromShares) {
  const auto set = scenarios::load_scenario_file(kDir + "/scenario.toml", COHORTGIS_DATA);
  ASSERT_EQ(set.runs.size(), 2u);
  const auto& sc = set.runs[0];
  ASSERT_TRUE(sc.parity);
  const std::size_t A = 21;
  // [zone][group][parity][age]: zone A, age 17: 1000 women × (0.6, 0.3, 0.1, 0); age 5: all at parity 0.
  const auto& w = sc.parity->women_by_parity;
  EXPECT_DOUBLE_EQ(w[0 * A + 17], 600.0);
  EXPECT_DOUBLE_EQ(w[1 * A + 17], 300.0);
  EXPECT_DOUBLE_EQ(w[2 * A + 17], 100.0);
  EXPECT_DOUBLE_EQ(w[0 * A + 5], 1000.0);
  EXPECT_DOUBLE_EQ(w[3 * A + 20], 100.0);  // 20+, parity 3+
  // Rates: the variant's third births at 18 are 0.04 from the step that starts in 2025 (the sixth).
  EXPECT_DOUBLE_EQ(sc.parity->rates_by_step[5][2 * A + 18], 0.02);
  EXPECT_DOUBLE_EQ(set.runs[1].parity->rates_by_step[5][2 * A + 18], 0.04);
  EXPECT_DOUBLE_EQ(set.runs[1].parity->rates_by_step[4][2 * A + 18], 0.02);
  // The schedules' ASFR is left to the run (zeros here).
  for (double f : sc.schedules[0].asfr) EXPECT_EQ(f, 0.0);
}

TEST(ParityScenario, RunWritesParityCsv) {
  const fs::path out = fs::temp_directory_path() / ("cohortgis_parity_" + std::to_string(::getpid()));
  fs::remove_all(out);
  app::RunConfig cfg;
  cfg.scenario = kDir + "/scenario.toml";
  cfg.out_dir = out.string();
  cfg.quiet = true;
  cfg.report = false;
  cfg.data_dir = COHORTGIS_DATA;
  app::run(cfg);
  const auto p = test::read_csv((out / "parity.csv").string());
  const auto comp = test::read_csv((out / "components.csv").string());
  std::map<std::string, double> births;  // variant/period/zone
  for (std::size_t r = 0; r < comp.rows.size(); ++r)
    if (comp.at(r, "component") == "births") {
      births[comp.at(r, "variant") + "/" + comp.at(r, "period") + "/" + comp.at(r, "zone")] +=
          comp.num(r, "persons");  // period "2021"
    }
  std::map<std::string, std::size_t> row;
  for (std::size_t r = 0; r < p.rows.size(); ++r)
    row[p.at(r, "variant") + "/" + p.at(r, "year") + "/" + p.at(r, "zone")] = r;
  ASSERT_EQ(p.rows.size(), 2u * 10u * 3u);  // variants × years × (A, B, total)
  for (const char* v : {"baseline", "three_child"})
    for (int y = 2021; y <= 2030; ++y)
      for (const char* z : {"A", "B"}) {
        const std::size_t r = row.at(std::string(v) + "/" + std::to_string(y) + "/" + z);
        const double sum = p.num(r, "births_order_1") + p.num(r, "births_order_2") + p.num(r, "births_order_3_plus");
        EXPECT_NEAR(sum, births.at(std::string(v) + "/" + std::to_string(y) + "/" + z), 1e-9 * sum) << v << y << z;
        EXPECT_NEAR(p.num(r, "share_order_1_percent") + p.num(r, "share_order_2_percent") +
                        p.num(r, "share_order_3_plus_percent"),
                    100.0, 1e-9);
      }
  // By hand, first step (docs/parity.md): second and third births come only from age 18, where the exposure mix is
  // (0.6, 0.3, 0.1, 0), so their ratio is 0.05·0.3 / (0.02·0.1) = 7.5 whatever the exposure; TFR by order is
  // Σ f_p·w_p: first 0.1·((0.6 + 1)/2 + 4·0.6) = 0.32, second 0.015, third and higher 0.002.
  const std::size_t a = row.at("baseline/2021/A");
  EXPECT_NEAR(p.num(a, "births_order_2") / p.num(a, "births_order_3_plus"), 7.5, 1e-12);
  EXPECT_NEAR(p.num(a, "tfr_order_1"), 0.32, 1e-12);
  EXPECT_NEAR(p.num(a, "tfr_order_2"), 0.015, 1e-12);
  EXPECT_NEAR(p.num(a, "tfr_order_3_plus"), 0.002, 1e-12);
  // SRB by order (docs/parity.md): the zone's SRB is the expected mix, boys by order are scaled to the step's boys;
  // the expected mix misses the actual one only by the difference between the start women and the exposure.
  EXPECT_NEAR(p.num(a, "srb_order_1_per_100"), 104.0, 0.05);
  EXPECT_NEAR(p.num(a, "srb_order_2_per_100"), 110.0, 0.05);
  EXPECT_NEAR(p.num(a, "srb_order_3_plus_per_100"), 130.0, 0.05);
  // The total row pools the zones.
  const std::size_t t = row.at("baseline/2021/total"), b = row.at("baseline/2021/B");
  EXPECT_NEAR(p.num(t, "births_order_1"), p.num(a, "births_order_1") + p.num(b, "births_order_1"), 1e-9);
  // The three-child variant: the same steps up to 2025, about twice the third births in 2026.
  EXPECT_EQ(p.at(row.at("three_child/2025/A"), "births_order_3_plus"),
            p.at(row.at("baseline/2025/A"), "births_order_3_plus"));
  EXPECT_GT(p.num(row.at("three_child/2026/A"), "births_order_3_plus"),
            1.5 * p.num(row.at("baseline/2026/A"), "births_order_3_plus"));
  // population.csv splits the women of every cell into the parity states (column parity), the men have `all`; each
  // state equals parity_women.csv's (base year and every step).
  const auto women = test::read_csv((out / "parity_women.csv").string());
  const auto pop = test::read_csv((out / "population.csv").string());
  std::map<std::string, double> by_state;
  for (std::size_t r = 0; r < women.rows.size(); ++r)
    by_state[women.at(r, "variant") + "/" + women.at(r, "year") + "/" + women.at(r, "zone") + "/" + women.at(r, "age") +
             "/" + women.at(r, "parity")] = women.num(r, "women");
  std::size_t checked = 0, men = 0;
  for (std::size_t r = 0; r < pop.rows.size(); ++r)
    if (pop.at(r, "sex") == "female") {
      const double w = pop.num(r, "population");
      EXPECT_NEAR(by_state.at(pop.at(r, "variant") + "/" + pop.at(r, "year") + "/" + pop.at(r, "zone") + "/" +
                              pop.at(r, "age") + "/" + pop.at(r, "parity")),
                  w, 1e-9 * std::max(1.0, w));
      ++checked;
    } else {
      EXPECT_EQ(pop.at(r, "parity"), "all");
      ++men;
    }
  EXPECT_EQ(checked, by_state.size());
  EXPECT_EQ(checked, 2u * 11u * 2u * 21u * 4u);  // variants × years (base + 10) × zones × ages × parities
  EXPECT_EQ(men, 2u * 11u * 2u * 21u);
  // indicators.csv holds every parity.csv value as a row of group `all` (births by order, shares, 特别扶助 base).
  const auto ind = test::read_csv((out / "indicators.csv").string());
  std::size_t parity_rows = 0;
  for (std::size_t r = 0; r < ind.rows.size(); ++r) {
    const std::string& name = ind.at(r, "indicator");
    if (name.rfind("births_order_", 0) != 0 && name.rfind("share_order_", 0) != 0 &&
        name.rfind("mothers_lost_only_child_", 0) != 0)
      continue;
    ++parity_rows;
    EXPECT_EQ(ind.at(r, "group"), "all");
    const std::size_t pr = row.at(ind.at(r, "variant") + "/" + ind.at(r, "year") + "/" + ind.at(r, "zone"));
    EXPECT_EQ(ind.at(r, "value"), p.at(pr, name)) << name;
  }
  EXPECT_EQ(parity_rows, 2u * 10u * 3u * 8u);  // variants × years × units × (3 + 3 + 2) indicators
  // The grid stops at 20+: no mothers aged 49 and over.
  EXPECT_EQ(p.num(a, "mothers_lost_only_child_49plus"), 0.0);
  // The report's section: the whole area's rows, with the indicators' English names.
  cfg.report = true;
  app::run(cfg);
  std::ifstream html(out / "report.html");
  const std::string text((std::istreambuf_iterator<char>(html)), std::istreambuf_iterator<char>());
  EXPECT_CONTAINS(text, "Births by order (family-planning indicators)");
  EXPECT_CONTAINS(text, "Share of third and higher births");
  EXPECT_CONTAINS(text, "Mothers 60+ whose only child has died");
  fs::remove_all(out);
}

// `parity_base = "records"`: the register's children ever born; women of unknown parity take the distribution of the
// known women of their cell (docs: scenarios/README.md "Parity").
TEST(ParityScenario, BaseFromRegister) {
  const fs::path dir = fs::temp_directory_path() / ("cohortgis_parity_reg_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "reg.csv") << "pid,dob,sex,zone,ceb\n"
                                    "1,1990-01-01,F,A,0\n2,1990-01-01,F,A,2\n3,1990-02-01,F,A,5\n4,1990-01-01,F,A,\n"
                                    "5,1990-01-01,M,A,7\n6,2010-01-01,F,B,\n7,2003-06-01,F,B,1\n";
  const auto scenario = [&](const std::string& base) {
    std::ofstream(dir / "s.toml")
        << "[scenario]\nname = \"reg\"\n[geography]\nzones = [ { id = \"A\" }, { id = \"B\" } ]\n"
           "[projection]\nbase_year = 2020\nhorizon = 2022\nstep = 1\nopen_age = 20\n"
           "[base_population]\nrecords = { path = \"reg.csv\", columns = { id = \"pid\", "
           "birth_date = \"dob\", children = \"ceb\" } }\n"
           "[fertility]\nparity_rates = { path = \"" +
               kDir +
               "/rates.csv\" }\n"
               "parity_base = " +
               base +
               "\nsrb = 105\n"
               "[mortality]\nmx = { path = \"" +
               kDir + "/mx.csv\", columns = { value = \"mx\" } }\n";
    return scenarios::load_scenario_file((dir / "s.toml").string(), COHORTGIS_DATA,
                                         geodata::ReadPolicy{{COHORTGIS_FIXTURES}, {}});
  };
  const auto set = scenario("\"records\"");
  const auto& w = set.runs[0].parity->women_by_parity;
  const std::size_t A = 21;
  // Zone A, women aged 30 (open group 20+): parities 0, 2, 3+ known once each, one unknown → 4/3 each.
  EXPECT_DOUBLE_EQ(w[0 * A + 20], 4.0 / 3.0);
  EXPECT_DOUBLE_EQ(w[1 * A + 20], 0.0);
  EXPECT_DOUBLE_EQ(w[2 * A + 20], 4.0 / 3.0);
  EXPECT_DOUBLE_EQ(w[3 * A + 20], 4.0 / 3.0);
  // Zone B: a girl aged 10 of unknown parity is at parity 0; a woman aged 17 with one child.
  EXPECT_DOUBLE_EQ(w[(4 * 1 + 0) * A + 10], 1.0);
  EXPECT_DOUBLE_EQ(w[(4 * 1 + 1) * A + 17], 1.0);
  // Women aged 20+ of zone A whose parities are all unknown: refused.
  std::ofstream(dir / "reg.csv") << "pid,dob,sex,zone,ceb\n1,1990-01-01,F,A,\n2,1990-01-01,F,B,1\n";
  EXPECT_CONTAINS(test::error_of([&] { scenario("\"records\""); }),
                  "zone A, age 20: every woman of the register has an empty `children` cell");
  fs::remove_all(dir);
}

// `[outputs] min_cell` suppresses the counts of 1 to min_cell − 1 women in parity_women.csv, as in population.csv.
TEST(ParityScenario, SmallCellsSuppressed) {
  const fs::path dir = fs::temp_directory_path() / ("cohortgis_parity_min_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ifstream in(kDir + "/scenario.toml");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const char* f : {"base.csv", "rates.csv", "base_shares.csv", "mx.csv", "rates_three_child.csv"})
    fs::copy_file(kDir + "/" + f, dir / f);
  std::ofstream(dir / "scenario.toml") << text << "\n[outputs]\nmin_cell = 10\n";
  app::RunConfig cfg;
  cfg.scenario = (dir / "scenario.toml").string();
  cfg.out_dir = (dir / "out").string();
  cfg.quiet = true;
  cfg.report = false;
  cfg.data_dir = COHORTGIS_DATA;
  app::run(cfg);
  const auto w = test::read_csv((dir / "out" / "parity_women.csv").string());
  std::size_t hidden = 0;
  for (std::size_t r = 0; r < w.rows.size(); ++r) {
    if (w.at(r, "suppressed") == "1") {
      EXPECT_EQ(w.at(r, "women"), "");
      ++hidden;
    } else {
      const double v = w.num(r, "women");
      EXPECT_TRUE(v == 0.0 || v >= 10.0) << v;
    }
  }
  EXPECT_GT(hidden, 0u);  // e.g. women aged 15 at parity 2 (1000 × 0.1 × …) fall below 10 in later years
  fs::remove_all(dir);
}

// parity_base_age_width = 5: a census table of women by five-year age group and children ever born (census_5y.csv:
// 15-19: 4000, 800, 200, 0 of 5000 women; 20+: 300, 300, 300, 100 of 1000). By hand, every single year of a group
// gets the group's distribution: age 16 of 1000 women → 800, 160, 40, 0; the open group 20+ is its own row.
TEST(ParityScenario, BaseFromAFiveYearCensusTable) {
  const auto set = scenarios::load_scenario_file(kDir + "/scenario_census_5y.toml", COHORTGIS_DATA);
  const std::size_t A = 21;
  const auto& w = set.runs[0].parity->women_by_parity;  // [zone][group][parity][age]
  for (std::size_t zone : {0u, 1u}) {
    const std::size_t o = zone * 4 * A;
    for (std::size_t age : {15u, 16u, 19u}) {
      EXPECT_DOUBLE_EQ(w[o + 0 * A + age], 800.0) << age;
      EXPECT_DOUBLE_EQ(w[o + 1 * A + age], 160.0) << age;
      EXPECT_DOUBLE_EQ(w[o + 2 * A + age], 40.0) << age;
      EXPECT_DOUBLE_EQ(w[o + 3 * A + age], 0.0) << age;
    }
    EXPECT_DOUBLE_EQ(w[o + 0 * A + 20], 300.0);
    EXPECT_DOUBLE_EQ(w[o + 3 * A + 20], 100.0);
    EXPECT_DOUBLE_EQ(w[o + 0 * A + 10], 1000.0);  // girls below 15: parity 0
  }
}

// parity_base = "from_rates" (docs/parity.md "Base without a census table"): the synthetic cohort of the first
// step's rates. By hand with rates.csv (h_p(i) = (f_p(i) + f_p(i+1))/2: h_0 = 0.05 at 14, 0.1 at 15–18; h_1 = h_2 ×
// 2.5 = 0.025 at 17 and 18): age 15 (0.95, 0.05), 16 (0.855, 0.145), 17 (0.7695, 0.2305), 18 (0.69255, 0.3016875,
// 0.0057625, 0). The variant gives parity progression ratios q, read as rates q/(1 − q/2), changing in 2023.
TEST(ParityScenario, BaseFromRatesAndProgressionRatios) {
  const auto set = scenarios::load_scenario_file(kDir + "/scenario_from_rates.toml", COHORTGIS_DATA);
  ASSERT_EQ(set.runs.size(), 2u);
  const std::size_t A = 21;
  const auto& w = set.runs[0].parity->women_by_parity;  // [zone][group][parity][age], zone A first
  EXPECT_NEAR(w[0 * A + 15], 950.0, 1e-9);
  EXPECT_NEAR(w[1 * A + 16], 145.0, 1e-9);
  EXPECT_NEAR(w[0 * A + 18], 692.55, 1e-9);
  EXPECT_NEAR(w[1 * A + 18], 301.6875, 1e-9);
  EXPECT_NEAR(w[2 * A + 18], 5.7625, 1e-9);
  EXPECT_EQ(w[3 * A + 18], 0.0);
  EXPECT_NEAR(w[3 * A + 20], 1000.0 * 0.0057625 * 0.01, 1e-9);  // 20+: the cohort aged 19 moved on, 3+ from 2 at 18
  EXPECT_EQ(w[1 * A + 10], 0.0);
  const auto& r = set.runs[1].parity->rates_by_step;
  EXPECT_DOUBLE_EQ(r[0][0 * A + 15], 0.2 / 0.9);
  EXPECT_DOUBLE_EQ(r[2][0 * A + 15], 0.2 / 0.9);
  EXPECT_DOUBLE_EQ(r[3][0 * A + 15], 0.1 / 0.95);
  EXPECT_DOUBLE_EQ(r[0][1 * A + 18], 0.1 / 0.95);
  EXPECT_DOUBLE_EQ(r[0][2 * A + 18], 0.05 / 0.975);
  EXPECT_EQ(r[3][1 * A + 18], 0.0);
  // The run accepts the estimated states (they sum to the women of every cell).
  const fs::path out = fs::temp_directory_path() / ("cohortgis_parity_est_" + std::to_string(::getpid()));
  fs::remove_all(out);
  app::RunConfig cfg;
  cfg.scenario = kDir + "/scenario_from_rates.toml";
  cfg.out_dir = out.string();
  cfg.quiet = true;
  cfg.report = false;
  cfg.data_dir = COHORTGIS_DATA;
  app::run(cfg);
  EXPECT_EQ(test::read_csv((out / "parity.csv").string()).rows.size(), 2u * 5u * 3u);
  fs::remove_all(out);
}

// The shipped example (core-districts-parity, ages to 85+): the 特别扶助 base is a part of the women with one child
// of its age band, 60+ a part of 49+, and the whole area the sum of its districts.
TEST(ParityScenario, ExampleMothersWhoLostTheirOnlyChild) {
  const fs::path out = fs::temp_directory_path() / ("cohortgis_parity_example_" + std::to_string(::getpid()));
  fs::remove_all(out);
  app::RunConfig cfg;
  cfg.scenario = std::string(COHORTGIS_EXAMPLES) + "/core-districts-parity/scenario.toml";
  cfg.out_dir = out.string();
  cfg.quiet = true;
  cfg.report = false;
  cfg.variants = {"baseline"};
  cfg.data_dir = COHORTGIS_DATA;
  app::run(cfg);
  const auto p = test::read_csv((out / "parity.csv").string());
  std::map<std::string, double> sum_of_zones;
  std::size_t checked = 0;
  for (std::size_t r = 0; r < p.rows.size(); ++r) {
    const double m49 = p.num(r, "mothers_lost_only_child_49plus"), m60 = p.num(r, "mothers_lost_only_child_60plus");
    EXPECT_GT(m60, 0.0);
    EXPECT_LE(m60, m49);
    EXPECT_LT(m49, p.num(r, "women_49plus_parity_1"));
    EXPECT_LT(m60, p.num(r, "women_60plus_parity_1"));
    if (p.at(r, "zone") != "total") sum_of_zones[p.at(r, "year")] += m60;
    ++checked;
  }
  EXPECT_EQ(checked, 15u * 3u);  // 2021–2035 × (two districts, total)
  for (std::size_t r = 0; r < p.rows.size(); ++r) {
    if (p.at(r, "zone") != "total") continue;
    const double sum = sum_of_zones.at(p.at(r, "year"));
    EXPECT_NEAR(p.num(r, "mothers_lost_only_child_60plus"), sum, 1e-9 * sum);
  }
  fs::remove_all(out);
}

// Table options that the parity tables would ignore without a word are refused, naming the key: `per` on the rates
// (births per woman per year, ratios within the year), `unit`/`per`/`between` on parity_base (women at the base
// date), and a misspelt keyword of parity_base (looked for as a file of that name before).
TEST(ParityScenario, OptionsTheParityTablesWouldIgnoreAreRefused) {
  const fs::path dir = fs::temp_directory_path() / ("cohortgis_parity_opts_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const auto error = [&](const std::string& fertility) {
    std::ofstream(dir / "s.toml")
        << "[scenario]\nname = \"opts\"\n[geography]\nzones = [ { id = \"A\" }, { id = \"B\" } ]\n"
           "[projection]\nbase_year = 2020\nhorizon = 2022\nstep = 1\nopen_age = 20\n"
           "[base_population]\ntable = \"" +
               kDir + "/base.csv\"\n[fertility]\n" + fertility + "\nsrb = 105\n[mortality]\nmx = { path = \"" + kDir +
               "/mx.csv\", columns = { value = \"mx\" } }\n";
    return test::error_of([&] {
      scenarios::load_scenario_file((dir / "s.toml").string(), COHORTGIS_DATA,
                                    geodata::ReadPolicy{{COHORTGIS_FIXTURES}, {}});
    });
  };
  const std::string rates = "parity_rates = { path = \"" + kDir + "/rates.csv\" }\n";
  const std::string base = "parity_base = { path = \"" + kDir + "/base_shares.csv\" }\n";
  EXPECT_EQ(error(rates + base), "<no exception>");
  EXPECT_CONTAINS(error("parity_rates = { path = \"" + kDir + "/rates.csv\", per = \"step\" }\n" + base),
                  "key 'fertility.parity_rates.per': this table cannot be per step (its values are births per woman "
                  "per year)");
  EXPECT_CONTAINS(error("parity_progression = { path = \"" + kDir + "/progression.csv\", per = \"year\" }\n" + base),
                  "key 'fertility.parity_progression.per': this table cannot be per step");
  for (const std::string opt : {"unit = \"per_woman\"", "per = \"step\"", "between = \"linear\""})
    EXPECT_CONTAINS(error(rates + "parity_base = { path = \"" + kDir + "/base_shares.csv\", " + opt + " }\n"),
                    "key 'fertility.parity_base." + opt.substr(0, opt.find(' ')) + "'");
  EXPECT_CONTAINS(error(rates + "parity_base = \"from_rate\"\n"),
                  "key 'fertility.parity_base': expected \"from_rates\", \"records\" or a table file");
  fs::remove_all(dir);
}

// docs/parity.md's worked example written as a scenario file (one zone, 100 women at every age 0–10+, no deaths below
// the open age): births by order over two years against an independent NumPy model of the text (steps 1–4 and the
// SRB by order; 2021 is the document's 62, 22, 11 and boys 49.6, girls 45.4).
TEST(ParityScenario, WorkedExampleThroughAScenarioFile) {
  const fs::path dir = fs::temp_directory_path() / ("cohortgis_parity_worked_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string base = "zone,sex,age,population\n", mx = "age,sex,mx\n";
  for (const char* s : {"female", "male"})
    for (int a = 0; a <= 10; ++a) {
      base += std::string("A,") + s + "," + std::to_string(a) + ",100\n";
      mx += std::to_string(a) + "," + s + (a == 10 ? ",0.5\n" : ",0\n");  // the open group closes the life table
    }
  std::ofstream(dir / "base.csv") << base;
  std::ofstream(dir / "mx.csv") << mx;
  std::string shares =
      "age,parity,share\n0,0,1\n1,0,1\n2,0,0.5\n2,1,0.5\n3,0,0.2\n3,1,0.4\n3,2,0.4\n"
      "4,0,0.1\n4,1,0.3\n4,2,0.4\n4,3+,0.2\n";
  for (int a = 5; a <= 10; ++a)
    for (const char* ps : {",0,0.1\n", ",1,0.2\n", ",2,0.3\n", ",3+,0.4\n"}) shares += std::to_string(a) + ps;
  std::ofstream(dir / "shares.csv") << shares;
  std::ofstream(dir / "rates.csv") << "age,parity,value\n1,0,0.2\n2,0,0.4\n3,0,0.3\n4,0,0.1\n2,1,0.2\n3,1,0.3\n"
                                      "4,1,0.1\n3,2,0.1\n4,2,0.2\n4,3+,0.1\n";
  const auto run = [&](const std::string& srb) {
    std::ofstream(dir / "s.toml")
        << "[scenario]\nname = \"worked\"\n[geography]\nzones = [ { id = \"A\" } ]\n"
           "[projection]\nbase_year = 2020\nhorizon = 2022\nstep = 1\nopen_age = 10\n"
           "[base_population]\ntable = \"base.csv\"\n[fertility]\n"
           "parity_rates = { path = \"rates.csv\" }\nparity_base = { path = \"shares.csv\" }\n" +
               srb + "\n[mortality]\nmx = { path = \"mx.csv\", columns = { value = \"mx\" } }\n";
    app::RunConfig cfg;
    cfg.scenario = (dir / "s.toml").string();
    cfg.out_dir = (dir / "out").string();
    fs::remove_all(cfg.out_dir);
    cfg.quiet = true;
    cfg.report = false;
    cfg.data_dir = COHORTGIS_DATA;
    app::run(cfg);
  };
  run("srb = 105");
  const auto p = test::read_csv((dir / "out" / "parity.csv").string());
  std::map<std::string, std::size_t> row;
  for (std::size_t r = 0; r < p.rows.size(); ++r) row[p.at(r, "year") + "/" + p.at(r, "zone")] = r;
  const std::size_t y1 = row.at("2021/A"), y2 = row.at("2022/A");
  EXPECT_NEAR(p.num(y1, "births_order_1"), 62.0, 1e-9);
  EXPECT_NEAR(p.num(y1, "births_order_2"), 22.0, 1e-9);
  EXPECT_NEAR(p.num(y1, "births_order_3_plus"), 11.0, 1e-9);
  EXPECT_NEAR(p.num(y1, "share_order_1_percent"), 6200.0 / 95.0, 1e-9);
  EXPECT_NEAR(p.num(y1, "mean_age_first_birth"), 2.3951612903225805, 1e-9);
  EXPECT_NEAR(p.num(y2, "births_order_1"), 63.702439024390245, 1e-9);
  EXPECT_NEAR(p.num(y2, "births_order_2"), 21.3, 1e-9);
  EXPECT_NEAR(p.num(y2, "births_order_3_plus"), 6.375, 1e-9);
  EXPECT_NEAR(p.num(y2, "mean_age_first_birth"), 2.599251474079179, 1e-9);
  run("srb_by_order = { \"1\" = 100, \"2\" = 120, \"3+\" = 150 }");
  const auto c = test::read_csv((dir / "out" / "components.csv").string());
  std::map<std::string, double> births;  // period/sex
  for (std::size_t r = 0; r < c.rows.size(); ++r)
    if (c.at(r, "component") == "births") births[c.at(r, "period") + "/" + c.at(r, "sex")] += c.num(r, "persons");
  EXPECT_NEAR(births.at("2021/male"), 49.6, 1e-9);
  EXPECT_NEAR(births.at("2021/female"), 45.4, 1e-9);
  EXPECT_NEAR(births.at("2022/male"), 47.24968181818183, 1e-9);
  EXPECT_NEAR(births.at("2022/female"), 44.038318181818184, 1e-9);
  fs::remove_all(dir);
}
