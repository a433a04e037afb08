# SPDX-License-Identifier: Apache-2.0
"""Writes the case's tables and expected.csv (../outside10_reference.py; see README.md). `--mutant DIR`: the same
inputs with the expected values of the life table read from the given qx with a0 from lt_rule_ak_q0_a0 (what
lt_single_qx computes first and then drops: lt_single_mx takes a0 again from the implied m0)."""
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(here))
import numpy as np  # noqa: E402

import outside10_reference as R  # noqa: E402

out, mutant = R.case_folder(sys.argv, here)
z, years = 1, (2020, 2021, 2022)
ages = np.arange(0, 131)
one = np.ones(131)


def given_q(sex, level):
    """Single-year probabilities of dying 0 … 130 as a register publishes them (6 decimals); the last, 130, below 1
    (lt_single_qx(OAG = FALSE) keeps it as a row: nothing is extrapolated past 130)."""
    k = 1.0 if sex == "female" else 1.28
    m = level * k * (0.0001 + 0.0035 * np.exp(-0.85 * ages) + R.logistic(ages + 0.5, 2.9e-5, 0.1))
    m[0] = level * k * 0.0062
    return np.round(m / (1 + 0.5 * m), 6)


q = {y: {s: given_q(s, lv) for s in R.SEXES} for y, lv in zip(years, (1.0, 0.97, 1.5))}
# lt_single_qx: nMx = lt_id_qa_m(q, nAx) with a0 = lt_rule_ak_q0_a0(q0), 0.5 elsewhere; lt_single_mx(nMx, a0rule =
# "ak") then builds the table (a0 again, from m0; L130 = l130 / 2). The baseline reads those rates (`mx`, open_ax =
# 0.5); the variant reads lt_single_qx's output nqx and nAx (`qx`, the open row's nMx l / T = 2).
mx = {y: {s: R.lt_single_qx_rates(q[y][s], s) for s in R.SEXES} for y in years}
tables = {y: {s: R.lt_single_mx(mx[y][s], s) for s in R.SEXES} for y in years}
for y in years:
    for s in R.SEXES:
        t = tables[y][s]
        t["nMx_out"] = t["lx"][-1] / t["Tx"][-1] * np.ones(1)


def S_of(y, s):
    if not mutant:
        return tables[y][s]["Sx"]
    ax = np.full(131, 0.5)
    ax[0] = R.ak_q0_a0(q[y][s][0], s)
    qq = q[y][s].copy()
    qq[-1] = 1.0
    l = R.q_l(qq, 1e5)
    return R.Ll_S(R.lda_L(l, R.l_d(l), ax, one), 1e5, 1)


shape = np.exp(-0.016 * ages) * (1 + 0.12 * np.cos(ages / 3.0))
pop = {"female": np.where(ages <= 108, 980.0 * shape, 0.0), "male": np.where(ages <= 104, 1010.0 * shape, 0.0)}
fa = np.arange(14, 51)
asfr = 0.12 * np.exp(-((fa - 30.0) / 6.5) ** 2)
rate = {s: np.where((ages >= 15) & (ages < 40), -0.004, 0.0) for s in R.SEXES}
srb = {2020: 1.05, 2021: 1.06, 2022: 1.04}
timing = {2020: "even", 2021: "end", 2022: "even"}
E = R.Expected()
for variant in ("baseline", "qx"):
    P = {s: pop[s].copy() for s in R.SEXES}
    for y in years:
        F = np.zeros(131)
        F[14:51] = asfr
        P = R.step(P, {s: S_of(y, s) for s in R.SEXES}, F, srb[y], R.rates_to_counts(rate, P), z, timing[y])
        E.add(variant, y + z, P, z)
E.write(out)
if mutant:
    R.copy_inputs(here, out)
else:
    R.write_csv("pop_count_age_sex_base.csv", ["time_start", "sex", "age_start", "value"],
                [[2020, s, int(a), float(pop[s][a])] for s in R.SEXES for a in ages])
    R.write_csv("given_qx.csv", ["time_start", "sex", "age_start", "value"],
                [[y, s, int(a), float(q[y][s][a])] for y in years for s in R.SEXES for a in ages])
    R.write_csv("lt_single_qx_nMx.csv", ["time_start", "sex", "age_start", "value"],
                [[y, s, int(a), float(mx[y][s][a])] for y in years for s in R.SEXES for a in ages])
    R.write_csv("lt_single_qx_output.csv", ["time_start", "sex", "age_start", "lt_nqx", "lt_nAx", "lt_nMx"],
                [[y, s, int(a), float(t["nqx"][a]), float(t["nAx"][a]),
                  float(t["nMx_out"][0] if a == 130 else t["nMx"][a])]
                 for y in years for s in R.SEXES for t in [tables[y][s]] for a in ages])
    R.write_csv("fert_rate_age_f.csv", ["time_start", "age_start", "value"],
                [[2020, int(a), float(v)] for a, v in zip(fa, asfr)])
    R.write_csv("srb.csv", ["time_start", "value"], [[y, srb[y]] for y in years])
    R.write_csv("mig_net_rate_age_sex.csv", ["time_start", "sex", "age_start", "value"],
                [[2020, s, int(a), float(rate[s][a])] for s in R.SEXES for a in ages])
