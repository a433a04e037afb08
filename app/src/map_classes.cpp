// SPDX-License-Identifier: Apache-2.0
// Classes shared by the PNG maps and results.gpkg (map_classes.hpp).
#include "map_classes.hpp"

#include <cmath>
#include <cstdio>

#include "text_output.hpp"

namespace cohortgis::app {

bool signed_measure(const std::string& indicator) {
  return indicator.find("growth") != std::string::npos || indicator.find("migration") != std::string::npos;
}

SharedClasses shared_classes(const Results& r, const std::vector<std::string>& zone_ids, const std::string& indicator,
                             bool plan_period, Language l) {
  SharedClasses c;
  c.label = indicator_label(indicator, l);
  std::vector<double> values;
  for (const auto& v : r.meta.variants) {
    if (plan_period) {
      for (const auto& p : r.meta.plan_periods)
        for (const auto& id : zone_ids) values.push_back(r.period_value(v, p.label, id, indicator) * c.label.scale);
    } else {
      for (int y : r.years)
        for (const auto& id : zone_ids) values.push_back(r.indicator(v, y, id, "all", indicator) * c.label.scale);
    }
  }
  c.style.diverging = signed_measure(indicator);
  c.style.legend_decimals = c.label.decimals;  // classes that would print alike merge (choropleth_breaks)
  c.style.breaks = geodata::choropleth_breaks(values, c.style);
  c.colours = geodata::choropleth_colours(c.style.breaks, c.style);
  return c;
}

namespace {

geodata::QgisLayerStyle layer_style(const SharedClasses& c, bool plan_period, Language l) {
  geodata::QgisLayerStyle st;
  st.field = c.label.key;
  st.scale = c.label.scale;
  st.breaks = c.style.breaks;
  st.colours = c.colours;
  st.decimals = c.label.decimals;
  st.unit = c.label.unit;
  st.font_family = c.style.font_family;
  const bool zh = l == Language::zh;
  const std::string shared = zh ? (plan_period ? "各规划期与情景共用分级" : "各年份与情景共用分级")
                                : (plan_period ? "classes shared by every plan period and variant"
                                               : "classes shared by every year and variant");
  st.description = "cohortgis: " + c.label.name + (st.unit.empty() ? "" : " (" + st.unit + ")") + ", " + shared +
                   (c.style.diverging ? (zh ? "，以零为中心的发散色" : ", diverging at 0") : "");
  return st;
}

}  // namespace

void set_gpkg_styles(geodata::GpkgOutputOptions& o, const Results& r, const std::vector<std::string>& zone_ids,
                     Language l) {
  std::map<std::string, std::string> aliases;
  if (l == Language::zh) {
    // Stored values keep their own units (persons, not 万人): the alias says so.
    aliases = {{"id", "区划代码"},    {"name", "名称"}, {"parent", "上级区划"}, {"area_km2", "面积（平方公里）"},
               {"variant", "情景"},   {"unit", "单元"}, {"period", "时期"},     {"pop_group", "人口类别"},
               {"indicator", "指标"}, {"value", "数值"}};
    std::vector<std::string> keys = labelled_indicators();
    keys.insert(keys.end(), r.plan_periods.header.begin(), r.plan_periods.header.end());
    for (const auto& k : keys) {
      const IndicatorLabel lab = indicator_label(k, l);
      if (lab.name == k || aliases.count(k)) continue;  // no Chinese name (or a key column such as "zone")
      aliases[k] = lab.count ? lab.name + "（人）" : indicator_title(k, l);
    }
  }
  o.field_aliases = aliases;
  const auto add = [&](const std::string& indicator, bool plan_period, const std::vector<std::string>& periods) {
    geodata::QgisLayerStyle st = layer_style(shared_classes(r, zone_ids, indicator, plan_period, l), plan_period, l);
    st.aliases = aliases;
    for (const auto& p : periods) o.period_styles[p] = st;
  };
  std::vector<std::string> years, plans;
  for (int y : r.years) years.push_back(std::to_string(y));
  for (const auto& p : r.meta.plan_periods) plans.push_back(p.label);
  add("population", false, years);
  if (!plans.empty()) add("growth_rate_percent", true, plans);
}

std::string legend_json(const std::vector<MapLegend>& legends) {
  std::string j = "{\n  \"maps\": [";
  for (std::size_t i = 0; i < legends.size(); ++i) {
    const MapLegend& m = legends[i];
    j += std::string(i ? "," : "") + "\n    {\"file\": " + json_string(m.file) +
         ", \"indicator\": " + json_string(m.indicator) + ", \"unit\": " + json_string(m.unit) +
         ",\n     \"breaks\": [";
    for (std::size_t b = 0; b < m.breaks.size(); ++b) j += (b ? ", " : "") + json_number(m.breaks[b]);
    j += "],\n     \"colours\": [";
    for (std::size_t c = 0; c < m.colours.size(); ++c) {
      char hex[16];
      std::snprintf(hex, sizeof hex, "\"#%06x\"", static_cast<unsigned>(m.colours[c] & 0xffffffu));
      j += (c ? ", " : "") + std::string(hex);
    }
    j += "]}";
  }
  return j + "\n  ]\n}\n";
}

}  // namespace cohortgis::app
