// SPDX-License-Identifier: Apache-2.0
// Maps and charts: classification against brute force and hand cases, every zone drawn, image sizes, CJK glyphs.
#include <cairo.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <random>
#include <set>

#include "cohortgis/engine/types.hpp"
#include "cohortgis/geodata/maps.hpp"
#include "cohortgis/geodata/number_format.hpp"

using namespace cohortgis;
using namespace cohortgis::geodata;
namespace fs = std::filesystem;

namespace {

MapZone square(const std::string& id, double x, double y, double side, double value) {
  MapZone z;
  z.id = id;
  z.label = id;
  z.value = value;
  z.parts = {{{{x, y}, {x + side, y}, {x + side, y + side}, {x, y + side}}}};
  return z;
}

// 5 × 4 squares of 10 km, UTM-like metres, with a few Chinese labels.
std::vector<MapZone> grid_zones() {
  std::vector<MapZone> zones;
  const char* names[] = {"东城区", "西城区", "朝阳区", "丰台区"};
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 5; ++c) {
      zones.push_back(square("Z" + std::to_string(r * 5 + c), 440000 + 10000 * c, 4420000 + 10000 * r, 10000,
                             static_cast<double>((r * 5 + c) * 7 % 20)));
      if (c == 0) zones.back().label = names[r];
    }
  return zones;
}

fs::path temp_dir() {
  fs::path d = fs::temp_directory_path() / ("cohortgis_maps_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
  fs::create_directories(d);
  return d;
}

// Within-class sum of squared deviations of a partition given by class_of.
double within_ss(const std::vector<double>& x, const std::vector<int>& cls, int k) {
  double total = 0;
  for (int c = 0; c < k; ++c) {
    double s = 0, s2 = 0, n = 0;
    for (std::size_t i = 0; i < x.size(); ++i)
      if (cls[i] == c) {
        s += x[i];
        s2 += x[i] * x[i];
        n += 1;
      }
    if (n > 0) total += s2 - s * s / n;
  }
  return total;
}

}  // namespace

TEST(MapClasses, HandCases) {
  // Quantiles (Hyndman–Fan type 7) of 1…9 in 4 classes: positions 0, 2, 4, 6, 8 → 1, 3, 5, 7, 9.
  EXPECT_EQ(class_breaks({9, 1, 2, 3, 4, 5, 6, 7, 8}, 4, ClassMethod::quantile), (std::vector<double>{1, 3, 5, 7, 9}));
  EXPECT_EQ(class_breaks({0, 10, 3}, 5, ClassMethod::equal_interval), (std::vector<double>{0, 2, 4, 6, 8, 10}));
  // Three obvious clusters: natural breaks end each class at its largest value.
  EXPECT_EQ(class_breaks({1, 2, 3, 10, 11, 12, 20, 21, 22}, 3, ClassMethod::natural_breaks),
            (std::vector<double>{1, 3, 12, 22}));
  const std::vector<double> b{1, 3, 12, 22};
  EXPECT_EQ(class_of(1, b), 0);
  EXPECT_EQ(class_of(3, b), 0);
  EXPECT_EQ(class_of(3.5, b), 1);
  EXPECT_EQ(class_of(22, b), 2);
  EXPECT_EQ(class_of(23, b), -1);
  EXPECT_EQ(class_of(std::nan(""), b), -1);
  // Fewer distinct values than classes: one class per value, [5, 5] and (5, 7]; NaN ignored; all equal.
  EXPECT_EQ(class_breaks({5, 5, std::nan(""), 7}, 5, ClassMethod::quantile), (std::vector<double>{5, 5, 7}));
  EXPECT_EQ(class_breaks({4, 4, 4}, 5, ClassMethod::natural_breaks), (std::vector<double>{4, 4}));
  EXPECT_THROW(class_breaks({1, 2}, 0, ClassMethod::quantile), InputError);
}

// The words the command line and Python take for a format and a class method; anything else (a short word the
// command line adds itself, another case, an image type not drawn) is none of them.
// The one place figures, legends and the report print fixed-point numbers (hand figures; printf's rounding of an
// exact binary half is to even).
TEST(NumberFormat, FixedDigitsAndGroupsOfThree) {
  EXPECT_EQ(geodata::fixed_digits(1234567.891, 2), "1234567.89");
  EXPECT_EQ(geodata::fixed_digits(-2.5, 0), "2");
  EXPECT_EQ(geodata::fixed_digits(0.125, 2), "0.12");
  EXPECT_EQ(geodata::fixed_digits(7.0, -3), "7");
  EXPECT_EQ(geodata::group_thousands("1234567.89"), "1,234,567.89");
  EXPECT_EQ(geodata::group_thousands("1000"), "1,000");
  EXPECT_EQ(geodata::group_thousands("999.5"), "999.5");
  EXPECT_EQ(geodata::group_thousands("123456"), "123,456");
}

