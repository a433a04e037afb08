# SPDX-License-Identifier: Apache-2.0
"""A third outside author's reference (round 18), written from scenarios/README.md alone and the published method
(Preston, Heuveline & Guillot 2001 ch. 6; ccmppWPP's project_ccmpp_z_by_z as the README describes it), never from
cohortgis's source: single-year life tables from mx, survival ratios from Lx, the Brass relational logit to an e0,
Lee-Carter drift, Rogers-Castro shares, and one cohort-component step over zones and groups with migrants entering
by their timing. Plain numpy; used by the make_case.py of the cases listed in README.md ("h81" rows).
"""
import csv

import numpy as np

SEXES = ("female", "male")


def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for r in rows:
            w.writerow([repr(v) if isinstance(v, float) else v for v in r])


def write_expected(path, runs, ages):
    """expected.csv from {variant: [(year, P), ...]}, P keyed (zone, group, sex) -> population by age index."""
    rows = [[variant, year, zone, group, sex, int(a), float(v[i])] for variant, out in runs.items()
            for year, P in out for (zone, group, sex), v in P.items() for i, a in enumerate(ages)]
    write_csv(path, ["variant", "year", "zone", "group", "sex", "age", "population"], rows)


def a0_ak(m0, female):
    """Andreev & Kingkade (2015), as scenarios/README.md "Life tables built from mx"."""
    if female:
        return 0.14903 - 2.05527 * m0 if m0 < 0.01724 else (0.04667 + 3.88089 * m0 if m0 < 0.06891 else 0.31411)
    return 0.14929 - 1.99545 * m0 if m0 < 0.0230 else (0.02832 + 3.26021 * m0 if m0 < 0.08307 else 0.29915)


def single_table(mx, female, ax=None):
    """Single-year life table on radix 1 from mx 0 .. w (last row open, L = l/m). ax: closed rows' ax (default a0
    by AK, 0.5 from age 1). Returns (ax, l, L) with l of length w+1 (l at each row's start)."""
    mx = np.asarray(mx, float)
    n = len(mx)
    if ax is None:
        ax = np.full(n, 0.5)
        ax[0] = a0_ak(mx[0], female)
    l = np.empty(n)
    L = np.empty(n)
    l[0] = 1.0
    for x in range(n - 1):
        q = mx[x] / (1.0 + (1.0 - ax[x]) * mx[x])
        a = ax[x]
        if q > 1.0:  # DemoTools lt_id_ma_q (R/lt_id.R): the constant-hazard q, the row's nax kept
            q = 1.0 - np.exp(-mx[x])
        l[x + 1] = l[x] * (1.0 - q)
        L[x] = l[x + 1] + a * (l[x] - l[x + 1])
    L[n - 1] = l[n - 1] / mx[n - 1]
    return ax, l, L


def e0_of(L):
    return float(np.sum(L))  # radix 1


def survival_single(L):
    """Sx rows 0 .. w for z = 1 from L 0 .. w (last = T(w)): S0 = L0 / l0 (l0 = 1), Sx = Lx/L(x-1), Sw = Tw/T(w-1)."""
    n = len(L)
    S = np.empty(n)
    S[0] = L[0]
    S[1:n - 1] = L[1:n - 1] / L[0:n - 2]
    S[n - 1] = L[n - 1] / (L[n - 2] + L[n - 1])
    return S


def survival_five_year(L5, l0=1.0):
    """Five-year Sx rows 0, 5, ..., w from five-year L (0-4, 5-9, ..., T(w)) and the radix (PHG 2001 ch. 6):
    S0 = 5L0 / (5 l0), Sx = 5Lx / 5L(x-5), Sw = Tw / T(w-5)."""
    n = len(L5)
    S = np.empty(n)
    S[0] = L5[0] / (5.0 * l0)
    S[1:n - 1] = L5[1:n - 1] / L5[:n - 2]
    S[n - 1] = L5[n - 1] / (L5[n - 2] + L5[n - 1])
    return S


def five_year_sx_from_mx(mx, female, w):
    """Five-year Sx to w+ from a single-year mx table (0 .. its open age >= w): its L grouped by five years."""
    _, _, L = single_table(mx, female)
    return survival_five_year(np.array([L[x:x + 5].sum() for x in range(0, w, 5)] + [L[w:].sum()]))


def gompertz_lt_sx(years, w, hdr):
    """A synthetic five-year lt_Sx to w+ by time_start (a Gompertz-Makeham mx falling 4 % a period): {(t, sex): Sx}
    and its long rows (indicator + hdr)."""
    SX, rows = {}, []
    a1 = np.arange(101)
    n = w // 5 + 1
    for k, t in enumerate(years):
        for s, (c0, c1, c2, c3) in (("female", (0.015, 1.5e-4, 3e-5, 0.1)), ("male", (0.02, 3e-4, 6e-5, 0.095))):
            mx = (c0 * np.exp(-1.2 * a1) + c1 + c2 * np.exp(c3 * a1)) * (1.0 - 0.04 * k)
            SX[(t, s)] = five_year_sx_from_mx(mx, s == "female", w)
            rows += [["lt_Sx", t, 5, s, 5 * i, 1000 if i == n - 1 else 5, float(SX[(t, s)][i])] for i in range(n)]
    return SX, rows


