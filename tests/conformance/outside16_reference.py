# SPDX-License-Identifier: Apache-2.0
"""A sixteenth outside author's reference (round 28), plain Python (no numpy).

Written from scenarios/README.md (the scenario format only) and the UN Population Division's own R code, read anew
for this file; no code was copied, each function re-expresses the arithmetic of the lines it names:

* MortCast (PPgp/MortCast at 890634a, GPL >= 2), R/kannisto.R: `cokannisto` / `cokannisto.estimate` (the
  sex-coherent Kannisto: one least-squares fit of logit(mx) = log(c) + d·x over both sexes, a common slope d and a
  sex dummy in the intercept), `kannisto` / `kannisto.estimate` (one fit per sex) and `kannisto.predict`.
* markalava/ccmppWPP at 09739c8 (GPL-3): R/ccmppWPP_input_file.R `ccmppWPP_input_file_extend` lines 125-160 (rates
  to 100 extended to 130 by `cokannisto(est.ages = 80:(maxage - 1), proj.ages = maxage:OAnew)`, then
  `lt_single_mx(…, OAG = TRUE, OAnew = 130)`), `census_back_project_1950` lines 1174-1365 (the back projection
  year by year with `lt_Sx` of `max(1950, floor(date))`, a 0 added at 130, then `interpolatePop` to 1950.0) and
  `project_backwards_no_mig` lines 1368-1385; R/project_ccmpp_loop_over_time.R lines 89-90 (the override) and
  R/project_ccmpp_z_by_z.R (the step).
* timriffe/DemoTools at 806cdc3 (file LICENSE: GPL): R/lt_single.R `lt_single_mx` (a table that already reaches
  130 is not extrapolated; ax = 0.5 from age 1, the last row's too, so L130 = l130 / 2), R/lt_rule.R
  `lt_rule_ak_m0_a0` (lines 314-323), R/lt_id.R `lt_id_ma_q`, `lt_id_q_l`, `lt_id_lda_L`, `lt_id_L_T`,
  `lt_id_Ll_S` with N = 1 (lines 284-335), R/AGEINT.R `interpolatePop` (linear), R/utils.R `dec.date` (a number is
  returned as it is).
"""
import math


# ---------------------------------------------------------------- DemoTools: lt_single_mx on 0 … 130

def a0_andreev_kingkade(m0, sex):
    """lt_rule_ak_m0_a0 (R/lt_rule.R:314-323): three segments in m0, by sex ("m" or "f")."""
    if sex == "m":
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


def lt_single_mx(mx, sex, radix=1e5):
    """DemoTools' lt_single_mx(nMx = mx, Age = 0:130, a0rule = "ak", Sex = sex, OAG = TRUE, OAnew = 130).

    The rates reach 130, so no law is fitted (R/lt_single.R: `if (max(Age) < 130)`). Returns a dict of lists:
    nMx, nAx, nqx, lx, ndx, nLx, Sx, Tx, ex by single age 0 … 130.
    """
    n = len(mx)
    if n != 131:
        raise ValueError("lt_single_mx here expects the ages 0 … 130")
    nax = [0.5] * n
    nax[0] = a0_andreev_kingkade(mx[0], sex)
    # lt_id_ma_q with AgeInt 1 and closeout: q = m / (1 + (1 - a) m), the last q = 1, q > 1 -> 1 - exp(-m)
    qx = [m / (1.0 + (1.0 - a) * m) for m, a in zip(mx, nax)]
    qx[-1] = 1.0
    qx = [1.0 - math.exp(-m) if q > 1.0 else q for q, m in zip(qx, mx)]
    qx = [min(q, 1.0) for q in qx]
    # lt_id_q_l: radix times the running product of (1 - q) of the rows before
    lx = [radix]
    for q in qx[:-1]:
        lx.append(lx[-1] * (1.0 - q))
    # lt_id_l_d: d = l(x) - l(x+1), the last d = l(130)
    dx = [lx[i] - lx[i + 1] for i in range(n - 1)] + [lx[-1]]
    # lt_id_lda_L: L = 1 · l(x+1) + a · d for the closed rows, l(130) · a(130) for the last (a = 0.5)
    Lx = [lx[i + 1] + nax[i] * dx[i] for i in range(n - 1)] + [lx[-1] * nax[-1]]
    # lt_id_L_T: T = sums from the last row down
    Tx = [0.0] * n
    acc = 0.0
    for i in range(n - 1, -1, -1):
        acc += Lx[i]
        Tx[i] = acc
    ex = [t / l if l > 0 else float("nan") for t, l in zip(Tx, lx)]
    # closeout (OAnew = 130 = the table's own open age): q = 1, L = T, a = e at 130; nMx keeps the given rate
    nax_out = nax[:-1] + [ex[-1]]
    # lt_id_Ll_S(N = 1): births -> 0 is L0 / radix, row x = L(x) / L(x-1), the open row L(130) / (L(129) + L(130))
    Sx = [Lx[0] / radix] + [Lx[x] / Lx[x - 1] for x in range(1, n - 1)] + [Lx[-1] / (Lx[-2] + Lx[-1])]
    return {"nMx": list(mx), "nAx": nax_out, "nqx": qx, "lx": lx, "ndx": dx, "nLx": Lx, "Sx": Sx, "Tx": Tx,
            "ex": ex}


