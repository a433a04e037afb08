# SPDX-License-Identifier: Apache-2.0
"""The UN's published base population on 0..100+ projected on 100+ with the UN's life table and migrant counts to
130+ (single years, annual steps 2020 -> 2023). Written from scenarios/README.md "Rows past the open age" and
"Reproducing the UN's projections" alone: lt_nLx rows past 100 fold into T(100) (survival of 99 -> 100+ and of 100+
is T100 / T99, docs/ccmpp.md A1), count rows past 100 are summed into 100+. expected.csv from numpy
(../ccmpp_reference.py's A1 and ../ccmppwpp_reference.py's step), never calling cohortgis.
Run: /usr/bin/python3 make_case.py
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import ccmpp_reference as lt  # noqa: E402
import ccmppwpp_reference as wpp  # noqa: E402

T, W, BASE = 130, 100, 2020
YEARS = [BASE, BASE + 1, BASE + 2]
ASSUME = {2020: "end", 2021: "even", 2022: "end"}
A = np.arange(T + 1)
SEXES = ("female", "male")
path = lambda name: os.path.join(HERE, name)  # noqa: E731
HDR = ["time_start", "time_span", "sex", "age_start", "age_span", "value"]

# The UN's life table to 130+ (lt_nMx and lt_nLx by time_start; L130 = l130 / 2 as DemoTools closes it).
Sx, rows = {}, []
for k, t in enumerate(YEARS):
    for s, (c0, c1, c2, c3) in (("female", (0.005, 1.1e-4, 2.0e-5, 0.103)), ("male", (0.007, 2.6e-4, 4.5e-5, 0.097))):
        mx = (c0 * np.exp(-1.3 * A) + c1 + c2 * np.exp(c3 * A) / (1 + c2 * np.exp(c3 * A))) * (1.0 - 0.015 * k)
        _, _, lx, Lx = lt.single_year_table_from_mx(mx, s == "female")
        Lx[T] = 0.5 * lx[T]
        folded = np.concatenate([Lx[:W], [Lx[W:].sum()]])  # T(100) = L100 + ... + L130
        Sx[(t, s)] = lt.survival_from_Lx(folded, 100000.0, 1)
        for ind, v in (("lt_nMx", mx), ("lt_nLx", Lx)):
            rows += [[ind, t, 1, s, int(x), 1000 if x == T else 1, float(v[x])] for x in A]
lt.write_csv(path("life_table_age_sex.csv"), ["indicator"] + HDR, rows)

# The base population as the UN publishes it: single years 0..99 and the open group 100+ (age_span 1000).
P0 = {"female": 6000.0 * np.exp(-0.011 * A[:W + 1]) / (1 + np.exp(0.105 * (A[:W + 1] - 87.0))),
      "male": 6200.0 * np.exp(-0.013 * A[:W + 1]) / (1 + np.exp(0.115 * (A[:W + 1] - 83.0)))}
for s in SEXES:
    P0[s][W] = 2.5 * P0[s][W]  # 100+ holds more than the single age 100 would
lt.write_csv(path("pop_count_age_sex_base.csv"), HDR,
             [[BASE, 0, s, int(x), 1000 if x == W else 1, float(P0[s][x])] for s in SEXES for x in range(W + 1)])

F = {t: np.where((A[:W + 1] >= 15) & (A[:W + 1] <= 49),
                 0.1 * np.exp(-0.5 * ((A[:W + 1] - 30.0) / 6.0) ** 2) * (1 - 0.03 * k), 0.0) for k, t in enumerate(YEARS)}
lt.write_csv(path("fert_rate_age_f.csv"), ["time_start", "time_span", "age_start", "age_span", "value"],
             [[t, 1, x, 1, float(F[t][x])] for t in YEARS for x in range(15, 50)])
SRB = {2020: 1.05, 2021: 1.048, 2022: 1.052}
lt.write_csv(path("srb.csv"), ["time_start", "time_span", "value"], [[t, 1, SRB[t]] for t in YEARS])

# Signed net counts per step by single age to 130; the rows 100..130 (non-zero, signed) are summed into 100+.
C, rows = {}, []
for k, t in enumerate(YEARS):
    for s in SEXES:
        c = (40.0 if s == "female" else 55.0) * np.exp(-0.5 * ((A - 25.0) / 7.0) ** 2) - 1.5 * (k + 1)
        c[100:] = (0.8 if s == "female" else -0.3) * np.exp(-0.2 * (A[100:] - 100.0))
        C[(t, s)] = np.concatenate([c[:W], [c[W:].sum()]])
        rows += [[t, 1, s, int(x), 1000 if x == T else 1, float(c[x])] for x in A]
lt.write_csv(path("mig_net_count_age_sex.csv"), HDR, rows)


P = {s: P0[s].copy() for s in SEXES}
out = {BASE: {s: P[s].copy() for s in SEXES}}
for t in YEARS:
    M = {s: C[(t, s)].copy() for s in SEXES}
    for s in SEXES:
        bad = P[s] + M[s] <= 0
        M[s][bad] = 0.00001 - P[s][bad]
    f, m = wpp.step(1, P["female"], P["male"], Sx[(t, "female")], Sx[(t, "male")], F[t], SRB[t], M["female"],
                    M["male"], ASSUME[t])
    P = {"female": f, "male": m}
    out[t + 1] = {s: P[s].copy() for s in SEXES}
lt.write_expected(path("expected.csv"), {(v, y): p for v in ("baseline", "mx") for y, p in out.items()}, "X", "total", 1)
