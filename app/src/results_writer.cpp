// SPDX-License-Identifier: Apache-2.0
#include "results_writer.hpp"

#include "cohortgis/app/not_finite.hpp"
#include "cohortgis/engine/parity.hpp"
#include "records_output.hpp"
#include "written_indicators.hpp"

#include <algorithm>
#include <cmath>
#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/indicator_kinds.hpp"

namespace cohortgis::app {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

std::string period_label(int start_year, int end_year) {
  return start_year + 1 == end_year ? std::to_string(end_year)
                                    : std::to_string(start_year + 1) + "-" + std::to_string(end_year);
}

double at(const CohortArray& a, std::size_t cell) { return a.empty() ? 0.0 : a.data()[cell]; }

}  // namespace

// Totals are written and reported only when they are numbers: a population or flow that overflowed (inf) or is not
// a number stops the run with the year and the zone, group, sex and age where it first appears, instead of an
// empty total in indicators.csv, and with the row of `[migration] net_rate` to check first: a net rate may be any
// finite number and multiplies the population it applies to every step (scenarios::net_rate_row_behind). The words
// are not_finite.hpp's, which an ensemble's trajectories stop with too.
bool ResultsWriter::finite(const UnitSums& s) {
  return std::isfinite(s.population) && std::isfinite(s.births) && std::isfinite(s.deaths) &&
         std::isfinite(s.net_migration) && std::isfinite(s.adjustments);
}

void ResultsWriter::check_sums(const CohortArray& pop, const std::vector<UnitSums>& sums, int year) const {
  for (std::size_t u = 0; u < sums.size(); ++u)
    if (!finite(sums[u])) sums_not_finite(pop, u, year);
}

void ResultsWriter::sums_not_finite(const CohortArray& pop, std::size_t unit, int year) const {
  throw_not_finite(*sc_, pop, unit_names_[unit], unit < sc_->zones.size() ? static_cast<int>(unit) : -1, year);
}

std::vector<std::string> ResultsWriter::file_names() {
  return {"population.csv", "components.csv",     "indicators.csv", "plan_periods.csv", "plan_periods_by_group.csv",
          "targets.csv",    "service_demand.csv", "zones.csv"};
}

ResultsWriter::ResultsWriter(const std::filesystem::path& dir, const scenarios::ScenarioSet& set,
                             std::vector<ZoneAggregate> aggregates)
    : set_(set),
      sc_(&set.runs.front()),
      aggregates_(std::move(aggregates)),
      population_((dir / "population.csv").string()),
      components_((dir / "components.csv").string()),
      indicators_((dir / "indicators.csv").string()),
      plan_periods_((dir / "plan_periods.csv").string()),
      plan_periods_by_group_((dir / "plan_periods_by_group.csv").string()),
      targets_((dir / "targets.csv").string()),
      services_((dir / "service_demand.csv").string()),
      dir_(dir),
      mark_(std::chrono::steady_clock::now()) {
  // GBs from 3,000 zones with --format csv, hashed as written and not read back by the run (TextFile's drop-behind).
  population_.drop_behind_every(std::size_t{32} << 20);
  components_.drop_behind_every(std::size_t{32} << 20);
  unit_names_ = UnitNames{&sc_->zones, &aggregates_};
  target_values_.assign(set.targets.size(), TargetValue{});  // again at each begin_variant
  for (std::size_t a = 0; a < aggregates_.size(); ++a)
    if (aggregates_[a].name == "total") total_unit_ = sc_->zones.size() + a;
  // `[outputs] min_cell`: a `suppressed` column flags the cells left empty (records_output.hpp).
  const std::string flag = set.outputs.min_cell > 0 ? ",suppressed\n" : "\n";
  population_.write("variant,year,zone,group,sex,age,parity,population" + flag);
  components_.write("variant,period,zone,group,sex,age,component,persons" + flag);
  indicators_.write("variant,year,zone,group,indicator,value\n");
  plan_periods_.write(
      "variant,period,plan,zone,population_start,births,deaths,net_migration,adjustments,population_end,years,"
      "births_per_year,deaths_per_year,net_migration_per_year,person_years,cbr_per_1000,cdr_per_1000,"
      "natural_growth_per_1000,growth_rate_percent,srb_per_100_females\n");
  plan_periods_by_group_.write(
      "variant,period,plan,zone,group,population_start,births,deaths,net_migration,transfers,adjustments,"
      "population_end,years,births_per_year,deaths_per_year,net_migration_per_year,person_years,cbr_per_1000,"
      "cdr_per_1000,natural_growth_per_1000,growth_rate_percent,srb_per_100_females\n");
  targets_.write("variant,target,indicator,zone,group,period,value,min,max,status,margin\n");
  services_.write("variant,year,zone,service,basis,demand,capacity,gap\n");
}

