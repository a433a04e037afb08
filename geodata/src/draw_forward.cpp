// SPDX-License-Identifier: Apache-2.0
// maps.hpp's drawing functions in a shared build: each loads the drawing module on first use (draw_api.hpp) and
// calls its function. The module lies next to this library in the build tree, in <libdir>/cohortgis when installed.
#include <dlfcn.h>

#include <filesystem>
#include <stdexcept>

#include "draw_api.hpp"

namespace cohortgis::geodata {

namespace {

const detail::DrawApi& api() {
  static const detail::DrawApi* table = [] {
    Dl_info info{};
    std::filesystem::path dir;
    if (dladdr(reinterpret_cast<void*>(&abandon_drawings_in_progress), &info) && info.dli_fname)
      dir = std::filesystem::path(info.dli_fname).parent_path();
    std::string tried;
    for (const auto& path : {dir / "libcohortgis_draw.so", dir / "cohortgis" / "libcohortgis_draw.so"}) {
      if (void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL)) {  // never closed: fonts stay cached
        using Get = const detail::DrawApi* (*)();
        if (auto get = reinterpret_cast<Get>(dlsym(handle, "cohortgis_draw_api"))) return get();
        tried += (tried.empty() ? "" : "; ") + path.string() + ": no cohortgis_draw_api";
        continue;
      }
      const char* why = dlerror();
      tried += (tried.empty() ? "" : "; ") + (why ? std::string(why) : path.string());
    }
    throw std::runtime_error("the drawing module (libcohortgis_draw.so) cannot be loaded: " + tried);
  }();
  return *table;
}

}  // namespace

std::vector<LabelPlacement> map_label_layout(const std::vector<MapZone>& zones, const MapStyle& style) {
  return api().map_label_layout(zones, style);
}

std::vector<double> render_choropleth(const std::vector<MapZone>& zones, const MapStyle& style, ImageFormat format,
                                      const std::string& path) {
  return api().render_choropleth(zones, style, format, path);
}

std::vector<std::uint32_t> render_zone_index_buffer(const std::vector<MapZone>& zones, int width_px, int height_px) {
  return api().render_zone_index_buffer_px(zones, width_px, height_px);
}

std::vector<std::uint32_t> render_zone_index_buffer(const std::vector<MapZone>& zones, const MapStyle& style) {
  return api().render_zone_index_buffer_styled(zones, style);
}

std::vector<double> render_small_multiples(const std::vector<MapZone>& zones,
                                           const std::vector<std::string>& panel_titles,
                                           const std::vector<std::vector<double>>& panel_values, const MapStyle& style,
                                           ImageFormat format, const std::string& path, int columns) {
  return api().render_small_multiples(zones, panel_titles, panel_values, style, format, path, columns);
}

int missing_glyphs(const std::string& text, const std::string& family) { return api().missing_glyphs(text, family); }

void render_pyramid(const std::vector<PyramidSeries>& stacked, const std::vector<PyramidSeries>& outline,
                    const PyramidStyle& style, ImageFormat format, const std::string& path) {
  api().render_pyramid(stacked, outline, style, format, path);
}

void render_lines(const std::vector<LineSeries>& series, const LineStyle& style, ImageFormat format,
                  const std::string& path) {
  api().render_lines(series, style, format, path);
}

}  // namespace cohortgis::geodata