TEST(MapClasses, FormatAndMethodWords) {
  EXPECT_EQ(image_format_named("png"), ImageFormat::png);
  EXPECT_EQ(image_format_named("svg"), ImageFormat::svg);
  EXPECT_EQ(image_format_named("pdf"), ImageFormat::pdf);
  for (const char* w : {"", "PNG", "bmp", "png "}) EXPECT_FALSE(image_format_named(w).has_value()) << w;
  EXPECT_EQ(class_method_named("quantile"), ClassMethod::quantile);
  EXPECT_EQ(class_method_named("equal_interval"), ClassMethod::equal_interval);
  EXPECT_EQ(class_method_named("natural_breaks"), ClassMethod::natural_breaks);
  for (const char* w : {"", "equal", "jenks", "Quantile"}) EXPECT_FALSE(class_method_named(w).has_value()) << w;
}

// Natural breaks are optimal: no partition of the sorted values into k contiguous classes has a smaller within-class
// sum of squares (checked against every partition by brute force).
TEST(MapClasses, NaturalBreaksMatchBruteForceOptimum) {
  std::mt19937 rng(11);
  std::lognormal_distribution<double> dist(0.0, 1.0);
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<double> x(12);
    for (double& v : x) v = std::round(dist(rng) * 100) / 10;
    std::sort(x.begin(), x.end());
    const int k = 3 + trial % 2;
    const auto breaks = class_breaks(x, k, ClassMethod::natural_breaks);
    std::vector<int> cls;
    for (double v : x) cls.push_back(class_of(v, breaks));
    const double got = within_ss(x, cls, k);
    double best = std::numeric_limits<double>::infinity();
    // Cut positions 0 < c1 < c2 (< c3) < n.
    const int n = static_cast<int>(x.size());
    for (int c1 = 1; c1 < n; ++c1)
      for (int c2 = c1 + 1; c2 < n; ++c2)
        for (int c3 = (k == 4 ? c2 + 1 : n); c3 <= n - (k == 4 ? 1 : 0); ++c3) {
          std::vector<int> p(x.size());
          for (int i = 0; i < n; ++i) p[static_cast<std::size_t>(i)] = i < c1 ? 0 : i < c2 ? 1 : i < c3 ? 2 : 3;
          best = std::min(best, within_ss(x, p, k));
        }
    EXPECT_NEAR(got, best, 1e-9 * (1 + best)) << "trial " << trial;
  }
}

TEST(MapRender, EveryZoneIsDrawnAndHolesStayEmpty) {
  auto zones = grid_zones();
  // A zone with a hole: the hole's pixels belong to nobody.
  MapZone ring = square("ring", 520000, 4420000, 30000, 1);
  ring.parts[0].push_back({{530000, 4430000}, {540000, 4430000}, {540000, 4440000}, {530000, 4440000}});
  zones.push_back(ring);
  const int W = 400, H = 200;
  const auto buf = render_zone_index_buffer(zones, W, H);
  std::set<std::uint32_t> seen(buf.begin(), buf.end());
  for (std::size_t i = 0; i < zones.size(); ++i) EXPECT_TRUE(seen.count(static_cast<std::uint32_t>(i + 1))) << zones[i].id;
  // The frame maps x 440,000…550,000 and y 4,420,000…4,460,000 (aspect 110:40) into 400 × 200: scale 400/110,000.
  const double s = 400.0 / 110000, oy = (200 - 40000 * s) / 2;
  const int hx = static_cast<int>((535000 - 440000) * s), hy = static_cast<int>(oy + (4460000 - 4435000) * s);
  EXPECT_EQ(buf[static_cast<std::size_t>(hy) * W + static_cast<std::size_t>(hx)], 0u) << "hole must stay empty";
  const int rx = static_cast<int>((525000 - 440000) * s);
  EXPECT_EQ(buf[static_cast<std::size_t>(hy) * W + static_cast<std::size_t>(rx)], zones.size());
}

TEST(MapRender, ChoroplethFilesHaveTheRightSizeAndLegendMatchesData) {
  const fs::path dir = temp_dir();
  const auto zones = grid_zones();
  MapStyle st;
  st.title = "常住人口 2035";
  st.legend_title = "万人";
  st.source_note = "cohortgis";
  st.method = ClassMethod::natural_breaks;
  std::vector<double> values;
  for (const auto& z : zones) values.push_back(z.value);
  const auto breaks = render_choropleth(zones, st, ImageFormat::png, (dir / "m.png").string());
  EXPECT_EQ(breaks, class_breaks(values, 5, ClassMethod::natural_breaks));
  cairo_surface_t* png = cairo_image_surface_create_from_png((dir / "m.png").c_str());
  ASSERT_EQ(cairo_surface_status(png), CAIRO_STATUS_SUCCESS);
  EXPECT_EQ(cairo_image_surface_get_width(png), 1200);
  EXPECT_EQ(cairo_image_surface_get_height(png), 900);
  cairo_surface_destroy(png);
  st.dpi = 300;  // print
  render_choropleth(zones, st, ImageFormat::png, (dir / "print.png").string());
  png = cairo_image_surface_create_from_png((dir / "print.png").c_str());
  EXPECT_EQ(cairo_image_surface_get_width(png), 3750);  // 1200 × 300/96
  cairo_surface_destroy(png);
  render_choropleth(zones, st, ImageFormat::svg, (dir / "m.svg").string());
  render_choropleth(zones, st, ImageFormat::pdf, (dir / "m.pdf").string());
  EXPECT_GT(fs::file_size(dir / "m.svg"), 1000u);
  EXPECT_GT(fs::file_size(dir / "m.pdf"), 1000u);
  {
    // A fixed creation date: the same map gives the same PDF on another day (cairo wrote the time of drawing).
    std::ifstream in(dir / "m.pdf", std::ios::binary);
    const std::string pdf{std::istreambuf_iterator<char>(in), {}};
    const std::size_t at = pdf.find("/CreationDate (");
    ASSERT_NE(at, std::string::npos);
    EXPECT_NE(pdf.substr(at, 40).find("20000101000000"), std::string::npos) << pdf.substr(at, 40);
  }
  for (const auto& e : fs::directory_iterator(dir))
    EXPECT_EQ(e.path().string().find(".tmp-"), std::string::npos) << "temporary file left: " << e.path();
  fs::remove_all(dir);
}

