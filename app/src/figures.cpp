// SPDX-License-Identifier: Apache-2.0
// Maps and charts of a results folder (figures.hpp) and `cohortgis map` (commands.hpp).
#include "figures.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>

#include "cjk_text.hpp"
#include "cohortgis/app/commands.hpp"
#include "cohortgis/engine/projection.hpp"
#include "cohortgis/engine/thread_arena.hpp"
#include "cohortgis/engine/types.hpp"
#include "cohortgis/geodata/ascii_case.hpp"
#include "cohortgis/geodata/maps.hpp"
#include "cohortgis/geodata/read_policy.hpp"
#include "cohortgis/geodata/zones.hpp"
#include "file_stems.hpp"
#include "map_classes.hpp"
#include "output_dir.hpp"
#include "text_output.hpp"
#include "thread_room.hpp"
#include "written_number.hpp"

namespace cohortgis::app {

namespace fs = std::filesystem;
using geodata::ImageFormat;
using geodata::MapStyle;
using geodata::MapZone;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The scenario in figure subtitles: its title in the language l, else its name.
std::string scenario_name(const Results& r, Language l) {
  const std::string t = r.scenario_title(l);
  return t.empty() ? r.meta.scenario : t;
}

// A title of words and fields: spaced in English; in Chinese without a space where Chinese text meets Chinese text
// or full-width punctuation ("常住人口变化 2020–2035年", "合计人口金字塔", "2020年（轮廓）"), with one where Latin
// letters or digits meet it ("常住人口 2035年"), as Chinese typesetting spaces mixed text only (W3C "Requirements for
// Chinese Text Layout" 3.2.2, 3.1.6).
std::string title_words(const std::vector<std::string>& words, Language l) {
  // A character: an ideograph ('h'), full-width or CJK punctuation ('p'), other ('o').
  const auto kind = [](char32_t c) {
    if (is_cjk_ideograph(c)) return 'h';
    return (c >= 0x3000 && c <= 0x303F) || (c >= 0xFF00 && c <= 0xFFEF) ? 'p' : 'o';
  };
  std::string out;
  for (const std::string& w : words) {
    if (w.empty()) continue;
    if (!out.empty()) {
      std::size_t length = 0;
      const char before = kind(last_code_point(out)), after = kind(code_point_at(w, 0, length));
      const bool glued = l == Language::zh && before != 'o' && after != 'o' && (before == 'h' || after == 'h');
      if (!glued) out += ' ';
    }
    out += w;
  }
  return out;
}

std::string year_text(int y, Language l) { return l == Language::zh ? std::to_string(y) + "年" : std::to_string(y); }
std::string period_text(const Results& r, const std::string& period, Language l) {
  std::string plan;
  for (const auto& p : r.meta.plan_periods)
    if (p.label == period) plan = p.plan;
  std::string t = l == Language::zh ? period_display(period) + "年" : period_display(period);
  if (!plan.empty()) t += l == Language::zh ? "（" + plan_label(plan, l) + "）" : " (" + plan + ")";
  return t;
}

// Title of an indicator for a group: "户籍人口" for population of registered, else "老龄化率 65+（户籍人口）".
std::string subject(const std::string& indicator, const std::string& group, Language l) {
  const IndicatorLabel lab = indicator_label(indicator, l);
  if (group == "all") return lab.name;
  if (indicator == "population") return group_label(group, l);
  return lab.name + (l == Language::zh ? "（" + group_label(group, l) + "）" : " (" + group_label(group, l) + ")");
}

MapStyle base_style(Language l) {
  MapStyle st;
  st.source_note = word("source_note", l);
  st.no_data_label = word("no_data", l);
  return st;
}

std::string unit_text(const IndicatorLabel& lab) { return lab.unit; }

ImageFormat parse_format(const std::string& f) {
  if (const auto format = geodata::image_format_named(f)) return *format;
  throw InputError("--format: '" + f + "'; expected png, svg or pdf");
}

geodata::ClassMethod parse_classes(const std::string& c) {
  // The command line also takes the short words "equal" and "jenks".
  if (c == "equal") return geodata::ClassMethod::equal_interval;
  if (c == "jenks") return geodata::ClassMethod::natural_breaks;
  if (const auto method = geodata::class_method_named(c)) return *method;
  throw InputError("--classes: '" + c + "'; expected quantile, equal or jenks");
}

// Map shapes once per results folder; values are filled per map.
std::vector<MapZone> shapes_for(const Results& r, const geodata::Zones& zones, Language l) {
  std::vector<std::string> labels;
  for (const auto& id : zones.ids()) labels.push_back(r.zone_label(id, l));
  return geodata::map_zones(zones, std::vector<double>(zones.size(), kNaN), labels);
}

std::vector<MapZone> with_values(std::vector<MapZone> shapes, const std::vector<double>& v) {
  for (std::size_t i = 0; i < shapes.size(); ++i) shapes[i].value = v[i];
  return shapes;
}

void check_variant(const Results& r, const std::string& v) {
  for (const auto& x : r.meta.variants)
    if (x == v) return;
  std::string have;
  for (const auto& x : r.meta.variants) have += (have.empty() ? "" : ", ") + x;
  throw InputError("--variant: '" + v + "' is not in " + r.dir + " (variants: " + have + ")");
}

// --group nope drew a map of empty values, accepted (hostile probe 3): 'all' or a group of the run.
void check_group(const Results& r, const std::string& g) {
  if (g == "all") return;
  std::string have = "all";
  for (const auto& x : r.meta.groups) {
    if (x == g) return;
    have += ", " + x;
  }
  throw InputError("--group: '" + geodata::escape_cell(g) + "' is not a group of " + r.dir + " (groups: " + have + ")");
}

void check_year(const Results& r, int y) {
  for (int x : r.years)
    if (x == y) return;
  std::string have;
  for (int x : r.years) have += (have.empty() ? "" : ", ") + std::to_string(x);
  throw InputError("--year: " + std::to_string(y) + " is not a year of " + r.dir + " (years: " + have + ")");
}

void check_period(const Results& r, const std::string& p) {
  for (const auto& x : r.meta.plan_periods)
    if (x.label == p) return;
  std::string have;
  for (const auto& x : r.meta.plan_periods) have += (have.empty() ? "" : ", ") + x.label;
  throw InputError("--period: '" + p + "' is not a plan period of " + r.dir +
                   " (periods: " + (have.empty() ? "none" : have) + ")");
}

// What one map shows: values by zone (display units), title, legend.
struct MapSpec {
  std::vector<double> values;
  std::string title, subtitle, legend;
  int decimals = 1;
  bool diverging = false;
  std::vector<double> breaks;  // fixed classes (shared_classes); empty: the map's own
  std::string stem;            // file name without extension
};

MapSpec map_spec(const Results& r, const geodata::Zones& zones, const MapRequest& q, Language l) {
  check_variant(r, q.variant);
  check_group(r, q.group);
  const IndicatorLabel lab = indicator_label(q.indicator, l);
  MapSpec s;
  const std::string var = q.variant == "baseline" ? "" : "_" + q.variant;
  const std::string grp = q.group == "all" ? "" : "_" + q.group;
  s.subtitle = r.variant_label(q.variant, l) + " · " + scenario_name(r, l);
  if (q.change) {
    const auto [from, to] = *q.change;
    check_year(r, from);
    check_year(r, to);
    // A change from a year to itself is zero everywhere: a map of one class "0.0 – 0.0" answers no question.
    if (from == to)
      throw InputError("--change: " + std::to_string(from) + ":" + std::to_string(to) +
                       " is the change from a year to itself (zero everywhere); give two different years, e.g. " +
                       std::to_string(r.years.front()) + ":" + std::to_string(r.years.back()));
    if (!r.has_indicator(q.indicator))
      throw InputError("--indicator: '" + q.indicator + "' is not in " + r.dir + "/indicators.csv");
    for (const auto& id : zones.ids()) {
      const double a = r.indicator(q.variant, from, id, q.group, q.indicator);
      const double b = r.indicator(q.variant, to, id, q.group, q.indicator);
      s.values.push_back(q.percent ? (a != 0 ? 100.0 * (b - a) / a : kNaN) : (b - a) * lab.scale);
    }
    s.title = title_words({subject(q.indicator, q.group, l), word(q.percent ? "change_percent" : "change", l),
                           std::to_string(from) + "–" + year_text(to, l)},
                          l);
    s.legend = q.percent ? "%" : change_unit(lab.unit, l);
    s.decimals = q.percent ? 1 : lab.decimals;
    s.diverging = true;
    s.stem = q.indicator + grp + "_change_" + std::to_string(from) + "-" + std::to_string(to) +
             (q.percent ? "_percent" : "") + var;
    return s;
  }
  if (q.year) {
    check_year(r, *q.year);
    if (!r.has_indicator(q.indicator))
      throw InputError("--indicator: '" + q.indicator + "' is not in " + r.dir + "/indicators.csv");
    for (const auto& id : zones.ids())
      s.values.push_back(r.indicator(q.variant, *q.year, id, q.group, q.indicator) * lab.scale);
    s.title = title_words({subject(q.indicator, q.group, l), year_text(*q.year, l)}, l);
    s.stem = q.indicator + grp + "_" + std::to_string(*q.year) + var;
    // Signed measures (net migration, natural growth) take the palette of signed data (geodata maps.hpp).
    s.diverging = signed_measure(q.indicator);
  } else {
    check_period(r, q.period);
    if (q.group != "all") throw InputError("--group: plan periods are reported for all groups only");
    bool known = false;
    for (const auto& h : r.plan_periods.header) known = known || h == q.indicator;
    if (!known || q.indicator == "variant" || q.indicator == "period" || q.indicator == "plan" || q.indicator == "zone")
      throw InputError("--indicator: '" + q.indicator + "' is not a column of " + r.dir +
                       "/plan_periods.csv (e.g. growth_rate_percent, natural_growth_per_1000, births_per_year)");
    for (const auto& id : zones.ids())
      s.values.push_back(r.period_value(q.variant, q.period, id, q.indicator) * lab.scale);
    s.title = title_words({lab.name, period_text(r, q.period, l)}, l);
    s.stem = q.indicator + "_" + q.period + var;
    s.diverging = signed_measure(q.indicator);
  }
  s.legend = unit_text(lab);
  s.decimals = lab.decimals;
  return s;
}

std::vector<double> draw(const std::vector<MapZone>& shapes, const MapSpec& s, MapStyle st, ImageFormat f,
                         const std::string& path) {
  st.title = s.title;
  st.subtitle = s.subtitle;
  st.legend_title = s.legend;
  st.legend_decimals = s.decimals;
  st.diverging = s.diverging;
  st.breaks = s.breaks;
  return geodata::render_choropleth(with_values(shapes, s.values), st, f, path);
}

}  // namespace

