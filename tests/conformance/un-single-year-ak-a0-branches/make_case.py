# SPDX-License-Identifier: Apache-2.0
"""Writes the case's tables and expected.csv (outside7_reference.py; see README.md). `--mutant DIR`: the same inputs
with a0 from Andreev-Kingkade's q0 segments (DemoTools' lt_rule_ak_q0_a0, the rule for a given IMR) instead of its
m0 segments."""
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(here))
import numpy as np  # noqa: E402

import outside7_reference as R  # noqa: E402


def ak_q0_a0(q0, sex):
    if sex == "male":
        return 0.1493 - 2.0367 * q0 if q0 < .0226 else (0.0244 + 3.4994 * q0 if q0 < 0.0785 else .2991)
    return 0.1490 - 2.0867 * q0 if q0 < 0.0170 else (0.0438 + 4.1075 * q0 if q0 < 0.0658 else 0.3141)


out, mutant = R.out_dir(here, sys.argv)
z, W = 1, 130
ages = np.arange(W + 1)
years = (2020, 2021, 2022)
# each year's infant rate in another Andreev-Kingkade segment (females 0.01724 / 0.06891, males 0.0230 / 0.08307)
m0 = {2020: {"female": 0.012, "male": 0.019}, 2021: {"female": 0.041, "male": 0.052},
      2022: {"female": 0.091, "male": 0.104}}
mx = {t: {s: R.single_mx(s, level=1.0 + 0.3 * j) for s in R.SEXES} for j, t in enumerate(years)}
for t in years:
    for s in R.SEXES:
        mx[t][s][0] = m0[t][s]
S = {}
for t in years:
    S[t] = {}
    for s in R.SEXES:
        if mutant:
            q0 = m0[t][s] / (1 + (1 - R.ak_a0(m0[t][s], s)) * m0[t][s])
            save = R.ak_a0
            R.ak_a0 = lambda m, sex, q0=q0: ak_q0_a0(q0, sex)
        l, L = R.single_lt(mx[t][s], s, rule="ak", open_half=True)
        if mutant:
            R.ak_a0 = save
        S[t][s] = R.survival(L, l[0], z)
shape = np.exp(-0.02 * ages)
pop = {"female": np.where(ages <= 105, 95.0 * shape, 0.0), "male": np.where(ages <= 103, 97.0 * shape, 0.0)}
asfr = {a: 0.16 * np.exp(-((a - 29) / 7.0) ** 2) for a in range(15, 50)}
F = np.array([asfr.get(int(a), 0.0) for a in ages])
mig = {t: {"female": 0.4 * (j - 1) * np.exp(-((ages - 24) / 8.0) ** 2),
           "male": 0.5 * (1 - j) * np.exp(-((ages - 26) / 8.0) ** 2)} for j, t in enumerate(years)}
rows = []
P = {s: pop[s].copy() for s in R.SEXES}
for t in years:
    P, _, _ = R.un_step(P, S[t], F, 1.05, mig[t], z, "even")
    rows += R.expected_rows("baseline", t + z, "X", "total", P, ages)
R.save_expected(here, out, mutant, rows)
if not mutant:
    R.write_base(here, pop, ages)
    R.write_csv(os.path.join(here, "life_table_age_sex.csv"), ["indicator", "time_start", "sex", "age_start", "value"],
                [["lt_nMx", t, s, int(a), float(mx[t][s][a])] for t in years for s in R.SEXES for a in ages]
                + [["lt_nMx", t, "both", 0, 0.03] for t in years])
    R.write_csv(os.path.join(here, "fert_rate_age_f.csv"), ["time_start", "age_start", "value"],
                [[2020, a, float(v)] for a, v in asfr.items()])
    R.write_csv(os.path.join(here, "mig_net_count_age_sex.csv"), ["time_start", "sex", "age_start", "value"],
                [[t, s, int(a), float(mig[t][s][a])] for t in years for s in R.SEXES for a in ages])