// Planner audit (round 21): the scale bar was a 2 px dark line on the map, unreadable over the darkest class. It has
// a white halo now, as the names: a map that fills its box with the top class keeps light pixels beside the bar.
TEST(MapRender, ScaleBarHasAHaloOverTheDarkestClass) {
  const fs::path dir = temp_dir();
  // The map box without a title is 902 × 820 px from (24, 34); a 902 × 819 km extent fills it to y 853.5, and the bar
  // is drawn at y = 846 from x = 32 (maps.cpp render_choropleth).
  std::vector<MapZone> zones = {square("big", 0, 0, 1, 10), square("small", 850000, 780000, 10000, 0)};
  zones[0].parts = {{{{0, 0}, {902000, 0}, {902000, 819000}, {0, 819000}}}};
  MapStyle st;
  st.labels = false;
  render_choropleth(zones, st, ImageFormat::png, (dir / "dark.png").string());
  cairo_surface_t* png = cairo_image_surface_create_from_png((dir / "dark.png").c_str());
  ASSERT_EQ(cairo_surface_status(png), CAIRO_STATUS_SUCCESS);
  const auto* data = cairo_image_surface_get_data(png);
  const int stride = cairo_image_surface_get_stride(png);
  const auto luminance = [&](int x, int y) {
    const auto px = *reinterpret_cast<const std::uint32_t*>(data + y * stride + x * 4);
    return 0.299 * ((px >> 16) & 0xff) + 0.587 * ((px >> 8) & 0xff) + 0.114 * (px & 0xff);
  };
  EXPECT_LT(luminance(52, 800), 150.0) << "the fill under the bar";
  EXPECT_LT(luminance(52, 846), 80.0) << "the bar";
  EXPECT_GT(luminance(52, 848), 200.0) << "the halo below the bar";
  EXPECT_GT(luminance(52, 843), 200.0) << "the halo above the bar";
  cairo_surface_destroy(png);
  fs::remove_all(dir);
}

// Outside-tester audit (round 18): the 50,000-zone benchmark's maps drew 0.8 px grey boundaries round zones 3.8 px
// wide, so the map looked grey-brown while its legend showed the class colours. The boundaries now stay under a
// 24th of a zone's width (mean RGB distance from the class colour 60 before, under 20 now): a 200 × 200 grid of one
// class looks like that class's colour.
TEST(MapRender, BoundariesOfManySmallZonesDoNotHideTheirColour) {
  const fs::path dir = temp_dir();
  std::vector<MapZone> zones;
  for (int r = 0; r < 200; ++r)
    for (int c = 0; c < 200; ++c) zones.push_back(square("g", 1000.0 * c, 1000.0 * r, 1000, 7));
  MapStyle st;
  st.labels = false;
  render_choropleth(zones, st, ImageFormat::png, (dir / "grid.png").string());
  cairo_surface_t* png = cairo_image_surface_create_from_png((dir / "grid.png").c_str());
  ASSERT_EQ(cairo_surface_status(png), CAIRO_STATUS_SUCCESS);
  const auto* data = cairo_image_surface_get_data(png);
  const int stride = cairo_image_surface_get_stride(png);
  const std::uint32_t want = sequential_palette(1).front();  // the one class
  double distance = 0;
  int n = 0;
  for (int y = 375; y < 575; ++y)  // the middle of the map (the grid spans about 95…855 px both ways)
    for (int x = 375; x < 575; ++x, ++n) {
      const auto px = *reinterpret_cast<const std::uint32_t*>(data + y * stride + x * 4);
      double d2 = 0;
      for (int shift : {0, 8, 16}) {
        const double d = static_cast<double>((px >> shift) & 0xff) - static_cast<double>((want >> shift) & 0xff);
        d2 += d * d;
      }
      distance += std::sqrt(d2);
    }
  cairo_surface_destroy(png);
  EXPECT_LT(distance / n, 20.0) << "mean RGB distance from the class colour " << distance / n;
  fs::remove_all(dir);
}

TEST(MapRender, ChineseTextHasGlyphs) {
  EXPECT_EQ(missing_glyphs("东城区 常住人口 老龄化率"), 0);
  EXPECT_EQ(missing_glyphs("Dongcheng 2035"), 0);
}

