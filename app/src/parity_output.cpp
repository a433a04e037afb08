// SPDX-License-Identifier: Apache-2.0
#include "parity_output.hpp"

#include <cmath>
#include <cstdio>

#include "cohortgis/app/results.hpp"
#include "cohortgis/engine/index_cast.hpp"
#include "records_output.hpp"
#include "text_output.hpp"
#include "written_number.hpp"

namespace cohortgis::app {

ParityRecorder::ParityRecorder(const scenarios::Scenario& sc, const std::vector<ZoneAggregate>& aggregates,
                               ResultSink& inner, ParityTables& tables)
    : sc_(sc),
      aggregates_(aggregates),
      inner_(inner),
      tables_(tables),
      parity_(sc.base_population.layout(), sc.zone_ids(), sc.group_names, sc.parity->women_by_parity,
              sc.base_population) {
  if (sc.parity->srb_by_order[0] > 0.0) parity_.set_srb_by_order(sc.parity->srb_by_order);
}

ScheduleProvider ParityRecorder::wrap(ScheduleProvider inner) {
  return [this, inner = std::move(inner)](const StepContext& ctx, StepSchedules& s) {
    inner(ctx, s);
    parity_.before_step(ctx, sc_.parity->rates_by_step[uz(ctx.step)], s, sc_.life_table_method);
  };
}

void ParityRecorder::base(const CohortArray& population, int year) {
  women_rows(year);
  inner_.base(population, year);
}

void ParityRecorder::women_rows(int year) {
  const std::vector<double> women = parity_.women_by_parity();
  const CohortLayout& L = sc_.base_population.layout();
  const std::vector<std::string> ids = sc_.zone_ids();
  const char* labels[] = {"0", "1", "2", "3+"};
  std::string& out = tables_.women;
  std::size_t k = 0;  // women_by_parity() is [zone][group][parity][age]
  for (int z = 0; z < L.zones; ++z)
    for (int g = 0; g < L.groups; ++g)
      for (int p = 0; p < kParityStates; ++p)
        for (int i = 0; i < L.grid.n_ages; ++i, ++k) {
          append_csv_field(out, sc_.variant);
          out += ',' + std::to_string(year) + ',';
          append_csv_field(out, ids[uz(z)]);
          out += ',';
          append_csv_field(out, sc_.group_names[uz(g)]);
          out += ',' + std::to_string(L.grid.age_start(i)) + ',' + labels[p] + ',';
          const bool hidden = append_published(out, women[k], tables_.min_cell);
          if (tables_.min_cell > 0) out += hidden ? ",1" : ",0";
          out += '\n';
        }
}

void ParityRecorder::step(const StepResult& r) {
  parity_.advance(r);
  static const std::vector<std::string> names = parity_indicator_names();
  const auto row = [&](const std::string& zone, const ParityIndicators& ind) {
    const std::vector<double> values = parity_indicator_values(ind);
    append_csv_field(tables_.indicators, sc_.variant);
    tables_.indicators += ',';
    append_csv_field(tables_.indicators, zone);
    tables_.indicators += ',' + std::to_string(r.context.end_year);
    for (std::size_t k = 0; k < values.size(); ++k) {
      tables_.indicators += ',';
      append_number_cell(tables_.indicators, values[k]);
      // indicators.csv: variant, year, zone, group, indicator, value (an undefined value stays empty there too)
      append_csv_field(tables_.long_rows, sc_.variant);
      tables_.long_rows += ',' + std::to_string(r.context.end_year) + ',';
      append_csv_field(tables_.long_rows, zone);
      tables_.long_rows += ",all," + names[k] + ',';
      append_number_cell(tables_.long_rows, values[k]);
      tables_.long_rows += '\n';
    }
    tables_.indicators += '\n';
  };
  const std::vector<std::string> ids = sc_.zone_ids();
  const std::vector<ParityIndicators> by_zone = parity_.indicators();
  for (std::size_t z = 0; z < by_zone.size(); ++z) row(ids[z], by_zone[z]);
  for (const ZoneAggregate& a : aggregates_) row(a.name, parity_.indicators_of(a.zones));
  women_rows(r.context.end_year);
  inner_.step(r);
}

std::vector<std::string> parity_indicator_names() {
  std::vector<std::string> n;
  for (const char* k : kBirthOrderLabels) n.push_back(std::string("births_order_") + k);
  for (const char* k : kBirthOrderLabels) n.push_back(std::string("share_order_") + k + "_percent");
  for (const char* k : kBirthOrderLabels) n.push_back(std::string("tfr_order_") + k);
  for (const char* k : kBirthOrderLabels) n.push_back(std::string("srb_order_") + k + "_per_100");
  n.push_back("mean_age_first_birth");
  for (const char* p : {"0", "1", "2", "3_plus"}) n.push_back(std::string("women_49plus_parity_") + p);
  for (const char* p : {"0", "1", "2", "3_plus"}) n.push_back(std::string("women_60plus_parity_") + p);
  n.push_back("mothers_lost_only_child_49plus");  // 特别扶助 base (docs/parity.md)
  n.push_back("mothers_lost_only_child_60plus");
  return n;
}

std::vector<double> parity_indicator_values(const ParityIndicators& ind) {
  std::vector<double> values;
  values.insert(values.end(), ind.births.begin(), ind.births.end());
  values.insert(values.end(), ind.share_percent.begin(), ind.share_percent.end());
  values.insert(values.end(), ind.tfr.begin(), ind.tfr.end());
  values.insert(values.end(), ind.srb_per_100.begin(), ind.srb_per_100.end());
  values.push_back(ind.mean_age_first_birth);
  values.insert(values.end(), ind.women_49plus.begin(), ind.women_49plus.end());
  values.insert(values.end(), ind.women_60plus.begin(), ind.women_60plus.end());
  values.push_back(ind.mothers_lost_only_child_49plus);
  values.push_back(ind.mothers_lost_only_child_60plus);
  return values;
}

std::string parity_csv_header() {
  std::string h = "variant,zone,year";
  for (const std::string& k : parity_indicator_names()) h += ',' + k;
  return h + "\n";
}

bool write_parity_csv(const std::filesystem::path& dir, const ParityTables& tables) {
  if (tables.indicators.empty()) return false;
  TextFile f((dir / "parity.csv").string());
  f.write(parity_csv_header());
  f.write(tables.indicators);
  f.close();
  TextFile w((dir / "parity_women.csv").string());
  w.write(tables.min_cell > 0 ? "variant,year,zone,group,age,parity,women,suppressed\n"
                              : "variant,year,zone,group,age,parity,women\n");
  w.write(tables.women);
  w.close();
  // Appended like the households indicators (planning_output.cpp): indicators.csv is complete by now.
  const std::string path = (dir / "indicators.csv").string();
  std::error_code ec;
  if (std::filesystem::is_regular_file(path, ec)) {
    std::FILE* file = std::fopen(path.c_str(), "ab");
    const bool ok =
        file && std::fwrite(tables.long_rows.data(), 1, tables.long_rows.size(), file) == tables.long_rows.size();
    if (file && std::fclose(file) != 0) throw InputError(path + ": could not be written (parity indicators)");
    if (!ok) throw InputError(path + ": could not be written (parity indicators)");
  }
  return true;
}

std::optional<ReportSection> parity_report_section(const std::string& dir, Language l) {
  const std::filesystem::path file = std::filesystem::path(dir) / "parity.csv";
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) return std::nullopt;
  const CsvData csv = read_csv_file(file.string());
  const bool zh = l == Language::zh;
  ReportSection s;
  s.id = "parity";
  s.title = zh ? "分孩次出生（计划生育指标）" : "Births by order (family-planning indicators)";
  s.note = zh ? "全区（total）。一孩率、二孩率、多孩率为各孩次出生占全部出生的百分比；方法见 docs/parity.md。"
              : "Whole area (total). Shares are births of the order per 100 births; method: docs/parity.md.";
  const char* cols[] = {"births_order_1",
                        "births_order_2",
                        "births_order_3_plus",
                        "share_order_1_percent",
                        "share_order_2_percent",
                        "share_order_3_plus_percent",
                        "tfr_order_1",
                        "tfr_order_2",
                        "tfr_order_3_plus",
                        "srb_order_1_per_100",
                        "srb_order_2_per_100",
                        "srb_order_3_plus_per_100",
                        "mean_age_first_birth",
                        "women_60plus_parity_1",
                        "mothers_lost_only_child_49plus",
                        "mothers_lost_only_child_60plus"};
  s.header = {word("variant", l), zh ? "年份" : "Year"};
  for (const char* c : cols) s.header.push_back(indicator_title(c, l));
  const std::size_t cv = csv.column("variant"), cz = csv.column("zone"), cy = csv.column("year");
  std::vector<std::size_t> at;
  for (const char* c : cols) at.push_back(csv.column(c));
  for (const auto& row : csv.rows) {
    if (row[cz] != "total") continue;
    std::vector<std::string> out{row[cv], row[cy]};  // the report labels the variant
    for (std::size_t k = 0; k < at.size(); ++k) out.push_back(format_indicator(cols[k], written_number(row[at[k]]), l));
    s.rows.push_back(std::move(out));
  }
  return s;
}

}  // namespace cohortgis::app
