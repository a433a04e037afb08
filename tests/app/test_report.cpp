// SPDX-License-Identifier: Apache-2.0
// Maps, charts and report.html of `cohortgis run` on the default scenario: every zone drawn with the colour of its
// legend class, Chinese labels with real glyphs, one self-contained report that renders in headless Chromium, and
// the map / report / info jobs with their errors.
#include <cairo.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <clocale>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "csv_fixture.hpp"
#include "cohortgis/app/commands.hpp"
#include "cohortgis/app/language.hpp"
#include "cohortgis/app/results.hpp"
#include "cohortgis/app/run.hpp"
#include "cohortgis/engine/types.hpp"
#include "cohortgis/geodata/maps.hpp"
#include "cohortgis/geodata/table.hpp"
#include "cohortgis/geodata/zones.hpp"

using namespace cohortgis;
namespace fs = std::filesystem;

namespace {

class ReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    root_ = fs::temp_directory_path() / ("cohortgis_report_" + std::string(info->name()) + "_" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  // The five-year Beijing scenario (the default before issue #19): the same zones, groups, variants and targets as the
  // default in three steps, which keeps these tests fast. The default's own report: cli_default_report_review.
  app::RunSummary run(const std::string& out,
                      const std::string& scenario = std::string(COHORTGIS_EXAMPLES) +
                                                    "/beijing-2020-five-year/scenario.toml") {
    app::RunConfig cfg;
    cfg.scenario = scenario;
    cfg.out_dir = (root_ / out).string();
    cfg.quiet = true;
    cfg.data_dir = COHORTGIS_DATA;
    return app::run(cfg);
  }
  fs::path root_;
};

std::string slurp(const fs::path& p) { return cohortgis::test::slurp(p.string()); }

struct Png {
  int width = 0, height = 0;
  std::vector<std::uint32_t> rgb;  // 0xRRGGBB per pixel
};

Png read_png(const fs::path& p) {
  Png out;
  cairo_surface_t* s = cairo_image_surface_create_from_png(p.c_str());
  if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
    cairo_surface_destroy(s);
    return out;
  }
  out.width = cairo_image_surface_get_width(s);
  out.height = cairo_image_surface_get_height(s);
  const int stride = cairo_image_surface_get_stride(s);
  const unsigned char* d = cairo_image_surface_get_data(s);
  for (int y = 0; y < out.height; ++y)
    for (int x = 0; x < out.width; ++x) {
      std::uint32_t px;
      std::memcpy(&px, d + y * stride + 4 * x, 4);
      out.rgb.push_back(px & 0xffffff);
    }
  cairo_surface_destroy(s);
  return out;
}

geodata::Zones results_zones(const fs::path& dir) {
  geodata::ZoneSource src;
  src.path = (dir / "results.gpkg").string();
  src.layer = "zones";
  src.id_field = "id";
  src.name_field = "name";
  return geodata::load_zones(src);
}

}  // namespace

