// SPDX-License-Identifier: Apache-2.0
// Worker threads under an address-space limit (engine/include/cohortgis/engine/thread_arena.hpp): with `ulimit -v`
// a thread oneTBB could not create aborted the process (hostile probe 19: `run --threads 16` under 2 GB); the arena
// now takes as many threads as fit.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>
#include <vector>

#include <oneapi/tbb/parallel_for.h>

#include "cohortgis/engine/thread_arena.hpp"

using namespace cohortgis;

TEST(ThreadArena, ThreadsThatFitTheRoomLeft) {
  EXPECT_EQ(threads_that_fit(16, kNoAddressSpaceLimit, kAddressSpacePerThread), 16);
  EXPECT_EQ(threads_that_fit(0, kNoAddressSpaceLimit, kAddressSpacePerThread), 0);
  EXPECT_EQ(threads_that_fit(16, kAddressSpaceReserve + 3 * kAddressSpacePerThread, kAddressSpacePerThread), 3);
  EXPECT_EQ(
      threads_that_fit(16, kAddressSpaceReserve + 3 * kAddressSpacePerDrawingThread, kAddressSpacePerDrawingThread), 3);
  EXPECT_EQ(threads_that_fit(2, kAddressSpaceReserve + 3 * kAddressSpacePerThread, kAddressSpacePerThread), 2);
  EXPECT_EQ(threads_that_fit(16, 0, kAddressSpacePerThread), 1);  // never fewer than one
  EXPECT_EQ(threads_that_fit(1, 1, kAddressSpacePerThread), 1);
  EXPECT_EQ(threads_that_fit(256, std::uint64_t{1} << 40, kAddressSpacePerThread), 256);
}

#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)  // their shadow memory needs terabytes
namespace {
// 256 worker threads under a limit of the address space in use + 400 MiB, each allocating (a malloc arena each).
[[noreturn]] void run_256_threads_under_a_limit() {
  rlimit lim{};
  const std::uint64_t room = std::uint64_t{400} << 20;
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  unsigned long long pages = 0;
  if (!f || std::fscanf(f, "%llu", &pages) != 1) std::_Exit(3);
  std::fclose(f);
  lim.rlim_cur = lim.rlim_max = pages * 4096 + room;
  if (setrlimit(RLIMIT_AS, &lim) != 0) std::_Exit(4);
  std::atomic<long> sum{0};
  ThreadArena(256).execute([&] {
    tbb::parallel_for(0, 2048, [&](int i) {  // long enough for oneTBB to start every worker it may
      const auto block = std::make_unique<std::vector<char>>(std::size_t{1} << 16, char(1 + i % 2));
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      sum += (*block)[7];
    });
  });
  std::_Exit(sum.load() == 3072 ? 0 : 5);
}
}  // namespace

TEST(ThreadArena, TwoHundredFiftySixThreadsUnderAnAddressSpaceLimitDoNotAbort) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");  // a fresh process: no oneTBB threads of other tests
  EXPECT_EXIT(run_256_threads_under_a_limit(), testing::ExitedWithCode(0), "");
}
#endif
