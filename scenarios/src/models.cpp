// SPDX-License-Identifier: Apache-2.0
#include "cohortgis/scenarios/models.hpp"
#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/number_text.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

namespace cohortgis::scenarios {

namespace {

// One row more on a five-year grid: the given table's own rate of the group starting at the open age, for the last
// closed group's Greville nax (models.hpp, build_abridged_life_table_closed_above).
LifeTable table_for(std::span<const double> mx, const AgeGrid& grid, Sex sex, const LifeTableMethod& method) {
  const std::size_t rows = uz(grid.life_table_rows());
  const bool next = grid.width_years == 5 && mx.size() == rows + 1;
  if (mx.size() != rows && !next)
    throw InputError("mortality: " + std::to_string(mx.size()) + " mx rows; expected " + std::to_string(rows) +
                     " for the age grid");
  if (next) {
    LifeTable t;
    build_abridged_life_table_closed_above(mx.first(rows), mx[rows], sex, method, t);
    return t;
  }
  return grid.width_years == 5 ? abridged_life_table(mx, sex, method) : single_year_life_table(mx, sex, method);
}

}  // namespace

double YearPath::at(double year) const {
  if (points.empty()) throw InputError("a year path needs at least one value");
  auto hi = points.lower_bound(static_cast<int>(std::ceil(year)));
  if (hi == points.begin()) return hi->second;
  if (hi == points.end()) return std::prev(hi)->second;
  if (static_cast<double>(hi->first) == year) return hi->second;
  const auto lo = std::prev(hi);
  const double w = (year - lo->first) / static_cast<double>(hi->first - lo->first);
  return lo->second + w * (hi->second - lo->second);
}

double YearPath::mean_over_years(int first, int last) const {
  double s = 0.0;
  for (int y = first; y <= last; ++y) s += at(y);
  return s / static_cast<double>(last - first + 1);
}

double total_fertility(std::span<const double> asfr, int width_years) {
  double s = 0.0;
  for (double f : asfr) s += f;
  return width_years * s;
}

double mean_age_at_childbearing(std::span<const double> asfr, int width_years) {
  double num = 0.0, den = 0.0;
  for (std::size_t i = 0; i < asfr.size(); ++i) {
    num += (static_cast<double>(i) * width_years + 0.5 * width_years) * asfr[i];
    den += asfr[i];
  }
  return den > 0.0 ? num / den : std::nan("");
}

std::vector<double> rescale_to_tfr(std::span<const double> asfr, int width_years, double tfr) {
  const double now = total_fertility(asfr, width_years);
  if (!(now > 0.0)) throw InputError("fertility: the schedule has no births (sum 0); cannot scale it to a TFR");
  // A schedule of subnormal rates (5e-320) sums to so little that tfr / sum overflows: the rates scaled by it were
  // 0 · inf = NaN, refused later at an age the schedule does not hold.
  if (!std::isfinite(tfr / now))
    throw InputError("fertility: the schedule's rates sum to " + shortest_number(now) +
                     " births per woman, too small to scale to a TFR of " + shortest_number(tfr) +
                     "; expected rates such as 0.05 (births per woman per year)");
  std::vector<double> out(asfr.begin(), asfr.end());
  for (double& f : out) f *= tfr / now;
  return out;
}

std::vector<double> shift_schedule(std::span<const double> asfr, int width_years, double delta) {
  // In units of age groups: move by k whole groups plus a fraction θ ∈ [0, 1) of the next.
  const double groups = delta / width_years;
  const double k = std::floor(groups), theta = groups - k;
  const long n = static_cast<long>(asfr.size());
  std::vector<double> out(asfr.size(), 0.0);
  for (long i = 0; i < n; ++i) {
    const long to = i + static_cast<long>(k);
    if (to >= 0 && to < n) out[uz(to)] += (1.0 - theta) * asfr[uz(i)];
    if (to + 1 >= 0 && to + 1 < n) out[uz(to + 1)] += theta * asfr[uz(i)];
  }
  // Index 0 and the open group bear no children in the step (A3 step 4).
  if (!out.empty()) out.front() = out.back() = 0.0;
  return out;
}

double life_expectancy_at_birth(std::span<const double> mx, const AgeGrid& grid, Sex sex,
                                const LifeTableMethod& method) {
  return table_for(mx, grid, sex, method).ex[0];
}

std::vector<double> brass_logit_mx(std::span<const double> mx_standard, const AgeGrid& grid, Sex sex, double alpha,
                                   const LifeTableMethod& method) {
  const LifeTable s = table_for(mx_standard, grid, sex, method);
  const std::size_t rows = s.rows();
  // l(x) on radix 1 from the logit: l = 1 / (1 + exp(2(α + Y_s))), Y_s = ½ ln((1 − l_s)/l_s).
  std::vector<double> l(rows, 1.0);
  const double l0 = s.lx[0];
  for (std::size_t k = 1; k < rows; ++k) {
    const double ls = std::clamp(s.lx[k] / l0, 1e-300, 1.0 - 1e-16);
    const double y = 0.5 * std::log((1.0 - ls) / ls) + alpha;
    l[k] = 1.0 / (1.0 + std::exp(2.0 * y));
  }
  std::vector<double> mx(mx_standard.size());  // with the rate above the open age (table_for) when given
  for (std::size_t k = 0; k + 1 < rows; ++k) {
    const double d = l[k] - l[k + 1];
    const double L = s.width[k] * l[k + 1] + s.ax[k] * d;
    mx[k] = L > 0.0 ? d / L : mx_standard[k];
  }
  const std::size_t w = rows - 1;
  const double ratio = mx_standard[w - 1] > 0.0 ? mx[w - 1] / mx_standard[w - 1] : 1.0;
  mx[w] = mx_standard[w] * ratio;
  if (mx.size() > rows) mx[rows] = mx_standard[rows] * ratio;  // the rate above the open age moves as the open one
  return mx;
}

std::vector<double> lee_carter_mx(std::span<const double> mx_base, std::span<const double> bx, double drift,
                                  double years_since_base) {
  if (!bx.empty() && bx.size() != mx_base.size())
    throw InputError("Lee-Carter: " + std::to_string(bx.size()) + " b_x values for " + std::to_string(mx_base.size()) +
                     " mx rows");
  std::vector<double> out(mx_base.size());
  const double uniform = 1.0 / static_cast<double>(mx_base.size());
  for (std::size_t k = 0; k < mx_base.size(); ++k)
    out[k] = mx_base[k] * std::exp((bx.empty() ? uniform : bx[k]) * drift * years_since_base);
  return out;
}

double great_circle_km(double lon1, double lat1, double lon2, double lat2) {
  constexpr double kR = 6371.0088, kRad = std::numbers::pi / 180.0;
  const double p1 = lat1 * kRad, p2 = lat2 * kRad, dp = (lat2 - lat1) * kRad, dl = (lon2 - lon1) * kRad;
  const double h = std::sin(dp / 2) * std::sin(dp / 2) + std::cos(p1) * std::cos(p2) * std::sin(dl / 2) * std::sin(dl / 2);
  return 2.0 * kR * std::asin(std::min(1.0, std::sqrt(h)));
}

std::vector<double> gravity_rates(std::span<const double> out_rate, std::span<const double> mass,
                                  std::span<const double> distance, double beta, double gamma) {
  const std::size_t n = out_rate.size();
  if (mass.size() != n || distance.size() != n * n)
    throw InputError("gravity model: sizes of rates, masses and distances do not agree");
  std::vector<double> r(n * n, 0.0);
  for (std::size_t o = 0; o < n; ++o) {
    double sum = 0.0;
    for (std::size_t d = 0; d < n; ++d) {
      if (d == o) continue;
      const double dist = distance[o * n + d];
      if (!(dist > 0.0))
        throw InputError("gravity model: distance between zones " + std::to_string(o) + " and " + std::to_string(d) +
                         " is " + std::to_string(dist) + "; expected > 0");
      const double w = std::pow(std::max(mass[d], 0.0), beta) * std::pow(dist, -gamma);
      r[o * n + d] = w;
      sum += w;
    }
    for (std::size_t d = 0; d < n; ++d) r[o * n + d] = sum > 0.0 ? out_rate[o] * r[o * n + d] / sum : 0.0;
  }
  return r;
}

}  // namespace cohortgis::scenarios
