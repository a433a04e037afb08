// SPDX-License-Identifier: Apache-2.0
// The multistate survivorship over zones as sparse LU factors (multistate_od.hpp) against independent figures: the
// zone-local dense route of multistate.hpp with one zone, and a 3-zone case computed here with dense Eigen through
// the life table's own definitions (l(x), L(x), T(w) with general inverses), not the closed forms the engine uses;
// then the accounting identities (survivors + deaths = persons at the start; moves sum to zero over states).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "cohortgis/engine/multistate.hpp"
#include "cohortgis/engine/multistate_od.hpp"

using namespace cohortgis;

namespace {

using Dense = Eigen::MatrixXd;

// M(x) of `zones` zones (one group each) on life-table row r: death rates rising with age, moves between every pair
// of zones at rates with an age peak at 20–29 (column = origin, as multistate.hpp).
Dense od_rates(int zones, double age, double level) {
  Dense M = Dense::Zero(zones, zones);
  for (int j = 0; j < zones; ++j) {
    M(j, j) = level * (0.0006 + 0.00004 * std::exp(0.09 * age)) * (1.0 + 0.1 * j);
    for (int k = 0; k < zones; ++k) {
      if (k == j) continue;
      const double m = 0.01 * (1 + j + 2 * k) * (0.4 + std::exp(-0.5 * std::pow((age - 25.0) / 8.0, 2)));
      M(j, j) += m;
      M(k, j) -= m;
    }
  }
  return M;
}

// Row ages of a grid: single years (0, 1, …) or abridged (0, 1–4, 5–9, …) with the open row last.
std::vector<double> row_ages(const AgeGrid& grid, bool abridged) {
  std::vector<double> a;
  if (abridged) {
    a = {0.5, 3.0};
    for (int i = 1; i < grid.n_ages; ++i) a.push_back(5.0 * i + 2.5);
  } else {
    for (int i = 0; i < grid.n_ages; ++i) a.push_back(grid.age_start(i) + grid.width_years / 2.0);
  }
  return a;
}

std::vector<SparseStateMatrix> sparse_rows(const std::vector<Dense>& dense) {
  std::vector<SparseStateMatrix> out;
  for (const Dense& d : dense) out.push_back(d.sparseView());
  return out;
}

Dense probabilities(const Dense& M, double width) {
  const Dense I = Dense::Identity(M.rows(), M.cols());
  return (I + width / 2.0 * M).inverse() * (I - width / 2.0 * M);
}

// S(i) of the multistate life table by its definitions (Rogers 1975 ch. 3, 5): l(0) = I, l(x+z) = P(x) l(x),
// L(x) = z/2 (l(x) + l(x+z)) (abridged: L(0) = ½(l(0) + l(1)) + 2(l(1) + l(5))), S(0) = L(0)/z,
// S(x) = L(x) L(x−z)^-1, open group keep: T(w) = M(w)^-1 l(w), S(w) = T(w)(L(w−z) + T(w))^-1; drop: L(w) L(w−z)^-1.
std::vector<Dense> by_definition(const AgeGrid& grid, const std::vector<Dense>& M, bool abridged,
                                 OpenAgeSurvivors open) {
  const int w = grid.open_index();
  const double z = grid.width_years;
  const auto n = M[0].rows();
  const Dense I = Dense::Identity(n, n);
  const std::size_t shift = abridged ? 1 : 0;
  std::vector<Dense> l(static_cast<std::size_t>(w) + 2), L(static_cast<std::size_t>(w) + 1);
  l[0] = I;
  if (abridged) {
    const Dense l1 = probabilities(M[0], 1.0);
    l[1] = probabilities(M[1], 4.0) * l1;
    L[0] = 0.5 * (l[0] + l1) + 2.0 * (l1 + l[1]);
  } else {
    l[1] = probabilities(M[0], z) * l[0];
    L[0] = z / 2.0 * (l[0] + l[1]);
  }
  for (std::size_t i = 1; i <= static_cast<std::size_t>(w); ++i) {
    l[i + 1] = probabilities(M[i + shift], z) * l[i];
    L[i] = z / 2.0 * (l[i] + l[i + 1]);
  }
  std::vector<Dense> S(static_cast<std::size_t>(w) + 1);
  S[0] = L[0] / z;
  for (std::size_t i = 1; i < static_cast<std::size_t>(w); ++i) S[i] = L[i] * L[i - 1].inverse();
  const auto ww = static_cast<std::size_t>(w);
  if (open == OpenAgeSurvivors::keep) {
    const Dense T = M[ww + shift].inverse() * l[ww];
    S[ww] = T * (L[ww - 1] + T).inverse();
  } else {
    S[ww] = L[ww] * L[ww - 1].inverse();
  }
  return S;
}

std::span<const double> view(const Eigen::VectorXd& v) { return {v.data(), static_cast<std::size_t>(v.size())}; }
std::span<double> view(Eigen::VectorXd& v) { return {v.data(), static_cast<std::size_t>(v.size())}; }

struct Rows {
  std::vector<Dense> dense;
  std::vector<SparseStateMatrix> sparse;
};

Rows make_rows(const AgeGrid& grid, bool abridged, int zones) {
  Rows r;
  for (double age : row_ages(grid, abridged)) r.dense.push_back(od_rates(zones, age, 1.0));
  r.sparse = sparse_rows(r.dense);
  return r;
}

Eigen::VectorXd persons(Eigen::Index n) {
  Eigen::VectorXd a(n);
  for (Eigen::Index k = 0; k < n; ++k) a(k) = 1000.0 + 371.0 * static_cast<double>(k);
  return a;
}

void expect_close(const Eigen::VectorXd& got, const Eigen::VectorXd& want, double rel, const std::string& what) {
  ASSERT_EQ(got.size(), want.size());
  for (Eigen::Index k = 0; k < got.size(); ++k)
    EXPECT_NEAR(got(k), want(k), rel * std::max(1.0, std::abs(want(k)))) << what << " state " << k;
}

struct Variant {
  AgeGrid grid;
  bool abridged;
  OpenAgeSurvivors open;
  std::string name;
};

std::vector<Variant> variants() {
  return {{AgeGrid::five_year(10), false, OpenAgeSurvivors::keep, "5y keep"},
          {AgeGrid::five_year(10), false, OpenAgeSurvivors::drop, "5y drop"},
          {AgeGrid::five_year(15), true, OpenAgeSurvivors::keep, "abridged keep"},
          {AgeGrid::five_year(15), true, OpenAgeSurvivors::drop, "abridged drop"},
          {AgeGrid::single_year(20), false, OpenAgeSurvivors::keep, "1y keep"}};
}

}  // namespace

