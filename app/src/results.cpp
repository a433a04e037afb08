// SPDX-License-Identifier: Apache-2.0
#include "cohortgis/app/results.hpp"

#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>

#include <algorithm>

#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <system_error>
#include <thread>

#include <sys/stat.h>

#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/projection.hpp"  // resolve_threads
#include "cohortgis/engine/types.hpp"
#include "cohortgis/geodata/json_depth.hpp"
#include "cohortgis/geodata/read_policy.hpp"
#include "cohortgis/geodata/sha256.hpp"
#include "csv_stream.hpp"
#include "output_dir.hpp"
#include "results_read.hpp"
#include "written_indicators.hpp"
#include "written_number.hpp"

namespace cohortgis::app {

namespace fs = std::filesystem;
namespace pt = boost::property_tree;

namespace {

const double kNaN = std::nan("");
using detail::key;
using detail::kMaxResultsAge;

double parse_double(const std::string& s, const CsvData& csv, std::size_t row, const std::string& col) {
  if (s.empty()) return kNaN;
  double v = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size())
    throw InputError(csv.path + ": row " + std::to_string(row + 2) + ", column '" + col +
                     "': expected a number, got '" + geodata::escape_cell(s) + "'");
  return v;
}

int parse_int(const std::string& s, const CsvData& csv, std::size_t row, const std::string& col) {
  int v = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size())
    throw InputError(csv.path + ": row " + std::to_string(row + 2) + ", column '" + col +
                     "': expected a whole number, got '" + geodata::escape_cell(s) + "'");
  return v;
}

// indicators.csv keys packed into 64 bits, most significant first: variant (8 bits), year + 32768 (16), unit (22),
// group (8), indicator (10). Ids are given in the order the file first names them, so the file's own order (variant,
// year, zone, group, indicator) ascends but for the indicators within a block (read_indicators).
constexpr int kUnitBits = 22, kGroupBits = 8, kIndicatorBits = 10, kYearBits = 16, kVariantBits = 8;

std::uint64_t indicator_key(std::uint32_t variant, int year, std::uint32_t unit, std::uint32_t group,
                            std::uint32_t indicator, const CsvData& csv, std::size_t row) {
  const auto over = [&](const char* what, int bits) {
    throw InputError(csv.path + ": row " + std::to_string(row + 2) + ": more than " + std::to_string(1 << bits) +
                     " different " + what + "; a results folder of cohortgis has far fewer");
  };
  if (variant >> kVariantBits) over("variants", kVariantBits);
  if (unit >> kUnitBits) over("zones and aggregates", kUnitBits);
  if (group >> kGroupBits) over("groups", kGroupBits);
  if (indicator >> kIndicatorBits) over("indicators", kIndicatorBits);
  if (!detail::indicator_year_fits(year))
    throw InputError(csv.path + ": row " + std::to_string(row + 2) + ", column 'year': " + std::to_string(year) +
                     " is not a calendar year");
  return detail::indicator_key(variant, year, unit, group, indicator);
}

// indicators.csv read by one thread, or a part of it (for_each_csv_row_part): keys interned in the order the rows
// name them, values in file order.
struct IndicatorReader {
  Results::IndicatorKeys keys[4];  // variant, unit, group, indicator
  std::vector<std::pair<std::uint64_t, double>> values;
  std::set<int> years;
  std::size_t v = 0, y = 0, z = 0, g = 0, k = 0, val = 0;
  bool columns = false;
  // Rows of one zone come together: the last id of each part is looked up again only when its text changes.
  struct Last {
    std::string text;
    std::uint32_t id = 0;
    bool set = false;
  } last[4];

  std::uint32_t id_of(int part, const std::string& text) {
    Last& l = last[part];
    if (!l.set || l.text != text) {
      l.id = keys[part].intern(text);
      l.text = text;
      l.set = true;
    }
    return l.id;
  }
  void operator()(const CsvData& csv, const std::vector<std::string>& row, std::size_t i) {
    if (!columns) {
      v = csv.column("variant"), y = csv.column("year"), z = csv.column("zone");
      g = csv.column("group"), k = csv.column("indicator"), val = csv.column("value");
      columns = true;
    }
    const int year = parse_int(row[y], csv, i, "year");
    if (years.empty() || *years.rbegin() != year) years.insert(year);
    const std::uint64_t key =
        indicator_key(id_of(0, row[v]), year, id_of(1, row[z]), id_of(2, row[g]), id_of(3, row[k]), csv, i);
    values.emplace_back(key, parse_double(row[val], csv, i, "value"));
  }
};

constexpr std::initializer_list<const char*> kIndicatorColumns = {"variant", "year",      "zone",
                                                                  "group",   "indicator", "value"};

