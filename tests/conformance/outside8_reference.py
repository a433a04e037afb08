# SPDX-License-Identifier: Apache-2.0
"""An eighth outside author's reference (round 23), for the `un-*` cases whose make_case.py imports it. Written from
scenarios/README.md (for the scenario format only) and a reading of the UN's own R code; the arithmetic is written
anew from the R sources below, not taken from cohortgis's source or the earlier references (whose Greville lines the
author had seen; conventions only, no code copied; GPL sources):

* timriffe/DemoTools at 806cdc3 (5 January 2026):
  - R/lt_abridged.R `lt_abridged` (default `axmethod = "pas"`; `OAnew` cuts the table built on all rows and closes
    the open row with nLx = Tx, nAx = ex; `Sx` from `lt_id_Ll_S(N = 5)`); with rows to 130 nothing is extrapolated.
  - R/lt_single.R `lt_single_mx` (nAx = 0.5 at every age but 0, including 130; a0 from `lt_rule_1a0`; the same cut
    at `OAnew`; `Sx` from `lt_id_Ll_S(N = 1)`).
  - R/nAx.R: `lt_a_pas` (AgeInt / 2, a0, 4a1, the open row 1 / m), `lt_id_morq_a_greville` (Greville from 5-9 with
    the 1 / 9.5 weight there, k = ln(max(m_next, DBL_MIN) / max(m_prev, DBL_MIN)), the constant-hazard nax where
    Age >= 10 and nax falls outside [0.4 n, 0.6 n]; `mod = FALSE` puts n / 2 at 5-9 and 10-14), `lt_rule_1a0_cd`,
    `lt_rule_4a1_cd` (its q0 from m0 with the AK a0 whatever the a0 rule).
  - R/lt_rule.R `lt_rule_ak_m0_a0`; R/lt_id.R `lt_id_ma_q` (q > 1 -> 1 - exp(-n m), the nax kept), `lt_id_q_l`,
    `lt_id_lda_L`, `lt_id_L_T`, `lt_id_Ll_S`.
* markalava/ccmppWPP at 09739c8: R/project_ccmpp_loop_over_time.R (counts / rates * P / totals spread by P; the
  override 0.00001 - P where P + M <= 0) and R/project_ccmpp_z_by_z.R (end population as lagged A minus cohort
  deaths plus the end half; births z F (A + Q) / 2 without the first and open rows; the floor 0.0005).

Never calls cohortgis. Ages: a grid row i holds ages i z; a population is {"female": array, "male": array}.
"""
import csv
import math
import os
import sys

import numpy as np

SEXES = ("female", "male")
DBL_MIN = sys.float_info.min
PATCH_NEGATIVE_NAX = True  # lt_a_un's patch of a negative nax (R/nAx.R:847-850); False only for a case's mutant

# lt_rule_1a0_cd (R/nAx.R): rows w, n, e, s; columns (m, f).
_CD0_CONST = {"w": (0.33, 0.35), "n": (0.33, 0.35), "e": (0.29, 0.31), "s": (0.33, 0.35)}
_CD0_ALPHA = {"w": (0.0425, 0.05), "n": (0.0425, 0.05), "e": (0.0025, 0.01), "s": (0.0425, 0.05)}
_CD0_BETA = (2.875, 3.0)
# lt_rule_4a1_cd (R/nAx.R)
_CD1_CONST = {"w": (1.352, 1.361), "n": (1.558, 1.570), "e": (1.313, 1.324), "s": (1.240, 1.239)}
_CD1_INT = {"w": (1.653, 1.524), "n": (1.859, 1.733), "e": (1.614, 1.487), "s": (1.541, 1.402)}
_CD1_SLOPE = (3.013, 1.627)


def _col(sex):
    return 0 if sex in ("m", "male") else 1


def ak_m0_a0(m0, sex):
    """lt_rule_ak_m0_a0 (R/lt_rule.R:314)."""
    if _col(sex) == 0:
        if m0 < 0.0230:
            return 0.14929 - 1.99545 * m0
        return 0.02832 + 3.26021 * m0 if m0 < 0.08307 else 0.29915
    if m0 < 0.01724:
        return 0.14903 - 2.05527 * m0
    return 0.04667 + 3.88089 * m0 if m0 < 0.06891 else 0.31411


