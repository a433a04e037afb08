# SPDX-License-Identifier: Apache-2.0
"""ccmppWPP on its own grid (single years 0..130+, annual steps 2020 -> 2025) with a mig_parameter whose mig_type and
mig_assumption change every year: counts/even, rates/end, totals/even, counts/end, rates/even. The scenario is written
from scenarios/README.md "Reproducing the UN's projections" alone; expected.csv comes from ../ccmppwpp_reference.py
(ccmppWPP's loop and step re-implemented in numpy from its R source), never calling cohortgis.
Run: /usr/bin/python3 make_case.py
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import ccmpp_reference as lt  # noqa: E402  (only its life table from mx, to make plausible lt_Sx values)
import ccmppwpp_reference as wpp  # noqa: E402

W, BASE = 130, 2020
YEARS = [BASE + k for k in range(5)]
A = np.arange(W + 1)
SEXES = ("female", "male")
path = lambda name: os.path.join(HERE, name)  # noqa: E731
HDR = ["time_start", "time_span", "sex", "age_start", "age_span", "value"]
span = lambda x: 1000 if x == W else 1  # noqa: E731

# The UN's long life table: lt_nMx, lt_nLx, lt_Sx by time_start for female, male and a "both" copy (not projected).
rows = []
for k, t in enumerate(YEARS):
    for s, (c0, c1, c2, c3) in (("female", (0.007, 1.4e-4, 2.2e-5, 0.101)), ("male", (0.009, 3.1e-4, 5.1e-5, 0.094))):
        mx = (c0 * np.exp(-1.4 * A) + c1 + c2 * np.exp(c3 * A) / (1 + c2 * np.exp(c3 * A))) * 0.985 ** k
        _, _, lx, Lx = lt.single_year_table_from_mx(mx, s == "female")
        Lx[W] = 0.5 * lx[W]  # DemoTools' lt_single_mx on ages 0..130: nAx = 0.5 in the open row too, L130 = l130 / 2
        Sx = lt.survival_from_Lx(Lx, lx[0], 1)
        for sex in (s, "both") if s == "male" else (s,):
            for ind, v in (("lt_nMx", mx), ("lt_nLx", Lx), ("lt_Sx", Sx)):
                rows += [[ind, t, 1, sex, int(x), span(x), float(v[x])] for x in A]
lt.write_csv(path("life_table_age_sex.csv"), ["indicator"] + HDR, rows)

# Base population (persons) with one cell of 0 (male 110; no migrants there in 2020, so the override gives 0.00001).
P = {"female": 9000.0 * np.exp(-0.012 * A) / (1 + np.exp(0.11 * (A - 88.0))),
     "male": 9400.0 * np.exp(-0.014 * A) / (1 + np.exp(0.12 * (A - 84.0)))}
P["male"][110] = 0.0
lt.write_csv(path("pop_count_age_sex_base.csv"), HDR, [[BASE, 0, s, int(x), span(x), float(P[s][x])] for s in SEXES
                                                       for x in A])

# ASFR by single age and time_start (rows 0..130, 0 outside 15..49), SRB by time_start.
shape = np.where((A >= 15) & (A <= 49), np.exp(-0.5 * ((A - 29.0) / 6.0) ** 2), 0.0)
lt.write_csv(path("fert_rate_age_f.csv"), ["time_start", "time_span", "age_start", "age_span", "value"],
             [[t, 1, int(x), span(x), float(shape[x] * (0.11 - 0.004 * k))] for k, t in enumerate(YEARS) for x in A])
lt.write_csv(path("srb.csv"), ["time_start", "time_span", "value"], [[t, 1, 1.05 + 0.002 * k]
                                                                     for k, t in enumerate(YEARS)])

# mig_parameter and the three migration tables, each with rows for every time_start, 0 where another type is used.
kinds = {2020: ("counts", "even"), 2021: ("rates", "end"), 2022: ("totals", "even"), 2023: ("counts", "end"),
         2024: ("rates", "even")}
lt.write_csv(path("mig_parameter.csv"), ["indicator", "time_start", "time_span", "value"],
             [[ind, t, 1, kinds[t][j]] for t in YEARS for j, ind in enumerate(("mig_type", "mig_assumption"))])
profile = np.exp(-0.5 * ((A - 27.0) / 9.0) ** 2)
counts, rates = [], []
for k, t in enumerate(YEARS):
    for s in SEXES:
        c = np.zeros(W + 1)
        r = np.zeros(W + 1)
        if kinds[t][0] == "counts":
            c = (300.0 if s == "female" else -200.0) * profile + (25.0 if t == 2020 else -15.0)
            if t == 2020 and s == "female":
                c[100] = -1e6  # empties the cell: the WPP override keeps 0.00001
            if t == 2020 and s == "male":
                c[110] = 0.0  # a 0 cell without migrants: P + M = 0, so the override gives it M = 0.00001
            if t == 2023 and s == "male":
                c[95] = -1e6  # the override, and the cohort arriving at 95 is smaller: the floor of 0.0005
        if kinds[t][0] == "rates":
            r = (0.012 if s == "female" else -0.02) * profile - 0.001 * (k + 1)
            if s == "male":
                r[102] = -1.0
        counts += [[t, 1, s, int(x), span(x), float(c[x])] for x in A]
        rates += [[t, 1, s, int(x), span(x), float(r[x])] for x in A]
lt.write_csv(path("mig_net_count_age_sex.csv"), HDR, counts)
lt.write_csv(path("mig_net_rate_age_sex.csv"), HDR, rates)
lt.write_csv(path("mig_net_count_tot_b.csv"), ["time_start", "time_span", "value"],
             [[t, 1, -4321.5 if kinds[t][0] == "totals" else 0.0] for t in YEARS])

out = wpp.project({"pop": path("pop_count_age_sex_base.csv"), "life_table": path("life_table_age_sex.csv"),
                   "fert": path("fert_rate_age_f.csv"), "srb": path("srb.csv"),
                   "mig_parameter": path("mig_parameter.csv"), "counts": path("mig_net_count_age_sex.csv"),
                   "rates": path("mig_net_rate_age_sex.csv"), "totals": path("mig_net_count_tot_b.csv")},
                  1, BASE, len(YEARS))
assert any((p["male"] == 0.0005).any() for p in out.values()), "the floor must be exercised"
lt.write_expected(path("expected.csv"), {(v, y): p for v in ("baseline", "Lx", "mx") for y, p in out.items()}, "X", "total", 1)
