# SPDX-License-Identifier: Apache-2.0
"""1x1 on 100+, three annual steps 2020 -> 2023, flow_policy = "wpp": ccmppWPP's input workbook saved as OpenDocument
(ODS, as LibreOffice saves the UN's .xlsx), every input a sheet read with `layer` (the first sheet, `parameters`, is
not an input). Sheets in the UN's long layout with `time_span` and `age_span` columns (equal numbers side by side
written as one repeated cell), a run of empty rows below each table. Single-year `lt_nLx` to 110+ (folded into
T100), ASFR 15-49, SRB by time_start, net counts to 110 (summed into 100+) with a cell emptied (override), timing end,
even, end; variant `rates`: `mig_net_rate_age_sex` instead (mig_type "rates").
Written from scenarios/README.md alone; expected.csv from numpy (../outside6_reference.py), never calling cohortgis.
Run: /usr/bin/python3 make_case.py   (mutant: make_case.py --mutant DIR, the counts of ages 101 ... 110
dropped instead of summed into 100+)
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import outside5_reference as o5  # noqa: E402  (synthetic life tables only)
import outside6_reference as o6  # noqa: E402

OUT, MUTANT = o6.out_dir(HERE, sys.argv)
Z, W, TOP, BASE = 1, 100, 110, 2020
YEARS = [2020, 2021, 2022]
TIMING = {2020: "end", 2021: "even", 2022: "end"}
N = W + 1
AGES = np.arange(N)
ALL = np.arange(TOP + 1)

S, lt = {}, []
for k, t in enumerate(YEARS):
    for s, (a, d) in (("female", (0.012, 2.2e-5)), ("male", (0.015, 4.1e-5))):
        l, L = o5.gm_single_L(TOP, 100000.0, a=a * (1 - 0.05 * k), d=d * (1 - 0.02 * k))
        S[(t, s)] = o6.ratios(o6.grid_L(ALL, L, Z, W), 100000.0, Z)
        lt += [[t, 1, s, int(x), 1000 if x == TOP else 1, "lt_nLx", float(L[x])] for x in ALL]
        lt += [[t, 1, s, int(x), 1000 if x == TOP else 1, "lt_lx", float(l[x])] for x in ALL]
    lt += [[t, 1, "both", int(x), 1, "lt_nLx", 50000.0] for x in range(3)]

P0all = {"female": 700.0 * np.exp(-0.011 * ALL) / (1 + np.exp(0.11 * (ALL - 84.0))),
         "male": 720.0 * np.exp(-0.013 * ALL) / (1 + np.exp(0.11 * (ALL - 80.0)))}
P0all["male"][97] = 0.0  # a cell of 0
base = [[BASE, 1, s, int(x), 1000 if x == TOP else 1, float(P0all[s][x])] for s in o6.SEXES for x in ALL]
P0 = {s: o6.grid_L(ALL, P0all[s], Z, W) for s in o6.SEXES}  # rows 100 ... 110 summed into 100+

ASFR = {}
for k, t in enumerate(YEARS):
    x = np.arange(15, 50)
    pat = np.exp(-0.5 * ((x - 29.0 - 0.2 * k) / 6.0) ** 2)
    f = np.zeros(N)
    f[15:50] = (1.65 - 0.04 * k) * pat / pat.sum()
    ASFR[t] = f
fert = [[t, 1, int(x), 1, float(ASFR[t][x])] for t in YEARS for x in range(15, 50)]
SRB = {2020: 1.06, 2021: 1.055, 2022: 1.05}

NET, RATE = {}, {}
for k, t in enumerate(YEARS):
    for s in o6.SEXES:
        c = np.zeros(TOP + 1)
        c[18:35] = 3.0 - k
        c[60:70] = -1.25
        c[97] = -2.0  # the empty male cell (and a female one it would empty: override)
        c[100:] = 0.125  # summed into 100+
        if s == "female":
            c[97] = -float(P0all["female"][97]) - 5.0
        NET[(t, s)] = c
        r = np.zeros(TOP + 1)
        r[20:30] = 0.004 * (1 + k)
        r[70:80] = -0.002
        r[100:] = -0.001  # one rate from 100 on
        RATE[(t, s)] = r
mig = [[t, 1, s, int(x), 1000 if x == TOP else 1, float(NET[(t, s)][x])] for t in YEARS for s in o6.SEXES for x in ALL]
rate = [[t, 1, s, int(x), 1000 if x == TOP else 1, float(RATE[(t, s)][x])] for t in YEARS for s in o6.SEXES for x in ALL]

o6.write_ods(os.path.join(OUT, "ccmppWPP_input.ods"), [
    ("parameters", ["parameter", "value"], [["Location", "Country"], ["projection_start_year", BASE]]),
    ("pop_count_age_sex_base", ["time_start", "time_span", "sex", "age_start", "age_span", "value"], base),
    ("life_table_age_sex", ["time_start", "time_span", "sex", "age_start", "age_span", "indicator", "value"], lt),
    ("fert_rate_age_f", ["time_start", "time_span", "age_start", "age_span", "value"], fert),
    ("srb", ["time_start", "time_span", "value"], [[t, 1, SRB[t]] for t in YEARS]),
    ("mig_net_count_age_sex", ["time_start", "time_span", "sex", "age_start", "age_span", "value"], mig),
    ("mig_net_rate_age_sex", ["time_start", "time_span", "sex", "age_start", "age_span", "value"], rate),
], trailing_blank_rows=1000)


def run(variant, counts):
    P = {s: P0[s].copy() for s in o6.SEXES}
    rows = o6.expected_rows(variant, BASE, "X", "total", P, AGES)
    for t in YEARS:
        if counts:
            M = {s: o6.grid_L(ALL, NET[(t, s)], Z, W) for s in o6.SEXES}
        else:
            M = {s: RATE[(t, s)][:N] * P[s] for s in o6.SEXES}
        if MUTANT and counts:  # the counts past 100 dropped instead of summed into 100+
            M = {s: np.append(M[s][:W], NET[(t, s)][W]) for s in o6.SEXES}
        P = o6.project(P, {s: S[(t, s)] for s in o6.SEXES}, ASFR[t], SRB[t], M, Z, TIMING[t])
        rows += o6.expected_rows(variant, t + Z, "X", "total", P, AGES)
    return rows


o6.write_expected(os.path.join(OUT, "expected.csv"), run("baseline", True) + run("rates", False))
o6.finish_mutant(HERE, OUT, MUTANT)
