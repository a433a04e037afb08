# SPDX-License-Identifier: Apache-2.0
"""Writes the case's tables and expected.csv (outside7_reference.py; see README.md). `--mutant DIR`: the same
inputs with Greville's 5-9 nax replaced by the constant-hazard nax when outside [2, 3] (the guard from age 5, not 10)."""
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(here))
import numpy as np  # noqa: E402

import outside7_reference as R  # noqa: E402

out, mutant = R.out_dir(here, sys.argv)
z, W = 5, 130
ages5 = np.arange(0, W + 1, z)
# UN (1982) Model Life Tables for Developing Countries, first Latin American model, males (p. 34; DemoTools' lt_a_un
# example), rows 0, 1, 5, …, 80, 85; extended to 130 by a logistic (Kannisto) tail through its 85+ rate.
latin_m = [.23669, .04672, .00982, .00511, .00697, .01036, .01169, .01332, .01528, .01757, .02092, .02517, .03225,
           .04241, .06056, .08574, .11840, .16226, .23745]
tail_ages = np.arange(90, W + 1, 5)
tail = R.kannisto_tail(tail_ages, .23745 / (1 - .23745), 0.08, 85)
mx = {"male": np.array(latin_m + list(tail)), "female": np.array([.2] + [v * 0.85 for v in latin_m[1:]] +
                                                                 list(0.85 * tail))}
lab = [0, 1] + list(range(5, W + 1, 5))
assert len(mx["male"]) == len(lab)

pop = {"female": np.zeros(len(ages5)), "male": np.zeros(len(ages5))}
shape = np.exp(-0.035 * ages5)
pop["female"] = np.where(ages5 <= 100, 1850.0 * shape, 0.0)  # thousands, as the UN's inputs; empty from 105
pop["male"] = np.where(ages5 <= 95, 1910.0 * shape, 0.0)
asfr = {15: 0.085, 20: 0.24, 25: 0.23, 30: 0.18, 35: 0.12, 40: 0.05, 45: 0.012}
F = np.array([asfr.get(int(a), 0.0) for a in ages5])
srb = 1.05

guard = 5 if mutant else 10
S = {}
for s in R.SEXES:
    _, ax, l, L = R.abridged_lt(mx[s], s, rule="cd", region="w", guard_from_age=guard)
    S[s] = R.survival(R.grid_L_abridged(L), l[0], z)

P = {s: pop[s].copy() for s in R.SEXES}
rows = []
for t in (2020, 2025):
    P, _, _ = R.un_step(P, S, F, srb, {s: np.zeros(len(ages5)) for s in R.SEXES}, z, "even")
    rows += R.expected_rows("baseline", t + z, "X", "total", P, ages5)
R.save_expected(here, out, mutant, rows)
if not mutant:
    R.write_base(here, pop, ages5)
    R.write_csv(os.path.join(here, "lt_nMx.csv"), ["time_start", "sex", "age_start", "value"],
                [[t, s, a, float(mx[s][i])] for t in (2020, 2025) for s in R.SEXES for i, a in enumerate(lab)])
    R.write_csv(os.path.join(here, "fert_rate_age_f.csv"), ["time_start", "age_start", "value"],
                [[t, a, v] for t in (2020, 2025) for a, v in asfr.items()])
    R.write_csv(os.path.join(here, "srb.csv"), ["time_start", "value"], [[2020, srb], [2025, srb]])
