# SPDX-License-Identifier: Apache-2.0
"""5x5 on 85+ from the UN's extended tables to 130+, two periods 2020 -> 2030, flow_policy = "wpp", mig_type
"rates": the base population to 130 (rows 85 … 130 summed into 85+), the abridged lt_nLx 0, 1, 5, …, 130+ (folded
into T85), and net rates per step (`mig_net_rate_age_sex`) with one and the same non-zero rate on every row from 85
to 130, so the open group's migrants are r · P(85+) at the start; a rate of −1 at 80 in the second period (the
override keeps 0.00001); even, then end.
Written from scenarios/README.md alone; expected.csv from numpy (../outside6_reference.py), never calling cohortgis.
Run: /usr/bin/python3 make_case.py   (mutant: make_case.py --mutant DIR, the open group without migrants, its
rows' rate dropped)
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import outside5_reference as o5  # noqa: E402  (synthetic life tables only)
import outside6_reference as o6  # noqa: E402

OUT, MUTANT = o6.out_dir(HERE, sys.argv)
Z, W, TOP, BASE = 5, 85, 130, 2020
STEPS = [2020, 2025]
TIMING = {2020: "even", 2025: "end"}
N = W // Z + 1
AGES = np.arange(N) * Z
ALL = np.arange(0, TOP + 1, 5)

S, lt = {}, []
for k, t in enumerate(STEPS):
    for s, (a, d) in (("female", (0.02, 2e-5)), ("male", (0.025, 3.5e-5))):
        l, L1 = o5.gm_single_L(TOP, 100000.0, a=a * (1 - 0.1 * k), d=d * (1 - 0.04 * k))
        ab_ages, ab_L = o5.abridge(L1, TOP)
        S[(t, s)] = o6.ratios(o6.grid_L(ab_ages, ab_L, Z, W), 100000.0, Z)
        lt += [[t, 5, s, int(x), float(v)] for x, v in zip(ab_ages, ab_L)]
o6.write_csv(os.path.join(OUT, "lt_nLx.csv"), ["time_start", "time_span", "sex", "age_start", "value"], lt)

Pall = {"female": 3000.0 * np.exp(-0.01 * ALL) / (1 + np.exp(0.11 * (ALL - 82.0))),
        "male": 3100.0 * np.exp(-0.012 * ALL) / (1 + np.exp(0.11 * (ALL - 78.0)))}
o6.write_csv(os.path.join(OUT, "pop_count_age_sex_base.csv"), ["time_start", "sex", "age_start", "value"],
             [[BASE, s, int(a), float(Pall[s][j])] for s in o6.SEXES for j, a in enumerate(ALL)])
P0 = {s: o6.grid_L(ALL, Pall[s], Z, W) for s in o6.SEXES}
F = np.zeros(N)
F[3:10] = np.array([0.012, 0.055, 0.09, 0.08, 0.04, 0.009, 0.0006])
o6.write_csv(os.path.join(OUT, "fert_rate_age_f.csv"), ["age_start", "value"],
             [[int(AGES[i]), float(F[i])] for i in range(3, 10)])
RATE = {}
for k, t in enumerate(STEPS):
    for s in o6.SEXES:
        r = np.zeros(len(ALL))
        r[4:8] = 0.03 - 0.04 * k
        r[W // Z:] = (-0.015 if s == "female" else 0.02) * (1 + k)  # one rate from 85 to 130
        if k == 1:
            r[16] = -1.0  # 80-84 emptied: the override
        RATE[(t, s)] = r
o6.write_csv(os.path.join(OUT, "mig_net_rate_age_sex.csv"), ["time_start", "sex", "age_start", "value"],
             [[t, s, int(a), float(RATE[(t, s)][j])] for t in STEPS for s in o6.SEXES for j, a in enumerate(ALL)])

rows = []
P = {s: P0[s].copy() for s in o6.SEXES}
rows += o6.expected_rows("baseline", BASE, "X", "total", P, AGES)
for t in STEPS:
    M = {}
    for s in o6.SEXES:
        M[s] = RATE[(t, s)][:N] * P[s]
        if MUTANT:
            M[s][-1] = 0.0
    P = o6.project(P, {s: S[(t, s)] for s in o6.SEXES}, F, 1.05, M, Z, TIMING[t])
    rows += o6.expected_rows("baseline", t + Z, "X", "total", P, AGES)
o6.write_expected(os.path.join(OUT, "expected.csv"), rows)
o6.finish_mutant(HERE, OUT, MUTANT)
