# SPDX-License-Identifier: Apache-2.0
"""1x1 on 100+, three annual steps 2020 -> 2023: the UN's single-year lt_nMx by time_start moved to e0 targets by the
Brass relational logit (`[mortality] e0`, paths keyed by calendar year: the UN's e0 of time_start Y at Y + 1; the
female path starts at the first step's own e0, no key at 2020), net counts even. Variant "lee-carter": the e0 paths
off, `lee_carter = { drift }` instead. Written from scenarios/README.md alone; expected.csv from numpy
(../readme_reference.py), never calling cohortgis. Run: /usr/bin/python3 make_case.py
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import readme_reference as rr  # noqa: E402

Z, W, BASE, YEARS = 1, 100, 2020, [2020, 2021, 2022]
N = W + 1
AGES = np.arange(N)
E0 = {"female": {2022: 80.5, 2023: 81.25}, "male": {2020: 72.0, 2021: 74.5, 2023: 75.0}}
DRIFT = -2.0
path = lambda name: os.path.join(HERE, name)  # noqa: E731

MX = {}
rows = []
for k, t in enumerate(YEARS):
    for s, (c0, c1, c2, c3) in (("female", (0.012, 1.2e-4, 2.5e-5, 0.1)), ("male", (0.016, 2.5e-4, 5.5e-5, 0.097))):
        mx = (c0 * np.exp(-1.5 * AGES) + c1 + c2 * np.exp(c3 * AGES)) * (1.0 - 0.02 * k)
        mx[0] = c0 * (1.0 - 0.03 * k)
        MX[(t, s)] = mx
        rows += [["lt_nMx", t, 1, s, int(a), 1000 if a == W else 1, float(mx[a])] for a in AGES]
# a "both" table the filter drops
rows += [["lt_nMx", 2020, 1, "both", int(a), 1, 0.01] for a in AGES]
rr.write_csv(path("life_table_age_sex.csv"), ["indicator", "time_start", "time_span", "sex", "age_start", "age_span",
                                              "value"], rows)

P0 = {"female": 1000.0 * np.exp(-0.01 * AGES) / (1 + np.exp(0.11 * (AGES - 84.0))),
      "male": 1030.0 * np.exp(-0.012 * AGES) / (1 + np.exp(0.12 * (AGES - 80.0)))}
HDR = ["time_start", "time_span", "sex", "age_start", "age_span", "value"]
rr.write_csv(path("pop_count_age_sex_base.csv"), HDR,
             [[BASE, 0, s, int(a), 1000 if a == W else 1, float(P0[s][a])] for s in rr.SEXES for a in AGES])
F = {t: np.where((AGES >= 15) & (AGES < 50), 0.1 * np.exp(-0.5 * ((AGES - 29.0 - k) / 6.0) ** 2), 0.0)
     for k, t in enumerate(YEARS)}
rr.write_csv(path("fert_rate_age_f.csv"), ["time_start", "time_span", "age_start", "age_span", "value"],
             [[t, 1, int(a), 1, float(F[t][a])] for t in YEARS for a in range(15, 50)])
rr.write_csv(path("srb.csv"), ["time_start", "time_span", "value"], [[2020, 1, 1.06], [2022, 1, 1.05]])
MIG = {}
for k, t in enumerate(YEARS):
    for s in rr.SEXES:
        MIG[(t, s)] = (3.0 - 2.5 * k) * np.exp(-0.5 * ((AGES - 27.0) / 8.0) ** 2)
rr.write_csv(path("mig_net_count_age_sex.csv"), HDR,
             [[t, 1, s, int(a), 1000 if a == W else 1, float(MIG[(t, s)][a])] for t in YEARS for s in rr.SEXES
              for a in AGES])


def project(variant):
    P = {("X", "total", s): P0[s].copy() for s in rr.SEXES}
    out = [(BASE, P)]
    for t in YEARS:
        S = {}
        for s in rr.SEXES:
            std = MX[(t, s)]
            if variant == "baseline":
                path_ = dict(E0[s])
                if BASE not in path_:
                    path_[BASE] = rr.e0_of(rr.single_table(std, s == "female")[2])
                target = rr.path_step_mean(path_, t, Z)
                m = rr.brass_to_e0(std, s == "female", target)
            else:
                tt = (t + 1 + t + Z) / 2.0 - BASE
                m = std * np.exp((1.0 / N) * DRIFT * tt)
            S[("X", "total", s)] = rr.survival_single(rr.single_table(m, s == "female")[2])
        srb = {"X": 1.06 if t < 2022 else 1.05}
        M = {("X", "total", s): MIG[(t, s)] for s in rr.SEXES}
        P, _ = rr.step(P, S, {("X", "total"): F[t]}, srb, M, "even", Z)
        out.append((t + Z, P))
    return out


rr.write_expected(path("expected.csv"), {v: project(v) for v in ("baseline", "lee-carter")}, AGES)
