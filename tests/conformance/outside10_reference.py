# SPDX-License-Identifier: Apache-2.0
"""A tenth outside author's reference (round 24), for the `un-*` cases whose make_case.py imports it. Written from
scenarios/README.md (the scenario format only) and the UN's own R code read anew; the arithmetic is this author's,
not taken from cohortgis's source or the earlier references (GPL sources; conventions only, no code copied):

* timriffe/DemoTools at 806cdc3:
  - R/lt_abridged.R `lt_abridged` (lines 165-462): nMx, nqx or lx input (lx: q = d / l, lines 254-258; q input: nAx
    from q, then nMx = lt_id_qa_m(q, nAx), lines 272-331); with rows to 130 nothing is extrapolated (line 344), and
    nAx is made again from nMx (lines 372-383), q from nMx and nAx (385-390); the table is cut at OAnew (411-442).
  - R/nAx.R: `lt_a_pas` (256-324: AgeInt / 2, a0 from the rule with M0 = the first value, 4a1 from it, the open row
    1 / its value), `lt_id_morq_a_greville` (436-597: Greville with k = ln(max(m_next, DBL_MIN) / max(m_prev,
    DBL_MIN)) and the weight 1 / (n_prev / 2 + n + n_next / 2); the constant-hazard nax from Age >= 10 outside
    [0.4 n, 0.6 n] or NaN (line 556); with q given: a0 and 4a1 from IMR = q0, m := q, and the patch of lines
    567-571 from 65 on), `lt_a_un` (690-854: with q given the fixed-point loop of lines 777-811, tolerance
    .Machine$double.eps on the sum of squares; the open row 1 / nMx for tables past 125 (833-845); **lines 847-850:
    every nax that is NaN or below 0 becomes AgeInt / 2**), `lt_id_morq_a` (949-1055), `lt_rule_1a0_cd` (59-103:
    no real root -> IMR = 0.2, the constant), `lt_rule_4a1_cd` (152-219: with IMR given it is used as q0).
  - R/lt_rule.R `lt_rule_ak_q0_a0` (292-300), `lt_rule_ak_m0_a0` (314-323, strict `<` at the segment bounds),
    `lt_rule_1a0` (365-401).
  - R/lt_single.R `lt_single_mx` (23-197: nAx 0.5 but at 0, also at 130; the cut at OAnew); R/lt_single_qx.R
    `lt_single_qx` (23-113: a0 from q0 by the rule, nMx = lt_id_qa_m(q, nAx), then `lt_single_mx(a0rule = "ak",
    OAG = FALSE)`).
  - R/lt_id.R `lt_id_qa_m` (19-21), `lt_id_ma_q` (233-272), `lt_id_q_l` (99-101), `lt_id_l_d` (114-116),
    `lt_id_lda_L` (186-193), `lt_id_L_T` (205-207), `lt_id_Ll_S` (284-337).
* markalava/ccmppWPP at 09739c8: R/project_ccmpp_loop_over_time.R (lines 62-90: counts, rates times the start
  population, totals spread by it; the override 0.00001 - P where P + M <= 0) and R/project_ccmpp_z_by_z.R (lines
  79-143).

Never calls cohortgis. A population is {"female": array, "male": array} by grid row.
"""
import csv
import math
import os
import shutil
import sys

import numpy as np

SEXES = ("female", "male")
DBL_MIN = sys.float_info.min  # .Machine$double.xmin
DBL_EPS = sys.float_info.epsilon  # .Machine$double.eps


def sex_letter(sex):
    return "m" if sex in ("m", "male") else "f"


# ---------------------------------------------------------------- a0 and 4a1 (R/lt_rule.R, R/nAx.R)

def ak_m0_a0(m0, sex):
    """lt_rule_ak_m0_a0, R/lt_rule.R:314-323 (ifelse(M0 < bound, …): a rate equal to a bound is in the next segment)."""
    if sex_letter(sex) == "m":
        if m0 < 0.0230:
            return 0.14929 - 1.99545 * m0
        if m0 < 0.08307:
            return 0.02832 + 3.26021 * m0
        return 0.29915
    if m0 < 0.01724:
        return 0.14903 - 2.05527 * m0
    if m0 < 0.06891:
        return 0.04667 + 3.88089 * m0
    return 0.31411


