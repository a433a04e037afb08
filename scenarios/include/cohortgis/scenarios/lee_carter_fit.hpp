// SPDX-License-Identifier: Apache-2.0
// Lee & Carter (1992) fitted to a mortality history by the singular value decomposition of log mx (Eigen's JacobiSVD),
// the model behind `[stochastic] lee_carter.fit` (scenarios/README.md "Probabilistic projections"). Pure function,
// tested against schedules built from known a, b, k (tests/scenarios/test_stochastic_inputs.cpp).
#pragma once

#include <span>
#include <vector>

namespace cohortgis::scenarios {

// ln m(x, t) = a_x + b_x k_t + ε(x, t) with Σ_x b_x = 1 and Σ_t k_t = 0 (Lee & Carter 1992, eq. 1 and the
// normalisation of their §2): a_x = mean over t of ln m(x, t); with M = ln m − a (ages × years) = Σ s_i u_i v_iᵀ,
// b = u_1 / Σ u_1 and k = s_1 (Σ u_1) v_1. k as a random walk with drift: drift = (k_T − k_1) / (year_T − year_1)
// per year; innovation variance per year σ² = Σ_i (Δk_i − drift·h_i)² / h_i / (T − 2), h_i the gap in years between
// periods i and i+1 (with annual periods: the sample variance of Δk about the drift, Lee & Carter 1992 §4).
struct LeeCarterFit {
  std::vector<int> years;
  std::vector<double> ax, bx;  // per age row
  std::vector<double> kt;      // per period
  double drift_per_year = 0.0;
  double k_sd_per_year = 0.0;
  double explained = 0.0;  // s_1² / Σ s_i²: the share of the variance of M the first component carries
};

// mx: [period][age] (positive), years ascending, at least three periods. Throws std::invalid_argument otherwise.
LeeCarterFit fit_lee_carter(std::span<const double> mx, const std::vector<int>& years, int ages);

}  // namespace cohortgis::scenarios
