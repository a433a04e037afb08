# SPDX-License-Identifier: Apache-2.0
"""The UN's ccmppWPP inputs in the UN's own long layouts (time_start, time_span, sex, age_start, age_span,
indicator, value), read as they are: a life table by single years 0..130+ in long form with every lt_* indicator
and a "both" sex, on a projection to 100+; fertility as pasfr (percent, ages 10..54) and a TFR by time_start, as
ccmppWPP builds its ASFR (asfr = tfr * pasfr / 100); net migration as rates (mig_net_rate_age_sex, M = r * P at the
start of the step); the mig_parameter assumption "even" for 2020-2021 and "end" from 2022; SRB per female.
expected.csv is computed independently by ../ccmpp_reference.py (docs/ccmpp.md Part A), never calling cohortgis.
Run: /usr/bin/python3 make_case.py
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import ccmpp_reference as ref  # noqa: E402

W, WLT, BASE, STEPS = 100, 130, 2020, 3
AGES = np.arange(W + 1)
LTAGES = np.arange(WLT + 1)
LT_YEARS = (2020, 2021, 2022)


def mx_of(year):
    k = 0.97 ** (year - 2020)  # mortality falls 3 % a year
    # Infant term + Makeham + a Kannisto (logistic) senescent term, so that mx stays below 1 up to 130 as the UN's
    # extended tables do.
    kan = lambda c, b: c * np.exp(b * LTAGES) / (1.0 + c * np.exp(b * LTAGES))  # noqa: E731
    return {"female": k * (0.01 * np.exp(-1.5 * LTAGES) + 2e-4 + kan(3e-5, 0.098)),
            "male": k * (0.012 * np.exp(-1.4 * LTAGES) + 4e-4 + kan(7e-5, 0.090))}


# The UN's life table by single years to 130+ (DemoTools lt_single_mx conventions for single years, as the
# reference implements them): each year's lt_nMx, lt_nAx, lt_nqx, lt_lx, lt_ndx, lt_nLx, lt_Sx, lt_Tx, lt_ex.
lt_rows, S_grid = [], {}
for y in LT_YEARS:
    mx = mx_of(y)
    S_grid[y] = {}
    for s in ("female", "male", "both"):
        src = "female" if s == "both" else s  # a "both" table: present in the UN's files, not used here
        ax, qx, lx, Lx = ref.single_year_table_from_mx(mx[src], src == "female")
        Tx = np.cumsum(Lx[::-1])[::-1]
        dx = lx * qx
        Sx = np.empty(WLT + 1)  # lt_Sx by the age at the end of the step: row 0 = L0/l0, row 130 = T130/T129
        Sx[0] = Lx[0] / lx[0]
        Sx[1:-1] = Lx[1:-1] / Lx[:-2]
        Sx[-1] = Tx[-1] / Tx[-2]
        cols = {"lt_nMx": mx[src], "lt_nAx": ax, "lt_nqx": qx, "lt_lx": lx, "lt_ndx": dx, "lt_nLx": Lx,
                "lt_Sx": Sx, "lt_Tx": Tx, "lt_ex": Tx / lx}
        for ind, v in cols.items():
            for x in LTAGES:
                lt_rows.append([ind, y, 1, s, int(x), 1000 if x == WLT else 1, float(v[x])])
        if s != "both":  # A1 on the 100+ grid: the open group holds T100 = L100 + ... + L129 + T130
            L = np.concatenate([Lx[:W], [Tx[W]]])
            S_grid[y][s] = ref.survival_from_Lx(L, 100000.0, 1)
ref.write_csv(os.path.join(HERE, "life_table_age_sex.csv"),
              ["indicator", "time_start", "time_span", "sex", "age_start", "age_span", "value"], lt_rows)

P = {"female": 9000.0 * np.exp(-0.005 * AGES), "male": 9300.0 * np.exp(-0.007 * AGES)}
ref.write_csv(os.path.join(HERE, "pop_count_age_sex_base.csv"),
              ["time_start", "time_span", "sex", "age_start", "age_span", "value"],
              [[BASE, 0, s, int(x), 1000 if x == W else 1, float(P[s][x])] for s in P for x in AGES])

# Fertility as the UN's pasfr (percent of the TFR by single age 10..54, summing to 100) and TFR by time_start.
TFR = {2020: 1.6, 2021: 1.5, 2022: 1.45}
PAGES = np.arange(10, 55)
pasfr, F = {}, {}
for y in TFR:
    mean = 29.0 + 0.3 * (y - 2020)
    shape = np.exp(-0.5 * ((PAGES - mean) / 6.0) ** 2)
    pasfr[y] = 100.0 * shape / shape.sum()
    F[y] = np.zeros(W + 1)
    F[y][10:55] = TFR[y] * pasfr[y] / 100.0  # ccmppWPP: asfr = tfr * pasfr / 100
ref.write_csv(os.path.join(HERE, "fert_pct_age_1x1.csv"), ["time_start", "time_span", "age_start", "age_span", "value"],
              [[y, 1, int(a), 1, float(pasfr[y][i])] for y in TFR for i, a in enumerate(PAGES)])
ref.write_csv(os.path.join(HERE, "fert_rate_tot.csv"), ["time_start", "time_span", "value"],
              [[y, 1, TFR[y]] for y in TFR])
ref.write_csv(os.path.join(HERE, "fert_rate_age_f.csv"), ["time_start", "time_span", "age_start", "age_span", "value"],
              [[y, 1, int(a), 1000 if a == W else 1, float(F[y][a])] for y in TFR for a in AGES])
SRB = {2020: 1.06, 2021: 1.055, 2022: 1.05}
ref.write_csv(os.path.join(HERE, "srb.csv"), ["time_start", "time_span", "value"], [[y, 1, SRB[y]] for y in SRB])

# Net migration rates per person over the step (annual steps), by sex and single age, every time_start.
R = {}
for y in TFR:
    R[y] = {"female": np.where((AGES >= 18) & (AGES <= 35), 0.004 + 0.001 * (y - 2020), 0.0),
            "male": np.where((AGES >= 18) & (AGES <= 40), -0.003, 0.0)}
    R[y]["male"][0] = -1.0  # a rate that empties the cell: the WPP override keeps 0.00001 persons
ref.write_csv(os.path.join(HERE, "mig_net_rate_age_sex.csv"),
              ["time_start", "time_span", "sex", "age_start", "age_span", "value"],
              [[y, 1, s, int(x), 1000 if x == W else 1, float(R[y][s][x])] for y in R for s in ("female", "male")
               for x in AGES])
TIMING = {2020: "even", 2021: "even", 2022: "end"}
ref.write_csv(os.path.join(HERE, "mig_parameter.csv"), ["indicator", "time_start", "time_span", "value"],
              [["mig_type", y, 1, "rates"] for y in TIMING] + [["mig_assumption", y, 1, TIMING[y]] for y in TIMING])

pops = {BASE: P}
for k in range(STEPS):
    t = BASE + k
    p = pops[t]
    M = {s: R[t][s] * p[s] for s in p}
    pops[t + 1] = ref.step(p, S_grid[t], F[t], SRB[t], M, 1, TIMING[t])
ref.write_expected(os.path.join(HERE, "expected.csv"),
                   {(v, y): p for v in ("baseline", "asfr") for y, p in pops.items()}, "X", "total", 1)
print("total %.3f -> %.3f" % (sum(P[s].sum() for s in P), sum(pops[BASE + STEPS][s].sum() for s in P)))
