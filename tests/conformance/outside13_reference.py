# SPDX-License-Identifier: Apache-2.0
"""A thirteenth outside author's reference (round 25), for the cases whose make_case.py imports it. Written from
scenarios/README.md (the scenario format, and the documented Rogers-Castro profile) and a reading of the UN's own R
code; its arithmetic is written anew from the R sources below (GPL sources: no code copied, only the arithmetic), not
from cohortgis's source or the other references. Plain Python (no numpy), so every sum is in a stated order.

* timriffe/DemoTools at 806cdc3 (the local mirror's HEAD):
  - R/mig_rc.R 39-92 `mig_calculate_rc`: m(x) = a1 e^(-alpha1 x) + a2 e^(-alpha2 (x - mu2) - e^(-lambda2 (x - mu2)))
    + a3 e^(-alpha3 (x - mu3) - e^(-lambda3 (x - mu3))) + a4 e^(lambda4 x) + c, a family left out is 0 (63-70), at
    the single ages asked for (point values, not integrated).
  - R/lt_single.R 113-180 `lt_single_mx` (ages 0 ... 130, so no extrapolation, 93): nAx = 0.5 at every age, the open
    one too (117), a0 from `lt_rule_1a0` (118-126); q from `lt_id_ma_q` (128-132); l, d, L (open L = l nAx), T, e
    (134-142); cut at OAnew (145-158), the new open row q = 1, L = T (161-165).
  - R/lt_abridged.R 296-310 then 367-390 (`lt_id_morq_a` with nMx, `axmethod` "pas" or "un"; q by `lt_id_ma_q` with
    closeout), 394 (M0 reset, not read by the projection), 401-408 (l, d, L, T), 411-430 (cut at OAnew, L = T).
  - R/nAx.R 256-324 `lt_a_pas` (nax = n/2, a0 by the rule, 4a1 by `lt_rule_4a1_cd` with its default a0rule "ak",
    open nax = 1/m); 436-597 `lt_id_morq_a_greville` (axConst 545, Abx 547, Kx with DBL_MIN 549-550, Greville 553,
    the guard from age 10 556-557, a0/4a1 574, open nax = 1/m for tables to 130, 593); 690-854 `lt_a_un` (open
    nax 1/m for max(Age) > 125, 843-845; NaN or negative nax -> n/2, 847-850); 59-103 `lt_rule_1a0_cd`; 152-219
    `lt_rule_4a1_cd`. R/lt_rule.R 314-323 `lt_rule_ak_m0_a0`, 365-401 `lt_rule_1a0`.
  - R/lt_id.R 233-262 `lt_id_ma_q` (q = n m / (1 + (n - a) m); closeout q = 1; q > 1 -> 1 - e^(-n m), nax kept),
    99-101 `lt_id_q_l`, 186-193 `lt_id_lda_L`, 205-207 `lt_id_L_T`, 284-336 `lt_id_Ll_S` (N = 5: births -> 0-4 is
    (L0 + L1) / (5 radix), 0-4 -> 5-9 is 5L5 / (L0 + L1), then nLx[i+1]/nLx[i], the last T_w / (L_{w-5} + T_w)).
  - R/lt_regroup_age.R 30-72 `lt_single2abridged`: rows 0, 1, 5, ..., l at those ages, nLx summed by group
    (`single2abridged`), nAx = (nLx - n l(x+n)) / d, open nAx = e, nMx = d / L, Sx = `lt_id_Ll_S(N = 5)` and a 0.
  - R/graduate.R 1042-1091 `graduate_mono` (here with `OAG = FALSE`: every group split; with its default
    `OAG = TRUE` the last group would be kept whole): R's `splinefun(y ~ AgePred, method = "hyman")` through the
    cumulative values at the group bounds, evaluated at every single age and differenced. R's stats package
    (R/splinefun.R: `hyman_filter`, `spl_coef_conv`; src/splines.c `fmm_spline`: two knots a line, three a
    parabola, four or more the cubic end conditions from third divided differences).
* markalava/ccmppWPP at 09739c8: R/project_ccmpp_loop_over_time.R 89-90 (override: where P + M <= 0,
  M := 0.00001 - P); R/project_ccmpp_z_by_z.R 79-100 (even/end), 103-118 (deaths and end population), 121-125
  (births), 128-133 (row 0), 136-139 (end: + M), 142-143 (floor 0.0005).
* scenarios/README.md "Sections", Profiles: the Rogers-Castro profile of a flow is m integrated over each age group
  by Simpson's rule with 8 panels per year (the open group over [w, w + 20)), divided by the sum over the groups,
  times `female_share` (women) or 1 - `female_share` (men); a profile table's shares divided by their sum.
"""
import math

