// SPDX-License-Identifier: Apache-2.0
// Internal: report.html from results already read (`cohortgis run` reads its folder once for results.gpkg and the
// report; make_report, commands.hpp, reads it itself).
#pragma once

#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "cohortgis/app/commands.hpp"
#include "cohortgis/app/results.hpp"

namespace cohortgis::app {

// make_report's drawing and writing on `r`, the results of r.dir as load_results read them. threads: figures drawn
// at the same time (0: every core; the files are the same for any number). warnings go into the result as they are.
ReportResult write_report(const Results& r, std::optional<Language> language, const std::atomic<bool>* cancel,
                          int threads, std::vector<std::string> warnings = {});

}  // namespace cohortgis::app
