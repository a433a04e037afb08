# SPDX-License-Identifier: Apache-2.0
"""One zone, 1x1 on 60+, three annual steps 2020 -> 2023 under the default `flow_policy = "conserve"`: signed `net`
counts, `out` counts and an `out_rate` whose out-flows exceed some cells' start population (scaled by one factor to
P - 0.00001, docs/ccmpp.md B2), `in` counts (not scaled), `timing` even then end; the floor 0.0005 of A3 step 7 where
a scaled cohort still ends below 0. Variant `no-out-rate`: `migration = { out_rate = false }` (other factors);
variant `totals`: a `net_total` besides, summed with the counts into the given net before its negative part counts. Written
from scenarios/README.md and docs/ccmpp.md alone; expected.csv from numpy (../outside4_reference.py), never calling
cohortgis. Run: /usr/bin/python3 make_case.py
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import outside4_reference as o4  # noqa: E402
import readme_reference as rr  # noqa: E402

Z, W, BASE, YEARS = 1, 60, 2020, [2020, 2021, 2022]
TIMING = {2020: "even", 2021: "even", 2022: "end"}
N = W + 1
AGES = np.arange(N)
path = lambda name: os.path.join(HERE, name)  # noqa: E731

# survival ratios from a Gompertz-Makeham single-year table to 60+ (mx of the open row: its own rate)
SX = {}
for s, (c0, c1, c2, c3) in (("female", (0.01, 2e-4, 4e-5, 0.1)), ("male", (0.013, 3e-4, 7e-5, 0.095))):
    mx = c0 * np.exp(-1.3 * AGES) + c1 + c2 * np.exp(c3 * AGES)
    SX[s] = rr.survival_single(rr.single_table(mx, s == "female")[2])
rr.write_csv(path("Sx.csv"), ["sex", "age", "value"], [[s, a, float(SX[s][a])] for s in rr.SEXES for a in AGES])

P0 = {"female": 1000.0 * np.exp(-0.008 * AGES) + 50.0, "male": 1050.0 * np.exp(-0.01 * AGES) + 40.0}
P0["female"][3] = 0.0  # an empty cell with out-flows: scaled to -0.00001 in total, then floored
rr.write_csv(path("base.csv"), ["sex", "age", "population"], [[s, a, float(P0[s][a])] for s in rr.SEXES for a in AGES])
F = np.where((AGES >= 15) & (AGES < 50), 0.09 * np.exp(-0.5 * ((AGES - 29.0) / 6.0) ** 2), 0.0)
rr.write_csv(path("asfr.csv"), ["age", "value"], [[a, float(F[a])] for a in range(15, 50)])

# per year, by time_start (year column); cells chosen so that the out-flows of some exceed P
NET, OUT, IN, RATE = {}, {}, {}, {}
for t in YEARS:
    for s in rr.SEXES:
        net, out, inn, rate = np.zeros(N), np.zeros(N), np.zeros(N), np.zeros(N)
        net[18:26] = -600.0 if s == "female" else -300.0      # women 18-25: more than the cohort
        net[30:35] = 40.0
        net[3] = -5.0
        out[20:40] = 250.0 + 10.0 * (t - 2020)
        out[59:] = 30.0
        inn[20:28] = 120.0
        inn[0] = 7.0
        rate[10:45] = 0.05
        rate[22] = 0.9 if s == "male" else 0.4
        NET[(t, s)], OUT[(t, s)], IN[(t, s)], RATE[(t, s)] = net, out, inn, rate
tab = lambda D, nz: [[t, s, a, float(D[(t, s)][a])] for t in YEARS for s in rr.SEXES for a in AGES  # noqa: E731
                     if not nz or D[(t, s)][a] != 0.0]
rr.write_csv(path("net.csv"), ["year", "sex", "age", "value"], tab(NET, True))
rr.write_csv(path("out.csv"), ["year", "sex", "age", "value"], tab(OUT, True))
rr.write_csv(path("in.csv"), ["year", "sex", "age", "value"], tab(IN, True))
rr.write_csv(path("out_rate.csv"), ["year", "sex", "age", "value"], tab(RATE, True))
SRB = 1.06
TOTAL = {2020: -1000.0, 2021: -120000.0, 2022: 0.0}  # variant `totals`: more than everyone in 2021
rr.write_csv(path("net_total.csv"), ["year", "value"], [[t, v] for t, v in TOTAL.items()])


def project(with_rate, totals=False):
    P = {("X", "total", s): P0[s].copy() for s in rr.SEXES}
    out = [(BASE, P)]
    for t in YEARS:
        M = {}
        for s in rr.SEXES:
            k = ("X", "total", s)
            net = NET[(t, s)] * Z
            if totals:  # the total spread as the start population, summed into the given net before its sign
                net = net + Z * TOTAL[t] * P[k] / sum(P[("X", "total", x)].sum() for x in rr.SEXES)
            outs = [OUT[(t, s)] * Z, np.maximum(-net, 0.0)]
            if with_rate:
                outs.append(Z * RATE[(t, s)] * P[k])
            outs = o4.conserve_scale(P[k], outs)  # docs/ccmpp.md B2
            M[k] = IN[(t, s)] * Z + np.maximum(net, 0.0) - np.sum(outs, axis=0)
        S = {("X", "total", s): SX[s] for s in rr.SEXES}
        P, _ = o4.step(P, S, {("X", "total"): F}, {"X": SRB}, M, TIMING[t], Z, policy="conserve")
        out.append((t + Z, P))
    return out


rr.write_expected(path("expected.csv"), {"baseline": project(True), "no-out-rate": project(False),
                                         "totals": project(True, totals=True)}, AGES)