TEST_F(ReportTest, DefaultRunWritesMapsChartsGpkgAndOneSelfContainedReport) {
  const app::RunSummary s = run("out");
  const fs::path out = root_ / "out";
  EXPECT_EQ(s.language, app::Language::zh);  // Chinese zone names: a Chinese scenario
  EXPECT_TRUE(s.maps_note.empty()) << s.maps_note;
  for (const char* f : {"report.html", "results.gpkg", "maps/population_2035.png", "maps/share_65_plus_percent_2035.png",
                        "maps/population_change_2020-2035_percent.png", "maps/growth_rate_percent_2031-2035.png",
                        "maps/population_years.png", "maps/population_2035_variants.png", "charts/pyramid_total.png",
                        "charts/pyramid_110101.png", "charts/lines_population.png", "manifest.json"}) {
    EXPECT_TRUE(fs::is_regular_file(out / f)) << f;
    EXPECT_NE(std::find(s.files.begin(), s.files.end(), f), s.files.end()) << f << " not in RunSummary::files";
  }
  // results.gpkg holds every variant: a variant column in the long table, wide layers per variant. 疏解 moves
  // registered residents out of 西城区 (110102) from 2021: fewer there in 2025 than in the baseline.
  {
    const std::string gpkg = (out / "results.gpkg").string();
    const geodata::Table ind = geodata::read_table(gpkg, {{"variant"}, {"unit"}, {"value", geodata::ColumnType::number}},
                                                   "indicators");
    std::set<std::string> variants;
    double floating_transfers = std::nan("");  // the plan-period rows per group are there too
    for (std::size_t i = 0; i < ind.size(); ++i) {
      variants.insert(ind.text(i, "variant"));
      if (ind.text(i, "variant") == "baseline" && ind.text(i, "unit") == "total" && ind.text(i, "period") == "2021-2025" &&
          ind.text(i, "pop_group") == "floating" && ind.text(i, "indicator") == "transfers")
        floating_transfers = ind.number(i, "value");
    }
    EXPECT_EQ(variants, (std::set<std::string>{"baseline", "higher-fertility", "core-relocation"}));
    EXPECT_LT(floating_transfers, -100000.0);  // floating → registered (hukou) over the 14th Five-Year Plan
    auto population = [&](const std::string& layer, const std::string& zone) {
      const geodata::Table t = geodata::read_table(gpkg, {{"id"}, {"population", geodata::ColumnType::number}}, layer);
      for (std::size_t i = 0; i < t.size(); ++i)
        if (t.text(i, "id") == zone) return t.number(i, "population");
      return std::nan("");
    };
    const double base = population("zones_2025", "110102"), moved = population("zones_core_relocation_2025", "110102");
    EXPECT_GT(base, 0.0);
    EXPECT_LT(moved, base - 100000.0);  // 5 years × 40,000 moved out, less their own deaths and births
    EXPECT_GT(population("zones_higher_fertility_2035", "110102"), population("zones_2035", "110102"));
  }
  const std::string manifest = slurp(out / "manifest.json");
  EXPECT_NE(manifest.find("\"language\": \"zh-CN\""), std::string::npos);
  EXPECT_NE(manifest.find("\"maps/population_2035.png\""), std::string::npos);
  for (const auto& e : fs::recursive_directory_iterator(root_))
    EXPECT_EQ(e.path().string().find(".tmp-"), std::string::npos) << "temporary file left: " << e.path();

  const std::string html = slurp(out / "report.html");
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<html lang=\"zh-CN\">"), std::string::npos);
  // Self-contained: no scripts, no external references, every image inline.
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("src=\"maps/"), std::string::npos);
  std::size_t images = 0;
  for (std::size_t p = 0; (p = html.find("src=\"data:image/png;base64,", p)) != std::string::npos; ++p) ++images;
  EXPECT_EQ(images, s.files.size() - std::count_if(s.files.begin(), s.files.end(), [](const std::string& f) {
                      return f.find(".png") == std::string::npos;
                    }));
  // Chinese planning terms and numbers as planners write them (万人, one decimal).
  for (const char* t : {"常住人口", "户籍人口", "流动人口", "老龄化率 65+", "自然增长率‰", "规划目标", "达标", "未达标",
                        "2189.3万人", "“十四五”规划"})
    EXPECT_NE(html.find(t), std::string::npos) << t;
}

