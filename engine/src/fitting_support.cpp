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

#include <algorithm>
#include <cstdint>
#include <limits>
#include <numeric>
#include <unordered_map>

#include "cohortgis/engine/index_cast.hpp"

namespace cohortgis::detail {

namespace {

class Network {
 public:
  explicit Network(std::size_t nodes) : out_(nodes) {}
  std::size_t nodes() const { return out_.size(); }
  // An arc and its reverse (arc ^ 1, capacity 0); returns the arc.
  std::size_t add(std::size_t from, std::size_t to, double capacity) {
    out_[from].push_back(arcs_.size());
    arcs_.push_back({to, capacity, 0.0});
    out_[to].push_back(arcs_.size());
    arcs_.push_back({from, 0.0, 0.0});
    return arcs_.size() - 2;
  }
  std::size_t head(std::size_t arc) const { return arcs_[arc].to; }
  std::size_t tail(std::size_t arc) const { return arcs_[arc ^ 1].to; }
  double flow(std::size_t arc) const { return arcs_[arc].flow; }
  double residual(std::size_t arc) const { return arcs_[arc].capacity - arcs_[arc].flow; }

  // Dinic's maximum flow from s to t (level graphs by breadth-first search, blocking flows by depth-first search,
  // without recursion: a path may be as long as the network). Residuals of at most `dust` count as none.
  double max_flow(std::size_t s, std::size_t t, double dust) {
    double total = 0.0;
    std::vector<int> level(nodes());
    std::vector<std::size_t> next(nodes()), queue, path;
    for (;;) {
      std::fill(level.begin(), level.end(), -1);
      level[s] = 0;
      queue.assign(1, s);
      for (std::size_t q = 0; q < queue.size(); ++q)
        for (std::size_t e : out_[queue[q]])
          if (residual(e) > dust && level[head(e)] < 0) {
            level[head(e)] = level[queue[q]] + 1;
            queue.push_back(head(e));
          }
      if (level[t] < 0) return total;
      std::fill(next.begin(), next.end(), std::size_t{0});
      path.clear();
      for (std::size_t u = s;;) {
        if (u == t) {
          double push = std::numeric_limits<double>::infinity();
          for (std::size_t e : path) push = std::min(push, residual(e));
          for (std::size_t e : path) (arcs_[e].flow += push, arcs_[e ^ 1].flow -= push);
          total += push;
          path.clear();
          u = s;
          continue;
        }
        bool advanced = false;
        for (; next[u] < out_[u].size(); ++next[u]) {
          const std::size_t e = out_[u][next[u]];
          if (residual(e) > dust && level[head(e)] == level[u] + 1) {
            path.push_back(e);
            u = head(e);
            advanced = true;
            break;
          }
        }
        if (advanced) continue;
        if (u == s) break;
        level[u] = -1;  // a dead end in this level graph
        u = tail(path.back());
        path.pop_back();
        ++next[u];
      }
    }
  }

  // Strongly connected components of the residual network over the arcs for which `used` says yes (Kosaraju: an
  // order by finishing time, then the reversed network in that order; iterative).
  template <class Used>
  std::vector<std::size_t> components(double dust, Used used) const {
    const std::size_t n = nodes();
    std::vector<std::vector<std::size_t>> fwd(n), rev(n);
    for (std::size_t e = 0; e < arcs_.size(); ++e)
      if (used(e & ~std::size_t{1}) && residual(e) > dust) {
        fwd[tail(e)].push_back(head(e));
        rev[head(e)].push_back(tail(e));
      }
    std::vector<char> seen(n, 0);
    std::vector<std::size_t> order, stack_node, stack_next;
    for (std::size_t r = 0; r < n; ++r) {
      if (seen[r]) continue;
      seen[r] = 1;
      stack_node.assign(1, r);
      stack_next.assign(1, 0);
      while (!stack_node.empty()) {
        const std::size_t u = stack_node.back();
        if (stack_next.back() < fwd[u].size()) {
          const std::size_t v = fwd[u][stack_next.back()++];
          if (!seen[v]) (seen[v] = 1, stack_node.push_back(v), stack_next.push_back(0));
        } else {
          order.push_back(u);
          stack_node.pop_back();
          stack_next.pop_back();
        }
      }
    }
    constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();
    std::vector<std::size_t> comp(n, kNone);
    std::size_t count = 0;
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
      if (comp[*it] != kNone) continue;
      comp[*it] = count;
      stack_node.assign(1, *it);
      while (!stack_node.empty()) {
        const std::size_t u = stack_node.back();
        stack_node.pop_back();
        for (std::size_t v : rev[u])
          if (comp[v] == kNone) (comp[v] = count, stack_node.push_back(v));
      }
      ++count;
    }
    return comp;
  }

 private:
  struct Arc {
    std::size_t to;
    double capacity, flow;
  };
  std::vector<Arc> arcs_;
  std::vector<std::vector<std::size_t>> out_;
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
  const std::size_t s = 0, t = 1, super_s = 2, super_t = 3, first_a = 4, first_b = 4 + na;
  Network net(first_b + nb);
  for (std::size_t k = 0; k < na; ++k)
    if (a.target[k] > 0.0) net.add(super_s, first_a + k, a.target[k]);
  for (std::size_t k = 0; k < nb; ++k)
    if (b.target[k] > 0.0) net.add(first_b + k, super_t, b.target[k]);
  net.add(s, super_t, total_a);
  net.add(super_s, t, total_b);
  const std::size_t first_cell_arc = net.add(t, s, endless);
  constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();
  std::vector<std::size_t> arc_of_cell(cells.size(), kNone);
  std::unordered_map<std::uint64_t, std::size_t> arc_of_pair;
  for (std::size_t c = 0; c < cells.size(); ++c) {
    if (zero[c] || !(cells[c] > 0.0) || (a.bucket[c] < 0 && b.bucket[c] < 0)) continue;
    const std::size_t from = a.bucket[c] >= 0 ? first_a + uz(a.bucket[c]) : s;
    const std::size_t to = b.bucket[c] >= 0 ? first_b + uz(b.bucket[c]) : t;
    const auto [it, fresh] = arc_of_pair.try_emplace(std::uint64_t{from} * net.nodes() + to, 0);
    if (fresh) it->second = net.add(from, to, endless);
    arc_of_cell[c] = it->second;
  }
  if (net.max_flow(super_s, super_t, dust) < total * (1.0 - tolerance)) return 0;  // no table meets both
  const std::vector<std::size_t> comp = net.components(dust, [&](std::size_t e) { return e >= first_cell_arc; });
  std::size_t marked = 0;
  for (std::size_t c = 0; c < cells.size(); ++c) {
    const std::size_t e = arc_of_cell[c];
    if (e != kNone && net.flow(e) <= dust && comp[net.tail(e)] != comp[net.head(e)]) (zero[c] = 1, ++marked);
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
