# SPDX-License-Identifier: Apache-2.0
"""5x5 on 100+ (the table's own open age), three periods 2020 -> 2035, with cells driven to zero and kept there:
counts/end that empty women 25-34 (the override, then the floor 0.0005 where the arriving cohort is smaller), rates/even
that meet the floored cells (a rate of -1 on a floored cell: the override again), counts/even that empty the open
group. Mortality as the UN's abridged lt_nLx (rows 0, 1, 5, ..., 100+, radix 100000); variant "Sx": the five-year
lt_Sx of the same table. Written from scenarios/README.md alone; expected.csv from ../ccmppwpp_reference.py's project
(ccmppWPP's loop re-implemented from its R source, reading the long tables' lt_Sx rows), never calling cohortgis.
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
YEARS = [2020, 2025, 2030]
KIND = {2020: ("counts", "end"), 2025: ("rates", "even"), 2030: ("counts", "even")}
AGES = np.arange(N) * Z
AB = [0, 1] + list(range(5, W + 1, 5))  # abridged rows
SEXES = ("female", "male")
path = lambda name: os.path.join(HERE, name)  # noqa: E731
HDR = ["time_start", "time_span", "sex", "age_start", "age_span", "value"]
span = lambda i: 1000 if i == N - 1 else Z  # noqa: E731

rows, a1 = [], np.arange(W + 1)
for k, t in enumerate(YEARS):
    for s, (c0, c1, c2, c3) in (("female", (0.03, 2.0e-4, 4.0e-5, 0.095)), ("male", (0.035, 3.5e-4, 7.0e-5, 0.09))):
        mx = (c0 * np.exp(-1.1 * a1) + c1 + c2 * np.exp(c3 * a1)) * (1.0 - 0.05 * k)
        _, _, lx, Lx = lt.single_year_table_from_mx(mx, s == "female")
        Lab = np.array([Lx[0], Lx[1:5].sum()] + [Lx[x:x + Z].sum() for x in range(5, W, Z)] + [Lx[W]])
        S = lt.survival_from_Lx(Lab, lx[0], Z, "abridged")
        rows += [["lt_nLx", t, Z, s, a, 1 if a == 0 else (4 if a == 1 else (1000 if a == W else Z)), float(v)]
                 for a, v in zip(AB, Lab)]
        rows += [["lt_Sx", t, Z, s, int(AGES[i]), span(i), float(S[i])] for i in range(N)]
        rows += [["lt_lx", t, Z, s, 0, 1, float(lx[0])]]
lt.write_csv(path("life_table_age_sex.csv"), ["indicator"] + HDR, rows)

P0 = {"female": 20000.0 * np.exp(-0.01 * AGES) / (1 + np.exp(0.11 * (AGES - 80.0))),
      "male": 21000.0 * np.exp(-0.013 * AGES) / (1 + np.exp(0.12 * (AGES - 76.0)))}
P0["female"][1] = 300.0  # small cohorts 5-9 and 25-29 that arrive at 10-14 and 30-34 under emptied cells
P0["female"][5] = 2000.0
lt.write_csv(path("pop_count_age_sex_base.csv"), HDR, [[BASE, 0, s, int(AGES[i]), span(i), float(P0[s][i])]
                                                       for s in SEXES for i in range(N)])
F = {t: np.where((AGES >= 15) & (AGES < 50), 0.1 * np.exp(-0.5 * ((AGES - 29.0) / 7.0) ** 2), 0.0) for t in YEARS}
lt.write_csv(path("fert_rate_age_f.csv"), ["time_start", "time_span", "age_start", "age_span", "value"],
             [[t, Z, int(AGES[i]), span(i), float(F[t][i])] for t in YEARS for i in range(N)])
lt.write_csv(path("srb.csv"), ["time_start", "time_span", "value"], [[t, Z, v] for t, v in zip(YEARS, (1.05, 1.07, 1.04))])
lt.write_csv(path("mig_parameter.csv"), ["indicator", "time_start", "time_span", "value"],
             [[ind, t, Z, KIND[t][j]] for t in YEARS for j, ind in enumerate(("mig_type", "mig_assumption"))])

counts, rates = [], []
for k, t in enumerate(YEARS):
    for s in SEXES:
        c, r = np.zeros(N), np.zeros(N)
        if t == 2020:
            c = (900.0 if s == "female" else 600.0) * np.exp(-0.5 * ((AGES - 25.0) / 10.0) ** 2) - 40.0
            if s == "female":
                c[[2, 5, 6]] = -1e6  # women 10-14, 25-29, 30-34 emptied: the override, then floors at the end
        if t == 2025:
            r = (0.05 if s == "female" else -0.04) * np.exp(-0.5 * ((AGES - 30.0) / 12.0) ** 2)
            if s == "female":
                r[[2, 6]] = -1.0  # the floored cells 10-14 and 30-34: -1 x 0.0005, override again
        if t == 2030:
            c = (-120.0 if s == "female" else 150.0) * np.exp(-0.5 * ((AGES - 35.0) / 9.0) ** 2)
            c[N - 1] = -1e5 if s == "male" else 0.0  # the open group emptied with even timing
        counts += [[t, Z, s, int(AGES[i]), span(i), float(c[i])] for i in range(N)]
        rates += [[t, Z, s, int(AGES[i]), span(i), float(r[i])] for i in range(N)]
lt.write_csv(path("mig_net_count_age_sex.csv"), HDR, counts)
lt.write_csv(path("mig_net_rate_age_sex.csv"), HDR, rates)

out = wpp.project({"pop": path("pop_count_age_sex_base.csv"), "life_table": path("life_table_age_sex.csv"),
                   "fert": path("fert_rate_age_f.csv"), "srb": path("srb.csv"),
                   "mig_parameter": path("mig_parameter.csv"), "counts": path("mig_net_count_age_sex.csv"),
                   "rates": path("mig_net_rate_age_sex.csv")}, Z, BASE, len(YEARS))
floors = sum(int((p[s] == 0.0005).sum()) for p in out.values() for s in SEXES)
assert floors >= 2, floors
print("floored cells:", floors)
lt.write_expected(path("expected.csv"), {(v, y): p for v in ("baseline", "Sx") for y, p in out.items()}, "X", "total", Z)