SEXES = ("female", "male")
DBL_MIN = 2.2250738585072014e-308


# --- R/mig_rc.R: mig_calculate_rc ---------------------------------------------------------------------------------
def mig_calculate_rc(ages, pars):
    """Point values of the Rogers-Castro schedule (R/mig_rc.R 63-91); missing families are 0."""
    p = dict(a1=0.0, alpha1=0.0, a2=0.0, alpha2=0.0, mu2=0.0, lambda2=0.0, a3=0.0, alpha3=0.0, mu3=0.0,
             lambda3=0.0, a4=0.0, lambda4=0.0, c=0.0)
    p.update(pars)
    out = []
    for x in ages:
        v = p["a1"] * math.exp(-p["alpha1"] * x)
        v += p["a2"] * math.exp(-p["alpha2"] * (x - p["mu2"]) - math.exp(-p["lambda2"] * (x - p["mu2"])))
        v += p["a3"] * math.exp(-p["alpha3"] * (x - p["mu3"]) - math.exp(-p["lambda3"] * (x - p["mu3"])))
        v += p["a4"] * math.exp(p["lambda4"] * x)
        v += p["c"]
        out.append(v)
    return out


# --- scenarios/README.md: the Rogers-Castro profile of a flow -----------------------------------------------------
RC_DEFAULTS = dict(a1=0.02, alpha1=0.1, a2=0.06, alpha2=0.1, mu2=20.0, lambda2=0.4, c=0.003)


def rc_group_shares(params, z, open_age):
    """Shares of the age groups 0, z, ..., open_age: the 7-parameter schedule integrated by Simpson's rule with
    8 panels per year over [x, x + z) (the open group over [w, w + 20)), divided by their sum."""
    p = dict(RC_DEFAULTS)
    p.update(params)

    def m(x):
        return mig_calculate_rc([x], p)[0]

    def simpson(a, b):
        n = int(round(8 * (b - a)))
        h = (b - a) / n
        s = m(a) + m(b)
        for i in range(1, n):
            s += (4.0 if i % 2 else 2.0) * m(a + i * h)
        return s * h / 3.0

    integrals = [simpson(x, x + z) for x in range(0, open_age, z)] + [simpson(open_age, open_age + 20)]
    total = sum(integrals)
    return [v / total for v in integrals]


def flow_migrants(total_per_year, years_in_step, shares_by_sex):
    """A flow's migrants of one step by sex and age group: persons per year x its years in the step x share."""
    return {s: [total_per_year * years_in_step * v for v in shares_by_sex[s]] for s in SEXES}


def rc_profile(params, female_share, z, open_age):
    g = rc_group_shares(params, z, open_age)
    return {"female": [female_share * v for v in g], "male": [(1.0 - female_share) * v for v in g]}


def table_profile(values_by_sex):
    """A profile table (sex, age, share): the shares divided by their sum over both sexes and every age."""
    total = sum(sum(values_by_sex[s]) for s in SEXES)
    return {s: [v / total for v in values_by_sex[s]] for s in SEXES}


# --- DemoTools life tables ----------------------------------------------------------------------------------------
def a0_ak(m0, sex):
    """R/lt_rule.R 314-323."""
    if sex == "male":
        return 0.14929 - 1.99545 * m0 if m0 < 0.0230 else (0.02832 + 3.26021 * m0 if m0 < 0.08307 else 0.29915)
    return 0.14903 - 2.05527 * m0 if m0 < 0.01724 else (0.04667 + 3.88089 * m0 if m0 < 0.06891 else 0.31411)


