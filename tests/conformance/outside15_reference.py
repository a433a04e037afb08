# SPDX-License-Identifier: Apache-2.0
"""A fifteenth outside author's reference (round 27): ccmppWPP's projection and the outputs its workflow derives from
it that the earlier references left out, written from scenarios/README.md (the format only) and the UN's R sources
(markalava/ccmppWPP 09739c8, GPL-3; formulas re-expressed, no code copied), each function with its file and lines.
Plain Python, standard library only; it never calls cohortgis.

    tables = life_table(mx, a0)                 # the UN's life-table columns (lt_nMx ... lt_ex), one sex
    steps  = loop(base, inputs)                 # project_ccmpp_loop_over_time + project_ccmpp_z_by_z, z = 1
    rows   = workflow_outputs(base, steps, ...) # ccmppWPP_compute_WPP_outputs' growth, crude, 5x1 and pct tables
"""
import math

SEXES = ("female", "male")
OVERRIDE, FLOOR, RADIX = 0.00001, 0.0005, 100000.0


def life_table(mx, a0, digits=12):
    """One sex's single-year table on 0 ... w in the UN's columns: ax = a0 at 0 and 0.5 above, q = m / (1 + (1 - a)
    m), L = l(x+1) + a d, the open row L = l / m, T, e = T / l and the survival ratios by the age at arrival (DemoTools
    806cdc3 R/lt_id.R: `lt_id_morq_a`'s q, `lt_id_lda_L`, `lt_id_L_T`, ex = Tx / lx, `lt_id_Ll_S` with N = 1: S0 = L0
    / l0, Sx = Lx / L(x-1), Sw = Tw / T(w-1)). mx, lx and Lx are rounded to `digits` significant digits (as the case
    writes them) before T, e and S are taken from them, so that the table read back is this one."""
    w = len(mx) - 1
    ax = [a0] + [0.5] * w
    qx = [m / (1 + (1 - a) * m) for m, a in zip(mx[:w], ax[:w])] + [1.0]
    lx = [RADIX]
    for q in qx[:w]:
        lx.append(lx[-1] * (1 - q))
    dx = [l * q for l, q in zip(lx, qx)]
    Lx = [lx[x + 1] + ax[x] * dx[x] for x in range(w)] + [lx[w] / mx[w]]
    mx, lx, Lx = ([float(f"{v:.{digits}g}") for v in col] for col in (mx, lx, Lx))
    Tx = [0.0] * (w + 1)
    Tx[w] = Lx[w]
    for x in range(w - 1, -1, -1):
        Tx[x] = Tx[x + 1] + Lx[x]
    Sx = [Lx[0] / lx[0]] + [Lx[x] / Lx[x - 1] for x in range(1, w)] + [Tx[w] / Tx[w - 1]]
    return {"lt_nMx": mx, "lt_nAx": ax, "lt_nqx": qx, "lt_lx": lx, "lt_ndx": dx, "lt_nLx": Lx, "lt_Sx": Sx,
            "lt_Tx": Tx, "lt_ex": [t / l for t, l in zip(Tx, lx)]}


def migrants(inp, P):
    """R/project_ccmpp_loop_over_time.R:62-90: counts as given, rates times the same sex's start population, a total
    spread as the start population of both sexes; then the override where P + M <= 0: M = 0.00001 - P."""
    kind = inp["mig_type"]
    if kind == "counts":
        M = {s: list(inp["counts"][s]) for s in SEXES}
    elif kind == "rates":
        M = {s: [r * p for r, p in zip(inp["rates"][s], P[s])] for s in SEXES}
    else:
        total = sum(P["female"]) + sum(P["male"])
        M = {s: [inp["total"] * p / total for p in P[s]] for s in SEXES}
    for s in SEXES:
        M[s] = [OVERRIDE - p if p + m <= 0 else m for p, m in zip(P[s], M[s])]
    return M


