// SPDX-License-Identifier: Apache-2.0
// The pooled units' life tables several at a time (engine/src/pooled_life_tables.cpp): a lane per unit and sex must
// give each unit the bits of its table built alone (single_year_e0_e65_both), whatever the number of units, with rows
// that take the constant-hazard fallback, rates of 0 and tables with and without a row at 65; and a zone's "all" slot
// of two groups, whose tables wait for a batch of zones, the bits of its pooled rates' tables, on every path that
// computes it (compute_indicators, and a projection's zone pass at 1 and 3 threads).
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/indicators.hpp"
#include "cohortgis/engine/life_table.hpp"
#include "cohortgis/engine/projection.hpp"
#include "indicator_kernels.hpp"
#include "pooled_life_tables.hpp"
#include "projection_fixture.hpp"

using namespace cohortgis;

namespace {

std::uint64_t bits(double x) { return std::bit_cast<std::uint64_t>(x); }

// Unit u's pooled rates [sex][row]: a Gompertz-like curve of its own, with rows of 0, a subnormal rate and, in some
// units, rates above 2 (q = m / (1 + 0.5 m) > 1: the fallback) in either sex or at age 0.
std::vector<double> unit_rates(std::size_t u, std::size_t rows) {
  std::vector<double> mx(2 * rows);
  for (std::size_t s = 0; s < 2; ++s)
    for (std::size_t r = 0; r < rows; ++r)
      mx[s * rows + r] = (0.0004 + 0.00003 * static_cast<double>(u) + 0.0002 * static_cast<double>(s)) *
                         std::exp(0.085 * static_cast<double>(r));
  if (u % 3 == 1) mx[rows / 2] = 0.0;         // a row of 0 (q = 0)
  if (u % 4 == 2) mx[rows + rows / 3] = 2.5;  // the men's fallback at a middle row
  if (u % 5 == 3) mx[rows - 2] = 7.0;         // the women's, just below the open row
  if (u % 7 == 5) mx[0] = 40.0;               // age 0: q0 > 1 (unless q0 is given)
  if (u % 8 == 7) mx[rows + rows / 4] = 4e-320;  // a subnormal rate (q subnormal too)
  if (u % 6 == 4) {                           // men's rows of 0 (below the open row, which must be > 0)
    mx[rows + 1] = 0.0;
    if (rows > 4) mx[rows + 2] = 0.0;
  }
  return mx;
}

// The units' rates mx[u] [sex][row] in batches of kTableUnits: each unit's e0 and e65 the bits of its table alone;
// with `below2`, the batch told which of its units have every rate within [0, 2) (those rows are not tested for the
// fallback).
void expect_batches_same_as_alone(const std::vector<std::vector<double>>& mx, std::size_t rows,
                                  const LifeTableMethod& method, bool below2) {
  const std::size_t units = mx.size();
  detail::PooledTablesScratch sc;
  ASSERT_TRUE(detail::pooled_tables_take(method, rows));
  for (std::size_t first = 0; first < units; first += detail::kTableUnits) {
    const std::size_t n = std::min(detail::kTableUnits, units - first);
    const double* rates[detail::kTableUnits];
    for (std::size_t j = 0; j < n; ++j) rates[j] = mx[first + j].data();
    unsigned within = 0;
    for (std::size_t j = 0; j < n && below2; ++j)
      if (std::all_of(mx[first + j].begin(), mx[first + j].end(), [](double m) { return m >= 0.0 && m < 2.0; }))
        within |= 1u << j;
    double e0[detail::kTableUnits][2], e65[detail::kTableUnits][2];
    detail::pooled_e0_e65(rates, n, rows, method, sc, e0, e65, within);
    for (std::size_t j = 0; j < n; ++j) {
      SCOPED_TRACE("unit " + std::to_string(first + j) + " of " + std::to_string(units) + ", rows " +
                   std::to_string(rows));
      LifeTable lt;
      double want_e0[2], want_e65[2];
      single_year_e0_e65_both(std::span<const double>(rates[j], rows), std::span<const double>(rates[j] + rows, rows),
                              method, lt, want_e0, want_e65);
      for (int s = 0; s < 2; ++s) {
        EXPECT_EQ(bits(e0[j][s]), bits(want_e0[s])) << "sex " << s << ": " << e0[j][s] << " vs " << want_e0[s];
        EXPECT_EQ(bits(e65[j][s]), bits(want_e65[s])) << "sex " << s << ": " << e65[j][s] << " vs " << want_e65[s];
      }
    }
  }
}

// Units shift … shift + units − 1 (unit_rates) as above.
void expect_same_as_alone(std::size_t units, std::size_t rows, const LifeTableMethod& method, bool below2 = false,
                          std::size_t shift = 0) {
  std::vector<std::vector<double>> mx;
  for (std::size_t u = 0; u < units; ++u) mx.push_back(unit_rates(u + shift, rows));
  expect_batches_same_as_alone(mx, rows, method, below2);
}

}  // namespace