constexpr std::size_t kNoLineBreak = std::size_t(-1);

// The offset just after the first line break at or after `at`, or kNoLineBreak when none comes within a row's
// greatest length (std::getline read a 2 GB line of NUL bytes whole; hostile probe, round 10).
std::size_t after_line_break(std::ifstream& in, std::size_t at) {
  in.clear();
  if (!in.seekg(static_cast<std::streamoff>(at))) return kNoLineBreak;
  std::vector<char> block(1 << 16);
  for (std::size_t read = 0; read <= detail::kMaxCsvRowBytes;) {
    in.read(block.data(), static_cast<std::streamsize>(block.size()));
    const std::size_t n = uz(in.gcount());
    if (n == 0) return kNoLineBreak;
    if (const void* nl = std::memchr(block.data(), '\n', n))
      return at + read + uz(static_cast<const char*>(nl) - block.data()) + 1;
    read += n;
  }
  return kNoLineBreak;
}

// indicators.csv in `parts` pieces on as many threads, merged into what one reader gives (ids in order of first
// appearance, values in file order). False (and `into` untouched) when the file cannot be read this way: a piece
// that does not end between rows (a line break inside quotes), any error (the whole-file read gives its message with
// the right row), more ids than the keys hold.
bool read_indicators_in_parts(const std::string& path, IndicatorReader& into, int parts) {
  std::error_code ec;
  const std::size_t size = fs::file_size(path, ec);
  if (ec || parts < 2) return false;
  // Piece boundaries just after a line break (the header's own line first: every piece but the first gets it).
  std::vector<std::size_t> cut{0};
  CsvData header;
  {
    std::ifstream in = detail::open_results_csv(path);
    const std::size_t after_header = after_line_break(in, 0);
    if (after_header == kNoLineBreak) return false;
    auto none = [](const CsvData&, const std::vector<std::string>&, std::size_t) {};
    try {
      if (!detail::for_each_csv_row_part(path, header, 0, after_header, none)) return false;
      for (const char* c : kIndicatorColumns) (void)header.column(c);
    } catch (const std::exception&) {
      return false;
    }
    for (int p = 1; p < parts; ++p) {
      std::size_t at = std::max(size / uz(parts) * uz(p), after_header);
      at = after_line_break(in, at);
      if (at == kNoLineBreak) break;  // no line break after `at`: the last piece takes the rest
      if (at > cut.back() && at < size) cut.push_back(at);
    }
  }
  cut.push_back(size);
  const std::size_t n = cut.size() - 1;
  if (n < 2) return false;
  std::vector<IndicatorReader> readers(n);
  std::vector<char> ok(n, 0);
  {
    std::vector<std::thread> pool;
    const auto read = [&](std::size_t p) {
      try {
        CsvData csv;
        if (p > 0) csv.header = header.header;
        ok[p] = detail::for_each_csv_row_part(path, csv, cut[p], cut[p + 1], readers[p]) ? 1 : 0;
      } catch (const std::exception&) {
        ok[p] = 0;
      }
    };
    pool.reserve(n);
    std::size_t started = 1;
    try {
      for (; started < n; ++started) pool.emplace_back(read, started);
    } catch (const std::system_error&) {  // no thread to be had (a process limit): the rest are read here
    }
    read(0);
    for (std::size_t p = started; p < n; ++p) read(p);
    for (auto& t : pool) t.join();
  }
  if (std::find(ok.begin(), ok.end(), 0) != ok.end()) return false;

  // Ids of later pieces renumbered as one reader would have given them: each piece's names in its own order of
  // first appearance, after those of the pieces before it.
  IndicatorReader& first = readers[0];
  const int bits[4] = {kVariantBits, kUnitBits, kGroupBits, kIndicatorBits};
  std::vector<std::uint32_t> map[4];
  for (std::size_t p = 1; p < n; ++p) {
    for (int part = 0; part < 4; ++part) {
      map[part].clear();
      for (const auto& name : readers[p].keys[part].names) map[part].push_back(first.keys[part].intern(name));
      if (first.keys[part].names.size() > (std::size_t{1} << bits[part])) return false;
    }
    const auto mask = [](int b) { return (std::uint64_t{1} << b) - 1; };
    for (auto& [key, value] : readers[p].values) {
      const std::uint64_t ind = key & mask(kIndicatorBits), grp = (key >> kIndicatorBits) & mask(kGroupBits),
                          unit = (key >> (kIndicatorBits + kGroupBits)) & mask(kUnitBits),
                          year = (key >> (kIndicatorBits + kGroupBits + kUnitBits)) & mask(kYearBits),
                          var = key >> (kIndicatorBits + kGroupBits + kUnitBits + kYearBits);
      std::uint64_t k = map[0][var];
      k = (k << kYearBits) | year;
      k = (k << kUnitBits) | map[1][unit];
      k = (k << kGroupBits) | map[2][grp];
      key = (k << kIndicatorBits) | map[3][ind];
    }
    first.values.insert(first.values.end(), readers[p].values.begin(), readers[p].values.end());
    readers[p].values = {};
    first.years.insert(readers[p].years.begin(), readers[p].years.end());
  }
  into = std::move(first);
  return true;
}

