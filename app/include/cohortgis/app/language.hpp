// SPDX-License-Identifier: Apache-2.0
// The words and numbers of maps, charts and the report in Chinese (zh-CN) or English: indicator names as Chinese
// planners write them (常住人口, 出生率‰, 老龄化率 65+ …), units, and number formats (万人 with one decimal in
// Chinese, thousands separators in English). Public so the Python layer labels its plots the same way.
#pragma once

#include <string>
#include <vector>

namespace cohortgis::app {

enum class Language { zh, en };

// "zh", "zh-CN", "zh_CN" → zh; "en", "en-US"… → en. Throws InputError naming `what` otherwise.
Language parse_language(const std::string& text, const std::string& what = "--lang");
const char* language_code(Language l);  // "zh-CN" or "en"
// zh when any of the texts holds a CJK ideograph (a Chinese scenario: zone names such as 东城区), else en.
Language guess_language(const std::vector<std::string>& texts);

// How one indicator (an indicators.csv indicator or a plan_periods.csv column) is named and shown.
struct IndicatorLabel {
  std::string key;        // machine name, e.g. "share_65_plus_percent"
  std::string name;       // e.g. "老龄化率 65+" / "Share aged 65+"
  std::string unit;       // e.g. "%", "万人", "persons", "‰"
  double scale = 1.0;     // displayed value = value × scale (1e-4 for 万人)
  int decimals = 1;       // decimals of the displayed value
  bool count = false;     // a number of persons (or births, deaths)
};

// The label of `key` (unknown keys get their machine name, unit "" and 2 decimals).
IndicatorLabel indicator_label(const std::string& key, Language l);
// Every indicator key with a label, in display order.
std::vector<std::string> labelled_indicators();
// "常住人口 (万人)" / "Resident population (persons)"; without unit when it is empty.
std::string indicator_title(const std::string& key, Language l);
// The label of a table column of `key` holding `values`: a count in 万人 (one decimal) is in 人, whole persons, when
// one of its non-zero values is below 1万 (a street's 300 births a year read "0.0" 万人); others as indicator_label.
IndicatorLabel column_label(const std::string& key, Language l, const std::vector<double>& values);
// indicator_title and format_indicator for a label of column_label.
std::string label_title(const IndicatorLabel& lab, Language l);
std::string format_labelled(const IndicatorLabel& lab, double v, Language l);

// The unit of a difference between two values in `unit`: a change of a percentage is in percentage points (百分点),
// of a per-1000 rate in points per 1000 (千分点); other units (万人, years, none) are their own.
std::string change_unit(const std::string& unit, Language l);

// Group names: registered → 户籍人口, floating → 流动人口, all → 常住人口 (English likewise); others unchanged.
std::string group_label(const std::string& group, Language l);
// Aggregate names: total → 合计 / Whole area; others unchanged.
std::string unit_label(const std::string& unit, Language l);

// A number for a reader: `decimals` decimals with thousands separators in English ("21,893,095"), none in Chinese
// ("2189.3"). NaN gives "–".
std::string format_value(double v, int decimals, Language l);
// A value of `key` in its display unit (scaled, rounded), without the unit: "2189.3" (万人) / "21,893,095".
std::string format_indicator(const std::string& key, double v, Language l);
// A count of persons with its unit: "2189.3万人" / "21,893,095 persons".
std::string format_persons(double v, Language l);

// A plan period's label for a reader: a year range "2021-2025" (the files' spelling) with an en dash, "2021–2025", as
// the titles' "2020–2035"; any other label unchanged.
std::string period_display(const std::string& label);

// A plan's name: "14th Five-Year Plan" → "“十四五”规划" in Chinese; other names unchanged.
std::string plan_label(const std::string& plan, Language l);

// A note that cohortgis wrote into a scenario's assumptions (a fitted level, registers counted, input rows not used;
// English in manifest.json) in language l: the same sentence in Chinese, its numbers, years and names as they were.
// Other texts (the scenario's own assumptions) come back unchanged.
std::string assumption_note(const std::string& note, Language l);
// Fixed words of maps, charts and the report, by key (e.g. "targets", "met", "missed", "female").
// Unknown keys come back unchanged.
std::string word(const std::string& key, Language l);

}  // namespace cohortgis::app
