# SPDX-License-Identifier: Apache-2.0
"""A seventh outside author's reference (round 22), for the `un-*` cases whose make_case.py imports it. Written from
scenarios/README.md and the UN's own code as its author knows it, not from cohortgis's source or the earlier
references: ccmppWPP's `project_ccmpp_loop_over_time` / `project_ccmpp_z_by_z` (markalava/ccmppWPP; the override
0.00001 − P where P + M <= 0, half the migrants at the start and half at the end under "even", births
z · F · (A + Q) / 2 with the first and open age groups' births set to 0, the floor 0.0005) and DemoTools' life tables
(timriffe/DemoTools 806cdc3: `lt_abridged` with `axmethod = "un"`, `mod = TRUE`, `lt_single_mx`, `lt_id_Ll_S`,
`lt_rule_1a0_cd`, `lt_rule_4a1_cd`, `lt_rule_ak_m0_a0`, `lt_id_morq_a_greville`, `lt_id_ma_q`). Conventions only,
no code copied. Never calls cohortgis. File helpers (CSV, XLSX, mutant folders) are outside5_reference.py's.

Grid: index i = 0 … w (w the open group), ages i·z. A population is {sex: numpy array}.
"""
import math
import os
import shutil
import sys

import numpy as np

from outside5_reference import SEXES, expected_rows, out_dir, write_csv, write_expected  # noqa: F401
from outside5_reference import write_xlsx  # noqa: F401

OVERRIDE = 0.00001
FLOOR = 0.0005
DBL_MIN = sys.float_info.min

# DemoTools lt_rule_1a0_cd / lt_rule_4a1_cd, by region and sex (f, m).
CD_A0_CONST = {"w": (0.35, 0.33), "n": (0.35, 0.33), "e": (0.31, 0.29), "s": (0.35, 0.33)}
CD_A0_ALPHA = {"w": (0.05, 0.0425), "n": (0.05, 0.0425), "e": (0.01, 0.0025), "s": (0.05, 0.0425)}
CD_A0_BETA = (3.0, 2.875)
CD_4A1_CONST = {"w": (1.361, 1.352), "n": (1.570, 1.558), "e": (1.324, 1.313), "s": (1.239, 1.240)}
CD_4A1_INT = {"w": (1.524, 1.653), "n": (1.733, 1.859), "e": (1.487, 1.614), "s": (1.402, 1.541)}
CD_4A1_SLOPE = (1.627, 3.013)


def sx(sex):
    return 0 if sex == "female" else 1


def ak_a0(m0, sex):
    """lt_rule_ak_m0_a0."""
    if sex == "male":
        return 0.14929 - 1.99545 * m0 if m0 < 0.0230 else (0.02832 + 3.26021 * m0 if m0 < 0.08307 else 0.29915)
    return 0.14903 - 2.05527 * m0 if m0 < 0.01724 else (0.04667 + 3.88089 * m0 if m0 < 0.06891 else 0.31411)


def cd_a0(m0, sex, region):
    """lt_rule_1a0_cd without IMR: q0 the smaller root of (beta m0) q^2 - (1 + m0 (1 - alpha)) q + m0 = 0."""
    alpha, beta = CD_A0_ALPHA[region][sx(sex)], CD_A0_BETA[sx(sex)]
    a, b = m0 * beta, 1 + m0 * (1 - alpha)
    disc = b * b - 4 * a * m0
    q0 = 0.2 if disc <= 0 else (b - math.sqrt(disc)) / (2 * a)
    return CD_A0_CONST[region][sx(sex)] if q0 > 0.1 else alpha + beta * q0


def a0_of(m0, sex, rule, region):
    return cd_a0(m0, sex, region) if rule == "cd" else ak_a0(m0, sex)


def cd_4a1(m0, sex, region):
    """lt_rule_4a1_cd as lt_id_morq_a_greville calls it: q0 from m0 and the Andreev-Kingkade a0 (its default rule)."""
    q0 = m0 / (1 + (1 - ak_a0(m0, sex)) * m0)
    return CD_4A1_CONST[region][sx(sex)] if q0 > 0.1 else CD_4A1_INT[region][sx(sex)] - CD_4A1_SLOPE[sx(sex)] * q0