def ak_q0_a0(q0, sex):
    """lt_rule_ak_q0_a0, R/lt_rule.R:292-300."""
    if sex_letter(sex) == "m":
        if q0 < 0.0226:
            return 0.1493 - 2.0367 * q0
        if q0 < 0.0785:
            return 0.0244 + 3.4994 * q0
        return 0.2991
    if q0 < 0.0170:
        return 0.1490 - 2.0867 * q0
    if q0 < 0.0658:
        return 0.0438 + 4.1075 * q0
    return 0.3141


# R/nAx.R:70-86, rows w n e s, columns m f
CD_A0_CONST = {"w": (0.33, 0.35), "n": (0.33, 0.35), "e": (0.29, 0.31), "s": (0.33, 0.35)}
CD_A0_INTERCEPT = {"w": (0.0425, 0.05), "n": (0.0425, 0.05), "e": (0.0025, 0.01), "s": (0.0425, 0.05)}
CD_A0_SLOPE = (2.875, 3.000)
# R/nAx.R:186-200
CD_4A1_CONST = {"w": (1.352, 1.361), "n": (1.558, 1.570), "e": (1.313, 1.324), "s": (1.240, 1.239)}
CD_4A1_INTERCEPT = {"w": (1.653, 1.524), "n": (1.859, 1.733), "e": (1.614, 1.487), "s": (1.541, 1.402)}
CD_4A1_SLOPE = (3.013, 1.627)


def _col(sex):
    return 0 if sex_letter(sex) == "m" else 1


def cd_1a0(M0, sex, region, IMR=None):
    """lt_rule_1a0_cd, R/nAx.R:59-103: without IMR, q0 is the smaller root of beta m0 q^2 - (1 + m0 (1 - alpha)) q
    + m0; no real root (b^2 - 4 a m0 <= 0) sets IMR = 0.2 (the constant); a0 = const if IMR > 0.1."""
    c = _col(sex)
    alpha, beta = CD_A0_INTERCEPT[region][c], CD_A0_SLOPE[c]
    if IMR is None:
        a = M0 * beta
        b = 1 + M0 * (1 - alpha)
        mid = b ** 2 - 4 * a * M0
        IMR = 0.2 if mid <= 0 else (b - math.sqrt(mid)) / (2 * a)
    return CD_A0_CONST[region][c] if IMR > 0.1 else alpha + beta * IMR


def rule_1a0(rule, sex, region, M0=None, q0=None, IMR=None):
    """lt_rule_1a0, R/lt_rule.R:365-401 (single sex)."""
    if rule == "cd":
        return cd_1a0(M0, sex, region, IMR)
    if M0 is None and q0 is None and IMR is not None:
        q0 = IMR
    return ak_m0_a0(M0, sex) if M0 is not None else ak_q0_a0(q0, sex)


def cd_4a1(sex, region, M0=None, IMR=None):
    """lt_rule_4a1_cd, R/nAx.R:152-219 (its own a0rule stays "ak": no caller passes one): without IMR, q0 =
    lt_id_ma_q(M0, AK a0, 1, closeout = FALSE)."""
    c = _col(sex)
    if IMR is None:
        a0 = ak_m0_a0(M0, sex)
        IMR = float(ma_q(np.array([M0]), np.array([a0]), np.array([1.0]), closeout=False)[0])
    return CD_4A1_CONST[region][c] if IMR > 0.1 else CD_4A1_INTERCEPT[region][c] - CD_4A1_SLOPE[c] * IMR


# ---------------------------------------------------------------- identities (R/lt_id.R)

def qa_m(q, a, n):
    """lt_id_qa_m, R/lt_id.R:19-21."""
    return q / (n - (n - a) * q)


def ma_q(m, a, n, closeout=True):
    """lt_id_ma_q, R/lt_id.R:233-272: n m / (1 + (n - a) m); the last 1 with closeout; q > 1 -> 1 - exp(-m n)."""
    q = (n * m) / (1 + (n - a) * m)
    if closeout:
        q[-1] = 1.0
    big = q > 1
    q[big] = 1 - np.exp(-m[big] * n[big])
    q[q > 1] = 1.0
    return q


def q_l(q, radix):
    """lt_id_q_l, R/lt_id.R:99-101."""
    return radix * np.cumprod(np.concatenate([[1.0], 1 - q[:-1]]))


def l_d(l):
    """lt_id_l_d, R/lt_id.R:114-116."""
    return np.diff(-np.concatenate([l, [0.0]]))


def lda_L(l, d, a, n):
    """lt_id_lda_L, R/lt_id.R:186-193."""
    L = np.zeros(len(l))
    L[:-1] = n[:-1] * l[1:] + a[:-1] * d[:-1]
    L[-1] = l[-1] * a[-1]
    return L


