// SPDX-License-Identifier: Apache-2.0
// Multi-zone projection (docs/ccmpp.md Part B): bad schedules are reported with their zone, group, sex, age and year,
// the first in check order, whichever path checks them.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "cohortgis/engine/index_cast.hpp"
#include "error_of.hpp"
#include "projection_cases.hpp"
#include "step_runner.hpp"  // engine/src: detail::LowestZoneError

using namespace cohortgis;
using cohortgis::test::fertility;
using cohortgis::test::random_case;
using cohortgis::test::RandomCase;
using cohortgis::test::RecordingSink;
using cohortgis::test::run_case;

TEST(ProjectionErrors, BadScheduleNamesZoneGroupSexAgeAndYear) {
  RandomCase rc = random_case(3, 5, 1);
  rc.steps[0].asfr[uz(1 * 2 * 101 + 101 + 30)] = -0.1;  // zone Z1, group floating, age 30
  try {
    run_case(rc, 1);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    const std::string m = e.what();
    for (const char* part : {"zone 'Z1'", "group 'floating'", "age 30", "2020", "asfr", "-0.1"})
      EXPECT_NE(m.find(part), std::string::npos) << m << " lacks " << part;
  }
  // The checks of one zone keep their order by group (the fertility rates of all its groups are tested at once,
  // then scanned group by group): a bad death rate of group 0 is reported before a bad fertility rate of group 1.
  rc = random_case(3, 5, 1);
  const std::size_t rows = rc.steps[0].mortality.size() / (5 * 2 * 2);
  rc.steps[0].mortality[(1 * 2 + 0) * 2 * rows + 5] = -1.0;  // zone Z1, group registered, female, row 5
  rc.steps[0].asfr[uz(1 * 2 * 101 + 101 + 30)] = -0.1;       // zone Z1, group floating, age 30
  const std::string m = cohortgis::test::error_of([&] { run_case(rc, 1); });
  for (const char* part : {"zone 'Z1'", "group 'registered'", "mortality row 5"}) EXPECT_CONTAINS(m, part);
  rc = random_case(3, 5, 1);
  rc.steps[0].mortality.pop_back();
  EXPECT_THROW(run_case(rc, 1), InputError);
  rc = random_case(3, 5, 1);
  rc.steps[0].srb[2] = 0.0;
  EXPECT_THROW(run_case(rc, 1), InputError);
  rc = random_case(3, 5, 1);
  rc.base.at(4, 1, 1, 7) = std::nan("");
  try {
    run_case(rc, 1);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("zone 'Z4'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(OdMigration({{0, 1, -1, 0.7}, {0, 2, -1, 0.6}}, {}, 3, 1, 101), InputError);  // rates sum > 1
  EXPECT_THROW(OdMigration({{0, 0, -1, 0.1}}, {}, 3, 1, 101), InputError);                   // self flow
  EXPECT_THROW(OdMigration({{0, 5, -1, 0.1}}, {}, 3, 1, 101), InputError);                   // unknown zone
}

// Fertility rates are checked where births read them (a bit test in the births loop; the exact check runs only when
// it fires), not in a pass of their own before the step. The error reported must stay the first of the checks made
// before the step, in their order (zone, then group: net total, fertility rates by age, death rates by sex), whatever
// else is bad and on every path and thread count. The messages below are those of the code before the change.
TEST(ProjectionErrors, SeveralBadValuesReportTheFirstInCheckOrder) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  const std::size_t A = 101, rows = 101;
  auto asfr = [&](int z, int g, int i) { return uz((z * 2 + g)) * A + uz(i); };
  auto mx = [&](int z, int g, int s, std::size_t r) { return (uz(z * 2 + g) * 2 + uz(s)) * rows + r; };
  // What a run reports: the type and message of its error, or "" without one.
  auto report = [](RandomCase rc, bool lean, bool fused, int threads) {
    rc.cfg.threads = threads;
    rc.cfg.cell_components = !lean;
    rc.cfg.indicators = !lean;
    if (fused)
      for (StepSchedules& s : rc.steps) {  // OD and transitions only: the fused path (and the mx rows in place)
        s.net_migrants.clear();
        s.external_in.clear();
        s.external_out.clear();
        s.external_out_rate.clear();
      }
    try {
      Projection p(rc.cfg, rc.base);
      RecordingSink sink;
      p.run([&](const StepContext& ctx, StepSchedules& s) { s = rc.steps[uz(ctx.step)]; }, sink);
    } catch (const InputError& e) {
      return std::string("InputError: ") + e.what();
    } catch (const ProjectionError& e) {
      return std::string("ProjectionError: ") + e.what();
    }
    return std::string();
  };
  auto expect = [&](const RandomCase& rc, const std::string& want, const char* what) {
    for (bool lean : {false, true})
      for (bool fused : {false, true})
        for (int threads : {1, 3})
          EXPECT_EQ(report(rc, lean, fused, threads), want)
              << what << ", lean " << lean << ", fused " << fused << ", " << threads << " threads";
  };
  const RandomCase good = random_case(5, 16, 2);
  RandomCase rc = good;
  // Bad fertility rates in several zones, one at age 0 (outside the ages that have births): the lowest zone's.
  rc.steps[0].asfr[asfr(9, 1, 30)] = std::nan("");
  rc.steps[0].asfr[asfr(4, 0, 0)] = -1.0;
  rc.steps[0].asfr[asfr(12, 0, 25)] = kInf;
  expect(rc,
         "InputError: year 2020–2021, zone 'Z4', group 'registered', sex female, age 0: fertility rate (asfr) -1; "
         "expected births per woman per year ≥ 0",
         "asfr in zones 4, 9, 12");
  // The open age of a lower zone before a fertile age of a higher one, and the lower group of a zone first.
  rc = good;
  rc.steps[0].asfr[asfr(5, 1, 30)] = -0.5;
  rc.steps[0].asfr[asfr(5, 1, 100)] = kInf;
  rc.steps[0].asfr[asfr(2, 1, 100)] = kInf;
  rc.steps[0].asfr[asfr(2, 1, 20)] = std::nan("");
  expect(rc,
         "InputError: year 2020–2021, zone 'Z2', group 'floating', sex female, age 20: fertility rate (asfr) nan; "
         "expected births per woman per year ≥ 0",
         "asfr in zones 2 and 5");
  // A bad death rate: before the fertility rates of a later group or zone, after those of its own group.
  rc = good;
  rc.steps[0].mortality[mx(6, 0, 1, 7)] = -2.0;
  rc.steps[0].asfr[asfr(6, 1, 33)] = -0.25;
  rc.steps[0].asfr[asfr(11, 0, 33)] = -0.25;
  expect(rc,
         "InputError: year 2020–2021, zone 'Z6', group 'registered', sex male, mortality row 7: value -2; expected "
         "a death rate mx ≥ 0",
         "mx before asfr");
  rc.steps[0].asfr[asfr(6, 0, 3)] = std::nan("");
  expect(rc,
         "InputError: year 2020–2021, zone 'Z6', group 'registered', sex female, age 3: fertility rate (asfr) "
         "nan; expected births per woman per year ≥ 0",
         "asfr of group 0 before mx of group 1");
  // Death rates are checked where the step's life tables read them, not before the step (validate_zones): the error
  // is still the first of the checks before the step, whichever zone's table the step met first and whatever else
  // is bad. A bad death rate in a higher zone than a bad fertility rate, and in a lower one.
  rc = good;
  rc.steps[0].mortality[mx(9, 1, 0, 0)] = std::nan("");
  rc.steps[0].asfr[asfr(4, 1, 30)] = -1.0;
  expect(rc,
         "InputError: year 2020–2021, zone 'Z4', group 'floating', sex female, age 30: fertility rate (asfr) -1; "
         "expected births per woman per year ≥ 0",
         "asfr of a lower zone before mx");
  rc = good;
  rc.steps[0].mortality[mx(3, 1, 1, 100)] = kInf;
  rc.steps[0].asfr[asfr(7, 0, 30)] = -1.0;
  rc.steps[0].srb[10] = 0.0;  // found before the step: all the checks run again, with the rates
  expect(rc,
         "InputError: year 2020–2021, zone 'Z3', group 'floating', sex male, mortality row 100: value inf; expected "
         "a death rate mx ≥ 0",
         "mx of a lower zone before asfr and srb");
  // In a later step that builds its tables, each kind of bad rate q's one test must catch (below −2, −2, between
  // −2 and 0, NaN), the lowest zone's reported; an open rate of 0 is the life table's own error, as before.
  for (const double bad : {-3.0, -2.0, -0.5, std::nan("")}) {
    rc = good;
    rc.steps[1].mortality[mx(12, 0, 1, 50)] = bad;
    rc.steps[1].mortality[mx(13, 1, 0, 0)] = std::nan("");
    expect(rc,
           "InputError: year 2021–2022, zone 'Z12', group 'registered', sex male, mortality row 50: value " +
               std::string(std::isnan(bad) ? "nan"
                           : bad == -3.0   ? "-3"
                           : bad == -2.0   ? "-2"
                                           : "-0.5") +
               "; expected a death rate mx ≥ 0",
           "mx in the second step");
  }
  rc = good;
  rc.steps[1].mortality[mx(2, 0, 0, 100)] = 0.0;
  const std::string open_zero = report(rc, true, true, 1);
  EXPECT_CONTAINS(open_zero, "zone 'Z2', group 'registered', sex female: life table from mx");
  EXPECT_CONTAINS(open_zero, "expected a rate > 0 to close the table");
  expect(rc, open_zero, "an open rate of 0");
  // Rates that q's test flags but that are good (−0, rates of 2 and more: the constant-hazard rows) are no error.
  rc = good;
  rc.steps[0].mortality[mx(5, 0, 0, 0)] = -0.0;
  rc.steps[0].mortality[mx(5, 0, 1, 40)] = -0.0;
  rc.steps[0].mortality[mx(5, 1, 0, 95)] = 2.5;
  rc.steps[1].mortality[mx(8, 1, 1, 99)] = 4.0;
  expect(rc, "", "-0 and death rates of 2 or more");
  // A bad fertility rate in the second step (the first runs), with a sex ratio at birth bad in a later zone.
  rc = good;
  rc.steps[1].asfr[asfr(15, 1, 49)] = -3.0;
  rc.steps[1].srb[3] = 0.0;
  expect(rc,
         "InputError: year 2021–2022, zone 'Z3': sex ratio at birth 0 males per female birth; expected a number > 0",
         "srb before asfr of a later zone");
  rc.steps[1].srb[3] = good.steps[1].srb[3];
  expect(rc,
         "InputError: year 2021–2022, zone 'Z15', group 'floating', sex female, age 49: fertility rate (asfr) -3; "
         "expected births per woman per year ≥ 0",
         "asfr in the second step");
  // Under the flow policy 'error' a floored cell stops the step; a bad fertility rate of any zone comes first.
  rc = good;
  rc.cfg.flow_policy = FlowPolicy::error;
  const std::string floored = report(rc, false, false, 1);
  ASSERT_NE(floored.find("flow policy 'error'"), std::string::npos) << floored;
  rc.steps[0].asfr[asfr(14, 0, 40)] = std::nan("");
  for (int threads : {1, 3})
    EXPECT_EQ(report(rc, false, false, threads),
              "InputError: year 2020–2021, zone 'Z14', group 'registered', sex female, age 40: fertility rate (asfr) "
              "nan; expected births per woman per year ≥ 0");
  // Values the bit test flags but the check accepts: −0 and rates of 2 or more are no error.
  rc = good;
  rc.steps[0].asfr[asfr(3, 0, 0)] = -0.0;
  rc.steps[0].asfr[asfr(3, 0, 30)] = -0.0;
  rc.steps[1].asfr[asfr(8, 1, 30)] = 2.5;
  rc.steps[1].asfr[asfr(8, 1, 100)] = 1e300;
  expect(rc, "", "-0 and large rates");
}

// In steps that reuse the last step's mortality (the provider's hint) and have no per-cell migration inputs, the
// checks before the step run over whole arrays (StepRunner::only_whole_array_checks) instead of zone by zone: a bad
// value a later step brings is still reported, and as the zones' checks report it (the lowest zone's, in check order).
TEST(ProjectionErrors, StepsThatReuseMortalityStillCheckTheirOtherSchedules) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  RandomCase good = random_case(8, 12, 4);
  for (StepSchedules& s : good.steps) {  // OD and transitions only: nothing per cell to check
    s.net_migrants.clear();
    s.external_in.clear();
    s.external_out.clear();
    s.external_out_rate.clear();
    s.net_migrants_total.assign(12 * 2, 0.0);  // checked as well (and takes the general path)
  }
  // The first step's schedules in full; later steps bring their sex ratios at birth, fertility rates and net
  // migrants totals and say mortality is unchanged (the buffer keeps the first step's, or its survival ratios).
  auto report = [](const RandomCase& rc, bool lean, int threads, int* builds = nullptr) {
    ProjectionConfig cfg = rc.cfg;
    cfg.threads = threads;
    cfg.cell_components = !lean;
    cfg.indicators = !lean;
    try {
      Projection p(cfg, rc.base);
      RecordingSink sink;
      p.run(
          [&](const StepContext& ctx, StepSchedules& s) {
            const StepSchedules& t = rc.steps[uz(ctx.step)];
            if (ctx.step == 0) {
              s = t;
              return;
            }
            s.srb = t.srb;
            s.asfr = t.asfr;
            s.net_migrants_total = t.net_migrants_total;
            s.mortality_unchanged = true;
          },
          sink);
      if (builds) *builds = p.mortality_builds();
    } catch (const InputError& e) {
      return std::string("InputError: ") + e.what();
    }
    return std::string();
  };
  auto expect = [&](const RandomCase& rc, const std::string& want, const char* what) {
    for (bool lean : {false, true})
      for (int threads : {1, 3})
        EXPECT_EQ(report(rc, lean, threads), want) << what << ", lean " << lean << ", " << threads;
  };
  for (bool lean : {false, true}) {
    int builds = 0;
    ASSERT_EQ(report(good, lean, 1, &builds), "");
    EXPECT_EQ(builds, 1) << "lean " << lean << ": the later steps should reuse the first step's mortality";
  }
  RandomCase rc = good;
  rc.steps[2].srb[7] = std::nan("");
  rc.steps[2].srb[4] = 0.0;
  rc.steps[2].srb[9] = -1.0;
  expect(rc,
         "InputError: year 2022–2023, zone 'Z4': sex ratio at birth 0 males per female birth; expected a number > 0",
         "srb 0 in the third step");
  for (const auto& [bad, shown] : {std::pair{-0.0, "-0"}, {-kInf, "-inf"}, {kInf, "inf"}}) {
    rc = good;
    rc.steps[3].srb[11] = bad;
    expect(rc,
           std::string("InputError: year 2023–2024, zone 'Z11': sex ratio at birth ") + shown +
               " males per female birth; expected a number > 0",
           "a bad srb in the last step");
  }
  rc = good;
  rc.steps[3].net_migrants_total[2 * 10 + 0] = -kInf;
  expect(rc,
         "InputError: year 2023–2024, zone 'Z10', group 'registered': net migrants total -inf; expected a finite "
         "number of persons",
         "a net migrants total alone");
  rc = good;
  rc.steps[1].net_migrants_total[2 * 5 + 1] = std::nan("");
  rc.steps[1].srb[6] = 0.0;
  expect(rc,
         "InputError: year 2021–2022, zone 'Z5', group 'floating': net migrants total nan; expected a finite number "
         "of persons",
         "a net migrants total before a later zone's srb");
  rc = good;
  rc.steps[2].asfr[(3 * 2 + 0) * 101 + 31] = -0.5;
  rc.steps[2].srb[8] = kInf;
  expect(rc,
         "InputError: year 2022–2023, zone 'Z3', group 'registered', sex female, age 31: fertility rate (asfr) "
         "-0.5; expected births per woman per year ≥ 0",
         "a fertility rate before a later zone's srb");
  // The least double above 0 is a sex ratio at birth all the same.
  rc = good;
  rc.steps[3].srb[0] = std::numeric_limits<double>::denorm_min();
  expect(rc, "", "srb denorm_min");
}

