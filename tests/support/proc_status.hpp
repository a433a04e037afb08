// SPDX-License-Identifier: Apache-2.0
// A field of /proc/self/status in KiB (VmRSS, VmHWM, RssAnon …) for the tests of peak memory (Linux); -1 where absent.
#pragma once

#include <fstream>
#include <string>

namespace cohortgis::test {

inline long long proc_status_kib(const char* key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key, 0) == 0) return std::stoll(line.substr(std::string(key).size()));
  return -1LL;
}

}  // namespace cohortgis::test