TEST(PooledLifeTables, EachLaneIsTheBitsOfItsTableAlone) {
  LifeTableMethod given_q0;
  given_q0.infant_mortality_q0 = 0.006;
  LifeTableMethod coale_demeny;
  coale_demeny.a0_rule = A0Rule::coale_demeny;
  coale_demeny.radix = 1.0;
  for (const LifeTableMethod& method : {LifeTableMethod{}, given_q0, coale_demeny})
    // w < 65, w = 65, w > 65; each with an odd and an even number of rows (the rows' loop takes two a trip)
    for (std::size_t rows : {3, 4, 40, 41, 66, 67, 68, 101, 102, 111})
      for (std::size_t units : {1, 2, 3, 4, 5, 7, 9}) expect_same_as_alone(units, rows, method);
}

// The batch told which units' rates are all within [0, 2) (rates_of_two_lanes finds it): the others' rows are still
// tested for the fallback, wherever in the batch the units with and without fallback rows sit.
TEST(PooledLifeTables, UnitsKnownBelowTwoSkipOnlyTheirOwnTest) {
  for (std::size_t rows : {40, 101})
    for (std::size_t shift = 0; shift < 12; ++shift)
      for (std::size_t units : {1, 2, 3, 4, 5, 6, 7, 8, 9})
        expect_same_as_alone(units, rows, LifeTableMethod{}, true, shift);
}

// Row 0 under the default rule (a0 from m0 by Andreev–Kingkade's segments, made for all lanes at once): m0 in each
// segment of each sex, at and next to the segments' bounds (women 0.01724 and 0.06891, men 0.0230 and 0.08307), 0,
// and rates whose q0 exceeds 1 (a0·m0 > 1: the table alone), each sex in either lane of a pair and every lane of a
// batch; the other rows as unit_rates' (below 2).
TEST(PooledLifeTables, InfantRowOfEveryAndreevKingkadeSegmentIsTheBitsOfItsTableAlone) {
  const std::size_t rows = 101;
  std::vector<double> m0s = {0.0, 1e-300, 0.0004, 0.01, 0.05, 0.07, 0.1, 0.5, 2.0, 3.0, 3.5, 40.0, 1e300};
  for (double bound : {0.01724, 0.0230, 0.06891, 0.08307})
    for (double m : {std::nextafter(bound, 0.0), bound, std::nextafter(bound, 1.0)}) m0s.push_back(m);
  std::vector<std::vector<double>> mx;
  for (std::size_t i = 0; i < m0s.size(); ++i)
    for (std::size_t k = 0; k < m0s.size(); k += 3) {  // women's m0 i, men's another, shifting along the batch
      std::vector<double> u = unit_rates(4 * i + k, rows);
      std::replace_if(
          u.begin(), u.end(), [](double m) { return m >= 2.0; }, 1.5);
      u[0] = m0s[i];
      u[rows] = m0s[(i + k) % m0s.size()];
      mx.push_back(u);
    }
  expect_batches_same_as_alone(mx, rows, LifeTableMethod{}, false);
  expect_batches_same_as_alone(mx, rows, LifeTableMethod{}, true);
  // An m0 the rule does not take (outside the batch's contract): an error, as of the table alone.
  for (double bad : {-0.01, std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN()})
    for (std::size_t s = 0; s < 2; ++s) {
      std::vector<double> u = unit_rates(0, rows);
      std::replace_if(
          u.begin(), u.end(), [](double m) { return m >= 2.0; }, 1.5);  // no row alone but row 0
      u[s * rows] = bad;
      const double* rates[1] = {u.data()};
      double e0[1][2], e65[1][2];
      detail::PooledTablesScratch sc;
      EXPECT_THROW(detail::pooled_e0_e65(rates, 1, rows, LifeTableMethod{}, sc, e0, e65, 0), InputError) << bad;
      LifeTable lt;
      EXPECT_THROW(
          single_year_e0_e65_both(std::span<const double>(u.data(), rows),
                                  std::span<const double>(u.data() + rows, rows), LifeTableMethod{}, lt, e0[0], e65[0]),
          InputError)
          << bad;
    }
}

