// SPDX-License-Identifier: Apache-2.0
// Shared helpers of the _cohortgis extension: NumPy conversions and the per-file binding entry points.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cohortgis/scenarios/scenario_fwd.hpp"

namespace cohortgis {
struct OdFlow;
class OdMigration;
}  // namespace cohortgis

namespace cohortgis::python {

namespace py = pybind11;

// run() hands the engine the Python object's own Scenario (no copy) and releases the GIL. While it runs, the
// Scenario's setters raise RuntimeError (check_not_running) instead of changing what the engine reads; runs of one
// scenario from several threads only read it. Both are used with the GIL held (bind_scenario.cpp).
class ScenarioInUse {
 public:
  explicit ScenarioInUse(const scenarios::Scenario& s);
  ~ScenarioInUse();
  ScenarioInUse(const ScenarioInUse&) = delete;
  ScenarioInUse& operator=(const ScenarioInUse&) = delete;

 private:
  const scenarios::Scenario* s_;
};
void check_not_running(const scenarios::Scenario& s);

// The GIL released around work that does not touch Python (the engine, a job, a load), made safe for the interpreter's
// exit: a daemon thread inside cohortgis then took the GIL back during finalization, and CPython ended it with
// pthread_exit through these C++ frames: std::terminate or SIGSEGV at exit (hostile probe 4). An atexit hook
// (install_exit_guard) asks the runs in flight to stop (interpreter_exiting) and waits for every region to end, up to
// kExitWaitSeconds; a thread that would take the GIL after that parks instead until the process ends. Once the exit
// has begun a new region on another thread raises RuntimeError. Made with the GIL held (python/src/interruptible.cpp).
class ReleasedGil {
 public:
  ReleasedGil();
  ~ReleasedGil();
  ReleasedGil(const ReleasedGil&) = delete;
  ReleasedGil& operator=(const ReleasedGil&) = delete;

 private:
  PyThreadState* state_;
};

// The GIL taken inside a ReleasedGil (progress callbacks, Ctrl-C checks), or the thread parked when the interpreter may
// be finalizing (as above).
class HeldGil {
 public:
  HeldGil();
  ~HeldGil();
  HeldGil(const HeldGil&) = delete;
  HeldGil& operator=(const HeldGil&) = delete;

