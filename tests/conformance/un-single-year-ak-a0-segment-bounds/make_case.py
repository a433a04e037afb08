# SPDX-License-Identifier: Apache-2.0
"""Writes the case's tables and expected.csv (../outside10_reference.py; see README.md). `--mutant DIR`: the same
inputs with the expected values of an a0 rule that keeps a rate equal to a segment's upper bound in that segment
(m0 <= bound, where lt_rule_ak_m0_a0 has m0 < bound)."""
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(here))
import numpy as np  # noqa: E402

import outside10_reference as R  # noqa: E402

out, mutant = R.case_folder(sys.argv, here)
z, years = 1, (2020, 2021, 2022, 2023)
ages = np.arange(0, 131)


def rates(sex, level):
    k = 1.0 if sex == "female" else 1.3
    return level * k * (0.00011 + 0.003 * np.exp(-0.8 * ages) + R.logistic(ages + 0.5, 2.8e-5, 0.102))


# Infant rates exactly at the bounds of the Andreev-Kingkade m0 segments (girls 0.01724 and 0.06891, boys 0.0230
# and 0.08307: each is in the next segment, R's `M0 < bound`), then a year with infant rates past Coale-Demeny's
# real root (beta m0 q^2 - (1 + m0 (1 - alpha)) q + m0 has none above m0 = 0.398 for girls and 0.411 for boys in the
# West: DemoTools takes IMR = 0.2, the constant), then one below the first bounds.
m0 = {2020: {"female": 0.01724, "male": 0.0230}, 2021: {"female": 0.06891, "male": 0.08307},
      2022: {"female": 0.45, "male": 0.5}, 2023: {"female": 0.0172, "male": 0.0229}}
level = {2020: 1.0, 2021: 1.3, 2022: 1.5, 2023: 0.95}
mx = {y: {s: rates(s, level[y]) for s in R.SEXES} for y in years}
for y in years:
    for s in R.SEXES:
        mx[y][s][0] = m0[y][s]

if mutant:
    saved = R.ak_m0_a0

    def at_bound_below(m, sex):  # m0 <= bound: a rate at a bound stays in the lower segment
        bounds = (0.0230, 0.08307) if R.sex_letter(sex) == "m" else (0.01724, 0.06891)
        return saved(m * (1 - 1e-12), sex) if m in bounds else saved(m, sex)
    R.ak_m0_a0 = at_bound_below

shape = np.exp(-0.017 * ages) * (1 + 0.15 * np.sin(ages / 4.0))
pop = {"female": np.where(ages <= 106, 1540.0 * shape, 0.0), "male": np.where(ages <= 103, 1605.0 * shape, 0.0)}
fa = np.arange(15, 50)
asfr = {y: f * np.exp(-((fa - 29.0) / 6.0) ** 2) for y, f in zip(years, (0.14, 0.12, 0.09, 0.13))}
mig = {y: {"female": c * np.exp(-((ages - 27) / 8.0) ** 2), "male": 1.1 * c * np.exp(-((ages - 29) / 8.0) ** 2)}
       for y, c in zip(years, (12.0, -30.0, -8.0, 5.0))}
E = R.Expected()
for variant, rule in (("baseline", "ak"), ("coale-demeny", "cd")):
    P = {s: pop[s].copy() for s in R.SEXES}
    for y in years:
        S = {s: R.lt_single_mx(mx[y][s], s, a0rule=rule)["Sx"] for s in R.SEXES}
        F = np.zeros(len(ages))
        F[15:50] = asfr[y]
        P = R.step(P, S, F, 1.05, mig[y], z, "end")
        E.add(variant, y + z, P, z)
E.write(out)
if mutant:
    R.copy_inputs(here, out)
else:
    R.write_csv("pop_count_age_sex_base.csv", ["time_start", "sex", "age_start", "value"],
                [[2020, s, int(a), float(pop[s][a])] for s in R.SEXES for a in ages])
    R.write_csv("life_table_age_sex.csv", ["indicator", "time_start", "sex", "age_start", "value"],
                [["lt_nMx", y, s, int(a), float(mx[y][s][a])] for y in years for s in R.SEXES for a in ages])
    R.write_csv("fert_rate_age_f.csv", ["time_start", "age_start", "value"],
                [[y, int(a), float(asfr[y][i])] for y in years for i, a in enumerate(fa)])
    R.write_csv("mig_net_count_age_sex.csv", ["time_start", "sex", "age_start", "value"],
                [[y, s, int(a), float(mig[y][s][a])] for y in years for s in R.SEXES for a in ages])