std::optional<geodata::Zones> results_zones(const Results& r) {
  const fs::path gpkg = fs::path(r.dir) / "results.gpkg";
  std::error_code ec;
  if (!fs::is_regular_file(gpkg, ec)) return std::nullopt;
  geodata::ZoneSource src;
  src.path = gpkg.string();
  src.layer = "zones";
  src.id_field = "id";
  src.name_field = "name";
  return geodata::load_zones(src);
}

MapResult make_map(const MapRequest& q) {
  // As draw_jobs: under `ulimit -v 400000` GLib aborted creating pango's font thread (SIGTRAP) in 1 to 2 runs of 8
  // at once (round-19 probe's as_map_400mb; with malloc kept to two arenas still 1 of 16): refused clearly instead.
  require_address_space_reserve("draw the map", "raise the limit (ulimit -v)");
  // Pango's font threads: GLib ends the process when one cannot start (thread_room.hpp), up to three a drawing
  // thread (measured: one drawing thread needed a process limit of 4 with the main thread, two needed 7 or 8).
  require_thread_room(3, "draw the map", "raise the limit");
  std::vector<std::string> warnings = require_intact_results(q.results_dir);
  const Results r = load_results(q.results_dir);
  const Language l =
      q.language ? *q.language
                 : (r.meta.language.empty() ? Language::en : parse_language(r.meta.language, "manifest language"));
  const int given = (q.year ? 1 : 0) + (q.period.empty() ? 0 : 1) + (q.change ? 1 : 0);
  if (given != 1) throw InputError("map: give exactly one of --year, --period or --change");
  if (q.percent && !q.change) throw InputError("--percent: only with --change FROM:TO");
  if (q.n_classes < 2 || q.n_classes > 9)
    throw InputError("--n-classes: " + std::to_string(q.n_classes) + "; expected 2 to 9");
  // A PNG of 1200 × 900 layout pixels takes (dpi/96)² times 4.3 MB: 600 dpi is 170 MB, cairo's limit (2621 dpi) 3.2 GB
  // (--dpi 1e6 was an allocation of gigabytes; hostile probe 3). Print needs 300.
  if (!(q.dpi >= 10 && q.dpi <= 600))
    throw InputError("--dpi: " + (std::isfinite(q.dpi) ? shortest_number(q.dpi) : std::string("not a finite number")) +
                     "; expected 10 to 600 (300 for print)");
  const ImageFormat fmt = parse_format(q.format);
  MapStyle st = base_style(l);
  st.method = parse_classes(q.classes);
  st.classes = q.n_classes;
  st.dpi = q.dpi;
  st.cancel = q.cancel;
  const auto stop_if_cancelled = [&q] {
    throw_if_cancelled(q.cancel, "drawing");
  };
  stop_if_cancelled();
  const auto zones = results_zones(r);
  if (!zones)
    throw InputError(q.results_dir + ": no results.gpkg, so no zone boundaries to map" +
                     (r.meta.maps_note.empty() ? std::string() : " (" + r.meta.maps_note + ")"));
  MapSpec s = map_spec(r, *zones, q, l);
  // A map of "no data" in every zone (the TFR of the base year, which has no births) answers nothing: say so.
  if (std::none_of(s.values.begin(), s.values.end(), [](double v) { return std::isfinite(v); }))
    throw InputError("map: '" + q.indicator + "' has no value in any zone for " + s.title +
                     " (rates of births and deaths start with the first step after the base year " +
                     std::to_string(r.meta.base_year) + "); nothing to map");
  // The default classes of a year's or plan period's map are those of the report's maps and results.gpkg.
  if (q.group == "all" && !q.change && q.classes == "quantile" && q.n_classes == 5)
    s.breaks = shared_classes(r, zones->ids(), q.indicator, !q.year, l).style.breaks;
  // Into the results folder (the default, or an --out inside it): only over files cohortgis wrote, and listed in
  // manifest.json afterwards.
  std::string out = q.out, rel;
  // The file is named for its format: `--out notes.txt` or `--out DIR/population.csv` replaced that file with a PNG
  // (hostile probe 3); a name ending .png (.svg, .pdf) is a drawing's.
  const std::string extension = geodata::ascii_lower(fs::path(out).extension().string());
  if (!out.empty() && extension != "." + q.format)
    throw InputError("--out '" + geodata::escape_cell(out) + "': a " + q.format +
                     " map; expected a file name ending ." + q.format);
  const fs::path dir = absolute_path(q.results_dir, "results folder").lexically_normal();
  if (out.empty()) {
    rel = "maps/" + file_stem(s.stem) + "." + q.format;
  } else {
    const fs::path o = absolute_path(out, "--out").lexically_normal(), inside = o.lexically_relative(dir);
    if (!inside.empty() && *inside.begin() != ".." && inside != ".") rel = inside.generic_string();
  }
  if (!rel.empty()) out = writable_path(dir, check_results_folder(dir, false), rel).string();
  // Outside the results folder too: the map is renamed into place, which replaced a symbolic link with the map
  // (leaving its target as it was); refused as `run --out` refuses a link.
  std::error_code link_ec;
  if (rel.empty() && fs::is_symlink(fs::symlink_status(out, link_ec)))
    throw InputError("--out '" + geodata::escape_cell(out) + "' is a symbolic link (to '" +
                     geodata::escape_cell(fs::read_symlink(out, link_ec).string()) +
                     "'); cohortgis does not replace links or write through them: give the file's own path or "
                     "another name");
  // A pipe, device or socket of that name was replaced by the map file (hostile probe 19): refused as a link is.
  if (const std::string kind = rel.empty() ? geodata::special_file_kind(out) : ""; !kind.empty())
    throw InputError("--out '" + geodata::escape_cell(out) + "' is " + kind +
                     ", not a file; cohortgis replaces only a regular file with the map: give another name");
  stop_if_cancelled();
  // Into the results folder all or nothing, as `report`: a disk full when manifest.json was rewritten left the map
  // there unlisted (or a listed one changed, a folder map and report then refused) and manifest.json.tmp-PID
  // (hostile probe of round 22).
  std::optional<RedrawGuard> guard;
  if (!rel.empty()) guard.emplace(dir);
  MapResult res;
  res.breaks = draw(shapes_for(r, *zones, l), s, st, fmt, out);
  res.file = out;
  res.legend = s.legend;
  if (guard) {
    refresh_manifest(dir, {rel});
    guard->keep();
  }
  res.warnings = std::move(warnings);
  return res;
}

