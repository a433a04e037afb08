// SPDX-License-Identifier: Apache-2.0
// [mortality] of a scenario file, in every form the engine takes (scenarios/README.md "Mortality"): death rates mx
// (the engine builds the life tables), probabilities qx or survivors lx with their ax (person-years built here),
// person-years Lx with a radix, survival ratios Sx, or a whole life table; any of them by year or period; and the
// paths that move an mx schedule (e0 by Brass relational logit, gains, Lee–Carter).
#include "scenario_build.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <map>
#include <optional>

#include "cohortgis/engine/graduation.hpp"
#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/scenarios/input_limits.hpp"
#include "cohortgis/scenarios/level_fitting.hpp"
#include "cohortgis/scenarios/models.hpp"
#include "cohortgis/scenarios/mortality_checks.hpp"
#include "cohortgis/scenarios/sources.hpp"
#include "schedule_time.hpp"
#include "zone_factors.hpp"

namespace cohortgis::scenarios::detail {

namespace {
// Schedules ordered by their bytes: a strict weak order that tells every bit pattern apart (−0, NaNs).
struct BitsLess {
  bool operator()(const std::vector<double>& x, const std::vector<double>& y) const {
    return x.size() != y.size() ? x.size() < y.size() : std::memcmp(x.data(), y.data(), x.size() * sizeof(double)) < 0;
  }
};
}  // namespace

namespace {
// Abridged rates under Greville's nax whose person-years DemoTools' lt_id_Ll_S refuses (mortality_checks.hpp): the
// whole given table, before it is closed at the grid's open age or graduated.
void refuse_5_9_ax_outside_group(const Build& b, const std::vector<double>& mx, Sex sex, const toml::node* n,
                                 const std::string& key, const LifeTableMethod& method, const std::string& where) {
  const std::string why = greville_person_years_refusal(mx, sex, method);
  if (!why.empty()) b.doc.fail(n, key, where + ": " + why + ", or set mortality.ax_method = \"midpoint\"");
}
}  // namespace

// mx rows from a table of (age, value) on the grid's life-table rows: abridged for z = 5 (closed at the grid's open
// age keeping its person-years, sources.hpp close_abridged_mx), single years for z = 1 (abridged input graduated).
// `where`: the table, its first row of the schedule and whose it is, for the messages. `next` (when not null): the
// given table's own rate of the group starting at the grid's open age when abridged rates go on past it on a
// five-year grid (StepSchedules::mortality_next), else NaN.
std::vector<double> mx_on_grid(const Build& b, const std::map<int, double>& by_age, Sex sex, const toml::node* n,
                               const std::string& key, const LifeTableMethod& method, const std::string& where,
                               double* next) {
  if (next) *next = std::numeric_limits<double>::quiet_NaN();
  std::vector<int> ages;
  std::vector<double> mx;
  for (const auto& [a, m] : by_age) (ages.push_back(a), mx.push_back(m));
  const bool abridged = ages.size() >= 4 && ages[0] == 0 && ages[1] == 1 && ages[2] == 5;
  try {
    if (abridged) {
      for (std::size_t k = 2; k < ages.size(); ++k)
        if (ages[k] != 5 * static_cast<int>(k - 1))
          b.doc.fail(n, key,
                     where + ": abridged mx rows must be 0, 1, 5, 10, …; missing age " + std::to_string(5 * (k - 1)));
      refuse_5_9_ax_outside_group(b, mx, sex, n, key, method, where);
      const int open_in = ages.back();
      if (b.z == 5) {
        if (open_in < b.sc.grid.open_age())
          b.doc.fail(n, key,
                     where + ": the mx rows end at " + std::to_string(open_in) + "+, below the grid's open age " +
                         std::to_string(b.sc.grid.open_age()));
        if (open_in == b.sc.grid.open_age()) return mx;
        if (next) *next = mx[uz(b.sc.grid.open_age() / 5 + 1)];  // rows 0, 1, 5, …: age w is row w/5 + 1
        return close_abridged_mx(mx, sex, b.sc.grid.open_age(), method);
      }
      return graduate_abridged_mx_to_single(mx, sex, b.sc.grid.open_age(), method);
    }
    if (b.z == 5) b.doc.fail(n, key, where + ": a five-year grid needs abridged mx rows 0, 1, 5, 10, …");
    for (std::size_t k = 0; k < ages.size(); ++k)
      if (ages[k] != static_cast<int>(k))
        b.doc.fail(n, key, where + ": single-year mx rows must be 0, 1, 2, …; missing age " + std::to_string(k));
    const int w = b.sc.grid.open_age();
    if (ages.back() < w)
      b.doc.fail(
          n, key,
          where + ": the mx rows end at " + std::to_string(ages.back()) + ", below the open age " + std::to_string(w));
    if (ages.back() == w) return mx;
    // Close at w keeping the person-years above it: m(w+) = l(w) / T(w) (as close_abridged_mx).
    const LifeTable lt = single_year_life_table(mx, sex, method);
    std::vector<double> out(mx.begin(), mx.begin() + w);
    out.push_back(lt.lx[uz(w)] / lt.Tx[uz(w)]);
    return out;
  } catch (const InputError& e) {
    if (std::string(e.what()).find(b.doc.file) == 0) throw;
    b.doc.fail(n, key, where + ": " + e.what());
  }
}

namespace {

enum class Form { mx, qx, lx, Lx, Sx, life_table };
constexpr std::pair<const char*, Form> kForms[] = {{"mx", Form::mx}, {"qx", Form::qx}, {"lx", Form::lx},
                                                   {"Lx", Form::Lx}, {"Sx", Form::Sx}, {"life_table", Form::life_table}};

// One schedule as read: by first age of the row, the value column and the life-table columns that came with it.
struct Series {
  std::map<int, double> value, ax, mx, lx;
  std::size_t first_row = 0;  // for messages about the whole schedule
};

// Where one age's row of a schedule is, for a message: "FILE row N, column C (whose)" of the row of `age` (round 25:
// an ax out of range named the schedule's first row, not the row that holds it).
using RowOfAge = std::function<std::string(int age, const std::string& column)>;

// Widths of the life-table rows of `ages` (0 for the open row).
std::vector<double> widths_of(const std::vector<int>& ages) {
  std::vector<double> n(ages.size(), 0.0);
  for (std::size_t i = 0; i + 1 < ages.size(); ++i) n[i] = ages[i + 1] - ages[i];
  return n;
}

// Checks the rows of person-years, qx or lx tables: single years 0, 1, 2, … on a one-year grid; abridged 0, 1, 5,
// 10, … or five-year 0, 5, 10, … on a five-year grid; the last row is the open group, at or above the grid's.
LxLayout check_rows(const Build& b, const std::vector<int>& ages, const toml::node* n, const std::string& key,
                    const std::string& where) {
  const int w = b.sc.grid.open_age();
  if (ages.size() < 3 || ages[0] != 0) b.doc.fail(n, key, where + ": expected rows from age 0");
  LxLayout layout = LxLayout::single_year;
  int step = 1;
  std::size_t from = 1;
  if (b.z == 5) {
    layout = ages[1] == 1 ? LxLayout::abridged : LxLayout::five_year;
    step = 5;
    from = layout == LxLayout::abridged ? 2 : 1;
    if (layout == LxLayout::abridged && ages[2] != 5)
      b.doc.fail(n, key, where + ": abridged rows must be 0, 1, 5, 10, …; got 0, 1, " + std::to_string(ages[2]));
  }
  for (std::size_t i = from; i < ages.size(); ++i) {
    const int expect = layout == LxLayout::abridged ? 5 * static_cast<int>(i - 1) : step * static_cast<int>(i);
    if (ages[i] != expect)
      b.doc.fail(n, key, where + ": rows must be " + (b.z == 5 ? "0, 1, 5, 10, … or 0, 5, 10, …" : "0, 1, 2, …") +
                             "; missing age " + std::to_string(expect));
  }
  if (ages.back() < w)
    b.doc.fail(n, key, where + ": the rows end at " + std::to_string(ages.back()) + "+, below the grid's open age " +
                           std::to_string(w));
  return layout;
}

// Person-years of a life table given by qx (or lx) with its ax: l(x+n) = l(x)(1 − q), d = l q, L = n l(x+n) + a d;
// the open group L = l / m with the open row's mx (Preston et al. 2001, §3.1, eqs 3.3–3.6). `l65`: l at age 65 when
// a row starts there (for e65 = T(65) / l(65)), else left as it is.
std::vector<double> person_years_from_q(const Build& b, const std::vector<int>& ages, const std::vector<double>& q,
                                        const Series& s, double l0, const toml::node* n, const std::string& key,
                                        const RowOfAge& at, double& l65) {
  const std::vector<double> width = widths_of(ages);
  std::vector<double> L(ages.size());
  double l = l0;
  for (std::size_t i = 0; i + 1 < ages.size(); ++i) {
    if (ages[i] == 65) l65 = l;
    auto a = s.ax.find(ages[i]);
    if (a == s.ax.end())
      b.doc.fail(n, key,
                 at(ages[i], "age") + ": no ax for age " + std::to_string(ages[i]) +
                     "; a life table given by qx or lx needs ax for every closed row");
    if (!(a->second >= 0 && a->second <= width[i]))
      b.doc.fail(n, key,
                 at(ages[i], "ax") + ": ax at age " + std::to_string(ages[i]) + " is " + fmt(a->second) +
                     "; expected 0 to the row's width " + fmt(width[i]));
    const double d = l * q[i];
    const double next = l - d;
    L[i] = width[i] * next + a->second * d;
    l = next;
  }
  if (ages.back() == 65) l65 = l;
  auto m = s.mx.find(ages.back());
  if (m == s.mx.end() || !(m->second > 0))
    b.doc.fail(n, key,
               at(ages.back(), "age") + ": the open age group " + std::to_string(ages.back()) +
                   "+ needs its death rate in the mx column (L = l/m)");
  // The open rate is a death rate like those of an mx table, and is held to their range (0 to 2): a rate of 1e308
  // would leave the open group almost no person-years, its persons dying within the step without a word.
  if (const std::string problem = death_rate_problem(m->second); !problem.empty())
    b.doc.fail(n, key, at(ages.back(), "mx") + ": the open age group's rate: " + problem);
  L.back() = l / m->second;
  return L;
}

// Checks a table's person-years L row by row (`ages` its rows, l0 its radix) and returns them on the grid: the rows
// above the grid's open age w folded into its open group, T(w) = Σ L over the rows from w on. `value_column`: the
// column of the rows that holds L ("Lx"), or that names the row ("age") where L is computed.
std::vector<double> person_years_on_grid(const Build& b, const std::vector<int>& ages, std::vector<double> L, double l0,
                                         const toml::node* n, const std::string& key, const std::string& where,
                                         const RowOfAge& at, const std::string& value_column) {
  const std::vector<double> width = widths_of(ages);
  if (!(l0 > 0 && std::isfinite(l0))) b.doc.fail(n, key, where + ": the radix l0 is " + fmt(l0) + "; expected > 0");
  for (std::size_t i = 0; i < L.size(); ++i)
    if (const std::string problem = person_years_problem(L[i]); !problem.empty())  // input_limits.hpp
      b.doc.fail(n, key, at(ages[i], value_column) + ": Lx at age " + std::to_string(ages[i]) + ": " + problem);
  if (L[0] > width[0] * l0 * (1 + 1e-12))
    b.doc.fail(n, key,
               at(ages[0], value_column) + ": Lx at age 0 is " + fmt(L[0]) + ", more than the " + fmt(width[0] * l0) +
                   " person-years that the radix l0 = " + fmt(l0) + " can live in " + fmt(width[0]) +
                   " years; Lx and its radix are inconsistent");
  // Person-years per year of age cannot rise with age in a life table (the open row holds T and is not compared).
  for (std::size_t i = 1; i + 1 < L.size(); ++i)
    if (L[i] / width[i] > L[i - 1] / width[i - 1] * (1 + 1e-12))
      b.doc.fail(n, key,
                 at(ages[i], value_column) + ": the life table increases: Lx per year of age is " +
                     fmt(L[i] / width[i]) + " at age " + std::to_string(ages[i]) + " after " +
                     fmt(L[i - 1] / width[i - 1]) + " at age " + std::to_string(ages[i - 1]));
  const auto open_row = uz(std::find(ages.begin(), ages.end(), b.sc.grid.open_age()) - ages.begin());
  if (open_row + 1 < L.size()) {
    double T = 0.0;
    for (std::size_t i = open_row; i < L.size(); ++i) T += L[i];
    L.resize(open_row + 1);
    L.back() = T;
  }
  // Every age group of the grid needs person-years above 0 (finite, as each row is, but T may overflow where every
  // row is finite): the projection's survival ratio into the next group is L(x + z) / L(x) (docs/ccmpp.md A1), 0/0
  // after a row nobody lives in (a qx of 1 or an lx of 0 before it, an Lx of 0). Checked on the grid's rows, naming
  // the table's row, where the engine would name only its own row number.
  for (std::size_t i = 0; i < L.size(); ++i) {
    if (L[i] > 0 && std::isfinite(L[i])) continue;
    const bool open = i + 1 == L.size();
    b.doc.fail(n, key,
               at(ages[i], value_column) + ": " +
                   (open ? "the open age group " + std::to_string(ages[i]) + "+ holds " + fmt(L[i]) +
                               " person-years (the sum of the rows from " + std::to_string(ages[i]) + " on)"
                         : "Lx at age " + std::to_string(ages[i]) + " is " + fmt(L[i])) +
                   "; expected person-years above 0 and finite in every age group" +
                   (L[i] > 0 ? ""
                             : " (nobody lives to this row: a probability of dying of 1 or survivors of 0 "
                               "before it; the survival ratio into the next group would be 0/0)"));
  }
  return L;
}

}  // namespace

void build_mortality(const Build& b, const Layer& L, std::vector<StepSchedules>& steps, FoldedSteps& folded) {
  const Doc& doc = b.doc;
  L.allow(doc, "mortality",
          {"mx", "qx", "lx", "Lx", "Sx", "life_table", "radix", "a0", "ax_method", "coale_demeny_region", "e0",
           "e0_gain_per_year", "lee_carter", "fit", "zone_factors", "open_ax"});
  // Life-table conventions for tables the engine builds from mx (docs/ccmpp.md A1; scenarios/README.md).
  LifeTableMethod& method = b.sc.life_table_method;
  if (auto [n, k] = L.get("mortality", "a0"); n) {
    const std::string v = doc.string(*n, k);
    // DemoTools' and ccmppWPP's own names ("ak", "cd"; MORT_PARAMS) are read as the same rules: a scenario written
    // from the UN's code keeps them.
    if (v == "andreev-kingkade" || v == "ak")
      method.a0_rule = A0Rule::andreev_kingkade;
    else if (v == "coale-demeny" || v == "cd")
      method.a0_rule = A0Rule::coale_demeny;
    else
      doc.fail(n, k,
               "expected \"andreev-kingkade\" (\"ak\") or \"coale-demeny\" (\"cd\"), got \"" + escape_cell(v) + "\"");
  }
  if (auto [n, k] = L.get("mortality", "ax_method"); n) {
    const std::string v = doc.string(*n, k);
    // DemoTools' lt_abridged axmethod "un" (with mod = TRUE, cohortgis's only mode) and "pas".
    if (v == "greville" || v == "un")
      method.ax_method = AxMethod::greville;
    else if (v == "midpoint" || v == "pas")
      method.ax_method = AxMethod::midpoint;
    else
      doc.fail(n, k, "expected \"greville\" (\"un\") or \"midpoint\" (\"pas\"), got \"" + escape_cell(v) + "\"");
  }
  if (auto [n, k] = L.get("mortality", "coale_demeny_region"); n) {
    const std::string v = doc.string(*n, k);
    // DemoTools' region = "w", "n", "e", "s".
    if (v == "west" || v == "w")
      method.region = CoaleDemenyRegion::west;
    else if (v == "north" || v == "n")
      method.region = CoaleDemenyRegion::north;
    else if (v == "east" || v == "e")
      method.region = CoaleDemenyRegion::east;
    else if (v == "south" || v == "s")
      method.region = CoaleDemenyRegion::south;
    else
      doc.fail(n, k,
               "expected \"west\", \"north\", \"east\" or \"south\" (\"w\", \"n\", \"e\", \"s\"), got \"" +
                   escape_cell(v) + "\"");
  }
  double radix = 100000.0;
  if (auto [n, k] = L.get("mortality", "radix"); n)
    radix = doc.number(*n, k, kRadixRange.lo, kRadixRange.hi, kRadixRange.what);  // input_limits.hpp

  // Exactly one form. A variant that names another form than the baseline replaces it; a variant's `Lx = false`
  // switches the baseline's form off (beside another form, or alone: then mortality is missing).
  const toml::node* mn = nullptr;
  std::string mkey;
  Form form = Form::mx;
  const toml::table* over_mortality = L.section(L.over, "mortality");
  const auto switched_off = [&](std::string_view name) {
    const toml::node* x = over_mortality ? over_mortality->get(name) : nullptr;
    const toml::value<bool>* flag = x ? x->as_boolean() : nullptr;
    return flag && !flag->get();
  };
  for (const toml::table* t : {over_mortality, L.section(L.base, "mortality")}) {
    if (!t || mn) continue;
    int found = 0;
    for (const auto& [name, f] : kForms)
      if (const toml::node* x = t->get(name); x && !switched_off(name)) {
        if (found++) doc.fail(x, std::string(t == L.section(L.over, "mortality") ? L.over_prefix + "." : "") + "mortality." + name,
                              "give mortality in one form only: mx, qx, lx, Lx, Sx or life_table");
        mn = x;
        form = f;
        mkey = (t == L.section(L.over, "mortality") ? L.over_prefix + "." : "") + std::string("mortality.") + name;
      }
  }
  if (!mn)
    for (const auto& entry : kForms)
      if (switched_off(entry.first))
        doc.fail(
            over_mortality->get(entry.first), L.over_prefix + ".mortality." + entry.first,
            "switches the baseline's mortality off without giving another form: expected one of mx, qx, lx, Lx, Sx "
            "or life_table beside it");
  if (!mn)
    doc.fail(L.base, "mortality", "missing; expected one of mx, qx, lx, Lx, Sx or life_table (a table by age and sex)");

  TableRef ref = table_ref(
      doc, *mn, mkey,
      {"year", "period", "zone", "group", "sex", "age", "value", "ax", "mx", "qx", "lx", "Lx", "Sx", "standard"});
  ref.label_width = 0;  // life-table rows (0, 1-4, 5-9, …) are not the grid's groups; the forms check their rows
  // Mortality tables have fixed units (mx per person-year, qx and Sx probabilities, lx and Lx persons of the radix):
  // a declared unit (e.g. "per_1000") would be ignored without a word.
  if (ref.unit_node)
    doc.fail(ref.unit_node, mkey + ".unit",
             "mortality tables take no unit (mx per person-year, qx and Sx probabilities, lx and Lx persons of the "
             "radix); leave it out and give the values so (rates per 1000 divided by 1000)");
  refuse_per(doc, ref);
  std::vector<std::string> required = {"age", "sex"}, numbers = {"age"};
  if (form != Form::life_table) (required.push_back("value"), numbers.push_back("value"));
  Rows rows = read_rows(doc, ref, required, numbers);
  // A life table: use Lx (with lx at age 0 as its radix) when it has them, else Sx, else mx.
  std::string column = "value";
  if (form == Form::life_table) {
    if (rows.has("Lx")) form = Form::Lx, column = "Lx";
    else if (rows.has("Sx")) form = Form::Sx, column = "Sx";
    else if (rows.has("mx")) form = Form::mx, column = "mx";
    else
      doc.fail(mn, mkey, ref.path + ": a life table needs an Lx, Sx or mx column (a long table with one row per " +
                             "indicator, as the UN's life_table_age_sex, is read with Lx, Sx or mx and a filter such " +
                             "as filter = { indicator = \"lt_nLx\" })");
  }
  // zone_factors: the table holds standard schedules (by `standard`, not by zone); a zone's mx = factor × its
  // standard's (zone_factors.hpp). Without it every "standard" below is a zone and there is no factor.
  auto [fzn, fzkey] = L.get("mortality", "zone_factors");
  if (fzn && form != Form::mx)
    doc.fail(fzn, fzkey, "zone factors multiply death rates: give mortality.mx (a standard schedule) with them");
  std::optional<ZoneFactors> factors;
  if (fzn) factors = standards_of(b, rows, mn, mkey);
  const int n_std = factors ? static_cast<int>(factors->standards.size()) : b.Z;
  const auto std_label = [&](int i) { return factors ? factors->standard_label(i) : "zone " + b.sc.zones[uz(i)].id; };
  // open_ax: the open group of a life table built from mx lives a_w · l_w person-years instead of l_w / m_w. DemoTools'
  // lt_single_mx, which makes the UN's lt_Sx, closes its last age 130 with a = 0.5 whatever lt_nMx says there; the
  // open rate becomes 1 / a_w (L = l / m is then that), so nothing may move or scale the rates afterwards. Read with
  // mx only, as a0 is (a variant giving Lx or Sx leaves it unused).
  std::optional<double> open_ax;
  if (auto [on, okey] = L.get("mortality", "open_ax"); on) {
    const double a = doc.number(*on, okey, 0.5, 100.0, "years lived in the open group per person reaching it");
    if (form == Form::mx) {
      for (const char* other : {"zone_factors", "e0", "e0_gain_per_year", "lee_carter", "fit"})
        if (auto [xn, xkey] = L.get("mortality", other); xn)
          doc.fail(xn, xkey, "not with mortality.open_ax, which replaces the open group's rate by 1 / open_ax");
      open_ax = a;
    }
  }
  TimedRows timed = time_rows(b, rows, mkey);
  const int rows_per_state = form == Form::Sx ? b.A : -1;
  struct KeySchedules {
    std::vector<std::vector<double>> series;  // engine rows
    std::vector<double> l0;                   // per series (person-years forms)
    std::vector<double> l65;                  // per series (person-years forms; NaN: not given)
    std::vector<double> next;                 // per series: mx_on_grid's `next` (NaN: none)
    std::vector<std::size_t> which;           // [zone][group][sex] → series
  };
  std::vector<KeySchedules> per_key(timed.keys());
  std::optional<LxLayout> layout;
  std::size_t n_rows = 0;
  for (std::size_t k = 0; k < timed.keys(); ++k) {
    if (!timed.used[k]) continue;
    std::map<std::tuple<int, int, int>, Series> got;  // (zone or −1, group or −1, sex) → series
    for (std::size_t r : timed.rows[k]) {
      const int zi = factors ? factors->standard_of_row(rows, r) : b.zone_of_row(rows, r, mn, mkey);
      const int g = b.group_of_row(rows, r, mn, mkey, true);  // applied before named groups (map order)
      const int s = sex_of(doc, rows, r, mkey);
      const int age = whole_number(doc, rows, r, "age", mkey);
      const double v = rows.number(r, column);
      Series& se = got[{zi, g, s}];
      if (se.value.empty()) se.first_row = r;
      switch (form) {
        case Form::mx:
          // The range and its words are input_limits.hpp's (StepSchedules set from Python are checked by it too).
          if (const std::string problem = death_rate_problem(v); !problem.empty())
            doc.fail(mn, mkey, rows.where(r, column) + ": " + problem);
          break;
        case Form::qx:
          if (!(v >= 0 && v <= 1))
            doc.fail(mn, mkey, rows.where(r, column) + ": expected a probability of dying from 0 to 1, got " + fmt(v));
          break;
        case Form::Sx:  // input_limits.hpp, as mx above
          if (const std::string problem = survival_ratio_problem(v); !problem.empty())
            doc.fail(mn, mkey, rows.where(r, column) + ": " + problem);
          break;
        default:
          if (!(v >= 0)) doc.fail(mn, mkey, rows.where(r, column) + ": expected a value >= 0, got " + fmt(v));
      }
      if (!se.value.emplace(age, v).second)
        doc.fail(mn, mkey, rows.where(r, "age") + ": a second row for this age and sex" +
                               (timed.kind == TimedRows::Kind::always ? std::string() : " in this year"));
      if (rows.has("ax") && !rows.text(r, "ax").empty()) se.ax[age] = rows.number(r, "ax");
      if (rows.has("mx") && column != "mx" && !rows.text(r, "mx").empty()) se.mx[age] = rows.number(r, "mx");
      if (rows.has("lx") && column != "lx" && !rows.text(r, "lx").empty()) se.lx[age] = rows.number(r, "lx");
    }
    KeySchedules& ks = per_key[k];
    ks.which.assign(uz(n_std * b.G * 2), SIZE_MAX);
    for (const auto& [zgs, se] : got) {
      const auto [zi, g, s] = zgs;
      const std::string whose = " (" + (zi < 0 ? "" : std_label(zi) + ", ") +
                                (g < 0 ? "" : "group " + b.sc.group_names[uz(g)] + ", ") +
                                sex_name(static_cast<Sex>(s)) + ")";
      const std::string where = rows.where(se.first_row, "age") + whose;
      // The row of one age, looked up only for a message (no cost while the rows are fine): this key's rows again.
      // (The bindings captured by name: clang 14 refuses a structured binding captured by [&].)
      const RowOfAge at = [&, zi = zi, g = g, s = s, &se = se](int age, const std::string& col) {
        for (std::size_t r : timed.rows[k])
          if ((factors ? factors->standard_of_row(rows, r) : b.zone_of_row(rows, r, mn, mkey)) == zi &&
              b.group_of_row(rows, r, mn, mkey, true) == g && sex_of(doc, rows, r, mkey) == s &&
              whole_number(doc, rows, r, "age", mkey) == age)
            return rows.where(r, col) + whose;
        return rows.where(se.first_row, "age") + whose;
      };
      std::vector<int> ages;
      std::vector<double> vals;
      for (const auto& [a, v] : se.value) (ages.push_back(a), vals.push_back(v));
      std::vector<double> out;
      double l0 = radix;
      double l65 = std::numeric_limits<double>::quiet_NaN();  // unknown unless the table gives or implies it
      double next = std::numeric_limits<double>::quiet_NaN();
      if (form == Form::mx) {
        std::map<int, double> closed;  // with open_ax: the rows, the open one's rate 1 / open_ax
        if (open_ax) (closed = se.value).rbegin()->second = 1.0 / *open_ax;
        out = mx_on_grid(b, open_ax ? closed : se.value, static_cast<Sex>(s), mn, mkey, method, where, &next);
      } else if (form == Form::Sx) {
        // Survival ratios by the age group at the END of the step (docs/ccmpp.md A1): row 0 takes the step's
        // births to ages 0…z−1, row x the cohort aged x−z at the start, the open row the two oldest groups.
        std::vector<int> expect;
        for (int i = 0; i < b.A; ++i) expect.push_back(b.sc.grid.age_start(i));
        // The UN's abridged tables (WPP's files; DemoTools' lt_id_Ll_S placed on the rows 0, 1, 5, …) hold the same
        // ratios one row earlier: row 0 births, row 1 ages 0–4 → 5–9, row x ≥ 5 ages x → x+5, row w−5 the open
        // group's T(w)/T(w−5), row w a placeholder 0. So rows 0, 1, 5, …, w−5 are the grid's groups 0, 5, …, w.
        std::vector<int> abridged{0, 1};
        for (int a = 5; a < b.sc.grid.open_age(); a += 5) abridged.push_back(a);
        const bool with_placeholder = ages.size() == abridged.size() + 1 && ages.back() == b.sc.grid.open_age();
        if (b.z == 5 && std::equal(abridged.begin(), abridged.end(), ages.begin(), ages.end() - with_placeholder)) {
          vals.resize(abridged.size());
          ages = expect;
        }
        if (ages != expect) {
          const int w = b.sc.grid.open_age();
          const bool looks_abridged = b.z == 5 && ages.size() > 1 && ages[0] == 0 && ages[1] == 1;
          doc.fail(mn, mkey,
                   where + ": survival ratios need one row per age group of the grid (0, " + std::to_string(b.z) +
                       ", …, " + std::to_string(w) + "+)" +
                       (!ages.empty() && ages.back() > w
                            ? "; ratios past the open age cannot be folded into it: give Lx or mx, whose "
                              "rows past it are folded, or set open_age to the table's"
                            : "") +
                       (looks_abridged ? "; the UN's abridged rows must be 0, 1, 5, …, " + std::to_string(w - 5) +
                                             " (and " + std::to_string(w) + "+) for this grid"
                                       : ""));
        }
        out = vals;
      } else {
        const LxLayout lay = check_rows(b, ages, mn, mkey, where);
        if (layout && *layout != lay) doc.fail(mn, mkey, where + ": every schedule must have the same age rows");
        layout = lay;
        if (auto it = se.lx.find(0); it != se.lx.end()) l0 = it->second;
        if (auto it = se.lx.find(65); it != se.lx.end()) l65 = it->second;  // an Lx table's lx column
        if (form == Form::Lx) {
          out = vals;
        } else {
          std::vector<double> q = vals;
          if (form == Form::lx) {
            l0 = vals[0];
            for (std::size_t i = 0; i + 1 < vals.size(); ++i) {
              if (vals[i + 1] > vals[i])
                doc.fail(mn, mkey,
                         at(ages[i + 1], column) + ": the life table increases: lx is " + fmt(vals[i + 1]) +
                             " at age " + std::to_string(ages[i + 1]) + " after " + fmt(vals[i]) + " at age " +
                             std::to_string(ages[i]));
              q[i] = vals[i] > 0 ? 1.0 - vals[i + 1] / vals[i] : 1.0;
            }
            q.back() = 1.0;
          }
          out = person_years_from_q(b, ages, q, se, l0, mn, mkey, at, l65);
          // An lx table's own l(65), as the UN's lt_ex = lt_Tx / lt_lx reads it (not l0 · Π(1 − q), which may differ in
          // the last bit).
          if (form == Form::lx)
            if (auto it = std::find(ages.begin(), ages.end(), 65); it != ages.end()) l65 = vals[uz(it - ages.begin())];
        }
        out = person_years_on_grid(b, ages, std::move(out), l0, mn, mkey, where, at, form == Form::Lx ? column : "age");
        if (const std::string problem = l65_problem(l65, l0); !problem.empty())  // input_limits.hpp
          doc.fail(mn, mkey, at(65, form == Form::lx ? column : "lx") + ": " + problem);
      }
      if (n_rows == 0) n_rows = out.size();
      if (out.size() != n_rows) doc.fail(mn, mkey, where + ": every schedule must have the same age rows");
      ks.series.push_back(std::move(out));
      ks.l0.push_back(l0);
      ks.l65.push_back(l65);
      ks.next.push_back(next);
      for (int z = 0; z < n_std; ++z)
        for (int gg = 0; gg < b.G; ++gg)
          if ((zi < 0 || zi == z) && (g < 0 || g == gg)) ks.which[uz((z * b.G + gg) * 2 + s)] = ks.series.size() - 1;
    }
    for (int z = 0; z < n_std; ++z)
      for (int gg = 0; gg < b.G; ++gg)
        for (int s = 0; s < 2; ++s)
          if (ks.which[uz((z * b.G + gg) * 2 + s)] == SIZE_MAX)
            doc.fail(mn, mkey, ref.path + ": no " + std::string(sex_name(static_cast<Sex>(s))) + " rows for " +
                                   std_label(z) + (b.G > 1 ? ", group " + b.sc.group_names[uz(gg)] : "") +
                                   (timed.kind == TimedRows::Kind::always ? std::string()
                                                                          : " in " + std::to_string(timed.first[k])));
  }
  (void)rows_per_state;
  // Rates past the grid's open age on a five-year grid: every schedule carries one row more, the given table's own
  // rate of the group starting at w (that of a table ending at w: its open rate, the same table), through the mixing,
  // zone factors, Brass and Lee–Carter below, into StepSchedules::mortality_next (DemoTools' lt_abridged(OAnew) order;
  // scenarios/README.md "Rows past the open age"). Without such a table nothing changes.
  bool with_next = false;
  for (const KeySchedules& ks : per_key)
    for (double x : ks.next) with_next = with_next || !std::isnan(x);
  if (with_next)
    for (KeySchedules& ks : per_key)
      for (std::size_t i = 0; i < ks.series.size(); ++i)
        ks.series[i].push_back(std::isnan(ks.next[i]) ? ks.series[i].back() : ks.next[i]);
  // The table's text cells and row lists are not needed once the series are built: freed before the schedules of
  // every step are (a table of millions of rows holds several times the schedules' size as text).
  rows = Rows{};
  timed.rows = {};
  if (factors) {
    // The largest rate of each standard over the used times, to refuse a factor that makes a rate above 2.
    std::vector<double> largest(factors->standards.size(), 0.0);
    for (std::size_t k = 0; k < timed.keys(); ++k)
      for (int i = 0; timed.used[k] && i < n_std; ++i)
        for (int w = 0; w < b.G * 2; ++w)
          for (double x : per_key[k].series[per_key[k].which[uz(i * b.G * 2 + w)]]) largest[uz(i)] = std::max(largest[uz(i)], x);
    read_zone_factors(b, *fzn, fzkey, largest, 2.0, "a death rate", *factors);
  }
  // Index into KeySchedules::which of zone zi, group g, sex s (its standard's with zone factors).
  const auto series_index = [&](int zi, int g, int s) {
    return uz(((factors ? factors->standard_of[uz(zi * b.G + g)] : zi) * b.G + g) * 2 + s);
  };
  // The factor of zone zi, group g applied to a schedule (none without zone factors: the bits as given).
  const auto apply_factor = [&](std::vector<double>& v, int zi, int g) {
    if (!factors) return;
    const double f = factors->factor[uz(zi * b.G + g)];
    for (double& x : v) x = f * x;
  };

  // e0 paths (Brass logit against the base table), or a gain per year, or Lee–Carter; at most one, on mx only.
  std::optional<YearPath> e0[2];
  auto [en, ekey] = L.get("mortality", "e0");
  auto [gn, gkey] = L.get("mortality", "e0_gain_per_year");
  auto [ln, lkey] = L.get("mortality", "lee_carter");
  if ((en != nullptr) + (gn != nullptr) + (ln != nullptr) > 1)
    doc.fail(en ? en : gn, en ? ekey : gkey, "give only one of e0, e0_gain_per_year and lee_carter");
  if ((en || gn || ln) && form != Form::mx)
    doc.fail(en ? en : gn ? gn : ln, en ? ekey : gn ? gkey : lkey,
             "e0 paths, gains and Lee–Carter move a schedule of death rates: give mortality.mx");
  double lc_drift = 0.0;
  if (en) {
    const toml::table& t = doc.table(*en, ekey);
    doc.allow(t, ekey, {"female", "male"});
    for (int s = 0; s < 2; ++s)
      if (const toml::node* x = t.get(sex_name(static_cast<Sex>(s))))
        e0[s] = doc.path(*x, ekey + "." + sex_name(static_cast<Sex>(s)), 15.0, 100.0, b.base_year, b.horizon, "a life expectancy");
  }
  std::optional<double> gain[2];
  if (gn) {
    const toml::table& t = doc.table(*gn, gkey);
    doc.allow(t, gkey, {"female", "male"});
    for (int s = 0; s < 2; ++s)
      if (const toml::node* x = t.get(sex_name(static_cast<Sex>(s))))
        gain[s] = doc.number(*x, gkey + "." + sex_name(static_cast<Sex>(s)), -2.0, 2.0, "years per year");
  }
  if (ln) {
    const toml::table& t = doc.table(*ln, lkey);
    doc.allow(t, lkey, {"drift"});
    if (!t.get("drift")) doc.fail(ln, lkey, "expected 'drift' (change of k per year)");
    lc_drift = doc.number(*t.get("drift"), lkey + ".drift", -50.0, 50.0);
  }
  // fit = { e0, srb, year }: one Brass α for both sexes, every zone, group and step, so that the schedules of the
  // first zone and group in the step covering `year` give the both-sexes e0 (level_fitting.hpp): the level is set
  // relative to the given schedules, which stay the standard (their change over time and between zones is kept).
  std::optional<double> fit_alpha;
  if (auto [fn, fkey] = L.get("mortality", "fit"); fn) {
    if (en || gn || ln) doc.fail(fn, fkey, "give only one of fit, e0, e0_gain_per_year and lee_carter");
    if (form != Form::mx) doc.fail(fn, fkey, "a fitted level moves a schedule of death rates: give mortality.mx");
    const toml::table& t = doc.table(*fn, fkey);
    doc.allow(t, fkey, {"e0", "srb", "year"});
    for (const char* k : {"e0", "srb", "year"})
      if (!t.get(k))
        doc.fail(fn, fkey + "." + k, "missing; expected e0 (both sexes, years), srb (males per 100 females, to weight "
                                     "the sexes) and year (of the published e0)");
    const double e0_target = doc.number(*t.get("e0"), fkey + ".e0", 15.0, 100.0, "a life expectancy");
    const double srb = doc.number(*t.get("srb"), fkey + ".srb", 90.0, 130.0, "males per 100 females");
    const int year = doc.integer(*t.get("year"), fkey + ".year", b.base_year + 1, b.horizon, "a year of the projection");
    int kf = 0;
    while (b.step_last_year(kf) < year) ++kf;
    MortalityStandard standard{{}, {}, b.sc.grid, method};
    for (int s = 0; s < 2; ++s) {
      std::vector<std::vector<double>> each;
      std::vector<std::pair<std::size_t, double>> mixed;
      const auto& parts = timed.steps[uz(kf)];
      for (std::size_t p = 0; p < parts.size(); ++p) {
        const KeySchedules& ks = per_key[parts[p].first];
        each.push_back(ks.series[ks.which[series_index(0, 0, s)]]);  // zone 0, group 0
        mixed.push_back({p, parts[p].second});
      }
      std::vector<double> v = mix_step(each, mixed);
      apply_factor(v, 0, 0);
      (s == 0 ? standard.female : standard.male) = std::move(v);
    }
    LevelFit fitted;
    try {
      fitted = fit_alpha_to_e0_both_sexes(standard, e0_target, srb);
    } catch (const InputError& e) {
      doc.fail(fn, fkey, e.what());
    }
    fit_alpha = fitted.level;
    // Six significant digits for a reader (the report shows this note): "82.47", not "82.46999999991183".
    const std::string note =
        std::string(kMortalityFitNote) + ": Brass relational logit alpha = " + fmt(fitted.level, 6) +
        " on the given death rates, giving a life expectancy at birth of " + fmt(fitted.fitted, 6) +
        " years for both sexes in the step covering " + std::to_string(year) + " (target " + fmt(e0_target) +
        "; sexes weighted by " + fmt(srb) + " males per 100 females).";
    if (std::find(b.sc.assumptions.begin(), b.sc.assumptions.end(), note) == b.sc.assumptions.end())
      b.sc.assumptions.push_back(note);
  }
  std::map<std::pair<std::vector<double>, int>, std::vector<double>> fit_cache;
  const MortalityInput kind = form == Form::mx   ? MortalityInput::death_rates
                              : form == Form::Sx ? MortalityInput::survival_ratios
                                                 : MortalityInput::person_years;
  // (base schedule, target e0) → moved mx: zones sharing a schedule share the bisection.
  std::map<std::pair<std::vector<double>, double>, std::vector<double>> cache;
  // Base schedule → its life table's e0, by sex: one table per distinct schedule, not one per zone, group and step
  // (2000 zones, 10 steps: 40,000 tables, 254 M instructions of 2.0 G to load). Keyed by the bits, so a schedule
  // that differs in any bit (−0, a NaN's payload) gets a table of its own.
  std::map<std::vector<double>, double, BitsLess> e0_of_base[2];
  for (int k = 0; k < b.steps; ++k) {
    StepSchedules& st = steps[uz(k)];
    st.mortality_kind = kind;
    st.person_years_layout = layout.value_or(LxLayout::abridged);
    st.mortality.clear();
    st.radix_l0.clear();
    st.l65.clear();
    st.mortality_next.clear();
    st.mortality.reserve(uz(b.Z * b.G * 2) * n_rows);  // not the doubling growth of insert: held for the run
    const auto& parts = timed.steps[uz(k)];
    const int y0 = b.step_first_year(k), y1 = b.step_last_year(k);
    AppendedLikeFirst mx_like_first(steps[0].mortality, st.mortality, k > 0);  // a step like the first: not written
    // National rates: held once for every zone (the engine's form without rates above the open age).
    const std::size_t zone_rows = uz(b.G * 2) * n_rows;
    ZoneBlocksOnce mx_rows(mx_like_first, zone_rows, b.Z,
                           b.schedules_once && kind == MortalityInput::death_rates && !with_next &&
                               n_rows == uz(b.sc.grid.life_table_rows()));
    for (int zi = 0; zi < b.Z; ++zi)
      for (int g = 0; g < b.G; ++g)
        for (int s = 0; s < 2; ++s) {
          const std::size_t idx = series_index(zi, g, s);
          std::vector<std::vector<double>> each;
          std::vector<std::pair<std::size_t, double>> mixed;
          double l0 = 0.0, l65 = 0.0;  // mixed across the step's years as the rows are (mix_step)
          for (std::size_t p = 0; p < parts.size(); ++p) {
            const KeySchedules& ks = per_key[parts[p].first];
            each.push_back(ks.series[ks.which[idx]]);
            mixed.push_back({p, parts[p].second});
            l0 += parts[p].second * ks.l0[ks.which[idx]];
            l65 += parts[p].second * ks.l65[ks.which[idx]];
          }
          if (parts.size() == 1) {
            const KeySchedules& ks = per_key[parts[0].first];
            l0 = ks.l0[ks.which[idx]];
            l65 = ks.l65[ks.which[idx]];
          }
          std::vector<double> v = mix_step(each, mixed);
          apply_factor(v, zi, g);
          if (form == Form::mx && (e0[s] || gain[s])) {
            const std::vector<double> base = v;
            auto known = e0_of_base[s].find(base);
            if (known == e0_of_base[s].end())
              known = e0_of_base[s]
                          .emplace(base, life_expectancy_at_birth(base, b.sc.grid, static_cast<Sex>(s), method))
                          .first;
            const double e_base = known->second;
            YearPath p;
            if (e0[s]) {
              p = *e0[s];
              if (!p.points.count(b.base_year)) p.points[b.base_year] = e_base;  // start from the base table
            } else {
              p.points[b.base_year] = e_base;
              p.points[b.horizon] = e_base + *gain[s] * (b.horizon - b.base_year);
            }
            const double target = p.mean_over_years(y0, y1);
            auto key = std::make_pair(base, target);
            auto it = cache.find(key);
            if (it == cache.end()) {
              double alpha = 0.0;
              try {
                alpha = brass_alpha_for_e0(base, b.sc.grid, static_cast<Sex>(s), target, method);
              } catch (const InputError& e) {
                doc.fail(en ? en : gn, en ? ekey : gkey, std::string(e.what()) + " (years " + std::to_string(y0) + "-" + std::to_string(y1) + ")");
              }
              it = cache.emplace(key, brass_logit_mx(base, b.sc.grid, static_cast<Sex>(s), alpha, method)).first;
            }
            v = it->second;
          } else if (fit_alpha) {
            auto it = fit_cache.find({v, s});
            if (it == fit_cache.end())
              it = fit_cache.emplace(std::make_pair(v, s), brass_logit_mx(v, b.sc.grid, static_cast<Sex>(s), *fit_alpha, method)).first;
            v = it->second;
          } else if (form == Form::mx && ln) {
            // k_t at the mean calendar year of the step, relative to the base year.
            const double t = 0.5 * (y0 + y1) - b.base_year;
            // b_x = 1 / the grid's rows, the row above the open age included at that pace
            v = with_next
                    ? lee_carter_mx(v, std::vector<double>(v.size(), 1.0 / static_cast<double>(n_rows)), lc_drift, t)
                    : lee_carter_mx(v, {}, lc_drift, t);
          }
          if (with_next) st.mortality_next.push_back(v.back());
          mx_rows.append(v.data(), v.size() - (with_next ? 1 : 0));
          if (kind == MortalityInput::person_years) (st.radix_l0.push_back(l0), st.l65.push_back(l65));
        }
    // No l(65) anywhere (Lx tables without an lx column at 65): none, and e65 is not computed.
    if (std::all_of(st.l65.begin(), st.l65.end(), [](double v) { return std::isnan(v); })) st.l65.clear();
    // Freed now when equal to the first step's (shared_steps.hpp).
    mx_rows.finish();
    if (st.mortality.size() == zone_rows && b.Z > 1) st.mortality.shrink_to_fit();  // held once: not the reserved room
    if (mx_like_first.finish())
      folded.fold_equal(steps, uz(k), &StepSchedules::mortality);
    else
      folded.fold(steps, uz(k), &StepSchedules::mortality);
    folded.fold(steps, uz(k), &StepSchedules::radix_l0);
    folded.fold(steps, uz(k), &StepSchedules::l65);
    folded.fold(steps, uz(k), &StepSchedules::mortality_next);
  }
}

}  // namespace cohortgis::scenarios::detail
