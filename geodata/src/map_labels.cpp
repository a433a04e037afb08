// SPDX-License-Identifier: Apache-2.0
// Label placement on choropleths (maps.hpp map_label_layout): inside the zone, else a callout over the empty page
// with a leader line, else a numbered key. Works on the zone index raster of the page layout, so "inside the zone"
// means on the zone's own pixels as drawn, and a label can never straddle two zones.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <numbers>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "canvas.hpp"
#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/types.hpp"
#include "map_layout.hpp"

namespace cohortgis::geodata::detail {

namespace {

struct Raster {
  int w = 0, h = 0;
  std::vector<std::uint32_t> id;  // zone index + 1, 0 background
  std::uint32_t at(int x, int y) const { return id[uz(y) * uz(w) + uz(x)]; }
};

struct Box {
  double x0, y0, x1, y1;
  bool overlaps(const Box& o) const { return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1; }
  bool contains(double x, double y) const { return x >= x0 && x <= x1 && y >= y0 && y <= y1; }
};

// Chamfer (3, 4) distance of every pixel to the nearest pixel of another zone or the background (Borgefors 1986,
// "Distance transformations in digital images", CVGIP 34: 344–371); divide by 3 for pixels. Pixels on the image's
// edge count as next to the outside.
std::vector<int> edge_distance(const Raster& r) {
  const int inf = 1 << 28;
  std::vector<int> d(r.id.size(), inf);
  auto idx = [&](int x, int y) { return uz(y) * uz(r.w) + uz(x); };
  for (int y = 0; y < r.h; ++y)
    for (int x = 0; x < r.w; ++x) {
      const std::uint32_t v = r.at(x, y);
      if (v == 0) d[idx(x, y)] = 0;
      else if (x == 0 || y == 0 || x == r.w - 1 || y == r.h - 1 || r.at(x - 1, y) != v || r.at(x + 1, y) != v ||
               r.at(x, y - 1) != v || r.at(x, y + 1) != v)
        d[idx(x, y)] = 3;
    }
  auto relax = [&](int x, int y, int nx, int ny, int c) {
    if (nx < 0 || ny < 0 || nx >= r.w || ny >= r.h) return;
    d[idx(x, y)] = std::min(d[idx(x, y)], d[idx(nx, ny)] + c);
  };
  for (int y = 0; y < r.h; ++y)
    for (int x = 0; x < r.w; ++x) {
      relax(x, y, x - 1, y, 3);
      relax(x, y, x, y - 1, 3);
      relax(x, y, x - 1, y - 1, 4);
      relax(x, y, x + 1, y - 1, 4);
    }
  for (int y = r.h - 1; y >= 0; --y)
    for (int x = r.w - 1; x >= 0; --x) {
      relax(x, y, x + 1, y, 3);
      relax(x, y, x, y + 1, 3);
      relax(x, y, x + 1, y + 1, 4);
      relax(x, y, x - 1, y + 1, 4);
    }
  return d;
}

class Placer {
 public:
  Placer(cairo_t* cr, const std::vector<MapZone>& zones, const MapStyle& st, const PageLayout& L)
      : cr_(cr), zones_(zones), st_(st) {
    r_.w = st.width_px;
    r_.h = st.height_px;
    map_ = {L.margin, L.top, st.width_px - L.margin - L.legend_w, L.bottom};
    r_.id = zone_ids(zones, r_.w, r_.h, map_.x0, map_.y0, map_.x1 - map_.x0, map_.y1 - map_.y0);
    dist_ = edge_distance(r_);
    pixels_.resize(zones.size());
    for (int y = 0; y < r_.h; ++y)
      for (int x = 0; x < r_.w; ++x)
        if (const std::uint32_t v = r_.at(x, y); v != 0) pixels_[v - 1].push_back(y * r_.w + x);
    // Each zone's pixels, farthest from its edge first (raster order among ties): the first is its pole.
    for (auto& px : pixels_)
      std::stable_sort(px.begin(), px.end(), [&](int a, int b) { return dist_[uz(a)] > dist_[uz(b)]; });
  }

