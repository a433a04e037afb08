# SPDX-License-Identifier: Apache-2.0
"""5x5 on 85+, three periods 2020 -> 2035: the UN's abridged lt_nMx (0, 1, 5, ..., 85+) by time_start moved to e0
targets by the Brass relational logit on the abridged table (closed rows m = d / L with the standard's nax, the open
rate scaled as the last closed row's; the life table rebuilt from those rates: AK a0, Coale-Demeny 4a1, Greville
nax), e0 paths keyed by calendar year (female: first key 2030, none at 2020: each step's line starts at base_year from
that step's own schedule's e0, so the steps 2020 and 2025 start from different e0), ASFR, net rates per step, even.
Variant "gain": `e0_gain_per_year` instead of the paths (each step: its own schedule's e0 + gain x (the step's mean
year - base_year)); variant "lee-carter": a drift with b_x = 1 / 19 life-table rows. Written from
scenarios/README.md alone; expected.csv from numpy (../readme_reference.py, ../abridged_reference.py for the abridged
table), never calling cohortgis. Run: /usr/bin/python3 make_case.py
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import abridged_reference as ab  # noqa: E402
import readme_reference as rr  # noqa: E402

Z, W, BASE, YEARS = 5, 85, 2020, [2020, 2025, 2030]
N = W // Z + 1
AGES = np.arange(N) * Z
LT_AGES = np.array([0, 1] + list(range(5, W + 1, 5)))
R = len(LT_AGES)
NW = np.array([1.0, 4.0] + [5.0] * (R - 2))
E0 = {"female": {2030: 78.0, 2035: 80.0}, "male": {2020: 77.0, 2030: 79.5, 2035: 80.0}}
GAIN = {"female": 0.2, "male": 0.25}
DRIFT = -1.5
path = lambda name: os.path.join(HERE, name)  # noqa: E731
HDR = ["time_start", "time_span", "sex", "age_start", "age_span", "value"]

MX, rows = {}, []
for k, t in enumerate(YEARS):
    for s, (c0, c1, c2, c3) in (("female", (0.02, 2e-4, 3e-5, 0.1)), ("male", (0.026, 3.5e-4, 6e-5, 0.096))):
        x = LT_AGES.astype(float)
        mx = (c0 * np.exp(-1.3 * x) + c1 + c2 * np.exp(c3 * (x + 2.5))) * (1.0 - 0.06 * k)
        mx[0] = c0 * (1 - 0.06 * k)
        MX[(t, s)] = mx
        rows += [["lt_nMx", t, 5, s, int(LT_AGES[i]), 1000 if i == R - 1 else int(NW[i]), float(mx[i])]
                 for i in range(R)]
rr.write_csv(path("life_table_age_sex.csv"), ["indicator"] + HDR, rows)


def table(mx, female):
    return ab.abridged_table(mx, female, radix=1.0)


def e0(mx, female):
    return float(table(mx, female)[3].sum())


def brass(mx_std, female, alpha):
    ax, _, ls, _ = table(mx_std, female)
    return rr.brass_logit_rates(ax, ls, NW[:R - 1], mx_std, alpha)


def to_e0(mx_std, female, target):
    return brass(mx_std, female, rr.alpha_for_e0(lambda a: e0(brass(mx_std, female, a), female), target))


def survival(mx, female):
    _, _, lx, Lx = table(mx, female)
    return rr.survival_five_year(np.concatenate([[Lx[0] + Lx[1]], Lx[2:]]), lx[0])


P0 = {"female": 6000.0 * np.exp(-0.01 * AGES) / (1 + np.exp(0.1 * (AGES - 80.0))),
      "male": 6100.0 * np.exp(-0.013 * AGES) / (1 + np.exp(0.11 * (AGES - 76.0)))}
rr.write_csv(path("pop_count_age_sex_base.csv"), HDR,
             [[BASE, 0, s, int(AGES[i]), 1000 if i == N - 1 else 5, float(P0[s][i])] for s in rr.SEXES
              for i in range(N)])
F = {t: np.where((AGES >= 15) & (AGES < 50), 0.075 * np.exp(-0.5 * ((AGES - 28.0 - k) / 7.0) ** 2), 0.0)
     for k, t in enumerate(YEARS)}
rr.write_csv(path("fert_rate_age_f.csv"), ["time_start", "time_span", "age_start", "age_span", "value"],
             [[t, 5, int(AGES[i]), 5, float(F[t][i])] for t in YEARS for i in range(3, 10)])
rr.write_csv(path("srb.csv"), ["time_start", "time_span", "value"], [[2020, 5, 1.05]])
RATE = {(t, s): (0.01 - 0.008 * k) * np.exp(-0.5 * ((AGES - 25.0) / 9.0) ** 2) for k, t in enumerate(YEARS)
        for s in rr.SEXES}
for s in rr.SEXES:
    RATE[(2030, s)][N - 1] = 0.0
rr.write_csv(path("mig_net_rate_age_sex.csv"), HDR,
             [[t, 5, s, int(AGES[i]), 1000 if i == N - 1 else 5, float(RATE[(t, s)][i])] for t in YEARS
              for s in rr.SEXES for i in range(N)])


def project(variant):
    P = {("X", "total", s): P0[s].copy() for s in rr.SEXES}
    out = [(BASE, P)]
    for t in YEARS:
        S = {}
        for s in rr.SEXES:
            fem = s == "female"
            std = MX[(t, s)]
            if variant == "baseline":
                p = dict(E0[s])
                if BASE not in p:  # the step's own schedule's e0 at base_year: used by both 2020 and 2025
                    p[BASE] = e0(std, fem)
                target = rr.path_step_mean(p, t, Z)
            elif variant == "lee-carter":  # rates x exp(b drift t), b = 1 / 19 rows (0, 1, 5, ..., 85), t = 3, 8, 13
                m = std * np.exp(DRIFT / R * ((t + 1 + t + Z) / 2.0 - BASE))
                S[("X", "total", s)] = survival(m, fem)
                continue
            else:
                e_base = e0(std, fem)  # the step's own schedule's e0, placed at base_year (README "Mortality")
                target = float(np.mean([e_base + GAIN[s] * (y - BASE) for y in range(t + 1, t + Z + 1)]))
            S[("X", "total", s)] = survival(to_e0(std, fem, target), fem)
        M = {("X", "total", s): RATE[(t, s)] * P[("X", "total", s)] for s in rr.SEXES}
        P, _ = rr.step(P, S, {("X", "total"): F[t]}, {"X": 1.05}, M, "even", Z)
        out.append((t + Z, P))
    return out


rr.write_expected(path("expected.csv"), {v: project(v) for v in ("baseline", "gain", "lee-carter")}, AGES)
print("schedule e0:", {k: round(e0(v, k[1] == "female"), 4) for k, v in MX.items()})
