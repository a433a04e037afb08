# SPDX-License-Identifier: Apache-2.0
"""Writes the case's tables and expected.csv with ../ccmppwpp_loop_reference.py (ccmppWPP's loop and step; see
README.md). Plain numpy; never calls cohortgis. `--mutant DIR` writes the same tables with an expected.csv whose
births use the women at the end after the floor (0.0005) instead of before it: run_case.py must fail on it."""
import os
import shutil
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(here))
import numpy as np  # noqa: E402

import ccmppwpp_loop_reference as R  # noqa: E402

out = here
mutant = "--mutant" in sys.argv
if mutant:
    out = sys.argv[sys.argv.index("--mutant") + 1]
    os.makedirs(out, exist_ok=True)

z, W, base = 5, 85, 2020
ages = np.arange(0, W + 1, z)
years = (2020, 2025)
shape = np.exp(-0.02 * ages)
P = {"female": 9000.0 * shape, "male": 9300.0 * shape}
# a small cohort of women aged 15-19 and 20-24 in 2020 (a war's or an epidemic's birth deficit)
P["female"][ages == 15] = 150.0
P["female"][ages == 20] = 350.0
S = {}
for k, t in enumerate(years):
    S[t] = {}
    for s, lift in (("female", 0.0), ("male", 0.003)):
        v = 1 - (0.0011 + lift) * np.exp(0.088 * ages)
        v[0] = 0.982 - lift - 0.003 * k
        v[-1] = 0.38 - lift
        S[t][s] = np.clip(v, 0.05, 0.999)
asfr = {15: 0.04, 20: 0.12, 25: 0.14, 30: 0.1, 35: 0.05, 40: 0.012, 45: 0.002}
F = {t: np.array([asfr.get(int(a), 0.0) for a in ages]) for t in years}
srb = {2020: 1.06, 2025: 1.045}
zero = np.zeros(len(ages))
counts = {s: zero.copy() for s in R.SEXES}
# 2020, even: women 20-24 and 25-29 leave in large numbers but fewer than there are (no override): half leave at the
# start, half at the end, and the younger cohorts arriving are too small to cover the end half: end cells below 0
counts["female"][ages == 20] = -340.0
counts["female"][ages == 25] = -P["female"][ages == 25][0] * 0.97
counts["male"][ages == 30] = 250.0
rates = {s: zero.copy() for s in R.SEXES}
# 2025, even: a rate of -0.9 for women 30-34, whose arriving cohort (25-29 in 2025) was floored: below 0 again
rates["female"][ages == 30] = -0.9
rates["male"][ages == 40] = 0.05
mig = {2020: ("counts", counts), 2025: ("rates", rates)}
timing = {2020: "even", 2025: "even"}
if mutant:  # births from the floored end population: the floor moved before the births
    real_step = R.step

    def floored_step(z, P, S, F, srb, M, assumption):
        Q0, _ = real_step(z, P, S, F, 1.0, M, assumption)
        A = P["female"] + M["female"] / 2
        Fm = F.copy()
        Fm[0] = Fm[-1] = 0.0
        B = (z * Fm * (A + Q0["female"]) / 2).sum()
        Q, _ = real_step(z, P, S, np.zeros_like(F), srb, M, assumption)
        girls = B / (1 + srb)
        Q["female"][0] = max(girls * S["female"][0] + M["female"][0] / 2, 0.0005)
        Q["male"][0] = max((B - girls) * S["male"][0] + M["male"][0] / 2, 0.0005)
        return Q, B

    R.step = floored_step
series = R.project(z, base, P, S, F, srb, mig, timing, len(years))
if not mutant:
    assert (series[2025]["female"][(ages >= 20) & (ages <= 25)] == 0.0005).all()
    assert series[2030]["female"][ages == 30][0] == 0.0005
R.write_expected(out, series, ages)
if mutant:
    for f in os.listdir(here):
        if f.endswith(".csv") and f != "expected.csv" or f in ("scenario.toml", "README.md"):
            shutil.copy(os.path.join(here, f), os.path.join(out, f))
    sys.exit(0)

R.write_csv(os.path.join(here, "pop_count_age_sex_base.csv"), ["time_start", "sex", "age_start", "value"],
            [[base, s, int(a), float(P[s][i])] for s in R.SEXES for i, a in enumerate(ages)])
R.write_csv(os.path.join(here, "life_table_age_sex.csv"), ["indicator", "time_start", "sex", "age_start", "value"],
            [["lt_Sx", t, s, int(a), float(S[t][s][i])] for t in years for s in R.SEXES for i, a in enumerate(ages)])
R.write_csv(os.path.join(here, "fert_rate_age_f.csv"), ["time_start", "age_start", "value"],
            [[t, int(a), float(F[t][i])] for t in years for i, a in enumerate(ages) if 10 <= a <= 50])
R.write_csv(os.path.join(here, "srb.csv"), ["time_start", "value"], [[t, v] for t, v in srb.items()])
R.write_csv(os.path.join(here, "mig_net_count_age_sex.csv"), ["time_start", "sex", "age_start", "value"],
            [[t, s, int(a), float(counts[s][i]) if t == 2020 else 0.0]
             for t in years for s in R.SEXES for i, a in enumerate(ages)])
R.write_csv(os.path.join(here, "mig_net_rate_age_sex.csv"), ["time_start", "sex", "age_start", "value"],
            [[t, s, int(a), float(rates[s][i]) if t == 2025 else 0.0]
             for t in years for s in R.SEXES for i, a in enumerate(ages)])
