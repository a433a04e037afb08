// SPDX-License-Identifier: Apache-2.0
// Value maps and age labels of a table reference (scenarios/README.md "Value mappings and age labels"): the file's
// own codes ("女", 1, "户籍") and Chinese age labels ("5～9岁", "85岁及以上") become the values the builders expect
// when the table is read, so no builder needs to know about them.
#include <cstdio>
#include <cstdlib>

#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/geodata/ascii_case.hpp"
#include "cohortgis/geodata/read_policy.hpp"
#include "toml_doc.hpp"

namespace cohortgis::scenarios::detail {

namespace {

// Spellings of the two sexes accepted in every `sex` column without a map (WPP files write Female/Male).
const std::map<std::string, std::string>& builtin_sexes() {
  static const std::map<std::string, std::string> m = {
      {"female", "female"}, {"f", "female"}, {"F", "female"}, {"Female", "female"}, {"女", "female"},
      {"male", "male"},     {"m", "male"},   {"M", "male"},   {"Male", "male"},     {"男", "male"}};
  return m;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// Label → ASCII digits, no blanks, lower-case Latin letters (full-width digits and blanks occur in Chinese tables).
std::string normalise_label(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == ' ' || c == '\t') { ++i; continue; }
    if (starts_with(s.substr(i), "\u3000") || starts_with(s.substr(i), "\u00a0")) {  // ideographic / no-break space
      i += s.substr(i, 3) == "\u3000" ? 3 : 2;
      continue;
    }
    // Full-width digits U+FF10–U+FF19: EF BC 90–99.
    if (c == 0xEF && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xBC &&
        static_cast<unsigned char>(s[i + 2]) >= 0x90 && static_cast<unsigned char>(s[i + 2]) <= 0x99) {
      out += static_cast<char>('0' + (static_cast<unsigned char>(s[i + 2]) - 0x90));
      i += 3;
      continue;
    }
    out += geodata::ascii_lower(static_cast<char>(c));
    ++i;
  }
  return out;
}

bool read_digits(std::string_view& s, int& v) {
  std::size_t n = 0;
  v = 0;
  while (n < s.size() && s[n] >= '0' && s[n] <= '9' && n < 4) v = v * 10 + (s[n++] - '0');
  if (n == 0 || (n < s.size() && s[n] >= '0' && s[n] <= '9')) return false;  // no digits, or more than 4
  s.remove_prefix(n);
  return true;
}

bool one_of(std::string_view s, std::initializer_list<std::string_view> list) {
  for (std::string_view l : list)
    if (s == l) return true;
  return false;
}

}  // namespace

const char* const kAgeLabelForms =
    "a whole number (\"5\"), one age (\"0岁\"), a group (\"0-4\", \"1-4岁\", \"5～9岁\", \"5~9\", \"5至9岁\"), or an "
    "open group (\"85+\", \"100+\", \"85岁及以上\", \"85岁以上\", \"85 and over\", \"85 years and over\")";

bool age_label_start(std::string_view label, int& age, int* years) {
  const std::string norm = normalise_label(label);
  std::string_view s = norm;
  if (years) *years = 0;
  if (one_of(s, {"不满1岁", "under1", "<1"})) return (age = 0), true;
  int a = 0;
  if (!read_digits(s, a)) return false;
  // One age, or an open group.
  if (years) *years = one_of(s, {"", "岁", "歲", "周岁"}) ? 0 : -1;  // a closed group sets its width below
  if (one_of(s, {"", "岁", "歲", "周岁", "+", "+岁", "岁+", "及以上", "以上", "岁及以上", "岁以上", "歲及以上", "歲以上",
                 "周岁及以上", "周岁以上", "andover", "andolder", "yearsandover", "yearsandolder", "+years", "years+",
                 "ormore", "yearsormore"}))
    return (age = a), true;
  // A closed group "a-b": the separator, the last age (not before the first), an optional unit.
  bool sep = false;
  for (std::string_view d : {"-", "\u2013", "\u2014", "\uff5e", "~", "\u301c", "\uff0d", "至", "到"})
    if (starts_with(s, d)) {
      s.remove_prefix(d.size());
      sep = true;
      break;
    }
  int b = 0;
  if (!sep || !read_digits(s, b) || b < a) return false;
  if (!one_of(s, {"", "岁", "歲", "周岁", "years"})) return false;
  age = a;
  if (years) *years = b - a + 1;
  return true;
}

void read_value_options(const Doc& doc, const toml::table& t, TableRef& ref,
                        std::initializer_list<std::string_view> logical_columns) {
  if (const toml::node* a = t.get("ages")) {
    const std::string v = doc.string(*a, ref.key + ".ages");
    if (v != "labels" && v != "numbers")
      doc.fail(a, ref.key + ".ages", "expected \"labels\" (e.g. \"5～9岁\", \"85+\") or \"numbers\", got \"" + v + "\"");
    ref.age_labels = v == "labels";
  }
  const toml::node* vn = t.get("values");
  if (!vn) return;
  const std::string vkey = ref.key + ".values";
  for (auto&& [role, map] : doc.table(*vn, vkey)) {
    const std::string rkey = vkey + "." + std::string(role.str());
    if (logical_columns.size() > 0) {
      bool known = false;
      std::string list;
      for (std::string_view l : logical_columns) {
        known = known || l == role.str();
        list += (list.empty() ? "" : ", ") + std::string(l);
      }
      if (!known)
        doc.fail(role.source(), rkey,
                 "unknown column role; " + did_you_mean(role.str(), logical_columns) + "expected one of: " + list);
    }
    auto& out = ref.values[std::string(role.str())];
    for (auto&& [from, to] : doc.table(map, rkey)) {
      const std::string ekey = rkey + "." + std::string(from.str());
      const std::string target = doc.string(to, ekey);
      if (role.str() == "sex" && target != "female" && target != "male")
        doc.fail(&to, ekey, "expected \"female\" or \"male\", got \"" + target + "\"");
      out[std::string(from.str())] = target;
    }
    if (out.empty()) doc.fail(&map, rkey, "expected at least one \"file value\" = \"value\" pair, got an empty table");
  }
}

