// SPDX-License-Identifier: Apache-2.0
#include "retained_heap.hpp"

#if defined(__GLIBC__)
#include <malloc.h>
#endif
#if defined(__linux__)
#include <sys/mman.h>
#endif

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace cohortgis::app {

void limit_retained_heap() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, static_cast<int>(kMappedBlockBytes));
  mallopt(M_TRIM_THRESHOLD, static_cast<int>(kRetainedHeapBytes));
#endif
}

std::size_t release_read_only_pages() {
  std::size_t released = 0;
#if defined(__linux__)
  // The ranges first (smaps read whole), then madvise: smaps lists each mapping's header, then its fields.
  std::vector<std::pair<std::uintptr_t, std::uintptr_t>> ranges;
  {
    std::ifstream in("/proc/self/smaps");
    bool candidate = false;
    std::uintptr_t lo = 0, hi = 0;
    for (std::string line; std::getline(in, line);) {
      const std::size_t dash = line.find('-'), space = line.find(' ');
      if (dash != std::string::npos && space != std::string::npos && dash < space && line.find(':') > space) {
        // "lo-hi perms offset dev inode path": read-only (r--p, r-xp) and backed by a file (a path from '/').
        const std::string perms = line.substr(space + 1, 4);
        lo = std::strtoull(line.c_str(), nullptr, 16);
        hi = std::strtoull(line.c_str() + dash + 1, nullptr, 16);
        candidate = (perms == "r--p" || perms == "r-xp") && line.find(" /") != std::string::npos && hi > lo;
      } else if (candidate && line.rfind("Anonymous:", 0) == 0) {
        if (std::strtoull(line.c_str() + 10, nullptr, 10) == 0) ranges.emplace_back(lo, hi);
        candidate = false;
      }
    }
  }
  for (const auto& [lo, hi] : ranges)
    if (madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_DONTNEED) == 0) released += hi - lo;
#endif
  return released;
}

}  // namespace cohortgis::app
