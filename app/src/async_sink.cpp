// SPDX-License-Identifier: Apache-2.0
#include "async_sink.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

namespace cohortgis::app {

namespace {
double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}
}  // namespace

AsyncSink::AsyncSink(ResultSink& to, std::size_t max_copy_bytes)
    : to_(to), max_copy_bytes_(max_copy_bytes), mark_(std::chrono::steady_clock::now()), thread_([this] { work(); }) {}

AsyncSink::~AsyncSink() {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void AsyncSink::wait_until_free(std::unique_lock<std::mutex>& lock) {
  changed_.wait(lock, [this] { return !full_ || error_; });
  if (error_) std::rethrow_exception(error_);
}

void AsyncSink::hand_over(std::unique_lock<std::mutex>& lock) {
  full_ = true;
  lock.unlock();
  changed_.notify_all();
}

void AsyncSink::base(const CohortArray& population, int year) {
  std::unique_lock<std::mutex> lock(mutex_);
  wait_until_free(lock);
  slot_.is_base = true;
  slot_.year = year;
  slot_.end = population;
  hand_over(lock);
  mark_ = std::chrono::steady_clock::now();
}

std::size_t AsyncSink::bound_for_state(std::size_t state_bytes) {
  constexpr std::size_t kSmallRunBytes = std::size_t{16} << 20;
  return std::min(kDefaultMaxCopyBytes, std::max(kSmallRunBytes, 2 * state_bytes));
}

std::size_t AsyncSink::copy_bytes(const StepResult& r) {
  const StepComponents& c = r.components;
  std::size_t values =
      r.end.data().size() + c.births.size() + c.newborn_transfer_in.size() + c.newborn_transfer_out.size();
  for (const CohortArray* a :
       {&c.deaths, &c.net_migrants, &c.transfer_in, &c.transfer_out, &c.floor_adjustment, &c.planning_adjustment})
    values += a->data().size();
  if (r.indicators) values += r.indicators->values.size();
  return values * sizeof(double);
}

void AsyncSink::step(const StepResult& r) {
  const auto t0 = std::chrono::steady_clock::now();
  compute_seconds_.push_back(std::chrono::duration<double>(t0 - mark_).count());
  std::unique_lock<std::mutex> lock(mutex_);
  wait_until_free(lock);
  if (!in_line_ && copy_bytes(r) > max_copy_bytes_) {
    in_line_ = true;
    slot_ = Slot{};  // the writer is idle (wait_until_free): the base year's copy goes now
  }
  if (in_line_) {
    lock.unlock();
    to_.step(r);  // a writer's error reaches the projection here, as in line
    handover_seconds_.push_back(seconds_since(t0));
    overlapped_.push_back(0);
    mark_ = std::chrono::steady_clock::now();
    return;
  }
  // Copy-assignment reuses the slot's buffers: after the first year nothing is allocated.
  slot_.is_base = false;
  slot_.context = r.context;
  slot_.end = r.end;
  // Only what the writers read (results_writer.cpp, netcdf_output.cpp): the cell arrays the engine keeps for other
  // users (OD flows, external flows, deaths by age and period) would be gigabytes a year of copying at 40,000 zones.
  // A member added to StepComponents stops the build here until it is copied or left out on purpose (x86-64).
  static_assert(sizeof(StepComponents) == 808, "StepComponents changed: copy the new member here if a writer reads it");
  StepComponents& c = slot_.components;
  const StepComponents& from = r.components;
  c.births = from.births;
  c.newborn_transfer_in = from.newborn_transfer_in;
  c.newborn_transfer_out = from.newborn_transfer_out;
  c.deaths = from.deaths;
  c.net_migrants = from.net_migrants;
  c.transfer_in = from.transfer_in;
  c.transfer_out = from.transfer_out;
  c.floor_adjustment = from.floor_adjustment;
  c.planning_adjustment = from.planning_adjustment;
  slot_.has_indicators = r.indicators != nullptr;
  if (r.indicators) slot_.indicators = *r.indicators;
  hand_over(lock);
  handover_seconds_.push_back(seconds_since(t0));
  overlapped_.push_back(1);
  mark_ = std::chrono::steady_clock::now();
}

void AsyncSink::drain() {
  std::unique_lock<std::mutex> lock(mutex_);
  wait_until_free(lock);
}

void AsyncSink::clear_timings() {
  compute_seconds_.clear();
  handover_seconds_.clear();
  overlapped_.clear();
  mark_ = std::chrono::steady_clock::now();
}

void AsyncSink::work() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    changed_.wait(lock, [this] { return full_ || stop_; });
    if (stop_) return;
    lock.unlock();  // the projection may not touch the slot while full_: it waits in wait_until_free
    std::exception_ptr error;
    try {
      if (slot_.is_base)
        to_.base(slot_.end, slot_.year);
      else
        to_.step(StepResult{slot_.context, slot_.start, slot_.end, slot_.components,
                            slot_.has_indicators ? &slot_.indicators : nullptr});
    } catch (...) {
      error = std::current_exception();
    }
    lock.lock();
    full_ = false;
    if (error) error_ = error;
    changed_.notify_all();
    if (error_) {
      // Nothing more is written after an error; the projection sees it at its next hand-over.
      changed_.wait(lock, [this] { return stop_; });
      return;
    }
  }
}

TeeSink::TeeSink(ResultSink& first, ResultSink* second, std::function<void(double)> second_seconds, bool parallel)
    : first_(first), second_(second), second_seconds_(std::move(second_seconds)) {
  if (parallel && second_) thread_ = std::thread([this] { work(); });
}

TeeSink::~TeeSink() {
  if (!thread_.joinable()) return;
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

// The base year in turn unless set_parallel_base: each writer makes its own table of the base population's
// indicators (28 MB at 50,000 zones), and two at once would raise a large run's peak memory.
void TeeSink::base(const CohortArray& population, int year) {
  both([&](ResultSink& s) { s.base(population, year); }, !parallel_base_);
}

void TeeSink::step(const StepResult& result) {
  both([&](ResultSink& s) { s.step(result); });
}

void TeeSink::both(const std::function<void(ResultSink&)>& call, bool in_turn) {
  if (!second_) return call(first_);
  if (in_turn || !thread_.joinable()) {
    call(first_);
    const auto t0 = std::chrono::steady_clock::now();
    call(*second_);
    if (second_seconds_) second_seconds_(seconds_since(t0));
    return;
  }
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    job_ = &call;
  }
  changed_.notify_all();
  std::exception_ptr first_error, second_error;
  try {
    call(first_);
  } catch (...) {
    first_error = std::current_exception();
  }
  const auto t0 = std::chrono::steady_clock::now();
  {
    // Always waited for, errors too: the second sink reads `call` and the result until it is done.
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [this] { return job_ == nullptr; });
    second_error = std::exchange(error_, nullptr);
  }
  if (first_error) std::rethrow_exception(first_error);
  if (second_error) std::rethrow_exception(second_error);
  if (second_seconds_) second_seconds_(seconds_since(t0));
}

void TeeSink::work() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    changed_.wait(lock, [this] { return job_ != nullptr || stop_; });
    if (stop_) return;
    const std::function<void(ResultSink&)>& call = *job_;
    lock.unlock();
    std::exception_ptr error;
    try {
      call(*second_);
    } catch (...) {
      error = std::current_exception();
    }
    lock.lock();
    error_ = error;
    job_ = nullptr;
    changed_.notify_all();
  }
}

}  // namespace cohortgis::app
