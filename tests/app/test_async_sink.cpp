// SPDX-License-Identifier: Apache-2.0
// The writer thread of `cohortgis run` (app/src/async_sink.hpp): results reach the inner sink in order and with the
// values handed over (the slot is reused, so a year written late would show the next year's values), a writer's
// error reaches the projection, and stopping with a result still waiting neither hangs nor writes it. TeeSink: both
// sinks get every result in order, at once when parallel, and errors reach the caller.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "../../app/src/async_sink.hpp"  // internal to the app library

using namespace cohortgis;
using cohortgis::app::AsyncSink;
using cohortgis::app::TeeSink;

namespace {

CohortLayout layout() { return CohortLayout{3, 2, AgeGrid{1, 4}}; }  // 3 zones, 2 groups, ages 0-3+

// Records what it receives; slow, so that the projection's next result is handed over while it writes.
struct Recorder : ResultSink {
  std::vector<int> years;
  std::vector<double> firsts, lasts, births, deaths;
  int throw_at = -1;
  std::chrono::milliseconds delay{2};
  void base(const CohortArray& p, int year) override {
    years.push_back(year);
    firsts.push_back(p.data().front());
    lasts.push_back(p.data().back());
  }
  void step(const StepResult& r) override {
    std::this_thread::sleep_for(delay);
    if (r.context.end_year == throw_at) throw std::runtime_error("disk full at " + std::to_string(throw_at));
    years.push_back(r.context.end_year);
    firsts.push_back(r.end.data().front());
    lasts.push_back(r.end.data().back());
    births.push_back(r.components.births.empty() ? -1.0 : r.components.births.back());
    deaths.push_back(r.components.deaths.data().empty() ? -1.0 : r.components.deaths.data()[5]);
  }
};

// Feeds `steps` results whose values encode their year, reusing one set of arrays as the engine does.
void feed(AsyncSink& sink, int steps) {
  CohortArray start(layout()), end(layout());
  StepComponents c;
  c.births.assign(6, 0.0);
  c.deaths = CohortArray(layout());
  sink.base(start, 2020);
  for (int k = 0; k < steps; ++k) {
    const int year = 2021 + k;
    for (double& v : end.data()) v = year;
    end.data().back() = year + 0.5;
    c.births.back() = 10.0 * year;
    c.deaths.data()[5] = 100.0 * year;
    sink.step(StepResult{StepContext{k, year - 1, year}, start, end, c, nullptr});
  }
}

}  // namespace

TEST(AsyncSink, WritesEveryResultInOrderWithItsOwnValues) {
  Recorder rec;
  {
    AsyncSink sink(rec);
    feed(sink, 40);
    sink.drain();
    ASSERT_EQ(sink.compute_seconds().size(), 40u);
    ASSERT_EQ(sink.handover_seconds().size(), 40u);
  }
  ASSERT_EQ(rec.years.size(), 41u);
  EXPECT_EQ(rec.years.front(), 2020);
  EXPECT_EQ(rec.firsts.front(), 0.0);
  for (int k = 0; k < 40; ++k) {
    const int year = 2021 + k;
    const auto i = static_cast<std::size_t>(k);
    EXPECT_EQ(rec.years[i + 1], year);
    EXPECT_EQ(rec.firsts[i + 1], year);
    EXPECT_EQ(rec.lasts[i + 1], year + 0.5);
    EXPECT_EQ(rec.births[i], 10.0 * year);
    EXPECT_EQ(rec.deaths[i], 100.0 * year);
  }
}

TEST(AsyncSink, AWritersErrorReachesTheProjection) {
  Recorder rec;
  rec.throw_at = 2025;
  AsyncSink sink(rec);
  try {
    feed(sink, 10);
    sink.drain();
    FAIL() << "the writer's error was lost";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "disk full at 2025");
  }
  // Nothing after the failed year was written.
  ASSERT_FALSE(rec.years.empty());
  EXPECT_EQ(rec.years.back(), 2024);
}

TEST(AsyncSink, StoppingWithAResultWaitingDropsItAndReturns) {
  Recorder rec;
  rec.delay = std::chrono::milliseconds(200);
  const auto t0 = std::chrono::steady_clock::now();
  {
    AsyncSink sink(rec);
    feed(sink, 3);  // base written at once; 2021 being written; 2022 and 2023 wait in turn
  }                 // the run stops: the year being written finishes, the one waiting is dropped unless already taken
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // 2021 and 2022 were written before 2023 could be handed over; at most 2023 more, and no hang (at most one
  // more year's writing after the last hand-over).
  EXPECT_GE(rec.years.size(), 3u);
  EXPECT_LE(rec.years.size(), 4u);
  EXPECT_LT(seconds, 2.0);
}

