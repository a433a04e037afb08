// SPDX-License-Identifier: Apache-2.0
// `[base_population] records = …`: a person-level register (one row per person) counted into the base population
// by zone, group, sex and age in completed years at the base date (scenarios/README.md "Registers (records)").
// Rows are streamed and dropped: memory is one row, the cells, and the set of ids seen (16 bytes per person at most
// 0.7 full, about 23–46 bytes per person; 20 million ids take 0.5–0.9 GB).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <cstring>
#include <condition_variable>
#include <deque>
#include <iterator>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "cohortgis/geodata/locate.hpp"
#include "cohortgis/scenarios/records.hpp"
#include "register_rows.hpp"
#include "scenario_build.hpp"

namespace cohortgis::scenarios {

namespace {
bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int days_in_month(int y, int m) {
  static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : d[m - 1];
}
// Reads 1–digits decimal digits at s[i]; false when there are none or too many.
bool digits(const std::string& s, std::size_t& i, std::size_t max_digits, int& out) {
  const std::size_t start = i;
  out = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - start < max_digits) out = out * 10 + (s[i++] - '0');
  return i > start && !(i < s.size() && s[i] >= '0' && s[i] <= '9');
}
// A time of day from s[i] to the end: H:MM[:SS[.fff]], then optionally a zone (Z, ±HH, ±HHMM, ±HH:MM) or AM/PM,
// as spreadsheets and ISO 8601 write them, or ISO's basic THHMM[SS]. Anything else after a date is no date ("2020-01-05
// garbage"), and so is a time no clock shows (hour 25, minute 60, an offset of +99:99): its date may be another day
// (hostile probe of round 26). Hours 0-23 (1-12 with AM/PM), minutes 0-59, seconds 0-60 (a leap second), offsets up
// to 23:59.
bool time_of_day(const std::string& s, std::size_t i) {
  int v = 0;
  std::size_t from = i;
  if (std::size_t j = i; s[i - 1] == 'T' && digits(s, j, 6, v) && (j - i == 4 || j - i == 6) && j == s.size()) {
    const int hhmm = j - i == 6 ? v / 100 : v, ss = j - i == 6 ? v % 100 : 0;
    return hhmm / 100 <= 23 && hhmm % 100 <= 59 && ss <= 60;  // T1345
  }
  int hour = 0;
  if (!digits(s, i, 2, hour) || hour > 23 || i >= s.size() || s[i++] != ':') return false;
  if (from = i; !digits(s, i, 2, v) || i - from != 2 || v > 59) return false;
  if (i < s.size() && s[i] == ':')
    if (from = ++i; !digits(s, i, 2, v) || i - from != 2 || v > 60) return false;
  if (i < s.size() && s[i] == '.' && !digits(s, ++i, 9, v)) return false;
  if (i < s.size() && s[i] == ' ') ++i;
  const std::string rest = s.substr(i);
  if (rest.empty() || rest == "Z") return true;
  if (rest == "AM" || rest == "PM" || rest == "am" || rest == "pm") return hour >= 1 && hour <= 12;
  std::size_t j = 1;
  if ((rest[0] != '+' && rest[0] != '-') || !digits(rest, j, 4, v) || (j != 3 && j != 5)) return false;
  if (j == 5 && (v / 100 > 23 || v % 100 > 59)) return false;  // ±HHMM
  if (j == 3 && v > 23) return false;                          // ±HH
  if (j == 3 && j < rest.size() && rest[j] == ':')
    if (from = ++j; !digits(rest, j, 2, v) || j - from != 2 || v > 59) return false;
  return j == rest.size();
}
}  // namespace

bool CivilDate::valid() const {
  return year >= 1 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 && day <= days_in_month(year, month);
}

std::string CivilDate::iso() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
  return buf;
}

