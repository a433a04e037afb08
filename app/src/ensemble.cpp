// SPDX-License-Identifier: Apache-2.0
// Ensembles of trajectories (ensemble.hpp): each trajectory is the scenario's projection with its schedules perturbed
// by scenarios::perturb_schedules, run single-threaded; trajectories run in parallel over oneTBB and are split across
// MPI ranks in contiguous blocks. A trajectory's numbers depend only on (seed, trajectory), so every reduction below
// sees the same values in the same (trajectory) order whatever the thread and rank counts.
#include "cohortgis/app/ensemble.hpp"

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "cohortgis/app/not_finite.hpp"
#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/projection.hpp"
#include "cohortgis/engine/thread_arena.hpp"
#include "cohortgis/scenarios/scenario_file.hpp"
#include "cohortgis/scenarios/stochastic.hpp"
#include "csv_stream.hpp"
#include "text_output.hpp"

namespace cohortgis::app {

namespace {

bool applies_to(const scenarios::Target& t, const std::string& variant) {
  return t.variants.empty() || std::find(t.variants.begin(), t.variants.end(), variant) != t.variants.end();
}

// Keeps one trajectory's summary cells; passes the start population on to population-dependent schedules.
class SummarySink : public ResultSink {
 public:
  SummarySink(const scenarios::ScenarioSet& set, const scenarios::Scenario& sc, const EnsembleResult& layout,
              double* cells)
      : set_(set), sc_(sc), layout_(layout), cells_(cells) {}
  const CohortArray* current = nullptr;
  void base(const CohortArray& population, int /*year*/) override { current = &population; }
  void step(const StepResult& r) override {
    current = &r.end;
    const IndicatorTable& tab = *r.indicators;
    const std::size_t all = tab.group_names.size() - 1, y = uz(r.context.step);
    // A trajectory whose population overflowed stops as a deterministic run does (ResultsWriter::check_sums: the
    // same sums, the same words, the `net_rate` row to check first): its summary cells were inf and NaN, and the
    // quantiles of them NaN, without a word (Python's run(trajectories=…) runs no deterministic projection first).
    for (std::size_t u = 0; u < tab.unit_names.size(); ++u)
      for (const Indicator id : {Indicator::population, Indicator::births, Indicator::deaths, Indicator::net_migration})
        if (!std::isfinite(tab.get(u, all, id)))
          throw_not_finite(sc_, r.end, tab.unit_names[u], u < sc_.zones.size() ? static_cast<int>(u) : -1,
                           r.context.end_year);
    for (std::size_t u = 0; u < layout_.units.size(); ++u)
      for (std::size_t k = 0; k < layout_.indicators.size(); ++k)
        cells_[layout_.cell(y, u, k)] = tab.get(u, all, layout_.indicators[k]);
    for (std::size_t i = 0; i < layout_.targets.size(); ++i) {
      const scenarios::Target& t = set_.targets[layout_.targets[i]];
      if (t.year != r.context.end_year) continue;
      // As targets.csv: the indicator of indicators.csv for the unit and group (all groups unless named).
      std::size_t g = all, k = 0;
      for (std::size_t j = 0; j < tab.group_names.size(); ++j)
        if (tab.group_names[j] == t.group) g = j;
      while (k < tab.n_indicators() && tab.indicator_names[k] != t.indicator) ++k;
      if (k < tab.n_indicators()) cells_[layout_.target_cell(i)] = tab.get(tab.unit_index(t.unit), g, k);
    }
  }

