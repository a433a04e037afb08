# SPDX-License-Identifier: Apache-2.0
"""ccmppWPP's 5x5 projection (z = 5) on its own five-year grid to 100+, with the UN's survival ratios lt_Sx given as
they are (row 0 = 5L0 / (5 l0) for the births, row x = 5Lx / 5L(x-5), row 100 = T100 / T95) and net migration as rates
per period by age and sex (mig_type "rates": M = r * P at the start of the period), "even" then "end".
expected.csv is computed independently by ../ccmpp_reference.py (docs/ccmpp.md Part A), never calling cohortgis.
Run: /usr/bin/python3 make_case.py
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import ccmpp_reference as ref  # noqa: E402

Z, W, BASE, STEPS = 5, 100, 2020, 2
A1 = np.arange(131)
G = np.arange(0, W + 1, Z)  # 0, 5, ..., 100+
kan = lambda c, b: c * np.exp(b * A1) / (1.0 + c * np.exp(b * A1))  # noqa: E731

lt_rows, S = [], {}
for k in range(STEPS):
    t = BASE + Z * k
    S[t] = {}
    for s, (c0, c1, c2, c3) in (("female", (0.008, 1.5e-4, 2.5e-5, 0.1)), ("male", (0.010, 3.4e-4, 5.8e-5, 0.092))):
        mx1 = (c0 * np.exp(-1.5 * A1) + c1 + kan(c2, c3)) * 0.92 ** k
        _, _, lx1, Lx1 = ref.single_year_table_from_mx(mx1, s == "female")
        L = np.array([Lx1[x:x + Z].sum() for x in G[:-1]] + [Lx1[W:].sum()])  # five-year groups, T100 in the open row
        S[t][s] = ref.survival_from_Lx(L, 100000.0, Z, "five_year")
        for sex in ((s, "both") if s == "male" else (s,)):  # the UN's "both" rows (a copy here), not projected
            for ind, v in (("lt_nLx", L), ("lt_Sx", S[t][s])):
                lt_rows += [[ind, t, Z, sex, int(x), 1000 if x == W else Z, float(v[j])] for j, x in enumerate(G)]
ref.write_csv(os.path.join(HERE, "life_table_age_sex.csv"),
              ["indicator", "time_start", "time_span", "sex", "age_start", "age_span", "value"], lt_rows)

P = {"female": 52000.0 * np.exp(-0.018 * G) * np.minimum(1.0, np.exp(-0.45 * (G - 75.0) / Z)),
     "male": 54000.0 * np.exp(-0.022 * G) * np.minimum(1.0, np.exp(-0.55 * (G - 70.0) / Z))}
ref.write_csv(os.path.join(HERE, "pop_count_age_sex_base.csv"),
              ["time_start", "time_span", "sex", "age_start", "age_span", "value"],
              [[BASE, 0, s, int(x), 1000 if x == W else Z, float(P[s][j])] for s in P for j, x in enumerate(G)])

F = np.zeros(len(G))
F[3:10] = [0.02, 0.08, 0.12, 0.085, 0.04, 0.01, 0.001]
ref.write_csv(os.path.join(HERE, "fert_rate_age_f.csv"), ["time_start", "time_span", "age_start", "age_span", "value"],
              [[BASE, Z, int(x), 1000 if x == W else Z, float(F[j])] for j, x in enumerate(G)])
ref.write_csv(os.path.join(HERE, "srb.csv"), ["time_start", "time_span", "value"], [[BASE, Z, 1.05]])

# Net rates per period (r over the whole five years) by time_start; one rate of -1 empties a cell (WPP override).
R = {}
for k in range(STEPS):
    f = np.where((G >= 15) & (G <= 35), 0.03 - 0.01 * k, -0.004)
    m = np.where((G >= 15) & (G <= 35), -0.02, 0.002)
    m[G == 95] = -1.0
    R[BASE + Z * k] = {"female": f, "male": m}
ref.write_csv(os.path.join(HERE, "mig_net_rate_age_sex.csv"),
              ["time_start", "time_span", "sex", "age_start", "age_span", "value"],
              [[t, Z, s, int(x), 1000 if x == W else Z, float(R[t][s][j])] for t in R for s in ("female", "male")
               for j, x in enumerate(G)])

timing = {BASE: "even", BASE + Z: "end"}
pop = {BASE: P}
for k in range(STEPS):
    t = BASE + Z * k
    M = {s: R[t][s] * pop[t][s] for s in P}
    pop[t + Z] = ref.step(pop[t], S[t], F, 1.05, M, Z, timing[t])
ref.write_expected(os.path.join(HERE, "expected.csv"), {("baseline", y): p for y, p in pop.items()}, "X", "total", Z)
