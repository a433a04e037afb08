// SPDX-License-Identifier: Apache-2.0
// `cohortgis info FILE`: what a results folder, scenario file, zones file or table holds.
#include <algorithm>
#include <filesystem>
#include <optional>
#include <set>
#include <sstream>

#include "cohortgis/app/commands.hpp"
#include "cohortgis/app/results.hpp"
#include "cohortgis/app/run.hpp"
#include "cohortgis/engine/types.hpp"
#include "cohortgis/geodata/measures.hpp"
#include "cohortgis/geodata/table.hpp"
#include "cohortgis/geodata/text_encoding.hpp"
#include "cohortgis/geodata/zones.hpp"

namespace cohortgis::app {

namespace fs = std::filesystem;

namespace {

// The lines of manifest.json's description of the run, which `info` shows whether or not the files can be read.
void manifest_lines(std::ostringstream& o, const std::string& dir, const ResultsMeta& m) {
  o << dir << ": cohortgis results (version " << m.version << ", " << m.started_at_utc << ")\n";
  o << "  scenario   " << m.scenario << ": " << m.title << "\n";
  o << "  file       " << m.scenario_file << "\n";
}

// What the results files hold (load_results: every file read and checked).
void contents_lines(std::ostringstream& o, const Results& r) {
  const auto& m = r.meta;
  o << "  years      ";
  for (std::size_t i = 0; i < r.years.size(); ++i) o << (i ? ", " : "") << r.years[i];
  o << "\n  zones      " << r.zones.size() << " (";
  for (std::size_t i = 0; i < r.zones.size() && i < 6; ++i) o << (i ? ", " : "") << r.zones[i].id << " " << r.zones[i].name;
  o << (r.zones.size() > 6 ? ", …" : "") << ")\n";
  o << "  groups     ";
  for (std::size_t i = 0; i < m.groups.size(); ++i) o << (i ? ", " : "") << m.groups[i];
  o << "\n  variants   ";
  for (std::size_t i = 0; i < m.variants.size(); ++i) o << (i ? ", " : "") << m.variants[i];
  o << "\n  periods    ";
  for (std::size_t i = 0; i < m.plan_periods.size(); ++i)
    o << (i ? ", " : "") << m.plan_periods[i].label << (m.plan_periods[i].plan.empty() ? "" : " (" + m.plan_periods[i].plan + ")");
  o << "\n  language   " << m.language << "\n";
  const Language l = Language::en;
  o << "  population (whole area, persons):\n";
  for (const auto& v : m.variants) {
    o << "    " << v << ":";
    for (int y : r.years) o << "  " << y << " " << format_value(r.indicator(v, y, "total", "all", "population"), 0, l);
    o << "\n";
  }
  {
    const std::size_t cv = r.targets.column("variant"), ct = r.targets.column("target"), cs = r.targets.column("status");
    o << "  targets    " << r.targets.rows.size() << " rows";
    int met = 0;
    for (const auto& row : r.targets.rows) met += row[cs] == "met";
    o << ", " << met << " met\n";
    for (const auto& row : r.targets.rows)
      if (row[cs] != "met") o << "    " << row[cs] << ": " << row[ct] << " (" << row[cv] << ")\n";
  }
  if (!m.maps_note.empty()) o << "  maps       none: " << m.maps_note << "\n";
}

// A results folder: the run (manifest.json), what its files hold, and each file's verification. A file that cannot
// be read (a link, a pipe, a row of 64 MiB, a cell that is no number) goes into `failures` with the contents line
// saying so, and the listing and integrity lines still follow: a tampered population.csv stopped `info` before it
// said what had changed (exit 1 without NOT VERIFIED).
std::string results_info(const std::string& dir, std::vector<std::string>& failures) {
  std::optional<Results> loaded;
  try {
    loaded = load_results(dir);
  } catch (const InputError& e) {
    failures.push_back(e.what());
  }
  std::ostringstream o;
  // An unreadable manifest.json (not a file, nested past the JSON reader's depth) leaves nothing to describe: its
  // error, as load_results gave it.
  manifest_lines(o, dir, loaded ? loaded->meta : read_manifest((fs::path(dir) / "manifest.json").string()));
  if (loaded)
    contents_lines(o, *loaded);
  else
    o << "  contents   NOT READ: " << failures.back() << "\n";
  o << "  files     ";
  std::vector<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) files.push_back(fs::relative(e.path(), dir).generic_string());
  std::sort(files.begin(), files.end());
  std::size_t maps = 0, charts = 0;
  for (const auto& f : files) {
    if (f.rfind("maps/", 0) == 0) ++maps;
    else if (f.rfind("charts/", 0) == 0) ++charts;
    else o << " " << f;
  }
  o << "\n  images     " << maps << " in maps/, " << charts << " in charts/\n";
  // Integrity: the files against manifest.json's list, the manifest against its seal, the inputs against their
  // recorded SHA-256 (what a reader of these results should know before trusting them).
  const ResultsIntegrity in = check_results(dir, true);
  if (in.verifiable && in.results_changed.empty())
    o << "  integrity  " << in.files_checked << " results files as cohortgis wrote them"
      << (in.files_size_only ? " (" + std::to_string(in.files_size_only) + " by size only)" : std::string());
  else
    o << "  integrity  NOT VERIFIED";
  o << "; " << (in.inputs_changed.empty() ? "inputs unchanged since the run ("
                                          : std::to_string(in.inputs_changed.size()) + " of the ")
    << in.inputs_checked << (in.inputs_changed.empty() ? " checked)" : " inputs changed or gone") << "\n";
  for (const auto& f : in.findings()) o << "    warning: " << f << "\n";
  if (!in.unlisted.empty()) {
    o << "    files cohortgis did not write:";
    for (std::size_t i = 0; i < in.unlisted.size() && i < 8; ++i) o << " " << in.unlisted[i];
    o << (in.unlisted.size() > 8 ? " …" : "") << "\n";
  }
  return o.str();
}

std::string scenario_info(const std::string& path, const std::string& data_dir) {
  const ValidationSummary v = validate(path, data_dir);
  std::ostringstream o;
  o << v.file << ": scenario file, valid\n  scenario   " << v.scenario << "\n  zones      " << v.zones << "\n  groups     "
    << v.groups << "\n  years      " << v.base_year << "-" << v.end_year << " in " << v.step_years << "-year steps\n"
    << "  base       " << format_value(v.base_population, 0, Language::en) << " persons\n  targets    " << v.targets
    << "\n  services   " << v.services << "\n  runs      ";
  for (const auto& n : v.variants) o << " " << n;
  o << "\n  inputs\n";
  for (const auto& in : v.inputs) o << "    " << in << "\n";
  return o.str();
}

std::string table_info(const std::string& path, const std::string& layer, const std::string& encoding) {
  geodata::Table t;
  try {
    t = geodata::read_table(path, {}, layer, encoding);
  } catch (const InputError& e) {
    // The readers' advice names the scenario's key (encoding = "GBK"); here it is an option.
    const std::string m = e.what();
    if (encoding.empty() && m.find(geodata::kDeclareEncoding) != std::string::npos)
      throw InputError(m + "; with cohortgis info: --encoding GBK");
    throw;
  }
  std::ostringstream o;
  o << path << (t.layer.empty() ? "" : ", layer '" + t.layer + "'") << ": " << t.size() << " rows, " << t.columns.size()
    << " columns\n";
  if (t.layers_in_file.size() > 1) {  // it described the first alone, without a word of the others
    o << "  layers     " << t.layers_in_file.size() << ":";
    for (const std::string& n : t.layers_in_file) o << " '" << n << "'";
    o << " (this is '" << t.layer << "'; --layer NAME for another)\n";
  }
  // A field with unique, non-empty values can serve as zone id: try to read the layer as zones.
  std::string id_field;
  for (const auto& col : t.columns) {
    std::set<std::string> seen;
    bool ok = true;
    const std::size_t c = t.column(col);
    for (std::size_t r = 0; r < t.size() && ok; ++r) ok = !t.text(r, c).empty() && seen.insert(t.text(r, c)).second;
    if (ok) {
      id_field = col;
      break;
    }
  }
  const std::string ext = fs::path(path).extension().string();
  if (!id_field.empty() && ext != ".csv" && ext != ".xlsx" && ext != ".ods") {
    try {
      geodata::ZoneSource src;
      src.path = path;
      src.layer = t.layer;
      src.id_field = id_field;
      src.encoding = encoding;
      const geodata::Zones z = geodata::load_zones(src);
      const auto e = z.extent();
      const auto m = geodata::measure_zones(z);
      o << "  zones      " << z.size() << " polygons (id field '" << id_field << "' is unique)\n";
      o << "  CRS        " << z.crs_name() << (z.crs_is_geographic() ? " (geographic)" : " (projected)") << "\n";
      o << "  extent     " << e.min_x << ", " << e.min_y << " … " << e.max_x << ", " << e.max_y << "\n";
      o << "  area       " << format_value(m.total_area_km2(), 1, Language::en) << " km²\n";
    } catch (const InputError& e) {
      // Not zones: a plain table, and why, which a scenario naming this layer as its source would be told (an
      // invalid polygon, a missing .prj): the listing alone read as "no geometry".
      o << "  zones      none: " << e.what() << "\n";
    }
  }
  o << "  columns    (first values)\n";
  for (std::size_t c = 0; c < t.columns.size(); ++c) {
    o << "    " << t.columns[c] << ":";
    for (std::size_t r = 0; r < t.size() && r < 3; ++r) o << " " << (t.text(r, c).empty() ? "(empty)" : t.text(r, c));
    o << "\n";
  }
  return o.str();
}

}  // namespace

