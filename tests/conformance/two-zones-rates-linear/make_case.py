# SPDX-License-Identifier: Apache-2.0
"""Two zones with their own schedules, interpolated between years (between = "linear"), SRB by period, and every
kind of migration table that adds up per cell (net_rate, in, out per step, out_rate), migrants at the end of the
step. Writes the tables and expected.csv, computed independently by ../ccmpp_reference.py (docs/ccmpp.md Part A in
numpy; no cohortgis). Without flows between zones each zone is its own Part A population (Part B).
Run: /usr/bin/python3 make_case.py
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import ccmpp_reference as ref  # noqa: E402

W, BASE, HORIZON = 80, 2020, 2027
AGES = np.arange(W + 1)
ZONES, SEXES = ("A", "B"), ("female", "male")
LT_YEARS, F_YEARS = (2020, 2025), (2020, 2024)


def mx_of(zone, sex, year):
    """Death rates: infant term + Gompertz-Makeham, falling 2% a year from 2020; zone B has higher mortality."""
    k = (1.0 if zone == "A" else 1.3) * (1.0 if sex == "female" else 1.25) * 0.98 ** (year - 2020)
    return k * (0.008 * np.exp(-1.6 * AGES) + 2.5e-4 + 3e-5 * np.exp(0.1 * AGES))


Lx = {(z, s, y): ref.single_year_table_from_mx(mx_of(z, s, y), s == "female")[3]
      for z in ZONES for s in SEXES for y in LT_YEARS}
ref.write_csv(os.path.join(HERE, "Lx.csv"), ["zone", "year", "sex", "age", "value"],
              [[z, y, s, x, float(Lx[(z, s, y)][x])] for z in ZONES for y in LT_YEARS for s in SEXES for x in AGES])
shape = np.where((AGES >= 15) & (AGES <= 49), np.exp(-0.5 * ((AGES - 30.0) / 6.0) ** 2), 0.0)
shape /= shape.sum()
TFR = {("A", 2020): 1.2, ("A", 2024): 1.5, ("B", 2020): 2.1, ("B", 2024): 1.8}
ref.write_csv(os.path.join(HERE, "asfr.csv"), ["zone", "year", "age", "value"],
              [[z, y, x, float(TFR[(z, y)] * shape[x])] for z in ZONES for y in F_YEARS for x in range(15, 50)])
SRB = {("A", "2021-2023"): 104.0, ("A", "2024-2027"): 106.5, ("B", "2021-2023"): 110.0, ("B", "2024-2027"): 108.0}
ref.write_csv(os.path.join(HERE, "srb.csv"), ["zone", "period", "value"], [[z, p, v] for (z, p), v in SRB.items()])

# Migration: a net rate per person per year for everyone (no zone column), in-migrants per year by zone, out-migrants
# per step by zone, an out-rate per person per year in zone B.
net_rate = {s: np.where((AGES >= 20) & (AGES <= 34), 0.004 if s == "female" else 0.006, 0.0) for s in SEXES}
inflow = {(z, s): np.where((AGES >= 16) & (AGES <= 40), 30.0 if z == "A" else 12.0, 0.0) for z in ZONES for s in SEXES}
outstep = {(z, s): np.where((AGES >= 50) & (AGES <= 70), 25.0 if z == "A" else 40.0, 0.0) for z in ZONES for s in SEXES}
out_rate = {s: np.where(AGES >= 60, 0.002, 0.0) for s in SEXES}
ref.write_csv(os.path.join(HERE, "net_rate.csv"), ["sex", "age", "value"],
              [[s, x, float(net_rate[s][x])] for s in SEXES for x in AGES if net_rate[s][x]])
ref.write_csv(os.path.join(HERE, "in.csv"), ["zone", "sex", "age", "value"],
              [[z, s, x, float(inflow[(z, s)][x])] for z in ZONES for s in SEXES for x in AGES if inflow[(z, s)][x]])
ref.write_csv(os.path.join(HERE, "out.csv"), ["zone", "sex", "age", "value"],
              [[z, s, x, float(outstep[(z, s)][x])] for z in ZONES for s in SEXES for x in AGES if outstep[(z, s)][x]])
ref.write_csv(os.path.join(HERE, "out_rate.csv"), ["zone", "sex", "age", "value"],
              [["B", s, x, float(out_rate[s][x])] for s in SEXES for x in AGES if out_rate[s][x]])

P0 = {(z, s): (8000.0 if z == "A" else 5000.0) * np.exp(-(0.004 if s == "female" else 0.006) * AGES) for z in ZONES
      for s in SEXES}
ref.write_csv(os.path.join(HERE, "base_population.csv"), ["zone", "group", "sex", "age", "population"],
              [[z, "total", s, x, float(P0[(z, s)][x])] for z in ZONES for s in SEXES for x in AGES])


def weights(years, y):
    """between = "linear": the last given year <= y and the next one, linear in the step's start year; held after."""
    lo = max(k for k in years if k <= y)
    hi = [k for k in years if k > y]
    if lo == y or not hi:
        return {lo: 1.0}
    w = (y - lo) / (hi[0] - lo)
    return {lo: 1.0 - w, hi[0]: w}


expected = {}
for z in ZONES:
    pop = {s: P0[(z, s)] for s in SEXES}
    expected[("baseline", BASE, z)] = pop
    for y in range(BASE, HORIZON):
        S = {s: ref.survival_from_Lx(sum(w * Lx[(z, s, k)] for k, w in weights(LT_YEARS, y).items()), 1e5, 1)
             for s in SEXES}
        F = sum(w * TFR[(z, k)] for k, w in weights(F_YEARS, y).items()) * shape
        srb = SRB[(z, "2021-2023" if y + 1 <= 2023 else "2024-2027")] / 100.0  # the step's calendar year y + 1
        # M over the step (z = 1): in - out - out_rate P + net_rate P (docs/ccmpp.md B1).
        M = {s: inflow[(z, s)] - outstep[(z, s)] - (out_rate[s] * pop[s] if z == "B" else 0.0) + net_rate[s] * pop[s]
             for s in SEXES}
        pop = ref.step(pop, S, F, srb, M, 1, "end")
        expected[("baseline", y + 1, z)] = pop
ref.write_expected(os.path.join(HERE, "expected.csv"), expected, None, "total", 1)
