// SPDX-License-Identifier: Apache-2.0
// Choropleth maps (see maps.hpp).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numbers>

#include "canvas.hpp"
#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/types.hpp"
#include "cohortgis/geodata/maps.hpp"
#include "map_layout.hpp"

namespace cohortgis::geodata {

namespace {
using detail::draw_text;
using detail::set_rgb;

// Maps planar metres into a box on the page, keeping the aspect ratio (north up).
struct Frame {
  double scale = 1, ox = 0, oy = 0, minx = 0, maxy = 0;
  double extent_px2 = 0;  // the zones' bounding box on the page, in square pixels
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
    extent_px2 = (x1 - x0) * (y1 - y0) * scale * scale;
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

}  // namespace

namespace {

constexpr std::uint32_t kNoData = 0xd9d9d9;

}  // namespace

namespace detail {
PageLayout page_layout(cairo_t* cr, const MapStyle& st, bool draw) {
  PageLayout L;
  L.top = L.margin;
  if (!st.title.empty()) L.top += draw_text(cr, st.title, st.font_family, 24, L.margin, L.top, true, !draw).height + 4;
  if (!st.subtitle.empty())
    L.top +=
        draw_text(cr, st.subtitle, st.font_family, 15, L.margin, L.top, false, !draw, false, 0.35, 0.35, 0.35).height;
  L.top += 10;
  L.bottom = st.height_px - L.margin - 22;
  return L;
}
}  // namespace detail

namespace {
using detail::page_layout;
using detail::PageLayout;

// Stops a drawing within a few hundred zones of a cancel request (SIGINT/SIGTERM): maps of 50,000 zones take seconds.
void check_cancel(const MapStyle& st, std::size_t i) {
  if (st.cancel && i % 256 == 0 && st.cancel->load(std::memory_order_relaxed))
    throw ProjectionError("drawing cancelled");
}

void fill_zones(cairo_t* cr, const std::vector<MapZone>& zones, const std::vector<double>& values,
                const std::vector<double>& breaks, const std::vector<std::uint32_t>& colours, const Frame& f,
                double line_width, const MapStyle& st) {
  // Boundaries at most a 24th of a zone's width: 50,000 zones of 3.8 px each under 0.8 px grey lines showed half
  // grey, and the map's colours no longer matched its legend. Maps of up to about 1,700 zones keep line_width.
  line_width = std::min(line_width, std::sqrt(f.extent_px2 / static_cast<double>(zones.size())) / 24);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  for (std::size_t i = 0; i < zones.size(); ++i) {
    check_cancel(st, i);
    trace_zone(cr, zones[i], f);
    const int c = class_of(values[i], breaks);
    set_rgb(cr, c < 0 ? kNoData : colours[uz(c)]);
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
    cairo_fill_preserve(cr);
    set_rgb(cr, 0x555555);
    cairo_set_line_width(cr, line_width);
    cairo_stroke(cr);
  }
}

// Legend boxes from the highest class down, then "no data"; returns the y below it.
double draw_legend(cairo_t* cr, const MapStyle& st, const std::vector<double>& breaks,
                   const std::vector<std::uint32_t>& colours, bool any_nan, double lx, double ly) {
  const int k = breaks.size() >= 2 ? static_cast<int>(breaks.size()) - 1 : 0;
  // 15-16 px text on a 1200 px map: about 2.3 mm high when the map fills an A4 column (report print style).
  if (!st.legend_title.empty()) ly += draw_text(cr, st.legend_title, st.font_family, 16, lx, ly, true).height + 8;
  for (int c = k - 1; c >= 0; --c) {
    set_rgb(cr, colours[uz(c)]);
    cairo_rectangle(cr, lx, ly, 28, 18);
    cairo_fill_preserve(cr);
    set_rgb(cr, 0x555555);
    cairo_set_line_width(cr, 0.6);
    cairo_stroke(cr);
    // A minus sign (U+2212), not a hyphen: "−14.1 – −10.0" reads as a range, "-14.1 – -10.0" as dashes.
    const auto number = [&](double v) {
      std::string t = detail::format_number(v, st.legend_decimals);
      return t.starts_with('-') ? "−" + t.substr(1) : t;
    };
    const std::string range =
        number(breaks[uz(c)]) + " – " + number(breaks[uz(c) + 1]);
    draw_text(cr, range, st.font_family, 15, lx + 36, ly - 1);
    ly += 26;
  }
  if (any_nan) {
    set_rgb(cr, kNoData);
    cairo_rectangle(cr, lx, ly, 28, 18);
    cairo_fill(cr);
    draw_text(cr, st.no_data_label, st.font_family, 15, lx + 36, ly - 1);
    ly += 26;
  }
  return ly;
}

// The scale bar and the north arrow have a white halo, as the zone names: both may lie over the darkest class.
void stroke_with_halo(cairo_t* cr, double width) {
  cairo_save(cr);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
  cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
  cairo_set_line_width(cr, width + 4);
  cairo_stroke_preserve(cr);
  set_rgb(cr, 0x222222);
  cairo_set_line_width(cr, width);
  cairo_stroke(cr);
  cairo_restore(cr);
}

void draw_scale_bar(cairo_t* cr, const MapStyle& st, const Frame& f, double x, double y, double max_len) {
  const double metres = detail::nice_step(max_len / f.scale);
  const double len = metres * f.scale;
  cairo_move_to(cr, x, y - 6);
  cairo_line_to(cr, x, y);
  cairo_line_to(cr, x + len, y);
  cairo_line_to(cr, x + len, y - 6);
  stroke_with_halo(cr, 2);
  const std::string label =
      metres >= 1000 ? detail::format_number(metres / 1000, 0) + " km" : detail::format_number(metres, 0) + " m";
  draw_text(cr, label, st.font_family, 11, x + len + 6, y - 14, false, false, true);
}

void draw_north_arrow(cairo_t* cr, const MapStyle& st, double x, double y) {
  cairo_move_to(cr, x, y + 10);
  cairo_line_to(cr, x - 8, y + 34);
  cairo_line_to(cr, x, y + 28);
  cairo_line_to(cr, x + 8, y + 34);
  cairo_close_path(cr);
  cairo_save(cr);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
  cairo_set_line_width(cr, 4);
  cairo_stroke_preserve(cr);
  cairo_restore(cr);
  set_rgb(cr, 0x222222);
  cairo_fill(cr);
  draw_text(cr, "N", st.font_family, 12, x - 4, y - 8, true, false, true);
}

std::vector<double> values_of(const std::vector<MapZone>& zones) {
  std::vector<double> v;
  for (const auto& z : zones) v.push_back(z.value);
  return v;
}

// Names as placed by place_labels: inside labels with a halo, callouts with a leader line from the zone's pole to the
// nearest point of the name's box, key numbers in a white circle.
void draw_labels(cairo_t* cr, const std::vector<MapZone>& zones, const std::vector<LabelPlacement>& names,
                 const MapStyle& st) {
  for (std::size_t k = 0; k < names.size(); ++k) {
    check_cancel(st, k);
    const LabelPlacement& p = names[k];
    const bool leader = p.kind == LabelPlacement::Kind::callout ||
                        !(p.anchor_x >= p.x0 && p.anchor_x <= p.x1 && p.anchor_y >= p.y0 && p.anchor_y <= p.y1);
    if (leader) {
      const double lx = std::clamp(p.anchor_x, p.x0, p.x1), ly = std::clamp(p.anchor_y, p.y0, p.y1);
      set_rgb(cr, 0x222222);
      cairo_set_line_width(cr, 0.9);
      cairo_move_to(cr, p.anchor_x, p.anchor_y);
      cairo_line_to(cr, lx, ly);
      cairo_stroke(cr);
      cairo_arc(cr, p.anchor_x, p.anchor_y, 2.2, 0, 2 * std::numbers::pi);
      cairo_fill(cr);
    }
    if (p.kind == LabelPlacement::Kind::key) {
      const double cx = (p.x0 + p.x1) / 2, cy = (p.y0 + p.y1) / 2, r = (p.x1 - p.x0) / 2;
      cairo_new_path(cr);
      cairo_arc(cr, cx, cy, r, 0, 2 * std::numbers::pi);
      cairo_set_source_rgb(cr, 1, 1, 1);
      cairo_fill_preserve(cr);
      set_rgb(cr, 0x222222);
      cairo_set_line_width(cr, 0.8);
      cairo_stroke(cr);
      const std::string num = std::to_string(p.key_number);
      const auto tb = draw_text(cr, num, st.font_family, p.font_pt, 0, 0, true, true);
      draw_text(cr, num, st.font_family, p.font_pt, cx - tb.width / 2, cy - tb.height / 2, true);
      continue;
    }
    draw_text(cr, zones[p.zone].label, st.font_family, p.font_pt, p.x0 + 2, p.y0 + 1, false, false, true);
  }
}

// The numbered key ("1 东城区") under the legend, down to the bottom of the map box: one column at 12 pt, or, when
// that does not fit, two columns at 10 pt.
void draw_key(cairo_t* cr, const std::vector<MapZone>& zones, const std::vector<LabelPlacement>& names,
              const MapStyle& st, double x, double y, double bottom, double width) {
  std::vector<const LabelPlacement*> keyed;
  for (const LabelPlacement& p : names)
    if (p.kind == LabelPlacement::Kind::key) keyed.push_back(&p);
  if (keyed.empty()) return;
  double pt = 12, line = draw_text(cr, "0", st.font_family, pt, 0, 0, true, true).height + 4;
  int columns = 1;
  if (y + line * static_cast<double>(keyed.size()) > bottom) {
    pt = 10;
    line = draw_text(cr, "0", st.font_family, pt, 0, 0, true, true).height + 2;
    columns = 2;
  }
  const auto rows = static_cast<std::size_t>(std::max(1.0, std::floor((bottom - y) / line)));
  for (std::size_t k = 0; k < keyed.size(); ++k) {
    const double cx = x + static_cast<double>(k / rows) * width / columns,
                 cy = y + static_cast<double>(k % rows) * line;
    draw_text(cr, std::to_string(keyed[k]->key_number), st.font_family, pt, cx, cy, true);
    draw_text(cr, zones[keyed[k]->zone].label, st.font_family, pt, cx + 2.2 * pt, cy);
  }
}

}  // namespace

std::vector<double> render_choropleth(const std::vector<MapZone>& zones, const MapStyle& st, ImageFormat format,
                                      const std::string& path) {
  if (zones.empty()) throw InputError("map " + path + ": no zones to draw");
  const std::vector<double> values = values_of(zones);
  const bool any_nan = std::any_of(values.begin(), values.end(), [](double v) { return !std::isfinite(v); });
  const std::vector<double> breaks = choropleth_breaks(values, st);
  const std::vector<std::uint32_t> colours = choropleth_colours(breaks, st);

  detail::Canvas canvas(format, path, st.width_px, st.height_px, st.dpi);
  cairo_t* cr = canvas.cr();
  const PageLayout L = page_layout(cr, st, true);
  const double W = st.width_px, H = st.height_px, margin = L.margin, top = L.top, bottom = L.bottom;
  const Frame f(zones, margin, top, W - 2 * margin - L.legend_w, bottom - top);
  fill_zones(cr, zones, values, breaks, colours, f, 0.8, st);
  const std::vector<LabelPlacement> names =
      st.labels ? detail::place_labels(cr, zones, st, L) : std::vector<LabelPlacement>{};
  draw_labels(cr, zones, names, st);
  const double map_right = W - margin - L.legend_w;
  // Scale bar: a round length near a fifth of the map's width (planar metres).
  if (st.scale_bar) draw_scale_bar(cr, st, f, margin + 8, bottom - 8, (map_right - margin) / 5);
  if (st.north_arrow) draw_north_arrow(cr, st, map_right - 24, top + 8);  // the CRS is planar and north-up
  const double legend_end = draw_legend(cr, st, breaks, colours, any_nan, map_right + 20, top + 10);
  draw_key(cr, zones, names, st, map_right + 20, legend_end + 14, bottom, L.legend_w - 24);
  if (!st.source_note.empty())
    draw_text(cr, st.source_note, st.font_family, 10, margin, H - margin - 12, false, false, false, 0.4, 0.4, 0.4);
  canvas.commit(st.cancel);
  return breaks;
}

std::vector<double> render_small_multiples(const std::vector<MapZone>& zones, const std::vector<std::string>& titles,
                                           const std::vector<std::vector<double>>& panel_values, const MapStyle& st,
                                           ImageFormat format, const std::string& path, int columns) {
  if (zones.empty() || panel_values.empty()) throw InputError("map " + path + ": no zones or no panels to draw");
  if (titles.size() != panel_values.size())
    throw InputError("map " + path + ": " + std::to_string(titles.size()) + " panel titles for " +
                     std::to_string(panel_values.size()) + " panels");
  std::vector<double> pooled;
  for (std::size_t p = 0; p < panel_values.size(); ++p) {
    if (panel_values[p].size() != zones.size())
      throw InputError("map " + path + ": panel '" + titles[p] + "' has " + std::to_string(panel_values[p].size()) +
                       " values for " + std::to_string(zones.size()) + " zones");
    pooled.insert(pooled.end(), panel_values[p].begin(), panel_values[p].end());
  }
  const bool any_nan = std::any_of(pooled.begin(), pooled.end(), [](double v) { return !std::isfinite(v); });
  const std::vector<double> breaks = choropleth_breaks(pooled, st);
  const std::vector<std::uint32_t> colours = choropleth_colours(breaks, st);
  const int n = static_cast<int>(panel_values.size());
  const int cols = columns > 0 ? columns : static_cast<int>(std::ceil(std::sqrt(static_cast<double>(n))));
  const int rows = (n + cols - 1) / cols;

  detail::Canvas canvas(format, path, st.width_px, st.height_px, st.dpi);
  cairo_t* cr = canvas.cr();
  const PageLayout L = page_layout(cr, st, true);
  const double W = st.width_px, H = st.height_px, margin = L.margin;
  const double grid_w = W - 2 * margin - L.legend_w, grid_h = L.bottom - L.top;
  const double cell_w = grid_w / cols, cell_h = grid_h / rows;
  for (int p = 0; p < n; ++p) {
    const double cx = margin + (p % cols) * cell_w, cy = L.top + static_cast<double>(p / cols) * cell_h;
    const auto tb = draw_text(cr, titles[uz(p)], st.font_family, 15, 0, 0, true, true);
    draw_text(cr, titles[uz(p)], st.font_family, 15, cx + (cell_w - tb.width) / 2, cy, true);
    const Frame f(zones, cx + 6, cy + tb.height + 4, cell_w - 12, cell_h - tb.height - 12);
    fill_zones(cr, zones, panel_values[uz(p)], breaks, colours, f, 0.5, st);
    if (p == 0 && st.north_arrow) draw_north_arrow(cr, st, cx + cell_w - 20, cy + tb.height + 4);
    if (p == n - 1 && st.scale_bar) draw_scale_bar(cr, st, f, cx + 8, cy + cell_h - 8, cell_w / 4);
  }
  draw_legend(cr, st, breaks, colours, any_nan, W - margin - L.legend_w + 20, L.top + 10);
  if (!st.source_note.empty())
    draw_text(cr, st.source_note, st.font_family, 10, margin, H - margin - 12, false, false, false, 0.4, 0.4, 0.4);
  canvas.commit(st.cancel);
  return breaks;
}

namespace detail {
// (map_layout.hpp)
std::vector<std::uint32_t> zone_ids(const std::vector<MapZone>& zones, int width, int height, double x, double y,
                                    double w, double h) {
  if (zones.empty() || width <= 0 || height <= 0) throw InputError("zone index buffer: nothing to draw");
  cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
  cairo_t* cr = cairo_create(s);
  cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_paint(cr);
  const Frame f(zones, x, y, w, h);
  for (std::size_t i = 0; i < zones.size(); ++i) {
    set_rgb(cr, static_cast<std::uint32_t>(i + 1) & 0xffffff);
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
    trace_zone(cr, zones[i], f);
    cairo_fill(cr);
  }
  cairo_surface_flush(s);
  const unsigned char* data = cairo_image_surface_get_data(s);
  const int stride = cairo_image_surface_get_stride(s);
  std::vector<std::uint32_t> out(uz(width) * uz(height));
  for (int row = 0; row < height; ++row)
    for (int col = 0; col < width; ++col) {
      std::uint32_t px;
      std::memcpy(&px, data + row * stride + 4 * col, 4);
      out[uz(row) * uz(width) + uz(col)] = px & 0xffffff;
    }
  cairo_destroy(cr);
  cairo_surface_destroy(s);
  return out;
}
}  // namespace detail

std::vector<std::uint32_t> render_zone_index_buffer(const std::vector<MapZone>& zones, const MapStyle& st) {
  if (zones.empty()) throw InputError("zone index buffer: nothing to draw");
  cairo_surface_t* scratch = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 8, 8);
  cairo_t* mcr = cairo_create(scratch);
  const PageLayout L = page_layout(mcr, st, false);
  cairo_destroy(mcr);
  cairo_surface_destroy(scratch);
  // The zones where the real map puts them (same layout), so a test can read each zone's colour on the map.
  return detail::zone_ids(zones, st.width_px, st.height_px, L.margin, L.top, st.width_px - 2 * L.margin - L.legend_w,
                          L.bottom - L.top);
}

std::vector<std::uint32_t> render_zone_index_buffer(const std::vector<MapZone>& zones, int width, int height) {
  return detail::zone_ids(zones, width, height, 0, 0, width, height);
}

}  // namespace cohortgis::geodata