TEST(PooledLifeTables, MethodsTheBatchDoesNotTake) {
  LifeTableMethod m;
  EXPECT_FALSE(detail::pooled_tables_take(m, 2));
  m.radix = 0.0;
  EXPECT_FALSE(detail::pooled_tables_take(m, 101));
  m.radix = 1.0;
  m.infant_mortality_q0 = 1.0;
  EXPECT_FALSE(detail::pooled_tables_take(m, 101));
  m.infant_mortality_q0 = 0.5;
  EXPECT_TRUE(detail::pooled_tables_take(m, 101));
}

// rates_of_two_lanes against pooled_rates_of_two, sex by sex: every rate's bits and the flags, on rates it takes
// at once (true: all within [0, 2)) and on those it makes again with that function's operations: a row where nobody
// is exposed, −0 rates whose products make a −0 numerator there (its rate +0 after the leading +0), a rate of 2 or
// more, a negative rate, a NaN, an infinite one, an open rate of 0, a negative population, subnormal persons; 3 to 25
// rows and 101 (every remainder of four and eight: four rows a vector, then the last four again), the odd row at the
// first, middle and last row (in the first block, a middle one and the last four made again).
TEST(PooledLifeTables, RatesInLanesAreTheBitsOfPooledRatesOfTwo) {
  enum Case {
    plain,
    unexposed,
    minus_zero,
    two,
    negative,
    nan_rate,
    inf,
    open_zero,
    negative_population,
    subnormal,
    kCases
  };
  std::vector<std::size_t> row_counts(23);
  std::iota(row_counts.begin(), row_counts.end(), std::size_t{3});
  row_counts.push_back(101);
  for (std::size_t rows : row_counts)
    for (int c = 0; c < kCases; ++c)
      for (std::size_t sex : {0, 1})
        for (std::size_t r1 : {std::size_t{0}, rows / 2, rows - 1}) {
          SCOPED_TRACE("rows " + std::to_string(rows) + ", case " + std::to_string(c) + ", sex " + std::to_string(sex) +
                       ", row " + std::to_string(r1));
          const std::size_t ages = rows + 2;  // the populations' sexes `ages` apart, the rates' `rows`
          std::vector<double> mx[2], p0[2], p1[2];
          for (std::size_t st = 0; st < 2; ++st) {
            mx[st].resize(2 * rows), p0[st].resize(2 * ages, -1.0), p1[st].resize(2 * ages, -1.0);
            for (std::size_t s = 0; s < 2; ++s)
              for (std::size_t r = 0; r < rows; ++r) {
                mx[st][s * rows + r] = (0.0003 + 0.0001 * double(st + s)) * std::exp(0.08 * double(r));
                p0[st][s * ages + r] = 500.0 / (1.0 + 0.2 * double(r) + 0.3 * double(st)) + double(s);
                p1[st][s * ages + r] = 480.0 / (1.0 + 0.21 * double(r) + 0.2 * double(st)) + double(s);
              }
          }
          const std::size_t x = sex * ages + r1, y = sex * rows + r1;
          switch (c) {
            case unexposed:
              p0[0][x] = p1[0][x] = p0[1][x] = p1[1][x] = 0.0;
              break;
            case minus_zero:
              mx[0][y] = mx[1][y] = -0.0;
              break;
            case two:
              mx[1][y] = 7.5;
              break;
            case negative:  // both states' (one alone may be outweighed by the other's positive rate)
              mx[0][y] = mx[1][y] = -0.25;
              break;
            case nan_rate:
              mx[1][y] = std::numeric_limits<double>::quiet_NaN();
              break;
            case inf:
              mx[0][y] = std::numeric_limits<double>::infinity();
              break;
            case open_zero:
              mx[0][sex * rows + rows - 1] = mx[1][sex * rows + rows - 1] = 0.0;
              break;
            case negative_population:
              p0[1][x] = -3000.0;
              break;
            case subnormal:  // Σ w subnormal (> 0), the products 0 or subnormal: the fast pass takes them
              p0[0][x] = p1[0][x] = 4e-320, p0[1][x] = 1e-321, p1[1][x] = 3e-321;
              break;
            default:
              break;
          }
          std::vector<double> lanes(detail::kTableLanes * rows, 99.0);
          int flags[2] = {-1, -1};
          const bool below2 = detail::rates_of_two_lanes(mx[0].data(), p0[0].data(), p1[0].data(), mx[1].data(),
                                                         p0[1].data(), p1[1].data(), rows, ages, lanes.data(), flags);
          bool all_below2 = true;
          for (std::size_t s = 0; s < 2; ++s) {
            std::vector<double> want(rows);
            const int want_flags = detail::pooled_rates_of_two(
                mx[0].data() + s * rows, p0[0].data() + s * ages, p1[0].data() + s * ages, mx[1].data() + s * rows,
                p0[1].data() + s * ages, p1[1].data() + s * ages, want.data(), rows);
            EXPECT_EQ(flags[s], want_flags) << "sex " << s;
            for (std::size_t r = 0; r < rows; ++r) {
              EXPECT_EQ(bits(lanes[detail::kTableLanes * r + s]), bits(want[r]))
                  << "sex " << s << " row " << r << ": " << lanes[detail::kTableLanes * r + s] << " vs " << want[r];
              all_below2 = all_below2 && want[r] >= 0.0 && want[r] < 2.0;
            }
          }
          // True only where every rate is below 2, and here only in the plain and subnormal cases (the others make the
          // rates again).
          EXPECT_EQ(below2, (c == plain || c == subnormal) && rows >= 4);
          if (below2) {
            EXPECT_TRUE(all_below2);
          }
          if (c == minus_zero) {
            EXPECT_EQ(bits(lanes[detail::kTableLanes * r1 + sex]), bits(0.0));
          }
        }
}

