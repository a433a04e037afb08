# SPDX-License-Identifier: Apache-2.0
"""Nigeria 2010 -> 2020 in five-year steps on a five-year grid to 100+, mortality as the UN's abridged mx (WPP 2022
data/wpp file read as it is), so that the engine builds the abridged life tables itself. Writes the scenario's small
tables and expected.csv, computed here in plain numpy from scenarios/README.md "Life tables built from mx" and
docs/ccmpp.md A1-A3 (written from the documents, not from the engine; no cohortgis). Run: /usr/bin/python3 make_case.py

Inputs (its own choices, the inputs of a test): the WPP 2019 population of 1 July 2010 by five-year group with 100+
(thousands) as the end-2010 population; WPP 2022 abridged mx of the periods 2010-2014 and 2015-2019 (year = the
period's first year); pasfr of those periods with the TFR of the period as a path keyed at Y + 1 and Y + 5; the
SRB of 2010 and 2015 (males per female); net migration: the mean of WPP's annual totals over each period
(thousands per year), spread like the start population, at the end of the step.
Variants: a0 by Coale-Demeny (region south) with midpoint nax; migration at mid-period ("even").
"""
import math
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import wpp_data  # noqa: E402

ISO, BASE, Z, W = "NGA", 2010, 5, 20  # W: index of the open group 100+
STEPS = (2010, 2015)
SEXES = ("female", "male")


def wpp(name):
    return wpp_data.rows(name, ISO)


