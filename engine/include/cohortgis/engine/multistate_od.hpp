// SPDX-License-Identifier: Apache-2.0
// Rogers' multistate projection over many states (zone × group, moves between zones given as origin–destination
// rates): the same linear-integration life table as multistate.hpp, with M(x) sparse and S(x) never formed. It is
// kept as sparse LU factors (Eigen SparseLU, one per life-table row) and applied to a population vector.
//
// Closed forms used (B(x) = I + h·M(x), C(x) = I − h·M(x), h = z/2; B and C commute, both being polynomials in M):
//   P(x) = B(x)^-1 C(x),  K(x) = z/2·(I + P(x)) = z·B(x)^-1   (I + P = B^-1 (B + C) = 2·B^-1)
//   S(0) = K(0)/z = B(0)^-1
//   S(x) = K(x)·P(x−z)·K(x−z)^-1 = B(x)^-1 C(x−z)        (K(x−z)^-1 = B(x−z)/z cancels P(x−z)'s B^-1)
//   open group, keep: T(w) = M(w)^-1 P(w−z), S(w) = T(w)(K(w−z) + T(w))^-1 = I − z·(z·M(w) + C(w−z))^-1 M(w)
//   (factor B(w−z)^-1 out on the right of both T and K; then X(zI + X)^-1 = I − z(zI + X)^-1 with X = M^-1 C)
//   open group, drop: S(w) = B(w)^-1 C(w−z) like any closed interval.
// Abridged rows 0 (1 year) and 1 (4 years) of a five-year grid (multistate.hpp): with B1, C1 of row 0 (h = 1/2) and
// B4, C4 of row 1 (h = 2), K(0) = ½(I + P1) + 2(I + P4)P1 = B4^-1 (B4 + 4·C1) B1^-1, so
//   S(0) = B4^-1 (B4 + 4·C1) B1^-1 / 5,  S(1) = 5·B(5)^-1 B4^-1 C4 C1 (B4 + 4·C1)^-1 B4.
// Sources as multistate.hpp (Rogers 1975 ch. 3 and 5; Willekens and Rogers 1978 ch. 2–3); the closed forms are
// algebra on those definitions, checked in tests/engine/test_multistate_od.cpp against the l(x), L(x) route.
#pragma once

#include <Eigen/Dense>
#include <Eigen/SparseCore>
#include <Eigen/SparseLU>
#include <memory>
#include <span>
#include <vector>

#include "cohortgis/engine/projection_method.hpp"
#include "cohortgis/engine/types.hpp"

namespace cohortgis {

// M(x) over all states, column = state of origin (as StateMatrix of multistate.hpp).
using SparseStateMatrix = Eigen::SparseMatrix<double, Eigen::ColMajor>;

// The first state j with h·M_jj ≥ 1 (h = width_years / 2), or −1. Below that bound C(x) = I − h·M(x) has no negative
// entry and B(x)^-1 ≥ 0 (B is a column diagonally dominant Z-matrix when death rates are ≥ 0), so P(x) ≥ 0 and
// S(x) ≥ 0: the linear-integration condition "(death + move rates out of the state) · z/2 < 1".
std::ptrdiff_t first_state_with_negative_probability(const SparseStateMatrix& M, double width_years);

class SparseMultistateSurvivorship {
 public:
  // M_rows, abridged_first and open as multistate_survivorship (multistate.hpp). Throws InputError when a matrix to
  // factor is singular, or (abridged, keep) when the open group is index 1.
  SparseMultistateSurvivorship(const AgeGrid& grid, std::span<const SparseStateMatrix> M_rows, bool abridged_first,
                               OpenAgeSurvivors open);
  SparseMultistateSurvivorship(SparseMultistateSurvivorship&&) noexcept = default;
  SparseMultistateSurvivorship& operator=(SparseMultistateSurvivorship&&) noexcept = default;
  ~SparseMultistateSurvivorship();

  std::size_t states() const { return states_; }
  // y = S(i)·a (i = 0 … w; a and y of states() values, may not alias).
  void apply(std::size_t i, std::span<const double> a, std::span<double> y) const;
  // c = S(i)ᵀ·1: per state of origin, the share of its persons alive at the end (deaths = (1 − c)·a).
  void survivors_share(std::size_t i, std::span<double> c) const;
  // Columns first … first + columns.cols() − 1 of S(i) into `columns` (states() rows): S(i) applied to that block of
  // the identity at once (the gross moves of step_multistate_od.cpp).
  void columns(std::size_t i, std::size_t first, Eigen::MatrixXd& columns) const;

 private:
  struct Op {
    enum Kind { multiply, solve, scale } kind;
    int index;  // into mats_ (multiply) or lus_ (solve)
    double factor;
  };
  struct Program {
    std::vector<Op> ops;          // applied first to last to a vector
    double identity_minus = 0.0;  // ≠ 0: S = I − identity_minus · (the product)
  };
  using Lu = Eigen::SparseLU<SparseStateMatrix, Eigen::COLAMDOrdering<int>>;
  int add_matrix(SparseStateMatrix m);
  int add_factor(const SparseStateMatrix& m, const char* what);
  template <class Dense>
  Dense run(const Program& p, Dense v, bool transposed) const;

  std::size_t states_ = 0;
  std::vector<SparseStateMatrix> mats_;
  std::vector<std::unique_ptr<Lu>> lus_;
  std::vector<Program> programs_;  // per grid index
};

}  // namespace cohortgis
