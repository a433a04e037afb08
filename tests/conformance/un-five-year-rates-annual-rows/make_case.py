# SPDX-License-Identifier: Apache-2.0
"""A 5x5 projection (two periods on 100+) from inputs given by single calendar year: SRB, ASFR, lt_Sx / lt_nLx and
net migration rates with rows for every time_start 2020 … 2029, of which a five-year step reads only its own start
year's (2020, 2025), as ccmppWPP's chained project_ccmpp_z_by_z calls do. Net migration as rates per period
(mig_type "rates") with mig_assumption even then end; base cells of 0 (override), a rate of -1 that empties a cell
in the "end" period so that the end cell falls below 0 (the floor, 0.0005). expected.csv comes from
../ccmppwpp_reference.py (ccmppWPP's loop, numpy), never calling cohortgis. Run: /usr/bin/python3 make_case.py
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import abridged_reference as ab  # noqa: E402  (plausible abridged life tables)
import ccmpp_reference as ref  # noqa: E402  (A1: five-year survival ratios from abridged Lx)
import ccmppwpp_reference as wpp  # noqa: E402

Z, W, BASE = 5, 100, 2020
YEARS = list(range(BASE, BASE + 10))  # annual time_start rows; the steps start in 2020 and 2025
A5 = np.arange(0, W + 1, Z)
XA = ab.abridged_ages(22)  # 0, 1, 5, …, 100
SEXES = ("female", "male")
path = lambda name: os.path.join(HERE, name)  # noqa: E731
HDR = ["time_start", "time_span", "sex", "age_start", "age_span", "value"]
span5 = lambda x: 1000 if x == W else Z  # noqa: E731
spanA = lambda x: 1000 if x == W else (1 if x == 0 else (4 if x == 1 else 5))  # noqa: E731
mid = np.array([0.5, 3.0] + [x + 2.5 for x in XA[2:-1]] + [103.0])

lt_rows = []
for k, t in enumerate(YEARS):
    for s in SEXES:
        c, b, base = (2.4e-5, 0.097, 1.7e-4) if s == "female" else (5.0e-5, 0.091, 3.6e-4)
        mx = base + c * np.exp(b * mid) / (1.0 + 0.8 * c * np.exp(b * mid))
        mx[0], mx[1] = (0.012, 0.0009) if s == "female" else (0.014, 0.0011)
        mx *= 0.992 ** k
        _, _, lx, Lx = ab.abridged_table(mx, s == "female")
        Sx = ref.survival_from_Lx(Lx, lx[0], Z, "abridged")
        for sex in (s, "both") if s == "female" else (s,):
            lt_rows += [["lt_nLx", t, Z, sex, int(x), spanA(x), float(v)] for x, v in zip(XA, Lx)]
            lt_rows += [["lt_Sx", t, Z, sex, int(x), span5(x), float(v)] for x, v in zip(A5, Sx)]
ref.write_csv(path("life_table_age_sex.csv"), ["indicator"] + HDR, lt_rows)

P = {"female": 42000.0 * np.exp(-0.012 * A5) / (1 + np.exp(0.11 * (A5 - 82.0))),
     "male": 43000.0 * np.exp(-0.015 * A5) / (1 + np.exp(0.12 * (A5 - 78.0)))}
P["female"][A5 == 95] = 0.0  # cells of 0: r · 0 = 0, the override gives them 0.00001
P["male"][A5 == 100] = 0.0
P["male"][A5 == 45] = 900.0  # a small cohort behind a large one: it ages into the row that the rate −1 empties
ref.write_csv(path("pop_count_age_sex_base.csv"), HDR, [[BASE, Z, s, int(x), span5(x), float(P[s][i])]
                                                        for s in SEXES for i, x in enumerate(A5)])
shape = np.where((A5 >= 15) & (A5 <= 45), np.exp(-0.5 * ((A5 + 2.5 - 30.0) / 6.5) ** 2), 0.0)
ref.write_csv(path("fert_rate_age_f.csv"), ["time_start", "time_span", "age_start", "age_span", "value"],
              [[t, Z, int(x), span5(x), float(shape[i] * (0.085 - 0.001 * k))]
               for k, t in enumerate(YEARS) for i, x in enumerate(A5)])
ref.write_csv(path("srb.csv"), ["time_start", "time_span", "value"], [[t, Z, 1.04 + 0.003 * k]
                                                                      for k, t in enumerate(YEARS)])
kinds = {2020: "even", 2025: "end"}
ref.write_csv(path("mig_parameter.csv"), ["indicator", "time_start", "time_span", "value"],
              [[ind, t, Z, v] for t in (2020, 2025) for ind, v in (("mig_type", "rates"), ("mig_assumption", kinds[t]))])
prof = np.exp(-0.5 * ((A5 + 2.5 - 27.0) / 8.0) ** 2)
rates = []
for k, t in enumerate(YEARS):
    R = {"female": 0.03 * prof * (1 - 0.02 * k), "male": -0.02 * prof * (1 - 0.02 * k)}
    R["male"][A5 == 55] = -1.0 if t == 2025 else 0.0  # empties male 55 in 2025; with "end" the end cell is below 0
    rates += [[t, Z, s, int(x), span5(x), float(R[s][i])] for s in SEXES for i, x in enumerate(A5)]
ref.write_csv(path("mig_net_rate_age_sex.csv"), HDR, rates)

files = {"pop": path("pop_count_age_sex_base.csv"), "life_table": path("life_table_age_sex.csv"),
         "fert": path("fert_rate_age_f.csv"), "srb": path("srb.csv"), "mig_parameter": path("mig_parameter.csv"),
         "rates": path("mig_net_rate_age_sex.csv")}
pops = wpp.project(files, Z, BASE, 2)
floored = [(s, int(x)) for s in SEXES for i, x in enumerate(A5) if pops[2030][s][i] == 0.0005]
print("cells at the floor in 2030:", floored)
assert floored, "the case should reach the floor"
ref.write_expected(path("expected.csv"), {(v, y): p for v in ("baseline", "Lx") for y, p in pops.items()}, "X", "total",
                   Z)