void ResultsWriter::begin_variant(const scenarios::Scenario& scenario) {
  sc_ = &scenario;
  parity_ = nullptr;  // the variant's ParityRecorder sets it (run.cpp)
  periods_.assign(scenario.plan_periods.size(), PeriodState{});
  sums_by_block_ = sums_by_block_for(scenario);
  if (sums_by_block_) {  // no person-years of plan periods: a last variant's start populations are not read
    std::vector<double>().swap(last_unit_populations_);
    std::vector<double>().swap(last_group_populations_);
  }
  period_results_.clear();
  group_period_results_.clear();
  target_values_.assign(set_.targets.size(), TargetValue{});
  state_keys_.clear();  // a variant's zones and groups are its own
  age_texts_.clear();
  years_.clear();
  totals_.clear();
  timings_.clear();
  base_start_.reset();
  setup_seconds_ = base_seconds_ = 0.0;
  mark_ = std::chrono::steady_clock::now();
}

void ResultsWriter::start_base() {
  base_start_ = std::chrono::steady_clock::now();
  setup_seconds_ = std::chrono::duration<double>(*base_start_ - mark_).count();
}

void ResultsWriter::write_population(const CohortArray& pop, int year) {
  if (!set_.outputs.population || !cube_csv_) return;
  const CohortLayout& L = pop.layout();
  buf_.clear();
  const std::string prefix = sc_->variant + "," + std::to_string(year) + ",";
  const auto row = [&](int z, int g, int s, int i, const char* parity, double persons) {
    buf_ += prefix;
    append_state_key(z, g, s);
    buf_ += age_text(L, i);
    buf_ += ',';
    buf_ += parity;
    buf_ += ',';
    end_persons_row(persons, population_);
  };
  for (int z = 0; z < L.zones; ++z)
    for (int g = 0; g < L.groups; ++g)
      for (int s = 0; s < 2; ++s)
        for (int i = 0; i < L.grid.n_ages; ++i) {
          const double persons = pop.at(z, g, s, i);
          if (parity_ && s == static_cast<int>(Sex::female)) {
            // Women by children ever born: the cell times the parity shares, which sum to 1 (docs/parity.md).
            for (int p = 0; p < kParityStates; ++p)
              row(z, g, s, i, kParityStateLabels[p], persons * parity_->share(z, g, p, i));
          } else {
            row(z, g, s, i, "all", persons);
          }
        }
  population_.write(buf_);
}

void ResultsWriter::write_indicators(const IndicatorTable& t, int year, bool stocks_only) {
  if (written_) written_->add(sc_->variant, year, t, stocks_only);
  if (!indicators_csv_) return;  // results.nc holds them
  buf_.clear();
  // A row is "variant,year,zone,group," (made once per zone and group), the indicator's name and comma (made once
  // per table), and the value: the fields are not escaped again for each of a W3k year's 300,000 rows.
  const std::string prefix = sc_->variant + "," + std::to_string(year) + ",";
  std::vector<std::string> names(t.n_indicators());
  std::vector<std::size_t> ks;  // the columns written: the stocks alone in the base year
  for (std::size_t k = 0; k < names.size(); ++k) {
    append_csv_field(names[k], t.indicator_names[k]);
    names[k] += ',';
    if (!stocks_only || is_stock_indicator(t.indicator_names[k])) ks.push_back(k);
  }
  std::string key;
  for (std::size_t u = 0; u < t.unit_names.size(); ++u)
    for (std::size_t g = 0; g < t.group_names.size(); ++g) {
      key = prefix;
      append_csv_field(key, t.unit_names[u]);
      key += ',';
      append_csv_field(key, t.group_names[g]);
      key += ',';
      for (std::size_t k : ks) {
        buf_ += key;
        buf_ += names[k];
        append_number_cell(buf_, t.get(u, g, k));  // empty when not defined (NaN)
        buf_ += '\n';
        flush_if_full(indicators_);
      }
    }
  indicators_.write(buf_);
}

