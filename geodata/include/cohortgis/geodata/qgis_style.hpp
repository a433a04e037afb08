// SPDX-License-Identifier: Apache-2.0
// QGIS layer styles (QML) for the wide layers of results.gpkg: a graduated fill with the classes and colours of the
// PNG maps (choropleth_breaks / choropleth_colours of maps.hpp, never computed a second way), legend labels in the
// maps' units ("129.7 – 200.0 万人"), zone-name labels with a white halo, and field aliases.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace cohortgis::geodata {

struct QgisLayerStyle {
  std::string field;  // the attribute classed, e.g. "population" (stored in its own units, e.g. persons)
  // Displayed value = field value × scale (1e-4 for 万人). The renderer classes the expression "field" * scale, so
  // its ranges are the maps' breaks exactly, in displayed units (no conversion of breaks, no rounding drift).
  double scale = 1.0;
  std::vector<double> breaks;          // b_0 < … < b_k in displayed units (choropleth_breaks)
  std::vector<std::uint32_t> colours;  // k fill colours 0xRRGGBB (choropleth_colours)
  int decimals = 1;                    // of the legend numbers
  std::string unit;                    // appended to every legend label, e.g. "万人", "%"; empty: none
  std::string method = "Quantile";     // QGIS classification method id (Quantile, EqualInterval, Jenks)
  std::string label_field = "name";    // zone labels; empty: no labels
  std::string font_family = "Noto Sans CJK SC";
  std::map<std::string, std::string> aliases;  // field → alias (QML <aliases>; results.gpkg also gpkg_data_columns)
  std::string description;                     // layer_styles.description
};

// The legend label of class c: "lo – hi unit", numbers as on the PNG maps' legend (thousands separators, `decimals`).
std::string qgis_range_label(const QgisLayerStyle& style, std::size_t c);

// The QML document (QGIS 3.x) of the style for a layer whose fields are `layer_fields` in order (the alias indexes).
std::string qgis_style_qml(const QgisLayerStyle& style, const std::vector<std::string>& layer_fields);

}  // namespace cohortgis::geodata
