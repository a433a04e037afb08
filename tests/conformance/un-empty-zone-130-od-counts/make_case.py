# SPDX-License-Identifier: Apache-2.0
"""Two zones, 1x1 on the UN's 130+, three annual steps 2020 -> 2023, `flow_policy = "wpp"`: zone E has no one in the
base (one row of 0: every cell 0) and is filled only by `od.counts` from zone A (young adults, per year), so every other
cell of E gets the override's 0.00001 in every step (P + M = 0), the migrant women (half at the start with `even`)
bear children in E, and the 0.00001s age through the open group; `lt_nMx` to 130 with `open_ax = 0.5` (L130 = l130 /
2). Written from scenarios/README.md alone; expected.csv from numpy (../outside4_reference.py,
../readme_reference.py's single-year life table), never calling cohortgis. Run: /usr/bin/python3 make_case.py
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import outside4_reference as o4  # noqa: E402
import readme_reference as rr  # noqa: E402

Z, W, BASE, YEARS = 1, 130, 2020, [2020, 2021, 2022]
N = W + 1
AGES = np.arange(N)
path = lambda name: os.path.join(HERE, name)  # noqa: E731
HDR = ["time_start", "time_span", "sex", "age_start", "age_span", "value"]

SX, rows = {}, []
for s, (c0, c1, c2, c3) in (("female", (0.01, 1.5e-4, 3e-5, 0.1)), ("male", (0.013, 3e-4, 6e-5, 0.095))):
    mx = np.minimum(c0 * np.exp(-1.2 * AGES) + c1 + c2 * np.exp(c3 * AGES), 1.9)
    rows += [["lt_nMx", 2020, 1, s, a, 1000 if a == W else 1, float(mx[a])] for a in AGES]
    closed = mx.copy()
    closed[W] = 1.0 / 0.5  # open_ax = 0.5: the open group's rate 2, L130 = l130 / 2
    SX[s] = rr.survival_single(rr.single_table(closed, s == "female")[2])
rr.write_csv(path("life_table_age_sex.csv"), ["indicator"] + HDR, rows)
P0 = {("A", "total", s): (900.0 + 40 * (s == "male")) * np.exp(-0.02 * AGES) + 1e-3 for s in rr.SEXES}
rr.write_csv(path("pop_count_age_sex_base.csv"), ["zone"] + HDR,
             [["A", BASE, 1, s, a, 1000 if a == W else 1, float(P0[("A", "total", s)][a])] for s in rr.SEXES
              for a in AGES] + [["E", BASE, 1, "female", W, 1000, 0.0]])  # an empty zone needs a row (of 0)
for s in rr.SEXES:
    P0[("E", "total", s)] = np.zeros(N)
F = np.where((AGES >= 15) & (AGES < 50), 0.08 * np.exp(-0.5 * ((AGES - 27.0) / 6.0) ** 2), 0.0)
rr.write_csv(path("fert_rate_age_f.csv"), ["time_start", "time_span", "age_start", "age_span", "value"],
             [[BASE, 1, a, 1, float(F[a])] for a in range(10, 55)])
COUNTS = {s: np.where((AGES >= 20) & (AGES < 35), 30.0 + 5.0 * (s == "male"), 0.0) for s in rr.SEXES}
rr.write_csv(path("od_counts.csv"), ["origin", "destination", "sex", "age", "value"],
             [["A", "E", s, a, float(COUNTS[s][a])] for s in rr.SEXES for a in AGES if COUNTS[s][a]])


def project(timing):
    P = {k: v.copy() for k, v in P0.items()}
    out = [(BASE, P)]
    for _ in YEARS:
        M = {}
        for s in rr.SEXES:
            M[("A", "total", s)] = -Z * COUNTS[s]
            M[("E", "total", s)] = Z * COUNTS[s]
        S = {k: SX[k[2]] for k in P}
        P, _ = o4.step(P, S, {(zn, "total"): F for zn in "AE"}, {"A": 1.05, "E": 1.05}, M, timing, Z, policy="wpp")
        out.append((out[-1][0] + Z, P))
    return out


rr.write_expected(path("expected.csv"), {"baseline": project("even"), "end": project("end")}, AGES)
