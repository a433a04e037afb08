# SPDX-License-Identifier: Apache-2.0
"""Abridged life tables from mx, closed at a lower open age or graduated to single years, in plain numpy, written
from scenarios/README.md "Life tables built from mx" only (not from the engine; it does not call cohortgis).

Rows of an abridged table: ages 0, 1, 5, 10, …, the table's open age W (widths 1, 4, 5, …, open).
"""
import numpy as np

# Coale-Demeny 4a1 (PAS LTPOPDTH), by region: (intercept female, male), constants (female, male); slopes 1.627/3.013.
CD_4A1 = {"west": ((1.524, 1.653), (1.361, 1.352)), "north": ((1.733, 1.859), (1.570, 1.558)),
          "east": ((1.487, 1.614), (1.324, 1.313)), "south": ((1.402, 1.541), (1.239, 1.240))}


def a0_andreev_kingkade(m0, female):
    if female:
        return 0.14903 - 2.05527 * m0 if m0 < 0.01724 else (0.04667 + 3.88089 * m0 if m0 < 0.06891 else 0.31411)
    return 0.14929 - 1.99545 * m0 if m0 < 0.0230 else (0.02832 + 3.26021 * m0 if m0 < 0.08307 else 0.29915)


# Coale-Demeny a0 (UN Manual X, Table 164): (alpha female, male), beta (female, male), constants (female, male).
CD_A0 = {r: ((0.05, 0.0425), (3.0, 2.875), (0.35, 0.33)) for r in ("west", "north", "south")}
CD_A0["east"] = ((0.01, 0.0025), (3.0, 2.875), (0.31, 0.29))


def a0_coale_demeny(m0, female, region):
    """From q0, the smaller root of (beta m0) q^2 - (1 + m0 (1 - alpha)) q + m0 = 0; a0 = alpha + beta q0 if
    q0 <= 0.1, else the constant."""
    (af, am), (bf, bm), (cf, cm) = CD_A0[region]
    al, be, co = (af, bf, cf) if female else (am, bm, cm)
    B = 1.0 + m0 * (1.0 - al)
    q0 = (B - np.sqrt(B * B - 4.0 * be * m0 * m0)) / (2.0 * be * m0)
    return al + be * q0 if q0 <= 0.1 else co


def abridged_ages(n_rows):
    return np.array([0, 1] + [5 * k for k in range(1, n_rows - 1)])


def constant_hazard_ax(n, m):
    return n + 1.0 / m - n / (1.0 - np.exp(-n * m))


def abridged_table(mx, female, region="west", radix=100000.0, a0_rule="andreev-kingkade"):
    """(ax, qx, lx, Lx) of an abridged table from mx (last row open): a0 by Andreev-Kingkade (or Coale-Demeny),
    Coale-Demeny 4a1 from the AK q0, Greville nax from 5-9 with the [0.4 n, 0.6 n] guard from 10-14 on
    (constant-hazard nax outside), q = n m / (1 + (n - a) m) (1 - e^(-n m) where that exceeds 1, nax kept), open
    L = l / m."""
    mx = np.asarray(mx, dtype=float)
    R = len(mx)
    n = np.array([1.0, 4.0] + [5.0] * (R - 2))
    ax = np.empty(R)
    a0_ak = a0_andreev_kingkade(mx[0], female)
    ax[0] = a0_ak if a0_rule == "andreev-kingkade" else a0_coale_demeny(mx[0], female, region)
    q0 = mx[0] / (1.0 + (1.0 - a0_ak) * mx[0])  # 4a1 from the AK q0 whatever a0 says
    (i_f, i_m), (c_f, c_m) = CD_4A1[region]
    ax[1] = ((i_f - 1.627 * q0) if q0 <= 0.1 else c_f) if female else ((i_m - 3.013 * q0) if q0 <= 0.1 else c_m)
    for i in range(2, R - 1):  # 5-9 … the last closed group; the open row's width is taken as n
        n_prev, n_next = n[i - 1], n[i]
        k = np.log(mx[i + 1] / mx[i - 1]) / (n_prev / 2 + n[i] + n_next / 2)
        a = n[i] / 2 - n[i] ** 2 / 12 * (mx[i] - k)
        if i >= 3 and not (0.4 * n[i] <= a <= 0.6 * n[i]):  # the guard from 10-14 on (5-9 kept, README)
            a = constant_hazard_ax(n[i], mx[i])
        ax[i] = a
    qx = np.empty(R)
    for i in range(R - 1):
        q = n[i] * mx[i] / (1.0 + (n[i] - ax[i]) * mx[i])
        if q > 1.0:  # DemoTools lt_id_ma_q (R/lt_id.R): the constant-hazard q, the row's nax kept
            q = 1.0 - np.exp(-n[i] * mx[i])
        qx[i] = q
    qx[-1] = 1.0
    ax[-1] = 1.0 / mx[-1]
    lx = np.empty(R)
    lx[0] = radix
    for i in range(R - 1):
        lx[i + 1] = lx[i] * (1.0 - qx[i])
    Lx = np.empty(R)
    for i in range(R - 1):
        Lx[i] = n[i] * lx[i + 1] + ax[i] * (lx[i] - lx[i + 1])
    Lx[-1] = lx[-1] / mx[-1]
    return ax, qx, lx, Lx


