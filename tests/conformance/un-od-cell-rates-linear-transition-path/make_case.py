# SPDX-License-Identifier: Apache-2.0
"""Two zones, two groups, 5x5 on 85+, three periods 2020 -> 2035, `flow_policy = "wpp"`: `od.rates` given per pair
**and cell** (sex, age; no profile: X = z * r * P of that cell) at 2020 and 2030 with `between = "linear"` (the step
from 2025 takes their mean), for the `floating` group only (a `group` column); a `[[transitions]]` whose `rate` is a
path over calendar years (the step takes the path's mean over its years) with `years` cutting the first and the last
step (rate x years inside / z); `out_rate` per step (`per = "step"`); `srb` by zone and `year`; `even`. Written from
scenarios/README.md alone; expected.csv from numpy (../outside4_reference.py), never calling cohortgis.
Run: /usr/bin/python3 make_case.py
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import outside4_reference as o4  # noqa: E402
import readme_reference as rr  # noqa: E402

Z, W, BASE, YEARS = 5, 85, 2020, [2020, 2025, 2030]
N = W // Z + 1
AGES = np.arange(N) * Z
ZONES, GROUPS = ("A", "B"), ("registered", "floating")
path = lambda name: os.path.join(HERE, name)  # noqa: E731

SX, _ = rr.gompertz_lt_sx([2020], W, [])
rr.write_csv(path("Sx.csv"), ["sex", "age", "value"], [[s, int(AGES[i]), float(SX[(2020, s)][i])]
                                                        for s in rr.SEXES for i in range(N)])
P0 = {}
for j, zn in enumerate(ZONES):
    for s in rr.SEXES:
        P0[(zn, "registered", s)] = (6000.0 + 1000 * j) * np.exp(-0.013 * AGES) / (1 + np.exp(0.1 * (AGES - 78.0)))
        P0[(zn, "floating", s)] = (1500.0 + 700 * j) * np.exp(-0.5 * ((AGES - 28.0) / 10.0) ** 2) + 10.0
rr.write_csv(path("base.csv"), ["zone", "group", "sex", "age", "population"],
             [[k[0], k[1], k[2], int(AGES[i]), float(v[i])] for k, v in P0.items() for i in range(N)])
F = np.where((AGES >= 15) & (AGES < 50), 0.07 * np.exp(-0.5 * ((AGES - 28.0) / 7.0) ** 2), 0.0)
rr.write_csv(path("asfr.csv"), ["age", "value"], [[int(AGES[i]), float(F[i])] for i in range(3, 10)])
# a year's rows are the whole table for that year: every zone needs a row in every given year
SRB = {("A", 2020): 1.05, ("A", 2025): 1.05, ("A", 2030): 1.04, ("B", 2020): 1.08, ("B", 2025): 1.07, ("B", 2030): 1.07}
rr.write_csv(path("srb.csv"), ["zone", "year", "value"], [[zn, y, v] for (zn, y), v in SRB.items()])


def srb_of(zn, t):
    return SRB[(zn, max(y for (z2, y) in SRB if z2 == zn and y <= t))]


OD = {}
for y, lev in ((2020, 0.01), (2030, 0.03)):
    for o, d in (("A", "B"), ("B", "A")):
        for s in rr.SEXES:
            OD[(y, o, d, s)] = np.where((AGES >= 15) & (AGES < 45), lev * (1.0 + 0.5 * (o == "B")) *
                                        (1.0 + 0.1 * (s == "male")) * (1.0 + AGES / 100.0), 0.0)
rr.write_csv(path("od_rates.csv"), ["year", "origin", "destination", "group", "sex", "age", "rate"],
             [[y, o, d, "floating", s, int(AGES[i]), float(r[i])] for (y, o, d, s), r in OD.items() for i in range(N)
              if r[i]])
OUTR = {s: np.where(AGES >= 60, 0.02 + 0.01 * (s == "male"), 0.0) for s in rr.SEXES}  # per step
rr.write_csv(path("out_rate.csv"), ["group", "sex", "age", "value"],
             [["registered", s, int(AGES[i]), float(OUTR[s][i])] for s in rr.SEXES for i in range(N) if OUTR[s][i]])
TPATH, T_YEARS = {2021: 0.01, 2030: 0.04}, (2023, 2032)


def project():
    P = {k: v.copy() for k, v in P0.items()}
    out = [(BASE, P)]
    for t in YEARS:
        M = {k: np.zeros(N) for k in P}
        w = min(max((t - 2020) / 10.0, 0.0), 1.0)
        for o, d in (("A", "B"), ("B", "A")):
            for s in rr.SEXES:
                r = (1 - w) * OD[(2020, o, d, s)] + w * OD[(2030, o, d, s)]
                X = Z * r * P[(o, "floating", s)]
                M[(o, "floating", s)] -= X
                M[(d, "floating", s)] += X
        inside = sum(1 for y in range(t + 1, t + Z + 1) if T_YEARS[0] <= y <= T_YEARS[1])
        tau = rr.path_step_mean(TPATH, t, Z) * inside / Z
        for zn in ZONES:
            for s in rr.SEXES:
                X = Z * tau * P[(zn, "floating", s)]
                M[(zn, "floating", s)] -= X
                M[(zn, "registered", s)] += X
                M[(zn, "registered", s)] -= OUTR[s] * P[(zn, "registered", s)]
        S = {k: SX[(2020, k[2])] for k in P}
        P, _ = o4.step(P, S, {(zn, g): F for zn in ZONES for g in GROUPS}, {zn: srb_of(zn, t) for zn in ZONES}, M,
                       "even", Z, policy="wpp")
        out.append((t + Z, P))
    return out


rr.write_expected(path("expected.csv"), {"baseline": project()}, AGES)
