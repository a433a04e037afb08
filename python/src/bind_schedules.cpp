// SPDX-License-Identifier: Apache-2.0
// StepSchedules in Python (moved here from bind_scenario.cpp): one step's schedules as NumPy arrays and lists of the
// plain structs of bind_flows.cpp. Values a scenario file's reader refuses are refused when assigned, in its words
// (cohortgis/scenarios/input_limits.hpp): every array, the external pairs' persons, the transitions' rates and the
// newborn rules' shares. What needs the scenario (sizes, groups, a mother group's shares summing past 1, person
// years against their grid) is checked when a run starts.
#include <cmath>
#include <limits>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "arguments.hpp"
#include "cohortgis/engine/projection.hpp"
#include "cohortgis/scenarios/input_limits.hpp"
#include "common.hpp"

namespace cohortgis::python {

namespace {

// Enumerations travel as the words the scenario files use.
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
// The most age groups of a grid (open age kMaxOpenAge on a one-year grid).
constexpr int kMaxAgeGroups = kMaxOpenAge + 1;
// The most zones × groups an OD matrix is built for: far past any scenario's (40,000 zones × 4 groups), and an
// out-rate table of 800 MB at most.
constexpr long long kMaxOdStates = 100'000'000;

// The reader's check of one value (input_limits.hpp): "" when it is in range, else why not.
using ValueCheck = std::string (*)(double);
std::string signed_count(double x) {
  return scenarios::migration_value_problem(scenarios::MigrationValue::signed_count, x, x);
}
std::string count(double x) { return scenarios::migration_value_problem(scenarios::MigrationValue::count, x, x); }
std::string net_rate(double x) { return scenarios::migration_value_problem(scenarios::MigrationValue::net_rate, x, x); }
std::string out_rate(double x) { return scenarios::migration_value_problem(scenarios::MigrationValue::out_rate, x, x); }
// The reader's hint for a value in other units follows its words: a file declares its unit, Python divides.
std::string birth_rate(double x) {
  const std::string why = scenarios::birth_rate_problem(x);
  return why.empty() || !(x > 1) ? why : why + " (a rate per 1000 women? divide by 1000)";
}
std::string sex_ratio_at_birth(double x) {
  const std::string why = scenarios::sex_ratio_at_birth_problem(x, false);
  return why.empty() || !(x > 50) ? why : why + " (males per 100 females? divide by 100)";
}
std::string radix(double x) { return scenarios::range_problem(scenarios::kRadixRange, x); }
// Mortality rows as the reader checks their form: death rates, person years and survival ratios (person years are
// checked against their radix and grid when a run starts).
ValueCheck mortality_check(MortalityInput kind) {
  return kind == MortalityInput::death_rates    ? &scenarios::death_rate_problem
         : kind == MortalityInput::person_years ? &scenarios::person_years_problem
                                                : &scenarios::survival_ratio_problem;
}

// "<what>: index <k>: <why>", the words of a value refused when assigned.
py::value_error refused_value(const std::string& what, std::size_t k, const std::string& why) {
  return py::value_error(what + ": index " + std::to_string(k) + ": " + why);
}

// An array assigned to a StepSchedules field, each value checked as a scenario file's (`problem`; none where null) and
// named by the field and its flat index ("net_migrants_total: index 3: 1e+300 is outside the range for a signed count
// (at most 1e9 persons over a step)"): net_migrants_total = 1e300 and rates of 1e300 were taken, and projected
// overflowed sums.
std::vector<double> checked_values(const py::object& a, const std::string& what, ValueCheck problem) {
  std::vector<double> v = from_numpy(numbers_of(a, what));
  for (std::size_t k = 0; problem != nullptr && k < v.size(); ++k)
    if (const std::string why = problem(v[k]); !why.empty()) throw refused_value(what, k, why);
  return v;
}

// The rates of each transition (GroupTransition.rate_per_year) and the shares of each newborn rule (share and
// zone_share) as a scenario file's [[transitions]] and [[newborn]] (input_limits.hpp), named by the list's row:
// "transitions: row 1, rate_per_year: index 3: expected a rate per person per year from 0 to 1, got 1.5". A rate of
// 1e300 was projected as given; NaN ones were found only by a run, a share of 1.5 moved more births than there were.
// (Zone multipliers have no scenario-file form: the engine checks them, finite and >= 0, when a run starts.)
void check_transitions(const std::vector<GroupTransition>& rows) {
  for (std::size_t r = 0; r < rows.size(); ++r)
    for (std::size_t k = 0; k < rows[r].rate_per_year.size(); ++k)
      if (const std::string why = scenarios::range_problem(scenarios::kTransitionRateRange, rows[r].rate_per_year[k]);
          !why.empty())
        throw refused_value("transitions: row " + std::to_string(r) + ", rate_per_year", k, why);
}
void check_newborn_rules(const std::vector<NewbornRule>& rows) {
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const std::string row = "newborn_rules: row " + std::to_string(r);
    if (const std::string why = scenarios::range_problem(scenarios::kNewbornShareRange, rows[r].share); !why.empty())
      throw py::value_error(row + ", share: " + why);
    for (std::size_t k = 0; k < rows[r].zone_share.size(); ++k)
      if (const std::string why = scenarios::range_problem(scenarios::kNewbornShareRange, rows[r].zone_share[k]);
          !why.empty())
        throw refused_value(row + ", zone_share", k, why);
  }
}

}  // namespace

