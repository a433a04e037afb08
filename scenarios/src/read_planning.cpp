// SPDX-License-Identifier: Apache-2.0
// [controls], [capacity] and [households] of a scenario file (scenarios/README.md "Control totals, capacity and
// households"): the engine's PlanningSpec (engine/planning.hpp) of one run, a variant's keys over the baseline's.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <numeric>
#include <set>

#include "scenario_build.hpp"
#include "schedule_time.hpp"

namespace cohortgis::scenarios::detail {

namespace {

// One planning section of a run: the baseline's table and a variant's overrides, key by key.
struct Section {
  const Build& b;
  const Layer& L;
  std::string name;
  std::vector<std::string_view> forms;  // the keys that hold its table (one of them must be given)
  // A variant switches the baseline's section off by writing its table key false (`controls = { table = false }`,
  // `households = { headship = false }`): it was refused as a missing table, so no variant could run without it.
  bool present() const {
    if (!L.section(L.base, name) && !L.section(L.over, name)) return false;
    const toml::table* o = L.section(L.over, name);
    if (!o) return true;
    bool off = false;
    for (std::string_view k : forms) {
      if (get(k).first) return true;
      const toml::node* n = o->get(k);
      off = off || (n && n->is_boolean());
    }
    return !off;
  }
  // Checks the keys of both tables.
  void allow(std::initializer_list<std::string_view> keys) const { L.allow(b.doc, name, keys); }
  std::pair<const toml::node*, std::string> get(std::string_view key) const { return L.get(name, key); }
  const toml::node* node() const {
    if (const toml::table* t = L.section(L.over, name)) return t;
    return L.section(L.base, name);
  }
};

// The zones of a control's set: "total", an aggregate, a parent of the zones (Zone::parent) or one zone.
std::vector<int> zone_set(const Build& b, const Rows& t, std::size_t r, const toml::node* n, const std::string& key) {
  const std::string name = t.text(r, "zone");
  std::vector<int> zones;
  if (name == "total") {
    for (int z = 0; z < b.Z; ++z) zones.push_back(z);
    return zones;
  }
  for (const ZoneAggregate& a : b.sc.aggregates)
    if (a.name == name) return a.zones;
  for (int z = 0; z < b.Z; ++z)
    if (b.sc.zones[uz(z)].parent == name) zones.push_back(z);
  if (!zones.empty()) return zones;
  if (auto it = b.zone_index.find(name); it != b.zone_index.end()) return {it->second};
  b.doc.fail(n, key,
             t.where(r, "zone") + ": \"" + escape_cell(name) +
                 "\" is not \"total\", an aggregate, a parent of the zones or a zone id");
}

int step_end_year(const Build& b, const Rows& t, std::size_t r, const toml::node* n, const std::string& key) {
  const int y = whole_number(b.doc, t, r, "year", key);
  if (y <= b.base_year || y > b.horizon || (y - b.base_year) % b.z != 0)
    b.doc.fail(n, key,
               t.where(r, "year") + ": " + std::to_string(y) + " is not the end of a step (" + std::to_string(b.z) +
                   "-year steps from " + std::to_string(b.base_year) + " to " + std::to_string(b.horizon) + ")");
  return y;
}

double persons(const Build& b, const Rows& t, std::size_t r, const std::string& col, const toml::node* n,
               const std::string& key, double lo = 0.0, double hi = 1e15) {
  double v = 0.0;
  try {
    v = t.number(r, col);
  } catch (const InputError& e) {
    b.doc.fail(n, key, e.what());
  }
  if (!(v >= lo && v <= hi))
    b.doc.fail(n, key, t.where(r, col) + ": " + fmt(v) + "; expected a number from " + fmt(lo) + " to " + fmt(hi));
  return v;
}

// The controls of one year whose zone sets lie inside another's are met first, so their targets must fit the whole's:
// above it, or below it with no zone of the whole left free, the run stopped naming only the set and year. Checked
// here cell by cell (the total, or each sex and age), naming the rows; sets that overlap without nesting are left to
// validate_planning. The tolerance is the run's (a sum of many cells carries rounding).
void check_nested_controls(const Build& b, const std::vector<ControlTotal>& controls, const toml::node* n,
                           const std::string& key) {
  const auto inside = [](const std::vector<int>& part, const std::vector<int>& whole) {  // strictly
    return part.size() < whole.size() && std::includes(whole.begin(), whole.end(), part.begin(), part.end());
  };
  std::vector<std::vector<int>> sorted(controls.size());
  for (std::size_t k = 0; k < controls.size(); ++k) {
    sorted[k] = controls[k].zones;
    std::sort(sorted[k].begin(), sorted[k].end());
    sorted[k].erase(std::unique(sorted[k].begin(), sorted[k].end()), sorted[k].end());
  }
  for (std::size_t w = 0; w < controls.size(); ++w) {
    const ControlTotal& whole = controls[w];
    std::vector<std::size_t> parts;  // the largest sets inside the whole (each inside no other part)
    for (std::size_t p = 0; p < controls.size(); ++p) {
      if (p == w || controls[p].year != whole.year || !inside(sorted[p], sorted[w])) continue;
      bool largest = true;
      for (std::size_t q = 0; q < controls.size() && largest; ++q)
        largest = q == w || q == p || controls[q].year != whole.year || !inside(sorted[p], sorted[q]) ||
                  !inside(sorted[q], sorted[w]);
      if (largest) parts.push_back(p);
    }
    if (parts.empty()) continue;
    std::size_t covered = 0;
    std::string rows;
    for (std::size_t p : parts) {
      covered += sorted[p].size();
      rows += "; \"" + escape_cell(controls[p].name) + "\" at " + controls[p].source;
    }
    const std::size_t cells = whole.by_sex_age.empty() ? 1 : whole.by_sex_age.size();
    double scale = whole.total;  // the run's tolerance: relative to the whole's target (at least 1 person)
    if (!whole.by_sex_age.empty()) scale = std::accumulate(whole.by_sex_age.begin(), whole.by_sex_age.end(), 0.0);
    scale = std::max(1.0, scale);
    for (std::size_t c = 0; c < cells; ++c) {
      const double target = whole.by_sex_age.empty() ? whole.total : whole.by_sex_age[c];
      double sum = 0.0;
      for (std::size_t p : parts) sum += controls[p].by_sex_age.empty() ? controls[p].total : controls[p].by_sex_age[c];
      const bool over = sum - target > kMetTolerance * scale;
      if (!over && !(covered == sorted[w].size() && std::abs(sum - target) > kMetTolerance * scale)) continue;
      const std::string cell = whole.by_sex_age.empty() ? std::string()
                                                        : std::string(" for ") + (c < uz(b.A) ? "female" : "male") +
                                                              " age " + std::to_string((c % uz(b.A)) * uz(b.z));
      b.doc.fail(n, key,
                 whole.source + ": control \"" + escape_cell(whole.name) + "\" " + std::to_string(whole.year) + " of " +
                     fmt(target) + " persons" + cell + ", but the controls of the zone sets inside it add up to " +
                     fmt(sum) + (over ? "" : " and leave none of its zones free to take the rest") + rows +
                     "; expected the targets of the parts to add up to " + (over ? "at most " : "") +
                     "the target of the whole");
    }
  }
}

// The largest control total a set may get, as a multiple of its zones' base population (any growth a projection
// plausibly needs; scenarios/README.md "Control totals").
constexpr double kMaxControlToBase = 1000.0;

void read_controls(const Section& c, PlanningSpec& spec) {
  const Build& b = c.b;
  c.allow({"table", "method"});
  ControlMethod method = ControlMethod::proportional;
  const auto [m, mkey] = c.get("method");
  if (m) {
    const std::string s = b.doc.string(*m, mkey);
    if (s == "ipf")
      method = ControlMethod::ipf;
    else if (s != "proportional")
      b.doc.fail(m, mkey, "expected \"proportional\" or \"ipf\", got \"" + s + "\"");
  }
  const auto [tn, key] = c.get("table");
  if (!tn) b.doc.fail(c.node(), key, "missing; expected the table of control totals (zone, year, persons)");
  const TableRef ref = table_ref(b.doc, *tn, key, {"zone", "year", "sex", "age", "persons"});
  refuse_per(b.doc, ref);
  refuse_between(b.doc, ref);
  const Rows t = read_rows(b.doc, ref, {"zone", "year", "persons"}, {});
  const bool by_age = t.has("age") || t.has("sex");
  if (by_age && !(t.has("age") && t.has("sex")))
    b.doc.fail(tn, key, "a control table by sex and age needs both columns 'sex' and 'age'");
  if (method == ControlMethod::ipf && !by_age)
    b.doc.fail(m, mkey, "\"ipf\" needs targets by sex and age (columns sex, age)");
  const double unit = persons_per_unit(b.doc, ref);
  std::map<std::pair<std::string, int>, std::size_t> index;                   // (set, year) → control
  std::map<std::pair<std::string, int>, std::vector<std::size_t>> first_row;  // → data row of each (sex, age)
  const std::size_t SA = kSexes * uz(b.A);
  for (std::size_t r = 0; r < t.size(); ++r) {
    const std::string name = t.text(r, "zone");
    const int year = step_end_year(b, t, r, tn, key);
    const double v = persons(b, t, r, "persons", tn, key) * unit;
    auto [it, fresh] = index.try_emplace({name, year}, spec.controls.size());
    if (fresh) {
      ControlTotal ct;
      ct.name = name;
      ct.zones = zone_set(b, t, r, tn, key);
      ct.year = year;
      ct.method = method;
      if (by_age) ct.by_sex_age.assign(SA, 0.0);
      ct.source = t.where(r, "persons") + (by_age ? " (and the set's other rows of the year)" : "");  // its first row
      spec.controls.push_back(std::move(ct));
      first_row[{name, year}].assign(SA, SIZE_MAX);
    }
    ControlTotal& ct = spec.controls[it->second];
    if (!by_age) {
      if (!fresh)
        b.doc.fail(
            tn, key,
            t.where(r, "zone") + ": a second total for \"" + escape_cell(name) + "\" in " + std::to_string(year));
      ct.total = v;
      continue;
    }
    const int s = sex_of(b.doc, t, r, key);
    const int age = whole_number(b.doc, t, r, "age", key);
    const int i = b.age_index(age);
    if (i < 0)
      b.doc.fail(tn, key,
                 t.where(r, "age") + ": age " + std::to_string(age) + " is not on the projection's age grid (" +
                     std::to_string(b.z) + "-year groups, open at " + std::to_string((b.A - 1) * b.z) +
                     "); expected control totals on the same age grid");
    std::size_t& seen = first_row[{name, year}][uz(s * b.A + i)];
    if (seen != SIZE_MAX)
      b.doc.fail(tn, key,
                 t.where(r, "age") + ": a second target for this sex and age of \"" + escape_cell(name) + "\" in " +
                     std::to_string(year));
    seen = r;
    ct.by_sex_age[uz(s * b.A + i)] = v;
  }
  // A target above 1,000 times the set's base population is no plausible projection: a table in persons declared
  // in 10k persons (unit = "10k") scaled every target by 10,000 without a word.
  for (std::size_t k = 0; k < spec.controls.size(); ++k) {
    const ControlTotal& ct = spec.controls[k];
    double base = 0.0, target = ct.total;
    for (int z : ct.zones) base += b.sc.base_population.sum_zone(z);
    if (!ct.by_sex_age.empty()) target = std::accumulate(ct.by_sex_age.begin(), ct.by_sex_age.end(), 0.0);
    if (base > 0.0 && target > kMaxControlToBase * base)
      b.doc.fail(tn, key,
                 ct.source + ": control \"" + escape_cell(ct.name) + "\" " + std::to_string(ct.year) + " of " +
                     fmt(target) + " persons" +
                     (ref.unit.empty() ? std::string() : " (after unit = \"" + ref.unit + "\": × " + fmt(unit) + ")") +
                     " is more than " + fmt(kMaxControlToBase) + " times the base population of its zones (" +
                     fmt(base) + "); expected control totals in the table's unit (is the table in persons?)");
  }
  check_nested_controls(b, spec.controls, tn, key);
  if (by_age)
    for (const auto& [k, rows] : first_row)
      for (std::size_t c2 = 0; c2 < SA; ++c2)
        if (rows[c2] == SIZE_MAX) {
          const int s = static_cast<int>(c2 / uz(b.A)), i = static_cast<int>(c2 % uz(b.A));
          b.doc.fail(tn, key,
                     ref.path + ": control \"" + escape_cell(k.first) + "\" " + std::to_string(k.second) +
                         " has no target for " + (s == 0 ? "female" : "male") + " age " + std::to_string(i * b.z) +
                         "; expected every sex and age of the projection's grid (" + std::to_string(b.z) +
                         "-year groups, open at " + std::to_string((b.A - 1) * b.z) + ")");
        }
}

// Caps hold from their year until the zone's next row (the step ends in between get the earlier cap).
void read_capacity(const Section& c, PlanningSpec& spec) {
  const Build& b = c.b;
  c.allow({"table"});
  const auto [tn, key] = c.get("table");
  if (!tn) b.doc.fail(c.node(), key, "missing; expected the table of caps (zone, year, max_population or dwellings)");
  const TableRef ref = table_ref(b.doc, *tn, key, {"zone", "year", "max_population", "dwellings"});
  refuse_unit_and_per(b.doc, ref, "persons and dwellings");
  refuse_between(b.doc, ref);
  const Rows t = read_rows(b.doc, ref, {"zone", "year"}, {});
  if (!t.has("max_population") && !t.has("dwellings"))
    b.doc.fail(tn, key, ref.path + ": expected a column max_population or dwellings (or both)");
  if (t.has("dwellings") && spec.headship.empty()) {
    // A variant that switches the baseline's [households] off while keeping its dwellings: the variant's key is the
    // cause (the error was reported under the baseline's capacity.table).
    if (const toml::table* ho = c.L.section(c.L.over, "households"); ho && c.L.section(c.L.base, "households"))
      for (const char* k : {"headship", "average_size"})
        if (const toml::node* n = ho->get(k); n && n->is_boolean())
          b.doc.fail(n, c.L.over_prefix + ".households." + k,
                     "switches [households] off, but the capacity table " + ref.path + " (key '" + key +
                         "') has dwellings, which need headship rates or average household sizes; expected the "
                         "variant to switch capacity off too (capacity = { table = false }) or to keep [households]");
    b.doc.fail(tn, key, ref.path + ": dwellings need headship rates or average household sizes ([households])");
  }
  std::map<int, std::map<int, CapacityLimit>> by_zone;  // zone → year → cap
  for (std::size_t r = 0; r < t.size(); ++r) {
    const int z = b.zone_of_row(t, r, tn, key);
    const int year = step_end_year(b, t, r, tn, key);
    CapacityLimit cap{z, year, -1.0, -1.0};
    if (t.has("max_population") && !t.text(r, "max_population").empty())
      cap.max_population = persons(b, t, r, "max_population", tn, key);
    if (t.has("dwellings") && !t.text(r, "dwellings").empty()) cap.dwellings = persons(b, t, r, "dwellings", tn, key);
    if (cap.max_population < 0 && cap.dwellings < 0)
      b.doc.fail(tn, key, t.where(r, "zone") + ": neither max_population nor dwellings given");
    cap.source =
        std::make_shared<const std::string>(t.where(r, cap.max_population >= 0 ? "max_population" : "dwellings"));
    if (!by_zone[z].emplace(year, cap).second)
      b.doc.fail(tn, key,
                 t.where(r, "year") + ": a second cap for zone " + escape_cell(t.text(r, "zone")) + " in " +
                     std::to_string(year));
  }
  for (auto& [z, years] : by_zone)
    for (int y = b.base_year + b.z; y <= b.horizon; y += b.z) {
      auto it = years.upper_bound(y);
      if (it == years.begin()) continue;
      CapacityLimit cap = std::prev(it)->second;
      cap.year = y;
      spec.limits.push_back(cap);
    }
}

// Headship rates (zone optional, sex, age, rate, year optional) or average household sizes (zone, persons per
// household, year optional: every person counts 1/size households).
void read_households(const Section& h, PlanningSpec& spec, double& vacancy_percent) {
  const Build& b = h.b;
  h.allow({"headship", "average_size", "vacancy_percent"});
  if (const auto [v, vkey] = h.get("vacancy_percent"); v) vacancy_percent = b.doc.number(*v, vkey, 0, 50, "percent");
  const auto [hn, hkey] = h.get("headship");
  const auto [an, akey] = h.get("average_size");
  if ((hn != nullptr) == (an != nullptr))
    b.doc.fail(h.node(), "households",
               "expected exactly one of 'headship' (rates by zone, sex and age) and 'average_size'");
  const std::size_t SA = kSexes * uz(b.A);
  std::map<int, std::vector<double>> tables;  // from year → [zone][sex][age], NaN until given
  if (hn) {
    const std::string& key = hkey;
    const TableRef ref = table_ref(b.doc, *hn, key, {"zone", "sex", "age", "rate", "year"});
    refuse_unit_and_per(b.doc, ref, "households per person");
    refuse_between(b.doc, ref);
    const Rows t = read_rows(b.doc, ref, {"sex", "age", "rate"}, {});
    for (std::size_t r = 0; r < t.size(); ++r) {
      const int z = b.zone_of_row(t, r, hn, key);
      const int year = t.has("year") ? whole_number(b.doc, t, r, "year", key) : b.base_year;
      const int s = sex_of(b.doc, t, r, key);
      const int age = whole_number(b.doc, t, r, "age", key);
      const int i = b.age_index(age);
      if (i < 0)
        b.doc.fail(hn, key,
                   t.where(r, "age") + ": age " + std::to_string(age) + " is not on the projection's age grid");
      const double rate = persons(b, t, r, "rate", hn, key, 0.0, 1.0);
      std::vector<double>& tab = tables.try_emplace(year, uz(b.Z) * SA, kNaN).first->second;
      for (int zz = z < 0 ? 0 : z; zz < (z < 0 ? b.Z : z + 1); ++zz) {
        double& cell = tab[uz(zz) * SA + uz(s * b.A + i)];
        // A second row would replace the first silently (the last one read won).
        if (!std::isnan(cell))
          b.doc.fail(hn, key,
                     t.where(r, "age") + ": a second rate for " +
                         (z < 0 ? std::string("every zone") : "zone " + b.sc.zones[uz(zz)].id) + ", " +
                         (s == 0 ? "female" : "male") + " age " + std::to_string(age) +
                         (t.has("year") ? " in " + std::to_string(year) : std::string()) +
                         "; expected one row per zone, sex and age (and year)");
        cell = rate;
      }
    }
  } else {
    const std::string& key = akey;
    const TableRef ref = table_ref(b.doc, *an, key, {"zone", "persons_per_household", "year"});
    refuse_unit_and_per(b.doc, ref, "persons per household");
    refuse_between(b.doc, ref);
    const Rows t = read_rows(b.doc, ref, {"zone", "persons_per_household"}, {});
    for (std::size_t r = 0; r < t.size(); ++r) {
      const int z = b.zone_of_row(t, r, an, key);
      const int year = t.has("year") ? whole_number(b.doc, t, r, "year", key) : b.base_year;
      const double size = persons(b, t, r, "persons_per_household", an, key, 1.0, 20.0);
      std::vector<double>& tab = tables.try_emplace(year, uz(b.Z) * SA, kNaN).first->second;
      if (!std::isnan(tab[uz(z) * SA]))
        b.doc.fail(an, key,
                   t.where(r, "zone") + ": a second average size for zone " + b.sc.zones[uz(z)].id +
                       (t.has("year") ? " in " + std::to_string(year) : std::string()) +
                       "; expected one row per zone (and year)");
      std::fill(tab.begin() + static_cast<std::ptrdiff_t>(uz(z) * SA),
                tab.begin() + static_cast<std::ptrdiff_t>(uz(z + 1) * SA), 1.0 / size);
    }
  }
  const std::string& key = hn ? hkey : akey;
  for (auto& [year, tab] : tables) {
    for (std::size_t k = 0; k < tab.size(); ++k)
      if (std::isnan(tab[k])) {
        const std::size_t z = k / SA, s = (k % SA) / uz(b.A), i = k % uz(b.A);
        b.doc.fail(hn ? hn : an, key,
                   "no value for zone " + b.sc.zones[z].id +
                       (hn ? std::string(s == 0 ? " female" : " male") + " age " + std::to_string(i * uz(b.z))
                           : std::string()) +
                       " in " + std::to_string(year) + "; expected one for every zone" +
                       (hn ? ", sex and age of the grid" : ""));
      }
    spec.headship.push_back({year, std::move(tab)});
  }
}

}  // namespace

void read_planning(const Build& b, const Layer& L) {
  const Section controls{b, L, "controls", {"table"}}, capacity{b, L, "capacity", {"table"}},
      households{b, L, "households", {"headship", "average_size"}};
  for (const Section* sec : {&controls, &capacity, &households})
    if (const toml::node* n = L.base ? L.base->get(sec->name) : nullptr) (void)b.doc.table(*n, sec->name);
  if (!controls.present() && !capacity.present() && !households.present()) return;
  auto spec = std::make_shared<PlanningSpec>();
  double vacancy = 0.0;
  if (households.present()) read_households(households, *spec, vacancy);
  spec->vacancy_percent = vacancy;
  if (controls.present()) read_controls(controls, *spec);
  if (capacity.present()) read_capacity(capacity, *spec);
  std::vector<std::string> ids;
  for (const auto& z : b.sc.zones) ids.push_back(z.id);
  const Section& first = controls.present() ? controls : capacity.present() ? capacity : households;
  try {
    validate_planning(*spec, b.sc.base_population.layout(), ids);
  } catch (const InputError& e) {
    b.doc.fail(first.node(), first.name, e.what());
  }
  b.sc.planning = std::move(spec);
}

}  // namespace cohortgis::scenarios::detail
