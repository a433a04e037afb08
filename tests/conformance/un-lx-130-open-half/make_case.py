# SPDX-License-Identifier: Apache-2.0
"""The UN's single-year life table to 130+ read by the lx and qx routes (reshaped into columns), with DemoTools'
closure of 130+ (nAx = 0.5: L130 = l130 / 2, whatever lt_nMx says there), against ccmppWPP's loop on the lt_Sx of
the same table. The open row's `mx` column carries 1 / lt_nAx = 2 (scenarios/README.md "Long life tables"); variant
`mx`: lt_nMx with open_ax = 0.5; variant `Sx`: lt_Sx as given. Counts with mig_assumption even/end/even by
time_start, a base cell of 0 (override). expected.csv comes from ../ccmppwpp_reference.py (ccmppWPP's loop, numpy),
never calling cohortgis. Run: /usr/bin/python3 make_case.py
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import ccmpp_reference as lt  # noqa: E402  (the single-year life table from mx: AK a0, ax = 0.5)
import ccmppwpp_reference as wpp  # noqa: E402

W, BASE = 130, 2020
YEARS = [BASE, BASE + 1, BASE + 2]
A = np.arange(W + 1)
SEXES = ("female", "male")
path = lambda name: os.path.join(HERE, name)  # noqa: E731
HDR = ["time_start", "time_span", "sex", "age_start", "age_span", "value"]
span = lambda x: 1000 if x == W else 1  # noqa: E731

# The UN's life table by time_start 2020 and 2022 (2021 has its own rows too: ccmppWPP reads every time_start).
long_rows, wide_rows = [], []
for k, t in enumerate(YEARS):
    for s, (c0, c1, c2, c3) in (("female", (0.0065, 1.3e-4, 2.0e-5, 0.103)), ("male", (0.0082, 2.9e-4, 4.8e-5, 0.096))):
        mx = (c0 * np.exp(-1.3 * A) + c1 + c2 * np.exp(c3 * A) / (1 + c2 * np.exp(c3 * A))) * 0.99 ** k
        ax, qx, lx, Lx = lt.single_year_table_from_mx(mx, s == "female")
        ax[W] = 0.5  # DemoTools' lt_single_mx on 0..130: nAx = 0.5 in the open row, L130 = l130 / 2
        Lx[W] = 0.5 * lx[W]
        Sx = lt.survival_from_Lx(Lx, lx[0], 1)
        for sex in (s, "both") if s == "male" else (s,):
            for ind, v in (("lt_nMx", mx), ("lt_nAx", ax), ("lt_nqx", qx), ("lt_lx", lx), ("lt_nLx", Lx), ("lt_Sx", Sx)):
                long_rows += [[ind, t, 1, sex, int(x), span(x), float(v[x])] for x in A]
        # Reshaped by the author: one row per time_start, sex and age; mx = lt_nMx, but 1 / lt_nAx in the open row.
        mx_col = mx.copy()
        mx_col[W] = 1.0 / ax[W]
        wide_rows += [[t, s, int(x), float(lx[x]), float(qx[x]), float(ax[x]), float(mx_col[x])] for x in A]
lt.write_csv(path("life_table_age_sex.csv"), ["indicator"] + HDR, long_rows)
lt.write_csv(path("life_table_columns.csv"), ["time_start", "sex", "age_start", "lt_lx", "lt_nqx", "lt_nAx", "mx"],
             wide_rows)

P = {"female": 8800.0 * np.exp(-0.011 * A) / (1 + np.exp(0.115 * (A - 87.0))),
     "male": 9300.0 * np.exp(-0.013 * A) / (1 + np.exp(0.125 * (A - 83.0)))}
P["male"][118] = 0.0  # the loop keeps it; its override gives 0.00001 (no migrants there)
lt.write_csv(path("pop_count_age_sex_base.csv"), HDR, [[BASE, 0, s, int(x), span(x), float(P[s][x])] for s in SEXES
                                                       for x in A])
shape = np.where((A >= 15) & (A <= 49), np.exp(-0.5 * ((A - 30.0) / 6.0) ** 2), 0.0)
lt.write_csv(path("fert_rate_age_f.csv"), ["time_start", "time_span", "age_start", "age_span", "value"],
             [[t, 1, int(x), span(x), float(shape[x] * (0.105 - 0.003 * k))] for k, t in enumerate(YEARS) for x in A])
lt.write_csv(path("srb.csv"), ["time_start", "time_span", "value"], [[t, 1, 1.05] for t in YEARS])
kinds = {2020: "even", 2021: "end", 2022: "even"}
lt.write_csv(path("mig_parameter.csv"), ["indicator", "time_start", "time_span", "value"],
             [[ind, t, 1, v] for t in YEARS for ind, v in (("mig_type", "counts"), ("mig_assumption", kinds[t]))])
profile = np.exp(-0.5 * ((A - 26.0) / 8.0) ** 2)
counts = []
for k, t in enumerate(YEARS):
    M = {"female": 40.0 * profile, "male": -25.0 * profile}
    M["female"][105] = -500.0 if t == 2021 else 0.0  # empties the cell in 2021 (override; "end": floor not needed)
    counts += [[t, 1, s, int(x), span(x), float(M[s][x])] for s in SEXES for x in A]
lt.write_csv(path("mig_net_count_age_sex.csv"), HDR, counts)

files = {"pop": path("pop_count_age_sex_base.csv"), "life_table": path("life_table_age_sex.csv"),
         "fert": path("fert_rate_age_f.csv"), "srb": path("srb.csv"), "mig_parameter": path("mig_parameter.csv"),
         "counts": path("mig_net_count_age_sex.csv")}
pops = wpp.project(files, 1, BASE, len(YEARS))
lt.write_expected(path("expected.csv"), {(v, y): p for v in ("baseline", "qx", "mx", "Sx") for y, p in pops.items()},
                  "X", "total", 1)
