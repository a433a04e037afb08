// SPDX-License-Identifier: Apache-2.0
// The drawing functions of maps.hpp as the drawing module (libcohortgis_draw.so: canvas.cpp, maps.cpp,
// map_labels.cpp, charts.cpp and draw_module.cpp, linked with Cairo and Pango) hands them to the library
// (draw_forward.cpp), which loads the module on the first drawing: a run that draws nothing does not load the drawing
// libraries (issue #16: their pages counted in every run's RSS). Static builds link the drawing code into the library
// and have neither file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cohortgis/geodata/maps.hpp"

namespace cohortgis::geodata::detail {

struct DrawApi {
  std::vector<LabelPlacement> (*map_label_layout)(const std::vector<MapZone>&, const MapStyle&);
  std::vector<double> (*render_choropleth)(const std::vector<MapZone>&, const MapStyle&, ImageFormat,
                                           const std::string&);
  std::vector<std::uint32_t> (*render_zone_index_buffer_px)(const std::vector<MapZone>&, int, int);
  std::vector<std::uint32_t> (*render_zone_index_buffer_styled)(const std::vector<MapZone>&, const MapStyle&);
  std::vector<double> (*render_small_multiples)(const std::vector<MapZone>&, const std::vector<std::string>&,
                                                const std::vector<std::vector<double>>&, const MapStyle&, ImageFormat,
                                                const std::string&, int);
  int (*missing_glyphs)(const std::string&, const std::string&);
  void (*render_pyramid)(const std::vector<PyramidSeries>&, const std::vector<PyramidSeries>&, const PyramidStyle&,
                         ImageFormat, const std::string&);
  void (*render_lines)(const std::vector<LineSeries>&, const LineStyle&, ImageFormat, const std::string&);
};

}  // namespace cohortgis::geodata::detail

// The module's one exported symbol (draw_module.map): the table of its functions.
extern "C" const cohortgis::geodata::detail::DrawApi* cohortgis_draw_api();
