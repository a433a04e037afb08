# SPDX-License-Identifier: Apache-2.0
"""1x1 on 100+, three annual steps 2020 -> 2023, flow_policy = "wpp": the UN's abridged lt_nMx (0, 1, 5, …, 100+;
time_starts 2020 and 2022, 2020 held for 2021) graduated onto single years, then moved to e0 paths keyed by calendar
year by the Brass logit on the graduated single-year schedule (the standard of each step; a path without a key at
base_year starts there from the e0 of the step's own graduated schedule). ASFR, counts per step, even.
Written from scenarios/README.md alone (a sixth outside author); the graduation and the Brass logit are
../abridged_reference.py's and ../readme_reference.py's (earlier outside authors' readings of the same text), the step
../outside6_reference.py's; expected.csv from numpy, never calling cohortgis.
Run: /usr/bin/python3 make_case.py   (mutant: make_case.py --mutant DIR, the paths' start at base_year taken
from the abridged table's e0 instead of the graduated schedule's)
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
Z, W, BASE = 1, 100, 2020
STEPS = [2020, 2021, 2022]
TABLE_YEARS = [2020, 2022]
N = W + 1
AGES = np.arange(N)
AB = [0, 1] + list(range(5, W + 1, 5))
x = np.array(AB, float)
MX, rows = {}, []
for k, t in enumerate(TABLE_YEARS):
    for s, (b, c, inf, child) in (("female", (1.5e-4, 2.2e-5, 0.006, 4e-4)), ("male", (3e-4, 4e-5, 0.008, 5e-4))):
        MX[(t, s)] = (1 - 0.06 * k) * (b + c * np.exp(0.095 * x)) + inf * (x == 0) + child * (x == 1)
        rows += [[t, s, "lt_nMx", a, float(MX[(t, s)][j])] for j, a in enumerate(AB)]
o6.write_csv(os.path.join(OUT, "life_table_age_sex.csv"), ["time_start", "sex", "indicator", "age_start", "value"], rows)
# e0 paths by calendar year: female one key (2023), male keys 2022 and 2023; neither has a key at base_year 2020
PATHS = {"female": {2023: 86.0}, "male": {2022: 80.5, 2023: 81.0}}


def graduated_e0(t, s):
    fem = s == "female"
    return rr.e0_of(rr.single_table(ar.graduate_to_single(MX[(t, s)], fem, W), fem)[2])


def abridged_e0(t, s):
    _, _, lx, Lx = ar.abridged_table(MX[(t, s)], s == "female")
    return float(Lx.sum() / lx[0])


def target(path, e_base, year):
    """The path's value at a calendar year, with (base_year, e_base) as its first point; constant after its last key."""
    keys = sorted(path)
    pts = [(BASE, e_base)] + [(k, path[k]) for k in keys]
    if year >= pts[-1][0]:
        return pts[-1][1]
    for (y0, v0), (y1, v1) in zip(pts, pts[1:]):
        if y0 <= year <= y1:
            return v0 + (v1 - v0) * (year - y0) / (y1 - y0)


S = {}
for t in STEPS:
    ty = max(y for y in TABLE_YEARS if y <= t)
    for s in o6.SEXES:
        fem = s == "female"
        e_start = abridged_e0(ty, s) if MUTANT else graduated_e0(ty, s)
        e_tgt = target(PATHS[s], e_start, t + 1)  # z = 1: the path's value at t + 1
        m1 = rr.brass_to_e0(ar.graduate_to_single(MX[(ty, s)], fem, W), fem, e_tgt)
        S[(t, s)] = rr.survival_single(rr.single_table(m1, fem)[2])

P0 = {"female": 600.0 * np.exp(-0.008 * AGES) / (1 + np.exp(0.1 * (AGES - 83.0))),
      "male": 620.0 * np.exp(-0.01 * AGES) / (1 + np.exp(0.1 * (AGES - 79.0)))}
o6.write_csv(os.path.join(OUT, "pop_count_age_sex_base.csv"), ["sex", "age_start", "value"],
             [[s, int(a), float(P0[s][a])] for s in o6.SEXES for a in AGES])
F = np.zeros(N)
xa = np.arange(15, 50)
F[15:50] = 1.5 * np.exp(-0.5 * ((xa - 30.0) / 5.5) ** 2) / np.exp(-0.5 * ((xa - 30.0) / 5.5) ** 2).sum()
o6.write_csv(os.path.join(OUT, "fert_rate_age_f.csv"), ["age_start", "value"], [[int(a), float(F[a])] for a in xa])
NET = {s: np.where((AGES >= 20) & (AGES < 35), 2.5, np.where(AGES >= 90, -0.2, 0.0)) for s in o6.SEXES}
o6.write_csv(os.path.join(OUT, "mig_net_count_age_sex.csv"), ["sex", "age_start", "value"],
             [[s, int(a), float(NET[s][a])] for s in o6.SEXES for a in AGES if NET[s][a] != 0])

out = []
P = {s: P0[s].copy() for s in o6.SEXES}
out += o6.expected_rows("baseline", BASE, "X", "total", P, AGES)
for t in STEPS:
    P = o6.project(P, {s: S[(t, s)] for s in o6.SEXES}, F, 1.05, NET, Z, "even")
    out += o6.expected_rows("baseline", t + Z, "X", "total", P, AGES)
o6.write_expected(os.path.join(OUT, "expected.csv"), out)
o6.finish_mutant(HERE, OUT, MUTANT)
if not MUTANT:
    print("graduated schedules' e0:", {f"{t} {s}": round(graduated_e0(t, s), 4) for t in TABLE_YEARS for s in o6.SEXES})