# ---- inputs -------------------------------------------------------------------------------------------------------
pop = {s: np.zeros(W + 1) for s in SEXES}
with open(os.path.join(HERE, "base_population.csv"), "w") as f:
    f.write("sex,age,population\n")
    for r in wpp("supplementary_wpp2019_population_5y_2010_2020.csv"):
        if r["year"] == str(BASE):
            f.write(f"{r['sex']},{r['age_start']},{r['pop_thousands']}\n")
            pop[r["sex"]][int(r["age_start"]) // 5] = float(r["pop_thousands"]) * 1000.0

mx = {}  # (period start, sex) -> rates at rows 0, 1, 5, ..., 100
for r in wpp("mortality_mx_abridged_2010_2020.csv"):
    mx.setdefault((int(r["period_start"]), r["sex"]), {})[int(r["age_start"])] = float(r["mx"])
mx = {k: np.array([v[a] for a in sorted(v)]) for k, v in mx.items()}

pasfr, tfr = {}, {}
for r in wpp("fertility_asfr_5y_2010_2020.csv"):
    t = int(r["period_start"])
    pasfr.setdefault(t, np.zeros(W + 1))[int(r["age_start"]) // 5] = float(r["pasfr_percent"])
    tfr[t] = float(r["tfr_period"])
srb = {int(r["year"]): float(r["srb_males_per_female"]) for r in wpp("srb_annual_2010_2020.csv")}
net = {int(r["year"]): float(r["net_migration_thousands"]) for r in wpp("net_migration_annual_2010_2020.csv")}
net_per_year = {t: sum(net[y] for y in range(t, t + 5)) / 5 for t in STEPS}  # thousands per year

with open(os.path.join(HERE, "srb.csv"), "w") as f:
    f.write("time_start,value\n")
    for t in STEPS:
        f.write(f"{t},{srb[t]!r}\n")
with open(os.path.join(HERE, "net_migration_total.csv"), "w") as f:
    f.write("time_start,value\n")
    for t in STEPS:
        f.write(f"{t},{net_per_year[t]!r}\n")

# ---- abridged life table from mx (scenarios/README.md "Life tables built from mx") -----------------------------
AK = {"female": ((0.01724, 0.14903, -2.05527), (0.06891, 0.04667, 3.88089), 0.31411),
      "male": ((0.0230, 0.14929, -1.99545), (0.08307, 0.02832, 3.26021), 0.29915)}
CD_ALPHA = {"west": (0.05, 0.0425), "north": (0.05, 0.0425), "east": (0.01, 0.0025), "south": (0.05, 0.0425)}
CD_CONST = {"west": (0.35, 0.33), "north": (0.35, 0.33), "east": (0.31, 0.29), "south": (0.35, 0.33)}
CD_BETA = (3.0, 2.875)
A41_INT = {"west": (1.524, 1.653), "north": (1.733, 1.859), "east": (1.487, 1.614), "south": (1.402, 1.541)}
A41_CONST = {"west": (1.361, 1.352), "north": (1.570, 1.558), "east": (1.324, 1.313), "south": (1.239, 1.240)}
A41_SLOPE = (1.627, 3.013)


def a0_ak(m0, sex):
    (t1, c1, s1), (t2, c2, s2), top = AK[sex]
    return c1 + s1 * m0 if m0 < t1 else (c2 + s2 * m0 if m0 < t2 else top)


def a0_cd(m0, sex, region):
    k = SEXES.index(sex)
    alpha, beta = CD_ALPHA[region][k], CD_BETA[k]
    a, b = beta * m0, 1 + m0 * (1 - alpha)
    q0 = (b - math.sqrt(b * b - 4 * a * m0)) / (2 * a)  # the smaller root
    return alpha + beta * q0 if q0 <= 0.1 else CD_CONST[region][k]


def const_hazard_a(n, m):
    return n + 1 / m - n / (1 - math.exp(-n * m))


def abridged_Lx(m, sex, a0_rule="ak", region="west", ax="greville", radix=100000.0):
    n = np.array([1.0, 4.0] + [5.0] * (len(m) - 2))
    k = SEXES.index(sex)
    a = np.zeros(len(m))
    a[0] = a0_ak(m[0], sex) if a0_rule == "ak" else a0_cd(m[0], sex, region)
    q0 = m[0] / (1 + (1 - a0_ak(m[0], sex)) * m[0])
    a[1] = A41_INT[region][k] - A41_SLOPE[k] * q0 if q0 <= 0.1 else A41_CONST[region][k]
    last = len(m) - 1
    for i in range(2, last):
        if ax == "midpoint":
            a[i] = n[i] / 2
            continue
        n_next = n[i] if i + 1 == last else n[i + 1]
        kx = math.log(m[i + 1] / m[i - 1]) / (n[i - 1] / 2 + n[i] + n_next / 2)
        g = n[i] / 2 - n[i] ** 2 / 12 * (m[i] - kx)
        a[i] = g if 0.4 * n[i] <= g <= 0.6 * n[i] else const_hazard_a(n[i], m[i])
    l, L = radix, np.zeros(len(m))
    for i in range(last):
        q = n[i] * m[i] / (1 + (n[i] - a[i]) * m[i])
        if q > 1:  # DemoTools lt_id_ma_q (R/lt_id.R): the constant-hazard q, the row's nax kept
            q = 1 - math.exp(-n[i] * m[i])
        d = l * q
        L[i] = n[i] * (l - d) + a[i] * d
        l -= d
    L[last] = l / m[last]
    return L, radix


def survival(L, l0):  # docs/ccmpp.md A1, z = 5, abridged rows: 5L0 = 1L0 + 4L1
    L5 = np.concatenate([[L[0] + L[1]], L[2:]])
    S = np.empty(W + 1)
    S[0] = L5[0] / (5 * l0)
    S[1:W] = L5[1:W] / L5[0:W - 1]
    S[W] = L5[W] / (L5[W - 1] + L5[W])
    return S


# ---- the projection (docs/ccmpp.md A2-A3, flow_policy "wpp") --------------------------------------------------
def project(a0_rule="ak", region="west", ax="greville", timing="end"):
    P, out = {s: pop[s].copy() for s in SEXES}, {}
    for t in STEPS:
        S = {s: survival(*abridged_Lx(mx[(t, s)], s, a0_rule, region, ax)) for s in SEXES}
        F = pasfr[t] * tfr[t] / (5 * pasfr[t].sum())
        total = sum(P[s].sum() for s in SEXES)
        A, E, Q, M = {}, {}, {}, {}
        for s in SEXES:
            m = net_per_year[t] * 1000.0 * 5 * P[s] / total  # A2: a total spread like the start population
            m = np.where(P[s] + m <= 0, 0.00001 - P[s], m)  # A2: the WPP override
            M[s] = m
            A[s], E[s] = (P[s] + m / 2, m / 2) if timing == "even" else (P[s], np.zeros(W + 1))
            D, q = np.zeros(W + 1), np.zeros(W + 1)
            D[1:W] = (1 - S[s][1:W]) * A[s][0:W - 1]
            D[W] = (1 - S[s][W]) * (A[s][W - 1] + A[s][W])
            q[1:W] = A[s][0:W - 1] - D[1:W] + E[s][1:W]
            q[W] = A[s][W - 1] + A[s][W] - D[W] + E[s][W]
            Q[s] = q
        Bi = Z * F * (A["female"] + Q["female"]) / 2
        Bi[0] = Bi[W] = 0.0
        B = Bi.sum()
        Bf = B * (1 / (1 + srb[t]))
        for s, Bs in (("female", Bf), ("male", B - Bf)):
            Q[s][0] = Bs - (1 - S[s][0]) * Bs + E[s][0]
            if timing == "end":
                Q[s] = Q[s] + M[s]
            Q[s] = np.where(Q[s] >= 0, Q[s], 0.0005)
        P = Q
        out[t + Z] = {s: P[s].copy() for s in SEXES}
    return out


runs = {"baseline": project(), "cd-south-midpoint": project("cd", "south", "midpoint"), "even": project(timing="even")}
with open(os.path.join(HERE, "expected.csv"), "w") as f:
    f.write("variant,year,zone,group,sex,age,population\n")
    for v, res in runs.items():
        for y, P in res.items():
            for s in SEXES:
                for i in range(W + 1):
                    f.write(f"{v},{y},NGA,total,{s},{5 * i},{P[s][i]!r}\n")
print({v: {y: round(sum(P[s].sum() for s in SEXES)) for y, P in r.items()} for v, r in runs.items()})

# The scenario's TFR path holds the file's period TFRs (keyed at Y + 1 and Y + 5: scenarios/README.md "pasfr and TFR").
with open(os.path.join(HERE, "scenario.toml"), encoding="utf-8") as f:
    text = f.read()
for t in STEPS:
    assert f'"{t + 1}" = {tfr[t]!r}' in text and f'"{t + 5}" = {tfr[t]!r}' in text, (t, tfr[t])
