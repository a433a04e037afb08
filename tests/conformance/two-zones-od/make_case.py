# SPDX-License-Identifier: Apache-2.0
"""Two zones linked by origin-destination tables (scenarios/README.md "Migration", od.counts and od.rates by cell):
counts by pair, sex and age that change in 2022 (a year column, held), and rates by pair, sex and age applied to the
origin's population at the start of each step. What leaves one zone arrives in the other in the same step, so each
zone's net migrants are M = in − out (docs/ccmpp.md B1), then Part A runs per zone with `even` timing. Writes the
tables and expected.csv, computed independently by ../ccmpp_reference.py (numpy; no cohortgis).
Run: /usr/bin/python3 make_case.py
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import ccmpp_reference as ref  # noqa: E402

W, BASE, HORIZON = 80, 2020, 2025
AGES = np.arange(W + 1)
ZONES, SEXES = ("A", "B"), ("female", "male")

mx = {s: (1.0 if s == "female" else 1.3) * (0.006 * np.exp(-1.5 * AGES) + 3e-4 + 4e-5 * np.exp(0.095 * AGES))
      for s in SEXES}
Lx = {s: ref.single_year_table_from_mx(mx[s], s == "female")[3] for s in SEXES}
ref.write_csv(os.path.join(HERE, "Lx.csv"), ["sex", "age", "value"],
              [[s, x, float(Lx[s][x])] for s in SEXES for x in AGES])
F = np.where((AGES >= 16) & (AGES <= 45), 0.055 * np.exp(-0.5 * ((AGES - 29.0) / 5.5) ** 2), 0.0)
ref.write_csv(os.path.join(HERE, "asfr.csv"), ["age", "value"], [[x, float(F[x])] for x in range(16, 46)])
P0 = {(z, s): (9000.0 if z == "A" else 6000.0) * np.exp(-0.012 * AGES) for z in ZONES for s in SEXES}
ref.write_csv(os.path.join(HERE, "base_population.csv"), ["zone", "sex", "age", "population"],
              [[z, s, x, float(P0[(z, s)][x])] for z in ZONES for s in SEXES for x in AGES])

# Counts per year by pair: A → B young adults (more from 2022 on), B → A older people.
def counts(year):
    ab = np.where((AGES >= 18) & (AGES <= 30), 12.0 if year < 2022 else 20.0, 0.0)
    ba = np.where((AGES >= 55) & (AGES <= 70), 6.0, 0.0)
    return {("A", "B"): ab, ("B", "A"): ba}


ref.write_csv(os.path.join(HERE, "od_counts.csv"), ["year", "origin", "destination", "sex", "age", "value"],
              [[y, o, d, s, x, float(v[x])] for y in (2020, 2022) for (o, d), v in counts(y).items() for s in SEXES
               for x in AGES if v[x]])
# Rates per person per year by pair and cell: B → A children and their parents' ages, both sexes.
rate_ba = np.where(AGES <= 9, 0.01, np.where((AGES >= 30) & (AGES <= 39), 0.008, 0.0))
ref.write_csv(os.path.join(HERE, "od_rates.csv"), ["origin", "destination", "sex", "age", "rate"],
              [["B", "A", s, x, float(rate_ba[x])] for s in SEXES for x in AGES if rate_ba[x]])

S = {s: ref.survival_from_Lx(Lx[s], 1e5, 1) for s in SEXES}
pop = {(z, s): P0[(z, s)] for z in ZONES for s in SEXES}
expected = {}
for z in ZONES:
    expected[("baseline", BASE, z)] = {s: pop[(z, s)] for s in SEXES}
for y in range(BASE, HORIZON):
    c = counts(2022 if y >= 2022 else 2020)
    M = {}
    for s in SEXES:
        moved_ba = rate_ba * pop[("B", s)]  # X = z · r · P_origin at the start of the step (z = 1)
        M[("A", s)] = -c[("A", "B")] + c[("B", "A")] + moved_ba
        M[("B", s)] = c[("A", "B")] - c[("B", "A")] - moved_ba
    for z in ZONES:
        new = ref.step({s: pop[(z, s)] for s in SEXES}, S, F, 1.06, {s: M[(z, s)] for s in SEXES}, 1, "even", wpp=False)
        for s in SEXES:
            pop[(z, s)] = new[s]
        expected[("baseline", y + 1, z)] = new
ref.write_expected(os.path.join(HERE, "expected.csv"), expected, None, "total", 1)
