// SPDX-License-Identifier: Apache-2.0
// Graduation of abridged schedules to single years (see graduation.hpp).
#include "cohortgis/engine/graduation.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/number_text.hpp"
#include "cohortgis/engine/types.hpp"

namespace cohortgis {
namespace {

// Monotone piecewise cubic Hermite interpolant (Fritsch & Carlson 1980, SIAM J. Numer. Anal. 17(2):238–246) with the
// Fritsch–Butland derivatives of PCHIP (Moler, Numerical Computing with MATLAB §3.6, `pchip`/`pchipslopes`/
// `pchipend`):
//   h_k = x_{k+1} − x_k,  δ_k = (y_{k+1} − y_k) / h_k;
//   interior knot k: d_k = 0 if δ_{k−1}·δ_k ≤ 0, else the weighted harmonic mean
//     (w1 + w2) / d_k = w1 / δ_{k−1} + w2 / δ_k,  w1 = 2h_k + h_{k−1},  w2 = h_k + 2h_{k−1};
//   end knot (one-sided three-point formula, shape-preserving):
//     d = ((2h_1 + h_2) δ_1 − h_1 δ_2) / (h_1 + h_2); d = 0 if sign(d) ≠ sign(δ_1);
//     else d = 3δ_1 if sign(δ_1) ≠ sign(δ_2) and |d| > |3δ_1|;
//   two knots: the straight line.
// On [x_k, x_{k+1}] with s = x − x_k: S(x) = y_k + P_k(s), P_k(s) = s (d_k + s (c_k + s b_k)),
//   c_k = (3δ_k − 2d_k − d_{k+1}) / h_k,  b_k = (d_k − 2δ_k + d_{k+1}) / h_k².
// Where the data are monotone so is S (these d_k keep 0 ≤ d/δ ≤ 3, inside the Fritsch–Carlson region).
// Increments are accumulated in local coordinates with P_k(0) = 0 and P_k(h_k) = Δy_k taken exactly from the data,
// so a whole interval contributes exactly its Δy_k.
//
// Slopes::hyman: the first derivatives of the natural cubic spline through the data, then Hyman's monotonicity
// filter (Hyman 1983, SIAM J. Sci. Stat. Comput. 4(4):645–654, eq. 2.3): at a knot where the data turn (δ_{k−1}·δ_k
// ≤ 0) d_k = 0, else d_k takes the sign of the data and |d_k| ≤ 3·min(|δ_{k−1}|, |δ_k|); ends |d| ≤ 3|δ|. This keeps
// the spline's fourth-order accuracy where the data are smooth (the Fritsch–Butland mean flattens peaks) and stays
// in the Fritsch–Carlson monotone region.
// Slopes::hyman_fmm: the same filter on the slopes of the "fmm" spline (fmm_spline_slopes), R's default, as R's
// `splinefun(method = "hyman")` does (R stats splinefun.R: SplineCoef with "fmm", then `hyman_filter`). R's filter
// caps rather than zeroes a slope where the data turn with both secants non-zero; the data here (cumulative births,
// counts, ln l) never do, so the two filters agree.
class MonotoneCubic {
 public:
  enum class Slopes { pchip, hyman, hyman_fmm };
  // Knots x (strictly increasing, ≥ 2) and the data's increments dy[k] = y(x[k+1]) − y(x[k]) (S(x_0) is arbitrary;
  // only increases of S are needed).
  MonotoneCubic(std::vector<double> x, std::vector<double> dy, Slopes slopes = Slopes::pchip)
      : x_(std::move(x)), dy_(std::move(dy)) {
    const std::size_t n = x_.size();
    if (n < 2 || dy_.size() != n - 1) throw InputError("MonotoneCubic: need at least two knots and n − 1 increments");
    std::vector<double> h(n - 1), del(n - 1);
    for (std::size_t k = 0; k + 1 < n; ++k) {
      h[k] = x_[k + 1] - x_[k];
      if (!(h[k] > 0.0)) throw InputError("MonotoneCubic: knots must be strictly increasing");
      del[k] = dy_[k] / h[k];
    }
    std::vector<double> d(n, 0.0);
    if (n == 2) {
      d[0] = d[1] = del[0];
    } else if (slopes == Slopes::hyman || slopes == Slopes::hyman_fmm) {
      d = slopes == Slopes::hyman ? natural_spline_slopes(h, del) : fmm_spline_slopes(x_, h, del);
      for (std::size_t k = 0; k < n; ++k) {
        const double lo = k == 0 ? del[0] : del[k - 1];
        const double hi = k + 1 == n ? del[n - 2] : del[k];
        if (sign(lo) * sign(hi) <= 0 || sign(d[k]) != sign(hi)) {
          d[k] = 0.0;
        } else {
          const double cap = 3.0 * std::min(std::abs(lo), std::abs(hi));
          if (std::abs(d[k]) > cap) d[k] = sign(hi) * cap;
        }
      }
    } else {
      for (std::size_t k = 1; k + 1 < n; ++k) {
        if (sign(del[k - 1]) * sign(del[k]) > 0) {
          const double w1 = 2.0 * h[k] + h[k - 1];
          const double w2 = h[k] + 2.0 * h[k - 1];
          d[k] = (w1 + w2) / (w1 / del[k - 1] + w2 / del[k]);
        }
      }
      d[0] = end_slope(h[0], h[1], del[0], del[1]);
      d[n - 1] = end_slope(h[n - 2], h[n - 3], del[n - 2], del[n - 3]);
    }
    b_.resize(n - 1);
    c_.resize(n - 1);
    d_ = d;
    for (std::size_t k = 0; k + 1 < n; ++k) {
      c_[k] = (3.0 * del[k] - 2.0 * d[k] - d[k + 1]) / h[k];
      b_[k] = (d[k] - 2.0 * del[k] + d[k + 1]) / (h[k] * h[k]);
    }
  }

