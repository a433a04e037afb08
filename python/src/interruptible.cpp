// SPDX-License-Identifier: Apache-2.0
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>

#include "common.hpp"

namespace cohortgis::python {

void run_interruptibly(std::atomic<bool>& cancel, const std::function<void()>& work,
                       const std::function<void()>& poll) {
  std::mutex m;
  std::condition_variable cv;
  bool done = false;
  std::exception_ptr failure;
  std::optional<py::error_already_set> py_error;  // KeyboardInterrupt (or what another signal handler raised)
  {
    py::gil_scoped_release release;
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
        py::gil_scoped_acquire gil;
        if (PyErr_CheckSignals() != 0) {
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
      lock.lock();
    }
    lock.unlock();
    worker.join();
  }
  if (py_error) throw *py_error;  // the run's own "cancelled" is only its echo
  if (failure) std::rethrow_exception(failure);
}

}  // namespace cohortgis::python
