// SPDX-License-Identifier: Apache-2.0
// The linear-integration multistate life table and its projection survivorship (multistate.hpp for the sources).
#include "cohortgis/engine/multistate.hpp"
#include "cohortgis/engine/index_cast.hpp"

#include <cmath>
#include <string>

namespace cohortgis {

namespace {

// The algorithm is written once over the matrix type: fixed-size matrices for up to 4 states (Eigen inverts them by
// cofactors, with no pivoting loop: the common case of 2–4 groups per zone stays a few dozen flops per age group),
// StateMatrix with an LU of partial pivoting above that.
template <class Mat>
Mat inverse_checked(const Mat& A, const char* what) {
  Mat R;
  double det = 0.0;
  if constexpr (Mat::RowsAtCompileTime != Eigen::Dynamic) {
    det = A.determinant();
    if (std::abs(det) > 0.0 && std::isfinite(det)) R = A.inverse();
  } else {
    const Eigen::PartialPivLU<Mat> lu(A);
    det = lu.determinant();
    if (std::abs(det) > 0.0 && std::isfinite(det)) R = lu.inverse();
  }
  if (!(std::abs(det) > 0.0) || !std::isfinite(det) || !R.allFinite())
    throw InputError(std::string("multistate life table: ") + what + " is singular");
  return R;
}

// Element by element between the fixed-size and the StateMatrix types (Eigen's packet copy between them trips GCC
// 12's -Warray-bounds on 1×1 and 3×3 matrices).
template <class Dst, class Src>
void copy_into(Dst& dst, const Src& src) {
  dst.resize(src.rows(), src.cols());
  for (Eigen::Index c = 0; c < src.cols(); ++c)
    for (Eigen::Index r = 0; r < src.rows(); ++r) dst(r, c) = src(r, c);
}

template <class Mat>
Mat identity_like(const Mat& M) {
  return Mat::Identity(M.rows(), M.cols());
}

template <class Mat>
Mat probabilities(const Mat& M, double width_years) {
  const double h = width_years / 2.0;
  const Mat I = identity_like(M);
  return inverse_checked(Mat(I + h * M), "I + (z/2)·M(x)") * (I - h * M);
}

template <class Mat, class Rows>
void survivorship(const AgeGrid& grid, const Rows& M_rows, bool abridged_first, OpenAgeSurvivors open,
                  std::span<StateMatrix> S, std::span<StateMatrix> P_out) {
  const std::size_t w = uz(grid.open_index());
  const double z = grid.width_years;
  const std::size_t shift = abridged_first ? 1 : 0;
  const Mat I = identity_like(M_rows(0));
  // Per-thread scratch: no allocation per zone and sex.
  static thread_local std::vector<Mat> P, K;
  P.resize(w + 1);
  K.resize(w + 1);
  // P(i) and K(i), L(i) = K(i)·l(i) (person-years in the interval per unit of l at its start):
  // K(i) = z/2·(I + P(i)), linear integration of l over the interval (Rogers 1975 ch. 3).
  if (abridged_first) {  // 0–1 and 1–4: P(0) = P_4·P_1;  L(0) = ½(l(0) + l(1)) + 4/2·(l(1) + l(5))
    const Mat P1 = probabilities(M_rows(0), 1.0);
    const Mat P4 = probabilities(M_rows(1), 4.0);
    P[0] = P4 * P1;
    K[0] = 0.5 * (I + P1) + 2.0 * (I + P4) * P1;
  } else {
    P[0] = probabilities(M_rows(0), z);
    K[0] = (z / 2.0) * (I + P[0]);
  }
  // The open group's own P(w) exists only under `drop` ([w, w+z) closed); `keep` uses M(w)^-1 alone, so a high
  // open-group death rate (z/2·mu ≥ 1 is common at 85+) is no error there.
  const std::size_t closed_up_to = open == OpenAgeSurvivors::drop ? w : w - 1;
  for (std::size_t i = 1; i <= closed_up_to; ++i) {
    P[i] = probabilities(M_rows(i + shift), z);
    K[i] = (z / 2.0) * (I + P[i]);
  }
  if (closed_up_to < w) P[w] = Mat::Zero(I.rows(), I.cols());
  // Newborns: births over the step are spread evenly, so the survivors at its end are L(0)·l(0)^-1 / z of them
  // (the one-state S[0] = L_0 / (z·l_0) of docs/ccmpp.md A1).
  copy_into(S[0], Mat(K[0] / z));
  // S(x) = L(x+z)·L(x)^-1 = K(i)·P(i−1)·l(i−1)·(K(i−1)·l(i−1))^-1 = K(i)·P(i−1)·K(i−1)^-1 (Rogers 1975 ch. 5).
  for (std::size_t i = 1; i < w; ++i) copy_into(S[i], Mat(K[i] * P[i - 1] * inverse_checked(K[i - 1], "L(x)")));
  if (open == OpenAgeSurvivors::keep) {
    // T(w) = M(w)^-1·l(w) (the open interval, Rogers 1975 ch. 3), T(w−1) = L(w−1) + T(w); S(w) = T(w)·T(w−1)^-1,
    // applied to everyone at w−1 and w at t (as the one-state S[w] = T_w / T_{w−1} of docs/ccmpp.md A1).
    const Mat Tw = inverse_checked(M_rows(w + shift), "M(x) of the open age group (no deaths there?)") * P[w - 1];
    copy_into(S[w], Mat(Tw * inverse_checked(Mat(K[w - 1] + Tw), "T(w-1)")));
  } else {
    // [w, w+z) closed: S = L(w)·L(w−1)^-1 like any other interval; the open group's own survivors are dropped.
    copy_into(S[w], Mat(K[w] * P[w - 1] * inverse_checked(K[w - 1], "L(x)")));
  }
  if (!P_out.empty())
    for (std::size_t i = 0; i <= w; ++i) copy_into(P_out[i], P[i]);
}

template <int N>
void survivorship_fixed(const AgeGrid& grid, std::span<const StateMatrix> M_rows, bool abridged_first,
                        OpenAgeSurvivors open, std::span<StateMatrix> S, std::span<StateMatrix> P_out) {
  using Mat = Eigen::Matrix<double, N, N>;
  survivorship<Mat>(
      grid,
      [&](std::size_t r) {
        Mat m;
        copy_into(m, M_rows[r]);
        return m;
      },
      abridged_first, open, S, P_out);
}

}  // namespace

StateMatrix linear_transition_probabilities(const StateMatrix& M, double width_years) {
  return probabilities(M, width_years);
}

double linear_death_rate(double survival, double width_years) {
  // p = (1 − h·mu)/(1 + h·mu)  ⇔  mu = (1 − p) / (h·(1 + p)).
  const double h = width_years / 2.0;
  return (1.0 - survival) / (h * (1.0 + survival));
}

void multistate_survivorship(const AgeGrid& grid, std::span<const StateMatrix> M_rows, bool abridged_first,
                             OpenAgeSurvivors open, std::span<StateMatrix> S, std::span<StateMatrix> P_out) {
  const std::size_t w = uz(grid.open_index());
  const std::size_t shift = abridged_first ? 1 : 0;
  if (S.size() != w + 1 || M_rows.size() != w + 1 + shift || (!P_out.empty() && P_out.size() != w + 1))
    throw InputError("multistate_survivorship: sizes do not match the age grid");
  if (abridged_first && grid.width_years != 5)
    throw InputError("multistate_survivorship: abridged rows 0 and 1-4 need a five-year grid");
  switch (M_rows[0].rows()) {
    case 1:
      return survivorship_fixed<1>(grid, M_rows, abridged_first, open, S, P_out);
    case 2:
      return survivorship_fixed<2>(grid, M_rows, abridged_first, open, S, P_out);
    case 3:
      return survivorship_fixed<3>(grid, M_rows, abridged_first, open, S, P_out);
    case 4:
      return survivorship_fixed<4>(grid, M_rows, abridged_first, open, S, P_out);
    default:
      return survivorship<StateMatrix>(
          grid, [&](std::size_t r) -> const StateMatrix& { return M_rows[r]; }, abridged_first, open, S, P_out);
  }
}

}  // namespace cohortgis
