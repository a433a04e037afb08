// SPDX-License-Identifier: Apache-2.0
// The jobs behind `cohortgis map`, `cohortgis report` and `cohortgis info`, on a results folder written by
// `cohortgis run` (run.hpp). Errors are InputError naming the folder, file, row or option to fix.
#pragma once

#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "cohortgis/app/language.hpp"

namespace cohortgis::app {

// ---- cohortgis map ----

struct MapRequest {
  std::string results_dir;
  std::string indicator = "population";  // an indicators.csv indicator, or a plan_periods.csv column with `period`
  std::optional<int> year;               // exactly one of year, period, change
  std::string period;                    // a plan period, e.g. "2026-2030"
  std::optional<std::pair<int, int>> change;  // from, to (years): value(to) - value(from)
  bool percent = false;                  // with change: 100 (to - from) / from
  std::string variant = "baseline";
  std::string group = "all";
  std::string format = "png";            // png, svg, pdf
  std::string classes = "quantile";      // quantile, equal, jenks
  int n_classes = 5;
  double dpi = 96;                       // png: 300 for print
  std::optional<Language> language;      // default: the run's language
  std::string out;                       // file; empty: <results_dir>/maps/<indicator>_<when>[_<variant>].<format>
  // Set (by a signal) to stop: the drawing stops with ProjectionError("drawing cancelled") and writes nothing.
  const std::atomic<bool>* cancel = nullptr;
};

struct MapResult {
  std::string file;
  std::vector<std::string> warnings;  // inputs changed since the run; results that cannot be verified
  std::vector<double> breaks;  // class breaks of the legend (display units)
  std::string legend;          // the legend's title: the unit of the values (万人, %, 百分点 …)
};

// Draws one choropleth from a results folder with zone boundaries (results.gpkg). Checks the folder as make_report
// does; a map written into the results folder is added to its manifest.json.
MapResult make_map(const MapRequest& request);

// ---- cohortgis report ----

struct ReportResult {
  std::string file;                  // report.html
  std::vector<std::string> figures;  // image files drawn and maps/legend.json, relative to the results folder
  std::vector<std::string> warnings;  // inputs changed since the run; results that cannot be verified
};

// (Re)draws the maps and charts of a results folder and writes its report.html (one self-contained file: images
// inline as base64 PNG, CSS inline, no scripts, nothing fetched). language: default the run's language.
// Refuses (InputError with the list) when manifest.json was edited or a results file changed since the run
// (require_intact_results, results.hpp); verify = false skips that (the run itself, on the folder it just wrote).
// The files drawn are added to manifest.json's file list. A file in the way that cohortgis did not write (or a
// symbolic link) is not overwritten: InputError.
// cancel: set to true (SIGINT/SIGTERM) stops drawing with ProjectionError.
// threads: figures drawn at the same time, each into its own image (0: every core); the files are the same for any
// number.
ReportResult make_report(const std::string& results_dir, std::optional<Language> language = {}, bool verify = true,
                         const std::atomic<bool>* cancel = nullptr, int threads = 0);

// ---- cohortgis info ----

// A description of a file for a person: a results folder (scenario, years, variants, targets, files), a scenario
// file (as `validate`), a zones file (layer, zones, CRS, extent, fields) or a table (columns, rows).
// layer: the layer or sheet to describe (default: the first).
// encoding: of a zones file's or table's text (e.g. "GBK"; empty: UTF-8), as a scenario's `encoding` key.
// failures: where a results folder's files that cannot be read are reported (the description then says so and lists
// every file's verification); null: the first of them is thrown as InputError instead.
std::string describe(const std::string& path, const std::string& layer = {}, const std::string& data_dir = {},
                     const std::string& encoding = {}, std::vector<std::string>* failures = nullptr);

}  // namespace cohortgis::app