def close_abridged(mx, female, w, **method):
    """The rates of a grid to w+ (w a multiple of 5 below the table's open age): the table's own rows below w and the
    open rate m = l(w) / T(w) of the table built on all its rows (person-years kept)."""
    mx = np.asarray(mx, dtype=float)
    ages = abridged_ages(len(mx))
    _, _, lx, Lx = abridged_table(mx, female, **method)
    iw = int(np.nonzero(ages == w)[0][0])
    return np.concatenate([mx[:iw], [lx[iw] / Lx[iw:].sum()]])


def closed_table(mx, female, w, **method):
    """(lx, Lx) on a grid to w+ of a table given past w, in DemoTools' lt_abridged(OAnew = w) order (scenarios/README.md
    "Rows past the open age"): the table built on all its rows, then cut at w, Lx(w) = T(w)."""
    ages = abridged_ages(len(mx))
    _, _, lx, Lx = abridged_table(mx, female, **method)
    iw = int(np.nonzero(ages == w)[0][0])
    return lx[: iw + 1], np.concatenate([Lx[:iw], [Lx[iw:].sum()]])


def natural_spline_slopes(x, y):
    """First derivatives at the knots of the natural cubic spline (S'' = 0 at both ends) through (x, y)."""
    n = len(x)
    h = np.diff(x)
    d = np.diff(y) / h
    A = np.zeros((n, n))
    r = np.zeros(n)
    A[0, 0], A[0, 1], r[0] = 2.0, 1.0, 3.0 * d[0]
    for k in range(1, n - 1):
        A[k, k - 1], A[k, k], A[k, k + 1] = h[k], 2.0 * (h[k - 1] + h[k]), h[k - 1]
        r[k] = 3.0 * (h[k] * d[k - 1] + h[k - 1] * d[k])
    A[n - 1, n - 2], A[n - 1, n - 1], r[n - 1] = 1.0, 2.0, 3.0 * d[n - 2]
    return np.linalg.solve(A, r)


def hyman_filter(slopes, x, y):
    """Hyman (1983): 0 where the neighbouring secants differ in sign (or the slope has the other sign than the
    data), else |slope| at most 3 x the smaller neighbouring secant; at an end knot its one secant is both."""
    d = np.diff(y) / np.diff(x)
    out = slopes.copy()
    for k in range(len(x)):
        lo = d[0] if k == 0 else d[k - 1]
        hi = d[-1] if k == len(x) - 1 else d[k]
        if np.sign(lo) * np.sign(hi) <= 0 or np.sign(out[k]) != np.sign(hi):
            out[k] = 0.0
        else:
            out[k] = np.sign(hi) * min(abs(out[k]), 3.0 * min(abs(lo), abs(hi)))
    return out


def hermite(x, y, s, t):
    """The cubic Hermite spline with knot values y and slopes s, at t (x[0] <= t <= x[-1])."""
    k = min(int(np.searchsorted(x, t, side="right")) - 1, len(x) - 2)
    h = x[k + 1] - x[k]
    u = (t - x[k]) / h
    h00, h10, h01, h11 = 2 * u**3 - 3 * u**2 + 1, u**3 - 2 * u**2 + u, -2 * u**3 + 3 * u**2, u**3 - u**2
    return h00 * y[k] + h10 * h * s[k] + h01 * y[k + 1] + h11 * h * s[k + 1]


def graduate_to_single(mx, female, w):
    """Single-year rates 0 … w from abridged mx: ln l(x) of the abridged table at 0, 1, 5, …, W through a cubic
    Hermite spline with Hyman-filtered natural-spline slopes; m(a) = q / (1 - q/2), q = 1 - l(a+1)/l(a), for
    1 <= a < W; m(0) = m0; ages W … w take the open rate (w >= W), or w+ takes l(w)/T(w) (w < W)."""
    mx = np.asarray(mx, dtype=float)
    x = abridged_ages(len(mx)).astype(float)
    W = int(x[-1])
    _, _, lx, Lx = abridged_table(mx, female)
    y = np.log(lx)
    s = hyman_filter(natural_spline_slopes(x, y), x, y)
    lnl = lambda a: hermite(x, y, s, float(a))  # noqa: E731
    out = np.empty(w + 1)
    out[0] = mx[0]
    for a in range(1, min(w, W)):
        q = 1.0 - np.exp(lnl(a + 1) - lnl(a))
        out[a] = q / (1.0 - q / 2)
    if w >= W:
        out[W:] = mx[-1]
    else:
        l, T = 1.0, 0.0
        for a in range(w, W):
            l_next = np.exp(lnl(a + 1) - lnl(w))
            T += (l + l_next) / 2
            l = l_next
        T += l * Lx[-1] / lx[-1]
        out[w] = 1.0 / T
    return out
