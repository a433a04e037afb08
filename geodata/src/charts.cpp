// SPDX-License-Identifier: Apache-2.0
// Population pyramids and indicator lines (see maps.hpp).
#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "canvas.hpp"
#include "cohortgis/engine/types.hpp"
#include "cohortgis/geodata/maps.hpp"
#include "cohortgis/geodata/read_cancel.hpp"

namespace cohortgis::geodata {

namespace {
using detail::draw_text;
using detail::set_rgb;
using detail::throw_if_cancelled;
// Okabe & Ito (2008) colour-blind-safe qualitative colours.
constexpr std::uint32_t kQualitative[] = {0x0072b2, 0xe69f00, 0x009e73, 0xcc79a7, 0x56b4e9, 0xd55e00, 0xf0e442, 0x000000};
std::uint32_t qualitative(std::size_t i) { return kQualitative[i % 8]; }
// Halfway to white: the open age group's bars, which hold every age from the open age on, not one age group.
std::uint32_t open_group_tint(std::uint32_t c) {
  std::uint32_t out = 0;
  for (int shift : {16, 8, 0}) out |= ((((c >> shift) & 0xffu) + 0xffu + 1) / 2) << shift;
  return out;
}
}  // namespace

void render_pyramid(const std::vector<PyramidSeries>& stacked, const std::vector<PyramidSeries>& outline,
                    const PyramidStyle& st, ImageFormat format, const std::string& path) {
  const std::size_t A = st.age_labels.size();
  if (A == 0 || stacked.empty()) throw InputError("pyramid " + path + ": no ages or no series to draw");
  for (const auto* list : {&stacked, &outline})
    for (const auto& s : *list)
      if (s.female.size() != A || s.male.size() != A)
        throw InputError("pyramid " + path + ": series '" + s.name + "' has " + std::to_string(s.female.size()) +
                         " female and " + std::to_string(s.male.size()) + " male values for " + std::to_string(A) +
                         " age groups");
  // Half-width scale: the largest bar (stacked total or outline) of either sex.
  double vmax = 0;
  for (std::size_t i = 0; i < A; ++i) {
    double f = 0, m = 0;
    for (const auto& s : stacked) {
      f += s.female[i];
      m += s.male[i];
    }
    vmax = std::max({vmax, f, m});
    for (const auto& s : outline) vmax = std::max({vmax, s.female[i], s.male[i]});
  }
  if (!(vmax > 0)) vmax = 1;
  detail::Canvas canvas(format, path, st.width_px, st.height_px, st.dpi);
  cairo_t* cr = canvas.cr();
  const double W = st.width_px, H = st.height_px, margin = 24;
  double top = margin;
  if (!st.title.empty()) top += draw_text(cr, st.title, st.font_family, 20, margin, top, true).height + 6;
  // Legend entries two to a row, or one to a row when a name does not fit half the width (the English
  // "Registered (hukou) population 2035" ran into the next entry's swatch on a 550 px zone pyramid).
  const std::size_t entries = stacked.size() + outline.size();
  bool one_per_row = false;
  for (const auto* list : {&stacked, &outline})
    for (const auto& s : *list)
      one_per_row =
          one_per_row || 28 + draw_text(cr, s.name, st.font_family, 14, 0, 0, false, true).width > W / 2 - margin - 8;
  const double legend_h = 24 * static_cast<double>(one_per_row ? entries : (entries + 1) / 2), axis_h = 40;
  const double label_w = 56, cx = W / 2, half = (W - 2 * margin - label_w) / 2;
  const double y0 = top + 24, y1 = H - margin - legend_h - axis_h, bar = (y1 - y0) / static_cast<double>(A);
  draw_text(cr, st.male_label, st.font_family, 14, margin, top, true);
  const auto fl = draw_text(cr, st.female_label, st.font_family, 14, 0, 0, true, true);
  draw_text(cr, st.female_label, st.font_family, 14, W - margin - fl.width, top, true);
  auto xm = [&](double v) { return cx - label_w / 2 - v / vmax * half; };  // males on the left
  auto xf = [&](double v) { return cx + label_w / 2 + v / vmax * half; };
  // Every age labelled while the labels fit their bars, else every 2nd, 5th or 10th, and always the open age group
  // (single years on a 550 px zone pyramid wrote 86 labels into 4 px bars, "85+" lost under "84" and "83").
  const double label_h = draw_text(cr, st.age_labels[A - 1], st.font_family, 11, 0, 0, false, true).height;
  std::size_t label_step = 1;
  for (std::size_t k : {2, 5, 10})
    if (static_cast<double>(label_step) * bar < label_h) label_step = k;
  // The open age group (its label ends in '+': "85+", "100+") holds every age above the last closed group, not one
  // group's ages, so its bar is no step of the age profile: drawn in a lighter tint of each colour with a dashed edge,
  // as pyramids mark an open-ended group, beside its label.
  const bool open_last = A > 1 && !st.age_labels[A - 1].empty() && st.age_labels[A - 1].back() == '+';
  for (std::size_t i = 0; i < A; ++i) {
    throw_if_cancelled(st.cancel);
    const double y = y1 - static_cast<double>(i + 1) * bar;  // youngest at the bottom
    const bool open_group = open_last && i + 1 == A;
    double f = 0, m = 0;
    for (std::size_t k = 0; k < stacked.size(); ++k) {
      const double x_male = xm(m + stacked[k].male[i]), w_male = xm(m) - x_male;
      const double x_female = xf(f), w_female = xf(f + stacked[k].female[i]) - xf(f);
      set_rgb(cr, open_group ? open_group_tint(qualitative(k)) : qualitative(k));
      cairo_rectangle(cr, x_male, y + 1, w_male, bar - 2);
      cairo_rectangle(cr, x_female, y + 1, w_female, bar - 2);
      cairo_fill(cr);
      if (open_group) {
        const double dash = 3;
        set_rgb(cr, qualitative(k));
        cairo_set_line_width(cr, 1);
        cairo_set_dash(cr, &dash, 1, 0);
        for (const auto& [x, w] : {std::pair{x_male, w_male}, std::pair{x_female, w_female}})
          if (w >= 2 && bar >= 4) cairo_rectangle(cr, x + 0.5, y + 1.5, w - 1, bar - 3);
        cairo_stroke(cr);
        cairo_set_dash(cr, nullptr, 0, 0);
      }
      m += stacked[k].male[i];
      f += stacked[k].female[i];
    }
    if (i + 1 != A && (i % label_step != 0 || i + label_step > A - 1)) continue;
    const auto tb = draw_text(cr, st.age_labels[i], st.font_family, 11, 0, 0, false, true);
    draw_text(cr, st.age_labels[i], st.font_family, 11, cx - tb.width / 2, y + (bar - tb.height) / 2);
  }
  for (std::size_t k = 0; k < outline.size(); ++k) {  // step outlines of other years
    throw_if_cancelled(st.cancel);
    set_rgb(cr, k == 0 ? 0x000000 : qualitative(k + stacked.size()));
    cairo_set_line_width(cr, 1.6);
    for (int side = 0; side < 2; ++side) {
      for (std::size_t i = 0; i < A; ++i) {
        const double y = y1 - static_cast<double>(i + 1) * bar;
        const double x = side == 0 ? xm(outline[k].male[i]) : xf(outline[k].female[i]);
        if (i == 0) cairo_move_to(cr, x, y + bar);
        else cairo_line_to(cr, x, y + bar);
        cairo_line_to(cr, x, y);
      }
      cairo_stroke(cr);
    }
  }
  // Axis: persons (divided by axis_divisor) at a round step of the divided scale.
  const double div = st.axis_divisor > 0 ? st.axis_divisor : 1.0;
  const double step_d = detail::nice_step(vmax / div / 3), step = step_d * div;
  const int decimals = step_d >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(step_d) - 1e-9));
  set_rgb(cr, 0x444444);
  cairo_set_line_width(cr, 1);
  cairo_move_to(cr, xm(vmax), y1 + 2);
  cairo_line_to(cr, xm(0), y1 + 2);
  cairo_move_to(cr, xf(0), y1 + 2);
  cairo_line_to(cr, xf(vmax), y1 + 2);
  cairo_stroke(cr);
  for (int t = 0; t * step <= vmax * 1.0000001; ++t)
    for (double x : {xm(t * step), xf(t * step)}) {
      const std::string label = detail::format_number(t * step_d, decimals);
      const auto tb = draw_text(cr, label, st.font_family, 12, 0, 0, false, true);
      draw_text(cr, label, st.font_family, 12, x - tb.width / 2, y1 + 5);
    }
  const auto pb = draw_text(cr, st.persons_label, st.font_family, 12, 0, 0, false, true);
  draw_text(cr, st.persons_label, st.font_family, 12, cx - pb.width / 2, y1 + 22);
  // Legend.
  double lx = margin, ly = H - margin - legend_h + 4;
  std::size_t n = 0;
  auto entry = [&](const std::string& name, std::uint32_t colour, bool filled) {
    set_rgb(cr, colour);
    cairo_rectangle(cr, lx, ly + 3, 22, 12);
    if (filled) cairo_fill(cr);
    else {
      cairo_set_line_width(cr, 1.6);
      cairo_stroke(cr);
    }
    draw_text(cr, name, st.font_family, 14, lx + 28, ly - 1);  // legible with two pyramids a printed A4 row
    if (one_per_row || ++n % 2 == 0) {
      lx = margin;
      ly += 24;
    } else {
      lx = W / 2;
    }
  };
  for (std::size_t k = 0; k < stacked.size(); ++k) entry(stacked[k].name, qualitative(k), true);
  throw_if_cancelled(st.cancel);
  for (std::size_t k = 0; k < outline.size(); ++k)
    entry(outline[k].name, k == 0 ? 0x000000 : qualitative(k + stacked.size()), false);
  canvas.commit(st.cancel);
}

