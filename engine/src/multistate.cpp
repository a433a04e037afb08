// SPDX-License-Identifier: Apache-2.0
// The linear-integration multistate life table and its projection survivorship (multistate.hpp for the sources).
#include "cohortgis/engine/multistate.hpp"

#include <cmath>
#include <string>

namespace cohortgis {

namespace {

StateMatrix identity(Eigen::Index n) { return StateMatrix::Identity(n, n); }

// X·Y^-1 by an LU of Y (partial pivoting); InputError when Y is singular or the result is not finite.
StateMatrix right_divide(const StateMatrix& X, const StateMatrix& Y, const char* what) {
  const Eigen::PartialPivLU<StateMatrix> lu(Y.transpose());
  const double det = lu.determinant();
  if (!(std::abs(det) > 0.0) || !std::isfinite(det))
    throw InputError(std::string("multistate life table: ") + what + " is singular");
  StateMatrix R = lu.solve(X.transpose()).transpose();
  if (!R.allFinite()) throw InputError(std::string("multistate life table: ") + what + " is singular");
  return R;
}

}  // namespace

StateMatrix linear_transition_probabilities(const StateMatrix& M, double width_years) {
  const double h = width_years / 2.0;
  const StateMatrix I = identity(M.rows());
  const StateMatrix left = I + h * M;
  const Eigen::PartialPivLU<StateMatrix> lu(left);
  const double det = lu.determinant();
  if (!(std::abs(det) > 0.0) || !std::isfinite(det))
    throw InputError("multistate life table: I + (z/2)·M(x) is singular");
  StateMatrix P = lu.solve(StateMatrix(I - h * M));
  if (!P.allFinite()) throw InputError("multistate life table: I + (z/2)·M(x) is singular");
  return P;
}

double linear_death_rate(double survival, double width_years) {
  // p = (1 − h·mu)/(1 + h·mu)  ⇔  mu = (1 − p) / (h·(1 + p)).
  const double h = width_years / 2.0;
  return (1.0 - survival) / (h * (1.0 + survival));
}

void multistate_survivorship(const AgeGrid& grid, std::span<const StateMatrix> M_rows, bool abridged_first,
                             OpenAgeSurvivors open, std::span<StateMatrix> S, std::span<StateMatrix> P_out) {
  const std::size_t w = static_cast<std::size_t>(grid.open_index());
  const double z = grid.width_years;
  const std::size_t shift = abridged_first ? 1 : 0;
  if (S.size() != w + 1 || M_rows.size() != w + 1 + shift || (!P_out.empty() && P_out.size() != w + 1))
    throw InputError("multistate_survivorship: sizes do not match the age grid");
  if (abridged_first && grid.width_years != 5)
    throw InputError("multistate_survivorship: abridged rows 0 and 1-4 need a five-year grid");
  const Eigen::Index n = M_rows[0].rows();
  const StateMatrix I = identity(n);

  // P(i) and K(i), L(i) = K(i)·l(i) (person-years in the interval per unit of l at its start):
  // K(i) = z/2·(I + P(i)), linear integration of l over the interval (Rogers 1975 ch. 3).
  // Per-thread scratch: no allocation per zone and sex.
  static thread_local std::vector<StateMatrix> P, K;
  P.resize(w + 1);
  K.resize(w + 1);
  if (abridged_first) {  // 0–1 and 1–4: P(0) = P_4·P_1;  L(0) = ½(l(0) + l(1)) + 4/2·(l(1) + l(5))
    const StateMatrix P1 = linear_transition_probabilities(M_rows[0], 1.0);
    const StateMatrix P4 = linear_transition_probabilities(M_rows[1], 4.0);
    P[0] = P4 * P1;
    K[0] = 0.5 * (I + P1) + 2.0 * (I + P4) * P1;
  } else {
    P[0] = linear_transition_probabilities(M_rows[0], z);
    K[0] = (z / 2.0) * (I + P[0]);
  }
  for (std::size_t i = 1; i <= w; ++i) {
    P[i] = linear_transition_probabilities(M_rows[i + shift], z);
    K[i] = (z / 2.0) * (I + P[i]);
  }

  // Newborns: births over the step are spread evenly, so the survivors at its end are L(0)·l(0)^-1 / z of them
  // (the one-state S[0] = L_0 / (z·l_0) of docs/ccmpp.md A1).
  S[0] = K[0] / z;
  // S(x) = L(x+z)·L(x)^-1 = K(i)·P(i−1)·l(i−1)·(K(i−1)·l(i−1))^-1 = K(i)·P(i−1)·K(i−1)^-1 (Rogers 1975 ch. 5).
  for (std::size_t i = 1; i < w; ++i) S[i] = right_divide(StateMatrix(K[i] * P[i - 1]), K[i - 1], "L(x)");
  if (open == OpenAgeSurvivors::keep) {
    // T(w) = M(w)^-1·l(w) (the open interval, Rogers 1975 ch. 3), T(w−1) = L(w−1) + T(w); S(w) = T(w)·T(w−1)^-1,
    // applied to everyone at w−1 and w at t (as the one-state S[w] = T_w / T_{w−1} of docs/ccmpp.md A1).
    const Eigen::PartialPivLU<StateMatrix> lu(M_rows[w + shift]);
    const double det = lu.determinant();
    if (!(std::abs(det) > 0.0) || !std::isfinite(det))
      throw InputError("multistate life table: M(x) of the open age group is singular (no deaths there?)");
    const StateMatrix Tw = lu.solve(P[w - 1]);  // T(w) per unit of l(w−1)
    S[w] = right_divide(Tw, StateMatrix(K[w - 1] + Tw), "T(w-1)");
  } else {
    // [w, w+z) closed: S = L(w)·L(w−1)^-1 like any other interval; the open group's own survivors are dropped.
    S[w] = right_divide(StateMatrix(K[w] * P[w - 1]), K[w - 1], "L(x)");
  }
  if (!P_out.empty())
    for (std::size_t i = 0; i <= w; ++i) P_out[i] = P[i];
}

}  // namespace cohortgis
