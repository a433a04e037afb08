// SPDX-License-Identifier: Apache-2.0
// Scenarios in Python: load a scenario file exactly as `cohortgis run` does, or fill one from Python objects, and
// change its assumptions (TFR, mean age at childbearing and sex-ratio paths) with the scenario library's models.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "arguments.hpp"
#include "cohortgis/app/language.hpp"
#include "cohortgis/app/run.hpp"
#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/number_text.hpp"
#include "cohortgis/engine/projection.hpp"
#include "cohortgis/geodata/read_cancel.hpp"
#include "cohortgis/geodata/read_policy.hpp"
#include "cohortgis/scenarios/input_limits.hpp"
#include "cohortgis/scenarios/models.hpp"
#include "cohortgis/scenarios/scenario.hpp"
#include "cohortgis/scenarios/scenario_file.hpp"
#include "common.hpp"

namespace cohortgis::python {

namespace {

using scenarios::Scenario;
using scenarios::ScenarioSet;

// Enumerations travel as the words the scenario files use.
FlowPolicy flow_policy_of(const std::string& s) {
  if (s == "conserve") return FlowPolicy::conserve;
  if (s == "wpp") return FlowPolicy::wpp;
  if (s == "error") return FlowPolicy::error;
  throw InputError("flow_policy: '" + s + "'; expected conserve, wpp or error");
}
std::string name_of(FlowPolicy p) {
  return p == FlowPolicy::conserve ? "conserve" : p == FlowPolicy::wpp ? "wpp" : "error";
}
MigrationTiming timing_of(const std::string& s) {
  if (s == "even") return MigrationTiming::even;
  if (s == "end") return MigrationTiming::end;
  throw InputError("migration_timing: '" + s + "'; expected even or end");
}

// A path over years from a {year: value} mapping, each value checked against [lo, hi] like the file loader does.
scenarios::YearPath year_path(const std::map<int, double>& points, double lo, double hi, const std::string& what) {
  if (points.empty()) throw InputError(what + ": no years; expected {year: value, …}");
  // Python's repr of a float: its shortest form (std::to_string gave "from 0.000000 to 10.000000"); year 0 is the one
  // point of a constant path (set_tfr(1.2)), said as such (it read "year 0").
  auto text = [](double x) { return py::repr(py::float_(x)).cast<std::string>(); };
  auto whole = [&](double x) { return x == std::floor(x) ? std::to_string(static_cast<long long>(x)) : text(x); };
  for (const auto& [year, v] : points)
    if (!(v >= lo && v <= hi))
      throw InputError(
          what + (points.size() == 1 && year == 0 ? std::string(", every year") : ": year " + std::to_string(year)) +
          ": expected a value from " + text(lo) + " to " + text(hi) + ", got " + text(v) +
          // A ratio where males per 100 females are meant (the scenario file's srb says the same).
          (what == "srb" && v > 0 && v < 2
               ? " (SRB is males per 100 females: " + whole(std::round(v * 1000) / 10) + ", not " + text(v) + ")"
               : std::string()));
  return scenarios::YearPath{points};
}

// One schedule set per step, so a path can give each step its own value (a single set held for every step).
void per_step_schedules(Scenario& sc) {
  check_not_running(sc);
  sc.check_years();  // before steps copies are made (steps = 10**9 asked for terabytes)
  if (sc.steps <= 0) throw InputError("scenario '" + sc.name + "': no steps to set a path over");
  if (sc.schedules.size() == 1 && sc.steps > 1) sc.schedules.assign(uz(sc.steps), sc.schedules.front());
  if (sc.schedules.size() != uz(sc.steps))
    throw InputError("scenario '" + sc.name + "': " + std::to_string(sc.schedules.size()) + " schedule sets for " +
                     std::to_string(sc.steps) + " steps");
}

// Applies f(asfr of one state, first year, last year) to every state of every step (years as in docs/ccmpp.md C),
// all or nothing: a state f refuses (a schedule without births to scale to a TFR) leaves every schedule as it was,
// and its error names the step, its years, the zone and the group (it named none: round 29's outside author).
template <class F>
void each_fertility_schedule(Scenario& sc, F&& f) {
  per_step_schedules(sc);
  const std::size_t A = uz(sc.grid.n_ages), G = sc.group_names.size();
  std::vector<std::vector<double>> changed(uz(sc.steps));
  for (int k = 0; k < sc.steps; ++k) {
    const StepSchedules& s = sc.schedules[uz(k)];
    if (s.asfr.empty() || s.asfr.size() % A != 0)
      throw InputError("scenario '" + sc.name + "': step " + std::to_string(k + 1) + " has no fertility schedule");
    const int y0 = sc.base_year + k * sc.grid.width_years + 1, y1 = sc.base_year + (k + 1) * sc.grid.width_years;
    std::vector<double>& out = changed[uz(k)];
    out = s.asfr;
    for (std::size_t off = 0; off < out.size(); off += A) {
      std::span<double> state(out.data() + off, A);
      std::vector<double> next;
      try {
        next = f(std::span<const double>(state), y0, y1);
      } catch (const InputError& e) {
        // One schedule for every zone ([group][age]) or one a zone ([zone][group][age]).
        const std::size_t state_index = off / A, states = out.size() / A;
        std::string whose = "every zone";
        if (G > 0 && states == G * sc.zones.size()) whose = "zone '" + sc.zones[state_index / G].id + "'";
        const std::string group = G > 0 && states % G == 0 ? ", group '" + sc.group_names[state_index % G] + "'" : "";
        throw InputError("scenario '" + sc.name + "': step " + std::to_string(k + 1) + " (years " + std::to_string(y0) +
                         "–" + std::to_string(y1) + "), " + whose + group + ": " + e.what() +
                         "; no schedule was changed");
      }
      std::copy(next.begin(), next.end(), state.begin());
    }
  }
  for (int k = 0; k < sc.steps; ++k) sc.schedules[uz(k)].asfr = std::move(changed[uz(k)]);
}

// A step argument (step_schedules, set_step_schedules, total_fertility) as int_of takes it.
int step_of(const py::handle& step) { return static_cast<int>(int_of(step, "step")); }

// Where step k's schedules are: its own set, or the single set held for every step. IndexError outside 0 … steps − 1
// or when the scenario has neither.
std::size_t schedule_index(const Scenario& sc, int step) {
  if (step < 0 || step >= sc.steps)
    throw py::index_error("scenario '" + sc.name + "': step " + std::to_string(step) + " outside 0 … " +
                          std::to_string(sc.steps - 1));
  if (sc.schedules.size() == 1) return 0;
  if (sc.schedules.size() != uz(sc.steps))
    throw py::index_error("scenario '" + sc.name + "': " + std::to_string(sc.schedules.size()) + " schedule sets for " +
                          std::to_string(sc.steps) + " steps");
  return uz(step);
}

// The open ages a scenario file takes (the most, kMaxOpenAge, is common.hpp's).
constexpr int kMinOpenAge = 10;

long long end_year_of(const Scenario& sc) {
  return static_cast<long long>(sc.base_year) + static_cast<long long>(sc.steps) * sc.grid.width_years;
}

CohortLayout layout_of(const Scenario& sc) {
  return {static_cast<int>(sc.zones.size()), static_cast<int>(sc.group_names.size()), sc.grid};
}

std::size_t zone_index(const Scenario& sc, const std::string& id) {
  for (std::size_t i = 0; i < sc.zones.size(); ++i)
    if (sc.zones[i].id == id) return i;
  throw InputError("scenario '" + sc.name + "': no zone '" + id + "'");
}

// The scenarios run() is projecting now, with the number of runs of each (several threads may run one scenario).
// Only touched with the GIL held, so it needs no lock of its own.
std::unordered_map<const Scenario*, int>& running() {
  static std::unordered_map<const Scenario*, int> m;
  return m;
}

// load_scenario_text's tables, {name: (columns, rows of str cells)}, read item by item: pybind11's conversion of the
// whole dict said only "a dict that does not convert" for a cell given as a list, a number or None, naming neither
// the table, the row nor the cell; a row of more or fewer cells than columns is refused here, naming it.
scenarios::MemoryTables tables_of(const py::object& tables) {
  const std::string expected = "a dict {name: (columns, rows of str cells)}";
  if (!PyDict_Check(tables.ptr()))
    throw py::type_error("tables: expected " + expected + ", got " + std::string(Py_TYPE(tables.ptr())->tp_name));
  scenarios::MemoryTables out;
  for (const auto& [key, value] : py::reinterpret_borrow<py::dict>(tables)) {
    const std::string name = text_of(key, "tables: a table's name");
    const std::string what = "tables['" + name + "']";
    const std::vector<py::object> pair = elements_of(value, what, "a (columns, rows) pair");
    if (pair.size() != 2)
      throw py::value_error(what + ": " + count_of(pair.size(), "item") + "; expected a (columns, rows) pair");
    scenarios::MemoryTable t;
    t.columns = texts_of(pair[0], what + ", column");
    const std::vector<py::object> rows = elements_of(pair[1], what + ", rows", "a list of rows of str cells");
    t.rows.reserve(rows.size());
    for (std::size_t r = 0; r < rows.size(); ++r) {
      const std::string row = what + ", row " + std::to_string(r);
      t.rows.push_back(texts_of(rows[r], row + ", cell"));
      if (t.rows.back().size() != t.columns.size())
        throw py::value_error(row + ": " + count_of(t.rows.back().size(), "cell") + "; expected " +
                              std::to_string(t.columns.size()) + ", one per column");
    }
    out[name] = std::move(t);
  }
  return out;
}

}  // namespace

ScenarioInUse::ScenarioInUse(const Scenario& s) : s_(&s) { ++running()[s_]; }
ScenarioInUse::~ScenarioInUse() {
  const auto it = running().find(s_);
  if (--it->second == 0) running().erase(it);
}

void check_not_running(const Scenario& s) {
  if (running().count(&s))
    throw std::runtime_error("scenario '" + s.name + "' (variant '" + s.variant +
                             "') is being projected by cohortgis.run (on another thread, or this is its progress "
                             "callback): change it after the run, or change a copy (Scenario.copy())");
}

void bind_scenario(py::module_& m) {
  bind_flows(m);
  bind_schedules(m);

// A Scenario member as a property whose setter refuses while run() projects the scenario (check_not_running).
#define COHORTGIS_FIELD(field, ...)                                     \
  def_property(                                                         \
      #field, [](const Scenario& s) { return s.field; },                \
      [](Scenario& s, const py::object& v) {                            \
        auto value = field_value<decltype(Scenario::field)>(v, #field); \
        check_not_running(s);                                           \
        s.field = std::move(value);                                     \
      } __VA_OPT__(, ) __VA_ARGS__)
  py::class_<Scenario>(m, "Scenario",
                       "One projection: zones, groups, age grid, base population and per-step schedules\n"
                       "(scenarios::Scenario). Load one with load_scenario_file or fill an empty one.")
      .def(py::init<>())
      .COHORTGIS_FIELD(name, "the scenario's name (results' scenario column)")
      .COHORTGIS_FIELD(title, "the scenario's title, on one line (maps, report)")
      // Checked when set, as write_outputs reads it (app::parse_language): an unknown language was taken here and by a
      // run, and refused only by write_outputs, far from the line that set it.
      .def_property(
          "language", [](const Scenario& s) { return s.language; },
          [](Scenario& s, const py::object& v) {
            std::string value = field_value<std::string>(v, "language");
            if (!value.empty()) (void)app::parse_language(value, "language");
            check_not_running(s);
            s.language = std::move(value);
          },
          "'zh', 'en' or '' (guessed from the title and zone names)")
      .COHORTGIS_FIELD(variant, "'baseline' or the variant's name")
      .COHORTGIS_FIELD(variant_title,
                       "the variant's title, on one line ([[variants]] title; maps, report); '': its name")
      .COHORTGIS_FIELD(variant_title_en, "the variant's title in English ([[variants]] title_en); '': variant_title")
      .COHORTGIS_FIELD(assumptions, "plain-language statements")
      .COHORTGIS_FIELD(base_year, "the base population is the end of this year")
      .COHORTGIS_FIELD(steps, "projection steps of step_years each (set_grid)")
      // In 64 bits: base_year and steps take any int (a run refuses years past the calendar), and their end year in
      // int overflowed (2^31 − 1 + 2 steps read -2147483639).
      .def_property_readonly("end_year", &end_year_of, "base_year + steps × step_years")
      .def_property_readonly(
          "step_years", [](const Scenario& s) { return s.grid.width_years; },
          "years a step (1 or 5), also the width of the age groups (set_grid)")
      .def_property_readonly(
          "n_ages", [](const Scenario& s) { return s.grid.n_ages; }, "age groups, the open one included")
      .def_property_readonly(
          "open_age", [](const Scenario& s) { return s.grid.open_age(); }, "first age of the open age group")
      .def_property_readonly(
          "age_starts",
          [](const Scenario& s) {
            std::vector<int> a;
            for (int i = 0; i < s.grid.n_ages; ++i) a.push_back(s.grid.age_start(i));
            return a;
          },
          "first age of each age group")
      .def(
          "set_grid",
          [](Scenario& s, const py::object& step_years_arg, const py::object& open_age_arg) {
            const int step_years = static_cast<int>(int_of(step_years_arg, "step_years")),
                      open_age = static_cast<int>(int_of(open_age_arg, "open_age"));
            check_not_running(s);
            if (step_years != 1 && step_years != 5)
              throw InputError("age grid: step " + std::to_string(step_years) + "; expected 1 or 5");
            // As [projection] open_age: 2^31 − 1 overflowed the grid's count of ages (UB; "got -2147483648"), and
            // 10^9 made age_starts a list of 2·10^8 ints and a base population of as many cells per zone.
            if (open_age < kMinOpenAge || open_age > kMaxOpenAge)
              throw InputError("age grid: open age " + std::to_string(open_age) +
                               "; expected a multiple of the step from " + std::to_string(kMinOpenAge) + " to " +
                               std::to_string(kMaxOpenAge) + " (as [projection] open_age)");
            const AgeGrid g = step_years == 5 ? AgeGrid::five_year(open_age) : AgeGrid::single_year(open_age);
            g.validate();
            if (g.open_age() != open_age)
              throw InputError("age grid: open age " + std::to_string(open_age) + " is not a multiple of 5");
            s.grid = g;
          },
          py::arg("step_years"), py::arg("open_age"), "Age grid: 1- or 5-year steps and age groups, open age.")
      .def_property_readonly("zone_ids", &Scenario::zone_ids, "the zones' ids, in projection order (set_zones)")
      .def_property_readonly(
          "zone_names",
          [](const Scenario& s) {
            std::vector<std::string> v;
            for (const auto& z : s.zones) v.push_back(z.name);
            return v;
          },
          "the zones' local names ('' where none)")
      .def_property_readonly(
          "zone_names_en",
          [](const Scenario& s) {
            std::vector<std::string> v;
            for (const auto& z : s.zones) v.push_back(z.name_en);
            return v;
          },
          "the zones' English names ('' where none)")
      .def(
          "set_zones",
          [](Scenario& s, const py::object& zone_ids, const py::object& zone_names, const py::object& zone_names_en) {
            const std::vector<std::string> ids = texts_of(zone_ids, "zone ids"),
                                           names = texts_of(zone_names, "zone names"),
                                           names_en = texts_of(zone_names_en, "zone English names");
            check_not_running(s);
            if ((!names.empty() && names.size() != ids.size()) || (!names_en.empty() && names_en.size() != ids.size()))
              throw InputError("zones: " + std::to_string(ids.size()) + " ids but " + std::to_string(names.size()) +
                               " names and " + std::to_string(names_en.size()) + " English names");
            // The aggregates list zones by index: carried over by id, or a zone they list that the new ids lack is
            // refused, before anything changes (they were kept by index: fewer zones made the getter read past the
            // list, "vector::_M_range_check", and another order or other ids summed other zones, silently).
            std::vector<ZoneAggregate> aggregates = s.aggregates;
            for (ZoneAggregate& a : aggregates)
              for (int& z : a.zones) {
                const std::string& id = s.zones.at(uz(z)).id;
                const auto at = std::find(ids.begin(), ids.end(), id);
                if (at == ids.end())
                  throw InputError("zones: aggregate '" + a.name + "' lists zone '" + id +
                                   "', which the new ids lack; set the aggregates first (aggregates = [] or those of "
                                   "the new zones), then the zones; nothing was changed");
                z = static_cast<int>(at - ids.begin());
              }
            s.zones.clear();
            for (std::size_t i = 0; i < ids.size(); ++i)
              s.zones.push_back({ids[i], names.empty() ? "" : names[i], names_en.empty() ? "" : names_en[i]});
            s.aggregates = std::move(aggregates);
          },
          py::arg("ids"), py::arg("names") = py::list(), py::arg("names_en") = py::list(),
          "Replaces the zones: ids (the engine's zone order), local and English names (empty lists: none; else one\n"
          "per id). The aggregates follow their zones by id (a zone they list must stay: ValueError otherwise).\n"
          "Set base_population and the schedules to the new number of zones after it.")
      .COHORTGIS_FIELD(group_names, "population groups (e.g. registered, floating), in the engine's order")
      .def_property(
          "base_population",
          // A copy: the scenario's buffer is replaced when the population is set, so a view could dangle.
          [](const Scenario& s) {
            const CohortLayout& L = s.base_population.layout();
            py::array_t<double> a({static_cast<py::ssize_t>(L.zones), static_cast<py::ssize_t>(L.groups),
                                   static_cast<py::ssize_t>(kSexes), static_cast<py::ssize_t>(L.ages())});
            std::copy(s.base_population.data().begin(), s.base_population.data().end(), a.mutable_data());
            return a;
          },
          [](Scenario& s, const py::object& value) {
            const CohortLayout L = layout_of(s);
            const DoubleArray a = numbers_of(value, "base population", [&](const py::array& given) {
              if (uz(given.size()) == L.cells()) return;
              const std::string count = std::to_string(given.size()) + " values";
              throw InputError(
                  "base population: " +
                  (given.ndim() > 1
                       ? "an array of shape " + py::str(given.attr("shape")).cast<std::string>() + " (" + count + ")"
                       : count) +
                  "; expected " + std::to_string(L.cells()) +
                  " (zones × groups × 2 sexes × ages; set zones, groups and the grid first)");
            });
            // Flat, or [zone][group][sex][age]: an array of the right size in another axis order (ages first, say)
            // would be read in the wrong order, silently.
            const std::vector<py::ssize_t> want{static_cast<py::ssize_t>(L.zones), static_cast<py::ssize_t>(L.groups),
                                                static_cast<py::ssize_t>(kSexes), static_cast<py::ssize_t>(L.ages())};
            if (a.ndim() != 1 && std::vector<py::ssize_t>(a.shape(), a.shape() + a.ndim()) != want) {
              std::string got, exp;
              for (py::ssize_t k = 0; k < a.ndim(); ++k) got += (k ? ", " : "") + std::to_string(a.shape(k));
              for (std::size_t k = 0; k < want.size(); ++k) exp += (k ? ", " : "") + std::to_string(want[k]);
              throw InputError("base population: an array of shape (" + got + "); expected shape (" + exp +
                               ") [zone][group][sex][age], or a flat array of " + std::to_string(L.cells()) +
                               " values in that order");
            }
            // Checked after the conversion, which runs Python (__array__, __float__) that may start a run of this
            // scenario on another thread: checked before it, the population was replaced under that run.
            check_not_running(s);
            CohortArray p(L);
            std::copy(a.data(), a.data() + a.size(), p.data().begin());
            s.base_population = std::move(p);
          },
          "persons [zone][group][sex][age] at the end of base_year (a copy; assign to change)")
      .def_property(
          "aggregates",
          [](const Scenario& s) {
            std::vector<std::pair<std::string, std::vector<std::string>>> out;
            for (const auto& a : s.aggregates) {
              std::vector<std::string> ids;
              for (int z : a.zones) ids.push_back(s.zones.at(uz(z)).id);
              out.emplace_back(a.name, ids);
            }
            return out;
          },
          [](Scenario& s, const py::object& value) {
            // Converted first (a sequence's __getitem__ is Python, which may start a run of this scenario), then
            // checked, as every setter.
            // Each row named, as plan_periods' ("aggregates: row 1, zones 2: expected a str"): the whole list's
            // conversion said only "a list that does not convert".
            std::vector<std::pair<std::string, std::vector<std::string>>> given;
            const std::vector<py::object> rows =
                elements_of(value, "aggregates", "a list of (name, [zone ids]) in text (str in UTF-8)");
            for (std::size_t k = 0; k < rows.size(); ++k) {
              const std::string row = "aggregates: row " + std::to_string(k);
              const std::vector<py::object> p = elements_of(rows[k], row, "(name, [zone ids])");
              if (p.size() != 2)
                throw py::type_error(row + ": " + shown_value(rows[k]) + " holds " + count_of(p.size(), "item") +
                                     "; expected (name, [zone ids])");
              given.emplace_back(text_of(p[0], row + ", name"), texts_of(p[1], row + ", zones"));
            }
            check_not_running(s);
            std::vector<ZoneAggregate> out;
            for (const auto& [name, ids] : given) {
              ZoneAggregate a{name, {}};
              std::vector<bool> listed(s.zones.size(), false);
              for (const auto& id : ids) {
                const std::size_t z = zone_index(s, id);
                // As a scenario file's aggregates: a zone listed twice was counted twice in each of its indicators.
                if (listed[z])
                  throw InputError("aggregates: '" + name + "': zone '" + id +
                                   "' is listed twice; expected each zone once");
                listed[z] = true;
                a.zones.push_back(static_cast<int>(z));
              }
              out.push_back(std::move(a));
            }
            s.aggregates = std::move(out);
          },
          "named aggregates [(name, [zone ids])]; 'total' (every zone) is added by the engine")
      .def_property(
          "aggregate_titles", [](const Scenario& s) { return s.aggregate_titles; },
          [](Scenario& s, const py::object& value) {
            // Each entry named by its key ("aggregate_titles: 'west', title_en: expected a str"), read from a list of
            // the dict's items (as year_points_of: a key's Python code cannot free what is being read).
            const std::string expected = "a dict {aggregate name: (title, title_en)} of text (str in UTF-8)";
            if (!PyDict_Check(value.ptr()))
              throw py::type_error("aggregate_titles: expected " + expected + ", got " + type_name(value));
            const auto items = py::reinterpret_steal<py::list>(PyDict_Items(value.ptr()));
            if (!items) throw py::error_already_set();
            std::map<std::string, std::pair<std::string, std::string>> titles;
            for (const py::handle item : items) {
              const auto entry = py::reinterpret_borrow<py::tuple>(item);
              const std::string key = "aggregate_titles: " + shown_value(entry[0]);
              const std::string name = text_of(entry[0], key);
              const std::vector<py::object> p = elements_of(entry[1], key, "(title, title_en)");
              if (p.size() != 2)
                throw py::type_error(key + ": " + shown_value(entry[1]) + " holds " + count_of(p.size(), "item") +
                                     "; expected (title, title_en)");
              titles[name] = {text_of(p[0], key + ", title"), text_of(p[1], key + ", title_en")};
            }
            check_not_running(s);
            s.aggregate_titles = std::move(titles);
          },
          "{aggregate name: (title, title_en)}: how the report, figures and plots name an aggregate ([geography]\n"
          "aggregates' title / title_en; '' where none); an aggregate without one is named by its name")
      .def_property(
          "plan_periods",
          [](const Scenario& s) {
            std::vector<std::tuple<int, int, std::string>> out;
            for (const auto& p : s.plan_periods) out.emplace_back(p.first_year, p.last_year, p.plan);
            return out;
          },
          [](Scenario& s, const py::object& v) {
            // A bad item named by its row and field, as external_pairs' ("plan_periods: row 1, plan: expected a str").
            const std::string expected = "a list of (first_year, last_year, plan): two ints and a str in UTF-8";
            decltype(Scenario::plan_periods) periods;
            const std::vector<py::object> items = elements_of(v, "plan_periods", expected);
            for (std::size_t k = 0; k < items.size(); ++k) {
              const std::string row = "plan_periods: row " + std::to_string(k);
              const std::vector<py::object> p = elements_of(items[k], row, "(first_year, last_year, plan)");
              if (p.size() != 3)
                throw py::type_error(row + ": " + shown_value(items[k]) + " holds " + count_of(p.size(), "item") +
                                     "; expected (first_year, last_year, plan)");
              periods.push_back({static_cast<int>(int_of(p[0], row + ", first_year")),
                                 static_cast<int>(int_of(p[1], row + ", last_year")), text_of(p[2], row + ", plan")});
            }
            check_not_running(s);  // after the conversion (its __iter__ and __index__ are Python), as every setter
            s.plan_periods = std::move(periods);
          },
          "[(first_year, last_year, plan)]")
      .def_property(
          "migration_timing",
          [](const Scenario& s) { return std::string(s.migration_timing == MigrationTiming::even ? "even" : "end"); },
          [](Scenario& s, const py::object& v) {
            check_not_running(s);
            s.migration_timing = timing_of(text_of(v, "migration_timing"));
          },
          "'even' or 'end'")
      .def_property(
          "flow_policy", [](const Scenario& s) { return name_of(s.flow_policy); },
          [](Scenario& s, const py::object& v) {
            check_not_running(s);
            s.flow_policy = flow_policy_of(text_of(v, "flow_policy"));
          },
          "'conserve', 'wpp' or 'error'")
      // Copies out (a reference into the vector would change the scenario behind run()'s back, and dangle once the
      // list is assigned again), the list moved in.
      .COHORTGIS_FIELD(schedules,
                       "list of StepSchedules: one per step, or one for every step (reading gives copies; "
                       "assign the list back to change it)")
      // One step without copying the whole list (≈ 139 MiB at 3,000 zones and 10 steps): a copy of one set out, one
      // set in.
      .def(
          "step_schedules",
          [](const Scenario& s, const py::object& step) {
            return StepSchedules(s.schedules.at(schedule_index(s, step_of(step))));
          },
          py::arg("step"),
          "A copy of one step's schedules (step 0 … steps − 1); a set held for every step is returned for any step.")
      .def(
          "set_step_schedules",
          [](Scenario& s, const py::object& step_arg, const py::object& schedules) {
            const int step = step_of(step_arg);
            if (!py::isinstance<StepSchedules>(schedules))
              throw py::type_error("schedules: expected a cohortgis.StepSchedules (e.g. from step_schedules), got " +
                                   std::string(Py_TYPE(schedules.ptr())->tp_name));
            StepSchedules v = schedules.cast<StepSchedules>();
            check_not_running(s);
            schedule_index(s, step);  // range first: a bad step changes nothing
            per_step_schedules(s);
            s.schedules[uz(step)] = std::move(v);
          },
          py::arg("step"), py::arg("schedules"),
          "Replaces one step's schedules (a set held for every step is first copied to each step).")
      .def_property_readonly(
          "has_population_dependent_schedules", [](const Scenario& s) { return static_cast<bool>(s.adjust_schedules); },
          "relocations, quotas or gravity flows computed from each step's start population")
      .def(
          "set_tfr_path",
          [](Scenario& s, const py::object& points) {
            const scenarios::YearPath path = year_path(year_points_of(points, "tfr"), 0.0, 10.0, "tfr");
            const int z = s.grid.width_years;
            each_fertility_schedule(s, [&](std::span<const double> f, int y0, int y1) {
              const double tfr = path.mean_over_years(y0, y1);
              std::vector<double> scaled = scenarios::rescale_to_tfr(f, z, tfr);
              // A rate the schedules' own check refuses (StepSchedules.asfr: 0 to 1) was kept, and refused only when
              // the step's schedules were assigned back, by its flat index alone (round 30, h196).
              for (std::size_t i = 0; i < scaled.size(); ++i)
                if (const std::string why = scenarios::birth_rate_problem(scaled[i]); !why.empty())
                  throw InputError("age " + std::to_string(s.grid.age_start(static_cast<int>(i))) +
                                   ": the schedule scaled to a TFR of " + shortest_number(tfr) + ": " + why);
              return scaled;
            });
          },
          py::arg("points"),
          "Rescales every state's fertility schedule to a TFR path {year: TFR}, linear between points and constant\n"
          "outside; a step covering years t+1 … t+z uses the path's mean over them (as `fertility.tfr` in a file).\n"
          "A year is an int or a whole number (2030.0); any other key is a ValueError, as for set_tfr.")
      .def(
          "set_mean_age_path",
          [](Scenario& s, const py::object& points) {
            const scenarios::YearPath path = year_path(year_points_of(points, "mean_age"), 15.0, 45.0, "mean_age");
            const int z = s.grid.width_years;
            each_fertility_schedule(s, [&](std::span<const double> f, int y0, int y1) {
              return scenarios::shift_schedule(
                  f, z, path.mean_over_years(y0, y1) - scenarios::mean_age_at_childbearing(f, z));
            });
          },
          py::arg("points"),
          "Shifts the fertility schedules to a mean age at childbearing path {year: age} (years as set_tfr_path's).")
      .def(
          "set_srb_path",
          [](Scenario& s, const py::object& points) {
            const scenarios::YearPath path = year_path(year_points_of(points, "srb"), 90.0, 130.0, "srb");
            per_step_schedules(s);
            for (int k = 0; k < s.steps; ++k) {
              const int y0 = s.base_year + k * s.grid.width_years + 1, y1 = s.base_year + (k + 1) * s.grid.width_years;
              s.schedules[uz(k)].srb.assign(s.zones.size(), path.mean_over_years(y0, y1) / 100.0);
            }
          },
          py::arg("points"),
          "Sex ratio at birth path {year: males per 100 females}, every zone (years as set_tfr_path's).")
      .def(
          "total_fertility",
          [](const Scenario& s, const py::object& step_arg) {
            const int step = step_of(step_arg);
            // Range-checked as step_schedules is, also when one set holds for every step (any step was accepted).
            const StepSchedules& sch = s.schedules[schedule_index(s, step)];
            const std::size_t A = uz(s.grid.n_ages), states = s.zones.size() * s.group_names.size();
            // Schedules of another size (set_step_schedules takes any) gave an empty or partial answer.
            if (A == 0 || sch.asfr.size() != states * A)
              throw InputError("scenario '" + s.name + "': step " + std::to_string(step) + ": schedule 'asfr' has " +
                               std::to_string(sch.asfr.size()) +
                               " values; expected zones × groups × ages = " + std::to_string(states * A));
            py::array_t<double> out(static_cast<py::ssize_t>(states));
            for (std::size_t k = 0; k < states; ++k)
              out.mutable_data()[k] = scenarios::total_fertility({sch.asfr.data() + k * A, A}, s.grid.width_years);
            return out;
          },
          py::arg("step") = py::int_(0), "TFR of each state [zone][group] in one step's schedules.")
#undef COHORTGIS_FIELD
      .def("validate", &Scenario::validate,
           "Checks names, years, the base population's size and cells, the number of schedule sets and the plan\n"
           "periods; raises ValueError. Each schedule array's size is checked when a run starts (ValueError).")
      .def(
          "copy", [](const Scenario& s) { return Scenario(s); }, "An independent copy.")
      .def("__copy__", [](const Scenario& s) { return Scenario(s); })
      .def(
          "__deepcopy__", [](const Scenario& s, py::dict) { return Scenario(s); }, py::arg("memo"))
      // Refused with the reason and the way round it (pybind11's default said only "cannot pickle 'Scenario'
      // object"): a loaded scenario's population-dependent schedules are C++ closures over its tables, which no
      // pickle can carry; writing them out field by field would drop them and project something else.
      .def(
          "__reduce_ex__",
          [](const Scenario& s, py::handle) -> py::object {
            throw py::type_error(
                "cannot pickle cohortgis.Scenario '" + s.name + "' (variant '" + s.variant +
                "'): it holds C++ state that pickle cannot carry (population-dependent schedules: relocations, "
                "quotas, gravity flows; parity, controls and capacity inputs). Pass the scenario file's path to "
                "the other process and load_scenario it there, or run here and pickle the results: a RunResult "
                "(res['baseline']) pickles, a Results does not");
          },
          py::arg("protocol"))
      .def("__repr__", [](const Scenario& s) {
        return "<cohortgis.Scenario '" + s.name + "' variant '" + s.variant + "': " + count_of(s.zones.size(), "zone") +
               ", " + count_of(s.group_names.size(), "group") + ", " + std::to_string(s.base_year) + "-" +
               std::to_string(end_year_of(s)) + " in " + std::to_string(s.grid.width_years) + "-year steps>";
      });

  py::class_<ScenarioSet>(m, "ScenarioSet", "What a scenario file gives: the baseline and its variants.")
      .def_readonly("file", &ScenarioSet::file)
      .def_readonly("runs", &ScenarioSet::runs,
                    "baseline first, then the variants: views of the set's own runs (no copy; they keep it alive)")
      .def_property_readonly(
          "zones_source_path", [](const ScenarioSet& s) { return s.zones_source.path; },
          "[geography.source] path (empty when not given)")
      .def_property_readonly("zones_source_layer", [](const ScenarioSet& s) { return s.zones_source.layer; })
      .def_property_readonly("zones_source_id_field", [](const ScenarioSet& s) { return s.zones_source.id_field; })
      .def_property_readonly("zones_source_name_field", [](const ScenarioSet& s) { return s.zones_source.name_field; })
      .def_property_readonly(
          "targets", [](const ScenarioSet& s) { return s.targets.size(); }, "number of targets");

  m.def(
      "load_scenario_file",
      [](const py::object& scenario_arg, const py::object& data_dir_arg, const py::object& allow_read_arg,
         const py::object& allow_db_arg, const py::object& threads_arg) {
        // Each named when of another type (text_of, int_of, real_of), here and below: pybind11's listing named none.
        const std::string scenario = text_of(scenario_arg, "scenario");
        const std::string data_dir = text_of(data_dir_arg, "data_dir");
        const int threads = static_cast<int>(int_of(threads_arg, "threads"));
        const std::vector<std::string> allow_read = texts_of(allow_read_arg, "allow_read"),
                                       allow_db = texts_of(allow_db_arg, "allow_db");
        // The same resolution as `cohortgis run`: "default" → the shipped example, data_dir → $COHORTGIS_DATA_DIR.
        const std::string file = app::resolve_scenario_file(path_arg(scenario, "scenario"));
        const std::string data = app::resolve_data_dir(path_arg(data_dir, "data_dir"));
        path_args(allow_read, "allow_read");
        path_args(allow_db, "allow_db");
        // Ctrl-C raises at once; the load goes on unseen to its next check (run_detachable, ReadCancellation).
        const auto out = std::make_shared<std::optional<ScenarioSet>>();
        run_detachable([out, file, data, data_dir, allow_read, allow_db, threads](const std::atomic<bool>& cancel) {
          const ForkSensitiveWork reading;  // GDAL and PROJ
          const geodata::ReadCancellation stoppable(&cancel);
          const geodata::ReadPolicy allowed = geodata::granted(allow_read, allow_db, "allow_read", "allow_db");
          try {
            out->emplace(scenarios::load_scenario_file(file, data, allowed, threads));
          } catch (const InputError&) {
            // A missing data folder was reported as the first input missing from it (the geography file). Only
            // when loading fails: a scenario that reads nothing from the folder loads without it.
            (void)app::existing_data_dir(data_dir, "data_dir=, or set COHORTGIS_DATA_DIR");
            throw;
          }
        });
        return std::move(**out);
      },
      py::arg("scenario") = "default", py::arg("data_dir") = "", py::arg("allow_read") = py::list(),
      py::arg("allow_db") = py::list(), py::arg("threads") = 0,
      "Loads a scenario file (.toml) or 'default' as `cohortgis run` does; raises ValueError with the CLI's message.\n"
      "threads: that parse a large CSV table at once (0: all cores); the set is the same for any.");
  m.def(
      "load_scenario_text",
      [](const py::object& text_arg, const py::object& label_arg, const py::object& data_dir_arg,
         const py::object& tables_arg, const py::object& base_dir_arg) {
        const std::string text = text_of(text_arg, "text");
        const std::string label = text_of(label_arg, "label");
        const std::string data_dir = text_of(data_dir_arg, "data_dir");
        const std::string base_dir = text_of(base_dir_arg, "base_dir");
        // Item by item (tables_of): a list subclass inside whose len() lies is named, not pybind11's
        // "vector::reserve", and a wrong cell by its table, row and cell.
        scenarios::MemoryTables frames = tables_of(tables_arg);
        const std::string data = app::resolve_data_dir(path_arg(data_dir, "data_dir"));
        path_arg(base_dir, "base_dir");
        const auto out = std::make_shared<std::optional<ScenarioSet>>();
        run_detachable([out, text, label, dir = base_dir.empty() ? "." : base_dir, data,
                        frames = std::move(frames)](const std::atomic<bool>& cancel) {
          const ForkSensitiveWork reading;  // GDAL and PROJ (zone geometry)
          const geodata::ReadCancellation stoppable(&cancel);
          out->emplace(scenarios::load_scenario_text(text, label, dir, data, frames));
        });
        return std::move(**out);
      },
      py::arg("text"), py::arg("label"), py::arg("data_dir"), py::arg("tables"), py::arg("base_dir") = "",
      "Loads a scenario from scenario-file TOML text whose tables are given in memory ('frame:NAME' → (columns,\n"
      "rows of text cells)): the loader and builders of scenario files, so the same checks, messages and bits.\n"
      "base_dir: the folder its file paths are relative to and read from (default: the current folder).");
  m.def(
      "validate_runs",
      [](const py::object& runs) { scenarios::validate_runs(rows_of<Scenario>(runs, "runs", "cohortgis.Scenario")); },
      py::arg("runs"),
      "Checks a baseline and its variants as a scenario file's runs are checked: the first named 'baseline', the\n"
      "variants' names non-empty and unique, and each run's own names and base population; raises ValueError.");
  // The one name rule (scenarios::check_name: not empty, not only spaces, no tab, line break, NUL, U+0085, U+2028 …)
  // for names the package checks before the engine sees them (a variant's, add_variant): it refused C0 controls only,
  // and took "a\u2028b" that a scenario file's reader and Scenario.validate refuse.
  m.def(
      "check_name",
      [](const py::object& name, const py::object& what) {
        scenarios::check_name(text_of(name, "name"), text_of(what, "what"));
      },
      py::arg("name"), py::arg("what"),
      "Raises ValueError naming `what` when `name` breaks the name rule of scenario files (empty, only spaces, a\n"
      "control character, U+0085, U+2028 or U+2029).");
  m.def("default_scenario_file", &scenarios::default_scenario_file);
  m.def("examples_dir", &scenarios::examples_dir);
  m.def(
      "resolve_data_dir",
      [](const py::object& configured_arg) {
        const std::string configured = text_of(configured_arg, "configured");
        return app::resolve_data_dir(path_arg(configured, "configured"));
      },
      py::arg("configured") = "");
}

}  // namespace cohortgis::python
