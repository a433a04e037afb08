// SPDX-License-Identifier: Apache-2.0
// The age bands the standard indicators count persons in, and the grids they can be counted on (indicators.hpp).
#include <algorithm>

#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/indicator_ages.hpp"
#include "cohortgis/engine/indicator_kinds.hpp"

namespace cohortgis {

namespace {
// The indices in kStandardAgeBands of the bands the indicator counts persons in; empty: no age band.
std::vector<int> bands_of(Indicator id) {
  switch (id) {
    case Indicator::share_0_14:
      return {0};
    case Indicator::share_15_64:
    case Indicator::age_15_64:
      return {1};
    case Indicator::share_65_plus:
    case Indicator::age_65_plus:
    case Indicator::e65_female:
    case Indicator::e65_male:
      return {2};
    case Indicator::share_60_plus:
    case Indicator::age_60_plus:
      return {3};
    case Indicator::women_15_49:
      return {4};
    case Indicator::age_0_2:
      return {5};
    case Indicator::age_3_5:
      return {6};
    case Indicator::age_6_11:
      return {7};
    case Indicator::age_12_14:
      return {8};
    case Indicator::age_15_59:
      return {9};
    case Indicator::old_age_dependency_ratio:
      return {1, 2};
    case Indicator::total_dependency_ratio:
      return {0, 1, 2};
    default:
      return {};
  }
}

int min_open_age(const StandardAgeBand& b) { return b.to == 0 ? b.from : b.to; }
}  // namespace

int indicator_min_open_age(Indicator id) {
  int need = 0;
  for (const int k : bands_of(id)) need = std::max(need, min_open_age(kStandardAgeBands[k]));
  return need;
}

std::string indicator_age_band(Indicator id) {
  const std::vector<int> bands = bands_of(id);
  std::string text;
  for (std::size_t i = 0; i < bands.size(); ++i) {
    const StandardAgeBand& b = kStandardAgeBands[bands[i]];
    if (i > 0) text += i + 1 == bands.size() ? " and " : ", ";
    text += std::to_string(b.from) + (b.to == 0 ? "+" : "-" + std::to_string(b.to - 1));
  }
  return text;
}

int band_min_open_age(const AgeBand& b) {
  if (is_fertility_measure(b.measure)) return 0;  // fertility: no age band
  const int own = b.to_age < 0 ? b.from_age : b.to_age + 1;
  return b.measure == AgeBand::Measure::per_100_aged_15_64 ? std::max(own, 65) : own;  // P_15–64 needs 65
}

namespace {
// UN World Population Prospects' and 国家统计局's bounds, as the standard indicators (docs/results.md).
const AgeBand kOptionalIndicators[] = {
    {"age_15_17", 15, 17, -1, AgeBand::Measure::persons},
    {"age_80_plus", 80, -1, -1, AgeBand::Measure::persons},
    {"share_80_plus_percent", 80, -1, -1, AgeBand::Measure::percent_of_population},
    {"child_dependency_ratio", 0, 14, -1, AgeBand::Measure::per_100_aged_15_64},
    // The fertility summaries (indicator_fertility.cpp): no persons counted, defined on every grid.
    {"mean_age_childbearing", 0, -1, 0, AgeBand::Measure::mean_age_childbearing},
    {"grr", 0, -1, 0, AgeBand::Measure::gross_reproduction_rate},
    {"nrr", 0, -1, 0, AgeBand::Measure::net_reproduction_rate},
};
}  // namespace

std::optional<AgeBand> optional_indicator(const std::string& name) {
  for (const AgeBand& b : kOptionalIndicators)
    if (b.name == name) return b;
  return std::nullopt;
}

std::vector<std::string> optional_indicator_names() {
  std::vector<std::string> names;
  for (const AgeBand& b : kOptionalIndicators) names.push_back(b.name);
  return names;
}

std::vector<std::size_t> indicators_off_grid(const AgeGrid& grid, const std::vector<AgeBand>& extra_bands) {
  std::vector<std::size_t> off;
  for (int k = 0; k < kStandardIndicators; ++k)
    if (indicator_min_open_age(static_cast<Indicator>(k)) > grid.open_age()) off.push_back(uz(k));
  for (std::size_t k = 0; k < extra_bands.size(); ++k)
    if (band_min_open_age(extra_bands[k]) > grid.open_age()) off.push_back(uz(kStandardIndicators) + k);
  return off;
}

}  // namespace cohortgis