std::string describe(const std::string& path, const std::string& layer, const std::string& data_dir,
                     const std::string& encoding, std::vector<std::string>* failures) {
  std::error_code ec;
  // --layer picks a layer or sheet of a zones file or a table; a results folder or a scenario file has none, and
  // the option was ignored there.
  const auto no_layer = [&](const char* what) {
    if (!layer.empty())
      throw InputError("--layer '" + layer + "': " + path + " is " + what +
                       ", which has no layers; expected --layer only with a zones file or a table");
    if (!encoding.empty())
      throw InputError("--encoding '" + encoding + "': " + path + " is " + what +
                       "; expected --encoding only with a zones file or a table (a scenario declares its own)");
  };
  if (fs::is_directory(path, ec)) {
    no_layer("a folder");
    if (!fs::is_regular_file(fs::path(path) / "manifest.json", ec))
      throw InputError(path + ": a folder without manifest.json; expected a results folder of 'cohortgis run', a "
                              "zones file, a table or a scenario file");
    std::vector<std::string> failed;
    std::string text = results_info(path, failed);
    if (failures)
      failures->insert(failures->end(), failed.begin(), failed.end());
    else if (!failed.empty())
      throw InputError(failed.front());
    return text;
  }
  if (!fs::exists(path, ec)) throw InputError(path + ": no such file");
  if (fs::path(path).extension() == ".toml") {
    no_layer("a scenario file");
    return scenario_info(path, data_dir);
  }
  return table_info(path, layer, encoding);
}

}  // namespace cohortgis::app
