// SPDX-License-Identifier: Apache-2.0
#include "schedule_time.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <string_view>

#include "cohortgis/engine/index_cast.hpp"

namespace cohortgis::scenarios::detail {

namespace {

bool parse_int(const std::string& s, int& out) {
  const char* b = s.data();
  const char* e = b + s.size();
  while (b < e && *b == ' ') ++b;
  while (e > b && e[-1] == ' ') --e;
  const auto r = std::from_chars(b, e, out);
  if (r.ec == std::errc() && r.ptr == e && b != e) return true;
  // A whole year written as a decimal ("2020.0": pandas writes a year column so when any cell of it is empty), as
  // every whole number of a table may be (scenarios/README.md "Tables": 5 or 5.0, not 5.5).
  const char* dot = std::find(b, e, '.');
  if (dot == e || dot == b || r.ptr != dot || r.ec != std::errc()) return false;
  return std::all_of(dot + 1, e, [](char c) { return c == '0'; });
}

// "2021-2025" or "2021" (also with an en dash or "～").
bool parse_period(std::string s, int& a, int& c) {
  for (const char* dash : {"\xE2\x80\x93", "\xEF\xBD\x9E", "~"}) {
    const auto p = s.find(dash);
    if (p != std::string::npos) s.replace(p, std::string(dash).size(), "-");
  }
  const auto d = s.find('-', 1);
  if (d == std::string::npos) {
    if (!parse_int(s, a)) return false;
    c = a;
    return true;
  }
  return parse_int(s.substr(0, d), a) && parse_int(s.substr(d + 1), c) && c >= a;
}

std::string ranges(const std::vector<int>& years) {
  std::string out;
  for (std::size_t i = 0; i < years.size();) {
    std::size_t j = i;
    while (j + 1 < years.size() && years[j + 1] == years[j] + 1) ++j;
    out += (out.empty() ? "" : ", ") + std::to_string(years[i]) + (j > i ? "-" + std::to_string(years[j]) : "");
    i = j + 1;
  }
  return out;
}

}  // namespace

TimedRows time_rows(const Build& b, const Rows& rows, const std::string& key) {
  const Doc& doc = b.doc;
  TimedRows t;
  // A column named year or period is the table's time unless `columns` maps the other role to a column (e.g.
  // columns = { year = "period_start" } in a file that also has a "period" column) or maps this role to "" (off).
  // Switching one role off leaves the other as the file has it: `year = ""` beside a "period" column reads the
  // periods (until round 30 it switched both off, and a table of one period's rows held for every step).
  const auto mapped_to_column = [&rows](const char* role) {
    const auto it = rows.ref.columns.find(role);
    return it != rows.ref.columns.end() && !it->second.empty();
  };
  const bool year_named = mapped_to_column("year"), period_named = mapped_to_column("period");
  const bool has_year = rows.has("year") && (year_named || !period_named);
  const bool has_period = rows.has("period") && (period_named || !year_named);
  if (has_year && has_period)
    doc.fail(rows.ref.node, key, rows.ref.path + ": has both a 'year' and a 'period' column; expected one of them");
  t.linear = rows.ref.between == "linear";
  if (t.linear && has_period)
    doc.fail(rows.ref.node, key, "between = \"linear\" needs a 'year' column (periods hold their values)");
  if (!has_year && !has_period) {
    if (t.linear)  // nothing to interpolate: the one table holds for every step
      doc.fail(rows.ref.between_node ? rows.ref.between_node : rows.ref.node, key + ".between",
               "between = \"linear\" needs a 'year' column (this table has none and holds for every step)");
    t.first = {b.base_year};
    t.last = {b.horizon};
    t.rows.resize(1);
    for (std::size_t r = 0; r < rows.size(); ++r) t.rows[0].push_back(r);
    t.used = {1};
    t.steps.assign(uz(b.steps), {{0, 1.0}});
    return t;
  }
  t.kind = has_year ? TimedRows::Kind::year : TimedRows::Kind::period;
  const std::string col = has_year ? "year" : "period";
  std::map<std::pair<int, int>, std::size_t> index;  // (first, last) → key
  std::map<std::pair<int, int>, std::size_t> first_row;
  std::vector<std::pair<std::pair<int, int>, std::size_t>> row_key;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    int a = 0, c = 0;
    const std::string& cell = rows.text(r, col);
    if (has_year ? !parse_int(cell, a) : !parse_period(cell, a, c))
      doc.fail(rows.ref.node, key, rows.where(r, col) + ": expected " +
                                       (has_year ? std::string("a year (whole number)")
                                                 : std::string("a period of calendar years such as \"2021-2025\"")) +
                                       ", got \"" + escape_cell(cell) + "\"");
    if (has_year) c = a;
    if (a < 1000 || c > 3000)
      doc.fail(rows.ref.node, key, rows.where(r, col) + ": expected years from 1000 to 3000, got \"" + escape_cell(cell) + "\"");
    first_row.emplace(std::make_pair(a, c), r);
    row_key.push_back({{a, c}, r});
  }
  for (const auto& [fl, r] : first_row) {
    (void)r;
    index.emplace(fl, t.first.size());
    t.first.push_back(fl.first);
    t.last.push_back(fl.second);
  }
  t.rows.resize(t.first.size());
  for (const auto& [fl, r] : row_key) t.rows[index[fl]].push_back(r);
  if (!has_year) {
    // Periods: no overlaps; no gap inside the projection's years.
    for (std::size_t k = 1; k < t.keys(); ++k) {
      const std::size_t r = first_row[{t.first[k], t.last[k]}];
      if (t.first[k] <= t.last[k - 1])
        doc.fail(rows.ref.node, key, rows.where(r, col) + ": period " + std::to_string(t.first[k]) + "-" +
                                         std::to_string(t.last[k]) + " overlaps " + std::to_string(t.first[k - 1]) +
                                         "-" + std::to_string(t.last[k - 1]) +
                                         " (periods are inclusive calendar years; a UN period 2010-2015 is the step "
                                         "that starts in 2010: write year = 2010, or period = \"2011-2015\")");
      const int gap_a = t.last[k - 1] + 1, gap_c = t.first[k] - 1;
      if (gap_a <= gap_c && gap_c > b.base_year && gap_a <= b.horizon)
        doc.fail(rows.ref.node, key, rows.where(r, col) + ": the periods leave the years " + std::to_string(gap_a) +
                                         (gap_c > gap_a ? "-" + std::to_string(gap_c) : "") +
                                         " without values; expected periods that follow each other");
    }
  }
  t.used.assign(t.keys(), 0);
  for (int k = 0; k < b.steps; ++k) {
    const int start = b.base_year + k * b.z, y0 = start + 1, y1 = start + b.z;
    std::vector<std::pair<std::size_t, double>> parts;
    if (has_year) {
      // Keys are sorted by year: the last key ≤ start, and the next one for linear interpolation.
      auto it = std::upper_bound(t.first.begin(), t.first.end(), start);
      if (it == t.first.begin())
        doc.fail(rows.ref.node, key, rows.ref.path + ": no rows for the step starting " + std::to_string(start) +
                                         " (year = " + std::to_string(start) + "); the table's first year is " +
                                         std::to_string(t.first.front()));
      const std::size_t lo = uz(it - t.first.begin()) - 1;
      if (t.first[lo] == start || !t.linear || lo + 1 == t.keys()) {
        parts.push_back({lo, 1.0});
      } else {
        const double span = t.first[lo + 1] - t.first[lo];
        const double w_hi = (start - t.first[lo]) / span;
        parts.push_back({lo, 1.0 - w_hi});
        parts.push_back({lo + 1, w_hi});
      }
    } else {
      for (std::size_t p = 0; p < t.keys() && parts.empty(); ++p)
        if (t.first[p] <= y0 && t.last[p] >= y1) parts.push_back({p, 1.0});
      if (parts.empty())
        doc.fail(rows.ref.node, key, rows.ref.path + ": no period of the table holds the step " + std::to_string(y0) +
                                         "-" + std::to_string(y1) + " whole; expected periods that contain each step");
    }
    for (const auto& [p, w] : parts) t.used[p] = 1;
    t.steps.push_back(std::move(parts));
  }
  std::vector<int> unused;
  for (std::size_t k = 0; k < t.keys(); ++k)
    if (!t.used[k])
      for (int y = t.first[k]; y <= t.last[k]; ++y) unused.push_back(y);
  if (!unused.empty()) {
    std::sort(unused.begin(), unused.end());
    unused.erase(std::unique(unused.begin(), unused.end()), unused.end());
    b.sc.assumptions.push_back("Input note: " + key + " (" + rows.ref.written + "): rows of " + col + " " +
                               ranges(unused) + " are not used by any step of " + std::to_string(b.base_year) +
                               "-" + std::to_string(b.horizon) + " and were ignored.");
  }
  return t;
}

