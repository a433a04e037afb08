// SPDX-License-Identifier: Apache-2.0
#include "cohortgis/app/comparison.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "cohortgis/engine/types.hpp"
#include "text_output.hpp"

namespace cohortgis::app {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

double error_percent(double projected, double observed) {
  if (observed == 0 || std::isnan(observed) || std::isnan(projected)) return kNaN;
  return 100.0 * (projected - observed) / observed;
}

Difference compare_values(double observed, double projected) {
  Difference d;
  d.observed = observed;
  d.projected = projected;
  d.difference = projected - observed;
  d.relative_difference = observed == 0 ? kNaN : (projected - observed) / observed;
  return d;
}

ErrorSummary summarize_errors(const std::vector<ZoneComparison>& zones) {
  if (zones.empty()) throw InputError("no zones to score");
  ErrorSummary s;
  s.zones = zones.size();
  double abs_sum = 0, sum = 0, observed = 0, projected = 0, worst = -1, abs_diff = 0, square_diff = 0;
  std::size_t within5 = 0, within10 = 0;
  std::vector<double> ape;
  ape.reserve(zones.size());
  for (const auto& z : zones) {
    if (!(z.observed > 0))
      throw InputError("zone " + z.zone + ": observed population " + shortest_number(z.observed) +
                       "; expected more than 0 to score a percentage error");
    const double e = error_percent(z.projected, z.observed);
    abs_sum += std::abs(e);
    sum += e;
    if (std::abs(e) > worst) {
      worst = std::abs(e);
      s.worst_zone = z.zone;
      s.worst_error_percent = e;
    }
    // A small tolerance so that an error of exactly 5 % written as a decimal still counts as within 5 %.
    if (std::abs(e) <= 5.0 + 1e-9) ++within5;
    if (std::abs(e) <= 10.0 + 1e-9) ++within10;
    observed += z.observed;
    projected += z.projected;
    abs_diff += std::abs(z.projected - z.observed);
    square_diff += (z.projected - z.observed) * (z.projected - z.observed);
    ape.push_back(std::abs(e));
  }
  const double n = static_cast<double>(zones.size());
  s.mape_percent = abs_sum / n;
  s.malpe_percent = sum / n;
  s.share_within_5_percent = static_cast<double>(within5) / n;
  s.share_within_10_percent = static_cast<double>(within10) / n;
  s.total_error_percent = error_percent(projected, observed);
  s.weighted_mape_percent = 100.0 * abs_diff / observed;
  std::sort(ape.begin(), ape.end());
  const std::size_t mid = ape.size() / 2;
  s.median_ape_percent = ape.size() % 2 ? ape[mid] : (ape[mid - 1] + ape[mid]) / 2;
  s.rmse_persons = std::sqrt(square_diff / n);
  return s;
}

std::vector<double> constant_share(const std::vector<double>& launch, double target_total) {
  double total = 0;
  for (double v : launch) total += v;
  if (!(total > 0))
    throw InputError("constant-share benchmark: the launch-year area total is " + shortest_number(total) +
                     "; expected more than 0");
  std::vector<double> out;
  out.reserve(launch.size());
  for (double v : launch) out.push_back(v / total * target_total);
  return out;
}

std::vector<double> linear_trend(const std::vector<double>& earlier, int earlier_year, const std::vector<double>& launch,
                                 int launch_year, int target_year) {
  if (earlier_year >= launch_year)
    throw InputError("linear benchmark: the earlier year " + std::to_string(earlier_year) +
                     " is not before the launch year " + std::to_string(launch_year));
  if (earlier.size() != launch.size())
    throw InputError("linear benchmark: " + std::to_string(earlier.size()) + " earlier values for " +
                     std::to_string(launch.size()) + " zones");
  const double slope_years = static_cast<double>(target_year - launch_year) / (launch_year - earlier_year);
  std::vector<double> out;
  out.reserve(launch.size());
  for (std::size_t i = 0; i < launch.size(); ++i)
    out.push_back(std::max(0.0, launch[i] + (launch[i] - earlier[i]) * slope_years));
  return out;
}

double interpolate_linear(const std::vector<int>& years, const std::vector<double>& values, double year) {
  for (std::size_t k = 0; k < years.size() && k < values.size(); ++k) {
    if (year == years[k]) return values[k];
    if (k + 1 < years.size() && k + 1 < values.size() && year > years[k] && year < years[k + 1]) {
      const double w = (year - years[k]) / (years[k + 1] - years[k]);
      return values[k] + w * (values[k + 1] - values[k]);
    }
  }
  return kNaN;
}

}  // namespace cohortgis::app
