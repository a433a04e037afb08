// SPDX-License-Identifier: Apache-2.0
// results.gpkg's QGIS styles of a default run (Chinese): the classes of every population layer (all years, all
// variants) are one set, equal to the PNG maps' (maps/legend.json, `cohortgis map`) and to type-7 quantiles computed
// here by hand from the results; legend in 万人; plan-period layers by their growth, split at 0; Chinese aliases.
#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "cohortgis/app/commands.hpp"
#include "cohortgis/app/results.hpp"
#include "cohortgis/app/run.hpp"
#include "cohortgis/geodata/table.hpp"
#include "csv_fixture.hpp"

using namespace cohortgis;
namespace fs = std::filesystem;

namespace {

struct Styled {
  std::string attr;
  std::vector<std::string> lower, upper, labels, colours;
};

Styled parse_qml(const std::string& qml) {
  Styled s;
  std::smatch m;
  if (std::regex_search(qml, m, std::regex("<renderer-v2 type=\"graduatedSymbol\" attr=\"([^\"]*)\""))) s.attr = m[1];
  const std::regex range("<range lower=\"([^\"]+)\" upper=\"([^\"]+)\" symbol=\"\\d+\" label=\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(qml.begin(), qml.end(), range); it != std::sregex_iterator(); ++it) {
    s.lower.push_back((*it)[1]);
    s.upper.push_back((*it)[2]);
    s.labels.push_back((*it)[3]);
  }
  const std::regex colour("<Option name=\"color\" type=\"QString\" value=\"(\\d+),(\\d+),(\\d+),255\"/>");
  for (auto it = std::sregex_iterator(qml.begin(), qml.end(), colour); it != std::sregex_iterator(); ++it) {
    char hex[8];
    std::snprintf(hex, sizeof hex, "#%02x%02x%02x", std::stoi((*it)[1]), std::stoi((*it)[2]), std::stoi((*it)[3]));
    s.colours.emplace_back(hex);
  }
  return s;
}

// Breaks as text ("lower" of each class, then the last "upper").
std::vector<std::string> breaks_of(const Styled& s) {
  std::vector<std::string> b = s.lower;
  if (!s.upper.empty()) b.push_back(s.upper.back());
  return b;
}

// The breaks and colours of one map in maps/legend.json, as text.
std::pair<std::vector<std::string>, std::vector<std::string>> legend_of(const std::string& json,
                                                                        const std::string& file) {
  std::smatch m;
  const std::regex entry("\\{\"file\": \"" + file +
                         "\"[^\\]]*\"breaks\": \\[([^\\]]*)\\],\\s*\"colours\": \\[([^\\]]*)\\]");
  if (!std::regex_search(json, m, entry)) return {};
  auto split = [](std::string t) {
    std::vector<std::string> out;
    t.erase(std::remove_if(t.begin(), t.end(), [](char c) { return c == ' ' || c == '"'; }), t.end());
    for (std::size_t a = 0, b; a < t.size(); a = b + 1) {
      b = t.find(',', a);
      if (b == std::string::npos) b = t.size();
      out.push_back(t.substr(a, b - a));
    }
    return out;
  };
  return {split(m[1]), split(m[2])};
}

}  // namespace