// Adds one state's (zone, group) population and, with components, its flows of the step to `unit` and, unless null,
// to `group`: ages within sexes, in that order, the same additions to each. Net migration leaves out the transfers
// between groups; they are summed apart.
void ResultsWriter::add_state(UnitSums& unit, UnitSums* group, const CohortArray& pop, const StepComponents* c, int z,
                              int g) {
  const CohortLayout& L = pop.layout();
  const auto cells = [c](const CohortArray StepComponents::*a) {
    return c && !(c->*a).empty() ? (c->*a).data().data() : nullptr;
  };
  const double* deaths = cells(&StepComponents::deaths);
  const double* migrants = cells(&StepComponents::net_migrants);
  const double* in = cells(&StepComponents::transfer_in);
  const double* out = cells(&StepComponents::transfer_out);
  const double* floor = cells(&StepComponents::floor_adjustment);
  const double* planning = cells(&StepComponents::planning_adjustment);
  const auto at = [](const double* a, std::size_t cell) { return a ? a[cell] : 0.0; };  // a missing array is all 0
  for (int x = 0; x < 2; ++x) {
    const std::size_t first = L.index(z, g, x, 0);
    for (std::size_t cell = first; cell < first + uz(L.grid.n_ages); ++cell) {
      const double p = pop.data()[cell];
      if (!c) {
        unit.population += p;
        if (group) group->population += p;
        continue;
      }
      const double d = at(deaths, cell), m = at(migrants, cell) - at(in, cell) + at(out, cell);
      const double plan = at(planning, cell), moved = at(in, cell) - at(out, cell), fl = at(floor, cell);
      const auto add = [&](UnitSums& s) {
        s.population += p;
        s.deaths += d;
        s.net_migration += m;
        s.net_migration += plan;  // control totals and capacity move migrants
        s.transfers += moved;
        s.adjustments += fl;
      };
      add(unit);
      if (group) add(*group);
    }
    if (c) {
      const double b = c->births[(uz(z) * uz(L.groups) + uz(g)) * kSexes + uz(x)];
      for (UnitSums* s : {&unit, group}) {
        if (!s) continue;
        s->births += b;
        (x == 0 ? s->births_female : s->births_male) += b;
      }
    }
  }
}

void ResultsWriter::add_sums(UnitSums& into, const UnitSums& s) {
  into.population += s.population;
  into.births += s.births;
  into.deaths += s.deaths;
  into.net_migration += s.net_migration;
  into.transfers += s.transfers;
  into.adjustments += s.adjustments;
  into.births_female += s.births_female;
  into.births_male += s.births_male;
  into.person_years += s.person_years;
}

// Per unit (zones, then aggregates): population of `pop` and, with components, the step's flows (all groups). With
// more than one group, `groups` gets the same per unit and group ([unit][group]), group transfers apart from
// migration (so that per group end = start + births − deaths + net_migration + transfers + adjustments); with one
// group these would be the units' numbers (the same additions in the same order), so `groups` stays empty and the
// writer uses those (3.6 MB less at 50,000 zones). Both in one pass over the arrays.
void ResultsWriter::sums(const CohortArray& pop, const StepComponents* c, std::vector<UnitSums>& units,
                         std::vector<UnitSums>& groups) const {
  const CohortLayout& L = pop.layout();
  const std::size_t G = uz(L.groups);
  units.assign(unit_names_.size(), UnitSums{});
  groups.assign(G > 1 ? unit_names_.size() * G : 0, UnitSums{});
  for (int z = 0; z < L.zones; ++z)
    for (int g = 0; g < L.groups; ++g)
      add_state(units[uz(z)], G > 1 ? &groups[uz(z) * G + uz(g)] : nullptr, pop, c, z, g);
  for (std::size_t a = 0; a < aggregates_.size(); ++a)
    for (int z : aggregates_[a].zones) add_sums(units[uz(L.zones) + a], units[uz(z)]);
  if (G > 1)
    for (std::size_t a = 0; a < aggregates_.size(); ++a)
      for (std::size_t g = 0; g < G; ++g)
        for (int z : aggregates_[a].zones) add_sums(groups[(uz(L.zones) + a) * G + g], groups[uz(z) * G + g]);
}

bool ResultsWriter::sums_by_block_for(const scenarios::Scenario& scenario) const {
  if (!scenario.plan_periods.empty()) return false;
  return std::all_of(aggregates_.begin(), aggregates_.end(),
                     [](const ZoneAggregate& a) { return std::is_sorted(a.zones.begin(), a.zones.end()); });
}

