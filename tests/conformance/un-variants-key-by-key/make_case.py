# SPDX-License-Identifier: Apache-2.0
"""One zone, 5x5 on 85+, three periods 2020 -> 2035, `flow_policy = "wpp"`, a base cell of 0: a baseline (five-year
Lx, a pasfr with a TFR path, net counts per step, even) and variants that each replace one key of a section and keep
the others ("key by key"): `fertility = { tfr }` (the pasfr kept), `fertility = { srb }`, `mortality = { Sx }` (another
form replaces Lx), `migration = { net = false }` (the UN's zero-migration variant: the empty cell still gets the
override's 0.00001), `migration = { timing = "end" }` (the counts kept), `migration = { net = false, net_rate }`.
Written from scenarios/README.md alone; expected.csv from numpy (../outside4_reference.py), never calling cohortgis.
Run: /usr/bin/python3 make_case.py
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import outside4_reference as o4  # noqa: E402
import readme_reference as rr  # noqa: E402

Z, W, BASE, YEARS = 5, 85, 2020, [2020, 2025, 2030]
N = W // Z + 1
AGES = np.arange(N) * Z
path = lambda name: os.path.join(HERE, name)  # noqa: E731
RADIX = 100000.0

# five-year Lx (0-4, 5-9, ..., T85) on radix 100000 from a single-year table; the variant's Sx from another table
a1 = np.arange(111)
S_LX, S_SX, lrows, srows = {}, {}, [], []
for s, (c0, c1, c2, c3) in (("female", (0.02, 2e-4, 3e-5, 0.1)), ("male", (0.025, 3e-4, 6e-5, 0.095))):
    for which, f in (("Lx", 1.0), ("Sx", 0.8)):
        L = RADIX * rr.single_table((c0 * np.exp(-1.2 * a1) + c1 + c2 * np.exp(c3 * a1)) * f, s == "female")[2]
        L5 = np.array([L[x:x + 5].sum() for x in range(0, W, 5)] + [L[W:].sum()])
        S = rr.survival_five_year(L5, RADIX)
        if which == "Lx":
            S_LX[s] = S
            lrows += [[s, int(AGES[i]), float(L5[i])] for i in range(N)]
        else:
            S_SX[s] = S
            srows += [[s, int(AGES[i]), float(S[i])] for i in range(N)]
rr.write_csv(path("Lx.csv"), ["sex", "age", "value"], lrows)
rr.write_csv(path("Sx.csv"), ["sex", "age", "value"], srows)

P0 = {"female": 9000.0 * np.exp(-0.012 * AGES) / (1 + np.exp(0.1 * (AGES - 80.0))),
      "male": 9100.0 * np.exp(-0.015 * AGES) / (1 + np.exp(0.11 * (AGES - 76.0)))}
P0["male"][16] = 0.0  # men 80-84: an empty cell
rr.write_csv(path("base.csv"), ["sex", "age", "population"], [[s, int(AGES[i]), float(P0[s][i])]
                                                               for s in rr.SEXES for i in range(N) if P0[s][i] > 0])
PAS = np.where((AGES >= 15) & (AGES < 50), np.exp(-0.5 * ((AGES - 28.0) / 7.0) ** 2), 0.0)
rr.write_csv(path("pasfr.csv"), ["age", "value"], [[int(AGES[i]), float(100 * PAS[i] / PAS.sum())] for i in range(3, 10)])
TFR = {2021: 1.7, 2025: 1.7, 2026: 1.5, 2030: 1.5, 2031: 1.45, 2035: 1.45}
TFR_HIGH = {2021: 2.1, 2035: 2.4}
NET = {}
for k, t in enumerate(YEARS):
    for s in rr.SEXES:
        c = np.zeros(N)
        c[3:8] = (400.0 - 300 * k) * (1.0 if s == "female" else 1.3)
        c[0] = 50.0
        NET[(t, s)] = c
rr.write_csv(path("net.csv"), ["year", "sex", "age", "value"],
             [[t, s, int(AGES[i]), float(NET[(t, s)][i])] for (t, s) in NET for i in range(N) if NET[(t, s)][i]])
RATE = {s: np.where((AGES >= 20) & (AGES < 40), -0.01 if s == "female" else 0.015, 0.0) for s in rr.SEXES}
rr.write_csv(path("net_rate.csv"), ["sex", "age", "value"], [[s, int(AGES[i]), float(RATE[s][i])] for s in rr.SEXES
                                                             for i in range(N)])


def project(tfr=TFR, srb=1.05, sx=False, mig="net", timing="even"):
    P = {("X", "total", s): P0[s].copy() for s in rr.SEXES}
    out = [(BASE, P)]
    for t in YEARS:
        F = rr.path_step_mean(tfr, t, Z) * PAS / (Z * PAS.sum())
        M = {}
        for s in rr.SEXES:
            k = ("X", "total", s)
            M[k] = Z * NET[(t, s)] if mig == "net" else (Z * RATE[s] * P[k] if mig == "rate" else np.zeros(N))
        S = {("X", "total", s): (S_SX if sx else S_LX)[s] for s in rr.SEXES}
        P, _ = o4.step(P, S, {("X", "total"): F}, {"X": srb}, M, timing, Z, policy="wpp")
        out.append((t + Z, P))
    return out


rr.write_expected(path("expected.csv"), {
    "baseline": project(), "tfr-high": project(tfr=TFR_HIGH), "srb-110": project(srb=1.10), "sx": project(sx=True),
    "zero-migration": project(mig="none"), "end": project(timing="end"), "rates": project(mig="rate")}, AGES)
