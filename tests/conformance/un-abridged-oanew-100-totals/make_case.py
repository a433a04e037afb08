# SPDX-License-Identifier: Apache-2.0
"""Writes the case's tables and expected.csv (../outside8_reference.py; see README.md). `--mutant DIR`: the same
inputs with the life tables built on the rows 0 … 100 alone (the 100+ rate l100 / T100 of the whole table as the
open row), so that Greville's nax of 95-99 takes that rate as its m_next instead of the table's own 100-104 rate."""
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(here))
import numpy as np  # noqa: E402

import outside8_reference as R  # noqa: E402

out, mutant = R.case_folder(sys.argv, here)
z, w, years = 5, 100, (2020, 2025, 2030)
ages = np.arange(0, w + 1, z)
ages130 = np.arange(0, 131, z)
lab = R.abridged_ages(28)
mx = {y: {s: R.abridged_mx(s, lv, plateau=0.3)[1] for s in R.SEXES} for y, lv in zip(years, (1.0, 0.9, 0.82))}
shape = np.exp(-0.026 * ages130) * (1 + 0.12 * np.cos(ages130 / 8.0))
pop130 = {"female": np.where(ages130 <= 110, 2.4e4 * shape, 0.0), "male": np.where(ages130 <= 105, 2.5e4 * shape, 0.0)}
pop = {s: np.concatenate([pop130[s][: w // z], [pop130[s][w // z:].sum()]]) for s in R.SEXES}
asfr_ages = (15, 20, 25, 30, 35, 40, 45)
asfr = (0.014, 0.07, 0.112, 0.099, 0.05, 0.012, 0.001)
F = np.array([asfr[asfr_ages.index(a)] if a in asfr_ages else 0.0 for a in ages])
total = {2020: 3500.0, 2025: -1800.0, 2030: 900.0}
timing = {2020: "end", 2025: "even", 2030: "end"}


def survival(m, s, axmethod):
    if mutant:  # every rate above 100 replaced by the 100+ rate l100 / T100 of the whole table
        t = R.lt_abridged(m, s, axmethod=axmethod, OAnew=w)
        m = np.where(lab < w, m, t["lx"][-1] / t["Tx"][-1])
    return R.lt_abridged(m, s, axmethod=axmethod, OAnew=w)["Sx"]


E = R.Expected()
for variant, axmethod in (("baseline", "un"), ("pas", "pas")):
    P = {s: pop[s].copy() for s in R.SEXES}
    for y in years:
        S = {s: survival(mx[y][s], s, axmethod) for s in R.SEXES}
        P, _, _, _ = R.ccmpp_step(P, S, F, 1.05, R.total_to_counts(total[y], P), z, timing[y])
        E.add(variant, y + z, P, z)
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
    R.write_csv("mig_net_count_tot_b.csv", ["time_start", "value"], [[y, total[y]] for y in years])