// indicators.csv into r's keys and values (sorted by key, a key given twice keeping its last value) and years; on
// `threads` threads when the file is large (the same result as one).
void read_indicators(const std::string& path, Results& r, int threads) {
  IndicatorReader reader;
  std::error_code ec;
  const std::size_t size = fs::file_size(path, ec);
  threads = resolve_threads(threads);
  const int parts = ec ? 1 : static_cast<int>(std::min<std::size_t>(uz(threads), size / (8u << 20) + 1));
  if (!read_indicators_in_parts(path, reader, parts)) {
    reader = IndicatorReader();
    CsvData csv;
    detail::for_each_csv_row(path, csv, kIndicatorColumns, reader);
  }
  detail::set_indicators(r, reader.keys, std::move(reader.values), reader.years);
}

}  // namespace

bool detail::indicator_ids_fit(std::size_t variants, std::size_t units, std::size_t groups, std::size_t indicators) {
  const auto fits = [](std::size_t n, int bits) { return n <= (std::size_t{1} << bits); };
  return fits(variants, kVariantBits) && fits(units, kUnitBits) && fits(groups, kGroupBits) &&
         fits(indicators, kIndicatorBits);
}

bool detail::indicator_year_fits(int year) { return year >= -32768 && year <= 32767; }

std::uint64_t detail::indicator_key(std::uint32_t variant, int year, std::uint32_t unit, std::uint32_t group,
                                    std::uint32_t indicator) {
  std::uint64_t k = variant;
  k = (k << kYearBits) | static_cast<std::uint64_t>(year + 32768);
  k = (k << kUnitBits) | unit;
  k = (k << kGroupBits) | group;
  return (k << kIndicatorBits) | indicator;
}

void detail::set_indicators(Results& r, Results::IndicatorKeys (&keys)[4],
                            std::vector<std::pair<std::uint64_t, double>>&& values, const std::set<int>& years) {
  r.indicator_variants = std::move(keys[0]);
  r.indicator_units = std::move(keys[1]);
  r.indicator_groups = std::move(keys[2]);
  r.indicator_names = std::move(keys[3]);
  r.years.assign(years.begin(), years.end());
  auto& iv = r.indicator_values;
  iv = std::move(values);
  // Sorted by key, stably. The file's order leaves only each (variant, year, unit, group) block's indicators out of
  // order (a year's flows are first named after the base year's stocks): when the blocks ascend, sorting each block
  // is the same as sorting the whole.
  const auto by_key = [](const auto& a, const auto& b) { return a.first < b.first; };
  const auto block = [](std::uint64_t key) { return key >> kIndicatorBits; };
  bool blocks_ascend = true;
  for (std::size_t i = 1; i < iv.size() && blocks_ascend; ++i)
    blocks_ascend = block(iv[i - 1].first) <= block(iv[i].first);
  if (blocks_ascend) {
    for (std::size_t b = 0; b < iv.size();) {
      std::size_t e = b + 1;
      while (e < iv.size() && block(iv[e].first) == block(iv[b].first)) ++e;
      if (!std::is_sorted(iv.begin() + static_cast<std::ptrdiff_t>(b), iv.begin() + static_cast<std::ptrdiff_t>(e),
                          by_key))
        std::stable_sort(iv.begin() + static_cast<std::ptrdiff_t>(b), iv.begin() + static_cast<std::ptrdiff_t>(e),
                         by_key);
      b = e;
    }
  } else {
    std::stable_sort(iv.begin(), iv.end(), by_key);
  }
  // A key given twice keeps its last value (as the map did).
  std::size_t out = 0;
  for (std::size_t i = 0; i < iv.size(); ++i) {
    if (i + 1 < iv.size() && iv[i + 1].first == iv[i].first) continue;
    iv[out++] = iv[i];
  }
  iv.resize(out);
  iv.shrink_to_fit();
}

namespace {

std::vector<std::string> strings(const pt::ptree& tree, const std::string& path) {
  std::vector<std::string> out;
  if (const auto child = tree.get_child_optional(path))
    for (const auto& [k, v] : *child) out.push_back(v.get_value<std::string>());
  return out;
}

}  // namespace

