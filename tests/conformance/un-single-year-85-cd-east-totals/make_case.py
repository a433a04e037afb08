# SPDX-License-Identifier: Apache-2.0
"""Writes the case's tables and expected.csv (../outside10_reference.py; see README.md). `--mutant DIR`: the same
inputs with the expected values of the tables closed at 85 with the given open rate (L85 = l85 / m, the pre-OAnew
closure) instead of lt_single_mx(OAnew = 85)'s T85."""
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(here))
import numpy as np  # noqa: E402

import outside10_reference as R  # noqa: E402

out, mutant = R.case_folder(sys.argv, here)
z, years = 1, tuple(range(2020, 2026))
ages = np.arange(0, 131)
grid = np.arange(0, 86)


def rates(sex, level, infant):
    k = 1.0 if sex == "female" else 1.22
    m = level * k * (0.00013 + 0.005 * np.exp(-0.7 * ages) + R.logistic(ages + 0.5, 3.4e-5, 0.097))
    m[0] = infant[0 if sex == "female" else 1]
    return m


# lt_nMx to 130 at 2020, 2022 and 2024 (held between): Coale-Demeny East a0 with infant rates around q0 = 0.1
# (East's alpha 0.01 / 0.0025, constants 0.31 / 0.29).
mx = {2020: {s: rates(s, 1.3, (0.095, 0.118)) for s in R.SEXES},
      2022: {s: rates(s, 1.1, (0.1075, 0.1082)) for s in R.SEXES},
      2024: {s: rates(s, 0.9, (0.06, 0.07)) for s in R.SEXES}}


def table(m, s):
    if not mutant:
        return R.lt_single_mx(m, s, a0rule="cd", region="e", OAnew=85)["Sx"]
    t = R.lt_single_mx(m, s, a0rule="cd", region="e", OAnew=85)
    L = t["nLx"].copy()
    L[-1] = t["lx"][-1] / m[85]
    return R.Ll_S(L, 1e5, 1)


S = {y: {s: table(mx[y][s], s) for s in R.SEXES} for y in mx}
shape = np.exp(-0.026 * grid) * (1 + 0.1 * np.cos(grid / 5.0))
pop = {"female": 4400.0 * shape, "male": 4620.0 * shape}
pop["female"][85] *= 3.0
pop["male"][85] *= 2.5
fa = np.arange(15, 50)
asfr = 0.2 * np.exp(-((fa - 27.0) / 7.0) ** 2)
total = {2020: 1500.0, 2021: -2500.0, 2022: 800.0, 2023: -400.0, 2024: 0.0, 2025: 3000.0}
timing = {2020: "end", 2021: "end", 2022: "even", 2023: "even", 2024: "even", 2025: "end"}
E = R.Expected()
P = {s: pop[s].copy() for s in R.SEXES}
for y in years:
    t = max(k for k in mx if k <= y)
    F = np.zeros(86)
    F[15:50] = asfr
    tot = sum(P[s].sum() for s in R.SEXES)
    M = {s: total[y] * P[s] / tot for s in R.SEXES}
    P = R.step(P, S[t], F, 1.06, M, z, timing[y])
    E.add("baseline", y + z, P, z)
E.write(out)
if mutant:
    R.copy_inputs(here, out)
else:
    R.write_csv("pop_count_age_sex_base.csv", ["time_start", "sex", "age_start", "value"],
                [[2020, s, int(a), float(pop[s][a])] for s in R.SEXES for a in grid])
    R.write_csv("life_table_age_sex.csv", ["indicator", "time_start", "sex", "age_start", "value"],
                [["lt_nMx", y, s, int(a), float(mx[y][s][a])] for y in mx for s in R.SEXES for a in ages])
    R.write_csv("fert_rate_age_f.csv", ["time_start", "age_start", "value"],
                [[2020, int(a), float(v)] for a, v in zip(fa, asfr)])
    R.write_csv("mig_net_count_tot_b.csv", ["time_start", "sex", "value"], [[y, "both", total[y]] for y in years])
