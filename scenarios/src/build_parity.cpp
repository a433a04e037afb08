// SPDX-License-Identifier: Apache-2.0
// [fertility] parity_rates and parity_base of a scenario file (scenarios/README.md "Parity"): parity-specific
// fertility rates per step and the base women by parity (a census table of children ever born, as counts or
// shares, or the register's `children`).
#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <tuple>

#include "scenario_build.hpp"
#include "schedule_time.hpp"

namespace cohortgis::scenarios::detail {

namespace {

constexpr int kParities = 4;           // 0, 1, 2, 3+
constexpr int kNoParityBelowAge = 15;  // census tables of children ever born start at 15; younger women: parity 0

int parity_of(const Doc& doc, const Rows& t, std::size_t r, const toml::node* n, const std::string& key) {
  const std::string& s = t.text(r, "parity");
  if (s == "0") return 0;
  if (s == "1") return 1;
  if (s == "2") return 2;
  if (s == "3+") return 3;
  doc.fail(n, key, t.where(r, "parity") + ": expected 0, 1, 2 or 3+ (children ever born), got " + quote_cell(s));
}

std::size_t cell(const Build& b, int zone, int group, int parity, int age) {
  return ((uz(zone) * uz(b.G) + uz(group)) * kParities + uz(parity)) * uz(b.A) + uz(age);
}

// Rates by [zone][group][parity][age] for every time key of the table.
// progression: the table holds parity progression ratios q (parity_progression), turned into rates f = q/(1 − q/2).
std::vector<std::vector<double>> read_rates(const Build& b, const toml::node* n, const std::string& key,
                                            TimedRows& timed, bool progression) {
  const Doc& doc = b.doc;
  const TableRef ref = table_ref(doc, *n, key, {"year", "period", "age", "parity", "value", "zone", "group"});
  double per_woman = 1.0;
  if (progression) {
    if (!ref.unit.empty() && ref.unit != "ratio")
      doc.fail(ref.unit_node, key + ".unit",
               "expected \"ratio\" (a probability from 0 to 1), got " + quote_cell(ref.unit));
  } else if (ref.unit == "per_1000_women" || ref.unit == "per_1000") {
    per_woman = 1e-3;
  } else if (!ref.unit.empty() && ref.unit != "per_woman") {
    doc.fail(ref.unit_node, key + ".unit", "expected \"per_woman\" or \"per_1000_women\", got " + quote_cell(ref.unit));
  }
  // Rates per woman per year, or ratios within the year: never per step.
  refuse_per(doc, ref, progression ? "probabilities of a birth within the year" : "births per woman per year");
  const Rows rows = read_rows(doc, ref, {"age", "parity", "value"}, {"age", "value"});
  timed = time_rows(b, rows, key);
  std::vector<std::vector<double>> by_key(timed.keys());
  for (std::size_t k = 0; k < timed.keys(); ++k) {
    if (!timed.used[k]) continue;
    std::vector<double>& v = by_key[k];
    v.assign(uz(b.Z * b.G * kParities * b.A), 0.0);
    std::map<std::tuple<int, int, int, int>, std::size_t> seen;
    for (std::size_t r : timed.rows[k]) {
      const int zi = b.zone_of_row(rows, r, n, key), g = b.group_of_row(rows, r, n, key);
      const int p = parity_of(doc, rows, r, n, key);
      const int age = whole_number(doc, rows, r, "age", key), i = b.age_index(age);
      double f = rows.number(r, "value") * per_woman;
      if (progression) {
        const double q = f;
        if (!(q >= 0.0 && q <= 1.0))
          doc.fail(n, key,
                   rows.where(r, "value") +
                       ": expected a parity progression ratio (the probability of a birth of the "
                       "next order within the year) from 0 to 1, got " +
                       fmt(q));
        // The women at parity p live on average 1 − q/2 of the year at it when the births are spread evenly over the
        // year: the rate is q / (1 − q/2), the q–m relation with a = 1/2 (Preston, Heuveline & Guillot 2001, §3.1).
        f = q / (1.0 - q / 2.0);
        if (f > 1.0)
          doc.fail(n, key,
                   rows.where(r, "value") + ": a progression ratio of " + fmt(q) + " is a rate of " + fmt(f) +
                       " births per woman per year; expected at most 2/3 (a rate of at most 1, which one-year steps "
                       "can follow)");
      }
      if (i < 0)
        doc.fail(n, key,
                 rows.where(r, "age") + ": age " + std::to_string(age) +
                     " is not the start of an age group of the grid (multiples of " + std::to_string(b.z) + " below " +
                     std::to_string(b.sc.grid.open_age()) + ")");
      // A woman cannot have more than one birth of the next order a year on average: a value above 1 is a rate per
      // 1000 women or a parity progression ratio of a whole life, not a rate per year.
      if (!(f >= 0.0 && f <= 1.0))
        doc.fail(
            n, key,
            rows.where(r, "value") + ": expected births per woman of parity " + kParityLabels[p] +
                " per year from 0 to 1, got " + fmt(f) +
                (ref.unit.empty() && f > 1.0 ? " (a rate per 1000 women? declare unit = \"per_1000_women\")" : ""));
      if (f > 0.0 && (i == 0 || i == b.A - 1))
        doc.fail(n, key,
                 rows.where(r, "age") + ": births at age " + std::to_string(age) +
                     "; expected fertility only between the first and the open age group");
      if (!seen.emplace(std::tuple{zi, g, p, age}, r).second)
        doc.fail(n, key, rows.where(r, "parity") + ": a second row for this zone, group, age and parity");
      for (int zz = 0; zz < b.Z; ++zz)
        for (int gg = 0; gg < b.G; ++gg)
          if ((zi < 0 || zi == zz) && (g < 0 || g == gg)) v[cell(b, zz, gg, p, i)] = f;
    }
  }
  return by_key;
}

// parity_base = "from_rates": each age's women have the parity distribution that a cohort reaches under the first
// step's rates from birth (a synthetic cohort: the past taken to have had the first step's rates), moved along the
// parities exactly as the projection moves them, h_p(i) = (f_p(i) + f_p(i+1))/2 (docs/parity.md step 3).
std::vector<double> estimate_base(const Build& b, const std::vector<double>& rates) {
  const CohortArray& P = b.sc.base_population;
  std::vector<double> out(uz(b.Z * b.G * kParities * b.A), 0.0);
  const auto h = [&](int z, int g, int p, int i) {
    const double f = rates[cell(b, z, g, p, i)];
    return (f + (i + 1 < b.A ? rates[cell(b, z, g, p, i + 1)] : f)) / 2.0;
  };
  for (int z = 0; z < b.Z; ++z)
    for (int g = 0; g < b.G; ++g) {
      double pi[kParities] = {1.0, 0.0, 0.0, 0.0};
      for (int i = 0; i < b.A; ++i) {
        for (int p = 0; p < kParities; ++p) out[cell(b, z, g, p, i)] = pi[p] * P.at(z, g, 0, i);
        double next[kParities];
        for (int p = 0; p < kParities; ++p)
          next[p] =
              pi[p] * (p < kParities - 1 ? 1.0 - h(z, g, p, i) : 1.0) + (p > 0 ? pi[p - 1] * h(z, g, p - 1, i) : 0.0);
        std::copy(next, next + kParities, pi);
      }
    }
  return out;
}

// Base women by [zone][group][parity][age] from a table of women (counts) or shares by age and parity.
// width: the years of age of a row (parity_base_age_width; 5: a census table by five-year age group of the woman,
// whose parity distribution holds for every single year of the group).
std::vector<double> read_base(const Build& b, const toml::node* n, const std::string& key, int width) {
  const Doc& doc = b.doc;
  const CohortArray& P = b.sc.base_population;
  std::vector<double> out(uz(b.Z * b.G * kParities * b.A), 0.0);
  if (n->is_string() && doc.string(*n, key) == "records") {
    if (!b.records || !b.records->has_parity)
      doc.fail(n, key, "\"records\" needs [base_population] records with a `children` column (children ever born)");
    const RecordsSummary& rs = *b.records;
    for (int z = 0; z < b.Z; ++z)
      for (int g = 0; g < b.G; ++g)
        for (int i = 0; i < b.A; ++i) {
          double known = 0.0;
          for (int p = 0; p < kParities; ++p) known += rs.parity_women[rs.parity_index(z, g, i, p)];
          const double unknown = rs.parity_women[rs.parity_index(z, g, i, kParities)];
          // Women of unknown parity take the distribution of the known ones of their cell (missing at random).
          if (unknown > 0.0 && known == 0.0 && b.sc.grid.age_start(i) >= kNoParityBelowAge)
            doc.fail(n, key,
                     "zone " + b.sc.zones[uz(z)].id + ", age " + std::to_string(b.sc.grid.age_start(i)) +
                         ": every woman of the register has an empty `children` cell; expected some known parities");
          for (int p = 0; p < kParities; ++p) {
            const double v = rs.parity_women[rs.parity_index(z, g, i, p)];
            out[cell(b, z, g, p, i)] = known > 0.0 ? v + unknown * v / known : (p == 0 ? unknown : 0.0);
          }
        }
    return out;
  }
  if (n->is_string()) {
    // A keyword misspelt ("from_rate", "Records") would otherwise be looked for as a file of that name.
    const std::string s = doc.string(*n, key);
    if (s.find('.') == std::string::npos && s.find(':') == std::string::npos)
      doc.fail(n, key,
               "expected \"from_rates\", \"records\" or a table file (e.g. \"parity_base.csv\"), got " + quote_cell(s));
  }
  TableRef ref = table_ref(doc, *n, key, {"age", "parity", "women", "share", "zone", "group"});
  if (ref.label_width > 0) ref.label_width = width;  // parity_base_age_width = 5: labels "15-19" (census tables)
  // Counts or shares of the base date: no unit to scale, nothing per step, no years to interpolate.
  refuse_unit_and_per(doc, ref, "women or shares of women at the base date");
  refuse_between(doc, ref);
  const bool shares = [&] {
    const Rows probe = read_rows(doc, ref, {"age", "parity"}, {"age"});
    if (probe.has("women") == probe.has("share"))
      doc.fail(n, key, ref.path + ": expected one column `women` (counts) or `share` (of the women of each age)");
    return probe.has("share");
  }();
  const std::string col = shares ? "share" : "women";
  const Rows rows = read_rows(doc, ref, {"age", "parity", col}, {"age", col});
  std::vector<char> given(uz(b.Z * b.G * b.A), 0);
  std::vector<std::size_t> first_row(uz(b.Z * b.G * b.A), 0);
  std::vector<int> row_age(uz(b.Z * b.G * b.A), -1);  // the first age of the row that gave the cell
  std::map<std::tuple<int, int, int, int>, std::size_t> seen;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const int zi = b.zone_of_row(rows, r, n, key), g = b.group_of_row(rows, r, n, key);
    const int p = parity_of(doc, rows, r, n, key);
    const int age = whole_number(doc, rows, r, "age", key), i = b.age_index(age);
    if (i < 0)
      doc.fail(n, key,
               rows.where(r, "age") + ": age " + std::to_string(age) + " is not the start of an age group of the grid");
    const double v = rows.number(r, col);
    if (!(v >= 0.0 && std::isfinite(v)) || (shares && v > 1.0))
      doc.fail(n, key,
               rows.where(r, col) + ": expected " + (shares ? "a share from 0 to 1" : "a count of women >= 0") +
                   ", got " + fmt(v));
    if (!seen.emplace(std::tuple{zi, g, p, age}, r).second)
      doc.fail(n, key, rows.where(r, "parity") + ": a second row for this zone, group, age and parity");
    for (int zz = 0; zz < b.Z; ++zz)
      for (int gg = 0; gg < b.G; ++gg)
        if ((zi < 0 || zi == zz) && (g < 0 || g == gg))
          for (int j = i; j < std::min(i + width, b.A); ++j) {  // the single years of the row's age group
            const std::size_t c = (uz(zz) * uz(b.G) + uz(gg)) * uz(b.A) + uz(j);
            if (given[c] && row_age[c] != age)
              doc.fail(n, key,
                       rows.where(r, "age") + ": ages " + std::to_string(age) + "-" + std::to_string(age + width - 1) +
                           " overlap the group of age " + std::to_string(row_age[c]) +
                           " (parity_base_age_width = " + std::to_string(width) +
                           "); expected the first age of every " + std::to_string(width) + "-year group once");
            if (!given[c]) first_row[c] = r;
            given[c] = 1;
            row_age[c] = age;
            out[cell(b, zz, gg, p, j)] = v;
          }
  }
  // Counts by age group: the group's women of the base population, to check the table against and to split it by.
  std::map<std::tuple<int, int, int>, double> group_women;  // (zone, group, first age of the row) → women
  if (width > 1)
    for (int z = 0; z < b.Z; ++z)
      for (int g = 0; g < b.G; ++g)
        for (int i = 0; i < b.A; ++i)
          if (const int a = row_age[(uz(z) * uz(b.G) + uz(g)) * uz(b.A) + uz(i)]; a >= 0)
            group_women[{z, g, a}] += P.at(z, g, 0, i);
  for (int z = 0; z < b.Z; ++z)
    for (int g = 0; g < b.G; ++g)
      for (int i = 0; i < b.A; ++i) {
        const std::size_t c = (uz(z) * uz(b.G) + uz(g)) * uz(b.A) + uz(i);
        const double women = P.at(z, g, 0, i);
        const int age = b.sc.grid.age_start(i);
        const std::string cell_name = "zone " + b.sc.zones[uz(z)].id +
                                      (b.G > 1 ? ", group " + b.sc.group_names[uz(g)] : "") + ", age " +
                                      std::to_string(age);
        if (!given[c]) {
          if (age >= kNoParityBelowAge && women > 0.0)
            doc.fail(n, key,
                     ref.path + ": no rows for " + cell_name + "; expected women by parity at every age from " +
                         std::to_string(kNoParityBelowAge));
          out[cell(b, z, g, 0, i)] = women;  // girls: parity 0
          continue;
        }
        double sum = 0.0;
        for (int p = 0; p < kParities; ++p) sum += out[cell(b, z, g, p, i)];
        if (shares) {
          if (std::abs(sum - 1.0) > 1e-6)
            doc.fail(n, key,
                     rows.where(first_row[c], col) + ": the shares of " + cell_name + " sum to " + fmt(sum) +
                         "; expected 1");
          for (int p = 0; p < kParities; ++p) out[cell(b, z, g, p, i)] *= women / sum;
        } else if (width > 1) {
          // Σ_p W_p(group) = the group's women; each single year a gets W(a) · W_p(group) / Σ_p W_p(group).
          const double in_group = group_women.at({z, g, row_age[c]});
          if (std::abs(sum - in_group) > 1e-6 * std::max(1.0, in_group))
            doc.fail(n, key,
                     rows.where(first_row[c], col) + ": women by parity of zone " + b.sc.zones[uz(z)].id +
                         (b.G > 1 ? ", group " + b.sc.group_names[uz(g)] : "") + ", ages " +
                         std::to_string(row_age[c]) + "-" + std::to_string(row_age[c] + width - 1) + " sum to " +
                         fmt(sum) + "; expected the women of the base population, " + fmt(in_group));
          for (int p = 0; p < kParities; ++p) out[cell(b, z, g, p, i)] *= sum > 0.0 ? women / sum : 0.0;
        } else if (std::abs(sum - women) > 1e-6 * std::max(1.0, women)) {
          doc.fail(n, key,
                   rows.where(first_row[c], col) + ": women by parity of " + cell_name + " sum to " + fmt(sum) +
                       "; expected the women of the base population, " + fmt(women));
        }
      }
  return out;
}

}  // namespace