// Issue #16 (memory): while a run with indicators projects, the zone ids are held once, as the indicator table's first
// unit names (not also in the engine's config: 1.6 MB at 50,000 zones), and the config has them back when the run
// ends, by an error too; the step's errors still name their zone.
TEST(ProjectionErrors, ZoneIdsHeldOnceByTheTableWhileARunProjects) {
  const RandomCase good = random_case(21, 14, 3);
  std::vector<std::string> names = good.cfg.zone_ids;
  for (const ZoneAggregate& a : good.cfg.aggregates) names.push_back(a.name);
  names.push_back("total");
  struct Watch : ResultSink {
    const Projection* p = nullptr;
    int throw_at = -1;
    std::vector<std::size_t> ids_during;
    std::vector<std::vector<std::string>> units;
    std::vector<std::size_t> unit_room;
    void step(const StepResult& r) override {
      ids_during.push_back(p->config().zone_ids.size());
      if (r.indicators) {
        units.push_back(r.indicators->unit_names);
        unit_room.push_back(r.indicators->unit_names.capacity());
      }
      if (r.context.step == throw_at) throw ProjectionError("sink stops");
    }
  };
  for (int threads : {1, 2})
    for (bool indicators : {true, false}) {
      ProjectionConfig cfg = good.cfg;
      cfg.threads = threads;
      cfg.indicators = indicators;
      Projection p(cfg, good.base);
      Watch w;
      w.p = &p;
      p.run([&](const StepContext& ctx, StepSchedules& s) { s = good.steps[uz(ctx.step)]; }, w);
      EXPECT_EQ(p.config().zone_ids, good.cfg.zone_ids) << threads << indicators;
      ASSERT_EQ(w.ids_during.size(), 3u);
      for (std::size_t n : w.ids_during) EXPECT_EQ(n, indicators ? 0u : 14u) << threads << indicators;
      ASSERT_EQ(w.units.size(), indicators ? 3u : 0u);
      for (std::size_t k = 0; k < w.units.size(); ++k) {
        EXPECT_EQ(w.units[k], names) << k;
        EXPECT_EQ(w.unit_room[k], names.size()) << k;  // one array of exactly the names, not a doubled one
      }
      // A second run of the same engine finds them in its config again.
      Watch again;
      again.p = &p;
      again.throw_at = 1;  // and an error in the sink hands them back too
      EXPECT_THROW(p.run([&](const StepContext& ctx, StepSchedules& s) { s = good.steps[uz(ctx.step)]; }, again),
                   ProjectionError);
      EXPECT_EQ(p.config().zone_ids, good.cfg.zone_ids) << threads << indicators;
      ASSERT_EQ(again.units.size(), indicators ? 2u : 0u);
      if (indicators) {
        EXPECT_EQ(again.units[1], names);
      }
    }
  // An error of a later step names its zone from the table's names, and the config has its ids back after it.
  RandomCase rc = good;
  rc.steps[1].srb[9] = 0.0;
  for (int threads : {1, 2}) {
    ProjectionConfig cfg = rc.cfg;
    cfg.threads = threads;
    Projection p(cfg, rc.base);
    RecordingSink sink;
    const std::string m = cohortgis::test::error_of(
        [&] { p.run([&](const StepContext& ctx, StepSchedules& s) { s = rc.steps[uz(ctx.step)]; }, sink); });
    EXPECT_CONTAINS(m, "year 2021–2022, zone 'Z9': sex ratio at birth");
    EXPECT_EQ(p.config().zone_ids, good.cfg.zone_ids) << threads;
  }
}