void bind_schedules(py::module_& m) {
  // Array members: NumPy copies in and out (flat, in the engine's index order, see the docstrings).
#define COHORTGIS_ARRAY(name, check, doc)                             \
  def_property(                                                       \
      #name, [](const StepSchedules& s) { return to_numpy(s.name); }, \
      [](StepSchedules& s, const py::object& a) { s.name = checked_values(a, #name, check); }, doc)

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
            // Checked as the reader checks the form the rows are now (mortality_kind: set it first for another).
            std::vector<double> rates = checked_values(a, "mortality", mortality_check(s.mortality_kind));
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
          "UserWarning when one was set): assign those of the new table after it. Checked as its mortality_kind\n"
          "is when assigned: death rates 0 to 2, person years >= 0, survival ratios 0 to 1 (set mortality_kind\n"
          "first for another form; person years are checked against their radix when a run starts)")
      .COHORTGIS_ARRAY(mortality_next, &scenarios::death_rate_problem,
                       "death_rates on a five-year grid only, [zone][group][sex]: the abridged rate of the group "
                       "starting at the open age\n(the scenario table's, when it goes on past the open age), which "
                       "closes the life table as DemoTools'\nlt_abridged(OAnew) does; empty: the open group closes "
                       "on its own rate (L = l / m). Cleared when mortality is\nassigned. From 0 to 2, as a file's mx")
      .COHORTGIS_ARRAY(radix_l0, &radix,
                       "person_years only: [zone][group][sex] l(0) of the table, for e0 = T(0) / l(0), from 1e-9 to "
                       "1e12 as a\nfile's radix. Cleared when mortality is assigned")
      .def_property(
          "l65", [](const StepSchedules& s) { return to_numpy(s.l65); },
          [](StepSchedules& s, const py::object& a) {
            // Against the radix of the same table where radix_l0 is set for as many series (assigned first).
            std::vector<double> v = from_numpy(numbers_of(a, "l65"));
            for (std::size_t k = 0; k < v.size(); ++k)
              if (const std::string why = scenarios::l65_problem(
                      v[k], s.radix_l0.size() == v.size() ? s.radix_l0[k] : std::numeric_limits<double>::quiet_NaN());
                  !why.empty())
                throw refused_value("l65", k, why);
            s.l65 = std::move(v);
          },
          "person_years only, may be empty: [zone][group][sex] l(65) of the same table, for "
          "e65 = T(65) / l(65); empty: e65 is NaN.\nNaN where a table gives none; else from 0 to its radix_l0 "
          "(assign radix_l0 first). Cleared when mortality is assigned")
      .COHORTGIS_ARRAY(asfr, &birth_rate, "[zone][group][age] births per woman per year, 0 to 1")
      .COHORTGIS_ARRAY(srb, &sex_ratio_at_birth, "[zone] male births per female birth, 0.9 to 1.3")
      .COHORTGIS_ARRAY(net_migrants, &signed_count,
                       "[zone][group][sex][age] persons over the whole step, at most 1e9 either way")
      .COHORTGIS_ARRAY(net_migrants_per_person, &net_rate,
                       "[zone][group][sex][age] per person at the step's start, any finite number")
      .COHORTGIS_ARRAY(net_migrants_total, &signed_count,
                       "[zone][group] persons over the step, spread like the population, at most 1e9 either way")
      .COHORTGIS_ARRAY(external_in, &count, "[zone][group][sex][age] persons over the whole step, 0 to 1e9")
      .COHORTGIS_ARRAY(external_out, &count, "[zone][group][sex][age] persons over the whole step, 0 to 1e9")
      .COHORTGIS_ARRAY(external_out_rate, &out_rate, "[zone][group][sex][age] per person per year, 0 to 1")
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
              // Persons as a scenario file's OD counts (input_limits.hpp): 0 to 1e9 over the step.
              const double persons = real_of(p[2], row + ", persons");
              if (const std::string why = count(persons); !why.empty())
                throw py::value_error(row + ", persons: " + why);
              pairs.push_back({cell(0), cell(1), persons});
            }
            s.external_pairs = std::move(pairs);
          },
          "[(from_cell, to_cell, persons)]: parts of external_out (at from_cell) and external_in (at to_cell) that "
          "are\n"
          "one flow, as a scenario file's OD counts, OD rates by cell and relocations are (cells: flat indexes\n"
          "[zone][group][sex][age]). Under flow_policy 'conserve' a pair arrives scaled as its origin cell's\n"
          "out-flows (docs/ccmpp.md B2); unpaired, external_in arrives whole. Persons 0 to 1e9 when assigned;\n"
          "the cells and persons against external_out and external_in when a run starts")
      .def_property(
          "transitions", [](const StepSchedules& s) { return s.transitions; },
          [](StepSchedules& s, const py::object& v) {
            std::vector<GroupTransition> rows = rows_of<GroupTransition>(v, "transitions", "cohortgis.GroupTransition");
            check_transitions(rows);
            s.transitions = std::move(rows);
          },
          "list of GroupTransition; rates 0 to 1 per person per year when assigned")
      .def_property(
          "newborn_rules", [](const StepSchedules& s) { return s.newborn_rules; },
          [](StepSchedules& s, const py::object& v) {
            std::vector<NewbornRule> rows = rows_of<NewbornRule>(v, "newborn_rules", "cohortgis.NewbornRule");
            check_newborn_rules(rows);
            s.newborn_rules = std::move(rows);
          },
          "list of NewbornRule; shares 0 to 1 when assigned")
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
}

}  // namespace cohortgis::python
