// SPDX-License-Identifier: Apache-2.0
// Storage of the engine's large arrays (state-sized and up: the population, the per-cell components, the survival
// ratio and φ caches, births by age of mother, the indicator table).
//
// Such an array is allocated in the first step and then written every year. On 4 KiB pages its first touch costs a
// page fault (and a zeroed page) per 4 KiB: at 3,000 zones the user path's arrays took 27,000 faults, most of its
// first step's CPU. Advised for transparent huge pages before that first touch, the kernel backs each aligned 2 MiB of
// it with one page: one fault per 2 MiB, and fewer TLB misses in the years after. Only advice: where the kernel does
// not take it (THP off, another OS) the arrays are as before. The values are the same either way.
//
// Inside a run (ParallelFirstTouch) such an array's pages are also faulted in by the run's threads before it is
// filled: the kernel zeroes every fresh page it maps, and on one thread that zeroing was the larger part of a
// five-year run's serial work at 40,000 zones (bench/HISTORY.md "Round 23: five-year steps on two threads").
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "cohortgis/engine/index_cast.hpp"
#include "parallel.hpp"

namespace cohortgis::detail {

// Arrays of at least this size are advised (a huge page is 2 MiB; a smaller array gains little).
inline constexpr std::size_t kHugePageAdviceBytes = std::size_t{4} << 20;

// Whether large arrays allocated on this thread are first touched by the threads of the current oneTBB arena: set by
// ParallelFirstTouch where that arena is a run's own (ThreadArena: the threads the user asked for). Elsewhere a
// parallel loop would run in oneTBB's default arena, on every core, with worker threads that an address-space limit
// may leave no room for (thread_arena.hpp).
inline thread_local bool parallel_first_touch = false;

// Sets parallel_first_touch on this thread for its scope (inside ThreadArena::execute, or a task of its loops).
class ParallelFirstTouch {
 public:
  ParallelFirstTouch() : was_(parallel_first_touch) { parallel_first_touch = true; }
  ~ParallelFirstTouch() { parallel_first_touch = was_; }
  ParallelFirstTouch(const ParallelFirstTouch&) = delete;
  ParallelFirstTouch& operator=(const ParallelFirstTouch&) = delete;

 private:
  bool was_;
};

// Faults in the pages of [p, p + bytes), 2 MiB at a time over the threads of the current arena, writable and without
// writing to them (MADV_POPULATE_WRITE, Linux 5.14): the kernel zeroes each page as it maps it, so the threads share
// that zeroing and the fill that follows finds its pages mapped. Returns the bytes faulted in: 0 where the kernel
// does not know the advice (the fill then faults them in, as before). Only advice: nothing here changes a value.
inline std::size_t populate_in_parallel(void* p, std::size_t bytes) {
#if defined(__linux__) && defined(MADV_POPULATE_WRITE)
  constexpr std::size_t kChunk = std::size_t{2} << 20;
  const int chunks = static_cast<int>((bytes + kChunk - 1) / kChunk);
  std::atomic<std::size_t> done{0};
  std::atomic<bool> refused{false};
  parallel_blocks(chunks, 1, [&](int first, int last) {
    for (int c = first; c < last && !refused.load(std::memory_order_relaxed); ++c) {
      const std::size_t from = uz(c) * kChunk, size = std::min(kChunk, bytes - from);
      if (madvise(static_cast<char*>(p) + from, size, MADV_POPULATE_WRITE) == 0)
        done.fetch_add(size, std::memory_order_relaxed);
      else
        refused.store(true, std::memory_order_relaxed);  // an older kernel (EINVAL), or no memory left for it now
    }
  });
  return done.load();
#else
  (void)p;
  (void)bytes;
  return 0;
#endif
}

// A vector of capacity n (its old values first, then `fill`) whose storage, when it is new and large, is advised for
// huge pages before anything is written to it, and under ParallelFirstTouch faulted in by the arena's threads.
inline void grow_large(std::vector<double>& v, std::size_t n, double fill) {
  std::vector<double> fresh;
  fresh.reserve(n);  // allocated, not touched
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr std::uintptr_t kHuge = std::uintptr_t{2} << 20;
  const auto begin = reinterpret_cast<std::uintptr_t>(fresh.data());
  const std::uintptr_t first = (begin + kHuge - 1) & ~(kHuge - 1);
  const std::uintptr_t last = (begin + n * sizeof(double)) & ~(kHuge - 1);
  if (first < last) (void)madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);  // advice: may fail
  // The aligned blocks: the head and tail around them (less than 2 MiB each) are faulted in by the fill.
  if (parallel_first_touch && first < last) (void)populate_in_parallel(reinterpret_cast<void*>(first), last - first);
#endif
  fresh.assign(v.begin(), v.end());
  fresh.resize(n, fill);
  v.swap(fresh);
}