// The error a parallel pass over the zones rethrows is the lowest zone's, whatever order the zones threw in; one slot,
// not one per zone.
TEST(ProjectionErrors, TheLowestZonesErrorIsKeptWhateverTheOrder) {
  detail::LowestZoneError errors;
  const auto error = [](int z) { return std::make_exception_ptr(InputError("zone " + std::to_string(z))); };
  EXPECT_NO_THROW(errors.rethrow());
  for (int z : {7, 3, 12, 5, 3}) errors.keep(z, error(z));
  EXPECT_EQ(cohortgis::test::error_of([&] { errors.rethrow(); }), "zone 3");
  EXPECT_NO_THROW(errors.rethrow());  // rethrown once: the next pass starts with none
  errors.keep(0, error(0));
  errors.keep(9, error(9));
  EXPECT_EQ(cohortgis::test::error_of([&] { errors.rethrow(); }), "zone 0");
  errors.keep(4, error(4));
  errors.clear();
  EXPECT_NO_THROW(errors.rethrow());
  // Threads keeping errors at once: still the lowest.
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int k = 0; k < 250; ++k) errors.keep(1000 - 4 * k - t, error(1000 - 4 * k - t));  // down to 4 − t
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(cohortgis::test::error_of([&] { errors.rethrow(); }), "zone 1");
}

