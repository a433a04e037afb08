// SPDX-License-Identifier: Apache-2.0
#include "cohortgis/app/run.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <thread>

#include "async_sink.hpp"
#include "cohortgis/app/commands.hpp"
#include "cohortgis/app/ensemble.hpp"
#include "cohortgis/app/project.hpp"
#include "cohortgis/app/results.hpp"
#include "cohortgis/engine/number_text.hpp"
#include "cohortgis/engine/projection.hpp"
#include "cohortgis/engine/sink_inputs.hpp"
#include "cohortgis/engine/thread_arena.hpp"
#include "cohortgis/geodata/install_dirs.hpp"
#include "cohortgis/geodata/measures.hpp"
#include "cohortgis/geodata/outputs.hpp"
#include "cohortgis/geodata/read_cancel.hpp"
#include "cohortgis/geodata/read_policy.hpp"
#include "cohortgis/geodata/sha256.hpp"
#include "cohortgis/geodata/table.hpp"
#include "cohortgis/geodata/zones.hpp"
#include "cohortgis/scenarios/scenario.hpp"
#include "cohortgis/scenarios/scenario_file.hpp"
#include "ensemble_run.hpp"
#include "file_digests.hpp"
#include "map_classes.hpp"
#include "monitoring_output.hpp"
#include "national_schedules.hpp"
#include "netcdf_output.hpp"
#include "output_dir.hpp"
#include "parity_output.hpp"
#include "planning_output.hpp"
#include "records_output.hpp"
#include "report.hpp"
#include "results_writer.hpp"
#include "retained_heap.hpp"
#include "run_manifest.hpp"
#include "text_output.hpp"
#include "thread_room.hpp"
#include "written_indicators.hpp"
#include "xlsx_output.hpp"

#ifndef COHORTGIS_DEFAULT_DATA_DIR
#error "COHORTGIS_DEFAULT_DATA_DIR must be defined by the build (the repository's data/ folder)"
#endif

