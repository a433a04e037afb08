# SPDX-License-Identifier: Apache-2.0
"""Writes the case's tables and expected.csv (../outside8_reference.py; see README.md). `--mutant DIR`: the same
inputs with the a0 of the crisis year from the Andreev-Kingkade middle segment extended past its upper bound (no
constant), which the UN's lt_rule_ak_m0_a0 does not do."""
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(here))
import numpy as np  # noqa: E402

import outside8_reference as R  # noqa: E402

out, mutant = R.case_folder(sys.argv, here)
z, years = 1, (2020, 2021, 2022, 2023)
ages = np.arange(0, 131)
base = {s: R.single_mx(s) for s in R.SEXES}
# 2021: a famine year, every rate 12 times its level (at most 1.95); 2022-2023: 1.5 times the level, infants 3 times
# (recovery).
mx = {2020: base, 2021: {s: np.minimum(12 * base[s], 1.95) for s in R.SEXES},
      2022: {s: 1.5 * base[s] for s in R.SEXES}, 2023: {s: 1.5 * base[s] for s in R.SEXES}}
for y in (2022, 2023):  # infant rates 3 times 2020's: the Andreev-Kingkade middle segment
    for s in R.SEXES:
        mx[y][s][0] = 3 * base[s][0]
shape = np.exp(-0.018 * ages) * (1 + 0.1 * np.cos(ages / 5.0))
pop = {"female": np.where(ages <= 104, 812.5 * shape, 0.0), "male": np.where(ages <= 101, 840.0 * shape, 0.0)}
fa = np.arange(15, 50)
asfr = {y: f * np.exp(-((fa - 28.5) / 6.5) ** 2) for y, f in zip(years, (0.16, 0.11, 0.13, 0.15))}
srb = {2020: 1.05, 2021: 1.03, 2022: 1.07, 2023: 1.06}
mig = {y: {"female": -c * np.exp(-((ages - 24) / 9.0) ** 2), "male": -1.3 * c * np.exp(-((ages - 26) / 9.0) ** 2)}
       for y, c in zip(years, (2.0, 40.0, 15.0, 3.0))}

saved = R.ak_m0_a0
if mutant:
    def R_ak(m0, sex):  # the middle segment carried on above its bound
        return (0.02832 + 3.26021 * m0) if R._col(sex) == 0 and m0 >= 0.0230 else (
            (0.04667 + 3.88089 * m0) if R._col(sex) == 1 and m0 >= 0.01724 else saved(m0, sex))
    R.ak_m0_a0 = R_ak
E = R.Expected()
for variant, rule, region in (("baseline", "ak", "w"), ("cd-east", "cd", "e")):
    P = {s: pop[s].copy() for s in R.SEXES}
    for y in years:
        S = {s: R.lt_single_mx(mx[y][s], s, a0rule=rule, region=region)["Sx"] for s in R.SEXES}
        F = np.zeros(len(ages))
        F[15:50] = asfr[y]
        P, _, _, _ = R.ccmpp_step(P, S, F, srb[y], mig[y], z, "even")
        E.add(variant, y + z, P, z)
E.write(out)
if mutant:
    R.copy_inputs(here, out)
else:
    R.write_csv("pop_count_age_sex_base.csv", ["time_start", "sex", "age_start", "value"],
                R.long_rows([2020], pop, ages))
    R.write_csv("life_table_age_sex.csv", ["time_start", "sex", "age_start", "indicator", "value"],
                [[y, s, int(a), "lt_nMx", float(mx[y][s][a])] for y in years for s in R.SEXES for a in ages])
    R.write_csv("fert_rate_age_f.csv", ["time_start", "age_start", "value"],
                [[y, int(a), float(asfr[y][i])] for y in years for i, a in enumerate(fa)])
    R.write_csv("srb.csv", ["time_start", "value"], [[y, srb[y]] for y in years])
    R.write_csv("mig_net_count_age_sex.csv", ["time_start", "sex", "age_start", "value"], R.long_rows(years, mig, ages))
