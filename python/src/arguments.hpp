// SPDX-License-Identifier: Apache-2.0
// Python arguments converted with messages that name the field and say what it takes (python/src/bind_scenario.cpp):
// pybind11's own answer to a value it cannot convert was its "incompatible function arguments" listing, or
// RuntimeError "Unable to cast Python instance to C++ type", and its dict conversion walked the dict with borrowed
// items that a key's __index__ could free.
#pragma once

#include <algorithm>
#include <map>
#include <new>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "cohortgis/engine/count_text.hpp"
#include "cohortgis/engine/projection.hpp"
#include "cohortgis/engine/types.hpp"
#include "common.hpp"

namespace cohortgis::python {

// A str argument as UTF-8 text, with a message naming `what`: pybind11's own answer to a str holding lone surrogates
// (os.fsdecode of bytes that are not UTF-8, '\udcff') or to another type was its "incompatible function arguments"
// listing, which names neither the field nor the reason.
inline std::string text_of(const py::handle& value, const std::string& what) {
  if (!PyUnicode_Check(value.ptr()))
    throw py::type_error(what + ": expected a str, got " + std::string(Py_TYPE(value.ptr())->tp_name));
  Py_ssize_t size = 0;
  const char* utf8 = PyUnicode_AsUTF8AndSize(value.ptr(), &size);
  if (utf8 == nullptr) {
    PyErr_Clear();
    std::string shown = py::repr(value).cast<std::string>();  // repr escapes the surrogates
    if (shown.size() > 60) shown = shown.substr(0, 60) + "…";
    throw py::value_error(what + ": " + shown +
                          " is not UTF-8 text (it holds a lone surrogate, as os.fsdecode makes of bytes that are not "
                          "UTF-8); expected text in UTF-8");
  }
  return {utf8, static_cast<std::size_t>(size)};
}

// The most items elements_of makes room for before reading them (more grow the list as they come).
inline constexpr Py_ssize_t kReservedItems = 1 << 16;

// The items of a list argument (any sized iterable but a str or bytes), in the order iteration gives them: indexing
// seq[k] read a pandas Series with integer labels by label (set_zones(pd.Series(["A", "B"], index=[1, 0])) made the
// zones B, A), and a list subclass whose __len__ said more than it holds ended in a bare IndexError. At most len()
// items are read (an endless __iter__ raises instead of filling memory); what iteration raises goes on.
inline std::vector<py::object> elements_of(const py::handle& value, const std::string& what,
                                           const std::string& expected) {
  const Py_ssize_t n = PyUnicode_Check(value.ptr()) || PyBytes_Check(value.ptr()) ? -1 : PyObject_Length(value.ptr());
  if (n < 0) {
    PyErr_Clear();
    throw py::type_error(what + ": expected " + expected + ", got " + std::string(Py_TYPE(value.ptr())->tp_name));
  }
  std::vector<py::object> out;
  // Room for len() items, up to a bound: a list subclass whose __len__ said 2^62 made reserve throw std::length_error
  // ("vector::reserve" as the message), 2^40 std::bad_alloc, for a list of one item.
  out.reserve(static_cast<std::size_t>(std::min<Py_ssize_t>(n, kReservedItems)));
  for (const py::handle item : py::iter(value)) {
    if (static_cast<Py_ssize_t>(out.size()) == n)
      throw py::value_error(what + ": iterating it gives more than the " + std::to_string(n) +
                            " items its len() says; expected " + expected);
    out.push_back(py::reinterpret_borrow<py::object>(item));
  }
  return out;
}

// A list of str (elements_of), each as text_of; `what` and the index name a bad one.
inline std::vector<std::string> texts_of(const py::handle& value, const std::string& what) {
  std::vector<std::string> out;
  const std::vector<py::object> items = elements_of(value, what, "a list of str");
  for (std::size_t k = 0; k < items.size(); ++k) out.push_back(text_of(items[k], what + " " + std::to_string(k)));
  return out;
}

// The name of v's type as Python's type(v).__name__ says it ("float32", not tp_name's "numpy.float32"), as the
// package's checks name it (python/cohortgis/_frames.py whole_int, real_number).
inline std::string type_name(const py::handle& v) {
  return py::str(py::type::handle_of(v).attr("__name__")).cast<std::string>();
}

// A value as the argument checks show it, as the package's shown_value (_frames.py): its repr cut at 60 characters;
// an int past 64 bits by its size (its digits could fill the message, and past 4300 digits repr raises).
inline std::string shown_value(const py::handle& v) {
  if (PyLong_Check(v.ptr())) {
    int overflow = 0;
    PyLong_AsLongLongAndOverflow(v.ptr(), &overflow);
    if (overflow != 0)
      return "an int of " +
             py::str(py::handle(reinterpret_cast<PyObject*>(&PyLong_Type)).attr("bit_length")(v)).cast<std::string>() +
             " bits";
  }
  const auto text = py::reinterpret_steal<py::object>(PyObject_Repr(v.ptr()));
  if (!text) {
    if (!PyErr_ExceptionMatches(PyExc_Exception)) throw py::error_already_set();  // KeyboardInterrupt goes on
    PyErr_Clear();
    return "a " + type_name(v);
  }
  const py::str shown = py::reinterpret_borrow<py::str>(text);
  if (py::len(shown) <= 60) return shown.cast<std::string>();
  return py::str(shown[py::slice(0, 60, 1)]).cast<std::string>() + "…";
}

// An int argument or field (a group or zone index, a year, a step, a count): an int (not a bool) or an object with
// __index__ (NumPy's ints), from `lo` to `hi`; else a TypeError naming `what` (of another type) or a ValueError (out of
// range), in the words of the package's whole_int (_frames.py): "step: 2.5 (float) is not an int; expected an int from
// 0 to 9", "origin: 1099511627776 is out of range; expected …". pybind11's own int conversion went through __int__: a
// NumPy float32 of 1.7, a Decimal("1.5") or a Fraction(3, 2) became 1 and True 1, silently. An error __index__ raises
// other than TypeError (KeyboardInterrupt) goes on.
inline long long int_of(const py::handle& v, const std::string& what, long long lo = -2147483648LL,
                        long long hi = 2147483647LL) {
  const std::string expected = "an int from " + std::to_string(lo) + " to " + std::to_string(hi);
  const auto not_an_int = [&] {
    return py::type_error(what + ": " + shown_value(v) + " (" + type_name(v) + ") is not an int; expected " + expected);
  };
  // NumPy's bool_ too: its __index__ (deprecated) made numpy.True_ the int 1 (step_schedules(numpy.True_) was step 1),
  // where the package's whole_int refuses it.
  if (PyBool_Check(v.ptr()) || is_numpy_bool(v) || !PyIndex_Check(v.ptr())) throw not_an_int();
  const auto index = py::reinterpret_steal<py::object>(PyNumber_Index(v.ptr()));
  if (!index) {
    if (!PyErr_ExceptionMatches(PyExc_TypeError)) throw py::error_already_set();
    PyErr_Clear();
    throw not_an_int();
  }
  int overflow = 0;
  const long long x = PyLong_AsLongLongAndOverflow(index.ptr(), &overflow);
  if (x == -1 && PyErr_Occurred()) throw py::error_already_set();
  if (overflow != 0 || x < lo || x > hi)
    throw py::value_error(what + ": " + shown_value(index) + " is out of range; expected " + expected);
  return x;
}

// A switch argument (report, compress, components_by_age, diverging): True or False, NumPy's bool_ too; anything else
// (1, 0, None, "no") a TypeError naming `what`, in the words of the package's flag (_frames.py): "report: 1 (int) is
// not a bool; expected True or False". As a bool is not an int (int_of), an int is not a bool. pybind11's own bool
// conversion took any object with __bool__: None was False, 2 and 0.5 True, silently.
inline bool flag_of(const py::handle& v, const std::string& what) {
  if (v.ptr() == Py_True) return true;
  if (v.ptr() == Py_False) return false;
  if (is_numpy_bool(v)) {
    const int truth = PyObject_IsTrue(v.ptr());
    if (truth < 0) throw py::error_already_set();
    return truth != 0;
  }
  throw py::type_error(what + ": " + shown_value(v) + " (" + type_name(v) + ") is not a bool; expected True or False");
}

// Whether T is a std::vector (value_of reads a list argument's items first).
template <class T>
struct is_list_type : std::false_type {};
template <class T, class A>
struct is_list_type<std::vector<T, A>> : std::true_type {};

// `v` as T, or a TypeError naming `what` and saying what it takes (`expected`): pybind11's own answer was its
// "incompatible function arguments" listing (a cast_error, or a reference_cast_error for None in a list of objects).
template <class T>
inline T value_of(const py::handle& v, const std::string& what, const std::string& expected) {
  try {
    // A list as the plain list of its items (elements_of): pybind11's caster made room for the len() a list subclass
    // says before reading it (2^62: "vector::reserve", 2^40: "std::bad_alloc", naming nothing).
    if constexpr (is_list_type<T>::value) {
      if (!PyList_CheckExact(v.ptr()) && !PyTuple_CheckExact(v.ptr())) {
        py::list items;
        for (const py::object& item : elements_of(v, what, expected)) items.append(item);
        return items.cast<T>();
      }
    }
    return v.cast<T>();
  } catch (const py::cast_error&) {
  } catch (const py::reference_cast_error&) {
  } catch (const std::length_error&) {  // an item's own list whose len() lies (aggregates' members)
    throw py::value_error(what + ": a list inside it says by len() more items than a list can hold; expected " +
                          expected);
  } catch (const std::bad_alloc&) {
    throw py::value_error(what + ": a list inside it says by len() more items than memory holds; expected " + expected);
  }
  throw py::type_error(what + ": a " + std::string(Py_TYPE(v.ptr())->tp_name) + " that does not convert; expected " +
                       expected);
}

// A list argument of T (transitions, newborn_rules, a Scenario's schedules): each item as value_of, named by its row
// ("transitions: row 1: a NoneType that does not convert; expected a cohortgis.GroupTransition"); the whole list's
// conversion named neither the row nor the item.
template <class T>
inline std::vector<T> rows_of(const py::handle& v, const std::string& what, const std::string& expected_item) {
  const std::vector<py::object> items = elements_of(v, what, "a list of " + expected_item);
  std::vector<T> out;
  out.reserve(items.size());
  for (std::size_t k = 0; k < items.size(); ++k)
    out.push_back(value_of<T>(items[k], what + ": row " + std::to_string(k), "a " + expected_item));
  return out;
}

// A real number (a rate, a share): float() of a complex number, NumPy's too (a subclass of complex), is its real part
// with only a ComplexWarning, of True 1 (NotARealNumber, common.hpp); those are a TypeError naming `what`, as is text
// or an object float() does not take, and a number past a float's range (10**400, OverflowError) a ValueError, in the
// words of the package's real_number (_frames.py). Converted here, not by pybind11's caster, which cleared whatever
// __float__ raised: a KeyboardInterrupt (Ctrl-C in it) or a MemoryError became "does not convert"; those go on.
inline double real_of(const py::handle& v, const std::string& what) {
  const auto not_a_number = [&] {
    return py::type_error(what + ": " + shown_value(v) + " (" + type_name(v) +
                          ") is not a real number; expected a real number");
  };
  if (PyFloat_CheckExact(v.ptr())) return PyFloat_AS_DOUBLE(v.ptr());
  // NumPy's bool and an array as a value convert by float() too (np.True_ as 1, np.array([5.0]) as 5).
  if (!PyLong_CheckExact(v.ptr()) && NotARealNumber()(v)) throw not_a_number();
  const double x = PyFloat_AsDouble(v.ptr());
  if (x == -1.0 && PyErr_Occurred()) {
    if (PyErr_ExceptionMatches(PyExc_OverflowError)) {
      PyErr_Clear();
      throw py::value_error(what + ": a number past a float's range; expected a real number");
    }
    if (!PyErr_ExceptionMatches(PyExc_TypeError) && !PyErr_ExceptionMatches(PyExc_ValueError))
      throw py::error_already_set();
    PyErr_Clear();
    throw not_a_number();
  }
  return x;
}

// A list of real numbers: the lists of the compiled functions called directly (_cohortgis.pyi: a chart's series, a
// map's values) and the rates of GroupTransition and NewbornRule. Read by their items (elements_of), each named by its
// index: pybind11's own list caster made room for the len() a list subclass says before reading it (2^62:
// "vector::reserve", naming nothing), and read one saying 0 as empty (a chart of no series), silently; NumPy's
// conversion (numbers_of) flattened a nested list ([[0.1, 0.2]] as two rates). A NumPy array goes through numbers_of,
// whose checks (masked cells, a truncated memmap, a bool dtype) a read by items would miss, and must be 1-D.
inline std::vector<double> reals_of(const py::handle& value, const std::string& what) {
  if (py::isinstance<py::array>(value)) {
    const DoubleArray a = numbers_of(py::reinterpret_borrow<py::object>(value), what);
    if (a.ndim() != 1)
      throw py::value_error(what + ": an array of " + std::to_string(a.ndim()) +
                            " dimensions; expected a list of real numbers (1-D)");
    return from_numpy(a);
  }
  std::vector<double> out;
  if (!PyList_CheckExact(value.ptr()) && !PyTuple_CheckExact(value.ptr())) {
    for (const py::object& item : elements_of(value, what, "a list of real numbers"))
      out.push_back(real_of(item, what + " " + std::to_string(out.size())));
    return out;
  }
  // A plain list or tuple says its own size: read from a tuple of its items (a __float__ emptying the list cannot
  // pull an item from under the loop), a float as it is (a chart of a million points, converted before its drawing
  // can be stopped by Ctrl-C).
  const auto items = py::reinterpret_steal<py::tuple>(PySequence_Tuple(value.ptr()));
  if (!items) throw py::error_already_set();
  const Py_ssize_t n = PyTuple_GET_SIZE(items.ptr());
  out.reserve(static_cast<std::size_t>(n));
  for (Py_ssize_t k = 0; k < n; ++k) {
    PyObject* item = PyTuple_GET_ITEM(items.ptr(), k);
    out.push_back(PyFloat_CheckExact(item) ? PyFloat_AS_DOUBLE(item) : real_of(item, what + " " + std::to_string(k)));
  }
  return out;
}

// (column, value) pairs of text (a filter: app_estimate's mx_filter …), each as two items of text_of.
inline std::vector<std::pair<std::string, std::string>> text_pairs_of(const py::handle& value,
                                                                      const std::string& what) {
  std::vector<std::pair<std::string, std::string>> out;
  const std::vector<py::object> items = elements_of(value, what, "a list of (column, value) pairs of str");
  for (std::size_t k = 0; k < items.size(); ++k) {
    const std::string row = what + " " + std::to_string(k);
    const std::vector<py::object> p = elements_of(items[k], row, "a (column, value) pair of str");
    if (p.size() != 2)
      throw py::value_error(row + ": " + std::to_string(p.size()) + " items; expected a (column, value) pair of str");
    out.emplace_back(text_of(p[0], row + ", column"), text_of(p[1], row + ", value"));
  }
  return out;
}

// A value assigned to a Scenario field, converted with a message naming the field (COHORTGIS_FIELD): text as
// text_of, a number past int or a value of another type a TypeError saying what the field takes.
template <class T>
inline T field_value(const py::handle& v, const std::string& what) {
  if constexpr (std::is_same_v<T, std::string>) {
    return text_of(v, what);
  } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    return texts_of(v, what);
  } else if constexpr (std::is_same_v<T, int>) {
    return static_cast<int>(int_of(v, what));
  } else {
    static_assert(std::is_same_v<T, std::vector<StepSchedules>>, "a new field type");
    return rows_of<StepSchedules>(v, what, "cohortgis.StepSchedules");
  }
}

