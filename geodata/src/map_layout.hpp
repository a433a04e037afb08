// SPDX-License-Identifier: Apache-2.0
// Internal: the page layout of a choropleth (title block, map box, legend column), the zone index raster drawn in
// that layout, and the label placement over it (maps.cpp, map_labels.cpp).
#pragma once

#include <cairo.h>

#include <cstdint>
#include <vector>

#include "cohortgis/geodata/maps.hpp"

namespace cohortgis::geodata::detail {

struct PageLayout {
  double top = 0, bottom = 0, margin = 24, legend_w = 250;
  double map_left() const { return margin; }
};
// Measures (draw false) or draws the title block of `st` on cr.
PageLayout page_layout(cairo_t* cr, const MapStyle& st, bool draw);

// Zone i filled with colour i + 1 (no anti-aliasing, so ids stay exact) in the box (x, y, w, h) of a width × height
// image; returns the pixels' ids, row by row (0: background).
std::vector<std::uint32_t> zone_ids(const std::vector<MapZone>& zones, int width, int height, double x, double y,
                                    double w, double h);

// map_label_layout with text measured on cr (the canvas the labels are drawn on).
std::vector<LabelPlacement> place_labels(cairo_t* cr, const std::vector<MapZone>& zones, const MapStyle& st,
                                         const PageLayout& L);

}  // namespace cohortgis::geodata::detail