std::size_t CsvData::column(const std::string& name) const {
  for (std::size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return i;
  std::string have;
  for (std::size_t i = 0; i < header.size() && i < 20; ++i) have += (i ? ", " : "") + geodata::escape_cell(header[i]);
  if (header.size() > 20) have += ", … (" + std::to_string(header.size()) + " columns)";
  throw InputError(path + ": no column '" + name + "' (the header has: " + have + ")");
}

using detail::for_each_csv_row;

int written_whole_number(const CsvData& csv, std::size_t row, std::size_t col) {
  return parse_int(csv.rows[row][col], csv, row, csv.header[col]);
}

std::optional<int> plan_period_last_year(const std::string& label) {
  const char *s = label.data(), *e = s + label.size();
  int first = 0, last = 0;
  auto r = std::from_chars(s, e, first);
  if (r.ec == std::errc() && r.ptr != e && *r.ptr == '-')
    r = std::from_chars(r.ptr + 1, e, last);
  else
    last = first;
  if (r.ec != std::errc() || r.ptr != e || last < first) return std::nullopt;
  return last;
}

CsvData read_csv_file(const std::string& path) {
  CsvData csv;
  for_each_csv_row(path, csv, {}, [&](const CsvData&, std::vector<std::string>& row, std::size_t) {
    csv.rows.push_back(std::move(row));
  });
  return csv;
}

ResultsMeta read_manifest(const std::string& path) {
  pt::ptree tree;
  try {
    // Read whole (at most 64 MiB, as check_results_folder allows) and measured before the recursive parser sees it.
    std::error_code ec;
    // Not a link or a device: validate --results on a manifest.json linked to /dev/zero read forever (probe 3).
    const auto st = fs::symlink_status(path, ec);
    if (fs::exists(st) && !fs::is_regular_file(st))
      throw InputError(path + ": a symbolic link or not a regular file; expected the manifest.json cohortgis wrote");
    if (fs::is_regular_file(path, ec) && fs::file_size(path, ec) > (std::uintmax_t{64} << 20))
      throw InputError(path + ": larger than 64 MiB, far larger than a manifest.json of cohortgis");
    std::ifstream file(path, std::ios::binary);
    if (!file) throw InputError(path + ": cannot be read");
    const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    if (geodata::json_nesting_depth(text) > geodata::kMaxJsonDepth)
      throw InputError(path + ": nested more than " + std::to_string(geodata::kMaxJsonDepth) +
                       " levels deep; expected a manifest.json of cohortgis");
    std::istringstream in(text);
    pt::read_json(in, tree);
  } catch (const pt::json_parser_error& e) {
    throw InputError(path + ": line " + std::to_string(e.line()) + ": not valid JSON (" + e.message() + ")");
  }
  ResultsMeta m;
  m.version = tree.get("cohortgis_version", "");
  m.scenario = tree.get("scenario.name", "");
  m.title = tree.get("scenario.title", "");
  m.scenario_file = tree.get("scenario.file", "");
  m.variants = strings(tree, "scenario.variants");
  m.variant_descriptions = strings(tree, "scenario.variant_descriptions");
  m.variant_descriptions.resize(m.variants.size());
  m.title_en = tree.get("scenario.title_en", "");
  m.variant_titles = strings(tree, "scenario.variant_titles");
  m.variant_titles.resize(m.variants.size());
  m.variant_titles_en = strings(tree, "scenario.variant_titles_en");
  m.variant_titles_en.resize(m.variants.size());
  m.assumptions = strings(tree, "scenario.assumptions");
  m.started_at_utc = tree.get("started_at_utc", "");
  m.language = tree.get("language", "");
  m.threads = tree.get("threads", 0);
  m.base_year = tree.get("projection.base_year", 0);
  m.end_year = tree.get("projection.end_year", 0);
  m.step_years = tree.get("projection.step_years", 0);
  m.groups = strings(tree, "projection.groups");
  m.seconds = tree.get("timings.total_seconds", 0.0);
  m.maps_note = tree.get("maps.note", "");
  if (const auto pp = tree.get_child_optional("projection.plan_periods"))
    for (const auto& [k, v] : *pp) {
      // "2026-2030" or "2030", as the writer puts it (PlanPeriod::label); the report's panels take its last year.
      const std::string label = v.get("period", "");
      if (!plan_period_last_year(label))
        throw InputError(path + ": projection.plan_periods: period '" + geodata::escape_cell(label) +
                         "'; expected a year or years such as \"2026-2030\" (manifest.json as cohortgis wrote it)");
      m.plan_periods.push_back({label, v.get("plan", "")});
    }
  if (const auto ag = tree.get_child_optional("projection.aggregates"))
    for (const auto& [k, v] : *ag) {
      std::string members;
      for (const auto& z : strings(v, "zones")) members += (members.empty() ? "" : ", ") + z;
      m.aggregates.emplace_back(v.get("name", ""), members);
      if (const std::string title = v.get("title", ""), title_en = v.get("title_en", "");
          !title.empty() || !title_en.empty())
        m.aggregate_titles[m.aggregates.back().first] = {title, title_en};
    }
  if (const auto in = tree.get_child_optional("inputs"))
    for (const auto& [k, v] : *in)
      m.inputs.push_back({v.get("role", ""), v.get("path", ""), v.get("sha256", ""), v.get("opened", "")});
  m.data_dir = tree.get("data_dir", "");
  // `cohortgis estimate` writes a manifest.json of its own (no scenario, no variants): its folder is named as such,
  // not as "not a cohortgis manifest".
  if (const std::string command = tree.get("command", ""); m.scenario.empty() && command.rfind("estimate", 0) == 0)
    throw InputError(path + ": the manifest of `cohortgis " + geodata::escape_cell(command) +
                     "` (tables for a scenario), not of a projection's results; expected the results folder of "
                     "`cohortgis run` or `cohortgis backtest`");
  if (m.scenario.empty() || m.variants.empty())
    throw InputError(path + ": not a cohortgis manifest (no scenario name or variants)");
  return m;
}

std::vector<std::string> ResultsIntegrity::findings() const {
  std::vector<std::string> out;
  if (!problem.empty()) out.push_back(problem);
  for (const auto& f : results_changed) out.push_back("results file " + f);
  for (const auto& f : inputs_changed) out.push_back("input " + f);
  return out;
}

namespace {

// Why a recorded input is not hashed again ("" when it is): manifest.json says where each input was read, and a
// results folder from elsewhere may say anything. /proc/self/pagemap (a regular file of 256 GB of zeros), /proc/kcore
// or a folder holding the whole file system made `info`, `map` and `report` read for hours (hostile probe of round
// 22). A scenario's inputs are files of a disk, or folders of a few (a folder of Shapefiles, a .gdb).
std::string unverifiable_input(const fs::path& p) {
  constexpr std::size_t kMaxFolderFiles = 10000;
  if (geodata::on_kernel_file_system(p.string())) return "it is a file of the kernel (/proc, /sys …), not of a disk";
  std::error_code ec;
  if (!fs::is_directory(p, ec)) return "";
  struct stat top {};
  if (::stat(p.c_str(), &top) != 0) return "";  // sha256_file_or_folder says why it cannot be read
  std::size_t files = 0;
  for (fs::recursive_directory_iterator it(p, ec), end; !ec && it != end; it.increment(ec)) {
    struct stat st {};  // a link's target: sha256_file_or_folder reads the file a link names
    if (::stat(it->path().c_str(), &st) != 0) continue;
    if (st.st_dev != top.st_dev) return "a folder reaching into another file system";
    if (S_ISREG(st.st_mode) && ++files > kMaxFolderFiles)
      return "a folder of more than " + std::to_string(kMaxFolderFiles) + " files";
  }
  return "";
}

}  // namespace

ResultsIntegrity check_results(const std::string& dir, bool inputs) {
  ResultsIntegrity r;
  const FolderCheck c = check_results_folder(dir, true);
  r.legacy = c.has_manifest && !c.marked;
  r.verifiable = c.marked && c.sealed;
  if (!r.verifiable) r.problem = dir + ": " + c.problem + (r.legacy ? "; its files cannot be verified" : "");
  r.files_checked = c.listed.size();
  r.files_size_only = static_cast<std::size_t>(
      std::count_if(c.listed.begin(), c.listed.end(), [](const ListedFile& f) { return f.sha256.empty(); }));
  for (const auto& f : c.changed) r.results_changed.push_back(f + " changed since the run");
  for (const auto& f : c.missing) r.results_changed.push_back(f + " is gone");
  r.unlisted = c.unlisted;
  if (!inputs || !c.has_manifest) return r;
  ResultsMeta m;
  try {
    m = read_manifest((fs::path(dir) / "manifest.json").string());
  } catch (const InputError&) {
    return r;
  }
  for (const auto& in : m.inputs) {
    // Where the run read it: the absolute path recorded, else (older manifests) "data:" in the data folder and
    // other paths next to the scenario file.
    fs::path p = in.opened;
    if (p.empty()) {
      if (in.path.rfind("data:", 0) == 0)
        p = fs::path(m.data_dir) / in.path.substr(5);
      else
        p = fs::path(m.scenario_file).parent_path() / in.path;
    }
    ++r.inputs_checked;
    std::error_code ec;
    if (!fs::is_regular_file(p, ec) && !fs::is_directory(p, ec)) {
      r.inputs_changed.push_back(in.path + " (" + in.role + ") is no longer at " + p.string());
      continue;
    }
    if (const std::string why = unverifiable_input(p); !why.empty()) {
      r.inputs_changed.push_back(in.path + " (" + in.role + ") at " + p.string() + " is not checked: " + why);
      continue;
    }
    std::string now;
    try {
      now = geodata::sha256_file_or_folder(p.string());
    } catch (const InputError&) {
      r.inputs_changed.push_back(in.path + " (" + in.role + ") cannot be read at " + p.string());
      continue;
    }
    if (now != in.sha256)
      r.inputs_changed.push_back(in.path + " (" + in.role + ") changed since the run (sha256 " +
                                 in.sha256.substr(0, 12) + "… then, " + now.substr(0, 12) + "… now, " + p.string() +
                                 ")");
  }
  return r;
}

std::vector<std::string> require_intact_results(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec) || !fs::exists(fs::path(dir) / "manifest.json", ec))
    return {};  // not a results folder at all: load_results says so
  const ResultsIntegrity r = check_results(dir, true);
  std::vector<std::string> warnings;
  if (r.legacy) {
    warnings.push_back(r.problem);
  } else if (!r.verifiable || !r.results_changed.empty()) {
    std::string list;
    if (!r.verifiable) list += "\n  " + r.problem;
    for (const auto& f : r.results_changed) list += "\n  " + f;
    throw InputError(dir +
                     ": the results are not as cohortgis wrote them, so nothing is drawn from them (run the "
                     "scenario again to replace them):" +
                     list);
  }
  for (const auto& f : r.inputs_changed)
    warnings.push_back("input " + f + "; the results in " + dir + " are from the inputs as they were then");
  return warnings;
}

