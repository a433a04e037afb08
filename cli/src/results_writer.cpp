// SPDX-License-Identifier: Apache-2.0
#include "results_writer.hpp"

#include <cmath>

namespace cohortgis::app {

namespace {

std::size_t uz(int v) { return static_cast<std::size_t>(v); }

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

std::string period_label(int start_year, int end_year) {
  return start_year + 1 == end_year ? std::to_string(end_year)
                                    : std::to_string(start_year + 1) + "-" + std::to_string(end_year);
}

// Indicators that describe the population at one moment (meaningful for the base year too).
bool is_stock(std::size_t k) {
  if (k >= static_cast<std::size_t>(kStandardIndicators)) return true;  // extra age bands
  switch (static_cast<Indicator>(k)) {
    case Indicator::population: case Indicator::population_female: case Indicator::population_male:
    case Indicator::share_0_14: case Indicator::share_15_64: case Indicator::share_65_plus:
    case Indicator::share_60_plus: case Indicator::old_age_dependency_ratio: case Indicator::total_dependency_ratio:
    case Indicator::median_age: case Indicator::women_15_49: case Indicator::age_0_2: case Indicator::age_3_5:
    case Indicator::age_6_11: case Indicator::age_12_14: case Indicator::age_15_59: case Indicator::age_15_64:
    case Indicator::age_60_plus: case Indicator::age_65_plus:
      return true;
    default:
      return false;
  }
}

double at(const CohortArray& a, std::size_t cell) { return a.empty() ? 0.0 : a.data()[cell]; }

}  // namespace

std::vector<std::string> ResultsWriter::file_names() {
  return {"population.csv", "components.csv", "indicators.csv", "plan_periods.csv", "zones.csv"};
}

ResultsWriter::ResultsWriter(const std::filesystem::path& dir, const scenarios::Scenario& scenario,
                             std::vector<ZoneAggregate> aggregates)
    : sc_(scenario),
      aggregates_(std::move(aggregates)),
      population_((dir / "population.csv").string()),
      components_((dir / "components.csv").string()),
      indicators_((dir / "indicators.csv").string()),
      plan_periods_((dir / "plan_periods.csv").string()),
      dir_(dir),
      periods_(scenario.plan_periods.size()),
      mark_(std::chrono::steady_clock::now()) {
  for (const auto& z : sc_.zones) unit_names_.push_back(z.id);
  for (const auto& a : aggregates_) {
    if (a.name == "total") total_unit_ = unit_names_.size();
    unit_names_.push_back(a.name);
  }
  population_.write("variant,year,zone,group,sex,age,population\n");
  components_.write("variant,period,zone,group,sex,age,component,persons\n");
  indicators_.write("variant,year,zone,group,indicator,value\n");
  plan_periods_.write(
      "variant,period,plan,zone,population_start,births,deaths,net_migration,adjustments,population_end\n");
}

void ResultsWriter::write_population(const CohortArray& pop, int year) {
  const CohortLayout& L = pop.layout();
  buf_.clear();
  const std::string prefix = sc_.variant + "," + std::to_string(year) + ",";
  for (int z = 0; z < L.zones; ++z)
    for (int g = 0; g < L.groups; ++g)
      for (int s = 0; s < 2; ++s)
        for (int i = 0; i < L.grid.n_ages; ++i) {
          buf_ += prefix;
          append_csv_field(buf_, sc_.zones[uz(z)].id);
          buf_ += ',';
          append_csv_field(buf_, sc_.group_names[uz(g)]);
          buf_ += ',';
          buf_ += sex_name(static_cast<Sex>(s));
          buf_ += ',';
          buf_ += std::to_string(L.grid.age_start(i));
          buf_ += ',';
          append_number(buf_, pop.at(z, g, s, i));
          buf_ += '\n';
        }
  population_.write(buf_);
}

void ResultsWriter::write_indicators(const IndicatorTable& t, int year, bool stocks_only) {
  buf_.clear();
  const std::string prefix = sc_.variant + "," + std::to_string(year) + ",";
  for (std::size_t u = 0; u < t.unit_names.size(); ++u)
    for (std::size_t g = 0; g < t.group_names.size(); ++g)
      for (std::size_t k = 0; k < t.n_indicators(); ++k) {
        if (stocks_only && !is_stock(k)) continue;
        buf_ += prefix;
        append_csv_field(buf_, t.unit_names[u]);
        buf_ += ',';
        append_csv_field(buf_, t.group_names[g]);
        buf_ += ',';
        append_csv_field(buf_, t.indicator_names[k]);
        buf_ += ',';
        append_number(buf_, t.get(u, g, k));  // empty when not defined (NaN)
        buf_ += '\n';
      }
  indicators_.write(buf_);
}

// Per unit (zones, then aggregates): population of `pop` and, with components, the step's flows (all groups).
std::vector<ResultsWriter::UnitSums> ResultsWriter::unit_sums(const CohortArray& pop,
                                                             const StepComponents* c) const {
  const CohortLayout& L = pop.layout();
  std::vector<UnitSums> u(unit_names_.size());
  for (int z = 0; z < L.zones; ++z) {
    UnitSums& s = u[uz(z)];
    for (int g = 0; g < L.groups; ++g)
      for (int x = 0; x < 2; ++x) {
        for (int i = 0; i < L.grid.n_ages; ++i) {
          const std::size_t cell = L.index(z, g, x, i);
          s.population += pop.data()[cell];
          if (!c) continue;
          s.deaths += at(c->deaths, cell);
          s.net_migration += at(c->net_migrants, cell) - at(c->transfer_in, cell) + at(c->transfer_out, cell);
          s.adjustments += at(c->floor_adjustment, cell);
        }
        if (c) s.births += c->births[(uz(z) * uz(L.groups) + uz(g)) * kSexes + uz(x)];
      }
  }
  for (std::size_t a = 0; a < aggregates_.size(); ++a) {
    UnitSums& s = u[uz(L.zones) + a];
    for (int z : aggregates_[a].zones) {
      s.population += u[uz(z)].population;
      s.births += u[uz(z)].births;
      s.deaths += u[uz(z)].deaths;
      s.net_migration += u[uz(z)].net_migration;
      s.adjustments += u[uz(z)].adjustments;
    }
  }
  return u;
}

void ResultsWriter::track_periods(const std::vector<UnitSums>& now, int start_year, int end_year) {
  for (std::size_t p = 0; p < periods_.size(); ++p) {
    const scenarios::PlanPeriod& pp = sc_.plan_periods[p];
    PeriodState& st = periods_[p];
    if (st.started && start_year >= pp.first_year - 1 && end_year <= pp.last_year)
      for (std::size_t u = 0; u < now.size(); ++u) {
        st.units[u].births += now[u].births;
        st.units[u].deaths += now[u].deaths;
        st.units[u].net_migration += now[u].net_migration;
        st.units[u].adjustments += now[u].adjustments;
      }
    if (end_year == pp.first_year - 1) {  // the period starts with this population
      st.started = true;
      st.units.assign(now.size(), UnitSums{});
      for (std::size_t u = 0; u < now.size(); ++u) st.units[u].population = now[u].population;
    }
    if (st.started && end_year == pp.last_year) {
      buf_.clear();
      for (std::size_t u = 0; u < now.size(); ++u) {
        const UnitSums& s = st.units[u];
        buf_ += sc_.variant + "," + pp.label() + ",";
        append_csv_field(buf_, pp.plan);
        buf_ += ',';
        append_csv_field(buf_, unit_names_[u]);
        for (double v : {s.population, s.births, s.deaths, s.net_migration, s.adjustments, now[u].population}) {
          buf_ += ',';
          append_number(buf_, v);
        }
        buf_ += '\n';
      }
      plan_periods_.write(buf_);
      st.started = false;
    }
  }
}

void ResultsWriter::base(const CohortArray& population, int year) {
  write_population(population, year);
  // Base-year stock indicators through the engine's own code.
  IndicatorTable table;
  compute_population_indicators(population, sc_.zone_ids(), sc_.group_names, aggregates_, {}, table);
  write_indicators(table, year, true);
  const auto sums = unit_sums(population, nullptr);
  track_periods(sums, year - 1, year);
  years_.push_back(year);
  totals_.push_back(sums[total_unit_].population);
  mark_ = std::chrono::steady_clock::now();
}

void ResultsWriter::step(const StepResult& r) {
  StepTiming timing{r.context.start_year, r.context.end_year, seconds_since(mark_), 0.0};
  const auto t0 = std::chrono::steady_clock::now();
  write_population(r.end, r.context.end_year);

  const CohortLayout& L = r.end.layout();
  const StepComponents& c = r.components;
  const std::string prefix = sc_.variant + "," + period_label(r.context.start_year, r.context.end_year) + ",";
  buf_.clear();
  auto row = [&](int z, int g, int s, int age, const char* component, double persons) {
    if (persons == 0.0) return;  // rows of exactly 0 persons are left out
    buf_ += prefix;
    append_csv_field(buf_, sc_.zones[uz(z)].id);
    buf_ += ',';
    append_csv_field(buf_, sc_.group_names[uz(g)]);
    buf_ += ',';
    buf_ += sex_name(static_cast<Sex>(s));
    buf_ += ',';
    if (age >= 0) buf_ += std::to_string(L.grid.age_start(age));
    buf_ += ',';
    buf_ += component;
    buf_ += ',';
    append_number(buf_, persons);
    buf_ += '\n';
  };
  for (int z = 0; z < L.zones; ++z)
    for (int g = 0; g < L.groups; ++g)
      for (int s = 0; s < 2; ++s) {
        const std::size_t bs = (uz(z) * uz(L.groups) + uz(g)) * kSexes + uz(s);
        row(z, g, s, -1, "births", c.births[bs]);
        if (!c.newborn_transfer_in.empty()) {
          row(z, g, s, -1, "newborn_transfer_in", c.newborn_transfer_in[bs]);
          row(z, g, s, -1, "newborn_transfer_out", c.newborn_transfer_out[bs]);
        }
        for (int i = 0; i < L.grid.n_ages; ++i) {
          const std::size_t cell = L.index(z, g, s, i);
          row(z, g, s, i, "deaths", at(c.deaths, cell));
          if (!c.net_migrants.empty())
            row(z, g, s, i, "net_migration",
                c.net_migrants.data()[cell] - at(c.transfer_in, cell) + at(c.transfer_out, cell));
          row(z, g, s, i, "transfer_in", at(c.transfer_in, cell));
          row(z, g, s, i, "transfer_out", at(c.transfer_out, cell));
          row(z, g, s, i, "floor_adjustment", at(c.floor_adjustment, cell));
        }
      }
  components_.write(buf_);

  if (r.indicators) write_indicators(*r.indicators, r.context.end_year, false);
  const auto sums = unit_sums(r.end, &c);
  track_periods(sums, r.context.start_year, r.context.end_year);
  years_.push_back(r.context.end_year);
  totals_.push_back(sums[total_unit_].population);
  timing.write_seconds = seconds_since(t0);
  timings_.push_back(timing);
  mark_ = std::chrono::steady_clock::now();
}

void ResultsWriter::finish() {
  TextFile zones((dir_ / "zones.csv").string());
  buf_ = "zone,name,name_en\n";
  for (const auto& z : sc_.zones) {
    append_csv_field(buf_, z.id);
    buf_ += ',';
    append_csv_field(buf_, z.name);
    buf_ += ',';
    append_csv_field(buf_, z.name_en);
    buf_ += '\n';
  }
  zones.write(buf_);
  zones.close();
  population_.close();
  components_.close();
  indicators_.close();
  plan_periods_.close();
}

}  // namespace cohortgis::app