TEST(Charts, PyramidAndLines) {
  const fs::path dir = temp_dir();
  PyramidStyle ps;
  ps.title = "北京市 2020 / 2035";
  ps.age_labels = {"0-4", "5-9", "10-14", "15+"};
  render_pyramid({{"户籍 2020", {10, 12, 14, 50}, {11, 13, 15, 48}}, {"流动 2020", {2, 3, 4, 20}, {2, 3, 5, 22}}},
                 {{"2035", {9, 11, 15, 80}, {9, 12, 16, 78}}}, ps, ImageFormat::png, (dir / "p.png").string());
  cairo_surface_t* png = cairo_image_surface_create_from_png((dir / "p.png").c_str());
  EXPECT_EQ(cairo_image_surface_get_width(png), 900);
  cairo_surface_destroy(png);
  EXPECT_THROW(render_pyramid({{"bad", {1, 2}, {1, 2, 3, 4}}}, {}, ps, ImageFormat::png, (dir / "bad.png").string()),
               InputError);
  EXPECT_FALSE(fs::exists(dir / "bad.png"));
  LineStyle ls;
  ls.title = "总和生育率";
  render_lines({{"baseline", {2020, 2025, 2030}, {1.0, 1.1, 1.2}}, {"high", {2020, 2025, 2030}, {1.0, 1.3, 1.5}}}, ls,
               ImageFormat::svg, (dir / "l.svg").string());
  EXPECT_GT(fs::file_size(dir / "l.svg"), 500u);
  fs::remove_all(dir);
}

// Outside-tester audit (round 18): a zone pyramid of 86 single years (550 px, as the report draws one per zone) wrote
// an age label into every 4 px bar, so the labels overlapped into a black column and "85+" was lost; and the English
// legend's "Registered (hukou) population 2035" ran into the next entry's swatch. Now every 5th age and the open age
// group are labelled, and long names take a legend row each.
TEST(Charts, PyramidAgeLabelsAndLegendDoNotOverlap) {
  const fs::path dir = temp_dir();
  PyramidStyle ps;
  ps.title = "core Population pyramid 2020 / 2035";
  ps.width_px = ps.height_px = 550;
  std::vector<double> f(86, 0.0), m(86, 0.0);
  for (std::size_t a = 0; a < 86; ++a) {
    ps.age_labels.push_back(a == 85 ? "85+" : std::to_string(a));
    f[a] = m[a] = 100.0 + static_cast<double>(a);
  }
  render_pyramid({{"Registered (hukou) population 2035", f, m}, {"Floating population 2035", f, m}},
                 {{"Resident population 2020 (outline)", f, m}}, ps, ImageFormat::png, (dir / "p.png").string());
  cairo_surface_t* png = cairo_image_surface_create_from_png((dir / "p.png").c_str());
  ASSERT_EQ(cairo_surface_status(png), CAIRO_STATUS_SUCCESS);
  const auto* data = cairo_image_surface_get_data(png);
  const int stride = cairo_image_surface_get_stride(png), w = cairo_image_surface_get_width(png);
  const int h = cairo_image_surface_get_height(png);
  const auto rgb = [&](int x, int y) {
    return *reinterpret_cast<const std::uint32_t*>(data + y * stride + x * 4) & 0xffffff;
  };
  // The age column (the 56 px between the two halves, less the outlines' edges): rows holding text among the bars'
  // rows (y 90…360 of 550 lie within the bars whatever the legend's height).
  int rows_with_text = 0, rows = 0;
  for (int y = 90; y < 360; ++y, ++rows) {
    bool text = false;
    for (int x = w / 2 - 20; x < w / 2 + 20; ++x) text = text || (rgb(x, y) >> 16) < 0x80;
    rows_with_text += text;
  }
  EXPECT_LT(rows_with_text, rows * 3 / 4) << "age labels fill " << rows_with_text << " of " << rows << " rows";
  // The second entry's orange swatch (Okabe–Ito 0xe69f00) starts a row at the left margin, below the first.
  int orange_left = w;
  for (int y = h - 90; y < h; ++y)
    for (int x = 0; x < w; ++x)
      if (rgb(x, y) == 0xe69f00) orange_left = std::min(orange_left, x);
  EXPECT_LT(orange_left, w / 4);
  cairo_surface_destroy(png);
  fs::remove_all(dir);
}