def cd_1a0(m0, sex, region):
    """lt_rule_1a0_cd without IMR (R/nAx.R): the PAS LTPOPDTH root for q0, then alpha + beta q0 or the constant."""
    c = _col(sex)
    alpha, beta = _CD0_ALPHA[region][c], _CD0_BETA[c]
    a = m0 * beta
    b = 1 + m0 * (1 - alpha)
    mid = b ** 2 - 4 * a * m0
    q0 = 0.2 if mid <= 0 else (b - math.sqrt(mid)) / (2 * a)
    return _CD0_CONST[region][c] if q0 > 0.1 else alpha + beta * q0


def rule_1a0(rule, m0, sex, region):
    return cd_1a0(m0, sex, region) if rule == "cd" else ak_m0_a0(m0, sex)


def cd_4a1(m0, sex, region):
    """lt_rule_4a1_cd without IMR: q0 = lt_id_ma_q(m0, AK a0, 1, closeout = FALSE) (its a0rule is left "ak")."""
    c = _col(sex)
    a0 = ak_m0_a0(m0, sex)
    q0 = m0 / (1 + (1 - a0) * m0)
    if q0 > 1:
        q0 = 1 - math.exp(-m0)
    return _CD1_CONST[region][c] if q0 > 0.1 else _CD1_INT[region][c] - _CD1_SLOPE[c] * q0


def ma_q(m, ax, n):
    """lt_id_ma_q (R/lt_id.R:112) with closeout: q = n m / (1 + (n - a) m), the last 1, q > 1 -> 1 - exp(-n m)."""
    q = (n * m) / (1 + (n - ax) * m)
    q[-1] = 1.0
    big = q > 1
    q[big] = 1 - np.exp(-m[big] * n[big])
    q[q > 1] = 1.0
    return q


def _table(m, ax, n, radix):
    """lt_id_q_l, lt_id_l_d, lt_id_lda_L, lt_id_L_T: returns (q, l, L, T)."""
    q = ma_q(m, ax, n)
    l = radix * np.cumprod(np.concatenate([[1.0], 1 - q[:-1]]))
    d = -np.diff(np.concatenate([l, [0.0]]))
    L = np.empty_like(l)
    L[:-1] = n[:-1] * l[1:] + ax[:-1] * d[:-1]
    L[-1] = l[-1] * ax[-1]
    T = np.cumsum(L[::-1])[::-1]
    return q, l, L, T


def abridged_ages(rows):
    return np.array([0, 1] + [5 * k for k in range(1, rows - 1)], dtype=float)


def lt_abridged(m, sex, axmethod="pas", a0rule="ak", region="w", mod=True, OAnew=None, radix=1e5):
    """lt_abridged(nMx = m, Age = 0, 1, 5, …, 130) (rows to 130: no extrapolation), cut at OAnew. Returns a dict
    with Age, nAx, lx, nLx (the open row's = Tx), Tx, Sx (lt_id_Ll_S(N = 5), one per five-year group)."""
    m = np.asarray(m, dtype=float)
    N = len(m)
    age = abridged_ages(N)
    assert age[-1] == 130
    n = np.array([1.0, 4.0] + [5.0] * (N - 2))  # age2int(OAG = TRUE, OAvalue = max(AgeInt)): the open row 5
    if axmethod == "pas":
        ax = n / 2  # lt_a_pas
    else:  # lt_id_morq_a_greville
        Abx = 1 / (np.concatenate([[np.nan], n[:-1]]) / 2 + n + np.concatenate([n[1:], [np.nan]]) / 2)
        Kx = np.log(np.maximum(np.concatenate([m[1:], [np.nan]]), DBL_MIN) /
                    np.maximum(np.concatenate([[np.nan], m[:-1]]), DBL_MIN))
        ax = n / 2 - (n ** 2 / 12) * (m - Kx * Abx)
        with np.errstate(divide="ignore", invalid="ignore"):
            axc = n + 1 / m - n / (1 - np.exp(-n * m))
        bad = ((age >= 10) & (age < age.max()) & ((ax < 0.4 * n) | (ax > 0.6 * n))) | np.isnan(ax)
        ax[bad] = axc[bad]
        if not mod:
            ax[2:4] = n[2:4] / 2
        # lt_a_un's last patch (R/nAx.R:847-850; added in round 24, h140): a NaN or negative nax becomes AgeInt / 2
        # (a 0 at 10-14 puts the unguarded 5a5 near -151: 2.5 in DemoTools). a0, 4a1 and the open row are > 0.
        patched = np.isnan(ax) | ((ax < 0) & PATCH_NEGATIVE_NAX)
        ax[patched] = n[patched] / 2
    ax[0] = rule_1a0(a0rule, m[0], sex, region)
    ax[1] = cd_4a1(m[0], sex, region)
    ax[-1] = 1 / m[-1]
    q, l, L, T = _table(m, ax, n, radix)
    w = N - 1 if OAnew is None else int(np.where(age == OAnew)[0][0])
    age, l, L, T, ax = age[: w + 1], l[: w + 1], L[: w + 1].copy(), T[: w + 1], ax[: w + 1].copy()
    L[-1] = T[-1]
    ax[-1] = T[-1] / l[-1]
    return {"Age": age, "nAx": ax, "lx": l, "nLx": L, "Tx": T, "Sx": Ll_S5(L, radix)}


