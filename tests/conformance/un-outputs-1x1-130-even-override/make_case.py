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

z, W, base_year = 1, 130, 2020
ages = list(range(W + 1))
years = (2020, 2021, 2022)
shape = [math.exp(-0.011 * a - 0.0009 * max(a - 55, 0) ** 2) * (1 + 0.04 * math.sin(a / 5.0)) for a in ages]
base = {"female": [1800.0 * v for v in shape], "male": [1850.0 * v for v in shape]}
base["female"][40], base["female"][41] = 5.0, 2000.0  # a small cohort before a large one emptied below: the floor
base["male"][0] = 5000.0  # many infants at the start, emptied by migrants below
base["male"][125] = 0.0  # an empty base cell: the override gives it 0.00001 (every step, every variant)
tables = {}
for k, t in enumerate(years):
    tables[t] = {}
    for s, lift in (("female", 1.0), ("male", 1.35)):
        mx = [lift * (0.00018 * math.exp(0.088 * a) + 0.0004) * (1 - 0.02 * k) for a in ages]
        mx[0] = 0.006 * lift * (1 - 0.03 * k)
        mx = [min(m, 1.2) for m in mx]
        tables[t][s] = R.life_table(mx, open_half=True)
asfr = {t: [0.105 * (1 + 0.02 * k) * math.exp(-((a - 29.0) / 6.5) ** 2) if 10 <= a <= 54 else 0.0 for a in ages]
        for k, t in enumerate(years)}
srb = {2020: 1.05, 2021: 1.055, 2022: 1.06}
counts = {}
for k, t in enumerate(years):
    counts[t] = {}
    for s, f in (("female", 1.0), ("male", 1.04)):
        c = [0.0] * len(ages)
        for a in range(18, 36):
            c[a] = (40.0 + 2 * k) * f
        for a in range(60, 70):
            c[a] = -15.0 * f
        counts[t][s] = c
counts[2020]["female"][3] = -2 * base["female"][3]  # P + M < 0: M := 0.00001 - P
counts[2020]["female"][41] = -5000.0  # the override, then the floor: A[40] * S[41] + M[41] / 2 < 0
counts[2021]["male"][130] = -1.0e6  # the open group emptied by its migrants (the override in 130+)
counts[2020]["male"][0] = -1.0e5  # the start's infants emptied (the override); half joins the newborns: the floor


def steps(mig):
    return [{"time_start": t, "sx": {s: tables[t][s]["lt_Sx"] for s in R.SEXES}, "asfr": asfr[t], "srb": srb[t],
             "mig_type": "counts", "mig_assumption": "even",
             "counts": counts[t] if mig else {s: [0.0] * len(ages) for s in R.SEXES}} for t in years]


baseline = R.loop(z, base, steps(True))
zero = R.loop(z, base, steps(False))
assert baseline[0]["floor_f"][41] > 0 and baseline[0]["floor_m"][0] > 0
assert all(r["mig_net_count_age_m"][125] == R.OVERRIDE for r in zero[:1])
e0 = []
for variant in ("baseline", "zero-migration"):
    for t in years:
        for s in R.SEXES:
            e0.append([variant, t + 1, "X", "total", "e0_" + s, repr(sum(tables[t][s]["lt_nLx"]) / 100000.0)])
R.write_expected(here, [("baseline", "X", base, baseline, asfr), ("zero-migration", "X", base, zero, asfr)], ages,
                 z, base_year, extra_indicators=e0)

# ccmppWPP's other outputs (period deaths, exposures, births by age of mother, both sexes, 100+, five-year sums,
# crude rates) of the baseline: ../outside12_ccmppwpp_outputs.py derives them from cohortgis's results by
# scenarios/README.md's recipe and compares. Its period deaths sum to the cohort deaths (the indicator `deaths`)
for r in baseline:
    t = r["time_start"]
    for k, s in (("f", "female"), ("m", "male")):
        per = R.period_deaths(r["deaths_" + k], tables[t][s]["lt_lx"], tables[t][s]["lt_nLx"])
        assert abs(sum(per) - sum(r["deaths_" + k])) < 1e-9 * sum(per)
R.write_csv(os.path.join(here, "expected_ccmppwpp.csv"), ["indicator", "time_start", "sex", "age_start", "value"],
            [[i, t, s, a, repr(v)] for i, t, s, a, v in R.ccmppwpp_outputs(baseline, tables, z, asfr=asfr, srb=srb)])
R.write_csv(os.path.join(here, "mig_parameter.csv"), ["time_start", "indicator", "value"],
            [[t, i, v] for t in years for i, v in (("mig_type", "counts"), ("mig_assumption", "even"))])

R.write_csv(os.path.join(here, "pop_count_age_sex_base.csv"), ["time_start", "sex", "age_start", "value"],
            [[base_year, s, a, repr(base[s][a])] for s in R.SEXES for a in ages])
R.write_csv(os.path.join(here, "life_table_age_sex.csv"), ["indicator", "time_start", "sex", "age_start", "value"],
            [[ind, t, s, a, repr(tables[t][s][ind][a])] for ind in ("lt_nMx", "lt_lx", "lt_nLx", "lt_Sx")
             for t in years for s in R.SEXES for a in ages])
R.write_csv(os.path.join(here, "fert_rate_age_f.csv"), ["time_start", "age_start", "value"],
            [[t, a, repr(asfr[t][a])] for t in years for a in ages if 10 <= a <= 54])
R.write_csv(os.path.join(here, "srb.csv"), ["time_start", "value"], [[t, v] for t, v in srb.items()])
R.write_csv(os.path.join(here, "mig_net_count_age_sex.csv"), ["time_start", "sex", "age_start", "value"],
            [[t, s, a, repr(counts[t][s][a])] for t in years for s in R.SEXES for a in ages])

if "--mutant" in sys.argv:  # the migrants as given, without the override, in components.csv's net_migration
    out = sys.argv[sys.argv.index("--mutant") + 1]
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(here, out, ignore=shutil.ignore_patterns("make_case.py", "__pycache__"))
    path = os.path.join(out, "expected_components.csv")
    lines = open(path).read().splitlines()
    lines = [ln if not ln.startswith("baseline,2021,X,total,female,3,net_migration,") else
             f"baseline,2021,X,total,female,3,net_migration,{counts[2020]['female'][3]!r}" for ln in lines]
    open(path, "w").write("\n".join(lines) + "\n")
