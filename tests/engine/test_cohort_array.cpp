// SPDX-License-Identifier: Apache-2.0
// CohortArray's storage: a large array holds the same values as a small one, and on Linux its storage is advised for
// transparent huge pages before its first touch (engine/src/large_arrays.hpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "cohortgis/engine/cohort_array.hpp"

using namespace cohortgis;

namespace {

// The VmFlags of the mapping of /proc/self/smaps that holds address p ("" when none is found).
std::string vm_flags_of(const void* p) {
  std::ifstream smaps("/proc/self/smaps");
  const auto at = reinterpret_cast<std::uintptr_t>(p);
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    std::uintptr_t lo = 0, hi = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> lo >> dash >> hi && dash == '-' && line.find(':') > line.find(' ')) {
      inside = lo <= at && at < hi;
      continue;
    }
    if (inside && line.rfind("VmFlags:", 0) == 0) return line;
  }
  return "";
}

}  // namespace

TEST(CohortArray, LargeStorageHasTheFillAndIsAdvisedForHugePages) {
  const CohortLayout large{3000, 2, AgeGrid::single_year()};  // 9.7 MB: over the 4 MiB of the advice
  const CohortLayout small{2, 1, AgeGrid::single_year()};
  const CohortArray a(large, 1.5), b(small, -2.0), c(large);
  ASSERT_EQ(a.data().size(), large.cells());
  ASSERT_EQ(b.data().size(), small.cells());
  EXPECT_TRUE(std::all_of(a.data().begin(), a.data().end(), [](double v) { return v == 1.5; }));
  EXPECT_TRUE(std::all_of(b.data().begin(), b.data().end(), [](double v) { return v == -2.0; }));
  EXPECT_TRUE(std::all_of(c.data().begin(), c.data().end(), [](double v) { return v == 0.0 && !std::signbit(v); }));
#if defined(__linux__)
  if (!std::filesystem::exists("/sys/kernel/mm/transparent_hugepage/enabled"))
    GTEST_SKIP() << "no transparent huge pages in this kernel";
  // The middle of the array lies in its aligned 2 MiB blocks, which carry the advice ("hg").
  const std::string flags = vm_flags_of(a.data().data() + a.data().size() / 2);
  ASSERT_FALSE(flags.empty());
  EXPECT_NE(flags.find(" hg"), std::string::npos) << flags;
#endif
}
