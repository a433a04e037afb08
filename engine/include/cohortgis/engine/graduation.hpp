// SPDX-License-Identifier: Apache-2.0
// Graduation: from the abridged schedules users usually hold to the single-year schedules the engine projects.
#pragma once

#include <span>
#include <vector>

#include "cohortgis/engine/life_table.hpp"

namespace cohortgis {

// Five-year age-specific fertility rates (births per woman per year) for mothers aged
// [first_age, first_age+5), [first_age+5, …), … to single-year rates for ages first_age … first_age+5k−1.
// Method: monotone cubic Hermite spline through cumulative fertility at the exact group boundaries, with the natural
// cubic spline's slopes passed through Hyman's (1983) monotonicity filter (Fritsch–Carlson region); single-year rate
// = difference of the spline over each year. The sum over each five-year group equals
// 5 × the group's rate exactly (to rounding), and no rate is negative.
// `ends` picks the cubic spline whose slopes the Hyman filter starts from (the graduation of a scenario's
// `fertility.schedule_graduation`): natural (S'' = 0 at both end knots; cohortgis's default) or fmm (Forsythe, Malcolm
// & Moler 1977: each end's third derivative that of the cubic through the four end knots; R's default spline, so
// fmm is DemoTools' `graduate_mono`, the UN's graduation: R's `splinefun(method = "hyman")`).
enum class SplineEnds { natural, fmm };
std::vector<double> graduate_asfr_five_to_single(std::span<const double> asfr_5y,
                                                 SplineEnds ends = SplineEnds::natural);

// Counts of persons in age groups [starts[k], starts[k+1]) (e.g. a census's 0, 1–4, 5–9, …, 80–84, 85+; the last group
// open) to single years starts[0] … starts.back() − 1, then the open group's count as given (the last element).
// Method: the same monotone cubic (Hyman-filtered natural spline) through the cumulative counts at the group
// boundaries; a single year's count is the spline's increase over that year, the last year of each group takes the
// group's count less the others, so every group's single years sum to its count exactly (to one rounding); none is
// negative (the cumulative count never falls). Throws InputError for a negative or non-finite count or starts that
// do not increase.
std::vector<double> graduate_counts_to_single_years(std::span<const double> counts, std::span<const int> starts);

// Abridged mx (0, 1–4, 5–9, …, open at `open_age_in`) to single-year mx for ages 0 … open_age_out (open).
// Method: build the abridged life table (`method`), interpolate ln l(x) at the exact ages 0, 1, 5, 10, … with the
// same monotone (Hyman-filtered) cubic spline, take single-year qx = 1 − l(x+1)/l(x) and mx = qx / (1 − (1 − ax) qx) with ax = 0.5
// (a0 from the abridged table at age 0, so m0 is kept). Survivorship l(x) at every abridged boundary is preserved.
// Ages at and above the abridged open age get the open group's rate (a constant hazard) when open_age_out is higher.
std::vector<double> graduate_abridged_mx_to_single(std::span<const double> mx_abridged, Sex sex, int open_age_out,
                                                   const LifeTableMethod& method = {});

}  // namespace cohortgis
