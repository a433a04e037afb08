# SPDX-License-Identifier: Apache-2.0
"""Writes the case's tables and expected.csv (../outside10_reference.py; see README.md). `--mutant DIR`: the same
inputs with the expected values of a 1-4 row that takes the constant-hazard nax where 4a1 m > 1 (so that d / L = m,
cohortgis's rule before round 23) instead of keeping 4a1 as lt_id_ma_q does."""
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(here))
import numpy as np  # noqa: E402

import outside10_reference as R  # noqa: E402

out, mutant = R.case_folder(sys.argv, here)
z, years = 5, (2020, 2025, 2030)
ages = np.arange(0, 86, z)
lab = R.abridged_ages()
mid = lab + np.array([0.5, 2.0] + [2.5] * (len(lab) - 2))


def rates(sex, level):
    k = 1.0 if sex == "female" else 1.25
    m = level * k * (0.0003 + R.logistic(mid, 3.0e-5, 0.097))
    m[2], m[3] = level * k * 0.0007, level * k * 0.0006
    return m


mx = {2020: {s: rates(s, 1.0) for s in R.SEXES}, 2025: {s: rates(s, 1.5) for s in R.SEXES}}
# 2020: infant rates at the Andreev-Kingkade bounds (girls 0.01724, boys 0.0230; 4a1's q0 from the middle segment)
# and ordinary child rates. 2025: an epidemic of young children: 1-4 rates of 0.62 (girls) and 0.70 (boys) with
# low infant rates, so North's 4a1 (1.733 - 1.627 q0, 1.859 - 3.013 q0) times m exceeds 1 and lt_id_ma_q gives
# 4q1 = 1 - exp(-4 m), 4a1 kept.
mx[2020]["female"][:2] = (0.01724, 0.0031)
mx[2020]["male"][:2] = (0.0230, 0.0036)
mx[2025]["female"][:2] = (0.012, 0.62)
mx[2025]["male"][:2] = (0.018, 0.70)
if mutant:  # the row whose a m > 1 takes the constant-hazard nax n + 1/m - n/(1 - e^(-n m)) (d/L = m)
    saved_q, saved_L, hit = R.ma_q, R.lda_L, {}

    def ma_q(m, a, n, closeout=True):
        hit["rows"] = [(i, m[i]) for i in range(len(m) - 1) if a[i] * m[i] > 1]
        return saved_q(m, a, n, closeout)

    def lda_L(l, d, a, n):
        a = a.copy()
        for i, m in hit.pop("rows", []):
            a[i] = n[i] + 1 / m - n[i] / (1 - np.exp(-n[i] * m))
        return saved_L(l, d, a, n)
    R.ma_q, R.lda_L = ma_q, lda_L

def S(y, s, method):
    return R.lt_abridged(s, nMx=mx[y][s], axmethod=method, region="n", OAnew=85)["Sx"][:-1]


shape = np.exp(-0.018 * ages) * (1 + 0.2 * np.cos(ages / 9.0))
pop = {"female": 5210.0 * shape, "male": 5380.0 * shape}
fa = np.arange(15, 50, 5)
asfr = np.array([0.05, 0.16, 0.17, 0.13, 0.08, 0.03, 0.005])
rate = {2020: {s: np.where(ages < 50, 0.002 - 0.00004 * ages, 0.0) for s in R.SEXES},
        2025: {s: np.where(ages < 50, -0.003, 0.0) for s in R.SEXES}}
E = R.Expected()
for variant, method in (("baseline", "pas"), ("greville", "un")):
    P = {s: pop[s].copy() for s in R.SEXES}
    for y in years:
        t = min(y, 2025)
        F = np.zeros(len(ages))
        F[3:10] = asfr
        P = R.step(P, {s: S(t, s, method) for s in R.SEXES}, F, 1.04, R.rates_to_counts(rate[t], P), z, "even")
        E.add(variant, y + z, P, z)
E.write(out)
if mutant:
    R.copy_inputs(here, out)
else:
    R.write_csv("pop_count_age_sex_base.csv", ["time_start", "sex", "age_start", "value"],
                [[2020, s, int(a), float(pop[s][i])] for s in R.SEXES for i, a in enumerate(ages)])
    R.write_csv("life_table_age_sex.csv", ["indicator", "time_start", "sex", "age_start", "value"],
                [["lt_nMx", y, s, int(a), float(mx[y][s][i])] for y in mx for s in R.SEXES for i, a in enumerate(lab)])
    R.write_csv("fert_rate_age_f.csv", ["time_start", "age_start", "value"],
                [[2020, int(a), float(v)] for a, v in zip(fa, asfr)])
    R.write_csv("mig_net_rate_age_sex.csv", ["time_start", "sex", "age_start", "value"],
                [[y, s, int(a), float(rate[y][s][i])] for y in rate for s in R.SEXES for i, a in enumerate(ages)])
