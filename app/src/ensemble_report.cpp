// SPDX-License-Identifier: Apache-2.0
#include "ensemble_report.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

#include "cohortgis/app/results.hpp"
#include "cohortgis/geodata/maps.hpp"
#include "cohortgis/geodata/table.hpp"
#include "cohortgis/geodata/zones.hpp"
#include "figures.hpp"
#include "file_stems.hpp"
#include "output_dir.hpp"
#include "text_output.hpp"
#include "written_number.hpp"

namespace cohortgis::app {

namespace fs = std::filesystem;

namespace {

// The map of a probability: per zone, the share of the first variant's trajectories whose population at the horizon
// is above the base year's (probabilities.csv). Nothing without zone geometry (no results.gpkg).
void probability_map(const Results& r, Language l, ReportSection& s) {
  const fs::path dir(r.dir);
  if (!fs::is_regular_file(dir / "probabilities.csv")) return;
  const std::optional<geodata::Zones> zones = results_zones(r);
  if (!zones || zones->size() == 0) return;
  const CsvData p = read_csv_file((dir / "probabilities.csv").string());
  if (p.rows.empty()) return;
  const std::size_t vc = p.column("variant"), yc = p.column("year"), evc = p.column("event"), zc = p.column("zone"),
                    pc = p.column("probability");
  const std::string variant = p.rows[0][vc];
  int year = 0;
  for (std::size_t k = 0; k < p.rows.size(); ++k)
    if (p.rows[k][vc] == variant) year = std::max(year, written_whole_number(p, k, yc));
  std::map<std::string, double> by_zone;
  for (std::size_t k = 0; k < p.rows.size(); ++k)
    if (p.rows[k][vc] == variant && written_whole_number(p, k, yc) == year && p.rows[k][evc] == "above_base_year")
      by_zone[p.rows[k][zc]] = 100.0 * written_number(p.rows[k][pc]);
  std::vector<double> values;
  std::vector<std::string> labels;
  for (const auto& id : zones->ids()) {
    auto it = by_zone.find(id);
    values.push_back(it == by_zone.end() ? std::nan("") : it->second);
    labels.push_back(r.zone_label(id, l));
  }
  const bool zh = l == Language::zh;
  geodata::MapStyle style;
  style.title = zh ? std::to_string(year) + "年常住人口高于基年的概率" : "Probability that the population in " +
                                                                         std::to_string(year) + " is above the base year's";
  style.subtitle = r.variant_label(variant, l);
  style.legend_title = zh ? "概率 (%)" : "probability (%)";
  style.method = geodata::ClassMethod::equal_interval;
  style.legend_decimals = 0;
  style.no_data_label = zh ? "无数据" : "no data";
  std::error_code ec;
  fs::create_directories(dir / "maps", ec);
  const std::string file = "maps/probability_population_above_base_" + file_stem(variant) + ".png";
  geodata::render_choropleth(geodata::map_zones(*zones, values, labels), style, geodata::ImageFormat::png,
                             (dir / file).string());
  s.figures.push_back({file, style.title + " · " + style.subtitle});
}

}  // namespace

std::optional<ReportSection> ensemble_report_section(const Results& r, Language l) {
  const fs::path dir(r.dir);
  if (!fs::is_regular_file(dir / "quantiles.csv")) return std::nullopt;
  const bool zh = l == Language::zh;
  ReportSection s;
  s.id = "probabilistic";
  s.title = zh ? "概率预测" : "Probabilistic projection";
  s.note = zh ? "各条轨迹的分位数(quantiles.csv,第7类样本分位数):细线为 2.5% 与 97.5%,中线为 10% 与 90%,粗线为中位数;"
                "虚线为确定性预测。目标达成概率 = 达成该目标的轨迹所占比例(按时期的目标暂不计算)。"
              : "Quantiles over the trajectories (quantiles.csv, type-7 sample quantiles): 2.5% and 97.5%, 10% and "
                "90%, the median, and the deterministic projection. Probability met = share of trajectories that meet "
                "the target (not yet computed for targets over a plan period).";
  s.header = {zh ? "方案" : "Variant", zh ? "规划目标" : "Target", zh ? "确定性预测" : "Deterministic",
              zh ? "达成概率" : "Probability met"};
  // targets.csv as Results read it: a scenario without [[targets]] writes its header only, which a table reader
  // refuses as empty.
  const CsvData& t = r.targets;
  if (std::find(t.header.begin(), t.header.end(), "probability_met") != t.header.end()) {
    const std::size_t pc = t.column("probability_met"), sc = t.column("status"), vc = t.column("variant"),
                      tc = t.column("target");
    for (const auto& row : t.rows) {
      const std::string& p = row[pc];
      const std::string& st = row[sc];
      s.rows.push_back({r.variant_label(row[vc], l), row[tc],
                        zh ? (st == "met"      ? "达成"
                              : st == "missed" ? "未达成"
                                               : "未知")
                           : st,
                        p.empty() ? "—" : number_cell(std::round(written_number(p) * 1000.0) / 10.0) + "%"});
    }
  }
  // Fan charts: the whole area's population and share aged 65+, per variant.
  const geodata::Table q = geodata::read_table((dir / "quantiles.csv").string(), {});
  struct Fan {
    std::vector<double> years;
    std::map<std::string, std::vector<double>> lines;  // quantile column → values by year
  };
  std::map<std::pair<std::string, std::string>, Fan> fans;  // (indicator, variant)
  static const char* kColumns[] = {"q025", "q10", "q50", "q90", "q975"};
  for (std::size_t k = 0; k < q.size(); ++k) {
    if (q.text(k, "zone") != "total") continue;
    const std::string ind = q.text(k, "indicator");
    if (ind != "population" && ind != "share_65_plus_percent") continue;
    Fan& f = fans[{ind, q.text(k, "variant")}];
    f.years.push_back(written_number(q.text(k, "year")));
    for (const char* c : kColumns) {
      const std::string& v = q.text(k, c);
      f.lines[c].push_back(written_number(v));
    }
  }
  std::error_code ec;
  fs::create_directories(dir / "charts", ec);
  for (const auto& [key, f] : fans) {
    const auto& [ind, variant] = key;
    // No chart of an indicator the grid cannot count (the share 65+ on a grid open below 65 is NaN: docs/results.md).
    bool finite = false;
    for (const auto& line : f.lines)
      for (const double x : line.second) finite = finite || std::isfinite(x);
    if (!finite) continue;
    std::vector<geodata::LineSeries> series;
    for (const char* c : kColumns) series.push_back({c, f.years, f.lines.at(c)});
    geodata::LineSeries det{zh ? "确定性" : "deterministic", f.years, {}};
    for (double y : f.years) det.y.push_back(r.indicator(variant, static_cast<int>(y), "total", "all", ind));
    series.push_back(det);
    geodata::LineStyle style;
    const std::string what = ind == "population" ? (zh ? "常住人口" : "Population") : (zh ? "65岁及以上占比 (%)" : "Share aged 65+ (%)");
    style.title = what + " · " + r.variant_label(variant, l);
    style.x_label = zh ? "年末" : "end of year";
    style.y_label = what;
    const std::string file = "charts/fan_" + ind + "_" + file_stem(variant) + ".png";
    geodata::render_lines(series, style, geodata::ImageFormat::png, (dir / file).string());
    s.figures.push_back({file, style.title});
  }
  probability_map(r, l, s);
  return s;
}

}  // namespace cohortgis::app