 private:
  PyGILState_STATE state_;
};

// Work on this thread that may hold a process-wide lock of GDAL, PROJ's SQLite database, Cairo, Pango or fontconfig
// while it runs: drawing, and reading or writing files (every job but the engine's projections). os.fork() while such
// work ran on another thread copied the lock held into the child, where no thread ever lets it go: the child hung in
// PyOS_AfterFork_Child (pyproj's context freed there, closing PROJ's database) or in its first drawing (hostile probe
// 6). So os.fork() waits, with the GIL released, until no such work runs (up to kForkWaitSeconds), and such work
// starting meanwhile waits for the fork to be made (install_exit_guard's os.register_at_fork hooks). A child forked
// while such work still ran (the wait was over, or a fork not made by os.fork) refuses it: RuntimeError saying so,
// instead of a hang. Made on the thread that does the work, without the GIL (python/src/interruptible.cpp).
class ForkSensitiveWork {
 public:
  ForkSensitiveWork();
  ~ForkSensitiveWork();
  ForkSensitiveWork(const ForkSensitiveWork&) = delete;
  ForkSensitiveWork& operator=(const ForkSensitiveWork&) = delete;
};
constexpr int kForkWaitSeconds = 10;

// With the GIL held: whether the interpreter has begun to exit (its atexit hooks run) and this thread is not the one
// exiting. A run in flight then stops as on Ctrl-C, without calling Python (exit_error's RuntimeError).
bool interpreter_exiting();
py::error_already_set exit_error();
constexpr int kExitWaitSeconds = 10;
void install_exit_guard();  // module.cpp, once: the exit hook and the fork hooks (ForkSensitiveWork)

// Runs `work` with the GIL released on a thread of its own while the calling (main) thread checks for pending signals
// every 50 ms (PyErr_CheckSignals: Python's SIGINT handler raises KeyboardInterrupt there). On a Python error `cancel`
// is set, `work` is waited for (it must stop soon once `cancel` is set), and the error is raised; otherwise what
// `work` threw is rethrown here. Called with the GIL held. If no thread can be started, `work` runs here, without
// the checks (python/src/interruptible.cpp). `poll`, if given, is called under the GIL at each check (a progress
// report); what it raises is handled as a signal's error. `last_poll`, if given, is called once under the GIL after
// `work` succeeded (the reports still queued); a fork in either (os.fork in a progress callback) raises RuntimeError
// in the child, which has no copy of the worker thread.
void run_interruptibly(std::atomic<bool>& cancel, const std::function<void()>& work,
                       const std::function<void()>& poll = {}, const std::function<void()>& last_poll = {});
// The RuntimeError's message of a child forked in a progress callback whose call's work runs on threads of the parent
// (run_interruptibly's worker; run()'s engine thread pool, whose oneTBB workers are not in the child and whose locks
// an idle worker may have held at the fork): the call raises it in the child instead of going on there.
std::string forked_child_message();

// Runs `work` on a thread of its own, with the GIL released, while the calling thread checks for pending signals every
// 50 ms, as run_interruptibly; but on a Python error (KeyboardInterrupt) the error is raised at once, the flag `work`
// is given is set, and `work` goes on unseen until it looks at the flag (or to its end), its result dropped. For
// work that changes nothing outside itself and cannot stop at once (a scenario load: 5 s at 40,000 zones, with Ctrl-C
// held until it was done; it stops at its next check, geodata/read_cancel.hpp): `work` must own everything it
// touches (captured by value, its result in a shared_ptr) and must not touch Python. The interpreter's exit and
// os.fork() wait for such threads as for the regions of ReleasedGil. What `work` threw is rethrown here. Called with
// the GIL held.
void run_detachable(std::function<void(const std::atomic<bool>& cancel)> work);

// The set a host's runs make (write_outputs(ScenarioSet), backtest(ScenarioSet)): `runs` (Scenario objects, baseline
// first) with the other parts of `loaded` (targets, services, [outputs], [stochastic], [monitoring], zone geometry; the
// ScenarioSet load_scenario_file or load_scenario_text gave, or None). The loaded set itself when the runs are its
// own, unchanged in number and order (changed in place or not); otherwise a copy. The runs are read with the GIL
// released: their setters raise meanwhile (ScenarioInUse), as for run(). Made with the GIL held (bind_run.cpp).
class HostSet {
 public:
  HostSet(const py::object& loaded, const py::object& runs, const std::string& what);
  ~HostSet();
  HostSet(const HostSet&) = delete;
  HostSet& operator=(const HostSet&) = delete;
  const scenarios::ScenarioSet& set() const { return *set_; }