Results load_results(const std::string& dir_text, int threads) { return load_results(dir_text, threads, nullptr); }

Results load_results(const std::string& dir_text, int threads, WrittenIndicators* written) {
  const fs::path dir(dir_text);
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw InputError(dir_text + ": no such folder; expected a results folder of 'cohortgis run'");
  if (!fs::is_regular_file(dir / "manifest.json", ec))
    throw InputError(dir_text + ": not a results folder (no manifest.json); run 'cohortgis run SCENARIO --out " +
                     dir_text + "' first");
  Results r;
  r.dir = dir.string();
  r.meta = read_manifest((dir / "manifest.json").string());

  const CsvData zones = read_csv_file((dir / "zones.csv").string());
  {
    const std::size_t id = zones.column("zone"), name = zones.column("name"), en = zones.column("name_en");
    for (const auto& row : zones.rows) r.zones.push_back({row[id], row[name], row[en]});
  }

  // The run's own report takes the indicators it has just written (written_indicators.hpp) instead of the file. A
  // folder without indicators.csv (a run in the netcdf format: RunConfig::indicators_csv) has them in results.nc.
  const auto no_file = [&](const char* name) { return !fs::exists(fs::symlink_status(dir / name, ec)); };
  const bool from_cube = no_file("indicators.csv") && fs::is_regular_file(fs::symlink_status(dir / "results.nc", ec));
  if (!written || !take_written_indicators(r, *written, dir / "indicators.csv")) {
    if (from_cube)
      read_cube_indicators(r, dir / "results.nc");
    else
      read_indicators((dir / "indicators.csv").string(), r, threads);
  }
  // Every figure and the report start from the first and last years (an indicators.csv of a header only made
  // `report` read the first of no years: SIGSEGV; hostile probe, round 10).
  if (r.years.empty())
    throw InputError((dir / (from_cube ? "results.nc" : "indicators.csv")).string() +
                     (from_cube ? ": no years" : ": no rows") + "; expected the indicators of every year of the run");

  // population.csv or results.nc that is there but not a file cohortgis wrote (a link, a pipe, a folder) is refused
  // as the CSVs are (a FIFO or a link to /dev/zero was passed over, and a link to another results.nc read).
  const auto present = [&](const char* name) {
    const auto st = fs::symlink_status(dir / name, ec);
    if (fs::exists(st) && !fs::is_regular_file(st))
      throw InputError((dir / name).string() +
                       ": a symbolic link or not a regular file; expected the file cohortgis wrote");
    return fs::exists(st);
  };
  if (present("population.csv")) {
    // One pass, cells parsed as they stream by. The ages are learnt as they come (each block of population.csv
    // lists the grid's ages in ascending order, so an age is inserted into the vectors already made only in the
    // first block).
    CsvData pop;
    std::size_t v = 0, y = 0, z = 0, g = 0, s = 0, a = 0, p = 0;
    std::vector<int>& ages = r.population_ages;
    for_each_csv_row(
        (dir / "population.csv").string(), pop, {"variant", "year", "zone", "group", "sex", "age", "population"},
        [&](const CsvData& csv, const std::vector<std::string>& row, std::size_t i) {
          if (i == 0) {
            v = csv.column("variant"), y = csv.column("year"), z = csv.column("zone");
            g = csv.column("group"), s = csv.column("sex"), a = csv.column("age");
            p = csv.column("population");
          }
          const int age = parse_int(row[a], csv, i, "age");
          if (age < 0 || age > kMaxResultsAge)
            throw InputError(csv.path + ": row " + std::to_string(i + 2) + ", column 'age': " + std::to_string(age) +
                             "; expected an age from 0 to " + std::to_string(kMaxResultsAge));
          auto at = std::lower_bound(ages.begin(), ages.end(), age);
          const auto pos = at - ages.begin();
          if (at == ages.end() || *at != age) {
            ages.insert(at, age);
            for (auto& [k, vec] : r.population_values) vec.insert(vec.begin() + pos, 0.0);
          }
          auto& vec = r.population_values[key({row[v], row[y], row[z], row[g], row[s]})];
          vec.resize(ages.size(), 0.0);
          vec[uz(pos)] += parse_double(row[p], csv, i, "population");
        });
  }

  else if (present("results.nc"))
    detail::read_netcdf_population(dir / "results.nc", r);

  r.plan_periods = read_csv_file((dir / "plan_periods.csv").string());
  {
    const std::size_t v = r.plan_periods.column("variant"), p = r.plan_periods.column("period"),
                      z = r.plan_periods.column("zone");
    for (std::size_t i = 0; i < r.plan_periods.rows.size(); ++i) {
      const auto& row = r.plan_periods.rows[i];
      r.period_rows[key({row[v], row[p], row[z]})] = i;
    }
  }
  if (fs::exists(dir / "plan_periods_by_group.csv"))
    r.plan_periods_by_group = read_csv_file((dir / "plan_periods_by_group.csv").string());
  r.targets = read_csv_file((dir / "targets.csv").string());
  return r;
}

