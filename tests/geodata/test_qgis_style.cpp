// SPDX-License-Identifier: Apache-2.0
// The QGIS styles of results.gpkg (qgis_style.hpp): parsed back as XML and checked against hand-computed class
// breaks (Hyndman & Fan type-7 quantiles), ColorBrewer's published colours, the PNG legend's number format, and the
// GeoPackage's gpkg_data_columns / layer_styles tables as GDAL reads them.
#include <cpl_minixml.h>
#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "cohortgis/geodata/maps.hpp"
#include "cohortgis/geodata/outputs.hpp"
#include "cohortgis/geodata/qgis_style.hpp"
#include "cohortgis/geodata/zones.hpp"

using namespace cohortgis;
using namespace cohortgis::geodata;
namespace fs = std::filesystem;

namespace {

// What QGIS reads from a QML: the renderer's attribute, its ranges (lower, upper, label) and the fill colours.
struct Parsed {
  std::string attr;
  std::vector<double> lower, upper;
  std::vector<std::string> labels, colours;
  std::string label_field, buffer_draw, labels_enabled;
  std::map<std::string, std::pair<std::string, std::string>> aliases;  // field → (index, name)
};

Parsed parse(const std::string& qml) {
  Parsed p;
  CPLXMLNode* root = CPLParseXMLString(qml.c_str());
  EXPECT_TRUE(root) << "not well-formed XML:\n" << qml;
  if (!root) return p;
  const CPLXMLNode* q = CPLGetXMLNode(root, "=qgis");
  EXPECT_TRUE(q);
  if (!q) return p;
  p.labels_enabled = CPLGetXMLValue(q, "labelsEnabled", "");
  const CPLXMLNode* r = CPLGetXMLNode(q, "renderer-v2");
  p.attr = CPLGetXMLValue(r, "attr", "");
  for (const CPLXMLNode* n = CPLGetXMLNode(r, "ranges") ? CPLGetXMLNode(r, "ranges")->psChild : nullptr; n;
       n = n->psNext) {
    if (n->eType != CXT_Element) continue;
    p.lower.push_back(std::strtod(CPLGetXMLValue(n, "lower", "nan"), nullptr));
    p.upper.push_back(std::strtod(CPLGetXMLValue(n, "upper", "nan"), nullptr));
    p.labels.emplace_back(CPLGetXMLValue(n, "label", ""));
  }
  for (const CPLXMLNode* s = CPLGetXMLNode(r, "symbols") ? CPLGetXMLNode(r, "symbols")->psChild : nullptr; s;
       s = s->psNext) {
    if (s->eType != CXT_Element) continue;
    for (const CPLXMLNode* o = CPLGetXMLNode(s, "layer.Option") ? CPLGetXMLNode(s, "layer.Option")->psChild : nullptr;
         o; o = o->psNext)
      if (o->eType == CXT_Element && std::string(CPLGetXMLValue(o, "name", "")) == "color")
        p.colours.emplace_back(CPLGetXMLValue(o, "value", ""));
  }
  p.label_field = CPLGetXMLValue(q, "labeling.settings.text-style.fieldName", "");
  p.buffer_draw = CPLGetXMLValue(q, "labeling.settings.text-style.text-buffer.bufferDraw", "");
  for (const CPLXMLNode* a = CPLGetXMLNode(q, "aliases") ? CPLGetXMLNode(q, "aliases")->psChild : nullptr; a;
       a = a->psNext)
    if (a->eType == CXT_Element)
      p.aliases[CPLGetXMLValue(a, "field", "")] = {CPLGetXMLValue(a, "index", ""), CPLGetXMLValue(a, "name", "")};
  CPLDestroyXMLNode(root);
  return p;
}

// "r,g,b,255" of 0xRRGGBB, written out by hand from ColorBrewer's tables.
const std::vector<std::string> kYlGnBu5 = {"255,255,204,255", "161,218,180,255", "65,182,196,255", "44,127,184,255",
                                           "37,52,148,255"};

QgisLayerStyle style_of(const std::vector<double>& display_values, const MapStyle& map, double scale,
                        const std::string& unit, int decimals) {
  QgisLayerStyle st;
  st.field = "population";
  st.scale = scale;
  st.breaks = choropleth_breaks(display_values, map);
  st.colours = choropleth_colours(st.breaks, map);
  st.unit = unit;
  st.decimals = decimals;
  return st;
}

}  // namespace