namespace cohortgis::app {

namespace fs = std::filesystem;

namespace {

// Progress on stderr: a bar redrawn in place on a terminal, plain lines otherwise (logs, CI).
struct Progress {
  bool tty = false;
  int base_year = 0, width = 1;
  void start(int total) const {
    if (tty) draw(0, total);
  }
  void draw(int done, int total) const {
    constexpr int kBar = 30;
    const int filled = total > 0 ? kBar * done / total : kBar;
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(kBar, '.');
    std::fprintf(stderr, "\rcohortgis: [%s] step %d/%d", bar.c_str(), done, total);
    if (done == total) std::fputc('\n', stderr);
    std::fflush(stderr);
  }
  void operator()(int done, int total) const {
    if (tty) {
      draw(done, total);
    } else {
      const int end = base_year + done * width, start = end - width;
      if (width == 1)  // an annual step is one year: "(2030)", not "(2030-2030)"
        std::fprintf(stderr, "cohortgis: step %d/%d (%d) done\n", done, total, end);
      else
        std::fprintf(stderr, "cohortgis: step %d/%d (%d-%d) done\n", done, total, start + 1, end);
      std::fflush(stderr);
    }
  }
};

// project()'s sink for a run: the results writer, and what RunSummary reports of each variant.
class WriterSink : public VariantSink, public SinkInputs {
 public:
  WriterSink(ResultsWriter& writer, NetcdfWriter* cube, const std::vector<ZoneAggregate>& aggregates,
             ParityTables& parity_tables, std::vector<VariantSummary>& variants, std::vector<int>& years,
             std::vector<StepTiming>& timings, bool write_thread, bool parallel_writers)
      : writer_(writer),
        cube_(cube),
        tee_(
            writer, cube, [&writer](double seconds) { writer.add_write_seconds(seconds); }, parallel_writers),
        aggregates_(aggregates),
        parity_tables_(parity_tables),
        variants_(variants),
        years_(years),
        timings_(timings),
        write_thread_(write_thread) {}
  void begin_variant(const scenarios::Scenario& run) override {
    writer_.begin_variant(run);
    if (cube_) cube_->begin_variant(run);
    // Parity states (parity_output.hpp) sit in front of the writers and set each step's fertility.
    if (run.parity) parity_ = std::make_unique<ParityRecorder>(run, aggregates_, tee_, parity_tables_);
    if (parity_) writer_.set_parity(&parity_->projection());  // population.csv's parity column
    if (parity_ && cube_) cube_->set_parity(&parity_->projection());
    // A writer thread (async_sink.hpp), except with parity: its recorder sets each step's fertility and the writers
    // read its current shares, so they stay in line with the projection.
    // Bounded as AsyncSink::bound_for_state says; a run whose every year's copy is over that bound (its end
    // population and the indicators of every zone and slot, kStandardIndicators each, alone) writes every year in
    // line, the base year too (no copy of the base population while step 1 is projected).
    const CohortLayout& L = run.base_population.layout();
    const std::size_t state = run.base_population.data().size();
    const std::size_t bound = AsyncSink::bound_for_state(state * sizeof(double));
    const std::size_t per_unit = (static_cast<std::size_t>(L.groups) + 1) * kStandardIndicators;  // groups + "all"
    const std::size_t zones = static_cast<std::size_t>(L.zones);
    const std::size_t at_least = (state + zones * per_unit) * sizeof(double);
    if (write_thread_ && !parity_ && at_least <= bound) async_ = std::make_unique<AsyncSink>(tee_, bound);
    // The base year's indicator table (each writer makes one): every zone and aggregate.
    tee_.set_parallel_base(TeeSink::parallel_base_fits((zones + aggregates_.size()) * per_unit * sizeof(double)));
  }
  ScheduleProvider wrap_schedules(ScheduleProvider p) { return parity_ ? parity_->wrap(std::move(p)) : p; }
  // The writers read neither a step's start population nor its births by age of mother and their exposure; the
  // parity states do (ParityRecorder). Without them the engine gives those arrays' memory back as each step's zone
  // pass is done with them (sink_inputs.hpp; the steps ≈ 20 MB less at 50,000 zones, bench/HISTORY.md "Round 29:
  // memory at 50,000 zones (h182)"). The variant's (begin_variant comes first).
  bool reads_start_and_births_by_age() const override { return parity_ != nullptr; }
  void base(const CohortArray& population, int year) override {
    writer_.start_base();  // the base year counts as writing from here (ResultsWriter::start_base)
    front().base(population, year);
    // Loading, results.nc's definition and the base year's writing leave freed blocks between live ones (at 50,000
    // zones 22 MB free inside the main arena, 7.6 MB of it resident), which the steps' arrays, allocated next, do not
    // reuse: given back here, the run's peak RSS is 2.4-6.5 MB lower (bench/HISTORY.md "Round 24: memory at 50,000
    // zones (h136)"). Once a variant: the steps reuse their arrays, so later years leave few such pages.
    release_free_heap();
  }
  void step(const StepResult& result) override { front().step(result); }
  void end_variant(const scenarios::Scenario& run, const CohortArray&, std::unique_ptr<Projection>&) override {
    std::vector<StepTiming> step_timings;
    if (async_) {
      async_->drain();  // every year written before targets, totals and timings are read
      step_timings = writer_.timings();
      // The projection's own time per step is measured on its thread; the writer's is what it says (overlapped).
      for (std::size_t k = 0; k < step_timings.size() && k < async_->compute_seconds().size(); ++k) {
        if (!async_->overlapped()[k]) continue;  // written in line: its copy was over the bound (async_sink.hpp)
        step_timings[k].compute_seconds = async_->compute_seconds()[k];
        step_timings[k].handover_seconds = async_->handover_seconds()[k];
        step_timings[k].overlapped = true;
      }
      async_.reset();
    }
    writer_.end_variant();
    if (step_timings.empty()) step_timings = writer_.timings();
    VariantSummary v{run.variant, writer_.total_population(), 0, 0, {}};
    for (const auto& o : writer_.target_outcomes())
      if (o.variant == run.variant) {
        (o.met ? v.targets_met : v.targets_missed) += 1;
        if (!o.met) v.missed.push_back(o.target);
      }
    variants_.push_back(std::move(v));
    if (years_.empty()) years_ = writer_.years();
    timings_.insert(timings_.end(), step_timings.begin(), step_timings.end());
    writer_.set_parity(nullptr);
    if (cube_) cube_->set_parity(nullptr);
    parity_.reset();
  }

