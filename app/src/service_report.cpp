// SPDX-License-Identifier: Apache-2.0
// The report's section on service demand (planning_output.hpp service_report_section), from service_demand.csv.
#include <filesystem>
#include <set>
#include <string>

#include "cohortgis/app/results.hpp"
#include "cohortgis/geodata/table.hpp"
#include "planning_output.hpp"
#include "written_number.hpp"

namespace cohortgis::app {

std::optional<ReportSection> service_report_section(const Results& r, Language l) {
  namespace fs = std::filesystem;
  const fs::path file = fs::path(r.dir) / "service_demand.csv";
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) return std::nullopt;
  const CsvData t = read_csv_file(file.string());
  const bool zh = l == Language::zh;
  const std::size_t cv = t.column("variant"), cy = t.column("year"), cz = t.column("zone"), cs = t.column("service"),
                    cb = t.column("basis"), cd = t.column("demand"), cc = t.column("capacity"), cg = t.column("gap");
  const auto num = [&](const std::string& text) {
    double v = 0;
    if (text.empty() || !geodata::parse_number(text, v)) return std::string(zh ? "—" : "–");
    return format_value(v, 0, l);
  };
  // The whole area in the first and the last year of the file (every zone and year: service_demand.csv).
  std::set<int> years;
  for (std::size_t i = 0; i < t.rows.size(); ++i) years.insert(written_whole_number(t, i, cy));
  ReportSection s;
  s.id = "services";
  s.title = zh ? "公共服务需求" : "Service demand";
  // Units in the headers: the basis counts persons (or births a year), the others places (学位, 床位 …).
  s.header =
      zh ? std::vector<std::string>{"方案",        "服务", "年份", "基数（人）", "需求（名额）", "现有容量（名额）",
                                    "缺口（名额）"}
         : std::vector<std::string>{"variant",         "service",           "year",        "basis (persons)",
                                    "demand (places)", "capacity (places)", "gap (places)"};
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    const auto& row = t.rows[i];
    if (row[cz] != "total" || years.empty()) continue;
    const int y = written_whole_number(t, i, cy);
    if (y != *years.begin() && y != *years.rbegin()) continue;
    s.rows.push_back({r.variant_label(row[cv], l), row[cs], row[cy], num(row[cb]), num(row[cd]), num(row[cc]),
                      num(row[cg])});
  }
  if (s.rows.empty()) return std::nullopt;
  s.note = zh ? "全部区域合计，首末年份（各区域、各年见 "
                "service_demand.csv）。基数：年末服务年龄段人口，或该步长内年均出生数；"
                "需求 = 基数 × 每人所需名额（× 入学率）；缺口 = 需求 − 现有容量（正值：名额不足）。"
              : "Whole area, first and last year (every zone and year: service_demand.csv). Basis: persons in the "
                "norm's age band at the end of the year, or births per year of the step; demand = basis × places per "
                "person (× enrolment); gap = demand − capacity (positive: places missing).";
  return s;
}

}  // namespace cohortgis::app
