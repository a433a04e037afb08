# SPDX-License-Identifier: Apache-2.0
"""Writes the case's tables and expected.csv (../outside8_reference.py; see README.md). `--mutant DIR`: the same
inputs with a negative Greville nax kept (lt_abridged without lt_a_un's patch, R/nAx.R:847-850: women's 5a5 = -151,
cohortgis's rule before round 24)."""
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(here))
import numpy as np  # noqa: E402

import outside8_reference as R  # noqa: E402

out, mutant = R.case_folder(sys.argv, here)
z, years = 5, (2020, 2025, 2030)
ages = np.arange(0, 131, z)
lab = R.abridged_ages(28)
mx = {s: R.abridged_mx(s, 1.6)[1] for s in R.SEXES}
# A small population's observed rates: no deaths at all in some groups (isolated zeros, rows 10-14 and 40-44 of
# women, 5-9 and 30-34 of men).
mx["female"][lab == 10] = 0.0
mx["female"][lab == 40] = 0.0
mx["male"][lab == 5] = 0.0
mx["male"][lab == 30] = 0.0


def table(m, s):
    R.PATCH_NEGATIVE_NAX = not mutant  # mutant: women's 5a5 = -151 kept
    return R.lt_abridged(m, s, axmethod="un")

shape = np.exp(-0.022 * ages) * (1 + 0.3 * np.cos(ages / 7.0))
pop = {"female": np.where(ages <= 90, 21.5 * shape, 0.0), "male": np.where(ages <= 85, 19.75 * shape, 0.0)}
pop["male"][ages == 15] = 0.0
asfr_ages = (15, 20, 25, 30, 35, 40, 45)
asfr = (0.02, 0.09, 0.13, 0.11, 0.06, 0.02, 0.002)
F = np.array([asfr[asfr_ages.index(a)] if a in asfr_ages else 0.0 for a in ages])
rate = {s: np.where(ages < 60, -0.04 + 0.0012 * ages, 0.0) for s in R.SEXES}
rate["female"][ages == 20] = -1.0  # everyone leaves: the override
S = {s: table(mx[s], s)["Sx"] for s in R.SEXES}
E = R.Expected()
P = {s: pop[s].copy() for s in R.SEXES}
for y in years:
    P, _, _, _ = R.ccmpp_step(P, S, F, 1.05, R.rates_to_counts(rate, P), z, "end")
    E.add("baseline", y + z, P, z)
E.write(out)
if mutant:
    R.copy_inputs(here, out)
else:
    R.write_csv("pop_count_age_sex_base.csv", ["time_start", "sex", "age_start", "value"],
                R.long_rows([2020], pop, ages))
    R.write_csv("life_table_age_sex.csv", ["time_start", "sex", "age_start", "indicator", "value"],
                [[2020, s, int(a), "lt_nMx", float(mx[s][i])] for s in R.SEXES for i, a in enumerate(lab)])
    R.write_csv("fert_rate_age_f.csv", ["time_start", "age_start", "value"],
                [[2020, a, v] for a, v in zip(asfr_ages, asfr)])
    R.write_csv("mig_net_rate_age_sex.csv", ["time_start", "sex", "age_start", "value"],
                R.long_rows(years, rate, ages))
