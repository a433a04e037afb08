# SPDX-License-Identifier: Apache-2.0
"""Writes the case's tables, expected.csv, expected_components.csv and expected_indicators.csv with
../outside12_reference.py (ccmppWPP's loop and step and DemoTools' lt_single_mx, R file and line there; see
README.md). Never calls cohortgis.

    make_case.py [--mutant DIR]   (DIR: every table and a deliberately wrong expected_components.csv)
"""
import math
import os
import shutil
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(here))
import outside12_reference as R  # noqa: E402

z, W, base_year = 1, 130, 2020
ages = list(range(W + 1))
years = (2020, 2021, 2022, 2023)
shape = [math.exp(-0.009 * a) * (1 + 0.06 * math.sin(a / 7.0)) if a <= 110 else 0.0 for a in ages]
for a in range(111, 131):
    shape[a] = shape[110] * math.exp(-0.35 * (a - 110))
base = {"female": [2400.0 * v for v in shape], "male": [2300.0 * v for v in shape]}
rates_mx, tables = {}, {}
for k, t in enumerate(years):
    rates_mx[t], tables[t] = {}, {}
    for s, lift, m0 in (("female", 1.0, 0.004), ("male", 1.25, 0.03)):  # the men's m0 in AK's middle segment
        mx = [lift * (0.00012 * math.exp(0.092 * a) + 0.00025) * (1 - 0.01 * k) for a in ages]
        mx[0] = m0 * (1 - 0.02 * k)
        mx = [min(m, 1.6) for m in mx]
        rates_mx[t][s] = mx
        tables[t][s] = R.lt_single_mx(mx, s)
asfr = {t: [0.1 * math.exp(-((a - 30.0) / 6.0) ** 2) * (1 - 0.02 * k) if 10 <= a <= 54 else 0.0 for a in ages]
        for k, t in enumerate(years)}
srb = {2020: 1.05, 2021: 1.06, 2022: 1.055, 2023: 1.05}
mig_type = {2020: "counts", 2021: "rates", 2022: "totals", 2023: "counts"}
assumption = {2020: "even", 2021: "end", 2022: "even", 2023: "end"}
zero = {s: [0.0] * len(ages) for s in R.SEXES}
counts, rates, total = {}, {}, {}
for t in years:
    counts[t] = {s: [0.0] * len(ages) for s in R.SEXES}
    rates[t] = {s: [0.0] * len(ages) for s in R.SEXES}
    total[t] = 0.0
for t in (2020, 2023):
    for s, f in (("female", 1.0), ("male", 1.1)):
        for a in range(20, 40):
            counts[t][s][a] = 55.0 * f
        counts[t][s][0] = 20.0 * f
        counts[t][s][128] = -5.0  # more than the cell holds near the top of the table: the override
for s in R.SEXES:
    for a in range(15, 30):
        rates[2021][s][a] = -0.02
    rates[2021][s][1] = 0.01
rates[2021]["female"][90] = -1.0  # the override on a rate
total[2022] = -3000.0


def step(t):
    return {"time_start": t, "sx": {s: tables[t][s]["lt_Sx"] for s in R.SEXES}, "asfr": asfr[t], "srb": srb[t],
            "mig_type": mig_type[t], "mig_assumption": assumption[t], "counts": counts[t], "rates": rates[t],
            "total": total[t]}


results = R.loop(z, base, [step(t) for t in years])
assert results[0]["mig_net_count_age_f"][128] == R.OVERRIDE - base["female"][128]
e = []
for t in years:
    for s in R.SEXES:
        e.append(["baseline", t + 1, "X", "total", "e0_" + s, repr(tables[t][s]["lt_ex"][0])])
        e.append(["baseline", t + 1, "X", "total", "e65_" + s, repr(tables[t][s]["lt_ex"][65])])
R.write_expected(here, [("baseline", "X", base, results, asfr)], ages, z, base_year, extra_indicators=e)
# ccmppWPP's other outputs: ../outside12_ccmppwpp_outputs.py derives them from cohortgis's results and compares
R.write_csv(os.path.join(here, "expected_ccmppwpp.csv"), ["indicator", "time_start", "sex", "age_start", "value"],
            [[i, t, s, a, repr(v)] for i, t, s, a, v in R.ccmppwpp_outputs(results, tables, z, asfr=asfr, srb=srb)])

R.write_csv(os.path.join(here, "pop_count_age_sex_base.csv"), ["time_start", "sex", "age_start", "value"],
            [[base_year, s, a, repr(base[s][a])] for s in R.SEXES for a in ages])
R.write_csv(os.path.join(here, "life_table_age_sex.csv"), ["indicator", "time_start", "sex", "age_start", "value"],
            [[ind, t, s, a, repr(tables[t][s][ind][a])] for ind in ("lt_nMx", "lt_lx", "lt_nLx", "lt_Sx", "lt_ex")
             for t in years for s in R.SEXES for a in ages])
R.write_csv(os.path.join(here, "fert_rate_age_f.csv"), ["time_start", "age_start", "value"],
            [[t, a, repr(asfr[t][a])] for t in years for a in ages if 10 <= a <= 54])
R.write_csv(os.path.join(here, "srb.csv"), ["time_start", "value"], [[t, v] for t, v in srb.items()])
R.write_csv(os.path.join(here, "mig_net_count_age_sex.csv"), ["time_start", "sex", "age_start", "value"],
            [[t, s, a, repr(counts[t][s][a])] for t in years for s in R.SEXES for a in ages])
R.write_csv(os.path.join(here, "mig_net_rate_age_sex.csv"), ["time_start", "sex", "age_start", "value"],
            [[t, s, a, repr(rates[t][s][a])] for t in years for s in R.SEXES for a in ages])
R.write_csv(os.path.join(here, "mig_net_count_tot_b.csv"), ["time_start", "value"],
            [[t, repr(v)] for t, v in total.items()])
R.write_csv(os.path.join(here, "mig_parameter.csv"), ["time_start", "indicator", "value"],
            [[t, ind, v[t]] for t in years for ind, v in (("mig_type", mig_type), ("mig_assumption", assumption))])

if "--mutant" in sys.argv:  # the rates' migrants as the rates themselves (not times the start population)
    out = sys.argv[sys.argv.index("--mutant") + 1]
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(here, out, ignore=shutil.ignore_patterns("make_case.py", "__pycache__"))
    path = os.path.join(out, "expected_components.csv")
    lines = [ln if not ln.startswith("baseline,2022,X,total,male,20,net_migration,") else
             f"baseline,2022,X,total,male,20,net_migration,{rates[2021]['male'][20]!r}"
             for ln in open(path).read().splitlines()]
    open(path, "w").write("\n".join(lines) + "\n")