def L_T(L):
    return np.cumsum(L[::-1])[::-1]


def Ll_S(L, radix, N):
    """lt_id_Ll_S, R/lt_id.R:284-337, by the age at arrival (N = 5: n - 1 values for n abridged rows)."""
    n = len(L)
    assert np.all(L >= 0) and np.all(L[:-1] < radix * N), "lt_id_Ll_S stops: nLx >= radix * N"
    if N == 5:
        S = np.empty(n - 1)
        S[0] = (L[0] + L[1]) / (5 * radix)
        S[1] = L[2] / (L[0] + L[1])
        S[2:n - 2] = L[3:n - 1] / L[2:n - 2]
        S[n - 2] = L[n - 1] / (L[n - 2] + L[n - 1])
        return S
    LL = np.concatenate([[radix], L])
    S = LL[1:] / LL[:-1]
    S[-1] = L[-1] / (L[-2] + L[-1])
    return S


# ---------------------------------------------------------------- nAx (R/nAx.R)

def abridged_ages(last=130):
    return np.array([0.0, 1.0] + list(range(5, last + 1, 5)))


def abridged_widths(ages):
    """age2int(Age, OAvalue = 5): 1, 4, 5, …, and 5 for the open row."""
    return np.array([1.0, 4.0] + [5.0] * (len(ages) - 2))


def a_pas(first, n, sex, region, a0rule):
    """lt_a_pas, R/nAx.R:256-324, called with `nMx = first` (the rates, or the q when only q is known: line 985)."""
    ax = n / 2
    ax[0] = rule_1a0(a0rule, sex, region, M0=first[0])
    ax[1] = cd_4a1(sex, region, M0=first[0])
    ax[-1] = 1 / first[-1]
    return ax


def _shift_prev(v):
    return np.concatenate([[np.nan], v[:-1]])


def _shift_next(v):
    return np.concatenate([v[1:], [np.nan]])


def a_greville(ages, n, sex, region, a0rule, mod=True, nMx=None, nqx=None, IMR=None):
    """lt_id_morq_a_greville, R/nAx.R:436-597, for tables to 130 (the open row 1 / nMx, line 593)."""
    if nMx is not None:
        a0 = rule_1a0(a0rule, sex, region, M0=nMx[0], IMR=IMR)
        a1 = cd_4a1(sex, region, M0=nMx[0], IMR=IMR)
        qind = False
        m = nMx
    else:
        q = nqx.copy()
        if IMR is not None:
            q[0] = IMR
        a0 = rule_1a0(a0rule, sex, region, q0=q[0], IMR=q[0])
        a1 = cd_4a1(sex, region, IMR=q[0])
        m = q  # line 522: nMx <- nqx
        qind = True
    with np.errstate(divide="ignore", invalid="ignore"):
        const = n + 1 / m - n / (1 - np.exp(-n * m))
        w = 1 / (_shift_prev(n) / 2 + n + _shift_next(n) / 2)
        k = np.log(np.maximum(_shift_next(m), DBL_MIN) / np.maximum(_shift_prev(m), DBL_MIN))
        ax = n / 2 - (n ** 2 / 12) * (m - k * w)
    # line 556: & binds before |
    bad = ((ages >= 10) & (ages < ages.max()) & ((ax < 0.4 * n) | (ax > 0.6 * n))) | np.isnan(ax)
    ax[bad] = const[bad]
    if qind:  # lines 567-571
        fill = _shift_prev(ax) * 0.8
        with np.errstate(invalid="ignore"):
            hit = (ages >= 65) & (ax < fill)
        ax[hit] = fill[hit]
    ax[0], ax[1] = a0, a1
    if not mod:
        ax[2:4] = n[2:4] / 2
    ax[-1] = 1 / m[-1]
    return ax


