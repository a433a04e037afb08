// SPDX-License-Identifier: Apache-2.0
// Deaths by age and period (design note A4): the split factors φ of a life table, and the deaths of a step split by
// the age they were reached at, per state and for a zone's states in one pass. Split from ccmpp_step.cpp by concern.
#include <cstddef>
#include <span>
#include <string>

#include "cohortgis/engine/ccmpp_step.hpp"
#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/life_table.hpp"
#include "simd.hpp"

namespace cohortgis {

namespace {
using Ages4 = double __attribute__((vector_size(32)));  // four cells (element-wise: every width gives the same bits)
}  // namespace

// Design note A4.
void age_period_death_split(const LifeTable& lt, int open_age, std::span<double> phi) {
  const std::size_t w = uz(open_age);
  if (lt.rows() < w + 1 || phi.size() != w)
    throw InputError("age_period_death_split: life table or output does not match the open age " +
                     std::to_string(open_age));
  auto ratio = [](double num, double den) { return (num == 0.0 && den == 0.0) ? 1.0 : num / den; };
  for (std::size_t i = 0; i + 1 < w; ++i) phi[i] = ratio(lt.Lx[i] - lt.lx[i + 1], lt.Lx[i] - lt.Lx[i + 1]);
  phi[w - 1] = ratio(lt.Lx[w - 1] - lt.lx[w], lt.Lx[w - 1]);
}

// Element-wise (each D_age[i] from its own D and φ, no sums), so every vector width gives the same bits.
COHORTGIS_KERNEL void age_period_deaths(std::span<const double> D, std::span<const double> phi,
                                        std::span<double> D_age) {
  const std::size_t w = D.size() - 1;
  D_age[0] = D[0] + phi[0] * D[1];
#pragma GCC unroll 4  // the vectorised loop four times per trip: less loop overhead per vector
  for (std::size_t i = 1; i < w; ++i) D_age[i] = (1.0 - phi[i - 1]) * D[i] + phi[i] * D[i + 1];
  D_age[w] = (1.0 - phi[w - 1]) * D[w];
}

namespace detail {
// age_period_deaths of `states` consecutive state-sex vectors of n_ages (D, φ and D_age each [state][age]; φ's last
// element of each state unread by the formula) in one pass: the inner ages' formula over every cell but the first and
// the last, then each state's age 0 and open age written again with their own formulas (the cells across two states
// read their neighbours, within the arrays, and are overwritten). Element-wise, each D_age[i] from the same operations
// as age_period_deaths: the same bits at every vector width. One call per zone instead of one per state and sex
// (0.95 M instructions a year at 1,000 zones, of which about a third the calls' set-up and loop tails).
// The inner cells [1, n − 1): eight vectors a trip while 32 are left, then four cells at a time, the last four again
// where fewer are left (each cell from D and φ alone, so the cells of the overlap get the same values again): the
// 2–31 cells past the trips took GCC's vector and scalar epilogues, ≈ 95 instructions a zone of 2 × 2 states.
COHORTGIS_KERNEL void age_period_deaths_states(const double* __restrict D, const double* __restrict phi,
                                               double* __restrict D_age, std::size_t n_ages, std::size_t states) {
  const std::size_t w = n_ages - 1, n = n_ages * states;
  const std::size_t trips_end = n < 2 ? 1 : 1 + (n - 2) / 32 * 32;
#pragma GCC unroll 8  // as age_period_deaths, eight vectors a trip (≈ 100 a zone: less loop overhead)
  for (std::size_t j = 1; j < trips_end; ++j) D_age[j] = (1.0 - phi[j - 1]) * D[j] + phi[j] * D[j + 1];
  const Ages4 one = {1.0, 1.0, 1.0, 1.0};
  const auto four = [&](std::size_t j) __attribute__((always_inline)) {  // cells j … j + 3
    Ages4 before, d, p, next;
    load_vec(before, phi + j - 1), load_vec(d, D + j), load_vec(p, phi + j), load_vec(next, D + j + 1);
    store_vec(D_age + j, (one - before) * d + p * next);
  };
  if (n >= 6) {  // at least four inner cells
    std::size_t j = trips_end;
#pragma GCC unroll 1
    for (; j + 4 < n; j += 4) four(j);
    if (j + 1 < n) four(n - 5);
  } else {
    for (std::size_t j = 1; j + 1 < n; ++j) D_age[j] = (1.0 - phi[j - 1]) * D[j] + phi[j] * D[j + 1];
  }
  for (std::size_t o = 0; o < n; o += n_ages) {
    D_age[o] = D[o] + phi[o] * D[o + 1];
    D_age[o + w] = (1.0 - phi[o + w - 1]) * D[o + w];
  }
}
}  // namespace detail

}  // namespace cohortgis
