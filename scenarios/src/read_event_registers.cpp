// SPDX-License-Identifier: Apache-2.0
// `[registers]`: registers of births and deaths (one row per event) counted by calendar year, zone, group, sex and
// age group, with the person-years they are rates of (scenarios/README.md "Event registers"). Like the base
// population's register, rows are streamed and dropped: memory is the cells and, with an `id` column, the set of ids.
#include <cmath>
#include <limits>

#include "register_rows.hpp"
#include "scenario_build.hpp"
#include "schedule_time.hpp"

namespace cohortgis::scenarios::detail {

namespace {

const std::vector<std::string> kReasons(std::begin(kEventReasons), std::end(kEventReasons));

// Counts one register (births or deaths) into `out`.
void count_events(const Doc& doc, const toml::table& t, const std::string& kind, const Build& b, CivilDate base,
                  int max_age, EventRegisters& reg, EventCounts& out) {
  using R = EventReason;
  const std::string key = "registers." + kind;
  const bool births = kind == "births";
  const toml::node& rn = *t.get(kind);
  const TableRef ref =
      births ? table_ref(doc, rn, key, {"id", "date", "year", "mother_birth_date", "mother_age", "sex", "zone", "group"})
             : table_ref(doc, rn, key, {"id", "date", "year", "birth_date", "age", "sex", "zone", "group"});
  // Rows are events: a unit, per or between would be ignored without a word.
  refuse_unit_and_per(doc, ref, "events, one per row");
  refuse_between(doc, ref);
  out.kind = kind;
  out.source = ref.written;
  out.counts.assign(reg.cells(), 0.0);
  const std::string born_role = births ? "mother_birth_date" : "birth_date";
  const std::string age_role = births ? "mother_age" : "age";
  // Of date/year and of date of birth/age one column is used: mapping both would leave one ignored without a word.
  refuse_both_mapped(doc, rn, key, ref, "date", "year", "year");
  refuse_both_mapped(doc, rn, key, ref, born_role, age_role, "age");
  const bool map_year = ref.columns.count("year") > 0, map_age = ref.columns.count(age_role) > 0;
  ExclusionPolicy policy(doc, t, "registers", kReasons, out.exclusions);
  std::vector<std::string> req;
  if (b.G > 1) req.push_back("group");
  if (b.Z > 1) req.push_back("zone");
  if (!births) req.push_back("sex");
  for (const auto& [logical, file] : ref.columns)
    if (std::find(req.begin(), req.end(), logical) == req.end()) req.push_back(logical);

  IdSet ids;
  bool first = true, has_id = false, has_date = false, has_born = false, has_child_sex = false;
  auto on_row = [&](const Rows& rows) {
    if (first) {
      first = false;
      has_id = rows.has("id");
      // Both present: the one mapped in `columns` decides, the dates when neither is mapped.
      has_date = rows.has("date") && !(map_year && rows.has("year"));
      has_born = rows.has(born_role) && !(map_age && rows.has(age_role));
      if (!has_date && !rows.has("year"))
        doc.fail(&rn, key, ref.path + ": expected a column '" + ref.column("date") + "' (date of the " +
                               (births ? "birth" : "death") + ") or '" + ref.column("year") + "' (its calendar year)");
      if (!has_born && !rows.has(age_role))
        doc.fail(&rn, key,
                 ref.path + ": expected a column '" + ref.column(born_role) + "' (date of birth of the " +
                     (births ? "mother" : "deceased") + ") or '" + ref.column(age_role) +
                     "' (age in completed years at the event)");
      has_child_sex = births && rows.has("sex");
      if (has_child_sex && out.births_by_child_sex.empty())
        out.births_by_child_sex.assign(uz(reg.years()) * uz(reg.zones) * uz(reg.groups) * 2, 0.0);
    }
    ++out.rows;
    const std::size_t data_row = rows.table.first_row + 1;
    auto problem = [&](R why, const std::string& logical, const std::string& what) {
      const auto reason = static_cast<std::size_t>(why);
      if (policy.excluded(reason)) return policy.count(reason, data_row);
      doc.fail(&rn, key, rows.where(0, logical) + ": " + what + " (or declare registers.exclude = [\"" +
                             kReasons[reason] + "\"] to leave such rows out, counted in register_exclusions.csv)");
    };
    // The checks in a fixed order: a row with several problems is counted once, under the first.
    CivilDate when{};
    int year = 0;
    if (has_date) {
      const std::string& cell = rows.text(0, "date");
      if (!parse_civil_date(cell, when))
        return problem(R::bad_date, "date", "expected a date YYYY-MM-DD (or YYYY/MM/DD, YYYYMMDD), got " + quote_cell(cell));
      if (base < when) return problem(R::after_base, "date", when.iso() + " is after the base date " + base.iso());
      year = when.year;
    } else {
      double v = 0;
      const std::string& cell = rows.text(0, "year");
      if (!geodata::parse_number(cell, v) || v != std::floor(v) || v < 1 || v > 9999)
        return problem(R::bad_value, "year", "expected a calendar year, got " + quote_cell(cell));
      year = static_cast<int>(v);
      if (year > base.year) return problem(R::after_base, "year", "year " + cell + " is after the base year");
    }
    if (year < reg.first_year || year > reg.last_year)
      return problem(R::outside_years, has_date ? "date" : "year",
                     "year " + std::to_string(year) + " is outside registers.years = [" +
                         std::to_string(reg.first_year) + ", " + std::to_string(reg.last_year) + "]");
    int age = 0;
    if (has_born) {
      const std::string& cell = rows.text(0, born_role);
      CivilDate born;
      if (!parse_civil_date(cell, born))
        return problem(R::bad_date, born_role, "expected a date of birth YYYY-MM-DD, got " + quote_cell(cell));
      if (!has_date)
        return problem(R::bad_value, born_role, "a date of birth needs the date of the event (column '" +
                                                    ref.column("date") + "'), not only its year");
      if (when < born)
        return problem(R::born_after_event, born_role, "born " + born.iso() + ", after the event on " + when.iso());
      age = completed_years(born, when);
    } else {
      const std::string& cell = rows.text(0, age_role);
      double v = 0;
      if (!geodata::parse_number(cell, v) || v != std::floor(v) || v < 0 || v > 1000)
        return problem(R::bad_value, age_role, "expected an age in whole years >= 0, got " + quote_cell(cell));
      age = static_cast<int>(v);
    }
    if (age > max_age)
      return problem(R::over_max_age, has_born ? born_role : age_role,
                     "age " + std::to_string(age) + " is over registers.max_age = " + std::to_string(max_age));
    int zone = 0;
    if (rows.has("zone")) {
      const std::string& cell = rows.text(0, "zone");
      auto it = b.zone_index.find(cell);
      if (it == b.zone_index.end())
        return problem(R::unknown_zone, "zone", "expected a zone id of the geography, got " + quote_cell(cell));
      zone = it->second;
    }
    int g = 0;
    if (b.G > 1) {
      const std::string& cell = rows.text(0, "group");
      auto it = b.group_index.find(cell);
      if (it == b.group_index.end())
        return problem(R::unknown_group, "group", "expected a group of projection.groups, got " + quote_cell(cell));
      g = it->second;
    }
    int sex = 0;  // births: the mother
    int child_sex = -1;
    if (!births || has_child_sex) {
      const std::string& cell = rows.text(0, "sex");
      if (cell == "female" || cell == "f" || cell == "F") {
        (births ? child_sex : sex) = 0;
      } else if (cell == "male" || cell == "m" || cell == "M") {
        (births ? child_sex : sex) = 1;
      } else {
        return problem(R::bad_value, "sex", "expected female or male (map other spellings with `values`), got " +
                                                quote_cell(cell));
      }
    }
    if (has_id) {
      const std::string& id = rows.text(0, "id");
      if (id.empty()) return problem(R::bad_value, "id", "expected an event id, got an empty cell");
      // The id is not echoed: it may identify a person.
      if (!ids.insert(id)) return problem(R::duplicate_id, "id", "an id that appears on an earlier row (not shown)");
    }
    const int i = std::min(age / b.z, b.A - 1);
    out.counts[reg.index(year, zone, g, sex, i)] += 1.0;
    if (child_sex >= 0)
      out.births_by_child_sex[((uz(year - reg.first_year) * uz(reg.zones) + uz(zone)) * uz(reg.groups) + uz(g)) * 2 +
                              uz(child_sex)] += 1.0;
    ++out.events;
  };
  stream_rows(doc, ref, req, {}, on_row);
  if (out.rows == 0) doc.fail(&rn, key, ref.path + ": the register has no rows (after its filter)");
}

// `exposure = { path = …, columns = { year, zone, group, sex, age, value } }`: person-years by cell and year.
void read_exposure(const Doc& doc, const toml::node& n, const Build& b, EventRegisters& reg) {
  const std::string key = "registers.exposure";
  const TableRef ref = table_ref(doc, n, key, {"year", "zone", "group", "sex", "age", "value"});
  // Person-years of the years listed: `unit` as for counts of persons (thousands, 10k), never per step or between.
  const double per_unit = persons_per_unit(doc, ref);
  refuse_per(doc, ref, "person-years of each calendar year");
  refuse_between(doc, ref);
  const Rows t = read_rows(doc, ref, {"year", "sex", "age", "value"}, {"value"});
  std::vector<char> seen(reg.cells(), 0);
  std::vector<char> year_seen(uz(reg.years()), 0);
  for (std::size_t r = 0; r < t.size(); ++r) {
    const int year = whole_number(doc, t, r, "year", key);
    if (year < reg.first_year || year > reg.last_year) continue;  // other years: not needed
    const int zone = t.has("zone") ? b.zone_of_row(t, r, &n, key) : (b.Z == 1 ? 0 : -1);
    if (zone < 0) doc.fail(&n, key, ref.path + ": expected a column '" + ref.column("zone") + "' with several zones");
    const int g = b.G > 1 ? b.group_of_row(t, r, &n, key) : 0;
    if (g < 0) doc.fail(&n, key, ref.path + ": expected a column '" + ref.column("group") + "' with several groups");
    const int s = sex_of(doc, t, r, key);
    const int age = whole_number(doc, t, r, "age", key);
    const int i = b.age_index(age);
    if (i < 0)
      doc.fail(&n, key, t.where(r, "age") + ": expected the first age of an age group of the projection (0, " +
                            std::to_string(b.z) + ", " + std::to_string(2 * b.z) + ", …, open age), got " +
                            std::to_string(age));
    const double v = t.number(r, "value") * per_unit;
    // Bounded as the base population's cells (kMaxCellPersons): 1e300 person-years gave a death rate of 1e-300,
    // written as a rate a later scenario reads.
    if (!(v >= 0) || !(v <= kMaxCellPersons))
      doc.fail(&n, key,
               t.where(r, "value") + ": expected person-years from 0 to 1e12, got " + quote_cell(t.text(r, "value")) +
                   (per_unit != 1.0 ? " (in its unit)" : ""));
    const std::size_t c = reg.index(year, zone, g, s, i);
    if (seen[c]) doc.fail(&n, key, t.where(r, "age") + ": a second row for the same year, zone, group, sex and age");
    seen[c] = 1;
    year_seen[uz(year - reg.first_year)] = 1;
    reg.person_years[c] = v;
  }
  for (int y = reg.first_year; y <= reg.last_year; ++y)
    if (!year_seen[uz(y - reg.first_year)])
      doc.fail(&n, key, ref.path + ": no person-years for " + std::to_string(y) +
                            "; expected rows for every year of registers.years");
  for (std::size_t c = 0; c < seen.size(); ++c)
    if (!seen[c]) reg.person_years[c] = 0.0;  // a year given, this cell absent: nobody lived there
  reg.exposure = "the table " + ref.written;
}

}  // namespace

void read_event_registers(const Doc& doc, const toml::table& root, Build& b) {
  const toml::node* rn = root.get("registers");
  if (!rn) return;
  const toml::table& t = doc.table(*rn, "registers");
  doc.allow(t, "registers", {"births", "deaths", "years", "exposure", "exclude", "max_age"});
  if (!t.get("births") && !t.get("deaths"))
    doc.fail(rn, "registers", "expected `births = …` and/or `deaths = …` (tables with one row per event)");
  auto reg = std::make_shared<EventRegisters>();
  reg->first_year = reg->last_year = b.base_year;
  if (const toml::node* y = t.get("years")) {
    const toml::array& a = doc.array(*y, "registers.years");
    if (a.size() != 2) doc.fail(y, "registers.years", "expected [first, last] calendar years");
    reg->first_year = doc.integer(*a.get(0), "registers.years[0]", 1, b.base_year, "a year up to projection.base_year");
    reg->last_year = doc.integer(*a.get(1), "registers.years[1]", reg->first_year, b.base_year,
                                 "a year from registers.years[0] up to projection.base_year");
  }
  reg->zones = b.Z, reg->groups = b.G, reg->ages = b.A, reg->age_width = b.z;
  int max_age = 120;
  if (const toml::node* n = t.get("max_age")) max_age = doc.integer(*n, "registers.max_age", 1, 150, "years");
  const CivilDate base{b.base_year, 12, 31};  // events up to the end of the base year

  reg->person_years.assign(reg->cells(), std::numeric_limits<double>::quiet_NaN());
  const toml::node* en = t.get("exposure");
  if (en && !en->is_string()) {
    read_exposure(doc, *en, b, *reg);
  } else {
    if (const std::string given = en ? doc.string(*en, "registers.exposure") : "base_population";
        given != "base_population")  // a file name alone: say how to give it
      doc.fail(en, "registers.exposure",
               "'" + escape_cell(given) +
                   "'; expected \"base_population\" or a table of person-years (a file: exposure = { path = \"" +
                   escape_cell(given) + "\" })");
    // The base population (at the end of the base year) stands for the person-years lived in the base year: the
    // usual approximation when no mid-year population is kept (Preston, Heuveline & Guillot 2001, §1.6: person-years
    // ≈ mid-year population × 1 year; the end-of-year count differs from it by half the year's growth).
    const CohortArray& pop = b.sc.base_population;
    for (int z = 0; z < b.Z; ++z)
      for (int g = 0; g < b.G; ++g)
        for (int s = 0; s < 2; ++s)
          for (int i = 0; i < b.A; ++i)
            reg->person_years[reg->index(b.base_year, z, g, s, i)] = pop.at(z, g, s, i);
    reg->exposure = "the base population (" + std::to_string(b.base_year) + "-12-31) as person-years of " +
                    std::to_string(b.base_year);
  }
  for (const char* kind : {"births", "deaths"})
    if (t.get(kind)) {
      reg->registers.emplace_back();
      count_events(doc, t, kind, b, base, max_age, *reg, reg->registers.back());
    }
  b.sc.assumptions.push_back(
      "Registers of events counted for " + std::to_string(reg->first_year) +
      (reg->last_year > reg->first_year ? "-" + std::to_string(reg->last_year) : std::string()) +
      " (register_rates.csv, register_observed.csv); person-years: " + reg->exposure + ".");
  b.events = std::move(reg);
}

}  // namespace cohortgis::scenarios::detail
