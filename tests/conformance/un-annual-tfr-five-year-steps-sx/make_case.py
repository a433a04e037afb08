# SPDX-License-Identifier: Apache-2.0
"""Writes the case's tables and expected.csv (outside7_reference.py; see README.md). `--mutant DIR`: the same inputs
with each five-year step taking the TFR of its first year (time_start Y) instead of the mean of its five years."""
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(here))
import numpy as np  # noqa: E402

import outside7_reference as R  # noqa: E402

out, mutant = R.out_dir(here, sys.argv)
z, w = 5, 85
ages5 = np.arange(0, w + 1, z)
n = len(ages5)
# the UN's abridged Sx as lt_single2abridged places them: row 0 births -> 0-4, row 1 0-4 -> 5-9, row x (5 … w-10)
# x -> x+5, row w-5 the two oldest groups into w+, row w a placeholder 0
_, _, Sgrid = R.five_year_lt(1.2, w)
Sab = {s: [Sgrid[s][0]] + list(Sgrid[s][1:]) + [0.0] for s in R.SEXES}
sx_ages = [0, 1] + list(range(5, w + 1, 5))
assert len(Sab["female"]) == len(sx_ages)
pasfr = {15: 6, 20: 24, 25: 31, 30: 24, 35: 11, 40: 3, 45: 1}  # per cent of the TFR by five-year group, sum 100
tfr_by_time_start = {2020: 1.62, 2021: 1.58, 2022: 1.51, 2023: 1.49, 2024: 1.50, 2025: 1.52, 2026: 1.55, 2027: 1.57,
                     2028: 1.58, 2029: 1.60}
srb = 1.06
base = np.array([510., 530., 560., 600., 650., 700., 720., 690., 650., 600., 560., 520., 470., 400., 320., 230., 140.,
                 90.])
pop = {"female": base, "male": base * np.linspace(1.04, 0.6, n)}
rows = []
P = {s: pop[s].copy() for s in R.SEXES}
for t in (2020, 2025):
    tfr = tfr_by_time_start[t] if mutant else np.mean([tfr_by_time_start[y] for y in range(t, t + z)])
    F = np.array([tfr * pasfr.get(int(a), 0) / 100 / z for a in ages5])
    P, _, _ = R.un_step(P, Sgrid, F, srb, {s: np.zeros(n) for s in R.SEXES}, z, "even")
    rows += R.expected_rows("baseline", t + z, "X", "total", P, ages5)
R.save_expected(here, out, mutant, rows)
if not mutant:
    print("tfr = {" + ", ".join(f'"{y + 1}" = {v}' for y, v in tfr_by_time_start.items()) + " }")
    R.write_base(here, pop, ages5)
    R.write_csv(os.path.join(here, "life_table_age_sex.csv"), ["indicator", "time_start", "sex", "age_start", "value"],
                [["lt_Sx", t, s, a, float(Sab[s][i])] for t in (2020, 2025) for s in R.SEXES
                 for i, a in enumerate(sx_ages)])
    R.write_csv(os.path.join(here, "fert_pct_age_5x5.csv"), ["time_start", "age_start", "value"],
                [[t, a, v] for t in (2020, 2025) for a, v in pasfr.items()])
