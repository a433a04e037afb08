# SPDX-License-Identifier: Apache-2.0
"""Japan 2020 -> 2025 in annual steps on single years to 100+, mortality as ccmppWPP's long life table of lt_nMx rows
by time_start (the engine builds the single-year life tables), fertility as pasfr by single age + a TFR path keyed by
calendar year, net migrant counts by age and sex in thousands per step. Writes the scenario's tables and expected.csv,
computed here in plain numpy from scenarios/README.md ("Life tables built from mx", "pasfr and TFR") and
docs/ccmpp.md A1-A3, written from the documents, not from the engine (no cohortgis). Run: /usr/bin/python3 make_case.py

Inputs (its own choices, the inputs of a test), from data/wpp: the WPP 2022 population of 1 July 2020 by single age
0-99 plus the WPP 2019 100+ (thousands) as the end-2020 population; each single age takes the WPP 2022 abridged mx of
its group (2015-2019), lowered by 1 % a year from time_start 2020; pasfr: the 2015-2019 five-year pasfr / 5 at each
single age; SRB: 2020's males per female; net migrants: 2.5 thousand per sex and single age 20-39 and -0.3 thousand at
60-69 per year. Variants: a0 by Coale-Demeny (region east); migration at the end of the step.
"""
import math
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import wpp_data  # noqa: E402

ISO, BASE, W = "JPN", 2020, 100
STEPS = range(2020, 2025)
SEXES = ("female", "male")
TFR = {2021: 1.33, 2022: 1.30, 2023: 1.26, 2024: 1.25, 2025: 1.24}  # the scenario's path (calendar-year keys)


def wpp(name):
    return wpp_data.rows(name, ISO)


pop = {s: np.zeros(W + 1) for s in SEXES}
with open(os.path.join(HERE, "pop_count_age_sex_base.csv"), "w") as f:
    f.write("time_start,sex,age_start,age_span,value\n")
    for r in wpp("population_single_age_2010_2020.csv"):
        if r["year"] == str(BASE):
            f.write(f"{BASE},{r['sex']},{r['age']},1,{r['pop_thousands']}\n")
            pop[r["sex"]][int(r["age"])] = float(r["pop_thousands"]) * 1000.0
    for r in wpp("supplementary_wpp2019_population_5y_2010_2020.csv"):
        if r["year"] == str(BASE) and r["age_start"] == "100":
            f.write(f"{BASE},{r['sex']},100,1000,{r['pop_thousands']}\n")
            pop[r["sex"]][W] = float(r["pop_thousands"]) * 1000.0

ab = {(r["sex"], int(r["age_start"])): float(r["mx"]) for r in wpp("mortality_mx_abridged_2010_2020.csv")
      if r["period_start"] == "2015"}
starts = sorted({a for (_, a) in ab})
mx = {}
with open(os.path.join(HERE, "life_table_age_sex.csv"), "w") as f:
    f.write("indicator,time_start,time_span,sex,age_start,age_span,value\n")
    for t in STEPS:
        for s in SEXES:
            m = np.array([ab[(s, max(x for x in starts if x <= a))] * (1 - 0.01 * (t - BASE)) for a in range(W + 1)])
            mx[(t, s)] = m
            for a in range(W + 1):
                f.write(f"lt_nMx,{t},1,{s},{a},{1000 if a == W else 1},{m[a]!r}\n")

pas = np.zeros(W + 1)
with open(os.path.join(HERE, "fert_pct_age_1x1.csv"), "w") as f:
    f.write("time_start,time_span,age_start,age_span,value\n")
    rows = [r for r in wpp("fertility_asfr_5y_2010_2020.csv") if r["period_start"] == "2015"]
    for a0 in range(10, 55):
        pas[a0] = float(next(r for r in rows if int(r["age_start"]) == a0 - a0 % 5)["pasfr_percent"]) / 5
    for t in STEPS:
        for a in range(10, 55):
            f.write(f"{t},1,{a},1,{pas[a]!r}\n")

srb = float(next(r for r in wpp("srb_annual_2010_2020.csv") if r["year"] == "2020")["srb_males_per_female"])
with open(os.path.join(HERE, "srb.csv"), "w") as f:
    f.write("time_start,time_span,value\n")
    for t in STEPS:
        f.write(f"{t},1,{srb!r}\n")

