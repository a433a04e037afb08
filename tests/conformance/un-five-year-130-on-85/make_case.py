# SPDX-License-Identifier: Apache-2.0
"""ccmppWPP's 5x5 inputs in five-year groups to 130+ projected on a grid to 85+ (z = 5): the base population (in
thousands, as the UN publishes it) and the net migrant counts per period are summed into 85+, the life table's lt_nLx
rows 85 ... 130 give T85. Variant qx: the same life table reshaped from the UN's long layout into columns (qx as the
value, ax, mx), from which the engine rebuilds the person-years (L = 5 l(x+5) + a d; open row L = l / m).
expected.csv is computed independently: the folding is done here on the arrays and the step is ../ccmpp_reference.py
(docs/ccmpp.md Part A), never calling cohortgis.
Run: /usr/bin/python3 make_case.py
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import ccmpp_reference as ref  # noqa: E402

Z, W130, W, BASE, STEPS = 5, 130, 85, 2020, 2
A1 = np.arange(W130 + 1)  # single years 0..130
G130 = np.arange(0, W130 + 1, Z)  # five-year groups 0, 5, ..., 130+
J = len(G130)  # 27 groups
JW = W // Z  # index of 85+ on the grid
kan = lambda c, b: c * np.exp(b * A1) / (1.0 + c * np.exp(b * A1))  # noqa: E731


def fold(v):
    """85+ of a vector by five-year group 0..130+: the sum of the groups 85 ... 130+."""
    return np.concatenate([v[:JW], [v[JW:].sum()]])


def five_year_table(mx1, female):
    """A five-year life table 0, 5, ..., 130+ from a single-year one: 5L = the sum of the single-year L, the open
    row holds T130; 5q = 1 - l(x+5)/l(x), 5a = (5L - 5 l(x+5)) / 5d, 5m = 5d / 5L; open: q = 1, m = l / T, a = 1/m."""
    _, _, lx1, Lx1 = ref.single_year_table_from_mx(mx1, female)
    L = np.array([Lx1[x:x + Z].sum() for x in G130[:-1]] + [Lx1[W130]])
    lx = lx1[G130]
    q, a, m = np.empty(J), np.empty(J), np.empty(J)
    d = lx[:-1] - lx[1:]
    q[:-1] = d / lx[:-1]
    a[:-1] = (L[:-1] - Z * lx[1:]) / d
    m[:-1] = d / L[:-1]
    q[-1], m[-1] = 1.0, lx[-1] / L[-1]
    a[-1] = 1.0 / m[-1]
    return q, a, m, lx, L


lt_rows, qx_rows, wide_rows, S = [], [], [], {}
for k in range(STEPS):
    t = BASE + Z * k
    mx1 = {"female": (0.008 * np.exp(-1.5 * A1) + 1.5e-4 + kan(2.5e-5, 0.1)) * 0.9 ** k,
           "male": (0.010 * np.exp(-1.4 * A1) + 3.4e-4 + kan(5.8e-5, 0.092)) * 0.9 ** k}
    S[t] = {}
    for s in ("female", "male"):
        q, a, m, lx, L = five_year_table(mx1[s], s == "female")
        S[t][s] = ref.survival_from_Lx(fold(L), 100000.0, Z, "five_year")  # A1 with T85 in the open row
        for sex in ((s, "both") if s == "male" else (s,)):  # the UN's "both" rows (here a copy), not projected
            for ind, v in (("lt_nMx", m), ("lt_nqx", q), ("lt_nAx", a), ("lt_lx", lx), ("lt_nLx", L)):
                lt_rows += [[ind, t, Z, sex, int(x), 1000 if x == W130 else Z, float(v[j])] for j, x in enumerate(G130)]
        qx_rows += [[t, s, int(x), float(q[j]), float(a[j]), float(m[j])] for j, x in enumerate(G130)]
        wide_rows += [[t, s, int(x), float(m[j]), float(q[j]), float(a[j]), float(lx[j]), float(L[j])]
                      for j, x in enumerate(G130)]
ref.write_csv(os.path.join(HERE, "life_table_age_sex.csv"),
              ["indicator", "time_start", "time_span", "sex", "age_start", "age_span", "value"], lt_rows)
# The same table reshaped into columns for the qx form (one row per age: value = lt_nqx, ax = lt_nAx, mx = lt_nMx).
ref.write_csv(os.path.join(HERE, "life_table_qx_columns.csv"), ["time_start", "sex", "age_start", "value", "ax", "mx"],
              qx_rows)

# The whole table in columns named as the UN's indicators (the life_table form maps them to its roles).
ref.write_csv(os.path.join(HERE, "life_table_wide.csv"),
              ["time_start", "sex", "age_start", "lt_nMx", "lt_nqx", "lt_nAx", "lt_lx", "lt_nLx"], wide_rows)

# Base population in thousands by five-year group to 130+ (the published unit).
P130 = {"female": 3.6 * np.exp(-0.02 * G130) * np.minimum(1.0, np.exp(-0.5 * (G130 - 80.0) / Z)),
        "male": 3.7 * np.exp(-0.025 * G130) * np.minimum(1.0, np.exp(-0.6 * (G130 - 75.0) / Z))}
ref.write_csv(os.path.join(HERE, "pop_count_age_sex_base.csv"),
              ["time_start", "time_span", "sex", "age_start", "age_span", "value"],
              [[BASE, 0, s, int(x), 1000 if x == W130 else Z, float(P130[s][j])] for s in P130 for j, x in enumerate(G130)])

F = np.zeros(J)
F[3:10] = [0.01, 0.06, 0.11, 0.09, 0.05, 0.015, 0.002]  # 15-19 ... 45-49, births per woman per year
ref.write_csv(os.path.join(HERE, "fert_rate_age_f.csv"), ["time_start", "time_span", "age_start", "age_span", "value"],
              [[BASE, Z, int(x), 1000 if x == W130 else Z, float(F[j])] for j, x in enumerate(G130)])

# Net migrant counts per period (persons) by five-year group to 130+, non-zero past 85 in both directions.
M130 = {}
for k in range(STEPS):
    f = np.where((G130 >= 15) & (G130 <= 35), 60.0 - 20 * k, 0.0)
    m = np.where((G130 >= 15) & (G130 <= 35), -40.0, 0.0)
    f[G130 >= 85] = [3.0, 2.0, -1.0, 0.5, 0.25, 0.0, 0.0, 0.0, 0.0, -0.125]
    m[G130 >= 90] = -0.5
    M130[BASE + Z * k] = {"female": f, "male": m}
ref.write_csv(os.path.join(HERE, "mig_net_count_age_sex.csv"),
              ["time_start", "time_span", "sex", "age_start", "age_span", "value"],
              [[t, Z, s, int(x), 1000 if x == W130 else Z, float(M130[t][s][j])] for t in M130 for s in ("female", "male")
               for j, x in enumerate(G130)])
ref.write_csv(os.path.join(HERE, "srb.csv"), ["time_start", "time_span", "value"], [[BASE, Z, 1.06], [BASE + Z, Z, 1.05]])
SRB = {BASE: 1.06, BASE + Z: 1.05}

P = {s: fold(P130[s]) * 1000.0 for s in P130}
pop = {BASE: P}
for k in range(STEPS):
    t = BASE + Z * k
    M = {s: fold(M130[t][s]) for s in P}
    pop[t + Z] = ref.step(pop[t], S[t], F[:JW + 1], SRB[t], M, Z, "end")
ref.write_expected(os.path.join(HERE, "expected.csv"), {(v, y): p for v in ("baseline", "qx", "life_table") for y, p in pop.items()},
                   "X", "total", Z)
