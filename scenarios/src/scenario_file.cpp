// SPDX-License-Identifier: Apache-2.0
// The scenario-file loader (format: scenarios/README.md). Builds one complete Scenario per run (baseline, then each
// variant) with the schedules of every step; schedules that need the population at the start of a step (quotas,
// gravity rates, relocation by the origin's age structure) go into Scenario::adjust_schedules.
#include "cohortgis/scenarios/scenario_file.hpp"
#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/indicator_ages.hpp"
#include "cohortgis/engine/projection.hpp"
#include "cohortgis/engine/zone_shared_schedules.hpp"
#include "cohortgis/geodata/install_dirs.hpp"
#include "cohortgis/geodata/read_cancel.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <set>

#include "scenario_build.hpp"
#include "shared_steps.hpp"
#include "text_limits.hpp"
#include "toml_key_depth.hpp"

#ifndef COHORTGIS_EXAMPLES_DIR
#error "COHORTGIS_EXAMPLES_DIR must be defined by the build (scenarios/examples)"
#endif

namespace cohortgis::scenarios {

using namespace detail;
namespace fs = std::filesystem;

std::string Target::period_label() const {
  if (year != 0) return std::to_string(year);
  return first_year == last_year ? std::to_string(first_year)
                                 : std::to_string(first_year) + "-" + std::to_string(last_year);
}

std::string examples_dir() {
  if (const char* env = std::getenv("COHORTGIS_EXAMPLES_DIR"); env && *env) return env;
  if (const std::string share = geodata::installed_share_dir(); !share.empty()) return share + "/examples";
  return COHORTGIS_EXAMPLES_DIR;
}
// Every member but runs, by name: a member added to ScenarioSet must be copied here, and the size makes the compiler
// say so (x86-64, libstdc++), as shared_steps.cpp does for StepSchedules.
static_assert(sizeof(ScenarioSet) == 912, "ScenarioSet changed: copy the new member in ScenarioSet::without_runs");
ScenarioSet ScenarioSet::without_runs() const {
  ScenarioSet s;
  s.file = file;
  s.targets = targets;
  s.services = services;
  s.relocations = relocations;
  s.outputs = outputs;
  s.zones_source = zones_source;
  s.zones_source_path = zones_source_path;
  s.zones_source_layer = zones_source_layer;
  s.records = records;
  s.events = events;
  s.stochastic = stochastic;
  s.monitoring = monitoring;
  return s;
}

std::string default_scenario_file() { return (fs::path(examples_dir()) / "beijing-2020" / "scenario.toml").string(); }

namespace {

// Deep equality of two TOML nodes (for variants that set only baseline values).
bool same(const toml::node& a, const toml::node& b) {
  if (a.type() != b.type()) {
    if (a.is_number() && b.is_number()) return a.value<double>() == b.value<double>();
    return false;
  }
  if (a.is_table()) {
    const toml::table &x = *a.as_table(), &y = *b.as_table();
    if (x.size() != y.size()) return false;
    for (auto&& [k, v] : x) {
      const toml::node* w = y.get(k.str());
      if (!w || !same(v, *w)) return false;
    }
    return true;
  }
  if (a.is_array()) {
    const toml::array &x = *a.as_array(), &y = *b.as_array();
    if (x.size() != y.size()) return false;
    for (std::size_t i = 0; i < x.size(); ++i)
      if (!same(*x.get(i), *y.get(i))) return false;
    return true;
  }
  if (a.is_string()) return a.as_string()->get() == b.as_string()->get();
  if (a.is_integer()) return a.as_integer()->get() == b.as_integer()->get();
  if (a.is_floating_point()) return a.as_floating_point()->get() == b.as_floating_point()->get();
  if (a.is_boolean()) return a.as_boolean()->get() == b.as_boolean()->get();
  return false;
}

std::optional<FertilityFitSpec> build_assumptions(const Build& b, const Layer& L, std::vector<Relocation>& relocations) {
  std::vector<StepSchedules> steps(uz(b.steps));
  Dynamic dyn;
  FoldedSteps folded;  // steps equal to the first freed as they are built (shared_steps.hpp: memory at many zones)
  std::optional<FertilityFitSpec> fertility_fit = build_fertility(b, L, steps, folded);
  build_parity(b, L);
  build_mortality(b, L, steps, folded);
  build_migration(b, L, steps, dyn);
  build_relocations(b, L, dyn, relocations);
  build_transitions(b, L, steps, dyn);
  folded.finish(steps);  // one set for all steps when they are the same, else the folded fields restored
  b.sc.schedules = std::move(steps);
  if (auto adjust = make_adjuster(b, std::move(dyn))) {
    b.sc.adjust_schedules = [adjust](const StepContext& ctx, const CohortArray& start, StepSchedules& s) {
      adjust(ctx, start, s, {});
    };
    b.sc.adjust_schedules_scaled = std::move(adjust);
  }
  return fertility_fit;
}

}  // namespace

namespace {

// A scenario or variant name goes into manifest.json and the outputs, a title into chart legends and headings:
// on one line. A control character is refused where it is written (file:line:column), as every other TOML value
// error (Scenario::validate refuses U+0085, U+2028 and U+2029 too, and titles set from Python).
std::string one_line_text(const Doc& doc, const toml::node& n, const std::string& key, std::size_t max_chars,
                          const char* what) {
  std::string text = bounded_text(doc, n, key, max_chars);
  for (char ch : text)
    if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f)
      doc.fail(
          &n, key,
          quote_cell(text) + ": holds a control character (tab, line break, NUL …); expected " + what + " on one line");
  return text;
}

std::string one_line_name(const Doc& doc, const toml::node& n, const std::string& key) {
  return one_line_text(doc, n, key, kMaxNameChars, "a name");
}

std::string one_line_title(const Doc& doc, const toml::node& n, const std::string& key) {
  return one_line_text(doc, n, key, kMaxTitleChars, "a title");
}

// `[outputs] indicators`: built-in indicators beyond the standard ones, by name (indicators.hpp
// optional_indicator); each at most once, in the order given. One whose ages reach into the grid's open age group
// is refused here, as a target on such an indicator is (it would be empty in every row).
std::vector<AgeBand> read_optional_indicators(const Doc& doc, const toml::node& n, const AgeGrid& grid) {
  const std::string key = "outputs.indicators";
  std::string valid;
  for (const std::string& v : optional_indicator_names()) valid += (valid.empty() ? " (valid: " : ", ") + v;
  valid += ")";
  const toml::array& a = doc.array(n, key);
  std::vector<AgeBand> bands;
  for (std::size_t k = 0; k < a.size(); ++k) {
    const std::string at = key + "[" + std::to_string(k) + "]";
    const std::string name = doc.string(*a.get(k), at);
    const std::optional<AgeBand> b = optional_indicator(name);
    if (!b)
      doc.fail(a.get(k), at,
               "\"" + escape_cell(name) + "\" is not an optional indicator" + valid +
                   "; the standard indicators are always written");
    if (std::any_of(bands.begin(), bands.end(), [&](const AgeBand& x) { return x.name == name; }))
      doc.fail(a.get(k), at, "\"" + name + "\" is listed twice");
    if (band_min_open_age(*b) > grid.open_age())
      doc.fail(a.get(k), at,
               "\"" + name + "\" needs projection.open_age of at least " + std::to_string(band_min_open_age(*b)) +
                   " (the grid's open age group " + std::to_string(grid.open_age()) + "+ has no ages inside it)");
    bands.push_back(*b);
  }
  return bands;
}

// `[outputs] components`: true (all), false (none) or a list of component names (an empty list: none). The names
// are the command line's (output_components.hpp); "all" and "none" are the booleans here, not names.
ComponentSelection read_components(const Doc& doc, const toml::node& n) {
  const std::string key = "outputs.components";
  const std::string valid = " (valid: " + component_name_list() + ")";
  if (n.is_boolean()) return n.as_boolean()->get() ? ComponentSelection{} : ComponentSelection::none();
  if (!n.is_array())
    doc.fail(&n, key, "expected true, false or a list of component names" + valid + ", got " + describe(n));
  ComponentSelection s = ComponentSelection::none();
  const toml::array& a = *n.as_array();
  for (std::size_t i = 0; i < a.size(); ++i) {
    const std::string name = doc.string(*a.get(i), key + "[" + std::to_string(i) + "]");
    const auto c = component_named(name);
    if (!c)
      doc.fail(a.get(i), key + "[" + std::to_string(i) + "]",
               quote_cell(name) + " is not a component" + valid +
                   (name == "all" || name == "none" ? "; for all or none write components = true or false" : ""));
    s.set(*c, true);
  }
  return s;
}

// The loader proper, shared by files and text (Python): `path` names the source in messages and the manifest.
ScenarioSet load_root(const toml::table& root, const std::string& path, const std::string& dir,
                      const std::string& data_dir, const MemoryTables* frames, bool is_file,
                      const geodata::ReadPolicy& allowed, int threads,
                      NationalSchedules national = NationalSchedules::every_zone) {
  ScenarioSet set;
  set.file = path;
  std::vector<InputFile> inputs;
  Doc doc{path, dir.empty() ? "." : dir, data_dir, &inputs, frames, {}};
  check_threads(threads, "threads");
  doc.threads = resolve_threads(threads);
  doc.grant(allowed);
  doc.allow(root, "", {"scenario", "geography", "projection", "base_population", "fertility", "mortality", "migration",
                       "relocation", "transitions", "newborn", "plan_periods", "targets", "services", "variants", "outputs",
                       "registers", "controls", "capacity", "households", "stochastic",
                       "monitoring"});
  Scenario base;
  base.name = fs::path(path).stem().string();
  if (const toml::node* sn = root.get("scenario")) {
    const toml::table& s = doc.table(*sn, "scenario");
    doc.allow(s, "scenario", {"name", "title", "title_en", "assumptions", "language"});
    if (s.get("name")) base.name = one_line_name(doc, *s.get("name"), "scenario.name");
    if (s.get("title")) base.title = one_line_title(doc, *s.get("title"), "scenario.title");
    if (s.get("title_en")) base.title_en = one_line_title(doc, *s.get("title_en"), "scenario.title_en");
    if (s.get("assumptions")) base.assumptions = doc.strings(*s.get("assumptions"), "scenario.assumptions");
    if (const toml::node* l = s.get("language")) {
      base.language = doc.string(*l, "scenario.language");
      if (base.language == "zh-CN") base.language = "zh";
      if (base.language != "zh" && base.language != "en")
        doc.fail(l, "scenario.language", "expected \"zh\" (or \"zh-CN\") or \"en\", got \"" + base.language + "\"");
    }
  }
  std::shared_ptr<const std::vector<geodata::XY>> centroids_lonlat;
  read_geography(doc, root, base, set, centroids_lonlat);
  read_projection(doc, root, base);
  doc.grid_width = base.grid.width_years, doc.grid_open_age = base.grid.open_age();  // for age labels (TableRef)
  Build b(doc, base);
  b.centroids_lonlat = centroids_lonlat;
  b.Z = static_cast<int>(base.zones.size());
  b.G = static_cast<int>(base.group_names.size());
  b.A = base.grid.n_ages;
  b.rows = base.grid.life_table_rows();
  b.z = base.grid.width_years;
  b.steps = base.steps;
  b.base_year = base.base_year;
  b.horizon = base.end_year();
  for (int i = 0; i < b.Z; ++i) b.zone_index[base.zones[uz(i)].id] = i;
  for (int i = 0; i < b.G; ++i) b.group_index[base.group_names[uz(i)]] = i;
  read_base_population(doc, root, b);
  geodata::throw_if_read_cancelled();
  set.records = b.records;
  read_event_registers(doc, root, b);
  set.events = b.events;
  read_plan(doc, root, base);
  if (const toml::node* on = root.get("outputs")) {
    const toml::table& o = doc.table(*on, "outputs");
    doc.allow(o, "outputs", {"population", "components", "min_cell", "indicators"});
    if (const toml::node* n = o.get("indicators")) base.indicator_bands = read_optional_indicators(doc, *n, base.grid);
    if (o.get("min_cell")) set.outputs.min_cell = doc.integer(*o.get("min_cell"), "outputs.min_cell", 0, 1000, "persons");
    if (o.get("population")) set.outputs.population = doc.boolean(*o.get("population"), "outputs.population");
    if (const toml::node* c = o.get("components")) set.outputs.components = read_components(doc, *c);
  }
  read_targets(doc, root, base, set);
  read_services(doc, root, b, set);
  read_stochastic(doc, root, base, set.stochastic);
  read_monitoring(doc, root, set);

  // The baseline, then every variant built from the same file with its overrides on top.
  std::vector<const toml::table*> variant_tables;
  std::vector<std::string> variant_names, variant_desc, variant_titles, variant_titles_en;
  if (const toml::node* vn = root.get("variants")) {
    const toml::array& a = doc.array(*vn, "variants");
    for (std::size_t k = 0; k < a.size(); ++k) {
      const std::string key = "variants[" + std::to_string(k) + "]";
      const toml::table& t = doc.table(*a.get(k), key);
      doc.allow(t, key, {"name", "title", "title_en", "description", "fertility", "mortality", "migration", "relocation", "transitions", "newborn",
                         "controls", "capacity", "households"});
      if (!t.get("name")) doc.fail(&t, key + ".name", "missing");
      const std::string name = one_line_name(doc, *t.get("name"), key + ".name");
      if (name == "baseline" || name.empty() || std::find(variant_names.begin(), variant_names.end(), name) != variant_names.end())
        doc.fail(t.get("name"), key + ".name", "\"" + name + "\" is empty, 'baseline' or the name of another variant");
      // A variant must change something: at least one key that differs from the baseline.
      bool changes = false;
      for (std::string_view sec : kTableSections)
        if (const toml::node* n = t.get(sec)) {
          const toml::table& over = doc.table(*n, key + "." + std::string(sec));
          const toml::node* bsec = root.get(sec);
          for (auto&& [kk, v] : over) {
            const toml::node* bv = bsec && bsec->is_table() ? bsec->as_table()->get(kk.str()) : nullptr;
            if (!bv || !same(v, *bv)) changes = true;
          }
        }
      for (std::string_view sec : kArraySections)
        if (const toml::node* n = t.get(sec)) {
          (void)doc.array(*n, key + "." + std::string(sec));
          const toml::node* bv = root.get(sec);
          if (!bv || !same(*n, *bv)) changes = true;
        }
      if (!changes)
        doc.fail(&t, key, "variant \"" + name + "\" overrides nothing; expected fertility, mortality, migration, "
                          "relocation, transitions, newborn, controls, capacity or households settings that differ from the baseline");
      variant_tables.push_back(&t);
      variant_names.push_back(name);
      variant_desc.push_back(t.get("description") ? doc.string(*t.get("description"), key + ".description") : "");
      variant_titles.push_back(t.get("title") ? one_line_title(doc, *t.get("title"), key + ".title") : "");
      variant_titles_en.push_back(t.get("title_en") ? one_line_title(doc, *t.get("title_en"), key + ".title_en") : "");
    }
  }
  for (std::size_t k = 0; k < set.targets.size(); ++k)
    for (const auto& v : set.targets[k].variants)
      if (v != "baseline" && std::find(variant_names.begin(), variant_names.end(), v) == variant_names.end())
        throw InputError(set.targets[k].where + ": key 'targets[" + std::to_string(k) +
                         "].variants': unknown variant \"" + v + "\"");

  const std::size_t runs = 1 + variant_tables.size();
  set.relocations.resize(runs);
  std::vector<std::optional<FertilityFitSpec>> fertility_fits(runs);
  for (std::size_t r = 0; r < runs; ++r) {
    geodata::throw_if_read_cancelled();
    // zones, groups, grid, base population, plan periods; the last run takes them (a second copy of the base
    // population held for the whole run otherwise)
    Scenario sc = r + 1 == runs ? std::move(base) : base;
    Build bb(doc, sc);
    bb.Z = b.Z; bb.G = b.G; bb.A = b.A; bb.rows = b.rows; bb.z = b.z; bb.steps = b.steps;
    bb.base_year = b.base_year; bb.horizon = b.horizon; bb.zone_index = b.zone_index; bb.group_index = b.group_index;
    bb.centroids_lonlat = b.centroids_lonlat;
    bb.records = b.records;  // parity_base = "records" (build_parity.cpp)
    bb.schedules_once = national == NationalSchedules::once && set.stochastic.trajectories == 0;
    Layer L{&root, r == 0 ? nullptr : variant_tables[r - 1], r == 0 ? "" : "variants[" + std::to_string(r - 1) + "]"};
    check_multistate_forms(bb, L);  // before the migration tables are read
    fertility_fits[r] = build_assumptions(bb, L, set.relocations[r]);
    read_planning(bb, L);  // control totals, capacity, households
    if (bb.schedules_once && !engine_reads_schedules_as_given(sc))  // NationalSchedules: only where the engine can
      for (StepSchedules& s : sc.schedules) expand_zone_shared_schedules(s, sc.base_population.layout());
    if (r > 0) {
      sc.variant = variant_names[r - 1];
      sc.variant_title = variant_titles[r - 1];
      sc.variant_title_en = variant_titles_en[r - 1];
      if (!variant_desc[r - 1].empty()) sc.assumptions.push_back("Variant " + sc.variant + ": " + variant_desc[r - 1]);
    }
    set.runs.push_back(std::move(sc));
  }
  if (is_file) inputs.insert(inputs.begin(), InputFile{"scenario file", path, fs::path(path).filename().string()});
  for (std::size_t r = 0; r < runs; ++r) {
    geodata::throw_if_read_cancelled();
    Scenario& sc = set.runs[r];
    sc.inputs = inputs;
    sc.validate();
    if (fertility_fits[r]) fit_fertility_in_projection(doc, *fertility_fits[r], sc);  // after validate: it projects
  }
  check_stochastic_mortality(doc, root, set);  // read_stochastic.cpp: needs every run's mortality form
  return set;
}

// The key a line of TOML sets ("a.\"b c\"" = 1, [a.b], [[a.b]]) as a dotted path of its parts, read by toml++ itself
// (quotes and escapes resolved); "" when the line is not such a line.
std::string key_of_line(std::string_view line) {
  const std::size_t b = line.find_first_not_of(" \t");
  if (b == std::string_view::npos) return "";
  line.remove_prefix(b);
  std::string head;  // the header, or the key part before the '=' outside quotes, followed by " = 0"
  if (line.front() == '[') {
    head = std::string(line);
  } else {
    char quote = 0;
    std::size_t i = 0;
    for (; i < line.size() && (quote || line[i] != '='); ++i) {
      if (quote == '"' && line[i] == '\\')
        ++i;
      else if (quote && line[i] == quote)
        quote = 0;
      else if (!quote && (line[i] == '"' || line[i] == '\''))
        quote = line[i];
    }
    if (i == line.size()) return "";
    head = std::string(line.substr(0, i)) + "= 0";
  }
  toml::table t;
  try {
    t = toml::parse(head);
  } catch (const toml::parse_error&) {
    return "";
  }
  std::string path;
  const toml::node* n = &t;
  while (n) {
    if (const toml::array* a = n->as_array(); a && !a->empty() && a->back().is_table()) n = &a->back();
    const toml::table* tt = n->as_table();
    if (!tt || tt->size() != 1) break;
    path += (path.empty() ? "" : ".") + std::string(tt->begin()->first.str());
    n = &tt->begin()->second;
  }
  return path;
}

[[noreturn]] void toml_syntax_error(const std::string& label, const toml::parse_error& e, std::string_view text) {
  const auto& s = e.source();
  const std::string at = label + ":" + std::to_string(s.begin.line) + ":" + std::to_string(s.begin.column) + ": ";
  // toml++ garbles a quoted key in this message ("cannot redefine existing integer '\"srsrb\" '" for "srb";
  // hostile probe of round 20): the key is read again from its line.
  if (std::string_view(e.description()).find("cannot redefine") != std::string_view::npos) {
    std::size_t from = 0;
    for (std::size_t l = 1; l < s.begin.line && from != std::string_view::npos; ++l) {
      from = text.find('\n', from);
      if (from != std::string_view::npos) ++from;
    }
    if (from != std::string_view::npos) {
      const std::string_view line = text.substr(from, text.find('\n', from) - from);
      if (const std::string key = key_of_line(line); !key.empty()) {
        const bool header =
            line.find_first_not_of(" \t") != std::string_view::npos && line[line.find_first_not_of(" \t")] == '[';
        throw InputError(
            at +
            (header ? "table [" + escape_cell(key, 60) + "] is defined twice"
                    : "key '" + escape_cell(key, 60) + "' is set twice") +
            " (an earlier line, dotted key, header or inline table set it already); expected each " +
            (header ? "table once: remove or merge one of them" : "key once: remove or rename one of them"));
      }
    }
  }
  throw InputError(at + "TOML syntax error: " + std::string(e.description()));
}

}  // namespace