std::vector<std::string> featured_zones(const Results& r) {
  std::vector<std::string> ids;
  for (const auto& z : r.zones) ids.push_back(z.id);
  if (ids.size() <= kMaxZoneFigures || r.years.empty()) return ids;
  const int last = r.years.back();
  std::vector<double> pop;
  for (const auto& id : ids) {
    const double p = r.indicator("baseline", last, id, "all", "population");
    pop.push_back(std::isnan(p) ? -1.0 : p);
  }
  std::vector<std::size_t> order(ids.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  // Largest first; ties in scenario order (stable), so the choice does not depend on the sort.
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return pop[a] > pop[b]; });
  order.resize(kMaxZoneFigures);
  std::sort(order.begin(), order.end());
  std::vector<std::string> out;
  for (std::size_t i : order) out.push_back(ids[i]);
  return out;
}

namespace {

// One figure of the report: what it is, and how to draw it (into its own Cairo surface, on any thread).
struct FigureJob {
  Figure figure;
  std::function<std::vector<double>()> draw;  // returns a map's class breaks (nothing for charts)
  bool legend = false;                        // a map: listed in maps/legend.json
  std::string indicator, unit;
  MapStyle colours;  // the style whose palette rule choropleth_colours applies to the breaks
  std::vector<double> breaks;
};

// Draws the jobs over `threads` threads (0: every core), each job in one task: the files do not depend on the thread
// count or the order the tasks run in. A stop request (SIGINT/SIGTERM) ends the drawing with ProjectionError: no
// further job starts, and the renderers stop within 256 zones.
void draw_jobs(std::vector<FigureJob>& jobs, int threads, const std::atomic<bool>* cancel) {
  const auto one = [&](std::size_t i) {
    throw_if_cancelled(cancel, "drawing");
    jobs[i].breaks = jobs[i].draw();
  };
  // Under `ulimit -v`, fonts and images that did not fit aborted the process in GLib or crashed fontconfig (hostile
  // probe 19): refused while the results can still be removed cleanly.
  require_address_space_reserve("draw the maps and charts", "raise the limit, or run with --no-report");
  const bool one_thread = threads == 1 || jobs.size() < 2;
  // The drawing threads the arena below starts (no more than the jobs).
  const int drawing =
      one_thread
          ? 1
          : std::min(static_cast<int>(std::min<std::size_t>(jobs.size(), 1024)),
                     resolve_threads(threads_that_fit(threads, address_space_room(), kAddressSpacePerDrawingThread)));
  require_thread_room(3 * drawing, "draw the maps and charts",
                      "raise the limit, use fewer --threads, or run with --no-report");
  if (one_thread) {
    for (std::size_t i = 0; i < jobs.size(); ++i) one(i);
    return;
  }
  ThreadArena(threads, kAddressSpacePerDrawingThread).execute([&] {
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, jobs.size(), 1),
                      [&](const tbb::blocked_range<std::size_t>& b) {
                        for (std::size_t i = b.begin(); i != b.end(); ++i) one(i);
                      });
  });
}

}  // namespace

