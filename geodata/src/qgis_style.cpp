// SPDX-License-Identifier: Apache-2.0
// QGIS styles (QML) of results.gpkg's wide layers (qgis_style.hpp). The element and attribute names are those QGIS
// 3.22 writes itself (Layer Properties → Style → Save Style → QML); QGIS fills in defaults for any it misses.
#include "cohortgis/geodata/qgis_style.hpp"

#include <charconv>
#include <cstdio>

#include "canvas_text.hpp"
#include "cohortgis/engine/types.hpp"
#include "cohortgis/geodata/text_escape.hpp"
#include "gdal_support.hpp"

namespace cohortgis::geodata {

namespace {

std::string rgba(std::uint32_t rrggbb) {
  return std::to_string((rrggbb >> 16) & 0xff) + "," + std::to_string((rrggbb >> 8) & 0xff) + "," +
         std::to_string(rrggbb & 0xff) + ",255";
}

// The field as QGIS's expression engine quotes it ("a""b" for a"b).
std::string quoted_field(const std::string& field) {
  std::string q = "\"";
  for (char c : field) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

// Shortest fixed-point text that reads back to the same double ("0.0001", not "1e-04"), for the expression.
std::string fixed_number(double v) {
  char buf[400];
  const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  return r.ec == std::errc() ? std::string(buf, r.ptr) : shortest_number(v);
}

// One SimpleFill symbol; <Option> is what QGIS 3.16+ reads, <prop> what older versions read.
std::string fill_symbol(std::size_t name, std::uint32_t colour) {
  const std::string c = rgba(colour);
  std::string s = "   <symbol type=\"fill\" name=\"" + std::to_string(name) +
                  "\" alpha=\"1\" clip_to_extent=\"1\" force_rhr=\"0\">\n"
                  "    <layer class=\"SimpleFill\" enabled=\"1\" locked=\"0\" pass=\"0\">\n"
                  "     <Option type=\"Map\">\n";
  const std::pair<const char*, std::string> props[] = {{"color", c},
                                                       {"outline_color", "85,85,85,255"},
                                                       {"outline_style", "solid"},
                                                       {"outline_width", "0.26"},
                                                       {"outline_width_unit", "MM"},
                                                       {"style", "solid"}};
  for (const auto& [k, v] : props)
    s += std::string("      <Option name=\"") + k + "\" type=\"QString\" value=\"" + v + "\"/>\n";
  s += "     </Option>\n";
  for (const auto& [k, v] : props) s += std::string("     <prop k=\"") + k + "\" v=\"" + v + "\"/>\n";
  return s + "    </layer>\n   </symbol>\n";
}

}  // namespace

std::string qgis_range_label(const QgisLayerStyle& st, std::size_t c) {
  if (c + 1 >= st.breaks.size())
    throw InputError("QGIS style: class " + std::to_string(c) + " of " + st.field + " is not among its " +
                     std::to_string(st.breaks.size()) + " breaks");
  // The PNG legend's own number format (thousands separators, the indicator's decimals), then the unit.
  return detail::format_number(st.breaks[c], st.decimals) + " – " +
         detail::format_number(st.breaks[c + 1], st.decimals) + (st.unit.empty() ? "" : " " + st.unit);
}

std::string qgis_style_qml(const QgisLayerStyle& st, const std::vector<std::string>& layer_fields) {
  if (st.breaks.size() >= 2 && st.colours.size() + 1 != st.breaks.size())
    throw InputError("QGIS style of " + st.field + ": " + std::to_string(st.colours.size()) + " colours for " +
                     std::to_string(st.breaks.size() - 1) + " classes");
  const std::size_t k = st.breaks.size() >= 2 ? st.breaks.size() - 1 : 0;
  const std::string attr = st.scale == 1.0 ? st.field : quoted_field(st.field) + " * " + fixed_number(st.scale);
  const bool labels = !st.label_field.empty();
  std::string q =
      "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
      "<qgis version=\"3.22.0\" styleCategories=\"Symbology|Labeling|Fields\" labelsEnabled=\"" +
      std::string(labels ? "1" : "0") + "\">\n";
  q += " <renderer-v2 type=\"graduatedSymbol\" attr=\"" + xml_escape(attr) +
       "\" graduatedMethod=\"GraduatedColor\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">\n"
       "  <ranges>\n";
  for (std::size_t c = 0; c < k; ++c)
    q += "   <range lower=\"" + shortest_number(st.breaks[c]) + "\" upper=\"" + shortest_number(st.breaks[c + 1]) +
         "\" symbol=\"" + std::to_string(c) + "\" label=\"" + xml_escape(qgis_range_label(st, c)) +
         "\" render=\"true\"/>\n";
  q += "  </ranges>\n  <symbols>\n";
  for (std::size_t c = 0; c < k; ++c) q += fill_symbol(c, st.colours[c]);
  q += "  </symbols>\n";
  // The label format of a reclassification in QGIS (3.22 reads it only in some versions; the ranges' labels hold).
  q += "  <classificationMethod id=\"" + xml_escape(st.method) + "\">\n   <labelFormat format=\"%1 – %2" +
       xml_escape(st.unit.empty() ? "" : " " + st.unit) + "\" labelprecision=\"" + std::to_string(st.decimals) +
       "\" trimtrailingzeroes=\"0\"/>\n  </classificationMethod>\n";
  q += " </renderer-v2>\n";
  if (labels) {
    // Zone names over the polygons' centroids (inside the polygon), dark text with a white halo (text buffer).
    q += " <labeling type=\"simple\">\n  <settings calloutType=\"simple\">\n"
         "   <text-style fieldName=\"" +
         xml_escape(st.label_field) + "\" isExpression=\"0\" fontFamily=\"" + xml_escape(st.font_family) +
         "\" fontSize=\"9\" fontSizeUnit=\"Point\" fontWeight=\"50\" fontItalic=\"0\" textColor=\"34,34,34,255\""
         " textOpacity=\"1\" allowHtml=\"0\">\n"
         "    <text-buffer bufferDraw=\"1\" bufferSize=\"0.8\" bufferSizeUnits=\"MM\" bufferColor=\"255,255,255,255\""
         " bufferOpacity=\"0.9\" bufferNoFill=\"1\" bufferJoinStyle=\"128\"/>\n"
         "   </text-style>\n"
         "   <text-format wrapChar=\"\" multilineAlign=\"3\" autoWrapLength=\"0\"/>\n"
         "   <placement placement=\"1\" centroidInside=\"1\" centroidWhole=\"0\" fitInPolygonOnly=\"0\" dist=\"0\""
         " priority=\"5\" offsetType=\"0\"/>\n"
         "   <rendering obstacle=\"1\" obstacleType=\"1\" displayAll=\"0\" upsidedownLabels=\"0\" drawLabels=\"1\"/>\n"
         "  </settings>\n </labeling>\n";
  }
  if (!st.aliases.empty()) {
    q += " <aliases>\n";
    for (std::size_t i = 0; i < layer_fields.size(); ++i) {
      const auto it = st.aliases.find(layer_fields[i]);
      if (it != st.aliases.end())
        q += "  <alias field=\"" + xml_escape(it->first) + "\" index=\"" + std::to_string(i) + "\" name=\"" +
             xml_escape(it->second) + "\"/>\n";
    }
    q += " </aliases>\n";
  }
  return q + "</qgis>\n";
}

}  // namespace cohortgis::geodata
