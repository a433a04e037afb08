// SPDX-License-Identifier: Apache-2.0
#include "cohortgis/engine/fitting.hpp"
#include "cohortgis/engine/index_cast.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "engine_support.hpp"
#include "fitting_support.hpp"

namespace cohortgis {

namespace {

using detail::fmt;  // numbers in messages: one format for the engine (engine_support.hpp)

std::string bucket_name(const FitMargin& m, std::size_t b) {
  return b < m.label.size() && !m.label[b].empty() ? m.label[b] : "bucket " + std::to_string(b);
}

std::string where(const FitMargin& m, std::size_t b) { return "margin '" + m.name + "', " + bucket_name(m, b); }

std::size_t find(std::vector<std::size_t>& parent, std::size_t x) {
  while (parent[x] != x) x = parent[x] = parent[parent[x]];
  return x;
}

// Two margins that cover exactly the same cells over some set of their buckets must have the same total there
// (e.g. group totals by zone must add up to the census total of the zone); otherwise no table meets both, and the
// sweeps would oscillate instead of failing with a useful message. Buckets are joined by the cells they share; a
// joined set that also holds a cell only one margin covers is not comparable and is skipped.
void check_pair(const FitMargin& a, const FitMargin& b) {
  const std::size_t na = a.target.size(), nb = b.target.size();
  std::vector<std::size_t> parent(na + nb);
  std::iota(parent.begin(), parent.end(), std::size_t{0});
  for (std::size_t c = 0; c < a.bucket.size(); ++c)
    if (a.bucket[c] >= 0 && b.bucket[c] >= 0) {
      const std::size_t x = find(parent, uz(a.bucket[c]));
      const std::size_t y = find(parent, na + uz(b.bucket[c]));
      parent[x] = y;
    }
  std::vector<char> open(na + nb, 0);
  for (std::size_t c = 0; c < a.bucket.size(); ++c) {
    if ((a.bucket[c] >= 0) == (b.bucket[c] >= 0)) continue;
    const std::size_t node = a.bucket[c] >= 0 ? uz(a.bucket[c]) : na + uz(b.bucket[c]);
    open[find(parent, node)] = 1;
  }
  std::vector<double> sum_a(na + nb, 0.0), sum_b(na + nb, 0.0);
  std::vector<std::vector<std::size_t>> members_b(na + nb);
  std::vector<char> has_a(na + nb, 0), has_b(na + nb, 0);
  for (std::size_t k = 0; k < na; ++k) {
    const std::size_t r = find(parent, k);
    sum_a[r] += a.target[k];
    has_a[r] = 1;
  }
  for (std::size_t k = 0; k < nb; ++k) {
    const std::size_t r = find(parent, na + k);
    sum_b[r] += b.target[k];
    has_b[r] = 1;
    members_b[r].push_back(k);
  }
  for (std::size_t r = 0; r < na + nb; ++r) {
    if (find(parent, r) != r || open[r] || !has_a[r] || !has_b[r]) continue;
    if (std::abs(sum_a[r] - sum_b[r]) <= 1e-9 * std::max(sum_a[r], sum_b[r])) continue;
    std::string over;
    const std::vector<std::size_t>& m = members_b[r];
    for (std::size_t i = 0; i < m.size() && i < 3; ++i) over += (i ? ", " : "") + bucket_name(b, m[i]);
    if (m.size() > 3) over += " and " + std::to_string(m.size() - 3) + " more";
    throw InputError("fitting: margins '" + a.name + "' and '" + b.name + "' cover the same cells (" + over +
                     ") but their totals there are " + fmt(sum_a[r]) + " and " + fmt(sum_b[r]) +
                     "; expected equal sums");
  }
}

// Sum of the table over each bucket of a margin.
void bucket_sums(const std::vector<double>& x, const FitMargin& m, std::vector<double>& sums) {
  sums.assign(m.target.size(), 0.0);
  for (std::size_t c = 0; c < x.size(); ++c)
    if (m.bucket[c] >= 0) sums[uz(m.bucket[c])] += x[c];
}

double gap(double fitted, double target) {
  if (target == 0.0) return fitted == 0.0 ? 0.0 : std::numeric_limits<double>::infinity();
  return std::abs(fitted - target) / target;
}

// Sweeps before the cells the margins force to 0 are looked for: a fit without such cells converges geometrically
// and is done long before (the search then never runs, and its result stays as it was); one that needs some falls
// only as 1 / sweeps (c' = T c / (T + c) for a cell one margin leaves no room), never reaching the tolerance.
constexpr int kSweepsBeforeZeros = 100;

}  // namespace

FitResult fit_proportional(std::vector<double> seed, const std::vector<FitMargin>& margins, const FitOptions& options) {
  const std::size_t n = seed.size();
  for (std::size_t c = 0; c < n; ++c)
    if (!(seed[c] >= 0.0) || !std::isfinite(seed[c]))
      throw InputError("fitting: seed cell " + std::to_string(c) + " is " + fmt(seed[c]) +
                       "; expected a finite number >= 0");
  for (const FitMargin& m : margins) {
    if (m.bucket.size() != n)
      throw InputError("fitting: margin '" + m.name + "' maps " + std::to_string(m.bucket.size()) +
                       " cells; expected one bucket (or -1) per cell of the table (" + std::to_string(n) + ")");
    for (int b : m.bucket)
      if (b < -1 || b >= static_cast<int>(m.target.size()))
        throw InputError("fitting: margin '" + m.name + "' names bucket " + std::to_string(b) + " of " +
                         std::to_string(m.target.size()));
    for (std::size_t b = 0; b < m.target.size(); ++b)
      if (!(m.target[b] >= 0.0) || !std::isfinite(m.target[b]))
        throw InputError("fitting: " + where(m, b) + ": the total is " + fmt(m.target[b]) +
                         "; expected a finite number >= 0");
    std::vector<double> s;
    bucket_sums(seed, m, s);
    for (std::size_t b = 0; b < s.size(); ++b)
      if (m.target[b] > 0.0 && s[b] == 0.0)
        throw InputError("fitting: " + where(m, b) + ": the total is " + fmt(m.target[b]) +
                         " but every cell that could hold it is 0 in the seed (the assumed profile)");
  }
  for (std::size_t i = 0; i < margins.size(); ++i)
    for (std::size_t j = i + 1; j < margins.size(); ++j) check_pair(margins[i], margins[j]);

  FitResult res;
  std::vector<double> sums;
  double worst = 0.0;
  std::size_t worst_m = 0, worst_b = 0;
  int sweeps = 0;
  bool zeros_sought = false;
  for (long long left = options.max_iterations; left > 0; --left) {
    ++sweeps;
    for (const FitMargin& m : margins) {
      bucket_sums(seed, m, sums);
      for (double& s : sums) s = s > 0.0 ? 1.0 / s : 0.0;  // a bucket of zeros stays zero (its total was checked)
      for (std::size_t c = 0; c < n; ++c)
        if (m.bucket[c] >= 0) {
          const auto b = uz(m.bucket[c]);
          seed[c] *= m.target[b] * sums[b];
        }
    }
    worst = 0.0;
    for (std::size_t k = 0; k < margins.size(); ++k) {
      bucket_sums(seed, margins[k], sums);
      for (std::size_t b = 0; b < sums.size(); ++b)
        if (const double g = gap(sums[b], margins[k].target[b]); g > worst) (worst = g, worst_m = k, worst_b = b);
    }
    if (worst <= options.tolerance) {
      res.cells = std::move(seed);
      res.iterations = sweeps;
      res.max_relative_gap = worst;
      return res;
    }
    // Structural zeros (fitting_support.hpp): set to 0, the sweeps go on with the table reached, which is the seed
    // scaled bucket by bucket as before, so they converge to the table the sweeps approach without them (the one
    // with those cells at 0), with the sweeps allowed counted again.
    if (!zeros_sought && (sweeps == kSweepsBeforeZeros || left == 1)) {
      zeros_sought = true;
      std::vector<char> zero(n, 0);
      if (detail::mark_forced_zeros(seed, margins, options.tolerance, zero) > 0) {
        for (std::size_t c = 0; c < n; ++c)
          if (zero[c]) seed[c] = 0.0;
        left = options.max_iterations + 1LL;
      }
    }
  }
  // Proportional fitting reaches a table that needs cells at 0 only in the limit (for two margins whose one solution
  // empties a cell, that cell falls as c' = T c / (T + c): a gap of about 1 / sweeps); the cells two margins force
  // to 0 are set so above, those only three or more force together are not, and such a solvable fit fails too.
  bucket_sums(seed, margins[worst_m], sums);
  throw InputError(
      "fitting: did not converge after " + std::to_string(sweeps) + " sweeps; the largest gap is at " +
      where(margins[worst_m], worst_b) + ": fitted " + fmt(sums[worst_b]) + " against the total " +
      fmt(margins[worst_m].target[worst_b]) +
      "; either the margins contradict each other (e.g. a known count larger than the cells it lies in can hold) or "
      "they are met only with some cells at 0 (e.g. a known count equal to the whole area's leaves the other groups "
      "none), which proportional fitting approaches too slowly to reach");
}

}  // namespace cohortgis
