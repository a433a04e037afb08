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

#include "../../app/src/output_dir.hpp"    // internal to the app library
#include "../../app/src/quick_remove.hpp"  // internal to the app library
#include "cohortgis/app/run.hpp"

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

// A signal's watchdog (remove_runs_in_progress) that came while a redraw's backup DIR.old-PID was being made found no
// redraw registered and exited, leaving the backup (hostile probe 19: SIGHUP 0.3 s into `report` on a loaded
// machine). Now it waits for the backup and removes it. The watchdog keeps the redraw lock until the exit: run in a
// process of its own.
namespace {
[[noreturn]] void watchdog_while_the_backup_is_made() {
  const fs::path dir = fs::temp_directory_path() / ("cohortgis-redraw-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  for (int i = 0; i < 1000; ++i) std::ofstream(dir / ("f" + std::to_string(i) + ".png")) << "x";
  std::thread([dir] {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // the backup's 1000 links take longer
    cohortgis::app::remove_runs_in_progress();
    bool left = false;
    for (const auto& e : fs::directory_iterator(dir.parent_path()))
      left = left || e.path().filename().string().rfind(dir.filename().string() + ".old-", 0) == 0;
    std::error_code ec;
    fs::remove_all(dir, ec);
    std::_Exit(left ? 1 : 0);
  }).detach();
  const cohortgis::app::RedrawGuard guard(dir);
  std::this_thread::sleep_for(std::chrono::seconds(10));  // the watchdog's thread ends the process first
  std::_Exit(2);
}
}  // namespace

TEST(QuickRemove, ASignalWhileARedrawsBackupIsMadeLeavesNoBackup) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(watchdog_while_the_backup_is_made(), testing::ExitedWithCode(0), "");
}
