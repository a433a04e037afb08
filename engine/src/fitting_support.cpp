// SPDX-License-Identifier: Apache-2.0
// Structural zeros of proportional fitting (fitting_support.hpp).
//
// Two margins A and B of one table are a network (a transportation problem with slack): each bucket a of A sends
// its total T_a, each bucket b of B receives T_b, a cell both cover is an arc a → b, a cell only A covers an arc
// a → t, one only B covers an arc s → b, and an arc t → s closes the circulation. The tables that meet both margins
// are the feasible circulations with the bucket arcs fixed at their totals; one is found as a maximum flow from a
// super source to a super sink (the usual reduction of arcs with lower bounds: Ahuja, Magnanti & Orlin 1993,
// "Network Flows", §6.7). Any two feasible circulations differ by a sum of cycles of the residual network of either
// (flow decomposition, ibid. §3.5), so a cell arc that carries nothing in the one found can carry something in
// another exactly when a residual cycle runs through it: when its two ends lie in one strongly connected component
// of the residual network. The cells of an arc whose ends do not are 0 in every table that meets the two margins,
// so in every table that meets all of them. Pairs see what two margins force; cells only three or more force
// together are left to the sweeps (which then fail as before).
#include "fitting_support.hpp"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/push_relabel_max_flow.hpp>
#include <boost/graph/strong_components.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <unordered_map>
#include <vector>

#include "cohortgis/engine/index_cast.hpp"

namespace cohortgis::detail {

namespace {

// The network with Boost.Graph's maximum flow (push-relabel: Goldberg & Tarjan 1988, "A new approach to the
// maximum-flow problem", J. ACM 35(4)) and strongly connected components (Tarjan 1972). Each arc has a reverse arc of
// capacity 0 (the residual network's other direction). Capacities are held as whole multiples of 2^-61 of the
// largest one: integer flows are exact, as push_relabel_max_flow's checks of conservation at every node need (sums
// of doubles missed them by rounding: an assertion failure where assertions are on), and the unit is far below the
// rounding of the totals that pair_zeros ignores. Boykov–Kolmogorov, which takes doubles, took 300 s where
// push-relabel takes 2 (10,000 × 40 buckets).
class Network {
  using Traits = boost::adjacency_list_traits<boost::vecS, boost::vecS, boost::directedS>;
  using Graph = boost::adjacency_list<
      boost::vecS, boost::vecS, boost::directedS, boost::no_property,
      boost::property<boost::edge_capacity_t, std::int64_t,
                      boost::property<boost::edge_residual_capacity_t, std::int64_t,
                                      boost::property<boost::edge_reverse_t, Traits::edge_descriptor>>>>;

 public:
  using Arc = Traits::edge_descriptor;

  // `largest`: no capacity is larger (finite, > 0).
  Network(std::size_t nodes, double largest) : g_(nodes), units_(std::ldexp(1.0, 61) / largest) {}
  std::size_t nodes() const { return boost::num_vertices(g_); }
  // An arc and its reverse (capacity 0); returns the arc.
  Arc add(std::size_t from, std::size_t to, double capacity) {
    const Arc e = boost::add_edge(from, to, g_).first, r = boost::add_edge(to, from, g_).first;
    boost::put(boost::edge_capacity, g_, e, std::llround(capacity * units_));
    boost::put(boost::edge_capacity, g_, r, std::int64_t{0});
    boost::put(boost::edge_reverse, g_, e, r);
    boost::put(boost::edge_reverse, g_, r, e);
    return e;
  }
  std::size_t head(Arc e) const { return boost::target(e, g_); }
  std::size_t tail(Arc e) const { return boost::source(e, g_); }
  double residual(Arc e) const { return static_cast<double>(residual_units(e)) / units_; }
  double flow(Arc e) const {
    return static_cast<double>(boost::get(boost::edge_capacity, g_, e) - residual_units(e)) / units_;
  }

  double max_flow(std::size_t s, std::size_t t) {
    return static_cast<double>(boost::push_relabel_max_flow(g_, s, t)) / units_;
  }

