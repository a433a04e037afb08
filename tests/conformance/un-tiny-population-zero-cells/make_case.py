# SPDX-License-Identifier: Apache-2.0
"""A very small population (a small island's, in thousands as the UN computes: hundredths of a thousand per cell,
many cells 0), 1x1 on 100+, six annual steps, flow_policy = "wpp": the override on every empty cell (with and
without migrants), net counts and rates that empty cells (the override under `even`, the floor under `end`), births
from a few women. Written from scenarios/README.md alone; expected.csv from numpy (../outside5_reference.py), never
calling cohortgis.
Run: /usr/bin/python3 make_case.py   (mutant: make_case.py --mutant DIR, the floor 0.0005 taken as 0)
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import outside5_reference as o5  # noqa: E402

OUT, MUTANT = o5.out_dir(HERE, sys.argv)
if MUTANT:
    o5.FLOOR = 0.0
Z, W, BASE, HORIZON = 1, 100, 2020, 2026
N = W // Z + 1
AGES = np.arange(N)
TIMING = {2020: "end", 2021: "even", 2022: "end", 2023: "even", 2024: "end", 2025: "even"}

S, lx_rows = {}, []
for s, (a, d) in (("female", (0.01, 3e-5)), ("male", (0.014, 5e-5))):
    l, L1 = o5.gm_single_L(W, 100000.0, a=a, d=d)
    S[s] = o5.survival_from_L(L1, 100000.0, Z)
    lx_rows += [[s, int(i), float(L1[i])] for i in range(N)]
o5.write_csv(os.path.join(OUT, "lt_nLx.csv"), ["sex", "age_start", "value"], lx_rows)

rng = np.random.default_rng(20)
P0 = {}
for s in o5.SEXES:
    p = np.round(rng.uniform(0.0, 0.02, N) * np.exp(-0.02 * AGES), 5)  # thousands, five decimals
    p[rng.random(N) < 0.3] = 0.0  # empty cells
    p[96:] = 0.0
    P0[s] = p
o5.write_csv(os.path.join(OUT, "pop_count_age_sex_base.csv"), ["sex", "age_start", "value"],
             [[s, int(i), float(P0[s][i])] for s in o5.SEXES for i in range(N)])
o5.write_csv(os.path.join(OUT, "srb.csv"), ["value"], [[1.03]])
pat = np.where((AGES >= 15) & (AGES < 50), np.exp(-0.5 * ((AGES - 27.0) / 6.0) ** 2), 0.0)
F = 2.6 * pat / pat.sum()
o5.write_csv(os.path.join(OUT, "fert_rate_age_f.csv"), ["age_start", "value"],
             [[int(i), float(F[i])] for i in range(15, 50)])
NET, RATE = {}, {}
for s in o5.SEXES:
    c = np.zeros(N)
    c[18:25] = -0.004  # young adults leave: more than some cells hold
    c[30] = 0.003
    NET[s] = c
    r = np.zeros(N)
    r[40:45] = -1.0  # everyone leaves: P + M = 0, the override
    r[70] = -0.6
    RATE[s] = r
o5.write_csv(os.path.join(OUT, "mig_net_count_age_sex.csv"), ["sex", "age_start", "value"],
             [[s, int(i), float(NET[s][i])] for s in o5.SEXES for i in range(N) if NET[s][i]])
o5.write_csv(os.path.join(OUT, "mig_net_rate_age_sex.csv"), ["sex", "age_start", "value"],
             [[s, int(i), float(RATE[s][i])] for s in o5.SEXES for i in range(N)])

rows = []
P = {s: P0[s].copy() for s in o5.SEXES}
rows += o5.expected_rows("baseline", BASE, "X", "total", P, AGES)
for t in range(BASE, HORIZON):
    M = {s: NET[s] + RATE[s] * P[s] for s in o5.SEXES}
    P = o5.wpp_step(P, S, F, 1.03, M, Z, TIMING[t])
    rows += o5.expected_rows("baseline", t + Z, "X", "total", P, AGES)
o5.write_expected(os.path.join(OUT, "expected.csv"), rows)
o5.finish_mutant(HERE, OUT, MUTANT)