 private:
  std::vector<std::unique_ptr<ScenarioInUse>> in_use_;
  std::unique_ptr<scenarios::ScenarioSet> copy_;
  const scenarios::ScenarioSet* set_ = nullptr;
};

// A path argument of the compiled functions (a file, a folder, an allow_read entry), refused as the package's _path
// refuses it: C++ opens a path as a C string, so "good.toml\0junk" read good.toml and an estimate read and wrote other
// files than those named, silently. The package checks first; these functions can be called directly (_cohortgis.pyi).
inline const std::string& path_arg(const std::string& path, const std::string& what) {
  if (path.find('\0') != std::string::npos)
    throw py::value_error(what + ": a path holding a NUL character; expected a path");
  return path;
}
inline const std::vector<std::string>& path_args(const std::vector<std::string>& paths, const std::string& what) {
  for (const std::string& p : paths) path_arg(p, what);
  return paths;
}

using DoubleArray = py::array_t<double, py::array::c_style | py::array::forcecast>;

// A copy of a vector as a new 1-D float64 array (for inputs the caller may change freely).
inline py::array_t<double> to_numpy(const std::vector<double>& v) {
  py::array_t<double> a(static_cast<py::ssize_t>(v.size()));
  if (!v.empty()) std::copy(v.begin(), v.end(), a.mutable_data());
  return a;
}

// Whether every byte of `a` can be read: false for a NumPy memmap whose file was truncated underneath (reading it
// raised SIGBUS). With the GIL held (python/src/readable.cpp).
bool readable(const py::array& a);

// NumPy's bool_ (numpy.bool from NumPy 2; not subclassable), known by its type's name: no NumPy import for it.
inline bool is_numpy_bool(const py::handle& v) {
  const std::string type = Py_TYPE(v.ptr())->tp_name;
  return type == "numpy.bool_" || type == "numpy.bool";
}

// Whether an object that float() may convert is no real number (numbers_of's cells, real_of's values): a complex
// number (NumPy's gave its real part with only a ComplexWarning), a bool or NumPy bool (1), text ("1.5" by its text),
// NumPy's datetimes (datetime64("2020-01-01") as 18262 days since 1970), and an array as a cell, which converts by
// float() when it holds one value whatever its dtype (np.array(True) gave 1, np.array("1.5") 1.5 and np.array([5.0])
// 5): only a 0-d array of a number dtype is a number. NumPy's types are looked up once per object of this class.
class NotARealNumber {
 public:
  NotARealNumber() {
    const py::module_ numpy = py::module_::import("numpy");
    complex_ = numpy.attr("complexfloating");
    datetime_ = numpy.attr("datetime64");
    timedelta_ = numpy.attr("timedelta64");
  }
  bool operator()(const py::handle item) const {
    if (PyComplex_Check(item.ptr()) || PyBool_Check(item.ptr()) || PyUnicode_Check(item.ptr()) ||
        PyBytes_Check(item.ptr()) || is_numpy_bool(item) || py::isinstance(item, complex_) ||
        py::isinstance(item, datetime_) || py::isinstance(item, timedelta_))
      return true;
    if (!py::isinstance<py::array>(item)) return false;
    const auto cell = py::reinterpret_borrow<py::array>(item);
    const char kind = cell.dtype().kind();
    return cell.ndim() != 0 || (kind != 'f' && kind != 'i' && kind != 'u');
  }

