# SPDX-License-Identifier: Apache-2.0
"""Writes the case's tables and expected.csv (outside7_reference.py; see README.md). `--mutant DIR`: the same inputs
with the Andreev-Kingkade a0 (ccmppWPP's "ak") instead of the Coale-Demeny one ("cd")."""
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(here))
import numpy as np  # noqa: E402

import outside7_reference as R  # noqa: E402

out, mutant = R.out_dir(here, sys.argv)
z, W = 1, 130
ages = np.arange(W + 1)
mx = {s: R.single_mx(s, level=2.2) for s in R.SEXES}
mx["male"][0], mx["female"][0] = 0.16, 0.09  # q0 0.147 (> 0.1: the constant 0.33) and 0.085 (0.05 + 3 q0)
rule = "ak" if mutant else "cd"
S = {}
for s in R.SEXES:
    l, L = R.single_lt(mx[s], s, rule=rule, region="w", open_half=True)
    S[s] = R.survival(L, l[0], z)
shape = np.exp(-0.04 * ages) * (1 + 0.1 * np.sin(ages / 3.0))
pop = {"female": np.where(ages <= 100, 310.0 * shape, 0.0), "male": np.where(ages <= 98, 322.0 * shape, 0.0)}
asfr = {a: 0.2 * np.exp(-((a - 27) / 6.5) ** 2) for a in range(15, 50)}
F = np.array([asfr.get(int(a), 0.0) for a in ages])
srb = {2020: 1.05, 2021: 1.06, 2022: 1.04}
totals = {2020: 12.5, 2021: -30.0, 2022: 8.0}  # mig_net_count_tot_b, thousands over the year (time_span 1)
rows = []
P = {s: pop[s].copy() for s in R.SEXES}
for t in (2020, 2021, 2022):
    tot = P["female"].sum() + P["male"].sum()
    M = {s: totals[t] * P[s] / tot for s in R.SEXES}
    P, _, _ = R.un_step(P, S, F, srb[t], M, z, "end")
    rows += R.expected_rows("baseline", t + z, "X", "total", P, ages)
R.save_expected(here, out, mutant, rows)
if not mutant:
    R.write_base(here, pop, ages)
    R.write_csv(os.path.join(here, "life_table_age_sex.csv"), ["indicator", "time_start", "sex", "age_start", "value"],
                [["lt_nMx", t, s, int(a), float(mx[s][a])] for t in (2020,) for s in R.SEXES for a in ages])
    R.write_csv(os.path.join(here, "fert_rate_age_f.csv"), ["time_start", "age_start", "value"],
                [[2020, a, float(v)] for a, v in asfr.items()])
    R.write_csv(os.path.join(here, "srb.csv"), ["time_start", "value"], [[t, v] for t, v in srb.items()])
    R.write_csv(os.path.join(here, "mig_net_count_tot_b.csv"), ["time_start", "sex", "value"],
                [[t, "both", v] for t, v in totals.items()])
