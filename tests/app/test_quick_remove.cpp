// SPDX-License-Identifier: Apache-2.0
// remove_all_quickly (issue #16): a stopped run's multi-GB results.nc took over a second to unlink; its last
// reference goes to a child process, which frees it after the names are gone. Checked here with small files and a
// threshold of a few bytes: the tree is gone, the large files are held by another process (until this one exits or
// the hold ends), the small ones were not handed over.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <thread>

#include "../../app/src/quick_remove.hpp"  // internal to the app library

namespace fs = std::filesystem;
using cohortgis::app::remove_all_quickly;

namespace {

fs::path fresh_dir(const std::string& name) {
  const fs::path dir =
      fs::temp_directory_path() / ("cohortgis-quick-remove-" + std::to_string(::getpid()) + "-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir / "sub");
  std::ofstream(dir / "big.bin") << std::string(4096, 'x');
  std::ofstream(dir / "sub" / "big2.bin") << std::string(8192, 'y');
  std::ofstream(dir / "small.txt") << "tiny";
  return dir;
}

// Processes other than this one with a descriptor open to the deleted file PATH.
int holders_of_deleted(const fs::path& path) {
  const std::string want = path.string() + " (deleted)";
  int n = 0;
  std::error_code ec;
  for (fs::directory_iterator proc("/proc", ec), end; !ec && proc != end; proc.increment(ec)) {
    const std::string pid = proc->path().filename().string();
    if (pid.find_first_not_of("0123456789") != std::string::npos || pid == std::to_string(::getpid())) continue;
    std::error_code fe;
    for (fs::directory_iterator fd(proc->path() / "fd", fe), fend; !fe && fd != fend; fd.increment(fe)) {
      std::error_code le;
      if (fs::read_symlink(fd->path(), le) == want) {
        ++n;
        break;
      }
    }
  }
  return n;
}

}  // namespace

TEST(QuickRemove, LargeFilesHeldByAChild) {
  const fs::path dir = fresh_dir("exit");
  EXPECT_EQ(remove_all_quickly(dir, 1000, std::chrono::seconds(60)), 2);  // big.bin and sub/big2.bin, not small.txt
  EXPECT_FALSE(fs::exists(fs::symlink_status(dir)));
  // The child lets go when this test program exits (or after a minute): it holds both files now.
  EXPECT_GE(holders_of_deleted(dir / "big.bin"), 1);  // the shell, and its `sleep` at times
  EXPECT_GE(holders_of_deleted(dir / "sub" / "big2.bin"), 1);
  EXPECT_EQ(holders_of_deleted(dir / "small.txt"), 0);
}

TEST(QuickRemove, LargeFilesReleasedSoonAfterTheCall) {
  const fs::path dir = fresh_dir("soon");
  EXPECT_EQ(remove_all_quickly(dir, 1000, std::chrono::milliseconds(100)), 2);
  EXPECT_FALSE(fs::exists(fs::symlink_status(dir)));
  // In a process that goes on, the child ends after the hold: no process keeps the data (and its disk space).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (holders_of_deleted(dir / "big.bin") > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(holders_of_deleted(dir / "big.bin"), 0);
}

TEST(QuickRemove, SmallFilesAndMissingFolders) {
  const fs::path dir = fresh_dir("small");
  EXPECT_EQ(remove_all_quickly(dir), 0);  // all under the default 64 MiB: plain removal
  EXPECT_FALSE(fs::exists(fs::symlink_status(dir)));
  EXPECT_EQ(remove_all_quickly(dir), 0);  // already gone: nothing to do, no error
}