bool parse_civil_date(const std::string& text, CivilDate& out) {
  std::string s = text;
  while (!s.empty() && s.back() == ' ') s.pop_back();
  std::size_t b = 0;
  while (b < s.size() && s[b] == ' ') ++b;
  s = s.substr(b);
  if (const std::size_t t = s.find_first_of(" T"); t != std::string::npos) {
    if (!time_of_day(s, t + 1)) return false;
    s.resize(t);
  }
  CivilDate d;
  if (s.size() == 8 && s.find_first_not_of("0123456789") == std::string::npos) {
    d = {std::stoi(s.substr(0, 4)), std::stoi(s.substr(4, 2)), std::stoi(s.substr(6, 2))};
  } else {
    std::size_t i = 0;
    if (!digits(s, i, 4, d.year) || i != 4 || i >= s.size() || (s[i] != '-' && s[i] != '/')) return false;
    const char sep = s[i++];
    if (!digits(s, i, 2, d.month) || i >= s.size() || s[i++] != sep) return false;
    if (!digits(s, i, 2, d.day) || i != s.size()) return false;
  }
  if (!d.valid()) return false;
  out = d;
  return true;
}

int completed_years(const CivilDate& birth, const CivilDate& at) {
  // Comparing (month, day) pairs gives the rule: born 29 February, on 28 February of a common year the pair
  // (2, 28) is still before (2, 29), and on 1 March it is past.
  const bool had_birthday = at.month > birth.month || (at.month == birth.month && at.day >= birth.day);
  return at.year - birth.year - (had_birthday ? 0 : 1);
}

}  // namespace cohortgis::scenarios

