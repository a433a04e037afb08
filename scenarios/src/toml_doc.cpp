// SPDX-License-Identifier: Apache-2.0
#include "toml_doc.hpp"

#include "table_filter.hpp"

#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/geodata/ascii_case.hpp"
#include "cohortgis/geodata/read_cancel.hpp"
#include "cohortgis/geodata/read_policy.hpp"
#include "cohortgis/geodata/text_encoding.hpp"
#include "cohortgis/scenarios/did_you_mean.hpp"
#include "cohortgis/scenarios/input_limits.hpp"
#include "cohortgis/scenarios/library_versions.hpp"

#include <algorithm>
#include <cstdlib>
#include <tuple>

#include <charconv>
#include <cmath>
#include <filesystem>

namespace cohortgis::scenarios::detail {

namespace fs = std::filesystem;

std::string join_key(const std::string& prefix, std::string_view key) {
  return prefix.empty() ? std::string(key) : prefix + "." + std::string(key);
}

std::string fmt(double v, int significant) {
  // Shortest round-trip digits, written out (600000, 0.0005) where that stays readable, else in exponent form.
  char buf[400];
  // −0 (a cell set to -0.0, or a product rounding to it) reads "0" in a message: "out of -0 in the origin zone"
  // named no number a reader knows.
  if (v == 0) v = 0.0;
  if (significant > 0 && std::isfinite(v)) {  // rounded first: a sum of decimals reads 1.3, not 1.2999999999999998
    const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, significant);
    std::from_chars(buf, r.ptr, v);
  }
  const double a = std::fabs(v);
  const auto format = (a == 0 || (a >= 1e-6 && a < 1e15)) ? std::chars_format::fixed : std::chars_format::scientific;
  const auto r = std::to_chars(buf, buf + sizeof buf, v, format);
  return std::string(buf, r.ptr);
}

std::string describe(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string: return "the string \"" + std::string(*n.as_string()) + "\"";
    case toml::node_type::integer: return "the integer " + std::to_string(n.as_integer()->get());
    case toml::node_type::floating_point: {
      // A whole number written with a decimal point (2020.0) where a whole number goes read "expected a year from 1
      // to 2020, got the number 2020": its point is what is wrong, so it is shown.
      const double v = n.as_floating_point()->get();
      std::string text = fmt(v);
      if (std::isfinite(v) && text.find_first_of(".e") == std::string::npos) text += ".0";
      return "the number " + text;
    }
    case toml::node_type::boolean: return n.as_boolean()->get() ? "true" : "false";
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a table";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    default: return "nothing";
  }
}

std::string Doc::where(const toml::source_region& r) const {
  if (r.begin.line == 0) return file;
  return file + ":" + std::to_string(r.begin.line) + ":" + std::to_string(r.begin.column);
}
std::string Doc::where(const toml::node* n) const { return n ? where(n->source()) : file; }

namespace {
// A key of 60,000 bytes was echoed whole (hostile probe 19): cut, as cells are, past any real key's length.
std::string shown_key(const std::string& key) { return key.size() > 200 ? geodata::escape_cell(key, 200) : key; }

// A message quotes the file's values ("…" or '…'): a 100 kB string where `migration_timing`, `kind`, a target's zone
// … go, or a 1 MB sex cell, was echoed whole, and a line break or a terminal's escape sequence in one went to the
// terminal as it was (hostile probe of round 20). A quoted run longer than 200 bytes or holding a control character
// is shown as cells are (escape_cell); a quote opens only after a character that is not a letter or digit, so an
// apostrophe ("the run's") does not. What is still over 4000 bytes is cut there.
std::string shown_message(const std::string& m) {
  constexpr std::size_t kLongQuote = 200, kLongMessage = 4000;
  const auto control = [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; };
  std::string out;
  std::size_t i = 0;
  while (i < m.size()) {
    const char c = m[i];
    const bool opens = (c == '"' || c == '\'') && (i == 0 || !geodata::is_ascii_alnum(m[i - 1]));
    const std::size_t close = opens ? m.find(c, i + 1) : std::string::npos;
    if (close != std::string::npos) {
      const std::string quoted = m.substr(i + 1, close - i - 1);
      const bool plain = quoted.size() <= kLongQuote && std::none_of(quoted.begin(), quoted.end(), control);
      out += c + (plain ? quoted : geodata::escape_cell(quoted, quoted.size() > kLongQuote ? 60 : kLongQuote)) + c;
      i = close + 1;
      continue;
    }
    out += c;
    ++i;
  }
  return out.size() > kLongMessage ? geodata::escape_cell(out, kLongMessage) : out;
}
}  // namespace

