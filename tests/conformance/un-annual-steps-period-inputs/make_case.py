# SPDX-License-Identifier: Apache-2.0
"""1x1 on 90+, ten annual steps 2020 -> 2030, flow_policy = "wpp", every schedule given by five-year `period`
("2021-2025", "2026-2030": the UN's periods time_start 2020 and 2025) and read by annual steps: single-year Sx,
ASFR per 1000, SRB per female, net counts per year and in-migrants in thousands per year; `timing` changing at 2023
(end) and 2027 (even). Written from scenarios/README.md alone; expected.csv from numpy (../outside5_reference.py),
never calling cohortgis.
Run: /usr/bin/python3 make_case.py   (mutant: make_case.py --mutant DIR, the periods shifted a year: the step from
2025 reads the second period)
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import outside5_reference as o5  # noqa: E402

OUT, MUTANT = o5.out_dir(HERE, sys.argv)
Z, W, BASE, HORIZON = 1, 90, 2020, 2030
N = W // Z + 1
AGES = np.arange(N)
PERIODS = {"2021-2025": 0, "2026-2030": 1}
TIMING = {2020: "even", 2023: "end", 2027: "even"}


def period_of(t):  # the step t -> t+1 covers the calendar year t+1
    if MUTANT:
        return 0 if t + 1 < 2025 else 1
    return 0 if t + 1 <= 2025 else 1


def timing_of(t):
    return TIMING[max(y for y in TIMING if y <= t)]


S, sx_rows = {}, []
for p, (name, k) in enumerate(PERIODS.items()):
    for s, (a, d) in (("female", (0.015, 2e-5)), ("male", (0.02, 3.6e-5))):
        l, L1 = o5.gm_single_L(110, 100000.0, a=a * (1 - 0.2 * k), d=d * (1 - 0.1 * k))
        Lg = o5.fold_L(np.arange(111), L1, Z, W)
        S[(k, s)] = o5.survival_from_L(Lg, 100000.0, Z)
        sx_rows += [[name, s, int(i), float(S[(k, s)][i])] for i in range(N)]
o5.write_csv(os.path.join(OUT, "sx.csv"), ["period", "sex", "age", "value"], sx_rows)

ASFR, SRB, NET, IN = {}, {0: 1.055, 1: 1.07}, {}, {}
for name, k in PERIODS.items():
    pat = np.where((AGES >= 15) & (AGES < 50), np.exp(-0.5 * ((AGES - 29.0 + k) / 6.0) ** 2), 0.0)
    ASFR[k] = np.round(1000 * (1.3 + 0.25 * k) * pat / pat.sum(), 6)
    for s in o5.SEXES:
        c = np.zeros(N)
        c[18:35] = (150.0 - 260 * k) * (1.0 if s == "female" else 0.9)
        c[60] = -4000.0  # more than the cell: the override in every step
        NET[(k, s)] = c
        IN[(k, s)] = np.where((AGES >= 20) & (AGES < 30), 0.05 * (1 + k), 0.0)  # thousands per year
o5.write_csv(os.path.join(OUT, "asfr.csv"), ["period", "age", "value"],
             [[name, int(i), float(ASFR[k][i])] for name, k in PERIODS.items() for i in range(15, 50)])
o5.write_csv(os.path.join(OUT, "srb.csv"), ["period", "value"], [[name, SRB[k]] for name, k in PERIODS.items()])
o5.write_csv(os.path.join(OUT, "net.csv"), ["period", "sex", "age", "value"],
             [[name, s, int(i), float(NET[(k, s)][i])] for name, k in PERIODS.items() for s in o5.SEXES for i in range(N)
              if NET[(k, s)][i]])
o5.write_csv(os.path.join(OUT, "in.csv"), ["period", "sex", "age", "value"],
             [[name, s, int(i), float(IN[(k, s)][i])] for name, k in PERIODS.items() for s in o5.SEXES for i in range(N)
              if IN[(k, s)][i]])

P0 = {"female": 1500.0 * np.exp(-0.004 * AGES) / (1 + np.exp(0.1 * (AGES - 82.0))),
      "male": 1520.0 * np.exp(-0.006 * AGES) / (1 + np.exp(0.1 * (AGES - 78.0)))}
o5.write_csv(os.path.join(OUT, "base.csv"), ["sex", "age", "population"],
             [[s, int(i), float(P0[s][i])] for s in o5.SEXES for i in range(N)])

rows = []
P = {s: P0[s].copy() for s in o5.SEXES}
rows += o5.expected_rows("baseline", BASE, "X", "total", P, AGES)
for t in range(BASE, HORIZON):
    k = period_of(t)
    M = {s: NET[(k, s)] + 1000.0 * IN[(k, s)] for s in o5.SEXES}
    P = o5.wpp_step(P, {s: S[(k, s)] for s in o5.SEXES}, ASFR[k] / 1000.0, SRB[k], M, Z, timing_of(t))
    rows += o5.expected_rows("baseline", t + Z, "X", "total", P, AGES)
o5.write_expected(os.path.join(OUT, "expected.csv"), rows)
o5.finish_mutant(HERE, OUT, MUTANT)