// A step's copy by hand: 3 zones x 2 groups x 2 sexes x 4 ages = 48 cells of the end population and of deaths, and
// 3 x 2 x 2 = 12 births: (48 + 48 + 12) doubles = 864 bytes (the start population is never copied).
TEST(AsyncSink, CopyBytesCountsWhatTheWritersRead) {
  CohortArray start(layout()), end(layout());
  StepComponents c;
  c.births.assign(12, 0.0);
  c.deaths = CohortArray(layout());
  EXPECT_EQ(AsyncSink::copy_bytes(StepResult{StepContext{0, 2020, 2021}, start, end, c, nullptr}), 864u);
  IndicatorTable t;
  t.values.assign(10, 0.0);
  EXPECT_EQ(AsyncSink::copy_bytes(StepResult{StepContext{0, 2020, 2021}, start, end, c, &t}), 944u);
}

// Over the bound (feed's step: 48 + 48 + 6 doubles = 816 bytes) the results are written in line, in order, with their
// own values, and the timings say so.
TEST(AsyncSink, ACopyOverTheBoundIsWrittenInLine) {
  for (const std::size_t bound : {std::size_t{0}, std::size_t{815}, std::size_t{816}}) {
    Recorder rec;
    {
      AsyncSink sink(rec, bound);
      feed(sink, 5);
      sink.drain();
      EXPECT_EQ(sink.in_line(), bound < 816) << bound;
      ASSERT_EQ(sink.overlapped().size(), 5u);
      for (const char o : sink.overlapped()) EXPECT_EQ(o, bound < 816 ? 0 : 1) << bound;
    }
    ASSERT_EQ(rec.years.size(), 6u);
    for (int k = 0; k < 5; ++k) {
      const auto i = static_cast<std::size_t>(k);
      EXPECT_EQ(rec.years[i + 1], 2021 + k);
      EXPECT_EQ(rec.lasts[i + 1], 2021 + k + 0.5);
      EXPECT_EQ(rec.deaths[i], 100.0 * (2021 + k));
    }
  }
}

// The bound of `cohortgis run`: 2 × the state's bytes, within [16 MiB, 64 MiB] (docs/cli.md --no-write-thread). At
// 50,000 zones × 36 cells (14.4 MB of state) a year's copy of 57.6 MB is over 28.8 MB: that run writes in line.
TEST(AsyncSink, TheRunsBoundIsTwiceTheStateWithinLimits) {
  const std::size_t MiB = std::size_t{1} << 20;
  EXPECT_EQ(AsyncSink::bound_for_state(0), 16 * MiB);
  EXPECT_EQ(AsyncSink::bound_for_state(8 * MiB), 16 * MiB);
  EXPECT_EQ(AsyncSink::bound_for_state(14'400'000), 28'800'000u);
  EXPECT_LT(AsyncSink::bound_for_state(14'400'000), std::size_t{57'600'000});
  EXPECT_EQ(AsyncSink::bound_for_state(32 * MiB), 64 * MiB);
  EXPECT_EQ(AsyncSink::bound_for_state(200 * MiB), 64 * MiB);
}