def ma_q(m, a, n):
    """lt_id_ma_q: q = n m / (1 + (n - a) m); q > 1 -> 1 - exp(-n m), the given a is kept; the open row q = 1."""
    q = n * m / (1 + (n - a) * m)
    q[-1] = 1.0
    big = q > 1
    q[big] = 1 - np.exp(-m[big] * n[big])
    return np.minimum(q, 1.0)


def lt_from_ax(m, a, n, radix):
    q = ma_q(m, a, n)
    l = radix * np.cumprod(np.concatenate([[1.0], 1 - q[:-1]]))
    d = l - np.concatenate([l[1:], [0.0]])
    L = n * np.concatenate([l[1:], [0.0]]) + a * d
    L[-1] = l[-1] * a[-1]
    return l, L


def abridged_lt(m, sex, rule="ak", region="w", radix=1e5, guard_from_age=10):
    """lt_abridged(axmethod = "un", mod = TRUE) on rows 0, 1, 5, …, W+ with W = 130 (no extrapolation): returns
    (ages, ax, lx, Lx). `guard_from_age` is where the constant-hazard replacement of Greville's nax outside
    [0.4 n, 0.6 n] starts (DemoTools: Age >= 10; 5 is the mutant)."""
    m = np.asarray(m, dtype=float)
    N = len(m)
    ages = np.array([0, 1] + [5 * k for k in range(1, N - 1)], dtype=float)
    n = np.array([1.0, 4.0] + [5.0] * (N - 2))  # the open row's width is 5 (age2int OAvalue = max(AgeInt))
    prev_n = np.concatenate([[np.nan], n[:-1]])
    next_n = np.concatenate([n[1:], [np.nan]])
    prev_m = np.concatenate([[np.nan], m[:-1]])
    next_m = np.concatenate([m[1:], [np.nan]])
    k = np.log(np.maximum(next_m, DBL_MIN) / np.maximum(prev_m, DBL_MIN))
    ax = n / 2 - (n ** 2 / 12) * (m - k / (prev_n / 2 + n + next_n / 2))
    const = n + 1 / m - n / (1 - np.exp(-n * m))
    bad = ((ages >= guard_from_age) & (ages < ages[-1]) & ((ax < 0.4 * n) | (ax > 0.6 * n))) | np.isnan(ax)
    ax[bad] = const[bad]
    ax[0] = a0_of(m[0], sex, rule, region)
    ax[1] = cd_4a1(m[0], sex, region)
    ax[-1] = 1 / m[-1]
    l, L = lt_from_ax(m, ax, n, radix)
    return ages, ax, l, L


def single_lt(m, sex, rule="ak", region="w", radix=1e5, open_half=True):
    """lt_single_mx on 0 … W+: ax 0.5 from age 1, a0 by the rule; the open row's L = l / 2 (DemoTools' nAx = 0.5 at
    130) or l / m."""
    m = np.asarray(m, dtype=float)
    N = len(m)
    n = np.ones(N)
    ax = np.full(N, 0.5)
    ax[0] = a0_of(m[0], sex, rule, region)
    ax[-1] = 0.5 if open_half else 1 / m[-1]
    return lt_from_ax(m, ax, n, radix)


def grid_L_abridged(L):
    """Abridged L (0, 1, 5, …, W+) on the five-year grid of the same open age: 5L0 = 1L0 + 4L1."""
    return np.concatenate([[L[0] + L[1]], L[2:]])


def survival(g, l0, z):
    """lt_id_Ll_S by the age at the end of the step: births g0/(z l0), g_i/g_{i-1}, T_w/(g_{w-1} + T_w)."""
    s = np.empty_like(g)
    s[0] = g[0] / (z * l0)
    s[1:-1] = g[1:-1] / g[:-2]
    s[-1] = g[-1] / (g[-2] + g[-1])
    return s