# ---------------------------------------------------------------- MortCast: Kannisto and coherent Kannisto

def _logit(m):
    return math.log(m) - math.log(1.0 - m)


def kannisto_predict(c, d, ages):
    """kannisto.predict: c·e^(d·x) / (1 + c·e^(d·x))."""
    out = []
    for x in ages:
        num = c * math.exp(d * x)
        out.append(num / (1.0 + num))
    return out


def cokannisto_estimate(mx_male, mx_female, ages):
    """cokannisto.estimate: lm(y ~ g + x) on y = logit(mx) of both sexes, x = the ages twice, g = 1 for men.

    Ordinary least squares with a common slope: d = the pooled within-sex covariance over the pooled within-sex
    variance of x; each sex's intercept is its mean y less d times the mean age (the fitted line passes through
    each sex's means). Returns ((c_male, d), (c_female, d)) with c_female = exp(intercept) and
    c_male = exp(intercept + g) as the R function forms them.
    """
    k = len(ages)
    ym = [_logit(m) for m in mx_male]
    yf = [_logit(m) for m in mx_female]
    xbar = sum(ages) / k
    ym_bar = sum(ym) / k
    yf_bar = sum(yf) / k
    sxx = 2.0 * sum((x - xbar) ** 2 for x in ages)
    sxy = sum((x - xbar) * (a - ym_bar) for x, a in zip(ages, ym)) + \
        sum((x - xbar) * (b - yf_bar) for x, b in zip(ages, yf))
    d = sxy / sxx
    intercept_f = yf_bar - d * xbar
    g = (ym_bar - d * xbar) - intercept_f
    return (math.exp(intercept_f + g), d), (math.exp(intercept_f), d)


def kannisto_estimate(mx, ages):
    """kannisto.estimate: lm(y ~ x) on y = logit(mx), one sex."""
    k = len(ages)
    y = [_logit(m) for m in mx]
    xbar = sum(ages) / k
    ybar = sum(y) / k
    d = sum((x - xbar) * (v - ybar) for x, v in zip(ages, y)) / sum((x - xbar) ** 2 for x in ages)
    return math.exp(ybar - d * xbar), d


def extend_to_130(mx_male, mx_female, coherent=True):
    """ccmppWPP_input_file_extend (R/ccmppWPP_input_file.R:136-150) for single-year rates 0 … maxage (maxage < 130):
    cokannisto(mxM, mxF, est.ages = 80:(maxage-1), proj.ages = maxage:130). The rates of the ages in proj.ages,
    maxage itself included, are the fitted law's (the given open rate is overwritten); below maxage the given ones.
    `coherent=False` fits each sex alone (MortCast's `kannisto`), which ccmppWPP does not do (a mutant)."""
    maxage = len(mx_male) - 1
    est = list(range(80, maxage))
    proj = list(range(maxage, 131))
    if coherent:
        (cm, dm), (cf, df) = cokannisto_estimate(mx_male[80:maxage], mx_female[80:maxage], est)
    else:
        cm, dm = kannisto_estimate(mx_male[80:maxage], est)
        cf, df = kannisto_estimate(mx_female[80:maxage], est)
    male = list(mx_male[:maxage]) + kannisto_predict(cm, dm, proj)
    female = list(mx_female[:maxage]) + kannisto_predict(cf, df, proj)
    return male, female


