// SPDX-License-Identifier: Apache-2.0
// Choropleth maps (see maps.hpp).
#include <algorithm>
#include <cmath>
#include <limits>
#include <cstring>
#include <numeric>
#include <tuple>

#include "canvas.hpp"
#include "cohortgis/engine/types.hpp"
#include "cohortgis/geodata/maps.hpp"

namespace cohortgis::geodata {

namespace {
using detail::draw_text;
using detail::set_rgb;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

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
  const std::size_t K = static_cast<std::size_t>(k);
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

struct Box {
  double x0, y0, x1, y1;
  bool overlaps(const Box& o) const { return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1; }
};

// Maps planar metres into a box on the page, keeping the aspect ratio (north up).
struct Frame {
  double scale = 1, ox = 0, oy = 0, minx = 0, maxy = 0;
  Frame(const std::vector<MapZone>& zones, double x, double y, double w, double h) {
    double x0 = std::numeric_limits<double>::infinity(), y0 = x0, x1 = -x0, y1 = -x0;
    for (const auto& z : zones)
      for (const auto& poly : z.parts)
        for (const auto& ring : poly)
          for (const auto& p : ring) {
            x0 = std::min(x0, p.x);
            x1 = std::max(x1, p.x);
            y0 = std::min(y0, p.y);
            y1 = std::max(y1, p.y);
          }
    if (!(x1 > x0) || !(y1 > y0)) throw InputError("map: the zones have no extent to draw");
    scale = std::min(w / (x1 - x0), h / (y1 - y0));
    ox = x + (w - (x1 - x0) * scale) / 2;
    oy = y + (h - (y1 - y0) * scale) / 2;
    minx = x0;
    maxy = y1;
  }
  double px(double x) const { return ox + (x - minx) * scale; }
  double py(double y) const { return oy + (maxy - y) * scale; }
};

void trace_zone(cairo_t* cr, const MapZone& z, const Frame& f) {
  for (const auto& poly : z.parts)
    for (const auto& ring : poly) {
      if (ring.empty()) continue;
      cairo_move_to(cr, f.px(ring[0].x), f.py(ring[0].y));
      for (std::size_t i = 1; i < ring.size(); ++i) cairo_line_to(cr, f.px(ring[i].x), f.py(ring[i].y));
      cairo_close_path(cr);
    }
}

// Area-weighted centroid of the largest part's outer ring (shoelace formula), and that part's area.
std::pair<MapPoint, double> label_point(const MapZone& z) {
  MapPoint best{};
  double best_area = -1;
  for (const auto& poly : z.parts) {
    if (poly.empty() || poly[0].size() < 3) continue;
    const MapRing& r = poly[0];
    double a = 0, cx = 0, cy = 0;
    for (std::size_t i = 0, j = r.size() - 1; i < r.size(); j = i++) {
      const double cross = r[j].x * r[i].y - r[i].x * r[j].y;
      a += cross;
      cx += (r[j].x + r[i].x) * cross;
      cy += (r[j].y + r[i].y) * cross;
    }
    if (std::abs(a) > best_area && a != 0.0) {
      best_area = std::abs(a) / 2;
      best = {cx / (3 * a), cy / (3 * a)};
    }
  }
  return {best, best_area};
}

}  // namespace

std::vector<double> class_breaks(const std::vector<double>& values, int classes, ClassMethod method) {
  if (classes < 1) throw InputError("map classes: need at least one class, got " + std::to_string(classes));
  std::vector<double> x = finite_sorted(values);
  if (x.empty()) return {};
  std::vector<double> distinct = x;
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  if (distinct.size() <= static_cast<std::size_t>(classes) && method != ClassMethod::equal_interval) {
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
        for (int i = 0; i < 3000; ++i) s.push_back(x[static_cast<std::size_t>(std::llround(i * static_cast<double>(x.size() - 1) / 2999.0))]);
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
  return ylgnbu[static_cast<std::size_t>(n - 3)];
}

std::vector<double> render_choropleth(const std::vector<MapZone>& zones, const MapStyle& st, ImageFormat format,
                                      const std::string& path) {
  if (zones.empty()) throw InputError("map " + path + ": no zones to draw");
  std::vector<double> values;
  bool any_nan = false;
  for (const auto& z : zones) {
    values.push_back(z.value);
    any_nan = any_nan || !std::isfinite(z.value);
  }
  const std::vector<double> breaks = class_breaks(values, st.classes, st.method);
  const int k = breaks.size() >= 2 ? static_cast<int>(breaks.size()) - 1 : 0;
  const std::vector<std::uint32_t> colours = sequential_palette(std::max(k, 1));
  constexpr std::uint32_t kNoData = 0xd9d9d9;

  detail::Canvas canvas(format, path, st.width_px, st.height_px, st.dpi);
  cairo_t* cr = canvas.cr();
  const double W = st.width_px, H = st.height_px, margin = 24, legend_w = 250;
  double top = margin;
  if (!st.title.empty()) top += draw_text(cr, st.title, st.font_family, 24, margin, top, true).height + 4;
  if (!st.subtitle.empty()) top += draw_text(cr, st.subtitle, st.font_family, 15, margin, top, false, false, false, 0.35, 0.35, 0.35).height;
  top += 10;
  const double bottom = H - margin - 22;
  const Frame f(zones, margin, top, W - 2 * margin - legend_w, bottom - top);

  // Zones.
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  for (const auto& z : zones) {
    trace_zone(cr, z, f);
    const int c = class_of(z.value, breaks);
    set_rgb(cr, c < 0 ? kNoData : colours[static_cast<std::size_t>(c)]);
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
    cairo_fill_preserve(cr);
    set_rgb(cr, 0x555555);
    cairo_set_line_width(cr, 0.8);
    cairo_stroke(cr);
  }
  // Labels, largest zones first, skipping any that would overlap one already placed.
  if (st.labels) {
    std::vector<std::size_t> order(zones.size());
    std::iota(order.begin(), order.end(), 0);
    std::vector<double> area(zones.size());
    std::vector<MapPoint> at(zones.size());
    for (std::size_t i = 0; i < zones.size(); ++i) std::tie(at[i], area[i]) = label_point(zones[i]);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return area[a] > area[b]; });
    std::vector<Box> placed;
    for (std::size_t i : order) {
      if (zones[i].label.empty() || area[i] <= 0) continue;
      const auto tb = draw_text(cr, zones[i].label, st.font_family, 12, 0, 0, false, true);
      const double x = f.px(at[i].x) - tb.width / 2, y = f.py(at[i].y) - tb.height / 2;
      const Box box{x - 2, y - 1, x + tb.width + 2, y + tb.height + 1};
      if (std::any_of(placed.begin(), placed.end(), [&](const Box& b) { return b.overlaps(box); })) continue;
      placed.push_back(box);
      draw_text(cr, zones[i].label, st.font_family, 12, x, y, false, false, true);
    }
  }
  const double map_right = W - margin - legend_w;
  // Scale bar: a round length near a fifth of the map's width (planar metres).
  if (st.scale_bar) {
    const double metres = detail::nice_step((map_right - margin) / 5 / f.scale);
    const double len = metres * f.scale, x = margin + 8, y = bottom - 8;
    set_rgb(cr, 0x222222);
    cairo_set_line_width(cr, 2);
    cairo_move_to(cr, x, y - 6);
    cairo_line_to(cr, x, y);
    cairo_line_to(cr, x + len, y);
    cairo_line_to(cr, x + len, y - 6);
    cairo_stroke(cr);
    const std::string label = metres >= 1000 ? detail::format_number(metres / 1000, metres < 1000 * 1 ? 1 : 0) + " km"
                                             : detail::format_number(metres, 0) + " m";
    draw_text(cr, label, st.font_family, 11, x + len + 6, y - 14);
  }
  // North arrow (the CRS is planar and north-up).
  if (st.north_arrow) {
    const double x = map_right - 24, y = top + 8;
    set_rgb(cr, 0x222222);
    cairo_move_to(cr, x, y + 10);
    cairo_line_to(cr, x - 8, y + 34);
    cairo_line_to(cr, x, y + 28);
    cairo_line_to(cr, x + 8, y + 34);
    cairo_close_path(cr);
    cairo_fill(cr);
    draw_text(cr, "N", st.font_family, 12, x - 4, y - 8, true);
  }
  // Legend.
  double ly = top + 10;
  const double lx = map_right + 20;
  if (!st.legend_title.empty()) ly += draw_text(cr, st.legend_title, st.font_family, 14, lx, ly, true).height + 8;
  for (int c = k - 1; c >= 0; --c) {
    set_rgb(cr, colours[static_cast<std::size_t>(c)]);
    cairo_rectangle(cr, lx, ly, 28, 18);
    cairo_fill_preserve(cr);
    set_rgb(cr, 0x555555);
    cairo_set_line_width(cr, 0.6);
    cairo_stroke(cr);
    const std::string range = detail::format_number(breaks[static_cast<std::size_t>(c)], st.legend_decimals) + " – " +
                              detail::format_number(breaks[static_cast<std::size_t>(c) + 1], st.legend_decimals);
    draw_text(cr, range, st.font_family, 12, lx + 36, ly);
    ly += 26;
  }
  if (any_nan) {
    set_rgb(cr, kNoData);
    cairo_rectangle(cr, lx, ly, 28, 18);
    cairo_fill(cr);
    draw_text(cr, st.no_data_label, st.font_family, 12, lx + 36, ly);
  }
  if (!st.source_note.empty())
    draw_text(cr, st.source_note, st.font_family, 10, margin, H - margin - 12, false, false, false, 0.4, 0.4, 0.4);
  canvas.commit();
  return breaks;
}

