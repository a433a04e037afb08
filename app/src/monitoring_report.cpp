// SPDX-License-Identifier: Apache-2.0
// The report's monitoring section (中期评估): monitoring.csv as a table, and one small chart per indicator of the
// projection against the published figures.
#include <cmath>
#include <filesystem>
#include <map>

#include "cohortgis/app/backtest.hpp"
#include "cohortgis/app/monitoring.hpp"
#include "cohortgis/app/results.hpp"
#include "cohortgis/geodata/maps.hpp"
#include "cohortgis/geodata/table.hpp"
#include "map_classes.hpp"

namespace cohortgis::app {

namespace fs = std::filesystem;

std::optional<ReportSection> monitoring_report_section(const Results& r, Language l) {
  const fs::path dir(r.dir);
  std::error_code ec;
  if (!fs::is_regular_file(dir / "monitoring.csv", ec)) return std::nullopt;
  const bool zh = l == Language::zh;
  const CsvData m = read_csv_file((dir / "monitoring.csv").string());
  const std::size_t cy = m.column("year"), cz = m.column("zone"), cg = m.column("group"), ci = m.column("indicator"),
                    co = m.column("observed"), cp = m.column("projected"), cr = m.column("relative_difference"),
                    cd = m.column("difference"), crole = m.column("role"), cf = m.column("flag");
  ReportSection s;
  s.id = "monitoring";
  s.title = zh ? "中期评估：预测与统计公报" : "Monitoring: projected against published figures";
  s.header = zh ? std::vector<std::string>{"年份", "区域", "指标", "公报", "预测", "差值", "相对差 %", "用途", "标记"}
                : std::vector<std::string>{"year",       "zone",       "indicator", "published", "projected",
                                           "difference", "relative %", "role",      "flag"};
  const auto number = [](const std::string& text) {
    double v = std::nan("");
    geodata::parse_number(text, v);
    return v;
  };
  struct Chart {
    std::string title;
    geodata::LineSeries observed, projected;
  };
  std::map<std::string, Chart> charts;  // zone|group|indicator, in first-seen order by key
  std::vector<std::string> order;
  for (const auto& row : m.rows) {
    const std::string& ind = row[ci];
    std::string name =
        ind == "e0" ? (zh ? "预期寿命 (岁)" : "Life expectancy at birth (years)") : indicator_title(ind, l);
    if (row[cg] != "all") name += " · " + group_label(row[cg], l);
    const double obs = number(row[co]), proj = number(row[cp]);
    const std::string flag = row[cf];
    std::string flag_text = flag;
    if (zh) {
      flag_text.clear();
      if (flag.find("beyond_tolerance") != std::string::npos) flag_text += "超出容差 ";
      if (flag.find("interpolated") != std::string::npos) flag_text += "插值 ";
      if (flag.find("step_mean") != std::string::npos) flag_text += "步长均值 ";
      if (flag.find("no_projection") != std::string::npos) flag_text += "无预测值 ";
    }
    const std::string role = zh ? (row[crole] == "fitted" ? "拟合" : "检验") : row[crole];
    // A rate that changes sign (natural growth) has no meaningful relative difference: 0.01 ‰ published against
    // −1.16 ‰ projected showed "−11727.0 %" in the default's review; its difference says it (monitoring.csv keeps it).
    const std::string relative = signed_measure(ind) ? (zh ? "—" : "–") : format_value(100 * number(row[cr]), 1, l);
    s.rows.push_back({row[cy], r.zone_label(row[cz], l), name, format_indicator(ind, obs, l),
                      format_indicator(ind, proj, l), format_indicator(ind, number(row[cd]), l), relative, role,
                      flag_text});
    const std::string key = row[cz] + '|' + row[cg] + '|' + ind;
    if (!charts.count(key)) {
      order.push_back(key);
      charts[key].title = r.zone_label(row[cz], l) + " · " + name;
      charts[key].observed.name = zh ? "公报" : "published";
      charts[key].projected.name = zh ? "预测" : "projected";
    }
    Chart& c = charts[key];
    const double x = number(row[cy]);
    const IndicatorLabel lab = ind == "e0" ? IndicatorLabel{} : indicator_label(ind, l);
    const double scale = ind == "e0" ? 1.0 : lab.scale;
    c.observed.x.push_back(x);
    c.observed.y.push_back(obs * scale);
    c.projected.x.push_back(x);
    c.projected.y.push_back(proj * scale);
  }
  s.note =
      zh ? "差值 = 预测 − 公报；相对差 = 差值 / "
           "公报（自然增长率等可正可负的比率不计相对差，见差值）。“拟合”的数字用于设定死亡或生育水平，不作检验；“检验”"
           "的数字未用于设定任何假设。"
           "超出容差：检验数字的差超过情景声明的容差（水平用相对差，接近零的比率用绝对差）。插值：预测未报告该年，取前"
           "后预测年份之间的直线；"
           "步长均值：比率取覆盖该年的预测步长的平均值。数字见 monitoring.csv。"
         : "Difference = projected − published; relative = difference / published (none for a rate that changes "
           "sign, such as the natural growth rate: see the difference). Fitted figures set a mortality "
           "or fertility level and are no test; checked figures were not used for any assumption. beyond_tolerance: "
           "a checked figure further from the projection than the scenario's tolerance (relative for levels, "
           "absolute for rates near zero). interpolated: the projection does not report that year, the straight "
           "line between the projected years around it is used; step_mean: a rate of the step covering the year. "
           "The numbers are those of monitoring.csv.";
  fs::create_directories(dir / "charts", ec);
  int k = 0;
  for (const auto& key : order) {
    const Chart& c = charts.at(key);
    if (c.observed.x.size() < 1) continue;
    geodata::LineStyle st;
    st.title = c.title;
    st.x_label = zh ? "年份" : "year";
    st.width_px = 450;
    st.height_px = 300;
    const std::string file = "charts/monitoring_" + std::to_string(++k) + ".png";
    geodata::render_lines({c.observed, c.projected}, st, geodata::ImageFormat::png, (dir / file).string());
    s.figures.push_back({file, c.title});
  }
  return s;
}

}  // namespace cohortgis::app