// sums() a block of zones at a time, for check_sums and the "total" unit's population: each zone's sums from +0 (the
// groups in turn), the aggregates' sums those of their zones in list order, which ascends (sums_by_block_for): the
// same additions in the same order, without a UnitSums per unit (3.6 MB at 50,000 zones, held while the engine's
// arrays are).
double ResultsWriter::checked_total(const CohortArray& pop, const StepComponents* c, int year) const {
  const CohortLayout& L = pop.layout();
  const std::size_t Z = uz(L.zones), nb = std::min(Z, sum_block_);
  std::vector<UnitSums> block(nb), agg(aggregates_.size());
  std::vector<std::size_t> next(aggregates_.size(), 0);  // per aggregate: its first zone not added yet
  double total = 0.0;
  for (std::size_t z0 = 0; z0 < Z; z0 += nb) {
    const std::size_t n = std::min(nb, Z - z0);
    for (std::size_t k = 0; k < n; ++k) {
      UnitSums& s = block[k];
      s = UnitSums{};
      for (int g = 0; g < L.groups; ++g) add_state(s, nullptr, pop, c, static_cast<int>(z0 + k), g);
      if (!finite(s)) sums_not_finite(pop, z0 + k, year);
      if (z0 + k == total_unit_) total = s.population;
    }
    for (std::size_t a = 0; a < aggregates_.size(); ++a) {
      const std::vector<int>& zones = aggregates_[a].zones;
      for (std::size_t& i = next[a]; i < zones.size() && uz(zones[i]) < z0 + n; ++i)
        add_sums(agg[a], block[uz(zones[i]) - z0]);
    }
  }
  for (std::size_t a = 0; a < aggregates_.size(); ++a) {
    if (!finite(agg[a])) sums_not_finite(pop, Z + a, year);
    if (Z + a == total_unit_) total = agg[a].population;
  }
  return total;
}

// A year's per-unit sums (the base year: no components, `start_year` = year − 1): checked, the plan periods' sums
// tracked, the populations kept as the next step's start, the "total" unit's population appended to totals_.
void ResultsWriter::record_sums(const CohortArray& pop, const StepComponents* c, int start_year, int end_year) {
  if (sums_by_block_) {  // no plan period: of the per-unit sums only their check and the total are read
    totals_.push_back(checked_total(pop, c, end_year) + 0.0);  // + 0.0: never "-0"
    return;
  }
  std::vector<UnitSums> sums, gsums;
  this->sums(pop, c, sums, gsums);
  check_sums(pop, sums, end_year);
  if (c) {
    // Person-years of the step z·(P + P')/2 (docs/ccmpp.md Part C), per unit and per unit and group; the start
    // populations are the last result's end populations (summed then).
    const double z = end_year - start_year;
    for (std::size_t u = 0; u < sums.size(); ++u)
      sums[u].person_years = z * (last_unit_populations_[u] + sums[u].population) / 2;
    for (std::size_t k = 0; k < gsums.size(); ++k)
      gsums[k].person_years = z * (last_group_populations_[k] + gsums[k].population) / 2;
  }
  const std::vector<UnitSums>& per_group = gsums.empty() ? sums : gsums;  // one group: the same sums (group_sums)
  track_periods(sums, per_group, start_year, end_year);
  keep_populations(sums, per_group);
  totals_.push_back(sums[total_unit_].population + 0.0);  // + 0.0: never "-0"
}

void ResultsWriter::keep_populations(const std::vector<UnitSums>& units, const std::vector<UnitSums>& groups) {
  last_unit_populations_.resize(units.size());
  for (std::size_t u = 0; u < units.size(); ++u) last_unit_populations_[u] = units[u].population;
  last_group_populations_.resize(groups.size());
  for (std::size_t k = 0; k < groups.size(); ++k) last_group_populations_[k] = groups[k].population;
}

