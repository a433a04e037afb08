// SPDX-License-Identifier: Apache-2.0
// The vectorised loops of the indicators (private to engine/src): sums over the cells of a slot's states, pooled death
// rates, the TFR's terms and a single-year slot's sums of persons (indicator_kernels.cpp; the fold's pooled-mx sums,
// eight rows a vector where AVX-512 is: indicator_kernels_wide.cpp). Each is compiled for AVX-512, AVX2 and the
// baseline (COHORTGIS_KERNEL, or simd.hpp's pick_kernel) and gives the same bits on each.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cohortgis::detail {

// acc[i] += v[i].
void add_to(double* acc, const double* v, std::size_t n);
// The pooled-mx sums of one state and sex by life-table row (z: the grid's width; abridged rows 0 and 1 both read
// population index 0).
void add_mx(double* num, double* den, double* plain, const double* mx, const double* P0, const double* P1,
            std::size_t rows, int z);
// add_mx over the rows [r0, r1).
void add_mx_rows(double* num, double* den, double* plain, const double* mx, const double* P0, const double* P1,
                 std::size_t r0, std::size_t r1, int z);
// add_to into two slots' sums in one pass.
void add_to2(double* acc1, double* acc2, const double* v, std::size_t n);
// add_mx into two slots' sums in one pass, over the rows [r0, r1).
void add_mx2_rows(double* num1, double* den1, double* plain1, double* num2, double* den2, double* plain2,
                  const double* mx, const double* P0, const double* P1, std::size_t r0, std::size_t r1, int z);
// g0 += a, g1 += b, all = (all + a) + b: a zone's two states into an aggregate's sums.
void add_to3(double* g0, double* g1, double* all, const double* a, const double* b, std::size_t n);
// The pooled-mx sums Σ mx·w and Σ w of a zone's two states into an aggregate's (add_mx2_rows of each without the plain
// sums), single-year rows.
void add_mx3(double* num0, double* den0, double* num1, double* den1, double* num, double* den, const double* mx_a,
             const double* P0a, const double* P1a, const double* mx_b, const double* P0b, const double* P1b,
             std::size_t rows);
// add_mx3 of four consecutive zones in one pass: zone k's state a has its death rates at mx + k · mx_zone and its
// persons at P0 + k · zone and P1 + k · zone, its state b its rates mx_b and its persons b further.
void add_mx3_four(double* num0, double* den0, double* num1, double* den1, double* num, double* den, const double* mx,
                  std::size_t mx_b, std::size_t mx_zone, const double* P0, const double* P1, std::size_t b,
                  std::size_t zone, std::size_t rows);
// The terms rates_of_two_lanes keeps of a zone for add_w3_four, per sex (the women's, then the men's): a block of 16
// per four rows 4j … 4j + 3 (wa = (P0a + P1a) / 2, mx_a·wa, wb, mx_b·wb: four each), then where rows is not a
// multiple of four a block of the last four rows, rows − 4 … rows − 1. The blocks lie kKeptBlockStride doubles apart,
// so that kKeptZones zones' terms interleave, zone k's block 16k after zone 0's (IndicatorPass's ring): four zones'
// terms are then reached from one pointer (add_w3_four). The 8 doubles past the zones' blocks keep the blocks off a
// stride of 8 KB (every block in the same L1 set).
constexpr std::size_t kKeptZones = 64;
constexpr std::size_t kKeptBlockStride = 16 * kKeptZones + 8;
constexpr std::size_t kept_blocks_per_sex(std::size_t rows) { return rows / 4 + 1; }
// The doubles from a zone's first term to the block after its last (its women's, then men's blocks).
constexpr std::size_t kept_terms_span(std::size_t rows) { return 2 * kept_blocks_per_sex(rows) * kKeptBlockStride; }
// add_mx3_four from those terms (zone k's at w + 16k; single-year rows, the sums' rows [sex][row]): the same sums.
// (rates_of_two_lanes, pooled_life_tables.cpp, writes the terms.)
void add_w3_four(double* num0, double* den0, double* num1, double* den1, double* num, double* den, const double* w,
                 std::size_t rows);
// The same of sixteen zones (add_mx3_four of zones 0–3, then 4–7, 8–11 and 12–15): the same sums.
void add_w3_sixteen(double* num0, double* den0, double* num1, double* den1, double* num, double* den, const double* w,
                    std::size_t rows);
// add_to3 of four consecutive zones in one pass: zone k's state a at a + k · zone, its state b at that + b.
void add_to3_four(double* g0, double* g1, double* all, const double* a, std::size_t b, std::size_t zone, std::size_t n);
// acc[i] = (+0 + a[i]) + b[i].
void sum_of_two(double* acc, const double* a, const double* b, std::size_t n);

