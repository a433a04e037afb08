# SPDX-License-Identifier: Apache-2.0
"""Writes the case's tables and expected.csv with ../ccmppwpp_loop_reference.py (ccmppWPP's loop and step; see
README.md). Plain numpy; never calls cohortgis."""
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(here))
import numpy as np  # noqa: E402

import ccmppwpp_loop_reference as R  # noqa: E402

z, W, base = 1, 100, 2020
ages = np.arange(0, W + 1)
years = (2020, 2021, 2022)
shape = np.exp(-0.01 * ages)
P = {"female": 1800.0 * shape, "male": 1850.0 * shape}
# women of reproductive age alternate between large and small single-year cohorts (factor 10): the births' exposure
# averages the women aged x at the start and at the end of the step (two different cohorts), not a cohort's two ends
odd = (ages % 2 == 1) & (ages >= 9) & (ages <= 55)
P["female"][odd] *= 0.1
S = {}
for k, t in enumerate(years):
    S[t] = {}
    for s, lift in (("female", 0.0), ("male", 0.0005)):
        v = 1 - (0.0003 + lift) * np.exp(0.072 * ages) - 0.0002 * k
        v[0] = 0.994 - 8 * lift
        v[-1] = 0.6 - 50 * lift
        S[t][s] = np.clip(v, 0.05, 0.9999)
# fert_pct_age_1x1: percent of the TFR by single age 10..54, summing to 100 (up to rounding in binary)
raw = {a: np.exp(-((a - 30.5) / 6.2) ** 2) + 0.002 for a in range(10, 55)}
total = sum(raw.values())
pasfr = {a: 100.0 * v / total for a, v in raw.items()}
tfr = {2020: 1.62, 2021: 1.55, 2022: 1.47}  # fert_rate_tot by time_start
# R/ccmppWPP_input_file.R:476: asfr = tfr * pasfr / 100
F = {t: np.array([tfr[t] * pasfr.get(int(a), 0.0) / 100 for a in ages]) for t in years}
srb = {2020: 1.048, 2021: 1.063, 2022: 1.052}
zero = {s: np.zeros(len(ages)) for s in R.SEXES}
mig = {t: ("counts", zero) for t in years}
timing = {t: "end" for t in years}
series = R.project(z, base, P, S, F, srb, mig, timing, len(years))
R.write_expected(here, series, ages)

R.write_csv(os.path.join(here, "pop_count_age_sex_base.csv"), ["time_start", "sex", "age_start", "value"],
            [[base, s, int(a), float(P[s][i])] for s in R.SEXES for i, a in enumerate(ages)])
R.write_csv(os.path.join(here, "life_table_age_sex.csv"), ["indicator", "time_start", "sex", "age_start", "value"],
            [["lt_Sx", t, s, int(a), float(S[t][s][i])] for t in years for s in R.SEXES for i, a in enumerate(ages)])
R.write_csv(os.path.join(here, "fert_pct_age_1x1.csv"), ["time_start", "age_start", "value"],
            [[t, a, float(v)] for t in years for a, v in pasfr.items()])
R.write_csv(os.path.join(here, "srb.csv"), ["time_start", "value"], [[t, v] for t, v in srb.items()])