void ResultsWriter::track_periods(const std::vector<UnitSums>& now, const std::vector<UnitSums>& now_groups,
                                  int start_year, int end_year) {
  auto add = [](std::vector<UnitSums>& sum, const std::vector<UnitSums>& step) {
    for (std::size_t u = 0; u < step.size(); ++u) {
      UnitSums flows = step[u];
      flows.population = 0.0;  // a period's sums keep its start population
      add_sums(sum[u], flows);
    }
  };
  auto begin = [](std::vector<UnitSums>& sum, const std::vector<UnitSums>& start) {
    sum.assign(start.size(), UnitSums{});
    for (std::size_t u = 0; u < start.size(); ++u) sum[u].population = start[u].population;
  };
  for (std::size_t p = 0; p < periods_.size(); ++p) {
    const scenarios::PlanPeriod& pp = sc_->plan_periods[p];
    PeriodState& st = periods_[p];
    if (st.started && start_year >= pp.first_year - 1 && end_year <= pp.last_year) {
      add(st.units, now);
      add(st.groups, now_groups);
    }
    if (end_year == pp.first_year - 1) {  // the period starts with this population
      st.started = true;
      begin(st.units, now);
      begin(st.groups, now_groups);
    }
    if (st.started && end_year == pp.last_year) {
      PeriodResult res{pp.first_year, pp.last_year, st.units, {}};
      for (const auto& u : now) res.end.push_back(u.population);
      buf_.clear();
      for (std::size_t u = 0; u < now.size(); ++u) {
        const UnitSums& s = st.units[u];
        buf_ += sc_->variant + "," + pp.label() + ",";
        append_csv_field(buf_, pp.plan);
        buf_ += ',';
        append_csv_field(buf_, unit_names_[u]);
        for (double v : {s.population, s.births, s.deaths, s.net_migration, s.adjustments, now[u].population}) {
          buf_ += ',';
          append_number_cell(buf_, v);
        }
        for (const char* k :
             {"years", "births_per_year", "deaths_per_year", "net_migration_per_year", "person_years", "cbr_per_1000",
              "cdr_per_1000", "natural_growth_per_1000", "growth_rate_percent", "srb_per_100_females"}) {
          buf_ += ',';
          append_number_cell(buf_, period_value(res, u, k));
        }
        buf_ += '\n';
      }
      plan_periods_.write(buf_);
      period_results_.push_back(std::move(res));

      // The same per group (plan_periods_by_group.csv).
      const std::size_t G = sc_->group_names.size();
      PeriodResult gres{pp.first_year, pp.last_year, st.groups, {}};
      for (const auto& u : now_groups) gres.end.push_back(u.population);
      buf_.clear();
      for (std::size_t u = 0; u < now.size(); ++u)
        for (std::size_t g = 0; g < G; ++g) {
          const std::size_t k = u * G + g;
          const UnitSums& s = st.groups[k];
          buf_ += sc_->variant + "," + pp.label() + ",";
          append_csv_field(buf_, pp.plan);
          buf_ += ',';
          append_csv_field(buf_, unit_names_[u]);
          buf_ += ',';
          append_csv_field(buf_, sc_->group_names[g]);
          for (double v : {s.population, s.births, s.deaths, s.net_migration, s.transfers, s.adjustments,
                           now_groups[k].population}) {
            buf_ += ',';
            append_number_cell(buf_, v);
          }
          for (const char* key :
               {"years", "births_per_year", "deaths_per_year", "net_migration_per_year", "person_years", "cbr_per_1000",
                "cdr_per_1000", "natural_growth_per_1000", "growth_rate_percent", "srb_per_100_females"}) {
            buf_ += ',';
            append_number_cell(buf_, period_value(gres, k, key));
          }
          buf_ += '\n';
        }
      plan_periods_by_group_.write(buf_);
      group_period_results_.push_back(std::move(gres));
      st.started = false;
    }
  }
}

// Plan-period summary values (docs/ccmpp.md Part C: rates from summed counts over summed person-years).
double ResultsWriter::period_value(const PeriodResult& p, std::size_t unit, const std::string& k) const {
  const UnitSums& s = p.units[unit];
  const double years = p.last_year - p.first_year + 1, end = p.end[unit];
  const double nan = std::nan("");
  if (k == "population_start") return s.population;
  if (k == "population_end") return end;
  if (k == "births") return s.births;
  if (k == "deaths") return s.deaths;
  if (k == "net_migration") return s.net_migration;
  if (k == "years") return years;
  if (k == "births_per_year") return s.births / years;
  if (k == "deaths_per_year") return s.deaths / years;
  if (k == "net_migration_per_year") return s.net_migration / years;
  if (k == "person_years") return s.person_years;
  if (k == "cbr_per_1000") return s.person_years > 0 ? 1000.0 * s.births / s.person_years : nan;
  if (k == "cdr_per_1000") return s.person_years > 0 ? 1000.0 * s.deaths / s.person_years : nan;
  if (k == "natural_growth_per_1000") return s.person_years > 0 ? 1000.0 * (s.births - s.deaths) / s.person_years : nan;
  // Average annual exponential growth rate r = ln(P_end / P_start) / years (Preston et al. 2001, eq. 1.8), in %.
  if (k == "growth_rate_percent")
    return s.population > 0 && end > 0 ? 100.0 * std::log(end / s.population) / years : nan;
  if (k == "srb_per_100_females") return s.births_female > 0 ? 100.0 * s.births_male / s.births_female : nan;
  return nan;
}

