// SPDX-License-Identifier: Apache-2.0
// Driver of the whole benchmark (bench/run_bench.py calls it); prints one JSON object per command.
//   bench_tool run    --zones N [--steps T] [--threads K] [--indicators 0|1] [--cell-components 0|1]
//                     [--mortality-in-place 0|1] [--stream FILE] [--hash-outputs 0|1] [--method flows|multistate]
//                     [--od 0|1] [--step-years 1|5]
//       times a projection of the workload; hashes every step's end population and births (hash time is excluded),
//       and reports the first step's time (the run's fresh pages) and the later years' apart from the mean per year,
//       with --hash-outputs 1 also the per-cell components and the indicators (separate hashes); --step-years 5:
//       five-year ages and steps (--steps counts steps; the times and the floor are per projected year)
//   bench_tool export --zones N [--steps T] --out DIR [--results 0|1]
//       writes the workload's model (and, with --results 1, the engine's results of the user path: populations,
//       births, the per-cell components, the per-state sums and the indicators) as raw float64/int32 files for the
//       NumPy peer (bench/peers/numpy_peer.py)
//   bench_tool scenario --zones N [--steps T] [--form compact|full] [--population-form csv|netcdf] --out DIR
//       writes the workload as a scenario folder (scenario.toml + CSV tables) for `cohortgis run` and
//       cohortgis.load_scenario; its projection equals `bench_tool run`'s bit for bit
//   bench_tool stream [--mib M] [--threads K]
//       memory copy bandwidth, STREAM "copy" style (bytes read + bytes written per second), best of 5
#include <malloc.h>
#include <sys/resource.h>

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "workload.hpp"
#include "cohortgis/engine/index_cast.hpp"

using namespace cohortgis;
using cohortgis::bench::Workload;
using cohortgis::bench::WorkloadOptions;
using Clock = std::chrono::steady_clock;

namespace {

double seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

std::map<std::string, std::string> parse(int argc, char** argv) {
  std::map<std::string, std::string> a;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (std::strncmp(argv[i], "--", 2) != 0) throw std::runtime_error(std::string("unexpected argument ") + argv[i]);
    a[argv[i] + 2] = argv[i + 1];
  }
  return a;
}
int geti(const std::map<std::string, std::string>& a, const char* k, int d) {
  auto it = a.find(k);
  return it == a.end() ? d : std::stoi(it->second);
}
std::string gets(const std::map<std::string, std::string>& a, const char* k, const std::string& d = "") {
  auto it = a.find(k);
  return it == a.end() ? d : it->second;
}

// Peak resident set (VmHWM) and a reset of it (Linux: writing 5 to clear_refs resets the high-water mark).
long peak_rss_bytes() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6)) * 1024;
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss * 1024;
}
void reset_peak_rss() { std::ofstream("/proc/self/clear_refs") << "5"; }

