# SPDX-License-Identifier: Apache-2.0
"""Two countries in one run (5x5 on the tables' own 100+, periods 2020 -> 2030): ccmppWPP's long tables of both
countries stacked with a LocID column (the UN's location code) read as the zone; each country has its own base
population, five-year lt_Sx, ASFR, SRB and net counts by time_start; mig_assumption "end" then "even" for both (one
`timing` serves every zone). Each country is ccmppWPP's own projection: expected.csv from numpy (ccmppWPP's step and
override as ../ccmppwpp_reference.py) per country, never calling cohortgis.
Run: /usr/bin/python3 make_case.py
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import ccmpp_reference as lt  # noqa: E402
import ccmppwpp_reference as wpp  # noqa: E402

Z, W, BASE = 5, 100, 2020
N = W // Z + 1
YEARS = [2020, 2025]
ASSUME = {2020: "end", 2025: "even"}
LOCS = {156: 1.0, 392: 0.6}  # LocID -> a scale of the country's inputs
AGES = np.arange(N) * Z
SEXES = ("female", "male")
path = lambda name: os.path.join(HERE, name)  # noqa: E731
HDR = ["LocID", "time_start", "time_span", "sex", "age_start", "age_span", "value"]
span = lambda i: 1000 if i == N - 1 else Z  # noqa: E731

a1 = np.arange(W + 1)
Sx, P0, F, SRB, C = {}, {}, {}, {}, {}
lt_rows, pop_rows, f_rows, srb_rows, c_rows = [], [], [], [], []
for loc, g in LOCS.items():
    for k, t in enumerate(YEARS):
        for s, (c0, c1, c2, c3) in (("female", (0.02, 1.5e-4, 3e-5, 0.1)), ("male", (0.025, 3e-4, 6e-5, 0.095))):
            mx = (c0 * np.exp(-1.2 * a1) + c1 + c2 * np.exp(c3 * a1)) * g * (1.0 - 0.04 * k)
            _, _, lx, Lx = lt.single_year_table_from_mx(mx, s == "female")
            L5 = np.array([Lx[x:x + Z].sum() for x in range(0, W, Z)] + [Lx[W]])
            Sx[(loc, t, s)] = lt.survival_from_Lx(L5, lx[0], Z, "five_year")
            lt_rows += [["lt_Sx", loc, t, Z, s, int(AGES[i]), span(i), float(Sx[(loc, t, s)][i])] for i in range(N)]
            C[(loc, t, s)] = (500.0 * g if s == "female" else -300.0 * g) * np.exp(-0.5 * ((AGES - 25.0) / 9.0) ** 2)
            c_rows += [[loc, t, Z, s, int(AGES[i]), span(i), float(C[(loc, t, s)][i])] for i in range(N)]
        F[(loc, t)] = np.where((AGES >= 15) & (AGES < 50),
                               (0.06 + 0.05 * g) * np.exp(-0.5 * ((AGES - 27.0 - 3 * g) / 7.0) ** 2) * (1 - 0.03 * k), 0.0)
        f_rows += [[loc, t, Z, int(AGES[i]), Z, float(F[(loc, t)][i])] for i in range(3, 10)]
        SRB[(loc, t)] = 1.05 + 0.06 * (1 - g) - 0.01 * k
        srb_rows.append([loc, t, Z, SRB[(loc, t)]])
    for s in SEXES:
        P0[(loc, s)] = 50000.0 * g * np.exp(-0.01 * AGES / g) / (1 + np.exp(0.12 * (AGES - 80.0 + 4 * g)))
        pop_rows += [[loc, BASE, 0, s, int(AGES[i]), span(i), float(P0[(loc, s)][i])] for i in range(N)]
lt.write_csv(path("life_table_age_sex.csv"), ["indicator"] + HDR, lt_rows)
lt.write_csv(path("pop_count_age_sex_base.csv"), HDR, pop_rows)
lt.write_csv(path("fert_rate_age_f.csv"), ["LocID", "time_start", "time_span", "age_start", "age_span", "value"], f_rows)
lt.write_csv(path("srb.csv"), ["LocID", "time_start", "time_span", "value"], srb_rows)
lt.write_csv(path("mig_net_count_age_sex.csv"), HDR, c_rows)

pops = {}
for loc in LOCS:
    P = {s: P0[(loc, s)].copy() for s in SEXES}
    pops[("baseline", BASE, str(loc))] = {s: P[s].copy() for s in SEXES}
    for t in YEARS:
        M = {s: C[(loc, t, s)].copy() for s in SEXES}
        for s in SEXES:
            bad = P[s] + M[s] <= 0
            M[s][bad] = 0.00001 - P[s][bad]
        f, m = wpp.step(Z, P["female"], P["male"], Sx[(loc, t, "female")], Sx[(loc, t, "male")], F[(loc, t)],
                        SRB[(loc, t)], M["female"], M["male"], ASSUME[t])
        P = {"female": f, "male": m}
        pops[("baseline", t + Z, str(loc))] = {s: P[s].copy() for s in SEXES}
lt.write_expected(path("expected.csv"), pops, None, "total", Z)