// Every zone is drawn, in the colour of the legend class its value falls in: the zone index buffer of the same
// page layout says which pixels belong to which zone, and the PNG's commonest colour there must be that class's.
TEST_F(ReportTest, EveryZoneIsDrawnInTheColourOfItsLegendClass) {
  run("out");
  const fs::path out = root_ / "out";
  const app::Results r = app::load_results(out.string());
  const geodata::Zones zones = results_zones(out);
  ASSERT_EQ(zones.size(), 16u);
  for (const char* method : {"quantile", "equal", "jenks"}) {
    app::MapRequest q;
    q.results_dir = out.string();
    q.indicator = "population";
    q.year = 2035;
    q.classes = method;
    q.out = (root_ / (std::string("map_") + method + ".png")).string();
    const app::MapResult m = app::make_map(q);
    const Png png = read_png(m.file);
    ASSERT_EQ(png.width, 1200) << method;
    ASSERT_EQ(png.height, 900) << method;

    std::vector<double> values;
    for (const auto& id : zones.ids()) values.push_back(r.indicator("baseline", 2035, id, "all", "population") * 1e-4);
    geodata::MapStyle st;
    st.method = std::string(method) == "quantile" ? geodata::ClassMethod::quantile
                : std::string(method) == "equal"  ? geodata::ClassMethod::equal_interval
                                                  : geodata::ClassMethod::natural_breaks;
    // The default classes (5 quantiles) are shared by every year and variant, as results.gpkg's (map_classes.hpp).
    std::vector<double> pooled;
    for (const auto& v : r.meta.variants)
      for (int y : r.years)
        for (const auto& id : zones.ids()) pooled.push_back(r.indicator(v, y, id, "all", "population") * 1e-4);
    EXPECT_EQ(m.breaks, geodata::class_breaks(std::string(method) == "quantile" ? pooled : values, 5, st.method))
        << method;
    const auto colours = geodata::choropleth_colours(m.breaks, st);

    // The same layout: title and subtitle as make_map draws them.
    auto shapes = geodata::map_zones(zones, values);
    st.title = "常住人口 2035年";
    st.subtitle = "基准方案 · 北京市16区户籍与流动人口预测，2020—2035年，五年步长";  // [scenario] title
    const auto index = geodata::render_zone_index_buffer(shapes, st);
    std::vector<std::map<std::uint32_t, int>> seen(zones.size());
    for (int y = 1; y + 1 < png.height; ++y)
      for (int x = 1; x + 1 < png.width; ++x) {
        const std::size_t i = static_cast<std::size_t>(y) * png.width + x;
        const std::uint32_t z = index[i];
        // Interior pixels only (away from anti-aliased borders).
        if (z == 0 || index[i - 1] != z || index[i + 1] != z || index[i - png.width] != z || index[i + png.width] != z)
          continue;
        ++seen[z - 1][png.rgb[i]];
      }
    for (std::size_t k = 0; k < zones.size(); ++k) {
      ASSERT_FALSE(seen[k].empty()) << zones.id(k) << " not drawn (" << method << ")";
      const auto top = std::max_element(seen[k].begin(), seen[k].end(),
                                        [](const auto& a, const auto& b) { return a.second < b.second; });
      const int cls = geodata::class_of(values[k], m.breaks);
      ASSERT_GE(cls, 0) << zones.id(k);
      EXPECT_EQ(top->first, colours[static_cast<std::size_t>(cls)])
          << zones.id(k) << " value " << values[k] << " class " << cls << " (" << method << ")";
    }
  }
}

TEST_F(ReportTest, ChineseLabelsHaveGlyphs) {
  run("out");
  const app::Results r = app::load_results((root_ / "out").string());
  ASSERT_EQ(r.zones.size(), 16u);
  for (const auto& z : r.zones) {
    EXPECT_EQ(geodata::missing_glyphs(z.name), 0) << z.name;
    EXPECT_FALSE(z.name.empty());
  }
  for (const auto& k : app::labelled_indicators())
    EXPECT_EQ(geodata::missing_glyphs(app::indicator_title(k, app::Language::zh)), 0) << k;
  for (const char* w : {"report_title", "targets", "met", "missed", "pyramids", "source_note"})
    EXPECT_EQ(geodata::missing_glyphs(app::word(w, app::Language::zh)), 0) << w;
}