void render_lines(const std::vector<LineSeries>& series, const LineStyle& st, ImageFormat format,
                  const std::string& path) {
  double x0 = std::numeric_limits<double>::infinity(), x1 = -x0, y0 = x0, y1 = -x0;
  for (const auto& s : series) {
    if (s.x.size() != s.y.size())
      throw InputError("chart " + path + ": series '" + s.name + "' has " + std::to_string(s.x.size()) + " x and " +
                       std::to_string(s.y.size()) + " y values");
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
      x0 = std::min(x0, s.x[i]);
      x1 = std::max(x1, s.x[i]);
      y0 = std::min(y0, s.y[i]);
      y1 = std::max(y1, s.y[i]);
    }
  }
  if (!(x1 >= x0)) throw InputError("chart " + path + ": no finite values to draw");
  if (x1 == x0) x1 = x0 + 1;
  const double ystep = detail::nice_step(std::max((y1 - y0) / 5, std::abs(y1) * 1e-6 + 1e-12));
  y0 = std::floor(y0 / ystep) * ystep;
  y1 = std::ceil(y1 / ystep) * ystep;
  if (y1 == y0) y1 = y0 + ystep;
  detail::Canvas canvas(format, path, st.width_px, st.height_px, st.dpi);
  cairo_t* cr = canvas.cr();
  const double W = st.width_px, H = st.height_px, margin = 24;
  double top = margin;
  if (!st.title.empty()) top += draw_text(cr, st.title, st.font_family, 18, margin, top, true).height + 8;
  const double left = margin + 80, right = W - margin - 160, bottom = H - margin - 40;
  auto px = [&](double x) { return left + (x - x0) / (x1 - x0) * (right - left); };
  auto py = [&](double y) { return bottom - (y - y0) / (y1 - y0) * (bottom - top); };
  set_rgb(cr, 0xdddddd);
  cairo_set_line_width(cr, 1);
  for (double y = y0; y <= y1 + ystep * 1e-9; y += ystep) {
    cairo_move_to(cr, left, py(y));
    cairo_line_to(cr, right, py(y));
    cairo_stroke(cr);
    const std::string t = detail::format_number(y, ystep < 1 ? 2 : 0);
    const auto tb = draw_text(cr, t, st.font_family, 10, 0, 0, false, true);
    draw_text(cr, t, st.font_family, 10, left - 6 - tb.width, py(y) - tb.height / 2);
  }
  // x ticks: the data's own x values when there are few (e.g. the projection years), else round steps. Collected up
  // to one past the few: a search of every value among all the distinct ones before was quadratic (a series of 10^5
  // years spent 1.2 s of CPU here, before anything was drawn).
  std::vector<double> xticks;
  for (const auto& s : series)
    for (double x : s.x)
      if (xticks.size() <= 12 && std::isfinite(x) && std::find(xticks.begin(), xticks.end(), x) == xticks.end())
        xticks.push_back(x);
  std::sort(xticks.begin(), xticks.end());
  if (xticks.size() > 12) {
    xticks.clear();
    const double xstep = detail::nice_step((x1 - x0) / 6);
    for (double x = std::ceil(x0 / xstep) * xstep; x <= x1 + 1e-9; x += xstep) xticks.push_back(x);
  }
  for (double x : xticks) {
    std::string plain = detail::format_number(x, 0);
    plain.erase(std::remove(plain.begin(), plain.end(), ','), plain.end());  // years without separators
    const auto tb = draw_text(cr, plain, st.font_family, 10, 0, 0, false, true);
    draw_text(cr, plain, st.font_family, 10, px(x) - tb.width / 2, bottom + 6);
  }
  if (!st.x_label.empty()) draw_text(cr, st.x_label, st.font_family, 11, (left + right) / 2, bottom + 22);
  if (!st.y_label.empty()) draw_text(cr, st.y_label, st.font_family, 11, margin, top - 2);
  for (std::size_t k = 0; k < series.size(); ++k) {
    set_rgb(cr, qualitative(k));
    // Earlier series wider, so a series that another one repeats exactly still shows under it.
    cairo_set_line_width(cr, std::max(2.0, 2.0 + 2.0 * static_cast<double>(series.size() - 1 - k)));
    bool pen = false;
    for (std::size_t i = 0; i < series[k].x.size(); ++i) {
      if (i % kRowsBetweenStops == 0) throw_if_cancelled(st.cancel);
      if (!std::isfinite(series[k].y[i])) {
        pen = false;
        continue;
      }
      if (pen) cairo_line_to(cr, px(series[k].x[i]), py(series[k].y[i]));
      else cairo_move_to(cr, px(series[k].x[i]), py(series[k].y[i]));
      pen = true;
    }
    cairo_stroke(cr);
    for (std::size_t i = 0; i < series[k].x.size(); ++i) {  // markers at the data points
      if (i % kRowsBetweenStops == 0) throw_if_cancelled(st.cancel);
      if (std::isfinite(series[k].y[i])) {
        cairo_arc(cr, px(series[k].x[i]), py(series[k].y[i]), 3.5, 0, 2 * M_PI);
        cairo_fill(cr);
      }
    }
    cairo_rectangle(cr, right + 16, top + 24 * static_cast<double>(k) + 6, 20, 4);
    cairo_fill(cr);
    draw_text(cr, series[k].name, st.font_family, 12, right + 42, top + 24 * static_cast<double>(k));
  }
  canvas.commit(st.cancel);
}

}  // namespace cohortgis::geodata
