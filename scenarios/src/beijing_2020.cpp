// SPDX-License-Identifier: Apache-2.0
// The embedded default scenario "beijing-2020" (documented in scenarios/beijing-2020.md).
#include <cmath>
#include <filesystem>
#include <map>

#include "cohortgis/engine/migration_models.hpp"
#include "cohortgis/geodata/table.hpp"
#include "cohortgis/scenarios/scenario.hpp"
#include "cohortgis/scenarios/sources.hpp"
#include "cohortgis/engine/index_cast.hpp"

namespace cohortgis::scenarios {

namespace {


// Assumptions of the scenario; illustrative values are named as such.
constexpr const char* kIso3 = "CHN";
constexpr int kSchedulePeriodStart = 2015;        // WPP 2022 period 2015–2020
constexpr int kSrbYear = 2020;
constexpr double kAssumedTfr = 1.0;                // children per woman (assumption, not a Beijing statistic)
constexpr double kNetInMigrationPerYear = 50000;   // floating persons per year, whole city (illustrative)
constexpr double kFemaleShareOfMigrants = 0.5;
constexpr double kHukouTransitionPerYear = 0.01;   // floating → registered, ages 15–64 (illustrative)
constexpr int kTransitionFromAge = 15, kTransitionToAge = 64;
enum Group : int { registered = 0, floating = 1 };

std::string in_dir(const std::string& dir, const std::string& rel) {
  return (std::filesystem::path(dir) / rel).string();
}

}  // namespace

Scenario beijing_2020(const std::string& data_dir) {
  Scenario sc;
  sc.name = kDefaultScenarioName;
  sc.title = "Beijing, 16 districts, registered and floating population, 2020-2035 in five-year steps";
  sc.grid = AgeGrid::five_year(85);
  sc.base_year = 2020;
  sc.steps = 3;
  sc.group_names = {"registered", "floating"};

  const std::string census_rel = "census/census2020_districts.csv", geo_rel = "geo/beijing_districts.gpkg",
                    mx_rel = "wpp/mortality_mx_abridged_2010_2020.csv",
                    asfr_rel = "wpp/fertility_asfr_5y_2010_2020.csv", srb_rel = "wpp/srb_annual_2010_2020.csv";
  const std::string census = in_dir(data_dir, census_rel), geo = in_dir(data_dir, geo_rel),
                    mx_file = in_dir(data_dir, mx_rel), asfr_file = in_dir(data_dir, asfr_rel),
                    srb_file = in_dir(data_dir, srb_rel);
  sc.inputs = {
      {"base population, floating share (2020 census, 16 Beijing districts)", census, census_rel},
      {"district English names", geo, geo_rel},
      {"mortality: China WPP 2022 abridged mx 2015-2020", mx_file, mx_rel},
      {"fertility age pattern: China WPP 2022 pasfr 2015-2020", asfr_file, asfr_rel},
      {"sex ratio at birth: China WPP 2022, 2020", srb_file, srb_rel},
  };

  // Zones and base population.
  const std::vector<CensusDistrict> districts = read_census_districts(census, "1101");
  std::map<std::string, std::string> names_en;
  {
    const geodata::Table g = geodata::read_table(geo, {{"code", geodata::ColumnType::text},
                                                       {"name_en", geodata::ColumnType::text}});
    for (std::size_t r = 0; r < g.size(); ++r) names_en[g.text(r, "code")] = g.text(r, "name_en");
  }
  const int Z = static_cast<int>(districts.size()), G = 2, A = sc.grid.n_ages;
  sc.base_population = CohortArray(CohortLayout{Z, G, sc.grid});
  std::vector<double> floating_persons(uz(Z));
  for (int z = 0; z < Z; ++z) {
    const CensusDistrict& d = districts[uz(z)];
    sc.zones.push_back({d.code, d.name, names_en.count(d.code) ? names_en.at(d.code) : std::string()});
    const std::vector<double> p = census_population_by_sex_age(d, sc.grid, census);
    const double resident = d.at("pop_resident", census);
    double cells = 0.0;
    for (double v : p) cells += v;
    if (std::abs(cells - resident) > 0.5)
      throw InputError(census + ": district " + d.code + ": the age-sex cells sum to " + std::to_string(cells) +
                       " persons but pop_resident is " + std::to_string(resident) + "; expected them to agree");
    const double other_province = d.at("pop_hukou_elsewhere_other_province", census);
    const double share = resident > 0.0 ? other_province / resident : 0.0;
    if (!(share >= 0.0 && share <= 1.0))
      throw InputError(census + ": district " + d.code + ": pop_hukou_elsewhere_other_province " +
                       std::to_string(other_province) + " for " + std::to_string(resident) +
                       " residents; expected between 0 and the resident population");
    floating_persons[uz(z)] = other_province;
    for (int s = 0; s < 2; ++s)
      for (int i = 0; i < A; ++i) {
        const double persons = p[uz(s) * uz(A) + uz(i)];
        const double floating_here = persons * share;
        sc.base_population.at(z, floating, s, i) = floating_here;
        sc.base_population.at(z, registered, s, i) = persons - floating_here;  // the cell's sum stays the census count
      }
  }

  // Named aggregate: the core districts 东城区 and 西城区.
  ZoneAggregate core{"core", {}};
  for (int z = 0; z < Z; ++z)
    if (sc.zones[uz(z)].id == "110101" || sc.zones[uz(z)].id == "110102") core.zones.push_back(z);
  if (core.zones.size() != 2)
    throw InputError(census + ": districts 110101 (东城区) and 110102 (西城区) are needed for the 'core' aggregate");
  sc.aggregates.push_back(core);

  sc.plan_periods = {{2021, 2025, "14th Five-Year Plan"}, {2026, 2030, "15th Five-Year Plan"}, {2031, 2035, ""}};

  // Schedules, the same in every step.
  StepSchedules s;
  s.mortality_kind = MortalityInput::death_rates;
  const std::size_t rows = uz(sc.grid.life_table_rows());
  std::vector<double> mx[2];
  // WPP's rates go on past 85 (to 100+): the table's own 85-89 rate travels with the grid's rates as the scenario
  // file's loader carries it (StepSchedules::mortality_next; 80-84's Greville nax takes it, DemoTools'
  // lt_abridged(OAnew = 85) order), so that the file's baseline stays this scenario cell for cell.
  double next[2] = {std::nan(""), std::nan("")};
  for (int sx = 0; sx < 2; ++sx) {
    const Sex sex = static_cast<Sex>(sx);
    const std::vector<double> given = wpp_abridged_mx(mx_file, kIso3, kSchedulePeriodStart, sex);
    mx[sx] = close_abridged_mx(given, sex, sc.grid.open_age(), sc.life_table_method);
    if (mx[sx].size() != rows)
      throw InputError(mx_file + ": " + std::to_string(mx[sx].size()) + " mx rows after closing at " +
                       std::to_string(sc.grid.open_age()) + "+; expected " + std::to_string(rows));
    if (given.size() > rows) next[sx] = given[rows - 1];  // rows 0, 1, 5, …: row rows − 1 starts at the open age
  }
  const bool with_next = !std::isnan(next[0]) || !std::isnan(next[1]);
  for (int z = 0; z < Z; ++z)
    for (int g = 0; g < G; ++g)
      for (int sx = 0; sx < 2; ++sx) {
        s.mortality.insert(s.mortality.end(), mx[sx].begin(), mx[sx].end());
        // A table ending at the open age carries its own open rate (as the loader's mx_on_grid callers do).
        if (with_next) s.mortality_next.push_back(std::isnan(next[sx]) ? mx[sx].back() : next[sx]);
      }

  const std::map<int, double> pasfr = wpp_pasfr_percent(asfr_file, kIso3, kSchedulePeriodStart);
  std::vector<double> asfr(uz(A), 0.0);
  for (const auto& [age, percent] : pasfr) {
    const int i = age / sc.grid.width_years;
    if (i >= A) throw InputError(asfr_file + ": mother's age group " + std::to_string(age) + " is beyond the age grid");
    asfr[uz(i)] = percent / 100.0 * kAssumedTfr / sc.grid.width_years;  // TFR = 5 · Σ asfr
  }
  for (int z = 0; z < Z; ++z)
    for (int g = 0; g < G; ++g) s.asfr.insert(s.asfr.end(), asfr.begin(), asfr.end());

  s.srb.assign(uz(Z), wpp_annual_value(srb_file, kIso3, kSrbYear, "srb_males_per_female"));

  // Net in-migration of floating persons: city total per step, split by the districts' floating population.
  double floating_total = 0.0;
  for (double f : floating_persons) floating_total += f;
  const std::vector<double> age_shares = rogers_castro_age_shares(sc.grid);
  const double per_step = kNetInMigrationPerYear * sc.grid.width_years;
  const CohortLayout layout = sc.base_population.layout();
  s.net_migrants.assign(layout.cells(), 0.0);
  for (int z = 0; z < Z; ++z) {
    const double district = floating_total > 0.0 ? per_step * floating_persons[uz(z)] / floating_total : 0.0;
    for (int sx = 0; sx < 2; ++sx) {
      const double by_sex = district * (sx == 0 ? kFemaleShareOfMigrants : 1.0 - kFemaleShareOfMigrants);
      for (int i = 0; i < A; ++i) s.net_migrants[layout.index(z, floating, sx, i)] = by_sex * age_shares[uz(i)];
    }
  }

  // Hukou transition floating → registered by the age group at the start of the step.
  GroupTransition t;
  t.from_group = floating;
  t.to_group = registered;
  t.rate_per_year.assign(kSexes * uz(A), 0.0);
  for (int sx = 0; sx < 2; ++sx)
    for (int i = 0; i < A; ++i) {
      const int age = sc.grid.age_start(i);
      if (age >= kTransitionFromAge && age + sc.grid.width_years - 1 <= kTransitionToAge)
        t.rate_per_year[uz(sx) * uz(A) + uz(i)] = kHukouTransitionPerYear;
    }
  s.transitions.push_back(std::move(t));
  sc.schedules.push_back(std::move(s));

  sc.assumptions = {
      "Base population: 2020 census (七普) resident population (常住人口) of Beijing's 16 districts on 1 November 2020, "
      "used as the end-2020 population (base year 2020 = end of 2020, docs/ccmpp.md Part C; the two months are "
      "ignored). Census ages 0 and 1-4 are summed into 0-4; 85+ is the open age group.",
      "Groups: 'floating' (流动) = residents whose hukou is registered in another province "
      "(pop_hukou_elsewhere_other_province, 外省市来京人口); 'registered' (户籍) = all other residents, including "
      "those with a Beijing hukou registered in another district. Approximation: each district's floating share "
      "(pop_hukou_elsewhere_other_province / pop_resident) is applied evenly to every age and sex, because the "
      "census table gives the floating population by district only.",
      "Mortality: China's WPP 2022 abridged death rates for 2015-2020 (CHN), the same for every district, group and "
      "step (no mortality improvement; Beijing's mortality is lower than China's, so deaths are likely "
      "overstated). Rows 0, 1-4, ..., 80-84 as given; m(85+) = l(85) / T(85) of the full abridged life table to 100+, "
      "whose own 85-89 rate the Greville nax of 80-84 takes (DemoTools' lt_abridged(OAnew = 85) order).",
      "Fertility: China's WPP 2022 age pattern of fertility for 2015-2020 (pasfr), scaled to an assumed total "
      "fertility rate of 1.0 child per woman in every district, group and step. The TFR of 1.0 is an assumption, "
      "not a Beijing statistic. Births to floating mothers stay in the floating group.",
      "Sex ratio at birth: China's WPP 2022 value for 2020 (male births per female birth), every district.",
      "Migration (illustrative assumption): net in-migration of 50,000 floating persons a year to the whole city "
      "(250,000 per five-year step), split over districts in proportion to their 2020 floating population, half "
      "women, and over age by a standard Rogers-Castro schedule (engine defaults). No migration of the registered "
      "group. Half of each step's migrants arrive at its start, half at its end.",
      "Hukou transition (illustrative assumption): 1% of the floating population aged 15-64 becomes registered each "
      "year (by the age group at the start of the step), both sexes, every district.",
  };
  sc.validate();
  return sc;
}

}  // namespace cohortgis::scenarios
