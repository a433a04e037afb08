# SPDX-License-Identifier: Apache-2.0
"""The UN's abridged lt_nMx (rows 0, 1, 5, …, 100+) feeding a single-year projection to 100+: the engine graduates
the abridged rates to single years (scenarios/README.md "Life tables built from mx": the abridged table, ln l(x)
through a Hyman-filtered natural-spline Hermite cubic, m = q / (1 - q/2)) and builds single-year life tables from
them. Two abridged tables by time_start (2020 held for 2021, then 2022), three annual steps, signed counts per step
with "even", one count that empties a cell (override), a base cell of 0.
expected.csv is computed by ../abridged_reference.py (the life tables, from the README) and ../ccmpp_reference.py
(docs/ccmpp.md Part A), never calling cohortgis. Run: /usr/bin/python3 make_case.py
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import abridged_reference as ab  # noqa: E402
import ccmpp_reference as ref  # noqa: E402

W, BASE, STEPS = 100, 2020, 3
AGES = np.arange(W + 1)
XA = ab.abridged_ages(22)  # 0, 1, 5, …, 100
mid = np.array([0.5, 3.0] + [x + 2.5 for x in XA[2:-1]] + [103.0])


def abridged_mx(female, level):
    c, b, base = (2.2e-5, 0.098, 1.6e-4) if female else (4.5e-5, 0.092, 3.4e-4)
    m = base + c * np.exp(b * mid) / (1.0 + 0.8 * c * np.exp(b * mid))
    m[0], m[1] = (0.0058, 0.00036) if female else (0.0069, 0.00044)
    return level * m


MX = {(t, s): abridged_mx(s == "female", lev) for t, lev in ((2020, 1.0), (2022, 0.96)) for s in ("female", "male")}
span = lambda x: 1000 if x == W else (1 if x == 0 else (4 if x == 1 else 5))  # noqa: E731
rows = []
for (t, s), m in MX.items():
    for sx in ([s, "both"] if s == "female" else [s]):  # the UN's "both" table, left out by the filter
        rows += [["lt_nMx", t, 1, sx, int(x), span(x), float(v)] for x, v in zip(XA, m)]
ref.write_csv(os.path.join(HERE, "life_table_age_sex.csv"),
              ["indicator", "time_start", "time_span", "sex", "age_start", "age_span", "value"], rows)

P = {"female": 9000.0 * np.exp(-0.005 * AGES) * np.minimum(1.0, np.exp(-0.11 * (AGES - 78.0))),
     "male": 9400.0 * np.exp(-0.007 * AGES) * np.minimum(1.0, np.exp(-0.13 * (AGES - 75.0)))}
P["male"][99] = 0.0  # a cell of 0: the override gives it 0.00001 when no migrant arrives
ref.write_csv(os.path.join(HERE, "pop_count_age_sex_base.csv"),
              ["time_start", "time_span", "sex", "age_start", "age_span", "value"],
              [[BASE, 0, s, int(x), 1000 if x == W else 1, float(P[s][x])] for s in P for x in AGES])
F = np.zeros(W + 1)
F[15:50] = np.exp(-0.5 * ((np.arange(15, 50) - 29.0) / 6.0) ** 2)
F *= 1.55 / F.sum()
ref.write_csv(os.path.join(HERE, "fert_rate_age_f.csv"), ["time_start", "time_span", "age_start", "age_span", "value"],
              [[BASE, 1, int(a), 1000 if a == W else 1, float(F[a])] for a in AGES])
ref.write_csv(os.path.join(HERE, "srb.csv"), ["time_start", "time_span", "value"], [[BASE, 1, 1.06]])
M = {"female": np.where((AGES >= 18) & (AGES <= 40), 25.0, 0.0), "male": np.where((AGES >= 18) & (AGES <= 40), -15.0, 0.0)}
M["female"][90] = -1.0e5  # empties the cell: the override keeps 0.00001
ref.write_csv(os.path.join(HERE, "mig_net_count_age_sex.csv"),
              ["time_start", "time_span", "sex", "age_start", "age_span", "value"],
              [[BASE, 1, s, int(x), 1000 if x == W else 1, float(M[s][x])] for s in M for x in AGES])

pops = {BASE: P}
for k in range(STEPS):
    t = BASE + k
    tab = 2022 if t >= 2022 else 2020  # between = "hold": the largest given time_start <= t
    S = {}
    for s in ("female", "male"):
        m1 = ab.graduate_to_single(MX[(tab, s)], s == "female", W)
        _, _, lx, Lx = ref.single_year_table_from_mx(m1, s == "female")
        S[s] = ref.survival_from_Lx(Lx, lx[0], 1)
    pops[t + 1] = ref.step(pops[t], S, F, 1.06, M, 1, "even")
ref.write_expected(os.path.join(HERE, "expected.csv"), {("baseline", y): p for y, p in pops.items()}, "X", "total", 1)