// Field k of a pickle state as T: of another type or out of range (a damaged or hand-made state) a ValueError naming
// it, as RunResult's (bind_run.cpp state_field); pybind11's cast error was RuntimeError "Unable to cast Python
// instance to C++ type".
template <class T>
inline T state_item(const py::tuple& s, std::size_t k, const char* what, const char* field) {
  try {
    return s[k].cast<T>();
  } catch (const py::cast_error&) {
    throw InputError(std::string(what) + " pickle: field '" + field + "' is a " + Py_TYPE(s[k].ptr())->tp_name +
                     " of the wrong type or out of range; expected a state of " + what + ".__reduce__");
  }
}

// What a year key of a path takes, in both its messages (year_of; _frames.py year_value_points says the same).
inline constexpr const char* kYearExpected = "a year (a whole number from -2147483648 to 2147483647)";

// A path's year key, by the one rule the package's whole_year (_frames.py) applies, so that set_tfr_path and
// set_tfr take and refuse the same keys with the same words: an int or an object with __index__ (NumPy's ints) at any
// size; else a value whose int() and float() agree (2030.0, NumPy's float32(2030), Decimal("2030"), the text "2030");
// never a bool (NumPy's neither). Not whole (2030.5, inf, NaN, "soon") or outside a C int: a ValueError naming `what`
// and the key. An error __index__, __int__ or __float__ raises other than TypeError, ValueError or OverflowError
// (KeyboardInterrupt) goes on.
inline int year_of(const py::handle& key, const std::string& what) {
  const auto not_whole = [&] {
    return py::value_error(what + ": year " + shown_value(key) + " (" + type_name(key) +
                           ") is not a whole year; expected " + kYearExpected);
  };
  const auto conversion_failed = [] {
    if (!PyErr_ExceptionMatches(PyExc_TypeError) && !PyErr_ExceptionMatches(PyExc_ValueError) &&
        !PyErr_ExceptionMatches(PyExc_OverflowError))
      throw py::error_already_set();
    PyErr_Clear();
  };
  if (PyBool_Check(key.ptr()) || is_numpy_bool(key)) throw not_whole();
  py::object year;
  if (PyIndex_Check(key.ptr())) {
    year = py::reinterpret_steal<py::object>(PyNumber_Index(key.ptr()));
    if (!year) {
      if (!PyErr_ExceptionMatches(PyExc_TypeError)) throw py::error_already_set();
      PyErr_Clear();  // an __index__ that raises TypeError: read as int() and float() read it, as the package does
    }
  }
  if (!year) {
    year = py::reinterpret_steal<py::object>(PyNumber_Long(key.ptr()));
    if (!year) {
      conversion_failed();
      throw not_whole();
    }
    const auto as_float = py::reinterpret_steal<py::object>(PyNumber_Float(key.ptr()));
    if (!as_float) {
      conversion_failed();
      throw not_whole();
    }
    const int same = PyObject_RichCompareBool(as_float.ptr(), year.ptr(), Py_EQ);
    if (same < 0) throw py::error_already_set();
    if (same == 0) throw not_whole();
  }
  int overflow = 0;
  const long long y = PyLong_AsLongLongAndOverflow(year.ptr(), &overflow);
  if (y == -1 && PyErr_Occurred()) throw py::error_already_set();
  if (overflow != 0 || y < -2147483648LL || y > 2147483647LL)
    throw py::value_error(what + ": year " + shown_value(year) + " is out of range; expected " + kYearExpected);
  return static_cast<int>(y);
}

