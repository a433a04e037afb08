// SPDX-License-Identifier: Apache-2.0
#include "records_output.hpp"

#include <cmath>
#include <algorithm>
#include <map>

#include "cohortgis/app/results.hpp"
#include "cohortgis/geodata/table.hpp"
#include "text_output.hpp"
#include "cohortgis/engine/index_cast.hpp"

namespace cohortgis::app {

bool append_published(std::string& out, double v, int min_cell) {
  // A cell of a few persons can identify them; 0 is published (nobody to identify).
  if (min_cell > 0 && v > 0.0 && v < static_cast<double>(min_cell)) return true;
  append_number_cell(out, v);
  return false;
}

namespace {


void write_file(const std::filesystem::path& dir, const std::string& name, const std::string& text,
                std::vector<std::string>& names) {
  TextFile f((dir / name).string());
  f.write(text);
  f.close();
  names.push_back(name);
}

// register_exclusions.csv, register_rates.csv and register_observed.csv (docs/results.md "Event registers").
void write_event_outputs(const std::filesystem::path& dir, const scenarios::ScenarioSet& set,
                         std::vector<std::string>& names) {
  const scenarios::EventRegisters& ev = *set.events;
  const scenarios::Scenario& sc = set.runs.front();
  const int min_cell = set.outputs.min_cell;
  const std::string flag = min_cell > 0 ? ",suppressed\n" : "\n";
  {
    std::string buf = "register,reason,policy,count,first_rows\n";
    for (const auto& r : ev.registers)
      for (const char* reason : scenarios::kEventReasons) {
        const scenarios::RecordExclusion* e = nullptr;
        for (const auto& x : r.exclusions)
          if (x.reason == reason) e = &x;
        buf += r.kind + "," + reason + (e ? ",exclude," : ",error,") + std::to_string(e ? e->count : 0) + ",";
        std::string rows;
        if (e)
          for (std::size_t row : e->first_rows) rows += (rows.empty() ? "" : " ") + std::to_string(row);
        buf += rows + "\n";
      }
    write_file(dir, "register_exclusions.csv", buf, names);
  }
  // Units: each zone, then "total"; each group, then "all" when there are several.
  std::vector<int> zones, groups;
  for (int z = 0; z < ev.zones; ++z) zones.push_back(z);
  if (ev.zones > 1) zones.push_back(-1);
  for (int g = 0; g < ev.groups; ++g) groups.push_back(g);
  if (ev.groups > 1) groups.push_back(-1);
  const auto zone_name = [&](int z) { return z < 0 ? std::string("total") : sc.zones[uz(z)].id; };
  const auto group_name = [&](int g) { return g < 0 ? std::string("all") : sc.group_names[uz(g)]; };
  // Sum of v over the cells of a unit (z, g: −1 = all), one sex and age (or every one with −1).
  // Only the cells of the unit are visited (in the same order as a filtered pass over all, so the same sums).
  const auto sum = [&](const std::vector<double>& v, int y, int z, int g, int s, int a) {
    double t = 0.0;
    for (int zz = z < 0 ? 0 : z; zz < (z < 0 ? ev.zones : z + 1); ++zz)
      for (int gg = g < 0 ? 0 : g; gg < (g < 0 ? ev.groups : g + 1); ++gg)
        for (int ss = s < 0 ? 0 : s; ss < (s < 0 ? 2 : s + 1); ++ss)
          for (int aa = a < 0 ? 0 : a; aa < (a < 0 ? ev.ages : a + 1); ++aa) t += v[ev.index(y, zz, gg, ss, aa)];
    return t;
  };
  {
    // Age-specific rates: births per woman-year by the mother's age group (the ASFR), deaths per person-year (mx).
    std::string buf = "event,year,zone,group,sex,age,events,person_years,rate" + flag;
    for (const auto& r : ev.registers) {
      const bool births = r.kind == "births";
      for (int y = ev.first_year; y <= ev.last_year; ++y)
        for (int z : zones)
          for (int g : groups)
            for (int s = 0; s < (births ? 1 : 2); ++s)
              for (int a = 0; a < ev.ages; ++a) {
                const double events = sum(r.counts, y, z, g, s, a), py = sum(ev.person_years, y, z, g, s, a);
                buf += r.kind + "," + std::to_string(y) + ",";
                append_csv_field(buf, zone_name(z));
                buf += ',';
                append_csv_field(buf, group_name(g));
                buf += std::string(s == 0 ? ",female," : ",male,") + std::to_string(sc.grid.age_start(a)) + ",";
                const bool hidden = append_published(buf, events, min_cell);
                buf += ',';
                if (!std::isnan(py)) append_number_cell(buf, py);
                buf += ',';
                if (!hidden && py > 0.0) append_number_cell(buf, events / py);
                if (min_cell > 0) buf += hidden ? ",1" : ",0";
                buf += '\n';
              }
    }
    write_file(dir, "register_rates.csv", buf, names);
  }
  {
    // Totals in the layout of published figures (year, zone, group, indicator, value, unit): what monitoring reads.
    std::string buf = "year,zone,group,indicator,value,unit" + flag;
    const scenarios::EventCounts* births = nullptr;
    const scenarios::EventCounts* deaths = nullptr;
    for (const auto& r : ev.registers) (r.kind == "births" ? births : deaths) = &r;
    for (int y = ev.first_year; y <= ev.last_year; ++y)
      for (int z : zones)
        for (int g : groups) {
          const auto row = [&](const std::string& indicator, double v, const char* unit, bool count) {
            buf += std::to_string(y) + ",";
            append_csv_field(buf, zone_name(z));
            buf += ',';
            append_csv_field(buf, group_name(g));
            buf += "," + indicator + ",";
            const bool hidden = count ? append_published(buf, v, min_cell) : (append_number_cell(buf, v), false);
            buf += std::string(",") + unit;
            if (min_cell > 0) buf += hidden ? ",1" : ",0";
            buf += '\n';
          };
          const double py = sum(ev.person_years, y, z, g, -1, -1);
          const bool rates = !std::isnan(py) && py > 0.0;
          double b = 0.0, d = 0.0;
          if (births) {
            b = sum(births->counts, y, z, g, -1, -1);
            row("births", b, "persons", true);
            if (!births->births_by_child_sex.empty()) {
              double sexes[2] = {0.0, 0.0};
              for (int zz = z < 0 ? 0 : z; zz < (z < 0 ? ev.zones : z + 1); ++zz)
                for (int gg = g < 0 ? 0 : g; gg < (g < 0 ? ev.groups : g + 1); ++gg)
                  for (int s = 0; s < 2; ++s)
                      sexes[s] += births->births_by_child_sex[((uz(y - ev.first_year) * uz(ev.zones) + uz(zz)) *
                                                                   uz(ev.groups) + uz(gg)) * 2 + uz(s)];
              row("births_female", sexes[0], "persons", true);
              row("births_male", sexes[1], "persons", true);
              // Suppressed counts would let the ratio reveal them: the ratio only where both are published.
              if (sexes[0] > 0.0 && !(min_cell > 0 && (sexes[0] < min_cell || sexes[1] < min_cell)))
                row("srb_per_100_females", 100.0 * sexes[1] / sexes[0], "per 100 females", false);
            }
            if (rates) {
              row("cbr_per_1000", 1000.0 * b / py, "per 1000", false);
              // TFR = width × Σ ASFR over the mother's age groups (Preston et al. 2001, eq. 5.1).
              double tfr = 0.0;
              bool known = true;
              for (int a = 0; a < ev.ages; ++a) {
                const double w = sum(ev.person_years, y, z, g, 0, a), n = sum(births->counts, y, z, g, 0, a);
                if (n > 0.0 && !(w > 0.0)) known = false;
                if (w > 0.0) tfr += n / w;
              }
              if (known) row("tfr", tfr * ev.age_width, "children per woman", false);
            }
          }
          if (deaths) {
            d = sum(deaths->counts, y, z, g, -1, -1);
            row("deaths", d, "persons", true);
            if (rates) row("cdr_per_1000", 1000.0 * d / py, "per 1000", false);
          }
          if (births && deaths && rates) row("natural_growth_per_1000", 1000.0 * (b - d) / py, "per 1000", false);
          if (rates) row("person_years", py, "persons", false);
        }
    write_file(dir, "register_observed.csv", buf, names);
  }
}

}  // namespace

std::vector<std::string> write_records_outputs(const std::filesystem::path& dir, const scenarios::ScenarioSet& set) {
  std::vector<std::string> event_names;
  if (set.events) write_event_outputs(dir, set, event_names);
  if (!set.records) return event_names;
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
            append_csv_field(buf, sc.zones[uz(z)].id);
            buf += ',';
            append_csv_field(buf, sc.group_names[uz(g)]);
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
  names.insert(names.end(), event_names.begin(), event_names.end());
  return names;
}

std::optional<ReportSection> register_report_section(const Results& r, Language l) {
  namespace fs = std::filesystem;
  const fs::path dir(r.dir);
  std::error_code ec;
  const bool people = fs::is_regular_file(dir / "exclusions.csv", ec);
  const bool events = fs::is_regular_file(dir / "register_exclusions.csv", ec);
  if (!people && !events) return std::nullopt;
  const bool zh = l == Language::zh;
  ReportSection s;
  s.id = "registers";
  s.title = zh ? "登记数据：剔除的记录" : "Registers: records left out";
  s.header = zh ? std::vector<std::string>{"登记", "原因", "处理", "记录数", "前几行（数据行号）"}
                : std::vector<std::string>{"register", "reason", "policy", "records", "first rows (data row)"};
  const auto label = [&](const std::string& kind) {
    if (kind == "population") return std::string(zh ? "人口（基期人口）" : "persons (base population)");
    if (kind == "births") return std::string(zh ? "出生" : "births");
    return std::string(zh ? "死亡" : "deaths");
  };
  std::size_t declared = 0;
  const auto add = [&](const std::string& kind, const std::vector<std::string>& row, std::size_t reason_col) {
    // Only reasons declared in `exclude`: the others stop the run, so their count is always 0.
    if (row.size() <= reason_col + 3 || row[reason_col + 1] != "exclude") return;
    ++declared;
    s.rows.push_back({label(kind), row[reason_col], zh ? "剔除并计数" : "left out, counted", row[reason_col + 2],
                      row[reason_col + 3]});
  };
  if (people)
    for (const auto& row : read_csv_file((dir / "exclusions.csv").string()).rows)
      if (!row.empty() && row[0] != "total_excluded") add("population", row, 0);
  if (events)
    for (const auto& row : read_csv_file((dir / "register_exclusions.csv").string()).rows)
      if (!row.empty()) add(row[0], row, 1);
  std::string note = zh ? "每条有问题的记录要么使运行失败（默认），要么按情景声明的规则（exclude）剔除并在此计数。"
                          "结果中只有汇总数，没有任何个人记录。"
                        : "Every record with a problem either stops the run (the default) or, for a reason the "
                          "scenario lists in `exclude`, is left out and counted here. The results hold aggregates "
                          "only, never a record.";
  if (declared == 0)
    note += zh ? "本情景未声明剔除规则：所有记录均已通过检查。" : " This scenario declares no exclusions: every record passed.";
  if (fs::is_regular_file(dir / "register_observed.csv", ec)) {
    // The whole area's events per year: the `total` zone when there are several, else the one zone.
    const CsvData obs = read_csv_file((dir / "register_observed.csv").string());
    std::map<std::string, std::map<std::string, std::string>> by_year;  // year → indicator → value
    const bool has_total = std::any_of(obs.rows.begin(), obs.rows.end(),
                                       [](const auto& row) { return row.size() > 1 && row[1] == "total"; });
    for (const auto& row : obs.rows)
      if (row.size() > 4 && (!has_total || row[1] == "total") && (row[2] == "all" || row[2] == "total"))
        by_year[row[0]][row[3]] = row[4];
    for (const auto& [year, v] : by_year) {
      // v by an explicit reference: clang before 16 cannot capture a structured binding.
      const auto get = [&, &v = v](const char* k) {
        auto it = v.find(k);
        if (it == v.end() || it->second.empty()) return std::string("–");
        double x = std::nan("");
        geodata::parse_number(it->second, x);
        return format_value(x, std::string(k).find("per_1000") != std::string::npos || std::string(k) == "tfr" ? 2 : 0, l);
      };
      note += zh ? " " + year + "年登记：出生 " + get("births") + "，死亡 " + get("deaths") + "，出生率 " +
                       get("cbr_per_1000") + "‰，死亡率 " + get("cdr_per_1000") + "‰，总和生育率 " + get("tfr") + "。"
                 : " " + year + " registered: births " + get("births") + ", deaths " + get("deaths") + ", CBR " +
                       get("cbr_per_1000") + " per 1000, CDR " + get("cdr_per_1000") + " per 1000, TFR " + get("tfr") + ".";
    }
    note += zh ? "（register_rates.csv、register_observed.csv）" : " (register_rates.csv, register_observed.csv)";
  }
  s.note = note;
  return s;
}

}  // namespace cohortgis::app