 private:
  const scenarios::ScenarioSet& set_;
  const scenarios::Scenario& sc_;
  const EnsembleResult& layout_;
  double* cells_;
};

// "[stochastic] trajectory 3 of baseline (seed 7): ", the words before an error of one trajectory's projection.
std::string trajectory_where(const scenarios::Scenario& sc, const EnsembleOptions& o, long long trajectory) {
  return "[stochastic] trajectory " + std::to_string(trajectory) + " of " + sc.variant + " (seed " +
         std::to_string(o.seed) + "): ";
}

void run_trajectory(const scenarios::ScenarioSet& set, const scenarios::Scenario& sc, const EnsembleResult& layout,
                    const EnsembleOptions& o, long long trajectory, double* cells) {
  ProjectionConfig pc = sc.projection_config();
  pc.threads = 1;  // the trajectories are the parallel work
  pc.cancel = o.cancel;
  // Kept although only indicators are used: without them the engine sums deaths per state in another order, and a
  // zero-variance trajectory would differ from the deterministic run in the last bits.
  pc.cell_components = true;
  pc.indicators = true;
  SummarySink sink(set, sc, layout, cells);
  const scenarios::TrajectoryDraws draws{&set.stochastic, o.seed, static_cast<std::uint64_t>(trajectory)};
  const int zones = static_cast<int>(sc.zones.size()), groups = static_cast<int>(sc.group_names.size());
  const ScheduleProvider provider = [&](const StepContext& ctx, StepSchedules& out) {
    // As Scenario::schedule_provider, with the deviations applied to the fixed schedules before the
    // population-dependent ones (relocations stay balanced between their two zones).
    out = sc.schedules.size() == 1 ? sc.schedules.front() : sc.schedules.at(uz(ctx.step));
    scenarios::perturb_schedules(draws, ctx, sc.grid, zones, groups, out);
    // Fixed OD rates are built by the adjuster; they take the origin's multiplier there (gravity's do not).
    if (sc.adjust_schedules_scaled && draws.spec->migration_sd > 0.0)
      sc.adjust_schedules_scaled(ctx, *sink.current, out, draws.migration_multipliers(ctx.step, zones));
    else if (sc.adjust_schedules)
      sc.adjust_schedules(ctx, *sink.current, out);
  };
  Projection projection(pc, sc.base_population);
  try {
    projection.run(provider, sink);
  } catch (const InputError& e) {
    // The deterministic runs passed: only this trajectory's deviations (a Lee–Carter walk raising the death rates
    // past what a life table closes, say) broke it, so the message says which one, as --seed reproduces it.
    throw InputError(trajectory_where(sc, o, trajectory) + e.what());
  } catch (const ProjectionError& e) {
    if (o.cancel && o.cancel->load()) throw;  // "projection cancelled": no trajectory to name
    throw ProjectionError(trajectory_where(sc, o, trajectory) + e.what());
  }
  if (o.done) o.done->fetch_add(1, std::memory_order_relaxed);
}

// Scratch-file mode (ensemble.hpp): blocks of trajectories that fit in memory_bytes, appended in trajectory order.
void run_to_scratch(const scenarios::ScenarioSet& set, const scenarios::Scenario& sc, const EnsembleOptions& o,
                    EnsembleResult& r) {
  const long long block = std::max<long long>(1, static_cast<long long>(r.memory_bytes / (r.cells * sizeof(double))));
  std::ofstream out(o.scratch_file, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot create the ensemble's scratch file " + o.scratch_file);
  r.scratch = o.scratch_file;
  std::vector<double> buf;
  ThreadArena arena(o.threads);
  for (long long first = 0; first < o.trajectories; first += block) {
    const long long last = std::min(o.trajectories, first + block);
    buf.assign(uz(last - first) * r.cells, std::nan(""));
    arena.execute([&] {
      tbb::parallel_for(tbb::blocked_range<long long>(first, last, 1), [&](const tbb::blocked_range<long long>& b) {
        for (long long t = b.begin(); t != b.end(); ++t)
          run_trajectory(set, sc, r, o, t, buf.data() + uz(t - first) * r.cells);
      });
    });
    out.write(reinterpret_cast<const char*>(buf.data()), static_cast<std::streamsize>(buf.size() * sizeof(double)));
    if (!out) throw std::runtime_error("cannot write the ensemble's scratch file " + o.scratch_file);
  }
  out.close();
  if (!out) throw std::runtime_error("cannot write the ensemble's scratch file " + o.scratch_file);
}

}  // namespace

std::size_t EnsembleResult::block_cells() const {
  const std::size_t n = uz(std::max<long long>(trajectories, 1));
  return std::clamp<std::size_t>(memory_bytes / (n * sizeof(double)), 1, std::max<std::size_t>(cells, 1));
}

void EnsembleResult::columns(std::size_t first, std::size_t last, std::vector<double>& out) const {
  const std::size_t n = uz(trajectories), width = last - first;
  out.resize(width * n);
  if (scratch.empty()) {
    for (std::size_t t = 0; t < n; ++t)
      for (std::size_t c = 0; c < width; ++c) out[c * n + t] = values[t * cells + first + c];
    return;
  }
  std::ifstream in(scratch, std::ios::binary);
  std::vector<double> row(width);
  for (std::size_t t = 0; t < n; ++t) {
    in.seekg(static_cast<std::streamoff>((t * cells + first) * sizeof(double)));
    in.read(reinterpret_cast<char*>(row.data()), static_cast<std::streamsize>(width * sizeof(double)));
    if (!in) throw std::runtime_error("cannot read the ensemble's scratch file " + scratch);
    for (std::size_t c = 0; c < width; ++c) out[c * n + t] = row[c];
  }
}

std::pair<long long, long long> trajectory_block(long long n, int ranks, int rank) {
  const long long base = n / ranks, extra = n % ranks;
  const long long first = rank * base + std::min<long long>(rank, extra);
  return {first, first + base + (rank < extra ? 1 : 0)};
}

double type7_quantile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return std::nan("");
  for (double v : sorted)
    if (std::isnan(v)) return std::nan("");
  const double h = static_cast<double>(sorted.size() - 1) * p;
  const std::size_t lo = static_cast<std::size_t>(std::floor(h));
  if (lo + 1 >= sorted.size()) return sorted.back();
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[lo + 1] - sorted[lo]);
}

