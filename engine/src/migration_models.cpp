// SPDX-License-Identifier: Apache-2.0
#include "cohortgis/engine/migration_models.hpp"
#include "cohortgis/engine/index_cast.hpp"

#include <cmath>
#include <string>

namespace cohortgis {

double RogersCastro::at(double x) const {
  return a1 * std::exp(-alpha1 * x) + a2 * std::exp(-alpha2 * (x - mu2) - std::exp(-lambda2 * (x - mu2))) + c;
}

std::vector<double> rogers_castro_age_shares(const AgeGrid& grid, const RogersCastro& p) {
  grid.validate();
  for (double v : {p.a1, p.alpha1, p.a2, p.alpha2, p.lambda2, p.c})
    if (!std::isfinite(v) || v < 0.0)
      throw InputError("Rogers–Castro schedule: parameters a1, α1, a2, α2, λ2 and c must be finite and ≥ 0");
  if (!std::isfinite(p.mu2)) throw InputError("Rogers–Castro schedule: μ2 must be finite");
  std::vector<double> shares(uz(grid.n_ages));
  double total = 0.0;
  for (int i = 0; i < grid.n_ages; ++i) {
    const double lo = grid.age_start(i);
    const double hi = i == grid.open_index() ? lo + 20.0 : lo + grid.width_years;
    const int panels = 8 * static_cast<int>(hi - lo);  // even
    const double h = (hi - lo) / panels;
    double s = p.at(lo) + p.at(hi);
    for (int k = 1; k < panels; ++k) s += (k % 2 ? 4.0 : 2.0) * p.at(lo + k * h);
    shares[uz(i)] = s * h / 3.0;
    total += shares[uz(i)];
  }
  if (!(total > 0.0)) throw InputError("Rogers–Castro schedule: the schedule is zero at every age");
  for (double& v : shares) v /= total;
  return shares;
}

}  // namespace cohortgis
