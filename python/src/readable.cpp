// SPDX-License-Identifier: Apache-2.0
// Whether an array's memory can be read (common.hpp readable): a NumPy memmap whose file was truncated underneath
// has pages past the file's new end that raise SIGBUS when read, and the copy of such an array into the engine's
// input (numbers_of) ended the interpreter.
#include <setjmp.h>
#include <signal.h>
#include <unistd.h>

#include <cstdint>

#include "common.hpp"

namespace cohortgis::python {

namespace {

thread_local sigjmp_buf* t_jump = nullptr;  // set while this thread touches an array's pages

void on_bus_error(int, siginfo_t*, void*) {
  if (t_jump != nullptr) siglongjmp(*t_jump, 1);
  // Not ours (a SIGBUS elsewhere while the handler was installed): the default action, as without it.
  signal(SIGBUS, SIG_DFL);
  raise(SIGBUS);
}

// Reads one byte of each page from `first` to `last` (inclusive), through volatile reads the compiler keeps.
[[gnu::noinline]] void read_pages(const unsigned char* first, const unsigned char* last, std::uintptr_t page) {
  for (const unsigned char* p = first; p <= last; p += page) (void)*static_cast<const volatile unsigned char*>(p);
  (void)*static_cast<const volatile unsigned char*>(last);
}

// read_pages under the SIGBUS handler: false when a page could not be read. Nothing but t_jump changes in this frame
// between sigsetjmp and a siglongjmp back to it (no C++ object lives in it).
bool touch_pages(const unsigned char* first, const unsigned char* last, std::uintptr_t page) {
  sigjmp_buf jump;
  if (sigsetjmp(jump, 1) != 0) {
    t_jump = nullptr;
    return false;
  }
  t_jump = &jump;
  read_pages(first, last, page);
  t_jump = nullptr;
  return true;
}

}  // namespace

bool readable(const py::array& a) {
  if (a.size() == 0) return true;
  // The span of bytes the array's elements cover, whatever its strides (negative ones included).
  const auto* base = static_cast<const unsigned char*>(a.data());
  std::intptr_t lo = 0, hi = 0;
  for (py::ssize_t k = 0; k < a.ndim(); ++k) {
    const std::intptr_t reach = static_cast<std::intptr_t>(a.shape(k) - 1) * a.strides(k);
    (reach < 0 ? lo : hi) += reach;
  }
  hi += static_cast<std::intptr_t>(a.itemsize()) - 1;
  const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  struct sigaction handler = {}, previous = {};
  handler.sa_sigaction = &on_bus_error;
  handler.sa_flags = SA_SIGINFO;
  sigemptyset(&handler.sa_mask);
  sigaction(SIGBUS, &handler, &previous);
  const bool ok = touch_pages(base + lo, base + hi, page);
  sigaction(SIGBUS, &previous, nullptr);
  return ok;
}

}  // namespace cohortgis::python
