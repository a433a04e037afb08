// SPDX-License-Identifier: Apache-2.0
// The drawing module's table (draw_api.hpp). The module's own definitions of maps.hpp's drawing functions are local
// to it (draw_module.map), so they call each other, not the library's forwarding functions of the same names.
#include "draw_api.hpp"

namespace geo = cohortgis::geodata;

extern "C" const geo::detail::DrawApi* cohortgis_draw_api() {
  using Zones = std::vector<geo::MapZone>;
  static const geo::detail::DrawApi api{
      &geo::map_label_layout,
      &geo::render_choropleth,
      static_cast<std::vector<std::uint32_t> (*)(const Zones&, int, int)>(&geo::render_zone_index_buffer),
      static_cast<std::vector<std::uint32_t> (*)(const Zones&, const geo::MapStyle&)>(&geo::render_zone_index_buffer),
      &geo::render_small_multiples,
      &geo::missing_glyphs,
      &geo::render_pyramid,
      &geo::render_lines,
  };
  return &api;
}
