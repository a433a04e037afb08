// SPDX-License-Identifier: Apache-2.0
// [projection] method = "multistate" (Rogers' multistate step, engine/multistate.hpp) and its checks: the migration
// forms that have no multistate meaning are refused by key, before anything runs.
#include <string>

#include "cohortgis/engine/multistate.hpp"
#include "scenario_build.hpp"

namespace cohortgis::scenarios::detail {

void read_projection_method(const Doc& doc, const toml::table& p, Scenario& sc) {
  if (const toml::node* m = p.get("method")) {
    const std::string v = doc.string(*m, "projection.method");
    if (v == "flows")
      sc.method = ProjectionMethod::flows;
    else if (v == "multistate")
      sc.method = ProjectionMethod::multistate;
    else
      doc.fail(m, "projection.method", "expected \"flows\" or \"multistate\", got \"" + v + "\"");
    // The engine's limit (engine/multistate.hpp), found when the scenario is read rather than when it runs.
    if (sc.method == ProjectionMethod::multistate && sc.group_names.size() > std::size_t{kMaxMultistateStates})
      doc.fail(m, "projection.method",
               "method = \"multistate\" takes at most " + std::to_string(kMaxMultistateStates) +
                   " groups per zone; projection.groups has " + std::to_string(sc.group_names.size()));
  }
  if (const toml::node* o = p.get("multistate_open_age")) {
    if (sc.method != ProjectionMethod::multistate)
      doc.fail(o, "projection.multistate_open_age", "only with method = \"multistate\"");
    const std::string v = doc.string(*o, "projection.multistate_open_age");
    if (v == "keep")
      sc.multistate_open_age = OpenAgeSurvivors::keep;
    else if (v == "drop")
      sc.multistate_open_age = OpenAgeSurvivors::drop;
    else
      doc.fail(o, "projection.multistate_open_age", "expected \"keep\" or \"drop\", got \"" + v + "\"");
  }
  // Settings of given flows (when migrants arrive; what happens when they would leave more than a cell holds) have
  // no multistate meaning: moves compete with deaths within the step and no probability can go negative.
  if (sc.method == ProjectionMethod::multistate)
    for (const char* k : {"migration_timing", "flow_policy"})
      if (const toml::node* n = p.get(k))
        doc.fail(n, std::string("projection.") + k,
                 "has no multistate meaning (moves by [[transitions]] and od.rates compete with deaths within the "
                 "step); leave it out with method = \"multistate\"");
}

void check_multistate_forms(const Build& b, const Layer& L) {
  if (b.sc.method != ProjectionMethod::multistate) return;
  const Doc& doc = b.doc;
  auto refuse = [&](const toml::node* n, const std::string& key, const std::string& form) {
    doc.fail(n, key,
             form +
                 " has no multistate meaning: with projection.method = \"multistate\" people move only "
                 "by [[transitions]] rates between the groups of a zone and od.rates between zones (use method = "
                 "\"flows\")");
  };
  const std::pair<const char*, const char*> migration[] = {
      {"net", "net migration given as counts"},
      {"in", "in-migration given as counts"},
      {"out", "out-migration given as counts"},
      {"net_rate", "net migration given as rates"},
      {"out_rate", "external out-migration rates"},
      {"net_total", "net migration given as totals"},
      {"flows", "migration flows given as totals per year"},
      {"gravity", "gravity-model migration between zones (give the rates per pair as od.rates)"},
      {"timing", "the timing of given migration flows (moves compete with deaths within the step)"},
  };
  for (const auto& [key, form] : migration)
    if (auto [n, k] = L.get("migration", key); n) refuse(n, k, form);
  // od.rates (per person per year, by pair) are moves between the states zone × group; counts are not rates.
  if (auto [n, k] = L.get("migration", "od"); n && n->is_table())
    if (const toml::node* c = n->as_table()->get("counts"))
      refuse(c, k + ".counts", "origin-destination migration given as counts (persons; give rates per pair as od.rates)");
  if (auto [n, k] = L.array("relocation"); n) refuse(n, k, "a relocation programme (persons per year)");
  if (auto [n, k] = L.array("transitions"); n && n->is_array()) {
    const toml::array& a = *n->as_array();
    for (std::size_t i = 0; i < a.size(); ++i)
      if (const toml::table* t = a.get(i)->as_table(); t && t->get("quota_per_year"))
        refuse(t->get("quota_per_year"), k + "[" + std::to_string(i) + "].quota_per_year",
               "a transition quota (persons per year)");
  }
  if (auto [n, k] = L.get("capacity", "table"); n)
    refuse(n, k, "a capacity that moves migrants out of a zone (persons)");
}

std::string multistate_rate_problem(double rate_per_year, int z) {
  return "a transition rate of " + fmt(rate_per_year) + " per year over a " + std::to_string(z) +
         "-year step makes the probability of staying in the group negative under method = \"multistate\" "
         "(linear integration, P = (I + z/2·M)^-1 (I - z/2·M), needs rate · z/2 < 1, i.e. rate < " +
         fmt(2.0 / z) + "; use step = 1 or lower rates)";
}

}  // namespace cohortgis::scenarios::detail