CD_A0_CONST = {"w": (0.35, 0.33), "n": (0.35, 0.33), "e": (0.31, 0.29), "s": (0.35, 0.33)}  # (f, m), nAx.R 70-74
CD_A0_ALPHA = {"w": (0.05, 0.0425), "n": (0.05, 0.0425), "e": (0.01, 0.0025), "s": (0.05, 0.0425)}  # 76-81
CD_A0_BETA = (3.0, 2.875)  # nAx.R 82
CD_4A1_CONST = {"w": (1.361, 1.352), "n": (1.570, 1.558), "e": (1.324, 1.313), "s": (1.239, 1.240)}  # 186-191
CD_4A1_INTERCEPT = {"w": (1.524, 1.653), "n": (1.733, 1.859), "e": (1.487, 1.614), "s": (1.402, 1.541)}  # 193-198
CD_4A1_SLOPE = (1.627, 3.013)  # nAx.R 199


def _fm(sex):
    return 0 if sex == "female" else 1


def a0_cd(m0, sex, region):
    """R/nAx.R 59-103 without IMR: the PAS quadratic's smaller root as IMR (0.2 when it has no real root)."""
    alpha, beta = CD_A0_ALPHA[region][_fm(sex)], CD_A0_BETA[_fm(sex)]
    a = m0 * beta
    b = 1 + m0 * (1 - alpha)
    disc = b * b - 4 * a * m0
    imr = 0.2 if disc <= 0 else (b - math.sqrt(disc)) / (2 * a)
    return CD_A0_CONST[region][_fm(sex)] if imr > 0.1 else alpha + beta * imr


def a0_rule(m0, sex, rule, region):
    """R/lt_rule.R 365-401."""
    return a0_ak(m0, sex) if rule == "ak" else a0_cd(m0, sex, region)


def a1_4_cd(m0, sex, region):
    """R/nAx.R 152-219 as `lt_a_pas` and `lt_id_morq_a_greville` call it (no a0rule: "ak"): IMR from the AK a0."""
    q0 = m0 / (1 + (1 - a0_ak(m0, sex)) * m0)  # lt_id_ma_q with AgeInt 1, closeout FALSE
    if q0 > 0.1:
        return CD_4A1_CONST[region][_fm(sex)]
    return CD_4A1_INTERCEPT[region][_fm(sex)] - CD_4A1_SLOPE[_fm(sex)] * q0


def ma_q(m, a, n, closeout=True):
    """R/lt_id.R 233-262."""
    q = [n[i] * m[i] / (1 + (n[i] - a[i]) * m[i]) for i in range(len(m))]
    if closeout:
        q[-1] = 1.0
    return [1 - math.exp(-n[i] * m[i]) if q[i] > 1 else q[i] for i in range(len(q))]


def life_table_columns(m, a, n, radix):
    """l (R/lt_id.R 99-101), d, L (186-193: open L = l a), T (205-207), e."""
    q = ma_q(m, a, n)
    l = [radix]
    for qi in q[:-1]:
        l.append(l[-1] * (1 - qi))
    N = len(l)
    d = [l[i] - l[i + 1] for i in range(N - 1)] + [l[-1]]
    L = [n[i] * l[i + 1] + a[i] * d[i] for i in range(N - 1)] + [l[-1] * a[-1]]
    T = [0.0] * N
    acc = 0.0
    for i in range(N - 1, -1, -1):
        acc += L[i]
        T[i] = acc
    e = [T[i] / l[i] for i in range(N)]
    return q, l, d, L, T, e


