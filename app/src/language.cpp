// SPDX-License-Identifier: Apache-2.0
#include "cohortgis/app/language.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <string_view>

#include "cjk_text.hpp"
#include "cohortgis/engine/types.hpp"
#include "cohortgis/geodata/ascii_case.hpp"
#include "cohortgis/geodata/number_format.hpp"

namespace cohortgis::app {

namespace {

struct Entry {
  const char* key;
  const char* zh;
  const char* en;
  // Kind of value: 'p' persons (万人 / persons), 'r' rate per 1000, '%' percent, 'x' plain number.
  char kind;
  int decimals;  // of 'r', '%' and 'x' values
  const char* unit_zh = "";
  const char* unit_en = "";
};

// Names as Chinese statistical yearbooks and plans write them (e.g. 《北京统计年鉴》, 国家统计局 指标解释).
const Entry kEntries[] = {
    {"population", "常住人口", "Resident population", 'p', 1},
    {"population_female", "女性人口", "Female population", 'p', 1},
    {"population_male", "男性人口", "Male population", 'p', 1},
    {"births", "出生人口", "Births", 'p', 1},
    {"births_female", "出生人口（女）", "Births, girls", 'p', 1},
    {"births_male", "出生人口（男）", "Births, boys", 'p', 1},
    // Births by order and the family-planning indicators of parity.csv (国家卫生健康委 计划生育统计: 一孩率 …).
    // In persons, as 计划生育统计 counts them: a district's 1,161 third births were "0.1" 万人.
    {"births_order_1", "一孩出生数", "First births", 'x', 0, "人", "persons"},
    {"births_order_2", "二孩出生数", "Second births", 'x', 0, "人", "persons"},
    {"births_order_3_plus", "多孩出生数（三孩及以上）", "Third and higher births", 'x', 0, "人", "persons"},
    {"share_order_1_percent", "一孩率", "Share of first births", '%', 1},
    {"share_order_2_percent", "二孩率", "Share of second births", '%', 1},
    {"share_order_3_plus_percent", "多孩率", "Share of third and higher births", '%', 1},
    {"tfr_order_1", "一孩总和生育率", "Total fertility rate, first births", 'x', 2, "", "children per woman"},
    {"tfr_order_2", "二孩总和生育率", "Total fertility rate, second births", 'x', 2, "", "children per woman"},
    {"tfr_order_3_plus", "多孩总和生育率", "Total fertility rate, third and higher births", 'x', 2, "",
     "children per woman"},
    {"srb_order_1_per_100", "一孩出生性别比", "Sex ratio at birth, first births", 'x', 1, "女=100",
     "boys per 100 girls"},
    {"srb_order_2_per_100", "二孩出生性别比", "Sex ratio at birth, second births", 'x', 1, "女=100",
     "boys per 100 girls"},
    {"srb_order_3_plus_per_100", "多孩出生性别比", "Sex ratio at birth, third and higher births", 'x', 1, "女=100",
     "boys per 100 girls"},
    {"mean_age_first_birth", "平均初育年龄", "Mean age at first birth", 'x', 1, "岁", "years"},
    {"women_49plus_parity_0", "49岁及以上无孩妇女", "Women 49+ with no child", 'p', 1},
    {"women_49plus_parity_1", "49岁及以上一孩妇女", "Women 49+ with one child", 'p', 1},
    {"women_49plus_parity_2", "49岁及以上二孩妇女", "Women 49+ with two children", 'p', 1},
    {"women_49plus_parity_3_plus", "49岁及以上多孩妇女", "Women 49+ with three or more children", 'p', 1},
    {"women_60plus_parity_0", "60岁及以上无孩妇女", "Women 60+ with no child", 'p', 1},
    {"women_60plus_parity_1", "60岁及以上一孩妇女（奖励扶助）", "Women 60+ with one child", 'p', 1},
    {"women_60plus_parity_2", "60岁及以上二孩妇女", "Women 60+ with two children", 'p', 1},
    {"women_60plus_parity_3_plus", "60岁及以上多孩妇女", "Women 60+ with three or more children", 'p', 1},
    // 特别扶助 base (docs/parity.md): expected mothers whose only child has died; small counts, in persons.
    {"mothers_lost_only_child_49plus", "49岁及以上独生子女死亡母亲（特别扶助）",
     "Mothers 49+ whose only child has died", 'x', 0, "人", "persons"},
    {"mothers_lost_only_child_60plus", "60岁及以上独生子女死亡母亲（特别扶助）",
     "Mothers 60+ whose only child has died", 'x', 0, "人", "persons"},
    {"deaths", "死亡人口", "Deaths", 'p', 1},
    {"net_migration", "净迁入人口", "Net migration", 'p', 1},
    {"person_years", "人年数", "Person-years", 'x', 0, "人年", "person-years"},
    {"cbr_per_1000", "出生率", "Crude birth rate", 'r', 2},
    {"cdr_per_1000", "死亡率", "Crude death rate", 'r', 2},
    {"natural_growth_per_1000", "自然增长率", "Natural growth rate", 'r', 2},
    {"tfr", "总和生育率", "Total fertility rate", 'x', 2, "", "children per woman"},
    {"srb_per_100_females", "出生人口性别比", "Sex ratio at birth", 'x', 1, "女=100", "boys per 100 girls"},
    {"e0_female", "女性平均预期寿命", "Life expectancy at birth, women", 'x', 1, "岁", "years"},
    {"e0_male", "男性平均预期寿命", "Life expectancy at birth, men", 'x', 1, "岁", "years"},
    {"e0", "平均预期寿命（男女合计）", "Life expectancy at birth, both sexes", 'x', 1, "岁", "years"},
    {"e65_female", "65岁女性平均预期余寿", "Life expectancy at 65, women", 'x', 1, "岁", "years"},
    {"e65_male", "65岁男性平均预期余寿", "Life expectancy at 65, men", 'x', 1, "岁", "years"},
    {"share_0_14_percent", "少儿人口比重 0-14岁", "Share aged 0-14", '%', 1},
    {"share_15_64_percent", "劳动年龄人口比重 15-64岁", "Share aged 15-64", '%', 1},
    {"share_65_plus_percent", "老龄化率 65+", "Share aged 65+", '%', 1},
    {"share_60_plus_percent", "60岁及以上人口比重", "Share aged 60+", '%', 1},
    {"old_age_dependency_ratio", "老年抚养比", "Old-age dependency ratio", '%', 1},
    {"total_dependency_ratio", "总抚养比", "Total dependency ratio", '%', 1},
    {"median_age", "年龄中位数", "Median age", 'x', 1, "岁", "years"},
    {"women_15_49", "育龄妇女 15-49岁", "Women aged 15-49", 'p', 1},
    {"age_0_2", "0-2岁人口（托育）", "Children aged 0-2", 'p', 1},
    {"age_3_5", "3-5岁人口（学前）", "Children aged 3-5", 'p', 1},
    {"age_6_11", "6-11岁人口（小学）", "Children aged 6-11", 'p', 1},
    {"age_12_14", "12-14岁人口（初中）", "Children aged 12-14", 'p', 1},
    {"age_15_59", "劳动年龄人口 15-59岁", "Working-age population 15-59", 'p', 1},
    {"age_15_64", "劳动年龄人口 15-64岁", "Working-age population 15-64", 'p', 1},
    {"age_60_plus", "60岁及以上人口", "Population aged 60+", 'p', 1},
    {"age_65_plus", "65岁及以上人口", "Population aged 65+", 'p', 1},
    // Asked for by name ([outputs] indicators; docs/results.md).
    {"age_15_17", "15-17岁人口（高中）", "Young people aged 15-17", 'p', 1},
    {"age_80_plus", "80岁及以上人口（高龄）", "Population aged 80+", 'p', 1},
    {"share_80_plus_percent", "80岁及以上人口比重", "Share aged 80+", '%', 1},
    {"child_dependency_ratio", "少儿抚养比", "Child dependency ratio", '%', 1},
    {"mean_age_childbearing", "平均生育年龄", "Mean age at childbearing", 'x', 1, "岁", "years"},
    {"grr", "总再生产率", "Gross reproduction rate", 'x', 2, "", "daughters per woman"},
    {"nrr", "净再生产率", "Net reproduction rate", 'x', 2, "", "daughters per woman"},
    // plan_periods.csv columns
    {"population_start", "期初常住人口", "Population at the start", 'p', 1},
    {"population_end", "期末常住人口", "Population at the end", 'p', 1},
    {"adjustments", "调整数", "Adjustments", 'p', 1},
    {"births_per_year", "年均出生人口", "Births per year", 'p', 1},
    {"deaths_per_year", "年均死亡人口", "Deaths per year", 'p', 1},
    {"net_migration_per_year", "年均净迁入人口", "Net migration per year", 'p', 1},
    // 100 · ln(end/start) / years, the exponential (continuous) rate: 年均增长率 of plans is geometric,
    // 100 · ((end/start)^(1/years) − 1), slightly above it for growth (docs/results.md plan_periods.csv).
    {"growth_rate_percent", "年均指数增长率", "Average annual exponential growth rate", '%', 2},
    {"years", "年数", "Years", 'x', 0, "年", "years"},
};

const Entry* find_entry(const std::string& key) {
  for (const Entry& e : kEntries)
    if (key == e.key) return &e;
  return nullptr;
}

const std::map<std::string, std::pair<const char*, const char*>>& words() {
  static const std::map<std::string, std::pair<const char*, const char*>> w = {
      {"report_title", {"人口预测报告", "Population projection report"}},
      {"scenario", {"情景", "Scenario"}},
      {"variant", {"方案", "Variant"}},
      {"variants", {"方案", "Variants"}},
      {"baseline", {"基准方案", "Baseline"}},  // a variant's display name: "Baseline" as "Higher fertility"
      {"summary", {"概要", "Summary"}},
      {"assumptions", {"主要假设", "Assumptions"}},
      {"targets", {"规划目标", "Plan targets"}},
      {"target", {"目标", "Target"}},
      {"indicator", {"指标", "Indicator"}},
      {"zone", {"区域", "Zone"}},
      {"period", {"时期", "Period"}},
      {"year", {"年份", "Year"}},
      {"value", {"预测值", "Value"}},
      {"limit", {"控制值", "Limit"}},
      {"margin", {"余量", "Margin"}},
      {"status", {"是否达标", "Status"}},
      {"met", {"达标", "met"}},
      {"missed", {"未达标", "missed"}},
      {"unknown", {"无法判断", "unknown"}},
      {"plan_periods", {"规划期", "Plan periods"}},
      {"maps", {"专题地图", "Maps"}},
      {"pyramids", {"人口金字塔", "Population pyramids"}},
      {"pyramid_of", {"人口金字塔", "population pyramid"}},  // one chart's title: "Whole area population pyramid 2035"
      {"charts", {"指标变化", "Indicators over time"}},
      {"zone_table", {"分区指标", "Indicators by zone"}},
      {"inputs", {"输入数据", "Inputs"}},
      {"method", {"方法说明", "Method"}},
      {"female", {"女", "female"}},
      {"male", {"男", "male"}},
      {"persons", {"人", "persons"}},
      {"age", {"年龄", "age"}},
      {"no_data", {"无数据", "no data"}},
      {"total_population", {"常住人口", "Resident population"}},
      {"whole_area", {"合计", "Whole area"}},
      {"change", {"变化", "change"}},
      {"change_percent", {"变化率", "change"}},
      {"small_multiples_years", {"各规划年份", "by plan year"}},
      {"small_multiples_variants", {"各方案比较", "by variant"}},
      {"source_note",
       {"资料来源：cohortgis 人口预测（队列要素法）；基础数据见报告“输入数据”",
        "Source: cohortgis cohort-component projection; inputs listed in the report"}},
      {"generated", {"生成时间", "Generated"}},
      {"version", {"版本", "Version"}},
      {"no_geometry",
       {"情景未提供区域边界（[geography] source），未生成地图。",
        "The scenario gives no zone boundaries ([geography] source), so no maps were drawn."}},
      {"start", {"期初", "start"}},
      {"end", {"期末", "end"}},
      {"plan", {"规划", "Plan"}},
      {"met_count", {"达标", "met"}},
      {"missed_count", {"未达标", "missed"}},
      {"projection", {"预测", "Projection"}},
      {"base_year", {"基期", "Base year"}},
      {"horizon", {"预测期末", "Horizon"}},
      {"zones", {"区域数", "Zones"}},
      {"groups", {"人口类别", "Groups"}},
      {"file", {"文件", "File"}},
      {"overlay_outline", {"（轮廓）", "(outline)"}},
  };
  return w;
}

// The notes cohortgis writes into a scenario's assumptions (the scenario loader: level fits, registers, inputs not
// used; manifest.json keeps them in English) as a Chinese report says them: each English template with its fields
// {0}, {1} … and the Chinese sentence with the same fields. A field keeps its text (numbers, file names, keys) unless
// it is one of kNoteParts; a {yN} field that is a year or a range of years ("2021", "2018-2020") gets 年.
struct NoteTemplate {
  const char* en;
  const char* zh;
};
// Longer templates before those they begin with (the records note with exclusions before the one without).
const NoteTemplate kNotes[] = {
    {"Mortality level fitted ([mortality] fit): Brass relational logit alpha = {0} on the given death rates, giving a "
     "life expectancy at birth of {1} years for both sexes in the step covering {2} (target {3}; sexes weighted by {4} "
     "males per 100 females).",
     "死亡水平拟合（[mortality] fit）：对给定死亡率用 Brass 关系 logit 模型调整，"
     "α = {0}，覆盖{y2}的预测步男女合计出生时平均预期寿命为 {1} 岁"
     "（目标 {3} 岁；两性按出生性别比 {4}（女=100）加权）。"},
    {"Fertility level fitted ([fertility] fit): every schedule multiplied by {0}, giving {1} in {2} of the projection "
     "itself (target {3} for {4}).",
     "生育水平拟合（[fertility] fit）：各生育率模式乘以 {0}，使预测本身{y2}的{1}（{y4}目标 {3}）。"},
    {"Registers of events counted for {0} (register_rates.csv, register_observed.csv); person-years: {1}.",
     "登记的出生、死亡事件按{y0}统计（register_rates.csv、register_observed.csv）；人年数：{1}。"},
    {"Base population from the register {0}: {1} persons of {2} records, ages in completed years at {3}; excluded "
     "under the declared policy: {4} (exclusions.csv).",
     "基期人口取自登记数据 {0}：{2} 条记录中的 {1} 人，年龄为 {3} 时的周岁；按声明的规则排除：{4}（exclusions.csv）。"},
    {"Base population from the register {0}: {1} persons of {2} records, ages in completed years at {3}.",
     "基期人口取自登记数据 {0}：{2} 条记录中的 {1} 人，年龄为 {3} 时的周岁。"},
    {"Base population by group: fitted by iterative proportional fitting to {0} margins ({1}) from age-sex profiles "
     "({2}); converged in {3} sweeps, largest relative gap {4}.",
     "分类别基期人口：由年龄性别结构（{2}）出发，以迭代比例拟合法拟合 {0} 个边际（{1}）；{3} 轮迭代后收敛，最大相对差 "
     "{4}。"},
    {"Input note: {0} ({1}): rows of {2} {3} are not used by any step of {4}-{5} and were ignored.",
     "输入说明：{0}（{1}）中 {2} 为 {3} 的行不属于 {4}–{5}年的任何预测步，已忽略。"},
};
// Parts of those notes that are words (the fields of kNotes), looked up only there.
const NoteTemplate kNoteParts[] = {
    {"a crude birth rate of {0} per 1000 person-years", "出生率为 {0}‰"},
    {"{0} births a year", "年出生人口为 {0} 人"},
    {"the first step ({0}-{1})", "第一个预测步（{0}–{1}年）"},
    {"the table {0}", "表 {0}"},
    {"the base population ({0}-12-31) as person-years of {1}", "以基期人口（{0}-12-31）作为{y1}的人年数"},
    {"the base population by zone, sex and age, the group totals by zone, known counts",
     "分区域、性别和年龄的基期人口，分区域的人口类别合计，已知人数"},
    {"the base population by zone, sex and age, the group totals by zone",
     "分区域、性别和年龄的基期人口，分区域的人口类别合计"},
    {"the base population by zone, sex and age, known counts", "分区域、性别和年龄的基期人口，已知人数"},
    {"the base population by zone, sex and age", "分区域、性别和年龄的基期人口"},
    {"none", "无"},
};

// One piece of a template: literal text, or field `index` (a year field when `year`).
struct TemplatePiece {
  std::string_view literal;
  int index = -1;
  bool year = false;
};

std::vector<TemplatePiece> template_pieces(std::string_view t) {
  std::vector<TemplatePiece> out;
  std::size_t i = 0;
  while (i < t.size()) {
    const std::size_t open = t.find('{', i);
    if (open == std::string_view::npos) {
      out.push_back({t.substr(i)});
      break;
    }
    if (open > i) out.push_back({t.substr(i, open - i)});
    const std::size_t close = t.find('}', open);
    const bool year = t[open + 1] == 'y';
    out.push_back({{}, t[close - 1] - '0', year});
    i = close + 1;
  }
  return out;
}

// The fields of `text` when it is `en` with its fields filled (each at least one character; a field runs to the first
// occurrence of the literal after it, the last literal to the end), else false.
bool match_template(std::string_view en, std::string_view text, std::vector<std::string>& fields) {
  const std::vector<TemplatePiece> pieces = template_pieces(en);
  fields.assign(10, {});
  std::size_t pos = 0;
  for (std::size_t k = 0; k < pieces.size(); ++k) {
    const TemplatePiece& p = pieces[k];
    if (p.index < 0) {
      if (text.substr(pos, p.literal.size()) != p.literal) return false;
      pos += p.literal.size();
      continue;
    }
    std::size_t end = text.size();
    if (k + 1 < pieces.size()) {
      const std::string_view next = pieces[k + 1].literal;
      end = k + 2 == pieces.size()
                ? (text.size() >= next.size() + pos && text.ends_with(next) ? text.size() - next.size()
                                                                            : std::string_view::npos)
                : text.find(next, pos + 1);
    }
    if (end == std::string_view::npos || end <= pos) return false;
    fields[static_cast<std::size_t>(p.index)] = std::string(text.substr(pos, end - pos));
    pos = end;
  }
  return pos == text.size();
}

// `zh` with the fields filled in: words of kNoteParts in Chinese, years with 年.
std::string fill_template(std::string_view zh, const std::vector<std::string>& fields);

std::string note_part(const std::string& text) {
  std::vector<std::string> fields;
  for (const NoteTemplate& t : kNoteParts)
    if (match_template(t.en, text, fields)) return fill_template(t.zh, fields);
  return text;
}

std::string fill_template(std::string_view zh, const std::vector<std::string>& fields) {
  std::string out;
  for (const TemplatePiece& p : template_pieces(zh)) {
    if (p.index < 0) {
      out += p.literal;
      continue;
    }
    std::string field = note_part(fields[static_cast<std::size_t>(p.index)]);
    if (p.year && !field.empty() && field.find_first_not_of("0123456789-") == std::string::npos) {
      if (const std::size_t dash = field.find('-'); dash != std::string::npos) field.replace(dash, 1, "–");
      field += "年";
    }
    out += field;
  }
  return out;
}

}  // namespace

std::string assumption_note(const std::string& note, Language l) {
  if (l != Language::zh) return note;
  std::vector<std::string> fields;
  for (const NoteTemplate& t : kNotes)
    if (match_template(t.en, note, fields)) return fill_template(t.zh, fields);
  return note;
}

char32_t code_point_at(const std::string& s, std::size_t i, std::size_t& length) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const std::size_t n = b(0) >= 0xF0 ? 4 : b(0) >= 0xE0 ? 3 : b(0) >= 0xC0 ? 2 : 1;
  if (n == 1 || i + n > s.size()) {
    length = 1;
    return b(0);
  }
  char32_t c = b(0) & (0x7Fu >> n);
  for (std::size_t k = 1; k < n; ++k) c = (c << 6) | (b(k) & 0x3Fu);
  length = n;
  return c;
}