void build_parity(const Build& b, const Layer& L) {
  // parity_rates or parity_progression: a variant's key replaces the baseline's, whichever of the two it names.
  auto [rn, rkey] = L.get("fertility", "parity_rates");
  auto [qn, qkey] = L.get("fertility", "parity_progression");
  if (rn && qn) {
    const bool r_over = rkey.rfind("fertility.", 0) != 0, q_over = qkey.rfind("fertility.", 0) != 0;
    if (r_over == q_over) b.doc.fail(qn, qkey, "parity_rates and parity_progression; expected one of them");
    if (q_over)
      rn = nullptr;
    else
      qn = nullptr;
  }
  const bool progression = qn != nullptr;
  if (progression) {
    rn = qn;
    rkey = qkey;
  }
  auto [bn, bkey] = L.get("fertility", "parity_base");
  if (!rn) {
    if (bn) b.doc.fail(bn, bkey, "parity_base without parity_rates; expected both (or neither)");
    if (auto [wn, wkey] = L.get("fertility", "parity_base_age_width"); wn)
      b.doc.fail(wn, wkey, "parity_base_age_width without parity_rates; expected it with a parity_base table");
    if (auto [sn, skey] = L.get("fertility", "srb_by_order"); sn)
      b.doc.fail(sn, skey, "srb_by_order without parity_rates; expected births by order (parity_rates) or srb");
    return;
  }
  if (!bn) b.doc.fail(rn, rkey, "parity rates without parity_base; expected the base women by parity too");
  if (b.z != 1)
    b.doc.fail(rn, rkey,
               "parity needs one-year steps (projection.step = 1): on five-year steps women have births of "
               "successive orders within a step, which the parity states do not follow");
  auto in = std::make_shared<ParityInputs>();
  TimedRows timed;
  const std::vector<std::vector<double>> by_key = read_rates(b, rn, rkey, timed, progression);
  for (int k = 0; k < b.steps; ++k) in->rates_by_step.push_back(mix_step(by_key, timed.steps[uz(k)]));
  // parity_base_age_width = 5: the table's rows are five-year age groups of the woman (census tables).
  int width = 1;
  if (auto [wn, wkey] = L.get("fertility", "parity_base_age_width"); wn) {
    width = b.doc.integer(*wn, wkey, 1, 5);
    if (width != 1 && width != 5) b.doc.fail(wn, wkey, "expected 1 or 5 (years of age of a row of parity_base)");
    if (bn->is_string())
      b.doc.fail(wn, wkey, "applies to a parity_base table only; expected it without \"from_rates\" or \"records\"");
  }
  if (bn->is_string() && b.doc.string(*bn, bkey) == "from_rates")
    in->women_by_parity = estimate_base(b, in->rates_by_step.at(0));
  else
    in->women_by_parity = read_base(b, bn, bkey, width);
  if (auto [sn, skey] = L.get("fertility", "srb_by_order"); sn) {
    const toml::table& t = b.doc.table(*sn, skey);
    b.doc.allow(t, skey, {"1", "2", "3+"});
    const char* orders[] = {"1", "2", "3+"};
    for (std::size_t k = 0; k < 3; ++k) {
      const toml::node* v = t.get(orders[k]);
      if (!v) b.doc.fail(sn, skey + "." + orders[k], "missing; expected boys per 100 girls of this birth order");
      // Third births in some Chinese provinces were above 150 in 2010 (census); 90–200 keeps typos out.
      in->srb_by_order[k] = b.doc.number(*v, skey + "." + orders[k], 90.0, 200.0, "boys per 100 girls") / 100.0;
    }
  }
  b.sc.parity = std::move(in);
}

}  // namespace cohortgis::scenarios::detail
