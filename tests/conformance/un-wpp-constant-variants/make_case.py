# SPDX-License-Identifier: Apache-2.0
"""The UN's deterministic projection variants written as [[variants]], 5x5 on 100+, three periods 2020 -> 2035,
flow_policy = "wpp": a baseline with a pasfr + TFR path, lt_nLx by time_start (mortality falling) and net counts;
`constant-fertility` (the TFR of the first period held: a path of one key), `constant-mortality` (the same lt_nLx file
filtered on time_start 2020, so its rows hold for every step), `no-change` (both), `zero-migration`
(`migration = { net = false }`: the override alone). Written from scenarios/README.md alone; expected.csv from numpy
(../outside5_reference.py), never calling cohortgis.
Run: /usr/bin/python3 make_case.py   (mutant: make_case.py --mutant DIR, constant-mortality holding the 2030 table)
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import outside5_reference as o5  # noqa: E402

OUT, MUTANT = o5.out_dir(HERE, sys.argv)
Z, W, BASE, YEARS = 5, 100, 2020, [2020, 2025, 2030]
N = W // Z + 1
AGES = np.arange(N) * Z

S, lt_rows = {}, []
for k, t in enumerate(YEARS):
    for s, (a, d) in (("female", (0.05, 3e-5)), ("male", (0.06, 5e-5))):
        l, L1 = o5.gm_single_L(110, 100000.0, a=a * 0.85 ** k, d=d * 0.9 ** k)
        ab_ages, ab_L = o5.abridge(L1, 110)
        S[(t, s)] = o5.survival_from_L(o5.fold_L(ab_ages, ab_L, Z, W), 100000.0, Z)
        lt_rows += [["lt_nLx", t, s, int(x), float(v)] for x, v in zip(ab_ages, ab_L)]
o5.write_csv(os.path.join(OUT, "life_table_age_sex.csv"), ["indicator", "time_start", "sex", "age_start", "value"],
             lt_rows)

pat = np.where((AGES >= 15) & (AGES < 50), np.exp(-0.5 * ((AGES - 28.5) / 6.8) ** 2), 0.0)
PAS = np.round(100 * pat / pat.sum(), 3)  # as published: sums to 100 up to rounding
o5.write_csv(os.path.join(OUT, "fert_pct_age_5x5.csv"), ["age_start", "value"],
             [[int(AGES[i]), float(PAS[i])] for i in range(3, 10)])
TFR = {2020: 2.4, 2025: 2.2, 2030: 2.05}
P0 = {"female": 3000.0 * np.exp(-0.02 * AGES) / (1 + np.exp(0.1 * (AGES - 75.0))),
      "male": 3050.0 * np.exp(-0.023 * AGES) / (1 + np.exp(0.1 * (AGES - 71.0)))}
P0["female"][N - 1] = 0.0
o5.write_csv(os.path.join(OUT, "pop_count_age_sex_base.csv"), ["sex", "age_start", "value"],
             [[s, int(AGES[i]), float(P0[s][i])] for s in o5.SEXES for i in range(N)])
NET = {}
for k, t in enumerate(YEARS):
    for s in o5.SEXES:
        c = np.zeros(N)
        c[3:8] = -(90.0 + 20 * k) * (1.0 if s == "female" else 1.25)
        NET[(t, s)] = c
o5.write_csv(os.path.join(OUT, "mig_net_count_age_sex.csv"), ["time_start", "sex", "age_start", "value"],
             [[t, s, int(AGES[i]), float(NET[(t, s)][i])] for (t, s) in NET for i in range(N) if NET[(t, s)][i]])

HELD = 2030 if MUTANT else 2020
rows = []
for variant, const_f, const_m, mig in (("baseline", False, False, True), ("constant-fertility", True, False, True),
                                       ("constant-mortality", False, True, True), ("no-change", True, True, True),
                                       ("zero-migration", False, False, False)):
    P = {s: P0[s].copy() for s in o5.SEXES}
    rows += o5.expected_rows(variant, BASE, "X", "total", P, AGES)
    for t in YEARS:
        tfr = TFR[2020] if const_f else TFR[t]
        F = tfr * PAS / (Z * PAS.sum())
        SS = {s: S[(HELD if const_m else t, s)] for s in o5.SEXES}
        M = {s: NET[(t, s)] if mig else np.zeros(N) for s in o5.SEXES}
        P = o5.wpp_step(P, SS, F, 1.05, M, Z, "even")
        rows += o5.expected_rows(variant, t + Z, "X", "total", P, AGES)
o5.write_expected(os.path.join(OUT, "expected.csv"), rows)
o5.finish_mutant(HERE, OUT, MUTANT)