  // S(b) − S(a) for x_0 ≤ a ≤ b ≤ x_n, summed interval by interval in local coordinates.
  double increase(double a, double b) const {
    a = std::clamp(a, x_.front(), x_.back());
    b = std::clamp(b, x_.front(), x_.back());
    if (!(b > a)) return 0.0;
    double total = 0.0;
    std::size_t k = interval_of(a);
    while (a < b) {
      const double end = std::min(b, x_[k + 1]);
      total += local(k, end - x_[k]) - local(k, a - x_[k]);
      a = end;
      ++k;
      if (k + 1 >= x_.size()) break;
    }
    return total;
  }

 private:
  static int sign(double v) { return (v > 0.0) - (v < 0.0); }

  // First derivatives of the natural cubic spline (S'' = 0 at both ends): the tridiagonal system
  // h_k m_{k−1} + 2(h_{k−1} + h_k) m_k + h_{k−1} m_{k+1} = 3(h_k δ_{k−1} + h_{k−1} δ_k), 2m_0 + m_1 = 3δ_0,
  // m_{n−2} + 2m_{n−1} = 3δ_{n−2}, solved by the Thomas algorithm (diagonally dominant).
  static std::vector<double> natural_spline_slopes(const std::vector<double>& h, const std::vector<double>& del) {
    const std::size_t n = h.size() + 1;
    std::vector<double> a(n, 0.0), b(n, 0.0), c(n, 0.0), r(n, 0.0), m(n, 0.0);
    b[0] = 2.0;
    c[0] = 1.0;
    r[0] = 3.0 * del[0];
    for (std::size_t k = 1; k + 1 < n; ++k) {
      a[k] = h[k];
      b[k] = 2.0 * (h[k - 1] + h[k]);
      c[k] = h[k - 1];
      r[k] = 3.0 * (h[k] * del[k - 1] + h[k - 1] * del[k]);
    }
    a[n - 1] = 1.0;
    b[n - 1] = 2.0;
    r[n - 1] = 3.0 * del[n - 2];
    for (std::size_t k = 1; k < n; ++k) {
      const double f = a[k] / b[k - 1];
      b[k] -= f * c[k - 1];
      r[k] -= f * r[k - 1];
    }
    m[n - 1] = r[n - 1] / b[n - 1];
    for (std::size_t k = n - 1; k-- > 0;) m[k] = (r[k] - c[k] * m[k + 1]) / b[k];
    return m;
  }

