// SPDX-License-Identifier: Apache-2.0
// The indicator tests' projection case (test_indicators.cpp, test_indicators_life_tables.cpp): several zones and groups
// with one schedule per state, one thread; and the test-side sums they compare with.
#pragma once

#include <limits>
#include <string>
#include <vector>

#include "cohortgis/engine/indicators.hpp"
#include "cohortgis/engine/projection.hpp"
#include "projection_fixture.hpp"

namespace cohortgis::test {

constexpr double kInf = std::numeric_limits<double>::infinity();

// A projection of several zones and groups with one schedule per state, run for one step with one thread.
struct MultiCase {
  AgeGrid grid;
  int zones = 1, groups = 1;
  std::vector<double> base;  // [zone][group][sex][age]
  MortalityInput kind = MortalityInput::survival_ratios;
  std::vector<double> mortality;  // [zone][group][sex][row]
  std::vector<double> mortality_next;  // [zone][group][sex]: rates past a five-year grid's open age (empty: none)
  std::vector<double> asfr;       // [zone][group][age]
  std::vector<double> srb;        // [zone]
  std::vector<std::string> zone_ids, group_names;
  std::vector<ZoneAggregate> aggregates;
  std::vector<AgeBand> bands;
  StepAdjuster adjuster;  // set: the engine computes the indicators after the adjuster, not in the zone pass
  int steps = 1;

  RecordingSink run() const {
    CohortArray pop(CohortLayout{zones, groups, grid});
    pop.storage() = base;
    ProjectionConfig cfg;
    cfg.grid = grid;
    cfg.steps = steps;
    cfg.threads = 1;
    cfg.step_adjuster = adjuster;
    cfg.zone_ids = zone_ids;
    cfg.group_names = group_names;
    cfg.aggregates = aggregates;
    cfg.extra_age_bands = bands;
    Projection projection(cfg, pop);
    RecordingSink sink;
    projection.run(
        [&](const StepContext&, StepSchedules& s) {
          s.mortality_kind = kind;
          s.mortality = mortality;
          s.mortality_next = mortality_next;
          s.asfr = asfr;
          s.srb = srb;
        },
        sink);
    return sink;
  }
};

// Appends `n` copies of v.
inline void append(std::vector<double>& out, std::size_t n, double v) { out.insert(out.end(), n, v); }

// Sum of one zone's cells of a cohort array over groups [g_lo, g_hi), both sexes, all ages (test-side reference).
inline double cells(const CohortArray& a, int zone, int g_lo, int g_hi, int sex_lo = 0, int sex_hi = 2) {
  double s = 0.0;
  for (int g = g_lo; g < g_hi; ++g)
    for (int x = sex_lo; x < sex_hi; ++x)
      for (double v : a.ages(zone, g, x)) s += v;
  return s;
}

}  // namespace cohortgis::test
