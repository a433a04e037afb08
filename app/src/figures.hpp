// SPDX-License-Identifier: Apache-2.0
// Internal: the maps and charts of a results folder (what the report shows), drawn with geodata's renderers.
#pragma once

#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "cohortgis/app/results.hpp"

namespace cohortgis::geodata {
class Zones;
}

namespace cohortgis::app {

struct Figure {
  std::string file;     // relative to the results folder, e.g. "maps/population_2035.png"
  std::string section;  // "maps", "pyramids", "charts"
  std::string caption;
  bool wide = false;    // shown at full width in the report
};

// The zones of a results folder (results.gpkg, layer "zones", id "id", name "name"); nothing when the run had no
// geometry (no results.gpkg).
std::optional<geodata::Zones> results_zones(const Results& results);

// Per-zone figures (pyramids) and rows of the report's zone table: every zone of a scenario with at most this many,
// else this many, the most populous at the horizon (baseline); aggregates always. Maps show every zone.
inline constexpr std::size_t kMaxZoneFigures = 24;
// The zones that get them, in scenario order (docs/results.md "Figures of large scenarios").
std::vector<std::string> featured_zones(const Results& results);

// Draws every figure of the report into <dir>/maps and <dir>/charts (PNG) and lists them in report order.
// cancel: set to true (SIGINT/SIGTERM) stops drawing with ProjectionError within a few hundred zones.
// threads: figures drawn at the same time, each into its own surface (0: every core); the files are the same for
// any number.
std::vector<Figure> render_figures(const Results& results, Language l, const std::atomic<bool>* cancel = nullptr,
                                   int threads = 0);

}  // namespace cohortgis::app