  // First derivatives of the "fmm" cubic spline (Forsythe, Malcolm & Moler 1977, Computer Methods for Mathematical
  // Computations, §4.4 `spline`; R's splines.c `fmm_spline`): in σ_k = S''(x_k)/6 the interior equations
  //   h_{k−1} σ_{k−1} + 2(h_{k−1} + h_k) σ_k + h_k σ_{k+1} = δ_k − δ_{k−1},
  // and at each end S''' equal to that of the cubic through the four end knots (6 × their third divided difference):
  //   −h_0 σ_0 + h_0 σ_1 = h_0² Δ³_0,   h_{n−2} σ_{n−2} − h_{n−2} σ_{n−1} = −h_{n−2}² Δ³_{n−4},
  //   Δ³_j = ((δ_{j+2} − δ_{j+1}) / (x_{j+3} − x_{j+1}) − (δ_{j+1} − δ_j) / (x_{j+2} − x_j)) / (x_{j+3} − x_j);
  // with three knots both ends' right-hand sides are 0 (σ_0 = σ_1 = σ_2: one parabola). Solved by Gaussian
  // elimination without pivoting, as FMM do; slopes m_k = δ_k − h_k (σ_{k+1} + 2σ_k), m_{n−1} = δ_{n−2} +
  // h_{n−2} (σ_{n−2} + 2σ_{n−1}). The fmm spline reproduces every cubic exactly (the natural one does not).
  static std::vector<double> fmm_spline_slopes(const std::vector<double>& x, const std::vector<double>& h,
                                               const std::vector<double>& del) {
    const std::size_t n = x.size();
    std::vector<double> diag(n), r(n, 0.0), sigma(n);
    diag[0] = -h[0];
    diag[n - 1] = -h[n - 2];
    for (std::size_t k = 1; k + 1 < n; ++k) {
      diag[k] = 2.0 * (h[k - 1] + h[k]);
      r[k] = del[k] - del[k - 1];
    }
    if (n > 3) {
      const double third_first = (del[2] - del[1]) / (x[3] - x[1]) - (del[1] - del[0]) / (x[2] - x[0]);
      const double third_last =
          (del[n - 2] - del[n - 3]) / (x[n - 1] - x[n - 3]) - (del[n - 3] - del[n - 4]) / (x[n - 2] - x[n - 4]);
      r[0] = third_first * h[0] * h[0] / (x[3] - x[0]);
      r[n - 1] = -third_last * h[n - 2] * h[n - 2] / (x[n - 1] - x[n - 4]);
    }
    for (std::size_t k = 1; k < n; ++k) {  // the off-diagonal of rows k−1 and k is h_{k−1}
      const double f = h[k - 1] / diag[k - 1];
      diag[k] -= f * h[k - 1];
      r[k] -= f * r[k - 1];
    }
    sigma[n - 1] = r[n - 1] / diag[n - 1];
    for (std::size_t k = n - 1; k-- > 0;) sigma[k] = (r[k] - h[k] * sigma[k + 1]) / diag[k];
    std::vector<double> m(n);
    for (std::size_t k = 0; k + 1 < n; ++k) m[k] = del[k] - h[k] * (sigma[k + 1] + 2.0 * sigma[k]);
    m[n - 1] = del[n - 2] + h[n - 2] * (sigma[n - 2] + 2.0 * sigma[n - 1]);
    return m;
  }

  static double end_slope(double h1, double h2, double del1, double del2) {
    double d = ((2.0 * h1 + h2) * del1 - h1 * del2) / (h1 + h2);
    if (sign(d) != sign(del1)) {
      d = 0.0;
    } else if (sign(del1) != sign(del2) && std::abs(d) > std::abs(3.0 * del1)) {
      d = 3.0 * del1;
    }
    return d;
  }

  // Interval k with x_k ≤ x < x_{k+1} (the last interval for x = x_n).
  std::size_t interval_of(double x) const {
    const auto it = std::upper_bound(x_.begin(), x_.end(), x);
    std::size_t k = it == x_.begin() ? 0 : uz(it - x_.begin()) - 1;
    return std::min(k, x_.size() - 2);
  }

  // P_k(s), exact at both ends of the interval.
  double local(std::size_t k, double s) const {
    if (s <= 0.0) return 0.0;
    if (s >= x_[k + 1] - x_[k]) return dy_[k];
    return s * (d_[k] + s * (c_[k] + s * b_[k]));
  }