namespace cohortgis::scenarios::detail {

namespace {

// The reasons a record may be excluded for (`exclude = [...]`); any other problem of a row is always an error.
const std::vector<std::string> kReasons(std::begin(kRecordReasons), std::end(kRecordReasons));

// Column indexes of the register, found once on the first row.
struct Cols {
  std::size_t id = 0, sex = 0, zone = 0, x = 0, y = 0, group = 0, birth = 0, age = 0, registered = 0, children = 0;
  bool has_zone = false, has_point = false, has_group = false, has_birth = false, has_age = false;
  bool has_registered = false, has_children = false;
};

}  // namespace

void read_records(const Doc& doc, const toml::table& root, const toml::table& t, Build& b) {
  using R = RecordReason;
  const std::string key = "base_population.records";
  const toml::node& rn = *t.get("records");
  const TableRef ref = table_ref(doc, rn, key,
                                 {"id", "birth_date", "age", "sex", "zone", "x", "y", "group", "registered", "children"});
  // A register's rows are persons: a unit, per or between would be ignored without a word.
  refuse_unit_and_per(doc, ref, "persons, one per row");
  refuse_between(doc, ref);
  // Alternatives of which one column is used: mapping both would leave one ignored without a word.
  refuse_both_mapped(doc, rn, key, ref, "birth_date", "age", "age");
  const bool map_age = ref.columns.count("age") > 0;
  const bool map_zone = ref.columns.count("zone") > 0, map_xy = ref.columns.count("x") + ref.columns.count("y") > 0;
  if (map_zone && map_xy)
    doc.fail(&rn, key + ".columns", "maps both zone and x/y; expected a zone code or a point, not both");
  auto summary = std::make_shared<RecordsSummary>();
  summary->source = ref.written;

  // The base date: the end of the base year unless declared.
  CivilDate base{b.base_year, 12, 31};
  if (const toml::node* n = t.get("base_date")) {
    const std::string s = doc.string(*n, "base_population.base_date");
    if (!parse_civil_date(s, base))
      doc.fail(n, "base_population.base_date", "expected a date YYYY-MM-DD, got \"" + s + "\"");
    if (base.year != b.base_year)
      doc.fail(n, "base_population.base_date", "expected a date in projection.base_year " +
                                                   std::to_string(b.base_year) + ", got " + base.iso());
  }
  summary->base_date = base.iso();
  // `age_date`: the date an `age` column is taken at; whole years before the base date, same month and day, so
  // that age + years is exact.
  int age_shift = 0;
  if (const toml::node* n = t.get("age_date")) {
    const std::string s = doc.string(*n, "base_population.age_date");
    CivilDate d;
    if (!parse_civil_date(s, d) || d.month != base.month || d.day != base.day || d.year > base.year)
      doc.fail(n, "base_population.age_date", "expected the base date " + base.iso() +
                                                  " or the same day of an earlier year (ages then shift by whole "
                                                  "years exactly), got \"" + s + "\"");
    age_shift = base.year - d.year;
  }
  int max_age = 120;
  if (const toml::node* n = t.get("max_age")) max_age = doc.integer(*n, "base_population.max_age", 1, 150, "years");
  ExclusionPolicy policy(doc, t, "base_population", kReasons, summary->exclusions);

  // Points: [geography.source] holds the zones' polygons, `records_crs` the CRS of x and y.
  std::optional<geodata::Zones> zones;
  std::unique_ptr<geodata::ZoneLocator> locator;
  std::vector<int> zone_of_source;  // source zone index → scenario zone index
  auto want_points = [&] {
    if (locator) return;
    const toml::node* geo = nullptr;
    if (const toml::node* gn = root.get("geography"); gn && gn->is_table()) geo = gn->as_table()->get("source");
    if (!geo)
      doc.fail(&rn, key, ref.path + ": the register gives points (x, y) but the scenario has no [geography.source] "
                                    "with the zones' polygons");
    ScenarioSet scratch;
    zones = read_zone_source(doc, *geo, scratch);
    std::string crs;
    if (const toml::node* c = t.get("records_crs")) {
      crs = doc.string(*c, "base_population.records_crs");
      // An empty string is no CRS: ZoneLocator would take the points in the zones' CRS, as if the key were absent.
      if (crs.find_first_not_of(" \t") == std::string::npos)
        doc.fail(c, "base_population.records_crs",
                 "expected the coordinate reference system of the points (e.g. \"EPSG:4326\"), got \"" +
                     escape_cell(crs) + "\"; leave the key out when the points are in the zones' CRS");
    }
    try {
      locator = std::make_unique<geodata::ZoneLocator>(*zones, crs);
    } catch (const InputError& e) {
      doc.fail(t.get("records_crs") ? t.get("records_crs") : &rn, "base_population.records_crs", e.what());
    }
    for (std::size_t i = 0; i < zones->size(); ++i) {
      auto it = b.zone_index.find(zones->id(i));
      zone_of_source.push_back(it == b.zone_index.end() ? -1 : it->second);
    }
  };

  const bool by_group = b.G > 1;
  const std::vector<double>::size_type cells = b.sc.base_population.data().size();
  std::vector<double> counts(cells, 0.0);
  summary->zones = b.Z, summary->groups = b.G, summary->ages = b.A;
  IdSet ids;
  Cols c;
  bool first = true;
  // Required: id and sex, the group with several groups, and every role the scenario maps explicitly (a register
  // without a mapped column is an error before any row is read).
  std::vector<std::string> req = {"id", "sex"};
  if (by_group) req.push_back("group");
  for (const auto& [logical, file] : ref.columns)
    if (std::find(req.begin(), req.end(), logical) == req.end()) req.push_back(logical);

  struct RowError {
    InputError e;
  };
  auto col = [](const Rows& rows, const std::string& logical, bool& has) {
    has = rows.has(logical);
    return has ? rows.table.column(rows.ref.column(logical)) : 0;
  };
  auto on_row = [&](const Rows& rows) {
    const geodata::Table& tb = rows.table;
    if (first) {
      first = false;
      bool dummy = false;
      c.id = col(rows, "id", dummy);
      c.sex = col(rows, "sex", dummy);
      c.zone = col(rows, "zone", c.has_zone);
      bool has_x = false, has_y = false;
      c.x = col(rows, "x", has_x);
      c.y = col(rows, "y", has_y);
      if (map_xy && !(has_x && has_y))
        doc.fail(&rn, key,
                 ref.path + ": expected both columns '" + ref.column("x") + "' and '" + ref.column("y") +
                     "' (a point); map the other one with columns = { x = …, y = … }");
      // A mapped point decides over a column that is only named `zone`; otherwise the zone code does.
      c.has_point = (map_xy || !c.has_zone) && has_x && has_y;
      if (c.has_point) c.has_zone = false;
      c.group = col(rows, "group", c.has_group);
      c.birth = col(rows, "birth_date", c.has_birth);
      c.age = col(rows, "age", c.has_age);
      c.registered = col(rows, "registered", c.has_registered);
      c.children = col(rows, "children", c.has_children);
      if (!c.has_zone && !c.has_point && b.Z > 1)
        doc.fail(&rn, key, ref.path + ": expected a column '" + ref.column("zone") + "' (zone code) or columns '" +
                               ref.column("x") + "' and '" + ref.column("y") + "' (points); map them with columns = "
                               "{ zone = … } or { x = …, y = … }");
      if (!c.has_birth && !c.has_age)
        doc.fail(&rn, key, ref.path + ": expected a column '" + ref.column("birth_date") + "' (date of birth) or '" +
                               ref.column("age") + "' (age at the base date or at base_population.age_date)");
      // Both present: the one mapped in `columns` decides, the date when neither is mapped.
      if (c.has_birth && c.has_age) (map_age ? c.has_birth : c.has_age) = false;
      if (const toml::node* n = t.get("age_date"); n && !c.has_age)
        doc.fail(n, "base_population.age_date",
                 "applies to an `age` column; this register's ages come from its dates of birth (column '" +
                     ref.column("birth_date") + "'); leave it out");
      if (const toml::node* n = t.get("records_crs"); n && !c.has_point)
        doc.fail(
            n, "base_population.records_crs",
            "applies to points (columns x and y); this register " +
                (c.has_zone ? "gives zone codes (column '" + ref.column("zone") + "')" : std::string("has no points")) +
                "; leave it out");
      if (c.has_point) want_points();
      summary->has_parity = c.has_children;
      if (c.has_children) summary->parity_women.assign(uz(b.Z) * uz(b.G) * uz(b.A) * kParityClasses, 0.0);
    }
    ++summary->rows;
    const std::size_t data_row = tb.first_row + 1;
    // A problem of this row: counted under a declared reason, otherwise the error naming file, row and column.
    auto problem = [&](RecordReason why, std::size_t column, const std::string& what) {
      const auto reason = static_cast<std::size_t>(why);
      if (policy.excluded(reason)) return policy.count(reason, data_row);
      doc.fail(&rn, key, tb.where(0, column) + ": " + what + " (or declare base_population.exclude = [\"" +
                             kReasons[reason] + "\"] to leave such records out, counted in exclusions.csv)");
    };
    // The checks in a fixed order, so that a row with several problems is counted once, under the first.
    int age = 0;
    if (c.has_birth) {
      CivilDate born;
      const std::string& cell = tb.text(0, c.birth);
      if (!parse_civil_date(cell, born))
        return problem(R::bad_date, c.birth, "expected a date of birth YYYY-MM-DD (or YYYY/MM/DD, YYYYMMDD), got " + quote_cell(cell));
      if (born.year > base.year || (born.year == base.year && (born.month > base.month ||
                                                               (born.month == base.month && born.day > base.day))))
        return problem(R::born_after_base, c.birth, "born " + born.iso() + ", after the base date " + base.iso());
      age = completed_years(born, base);
    } else {
      const std::string& cell = tb.text(0, c.age);
      double v = 0;
      if (!geodata::parse_number(cell, v) || v != std::floor(v) || v < 0 || v > 1000)
        return problem(R::bad_value, c.age, "expected an age in whole years >= 0, got " + quote_cell(cell));
      age = static_cast<int>(v) + age_shift;
    }
    if (age > max_age)
      return problem(R::over_max_age, c.has_birth ? c.birth : c.age, "age " + std::to_string(age) + " at " + base.iso() +
                                                           " is over base_population.max_age = " + std::to_string(max_age));
    if (c.has_registered) {
      const std::string& cell = tb.text(0, c.registered);
      CivilDate reg;
      if (!cell.empty()) {
        if (!parse_civil_date(cell, reg))
          return problem(R::bad_date, c.registered, "expected a registration date YYYY-MM-DD or an empty cell, got " + quote_cell(cell));
        if (reg.year > base.year || (reg.year == base.year && (reg.month > base.month ||
                                                               (reg.month == base.month && reg.day > base.day))))
          return problem(R::registered_after_base, c.registered, "registered " + reg.iso() + ", after the base date " + base.iso());
      }
    }
    int zone = 0;
    if (c.has_zone) {
      const std::string& cell = tb.text(0, c.zone);
      auto it = b.zone_index.find(cell);
      if (it == b.zone_index.end())
        return problem(R::unknown_zone, c.zone, "expected a zone id of the geography, got " + quote_cell(cell));
      zone = it->second;
    } else if (c.has_point) {
      double x = 0, y = 0;
      if (!geodata::parse_number(tb.text(0, c.x), x))
        return problem(R::bad_value, c.x, "expected a coordinate, got " + quote_cell(tb.text(0, c.x)));
      if (!geodata::parse_number(tb.text(0, c.y), y))
        return problem(R::bad_value, c.y, "expected a coordinate, got " + quote_cell(tb.text(0, c.y)));
      const auto z = locator->locate(x, y);
      if (!z || zone_of_source[*z] < 0)
        return problem(R::outside_zones, c.x, "the point (" + fmt(x) + ", " + fmt(y) + ") is outside every zone of " +
                                   zones->source());
      zone = zone_of_source[*z];
    }
    int g = 0;
    if (by_group) {
      const std::string& cell = tb.text(0, c.group);
      auto it = b.group_index.find(cell);
      if (it == b.group_index.end())
        return problem(R::unknown_group, c.group, "expected a group of projection.groups, got " + quote_cell(cell));
      g = it->second;
    }
    int parity = kParityClasses - 1;  // unknown
    // The sex column found once (c.sex); sex_of names the row in the error for anything but the two sexes.
    const std::string& sex_cell = tb.text(0, c.sex);
    const int s = sex_cell == "female" || sex_cell == "F" || sex_cell == "f" ? 0
                  : sex_cell == "male" || sex_cell == "M" || sex_cell == "m" ? 1
                                                                            : sex_of(doc, rows, 0, key);
    if (c.has_children && s == 0) {
      const std::string& cell = tb.text(0, c.children);
      double v = 0;
      if (!cell.empty()) {
        if (!geodata::parse_number(cell, v) || v != std::floor(v) || v < 0 || v > 30)
          return problem(R::bad_value, c.children, "expected children ever born, a whole number 0 to 30 or an empty cell, got " +
                                            quote_cell(cell));
        parity = std::min(static_cast<int>(v), 3);
      }
    }
    const std::string& id = tb.text(0, c.id);
    if (id.empty()) return problem(R::bad_value, c.id, "expected a person id, got an empty cell");
    // Last: a duplicate is the second row of an id that was counted (rows left out before are not persons).
    // The id is not echoed: messages end up in logs, and an id number identifies a person.
    if (!ids.insert(id)) return problem(R::duplicate_id, c.id, "a person id that appears on an earlier row (not shown)");
    const int i = std::min(age / b.z, b.A - 1);
    counts[b.sc.base_population.layout().index(zone, g, s, i)] += 1.0;
    if (c.has_children && s == 0) summary->parity_women[summary->parity_index(zone, g, i, parity)] += 1.0;
    ++summary->persons;
  };
  {
    RowPipeline pipe(on_row);
    try {
      stream_rows(doc, ref, req, {}, [&](const Rows& rows) {
        try {
          pipe.push(rows);
        } catch (const InputError& e) {
          throw RowError{e};
        }
      });
    } catch (const RowError& r) {
      throw r.e;
    }
    pipe.finish();  // rethrows the worker's error (file, row and column already in it)
  }
  // A zone without a single person is a forgotten zone (a wrong code, a filter), never taken as empty.
  std::string none;
  for (int z = 0; z < b.Z; ++z) {
    double sum = 0;
    for (int g = 0; g < b.G; ++g)
      for (int s = 0; s < 2; ++s)
        for (int i = 0; i < b.A; ++i) sum += counts[b.sc.base_population.layout().index(z, g, s, i)];
    if (sum == 0) none += (none.empty() ? "" : ", ") + b.sc.zones[uz(z)].id;
  }
  if (!none.empty())
    doc.fail(&rn, key, ref.path + ": no persons counted for zone " + none + "; expected every zone of the geography");
  std::copy(counts.begin(), counts.end(), b.sc.base_population.data().begin());
  std::string excl;
  for (const auto& e : summary->exclusions)
    if (e.count > 0) excl += (excl.empty() ? "" : ", ") + std::to_string(e.count) + " " + e.reason;
  b.sc.assumptions.push_back("Base population from the register " + ref.written + ": " +
                             std::to_string(summary->persons) + " persons of " + std::to_string(summary->rows) +
                             " records, ages in completed years at " + base.iso() +
                             (summary->exclusions.empty() ? std::string(".")
                                                          : "; excluded under the declared policy: " +
                                                                (excl.empty() ? std::string("none") : excl) +
                                                                " (exclusions.csv)."));
  b.records = std::move(summary);
}

}  // namespace cohortgis::scenarios::detail