void Doc::fail(const toml::node* n, const std::string& key, const std::string& message) const {
  throw InputError(where(n) + ": key '" + shown_key(key) + "': " + shown_message(message));
}
void Doc::fail(const toml::source_region& r, const std::string& key, const std::string& message) const {
  throw InputError(where(r) + ": key '" + shown_key(key) + "': " + shown_message(message));
}

namespace {
template <class Names>
std::string nearest_name(std::string_view got, const Names& known) {
  // Edit distance with adjacent transpositions (optimal string alignment: "vaule" is one edit from "value"), ASCII
  // case and '-' for '_' ignored, so that "openage", "Open_Age", "open-age" and "opne_age" all find open_age; a
  // suggestion only within a third of the name (at least 1), and only when one name is the nearest (a tie, such as
  // "LX" between lx and Lx, suggests nothing).
  const auto fold = [](std::string_view s) {
    std::string o;
    for (char c : s) o += c == '-' ? '_' : geodata::ascii_lower(c);
    return o;
  };
  if (got.size() > 64) return {};  // no key is that long (a 60 kB key, hostile_round20.py, needs no table of edits)
  const std::string a = fold(got);
  std::string_view best;
  std::size_t best_d = std::string::npos, nearest = 0;
  // Three rows of the table (i − 2, i − 1, i: a transposition looks two back), kept across the candidates: no table
  // of vectors per candidate (round 25).
  std::string b;
  std::vector<std::size_t> two_back, back, row;
  for (std::string_view k : known) {
    b = fold(k);
    two_back.assign(b.size() + 1, 0);
    back.resize(b.size() + 1);
    row.resize(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) back[j] = j;  // row 0
    for (std::size_t i = 1; i <= a.size(); ++i) {
      row[0] = i;
      for (std::size_t j = 1; j <= b.size(); ++j) {
        row[j] = std::min({back[j] + 1, row[j - 1] + 1, back[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
        if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
          row[j] = std::min(row[j], two_back[j - 2] + 1);
      }
      std::swap(two_back, back);
      std::swap(back, row);
    }
    const std::size_t dist = back[b.size()];
    if (dist < best_d)
      best = k, best_d = dist, nearest = 1;
    else if (dist == best_d)
      ++nearest;
  }
  const std::size_t limit = std::max<std::size_t>(1, a.size() / 3);
  return best_d <= limit && nearest == 1 ? "did you mean '" + std::string(best) + "'? " : std::string();
}
}  // namespace

std::string did_you_mean(std::string_view got, std::initializer_list<std::string_view> known) {
  return nearest_name(got, known);
}

void Doc::allow(const toml::table& t, const std::string& prefix, std::initializer_list<std::string_view> keys) const {
  for (auto&& [k, v] : t) {
    bool ok = false;
    for (std::string_view a : keys) ok = ok || a == k.str();
    if (ok) continue;
    std::string list;
    for (std::string_view a : keys) list += (list.empty() ? "" : ", ") + std::string(a);
    fail(k.source(), join_key(prefix, k.str()),
         "unknown key; " + did_you_mean(k.str(), keys) + "expected one of: " + list);
  }
}

const toml::table& Doc::table(const toml::node& n, const std::string& key) const {
  if (!n.is_table()) fail(&n, key, "expected a table, got " + describe(n));
  return *n.as_table();
}
const toml::array& Doc::array(const toml::node& n, const std::string& key) const {
  if (!n.is_array()) fail(&n, key, "expected an array, got " + describe(n));
  return *n.as_array();
}
std::string Doc::string(const toml::node& n, const std::string& key) const {
  if (!n.is_string()) fail(&n, key, "expected a string, got " + describe(n));
  return std::string(*n.as_string());
}
bool Doc::boolean(const toml::node& n, const std::string& key) const {
  if (!n.is_boolean()) fail(&n, key, "expected true or false, got " + describe(n));
  return n.as_boolean()->get();
}
double Doc::number(const toml::node& n, const std::string& key, double lo, double hi, const std::string& what) const {
  const std::string expect = "expected " + (what.empty() ? std::string("a number") : what) + " from " + fmt(lo) +
                             " to " + fmt(hi);
  if (!n.is_number()) fail(&n, key, expect + ", got " + describe(n));
  const double v = n.is_integer() ? static_cast<double>(n.as_integer()->get()) : n.as_floating_point()->get();
  // The words of input_limits.hpp, which StepSchedules' setters use for the same ranges (kRadixRange, …).
  const std::string kind = what.empty() ? std::string("a number") : what;
  if (const std::string problem = range_problem({lo, hi, kind.c_str()}, v); !problem.empty()) fail(&n, key, problem);
  return v;
}
int Doc::integer(const toml::node& n, const std::string& key, long long lo, long long hi, const std::string& what) const {
  const std::string expect = "expected " + (what.empty() ? std::string("a whole number") : what) + " from " +
                             std::to_string(lo) + " to " + std::to_string(hi);
  if (!n.is_integer()) fail(&n, key, expect + ", got " + describe(n));
  const long long v = n.as_integer()->get();
  if (v < lo || v > hi) fail(&n, key, expect + ", got " + std::to_string(v));
  return static_cast<int>(v);
}
std::vector<std::string> Doc::strings(const toml::node& n, const std::string& key) const {
  std::vector<std::string> out;
  const toml::array& a = array(n, key);
  for (std::size_t i = 0; i < a.size(); ++i) out.push_back(string(*a.get(i), key + "[" + std::to_string(i) + "]"));
  return out;
}

YearPath Doc::path(const toml::node& n, const std::string& key, double lo, double hi, int first_year, int last_year,
                   const std::string& what) const {
  YearPath p;
  if (n.is_number()) {
    p.points[first_year] = number(n, key, lo, hi, what);
    return p;
  }
  if (!n.is_table())
    fail(&n, key, "expected " + what + " (a number) or a path over years such as { \"" + std::to_string(first_year) +
                      "\" = …, \"" + std::to_string(last_year) + "\" = … }, got " + describe(n));
  for (auto&& [k, v] : *n.as_table()) {
    const std::string sub = join_key(key, k.str());
    const int year = year_key(k, sub, "", first_year);
    if (year < first_year || year > last_year)
      fail(k.source(), sub, "year " + std::to_string(year) + " is outside the projection horizon " +
                                std::to_string(first_year) + "-" + std::to_string(last_year));
    p.points[year] = number(v, sub, lo, hi, what);
  }
  if (p.points.empty()) fail(&n, key, "expected at least one year in the path, got an empty table");
  // Years written out of order are almost always a typing slip (a TFR for 2030 meant for 2020): refuse them.
  std::vector<std::tuple<std::uint32_t, std::uint32_t, int, const toml::key*>> written;
  for (auto&& [k, v] : *n.as_table())
    written.emplace_back(k.source().begin.line, k.source().begin.column, std::atoi(std::string(k.str()).c_str()), &k);
  std::sort(written.begin(), written.end(), [](const auto& a, const auto& b) {
    return std::tie(std::get<0>(a), std::get<1>(a)) < std::tie(std::get<0>(b), std::get<1>(b));
  });
  for (std::size_t i = 1; i < written.size(); ++i)
    if (std::get<2>(written[i]) <= std::get<2>(written[i - 1]))
      fail(std::get<3>(written[i])->source(), join_key(key, std::get<3>(written[i])->str()),
           "years of a path must be written in increasing order; " + std::to_string(std::get<2>(written[i])) +
               " comes after " + std::to_string(std::get<2>(written[i - 1])));
  return p;
}

int Doc::year_key(const toml::key& k, const std::string& sub, const std::string& what, int example) const {
  int year = 0;
  const std::string_view s = k.str();
  const auto r = std::from_chars(s.data(), s.data() + s.size(), year);
  // std::from_chars takes no '+', blank or point (std::stoi skips blanks and takes "+2020"); a year before the
  // projection's ("-5") is the caller's range error.
  if (r.ec != std::errc() || r.ptr != s.data() + s.size())
    fail(k.source(), sub,
         "expected a year as the key (" + (what.empty() ? std::string() : what + ", ") + "e.g. \"" +
             std::to_string(example) + "\"), got \"" + escape_cell(std::string(s)) + "\"");
  return year;
}

std::optional<std::pair<int, int>> parse_years_label(std::string_view s) {
  int a = 0, b = 0;
  const char* e = s.data() + s.size();
  auto r = std::from_chars(s.data(), e, a);
  if (r.ec == std::errc() && r.ptr == e) return std::pair{a, a};
  if (r.ec == std::errc() && r.ptr < e && *r.ptr == '-') {
    auto r2 = std::from_chars(r.ptr + 1, e, b);
    if (r2.ec == std::errc() && r2.ptr == e && b >= a) return std::pair{a, b};
  }
  return std::nullopt;
}

std::pair<int, int> Doc::years_label(const toml::node& n, const std::string& key) const {
  const std::string s = string(n, key);
  if (const auto y = parse_years_label(s)) return *y;
  fail(&n, key, "expected a year or a period of years such as \"2021-2025\", got \"" + s + "\"");
}

void Doc::grant(const geodata::ReadPolicy& allowed) {
  policy = allowed;
  policy.roots.push_back(dir);
  if (!data_dir.empty()) policy.roots.push_back(data_dir);
}

void Doc::record(const std::string& role, const std::string& path, const std::string& relative) const {
  if (!inputs) return;
  for (const auto& in : *inputs)
    if (in.path == path) return;
  inputs->push_back({role, path, relative});
}

int Rows::whole(std::size_t r, const std::string& logical, long long lo, long long hi, const std::string& what) const {
  const double v = number(r, logical);
  if (v != std::floor(v) || v < static_cast<double>(lo) || v > static_cast<double>(hi))
    throw InputError(where(r, logical) + ": '" + geodata::escape_cell(text(r, logical)) + "'; expected " + what +
                     " from " + std::to_string(lo) + " to " + std::to_string(hi));
  return static_cast<int>(v);
}

namespace {

// A table of the scenario: a file through geodata, or a table held in memory with the same checks (required
// columns, number cells of the required number columns).
geodata::Table frame_table(const TableRef& ref, const std::vector<geodata::ColumnSpec>& spec) {
  geodata::Table t;
  t.path = ref.path;
  t.in_memory = true;
  t.columns = ref.frame->columns;
  t.rows = ref.frame->rows;
  for (const auto& row : t.rows)
    if (row.size() != t.columns.size())
      throw InputError(ref.path + ": a row has " + std::to_string(row.size()) + " cells for " +
                       std::to_string(t.columns.size()) + " columns");
  for (const auto& c : spec) {
    const std::size_t col = t.column(c.name);  // throws naming the table and listing its columns
    if (c.type == geodata::ColumnType::number)
      for (std::size_t r = 0; r < t.size(); ++r) (void)t.number(r, col);
  }
  if (t.rows.empty()) throw InputError(ref.path + ": the table is empty; expected at least one row");
  return t;
}

// An encoding declared for a source that is UTF-8 by its format (geodata::DeclaredEncodingError): what the user
// wrote wrong is the `<table>.encoding` key, so the message names it and its line, not the table's.
[[noreturn]] void fail_declared_encoding(const Doc& doc, const TableRef& ref, const geodata::DeclaredEncodingError& e) {
  const toml::table* t = ref.node ? ref.node->as_table() : nullptr;
  const toml::node* written = t ? t->get("encoding") : nullptr;
  doc.fail(written ? written : ref.node, ref.key + ".encoding", e.what());
}

geodata::Table read_source(const TableRef& ref, const std::vector<geodata::ColumnSpec>& spec) {
  geodata::throw_if_read_cancelled();
  if (ref.frame) return frame_table(ref, spec);
  return geodata::read_table(ref.path, spec, ref.layer, ref.encoding);
}

void stream_source(const TableRef& ref, const std::vector<geodata::ColumnSpec>& spec, int threads,
                   const std::function<void(geodata::Table&)>& on_row) {
  geodata::StreamOptions options;
  options.threads = threads;
  if (!ref.frame) return geodata::stream_table(ref.path, spec, ref.layer, ref.encoding, on_row, options);
  const geodata::Table all = frame_table(ref, spec);
  geodata::Table one;
  one.path = all.path;
  one.in_memory = true;
  one.columns = all.columns;
  for (std::size_t r = 0; r < all.size(); ++r) {
    one.rows.assign(1, all.rows[r]);
    one.first_row = r;
    if ((r + 1) % geodata::kRowsBetweenStops == 0) geodata::throw_if_read_cancelled();  // as stream_table's rows
    on_row(one);
  }
}
// A table with one cell for messages: the file's column name and data row of kept row r (table.where and
// table.number name the place from these).
geodata::Table one_cell(const Rows& rows, std::size_t r, const std::string& logical) {
  std::string col = rows.ref.column(logical);
  // The two sexes of a WPP population row come from PopFemale and PopMale.
  if (rows.ref.wpp.wide && (col == rows.ref.column("sex") || col == rows.ref.column("population")))
    col = rows.text(r, "sex") == "female" ? "PopFemale" : "PopMale";
  geodata::Table h;
  h.path = rows.table.path;
  h.layer = rows.table.layer;
  h.has_header_row = rows.table.has_header_row;
  h.columns = {col};
  h.first_row = rows.data_row.empty() ? rows.table.first_row + rows.keep[r] : rows.data_row[rows.keep[r]];
  h.rows = {{rows.table.has_column(rows.ref.column(logical)) ? rows.text(r, logical) : std::string()}};
  return h;
}
}  // namespace

std::size_t Rows::column_index(const std::string& logical) const {
  if (column_cache_width != table.columns.size()) (column_cache.clear(), column_cache_width = table.columns.size());
  for (const auto& [name, c] : column_cache)
    if (name == logical) return c;
  const std::string col = ref.column(logical);
  const auto it = std::find(table.columns.begin(), table.columns.end(), col);
  const std::size_t c = it == table.columns.end() ? kNoColumn : uz(it - table.columns.begin());
  column_cache.emplace_back(logical, c);
  return c;
}

double Rows::number_at(std::size_t r, std::size_t c, const std::string& logical) const {
  const bool cached = number_cache.on && r == 0 && c != kNoColumn;
  if (cached)
    for (const auto& [col, value] : number_cache.values)
      if (col == c) return value;
  double v = 0.0;
  // The cell by the column found (text(r, logical) would search the column cache again).
  if (geodata::parse_number(c != kNoColumn ? table.text(keep[r], c) : text(r, logical), v)) {
    if (cached) number_cache.values.emplace_back(c, v);
    return v;
  }
  return one_cell(*this, r, logical).number(0, 0);  // throws, naming the file's row and column
}
std::string Rows::where(std::size_t r, const std::string& logical) const {
  if (data_row.empty() && !ref.wpp.wide) return table.where(keep[r], ref.column(logical));
  return one_cell(*this, r, logical).where(0, 0);
}

void refuse_per(const Doc& doc, const TableRef& ref, std::string_view what) {
  if (!ref.per_node) return;
  doc.fail(ref.per_node, ref.key + ".per",
           what.empty()
               ? "applies only to the counts and rates of [migration] (per year or per step); leave it out here"
               : "this table cannot be per step (its values are " + std::string(what) + "); leave it out");
}

void refuse_unit_and_per(const Doc& doc, const TableRef& ref, std::string_view what, std::string_view unit_ok) {
  if (ref.unit_node && (unit_ok.empty() || ref.unit != unit_ok))
    doc.fail(ref.unit_node, ref.key + ".unit",
             "this table has no unit to choose (its values are " + std::string(what) +
                 (unit_ok.empty() ? "" : "; only \"" + std::string(unit_ok) + "\" may be written") + "); leave it out");
  refuse_per(doc, ref, what);
}

void refuse_between(const Doc& doc, const TableRef& ref) {
  if (ref.between_node)
    doc.fail(
        ref.between_node, ref.key + ".between",
        "applies only to schedules with a 'year' column ([fertility], [mortality], [migration] tables); leave it out");
}

TableRef table_ref(const Doc& doc, const toml::node& n, const std::string& key,
                   std::initializer_list<std::string_view> logical_columns) {
  TableRef ref;
  ref.key = key;
  ref.node = &n;
  if (n.is_string()) {
    ref.written = std::string(*n.as_string());
  } else if (n.is_table()) {
    const toml::table& t = *n.as_table();
    doc.allow(t, key, {"path", "layer", "encoding", "filter", "columns", "between", "unit", "per", "values", "ages", "wpp"});
    const toml::node* p = t.get("path");
    if (!p) doc.fail(&n, key, "expected a 'path' in the table reference");
    ref.written = doc.string(*p, key + ".path");
    if (const toml::node* l = t.get("layer")) ref.layer = doc.string(*l, key + ".layer");
    if (const toml::node* e = t.get("encoding")) {
      ref.encoding = doc.string(*e, key + ".encoding");
      try {
        geodata::check_encoding(ref.encoding, "");
      } catch (const InputError& err) {
        doc.fail(e, key + ".encoding", err.what());
      }
    }
    if (const toml::node* b = t.get("between")) {
      ref.between_node = b;
      ref.between = doc.string(*b, key + ".between");
      if (ref.between != "hold" && ref.between != "linear")
        doc.fail(b, key + ".between", "expected \"hold\" or \"linear\", got \"" + ref.between + "\"");
    }
    if (const toml::node* u = t.get("unit")) (ref.unit = doc.string(*u, key + ".unit"), ref.unit_node = u);
    if (const toml::node* pe = t.get("per")) {
      ref.per_node = pe;
      ref.per = doc.string(*pe, key + ".per");
      if (ref.per != "year" && ref.per != "step")
        doc.fail(pe, key + ".per", "expected \"year\" or \"step\", got \"" + ref.per + "\"");
    }
    if (const toml::node* f = t.get("filter")) {
      for (auto&& [k, v] : doc.table(*f, key + ".filter")) {
        const std::string sub = key + ".filter." + std::string(k.str());
        // A list of values keeps a row whose cell matches any of them (e.g. sex = ["female", "male"] leaves out
        // the UN's "both" rows); its entries stay adjacent in ref.filter, as passes_filter expects.
        const toml::array* list = v.as_array();
        if (list && list->empty()) doc.fail(&v, sub, "expected at least one value to match, got an empty list");
        for (std::size_t i = 0; i < (list ? list->size() : 1); ++i) {
          const toml::node& e = list ? *list->get(i) : v;
          std::string value;
          if (e.is_string()) value = std::string(*e.as_string());
          else if (e.is_integer()) value = std::to_string(e.as_integer()->get());
          else doc.fail(&e, sub, "expected a string or a whole number to match (or a list of them), got " + describe(e));
          ref.filter.emplace_back(std::string(k.str()), value);
        }
      }
    }
    if (const toml::node* c = t.get("columns")) {
      for (auto&& [k, v] : doc.table(*c, key + ".columns")) {
        bool known = false;
        std::string list;
        for (std::string_view l : logical_columns) {
          known = known || l == k.str();
          list += (list.empty() ? "" : ", ") + std::string(l);
        }
        if (!known)
          doc.fail(k.source(), key + ".columns." + std::string(k.str()),
                   "unknown column role; " + did_you_mean(k.str(), logical_columns) + "expected one of: " + list);
        ref.columns[std::string(k.str())] = doc.string(v, key + ".columns." + std::string(k.str()));
      }
    }
    read_value_options(doc, t, ref, logical_columns);
    if (const toml::node* w = t.get("wpp")) read_wpp_option(doc, *w, ref);
    if (ref.age_labels || ref.wpp.on) ref.label_width = doc.grid_width, ref.label_open_age = doc.grid_open_age;
  } else {
    doc.fail(&n, key,
             "expected a table path (string) or { path = …, layer = …, encoding = …, filter = …, columns = … }, got " +
                 describe(n) +
                 (n.is_boolean() ? " (false switches a baseline table off only in [[variants]]; leave the key out here)"
                                 : ""));
  }
  // A table held in memory (load_scenario_text): no file is opened.
  if (ref.written.rfind("frame:", 0) == 0 && doc.frames) {
    const std::string name = ref.written.substr(6);
    auto it = doc.frames->find(name);
    if (it == doc.frames->end()) {
      std::string list;
      for (const auto& [k, v] : *doc.frames) list += (list.empty() ? "" : ", ") + k;
      doc.fail(&n, key, "no table \"" + escape_cell(name) + "\" was given; tables given: " + list);
    }
    ref.frame = &it->second;
    ref.path = "table '" + name + "'";
    return ref;
  }
  // Data only, local files only, inside the folders the scenario may read (geodata/read_policy.hpp): no GDAL virtual
  // file systems (/vsicurl/ …), URLs or connection strings; a database only as an allowed PostgreSQL service.
  const std::string& w = ref.written;
  if (w.empty())
    doc.fail(&n, key, "expected a local file path (relative to the scenario file, or data:… for the data folder), "
                      "got an empty string");
  try {
    ref.database = geodata::database_service(w, doc.policy);
  } catch (const InputError& e) {
    doc.fail(&n, key, e.what());
  }
  if (!ref.database.empty()) {
    ref.path = "PG:service=" + ref.database;
    return ref;
  }
  const bool data = w.rfind("data:", 0) == 0;
  if (const std::string why = geodata::non_local_reason(data ? w.substr(5) : w); !why.empty())
    doc.fail(&n, key, "expected a local file path (relative to the scenario file, or data:… for the data folder), "
                      "got '" + geodata::escape_cell(w) + "': " + why);
  if (data) ref.path = (fs::path(doc.data_dir) / w.substr(5)).lexically_normal().string();
  else ref.path = (fs::path(doc.dir) / w).lexically_normal().string();
  geodata::CheckedInput checked;
  try {
    checked = geodata::check_input(ref.path, w, doc.policy);
  } catch (const InputError& e) {
    doc.fail(&n, key, e.what());
  }
  // Files an OGR VRT pulls in are inputs too: their SHA-256 goes into the manifest beside the VRT's (recorded here,
  // first, so that a VRT as [geography.source] is in the manifest as well).
  if (!checked.pulls.empty()) doc.record(key, ref.path, w);
  for (const auto& pulled : checked.pulls) {
    std::string rel = pulled;
    for (const auto& [root, prefix] : {std::pair{doc.data_dir, std::string("data:")}, std::pair{doc.dir, std::string()}}) {
      if (root.empty()) continue;
      std::error_code ec;
      const fs::path base = fs::weakly_canonical(fs::absolute(root, ec), ec);
      if (!ec && geodata::inside_roots(pulled, {base.string()})) {
        rel = prefix + fs::path(pulled).lexically_relative(base).generic_string();
        break;
      }
    }
    doc.record(key + " (through " + w + ")", pulled, rel);
    for (const std::string& side : geodata::read_companions(pulled))  // a Shapefile's .dbf …, as record_file
      doc.record(key + " (through " + w + ", sidecar)", side,
                 fs::path(rel).replace_filename(fs::path(side).filename()).generic_string());
  }
  return ref;
}

void record_file(const Doc& doc, const std::string& role, const TableRef& ref) {
  if (!ref.database.empty()) {
    doc.record(role, ref.path, "db:" + ref.database);
    return;
  }
  doc.record(role, ref.path, ref.written);
  for (const std::string& side : geodata::read_companions(ref.path))
    doc.record(role + " (sidecar)", side,
               fs::path(ref.written).replace_filename(fs::path(side).filename()).generic_string());
}

namespace {
std::vector<geodata::ColumnSpec> column_spec(const TableRef& ref, const std::vector<std::string>& required) {
  std::vector<geodata::ColumnSpec> spec;
  // Numbers are checked per kept row (rows removed by the filter may hold anything), after the value maps.
  for (const auto& c : required)
    if (!(ref.wpp.wide && (c == "sex" || c == "population")))  // made from PopFemale and PopMale
      spec.push_back({ref.column(c), geodata::ColumnType::text});
  for (std::size_t i = 0; i < ref.filter.size(); ++i)
    if (i == 0 || ref.filter[i - 1].first != ref.filter[i].first) spec.push_back({ref.filter[i].first, geodata::ColumnType::text});
  if (ref.wpp.on)
    for (const auto& c : wpp_columns(ref)) spec.push_back({c, geodata::ColumnType::text});
  return spec;
}

[[noreturn]] void fail_no_rows(const Doc& doc, const TableRef& ref, const FilterMisses& misses) {
  doc.fail(ref.node, ref.key,
           ref.path + ": no rows " + (ref.filter.empty() ? "" : "match the filter; ") + "expected at least one" +
               misses.explain(ref));
}

void note_input(const Doc& doc, const TableRef& ref) {
  if (ref.frame) return;  // tables held in memory are no files to hash
  record_file(doc, ref.key, ref);
}

// After a missing-column error of a WPP file: the columns such a file has.
std::string wpp_hint(const TableRef& ref, const InputError& e) {
  if (!ref.wpp.on || std::string_view(e.what()).find("missing column") == std::string_view::npos) return {};
  std::string need;
  for (const auto& c : wpp_columns(ref)) need += (need.empty() ? "" : ", ") + c;
  return " (a WPP 2022 file read for " + ref.key + " needs the columns " + need + ")";
}

// A WPP file holds every country of the world: it is streamed and only the location's rows are kept.
void read_wpp_rows(const Doc& doc, const TableRef& ref, const std::vector<geodata::ColumnSpec>& spec, Rows& rows,
                   FilterMisses& misses) {
  WppScan scan;
  bool first = true;
  try {
    stream_source(ref, spec, doc.threads, [&](const geodata::Table& t) {
      if (!scan.keep(ref, t, 0)) return;
      if (!passes_filter(ref, t, 0)) return misses.note(ref, t, 0);
      geodata::Table one = t;
      canonical_cells(ref, one, 0);
      for (int part = 0; part < (ref.wpp.wide ? 2 : 1); ++part) {
        if (ref.wpp.wide) wpp_wide_part(ref, one, 0, part);
        if (first) {
          rows.table.path = one.path;
          rows.table.layer = one.layer;
          rows.table.has_header_row = one.has_header_row;
          rows.table.columns = one.columns;
          first = false;
        }
        rows.keep.push_back(rows.table.rows.size());
        rows.table.rows.push_back(one.rows[0]);
        rows.data_row.push_back(t.first_row);
      }
    });
  } catch (const geodata::DeclaredEncodingError& e) {
    fail_declared_encoding(doc, ref, e);
  } catch (const InputError& e) {
    doc.fail(ref.node, ref.key, e.what() + wpp_hint(ref, e));
  }
  if (rows.keep.empty()) scan.fail_none(doc, ref);
}
}  // namespace

Rows read_rows(const Doc& doc, const TableRef& ref, const std::vector<std::string>& required,
               const std::vector<std::string>& number_columns) {
  Rows rows{ref, {}, {}, {}, {}, 0, {}};
  const std::vector<geodata::ColumnSpec> spec = column_spec(ref, required);
  FilterMisses misses(ref);
  if (ref.wpp.on) {
    read_wpp_rows(doc, ref, spec, rows, misses);
  } else {
    try {
      rows.table = read_source(ref, spec);
      for (std::size_t r = 0; r < rows.table.size(); ++r)
        if (passes_filter(ref, rows.table, r)) {
          canonical_cells(ref, rows.table, r);
          rows.keep.push_back(r);
        } else {
          misses.note(ref, rows.table, r);
        }
    } catch (const geodata::DeclaredEncodingError& e) {
      fail_declared_encoding(doc, ref, e);
    } catch (const InputError& e) {
      doc.fail(ref.node, ref.key, e.what());
    }
  }
  if (rows.keep.empty()) fail_no_rows(doc, ref, misses);
  try {
    for (std::size_t r = 0; r < rows.size(); ++r)
      for (const auto& c : number_columns)
        if (rows.has(c)) (void)rows.number(r, c);
  } catch (const InputError& e) {
    doc.fail(ref.node, ref.key, e.what());
  }
  note_input(doc, ref);
  return rows;
}

void stream_rows(const Doc& doc, const TableRef& ref, const std::vector<std::string>& required,
                 const std::vector<std::string>& number_columns, const std::function<void(const Rows&)>& on_row) {
  const std::vector<geodata::ColumnSpec> spec = column_spec(ref, required);
  Rows one{ref, {}, {0}, {}, {}, 0, {}};
  FilterMisses misses(ref);
  bool primed = false;
  std::size_t kept = 0;
  WppScan scan;
  bool in_callback = false;
  // The number columns' indices, found again only when the row's width changes (a WPP wide row gains cells).
  std::vector<std::size_t> number_at;
  std::size_t number_width = uz(-1);
  try {
    stream_source(ref, spec, doc.threads, [&](geodata::Table& t) {
      if (ref.wpp.on && !scan.keep(ref, t, 0)) return;
      if (!passes_filter(ref, t, 0)) return misses.note(ref, t, 0);
      // One row; first_row keeps its place for messages. After the first row the cells are swapped in and given
      // back below (no copy): a register of 20 million rows must not pay for the header, nor its cells, each row.
      if (primed) {
        one.table.rows[0].swap(t.rows[0]);
        one.table.first_row = t.first_row;
      } else {
        one.table = t;
        primed = !ref.wpp.wide;  // WPP wide rows gain synthetic cells: copied whole each time
      }
      struct GiveBack {
        geodata::Table &from, &to;
        bool on;
        ~GiveBack() {
          if (on) from.rows[0].swap(to.rows[0]);
        }
      } give_back{one.table, t, primed};
      one.number_cache.on = true;
      canonical_cells(ref, one.table, 0);
      for (int part = 0; part < (ref.wpp.wide ? 2 : 1); ++part) {
        one.number_cache.values.clear();  // a new row, or a WPP row's other sex
        if (ref.wpp.wide) wpp_wide_part(ref, one.table, 0, part);
        if (number_width != one.table.columns.size()) {
          number_at.clear();
          for (const auto& c : number_columns) number_at.push_back(one.column_index(c));
          number_width = one.table.columns.size();
        }
        for (std::size_t i = 0; i < number_columns.size(); ++i)
          if (number_at[i] != Rows::kNoColumn) (void)one.number_at(0, number_at[i], number_columns[i]);
        ++kept;
        in_callback = true;  // on_row's errors already name the scenario file and key
        on_row(one);
        in_callback = false;
      }
    });
  } catch (const geodata::DeclaredEncodingError& e) {
    fail_declared_encoding(doc, ref, e);
  } catch (const InputError& e) {
    if (in_callback) throw;
    doc.fail(ref.node, ref.key, e.what() + wpp_hint(ref, e));
  }
  if (kept == 0 && ref.wpp.on) scan.fail_none(doc, ref);
  if (kept == 0) fail_no_rows(doc, ref, misses);
  note_input(doc, ref);
}

}  // namespace cohortgis::scenarios::detail

namespace cohortgis::scenarios {

std::string toml_library_version() {
  return std::to_string(TOML_LIB_MAJOR) + "." + std::to_string(TOML_LIB_MINOR) + "." + std::to_string(TOML_LIB_PATCH);
}

std::string did_you_mean(std::string_view got, const std::vector<std::string>& known) {
  return detail::nearest_name(got, known);
}

}  // namespace cohortgis::scenarios
