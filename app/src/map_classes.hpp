// SPDX-License-Identifier: Apache-2.0
// Internal: one set of classes (breaks and colours) per indicator of a results folder, shared by its PNG maps
// (figures.cpp) and the QGIS styles of results.gpkg (run.cpp), so that both show the same classes in the same colours
// and every year and variant of an indicator is classed alike.
#pragma once

#include <string>
#include <vector>

#include "cohortgis/app/language.hpp"
#include "cohortgis/app/results.hpp"
#include "cohortgis/geodata/maps.hpp"
#include "cohortgis/geodata/outputs.hpp"

namespace cohortgis::app {

// A signed measure (growth, migration): the diverging palette rule of geodata::MapStyle::diverging.
bool signed_measure(const std::string& indicator);

struct SharedClasses {
  IndicatorLabel label;                // name, unit, scale (displayed = stored × scale), decimals
  geodata::MapStyle style;             // classes, method, diverging, and `breaks` filled in (displayed units)
  std::vector<std::uint32_t> colours;  // one per class (choropleth_colours)
};

// The classes of `indicator` (group "all") over every variant and every year (plan_period false), or every variant
// and plan period (true; a plan_periods.csv column), for the zones `zone_ids`: choropleth_breaks of all those values
// in displayed units, with the default map classes (5, quantiles) and the sign rule of signed_measure.
SharedClasses shared_classes(const Results& r, const std::vector<std::string>& zone_ids, const std::string& indicator,
                             bool plan_period, Language l);

// The default styles of results.gpkg: year layers by population, plan-period layers by growth_rate_percent (both
// with shared_classes), zone-name labels, and Chinese field aliases in a Chinese run.
void set_gpkg_styles(geodata::GpkgOutputOptions& o, const Results& r, const std::vector<std::string>& zone_ids,
                     Language l);

// One map's legend as drawn: maps/legend.json lists every map of the report, so that a GIS user (and the PyQGIS test)
// can check its classes against results.gpkg's styles.
struct MapLegend {
  std::string file, indicator, unit;
  std::vector<double> breaks;          // displayed units
  std::vector<std::uint32_t> colours;  // 0xRRGGBB per class
};
// {"maps": [{"file", "indicator", "unit", "breaks": [numbers], "colours": ["#rrggbb", …]}, …]}
std::string legend_json(const std::vector<MapLegend>& legends);

}  // namespace cohortgis::app
