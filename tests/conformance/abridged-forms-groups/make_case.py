# SPDX-License-Identifier: Apache-2.0
"""Five-year grid, two population groups with their own abridged life tables and fertility: one life table per
group and sex given as qx (baseline) and as lx, Lx, Sx and a life table with Lx and lx columns (variants), all
giving the same projection. Writes the tables and expected.csv, computed independently by ../ccmpp_reference.py
(docs/ccmpp.md Part A in numpy; no cohortgis). Without transitions each group is its own Part A population.
Run: /usr/bin/python3 make_case.py
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import ccmpp_reference as ref  # noqa: E402

W5, BASE, HORIZON = 17, 2020, 2035  # 85+, three five-year steps
GROUPS, SEXES = ("registered", "floating"), ("female", "male")
AGES_LT = [0, 1] + [5 * i for i in range(1, W5 + 1)]  # abridged rows 0, 1, 5, ..., 85
N = np.array([1.0, 4.0] + [5.0] * (W5 - 1) + [0.0])  # widths (0: the open row)


def table(g, s):
    """An abridged table from Gompertz-Makeham rates: ax = 0.1 (age 0), 1.6 (1-4), 2.5 above, radix 100000."""
    k = (1.0 if g == "registered" else 1.4) * (1.0 if s == "female" else 1.3)
    x = np.array(AGES_LT, dtype=float)
    m = k * (2e-4 + 4e-5 * np.exp(0.095 * (x + N / 2)))
    m[0] += k * 0.006
    ax = N / 2
    ax[0], ax[1], ax[-1] = 0.1, 1.6, 1 / m[-1]
    q = np.ones(len(m))  # the open row: q = 1
    q[:-1] = N[:-1] * m[:-1] / (1 + (N[:-1] - ax[:-1]) * m[:-1])
    lx = np.empty(len(q))
    lx[0] = 100000.0
    for i in range(len(q) - 1):
        lx[i + 1] = lx[i] * (1.0 - q[i])
    L = np.empty(len(q))
    for i in range(len(q) - 1):  # L = n l(x+n) + a d, as a life table given by qx or lx is completed
        L[i] = N[i] * lx[i + 1] + ax[i] * (lx[i] - lx[i + 1])
    L[-1] = lx[-1] / m[-1]
    return m, ax, q, lx, L


T = {(g, s): table(g, s) for g in GROUPS for s in SEXES}
S = {(g, s): ref.survival_from_Lx(T[(g, s)][4], 100000.0, 5, "abridged") for g in GROUPS for s in SEXES}
rows = lambda f: [[g, s, a] + f(g, s, i) for g in GROUPS for s in SEXES for i, a in enumerate(AGES_LT)]  # noqa
open_mx = lambda g, s, i: float(T[(g, s)][0][i]) if i == W5 + 1 else ""  # noqa: E731
close_ax = lambda g, s, i: float(T[(g, s)][1][i]) if i <= W5 else ""  # noqa: E731
ref.write_csv(os.path.join(HERE, "qx.csv"), ["group", "sex", "age", "value", "ax", "mx"],
              rows(lambda g, s, i: [float(T[(g, s)][2][i]), close_ax(g, s, i), open_mx(g, s, i)]))
ref.write_csv(os.path.join(HERE, "lx.csv"), ["group", "sex", "age", "value", "ax", "mx"],
              rows(lambda g, s, i: [float(T[(g, s)][3][i]), close_ax(g, s, i), open_mx(g, s, i)]))
ref.write_csv(os.path.join(HERE, "Lx.csv"), ["group", "sex", "age", "value"],
              rows(lambda g, s, i: [float(T[(g, s)][4][i])]))
ref.write_csv(os.path.join(HERE, "Sx.csv"), ["group", "sex", "age", "value"],
              [[g, s, 5 * i, float(S[(g, s)][i])] for g in GROUPS for s in SEXES for i in range(W5 + 1)])
ref.write_csv(os.path.join(HERE, "life_table.csv"), ["group", "sex", "age", "mx", "qx", "lx", "Lx"],
              rows(lambda g, s, i: [float(T[(g, s)][k][i]) for k in (0, 2, 3, 4)]))

idx = np.arange(W5 + 1)
F = {"registered": np.where((idx >= 3) & (idx <= 9), [0, 0, 0, .01, .05, .08, .06, .025, .006, .001] + [0] * 8, 0.0),
     "floating": np.where((idx >= 3) & (idx <= 9), [0, 0, 0, .03, .09, .1, .06, .02, .004, .0005] + [0] * 8, 0.0)}
ref.write_csv(os.path.join(HERE, "asfr.csv"), ["group", "age", "value"],
              [[g, 5 * i, float(F[g][i])] for g in GROUPS for i in range(2, 11)])
P0 = {(g, s): (60000.0 if g == "registered" else 25000.0) * np.exp(-0.03 * idx) * (1.0 if s == "female" else 1.04)
      for g in GROUPS for s in SEXES}
for s in SEXES:
    P0[("floating", s)][4:9] *= 3.0  # a floating population of young adults
ref.write_csv(os.path.join(HERE, "base_population.csv"), ["zone", "group", "sex", "age", "population"],
              [["Z", g, s, 5 * i, float(P0[(g, s)][i])] for g in GROUPS for s in SEXES for i in range(W5 + 1)])
# Net migration of the floating group, 10k persons (万人) per year, signed.
Mf = np.zeros(W5 + 1)
Mf[3:7] = [0.3, 0.5, 0.2, -0.1]
Mf[7:13] = -0.12
ref.write_csv(os.path.join(HERE, "net_migration.csv"), ["group", "sex", "age", "value"],
              [["floating", s, 5 * i, float(Mf[i] * (1.0 if s == "female" else 1.2))] for s in SEXES
               for i in range(W5 + 1) if Mf[i]])

expected = {}
for g in GROUPS:
    pop = {s: P0[(g, s)] for s in SEXES}
    M = {s: (5 * 10000.0 * Mf * (1.0 if s == "female" else 1.2)) if g == "floating" else np.zeros(W5 + 1)
         for s in SEXES}
    pops = {BASE: pop}
    for y in range(BASE, HORIZON, 5):
        pop = ref.step(pop, {s: S[(g, s)] for s in SEXES}, F[g], 1.07, M, 5, "even")
        pops[y + 5] = pop
    expected[g] = pops
rows_out = []
for v in ("baseline", "lx", "Lx", "Sx", "life_table"):
    for y in range(BASE, HORIZON + 1, 5):
        for g in GROUPS:
            for s in SEXES:
                rows_out += [[v, y, "Z", g, s, 5 * i, float(p)] for i, p in enumerate(expected[g][y][s])]
ref.write_csv(os.path.join(HERE, "expected.csv"), ["variant", "year", "zone", "group", "sex", "age", "population"],
              rows_out)
