// SPDX-License-Identifier: Apache-2.0
// The process's limits that keep threads from starting, in the words of every message that says a thread could not
// start (app/src/thread_room.cpp; the command line's boundary, cli/boundary_messages.cpp). Its own header: the two
// files that include it are all that a change here rebuilds.
#pragma once

#include <string>

namespace cohortgis::app {

// "; this user's processes and threads are limited to N (ulimit -u)" where RLIMIT_NPROC's soft limit is set (each
// thread counts), then "; data to M MiB (ulimit -d)" where RLIMIT_DATA's is (it holds the threads' stacks); "" when
// neither is. For the caller to put after its "cannot start … (why)" and before its "; expected …".
std::string thread_limit_words();

}  // namespace cohortgis::app
