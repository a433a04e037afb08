// SPDX-License-Identifier: Apache-2.0
#include <pthread.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>

#include "common.hpp"

namespace cohortgis::python {

namespace {

// Interpreter exit (common.hpp ReleasedGil). Atomics only, no mutex: a fork child inherits them as they were.
std::atomic<bool> g_exiting{false};    // the atexit hook has begun
std::atomic<bool> g_abandoned{false};  // it has stopped waiting: finalization may begin at any time
std::atomic<int> g_in_flight{0};       // ReleasedGil regions open, every thread
std::atomic<int> g_acquiring{0};       // threads past the check below and taking the GIL
std::atomic<int> g_detached{0};        // run_detachable threads still working (their caller may have gone)
std::thread::id g_exit_thread;         // the thread running the hook (written before g_exiting)
thread_local int t_regions = 0;        // this thread's open regions (all a fork child keeps)

// os.fork() and the library work of other threads (common.hpp ForkSensitiveWork). Atomics only, as above.
std::atomic<int> g_sensitive{0};             // ForkSensitiveWork in flight, every thread
std::atomic<int> g_fork_pending{0};          // os.fork() calls between their before and after hooks
std::atomic<bool> g_forked_mid_work{false};  // this process is a child forked while such work ran
std::atomic<bool> g_fork_gave_up{false};     // a fork waited its kForkWaitSeconds for work still running

bool other_than_exit_thread() { return std::this_thread::get_id() != g_exit_thread; }

// Before taking the GIL inside a region: once the hook has stopped waiting, taking it could end this thread with
// pthread_exit through C++ frames, so the thread sleeps until the process ends. The hook waits for the threads that
// passed the check (seq_cst: either this load sees g_abandoned, or the hook sees g_acquiring > 0).
void before_take() {
  g_acquiring.fetch_add(1);
  if (g_abandoned.load() && other_than_exit_thread()) {
    g_acquiring.fetch_sub(1);
    for (;;) std::this_thread::sleep_for(std::chrono::hours(1));
  }
}

void at_exit() {  // Python's atexit: after the non-daemon threads are joined, before finalization; GIL held
  g_exit_thread = std::this_thread::get_id();
  g_exiting.store(true);
  PyThreadState* state = PyEval_SaveThread();  // the runs in flight take it to stop
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(kExitWaitSeconds);
  while ((g_in_flight.load() > t_regions || g_detached.load() > 0) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  g_abandoned.store(true);
  while (g_acquiring.load() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  PyEval_RestoreThread(state);
}

void after_fork_in_child() {  // only this thread goes on in the child: its own regions are the open ones
  g_in_flight.store(t_regions);
  g_acquiring.store(0);
  g_detached.store(0);
  // Library work of a thread that is not in the child: the locks it held are held for good here.
  if (g_sensitive.load() > 0) g_forked_mid_work.store(true);
  g_sensitive.store(0);
  g_fork_pending.store(0);
  g_fork_gave_up.store(false);
}

// os.register_at_fork(before=…): before Python takes its own locks for the fork, with the GIL held. Waits for the
// library work of other threads to end (none runs on this one: that work never calls Python) with the GIL released,
// so that work reporting progress or a thread about to start such work goes on meanwhile; new work waits from now on.
// A fork from inside a cohortgis call (its progress callback: this thread has a region open) does not wait: the work
// in flight may be that call's own.
void before_fork() {
  g_fork_pending.fetch_add(1);
  // Once a fork has waited its time for work still running, the next forks do not wait again until that work has
  // ended (a multiprocessing pool of 8 "fork" workers beside a long write_outputs: 10 s, not 80 s).
  if (interpreter_exiting() || t_regions > 0 || g_sensitive.load() == 0 || g_fork_gave_up.load()) return;
  const ReleasedGil release;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(kForkWaitSeconds);
  while (g_sensitive.load() > 0) {
    if (std::chrono::steady_clock::now() >= deadline) {
      g_fork_gave_up.store(true);  // the child refuses such work (g_forked_mid_work)
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

void after_fork_in_parent() { g_fork_pending.fetch_sub(1); }  // also when fork() failed

}  // namespace

ReleasedGil::ReleasedGil() {
  if (interpreter_exiting())
    throw std::runtime_error(
        "the Python interpreter is exiting: cohortgis starts no work on another thread (a daemon thread) after that");
  ++t_regions;
  g_in_flight.fetch_add(1);
  state_ = PyEval_SaveThread();
}

ReleasedGil::~ReleasedGil() {
  before_take();
  PyEval_RestoreThread(state_);
  g_acquiring.fetch_sub(1);
  --t_regions;
  g_in_flight.fetch_sub(1);
}

ForkSensitiveWork::ForkSensitiveWork() {
  // seq_cst, as before_take: either before_fork sees this count, or this sees its pending fork and backs off.
  for (;;) {
    g_sensitive.fetch_add(1);
    if (g_fork_pending.load() == 0) break;
    g_sensitive.fetch_sub(1);
    while (g_fork_pending.load() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (g_forked_mid_work.load()) {
    g_sensitive.fetch_sub(1);
    throw std::runtime_error(
        "cohortgis: this process was forked while another thread of its parent was drawing, or reading or writing "
        "files through GDAL (os.fork() waits up to " +
        std::to_string(kForkWaitSeconds) +
        " s for such work, but not from a progress callback, nor a fork that skips its hooks): the locks of GDAL, "
        "PROJ, Cairo or Pango that thread held may be held here for good, so drawing and reading files could hang. "
        "Fork while no such cohortgis call runs in another thread, or use multiprocessing's 'spawn' or 'forkserver' "
        "start method; projections (run, ensembles of loaded scenarios) work here");
  }
}

ForkSensitiveWork::~ForkSensitiveWork() {
  if (g_sensitive.fetch_sub(1) == 1) g_fork_gave_up.store(false);  // none left: the next fork waits again
}

HeldGil::HeldGil() {
  before_take();
  state_ = PyGILState_Ensure();
  g_acquiring.fetch_sub(1);
}

HeldGil::~HeldGil() { PyGILState_Release(state_); }

bool interpreter_exiting() { return g_exiting.load() && other_than_exit_thread(); }

py::error_already_set exit_error() {
  PyErr_SetString(PyExc_RuntimeError,
                  "cohortgis: stopped because the Python interpreter is exiting (a daemon thread's run)");
  return py::error_already_set();
}

void install_exit_guard() {
  py::module_::import("atexit").attr("register")(py::cpp_function(&at_exit));
  pthread_atfork(nullptr, nullptr, &after_fork_in_child);  // any fork: the child's counts
  py::module_::import("os").attr("register_at_fork")(
      py::arg("before") = py::cpp_function(&before_fork),
      py::arg("after_in_parent") = py::cpp_function(&after_fork_in_parent));
}

std::string forked_child_message() {
  return "cohortgis: this process was forked (os.fork) in the progress callback of a cohortgis call whose work "
         "runs on threads of the parent (its worker thread, the engine's thread pool), which are not in this "
         "process: the call cannot go on here. End the child inside the callback (os._exit), or fork outside the "
         "call";
}

namespace {

// A child forked by a progress callback (os.fork in it) that returned from it: the worker is a thread of the parent,
// not of this process, so the call cannot go on (its `done` never comes) nor hand back the parent's results.
void refuse_forked_child(pid_t caller_process) {
  if (getpid() != caller_process) throw std::runtime_error(forked_child_message());
}

}  // namespace

void run_interruptibly(std::atomic<bool>& cancel, const std::function<void()>& work, const std::function<void()>& poll,
                       const std::function<void()>& last_poll) {
  std::mutex m;
  std::condition_variable cv;
  bool done = false;
  std::exception_ptr failure;
  std::optional<py::error_already_set> py_error;  // KeyboardInterrupt (or what another signal handler raised)
  const pid_t caller_process = getpid();
  {
    const ReleasedGil release;
    std::thread worker;
    try {
      worker = std::thread([&] {
        try {
          work();
        } catch (...) {
          failure = std::current_exception();
        }
        const std::lock_guard<std::mutex> lock(m);
        done = true;
        cv.notify_one();
      });
    } catch (const std::system_error&) {  // no thread (a process limit): run here, as before, without the checks
      work();
      return;
    }
    std::unique_lock<std::mutex> lock(m);
    while (!cv.wait_for(lock, std::chrono::milliseconds(50), [&] { return done; })) {
      if (py_error) continue;
      lock.unlock();
      {
        const HeldGil gil;
        if (interpreter_exiting()) {  // no Python runs now: the work is stopped, its RuntimeError raised
          py_error.emplace(exit_error());
          cancel.store(true);
        } else if (PyErr_CheckSignals() != 0) {
          py_error.emplace();
          cancel.store(true);
        } else if (poll) {
          try {
            poll();  // progress, under the GIL; what it raises stops the work as Ctrl-C does
          } catch (py::error_already_set& e) {
            py_error.emplace(std::move(e));
            cancel.store(true);
          }
        }
      }
      if (getpid() != caller_process) {  // forked by `poll`: `done` never comes here (the child waited for ever)
        worker.detach();
        refuse_forked_child(caller_process);
      }
      lock.lock();
    }
    lock.unlock();
    worker.join();
  }
  if (py_error) throw *py_error;  // the run's own "cancelled" is only its echo
  if (failure) std::rethrow_exception(failure);
  if (last_poll) {  // the GIL is held again here
    last_poll();
    refuse_forked_child(caller_process);  // a fork there too (on a loaded machine the work can end before any check)
  }
}

void run_detachable(std::function<void(const std::atomic<bool>& cancel)> work) {
  struct Shared {
    std::mutex m;
    std::condition_variable cv;
    bool done = false;
    std::atomic<bool> cancel{false};  // set when the caller has gone: the work stops at its next check
    std::exception_ptr failure;
    std::function<void(const std::atomic<bool>&)> work;
  };
  const auto shared = std::make_shared<Shared>();
  shared->work = std::move(work);
  std::optional<py::error_already_set> py_error;
  {
    const ReleasedGil release;
    g_detached.fetch_add(1);
    try {
      std::thread([shared] {
        try {
          shared->work(shared->cancel);
        } catch (...) {
          shared->failure = std::current_exception();
        }
        shared->work = nullptr;  // its captures (inputs, a result no one may wait for) freed before `done`
        {
          const std::lock_guard<std::mutex> lock(shared->m);
          shared->done = true;
        }
        shared->cv.notify_one();
        g_detached.fetch_sub(1);
      }).detach();
    } catch (const std::system_error&) {  // no thread (a process limit): run here, as before, without the checks
      g_detached.fetch_sub(1);
      const std::function<void(const std::atomic<bool>&)> here = std::move(shared->work);
      here(shared->cancel);
      return;
    }
    std::unique_lock<std::mutex> lock(shared->m);
    while (!shared->cv.wait_for(lock, std::chrono::milliseconds(50), [&] { return shared->done; })) {
      lock.unlock();
      {
        const HeldGil gil;
        if (interpreter_exiting())
          py_error.emplace(exit_error());
        else if (PyErr_CheckSignals() != 0)
          py_error.emplace();
      }
      if (py_error) {  // the work goes on unseen to its next check; its result is dropped with `shared`
        shared->cancel.store(true);
        break;
      }
      lock.lock();
    }
  }
  if (py_error) throw *py_error;
  if (shared->failure) std::rethrow_exception(shared->failure);
}

}  // namespace cohortgis::python
