// SPDX-License-Identifier: Apache-2.0
// single_year_step_mortality_lanes (the engine's step: a state's female and male tables, or two states', in one
// pass): each lane's S, φ, e0 and e65 are the bits single_year_step_mortality gives its table alone, and any table it
// would refuse makes the whole call refuse without writing anything (the step then takes the one-table path, whose
// errors are reported). The rates are checked in that pass (validate_zones leaves them to the step).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "../../engine/src/life_table_detail.hpp"
#include "cohortgis/engine/life_table.hpp"

namespace cohortgis {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

struct Out {
  std::vector<double> S, phi;
  double e0 = -1.0, e65 = -1.0;  // -1: not written
};

std::vector<double> gompertz(double level, std::size_t rows) {
  std::vector<double> mx(rows);
  for (std::size_t x = 0; x < rows; ++x) mx[x] = level * 0.00025 * std::exp(0.088 * static_cast<double>(x));
  mx[0] = 0.031 * level;
  return mx;
}

// The tables the lanes are drawn from (101 rows): ordinary, a·m > 1 from age 92 (the constant-hazard fallback rows),
// zero rates below the open age (φ 0/0 at row 10, 0 / (L_x − L_{x+1}) at row 11), rates the flag of q's pass fires on
// but that are good (−0; 2.5 and 5: q > 1). Four lanes take two rows a vector on AVX-512 CPUs (life_table_lanes.cpp).
std::vector<std::vector<double>> tables() {
  std::vector<std::vector<double>> t{gompertz(1.0, 101), gompertz(0.7, 101), gompertz(1.3, 101)};
  std::vector<double> steep = gompertz(1.0, 101);
  for (std::size_t x = 92; x < steep.size(); ++x) steep[x] = 2.5 + 0.2 * static_cast<double>(x - 92);
  t.push_back(steep);
  std::vector<double> zeros = gompertz(0.9, 101);
  zeros[10] = zeros[11] = 0.0;
  zeros[3] = -0.0;
  t.push_back(zeros);
  std::vector<double> flagged = gompertz(1.1, 101);
  flagged[1] = -0.0;
  flagged[50] = 2.5;
  flagged[97] = 5.0;
  t.push_back(flagged);
  return t;
}

// Runs the lanes over `mx` (one table per lane, sexes alternating), with φ or not, in place (S over a copy of the
// rates, as the lean step writes them over the schedule) or not. Returns whether the call built them.
bool run_lanes(std::vector<std::vector<double>>& mx, const LifeTableMethod& method, int open_age, bool phi,
               bool in_place, std::vector<Out>& out) {
  const std::size_t n = mx.size(), S_rows = static_cast<std::size_t>(open_age) + 1;
  out.assign(n, Out{});
  std::vector<detail::StepMortalityLane> lanes;
  for (std::size_t k = 0; k < n; ++k) {
    out[k].S.assign(S_rows, -1.0);
    out[k].phi.assign(phi ? S_rows - 1 : 0, -1.0);
    std::span<double> S = in_place ? std::span<double>(mx[k]).first(std::min(S_rows, mx[k].size())) : out[k].S;
    lanes.push_back({mx[k], k % 2 == 0 ? Sex::female : Sex::male, S, out[k].phi, &out[k].e0, &out[k].e65});
  }
  LifeTable scratch;
  const bool built = detail::single_year_step_mortality_lanes(lanes, method, open_age, scratch);
  if (in_place)
    for (std::size_t k = 0; k < n; ++k) std::copy_n(mx[k].begin(), std::min(S_rows, mx[k].size()), out[k].S.begin());
  return built;
}

// Whether two vectors hold the same bits (EXPECT_EQ's == takes −0 for +0).
bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

Out alone(const std::vector<double>& mx, Sex sex, const LifeTableMethod& method, int open_age, bool phi) {
  Out o;
  o.S.assign(static_cast<std::size_t>(open_age) + 1, -1.0);
  o.phi.assign(phi ? static_cast<std::size_t>(open_age) : 0, -1.0);
  LifeTable scratch;
  EXPECT_TRUE(single_year_step_mortality(mx, sex, method, open_age, scratch, o.S, o.phi, o.e0, o.e65));
  return o;
}

TEST(StepMortalityLanes, EachLaneIsItsTableAloneBitForBit) {
  const auto all = tables();
  LifeTableMethod cd;
  cd.a0_rule = A0Rule::coale_demeny;
  LifeTableMethod imr = cd;
  imr.infant_mortality_q0 = 0.04;
  LifeTableMethod ak_imr;  // the default rule with q0 given: a0 still from m0
  ak_imr.infant_mortality_q0 = 0.04;
  struct Grid {
    std::size_t rows;
    int open_age;
  };
  int cases = 0;
  for (const LifeTableMethod& method : {LifeTableMethod{}, cd, imr, ak_imr})
    // Every count of rows left over after blocks of 2 and 4 lanes (taken as the last rows again) in q, S and φ, and
    // grids too short for a block.
    for (const Grid g :
         {Grid{101, 100}, Grid{101, 85}, Grid{66, 65}, Grid{41, 40}, Grid{9, 7}, Grid{101, 99}, Grid{101, 98},
          Grid{100, 99}, Grid{99, 98}, Grid{98, 97}, Grid{8, 6}, Grid{6, 5}, Grid{5, 4}, Grid{4, 3}})
      for (std::size_t n : {2u, 4u})
        for (std::size_t first = 0; first < all.size(); ++first)
          for (bool phi : {true, false})
            for (bool in_place : {false, true}) {
              std::vector<std::vector<double>> mx;
              for (std::size_t k = 0; k < n; ++k) {
                const auto& t = all[(first + k) % all.size()];
                mx.emplace_back(t.begin(), t.begin() + static_cast<std::ptrdiff_t>(g.rows));
                mx.back()[g.rows - 1] = t[100];  // the open row's rate
              }
              const auto rates = mx;
              std::vector<Out> got;
              const std::string what = "lanes " + std::to_string(n) + ", first table " + std::to_string(first) +
                                       ", rows " + std::to_string(g.rows) + ", open age " + std::to_string(g.open_age) +
                                       (phi ? ", φ" : "") + (in_place ? ", in place" : "");
              ASSERT_TRUE(run_lanes(mx, method, g.open_age, phi, in_place, got)) << what;
              for (std::size_t k = 0; k < n; ++k) {
                const Out want = alone(rates[k], k % 2 == 0 ? Sex::female : Sex::male, method, g.open_age, phi);
                EXPECT_EQ(got[k].S, want.S) << what << ", lane " << k;
                EXPECT_EQ(got[k].phi, want.phi) << what << ", lane " << k;
                EXPECT_TRUE(same_bits(got[k].S, want.S) && same_bits(got[k].phi, want.phi)) << what << ", lane " << k;
                EXPECT_EQ(got[k].e0, want.e0) << what << ", lane " << k;
                EXPECT_EQ(got[k].e65, want.e65) << what << ", lane " << k;  // -1 without a row at 65
              }
              ++cases;
            }
  EXPECT_EQ(cases, 4 * 14 * 2 * 6 * 2 * 2);
}

// Tables whose survivors run out without the fallback rows (a rate of exactly 2 gives q = 1, so l and then L reach 0;
// a subnormal radix underflows to 0) or nearly (the largest radix): the lanes build exactly the tables the one-table
// path builds, bit for bit, and refuse the others (their rows' L are tested one by one only when some lane's l_w is
// not > 0).
TEST(StepMortalityLanes, SurvivorsRunningOutRefuseAsTheOneTablePath) {
  const auto all = tables();
  int built = 0, refused = 0;
  for (const double radix : {1.0, 1e-320, 1e-300, std::numeric_limits<double>::max()})
    for (const std::size_t row : {0u, 1u, 40u, 98u, 99u})  // a rate of 2 at row `row` (0: none)
      for (std::size_t n : {2u, 4u})
        for (std::size_t lane = 0; lane < n; ++lane) {
          LifeTableMethod method;
          method.radix = radix;
          std::vector<std::vector<double>> mx;
          for (std::size_t k = 0; k < n; ++k) mx.push_back(all[k == lane ? 0 : (k + 1) % 3]);
          if (row > 0) mx[lane][row] = 2.0;
          const auto rates = mx;
          std::vector<Out> got;
          const std::string what = "radix " + std::to_string(radix) + ", rate 2 at row " + std::to_string(row) +
                                   ", lanes " + std::to_string(n) + ", lane " + std::to_string(lane);
          bool all_alone = true;
          std::vector<Out> want(n);
          for (std::size_t k = 0; k < n; ++k) {
            want[k].S.assign(101, -1.0);
            want[k].phi.assign(100, -1.0);
            LifeTable scratch;
            all_alone = single_year_step_mortality(rates[k], k % 2 == 0 ? Sex::female : Sex::male, method, 100, scratch,
                                                   want[k].S, want[k].phi, want[k].e0, want[k].e65) &&
                        all_alone;
          }
          const bool lanes_built = run_lanes(mx, method, 100, true, false, got);
          ASSERT_EQ(lanes_built, all_alone) << what;
          for (std::size_t k = 0; k < n && lanes_built; ++k) {
            EXPECT_EQ(got[k].S, want[k].S) << what << ", lane " << k;
            EXPECT_EQ(got[k].phi, want[k].phi) << what << ", lane " << k;
            EXPECT_EQ(got[k].e0, want[k].e0) << what << ", lane " << k;
          }
          ++(lanes_built ? built : refused);
        }
  EXPECT_GT(built, 0);
  EXPECT_GT(refused, 0);
}

// A table the one-table path refuses, in any lane: false, and nothing written in any lane (S over the rates in place
// included), so that the step can take that path for each table and report its error.
TEST(StepMortalityLanes, ATableTheOneTablePathRefusesMakesTheCallRefuseUntouched) {
  struct Bad {
    std::size_t row;
    double value;
  };
  // Bad rates at the first, an inner, the last inner and the open row, of each kind q's one test must catch:
  // NaN, ±∞, below −2 (q > 2), −2 (q = −∞), between −2 and 0 (q < 0), a tiny negative; an open rate of 0; and
  // a rate so high that nobody survives it (q = 1, then L = 0, which the survival ratios refuse).
  const std::vector<Bad> bads{{0, kNaN},       {0, -0.5},   {0, kInf},    {40, kNaN},  {40, -0.001},
                              {40, -3.0},      {40, -2.0},  {40, kInf},   {40, -kInf}, {40, -1e300},
                              {41, -4.9e-324}, {99, kNaN},  {99, -1.0},   {100, kNaN}, {100, 0.0},
                              {100, -0.0},     {100, kInf}, {100, -0.02}, {30, 1e300}, {98, 1e300}};
  const auto all = tables();
  for (std::size_t n : {2u, 4u})
    for (std::size_t lane = 0; lane < n; ++lane)
      for (const Bad& b : bads)
        for (bool in_place : {false, true}) {
          std::vector<std::vector<double>> mx;
          for (std::size_t k = 0; k < n; ++k) mx.push_back(all[k]);
          mx[lane][b.row] = b.value;
          const auto rates = mx;
          std::vector<Out> got;
          const std::string what = "lanes " + std::to_string(n) + ", lane " + std::to_string(lane) + ", row " +
                                   std::to_string(b.row) + " = " + std::to_string(b.value) +
                                   (in_place ? ", in place" : "");
          EXPECT_FALSE(run_lanes(mx, LifeTableMethod{}, 100, true, in_place, got)) << what;
          {  // the one-table path refuses that table too
            Out o;
            o.S.assign(101, 0.0);
            o.phi.assign(100, 0.0);
            LifeTable scratch;
            EXPECT_FALSE(single_year_step_mortality(rates[lane], Sex::male, {}, 100, scratch, o.S, o.phi, o.e0, o.e65))
                << what;
          }
          for (std::size_t k = 0; k < n; ++k) {
            if (in_place) {
              EXPECT_TRUE(std::equal(mx[k].begin(), mx[k].end(), rates[k].begin(), rates[k].end(),
                                     [](double a, double c) { return std::memcmp(&a, &c, sizeof a) == 0; }))
                  << what << ": rates of lane " << k << " written";
            } else {
              EXPECT_EQ(got[k].S, std::vector<double>(101, -1.0)) << what << ", lane " << k;
            }
            EXPECT_EQ(got[k].phi, std::vector<double>(100, -1.0)) << what << ", lane " << k;
            EXPECT_EQ(got[k].e0, -1.0) << what << ", lane " << k;
            EXPECT_EQ(got[k].e65, -1.0) << what << ", lane " << k;
          }
        }
  // What the one-table path refuses besides the rates, and what only the lanes do.
  LifeTableMethod bad_radix;
  bad_radix.radix = 0.0;
  LifeTableMethod bad_imr;
  bad_imr.infant_mortality_q0 = 1.0;
  std::vector<Out> got;
  auto four = [&] { return std::vector<std::vector<double>>{all[0], all[1], all[2], all[3]}; };
  auto mx = four();
  EXPECT_FALSE(run_lanes(mx, bad_radix, 100, true, false, got));
  EXPECT_FALSE(run_lanes(mx, bad_imr, 100, true, false, got));
  EXPECT_FALSE(run_lanes(mx, LifeTableMethod{}, 101, true, false, got));  // the grid's open age past the rows
  EXPECT_FALSE(run_lanes(mx, LifeTableMethod{}, 1, true, false, got));
  mx[2].pop_back();  // tables of different lengths
  EXPECT_FALSE(run_lanes(mx, LifeTableMethod{}, 90, true, false, got));
  mx = four();
  mx.pop_back();  // three lanes
  EXPECT_FALSE(run_lanes(mx, LifeTableMethod{}, 100, true, false, got));
  for (const Out& o : got) EXPECT_EQ(o.e0, -1.0);
}

}  // namespace
}  // namespace cohortgis
