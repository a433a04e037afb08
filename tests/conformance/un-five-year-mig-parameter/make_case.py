# SPDX-License-Identifier: Apache-2.0
"""ccmppWPP's 5x5 projection (z = 5, five-year groups 0..100+, steps 2020 -> 2035) with every input in thousands as
ccmppWPP would be given them, and a mig_parameter that changes by period: totals/end, counts/even, rates/end. Mortality
is the UN's long life table: five-year lt_Sx (DemoTools' lt_id_Ll_S with N = 5, ages at arrival) beside the abridged
lt_nLx (rows 0, 1, 5, ..., 100+) it comes from. The scenario is written from scenarios/README.md "Reproducing the UN's
projections" alone; expected.csv comes from ../ccmppwpp_reference.py (ccmppWPP's loop and step re-implemented in numpy
from its R source), never calling cohortgis.
Run: /usr/bin/python3 make_case.py
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import ccmpp_reference as lt  # noqa: E402  (only its life table from mx, to make plausible tables)
import ccmppwpp_reference as wpp  # noqa: E402

Z, W, BASE = 5, 100, 2020
PERIODS = [BASE, BASE + 5, BASE + 10]
A1 = np.arange(131)
G = np.arange(0, W + 1, Z)
ABR = np.array([0, 1] + list(range(5, W + 1, 5)))
SEXES = ("female", "male")
path = lambda name: os.path.join(HERE, name)  # noqa: E731
HDR = ["time_start", "time_span", "sex", "age_start", "age_span", "value"]
span = lambda x: 1000 if x == W else Z  # noqa: E731

rows = []
for k, t in enumerate(PERIODS):
    for s, (c0, c1, c2, c3) in (("female", (0.02, 2.0e-4, 3.0e-5, 0.098)), ("male", (0.024, 4.0e-4, 6.5e-5, 0.09))):
        mx1 = (c0 * np.exp(-1.2 * A1) + c1 + c2 * np.exp(c3 * A1) / (1 + c2 * np.exp(c3 * A1))) * 0.93 ** k
        _, _, lx1, Lx1 = lt.single_year_table_from_mx(mx1, s == "female")
        bounds = list(ABR) + [131]
        L = np.array([Lx1[bounds[j]:bounds[j + 1]].sum() for j in range(len(ABR))])  # abridged, T100 in the last row
        lx = lx1[ABR]
        Sx = lt.survival_from_Lx(L, lx[0], Z, "abridged")  # rows 0, 5, ..., 100 (ages at arrival)
        for sex in (s, "both") if s == "male" else (s,):
            for ind, v, ages in (("lt_lx", lx, ABR), ("lt_nLx", L, ABR), ("lt_Sx", Sx, G)):
                widths = np.diff(list(ages) + [W + 1000])
                rows += [[ind, t, Z, sex, int(x), int(widths[j]) if x < W else 1000, float(v[j])]
                         for j, x in enumerate(ages)]
lt.write_csv(path("life_table_age_sex.csv"), ["indicator"] + HDR, rows)

# Base population in thousands.
P = {"female": 412.5 * np.exp(-0.011 * G) / (1 + np.exp(0.12 * (G - 82.0))),
     "male": 431.25 * np.exp(-0.013 * G) / (1 + np.exp(0.13 * (G - 78.0)))}
lt.write_csv(path("pop_count_age_sex_base.csv"), HDR, [[BASE, 0, s, int(x), span(x), float(P[s][j])] for s in SEXES
                                                       for j, x in enumerate(G)])

shape = np.where((G >= 15) & (G <= 45), np.exp(-0.5 * ((G - 28.0) / 7.0) ** 2), 0.0)
lt.write_csv(path("fert_rate_age_f.csv"), ["time_start", "time_span", "age_start", "age_span", "value"],
             [[t, Z, int(x), span(x), float(shape[j] * (0.105 - 0.006 * k))] for k, t in enumerate(PERIODS)
              for j, x in enumerate(G)])
lt.write_csv(path("srb.csv"), ["time_start", "time_span", "value"], [[t, Z, 1.06 - 0.004 * k]
                                                                     for k, t in enumerate(PERIODS)])

kinds = {2020: ("totals", "end"), 2025: ("counts", "even"), 2030: ("rates", "end")}
lt.write_csv(path("mig_parameter.csv"), ["indicator", "time_start", "time_span", "value"],
             [[ind, t, Z, kinds[t][j]] for t in PERIODS for j, ind in enumerate(("mig_type", "mig_assumption"))])
profile = np.exp(-0.5 * ((G - 27.0) / 10.0) ** 2)
counts, rates = [], []
for t in PERIODS:
    for s in SEXES:
        c = np.zeros(len(G))
        r = np.zeros(len(G))
        if kinds[t][0] == "counts":  # thousands over the period
            c = (6.5 if s == "female" else -4.25) * profile - 0.125
            if s == "female":
                c[G == 95] = -1000.0  # empties the cell: the WPP override keeps 0.00001 (thousands here)
        if kinds[t][0] == "rates":  # per person over the period
            r = (0.03 if s == "female" else -0.045) * profile - 0.002
            if s == "male":
                r[G == 100] = -1.0  # override; the arriving cohort is smaller than the open group: floor 0.0005
        counts += [[t, Z, s, int(x), span(x), float(c[j])] for j, x in enumerate(G)]
        rates += [[t, Z, s, int(x), span(x), float(r[j])] for j, x in enumerate(G)]
lt.write_csv(path("mig_net_count_age_sex.csv"), HDR, counts)
lt.write_csv(path("mig_net_rate_age_sex.csv"), HDR, rates)
lt.write_csv(path("mig_net_count_tot_b.csv"), ["time_start", "time_span", "value"],
             [[t, Z, -37.75 if kinds[t][0] == "totals" else 0.0] for t in PERIODS])

out = wpp.project({"pop": path("pop_count_age_sex_base.csv"), "life_table": path("life_table_age_sex.csv"),
                   "fert": path("fert_rate_age_f.csv"), "srb": path("srb.csv"),
                   "mig_parameter": path("mig_parameter.csv"), "counts": path("mig_net_count_age_sex.csv"),
                   "rates": path("mig_net_rate_age_sex.csv"), "totals": path("mig_net_count_tot_b.csv")},
                  Z, BASE, len(PERIODS))
floors = [(y, s) for y, p in out.items() for s in SEXES if (p[s] == 0.0005).any()]
print("floored:", floors)
lt.write_expected(path("expected.csv"), {(v, y): p for v in ("baseline", "Lx") for y, p in out.items()}, "X",
                  "total", Z)