def cut_at(age, q, l, L, T, e, a, oanew):
    """R/lt_single.R 145-165 and R/lt_abridged.R 411-430: keep ages <= OAnew; the open row q = 1, L = T, a = e."""
    k = age.index(oanew) + 1
    q, l, L, T, e, a = q[:k], l[:k], L[:k], T[:k], e[:k], a[:k]
    q[-1], L[-1], a[-1] = 1.0, T[-1], e[-1]
    return dict(age=age[:k], q=q, l=l, L=L, T=T, e=e, a=a)


def lt_single_mx(mx, sex, a0rule="ak", region="w", oanew=130, radix=100000.0):
    """R/lt_single.R 113-165 for single-year rates on 0 ... 130."""
    assert len(mx) == 131
    a = [0.5] * 131
    a[0] = a0_rule(mx[0], sex, a0rule, region)
    n = [1.0] * 131
    q, l, d, L, T, e = life_table_columns(mx, a, n, radix)
    return cut_at(list(range(131)), q, l, L, T, e, a, oanew)


ABRIDGED_AGES = [0, 1] + list(range(5, 131, 5))


def lt_abridged_mx(mx, sex, axmethod="pas", a0rule="ak", region="w", oanew=130, radix=100000.0):
    """R/lt_abridged.R for nMx on the abridged rows 0, 1, 5, ..., 130+ (no extrapolation: max(Age) = 130)."""
    ages = ABRIDGED_AGES
    N = len(ages)
    assert len(mx) == N
    n = [1.0, 4.0] + [5.0] * (N - 2)  # age2int(OAvalue = 5); the open row's width is 5 (nAx.R 979-981)
    if axmethod == "pas":  # R/nAx.R 256-324
        a = [ni / 2 for ni in n]
        a[0] = a0_rule(mx[0], sex, a0rule, region)
        a[1] = a1_4_cd(mx[0], sex, region)
        a[-1] = 1 / mx[-1]
    else:  # "un": R/nAx.R 690-854 with lt_id_morq_a_greville 436-597
        a = []
        for i in range(N):
            if i == 0 or i == N - 1:
                a.append(float("nan"))
                continue
            ax_const = n[i] + 1 / mx[i] - n[i] / (1 - math.exp(-n[i] * mx[i])) if mx[i] > 0 else float("nan")
            abx = 1 / (n[i - 1] / 2 + n[i] + n[i + 1] / 2)
            kx = math.log(max(mx[i + 1], DBL_MIN) / max(mx[i - 1], DBL_MIN))
            ax = n[i] / 2 - (n[i] ** 2 / 12) * (mx[i] - kx * abx)
            if (ages[i] >= 10 and (ax < 0.4 * n[i] or ax > 0.6 * n[i])) or math.isnan(ax):
                ax = ax_const
            a.append(ax)
        a[0] = a0_rule(mx[0], sex, a0rule, region)
        a[1] = a1_4_cd(mx[0], sex, region)
        a[-1] = 1 / mx[-1]
        a = [n[i] / 2 if (math.isnan(a[i]) or a[i] < 0) else a[i] for i in range(N)]  # nAx.R 847-850
    q, l, d, L, T, e = life_table_columns(mx, a, n, radix)
    return cut_at(list(ages), q, l, L, T, e, a, oanew)


def lt_single2abridged(single):
    """R/lt_regroup_age.R 30-72 on a single-year table to 130+ (the dict of lt_single_mx)."""
    l1, L1, e1 = single["l"], single["L"], single["e"]
    W = single["age"][-1]
    ages = [0, 1] + list(range(5, W + 1, 5))
    N = len(ages)
    n = [1, 4] + [5] * (N - 2)
    l = [l1[x] for x in ages]
    L = [L1[0], L1[1] + L1[2] + L1[3] + L1[4]]
    for x in range(5, W, 5):
        L.append(sum(L1[x:x + 5]))
    L.append(L1[W])
    d = [l[i] - l[i + 1] for i in range(N - 1)] + [l[-1]]
    q = [d[i] / l[i] for i in range(N)]
    a = [(L[i] - n[i] * l[i + 1]) / d[i] for i in range(N - 1)] + [e1[W]]
    m = [d[i] / L[i] for i in range(N)]
    S = [(L[0] + L[1]) / (5 * l[0]), L[2] / (L[0] + L[1])]
    for i in range(2, N - 2):
        S.append(L[i + 1] / L[i])
    S.append(L[N - 1] / (L[N - 2] + L[N - 1]))
    S.append(0.0)
    return dict(age=ages, l=l, L=L, d=d, q=q, a=a, m=m, S=S)