mig = np.zeros(W + 1)
mig[20:40], mig[60:70] = 2.5, -0.3  # thousands per sex, age and year
with open(os.path.join(HERE, "mig_net_count_age_sex.csv"), "w") as f:
    f.write("time_start,time_span,sex,age_start,age_span,value\n")
    for t in STEPS:
        for s in SEXES:
            for a in range(W + 1):
                if mig[a]:
                    f.write(f"{t},1,{s},{a},1,{mig[a]!r}\n")

# ---- single-year life table from mx (scenarios/README.md "Life tables built from mx") --------------------------
def a0_ak(m0, sex):
    if sex == "female":
        return 0.14903 - 2.05527 * m0 if m0 < 0.01724 else (0.04667 + 3.88089 * m0 if m0 < 0.06891 else 0.31411)
    return 0.14929 - 1.99545 * m0 if m0 < 0.0230 else (0.02832 + 3.26021 * m0 if m0 < 0.08307 else 0.29915)


def a0_cd_east(m0, sex):
    alpha, beta, const = (0.01, 3.0, 0.31) if sex == "female" else (0.0025, 2.875, 0.29)
    a, b = beta * m0, 1 + m0 * (1 - alpha)
    q0 = (b - math.sqrt(b * b - 4 * a * m0)) / (2 * a)
    return alpha + beta * q0 if q0 <= 0.1 else const


def survival(m, sex, a0_rule):
    l, L = np.zeros(W + 1), np.zeros(W + 1)
    l[0] = 100000.0
    for x in range(W):
        a = (a0_rule(m[0], sex)) if x == 0 else 0.5
        q = m[x] / (1 + (1 - a) * m[x])
        d = l[x] * q
        l[x + 1] = l[x] - d
        L[x] = l[x + 1] + a * d
    L[W] = l[W] / m[W]
    S = np.zeros(W + 1)
    S[0] = L[0] / l[0]
    S[1:W] = L[1:W] / L[0:W - 1]
    S[W] = L[W] / (L[W - 1] + L[W])
    return S


def project(a0_rule=a0_ak, timing="even"):
    P, out = {s: pop[s].copy() for s in SEXES}, {}
    for t in STEPS:
        S = {s: survival(mx[(t, s)], s, a0_rule) for s in SEXES}
        F = pas * TFR[t + 1] / pas.sum()  # the shape rescaled to the TFR of the path's key t + 1
        A, E, Q, M = {}, {}, {}, {}
        for s in SEXES:
            m = mig * 1000.0
            m = np.where(P[s] + m <= 0, 0.00001 - P[s], m)  # A2: the WPP override
            M[s] = m
            A[s], E[s] = (P[s] + m / 2, m / 2) if timing == "even" else (P[s], np.zeros(W + 1))
            D, q = np.zeros(W + 1), np.zeros(W + 1)
            D[1:W] = (1 - S[s][1:W]) * A[s][0:W - 1]
            D[W] = (1 - S[s][W]) * (A[s][W - 1] + A[s][W])
            q[1:W] = A[s][0:W - 1] - D[1:W] + E[s][1:W]
            q[W] = A[s][W - 1] + A[s][W] - D[W] + E[s][W]
            Q[s] = q
        Bi = F * (A["female"] + Q["female"]) / 2
        Bi[0] = Bi[W] = 0.0
        B = Bi.sum()
        Bf = B * (1 / (1 + srb))
        for s, Bs in (("female", Bf), ("male", B - Bf)):
            Q[s][0] = Bs - (1 - S[s][0]) * Bs + E[s][0]
            if timing == "end":
                Q[s] = Q[s] + M[s]
            Q[s] = np.where(Q[s] >= 0, Q[s], 0.0005)
        P = Q
        out[t + 1] = {s: P[s].copy() for s in SEXES}
    return out


runs = {"baseline": project(), "cd-east": project(a0_cd_east), "end": project(timing="end")}
with open(os.path.join(HERE, "expected.csv"), "w") as f:
    f.write("variant,year,zone,group,sex,age,population\n")
    for v, res in runs.items():
        for y, P in res.items():
            for s in SEXES:
                for a in range(W + 1):
                    f.write(f"{v},{y},JPN,total,{s},{a},{P[s][a]!r}\n")
print({v: {y: round(sum(P[s].sum() for s in SEXES)) for y, P in r.items()} for v, r in runs.items()})
