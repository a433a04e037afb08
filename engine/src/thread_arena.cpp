// SPDX-License-Identifier: Apache-2.0
#include "cohortgis/engine/thread_arena.hpp"

#include "cohortgis/engine/types.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <mutex>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace cohortgis {

std::uint64_t address_space_room() {
  rlimit lim{};
  if (getrlimit(RLIMIT_AS, &lim) != 0 || lim.rlim_cur == RLIM_INFINITY) return kNoAddressSpaceLimit;
#if defined(__GLIBC__)
  // Each malloc arena a thread gets reserves 64 MiB (up to 8 per core): two in all under a limit (the loops
  // allocate rarely, so they hardly contend).
  static std::once_flag arenas;
  std::call_once(arenas, [] { mallopt(M_ARENA_MAX, 2); });
#endif
  unsigned long long pages = 0;  // the address space in use now (VmSize): the first field of statm
  if (std::FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%llu", &pages) != 1) pages = 0;
    std::fclose(f);
  }
  const std::uint64_t used = pages * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
  const auto limit = static_cast<std::uint64_t>(lim.rlim_cur);
  return limit > used ? limit - used : 0;
}

int threads_that_fit(int threads, std::uint64_t room, std::uint64_t per_thread) {
  if (room == kNoAddressSpaceLimit) return threads;
  const int asked = threads > 0 ? threads : tbb::info::default_concurrency();
  const std::uint64_t free = room > kAddressSpaceReserve ? room - kAddressSpaceReserve : 0;
  const auto fit = static_cast<int>(std::min<std::uint64_t>(free / std::max<std::uint64_t>(per_thread, 1), 1u << 20));
  const int n = std::max(1, std::min(asked, fit));
  return n == asked ? threads : n;
}

void require_address_space_reserve(const std::string& what, const std::string& hint) {
  if (const std::uint64_t room = address_space_room(); room < kAddressSpaceReserve)
    throw ProjectionError("out of memory to " + what + ": " + std::to_string(room >> 20) +
                          " MiB of address space left under the limit (ulimit -v); expected at least " +
                          std::to_string(kAddressSpaceReserve >> 20) + " MiB: " + hint);
}

}  // namespace cohortgis
