// SPDX-License-Identifier: Apache-2.0
#include "quick_remove.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <string>
#include <system_error>
#include <vector>

namespace cohortgis::app {

namespace fs = std::filesystem;

namespace {

// Starts a background shell (`sh -c '( … ) &'`) holding FDS (as 3, 4, …) while this process lives, at most TENTHS
// tenths of a second: it polls this process with `kill -0 $PPID`. Not a pipe's end at exit: the kernel may release
// this process's descriptors in any order, and the child must outlive every one of them (else the last one to the
// file, a writer thread's still open results.nc, frees it here: 1.4 s with its discards). sh exits at once, so no
// zombie is left to reap. False when it could not be started.
bool spawn_holder(const std::vector<int>& fds, long tenths) {
  const int null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null_fd < 0) return false;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  // Every file goes to a number above all the sources and targets first, then to its place: a source may sit where
  // another one's target is.
  int base = 3 + static_cast<int>(fds.size());
  for (int fd : fds) base = std::max(base, fd);
  base = std::max(base, null_fd) + 1;
  for (int i = 0; i < static_cast<int>(fds.size()); ++i) posix_spawn_file_actions_adddup2(&fa, fds[i], base + i);
  posix_spawn_file_actions_adddup2(&fa, null_fd, 0);
  posix_spawn_file_actions_adddup2(&fa, null_fd, 1);
  posix_spawn_file_actions_adddup2(&fa, null_fd, 2);
  for (int i = 0; i < static_cast<int>(fds.size()); ++i) posix_spawn_file_actions_adddup2(&fa, base + i, 3 + i);
  posix_spawn_file_actions_addclosefrom_np(&fa, 3 + static_cast<int>(fds.size()));
  std::string script = "(i=0; while [ $i -lt " + std::to_string(tenths) +
                       " ] && kill -0 $PPID 2>/dev/null; do sleep 0.1; i=$((i+1)); done) &";
  char sh[] = "/bin/sh", dash_c[] = "-c";
  char* argv[] = {sh, dash_c, script.data(), nullptr};
  // A fixed environment: nothing of the caller's (PATH, ENV, …) decides which `sleep` runs or what sh reads first.
  char path[] = "PATH=/usr/bin:/bin";
  char* envp[] = {path, nullptr};
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, sh, &fa, nullptr, argv, envp);
  posix_spawn_file_actions_destroy(&fa);
  ::close(null_fd);
  if (rc != 0) return false;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace

int remove_all_quickly(const fs::path& dir, std::uintmax_t min_bytes, std::chrono::milliseconds hold) {
  std::vector<int> fds;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end && fds.size() < 64; it.increment(ec)) {
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode) ||
        static_cast<std::uintmax_t>(st.st_size) < min_bytes)
      continue;
    const int fd = ::open(it->path().c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd >= 0) fds.push_back(fd);
  }
  const bool held = !fds.empty() && spawn_holder(fds, std::max<long>(1, static_cast<long>(hold.count() / 100)));
  fs::remove_all(dir, ec);  // the names; a held file's data stays with the child
  for (int fd : fds) ::close(fd);
  return held ? static_cast<int>(fds.size()) : 0;
}

int hold_unlinked_files(std::uintmax_t min_bytes, std::chrono::milliseconds hold) {
  std::vector<int> fds;
  DIR* d = ::opendir("/proc/self/fd");
  if (d == nullptr) return 0;
  const int own = ::dirfd(d);
  while (const dirent* e = ::readdir(d)) {
    char* end = nullptr;
    const long fd = std::strtol(e->d_name, &end, 10);
    if (end == e->d_name || *end != '\0' || fd == own || fds.size() >= 64) continue;
    struct stat st {};
    if (::fstat(static_cast<int>(fd), &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink != 0 ||
        static_cast<std::uintmax_t>(st.st_size) < min_bytes)
      continue;
    // A copy of the descriptor: the thread that owns it may close it meanwhile (the holder is given this one).
    const int copy = ::fcntl(static_cast<int>(fd), F_DUPFD_CLOEXEC, 0);
    if (copy >= 0) fds.push_back(copy);
  }
  ::closedir(d);
  const bool held = !fds.empty() && spawn_holder(fds, std::max<long>(1, static_cast<long>(hold.count() / 100)));
  for (int fd : fds) ::close(fd);
  return held ? static_cast<int>(fds.size()) : 0;
}

}  // namespace cohortgis::app
