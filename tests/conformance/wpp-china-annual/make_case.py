# SPDX-License-Identifier: Apache-2.0
"""China 2010 -> 2020 in annual steps with schedules that change every year, from the WPP 2022 files in
../../../data/wpp (see data/wpp/DATA.md). Writes the scenario's tables (a `year` column in every one: the start of
the step, the UN's time_start) and expected.csv, computed independently by ../ccmpp_reference.py (docs/ccmpp.md
A1-A3 in numpy; no cohortgis). Run: /usr/bin/python3 make_case.py

How this script turns the UN's files into annual single-year schedules (its own choices, the inputs of a test):
- mortality: WPP gives abridged mx for 2010-2014 and 2015-2019 only. For the step starting in year Y the mx of
  each abridged group is interpolated log-linearly in time between the periods' midpoints (1 July 2012 and
  1 July 2017) at Y + 0.5, held constant outside them; each group's rate applies to every single age in it
  (0, 1, 2, ..., 99, open 100+); the single-year life table is built with a0 by Andreev-Kingkade, ax = 0.5 and
  L100+ = l100/m100 (radix 100000). The scenario gets Lx with an lx column (the variant "Sx": the survival
  ratios of A1 by year);
- ASFR: the year's TFR times the period's percentage distribution (WPP pasfr, 2010-2014 for Y <= 2014,
  2015-2019 after), spread evenly over the five single ages of each group: asfr = tfr_Y * pasfr / 100 / 5;
- SRB: WPP's annual males per female (unit = "per_female");
- net migration: WPP's annual total (thousands), spread by the engine like the start population (net_total).
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import ccmpp_reference as ref  # noqa: E402
import wpp_data  # noqa: E402

ISO, W, BASE, HORIZON = "CHN", 100, 2010, 2020
YEARS = range(BASE, HORIZON)  # step start years
SEXES = ("female", "male")


def wpp(name):
    return wpp_data.rows(name, ISO)


# Mortality by year.
mx5 = {}
for r in wpp("mortality_mx_abridged_2010_2020.csv"):
    mx5.setdefault((int(r["period_start"]), r["sex"]), {})[int(r["age_start"])] = float(r["mx"])
starts = sorted(next(iter(mx5.values())))  # 0, 1, 5, ..., 100
group_of = np.searchsorted(starts, np.arange(W + 1), side="right") - 1  # abridged group of each single age
lt, S = {}, {}
for y in YEARS:
    t = min(max((y + 0.5 - 2012.5) / 5.0, 0.0), 1.0)
    for s in SEXES:
        a = np.array([mx5[(2010, s)][x] for x in starts])
        b = np.array([mx5[(2015, s)][x] for x in starts])
        m = np.exp((1 - t) * np.log(a) + t * np.log(b))[group_of]
        lt[(y, s)] = ref.single_year_table_from_mx(m, s == "female")
        S[(y, s)] = ref.survival_from_Lx(lt[(y, s)][3], 100000.0, 1)
ref.write_csv(os.path.join(HERE, "Lx.csv"), ["year", "sex", "age", "Lx", "lx"],
              [[y, s, x, float(lt[(y, s)][3][x]), float(lt[(y, s)][2][x])] for y in YEARS for s in SEXES
               for x in range(W + 1)])
# The same survival ratios (A1) by year for the variant "Sx".
ref.write_csv(os.path.join(HERE, "Sx.csv"), ["year", "sex", "age", "value"],
              [[y, s, x, float(S[(y, s)][x])] for y in YEARS for s in SEXES for x in range(W + 1)])

# ASFR by year.
tfr = {int(r["year"]): float(r["tfr"]) for r in wpp("tfr_annual_2010_2020.csv")}
pasfr = {}
for r in wpp("fertility_asfr_5y_2010_2020.csv"):
    pasfr.setdefault(int(r["period_start"]), {})[int(r["age_start"])] = float(r["pasfr_percent"])
F = {}
for y in YEARS:
    f = np.zeros(W + 1)
    for a5, p in pasfr[2010 if y <= 2014 else 2015].items():
        f[a5:a5 + 5] = tfr[y] * p / 100.0 / 5.0
    F[y] = f
ref.write_csv(os.path.join(HERE, "asfr.csv"), ["year", "age", "value"],
              [[y, x, float(F[y][x])] for y in YEARS for x in range(10, 55)])

srb = {int(r["year"]): float(r["srb_males_per_female"]) for r in wpp("srb_annual_2010_2020.csv")}
ref.write_csv(os.path.join(HERE, "srb.csv"), ["year", "value"], [[y, srb[y]] for y in YEARS])
net = {int(r["year"]): float(r["net_migration_thousands"]) for r in wpp("net_migration_annual_2010_2020.csv")}
ref.write_csv(os.path.join(HERE, "net_migration_total.csv"), ["year", "value"], [[y, net[y]] for y in YEARS])

# Base population: 1 July 2010 by single age 0-99 (thousands); 100+ is not in the file (0 here). Used as the
# end-2010 population.
P = {s: np.zeros(W + 1) for s in SEXES}
for r in wpp("population_single_age_2010_2020.csv"):
    if r["year"] == "2010":
        P[r["sex"]][int(r["age"])] = 1000.0 * float(r["pop_thousands"])
ref.write_csv(os.path.join(HERE, "base_population.csv"), ["zone", "group", "sex", "age", "population"],
              [["CHN", "total", s, x, float(P[s][x])] for s in SEXES for x in range(W + 1)])

pops, pop = {("baseline", BASE): P}, P
for y in YEARS:
    P_sum = pop["female"].sum() + pop["male"].sum()
    M = {s: 1000.0 * net[y] * pop[s] / P_sum for s in SEXES}  # A2: a total spread like the start population
    pop = ref.step(pop, {s: S[(y, s)] for s in SEXES}, F[y], srb[y], M, 1, "even")
    pops[("baseline", y + 1)] = pop
pops.update({("Sx", y): p for (_, y), p in list(pops.items())})
ref.write_expected(os.path.join(HERE, "expected.csv"), pops, "CHN", "total", 1)
print({y: round(p["female"].sum() + p["male"].sum()) for (_, y), p in pops.items()})