  std::vector<LabelPlacement> run() {
    const std::size_t n = zones_.size();
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return pixels_[a].size() > pixels_[b].size(); });
    std::vector<LabelPlacement> out;
    std::vector<std::size_t> left;
    for (std::size_t k = 0; k < order.size(); ++k) {  // 1. inside, largest zones first
      // Stops within 256 zones of a cancel request (SIGINT/SIGTERM), as the drawing does.
      if (st_.cancel && k % 256 == 0 && st_.cancel->load(std::memory_order_relaxed))
        throw ProjectionError("drawing cancelled");
      const std::size_t i = order[k];
      if (zones_[i].label.empty() || pixels_[i].empty()) continue;
      // Zones under 14 px across at their widest hold no 10 pt name: not measured (maps of 50,000 zones).
      if (dist_[uz(pixels_[i].front())] < 3 * 7) {
        left.push_back(i);
        continue;
      }
      bool done = false;
      for (double pt : {12.0, 10.0}) {
        const Box b = text_box(zones_[i].label, pt);
        if (const auto at = inside(i, b.x1, b.y1, 400)) {
          out.push_back(placement(i, LabelPlacement::Kind::inside, *at, pt));
          done = true;
          break;
        }
      }
      if (!done) left.push_back(i);
    }
    if (n > kMaxNamedZones) return out;
    std::vector<std::size_t> keyed;
    for (std::size_t i : left) {  // 2. callouts over the empty page
      const Box b = text_box(zones_[i].label, 11.0);
      if (const auto at = callout(i, b.x1, b.y1)) out.push_back(placement(i, LabelPlacement::Kind::callout, *at, 11.0));
      else keyed.push_back(i);
    }
    int number = 0;
    for (std::size_t i : keyed) {  // 3. a numbered marker in the zone (or beside it), the name in the key
      const Box t = text_box(std::to_string(number + 1), 10.0);
      const double side = std::max(t.x1, t.y1) + 2;
      auto at = inside(i, side, side, 400);
      if (!at) at = callout(i, side, side);
      if (!at) at = Box{pole_x(i) - side / 2, pole_y(i) - side / 2, pole_x(i) + side / 2, pole_y(i) + side / 2};
      LabelPlacement p = placement(i, LabelPlacement::Kind::key, *at, 10.0);
      p.key_number = ++number;
      out.push_back(p);
    }
    return out;
  }

 private:
  // The name's box at (0, 0): text plus the halo's margin (2 px each side, 1 px above and below).
  Box text_box(const std::string& text, double pt) const {
    const TextBox tb = draw_text(cr_, text, st_.font_family, pt, 0, 0, false, true);
    return {0, 0, tb.width + 4, tb.height + 2};
  }
  double pole_x(std::size_t i) const { return (pixels_[i].front() % r_.w) + 0.5; }
  double pole_y(std::size_t i) const { return (pixels_[i].front() / r_.w) + 0.5; }

  LabelPlacement placement(std::size_t i, LabelPlacement::Kind kind, const Box& b, double pt) {
    placed_.push_back(b);
    LabelPlacement p;
    p.zone = i;
    p.kind = kind;
    p.x0 = b.x0;
    p.y0 = b.y0;
    p.x1 = b.x1;
    p.y1 = b.y1;
    p.anchor_x = pole_x(i);
    p.anchor_y = pole_y(i);
    p.font_pt = pt;
    return p;
  }