char32_t last_code_point(const std::string& s) {
  if (s.empty()) return 0;
  std::size_t i = s.size() - 1, n = 1;
  while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;  // back to the last character's lead byte
  return code_point_at(s, i, n);
}

bool is_cjk_ideograph(char32_t c) {
  return (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x20000 && c <= 0x3FFFF);
}

Language parse_language(const std::string& text, const std::string& what) {
  // ASCII letters only (ascii_case.hpp): under a host's tr_TR.UTF-8 std::tolower left 'I', and "ENGLISH" was refused
  // in Python while the command line took it as en.
  const std::string t = geodata::ascii_lower(text);
  if (t == "zh" || t.rfind("zh-", 0) == 0 || t.rfind("zh_", 0) == 0 || t == "chinese") return Language::zh;
  if (t == "en" || t.rfind("en-", 0) == 0 || t.rfind("en_", 0) == 0 || t == "english") return Language::en;
  throw InputError(what + ": '" + text + "'; expected zh (Chinese, zh-CN) or en (English)");
}

const char* language_code(Language l) { return l == Language::zh ? "zh-CN" : "en"; }

Language guess_language(const std::vector<std::string>& texts) {
  for (const std::string& s : texts)
    for (std::size_t i = 0, n = 1; i < s.size(); i += n)
      if (is_cjk_ideograph(code_point_at(s, i, n))) return Language::zh;
  return Language::en;
}