def a_un(ages, n, sex, region, a0rule, mod=True, nMx=None, nqx=None, patch=True):
    """lt_a_un, R/nAx.R:690-854 for tables to 130; `patch = "nan"` (a mutant) keeps a negative nax, setting only NaN
    to n / 2 (lines 847-850 set both)."""
    if nqx is None:
        axi = a_greville(ages, n, sex, region, a0rule, mod, nMx=nMx)
        m = nMx
    else:
        axi = a_greville(ages, n, sex, region, a0rule, mod, nqx=nqx, IMR=nqx[0])
        for _ in range(1000):  # maxit = 1e3
            mxi = qa_m(nqx, axi, n)
            axi = a_greville(ages, n, sex, region, a0rule, mod, nMx=mxi, IMR=nqx[0])
            qnew = ma_q(mxi, axi, n, closeout=False)
            if np.sum((qnew - nqx) ** 2) < DBL_EPS:
                break
        m = qa_m(nqx, axi, n)
    axi = axi.copy()
    axi[-1] = 1 / m[-1]  # max(Age) > 125
    if patch:
        bad = np.isnan(axi) | ((axi < 0) if patch is True else False)
        axi[bad] = n[bad] / 2
    return axi


def morq_a(ages, n, sex, region, a0rule, axmethod, mod=True, nMx=None, nqx=None, patch=True):
    """lt_id_morq_a, R/nAx.R:949-1055."""
    if axmethod == "pas":
        return a_pas(nMx if nMx is not None else nqx, n, sex, region, a0rule)
    return a_un(ages, n, sex, region, a0rule, mod, nMx=nMx, nqx=nqx, patch=patch)


# ---------------------------------------------------------------- life tables

def lt_abridged(sex, nMx=None, nqx=None, lx=None, axmethod="pas", a0rule="ak", region="w", mod=True, OAnew=130,
                radix=1e5, patch=True):
    """lt_abridged (R/lt_abridged.R:165-462) on rows 0, 1, 5, …, 130 (no extrapolation). Returns a dict of the
    output columns Age, nMx, nAx, nqx, lx, ndx, nLx, Tx and Sx (lt_id_Ll_S(N = 5), the last 0)."""
    ages = abridged_ages()
    n = abridged_widths(ages)
    mxflag, qxflag = nMx is not None, nqx is not None
    if not qxflag and lx is not None:  # lines 254-258
        lx = np.asarray(lx, dtype=float)
        nqx = l_d(lx) / lx
        qxflag = True
    if not mxflag:  # lines 272-294
        nqx = np.minimum(np.asarray(nqx, dtype=float), 1.0)
        ax = morq_a(ages, n, sex, region, a0rule, axmethod, mod, nqx=nqx, patch=patch)
        m = qa_m(nqx, ax, n)  # lines 326-331
    else:
        m = np.asarray(nMx, dtype=float)
    momega = m[-1]
    ax = morq_a(ages, n, sex, region, a0rule, axmethod, mod, nMx=m, patch=patch)  # lines 372-383
    q = ma_q(m, ax, n)  # lines 385-390
    m = m.copy()
    m[0] = qa_m(q[0], ax[0], 1.0)  # line 394
    l = q_l(q, radix)
    d = l_d(l)
    L = lda_L(l, d, ax, n)
    T = L_T(L)
    e = T / l
    keep = ages <= OAnew  # lines 411-442
    ages, n, ax, m, q, l, L, T, e = (v[keep].copy() for v in (ages, n, ax, m, q, l, L, T, e))
    d = l_d(l)
    q[-1] = 1.0
    L[-1] = T[-1]
    ax[-1] = e[-1]
    m[-1] = momega if (mxflag and OAnew == 130) else l[-1] / T[-1]
    S = np.concatenate([Ll_S(L, radix, 5), [0.0]])
    return {"Age": ages, "nMx": m, "nAx": ax, "nqx": q, "lx": l, "ndx": d, "nLx": L, "Tx": T, "ex": e, "Sx": S}


def lt_single_mx(nMx, sex, a0rule="ak", region="w", OAnew=130, radix=1e5):
    """lt_single_mx (R/lt_single.R:23-197) on ages 0 … 130 (no extrapolation)."""
    m = np.asarray(nMx, dtype=float)
    assert len(m) == 131
    n = np.ones(131)
    ax = np.full(131, 0.5)
    ax[0] = rule_1a0(a0rule, sex, region, M0=m[0])
    q = ma_q(m, ax, n)
    l = q_l(q, radix)
    L = lda_L(l, l_d(l), ax, n)
    T = L_T(L)
    w = OAnew
    l, L, T, ax, q = l[: w + 1], L[: w + 1].copy(), T[: w + 1], ax[: w + 1].copy(), q[: w + 1].copy()
    L[-1] = T[-1]
    q[-1] = 1.0
    ax[-1] = T[-1] / l[-1]
    mout = m[: w + 1].copy()
    if w != 130:
        mout[-1] = l[-1] / T[-1]
    return {"Age": np.arange(w + 1), "nMx": mout, "nAx": ax, "nqx": q, "lx": l, "nLx": L, "Tx": T,
            "Sx": Ll_S(L, radix, 1)}


