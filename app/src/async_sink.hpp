// SPDX-License-Identifier: Apache-2.0
// Writing a year's results while the next year is projected: a ResultSink that copies each result into one slot and
// hands it to another sink (the CSV writer and results.nc) on a writer thread. And TeeSink, which hands each result
// to the CSV writer and results.nc, one after the other or both at once.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "cohortgis/engine/projection.hpp"

namespace cohortgis::app {

// One writer thread, one slot: the results reach the inner sink in the order they came, so the files are the same
// bytes as when written in line. The projection waits at a hand-over only while the previous year is still being
// written (memory: one copy of a step's result). A writer's error is thrown at the next hand-over or at drain().
// What is copied is what the writers read: the end population, the indicators and the components births, newborn
// transfers, deaths, net_migrants, transfer_in/out, floor_adjustment and planning_adjustment. The start population
// and the other components reach the inner sink empty: a writer that needs them must be added to the copy.
// Bounded memory (issue #16): when a step's copy would exceed `max_copy_bytes`, the sink waits for the writer, frees
// the slot and from then on hands every result to the inner sink on the projection's thread (in line, as
// --no-write-thread): a 50,000-zone run does not hold a second year of seven state-sized arrays.
class AsyncSink : public ResultSink {
 public:
  // The default bound: 64 MiB of copy per year.
  static constexpr std::size_t kDefaultMaxCopyBytes = std::size_t{64} << 20;
  // The bound of `cohortgis run` (docs/cli.md --no-write-thread) for a state (the population array) of `state_bytes`:
  // at most 2 × the state (issue #16's memory goal is 2 × state + one year of schedules; a year's copy at 50,000
  // zones × 36 cells is 4 × the state, so such runs write in line), never more than 64 MiB, and at least 16 MiB
  // (small runs, whose copy does not matter, keep the overlap).
  static std::size_t bound_for_state(std::size_t state_bytes);
  explicit AsyncSink(ResultSink& to, std::size_t max_copy_bytes = kDefaultMaxCopyBytes);
  // Stops the thread after the result it is writing (what waits in the slot is dropped: the run is stopping).
  ~AsyncSink() override;
  AsyncSink(const AsyncSink&) = delete;
  AsyncSink& operator=(const AsyncSink&) = delete;

  void base(const CohortArray& population, int year) override;
  void step(const StepResult& result) override;
  // Waits until every result handed over is written; rethrows the writer's error. Call before reading the inner sink.
  void drain();
  // Per step received since the last clear_timings(): seconds from the previous hand-over to this one (the
  // projection's own time) and seconds the hand-over took (waiting for the writer, copying the result).
  const std::vector<double>& compute_seconds() const { return compute_seconds_; }
  const std::vector<double>& handover_seconds() const { return handover_seconds_; }
  void clear_timings();
  // True once a step's copy exceeded the bound: the results since then were written in line (no overlap).
  bool in_line() const { return in_line_; }
  // Per step, as the timings above: whether it went through the writer thread (1) or was written in line (0).
  const std::vector<char>& overlapped() const { return overlapped_; }
  // Bytes one step's copy takes (the arrays listed above and the indicator table).
  static std::size_t copy_bytes(const StepResult& result);

 private:
  struct Slot {
    bool is_base = false, has_indicators = false;
    int year = 0;
    StepContext context;
    CohortArray start, end;  // start stays empty
    StepComponents components;
    IndicatorTable indicators;
  };
  void wait_until_free(std::unique_lock<std::mutex>& lock);  // rethrows the writer's error
  void hand_over(std::unique_lock<std::mutex>& lock);
  void work();

  ResultSink& to_;
  std::size_t max_copy_bytes_;
  bool in_line_ = false;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool full_ = false, stop_ = false;
  std::exception_ptr error_;
  Slot slot_;
  std::vector<double> compute_seconds_, handover_seconds_;
  std::vector<char> overlapped_;
  std::chrono::steady_clock::time_point mark_;
  std::thread thread_;  // last: started once the members above exist
};

// Passes every result to two sinks (the CSV writer, then results.nc). parallel: the second sink writes on a thread of
// its own while the first writes on the caller's thread, and the call returns once both are done (the base year
// too when set_parallel_base: see base()). Both only read the result, which stays in place meanwhile (no copy, unlike
// AsyncSink), and each writes its own files in the order the results come, so the bytes are those of writing in
// turn; at W3k the two take about as long as each other (bench/HISTORY.md "Round 9: writing and finishing"). An
// error of the first sink is thrown before one of the second (as in turn, where the second then is not called).
// second_seconds, if given, is told after each result how long the caller spent on the second sink: its whole time
// in turn, the wait for it after the first was done in parallel (the run counts it as writing, not as computing the
// next step).
class TeeSink : public ResultSink {
 public:
  TeeSink(ResultSink& first, ResultSink* second, std::function<void(double)> second_seconds = {},
          bool parallel = false);
  ~TeeSink() override;
  TeeSink(const TeeSink&) = delete;
  TeeSink& operator=(const TeeSink&) = delete;
  void base(const CohortArray& population, int year) override;
  void step(const StepResult& result) override;
  // Whether a parallel tee writes the base year on both sinks at once (set per variant; off by default). Each writer
  // makes its own table of the base population's indicators (28 MB at 50,000 zones), so at once only when the two
  // tables take at most kParallelBaseBytes together: small runs gain the overlap, large ones keep their peak memory.
  static constexpr std::size_t kParallelBaseBytes = std::size_t{16} << 20;
  static bool parallel_base_fits(std::size_t indicator_table_bytes) {
    return 2 * indicator_table_bytes <= kParallelBaseBytes;
  }
  void set_parallel_base(bool on) { parallel_base_ = on; }

 private:
  void both(const std::function<void(ResultSink&)>& call, bool in_turn = false);
  void work();

  ResultSink& first_;
  ResultSink* second_;
  std::function<void(double)> second_seconds_;
  bool parallel_base_ = false;
  std::mutex mutex_;
  std::condition_variable changed_;
  const std::function<void(ResultSink&)>* job_ = nullptr;  // the call the second sink is to make; null: none
  bool stop_ = false;
  std::exception_ptr error_;  // the second sink's, for the caller
  std::thread thread_;        // last: started once the members above exist (parallel only)
};

}  // namespace cohortgis::app
