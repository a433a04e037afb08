// SPDX-License-Identifier: Apache-2.0
// indicators.csv kept in memory for the run's own report (written_indicators.hpp).
#include "written_indicators.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <system_error>

namespace cohortgis::app {

namespace fs = std::filesystem;

void WrittenIndicators::add(const std::string& variant, int year, const IndicatorTable& t, bool stocks_only) {
  const std::size_t cells = t.unit_names.size() * t.group_names.size();
  std::vector<std::size_t> ks;  // the indicators written, in the table's order
  for (std::size_t k = 0; k < t.n_indicators(); ++k)
    if (!stocks_only || is_stock_indicator(k)) ks.push_back(k);
  const std::size_t n = cells * ks.size();
  rows_ += n;
  if (!decided_) {  // by the first table (the base year): every table as large as a full one
    decided_ = true;
    keep_ = cells * t.n_indicators() * expected_tables_ <= max_values_;
  }
  if (!keep_) return;
  if (values_ + n > max_values_) {  // more than the run said it would write
    release();
    return;
  }
  values_ += n;
  Table tab;
  tab.variant = variant;
  tab.year = year;
  const Names* last = tables_.empty() ? nullptr : tables_.back().names.get();
  if (last && last->units == t.unit_names && last->groups == t.group_names && last->indicators.size() == ks.size() &&
      std::equal(ks.begin(), ks.end(), last->indicators.begin(),
                 [&](std::size_t k, const std::string& name) { return t.indicator_names[k] == name; })) {
    tab.names = tables_.back().names;
  } else {
    auto names = std::make_shared<Names>();
    names->units = t.unit_names;
    names->groups = t.group_names;
    for (std::size_t k : ks) names->indicators.push_back(t.indicator_names[k]);
    tab.names = std::move(names);
  }
  tab.values.reserve(n);
  for (std::size_t c = 0; c < cells; ++c)
    for (std::size_t k : ks) {
      const double v = t.values[c * t.n_indicators() + k];
      // What the file's text reads back as: append_number writes nothing for a value that is not finite (read as NaN)
      // and "0" for -0.
      tab.values.push_back(!std::isfinite(v) ? std::nan("") : v == 0.0 ? 0.0 : v);
    }
  tables_.push_back(std::move(tab));
}

bool WrittenIndicators::describes(const fs::path& path) const {
  if (!closed_) return false;
  std::error_code ec;
  if (!fs::equivalent(path, path_, ec) || ec) return false;
  const std::uintmax_t size = fs::file_size(path, ec);
  return !ec && size == bytes_;
}

bool take_written_indicators(Results& r, WrittenIndicators& written, const fs::path& path) {
  if (!written.kept() || !written.describes(path)) return false;
  Results::IndicatorKeys keys[4];  // variant, unit, group, indicator: ids in the order the file's rows name them
  std::set<int> years;
  std::size_t total = 0;
  for (const auto& tab : written.tables()) total += tab.values.size();
  std::vector<std::pair<std::uint64_t, double>> values;
  values.reserve(total);
  const WrittenIndicators::Names* names = nullptr;
  std::vector<std::uint32_t> units, groups, inds;
  std::vector<std::size_t> order;  // a block's indicators by id (the order sorting by key gives; stable)
  for (auto& tab : written.tables()) {
    if (!detail::indicator_year_fits(tab.year)) {  // the file's reader says why
      written.release();
      return false;
    }
    const std::uint32_t v = keys[0].intern(tab.variant);
    if (tab.names.get() != names) {
      names = tab.names.get();
      units.clear(), groups.clear(), inds.clear();
      for (const auto& u : names->units) units.push_back(keys[1].intern(u));
      for (const auto& g : names->groups) groups.push_back(keys[2].intern(g));
      for (const auto& k : names->indicators) inds.push_back(keys[3].intern(k));
      order.resize(inds.size());
      std::iota(order.begin(), order.end(), std::size_t{0});
      std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return inds[a] < inds[b]; });
    }
    years.insert(tab.year);
    const double* x = tab.values.data();
    for (std::uint32_t u : units)
      for (std::uint32_t g : groups) {
        for (std::size_t j : order) values.emplace_back(detail::indicator_key(v, tab.year, u, g, inds[j]), x[j]);
        x += inds.size();
      }
    tab.values = {};  // freed as they are taken
  }
  written.release();
  if (!detail::indicator_ids_fit(keys[0].names.size(), keys[1].names.size(), keys[2].names.size(),
                                 keys[3].names.size()))
    return false;
  detail::set_indicators(r, keys, std::move(values), years);
  return true;
}

}  // namespace cohortgis::app
