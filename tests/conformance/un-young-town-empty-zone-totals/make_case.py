# SPDX-License-Identifier: Apache-2.0
"""Two zones, 1x1 on 100+, three annual steps 2020 -> 2023, flow_policy = "wpp": a young town X whose base rows stop
at 59 with a row of 0 at the open age 100 (ages 60 … 100 empty; README "Rows past the open age": "if no one is
older, add a row of 0 at the open age"), given net totals (mig_type "totals", spread as its start population, so its
empty cells get no share and the override's 0.00001); an empty zone E (one row of 0) filled by net counts by age
(the UN's `mig_net_count_age_sex` with a zone column), every other cell of E overridden. Timing even, end, even.
Written from scenarios/README.md alone; expected.csv from numpy (../outside6_reference.py), never calling cohortgis.
Run: /usr/bin/python3 make_case.py   (mutant: make_case.py --mutant DIR, the totals spread over the women only)
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import outside5_reference as o5  # noqa: E402  (synthetic life tables only)
import outside6_reference as o6  # noqa: E402

OUT, MUTANT = o6.out_dir(HERE, sys.argv)
Z, W, BASE = 1, 100, 2020
STEPS = [2020, 2021, 2022]
TIMING = {2020: "even", 2021: "end", 2022: "even"}
N = W + 1
AGES = np.arange(N)

S, lt = {}, []
for s, (a, d) in (("female", (0.006, 1.5e-5)), ("male", (0.008, 2.8e-5))):
    l, L = o5.gm_single_L(W, 100000.0, a=a, d=d)
    S[s] = o6.ratios(L, 100000.0, Z)
    lt += [[s, int(x), float(L[x])] for x in AGES]
o6.write_csv(os.path.join(OUT, "lt_nLx.csv"), ["sex", "age_start", "value"], lt)

P0 = {}
for s, lev in (("female", 210.0), ("male", 230.0)):
    p = np.zeros(N)
    p[:60] = lev * np.exp(-0.5 * ((AGES[:60] - 30.0) / 14.0) ** 2)
    P0[("X", s)] = p
    P0[("E", s)] = np.zeros(N)
base = [["X", s, int(a), float(P0[("X", s)][a])] for s in o6.SEXES for a in range(60)]
base += [["X", "female", 100, 0.0], ["X", "male", 100, 0.0], ["E", "female", 0, 0.0]]
o6.write_csv(os.path.join(OUT, "pop_count_age_sex_base.csv"), ["zone", "sex", "age_start", "value"], base)

F = np.zeros(N)
x = np.arange(15, 50)
F[15:50] = 1.9 * np.exp(-0.5 * ((x - 28.0) / 5.5) ** 2) / np.exp(-0.5 * ((x - 28.0) / 5.5) ** 2).sum()
o6.write_csv(os.path.join(OUT, "fert_rate_age_f.csv"), ["age_start", "value"], [[int(a), float(F[a])] for a in x])
TOT = {2020: 850.0, 2021: -120.0, 2022: 400.0}
o6.write_csv(os.path.join(OUT, "mig_net_count_tot_b.csv"), ["zone", "time_start", "sex", "value"],
             [["X", t, "both", TOT[t]] for t in STEPS])
CNT = {}
for k, t in enumerate(STEPS):
    for s in o6.SEXES:
        c = np.zeros(N)
        c[20:40] = (6.0 if s == "female" else 7.5) - k
        c[0:5] = 1.0
        CNT[(t, s)] = c
o6.write_csv(os.path.join(OUT, "mig_net_count_age_sex.csv"), ["zone", "time_start", "sex", "age_start", "value"],
             [["E", t, s, int(a), float(CNT[(t, s)][a])] for t in STEPS for s in o6.SEXES for a in AGES
              if CNT[(t, s)][a] != 0])

rows = []
P = {z: {s: P0[(z, s)].copy() for s in o6.SEXES} for z in ("X", "E")}
for z in ("X", "E"):
    rows += o6.expected_rows("baseline", BASE, z, "total", P[z], AGES)
for t in STEPS:
    tot = sum(P["X"][s].sum() for s in (("female",) if MUTANT else o6.SEXES))
    MX = {s: TOT[t] * P["X"][s] / tot for s in o6.SEXES}
    ME = {s: CNT[(t, s)] for s in o6.SEXES}
    P["X"] = o6.project(P["X"], S, F, 1.05, MX, Z, TIMING[t])
    P["E"] = o6.project(P["E"], S, F, 1.05, ME, Z, TIMING[t])
    for z in ("X", "E"):
        rows += o6.expected_rows("baseline", t + Z, z, "total", P[z], AGES)
o6.write_expected(os.path.join(OUT, "expected.csv"), rows)
o6.finish_mutant(HERE, OUT, MUTANT)