def un_step(P, S, F, srb_per_female, M, z, timing, override=True):
    """One ccmppWPP step (project_ccmpp_loop_over_time's override, then project_ccmpp_z_by_z). P, S, M by sex;
    F the ASFR by grid row; srb males per female. Returns (end population, births, net migrants after override)."""
    Mo, A, end_mig, Q = {}, {}, {}, {}
    for s in SEXES:
        m = np.array(M[s], dtype=float)
        hit = (P[s] + m <= 0) & override
        m[hit] = OVERRIDE - P[s][hit]
        Mo[s] = m
        A[s] = P[s] + m / 2 if timing == "even" else P[s].copy()
        end_mig[s] = m / 2 if timing == "even" else np.zeros_like(m)
        q = np.empty_like(m)
        q[1:] = A[s][:-1] * S[s][1:]
        q[-1] = (A[s][-2] + A[s][-1]) * S[s][-1]
        Q[s] = q + end_mig[s]
    b = z * F * (A["female"] + Q["female"]) / 2
    b[0] = 0.0
    b[-1] = 0.0
    B = b.sum()
    Bf = B * (1 / (1 + srb_per_female))
    Bm = B - Bf
    for s, Bs in (("female", Bf), ("male", Bm)):
        Q[s][0] = Bs * S[s][0] + end_mig[s][0]
        if timing == "end":
            Q[s] = Q[s] + Mo[s]
        Q[s][Q[s] < 0] = FLOOR
    return Q, B, Mo


def kannisto_tail(x, a, b, x0):
    c = a * np.exp(b * (np.asarray(x, dtype=float) - x0))
    return c / (1 + c)


def finish_mutant(here, out, mutant):
    """A mutant folder gets every file of the case but make_case.py and expected.csv (its own)."""
    if mutant:
        for f in os.listdir(here):
            if f not in ("make_case.py", "expected.csv") and os.path.isfile(os.path.join(here, f)):
                shutil.copy(os.path.join(here, f), out)


def single_mx(sex, level=1.0, top=130):
    """Single-year death rates 0 … top: an infant rate, a falling child term and a logistic (Kannisto) adult tail."""
    x = np.arange(top + 1, dtype=float)
    k = 1.0 if sex == "female" else 1.35
    m = level * k * (0.0004 + 0.012 * np.exp(-1.1 * x)) + kannisto_tail(x, level * k * 2.2e-5, 0.1, 0)
    m[0] = level * k * 0.011
    return m


def abridged_mx(sex, level=1.0, top=130):
    """Abridged rates 0, 1, 5, …, top: infant, child, then a logistic tail from 15."""
    k = 1.0 if sex == "female" else 1.4
    ages = [0, 1] + list(range(5, top + 1, 5))
    m = [level * k * 0.012, level * k * 0.0008, level * k * 0.0003, level * k * 0.00025]
    m += list(kannisto_tail(np.arange(15, top + 1, 5), level * k * 0.0004, 0.095, 15))
    return ages, np.array(m)


def five_year_L(L_single, w):
    """lt_single2abridged-like person-years on the five-year grid 0, 5, …, w: sums of the single-year L, T(w) last."""
    g = [L_single[a:a + 5].sum() for a in range(0, w, 5)] + [L_single[w:].sum()]
    return np.array(g)


def save_expected(here, out, mutant, rows):
    """expected.csv into the case's folder (or the mutant's, with the case's other files beside it)."""
    os.makedirs(out, exist_ok=True)
    write_expected(os.path.join(out, "expected.csv"), rows)
    finish_mutant(here, out, mutant)


def write_base(here, pop, ages, year=2020):
    """pop_count_age_sex_base.csv in ccmppWPP's long layout (time_start, sex, age_start, value) from {sex: array}."""
    write_csv(os.path.join(here, "pop_count_age_sex_base.csv"), ["time_start", "sex", "age_start", "value"],
              [[year, s, int(a), float(pop[s][i])] for s in SEXES for i, a in enumerate(ages)])


def five_year_lt(level, w, z=5):
    """Both sexes' single-year tables of single_mx(level) (AK a0), as the UN's five-year lt_nLx (T(w) last): returns
    ({sex: grid L}, {sex: l0}, {sex: survival ratios})."""
    Lg, l0 = {}, {}
    for s in SEXES:
        l, L = single_lt(single_mx(s, level=level), s, rule="ak")
        Lg[s], l0[s] = five_year_L(L, w), l[0]
    return Lg, l0, {s: survival(Lg[s], l0[s], z) for s in SEXES}
