// SPDX-License-Identifier: Apache-2.0
// Storage of the engine's large arrays (state-sized and up: the population, the per-cell components, the survival
// ratio and φ caches, births by age of mother, the indicator table).
//
// Such an array is allocated in the first step and then written every year. On 4 KiB pages its first touch costs a
// page fault (and a zeroed page) per 4 KiB: at 3,000 zones the user path's arrays took 27,000 faults, most of its
// first step's CPU. Advised for transparent huge pages before that first touch, the kernel backs each aligned 2 MiB of
// it with one page: one fault per 2 MiB, and fewer TLB misses in the years after. Only advice: where the kernel does
// not take it (THP off, another OS) the arrays are as before. The values are the same either way.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace cohortgis::detail {

// Arrays of at least this size are advised (a huge page is 2 MiB; a smaller array gains little).
inline constexpr std::size_t kHugePageAdviceBytes = std::size_t{4} << 20;

// A vector of capacity n (its old values first, then `fill`) whose storage, when it is new and large, is advised for
// huge pages before anything is written to it.
inline void grow_large(std::vector<double>& v, std::size_t n, double fill) {
  std::vector<double> fresh;
  fresh.reserve(n);  // allocated, not touched
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr std::uintptr_t kHuge = std::uintptr_t{2} << 20;
  const auto begin = reinterpret_cast<std::uintptr_t>(fresh.data());
  const std::uintptr_t first = (begin + kHuge - 1) & ~(kHuge - 1);
  const std::uintptr_t last = (begin + n * sizeof(double)) & ~(kHuge - 1);
  if (first < last) (void)madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);  // advice: may fail
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

}  // namespace cohortgis::detail
