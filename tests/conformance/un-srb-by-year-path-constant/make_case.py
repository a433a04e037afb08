# SPDX-License-Identifier: Apache-2.0
"""1x1 on 100+, four annual steps 2020 -> 2024, flow_policy = "wpp": the sex ratio at birth given per year three
ways: the UN's `srb` table by time_start (per female; 2023 missing, so 2022's holds), the same values as a path over
calendar years keyed at time_start + 1 (variant `path`, males per 100 females), and one constant (variant
`constant`, srb = 105). Births split B_f = B / (1 + srb), B_m = B − B_f; net counts at the end.
Written from scenarios/README.md alone; expected.csv from numpy (../outside6_reference.py), never calling cohortgis.
Run: /usr/bin/python3 make_case.py   (mutant: make_case.py --mutant DIR, the path keyed at time_start itself, so each
step takes the next year's ratio)
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import outside5_reference as o5  # noqa: E402  (synthetic life tables only)
import outside6_reference as o6  # noqa: E402

OUT, MUTANT = o6.out_dir(HERE, sys.argv)
Z, W, BASE = 1, 100, 2020
STEPS = [2020, 2021, 2022, 2023]
N = W + 1
AGES = np.arange(N)
SRB_T = {2020: 1.12, 2021: 1.10, 2022: 1.08}  # the table's rows; 2023 holds 2022's
SRB = {t: SRB_T[max(y for y in SRB_T if y <= t)] for t in STEPS}
o6.write_csv(os.path.join(OUT, "srb.csv"), ["time_start", "value"], [[t, v] for t, v in SRB_T.items()])
# the path {"2021" = 112, "2022" = 110, "2023" = 108}: constant after its last key, so the step 2023 (year 2024) 108
PATH = {2021: 112.0, 2022: 110.0, 2023: 108.0, 2024: 108.0}
MUTANT_PATH = {2021: 110.0, 2022: 108.0, 2023: 108.0, 2024: 108.0}  # keyed at 2020, 2021, 2022

S, lt = {}, []
for s, (a, d) in (("female", (0.009, 1.8e-5)), ("male", (0.012, 3.2e-5))):
    l, L = o5.gm_single_L(W, 100000.0, a=a, d=d)
    S[s] = o6.ratios(L, 100000.0, Z)
    lt += [[s, int(x), float(L[x])] for x in AGES]
o6.write_csv(os.path.join(OUT, "lt_nLx.csv"), ["sex", "age_start", "value"], lt)
P0 = {"female": 800.0 * np.exp(-0.009 * AGES) / (1 + np.exp(0.1 * (AGES - 81.0))),
      "male": 830.0 * np.exp(-0.011 * AGES) / (1 + np.exp(0.1 * (AGES - 77.0)))}
o6.write_csv(os.path.join(OUT, "pop_count_age_sex_base.csv"), ["sex", "age_start", "value"],
             [[s, int(a), float(P0[s][a])] for s in o6.SEXES for a in AGES])
F = np.zeros(N)
x = np.arange(15, 50)
F[15:50] = 1.7 * np.exp(-0.5 * ((x - 29.0) / 6.0) ** 2) / np.exp(-0.5 * ((x - 29.0) / 6.0) ** 2).sum()
o6.write_csv(os.path.join(OUT, "fert_rate_age_f.csv"), ["age_start", "value"], [[int(a), float(F[a])] for a in x])
NET = {s: np.where((AGES >= 18) & (AGES < 30), 2.0, np.where(AGES == 0, -1.0, 0.0)) for s in o6.SEXES}
o6.write_csv(os.path.join(OUT, "mig_net_count_age_sex.csv"), ["sex", "age_start", "value"],
             [[s, int(a), float(NET[s][a])] for s in o6.SEXES for a in AGES if NET[s][a] != 0])

rows = []
for variant in ("baseline", "path", "constant"):
    P = {s: P0[s].copy() for s in o6.SEXES}
    rows += o6.expected_rows(variant, BASE, "X", "total", P, AGES)
    for t in STEPS:
        if variant == "baseline":
            srb = SRB[t]
        elif variant == "path":
            srb = (MUTANT_PATH if MUTANT else PATH)[t + 1] / 100
        else:
            srb = 105 / 100
        P = o6.project(P, S, F, srb, NET, Z, "end")
        rows += o6.expected_rows(variant, t + Z, "X", "total", P, AGES)
o6.write_expected(os.path.join(OUT, "expected.csv"), rows)
o6.finish_mutant(HERE, OUT, MUTANT)
