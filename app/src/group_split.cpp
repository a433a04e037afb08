// SPDX-License-Identifier: Apache-2.0
#include "cohortgis/app/group_split.hpp"

#include <cmath>
#include <limits>
#include <map>

#include "cohortgis/engine/types.hpp"
#include "cohortgis/geodata/read_cancel.hpp"
#include "cohortgis/geodata/read_policy.hpp"
#include "cohortgis/geodata/table.hpp"
#include "cohortgis/scenarios/scenario.hpp"
#include "estimate_tables.hpp"
#include "output_dir.hpp"
#include "text_output.hpp"

namespace cohortgis::app {

GroupSplit split_by_hukou(const HukouCounts& c, FloatingScope scope, const std::string& where) {
  for (double v : {c.residents, c.same_district, c.other_district, c.other_province})
    if (!(v >= 0.0) || !std::isfinite(v))
      throw InputError(where + ": a count of " + shortest_number(v) + "; expected 0 or more");
    else if (v > scenarios::kMaxCellPersons)  // the engine's bound on a cell (1e300 residents were split)
      throw InputError(where + ": a count of " + shortest_number(v) + "; expected at most 1e12");
  GroupSplit g;
  g.floating = c.other_province + (scope == FloatingScope::other_district ? c.other_district : 0.0);
  if (g.floating > c.residents)
    throw InputError(where + ": " + shortest_number(g.floating) + " residents with hukou elsewhere but only " +
                     shortest_number(c.residents) + " residents; expected at most the residents");
  g.registered = c.residents - g.floating;
  return g;
}

namespace {

const char* const kIndicators[] = {"pop_resident", "pop_hukou_elsewhere_same_district",
                                   "pop_hukou_elsewhere_other_district_same_province",
                                   "pop_hukou_elsewhere_other_province"};

struct ZoneRow {
  std::string code, name;
  double v[4] = {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN(),
                 std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
  std::size_t first_row = 0;
  double registry = std::numeric_limits<double>::quiet_NaN();
};

}  // namespace

GroupSplitSummary group_split(const GroupSplitConfig& cfg) {
  const geodata::ReadCancellation stoppable(cfg.cancel);  // as estimate's
  using geodata::ColumnType;
  const geodata::Table t = geodata::read_table(
      cfg.census, {{"code", ColumnType::text}, {"indicator", ColumnType::text}, {"value", ColumnType::text}});
  std::vector<ZoneRow> zones;
  std::map<std::string, std::size_t> index;
  const bool has_name = t.has_column("name_zh");
  for (std::size_t r = 0; r < t.size(); ++r) {
    const std::string& code = t.text(r, "code");
    if (!cfg.zone_prefix.empty() && code.rfind(cfg.zone_prefix, 0) != 0) continue;
    const std::string& ind = t.text(r, "indicator");
    int k = -1;
    for (int i = 0; i < 4; ++i)
      if (ind == kIndicators[i]) k = i;
    if (k < 0) continue;
    // An empty code would become a zone "" in group_split.csv, which no scenario's geography can hold.
    if (code.empty()) throw InputError(t.where(r, "code") + ": the cell is empty; expected the zone's code");
    auto it = index.find(code);
    if (it == index.end()) {
      it = index.emplace(code, zones.size()).first;
      zones.push_back({code, has_name ? t.text(r, "name_zh") : "", {}, r, std::numeric_limits<double>::quiet_NaN()});
      for (double& v : zones.back().v) v = std::numeric_limits<double>::quiet_NaN();
    }
    ZoneRow& z = zones[it->second];
    if (!std::isnan(z.v[k]))
      throw InputError(t.where(r, "indicator") + ": a second row of " + ind + " for zone " + code);
    z.v[k] = t.number(r, "value");
  }
  if (zones.empty())
    throw InputError(cfg.census + ": no rows of pop_resident or pop_hukou_elsewhere_* " +
                     (cfg.zone_prefix.empty() ? std::string() : "for codes starting with " + cfg.zone_prefix + " ") +
                     "(columns code, indicator, value)");
  for (const ZoneRow& z : zones)
    for (int i = 0; i < 4; ++i)
      if (std::isnan(z.v[i]))
        throw InputError(t.where(z.first_row, "code") + ": zone " + z.code + " has no row of " + kIndicators[i] +
                         "; expected residents and the three hukou-elsewhere counts for every zone");
  GroupSplitSummary s;
  std::string registry_column;
  double registry_scale = 1.0;
  if (!cfg.registry.empty()) {
    const geodata::Table reg = geodata::read_table(cfg.registry, {{"code", ColumnType::text}});
    for (const auto& c : reg.columns)
      if (c.rfind("registered", 0) == 0) {
        // Two such columns (registered and registered_10k): the last one was taken without a word.
        if (!registry_column.empty())
          throw InputError(cfg.registry + ": two columns whose names start with 'registered' ('" +
                           geodata::escape_cell(registry_column) + "' and '" + geodata::escape_cell(c) +
                           "'); expected one (the registry's 户籍人口, in persons or, named *_10k, in 万人)");
        registry_column = c;
      }
    if (registry_column.empty())
      throw InputError(cfg.registry + ": no column whose name starts with 'registered' (the registry's 户籍人口)");
    if (registry_column.size() > 4 && registry_column.substr(registry_column.size() - 4) == "_10k")
      registry_scale = 1e4;
    std::vector<std::string> unknown;  // codes of the zones' area (--zones) that the census has no zone for
    for (std::size_t r = 0; r < reg.size(); ++r) {
      auto it = index.find(reg.text(r, "code"));
      if (it == index.end()) {
        if (reg.text(r, "code").rfind(cfg.zone_prefix, 0) == 0) unknown.push_back(reg.text(r, "code"));
        continue;
      }
      // As the census's counts: persons from 0 to the engine's bound on a cell, one row a zone (1e300 万人 was
      // written as 1e304 persons, and a second row replaced the first).
      const double v = reg.number(r, registry_column) * registry_scale;
      if (!(v >= 0.0) || !(v <= scenarios::kMaxCellPersons))
        throw InputError(reg.where(r, registry_column) + ": " + rounded_number(v) +
                         " persons; expected 0 to 1e12 (the registry's 户籍人口)");
      if (!std::isnan(zones[it->second].registry))
        throw InputError(reg.where(r, "code") + ": a second row for zone " + geodata::escape_cell(it->first) +
                         "; expected one row a zone");
      zones[it->second].registry = v;
    }
    // Codes outside --zones are other areas the option left out; one inside that the census lacks (a district of
    // another year's divisions, a typo, the registry of a wider area without --zones) cross-checks no zone.
    if (!unknown.empty()) {
      std::string list;
      for (std::size_t k = 0; k < unknown.size() && k < 5; ++k)
        list += (k ? ", " : "") + geodata::quote_cell(unknown[k]);
      if (unknown.size() > 5) list += " and " + std::to_string(unknown.size() - 5) + " more";
      s.warnings.push_back("--registry " + cfg.registry + ": " + std::to_string(unknown.size()) + " row" +
                           (unknown.size() == 1 ? "" : "s") + " of codes " +
                           (cfg.zone_prefix.empty() ? "" : "starting with " + cfg.zone_prefix + " ") +
                           "that are no zone of the census (" + list +
                           ") passed over: their 户籍人口 cross-checks "
                           "nothing; check that the registry's codes are the census's (the same year's divisions)" +
                           (cfg.zone_prefix.empty() ? ", or keep the census's area with --zones" : ""));
    }
  }

  std::string csv =
      "zone,name,residents,hukou_elsewhere_same_district,hukou_elsewhere_other_district,"
      "hukou_elsewhere_other_province,registered,floating,floating_share_percent,registry_registered\n";
  std::string md =
      "# Group split: registered and floating residents\n\n## Method\n\nFrom the census's counts of "
      "residents whose hukou is elsewhere (人户分离): floating = residents with hukou in another province" +
      std::string(cfg.scope == FloatingScope::other_district ? " or in another district of the province" : "") +
      "; registered = residents − floating (residents with hukou in another township of the same " +
      "district are registered in the zone" +
      (cfg.scope == FloatingScope::other_province ? ", and so are those registered in another district "
                                                    "of the province: floating means from outside it)"
                                                  : ")") +
      ". A scenario reads the shares with `[base_population] split` (scenarios/README.md).\n\n";
  if (!cfg.registry.empty())
    md += "The registry's 户籍人口 (column `" + registry_column +
          "`) counts persons registered in a zone wherever they "
          "live, so it is a cross-check, not the registered-resident group: where it exceeds the residents (e.g. "
          "the core districts), registered persons live elsewhere. Its year may differ from the census's.\n\n";
  md += "| zone | name | residents | registered | floating | floating % |" +
        std::string(cfg.registry.empty() ? "" : " registry 户籍人口 | registry / registered |") +
        "\n|---|---|---|---|---|---|" + (cfg.registry.empty() ? "" : "---|---|") + "\n";
  std::vector<std::string> empty;  // zones of 0 residents
  for (const ZoneRow& z : zones) {
    const HukouCounts c{z.v[0], z.v[1], z.v[2], z.v[3]};
    const GroupSplit g = split_by_hukou(c, cfg.scope, cfg.census + ", zone " + z.code);
    // A zone of 0 residents has no share (0 / 0): left empty, and said (a code of another area, an empty unit).
    const double share = c.residents > 0 ? 100.0 * g.floating / c.residents : std::nan("");
    if (!(c.residents > 0)) empty.push_back(z.code);
    append_csv_field(csv, z.code);
    csv += ',';
    append_csv_field(csv, z.name);
    for (double v :
         {c.residents, c.same_district, c.other_district, c.other_province, g.registered, g.floating, share}) {
      csv += ',';
      if (!std::isnan(v)) append_number_cell(csv, v);
    }
    csv += ',';
    if (!std::isnan(z.registry)) append_number_cell(csv, z.registry);
    csv += '\n';
    md += "| " + z.code + " | " + z.name + " | " + number_cell(c.residents) + " | " + number_cell(g.registered) +
          " | " + number_cell(g.floating) + " | " +
          (std::isnan(share) ? std::string() : number_cell(std::round(share * 10) / 10)) + " |";
    if (!cfg.registry.empty())
      md += std::isnan(z.registry)
                ? " | |"
                : " " + number_cell(z.registry) + " | " +
                      (g.registered > 0 ? number_cell(std::round(100.0 * z.registry / g.registered) / 100)
                                        : std::string()) +
                      " |";
    md += "\n";
    s.zones.push_back(z.code);
  }
  if (!empty.empty()) {
    std::string list;
    for (std::size_t k = 0; k < empty.size() && k < 5; ++k) list += (k ? ", " : "") + geodata::quote_cell(empty[k]);
    if (empty.size() > 5) list += " and " + std::to_string(empty.size() - 5) + " more";
    s.warnings.push_back(cfg.census + ": " + std::to_string(empty.size()) + " zone" + (empty.size() == 1 ? "" : "s") +
                         " of 0 residents (" + list +
                         "): written with 0 registered and 0 floating and no floating "
                         "share (floating_share_percent empty); check that the code is a zone of the area" +
                         (cfg.zone_prefix.empty() ? " (--zones keeps the codes of one area)" : ""));
  }

  detail::EstimateFolder out(cfg.out_dir, s.files, cfg.cancel);
  std::vector<std::pair<std::string, std::string>> in{{"census", cfg.census}};
  if (!cfg.registry.empty()) in.push_back({"registry", cfg.registry});
  std::vector<std::string> paths;
  const detail::HashedInputs hashed = detail::hash_inputs(in, paths);
  const std::string& inputs_json = hashed.json_entries;
  md += "\n## Inputs\n\n| role | file | SHA-256 |\n|---|---|---|\n" + hashed.markdown_rows;
  out.write("group_split.csv", csv);
  out.write("group_split_report.md", md);
  // A manifest.json of its own, not sealed (no SHA-256 of the outputs), as --group-split has always written.
  out.write("manifest.json",
            "{\n  \"cohortgis_version\": " + json_string(COHORTGIS_VERSION) +
                ",\n  \"command\": \"estimate --group-split\",\n  \"options\": {\"zones\": " +
                json_string(cfg.zone_prefix) + ", \"floating\": " +
                json_string(cfg.scope == FloatingScope::other_district ? "other-district" : "other-province") +
                "},\n  \"inputs\": [" + inputs_json +
                "\n  ],\n  \"outputs\": [\"group_split.csv\", \"group_split_report.md\", \"manifest.json\"]\n}\n");
  s.out_dir = out.commit();
  return s;
}

}  // namespace cohortgis::app
