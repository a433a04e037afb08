# SPDX-License-Identifier: Apache-2.0
"""One zone, 1x1 on 100+, four annual steps 2020 -> 2024: `[mortality] fit = { e0, srb, year }` (one Brass alpha,
beta = 1, for both sexes so that the first step's life tables give the both-sexes e0 (e0_f + rho * e0_m) / (1 + rho),
rho = srb / 100) and `[fertility] fit = { cbr_per_1000, year }` (one factor k on every step's ASFR so that the first
step's crude birth rate 1000 * B / (z * (P_start + P_end) / 2) is the target; B and P_end are linear in k); net
counts, `end`. Variant `births`: `fertility = { fit = { births, year } }` (births per year). Written from
scenarios/README.md alone; expected.csv from numpy (../outside4_reference.py, ../readme_reference.py's Brass rates),
never calling cohortgis. Run: /usr/bin/python3 make_case.py
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import outside4_reference as o4  # noqa: E402
import readme_reference as rr  # noqa: E402

Z, W, BASE, YEARS = 1, 100, 2020, [2020, 2021, 2022, 2023]
N = W + 1
AGES = np.arange(N)
path = lambda name: os.path.join(HERE, name)  # noqa: E731
E0, SRB_FIT, CBR, BIRTHS = 79.0, 106.0, 9.5, 1500.0

MX = {}
for s, (c0, c1, c2, c3) in (("female", (0.012, 1.5e-4, 3e-5, 0.1)), ("male", (0.015, 3e-4, 6e-5, 0.095))):
    MX[s] = c0 * np.exp(-1.2 * AGES) + c1 + c2 * np.exp(c3 * AGES)
rr.write_csv(path("mx.csv"), ["sex", "age", "value"], [[s, a, float(MX[s][a])] for s in rr.SEXES for a in AGES])


def e0_both(alpha):
    e = {s: rr.e0_of(rr.single_table(rr.brass_rates(MX[s], s == "female", alpha), s == "female")[2])
         for s in rr.SEXES}
    rho = SRB_FIT / 100.0
    return (e["female"] + rho * e["male"]) / (1.0 + rho)


lo, hi = -4.0, 4.0  # e0 falls as alpha rises; bisection to the last bit
while True:
    mid = 0.5 * (lo + hi)
    if mid == lo or mid == hi:
        break
    if e0_both(mid) > E0:
        lo = mid
    else:
        hi = mid
ALPHA = 0.5 * (lo + hi)
SX = {s: rr.survival_single(rr.single_table(rr.brass_rates(MX[s], s == "female", ALPHA), s == "female")[2])
      for s in rr.SEXES}

P0 = {"female": 900.0 * np.exp(-0.008 * AGES) + 3.0, "male": 940.0 * np.exp(-0.0105 * AGES) + 2.0}
rr.write_csv(path("base.csv"), ["sex", "age", "population"], [[s, a, float(P0[s][a])] for s in rr.SEXES for a in AGES])
F = np.where((AGES >= 15) & (AGES < 50), 0.06 * np.exp(-0.5 * ((AGES - 30.0) / 6.0) ** 2), 0.0)
rr.write_csv(path("asfr.csv"), ["age", "value"], [[a, float(F[a])] for a in range(15, 50)])
NET = {s: np.where((AGES >= 18) & (AGES < 35), 8.0 + 2.0 * (s == "male"), 0.0) for s in rr.SEXES}
NET["female"][60] = -20.0
rr.write_csv(path("net.csv"), ["sex", "age", "value"], [[s, a, float(NET[s][a])] for s in rr.SEXES for a in AGES
                                                        if NET[s][a]])
SRB = 1.05


def run(k, steps):
    P = {("X", "total", s): P0[s].copy() for s in rr.SEXES}
    out, births = [(BASE, P)], []
    for t in steps:
        M = {("X", "total", s): Z * NET[s] for s in rr.SEXES}
        P, b = o4.step(P, {("X", "total", s): SX[s] for s in rr.SEXES}, {("X", "total"): k * F}, {"X": SRB}, M,
                       "end", Z, policy="wpp")
        out.append((t + Z, P))
        births.append(b[("X", "total")])
    return out, births


def total(P):
    return sum(v.sum() for v in P.values())


def factor(target_of):
    """k from two runs of the first step: B(k) = k B(1), P_end(k) = P_end(0) + k (P_end(1) - P_end(0))."""
    (o0, b0), (o1, b1) = run(0.0, YEARS[:1]), run(1.0, YEARS[:1])
    Ps, Pe0, dPe = total(o0[0][1]), total(o0[1][1]), total(o1[1][1]) - total(o0[1][1])
    return target_of(b1[0], Ps, Pe0, dPe)


K_CBR = factor(lambda B1, Ps, Pe0, dPe: CBR * Z * (Ps + Pe0) / 2.0 / (1000.0 * B1 - CBR * Z * dPe / 2.0))
K_BIRTHS = factor(lambda B1, Ps, Pe0, dPe: BIRTHS * Z / B1)
rr.write_expected(path("expected.csv"), {"baseline": run(K_CBR, YEARS)[0], "births": run(K_BIRTHS, YEARS)[0]}, AGES)
