# SPDX-License-Identifier: Apache-2.0
"""Writes the case's tables, expected.csv, expected_components.csv and expected_indicators.csv with
../outside12_reference.py (ccmppWPP's loop and step, R file and line there; see README.md). Never calls cohortgis.

    make_case.py [--mutant DIR]   (DIR: every table and a deliberately wrong expected_components.csv)
"""
import math
import os
import shutil
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(here))
import outside12_reference as R  # noqa: E402

z, W, base_year = 1, 100, 2020
ages = list(range(W + 1))
years = (2020, 2021, 2022)
shape = [math.exp(-0.013 * a - 0.0008 * max(a - 55, 0) ** 2) * (1 + 0.05 * math.cos(a / 6.0)) for a in ages]
base = {"female": [2100.0 * v for v in shape], "male": [2150.0 * v for v in shape]}
base["female"][50] = 3.0 * base["female"][49]  # a cohort larger than the one before it, emptied by r = -1: the floor
tables = {}
for k, t in enumerate(years):
    tables[t] = {}
    for s, lift in (("female", 1.0), ("male", 1.3)):
        mx = [lift * (0.0002 * math.exp(0.085 * a) + 0.0003) * (1 - 0.015 * k) for a in ages]
        mx[0] = 0.008 * lift
        tables[t][s] = R.life_table(mx)  # the table's own open age 100: L100 = l100 / m100
# fertility halves in 2021: fewer newborns than the infants at the start, whom r = -1 takes away (the floor)
level = {2020: 0.11, 2021: 0.055, 2022: 0.1}
asfr = {t: [level[t] * math.exp(-((a - 28.0) / 6.0) ** 2) if 10 <= a <= 54 else 0.0 for a in ages] for t in years}
srb = {2020: 1.06, 2021: 1.05, 2022: 1.07}
rates = {}
for k, t in enumerate(years):
    rates[t] = {}
    for s in R.SEXES:
        r = [0.0] * len(ages)
        for a in range(18, 33):
            r[a] = 0.012 - 0.002 * k
        for a in range(70, 101):
            r[a] = -0.015  # the open group's rate too (the table's own open age)
        rates[t][s] = r
rates[2020]["female"][50] = -1.0  # the override M = 0.00001 - P, then (end) A[49] * S + M < 0: the floor
rates[2021]["male"][0] = -1.0  # the start's infants leave, more than the newborns: the floor in row 0


def steps(assumption):
    return [{"time_start": t, "sx": {s: tables[t][s]["lt_Sx"] for s in R.SEXES}, "asfr": asfr[t], "srb": srb[t],
             "mig_type": "rates", "mig_assumption": assumption, "rates": rates[t]} for t in years]


end = R.loop(z, base, steps("end"))
even = R.loop(z, base, steps("even"))
assert end[0]["floor_f"][50] > 0 and end[1]["floor_m"][0] > 0
R.write_expected(here, [("baseline", "X", base, end, asfr), ("even", "X", base, even, asfr)], ages, z, base_year)

R.write_csv(os.path.join(here, "pop_count_age_sex_base.csv"), ["time_start", "sex", "age_start", "value"],
            [[base_year, s, a, repr(base[s][a])] for s in R.SEXES for a in ages])
R.write_csv(os.path.join(here, "life_table_age_sex.csv"), ["indicator", "time_start", "sex", "age_start", "value"],
            [[ind, t, s, a, repr(tables[t][s][ind][a])] for ind in ("lt_nMx", "lt_lx", "lt_nLx", "lt_Sx")
             for t in years for s in R.SEXES for a in ages])
R.write_csv(os.path.join(here, "fert_rate_age_f.csv"), ["time_start", "age_start", "value"],
            [[t, a, repr(asfr[t][a])] for t in years for a in ages if 10 <= a <= 54])
R.write_csv(os.path.join(here, "srb.csv"), ["time_start", "value"], [[t, v] for t, v in srb.items()])
R.write_csv(os.path.join(here, "mig_net_rate_age_sex.csv"), ["time_start", "sex", "age_start", "value"],
            [[t, s, a, repr(rates[t][s][a])] for t in years for s in R.SEXES for a in ages])

if "--mutant" in sys.argv:  # deaths of row 0 from the births of both sexes instead of the child's sex
    out = sys.argv[sys.argv.index("--mutant") + 1]
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(here, out, ignore=shutil.ignore_patterns("make_case.py", "__pycache__"))
    path = os.path.join(out, "expected_components.csv")
    r = end[0]
    wrong = (1 - tables[2020]["female"]["lt_Sx"][0]) * r["birth_count_tot_b"]
    lines = [ln if not ln.startswith("baseline,2021,X,total,female,0,deaths,") else
             f"baseline,2021,X,total,female,0,deaths,{wrong!r}" for ln in open(path).read().splitlines()]
    open(path, "w").write("\n".join(lines) + "\n")
