# SPDX-License-Identifier: Apache-2.0
"""Two zones projected side by side, 5x5 on 85+, two periods 2020 -> 2030, flow_policy = "wpp": every form of
external migration in its own unit added into one M per cell before the override: `in` in 10k (万人) per step
(zone A only), `out` in persons per year, `out_rate` per person per year (no zone column: both zones), `net_total`
in thousands per step by zone spread like each zone's start population; ASFR and SRB by zone, one abridged Lx for
both; even, then end. Written from scenarios/README.md alone; expected.csv from numpy (../outside5_reference.py),
never calling cohortgis.
Run: /usr/bin/python3 make_case.py   (mutant: make_case.py --mutant DIR, the total spread over both zones' population)
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import outside5_reference as o5  # noqa: E402

OUT, MUTANT = o5.out_dir(HERE, sys.argv)
Z, W, BASE, YEARS = 5, 85, 2020, [2020, 2025]
N = W // Z + 1
AGES = np.arange(N) * Z
ZONES = ("A", "B")
TIMING = {2020: "even", 2025: "end"}

S, lt_rows = {}, []
for s, (a, d) in (("female", (0.03, 2.8e-5)), ("male", (0.04, 4.6e-5))):
    l, L1 = o5.gm_single_L(100, 100000.0, a=a, d=d)
    ab_ages, ab_L = o5.abridge(L1, 100)
    S[s] = o5.survival_from_L(o5.fold_L(ab_ages, ab_L, Z, W), 100000.0, Z)
    lt_rows += [[s, int(x), float(v)] for x, v in zip(ab_ages, ab_L)]
o5.write_csv(os.path.join(OUT, "lt_nLx.csv"), ["sex", "age_start", "value"], lt_rows)

P0, ASFR, SRB = {}, {}, {"A": 106.0, "B": 103.5}
for z, (k, sc) in zip(ZONES, ((0.0, 1.0), (1.0, 0.3))):
    P0[z] = {"female": sc * 50000.0 * np.exp(-0.01 * (1 + k) * AGES) / (1 + np.exp(0.1 * (AGES - 78.0))),
             "male": sc * 51000.0 * np.exp(-0.012 * (1 + k) * AGES) / (1 + np.exp(0.1 * (AGES - 74.0)))}
    pat = np.where((AGES >= 15) & (AGES < 50), np.exp(-0.5 * ((AGES - 29.0 + 2 * k) / 6.5) ** 2), 0.0)
    ASFR[z] = (1.5 + 0.6 * k) * pat / (5 * pat.sum())
P0["B"]["male"][16] = 0.0  # zone B, men 80-84: empty
o5.write_csv(os.path.join(OUT, "base.csv"), ["zone", "sex", "age", "population"],
             [[z, s, int(AGES[i]), float(P0[z][s][i])] for z in ZONES for s in o5.SEXES for i in range(N)])
o5.write_csv(os.path.join(OUT, "asfr.csv"), ["zone", "age", "value"],
             [[z, int(AGES[i]), float(ASFR[z][i])] for z in ZONES for i in range(3, 10)])
o5.write_csv(os.path.join(OUT, "srb.csv"), ["zone", "value"], [[z, SRB[z]] for z in ZONES])

IN = {s: np.where((AGES >= 20) & (AGES < 35), 0.03 if s == "female" else 0.05, 0.0) for s in o5.SEXES}  # 10k/step
OUTC = {s: np.where((AGES >= 25) & (AGES < 45), 120.0, 0.0) for s in o5.SEXES}  # persons per year
OUTC["male"][15] = 900.0  # zone B's men 75-79 hold fewer: the override there
ORATE = {s: np.where(AGES >= 60, 0.004, 0.001) for s in o5.SEXES}  # per person per year
TOT = {(2020, "A"): 3.2, (2020, "B"): -0.9, (2025, "A"): -2.0, (2025, "B"): 0.4}  # thousands per step
o5.write_csv(os.path.join(OUT, "in.csv"), ["zone", "year", "sex", "age", "value"],
             [["A", t, s, int(AGES[i]), float(IN[s][i])] for t in YEARS for s in o5.SEXES for i in range(N) if IN[s][i]])
o5.write_csv(os.path.join(OUT, "out.csv"), ["zone", "sex", "age", "value"],
             [[z, s, int(AGES[i]), float(OUTC[s][i])] for z in ZONES for s in o5.SEXES for i in range(N) if OUTC[s][i]])
o5.write_csv(os.path.join(OUT, "out_rate.csv"), ["sex", "age", "value"],
             [[s, int(AGES[i]), float(ORATE[s][i])] for s in o5.SEXES for i in range(N)])
o5.write_csv(os.path.join(OUT, "net_total.csv"), ["zone", "year", "value"], [[z, t, TOT[(t, z)]] for (t, z) in TOT])

rows = []
P = {z: {s: P0[z][s].copy() for s in o5.SEXES} for z in ZONES}
for z in ZONES:
    rows += o5.expected_rows("baseline", BASE, z, "total", P[z], AGES)
for t in YEARS:
    new = {}
    both = sum(P[z][s].sum() for z in ZONES for s in o5.SEXES)
    for z in ZONES:
        tot = sum(P[z][s].sum() for s in o5.SEXES)
        M = {}
        for s in o5.SEXES:
            spread = 1000.0 * TOT[(t, z)] * P[z][s] / (both if MUTANT else tot)
            M[s] = (1e4 * IN[s] if z == "A" else 0.0) - Z * OUTC[s] - Z * ORATE[s] * P[z][s] + spread
        new[z] = o5.wpp_step(P[z], S, ASFR[z], SRB[z] / 100.0, M, Z, TIMING[t])
    P = new
    for z in ZONES:
        rows += o5.expected_rows("baseline", t + Z, z, "total", P[z], AGES)
o5.write_expected(os.path.join(OUT, "expected.csv"), rows)
o5.finish_mutant(HERE, OUT, MUTANT)
