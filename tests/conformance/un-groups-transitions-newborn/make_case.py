# SPDX-License-Identifier: Apache-2.0
"""One zone, two population groups (registered, floating), 5x5 on 85+, three periods 2020 -> 2035: each group its
own base population, five-year lt_Sx and ASFR (group columns), ccmppWPP's step per group; a group transition
floating -> registered at ages 15-64 (`[[transitions]]`, flows method: X = z * r * P of the start population, part
of both groups' net migrants and so entering by the timing, half at the start and half at the end with `even`; the
last step partly inside `years`), a `[[newborn]]` rule (a share of the floating mothers' births born registered),
net totals per group spread like the group's start population, even. Written from scenarios/README.md alone;
expected.csv from numpy (../readme_reference.py), never calling cohortgis. Run: /usr/bin/python3 make_case.py
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import readme_reference as rr  # noqa: E402

Z, W, BASE, YEARS = 5, 85, 2020, [2020, 2025, 2030]
N = W // Z + 1
AGES = np.arange(N) * Z
GROUPS = ("registered", "floating")
RATE, T_AGES, T_YEARS = 0.03, (15, 64), (2021, 2032)
SHARE = 0.4
TOTAL = {("registered", 2020): 1500.0, ("floating", 2020): -2500.0, ("registered", 2025): 800.0,
         ("floating", 2025): 3000.0, ("registered", 2030): 0.0, ("floating", 2030): -1000.0}
path = lambda name: os.path.join(HERE, name)  # noqa: E731
HDR = ["time_start", "time_span", "sex", "age_start", "age_span", "value"]

SX, rows = {}, []
a1 = np.arange(101)
for gi, g in enumerate(GROUPS):
    for k, t in enumerate(YEARS):
        for s, (c0, c1, c2, c3) in (("female", (0.015, 1.5e-4, 3e-5, 0.1)), ("male", (0.02, 3e-4, 6e-5, 0.095))):
            mx = (c0 * np.exp(-1.2 * a1) + c1 + c2 * np.exp(c3 * a1)) * (1.0 - 0.04 * k) * (1.0 + 0.3 * gi)
            S = rr.five_year_sx_from_mx(mx, s == "female", W)
            SX[(g, t, s)] = S
            rows += [["lt_Sx", g, t, 5, s, int(AGES[i]), 1000 if i == N - 1 else 5, float(S[i])] for i in range(N)]
rr.write_csv(path("life_table_age_sex.csv"), ["indicator", "group"] + HDR, rows)

P0 = {("X", "registered", "female"): 9000.0 * np.exp(-0.012 * AGES) / (1 + np.exp(0.1 * (AGES - 80.0))),
      ("X", "registered", "male"): 9100.0 * np.exp(-0.015 * AGES) / (1 + np.exp(0.11 * (AGES - 76.0))),
      ("X", "floating", "female"): 3000.0 * np.exp(-0.5 * ((AGES - 28.0) / 12.0) ** 2) + 20.0,
      ("X", "floating", "male"): 3300.0 * np.exp(-0.5 * ((AGES - 30.0) / 12.0) ** 2) + 25.0}
rr.write_csv(path("pop_count_age_sex_base.csv"), ["group"] + HDR,
             [[g, BASE, 0, s, int(AGES[i]), 1000 if i == N - 1 else 5, float(P0[("X", g, s)][i])]
              for g in GROUPS for s in rr.SEXES for i in range(N)])
F = {(g, t): np.where((AGES >= 15) & (AGES < 50),
                      (0.05 + 0.03 * gi) * np.exp(-0.5 * ((AGES - 27.0 - 2 * gi) / 7.0) ** 2), 0.0) * (1 - 0.04 * k)
     for gi, g in enumerate(GROUPS) for k, t in enumerate(YEARS)}
rr.write_csv(path("fert_rate_age_f.csv"), ["group", "time_start", "time_span", "age_start", "age_span", "value"],
             [[g, t, 5, int(AGES[i]), 5, float(F[(g, t)][i])] for g in GROUPS for t in YEARS for i in range(3, 10)])
rr.write_csv(path("srb.csv"), ["time_start", "time_span", "value"], [[2020, 5, 1.07], [2025, 5, 1.06]])
rr.write_csv(path("mig_net_count_tot_b.csv"), ["group", "time_start", "time_span", "sex", "value"],
             [[g, t, 5, "both", TOTAL[(g, t)]] for g in GROUPS for t in YEARS])


def project():
    P = {k: v.copy() for k, v in P0.items()}
    out = [(BASE, P)]
    in_ages = (AGES >= T_AGES[0]) & (AGES + Z - 1 <= T_AGES[1])
    for t in YEARS:
        inside = sum(1 for y in range(t + 1, t + Z + 1) if T_YEARS[0] <= y <= T_YEARS[1])
        M = {}
        for g in GROUPS:
            tot = sum(P[("X", g, s)].sum() for s in rr.SEXES)
            for s in rr.SEXES:
                M[("X", g, s)] = TOTAL[(g, t)] * P[("X", g, s)] / tot
        # the transfers are migrants of both groups: they enter by the timing (README "[[transitions]]")
        for s in rr.SEXES:
            X = Z * RATE * (inside / Z) * in_ages * P[("X", "floating", s)]
            M[("X", "floating", s)] = M[("X", "floating", s)] - X
            M[("X", "registered", s)] = M[("X", "registered", s)] + X
        S = {("X", g, s): SX[(g, t, s)] for g in GROUPS for s in rr.SEXES}
        Fk = {("X", g): F[(g, t)] for g in GROUPS}
        srb = {"X": 1.07 if t < 2025 else 1.06}
        P, _ = rr.step(P, S, Fk, srb, M, "even", Z, newborn=[("floating", "registered", SHARE)])
        out.append((t + Z, P))
    return out


rr.write_expected(path("expected.csv"), {"baseline": project()}, AGES)
