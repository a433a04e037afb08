# SPDX-License-Identifier: Apache-2.0
"""Writes the case's tables and expected.csv (../outside8_reference.py; see README.md). `--mutant DIR`: the same
inputs with the Andreev-Kingkade a0 (lt_single_mx's default a0rule) instead of the Coale-Demeny one. (Region west
would not do: DemoTools' lt_rule_1a0_cd has the same a0 coefficients for west, north and south.)"""
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(here))
import numpy as np  # noqa: E402

import outside8_reference as R  # noqa: E402

out, mutant = R.case_folder(sys.argv, here)
z, w = 1, 90
years = (2020, 2021, 2022, 2023, 2024)
ages = np.arange(0, w + 1)
all_ages = np.arange(0, 131)
mx_years = (2020, 2022)
# infant rates high enough for the Coale-Demeny q0 to be near 0.1 (girls below, boys above in 2020)
mx = {y: {s: R.single_mx(s, level=lv) for s in R.SEXES} for y, lv in zip(mx_years, (1.0, 0.95))}
for y, k in zip(mx_years, (9.0, 8.4)):
    for s in R.SEXES:
        mx[y][s][0] *= k
rule = "ak" if mutant else "cd"
shape = np.exp(-0.02 * all_ages) * (1 + 0.2 * np.sin(all_ages / 9.0))
pop130 = {"female": np.where(all_ages <= 103, 1.2e4 * shape, 0.0),
          "male": np.where(all_ages <= 99, 1.25e4 * shape, 0.0)}
pop = {s: np.concatenate([pop130[s][:w], [pop130[s][w:].sum()]]) for s in R.SEXES}
fa = np.arange(15, 50)
asfr = 0.2 * np.exp(-((fa - 26.0) / 6.0) ** 2)
srb = {2020: 1.06, 2021: 1.065, 2022: 1.07, 2023: 1.06, 2024: 1.055}
rate = {y: {"female": r * np.exp(-((ages - 22) / 7.0) ** 2), "male": r * np.exp(-((ages - 24) / 7.0) ** 2)}
        for y, r in zip(years, (-0.01, -0.02, 0.015, -0.005, 0.01))}
rate[2021]["male"][w] = -0.3

S = {y: {s: R.lt_single_mx(mx[y][s], s, a0rule=rule, region="n", OAnew=w)["Sx"] for s in R.SEXES}
     for y in mx_years}
F = np.zeros(w + 1)
F[15:50] = asfr
E = R.Expected()
P = {s: pop[s].copy() for s in R.SEXES}
for t in years:
    P, _, _, _ = R.ccmpp_step(P, S[max(y for y in mx_years if y <= t)], F, srb[t], R.rates_to_counts(rate[t], P), z,
                              "even")
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
                [[2020, int(a), float(asfr[i])] for i, a in enumerate(fa)])
    R.write_csv("srb.csv", ["time_start", "value"], [[y, srb[y]] for y in years])
    R.write_csv("mig_net_rate_age_sex.csv", ["time_start", "sex", "age_start", "value"], R.long_rows(years, rate, ages))