 private:
  ResultSink& front() {
    if (parity_) return *parity_;
    if (async_) return *async_;
    return tee_;
  }
  ResultsWriter& writer_;
  NetcdfWriter* cube_;
  TeeSink tee_;
  const std::vector<ZoneAggregate>& aggregates_;
  ParityTables& parity_tables_;
  std::unique_ptr<ParityRecorder> parity_;
  std::vector<VariantSummary>& variants_;
  std::vector<int>& years_;
  std::vector<StepTiming>& timings_;
  bool write_thread_;
  std::unique_ptr<AsyncSink> async_;  // after tee_ and the writers: its thread stops before they go
};

// The scenario's zones with boundaries from [geography] source, in scenario order and with its names (id field as
// the source names it, else the column whose values are the scenario's zone ids). Nothing (and a note why) when
// there is no source or it does not cover the zones.
std::optional<geodata::Zones> scenario_geometry(const scenarios::ScenarioSet& set, std::string& note) {
  const scenarios::Scenario& sc = set.runs.front();
  if (set.zones_source_path.empty()) {
    note =
        "the scenario gives no zone boundaries ([geography] source = { path, layer, id_field }); no results.gpkg or "
        "maps";
    return std::nullopt;
  }
  try {
    geodata::ZoneSource src = set.zones_source;
    src.path = set.zones_source_path;
    src.layer = set.zones_source_layer;
    if (src.id_field.empty()) {
      // No id field named: the source's column whose values are the scenario's zone ids.
      const geodata::Table t = geodata::read_table(src.path, {}, src.layer);
      for (const auto& col : t.columns) {
        std::set<std::string> values;
        const std::size_t c = t.column(col);
        for (std::size_t r = 0; r < t.size(); ++r) values.insert(t.text(r, c));
        bool all = true;
        for (const auto& z : sc.zones) all = all && values.count(z.id) > 0;
        if (all) {
          src.id_field = col;
          break;
        }
      }
      if (src.id_field.empty()) {
        note = src.path + ": no field holds every zone id of the scenario; no results.gpkg or maps";
        return std::nullopt;
      }
    }
    const geodata::Zones all = geodata::load_zones(src);
    std::vector<std::string> ids, names, parents;
    for (const auto& z : sc.zones) {
      ids.push_back(z.id);
      names.push_back(z.name);
      parents.push_back(z.parent);
    }
    return all.select(ids, names, parents);
  } catch (const InputError& e) {
    note = std::string("zone boundaries not used: ") + e.what();
    return std::nullopt;
  }
}

// results.gpkg: the zones, every variant's indicators (long table with a variant column: every year and plan
// period) and one wide layer per year and plan period (group "all") for each variant — "zones_<period>" for the
// baseline, "zones_<variant>_<period>" for the others — styled for QGIS.
void write_results_gpkg(const fs::path& dir, const geodata::Zones& zones, const Results& r, Language l,
                        const std::atomic<bool>* cancel) {
  std::vector<geodata::IndicatorRow> rows;
  r.for_each_indicator([&](const std::string& variant, int year, const std::string& unit, const std::string& group,
                           const std::string& indicator, double value) {
    rows.push_back({unit, std::to_string(year), group, indicator, value, variant});
  });
  std::vector<std::string> periods;
  for (int y : r.years) periods.push_back(std::to_string(y));
  const auto& pp = r.plan_periods;
  const std::size_t cv = pp.column("variant"), cp = pp.column("period"), cz = pp.column("zone");
  for (const auto& row : pp.rows) {
    if (std::find(periods.begin(), periods.end(), row[cp]) == periods.end()) periods.push_back(row[cp]);
    for (std::size_t c = cz + 1; c < pp.header.size(); ++c) {
      if (pp.header[c] == "years") continue;
      double v = std::nan("");
      geodata::parse_number(row[c], v);
      rows.push_back({row[cz], row[cp], "all", pp.header[c], v, row[cv]});
    }
  }
  // Per group (plan_periods_by_group.csv): the long table only, with its group in pop_group.
  if (const auto& pg = r.plan_periods_by_group; !pg.rows.empty()) {
    const std::size_t gv = pg.column("variant"), gp = pg.column("period"), gz = pg.column("zone"),
                      gg = pg.column("group");
    for (const auto& row : pg.rows)
      for (std::size_t c = gg + 1; c < pg.header.size(); ++c) {
        if (pg.header[c] == "years") continue;
        double v = std::nan("");
        geodata::parse_number(row[c], v);
        rows.push_back({row[gz], row[gp], row[gg], pg.header[c], v, row[gv]});
      }
  }
  geodata::GpkgOutputOptions o;
  o.cancel = cancel;
  o.wide_periods = periods;
  o.wide_variant = "baseline";
  for (const auto& v : r.meta.variants)
    if (v != "baseline") o.more_wide_variants.push_back(v);
  o.area_km2 = geodata::measure_zones(zones).area_km2;
  // QGIS styles with the PNG maps' classes and colours, labels and aliases (map_classes.hpp).
  set_gpkg_styles(o, r, zones.ids(), l);
  geodata::write_zone_indicators_gpkg((dir / "results.gpkg").string(), zones, rows, o);
}

// What the command line lets a scenario read besides its own folder and the data folder.
geodata::ReadPolicy read_policy(const std::vector<std::string>& allow_read, const std::vector<std::string>& allow_db) {
  return geodata::granted(allow_read, allow_db, "--allow-read", "--allow-db");
}

// SHA-256 of an input; a database has none (its service name is what the manifest records).
std::string input_sha256(const scenarios::InputFile& in) {
  if (in.relative.rfind("db:", 0) == 0) return "database service " + in.relative.substr(3) + " (not hashed)";
  return geodata::sha256_file_or_folder(in.path);
}

// A host's set (RunConfig::scenario_set) is checked as the loader checks a file's runs, and for what a file's variants
// cannot change: every writer lays out all runs by the baseline's zones, groups, ages and years.
void check_host_set(const scenarios::ScenarioSet& set) {
  scenarios::validate_runs(set.runs);
  const scenarios::Scenario& b = set.runs.front();
  const std::vector<std::string> ids = b.zone_ids();
  for (const scenarios::Scenario& r : set.runs)
    if (r.zone_ids() != ids || r.group_names != b.group_names || !(r.grid == b.grid) || r.base_year != b.base_year ||
        r.steps != b.steps)
      throw InputError("scenario '" + b.name + "', variant '" + r.variant +
                       "': its zones, groups, age grid or years differ from the baseline's; expected every run of a "
                       "set in the baseline's layout (change a variant's assumptions, not its shape)");
}

}  // namespace

std::string resolve_scenario_file(const std::string& scenario) {
  if (scenario.empty() || scenario == "default") return scenarios::default_scenario_file();
  std::error_code ec;
  if (!fs::is_regular_file(scenario, ec)) {
    const std::string kind = fs::is_directory(scenario, ec) ? "a folder" : geodata::special_file_kind(scenario);
    throw InputError("scenario '" + scenario + "': " + (kind.empty() ? "no such file" : "is " + kind + ", not a file") +
                     "; expected a scenario file (.toml) or 'default'");
  }
  return scenario;
}

ValidationSummary validate(const std::string& scenario, const std::string& data_dir_configured,
                           const std::vector<std::string>& allow_read, const std::vector<std::string>& allow_db,
                           int threads) {
  check_threads(threads, "--threads");
  const std::string data_dir = resolve_data_dir(data_dir_configured);
  const scenarios::ScenarioSet set = scenarios::load_scenario_file(resolve_scenario_file(scenario), data_dir,
                                                                   read_policy(allow_read, allow_db), threads);
  // What run refuses before it writes anything, refused here too: [monitoring]'s names and observed rows against
  // the indicators the projection computes (a `names` entry "populaton" passed validate and stopped the run).
  scenario_observed_figures(set);
  // And the ensemble the scenario's `trajectories` asks for (parity fertility, a trajectory table with fewer rows).
  check_ensemble_settings(set, set.stochastic.trajectories);
  const scenarios::Scenario& sc = set.runs.front();
  ValidationSummary v;
  v.scenario = sc.name;
  v.file = set.file;
  v.zones = static_cast<int>(sc.zones.size());
  v.groups = static_cast<int>(sc.group_names.size());
  v.base_year = sc.base_year;
  v.end_year = sc.end_year();
  v.step_years = sc.grid.width_years;
  v.targets = static_cast<int>(set.targets.size());
  v.services = static_cast<int>(set.services.size());
  for (double p : sc.base_population.data()) v.base_population += p;
  for (const auto& r : set.runs) v.variants.push_back(r.variant);
  for (const auto& in : sc.inputs) v.inputs.push_back(in.path);
  return v;
}

std::vector<std::string> inputs_changed_since(const std::string& scenario, const std::string& results_dir,
                                              const std::string& data_dir_configured,
                                              const std::vector<std::string>& allow_read,
                                              const std::vector<std::string>& allow_db, int threads) {
  check_threads(threads, "--threads");
  const std::string data_dir = resolve_data_dir(data_dir_configured);
  const scenarios::ScenarioSet set = scenarios::load_scenario_file(resolve_scenario_file(scenario), data_dir,
                                                                   read_policy(allow_read, allow_db), threads);
  const ResultsMeta meta = read_manifest((std::filesystem::path(results_dir) / "manifest.json").string());
  std::vector<std::string> changes;
  std::set<std::string> current;
  for (const auto& in : set.runs.front().inputs) {
    current.insert(in.relative);
    const std::string now = input_sha256(in);
    const auto it = std::find_if(meta.inputs.begin(), meta.inputs.end(),
                                 [&](const ResultsMeta::Input& m) { return m.path == in.relative; });
    if (it == meta.inputs.end())
      changes.push_back(in.relative + " (" + in.role + ") is an input now but was not one of the results in " +
                        results_dir);
    else if (it->sha256 != now)
      changes.push_back(in.relative + " (" + in.role + ") changed since the results in " + results_dir +
                        " were made (sha256 " + it->sha256.substr(0, 12) + "… then, " + now.substr(0, 12) + "… now)");
  }
  for (const auto& m : meta.inputs)
    if (!current.count(m.path))
      changes.push_back(m.path + " was an input of the results in " + results_dir +
                        " but the scenario no longer reads it");
  return changes;
}

std::string resolve_data_dir(const std::string& configured) {
  if (!configured.empty()) return configured;
  if (const char* env = std::getenv("COHORTGIS_DATA_DIR"); env && *env) return env;
  if (const std::string share = geodata::installed_share_dir(); !share.empty()) return share + "/data";  // installed
  return COHORTGIS_DEFAULT_DATA_DIR;
}

std::string existing_data_dir(const std::string& configured, const std::string& how) {
  std::string data_dir = resolve_data_dir(configured);
  std::error_code ec;
  if (!fs::is_directory(data_dir, ec))
    throw InputError("data folder " + data_dir + " does not exist; expected the folder with census/, geo/ and wpp/ (" +
                     how + ")");
  return data_dir;
}

RunSummary run(const RunConfig& cfg) {
  const auto t0 = std::chrono::steady_clock::now();
  const std::string started = utc_now("%Y-%m-%dT%H:%M:%SZ");  // manifest.json "started_at_utc"
  check_threads(cfg.threads, "--threads");
  check_trajectories(cfg);
  // oneTBB's workers (threads - 1, as ThreadArena caps them under an address-space limit), the writer thread and a
  // margin for oneTBB's own (it ended the process when a worker could not start: thread_room.hpp).
  require_thread_room(resolve_threads(threads_that_fit(cfg.threads, address_space_room(), kAddressSpacePerThread)) + 2,
                      "run the projection", "raise the limit, or use fewer --threads");
  if (cfg.comm && cfg.comm->rank() != 0) return ensemble_worker(cfg);  // MPI: rank 0 writes the results
  const std::string data_dir = existing_data_dir(cfg.data_dir);

  if (!cfg.format.empty()) parse_cube_format(cfg.format, "--format");  // before anything is written
  // --compress deflates results.nc; --format csv writes none, and the option did nothing without a word.
  if (cfg.compress_level > 0 && cfg.format == "csv")
    throw InputError(
        "--compress: --format csv writes no results.nc to compress; expected --format netcdf or both, or "
        "no --compress");
  // --no-results-nc-hash and --no-direct-chunks shape results.nc too, and did nothing without a word (hostile probe
  // of round 28).
  if (cfg.format == "csv")
    for (const auto& [off, option] :
         {std::pair{!cfg.hash_results_nc, "--no-results-nc-hash"}, std::pair{!cfg.direct_chunks, "--no-direct-chunks"}})
      if (off)
        throw InputError(std::string(option) + ": --format csv writes no results.nc; expected --format netcdf or " +
                         "both, or no " + option);
  // --components overrides the scenario's `[outputs] components` (read below); checked before anything is written.
  std::optional<ComponentSelection> asked_components;
  if (!cfg.components.empty()) asked_components = parse_components(cfg.components, "--components");
  if (cfg.compress_level < 0 || cfg.compress_level > 9)
    throw InputError("compress_level: " + std::to_string(cfg.compress_level) + "; expected 0 (off) to 9");
  if (cfg.scenario_set) check_host_set(*cfg.scenario_set);
  const std::string scenario_file = cfg.scenario_set ? cfg.scenario_set->file : resolve_scenario_file(cfg.scenario);
  // Refuses a folder it may not replace; removes its temporary folder unless committed.
  StagedDirectory out(cfg.out_dir);
  if (!cfg.quiet)
    for (const auto& r : out.removed_stale())
      std::fprintf(stderr, "cohortgis: removed the temporary folder of an earlier run that stopped: %s\n", r.c_str());
  // Before loading: its freed buffers would raise glibc's adaptive thresholds for the rest of the run.
  if (cfg.limit_retained_heap) limit_retained_heap();
  // Not const: a run's base population is moved into the engine (po.take_base_population below). A host's set is
  // read where it is.
  std::optional<scenarios::ScenarioSet> loaded;
  if (!cfg.scenario_set) {
    const geodata::ReadCancellation stoppable(cfg.cancel);  // Ctrl-C in a 40,000-zone load: seconds
    // National death rates and ASFR held once for every zone from the start (a loader that wrote them out first
    // peaked there); not when ensembles follow: they perturb every zone's schedules (ensemble_run.hpp).
    loaded.emplace(scenarios::load_scenario_file(
        scenario_file, data_dir, read_policy(cfg.allow_read, cfg.allow_db), cfg.threads,
        cfg.trajectories ? scenarios::NationalSchedules::every_zone : scenarios::NationalSchedules::once));
  }
  // The rest of the national schedules (the SRB) once for every zone (national_schedules.hpp); not when ensembles
  // follow, as above.
  if (loaded && !cfg.trajectories && loaded->stochastic.trajectories == 0) (void)share_national_schedules(*loaded);
  const scenarios::ScenarioSet& set = loaded ? *loaded : *cfg.scenario_set;
  if (cfg.release_proj_database) geodata::release_proj_database();
  const scenarios::Scenario& sc = set.runs.front();
  const ComponentSelection components = asked_components ? *asked_components : set.outputs.components;
  // A trajectory table smaller than the ensemble, a run it cannot project: refused before the deterministic runs.
  const long long ensemble = ensemble_size(cfg, set);
  check_ensemble_settings(set, ensemble);
  // A deterministic run draws no random numbers: its --seed did nothing without a word (hostile probe of round 28).
  if (ensemble == 0 && cfg.seed)
    throw InputError("--seed " + std::to_string(*cfg.seed) +
                     ": the scenario asks for no trajectories ([stochastic] trajectories) and no --trajectories is "
                     "given, so the run draws no random numbers; expected --trajectories N with --seed, or no --seed");
  // Nor keeps trajectories' summaries: its --ensemble-memory did nothing without a word (round 28's review).
  // Named with its value as --seed is: the MiB the run would keep (the bytes given, ceil(MiB · 2^20), as MiB).
  if (ensemble == 0 && cfg.ensemble_memory_bytes)
    throw InputError("--ensemble-memory " +
                     shortest_number(static_cast<double>(*cfg.ensemble_memory_bytes) / 1048576.0) +
                     ": the scenario asks for no trajectories ([stochastic] trajectories) and no --trajectories is "
                     "given, so the run keeps no trajectories' summaries; expected --trajectories N with "
                     "--ensemble-memory, or no --ensemble-memory");
  if (ensemble > 0) {
    // Said before the deterministic runs, where it is seen (after them it was lost among the step lines).
    const std::string warning = no_deviations_warning(set);
    if (!warning.empty() && !cfg.quiet)
      std::fprintf(stderr, "cohortgis: warning: %s %lld: %s\n",
                   cfg.trajectories ? "--trajectories" : "trajectories =", ensemble, warning.c_str());
  }
  // [monitoring]: the observed figures are checked before any result is written (monitoring_output.hpp).
  const std::vector<ObservedFigure> observed_figures = scenario_observed_figures(set);
  std::vector<InputHash> inputs;
  {
    // The inputs' SHA-256 read them again: seconds for gigabytes, stopped as their load is (every MiB, sha256.hpp).
    const geodata::ReadCancellation stoppable(cfg.cancel);
    for (const auto& in : sc.inputs) {
      std::error_code ec;
      const fs::path abs = fs::absolute(in.path, ec).lexically_normal();
      inputs.push_back({in.role, in.relative, input_sha256(in), ec ? in.path : abs.string()});
    }
  }

  const std::vector<ZoneAggregate> aggregates = with_total_aggregate(sc.aggregates, static_cast<int>(sc.zones.size()));
  ResultsWriter writer(out.staging(), set, aggregates);
  writer.set_components(components);
  // The runs (baseline, then the variants asked for) stream into the writer, which adds the variant column.
  std::vector<VariantSummary> variants;
  std::vector<int> years;
  std::vector<StepTiming> timings;
  PlanningOutputs planning;
  // results.nc (netcdf_output.hpp): by --format, else by size; population.csv and components.csv then only if asked.
  std::unique_ptr<NetcdfWriter> cube;
  // indicators.csv kept in memory for the report below, up to a bound (written_indicators.hpp).
  std::optional<WrittenIndicators> written;
  {
    // The variants the run will hold, in project()'s order (an unknown name is refused here, before any output).
    std::vector<std::string> names;
    for (const scenarios::Scenario* r : select_runs(set, cfg.variants, "--variant")) names.push_back(r->variant);
    if (cfg.report) {
      written.emplace(names.size() * (static_cast<std::size_t>(sc.steps) + 1));
      writer.keep_indicators(&*written);
    }
    if (const CubeFormat format = choose_cube_format(cfg.format, sc, names.size()); format != CubeFormat::csv) {
      cube = std::make_unique<NetcdfWriter>(out.staging() / "results.nc", set, aggregates, names, cfg.compress_level);
      cube->set_components(components);
      cube->set_direct_chunks(cfg.direct_chunks);
      // Written back and dropped from the page cache a year behind the writer (drop_behind.hpp), hashed or not: the
      // page cache's fresh pages were 76 % of the results.nc writer's CPU at W20k, and the digest below reads the
      // dropped stretch directly from the disk (bench/HISTORY.md "Round 23: results.nc write and finish phases").
      cube->set_drop_behind(true);
      writer.set_cube_csv(format == CubeFormat::both);
      // netcdf (asked for, or by size): the indicators in results.nc only (indicators.csv repeats its `indicators`:
      // 2.7 GB at 40,000 zones over 10 years), unless asked for or the run adds rows to indicators.csv that
      // results.nc does not have, or reads it back (indicators_csv_needed).
      writer.set_indicators_csv(format == CubeFormat::both || cfg.indicators_csv || indicators_csv_needed(set));
    }
  }
  ParityTables parity_tables{set.outputs.min_cell, {}, {}, {}};  // parity.csv, parity_women.csv (parity_output.hpp)
  // With more than one thread (and the writer thread allowed), the CSV files and results.nc are written at the
  // same time, each on a thread of its own (TeeSink, async_sink.hpp).
  WriterSink sink(writer, cube.get(), aggregates, parity_tables, variants, years, timings, cfg.write_thread,
                  cfg.write_thread && resolve_threads(cfg.threads) > 1);
  ProjectOptions po;
  po.configure = [&](const scenarios::Scenario& r, ProjectionConfig& pc) { planning.begin_variant(r, pc); };
  po.wrap_schedules = [&](const scenarios::Scenario&, ScheduleProvider p) { return sink.wrap_schedules(std::move(p)); };
  // The engine takes each run's base population instead of copying it (one state-sized array less while it projects)
  // unless the ensembles, which project it again after the deterministic runs, read it (ensemble_run.hpp).
  if (loaded && !cfg.trajectories && set.stochastic.trajectories == 0)
    po.take_base_population = [&loaded](const scenarios::Scenario& r) {
      scenarios::Scenario& own = loaded->runs[static_cast<std::size_t>(&r - loaded->runs.data())];
      return std::move(own.base_population);
    };
  po.threads = cfg.threads;
  po.variants = cfg.variants;
  po.variants_option = "--variant";
  po.cancel = cfg.cancel;
  if (cfg.progress) {
    po.progress = [&cfg](const scenarios::Scenario& r, int done, int total) { cfg.progress(r.variant, done, total); };
  } else if (!cfg.quiet) {
    const bool several = cfg.variants.empty() ? set.runs.size() > 1
                                              : std::any_of(cfg.variants.begin(), cfg.variants.end(),
                                                            [](const std::string& v) { return v != "baseline"; });
    po.progress = [several, tty = isatty(fileno(stderr)) == 1](const scenarios::Scenario& r, int done, int total) {
      const Progress progress{tty, r.base_year, r.grid.width_years};
      if (done > 0) return progress(done, total);
      if (several) std::fprintf(stderr, "cohortgis: variant %s\n", r.variant.c_str());
      progress.start(total);
    };
  }
  const auto project_start = std::chrono::steady_clock::now();
  const ProjectSummary projected = project(set, po, sink);
  const auto project_end = std::chrono::steady_clock::now();
  const std::vector<const scenarios::Scenario*>& runs = projected.runs;
  const int threads = projected.threads;
  if (cube) cube->close();
  // Past its memory bound the report's indicators come from results.nc, which holds the same tables (not from a
  // parse of indicators.csv: written_indicators.hpp).
  if (cube && written) written->set_cube(out.staging() / "results.nc");
  // results.nc is final: its SHA-256 for manifest.json is read on another thread while the other outputs are closed
  // and written (the manifest then reuses it, file_digests.hpp); the stretch dropped from the page cache directly.
  std::optional<BackgroundDigest> cube_digest;
  ManifestExtras extras;
  if (cube && cfg.hash_results_nc) cube_digest.emplace(out.staging() / "results.nc", cube->dropped_bytes(), cfg.cancel);
  if (cube && !cfg.hash_results_nc) extras.unhashed.push_back("results.nc");  // every manifest: size only
  writer.finish();
  write_parity_csv(out.staging(), parity_tables);
  // Register outputs (exclusions.csv, parity_base.csv): aggregates only (records_output.hpp).
  write_records_outputs(out.staging(), set);  // the manifest lists them with the other files
  planning.write(out.staging());              // controls.csv, capacity.csv, households.csv
  // Probabilistic projection: quantiles.csv and probability_met in targets.csv (ensemble.hpp).
  const long long trajectories = run_ensembles(out.staging().string(), set, runs, aggregates, cfg, threads);
  // Deviations declared without an ensemble size project nothing: say so rather than pass over them.
  if (trajectories == 0 && !set.stochastic.where.empty() && !cfg.quiet)
    std::fprintf(stderr,
                 "cohortgis: note: %s: [stochastic] gives no trajectories; no probabilistic projection was run "
                 "(set trajectories or --trajectories N)\n",
                 set.stochastic.where.c_str());
  write_monitoring(out.staging(), set, observed_figures);  // monitoring.csv ([monitoring] only)

  // Language: asked for (--lang), else the scenario's `language`, else Chinese for a Chinese scenario.
  extras.runs = runs;
  extras.trajectories = trajectories;
  extras.seed = cfg.seed ? *cfg.seed : set.stochastic.seed;
  extras.load_seconds = std::chrono::duration<double>(project_start - t0).count();
  extras.finish_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - project_end).count();
  // results.nc's digest is waited for only by the last manifest when a core is free for it during the report (which
  // draws on `threads` threads and, with more than one, writes results.xlsx on one more), or when the report takes
  // the indicators from memory (written_indicators.hpp: it no longer keeps every core busy reading indicators.csv
  // back): the report runs meanwhile and reads a first manifest that lists results.nc without its SHA-256. Else the
  // report would only be slowed by as much (2 cores: bench/HISTORY.md "Round 9: writing and finishing"), so the run
  // waits here. What the report did not hide counts as finishing (bench/HISTORY.md "Round 10: after the projection").
  const auto wait_for_digest = [&] {
    if (!cube_digest) return;
    const auto w0 = std::chrono::steady_clock::now();
    const bool hashed = cube_digest->wait();  // a stop ends it at its next MiB: the staging folder then goes
    cube_digest.reset();
    if (!hashed) throw ProjectionError("projection cancelled while results.nc was hashed");
    extras.unhashed.clear();
    extras.finish_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
  };
  const int report_threads = threads > 1 ? threads + 1 : 1;  // with one thread results.xlsx is written in line
  // Handed over: from memory, or past its bound from results.nc (a year at a time, not indicators.csv parsed on
  // every core).
  const bool handed_over =
      written && (written->kept() || !written->cube().empty()) && written->describes(out.staging() / "indicators.csv");
  if (cube_digest && cfg.report && (resolve_threads(0) > report_threads || handed_over))
    extras.unhashed.push_back("results.nc");
  else
    wait_for_digest();
  {
    std::vector<std::string> texts{sc.title};
    for (const auto& z : sc.zones) texts.push_back(z.name);
    extras.language = cfg.language           ? *cfg.language
                      : !sc.language.empty() ? parse_language(sc.language, "scenario.language")
                                             : guess_language(texts);
  }
  extras.zones_source = set.zones_source_path;
  extras.scenario_note = cfg.scenario_note;
  extras.components = components.names();
  std::vector<ListedFile> listed;  // what the last manifest lists
  const auto manifest = [&] {
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    listed = write_run_manifest(out.staging(), set, aggregates, inputs, data_dir, started, cfg.threads, threads,
                                timings, secs, extras);
    return secs;
  };
  double report_seconds = 0.0;
  if (cfg.report) {
    const auto r0 = std::chrono::steady_clock::now();
    if (!cfg.quiet) std::fprintf(stderr, "cohortgis: drawing maps and charts, writing report.html\n");
    // libxlsxwriter crawled (each allocation trying a new malloc arena) and GLib aborted near an address-space limit.
    require_address_space_reserve("write results.gpkg, results.xlsx, the maps and the report",
                                  "raise the limit, or run with --no-report");
    std::optional<geodata::Zones> zones = scenario_geometry(set, extras.maps_note);
    if (!extras.maps_note.empty() && !cfg.quiet)
      std::fprintf(stderr, "cohortgis: note: %s\n", extras.maps_note.c_str());
    manifest();  // the report reads the folder back, manifest included
    const auto stop_if_cancelled = [&] {
      if (cfg.cancel && cfg.cancel->load()) throw ProjectionError("projection cancelled while writing the report");
    };
    stop_if_cancelled();
    // results.xlsx (xlsx_output.hpp) reads only the CSVs: with more than one thread it is written on a thread of its
    // own while results.gpkg, the figures and report.html are made (it took half of the default scenario's report).
    std::exception_ptr xlsx_error;
    std::vector<KnownCsvRows> known;  // indicators.csv's rows as written: not counted again
    if (written && written->has_file() && written->describes(out.staging() / "indicators.csv"))
      known.push_back({"indicators.csv", written->bytes(), written->rows()});
    // No indicators.csv (the netcdf format): its sheet from the tables kept in memory where they fit Excel, copied
    // (at most a million values) since load_results below takes them while results.xlsx is written.
    std::vector<WrittenIndicators::Table> kept_tables;
    KeptIndicators kept;
    if (written && !written->has_file() && written->kept() && written->rows() + 1 <= kXlsxMaxRows &&
        written->describes(out.staging() / "indicators.csv")) {
      kept_tables = written->tables();
      kept = {&kept_tables, written->rows()};
    }
    const auto xlsx = [&] {
      try {
        write_results_xlsx(out.staging(), extras.language, kXlsxMaxRows, cfg.cancel, known,
                           kept.tables ? &kept : nullptr);
      } catch (...) {
        xlsx_error = std::current_exception();
      }
    };
    std::thread xlsx_thread;
    if (threads > 1)
      xlsx_thread = std::thread(xlsx);
    else
      xlsx();
    struct Join {  // on every way out, errors included: no thread outlives the staging folder it writes into
      std::thread& t;
      ~Join() {
        if (t.joinable()) t.join();
      }
    } join_xlsx{xlsx_thread};
    {
      // Once, for results.gpkg and the report; the indicators from memory where they were kept.
      const Results results = load_results(out.staging().string(), threads, written ? &*written : nullptr);
      writer.keep_indicators(nullptr);
      extras.report_indicators = written && !written->taken_from().empty()      ? written->taken_from()
                                 : fs::exists(out.staging() / "indicators.csv") ? "indicators.csv"
                                                                                : "results.nc";
      written.reset();  // its tables are in `results` now
      stop_if_cancelled();
      if (zones) write_results_gpkg(out.staging(), *zones, results, extras.language, cfg.cancel);
      stop_if_cancelled();
      write_report(results, extras.language, cfg.cancel, threads);
    }
    if (xlsx_thread.joinable()) xlsx_thread.join();
    if (xlsx_error) std::rethrow_exception(xlsx_error);
    report_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - r0).count();
    extras.report_seconds = report_seconds;
  }
  if (cfg.csv_bom) add_csv_bom(out.staging());  // last: the readers above take the CSVs as written
  wait_for_digest();
  const double seconds = manifest();
  std::vector<std::string> files;
  for (const auto& f : listed) files.push_back(f.path);
  files.push_back("manifest.json");
  // A signal that arrived after the last step (while writing maps or the report) still cancels the run.
  if (cfg.cancel && cfg.cancel->load())
    throw ProjectionError("projection cancelled before its results were moved into place");
  out.commit();

  RunSummary s;
  s.scenario = sc.name;
  s.out_dir = out.target().string();
  s.data_dir = data_dir;
  s.threads = threads;
  s.scenario_file = scenario_file;
  s.years = years;
  s.total_population = variants.front().total_population;
  s.variants = variants;
  s.files = files;
  s.seconds = seconds;
  s.report_seconds = report_seconds;
  s.language = extras.language;
  s.maps_note = extras.maps_note;
  s.trajectories = trajectories;
  return s;
}

}  // namespace cohortgis::app
