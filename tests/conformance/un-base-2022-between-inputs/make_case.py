# SPDX-License-Identifier: Apache-2.0
"""One zone, 1x1 on 100+, five annual steps from a base year (2022) that falls between the inputs' years (2020,
2025): the UN's output population of several time_start years (filter on 2022 and the two sexes), lt_Sx at 2020 and
2025 interpolated linearly (`between = "linear"`: the ratios themselves, weights (2025 - t)/5 and (t - 2020)/5, the
2025 rows from 2025 on), a pasfr at 2020 and 2025 held (the 2020 one for the steps from 2022-2024) with a TFR path by
calendar year, SRB by `period` (with a period that no step uses), net counts per year by `period`, net rates linear
between 2020 and 2030, `end`, `flow_policy = "wpp"`. Variant `hold`: the same lt_Sx held. Written from
scenarios/README.md alone; expected.csv from numpy (../outside4_reference.py), never calling cohortgis.
Run: /usr/bin/python3 make_case.py
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import outside4_reference as o4  # noqa: E402
import readme_reference as rr  # noqa: E402

Z, W, BASE, HORIZON = 1, 100, 2022, 2027
STEPS = list(range(BASE, HORIZON))
N = W + 1
AGES = np.arange(N)
path = lambda name: os.path.join(HERE, name)  # noqa: E731
HDR = ["time_start", "time_span", "sex", "age_start", "age_span", "value"]
span = lambda a: 1000 if a == W else 1  # noqa: E731

SX, rows = {}, []
for k, t in enumerate((2020, 2025)):
    for s, (c0, c1, c2, c3) in (("female", (0.012, 1.5e-4, 3e-5, 0.1)), ("male", (0.015, 3e-4, 6e-5, 0.095))):
        mx = (c0 * np.exp(-1.2 * AGES) + c1 + c2 * np.exp(c3 * AGES)) * (1.0 - 0.12 * k)
        SX[(t, s)] = rr.survival_single(rr.single_table(mx, s == "female")[2])
        rows += [["lt_Sx", t, Z, s, a, span(a), float(SX[(t, s)][a])] for a in AGES]
        rows += [["lt_ex", t, Z, s, 0, 1, 80.0 + k]]  # another indicator, filtered out
rr.write_csv(path("life_table_age_sex.csv"), ["indicator"] + HDR, rows)

POP = {}
prow = []
for y in (2021, 2022, 2023):  # the UN's output pop_count_age_sex: several years and "both"
    for s, (lev, dec) in (("female", (800.0, 0.009)), ("male", (830.0, 0.011))):
        POP[(y, s)] = lev * (1.0 + 0.01 * (y - 2021)) * np.exp(-dec * AGES) + 0.3 * (AGES % 7)
        prow += [[y, 1, s, a, span(a), float(POP[(y, s)][a])] for a in AGES]
    prow += [[y, 1, "both", a, span(a), float(POP[(y, "female")][a] + POP[(y, "male")][a])] for a in AGES]
rr.write_csv(path("pop_count_age_sex.csv"), HDR, prow)

PASFR = {}
for k, t in enumerate((2020, 2025)):
    v = np.where((AGES >= 15) & (AGES < 50), np.exp(-0.5 * ((AGES - 28.0 - 1.5 * k) / 6.5) ** 2), 0.0)
    PASFR[t] = 100.0 * v / v.sum() * (1.0 + 0.002 * k)  # the 2025 one sums to 100.2 (rescaled by tfr anyway)
rr.write_csv(path("fert_pct_age_1x1.csv"), ["time_start", "time_span", "age_start", "age_span", "value"],
             [[t, Z, a, 1, float(PASFR[t][a])] for t in (2020, 2025) for a in range(10, 55)])
TFR = {2023: 1.6, 2026: 1.3, 2027: 1.35}
rr.write_csv(path("srb.csv"), ["period", "value"], [["2016-2020", 1.2], ["2023-2025", 1.06], ["2026-2030", 1.04]])
SRB = lambda t: 1.06 if t + 1 <= 2025 else 1.04  # noqa: E731

NET = {}
for per, lev in (("2023-2024", 1.0), ("2025-2027", -1.5)):
    for s in rr.SEXES:
        c = np.zeros(N)
        c[18:40] = lev * (30.0 if s == "female" else 45.0)
        c[95:] = -2.0 * lev  # signed, also in the open group
        NET[(per, s)] = c
rr.write_csv(path("net_counts.csv"), ["period", "sex", "age", "value"],
             [[per, s, a, float(NET[(per, s)][a])] for (per, s) in NET for a in AGES if NET[(per, s)][a] != 0])
RATE = {}
for y, lev in ((2020, 0.004), (2030, -0.006)):
    for s in rr.SEXES:
        RATE[(y, s)] = np.where((AGES >= 20) & (AGES < 70), lev * (1.0 + 0.2 * (s == "male")), 0.0)
rr.write_csv(path("net_rates.csv"), ["time_start", "sex", "age_start", "value"],
             [[y, s, a, float(RATE[(y, s)][a])] for (y, s) in RATE for a in AGES])


def project(linear):
    P = {("X", "total", s): POP[(2022, s)].copy() for s in rr.SEXES}
    out = [(BASE, P)]
    for t in STEPS:
        if t >= 2025:
            S = {s: SX[(2025, s)] for s in rr.SEXES}
        elif linear:
            S = {s: SX[(2020, s)] * (2025 - t) / 5.0 + SX[(2025, s)] * (t - 2020) / 5.0 for s in rr.SEXES}
        else:
            S = {s: SX[(2020, s)] for s in rr.SEXES}
        pas = PASFR[2020 if t < 2025 else 2025]
        F = rr.path_step_mean(TFR, t, Z) * pas / (Z * pas.sum())
        per = "2023-2024" if t + 1 <= 2024 else "2025-2027"
        M = {}
        for s in rr.SEXES:
            r = RATE[(2020, s)] * (2030 - t) / 10.0 + RATE[(2030, s)] * (t - 2020) / 10.0
            M[("X", "total", s)] = Z * NET[(per, s)] + Z * r * P[("X", "total", s)]
        P, _ = o4.step(P, {("X", "total", s): S[s] for s in rr.SEXES}, {("X", "total"): F}, {"X": SRB(t)}, M,
                       "end", Z, policy="wpp")
        out.append((t + Z, P))
    return out


rr.write_expected(path("expected.csv"), {"baseline": project(True), "hold": project(False)}, AGES)
