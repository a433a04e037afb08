// SPDX-License-Identifier: Apache-2.0
// A oneTBB task arena of the worker threads a run asks for: the projection (Projection::run_shared), the report's
// figures and the ensembles run their parallel loops in one.
#pragma once

#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/info.h>
#include <oneapi/tbb/task_arena.h>

#include <cstddef>
#include <optional>
#include <utility>

namespace cohortgis {

class ThreadArena {
 public:
  // threads: 0 (every core oneTBB may use) or a count checked by check_threads (projection.hpp). More threads than
  // cores (asked for on purpose): oneTBB's default limit is the number of cores, and an arena above it prints "TBB
  // Warning: The number of workers is currently limited …" on stderr, --quiet or not; the limit is raised for the
  // arena's lifetime instead.
  explicit ThreadArena(int threads) {
    const int n = threads > 0 ? threads : tbb::task_arena::automatic;
    if (n > tbb::info::default_concurrency())
      limit_.emplace(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(n));
    arena_.initialize(n);
  }
  ThreadArena(const ThreadArena&) = delete;
  ThreadArena& operator=(const ThreadArena&) = delete;

  template <class F>
  decltype(auto) execute(F&& f) {
    return arena_.execute(std::forward<F>(f));
  }

 private:
  std::optional<tbb::global_control> limit_;  // before the arena: it outlives it
  tbb::task_arena arena_;
};

}  // namespace cohortgis