# ---------------------------------------------------------------- ccmppWPP: back projection to 1950

def project_backwards_no_mig(pop, sx):
    """project_backwards_no_mig (R/ccmppWPP_input_file.R:1368-1385): element x of the result is pop[x+1] / sx[x]
    for x = 0 … n-2; the caller appends a 0 for the last age. `sx` is lt_Sx by the age at arrival, so the cohort
    aged x+1 is divided by the survival ratio of arrival at x (as written, not sx[x+1])."""
    return [pop[x + 1] / sx[x] for x in range(len(pop) - 1)]


def census_back_project(census_m, census_f, census_date, sx_by_year):
    """census_back_project_1950's loop and interpolation (lines 1296-1353) from a census already on 0 … 130 (what
    OPAG and the blending of lines 1213-1289 return; not re-done here). `sx_by_year[year][sex]` is lt_Sx on 0 … 130.

    back_dts = census_date - (1:(census_date - 1949)); each year back uses lt_Sx of max(1950, floor(date)); the
    1950 population is interpolatePop(last, the one before it, their dates, 1950.0, "linear"):
    P1 + (P2 - P1) · (1950 - date1) / (date2 - date1)."""
    steps = int(math.floor(census_date - 1949))   # R's 1:(census_date - 1949) stops at the last whole number
    back_dts = [census_date - i for i in range(1, steps + 1)]
    cols = {"m": [(census_date, list(census_m))], "f": [(census_date, list(census_f))]}
    pops = {"m": list(census_m), "f": list(census_f)}
    for dt in back_dts:
        year = max(1950, int(math.floor(dt)))
        for sex in ("m", "f"):
            back = project_backwards_no_mig(pops[sex], sx_by_year[year][sex])
            back.append(0.0)
            pops[sex] = back
            cols[sex].append((dt, back))
    out = {}
    for sex in ("m", "f"):
        date1, pop1 = cols[sex][-1]
        date2, pop2 = cols[sex][-2]
        factor = (1950.0 - date1) / (date2 - date1)
        out[sex] = [p1 + (p2 - p1) * factor for p1, p2 in zip(pop1, pop2)]
    return out["m"], out["f"], back_dts


# ---------------------------------------------------------------- ccmppWPP: the loop's override and the step

def ccmpp_step(pop_m, pop_f, sx_m, sx_f, asfr, srb, mig_m, mig_f, timing, z=1):
    """One step of project_ccmpp_loop_over_time (override, lines 89-90) and project_ccmpp_z_by_z.

    Lists by age row 0 … w. `srb` boys per girl. Returns (end_m, end_f, deaths_m, deaths_f, births_m, births_f,
    migrants_m, migrants_f) with migrants after the override."""
    mig_m = [0.00001 - p if p + m <= 0 else m for p, m in zip(pop_m, mig_m)]
    mig_f = [0.00001 - p if p + m <= 0 else m for p, m in zip(pop_f, mig_f)]
    n = len(pop_m)
    if timing == "even":
        adj_m = [p + m / 2 for p, m in zip(pop_m, mig_m)]
        adj_f = [p + m / 2 for p, m in zip(pop_f, mig_f)]
        end_mig_m = [m / 2 for m in mig_m]
        end_mig_f = [m / 2 for m in mig_f]
    elif timing == "end":
        adj_m, adj_f = list(pop_m), list(pop_f)
        end_mig_m, end_mig_f = [0.0] * n, [0.0] * n
    else:
        raise ValueError(timing)

    def survive(adj, sx, end_mig):
        deaths = [0.0] * n
        end = [0.0] * n
        for x in range(1, n - 1):
            deaths[x] = (1 - sx[x]) * adj[x - 1]
            end[x] = adj[x - 1] - deaths[x] + end_mig[x]
        deaths[n - 1] = (1 - sx[n - 1]) * (adj[n - 2] + adj[n - 1])
        end[n - 1] = adj[n - 2] + adj[n - 1] - deaths[n - 1] + end_mig[n - 1]
        return end, deaths

    end_m, deaths_m = survive(adj_m, sx_m, end_mig_m)
    end_f, deaths_f = survive(adj_f, sx_f, end_mig_f)
    births = sum(z * asfr[x] * (adj_f[x] + end_f[x]) / 2 for x in range(1, n - 1))
    births_f = births * (1 / (1 + srb))
    births_m = births - births_f
    deaths_m[0] = (1 - sx_m[0]) * births_m
    deaths_f[0] = (1 - sx_f[0]) * births_f
    end_m[0] = births_m - deaths_m[0] + end_mig_m[0]
    end_f[0] = births_f - deaths_f[0] + end_mig_f[0]
    if timing == "end":
        end_m = [e + m for e, m in zip(end_m, mig_m)]
        end_f = [e + m for e, m in zip(end_f, mig_f)]
    end_m = [0.0005 if e < 0 else e for e in end_m]
    end_f = [0.0005 if e < 0 else e for e in end_f]
    return end_m, end_f, deaths_m, deaths_f, births_m, births_f, mig_m, mig_f