 private:
  py::object complex_, datetime_, timedelta_;
};

// `value` (an array or any array-like) as float64 in C order. Only numbers convert: forcecast alone takes datetimes
// as seconds since 1970, complex numbers without their imaginary part, booleans as 0/1 and strings by their text,
// silently (as arrays and as objects in an object array); those are a TypeError naming `what`. `check_size`, if
// given, sees the array before anything is copied (a zero-stride view of 10^8 values was copied, 1.6 GB,
// to be refused for its size). What an object's __float__ raises other than TypeError and ValueError
// (KeyboardInterrupt: Ctrl-C in a long conversion) goes on.
inline DoubleArray numbers_of(const py::object& value, const std::string& what,
                              const std::function<void(const py::array&)>& check_size = {}) {
  const py::module_ numpy = py::module_::import("numpy");
  // A masked array's masked cells are missing values: asarray reads the data hidden under the mask (1e6 in a masked
  // cell of a base population was projected).
  const py::object masked = numpy.attr("ma");
  if (py::isinstance(value, masked.attr("MaskedArray")) && masked.attr("is_masked")(value).cast<bool>())
    throw py::value_error(what +
                          ": a masked array with masked (missing) cells; expected a value in every cell (fill them: "
                          "array.filled(value))");
  // NumPy's error on failure (a ragged list, objects that are not numbers) as one naming `what`; what an __array__,
  // __len__ or __getitem__ raised otherwise goes on (py::array::ensure cleared every error: a KeyboardInterrupt, Ctrl-C
  // in a long conversion, became "not an array of numbers").
  const py::array a = [&] {
    try {
      return py::array(numpy.attr("asarray")(value));
    } catch (py::error_already_set& e) {
      if (e.matches(PyExc_TypeError) || e.matches(PyExc_ValueError))
        throw py::type_error(what + ": not an array of numbers");
      throw;
    }
  }();
  if (check_size) check_size(a);
  if (!readable(a))
    throw py::value_error(what +
                          ": the array's memory cannot be read (a memory-mapped file truncated after it was "
                          "mapped?); expected an array whose data can be read");
  const char k = a.dtype().kind();
  if (k != 'f' && k != 'i' && k != 'u' && k != 'O')
    throw py::type_error(what + ": an array of dtype " + py::str(a.dtype()).cast<std::string>() +
                         "; expected numbers (a float or integer dtype)");
  if (k == 'O') {
    // NumPy converts each object with float(): read through .flat (no copy of a broadcast view).
    const NotARealNumber not_a_real;
    for (const py::handle item : a.attr("flat")) {
      if (not_a_real(item))
        throw py::type_error(what + ": an array holding " + py::repr(item).cast<std::string>() + " (" +
                             Py_TYPE(item.ptr())->tp_name + "); expected real numbers");
      if (PyErr_CheckSignals() != 0) throw py::error_already_set();  // Ctrl-C in a long walk
    }
  }
  py::object converted;
  try {
    converted = numpy.attr("asarray")(a, py::arg("dtype") = "float64", py::arg("order") = "C");
  } catch (py::error_already_set& e) {
    // Numbers that could not be copied: a broadcast view of 2^41 values was "objects that are not all numbers".
    if (e.matches(PyExc_MemoryError))
      throw py::value_error(what + ": an array of shape " + py::str(a.attr("shape")).cast<std::string>() + " (" +
                            std::to_string(a.size()) +
                            " values) does not fit in memory; expected the scenario's shape");
    if (k == 'O' && (e.matches(PyExc_TypeError) || e.matches(PyExc_ValueError) || e.matches(PyExc_OverflowError)))
      throw py::type_error(what + ": an array of objects that are not all numbers; expected numbers");
    throw;
  }
  return DoubleArray::ensure(converted);
}

// Any array-like of numbers, flattened in C order.
inline std::vector<double> from_numpy(const DoubleArray& a) { return {a.data(), a.data() + a.size()}; }

// A C-contiguous view of `data` that keeps `owner` (the Python object owning the buffer) alive through
// ndarray.base: no copy, and the buffer cannot be freed while the array exists.
inline py::array view_of(const double* data, const std::vector<py::ssize_t>& shape, py::handle owner, bool writeable) {
  std::vector<py::ssize_t> strides(shape.size());
  py::ssize_t stride = static_cast<py::ssize_t>(sizeof(double));
  for (std::size_t k = shape.size(); k-- > 0;) {
    strides[k] = stride;
    stride *= shape[k];
  }
  py::array a(py::dtype::of<double>(), shape, strides, data, owner);
  // pybind11 marks arrays over const-less pointers writeable; results are the engine's record, so read-only.
  if (!writeable) a.attr("flags").attr("writeable") = false;
  return a;
}

// The highest open age a grid takes (as [projection] open_age): Scenario.set_grid's bound, and with one-year age
// groups the most age groups an OD matrix is built for (StepSchedules.set_od).
inline constexpr int kMaxOpenAge = 130;

void bind_scenario(py::module_& m);
void bind_flows(py::module_& m);      // bind_flows.cpp: GroupTransition, NewbornRule, OdFlow
void bind_schedules(py::module_& m);  // bind_schedules.cpp: StepSchedules
void bind_run(py::module_& m);
void bind_render(py::module_& m);
void bind_ensemble(py::module_& m);  // bind_ensemble.cpp
void bind_jobs(py::module_& m);      // bind_jobs.cpp: estimate, backtest

}  // namespace cohortgis::python
