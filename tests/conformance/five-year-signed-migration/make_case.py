# SPDX-License-Identifier: Apache-2.0
"""Five-year case with signed migration counts by age: Germany, WPP 2022 inputs (../../../data/wpp), 2010 -> 2020
in two five-year steps. Writes the scenario's tables and expected.csv, computed independently by
../ccmpp_reference.py (docs/ccmpp.md A1-A3 in numpy; no cohortgis). Run: /usr/bin/python3 make_case.py
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import ccmpp_reference as ref  # noqa: E402
import wpp_data  # noqa: E402

ISO, W5 = "DEU", 17  # index of 85+ on the five-year grid
SEXES = ("female", "male")


def wpp(name):
    return wpp_data.rows(name, ISO)


def abridged_Lx(m):
    """The script's own abridged life table from WPP mx (0, 1-4, 5-9, ..., 100+), radix 100000: a0 = 0.1,
    4a1 = 1.5, nax = n/2 above; nqx = n m / (1 + (n - a) m); L_100+ = l/m; then closed at 85+ with T85."""
    n = np.array([1.0, 4.0] + [5.0] * (len(m) - 3) + [0.0])
    a = n / 2
    a[0], a[1] = 0.1, 1.5
    l, L = 100000.0, []
    for i in range(len(m) - 1):
        q = n[i] * m[i] / (1 + (n[i] - a[i]) * m[i])
        d = l * q
        L.append(n[i] * (l - d) + a[i] * d)
        l -= d
    L.append(l / m[-1])
    return np.array(L[:W5 + 1] + [sum(L[W5 + 1:])])  # rows 0, 1, 5, ..., 80, 85+ (T85)


# Mortality by UN period (2010-2014 and 2015-2019 calendar years: the steps 2010->2015 and 2015->2020, i.e.
# cohortgis periods "2011-2015" and "2016-2020", the calendar years each step produces).
mx = {}
for r in wpp("mortality_mx_abridged_2010_2020.csv"):
    mx.setdefault((int(r["period_start"]), r["sex"]), {})[int(r["age_start"])] = float(r["mx"])
Lx = {k: abridged_Lx(np.array([v[a] for a in sorted(v)])) for k, v in mx.items()}
ages_lt = [0, 1] + [5 * i for i in range(1, W5 + 1)]
period = {2010: "2011-2015", 2015: "2016-2020"}
ref.write_csv(os.path.join(HERE, "Lx.csv"), ["period", "sex", "age", "value"],
              [[period[y], s, ages_lt[i], float(Lx[(y, s)][i])] for y in (2010, 2015) for s in SEXES
               for i in range(len(ages_lt))])
S = {y: {s: ref.survival_from_Lx(Lx[(y, s)], 100000.0, 5, "abridged") for s in SEXES} for y in (2010, 2015)}

# ASFR by five-year group and UN period start (year = the step's start).
F = {y: np.zeros(W5 + 1) for y in (2010, 2015)}
for r in wpp("fertility_asfr_5y_2010_2020.csv"):
    F[int(r["period_start"])][int(r["age_start"]) // 5] = float(r["asfr"])
ref.write_csv(os.path.join(HERE, "asfr.csv"), ["year", "age", "value"],
              [[y, 5 * i, float(F[y][i])] for y in F for i in range(2, 11)])

# Base population: 1 July 2010 by single age 0-99 (thousands) into five-year groups, 85-99 as 85+ (100+ is not
# in the file); used as the end-2010 population.
P = {s: np.zeros(W5 + 1) for s in SEXES}
for r in wpp("population_single_age_2010_2020.csv"):
    if r["year"] == "2010":
        P[r["sex"]][min(int(r["age"]) // 5, W5)] += 1000.0 * float(r["pop_thousands"])
ref.write_csv(os.path.join(HERE, "base_population.csv"), ["zone", "group", "sex", "age", "population"],
              [["DEU", "total", s, 5 * i, float(P[s][i])] for s in SEXES for i in range(W5 + 1)])

# Net migration, thousands of persons per year by sex and age group at the start of the step, signed (an
# assumption of this case, not a UN series): immigration at 15-39, emigration at 50-84. In the second step men
# 85+ "emigrate" 2 million a year, more than the cohort: the WPP override (A2) leaves 0.00001 persons to migrate.
prof = np.zeros(W5 + 1)
prof[3:8] = [9.0, 21.5, 18.25, 10.0, 4.0]
prof[10:17] = [-1.5, -2.25, -3.0, -3.5, -2.0, -1.25, -0.5]
Mk = {2010: {"female": prof * 0.9, "male": prof * 1.1}, 2015: {"female": prof * 2.4, "male": prof * 2.9}}
Mk[2015]["male"][W5] = -2000.0
ref.write_csv(os.path.join(HERE, "net_migration.csv"), ["year", "sex", "age", "value"],
              [[y, s, 5 * i, float(Mk[y][s][i])] for y in Mk for s in SEXES for i in range(W5 + 1) if Mk[y][s][i]])
# The same counts in persons per step, for the variant "per-step" (per = "step", no unit).
ref.write_csv(os.path.join(HERE, "net_migration_per_step.csv"), ["year", "sex", "age", "value"],
              [[y, s, 5 * i, float(5000.0 * Mk[y][s][i])] for y in Mk for s in SEXES for i in range(W5 + 1)
               if Mk[y][s][i]])

SRB = 105.5  # males per 100 females (an assumption; WPP gives about 1.055)
timing = {2010: "even", 2015: "end"}
pops, pop = {("baseline", 2010): P}, P
for y in (2010, 2015):
    M = {s: 1000.0 * 5 * Mk[y][s] for s in SEXES}  # thousands per year -> persons per step
    pop = ref.step(pop, S[y], F[y], SRB / 100.0, M, 5, timing[y])
    pops[("baseline", y + 5)] = pop
pops.update({(v, y): p for v in ("per-step", "wpp-file") for (_, y), p in list(pops.items())})
ref.write_expected(os.path.join(HERE, "expected.csv"), pops, "DEU", "total", 5)
print({y: round(p["female"].sum() + p["male"].sum()) for (_, y), p in pops.items()})
