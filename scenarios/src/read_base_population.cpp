// SPDX-License-Identifier: Apache-2.0
// [base_population] of a scenario file, and the age–sex profiles that spread counts over cells.
#include "scenario_build.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

#include "cohortgis/engine/migration_models.hpp"
#include "cohortgis/scenarios/sources.hpp"

namespace cohortgis::scenarios::detail {

namespace fs = std::filesystem;

// ---- base population -------------------------------------------------------------------------------------------

void read_base_population(const Doc& doc, const toml::table& root, Build& b) {
  Scenario& sc = b.sc;
  const toml::node* bn = root.get("base_population");
  if (!bn) doc.fail(&root, "base_population", "missing; expected [base_population] with a table");
  const toml::table& t = doc.table(*bn, "base_population");
  doc.allow(t, "base_population", {"table", "format", "split", "rows"});
  sc.base_population = CohortArray(CohortLayout{b.Z, b.G, sc.grid});
  std::string format = "long";
  if (const toml::node* f = t.get("format")) {
    format = doc.string(*f, "base_population.format");
    if (format != "long" && format != "census_long")
      doc.fail(f, "base_population.format", "expected \"long\" (zone, group, sex, age, population) or \"census_long\" "
                                           "(code, indicator, value with pop_f_<age>/pop_m_<age>), got \"" + format + "\"");
  }
  if (format == "census_long") {
    // The project's long census format (data/census/DATA.md): five-year cells by sex per district.
    const toml::node* tn = t.get("table");
    if (!tn) doc.fail(bn, "base_population.table", "missing");
    const TableRef ref = table_ref(doc, *tn, "base_population.table", {});
    (void)read_rows(doc, ref, {"code", "indicator", "value"}, {});  // checks the file and records it as an input
    std::vector<CensusDistrict> districts;
    try {
      districts = read_census_districts(ref.path, "");
    } catch (const InputError& e) {
      doc.fail(tn, "base_population.table", e.what());
    }
    std::map<std::string, const CensusDistrict*> by_code;
    for (const auto& d : districts) by_code[d.code] = &d;
    if (b.z != 5) doc.fail(tn, "base_population.format", "census_long needs projection.step = 5 (five-year census cells)");
    // Optional split into two groups by census indicators, applied evenly to every age and sex.
    int split_group = -1;
    std::vector<std::string> split_ind;
    std::string of = "pop_resident";
    double split_total = kNaN;
    const toml::node* sn = t.get("split");
    if (sn) {
      const toml::table& s = doc.table(*sn, "base_population.split");
      doc.allow(s, "base_population.split", {"group", "indicators", "of", "total"});
      if (!s.get("group") || !s.get("indicators")) doc.fail(sn, "base_population.split", "expected 'group' and 'indicators'");
      if (b.G != 2) doc.fail(sn, "base_population.split", "a split needs exactly two groups in projection.groups");
      split_group = b.group(*s.get("group"), "base_population.split.group");
      split_ind = doc.strings(*s.get("indicators"), "base_population.split.indicators");
      if (s.get("of")) of = doc.string(*s.get("of"), "base_population.split.of");
      if (s.get("total")) split_total = doc.number(*s.get("total"), "base_population.split.total", 0, 1e10, "persons");
    } else if (b.G != 1) {
      doc.fail(bn, "base_population.split", "missing; census_long with several groups needs a split");
    }
    std::vector<double> share(uz(b.Z), 0.0), resident(uz(b.Z), 0.0);
    std::vector<std::vector<double>> cells(uz(b.Z));
    for (int zi = 0; zi < b.Z; ++zi) {
      const std::string& id = sc.zones[uz(zi)].id;
      auto it = by_code.find(id);
      if (it == by_code.end())
        doc.fail(tn, "base_population.table", ref.path + ": no rows for zone \"" + id + "\"");
      try {
        cells[uz(zi)] = census_population_by_sex_age(*it->second, sc.grid, ref.path);
        if (split_group >= 0) {
          double part = 0.0;
          for (const auto& ind : split_ind) part += it->second->at(ind, ref.path);
          resident[uz(zi)] = it->second->at(of, ref.path);
          share[uz(zi)] = resident[uz(zi)] > 0 ? part / resident[uz(zi)] : 0.0;
        }
      } catch (const InputError& e) {
        doc.fail(tn, "base_population.table", e.what());
      }
    }
    if (split_group >= 0 && std::isfinite(split_total)) {
      double now = 0.0;
      for (int zi = 0; zi < b.Z; ++zi) now += share[uz(zi)] * resident[uz(zi)];
      for (double& s : share) s *= now > 0 ? split_total / now : 0.0;
    }
    for (int zi = 0; zi < b.Z; ++zi) {
      if (!(share[uz(zi)] >= 0.0 && share[uz(zi)] <= 1.0))
        doc.fail(sn, "base_population.split", "zone " + sc.zones[uz(zi)].id + ": the split share is " +
                                                  fmt(share[uz(zi)]) + "; expected 0 to 1");
      for (int s = 0; s < 2; ++s)
        for (int i = 0; i < b.A; ++i) {
          const double persons = cells[uz(zi)][uz(s) * uz(b.A) + uz(i)];
          if (split_group < 0) {
            sc.base_population.at(zi, 0, s, i) = persons;
          } else {
            const double part = persons * share[uz(zi)];
            sc.base_population.at(zi, split_group, s, i) = part;
            sc.base_population.at(zi, 1 - split_group, s, i) = persons - part;  // the cell's sum stays the census count
          }
        }
    }
    return;
  }
  if (t.get("split")) doc.fail(t.get("split"), "base_population.split", "only with format = \"census_long\"");
  const toml::node* tn = t.get("table");
  if (!tn) doc.fail(bn, "base_population.table", "missing; expected a table of zone, group, sex, age, population");
  const TableRef ref = table_ref(doc, *tn, "base_population.table", {"zone", "group", "sex", "age", "population"});
  std::vector<std::string> req = {"zone", "sex", "age", "population"};
  if (b.G > 1) req.push_back("group");
  std::vector<char> seen(sc.base_population.data().size(), 0);
  const std::string key = "base_population.table";
  // Streamed: a township-level base table can be hundreds of MB; only one row is held at a time.
  stream_rows(doc, ref, req, {"age", "population"}, [&](const Rows& rows) {
    const std::size_t r = 0;
    auto zi = b.zone_index.find(rows.text(r, "zone"));
    if (zi == b.zone_index.end())
      doc.fail(tn, key, rows.where(r, "zone") + ": expected a zone id of the geography, got \"" + rows.text(r, "zone") + "\"");
    int g = 0;
    if (b.G > 1) {
      auto gi = b.group_index.find(rows.text(r, "group"));
      if (gi == b.group_index.end())
        doc.fail(tn, key, rows.where(r, "group") + ": expected a group of projection.groups, got \"" + rows.text(r, "group") + "\"");
      g = gi->second;
    }
    const int s = sex_of(doc, rows, r, key);
    const int age = whole_number(doc, rows, r, "age", key);
    const int i = b.age_index(age);
    if (i < 0) doc.fail(tn, key, rows.where(r, "age") + ": age " + std::to_string(age) + " is not the start of an age group of the grid");
    const double p = rows.number(r, "population");
    if (!(p >= 0.0)) doc.fail(tn, key, rows.where(r, "population") + ": expected persons >= 0, got " + fmt(p));
    const std::size_t cell = sc.base_population.layout().index(zi->second, g, s, i);
    if (seen[cell]++) doc.fail(tn, key, rows.where(r, "age") + ": a second row for this zone, group, sex and age");
    sc.base_population.data()[cell] = p;
  });
  // A zone with no row at all is a forgotten zone, not an empty one (a zone that really is empty gets rows of 0).
  std::vector<std::string> no_rows;
  for (int zi = 0; zi < b.Z; ++zi) {
    bool any = false;
    for (int g = 0; g < b.G && !any; ++g)
      for (int s = 0; s < 2 && !any; ++s)
        for (int i = 0; i < b.A && !any; ++i) any = seen[sc.base_population.layout().index(zi, g, s, i)] != 0;
    if (!any) no_rows.push_back(sc.zones[uz(zi)].id);
  }
  if (!no_rows.empty()) {
    std::string list;
    for (const auto& id : no_rows) list += (list.empty() ? "" : ", ") + id;
    doc.fail(tn, key, ref.path + ": no rows for zone" + (no_rows.size() > 1 ? "s " : " ") + list +
                          "; expected the base population of every zone of the geography (rows of 0 for an empty zone)");
  }
}

// ---- age profiles ---------------------------------------------------------------------------------------------

// Shares [sex][age] summing to 1 for counts spread over age and sex. "rogers-castro" (engine defaults), or
// { rogers_castro = { a1 = …, … } }, or a table (sex, age, share). Empty result: "population" (by the start
// population, decided per step).
std::vector<double> profile_shares(const Build& b, const toml::node* n, const std::string& key, double female_share) {
  const std::size_t A = uz(b.A);
  std::vector<double> out(2 * A, 0.0);
  auto rc = [&](const RogersCastro& params) {
    const std::vector<double> s = rogers_castro_age_shares(b.sc.grid, params);
    for (std::size_t i = 0; i < A; ++i) {
      out[i] = female_share * s[i];
      out[A + i] = (1.0 - female_share) * s[i];
    }
  };
  if (!n) {
    rc({});
    return out;
  }
  if (n->is_string()) {
    const std::string v = n->as_string()->get();
    if (v == "rogers-castro") { rc({}); return out; }
    if (v == "population") return {};
    if (v == "uniform") {
      for (std::size_t i = 0; i < A; ++i) {
        out[i] = female_share / static_cast<double>(A);
        out[A + i] = (1.0 - female_share) / static_cast<double>(A);
      }
      return out;
    }
  }
  if (n->is_table() && n->as_table()->get("rogers_castro")) {
    const toml::table& t = *n->as_table();
    b.doc.allow(t, key, {"rogers_castro"});
    const toml::table& p = b.doc.table(*t.get("rogers_castro"), key + ".rogers_castro");
    b.doc.allow(p, key + ".rogers_castro", {"a1", "alpha1", "a2", "alpha2", "mu2", "lambda2", "c"});
    RogersCastro params;
    auto get = [&](const char* k, double& v, double lo, double hi) {
      if (const toml::node* x = p.get(k)) v = b.doc.number(*x, key + ".rogers_castro." + k, lo, hi);
    };
    get("a1", params.a1, 0, 10); get("alpha1", params.alpha1, 0, 5); get("a2", params.a2, 0, 10);
    get("alpha2", params.alpha2, 0, 5); get("mu2", params.mu2, 0, 100); get("lambda2", params.lambda2, 0, 5);
    get("c", params.c, 0, 10);
    rc(params);
    return out;
  }
  if (n->is_string() && n->as_string()->get().find('.') == std::string::npos && n->as_string()->get().find('/') == std::string::npos)
    b.doc.fail(n, key, "expected \"rogers-castro\", \"uniform\", \"population\", { rogers_castro = {…} } or a table "
                       "(sex, age, share), got " + describe(*n));
  const TableRef ref = table_ref(b.doc, *n, key, {"sex", "age", "share"});
  const Rows rows = read_rows(b.doc, ref, {"sex", "age", "share"}, {"age", "share"});
  double sum = 0.0;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const int s = sex_of(b.doc, rows, r, key);
    const int i = b.age_index(whole_number(b.doc, rows, r, "age", key));
    if (i < 0) b.doc.fail(n, key, rows.where(r, "age") + ": not the start of an age group of the grid");
    const double v = rows.number(r, "share");
    if (!(v >= 0)) b.doc.fail(n, key, rows.where(r, "share") + ": expected a share >= 0");
    out[uz(s) * A + uz(i)] += v;
    sum += v;
  }
  if (!(sum > 0)) b.doc.fail(n, key, "the profile sums to 0");
  for (double& v : out) v /= sum;
  return out;
}

// Persons of a zone's group at [sex][age] for a "population" profile: shares of the start population.
std::vector<double> population_shares(const CohortArray& pop, int zone, int group) {
  const std::size_t A = uz(pop.layout().grid.n_ages);
  std::vector<double> out(2 * A, 0.0);
  double sum = 0.0;
  for (int s = 0; s < 2; ++s)
    for (std::size_t i = 0; i < A; ++i) sum += (out[uz(s) * A + i] = pop.at(zone, group, s, static_cast<int>(i)));
  for (double& v : out) v = sum > 0 ? v / sum : 0.0;
  return out;
}

int years_in_step(int first, int last, int step_first, int step_last) {
  return std::max(0, std::min(last, step_last) - std::max(first, step_first) + 1);
}

}  // namespace cohortgis::scenarios::detail
