# SPDX-License-Identifier: Apache-2.0
"""Three zones, 1x1 on 100+, three annual steps 2020 -> 2023: death rates as zone factors on two countries' standard
single-year lt_nMx (a `standard` column), ASFR as zone factors on one standard moved to a mean-age path and a TFR
path (shift of the piecewise-constant schedule first, then the TFR: both on the standard, then the factor), SRB as a
number, migration between the zones from a gravity model (distances given one way), end. Written from
scenarios/README.md alone; expected.csv from numpy (../readme_reference.py), never calling cohortgis.
Run: /usr/bin/python3 make_case.py
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import readme_reference as rr  # noqa: E402

Z, W, BASE, YEARS = 1, 100, 2020, [2020, 2021, 2022]
N = W + 1
AGES = np.arange(N)
ZONES = ("A", "B", "C")
STD_OF = {"A": "CHN", "B": "CHN", "C": "JPN"}
MX_FACTOR = {"A": 0.9, "B": 1.15, "C": 1.05}
F_FACTOR = {"A": 1.1, "B": 0.85, "C": 1.0}
DIST = {("A", "B"): 120.0, ("A", "C"): 300.0, ("B", "C"): 210.0}
OUT_RATE, DECAY, DEST_EXP = 0.02, 2.0, 1.0
TFR = {2021: 1.5, 2023: 1.7}
MEAN_AGE = {2021: 29.0, 2023: 30.2}
SRB = 1.055
path = lambda name: os.path.join(HERE, name)  # noqa: E731

MXS, rows = {}, []
for std, (c0, c1, c2, c3) in (("CHN", (0.008, 2e-4, 3e-5, 0.1)), ("JPN", (0.002, 1e-4, 1.5e-5, 0.105))):
    for s in rr.SEXES:
        k = 1.0 if s == "female" else 1.6
        mx = k * (c0 * np.exp(-1.5 * AGES) + c1 + c2 * np.exp(c3 * AGES))
        mx[0] = k * c0
        mx = np.minimum(mx, 0.9)
        MXS[(std, s)] = mx
        rows += [[std, s, int(a), float(mx[a])] for a in AGES]
rr.write_csv(path("mx_standard.csv"), ["standard", "sex", "age", "value"], rows)
rr.write_csv(path("mx_factors.csv"), ["zone", "standard", "value"], [[z, STD_OF[z], MX_FACTOR[z]] for z in ZONES])
F_STD = np.where((AGES >= 16) & (AGES <= 46), np.exp(-0.5 * ((AGES - 28.0) / 5.5) ** 2) * 0.08, 0.0)
rr.write_csv(path("asfr_standard.csv"), ["age", "value"], [[int(a), float(F_STD[a])] for a in range(15, 50)])
rr.write_csv(path("asfr_factors.csv"), ["zone", "value"], [[z, F_FACTOR[z]] for z in ZONES])
rr.write_csv(path("distances.csv"), ["origin", "destination", "distance"], [[o, d, v] for (o, d), v in DIST.items()])

P0 = {}
for zi, zone in enumerate(ZONES):
    P0[(zone, "total", "female")] = (900.0 + 300 * zi) * np.exp(-0.01 * AGES) / (1 + np.exp(0.11 * (AGES - 82.0)))
    P0[(zone, "total", "male")] = (920.0 + 280 * zi) * np.exp(-0.012 * AGES) / (1 + np.exp(0.12 * (AGES - 78.0)))
rr.write_csv(path("base_population.csv"), ["zone", "sex", "age", "population"],
             [[zone, s, int(a), float(P0[(zone, "total", s)][a])] for zone in ZONES for s in rr.SEXES for a in AGES])


def shift(f, delta):
    """The piecewise-constant schedule f (rates on [a, a+1)) moved along age by delta: g_a = integral of f(x - delta)
    over [a, a+1)."""
    g = np.zeros_like(f)
    k = int(np.floor(delta))
    fr = delta - k
    for a in range(len(f)):
        for src, wgt in ((a - k, 1.0 - fr), (a - k - 1, fr)):
            if 0 <= src < len(f):
                g[a] += wgt * f[src]
    return g


def mean_age(f):
    return float(np.sum(f * (AGES + 0.5)) / np.sum(f))


def dist(o, d):
    return DIST.get((o, d), DIST.get((d, o)))


def project():
    P = {k: v.copy() for k, v in P0.items()}
    out = [(BASE, P)]
    S = {}
    for zone in ZONES:
        for s in rr.SEXES:
            m = MX_FACTOR[zone] * MXS[(STD_OF[zone], s)]
            S[(zone, "total", s)] = rr.survival_single(rr.single_table(m, s == "female")[2])
    for t in YEARS:
        f = shift(F_STD, rr.path_step_mean(MEAN_AGE, t, Z) - mean_age(F_STD))
        f = f * rr.path_step_mean(TFR, t, Z) / (Z * f.sum())
        Fz = {(zone, "total"): F_FACTOR[zone] * f for zone in ZONES}
        M = {k: np.zeros(N) for k in P}
        mass = {zone: sum(P[(zone, "total", s)].sum() for s in rr.SEXES) for zone in ZONES}
        for o in ZONES:
            w = {d: mass[d] ** DEST_EXP * dist(o, d) ** -DECAY for d in ZONES if d != o}
            for d, wd in w.items():
                r = OUT_RATE * wd / sum(w.values())
                for s in rr.SEXES:
                    X = Z * r * P[(o, "total", s)]
                    M[(o, "total", s)] -= X
                    M[(d, "total", s)] += X
        P, _ = rr.step(P, S, Fz, {zone: SRB for zone in ZONES}, M, "end", Z)
        out.append((t + Z, P))
    return out


rr.write_expected(path("expected.csv"), {"baseline": project()}, AGES)
print("standard mean age", mean_age(F_STD))
