// SPDX-License-Identifier: Apache-2.0
// A scenario's [monitoring] section: published figures to set beside the projection (mid-term review, 中期评估) —
// the observed table, how its indicator names and zone codes map to the engine's, which figures were used to set a
// level (role `fitted`) and each indicator's tolerance. Read by scenarios/src/read_monitoring.cpp; used by
// app/monitoring.hpp.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace cohortgis::scenarios {

// An observed indicator name as the engine's indicator of one group, e.g. population_floating → population, floating.
struct ObservedName {
  std::string indicator;
  std::string group = "all";
};

// How far a checked figure may be from the projection before it is flagged: |relative difference| ≤ value (levels)
// or |difference| ≤ value in the indicator's unit (rates near zero, such as natural growth).
struct Tolerance {
  enum class Kind { relative, absolute } kind = Kind::relative;
  double value = 0;
};

struct MonitoringSpec {
  std::string observed;                      // the observed table (resolved path); empty: no monitoring
  std::string encoding;                      // of a CSV table ("" = UTF-8)
  std::string whole_area;                    // the zone code that stands for the whole area ("total")
  std::map<std::string, ObservedName> names; // observed name → engine indicator and group
  std::map<std::string, Tolerance> tolerances;  // by observed indicator name
  std::map<std::string, std::vector<int>> fitted;  // observed indicator name → years used to set a level
  bool enabled() const { return !observed.empty(); }
};

}  // namespace cohortgis::scenarios