# --- survival ratios on the projection grid (DemoTools' lt_id_Ll_S by the age at the end) -------------------------
def survival_single(L, radix):
    """N = 1 (R/lt_id.R 326-333): S[0] = L0 / radix, S[x] = L[x] / L[x-1], S[w] = L[w] / (L[w-1] + L[w])."""
    S = [L[0] / radix] + [L[x] / L[x - 1] for x in range(1, len(L) - 1)]
    S.append(L[-1] / (L[-2] + L[-1]))
    return S


def survival_abridged(L, radix):
    """N = 5 (R/lt_id.R 303-325) on the abridged L 0, 1, 5, ..., w (the open row T_w), by the age at the end: the
    grid's rows 0, 5, ..., w."""
    n = len(L)
    S = [(L[0] + L[1]) / (5 * radix), L[2] / (L[0] + L[1])]
    S += [L[i + 1] / L[i] for i in range(2, n - 2)]
    S.append(L[n - 1] / (L[n - 2] + L[n - 1]))
    return S


# --- R's splinefun(method = "hyman") and DemoTools' graduate_mono -------------------------------------------------
def fmm_spline(x, y):
    """R src/library/stats/src/splines.c fmm_spline: returns the slopes b at the knots."""
    n = len(x)
    if n < 3:
        t = (y[1] - y[0]) / (x[1] - x[0])
        return [t, t]
    nm1 = n - 1
    b, c, d = [0.0] * n, [0.0] * n, [0.0] * n
    d[0] = x[1] - x[0]
    c[1] = (y[1] - y[0]) / d[0]
    for i in range(1, nm1):
        d[i] = x[i + 1] - x[i]
        b[i] = 2.0 * (d[i - 1] + d[i])
        c[i + 1] = (y[i + 1] - y[i]) / d[i]
        c[i] = c[i + 1] - c[i]
    b[0] = -d[0]
    b[nm1] = -d[n - 2]
    c[0] = c[nm1] = 0.0
    if n > 3:
        c[0] = c[2] / (x[3] - x[1]) - c[1] / (x[2] - x[0])
        c[nm1] = c[n - 2] / (x[nm1] - x[n - 3]) - c[n - 3] / (x[n - 2] - x[n - 4])
        c[0] = c[0] * d[0] * d[0] / (x[3] - x[0])
        c[nm1] = -c[nm1] * d[n - 2] * d[n - 2] / (x[nm1] - x[n - 4])
    for i in range(1, n):
        t = d[i - 1] / b[i - 1]
        b[i] = b[i] - t * d[i - 1]
        c[i] = c[i] - t * c[i - 1]
    c[nm1] = c[nm1] / b[nm1]
    for i in range(n - 2, -1, -1):
        c[i] = (c[i] - d[i] * c[i + 1]) / b[i]
    b[nm1] = (y[nm1] - y[n - 2]) / d[n - 2] + d[n - 2] * (c[n - 2] + 2.0 * c[nm1])
    for i in range(nm1):
        b[i] = (y[i + 1] - y[i]) / d[i] - d[i] * (c[i + 1] + 2.0 * c[i])
    return b


def hyman_filter(x, y, b):
    """R's stats:::hyman_filter."""
    n = len(x)
    ss = [(y[i + 1] - y[i]) / (x[i + 1] - x[i]) for i in range(n - 1)]
    S0 = [ss[0]] + ss
    S1 = ss + [ss[-1]]
    out = list(b)
    for i in range(n):
        t1 = min(abs(S0[i]), abs(S1[i]))
        sig = S1[i] if S0[i] * S1[i] > 0 else out[i]
        if sig >= 0:
            out[i] = min(max(0.0, out[i]), 3 * t1)
        else:
            out[i] = max(min(0.0, out[i]), -3 * t1)
    return out


