// SPDX-License-Identifier: Apache-2.0
// Control totals and capacity (planning.hpp) against hand computations: pro-rating to a total, IPF margins met to
// 1e-9, caps never exceeded with the displaced persons redistributed as the rule says, households = Σ headship ×
// population, the error when caps leave no zone to receive, and the hook through a whole projection.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <numeric>
#include <string>

#include "cohortgis/engine/planning.hpp"
#include "cohortgis/engine/projection.hpp"

using namespace cohortgis;

namespace {

const AgeGrid kGrid{5, 3};  // 0-4, 5-9, 10+

// Zones × 1 group, every (sex, age) cell of zone z holding cells[z] / 6 (a flat age structure).
CohortArray flat(const std::vector<double>& zone_totals, int groups = 1) {
  CohortArray P(CohortLayout{static_cast<int>(zone_totals.size()), groups, kGrid});
  for (int z = 0; z < static_cast<int>(zone_totals.size()); ++z)
    for (int g = 0; g < groups; ++g)
      for (int s = 0; s < 2; ++s)
        for (int i = 0; i < 3; ++i) P.at(z, g, s, i) = zone_totals[static_cast<std::size_t>(z)] / 6.0 / groups;
  return P;
}

std::vector<std::string> ids(int n) {
  std::vector<std::string> v;
  for (int z = 0; z < n; ++z) v.push_back("Z" + std::to_string(z));
  return v;
}

struct Applied {
  CohortArray end, adjustment;
  std::vector<ControlOutcome> controls;
  std::vector<CapacityOutcome> capacity;
};

Applied apply(const PlanningSpec& spec, CohortArray P, int year = 2025) {
  Applied a{P, CohortArray(P.layout()), {}, {}};
  validate_planning(spec, P.layout(), ids(P.layout().zones));
  apply_planning(spec, year, a.end, a.adjustment, a.controls, a.capacity, ids(P.layout().zones));
  return a;
}

std::string message_of(const PlanningSpec& spec, const CohortArray& P) {
  try {
    apply(spec, P);
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

// Pro-rating to a total: 100 and 300 persons against a target of 500 are scaled by 5/4: 125 and 375; the adjustment
// is the difference of every cell.
TEST(PlanningControls, ProportionalTotalByHand) {
  PlanningSpec spec;
  spec.controls.push_back({"total", {0, 1}, 2025, 500.0, {}, ControlMethod::proportional});
  const Applied a = apply(spec, flat({100, 300}));
  EXPECT_NEAR(a.end.sum_zone(0), 125.0, 1e-9);
  EXPECT_NEAR(a.end.sum_zone(1), 375.0, 1e-9);
  EXPECT_NEAR(a.adjustment.sum_zone(0), 25.0, 1e-9);
  EXPECT_NEAR(a.adjustment.at(1, 0, 1, 2), 75.0 / 6.0, 1e-12);
  ASSERT_EQ(a.controls.size(), 1u);
  EXPECT_NEAR(a.controls[0].adjustment, 100.0, 1e-9);
  // A control of another year does nothing.
  const Applied b = apply(spec, flat({100, 300}), 2030);
  EXPECT_NEAR(b.end.sum_zone(0), 100.0, 1e-12);
  EXPECT_EQ(b.end.data()[0], flat({100, 300}).data()[0]);
}

// IPF to (sex, age) targets: every target met to 1e-9 and each zone keeps its tentative share of the set.
TEST(PlanningControls, IpfMarginsMetTo1e9) {
  CohortArray P(CohortLayout{3, 2, kGrid});
  double v = 1.0;
  for (double& x : P.storage()) x = (v = std::fmod(v * 7.3 + 3.1, 97.0)) + 1.0;  // an uneven table
  const double tentative = P.sum_zone(0) + P.sum_zone(1) + P.sum_zone(2);
  const std::vector<double> target{400, 380, 900, 410, 350, 700};  // female 0-4, 5-9, 10+, then male
  const double T = std::accumulate(target.begin(), target.end(), 0.0);
  PlanningSpec spec;
  spec.controls.push_back({"city", {0, 1, 2}, 2025, 0.0, target, ControlMethod::ipf});
  const Applied a = apply(spec, P);
  for (int s = 0; s < 2; ++s)
    for (int i = 0; i < 3; ++i) {
      double sum = 0.0;
      for (int z = 0; z < 3; ++z)
        for (int g = 0; g < 2; ++g) sum += a.end.at(z, g, s, i);
      EXPECT_NEAR(sum, target[static_cast<std::size_t>(s * 3 + i)], 1e-9) << "sex " << s << " age " << i;
    }
  for (int z = 0; z < 3; ++z) EXPECT_NEAR(a.end.sum_zone(z), P.sum_zone(z) * T / tentative, 1e-9) << "zone " << z;
  for (std::size_t k = 0; k < P.data().size(); ++k)
    EXPECT_NEAR(a.adjustment.data()[k], a.end.data()[k] - P.data()[k], 1e-12);
  EXPECT_GT(a.controls[0].ipf_iterations, 1);
}

// A whole and its parts: the district D1 (zones 0, 1) keeps its own control of 500 (×5/4), and the city's 1200 is
// met by its other zone (zone 2: 1200 − 500 = 700). An error when the parts hold more than the whole, and when sets
// overlap without nesting.
TEST(PlanningControls, HierarchyPartsFirstThenTheRest) {
  PlanningSpec spec;
  spec.controls.push_back({"city", {0, 1, 2}, 2025, 1200.0, {}, ControlMethod::proportional});
  spec.controls.push_back({"D1", {0, 1}, 2025, 500.0, {}, ControlMethod::proportional});
  const Applied a = apply(spec, flat({100, 300, 200}));
  EXPECT_NEAR(a.end.sum_zone(0), 125.0, 1e-9);
  EXPECT_NEAR(a.end.sum_zone(1), 375.0, 1e-9);
  EXPECT_NEAR(a.end.sum_zone(2), 700.0, 1e-9);
  spec.controls[0].total = 400.0;
  EXPECT_NE(message_of(spec, flat({100, 300, 200})).find("already hold more than its target"), std::string::npos);
  spec.controls[0].total = 1200.0;
  spec.controls.push_back({"D2", {1, 2}, 2025, 500.0, {}, ControlMethod::proportional});
  EXPECT_NE(message_of(spec, flat({100, 300, 200})).find("overlap without one holding the other"), std::string::npos);
}

// Caps by hand. Zones 100 | 150 (cap 100) | 300 with the same flat age structure: zone 1 loses 50, shared 100 : 300
// by zones 0 and 2 (12.5 and 37.5). With a cap of 110 on zone 0 as well, zone 0 binds in turn (112.5 > 110) and its
// 2.5 go to zone 2: 110 | 100 | 340. The total never changes and no cap is exceeded.
TEST(PlanningCapacity, CapsNeverExceededDisplacedRedistributedByHand) {
  PlanningSpec spec;
  spec.limits.push_back({1, 2025, 100.0, -1.0});
  Applied a = apply(spec, flat({100, 150, 300}));
  EXPECT_NEAR(a.end.sum_zone(0), 112.5, 1e-9);
  EXPECT_NEAR(a.end.sum_zone(1), 100.0, 1e-9);
  EXPECT_NEAR(a.end.sum_zone(2), 337.5, 1e-9);
  ASSERT_EQ(a.capacity.size(), 1u);
  EXPECT_TRUE(a.capacity[0].binds);
  EXPECT_NEAR(a.capacity[0].displaced, 50.0, 1e-9);

  spec.limits.push_back({0, 2025, 110.0, -1.0});
  a = apply(spec, flat({100, 150, 300}));
  EXPECT_NEAR(a.end.sum_zone(0), 110.0, 1e-9);
  EXPECT_NEAR(a.end.sum_zone(1), 100.0, 1e-9);
  EXPECT_NEAR(a.end.sum_zone(2), 340.0, 1e-9);
  EXPECT_NEAR(a.end.sum_zone(0) + a.end.sum_zone(1) + a.end.sum_zone(2), 550.0, 1e-9);
  ASSERT_EQ(a.capacity.size(), 2u);  // in zone order
  EXPECT_NEAR(a.capacity[0].received, 12.5, 1e-9);
  EXPECT_NEAR(a.capacity[0].displaced, 2.5, 1e-9);
  for (const auto& o : a.capacity) EXPECT_LE(o.final_population, o.limit_population * (1 + 1e-12));
  double adj = 0.0;
  for (double v : a.adjustment.data()) adj += v;
  EXPECT_NEAR(adj, 0.0, 1e-9);
}

// The displaced persons of one (sex, age) cell go to the receivers in proportion to their persons in that cell:
// zone 0 (capped at 60 from 120) holds only women aged 0-4; zone 1 holds 30 of them and zone 2 10, so 45 and 15.
TEST(PlanningCapacity, DisplacedFollowTheReceiversCell) {
  CohortArray P(CohortLayout{3, 1, kGrid});
  P.at(0, 0, 0, 0) = 120;
  P.at(1, 0, 0, 0) = 30;
  P.at(1, 0, 1, 2) = 500;
  P.at(2, 0, 0, 0) = 10;
  PlanningSpec spec;
  spec.limits.push_back({0, 2025, 60.0, -1.0});
  const Applied a = apply(spec, P);
  EXPECT_NEAR(a.end.at(1, 0, 0, 0), 75.0, 1e-9);
  EXPECT_NEAR(a.end.at(2, 0, 0, 0), 25.0, 1e-9);
  EXPECT_EQ(a.end.at(1, 0, 1, 2), 500.0);
}

// Every zone capped below its population: an error that says the year.
TEST(PlanningCapacity, NoZoneLeftToReceiveSaysTheYear) {
  PlanningSpec spec;
  spec.limits.push_back({0, 2025, 50.0, -1.0});
  spec.limits.push_back({1, 2025, 100.0, -1.0});
  const std::string m = message_of(spec, flat({100, 150}));
  EXPECT_NE(m.find("capacity 2025"), std::string::npos) << m;
  EXPECT_NE(m.find("no zone is left to receive"), std::string::npos) << m;
}

// With the rows that gave the caps (the scenario reader's), the error names each binding cap's file and row, the
// first ten of them; a control's errors start with its row, as the reader's own errors do.
TEST(PlanningCapacity, NoZoneLeftToReceiveNamesTheCapsRows) {
  PlanningSpec spec;
  for (int z = 0; z < 12; ++z) {
    spec.limits.push_back({z, 2025, 50.0, -1.0});
    spec.limits.back().source = std::make_shared<const std::string>("caps.csv, data row " + std::to_string(z + 1));
  }
  const std::string m = message_of(spec, flat(std::vector<double>(12, 100.0)));
  EXPECT_NE(m.find("capacity 2025: the caps of every zone bind (Z0, Z1, "), std::string::npos) << m;
  EXPECT_NE(m.find("displaced persons (the caps: zone Z0 at caps.csv, data row 1; zone Z1 at caps.csv, data row 2; "),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("zone Z9 at caps.csv, data row 10; … and 2 more); expected caps that leave room"), std::string::npos)
      << m;
  EXPECT_EQ(m.find("data row 11"), std::string::npos) << m;

  PlanningSpec control;
  control.controls.push_back({"D", {0, 1}, 2025, 500.0, {}, ControlMethod::proportional, "controls.csv, data row 3"});
  EXPECT_EQ(
      message_of(control, flat({0, 0})).rfind("controls.csv, data row 3: control 'D' 2025: 500 persons to place", 0),
      0u)
      << message_of(control, flat({0, 0}));
}

// Households = Σ headship × population: rates 0 (0-4), 0.3 (5-9), 0.5 (10+) for women and 0, 0.2, 0.6 for men on 10
// persons per cell: 10 × (0.3 + 0.5 + 0.2 + 0.6) = 16. With 12 dwellings the zone may hold 60 × 12/16 = 45 persons.
TEST(PlanningHouseholds, HeadshipTimesPopulationAndDwellingCap) {
  const CohortArray P = flat({60, 60});
  HeadshipRates h{2020, {0, 0.3, 0.5, 0, 0.2, 0.6, 0, 0.3, 0.5, 0, 0.2, 0.6}};
  EXPECT_NEAR(zone_households(P, h, 0), 16.0, 1e-12);
  PlanningSpec spec;
  spec.headship.push_back(h);
  spec.limits.push_back({0, 2025, -1.0, 12.0});
  const Applied a = apply(spec, P);
  EXPECT_NEAR(a.end.sum_zone(0), 45.0, 1e-9);
  EXPECT_NEAR(zone_households(a.end, h, 0), 12.0, 1e-9);
  EXPECT_NEAR(a.end.sum_zone(1), 75.0, 1e-9);
  EXPECT_NEAR(a.capacity[0].final_households, 12.0, 1e-9);
  EXPECT_NEAR(a.capacity[0].tentative_households, 16.0, 1e-12);

  h.rates[1] = 1.2;
  spec.headship = {h};
  try {
    validate_planning(spec, P.layout(), ids(2));
    ADD_FAILURE() << "a headship rate above 1 passed";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("between 0 and 1"), std::string::npos);
  }
}

// Through a projection with no deaths, births or migration: the hook scales the end population to the control of
// each year, the adjustment is reported per cell and counted in the indicators' net migration.
TEST(PlanningHook, ProjectionMeetsControlsEveryStep) {
  const CohortArray base = flat({100, 300});
  PlanningSpec spec;
  spec.controls.push_back({"total", {0, 1}, 2025, 500.0, {}, ControlMethod::proportional});
  spec.controls.push_back({"total", {0, 1}, 2030, 450.0, {}, ControlMethod::proportional});
  ProjectionConfig cfg;
  cfg.grid = kGrid;
  cfg.zone_ids = ids(2);
  cfg.steps = 2;
  PlanningAdjuster adjuster(spec, cfg.zone_ids);
  cfg.step_adjuster = std::ref(adjuster);
  Projection p(cfg, base);
  struct Sink : KeepPopulationsSink {
    std::vector<double> adjustment, net;
    void step(const StepResult& r) override {
      KeepPopulationsSink::step(r);
      double a = 0.0;
      for (double v : r.components.planning_adjustment.data()) a += v;
      adjustment.push_back(a);
      net.push_back(r.indicators->get(r.indicators->unit_index("total"), 0, Indicator::net_migration));
    }
  } sink;
  p.run(
      [&](const StepContext&, StepSchedules& s) {
        s.mortality.assign(2 * 2 * 4, 0.0);
        for (std::size_t k = 3; k < s.mortality.size(); k += 4)
          s.mortality[k] = 0.2;  // the open group closes the table
        s.asfr.assign(2 * 3, 0.0);
        s.srb.assign(2, 1.05);
      },
      sink);
  ASSERT_EQ(sink.populations.size(), 3u);
  EXPECT_NEAR(sink.populations[1].sum_zone(0) + sink.populations[1].sum_zone(1), 500.0, 1e-9);
  EXPECT_NEAR(sink.populations[2].sum_zone(0) + sink.populations[2].sum_zone(1), 450.0, 1e-9);
  ASSERT_EQ(adjuster.controls().size(), 2u);
  for (std::size_t k = 0; k < 2; ++k) {
    const ControlOutcome& o = adjuster.controls()[k];
    EXPECT_NEAR(o.tentative + o.adjustment, k == 0 ? 500.0 : 450.0, 1e-9);
    EXPECT_NEAR(sink.adjustment[k], o.adjustment, 1e-9);
    EXPECT_NEAR(sink.net[k], o.adjustment, 1e-9);  // no other migration in this run
  }
  EXPECT_GT(adjuster.controls()[0].adjustment, 100.0);  // deaths in the open group: more than 500 − 400 to add
}