  // True when every pixel the box covers has id `want` (background: also inside the map box), and the box overlaps
  // no box placed so far (with a 2 px gap).
  bool free(const Box& b, std::uint32_t want) const {
    if (b.x0 < 0 || b.y0 < 0 || b.x1 > r_.w || b.y1 > r_.h) return false;
    if (want == 0 && (b.x0 < map_.x0 || b.y0 < map_.y0 || b.x1 > map_.x1 || b.y1 > map_.y1)) return false;
    const Box gap{b.x0 - 2, b.y0 - 2, b.x1 + 2, b.y1 + 2};
    for (const Box& o : placed_)
      if (o.overlaps(gap)) return false;
    const int x0 = static_cast<int>(std::floor(b.x0)), x1 = static_cast<int>(std::ceil(b.x1));
    const int y0 = static_cast<int>(std::floor(b.y0)), y1 = static_cast<int>(std::ceil(b.y1));
    for (int y = std::max(0, y0); y < std::min(r_.h, y1); ++y)
      for (int x = std::max(0, x0); x < std::min(r_.w, x1); ++x)
        if (r_.at(x, y) != want) return false;
    return true;
  }

  // A w × h box wholly on zone i, centred on one of its `tries` pixels farthest from its edge.
  std::optional<Box> inside(std::size_t i, double w, double h, std::size_t tries) const {
    const std::vector<int>& px = pixels_[i];
    for (std::size_t k = 0; k < std::min(tries, px.size()); ++k) {
      const int p = px[k];
      if (dist_[uz(p)] < 3.0 * h / 2) break;  // sorted: no later pixel is deep enough either
      const double cx = p % r_.w + 0.5, cy = p / r_.w + 0.5;
      const Box b{cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2};
      if (free(b, static_cast<std::uint32_t>(i + 1))) return b;
    }
    return std::nullopt;
  }

  // A w × h box on the background near zone i's pole (rings of growing radius, 32 directions from east), whose
  // leader line from the pole crosses no placed box.
  std::optional<Box> callout(std::size_t i, double w, double h) const {
    const double ax = pole_x(i), ay = pole_y(i);
    const double rmax = std::hypot(map_.x1 - map_.x0, map_.y1 - map_.y0);
    for (double rad = 12; rad <= rmax; rad += 8)
      for (int k = 0; k < 32; ++k) {
        const double a = 2 * std::numbers::pi * k / 32;
        const double cx = ax + rad * std::cos(a), cy = ay - rad * std::sin(a);
        const Box b{cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2};
        if (!free(b, 0) || leader_crosses(ax, ay, b)) continue;
        return b;
      }
    return std::nullopt;
  }

  bool leader_crosses(double ax, double ay, const Box& b) const {
    const double ex = std::clamp(ax, b.x0, b.x1), ey = std::clamp(ay, b.y0, b.y1);
    const double len = std::hypot(ex - ax, ey - ay);
    const int steps = std::max(1, static_cast<int>(len / 2));
    for (int s = 0; s <= steps; ++s) {
      const double x = ax + (ex - ax) * s / steps, y = ay + (ey - ay) * s / steps;
      for (const Box& o : placed_)
        if (o.contains(x, y)) return true;
    }
    return false;
  }

  cairo_t* cr_;
  const std::vector<MapZone>& zones_;
  const MapStyle& st_;
  Raster r_;
  Box map_{};
  std::vector<int> dist_;
  std::vector<std::vector<int>> pixels_;
  std::vector<Box> placed_;
};

}  // namespace

std::vector<LabelPlacement> place_labels(cairo_t* cr, const std::vector<MapZone>& zones, const MapStyle& st,
                                         const PageLayout& L) {
  if (zones.empty()) return {};
  return Placer(cr, zones, st, L).run();
}

}  // namespace cohortgis::geodata::detail

namespace cohortgis::geodata {

std::vector<LabelPlacement> map_label_layout(const std::vector<MapZone>& zones, const MapStyle& st) {
  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> scratch(
      cairo_image_surface_create(CAIRO_FORMAT_RGB24, 8, 8), &cairo_surface_destroy);
  std::unique_ptr<cairo_t, decltype(&cairo_destroy)> cr(cairo_create(scratch.get()), &cairo_destroy);
  const detail::PageLayout L = detail::page_layout(cr.get(), st, false);
  return detail::place_labels(cr.get(), zones, st, L);
}

}  // namespace cohortgis::geodata