def Ll_S5(L, radix):
    """lt_id_Ll_S(N = 5) (R/lt_id.R:284) by the age at arrival: (L0 + L1) / (5 radix), L5 / (L0 + L1), L_{x+5} / L_x,
    T_w / (L_{w-5} + T_w); n - 1 values for n abridged rows. DemoTools stops when a closed nLx >= 5 radix."""
    n = len(L)
    assert np.all(L[:-1] < 5 * radix), "lt_id_Ll_S: nLx[-n] < radix * N fails (DemoTools stops)"
    S = np.empty(n - 1)
    S[0] = (L[0] + L[1]) / (5 * radix)
    S[1] = L[2] / (L[0] + L[1])
    S[2:n - 2] = L[3:n - 1] / L[2:n - 2]
    S[n - 2] = L[n - 1] / (L[n - 2] + L[n - 1])
    return S


def lt_single_mx(m, sex, a0rule="ak", region="w", OAnew=None, radix=1e5):
    """lt_single_mx(nMx = m, Age = 0 … 130) (no extrapolation at 130), cut at OAnew: dict with Age, lx, nLx (open =
    Tx), Sx (lt_id_Ll_S(N = 1))."""
    m = np.asarray(m, dtype=float)
    N = len(m)
    assert N == 131
    n = np.ones(N)
    ax = np.full(N, 0.5)
    ax[0] = rule_1a0(a0rule, m[0], sex, region)
    q, l, L, T = _table(m, ax, n, radix)
    w = N - 1 if OAnew is None else OAnew
    l, L, T = l[: w + 1], L[: w + 1].copy(), T[: w + 1]
    L[-1] = T[-1]
    return {"Age": np.arange(w + 1), "lx": l, "nLx": L, "Tx": T, "Sx": Ll_S1(L, radix)}


def Ll_S1(L, radix):
    """lt_id_Ll_S(N = 1): c(radix, L) ratios, the last T_w / (L_{w-1} + T_w)."""
    assert np.all(L[:-1] < radix)
    LL = np.concatenate([[radix], L])
    S = LL[1:] / LL[:-1]
    S[-1] = L[-1] / (L[-2] + L[-1])
    return S


def ccmpp_step(P, S, asfr, srb, mig, z, assumption):
    """project_ccmpp_loop_over_time's override, then project_ccmpp_z_by_z. mig: the step's net migrants by sex
    (counts; the caller makes rates and totals counts from P as the loop does). Returns (end P, births, deaths,
    migrants after the override)."""
    M = {}
    for s in SEXES:
        x = np.array(mig[s], dtype=float)
        hit = P[s] + x <= 0
        x[hit] = 0.00001 - P[s][hit]
        M[s] = x
    nage = len(P["female"])
    adj, endm, D, E = {}, {}, {}, {}
    for s in SEXES:
        if assumption == "end":
            adj[s] = P[s].copy()
            endm[s] = np.zeros(nage)
        else:
            adj[s] = P[s] + M[s] / 2
            endm[s] = M[s] / 2
        lag = np.concatenate([[np.nan], adj[s][:-1]])
        d = (1 - S[s]) * lag
        d[-1] = (1 - S[s][-1]) * (adj[s][-2] + adj[s][-1])
        e = lag - d + endm[s]
        e[-1] = adj[s][-2] + adj[s][-1] - d[-1] + endm[s][-1]
        D[s], E[s] = d, e
    b = z * np.asarray(asfr, dtype=float) * (adj["female"] + E["female"]) / 2
    b[0] = 0.0
    b[-1] = 0.0
    B = b.sum()
    Bs = {"female": B * (1 / (1 + srb))}
    Bs["male"] = B - Bs["female"]
    for s in SEXES:
        D[s][0] = (1 - S[s][0]) * Bs[s]
        E[s][0] = Bs[s] - D[s][0] + endm[s][0]
        if assumption == "end":
            E[s] = E[s] + M[s]
        E[s][E[s] < 0] = 0.0005
    return E, Bs, D, M