def step(P, S, asfr, srb, M, assumption, z=1):
    """R/project_ccmpp_z_by_z.R:79-143: A = P + M/2 and E = M/2 under even (P and 0 under end), cohort deaths (1 -
    S) A of the row below (the open row's of the last two), births z f (A + Q)/2 over rows 1 ... w-1 split by srb,
    row 0 from the births, all of M added at the end under end, a negative end cell set to 0.0005."""
    n = len(P["female"])
    even = assumption == "even"
    A = {s: [p + m / 2 for p, m in zip(P[s], M[s])] if even else list(P[s]) for s in SEXES}
    E = {s: [m / 2 for m in M[s]] if even else [0.0] * n for s in SEXES}
    Q, D, F = {}, {}, {}
    for s in SEXES:
        d = [0.0] + [(1 - S[s][x]) * A[s][x - 1] for x in range(1, n)]
        d[n - 1] = (1 - S[s][n - 1]) * (A[s][n - 2] + A[s][n - 1])
        q = [0.0] + [A[s][x - 1] - d[x] + E[s][x] for x in range(1, n)]
        q[n - 1] = A[s][n - 2] + A[s][n - 1] - d[n - 1] + E[s][n - 1]
        Q[s], D[s] = q, d
    by_age = [z * f * (a + q) / 2 for f, a, q in zip(asfr, A["female"], Q["female"])]
    by_age[0] = by_age[n - 1] = 0.0
    births_b = sum(by_age)
    births = {"female": births_b * (1 / (1 + srb))}
    births["male"] = births_b - births["female"]
    for s in SEXES:
        D[s][0] = (1 - S[s][0]) * births[s]
        Q[s][0] = births[s] - D[s][0] + E[s][0]
        if not even:
            Q[s] = [q + m for q, m in zip(Q[s], M[s])]
        F[s] = [FLOOR - q if q < 0 else 0.0 for q in Q[s]]  # what the floor adds (components.csv floor_adjustment)
        Q[s] = [FLOOR if q < 0 else q for q in Q[s]]
    return {"end": Q, "deaths": D, "births": births, "births_by_age": by_age, "migrants": M, "floor": F}


def loop(base, inputs):
    """R/project_ccmpp_loop_over_time.R:32-119: each step's migrants from the step's start population, the step, the
    end population the next start."""
    P, out = base, []
    for inp in inputs:
        M = migrants(inp, P)
        r = step(P, {s: inp["tables"][s]["lt_Sx"] for s in SEXES}, inp["asfr"], inp["srb"], M, inp["mig_assumption"])
        r["start"], r["time_start"], r["input"] = P, inp["time_start"], inp
        out.append(r)
        P = r["end"]
    return out


def period_deaths(d, l, L):
    """R/death_helper_functions.R:15-34 (`death_cohort_period_to_age_period`): separation factors from lx and nLx, a
    0/0 factor set to 1."""
    n = len(d)
    c = []
    for x in range(n - 1):
        num, den = L[x] - l[x + 1], (L[x] - L[x + 1]) if x < n - 2 else L[x]
        c.append(1.0 if den == 0 and num == 0 else num / den)
    out = [d[0] + d[1] * c[0]] + [d[x] * (1 - c[x - 1]) + d[x + 1] * c[x] for x in range(1, n - 1)]
    return out + [d[n - 1] * (1 - c[n - 2])]


def truncate(v, cut=100):
    """`ccmppWPP_truncate_OAG` (workflow lines 157-244): ages cut ... w summed into cut+."""
    return list(v[:cut]) + [sum(v[cut:])]


