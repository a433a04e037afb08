// SPDX-License-Identifier: Apache-2.0
#include "zone_factors.hpp"

#include <algorithm>
#include <cmath>
#include <set>

namespace cohortgis::scenarios::detail {

ZoneFactors standards_of(const Build& b, const Rows& rows, const toml::node* std_node, const std::string& std_key) {
  if (rows.has("zone"))
    b.doc.fail(std_node, std_key,
               rows.ref.path +
                   ": has a 'zone' column; with zone_factors the standard schedules are "
                   "by 'standard' (each zone's factor table row names its standard)");
  ZoneFactors f;
  if (!rows.has("standard")) return f;
  std::set<std::string> names;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const std::string& s = rows.text(r, "standard");
    if (s.empty())
      b.doc.fail(std_node, std_key,
                 rows.where(r, "standard") + ": expected the name of a standard schedule, got an empty cell");
    names.insert(s);
  }
  f.standards.assign(names.begin(), names.end());
  for (std::size_t i = 0; i < f.standards.size(); ++i) f.standard_index[f.standards[i]] = static_cast<int>(i);
  return f;
}

void read_zone_factors(const Build& b, const toml::node& n, const std::string& key, const std::vector<double>& largest,
                       double limit, const std::string& what, ZoneFactors& f) {
  const Doc& doc = b.doc;
  const TableRef ref = table_ref(doc, n, key, {"zone", "group", "standard", "value"});
  // Factors are plain multipliers, held for every step: a unit, per or between was ignored without a word.
  refuse_unit_and_per(doc, ref, "factors on the standard schedule");
  refuse_between(doc, ref);
  const Rows rows = read_rows(doc, ref, {"zone", "value"}, {"value"});
  if (f.named() && !rows.has("standard")) {
    std::string list;
    for (const auto& s : f.standards) list += (list.empty() ? "" : ", ") + s;
    doc.fail(&n, key,
             ref.path + ": no 'standard' column; the standard table has the standards " + list +
                 ": expected a column naming each zone's standard");
  }
  if (!f.named() && rows.has("standard"))
    doc.fail(&n, key,
             ref.path +
                 ": has a 'standard' column, but the standard table has none (one standard for all "
                 "zones); expected a 'standard' column in both tables or in neither");
  const std::size_t cells = uz(b.Z * b.G);
  f.factor.assign(cells, 0.0);
  f.standard_of.assign(cells, -1);
  // An empty group cell is every group; a row naming a group takes precedence for that group, in any row order
  // (scenarios/README.md "Group cells"): every-group rows are applied first, then the named ones.
  std::vector<std::size_t> order;
  for (int pass = 0; pass < 2; ++pass)
    for (std::size_t r = 0; r < rows.size(); ++r)
      if ((b.group_of_row(rows, r, &n, key, true) < 0) == (pass == 0)) order.push_back(r);
  std::vector<char> named(cells, 0);  // a cell already set by a row naming its group
  for (std::size_t r : order) {
    const int zi = b.zone_of_row(rows, r, &n, key), g = b.group_of_row(rows, r, &n, key, true);
    const double v = rows.number(r, "value");
    if (!(v > 0 && std::isfinite(v)))
      doc.fail(&n, key, rows.where(r, "value") + ": expected a factor > 0 on the standard schedule, got " + fmt(v));
    int s = 0;
    if (f.named()) {
      const std::string& name = rows.text(r, "standard");
      auto it = f.standard_index.find(name);
      if (it == f.standard_index.end()) {
        std::string list;
        for (const auto& x : f.standards) list += (list.empty() ? "" : ", ") + x;
        doc.fail(&n, key,
                 rows.where(r, "standard") + ": unknown standard \"" + escape_cell(name) +
                     "\"; the standard table has " + list);
      }
      s = it->second;
    }
    if (v * largest[uz(s)] > limit)
      doc.fail(&n, key,
               rows.where(r, "value") + ": the factor " + fmt(v) + " times the largest value " + fmt(largest[uz(s)]) +
                   " of " + f.standard_label(s) + " gives " + what + " of " + fmt(v * largest[uz(s)]) +
                   "; expected at most " + fmt(limit));
    for (int gg = 0; gg < b.G; ++gg) {
      if (g >= 0 && g != gg) continue;
      const std::size_t c = uz(zi * b.G + gg);
      if (f.standard_of[c] >= 0 && (g < 0 || named[c]))  // a named row may replace an every-group row only
        doc.fail(&n, key,
                 rows.where(r, "zone") + ": a second factor for zone " + b.sc.zones[uz(zi)].id +
                     (b.G > 1 ? (g < 0 ? ", all groups" : ", group " + b.sc.group_names[uz(gg)]) : ""));
      named[c] = g >= 0;
      f.standard_of[c] = s;
      f.factor[c] = v;
    }
  }
  for (int zi = 0; zi < b.Z; ++zi)
    for (int g = 0; g < b.G; ++g)
      if (f.standard_of[uz(zi * b.G + g)] < 0)
        doc.fail(&n, key,
                 ref.path + ": no factor for zone " + b.sc.zones[uz(zi)].id +
                     (b.G > 1 ? ", group " + b.sc.group_names[uz(g)] : "") +
                     "; expected a row for every zone (and group, or one row for all groups)");
}

}  // namespace cohortgis::scenarios::detail
