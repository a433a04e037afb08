// SPDX-License-Identifier: Apache-2.0
#include "async_sink.hpp"

#include <algorithm>
#include <chrono>

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

}  // namespace cohortgis::app