// CPU time of the whole process, all threads (on a shared, loaded machine a steadier measure than the wall clock).
double clock_seconds(clockid_t id) {
  timespec ts{};
  clock_gettime(id, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}
double cpu_seconds() { return clock_seconds(CLOCK_PROCESS_CPUTIME_ID); }
double thread_cpu_seconds() { return clock_seconds(CLOCK_THREAD_CPUTIME_ID); }

// FNV-1a over the bytes of the doubles, folded per step: equal hashes ⇔ (almost surely) bit-identical results.
std::uint64_t fnv(std::span<const double> v, std::uint64_t h) {
  const auto* p = reinterpret_cast<const std::uint64_t*>(v.data());
  for (std::size_t i = 0; i < v.size(); ++i) h = (h ^ p[i]) * 0x100000001B3ULL;
  return h;
}

class TimedSink : public ResultSink {
 public:
  explicit TimedSink(const std::string& stream_path) {
    if (!stream_path.empty()) {
      out_ = std::fopen(stream_path.c_str(), "wb");
      if (!out_) throw std::runtime_error("cannot write " + stream_path);
    }
  }
  ~TimedSink() override {
    if (out_) std::fclose(out_);
  }
  void step(const StepResult& r) override {
    const auto t0 = Clock::now();
    const double c0 = thread_cpu_seconds(), p0 = cpu_seconds();
    if (steps_seen++ == 0) {
      first_step_s = seconds(run_start, t0);
      first_step_cpu_s = p0 - run_cpu_start;
    }
    hash = fnv(r.end.data(), hash);
    hash = fnv(r.components.births, hash);
    if (hash_outputs) {  // what a user's run writes: the per-cell components and the indicators
      const StepComponents& c = r.components;
      for (const CohortArray* a : {&c.deaths, &c.deaths_age_period, &c.od_in, &c.od_out, &c.external_in,
                                   &c.external_out, &c.net_given, &c.transfer_in, &c.transfer_out,
                                   &c.migration_override, &c.net_migrants, &c.floor_adjustment})
        components_hash = fnv(a->data(), components_hash);
      for (const auto* v : {&c.births_by_mother_age, &c.women_exposure, &c.deaths_by_state, &c.net_migrants_by_state,
                            &c.e0, &c.e65})
        components_hash = fnv(*v, components_hash);
      if (r.indicators) {
        const IndicatorTable& t = *r.indicators;
        // The full table's values (a one-group table stores "all" once), as ExportSink takes them.
        std::vector<double> full(t.full_size());
        t.copy_units(0, t.unit_names.size(), full.data());
        indicators_hash = fnv(full, indicators_hash);
        // Without the four that sum deaths and net migrants (the engine sums them from per-state sums since the
        // user path became the fused path; before, over the cells in runs with cell components).
        std::vector<double> rest = std::move(full);
        for (std::size_t k = 0; k < rest.size(); ++k) {
          const auto id = static_cast<Indicator>(k % t.n_indicators());
          if (id == Indicator::deaths || id == Indicator::net_migration || id == Indicator::cdr_per_1000 ||
              id == Indicator::natural_growth_per_1000)
            rest[k] = 0.0;
        }
        indicators_rest_hash = fnv(rest, indicators_rest_hash);
      }
    }
    if (out_) {  // results streamed to disk as they come: the end population of every year
      std::fwrite(r.end.data().data(), sizeof(double), r.end.data().size(), out_);
      std::fflush(out_);
    }
    in_sink += seconds(t0, Clock::now());
    cpu_in_sink += thread_cpu_seconds() - c0;
    process_cpu_in_sink += cpu_seconds() - p0;
  }
  bool hash_outputs = false;
  std::uint64_t hash = 0xCBF29CE484222325ULL;
  std::uint64_t components_hash = 0xCBF29CE484222325ULL, indicators_hash = 0xCBF29CE484222325ULL,
                indicators_rest_hash = 0xCBF29CE484222325ULL;
  // The sink's wall and CPU time, left out of the engine's: the CPU time of this (the calling) thread, and of the
  // whole process while the sink runs (the same where the run's other threads wait without spinning).
  double in_sink = 0.0, cpu_in_sink = 0.0, process_cpu_in_sink = 0.0;
  // The first step's wall and process CPU time, from the run's start (run_start, run_cpu_start) to its result: the
  // run's fresh pages, its first life tables and the first period's schedules are there.
  Clock::time_point run_start;
  double run_cpu_start = 0.0, first_step_s = 0.0, first_step_cpu_s = 0.0;
  int steps_seen = 0;

 private:
  std::FILE* out_ = nullptr;
};

WorkloadOptions options(const std::map<std::string, std::string>& a) {
  WorkloadOptions o;
  o.zones = geti(a, "zones", 3000);
  o.steps = geti(a, "steps", 50);
  o.data_dir = gets(a, "data");
  o.step_years = geti(a, "step-years", 1);  // export and scenario refuse 5 (the NumPy peer and folder are annual)
  return o;
}

int cmd_run(const std::map<std::string, std::string>& a) {
  const auto g0 = Clock::now();
  Workload w(options(a));
  const double gen_s = seconds(g0, Clock::now());
  const int threads = geti(a, "threads", 1);
  ProjectionConfig cfg = w.config(threads, geti(a, "indicators", 0) != 0);
  cfg.cell_components = geti(a, "cell-components", 0) != 0;  // large runs: per-state sums only
  cfg.mortality_in_place = geti(a, "mortality-in-place", 1) != 0;  // survival ratios over the mx schedule
  // --method multistate: Rogers' multistate step over the two groups of each zone (engine/multistate.hpp); it moves
  // people only by the group transitions, so the OD migration is left out (--od 0, its default there). --od 0 with
  // flows gives the flow path on the same schedules, for the comparison in bench/README.md.
  const std::string method = gets(a, "method", "flows");
  if (method != "flows" && method != "multistate") throw std::runtime_error("--method: expected flows or multistate");
  if (method == "multistate") cfg.method = ProjectionMethod::multistate;
  const bool with_od = geti(a, "od", method == "multistate" ? 0 : 1) != 0;
  ScheduleProvider provider = w.provider(threads);  // a new period's schedules filled by the run's thread count
  if (!with_od)
    provider = [inner = std::move(provider)](const StepContext& ctx, StepSchedules& s) {
      inner(ctx, s);
      s.od.reset();
    };
  // The provider's time (the workload's new periods: schedules made from the country tables, the first period's into
  // fresh pages) is inside the engine's, as a scenario's provider is; measured to be reported too.
  double provider_s = 0.0, provider_cpu_s = 0.0;
  provider = [inner = std::move(provider), &provider_s, &provider_cpu_s](const StepContext& ctx, StepSchedules& s) {
    const auto t0 = Clock::now();
    const double c0 = cpu_seconds();
    inner(ctx, s);
    provider_s += seconds(t0, Clock::now());
    provider_cpu_s += cpu_seconds() - c0;
  };
  TimedSink sink(gets(a, "stream"));
  sink.hash_outputs = geti(a, "hash-outputs", 0) != 0;
  malloc_trim(0);  // the generator's freed scratch goes back to the system: the peak is the run's own
  reset_peak_rss();
  const auto t0 = Clock::now();
  const double cpu0 = cpu_seconds();
  sink.run_start = t0;
  sink.run_cpu_start = cpu0;
  Projection p(std::move(cfg), w.take_base());  // moved: the run holds the only copy of the state
  p.run(provider, sink);
  const double total = seconds(t0, Clock::now());
  const double cpu = cpu_seconds() - cpu0;
  const double engine = total - sink.in_sink;
  const int steps = w.options().steps, years = steps * w.options().step_years;
  const double cells = static_cast<double>(w.layout().cells());
  // The years after the first step (0 where there is one step): the first step alone pays for the run's fresh pages,
  // which this project's VM backs at 0.3–0.8 GB/s (bench/HISTORY.md "Round 30: the lean kernel's first step").
  const int later_years = years - w.options().step_years;
  const double later_s = later_years > 0 ? (engine - sink.first_step_s) / later_years : 0.0;
  const double later_cpu_s = later_years > 0 ? (cpu - sink.cpu_in_sink - sink.first_step_cpu_s) / later_years : 0.0;
  std::printf(
      "{\"zones\": %d, \"steps\": %d, \"threads\": %d, \"generate_s\": %.3f, \"total_s\": %.4f, \"sink_s\": %.4f, "
      "\"engine_s\": %.4f, \"s_per_year\": %.6f, \"cells_per_s\": %.4e, \"peak_rss_bytes\": %ld, "
      "\"state_bytes\": %.0f, \"schedule_bytes\": %.0f, \"floor_bytes_per_year\": %.0f, \"hash\": \"%016llx\", "
      "\"cpu_s_per_year\": %.6f, \"components_hash\": \"%016llx\", \"indicators_hash\": \"%016llx\", "
      "\"indicators_rest_hash\": \"%016llx\", \"step_years\": %d, \"sink_cpu_s\": %.6f, \"sink_process_cpu_s\": %.6f, "
      "\"first_step_s\": %.6f, \"first_step_cpu_s\": %.6f, \"later_s_per_year\": %.6f, \"later_cpu_s_per_year\": %.6f, "
      "\"provider_s\": %.6f, \"provider_cpu_s\": %.6f}\n",
      w.options().zones, steps, threads, gen_s, total, sink.in_sink, engine, engine / years, cells * steps / engine,
      peak_rss_bytes(), w.state_bytes(), w.schedule_bytes(), w.floor_bytes_per_year(),
      static_cast<unsigned long long>(sink.hash), (cpu - sink.cpu_in_sink) / years,
      static_cast<unsigned long long>(sink.components_hash), static_cast<unsigned long long>(sink.indicators_hash),
      static_cast<unsigned long long>(sink.indicators_rest_hash), w.options().step_years, sink.cpu_in_sink,
      sink.process_cpu_in_sink, sink.first_step_s, sink.first_step_cpu_s, later_s, later_cpu_s, provider_s,
      provider_cpu_s);
  return 0;
}

template <class T>
void write_raw(const std::string& path, const std::vector<T>& v) {
  std::ofstream out(path, std::ios::binary);
  if (!out) throw std::runtime_error("cannot write " + path);
  out.write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(T)));
}