def rates_to_counts(rates, P):
    return {s: np.asarray(rates[s], dtype=float) * P[s] for s in SEXES}


def total_to_counts(total, P):
    tot = sum(P[s].sum() for s in SEXES)
    return {s: total * P[s] / tot for s in SEXES}


# ---------------------------------------------------------------- files


def write_csv(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for r in rows:
            w.writerow([repr(float(v)) if isinstance(v, (float, np.floating)) else v for v in r])


def long_rows(years, table, ages, extra=()):
    """ccmppWPP long rows (time_start, sex, age_start, value) of {year: {sex: array}} (or {sex: array} for one year)."""
    out = []
    for y in years:
        t = table[y] if y in table else table
        for s in SEXES:
            for i, a in enumerate(ages):
                out.append([y, s, int(a), float(t[s][i])] + list(extra))
    return out


class Expected:
    """Rows of expected.csv (variant, year, zone, group, sex, age, population)."""

    def __init__(self):
        self.rows = []

    def add(self, variant, year, P, z, zone="X"):
        for s in SEXES:
            for i, v in enumerate(P[s]):
                self.rows.append([variant, year, zone, "total", s, i * z, float(v)])

    def write(self, folder):
        write_csv(os.path.join(folder, "expected.csv"),
                  ["variant", "year", "zone", "group", "sex", "age", "population"], self.rows)


def case_folder(argv, here):
    """The folder to write: the case's own, or `--mutant DIR` (then the caller writes a deliberately wrong
    expected.csv there and copies the inputs with copy_inputs). The tables are written into the case's folder, the
    working directory from here on."""
    if "--mutant" in argv:
        d = os.path.abspath(argv[argv.index("--mutant") + 1])
        os.makedirs(d, exist_ok=True)
        os.chdir(here)
        return d, True
    os.chdir(here)
    return here, False


def copy_inputs(here, out):
    import shutil
    for f in os.listdir(here):
        if f not in ("make_case.py", "expected.csv") and os.path.isfile(os.path.join(here, f)):
            shutil.copy(os.path.join(here, f), out)


# ---------------------------------------------------------------- schedules of this author's cases


def _kannisto(x, a, b):
    c = a * np.exp(b * x)
    return c / (1 + c)


def abridged_mx(sex, level=1.0, plateau=1.0):
    """Abridged rates 0, 1, 5, …, 130 (28 rows): an infant and a child rate, then a Makeham term and a logistic
    (Kannisto) senescent term (rising to `plateau`) evaluated at each group's middle; level scales all of them."""
    k = 1.0 if sex == "female" else 1.3
    ages = abridged_ages(28)
    mid = ages + np.array([0.5, 2.0] + [2.5] * 26)
    m = level * k * (0.00015 + plateau * _kannisto(mid, 2.6e-5 / plateau, 0.098))
    m[0] = level * k * 0.018
    m[1] = level * k * 0.0011
    m[2] = level * k * 0.00042
    return ages, m


def single_mx(sex, level=1.0):
    """Single-year rates 0 … 130: infant, a falling child term, a Makeham term and a logistic senescent term."""
    x = np.arange(131, dtype=float)
    k = 1.0 if sex == "female" else 1.25
    m = level * k * (0.00012 + 0.004 * np.exp(-0.9 * x) + _kannisto(x + 0.5, 3.1e-5, 0.101))
    m[0] = level * k * 0.0105
    return m