std::uint32_t Results::IndicatorKeys::intern(const std::string& s) {
  const auto [it, added] = ids.try_emplace(s, static_cast<std::uint32_t>(names.size()));
  if (added) names.push_back(s);
  return it->second;
}

std::optional<std::uint32_t> Results::IndicatorKeys::find(const std::string& s) const {
  const auto it = ids.find(s);
  if (it == ids.end()) return std::nullopt;
  return it->second;
}

double Results::indicator(const std::string& variant, int year, const std::string& unit, const std::string& group,
                          const std::string& ind) const {
  const auto v = indicator_variants.find(variant), u = indicator_units.find(unit), g = indicator_groups.find(group),
             k = indicator_names.find(ind);
  if (!v || !u || !g || !k || !detail::indicator_year_fits(year)) return kNaN;
  const std::uint64_t key = detail::indicator_key(*v, year, *u, *g, *k);
  const auto it = std::lower_bound(indicator_values.begin(), indicator_values.end(), key,
                                   [](const auto& e, std::uint64_t x) { return e.first < x; });
  return it == indicator_values.end() || it->first != key ? kNaN : it->second;
}

bool Results::has_indicator(const std::string& ind) const { return indicator_names.find(ind).has_value(); }

void Results::for_each_indicator(
    const std::function<void(const std::string&, int, const std::string&, const std::string&, const std::string&,
                             double)>& visit) const {
  // Each part's ids ranked by their text (the year by its decimal text), so that sorting by ranks gives the order of
  // the joined keys.
  const auto ranks = [](const std::vector<std::string>& names) {
    std::vector<std::uint32_t> order(names.size()), rank(names.size());
    for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return names[a] < names[b]; });
    for (std::uint32_t i = 0; i < order.size(); ++i) rank[order[i]] = i;
    return rank;
  };
  const auto rv = ranks(indicator_variants.names), ru = ranks(indicator_units.names),
             rg = ranks(indicator_groups.names), rk = ranks(indicator_names.names);
  struct Entry {
    std::uint32_t v, u, g, k, year_rank;
    int year;
    double value;
  };
  const auto mask = [](int bits) { return (std::uint64_t{1} << bits) - 1; };
  std::vector<Entry> e;
  e.reserve(indicator_values.size());
  for (const auto& [key, value] : indicator_values) {
    Entry x;
    x.k = static_cast<std::uint32_t>(key & mask(kIndicatorBits));
    x.g = static_cast<std::uint32_t>((key >> kIndicatorBits) & mask(kGroupBits));
    x.u = static_cast<std::uint32_t>((key >> (kIndicatorBits + kGroupBits)) & mask(kUnitBits));
    x.year = static_cast<int>((key >> (kIndicatorBits + kGroupBits + kUnitBits)) & mask(kYearBits)) - 32768;
    x.v = static_cast<std::uint32_t>(key >> (kIndicatorBits + kGroupBits + kUnitBits + kYearBits));
    x.value = value;
    e.push_back(x);
  }
  std::map<int, std::uint32_t> year_rank;
  for (const Entry& x : e) year_rank[x.year] = 0;
  {
    std::vector<std::string> texts;
    for (const auto& [y, rank] : year_rank) texts.push_back(std::to_string(y));
    std::sort(texts.begin(), texts.end());
    for (auto& [y, rank] : year_rank)
      rank =
          static_cast<std::uint32_t>(std::lower_bound(texts.begin(), texts.end(), std::to_string(y)) - texts.begin());
  }
  for (Entry& x : e) x.year_rank = year_rank[x.year];
  std::sort(e.begin(), e.end(), [&](const Entry& a, const Entry& b) {
    if (a.v != b.v) return rv[a.v] < rv[b.v];
    if (a.year_rank != b.year_rank) return a.year_rank < b.year_rank;
    if (a.u != b.u) return ru[a.u] < ru[b.u];
    if (a.g != b.g) return rg[a.g] < rg[b.g];
    return rk[a.k] < rk[b.k];
  });
  for (const Entry& x : e)
    visit(indicator_variants.names[x.v], x.year, indicator_units.names[x.u], indicator_groups.names[x.g],
          indicator_names.names[x.k], x.value);
}

