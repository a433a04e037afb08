// SPDX-License-Identifier: Apache-2.0
// Lee–Carter by SVD (lee_carter_fit.hpp), and `lee_carter.fit`: the mortality history it is fitted to.
#include "cohortgis/scenarios/lee_carter_fit.hpp"
#include "cohortgis/engine/index_cast.hpp"

#include <Eigen/SVD>
#include <cmath>
#include <map>
#include <stdexcept>

#include "scenario_build.hpp"
#include "stochastic_inputs.hpp"

namespace cohortgis::scenarios {

LeeCarterFit fit_lee_carter(std::span<const double> mx, const std::vector<int>& years, int ages) {
  const int periods = static_cast<int>(years.size());
  if (periods < 3) throw std::invalid_argument("a Lee-Carter fit needs at least three periods");
  if (ages < 1 || mx.size() != uz(periods) * uz(ages))
    throw std::invalid_argument("a Lee-Carter fit needs one rate per period and age");
  for (int t = 1; t < periods; ++t)
    if (years[uz(t)] <= years[uz(t - 1)]) throw std::invalid_argument("a Lee-Carter fit needs ascending years");
  LeeCarterFit f;
  f.years = years;
  Eigen::MatrixXd m(ages, periods);
  for (int t = 0; t < periods; ++t)
    for (int x = 0; x < ages; ++x) {
      const double v = mx[uz(t) * uz(ages) + uz(x)];
      if (!(v > 0.0) || !std::isfinite(v)) throw std::invalid_argument("a Lee-Carter fit needs positive rates");
      m(x, t) = std::log(v);
    }
  const Eigen::VectorXd a = m.rowwise().mean();
  m.colwise() -= a;
  const Eigen::JacobiSVD<Eigen::MatrixXd> svd(m, Eigen::ComputeThinU | Eigen::ComputeThinV);
  const Eigen::VectorXd u = svd.matrixU().col(0), v = svd.matrixV().col(0);
  const double s = svd.singularValues()(0), su = u.sum();
  if (!(std::abs(su) > 0.0)) throw std::invalid_argument("a Lee-Carter fit found no common trend (Σ b = 0)");
  f.ax.assign(a.data(), a.data() + ages);
  for (int x = 0; x < ages; ++x) f.bx.push_back(u(x) / su);
  for (int t = 0; t < periods; ++t) f.kt.push_back(s * su * v(t));
  const double ss = svd.singularValues().squaredNorm();
  f.explained = ss > 0.0 ? s * s / ss : 1.0;
  const double span = years.back() - years.front();
  f.drift_per_year = (f.kt.back() - f.kt.front()) / span;
  double q = 0.0;
  for (std::size_t t = 1; t < f.kt.size(); ++t) {
    const double h = years[t] - years[t - 1], e = f.kt[t] - f.kt[t - 1] - f.drift_per_year * h;
    q += e * e / h;
  }
  f.k_sd_per_year = std::sqrt(q / (periods - 2));
  return f;
}

namespace detail {

LeeCarterFit read_lee_carter_fit(const Doc& doc, const toml::node& n, const std::string& key, const Scenario& sc) {
  TableRef ref = table_ref(doc, n, key, {"year", "age", "value"});
  ref.label_width = 0;  // life-table rows (0, 1-4, 5-9, …), not the grid's groups
  refuse_unit_and_per(doc, ref, "death rates per person-year");
  refuse_between(doc, ref);  // every year of the history is fitted as given
  const Rows t = read_rows(doc, ref, {"year", "age", "value"}, {"value"});
  const int rows = sc.grid.life_table_rows();
  // The ages of the life-table rows: 0, 1, 5, 10, … on a five-year grid, 0, 1, 2, … on a one-year grid.
  const auto row_age = [&](int r) { return sc.grid.width_years == 1 || r < 2 ? r : (r - 1) * 5; };
  std::map<int, int> row_of_age;
  for (int r = 0; r < rows; ++r) row_of_age[row_age(r)] = r;
  std::map<int, std::vector<double>> by_year;
  for (std::size_t r = 0; r < t.size(); ++r) {
    const int year = whole_number(doc, t, r, "year", key);
    const int age = whole_number(doc, t, r, "age", key);
    auto it = row_of_age.find(age);
    if (it == row_of_age.end())
      doc.fail(ref.node, key, t.where(r, "age") + ": expected the first age of a life-table row (0, 1, 5, 10, … on a "
                                                  "five-year grid; 0, 1, 2, … on a one-year grid), got " + std::to_string(age));
    const double v = t.number(r, "value");
    if (!(v > 0.0) || !(v < 1e6))
      doc.fail(ref.node, key, t.where(r, "value") + ": expected a death rate above 0 (its logarithm is fitted), got " + fmt(v));
    std::vector<double>& col = by_year.try_emplace(year, uz(rows), kNaN).first->second;
    if (!std::isnan(col[uz(it->second)]))
      doc.fail(ref.node, key, t.where(r, "age") + ": a second row for year " + std::to_string(year) + " and age " +
                                  std::to_string(age));
    col[uz(it->second)] = v;
  }
  if (by_year.size() < 3)
    doc.fail(ref.node, key, ref.written + ": expected at least three periods (years) of death rates to fit Lee-Carter, got " +
                                std::to_string(by_year.size()));
  std::vector<int> years;
  std::vector<double> mx;
  for (const auto& [year, col] : by_year) {
    for (int r = 0; r < rows; ++r)
      if (std::isnan(col[uz(r)]))
        doc.fail(ref.node, key, ref.written + ": year " + std::to_string(year) + " has no row for age " +
                                    std::to_string(row_age(r)) +
                                    " (expected one row per year and life-table row)");
    years.push_back(year);
    mx.insert(mx.end(), col.begin(), col.end());
  }
  try {
    return fit_lee_carter(mx, years, rows);
  } catch (const std::invalid_argument& e) {
    doc.fail(ref.node, key, ref.written + ": " + e.what());
  }
}

}  // namespace detail

}  // namespace cohortgis::scenarios