TEST(Language, NamesAndNumbersAsPlannersWriteThem) {
  using app::Language;
  EXPECT_EQ(app::format_persons(21893095, Language::zh), "2189.3万人");
  EXPECT_EQ(app::format_persons(21893095, Language::en), "21,893,095 persons");
  EXPECT_EQ(app::format_indicator("population", 21077150.1, Language::zh), "2107.7");
  EXPECT_EQ(app::format_indicator("population", 21077150.1, Language::en), "21,077,150");
  EXPECT_EQ(app::format_indicator("cbr_per_1000", -4.8361, Language::en), "-4.84");
  EXPECT_EQ(app::format_value(std::nan(""), 1, Language::zh), "–");
  EXPECT_EQ(app::format_value(-0.01, 1, Language::en), "0.0");
  EXPECT_EQ(app::indicator_title("cbr_per_1000", Language::zh), "出生率‰");
  EXPECT_EQ(app::indicator_title("natural_growth_per_1000", Language::zh), "自然增长率‰");
  EXPECT_EQ(app::indicator_title("population", Language::zh), "常住人口（万人）");
  EXPECT_EQ(app::indicator_label("srb_per_100_females", Language::zh).name, "出生人口性别比");
  EXPECT_EQ(app::indicator_label("tfr", Language::zh).name, "总和生育率");
  EXPECT_EQ(app::indicator_label("share_65_plus_percent", Language::zh).name, "老龄化率 65+");
  EXPECT_EQ(app::indicator_label("women_15_49", Language::zh).name, "育龄妇女 15-49岁");
  EXPECT_EQ(app::indicator_label("age_15_59", Language::zh).name, "劳动年龄人口 15-59岁");
  EXPECT_EQ(app::group_label("registered", Language::zh), "户籍人口");
  EXPECT_EQ(app::group_label("floating", Language::zh), "流动人口");
  EXPECT_EQ(app::indicator_title("population", Language::en), "Resident population (persons)");
  EXPECT_EQ(app::parse_language("zh-CN"), Language::zh);
  EXPECT_EQ(app::parse_language("EN"), Language::en);
  EXPECT_THROW(app::parse_language("fr"), InputError);
  EXPECT_EQ(app::guess_language({"Foshan", "禅城区"}), Language::zh);
  EXPECT_EQ(app::guess_language({"Wake", "Durham"}), Language::en);
}

// The report opened by a real browser: Debian's chromium, headless, takes a screenshot of the right size that is
// not blank (maps and charts give many colours).
TEST_F(ReportTest, ReportRendersInHeadlessChromium) {
  const char* chromium = "/usr/bin/chromium";
  if (!fs::exists(chromium)) GTEST_SKIP() << chromium << " is not installed (scripts/setup.sh installs it)";
  run("out");
  const fs::path report = root_ / "out/report.html", shot = root_ / "shot.png", profile = root_ / "profile";
  fs::create_directories(profile);
  const std::string cmd = std::string(chromium) +
                          " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
                          "--disable-background-networking --disable-component-update --disable-sync "
                          "--user-data-dir=" + profile.string() + " --screenshot=" + shot.string() +
                          " --window-size=1280,2000 file://" + report.string() + " >" + (root_ / "chromium.log").string() +
                          " 2>&1";
  const int rc = std::system(("timeout 120 " + cmd).c_str());
  ASSERT_EQ(WEXITSTATUS(rc), 0) << slurp(root_ / "chromium.log");
  ASSERT_TRUE(fs::exists(shot)) << slurp(root_ / "chromium.log");
  const Png png = read_png(shot);
  EXPECT_EQ(png.width, 1280);
  EXPECT_EQ(png.height, 2000);
  std::set<std::uint32_t> colours(png.rgb.begin(), png.rgb.end());
  EXPECT_GT(colours.size(), 200u) << "the screenshot looks blank";
  std::size_t white = std::count(png.rgb.begin(), png.rgb.end(), 0xffffffu);
  EXPECT_LT(white, png.rgb.size() * 9 / 10) << "the screenshot is mostly white";
}

