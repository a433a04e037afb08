# SPDX-License-Identifier: Apache-2.0
"""5x5 on 100+, two periods 2020 -> 2030, flow_policy = "wpp", two countries: the WPP publication's layout saved as
one ODS workbook (as LibreOffice saves the UN's Excel tables): `LocID` and `SexID` as number cells (`LocID` mapped to
`zone`, `SexID` 1/2 mapped by `values`, 3 = both dropped by a filter on a number cell), `AgeGrp` labels (`0-4`, …,
`100+` for the base, `0`, `1-4`, `5-9`, …, `100+` for the abridged Lx), the base population in thousands of a sheet
holding 2015 and 2020 (filter `Time = 2020` on a number cell), ASFR per 1000 by five-year label, SRB per 100 females
by country and period, net counts per year by period. Written from scenarios/README.md alone; expected.csv from numpy
(../outside6_reference.py), never calling cohortgis.
Run: /usr/bin/python3 make_case.py   (mutant: make_case.py --mutant DIR, the 2015 base rows added to 2020's)
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import outside5_reference as o5  # noqa: E402  (synthetic life tables only)
import outside6_reference as o6  # noqa: E402

OUT, MUTANT = o6.out_dir(HERE, sys.argv)
Z, W, BASE = 5, 100, 2020
YEARS = [2020, 2025]
N = W // Z + 1
AGES = np.arange(N) * Z
LOCS = {156: (1.0, 1.4), 392: (0.6, 1.3)}  # mortality level, TFR
SEXID = {"male": 1, "female": 2}


def label5(a):
    return f"{a}+" if a == W else f"{a}-{a + 4}"


def label_ab(a):
    return {0: "0", 1: "1-4"}.get(a, f"{a}+" if a == W else f"{a}-{a + 4}")


S, lt = {}, []
for loc, (lev, _) in LOCS.items():
    for k, t in enumerate(YEARS):
        for s, (a, d) in (("female", (0.02, 3e-5)), ("male", (0.025, 5e-5))):
            l, L1 = o5.gm_single_L(W, 100000.0, a=a * lev * (1 - 0.1 * k), d=d * lev)
            ab_ages, ab_L = o5.abridge(L1, W)
            S[(loc, t, s)] = o6.ratios(o6.grid_L(ab_ages, ab_L, Z, W), 100000.0, Z)
            lt += [[loc, t, SEXID[s], label_ab(int(x)), float(v)] for x, v in zip(ab_ages, ab_L)]
        lt += [[loc, t, 3, label_ab(int(x)), 1.0] for x in (0, 1)]  # both sexes: dropped by the filter

P0, pop = {}, []
for loc, (lev, _) in LOCS.items():
    for s in o6.SEXES:
        p = (90.0 if loc == 156 else 40.0) * np.exp(-(0.01 if s == "female" else 0.012) * AGES) / \
            (1 + np.exp(0.09 * (AGES - 78.0 - 4 * (loc == 392))))
        P0[(loc, s)] = p
        pop += [[loc, 2020, SEXID[s], label5(int(a)), float(p[i])] for i, a in enumerate(AGES)]
        pop += [[loc, 2015, SEXID[s], label5(int(a)), float(0.9 * p[i])] for i, a in enumerate(AGES)]
        pop += [[loc, 2020, 3, label5(int(a)), 1.0] for a in (0, 5)]

ASFR, fert = {}, []
for loc, (_, tfr) in LOCS.items():
    for k, t in enumerate(YEARS):
        f = np.zeros(N)
        ages = np.arange(15, 50, 5)
        pat = np.exp(-0.5 * ((ages + 2.5 - 30.0 - k) / 6.5) ** 2)
        f[3:10] = (tfr + 0.05 * k) * pat / (5 * pat.sum())
        ASFR[(loc, t)] = f
        fert += [[loc, t, label5(int(a)), float(1000 * f[a // 5])] for a in ages]
SRB = {(156, 2020): 112.0, (156, 2025): 110.0, (392, 2020): 105.0, (392, 2025): 105.5}

NET, mig = {}, []
for loc in LOCS:
    for k, t in enumerate(YEARS):
        for s in o6.SEXES:
            c = np.zeros(N)
            c[4:8] = (0.3 if loc == 392 else -0.2) * (1 + k)
            c[13] = -0.05
            NET[(loc, t, s)] = c
            mig += [[loc, t, SEXID[s], label5(int(a)), float(c[i])] for i, a in enumerate(AGES) if c[i] != 0]

o6.write_ods(os.path.join(OUT, "wpp_tables.ods"), [
    ("Population", ["LocID", "Time", "SexID", "AgeGrp", "Value"], pop),
    ("LifeTable", ["LocID", "Time", "SexID", "AgeGrp", "Lx"], lt),
    ("Fertility", ["LocID", "Time", "AgeGrp", "ASFR"], fert),
    ("SRB", ["LocID", "Time", "SRB"], [[loc, t, SRB[(loc, t)]] for loc in LOCS for t in YEARS]),
    ("Migration", ["LocID", "Time", "SexID", "AgeGrp", "NetMigrants"], mig),
])

rows = []
for loc in LOCS:
    P = {s: P0[(loc, s)] * (1.9 if MUTANT else 1.0) for s in o6.SEXES}
    rows += o6.expected_rows("baseline", BASE, str(loc), "total", P, AGES)
    for t in YEARS:
        M = {s: Z * NET[(loc, t, s)] for s in o6.SEXES}
        P = o6.project(P, {s: S[(loc, t, s)] for s in o6.SEXES}, ASFR[(loc, t)], SRB[(loc, t)] / 100, M, Z, "even")
        rows += o6.expected_rows("baseline", t + Z, str(loc), "total", P, AGES)
o6.write_expected(os.path.join(OUT, "expected.csv"), rows)
o6.finish_mutant(HERE, OUT, MUTANT)