// An OD matrix built for other counts than the run's (Python's set_od, or any caller of OdMigration): its edge runs
// and profile are sized by its own counts, and the step indexed them by the run's, reading past them (a flow from a
// zone the run lacks: SIGSEGV) or losing the persons sent to such a zone, silently. The step's size checks refuse it,
// naming both sets of counts, for every caller (round 27 checked it in the Python binding only).
TEST(ProjectionErrors, OdMatrixOfOtherCountsThanTheRunIsRefused) {
  const RandomCase good = random_case(7, 5, 2);  // 5 zones, 2 groups, 101 ages, one-year steps from 2020
  const auto error_with = [&](std::shared_ptr<const OdMigration> od) {
    RandomCase rc = good;
    rc.steps[1].od = std::move(od);
    return cohortgis::test::error_of([&] { run_case(rc, 2); });
  };
  const auto od = [](std::vector<OdFlow> flows, int zones, int groups, int n_ages) {
    return std::make_shared<const OdMigration>(std::move(flows), std::vector<double>{}, zones, groups, n_ages);
  };
  const auto refused = [](const std::string& built) {
    return "year 2021–2022: OD migration built for " + built +
           "; expected the projection's 5 zones, 2 groups and 101 age groups (the counts an OD matrix is built with: "
           "OdMigration, Python's set_od)";
  };
  // A flow to a zone the run lacks (its migrants were lost), more groups, other ages (no profile: nothing was read
  // past, the run went on as if the matrix were the run's).
  EXPECT_EQ(error_with(od({{0, 5, -1, 0.1}}, 6, 2, 101)), refused("6 zones, 2 groups and 101 age groups"));
  EXPECT_EQ(error_with(od({{0, 1, 2, 0.1}}, 5, 3, 101)), refused("5 zones, 3 groups and 101 age groups"));
  EXPECT_EQ(error_with(od({{0, 1, -1, 0.1}}, 5, 2, 1)), refused("5 zones, 2 groups and 1 age group"));
  // The run's own counts run; so does a default-constructed matrix (no flows, no counts: never read).
  EXPECT_EQ(error_with(od({{0, 1, -1, 0.1}}, 5, 2, 101)), "<no exception>");
  EXPECT_EQ(error_with(std::make_shared<const OdMigration>()), "<no exception>");
}