TEST_F(ReportTest, ReportRebuildsInEnglishAndMapCommandOptions) {
  run("out");
  const fs::path out = root_ / "out";
  const app::ReportResult rep = app::make_report(out.string(), app::Language::en);
  const std::string html = slurp(rep.file);
  EXPECT_NE(html.find("<html lang=\"en\">"), std::string::npos);
  EXPECT_NE(html.find("Resident population"), std::string::npos);
  EXPECT_NE(html.find("21,893,095"), std::string::npos);
  EXPECT_GT(rep.figures.size(), 20u);
  // Outside-tester audit (round 18): the summary counted targets over every variant ("9 met / 6 missed" for five
  // targets and three variants); it gives the baseline's, as the command line does.
  const app::Results res = app::load_results(out.string());
  int met = 0, missed = 0;
  for (const auto& row : res.targets.rows)
    if (row[res.targets.column("variant")] == "baseline") ++(row[res.targets.column("status")] == "met" ? met : missed);
  ASSERT_EQ(met + missed, 5);
  // Planner audit (round 21): the plan periods' rows and the targets' periods read "2026-2030" beside the titles'
  // "2020–2035"; year ranges take an en dash wherever a reader sees them (the files keep "2026-2030").
  EXPECT_NE(html.find("<tr><td>2026–2030"), std::string::npos);
  EXPECT_EQ(html.find("<tr><td>2026-2030"), std::string::npos);
  // One pyramid's title (it said "Whole area Population pyramids 2020 / 2035").
  EXPECT_NE(html.find("Whole area population pyramid 2020 / 2035"), std::string::npos);
  EXPECT_NE(html.find("Plan targets (Baseline)<b>" + std::to_string(met) + " met / " + std::to_string(missed) +
                      " missed</b>"),
            std::string::npos);

  app::MapRequest q;
  q.results_dir = out.string();
  q.indicator = "natural_growth_per_1000";
  q.period = "2026-2030";
  q.format = "svg";
  EXPECT_EQ(fs::path(app::make_map(q).file), out / "maps/natural_growth_per_1000_2026-2030.svg");
  q = {};
  q.results_dir = out.string();
  q.change = std::make_pair(2020, 2035);
  q.percent = true;
  q.variant = "higher-fertility";
  q.format = "pdf";
  q.out = (root_ / "change.pdf").string();
  const auto m = app::make_map(q);
  EXPECT_GT(fs::file_size(m.file), 1000u);
  EXPECT_LT(m.breaks.front(), 0.0);  // districts that shrink and districts that grow: a break at 0
  EXPECT_NE(std::find(m.breaks.begin(), m.breaks.end(), 0.0), m.breaks.end());
  EXPECT_EQ(m.legend, "%");  // in percent of 2020
  // Outside-tester audit (round 18): the change of a share was labelled "%", read as a change in percent; it is in
  // percentage points (a per-1000 rate's change in points per 1000).
  q.percent = false;
  q.indicator = "share_65_plus_percent";
  q.out = (root_ / "aging.pdf").string();
  q.language = app::Language::zh;
  EXPECT_EQ(app::make_map(q).legend, "百分点");
  q.indicator = "cbr_per_1000";
  q.change = std::make_pair(2025, 2035);  // the base year has no births
  q.language = app::Language::en;
  EXPECT_EQ(app::make_map(q).legend, "points per 1000");
  q.indicator = "population";
  EXPECT_EQ(app::make_map(q).legend, "persons");
  q = {};
  q.results_dir = out.string();
  q.year = 2035;
  q.group = "floating";
  q.dpi = 300;
  q.out = (root_ / "print.png").string();
  EXPECT_EQ(read_png(app::make_map(q).file).width, 3750);
}

