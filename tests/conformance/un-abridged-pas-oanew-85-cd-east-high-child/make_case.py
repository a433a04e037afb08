# SPDX-License-Identifier: Apache-2.0
"""Writes the case's tables and expected.csv (../outside8_reference.py; see README.md). `--mutant DIR`: the same
inputs with the 4a1 of West (the region moving a0 only)."""
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(here))
import numpy as np  # noqa: E402

import outside8_reference as R  # noqa: E402

out, mutant = R.case_folder(sys.argv, here)
z, w, years = 5, 85, (2020, 2025)
ages = np.arange(0, w + 1, z)
ages130 = np.arange(0, 131, z)
lab = R.abridged_ages(28)
# High child mortality: infant rates 0.17 / 0.21 (q0 above 0.1: the Coale-Demeny constants of a0 and 4a1), 1-4
# rates 0.02 / 0.024; adult rates at 1.8 times the level with a plateau of 0.15 (every closed rate below 0.4).
mx = {}
for y, lv in zip(years, (1.8, 1.6)):
    mx[y] = {}
    for s in R.SEXES:
        m = R.abridged_mx(s, lv, plateau=0.15)[1]
        m[0] = (0.17 if s == "female" else 0.21) * lv / 1.8
        m[1] = (0.02 if s == "female" else 0.024) * lv / 1.8
        mx[y][s] = m
shape = np.exp(-0.045 * ages130)
pop130 = {"female": np.where(ages130 <= 95, 9.1e3 * shape, 0.0), "male": np.where(ages130 <= 90, 9.3e3 * shape, 0.0)}
pop = {s: np.concatenate([pop130[s][: w // z], [pop130[s][w // z:].sum()]]) for s in R.SEXES}
asfr_ages = (15, 20, 25, 30, 35, 40, 45)
asfr = (0.11, 0.25, 0.27, 0.23, 0.18, 0.09, 0.03)
F = np.array([asfr[asfr_ages.index(a)] if a in asfr_ages else 0.0 for a in ages])
mig = {"female": -30.0 * np.exp(-((ages - 22) / 8.0) ** 2), "male": -45.0 * np.exp(-((ages - 24) / 8.0) ** 2)}
if mutant:
    R._CD1_CONST["e"], R._CD1_INT["e"] = R._CD1_CONST["w"], R._CD1_INT["w"]
E = R.Expected()
P = {s: pop[s].copy() for s in R.SEXES}
for y in years:
    S = {s: R.lt_abridged(mx[y][s], s, axmethod="pas", a0rule="cd", region="e", OAnew=w)["Sx"] for s in R.SEXES}
    P, _, _, _ = R.ccmpp_step(P, S, F, 1.04, mig, z, "even")
    E.add("baseline", y + z, P, z)
E.write(out)
if mutant:
    R.copy_inputs(here, out)
else:
    R.write_csv("pop_count_age_sex_base.csv", ["time_start", "sex", "age_start", "value"],
                R.long_rows([2020], pop130, ages130))
    R.write_csv("life_table_age_sex.csv", ["time_start", "sex", "age_start", "indicator", "value"],
                [[y, s, int(a), "lt_nMx", float(mx[y][s][i])] for y in years for s in R.SEXES
                 for i, a in enumerate(lab)])
    R.write_csv("fert_rate_age_f.csv", ["time_start", "age_start", "value"],
                [[2020, a, v] for a, v in zip(asfr_ages, asfr)])
    R.write_csv("mig_net_count_age_sex.csv", ["time_start", "sex", "age_start", "value"],
                R.long_rows([2020], mig, ages))
