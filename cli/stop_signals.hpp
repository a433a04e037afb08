// SPDX-License-Identifier: Apache-2.0
// Signals that stop a command cleanly: every catchable signal whose default action would terminate the process asks
// the run to stop (it removes its temporary folder, leaves the output folder as it was) and exits 128 + the signal.
#pragma once

#include <atomic>

namespace cohortgis::cli {

// Set by a stop signal; the run looks at it between steps and while drawing.
extern std::atomic<bool> g_cancel;
// The signal that stopped the command, 0 when none.
extern std::atomic<int> g_signal;

// Installs the handlers and starts the watchdog thread; SIGPIPE and SIGXFSZ are ignored (a failed write is reported
// by the write itself). Before the long work starts; once per process (a second call does nothing).
void install_stop_signals();

// The message for a command stopped by a signal, once per process (the watchdog does not repeat it; none with
// say = false: MPI ranks other than 0 print nothing); returns the exit status, 128 + the signal.
int interrupted(bool say = true);

}  // namespace cohortgis::cli
