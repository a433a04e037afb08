// SPDX-License-Identifier: Apache-2.0
// Scenarios in Python: load a scenario file exactly as `cohortgis run` does, or fill one from Python objects, and
// change its assumptions (TFR, mean age at childbearing and sex-ratio paths) with the scenario library's models.
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
#include "cohortgis/app/run.hpp"
#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/projection.hpp"
#include "cohortgis/geodata/read_cancel.hpp"
#include "cohortgis/geodata/read_policy.hpp"
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
MortalityInput mortality_kind_of(const std::string& s) {
  if (s == "death_rates") return MortalityInput::death_rates;
  if (s == "person_years") return MortalityInput::person_years;
  if (s == "survival_ratios") return MortalityInput::survival_ratios;
  throw InputError("mortality_kind: '" + s + "'; expected death_rates, person_years or survival_ratios");
}
std::string name_of(MortalityInput k) {
  return k == MortalityInput::death_rates    ? "death_rates"
         : k == MortalityInput::person_years ? "person_years"
                                             : "survival_ratios";
}

// A path over years from a {year: value} mapping, each value checked against [lo, hi] like the file loader does.
scenarios::YearPath year_path(const std::map<int, double>& points, double lo, double hi, const std::string& what) {
  if (points.empty()) throw InputError(what + ": no points; expected {year: value, …}");
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

// Applies f(asfr of one state, first year, last year) to every state of every step (years as in docs/ccmpp.md C).
template <class F>
void each_fertility_schedule(Scenario& sc, F&& f) {
  per_step_schedules(sc);
  const std::size_t A = uz(sc.grid.n_ages);
  for (int k = 0; k < sc.steps; ++k) {
    StepSchedules& s = sc.schedules[uz(k)];
    if (s.asfr.empty() || s.asfr.size() % A != 0)
      throw InputError("scenario '" + sc.name + "': step " + std::to_string(k + 1) + " has no fertility schedule");
    const int y0 = sc.base_year + k * sc.grid.width_years + 1, y1 = sc.base_year + (k + 1) * sc.grid.width_years;
    for (std::size_t off = 0; off < s.asfr.size(); off += A) {
      std::span<double> state(s.asfr.data() + off, A);
      const std::vector<double> next = f(std::span<const double>(state), y0, y1);
      std::copy(next.begin(), next.end(), state.begin());
    }
  }
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

// The most age groups of a grid (open age 130 on a one-year grid) and the open ages a scenario file takes.
constexpr int kMinOpenAge = 10, kMaxOpenAge = 130, kMaxAgeGroups = kMaxOpenAge + 1;
// The most zones × groups an OD matrix is built for: far past any scenario's (40,000 zones × 4 groups), and an
// out-rate table of 800 MB at most.
constexpr long long kMaxOdStates = 100'000'000;

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

  // Array members: NumPy copies in and out (flat, in the engine's index order, see the docstrings).
#define COHORTGIS_ARRAY(name, doc)                                    \
  def_property(                                                       \
      #name, [](const StepSchedules& s) { return to_numpy(s.name); }, \
      [](StepSchedules& s, const py::object& a) { s.name = from_numpy(numbers_of(a, #name)); }, doc)

  py::class_<StepSchedules>(m, "StepSchedules",
                            "The schedules of one projection step (engine StepSchedules). Arrays are flat float64 in\n"
                            "the engine's order; reading gives a copy, assigning replaces the array. Empty = none.")
      .def(py::init<>())
      .def_property(
          "mortality_kind", [](const StepSchedules& s) { return name_of(s.mortality_kind); },
          [](StepSchedules& s, const py::object& k) {
            s.mortality_kind = mortality_kind_of(text_of(k, "mortality_kind"));
          },
          "'death_rates' (mx), 'person_years' (Lx) or 'survival_ratios'")
      // mortality_next, radix_l0 and l65 belong to the table they were given with (the scenario file's, moved by e0,
      // Lee–Carter, zone factors as they were): kept under a new table, mortality_next closed its life table with a
      // stale rate, and a person-years table's e0 = T(0) / l(0) and e65 = T(65) / l(65) divided the new T by the old
      // table's l(0) and l(65), silently (l(0) and l(65) are not recoverable from the L rows: projection.hpp). Cleared
      // with a warning (before anything changes, so a filter of "error" leaves the schedules as they were).
      .def_property(
          "mortality", [](const StepSchedules& s) { return to_numpy(s.mortality); },
          [](StepSchedules& s, const py::object& a) {
            std::vector<double> rates = from_numpy(numbers_of(a, "mortality"));
            std::string cleared;
            if (!s.mortality_next.empty())
              cleared =
                  "mortality_next (the rates above the open age that closed the old rates' life tables) is cleared, so "
                  "the open group closes on its own rate; to keep rates above the open age, assign mortality_next "
                  "after mortality";
            if (!s.radix_l0.empty() || !s.l65.empty()) {
              const std::string names = !s.l65.empty() && !s.radix_l0.empty() ? "radix_l0 and l65 (the old table's "
                                                                                "l(0) and l(65)) are"
                                        : !s.l65.empty()                      ? "l65 (the old table's l(65)) is"
                                                                              : "radix_l0 (the old table's l(0)) is";
              cleared += (cleared.empty() ? "" : "; and ") + names +
                         " cleared, as e0 = T(0) / l(0) and e65 = T(65) / l(65) of person years are the new "
                         "table's; assign the new table's radix_l0 (person_years needs it) and l65 (without it e65 "
                         "is NaN) after mortality";
            }
            if (!cleared.empty() &&
                PyErr_WarnEx(PyExc_UserWarning, ("StepSchedules.mortality assigned: " + cleared).c_str(), 1) != 0)
              throw py::error_already_set();
            s.mortality = std::move(rates);
            s.mortality_next.clear();
            s.radix_l0.clear();
            s.l65.clear();
          },
          "[zone][group][sex][life-table row]: mx (or Lx, or S by age); rows 0, 1-4, 5-9, … (n_ages + 1) on a\n"
          "five-year grid, the ages on a one-year grid. Assigning it clears mortality_next, radix_l0 and l65 (a\n"
          "UserWarning when one was set): assign those of the new table after it")
      .COHORTGIS_ARRAY(mortality_next,
                       "death_rates on a five-year grid only, [zone][group][sex]: the abridged rate of the group "
                       "starting at the open age\n(the scenario table's, when it goes on past the open age), which "
                       "closes the life table as DemoTools'\nlt_abridged(OAnew) does; empty: the open group closes "
                       "on its own rate (L = l / m). Cleared when mortality is\nassigned")
      .COHORTGIS_ARRAY(radix_l0,
                       "person_years only: [zone][group][sex] l(0) of the table, for e0 = T(0) / l(0). Cleared when "
                       "mortality\nis assigned")
      .COHORTGIS_ARRAY(l65,
                       "person_years only, may be empty: [zone][group][sex] l(65) of the same table, for "
                       "e65 = T(65) / l(65); empty: e65 is NaN.\nCleared when mortality is assigned")
      .COHORTGIS_ARRAY(asfr, "[zone][group][age] births per woman per year")
      .COHORTGIS_ARRAY(srb, "[zone] male births per female birth")
      .COHORTGIS_ARRAY(net_migrants, "[zone][group][sex][age] persons over the whole step")
      .COHORTGIS_ARRAY(net_migrants_per_person, "[zone][group][sex][age] per person at the step's start")
      .COHORTGIS_ARRAY(net_migrants_total, "[zone][group] persons over the step, spread like the population")
      .COHORTGIS_ARRAY(external_in, "[zone][group][sex][age] persons over the whole step")
      .COHORTGIS_ARRAY(external_out, "[zone][group][sex][age] persons over the whole step")
      .COHORTGIS_ARRAY(external_out_rate, "[zone][group][sex][age] per person per year")
      .def_property(
          "external_pairs",
          [](const StepSchedules& s) {
            std::vector<std::tuple<std::size_t, std::size_t, double>> out;
            for (const ExternalPair& p : s.external_pairs) out.emplace_back(p.from, p.to, p.persons);
            return out;
          },
          [](StepSchedules& s, const py::object& v) {
            const std::string expected = "a list of (from_cell, to_cell, persons): two ints >= 0 and a number";
            // Each item read once, its cells as int_of takes them (pybind11 cut a NumPy float32 cell of 1.5 to 1
            // and took True as 1) and its persons as real_of (pybind11's caster turned a KeyboardInterrupt raised
            // in __float__ into "does not convert"). A bad one is named as the other cells are: the list, its row,
            // the field and what it takes ("external_pairs: row 2, to_cell: True (bool) is not an int; …").
            std::vector<ExternalPair> pairs;
            const std::vector<py::object> items = elements_of(v, "external_pairs", expected);
            for (std::size_t k = 0; k < items.size(); ++k) {
              const std::string row = "external_pairs: row " + std::to_string(k);
              const std::vector<py::object> p = elements_of(items[k], row, "(from_cell, to_cell, persons)");
              if (p.size() != 3)
                throw py::type_error(row + ": " + shown_value(items[k]) + " holds " + count_of(p.size(), "item") +
                                     "; expected (from_cell, to_cell, persons)");
              const auto cell = [&](std::size_t field) {
                return static_cast<std::size_t>(int_of(p[field], row + (field == 0 ? ", from_cell" : ", to_cell"), 0,
                                                       std::numeric_limits<long long>::max()));
              };
              pairs.push_back({cell(0), cell(1), real_of(p[2], row + ", persons")});
            }
            s.external_pairs = std::move(pairs);
          },
          "[(from_cell, to_cell, persons)]: parts of external_out (at from_cell) and external_in (at to_cell) that "
          "are\n"
          "one flow, as a scenario file's OD counts, OD rates by cell and relocations are (cells: flat indexes\n"
          "[zone][group][sex][age]). Under flow_policy 'conserve' a pair arrives scaled as its origin cell's\n"
          "out-flows (docs/ccmpp.md B2); unpaired, external_in arrives whole. Checked when a run starts")
      .def_property(
          "transitions", [](const StepSchedules& s) { return s.transitions; },
          [](StepSchedules& s, const py::object& v) {
            s.transitions =
                value_of<std::vector<GroupTransition>>(v, "transitions", "a list of cohortgis.GroupTransition");
          },
          "list of GroupTransition")
      .def_property(
          "newborn_rules", [](const StepSchedules& s) { return s.newborn_rules; },
          [](StepSchedules& s, const py::object& v) {
            s.newborn_rules = value_of<std::vector<NewbornRule>>(v, "newborn_rules", "a list of cohortgis.NewbornRule");
          },
          "list of NewbornRule")
      .def_property_readonly(
          "od_flows", [](const StepSchedules& s) { return s.od ? s.od->flows() : std::vector<OdFlow>{}; },
          "the origin–destination flows (list of OdFlow), sorted by destination then origin (the order the engine "
          "sums them); set them with set_od")
      .def(
          "set_od",
          [](StepSchedules& s, const py::object& flows_arg, const py::object& zones_arg, const py::object& groups_arg,
             const py::object& n_ages_arg, const py::object& profile) {
            std::vector<OdFlow> flows;
            for (const py::object& f : elements_of(flows_arg, "flows", "a list of cohortgis.OdFlow")) {
              if (!py::isinstance<OdFlow>(f))
                throw py::type_error("flows: expected a list of cohortgis.OdFlow, got one " +
                                     std::string(Py_TYPE(f.ptr())->tp_name));
              flows.push_back(f.cast<OdFlow>());
            }
            const int zones = static_cast<int>(int_of(zones_arg, "zones")),
                      groups = static_cast<int>(int_of(groups_arg, "groups")),
                      n_ages = static_cast<int>(int_of(n_ages_arg, "n_ages"));
            // A negative count was std::length_error's "cannot create std::vector larger than max_size()"; counts no
            // scenario has asked for zones × groups rates (2^31 × 2^31: the same words; 2^31 zones: 16 GB zeroed).
            if (zones < 1 || groups < 1 || n_ages < 1)
              throw InputError("set_od: zones " + std::to_string(zones) + ", groups " + std::to_string(groups) +
                               ", n_ages " + std::to_string(n_ages) + "; expected at least 1 of each");
            if (n_ages > kMaxAgeGroups || static_cast<long long>(zones) * groups > kMaxOdStates)
              throw InputError("set_od: zones " + std::to_string(zones) + ", groups " + std::to_string(groups) +
                               ", n_ages " + std::to_string(n_ages) + "; expected the scenario's counts: at most " +
                               std::to_string(kMaxAgeGroups) + " age groups and " + std::to_string(kMaxOdStates) +
                               " zones × groups");
            // Built for these counts: a run of a scenario with others refuses it (StepRunner::validate_sizes).
            s.od = flows.empty()
                       ? nullptr
                       : std::make_shared<const OdMigration>(
                             std::move(flows), from_numpy(numbers_of(profile, "profile")), zones, groups, n_ages);
          },
          py::arg("flows"), py::arg("zones"), py::arg("groups"), py::arg("n_ages"),
          py::arg("profile") = py::array_t<double>(0),
          "Sets the OD flows (validated: ids, rates ≥ 0, out-rates ≤ 1 per year); profile [group][sex][age] or empty.")
      .def(
          "copy", [](const StepSchedules& s) { return StepSchedules(s); }, "An independent copy.")
      .def("__copy__", [](const StepSchedules& s) { return StepSchedules(s); })
      .def(
          "__deepcopy__", [](const StepSchedules& s, py::dict) { return StepSchedules(s); }, py::arg("memo"))
      // Refused with the reason (pybind11 said only "cannot pickle 'StepSchedules' object"): it holds engine state
      // that Python does not see (the life-table layout of person years, migration timing, the OD matrix's profile),
      // so a pickle of the properties would project something else.
      .def(
          "__reduce_ex__",
          [](const StepSchedules&, py::handle) -> py::object {
            throw py::type_error(
                "cannot pickle cohortgis.StepSchedules: it holds engine state that its properties do not show "
                "(life-table layout, migration timing, the OD matrix's age profile), so a pickle would project "
                "something else. Copy it in this process (StepSchedules.copy()), or pass the scenario file's path "
                "to the other process and load_scenario it there; its arrays (e.g. schedules.asfr) are NumPy arrays "
                "that pickle");
          },
          py::arg("protocol"))
      .def("__repr__", [](const StepSchedules& s) {
        // The arrays' sizes, not their values (a read copies the array): what is set, in a notebook's list of them.
        std::string text = "<cohortgis.StepSchedules " + name_of(s.mortality_kind);
        const std::pair<const char*, const std::vector<double>*> arrays[] = {
            {"mortality", &s.mortality},
            {"mortality_next", &s.mortality_next},
            {"radix_l0", &s.radix_l0},
            {"l65", &s.l65},
            {"asfr", &s.asfr},
            {"srb", &s.srb},
            {"net_migrants", &s.net_migrants},
            {"net_migrants_per_person", &s.net_migrants_per_person},
            {"net_migrants_total", &s.net_migrants_total},
            {"external_in", &s.external_in},
            {"external_out", &s.external_out},
            {"external_out_rate", &s.external_out_rate}};
        for (const auto& [name, v] : arrays)
          if (!v->empty()) text += std::string(", ") + name + " " + std::to_string(v->size());
        if (!s.transitions.empty()) text += ", transitions " + std::to_string(s.transitions.size());
        if (!s.newborn_rules.empty()) text += ", newborn_rules " + std::to_string(s.newborn_rules.size());
        if (s.od) text += ", od_flows " + std::to_string(s.od->flows().size());
        if (!s.external_pairs.empty()) text += ", external_pairs " + std::to_string(s.external_pairs.size());
        return text + ">";
      });
#undef COHORTGIS_ARRAY

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
      .COHORTGIS_FIELD(language, "'zh', 'en' or '' (guessed from the title and zone names)")
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
            s.zones.clear();
            for (std::size_t i = 0; i < ids.size(); ++i)
              s.zones.push_back({ids[i], names.empty() ? "" : names[i], names_en.empty() ? "" : names_en[i]});
          },
          py::arg("ids"), py::arg("names") = py::list(), py::arg("names_en") = py::list(),
          "Replaces the zones: ids (the engine's zone order), local and English names (empty lists: none; else one\n"
          "per id). Set base_population and the schedules to the new number of zones after it.")
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
            const auto given = value_of<std::vector<std::pair<std::string, std::vector<std::string>>>>(
                value, "aggregates", "a list of (name, [zone ids]) in text (str in UTF-8)");
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
            auto titles = value_of<std::map<std::string, std::pair<std::string, std::string>>>(
                value, "aggregate_titles", "a dict {aggregate name: (title, title_en)} of text (str in UTF-8)");
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
              return scenarios::rescale_to_tfr(f, z, path.mean_over_years(y0, y1));
            });
          },
          py::arg("points"),
          "Rescales every state's fertility schedule to a TFR path {year: TFR}, linear between points and constant\n"
          "outside; a step covering years t+1 … t+z uses the path's mean over them (as `fertility.tfr` in a file).")
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
          py::arg("points"), "Shifts the fertility schedules to a mean age at childbearing path {year: age}.")
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
          py::arg("points"), "Sex ratio at birth path {year: males per 100 females}, every zone.")
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
      [](const std::string& scenario, const std::string& data_dir, const std::vector<std::string>& allow_read,
         const std::vector<std::string>& allow_db, int threads) {
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
      py::arg("scenario") = "default", py::arg("data_dir") = "", py::arg("allow_read") = std::vector<std::string>{},
      py::arg("allow_db") = std::vector<std::string>{}, py::arg("threads") = 0,
      "Loads a scenario file (.toml) or 'default' as `cohortgis run` does; raises ValueError with the CLI's message.\n"
      "threads: that parse a large CSV table at once (0: all cores); the set is the same for any.");
  m.def(
      "load_scenario_text",
      [](const std::string& text, const std::string& label, const std::string& data_dir,
         const std::map<std::string, std::pair<std::vector<std::string>, std::vector<std::vector<std::string>>>>&
             tables,
         const std::string& base_dir) {
        scenarios::MemoryTables frames;
        for (const auto& [name, t] : tables) frames[name] = scenarios::MemoryTable{t.first, t.second};
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
  m.def("validate_runs", &scenarios::validate_runs, py::arg("runs"),
        "Checks a baseline and its variants as a scenario file's runs are checked: the first named 'baseline', the\n"
        "variants' names non-empty and unique, and each run's own names and base population; raises ValueError.");
  m.def("default_scenario_file", &scenarios::default_scenario_file);
  m.def("examples_dir", &scenarios::examples_dir);
  m.def(
      "resolve_data_dir",
      [](const std::string& configured) { return app::resolve_data_dir(path_arg(configured, "configured")); },
      py::arg("configured") = "");
}

}  // namespace cohortgis::python
