# SPDX-License-Identifier: Apache-2.0
"""Writes the case's tables and expected.csv (outside7_reference.py; see README.md). `--mutant DIR`: the same inputs
with each step's improvement taken at its last year (0.99^5, 0.99^10, 0.99^15) instead of its mid-point."""
import math
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(here))
import numpy as np  # noqa: E402

import outside7_reference as R  # noqa: E402

out, mutant = R.out_dir(here, sys.argv)
z, W = 5, 130
ages5 = np.arange(0, W + 1, z)
lab, _ = R.abridged_mx("female")
mx = {s: R.abridged_mx(s, level=1.3)[1] for s in R.SEXES}
rows_lt = len(lab)  # 28 life-table rows 0, 1, 5, …, 130: b_x = 1/28
drift = rows_lt * math.log(0.99)  # m_x(t) = m_x · 0.99^t, one per cent a year at every age
shape = np.exp(-0.028 * ages5)
pop = {"female": np.where(ages5 <= 100, 1203.0 * shape, 0.0), "male": np.where(ages5 <= 100, 1250.0 * shape, 0.0)}
asfr = {15: 0.03, 20: 0.11, 25: 0.13, 30: 0.10, 35: 0.06, 40: 0.02, 45: 0.004}
F = np.array([asfr.get(int(a), 0.0) for a in ages5])
srb = 1.05

rows = []
P = {s: pop[s].copy() for s in R.SEXES}
for j, t in enumerate((2020, 2025, 2030)):
    tmid = (t + 1 + t + z) / 2 - 2020 if not mutant else t + z - 2020  # 3, 8, 13: the mean of the step's years
    S = {}
    for s in R.SEXES:
        m = mx[s] * np.exp((1.0 / rows_lt) * drift * tmid)
        _, ax, l, L = R.abridged_lt(m, s, rule="ak")
        S[s] = R.survival(R.grid_L_abridged(L), l[0], z)
    P, _, _ = R.un_step(P, S, F, srb, {s: np.zeros(len(ages5)) for s in R.SEXES}, z, "end")
    rows += R.expected_rows("baseline", t + z, "X", "total", P, ages5)
R.save_expected(here, out, mutant, rows)
if not mutant:
    print("drift =", repr(drift))
    R.write_base(here, pop, ages5)
    R.write_csv(os.path.join(here, "lt_nMx.csv"), ["time_start", "sex", "age_start", "value"],
                [[2020, s, a, float(mx[s][i])] for s in R.SEXES for i, a in enumerate(lab)])
    R.write_csv(os.path.join(here, "fert_rate_age_f.csv"), ["time_start", "age_start", "value"],
                [[2020, a, v] for a, v in asfr.items()])
