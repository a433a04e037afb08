// SPDX-License-Identifier: Apache-2.0
// The plain engine structs a scenario's schedules hold, in Python: GroupTransition, NewbornRule and OdFlow (moved here
// from bind_scenario.cpp). Their ints go through int_of (arguments.hpp): pybind11's int conversion cut a NumPy
// float32, a Decimal or a Fraction to an int and took True as 1.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "arguments.hpp"
#include "cohortgis/engine/projection.hpp"
#include "cohortgis/engine/types.hpp"
#include "common.hpp"

namespace cohortgis::python {

namespace {

// A group or zone index of these structs (-1 is OdFlow's "every group"; the engine checks the rest when a run starts).
int group_of(const py::handle& v, const char* what) { return static_cast<int>(int_of(v, what)); }

// The plain engine structs pickle as tuples of their fields; a member added to one must join its tuple.
struct GroupTransitionFields {
  int from_group, to_group;
  std::vector<double> rate_per_year, zone_multiplier;
};
static_assert(sizeof(GroupTransition) == sizeof(GroupTransitionFields), "GroupTransition changed: update its pickle");
struct NewbornRuleFields {
  int mother_group, child_group;
  double share;
  std::vector<double> zone_share;
};
static_assert(sizeof(NewbornRule) == sizeof(NewbornRuleFields), "NewbornRule changed: update its pickle");
struct OdFlowFields {
  int origin, destination, group;
  double rate_per_year;
};
static_assert(sizeof(OdFlow) == sizeof(OdFlowFields), "OdFlow changed: update its pickle");

void check_pickle_state(const py::tuple& s, std::size_t fields, const char* what) {
  if (s.size() != fields)
    throw InputError(std::string(what) + " pickle: " + std::to_string(s.size()) + " fields; expected " +
                     std::to_string(fields) + " (a state of another cohortgis version?)");
}

// Every pickle protocol reduced as protocol 2 reduces these classes: (copyreg.__newobj__, (cls,), __getstate__()),
// restored by __setstate__. For protocols 0 and 1 (pickle.dumps(flow, 0)) copyreg's own reduction called pybind11's
// base type, whose constructor threw through C: std::terminate ("new instance has no pybind11-registered base types").
py::tuple reduce_as_protocol_2(const py::object& self, const py::handle&) {
  return py::make_tuple(py::module_::import("copyreg").attr("__newobj__"), py::make_tuple(py::type::of(self)),
                        self.attr("__getstate__")());
}

}  // namespace

// An int member as a property whose setter converts as int_of does.
#define COHORTGIS_INT_FIELD(type, field, doc)        \
  def_property(                                      \
      #field, [](const type& t) { return t.field; }, \
      [](type& t, const py::handle& v) { t.field = group_of(v, #field); }, doc)

void bind_flows(py::module_& m) {
  py::class_<GroupTransition>(m, "GroupTransition",
                              "Annual transition rates between two groups of the same zone (engine GroupTransition):\n"
                              "X = z · rate_per_year[sex][age] · zone_multiplier[zone] · P_from.")
      .def(py::init<>())
      .def(py::init([](const py::object& from_group, const py::object& to_group, const py::object& rate,
                       const py::object& mult) {
             return GroupTransition{group_of(from_group, "from_group"), group_of(to_group, "to_group"),
                                    reals_of(rate, "rate_per_year"), reals_of(mult, "zone_multiplier")};
           }),
           py::arg("from_group"), py::arg("to_group"), py::arg("rate_per_year"),
           py::arg("zone_multiplier") = py::list())
      .COHORTGIS_INT_FIELD(GroupTransition, from_group, "index into Scenario.group_names")
      .COHORTGIS_INT_FIELD(GroupTransition, to_group, "index into Scenario.group_names")
      .def_property(
          "rate_per_year", [](const GroupTransition& t) { return t.rate_per_year; },
          [](GroupTransition& t, const py::object& v) { t.rate_per_year = reals_of(v, "rate_per_year"); },
          "[sex][age] per person per year, from 0 to 1 as a scenario file's [[transitions]] rate (checked when set on\n"
          "StepSchedules.transitions; finite and >= 0 again when a run starts)")
      .def_property(
          "zone_multiplier", [](const GroupTransition& t) { return t.zone_multiplier; },
          [](GroupTransition& t, const py::object& v) { t.zone_multiplier = reals_of(v, "zone_multiplier"); },
          "[zone] factors, finite and >= 0; empty: 1")
      // Plain data: pickles (multiprocessing, a cache on disk) and copies field by field.
      .def("__reduce_ex__", &reduce_as_protocol_2, py::arg("protocol"))
      .def(py::pickle(
          [](const GroupTransition& t) {
            return py::make_tuple(t.from_group, t.to_group, t.rate_per_year, t.zone_multiplier);
          },
          [](const py::tuple& s) {
            check_pickle_state(s, 4, "GroupTransition");
            const char* what = "GroupTransition";
            return GroupTransition{state_item<int>(s, 0, what, "from_group"), state_item<int>(s, 1, what, "to_group"),
                                   state_item<std::vector<double>>(s, 2, what, "rate_per_year"),
                                   state_item<std::vector<double>>(s, 3, what, "zone_multiplier")};
          }))
      .def("__repr__", [](const GroupTransition& t) {
        return "<cohortgis.GroupTransition " + std::to_string(t.from_group) + " -> " + std::to_string(t.to_group) +
               ", rate_per_year " + count_of(t.rate_per_year.size(), "value") +
               (t.zone_multiplier.empty() ? std::string()
                                          : ", zone_multiplier " + count_of(t.zone_multiplier.size(), "zone")) +
               ">";
      });

  py::class_<NewbornRule>(m, "NewbornRule", "A share of one group's births assigned to another group.")
      .def(py::init<>())
      .def(py::init([](const py::object& mother, const py::object& child, const py::object& share) {
             return NewbornRule{
                 group_of(mother, "mother_group"), group_of(child, "child_group"), real_of(share, "share"), {}};
           }),
           py::arg("mother_group"), py::arg("child_group"), py::arg("share"))
      .COHORTGIS_INT_FIELD(NewbornRule, mother_group, "index into Scenario.group_names")
      .COHORTGIS_INT_FIELD(NewbornRule, child_group, "index into Scenario.group_names")
      .def_property(
          "share", [](const NewbornRule& r) { return r.share; },
          [](NewbornRule& r, const py::object& v) { r.share = real_of(v, "share"); },
          "share of the mother group's births (both sexes), 0 to 1; a mother group's rules move at most all of its "
          "births (their shares sum to at most 1 in each zone, checked when a run starts)")
      .def_property(
          "zone_share", [](const NewbornRule& r) { return r.zone_share; },
          [](NewbornRule& r, const py::object& v) { r.zone_share = reals_of(v, "zone_share"); },
          "[zone] shares; overrides share when not empty")
      .def("__reduce_ex__", &reduce_as_protocol_2, py::arg("protocol"))
      .def(py::pickle(
          [](const NewbornRule& r) { return py::make_tuple(r.mother_group, r.child_group, r.share, r.zone_share); },
          [](const py::tuple& s) {
            check_pickle_state(s, 4, "NewbornRule");
            const char* what = "NewbornRule";
            return NewbornRule{state_item<int>(s, 0, what, "mother_group"), state_item<int>(s, 1, what, "child_group"),
                               state_item<double>(s, 2, what, "share"),
                               state_item<std::vector<double>>(s, 3, what, "zone_share")};
          }))
      .def("__repr__", [](const NewbornRule& r) {
        return "<cohortgis.NewbornRule mother group " + std::to_string(r.mother_group) + " -> child group " +
               std::to_string(r.child_group) + ", " +
               (r.zone_share.empty() ? "share " + repr_of(r.share)
                                     : "zone_share " + count_of(r.zone_share.size(), "zone")) +
               ">";
      });

  py::class_<OdFlow>(m, "OdFlow", "Origin–destination migration rate between two zones (indexes), per year.")
      .def(py::init([](const py::object& o, const py::object& d, const py::object& rate, const py::object& group) {
             return OdFlow{group_of(o, "origin"), group_of(d, "destination"), group_of(group, "group"),
                           real_of(rate, "rate_per_year")};
           }),
           py::arg("origin"), py::arg("destination"), py::arg("rate_per_year"), py::arg("group") = py::int_(-1))
      .COHORTGIS_INT_FIELD(OdFlow, origin, "index into Scenario.zone_ids")
      .COHORTGIS_INT_FIELD(OdFlow, destination, "index into Scenario.zone_ids")
      .COHORTGIS_INT_FIELD(OdFlow, group, "index into Scenario.group_names; -1: every group")
      .def_property(
          "rate_per_year", [](const OdFlow& f) { return f.rate_per_year; },
          [](OdFlow& f, const py::object& v) { f.rate_per_year = real_of(v, "rate_per_year"); },
          "migrants per person of the origin per year (at profile 1)")
      .def("__reduce_ex__", &reduce_as_protocol_2, py::arg("protocol"))
      .def(py::pickle([](const OdFlow& f) { return py::make_tuple(f.origin, f.destination, f.rate_per_year, f.group); },
                      [](const py::tuple& s) {
                        check_pickle_state(s, 4, "OdFlow");
                        const char* what = "OdFlow";
                        return OdFlow{state_item<int>(s, 0, what, "origin"), state_item<int>(s, 1, what, "destination"),
                                      state_item<int>(s, 3, what, "group"),
                                      state_item<double>(s, 2, what, "rate_per_year")};
                      }))
      .def("__repr__", [](const OdFlow& f) {
        return "<cohortgis.OdFlow " + std::to_string(f.origin) + " -> " + std::to_string(f.destination) +
               (f.group < 0 ? std::string(", every group") : ", group " + std::to_string(f.group)) + ", " +
               repr_of(f.rate_per_year) + " per year>";
      });
}

#undef COHORTGIS_INT_FIELD

}  // namespace cohortgis::python
