// SPDX-License-Identifier: Apache-2.0
#include "retained_heap.hpp"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace cohortgis::app {

void limit_retained_heap() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, static_cast<int>(kMappedBlockBytes));
  mallopt(M_TRIM_THRESHOLD, static_cast<int>(kRetainedHeapBytes));
#endif
}

void release_free_heap() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

}  // namespace cohortgis::app