TEST(GpkgStyles, DefaultRunSharesThePngClassesAcrossYearsAndVariants) {
  const fs::path root = fs::temp_directory_path() / ("cohortgis_gpkg_styles_" + std::to_string(::getpid()));
  fs::remove_all(root);
  app::RunConfig cfg;
  cfg.scenario = "default";
  cfg.out_dir = (root / "out").string();
  cfg.quiet = true;
  cfg.data_dir = COHORTGIS_DATA;
  app::run(cfg);
  const fs::path out = root / "out";
  const std::string gpkg = (out / "results.gpkg").string();
  const geodata::Table styles = geodata::read_table(gpkg, {{"f_table_name"}, {"styleQML"}}, "layer_styles");
  std::map<std::string, Styled> by_layer;
  for (std::size_t i = 0; i < styles.size(); ++i)
    by_layer[styles.text(i, "f_table_name")] = parse_qml(styles.text(i, "styleQML"));
  const app::Results r = app::load_results(out.string());
  const int last = r.years.back();
  ASSERT_TRUE(by_layer.count("zones_" + std::to_string(last)));
  const Styled& pop = by_layer.at("zones_" + std::to_string(last));
  EXPECT_EQ(pop.attr, "&quot;population&quot; * 0.0001");  // classed in 万人
  ASSERT_EQ(pop.lower.size(), 5u);

  // One set of classes for every year and variant.
  for (const auto& v : r.meta.variants)
    for (int y : r.years) {
      const std::string layer = v == "baseline"
                                    ? "zones_" + std::to_string(y)
                                    : "zones_" + std::regex_replace(v, std::regex("-"), "_") + "_" + std::to_string(y);
      ASSERT_TRUE(by_layer.count(layer)) << layer;
      EXPECT_EQ(breaks_of(by_layer.at(layer)), breaks_of(pop)) << layer;
      EXPECT_EQ(by_layer.at(layer).colours, pop.colours) << layer;
    }

  // The PNG maps drew the same classes in the same colours (maps/legend.json, listed in the manifest).
  const std::string legend = cohortgis::test::slurp((out / "maps/legend.json").string());
  const auto [png_breaks, png_colours] = legend_of(legend, "maps/population_" + std::to_string(last) + ".png");
  EXPECT_EQ(png_breaks, breaks_of(pop));
  EXPECT_EQ(png_colours, pop.colours);
  EXPECT_EQ(pop.colours, (std::vector<std::string>{"#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"}));  // YlGnBu
  EXPECT_EQ(legend_of(legend, "maps/population_" + std::to_string(last) + "_variants.png").first, breaks_of(pop));
  EXPECT_NE(cohortgis::test::slurp((out / "manifest.json").string()).find("\"maps/legend.json\""), std::string::npos);
  // `cohortgis map` with the default classes draws them too.
  app::MapRequest q;
  q.results_dir = out.string();
  q.year = 2025;
  q.variant = "higher-fertility";
  q.out = (root / "map.png").string();
  const std::vector<double> drawn = app::make_map(q).breaks;
  ASSERT_EQ(drawn.size(), 6u);
  for (std::size_t c = 0; c < 6; ++c) EXPECT_EQ(drawn[c], std::stod(breaks_of(pop)[c])) << c;

  // By hand: Hyndman & Fan type-7 quantiles at c/5 of every zone's population, every year and variant, in 万人.
  std::vector<double> x;
  for (const auto& v : r.meta.variants)
    for (int y : r.years)
      for (const auto& z : r.zones) x.push_back(r.indicator(v, y, z.id, "all", "population") * 1e-4);
  std::sort(x.begin(), x.end());
  for (int c = 0; c <= 5; ++c) {
    const double h = static_cast<double>(x.size() - 1) * c / 5.0;
    const auto lo = static_cast<std::size_t>(h);
    const double q7 = lo + 1 < x.size() ? x[lo] + (h - static_cast<double>(lo)) * (x[lo + 1] - x[lo]) : x[lo];
    EXPECT_NEAR(std::stod(breaks_of(pop)[static_cast<std::size_t>(c)]), q7, 1e-9 * std::abs(q7)) << c;
  }
  // Legend text: "lo – hi 万人", one decimal, no scientific notation.
  char first[64];
  std::snprintf(first, sizeof first, "%.1f – %.1f 万人", std::stod(pop.lower[0]), std::stod(pop.upper[0]));
  EXPECT_EQ(pop.labels[0], first);
  for (const auto& l : pop.labels) EXPECT_EQ(l.find("e+"), std::string::npos) << l;

  // Plan periods: by growth_rate_percent, with the PNG map's classes; a break at 0 when growth has both signs.
  const std::string period = r.meta.plan_periods.back().label;
  const Styled& g = by_layer.at("zones_" + std::regex_replace(period, std::regex("-"), "_"));
  EXPECT_EQ(g.attr, "growth_rate_percent");
  const auto [gb, gc] = legend_of(legend, "maps/growth_rate_percent_" + period + ".png");
  EXPECT_EQ(gb, breaks_of(g));
  EXPECT_EQ(gc, g.colours);
  if (std::stod(gb.front()) < 0 && std::stod(gb.back()) > 0) {
    EXPECT_NE(std::find(gb.begin(), gb.end(), "0"), gb.end());
  }
  for (const auto& l : g.labels) EXPECT_EQ(l.substr(l.size() - 2), " %") << l;

  // Chinese aliases, in the QML and in gpkg_data_columns.
  const std::string qml = styles.text(0, "styleQML");
  EXPECT_NE(qml.find("name=\"常住人口（人）\""), std::string::npos);
  bool found = false;
  {
    GDALAllRegister();
    std::unique_ptr<GDALDataset> ds(GDALDataset::Open(gpkg.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    ASSERT_TRUE(ds);
    OGRLayer* dc = ds->ExecuteSQL("SELECT table_name, column_name, name FROM gpkg_data_columns", nullptr, nullptr);
    ASSERT_TRUE(dc);
    for (auto& f : *dc)
      found = found || (std::string(f->GetFieldAsString(0)) == "zones" &&
                        std::string(f->GetFieldAsString(1)) == "name" && std::string(f->GetFieldAsString(2)) == "名称");
    ds->ReleaseResultSet(dc);
  }
  EXPECT_TRUE(found) << "zones.name has no alias 名称 in gpkg_data_columns";
  fs::remove_all(root);
}