namespace {

constexpr int kG = 2;

// Zones of two groups on single years with their own populations, rates and births: some ages with nobody in zone
// z % 3 == 1 (the plain mean rate there), a rate above 2 in zone z % 4 == 2 (the fallback), zone z % 5 == 3 with a
// rate that makes its men's pooled rates not all finite (no table: NaN) where `infinite` (the step refuses it).
struct Zones {
  AgeGrid grid;
  int Z;
  CohortArray start, end;
  std::vector<double> mx;
  StepComponents comp;
  explicit Zones(int zones, bool infinite = true, int open_age = 100)
      : grid(AgeGrid::single_year(open_age)),
        Z(zones),
        start(CohortLayout{zones, kG, grid}),
        end(CohortLayout{zones, kG, grid}),
        mx(CohortLayout{zones, kG, grid}.cells()) {
    const int A = grid.n_ages;
    comp = cohortgis::test::state_components(Z * kG, A, 70.0, 15.0);
    for (int z = 0; z < Z; ++z)
      for (int g = 0; g < kG; ++g) {
        const std::size_t st = uz(z * kG + g);
        for (int s = 0; s < 2; ++s) {
          for (int i = 0; i < A; ++i) {
            const bool empty = z % 3 == 1 && s == 0 && (i == 20 || i == 90);
            start.at(z, g, s, i) = empty ? 0.0 : 900.0 / (1.0 + 0.29 * i + 0.05 * z + 0.6 * g + 0.1 * s);
            end.at(z, g, s, i) = empty ? 0.0 : 880.0 / (1.0 + 0.3 * i + 0.07 * z + 0.5 * g + 0.1 * s);
            mx[(st * 2 + uz(s)) * uz(A) + uz(i)] = (0.0002 + 0.0001 * g + 1e-5 * z) * std::exp(0.09 * i) + 0.0003 * s;
          }
          comp.births[st * 2 + uz(s)] = 300.0 + 10.0 * z + 5.0 * g + s;
        }
      }
    for (int z = 0; z < Z; ++z) {
      if (z % 4 == 2) mx[(uz(z * kG) * 2 + 1) * uz(A) + 50] = 9.0;  // group 0, men aged 50
      if (z % 5 == 3 && infinite) mx[(uz(z * kG + 1) * 2 + 1) * uz(A) + 40] = std::numeric_limits<double>::infinity();
    }
  }
};

// e0_female, e0_male, e65_female, e65_male, e0 of zone z's "all" slot, from its pooled rates made here (one state
// after the other from +0, the plain mean where nobody is exposed) and the tables built alone.
std::vector<double> expected_all(const CohortArray& start, const CohortArray& end, const std::vector<double>& mx,
                                 const StepComponents& comp, int z) {
  const int A = start.layout().grid.n_ages;
  std::vector<double> out(5, std::numeric_limits<double>::quiet_NaN());
  std::vector<double> pooled[2];
  bool finite[2] = {true, true};
  for (int s = 0; s < 2; ++s)
    for (int i = 0; i < A; ++i) {
      double num = 0.0, den = 0.0, plain = 0.0;
      for (int g = 0; g < kG; ++g) {
        const double w = (start.at(z, g, s, i) + end.at(z, g, s, i)) / 2.0;
        const double m = mx[((uz(z * kG + g)) * 2 + uz(s)) * uz(A) + uz(i)];
        num += m * w, den += w, plain += m;
      }
      const double r = den > 0.0 ? num / den : plain / ((0.0 + 1.0) + 1.0);
      finite[s] = finite[s] && std::isfinite(r);
      pooled[s].push_back(r);
    }
  if (finite[0] && finite[1]) {
    LifeTable lt;
    double e0[2], e65[2];
    single_year_e0_e65_both(pooled[0], pooled[1], LifeTableMethod{}, lt, e0, e65);
    out = {e0[0], e0[1], e65[0], e65[1], out[4]};
  } else {
    for (int s = 0; s < 2; ++s)
      if (finite[s]) {
        LifeTable lt;
        single_year_e0_e65(pooled[s], s == 0 ? Sex::female : Sex::male, LifeTableMethod{}, lt, out[uz(s)],
                           out[2 + uz(s)]);
      }
  }
  const std::size_t sa = uz(z * kG), sb = sa + 1;
  const double bf = (0.0 + comp.births[sa * 2]) + comp.births[sb * 2];
  const double bm = (0.0 + comp.births[sa * 2 + 1]) + comp.births[sb * 2 + 1];
  if (std::isfinite(out[0]) && std::isfinite(out[1])) {
    const double rho = bm / bf;
    out[4] = (out[0] + rho * out[1]) / (1.0 + rho);
  }
  return out;
}

void expect_all_slots(const IndicatorTable& t, const CohortArray& start, const CohortArray& end,
                      const std::vector<double>& mx, const StepComponents& comp) {
  for (int z = 0; z < start.layout().zones; ++z) {
    SCOPED_TRACE("zone " + std::to_string(z) + " of " + std::to_string(start.layout().zones));
    const std::vector<double> want = expected_all(start, end, mx, comp, z);
    const Indicator ids[5] = {Indicator::e0_female, Indicator::e0_male, Indicator::e65_female, Indicator::e65_male,
                              Indicator::e0};
    for (int k = 0; k < 5; ++k)
      EXPECT_EQ(bits(t.get(uz(z), 2, ids[k])), bits(want[uz(k)]))
          << indicator_name(ids[k]) << ": " << t.get(uz(z), 2, ids[k]) << " vs " << want[uz(k)];
  }
}

}  // namespace

