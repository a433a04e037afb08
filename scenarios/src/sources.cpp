// SPDX-License-Identifier: Apache-2.0
#include "cohortgis/scenarios/sources.hpp"

#include "cohortgis/engine/graduation.hpp"

#include <cmath>

#include "cohortgis/geodata/table.hpp"
#include "cohortgis/engine/index_cast.hpp"

namespace cohortgis::scenarios {

using geodata::ColumnSpec;
using geodata::ColumnType;

namespace {


// Integer cell (years, ages) with the table's own error context.
int whole(const geodata::Table& t, std::size_t row, const std::string& col) {
  const double v = t.number(row, col);
  if (v != std::floor(v) || std::abs(v) > 1e9)
    throw InputError(t.where(row, col) + ": '" + t.text(row, col) + "' is not a whole number; expected a year or age");
  return static_cast<int>(v);
}

// Census age cell suffixes and their start ages (the census groups of census2020_districts.csv).
struct CensusAge {
  const char* suffix;
  int start;
};
constexpr CensusAge kCensusAges[] = {{"0", 0},       {"1_4", 1},     {"5_9", 5},     {"10_14", 10}, {"15_19", 15},
                                     {"20_24", 20},  {"25_29", 25},  {"30_34", 30},  {"35_39", 35}, {"40_44", 40},
                                     {"45_49", 45},  {"50_54", 50},  {"55_59", 55},  {"60_64", 60}, {"65_69", 65},
                                     {"70_74", 70},  {"75_79", 75},  {"80_84", 80},  {"85p", 85}};
constexpr int kCensusOpenAge = 85;

}  // namespace

double CensusDistrict::at(const std::string& indicator, const std::string& file) const {
  const auto it = values.find(indicator);
  if (it == values.end())
    throw InputError(file + ": district " + code + " (" + name + ") has no row for indicator '" + indicator +
                     "'; expected one row per district and indicator");
  return it->second;
}

std::vector<CensusDistrict> read_census_districts(const std::string& path, const std::string& code_prefix,
                                                  const std::string& layer, const std::string& encoding) {
  const geodata::Table t = geodata::read_table(path,
                                               {{"code", ColumnType::text},
                                                {"name_zh", ColumnType::text},
                                                {"indicator", ColumnType::text},
                                                {"value", ColumnType::number}},
                                               layer, encoding);
  const std::size_t c_code = t.column("code"), c_name = t.column("name_zh"), c_ind = t.column("indicator"),
                    c_val = t.column("value");
  std::vector<CensusDistrict> out;
  std::map<std::string, std::size_t> index;
  for (std::size_t r = 0; r < t.size(); ++r) {
    const std::string& code = t.text(r, c_code);
    if (code.rfind(code_prefix, 0) != 0) continue;
    auto [it, fresh] = index.emplace(code, out.size());
    if (fresh) out.push_back({code, t.text(r, c_name), {}});
    CensusDistrict& d = out[it->second];
    if (!d.values.emplace(t.text(r, c_ind), t.number(r, c_val)).second)
      throw InputError(t.where(r, c_ind) + ": indicator '" + t.text(r, c_ind) + "' appears twice for district " +
                       code + "; expected one row per district and indicator");
  }
  if (out.empty())
    throw InputError(path + ": no district code starts with '" + code_prefix + "'; expected census rows for them");
  return out;
}

std::vector<double> census_population_by_sex_age(const CensusDistrict& d, const AgeGrid& grid,
                                                 const std::string& file) {
  if ((grid.width_years != 5 && grid.width_years != 1) || grid.open_age() > kCensusOpenAge)
    throw InputError("census population: needs a grid of five-year or single-year groups with its open group at 85 or "
                     "below (the census tables end with 85+); got a grid of " + std::to_string(grid.width_years) +
                     "-year groups open at " + std::to_string(grid.open_age()));
  std::vector<double> p(kSexes * uz(grid.n_ages), 0.0);
  for (int s = 0; s < 2; ++s) {
    std::vector<double> cells;
    std::vector<int> starts;
    for (const CensusAge& a : kCensusAges) {
      const double v = d.at(std::string(s == 0 ? "pop_f_" : "pop_m_") + a.suffix, file);
      if (!(v >= 0.0))
        throw InputError(file + ": district " + d.code + ", pop_" + (s == 0 ? "f_" : "m_") + a.suffix + " = " +
                         std::to_string(v) + "; expected persons ≥ 0");
      cells.push_back(v);
      starts.push_back(a.start);
    }
    // Single years: the census groups graduated, each group's total kept (engine graduation.hpp).
    if (grid.width_years == 1) cells = graduate_counts_to_single_years(cells, starts);
    for (std::size_t k = 0; k < cells.size(); ++k) {
      const int age = grid.width_years == 1 ? static_cast<int>(k) : starts[k];
      const int i = std::min(age / grid.width_years, grid.open_index());
      p[uz(s) * uz(grid.n_ages) + uz(i)] += cells[k];
    }
  }
  return p;
}

std::vector<double> wpp_abridged_mx(const std::string& path, const std::string& iso3, int period_start, Sex sex) {
  const geodata::Table t = geodata::read_table(path, {{"iso3", ColumnType::text},
                                                      {"period_start", ColumnType::number},
                                                      {"age_start", ColumnType::number},
                                                      {"sex", ColumnType::text},
                                                      {"mx", ColumnType::number}});
  std::map<int, double> by_age;
  for (std::size_t r = 0; r < t.size(); ++r) {
    if (t.text(r, "iso3") != iso3 || t.text(r, "sex") != sex_name(sex) || whole(t, r, "period_start") != period_start)
      continue;
    if (!by_age.emplace(whole(t, r, "age_start"), t.number(r, "mx")).second)
      throw InputError(t.where(r, "age_start") + ": a second row for this country, period, sex and age");
  }
  // Rows 0, 1, 5, 10, … without gaps.
  std::vector<double> mx;
  int expect = 0;
  for (const auto& [age, m] : by_age) {
    if (age != expect)
      throw InputError(path + ": " + iso3 + " " + std::to_string(period_start) + " " + sex_name(sex) +
                       ": no mx row for age " + std::to_string(expect) + "; expected rows 0, 1, 5, 10, … to the open age");
    mx.push_back(m);
    expect = age == 0 ? 1 : (age == 1 ? 5 : age + 5);
  }
  if (mx.size() < 4)
    throw InputError(path + ": " + iso3 + " period " + std::to_string(period_start) + " " + sex_name(sex) +
                     ": found " + std::to_string(mx.size()) + " mx rows; expected an abridged schedule 0, 1–4, 5–9, …");
  return mx;
}

std::vector<double> close_abridged_mx(const std::vector<double>& mx, Sex sex, int open_age,
                                      const LifeTableMethod& method) {
  const LifeTable lt = abridged_life_table(mx, sex, method);
  const std::size_t r = lt.row_of_age(open_age);  // throws when open_age is not a row start
  std::vector<double> out(mx.begin(), mx.begin() + static_cast<std::ptrdiff_t>(r));
  out.push_back(lt.lx[r] / lt.Tx[r]);
  return out;
}

std::map<int, double> wpp_pasfr_percent(const std::string& path, const std::string& iso3, int period_start) {
  const geodata::Table t = geodata::read_table(path, {{"iso3", ColumnType::text},
                                                      {"period_start", ColumnType::number},
                                                      {"age_start", ColumnType::number},
                                                      {"pasfr_percent", ColumnType::number}});
  std::map<int, double> out;
  for (std::size_t r = 0; r < t.size(); ++r) {
    if (t.text(r, "iso3") != iso3 || whole(t, r, "period_start") != period_start) continue;
    const int age = whole(t, r, "age_start");
    if (age % 5 != 0) throw InputError(t.where(r, "age_start") + ": expected a five-year group start (10, 15, …)");
    if (!out.emplace(age, t.number(r, "pasfr_percent")).second)
      throw InputError(t.where(r, "age_start") + ": a second row for this country, period and age");
  }
  if (out.empty())
    throw InputError(path + ": no rows for " + iso3 + " period starting " + std::to_string(period_start));
  return out;
}

double wpp_annual_value(const std::string& path, const std::string& iso3, int year, const std::string& column) {
  const geodata::Table t = geodata::read_table(
      path, {{"iso3", ColumnType::text}, {"year", ColumnType::number}, {column, ColumnType::number}});
  for (std::size_t r = 0; r < t.size(); ++r)
    if (t.text(r, "iso3") == iso3 && whole(t, r, "year") == year) return t.number(r, column);
  throw InputError(path + ": no row for " + iso3 + " year " + std::to_string(year) + " (column '" + column + "')");
}

}  // namespace cohortgis::scenarios