// Keeps what the NumPy peer is compared on: end populations, births by state and sex, every per-cell component and
// per-state sum the user path keeps (those the step had: empty ones are not written), and the indicator table.
class ExportSink : public ResultSink {
 public:
  void step(const StepResult& r) override {
    pop.insert(pop.end(), r.end.data().begin(), r.end.data().end());
    births.insert(births.end(), r.components.births.begin(), r.components.births.end());
    const StepComponents& c = r.components;
    const std::pair<const char*, std::span<const double>> arrays[] = {
        {"deaths", c.deaths.data()},
        {"deaths_age_period", c.deaths_age_period.data()},
        {"od_in", c.od_in.data()},
        {"od_out", c.od_out.data()},
        {"transfer_in", c.transfer_in.data()},
        {"transfer_out", c.transfer_out.data()},
        {"net_migrants", c.net_migrants.data()},
        {"floor_adjustment", c.floor_adjustment.data()},
        {"births_by_mother_age", c.births_by_mother_age},
        {"women_exposure", c.women_exposure},
        {"deaths_by_state", c.deaths_by_state},
        {"net_migrants_by_state", c.net_migrants_by_state},
        {"e0", c.e0},
        {"e65", c.e65}};
    for (const auto& [name, v] : arrays)
      if (!v.empty()) components[name].insert(components[name].end(), v.begin(), v.end());
    if (r.indicators) {
      // The full table's values (a one-group table stores "all" once): the hash of the same logical values.
      const std::size_t at = indicators.size();
      indicators.resize(at + r.indicators->full_size());
      r.indicators->copy_units(0, r.indicators->unit_names.size(), indicators.data() + at);
      indicator_names = r.indicators->indicator_names;
      units = r.indicators->unit_names.size();
      slots = r.indicators->group_names.size();
    }
  }
  std::vector<double> pop, births, indicators;
  std::map<std::string, std::vector<double>> components;
  std::vector<std::string> indicator_names;
  std::size_t units = 0, slots = 0;
};