TEST(PooledLifeTables, ZoneAllSlotsInBatchesAreTheBitsOfTheirTables) {
  // 101, 100 and 98 rows: the rates' last rows in a block of their own or in one that overlaps the one before.
  for (int open_age : {100, 99, 97})
    for (int Z : {1, 2, 3, 4, 5, 6, 9, 13}) {
      SCOPED_TRACE("open age " + std::to_string(open_age));
      const Zones c(Z, true, open_age);
      std::vector<std::string> ids;
      for (int z = 0; z < Z; ++z) ids.push_back("z" + std::to_string(z));
      IndicatorTable t;
      compute_indicators(c.start, c.end, c.comp, {}, c.mx, ids, {"g0", "g1"}, {}, {}, LifeTableMethod{}, t);
      expect_all_slots(t, c.start, c.end, c.mx, c.comp);
      if (Z == 13) {  // the cases: the plain mean rate, the fallback, no table of the men
        EXPECT_FALSE(std::isnan(t.get(1, 2, Indicator::e0_female)));
        EXPECT_TRUE(std::isnan(t.get(3, 2, Indicator::e0_male)));
        EXPECT_TRUE(std::isnan(t.get(3, 2, Indicator::e0)));
        EXPECT_FALSE(std::isnan(t.get(2, 2, Indicator::e0)));
      }
    }
}