namespace {

// A WPP file's AgeGrpSpan against the grid, as an age label's width (canonical_cells): the five-year population or
// ASFR file on a one-year grid would otherwise be read as the single ages 0, 5, … (span −1: the open group).
void check_wpp_span(const TableRef& ref, const geodata::Table& t, std::size_t row) {
  const std::string span_col = ref.column("age_span"), age_col = ref.column("age");
  if (!t.has_column(span_col) || !t.has_column(age_col)) return;
  const std::string& span = t.text(row, span_col);
  const std::string& start = t.text(row, age_col);
  const int years = span == "-1" ? -1 : std::atoi(span.c_str()), age = std::atoi(start.c_str());
  if (age >= ref.label_open_age || years == ref.label_width || years == 0) return;
  const std::string w = std::to_string(ref.label_width) + (ref.label_width == 1 ? " year" : " years");
  throw InputError(t.where(row, span_col) + ": " +
                   (years < 0
                        ? "the open age group from " + start + " starts below the grid's open age " +
                              std::to_string(ref.label_open_age) + "; set projection.open_age = " + start
                        : "the age group " + start + " spans " + span + " years, but this table's age groups are " + w +
                              " wide (projection.step, or a *_age_width of 5): read by its first age, the " +
                              "group would be the single age " + start + "; use the WPP file by groups of " + w));
}

}  // namespace

void canonical_cells(const TableRef& ref, geodata::Table& t, std::size_t row) {
  for (const auto& [role, map] : ref.values) {
    const std::string col = ref.column(role);
    if (!t.has_column(col)) continue;  // an optional role the file does not have
    std::string& cell = t.rows[row][t.column(col)];
    auto it = map.find(cell);
    if (it != map.end()) {
      cell = it->second;
      continue;
    }
    std::string list;
    std::size_t n = 0;
    for (const auto& [from, to] : map) {
      if (++n > 20) {
        list += ", …";
        break;
      }
      list += (list.empty() ? "" : ", ") + quote_cell(from);
    }
    throw InputError(t.where(row, col) + ": " + quote_cell(cell) + " is not one of the values mapped by values." + role +
                     "; expected one of: " + list);
  }
  // Every row of every table passes here (16 million of a large base population): no string is built per row.
  static const std::string kSex = "sex";
  if (ref.values.empty() || !ref.values.count(kSex)) {
    const auto mapped = ref.columns.find(kSex);
    const std::string& col = mapped == ref.columns.end() ? kSex : mapped->second;
    const auto c = std::find(t.columns.begin(), t.columns.end(), col);
    if (c != t.columns.end()) {
      std::string& cell = t.rows[row][uz(c - t.columns.begin())];
      if (cell != "female" && cell != "male") {  // already canonical: no lookup
        auto it = builtin_sexes().find(cell);
        if (it != builtin_sexes().end()) cell = it->second;  // anything else: the builder's own message
      }
    }
  }
  if (ref.wpp.on && ref.label_width > 0) check_wpp_span(ref, t, row);
  if (ref.age_labels) {
    const std::string col = ref.column("age");
    if (t.has_column(col)) {
      std::string& cell = t.rows[row][t.column(col)];
      int age = 0, years = 0;
      if (!age_label_start(cell, age, &years))
        throw InputError(t.where(row, col) + ": " + quote_cell(cell) + " is not an age label (ages = \"labels\"); expected " +
                         kAgeLabelForms);
      // A label names its group's width, which a first age alone loses: "0-4" on a one-year grid would put the
      // group's persons (or rates) at age 0 and leave 1-4 empty, "85+" on a grid open at 100 everyone 85+ at 85.
      // Rows at or past the open age are summed into it (counts) whatever their width.
      const bool below_open = ref.label_open_age >= 0 && age < ref.label_open_age;
      if (ref.label_width > 0 && years > 0 && years != ref.label_width && below_open)
        throw InputError(
            t.where(row, col) + ": " + quote_cell(cell) + " is an age group of " + std::to_string(years) +
            (years == 1 ? " year" : " years") + ", but this table's age groups are " + std::to_string(ref.label_width) +
            (ref.label_width == 1 ? " year" : " years") +
            " wide (projection.step, or a *_age_width of 5): read as its first age, the group would be the " +
            "single age " + std::to_string(age) + "; give the table by groups of " + std::to_string(ref.label_width) +
            (ref.label_width == 1 ? " year" : " years"));
      if (ref.label_width > 0 && years < 0 && below_open)
        throw InputError(t.where(row, col) + ": " + quote_cell(cell) +
                         " is an open age group starting below the grid's open age " +
                         std::to_string(ref.label_open_age) + ": read as its first age, everyone in it would be aged " +
                         std::to_string(age) + "; give the ages up to " + std::to_string(ref.label_open_age) +
                         " separately, or set projection.open_age = " + std::to_string(age));
      cell = std::to_string(age);
    }
  }
}

}  // namespace cohortgis::scenarios::detail
