// SPDX-License-Identifier: Apache-2.0
// Rogers' multistate (multiregional) projection: the linear-integration multistate life table and its projection
// survivorship, for the states of one zone (its population groups) and one sex.
//
// Sources: A. Rogers (1975), Introduction to Multiregional Mathematical Demography, Wiley, ch. 3 (the multiregional
// life table, linear integration of l(x) over the age interval) and ch. 5 (the multiregional projection: the
// generalized Leslie matrix with S(x) = L(x+z) L(x)^-1 and births from the average exposure); F. Willekens and
// A. Rogers (1978), Spatial Population Analysis: Methods and Computer Programs, IIASA RR-78-18, ch. 2 (M(x), P(x),
// l(x), L(x)) and ch. 3 (projection). Equation numbers are not quoted: they were not checked against the texts.
//
// Matrices act on column vectors of states: column j is the state of origin, row k the state at the end.
// M(x) (per person per year): M_jj = mu_j + sum over k != j of m_jk (death and every move out of j), M_kj = -m_jk.
#pragma once

#include <Eigen/Dense>
#include <span>
#include <vector>

#include "cohortgis/engine/projection_method.hpp"
#include "cohortgis/engine/types.hpp"

namespace cohortgis {

// The largest number of states of one zone the multistate step takes (matrices live on the stack).
inline constexpr int kMaxMultistateStates = 16;
using StateMatrix =
    Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor, kMaxMultistateStates, kMaxMultistateStates>;

// P = (I + h·M)^-1 (I − h·M), h = width_years / 2: the probabilities that a person in state j at exact age x is in
// state k at exact age x + width (Rogers 1975 ch. 3, linear integration). Throws InputError when I + h·M is singular.
StateMatrix linear_transition_probabilities(const StateMatrix& M, double width_years);

// The projection survivorship matrices of one zone and sex for a step of grid.width_years, by grid index:
//   S[0]  newborns: L(0)·l(0)^-1 / z (births of the step by state of birth → survivors at the end, by state);
//   S[i]  = L(i)·L(i−1)^-1 (persons at index i−1 at t → index i at t+z), i = 1 … w−1;
//   S[w]  the open group by `open` (keep: applies to K(w−1) + K(w); drop: to K(w−1) alone).
// M_rows: M(x) per life-table row. abridged_first: rows 0 (1 year) and 1 (4 years) make up grid index 0 of a
// five-year grid (P(0) = P_4·P_1, L(0) = ½(I + P_1) + 2(I + P_4)·P_1 per unit radix), and row r ≥ 1 is index r − 1;
// otherwise row i is index i. P_out (optional, size w + 1): P(i) of each grid index (the abridged product for 0;
// for the open group only under `drop`, 0 under `keep`, which does not use it).
// Throws InputError when a matrix to invert is singular (e.g. an open group without deaths under `keep`).
void multistate_survivorship(const AgeGrid& grid, std::span<const StateMatrix> M_rows, bool abridged_first,
                             OpenAgeSurvivors open, std::span<StateMatrix> S, std::span<StateMatrix> P_out = {});

// The death rate of the one-state linear-integration table whose survival over one interval is s:
// p = (1 − h·mu)/(1 + h·mu) solved for mu, h = width/2. Used for mortality given as Lx or survival ratios, where the
// given survival fixes who survives and this rate only weighs deaths against moves in M(x).
double linear_death_rate(double survival, double width_years);

}  // namespace cohortgis
