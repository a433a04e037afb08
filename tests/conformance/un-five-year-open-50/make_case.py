# SPDX-License-Identifier: Apache-2.0
"""5x5 on a low open age, 50+, two periods 2020 -> 2030, flow_policy = "wpp", from the UN's tables to 100+: the
base population and net counts (rows 50 ... 100 summed into 50+), the abridged lt_nLx (folded into T50), net rates
(one and the same rate from 50 on), ASFR 15-49 with a row of 0 at 50 (ignored past the open age), the last
childbearing group 45-49 the grid's last closed group. Written from scenarios/README.md alone; expected.csv from
numpy (../outside5_reference.py), never calling cohortgis.
Run: /usr/bin/python3 make_case.py   (mutant: make_case.py --mutant DIR, the open group survived by L50 / L45 as a
closed group)
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import outside5_reference as o5  # noqa: E402

OUT, MUTANT = o5.out_dir(HERE, sys.argv)
Z, W, TOP, BASE, YEARS = 5, 50, 100, 2020, [2020, 2025]
N = W // Z + 1
AGES = np.arange(N) * Z
ALL = np.arange(0, TOP + 1, 5)

S, lt_rows = {}, []
for t, f in ((2020, 1.0), (2025, 0.8)):
    for s, (a, d) in (("female", (0.06, 4e-5)), ("male", (0.07, 7e-5))):
        l, L1 = o5.gm_single_L(TOP, 100000.0, a=a * f, d=d * f)
        ab_ages, ab_L = o5.abridge(L1, TOP)
        Lg = o5.fold_L(ab_ages, ab_L, Z, W)
        S[(t, s)] = o5.survival_from_L(Lg, 100000.0, Z)
        if MUTANT:
            S[(t, s)][-1] = ab_L[list(ab_ages).index(W)] / Lg[-2]
        lt_rows += [[t, s, int(x), float(v)] for x, v in zip(ab_ages, ab_L)]
o5.write_csv(os.path.join(OUT, "lt_nLx.csv"), ["time_start", "sex", "age_start", "value"], lt_rows)

P_all = {"female": 900.0 * np.exp(-0.015 * ALL) / (1 + np.exp(0.1 * (ALL - 80.0))),
         "male": 880.0 * np.exp(-0.018 * ALL) / (1 + np.exp(0.1 * (ALL - 76.0)))}
o5.write_csv(os.path.join(OUT, "pop_count_age_sex_base.csv"), ["sex", "age_start", "value"],
             [[s, int(ALL[j]), float(P_all[s][j])] for s in o5.SEXES for j in range(len(ALL))])
P0 = {s: np.append(P_all[s][:N - 1], P_all[s][N - 1:].sum()) for s in o5.SEXES}

ASFR = {}
for t, tf in ((2020, 3.2), (2025, 2.8)):
    pat = np.where((AGES >= 15) & (AGES < 50), np.exp(-0.5 * ((AGES - 28.0) / 7.5) ** 2), 0.0)
    ASFR[t] = tf * pat / (5 * pat.sum())
o5.write_csv(os.path.join(OUT, "fert_rate_age_f.csv"), ["time_start", "age_start", "value"],
             [[t, int(a), float(ASFR[t][a // 5]) if a < 50 else 0.0] for t in YEARS for a in range(15, 55, 5)])
NETA, RATE = {}, {}
for k, t in enumerate(YEARS):
    for s in o5.SEXES:
        c = np.zeros(len(ALL))
        c[4:7] = 40.0 - 70 * k
        c[12:] = -0.8 * (1 + k)  # 60 ... 100: summed into 50+
        NETA[(t, s)] = c
        r = np.zeros(N)
        r[1:4] = 0.01
        r[-1] = -0.02 if s == "female" else -0.03
        RATE[(t, s)] = r
o5.write_csv(os.path.join(OUT, "mig_net_count_age_sex.csv"), ["time_start", "sex", "age_start", "value"],
             [[t, s, int(ALL[j]), float(NETA[(t, s)][j])] for t in YEARS for s in o5.SEXES for j in range(len(ALL))])
o5.write_csv(os.path.join(OUT, "mig_net_rate_age_sex.csv"), ["time_start", "sex", "age_start", "value"],
             [[t, s, int(a), float(RATE[(t, s)][min(a // 5, N - 1)])] for t in YEARS for s in o5.SEXES for a in ALL])

rows = []
P = {s: P0[s].copy() for s in o5.SEXES}
rows += o5.expected_rows("baseline", BASE, "X", "total", P, AGES)
for t in YEARS:
    M = {s: np.append(NETA[(t, s)][:N - 1], NETA[(t, s)][N - 1:].sum()) + RATE[(t, s)] * P[s] for s in o5.SEXES}
    P = o5.wpp_step(P, {s: S[(t, s)] for s in o5.SEXES}, ASFR[t], 1.05, M, Z, "even")
    rows += o5.expected_rows("baseline", t + Z, "X", "total", P, AGES)
o5.write_expected(os.path.join(OUT, "expected.csv"), rows)
o5.finish_mutant(HERE, OUT, MUTANT)
