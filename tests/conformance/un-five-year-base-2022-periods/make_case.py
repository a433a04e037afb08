# SPDX-License-Identifier: Apache-2.0
"""5x5 on 100+ from base_year 2022 (not a multiple of 5), three steps 2022 -> 2037, flow_policy = "wpp": every
schedule by `period` ("2023-2027", "2028-2032", "2033-2037": the calendar years each step covers), the abridged
lt_nLx (0, 1, 5, …, 100+), ASFR per 1000, SRB per 100 females, net counts per year (x 5) and net rates per year
(r · 5 · P); timing keyed at the step start years 2022 (even) and 2032 (end).
Written from scenarios/README.md alone; expected.csv from numpy (../outside6_reference.py), never calling cohortgis.
Run: /usr/bin/python3 make_case.py   (mutant: make_case.py --mutant DIR, the counts per year taken once per step,
not five times)
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import outside5_reference as o5  # noqa: E402  (synthetic life tables only)
import outside6_reference as o6  # noqa: E402

OUT, MUTANT = o6.out_dir(HERE, sys.argv)
Z, W, BASE = 5, 100, 2022
STEPS = [2022, 2027, 2032]
PERIOD = {t: f"{t + 1}-{t + 5}" for t in STEPS}
TIMING = {2022: "even", 2027: "even", 2032: "end"}
N = W // Z + 1
AGES = np.arange(N) * Z

S, lt = {}, []
for k, t in enumerate(STEPS):
    for s, (a, d) in (("female", (0.03, 2.5e-5)), ("male", (0.036, 4.4e-5))):
        l, L1 = o5.gm_single_L(W, 100000.0, a=a * (1 - 0.15 * k), d=d * (1 - 0.05 * k))
        ab_ages, ab_L = o5.abridge(L1, W)
        S[(t, s)] = o6.ratios(o6.grid_L(ab_ages, ab_L, Z, W), 100000.0, Z)
        lt += [[PERIOD[t], s, int(x), float(v)] for x, v in zip(ab_ages, ab_L)]
o6.write_csv(os.path.join(OUT, "lt_nLx.csv"), ["period", "sex", "age_start", "value"], lt)

P0 = {"female": 1500.0 * np.exp(-0.012 * AGES) / (1 + np.exp(0.1 * (AGES - 80.0))),
      "male": 1560.0 * np.exp(-0.014 * AGES) / (1 + np.exp(0.1 * (AGES - 76.0)))}
o6.write_csv(os.path.join(OUT, "pop_count_age_sex_base.csv"), ["sex", "age_start", "value"],
             [[s, int(a), float(P0[s][i])] for s in o6.SEXES for i, a in enumerate(AGES)])
F, fert = {}, []
for k, t in enumerate(STEPS):
    f = np.zeros(N)
    f[3:10] = np.array([0.015, 0.07, 0.105, 0.085, 0.04, 0.01, 0.0008]) * (1 - 0.04 * k)
    F[t] = f
    fert += [[PERIOD[t], int(AGES[i]), float(1000 * f[i])] for i in range(3, 10)]
o6.write_csv(os.path.join(OUT, "fert_rate_age_f.csv"), ["period", "age_start", "value"], fert)
SRB = {2022: 107.0, 2027: 106.0, 2032: 105.5}
o6.write_csv(os.path.join(OUT, "srb.csv"), ["period", "value"], [[PERIOD[t], SRB[t]] for t in STEPS])
NET, RATE = {}, {}
for k, t in enumerate(STEPS):
    for s in o6.SEXES:
        c = np.zeros(N)
        c[3:7] = 12.0 - 4 * k
        c[0] = -2.0
        NET[(t, s)] = c
        r = np.zeros(N)
        r[12:16] = -0.003
        r[-1] = 0.001
        RATE[(t, s)] = r
o6.write_csv(os.path.join(OUT, "mig_net_count_age_sex.csv"), ["period", "sex", "age_start", "value"],
             [[PERIOD[t], s, int(AGES[i]), float(NET[(t, s)][i])] for t in STEPS for s in o6.SEXES for i in range(N)])
o6.write_csv(os.path.join(OUT, "mig_net_rate_age_sex.csv"), ["period", "sex", "age_start", "value"],
             [[PERIOD[t], s, int(AGES[i]), float(RATE[(t, s)][i])] for t in STEPS for s in o6.SEXES for i in range(N)
              if RATE[(t, s)][i] != 0])

rows = []
P = {s: P0[s].copy() for s in o6.SEXES}
rows += o6.expected_rows("baseline", BASE, "X", "total", P, AGES)
for t in STEPS:
    M = {s: (1 if MUTANT else Z) * NET[(t, s)] + Z * RATE[(t, s)] * P[s] for s in o6.SEXES}
    P = o6.project(P, {s: S[(t, s)] for s in o6.SEXES}, F[t], SRB[t] / 100, M, Z, TIMING[t])
    rows += o6.expected_rows("baseline", t + Z, "X", "total", P, AGES)
o6.write_expected(os.path.join(OUT, "expected.csv"), rows)
o6.finish_mutant(HERE, OUT, MUTANT)
