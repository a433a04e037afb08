// SPDX-License-Identifier: Apache-2.0
// How much freed heap memory the process keeps resident (issue #16, peak RSS of a 50,000-zone run).
#pragma once

#include <cstddef>

namespace cohortgis::app {

// Freed memory at the top of a malloc arena beyond this is given back to the system.
inline constexpr std::size_t kRetainedHeapBytes = std::size_t{1} << 20;
// Blocks from this size up are mapped of their own (glibc's largest adaptive mmap threshold).
inline constexpr std::size_t kMappedBlockBytes = std::size_t{32} << 20;

// glibc adapts its thresholds to the largest block freed so far: once loading has freed its buffers, blocks of up to
// 32 MiB come from the arenas and an arena keeps up to twice that free at its top. On more than one thread the writer
// threads' arenas then keep each step's freed buffers resident beside the main arena's free holes that one thread
// would reuse (`cohortgis run --threads 2` at 50,000 zones: 5-6 MB of peak RSS). Fixes the mmap threshold at
// kMappedBlockBytes (where glibc's would end up) and the trim threshold at kRetainedHeapBytes. A trim threshold
// alone also keeps the mmap threshold at 128 KiB, which doubles a W3k run's page faults. Call before loading;
// process-wide. Elsewhere than glibc, nothing.
void limit_retained_heap();

// Gives the free pages inside every malloc arena back to the system (glibc's malloc_trim(0)): the pages of freed blocks
// that sit between blocks still in use, which the trim threshold above cannot reach (it trims an arena's top only).
// The next allocation that reuses such a page faults it in again. Elsewhere than glibc, nothing.
void release_free_heap();

}  // namespace cohortgis::app