double Results::period_value(const std::string& variant, const std::string& period, const std::string& unit,
                             const std::string& column) const {
  const auto it = period_rows.find(key({variant, period, unit}));
  if (it == period_rows.end()) return kNaN;
  for (std::size_t c = 0; c < plan_periods.header.size(); ++c)
    if (plan_periods.header[c] == column) {
      const std::string& s = plan_periods.rows[it->second][c];
      double v = kNaN;
      if (!s.empty()) std::from_chars(s.data(), s.data() + s.size(), v);
      return v;
    }
  return kNaN;
}

std::vector<double> Results::population(const std::string& variant, int year, const std::string& zone,
                                        const std::string& group, const std::string& sex) const {
  std::vector<std::string> zs, gs;
  if (zone == "total")
    for (const auto& z : zones) zs.push_back(z.id);
  for (const auto& [name, members] : meta.aggregates)  // a named aggregate: its members (manifest, ", "-joined)
    if (zs.empty() && name == zone)
      for (std::size_t a = 0, b = 0; a <= members.size(); a = b + 2) {
        b = std::min(members.find(", ", a), members.size());
        zs.push_back(members.substr(a, b - a));
      }
  if (zs.empty()) zs.push_back(zone);
  if (group == "all")
    gs = meta.groups;
  else
    gs.push_back(group);
  std::vector<double> out;
  for (const auto& z : zs)
    for (const auto& g : gs) {
      const auto it = population_values.find(key({variant, std::to_string(year), z, g, sex}));
      if (it == population_values.end()) continue;
      out.resize(it->second.size(), 0.0);
      for (std::size_t i = 0; i < out.size(); ++i) out[i] += it->second[i];
    }
  return out;
}

