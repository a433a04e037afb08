// SPDX-License-Identifier: Apache-2.0
#include "toml_doc.hpp"

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

std::string fmt(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::string describe(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string: return "the string \"" + std::string(*n.as_string()) + "\"";
    case toml::node_type::integer: return "the integer " + std::to_string(n.as_integer()->get());
    case toml::node_type::floating_point: return "the number " + fmt(n.as_floating_point()->get());
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

void Doc::fail(const toml::node* n, const std::string& key, const std::string& message) const {
  throw InputError(where(n) + ": key '" + key + "': " + message);
}
void Doc::fail(const toml::source_region& r, const std::string& key, const std::string& message) const {
  throw InputError(where(r) + ": key '" + key + "': " + message);
}

void Doc::allow(const toml::table& t, const std::string& prefix, std::initializer_list<std::string_view> keys) const {
  for (auto&& [k, v] : t) {
    bool ok = false;
    for (std::string_view a : keys) ok = ok || a == k.str();
    if (ok) continue;
    std::string list;
    for (std::string_view a : keys) list += (list.empty() ? "" : ", ") + std::string(a);
    fail(k.source(), join_key(prefix, k.str()), "unknown key; expected one of: " + list);
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
  if (!(v >= lo && v <= hi)) fail(&n, key, expect + ", got " + fmt(v));
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
    int year = 0;
    const auto r = std::from_chars(k.str().data(), k.str().data() + k.str().size(), year);
    if (r.ec != std::errc() || r.ptr != k.str().data() + k.str().size())
      fail(k.source(), sub, "expected a year as the key (e.g. \"" + std::to_string(first_year) + "\"), got \"" +
                                std::string(k.str()) + "\"");
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

std::pair<int, int> Doc::years_label(const toml::node& n, const std::string& key) const {
  const std::string s = string(n, key);
  int a = 0, b = 0;
  const char* e = s.data() + s.size();
  auto r = std::from_chars(s.data(), e, a);
  if (r.ec == std::errc() && r.ptr == e) return {a, a};
  if (r.ec == std::errc() && r.ptr < e && *r.ptr == '-') {
    auto r2 = std::from_chars(r.ptr + 1, e, b);
    if (r2.ec == std::errc() && r2.ptr == e && b >= a) return {a, b};
  }
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
    throw InputError(where(r, logical) + ": '" + geodata::quote_cell(text(r, logical)) + "'; expected " + what +
                     " from " + std::to_string(lo) + " to " + std::to_string(hi));
  return static_cast<int>(v);
}

double Rows::number(std::size_t r, const std::string& logical) const {
  return table.number(keep[r], ref.column(logical));
}
std::string Rows::where(std::size_t r, const std::string& logical) const {
  return table.where(keep[r], ref.column(logical));
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
    doc.allow(t, key, {"path", "layer", "encoding", "filter", "columns"});
    const toml::node* p = t.get("path");
    if (!p) doc.fail(&n, key, "expected a 'path' in the table reference");
    ref.written = doc.string(*p, key + ".path");
    if (const toml::node* l = t.get("layer")) ref.layer = doc.string(*l, key + ".layer");
    if (const toml::node* e = t.get("encoding")) ref.encoding = doc.string(*e, key + ".encoding");
    if (const toml::node* f = t.get("filter")) {
      for (auto&& [k, v] : doc.table(*f, key + ".filter")) {
        const std::string sub = key + ".filter." + std::string(k.str());
        std::string value;
        if (v.is_string()) value = std::string(*v.as_string());
        else if (v.is_integer()) value = std::to_string(v.as_integer()->get());
        else doc.fail(&v, sub, "expected a string or a whole number to match, got " + describe(v));
        ref.filter.emplace_back(std::string(k.str()), value);
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
        if (!known) doc.fail(k.source(), key + ".columns." + std::string(k.str()), "unknown column role; expected one of: " + list);
        ref.columns[std::string(k.str())] = doc.string(v, key + ".columns." + std::string(k.str()));
      }
    }
  } else {
    doc.fail(&n, key,
             "expected a table path (string) or { path = …, layer = …, encoding = …, filter = …, columns = … }, got " +
                 describe(n));
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
                      "got '" + geodata::quote_cell(w) + "': " + why);
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
  }
  return ref;
}

Rows read_rows(const Doc& doc, const TableRef& ref, const std::vector<std::string>& required,
               const std::vector<std::string>& number_columns) {
  Rows rows{ref, {}, {}};
  std::vector<geodata::ColumnSpec> spec;
  for (const auto& c : required) {
    const bool num = std::find(number_columns.begin(), number_columns.end(), c) != number_columns.end();
    // Numbers are checked per kept row below (rows removed by the filter may hold anything).
    (void)num;
    spec.push_back({ref.column(c), geodata::ColumnType::text});
  }
  for (const auto& [col, value] : ref.filter) spec.push_back({col, geodata::ColumnType::text});
  try {
    rows.table = geodata::read_table(ref.path, spec, ref.layer, ref.encoding);
  } catch (const InputError& e) {
    doc.fail(ref.node, ref.key, e.what());
  }
  for (std::size_t r = 0; r < rows.table.size(); ++r) {
    bool keep = true;
    for (const auto& [col, value] : ref.filter) {
      const std::string& cell = rows.table.text(r, col);
      if (!value.empty() && value.back() == '*') keep = keep && cell.rfind(value.substr(0, value.size() - 1), 0) == 0;
      else keep = keep && cell == value;
    }
    if (keep) rows.keep.push_back(r);
  }
  if (rows.keep.empty())
    doc.fail(ref.node, ref.key, ref.path + ": no rows " + (ref.filter.empty() ? "" : "match the filter; ") +
                                    "expected at least one");
  try {
    for (std::size_t r = 0; r < rows.size(); ++r)
      for (const auto& c : number_columns)
        if (rows.has(c)) (void)rows.number(r, c);
  } catch (const InputError& e) {
    doc.fail(ref.node, ref.key, e.what());
  }
  doc.record(ref.key, ref.path, ref.database.empty() ? ref.written : "db:" + ref.database);
  return rows;
}

void stream_rows(const Doc& doc, const TableRef& ref, const std::vector<std::string>& required,
                 const std::vector<std::string>& number_columns, const std::function<void(const Rows&)>& on_row) {
  std::vector<geodata::ColumnSpec> spec;
  for (const auto& c : required) spec.push_back({ref.column(c), geodata::ColumnType::text});
  for (const auto& [col, value] : ref.filter) spec.push_back({col, geodata::ColumnType::text});
  Rows one{ref, {}, {0}};
  std::size_t kept = 0;
  bool in_callback = false;
  try {
    geodata::stream_table(ref.path, spec, ref.layer, ref.encoding, [&](const geodata::Table& t) {
      for (const auto& [col, value] : ref.filter) {
        const std::string& cell = t.text(0, col);
        const bool match = !value.empty() && value.back() == '*' ? cell.rfind(value.substr(0, value.size() - 1), 0) == 0
                                                                 : cell == value;
        if (!match) return;
      }
      one.table = t;  // one row; first_row keeps its place for messages
      for (const auto& c : number_columns)
        if (one.has(c)) (void)one.number(0, c);
      ++kept;
      in_callback = true;  // on_row's errors already name the scenario file and key
      on_row(one);
      in_callback = false;
    });
  } catch (const InputError& e) {
    if (in_callback) throw;
    doc.fail(ref.node, ref.key, e.what());
  }
  if (kept == 0)
    doc.fail(ref.node, ref.key, ref.path + ": no rows " + (ref.filter.empty() ? "" : "match the filter; ") +
                                    "expected at least one");
  doc.record(ref.key, ref.path, ref.database.empty() ? ref.written : "db:" + ref.database);
}

}  // namespace cohortgis::scenarios::detail
