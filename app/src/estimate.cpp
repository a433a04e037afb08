// SPDX-License-Identifier: Apache-2.0
#include "cohortgis/app/estimate.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <set>

#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/life_table.hpp"
#include "cohortgis/engine/migration_models.hpp"
#include "cohortgis/geodata/read_cancel.hpp"
#include "cohortgis/geodata/read_policy.hpp"
#include "cohortgis/geodata/sha256.hpp"
#include "cohortgis/geodata/table.hpp"
#include "cohortgis/scenarios/scenario.hpp"
#include "estimate_tables.hpp"
#include "output_dir.hpp"
#include "text_output.hpp"

namespace cohortgis::app {

namespace fs = std::filesystem;

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

std::vector<double> apply_crosswalk(const std::vector<std::string>& units, const std::vector<double>& values,
                                    std::size_t cells, const std::vector<CrosswalkRow>& crosswalk,
                                    const std::vector<std::string>& targets) {
  std::map<std::string, std::size_t> target_index;
  for (std::size_t t = 0; t < targets.size(); ++t) target_index[targets[t]] = t;
  // The rows of each source unit, in the crosswalk's order (the sums' order, as a scan of every row per unit gave;
  // that scan was quadratic: 20,000 zones took seconds).
  std::map<std::string, std::vector<const CrosswalkRow*>> rows_from;
  for (const auto& row : crosswalk) rows_from[row.from].push_back(&row);
  std::vector<double> out(targets.size() * cells, 0.0);
  for (std::size_t u = 0; u < units.size(); ++u) {
    const auto rows = rows_from.find(units[u]);
    if (rows == rows_from.end()) throw InputError("crosswalk: no row for unit '" + units[u] + "'");
    for (const CrosswalkRow* r : rows->second) {
      const CrosswalkRow& row = *r;
      const auto t = target_index.find(row.to);
      if (t == target_index.end()) throw InputError("crosswalk: target zone '" + row.to + "' is not a zone of the estimate");
      for (std::size_t c = 0; c < cells; ++c) out[t->second * cells + c] += row.weight * values[u * cells + c];
    }
  }
  return out;
}

std::vector<double> residual_migration(const std::vector<double>& first, const std::vector<double>& second,
                                       const std::vector<double>& survival, int steps) {
  const std::size_t n = first.size();
  if (second.size() != n || survival.size() != n || n < 3 || steps < 1)
    throw InputError("residual method: censuses and survival ratios need the same age groups (at least 3)");
  std::vector<double> e = first, next(n);
  for (int k = 0; k < steps; ++k) {
    next[0] = 0.0;  // births of the step: not used; those ages are not estimated
    for (std::size_t i = 1; i + 1 < n; ++i) next[i] = e[i - 1] * survival[i];
    next[n - 1] = (e[n - 2] + e[n - 1]) * survival[n - 1];
    e.swap(next);
  }
  std::vector<double> r(n, kNaN);
  for (std::size_t i = uz(steps); i < n; ++i) r[i] = second[i] - e[i];
  return r;
}

std::vector<double> migration_per_year_by_start_age(const std::vector<double>& residuals, int steps, int width_years) {
  const int n = static_cast<int>(residuals.size());
  const double years = static_cast<double>(steps) * width_years;
  std::vector<double> out(residuals.size(), 0.0);
  for (int i = 0; i < n; ++i) {
    const double r = std::isnan(residuals[uz(i)]) ? 0.0 : residuals[uz(i)];
    for (int j = 0; j < steps; ++j) {
      const int start = std::max(0, i - steps + j);  // the cohort's age index at the start of step j
      out[uz(start)] += r / years / steps;
    }
  }
  // Each cohort is counted in `steps` steps with r / (years · steps) a year: Σ out · steps · width = Σ r.
  return out;
}

double totals_net_migration(double first, double second, double years, double natural_growth_per_person_year) {
  return second - first * std::pow(1.0 + natural_growth_per_person_year, years);
}

// Declared in estimate_tables.hpp (shared with estimate_levels.cpp).
namespace detail {

Census read_census(const std::string& path, const AgeGrid& grid, const std::string& option, int year) {
  using geodata::ColumnType;
  const geodata::Table t = geodata::read_table(
      path, {{"zone", ColumnType::text}, {"sex", ColumnType::text}, {"age", ColumnType::text},
             {"population", ColumnType::number}});
  Census c;
  c.path = path;
  const std::size_t cz = t.column("zone"), cs = t.column("sex"), ca = t.column("age"), cp = t.column("population");
  // A census of another year than --years says (a table with a year column, such as the observed table of a
  // back-test given as --second with the wrong --years) is an error, not an estimate over the wrong interval.
  const bool check_year = year != 0 && t.has_column("year");
  const std::size_t cy = check_year ? t.column("year") : 0;
  const std::size_t n = uz(grid.n_ages), per_unit = 2 * n;
  std::vector<std::vector<int>> seen;  // per unit: cells given (0/1), then the total flag at per_unit
  for (std::size_t r = 0; r < t.size(); ++r) {
    if (check_year) {
      double y = 0;
      if (!geodata::parse_number(t.text(r, cy), y) || y != year)
        throw InputError(t.where(r, cy) + ": year " + geodata::escape_cell(t.text(r, cy)) + "; expected " +
                         std::to_string(year) + ", the census year --years gives for " + option);
    }
    const std::string& zone = t.text(r, cz);
    auto it = c.index.find(zone);
    if (it == c.index.end()) {
      it = c.index.emplace(zone, c.units.size()).first;
      c.units.push_back(zone);
      c.unit_where.push_back(t.where(r, cz));
      c.totals.push_back(0.0);
      c.cells.resize(c.cells.size() + per_unit, 0.0);
      seen.emplace_back(per_unit + 1, 0);
    }
    const std::size_t u = it->second;
    const std::string& sex = t.text(r, cs);
    const std::string& age = t.text(r, ca);
    const double v = t.number(r, cp);
    if (v < 0) throw InputError(t.where(r, cp) + ": " + t.text(r, cp) + " persons; expected 0 or more (" + option + ")");
    // The engine's bound on a cell: 1e300 persons gave an estimate of numbers no scenario can read.
    if (v > scenarios::kMaxCellPersons)
      throw InputError(t.where(r, cp) + ": " + geodata::escape_cell(t.text(r, cp)) +
                       " persons; expected at most 1e12 (" + option + ")");
    if (sex == "all" && age == "all") {
      if (seen[u][per_unit]) throw InputError(t.where(r, cz) + ": a second total row for zone '" + zone + "'");
      seen[u][per_unit] = 1;
      c.totals[u] = v;
      continue;
    }
    if (sex != "female" && sex != "male")
      throw InputError(t.where(r, cs) + ": sex '" + sex + "'; expected female, male (or all with age all)");
    double a = 0;
    if (!geodata::parse_number(age, a) || a != std::floor(a) || a < 0 || static_cast<int>(a) % grid.width_years != 0 ||
        static_cast<int>(a) > grid.open_age())
      throw InputError(t.where(r, ca) + ": age '" + age + "'; expected the first age of a " +
                       std::to_string(grid.width_years) + "-year group from 0 to " + std::to_string(grid.open_age()) +
                       " (open), or all with sex all");
    const std::size_t cell = (sex == "male" ? n : 0) + static_cast<std::size_t>(a) / uz(grid.width_years);
    if (seen[u][cell]) throw InputError(t.where(r, cz) + ": a second row for zone '" + zone + "', " + sex + ", age " + age);
    seen[u][cell] = 1;
    c.cells[u * per_unit + cell] = v;
  }
  c.by_age = true;
  const std::string grid_text = std::to_string(grid.width_years) + "-year groups 0 to " +
                                std::to_string(grid.open_age()) + "+ (--step, --open-age)";
  for (std::size_t u = 0; u < c.units.size(); ++u) {
    std::size_t given = 0, first_missing = per_unit;
    double sum = 0;
    for (std::size_t k = 0; k < per_unit; ++k) {
      if (seen[u][k])
        ++given;
      else if (first_missing == per_unit)
        first_missing = k;
      sum += c.cells[u * per_unit + k];
    }
    const bool full = given == per_unit;
    c.by_age = c.by_age && full;
    const std::string where = c.unit_where[u] + ": zone '" + c.units[u] + "'";
    // Some age rows but not all (a census on another age grid, a row lost): an error even beside a total row, which
    // used to switch every zone silently to the totals method.
    if (given > 0 && !full) {
      const std::size_t k = first_missing;
      throw InputError(where + " has " + std::to_string(given) + " of the " + std::to_string(per_unit) +
                       " sex × age groups; missing " + (k < n ? "female" : "male") + " age " +
                       std::to_string(grid.age_start(static_cast<int>(k % n))) +
                       (per_unit - given > 1 ? " and " + std::to_string(per_unit - given - 1) + " more" : "") +
                       "; expected every sex × age group of the grid, " + grid_text +
                       ", or only a total row (sex and age all) (" + option + ")");
    }
    if (!seen[u][per_unit]) {
      if (!full)
        throw InputError(where + " has neither a total row (sex and age all) nor every sex × age group (" + option +
                         ")");
      c.totals[u] = sum;
    } else if (full && !(std::abs(c.totals[u] - sum) <= 0.5 + 1e-9 * sum)) {
      // Both given and different: the report showed the total row while the residuals used the age rows.
      throw InputError(where + ": its total row gives " + shortest_number(c.totals[u]) +
                       " persons but its sex × age rows add up to " + shortest_number(sum) +
                       "; expected the same number (or only one of them) (" + option + ")");
    }
  }
  if (!c.by_age) c.cells.clear();
  return c;
}

std::array<std::vector<double>, 2> read_abridged_mx(const std::string& path,
                                                    const std::vector<std::pair<std::string, std::string>>& filter) {
  const geodata::Table t = geodata::read_table(path, {{"sex", geodata::ColumnType::text},
                                                      {"mx", geodata::ColumnType::text}});
  const std::string age_col = t.has_column("age_start") ? "age_start" : "age";
  const std::size_t ca = t.column(age_col), cs = t.column("sex"), cm = t.column("mx");
  const std::vector<char> kept = filtered_rows(t, filter, "--mx-filter");
  std::map<double, double> rates[2];
  for (std::size_t r = 0; r < t.size(); ++r) {
    if (!kept[r]) continue;
    const std::string& sex = t.text(r, cs);
    if (sex != "female" && sex != "male") continue;
    rates[sex == "male" ? 1 : 0][t.number(r, ca)] = t.number(r, cm);
  }
  std::array<std::vector<double>, 2> out;
  for (std::size_t s = 0; s < 2; ++s) {
    if (rates[s].size() < 4)
      throw InputError(path + ": " + std::to_string(rates[s].size()) + " death rates for " + (s ? "males" : "females") +
                       " after the filter; expected an abridged table (ages 0, 1, 5, 10, …)");
    double expected = 0;
    for (const auto& [age, m] : rates[s]) {
      if (age != expected)
        throw InputError(path + ", column '" + age_col + "': the " + (s ? "male" : "female") + " rows after the " +
                         "filter start at " + shortest_number(age) + " where age " + shortest_number(expected) +
                         " was expected; expected abridged rows 0, 1, 5, 10, …");
      expected = expected == 0 ? 1 : (expected == 1 ? 5 : expected + 5);
      out[s].push_back(m);
    }
  }
  return out;
}

HashedInputs hash_inputs(const std::vector<std::pair<std::string, std::string>>& in, std::vector<std::string>& paths) {
  HashedInputs h;
  const auto add = [&](const std::string& role, const std::string& path) {
    const std::string sha = geodata::sha256_file(path);
    h.markdown_rows += "| " + role + " | " + path + " | `" + sha + "` |\n";
    h.json_entries += std::string(h.json_entries.empty() ? "\n" : ",\n") + "    {\"role\": " + json_string(role) +
                      ", \"path\": " + json_string(path) + ", \"sha256\": " + json_string(sha) + "}";
    paths.push_back(path);
  };
  for (const auto& [role, path] : in) {
    add(role, path);
    // What GDAL read beside the table (a CSV's .csvt, a DBF's .cpg …): inputs as a scenario's tables' are.
    for (const std::string& side : geodata::read_companions(path)) add(role + " (sidecar)", side);
  }
  return h;
}

std::vector<char> filtered_rows(const geodata::Table& t, const std::vector<std::pair<std::string, std::string>>& filter,
                                const std::string& option) {
  std::vector<std::size_t> columns;
  for (const auto& f : filter) columns.push_back(t.column(f.first));  // an unknown column: the table's own error
  std::vector<char> kept(t.size(), 1), matched(filter.size(), 0);
  bool any = false;
  for (std::size_t r = 0; r < t.size(); ++r) {
    for (std::size_t k = 0; k < filter.size(); ++k) {
      const bool same = t.text(r, columns[k]) == filter[k].second;
      matched[k] = matched[k] || same;
      kept[r] = kept[r] && same;
    }
    any = any || kept[r];
  }
  if (any || t.size() == 0) return kept;  // an empty table: each reader's own "no rates" error
  std::string why;
  for (std::size_t k = 0; k < filter.size(); ++k) {
    if (matched[k]) continue;
    std::set<std::string> held;
    for (std::size_t r = 0; r < t.size() && held.size() < 6; ++r) held.insert(t.text(r, columns[k]));
    std::string cells;
    std::size_t shown = 0;
    for (const std::string& v : held)
      if (shown++ < 5) cells += (cells.empty() ? "" : ", ") + geodata::quote_cell(v);
    why += std::string(why.empty() ? "" : "; ") + "no cell of column '" + geodata::escape_cell(filter[k].first) +
           "' is " + geodata::quote_cell(filter[k].second) + " (it holds " + cells + (held.size() > 5 ? ", …" : "") +
           ")";
  }
  if (why.empty()) why = "each column matches some row, but no row matches them all";
  throw InputError(t.path + ": no rows after " + option + " (" + why +
                   "); expected the filter to keep the rows to read");
}

std::string filter_json(const std::vector<std::pair<std::string, std::string>>& filter) {
  std::string j = "[";
  for (std::size_t i = 0; i < filter.size(); ++i)
    j += (i ? ", " : "") + json_string(filter[i].first + "=" + filter[i].second);
  return j + "]";
}

void EstimateFolder::write(const std::string& name, const std::string& text) {
  throw_if_cancelled(cancel_, "estimate");
  TextFile f((out_.staging() / name).string());
  f.write(text);
  f.close();
  files_.push_back(name);
}

void EstimateFolder::write_rows(const std::string& name, std::string_view header, std::size_t rows,
                                const std::function<void(std::string& text, std::size_t row)>& row) {
  throw_if_cancelled(cancel_, "estimate");
  TextFile f((out_.staging() / name).string());
  std::string text(header);
  for (std::size_t i = 0; i < rows; ++i) {
    row(text, i);
    if ((i + 1) % geodata::kRowsBetweenStops != 0) continue;
    throw_if_cancelled(cancel_, "estimate");  // the file goes with the staging folder
    f.write(text);
    text.clear();
  }
  f.write(text);
  f.close();
  files_.push_back(name);
}

std::string EstimateFolder::seal(const std::string& body) {
  write_manifest(out_.staging(), body, list_result_files(out_.staging()));
  files_.push_back("manifest.json");
  return commit();
}

std::string EstimateFolder::commit() {
  throw_if_cancelled(cancel_, "estimate");
  out_.commit();
  return out_.target().string();
}

}  // namespace detail

namespace {

using detail::Census;
using detail::read_abridged_mx;
using detail::read_census;

// A crosswalk as read: its rows, and where each row's target is for messages.
struct Crosswalk {
  std::string path;
  std::vector<CrosswalkRow> rows;
  std::vector<std::string> to_where;  // by row: "file, layer …, data row R (…), column 'to'"
  bool empty() const { return rows.empty(); }
};

Crosswalk read_crosswalk(const std::string& path) {
  Crosswalk cw;
  if (path.empty()) return cw;
  cw.path = path;
  const geodata::Table t = geodata::read_table(path, {{"weight", geodata::ColumnType::number}});
  std::string from = "from", to = "to";
  if (!t.has_column("from") || !t.has_column("to")) {
    std::vector<std::string> codes;
    for (const auto& c : t.columns)
      if (c.rfind("code_", 0) == 0) codes.push_back(c);
    if (codes.size() < 2)
      throw InputError(path + ": expected the columns from, to and weight (or two code_<year> columns and weight)");
    from = codes[0];
    to = codes[1];
  }
  const std::size_t cf = t.column(from), ct = t.column(to), cw_col = t.column("weight");
  std::map<std::string, std::pair<double, std::size_t>> sums;  // source unit → Σ weight, first row
  for (std::size_t r = 0; r < t.size(); ++r) {
    const double w = t.number(r, cw_col);
    if (w < 0 || w > 1) throw InputError(t.where(r, cw_col) + ": weight " + t.text(r, cw_col) + "; expected 0 to 1");
    cw.rows.push_back({t.text(r, cf), t.text(r, ct), w});
    cw.to_where.push_back(t.where(r, ct));
    auto [it, fresh] = sums.try_emplace(t.text(r, cf), 0.0, r);
    it->second.first += w;
  }
  for (const auto& [unit, s] : sums)
    if (std::abs(s.first - 1.0) > 1e-6)
      throw InputError(t.where(s.second, cw_col) + ": the weights of source unit '" + unit + "' sum to " +
                       shortest_number(std::round(s.first * 1e9) / 1e9) +
                       "; expected 1 (the whole unit, split over its target zones)");
  return cw;
}

// Survival ratios of each sex on the grid from the death rates of an abridged life table (0, 1-4, 5-9, …, open).
std::vector<double> survival_from_mx(const EstimateConfig& cfg, const AgeGrid& grid) {
  if (cfg.mx.empty()) throw InputError("--mx: no death rates given; the residual method needs the period's life table");
  const auto rates = read_abridged_mx(cfg.mx, cfg.mx_filter);
  std::vector<double> out;
  for (std::size_t s = 0; s < 2; ++s) {
    const LifeTable lt = abridged_life_table(rates[s], s ? Sex::male : Sex::female);
    std::vector<double> S(uz(grid.n_ages));
    survival_ratios(lt, grid, S);
    out.insert(out.end(), S.begin(), S.end());
  }
  return out;
}

std::vector<std::string> targets_of(const Census& c, const Crosswalk& cw) {
  if (cw.empty()) return c.units;
  // Only the census's own units' rows: a crosswalk file may also hold another region's (data/census has Beijing's
  // and Foshan's).
  std::vector<std::string> t;
  std::set<std::string> seen;  // a search of t per row was quadratic in the zones
  for (const auto& r : cw.rows)
    if (c.index.count(r.from) && seen.insert(r.to).second) t.push_back(r.to);
  return t;
}

// The zones of the estimate for messages: "A, B, C" (the first ten, then how many more).
std::string zones_text(const std::vector<std::string>& zones) {
  std::string s;
  for (std::size_t i = 0; i < zones.size() && i < 10; ++i) s += (i ? ", " : "") + zones[i];
  if (zones.size() > 10) s += " and " + std::to_string(zones.size() - 10) + " more";
  return s;
}

// Census units moved onto the target zones: totals and (when by age) cells. A unit missing from the crosswalk, a
// crosswalk target or (without a crosswalk) a unit that is not a zone of the estimate, and a zone no unit reaches are
// errors naming the file, data row and zone: zones that split or merged between the censuses need a crosswalk.
void to_targets(const Census& c, const Crosswalk& cw, const std::string& option, const std::string& zones_from,
                const std::vector<std::string>& targets, std::vector<double>& totals, std::vector<double>& cells,
                std::size_t per_unit) {
  const std::set<std::string> target_set(targets.begin(), targets.end());
  const std::string zones_are = " (the zones of the estimate, from " + zones_from + ": " + zones_text(targets) + ")";
  const std::string hint = "; zones that split, merged or were renamed between the censuses need a crosswalk (" +
                           option + "-crosswalk) from this census's units to the zones of the estimate";
  if (!cw.empty()) {
    std::set<std::string> sources;  // searched once per unit: a scan of the rows per unit was quadratic
    for (const auto& r : cw.rows) sources.insert(r.from);
    for (std::size_t u = 0; u < c.units.size(); ++u) {
      if (!sources.count(c.units[u]))
        throw InputError(c.unit_where[u] + ": unit '" + c.units[u] + "' is not in the crosswalk " + cw.path +
                         "; expected a row with it as source");
    }
    // Rows from units this census does not have (another region's zones in a shared crosswalk file) lead nowhere
    // here, so only the census's own units' targets must be zones of the estimate.
    for (std::size_t r = 0; r < cw.rows.size(); ++r)
      if (c.index.count(cw.rows[r].from) && !target_set.count(cw.rows[r].to))
        throw InputError(cw.to_where[r] + ": target zone '" + cw.rows[r].to + "' is not a zone of the estimate" +
                         zones_are + "; expected the crosswalks of both censuses to lead to the same zones");
  } else {
    for (std::size_t u = 0; u < c.units.size(); ++u)
      if (!target_set.count(c.units[u]))
        throw InputError(c.unit_where[u] + ": unit '" + c.units[u] + "' is not a zone of the estimate" + zones_are +
                         hint);
  }
  std::vector<CrosswalkRow> identity;
  for (const auto& u : c.units) identity.push_back({u, u, 1.0});
  const auto& rows = cw.empty() ? identity : cw.rows;
  std::set<std::string> reached;  // the zones some unit of this census leads to (one pass, not one per zone)
  for (const auto& r : rows)
    if (c.index.count(r.from)) reached.insert(r.to);
  for (const auto& t : targets) {
    if (!reached.count(t))
      throw InputError(c.path + ", column 'zone': no unit for zone '" + t + "' of the estimate (from " + zones_from +
                       ")" + (cw.empty() ? hint : "; expected a row of " + cw.path + " that leads to it"));
  }
  totals = apply_crosswalk(c.units, c.totals, 1, rows, targets);
  if (c.by_age) cells = apply_crosswalk(c.units, c.cells, per_unit, rows, targets);
}

}  // namespace

EstimateSummary estimate(const EstimateConfig& cfg) {
  const geodata::ReadCancellation stoppable(cfg.cancel);  // censuses of thousands of zones take seconds to read
  if (cfg.step != 1 && cfg.step != 5) throw InputError("--step: " + std::to_string(cfg.step) + "; expected 1 or 5");
  // The scenario's bounds for the open age (projection.open_age), as estimate --levels: --open-age 100000 was accepted
  // and wrote tables a scenario cannot read (hostile probe 3).
  if (cfg.open_age < 10 || cfg.open_age > 130 || cfg.open_age % cfg.step != 0)
    throw InputError("--open-age " + std::to_string(cfg.open_age) + ": expected " +
                     (cfg.step == 5 ? "a multiple of 5 " : "an age ") + "from 10 to 130");
  const AgeGrid grid = cfg.step == 5 ? AgeGrid::five_year(cfg.open_age) : AgeGrid::single_year(cfg.open_age);
  grid.validate();
  // A value that is not finite is said in words (an empty CSV cell once stood for it: "--natural-growth-per-1000: ;").
  const auto shown = [](double v) {
    return std::isfinite(v) ? shortest_number(v) : std::string("not a finite number");
  };
  if (!(cfg.female_share >= 0 && cfg.female_share <= 1))
    throw InputError("--female-share: " + shown(cfg.female_share) + "; expected a share from 0 to 1");
  if (!(cfg.natural_growth_per_1000 > -1000 && cfg.natural_growth_per_1000 < 1000))
    throw InputError("--natural-growth-per-1000: " + shown(cfg.natural_growth_per_1000) +
                     "; expected a rate per 1000 per year above -1000 and below 1000");
  // The interval in 64 bits: 2147483647:-2147483648 overflowed int (undefined behaviour; it read as one year).
  if (cfg.first_year <= 0 || static_cast<long long>(cfg.second_year) - cfg.first_year <= 0)
    throw InputError("--years: " + std::to_string(cfg.first_year) + ":" + std::to_string(cfg.second_year) +
                     "; expected FIRST:SECOND, the census years, FIRST before SECOND");
  const int years = cfg.second_year - cfg.first_year;  // fits: 0 < first < second
  const Census first = read_census(cfg.first, grid, "--first", cfg.first_year),
               second = read_census(cfg.second, grid, "--second", cfg.second_year);
  const Crosswalk cw1 = read_crosswalk(cfg.first_crosswalk), cw2 = read_crosswalk(cfg.second_crosswalk);
  const std::vector<std::string> zones = targets_of(second, cw2);
  const std::string zones_from = cw2.empty() ? cfg.second : cfg.second_crosswalk;
  const std::size_t n = uz(grid.n_ages), per_unit = 2 * n;
  std::vector<double> t1, t2, c1, c2;
  to_targets(first, cw1, "--first", zones_from, zones, t1, c1, per_unit);
  to_targets(second, cw2, "--second", zones_from, zones, t2, c2, per_unit);

  EstimateSummary s;
  s.zones = zones;
  const bool residual = first.by_age && second.by_age;
  s.method = residual ? "residual" : "totals";
  // Death rates serve the residual method only: with censuses of zone totals --mx was ignored without a word, even a
  // file that did not exist or a URL (hostile probe of round 21).
  if (!residual && (!cfg.mx.empty() || !cfg.mx_filter.empty()))
    throw InputError(std::string(cfg.mx.empty() ? "--mx-filter" : "--mx") +
                     ": death rates are used by the residual method only, and " +
                     (first.by_age ? cfg.second : cfg.first) +
                     " gives zone totals without ages (the totals method, which uses --natural-growth-per-1000 and "
                     "--female-share instead); remove --mx, or give both censuses by sex and age");
  std::vector<double> table(zones.size() * per_unit, 0.0);  // persons per year by zone, sex, start age
  std::vector<double> unestimated(zones.size(), 0.0);        // residual: births of the interval (ages < steps)
  std::string method_text;
  if (residual) {
    if (years % grid.width_years != 0)
      throw InputError("--years: an interval of " + std::to_string(years) + " years; the residual method needs a "
                       "multiple of the " + std::to_string(grid.width_years) + "-year age groups");
    const int steps = years / grid.width_years;
    const std::vector<double> S = survival_from_mx(cfg, grid);
    for (std::size_t z = 0; z < zones.size(); ++z)
      for (std::size_t sx = 0; sx < 2; ++sx) {
        const auto at = [&](const std::vector<double>& v) {
          return std::vector<double>(v.begin() + static_cast<std::ptrdiff_t>(z * per_unit + sx * n),
                                     v.begin() + static_cast<std::ptrdiff_t>(z * per_unit + sx * n + n));
        };
        const std::vector<double> sv(S.begin() + static_cast<std::ptrdiff_t>(sx * n),
                                     S.begin() + static_cast<std::ptrdiff_t>(sx * n + n));
        const auto r = residual_migration(at(c1), at(c2), sv, steps);
        for (std::size_t i = 0; i < uz(steps) && i < n; ++i) unestimated[z] += c2[z * per_unit + sx * n + i];
        const auto m = migration_per_year_by_start_age(r, steps, grid.width_years);
        for (std::size_t i = 0; i < n; ++i) table[z * per_unit + sx * n + i] = m[i];
      }
    method_text =
        "Census-survival (residual) method: each cohort of the first census is survived forward over the " +
        std::to_string(years) + " years with the survival ratios of the period's abridged life table (" + cfg.mx +
        "), and the survivors are subtracted from the second census at the same cohort's age: " +
        "R = P2 − S·P1, the net migrants of the interval alive at the second census. Cohorts born during the " +
        "interval (ages under " + std::to_string(years) + " at the second census) are not estimated (no " +
        "births by zone were given): they add no migrants to the table. Each cohort's migrants are " +
        "spread evenly over the interval's " + std::to_string(steps) + " steps and written as persons per " +
        "year by age at the start of a step, averaged over the steps (one table serves every step).";
  } else {
    const double r = cfg.natural_growth_per_1000 / 1000.0;
    const std::vector<double> shares = rogers_castro_age_shares(grid);
    for (std::size_t z = 0; z < zones.size(); ++z) {
      const double per_year = totals_net_migration(t1[z], t2[z], years, r) / years;
      for (std::size_t i = 0; i < n; ++i) {
        table[z * per_unit + i] = per_year * cfg.female_share * shares[i];
        table[z * per_unit + n + i] = per_year * (1.0 - cfg.female_share) * shares[i];
      }
    }
    method_text = "From zone totals only (no ages in " + std::string(first.by_age ? "the second" : "the first") +
                  " census): net migration over the " + std::to_string(years) + " years = P2 − P1 · (1 + r)^" +
                  std::to_string(years) +
                  " with a stated natural growth rate r = " + number_cell(cfg.natural_growth_per_1000) +
                  " per 1000 per year, per year = that / " + std::to_string(years) +
                  "; spread over sex by a stated female share of " + number_cell(cfg.female_share) +
                  " and over age by the standard Rogers-Castro (1981) model " +
                  "schedule of the engine (the same in every zone).";
  }

  detail::EstimateFolder out(cfg.out_dir, s.files, cfg.cancel);
  for (std::size_t z = 0; z < zones.size(); ++z) {
    double sum = 0;
    for (std::size_t k = 0; k < per_unit; ++k) sum += table[z * per_unit + k];
    s.net_per_year.push_back(sum);
  }
  // Rows zone, sex, age, value of `values` [zone][female 0..n-1, male 0..n-1], a zone's rows together.
  const auto by_zone_sex_age = [&](const std::vector<double>& values) {
    return [&zones, &grid, v = values.data(), n, per_unit](std::string& text, std::size_t row) {
      const std::size_t z = row / per_unit, k = row % per_unit;
      append_csv_field(text, zones[z]);
      text += std::string(",") + (k < n ? "female" : "male") + "," +
              std::to_string(grid.age_start(static_cast<int>(k % n))) + ",";
      append_number_cell(text, v[row]);
      text += '\n';
    };
  };
  out.write_rows("net_migration.csv", "zone,sex,age,value\n", zones.size() * per_unit, by_zone_sex_age(table));
  if (second.by_age)
    out.write_rows("population_" + std::to_string(cfg.second_year) + ".csv", "zone,sex,age,population\n",
                   zones.size() * per_unit, by_zone_sex_age(c2));

  // Inputs with their SHA-256: the record of what the estimate read (and so of what it did not).
  std::vector<std::pair<std::string, std::string>> in{{"first census", cfg.first}, {"second census", cfg.second}};
  if (!cfg.first_crosswalk.empty()) in.push_back({"first crosswalk", cfg.first_crosswalk});
  if (!cfg.second_crosswalk.empty()) in.push_back({"second crosswalk", cfg.second_crosswalk});
  if (residual) in.push_back({"death rates", cfg.mx});
  std::string md = "# Net migration estimate\n\n## Method\n\n" + method_text + "\n\nCensuses: " +
                   std::to_string(cfg.first_year) + " and " + std::to_string(cfg.second_year) + "; " +
                   std::to_string(zones.size()) + " zones" +
                   (cw1.empty() && cw2.empty() ? "" : ", census units moved onto them through the crosswalks (counts × weight)") +
                   ".\n\n## Inputs\n\n| role | file | SHA-256 |\n|---|---|---|\n";
  const detail::HashedInputs hashed = detail::hash_inputs(in, s.inputs);
  md += hashed.markdown_rows;
  const std::string& inputs_json = hashed.json_entries;
  // Which column is which year, and the units (persons): a bare "2000 | 2010" read as years, not populations.
  md += "\n## Diagnostics by zone\n\n| zone | population " + std::to_string(cfg.first_year) + " | population " +
        std::to_string(cfg.second_year) +
        " | net migrants per year (persons) | per 1000 of the mean population per year" +
        (residual ? " | persons born in the interval (not estimated)" : "") + " |\n|---|---|---|---|---|" +
        (residual ? "---|" : "") + "\n";
  double all1 = 0, all2 = 0, allm = 0;
  for (std::size_t z = 0; z < zones.size(); ++z) {
    const double rate = 1000.0 * s.net_per_year[z] / ((t1[z] + t2[z]) / 2);
    md += "| " + zones[z] + " | " + number_cell(std::round(t1[z])) + " | " + number_cell(std::round(t2[z])) + " | " +
          number_cell(std::round(s.net_per_year[z])) + " | " + number_cell(std::round(rate * 10) / 10) + " |" +
          (residual ? " " + number_cell(std::round(unestimated[z])) + " |" : "") + "\n";
    all1 += t1[z];
    all2 += t2[z];
    allm += s.net_per_year[z];
  }
  md += "| all | " + number_cell(std::round(all1)) + " | " + number_cell(std::round(all2)) + " | " +
        number_cell(std::round(allm)) + " | " + number_cell(std::round(10000.0 * allm / ((all1 + all2) / 2)) / 10) +
        " |" + (residual ? " |" : "") + "\n";
  out.write("estimate_report.md", md);
  // The sealed manifest of every results folder (output_dir.hpp): marker, inputs, every file with its SHA-256, so
  // that a later estimate may replace the folder.
  s.out_dir = out.seal(
      "  \"cohortgis_version\": " + json_string(COHORTGIS_VERSION) +
      ",\n  \"command\": \"estimate\",\n"
      "  \"method\": " +
      json_string(s.method) + ",\n  \"years\": [" + std::to_string(cfg.first_year) + ", " +
      std::to_string(cfg.second_year) + "],\n" +
      // The options that change the outputs (docs/cli.md "estimate"), beside the inputs they apply to.
      "  \"options\": {\"step\": " + std::to_string(cfg.step) + ", \"open_age\": " + std::to_string(cfg.open_age) +
      ", \"mx_filter\": " + detail::filter_json(cfg.mx_filter) +
      ", \"natural_growth_per_1000\": " + json_number(cfg.natural_growth_per_1000) +
      ", \"female_share\": " + json_number(cfg.female_share) + "},\n  \"inputs\": [" + inputs_json + "\n  ],\n");
  return s;
}

}  // namespace cohortgis::app
