// SPDX-License-Identifier: Apache-2.0
#include "boundary_messages.hpp"

#include <sys/resource.h>

#include "cohortgis/app/thread_limits.hpp"
#include "cohortgis/geodata/read_policy.hpp"

namespace cohortgis::cli {

// std::bad_alloc: memory, or address space under `ulimit -v`, ran out (the staging folder is gone by then).
std::string out_of_memory() {
  std::string m = "out of memory";
  rlimit lim{};
  if (getrlimit(RLIMIT_AS, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY)
    m += " within the address-space limit (ulimit -v) of " + std::to_string(lim.rlim_cur >> 20) + " MiB";
  return m + "; expected more memory: raise the limit, or use fewer --threads or --trajectories";
}

// std::system_error EAGAIN from std::thread, or oneTBB's "pthread_create has failed": no thread could start. Under a
// limit on the user's processes and threads (ulimit -u: each thread counts) or on data (ulimit -d: the stacks) this
// was "internal error: Resource temporarily unavailable", exit 2 (hostile probe of round 24); the staging folder is
// gone by then.
std::string no_thread(const std::string& why) {
  return "cannot start a thread (" + why + ")" + cohortgis::app::thread_limit_words() +
         "; expected room for more threads: raise the limit, or use fewer --threads";
}

// boost's messages quote the words they reject whole: an unrecognised option of 100 kB was echoed whole. Every
// quoted word is cut as cells are (escape_cell), the rest of the message kept.
std::string cut_quoted_words(const std::string& message) {
  std::string out;
  std::size_t from = 0;
  for (std::size_t open; (open = message.find('\'', from)) != std::string::npos;) {
    const std::size_t close = message.find('\'', open + 1);
    if (close == std::string::npos) break;
    out += message.substr(from, open + 1 - from) +
           cohortgis::geodata::escape_cell(message.substr(open + 1, close - open - 1), 60) + "'";
    from = close + 1;
  }
  return out + message.substr(from);
}

}  // namespace cohortgis::cli