def five(v):
    """`sum_five_year_age_groups` (R/sum_last_column.R): floor(age / 5) * 5."""
    g = [0.0] * ((len(v) - 1) // 5 + 1)
    for a, x in enumerate(v):
        g[a // 5] += x
    return g


def r_round(x):
    """R's round(x, 0): to the nearest whole number, a half to the even one (IEC 60559)."""
    return float(round(x))


def pasfr(f, width):
    """R/fert_helper_functions_wpp.R:20-37 (`fert_pasfr`): value * width / (sum of value * width) * 100."""
    tfr = sum(v * width for v in f)
    return [v * width / tfr * 100 for v in f]


def workflow_outputs(base, steps, base_year):
    """The rows of R/ccmppWPP_workflow_one_country_variant.R (09739c8) that no earlier reference computes, as
    (indicator, time_start, sex, age_start or "", value): lines 73-131 (both sexes, period deaths, exposures with 0
    written as 1e-8), 157-244 (100+), 287-288 (the population rounded after 100+ is summed), 292-340 (5x1 sums,
    totals, percentage distributions), 345-370 (crude rates, natural increase, the growth rate of the rounded totals
    in percent), 394-423 (five-year ASFR from births and exposures, pasfr of both)."""
    rows = []
    pops = [(base_year, base)] + [(r["time_start"] + 1, r["end"]) for r in steps]
    tot_b = {}
    last = pops[-1][0]
    for year, P in pops:  # pop_count_age_sex_1x1 rounded (line 288), its totals and shares (320, 333-340)
        both = [f + m for f, m in zip(P["female"], P["male"])]
        for sex, v in (("female", P["female"]), ("male", P["male"]), ("both", both)):
            one = [r_round(x) for x in truncate(v)]
            total = sum(one)
            rows.append(("pop_count_tot_sex", year, sex, "", total))
            if sex == "both" and year == last:  # (the other rows alike; left out to keep the case small)
                rows += [("pop_pct_age_sex_1x1", year, sex, a, x / total * 100) for a, x in enumerate(one)]
            rows += [("pop_pct_age_sex_5x1", year, sex, 5 * g, x / total * 100) for g, x in enumerate(five(one))]
            if sex == "both":
                tot_b[year] = total
    for r in steps:
        t, inp = r["time_start"], r["input"]
        exposure, migrants_tot = {}, {}
        for s in SEXES:
            lt = inp["tables"][s]
            d = period_deaths(r["deaths"][s], lt["lt_lx"], lt["lt_nLx"])
            e = [x / m for x, m in zip(d, lt["lt_nMx"])]
            exposure[s] = truncate([1e-8 if x == 0 else x for x in e])  # line 95, then 100+
            migrants_tot[s] = sum(truncate(r["migrants"][s]))
        exposure_b = [f + m for f, m in zip(exposure["female"], exposure["male"])]
        exp_tot = sum(exposure_b)
        deaths_b = sum(sum(truncate(period_deaths(r["deaths"][s], inp["tables"][s]["lt_lx"],
                                                  inp["tables"][s]["lt_nLx"]))) for s in SEXES)
        births_b = r["births"]["female"] + r["births"]["male"]
        mig_b = migrants_tot["female"] + migrants_tot["male"]
        for s in SEXES:
            rows.append(("exposure_count_tot_sex", t, s, "", sum(exposure[s])))
            rows.append(("mig_net_count_tot_sex", t, s, "", migrants_tot[s]))
        rows.append(("exposure_count_tot_sex", t, "both", "", exp_tot))
        rows.append(("mig_net_count_tot_sex", t, "both", "", mig_b))
        cbr, cdr = births_b / exp_tot * 1000, deaths_b / exp_tot * 1000
        rows.append(("mig_net_rate_crude", t, "both", "", mig_b / exp_tot * 1000))
        rows.append(("pop_change_rate_natural", t, "both", "", cbr - cdr))
        rows.append(("pop_change_rate_tot", t, "both", "", math.log(tot_b[t + 1] / tot_b[t]) * 100))
        births5 = five(truncate(r["births_by_age"]))
        asfr5 = [b / e for b, e in zip(births5, five(exposure["female"]))]
        rows += [("fert_rate_age_5x1", t, "female", 5 * g, v) for g, v in enumerate(asfr5)]
        rows += [("fert_pct_age_5x1", t, "female", 5 * g, v) for g, v in enumerate(pasfr(asfr5, 5))]
        f1 = inp["asfr"][:101]  # fert_rate_age_f cut at 100 (line 230)
        rows += [("fert_pct_age_1x1", t, "female", a, v) for a, v in enumerate(pasfr(f1, 1)) if f1[a]]
    return rows


def write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(",".join(header) + "\n")
        for r in rows:
            f.write(",".join(str(x) for x in r) + "\n")