std::vector<std::string> Results::age_labels() const {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < population_ages.size(); ++i)
    out.push_back(i + 1 < population_ages.size()
                      ? (population_ages[i + 1] - population_ages[i] == 1
                             ? std::to_string(population_ages[i])
                             : std::to_string(population_ages[i]) + "-" + std::to_string(population_ages[i + 1] - 1))
                      : std::to_string(population_ages[i]) + "+");
  return out;
}

std::string Results::zone_label(const std::string& id, Language l) const {
  for (const auto& z : zones)
    if (z.id == id) {
      if (l == Language::en && !z.name_en.empty()) return z.name_en;
      return z.name.empty() ? z.id : z.name;
    }
  // An aggregate's title as a variant's (variant_label): title_en in English, else title.
  if (const auto t = meta.aggregate_titles.find(id); t != meta.aggregate_titles.end()) {
    if (l == Language::en && !t->second.second.empty()) return t->second.second;
    if (!t->second.first.empty()) return t->second.first;
  }
  return unit_label(id, l);
}

std::string Results::variant_label(const std::string& v, Language l) const {
  if (v == "baseline") return word("baseline", l);
  for (std::size_t k = 0; k < meta.variants.size(); ++k)
    if (meta.variants[k] == v) {
      const std::string& en = meta.variant_titles_en[k];
      const std::string& own = meta.variant_titles[k];
      if (l == Language::en && !en.empty()) return en;
      if (!own.empty()) return own;
    }
  return v;
}

std::string Results::scenario_title(Language l) const {
  return l == Language::en && !meta.title_en.empty() ? meta.title_en : meta.title;
}

}  // namespace cohortgis::app
