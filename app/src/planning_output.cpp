// SPDX-License-Identifier: Apache-2.0
#include "planning_output.hpp"

#include <cmath>
#include <cstdio>
#include <map>

#include "cohortgis/app/results.hpp"
#include "cohortgis/engine/group_households.hpp"
#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/geodata/table.hpp"
#include "text_output.hpp"
#include "written_number.hpp"

namespace cohortgis::app {

void PlanningOutputs::begin_variant(const scenarios::Scenario& sc, ProjectionConfig& pc) {
  if (!sc.planning) return;
  Run r{sc.variant,
        sc.zone_ids(),
        with_total_aggregate(sc.aggregates, static_cast<int>(sc.zones.size())),
        sc.group_names,
        sc.planning,
        nullptr,
        std::make_shared<std::map<int, std::vector<double>>>()};
  r.adjuster = std::make_shared<PlanningAdjuster>(*r.spec, r.zone_ids);
  r.adjuster->record_households(sc.base_population, sc.base_year);
  // Each group's households at the end of every year, after the adjustments, as the adjuster's totals.
  const auto by_group = [spec = r.spec, out = r.group_households](const CohortArray& P, int year) {
    const HeadshipRates* h = spec->headship_for(year);
    const CohortLayout& L = P.layout();
    if (!h || L.groups < 2) return;
    std::vector<double>& v = (*out)[year];
    v.assign(uz(L.zones) * uz(L.groups), 0.0);
    for (int z = 0; z < L.zones; ++z)
      for (int g = 0; g < L.groups; ++g) v[uz(z) * uz(L.groups) + uz(g)] = group_households(P, *h, z, g);
  };
  by_group(sc.base_population, sc.base_year);
  std::shared_ptr<PlanningAdjuster> a = r.adjuster;
  pc.step_adjuster = [a, by_group](const StepContext& ctx, const CohortArray& start, CohortArray& end,
                                   StepComponents& c) {
    (*a)(ctx, start, end, c);
    by_group(end, ctx.end_year);
  };
  runs_.push_back(std::move(r));
}

namespace {

void field(std::string& buf, double v) {
  buf += ',';
  if (v >= 0.0) append_number_cell(buf, v);  // a limit not given (< 0) is an empty cell
}

}  // namespace

std::vector<std::string> PlanningOutputs::write(const std::filesystem::path& dir) const {
  std::vector<std::string> names;
  bool controls = false, capacity = false, households = false;
  for (const Run& r : runs_) {
    controls = controls || !r.spec->controls.empty();
    capacity = capacity || !r.spec->limits.empty();
    households = households || !r.spec->headship.empty();
  }
  if (controls) {
    std::string buf = "variant,control,year,target,tentative,adjustment,ipf_iterations\n";
    for (const Run& r : runs_)
      for (const ControlOutcome& o : r.adjuster->controls()) {
        append_csv_field(buf, r.variant);
        buf += ',';
        append_csv_field(buf, o.name);
        buf += ',' + std::to_string(o.year);
        for (double v : {o.target, o.tentative, o.adjustment}) {
          buf += ',';
          append_number_cell(buf, v);
        }
        buf += ',' + std::to_string(o.ipf_iterations) + '\n';
      }
    TextFile f((dir / "controls.csv").string());
    f.write(buf);
    f.close();
    names.push_back("controls.csv");
  }
  if (capacity) {
    std::string buf =
        "variant,zone,year,max_population,dwellings,tentative_population,population,tentative_households,households,"
        "displaced,received,binds\n";
    for (const Run& r : runs_)
      for (const CapacityOutcome& o : r.adjuster->capacity()) {
        append_csv_field(buf, r.variant);
        buf += ',';
        append_csv_field(buf, r.zone_ids[uz(o.zone)]);
        buf += ',' + std::to_string(o.year);
        field(buf, o.limit_population);
        field(buf, o.dwellings);
        field(buf, o.tentative_population);
        field(buf, o.final_population);
        field(buf, o.tentative_households);
        field(buf, o.final_households);
        field(buf, o.displaced);
        field(buf, o.received);
        buf += o.binds ? ",1\n" : ",0\n";
      }
    TextFile f((dir / "capacity.csv").string());
    f.write(buf);
    f.close();
    names.push_back("capacity.csv");
  }
  if (households) {
    std::string buf = "variant,zone,year,population,households,dwellings_needed,persons_per_household\n";
    for (const Run& r : runs_)
      for (const HouseholdCount& h : r.adjuster->households()) {
        append_csv_field(buf, r.variant);
        buf += ',';
        append_csv_field(buf, r.zone_ids[uz(h.zone)]);
        buf += ',' + std::to_string(h.year);
        for (double v : {h.population, h.households, h.dwellings_needed}) {
          buf += ',';
          append_number_cell(buf, v);
        }
        buf += ',';
        if (h.households > 0.0) append_number_cell(buf, h.population / h.households);
        buf += '\n';
      }
    TextFile f((dir / "households.csv").string());
    f.write(buf);
    f.close();
    names.push_back("households.csv");
  }
  if (households) {
    // indicators.csv: households and dwellings needed of every zone and aggregate, all groups, then of each group
    // when there are several (households headed by the group's persons: Σ headship rate × the group's persons).
    std::string buf;
    for (const Run& r : runs_) {
      std::map<int, std::vector<const HouseholdCount*>> by_year;
      for (const HouseholdCount& h : r.adjuster->households()) by_year[h.year].push_back(&h);
      for (const auto& [year, rows] : by_year) {
        // year by value: clang before 16 cannot capture a structured binding.
        const auto row = [&, y = year](const std::string& unit, const char* indicator, double v,
                                       const std::string& group = "all") {
          append_csv_field(buf, r.variant);
          buf += ',' + std::to_string(y) + ',';
          append_csv_field(buf, unit);
          buf += ',';
          append_csv_field(buf, group);
          buf += ',';
          buf += indicator;
          buf += ',';
          append_number_cell(buf, v);
          buf += '\n';
        };
        for (const HouseholdCount* h : rows) {
          row(r.zone_ids[uz(h->zone)], "households", h->households);
          row(r.zone_ids[uz(h->zone)], "dwellings_needed", h->dwellings_needed);
        }
        for (const ZoneAggregate& a : r.aggregates) {
          double hh = 0.0, dw = 0.0;
          for (int z : a.zones) {
            hh += rows[uz(z)]->households;
            dw += rows[uz(z)]->dwellings_needed;
          }
          row(a.name, "households", hh);
          row(a.name, "dwellings_needed", dw);
        }
        const auto gh = r.group_households->find(year);
        if (gh == r.group_households->end()) continue;
        const double occupied = 1.0 - r.spec->vacancy_percent / 100.0;  // as PlanningAdjuster::record_households
        const std::size_t G = r.groups.size();
        for (std::size_t g = 0; g < G; ++g) {
          for (std::size_t z = 0; z < r.zone_ids.size(); ++z) {
            row(r.zone_ids[z], "households", gh->second[z * G + g], r.groups[g]);
            row(r.zone_ids[z], "dwellings_needed", gh->second[z * G + g] / occupied, r.groups[g]);
          }
          for (const ZoneAggregate& a : r.aggregates) {
            double hh = 0.0;
            for (int z : a.zones) hh += gh->second[uz(z) * G + g];
            row(a.name, "households", hh, r.groups[g]);
            row(a.name, "dwellings_needed", hh / occupied, r.groups[g]);
          }
        }
      }
    }
    const std::string path = (dir / "indicators.csv").string();
    std::FILE* f = std::fopen(path.c_str(), "ab");
    const bool ok = f && std::fwrite(buf.data(), 1, buf.size(), f) == buf.size();
    if (f && std::fclose(f) != 0) throw InputError(path + ": could not be written (households indicators)");
    if (!ok) throw InputError(path + ": could not be written (households indicators)");
  }
  return names;
}

std::vector<ReportSection> planning_report_sections(const Results& r, Language l) {
  namespace fs = std::filesystem;
  const fs::path dir(r.dir);
  const bool zh = l == Language::zh;
  std::vector<ReportSection> out;
  std::error_code ec;
  const auto num = [&](const std::string& text, int decimals) {
    double v = std::nan("");
    if (text.empty() || !geodata::parse_number(text, v)) return std::string();
    return format_value(v, decimals, l);
  };
  if (fs::is_regular_file(dir / "controls.csv", ec)) {
    const CsvData t = read_csv_file((dir / "controls.csv").string());
    ReportSection s;
    s.id = "controls";
    s.title = zh ? "控制总量" : "Control totals";
    s.header = zh ? std::vector<std::string>{"方案", "区域集合", "年份", "控制数", "调整前", "调整"}
                  : std::vector<std::string>{"variant", "zone set", "year", "target", "tentative", "adjustment"};
    for (const auto& row : t.rows)
      s.rows.push_back({r.variant_label(row[t.column("variant")], l), row[t.column("control")], row[t.column("year")],
                        num(row[t.column("target")], 0), num(row[t.column("tentative")], 0),
                        num(row[t.column("adjustment")], 0)});
    s.note = zh ? "各区域集合在每步末按比例（或按性别年龄迭代比例拟合）调整至上级控制数；调整量作为迁移报告（components"
                  ".csv 的 "
                  "planning_adjustment）。"
                : "Each zone set is fitted at the end of the step to the higher-level total (pro-rating, or iterative "
                  "proportional fitting by sex and age); the adjustment is reported as migration (planning_adjustment "
                  "in components.csv).";
    out.push_back(std::move(s));
  }
  if (fs::is_regular_file(dir / "capacity.csv", ec)) {
    const CsvData t = read_csv_file((dir / "capacity.csv").string());
    ReportSection s;
    s.id = "capacity";
    s.title = zh ? "容量约束：上限在何处起作用" : "Capacity: where the caps bind";
    s.header = zh ? std::vector<std::string>{"方案",       "区域", "年份", "人口上限", "住房",
                                             "调整前人口", "人口", "迁出", "迁入",     "起作用"}
                  : std::vector<std::string>{"variant",   "zone",       "year",      "population cap", "dwellings",
                                             "tentative", "population", "displaced", "received",       "binds"};
    for (const auto& row : t.rows)
      s.rows.push_back({r.variant_label(row[t.column("variant")], l), r.zone_label(row[t.column("zone")], l), row[t.column("year")],
                        num(row[t.column("max_population")], 0), num(row[t.column("dwellings")], 0),
                        num(row[t.column("tentative_population")], 0), num(row[t.column("population")], 0),
                        num(row[t.column("displaced")], 0), num(row[t.column("received")], 0),
                        row[t.column("binds")] == "1" ? (zh ? "是" : "yes") : (zh ? "否" : "no")});
    s.note = zh ? "超过上限（或住户超过住房）的区域按比例压缩至上限；迁出人口按性别年龄分配给上限未起作用的区域（按其同"
                  "一性别年龄的人口比例）。"
                : "A zone above its cap (or with more households than dwellings) is scaled down to it; the displaced "
                  "persons go, by sex and age, to the zones whose caps do not bind, in proportion to their persons of "
                  "the same sex and age.";
    out.push_back(std::move(s));
  }
  if (fs::is_regular_file(dir / "households.csv", ec)) {
    const CsvData t = read_csv_file((dir / "households.csv").string());
    ReportSection s;
    s.id = "households";
    s.title = zh ? "住户与住房需求" : "Households and dwellings needed";
    // Units in the headers (a planner's table had "人口, 住户, 所需住房" without them) and a whole-area row per variant
    // and year after its zones: the area's households are what a plan's housing target is set against.
    s.header = zh ? std::vector<std::string>{"方案",
                                             "区域",
                                             "年份",
                                             "人口（人）",
                                             "住户（户）",
                                             "所需住房（套）",
                                             "户均人口（人/户）"}
                  : std::vector<std::string>{"variant",
                                             "zone",
                                             "year",
                                             "population (persons)",
                                             "households",
                                             "dwellings needed",
                                             "persons per household"};
    // The first and the last year only (the file has every year).
    std::string first, last;
    int first_year = 0, last_year = 0;
    for (std::size_t i = 0, cy = t.column("year"); i < t.rows.size(); ++i) {
      const int y = written_whole_number(t, i, cy);
      if (first.empty() || y < first_year) first = t.rows[i][cy], first_year = y;
      if (last.empty() || y > last_year) last = t.rows[i][cy], last_year = y;
    }
    struct Sum {
      double population = 0, households = 0, dwellings = 0;
      std::size_t zones = 0, last_row = 0;
    };
    std::map<std::pair<std::string, std::string>, Sum> sums;  // (variant, year)
    const auto value = [](const std::string& text) {
      double v = std::nan("");
      geodata::parse_number(text, v);
      return v;
    };
    for (std::size_t i = 0; i < t.rows.size(); ++i) {
      const auto& row = t.rows[i];
      Sum& sum = sums[{row[t.column("variant")], row[t.column("year")]}];
      sum.population += value(row[t.column("population")]);
      sum.households += value(row[t.column("households")]);
      sum.dwellings += value(row[t.column("dwellings_needed")]);
      ++sum.zones;
      sum.last_row = i;
    }
    for (std::size_t i = 0; i < t.rows.size(); ++i) {
      const auto& row = t.rows[i];
      const std::string &variant = row[t.column("variant")], &year = row[t.column("year")];
      if (year != first && year != last) continue;
      s.rows.push_back({r.variant_label(variant, l), r.zone_label(row[t.column("zone")], l), year,
                        num(row[t.column("population")], 0), num(row[t.column("households")], 0),
                        num(row[t.column("dwellings_needed")], 0), num(row[t.column("persons_per_household")], 2)});
      const Sum& sum = sums.at({variant, year});
      if (sum.last_row == i && sum.zones > 1)
        s.rows.push_back({r.variant_label(variant, l), r.zone_label("total", l), year,
                          format_value(sum.population, 0, l), format_value(sum.households, 0, l),
                          format_value(sum.dwellings, 0, l), format_value(sum.population / sum.households, 2, l)});
    }
    s.note = zh ? "住户 = Σ 户主率 × 人口（或 人口 / 户均人口）；所需住房 = 住户 /（1 − 空置率）。首末年份；各年见 "
                  "households.csv。"
                : "First and last year (every year: households.csv). Households = Σ headship rate × population (or "
                  "population / average household size); dwellings "
                  "needed = households / (1 − vacancy rate).";
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace cohortgis::app
