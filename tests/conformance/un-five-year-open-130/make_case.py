# SPDX-License-Identifier: Apache-2.0
"""5x5 on the UN's own open age, 130+ (27 age groups), two periods 2020 -> 2030, flow_policy = "wpp": the abridged
lt_nLx 0, 1, 5, ..., 130+ on its own grid (nothing folded), the base population to 130 with empty old cells (the
override), net rates per step, `end`; variant `lt-Sx`: five-year lt_Sx rows 0 ... 130 of the same table. Written
from scenarios/README.md alone; expected.csv from numpy (../outside5_reference.py), never calling cohortgis.
Run: /usr/bin/python3 make_case.py   (mutant: make_case.py --mutant DIR, the open group survived by T130 / 5L125)
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import outside5_reference as o5  # noqa: E402

OUT, MUTANT = o5.out_dir(HERE, sys.argv)
Z, W, BASE, YEARS = 5, 130, 2020, [2020, 2025]
N = W // Z + 1
AGES = np.arange(N) * Z

S, lt_rows, sx_rows = {}, [], []
for t, f in ((2020, 1.0), (2025, 0.92)):
    for s, (a, d) in (("female", (0.02, 1.6e-5)), ("male", (0.025, 3e-5))):
        l, L1 = o5.gm_single_L(W, 100000.0, a=a * f, d=d * f, e=0.07)  # a slow senescent rise: persons live to 130+
        ab_ages, ab_L = o5.abridge(L1, W)
        Lg = o5.fold_L(ab_ages, ab_L, Z, W)
        S[(t, s)] = o5.survival_from_L(Lg, 100000.0, Z)
        if MUTANT:
            S[(t, s)][-1] = Lg[-1] / Lg[-2]
        lt_rows += [["lt_nLx", t, s, int(x), float(v)] for x, v in zip(ab_ages, ab_L)]
        sx_rows += [["lt_Sx", t, s, int(AGES[i]), float(o5.survival_from_L(Lg, 100000.0, Z)[i])] for i in range(N)]
o5.write_csv(os.path.join(OUT, "life_table_age_sex.csv"), ["indicator", "time_start", "sex", "age_start", "value"],
             lt_rows + sx_rows)

P0 = {"female": 800.0 * np.exp(-0.01 * AGES) / (1 + np.exp(0.12 * (AGES - 85.0))),
      "male": 790.0 * np.exp(-0.012 * AGES) / (1 + np.exp(0.12 * (AGES - 80.0)))}
for s in o5.SEXES:
    P0[s][AGES >= 100] = 40.0 - AGES[AGES >= 100] / 5.0  # an old population (centenarians to 130+)
    P0[s][[22, 24]] = 0.0  # 110-114 and 120-124 empty: the override
o5.write_csv(os.path.join(OUT, "pop_count_age_sex_base.csv"), ["sex", "age_start", "value"],
             [[s, int(AGES[i]), float(P0[s][i])] for s in o5.SEXES for i in range(N)])
pat = np.where((AGES >= 15) & (AGES < 50), np.exp(-0.5 * ((AGES - 30.0) / 6.0) ** 2), 0.0)
F = 1.9 * pat / (5 * pat.sum())
o5.write_csv(os.path.join(OUT, "fert_rate_age_f.csv"), ["age_start", "value"], [[int(AGES[i]), float(F[i])] for i in range(N)])
RATE = {}
for k, t in enumerate(YEARS):
    for s in o5.SEXES:
        r = np.zeros(N)
        r[4:8] = 0.03 - 0.05 * k
        r[20:23] = -0.1
        RATE[(t, s)] = r
o5.write_csv(os.path.join(OUT, "mig_net_rate_age_sex.csv"), ["time_start", "sex", "age_start", "value"],
             [[t, s, int(AGES[i]), float(RATE[(t, s)][i])] for (t, s) in RATE for i in range(N)])

rows = []
for variant in ("baseline", "lt-Sx"):
    P = {s: P0[s].copy() for s in o5.SEXES}
    rows += o5.expected_rows(variant, BASE, "X", "total", P, AGES)
    for t in YEARS:
        P = o5.wpp_step(P, {s: S[(t, s)] for s in o5.SEXES}, F, 1.05, {s: RATE[(t, s)] * P[s] for s in o5.SEXES},
                        Z, "end")
        rows += o5.expected_rows(variant, t + Z, "X", "total", P, AGES)
o5.write_expected(os.path.join(OUT, "expected.csv"), rows)
o5.finish_mutant(HERE, OUT, MUTANT)
