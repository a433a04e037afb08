# SPDX-License-Identifier: Apache-2.0
"""Single-year case given as Lx: an analytic Gompertz-Makeham life table, five annual steps, fertility and signed
migration counts. Writes the scenario's tables and expected.csv, computed independently by ../ccmpp_reference.py
(docs/ccmpp.md A1-A3 in numpy; no cohortgis). Run: /usr/bin/python3 make_case.py
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import ccmpp_reference as ref  # noqa: E402

W = 100  # open age 100+
BASE, STEPS = 2020, 5
AGES = np.arange(W + 1)
# Gompertz-Makeham hazard mu(x) = c + a exp(b x); survivors l(x) = exp(-c x - a/b (exp(b x) - 1)), radix 1.
LAW = {"female": (3e-4, 2.5e-5, 0.100), "male": (6e-4, 6.0e-5, 0.092)}


def person_years(c, a, b):
    """L_x = integral of l over [x, x+1) by 20-point Gauss-Legendre on each year; the open row T_100 up to 160."""
    l = lambda t: np.exp(-c * t - a / b * np.expm1(b * t))  # noqa: E731
    g, wts = np.polynomial.legendre.leggauss(20)
    L = np.array([0.5 * np.sum(wts * l(x + 0.5 + 0.5 * g)) for x in range(W)])
    T = sum(0.5 * np.sum(wts * l(x + 0.5 + 0.5 * g)) for x in range(W, 160))
    return np.append(L, T)


L = {s: person_years(*LAW[s]) for s in LAW}
S = {s: ref.survival_from_Lx(L[s], 1.0, 1) for s in L}
# Base population: a smooth, slowly ageing structure; fewer men at old ages.
P = {"female": 12000.0 * np.exp(-0.004 * AGES) * (1 + 0.15 * np.sin(AGES / 9.0)),
     "male": 12500.0 * np.exp(-0.006 * AGES) * (1 + 0.15 * np.sin(AGES / 9.0))}
for s in P:
    P[s][80:] *= np.exp(-0.25 * (AGES[80:] - 79))
P["female"][9] = 10.0  # a hole: with the emigration at age 10 below, the floor of A3 step 7 applies in 2020-2021
# ASFR (births per 1000 women per year) at 15-49: a bell around 29, TFR 1.6.
shape = np.where((AGES >= 15) & (AGES <= 49), np.exp(-0.5 * ((AGES - 29.0) / 5.5) ** 2), 0.0)
F = 1.6 * shape / shape.sum()
SRB = 106.0  # males per 100 females
# Net migration, persons per year, signed: immigration of young adults, emigration at 40-70, and at 100+ an
# emigration larger than the cohort, which the WPP override (A2) turns into "leave 0.00001 persons".
Mf = np.where((AGES >= 18) & (AGES <= 35), 150.0, 0.0) - np.where((AGES >= 40) & (AGES <= 70), 60.0, 0.0)
Mm = np.where((AGES >= 18) & (AGES <= 35), 210.0, 0.0) - np.where((AGES >= 40) & (AGES <= 70), 45.5, 0.0)
Mf[W] = Mm[W] = -500.0
Mf[10] = -8000.0  # less than the cohort at 10 (no override) but, half of it, more than the 10 arriving from 9
M = {"female": Mf, "male": Mm}

ref.write_csv(os.path.join(HERE, "Lx.csv"), ["sex", "age", "value"],
              [[s, x, float(L[s][x])] for s in L for x in AGES])
ref.write_csv(os.path.join(HERE, "base_population.csv"), ["zone", "group", "sex", "age", "population"],
              [["G1", "total", s, x, float(P[s][x])] for s in P for x in AGES])
ref.write_csv(os.path.join(HERE, "asfr.csv"), ["age", "value"], [[x, float(1000.0 * F[x])] for x in range(10, 55)])
ref.write_csv(os.path.join(HERE, "net_migration.csv"), ["sex", "age", "value"],
              [[s, x, float(M[s][x])] for s in M for x in AGES if M[s][x] != 0])

out = {("baseline", BASE): P}
pop = P
for k in range(STEPS):
    pop = ref.step(pop, S, F, SRB / 100.0, M, 1, "even")
    out[("baseline", BASE + k + 1)] = pop
ref.write_expected(os.path.join(HERE, "expected.csv"), out, "G1", "total", 1)
print("totals:", {y: round(p["female"].sum() + p["male"].sum(), 3) for (_, y), p in out.items()})
