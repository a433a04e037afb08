// SPDX-License-Identifier: Apache-2.0
// Registers through a whole run (cohortgis::app::run): exclusions.csv and parity_base.csv, small cells suppressed
// in every published count, no record in any output; and the shipped example scenarios/examples/xicheng-register:
// its synthetic register (generated here, fixed seed) equals the 2020 census cell by cell, and the projection from
// the register equals the projection from the census table bit for bit.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "cohortgis/app/run.hpp"
#include "cohortgis/scenarios/scenario_file.hpp"
#include "csv_fixture.hpp"

using namespace cohortgis;
namespace fs = std::filesystem;

namespace {

const std::string kBad = std::string(COHORTGIS_FIXTURES) + "/bad";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class RegisterRun : public ::testing::Test {
 protected:
  fs::path dir;
  void SetUp() override {
    dir = fs::temp_directory_path() / ("cohortgis_register_run_" + std::to_string(::getpid()) + "_" +
                                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }
  void write(const std::string& name, const std::string& text) const { std::ofstream(dir / name) << text; }
  app::RunSummary run(const std::string& extra) const {
    write("s.toml", "[scenario]\nname = \"register-run\"\n[geography]\nzones = [ { id = \"A\" }, { id = \"B\" } ]\n"
                    "[projection]\nbase_year = 2020\nhorizon = 2030\nstep = 5\nopen_age = 20\n"
                    "[fertility]\nschedule = { path = \"" + kBad + "/asfr.csv\" }\ntfr = 1.5\nsrb = 105\n"
                    "[mortality]\nmx = { path = \"" + kBad + "/mx.csv\", columns = { value = \"mx\" } }\n"
                    "[base_population]\nrecords = { path = \"reg.csv\", columns = { id = \"pid\", birth_date = \"dob\", "
                    "children = \"ceb\" } }\n" + extra);
    app::RunConfig cfg;
    cfg.scenario = (dir / "s.toml").string();
    cfg.out_dir = (dir / "out").string();
    cfg.quiet = true;
    cfg.data_dir = COHORTGIS_DATA;
    cfg.allow_read = {COHORTGIS_FIXTURES};  // the scenario reads tests/fixtures, as --allow-read grants
    return app::run(cfg);
  }
  // 40 women and 40 men aged 30 in zone A; 3 women aged 2 and 12 men aged 7 in zone B; 2 duplicate rows, 1 birth in
  // 2021; ids "SECRET…" that must not appear in any output.
  void write_register() const {
    std::string t = "pid,dob,sex,zone,ceb\n";
    int id = 0;
    auto add = [&](int n, const char* dob, const char* sex, const char* zone, const char* ceb) {
      for (int k = 0; k < n; ++k) t += "SECRET" + std::to_string(++id) + "," + dob + "," + sex + "," + zone + "," + ceb + "\n";
    };
    add(40, "1990-06-01", "F", "A", "1");
    add(40, "1990-06-01", "M", "A", "");
    add(3, "2018-03-03", "F", "B", "");
    add(12, "2013-03-03", "M", "B", "");
    t += "SECRET1,1990-06-01,F,A,1\nSECRET2,1990-06-01,F,A,1\nSECRET999,2021-01-02,F,B,\n";
    write("reg.csv", t);
  }
};

TEST_F(RegisterRun, ExclusionsParityAndSmallCellsSuppressed) {
  write_register();
  run("exclude = [\"duplicate_id\", \"born_after_base\"]\n[outputs]\nmin_cell = 10\n");
  const fs::path out = dir / "out";
  const auto ex = test::read_csv((out / "exclusions.csv").string());
  std::map<std::string, std::size_t> row;
  for (std::size_t r = 0; r < ex.rows.size(); ++r) row[ex.at(r, "reason")] = r;
  ASSERT_TRUE(row.count("duplicate_id"));
  EXPECT_EQ(ex.at(row["duplicate_id"], "policy"), "exclude");
  EXPECT_EQ(ex.at(row["duplicate_id"], "count"), "2");
  EXPECT_EQ(ex.at(row["duplicate_id"], "first_rows"), "96 97");
  EXPECT_EQ(ex.at(row["born_after_base"], "count"), "1");
  EXPECT_EQ(ex.at(row["bad_date"], "policy"), "error");
  EXPECT_EQ(ex.at(row["bad_date"], "count"), "0");
  EXPECT_EQ(ex.at(row["total_excluded"], "count"), "3");

  // population.csv: the base year's B female 0-4 (3 persons) is suppressed, B male 5-9 (12) is published.
  const auto pop = test::read_csv((out / "population.csv").string());
  bool saw_hidden = false, saw_twelve = false;
  for (std::size_t r = 0; r < pop.rows.size(); ++r) {
    if (pop.at(r, "year") != "2020") continue;
    const std::string z = pop.at(r, "zone"), s = pop.at(r, "sex"), a = pop.at(r, "age");
    if (z == "B" && s == "female" && a == "0") {
      EXPECT_EQ(pop.at(r, "suppressed"), "1");
      saw_hidden = true;
    }
    if (z == "B" && s == "male" && a == "5") {
      EXPECT_EQ(pop.at(r, "population"), "12");
      EXPECT_EQ(pop.at(r, "suppressed"), "0");
      saw_twelve = true;
    }
  }
  EXPECT_TRUE(saw_hidden && saw_twelve);
  // Every published count of population.csv and components.csv is empty or at least 10 (or 0).
  for (const char* file : {"population.csv", "components.csv"}) {
    const auto t = test::read_csv((out / file).string());
    const std::string col = std::string(file) == "population.csv" ? "population" : "persons";
    std::size_t hidden = 0;
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
      const auto& cells = t.rows[r];
      // read_csv drops a trailing empty cell; the flag is then the last cell read.
      if (t.at(r, "suppressed") == "1" || cells.size() < t.header.size()) {
        ++hidden;
        continue;
      }
      const double v = t.num(r, col);
      EXPECT_TRUE(v == 0.0 || v >= 10.0) << file << " row " << r + 2 << ": " << v;
    }
    EXPECT_GT(hidden, 0u) << file;
  }
  // parity_base.csv: 40 women aged 30 (the open group 20+) with one child, published; 3 girls of unknown parity,
  // suppressed.
  const auto par = test::read_csv((out / "parity_base.csv").string());
  bool forty = false;
  for (std::size_t r = 0; r < par.rows.size(); ++r) {
    if (par.at(r, "zone") == "A" && par.at(r, "age") == "20" && par.at(r, "parity") == "1") {
      EXPECT_EQ(par.at(r, "women"), "40");
      forty = true;
    }
    if (par.at(r, "zone") == "B" && par.at(r, "age") == "0" && par.at(r, "parity") == "unknown") {
      EXPECT_EQ(par.at(r, "suppressed"), "1");
    }
  }
  EXPECT_TRUE(forty);
  // No record leaves the run: no id in any output file, the register is hashed in the manifest.
  for (const auto& e : fs::recursive_directory_iterator(out)) {
    if (!e.is_regular_file()) continue;
    EXPECT_EQ(slurp(e.path()).find("SECRET"), std::string::npos) << e.path();
  }
  const std::string manifest = slurp(out / "manifest.json");
  EXPECT_NE(manifest.find("reg.csv"), std::string::npos);
  EXPECT_NE(manifest.find("exclusions.csv"), std::string::npos);
  // The report states what was excluded (the register's assumption line).
  EXPECT_NE(slurp(out / "report.html").find("excluded under the declared policy: 1 born_after_base, 2 duplicate_id"),
            std::string::npos);
}

TEST_F(RegisterRun, WithoutMinCellNothingIsSuppressed) {
  write_register();
  run("exclude = [\"duplicate_id\", \"born_after_base\"]\n");
  const auto pop = test::read_csv((dir / "out" / "population.csv").string());
  EXPECT_EQ(pop.header.back(), "population");
  for (std::size_t r = 0; r < pop.rows.size(); ++r)
    if (pop.at(r, "year") == "2020" && pop.at(r, "zone") == "B" && pop.at(r, "sex") == "female" && pop.at(r, "age") == "0") {
      EXPECT_EQ(pop.at(r, "population"), "3");
    }
}

TEST_F(RegisterRun, AnErrorWritesNothing) {
  write_register();
  EXPECT_THROW(run("exclude = [\"duplicate_id\"]\n"), InputError);  // the 2021 birth is not excluded
  EXPECT_FALSE(fs::exists(dir / "out"));
}

// The shipped example: register.csv generated into the build folder (fixed seed), then the scenario run twice, from
// the register and from the census table; every CSV output is byte-identical.
TEST(XichengRegister, EqualsTheCensusBitForBit) {
  const fs::path example = fs::path(COHORTGIS_EXAMPLES) / "xicheng-register";
  const fs::path work = fs::path(COHORTGIS_BINARY_DIR) / "xicheng-register";
  fs::create_directories(work);
  const fs::path reg = work / "register.csv";
  if (!fs::exists(reg)) {
    const std::string cmd = "/usr/bin/python3 " + (example / "make_register.py").string() + " --census " +
                            COHORTGIS_DATA + "/census/census2020_districts.csv --out " + reg.string() + ".tmp && mv " +
                            reg.string() + ".tmp " + reg.string();
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
  const std::string toml = slurp(example / "scenario.toml");
  const auto begin = toml.find("# BEGIN base_population"), end = toml.find("# END base_population");
  ASSERT_NE(begin, std::string::npos);
  ASSERT_NE(end, std::string::npos);
  std::ofstream(work / "register.toml") << toml;
  std::ofstream(work / "census.toml") << toml.substr(0, begin) +
                                             "[base_population]\ntable = \"data:census/census2020_districts.csv\"\n"
                                             "format = \"census_long\"\n" + toml.substr(end);
  const auto from_register = scenarios::load_scenario_file((work / "register.toml").string(), COHORTGIS_DATA);
  const auto from_census = scenarios::load_scenario_file((work / "census.toml").string(), COHORTGIS_DATA);
  ASSERT_TRUE(from_register.records);
  EXPECT_EQ(from_register.records->persons, 1106214u);
  const auto a = from_register.runs.front().base_population.data(), b = from_census.runs.front().base_population.data();
  EXPECT_TRUE(std::equal(a.begin(), a.end(), b.begin(), b.end()));
  for (const char* which : {"register", "census"}) {
    app::RunConfig cfg;
    cfg.scenario = (work / (std::string(which) + ".toml")).string();
    cfg.out_dir = (work / (std::string("out-") + which)).string();
    fs::remove_all(cfg.out_dir);
    cfg.report = false;
    cfg.quiet = true;
    cfg.data_dir = COHORTGIS_DATA;
    cfg.allow_read = {COHORTGIS_FIXTURES};  // the scenario reads tests/fixtures, as --allow-read grants
    app::run(cfg);
  }
  for (const char* file : {"population.csv", "components.csv", "indicators.csv", "plan_periods.csv"})
    EXPECT_EQ(slurp(work / "out-register" / file), slurp(work / "out-census" / file)) << file;
  EXPECT_TRUE(fs::exists(work / "out-register" / "parity_base.csv"));
  EXPECT_TRUE(fs::exists(work / "out-register" / "exclusions.csv"));
  EXPECT_FALSE(fs::exists(work / "out-census" / "exclusions.csv"));
}

}  // namespace
