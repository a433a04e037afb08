# SPDX-License-Identifier: Apache-2.0
"""DemoTools' lt_abridged(nMx, Age = 0, 1, 5, …, W, axmethod = "un", a0rule, Sex, region, mod = TRUE, OAnew = w) for
rates already given to W = 130 (no extrapolation: lt_abridged extends to 130 only when max(Age) < 130), in plain
numpy, written from DemoTools' documented order (timriffe/DemoTools at 806cdc3afe5b3fe2bfd7e63232eb2222f719e230:
R/lt_abridged.R, R/nAx.R lt_id_morq_a_greville, R/lt_id.R lt_id_ma_q / lt_id_lda_L, lt_rule_4a1_cd,
lt_rule_ak_m0_a0); no code copied, it does not call cohortgis nor the other references here.

The order that matters (scenarios/README.md "Rows past the open age"): the whole table is built from every given
rate first (the Greville nax of the group below w takes the table's own next rate as its upper neighbour), then cut
at w: nLx(w) = T(w), m(w) = l(w) / T(w).
"""
import numpy as np

# lt_rule_4a1_cd: Age1_4Const and Intercept by region (w, n, e, s) and sex (m, f); slopes m 3.013, f 1.627.
_CONST = {"w": (1.352, 1.361), "n": (1.558, 1.570), "e": (1.313, 1.324), "s": (1.240, 1.239)}
_ICPT = {"w": (1.653, 1.524), "n": (1.859, 1.733), "e": (1.614, 1.487), "s": (1.541, 1.402)}
_SLOPE = (3.013, 1.627)
# lt_rule_1a0_cd (UN Manual X, Table 164 via PAS): m: alpha, beta, const; f the same (west, north, south; east).
_CD_A0 = {"m": (0.0425, 2.875, 0.33), "f": (0.05, 3.0, 0.35)}
_CD_A0_EAST = {"m": (0.0025, 2.875, 0.29), "f": (0.01, 3.0, 0.31)}


def ak_a0(m0, sex):
    if sex == "m":
        return 0.14929 - 1.99545 * m0 if m0 < 0.0230 else (0.02832 + 3.26021 * m0 if m0 < 0.08307 else 0.29915)
    return 0.14903 - 2.05527 * m0 if m0 < 0.01724 else (0.04667 + 3.88089 * m0 if m0 < 0.06891 else 0.31411)


def cd_a0(m0, sex, region):
    al, be, co = (_CD_A0_EAST if region == "e" else _CD_A0)[sex]
    # q0 from m0 with a0 = al + be q0: the smaller root of be m0 q^2 - (1 + (1 - al) m0) q + m0 = 0.
    B = 1.0 + (1.0 - al) * m0
    q0 = (B - np.sqrt(B * B - 4.0 * be * m0 * m0)) / (2.0 * be * m0)
    return al + be * q0 if q0 <= 0.1 else co


def cd_4a1(m0, sex, region):
    a0 = ak_a0(m0, sex)  # lt_rule_4a1_cd's own a0rule default "ak", whatever the table's a0 rule
    q0 = m0 / (1.0 + (1.0 - a0) * m0)
    k = 0 if sex == "m" else 1
    return _CONST[region][k] if q0 > 0.1 else _ICPT[region][k] - _SLOPE[k] * q0


def _table(mx, sex, a0rule, region, radix, next_mx=None):
    """(age, n, ax, q, lx, L) of lt_abridged's whole table from rates on 0, 1, 5, …, open (open L = l / m).
    next_mx: the upper neighbour of the last closed group's Greville nax instead of the open rate."""
    m = np.asarray(mx, dtype=float)
    N = len(m)
    age = np.array([0, 1] + [5 * k for k in range(1, N - 1)], dtype=float)
    n = np.array([1.0, 4.0] + [5.0] * (N - 2))  # the open row's AgeInt is OAvalue = max(AgeInt) = 5
    up = m.copy()
    if next_mx is not None:
        up[N - 1] = next_mx
    # lt_id_morq_a_greville: nax = n/2 - n^2/12 (m - K / (n_prev/2 + n + n_next/2)), K = ln(m_next / m_prev).
    ax = np.full(N, np.nan)
    tiny = np.finfo(float).tiny
    for i in range(1, N - 1):
        K = np.log(max(up[i + 1], tiny) / max(m[i - 1], tiny))
        ax[i] = n[i] / 2 - n[i] ** 2 / 12 * (m[i] - K / (n[i - 1] / 2 + n[i] + n[i + 1] / 2))
        if (age[i] >= 10 and not (0.4 * n[i] <= ax[i] <= 0.6 * n[i])) or np.isnan(ax[i]):
            ax[i] = n[i] + 1 / m[i] - n[i] / (1 - np.exp(-n[i] * m[i]))  # constant hazard
    ax[0] = ak_a0(m[0], sex) if a0rule == "ak" else cd_a0(m[0], sex, region)
    ax[1] = cd_4a1(m[0], sex, region)
    ax[N - 1] = 1.0 / m[N - 1]  # max(Age) = 130: no closeout law
    q = n * m / (1 + (n - ax) * m)  # lt_id_ma_q (the rates here keep q < 1)
    q[N - 1] = 1.0
    assert np.all(q[:-1] <= 1.0)
    lx = radix * np.concatenate([[1.0], np.cumprod(1 - q[:-1])])
    dx = lx - np.concatenate([lx[1:], [0.0]])
    L = np.empty(N)
    L[:-1] = n[:-1] * lx[1:] + ax[:-1] * dx[:-1]
    L[-1] = lx[-1] * ax[-1]
    return age, n, ax, q, lx, L


def lt_abridged_oanew(mx, sex, w, a0rule="ak", region="w", radix=1e5):
    """The columns (Age, nAx, nqx, lx, nLx, Tx) of lt_abridged(..., OAnew = w) from rates mx on 0, 1, 5, …, 130;
    sex "m"/"f", region w/n/e/s, a0rule "ak"/"cd"."""
    age, _, ax, q, lx, L = _table(mx, sex, a0rule, region, radix)
    T = np.cumsum(L[::-1])[::-1]
    # The cut at OAnew: rows up to w, the open row's nLx = T(w) (and nMx = l(w) / T(w)).
    r = int(np.flatnonzero(age == w)[0])
    return age[: r + 1], ax[: r + 1], q[: r + 1], lx[: r + 1], np.concatenate([L[:r], [T[r]]]), T[: r + 1]


def grid_table(grid_mx, next_mx, sex, a0rule="ak", region="w", radix=1e5):
    """(lx, L) of a schedule on the grid's rows 0, 1, 5, …, w (open rate last) whose last closed group's Greville
    nax takes next_mx (the given table's own next rate, moved with the schedule) as its upper neighbour; next_mx None:
    the open rate (a table closed at w before its Greville nax, the order before round 22)."""
    _, _, _, _, lx, L = _table(grid_mx, sex, a0rule, region, radix, next_mx)
    return lx, L
