// SPDX-License-Identifier: Apache-2.0
// Worker threads under an address-space limit (engine/include/cohortgis/engine/thread_arena.hpp): with `ulimit -v`
// a thread oneTBB could not create aborted the process (hostile probe 19: `run --threads 16` under 2 GB); the arena
// now takes as many threads as fit. And the arena's threads faulting in a large array's pages before it is filled
// (engine/src/large_arrays.hpp).
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>
#include <vector>

#include <oneapi/tbb/parallel_for.h>

#include "cohortgis/engine/cohort_array.hpp"
#include "cohortgis/engine/thread_arena.hpp"
#include "large_arrays.hpp"  // engine/src

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

#if defined(__linux__) && defined(MADV_POPULATE_WRITE)
namespace {
// Pages of [p, p + bytes) resident now (mincore; p page-aligned).
std::size_t resident_pages(void* p, std::size_t bytes) {
  const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> in((bytes + page - 1) / page);
  if (mincore(p, bytes, in.data()) != 0) return 0;
  return static_cast<std::size_t>(std::count_if(in.begin(), in.end(), [](unsigned char c) { return (c & 1) != 0; }));
}
}  // namespace

// detail::populate_in_parallel faults in every page of a range the arena's threads split 2 MiB at a time, without
// writing to it, and says so; under ParallelFirstTouch a large array grown or assigned holds the values it would
// without (the old ones first, then the fill), and the flag is the thread's own, set for the guard's scope only.
TEST(ThreadArena, ParallelFirstTouchFaultsInPagesAndKeepsTheValues) {
  const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  void* const probe = mmap(nullptr, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(probe, MAP_FAILED);
  const bool supported = madvise(probe, page, MADV_POPULATE_WRITE) == 0;
  munmap(probe, page);
  if (!supported) GTEST_SKIP() << "MADV_POPULATE_WRITE not supported by this kernel (before Linux 5.14)";
  const std::size_t bytes = (std::size_t{37} << 20) + 5 * page;  // 18 chunks of 2 MiB and a part of one
  void* const map = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(map, MAP_FAILED);
  EXPECT_EQ(resident_pages(map, bytes), 0u);
  std::size_t populated = 0;
  ThreadArena(2).execute([&] { populated = detail::populate_in_parallel(map, bytes); });
  EXPECT_EQ(populated, bytes);
  EXPECT_EQ(resident_pages(map, bytes), bytes / page);
  const auto* values = static_cast<const unsigned char*>(map);  // faulted in, not written: fresh zero pages
  EXPECT_TRUE(std::all_of(values, values + bytes, [](unsigned char c) { return c == 0; }));
  munmap(map, bytes);

  const std::size_t n = std::size_t{3} << 20;  // 24 MiB of doubles
  ASSERT_FALSE(detail::parallel_first_touch);
  ThreadArena(2).execute([&] {
    const detail::ParallelFirstTouch first_touch;
    EXPECT_TRUE(detail::parallel_first_touch);
    std::vector<double> grown(1000, 2.5), assigned(10, 1.0);
    detail::resize_large(grown, n);
    detail::assign_large(assigned, n, -0.5);
    ASSERT_EQ(grown.size(), n);
    ASSERT_EQ(assigned.size(), n);
    EXPECT_TRUE(std::all_of(grown.begin(), grown.begin() + 1000, [](double v) { return v == 2.5; }));
    EXPECT_TRUE(std::all_of(grown.begin() + 1000, grown.end(), [](double v) { return v == 0.0 && !std::signbit(v); }));
    EXPECT_TRUE(std::all_of(assigned.begin(), assigned.end(), [](double v) { return v == -0.5; }));
    const CohortArray a(CohortLayout{30000, 2, AgeGrid::five_year(100)}, 3.0);  // 10 MB
    EXPECT_TRUE(std::all_of(a.data().begin(), a.data().end(), [](double v) { return v == 3.0; }));
  });
  EXPECT_FALSE(detail::parallel_first_touch);  // the guard's scope only
}
#endif
