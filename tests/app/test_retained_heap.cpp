// SPDX-License-Identifier: Apache-2.0
// limit_retained_heap (issue #16): freed memory at an arena's top goes back to the system, on the main thread and on
// another thread (the writer threads of `cohortgis run`), after glibc would have raised its thresholds. A program of
// its own: the setting is process-wide.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "../../app/src/retained_heap.hpp"  // internal to the app library

namespace {

volatile char g_sink = 0;  // the pages are read back, so that no compiler drops their writes before free()

long long rss_kib() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::atoll(line.c_str() + 6);
  return -1;
}

// Allocates, touches and frees `bytes`, then half of it (the first free raises glibc's adaptive thresholds above the
// second block, which then comes from the arena and stays there when freed) and returns how far RSS grew (KiB).
long long retained_after_two_blocks(std::size_t bytes) {
  const long long before = rss_kib();
  for (std::size_t size : {bytes, bytes / 2}) {
    char* p = static_cast<char*>(std::malloc(size));
    std::memset(p, 1, size);
    for (std::size_t i = 0; i < size; i += 4096) g_sink = static_cast<char>(g_sink + p[i]);
    std::free(p);
  }
  return rss_kib() - before;
}

}  // namespace

TEST(RetainedHeap, FreedBlocksGoBackOnEveryThread) {
#if !defined(__GLIBC__)
  GTEST_SKIP() << "glibc's malloc only";
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "a sanitizer's allocator replaces glibc's malloc (mallopt does not reach it; freed blocks wait in "
                  "its quarantine)";
#endif
  ASSERT_GT(rss_kib(), 0);
  cohortgis::app::limit_retained_heap();
  constexpr std::size_t kBlock = std::size_t{16} << 20;
  constexpr long long kSlackKiB = 2 * 1024;  // well under the second, 8 MiB block
  long long on_thread = 0;
  std::thread([&] { on_thread = retained_after_two_blocks(kBlock); }).join();
  EXPECT_LT(on_thread, kSlackKiB) << "a thread's arena kept the freed block resident";
  EXPECT_LT(retained_after_two_blocks(kBlock), kSlackKiB) << "the main arena kept the freed block resident";
}

// release_free_heap gives back the pages of freed blocks that lie between blocks still in use (holes that no trim of
// an arena's top reaches). 2,048 blocks of 32 KiB, every other one freed: 32 MiB in holes, of which the whole pages
// inside each freed block (28 MiB) can go. Fails with the function a no-op (RSS unchanged).
TEST(RetainedHeap, FreePagesBetweenLiveBlocksGoBack) {
#if !defined(__GLIBC__)
  GTEST_SKIP() << "glibc's malloc only";
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "a sanitizer's allocator replaces glibc's malloc (malloc_trim does not reach it)";
#endif
  constexpr std::size_t kBlocks = 2048, kBlock = std::size_t{32} << 10;  // under any mmap threshold
  std::vector<char*> blocks(kBlocks);
  for (char*& p : blocks) {
    p = static_cast<char*>(std::malloc(kBlock));
    ASSERT_NE(p, nullptr);
    std::memset(p, 1, kBlock);
  }
  for (std::size_t k = 0; k < kBlocks; k += 2) {
    for (std::size_t i = 0; i < kBlock; i += 4096) g_sink = static_cast<char>(g_sink + blocks[k][i]);
    std::free(blocks[k]);
    blocks[k] = nullptr;
  }
  const long long before = rss_kib();
  cohortgis::app::release_free_heap();
  const long long given_back = before - rss_kib();
  for (char* p : blocks) std::free(p);
  EXPECT_GT(given_back, 16 * 1024) << "KiB given back of the 32 MiB freed between live blocks";
}
