# SPDX-License-Identifier: Apache-2.0
"""5x5 on 100+, two periods 2020 -> 2030, flow_policy = "wpp": mortality from the `Sx` column of a life table in the
layout of the UN's WPP abridged files (rows 0, 1-4, 5-9, ..., 100+, read with `wpp = { location }`), whose survival
ratios sit where DemoTools' lt_single2abridged puts them: row 0 births -> 0-4, row 1 ages 0-4 -> 5-9, row x (5 ... 90)
ages x -> x+5, row 95 T100/T95, row 100+ a 0. expected.csv from numpy (../outside5_reference.py): the grid's survival
ratios computed from the table's Lx by docs/ccmpp.md A1, not from its Sx column; never calls cohortgis.
Run: /usr/bin/python3 make_case.py   (mutant: make_case.py --mutant DIR, the Sx rows read by their own age labels:
group x takes the row at age x, the open group the row 100+)
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
LOC = ["900", "XWD", "Synthetic country", "Medium"]  # LocID, ISO3_code, Location, Variant
HEADER = ["LocID", "ISO3_code", "Location", "Variant", "Time", "Sex", "AgeGrp", "AgeGrpStart", "AgeGrpSpan",
          "lx", "Lx", "Sx"]

S, rows = {}, []
for t, f in ((2020, 1.0), (2025, 0.9)):
    for s, sex, (a, d) in (("female", "Female", (0.02, 2.0e-5)), ("male", "Male", (0.026, 3.5e-5))):
        l, L1 = o5.gm_single_L(W, 100000.0, a=a * f, d=d * f)
        ab_ages, ab_L = o5.abridge(L1, W)  # 1L0, 4L1, 5L5, ..., T100
        Lg = o5.fold_L(ab_ages, ab_L, Z, W)  # 5L0 = 1L0 + 4L1, ..., T100
        S[(t, s)] = o5.survival_from_L(Lg, 100000.0, Z)  # by the age group at the end of the step (A1)
        # The published layout, written from DemoTools' definition: the grid's ratio of group i on abridged row i.
        sx = list(S[(t, s)]) + [0.0]
        if MUTANT:  # group x read from the row labelled x: 0 -> row 0, 5 -> row 5 (10-14's ratio), ..., 100 -> 0
            by_age = dict(zip(ab_ages, sx))
            S[(t, s)] = np.array([by_age[int(x)] for x in AGES])
        for j, x in enumerate(ab_ages):
            span = 1 if x == 0 else 4 if x == 1 else -1 if x == W else 5
            label = "%d+" % x if x == W else "%d" % x if span == 1 else "%d-%d" % (x, x + span - 1)
            rows.append(LOC[:3] + [LOC[3], t, sex, label, x, span, float(l[x]), float(ab_L[j]), float(sx[j])])
o5.write_csv(os.path.join(OUT, "life_table_abridged.csv"), HEADER, rows)

P0 = {"female": 900.0 * np.exp(-0.012 * AGES) / (1 + np.exp(0.12 * (AGES - 82.0))),
      "male": 920.0 * np.exp(-0.014 * AGES) / (1 + np.exp(0.12 * (AGES - 78.0)))}
o5.write_csv(os.path.join(OUT, "base.csv"), ["sex", "age", "population"],
             [[s, int(x), float(P0[s][i])] for s in o5.SEXES for i, x in enumerate(AGES)])
F = np.zeros(N)
F[3:10] = [0.015, 0.07, 0.11, 0.09, 0.045, 0.012, 0.001]
o5.write_csv(os.path.join(OUT, "asfr.csv"), ["age", "value"], [[int(x), float(F[i])] for i, x in enumerate(AGES)])
# Net counts per step, the same in both periods; 95-99 male emptied (the override).
YOUNG = (AGES >= 20) & (AGES <= 40)
M = {"female": np.where(YOUNG, 12.0, -1.5), "male": np.where(YOUNG, 15.0, -2.0)}
M["male"][AGES == 95] = -50.0
o5.write_csv(os.path.join(OUT, "net.csv"), ["sex", "age", "value"],
             [[s, int(x), float(M[s][i])] for s in o5.SEXES for i, x in enumerate(AGES)])

timing = {2020: "end", 2025: "even"}
pop, out = P0, []
out += o5.expected_rows("baseline", BASE, "XWD", "total", pop, AGES)
for t in YEARS:
    pop = o5.wpp_step(pop, {s: S[(t, s)] for s in o5.SEXES}, F, 1.05, M, Z, timing[t])
    out += o5.expected_rows("baseline", t + Z, "XWD", "total", pop, AGES)
o5.write_expected(os.path.join(OUT, "expected.csv"), out)
o5.finish_mutant(HERE, OUT, MUTANT)
