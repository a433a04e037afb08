// SPDX-License-Identifier: Apache-2.0
#include "run_manifest.hpp"

#include <algorithm>
#include <chrono>

#include "library_versions.hpp"
#include "text_output.hpp"

namespace cohortgis::app {

namespace fs = std::filesystem;

namespace {

const char* timing_name(MigrationTiming t) { return t == MigrationTiming::even ? "even" : "end"; }
const char* policy_name(FlowPolicy p) {
  switch (p) {
    case FlowPolicy::conserve:
      return "conserve";
    case FlowPolicy::wpp:
      return "wpp";
    case FlowPolicy::error:
      return "error";
  }
  return "?";
}

std::string json_strings(const std::vector<std::string>& v, const std::string& indent) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ",\n" : "\n") + indent + "  " + json_string(v[i]);
  return s + (v.empty() ? "]" : "\n" + indent + "]");
}

}  // namespace

// manifest.json of a results folder: the run's description, then (output_dir.hpp) the marker, the list of files with
// their sizes and SHA-256, and the seal.
std::vector<ListedFile> write_run_manifest(const fs::path& dir, const scenarios::ScenarioSet& set,
                                           const std::vector<ZoneAggregate>& aggregates,
                                           const std::vector<InputHash>& inputs, const std::string& data_dir,
                                           const std::string& started, int threads_requested, int threads,
                                           const std::vector<StepTiming>& timings, double total_seconds,
                                           const ManifestExtras& extras) {
  const scenarios::Scenario& sc = set.runs.front();
  std::vector<std::string> variants, variant_notes, variant_titles, variant_titles_en;
  for (const auto* r : extras.runs) {
    variants.push_back(r->variant);
    // The scenario loader keeps a variant's description as the assumption "Variant NAME: …".
    std::string note;
    const std::string prefix = "Variant " + r->variant + ": ";
    for (const auto& a : r->assumptions)
      if (a.rfind(prefix, 0) == 0) note = a.substr(prefix.size());
    variant_notes.push_back(note);
    variant_titles.push_back(r->variant_title);
    variant_titles_en.push_back(r->variant_title_en);
  }
  std::string j;
  j += "  \"cohortgis_version\": " + json_string(COHORTGIS_VERSION) + ",\n";
  // What else the numbers and files depend on: another GDAL reads a table or draws a boundary, another netCDF or
  // HDF5 writes results.nc, another TBB schedules the threads (the results stay the same bits; docs/results.md).
  j += "  \"libraries\": {";
  {
    const auto libraries = library_versions();
    for (std::size_t i = 0; i < libraries.size(); ++i)
      j += std::string(i ? ", " : "") + json_string(libraries[i].first) + ": " + json_string(libraries[i].second);
  }
  j += "},\n";
  j += "  \"scenario\": {\n";
  j += "    \"name\": " + json_string(sc.name) + ",\n";
  j += "    \"title\": " + json_string(sc.title) + ",\n";
  j += "    \"title_en\": " + json_string(sc.title_en) + ",\n";
  j += "    \"file\": " + json_string(set.file) + ",\n";
  if (!extras.scenario_note.empty()) j += "    \"note\": " + json_string(extras.scenario_note) + ",\n";
  j += "    \"variants\": " + json_strings(variants, "    ") + ",\n";
  j += "    \"variant_descriptions\": " + json_strings(variant_notes, "    ") + ",\n";
  j += "    \"variant_titles\": " + json_strings(variant_titles, "    ") + ",\n";
  j += "    \"variant_titles_en\": " + json_strings(variant_titles_en, "    ") + ",\n";
  {
    // The baseline's assumptions, then each variant's own statements, once, named by the variant ("Variant NAME: "
    // as its description): a variant's fitted level read as a second, unexplained baseline note in the report.
    std::vector<std::string> a = sc.assumptions;
    for (std::size_t r = 1; r < extras.runs.size(); ++r)
      for (std::size_t k = sc.assumptions.size(); k < extras.runs[r]->assumptions.size(); ++k) {
        const std::string& s = extras.runs[r]->assumptions[k];
        if (std::find(a.begin(), a.end(), s) != a.end()) continue;  // as the baseline's (or another variant's)
        const std::string prefix = "Variant " + extras.runs[r]->variant + ": ";
        a.push_back(s.rfind(prefix, 0) == 0 ? s : prefix + s);
      }
    j += "    \"assumptions\": " + json_strings(a, "    ") + "\n";
  }
  j += "  },\n";
  j += "  \"started_at_utc\": " + json_string(started) + ",\n";
  j += "  \"language\": " + json_string(language_code(extras.language)) + ",\n";
  j += "  \"maps\": {\"zones_source\": " + json_string(extras.zones_source) +
       ", \"note\": " + json_string(extras.maps_note) + "},\n";
  j += "  \"threads\": " + std::to_string(threads) + ",\n";
  j += "  \"threads_requested\": " + std::to_string(threads_requested) + ",\n";
  j += "  \"components\": " + json_strings(extras.components, "  ") + ",\n";
  if (extras.trajectories > 0)
    j += "  \"ensemble\": {\"trajectories\": " + std::to_string(extras.trajectories) +
         ", \"seed\": " + std::to_string(extras.seed) + "},\n";
  j += "  \"data_dir\": " + json_string(data_dir) + ",\n";
  j += "  \"inputs\": [";
  for (std::size_t i = 0; i < inputs.size(); ++i)
    j += std::string(i ? ",\n" : "\n") + "    {\"path\": " + json_string(inputs[i].path) +
         ", \"sha256\": " + json_string(inputs[i].sha256) + ", \"role\": " + json_string(inputs[i].role) +
         ", \"opened\": " + json_string(inputs[i].opened) + "}";
  j += "\n  ],\n";
  j += "  \"projection\": {\n";
  j += "    \"base_year\": " + std::to_string(sc.base_year) + ",\n";
  j += "    \"end_year\": " + std::to_string(sc.end_year()) + ",\n";
  j += "    \"step_years\": " + std::to_string(sc.grid.width_years) + ",\n";
  j += "    \"age_groups\": " + std::to_string(sc.grid.n_ages) + ",\n";
  j += "    \"open_age\": " + std::to_string(sc.grid.open_age()) + ",\n";
  j += "    \"zones\": " + std::to_string(sc.zones.size()) + ",\n";
  j += "    \"groups\": " + json_strings(sc.group_names, "    ") + ",\n";
  j += "    \"aggregates\": [";
  for (std::size_t a = 0; a < aggregates.size(); ++a) {
    std::vector<std::string> ids;
    for (int z : aggregates[a].zones) ids.push_back(sc.zones[static_cast<std::size_t>(z)].id);
    std::string list = "[";
    for (std::size_t k = 0; k < ids.size(); ++k) list += (k ? ", " : "") + json_string(ids[k]);
    // Its title and title_en ([geography] aggregates), when given: the report and figures name it by them.
    std::string titles;
    if (const auto t = sc.aggregate_titles.find(aggregates[a].name); t != sc.aggregate_titles.end())
      titles = ", \"title\": " + json_string(t->second.first) + ", \"title_en\": " + json_string(t->second.second);
    j += std::string(a ? ",\n" : "\n") + "      {\"name\": " + json_string(aggregates[a].name) +
         ", \"zones\": " + list + "]" + titles + "}";
  }
  j += "\n    ],\n";
  j += "    \"migration_timing\": " + json_string(timing_name(sc.migration_timing)) + ",\n";
  j += "    \"flow_policy\": " + json_string(policy_name(sc.flow_policy)) + ",\n";
  j += "    \"steps\": [";
  for (int k = 0; k < sc.steps; ++k) {
    const int a = sc.base_year + k * sc.grid.width_years, b = a + sc.grid.width_years;
    j += std::string(k ? ",\n" : "\n") + "      {\"step\": " + std::to_string(k + 1) +
         ", \"start_year\": " + std::to_string(a) + ", \"end_year\": " + std::to_string(b) + "}";
  }
  j += "\n    ],\n";
  j += "    \"plan_periods\": [";
  for (std::size_t p = 0; p < sc.plan_periods.size(); ++p)
    j += std::string(p ? ",\n" : "\n") + "      {\"period\": " + json_string(sc.plan_periods[p].label()) +
         ", \"plan\": " + json_string(sc.plan_periods[p].plan) + "}";
  j += "\n    ]\n  },\n";
  j += "  \"conventions\": " +
       json_strings(
           {"Population labelled year Y is the population at the end of year Y; the base year's population is the "
            "census population taken as end of the base year. Components labelled 2021-2025 happen from the end of "
            "2020 to the end of 2025.",
            "population.csv: age = first age of the five-year group (85 = 85+); zone = district code.",
            "components.csv: births have no age; deaths and floor_adjustment are by age group at the end of the "
            "period (the cohort's age then; age 0 = deaths of the period's births); net_migration, transfer_in and "
            "transfer_out by age group at the start of the period. net_migration leaves out the transfers between "
            "groups. Per zone and group: end = start + births - deaths + net_migration + transfer_in - "
            "transfer_out + floor_adjustment. Rows of exactly 0 persons are left out.",
            "indicators.csv: zone = district code or aggregate name ('total' = whole city); group 'all' = all "
            "groups. Flow indicators of year Y cover the period ending with Y; for a single group, net_migration "
            "there includes the transfers between groups (they cancel in 'all'). The base year has only "
            "indicators of the population itself. An empty value means not defined.",
            "plan_periods.csv: all groups; adjustments = floor_adjustment; end = start + births - deaths + "
            "net_migration + adjustments; rates per 1000 person-years of the period; growth_rate_percent = "
            "100 ln(end/start) / years.",
            "plan_periods_by_group.csv: the same per group; transfers = persons moved in from other groups - out; "
            "end = start + births - deaths + net_migration + transfers + adjustments.",
            "targets.csv: value of the target's indicator (indicators.csv for a year, plan_periods.csv for a "
            "period, plan_periods_by_group.csv for a period and one group); margin = max - value or value - min (the "
            "smaller when both); met when margin >= 0.",
            "service_demand.csv: basis = persons in the norm's age band at the end of the year (or births per year "
            "of the period ending that year); demand = basis x places per person; gap = demand - capacity.",
            "Every file has a variant column: 'baseline' and the scenario file's variants.",
            "Numbers are written in the shortest form that reads back to the same double."},
           "  ") +
       ",\n";
  // The files are listed and hashed before the timings are written, so that the manifest holds its own cost.
  const auto h0 = std::chrono::steady_clock::now();
  std::vector<ListedFile> files = list_result_files(dir, extras.unhashed);
  const double hash_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - h0).count();
  j += "  \"timings\": {\n";
  j += "    \"total_seconds\": " + json_number(total_seconds) + ",\n";
  j += "    \"load_seconds\": " + json_number(extras.load_seconds) + ",\n";
  j += "    \"finish_seconds\": " + json_number(extras.finish_seconds) + ",\n";
  j += "    \"report_seconds\": " + json_number(extras.report_seconds) + ",\n";
  j += "    \"manifest_hash_seconds\": " + json_number(hash_seconds) + ",\n";
  if (!extras.report_indicators.empty())
    j += "    \"report_indicators\": " + json_string(extras.report_indicators) + ",\n";
  j += "    \"steps\": [";
  for (std::size_t k = 0; k < timings.size(); ++k)
    j += std::string(k ? ",\n" : "\n") + "      {\"step\": " + std::to_string(k + 1) +
         ", \"start_year\": " + std::to_string(timings[k].start_year) +
         ", \"end_year\": " + std::to_string(timings[k].end_year) +
         ", \"compute_seconds\": " + json_number(timings[k].compute_seconds) +
         ", \"write_seconds\": " + json_number(timings[k].write_seconds) +
         (timings[k].overlapped ? ", \"handover_seconds\": " + json_number(timings[k].handover_seconds) : "") + "}";
  j += "\n    ]\n  },\n";
  write_manifest(dir, j, files);
  return files;
}

}  // namespace cohortgis::app