// The open age group ("85+", "100+") holds every age above the last closed group: on a single-year pyramid its bar
// read as one more year (a bar several times the one below it). It is drawn in a lighter tint of the colour, the
// bars below it in the colour itself (round-23 list of defects).
TEST(Charts, PyramidDrawsTheOpenAgeGroupApart) {
  const fs::path dir = temp_dir();
  PyramidStyle ps;
  ps.age_labels = {"0", "1", "2", "3+"};
  render_pyramid({{"2035", {100, 100, 100, 400}, {100, 100, 100, 400}}}, {}, ps, ImageFormat::png,
                 (dir / "p.png").string());
  cairo_surface_t* png = cairo_image_surface_create_from_png((dir / "p.png").c_str());
  ASSERT_EQ(cairo_surface_status(png), CAIRO_STATUS_SUCCESS);
  const auto* data = cairo_image_surface_get_data(png);
  const int stride = cairo_image_surface_get_stride(png), w = cairo_image_surface_get_width(png);
  const int h = cairo_image_surface_get_height(png);
  const auto rgb = [&](int x, int y) {
    return *reinterpret_cast<const std::uint32_t*>(data + y * stride + x * 4) & 0xffffff;
  };
  // Down a column through the women's bars, just right of the age labels: the runs of coloured rows, top first.
  std::vector<std::uint32_t> bar_colours;
  const int x = w / 2 + 60;
  for (int y = 0; y < h * 3 / 4; ++y) {
    if (rgb(x, y) == 0xffffff) continue;
    int end = y;
    while (end < h && rgb(x, end) != 0xffffff) ++end;
    if (end - y > 20) bar_colours.push_back(rgb(x, (y + end) / 2));  // a bar, not a line of text
    y = end;
  }
  cairo_surface_destroy(png);
  ASSERT_EQ(bar_colours.size(), 4u);
  EXPECT_EQ(bar_colours[1], 0x0072b2u);  // age 2 in the first series' colour (Okabe–Ito blue)
  EXPECT_NE(bar_colours[0], 0x0072b2u) << "the open age group 3+ drawn as one more age";
  EXPECT_EQ(bar_colours[0], 0x80b9d9u);  // halfway to white
  fs::remove_all(dir);
}

// Real boundaries: all 16 Beijing districts drawn, Chinese labels from the file.
#include "cohortgis/geodata/zones.hpp"
TEST(MapRender, BeijingDistrictsAllDrawn) {
  ZoneSource src;
  src.path = std::string(COHORTGIS_DATA) + "/geo/beijing_districts.gpkg";
  src.id_field = "code";
  src.name_field = "name_zh";
  const Zones zones = load_zones(src);
  std::vector<double> values(zones.size());
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<double>(i);
  const auto shapes = map_zones(zones, values);
  ASSERT_EQ(shapes.size(), 16u);
  EXPECT_EQ(shapes[1].label, "西城区");
  EXPECT_EQ(missing_glyphs(shapes[1].label), 0);
  const auto buf = render_zone_index_buffer(shapes, 800, 800);
  std::set<std::uint32_t> seen(buf.begin(), buf.end());
  for (std::size_t i = 0; i < shapes.size(); ++i) EXPECT_TRUE(seen.count(static_cast<std::uint32_t>(i + 1))) << shapes[i].id;
  EXPECT_THROW(map_zones(zones, {1.0, 2.0}), InputError);
}

// The palette rule (maps.hpp MapStyle::diverging): signed measures keep reds for losses and blues for gains even
// when every value has one sign (issue #18: an all-negative growth map drawn in YlGnBu read as "gains"). Colours are
// ColorBrewer's hex values (colorbrewer2.org: 9-class Reds and Blues, 11-class RdBu, 5-class YlGnBu); five classes
// of one side take the 9-class shades 1 + round(7i/4) = 1, 3, 5, 6, 8 (i = 0…4; round half away from zero).
TEST(MapPalette, SignOfTheDataChoosesThePalette) {
  MapStyle signed_style;
  signed_style.diverging = true;
  // All negative (every zone losing people): five reds, the lowest class darkest.
  const std::vector<std::uint32_t> losses = choropleth_colours({-3.0, -2.0, -1.5, -1.0, -0.5, -0.1}, signed_style);
  EXPECT_EQ(losses, (std::vector<std::uint32_t>{0x67000d, 0xcb181d, 0xef3b2c, 0xfc9272, 0xfee0d2}));
  // All positive: five blues, the highest class darkest.
  EXPECT_EQ(choropleth_colours({0.1, 0.5, 1.0, 1.5, 2.0, 3.0}, signed_style),
            (std::vector<std::uint32_t>{0xdeebf7, 0x9ecae1, 0x4292c6, 0x2171b5, 0x08306b}));
  // Both signs: RdBu split at 0 (two reds, three blues).
  EXPECT_EQ(choropleth_colours({-2.0, -1.0, 0.0, 1.0, 2.0, 3.0}, signed_style),
            (std::vector<std::uint32_t>{0xf4a582, 0xfddbc7, 0xd1e5f0, 0x92c5de, 0x4393c3}));
  // Not signed (populations): YlGnBu, light to dark, whatever the values.
  EXPECT_EQ(choropleth_colours({1.0, 2.0, 3.0, 4.0, 5.0, 6.0}, MapStyle{}),
            (std::vector<std::uint32_t>{0xffffcc, 0xa1dab4, 0x41b6c4, 0x2c7fb8, 0x253494}));
  // Breaks of an all-negative signed measure stay below 0 (no class reaches into gains).
  const std::vector<double> b = choropleth_breaks({-3.0, -2.0, -1.0, -0.5, -0.2}, signed_style);
  EXPECT_LT(b.back(), 0.0);
}