void ResultsWriter::base(const CohortArray& population, int year) {
  if (!base_start_) start_base();
  write_population(population, year);
  // Base-year stock indicators through the engine's own code.
  IndicatorTable table;
  compute_population_indicators(population, sc_->zone_ids(), sc_->group_names, aggregates_, sc_->indicator_bands,
                                table);
  write_indicators(table, year, true);
  take_target_values(table, year);
  write_services(population, nullptr, year);
  record_sums(population, nullptr, year - 1, year);
  years_.push_back(year);
  base_seconds_ = seconds_since(*base_start_);
  mark_ = std::chrono::steady_clock::now();
}

void ResultsWriter::step(const StepResult& r) {
  StepTiming timing{r.context.start_year, r.context.end_year, seconds_since(mark_) + setup_seconds_, 0.0};
  const auto t0 = std::chrono::steady_clock::now();
  write_population(r.end, r.context.end_year);

  const CohortLayout& L = r.end.layout();
  const StepComponents& c = r.components;
  const std::string prefix = sc_->variant + "," + period_label(r.context.start_year, r.context.end_year) + ",";
  buf_.clear();
  auto row = [&](int z, int g, int s, int age, const char* component, double persons) {
    if (persons == 0.0) return;  // rows of exactly 0 persons are left out
    buf_ += prefix;
    append_state_key(z, g, s);
    if (age >= 0) buf_ += age_text(L, age);
    buf_ += ',';
    buf_ += component;
    buf_ += ',';
    end_persons_row(persons, components_);
  };
  // --components: only the components asked for get rows (component_selection.hpp).
  const auto on = [this](Component k) { return components_on_.has(k); };
  const bool births = on(Component::births), nb_in = on(Component::newborn_transfer_in),
             nb_out = on(Component::newborn_transfer_out), deaths = on(Component::deaths),
             migration = on(Component::net_migration), t_in = on(Component::transfer_in),
             t_out = on(Component::transfer_out), floor = on(Component::floor_adjustment),
             planning = on(Component::planning_adjustment);
  if (cube_csv_ && components_on_.any())  // nothing to format for results.nc alone
    for (int z = 0; z < L.zones; ++z)
      for (int g = 0; g < L.groups; ++g)
        for (int s = 0; s < 2; ++s) {
          const std::size_t bs = (uz(z) * uz(L.groups) + uz(g)) * kSexes + uz(s);
          if (births) row(z, g, s, -1, "births", c.births[bs]);
          if (!c.newborn_transfer_in.empty()) {
            if (nb_in) row(z, g, s, -1, "newborn_transfer_in", c.newborn_transfer_in[bs]);
            if (nb_out) row(z, g, s, -1, "newborn_transfer_out", c.newborn_transfer_out[bs]);
          }
          for (int i = 0; i < L.grid.n_ages; ++i) {
            const std::size_t cell = L.index(z, g, s, i);
            if (deaths) row(z, g, s, i, "deaths", at(c.deaths, cell));
            if (migration && !c.net_migrants.empty())
              row(z, g, s, i, "net_migration",
                  c.net_migrants.data()[cell] - at(c.transfer_in, cell) + at(c.transfer_out, cell));
            if (t_in) row(z, g, s, i, "transfer_in", at(c.transfer_in, cell));
            if (t_out) row(z, g, s, i, "transfer_out", at(c.transfer_out, cell));
            if (floor) row(z, g, s, i, "floor_adjustment", at(c.floor_adjustment, cell));
            if (planning && !c.planning_adjustment.empty())
              row(z, g, s, i, "planning_adjustment", c.planning_adjustment.data()[cell]);
          }
        }
  if (cube_csv_ && components_on_.any()) components_.write(buf_);

  if (r.indicators) {
    write_indicators(*r.indicators, r.context.end_year, false);
    take_target_values(*r.indicators, r.context.end_year);
  }
  write_services(r.end, &c, r.context.end_year);
  record_sums(r.end, &c, r.context.start_year, r.context.end_year);
  years_.push_back(r.context.end_year);
  timing.write_seconds = seconds_since(t0) + base_seconds_;  // the first step's includes the base year
  setup_seconds_ = base_seconds_ = 0.0;
  timings_.push_back(timing);
  mark_ = std::chrono::steady_clock::now();
}

