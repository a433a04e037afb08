# SPDX-License-Identifier: Apache-2.0
"""5x5 on 85+, three periods 2020 -> 2035 from life tables of two time_starts (2020, 2025; the 2025 table holds for
2030), flow_policy = "wpp": mortality given only as the survivors lx of the UN's abridged table 0, 1, 5, …, 100+
(reshaped into columns: `value` = lt_lx on a radix of 1, `ax` = lt_nAx, `mx` = lt_nMx read at the open row only),
the rows from 85 on folded into T85 = the sum of their L, 1L0 + 4L1 = 5L0; net counts per step at the end.
Variant `qx`: the same table as lt_nqx with ax and the open mx, on the default radix.
Written from scenarios/README.md alone; expected.csv from numpy (../outside6_reference.py), never calling cohortgis.
Run: /usr/bin/python3 make_case.py   (mutant: make_case.py --mutant DIR, the open group survived by 5L85 / 5L80
instead of T85 / (5L80 + T85))
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import outside6_reference as o6  # noqa: E402

OUT, MUTANT = o6.out_dir(HERE, sys.argv)
Z, W, TOP, BASE = 5, 85, 100, 2020
TABLE_YEARS, STEPS = [2020, 2025], [2020, 2025, 2030]
N = W // Z + 1
AGES = np.arange(N) * Z
AB = np.array([0, 1] + list(range(5, TOP + 1, 5)), float)
WIDTH = np.diff(AB)

S, lx_rows, qx_rows = {}, [], []
for k, t in enumerate(TABLE_YEARS):
    for s, (inf, g) in (("female", (0.008, 1.0)), ("male", (0.011, 1.35))):
        m = g * (1 - 0.12 * k) * (2.0e-4 + 2.5e-5 * np.exp(0.095 * AB)) + inf * (AB == 0) + 0.0006 * (AB == 1)
        ax = np.where(AB == 0, 0.09 + 0.01 * k, np.where(AB == 1, 1.55, 2.5 - 0.01 * (AB - 50) * (AB > 50)))
        ax = np.append(ax[:-1], 1 / m[-1])
        q = WIDTH * m[:-1] / (1 + (WIDTH - ax[:-1]) * m[:-1])
        l = np.concatenate([[1.0], np.cumprod(1 - q)])
        L = o6.table_from_lx(AB, l, ax, m[-1])
        g_L = o6.grid_L(AB, L, Z, W)
        S[(t, s)] = o6.ratios(g_L, 1.0, Z)
        if MUTANT:
            S[(t, s)][-1] = L[list(AB).index(W)] / g_L[-2]
        for j, a in enumerate(AB):
            mx = float(m[j]) if a == TOP else 0.0
            lx_rows.append([t, s, int(a), float(l[j]), float(ax[j]) if a < TOP else 0.0, mx])
            qx_rows.append([t, s, int(a), float(q[j]) if a < TOP else 1.0, float(ax[j]) if a < TOP else 0.0, mx])
o6.write_csv(os.path.join(OUT, "life_table_lx_columns.csv"), ["time_start", "sex", "age_start", "value", "ax", "mx"],
             lx_rows)
o6.write_csv(os.path.join(OUT, "life_table_qx_columns.csv"), ["time_start", "sex", "age_start", "value", "ax", "mx"],
             qx_rows)

P0 = {"female": 2400.0 * np.exp(-0.01 * AGES) / (1 + np.exp(0.12 * (AGES - 75.0))),
      "male": 2500.0 * np.exp(-0.012 * AGES) / (1 + np.exp(0.12 * (AGES - 71.0)))}
o6.write_csv(os.path.join(OUT, "pop_count_age_sex_base.csv"), ["sex", "age_start", "value"],
             [[s, int(a), float(P0[s][i])] for s in o6.SEXES for i, a in enumerate(AGES)])
F = np.zeros(N)
F[3:10] = np.array([0.01, 0.06, 0.1, 0.09, 0.045, 0.012, 0.001])
o6.write_csv(os.path.join(OUT, "fert_rate_age_f.csv"), ["age_start", "value"],
             [[int(AGES[i]), float(F[i])] for i in range(3, 10)])
NET = {}
for k, t in enumerate(STEPS):
    for s in o6.SEXES:
        c = np.zeros(N)
        c[4:7] = 60.0 - 25 * k
        c[12:14] = -15.0
        c[W // Z] = -4.0
        NET[(t, s)] = c
o6.write_csv(os.path.join(OUT, "mig_net_count_age_sex.csv"), ["time_start", "sex", "age_start", "value"],
             [[t, s, int(AGES[i]), float(NET[(t, s)][i])] for t in STEPS for s in o6.SEXES for i in range(N)])

rows = []
for variant in ("baseline", "qx"):
    P = {s: P0[s].copy() for s in o6.SEXES}
    rows += o6.expected_rows(variant, BASE, "X", "total", P, AGES)
    for t in STEPS:
        ty = max(y for y in TABLE_YEARS if y <= t)
        P = o6.project(P, {s: S[(ty, s)] for s in o6.SEXES}, F, 1.05, {s: NET[(t, s)] for s in o6.SEXES}, Z, "end")
        rows += o6.expected_rows(variant, t + Z, "X", "total", P, AGES)
o6.write_expected(os.path.join(OUT, "expected.csv"), rows)
o6.finish_mutant(HERE, OUT, MUTANT)