namespace {

// A sink that counts what it receives; `wait_for` (if set) makes it wait, up to 10 s, until that flag is set.
struct Meeting : ResultSink {
  std::atomic<bool>* wait_for = nullptr;
  std::atomic<bool>* arrived = nullptr;
  std::vector<int> years;
  bool met = true;
  int throw_at = -1;
  void arrive(int year) {
    if (arrived) arrived->store(true);
    if (wait_for) {
      const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      while (!wait_for->load() && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      met = met && wait_for->load();
      wait_for->store(false);  // for the next result (the call returns only once both sinks are done)
    }
    if (year == throw_at) throw std::runtime_error("disk full at " + std::to_string(year));
    years.push_back(year);
  }
  // The base year in turn (TeeSink::base by default): no meeting; `order` numbers the sinks' base calls. With
  // base_meets, the base year meets as the steps do (TeeSink::set_parallel_base).
  std::atomic<int>* order = nullptr;
  int base_turn = -1;
  std::chrono::milliseconds base_delay{0};
  bool base_meets = false;
  void base(const CohortArray&, int year) override {
    if (base_meets) return arrive(year);
    std::this_thread::sleep_for(base_delay);
    if (order) base_turn = (*order)++;
    if (year == throw_at) throw std::runtime_error("disk full at " + std::to_string(year));
    years.push_back(year);
  }
  void step(const StepResult& r) override { arrive(r.context.end_year); }
};

void feed_tee(ResultSink& sink, int steps) {
  CohortArray start(layout()), end(layout());
  StepComponents c;
  sink.base(start, 2020);
  for (int k = 0; k < steps; ++k) sink.step(StepResult{StepContext{k, 2020 + k, 2021 + k}, start, end, c, nullptr});
}

}  // namespace

// In parallel the second sink (results.nc) writes while the first (the CSV files) does: the first waits for the
// second to have started on each step's result, which one after the other would never happen (10 s, then `met`
// false). By default the base year goes to the first and then to the second (each makes a table of the base
// population's indicators; two at once would add to a large run's peak memory): the first, 50 ms slow, still comes
// first.
TEST(TeeSink, ParallelWritesBothSinksAtOnceAndInOrder) {
  Meeting csv, nc;
  std::atomic<bool> nc_started{false};
  csv.wait_for = &nc_started;
  nc.arrived = &nc_started;
  std::atomic<int> order{0};
  csv.order = nc.order = &order;
  csv.base_delay = std::chrono::milliseconds(50);
  int timed = 0;
  {
    TeeSink tee(
        csv, &nc, [&](double s) { timed += s >= 0.0; }, true);
    feed_tee(tee, 3);
  }
  EXPECT_TRUE(csv.met);
  EXPECT_EQ(csv.base_turn, 0);
  EXPECT_EQ(nc.base_turn, 1);
  EXPECT_EQ(csv.years, (std::vector<int>{2020, 2021, 2022, 2023}));
  EXPECT_EQ(nc.years, csv.years);
  EXPECT_EQ(timed, 4) << "told the wait for the second sink after each result";
}

// With set_parallel_base (small base-year tables) the base year meets too: both sinks write it at once.
TEST(TeeSink, ParallelBaseWritesTheBaseYearOnBothSinksAtOnce) {
  Meeting csv, nc;
  std::atomic<bool> nc_started{false};
  csv.wait_for = &nc_started;
  nc.arrived = &nc_started;
  csv.base_meets = nc.base_meets = true;
  int timed = 0;
  {
    TeeSink tee(
        csv, &nc, [&](double s) { timed += s >= 0.0; }, true);
    tee.set_parallel_base(true);
    feed_tee(tee, 2);
  }
  EXPECT_TRUE(csv.met) << "the first sink waited in vain for the second at the base year";
  EXPECT_EQ(csv.years, (std::vector<int>{2020, 2021, 2022}));
  EXPECT_EQ(nc.years, csv.years);
  EXPECT_EQ(timed, 3);
}

// The bound of the parallel base year: the two writers' tables together at most 16 MiB. W3k (3,001 units × 3 slots
// × 35 indicators, 2.5 MB each) fits; 50,000 zones with one group (50,001 × 2 × 35, 28 MB each) does not.
TEST(TeeSink, ParallelBaseOnlyForSmallIndicatorTables) {
  EXPECT_TRUE(TeeSink::parallel_base_fits(std::size_t{3001} * 3 * 35 * 8));
  EXPECT_TRUE(TeeSink::parallel_base_fits(std::size_t{8} << 20));
  EXPECT_FALSE(TeeSink::parallel_base_fits((std::size_t{8} << 20) + 1));
  EXPECT_FALSE(TeeSink::parallel_base_fits(std::size_t{50001} * 2 * 35 * 8));
}

// One after the other (not parallel): the same results in the same order.
TEST(TeeSink, InTurnWritesBothSinks) {
  Meeting csv, nc;
  int timed = 0;
  {
    TeeSink tee(csv, &nc, [&](double) { ++timed; });
    feed_tee(tee, 3);
  }
  EXPECT_EQ(csv.years, (std::vector<int>{2020, 2021, 2022, 2023}));
  EXPECT_EQ(nc.years, csv.years);
  EXPECT_EQ(timed, 4);
}

// Errors in parallel: the second sink's reaches the caller; the first's is thrown before it, and the call returns
// only once the second is done with the result (it reads it).
TEST(TeeSink, ParallelErrorsReachTheCaller) {
  {
    Meeting csv, nc;
    nc.throw_at = 2022;
    TeeSink tee(csv, &nc, {}, true);
    EXPECT_THROW(feed_tee(tee, 3), std::runtime_error);
    EXPECT_EQ(nc.years, (std::vector<int>{2020, 2021}));
  }
  {
    Meeting csv, nc;
    csv.throw_at = 2021;
    nc.throw_at = 2021;
    TeeSink tee(csv, &nc, {}, true);
    try {
      feed_tee(tee, 3);
      ADD_FAILURE() << "no error";
    } catch (const std::runtime_error& e) {
      EXPECT_EQ(std::string(e.what()), "disk full at 2021");
    }
    EXPECT_EQ(csv.years, (std::vector<int>{2020}));
    EXPECT_EQ(nc.years, (std::vector<int>{2020}));
  }
}
