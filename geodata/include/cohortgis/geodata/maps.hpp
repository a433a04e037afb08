// SPDX-License-Identifier: Apache-2.0
// Maps and charts for planning meetings: choropleths, population pyramids and indicator lines, drawn with Cairo
// (PNG, SVG, PDF) and Pango (text, with a CJK font so Chinese names render).
//
// Geometry comes in already projected to a planar CRS in metres (geodata reprojects zones for this), so the scale
// bar is true and shapes are not stretched.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cohortgis::geodata {

class Zones;

struct MapPoint {
  double x = 0, y = 0;  // metres, planar CRS (y grows northwards)
};
// One polygon: the outer ring first, then holes. Rings need not be closed.
using MapRing = std::vector<MapPoint>;
using MapPolygon = std::vector<MapRing>;

struct MapZone {
  std::string id;
  std::string label;               // drawn on the map (may be Chinese); empty: no label
  std::vector<MapPolygon> parts;   // a multipolygon
  double value = 0;                // the indicator; NaN: "no data"
};

// The zones as map shapes in a planar CRS: `map_crs` (EPSG code, WKT or PROJ string) or, when empty, the
// Lambert azimuthal equal-area projection centred on them (equal_area_crs_for), which keeps a district map true to
// shape. values[i] and labels[i] go with zone i (labels empty: the zones' names, or their ids). Shapes are in
// metres whatever the CRS's unit (feet are converted; the scale bar reads metres); a geographic map_crs is an error.
std::vector<MapZone> map_zones(const Zones& zones, const std::vector<double>& values,
                               const std::vector<std::string>& labels = {}, const std::string& map_crs = {});

enum class ClassMethod { quantile, equal_interval, natural_breaks };
enum class ImageFormat { png, svg, pdf };

// The words `cohortgis map` and Python's renderers take for a format and a class method; nullopt for any other word
// (each caller says in its own terms what it expected).
inline std::optional<ImageFormat> image_format_named(std::string_view word) {
  if (word == "png") return ImageFormat::png;
  if (word == "svg") return ImageFormat::svg;
  if (word == "pdf") return ImageFormat::pdf;
  return std::nullopt;
}
inline std::optional<ClassMethod> class_method_named(std::string_view word) {
  if (word == "quantile") return ClassMethod::quantile;
  if (word == "equal_interval") return ClassMethod::equal_interval;
  if (word == "natural_breaks") return ClassMethod::natural_breaks;
  return std::nullopt;
}

// Class breaks b_0 < b_1 < … < b_k: class c holds values in [b_c, b_{c+1}] (the first class closed on both ends,
// the others open below). NaN values are ignored. Fewer classes come back when the data have fewer distinct values.
//   quantile:        breaks at the empirical quantiles (type 7, Hyndman & Fan 1996) of the values;
//   equal_interval:  k equal steps from the minimum to the maximum;
//   natural_breaks:  Jenks (1977) optimal classification, by Fisher's (1958) exact dynamic programme minimising the
//                    within-class sum of squared deviations.
std::vector<double> class_breaks(const std::vector<double>& values, int classes, ClassMethod method);
// Index of the class holding v (−1 for NaN or outside the breaks).
int class_of(double v, const std::vector<double>& breaks);

// Sequential colour-blind-safe palette of n colours (3 ≤ n ≤ 9), light to dark, as 0xRRGGBB: ColorBrewer "YlGnBu"
// (Cynthia A. Brewer, colorbrewer2.org, Apache-2.0 licence).
std::vector<std::uint32_t> sequential_palette(int n);

struct MapStyle {
  std::string title;          // e.g. "常住人口 2035"
  std::string subtitle;       // e.g. variant, period
  std::string legend_title;   // indicator and unit, e.g. "万人"
  std::string source_note;    // bottom line, e.g. "Source: cohortgis projection; UN WPP 2022; 2020 census"
  std::string no_data_label = "no data";
  int classes = 5;
  ClassMethod method = ClassMethod::quantile;
  int width_px = 1200, height_px = 900;
  double dpi = 96;            // PNG: pixels are width_px × dpi/96 (print: 300)
  std::string font_family = "Noto Sans CJK SC";
  int legend_decimals = 1;
  bool labels = true, scale_bar = true, north_arrow = true;
  // A signed measure (a change, a growth or migration rate). The palette rule of every map and of results.gpkg:
  // - signed, values of both signs: a break at 0, negative classes in reds and positive ones in blues (ColorBrewer
  //   "RdBu", colour-blind safe), each side classed by `method` on its own values; the classes are shared by the
  //   sides' numbers of values, at most 5 a side, and with 4 classes or more a side of two or more distinct values
  //   gets at least 2 (so growth of +1 % and +30 % do not share a class when most zones decline);
  // - signed, values on one side of 0 only: that side's colours, ColorBrewer "Reds" for values <= 0 (the steepest
  //   loss darkest) or "Blues" for values >= 0 (the largest gain darkest), so reds always mean losses;
  // - not signed (counts, shares, ages …): the sequential "YlGnBu" (sequential_palette), darkest = largest.
  bool diverging = false;
  // Fixed class breaks (display units), e.g. shared by every map and GeoPackage layer of one indicator; empty: computed
  // from the map's values by the rule above.
  std::vector<double> breaks{};
  // Set to true (a signal handler) to stop: drawing throws ProjectionError("drawing cancelled") within 256 zones.
  const std::atomic<bool>* cancel = nullptr;
};