std::string no_deviations_warning(const scenarios::ScenarioSet& set) {
  const scenarios::StochasticSpec& s = set.stochastic;
  if (s.tfr_sd > 0 || s.k_sd > 0 || s.migration_sd > 0 || s.tfr_trajectories || s.e0_trajectories) return {};
  return (s.where.empty() ? std::string("the scenario has no [stochastic] section")
                          : s.where +
                                ": [stochastic] declares no deviation (tfr, lee_carter, migration, "
                                "tfr_trajectories or e0_trajectories)") +
         ", so every trajectory equals the deterministic projection and the quantiles have no spread; declare the "
         "deviations in [stochastic] (scenarios/README.md \"Probabilistic projections\")";
}

void check_ensemble_run(const scenarios::ScenarioSet& set, const scenarios::Scenario& sc) {
  if (!sc.parity) return;
  const std::string& where = set.stochastic.where;
  throw InputError((where.empty() ? std::string("--trajectories") : where + ": [stochastic]") +
                   ": a probabilistic projection is not available with parity fertility ([fertility] parity_rates or "
                   "parity_progression" +
                   (sc.variant == "baseline" ? std::string() : ", variant \"" + sc.variant + "\"") +
                   "): the trajectories would project no births; give fertility as a schedule or run without "
                   "trajectories");
}

void check_ensemble_settings(const scenarios::ScenarioSet& set, long long trajectories) {
  scenarios::check_ensemble_size(set.stochastic, trajectories);
  if (trajectories > 0)
    for (const scenarios::Scenario& r : set.runs) check_ensemble_run(set, r);
}

