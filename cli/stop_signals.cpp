// SPDX-License-Identifier: Apache-2.0
#include "stop_signals.hpp"

#include <semaphore.h>
#include <signal.h>

#include <csignal>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>

#include "cohortgis/app/run.hpp"
#include "cohortgis/geodata/maps.hpp"

namespace cohortgis::cli {

std::atomic<bool> g_cancel{false};
std::atomic<int> g_signal{0};

namespace {

sem_t g_signalled;                // posted by the handler (sem_post is async-signal-safe), awaited by the watchdog
std::atomic<bool> g_said{false};  // the "interrupted by" line is printed (or was not to be): the watchdog stays quiet

// The catchable signals whose default action ends the process (signal(7), "Term" and "Core"), less the faults
// (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS: a bug, not a request to stop) and the two that are
// ignored (SIGPIPE, SIGXFSZ). SIGKILL cannot be caught. Real-time signals SIGRTMIN…SIGRTMAX are added at run time.
constexpr int kStopSignals[] = {
    SIGINT,    SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM, SIGPROF, SIGXCPU, SIGPOLL,
#ifdef SIGPWR
    SIGPWR,
#endif
#ifdef SIGSTKFLT
    SIGSTKFLT,
#endif
};

std::string signal_name(int sig) {
  if (sig == SIGINT) return "SIGINT (Ctrl-C)";
  if (sig >= SIGRTMIN && sig <= SIGRTMAX) return "SIGRTMIN+" + std::to_string(sig - SIGRTMIN);
  const char* abbrev = sigabbrev_np(sig);  // glibc ≥ 2.32: "QUIT" for SIGQUIT
  return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
}

extern "C" void on_stop_signal(int sig) {
  // The first signal decides the exit status; a second one (Ctrl-C twice) only wakes the watchdog again.
  int none = 0;
  g_signal.compare_exchange_strong(none, sig);
  g_cancel.store(true);
  sem_post(&g_signalled);
}

// A signal must stop a run within a second in every phase (issue #16). The run checks the cancel flag between steps
// and while drawing; where it cannot (reading a large input table), this thread removes the run's temporary folder
// 0.5 s after the signal and exits at once, with the same status.
void start_signal_watchdog() {
  sem_init(&g_signalled, 0, 0);
  std::thread([] {
    while (sem_wait(&g_signalled) != 0) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    // Drawings first: their lock, held until the exit, stops a figure being renamed into a folder whose old files
    // remove_runs_in_progress is putting back (`cohortgis report`).
    cohortgis::geodata::abandon_drawings_in_progress();  // `cohortgis map`/`report`: no <file>.tmp-PID left
    cohortgis::app::remove_runs_in_progress();
    const int sig = g_signal.load();
    if (!g_said.exchange(true)) {
      std::fprintf(stderr,
                   "cohortgis: interrupted by %s: no results were written; the output folder's previous "
                   "contents are untouched\n",
                   signal_name(sig).c_str());
      std::fflush(stderr);
    }
    std::_Exit(128 + sig);
  }).detach();
}

void catch_signal(int sig) {
  // SIGPROF drives gprof's sampling in a -pg build: keep a handler that is already there. `nohup` starts the command
  // with SIGHUP ignored so that it outlives the terminal: keep that too.
  struct sigaction old {};
  if ((sig == SIGPROF && sigaction(sig, nullptr, &old) == 0 && old.sa_handler != SIG_DFL) ||
      (sig == SIGHUP && sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN))
    return;
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigfillset(&sa.sa_mask);   // one handler at a time: the first signal's number is the one reported
  sa.sa_flags = SA_RESTART;  // as std::signal does on glibc: reads and writes are not cut short by EINTR
  sigaction(sig, &sa, nullptr);
}

void install_once() {
  start_signal_watchdog();
  // Caught even where the shell started the command with the signal ignored (SIGINT and SIGQUIT for `cmd &` in a
  // script): the signal was sent on purpose, and the run must not die from it leaving out.tmp-PID behind.
  for (int sig : kStopSignals) catch_signal(sig);
  for (int sig = SIGRTMIN; sig <= SIGRTMAX; ++sig) catch_signal(sig);
  // SIGPIPE is ignored by main() before any command (a closed stdout is a failed write, never a kill that would leave
  // the temporary folder behind).
  // A file-size limit (ulimit -f) or a full disk must fail a write, which the run reports, not kill the process.
  std::signal(SIGXFSZ, SIG_IGN);
}

}  // namespace

void install_stop_signals() {
  // Once per process: main() installs them before a writing command's words are parsed, the command again (harmless).
  static std::once_flag once;
  std::call_once(once, install_once);
}

// A run stopped by a signal exits 128 + the signal number (130 for Ctrl-C, 143 for SIGTERM), as shells expect.
int interrupted(bool say) {
  const int sig = g_signal.load();
  if (!g_said.exchange(true) && say)
    std::cerr << "cohortgis: interrupted by " << signal_name(sig)
              << ": no results were written; the output folder's previous contents are untouched\n";
  return 128 + sig;
}

}  // namespace cohortgis::cli
