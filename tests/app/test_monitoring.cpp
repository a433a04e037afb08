// SPDX-License-Identifier: Apache-2.0
// Monitoring against published statistics (app/monitoring.hpp) on a small table checked by hand: 万人 units,
// a year between projected years (interpolated), tolerance flags (relative and absolute), a fitted figure, a figure
// the projection has no value for, and bad tables (file, row, column named).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

#include "cohortgis/app/monitoring.hpp"
#include "cohortgis/engine/types.hpp"

using namespace cohortgis;
using namespace cohortgis::app;
namespace fs = std::filesystem;

namespace {

scenarios::MonitoringSpec spec(const std::string& table) {
  scenarios::MonitoringSpec s;
  s.observed = table;
  s.whole_area = "900000";
  s.names["population_resident"] = {"population", "all"};
  s.names["population_floating"] = {"population", "floating"};
  s.tolerances["population_resident"] = {scenarios::Tolerance::Kind::relative, 0.01};
  s.tolerances["population_floating"] = {scenarios::Tolerance::Kind::relative, 0.01};
  s.tolerances["cbr_per_1000"] = {scenarios::Tolerance::Kind::relative, 0.15};
  s.tolerances["natural_growth_per_1000"] = {scenarios::Tolerance::Kind::absolute, 0.5};
  s.fitted["population_floating"] = {2025};
  return s;
}

MonitoringScope scope() {
  MonitoringScope sc;
  sc.zones = {"A", "B"};
  sc.groups = {"registered", "floating"};
  sc.base_year = 2020;
  sc.end_year = 2030;
  sc.indicators = {"population", "cbr_per_1000", "natural_growth_per_1000", "e0_female"};
  sc.flow_indicators = {"cbr_per_1000", "natural_growth_per_1000", "e0_female"};
  return sc;
}

// The projection at its years 2020, 2025, 2030 (five-year steps).
std::optional<double> projected(int year, const std::string& zone, const std::string& group, const std::string& ind) {
  static const std::map<std::string, double> v = {{"2020|total|all|population", 100000},
                                                  {"2025|total|all|population", 106000},
                                                  {"2030|total|all|population", 110000},
                                                  {"2025|A|all|cbr_per_1000", 6.5},
                                                  {"2025|total|all|natural_growth_per_1000", -0.5},
                                                  {"2025|total|floating|population", 31000}};
  const auto it = v.find(std::to_string(year) + "|" + zone + "|" + group + "|" + ind);
  if (it == v.end()) return std::nullopt;
  return it->second;
}

std::string write_table(const std::string& name, const std::string& text) {
  const fs::path p = fs::temp_directory_path() / ("cohortgis_monitoring_" + name + ".csv");
  std::ofstream(p) << text;
  return p.string();
}

std::string error_of(const std::string& body) {
  const std::string path = write_table("bad", "year,zone,indicator,value,unit\n" + body);
  try {
    read_observed_figures(spec(path), scope());
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST(Monitoring, UnitsOfCountsRatesAndYears) {
  EXPECT_EQ(unit_factor("10k persons", "population"), 1e4);
  EXPECT_EQ(unit_factor("万人", "age_65_plus"), 1e4);
  EXPECT_EQ(unit_factor("persons", "births"), 1.0);
  EXPECT_EQ(unit_factor("‰", "cdr_per_1000"), 1.0);
  EXPECT_EQ(unit_factor("years", "e0"), 1.0);
  EXPECT_FALSE(unit_factor("per 1000", "population"));  // a rate unit on a count
  EXPECT_FALSE(unit_factor("furlongs", "e0"));
}

TEST(Monitoring, SmallTableByHand) {
  const std::string table = std::string(COHORTGIS_FIXTURES) + "/monitoring/observed_small.csv";
  const auto figures = read_observed_figures(spec(table), scope());
  ASSERT_EQ(figures.size(), 7u);
  const auto rows = monitor(figures, spec(table), {2020, 2025, 2030}, projected);
  ASSERT_EQ(rows.size(), 7u);
  // 2025 resident population: 10.5 万人 = 105,000 against 106,000: +1000, +0.952 % (within 1 %).
  EXPECT_EQ(rows[0].zone, "total");
  EXPECT_DOUBLE_EQ(rows[0].values.observed, 105000);
  EXPECT_DOUBLE_EQ(rows[0].values.difference, 1000);
  EXPECT_NEAR(rows[0].values.relative_difference, 1000.0 / 105000.0, 1e-15);
  EXPECT_EQ(rows[0].role, "checked");
  EXPECT_EQ(rows[0].flag(), "");
  // 2023: no projected value; 100,000 + 3/5 · 6,000 = 103,600 against 102,000: +1.569 % → beyond 1 %, interpolated.
  EXPECT_NEAR(rows[1].values.projected, 103600, 1e-9);
  EXPECT_NEAR(rows[1].values.relative_difference, 1600.0 / 102000.0, 1e-15);
  EXPECT_EQ(rows[1].flag(), "beyond_tolerance interpolated");
  // CBR of zone A: 6.5 against 6.0, +8.33 % within 15 %.
  EXPECT_NEAR(rows[2].values.relative_difference, 0.5 / 6.0, 1e-15);
  EXPECT_EQ(rows[2].flag(), "");
  // Natural growth: −0.5 against +0.1 ‰: difference −0.6, beyond the absolute 0.5 (the relative −600 % means little).
  EXPECT_NEAR(rows[3].values.difference, -0.6, 1e-15);
  EXPECT_EQ(rows[3].flag(), "beyond_tolerance");
  // Floating population 3 万人 = 30,000 against 31,000 (+3.3 %): fitted, so never flagged.
  EXPECT_EQ(rows[4].group, "floating");
  EXPECT_EQ(rows[4].indicator, "population");
  EXPECT_EQ(rows[4].role, "fitted");
  EXPECT_EQ(rows[4].flag(), "");
  // e0 of zone B: the projection has no value in any year.
  EXPECT_TRUE(std::isnan(rows[5].values.projected));
  EXPECT_EQ(rows[5].flag(), "no_projection");
  // CBR of zone A in 2023: a flow, so the rate of the step 2021-2025 (6.5) against 6.2: +0.3, +4.84 %, step_mean.
  EXPECT_NEAR(rows[6].values.projected, 6.5, 1e-15);
  EXPECT_NEAR(rows[6].values.relative_difference, 0.3 / 6.2, 1e-14);
  EXPECT_EQ(rows[6].flag(), "step_mean");
  const std::string csv = monitoring_csv(rows);
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "year,zone,group,indicator,observed,projected,difference,relative_difference,role,flag");
  EXPECT_NE(csv.find("\n2023,total,all,population,102000,103600,1600,"), std::string::npos);
  EXPECT_NE(csv.find(",checked,beyond_tolerance interpolated\n"), std::string::npos);
}

TEST(Monitoring, BadTablesNameRowAndColumn) {
  const auto has = [](const std::string& e, const std::string& part) { return e.find(part) != std::string::npos; };
  std::string e = error_of("2025,C,population,1,persons\n");
  EXPECT_TRUE(has(e, "data row 1") && has(e, "column 'zone'") && has(e, "'C' is not a zone")) << e;
  e = error_of("2025,A,population,1,persons\n2020,A,population,1,persons\n");
  EXPECT_TRUE(has(e, "data row 2") && has(e, "column 'year'") && has(e, "after the base year 2020")) << e;
  e = error_of("2031,A,population,1,persons\n");
  EXPECT_TRUE(has(e, "column 'year'") && has(e, "horizon 2030")) << e;
  e = error_of("2025,A,gdp_per_capita,1,persons\n");
  EXPECT_TRUE(has(e, "column 'indicator'") && has(e, "neither an indicator")) << e;
  e = error_of("2025,A,population,1,bananas\n");
  EXPECT_TRUE(has(e, "column 'unit'") && has(e, "'bananas' cannot be read")) << e;
  e = error_of("2025,A,population,1,persons\n2025,A,population,2,persons\n");
  EXPECT_TRUE(has(e, "data row 2") && has(e, "same year, zone")) << e;
}

// An encoding declared for a table whose text is UTF-8 by its format (GeoJSON) is refused naming the key
// `monitoring.observed.encoding`, as every other table's is (round 30, h196: the message named only the file).
TEST(Monitoring, AnEncodingDeclaredForUtf8TextNamesItsKey) {
  const fs::path p = fs::temp_directory_path() / "cohortgis_monitoring_utf8.geojson";
  std::ofstream(p) << R"({"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": null, )"
                      R"("properties": {"year": 2025, "zone": "A", "indicator": "population", "value": 1, )"
                      R"("unit": "persons"}}]})";
  scenarios::MonitoringSpec s;
  s.observed = p.string();
  s.encoding = "GBK";
  try {
    read_observed_figures(s, scope());
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    const std::string m = e.what();
    EXPECT_EQ(m.rfind("key 'monitoring.observed.encoding': ", 0), 0u) << m;
    EXPECT_NE(m.find("encoding 'GBK' declared, but the text of a GeoJSON source is UTF-8"), std::string::npos) << m;
  }
  s.encoding.clear();
  EXPECT_EQ(read_observed_figures(s, scope()).size(), 1u);
}

// A row of an indicator whose age band the grid cannot count (share_65_plus_percent on a grid open at 20, which the
// projection leaves empty) is refused naming the row, the indicator, its band and the grid's open age; on a grid
// open at 65 the same row is read, and a band below the open age (age_0_2) is read at 20.
TEST(Monitoring, IndicatorAboveTheGridsOpenAgeIsRefused) {
  MonitoringScope sc = scope();
  sc.indicators.push_back("share_65_plus_percent");
  sc.indicators.push_back("age_0_2");
  const std::string path =
      write_table("band",
                  "year,zone,indicator,value,unit\n2025,A,age_0_2,300,persons\n2025,A,share_65_plus_percent,"
                  "12,percent\n");
  scenarios::MonitoringSpec bare;  // no names, tolerances or fitted years (they need rows of their own)
  bare.observed = path;
  sc.open_age = 20;
  std::string e;
  try {
    read_observed_figures(bare, sc);
  } catch (const InputError& x) {
    e = x.what();
  }
  for (const char* part :
       {"data row 2", "column 'indicator'", "indicator 'share_65_plus_percent' counts persons aged 65+",
        "open age group 20+", "projection.open_age of at least 65"})
    EXPECT_NE(e.find(part), std::string::npos) << part << " in: " << e;
  sc.open_age = 65;
  EXPECT_EQ(read_observed_figures(bare, sc).size(), 2u);
}
