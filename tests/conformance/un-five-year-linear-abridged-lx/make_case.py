# SPDX-License-Identifier: Apache-2.0
"""5x5 on 85+, three periods 2020 -> 2035, flow_policy = "wpp", inputs given at time_start 2020 and 2035 only with
`between = "linear"`: abridged lt_nLx (0, 1, 5, ..., 100+, folded into T85) with an `lx` column of radix 1, ASFR,
SRB (per 100 females) and net rates per step, each interpolated at the steps' start years 2025 and 2030 (weights
2/3 and 1/3, then 1/3 and 2/3); the 2035 rows are used by no step of their own. Written from scenarios/README.md
alone; expected.csv from numpy (../outside5_reference.py), never calling cohortgis.
Run: /usr/bin/python3 make_case.py   (mutant: make_case.py --mutant DIR, the inputs held (between = "hold"))
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import outside5_reference as o5  # noqa: E402

OUT, MUTANT = o5.out_dir(HERE, sys.argv)
Z, W, BASE, STEPS, GIVEN = 5, 85, 2020, [2020, 2025, 2030], (2020, 2035)
N = W // Z + 1
AGES = np.arange(N) * Z


def weights(t):
    y1, y2 = GIVEN
    if MUTANT:
        return 1.0, 0.0
    return (y2 - t) / (y2 - y1), (t - y1) / (y2 - y1)


LG, lt_rows = {}, []
for t, f in ((2020, 1.0), (2035, 0.7)):
    for s, (a, d) in (("female", (0.04, 2.4e-5)), ("male", (0.05, 4.2e-5))):
        l, L1 = o5.gm_single_L(100, 1.0, a=a * f, d=d * f)  # radix 1
        ab_ages, ab_L = o5.abridge(L1, 100)
        LG[(t, s)] = o5.fold_L(ab_ages, ab_L, Z, W)
        lx = {0: l[0], 1: l[1], **{x: l[x] for x in range(5, 101, 5)}}
        lt_rows += [[t, s, int(x), float(v), float(lx[x])] for x, v in zip(ab_ages, ab_L)]
o5.write_csv(os.path.join(OUT, "lt_nLx.csv"), ["time_start", "sex", "age_start", "value", "lx"], lt_rows)

ASFR, SRB, RATE = {}, {2020: 104.0, 2035: 108.5}, {}
for t, tf, mu in ((2020, 1.4, 30.0), (2035, 1.9, 27.0)):
    pat = np.where((AGES >= 15) & (AGES < 50), np.exp(-0.5 * ((AGES - mu) / 6.0) ** 2), 0.0)
    ASFR[t] = tf * pat / (5 * pat.sum())
    for s in o5.SEXES:
        r = np.zeros(N)
        r[3:9] = 0.02 if t == 2020 else -0.015
        r[14:] = -0.01 if s == "female" else 0.004  # 70+: one rate for 85+ too
        if t == 2035:
            r[10] = -0.9  # a rate near -1: the step from 2030 takes 2/3 of it
        RATE[(t, s)] = r
o5.write_csv(os.path.join(OUT, "fert_rate_age_f.csv"), ["time_start", "age_start", "value"],
             [[t, int(AGES[i]), float(ASFR[t][i])] for t in GIVEN for i in range(N) if ASFR[t][i] > 0])
o5.write_csv(os.path.join(OUT, "srb.csv"), ["time_start", "value"], [[t, SRB[t]] for t in GIVEN])
o5.write_csv(os.path.join(OUT, "mig_net_rate_age_sex.csv"), ["time_start", "sex", "age_start", "value"],
             [[t, s, int(AGES[i]), float(RATE[(t, s)][i])] for t in GIVEN for s in o5.SEXES for i in range(N)])

P0 = {"female": 700.0 * np.exp(-0.02 * AGES) / (1 + np.exp(0.1 * (AGES - 75.0))),
      "male": 690.0 * np.exp(-0.022 * AGES) / (1 + np.exp(0.1 * (AGES - 72.0)))}
o5.write_csv(os.path.join(OUT, "pop_count_age_sex_base.csv"), ["sex", "age_start", "value"],
             [[s, int(AGES[i]), float(P0[s][i])] for s in o5.SEXES for i in range(N)])

rows = []
P = {s: P0[s].copy() for s in o5.SEXES}
rows += o5.expected_rows("baseline", BASE, "X", "total", P, AGES)
for t in STEPS:
    w1, w2 = weights(t)
    S = {s: o5.survival_from_L(w1 * LG[(2020, s)] + w2 * LG[(2035, s)], 1.0, Z) for s in o5.SEXES}
    F = w1 * ASFR[2020] + w2 * ASFR[2035]
    srb = (w1 * SRB[2020] + w2 * SRB[2035]) / 100.0
    M = {s: (w1 * RATE[(2020, s)] + w2 * RATE[(2035, s)]) * P[s] for s in o5.SEXES}
    P = o5.wpp_step(P, S, F, srb, M, Z, "end")
    rows += o5.expected_rows("baseline", t + Z, "X", "total", P, AGES)
o5.write_expected(os.path.join(OUT, "expected.csv"), rows)
o5.finish_mutant(HERE, OUT, MUTANT)
