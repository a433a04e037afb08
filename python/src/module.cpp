// SPDX-License-Identifier: Apache-2.0
// The compiled core of the `cohortgis` Python package: scenarios, runs and rendering over the same C++ API the
// command line uses. The pure-Python package (python/cohortgis) adds pandas/GeoPandas frames and plots.
#include "common.hpp"

#include "cohortgis/engine/types.hpp"

namespace py = pybind11;

PYBIND11_MODULE(_cohortgis, m) {
  m.doc() = "Compiled core of cohortgis (pybind11). Use the `cohortgis` package rather than this module.";
  m.attr("__version__") = COHORTGIS_VERSION;

  // Bad input reads as ValueError and a failed projection as RuntimeError, with the engine's own message: the
  // text the command line prints after "cohortgis: error: ". Registered translators are tried newest first, so
  // ProjectionError and InputError win over pybind11's std::runtime_error → RuntimeError.
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const cohortgis::InputError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const cohortgis::ProjectionError& e) {
      PyErr_SetString(PyExc_RuntimeError, e.what());
    }
  });

  cohortgis::python::bind_scenario(m);
  cohortgis::python::bind_run(m);
  cohortgis::python::bind_render(m);
  cohortgis::python::bind_ensemble(m);
  cohortgis::python::bind_jobs(m);
  cohortgis::python::install_exit_guard();  // daemon threads inside cohortgis at exit (interruptible.cpp)

  // `T.__new__(T)` skips __init__; pybind11 then hands the methods raw, unconstructed memory for the object (its
  // lazy allocation), read as garbage or crashing (hostile probe 19: StepSchedules, SIGSEGV). That allocation is
  // made a TypeError for every class here: objects constructed by __init__ never reach it.
  for (const auto& item : m.attr("__dict__").cast<py::dict>()) {
    if (!PyType_Check(item.second.ptr())) continue;
    if (auto* info = py::detail::get_type_info(reinterpret_cast<PyTypeObject*>(item.second.ptr())))
      info->operator_new = [](std::size_t) -> void* {
        throw py::type_error("a cohortgis object made without __init__ (T.__new__(T)); construct it as T(…)");
      };
  }
}