IndicatorLabel indicator_label(const std::string& key, Language l) {
  IndicatorLabel out;
  out.key = key;
  const Entry* e = find_entry(key);
  if (!e) {
    out.name = key;
    out.decimals = 2;
    return out;
  }
  const bool zh = l == Language::zh;
  out.name = zh ? e->zh : e->en;
  switch (e->kind) {
    case 'p':
      out.count = true;
      out.unit = zh ? "万人" : "persons";
      out.scale = zh ? 1e-4 : 1.0;
      out.decimals = zh ? 1 : 0;
      break;
    case 'r':
      out.unit = "‰";
      out.decimals = e->decimals;
      break;
    case '%':
      out.unit = "%";
      out.decimals = e->decimals;
      break;
    default:
      out.unit = zh ? e->unit_zh : e->unit_en;
      out.decimals = e->decimals;
  }
  return out;
}

std::vector<std::string> labelled_indicators() {
  std::vector<std::string> keys;
  for (const Entry& e : kEntries) keys.emplace_back(e.key);
  return keys;
}

IndicatorLabel column_label(const std::string& key, Language l, const std::vector<double>& values) {
  IndicatorLabel lab = indicator_label(key, l);
  if (!lab.count || lab.scale == 1.0) return lab;
  for (const double v : values)
    if (std::isfinite(v) && v != 0.0 && std::abs(v) < 1e4) {
      lab.unit = "人";
      lab.scale = 1.0;
      lab.decimals = 0;
      break;
    }
  return lab;
}

