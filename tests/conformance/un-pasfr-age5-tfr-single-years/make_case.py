# SPDX-License-Identifier: Apache-2.0
"""1x1 on 100+, three annual steps 2020 -> 2023, flow_policy = "wpp": the UN's five-year pasfr (percent of the TFR by
group 15-19 … 45-49, summing to 100; two time_starts, 2020 held for 2021) given as a shape without `unit`,
graduated onto single years with `schedule_age_width = 5` (Hyman-filtered spline of the cumulative schedule) and
rescaled to the TFR of fert_rate_tot keyed at time_start + 1 (ASFR = TFR · f / Σ f on the single-year grid).
Variant `mean-age`: a mean-age path shifts each step's graduated schedule first. Variant `asfr`: the UN's
single-year ASFR (fert_rate_age_f) instead, `schedule_age_width`, `tfr` switched off with `false`.
Written from scenarios/README.md alone; expected.csv from numpy (../outside6_reference.py), never calling cohortgis.
Run: /usr/bin/python3 make_case.py   (mutant: make_case.py --mutant DIR, the pasfr spread evenly over each group's
five ages instead of graduated)
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import outside5_reference as o5  # noqa: E402  (synthetic life tables only)
import outside6_reference as o6  # noqa: E402

OUT, MUTANT = o6.out_dir(HERE, sys.argv)
Z, W, BASE = 1, 100, 2020
STEPS = [2020, 2021, 2022]
N = W + 1
AGES = np.arange(N)
PASFR = {2020: np.array([4.1, 21.3, 31.8, 24.9, 12.6, 4.4, 0.9]), 2022: np.array([3.2, 18.7, 31.0, 27.4, 14.6, 4.2, 0.9])}
TFR = {2021: 1.6, 2022: 1.5, 2023: 1.45}  # fert_rate_tot of time_start 2020, 2021, 2022 keyed at Y + 1
MEAN_AGE = {2021: 30.5, 2022: 31.0, 2023: 31.5}  # the path {"2021" = 30.5, "2023" = 31.5}
MEAN_AGE_DOWN = {2021: 27.25, 2022: 27.25, 2023: 27.25}  # below the schedules' own: a shift to younger ages
for t in PASFR:
    PASFR[t] = PASFR[t] * 100 / PASFR[t].sum()
o6.write_csv(os.path.join(OUT, "fert_pct_age_5x5.csv"), ["time_start", "age_start", "value"],
             [[t, 15 + 5 * j, float(v)] for t in PASFR for j, v in enumerate(PASFR[t])])
# the UN's rows 10-14 … 50-54, the first and last of rate 0: knots 10 … 55 (flat at both ends)
o6.write_csv(os.path.join(OUT, "fert_pct_age_5x5_10_54.csv"), ["time_start", "age_start", "value"],
             [[t, 10 + 5 * j, float(v)] for t in PASFR for j, v in enumerate(np.concatenate([[0.0], PASFR[t], [0.0]]))])


def graduated(t, wide=False):
    if MUTANT:
        return np.array([PASFR[t][(a - 15) // 5] / 5 if 15 <= a < 50 else 0.0 for a in range(N)])
    if wide:
        return o6.hyman_graduate(10, np.concatenate([[0.0], PASFR[t], [0.0]]), W)
    return o6.hyman_graduate(15, PASFR[t], W)


def shifted(f, target):
    """README "Fertility": the schedule moved along age by δ = target − its mean age (a + 1/2 on single years)."""
    own = float(np.sum(f * (AGES + 0.5)) / np.sum(f))
    delta = target - own
    k = int(np.floor(delta))
    phi = delta - k
    g = np.zeros(N)
    for a in range(N):
        for src, wgt in ((a - k, 1 - phi), (a - k - 1, phi)):
            if 0 <= src < N:
                g[a] += wgt * f[src]
    return g


ASFR1 = {}
for k, t in enumerate(STEPS):
    x = np.arange(15, 50)
    pat = np.exp(-0.5 * ((x - 29.5 - 0.3 * k) / 5.8) ** 2)
    ASFR1[t] = np.zeros(N)
    ASFR1[t][15:50] = (1.7 - 0.1 * k) * pat / pat.sum()
o6.write_csv(os.path.join(OUT, "fert_rate_age_f.csv"), ["time_start", "age_start", "value"],
             [[t, int(x), float(ASFR1[t][x])] for t in STEPS for x in range(15, 50)])

S, lt = {}, []
for s, (a, d) in (("female", (0.01, 2e-5)), ("male", (0.013, 3.6e-5))):
    l, L = o5.gm_single_L(W, 100000.0, a=a, d=d)
    S[s] = o6.ratios(L, 100000.0, Z)
    lt += [[s, int(x), float(L[x])] for x in AGES]
o6.write_csv(os.path.join(OUT, "lt_nLx.csv"), ["sex", "age_start", "value"], lt)
P0 = {"female": 500.0 * np.exp(-0.008 * AGES) / (1 + np.exp(0.1 * (AGES - 82.0))),
      "male": 515.0 * np.exp(-0.01 * AGES) / (1 + np.exp(0.1 * (AGES - 78.0)))}
o6.write_csv(os.path.join(OUT, "pop_count_age_sex_base.csv"), ["sex", "age_start", "value"],
             [[s, int(a), float(P0[s][a])] for s in o6.SEXES for a in AGES])
NET = {s: np.where((AGES >= 20) & (AGES < 40), 1.5, 0.0) for s in o6.SEXES}
o6.write_csv(os.path.join(OUT, "mig_net_count_age_sex.csv"), ["sex", "age_start", "value"],
             [[s, int(a), float(NET[s][a])] for s in o6.SEXES for a in AGES if NET[s][a] != 0])

rows = []
for variant in ("baseline", "mean-age", "mean-age-down", "pasfr-10-54", "asfr"):
    P = {s: P0[s].copy() for s in o6.SEXES}
    rows += o6.expected_rows(variant, BASE, "X", "total", P, AGES)
    for t in STEPS:
        if variant == "asfr":
            F = ASFR1[t]
        else:
            f = graduated(max(y for y in PASFR if y <= t), variant == "pasfr-10-54")
            if variant == "mean-age":
                f = shifted(f, MEAN_AGE[t + 1])
            if variant == "mean-age-down":
                f = shifted(f, MEAN_AGE_DOWN[t + 1])
            F = f * TFR[t + 1] / (Z * f.sum())
        P = o6.project(P, S, F, 1.05, NET, Z, "even")
        rows += o6.expected_rows(variant, t + Z, "X", "total", P, AGES)
o6.write_expected(os.path.join(OUT, "expected.csv"), rows)
o6.finish_mutant(HERE, OUT, MUTANT)
