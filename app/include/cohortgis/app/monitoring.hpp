// SPDX-License-Identifier: Apache-2.0
// Monitoring against published statistics: observed figures (a table in the layout year, zone, indicator, value,
// unit[, group, source]) set beside the projection, as a planner's mid-term review does. The differences are
// comparison.hpp's (one implementation with `cohortgis backtest`); this file reads the table, converts units, looks
// up or interpolates the projected value and flags checked figures beyond their tolerance.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cohortgis/app/comparison.hpp"
#include "cohortgis/app/language.hpp"
#include "cohortgis/scenarios/monitoring_spec.hpp"

namespace cohortgis::app {

// The factor that turns a value in `unit` into the engine's unit of `indicator`: persons (人, 1), `10k persons`
// (万人, 1e4) and `thousands` (千人, 1e3) for counts; `per 1000` (‰) for *_per_1000 rates; `percent` (%) for
// *_percent shares; `years` (岁, 年) for life expectancies and ages; `per 100 females` for the sex ratio; `children per
// woman` for the TFR. nullopt when the unit cannot be read or does not fit the indicator.
std::optional<double> unit_factor(const std::string& unit, const std::string& indicator);

// One observed figure in the engine's terms.
struct ObservedFigure {
  std::size_t row = 0;  // data row of the table (0-based)
  int year = 0;
  std::string zone;       // a zone id of the projection, or "total"
  std::string group;      // "all" or a group
  std::string indicator;  // the engine's indicator (indicators.csv), or "e0" (both sexes)
  std::string observed_name;  // as the table writes it
  double value = 0;           // in the engine's unit
  bool flow = false;          // an indicator of events over a step (births, rates, TFR, e0), not of a moment
};

// What the projection knows when the table is read: its zones, groups, years and indicators.
struct MonitoringScope {
  std::vector<std::string> zones, groups;  // groups without "all"
  int base_year = 0, end_year = 0;
  int open_age = 1000;  // the grid's: rows of indicators it cannot count (indicator_min_open_age) are refused
  std::vector<std::string> indicators;  // the engine's names; "e0" (both sexes) is always known
  std::vector<std::string> flow_indicators;  // those of them that count events over a step (e0 is one)
};

// Reads and checks the observed table (every row, before anything is written). Throws InputError naming file, row
// and column for: a zone that is neither a zone of the projection nor the whole-area code; a year at or before the
// base year or beyond the horizon; an indicator the engine does not compute and the scenario does not map; a unit
// that cannot be read for that indicator; an indicator whose age band the grid cannot count; a group the projection
// does not have; two rows for the same figure.
std::vector<ObservedFigure> read_observed_figures(const scenarios::MonitoringSpec& spec, const MonitoringScope& scope);

// A row of monitoring.csv.
struct MonitoringRow {
  int year = 0;
  std::string zone, group, indicator;
  Difference values;         // observed, projected, difference, relative_difference
  std::string role;          // "fitted" or "checked"
  // The projection has no value for the year: a stock (population, shares) is linear between the projected years
  // around it; a flow (births, rates, e0) takes the value of the step that covers the year (its mean over the step).
  bool interpolated = false;
  bool step_mean = false;
  bool beyond_tolerance = false;  // checked and beyond its tolerance
  bool no_projection = false;     // the projection has no value around that year (projected empty)
  // "", "beyond_tolerance", "interpolated", "step_mean", "no_projection", joined by spaces
  std::string flag() const;
};

// projected(year, zone, group, indicator): the projection's value, nullopt where it has none. projected_years: the
// years it has values for (base year, then the end of each step), ascending.
using ProjectedLookup =
    std::function<std::optional<double>(int, const std::string&, const std::string&, const std::string&)>;
std::vector<MonitoringRow> monitor(const std::vector<ObservedFigure>& figures, const scenarios::MonitoringSpec& spec,
                                   const std::vector<int>& projected_years, const ProjectedLookup& projected);

// monitoring.csv: year, zone, group, indicator, observed, projected, difference, relative_difference, role, flag.
std::string monitoring_csv(const std::vector<MonitoringRow>& rows);

struct ReportSection;
class Results;
// The report's monitoring section of a results folder (nothing without monitoring.csv): the table in the report's
// language and one small chart per zone, group and indicator (charts/monitoring_<n>.png), drawn into the folder.
std::optional<ReportSection> monitoring_report_section(const Results& results, Language language);

}  // namespace cohortgis::app
