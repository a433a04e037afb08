// SPDX-License-Identifier: Apache-2.0
// The zones' migration correlation as a matrix table (`[stochastic] migration.correlation = { path = … }`;
// scenarios/README.md "Probabilistic projections"): checked entry by entry, then as a whole (positive semidefinite),
// and factored once so that every trajectory draws X = F E with the same F.
#include <Eigen/Eigenvalues>
#include <cmath>
#include <map>

#include "scenario_build.hpp"
#include "stochastic_inputs.hpp"

namespace cohortgis::scenarios::detail {

std::shared_ptr<const CorrelationFactor> read_correlation_matrix(const Doc& doc, const toml::node& n,
                                                                 const std::string& key, const Scenario& sc) {
  const TableRef ref = table_ref(doc, n, key, {});
  refuse_unit_and_per(doc, ref, "correlations");
  refuse_between(doc, ref);
  std::vector<std::string> columns{"zone"};
  for (const auto& z : sc.zones) columns.push_back(z.id);
  // Every zone's column holds numbers: read_rows checks them there, so that a cell that is no number ('nan') is named
  // with the scenario's key like every other table's.
  const Rows t = read_rows(doc, ref, columns, std::vector<std::string>(columns.begin() + 1, columns.end()));
  const int zones = static_cast<int>(sc.zones.size());
  std::map<std::string, int> zone_index;
  for (int i = 0; i < zones; ++i) zone_index[sc.zones[uz(i)].id] = i;
  Eigen::MatrixXd r = Eigen::MatrixXd::Constant(zones, zones, kNaN);
  std::vector<std::size_t> row_of(uz(zones), 0);  // table row of each zone, for messages
  for (std::size_t row = 0; row < t.size(); ++row) {
    auto it = zone_index.find(t.text(row, "zone"));
    if (it == zone_index.end())
      doc.fail(ref.node, key, t.where(row, "zone") + ": expected a zone id of the geography, got " +
                                  quote_cell(t.text(row, "zone")));
    const int i = it->second;
    if (!std::isnan(r(i, 0)))
      doc.fail(ref.node, key, t.where(row, "zone") + ": a second row for zone " + sc.zones[uz(i)].id);
    row_of[uz(i)] = row;
    for (int j = 0; j < zones; ++j) {
      const std::string& col = sc.zones[uz(j)].id;
      const double v = t.number(row, col);
      if (!(v >= -1.0 && v <= 1.0))
        doc.fail(ref.node, key, t.where(row, col) + ": expected a correlation from -1 to 1, got " + fmt(v));
      if (i == j && v != 1.0)
        doc.fail(ref.node, key, t.where(row, col) + ": expected 1 on the diagonal (a zone's correlation with itself), got " + fmt(v));
      r(i, j) = v;
    }
  }
  for (int i = 0; i < zones; ++i)
    if (std::isnan(r(i, 0)))
      doc.fail(ref.node, key, ref.written + ": no row for zone " + sc.zones[uz(i)].id + " (expected one row per zone)");
  // Symmetry, to a rounding of 1e-12 (a matrix written with 15 digits on both sides).
  for (int i = 0; i < zones; ++i)
    for (int j = 0; j < i; ++j)
      if (std::abs(r(i, j) - r(j, i)) > 1e-12)
        doc.fail(ref.node, key, t.where(row_of[uz(i)], sc.zones[uz(j)].id) + ": expected a symmetric matrix: " +
                                    fmt(r(i, j)) + " here but " + fmt(r(j, i)) + " for zone " + sc.zones[uz(j)].id +
                                    ", column " + sc.zones[uz(i)].id);
  r = 0.5 * (r + r.transpose()).eval();
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(r);
  const double smallest = std::round(eig.eigenvalues()(0) * 1e9) / 1e9;  // 1e-9: enough for a message
  // −1e-10: eigenvalues of a semidefinite matrix computed in double precision may come out a little below 0.
  if (smallest < -1e-10)
    doc.fail(ref.node, key, ref.written + ": the correlation matrix is not positive semidefinite (smallest eigenvalue " +
                                fmt(smallest) + "); no set of zone multipliers can have these correlations");
  auto out = std::make_shared<CorrelationFactor>();
  out->file = ref.written;
  out->zones = zones;
  out->factor.resize(uz(zones) * uz(zones));
  const Eigen::VectorXd root = eig.eigenvalues().cwiseMax(0.0).cwiseSqrt();
  for (int i = 0; i < zones; ++i)
    for (int c = 0; c < zones; ++c) out->factor[uz(i) * uz(zones) + uz(c)] = eig.eigenvectors()(i, c) * root(c);
  return out;
}

}  // namespace cohortgis::scenarios::detail