std::vector<Figure> render_figures(const Results& r, Language l, const std::atomic<bool>* cancel, int threads) {
  const auto stop_if_cancelled = [cancel] {
    throw_if_cancelled(cancel, "drawing");
  };
  std::vector<FigureJob> jobs;  // in report order
  const fs::path dir(r.dir);
  // Every figure goes through writable_path: no symbolic links, no file that cohortgis did not write. Resolved here,
  // before the drawing threads start (it creates the folders).
  const FolderCheck folder = check_results_folder(dir, false);
  const auto path = [&](const std::string& rel) { return writable_path(dir, folder, rel).string(); };
  const std::string base = "baseline";
  const int first = r.years.front(), last = r.years.back();

  // ---- maps ----
  const auto zones = results_zones(r);
  // Map shapes once per results folder, shared by every map's drawing (read only).
  const auto shapes = zones ? std::make_shared<const std::vector<MapZone>>(shapes_for(r, *zones, l)) : nullptr;
  if (zones) {
    std::map<std::pair<std::string, bool>, std::vector<double>> shared;  // (indicator, plan period) → breaks
    const auto shared_breaks = [&](const std::string& indicator, bool plan_period) -> const std::vector<double>& {
      const auto key = std::make_pair(indicator, plan_period);
      if (!shared.count(key)) shared[key] = shared_classes(r, zones->ids(), indicator, plan_period, l).style.breaks;
      return shared.at(key);
    };
    MapStyle st = base_style(l);
    st.cancel = cancel;
    auto add_map = [&](MapRequest q) {
      stop_if_cancelled();
      q.variant = base;
      MapSpec s = map_spec(r, *zones, q, l);
      // Every year (plan period) and variant of an indicator in the same classes, those of results.gpkg.
      if (q.group == "all" && !q.change) s.breaks = shared_breaks(q.indicator, !q.year);
      const std::string file = "maps/" + file_stem(s.stem) + ".png";
      FigureJob job;
      job.figure = {file, "maps", s.title, false};
      job.draw = [shapes, s, st, out = path(file)] { return draw(*shapes, s, st, ImageFormat::png, out); };
      job.legend = true;
      job.indicator = q.indicator;
      job.unit = s.legend;
      job.colours.diverging = s.diverging;
      jobs.push_back(std::move(job));
    };
    MapRequest q;
    q.year = last;
    add_map(q);  // 常住人口 at the horizon
    bool has_groups = r.meta.groups.size() > 1;
    for (const auto& g : r.meta.groups)
      if (has_groups && (g == "floating" || g == "registered")) {
        MapRequest qg = q;
        qg.group = g;
        add_map(qg);
      }
    {
      MapRequest qa = q;
      qa.indicator = "share_65_plus_percent";
      add_map(qa);
    }
    {
      MapRequest qc;
      qc.change = std::make_pair(first, last);
      qc.percent = true;
      add_map(qc);
    }
    if (!r.meta.plan_periods.empty()) {
      const std::string p = r.meta.plan_periods.back().label;
      for (const char* k : {"growth_rate_percent", "natural_growth_per_1000"}) {
        MapRequest qp;
        qp.period = p;
        qp.indicator = k;
        add_map(qp);
      }
    }
    // Small multiples across plan years (baseline) and across variants (horizon), one set of classes each.
    const IndicatorLabel pop = indicator_label("population", l);
    MapStyle sm = st;
    sm.legend_title = pop.unit;
    sm.legend_decimals = pop.decimals;
    sm.breaks = shared_breaks("population", false);  // as results.gpkg's layers
    sm.width_px = 1500;                              // one row of up to four panels
    sm.height_px = 580;
    auto add_panels = [&](const std::string& file, std::vector<std::string> titles,
                          std::vector<std::vector<double>> values) {
      const int columns = static_cast<int>(std::min<std::size_t>(titles.size(), 4));
      FigureJob job;
      job.figure = {file, "maps", sm.title, true};
      job.draw = [shapes, titles = std::move(titles), values = std::move(values), sm, columns, out = path(file)] {
        return geodata::render_small_multiples(*shapes, titles, values, sm, ImageFormat::png, out, columns);
      };
      job.legend = true;
      job.indicator = "population";
      job.unit = sm.legend_title;
      job.colours = sm;
      jobs.push_back(std::move(job));
    };
    {
      std::vector<std::string> titles;
      std::vector<std::vector<double>> values;
      std::vector<int> years{first};
      for (const auto& p : r.meta.plan_periods)
        if (const int y = *plan_period_last_year(p.label); y != first) years.push_back(y);  // read_manifest checked
      if (years.size() < 2) years = r.years;
      for (int y : years) {
        titles.push_back(year_text(y, l));
        std::vector<double> v;
        for (const auto& id : zones->ids()) v.push_back(r.indicator(base, y, id, "all", "population") * pop.scale);
        values.push_back(std::move(v));
      }
      sm.title = title_words({pop.name, word("small_multiples_years", l)}, l);
      sm.subtitle = r.variant_label(base, l) + " · " + scenario_name(r, l);
      stop_if_cancelled();
      add_panels("maps/population_years.png", std::move(titles), std::move(values));
    }
    if (r.meta.variants.size() > 1) {
      std::vector<std::string> titles;
      std::vector<std::vector<double>> values;
      for (const auto& v : r.meta.variants) {
        titles.push_back(r.variant_label(v, l));
        std::vector<double> x;
        for (const auto& id : zones->ids()) x.push_back(r.indicator(v, last, id, "all", "population") * pop.scale);
        values.push_back(std::move(x));
      }
      sm.title = title_words({pop.name, year_text(last, l), word("small_multiples_variants", l)}, l);
      sm.subtitle = scenario_name(r, l);
      stop_if_cancelled();
      add_panels("maps/population_" + std::to_string(last) + "_variants.png", std::move(titles), std::move(values));
    }
  }
  const std::size_t map_jobs = jobs.size();

  // ---- pyramids: the horizon's groups stacked, the base year's total as an outline ----
  if (!r.population_values.empty()) {
    geodata::PyramidStyle ps;
    ps.age_labels = r.age_labels();
    ps.female_label = word("female", l);
    ps.male_label = word("male", l);
    ps.persons_label = l == Language::zh ? "万人" : "persons";
    ps.axis_divisor = l == Language::zh ? 1e4 : 1.0;
    auto pyramid = [&](const std::string& zone, const std::string& file, int w, int h) {
      stop_if_cancelled();
      std::vector<geodata::PyramidSeries> stacked, outline;
      for (const auto& g : r.meta.groups) {
        auto f = r.population(base, last, zone, g, "female"), m = r.population(base, last, zone, g, "male");
        if (f.empty()) return false;
        stacked.push_back({title_words({group_label(g, l), year_text(last, l)}, l), f, m});
      }
      if (r.meta.groups.size() == 1)
        stacked.front().name = title_words({word("total_population", l), year_text(last, l)}, l);
      outline.push_back({title_words({word("total_population", l), year_text(first, l), word("overlay_outline", l)}, l),
                         r.population(base, first, zone, "all", "female"),
                         r.population(base, first, zone, "all", "male")});
      ps.title = title_words(
          {r.zone_label(zone, l), word("pyramid_of", l), std::to_string(first), "/", year_text(last, l)}, l);
      ps.width_px = w;
      ps.height_px = h;
      FigureJob job;
      job.figure = {file, "pyramids", ps.title, zone == "total"};
      job.draw = [stacked = std::move(stacked), outline = std::move(outline), ps, out = path(file)] {
        geodata::render_pyramid(stacked, outline, ps, ImageFormat::png, out);
        return std::vector<double>{};
      };
      jobs.push_back(std::move(job));
      return true;
    };
    pyramid("total", "charts/pyramid_total.png", 900, 760);
    for (const auto& [name, members] : r.meta.aggregates)
      if (name != "total") pyramid(name, "charts/pyramid_aggregate_" + file_stem(name) + ".png", 560, 560);
    // One helper names every per-zone file: the id escaped (plus a short hash) where it is not a safe file name,
    // so ids that differ only in such characters (or in case) never share a file.
    // Stems over every zone id, so that a zone's file name does not depend on which zones are featured.
    std::vector<std::string> ids{"total"};
    for (const auto& z : r.zones) ids.push_back(z.id);
    const std::vector<std::string> stems = file_stems(ids);
    const std::vector<std::string> featured = featured_zones(r);
    for (std::size_t i = 0, f = 0; i < r.zones.size() && f < featured.size(); ++i)
      if (r.zones[i].id == featured[f]) {
        pyramid(r.zones[i].id, "charts/pyramid_" + stems[i + 1] + ".png", 560, 560);
        ++f;
      }
  }

  // ---- indicators over time, one line per variant, whole area ----
  for (const char* k : {"population", "share_65_plus_percent", "cbr_per_1000", "tfr"}) {
    const IndicatorLabel lab = indicator_label(k, l);
    std::vector<geodata::LineSeries> series;
    for (const auto& v : r.meta.variants) {
      geodata::LineSeries s{r.variant_label(v, l), {}, {}};
      for (int y : r.years) {
        s.x.push_back(y);
        s.y.push_back(r.indicator(v, y, "total", "all", k) * lab.scale);
      }
      series.push_back(std::move(s));
    }
    geodata::LineStyle ls;
    ls.title = lab.name + " · " + unit_label("total", l);
    ls.y_label = lab.unit;
    ls.x_label = word("year", l);
    ls.width_px = 760;
    ls.height_px = 440;
    const std::string file = std::string("charts/lines_") + k + ".png";
    bool any = false;
    for (const auto& s : series)
      for (double y : s.y) any = any || std::isfinite(y);
    if (!any) continue;
    FigureJob job;
    job.figure = {file, "charts", ls.title, false};
    job.draw = [series = std::move(series), ls, out = path(file)] {
      geodata::render_lines(series, ls, ImageFormat::png, out);
      return std::vector<double>{};
    };
    jobs.push_back(std::move(job));
  }

  stop_if_cancelled();
  draw_jobs(jobs, threads, cancel);

  std::vector<Figure> figs;
  for (std::size_t i = 0; i < map_jobs; ++i) figs.push_back(jobs[i].figure);
  if (zones) {
    // The maps' classes, machine-readable (listed in manifest.json; not shown in the report).
    std::vector<MapLegend> legends;
    for (const FigureJob& j : jobs)
      if (j.legend)
        legends.push_back(
            {j.figure.file, j.indicator, j.unit, j.breaks, geodata::choropleth_colours(j.breaks, j.colours)});
    // Through a temporary file renamed into place, as every figure: written in place it was also the file of the
    // redraw's backup (a hard link, RedrawGuard), so a `report` that failed after it kept the new legend.json
    // (hostile probe of round 23).
    write_atomically(path("maps/legend.json"), legend_json(legends));
    figs.push_back({"maps/legend.json", "legend", "", false});
  }
  for (std::size_t i = map_jobs; i < jobs.size(); ++i) figs.push_back(jobs[i].figure);
  return figs;
}

}  // namespace cohortgis::app
