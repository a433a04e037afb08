// SPDX-License-Identifier: Apache-2.0
// Whether the threads a job will hold at once can start, checked before it starts (thread_room.cpp).
#pragma once

#include <string>

namespace cohortgis::app {

// Starts `threads` threads and joins them. Throws ProjectionError "cannot start the N threads to WHAT (why); this
// user's processes and threads are limited to L (ulimit -u)[; data to M MiB (ulimit -d)]; expected room for them:
// HINT" when one cannot: under a limit on the user's processes and threads (ulimit -u: each thread counts) or on data
// (ulimit -d: the threads' stacks) oneTBB ends the process (std::terminate) when a worker cannot start, and GLib
// (SIGTRAP) when one of pango's font threads cannot; either left OUT.tmp-PID (hostile probe of round 24). A margin,
// not a promise: other processes of the user may start threads meanwhile.
void require_thread_room(int threads, const std::string& what, const std::string& hint);

}  // namespace cohortgis::app
