# SPDX-License-Identifier: Apache-2.0
"""Writes the case's tables and expected.csv with ../ccmppwpp_loop_reference.py (ccmppWPP's loop and step; see
README.md). Plain numpy; never calls cohortgis."""
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(here))
import numpy as np  # noqa: E402

import ccmppwpp_loop_reference as R  # noqa: E402

z, W, base = 5, 85, 2020
ages = np.arange(0, W + 1, z)
years = (2020, 2025, 2030)
shape = np.exp(-0.018 * ages) * (1 + 0.08 * np.cos(ages / 7.0))
P = {"female": 10400.0 * shape, "male": 10900.0 * shape}
P["male"][ages == 80] = 0.0  # an empty cell: P + M = 0 with any total, the override gives it 0.00001
# lt_Sx by age at arrival (row 0: births to 0-4; the open row: T85/T80), different each period
S = {}
for k, t in enumerate(years):
    S[t] = {}
    for s, lift in (("female", 0.0), ("male", 0.004)):
        v = 1 - (0.0012 + lift + 0.00002 * k) * np.exp(0.085 * ages)
        v[0] = 0.975 - lift - 0.002 * k
        v[-1] = 0.36 - lift
        S[t][s] = np.clip(v, 0.05, 0.999)
# ASFR by five-year group 10-14 ... 50-54 (the UN's 10-54), non-zero at both ends
asfr = {10: 0.004, 15: 0.045, 20: 0.11, 25: 0.125, 30: 0.095, 35: 0.05, 40: 0.016, 45: 0.004, 50: 0.0009}
F = {t: np.array([asfr.get(int(a), 0.0) * (1 - 0.04 * k) for a in ages]) for k, t in enumerate(years)}
srb = {2020: 1.05, 2025: 1.072, 2030: 1.041}
total_pop = sum(P[s].sum() for s in R.SEXES)
# the 2025 total, about -2 times the population of 2025, empties every cell
totals = {2020: 31000.0, 2025: -1.6 * (total_pop + 31000.0 * 2), 2030: 52000.0}
timing = {2020: "end", 2025: "even", 2030: "end"}
mig = {t: ("totals", totals[t]) for t in years}
series = R.project(z, base, P, S, F, srb, mig, timing, len(years))
assert all((series[2030][s] == 0.0005).sum() >= 8 for s in R.SEXES), "the 2025 step must floor most cells"
R.write_expected(here, series, ages)

R.write_csv(os.path.join(here, "pop_count_age_sex_base.csv"), ["time_start", "sex", "age_start", "value"],
            [[base, s, int(a), float(P[s][i])] for s in R.SEXES for i, a in enumerate(ages)])
R.write_csv(os.path.join(here, "life_table_age_sex.csv"), ["indicator", "time_start", "sex", "age_start", "value"],
            [["lt_Sx", t, s, int(a), float(S[t][s][i])] for t in years for s in R.SEXES for i, a in enumerate(ages)])
R.write_csv(os.path.join(here, "fert_rate_age_f.csv"), ["time_start", "age_start", "value"],
            [[t, int(a), float(F[t][i])] for t in years for i, a in enumerate(ages) if 10 <= a <= 50])
R.write_csv(os.path.join(here, "srb.csv"), ["time_start", "value"], [[t, v] for t, v in srb.items()])
R.write_csv(os.path.join(here, "mig_net_count_tot_b.csv"), ["time_start", "value"], [[t, v] for t, v in totals.items()])
if "--show" in sys.argv:
    for y in series:
        print(y, series[y]["female"][:5], series[y]["female"][-3:], series[y]["male"][-3:])
