// SPDX-License-Identifier: Apache-2.0
// The engine's one parallel loop: body(begin, end) over blocked ranges of [0, n), run by oneTBB.
//
// Under ThreadSanitizer (COHORTGIS_TSAN) the same blocks run on std::threads joined at the end: Debian's libtbb is
// not instrumented, so TSan cannot see its task synchronisation and reports false races, while pthread create/join
// are intercepted. The kernel's own memory accesses — what TSan is there to check — are the same in both modes.
#pragma once

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>

#include <algorithm>
#include <exception>
#include <thread>
#include <vector>

#include "cohortgis/engine/index_cast.hpp"

namespace cohortgis::detail {

template <class Body>
void parallel_blocks(int n, int grain, Body&& body) {
  if (n <= 0) return;
#ifdef COHORTGIS_TSAN
  const int threads = std::max(1, std::min(tbb::this_task_arena::max_concurrency(), (n + grain - 1) / grain));
  std::vector<std::thread> pool;
  // An exception leaving a std::thread ends the process: each thread keeps its own, and the first block's is
  // rethrown after the join (as tbb::parallel_for rethrows one of its tasks').
  std::vector<std::exception_ptr> errors(uz(threads));
  const int chunk = (n + threads - 1) / threads;
  for (int t = 0; t < threads; ++t) {
    const int b = t * chunk, e = std::min(n, b + chunk);
    if (b < e)
      pool.emplace_back([&body, &errors, t, b, e, grain] {
        try {
          for (int s = b; s < e; s += grain) body(s, std::min(e, s + grain));
        } catch (...) {
          errors[uz(t)] = std::current_exception();
        }
      });
  }
  for (auto& th : pool) th.join();
  for (const auto& error : errors)
    if (error) std::rethrow_exception(error);
#else
  tbb::parallel_for(tbb::blocked_range<int>(0, n, grain),
                    [&](const tbb::blocked_range<int>& r) { body(r.begin(), r.end()); });
#endif
}

}  // namespace cohortgis::detail
