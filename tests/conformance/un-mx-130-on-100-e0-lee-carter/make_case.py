# SPDX-License-Identifier: Apache-2.0
"""1x1 on 100+, two annual steps 2020 -> 2022, flow_policy = "wpp": single-year lt_nMx to 130+ (closed at 100 keeping
person-years) moved to e0 targets by the Brass logit on the closed table (the standard is the schedule as placed on
the grid); variant `lee-carter`: `lee_carter = { drift }` on the closed table, b_x = 1 / 101 (its rows 0 … 100+), t = 1
and 2; variant `abridged-lee-carter`: the abridged rows 0, 1, 5, …, 100+ graduated to single years, then the same
drift with b_x = 1 / 101 (the graduated rows, not the 22 given ones). ASFR, counts per step, end.
Written from scenarios/README.md alone (a sixth outside author); the single-year tables, the Brass logit and the
graduation are ../readme_reference.py's and ../abridged_reference.py's, the step ../outside6_reference.py's;
expected.csv from numpy, never calling cohortgis.
Run: /usr/bin/python3 make_case.py   (mutant: make_case.py --mutant DIR, Lee-Carter on the table's own 131 rows before
it is closed at 100)
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import abridged_reference as ar  # noqa: E402
import outside6_reference as o6  # noqa: E402
import readme_reference as rr  # noqa: E402

OUT, MUTANT = o6.out_dir(HERE, sys.argv)
Z, W, TOP, BASE = 1, 100, 130, 2020
STEPS = [2020, 2021]
N = W + 1
AGES = np.arange(N)
a = np.arange(TOP + 1, dtype=float)
MX = {"female": np.minimum(1.5e-4 + 2.2e-5 * np.exp(0.095 * a) + 0.006 * (a == 0), 1.5),
      "male": np.minimum(3e-4 + 4e-5 * np.exp(0.093 * a) + 0.008 * (a == 0), 1.5)}
o6.write_csv(os.path.join(OUT, "lt_nMx.csv"), ["sex", "age_start", "value"],
             [[s, int(x), float(MX[s][x])] for s in o6.SEXES for x in range(TOP + 1)])
AB = [0, 1] + list(range(5, W + 1, 5))
xb = np.array(AB, float)
MXA = {"female": 1.4e-4 + 2.1e-5 * np.exp(0.096 * xb) + 0.005 * (xb == 0) + 3e-4 * (xb == 1),
       "male": 2.8e-4 + 3.9e-5 * np.exp(0.094 * xb) + 0.007 * (xb == 0) + 4e-4 * (xb == 1)}
o6.write_csv(os.path.join(OUT, "lt_nMx_abridged.csv"), ["sex", "age_start", "value"],
             [[s, a_, float(MXA[s][j])] for s in o6.SEXES for j, a_ in enumerate(AB)])
E0 = {"female": {2021: 86.0, 2022: 86.5}, "male": {2021: 81.0, 2022: 81.6}}  # the path's values at t + 1
DRIFT = -2.5


def closed(m, fem):
    """README "Mortality": the table built on its own ages 0 … 130, closed at 100 with m = l(100) / T(100)."""
    _, l, L = rr.single_table(m, fem)
    return np.concatenate([m[:W], [l[W] / L[W:].sum()]])


def S_of(m, fem):
    return rr.survival_single(rr.single_table(m, fem)[2])


P0 = {"female": 700.0 * np.exp(-0.008 * AGES) / (1 + np.exp(0.1 * (AGES - 84.0))),
      "male": 720.0 * np.exp(-0.01 * AGES) / (1 + np.exp(0.1 * (AGES - 80.0)))}
P0["female"][100] += 40.0
P0["male"][100] += 20.0
o6.write_csv(os.path.join(OUT, "pop_count_age_sex_base.csv"), ["sex", "age_start", "value"],
             [[s, int(x), float(P0[s][x])] for s in o6.SEXES for x in AGES])
F = np.zeros(N)
xa = np.arange(15, 50)
F[15:50] = 1.55 * np.exp(-0.5 * ((xa - 30.5) / 5.5) ** 2) / np.exp(-0.5 * ((xa - 30.5) / 5.5) ** 2).sum()
o6.write_csv(os.path.join(OUT, "fert_rate_age_f.csv"), ["age_start", "value"], [[int(x), float(F[x])] for x in xa])
NET = {s: np.where((AGES >= 22) & (AGES < 38), 3.0, np.where(AGES >= 95, -0.5, 0.0)) for s in o6.SEXES}
o6.write_csv(os.path.join(OUT, "mig_net_count_age_sex.csv"), ["sex", "age_start", "value"],
             [[s, int(x), float(NET[s][x])] for s in o6.SEXES for x in AGES if NET[s][x] != 0])

rows = []
for variant in ("baseline", "lee-carter", "abridged-lee-carter"):
    P = {s: P0[s].copy() for s in o6.SEXES}
    rows += o6.expected_rows(variant, BASE, "X", "total", P, AGES)
    for k, t in enumerate(STEPS):
        S = {}
        for s in o6.SEXES:
            fem = s == "female"
            if variant == "baseline":
                S[s] = S_of(rr.brass_to_e0(closed(MX[s], fem), fem, E0[s][t + 1]), fem)
            elif variant == "lee-carter":
                if MUTANT:
                    S[s] = S_of(closed(MX[s] * np.exp(DRIFT * (k + 1) / (TOP + 1)), fem), fem)
                else:
                    S[s] = S_of(closed(MX[s], fem) * np.exp(DRIFT * (k + 1) / N), fem)
            else:
                S[s] = S_of(ar.graduate_to_single(MXA[s], fem, W) * np.exp(DRIFT * (k + 1) / N), fem)
        P = o6.project(P, S, F, 1.05, NET, Z, "end")
        rows += o6.expected_rows(variant, t + Z, "X", "total", P, AGES)
o6.write_expected(os.path.join(OUT, "expected.csv"), rows)
o6.finish_mutant(HERE, OUT, MUTANT)
