# SPDX-License-Identifier: Apache-2.0
"""Two zones, two groups (registered, floating), 1x1 on 100+, four annual steps 2020 -> 2024: the registered base as
the residual of the residents less the floating (cell by cell); `mx` and ASFR tables whose rows with an empty `group`
cell hold for every group while the rows naming `floating` replace them for that sex (the women's mx, the ASFR);
`[[transitions]]` floating -> registered by a `rates` table by sex and age, and registered -> floating by
`quota_per_year` at ages 20-29 over the years 2021-2022 (tau = quota / the eligible start population of the whole
area, both zones); migrants of the step entering by the timing (even), `flow_policy = "wpp"`. Variant
`no-transitions` (`transitions = []`). Written from scenarios/README.md alone; expected.csv from numpy
(../outside4_reference.py, ../readme_reference.py's single-year life table), never calling cohortgis.
Run: /usr/bin/python3 make_case.py
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import outside4_reference as o4  # noqa: E402
import readme_reference as rr  # noqa: E402

Z, W, BASE, YEARS = 1, 100, 2020, [2020, 2021, 2022, 2023]
N = W + 1
AGES = np.arange(N)
ZONES, GROUPS = ("A", "B"), ("registered", "floating")
path = lambda name: os.path.join(HERE, name)  # noqa: E731

MX = {}
for s, (c0, c1, c2, c3) in (("female", (0.012, 1.5e-4, 3e-5, 0.1)), ("male", (0.015, 3e-4, 6e-5, 0.095))):
    MX[("all", s)] = c0 * np.exp(-1.2 * AGES) + c1 + c2 * np.exp(c3 * AGES)
MX[("floating", "female")] = MX[("all", "female")] * (1.25 + 0.002 * AGES)
mrows = [["", s, a, float(MX[("all", s)][a])] for s in rr.SEXES for a in AGES]
mrows += [["floating", "female", a, float(MX[("floating", "female")][a])] for a in AGES]
rr.write_csv(path("mx.csv"), ["group", "sex", "age", "value"], mrows[::-1])  # the order of the rows does not matter
SX = {}
for g in GROUPS:
    for s in rr.SEXES:
        mx = MX[(g, s)] if (g, s) in MX else MX[("all", s)]
        SX[(g, s)] = rr.survival_single(rr.single_table(mx, s == "female")[2])

F = {"all": np.where((AGES >= 15) & (AGES < 50), 0.08 * np.exp(-0.5 * ((AGES - 29.0) / 6.0) ** 2), 0.0),
     "floating": np.where((AGES >= 16) & (AGES < 46), 0.06 * np.exp(-0.5 * ((AGES - 26.0) / 5.0) ** 2), 0.0)}
rr.write_csv(path("asfr.csv"), ["group", "age", "value"],
             [["", a, float(F["all"][a])] for a in range(15, 50)] + [["floating", a, float(F["floating"][a])]
                                                                    for a in range(16, 46)])
TOTAL, FLOAT = {}, {}
for j, zn in enumerate(ZONES):
    for s in rr.SEXES:
        TOTAL[(zn, s)] = (700.0 + 200 * j) * np.exp(-(0.008 + 0.002 * (s == "male")) * AGES) + 5.0
        FLOAT[(zn, s)] = (150.0 + 60 * j) * np.exp(-0.5 * ((AGES - 27.0 - 2 * (s == "male")) / 8.0) ** 2)
        FLOAT[(zn, s)][AGES > 70] = 0.0  # missing rows: 0
rr.write_csv(path("residents.csv"), ["zone", "sex", "age", "population"],
             [[zn, s, a, float(TOTAL[(zn, s)][a])] for zn in ZONES for s in rr.SEXES for a in AGES])
rr.write_csv(path("floating.csv"), ["zone", "sex", "age", "population"],
             [[zn, s, a, float(FLOAT[(zn, s)][a])] for zn in ZONES for s in rr.SEXES for a in AGES if a <= 70 or a == W])  # a row of 0 at 100: no one older
RATES = {s: np.where((AGES >= 18) & (AGES < 60), (0.02 + 0.01 * (s == "male")) * (1 + 0.01 * (AGES - 18)), 0.0)
         for s in rr.SEXES}
rr.write_csv(path("transition_rates.csv"), ["sex", "age", "value"],
             [[s, a, float(RATES[s][a])] for s in rr.SEXES for a in AGES if RATES[s][a] > 0])
QUOTA, Q_AGES, Q_YEARS = 300.0, (20, 29), (2021, 2022)


def project(transitions):
    P = {}
    for zn in ZONES:
        for s in rr.SEXES:
            P[(zn, "floating", s)] = FLOAT[(zn, s)].copy()
            P[(zn, "registered", s)] = TOTAL[(zn, s)] - FLOAT[(zn, s)]
    out = [(BASE, P)]
    elig = (AGES >= Q_AGES[0]) & (AGES <= Q_AGES[1])
    for t in YEARS:
        M = {k: np.zeros(N) for k in P}
        if transitions:
            years_in = sum(1 for y in range(t + 1, t + Z + 1) if Q_YEARS[0] <= y <= Q_YEARS[1])
            eligible = sum(P[(zn, "registered", s)][elig].sum() for zn in ZONES for s in rr.SEXES)
            tau = QUOTA / eligible * years_in / Z
            for zn in ZONES:
                for s in rr.SEXES:
                    X = Z * RATES[s] * P[(zn, "floating", s)]
                    Y = Z * tau * elig * P[(zn, "registered", s)]
                    M[(zn, "floating", s)] += Y - X
                    M[(zn, "registered", s)] += X - Y
        S = {k: SX[(k[1], k[2])] for k in P}
        Fk = {(zn, g): F["floating" if g == "floating" else "all"] for zn in ZONES for g in GROUPS}
        P, _ = o4.step(P, S, Fk, {zn: 1.06 for zn in ZONES}, M, "even", Z, policy="wpp")
        out.append((t + Z, P))
    return out


rr.write_expected(path("expected.csv"), {"baseline": project(True), "no-transitions": project(False)}, AGES)
