# SPDX-License-Identifier: Apache-2.0
"""Writes the case's tables and expected.csv (../outside10_reference.py; see README.md). `--mutant DIR`: the same
inputs with the expected values of the life tables read from the given lx and qx (with lt_abridged's output nAx),
i.e. as if lt_abridged kept its input: it fails at the survival of births and of ages 0-4."""
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(here))
import numpy as np  # noqa: E402

import outside10_reference as R  # noqa: E402

out, mutant = R.case_folder(sys.argv, here)
z, years = 5, (2020, 2025)
ages = np.arange(0, 131, z)
lab = R.abridged_ages()
n = R.abridged_widths(lab)
mid = lab + np.array([0.5, 2.0] + [2.5] * (len(lab) - 2))


def published(sex, level):
    """A published abridged table (rates -> midpoint nax table), as printed: lx in full, nqx to 6 decimals."""
    k = 1.0 if sex == "female" else 1.3
    m = level * k * (0.00025 + R.logistic(mid, 2.5e-5, 0.099))
    m[0], m[1], m[2], m[3] = level * k * 0.030, level * k * 0.0025, level * k * 0.0008, level * k * 0.0006
    a = n / 2
    a[0], a[-1] = 0.15, 1 / m[-1]
    q = R.ma_q(m, a, n)
    return R.q_l(q, 1e5), np.round(q, 6)


given = {y: {s: published(s, lv) for s in R.SEXES} for y, lv in ((2020, 1.0), (2025, 0.8))}
# lt_abridged(lx = l) with its default axmethod = "pas" (the baseline reads its output lx, nAx and the open row's
# nMx, 1: one person-year per survivor of 130), lt_abridged(nqx = q, axmethod = "un") for the variant.
out_lx = {y: {s: R.lt_abridged(s, lx=given[y][s][0], axmethod="pas") for s in R.SEXES} for y in years}
out_qx = {y: {s: R.lt_abridged(s, nqx=given[y][s][1], axmethod="un") for s in R.SEXES} for y in years}


def S_of(t):
    if not mutant:
        return t["Sx"][:-1]
    l = t["given_l"]
    L = R.lda_L(l, R.l_d(l), t["nAx"], n)
    return R.Ll_S(L, 1e5, 5)


for y in years:
    for s in R.SEXES:
        out_lx[y][s]["given_l"] = given[y][s][0]
        out_qx[y][s]["given_l"] = R.q_l(given[y][s][1], 1e5)
shape = np.exp(-0.021 * ages) * (1 + 0.2 * np.sin(ages / 8.0))
pop = {"female": np.where(ages <= 105, 2480.0 * shape, 0.0), "male": np.where(ages <= 100, 2575.0 * shape, 0.0)}
fa = np.arange(15, 50, 5)
asfr = np.array([0.04, 0.13, 0.15, 0.11, 0.06, 0.02, 0.003])
mig = {s: np.where(ages < 70, 35.0 * np.exp(-((ages - 25) / 12.0) ** 2), 0.0) for s in R.SEXES}
E = R.Expected()
for variant, tables in (("baseline", out_lx), ("qx", out_qx)):
    P = {s: pop[s].copy() for s in R.SEXES}
    for y in (2020, 2025, 2030):
        t = min(y, 2025)
        F = np.zeros(len(ages))
        F[3:10] = asfr
        P = R.step(P, {s: S_of(tables[t][s]) for s in R.SEXES}, F, 1.05, mig, z, "end")
        E.add(variant, y + z, P, z)
E.write(out)
if mutant:
    R.copy_inputs(here, out)
else:
    R.write_csv("pop_count_age_sex_base.csv", ["time_start", "sex", "age_start", "value"],
                [[2020, s, int(a), float(pop[s][i])] for s in R.SEXES for i, a in enumerate(ages)])
    R.write_csv("lt_abridged_from_lx.csv", ["time_start", "sex", "age_start", "lt_lx", "lt_nAx", "lt_nMx"],
                [[y, s, int(a), float(t["lx"][i]), float(t["nAx"][i]), float(t["nMx"][i])]
                 for y in years for s in R.SEXES for t in [out_lx[y][s]] for i, a in enumerate(lab)])
    R.write_csv("lt_abridged_from_qx.csv", ["time_start", "sex", "age_start", "lt_nqx", "lt_nAx", "lt_nMx"],
                [[y, s, int(a), float(t["nqx"][i]), float(t["nAx"][i]), float(t["nMx"][i])]
                 for y in years for s in R.SEXES for t in [out_qx[y][s]] for i, a in enumerate(lab)])
    R.write_csv("given_lx_qx.csv", ["time_start", "sex", "age_start", "lx", "nqx"],
                [[y, s, int(a), float(given[y][s][0][i]), float(given[y][s][1][i])]
                 for y in years for s in R.SEXES for i, a in enumerate(lab)])
    R.write_csv("fert_rate_age_f.csv", ["time_start", "age_start", "value"],
                [[2020, int(a), float(v)] for a, v in zip(fa, asfr)])
    R.write_csv("mig_net_count_age_sex.csv", ["time_start", "sex", "age_start", "value"],
                [[2020, s, int(a), float(mig[s][i])] for s in R.SEXES for i, a in enumerate(ages)])
