# SPDX-License-Identifier: Apache-2.0
"""Three zones, 5x5 on 85+, three periods 2020 -> 2035: a `[[relocation]]` A -> B with `profile = "population"`
(the origin's age-sex structure at the start of each step) over years that cut two steps, and `[[migration.flows]]`
of every form: `in` with `allocation = "equal"` and a uniform profile, `in` with `allocation = "base_population"`,
`net` by a `zones` table (two rows of one zone adding up) with a Rogers-Castro profile of its own parameters,
`out_rate` over years that cut a step; all migrants of the step entering by the timing (`even`, then `end` from
2030). Variant `no-relocation`: `relocation = []`. Written from scenarios/README.md alone; expected.csv from numpy
(../outside4_reference.py, ../readme_reference.py's rc_shares), never calling cohortgis.
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
TIMING = {2020: "even", 2025: "even", 2030: "end"}
N = W // Z + 1
AGES = np.arange(N) * Z
ZONES = ("A", "B", "C")
path = lambda name: os.path.join(HERE, name)  # noqa: E731

SX, _ = rr.gompertz_lt_sx([2020], W, [])
rr.write_csv(path("Sx.csv"), ["sex", "age", "value"], [[s, int(AGES[i]), float(SX[(2020, s)][i])]
                                                        for s in rr.SEXES for i in range(N)])
P0 = {}
for j, zn in enumerate(ZONES):
    P0[(zn, "total", "female")] = (5000.0 + 2000 * j) * np.exp(-0.012 * AGES) / (1 + np.exp(0.1 * (AGES - 80.0)))
    P0[(zn, "total", "male")] = (5200.0 + 1500 * j) * np.exp(-0.015 * AGES) / (1 + np.exp(0.11 * (AGES - 76.0)))
rr.write_csv(path("base.csv"), ["zone", "sex", "age", "population"],
             [[zn, s, int(AGES[i]), float(P0[(zn, "total", s)][i])] for zn in ZONES for s in rr.SEXES
              for i in range(N)])
F = np.where((AGES >= 15) & (AGES < 50), 0.07 * np.exp(-0.5 * ((AGES - 28.0) / 7.0) ** 2), 0.0)
rr.write_csv(path("asfr.csv"), ["age", "value"], [[int(AGES[i]), float(F[i])] for i in range(3, 10)])
rr.write_csv(path("net_by_zone.csv"), ["zone", "persons_per_year"], [["A", -120.0], ["C", 200.0], ["C", 50.0]])

RC = dict(a1=0.01, alpha1=0.08, a2=0.07, alpha2=0.12, mu2=24.0, lambda2=0.3, c=0.002)
RC_SH = rr.rc_shares(Z, W, **RC)
UNI = np.full(N, 1.0 / N)
REL, REL_YEARS = 400.0, (2023, 2032)
OUTR, OUTR_YEARS = 0.01, (2026, 2028)
TOT0 = {zn: P0[(zn, "total", "female")].sum() + P0[(zn, "total", "male")].sum() for zn in ZONES}


def inside(t, yrs):
    return sum(1 for y in range(t + 1, t + Z + 1) if yrs[0] <= y <= yrs[1])


def project(relocation):
    P = {k: v.copy() for k, v in P0.items()}
    out = [(BASE, P)]
    for t in YEARS:
        M = {k: np.zeros(N) for k in P}
        if relocation:  # persons per year x years inside, spread as the origin's start population (both sexes)
            tot = P[("A", "total", "female")].sum() + P[("A", "total", "male")].sum()
            for s in rr.SEXES:
                X = REL * inside(t, REL_YEARS) * P[("A", "total", s)] / tot
                M[("A", "total", s)] -= X
                M[("B", "total", s)] += X
        for zn in ZONES:
            for s in rr.SEXES:
                k = (zn, "total", s)
                fs = 0.6 if s == "female" else 0.4
                M[k] += (1000.0 / 3.0) * inside(t, (2021, 2035)) * fs * UNI  # in, equal, uniform
                M[k] += 600.0 * TOT0[zn] / sum(TOT0.values()) * inside(t, (2021, 2035)) * 0.5 * UNI
                nz = {"A": -120.0, "B": 0.0, "C": 250.0}[zn]
                fr = 0.45 if s == "female" else 0.55
                M[k] += nz * inside(t, (2021, 2035)) * fr * RC_SH  # net, zones table, rogers-castro
                M[k] -= Z * OUTR * (inside(t, OUTR_YEARS) / Z) * P[k]  # out_rate
        S = {k: SX[(2020, k[2])] for k in P}
        P, _ = o4.step(P, S, {(zn, "total"): F for zn in ZONES}, {zn: 1.05 for zn in ZONES}, M, TIMING[t], Z,
                       policy="conserve")
        out.append((t + Z, P))
    return out


rr.write_expected(path("expected.csv"), {"baseline": project(True), "no-relocation": project(False)}, AGES)
