# SPDX-License-Identifier: Apache-2.0
"""5x5 on 100+, two periods 2020 -> 2030, flow_policy = "wpp", every input a sheet of one XLSX workbook laid out as
ccmppWPP's input workbook (scenarios/README.md "Zero cells": "a sheet is read with `layer`"): pop_count_age_sex_base,
life_table_age_sex (lt_Sx and abridged lt_nLx rows, "both" rows among them), fert_rate_age_f, srb,
mig_net_count_age_sex, and the sheets that are not inputs (parameters, mig_parameter). Variant `lt-nLx`: the abridged
lt_nLx rows of the same sheet. Written from scenarios/README.md alone; expected.csv from numpy
(../outside5_reference.py), never calling cohortgis.
Run: /usr/bin/python3 make_case.py   (mutant: make_case.py --mutant DIR, the first step taken as `even`)
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import outside5_reference as o5  # noqa: E402

OUT, MUTANT = o5.out_dir(HERE, sys.argv)
Z, W, BASE, YEARS = 5, 100, 2020, [2020, 2025]
N = W // Z + 1
AGES = np.arange(N) * Z
TIMING = {2020: "even" if MUTANT else "end", 2025: "even"}

lt_rows, S, S_L = [], {}, {}
for t, f in ((2020, 1.0), (2025, 0.9)):
    for s, (a, d) in (("female", (0.02, 2.5e-5)), ("male", (0.026, 4.5e-5))):
        l, L1 = o5.gm_single_L(110, 100000.0, a=a * f, d=d * f)
        ab_ages, ab_L = o5.abridge(L1, 110)
        Lg = o5.fold_L(ab_ages, ab_L, Z, W)
        S[(t, s)] = o5.survival_from_L(Lg, 100000.0, Z)
        for x, v in zip(ab_ages, ab_L):
            span = 1 if x == 0 else (4 if x == 1 else (1000 if x == 110 else 5))
            lt_rows.append(["lt_nLx", t, 5, s, int(x), span, float(v)])
        # lt_Sx on the grid to 100+ (its own open age: the rows of this sheet stop at 100)
        S_L[(t, s)] = o5.survival_from_L(o5.fold_L(ab_ages, ab_L, Z, W), 100000.0, Z)
        lt_rows += [["lt_Sx", t, 5, s, int(AGES[i]), 1000 if i == N - 1 else 5, float(S_L[(t, s)][i])] for i in range(N)]
    lt_rows += [["lt_Sx", t, 5, "both", int(AGES[i]), 5, 0.5] for i in range(N)]

P0 = {"female": 2100.0 * np.exp(-0.011 * AGES) / (1 + np.exp(0.11 * (AGES - 78.0))),
      "male": 2150.0 * np.exp(-0.013 * AGES) / (1 + np.exp(0.12 * (AGES - 74.0)))}
P0["male"][N - 1] = 0.0  # men 100+: an empty cell (the override under end and even)
base_rows = [[BASE, 1, s, int(AGES[i]), 1000 if i == N - 1 else 5, float(P0[s][i])] for s in o5.SEXES for i in range(N)]

ASFR = {}
for t, tf in ((2020, 1.8), (2025, 1.6)):
    pat = np.where((AGES >= 15) & (AGES < 50), np.exp(-0.5 * ((AGES - 29.0) / 6.5) ** 2), 0.0)
    ASFR[t] = tf * pat / (5 * pat.sum())
fert_rows = [[t, 5, int(AGES[i]), 5, float(ASFR[t][i])] for t in YEARS for i in range(2, 11)]
SRB = {2020: 1.05, 2025: 1.06}
NET = {}
for k, t in enumerate(YEARS):
    for s in o5.SEXES:
        c = np.zeros(N)
        c[4:9] = (60.0 - 45 * k) * (1.0 if s == "female" else 1.2)
        c[15] = -P0[s][15] * 2.0 if k == 0 else -5.0  # more than the cell leaves: the override
        NET[(t, s)] = c
mig_rows = [[t, 5, s, int(AGES[i]), 5, float(NET[(t, s)][i])] for t in YEARS for s in o5.SEXES for i in range(N)]

o5.write_xlsx(os.path.join(OUT, "ccmppWPP_input.xlsx"), [
    ("parameters", ["parameter", "value"], [["Location", "Synthetic"], ["time_base", 2020]]),
    ("pop_count_age_sex_base", ["time_start", "time_span", "sex", "age_start", "age_span", "value"], base_rows),
    ("life_table_age_sex", ["indicator", "time_start", "time_span", "sex", "age_start", "age_span", "value"], lt_rows),
    ("fert_rate_age_f", ["time_start", "time_span", "age_start", "age_span", "value"], fert_rows),
    ("srb", ["time_start", "time_span", "value"], [[t, 5, SRB[t]] for t in YEARS]),
    ("mig_net_count_age_sex", ["time_start", "time_span", "sex", "age_start", "age_span", "value"], mig_rows),
    ("mig_parameter", ["indicator", "time_start", "time_span", "value"],
     [["mig_type", t, 5, "counts"] for t in YEARS] + [["mig_assumption", t, 5, TIMING[t]] for t in YEARS]),
])

rows = []
for variant, SS in (("baseline", S_L), ("lt-nLx", S)):
    P = {s: P0[s].copy() for s in o5.SEXES}
    rows += o5.expected_rows(variant, BASE, "X", "total", P, AGES)
    for t in YEARS:
        F = ASFR[t]
        P = o5.wpp_step(P, {s: SS[(t, s)] for s in o5.SEXES}, F, SRB[t], {s: NET[(t, s)] for s in o5.SEXES}, Z,
                        TIMING[t])
        rows += o5.expected_rows(variant, t + Z, "X", "total", P, AGES)
o5.write_expected(os.path.join(OUT, "expected.csv"), rows)
o5.finish_mutant(HERE, OUT, MUTANT)
