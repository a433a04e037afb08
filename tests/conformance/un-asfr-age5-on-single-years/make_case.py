# SPDX-License-Identifier: Apache-2.0
"""1x1 on 100+, two annual steps 2020 -> 2022: fertility given as the UN's five-year ASFR (per 1000 women, groups
15-19 ... 45-49 by time_start, as WPP's Fertility_by_Age5) on a single-year grid with `schedule_age_width = 5`:
graduated to single years as a monotone cubic (Hyman-filtered natural spline, Hermite) through the cumulative
fertility at the group boundaries, single-year rates its differences; single-year lt_Sx, net counts, even. Written
from scenarios/README.md alone; expected.csv from numpy (../readme_reference.py; the spline helpers of
../abridged_reference.py), never calling cohortgis. Run: /usr/bin/python3 make_case.py
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import abridged_reference as ab  # noqa: E402
import readme_reference as rr  # noqa: E402

Z, W, BASE, YEARS = 1, 100, 2020, [2020, 2021]
N = W + 1
AGES = np.arange(N)
G5 = np.arange(15, 50, 5)
ASFR5 = {2020: np.array([8.5, 55.2, 98.7, 80.1, 35.6, 8.2, 0.6]),  # per 1000 women
         2021: np.array([7.9, 52.0, 97.5, 82.3, 37.9, 8.8, 0.7])}
path = lambda name: os.path.join(HERE, name)  # noqa: E731
HDR = ["time_start", "time_span", "sex", "age_start", "age_span", "value"]

SX, rows = {}, []
for k, t in enumerate(YEARS):
    for s, (c0, c1, c2, c3) in (("female", (0.006, 1.2e-4, 2.5e-5, 0.1)), ("male", (0.008, 2.5e-4, 5e-5, 0.097))):
        mx = (c0 * np.exp(-1.5 * AGES) + c1 + c2 * np.exp(c3 * AGES)) * (1 - 0.02 * k)
        mx[0] = c0
        S = rr.survival_single(rr.single_table(mx, s == "female")[2])
        SX[(t, s)] = S
        rows += [["lt_Sx", t, 1, s, int(a), 1000 if a == W else 1, float(S[a])] for a in AGES]
rr.write_csv(path("life_table_age_sex.csv"), ["indicator"] + HDR, rows)
rr.write_csv(path("fertility_by_age5.csv"), ["Time", "AgeGrpStart", "AgeGrpSpan", "ASFR"],
             [[t, int(a), 5, float(v)] for t in YEARS for a, v in zip(G5, ASFR5[t])])
rr.write_csv(path("srb.csv"), ["time_start", "time_span", "value"], [[2020, 1, 1.06]])
P0 = {"female": 1000.0 * np.exp(-0.01 * AGES) / (1 + np.exp(0.11 * (AGES - 84.0))),
      "male": 1030.0 * np.exp(-0.012 * AGES) / (1 + np.exp(0.12 * (AGES - 80.0)))}
rr.write_csv(path("pop_count_age_sex_base.csv"), HDR,
             [[BASE, 0, s, int(a), 1000 if a == W else 1, float(P0[s][a])] for s in rr.SEXES for a in AGES])
MIG = {(t, s): (2.0 - 3.0 * k) * np.exp(-0.5 * ((AGES - 26.0) / 7.0) ** 2) for k, t in enumerate(YEARS)
       for s in rr.SEXES}
rr.write_csv(path("mig_net_count_age_sex.csv"), HDR,
             [[t, 1, s, int(a), 1000 if a == W else 1, float(MIG[(t, s)][a])] for t in YEARS for s in rr.SEXES
              for a in AGES])


def graduate(f5):
    """Single-year ASFR from five-year rates (per woman per year): cumulative fertility C at 15, 20, ..., 50."""
    x = np.concatenate([G5, [G5[-1] + 5]]).astype(float)
    C = np.concatenate([[0.0], np.cumsum(5.0 * f5)])
    s = ab.hyman_filter(ab.natural_spline_slopes(x, C), x, C)
    out = np.zeros(N)
    for a in range(int(x[0]), int(x[-1])):
        out[a] = ab.hermite(x, C, s, float(a + 1)) - ab.hermite(x, C, s, float(a))
    return out


def project():
    P = {("X", "total", s): P0[s].copy() for s in rr.SEXES}
    out = [(BASE, P)]
    for t in YEARS:
        S = {("X", "total", s): SX[(t, s)] for s in rr.SEXES}
        F = graduate(ASFR5[t] / 1000.0)
        M = {("X", "total", s): MIG[(t, s)] for s in rr.SEXES}
        P, _ = rr.step(P, S, {("X", "total"): F}, {"X": 1.06}, M, "even", Z)
        out.append((t + Z, P))
    return out


rr.write_expected(path("expected.csv"), {"baseline": project()}, AGES)
print("graduated 2020:", np.round(graduate(ASFR5[2020] / 1000.0)[14:51], 5))