std::string indicator_title(const std::string& key, Language l) { return label_title(indicator_label(key, l), l); }

std::string label_title(const IndicatorLabel& lab, Language l) {
  if (lab.unit.empty()) return lab.name;
  // Chinese writes per-mille rates as 出生率‰ (unit glued to the name).
  if (l == Language::zh && (lab.unit == "‰" || lab.unit == "%")) return lab.name + (lab.unit == "%" ? "（%）" : "‰");
  return lab.name + (l == Language::zh ? "（" + lab.unit + "）" : " (" + lab.unit + ")");
}

std::string change_unit(const std::string& unit, Language l) {
  const bool zh = l == Language::zh;
  if (unit == "%") return zh ? "百分点" : "percentage points";
  if (unit == "‰") return zh ? "千分点" : "points per 1000";
  return unit;
}

std::string group_label(const std::string& group, Language l) {
  const bool zh = l == Language::zh;
  if (group == "registered") return zh ? "户籍人口" : "Registered (hukou) population";
  if (group == "floating") return zh ? "流动人口" : "Floating population";
  if (group == "all" || group == "total") return zh ? "常住人口" : "Resident population";
  return group;
}

std::string unit_label(const std::string& unit, Language l) {
  // Not 全市: the zones may be a district's streets or two districts of a city (合计, the sum of every zone).
  if (unit == "total") return l == Language::zh ? "合计" : "Whole area";
  return unit;
}