// Three zones that exchange people at every age: S(i)·a and S(i)ᵀ·1 from the sparse factors equal the dense
// matrices built from l(x) and L(x) (general inverses) to rounding.
TEST(MultistateOd, ThreeZonesMatchTheLifeTableDefinitions) {
  for (const Variant& v : variants()) {
    const Rows rows = make_rows(v.grid, v.abridged, 3);
    const SparseMultistateSurvivorship S(v.grid, rows.sparse, v.abridged, v.open);
    const std::vector<Dense> want = by_definition(v.grid, rows.dense, v.abridged, v.open);
    const Eigen::VectorXd a = persons(3);
    for (std::size_t i = 0; i < want.size(); ++i) {
      Eigen::VectorXd y(3), c(3);
      S.apply(i, view(a), view(y));
      S.survivors_share(i, view(c));
      expect_close(y, want[i] * a, 1e-12, v.name + " S(" + std::to_string(i) + ")·a");
      expect_close(c, want[i].colwise().sum().transpose(), 1e-12, v.name + " 1ᵀS(" + std::to_string(i) + ")");
    }
  }
}

// One zone with three groups: the sparse route equals the zone-local dense route (multistate_survivorship) to 1e-13
// (1e-12 for the open group under `keep`).
TEST(MultistateOd, OneZoneEqualsTheZoneLocalStep) {
  for (const Variant& v : variants()) {
    const Rows rows = make_rows(v.grid, v.abridged, 3);
    std::vector<StateMatrix> M;
    for (const Dense& d : rows.dense) M.emplace_back(d);
    std::vector<StateMatrix> dense_S(static_cast<std::size_t>(v.grid.n_ages));
    multistate_survivorship(v.grid, M, v.abridged, v.open, dense_S);
    const SparseMultistateSurvivorship S(v.grid, rows.sparse, v.abridged, v.open);
    const Eigen::VectorXd a = persons(3);
    for (std::size_t i = 0; i < dense_S.size(); ++i) {
      Eigen::VectorXd y(3);
      S.apply(i, view(a), view(y));
      const Dense Si = dense_S[i];
      // The open group under `keep`: the dense route inverts M(w) and K(w−1) + T(w) (rounding 3e-13 here).
      const bool open_keep = i + 1 == dense_S.size() && v.open == OpenAgeSurvivors::keep;
      expect_close(y, Si * a, open_keep ? 1e-12 : 1e-13, v.name + " S(" + std::to_string(i) + ")·a");
    }
  }
}

