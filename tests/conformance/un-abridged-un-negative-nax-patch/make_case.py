# SPDX-License-Identifier: Apache-2.0
"""Writes the case's tables and expected.csv (../outside10_reference.py; see README.md). `--mutant DIR`: the same
inputs with the expected values of lt_abridged with only half of lt_a_un's last patch (R/nAx.R:847-850): NaN nax set
to n / 2, a negative Greville 5a5 kept."""
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(here))
import numpy as np  # noqa: E402

import outside10_reference as R  # noqa: E402

out, mutant = R.case_folder(sys.argv, here)
z, years = 5, (2020, 2025, 2030)
ages = np.arange(0, 131, z)
lab = R.abridged_ages()
mid = lab + np.array([0.5, 2.0] + [2.5] * (len(lab) - 2))


def rates(sex, level):
    k = 1.0 if sex == "female" else 1.35
    m = level * k * (0.0002 + R.logistic(mid, 2.2e-5, 0.1))
    m[0], m[1], m[2], m[3] = level * k * 0.021, level * k * 0.0016, level * k * 0.0005, level * k * 0.0004
    return m


mx = {2020: {s: rates(s, 1.0) for s in R.SEXES}, 2025: {s: rates(s, 0.85) for s in R.SEXES}}
# A small population's observed rates: girls 10-14 without deaths in both periods (Greville's 5a5 about -150, which
# lt_a_un sets to 2.5), men 15-19 and 20-24 without deaths in 2020 (two zeros side by side: both out of
# [0.4 n, 0.6 n], their constant-hazard nax 5 + 1/0 - 5/0 is NaN, which lt_a_un also sets to 2.5; q = 0 there).
for y in mx:
    mx[y]["female"][lab == 10] = 0.0
mx[2020]["male"][(lab == 15) | (lab == 20)] = 0.0
patch = "nan" if mutant else True
S = {y: {s: R.lt_abridged(s, nMx=mx[y][s], axmethod="un", patch=patch)["Sx"][:-1] for s in R.SEXES} for y in mx}
shape = np.exp(-0.02 * ages) * (1 + 0.25 * np.cos(ages / 6.0))
pop = {"female": np.where(ages <= 100, 3120.0 * shape, 0.0), "male": np.where(ages <= 95, 3010.0 * shape, 0.0)}
fa = np.arange(15, 50, 5)
asfr = {2020: np.array([0.03, 0.11, 0.14, 0.10, 0.05, 0.015, 0.002]),
        2025: np.array([0.025, 0.10, 0.13, 0.10, 0.055, 0.017, 0.002])}
srb = {2020: 1.06, 2025: 1.05}
mig = {y: {"female": c * np.exp(-((ages - 22) / 10.0) ** 2), "male": 1.2 * c * np.exp(-((ages - 25) / 10.0) ** 2)}
       for y, c in ((2020, 60.0), (2025, -45.0))}
mig[2020]["female"][ages == 10] = -4000.0  # more girls leave than there are: the override
timing = {2020: "even", 2025: "end", 2030: "end"}
E = R.Expected()
P = {s: pop[s].copy() for s in R.SEXES}
for y in years:
    t = min(y, 2025)  # the 2025 rows hold for the step from 2030
    F = np.zeros(len(ages))
    F[3:10] = asfr[t]
    P = R.step(P, S[t], F, srb[t], mig[t], z, timing[y])
    E.add("baseline", y + z, P, z)
E.write(out)
if mutant:
    R.copy_inputs(here, out)
else:
    R.write_csv("pop_count_age_sex_base.csv", ["time_start", "sex", "age_start", "value"],
                [[2020, s, int(a), float(pop[s][i])] for s in R.SEXES for i, a in enumerate(ages)])
    R.write_csv("life_table_age_sex.csv", ["indicator", "time_start", "sex", "age_start", "value"],
                [["lt_nMx", y, s, int(a), float(mx[y][s][i])] for y in mx for s in R.SEXES for i, a in enumerate(lab)])
    R.write_csv("fert_rate_age_f.csv", ["time_start", "age_start", "value"],
                [[y, int(a), float(asfr[y][i])] for y in asfr for i, a in enumerate(fa)])
    R.write_csv("srb.csv", ["time_start", "value"], [[y, srb[y]] for y in srb])
    R.write_csv("mig_net_count_age_sex.csv", ["time_start", "sex", "age_start", "value"],
                [[y, s, int(a), float(mig[y][s][i])] for y in mig for s in R.SEXES for i, a in enumerate(ages)])
