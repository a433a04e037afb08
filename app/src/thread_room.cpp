// SPDX-License-Identifier: Apache-2.0
#include "thread_room.hpp"

#include <sys/resource.h>

#include <condition_variable>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#include "cohortgis/app/thread_limits.hpp"
#include "cohortgis/engine/types.hpp"

namespace cohortgis::app {

std::string thread_limit_words() {
  std::string limits;
  rlimit lim{};
  if (getrlimit(RLIMIT_NPROC, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY)
    limits = "; this user's processes and threads are limited to " + std::to_string(lim.rlim_cur) + " (ulimit -u)";
  if (getrlimit(RLIMIT_DATA, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY)  // it holds the threads' stacks
    limits += "; data to " + std::to_string(lim.rlim_cur >> 20) + " MiB (ulimit -d)";
  return limits;
}

void require_thread_room(int threads, const std::string& what, const std::string& hint) {
  std::mutex m;
  std::condition_variable cv;
  bool go = false;
  std::vector<std::thread> started;
  std::string failure;
  try {
    // All alive at once (each waits for the last), as the job's threads will be.
    for (int i = 0; i < threads; ++i)
      started.emplace_back([&] {
        std::unique_lock<std::mutex> lock(m);
        cv.wait(lock, [&] { return go; });
      });
  } catch (const std::system_error& e) {
    failure = e.code().message();
  }
  {
    std::lock_guard<std::mutex> lock(m);
    go = true;
  }
  cv.notify_all();
  for (std::thread& t : started) t.join();
  if (failure.empty()) return;
  throw ProjectionError("cannot start the " + std::to_string(threads) + " threads to " + what + " (" + failure + ")" +
                        thread_limit_words() + "; expected room for them: " + hint);
}

}  // namespace cohortgis::app