// More classes than a palette has colours is an error, not a map coloured from past the palette's end (Python's
// render_choropleth and cohortgis.choropleth take any `classes`; the command line's --n-classes stops at 9).
TEST(MapPalette, MoreClassesThanColoursIsAnError) {
  std::vector<double> ten(11), nine(10);
  for (std::size_t i = 0; i < ten.size(); ++i) ten[i] = 1.0 + static_cast<double>(i);
  for (std::size_t i = 0; i < nine.size(); ++i) nine[i] = 1.0 + static_cast<double>(i);
  MapStyle signed_style;
  signed_style.diverging = true;
  EXPECT_EQ(choropleth_colours(nine, MapStyle{}).size(), 9u);
  EXPECT_EQ(choropleth_colours(nine, signed_style).size(), 9u);
  EXPECT_THROW(choropleth_colours(ten, MapStyle{}), InputError);
  EXPECT_THROW(choropleth_colours(ten, signed_style), InputError);  // one side of 0: Blues, 9 colours
  std::vector<double> both(11);                                     // both signs: RdBu's 11 colours, 5 a side at most
  for (std::size_t i = 0; i < both.size(); ++i) both[i] = static_cast<double>(i) - 5.0;
  EXPECT_EQ(choropleth_colours(both, signed_style).size(), 10u);
  const std::vector<MapZone> zones = grid_zones();  // 20 distinct values: ten classes of them
  MapStyle many;
  many.classes = 10;
  many.width_px = 300;
  many.height_px = 200;
  const fs::path out = temp_dir() / "ten_classes.png";
  EXPECT_THROW(render_choropleth(zones, many, ImageFormat::png, out.string()), InputError);
  EXPECT_FALSE(fs::exists(out));
}

// Classes whose bounds print alike merge (outside-tester audit, round 18): the default scenario's TFR map of 2035
// showed three classes "0.80 – 0.80" in three colours for TFRs that differ in the 16th digit. The first and last
// breaks, 0 of a signed measure and the one-value first class [d0, d0] stay.
TEST(MapClasses, ClassesThatPrintAlikeMerge) {
  MapStyle st;
  st.legend_decimals = 2;
  const double a = 0.7984549760025894, b = 0.7984549760025903;
  std::vector<double> tfr;
  for (int i = 0; i < 12; ++i) tfr.push_back(i % 5 ? a : b);
  for (double v : {0.85, 0.96, 1.07}) tfr.push_back(v);
  const std::vector<double> got = choropleth_breaks(tfr, st);
  ASSERT_GE(got.size(), 2u);
  EXPECT_EQ(got.front(), a);
  EXPECT_EQ(got.back(), 1.07);
  for (std::size_t i = 1; i < got.size(); ++i)
    EXPECT_NE(std::round(got[i] * 100), std::round(got[i - 1] * 100)) << "classes " << i - 1 << " and " << i;
  // All alike: one class from the smallest to the largest value.
  EXPECT_EQ(choropleth_breaks({a, b, a, b, a, b, a}, st), (std::vector<double>{a, b}));
  // Given breaks are kept as given; a first class of one value stays.
  st.breaks = {1, 1, 2};
  EXPECT_EQ(choropleth_breaks({1, 2}, st), (std::vector<double>{1, 1, 2}));
  st.breaks.clear();
  st.legend_decimals = 1;
  EXPECT_EQ(choropleth_breaks({5, 5, 7}, st), (std::vector<double>{5, 5, 7}));
  // A signed measure keeps 0 when a negative break prints as 0.0 (-0.023 here) and merges that class into 0's.
  st.diverging = true;
  const std::vector<double> s = choropleth_breaks({-3, -2, -0.03, -0.02, -0.01, 1, 2, 3, 4, 5}, st);
  EXPECT_EQ(s.front(), -3.0);
  EXPECT_EQ(s.back(), 5.0);
  EXPECT_NE(std::find(s.begin(), s.end(), 0.0), s.end());
  for (std::size_t i = 1; i < s.size(); ++i) EXPECT_NE(std::round(s[i] * 10), std::round(s[i - 1] * 10)) << i;
}

