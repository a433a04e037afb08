// SPDX-License-Identifier: Apache-2.0
// The map classes and colours, and number formats (maps.hpp, canvas.hpp): in the library itself, without the drawing
// libraries, so that a run that writes QGIS styles but draws nothing does not load the drawing module
// (draw_module.cpp).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "canvas_text.hpp"
#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/types.hpp"
#include "cohortgis/geodata/maps.hpp"
#include "cohortgis/geodata/number_format.hpp"

namespace cohortgis::geodata {

namespace {
std::vector<double> finite_sorted(const std::vector<double>& values) {
  std::vector<double> v;
  for (double x : values)
    if (std::isfinite(x)) v.push_back(x);
  std::sort(v.begin(), v.end());
  return v;
}

// Fisher (1958) / Jenks (1977): the partition of sorted x into k contiguous classes with the least total within-class
// sum of squared deviations, by dynamic programming over prefix sums (O(k n²)). Returns the k+1 breaks.
std::vector<double> fisher_jenks(const std::vector<double>& x, int k) {
  const std::size_t n = x.size();
  std::vector<double> s1(n + 1, 0.0), s2(n + 1, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    s1[i + 1] = s1[i] + x[i];
    s2[i + 1] = s2[i] + x[i] * x[i];
  }
  auto ssd = [&](std::size_t a, std::size_t b) {  // values a … b−1
    const double m = static_cast<double>(b - a), s = s1[b] - s1[a];
    return (s2[b] - s2[a]) - s * s / m;
  };
  const std::size_t K = uz(k);
  const double inf = std::numeric_limits<double>::infinity();
  // cost[c][j]: best cost of the first j values in c classes; cut[c][j]: start of the last class.
  std::vector<std::vector<double>> cost(K + 1, std::vector<double>(n + 1, inf));
  std::vector<std::vector<std::size_t>> cut(K + 1, std::vector<std::size_t>(n + 1, 0));
  cost[0][0] = 0.0;
  for (std::size_t c = 1; c <= K; ++c)
    for (std::size_t j = c; j <= n; ++j)
      for (std::size_t i = c - 1; i < j; ++i) {
        const double v = cost[c - 1][i] + ssd(i, j);
        if (v < cost[c][j]) {
          cost[c][j] = v;
          cut[c][j] = i;
        }
      }
  std::vector<double> breaks(K + 1);
  breaks[K] = x[n - 1];
  std::size_t j = n;
  for (std::size_t c = K; c >= 1; --c) {
    const std::size_t i = cut[c][j];
    breaks[c - 1] = c == 1 ? x[0] : x[i - 1];  // a class ends at the last value below the next class
    j = i;
  }
  return breaks;
}

// Classes whose bounds print alike at the legend's decimals merge: a TFR of 0.7984549760025894 in some zones and
// 0.7984549760025903 in others gave three classes "0.80 – 0.80" of different colours. The first and last breaks stay
// exact (every value keeps a class) and so does 0 (the sign split of a signed measure), as does the first class of
// one value [d0, d0] of class_breaks when the data have few distinct values (unless the next class prints alike).
std::vector<double> merge_alike(const std::vector<double>& b, int decimals) {
  if (b.size() < 3) return b;
  const double f = std::pow(10.0, std::clamp(decimals, 0, 12));
  const auto shown = [f](double v) { return std::round(v * f); };
  std::vector<double> out{b.front()};
  for (std::size_t i = 1; i < b.size(); ++i) {
    const bool pinned = i + 1 == b.size() || b[i] == 0.0;
    const bool one_value_class = i == 1 && b[1] == b[0] && shown(b[2]) != shown(b[0]);
    if (shown(b[i]) != shown(out.back()) || one_value_class)
      out.push_back(b[i]);
    else if (pinned && out.size() > 1 && out.back() != 0.0)
      out.back() = b[i];  // the last break (or 0) replaces an interior one that prints alike
    else if (pinned)
      out.push_back(b[i]);
  }
  return out;
}

}  // namespace

std::vector<double> class_breaks(const std::vector<double>& values, int classes, ClassMethod method) {
  if (classes < 1) throw InputError("map classes: need at least one class, got " + std::to_string(classes));
  std::vector<double> x = finite_sorted(values);
  if (x.empty()) return {};
  std::vector<double> distinct = x;
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  if (distinct.size() <= uz(classes) && method != ClassMethod::equal_interval) {
    // One class per distinct value: [d0, d0], (d0, d1], …
    std::vector<double> b{distinct.front()};
    b.insert(b.end(), distinct.begin(), distinct.end());
    return b;
  }
  const int k = classes;
  if (distinct.size() == 1) return {x.front(), x.back()};
  std::vector<double> b;
  switch (method) {
    case ClassMethod::equal_interval:
      for (int c = 0; c <= k; ++c) b.push_back(c == k ? x.back() : x.front() + (x.back() - x.front()) * c / k);
      break;
    case ClassMethod::quantile: {
      const double n1 = static_cast<double>(x.size() - 1);
      for (int c = 0; c <= k; ++c) {  // Hyndman & Fan type 7
        const double h = n1 * c / k;
        const std::size_t lo = static_cast<std::size_t>(std::floor(h));
        const double q = lo + 1 < x.size() ? x[lo] + (h - static_cast<double>(lo)) * (x[lo + 1] - x[lo]) : x[lo];
        b.push_back(q);
      }
      break;
    }
    case ClassMethod::natural_breaks: {
      // The exact programme is O(k n²): above 3,000 values use 3,000 evenly spaced order statistics (as QGIS samples).
      std::vector<double> s = x;
      if (s.size() > 3000) {
        s.clear();
        for (int i = 0; i < 3000; ++i) s.push_back(x[uz(std::llround(i * static_cast<double>(x.size() - 1) / 2999.0))]);
      }
      b = fisher_jenks(s, k);
      b.front() = x.front();
      b.back() = x.back();
      break;
    }
  }
  b.erase(std::unique(b.begin(), b.end()), b.end());  // tied quantiles merge classes
  return b;
}

int class_of(double v, const std::vector<double>& breaks) {
  if (!std::isfinite(v) || breaks.size() < 2 || v < breaks.front() || v > breaks.back()) return -1;
  for (std::size_t c = 0; c + 1 < breaks.size(); ++c)
    if (v <= breaks[c + 1]) return static_cast<int>(c);
  return static_cast<int>(breaks.size()) - 2;
}

std::vector<std::uint32_t> sequential_palette(int n) {
  // ColorBrewer YlGnBu, 3–9 classes.
  static const std::vector<std::vector<std::uint32_t>> ylgnbu = {
      {0xedf8b1, 0x7fcdbb, 0x2c7fb8},
      {0xffffcc, 0xa1dab4, 0x41b6c4, 0x225ea8},
      {0xffffcc, 0xa1dab4, 0x41b6c4, 0x2c7fb8, 0x253494},
      {0xffffcc, 0xc7e9b4, 0x7fcdbb, 0x41b6c4, 0x2c7fb8, 0x253494},
      {0xffffcc, 0xc7e9b4, 0x7fcdbb, 0x41b6c4, 0x1d91c0, 0x225ea8, 0x0c2c84},
      {0xffffd9, 0xedf8b1, 0xc7e9b4, 0x7fcdbb, 0x41b6c4, 0x1d91c0, 0x225ea8, 0x0c2c84},
      {0xffffd9, 0xedf8b1, 0xc7e9b4, 0x7fcdbb, 0x41b6c4, 0x1d91c0, 0x225ea8, 0x253494, 0x081d58}};
  if (n <= 1) return {0x41b6c4};
  if (n == 2) return {0xa1dab4, 0x2c7fb8};
  if (n > 9) throw InputError("map palette: at most 9 classes, asked for " + std::to_string(n));
  return ylgnbu[uz(n - 3)];
}

std::vector<double> choropleth_breaks(const std::vector<double>& values, const MapStyle& st) {
  if (!st.breaks.empty()) return st.breaks;
  if (!st.diverging) return merge_alike(class_breaks(values, st.classes, st.method), st.legend_decimals);
  std::vector<double> neg, pos;
  for (double v : values)
    if (std::isfinite(v)) (v <= 0 ? neg : pos).push_back(v);
  if (neg.empty() || pos.empty() || std::all_of(neg.begin(), neg.end(), [](double v) { return v == 0; }))
    return merge_alike(class_breaks(values, st.classes, st.method), st.legend_decimals);
  // Share the classes between the two sides by their number of values, at most 5 each, and at least two on a side
  // with two or more distinct values when there are four classes or more: North Carolina's change 1984-2004 (70
  // counties losing, 30 growing) gave the growing side one class, 0.0 - 29.8 %, so +1 % and +30 % looked alike.
  const int k = std::max(2, st.classes);
  const auto side_min = [k](std::vector<double> side) {
    std::sort(side.begin(), side.end());
    const bool several = std::unique(side.begin(), side.end()) - side.begin() >= 2;
    return k >= 4 && several ? 2 : 1;
  };
  const int min_n = side_min(neg), min_p = side_min(pos);
  int kn =
      static_cast<int>(std::lround(k * static_cast<double>(neg.size()) / static_cast<double>(neg.size() + pos.size())));
  kn = std::clamp(kn, min_n, std::min(5, k - min_p));
  const int kp = std::clamp(k - kn, min_p, 5);
  std::vector<double> bn = class_breaks(neg, kn, st.method), bp = class_breaks(pos, kp, st.method);
  bn.back() = 0.0;
  bp.front() = 0.0;
  if (bn.size() >= 2 && bn[bn.size() - 2] >= 0.0) bn.erase(bn.end() - 2);  // the largest negative class reached 0
  std::vector<double> b = bn;
  b.insert(b.end(), bp.begin() + 1, bp.end());
  b.erase(std::unique(b.begin(), b.end()), b.end());
  return merge_alike(b, st.legend_decimals);
}

std::vector<std::uint32_t> choropleth_colours(const std::vector<double>& breaks, const MapStyle& st) {
  const int k = breaks.size() >= 2 ? static_cast<int>(breaks.size()) - 1 : 0;
  if (k == 0) return {};
  const bool has_neg = breaks.front()<0, has_pos = breaks.back()> 0;
  // One colour per class: the palettes below have 9 (RdBu 11, split at 0). Python's render_choropleth(classes=20) drew
  // 20 classes from 9 colours, reading past the palette for the map and its legend.
  if (k > 9 && !(st.diverging && has_neg && has_pos))
    throw InputError("map classes: " + std::to_string(k) + "; expected at most 9 (the colours of the palette)");
  if (st.diverging && has_neg && has_pos) {
    // ColorBrewer RdBu (11 classes): reds for the negative classes (darkest = lowest), blues for the positive ones.
    static const std::uint32_t rdbu[] = {0x67001f, 0xb2182b, 0xd6604d, 0xf4a582, 0xfddbc7, 0xf7f7f7,
                                         0xd1e5f0, 0x92c5de, 0x4393c3, 0x2166ac, 0x053061};
    int kn = 0;
    while (kn < k && breaks[uz(kn) + 1] <= 0) ++kn;
    std::vector<std::uint32_t> c;
    for (int i = 0; i < kn; ++i) c.push_back(rdbu[std::max(0, 5 - kn + i)]);
    for (int i = 0; i < k - kn; ++i) c.push_back(rdbu[std::min(10, 6 + i)]);
    return c;
  }
  if (st.diverging && (has_neg || has_pos)) {
    // A signed measure whose values all lie on one side of zero keeps the colours of its side (maps.hpp): reds for
    // losses (darkest = steepest), blues for gains, so that "reds are losses" holds on every map of a change.
    // ColorBrewer Reds/Blues, 9 classes, light to dark; k classes take the shades 1 + round(7i/(k−1)), i = 0…k−1.
    static const std::uint32_t reds[] = {0xfff5f0, 0xfee0d2, 0xfcbba1, 0xfc9272, 0xfb6a4a,
                                         0xef3b2c, 0xcb181d, 0xa50f15, 0x67000d};
    static const std::uint32_t blues[] = {0xf7fbff, 0xdeebf7, 0xc6dbef, 0x9ecae1, 0x6baed6,
                                          0x4292c6, 0x2171b5, 0x08519c, 0x08306b};
    const int n = std::min(k, 9);
    std::vector<std::uint32_t> c(uz(n));
    for (int i = 0; i < n; ++i) {
      // Shades 1 (light; shade 0 is almost white, like "no change") to 8 (darkest) as i goes from 0 to n − 1.
      const int shade = n == 1 ? 6 : 1 + static_cast<int>(std::lround(7.0 * i / (n - 1)));
      if (has_pos)
        c[uz(i)] = blues[shade];  // the smallest gain lightest
      else
        c[uz(n - 1 - i)] = reds[shade];  // the steepest loss darkest
    }
    return c;
  }
  return sequential_palette(std::min(k, 9));
}

}  // namespace cohortgis::geodata

namespace cohortgis::geodata::detail {

std::string format_number(double v, int decimals) {
  if (std::isnan(v)) return "–";
  return (v < 0 ? "-" : "") + group_thousands(fixed_digits(v, decimals));
}

double nice_step(double approx) {
  if (!(approx > 0)) return 1.0;
  const double p = std::pow(10.0, std::floor(std::log10(approx)));
  for (double m : {5.0, 2.0, 1.0})
    if (m * p <= approx) return m * p;
  return p;
}

}  // namespace cohortgis::geodata::detail
