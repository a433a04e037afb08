// SPDX-License-Identifier: Apache-2.0
// Writes a fuzzer's bytes to a file the loaders can open (they read paths, as users give them).
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

namespace cohortgis::fuzz {

// A folder of this process's own (in /dev/shm where there is one), removed when the fuzzer exits normally; after a
// crash it stays, with the files that caused it.
class ScratchFolder {
 public:
  explicit ScratchFolder(const std::string& prefix) {
    path_ = std::filesystem::exists("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
    path_ /= prefix + std::to_string(::getpid());
    std::filesystem::create_directories(path_);
  }
  ~ScratchFolder() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchFolder(const ScratchFolder&) = delete;
  ScratchFolder& operator=(const ScratchFolder&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline std::string write_input(const std::uint8_t* data, std::size_t size, const std::string& name) {
  static const ScratchFolder dir("cohortgis-fuzz-");
  const std::string path = (dir.path() / name).string();
  if (std::FILE* f = std::fopen(path.c_str(), "wb")) {
    if (size > 0) std::fwrite(data, 1, size, f);
    std::fclose(f);
  }
  return path;
}

}  // namespace cohortgis::fuzz