// Where render_choropleth names each zone (issue #18: every zone named, no label straddling two zones). Zones are
// taken largest first; each gets the first of:
//   inside:  its name in a box wholly inside the zone's own pixels (12 pt, else 10 pt), centred as near the zone's
//            pole of inaccessibility (the pixel farthest from its edge) as fits;
//   callout: its name over the page's empty background next to the map, joined by a leader line to the zone's pole;
//   key:     a number in a small circle at the pole, and "number name" in a numbered key under the legend.
// No two label or marker boxes overlap. Maps of more than kMaxNamedZones zones keep only the inside labels (a key of
// hundreds of names is not legible); zones with an empty label are not named.
inline constexpr std::size_t kMaxNamedZones = 60;
struct LabelPlacement {
  enum class Kind { inside, callout, key };
  std::size_t zone = 0;                    // index into the zones
  Kind kind = Kind::inside;
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;   // the name's box (inside, callout) or the key marker's, in layout pixels
  double anchor_x = 0, anchor_y = 0;       // the zone's pole, where a leader line or marker starts
  double font_pt = 12;
  int key_number = 0;                      // key: its number in the key (1, 2, …)
};
// The placement render_choropleth(zones, style, …) draws, in the layout pixels of render_zone_index_buffer(zones,
// style) (so a test can check each box against the zones' pixels).
std::vector<LabelPlacement> map_label_layout(const std::vector<MapZone>& zones, const MapStyle& style);

// The breaks render_choropleth uses for `values` (style.breaks when given, else class_breaks, or the split at 0 of a
// diverging style).
std::vector<double> choropleth_breaks(const std::vector<double>& values, const MapStyle& style);
// The fill colour of each class of `breaks` (0xRRGGBB), as render_choropleth draws them and the legend shows them.
std::vector<std::uint32_t> choropleth_colours(const std::vector<double>& breaks, const MapStyle& style);

// Renders a choropleth to `path` (written through a temporary name and renamed when complete).
// Returns the class breaks used (for the legend test).
std::vector<double> render_choropleth(const std::vector<MapZone>& zones, const MapStyle& style, ImageFormat format,
                                      const std::string& path);

// Removes the temporary files of the drawings under way (their "<path>.tmp-<pid>") and stops them from being
// renamed into place: for a signal's watchdog thread, just before the process exits (cohortgis map and report, issue
// #16). Never returns the lock it takes, so no drawing can start or finish after it.
void abandon_drawings_in_progress();

// The map's drawing of zones only, each zone filled with colour (index + 1), no anti-aliasing, as a width × height
// buffer of zone indexes + 1 (0 = background). Lets a test count that every zone is drawn.
std::vector<std::uint32_t> render_zone_index_buffer(const std::vector<MapZone>& zones, int width_px, int height_px);
// The same with the page layout of render_choropleth(zones, style, png at 96 dpi): pixel (x, y) of the buffer is
// pixel (x, y) of that map, so a test can read each zone's fill colour from the image.
std::vector<std::uint32_t> render_zone_index_buffer(const std::vector<MapZone>& zones, const MapStyle& style);

// Small multiples: one small map per panel (e.g. plan years, or variants), every panel classed with the same breaks
// (computed over all panels' values) and one shared legend. panel_values[p][i] goes with zones[i]; the zones' own
// values are ignored. Layout: `columns` panels a row (0: as square a grid as fits). Labels are left out (the
// panels are small). Returns the common breaks.
std::vector<double> render_small_multiples(const std::vector<MapZone>& zones,
                                           const std::vector<std::string>& panel_titles,
                                           const std::vector<std::vector<double>>& panel_values,
                                           const MapStyle& style, ImageFormat format, const std::string& path,
                                           int columns = 0);

// Number of characters of `text` the font `family` (with fontconfig fallbacks) has no glyph for: 0 means it is
// drawn as text, not as boxes.
int missing_glyphs(const std::string& text, const std::string& family = "Noto Sans CJK SC");

// Population pyramid: persons by age group for females and males, one or two years overlaid (the second as an
// outline), with stacked groups (e.g. registered and floating) for the first year.
struct PyramidSeries {
  std::string name;                    // e.g. "registered 2020"
  std::vector<double> female, male;    // persons by age index
};
struct PyramidStyle {
  std::string title;
  std::vector<std::string> age_labels;  // e.g. "0-4" … "85+"
  std::string female_label = "female", male_label = "male", persons_label = "persons";
  // Axis values are persons / axis_divisor (e.g. 10000 with persons_label "万人"); ticks fall on round values of
  // the divided scale, with as many decimals as the step needs.
  double axis_divisor = 1.0;
  int width_px = 900, height_px = 900;
  double dpi = 96;
  std::string font_family = "Noto Sans CJK SC";
  // Set (Python's Ctrl-C) to stop: ProjectionError("drawing cancelled") before the next age row and before the file
  // is put in place, as MapStyle::cancel.
  const std::atomic<bool>* cancel = nullptr;
};
// `stacked`: series drawn as stacked bars (groups of the first year); `outline`: series drawn as outlines (e.g. the
// total of a second year).
void render_pyramid(const std::vector<PyramidSeries>& stacked, const std::vector<PyramidSeries>& outline,
                    const PyramidStyle& style, ImageFormat format, const std::string& path);

// Indicator over time, one line per series (e.g. per variant).
struct LineSeries {
  std::string name;
  std::vector<double> x, y;
};
struct LineStyle {
  std::string title, x_label, y_label;
  int width_px = 900, height_px = 600;
  double dpi = 96;
  std::string font_family = "Noto Sans CJK SC";
  const std::atomic<bool>* cancel = nullptr;  // as PyramidStyle::cancel: before each series and every
                                              // kRowsBetweenStops points (read_cancel.hpp)
};
void render_lines(const std::vector<LineSeries>& series, const LineStyle& style, ImageFormat format,
                  const std::string& path);

}  // namespace cohortgis::geodata