int cmd_export(const std::map<std::string, std::string>& a) {
  if (geti(a, "step-years", 1) != 1) throw std::runtime_error("export: the NumPy peer projects annual steps only");
  const Workload w(options(a));
  const std::string dir = gets(a, "out");
  if (dir.empty()) throw std::runtime_error("export: --out DIR is required");
  const std::string d = dir + "/";
  write_raw(d + "base.f64", std::vector<double>(w.base_population().data().begin(), w.base_population().data().end()));
  write_raw(d + "country.i32", w.country());
  write_raw(d + "mx_factor.f64", w.mx_factor());
  write_raw(d + "asfr_factor.f64", w.asfr_factor());
  write_raw(d + "srb.f64", w.srb());
  write_raw(d + "mx_table.f64", w.mx_table());
  write_raw(d + "asfr_table.f64", w.asfr_table());
  write_raw(d + "od_profile.f64", w.od_profile());
  write_raw(d + "transition_rate.f64", w.transition().rate_per_year);
  std::vector<int> origin, destination, group;
  std::vector<double> rate;
  for (const OdFlow& f : w.od()->flows()) {
    origin.push_back(f.origin);
    destination.push_back(f.destination);
    group.push_back(f.group);
    rate.push_back(f.rate_per_year);
  }
  write_raw(d + "od_origin.i32", origin);
  write_raw(d + "od_destination.i32", destination);
  write_raw(d + "od_group.i32", group);
  write_raw(d + "od_rate.f64", rate);
  const bool results = geti(a, "results", 1) != 0;
  ExportSink sink;
  if (results) {  // configured as the user path (`cohortgis run`, ScenarioSet.run()): components and indicators
    Projection p(w.config(geti(a, "threads", 1), true), w.base_population());
    p.run(w.provider(), sink);
    write_raw(d + "engine_pop.f64", sink.pop);
    write_raw(d + "engine_births.f64", sink.births);
    for (const auto& [name, v] : sink.components) write_raw(d + "engine_" + name + ".f64", v);
    write_raw(d + "engine_indicators.f64", sink.indicators);
  }
  std::string components = "[", indicator_names = "[";
  for (const auto& [name, v] : sink.components) components += (components.size() > 1 ? ", \"" : "\"") + name + "\"";
  for (const std::string& n : sink.indicator_names)
    indicator_names += (indicator_names.size() > 1 ? ", \"" : "\"") + n + "\"";
  std::ofstream(d + "meta.json") << "{\"zones\": " << w.options().zones << ", \"groups\": " << Workload::kGroups
                                  << ", \"ages\": " << w.grid().n_ages << ", \"steps\": " << w.options().steps
                                  << ", \"periods\": " << w.periods() << ", \"period_years\": "
                                  << Workload::kPeriodYears << ", \"countries\": " << Workload::kCountries
                                  << ", \"transition_from\": " << w.transition().from_group
                                  << ", \"transition_to\": " << w.transition().to_group
                                  << ", \"results\": " << (results ? "true" : "false")
                                  << ", \"components\": " << components << "]"
                                  << ", \"indicators\": " << indicator_names << "]"
                                  << ", \"indicator_units\": " << sink.units << ", \"indicator_slots\": " << sink.slots
                                  << "}\n";
  std::printf("{\"exported\": \"%s\"}\n", dir.c_str());
  return 0;
}