std::vector<double> mix_step(const std::vector<std::vector<double>>& per_key,
                             const std::vector<std::pair<std::size_t, double>>& parts) {
  if (parts.size() == 1) return per_key[parts[0].first];
  std::vector<double> out(per_key[parts[0].first].size(), 0.0);
  for (const auto& [k, w] : parts)
    for (std::size_t i = 0; i < out.size(); ++i) out[i] += w * per_key[k][i];
  return out;
}

int Build::zone_of_row(const Rows& t, std::size_t r, const toml::node* n, const std::string& key) const {
  if (!t.has("zone")) return -1;
  auto it = zone_index.find(t.text(r, "zone"));
  if (it == zone_index.end())
    doc.fail(n, key,
             t.where(r, "zone") + ": unknown zone \"" + escape_cell(t.text(r, "zone")) + "\"" +
                 zone_twin_hint(t.text(r, "zone")));
  return it->second;
}

std::string Build::zone_twin_hint(const std::string& cell) const {
  // A census spreadsheet's "110101 ": the zone named with both spellings (scenarios/README.md "Zone ids").
  if (const std::string id = geodata::without_spaces_around(cell);
      !id.empty() && id.size() != cell.size() && zone_index.count(id))
    return "; the geography's zone is \"" + escape_cell(id) + "\", without the spaces around \"" + escape_cell(cell) +
           "\": it reads alike, but zone ids are compared as written: remove the spaces from the table";
  for (const auto& zn : sc.zones)
    if (const std::string why = geodata::twin_difference(zn.id, cell); !why.empty())
      return "; the geography's zone \"" + escape_cell(zn.id) + "\" reads alike: " + why +
             " (ids are compared byte for byte: write it the same way in both)";
  return "";
}

int Build::group_of_row(const Rows& t, std::size_t r, const toml::node* n, const std::string& key,
                        bool every_if_empty) const {
  if (!t.has("group") || ((G == 1 || every_if_empty) && t.text(r, "group").empty())) return -1;
  auto it = group_index.find(t.text(r, "group"));
  if (it == group_index.end())
    doc.fail(n, key, t.where(r, "group") + ": unknown group \"" + escape_cell(t.text(r, "group")) + "\"");
  return it->second;
}

double persons_per_unit(const Doc& doc, const TableRef& ref) {
  if (ref.unit.empty() || ref.unit == "persons") return 1.0;
  if (ref.unit == "thousands") return 1e3;
  if (ref.unit == "10k" || ref.unit == "万人") return 1e4;
  doc.fail(ref.unit_node ? ref.unit_node : ref.node, ref.key + ".unit",
           "expected \"persons\", \"thousands\" or \"10k\" (万人), got \"" + escape_cell(ref.unit) + "\"");
}

double count_scale(const Build& b, const TableRef& ref) {
  return persons_per_unit(b.doc, ref) * (ref.per == "step" ? 1.0 : static_cast<double>(b.z));
}

}  // namespace cohortgis::scenarios::detail