void ResultsWriter::add_write_seconds(double seconds) {
  if (!timings_.empty())
    timings_.back().write_seconds += seconds;
  else if (base_start_)
    base_seconds_ = seconds_since(*base_start_);  // the base year: until the other writer is done with it too
  mark_ = std::chrono::steady_clock::now();
}

// A year of a large run is megabytes of text per file: written out every 1 MiB, so that memory stays bounded.
// The last cells of a population or component row: persons (hidden below min_cell), the suppression flag when
// min_cell is set, the line end.
void ResultsWriter::end_persons_row(double persons, TextFile& file) {
  const bool hidden = append_published(buf_, persons, set_.outputs.min_cell);
  if (set_.outputs.min_cell > 0) buf_ += hidden ? ",1" : ",0";
  buf_ += '\n';
  flush_if_full(file);
}

void ResultsWriter::flush_if_full(TextFile& file) {
  if (buf_.size() < (std::size_t{1} << 20)) return;
  file.write(buf_);
  buf_.clear();
}

void ResultsWriter::append_state_key(int zone, int group, int sex) {
  const std::size_t G = sc_->group_names.size();
  if (state_keys_.empty())
    for (const auto& z : sc_->zones)
      for (const auto& g : sc_->group_names)
        for (int x = 0; x < 2; ++x) {
          std::string& key = state_keys_.emplace_back();
          append_csv_field(key, z.id);
          key += ',';
          append_csv_field(key, g);
          key += ',';
          key += sex_name(static_cast<Sex>(x));
          key += ',';
        }
  buf_ += state_keys_[(uz(zone) * G + uz(group)) * 2 + uz(sex)];
}

const std::string& ResultsWriter::age_text(const CohortLayout& L, int i) {
  if (age_texts_.size() != uz(L.grid.n_ages)) {
    age_texts_.clear();
    for (int a = 0; a < L.grid.n_ages; ++a) age_texts_.push_back(std::to_string(L.grid.age_start(a)));
  }
  return age_texts_[uz(i)];
}

void ResultsWriter::finish() {
  TextFile zones((dir_ / "zones.csv").string());
  buf_ = "zone,name,name_en\n";
  for (const auto& z : sc_->zones) {
    append_csv_field(buf_, z.id);
    buf_ += ',';
    append_csv_field(buf_, z.name);
    buf_ += ',';
    append_csv_field(buf_, z.name_en.str());
    buf_ += '\n';
  }
  zones.write(buf_);
  zones.close();
  population_.close();
  components_.close();
  indicators_.close();
  if (!indicators_csv_) std::filesystem::remove(dir_ / "indicators.csv");  // its header, written at the start
  if (written_ && indicators_csv_)
    written_->set_file(dir_ / "indicators.csv", std::filesystem::file_size(dir_ / "indicators.csv"));
  else if (written_)
    written_->set_no_file(dir_ / "indicators.csv");
  plan_periods_.close();
  plan_periods_by_group_.close();
  targets_.close();
  services_.close();
  if (!cube_csv_) {  // results.nc holds them; the headers written at the start go again
    std::filesystem::remove(dir_ / "population.csv");
    std::filesystem::remove(dir_ / "components.csv");
  }
}

// The values of the targets of `year` from its table, read as end_variant reads them: a copy of the table held until
// then would be 15.6 MB a target year at 50,000 zones. A unit the table does not have is end_variant's error.
void ResultsWriter::take_target_values(const IndicatorTable& tab, int year) {
  for (std::size_t i = 0; i < set_.targets.size(); ++i) {
    const scenarios::Target& t = set_.targets[i];
    if (t.year == 0 || t.year != year) continue;
    TargetValue& v = target_values_[i];
    v = TargetValue{};
    v.taken = true;
    std::size_t g = tab.group_names.size() - 1, k = 0;
    for (std::size_t j = 0; j < tab.group_names.size(); ++j)
      if (tab.group_names[j] == t.group) g = j;
    while (k < tab.indicator_names.size() && tab.indicator_names[k] != t.indicator) ++k;
    if (k >= tab.n_indicators()) continue;
    try {
      v.value = tab.get(tab.unit_index(t.unit), g, k);
    } catch (...) {
      v.error = std::current_exception();
    }
  }
}