// Type-7 quantiles of 1 … 9 in 5 classes: h = 8c/5 → 1, 2.6, 4.2, 5.8, 7.4, 9 (by hand); QGIS gets exactly the breaks
// the PNG map draws, and YlGnBu's five colours light to dark.
TEST(QgisStyle, RangesAreTheMapsBreaksAndColours) {
  MapStyle map;
  const std::vector<double> v{1, 2, 3, 4, 5, 6, 7, 8, 9};
  const QgisLayerStyle st = style_of(v, map, 1.0, "", 1);
  const std::vector<double> hand{1, 2.6, 4.2, 5.8, 7.4, 9};
  ASSERT_EQ(st.breaks.size(), hand.size());
  for (std::size_t i = 0; i < hand.size(); ++i) EXPECT_NEAR(st.breaks[i], hand[i], 1e-12) << i;
  const Parsed p = parse(qgis_style_qml(st, {"id", "name", "population"}));
  EXPECT_EQ(p.attr, "population");
  ASSERT_EQ(p.lower.size(), 5u);
  for (std::size_t c = 0; c < 5; ++c) {
    EXPECT_EQ(p.lower[c], st.breaks[c]) << c;  // exact: shortest round-trip text
    EXPECT_EQ(p.upper[c], st.breaks[c + 1]) << c;
  }
  EXPECT_EQ(p.colours, kYlGnBu5);
  EXPECT_EQ(p.labels.front(), "1.0 – 2.6");
  // The old default style (graduated_style_qml) now has the same classes and colours.
  const Parsed d = parse(graduated_style_qml("population", v));
  EXPECT_EQ(d.lower, p.lower);
  EXPECT_EQ(d.colours, kYlGnBu5);
}

// 万人: the renderer classes "population" * 0.0001, the legend reads "129.7 – 200.0 万人"; English keeps persons with
// thousands separators, as on the PNG legend. Never scientific notation.
TEST(QgisStyle, LegendInWanRenAndPersons) {
  MapStyle map;
  QgisLayerStyle zh = style_of({129.711, 150.0, 200.0}, map, 1e-4, "万人", 1);
  const Parsed pz = parse(qgis_style_qml(zh, {}));
  EXPECT_EQ(pz.attr, "\"population\" * 0.0001");
  ASSERT_EQ(pz.labels.size(), 3u);
  EXPECT_EQ(pz.labels[0], "129.7 – 129.7 万人");
  EXPECT_EQ(pz.labels[2], "150.0 – 200.0 万人");
  QgisLayerStyle en = style_of({1297110, 1500000, 1999680}, map, 1.0, "persons", 0);
  const Parsed pe = parse(qgis_style_qml(en, {}));
  EXPECT_EQ(pe.attr, "population");
  EXPECT_EQ(pe.labels[2], "1,500,000 – 1,999,680 persons");
  EXPECT_EQ(pe.upper[2], 1999680.0);
  for (const auto& l : pe.labels) EXPECT_EQ(l.find("e+"), std::string::npos) << l;
}

// A signed measure of both signs: a break at 0, RdBu reds below and blues above. Hand: 3 negative and 4 positive
// values share 5 classes as round(5·3/7) = 2 and 3; type-7 quantiles of each side → −3, −2, 0, 2, 3, 4.
TEST(QgisStyle, DivergingAtZeroForSignedMeasures) {
  MapStyle map;
  map.diverging = true;
  const QgisLayerStyle st = style_of({-3, -2, -1, 1, 2, 3, 4}, map, 1.0, "%", 1);
  const Parsed p = parse(qgis_style_qml(st, {}));
  const std::vector<double> lower{-3, -2, 0, 2, 3};
  EXPECT_EQ(p.lower, lower);
  EXPECT_EQ(p.upper.back(), 4.0);
  EXPECT_EQ(p.colours, (std::vector<std::string>{"244,165,130,255", "253,219,199,255", "209,229,240,255",
                                                 "146,197,222,255", "67,147,195,255"}));
  EXPECT_EQ(p.labels[1], "-2.0 – 0.0 %");
  // All negative: ColorBrewer Reds, the steepest loss darkest (never a sequential blue).
  const Parsed n = parse(qgis_style_qml(style_of({-5, -4, -3, -2, -1}, map, 1.0, "%", 1), {}));
  ASSERT_FALSE(n.colours.empty());
  EXPECT_EQ(n.colours.front(), "103,0,13,255");    // Reds shade 8 (#67000d) for the lowest class
  EXPECT_EQ(n.colours.back(), "254,224,210,255");  // Reds shade 1 (#fee0d2) next to zero
}

