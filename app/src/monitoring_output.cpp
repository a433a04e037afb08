// SPDX-License-Identifier: Apache-2.0
#include "monitoring_output.hpp"

#include <map>
#include <set>

#include "cohortgis/app/results.hpp"
#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/indicator_kinds.hpp"
#include "cohortgis/engine/indicators.hpp"
#include "cohortgis/geodata/table.hpp"
#include "text_output.hpp"

namespace cohortgis::app {

namespace fs = std::filesystem;

std::vector<ObservedFigure> scenario_observed_figures(const scenarios::ScenarioSet& set) {
  if (!set.monitoring.enabled()) return {};
  const scenarios::Scenario& sc = set.runs.front();
  MonitoringScope scope;
  for (const auto& z : sc.zones) scope.zones.push_back(z.id);
  for (const auto& a : sc.aggregates) scope.zones.push_back(a.name);
  scope.groups = sc.group_names;
  scope.base_year = sc.base_year;
  scope.end_year = sc.end_year();
  scope.open_age = sc.grid.open_age();
  for (int k = 0; k < kStandardIndicators; ++k) {
    scope.indicators.push_back(indicator_name(static_cast<Indicator>(k)));
    if (!is_stock_indicator(scope.indicators.back())) scope.flow_indicators.push_back(scope.indicators.back());
  }
  return read_observed_figures(set.monitoring, scope);
}

void write_monitoring(const fs::path& dir, const scenarios::ScenarioSet& set,
                      const std::vector<ObservedFigure>& figures) {
  if (!set.monitoring.enabled()) return;
  std::set<std::string> wanted;
  for (const auto& f : figures) wanted.insert(f.indicator);
  const CsvData ind = read_csv_file((dir / "indicators.csv").string());
  const std::size_t cv = ind.column("variant"), cy = ind.column("year"), cz = ind.column("zone"),
                    cg = ind.column("group"), ci = ind.column("indicator"), cval = ind.column("value");
  std::map<std::string, double> values;  // year|zone|group|indicator of the baseline
  std::set<int> years;
  for (const auto& row : ind.rows) {
    if (row[cv] != "baseline" || !wanted.count(row[ci])) continue;
    double y = 0, v = 0;
    if (!geodata::parse_number(row[cy], y)) continue;
    years.insert(static_cast<int>(y));
    if (row[cval].empty() || !geodata::parse_number(row[cval], v)) continue;
    values[row[cy] + '|' + row[cz] + '|' + row[cg] + '|' + row[ci]] = v;
  }
  const auto get = [&](int year, const std::string& zone, const std::string& group,
                       const std::string& indicator) -> std::optional<double> {
    const std::string prefix = std::to_string(year) + '|' + zone + '|' + group + '|';
    const auto it = values.find(prefix + indicator);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
  const std::vector<MonitoringRow> rows =
      monitor(figures, set.monitoring, std::vector<int>(years.begin(), years.end()), get);
  TextFile out((dir / "monitoring.csv").string());
  out.write(monitoring_csv(rows));
  out.close();
}

}  // namespace cohortgis::app