// What pooled_rates found: kRatesOk, the table can be built from the rates (every rate finite, the open one > 0);
// kRatesWithin, also none negative (what single_year_e0_e65_both would check again: its _checked variant).
constexpr int kRatesOk = 1, kRatesWithin = 2;
// The pooled rates of one sex by row (Σ mx·w / Σ w, or the plain mean where nobody is exposed) and their flags.
int pooled_rates(const double* num, const double* den, const double* plain, double n_mx, double* mx, std::size_t rows);
// The same from the cells of two states (a zone's "all" slot of two groups), without their sums.
int pooled_rates_of_two(const double* mx_a, const double* P0a, const double* P1a, const double* mx_b, const double* P0b,
                        const double* P1b, double* mx, std::size_t rows);
// The TFR's terms of a slot of several states: bma / expo where expo > 0, +0 elsewhere.
void tfr_terms(const double* bma, const double* expo, double* q, std::size_t n);
// The sum of tfr_terms, in age order from +0, of the sums of two states' births by age of mother and exposure (a
// zone's "all" slot of two groups): the bits of sum_of_two + tfr_terms + that sum, without the sums stored.
double tfr_of_two(const double* bma_a, const double* bma_b, const double* expo_a, const double* expo_b, std::size_t n);
// A zone of two groups' three TFR sums in one pass: out[0], out[1] the sums of the two states' schedules asfr_a and
// asfr_b in age order from +0 (the group slots' TFR), out[2] tfr_of_two's (the "all" slot's); the same bits. Unless
// null, ages = {lo, hi}: the ages it summed, outside which both schedules and both births are ±0 (lo = hi: none).
void tfr_zone_of_two(const double* asfr_a, const double* asfr_b, const double* bma_a, const double* bma_b,
                     const double* expo_a, const double* expo_b, std::size_t n, double (&out)[3],
                     std::uint32_t* ages = nullptr);

// The sums of persons of a single-year slot (slot_sums_single_year).
struct SlotSums {
  double start_total = 0.0, pop_f = 0.0, pop_m = 0.0, both_total = 0.0;
  double band[10] = {};
  double asfr_sum = 0.0;  // Σ asfr in age order from +0 (slot_sums_single_year2 with both slots' asfr)
};
void slot_sums_single_year(const double* start_f, const double* start_m, const double* Pf, const double* Pm,
                           double* both, double* cum, std::size_t ages, SlotSums& out);
// What slot_sums_single_year reads and writes for one slot (both, cum: written; the arrays do not overlap).
struct SlotSumsIn {
  const double *start_f, *start_m, *Pf, *Pm;
  double *both, *cum;
  const double* asfr = nullptr;  // the slot's one schedule (a state's), or none
};
// slot_sums_single_year of two slots in one interleaved pass (each slot's chains as in its own pass: the same bits).
void slot_sums_single_year2(const SlotSumsIn& a, const SlotSumsIn& b, std::size_t ages, SlotSums& out_a,
                            SlotSums& out_b);
// The sums of persons of a zone's three slots of two groups (group 0, group 1, "all") on a single-year grid whose open
// age is 65 or above (ages ≥ 66), in one pass (slot_sums_zone_of_two): each slot's sums as slot_sums_single_year makes
// them from its own arrays ("all": the two states' cells added, as sum_of_two adds them, up to the sign of a zero,
// which no sum from +0 sees).
struct ZoneOfTwoIn {
  const double *start_fa, *start_ma, *start_fb, *start_mb;  // unread when the start totals are given
  const double *Pfa, *Pma, *Pfb, *Pmb;                      // the end population
  // The three slots' start totals, carried from the last step's end_chain (IndicatorPass::carry_zone_start_totals),
  // or null: summed from the start population.
  const double* start_given = nullptr;
};
struct ZoneOfTwoOut {
  SlotSums sums[3];  // asfr_sum: left +0 (tfr_zone_of_two)
  // Written: the running totals of both sexes before each age and the total, [age + 1][4] (lanes: group 0, group 1,
  // "all", one unread; both sexes of an age: the women's cells + the men's, "all" (fa + fb) + (ma + mb)); scratch of
  // [2 · age][4].
  double *cum = nullptr, *scratch = nullptr;
  // Per slot: the chain of the end population's female ages then its male ones from +0, the bits of the next step's
  // start total (its start population is this end population); whether no age's persons are < 0 (the running totals
  // never decrease).
  double end_chain[3] = {};
  bool no_negative[3] = {};
};
void slot_sums_zone_of_two(const ZoneOfTwoIn& in, std::size_t ages, ZoneOfTwoOut& out);
// The ages of the medians of slot_sums_zone_of_two's three lanes (cum, [age + 1][4]): for lane k the first age i < n
// whose running total after it, cum[4(i + 1) + k], is ≥ half the lane's total, or n, searched without branches.
// guess (unless null): an age per lane tested first, with the ages either side of it (the same answers where the
// lane's totals never decrease, whatever the guesses).
void lane_medians_at(const double* cum, std::size_t n, std::size_t (&at)[3], const std::uint16_t* guess = nullptr);
// Whether every v[0 … n−1] < x (false for a NaN).
bool all_below(const double* v, std::size_t n, double x);

}  // namespace cohortgis::detail
