// SPDX-License-Identifier: Apache-2.0
// The multistate life table's projection survivorship over many states as sparse LU factors (multistate_od.hpp for
// the closed forms and the sources).
#include "cohortgis/engine/multistate_od.hpp"
#include "cohortgis/engine/index_cast.hpp"

#include <string>

namespace cohortgis {

std::ptrdiff_t first_state_with_negative_probability(const SparseStateMatrix& M, double width_years) {
  const double h = width_years / 2.0;
  for (Eigen::Index j = 0; j < M.cols(); ++j)
    if (!(h * M.coeff(j, j) < 1.0)) return j;
  return -1;
}

SparseMultistateSurvivorship::~SparseMultistateSurvivorship() = default;

int SparseMultistateSurvivorship::add_matrix(SparseStateMatrix m) {
  m.makeCompressed();
  mats_.push_back(std::move(m));
  return static_cast<int>(mats_.size() - 1);
}

int SparseMultistateSurvivorship::add_factor(const SparseStateMatrix& m, const char* what) {
  auto lu = std::make_unique<Lu>();
  lu->compute(m);
  if (lu->info() != Eigen::Success)
    throw InputError(std::string("multistate life table over zones: ") + what + " is singular");
  lus_.push_back(std::move(lu));
  return static_cast<int>(lus_.size() - 1);
}

SparseMultistateSurvivorship::SparseMultistateSurvivorship(const AgeGrid& grid,
                                                           std::span<const SparseStateMatrix> M_rows,
                                                           bool abridged_first, OpenAgeSurvivors open) {
  const std::size_t w = uz(grid.open_index());
  const std::size_t shift = abridged_first ? 1 : 0;
  const double z = grid.width_years;
  if (w < 1 || M_rows.size() != w + 1 + shift)
    throw InputError("SparseMultistateSurvivorship: the rows of M(x) do not match the age grid");
  if (abridged_first && grid.width_years != 5)
    throw InputError("SparseMultistateSurvivorship: abridged rows 0 and 1-4 need a five-year grid");
  states_ = uz(M_rows[0].rows());
  for (const auto& M : M_rows)
    if (uz(M.rows()) != states_ || uz(M.cols()) != states_)
      throw InputError("SparseMultistateSurvivorship: every M(x) must be states × states");
  const auto N = static_cast<Eigen::Index>(states_);
  SparseStateMatrix I(N, N);
  I.setIdentity();
  const double h = z / 2.0;
  auto row = [&](std::size_t i) { return i + shift; };  // life-table row of grid index i ≥ 1 (index 0: row 0)
  // B(x) factors and C(x) matrices of the rows with h = z/2, made once each.
  std::vector<int> B(M_rows.size(), -1), C(M_rows.size(), -1);
  auto factor_B = [&](std::size_t r) {
    if (B[r] < 0) B[r] = add_factor(SparseStateMatrix(I + h * M_rows[r]), "I + (z/2)·M(x)");
    return B[r];
  };
  auto matrix_C = [&](std::size_t r) {
    if (C[r] < 0) C[r] = add_matrix(SparseStateMatrix(I - h * M_rows[r]));
    return C[r];
  };
  programs_.resize(w + 1);
  int B4 = -1, B4_matrix = -1, C4 = -1, C1 = -1, G = -1;
  if (abridged_first) {
    const int B1 = add_factor(SparseStateMatrix(I + 0.5 * M_rows[0]), "I + (1/2)·M(0)");
    C1 = add_matrix(SparseStateMatrix(I - 0.5 * M_rows[0]));
    const SparseStateMatrix b4 = I + 2.0 * M_rows[1];
    B4 = add_factor(b4, "I + 2·M(1)");
    B4_matrix = add_matrix(b4);
    C4 = add_matrix(SparseStateMatrix(I - 2.0 * M_rows[1]));
    const SparseStateMatrix g = b4 + 4.0 * mats_[uz(C1)];
    G = add_factor(g, "L(0)");
    const int G_matrix = add_matrix(g);
    programs_[0].ops = {
        {Op::solve, B1, 0.0}, {Op::multiply, G_matrix, 0.0}, {Op::solve, B4, 0.0}, {Op::scale, -1, 1.0 / z}};
  } else {
    programs_[0].ops = {{Op::solve, factor_B(0), 0.0}};
  }
  // S(i) of a closed interval [x, x+z) at the end of the step, i ≥ 1.
  auto closed = [&](std::size_t i) {
    Program p;
    if (abridged_first && i == 1)
      p.ops = {{Op::multiply, B4_matrix, 0.0},
               {Op::solve, G, 0.0},
               {Op::multiply, C1, 0.0},
               {Op::multiply, C4, 0.0},
               {Op::solve, B4, 0.0},
               {Op::solve, factor_B(row(1)), 0.0},
               {Op::scale, -1, z}};
    else
      p.ops = {{Op::multiply, matrix_C(row(i - 1)), 0.0}, {Op::solve, factor_B(row(i)), 0.0}};
    return p;
  };
  for (std::size_t i = 1; i < w; ++i) programs_[i] = closed(i);
  if (open == OpenAgeSurvivors::keep) {
    if (abridged_first && w == 1)
      throw InputError("SparseMultistateSurvivorship: 'keep' on an abridged grid needs the open group at index ≥ 2");
    // S(w) = I − z·(z·M(w) + C(w−z))^-1 M(w).
    const std::size_t rw = row(w);
    const int Mw = add_matrix(M_rows[rw]);
    const int F = add_factor(SparseStateMatrix(z * M_rows[rw] + mats_[uz(matrix_C(row(w - 1)))]),
                             "z·M(x) + I − (z/2)·M(x − z) of the open age group");
    programs_[w].ops = {{Op::multiply, Mw, 0.0}, {Op::solve, F, 0.0}};
    programs_[w].identity_minus = z;
  } else {
    programs_[w] = closed(w);
  }
}

// Dense: Eigen::VectorXd (apply, survivors_share) or Eigen::MatrixXd (columns), the same operations on each column.
template <class Dense>
Dense SparseMultistateSurvivorship::run(const Program& p, Dense v, bool transposed) const {
  const std::size_t n = p.ops.size();
  for (std::size_t k = 0; k < n; ++k) {
    const Op& op = p.ops[transposed ? n - 1 - k : k];  // Sᵀ: the transposed operations in reverse order
    const auto at = uz(op.index);
    switch (op.kind) {
      case Op::multiply:
        v = transposed ? Dense(mats_[at].transpose() * v) : Dense(mats_[at] * v);
        break;
      case Op::solve:
        v = transposed ? Dense(lus_[at]->transpose().solve(v)) : Dense(lus_[at]->solve(v));
        break;
      case Op::scale:
        v *= op.factor;
        break;
    }
  }
  return v;
}

void SparseMultistateSurvivorship::apply(std::size_t i, std::span<const double> a, std::span<double> y) const {
  if (i >= programs_.size() || a.size() != states_ || y.size() != states_)
    throw InputError("SparseMultistateSurvivorship::apply: index or vector size out of range");
  const Eigen::Map<const Eigen::VectorXd> av(a.data(), static_cast<Eigen::Index>(a.size()));
  const Program& p = programs_[i];
  const Eigen::VectorXd v = run<Eigen::VectorXd>(p, av, false);
  Eigen::Map<Eigen::VectorXd> yv(y.data(), static_cast<Eigen::Index>(y.size()));
  if (p.identity_minus != 0.0)
    yv = av - p.identity_minus * v;
  else
    yv = v;
}

void SparseMultistateSurvivorship::survivors_share(std::size_t i, std::span<double> c) const {
  if (i >= programs_.size() || c.size() != states_)
    throw InputError("SparseMultistateSurvivorship::survivors_share: index or vector size out of range");
  const Program& p = programs_[i];
  const auto N = static_cast<Eigen::Index>(states_);
  const Eigen::VectorXd v = run<Eigen::VectorXd>(p, Eigen::VectorXd::Ones(N), true);
  Eigen::Map<Eigen::VectorXd> cv(c.data(), N);
  if (p.identity_minus != 0.0)
    cv = Eigen::VectorXd::Ones(N) - p.identity_minus * v;
  else
    cv = v;
}

void SparseMultistateSurvivorship::columns(std::size_t i, std::size_t first, Eigen::MatrixXd& columns) const {
  const auto N = static_cast<Eigen::Index>(states_);
  if (i >= programs_.size() || columns.rows() != N || first + uz(columns.cols()) > states_)
    throw InputError("SparseMultistateSurvivorship::columns: index or block out of range");
  Eigen::MatrixXd e = Eigen::MatrixXd::Zero(N, columns.cols());
  for (Eigen::Index k = 0; k < columns.cols(); ++k) e(static_cast<Eigen::Index>(first) + k, k) = 1.0;
  const Program& p = programs_[i];
  columns = run<Eigen::MatrixXd>(p, e, false);
  if (p.identity_minus != 0.0) columns = e - p.identity_minus * columns;
}

}  // namespace cohortgis