def lt_single_qx_rates(nqx, sex, a0rule="ak", region="w"):
    """The rates lt_single_qx (R/lt_single_qx.R:23-113, OAG = FALSE, q at 130 below 1: no row dropped, nothing
    extrapolated) hands to lt_single_mx: a0 from q0 by the rule (lt_rule_1a0(q0 = …); with "cd" DemoTools stops,
    lt_rule_1a0_cd has no M0), nAx 0.5 elsewhere, nMx = lt_id_qa_m(q, nAx, 1). lt_single_mx then runs with
    a0rule = "ak" (line 100) whatever the rule given."""
    q = np.asarray(nqx, dtype=float)
    assert len(q) == 131 and q[-1] < 1
    ax = np.full(131, 0.5)
    ax[0] = rule_1a0(a0rule, sex, region, q0=q[0])
    return qa_m(q, ax, np.ones(131))


# ---------------------------------------------------------------- ccmppWPP's step

def override(P, M):
    """project_ccmpp_loop_over_time lines 89-90."""
    out = {}
    for s in SEXES:
        x = np.array(M[s], dtype=float)
        hit = P[s] + x <= 0
        x[hit] = 0.00001 - P[s][hit]
        out[s] = x
    return out


def step(P, S, asfr, srb, M, z, assumption):
    """project_ccmpp_z_by_z (R/project_ccmpp_z_by_z.R:79-143) after the loop's override; returns the end
    population. M: the step's net migrants by sex (counts; rates and totals already made counts from P)."""
    M = override(P, M)
    A, Eh, Q = {}, {}, {}
    for s in SEXES:
        if assumption == "end":
            A[s], Eh[s] = P[s].copy(), np.zeros(len(P[s]))
        else:
            A[s], Eh[s] = P[s] + M[s] / 2, M[s] / 2
        lag = np.concatenate([[np.nan], A[s][:-1]])
        deaths = (1 - S[s]) * lag
        deaths[-1] = (1 - S[s][-1]) * (A[s][-2] + A[s][-1])
        Q[s] = lag - deaths + Eh[s]
        Q[s][-1] = A[s][-2] + A[s][-1] - deaths[-1] + Eh[s][-1]
    b = z * np.asarray(asfr, dtype=float) * (A["female"] + Q["female"]) / 2
    b[0] = b[-1] = 0.0
    total = b.sum()
    births = {"female": total * (1 / (1 + srb))}
    births["male"] = total - births["female"]
    for s in SEXES:
        Q[s][0] = births[s] - (1 - S[s][0]) * births[s] + Eh[s][0]
        if assumption == "end":
            Q[s] = Q[s] + M[s]
        Q[s][Q[s] < 0] = 0.0005
    return Q


def rates_to_counts(rates, P):
    return {s: np.asarray(rates[s], dtype=float) * P[s] for s in SEXES}


# ---------------------------------------------------------------- files

def write_csv(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for r in rows:
            w.writerow([repr(float(v)) if isinstance(v, (float, np.floating)) else v for v in r])


class Expected:
    """Rows of expected.csv (variant, year, zone, group, sex, age, population)."""

    def __init__(self):
        self.rows = []

    def add(self, variant, year, P, z):
        for s in SEXES:
            for i, v in enumerate(P[s]):
                self.rows.append([variant, year, "X", "total", s, i * z, float(v)])

    def write(self, folder):
        write_csv(os.path.join(folder, "expected.csv"),
                  ["variant", "year", "zone", "group", "sex", "age", "population"], self.rows)


def case_folder(argv, here):
    """(folder for expected.csv, mutant?): `--mutant DIR` writes the inputs and a deliberately wrong expected.csv
    there; the tables are always written in the case's folder (the working directory from here on)."""
    os.chdir(here)
    if "--mutant" in argv:
        d = os.path.abspath(argv[argv.index("--mutant") + 1])
        os.makedirs(d, exist_ok=True)
        return d, True
    return here, False


def copy_inputs(here, out):
    for f in os.listdir(here):
        if f not in ("make_case.py", "expected.csv") and os.path.isfile(os.path.join(here, f)):
            shutil.copy(os.path.join(here, f), out)


def logistic(x, a, b):
    c = a * np.exp(b * x)
    return c / (1 + c)