// Service demand per zone and aggregate: persons in the age band (or births per year; of one group when the norm
// names one) × places per person, with the gap to the given capacity (positive: places missing).
void ResultsWriter::write_services(const CohortArray& pop, const StepComponents* c, int year) {
  if (set_.services.empty()) return;
  const CohortLayout& L = pop.layout();
  const double z = L.grid.width_years;
  buf_.clear();
  for (const auto& sv : set_.services) {
    if (sv.per_births && !c) continue;  // no births in the base year
    std::vector<double> basis(unit_names_.size(), 0.0), cap(unit_names_.size(), std::nan(""));
    for (int zi = 0; zi < L.zones; ++zi) {
      double v = 0.0;
      for (int g = 0; g < L.groups; ++g)
        for (int s = 0; s < 2 && (sv.group < 0 || g == sv.group); ++s)
          v += sv.per_births ? c->births[(uz(zi) * uz(L.groups) + uz(g)) * kSexes + uz(s)] / z
                             : persons_in_band(L.grid, pop.ages(zi, g, s), sv.from_age,
                                               sv.to_age < 0 ? INFINITY : sv.to_age + 1.0);
      basis[uz(zi)] = v;
      if (!sv.capacity.empty()) cap[uz(zi)] = sv.capacity[uz(zi)];
    }
    for (std::size_t a = 0; a < aggregates_.size(); ++a) {
      double v = 0.0, k = 0.0;
      for (int zi : aggregates_[a].zones) (v += basis[uz(zi)], k += cap[uz(zi)]);
      basis[uz(L.zones) + a] = v;
      cap[uz(L.zones) + a] = k;  // NaN unless every member zone has a capacity
    }
    if (std::isfinite(sv.total_capacity)) cap[total_unit_] = sv.total_capacity;
    for (std::size_t u = 0; u < unit_names_.size(); ++u) {
      const double demand = basis[u] * sv.per_person_in(year);
      buf_ += sc_->variant + "," + std::to_string(year) + ",";
      append_csv_field(buf_, unit_names_[u]);
      buf_ += ',';
      append_csv_field(buf_, sv.name);
      for (double v : {basis[u], demand, cap[u], demand - cap[u]}) {
        buf_ += ',';
        append_number_cell(buf_, v);
      }
      buf_ += '\n';
    }
  }
  services_.write(buf_);
}

// Targets of this variant: value from indicators.csv (a year) or the plan-period summary (a period).
void ResultsWriter::end_variant() {
  buf_.clear();
  for (const auto& t : set_.targets) {
    if (!t.variants.empty() && std::find(t.variants.begin(), t.variants.end(), sc_->variant) == t.variants.end())
      continue;
    std::size_t unit = 0;
    while (unit < unit_names_.size() && unit_names_[unit] != t.unit) ++unit;
    double value = std::nan("");
    if (t.year != 0) {
      const TargetValue& v = target_values_[static_cast<std::size_t>(&t - set_.targets.data())];
      if (v.error) std::rethrow_exception(v.error);
      if (v.taken) value = v.value;
    } else if (t.group == "all") {
      for (const auto& p : period_results_)
        if (p.first_year == t.first_year && p.last_year == t.last_year) value = period_value(p, unit, t.indicator);
    } else {  // one group: plan_periods_by_group.csv
      const auto& names = sc_->group_names;
      const std::size_t g = uz(static_cast<int>(std::find(names.begin(), names.end(), t.group) - names.begin()));
      for (const auto& p : group_period_results_)
        if (p.first_year == t.first_year && p.last_year == t.last_year && g < names.size())
          value = period_value(p, unit * names.size() + g, t.indicator);
    }
    double margin = std::nan("");
    if (t.max) margin = *t.max - value;
    if (t.min) margin = std::isnan(margin) ? value - *t.min : std::min(margin, value - *t.min);
    const bool met = margin >= 0.0;
    outcomes_.push_back({sc_->variant, t.name, met, value, margin});
    buf_ += sc_->variant + ",";
    append_csv_field(buf_, t.name);
    buf_ += ',';
    append_csv_field(buf_, t.indicator);
    buf_ += ',';
    append_csv_field(buf_, t.unit);
    buf_ += ',';
    append_csv_field(buf_, t.group);
    buf_ += ',' + t.period_label() + ',';
    append_number_cell(buf_, value);
    buf_ += ',';
    append_number_cell(buf_, t.min ? *t.min : std::nan(""));
    buf_ += ',';
    append_number_cell(buf_, t.max ? *t.max : std::nan(""));
    buf_ += met ? ",met," : (std::isnan(value) ? ",unknown," : ",missed,");
    append_number_cell(buf_, margin);
    buf_ += '\n';
  }
  targets_.write(buf_);
}

}  // namespace cohortgis::app