int cmd_scenario(const std::map<std::string, std::string>& a) {
  const Workload w(options(a));
  const std::string dir = gets(a, "out");
  if (dir.empty()) throw std::runtime_error("scenario: --out DIR is required");
  const auto t0 = Clock::now();
  const std::string form = a.count("form") ? a.at("form") : "compact";
  if (form != "compact" && form != "full") throw std::runtime_error("scenario: --form must be compact or full");
  const std::string pop = a.count("population-form") ? a.at("population-form") : "csv";
  if (pop != "csv" && pop != "netcdf") throw std::runtime_error("scenario: --population-form must be csv or netcdf");
  cohortgis::bench::write_scenario_folder(
      w, dir, form == "full" ? cohortgis::bench::ScheduleForm::full : cohortgis::bench::ScheduleForm::compact,
      pop == "netcdf" ? cohortgis::bench::PopulationForm::netcdf : cohortgis::bench::PopulationForm::csv);
  std::printf("{\"scenario\": \"%s/scenario.toml\", \"zones\": %d, \"steps\": %d, \"write_s\": %.3f}\n", dir.c_str(),
              w.options().zones, w.options().steps, seconds(t0, Clock::now()));
  return 0;
}

int cmd_stream(const std::map<std::string, std::string>& a) {
  const std::size_t n = uz(geti(a, "mib", 512)) * 1024 * 1024 / sizeof(double);
  const int threads = std::max(1, geti(a, "threads", static_cast<int>(std::thread::hardware_concurrency())));
  std::vector<double> src(n), dst(n);
  auto chunked = [&](auto&& body) {  // first touch and copies by the same thread chunks
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        const std::size_t b = n * uz(t) / uz(threads), e = n * uz(t + 1) / uz(threads);
        body(b, e);
      });
    for (auto& th : pool) th.join();
  };
  chunked([&](std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i) src[i] = static_cast<double>(i), dst[i] = 0.0;
  });
  double best = 1e300;
  for (int rep = 0; rep < 5; ++rep) {
    const auto t0 = Clock::now();
    chunked([&](std::size_t b, std::size_t e) { std::memcpy(dst.data() + b, src.data() + b, (e - b) * sizeof(double)); });
    best = std::min(best, seconds(t0, Clock::now()));
  }
  std::printf("{\"copy_bytes_per_s\": %.4e, \"threads\": %d, \"mib\": %d, \"check\": %g}\n",
              2.0 * static_cast<double>(n) * sizeof(double) / best, threads, geti(a, "mib", 512), dst[n / 2]);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc < 2) throw std::runtime_error("usage: bench_tool run|export|scenario|stream [--key value ...]");
    const std::string cmd = argv[1];
    const auto a = parse(argc, argv);
    if (cmd == "run") return cmd_run(a);
    if (cmd == "export") return cmd_export(a);
    if (cmd == "stream") return cmd_stream(a);
    if (cmd == "scenario") return cmd_scenario(a);
    throw std::runtime_error("unknown command " + cmd);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_tool: %s\n", e.what());
    return 1;
  }
}
