// SPDX-License-Identifier: Apache-2.0
// A folder of one test process's own under the temporary directory, removed with everything in it when the process
// exits normally. ctest runs each case as a process of its own: folders named by the process id and never removed
// were left behind by every run (over a hundred in /tmp after a day's runs).
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace cohortgis::test {

class ScratchDir {
 public:
  explicit ScratchDir(const std::string& prefix)
      : path_(std::filesystem::temp_directory_path() / (prefix + "_" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ignored;  // a test that failed half-way may have left it partly removed
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace cohortgis::test