# ---------------------------------------------------------------- writing tables

def write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(",".join(header) + "\n")
        for r in rows:
            f.write(",".join(_fmt(v) for v in r) + "\n")


def _fmt(v):
    if isinstance(v, float):
        return repr(v)
    return str(v)


# ---------------------------------------------------------------- bayesPop: MortCast's life table
# (bayesPop's C step `CCM`, on any grid, is outside17_reference.ccm_step)

def mortcast_life_table_1y(mx, sex):
    """MortCast's single-year life table as bayesPop calls it (bayesPop R/predict.pop.R `survival.fromLT` →
    `LifeTableMx(mx, sex, abridged = FALSE)` → MortCast R/life_table.R `life.table(radix = 1, open.age = 130)` →
    src/functions.c `doLifeTable1y` and `LTextraColumns(nx = 1)`, PPgp/MortCast 890634a, PPgp/bayesPop e361b87).

    `mx` on 0 … 130, `sex` "m" or "f". a0 Andreev–Kingkade (`get_a0_ak_male/_female`, the default a0rule "ak"),
    ax = 0.5 at 1 … 129, q = m / (1 + (1 − a) m), l(x+1) = max(l(x)(1 − q), DBL_MIN) on radix 1,
    L = l(x+1) + a·d; the open group 130+ lives L = l / max(m, DBL_MIN) (not DemoTools' l / 2). Survival ratios: L0 / l0 for births,
    L(x) / L(x−1) for 1 … 129, L(130) / (L(129) + L(130)) for the open row. Returns (Lx, lx, sx)."""
    dbl_min = 2.2250738585072014e-308
    nage = len(mx) - 1                  # 130: life.table passes nage - 1 to the C code
    ax = [0.5] * (nage + 1)
    ax[0] = a0_andreev_kingkade(mx[0], sex)
    lx = [1.0] + [0.0] * nage
    Lx = [0.0] * (nage + 1)
    for i in range(nage):
        q = mx[i] / (1 + (1 - ax[i]) * mx[i])
        lx[i + 1] = max(lx[i] * (1 - q), dbl_min)
        Lx[i] = lx[i + 1] + ax[i] * (lx[i] - lx[i + 1])
    Lx[nage] = lx[nage] / max(mx[nage], dbl_min)
    sx = [Lx[0] / 1 * lx[0]] + [Lx[i] / Lx[i - 1] for i in range(1, nage)] + [Lx[nage] / (Lx[nage - 1] + Lx[nage])]
    return Lx, lx, sx


def bayespop_kannisto_annual(mx_male, mx_female):
    """bayesPop's `KannistoAxBx.joint(annual = TRUE)` (R/predict.pop.R): MortCast's cokannisto with est.ages 90:99
    and proj.ages 100:130 (not ccmppWPP's 80:99); rates 0 … 100 in, 0 … 130 out, 100 overwritten."""
    (cm, dm), (cf, df) = cokannisto_estimate(mx_male[90:100], mx_female[90:100], list(range(90, 100)))
    proj = list(range(100, 131))
    return (list(mx_male[:100]) + kannisto_predict(cm, dm, proj),
            list(mx_female[:100]) + kannisto_predict(cf, df, proj))
