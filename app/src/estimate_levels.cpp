// SPDX-License-Identifier: Apache-2.0
#include "cohortgis/app/estimate_levels.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <span>

#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/life_table.hpp"
#include "cohortgis/geodata/read_cancel.hpp"
#include "cohortgis/geodata/read_policy.hpp"
#include "cohortgis/geodata/sha256.hpp"
#include "cohortgis/geodata/table.hpp"
#include "cohortgis/scenarios/level_fitting.hpp"
#include "cohortgis/scenarios/models.hpp"
#include "cohortgis/scenarios/sources.hpp"
#include "estimate_tables.hpp"
#include "output_dir.hpp"
#include "text_output.hpp"

namespace cohortgis::app {

namespace {

using scenarios::LevelFit;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

enum class Figure { e0, deaths, cdr, tfr, births, cbr };

struct FigureRow {
  std::string zone;
  Figure kind;
  std::string indicator;
  double value;
  std::size_t row;
};

bool is_mortality(Figure f) { return f == Figure::e0 || f == Figure::deaths || f == Figure::cdr; }
bool needs_population(Figure f) { return f != Figure::e0 && f != Figure::tfr; }

// The standard death rates on the five-year grid's life-table rows (0, 1–4, 5–9, …, open at the grid's open age): a
// table open above it is closed keeping its person-years (sources.hpp close_abridged_mx).
scenarios::MortalityStandard read_standard_mx(const LevelsConfig& cfg, const AgeGrid& grid) {
  if (cfg.mx.empty()) throw InputError("--mx: the standard death rates are required for mortality figures");
  auto rates = detail::read_abridged_mx(cfg.mx, cfg.mx_filter);
  scenarios::MortalityStandard s{{}, {}, grid, LifeTableMethod{}};
  for (std::size_t sx = 0; sx < 2; ++sx) {
    const int open_in = 5 * (static_cast<int>(rates[sx].size()) - 2);
    if (open_in < grid.open_age())
      throw InputError(cfg.mx + ": the " + (sx ? "male" : "female") + " rows end at " + std::to_string(open_in) +
                       "+, below the open age " + std::to_string(grid.open_age()) + " (--open-age)");
    const Sex sex = sx ? Sex::male : Sex::female;
    (sx ? s.male : s.female) = open_in == grid.open_age()
                                   ? rates[sx]
                                   : scenarios::close_abridged_mx(rates[sx], sex, grid.open_age(), s.method);
  }
  return s;
}

// The standard ASFR on the grid's age groups (0 where the table has no row).
std::vector<double> read_standard_asfr(const LevelsConfig& cfg, const AgeGrid& grid) {
  if (cfg.asfr.empty()) throw InputError("--asfr: the standard ASFR is required for fertility figures");
  const geodata::Table t = geodata::read_table(cfg.asfr, {});
  const std::string age_col = t.has_column("age_start") ? "age_start" : "age";
  const std::string value_col = t.has_column("asfr") ? "asfr" : "value";
  if (!t.has_column(age_col) || !t.has_column(value_col))
    throw InputError(cfg.asfr + ": expected the columns age (or age_start) and asfr (or value)");
  const std::size_t ca = t.column(age_col), cv = t.column(value_col);
  const std::vector<char> kept = detail::filtered_rows(t, cfg.asfr_filter, "--asfr-filter");
  std::vector<double> asfr(uz(grid.n_ages), 0.0);
  std::vector<int> seen(asfr.size(), 0);
  bool any = false;
  for (std::size_t r = 0; r < t.size(); ++r) {
    if (!kept[r]) continue;
    const double a = t.number(r, ca);
    // The bound first: an age past int (3e9, 1e300) must not reach the cast (undefined behaviour).
    if (a != std::floor(a) || a < 0 || a >= grid.open_age() || static_cast<int>(a) % 5 != 0)
      throw InputError(t.where(r, ca) + ": age " + t.text(r, ca) + "; expected the first age of a five-year group " +
                       "below the open age " + std::to_string(grid.open_age()));
    const double f = t.number(r, cv);
    if (!(f >= 0 && f <= 1))
      throw InputError(t.where(r, cv) + ": " + t.text(r, cv) + " births per woman per year; expected 0 to 1");
    const std::size_t i = static_cast<std::size_t>(a) / 5;
    if (seen[i]) throw InputError(t.where(r, ca) + ": a second row for age " + t.text(r, ca) + " after the filter");
    seen[i] = 1;
    asfr[i] = f;
    any = true;
  }
  if (!any) throw InputError(cfg.asfr + ": no rows; expected the standard ASFR by age");
  return asfr;
}

// A zone's population on the life-table rows of one sex: 0–4 split into 0 and 1–4 by the standard's L0 : 4L1 (the
// stationary population's proportions, Preston, Heuveline & Guillot 2001, §3.6), then 5–9, …, open as given.
std::vector<double> on_life_table_rows(std::span<const double> groups, std::span<const double> mx_standard, Sex sex) {
  const LifeTable lt = abridged_life_table(mx_standard, sex);
  const double share0 = lt.Lx[0] / (lt.Lx[0] + lt.Lx[1]);
  std::vector<double> rows{groups[0] * share0, groups[0] * (1.0 - share0)};
  rows.insert(rows.end(), groups.begin() + 1, groups.end());
  return rows;
}

std::string quoted(const std::string& text) { return "'" + geodata::escape_cell(text) + "'"; }

}  // namespace

LevelsSummary estimate_levels(const LevelsConfig& cfg) {
  const geodata::ReadCancellation stoppable(cfg.cancel);  // as estimate's
  // The scenario's bounds for the open age (projection.open_age), on the five-year grid.
  if (cfg.open_age < 10 || cfg.open_age > 130 || cfg.open_age % 5 != 0)
    throw InputError("--open-age " + std::to_string(cfg.open_age) + ": expected a multiple of 5 from 10 to 130");
  const AgeGrid grid = AgeGrid::five_year(cfg.open_age);
  grid.validate();
  // A filter keeps rows of its table: given without the table it did nothing, without a word (hostile probe of
  // round 28).
  if (!cfg.mx_filter.empty() && cfg.mx.empty())
    throw InputError("--mx-filter: given without --mx; expected it with the standard death rates whose rows it keeps");
  if (!cfg.asfr_filter.empty() && cfg.asfr.empty())
    throw InputError("--asfr-filter: given without --asfr; expected it with the standard ASFR whose rows it keeps");
  using geodata::ColumnType;
  const geodata::Table t = geodata::read_table(
      cfg.figures, {{"zone", ColumnType::text}, {"indicator", ColumnType::text}, {"value", ColumnType::number}});
  const std::size_t cz = t.column("zone"), ci = t.column("indicator"), cv = t.column("value");
  const std::map<std::string, Figure> kinds{
      {"e0", Figure::e0},   {"deaths", Figure::deaths}, {"cdr_per_1000", Figure::cdr},
      {"tfr", Figure::tfr}, {"births", Figure::births}, {"cbr_per_1000", Figure::cbr}};
  std::vector<FigureRow> figures;
  std::map<std::pair<std::string, bool>, std::size_t> given;  // (zone, mortality?) → row
  bool any_mortality = false, any_fertility = false, any_population = false, any_e0 = false;
  for (std::size_t r = 0; r < t.size(); ++r) {
    const auto k = kinds.find(t.text(r, ci));
    if (k == kinds.end())
      throw InputError(t.where(r, ci) + ": indicator " + quoted(t.text(r, ci)) +
                       "; expected e0, deaths or cdr_per_1000 (mortality), tfr, births or cbr_per_1000 (fertility)");
    const double v = t.number(r, cv);
    if (!(v > 0)) throw InputError(t.where(r, cv) + ": " + t.text(r, cv) + "; expected a figure above 0");
    if (k->second == Figure::e0 && !(v >= 15 && v <= 100))
      throw InputError(t.where(r, cv) + ": life expectancy " + t.text(r, cv) + "; expected 15 to 100 years");
    const bool m = is_mortality(k->second);
    const auto [it, fresh] = given.try_emplace({t.text(r, cz), m}, r);
    if (!fresh)
      throw InputError(t.where(r, ci) + ": a second " + (m ? "mortality" : "fertility") + " figure for zone " +
                       quoted(t.text(r, cz)) + " (the first is on data row " + std::to_string(it->second + 1) +
                       "); expected one per zone and component");
    figures.push_back({t.text(r, cz), k->second, t.text(r, ci), v, r});
    (m ? any_mortality : any_fertility) = true;
    any_population = any_population || needs_population(k->second);
    any_e0 = any_e0 || k->second == Figure::e0;
  }
  if (figures.empty()) throw InputError(cfg.figures + ": no figures; expected rows zone, indicator, value");
  if (any_e0 && !(cfg.srb >= 90 && cfg.srb <= 130))
    throw InputError("--srb: " + (cfg.srb == 0 ? std::string("missing (or 0)") : shortest_number(cfg.srb)) +
                     "; a both-sexes e0 needs the sex ratio at birth, 90 to 130 males per 100 females");
  // Given without an e0 figure it is not used, but a value no sex ratio has (nan, -5, 1e300) is a mistake all the
  // same (0 stands for "not given").
  if (cfg.srb != 0 && !(cfg.srb >= 90 && cfg.srb <= 130))
    throw InputError("--srb: " + shortest_number(cfg.srb) +
                     "; expected a sex ratio at birth of 90 to 130 males per 100 females (used by e0 figures)");

  scenarios::MortalityStandard standard;
  if (any_mortality) standard = read_standard_mx(cfg, grid);
  const std::vector<double> asfr = any_fertility ? read_standard_asfr(cfg, grid) : std::vector<double>{};
  detail::Census pop;
  if (any_population) {
    if (cfg.population.empty())
      throw InputError("--population: required for deaths, cdr_per_1000, births and cbr_per_1000 figures (the " +
                       std::string("exposure by zone, sex and age)"));
    pop = detail::read_census(cfg.population, grid, "--population");
    if (!pop.by_age)
      throw InputError(cfg.population + ": expected every zone by sex and age (the exposure of the fitted schedules)");
  }

  const std::size_t n = uz(grid.n_ages);
  LevelsSummary s;
  std::string mx_csv = "zone,sex,age,value\n", asfr_csv = "zone,age,value\n";
  for (const FigureRow& f : figures) {
    throw_if_cancelled(cfg.cancel, "estimate");  // one fit per zone: thousands of zones take a while
    std::span<const double> pf, pm;
    if (needs_population(f.kind)) {
      const auto u = pop.index.find(f.zone);
      if (u == pop.index.end())
        throw InputError(t.where(f.row, cz) + ": zone " + quoted(f.zone) + " is not in --population " + cfg.population +
                         "; expected its population by sex and age");
      pf = std::span<const double>(pop.cells).subspan(u->second * 2 * n, n);
      pm = std::span<const double>(pop.cells).subspan(u->second * 2 * n + n, n);
    }
    ZoneLevel z{f.zone, is_mortality(f.kind) ? "mortality" : "fertility", f.indicator, f.value, 0, 0, kNaN, kNaN, kNaN};
    LevelFit fit;
    try {
      if (is_mortality(f.kind)) {
        if (f.kind == Figure::e0) {
          fit = scenarios::fit_alpha_to_e0_both_sexes(standard, f.value, cfg.srb);
        } else {
          const auto rf = on_life_table_rows(pf, standard.female, Sex::female);
          const auto rm = on_life_table_rows(pm, standard.male, Sex::male);
          fit = f.kind == Figure::deaths ? scenarios::fit_alpha_to_deaths(standard, rf, rm, f.value)
                                         : scenarios::fit_alpha_to_crude_death_rate(standard, rf, rm, f.value);
        }
      } else if (f.kind == Figure::tfr) {
        fit = scenarios::fit_fertility_to_tfr(asfr, 5, f.value);
      } else {
        double total = 0;
        for (std::size_t i = 0; i < n; ++i) total += pf[i] + pm[i];
        fit = f.kind == Figure::births ? scenarios::fit_fertility_to_births(asfr, pf, f.value)
                                       : scenarios::fit_fertility_to_crude_birth_rate(asfr, pf, total, f.value);
      }
    } catch (const InputError& e) {
      throw InputError(t.where(f.row, cv) + ": zone " + quoted(f.zone) + ": " + e.what());
    }
    z.fitted = fit.fitted;
    z.level = fit.level;
    if (is_mortality(f.kind)) {
      const auto mf = scenarios::brass_logit_mx(standard.female, grid, Sex::female, fit.level, standard.method);
      const auto mm = scenarios::brass_logit_mx(standard.male, grid, Sex::male, fit.level, standard.method);
      z.e0_female = scenarios::life_expectancy_at_birth(mf, grid, Sex::female, standard.method);
      z.e0_male = scenarios::life_expectancy_at_birth(mm, grid, Sex::male, standard.method);
      for (int sx = 0; sx < 2; ++sx) {
        const auto& mx = sx ? mm : mf;
        for (std::size_t k = 0; k < mx.size(); ++k) {
          append_csv_field(mx_csv, f.zone);
          mx_csv +=
              std::string(sx ? ",male," : ",female,") + std::to_string(k == 0 ? 0 : (k == 1 ? 1 : 5 * (k - 1))) + ",";
          append_number_cell(mx_csv, mx[k]);
          mx_csv += '\n';
        }
      }
    } else {
      double sum = 0;
      for (double v : asfr) sum += v;
      z.tfr = 5.0 * fit.level * sum;
      // The fitted schedule must be one a scenario can read: at most 1 birth per woman per year at any age (the
      // bound of the standard --asfr and of [fertility] tables). A crude birth rate of 999 per 1000 fitted a TFR of
      // 110 and was written without a word.
      const std::size_t top = uz(std::max_element(asfr.begin(), asfr.end()) - asfr.begin());
      if (!(fit.level * asfr[top] <= 1.0))
        throw InputError(t.where(f.row, cv) + ": zone " + quoted(f.zone) + ": " + f.indicator + " " +
                         shortest_number(f.value) + " needs " + rounded_number(fit.level) +
                         " times the standard ASFR, " + rounded_number(fit.level * asfr[top]) +
                         " births per woman per year at ages " + std::to_string(grid.age_start(static_cast<int>(top))) +
                         "-" + std::to_string(grid.age_start(static_cast<int>(top)) + 4) + " (TFR " +
                         rounded_number(z.tfr) + "); expected at most 1 at every age (is the figure in its unit: " +
                         "births per year, cbr_per_1000 per 1000 persons, tfr per woman?)");
      for (std::size_t i = 0; i < n; ++i) {
        if (asfr[i] == 0) continue;
        append_csv_field(asfr_csv, f.zone);
        asfr_csv += "," + std::to_string(grid.age_start(static_cast<int>(i))) + ",";
        append_number_cell(asfr_csv, fit.level * asfr[i]);
        asfr_csv += '\n';
      }
    }
    s.levels.push_back(z);
  }

  std::string levels_csv = "zone,component,indicator,target,fitted,level,e0_female,e0_male,tfr\n";
  for (const auto& z : s.levels) {
    append_csv_field(levels_csv, z.zone);
    levels_csv += "," + z.component + "," + z.indicator + "," + number_cell(z.target) + "," + number_cell(z.fitted) +
                  "," + number_cell(z.level) + "," + number_cell(z.e0_female) + "," + number_cell(z.e0_male) + "," +
                  number_cell(z.tfr) + "\n";
  }

  detail::EstimateFolder out(cfg.out_dir, s.files, cfg.cancel);
  out.write("levels.csv", levels_csv);
  if (any_mortality) out.write("mx_by_zone.csv", mx_csv);
  if (any_fertility) out.write("asfr_by_zone.csv", asfr_csv);

  std::vector<std::pair<std::string, std::string>> in{{"figures", cfg.figures}};
  if (any_population) in.push_back({"population", cfg.population});
  if (any_mortality) in.push_back({"standard death rates", cfg.mx});
  if (any_fertility) in.push_back({"standard ASFR", cfg.asfr});
  std::string md = "# Mortality and fertility levels by zone\n\n## Method\n\n";
  if (any_mortality)
    md += "Mortality: the Brass (1971) relational logit model with β = 1 on the standard death rates (" + cfg.mx +
          "): logit l(x) = α + logit l_s(x), one α per zone for both sexes, found by bisection on [−4, 4] so that the "
          "zone's schedules give its figure: a life expectancy at birth of both sexes, e0 = (e0_f + ρ·e0_m)/(1 + ρ) "
          "with ρ = sex ratio at birth / 100 (the life table of a birth cohort); or deaths per year = Σ m(x)·P(x) over "
          "both sexes and the life-table rows of the zone's population (0–4 split into 0 and 1–4 by the standard's "
          "L0 : 4L1); or a crude death rate = 1000 · deaths / population. α > 0 is higher mortality than the "
          "standard.\n\n";
  if (any_fertility)
    md += "Fertility: the standard ASFR (" + cfg.asfr +
          ") times one factor k per zone: to a TFR, k = TFR / (5 Σ f); "
          "to births per year, k = births / Σ f(x)·W(x) with W the zone's women by age; to a crude birth rate, births "
          "= CBR/1000 · population.\n\n";
  md +=
      "The fits are scenarios/level_fitting.hpp's, the ones the scenario keys `mortality.fit` and `fertility.fit` "
      "and monitoring use. The population is the exposure as given (a census count, not person-years of the "
      "period); a scenario's `fertility.fit` starts from this fit on its base population and then moves k until its "
      "projection's own rate per person-year of the first step is the figure.\n\n## Inputs\n\n| role | file | SHA-256 |\n|---|---|---|\n";
  const detail::HashedInputs hashed = detail::hash_inputs(in, s.inputs);
  md += hashed.markdown_rows;
  const std::string& inputs_json = hashed.json_entries;
  md +=
      "\n## Levels by zone\n\n| zone | component | figure | target | fitted | level (α or k) | e0 female | e0 male | "
      "TFR |\n|---|---|---|---|---|---|---|---|---|\n";
  const auto r4 = [](double v) { return number_cell(std::round(v * 1e4) / 1e4); };
  for (const auto& z : s.levels)
    md += "| " + z.zone + " | " + z.component + " | " + z.indicator + " | " + r4(z.target) + " | " + r4(z.fitted) +
          " | " + r4(z.level) + " | " + r4(z.e0_female) + " | " + r4(z.e0_male) + " | " + r4(z.tfr) + " |\n";
  out.write("levels_report.md", md);
  // The sealed manifest of every results folder (output_dir.hpp), so that a later estimate may replace the folder.
  s.out_dir = out.seal(
      "  \"cohortgis_version\": " + json_string(COHORTGIS_VERSION) + ",\n  \"command\": \"estimate --levels\",\n" +
      // The options that change the outputs: the standards' rows read, the grid, the sex ratio.
      "  \"options\": {\"open_age\": " + std::to_string(cfg.open_age) + ", \"srb\": " + json_number(cfg.srb) +
      ", \"mx_filter\": " + detail::filter_json(cfg.mx_filter) +
      ", \"asfr_filter\": " + detail::filter_json(cfg.asfr_filter) + "},\n  \"inputs\": [" + inputs_json + "\n  ],\n");
  return s;
}

}  // namespace cohortgis::app
