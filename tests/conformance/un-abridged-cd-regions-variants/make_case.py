# SPDX-License-Identifier: Apache-2.0
"""Writes the case's tables and expected.csv (outside7_reference.py; see README.md). `--mutant DIR`: the same inputs
with every variant's 4a1 taken from the West coefficients (the region moving a0 only)."""
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
mx = {s: R.abridged_mx(s)[1] for s in R.SEXES}
shape = np.exp(-0.03 * ages5) * (1 + 0.2 * np.cos(ages5 / 9.0))
pop = {"female": np.where(ages5 <= 105, 820.5 * shape, 0.0), "male": np.where(ages5 <= 100, 845.25 * shape, 0.0)}
asfr = {15: 0.012, 20: 0.061, 25: 0.102, 30: 0.094, 35: 0.051, 40: 0.012, 45: 0.0009}
F = np.array([asfr.get(int(a), 0.0) for a in ages5])
srb = 1.06
mig = {"female": 2.5 * np.exp(-((ages5 - 25) / 12.0) ** 2), "male": 3.1 * np.exp(-((ages5 - 27) / 12.0) ** 2)}

rows = []
for variant, region in (("baseline", "w"), ("north", "n"), ("east", "e"), ("south", "s")):
    S = {}
    for s in R.SEXES:
        if mutant:  # 4a1 from West whatever the region
            saved = dict(R.CD_4A1_CONST), dict(R.CD_4A1_INT)
            R.CD_4A1_CONST[region], R.CD_4A1_INT[region] = R.CD_4A1_CONST["w"], R.CD_4A1_INT["w"]
        _, ax, l, L = R.abridged_lt(mx[s], s, rule="cd", region=region)
        if mutant:
            R.CD_4A1_CONST.clear(), R.CD_4A1_CONST.update(saved[0]), R.CD_4A1_INT.clear(), R.CD_4A1_INT.update(saved[1])
        S[s] = R.survival(R.grid_L_abridged(L), l[0], z)
    P = {s: pop[s].copy() for s in R.SEXES}
    for t in (2020, 2025):
        P, _, _ = R.un_step(P, S, F, srb, {s: z * mig[s] for s in R.SEXES}, z, "even")
        rows += R.expected_rows(variant, t + z, "X", "total", P, ages5)
R.save_expected(here, out, mutant, rows)
if not mutant:
    R.write_base(here, pop, ages5)
    R.write_csv(os.path.join(here, "lt_nMx.csv"), ["time_start", "sex", "age_start", "value"],
                [[2020, s, a, float(mx[s][i])] for s in R.SEXES for i, a in enumerate(lab)])
    R.write_csv(os.path.join(here, "fert_rate_age_f.csv"), ["time_start", "age_start", "value"],
                [[2020, a, v] for a, v in asfr.items()])
    R.write_csv(os.path.join(here, "mig_net_count_age_sex.csv"), ["time_start", "sex", "age_start", "value"],
                [[t, s, int(a), float(z * mig[s][i])] for t in (2020, 2025) for s in R.SEXES
                 for i, a in enumerate(ages5)])