TEST(QgisStyle, LabelsWithHaloAndAliases) {
  MapStyle map;
  QgisLayerStyle st = style_of({1, 2, 3}, map, 1.0, "", 1);
  st.aliases = {{"population", "常住人口（人）"}, {"name", "名称 <\"A&B's\">"}, {"absent", "x"}};
  const std::string qml = qgis_style_qml(st, {"id", "name", "parent", "area_km2", "population"});
  // geodata::xml_escape, as report.html: the attribute is double-quoted, so an apostrophe stays as it is.
  EXPECT_NE(qml.find("name=\"名称 &lt;&quot;A&amp;B's&quot;&gt;\""), std::string::npos) << qml;
  const Parsed p = parse(qml);
  EXPECT_EQ(p.labels_enabled, "1");
  EXPECT_EQ(p.label_field, "name");
  EXPECT_EQ(p.buffer_draw, "1");
  EXPECT_EQ(p.aliases.size(), 2u);
  EXPECT_EQ(p.aliases.at("population"), std::make_pair(std::string("4"), std::string("常住人口（人）")));
  EXPECT_EQ(p.aliases.at("name"), std::make_pair(std::string("1"), std::string("名称 <\"A&B's\">")));
  st.label_field.clear();
  EXPECT_EQ(parse(qgis_style_qml(st, {})).labels_enabled, "0");
}

// In the GeoPackage: every variant's layer of a period gets the one style given for that period (shared classes), a
// layer without its field falls back to the default, and the aliases are in gpkg_data_columns for every table.
TEST(QgisStyle, GeoPackageSharesStylesAcrossVariantsAndWritesAliases) {
  const fs::path dir = fs::temp_directory_path() / ("cohortgis_qgis_style_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string path = (dir / "styled.gpkg").string();
  const Zones zones = Zones::from_wkt(
      "squares", "EPSG:32650", {"A", "B"},
      {"POLYGON((0 0,1000 0,1000 1000,0 1000,0 0))", "POLYGON((1000 0,2000 0,2000 1000,1000 1000,1000 0))"});
  std::vector<IndicatorRow> rows;
  for (const char* v : {"baseline", "low"})
    for (const char* z : {"A", "B"}) {
      rows.push_back({z, "2020", "all", "population", z[0] == 'A' ? 10000.0 : 30000.0, v});
      rows.push_back({z, "2021-2025", "all", "growth_rate_percent", z[0] == 'A' ? -1.5 : 2.0, v});
    }
  GpkgOutputOptions o;
  o.wide_periods = {"2020", "2021-2025"};
  o.wide_variant = "baseline";
  o.more_wide_variants = {"low"};
  MapStyle map;
  QgisLayerStyle pop = style_of({1.0, 3.0, 0.5}, map, 1e-4, "万人", 1);  // 0.5: another variant's or year's value
  pop.aliases = {{"population", "常住人口（人）"}};
  o.period_styles["2020"] = pop;
  map.diverging = true;
  QgisLayerStyle growth = style_of({-1.5, 2.0}, map, 1.0, "%", 1);
  growth.field = "growth_rate_percent";
  o.period_styles["2021-2025"] = growth;
  o.field_aliases = {{"population", "常住人口（人）"}, {"name", "名称"}, {"value", "数值"}};
  write_zone_indicators_gpkg(path, zones, rows, o);

  std::unique_ptr<GDALDataset> ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
  ASSERT_TRUE(ds);
  OGRLayer* styles = ds->GetLayerByName("layer_styles");
  ASSERT_TRUE(styles);
  std::map<std::string, std::string> qml;
  for (auto& f : *styles) qml[f->GetFieldAsString("f_table_name")] = f->GetFieldAsString("styleQML");
  ASSERT_EQ(qml.size(), 4u);
  EXPECT_EQ(qml.at("zones_2020"), qml.at("zones_low_2020"));  // one set of classes for both variants
  const Parsed p = parse(qml.at("zones_2020"));
  EXPECT_EQ(p.lower.front(), 0.5);  // the given breaks, not this layer's own values (1 and 3 万人)
  EXPECT_EQ(p.attr, "\"population\" * 0.0001");
  EXPECT_EQ(p.aliases.at("population").second, "常住人口（人）");
  const Parsed g = parse(qml.at("zones_low_2021_2025"));
  EXPECT_EQ(g.attr, "growth_rate_percent");  // plan periods by their growth, not their start population
  EXPECT_EQ(g.upper.front(), 0.0);
  EXPECT_EQ(g.colours.front(), "253,219,199,255");  // one class each side of 0: RdBu #fddbc7, then #d1e5f0
  // gpkg_data_columns: GDAL's alternative names, what QGIS shows as aliases.
  std::map<std::string, std::string> alias;
  OGRLayer* dc = ds->ExecuteSQL("SELECT table_name, column_name, name FROM gpkg_data_columns", nullptr, nullptr);
  ASSERT_TRUE(dc);
  for (auto& f : *dc)
    alias[std::string(f->GetFieldAsString(0)) + "." + f->GetFieldAsString(1)] = f->GetFieldAsString(2);
  ds->ReleaseResultSet(dc);
  EXPECT_EQ(alias["zones_2020.population"], "常住人口（人）");
  EXPECT_EQ(alias["zones_low_2020.name"], "名称");
  EXPECT_EQ(alias["zones.name"], "名称");
  EXPECT_EQ(alias["indicators.value"], "数值");
  ds.reset();
  fs::remove_all(dir);
}
