// SPDX-License-Identifier: Apache-2.0
// The UN's World Population Prospects 2022 CSV files as published (scenarios/README.md "The UN's WPP 2022 files"):
// a table reference with `wpp = { location, variant }` selects one location and variant, names the roles after the
// UN's columns (Time, AgeGrpStart, Sex, mx, ASFR, PopFemale …) and declares their unit, so builders read them like
// any other table.
#include <algorithm>
#include <array>

#include "toml_doc.hpp"

namespace cohortgis::scenarios::detail {

namespace {

// Which value columns each scenario key reads from a WPP file, and their unit. The key is matched on its last two
// parts, so a variant's override (variants[1].mortality.mx) reads the same columns.
struct WppKey {
  std::string_view key;
  std::vector<std::string> values;
  std::string_view unit;
  bool wide = false;    // PopFemale and PopMale in one row
  bool by_sex = true;   // a Sex column (Female, Male, Total); fertility files have none
};
const std::vector<WppKey>& wpp_keys() {
  static const std::vector<WppKey> k = {
      {"mortality.mx", {"mx"}, "", false},
      {"mortality.qx", {"qx"}, "", false},
      {"mortality.lx", {"lx"}, "", false},
      {"mortality.Lx", {"Lx"}, "", false},
      {"mortality.Sx", {"Sx"}, "", false},
      {"mortality.life_table", {"mx", "qx", "px", "lx", "dx", "Lx", "Sx", "Tx", "ex", "ax"}, "", false},
      {"fertility.schedule", {"ASFR"}, "per_1000_women", false, false},
      {"base_population.table", {"PopFemale", "PopMale"}, "thousands", true, false},
  };
  return k;
}

std::string last_two_parts(const std::string& key) {
  const std::size_t p = key.rfind('.');
  if (p == std::string::npos || p == 0) return key;
  const std::size_t q = key.rfind('.', p - 1);
  return q == std::string::npos ? key : key.substr(q + 1);
}

// Synthetic columns of a wide (population) file; never names of the UN's columns.
const std::string kWideSex = "(sex of PopFemale/PopMale)";
const std::string kWidePop = "(PopFemale/PopMale)";

}  // namespace

void read_wpp_option(const Doc& doc, const toml::node& n, TableRef& ref) {
  const std::string wkey = ref.key + ".wpp";
  const toml::table& t = doc.table(n, wkey);
  doc.allow(t, wkey, {"location", "variant"});
  ref.wpp.on = true;
  ref.wpp.node = &n;
  const toml::node* l = t.get("location");
  if (!l) doc.fail(&n, wkey, "expected a 'location': an ISO3 code (\"CHN\"), a LocID (156) or a Location name (\"China\")");
  if (l->is_integer()) ref.wpp.location = std::to_string(l->as_integer()->get());
  else ref.wpp.location = doc.string(*l, wkey + ".location");
  ref.wpp.variant = "Medium";  // the UN's estimates files are labelled Medium too
  if (const toml::node* v = t.get("variant")) ref.wpp.variant = doc.string(*v, wkey + ".variant");

  const std::string k = last_two_parts(ref.key);
  const auto& keys = wpp_keys();
  auto it = std::find_if(keys.begin(), keys.end(), [&](const WppKey& w) { return w.key == k; });
  if (it == keys.end()) {
    std::string list;
    for (const auto& w : keys) list += (list.empty() ? "" : ", ") + std::string(w.key);
    doc.fail(&n, wkey, "the UN's WPP files can be read for " + list + "; not for " + ref.key);
  }
  ref.wpp.value_columns = it->values;
  ref.wpp.wide = it->wide;
  ref.wpp.by_sex = it->by_sex;
  // The scenario's own `columns` win (e.g. zone = "Location").
  ref.columns.emplace("year", "Time");
  ref.columns.emplace("age", "AgeGrpStart");
  ref.columns.emplace("age_span", "AgeGrpSpan");
  if (it->wide) {
    // Base population rows name their zone; a national schedule must not (a zone column ties it to a zone id).
    ref.columns.emplace("zone", "ISO3_code");
    ref.columns["sex"] = kWideSex;
    ref.columns["population"] = kWidePop;
  } else if (it->by_sex) {
    ref.columns.emplace("sex", "Sex");
  }
  if (it->values.size() == 1) ref.columns.emplace("value", it->values[0]);
  else if (!it->wide)
    for (const auto& v : it->values) ref.columns.emplace(v, v);
  if (!it->unit.empty()) {
    if (!ref.unit.empty() && ref.unit != it->unit)
      doc.fail(ref.unit_node, ref.key + ".unit",
               "the WPP file's " + it->values[0] + " is in " + std::string(it->unit) + "; got unit = \"" + ref.unit + "\"");
    ref.unit = std::string(it->unit);
  }
}

std::vector<std::string> wpp_columns(const TableRef& ref) {
  std::vector<std::string> c = {"LocID", "ISO3_code", "Location", "Variant", "Time", "AgeGrpStart", "AgeGrpSpan"};
  if (ref.wpp.by_sex) c.push_back("Sex");
  c.insert(c.end(), ref.wpp.value_columns.begin(), ref.wpp.value_columns.end());
  return c;
}

bool WppScan::keep(const TableRef& ref, const geodata::Table& t, std::size_t row) {
  const std::string& loc = ref.wpp.location;
  const std::string& iso3 = t.text(row, "ISO3_code");
  const std::string& id = t.text(row, "LocID");
  const std::string& name = t.text(row, "Location");
  if (iso3 != loc && id != loc && name != loc) {
    if (locations.size() < 8) {
      const std::string label = name + " (" + (iso3.empty() ? "" : iso3 + ", ") + "LocID " + id + ")";
      if (std::find(locations.begin(), locations.end(), label) == locations.end()) locations.push_back(label);
    }
    return false;
  }
  location_found = true;
  const std::string& variant = t.text(row, "Variant");
  if (variant != ref.wpp.variant) {
    if (variants.size() < 12 && std::find(variants.begin(), variants.end(), variant) == variants.end())
      variants.push_back(variant);
    return false;
  }
  variant_found = true;
  return !ref.wpp.by_sex || t.text(row, "Sex") != "Total";  // both sexes together: not a schedule of one sex
}

void WppScan::fail_none(const Doc& doc, const TableRef& ref) const {
  const std::string wkey = ref.key + ".wpp";
  const toml::table* t = ref.wpp.node ? ref.wpp.node->as_table() : nullptr;
  if (!location_found) {
    std::string list;
    for (const auto& l : locations) list += (list.empty() ? "" : "; ") + l;
    doc.fail(t && t->get("location") ? t->get("location") : ref.wpp.node, wkey + ".location",
             ref.path + " has no rows for location \"" + ref.wpp.location +
                 "\" (matched against ISO3_code, LocID and Location); locations in the file include: " + list);
  }
  if (!variant_found) {
    std::string list;
    for (const auto& v : variants) list += (list.empty() ? "" : ", ") + v;
    doc.fail(t && t->get("variant") ? t->get("variant") : ref.wpp.node, wkey + ".variant",
             ref.path + " has no rows of variant \"" + ref.wpp.variant + "\" for location \"" + ref.wpp.location +
                 "\"; variants there: " + list);
  }
}

void wpp_wide_part(const TableRef& ref, geodata::Table& t, std::size_t row, int part) {
  const std::string& sex_col = ref.column("sex");
  const std::string& pop_col = ref.column("population");
  if (!t.has_column(sex_col)) {
    t.columns.push_back(sex_col);
    t.columns.push_back(pop_col);
    for (auto& r : t.rows) r.resize(t.columns.size());
  }
  const std::string value = t.text(row, part == 0 ? "PopFemale" : "PopMale");
  t.rows[row][t.column(pop_col)] = value;
  t.rows[row][t.column(sex_col)] = part == 0 ? "female" : "male";
}

}  // namespace cohortgis::scenarios::detail
