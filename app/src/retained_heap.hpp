// SPDX-License-Identifier: Apache-2.0
// How much freed heap memory the process keeps resident (issue #16, peak RSS of a 50,000-zone run).
#pragma once

#include <cstddef>

namespace cohortgis::app {

// Freed memory at the top of a malloc arena beyond this is given back to the system.
inline constexpr std::size_t kRetainedHeapBytes = std::size_t{1} << 20;

// glibc adapts its thresholds to the largest block freed so far: after loading frees its buffers (and each step its
// state-sized arrays, 14.4 MB at 50,000 zones), blocks of up to 32 MiB come from the arenas and an arena keeps up
// to twice that free at its top. On more than one thread the writer threads' arenas then keep each step's freed
// buffers resident beside the main arena's holes that one thread would reuse (`cohortgis run --threads 2` at 50,000
// zones: 6-7 MB of peak RSS). Fixes the trim threshold at kRetainedHeapBytes, which also keeps glibc from adapting
// either threshold (large blocks stay mmap'ed and go back when freed). Call before loading; process-wide. Elsewhere
// than glibc, nothing.
void limit_retained_heap();

}  // namespace cohortgis::app
