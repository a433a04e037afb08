// SPDX-License-Identifier: Apache-2.0
// The benchmark workload (see workload.hpp).
#include "workload.hpp"

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include "cohortgis/engine/graduation.hpp"
#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/migration_models.hpp"
#include "large_arrays.hpp"  // engine/src
#include "plain_csv.hpp"

namespace cohortgis::bench {

namespace {


// splitmix64: a fixed, portable generator (std:: distributions differ between standard libraries).
struct Rng {
  std::uint64_t s;
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  double normal() {  // Box–Muller
    const double u1 = 1.0 - uniform(), u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
};

// Plain CSV with one header row and no quoting (data/wpp/DATA.md).
struct Csv {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::size_t col(const std::string& name) const {
    for (std::size_t i = 0; i < header.size(); ++i)
      if (header[i] == name) return i;
    throw std::runtime_error("workload: CSV has no column " + name);
  }
};

Csv read_csv(const std::string& path) {
  Csv t;
  if (!read_plain_csv(path, t.header, t.rows))
    throw std::runtime_error("workload: cannot open " + path + " (set the data folder)");
  return t;
}

const char* const kIso3[Workload::kCountries] = {"CHN", "JPN", "NGA", "DEU"};

int sex_of(const std::string& s) { return s == "female" ? 0 : 1; }

}  // namespace

std::string default_data_dir() {
#ifdef COHORTGIS_DATA
  return std::string(COHORTGIS_DATA) + "/wpp";
#else
  return "";
#endif
}

Workload::Workload(const WorkloadOptions& options) : opt_(options) {
  if (opt_.zones < opt_.neighbours + 1) throw std::runtime_error("workload: need more zones than neighbours");
  if (opt_.step_years != 1 && opt_.step_years != 5) throw std::runtime_error("workload: step years must be 1 or 5");
  if (opt_.data_dir.empty()) opt_.data_dir = default_data_dir();
  const AgeGrid g = grid();
  const int A = g.n_ages, Z = opt_.zones, P = periods();
  const int A1 = 101, R = g.life_table_rows();  // single-year ages of the WPP population; mx rows of the grid
  const bool five = opt_.step_years == 5;
  const std::string dir = opt_.data_dir + "/";

  // --- Country schedules from WPP 2022, graduated to single years. -----------------------------------------------
  std::map<std::pair<int, int>, std::vector<double>> mx5;  // (country, period start) → [sex][abridged row]
  std::map<std::tuple<int, int, int>, std::vector<double>> mx5s;
  {
    const Csv t = read_csv(dir + "mortality_mx_abridged_2010_2020.csv");
    const std::size_t ci = t.col("iso3"), cp = t.col("period_start"), cs = t.col("sex"), cm = t.col("mx");
    for (const auto& r : t.rows)
      for (int c = 0; c < kCountries; ++c)
        if (r[ci] == kIso3[c]) mx5s[{c, std::stoi(r[cp]), sex_of(r[cs])}].push_back(std::stod(r[cm]));
  }
  std::map<std::pair<int, int>, std::vector<double>> asfr5;
  {
    const Csv t = read_csv(dir + "fertility_asfr_5y_2010_2020.csv");
    const std::size_t ci = t.col("iso3"), cp = t.col("period_start"), cf = t.col("asfr");
    for (const auto& r : t.rows)
      for (int c = 0; c < kCountries; ++c)
        if (r[ci] == kIso3[c]) asfr5[{c, std::stoi(r[cp])}].push_back(std::stod(r[cf]));
  }
  double country_srb[kCountries] = {};
  {
    const Csv t = read_csv(dir + "srb_annual_2010_2020.csv");
    const std::size_t ci = t.col("iso3"), cy = t.col("year"), cv = t.col("srb_males_per_female");
    for (const auto& r : t.rows)
      for (int c = 0; c < kCountries; ++c)
        if (r[ci] == kIso3[c] && r[cy] == "2020") country_srb[c] = std::stod(r[cv]);
  }
  std::vector<double> pop(uz(kCountries) * 2 * uz(A1), 0.0);  // 2020 population by single age, [country][sex][age]
  {
    const Csv t = read_csv(dir + "population_single_age_2010_2020.csv");
    const std::size_t ci = t.col("iso3"), cy = t.col("year"), cs = t.col("sex"), ca = t.col("age"),
                      cv = t.col("pop_thousands");
    for (const auto& r : t.rows)
      for (int c = 0; c < kCountries; ++c)
        if (r[ci] == kIso3[c] && r[cy] == "2020")
          pop[(uz(c) * 2 + uz(sex_of(r[cs]))) * uz(A1) + uz(std::stoi(r[ca]))] = 1000.0 * std::stod(r[cv]);
    const Csv s = read_csv(dir + "supplementary_wpp2019_population_5y_2010_2020.csv");
    const std::size_t si = s.col("iso3"), sy = s.col("year"), ss = s.col("sex"), sg = s.col("age_group"),
                      sv = s.col("pop_thousands");
    for (const auto& r : s.rows)
      for (int c = 0; c < kCountries; ++c)
        if (r[si] == kIso3[c] && r[sy] == "2020" && r[sg] == "100+")
          pop[(uz(c) * 2 + uz(sex_of(r[ss]))) * uz(A1) + 100] = 1000.0 * std::stod(r[sv]);
  }

  // mx: period 0 = WPP 2010–2015, period 1 = 2015–2020, later periods continue the 2010→2015 improvement
  // (ratio clamped to 0.85…1 per age), so mortality keeps falling slowly as in the UN's projections.
  // Five-year steps: the abridged rows (0, 1–4, 5–9, …, 100+) as published, and ASFR by five-year group.
  mx_table_.assign(uz(kCountries) * uz(P) * 2 * uz(R), 0.0);
  asfr_table_.assign(uz(kCountries) * uz(P) * uz(A), 0.0);
  for (int c = 0; c < kCountries; ++c) {
    for (int s = 0; s < 2; ++s) {
      const std::vector<double>& a10 = mx5s.at({c, 2010, s});
      const std::vector<double>& a15 = mx5s.at({c, 2015, s});
      if (five && (a10.size() != uz(R) || a15.size() != uz(R)))
        throw std::runtime_error("workload: abridged mx rows do not fit the five-year grid");
      const auto m10 = five ? a10 : graduate_abridged_mx_to_single(a10, static_cast<Sex>(s), 100);
      const auto m15 = five ? a15 : graduate_abridged_mx_to_single(a15, static_cast<Sex>(s), 100);
      for (int p = 0; p < P; ++p)
        for (int i = 0; i < R; ++i) {
          const double r = std::clamp(m15[uz(i)] / m10[uz(i)], 0.85, 1.0);
          mx_table_[((uz(c) * uz(P) + uz(p)) * 2 + uz(s)) * uz(R) + uz(i)] =
              p == 0 ? m10[uz(i)] : m15[uz(i)] * std::pow(r, p - 1);
        }
    }
    for (int p = 0; p < P; ++p) {
      const std::vector<double>& a = asfr5.at({c, p == 0 ? 2010 : 2015});  // ages 10–14 … 50–54
      const auto f = five ? a : graduate_asfr_five_to_single(a);           // by group, or ages 10 … 54
      const std::size_t first = five ? 2 : 10;
      for (std::size_t k = 0; k < f.size() && first + k < uz(A); ++k)
        asfr_table_[(uz(c) * uz(P) + uz(p)) * uz(A) + first + k] = f[k];
    }
  }

  // --- Zones on the unit square; the country is the quadrant; per-zone levels vary. -----------------------------
  Rng rng{opt_.seed};
  std::vector<double> x(uz(Z)), y(uz(Z));
  country_.resize(uz(Z));
  mx_factor_.resize(uz(Z) * kGroups);
  asfr_factor_.resize(uz(Z) * kGroups);
  srb_.resize(uz(Z));
  base_ = CohortArray(layout());
  // Zones are numbered along a Z-order (Morton) curve, as hierarchical admin codes number neighbouring counties
  // and townships close together; the engine's blocks of consecutive zones then share their OD neighbours in cache.
  {
    std::vector<std::pair<std::uint64_t, std::pair<double, double>>> pts(uz(Z));
    auto spread = [](std::uint64_t v) {  // interleave the 16 bits of v with zeros
      v &= 0xFFFF;
      v = (v | (v << 8)) & 0x00FF00FF;
      v = (v | (v << 4)) & 0x0F0F0F0F;
      v = (v | (v << 2)) & 0x33333333;
      return (v | (v << 1)) & 0x55555555;
    };
    for (auto& p : pts) {
      const double px = rng.uniform(), py = rng.uniform();
      p = {spread(static_cast<std::uint64_t>(px * 65536.0)) | (spread(static_cast<std::uint64_t>(py * 65536.0)) << 1),
           {px, py}};
    }
    std::stable_sort(pts.begin(), pts.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (int z = 0; z < Z; ++z) {
      x[uz(z)] = pts[uz(z)].second.first;
      y[uz(z)] = pts[uz(z)].second.second;
    }
  }
  for (int z = 0; z < Z; ++z) {
    const int c = (x[uz(z)] < 0.5 ? 0 : 1) + (y[uz(z)] < 0.5 ? 0 : 2);
    country_[uz(z)] = c;
    const double mx_level = std::exp(0.15 * rng.normal()), tfr_level = std::exp(0.12 * rng.normal());
    mx_factor_[uz(z) * 2 + 0] = mx_level;
    mx_factor_[uz(z) * 2 + 1] = 0.9 * mx_level;  // floating population: younger and healthier
    asfr_factor_[uz(z) * 2 + 0] = tfr_level;
    asfr_factor_[uz(z) * 2 + 1] = 0.8 * tfr_level;
    srb_[uz(z)] = country_srb[c] * (1.0 + 0.01 * rng.normal());
    // Zone size: log-normal around 40,000 persons; a fifth floating, concentrated at working ages 18–44.
    const double persons = 40000.0 * std::exp(0.8 * rng.normal());
    double total = 0.0;
    for (int s = 0; s < 2; ++s)
      for (int i = 0; i < A1; ++i) total += pop[(uz(c) * 2 + uz(s)) * uz(A1) + uz(i)];
    // By single age (the same draws at either step width), added up by the grid's age group (age 100 is 100+ on
    // both grids; on the single-year grid each cell gets one term: 0 + x = x).
    for (int s = 0; s < 2; ++s)
      for (int i = 0; i < A1; ++i) {
        const int k = five ? i / 5 : i;  // the grid's age index (a division by a constant: no idiv per cell)
        const double share = pop[(uz(c) * 2 + uz(s)) * uz(A1) + uz(i)] / total;
        const double working = (i >= 18 && i < 45) ? 1.0 : 0.1;
        base_.at(z, 0, s, k) += persons * share * (1.0 - 0.2 * working);
        base_.at(z, 1, s, k) += persons * share * 0.2 * working * (0.9 + 0.2 * rng.uniform());
      }
  }

  // --- OD graph: k nearest neighbours through a uniform bucket grid. ---------------------------------------------
  const int cells = std::max(1, static_cast<int>(std::sqrt(Z / 2.0)));
  std::vector<std::vector<int>> bucket(uz(cells) * uz(cells));
  auto cell_of = [&](double v) { return std::min(cells - 1, static_cast<int>(v * cells)); };
  for (int z = 0; z < Z; ++z) bucket[uz(cell_of(y[uz(z)])) * uz(cells) + uz(cell_of(x[uz(z)]))].push_back(z);
  std::vector<OdFlow> flows;
  flows.reserve(uz(Z) * uz(opt_.neighbours) * kGroups);
  std::vector<std::pair<double, int>> cand;
  for (int z = 0; z < Z; ++z) {
    const int cx = cell_of(x[uz(z)]), cy = cell_of(y[uz(z)]);
    for (int ring = 1;; ++ring) {  // widen until the k-th distance is inside the searched square
      cand.clear();
      for (int by = std::max(0, cy - ring); by <= std::min(cells - 1, cy + ring); ++by)
        for (int bx = std::max(0, cx - ring); bx <= std::min(cells - 1, cx + ring); ++bx)
          for (int o : bucket[uz(by) * uz(cells) + uz(bx)])
            if (o != z) {
              const double dx = x[uz(o)] - x[uz(z)], dy = y[uz(o)] - y[uz(z)];
              cand.push_back({dx * dx + dy * dy, o});
            }
      if (static_cast<int>(cand.size()) >= opt_.neighbours) {
        std::partial_sort(cand.begin(), cand.begin() + opt_.neighbours, cand.end());
        const double reach = static_cast<double>(ring) / cells;
        if (cand[uz(opt_.neighbours - 1)].first <= reach * reach || ring >= cells) break;
      }
    }
    // Out-migration per person per year: registered 0.5–2%, floating 3–8%, split ∝ 1/distance. Five-year steps:
    // a third of that (the engine's flows are z · rate · profile · P; five times the annual rate at the profile's
    // peak would take more than a floating group's young adults have: flows scaled in most zones every step).
    const double scale = five ? 1.0 / 3.0 : 1.0;
    const double out0 = (0.005 + 0.015 * rng.uniform()) * scale, out1 = (0.03 + 0.05 * rng.uniform()) * scale;
    double wsum = 0.0;
    for (int k = 0; k < opt_.neighbours; ++k) wsum += 1.0 / (std::sqrt(cand[uz(k)].first) + 1e-3);
    for (int gr = 0; gr < kGroups; ++gr)
      for (int k = 0; k < opt_.neighbours; ++k) {
        const double w = 1.0 / (std::sqrt(cand[uz(k)].first) + 1e-3) / wsum;
        flows.push_back({z, cand[uz(k)].second, gr, (gr == 0 ? out0 : out1) * w});
      }
  }
  // Age–sex profile: Rogers–Castro shares scaled to mean 1 over ages 0–100 (women slightly younger).
  profile_.assign(uz(kGroups) * 2 * uz(A), 0.0);
  for (int gr = 0; gr < kGroups; ++gr)
    for (int s = 0; s < 2; ++s) {
      RogersCastro rc;
      rc.mu2 = s == 0 ? 19.0 : 21.0;
      const auto shares = rogers_castro_age_shares(g, rc);
      for (int i = 0; i < A; ++i) profile_[(uz(gr) * 2 + uz(s)) * uz(A) + uz(i)] = shares[uz(i)] * A;
    }
  od_ = std::make_shared<const OdMigration>(std::move(flows), profile_, Z, kGroups, A);

  // Floating → registered (getting hukou): 2% a year, 4% at ages 22–40 (five-year groups: the mean of their ages').
  transition_.from_group = 1;
  transition_.to_group = 0;
  transition_.rate_per_year.assign(2 * uz(A), 0.0);
  auto rate_at = [](int age) { return (age >= 22 && age <= 40) ? 0.04 : 0.02; };
  for (int s = 0; s < 2; ++s)
    for (int i = 0; i < A; ++i) {
      double r = rate_at(g.age_start(i));
      if (five && i < g.open_index()) {
        r = 0.0;
        for (int k = 0; k < 5; ++k) r += rate_at(5 * i + k);
        r /= 5.0;
      }
      transition_.rate_per_year[uz(s) * uz(A) + uz(i)] = r;
    }
}

ProjectionConfig Workload::config(int threads, bool indicators) const {
  ProjectionConfig cfg;
  cfg.grid = grid();
  cfg.base_year = 2020;
  cfg.steps = opt_.steps;
  cfg.threads = threads;
  cfg.indicators = indicators;
  cfg.group_names = {"registered", "floating"};
  cfg.zone_ids.reserve(uz(opt_.zones));
  for (int z = 0; z < opt_.zones; ++z) cfg.zone_ids.push_back("Z" + std::to_string(z));
  return cfg;
}

void Workload::fill_period(int p, StepSchedules& s, ThreadArena* arena) const {
  const int A = grid().n_ages, R = grid().life_table_rows(), Z = opt_.zones, P = periods();
  s.mortality_kind = MortalityInput::death_rates;
  const std::size_t mx_values = uz(Z) * kGroups * 2 * uz(R), asfr_values = uz(Z) * kGroups * uz(A);
  if (arena && (s.mortality.size() != mx_values || s.asfr.size() != asfr_values))
    arena->execute([&] {  // the first period's 41 MB at 40,000 zones (five-year): pages faulted in by the threads
      const detail::ParallelFirstTouch first_touch;
      detail::assign_large(s.mortality, mx_values);
      detail::assign_large(s.asfr, asfr_values);
    });
  s.mortality.resize(mx_values);
  s.asfr.resize(asfr_values);
  // Each value is one product of its zone's own factor and its country's table: zones [z0, z1) in any order, on any
  // thread, give the same bits.
  auto fill = [&](int z0, int z1) {
    for (int z = z0; z < z1; ++z) {
      const std::size_t c = uz(country_[uz(z)]);
      for (int gr = 0; gr < kGroups; ++gr) {
        const std::size_t st = uz(z) * kGroups + uz(gr);
        const double fm = mx_factor_[st], ff = asfr_factor_[st];
        for (int sx = 0; sx < 2; ++sx) {
          const double* tab = mx_table_.data() + ((c * uz(P) + uz(p)) * 2 + uz(sx)) * uz(R);
          double* out = s.mortality.data() + (st * 2 + uz(sx)) * uz(R);
          for (int i = 0; i < R; ++i) out[i] = fm * tab[i];
        }
        const double* ftab = asfr_table_.data() + (c * uz(P) + uz(p)) * uz(A);
        double* fout = s.asfr.data() + st * uz(A);
        for (int i = 0; i < A; ++i) fout[i] = ff * ftab[i];
      }
    }
  };
  if (arena)  // a five-year period at 40,000 zones: 5.2 M values, 41 MB, ≈ 28 M instructions and 2 ms on one thread
    arena->execute([&] {
      tbb::parallel_for(tbb::blocked_range<int>(0, Z, 256),
                        [&](const tbb::blocked_range<int>& r) { fill(r.begin(), r.end()); });
    });
  else
    fill(0, Z);
  // The same in every period: set once (the engine keeps the previous step's schedules; no reallocation per period).
  if (s.srb.size() != srb_.size()) s.srb = srb_;
  if (s.od != od_) s.od = od_;
  if (s.transitions.empty()) s.transitions = {transition_};
}

ScheduleProvider Workload::provider(int threads) const {
  auto last = std::make_shared<int>(-1);
  std::shared_ptr<ThreadArena> arena;  // shared: a ScheduleProvider (std::function) is copyable
  if (threads != 1) arena = std::make_shared<ThreadArena>(threads);
  return [this, last, arena](const StepContext& ctx, StepSchedules& s) {
    const int p = period_of_step(ctx.step);
    if (p != *last) {
      fill_period(p, s, arena.get());
      *last = p;
    } else {
      s.mortality_unchanged = true;  // same period: the engine may reuse its life tables
    }
  };
}

double Workload::schedule_bytes() const {
  const double cells = static_cast<double>(layout().cells());
  const double states = static_cast<double>(layout().states());
  const double edges = static_cast<double>(od_->flows().size());
  // mx [state][sex][age] + ASFR [state][age] + SRB [zone] + OD edges (origin, destination, group, rate).
  return cells * 8.0 + states * grid().n_ages * 8.0 + opt_.zones * 8.0 + edges * sizeof(OdFlow);
}

double Workload::floor_bytes_per_year() const { return (2.0 * state_bytes() + schedule_bytes()) / opt_.step_years; }

}  // namespace cohortgis::bench
