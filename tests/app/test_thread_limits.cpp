// SPDX-License-Identifier: Apache-2.0
// The limits named where a thread cannot start (round 25): one helper, thread_limit_words, for the run's reservation
// (require_thread_room) and the command line's boundary (no_thread), which built the words each on its own.
#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "../../app/src/thread_room.hpp"  // internal to the app library
#include "cohortgis/app/thread_limits.hpp"
#include "cohortgis/engine/types.hpp"

using cohortgis::app::thread_limit_words;

namespace {

// Sets a soft limit for the scope (the hard one kept), and puts the old one back.
struct SoftLimit {
  int resource;
  rlimit old{};
  bool set = false;
  SoftLimit(int r, rlim_t soft) : resource(r) {
    if (getrlimit(r, &old) != 0 || (old.rlim_max != RLIM_INFINITY && soft > old.rlim_max)) return;
    const rlimit now{soft, old.rlim_max};
    set = setrlimit(r, &now) == 0;
  }
  ~SoftLimit() {
    if (set) setrlimit(resource, &old);
  }
};

}  // namespace

TEST(ThreadLimits, NamesTheProcessAndDataLimits) {
  const SoftLimit nproc(RLIMIT_NPROC, 4321), data(RLIMIT_DATA, rlim_t{8192} << 20);
  if (!nproc.set || !data.set) GTEST_SKIP() << "cannot set the soft limits here";
  EXPECT_EQ(thread_limit_words(),
            "; this user's processes and threads are limited to 4321 (ulimit -u); data to 8192 MiB (ulimit -d)");
}

// require_thread_room under `ulimit -u 1`, in a child that is not root (root's threads ignore RLIMIT_NPROC): its
// message carries the same words as the command line's.
TEST(ThreadLimits, RequireThreadRoomSaysThem) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    std::string said = "no error";
    if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) said = "cannot drop root";
    const rlimit one{1, 1};
    if (setrlimit(RLIMIT_NPROC, &one) != 0) said = "cannot set RLIMIT_NPROC";
    if (said == "no error") try {
        cohortgis::app::require_thread_room(3, "project", "fewer threads");
      } catch (const cohortgis::ProjectionError& e) {
        said = e.what();
        said += "\n" + thread_limit_words();
      }
    (void)!write(fds[1], said.data(), said.size());
    _exit(0);
  }
  close(fds[1]);
  std::string got;
  char buf[512];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) got.append(buf, static_cast<std::size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  if (got == "cannot drop root" || got == "cannot set RLIMIT_NPROC") GTEST_SKIP() << got;
  const std::size_t nl = got.rfind('\n');
  ASSERT_NE(nl, std::string::npos) << got;
  const std::string message = got.substr(0, nl), words = got.substr(nl + 1);
  EXPECT_EQ(words.rfind("; this user's processes and threads are limited to 1 (ulimit -u)", 0), 0u) << words;
  EXPECT_EQ(message.rfind("cannot start the 3 threads to project (", 0), 0u) << message;
  EXPECT_NE(message.find(")" + words + "; expected room for them: fewer threads"), std::string::npos) << message;
}
