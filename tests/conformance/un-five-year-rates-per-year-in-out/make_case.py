# SPDX-License-Identifier: Apache-2.0
"""5x5 on 85+, three periods 2020 -> 2035: migration given as annual rates and counts on five-year steps (`per =
"year"`, the default: x 5): net rates by `period` ("2021-2025" ...), emigration rates per person per year
(`out_rate`), immigrant counts in thousands per year (`in`, `unit = "thousands"`), all adding up into the step's net
migrants M = 5 r P - 5 o P + 5000 I; timing even, then end from 2030; five-year lt_Sx, ASFR, SRB. Written from
scenarios/README.md alone; expected.csv from numpy (../readme_reference.py), never calling cohortgis.
Run: /usr/bin/python3 make_case.py
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
PERIOD = {2020: "2021-2025", 2025: "2026-2030", 2030: "2031-2035"}
TIMING = {2020: "even", 2025: "even", 2030: "end"}
path = lambda name: os.path.join(HERE, name)  # noqa: E731
HDR = ["time_start", "time_span", "sex", "age_start", "age_span", "value"]

SX, rows = rr.gompertz_lt_sx(YEARS, W, HDR)
rr.write_csv(path("life_table_age_sex.csv"), ["indicator"] + HDR, rows)
P0 = {"female": 7000.0 * np.exp(-0.01 * AGES) / (1 + np.exp(0.1 * (AGES - 80.0))),
      "male": 7200.0 * np.exp(-0.013 * AGES) / (1 + np.exp(0.11 * (AGES - 76.0)))}
rr.write_csv(path("pop_count_age_sex_base.csv"), HDR,
             [[BASE, 0, s, int(AGES[i]), 1000 if i == N - 1 else 5, float(P0[s][i])] for s in rr.SEXES
              for i in range(N)])
F = {t: np.where((AGES >= 15) & (AGES < 50), 0.07 * np.exp(-0.5 * ((AGES - 28.0) / 7.0) ** 2), 0.0) * (1 - 0.03 * k)
     for k, t in enumerate(YEARS)}
rr.write_csv(path("fert_rate_age_f.csv"), ["time_start", "time_span", "age_start", "age_span", "value"],
             [[t, 5, int(AGES[i]), 5, float(F[t][i])] for t in YEARS for i in range(3, 10)])
rr.write_csv(path("srb.csv"), ["time_start", "time_span", "value"], [[2020, 5, 1.06]])
NET = {(t, s): (0.004 - 0.003 * k) * np.exp(-0.5 * ((AGES - 25.0) / 9.0) ** 2) for k, t in enumerate(YEARS)
       for s in rr.SEXES}
rr.write_csv(path("net_rates_per_year.csv"), ["period", "sex", "age", "value"],
             [[PERIOD[t], s, int(AGES[i]), float(NET[(t, s)][i])] for t in YEARS for s in rr.SEXES for i in range(N)
              if NET[(t, s)][i] != 0.0])
OUT = {s: np.full(N, 0.002 if s == "female" else 0.0025) for s in rr.SEXES}
rr.write_csv(path("out_rates_per_year.csv"), ["sex", "age", "value"],
             [[s, int(AGES[i]), float(OUT[s][i])] for s in rr.SEXES for i in range(N)])
IN = {s: 0.012 * np.exp(-0.5 * ((AGES - 30.0) / 10.0) ** 2) for s in rr.SEXES}  # thousands per year
rr.write_csv(path("immigrants_thousands_per_year.csv"), ["sex", "age", "value"],
             [[s, int(AGES[i]), float(IN[s][i])] for s in rr.SEXES for i in range(N)])


def project():
    P = {("X", "total", s): P0[s].copy() for s in rr.SEXES}
    out = [(BASE, P)]
    for t in YEARS:
        S = {("X", "total", s): SX[(t, s)] for s in rr.SEXES}
        M = {("X", "total", s): Z * NET[(t, s)] * P[("X", "total", s)] - Z * OUT[s] * P[("X", "total", s)]
             + Z * 1000.0 * IN[s] for s in rr.SEXES}
        P, _ = rr.step(P, S, {("X", "total"): F[t]}, {"X": 1.06}, M, TIMING[t], Z)
        out.append((t + Z, P))
    return out


rr.write_expected(path("expected.csv"), {"baseline": project()}, AGES)