// Survivors + deaths = persons at the start, state by state of origin (c from the transposed solves, y from the
// forward ones: two independent routes), and moves between zones sum to zero over all states.
TEST(MultistateOd, AccountingDeathsMovesStayers) {
  const AgeGrid grid = AgeGrid::single_year(30);
  const int zones = 40;  // a larger, sparse OD: each zone sends to its two neighbours on a ring
  std::vector<SparseStateMatrix> rows;
  for (int r = 0; r < grid.n_ages; ++r) {
    std::vector<Eigen::Triplet<double>> t;
    for (int j = 0; j < zones; ++j) {
      double out = 0.0;
      for (int d : {1, zones - 1}) {
        const int k = (j + d) % zones;
        const double m = 0.005 * (1 + (j * 7 + d) % 5) * (1.0 + 0.02 * r);
        t.emplace_back(k, j, -m);
        out += m;
      }
      t.emplace_back(j, j, 0.001 * (1 + j % 3) * std::exp(0.05 * r) + out);
    }
    SparseStateMatrix M(zones, zones);
    M.setFromTriplets(t.begin(), t.end());
    rows.push_back(M);
  }
  const SparseMultistateSurvivorship S(grid, rows, false, OpenAgeSurvivors::keep);
  const Eigen::VectorXd a = persons(zones);
  for (std::size_t i = 0; i < static_cast<std::size_t>(grid.n_ages); ++i) {
    Eigen::VectorXd y(zones), c(zones);
    S.apply(i, view(a), view(y));
    S.survivors_share(i, view(c));
    const double survivors = y.sum(), deaths = ((1.0 - c.array()) * a.array()).sum();
    EXPECT_NEAR(survivors + deaths, a.sum(), 1e-9 * a.sum()) << "index " << i;
    const Eigen::VectorXd net = y - c.cwiseProduct(a);  // moves in − moves out, per state
    EXPECT_NEAR(net.sum(), 0.0, 1e-9 * a.sum()) << "index " << i;
    EXPECT_GT(net.cwiseAbs().maxCoeff(), 1.0) << "people do move, index " << i;
    for (Eigen::Index k = 0; k < zones; ++k) {
      EXPECT_GT(c(k), 0.0);
      EXPECT_LT(c(k), 1.0);
    }
    // One origin state at a time: S·e_j's entries are the stayers (j) and the movers (k ≠ j); with deaths they
    // make up the persons of j.
    Eigen::VectorXd e = Eigen::VectorXd::Zero(zones), col(zones);
    e(5) = a(5);
    S.apply(i, view(e), view(col));
    const double stayers = col(5), movers = col.sum() - col(5), dead = (1.0 - c(5)) * a(5);
    EXPECT_NEAR(stayers + movers + dead, a(5), 1e-10 * a(5)) << "index " << i;
    EXPECT_GT(movers, 0.0);
  }
}

// h·M_jj ≥ 1 is the state named as making a probability negative; below it P(x) has no negative entry.
TEST(MultistateOd, NegativeProbabilityNamesTheState) {
  Dense M = od_rates(3, 30.0, 1.0);
  EXPECT_EQ(first_state_with_negative_probability(M.sparseView(), 5.0), -1);
  EXPECT_GE(probabilities(M, 5.0).minCoeff(), 0.0);
  M(2, 2) += 0.5;  // 2.5 · M_22 > 1
  M(0, 2) -= 0.5;
  EXPECT_EQ(first_state_with_negative_probability(M.sparseView(), 5.0), 2);
  EXPECT_LT(probabilities(M, 5.0)(2, 2), 0.0);  // the dense P(x) agrees: staying in state 2 is negative
}

// An open group without deaths under `keep` has no T(w); a singular factor is an InputError, not a crash.
TEST(MultistateOd, SingularFactorIsAnInputError) {
  const AgeGrid grid = AgeGrid::five_year(10);
  std::vector<Dense> dense;
  for (double age : row_ages(grid, false)) dense.push_back(od_rates(3, age, 1.0));
  dense.back().setZero();  // no deaths and no moves at 10+: z·M(w) + C(w−z) is fine, but M(w) is 0
  dense[1] = -Dense::Identity(3, 3) * (2.0 / grid.width_years);  // I + (z/2)·M(5) = 0
  EXPECT_THROW(SparseMultistateSurvivorship(grid, sparse_rows(dense), false, OpenAgeSurvivors::keep), InputError);
}