std::string format_value(double v, int decimals, Language l) {
  if (!std::isfinite(v)) return "–";
  const std::string s = geodata::fixed_digits(v, decimals);
  if (s.find_first_not_of("0.") == std::string::npos) return s;  // no "-0.0"
  const std::string sign = v < 0 ? "-" : "";
  return sign + (l == Language::zh ? s : geodata::group_thousands(s));
}

std::string format_indicator(const std::string& key, double v, Language l) {
  return format_labelled(indicator_label(key, l), v, l);
}

std::string format_labelled(const IndicatorLabel& lab, double v, Language l) {
  return format_value(v * lab.scale, lab.decimals, l);
}

std::string format_persons(double v, Language l) {
  return l == Language::zh ? format_value(v * 1e-4, 1, l) + "万人" : format_value(v, 0, l) + " persons";
}

// "14th Five-Year Plan" → "“十四五”规划" (how Chinese documents name the plans); other names unchanged.
std::string period_display(const std::string& label) {
  const auto digits = [&](std::size_t from, std::size_t n) {
    for (std::size_t i = from; i < from + n; ++i)
      if (!geodata::is_ascii_digit(label[i])) return false;
    return true;
  };
  if (label.size() != 9 || label[4] != '-' || !digits(0, 4) || !digits(5, 4)) return label;
  return label.substr(0, 4) + "–" + label.substr(5);
}

