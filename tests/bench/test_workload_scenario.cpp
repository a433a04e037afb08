// SPDX-License-Identifier: Apache-2.0
// `bench_tool scenario`: the workload written as a scenario folder projects, through the scenario loader, exactly as
// the workload in memory: every year's population, births, deaths and net migrants bit for bit (12 zones, 7 annual
// steps across two schedule periods, OD graph with the group/sex/age multipliers, age-specific hukou transition).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>

#include "cohortgis/engine/number_text.hpp"
#include "cohortgis/engine/projection.hpp"
#include "cohortgis/scenarios/scenario_file.hpp"
#include "plain_csv.hpp"
#include "projection_fixture.hpp"
#include "workload.hpp"

using namespace cohortgis;
using cohortgis::bench::Workload;
using cohortgis::test::same_bits;

namespace {

struct Keep : cohortgis::test::StateSumsSink {
  void step(const StepResult& r) override {
    StateSumsSink::step(r);
    current = &pops.back();
  }
  const CohortArray* current = nullptr;
};

// The folder in either schedule form (compact: standard tables by country + zone_factors; full: a table row per
// zone, group, sex and age) against the in-memory workload.
void check_folder_projects_as_workload(bench::ScheduleForm form, const std::string& name) {
  bench::WorkloadOptions o;
  o.zones = 12;
  o.steps = 7;
  const Workload w(o);
  const std::string dir = (std::filesystem::temp_directory_path() / name).string();
  std::filesystem::remove_all(dir);
  bench::write_scenario_folder(w, dir, form);
  ASSERT_EQ(std::filesystem::exists(dir + "/mortality_factors.csv"), form == bench::ScheduleForm::compact);
  // Numbers as every output writes them (number_cell: the shortest text of the same double, "0.1", not 17 digits).
  std::size_t numbers = 0;
  std::string first_longer;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".csv") continue;
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    ASSERT_TRUE(bench::read_plain_csv(entry.path().string(), header, rows));
    for (const auto& row : rows)
      for (const std::string& cell : row) {
        char* end = nullptr;
        const double v = std::strtod(cell.c_str(), &end);
        if (cell.empty() || end != cell.c_str() + cell.size()) continue;  // an id or a name
        if (cell != number_cell(v) && first_longer.empty()) first_longer = entry.path().string() + ": " + cell;
        ++numbers;
      }
  }
  EXPECT_GT(numbers, 1000u);
  EXPECT_EQ(first_longer, "");

  Keep memory;
  {
    Projection p(w.config(1, true), w.base_population());
    p.run(w.provider(), memory);
  }
  const scenarios::ScenarioSet set = scenarios::load_scenario_file(dir + "/scenario.toml", COHORTGIS_DATA);
  ASSERT_EQ(set.runs.size(), 1u);
  const scenarios::Scenario& sc = set.runs[0];
  ASSERT_TRUE(same_bits(sc.base_population.data(), w.base_population().data()));
  Keep file;
  const CohortArray* start = &sc.base_population;
  struct Tracking : ResultSink {
    Keep& k;
    const CohortArray*& start;
    Tracking(Keep& k_, const CohortArray*& s) : k(k_), start(s) {}
    void step(const StepResult& r) override {
      k.step(r);
      start = k.current;
    }
  } sink{file, start};
  {
    ProjectionConfig cfg = sc.projection_config();
    cfg.threads = 1;
    Projection p(cfg, sc.base_population);
    p.run(sc.schedule_provider(&start), sink);
  }
  ASSERT_EQ(file.pops.size(), memory.pops.size());
  double total = 0.0;
  for (std::size_t k = 0; k < memory.pops.size(); ++k) {
    EXPECT_TRUE(same_bits(file.pops[k].data(), memory.pops[k].data())) << "population, step " << k;
    EXPECT_TRUE(same_bits(file.births[k], memory.births[k])) << "births, step " << k;
    EXPECT_TRUE(same_bits(file.deaths[k], memory.deaths[k])) << "deaths, step " << k;
    EXPECT_TRUE(same_bits(file.net[k], memory.net[k])) << "net migrants, step " << k;
    for (double v : memory.net[k]) total += std::abs(v);
  }
  EXPECT_GT(total, 0.0);  // migration (OD and transition) did move people: the comparison covers it
  std::filesystem::remove_all(dir);
}

