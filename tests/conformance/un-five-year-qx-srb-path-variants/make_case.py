# SPDX-License-Identifier: Apache-2.0
"""5x5 on 85+, three periods 2020 -> 2035: mortality as the UN's abridged life table reshaped into qx with ax by sex
(rows 0, 1, 5, ..., 85+, the open row closed by its mx), fertility as a five-year pasfr (percent) moved to a
mean-age path and rescaled to a TFR path keyed per README ("pasfr and TFR": time_start Y at Y + 1 and Y + 5), the sex
ratio at birth as a path over calendar years (per 100 females, linear, each step its mean over t+1 .. t+5), net
counts per year (x 5), end.
Variants "high" and "low": the WPP high/low fertility variants (TFR + / - 0.25, 0.4, 0.5 by period). Written from
scenarios/README.md alone; expected.csv from numpy (../readme_reference.py), never calling cohortgis.
Run: /usr/bin/python3 make_case.py
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import readme_reference as rr  # noqa: E402

Z, W, BASE, YEARS = 5, 85, 2020, [2020, 2025, 2030]
N = W // Z + 1  # 18 groups
AGES = np.arange(N) * Z
LT_AGES = [0, 1] + list(range(5, W + 1, 5))
TFR = {2020: 1.55, 2025: 1.6, 2030: 1.65}
SHIFT = {"baseline": (0.0, 0.0, 0.0), "high": (0.25, 0.4, 0.5), "low": (-0.25, -0.4, -0.5)}
MEAN_AGE = {2021: 27.0, 2035: 31.3}
SRB_PATH = {2020: 108.0, 2028: 106.0, 2035: 105.0}
path = lambda name: os.path.join(HERE, name)  # noqa: E731

# qx, ax by sex and time_start (a Gompertz-Makeham mx turned into q with UN-like ax); the open row's mx
LT = {}
rows = []
for k, t in enumerate(YEARS):
    for s, (c0, c1, c2, c3) in (("female", (0.02, 2e-4, 3e-5, 0.1)), ("male", (0.026, 3.5e-4, 6e-5, 0.096))):
        x = np.array(LT_AGES, float)
        mx = (c0 * np.exp(-1.3 * x) + c1 + c2 * np.exp(c3 * (x + 2.5))) * (1.0 - 0.05 * k)
        mx[0] = c0 * (1 - 0.05 * k)
        ax = np.array([0.12 + 0.01 * k, 1.6] + [2.5 - 0.02 * (i % 3) for i in range(len(LT_AGES) - 2)])
        n = np.array([1, 4] + [5] * (len(LT_AGES) - 2), float)
        qx = n * mx / (1 + (n - ax) * mx)
        qx[-1] = 1.0
        LT[(t, s)] = (qx, ax, mx[-1])
        rows += [[t, s, LT_AGES[i], float(qx[i]), float(ax[i]), float(mx[i]) if i == len(LT_AGES) - 1 else ""]
                 for i in range(len(LT_AGES))]
rr.write_csv(path("life_table_qx_columns.csv"), ["time_start", "sex", "age_start", "value", "ax", "mx"], rows)


def survival(t, s):
    qx, ax, m_open = LT[(t, s)]
    n = [1, 4] + [5] * (len(LT_AGES) - 2)
    l = [100000.0]
    L = []
    for i in range(len(LT_AGES) - 1):
        l.append(l[i] * (1 - qx[i]))
        L.append(n[i] * l[i + 1] + ax[i] * (l[i] - l[i + 1]))
    L.append(l[-1] / m_open)
    return rr.survival_five_year(np.array([L[0] + L[1]] + L[2:]), l[0])  # 0-4, 5-9, ..., 80-84, T85


P0 = {"female": 5000.0 * np.exp(-0.01 * AGES) / (1 + np.exp(0.1 * (AGES - 80.0))),
      "male": 5200.0 * np.exp(-0.013 * AGES) / (1 + np.exp(0.11 * (AGES - 76.0)))}
HDR = ["time_start", "time_span", "sex", "age_start", "age_span", "value"]
rr.write_csv(path("pop_count_age_sex_base.csv"), HDR,
             [[BASE, 0, s, int(AGES[i]), 1000 if i == N - 1 else 5, float(P0[s][i])] for s in rr.SEXES
              for i in range(N)])
# five-year pasfr in percent by time_start; deliberately summing to 100 only after rounding (99.99)
PASFR = {}
for k, t in enumerate(YEARS):
    shape = np.where((AGES >= 15) & (AGES < 50), np.exp(-0.5 * ((AGES - 27.5 - k) / 6.5) ** 2), 0.0)
    PASFR[t] = np.round(100.0 * shape / shape.sum(), 2)
rr.write_csv(path("fert_pct_age_5x5.csv"), ["time_start", "time_span", "age_start", "age_span", "value"],
             [[t, 5, int(AGES[i]), 5, float(PASFR[t][i])] for t in YEARS for i in range(3, 10)])
MIG = {}
for k, t in enumerate(YEARS):
    for s in rr.SEXES:
        MIG[(t, s)] = (40.0 - 30.0 * k) * np.exp(-0.5 * ((AGES - 25.0) / 10.0) ** 2) * (1.1 if s == "male" else 1.0)
rr.write_csv(path("mig_net_count_age_sex_per_year.csv"), HDR,
             [[t, 5, s, int(AGES[i]), 5, float(MIG[(t, s)][i])] for t in YEARS for s in rr.SEXES for i in range(N)])


def tfr_path(variant):
    p = {}
    for k, t in enumerate(YEARS):
        p[t + 1] = p[t + 5] = round(TFR[t] + SHIFT[variant][k], 10)
    return p


def project(variant):
    P = {("X", "total", s): P0[s].copy() for s in rr.SEXES}
    out = [(BASE, P)]
    tp = tfr_path(variant)
    for t in YEARS:
        S = {("X", "total", s): survival(t, s) for s in rr.SEXES}
        tfr = rr.path_step_mean(tp, t, Z)
        # mean_age first (README "Fertility": the schedule constant within each group, its mean age at the groups'
        # midpoints; the shifted rate of [a, a + 5) is its mean over [a - delta, a + 5 - delta)), then the TFR
        f = PASFR[t]
        delta = rr.path_step_mean(MEAN_AGE, t, Z) - float(np.sum(f * (AGES + 2.5)) / f.sum())
        g = np.zeros_like(f)
        for i, a in enumerate(AGES):
            for j, b in enumerate(AGES):
                g[i] += f[j] * max(0.0, min(a + 5 - delta, b + 5) - max(a - delta, b)) / 5.0
        F = tfr * g / (Z * g.sum())
        srb = {"X": rr.path_step_mean(SRB_PATH, t, Z) / 100.0}
        M = {("X", "total", s): Z * MIG[(t, s)] for s in rr.SEXES}
        P, _ = rr.step(P, S, {("X", "total"): F}, srb, M, "end", Z)
        out.append((t + Z, P))
    return out


rr.write_expected(path("expected.csv"), {v: project(v) for v in ("baseline", "high", "low")}, AGES)
print({v: tfr_path(v) for v in SHIFT})