// In a projection the zones' tables wait in each thread's batch during the zone pass; the last of them run after it.
TEST(PooledLifeTables, ZoneAllSlotsInTheZonePassAreTheBitsOfTheirTables) {
  for (int threads : {1, 3})
    for (int Z : {5, 11}) {
      SCOPED_TRACE("threads " + std::to_string(threads) + (Z == 5 ? ", no aggregate" : ", an aggregate"));
      const Zones c(Z, false);
      ProjectionConfig cfg;
      cfg.grid = c.grid;
      cfg.steps = 2;
      cfg.threads = threads;
      for (int z = 0; z < Z; ++z) cfg.zone_ids.push_back("z" + std::to_string(z));
      cfg.group_names = {"g0", "g1"};
      if (Z == 11) cfg.aggregates = {ZoneAggregate{"first", {0}}};  // units_from with units and without
      std::vector<double> asfr(uz(Z * kG * c.grid.n_ages), 0.0);
      for (std::size_t k = 0; k < asfr.size(); ++k)
        asfr[k] = k % uz(c.grid.n_ages) >= 15 && k % uz(c.grid.n_ages) < 50 ? 0.05 : 0.0;
      const test::RecordingSink sink =
          test::run_fixed_rates(cfg, c.start, c.mx, asfr, std::vector<double>(uz(Z), 1.05));
      ASSERT_EQ(sink.indicators.size(), 2u);
      for (std::size_t step = 0; step < 2; ++step) {
        SCOPED_TRACE("step " + std::to_string(step));
        expect_all_slots(sink.indicators[step], sink.populations[step], sink.populations[step + 1], c.mx,
                         sink.components[step]);
      }
    }
}
