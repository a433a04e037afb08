// SPDX-License-Identifier: Apache-2.0
#include "table_filter.hpp"

#include <algorithm>

#include "cohortgis/geodata/read_policy.hpp"

namespace cohortgis::scenarios::detail {

namespace {
// Whether `cell` matches one of the column's entries [first, end) of ref.filter ("…*": a prefix).
bool matches(const TableRef& ref, std::size_t first, std::size_t end, const std::string& cell) {
  for (std::size_t i = first; i < end; ++i) {
    const std::string& value = ref.filter[i].second;
    if (!value.empty() && value.back() == '*' ? cell.rfind(value.substr(0, value.size() - 1), 0) == 0 : cell == value)
      return true;
  }
  return false;
}

std::size_t column_end(const TableRef& ref, std::size_t i) {
  std::size_t end = i;
  while (end < ref.filter.size() && ref.filter[end].first == ref.filter[i].first) ++end;
  return end;
}
}  // namespace

bool passes_filter(const TableRef& ref, const geodata::Table& t, std::size_t r) {
  for (std::size_t i = 0; i < ref.filter.size();) {
    const std::size_t end = column_end(ref, i);
    if (!matches(ref, i, end, t.text(r, ref.filter[i].first))) return false;
    i = end;
  }
  return true;
}

FilterMisses::FilterMisses(const TableRef& ref) {
  for (std::size_t i = 0; i < ref.filter.size();) {
    const std::size_t end = column_end(ref, i);
    columns_.push_back({i, end, false, {}, false});
    i = end;
  }
}

void FilterMisses::note(const TableRef& ref, const geodata::Table& t, std::size_t r) {
  for (Column& c : columns_) {
    if (c.matched && c.more) continue;  // nothing more this column could tell
    const std::string& cell = t.text(r, ref.filter[c.first].first);
    if (matches(ref, c.first, c.end, cell)) {
      c.matched = true;
    } else if (!c.more && std::find(c.seen.begin(), c.seen.end(), cell) == c.seen.end()) {
      if (c.seen.size() < kSeen)
        c.seen.push_back(cell);
      else
        c.more = true;
    }
  }
}

std::string FilterMisses::explain(const TableRef& ref) const {
  if (columns_.empty()) return {};
  std::string text, hint;
  for (const Column& c : columns_) {
    if (c.matched) continue;
    std::string wanted, seen;
    for (std::size_t i = c.first; i < c.end; ++i)
      wanted += (i == c.first ? "\"" : " or \"") + geodata::escape_cell(ref.filter[i].second) + "\"";
    for (const std::string& v : c.seen) {
      seen += (seen.empty() ? "\"" : ", \"") + geodata::escape_cell(v) + "\"";
      // A whole number asked for, its decimal written in the file (pandas writes a float column 2015 as 2015.0).
      for (std::size_t i = c.first; i < c.end && hint.empty(); ++i) {
        const std::string& w = ref.filter[i].second;
        if (!w.empty() && v.size() > w.size() && v.compare(0, w.size(), w) == 0 && v[w.size()] == '.')
          hint = ": for the cell \"" + geodata::escape_cell(v) + "\" write \"" + geodata::escape_cell(v) + "\" or \"" +
                 geodata::escape_cell(w) + "*\"";
      }
    }
    text += std::string(text.empty() ? "" : "; ") + "no cell of column '" +
            geodata::escape_cell(ref.filter[c.first].first) + "' is " + wanted +
            (seen.empty() ? "" : "; it holds " + seen + (c.more ? ", …" : ""));
  }
  if (text.empty()) return " (each filter column matches some row, but no row matches them all)";
  return " (" + text + "; the filter compares the cell's text as written in the file, not its number" + hint + ")";
}

}  // namespace cohortgis::scenarios::detail