std::string plan_label(const std::string& plan, Language l) {
  if (l != Language::zh) return plan;
  // Digits, then st/nd/rd/th and " Five-Year Plan" (matched by hand: std::regex took most of this file's compile
  // time under the sanitizers).
  const std::string tail = " Five-Year Plan";
  std::size_t d = 0;
  while (d < plan.size() && geodata::is_ascii_digit(plan[d])) ++d;
  if (d == 0 || plan.size() != d + 2 + tail.size() || plan.compare(d + 2, std::string::npos, tail) != 0) return plan;
  const std::string suffix = plan.substr(d, 2);
  if (suffix != "st" && suffix != "nd" && suffix != "rd" && suffix != "th") return plan;
  int n = 0;
  for (std::size_t i = 0; i < d; ++i) n = std::min(n * 10 + (plan[i] - '0'), 100);  // 100: too large, any number
  static const char* digits[] = {"", "一", "二", "三", "四", "五", "六", "七", "八", "九"};
  if (n < 1 || n > 19) return plan;
  const std::string num = n < 10 ? digits[n] : std::string("十") + digits[n - 10];
  return "“" + num + "五”规划";
}

std::string word(const std::string& key, Language l) {
  const auto& w = words();
  const auto it = w.find(key);
  if (it == w.end()) return key;
  return l == Language::zh ? it->second.first : it->second.second;
}

}  // namespace cohortgis::app
