// SPDX-License-Identifier: Apache-2.0
// Readers for the input tables shipped under data/ (census districts, WPP schedules), shared by scenario builders.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "cohortgis/engine/life_table.hpp"
#include "cohortgis/engine/types.hpp"

namespace cohortgis::scenarios {

// One district of the long census table (census/census2020_districts.csv: code,name_zh,indicator,value,…).
struct CensusDistrict {
  std::string code;
  std::string name;
  std::map<std::string, double> values;  // indicator → value
  // The value of `indicator`; throws InputError naming the file and district when the row is missing.
  double at(const std::string& indicator, const std::string& file) const;
};

// Districts whose code starts with `code_prefix` ("" for all), in file order; `layer` and `encoding` as the table
// reference gives them (geodata::read_table).
std::vector<CensusDistrict> read_census_districts(const std::string& path, const std::string& code_prefix,
                                                  const std::string& layer = {}, const std::string& encoding = {});

// Persons by sex on a five-year grid from the census cells pop_f_<age>/pop_m_<age> (0, 1_4, 5_9, …, 80_84, 85p):
// index 0 = cells 0 + 1_4; the grid's open group sums every census group from its start age. [sex][age].
std::vector<double> census_population_by_sex_age(const CensusDistrict& d, const AgeGrid& grid, const std::string& file);

// WPP abridged mx (data/wpp/mortality_mx_abridged_*.csv) of one country, period and sex, rows 0, 1–4, 5–9, …, open.
std::vector<double> wpp_abridged_mx(const std::string& path, const std::string& iso3, int period_start, Sex sex);

// Abridged mx cut to a lower open age: rows below `open_age` as given, and m(open) = l(open) / T(open) of the full
// abridged life table, so the open group keeps the table's person-years (L = l/m, A1).
std::vector<double> close_abridged_mx(const std::vector<double>& mx, Sex sex, int open_age,
                                      const LifeTableMethod& method);

// WPP percentage distribution of fertility over five-year ages of mother (pasfr_percent), by age start.
std::map<int, double> wpp_pasfr_percent(const std::string& path, const std::string& iso3, int period_start);

// One value of an annual WPP table (e.g. srb_annual_*.csv, column srb_males_per_female).
double wpp_annual_value(const std::string& path, const std::string& iso3, int year, const std::string& column);

}  // namespace cohortgis::scenarios
