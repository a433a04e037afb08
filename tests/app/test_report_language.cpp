// SPDX-License-Identifier: Apache-2.0
// The report in one language (issue #18): the Chinese report of the default run carries no English slugs (variant
// names, input roles, the English scenario title), the English one no full-width punctuation; service demand is a
// section of both. A boundary file given only as [geography.source] is an input in manifest.json.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cohortgis/app/commands.hpp"
#include "cohortgis/app/language.hpp"
#include "cohortgis/app/run.hpp"
#include "cohortgis/geodata/sha256.hpp"
#include "csv_fixture.hpp"

using namespace cohortgis;
namespace fs = std::filesystem;

namespace {

fs::path temp_root(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("cohortgis_lang_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

app::RunSummary run(const std::string& scenario, const fs::path& out, bool report) {
  app::RunConfig cfg;
  cfg.scenario = scenario;
  cfg.out_dir = out.string();
  cfg.quiet = true;
  cfg.report = report;
  cfg.data_dir = COHORTGIS_DATA;
  return app::run(cfg);
}

// What a reader sees of report.html: the text outside tags and style, with image data left out.
std::string visible_text(const std::string& html) {
  std::string out;
  bool in_tag = false;
  for (std::size_t i = 0; i < html.size(); ++i) {
    if (!in_tag && html.compare(i, 6, "<style") == 0) {
      i = html.find("</style>", i);
      if (i == std::string::npos) break;
      i += 7;
      continue;
    }
    if (html[i] == '<') in_tag = true;
    else if (html[i] == '>') {
      in_tag = false;
      out += ' ';
    } else if (!in_tag) out += html[i];
  }
  return out;
}

// The context of the first occurrence of `what` in `text`, for the failure message.
std::string around(const std::string& text, const std::string& what) {
  const std::size_t at = text.find(what);
  if (at == std::string::npos) return "";
  const std::size_t from = at > 80 ? at - 80 : 0;
  return "… " + text.substr(from, 200) + " …";
}

// The captions of report.html's figures (the titles of its maps, pyramids and charts).
std::vector<std::string> figure_captions(const std::string& html) {
  std::vector<std::string> out;
  for (std::size_t at = html.find("<figcaption>"); at != std::string::npos; at = html.find("<figcaption>", at)) {
    at += 12;
    out.push_back(html.substr(at, html.find("</figcaption>", at) - at));
  }
  return out;
}

// Whether `text` puts an ASCII space between two Chinese characters (three-byte UTF-8 sequences U+4E00–U+9FFF).
bool space_between_ideographs(const std::string& text) {
  const auto ideograph_at = [&](std::size_t i) {
    if (i + 2 >= text.size()) return false;
    const auto b = static_cast<unsigned char>(text[i]);
    return b >= 0xE4 && b <= 0xE9 && (static_cast<unsigned char>(text[i + 1]) & 0xC0) == 0x80;
  };
  for (std::size_t i = 3; i + 3 < text.size(); ++i)
    if (text[i] == ' ' && ideograph_at(i - 3) && ideograph_at(i + 1)) return true;
  return false;
}

}  // namespace

TEST(ReportLanguage, ChineseReportHasNoEnglishSlugsEnglishReportNoFullWidthPunctuation) {
  const fs::path root = temp_root("default");
  const fs::path out = root / "out";
  run("default", out, true);  // the default scenario's language: Chinese
  const std::string zh = visible_text(test::slurp((out / "report.html").string()));
  // Variant names, input roles and the English title are slugs of the scenario file; the report uses titles.
  for (const std::string slug : {"higher-fertility", "core-relocation", "Beijing, 16 districts", "scenario file",
                                 "geography.", "base_population.", "fertility.", "mortality.", "role"})
    EXPECT_EQ(zh.find(slug), std::string::npos) << "English slug '" << slug << "' in the Chinese report: " << around(zh, slug);
  // The service table's headers with their units, and the growth rate named for what it is (planner's audit, round 20).
  for (const std::string title : {"生育率回升", "核心区疏解", "北京市16区户籍与流动人口预测", "公共服务需求",
                                  "情景文件", "基数（人）", "需求（名额）", "缺口（名额）", "年均指数增长率"})
    EXPECT_NE(zh.find(title), std::string::npos) << title;
  // Titles of maps and pyramids put no ASCII space between Chinese words ("常住人口 变化率", "合计 人口金字塔").
  const std::vector<std::string> zh_captions = figure_captions(test::slurp((out / "report.html").string()));
  ASSERT_FALSE(zh_captions.empty());
  for (const std::string& c : zh_captions) EXPECT_FALSE(space_between_ideographs(c)) << c;
  for (const std::string title : {"常住人口变化率 2020–2035年", "合计人口金字塔 2020 / 2035年"})
    EXPECT_NE(std::find(zh_captions.begin(), zh_captions.end(), title), zh_captions.end()) << title;
  // Round 24 (h142): the aggregate by its title (the pyramid's caption, the zone table, the aggregates note), the notes
  // cohortgis writes (the fitted levels, the groups fitted by IPF) in Chinese, and full-width parentheses and colons
  // in the key figures and the aggregates note. Before: "core: 110101, 110102; ", "常住人口 2035 (基准方案)" and
  // "Mortality level fitted ([mortality] fit): Brass relational logit alpha = …". (The scenario's own assumptions are
  // its author's text, English in this example, and stay as written.)
  for (const std::string english : {"core:", "core：", "Mortality level fitted", "Fertility level fitted",
                                    "Base population by group", " (基准方案)", "alpha = "})
    EXPECT_EQ(zh.find(english), std::string::npos)
        << "'" << english << "' in the Chinese report: " << around(zh, english);
  for (const std::string chinese :
       {"首都功能核心区：110101、110102；", "常住人口 2035（基准方案）", "老龄化率 65+ 2035（基准方案）",
        "死亡水平拟合（[mortality] fit）：", "生育水平拟合（[fertility] fit）：", "分类别基期人口：",
        "首都功能核心区人口金字塔"})
    EXPECT_NE(zh.find(chinese), std::string::npos) << chinese;

  app::make_report(out.string(), app::Language::en);
  const std::string en = visible_text(test::slurp((out / "report.html").string()));
  for (const std::string mark : {"：", "，", "（", "）", "；", "。"})
    EXPECT_EQ(en.find(mark), std::string::npos) << "full-width '" << mark << "' in the English report: " << around(en, mark);
  for (const std::string title : {"Higher fertility", "Core-district relocation", "Beijing, 16 districts",
                                  "Service demand", "kindergarten places", "scenario file", "basis (persons)",
                                  "demand (places)", "Average annual exponential growth rate",
                                  "Core districts: 110101, 110102; ", "Resident population 2035 (Baseline)",
                                  "Mortality level fitted ([mortality] fit): Brass relational logit alpha = "})
    EXPECT_NE(en.find(title), std::string::npos) << title;
  // The baseline is named as a variant is, capitalised in headings and tables ("Indicators by zone · Baseline");
  // "baseline" stays the identifier of the files' variant column.
  EXPECT_NE(en.find("Indicators by zone · Baseline"), std::string::npos);
  EXPECT_EQ(en.find("baseline"), std::string::npos) << around(en, "baseline");
  EXPECT_EQ(app::word("baseline", app::Language::en), "Baseline");

  // Round 29: an assumption of several lines with markup in it (a TOML multi-line string, or one set from Python),
  // here written into the run's manifest.json: each line break is a <br> and the markup is text, in both languages
  // (the lines ran together: HTML reads a line break as a space).
  const fs::path manifest = out / "manifest.json";
  std::string m = test::slurp(manifest.string());
  const std::string key = "\"assumptions\": [";
  const std::size_t at = m.find(key);
  ASSERT_NE(at, std::string::npos);
  m.insert(at + key.size(), "\"<script>alert(1)</script>\\nline two & <b>more</b>\\r\\nline three\",");
  const std::string seal_key = "  \"manifest_sha256\": \"";  // resealed, as the manifest's writer seals it
  const std::size_t seal = m.find(seal_key) + seal_key.size();
  m.replace(seal, 64, geodata::sha256_text(m.substr(0, seal - seal_key.size())));
  std::ofstream(manifest, std::ios::binary | std::ios::trunc) << m;
  const std::string lines =
      "<li>&lt;script&gt;alert(1)&lt;/script&gt;<br>line two &amp; &lt;b&gt;more&lt;/b&gt;<br>line three</li>";
  for (const app::Language l : {app::Language::en, app::Language::zh}) {
    app::make_report(out.string(), l);
    const std::string html = test::slurp((out / "report.html").string());
    EXPECT_NE(html.find(lines), std::string::npos) << around(html, "alert(1)");
    EXPECT_EQ(html.find("<script"), std::string::npos) << around(html, "<script");
    EXPECT_EQ(html.find("<b>more"), std::string::npos) << around(html, "<b>more");
  }
  fs::remove_all(root);
}

// nc-counties gives its zones only as [geography.source] (no geography.zones table): the GeoPackage is still an
// input of the run, with its SHA-256.
TEST(ReportLanguage, BoundaryFileGivenOnlyAsGeographySourceIsInTheManifest) {
  const fs::path root = temp_root("source");
  run(std::string(COHORTGIS_EXAMPLES) + "/nc-counties/scenario.toml", root / "out", false);
  const std::string manifest = test::slurp((root / "out/manifest.json").string());
  const std::size_t at = manifest.find("\"path\": \"data:geo/nc_counties.gpkg\"");
  ASSERT_NE(at, std::string::npos) << manifest.substr(0, 4000);
  const std::string entry = manifest.substr(at, manifest.find('}', at) - at);
  EXPECT_NE(entry.find("\"role\": \"geography.source\""), std::string::npos) << entry;
  EXPECT_NE(entry.find("\"sha256\": \""), std::string::npos) << entry;
  EXPECT_EQ(entry.find("\"sha256\": \"\""), std::string::npos) << entry;
  fs::remove_all(root);
}

// The notes cohortgis writes into the assumptions (English in manifest.json) as a Chinese report says them, their
// numbers, years and names kept; parts that are words translated, years with 年; other texts unchanged.
TEST(ReportLanguage, GeneratedAssumptionNotesInChinese) {
  using app::Language;
  const std::string mortality =
      "Mortality level fitted ([mortality] fit): Brass relational logit alpha = -0.183 on the given death rates, "
      "giving a life expectancy at birth of 82.47 years for both sexes in the step covering 2021 (target 82.47; "
      "sexes weighted by 112.3 males per 100 females).";
  EXPECT_EQ(app::assumption_note(mortality, Language::zh),
            "死亡水平拟合（[mortality] fit）：对给定死亡率用 Brass 关系 logit 模型调整，"
            "α = -0.183，覆盖2021年的预测步男女合计出生时平均预期寿命为 82.47 岁"
            "（目标 82.47 岁；两性按出生性别比 112.3（女=100）加权）。");
  EXPECT_EQ(app::assumption_note(mortality, Language::en), mortality);
  EXPECT_EQ(
      app::assumption_note("Fertility level fitted ([fertility] fit): every schedule multiplied by 0.91, giving a "
                           "crude birth rate of 6.35 per 1000 person-years in the first step (2021-2025) of the "
                           "projection itself (target 6.35 for 2021).",
                           Language::zh),
      "生育水平拟合（[fertility] fit）：各生育率模式乘以 0.91，使预测本身第一个预测步（2021–2025年）的出生率为 "
      "6.35‰（2021年目标 6.35）。");
  EXPECT_EQ(
      app::assumption_note("Fertility level fitted ([fertility] fit): every schedule multiplied by 1.2, giving "
                           "120000 births a year in 2021 of the projection itself (target 120000 for 2021).",
                           Language::zh),
      "生育水平拟合（[fertility] fit）：各生育率模式乘以 1.2，使预测本身2021年的年出生人口为 120000 人（2021年目标 "
      "120000）。");
  EXPECT_EQ(
      app::assumption_note("Input note: mortality.mx (data:wpp/mx.csv): rows of year 2015-2017, 2019 are not used "
                           "by any step of 2020-2035 and were ignored.",
                           Language::zh),
      "输入说明：mortality.mx（data:wpp/mx.csv）中 year 为 2015-2017, 2019 的行不属于 "
      "2020–2035年的任何预测步，已忽略。");
  EXPECT_EQ(
      app::assumption_note("Registers of events counted for 2018-2020 (register_rates.csv, register_observed.csv); "
                           "person-years: the table exposure.csv.",
                           Language::zh),
      "登记的出生、死亡事件按2018–2020年统计（register_rates.csv、register_observed.csv）；人年数：表 exposure.csv。");
  EXPECT_EQ(
      app::assumption_note("Base population from the register p.csv: 1200 persons of 1210 records, ages in "
                           "completed years at 2020-12-31; excluded under the declared policy: none (exclusions.csv).",
                           Language::zh),
      "基期人口取自登记数据 p.csv：1210 条记录中的 1200 人，年龄为 2020-12-31 "
      "时的周岁；按声明的规则排除：无（exclusions.csv）。");
  // A scenario's own statement, even one that begins as a note does, stays as written.
  for (const std::string own :
       {"TFR of 1.0 (assumption).", "Mortality level fitted by hand.", "12 births a year", "none"})
    EXPECT_EQ(app::assumption_note(own, Language::zh), own);
}

// Year ranges for a reader take an en dash (maps' and the report's titles); other period labels stay as written.
TEST(ReportLanguage, PeriodDisplayPutsAnEnDashInYearRanges) {
  EXPECT_EQ(app::period_display("2021-2025"), "2021–2025");
  for (const std::string other : {"2021", "2021–2025", "2021-25", "20211-2025", "plan-2021", "2021-202x", "", "十四五"})
    EXPECT_EQ(app::period_display(other), other);
}

TEST(ReportLanguage, PlanLabelNamesTheFiveYearPlansAsChineseDocumentsDo) {
  EXPECT_EQ(app::plan_label("14th Five-Year Plan", app::Language::zh), "“十四五”规划");
  EXPECT_EQ(app::plan_label("1st Five-Year Plan", app::Language::zh), "“一五”规划");
  EXPECT_EQ(app::plan_label("10th Five-Year Plan", app::Language::zh), "“十五”规划");
  EXPECT_EQ(app::plan_label("007th Five-Year Plan", app::Language::zh), "“七五”规划");
  EXPECT_EQ(app::plan_label("14th Five-Year Plan", app::Language::en), "14th Five-Year Plan");
  // Not a plan's name, or no plan of that number: unchanged (a number past int's range once threw).
  for (const std::string other : {"20th Five-Year Plan", "0th Five-Year Plan", "99999999999th Five-Year Plan",
                                  "th Five-Year Plan", "14xx Five-Year Plan", "14th Five-Year Plans",
                                  "14th five-year plan", " 14th Five-Year Plan", "14th Five-Year Pla", "14", ""})
    EXPECT_EQ(app::plan_label(other, app::Language::zh), other);
}

// A planner's units: births by order in persons (a district's 1,161 third births were "0.1" 万人, first and second
// births "0.5" each), and the sum of the zones 合计, not 全市 (the zones may be two districts or a district's streets).
TEST(ReportLanguage, BirthsByOrderInPersonsAndTheWholeAreaIsTheSumOfItsZones) {
  using app::Language;
  EXPECT_EQ(app::format_indicator("births_order_3_plus", 1161.4, Language::zh), "1161");
  EXPECT_EQ(app::indicator_title("births_order_1", Language::zh), "一孩出生数（人）");
  EXPECT_EQ(app::format_indicator("births_order_2", 5123.6, Language::en), "5,124");
  EXPECT_EQ(app::indicator_title("births_order_2", Language::en), "Second births (persons)");
  EXPECT_EQ(app::format_indicator("births", 13000, Language::zh), "1.3");  // whole-area counts stay in 万人
  EXPECT_EQ(app::unit_label("total", Language::zh), "合计");
  EXPECT_EQ(app::unit_label("total", Language::en), "Whole area");
}

// Planner's audit, round 20: a column of counts with a non-zero value below 1万 is in persons (a street's 300 births a
// year read "0.0" 万人), the whole column, its header saying so; a column of larger counts stays in 万人; English and
// rates are as before. growth_rate_percent is the exponential rate, named so (年均增长率 of plans is geometric).
TEST(ReportLanguage, SmallCountsInPersonsAndTheGrowthRateNamedForWhatItIs) {
  using app::Language;
  const app::IndicatorLabel street = app::column_label("births_per_year", Language::zh, {13000.0, 300.0, 0.0});
  EXPECT_EQ(app::label_title(street, Language::zh), "年均出生人口（人）");
  EXPECT_EQ(app::format_labelled(street, 300.4, Language::zh), "300");
  EXPECT_EQ(app::format_labelled(street, 13000.0, Language::zh), "13000");
  const app::IndicatorLabel city = app::column_label("births_per_year", Language::zh, {13000.0, 210000.0, 0.0});
  EXPECT_EQ(app::label_title(city, Language::zh), "年均出生人口（万人）");
  EXPECT_EQ(app::format_labelled(city, 13000.0, Language::zh), "1.3");
  EXPECT_EQ(
      app::format_labelled(app::column_label("net_migration_per_year", Language::zh, {-800.0}), -800.0, Language::zh),
      "-800");
  EXPECT_EQ(app::format_labelled(app::column_label("births_per_year", Language::en, {300.0}), 300.0, Language::en),
            "300");
  EXPECT_EQ(app::column_label("cbr_per_1000", Language::zh, {0.3}).unit, "‰");
  EXPECT_EQ(app::indicator_title("growth_rate_percent", Language::zh), "年均指数增长率（%）");
  EXPECT_EQ(app::indicator_title("growth_rate_percent", Language::en), "Average annual exponential growth rate (%)");
  EXPECT_EQ(app::indicator_title("child_dependency_ratio", Language::zh), "少儿抚养比（%）");
}
