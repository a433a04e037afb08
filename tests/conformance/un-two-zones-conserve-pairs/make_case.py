# SPDX-License-Identifier: Apache-2.0
"""Two zones, 5x5 on 85+, two periods 2020 -> 2030, the default `flow_policy = "conserve"`: out of zone A's women
20-29 leave more than the cells hold in the second step (`od.rates` by cell to B, `od.counts` to B, a `[[relocation]]` to B with the
origin's population profile, and `out` counts abroad); docs/ccmpp.md B2 scales every out-flow of such a cell by one
factor max(P - 0.00001, 0) / sum, and B receives what A lost: the OD and relocation persons scaled by A's factor
("what leaves the origin arrives at the destination in the same step (the books balance exactly)"). `even`. Written
from scenarios/README.md and docs/ccmpp.md alone; expected.csv from numpy (../outside4_reference.py), never calling
cohortgis. Run: /usr/bin/python3 make_case.py
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import outside4_reference as o4  # noqa: E402
import readme_reference as rr  # noqa: E402

Z, W, BASE, YEARS = 5, 85, 2020, [2020, 2025]
N = W // Z + 1
AGES = np.arange(N) * Z
ZONES = ("A", "B")
path = lambda name: os.path.join(HERE, name)  # noqa: E731

SX, _ = rr.gompertz_lt_sx([2020], W, [])
rr.write_csv(path("Sx.csv"), ["sex", "age", "value"], [[s, int(AGES[i]), float(SX[(2020, s)][i])]
                                                        for s in rr.SEXES for i in range(N)])
P0 = {}
for j, zn in enumerate(ZONES):
    for s in rr.SEXES:
        P0[(zn, "total", s)] = (5000.0 + 2000 * j) * np.exp(-0.013 * AGES) / (1 + np.exp(0.1 * (AGES - 78.0)))
rr.write_csv(path("base.csv"), ["zone", "sex", "age", "population"],
             [[k[0], k[2], int(AGES[i]), float(v[i])] for k, v in P0.items() for i in range(N)])
F = np.where((AGES >= 15) & (AGES < 50), 0.07 * np.exp(-0.5 * ((AGES - 28.0) / 7.0) ** 2), 0.0)
rr.write_csv(path("asfr.csv"), ["age", "value"], [[int(AGES[i]), float(F[i])] for i in range(3, 10)])
ODR = {s: np.where((AGES >= 20) & (AGES < 30), 0.15 if s == "female" else 0.03, 0.0) for s in rr.SEXES}  # per year
rr.write_csv(path("od_rates.csv"), ["origin", "destination", "sex", "age", "rate"],
             [["A", "B", s, int(AGES[i]), float(ODR[s][i])] for s in rr.SEXES for i in range(N) if ODR[s][i]])
ODC = {s: np.where((AGES >= 20) & (AGES < 30), 20.0 if s == "female" else 10.0, 0.0) for s in rr.SEXES}  # per year (A step whose counts exceed the start cell is an error)
rr.write_csv(path("od_counts.csv"), ["origin", "destination", "sex", "age", "value"],
             [["A", "B", s, int(AGES[i]), float(ODC[s][i])] for s in rr.SEXES for i in range(N) if ODC[s][i]])
OUT = {s: np.where((AGES >= 20) & (AGES < 30), 150.0, 0.0) for s in rr.SEXES}  # per year, abroad
rr.write_csv(path("out.csv"), ["zone", "sex", "age", "value"],
             [["A", s, int(AGES[i]), float(OUT[s][i])] for s in rr.SEXES for i in range(N) if OUT[s][i]])
REL = 200.0  # per year, A -> B, by A's population at the start of the step


def project():
    P = {k: v.copy() for k, v in P0.items()}
    out = [(BASE, P)]
    for _ in YEARS:
        M = {k: np.zeros(N) for k in P}
        totA = sum(P[("A", "total", s)].sum() for s in rr.SEXES)
        for s in rr.SEXES:
            a, b = ("A", "total", s), ("B", "total", s)
            pairs = [Z * ODR[s] * P[a], Z * ODC[s], REL * Z * P[a] / totA]  # leave A, arrive in B
            scaled = o4.conserve_scale(P[a], pairs + [Z * OUT[s]])
            M[a] -= np.sum(scaled, axis=0)
            M[b] += np.sum(scaled[:3], axis=0)  # B receives what A lost to it
        S = {k: SX[(2020, k[2])] for k in P}
        P, _ = o4.step(P, S, {(zn, "total"): F for zn in ZONES}, {zn: 1.05 for zn in ZONES}, M, "even", Z,
                       policy="conserve")
        out.append((out[-1][0] + Z, P))
    return out


rr.write_expected(path("expected.csv"), {"baseline": project()}, AGES)
