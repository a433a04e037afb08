# SPDX-License-Identifier: Apache-2.0
"""Three zones, 5x5 on 85+, two periods 2020 -> 2030, `flow_policy = "wpp"`: `od.rates` by pair and `period` spread by
an `od_profile` table of multipliers used as given (X = z * r * m * P of the origin cell, no rescaling), one
multiplier large enough to take more than the origin cell holds (the origin's override M := 0.00001 - P, while the
destination receives the whole X: the books no longer balance, docs/ccmpp.md B2 `wpp`); `od.counts` by pair, sex and
age per step by `period`; `end` then `even`. Written from scenarios/README.md alone; expected.csv from numpy
(../outside4_reference.py), never calling cohortgis. Run: /usr/bin/python3 make_case.py
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import outside4_reference as o4  # noqa: E402
import readme_reference as rr  # noqa: E402

Z, W, BASE, YEARS = 5, 85, 2020, [2020, 2025]
TIMING = {2020: "end", 2025: "even"}
PERIOD = {2020: "2021-2025", 2025: "2026-2030"}
N = W // Z + 1
AGES = np.arange(N) * Z
ZONES = ("A", "B", "C")
path = lambda name: os.path.join(HERE, name)  # noqa: E731

SX, _ = rr.gompertz_lt_sx([2020], W, [])
rr.write_csv(path("Sx.csv"), ["sex", "age", "value"], [[s, int(AGES[i]), float(SX[(2020, s)][i])]
                                                        for s in rr.SEXES for i in range(N)])
P0 = {}
for j, zn in enumerate(ZONES):
    for s in rr.SEXES:
        P0[(zn, "total", s)] = (4000.0 + 1500 * j + 300 * (s == "male")) * np.exp(-0.013 * AGES) / (
            1 + np.exp(0.1 * (AGES - 78.0)))
rr.write_csv(path("base.csv"), ["zone", "sex", "age", "population"],
             [[zn, s, int(AGES[i]), float(P0[(zn, "total", s)][i])] for zn in ZONES for s in rr.SEXES
              for i in range(N)])
F = {zn: np.where((AGES >= 15) & (AGES < 50), (0.06 + 0.01 * j) * np.exp(-0.5 * ((AGES - 28.0) / 7.0) ** 2), 0.0)
     for j, zn in enumerate(ZONES)}
rr.write_csv(path("asfr.csv"), ["zone", "age", "value"], [[zn, int(AGES[i]), float(F[zn][i])] for zn in ZONES
                                                          for i in range(3, 10)])
SRB = {"A": 1.05, "B": 1.07, "C": 1.10}
rr.write_csv(path("srb.csv"), ["zone", "value"], [[zn, SRB[zn]] for zn in ZONES])

RATES = {("2021-2025", "A", "B"): 0.02, ("2021-2025", "A", "C"): 0.01, ("2021-2025", "B", "A"): 0.015,
         ("2021-2025", "C", "A"): 0.03, ("2026-2030", "A", "B"): 0.025, ("2026-2030", "C", "A"): 0.02,
         ("2026-2030", "C", "B"): 0.01}
rr.write_csv(path("od_rates.csv"), ["period", "origin", "destination", "rate"],
             [[p, o, d, r] for (p, o, d), r in RATES.items()])
MULT = {s: 0.2 + 2.5 * np.exp(-0.5 * ((AGES - 25.0 - 2 * (s == "male")) / 9.0) ** 2) for s in rr.SEXES}
MULT["female"][4] = 9.0  # women 20-24: 5 * 0.03 * 9 = 1.35 of the cell leaves C in the first step
rr.write_csv(path("od_profile.csv"), ["sex", "age", "value"], [[s, int(AGES[i]), float(MULT[s][i])]
                                                               for s in rr.SEXES for i in range(N)])
COUNTS = {}
for p, lev in (("2021-2025", 60.0), ("2026-2030", 25.0)):
    for s in rr.SEXES:
        c = np.zeros(N)
        c[4:9] = lev * (1.0 + 0.4 * (s == "male"))
        COUNTS[(p, "B", "C", s)] = c
        COUNTS[(p, "C", "B", s)] = 0.5 * c
rr.write_csv(path("od_counts.csv"), ["period", "origin", "destination", "sex", "age", "value"],
             [[p, o, d, s, int(AGES[i]), float(c[i])] for (p, o, d, s), c in COUNTS.items() for i in range(N) if c[i]])


def project():
    P = {k: v.copy() for k, v in P0.items()}
    out = [(BASE, P)]
    for t in YEARS:
        per = PERIOD[t]
        M = {k: np.zeros(N) for k in P}
        for (p, o, d), r in RATES.items():
            if p != per:
                continue
            for s in rr.SEXES:
                X = Z * r * MULT[s] * P[(o, "total", s)]
                M[(o, "total", s)] -= X
                M[(d, "total", s)] += X
        for (p, o, d, s), c in COUNTS.items():
            if p == per:  # per = "step": the whole step
                M[(o, "total", s)] -= c
                M[(d, "total", s)] += c
        S = {k: SX[(2020, k[2])] for k in P}
        P, _ = o4.step(P, S, {(zn, "total"): F[zn] for zn in ZONES}, SRB, M, TIMING[t], Z, policy="wpp")
        out.append((t + Z, P))
    return out


rr.write_expected(path("expected.csv"), {"baseline": project()}, AGES)
