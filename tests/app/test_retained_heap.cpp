// SPDX-License-Identifier: Apache-2.0
// limit_retained_heap (issue #16): freed memory at an arena's top goes back to the system, on the main thread and on
// another thread (the writer threads of `cohortgis run`), after glibc would have raised its thresholds. A program of
// its own: the setting is process-wide. release_read_only_pages: a read-only file mapping leaves the RSS and reads
// back the same; one with a privately written page keeps that write.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

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

namespace {

// A file of `bytes` whose byte i is i % 251, mapped private; `prot` as mmap takes it.
struct MappedFile {
  MappedFile(const char* tag, std::size_t bytes, int prot) : size(bytes) {
    path = ::testing::TempDir() + "cohortgis_pages_" + tag + "_" + std::to_string(::getpid());
    {
      std::ofstream out(path, std::ios::binary);
      for (std::size_t i = 0; i < bytes; ++i) out.put(static_cast<char>(i % 251));
    }
    const int fd = ::open(path.c_str(), O_RDONLY);
    data = static_cast<unsigned char*>(::mmap(nullptr, bytes, prot, MAP_PRIVATE, fd, 0));
    ::close(fd);
  }
  ~MappedFile() {
    if (data != MAP_FAILED) ::munmap(data, size);
    std::remove(path.c_str());
  }
  // The bytes' sum, reading every page (so each is mapped).
  unsigned long long sum() const {
    unsigned long long s = 0;
    for (std::size_t i = 0; i < size; ++i) s += data[i];
    return s;
  }
  std::string path;
  std::size_t size;
  unsigned char* data = nullptr;
};

}  // namespace

TEST(RetainedHeap, ReadOnlyFilePagesLeaveTheRssAndPrivateWritesStay) {
#if !defined(__linux__)
  GTEST_SKIP() << "/proc/self/smaps: Linux only";
#endif
  constexpr std::size_t kBytes = std::size_t{8} << 20;
  const MappedFile ro("ro", kBytes, PROT_READ);
  ASSERT_NE(ro.data, MAP_FAILED);
  const unsigned long long expected = ro.sum();
  // A read-only mapping with a page written before it became read-only: its copy is the process's own.
  MappedFile cow("cow", std::size_t{1} << 20, PROT_READ | PROT_WRITE);
  ASSERT_NE(cow.data, MAP_FAILED);
  cow.data[0] = 'X';
  ASSERT_EQ(::mprotect(cow.data, cow.size, PROT_READ), 0);
  const long long before = rss_kib();
  EXPECT_GE(cohortgis::app::release_read_only_pages(), kBytes);
  const long long after = rss_kib();
  EXPECT_LT(after, before - 6 * 1024) << "the 8 MiB read-only mapping is still resident";
  EXPECT_EQ(ro.sum(), expected);  // mapped again from the file, the same bytes
  EXPECT_EQ(cow.data[0], 'X') << "a privately written page was dropped";
  EXPECT_EQ(cow.data[1], 1);
}
