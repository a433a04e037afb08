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
years = (2020, 2021, 2022, 2023)
shape = np.exp(-0.012 * ages) * (1 + 0.05 * np.sin(ages / 4.0))
P = {"female": 1500.0 * shape, "male": 1560.0 * shape}
P["female"][0], P["male"][0] = 1000.0, 1040.0  # infants at the start: many more than this low fertility's births
S = {}
for k, t in enumerate(years):
    S[t] = {}
    for s, lift in (("female", 0.0), ("male", 0.0004)):
        v = 1 - (0.00025 + lift + 0.00001 * k) * np.exp(0.075 * ages)
        v[0] = 0.993 - 10 * lift
        v[-1] = 0.62 - lift * 100
        S[t][s] = np.clip(v, 0.05, 0.9999)
asfr = {a: 0.018 * np.exp(-((a - 29) / 6.0) ** 2) for a in range(10, 55)}  # TFR about 0.19: few births
F = {t: np.array([asfr.get(int(a), 0.0) for a in ages]) for t in years}
srb = {2020: 1.05, 2021: 1.06, 2022: 1.04, 2023: 1.055}
zero = np.zeros(len(ages))
counts = {}
for k, t in enumerate(years[:2]):
    counts[t] = {}
    for s, f in (("female", 1.0), ("male", 1.03)):
        c = zero.copy()
        c[20:35] = 12.0 * f
        c[60] = -30.0 * f
        counts[t][s] = c
# age 0 at the start of 2020: P0 + M0 <= 0, the override M0 = 0.00001 - P0; half of it (even) survives with the
# start's infants to age 1, the other half joins the newborns (fewer than P0 / 2: the floor)
counts[2020]["female"][0], counts[2020]["male"][0] = -1200.0, -1250.0
# age 0 in 2021 (end): the start's infants are the floored 0.0005; +150 migrants join the newborns as they are
counts[2021]["female"][0], counts[2021]["male"][0] = 150.0, 160.0
rates = {}
for k, t in enumerate(years[2:]):
    rates[t] = {}
    for s in R.SEXES:
        r = zero.copy()
        r[20:35] = 0.01
        rates[t][s] = r
# age 0 in 2022 (even): M0 = 0.8 * the start's infants; in 2023 (end): r = -1 (the override), the newborns lose as
# many as there were infants at the start: more than they are, the floor
rates[2022]["female"][0], rates[2022]["male"][0] = 0.8, 0.8
rates[2023]["female"][0], rates[2023]["male"][0] = -1.0, -1.0
mig = {2020: ("counts", counts[2020]), 2021: ("counts", counts[2021]), 2022: ("rates", rates[2022]),
       2023: ("rates", rates[2023])}
timing = {2020: "even", 2021: "end", 2022: "even", 2023: "end"}
series = R.project(z, base, P, S, F, srb, mig, timing, len(years))
for y, want in ((2021, True), (2022, False), (2023, False), (2024, True)):
    assert all((series[y][s][0] == 0.0005) == want for s in R.SEXES), y
R.write_expected(here, series, ages)
if "--show" in sys.argv:
    for y in series:
        print(y, series[y]["female"][:3], series[y]["male"][:3])

R.write_csv(os.path.join(here, "pop_count_age_sex_base.csv"), ["time_start", "sex", "age_start", "value"],
            [[base, s, int(a), float(P[s][i])] for s in R.SEXES for i, a in enumerate(ages)])
R.write_csv(os.path.join(here, "life_table_age_sex.csv"), ["indicator", "time_start", "sex", "age_start", "value"],
            [["lt_Sx", t, s, int(a), float(S[t][s][i])] for t in years for s in R.SEXES for i, a in enumerate(ages)])
R.write_csv(os.path.join(here, "fert_rate_age_f.csv"), ["time_start", "age_start", "value"],
            [[t, int(a), float(F[t][i])] for t in years for i, a in enumerate(ages) if 10 <= a <= 54])
R.write_csv(os.path.join(here, "srb.csv"), ["time_start", "value"], [[t, v] for t, v in srb.items()])
# the UN's tables hold every age of every time_start; the other mig_type's table holds 0 in those years
R.write_csv(os.path.join(here, "mig_net_count_age_sex.csv"), ["time_start", "sex", "age_start", "value"],
            [[t, s, int(a), float(counts[t][s][i]) if t in counts else 0.0]
             for t in years for s in R.SEXES for i, a in enumerate(ages)])
R.write_csv(os.path.join(here, "mig_net_rate_age_sex.csv"), ["time_start", "sex", "age_start", "value"],
            [[t, s, int(a), float(rates[t][s][i]) if t in rates else 0.0]
             for t in years for s in R.SEXES for i, a in enumerate(ages)])