EnsembleResult run_ensemble(const scenarios::ScenarioSet& set, const scenarios::Scenario& sc,
                            const std::vector<ZoneAggregate>& aggregates, const EnsembleOptions& o) {
  if (o.trajectories < 1)
    throw InputError("--trajectories: " + std::to_string(o.trajectories) + "; expected a number of trajectories >= 1");
  scenarios::check_ensemble_size(set.stochastic, o.trajectories);
  check_ensemble_run(set, sc);
  EnsembleResult r;
  r.variant = sc.variant;
  r.trajectories = o.trajectories;
  for (int k = 1; k <= sc.steps; ++k) r.years.push_back(sc.base_year + k * sc.grid.width_years);
  for (const auto& z : sc.zones) r.units.push_back(z.id);
  for (const auto& a : aggregates) r.units.push_back(a.name);
  for (std::size_t t = 0; t < set.targets.size(); ++t)
    if (applies_to(set.targets[t], sc.variant)) r.targets.push_back(t);
  r.indicators = o.indicators;
  for (std::size_t z = 0; z < sc.zones.size(); ++z)
    r.base_population.push_back(sc.base_population.sum_zone(static_cast<int>(z)));
  for (const auto& a : aggregates) {
    double sum = 0.0;
    for (int z : a.zones) sum += r.base_population[uz(z)];
    r.base_population.push_back(sum);
  }
  r.cells = r.years.size() * r.units.size() * r.indicators.size() + r.targets.size();

  const int ranks = o.comm ? o.comm->size() : 1, rank = o.comm ? o.comm->rank() : 0;
  // Rank 0 holds every trajectory's summary cells; refuse (before any work) what would not fit in kMaxEnsembleBytes.
  const double bytes = static_cast<double>(o.trajectories) * static_cast<double>(r.cells) * sizeof(double);
  r.memory_bytes = std::max<std::size_t>(o.memory_bytes, 1);
  if (ranks == 1 && !o.scratch_file.empty() && bytes > static_cast<double>(r.memory_bytes)) {
    run_to_scratch(set, sc, o, r);
    return r;
  }
  if (bytes > static_cast<double>(kMaxEnsembleBytes))
    throw InputError("--trajectories " + std::to_string(o.trajectories) + ": " + std::to_string(r.cells) +
                     " summary cells per trajectory would need " + shortest_number(std::round(bytes / (1 << 20))) +
                     " MiB of memory; at most " + std::to_string(kMaxEnsembleBytes >> 20) +
                     " MiB are kept (use fewer trajectories)");
  // Named, not a structured binding: the lambdas below capture them (clang 14 cannot capture a binding).
  const std::pair<long long, long long> block = trajectory_block(o.trajectories, ranks, rank);
  const long long first = block.first, last = block.second;
  std::vector<double> mine(uz(last - first) * r.cells, std::nan(""));
  ThreadArena(o.threads).execute([&] {
    tbb::parallel_for(tbb::blocked_range<long long>(first, last, 1), [&](const tbb::blocked_range<long long>& b) {
      for (long long t = b.begin(); t != b.end(); ++t)
        run_trajectory(set, sc, r, o, t, mine.data() + uz(t - first) * r.cells);
    });
  });
  if (!o.comm || ranks == 1) {
    r.values = std::move(mine);
    return r;
  }
  std::vector<long long> counts;
  for (int k = 0; k < ranks; ++k) {
    const auto [a, b] = trajectory_block(o.trajectories, ranks, k);
    counts.push_back((b - a) * static_cast<long long>(r.cells));
  }
  r.values = o.comm->gather(mine, counts);
  return r;
}