std::vector<std::uint32_t> render_zone_index_buffer(const std::vector<MapZone>& zones, int width, int height) {
  if (zones.empty() || width <= 0 || height <= 0) throw InputError("zone index buffer: nothing to draw");
  cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
  cairo_t* cr = cairo_create(s);
  cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);  // exact ids, no blended edges
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_paint(cr);
  const Frame f(zones, 0, 0, width, height);
  for (std::size_t i = 0; i < zones.size(); ++i) {
    const std::uint32_t id = static_cast<std::uint32_t>(i + 1);
    set_rgb(cr, id & 0xffffff);
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
    trace_zone(cr, zones[i], f);
    cairo_fill(cr);
  }
  cairo_surface_flush(s);
  const unsigned char* data = cairo_image_surface_get_data(s);
  const int stride = cairo_image_surface_get_stride(s);
  std::vector<std::uint32_t> out(static_cast<std::size_t>(width) * static_cast<std::size_t>(height));
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      std::uint32_t px;
      std::memcpy(&px, data + y * stride + 4 * x, 4);
      out[static_cast<std::size_t>(y) * static_cast<std::size_t>(width) + static_cast<std::size_t>(x)] = px & 0xffffff;
    }
  cairo_destroy(cr);
  cairo_surface_destroy(s);
  return out;
}

}  // namespace cohortgis::geodata