def brass_logit_rates(ax, ls, widths, mx_std, alpha):
    """scenarios/README.md "Mortality", e0 (beta = 1), on any standard table (the reference side's one Brass model):
    l(x) = 1 / (1 + exp(2 (alpha + Ys(x)))), Ys = 1/2 ln((1 - ls)/ls) from the standard's l (radix 1); the new closed
    rates m = d / (n l(x+n) + a d) with the standard's ax and widths n, the open rate = the standard's x the ratio of
    the new to the standard rate of the last closed row."""
    n = len(mx_std)
    Ys = 0.5 * np.log((1.0 - ls[1:]) / ls[1:])
    l = np.concatenate([[1.0], 1.0 / (1.0 + np.exp(2.0 * (alpha + Ys)))])
    m = np.empty(n)
    d = l[:-1] - l[1:]
    m[:n - 1] = d / (widths * l[1:] + ax[:n - 1] * d)
    m[n - 1] = mx_std[n - 1] * m[n - 2] / mx_std[n - 2]
    return m


def alpha_for_e0(e0_at, target):
    """alpha in [-4, 4] by bisection to the last bit so that e0_at(alpha) = target (e0 falls as alpha rises)."""
    lo, hi = -4.0, 4.0
    while True:
        mid = 0.5 * (lo + hi)
        if mid == lo or mid == hi:
            break
        if e0_at(mid) > target:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def brass_rates(mx_std, female, alpha):
    """brass_logit_rates on a single-year standard (widths 1)."""
    ax, ls, _ = single_table(mx_std, female)
    return brass_logit_rates(ax, ls, 1.0, mx_std, alpha)


def brass_to_e0(mx_std, female, target):
    """The Brass rates whose single-year life table has e0 `target`."""
    alpha = alpha_for_e0(lambda a: e0_of(single_table(brass_rates(mx_std, female, a), female)[2]), target)
    return brass_rates(mx_std, female, alpha)


def path_value(path, year):
    """A path over calendar years: linear between keys, constant outside."""
    ks = sorted(path)
    if year <= ks[0]:
        return path[ks[0]]
    if year >= ks[-1]:
        return path[ks[-1]]
    for a, b in zip(ks, ks[1:]):
        if a <= year <= b:
            return path[a] + (path[b] - path[a]) * (year - a) / (b - a)


def path_step_mean(path, t, z):
    return float(np.mean([path_value(path, y) for y in range(t + 1, t + z + 1)]))


def rogers_castro(x, a1=0.02, alpha1=0.1, a2=0.06, alpha2=0.1, mu2=20.0, lambda2=0.4, c=0.003):
    return a1 * np.exp(-alpha1 * x) + a2 * np.exp(-alpha2 * (x - mu2) - np.exp(-lambda2 * (x - mu2))) + c


def simpson(f, a, b, panels):
    x = np.linspace(a, b, panels + 1)
    y = f(x)
    h = (b - a) / panels
    return h / 3.0 * (y[0] + y[-1] + 4.0 * y[1:-1:2].sum() + 2.0 * y[2:-1:2].sum())


def rc_shares(z, w, **params):
    """Age-group shares (summing to 1) of the Rogers-Castro schedule: Simpson's rule, 8 panels per year, the open
    group over [w, w + 20)."""
    f = lambda x: rogers_castro(x, **params)  # noqa: E731
    v = [simpson(f, a, a + z, 8 * z) for a in range(0, w, z)] + [simpson(f, w, w + 20, 8 * 20)]
    v = np.array(v)
    return v / v.sum()


def newborn_groups(births, newborn):
    """Births by the mothers' (zone, group) -> births by the children's (zone, group): each [[newborn]] rule
    (mother_group, child_group, share) moves its share of the mother group's births (docs/ccmpp.md B3)."""
    into = {k: 0.0 for k in births}
    for (zone, g), b in births.items():
        moved = 0.0
        for mg, cg, share in newborn or []:
            if mg == g:
                into[(zone, cg)] += share * b
                moved += share * b
        into[(zone, g)] += b - moved
    return into


def step(P, S, F, srb, M, timing, z, transfers=None, newborn=None):
    """One step of every (zone, group, sex) cell array P (rows 0, z, ..., w+; w+ open) -> the end population.
    S[(zone, group, sex)]: survival ratios by age at the end (row 0 = births); F[(zone, group)]: ASFR per woman per
    year; srb[zone]: boys per girl; M[(zone, group, sex)]: the step's net migrants by age at the start (missing = 0);
    timing "even" / "end". transfers: list of (zone, from, to, sex, X) moved at the start of the step.
    newborn: list of (mother_group, child_group, share)."""
    P = {k: v.astype(float).copy() for k, v in P.items()}
    if transfers:
        for zone, g1, g2, sex, X in transfers:
            P[(zone, g1, sex)] -= X
            P[(zone, g2, sex)] += X
    zero = lambda k: np.zeros_like(P[k])  # noqa: E731
    Mk = {k: np.asarray(M.get(k, zero(k)), float) for k in P}
    start = {k: P[k] + (Mk[k] / 2.0 if timing == "even" else 0.0) for k in P}
    Q = {}
    for k, A in start.items():
        s = S[k]
        q = np.zeros_like(A)
        q[1:] = A[:-1] * s[1:]
        q[-1] += A[-1] * s[-1]
        if timing == "even":
            q += Mk[k] / 2.0
        Q[k] = q
    births = {}
    for (zone, g, sex) in P:
        if sex != "female":
            continue
        births[(zone, g)] = z * float(np.sum(F.get((zone, g), 0.0) * (start[(zone, g, sex)] + Q[(zone, g, sex)]) / 2.0))
    for (zone, g), b in newborn_groups(births, newborn).items():
        r = srb[zone]
        for sex, part in (("female", 1.0 / (1.0 + r)), ("male", r / (1.0 + r))):
            Q[(zone, g, sex)][0] += b * part * S[(zone, g, sex)][0]
    if timing == "end":
        for k in Q:
            Q[k] += Mk[k]
    return Q, births
