# SPDX-License-Identifier: Apache-2.0
"""5x5 on 100+, two periods 2020 -> 2030, flow_policy = "wpp", every table as the UN's WPP publication writes it:
age groups as labels ("0", "1-4", "5-9", ..., "100+": `ages = "labels"`), sex as the UN's SexID codes (1 male,
2 female, 3 both: `filter` keeps 1 and 2, `values` maps them), populations and migrants in thousands (`unit`), ASFR
per 1000 women. Written from scenarios/README.md alone; expected.csv from numpy (../outside5_reference.py), never
calling cohortgis.
Run: /usr/bin/python3 make_case.py   (mutant: make_case.py --mutant DIR, the 100+ row of Lx read as the 100-104 row
of a table closed at 105)
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import outside5_reference as o5  # noqa: E402

OUT, MUTANT = o5.out_dir(HERE, sys.argv)
Z, W, BASE, YEARS = 5, 100, 2020, [2020, 2025]
N = W // Z + 1
AGES = np.arange(N) * Z
CODE = {"male": 1, "female": 2}


def label(a, top):
    if a == 0:
        return "0"
    if a == 1:
        return "1-4"
    return f"{a}+" if a == top else f"{a}-{a + 4}"


def glabel(i):
    return f"{AGES[i]}+" if i == N - 1 else f"{AGES[i]}-{AGES[i] + 4}"


lt_rows, S = [], {}
for t, f in ((2020, 1.0), (2025, 0.85)):
    for s, (a, d) in (("female", (0.03, 2.2e-5)), ("male", (0.035, 4e-5))):
        l, L1 = o5.gm_single_L(W, 100000.0, a=a * f, d=d * f)
        ab_ages, ab_L = o5.abridge(L1, W)
        Lg = o5.fold_L(ab_ages, ab_L, Z, W)
        if MUTANT:  # 100+ taken as 100-104 with L(105+) = 0: T100 -> 5 l(105) ... (the label misread)
            Lg = Lg.copy()
            Lg[-1] = L1[W] * 0.5
        S[(t, s)] = o5.survival_from_L(Lg, 100000.0, Z)
        lt_rows += [[156, t, CODE[s], label(x, W), float(v)] for x, v in zip(ab_ages, ab_L)]
        lt_rows += [[156, t, 3, label(x, W), 0.0] for x in ab_ages] if s == "male" else []

P0 = {"female": 5200.0 * np.exp(-0.009 * AGES) / (1 + np.exp(0.1 * (AGES - 80.0))),
      "male": 5300.0 * np.exp(-0.012 * AGES) / (1 + np.exp(0.11 * (AGES - 76.0)))}
P0 = {s: np.round(P0[s], 3) for s in o5.SEXES}  # thousands with three decimals, as published
base_rows = []
for i in range(N):
    for s in o5.SEXES:
        base_rows.append([156, BASE, CODE[s], glabel(i), float(P0[s][i])])
    base_rows.append([156, BASE, 3, glabel(i), float(P0["female"][i] + P0["male"][i])])

ASFR = {}  # per 1000 women
for t, tf in ((2020, 1.55), (2025, 1.7)):
    pat = np.where((AGES >= 15) & (AGES < 50), np.exp(-0.5 * ((AGES - 30.0) / 6.0) ** 2), 0.0)
    ASFR[t] = np.round(1000 * tf * pat / (5 * pat.sum()), 4)
fert_rows = [[156, t, glabel(i), float(ASFR[t][i])] for t in YEARS for i in range(3, 10)]
NET = {}  # thousands per year
for k, t in enumerate(YEARS):
    for s in o5.SEXES:
        c = np.zeros(N)
        c[4:8] = (2.5 - 3.5 * k) * (1.0 if s == "female" else 1.15)
        NET[(t, s)] = c
mig_rows = [[156, t, CODE[s], glabel(i), float(NET[(t, s)][i])] for t in YEARS for s in o5.SEXES for i in range(N)
            if NET[(t, s)][i]]

o5.write_csv(os.path.join(OUT, "wpp_population.csv"), ["LocID", "Time", "SexID", "AgeGrp", "Value"], base_rows)
o5.write_csv(os.path.join(OUT, "wpp_life_table_Lx.csv"), ["LocID", "Time", "SexID", "AgeGrp", "Lx"], lt_rows)
o5.write_csv(os.path.join(OUT, "wpp_asfr.csv"), ["LocID", "Time", "AgeGrp", "ASFR"], fert_rows)
o5.write_csv(os.path.join(OUT, "wpp_net_migrants.csv"), ["LocID", "Time", "SexID", "AgeGrp", "NetMigrants"], mig_rows)

rows = []
P = {s: 1000.0 * P0[s] for s in o5.SEXES}
rows += o5.expected_rows("baseline", BASE, "156", "total", P, AGES)
for t in YEARS:
    P = o5.wpp_step(P, {s: S[(t, s)] for s in o5.SEXES}, ASFR[t] / 1000.0, 1.05,
                    {s: Z * 1000.0 * NET[(t, s)] for s in o5.SEXES}, Z, "even")
    rows += o5.expected_rows("baseline", t + Z, "156", "total", P, AGES)
o5.write_expected(os.path.join(OUT, "expected.csv"), rows)
o5.finish_mutant(HERE, OUT, MUTANT)