TEST(WorkloadScenario, FolderProjectsAsTheWorkloadBitForBit) {
  check_folder_projects_as_workload(bench::ScheduleForm::full, "cohortgis_workload_scenario_test_full");
}

TEST(WorkloadScenario, CompactFolderProjectsAsTheWorkloadBitForBit) {
  check_folder_projects_as_workload(bench::ScheduleForm::compact, "cohortgis_workload_scenario_test_compact");
}

}  // namespace

namespace {

// The OD index a file scenario's adjuster hands each step (Scenario::adjust_schedules), for steps 0..steps-1.
std::vector<std::shared_ptr<const OdMigration>> od_by_step(const std::string& toml) {
  const scenarios::ScenarioSet set = scenarios::load_scenario_file(toml, COHORTGIS_DATA);
  const scenarios::Scenario& sc = set.runs[0];
  EXPECT_TRUE(static_cast<bool>(sc.adjust_schedules));
  std::vector<std::shared_ptr<const OdMigration>> ods;
  CohortArray start = sc.base_population;
  for (int k = 0; k < sc.steps; ++k) {
    StepSchedules s;
    sc.adjust_schedules(StepContext{k, 2020 + k, 2021 + k}, start, s);
    ods.push_back(s.od);
    // A population whose age structure changes from step to step.
    for (std::size_t i = 0; i < start.storage().size(); ++i)
      start.storage()[i] *= 1.0 + 0.01 * (k + 1) * static_cast<double>(i % 7);
  }
  return ods;
}

}  // namespace

// OD rates that do not depend on the population (a profile table used as given) are indexed once and the same index
// is handed to every step, instead of validating, sorting and indexing the same edges again each year; a profile
// that is rescaled by each origin's start population (rogers-castro) still gives a new index every step.
TEST(WorkloadScenario, FixedOdRatesAreIndexedOnce) {
  bench::WorkloadOptions o;
  o.zones = 12;
  o.steps = 4;
  const Workload w(o);
  const std::string dir = (std::filesystem::temp_directory_path() / "cohortgis_workload_scenario_od_once").string();
  std::filesystem::remove_all(dir);
  bench::write_scenario_folder(w, dir, bench::ScheduleForm::compact);
  const auto fixed = od_by_step(dir + "/scenario.toml");
  ASSERT_EQ(fixed.size(), 4u);
  ASSERT_TRUE(fixed[0]);
  EXPECT_FALSE(fixed[0]->empty());
  for (std::size_t k = 1; k < fixed.size(); ++k) EXPECT_EQ(fixed[k].get(), fixed[0].get()) << k;

  std::string toml;
  {
    std::ifstream in(dir + "/scenario.toml");
    toml.assign(std::istreambuf_iterator<char>(in), {});
  }
  const std::string table = "od_profile = \"od_profile.csv\"";
  ASSERT_NE(toml.find(table), std::string::npos);
  toml.replace(toml.find(table), table.size(), "od_profile = \"rogers-castro\"");
  std::ofstream(dir + "/rescaled.toml") << toml;
  const auto rescaled = od_by_step(dir + "/rescaled.toml");
  ASSERT_EQ(rescaled.size(), 4u);
  for (std::size_t k = 1; k < rescaled.size(); ++k) {
    EXPECT_NE(rescaled[k].get(), rescaled[k - 1].get()) << k;
    EXPECT_NE(rescaled[k]->flows()[0].rate_per_year, rescaled[k - 1]->flows()[0].rate_per_year) << k;
  }
  std::filesystem::remove_all(dir);
}

// The plain CSV reader of the workload and the tests' fixtures (bench/plain_csv.hpp): '\r' line ends and blank lines
// dropped, a trailing comma an empty last cell, no file a false.
TEST(PlainCsv, CarriageReturnsBlankLinesAndATrailingComma) {
  const std::filesystem::path path = std::filesystem::temp_directory_path() / "cohortgis-plain-csv-test.csv";
  std::ofstream(path) << "a,b\r\n\r\n1,\r\n\n2,3\n";
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  ASSERT_TRUE(bench::read_plain_csv(path.string(), header, rows));
  std::filesystem::remove(path);
  EXPECT_EQ(header, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(rows, (std::vector<std::vector<std::string>>{{"1", ""}, {"2", "3"}}));
  EXPECT_FALSE(bench::read_plain_csv(path.string(), header, rows));
}