void write_ensemble_outputs(const std::string& dir, const scenarios::ScenarioSet& set,
                            const std::vector<EnsembleResult>& ensembles) {
  static constexpr double kProbabilities[] = {0.025, 0.10, 0.50, 0.90, 0.975};
  TextFile q(dir + "/quantiles.csv");
  q.write("variant,year,zone,group,indicator,q025,q10,q50,q90,q975,mean\n");
  // probabilities.csv: the share of trajectories whose population in a year is above the base year's (the map of a
  // probability in the report, ensemble_report.cpp).
  TextFile pr(dir + "/probabilities.csv");
  pr.write("variant,year,zone,indicator,event,threshold,probability\n");
  std::string buf;
  std::vector<double> column;
  std::vector<double> block;
  for (const EnsembleResult& e : ensembles) {
    const std::size_t units = e.units.size(), n_ind = e.indicators.size();
    const std::size_t n = uz(e.trajectories), summary = e.years.size() * units * n_ind;
    // Cells in their order (year, unit, indicator), a block of columns at a time (ensemble.hpp, scratch-file mode).
    for (std::size_t c0 = 0; c0 < summary; c0 += e.block_cells()) {
      const std::size_t c1 = std::min(summary, c0 + e.block_cells());
      e.columns(c0, c1, block);
      for (std::size_t cell = c0; cell < c1; ++cell) {
        const std::size_t y = cell / (units * n_ind), u = cell / n_ind % units, k = cell % n_ind;
        column.assign(block.begin() + static_cast<std::ptrdiff_t>((cell - c0) * n),
                      block.begin() + static_cast<std::ptrdiff_t>((cell - c0 + 1) * n));
        double sum = 0.0;  // in trajectory order: the same bits at any thread or rank count
        for (double v : column) sum += v;
        std::sort(column.begin(), column.end());
        buf.clear();
        append_csv_field(buf, e.variant);
        buf += ',' + std::to_string(e.years[y]) + ',';
        append_csv_field(buf, e.units[u]);
        buf += ",all,";
        buf += indicator_name(e.indicators[k]);
        for (double p : kProbabilities) {
          buf += ',';
          append_number_cell(buf, type7_quantile(column, p));
        }
        buf += ',';
        append_number_cell(buf, sum / static_cast<double>(e.trajectories));
        buf += '\n';
        q.write(buf);
        if (e.indicators[k] == Indicator::population && u < e.base_population.size()) {
          const double base = e.base_population[u];
          long long above = 0;
          for (double v : column) above += v > base ? 1 : 0;
          buf.clear();
          append_csv_field(buf, e.variant);
          buf += ',' + std::to_string(e.years[y]) + ',';
          append_csv_field(buf, e.units[u]);
          buf += ",population,above_base_year,";
          append_number_cell(buf, base);
          buf += ',';
          append_number_cell(buf, static_cast<double>(above) / static_cast<double>(e.trajectories));
          buf += '\n';
          pr.write(buf);
        }
      }
    }
  }
  pr.close();
  q.close();

  // targets.csv gains probability_met: the share of trajectories in which the target's margin is >= 0.
  // The rows are read by the results folder's CSV reader and written again as the writer wrote them (append_csv_row).
  const std::string path = dir + "/targets.csv";
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return;  // a run without targets.csv
  CsvData csv;
  std::string out;
  const auto add_row = [&out](std::vector<std::string> cells, std::string last) {
    cells.push_back(std::move(last));
    append_csv_row(out, cells);
  };
  detail::for_each_csv_row(path, csv, {}, [&](const CsvData&, const std::vector<std::string>& f, std::size_t) {
    if (out.empty()) add_row(csv.header, "probability_met");
    double probability = std::nan("");
    for (const EnsembleResult& e : ensembles) {
      if (f.size() < 2 || f[0] != e.variant) continue;
      for (std::size_t j = 0; j < e.targets.size(); ++j) {
        const scenarios::Target& t = set.targets[e.targets[j]];
        if (t.name != f[1] || t.year == 0) continue;
        long long met = 0;
        e.columns(e.target_cell(j), e.target_cell(j) + 1, block);
        for (const double v : block) {
          double margin = std::nan("");
          if (t.max) margin = *t.max - v;
          if (t.min) margin = std::isnan(margin) ? v - *t.min : std::min(margin, v - *t.min);
          if (margin >= 0.0) ++met;
        }
        probability = static_cast<double>(met) / static_cast<double>(e.trajectories);
      }
    }
    add_row(f, number_cell(probability));
  });
  if (out.empty()) add_row(csv.header, "probability_met");  // no targets: the header alone
  TextFile t(path);
  t.write(out);
  t.close();
}

}  // namespace cohortgis::app