  // Strongly connected components of the residual network over `arcs` and their reverses, each direction where its
  // residual is above `dust`: the component of each node.
  std::vector<std::size_t> components(const std::vector<Arc>& arcs, double dust) const {
    boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS> residual_network(nodes());
    for (const Arc e : arcs)
      for (const Arc d : {e, boost::get(boost::edge_reverse, g_, e)})
        if (residual(d) > dust) boost::add_edge(tail(d), head(d), residual_network);
    std::vector<std::size_t> comp(nodes());
    boost::strong_components(residual_network, comp.data());
    return comp;
  }

 private:
  std::int64_t residual_units(Arc e) const { return boost::get(boost::edge_residual_capacity, g_, e); }

  Graph g_;
  double units_;  // per unit of capacity
};

// The cells margins a and b force to 0 (see the top of the file), marked in `zero`; how many.
std::size_t pair_zeros(const FitMargin& a, const FitMargin& b, const std::vector<double>& cells, double tolerance,
                       std::vector<char>& zero) {
  const std::size_t na = a.target.size(), nb = b.target.size();
  const double total_a = std::accumulate(a.target.begin(), a.target.end(), 0.0);
  const double total_b = std::accumulate(b.target.begin(), b.target.end(), 0.0);
  const double total = total_a + total_b;
  if (!(total > 0.0)) return 0;  // every bucket 0: the first sweep empties their cells
  // Residuals below 1/100 of what the sweeps must meet are rounding of the sums, not room; a pair is met when its
  // flow falls short of the totals by at most the sweeps' tolerance.
  const double dust = 1e-2 * tolerance * total, endless = 2.0 * total + 1.0;
  if (!std::isfinite(endless)) return 0;  // totals near the largest double: no unit for the flows
  const std::size_t s = 0, t = 1, super_s = 2, super_t = 3, first_a = 4, first_b = 4 + na;
  Network net(first_b + nb, endless);
  for (std::size_t k = 0; k < na; ++k)
    if (a.target[k] > 0.0) net.add(super_s, first_a + k, a.target[k]);
  for (std::size_t k = 0; k < nb; ++k)
    if (b.target[k] > 0.0) net.add(first_b + k, super_t, b.target[k]);
  net.add(s, super_t, total_a);
  net.add(super_s, t, total_b);
  // The arcs whose residual cycles are sought: t → s and the cells' (one arc per pair of buckets).
  std::vector<Network::Arc> cycle_arcs{net.add(t, s, endless)};
  constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();
  std::vector<std::size_t> arc_of_cell(cells.size(), kNone);  // index into cycle_arcs
  std::unordered_map<std::uint64_t, std::size_t> arc_of_pair;
  for (std::size_t c = 0; c < cells.size(); ++c) {
    if (zero[c] || !(cells[c] > 0.0) || (a.bucket[c] < 0 && b.bucket[c] < 0)) continue;
    const std::size_t from = a.bucket[c] >= 0 ? first_a + uz(a.bucket[c]) : s;
    const std::size_t to = b.bucket[c] >= 0 ? first_b + uz(b.bucket[c]) : t;
    const auto [it, fresh] = arc_of_pair.try_emplace(std::uint64_t{from} * net.nodes() + to, cycle_arcs.size());
    if (fresh) cycle_arcs.push_back(net.add(from, to, endless));
    arc_of_cell[c] = it->second;
  }
  if (net.max_flow(super_s, super_t) < total * (1.0 - tolerance)) return 0;  // no table meets both
  const std::vector<std::size_t> comp = net.components(cycle_arcs, dust);
  std::size_t marked = 0;
  for (std::size_t c = 0; c < cells.size(); ++c) {
    if (arc_of_cell[c] == kNone) continue;
    const Network::Arc e = cycle_arcs[arc_of_cell[c]];
    if (net.flow(e) <= dust && comp[net.tail(e)] != comp[net.head(e)]) (zero[c] = 1, ++marked);
  }
  return marked;
}

}  // namespace

std::size_t mark_forced_zeros(const std::vector<double>& cells, const std::vector<FitMargin>& margins, double tolerance,
                              std::vector<char>& zero) {
  std::size_t marked = 0;
  for (bool more = true; more;) {  // a cell one pair forces to 0 may leave another pair less room
    more = false;
    for (std::size_t i = 0; i < margins.size(); ++i)
      for (std::size_t j = i + 1; j < margins.size(); ++j)
        if (const std::size_t k = pair_zeros(margins[i], margins[j], cells, tolerance, zero))
          (marked += k, more = true);
  }
  return marked;
}

}  // namespace cohortgis::detail