// Classes within each sign (planner walkthrough, round 22): North Carolina's change 1984-2004 has 70 counties losing
// and 30 growing (+0.3 % to +29.8 %); sharing 5 classes by count gave the growing side one class "0.0 - 29.8", so a
// county growing by 1 % and one growing by 30 % had one colour. Each side with two or more distinct values now gets
// at least two classes (quantiles of its own values) when the map has four classes or more.
TEST(MapClasses, EachSignKeepsTwoClassesOfItsOwn) {
  MapStyle st;
  st.diverging = true;
  st.legend_decimals = 1;
  std::vector<double> v;
  for (int i = 0; i < 70; ++i) v.push_back(-0.4 - 0.42 * i);  // −0.4 … −29.4
  for (int i = 0; i < 30; ++i) v.push_back(0.3 + 1.0 * i);    // +0.3 … +29.3
  const double lo = v[69], hi = v.back();
  const std::vector<double> b = choropleth_breaks(v, st);
  // Three classes below 0 and two above: quantiles of each side, 0 a break, the extremes kept.
  ASSERT_EQ(b.size(), 6u);
  EXPECT_EQ(b.front(), lo);
  EXPECT_EQ(b[3], 0.0);
  EXPECT_NEAR(b[4], 0.3 + 14.5, 1e-9);  // the growing side's median (type 7 of 30 values: between the 15th and 16th)
  EXPECT_EQ(b.back(), hi);
  EXPECT_NE(class_of(1.3, b), class_of(29.3, b));
  // Quantiles of the losing side: type 7 at 1/3 and 2/3 of its 70 values.
  EXPECT_NEAR(b[1], -29.38 + 0.42 * 23.0, 1e-9);
  EXPECT_NEAR(b[2], -29.38 + 0.42 * 46.0, 1e-9);
  // Blues for the two growing classes, reds for the three losing ones (RdBu around 0).
  EXPECT_EQ(choropleth_colours(b, st), (std::vector<std::uint32_t>{0xd6604d, 0xf4a582, 0xfddbc7, 0xd1e5f0, 0x92c5de}));
  // Mirrored (30 losing, 70 growing): two classes below 0, three above.
  std::vector<double> m;
  for (double x : v) m.push_back(-x);
  const std::vector<double> bm = choropleth_breaks(m, st);
  ASSERT_EQ(bm.size(), 6u);
  EXPECT_EQ(bm[2], 0.0);
  // A side of one distinct value keeps one class; four classes share two and two; two classes one and one.
  std::vector<double> one = v;
  for (std::size_t i = 70; i < one.size(); ++i) one[i] = 5.0;
  const std::vector<double> b1 = choropleth_breaks(one, st);
  EXPECT_EQ(b1[b1.size() - 2], 0.0);
  st.classes = 4;
  const std::vector<double> b4 = choropleth_breaks(v, st);
  ASSERT_EQ(b4.size(), 5u);
  EXPECT_EQ(b4[2], 0.0);
  st.classes = 2;
  EXPECT_EQ(choropleth_breaks(v, st), (std::vector<double>{lo, 0.0, hi}));
}

// Label placement (issue #18): on the 16 Beijing districts every zone is named, by a label on its own pixels, a
// callout over the empty page or a numbered key, and no two label boxes overlap. Checked against the zone index
// raster of the same page layout (render_zone_index_buffer), drawn independently of the placement.
namespace {
std::uint32_t pixel_at(const std::vector<std::uint32_t>& buf, int w, int x, int y) {
  return buf[static_cast<std::size_t>(y) * static_cast<std::size_t>(w) + static_cast<std::size_t>(x)];
}
// The ids under a box (layout pixels), as a set.
std::set<std::uint32_t> ids_under(const std::vector<std::uint32_t>& buf, int w, int h, const LabelPlacement& p) {
  std::set<std::uint32_t> ids;
  for (int y = static_cast<int>(std::floor(p.y0)); y < static_cast<int>(std::ceil(p.y1)); ++y)
    for (int x = static_cast<int>(std::floor(p.x0)); x < static_cast<int>(std::ceil(p.x1)); ++x)
      ids.insert(x < 0 || y < 0 || x >= w || y >= h ? 0xffffffffu : pixel_at(buf, w, x, y));
  return ids;
}
void expect_every_zone_named_once(const std::vector<MapZone>& shapes, const MapStyle& st,
                                  const std::vector<LabelPlacement>& layout) {
  const auto buf = render_zone_index_buffer(shapes, st);
  std::vector<int> named(shapes.size(), 0);
  for (const auto& p : layout) {
    ASSERT_LT(p.zone, shapes.size());
    ++named[p.zone];
    const auto under = ids_under(buf, st.width_px, st.height_px, p);
    const auto own = static_cast<std::uint32_t>(p.zone + 1);
    if (p.kind == LabelPlacement::Kind::inside) {
      EXPECT_EQ(under, std::set<std::uint32_t>{own}) << shapes[p.zone].label << " straddles another zone";
    }
    if (p.kind == LabelPlacement::Kind::callout) {
      EXPECT_EQ(under, std::set<std::uint32_t>{0}) << shapes[p.zone].label << "'s callout covers a zone";
    }
    if (p.kind == LabelPlacement::Kind::key) {
      EXPECT_TRUE(under == std::set<std::uint32_t>{own} || under == std::set<std::uint32_t>{0}) << shapes[p.zone].label;
      EXPECT_GT(p.key_number, 0);
    }
    // The anchor (where a leader line starts) lies on the zone itself.
    EXPECT_EQ(pixel_at(buf, st.width_px, static_cast<int>(p.anchor_x), static_cast<int>(p.anchor_y)), own)
        << shapes[p.zone].label;
  }
  for (std::size_t i = 0; i < shapes.size(); ++i) EXPECT_EQ(named[i], 1) << shapes[i].label;
  for (std::size_t a = 0; a < layout.size(); ++a)
    for (std::size_t b = a + 1; b < layout.size(); ++b) {
      const auto &p = layout[a], &q = layout[b];
      EXPECT_FALSE(p.x0 < q.x1 && q.x0 < p.x1 && p.y0 < q.y1 && q.y0 < p.y1)
          << shapes[p.zone].label << " and " << shapes[q.zone].label << " overlap";
    }
}
}  // namespace

