// SPDX-License-Identifier: Apache-2.0
#include "records_output.hpp"

#include "text_output.hpp"

namespace cohortgis::app {

bool append_published(std::string& out, double v, int min_cell) {
  // A cell of a few persons can identify them; 0 is published (nobody to identify).
  if (min_cell > 0 && v > 0.0 && v < static_cast<double>(min_cell)) return true;
  append_number(out, v);
  return false;
}

std::vector<std::string> write_records_outputs(const std::filesystem::path& dir, const scenarios::ScenarioSet& set) {
  if (!set.records) return {};
  const scenarios::RecordsSummary& r = *set.records;
  const scenarios::Scenario& sc = set.runs.front();
  std::vector<std::string> names;
  {
    // Every reason, so that a reader sees what was checked: "error" reasons have count 0 (else the run failed).
    std::string buf = "reason,policy,count,first_rows\n";
    for (const char* reason : scenarios::kRecordReasons) {
      const scenarios::RecordExclusion* e = nullptr;
      for (const auto& x : r.exclusions)
        if (x.reason == reason) e = &x;
      buf += reason;
      buf += e ? ",exclude," : ",error,";
      buf += std::to_string(e ? e->count : 0) + ",";
      std::string rows;
      if (e)
        for (std::size_t row : e->first_rows) rows += (rows.empty() ? "" : " ") + std::to_string(row);
      buf += rows + "\n";
    }
    buf += "total_excluded,,";
    std::size_t total = 0;
    for (const auto& x : r.exclusions) total += x.count;
    buf += std::to_string(total) + ",\n";
    TextFile f((dir / "exclusions.csv").string());
    f.write(buf);
    f.close();
    names.push_back("exclusions.csv");
  }
  if (r.has_parity) {
    const int min_cell = set.outputs.min_cell;
    std::string buf = min_cell > 0 ? "zone,group,age,parity,women,suppressed\n" : "zone,group,age,parity,women\n";
    for (int z = 0; z < r.zones; ++z)
      for (int g = 0; g < r.groups; ++g)
        for (int a = 0; a < r.ages; ++a)
          for (int p = 0; p < scenarios::kParityClasses; ++p) {
            append_csv_field(buf, sc.zones[static_cast<std::size_t>(z)].id);
            buf += ',';
            append_csv_field(buf, sc.group_names[static_cast<std::size_t>(g)]);
            buf += ',' + std::to_string(sc.grid.age_start(a)) + ',' + scenarios::kParityLabels[p] + ',';
            const bool hidden = append_published(buf, r.parity_women[r.parity_index(z, g, a, p)], min_cell);
            if (min_cell > 0) buf += hidden ? ",1" : ",0";
            buf += '\n';
          }
    TextFile f((dir / "parity_base.csv").string());
    f.write(buf);
    f.close();
    names.push_back("parity_base.csv");
  }
  return names;
}

}  // namespace cohortgis::app
