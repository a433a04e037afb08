// SPDX-License-Identifier: Apache-2.0
// app::project, the in-memory facade behind `cohortgis run` and Python's run: order of calls, variants, the engine
// handed to the sink, population-dependent schedules, cancellation and progress.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

#include "../../app/src/results_writer.hpp"  // internal to the app library: the CSV writer's step timings
#include "cohortgis/app/project.hpp"
#include "cohortgis/app/run.hpp"
#include "cohortgis/scenarios/scenario.hpp"
#include "cohortgis/scenarios/scenario_file.hpp"

using namespace cohortgis;
namespace fs = std::filesystem;

namespace {

double sum(const CohortArray& a) { return std::accumulate(a.data().begin(), a.data().end(), 0.0); }

// Records every call, and the whole area's population after each step.
struct Recorder : app::VariantSink {
  std::vector<std::string> calls;
  std::vector<std::vector<double>> totals;  // per run: base, then each step's end
  std::vector<double> final_totals;
  std::vector<std::unique_ptr<Projection>> engines;
  std::vector<const CohortArray*> finals;
  bool keep_engines = false;
  void begin_variant(const scenarios::Scenario& run) override {
    calls.push_back("begin " + run.variant);
    totals.emplace_back();
  }
  void base(const CohortArray& population, int year) override {
    calls.push_back("base " + std::to_string(year));
    totals.back().push_back(sum(population));
  }
  void step(const StepResult& r) override {
    calls.push_back("step " + std::to_string(r.context.end_year));
    totals.back().push_back(sum(r.end));
  }
  void end_variant(const scenarios::Scenario& run, const CohortArray& final_population,
                   std::unique_ptr<Projection>& engine) override {
    calls.push_back("end " + run.variant);
    final_totals.push_back(sum(final_population));
    if (keep_engines) {
      finals.push_back(&final_population);
      engines.push_back(std::move(engine));
    }
  }
};

// The five-year Beijing scenario (the default before issue #19): three steps keep the order of calls short to list.
const scenarios::ScenarioSet& default_set() {
  static const scenarios::ScenarioSet set = scenarios::load_scenario_file(
      std::string(COHORTGIS_EXAMPLES) + "/beijing-2020-five-year/scenario.toml", COHORTGIS_DATA);
  return set;
}

TEST(Project, RunsTheBaselineThenEveryVariantInOrder) {
  const auto& set = default_set();
  ASSERT_EQ(set.runs.size(), 3u);  // baseline, higher-fertility, core-relocation
  Recorder rec;
  const app::ProjectSummary s = app::project(set, {}, rec);
  ASSERT_EQ(s.runs.size(), 3u);
  for (std::size_t r = 0; r < 3; ++r) EXPECT_EQ(s.runs[r], &set.runs[r]);
  EXPECT_GE(s.threads, 1);
  const std::vector<std::string> one = {"base 2020", "step 2025", "step 2030", "step 2035"};
  std::vector<std::string> expected;
  for (const auto& run : set.runs) {
    expected.push_back("begin " + run.variant);
    expected.insert(expected.end(), one.begin(), one.end());
    expected.push_back("end " + run.variant);
  }
  EXPECT_EQ(rec.calls, expected);
  // The final population handed to end_variant is the last step's end population.
  for (std::size_t r = 0; r < 3; ++r) EXPECT_EQ(rec.final_totals[r], rec.totals[r].back());
}

TEST(Project, GivesTheSameTotalsAsTheCsvWritingRun) {
  // run() = load + project(…, the results writer) + outputs: its totals come through the CSV writer's sums.
  const fs::path out = fs::temp_directory_path() / ("cohortgis_project_" + std::to_string(::getpid()));
  app::RunConfig cfg;
  cfg.scenario = std::string(COHORTGIS_EXAMPLES) + "/beijing-2020-five-year/scenario.toml";
  cfg.out_dir = out.string();
  cfg.quiet = true;
  cfg.report = false;
  cfg.data_dir = COHORTGIS_DATA;
  cfg.threads = 2;
  const app::RunSummary summary = app::run(cfg);
  fs::remove_all(out);
  Recorder rec;
  app::ProjectOptions o;
  o.threads = 1;
  app::project(default_set(), o, rec);
  ASSERT_EQ(summary.variants.size(), rec.totals.size());
  for (std::size_t r = 0; r < rec.totals.size(); ++r) {
    ASSERT_EQ(summary.variants[r].total_population.size(), rec.totals[r].size());
    for (std::size_t k = 0; k < rec.totals[r].size(); ++k)
      EXPECT_NEAR(summary.variants[r].total_population[k], rec.totals[r][k], 1e-6 * rec.totals[r][k]) << r << " " << k;
  }
}

// RunConfig::scenario_set (Python's write_outputs of a set): the run writes the host's set as it is, not the file,
// with the same files for the same runs, and refuses a run in another layout before anything is written.
TEST(Project, RunWritesAHostsSetAsLoadedOrChanged) {
  const fs::path out = fs::temp_directory_path() / ("cohortgis_host_set_" + std::to_string(::getpid()));
  app::RunConfig cfg;
  cfg.scenario = std::string(COHORTGIS_EXAMPLES) + "/beijing-2020-five-year/scenario.toml";
  cfg.quiet = true;
  cfg.report = false;
  cfg.data_dir = COHORTGIS_DATA;
  cfg.threads = 1;
  const auto read = [](const fs::path& f) {
    std::ifstream in(f, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  cfg.out_dir = (out / "file").string();
  const app::RunSummary file = app::run(cfg);
  scenarios::ScenarioSet set = default_set().without_runs();
  set.runs = default_set().runs;
  cfg.scenario_set = &set;
  cfg.scenario_note = "from a host";
  cfg.out_dir = (out / "host").string();
  app::run(cfg);
  for (const char* f : {"population.csv", "components.csv", "indicators.csv", "targets.csv"})
    EXPECT_EQ(read(out / "host" / f), read(out / "file" / f)) << f;
  EXPECT_NE(read(out / "host" / "manifest.json").find("\"note\": \"from a host\""), std::string::npos);
  // Changed: a baseline without births is what is written (its population differs from the file's).
  for (StepSchedules& s : set.runs[0].schedules) s.asfr.assign(s.asfr.size(), 0.0);
  cfg.out_dir = (out / "changed").string();
  const app::RunSummary changed = app::run(cfg);
  EXPECT_NE(read(out / "changed" / "population.csv"), read(out / "file" / "population.csv"));
  EXPECT_LT(changed.total_population.back(), file.total_population.back());
  // A variant in another layout (groups in another order: its cells would be written under the wrong names).
  std::reverse(set.runs[1].group_names.begin(), set.runs[1].group_names.end());
  cfg.out_dir = (out / "bad").string();
  try {
    app::run(cfg);
    ADD_FAILURE() << "a variant of another layout was written";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("its zones, groups, age grid or years differ"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(out / "bad"));
  fs::remove_all(out);
}

// The message of the ProjectionError that ends a stopped run ("<no exception>" when it completed).
std::string stopped_run(const app::RunConfig& cfg) {
  try {
    app::run(cfg);
  } catch (const ProjectionError& e) {
    return e.what();
  }
  return "<no exception>";
}

// A stop while the run hashes its inputs for manifest.json (round 26 backlog: nothing failed were the
// ReadCancellation around run.cpp's input hashing removed, only sha256_file was tested). A host's set (no load, whose
// own ReadCancellation would see the stop first) with a large input first among its inputs and the stop flag set:
// the hashing stops at its first MiB ("reading cancelled"), not after 512 MiB and the projection's own look at the
// flag ("projection cancelled"), and nothing is left (no folder, no staging folder beside it).
TEST(Project, AStopWhileTheInputsAreHashedEndsTheRunAndLeavesNothing) {
  const fs::path dir = fs::temp_directory_path() / ("cohortgis_input_hash_stop_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path large = dir / "large_input.bin";
  std::ofstream(large).close();
  fs::resize_file(large, std::uintmax_t{512} << 20);  // sparse: no disk, read as zeros
  scenarios::ScenarioSet set = default_set().without_runs();
  set.runs = default_set().runs;
  set.runs[0].inputs.insert(set.runs[0].inputs.begin(), {"large input", large.string(), "large_input.bin"});
  std::atomic<bool> cancel{true};
  app::RunConfig cfg;
  cfg.scenario_set = &set;
  cfg.quiet = true;
  cfg.report = false;
  cfg.data_dir = COHORTGIS_DATA;
  cfg.threads = 1;
  cfg.cancel = &cancel;
  cfg.out_dir = (dir / "out").string();
  EXPECT_EQ(stopped_run(cfg), "reading cancelled");
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path() != large) left.push_back(e.path().filename().string());
  EXPECT_TRUE(left.empty()) << left.front();
  fs::remove_all(dir);
}

// A stop once the projection has ended, while results.nc is hashed for manifest.json (round 26 backlog: that wait was
// ended only by the command's watchdog). The stop comes in the last step's progress report, after the engine's last
// look at the flag: the digest, handed the run's flag, reads nothing and the run ends there ("… while results.nc was
// hashed"), not after the whole file and the manifest ("… before its results were moved into place"); nothing left.
TEST(Project, AStopWhileResultsNcIsHashedEndsTheRunThere) {
  const fs::path dir = fs::temp_directory_path() / ("cohortgis_digest_stop_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::atomic<bool> cancel{false};
  app::RunConfig cfg;
  cfg.scenario = std::string(COHORTGIS_EXAMPLES) + "/beijing-2020-five-year/scenario.toml";
  cfg.variants = {"baseline"};
  cfg.format = "netcdf";
  cfg.quiet = true;
  cfg.report = false;  // the digest is waited for before the manifest
  cfg.data_dir = COHORTGIS_DATA;
  cfg.threads = 1;
  cfg.cancel = &cancel;
  cfg.progress = [&cancel](const std::string&, int done, int total) {
    if (done == total) cancel.store(true);
  };
  cfg.out_dir = (dir / "out").string();
  EXPECT_EQ(stopped_run(cfg), "projection cancelled while results.nc was hashed");
  EXPECT_TRUE(fs::is_empty(dir)) << fs::directory_iterator(dir)->path();
  fs::remove_all(dir);
}

TEST(Project, SelectsVariantsByName) {
  Recorder rec;
  app::ProjectOptions o;
  o.variants = {"core-relocation", "baseline", "core-relocation"};
  const auto s = app::project(default_set(), o, rec);
  ASSERT_EQ(s.runs.size(), 2u);
  EXPECT_EQ(s.runs[1]->variant, "core-relocation");
  o.variants = {"lower"};
  o.variants_option = "--variant";
  try {
    app::project(default_set(), o, rec);
    FAIL() << "an unknown variant ran";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("--variant: 'lower' is not a variant of"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("higher-fertility, core-relocation"), std::string::npos) << e.what();
  }
}

// The engine's messages name the step's years and the schedule, not the run: among several variants the one to fix
// was not said. project() names it once, before the engine's message; a run alone keeps the engine's message.
TEST(Project, AnEngineErrorAmongVariantsNamesTheVariantOnce) {
  scenarios::ScenarioSet set = default_set();
  for (auto& s : set.runs[2].schedules) s.srb.assign(3, 105.0);  // 3 zones' sex ratios for 16 zones
  const std::string engine = "year 2020–2025: schedule 'srb' has 3 values; expected zones = 16";
  const auto error_of = [](const std::function<void()>& f) -> std::string {
    try {
      f();
    } catch (const InputError& e) {
      return e.what();
    }
    return "no error";
  };
  Recorder rec;
  EXPECT_EQ(error_of([&] { app::project(set, {}, rec); }), "variant 'core-relocation': " + engine);
  app::ProjectOptions o;
  o.variants = {"baseline", "core-relocation"};
  EXPECT_EQ(error_of([&] { app::project(set, o, rec); }), "variant 'core-relocation': " + engine);
  EXPECT_EQ(error_of([&] { app::project(set.runs[2], {}, rec); }), engine);
}

TEST(Project, TheSinkMayKeepTheEngineAndItsFinalPopulation) {
  Recorder rec;
  rec.keep_engines = true;
  app::project(default_set().runs.front(), {}, rec);
  ASSERT_EQ(rec.engines.size(), 1u);
  ASSERT_TRUE(rec.engines[0]);
  // Still readable after project() returned: the engine's own buffer, kept alive by the sink.
  EXPECT_EQ(sum(*rec.finals[0]), rec.totals[0].back());
}

TEST(Project, TakesEachRunsBasePopulationWhenAskedWithTheSameResults) {
  // The command line moves each run's base population into the engine (ProjectOptions::take_base_population, one
  // state-sized array less while it projects) instead of copying it: the same numbers, and the scenario's array gone.
  Recorder copied;
  copied.keep_engines = true;
  app::project(default_set(), {}, copied);
  scenarios::ScenarioSet set = default_set();  // the caller's own set
  std::vector<const scenarios::Scenario*> taken;
  app::ProjectOptions o;
  o.take_base_population = [&](const scenarios::Scenario& r) {
    taken.push_back(&r);
    return std::move(set.runs[static_cast<std::size_t>(&r - set.runs.data())].base_population);
  };
  Recorder moved;
  moved.keep_engines = true;
  const app::ProjectSummary s = app::project(set, o, moved);
  EXPECT_EQ(taken, s.runs);
  ASSERT_EQ(moved.finals.size(), copied.finals.size());
  for (std::size_t r = 0; r < moved.finals.size(); ++r) {
    EXPECT_TRUE(set.runs[r].base_population.empty()) << r;
    EXPECT_EQ(moved.totals[r], copied.totals[r]) << r;
    EXPECT_TRUE(std::ranges::equal(moved.finals[r]->data(), copied.finals[r]->data())) << r;
  }
}

TEST(Project, MovesTheConfigIntoTheEngine) {
  // The engine's config is the one configure() saw, moved in (issue #16, memory: one copy of the zone ids, not two,
  // while it projects): configure's object no longer holds them by the first step, the engine does.
  Recorder rec;
  rec.keep_engines = true;
  app::ProjectOptions o;
  const ProjectionConfig* seen = nullptr;
  std::vector<std::size_t> ids_left;
  o.configure = [&](const scenarios::Scenario&, ProjectionConfig& pc) {
    ASSERT_FALSE(pc.zone_ids.empty());
    seen = &pc;
  };
  o.before_step = [&] { ids_left.push_back(seen->zone_ids.size()); };
  const scenarios::Scenario& sc = default_set().runs.front();
  app::project(sc, o, rec);
  ASSERT_FALSE(ids_left.empty());
  for (std::size_t n : ids_left) EXPECT_EQ(n, 0u);
  ASSERT_EQ(rec.engines.size(), 1u);
  EXPECT_EQ(rec.engines[0]->config().zone_ids, sc.zone_ids());
}

TEST(Project, PopulationDependentSchedulesSeeTheStartPopulation) {
  scenarios::Scenario sc = default_set().runs.front();
  std::vector<double> seen;
  sc.adjust_schedules = [&](const StepContext&, const CohortArray& start, StepSchedules&) {
    seen.push_back(sum(start));
  };
  Recorder rec;
  app::project(sc, {}, rec);
  // Before step k the schedules see the population at its start: the base, then each step's end.
  ASSERT_EQ(seen.size(), 3u);
  for (std::size_t k = 0; k < seen.size(); ++k) EXPECT_EQ(seen[k], rec.totals[0][k]) << k;
}

TEST(Project, ProgressAndCancellationBetweenSteps) {
  std::atomic<bool> cancel{false};
  std::vector<int> done_seen;
  int before = 0;
  app::ProjectOptions o;
  o.cancel = &cancel;
  o.progress = [&](const scenarios::Scenario& run, int done, int total) {
    EXPECT_EQ(total, run.steps);
    done_seen.push_back(done);
  };
  o.before_step = [&] {
    if (++before == 3) cancel.store(true);  // as Python's Ctrl-C poll does before step 3
  };
  Recorder rec;
  EXPECT_THROW(app::project(default_set(), o, rec), ProjectionError);
  EXPECT_EQ(done_seen, (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(rec.calls, (std::vector<std::string>{"begin baseline", "base 2020", "step 2025", "step 2030"}));

  cancel.store(false);
  o.before_step = nullptr;
  done_seen.clear();
  Recorder all;
  app::project(default_set().runs.front(), o, all);
  EXPECT_EQ(done_seen, (std::vector<int>{0, 1, 2, 3}));
}

// Stopped by the first report (Python's progress callback raising, or forking: python/src/bind_run.cpp): the run stops
// there, before its thread pool starts and the sink gets the base year (a forked child did parallel work first).
TEST(Project, CancellationInTheFirstReportStopsBeforeTheBaseYear) {
  std::atomic<bool> cancel{false};
  app::ProjectOptions o;
  o.cancel = &cancel;
  o.progress = [&](const scenarios::Scenario&, int done, int) {
    if (done == 0) cancel.store(true);
  };
  o.before_step = [] { ADD_FAILURE() << "a step's check after the first report stopped the run"; };
  Recorder rec;
  EXPECT_THROW(app::project(default_set(), o, rec), ProjectionError);
  EXPECT_EQ(rec.calls, (std::vector<std::string>{"begin baseline"}));
}

}  // namespace

namespace {

// The CSV writer as `cohortgis run` drives it (run.cpp WriterSink), with a slow engine set-up before the base year,
// a slow hand-over of the base year and a slow second writer (results.nc) after it.
struct SlowBaseWriter : app::VariantSink {
  app::ResultsWriter& w;
  explicit SlowBaseWriter(app::ResultsWriter& writer) : w(writer) {}
  void begin_variant(const scenarios::Scenario& run) override {
    w.begin_variant(run);
    std::this_thread::sleep_for(std::chrono::milliseconds(40));  // the engine's set-up
  }
  void base(const CohortArray& population, int year) override {
    w.start_base();
    std::this_thread::sleep_for(std::chrono::milliseconds(60));  // e.g. waiting for a writer thread
    w.base(population, year);
    std::this_thread::sleep_for(std::chrono::milliseconds(30));  // the second writer
    w.add_write_seconds(0.03);
  }
  void step(const StepResult& r) override { w.step(r); }
  void end_variant(const scenarios::Scenario&, const CohortArray&, std::unique_ptr<Projection>&) override {
    w.end_variant();
  }
};

}  // namespace

// manifest.json's phases add up to the run: the base year's writing (from its hand-over until the last writer is
// done) counts as the first step's write_seconds, the engine's set-up before it as that step's compute_seconds.
TEST(Project, TheBaseYearCountsAsTheFirstStepsWriting) {
  const auto& set = default_set();
  const fs::path dir = fs::path(testing::TempDir()) / "base_year_timing";
  fs::remove_all(dir);
  fs::create_directories(dir);
  {
    app::ResultsWriter writer(
        dir, set, with_total_aggregate(set.runs.front().aggregates, static_cast<int>(set.runs.front().zones.size())));
    SlowBaseWriter sink(writer);
    app::ProjectOptions o;
    o.variants = {"baseline"};
    app::project(set, o, sink);
    const auto& t = writer.timings();
    ASSERT_EQ(t.size(), 3u);
    EXPECT_GE(t[0].write_seconds, 0.09) << "the base year's hand-over, its writing and the second writer's";
    EXPECT_GE(t[0].compute_seconds, 0.04) << "the engine's set-up before the base year";
    EXPECT_LT(t[1].write_seconds, 0.09);
    writer.finish();
  }
  fs::remove_all(dir);
}

// The CSV writer names its rows' units with the scenario's own zone ids and its aggregates' names, not a copy of
// them (issue #16, memory: 1.6 MB at 50,000 zones).
TEST(Project, TheCsvWriterNamesUnitsWithTheScenariosStrings) {
  const auto& set = default_set();
  const fs::path dir = fs::path(testing::TempDir()) / "unit_names";
  fs::remove_all(dir);
  fs::create_directories(dir);
  {
    const auto& zones = set.runs.front().zones;
    const std::vector<ZoneAggregate> aggregates =
        with_total_aggregate(set.runs.front().aggregates, static_cast<int>(zones.size()));
    app::ResultsWriter writer(dir, set, aggregates);
    ASSERT_FALSE(zones.empty());
    for (std::size_t z = 0; z < zones.size(); ++z) EXPECT_EQ(&writer.unit_name(z), &zones[z].id) << z;
    for (std::size_t a = 0; a < aggregates.size(); ++a)
      EXPECT_EQ(writer.unit_name(zones.size() + a), aggregates[a].name) << a;
    EXPECT_EQ(writer.unit_name(zones.size() + aggregates.size() - 1), "total");
  }
  fs::remove_all(dir);
}

namespace {

// The CSV writer as the run drives it, a block of `block` zones at a time where its sums may go by blocks.
struct PlainWriter : app::VariantSink {
  app::ResultsWriter& w;
  std::size_t block;
  std::vector<bool> by_block;  // per variant, after begin_variant
  PlainWriter(app::ResultsWriter& writer, std::size_t zones_a_block) : w(writer), block(zones_a_block) {}
  void begin_variant(const scenarios::Scenario& run) override {
    w.begin_variant(run);
    w.set_sum_block(block);
    by_block.push_back(w.sums_by_block());
  }
  void base(const CohortArray& population, int year) override { w.base(population, year); }
  void step(const StepResult& r) override { w.step(r); }
  void end_variant(const scenarios::Scenario&, const CohortArray&, std::unique_ptr<Projection>&) override {
    w.end_variant();
  }
};

// The default set with its baseline's plan periods left out (the CSV writer's sums then go by blocks of zones).
scenarios::ScenarioSet without_plan_periods() {
  scenarios::ScenarioSet set = default_set();
  for (auto& run : set.runs) run.plan_periods.clear();
  return set;
}

// Every ascending aggregate of the 16 zones across blocks of 3, a named one over zones of four blocks, then "total".
std::vector<ZoneAggregate> spread_aggregates(const scenarios::Scenario& run) {
  std::vector<ZoneAggregate> a = run.aggregates;
  a.push_back({"spread", {1, 4, 4, 9, 15}});
  return with_total_aggregate(a, static_cast<int>(run.zones.size()));
}

std::string thrown(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(nothing thrown)";
}

}  // namespace

// Issue #16, memory: without plan periods the CSV writer checks its units' sums and takes the whole area's population a
// block of zones at a time (3.6 MB of per-unit sums less at 50,000 zones, while the engine's arrays are held), with the
// bits of the per-unit sums: the same totals as a run whose plan periods keep those sums (blocks of 3 zones here).
TEST(Project, TheCsvWriterSumsZonesABlockAtATimeWithTheSameTotals) {
  const auto& with_periods = default_set();
  const scenarios::ScenarioSet without = without_plan_periods();
  ASSERT_FALSE(with_periods.runs.front().plan_periods.empty());
  const fs::path dir = fs::path(testing::TempDir()) / "sums_by_block";
  fs::remove_all(dir);
  std::vector<std::vector<double>> totals;
  std::vector<std::vector<bool>> modes;
  for (const scenarios::ScenarioSet* set : {&with_periods, &without}) {
    const fs::path out = dir / std::to_string(totals.size());
    fs::create_directories(out);
    app::ResultsWriter writer(out, *set, spread_aggregates(set->runs.front()));
    PlainWriter sink(writer, 3);
    app::ProjectOptions o;
    o.variants = {"baseline"};
    app::project(*set, o, sink);
    totals.push_back(writer.total_population());
    modes.push_back(sink.by_block);
    writer.finish();
  }
  EXPECT_EQ(modes[0], std::vector<bool>{false});
  EXPECT_EQ(modes[1], std::vector<bool>{true});
  ASSERT_EQ(totals[0].size(), 4u);  // the base year and three steps
  ASSERT_EQ(totals[1].size(), totals[0].size());
  for (std::size_t k = 0; k < totals[0].size(); ++k) {
    EXPECT_GT(totals[0][k], 1e6) << k;
    EXPECT_EQ(std::bit_cast<std::uint64_t>(totals[1][k]), std::bit_cast<std::uint64_t>(totals[0][k])) << k;
  }
  // An aggregate whose zones do not ascend keeps the per-unit sums (its additions go in its own order).
  {
    app::ResultsWriter writer(dir / "0", without,
                              with_total_aggregate({{"down", {3, 1}}}, static_cast<int>(without.runs[0].zones.size())));
    writer.begin_variant(without.runs.front());
    EXPECT_FALSE(writer.sums_by_block());
  }
  fs::remove_all(dir);
}

// A unit whose sums overflow stops the run with the same message either way: the first such unit in unit order (the
// zones, then the aggregates), here an aggregate whose zones lie in four blocks while no zone overflows.
TEST(Project, TheCsvWriterNamesTheSameOverflowingUnitByBlocks) {
  const auto& with_periods = default_set();
  const scenarios::ScenarioSet without = without_plan_periods();
  const fs::path dir = fs::path(testing::TempDir()) / "sums_overflow";
  fs::remove_all(dir);
  const auto message = [&](const scenarios::ScenarioSet& set, int zone_a, int zone_b, int n_big) {
    const fs::path out = dir / "out";
    fs::remove_all(out);
    fs::create_directories(out);
    app::ResultsWriter writer(out, set, spread_aggregates(set.runs.front()));
    writer.set_cube_csv(false);
    writer.begin_variant(set.runs.front());
    writer.set_sum_block(3);
    CohortArray pop = set.runs.front().base_population;
    pop.at(zone_a, 0, 0, 3) = 1e308;
    if (n_big > 1) pop.at(zone_b, 0, 1, 5) = 1e308;
    return thrown([&] { writer.base(pop, 2020); });
  };
  // Zones 1 and 15 of "spread" (the first block of 3 and the last): "spread" overflows before "total".
  const std::string spread = message(with_periods, 1, 15, 2);
  EXPECT_NE(spread.find("the sums of 'spread' are not finite"), std::string::npos) << spread;
  EXPECT_EQ(message(without, 1, 15, 2), spread);
  // Zones 0 and 2, outside "spread": "total" is the first.
  const std::string total = message(with_periods, 0, 2, 2);
  EXPECT_NE(total.find("the sums of 'total' are not finite"), std::string::npos) << total;
  EXPECT_EQ(message(without, 0, 2, 2), total);
  // One zone's own cells overflowing: that zone (the eighth, in the third block).
  const std::string zone = message(with_periods, 7, 7, 2);
  EXPECT_NE(zone.find("the sums of '" + with_periods.runs[0].zones[7].id + "' are not finite"), std::string::npos)
      << zone;
  EXPECT_EQ(message(without, 7, 7, 2), zone);
  // Zone 4, listed twice in "spread": that aggregate; zone 9, once: every sum stays finite.
  EXPECT_EQ(message(without, 4, 4, 1), message(with_periods, 4, 4, 1));
  EXPECT_NE(message(without, 4, 4, 1).find("'spread'"), std::string::npos);
  EXPECT_EQ(message(without, 9, 9, 1), "(nothing thrown)");
  fs::remove_all(dir);
}

// Issue #16, memory: a target of a year takes its value from that year's table as it is written (a copy of the table
// kept until the variant's end was 15.6 MB a target year at 50,000 zones): the value indicators.csv has for that year,
// unit, group and indicator, the base year's and a group's too; an indicator the table lacks is NaN (missed).
TEST(Project, YearTargetsTakeTheValuesOfIndicatorsCsv) {
  scenarios::ScenarioSet set = default_set();
  const std::string floating = set.runs.front().group_names.back();
  const auto target = [](std::string name, std::string indicator, std::string unit, std::string group, int year) {
    scenarios::Target t;
    t.name = std::move(name);
    t.indicator = std::move(indicator);
    t.unit = std::move(unit);
    t.group = std::move(group);
    t.year = year;
    t.min = 0.0;
    return t;
  };
  set.targets = {target("base", "population", "total", "all", 2020), target("core", "population", "core", "all", 2030),
                 target("group", "share_65_plus_percent", set.runs.front().zones[3].id, floating, 2035),
                 target("unknown", "no_such_indicator", "total", "all", 2025),
                 target("tfr", "tfr", "total", "all", 2025)};
  const fs::path dir = fs::path(testing::TempDir()) / "year_targets";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::vector<app::TargetOutcome> outcomes;
  {
    app::ResultsWriter writer(
        dir, set, with_total_aggregate(set.runs.front().aggregates, static_cast<int>(set.runs.front().zones.size())));
    PlainWriter sink(writer, 4096);
    app::ProjectOptions o;
    o.variants = {"baseline"};
    app::project(set, o, sink);
    outcomes = writer.target_outcomes();
    writer.finish();
  }
  // indicators.csv: variant,year,zone,group,indicator,value (no field quoted in this scenario).
  std::map<std::string, double> written;
  {
    std::ifstream in(dir / "indicators.csv");
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
      const std::size_t last = line.rfind(',');
      written[line.substr(0, last)] = line.size() > last + 1 ? std::stod(line.substr(last + 1)) : std::nan("");
    }
  }
  ASSERT_EQ(outcomes.size(), set.targets.size());
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    const scenarios::Target& t = set.targets[i];
    EXPECT_EQ(outcomes[i].target, t.name);
    const std::string key = "baseline," + std::to_string(t.year) + "," + t.unit + "," + t.group + "," + t.indicator;
    if (t.name == "unknown") {
      EXPECT_TRUE(std::isnan(outcomes[i].value));
      EXPECT_FALSE(outcomes[i].met);
      continue;
    }
    ASSERT_EQ(written.count(key), 1u) << key;
    EXPECT_EQ(std::bit_cast<std::uint64_t>(outcomes[i].value), std::bit_cast<std::uint64_t>(written[key])) << key;
    EXPECT_TRUE(outcomes[i].met) << key;
  }
  fs::remove_all(dir);
}
