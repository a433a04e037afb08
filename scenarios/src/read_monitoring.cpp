// SPDX-License-Identifier: Apache-2.0
// [monitoring]: published figures to set beside the projection (scenarios/README.md "Monitoring"). Only the section
// is read here; the observed table itself is read and checked by app/monitoring.cpp before a run writes anything.
#include <string>
#include <vector>

#include "cohortgis/scenarios/monitoring_spec.hpp"
#include "scenario_build.hpp"

namespace cohortgis::scenarios::detail {

void read_monitoring(const Doc& doc, const toml::table& root, ScenarioSet& set) {
  const toml::node* mn = root.get("monitoring");
  if (!mn) return;
  const toml::table& m = doc.table(*mn, "monitoring");
  doc.allow(m, "monitoring", {"observed", "whole_area", "names", "tolerances", "fitted"});
  MonitoringSpec& spec = set.monitoring;
  const toml::node* on = m.get("observed");
  if (!on) doc.fail(mn, "monitoring.observed", "missing: expected the table of published figures");
  const TableRef ref = table_ref(doc, *on, "monitoring.observed", {});
  // Each row names its own unit (the `unit` column) and year; table-wide unit, per and between would be ignored.
  refuse_unit_and_per(doc, ref, "figures in the unit of each row's 'unit' column");
  refuse_between(doc, ref);
  if (ref.frame || !ref.database.empty() || ref.wpp.on || !ref.filter.empty() || !ref.columns.empty())
    doc.fail(on, "monitoring.observed",
             "expected a file (a path, or { path, layer, encoding }) with the columns year, "
             "zone, indicator, value, unit");
  spec.observed = ref.path;
  spec.encoding = ref.encoding;
  record_file(doc, "monitoring.observed", ref);
  if (const toml::node* w = m.get("whole_area")) {
    spec.whole_area = doc.string(*w, "monitoring.whole_area");
    // "" would name the rows whose zone cell is empty: those are rows with the zone left out, not the whole area.
    if (spec.whole_area.find_first_not_of(" \t") == std::string::npos)
      doc.fail(w, "monitoring.whole_area",
               "an empty code; expected the code that stands for the whole area in the zone column (e.g. \"110000\")");
  }
  if (const toml::node* nn = m.get("names")) {
    const toml::table& t = doc.table(*nn, "monitoring.names");
    for (const auto& [k, v] : t) {
      const std::string key = "monitoring.names." + std::string(k.str());
      ObservedName name;
      if (v.is_string()) {
        name.indicator = doc.string(v, key);
      } else {
        const toml::table& e = doc.table(v, key);
        doc.allow(e, key, {"indicator", "group"});
        if (!e.get("indicator")) doc.fail(&v, key + ".indicator", "missing: expected the engine's indicator name");
        name.indicator = doc.string(*e.get("indicator"), key + ".indicator");
        if (e.get("group")) name.group = doc.string(*e.get("group"), key + ".group");
      }
      spec.names[std::string(k.str())] = name;
    }
  }
  if (const toml::node* tn = m.get("tolerances")) {
    const toml::table& t = doc.table(*tn, "monitoring.tolerances");
    for (const auto& [k, v] : t) {
      const std::string key = "monitoring.tolerances." + std::string(k.str());
      const toml::table& e = doc.table(v, key);
      doc.allow(e, key, {"relative", "absolute"});
      if ((e.get("relative") != nullptr) == (e.get("absolute") != nullptr))
        doc.fail(&v, key,
                 "expected exactly one of relative (a fraction, e.g. 0.01 for 1 %) and absolute (in the "
                 "indicator's unit)");
      Tolerance tol;
      if (e.get("relative")) {
        tol.value = doc.number(*e.get("relative"), key + ".relative", 0.0, 10.0, "a fraction");
      } else {
        tol.kind = Tolerance::Kind::absolute;
        tol.value = doc.number(*e.get("absolute"), key + ".absolute", 0.0, 1e12, "in the indicator's unit");
      }
      spec.tolerances[std::string(k.str())] = tol;
    }
  }
  if (const toml::node* fn = m.get("fitted")) {
    const toml::table& t = doc.table(*fn, "monitoring.fitted");
    for (const auto& [k, v] : t) {
      const std::string key = "monitoring.fitted." + std::string(k.str());
      std::vector<int>& years = spec.fitted[std::string(k.str())];
      const toml::array& a = doc.array(v, key);
      for (std::size_t i = 0; i < a.size(); ++i)
        years.push_back(doc.integer(*a.get(i), key + "[" + std::to_string(i) + "]", 1000, 3000, "a year"));
    }
  }
}

}  // namespace cohortgis::scenarios::detail