  std::vector<double> x_, dy_, d_, c_, b_;
};

}  // namespace

// Cumulative fertility C(5j) = Σ_{i<j} 5·asfr_i at the group boundaries (relative to the first group's start),
// monotone cubic through (5j, C); single-year rate for year y = C(y+1) − C(y). Each group's increment is its
// 5·asfr exactly, so group sums are preserved to rounding; C is non-decreasing, so no rate is negative.
std::vector<double> graduate_asfr_five_to_single(std::span<const double> asfr_5y, SplineEnds ends) {
  if (asfr_5y.empty()) throw InputError("graduate_asfr_five_to_single: no five-year fertility rates given");
  const std::size_t k = asfr_5y.size();
  std::vector<double> x(k + 1), dy(k);
  for (std::size_t j = 0; j < k; ++j) {
    const double f = asfr_5y[j];
    if (!std::isfinite(f) || f < 0.0)
      throw InputError("graduate_asfr_five_to_single: five-year fertility rate of group " + std::to_string(j) +
                       " (ages +" + std::to_string(5 * j) + " to +" + std::to_string(5 * j + 4) +
                       " from the first group) is " + shortest_number(f) + "; expected a finite rate >= 0");
    dy[j] = 5.0 * f;
  }
  for (std::size_t j = 0; j <= k; ++j) x[j] = 5.0 * static_cast<double>(j);
  const MonotoneCubic cum(std::move(x), std::move(dy),
                          ends == SplineEnds::fmm ? MonotoneCubic::Slopes::hyman_fmm : MonotoneCubic::Slopes::hyman);
  std::vector<double> out(5 * k);
  for (std::size_t y = 0; y < out.size(); ++y) {
    const double a = static_cast<double>(y);
    out[y] = std::max(0.0, cum.increase(a, a + 1.0));  // max: rounding only, S is monotone
  }
  return out;
}

std::vector<double> graduate_counts_to_single_years(std::span<const double> counts, std::span<const int> starts) {
  const std::size_t k = counts.size();
  if (k < 2 || starts.size() != k)
    throw InputError("graduate_counts_to_single_years: " + std::to_string(k) + " counts for " +
                     std::to_string(starts.size()) + " group starts; expected the same number, at least 2");
  std::vector<double> x(k), dy(k - 1);
  for (std::size_t j = 0; j < k; ++j) {
    if (!std::isfinite(counts[j]) || counts[j] < 0.0)
      throw InputError("graduate_counts_to_single_years: the count of the group starting at age " +
                       std::to_string(starts[j]) + " is " + shortest_number(counts[j]) + "; expected persons >= 0");
    if (j > 0 && starts[j] <= starts[j - 1])
      throw InputError("graduate_counts_to_single_years: group starts must increase; " + std::to_string(starts[j]) +
                       " follows " + std::to_string(starts[j - 1]));
    x[j] = static_cast<double>(starts[j]);
    if (j + 1 < k) dy[j] = counts[j];
  }
  std::vector<double> out;
  if (k == 2) {  // one closed group: spread evenly
    const int n = starts[1] - starts[0];
    out.assign(uz(n), counts[0] / n);
  } else {
    const MonotoneCubic cum(x, dy, MonotoneCubic::Slopes::hyman);
    for (std::size_t j = 0; j + 1 < k; ++j) {
      double sum = 0.0;
      for (int a = starts[j]; a < starts[j + 1]; ++a) {
        const double v = a + 1 == starts[j + 1] ? std::max(0.0, counts[j] - sum)
                                                : std::max(0.0, cum.increase(a, a + 1.0));
        out.push_back(v);
        sum += v;
      }
    }
  }
  out.push_back(counts[k - 1]);
  return out;
}

// Abridged life table (method) → ln l(x) at x = 0, 1, 5, …, open_age_in (l at the open age = open row's lx);
// monotone cubic through (x, ln l); for x = 1 … open_age_in − 1: qx = 1 − l(x+1)/l(x), mx = qx / (1 − 0.5 qx).
// Age 0 keeps the input m0 exactly, so a single-year table built with the same method (a0 rule, infant q0) has the
// same a0 and l(1). Ages open_age_in … open_age_out: the open group's mx (constant hazard). When
// open_age_out < open_age_in, the open rate is m = l(w) / T(w) at w = open_age_out, T(w) being the single-year L
// (ax = 0.5) from w to open_age_in − 1 plus the abridged open row's L, so T(w) is preserved.
std::vector<double> graduate_abridged_mx_to_single(std::span<const double> mx_abridged, Sex sex, int open_age_out,
                                                   const LifeTableMethod& method) {
  const std::size_t n = mx_abridged.size();
  if (n < 4)
    throw InputError("graduate_abridged_mx_to_single: need at least 4 abridged mx rows (0, 1-4, 5-9, …, open), got " +
                     std::to_string(n));
  if (open_age_out < 5)
    throw InputError("graduate_abridged_mx_to_single: open_age_out must be >= 5, got " + std::to_string(open_age_out));
  for (std::size_t i = 0; i < n; ++i) {
    const double m = mx_abridged[i];
    const bool open = i + 1 == n;
    if (!std::isfinite(m) || m < 0.0 || (open && !(m > 0.0))) {
      const std::string age = i == 0   ? std::string("0")
                              : i == 1 ? std::string("1-4")
                              : std::to_string(5 * (i - 1)) + (open ? "+" : "-" + std::to_string(5 * (i - 1) + 4));
      throw InputError("graduate_abridged_mx_to_single: mx of " + std::string(sex_name(sex)) + " abridged row " +
                       std::to_string(i) + " (age " + age + ") is " + shortest_number(m) +
                       "; expected a finite rate >= 0" + (open ? " and > 0 for the open group" : ""));
    }
  }

  LifeTable lt;
  build_abridged_life_table(mx_abridged, sex, method, lt);
  if (lt.rows() != n) throw InputError("graduate_abridged_mx_to_single: abridged life table has an unexpected shape");

  const int open_in = 5 * static_cast<int>(n - 2);
  std::vector<double> x(n), dy(n - 1);
  for (std::size_t i = 0; i < n; ++i) {
    x[i] = i == 0 ? 0.0 : i == 1 ? 1.0 : 5.0 * static_cast<double>(i - 1);
    if (!(lt.lx[i] > 0.0) || !std::isfinite(lt.lx[i]))
      throw InputError("graduate_abridged_mx_to_single: abridged survivorship l(" + shortest_number(x[i]) +
                       ") = " + shortest_number(lt.lx[i]) + " is not positive; cannot graduate");
  }
  for (std::size_t i = 0; i + 1 < n; ++i) dy[i] = std::log(lt.lx[i + 1] / lt.lx[i]);  // ln l(x_{i+1}) − ln l(x_i)
  const MonotoneCubic lnl(std::move(x), std::move(dy), MonotoneCubic::Slopes::hyman);

  const double m_open = lt.mx[n - 1];
  const int w = open_age_out;
  std::vector<double> out(uz(w) + 1);
  out[0] = mx_abridged[0];

  // Single-year q for 1 ≤ a < open_in from the interpolated ln l.
  auto q_at = [&](int a) {
    const double inc = lnl.increase(static_cast<double>(a), static_cast<double>(a + 1));  // ≤ 0
    return std::clamp(-std::expm1(inc), 0.0, 1.0);
  };
  const int closed_end = std::min(w, open_in);  // ages 1 … closed_end − 1 come from the spline
  for (int a = 1; a < closed_end; ++a) {
    const double q = q_at(a);
    out[uz(a)] = q / (1.0 - 0.5 * q);
  }
  if (w >= open_in) {
    for (int a = open_in; a <= w; ++a) out[uz(a)] = m_open;
  } else {
    // Collapse ages w … open_in − 1 and the abridged open row into the open group w+: m = l(w) / T(w).
    // l relative to l(w) = 1: L_a = (l(a) + l(a+1)) / 2; the abridged open row's L scaled by l(open_in)/lt.lx[open].
    double l = 1.0;
    double T = 0.0;
    for (int a = w; a < open_in; ++a) {
      const double l_next = l * (1.0 - q_at(a));
      T += 0.5 * (l + l_next);
      l = l_next;
    }
    T += l * (lt.Lx[n - 1] / lt.lx[n - 1]);
    out[uz(w)] = 1.0 / T;
  }
  return out;
}

}  // namespace cohortgis