TEST(MapLabels, BeijingEveryDistrictNamedNoOverlap) {
  ZoneSource src;
  src.path = std::string(COHORTGIS_DATA) + "/geo/beijing_districts.gpkg";
  src.id_field = "code";
  src.name_field = "name_zh";
  const Zones zones = load_zones(src);
  const auto shapes = map_zones(zones, std::vector<double>(zones.size(), 1.0));
  for (int width : {1200, 700}) {  // the report's map and a small one, where more names go outside
    MapStyle st;
    st.title = "常住人口 2035";
    st.width_px = width;
    st.height_px = width * 3 / 4;
    const auto layout = map_label_layout(shapes, st);
    ASSERT_EQ(layout.size(), shapes.size());
    expect_every_zone_named_once(shapes, st, layout);
    int dongcheng = 0, xicheng = 0;
    for (const auto& p : layout) {
      if (shapes[p.zone].label == "东城区") ++dongcheng;
      if (shapes[p.zone].label == "西城区") ++xicheng;
    }
    EXPECT_EQ(dongcheng, 1);
    EXPECT_EQ(xicheng, 1);
  }
  // The drawing uses that placement and completes.
  const fs::path dir = temp_dir();
  MapStyle st;
  render_choropleth(shapes, st, ImageFormat::png, (dir / "labels.png").string());
  EXPECT_GT(fs::file_size(dir / "labels.png"), 10000u);
  if (std::getenv("COHORTGIS_KEEP_MAP")) fs::copy_file(dir / "labels.png", std::getenv("COHORTGIS_KEEP_MAP"));
  fs::remove_all(dir);
}

// Hand cases: a big square takes its name inside; a sliver beside it cannot, and gets a callout over the empty page
// (its box on background pixels); with no empty page left (the zones fill the map box) names go to the numbered key.
TEST(MapLabels, InsideCalloutAndKey) {
  // A 100 km × 40 km rectangle and a 1 km × 40 km sliver east of it: the map is wide, the page above and below empty.
  std::vector<MapZone> zones{square("big", 0, 0, 1, 1), square("sliver", 100000, 0, 1, 2)};
  zones[0].parts = {{{{0, 0}, {100000, 0}, {100000, 40000}, {0, 40000}}}};
  zones[1].parts = {{{{100000, 0}, {101000, 0}, {101000, 40000}, {100000, 40000}}}};
  zones[1].label = "窄长的区";
  MapStyle st;
  auto layout = map_label_layout(zones, st);
  ASSERT_EQ(layout.size(), 2u);
  EXPECT_EQ(layout[0].kind, LabelPlacement::Kind::inside);
  EXPECT_EQ(layout[0].zone, 0u);
  EXPECT_EQ(layout[1].kind, LabelPlacement::Kind::callout);
  expect_every_zone_named_once(zones, st, layout);
  // 1 × 20 slivers side by side filling a square frame: no zone fits its name and the square leaves no page free
  // beside it, so each gets a key number 1, 2, … (in placement order).
  std::vector<MapZone> slivers;
  for (int i = 0; i < 20; ++i) {
    slivers.push_back(square("S" + std::to_string(i), 0, 0, 1, i));
    slivers.back().label = "很长的名字第" + std::to_string(i) + "区";
    slivers.back().parts = {{{{i * 1000.0, 0}, {i * 1000.0 + 1000, 0}, {i * 1000.0 + 1000, 20000}, {i * 1000.0, 20000}}}};
  }
  MapStyle sq;
  sq.title.clear();
  sq.width_px = 250 + 48 + 600;
  sq.height_px = 600 + 24 + 10 + 46;  // map box 600 × 600: the slivers fill it
  layout = map_label_layout(slivers, sq);
  ASSERT_EQ(layout.size(), slivers.size());
  int numbers = 0;
  for (const auto& p : layout)
    if (p.kind == LabelPlacement::Kind::key) {
      EXPECT_EQ(p.key_number, ++numbers);
    }
  EXPECT_GT(numbers, 0);
  expect_every_zone_named_once(slivers, sq, layout);
}

// A map CRS in US survey feet (NC State Plane, EPSG:2264) gives shapes in metres, as the scale bar reads them: the
// state is about as wide as on the default equal-area map (it was 3.28 times wider, in feet labelled metres); a
// geographic map CRS is refused (degrees labelled metres, and a plate carrée 1.2 times too wide at 35°N).
TEST(MapRender, MapCrsInFeetIsDrawnInMetresAndDegreesAreRefused) {
  ZoneSource src;
  src.path = std::string(COHORTGIS_DATA) + "/geo/nc_counties.gpkg";
  src.id_field = "FIPS";
  const Zones zones = load_zones(src);
  const std::vector<double> values(zones.size(), 1.0);
  auto width = [](const std::vector<MapZone>& shapes) {
    double lo = 1e300, hi = -1e300;
    for (const auto& z : shapes)
      for (const auto& poly : z.parts)
        for (const auto& ring : poly)
          for (const auto& p : ring) lo = std::min(lo, p.x), hi = std::max(hi, p.x);
    return hi - lo;
  };
  const double laea = width(map_zones(zones, values)), feet = width(map_zones(zones, values, {}, "EPSG:2264"));
  EXPECT_NEAR(laea, 810e3, 10e3);  // -84.32° to -75.46° at 35°N
  EXPECT_NEAR(feet / laea, 1.0, 0.01);
  EXPECT_THROW(map_zones(zones, values, {}, "EPSG:4326"), InputError);
}
