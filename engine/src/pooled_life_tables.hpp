// SPDX-License-Identifier: Apache-2.0
// The pooled units' life tables several at a time (a zone's "all" slot of two groups, every year: its mid-year
// weights change, so its tables are built again each year): a vector lane per unit and sex.
#pragma once

#include <cstddef>
#include <vector>

#include "cohortgis/engine/life_table.hpp"

namespace cohortgis::detail {

// Units per batch: four units × two sexes = eight lanes (one AVX-512 vector, two AVX2 ones).
constexpr std::size_t kTableUnits = 4;

// Whether pooled_e0_e65 takes tables of `rows` single-year rows under `method`: the method's conditions of
// single_year_e0_e65_both's fast path (rows ≥ 3, a finite radix > 0, a given q0 finite in [0, 1)). Otherwise the
// caller builds each table alone, as before (whatever that path throws, it throws there).
bool pooled_tables_take(const LifeTableMethod& method, std::size_t rows);

// Eight lanes: lane 2j is unit j's women, 2j + 1 its men.
constexpr std::size_t kTableLanes = 2 * kTableUnits;

struct PooledTablesScratch {
  std::vector<double> lanes;  // the units' rates by row and lane, [row][lane]
  std::vector<double> terms;  // the rows' terms of T, [row][lane]
  std::vector<double> alone;  // a unit's rates [sex][row] for its table alone
  LifeTable lt;               // a unit that takes the constant-hazard fallback: its table alone
};

// e0 and e65 [sex] of n ≤ kTableUnits units (pooled_tables_take: true), rates[j] unit j's pooled rates [sex][row] with
// every rate within [0, DBL_MAX] and the open one > 0 (kRatesWithin of both sexes): the bits of
// single_year_e0_e65_both_checked of each unit. Every lane does that function's operations in its order; a unit with
// a row whose q exceeds 1 (the constant-hazard fallback) is built again alone by that function.
void pooled_e0_e65(const double* const* rates, std::size_t n, std::size_t rows, const LifeTableMethod& method,
                   PooledTablesScratch& sc, double (*e0)[2], double (*e65)[2], unsigned below2 = 0);
// The same of rates already in lanes: mx[kTableLanes·r + 2j + s] is unit j's rate of sex s at row r (sc.lanes may be
// mx). below2 (both): a bit per unit j (1 << j) whose rates are all known to be within [0, 2), so that none of its
// rows takes the fallback (rates_of_two_lanes); the other units' rows are tested.
void pooled_e0_e65_lanes(const double* mx, std::size_t n, std::size_t rows, const LifeTableMethod& method,
                         PooledTablesScratch& sc, double (*e0)[2], double (*e65)[2], unsigned below2);
// A zone's "all" slot's pooled rates of its two states (pooled_rates_of_two of each sex: the same operations, so the
// same rates) into lanes 0 and 1 of `out` (row r's at out[kTableLanes·r]), and each sex's flags (pooled_rates).
// The states' sexes: `rows` apart in the rates, `ages` apart in the populations. True where every rate is found
// within [0, 2) (then both flags are kRatesOk | kRatesWithin); false says nothing. Where rows ≥ 4 and `weights` is
// not null (then rows must equal ages), also the terms that an aggregate's fold adds (add_w3_four), in its layout
// (kKeptBlockStride): wa = (P0a + P1a) / 2, mx_a·wa, wb and mx_b·wb of each row.
bool rates_of_two_lanes(const double* mx_a, const double* P0a, const double* P1a, const double* mx_b, const double* P0b,
                        const double* P1b, std::size_t rows, std::size_t ages, double* out, int* flags,
                        double* weights = nullptr);

}  // namespace cohortgis::detail
