# SPDX-License-Identifier: Apache-2.0
"""Writes the case's tables and expected.csv (outside7_reference.py; see README.md). `--mutant DIR`: the same inputs
without the override (the migrants as given, the floor alone)."""
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(here))
import numpy as np  # noqa: E402

import outside7_reference as R  # noqa: E402

out, mutant = R.out_dir(here, sys.argv)
z, w = 5, 85
ages5 = np.arange(0, w + 1, z)
n = len(ages5)
Lg, l0, S = R.five_year_lt(1.1, w)
# persons below the open age only: 80-84 and 85+ are empty in the base year (thousands, as the UN's inputs)
base = np.array([600., 402., 395., 420., 455., 470., 440., 410., 390., 360., 330., 290., 240., 190., 140., 90., 0., 0.])
pop = {"female": base.copy(), "male": 1.03 * base}
asfr = {15: 0.008, 20: 0.045, 25: 0.08, 30: 0.07, 35: 0.03, 40: 0.006}
F = np.array([asfr.get(int(a), 0.0) for a in ages5])
srb = 1.07
# net migrants over each period (time_span 5): an emigration of infants and of young adults larger than the cohort
mig = {2020: {"female": np.zeros(n), "male": np.zeros(n)}, 2025: {"female": np.zeros(n), "male": np.zeros(n)}}
mig[2020]["female"][[0, 4, 5]] = [-900.0, -600.0, 35.0]
mig[2020]["male"][[0, 4, 6]] = [-880.0, -520.0, 20.0]
mig[2025]["female"][[0, 3, 4, 6]] = [-60.0, -500.0, -700.0, -300.0]
mig[2025]["male"][[0, 1, 4, 6]] = [-40.0, 15.0, -900.0, -250.0]
timing = {2020: "even", 2025: "end"}

def step(P, S, F, srb, M, z, tm):
    return R.un_step(P, S, F, srb, M, z, tm, override=not mutant)


rows = []
P = {s: pop[s].copy() for s in R.SEXES}
for t in (2020, 2025):
    P0 = P
    P, B, Mo = step(P, S, F, srb, mig[t], z, timing[t])
    if not mutant:
        hit = sum(int((P0[s] + mig[t][s] <= 0).sum()) for s in R.SEXES)
        floored = sum(int((P[s] == R.FLOOR).sum()) for s in R.SEXES)
        print(t, "override cells", hit, "floored cells", floored, "births", B)
    rows += R.expected_rows("baseline", t + z, "X", "total", P, ages5)
R.save_expected(here, out, mutant, rows)
if not mutant:
    R.write_base(here, pop, ages5)
    R.write_csv(os.path.join(here, "life_table_age_sex.csv"), ["indicator", "time_start", "sex", "age_start", "value"],
                [["lt_nLx", 2020, s, int(a), float(Lg[s][i])] for s in R.SEXES for i, a in enumerate(ages5)]
                + [["lt_lx", 2020, s, 0, float(l0[s])] for s in R.SEXES])
    R.write_csv(os.path.join(here, "fert_rate_age_f.csv"), ["time_start", "age_start", "value"],
                [[2020, a, v] for a, v in asfr.items()])
    R.write_csv(os.path.join(here, "mig_net_count_age_sex.csv"), ["time_start", "sex", "age_start", "value"],
                [[t, s, int(a), float(mig[t][s][i])] for t in (2020, 2025) for s in R.SEXES
                 for i, a in enumerate(ages5) if mig[t][s][i] != 0.0])
