// SPDX-License-Identifier: Apache-2.0
// Outputs of a run whose base population came from a person-level register (exclusions.csv, parity_base.csv), and
// small-cell suppression of published counts (`[outputs] min_cell`). Aggregates only: no record reaches a file.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "cohortgis/app/backtest.hpp"
#include "cohortgis/app/language.hpp"

#include "cohortgis/scenarios/scenario_file.hpp"

namespace cohortgis::app {

// A published count by person: empty when 0 < v < min_cell (suppressed), else the number; returns whether it was
// suppressed. min_cell <= 0 suppresses nothing.
bool append_published(std::string& out, double v, int min_cell);

// Writes exclusions.csv (every reason: its policy, count and first rows) and, when the register maps children ever
// born, parity_base.csv into `dir`; returns the names written (none without a register).
std::vector<std::string> write_records_outputs(const std::filesystem::path& dir, const scenarios::ScenarioSet& set);

// The report's register section (nothing when the results hold no register outputs): every register, its rows
// left out by reason under the declared policy (exclusions.csv, register_exclusions.csv), and the events counted
// per year for the whole area (register_observed.csv).
std::optional<ReportSection> register_report_section(const Results& results, Language language);

}  // namespace cohortgis::app
