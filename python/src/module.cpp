// SPDX-License-Identifier: Apache-2.0
// The compiled core of the `cohortgis` Python package: scenarios, runs and rendering over the same C++ API the
// command line uses. The pure-Python package (python/cohortgis) adds pandas/GeoPandas frames and plots.
#include "common.hpp"

#include <string>

#include "cohortgis/engine/types.hpp"

namespace py = pybind11;

namespace {

newfunc g_pybind11_object_new = nullptr;  // pybind11's tp_new of its base type, as it was

// pybind11's base type (`type(cohortgis.OdFlow(0, 1, 0.1)).__base__`) and a Python class derived from it alone have no
// C++ class to lay an instance out for: pybind11 threw std::runtime_error ("instance allocation failed") out of
// tp_new, a C function, and std::terminate aborted the interpreter (hostile probe 6). Such a type is a TypeError
// now; every class with a C++ class (cohortgis's and other pybind11 modules' sharing the base) is made as before.
PyObject* object_new_or_type_error(PyTypeObject* type, PyObject* args, PyObject* kwargs) {
  if (py::detail::all_type_info(type).empty()) {
    const std::string text = std::string(type->tp_name) +
                             ": pybind11's base type, or a class derived from it alone, has no C++ class to make an "
                             "object of; expected a class of a compiled module (cohortgis.OdFlow, cohortgis.Scenario "
                             "…) or a subclass of one";
    PyErr_SetString(PyExc_TypeError, text.c_str());  // UTF-8 text: PyErr_Format reads its format as ASCII
    return nullptr;
  }
  return g_pybind11_object_new(type, args, kwargs);
}

// `type` and every subclass whose tp_new is pybind11's take the checking one: CPython's `T.__new__(T)` (pickle's
// copyreg.__newobj__) refuses a T whose tp_new differs from its base's as "not safe", so pybind11's base type, the
// classes made from it so far (in every module sharing it) and their Python subclasses change together; classes made
// later inherit it.
void use_checked_new(PyTypeObject* type) {
  if (type->tp_new == g_pybind11_object_new) {
    type->tp_new = &object_new_or_type_error;
    PyType_Modified(type);
  }
  const py::object subclasses =
      py::reinterpret_borrow<py::object>(reinterpret_cast<PyObject*>(&PyType_Type)).attr("__subclasses__");
  for (const py::handle sub : subclasses(py::handle(reinterpret_cast<PyObject*>(type))))
    use_checked_new(reinterpret_cast<PyTypeObject*>(sub.ptr()));
}

}  // namespace

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

  // Once per process: the base type is shared by the pybind11 modules built alike (pybind11's internals).
  auto* base = reinterpret_cast<PyTypeObject*>(py::detail::get_internals().instance_base);
  if (base->tp_new != &object_new_or_type_error) {
    g_pybind11_object_new = base->tp_new;
    use_checked_new(base);
  }

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
