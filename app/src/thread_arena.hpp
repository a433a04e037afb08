// SPDX-License-Identifier: Apache-2.0
// Internal: a oneTBB task arena of the threads the user asked for (figures.cpp, ensemble.cpp).
#pragma once

#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/info.h>
#include <oneapi/tbb/task_arena.h>

#include <cstddef>
#include <optional>

namespace cohortgis::app::detail {

// Runs f() in an arena of `threads` threads (0: every core). More threads than cores (--threads 256, asked for on
// purpose): oneTBB's default limit is the number of cores, and an arena above it printed "TBB Warning: The number
// of workers is currently limited …" on stderr, --quiet or not (hostile probe, round 10). The limit is raised for
// the arena's time, as Projection::run_shared does.
template <class F>
void run_in_arena(int threads, F&& f) {
  std::optional<tbb::global_control> limit;
  if (threads > tbb::info::default_concurrency())
    limit.emplace(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
  tbb::task_arena arena(threads > 0 ? threads : tbb::task_arena::automatic);
  arena.execute(f);
}

}  // namespace cohortgis::app::detail