// The {year: value} dict of set_*_path, read from a list of its items: pybind11's dict conversion walked the dict
// itself with borrowed items, so a key whose __index__ emptied it made the value read freed memory. Keys as year_of,
// each year once (two keys of one year: 2030 and an object whose __index__ says 2030), values as real_of; a dict of
// no items a ValueError, in the words of the package's year_value_points.
inline std::map<int, double> year_points_of(const py::handle& points, const std::string& what) {
  if (!PyDict_Check(points.ptr()))
    throw py::type_error(what + ": expected a {year: value} dict, got " + std::string(Py_TYPE(points.ptr())->tp_name));
  const auto items = py::reinterpret_steal<py::list>(PyDict_Items(points.ptr()));
  if (!items) throw py::error_already_set();
  std::map<int, double> out;
  for (const py::handle item : items) {
    const auto pair = py::reinterpret_borrow<py::tuple>(item);
    const int year = year_of(pair[0], what);
    if (out.count(year))
      throw py::value_error(what + ": year " + std::to_string(year) + " is listed twice; expected each year once");
    out[year] = real_of(pair[1], what + ": year " + std::to_string(year));
  }
  if (out.empty()) throw py::value_error(what + ": no years; expected {year: value, …}");
  return out;
}

// A float as Python's repr writes it (its shortest form). The reprs' counts ("1 group", "2 groups"): count_of,
// cohortgis/engine/count_text.hpp.
inline std::string repr_of(double x) { return py::repr(py::float_(x)).cast<std::string>(); }

}  // namespace cohortgis::python
