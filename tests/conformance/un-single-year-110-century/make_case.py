# SPDX-License-Identifier: Apache-2.0
"""Writes the case's tables and expected.csv (../outside8_reference.py; see README.md). `--mutant DIR`: the same
inputs with the 110+ group's person-years l110 / m110 (the table's own rate at 110) instead of lt_single_mx's
T110 from the rows 110 … 130."""
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(here))
import numpy as np  # noqa: E402

import outside8_reference as R  # noqa: E402

out, mutant = R.case_folder(sys.argv, here)
z, w, first, last = 1, 110, 2020, 2119
ages = np.arange(0, w + 1)
all_ages = np.arange(0, 131)
mx_years = (2020, 2050, 2080)
mx = {y: {s: R.single_mx(s, level=lv) for s in R.SEXES} for y, lv in zip(mx_years, (1.0, 0.8, 0.65))}
asfr_years = (2020, 2040)
fa = np.arange(12, 52)
asfr = {2020: 0.125 * np.exp(-((fa - 29.0) / 6.0) ** 2), 2040: 0.105 * np.exp(-((fa - 31.0) / 6.2) ** 2)}
rate_years = (2020, 2060)
rate = {2020: {"female": 0.004 * np.exp(-((ages - 27) / 8.0) ** 2), "male": 0.005 * np.exp(-((ages - 29) / 8.0) ** 2)},
        2060: {"female": -0.002 * np.exp(-((ages - 30) / 10.0) ** 2), "male": np.zeros(w + 1)}}
shape = np.exp(-0.012 * all_ages) * (1 + 0.08 * np.sin(all_ages / 6.0))
pop130 = {"female": np.where(all_ages <= 112, 3.5e4 * shape, 0.0),
          "male": np.where(all_ages <= 108, 3.6e4 * shape, 0.0)}
pop = {s: np.concatenate([pop130[s][:w], [pop130[s][w:].sum()]]) for s in R.SEXES}


def held(table_years, t):
    return max(y for y in table_years if y <= t)


def survival(m, s):
    t = R.lt_single_mx(m, s, OAnew=w)
    if mutant:
        L = t["nLx"].copy()
        L[-1] = t["lx"][-1] / m[w]
        return R.Ll_S1(L, 1e5)
    return t["Sx"]


S = {y: {s: survival(mx[y][s], s) for s in R.SEXES} for y in mx_years}
E = R.Expected()
P = {s: pop[s].copy() for s in R.SEXES}
for t in range(first, last + 1):
    F = np.zeros(w + 1)
    F[12:52] = asfr[held(asfr_years, t)]
    M = R.rates_to_counts(rate[held(rate_years, t)], P)
    P, _, _, _ = R.ccmpp_step(P, S[held(mx_years, t)], F, 1.05, M, z, "end")
    if (t + 1) % 10 == 0 or t + 1 in (2021, 2022):
        E.add("baseline", t + 1, P, z)
E.write(out)
if mutant:
    R.copy_inputs(here, out)
else:
    R.write_csv("pop_count_age_sex_base.csv", ["time_start", "sex", "age_start", "value"],
                R.long_rows([2020], pop130, all_ages))
    R.write_csv("life_table_age_sex.csv", ["time_start", "sex", "age_start", "indicator", "value"],
                [[y, s, int(a), "lt_nMx", float(mx[y][s][a])] for y in mx_years for s in R.SEXES for a in all_ages])
    R.write_csv("fert_rate_age_f.csv", ["time_start", "age_start", "value"],
                [[y, int(a), float(asfr[y][i])] for y in asfr_years for i, a in enumerate(fa)])
    R.write_csv("mig_net_rate_age_sex.csv", ["time_start", "sex", "age_start", "value"],
                R.long_rows(rate_years, rate, ages))