ScenarioSet load_scenario_file(const std::string& path, const std::string& data_dir, const geodata::ReadPolicy& allowed,
                               int threads, NationalSchedules national) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) throw InputError(path + ": scenario file not found");
  toml::table root;
  std::string text;
  try {
    const std::uintmax_t size = fs::file_size(path, ec);
    if (!ec && size > kMaxScenarioFileBytes)
      throw InputError(path + ": scenario file of " + std::to_string(size) + " bytes; expected at most " +
                       std::to_string(kMaxScenarioFileBytes >> 20) + " MiB (tables go in files of their own)");
    std::ifstream in(path, std::ios::binary);
    text.reserve(ec ? 0 : uz(size));
    std::vector<char> block(std::size_t{1} << 16);  // on the heap: a 256 kB stack (ulimit -s) is enough to load
    while (in.read(block.data(), static_cast<std::streamsize>(block.size())) || in.gcount() > 0) {  // to the end
      text.append(block.data(), uz(in.gcount()));  // (in case it grew since its size was taken)
      if (text.size() > kMaxScenarioFileBytes)
        throw InputError(path + ": scenario file of more than " + std::to_string(kMaxScenarioFileBytes >> 20) +
                         " MiB; expected at most that (tables go in files of their own)");
    }
    if (in.bad()) throw InputError(path + ": scenario file could not be read");
    check_key_depth(text, path);  // before the parser: deep dotted keys overflow its stack
    root = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    toml_syntax_error(path, e, text);
  }
  return load_root(root, path, fs::path(path).parent_path().string(), data_dir, nullptr, true, allowed, threads,
                   national);
}

ScenarioSet load_scenario_text(const std::string& text, const std::string& label, const std::string& base_dir,
                               const std::string& data_dir, const MemoryTables& frames, int threads) {
  toml::table root;
  try {
    check_key_depth(text, label);
    root = toml::parse(text, label);
  } catch (const toml::parse_error& e) {
    toml_syntax_error(label, e, text);
  }
  return load_root(root, label, base_dir, data_dir, &frames, false, {}, threads);
}

}  // namespace cohortgis::scenarios
