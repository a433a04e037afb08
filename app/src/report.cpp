// SPDX-License-Identifier: Apache-2.0
// report.html: one self-contained file (CSS inline, images as base64 PNG data URLs, no scripts, no network) that a
// planner can mail or open offline. `cohortgis report` and `cohortgis run` both write it through make_report.

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cohortgis/app/backtest.hpp"
#include "cohortgis/app/commands.hpp"
#include "cohortgis/app/monitoring.hpp"
#include "cohortgis/app/results.hpp"
#include "cohortgis/engine/types.hpp"
#include "cohortgis/geodata/text_escape.hpp"
#include "ensemble_report.hpp"
#include "figures.hpp"
#include "output_dir.hpp"
#include "parity_output.hpp"
#include "planning_output.hpp"
#include "records_output.hpp"
#include "report.hpp"
#include "text_output.hpp"
#include "written_number.hpp"

namespace cohortgis::app {

namespace fs = std::filesystem;

namespace {

// The page's text and double-quoted attributes, escaped as the QGIS styles are (the one XML/HTML escaper).
std::string esc(std::string_view s) { return geodata::xml_escape(s); }

// A text of several lines (an assumption written as a TOML multi-line string or set from Python), escaped as esc does
// and each line break (\n, \r\n or \r) a <br>: in HTML a line break is a space, so "Line 1\nLine 2" read "Line 1
// Line 2" in one line.
std::string esc_lines(std::string_view s) {
  std::string out;
  for (std::size_t at = 0; at <= s.size();) {
    const std::size_t end = std::min(s.find_first_of("\r\n", at), s.size());
    out += esc(s.substr(at, end - at));
    if (end == s.size()) break;
    out += "<br>";
    at = end + (s.compare(end, 2, "\r\n") == 0 ? 2 : 1);
  }
  return out;
}

// The table of a report section (ReportSection: back-test, registers) as HTML.
std::string section_table(const ReportSection& s) {
  std::string h = "<table><tr>";
  for (const auto& c : s.header) h += "<th>" + esc(c) + "</th>";
  h += "</tr>\n";
  for (const auto& row : s.rows) {
    h += "<tr>";
    for (const auto& c : row) h += "<td>" + esc(c) + "</td>";
    h += "</tr>\n";
  }
  return h + "</table>\n";
}

std::string base64_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw InputError(p.string() + ": cannot be read for the report");
  std::ostringstream ss;
  ss << in.rdbuf();
  const std::string d = ss.str();
  static const char* tbl = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string o;
  o.reserve((d.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < d.size(); i += 3) {
    const auto b0 = static_cast<unsigned char>(d[i]);
    const auto b1 = i + 1 < d.size() ? static_cast<unsigned char>(d[i + 1]) : 0u;
    const auto b2 = i + 2 < d.size() ? static_cast<unsigned char>(d[i + 2]) : 0u;
    const unsigned n = (static_cast<unsigned>(b0) << 16) | (static_cast<unsigned>(b1) << 8) | b2;
    o += tbl[(n >> 18) & 63];
    o += tbl[(n >> 12) & 63];
    o += i + 1 < d.size() ? tbl[(n >> 6) & 63] : '=';
    o += i + 2 < d.size() ? tbl[n & 63] : '=';
  }
  return o;
}

// The `role` of an input (manifest.json: the scenario key that named it, e.g. "fertility.asfr", "geography.source
// (sidecar)", "scenario file") as the report's language says it: English keeps the key; Chinese names the section of
// the scenario file it belongs to, so no English slug is left in a Chinese report.
std::string input_role_label(const std::string& role, Language l) {
  if (l == Language::en) return role;
  static const std::pair<const char*, const char*> sections[] = {
      {"scenario file", "情景文件"}, {"scenario", "情景设置"}, {"geography", "区划边界与区域"},
      {"projection", "预测设置"}, {"base_population", "基期人口"}, {"fertility", "生育"}, {"mortality", "死亡"},
      {"migration", "迁移"}, {"relocation", "搬迁"}, {"transitions", "人口类别转换"}, {"newborn", "新生儿类别"},
      {"plan_periods", "规划期"}, {"targets", "规划目标"}, {"services", "公共服务需求"}, {"variants", "方案"},
      {"outputs", "输出"}, {"registers", "登记数据"}, {"controls", "控制总数"}, {"capacity", "承载能力"},
      {"households", "家庭户"}, {"stochastic", "随机预测"}, {"monitoring", "监测数据"}};
  const std::size_t end = role.find_first_of(". (");
  const std::string head = role.rfind("scenario file", 0) == 0 ? "scenario file" : role.substr(0, end);
  std::string out = "输入数据";
  for (const auto& [key, zh] : sections)
    if (head == key) out = zh;
  if (role.find("(sidecar)") != std::string::npos) out += "（附属文件）";
  if (role.find("(through ") != std::string::npos) out += "（经由引用文件读取）";
  return out;
}

constexpr const char* kCss = R"(
body{font-family:"Noto Sans CJK SC","Noto Sans SC","Source Han Sans SC","Microsoft YaHei",sans-serif;margin:0;
 color:#1b1b1b;background:#f4f6f8;line-height:1.5}
header{background:#0c2c84;color:#fff;padding:24px 40px}
header h1{margin:0 0 6px;font-size:28px}header p{margin:2px 0;opacity:.9}
main{max-width:1240px;margin:0 auto;padding:16px 40px 40px}
section{background:#fff;border-radius:6px;box-shadow:0 1px 3px rgba(0,0,0,.12);padding:16px 24px;margin:18px 0}
h2{color:#0c2c84;border-bottom:2px solid #41b6c4;padding-bottom:4px;font-size:21px}
h3{font-size:16px;margin:14px 0 6px}
table{border-collapse:collapse;width:100%;font-size:13px;margin:8px 0}
th,td{border:1px solid #d5dbe1;padding:4px 8px;text-align:left}th{background:#e8eef5}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.badge{display:inline-block;white-space:nowrap;padding:1px 10px;border-radius:10px;color:#fff;font-weight:bold}
.met{background:#1a9850}.missed{background:#d73027}.unknown{background:#888}
.kpi{display:flex;flex-wrap:wrap;gap:12px}.kpi div{flex:1 1 180px;background:#e8f4f8;border-left:5px solid #2c7fb8;
 padding:8px 12px}.kpi b{display:block;font-size:22px;color:#0c2c84}
.figs{display:grid;grid-template-columns:repeat(2,1fr);gap:14px}.figs.small{grid-template-columns:repeat(4,1fr)}
figure{margin:0;background:#fff;border:1px solid #e1e5ea;padding:6px}figure.wide{grid-column:1/-1}
figure img{width:100%;height:auto;display:block}figcaption{font-size:13px;color:#444;padding-top:4px}
ol li{margin:4px 0}.note{color:#555;font-size:13px}code{font-size:12px}
@media print{@page{size:A4;margin:10mm}
 body{background:#fff;font-size:11px;-webkit-print-color-adjust:exact;print-color-adjust:exact}
 header{margin:0 6mm;padding:10px 14px}header h1{font-size:20px}main{max-width:none;padding:0 6mm}
 section{box-shadow:none;border-radius:0;padding:4px 0;margin:8px 0}h2{font-size:16px;break-after:avoid}
 table{font-size:8.5px;table-layout:fixed;overflow-wrap:anywhere}th,td{padding:2px 3px}td.n{white-space:normal}
 code{font-size:7px;word-break:break-all}.kpi div{flex:1 1 120px}
 .figs{grid-template-columns:1fr}.figs.small{grid-template-columns:repeat(2,1fr)}figure{break-inside:avoid}}
)";

}  // namespace

ReportResult make_report(const std::string& dir_text, std::optional<Language> language, bool verify,
                         const std::atomic<bool>* cancel, int threads) {
  std::vector<std::string> warnings;
  if (verify) warnings = require_intact_results(dir_text);
  const Results r = load_results(dir_text, threads);
  RedrawGuard guard(dir_text);  // all or nothing: a signal or an error part way puts the old files back
  ReportResult res = write_report(r, language, cancel, threads, std::move(warnings));
  guard.keep();
  return res;
}

ReportResult write_report(const Results& r, std::optional<Language> language, const std::atomic<bool>* cancel,
                          int threads, std::vector<std::string> warnings) {
  const std::string& dir_text = r.dir;
  // report.html is replaced only when cohortgis wrote it (checked before anything is drawn).
  const fs::path out = writable_path(dir_text, check_results_folder(dir_text, false), "report.html");
  const Language l = language ? *language
                              : (r.meta.language.empty() ? Language::en : parse_language(r.meta.language, "manifest language"));
  const std::vector<Figure> figs = render_figures(r, l, cancel, threads);
  const fs::path dir(dir_text);
  const int first = r.years.front(), last = r.years.back();
  const bool zh = l == Language::zh;

  std::string h;
  h.reserve(1 << 22);
  h += "<!DOCTYPE html>\n<html lang=\"" + std::string(language_code(l)) + "\">\n<head>\n<meta charset=\"utf-8\">\n";
  h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  // The scenario by its title in the report's language (its name is a file-format slug); a colon of that language.
  const std::string colon = zh ? "：" : ": ";
  const std::string scenario_title = r.scenario_title(l).empty() ? r.meta.scenario : r.scenario_title(l);
  h += "<title>" + esc(word("report_title", l) + " · " + scenario_title) + "</title>\n<style>" + kCss + "</style>\n</head>\n<body>\n";
  h += "<header><h1>" + esc(word("report_title", l)) + colon + esc(scenario_title) + "</h1>\n";
  h += "<p>" + esc(word("base_year", l)) + " " + std::to_string(r.meta.base_year) + " · " + esc(word("horizon", l)) + " " +
       std::to_string(r.meta.end_year) + " · " + esc(word("variants", l)) + colon;
  for (std::size_t v = 0; v < r.meta.variants.size(); ++v) h += (v ? (zh ? "，" : ", ") : "") + esc(r.variant_label(r.meta.variants[v], l));
  h += " · cohortgis " + esc(r.meta.version) + " · " + esc(word("generated", l)) + " " + esc(utc_now("%Y-%m-%d %H:%M UTC")) + "</p></header>\n<main>\n";

  // ---- summary: key figures of the whole area ----
  h += "<section id=\"summary\"><h2>" + esc(word("summary", l)) + "</h2>\n<div class=\"kpi\">\n";
  auto kpi = [&](const std::string& label, const std::string& value) {
    h += "<div>" + esc(label) + "<b>" + esc(value) + "</b></div>\n";
  };
  const double p0 = r.indicator("baseline", first, "total", "all", "population");
  const double p1 = r.indicator("baseline", last, "total", "all", "population");
  // "(baseline)" in the language's parentheses: full width in Chinese, as the indicator names' （万人）.
  const std::string of_baseline =
      zh ? "（" + r.variant_label("baseline", l) + "）" : " (" + r.variant_label("baseline", l) + ")";
  kpi(word("total_population", l) + " " + std::to_string(first), format_persons(p0, l));
  kpi(word("total_population", l) + " " + std::to_string(last) + of_baseline, format_persons(p1, l));
  kpi(indicator_label("share_65_plus_percent", l).name + " " + std::to_string(last) + of_baseline,
      format_indicator("share_65_plus_percent", r.indicator("baseline", last, "total", "all", "share_65_plus_percent"),
                       l) +
          "%");
  {
    // The baseline's targets, as the command line prints them per variant: the sum over variants ("9 met / 6
    // missed" for 5 targets and 3 variants) read as 15 targets.
    int met = 0, missed = 0;
    const std::size_t st = r.targets.column("status"), var = r.targets.column("variant");
    for (const auto& row : r.targets.rows)
      if (row[var] == "baseline") (row[st] == "met" ? met : missed) += row[st] == "met" || row[st] == "missed";
    kpi(word("targets", l) + of_baseline, std::to_string(met) + " " + word("met_count", l) + " / " +
                                              std::to_string(missed) + " " + word("missed_count", l));
  }
  std::vector<double> populations;
  for (const auto& v : r.meta.variants)
    for (int y : r.years) populations.push_back(r.indicator(v, y, "total", "all", "population"));
  const IndicatorLabel pop_lab = column_label("population", l, populations);
  h += "</div>\n<h3>" + esc(label_title(pop_lab, l)) + "</h3>\n<table><tr><th>" + esc(word("variant", l)) + "</th>";
  for (int y : r.years) h += "<th>" + std::to_string(y) + "</th>";
  h += "</tr>\n";
  for (const auto& v : r.meta.variants) {
    h += "<tr><td>" + esc(r.variant_label(v, l)) + "</td>";
    for (int y : r.years)
      h += "<td class=\"n\">" + esc(format_labelled(pop_lab, r.indicator(v, y, "total", "all", "population"), l)) +
           "</td>";
    h += "</tr>\n";
  }
  h += "</table>\n</section>\n";

  // ---- assumptions ----
  h += "<section id=\"assumptions\"><h2>" + esc(word("assumptions", l)) + "</h2>\n<ol>\n";
  for (const auto& a : r.meta.assumptions) {
    // A variant's description comes as "Variant NAME: …" (scenario_file.cpp): named here by its title.
    // The notes cohortgis wrote (fitted levels, registers, inputs not used) in the report's language.
    std::string text = assumption_note(a, l);
    for (const auto& v : r.meta.variants)
      if (const std::string prefix = "Variant " + v + ": "; a.rfind(prefix, 0) == 0)
        text = (zh ? "方案“" + r.variant_label(v, l) + "”：" : "Variant " + r.variant_label(v, l) + ": ") +
               assumption_note(a.substr(prefix.size()), l);
    h += "<li>" + esc_lines(text) + "</li>\n";
  }
  h += "</ol>\n";
  if (!r.meta.aggregates.empty()) {
    h += "<p class=\"note\">";
    // Each aggregate by its title (zone_label) and its members, with the language's colon and semicolon.
    for (const auto& [name, members] : r.meta.aggregates) {
      std::string list = members;  // ", "-joined ids; 、 between them in Chinese
      for (std::size_t at = 0; zh && (at = list.find(", ", at)) != std::string::npos;) list.replace(at, 2, "、");
      h += esc(r.zone_label(name, l)) + colon + esc(members.empty() ? (zh ? "全部区域" : "every zone") : list) +
           (zh ? "；" : "; ");
    }
    h += "</p>\n";
  }
  h += "</section>\n";

  // ---- targets ----
  h += "<section id=\"targets\"><h2>" + esc(word("targets", l)) + "</h2>\n";
  if (r.targets.rows.empty()) {
    h += "<p class=\"note\">" + std::string(zh ? "情景未设定规划目标。" : "The scenario sets no targets.") + "</p>\n";
  } else {
    h += "<table><tr><th>" + esc(word("target", l)) + "</th><th>" + esc(word("variant", l)) + "</th><th>" +
         esc(word("indicator", l)) + "</th><th>" + esc(word("zone", l)) + "</th><th>" + esc(word("period", l)) + "</th><th>" +
         esc(word("value", l)) + "</th><th>" + esc(word("limit", l)) + "</th><th>" + esc(word("margin", l)) + "</th><th>" +
         esc(word("status", l)) + "</th></tr>\n";
    const auto& t = r.targets;
    const std::size_t cv = t.column("variant"), ct = t.column("target"), ci = t.column("indicator"), cz = t.column("zone"),
                      cg = t.column("group"), cp = t.column("period"), cval = t.column("value"), cmin = t.column("min"),
                      cmax = t.column("max"), cs = t.column("status"), cm = t.column("margin");
    const auto num = written_number;
    for (const auto& row : t.rows) {
      const std::string& ind = row[ci];
      std::string limit;
      if (!row[cmin].empty()) limit += "≥ " + format_indicator(ind, num(row[cmin]), l);
      if (!row[cmax].empty()) limit += (limit.empty() ? "" : ", ") + std::string("≤ ") + format_indicator(ind, num(row[cmax]), l);
      const IndicatorLabel lab = indicator_label(ind, l);
      std::string name = lab.name + (lab.unit.empty() ? "" : " (" + lab.unit + ")");
      if (row[cg] != "all") name += " · " + group_label(row[cg], l);
      const std::string status = row[cs];
      h += "<tr><td>" + esc(row[ct]) + "</td><td>" + esc(r.variant_label(row[cv], l)) + "</td><td>" + esc(name) +
           "</td><td>" + esc(r.zone_label(row[cz], l)) + "</td><td>" + esc(period_display(row[cp])) +
           "</td><td class=\"n\">" + esc(format_indicator(ind, num(row[cval]), l)) + "</td><td class=\"n\">" +
           esc(limit) + "</td><td class=\"n\">" + esc(format_indicator(ind, num(row[cm]), l)) +
           "</td><td><span class=\"badge " + esc(status) + "\">" + esc(word(status, l)) + "</span></td></tr>\n";
    }
    h += "</table>\n";
  }
  h += "</section>\n";

  // ---- plan periods (whole area, every variant) ----
  if (!r.meta.plan_periods.empty()) {
    h += "<section id=\"plan-periods\"><h2>" + esc(word("plan_periods", l)) + " · " + esc(unit_label("total", l)) + "</h2>\n";
    const char* cols[] = {"population_start", "population_end", "births_per_year", "deaths_per_year", "net_migration_per_year",
                          "cbr_per_1000", "cdr_per_1000", "natural_growth_per_1000", "growth_rate_percent",
                          "srb_per_100_females"};
    // Each column in one unit, 人 where 万人 would round a small area's counts to 0.0 (column_label).
    std::vector<IndicatorLabel> labs;
    for (const char* c : cols) {
      std::vector<double> values;
      for (const auto& p : r.meta.plan_periods)
        for (const auto& v : r.meta.variants) values.push_back(r.period_value(v, p.label, "total", c));
      labs.push_back(column_label(c, l, values));
    }
    h += "<table><tr><th>" + esc(word("period", l)) + "</th><th>" + esc(word("variant", l)) + "</th>";
    for (const auto& lab : labs) h += "<th>" + esc(label_title(lab, l)) + "</th>";
    h += "</tr>\n";
    for (const auto& p : r.meta.plan_periods)
      for (const auto& v : r.meta.variants) {
        const std::string plan = plan_label(p.plan, l);
        h += "<tr><td>" + esc(period_display(p.label)) + (plan.empty() ? "" : "<br><small>" + esc(plan) + "</small>") +
             "</td><td>" + esc(r.variant_label(v, l)) + "</td>";
        for (const auto& lab : labs)
          h +=
              "<td class=\"n\">" + esc(format_labelled(lab, r.period_value(v, p.label, "total", lab.key), l)) + "</td>";
        h += "</tr>\n";
      }
    h += "</table>\n</section>\n";
  }

  // ---- by zone, baseline ----
  {
    h += "<section id=\"zones\"><h2>" + esc(word("zone_table", l)) + " · " + esc(r.variant_label("baseline", l)) + "</h2>\n<table><tr><th>" +
         esc(word("zone", l)) + "</th>";
    struct Col {
      std::string ind, group;
      int year;
    };
    std::vector<Col> cols{{"population", "all", first}, {"population", "all", last}};
    for (const auto& g : r.meta.groups)
      if (r.meta.groups.size() > 1) cols.push_back({"population", g, last});
    cols.push_back({"share_65_plus_percent", "all", last});
    cols.push_back({"share_0_14_percent", "all", last});
    cols.push_back({"median_age", "all", last});
    cols.push_back({"tfr", "all", last});
    for (const auto& c : cols) {
      const std::string name = c.ind == "population" ? group_label(c.group, l) : indicator_label(c.ind, l).name;
      const std::string unit = indicator_label(c.ind, l).unit;
      h += "<th>" + esc(name) + (unit.empty() ? "" : " (" + esc(unit) + ")") + "<br>" + std::to_string(c.year) + "</th>";
    }
    h += "<th>" + esc(word("change_percent", l)) + " " + std::to_string(first) + "–" + std::to_string(last) + " (%)</th></tr>\n";
    std::vector<std::string> units = featured_zones(r);  // at most kMaxZoneFigures zones (indicators.csv has all)
    for (const auto& a : r.meta.aggregates) units.push_back(a.first);
    for (const auto& u : units) {
      h += "<tr><td>" + esc(r.zone_label(u, l)) + "</td>";
      for (const auto& c : cols) h += "<td class=\"n\">" + esc(format_indicator(c.ind, r.indicator("baseline", c.year, u, c.group, c.ind), l)) + "</td>";
      const double a = r.indicator("baseline", first, u, "all", "population"), b = r.indicator("baseline", last, u, "all", "population");
      h += "<td class=\"n\">" + esc(format_value(a > 0 ? 100 * (b - a) / a : std::nan(""), 1, l)) + "</td></tr>\n";
    }
    h += "</table>\n</section>\n";
  }

  // ---- figures ----
  auto figures = [&](const std::string& section, const std::string& title, bool small) {
    bool any = false;
    for (const auto& f : figs) any = any || f.section == section;
    if (!any) return;
    h += "<section id=\"" + section + "\"><h2>" + esc(title) + "</h2>\n";
    // Wide figures first, then a grid of the others.
    for (const auto& f : figs)
      if (f.section == section && f.wide)
        h += "<figure class=\"wide\"><img alt=\"" + esc(f.caption) + "\" src=\"data:image/png;base64," +
             base64_file(dir / f.file) + "\"><figcaption>" + esc(f.caption) + "</figcaption></figure>\n";
    h += std::string("<div class=\"figs") + (small ? " small" : "") + "\">\n";
    for (const auto& f : figs)
      if (f.section == section && !f.wide)
        h += "<figure><img alt=\"" + esc(f.caption) + "\" src=\"data:image/png;base64," + base64_file(dir / f.file) +
             "\"><figcaption>" + esc(f.caption) + "</figcaption></figure>\n";
    h += "</div>\n</section>\n";
  };
  if (r.meta.maps_note.empty()) figures("maps", word("maps", l), false);
  else h += "<section id=\"maps\"><h2>" + esc(word("maps", l)) + "</h2><p class=\"note\">" + esc(word("no_geometry", l)) +
            " " + esc(r.meta.maps_note) + "</p></section>\n";
  figures("pyramids", word("pyramids", l), true);
  figures("charts", word("charts", l), false);

  // ---- back-test (cohortgis backtest), probabilistic projection (run --trajectories), monitoring ([monitoring]) ----
  std::vector<std::string> extra_figures;
  for (const auto& b : {backtest_report_section(r, l), ensemble_report_section(r, l), monitoring_report_section(r, l)}) {
    if (!b) continue;
    h += "<section id=\"" + esc(b->id) + "\"><h2>" + esc(b->title) + "</h2>\n" + section_table(*b);
    h += "<p class=\"note\">" + esc(b->note) + "</p>\n";
    for (const auto& f : b->figures) {
      h += "<figure class=\"wide\"><img alt=\"" + esc(f.caption) + "\" src=\"data:image/png;base64," +
           base64_file(dir / f.file) + "\"><figcaption>" + esc(f.caption) + "</figcaption></figure>\n";
      extra_figures.push_back(f.file);
    }
    h += "</section>\n";
  }

  // ---- registers (records and events left out, events counted) ----
  if (const auto g = register_report_section(r, l)) {
    h += "<section id=\"" + esc(g->id) + "\"><h2>" + esc(g->title) + "</h2>\n";
    if (!g->rows.empty()) h += section_table(*g);
    h += "<p class=\"note\">" + esc(g->note) + "</p>\n</section>\n";
  }

  // ---- service demand, control totals, capacity, households (planning_output.hpp) ----
  std::vector<ReportSection> planning = planning_report_sections(r, l);
  if (auto sv = service_report_section(r, l)) planning.insert(planning.begin(), std::move(*sv));
  for (const ReportSection& p : planning) {
    h += "<section id=\"" + esc(p.id) + "\"><h2>" + esc(p.title) + "</h2>\n" + section_table(p);
    h += "<p class=\"note\">" + esc(p.note) + "</p>\n</section>\n";
  }

  // ---- births by order (parity.csv, parity_output.cpp) ----
  if (const auto ps = parity_report_section(dir_text, l)) {
    h += "<section id=\"" + esc(ps->id) + "\"><h2>" + esc(ps->title) + "</h2>\n<table><tr>";
    for (const auto& c : ps->header) h += "<th>" + esc(c) + "</th>";
    h += "</tr>\n";
    for (const auto& row : ps->rows) {
      h += "<tr><td>" + esc(r.variant_label(row[0], l)) + "</td>";
      for (std::size_t k = 1; k < row.size(); ++k) h += "<td class=\"n\">" + esc(row[k]) + "</td>";
      h += "</tr>\n";
    }
    h += "</table>\n<p class=\"note\">" + esc(ps->note) + "</p>\n</section>\n";
  }

  // ---- inputs ----
  h += "<section id=\"inputs\"><h2>" + esc(word("inputs", l)) + "</h2>\n<table><tr><th>" + esc(word("file", l)) +
       "</th><th>" + esc(zh ? "用途" : "role") + "</th><th>SHA-256</th></tr>\n";
  for (const auto& in : r.meta.inputs)
    h += "<tr><td>" + esc(in.path) + "</td><td>" + esc(input_role_label(in.role, l)) + "</td><td><code>" + esc(in.sha256) + "</code></td></tr>\n";
  h += "</table>\n<p class=\"note\">" +
       esc(zh ? "方法：多区域队列要素法（联合国人口司 ccmppWPP 算法），人口按区域×人口类别×性别×年龄推算。年份Y的人口为Y年末人口。本报告由 cohortgis 根据结果文件夹自动生成，数字与 CSV 文件一致。"
              : "Method: multi-regional cohort-component projection (the UN Population Division's ccmppWPP arithmetic) by zone × "
                "group × sex × age. Population labelled Y is the end of year Y. Generated by cohortgis from the results "
                "folder; the numbers are those of its CSV files.") +
       "</p>\n</section>\n</main>\n</body>\n</html>\n";

  write_atomically(out, h);
  ReportResult res;
  res.file = out.string();
  for (const auto& f : figs) res.figures.push_back(f.file);
  res.figures.insert(res.figures.end(), extra_figures.begin(), extra_figures.end());
  std::vector<std::string> written = res.figures;
  written.push_back("report.html");
  refresh_manifest(dir, written);
  res.warnings = std::move(warnings);
  return res;
}

}  // namespace cohortgis::app