TEST_F(ReportTest, MapAndReportErrorsSayWhatToFix) {
  run("out");
  const fs::path out = root_ / "out";
  auto message = [](const auto& f) {
    try {
      f();
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  app::MapRequest q;
  q.results_dir = out.string();
  q.year = 2033;
  EXPECT_NE(message([&] { app::make_map(q); }).find("--year: 2033 is not a year of"), std::string::npos);
  q.year = 2035;
  q.indicator = "happiness";
  EXPECT_NE(message([&] { app::make_map(q); }).find("--indicator: 'happiness'"), std::string::npos);
  q.indicator = "population";
  q.variant = "lower";
  EXPECT_NE(message([&] { app::make_map(q); }).find("variants: baseline, higher-fertility, core-relocation"),
            std::string::npos);
  q.variant = "baseline";
  q.format = "gif";
  EXPECT_NE(message([&] { app::make_map(q); }).find("--format: 'gif'"), std::string::npos);
  q.format = "png";
  // Hostile probe 3: an unknown group drew a map of empty values; --out notes.txt (or DIR/population.csv) was
  // replaced by a PNG; --dpi 1e9 asked for gigabytes. Each is refused and nothing is written.
  q.group = "tourists";
  EXPECT_NE(message([&] { app::make_map(q); }).find("--group: 'tourists' is not a group of"), std::string::npos);
  q.group = "all";
  std::ofstream(root_ / "notes.txt") << "mine\n";
  q.out = (root_ / "notes.txt").string();
  EXPECT_NE(message([&] { app::make_map(q); }).find("a png map; expected a file name ending .png"), std::string::npos);
  EXPECT_EQ(slurp(root_ / "notes.txt"), "mine\n");
  q.out = (out / "population.csv").string();
  const std::string population = slurp(out / "population.csv");
  EXPECT_NE(message([&] { app::make_map(q); }).find("expected a file name ending .png"), std::string::npos);
  EXPECT_EQ(slurp(out / "population.csv"), population);
  // Hostile probe of round 17: a valid name of 251 bytes has no room for NAME.tmp-PID ("error while writing to
  // output stream" before).
  q.out = (root_ / (std::string(247, 'm') + ".png")).string();
  EXPECT_NE(message([&] { app::make_map(q); })
                .find("a file name of 251 bytes leaves no room for the temporary file NAME.tmp-PID written beside it; "
                      "expected at most 243 bytes"),
            std::string::npos);
  EXPECT_FALSE(fs::exists(q.out));
  q.out.clear();
  q.dpi = 1e9;
  EXPECT_NE(message([&] { app::make_map(q); }).find("--dpi: 1e+09; expected 10 to 600"), std::string::npos);
  q.dpi = 96;
  q.period = "2026-2030";
  EXPECT_NE(message([&] { app::make_map(q); }).find("exactly one of --year, --period or --change"), std::string::npos);
  q.year.reset();
  q.period = "2040-2045";
  EXPECT_NE(message([&] { app::make_map(q); }).find("--period: '2040-2045' is not a plan period"), std::string::npos);
  // Outside-tester audit (round 18): --change 2020:2020 drew a map of zeros in one class "0.0 – 0.0"; --out onto a
  // symbolic link replaced the link with the map. Both refused, nothing written.
  q.period.clear();
  q.change = std::make_pair(2020, 2020);
  EXPECT_NE(message([&] { app::make_map(q); }).find("--change: 2020:2020 is the change from a year to itself"),
            std::string::npos);
  EXPECT_FALSE(fs::exists(out / "maps/population_change_2020-2020.png"));
  q.change.reset();
  q.year = 2020;  // the base year has no births: a TFR map of "no data" in every zone
  q.indicator = "tfr";
  EXPECT_NE(message([&] { app::make_map(q); }).find("map: 'tfr' has no value in any zone for"), std::string::npos);
  EXPECT_FALSE(fs::exists(out / "maps/tfr_2020.png"));
  q.indicator = "population";
  q.year = 2035;
  std::ofstream(root_ / "kept.png") << "mine\n";
  fs::create_symlink(root_ / "kept.png", root_ / "link.png");
  q.out = (root_ / "link.png").string();
  EXPECT_NE(message([&] { app::make_map(q); }).find("is a symbolic link (to '"), std::string::npos);
  EXPECT_TRUE(fs::is_symlink(root_ / "link.png"));
  EXPECT_EQ(slurp(root_ / "kept.png"), "mine\n");
  // A named pipe of that name was replaced by the map file (hostile probe 19).
  ASSERT_EQ(mkfifo((root_ / "pipe.png").c_str(), 0600), 0);
  q.out = (root_ / "pipe.png").string();
  EXPECT_NE(message([&] { app::make_map(q); }).find("is a named pipe (FIFO), not a file"), std::string::npos);
  EXPECT_TRUE(fs::is_fifo(root_ / "pipe.png"));
  // A map into the results folder whose manifest.json cannot be rewritten (a full disk; here a folder holds the name
  // of its temporary file): the map stayed there unlisted, beside manifest.json.tmp-PID, and a map drawn over a listed
  // one left a folder that map and report refused (hostile probe of round 22). All or nothing now, as `report`.
  q.out.clear();
  q.format = "svg";
  const fs::path blocker = out / ("manifest.json.tmp-" + std::to_string(::getpid()));
  fs::create_directories(blocker / "x");
  EXPECT_NE(message([&] { app::make_map(q); }).find("manifest.json.tmp-"), std::string::npos);
  EXPECT_TRUE(fs::exists(blocker / "x"));  // not cohortgis's: left as it was
  fs::remove_all(blocker);
  EXPECT_FALSE(fs::exists(out / "maps/population_2035.svg"));
  const app::ResultsIntegrity after = app::check_results(out.string(), false);
  EXPECT_TRUE(after.verifiable && after.results_changed.empty() && after.unlisted.empty()) << after.problem;
  q.format = "png";
  q.year.reset();
  EXPECT_NE(message([&] { app::make_report((root_ / "nothing").string()); }).find("no such folder"), std::string::npos);
  fs::create_directories(root_ / "empty");
  EXPECT_NE(message([&] { app::make_report((root_ / "empty").string()); }).find("no manifest.json"), std::string::npos);
  // A damaged results file: the report refuses to draw from it (manifest.json lists its size and SHA-256), and
  // reading it names the file and row.
  std::ofstream(out / "zones.csv", std::ios::app) << "110199,extra\n";
  const std::string refused = message([&] { app::make_report(out.string()); });
  EXPECT_NE(refused.find("the results are not as cohortgis wrote them"), std::string::npos) << refused;
  EXPECT_NE(refused.find("zones.csv ("), std::string::npos) << refused;
  EXPECT_NE(message([&] { app::load_results(out.string()); }).find("zones.csv: row 18 has 2 fields"),
            std::string::npos);
}

// A scenario without zone boundaries still gets its report, without maps and with a note why.
TEST_F(ReportTest, ScenarioWithoutBoundariesGetsAReportWithoutMaps) {
  const app::RunSummary s = run("out", std::string(COHORTGIS_EXAMPLES) + "/beijing-relocation/scenario.toml");
  EXPECT_FALSE(s.maps_note.empty());
  EXPECT_FALSE(fs::exists(root_ / "out/results.gpkg"));
  EXPECT_TRUE(fs::exists(root_ / "out/report.html"));
  EXPECT_TRUE(fs::exists(root_ / "out/charts/pyramid_total.png"));
  EXPECT_NE(slurp(root_ / "out/manifest.json").find("\"note\": \"the scenario gives no zone boundaries"),
            std::string::npos);
}

TEST_F(ReportTest, InfoDescribesResultsZonesAndTables) {
  run("out");
  const std::string res = app::describe((root_ / "out").string());
  EXPECT_NE(res.find("scenario   beijing-2020-five-year"), std::string::npos) << res;
  EXPECT_NE(res.find("2035 21,075,340"), std::string::npos) << res;
  const std::string zones = app::describe(std::string(COHORTGIS_DATA) + "/geo/beijing_districts.gpkg");
  EXPECT_NE(zones.find("16 polygons"), std::string::npos) << zones;
  EXPECT_NE(zones.find("name_zh"), std::string::npos) << zones;
  const std::string table = app::describe(std::string(COHORTGIS_DATA) + "/census/census2020_districts.csv");
  EXPECT_NE(table.find("columns"), std::string::npos) << table;
  EXPECT_THROW(app::describe((root_ / "missing.gpkg").string()), InputError);
}

// `info` on a layer that cannot be zones says why (it listed the fields only, as for a table without geometry).
TEST(Info, SaysWhyALayerIsNotZones) {
  const std::string geo = std::string(COHORTGIS_FIXTURES) + "/geo/";
  const std::string bow = app::describe(geo + "invalid_geometry.geojson");
  EXPECT_NE(bow.find("zones      none: "), std::string::npos) << bow;
  EXPECT_NE(bow.find("Self-intersection"), std::string::npos) << bow;
  const std::string no_prj = app::describe(geo + "no_crs.shp");
  EXPECT_NE(no_prj.find("zones      none: "), std::string::npos) << no_prj;
  EXPECT_NE(no_prj.find("CRS"), std::string::npos) << no_prj;
  EXPECT_EQ(app::describe(geo + "townships.geojson").find("none:"), std::string::npos);
}

// GIS audit, round 20: a file of several layers says so and how to pick one (it described the first alone); a GBK
// Shapefile is read with --encoding, which the advice names (it named the scenario key `encoding = "GBK"`, which
// info has no way to take); --encoding on a scenario file is refused as --layer is.
TEST(Info, ListsTheLayersAndTakesAnEncoding) {
  const fs::path dir = fs::temp_directory_path() / ("cohortgis_info_layers_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string gpkg = (dir / "two.gpkg").string();
  const std::string geo = std::string(COHORTGIS_FIXTURES) + "/geo/";
  for (const std::string update : {"-f GPKG -nln streets", "-update -nln districts"})
    ASSERT_EQ(std::system(("ogr2ogr -q " + update + " " + gpkg + " " + geo + "townships.geojson").c_str()), 0);
  const std::string first = app::describe(gpkg);
  EXPECT_NE(first.find("  layers     2: 'streets' 'districts' (this is 'streets'; --layer NAME for another)"),
            std::string::npos)
      << first;
  EXPECT_NE(app::describe(gpkg, "districts").find("(this is 'districts'"), std::string::npos);
  EXPECT_EQ(app::describe(geo + "townships.geojson").find("layers "), std::string::npos);  // one layer: no line
  fs::remove_all(dir);

  std::string advice;
  try {
    (void)app::describe(geo + "beijing_gbk.shp");
  } catch (const InputError& e) {
    advice = e.what();
  }
  EXPECT_NE(advice.find("with cohortgis info: --encoding GBK"), std::string::npos) << advice;
  const std::string gbk = app::describe(geo + "beijing_gbk.shp", {}, {}, "GBK");
  EXPECT_NE(gbk.find("zones      "), std::string::npos) << gbk;
  EXPECT_THROW((void)app::describe(std::string(COHORTGIS_EXAMPLES) + "/beijing-2020/scenario.toml", {}, {}, "GBK"),
               InputError);
}

// Figures are drawn over several threads, each into its own surface (issue #16, bench/HISTORY.md "Round 7"): the
// files and the list are the same on one thread and on four.
TEST_F(ReportTest, FiguresAreTheSameOnOneThreadAndOnFour) {
  run("out");
  const fs::path out = root_ / "out";
  const app::ReportResult one = app::make_report(out.string(), app::Language::en, true, nullptr, 1);
  std::map<std::string, std::string> first;
  for (const auto& f : one.figures) first[f] = slurp(out / f);
  const app::ReportResult four = app::make_report(out.string(), app::Language::en, true, nullptr, 4);
  EXPECT_EQ(four.figures, one.figures);
  EXPECT_GT(first.size(), 20u);
  for (const auto& f : four.figures) EXPECT_TRUE(slurp(out / f) == first[f]) << f;
}

// A host process's locale must not change any file (a Python user's locale.setlocale(LC_ALL, "de_DE.UTF-8"): the
// decimal mark of snprintf and std::stod becomes ','): the same results.xlsx, figures and report.html (but its time)
// as in the C locale. Without the fixes results.xlsx held <v>12,5</v>, the targets table read 12330.7 as 12330 and
// the tables printed 39.0 as "3,9,0". (A scenario without a GeoPackage: opening one lets SpatiaLite set LC_NUMERIC
// back to "C" for the whole process, which hid this.)
TEST_F(ReportTest, FilesAreTheSameUnderADecimalCommaLocale) {
  const std::string scenario = cohortgis::test::fixture("scenarios/stochastic.toml");
  run("c", scenario);
  // de_DE.UTF-8, compiled into the test's folder when the system has not got it (Debian's `locales` has localedef).
  const char* name = "de_DE.UTF-8";
  if (!std::setlocale(LC_ALL, name)) {
    const std::string cmd = "localedef -i de_DE -f UTF-8 " + (root_ / name).string() + " >/dev/null 2>&1";
    (void)std::system(cmd.c_str());
    ::setenv("LOCPATH", root_.c_str(), 1);
  }
  if (!std::setlocale(LC_ALL, name)) GTEST_SKIP() << "no de_DE.UTF-8 locale and no localedef to make one";
  struct Restore {
    ~Restore() {
      std::setlocale(LC_ALL, "C");
      ::unsetenv("LOCPATH");
    }
  } restore;
  ASSERT_STREQ(std::localeconv()->decimal_point, ",");
  run("de", scenario);
  EXPECT_STREQ(std::localeconv()->decimal_point, ",");  // the run left the host's locale alone
  std::size_t compared = 0;
  for (const auto& e : fs::recursive_directory_iterator(root_ / "c")) {
    if (!e.is_regular_file() || e.path().filename() == "manifest.json") continue;
    const fs::path rel = e.path().lexically_relative(root_ / "c");
    std::string a = slurp(e.path()), b = slurp(root_ / "de" / rel);
    if (rel == "report.html")
      for (std::string* h : {&a, &b})  // "generated 2026-01-01 12:00 UTC": the one volatile text
        if (const auto at = h->find(" UTC</p>"); at != std::string::npos && at >= 16) h->erase(at - 16, 16);
    EXPECT_TRUE(a == b) << rel;
    ++compared;
  }
  EXPECT_GT(compared, 8u);
}
