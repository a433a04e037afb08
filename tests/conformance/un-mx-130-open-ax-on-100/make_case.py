# SPDX-License-Identifier: Apache-2.0
"""The UN's single-year lt_nMx to 130+ with open_ax = 0.5 (DemoTools' closure, L130 = l130 / 2) on a single-year
projection to 100+: the table built on 0 … 130 and closed at 100 keeping its person-years (m100+ = l100 / T100), the
base population to 130 summed into 100+, mig_type "totals" (mig_net_count_tot_b, per step) spread as the start
population, even then end. expected.csv: ../ccmpp_reference.py (single-year table from mx, A1 with T100 in the
open row, A2-A3), never calling cohortgis. Run: /usr/bin/python3 make_case.py
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import ccmpp_reference as ref  # noqa: E402

TOP, W, BASE, STEPS = 130, 100, 2020, 3
A = np.arange(TOP + 1)
SEXES = ("female", "male")
path = lambda name: os.path.join(HERE, name)  # noqa: E731
HDR = ["time_start", "time_span", "sex", "age_start", "age_span", "value"]
span = lambda x: 1000 if x == TOP else 1  # noqa: E731
fold = lambda v: np.concatenate([v[:W], [v[W:].sum()]])  # noqa: E731

MX, rows = {}, []
for k, t in enumerate((2020, 2021, 2022)):
    for s, (c0, c1, c2, c3) in (("female", (0.0061, 1.2e-4, 2.1e-5, 0.102)), ("male", (0.0077, 2.8e-4, 4.6e-5, 0.095))):
        MX[(t, s)] = (c0 * np.exp(-1.35 * A) + c1 + c2 * np.exp(c3 * A) / (1 + c2 * np.exp(c3 * A))) * 0.988 ** k
        for sex in (s, "both") if s == "male" else (s,):
            rows += [["lt_nMx", t, 1, sex, int(x), span(x), float(MX[(t, s)][x])] for x in A]
ref.write_csv(path("life_table_age_sex.csv"), ["indicator"] + HDR, rows)

P = {"female": 8700.0 * np.exp(-0.010 * A) / (1 + np.exp(0.112 * (A - 88.0))),
     "male": 9100.0 * np.exp(-0.012 * A) / (1 + np.exp(0.121 * (A - 84.0)))}
ref.write_csv(path("pop_count_age_sex_base.csv"), HDR, [[BASE, 0, s, int(x), span(x), float(P[s][x])] for s in SEXES
                                                        for x in A])
F = np.where((A >= 15) & (A <= 49), np.exp(-0.5 * ((A - 30.5) / 6.0) ** 2), 0.0)
F *= 1.45 / F.sum()
ref.write_csv(path("fert_rate_age_f.csv"), ["time_start", "time_span", "age_start", "age_span", "value"],
              [[BASE, 1, int(x), span(x), float(F[x])] for x in A])
ref.write_csv(path("srb.csv"), ["time_start", "time_span", "value"], [[BASE, 1, 1.055]])
TOT = {2020: 6500.0, 2021: -4200.0, 2022: 3100.0}
ref.write_csv(path("mig_net_count_tot_b.csv"), ["time_start", "time_span", "value"],
              [[t, 1, v] for t, v in TOT.items()])
TIMING = {2020: "even", 2021: "end", 2022: "end"}

pop = {s: fold(P[s]) for s in SEXES}
pops = {BASE: pop}
for k in range(STEPS):
    t = BASE + k
    S = {}
    for s in SEXES:
        mx = MX[(t, s)].copy()
        mx[TOP] = 1.0 / 0.5  # open_ax = 0.5: the open group lives 0.5 l130 person-years
        _, _, lx, Lx = ref.single_year_table_from_mx(mx, s == "female")
        S[s] = ref.survival_from_Lx(fold(Lx), lx[0], 1)  # closed at 100 keeping person-years: L100 = T100
    tot = pop["female"].sum() + pop["male"].sum()
    M = {s: TOT[t] * pop[s] / tot for s in SEXES}
    pop = ref.step(pop, S, F[: W + 1], 1.055, M, 1, TIMING[t])
    pops[t + 1] = pop
ref.write_expected(path("expected.csv"), {("baseline", y): p for y, p in pops.items()}, "X", "total", 1)
