# SPDX-License-Identifier: Apache-2.0
"""5x5 on the table's own 100+ (five-year lt_Sx), three periods 2020 -> 2035: the UN's net migration totals
mig_net_count_tot_b by time_start spread over sex and age by a given age pattern (shares by sex and five-year age,
e.g. a WPP migration age profile) instead of ccmppWPP's own rule (the start population), as `[[migration.flows]]`
kind "net" with a profile table, one flow per period; mig_assumption end, even, end. Written from scenarios/README.md
alone; expected.csv from numpy (ccmppWPP's step and override as ../ccmppwpp_reference.py), never calling cohortgis.
Variant "population": the same totals as `net_total` (ccmppWPP's "totals": spread as the start population).
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
N = W // Z + 1  # 21 groups 0, 5, ..., 100+
YEARS = [2020, 2025, 2030]
ASSUME = {2020: "end", 2025: "even", 2030: "end"}
TOTAL = {2020: 9000.0, 2025: -40000.0, 2030: 12000.0}  # per period (time_span 5)
AGES = np.arange(N) * Z
SEXES = ("female", "male")
path = lambda name: os.path.join(HERE, name)  # noqa: E731
HDR = ["time_start", "time_span", "sex", "age_start", "age_span", "value"]
span = lambda i: 1000 if i == N - 1 else Z  # noqa: E731

# Five-year lt_Sx to 100+ by time_start, from a single-year table to 100+ grouped into five-year L (docs/ccmpp.md A1).
Sx, rows = {}, []
a1 = np.arange(W + 1)
for k, t in enumerate(YEARS):
    for s, (c0, c1, c2, c3) in (("female", (0.02, 1.5e-4, 3.0e-5, 0.1)), ("male", (0.025, 3.0e-4, 6.0e-5, 0.095))):
        mx = (c0 * np.exp(-1.2 * a1) + c1 + c2 * np.exp(c3 * a1)) * (1.0 - 0.04 * k)
        _, _, lx, Lx = lt.single_year_table_from_mx(mx, s == "female")
        L5 = np.array([Lx[x:x + Z].sum() for x in range(0, W, Z)] + [Lx[W]])
        Sx[(t, s)] = lt.survival_from_Lx(L5, lx[0], Z, "five_year")
        rows += [["lt_Sx", t, Z, s, int(AGES[i]), span(i), float(Sx[(t, s)][i])] for i in range(N)]
lt.write_csv(path("life_table_age_sex.csv"), ["indicator"] + HDR, rows)

P0 = {"female": 30000.0 * np.exp(-0.012 * AGES) / (1 + np.exp(0.12 * (AGES - 82.0))),
      "male": 31000.0 * np.exp(-0.015 * AGES) / (1 + np.exp(0.13 * (AGES - 78.0)))}
P0["male"][N - 1] = 3.0  # a small open group that the negative total empties (the override)
P0["female"][2] = 50.0  # a small cohort 10-14: women 15-19 emptied in 2025 (override with even: births change)
lt.write_csv(path("pop_count_age_sex_base.csv"), HDR, [[BASE, 0, s, int(AGES[i]), span(i), float(P0[s][i])]
                                                       for s in SEXES for i in range(N)])

F = {t: np.where((AGES >= 15) & (AGES < 50), 0.09 * np.exp(-0.5 * ((AGES - 28.0) / 7.0) ** 2) * (1 - 0.05 * k), 0.0)
     for k, t in enumerate(YEARS)}
lt.write_csv(path("fert_rate_age_f.csv"), ["time_start", "time_span", "age_start", "age_span", "value"],
             [[t, Z, int(AGES[i]), Z, float(F[t][i])] for t in YEARS for i in range(3, 10)])
SRB = {2020: 1.06, 2025: 1.055, 2030: 1.05}
lt.write_csv(path("srb.csv"), ["time_start", "time_span", "value"], [[t, Z, SRB[t]] for t in YEARS])
lt.write_csv(path("mig_net_count_tot_b.csv"), ["time_start", "time_span", "value"], [[t, Z, TOTAL[t]] for t in YEARS])

# The age pattern: percentages by sex and age (summing to 100 over both sexes); the open group gets a large share for
# men so that the negative total of 2025 empties it (P + M <= 0: the override).
pattern = {"female": 4.0 * np.exp(-0.5 * ((AGES - 27.0) / 9.0) ** 2) + 0.1,
           "male": 5.0 * np.exp(-0.5 * ((AGES - 25.0) / 8.0) ** 2) + 0.1}
pattern["male"][N - 1] = 2.0
tot = sum(p.sum() for p in pattern.values())
pattern = {s: 100.0 * p / tot for s, p in pattern.items()}
lt.write_csv(path("mig_age_pattern.csv"), ["sex", "age_start", "value"],
             [[s, int(AGES[i]), float(pattern[s][i])] for s in SEXES for i in range(N)])
share_sum = sum(p.sum() for p in pattern.values())


def project(by_pattern):
    P = {s: P0[s].copy() for s in SEXES}
    out = {BASE: {s: P[s].copy() for s in SEXES}}
    for t in YEARS:
        if by_pattern:
            M = {s: TOTAL[t] * pattern[s] / share_sum for s in SEXES}
        else:
            ptot = P["female"].sum() + P["male"].sum()
            M = {s: TOTAL[t] * P[s] / ptot for s in SEXES}
        for s in SEXES:
            bad = P[s] + M[s] <= 0
            M[s][bad] = 0.00001 - P[s][bad]
        f, m = wpp.step(Z, P["female"], P["male"], Sx[(t, "female")], Sx[(t, "male")], F[t], SRB[t], M["female"],
                        M["male"], ASSUME[t])
        P = {"female": f, "male": m}
        out[t + Z] = {s: P[s].copy() for s in SEXES}
    return out


base = project(True)
pops = {("baseline", y): p for y, p in base.items()}
pops.update({("population", y): p for y, p in project(False).items()})
lt.write_expected(path("expected.csv"), pops, "X", "total", Z)