def hermite_eval(x, y, b, u):
    """R's spline_eval on the coefficients of spl_coef_conv (a Hermite cubic per interval), at increasing u: a knot
    after the first is reached from the interval below it (spline_eval keeps its interval while u <= x[i+1])."""
    n = len(x)
    i = 0
    while i < n - 2 and u > x[i + 1]:
        i += 1
    h = x[i + 1] - x[i]
    dy = -(y[i + 1] - y[i])
    b0, b1 = b[i], b[i + 1]
    cc = -(3 * dy + (2 * b0 + b1) * h) / h ** 2
    dd = (2 * dy / h + b0 + b1) / h ** 2
    t = u - x[i]
    return y[i] + t * (b0 + t * (cc + t * dd))


def graduate_mono(values, first_age, width=5):
    """DemoTools' graduate_mono(Value, Age, AgeInt, OAG = FALSE) (R/graduate.R 1076-1082): single-age values."""
    knots = [first_age + width * i for i in range(len(values) + 1)]
    cum = [0.0]
    for v in values:
        cum.append(cum[-1] + v)
    slopes = hyman_filter(knots, cum, fmm_spline(knots, cum))
    ys = [hermite_eval(knots, cum, slopes, a) for a in range(knots[0], knots[-1] + 1)]
    return [ys[i + 1] - ys[i] for i in range(len(ys) - 1)]


# --- ccmppWPP's step ----------------------------------------------------------------------------------------------
def un_step(P, S, F, srb, M, timing, z):
    """One call of project_ccmpp_z_by_z after the loop's override. P, S, M by sex; F the ASFR by grid row; srb boys
    per girl. Returns the end population by sex."""
    w = len(P["female"]) - 1
    Mo, A, E, Q = {}, {}, {}, {}
    for s in SEXES:
        Mo[s] = [0.00001 - P[s][x] if P[s][x] + M[s][x] <= 0 else M[s][x] for x in range(w + 1)]  # loop 89-90
        if timing == "even":  # z_by_z 89-99
            A[s] = [P[s][x] + Mo[s][x] / 2 for x in range(w + 1)]
            E[s] = [Mo[s][x] / 2 for x in range(w + 1)]
        else:  # 79-88
            A[s] = list(P[s])
            E[s] = [0.0] * (w + 1)
        q = [0.0] * (w + 1)
        for x in range(1, w):  # 107-118
            q[x] = A[s][x - 1] - (1 - S[s][x]) * A[s][x - 1] + E[s][x]
        q[w] = A[s][w - 1] + A[s][w] - (1 - S[s][w]) * (A[s][w - 1] + A[s][w]) + E[s][w]
        Q[s] = q
    births = 0.0
    for x in range(1, w):  # 121-123
        births += z * F[x] * (A["female"][x] + Q["female"][x]) / 2
    girls = births * (1 / (1 + srb))  # 124-125
    boys = births - girls
    for s, b in (("female", girls), ("male", boys)):
        Q[s][0] = b - (1 - S[s][0]) * b + E[s][0]  # 128-133
        if timing == "end":  # 136-139
            Q[s] = [Q[s][x] + Mo[s][x] for x in range(w + 1)]
        Q[s] = [0.0005 if v < 0 else v for v in Q[s]]  # 142-143
    return Q


# --- files --------------------------------------------------------------------------------------------------------
def write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(",".join(header) + "\n")
        for r in rows:
            f.write(",".join(str(c) for c in r) + "\n")


def write_expected(path, runs, ages, zone="X"):
    rows = []
    for variant, pops in runs:
        for year in sorted(pops):
            for s in SEXES:
                for i, x in enumerate(ages):
                    rows.append([variant, year, zone, "total", s, x, repr(pops[year][s][i])])
    write_csv(path, ["variant", "year", "zone", "group", "sex", "age", "population"], rows)
