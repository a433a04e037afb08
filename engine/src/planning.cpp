// SPDX-License-Identifier: Apache-2.0
// Control totals and capacity at the end of a step (planning.hpp has the methods and their sources).
#include "cohortgis/engine/planning.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <numeric>

#include "cohortgis/engine/fitting.hpp"
#include "cohortgis/engine/group_households.hpp"
#include "cohortgis/engine/projection.hpp"
#include "engine_support.hpp"

namespace cohortgis {

using detail::fmt;

namespace {

// `text` after the row that gave the control or cap ("file, layer …, data row N …: text"), as the scenario reader's
// errors read; `text` alone for a spec built without a file.
std::string from_source(const std::string& source, const std::string& text) {
  return source.empty() ? text : source + ": " + text;
}

std::string control_where(const ControlTotal& c) {
  return from_source(c.source, "control '" + c.name + "' " + std::to_string(c.year));
}

double set_total(const CohortArray& P, const std::vector<int>& zones) {
  double s = 0.0;
  for (int z : zones) s += P.sum_zone(z);
  return s;
}

// Σ over the set's zones and groups of one (sex, age) cell.
double set_cell(const CohortArray& P, const std::vector<int>& zones, int sex, int age) {
  double s = 0.0;
  for (int z : zones)
    for (int g = 0; g < P.layout().groups; ++g) s += P.at(z, g, sex, age);
  return s;
}

double control_target(const ControlTotal& c) {
  if (c.by_sex_age.empty()) return c.total;
  double s = 0.0;
  for (double v : c.by_sex_age) s += v;
  return s;
}

// The targets that the free zones of a control (those not fixed by a smaller control inside it) must meet: the
// control's target less what the fixed zones already hold, overall or per (sex, age) cell.
std::vector<double> free_targets(const ControlTotal& c, const CohortArray& P, const std::vector<int>& fixed_zones) {
  const int A = P.layout().grid.n_ages;
  std::vector<double> t;
  if (c.by_sex_age.empty()) {
    t.push_back(c.total - set_total(P, fixed_zones));
  } else {
    for (int s = 0; s < 2; ++s)
      for (int i = 0; i < A; ++i) t.push_back(c.by_sex_age[uz(s * A + i)] - set_cell(P, fixed_zones, s, i));
  }
  for (double& v : t) {
    if (v < 0.0 && v > -kMetTolerance * std::max(1.0, control_target(c))) v = 0.0;  // rounding of an exact fit
    if (v < 0.0)
      throw InputError(control_where(c) +
                       ": the controls of zone sets inside it "
                       "already hold more than its target; expected the targets of the parts to add up to at most "
                       "the target of the whole");
  }
  return t;
}

std::string cell_name(const AgeGrid& grid, int s, int i) {
  return std::string(sex_name(static_cast<Sex>(s))) + " age " + std::to_string(grid.age_start(i));
}

void control_proportional(const ControlTotal& c, const std::vector<int>& zones, const std::vector<double>& target,
                          CohortArray& P) {
  const CohortLayout& L = P.layout();
  const int A = L.grid.n_ages;
  const std::string where = control_where(c);
  if (target.size() == 1) {
    const double tentative = set_total(P, zones);
    if (tentative <= 0.0 && target[0] > 0.0)
      throw InputError(where + ": " + fmt(target[0]) + " persons to place but its zones hold nobody to scale");
    const double k = tentative > 0.0 ? target[0] / tentative : 0.0;
    for (int z : zones)
      for (int g = 0; g < L.groups; ++g)
        for (int s = 0; s < 2; ++s)
          for (double& v : P.ages(z, g, s)) v *= k;
    return;
  }
  for (int s = 0; s < 2; ++s)
    for (int i = 0; i < A; ++i) {
      const double t = target[uz(s * A + i)];
      const double tentative = set_cell(P, zones, s, i);
      if (tentative <= 0.0 && t > 0.0)
        throw InputError(where + ": " + fmt(t) + " persons to place at " + cell_name(L.grid, s, i) +
                         " but its zones hold nobody of that sex and age to scale");
      const double k = tentative > 0.0 ? t / tentative : 0.0;
      for (int z : zones)
        for (int g = 0; g < L.groups; ++g) P.at(z, g, s, i) *= k;
    }
}

int control_ipf(const ControlTotal& c, const std::vector<int>& zones, const std::vector<double>& target,
                CohortArray& P) {
  const CohortLayout& L = P.layout();
  const int A = L.grid.n_ages, G = L.groups;
  const std::size_t per_zone = uz(G) * kSexes * uz(A);
  std::vector<double> seed;
  seed.reserve(zones.size() * per_zone);
  for (int z : zones)
    for (int g = 0; g < G; ++g)
      for (int s = 0; s < 2; ++s)
        for (double v : P.ages(z, g, s)) seed.push_back(v);
  const double tentative = set_total(P, zones);
  const double target_total = std::accumulate(target.begin(), target.end(), 0.0);
  FitMargin zone_m{"zones' tentative shares of control '" + c.name + "'", {}, {}, {}};
  FitMargin age_m{"control '" + c.name + "' " + std::to_string(c.year) + " by sex and age", {}, {}, {}};
  zone_m.bucket.resize(seed.size());
  age_m.bucket.resize(seed.size());
  for (std::size_t k = 0; k < zones.size(); ++k) {
    zone_m.target.push_back(tentative > 0.0 ? P.sum_zone(zones[k]) * (target_total / tentative) : 0.0);
    zone_m.label.push_back("zone index " + std::to_string(zones[k]));
    for (std::size_t j = 0; j < per_zone; ++j) {
      zone_m.bucket[k * per_zone + j] = static_cast<int>(k);
      age_m.bucket[k * per_zone + j] = static_cast<int>(j % (kSexes * uz(A)));
    }
  }
  age_m.target = target;
  for (int s = 0; s < 2; ++s)
    for (int i = 0; i < A; ++i) age_m.label.push_back(cell_name(L.grid, s, i));
  FitOptions opt;
  opt.tolerance = 1e-12;
  FitResult r;
  try {
    r = fit_proportional(std::move(seed), {age_m, zone_m}, opt);
  } catch (const InputError& e) {
    throw InputError(control_where(c) + ": " + e.what());
  }
  std::size_t at = 0;
  for (int z : zones)
    for (int g = 0; g < G; ++g)
      for (int s = 0; s < 2; ++s)
        for (double& v : P.ages(z, g, s)) v = r.cells[at++];
  return r.iterations;
}

// Persons a zone may hold now: its population cap, or (dwellings) the population whose households fit the
// dwellings at the zone's present age structure: P × dwellings / households (households are linear in P).
double zone_ceiling(const CapacityLimit& c, const CohortArray& P, const HeadshipRates* h) {
  double ceiling = c.max_population >= 0.0 ? c.max_population : std::numeric_limits<double>::infinity();
  if (c.dwellings >= 0.0 && h) {
    const double households = zone_households(P, *h, c.zone);
    if (households > 0.0) ceiling = std::min(ceiling, P.sum_zone(c.zone) * c.dwellings / households);
  }
  return ceiling;
}

// The rows of binding caps an error names (a city of thousands of capped zones would fill the terminal).
constexpr std::size_t kRowsShown = 10;

void apply_capacity(const PlanningSpec& spec, int year, CohortArray& P, std::vector<CapacityOutcome>& log,
                    const std::vector<std::string>& zone_ids) {
  std::vector<const CapacityLimit*> limits(uz(P.layout().zones), nullptr);
  for (const CapacityLimit& c : spec.limits)
    if (c.year == year) limits[uz(c.zone)] = &c;
  if (std::none_of(limits.begin(), limits.end(), [](const CapacityLimit* c) { return c != nullptr; })) return;
  const CohortLayout& L = P.layout();
  const int Z = L.zones, G = L.groups, A = L.grid.n_ages;
  const HeadshipRates* h = spec.headship_for(year);
  const std::size_t first = log.size();
  std::vector<int> row(uz(Z), -1);
  for (int z = 0; z < Z; ++z)
    if (const CapacityLimit* c = limits[uz(z)]) {
      row[uz(z)] = static_cast<int>(log.size());
      CapacityOutcome o;
      o.zone = z;
      o.year = year;
      o.limit_population = c->max_population;
      o.dwellings = c->dwellings;
      o.tentative_population = P.sum_zone(z);
      if (h) o.tentative_households = zone_households(P, *h, z);
      log.push_back(o);
    }
  std::vector<char> bound(uz(Z), 0);
  // Each round binds at least one more zone, so there are at most Z rounds.
  for (int round = 0; round <= Z; ++round) {
    CohortArray displaced(L);
    bool any = false;
    for (int z = 0; z < Z; ++z) {
      const CapacityLimit* c = limits[uz(z)];
      if (!c) continue;
      const double pop = P.sum_zone(z), ceiling = zone_ceiling(*c, P, h);
      if (pop <= ceiling * (1.0 + kMetTolerance)) continue;
      const double k = ceiling / pop;
      for (int g = 0; g < G; ++g)
        for (int s = 0; s < 2; ++s)
          for (int i = 0; i < A; ++i) {
            double& v = P.at(z, g, s, i);
            displaced.at(z, g, s, i) = v - v * k;
            v *= k;
          }
      bound[uz(z)] = 1;
      log[uz(row[uz(z)])].binds = true;
      log[uz(row[uz(z)])].displaced += pop - P.sum_zone(z);
      any = true;
    }
    if (!any) break;
    std::vector<int> receivers;
    for (int z = 0; z < Z; ++z)
      if (!bound[uz(z)]) receivers.push_back(z);
    double moved = 0.0;
    for (int z = 0; z < Z; ++z) moved += displaced.sum_zone(z);
    if (receivers.empty() || set_total(P, receivers) <= 0.0) {
      std::string capped, rows;  // the zones, and the rows that gave their caps (the first ten)
      std::size_t n_rows = 0;
      for (int z = 0; z < Z; ++z) {
        if (!bound[uz(z)]) continue;
        capped += (capped.empty() ? "" : ", ") + zone_ids[uz(z)];
        const auto& source = limits[uz(z)]->source;
        if (source && n_rows++ < kRowsShown)
          rows += (rows.empty() ? " (the caps: zone " : "; zone ") + zone_ids[uz(z)] + " at " + *source;
      }
      if (n_rows > kRowsShown) rows += "; … and " + std::to_string(n_rows - kRowsShown) + " more";
      throw InputError("capacity " + std::to_string(year) + ": the caps of every zone bind (" + capped +
                       "), so no zone is left to receive the " + fmt(moved) + " displaced persons" +
                       (rows.empty() ? "" : rows + ")") + "; expected caps that leave room in at least one zone in " +
                       std::to_string(year));
    }
    std::vector<double> recv_total(receivers.size());
    double recv_sum = 0.0;
    for (std::size_t k = 0; k < receivers.size(); ++k) recv_sum += (recv_total[k] = P.sum_zone(receivers[k]));
    std::vector<double> before(receivers.size());
    for (std::size_t k = 0; k < receivers.size(); ++k) before[k] = recv_total[k];
    for (int g = 0; g < G; ++g)
      for (int s = 0; s < 2; ++s)
        for (int i = 0; i < A; ++i) {
          double d = 0.0;
          for (int z = 0; z < Z; ++z) d += displaced.at(z, g, s, i);
          if (d == 0.0) continue;
          double cell_sum = 0.0;
          for (int z : receivers) cell_sum += P.at(z, g, s, i);
          for (std::size_t k = 0; k < receivers.size(); ++k) {
            const int z = receivers[k];
            const double share = cell_sum > 0.0 ? P.at(z, g, s, i) / cell_sum : recv_total[k] / recv_sum;
            P.at(z, g, s, i) += d * share;
          }
        }
    for (std::size_t k = 0; k < receivers.size(); ++k)
      if (row[uz(receivers[k])] >= 0) log[uz(row[uz(receivers[k])])].received += P.sum_zone(receivers[k]) - before[k];
  }
  for (std::size_t k = first; k < log.size(); ++k) {
    log[k].final_population = P.sum_zone(log[k].zone);
    if (h) log[k].final_households = zone_households(P, *h, log[k].zone);
  }
}

}  // namespace

const HeadshipRates* PlanningSpec::headship_for(int year) const {
  if (headship.empty()) return nullptr;
  const HeadshipRates* best = &headship.front();
  for (const HeadshipRates& h : headship)
    if (h.from_year <= year) best = &h;
  return best;
}

namespace {

// Households of the groups first … last − 1 of a zone, summed in that order (zone_households: every group).
double households_of(const CohortArray& population, const HeadshipRates& headship, int zone, int first, int last) {
  const std::size_t A = population.layout().ages();
  double households = 0.0;
  for (int g = first; g < last; ++g)
    for (int s = 0; s < 2; ++s) {
      auto P = population.ages(zone, g, s);
      const double* h = headship.rates.data() + (uz(zone) * kSexes + uz(s)) * A;
      for (std::size_t i = 0; i < A; ++i) households += h[i] * P[i];
    }
  return households;
}

}  // namespace

double zone_households(const CohortArray& population, const HeadshipRates& headship, int zone) {
  return households_of(population, headship, zone, 0, population.layout().groups);
}

double group_households(const CohortArray& population, const HeadshipRates& headship, int zone, int group) {
  return households_of(population, headship, zone, group, group + 1);
}

void validate_planning(const PlanningSpec& spec, const CohortLayout& layout, const std::vector<std::string>& zone_ids) {
  const std::size_t sa = kSexes * layout.ages();
  for (const ControlTotal& c : spec.controls) {
    const std::string where = control_where(c);
    if (c.zones.empty()) throw InputError(where + ": the zone set is empty");
    for (int z : c.zones)
      if (z < 0 || z >= layout.zones) throw InputError(where + ": zone index " + std::to_string(z) + " is not a zone");
    if (!c.by_sex_age.empty() && c.by_sex_age.size() != sa)
      throw InputError(where + ": " + std::to_string(c.by_sex_age.size()) + " targets by sex and age; expected " +
                       std::to_string(sa) + " (the projection's age grid, both sexes)");
    if (c.by_sex_age.empty() && c.method == ControlMethod::ipf)
      throw InputError(where +
                       ": iterative proportional fitting needs targets by sex and age; a total alone is "
                       "met by the proportional method");
    const double t = control_target(c);
    if (!(t >= 0.0) || !std::isfinite(t))
      throw InputError(where + ": target " + fmt(t) + "; expected a finite number >= 0");
    for (double v : c.by_sex_age)
      if (!(v >= 0.0) || !std::isfinite(v))
        throw InputError(where + ": a target of " + fmt(v) + " persons; expected >= 0");
  }
  for (std::size_t a = 0; a < spec.controls.size(); ++a)
    for (std::size_t b = a + 1; b < spec.controls.size(); ++b) {
      const ControlTotal &x = spec.controls[a], &y = spec.controls[b];
      if (x.year != y.year) continue;
      std::vector<int> zx = x.zones, zy = y.zones, common;
      std::sort(zx.begin(), zx.end());
      std::sort(zy.begin(), zy.end());
      std::set_intersection(zx.begin(), zx.end(), zy.begin(), zy.end(), std::back_inserter(common));
      if (!common.empty() && common.size() != zx.size() && common.size() != zy.size())
        throw InputError("controls '" + x.name + "' and '" + y.name + "' " + std::to_string(x.year) +
                         ": their zone sets overlap without one holding the other (both hold zone " +
                         zone_ids[uz(common.front())] + "); expected nested or disjoint sets (a hierarchy)");
      if (!common.empty() && zx == zy)
        throw InputError("controls '" + x.name + "' and '" + y.name + "' " + std::to_string(x.year) +
                         ": two controls of the same zones in one year");
    }
  for (const CapacityLimit& c : spec.limits) {
    if (c.zone < 0 || c.zone >= layout.zones)
      throw InputError("capacity: zone index " + std::to_string(c.zone) + " is not a zone");
    const std::string where = from_source(c.source ? *c.source : std::string(),
                                          "capacity of zone " + zone_ids[uz(c.zone)] + " in " + std::to_string(c.year));
    if (c.max_population < 0.0 && c.dwellings < 0.0)
      throw InputError(where + ": neither a population cap nor dwellings");
    if (!std::isfinite(c.max_population) || !std::isfinite(c.dwellings))
      throw InputError(where + ": not a finite number");
    if (c.dwellings >= 0.0 && spec.headship.empty())
      throw InputError(where + ": dwellings need headship rates (households per person) to compare households with");
  }
  for (const HeadshipRates& h : spec.headship) {
    if (h.rates.size() != uz(layout.zones) * sa)
      throw InputError("headship rates from " + std::to_string(h.from_year) + ": " + std::to_string(h.rates.size()) +
                       " values; expected one per zone, sex and age");
    for (double v : h.rates)
      if (!(v >= 0.0 && v <= 1.0))
        throw InputError("headship rates from " + std::to_string(h.from_year) + ": a rate of " + fmt(v) +
                         "; expected households per person between 0 and 1");
  }
}

void apply_planning(const PlanningSpec& spec, int year, CohortArray& end, CohortArray& adjustment,
                    std::vector<ControlOutcome>& controls_log, std::vector<CapacityOutcome>& capacity_log,
                    const std::vector<std::string>& zone_ids) {
  std::vector<const ControlTotal*> order;
  for (const ControlTotal& c : spec.controls)
    if (c.year == year) order.push_back(&c);
  // Smallest set first: the parts of a whole that have controls of their own keep them, and the whole's control is
  // met by its other zones (target less what the controlled parts hold). Sets must nest or be disjoint.
  std::stable_sort(order.begin(), order.end(),
                   [](const ControlTotal* a, const ControlTotal* b) { return a->zones.size() < b->zones.size(); });
  const std::vector<double> before(end.data().begin(), end.data().end());
  std::vector<char> fixed(uz(end.layout().zones), 0);
  for (const ControlTotal* c : order) {
    std::vector<int> free_zones, fixed_zones;
    for (int z : c->zones) (fixed[uz(z)] ? fixed_zones : free_zones).push_back(z);
    const std::vector<double> target = free_targets(*c, end, fixed_zones);
    if (free_zones.empty()) {
      for (double t : target)
        if (t > kMetTolerance * std::max(1.0, control_target(*c)))
          throw InputError(control_where(*c) + ": the target " + fmt(control_target(*c)) +
                           " is not met by the controls of the zone sets inside it (" + fmt(set_total(end, c->zones)) +
                           "), and no zone of it is left free to take the rest; "
                           "expected the targets of the parts to add up to the target of the whole");
    }
    ControlOutcome o{c->name, year, control_target(*c), set_total(end, c->zones), 0.0, 0};
    if (!free_zones.empty()) {
      if (c->method == ControlMethod::ipf)
        o.ipf_iterations = control_ipf(*c, free_zones, target, end);
      else
        control_proportional(*c, free_zones, target, end);
    }
    o.adjustment = set_total(end, c->zones) - o.tentative;
    controls_log.push_back(o);
    for (int z : c->zones) fixed[uz(z)] = 1;
  }
  apply_capacity(spec, year, end, capacity_log, zone_ids);
  auto adj = adjustment.data();
  auto now = end.data();
  for (std::size_t k = 0; k < adj.size(); ++k) adj[k] += now[k] - before[k];
}

void PlanningAdjuster::operator()(const StepContext& ctx, const CohortArray& /*start*/, CohortArray& end,
                                  StepComponents& components) {
  if (!spec_.empty()) {
    CohortArray& adj = components.planning_adjustment;
    if (!(adj.layout() == end.layout() && adj.data().size() == end.data().size())) adj = CohortArray(end.layout());
    std::fill(adj.storage().begin(), adj.storage().end(), 0.0);
    apply_planning(spec_, ctx.end_year, end, adj, controls_, capacity_, zone_ids_);
  }
  record_households(end, ctx.end_year);
}

void PlanningAdjuster::record_households(const CohortArray& population, int year) {
  const HeadshipRates* h = spec_.headship_for(year);
  if (!h) return;
  for (int z = 0; z < population.layout().zones; ++z) {
    const double households = zone_households(population, *h, z);
    households_.push_back(
        {z, year, population.sum_zone(z), households, households / (1.0 - spec_.vacancy_percent / 100.0)});
  }
}

}  // namespace cohortgis
