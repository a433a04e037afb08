// SPDX-License-Identifier: Apache-2.0
// A oneTBB task arena of the worker threads a run asks for: the projection (Projection::run_shared), the report's
// figures and the ensembles run their parallel loops in one.
#pragma once

#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/info.h>
#include <oneapi/tbb/task_arena.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "cohortgis/engine/index_cast.hpp"

namespace cohortgis {

// Under an address-space limit (`ulimit -v`, a batch system's vmem limit) every worker thread reserves its stack
// (oneTBB: 4 MiB) and a thread that cannot be created aborts the process inside oneTBB (std::terminate), as do GLib's
// threads behind the drawing (each drawing thread loads its own fonts: about 50 MiB). Room is kept for the
// libraries' own threads and buffers besides the threads counted here.
inline constexpr std::uint64_t kAddressSpaceReserve = std::uint64_t{256} << 20;
inline constexpr std::uint64_t kAddressSpacePerThread = std::uint64_t{8} << 20;
inline constexpr std::uint64_t kAddressSpacePerDrawingThread = std::uint64_t{64} << 20;
inline constexpr std::uint64_t kNoAddressSpaceLimit = ~std::uint64_t{0};

// The address space left under this process's RLIMIT_AS (bytes; kNoAddressSpaceLimit when there is no limit).
// Under a limit, glibc's malloc is also kept to two arenas from then on (each reserves 64 MiB).
std::uint64_t address_space_room();
// The worker threads to use: `threads` (0: every core) when `room` leaves kAddressSpaceReserve and `per_thread` for
// each, else as many as fit (at least 1). Results are the same at any thread count: fewer threads only take longer.
int threads_that_fit(int threads, std::uint64_t room, std::uint64_t per_thread);
// Throws ProjectionError "out of memory to WHAT: N MiB of address space left under the limit (ulimit -v); expected
// at least 256 MiB: HINT" when less than kAddressSpaceReserve is left: the libraries behind the report (GLib,
// fontconfig, libxlsxwriter) abort, crash or crawl when an allocation fails.
void require_address_space_reserve(const std::string& what, const std::string& hint);

class ThreadArena {
 public:
  // threads: 0 (every core oneTBB may use) or a count checked by check_threads (projection.hpp). More threads than
  // cores (asked for on purpose): oneTBB's default limit is the number of cores, and an arena above it prints "TBB
  // Warning: The number of workers is currently limited …" on stderr, --quiet or not; the limit is raised for the
  // arena's lifetime instead.
  explicit ThreadArena(int threads, std::uint64_t per_thread = kAddressSpacePerThread) {
    const int fit = threads_that_fit(threads, address_space_room(), per_thread);
    const int n = fit > 0 ? fit : tbb::task_arena::automatic;
    // Capped: the limit holds for oneTBB's other loops (outside this arena) too while the arena lives.
    if (n > tbb::info::default_concurrency() || fit != threads)
      limit_.emplace(tbb::global_control::max_allowed_parallelism, uz(n));
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