// As v.assign(n, fill), with a large new storage advised for huge pages.
inline void assign_large(std::vector<double>& v, std::size_t n, double fill = 0.0) {
  if (n > v.capacity() && n * sizeof(double) >= kHugePageAdviceBytes) {
    std::vector<double>().swap(v);  // the old storage goes before the new one is allocated (the peak stays)
    grow_large(v, n, fill);
  } else {
    v.assign(n, fill);
  }
}

// As v.resize(n), with a large new storage advised for huge pages (the old values kept, the new ones +0.0).
inline void resize_large(std::vector<double>& v, std::size_t n) {
  if (n > v.capacity() && n * sizeof(double) >= kHugePageAdviceBytes)
    grow_large(v, n, 0.0);
  else
    v.resize(n);
}

// Gives the pages wholly inside [p, p + bytes) back to the system (MADV_DONTNEED, Linux): the memory stays the
// array's, its pages fresh (+0.0) where read or written again, so resident memory is what is written since. Only for
// values that are all written again before they are read: where the kernel does not do it the values stay, and the
// results are the same either way. Issue #16: the arrays a step's zone pass is done with (StepRunner, FrontRelease).
inline void give_back_pages(const void* p, std::size_t bytes) {
#if defined(__linux__) && defined(MADV_DONTNEED)
  constexpr std::uintptr_t kPage = 4096;
  const auto begin = reinterpret_cast<std::uintptr_t>(p);
  const std::uintptr_t first = (begin + kPage - 1) & ~(kPage - 1), last = (begin + bytes) & ~(kPage - 1);
  if (first < last) (void)madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);  // may fail: advice
#else
  (void)p;
  (void)bytes;
#endif
}

// The pages of an array given back (give_back_pages) from its front as a pass in ascending order is done with it: in
// whole aligned 2 MiB blocks (a huge page each where the array has them: large_arrays' advice), so the part still
// resident is at most one block more than what the pass has not finished, at a few calls a step.
class FrontRelease {
 public:
  FrontRelease() = default;
  FrontRelease(const double* data, std::size_t values)
      : begin_(reinterpret_cast<std::uintptr_t>(data)), end_(begin_ + values * sizeof(double)), released_(begin_) {}
  // The pass is done with the values below `values` (from the front).
  void done_below(std::size_t values) {
    constexpr std::uintptr_t kBlock = std::uintptr_t{2} << 20;
    const std::uintptr_t to = std::min(end_, begin_ + values * sizeof(double)) & ~(kBlock - 1);
    if (to > released_) give_back(to);
  }
  void done_all() {  // with every value: the rest of its pages
    if (end_ > released_) give_back(end_);
  }

 private:
  void give_back(std::uintptr_t to) {
    give_back_pages(reinterpret_cast<const void*>(released_), to - released_);
    released_ = to;
  }
  std::uintptr_t begin_ = 0, end_ = 0, released_ = 0;
};

}  // namespace cohortgis::detail
