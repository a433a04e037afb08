# SPDX-License-Identifier: Apache-2.0
"""Writes the case's tables, expected.csv, expected_components.csv, expected_indicators.csv and
expected_ccmppwpp.csv with ../outside15_reference.py (ccmppWPP 09739c8's loop, step and workflow outputs, file and
line there; see README.md). Never calls cohortgis.

    make_case.py [--mutant DIR]   (DIR: every table and a deliberately wrong expected_ccmppwpp.csv)
"""
import math
import os
import shutil
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(here))
import outside15_reference as R  # noqa: E402

W, base_year = 130, 2020
ages = list(range(W + 1))
years = (2020, 2021, 2022)

# A country losing people: emigration of young adults, fertility falling, every cell of the base above 0.
shape = [math.exp(-0.008 * a - 0.0000012 * a ** 3.2) * (1 + 0.08 * math.cos(a / 6.0)) for a in ages]
base = {s: [float(f"{k * v * (1 - d * a):.10g}") for a, v in enumerate(shape)]
        for s, k, d in (("female", 3100.0, 0.0), ("male", 3000.0, 0.002))}
tables = {}
for k, t in enumerate(years):
    tables[t] = {}
    for s, lift, m0, a0 in (("female", 1.0, 0.011, 0.12), ("male", 1.2, 0.014, 0.11)):
        mx = [m0 * (1 - 0.03 * k)] + [lift * (0.00003 * math.exp(0.1 * a) + 0.0003 * math.exp(-a / 4.0) + 0.0002)
                                        * (1 - 0.015 * k) for a in ages[1:]]
        mx = [min(m, 1.8) for m in mx[:W]] + [2.0]  # the open row's rate as DemoTools' 130+ (nAx = 0.5)
        tables[t][s] = R.life_table(mx, a0)
asfr = {t: [0.115 * math.exp(-((a - 29.0 + k) / 6.5) ** 2) * (1 - 0.04 * k) if 12 <= a <= 50 else 0.0 for a in ages]
        for k, t in enumerate(years)}
srb = {2020: 1.05, 2021: 1.07, 2022: 1.06}
mig_type = {2020: "totals", 2021: "counts", 2022: "rates"}
assumption = {2020: "even", 2021: "end", 2022: "even"}
counts = {t: {s: [0.0] * len(ages) for s in R.SEXES} for t in years}
rates = {t: {s: [0.0] * len(ages) for s in R.SEXES} for t in years}
total = {t: 0.0 for t in years}
total[2020] = -4200.0
for s, f in (("female", 1.0), ("male", 1.3)):
    for a in range(18, 36):
        counts[2021][s][a] = -60.0 * f
    counts[2021][s][0] = -12.0 * f
    for a in range(18, 31):
        rates[2022][s][a] = -0.03 * f
    for a in range(0, 11):
        rates[2022][s][a] = 0.005
counts[2021]["male"][124] = -3.0  # more than the cell holds: the override
counts[2021]["female"][110] = 1.5

inputs = [{"time_start": t, "tables": tables[t], "asfr": asfr[t], "srb": srb[t], "mig_type": mig_type[t],
           "mig_assumption": assumption[t], "counts": counts[t], "rates": rates[t], "total": total[t]} for t in years]
steps = R.loop(base, inputs)
assert steps[1]["migrants"]["male"][124] == R.OVERRIDE - steps[1]["start"]["male"][124]
assert steps[1]["floor"]["male"][124] > 0  # the cohort arriving at 124 is smaller than what leaves: the floor

pop = [["baseline", base_year, "X", "total", s, a, repr(base[s][a])] for s in R.SEXES for a in ages]
comp, ind = [], []
for r in steps:
    t = r["time_start"]
    period = str(t + 1)
    for s in R.SEXES:
        pop += [["baseline", t + 1, "X", "total", s, a, repr(r["end"][s][a])] for a in ages]
        comp.append(["baseline", period, "X", "total", s, "", "births", repr(r["births"][s])])
        comp += [["baseline", period, "X", "total", s, a, "deaths", repr(r["deaths"][s][a])] for a in ages]
        comp += [["baseline", period, "X", "total", s, a, "net_migration", repr(r["migrants"][s][a])] for a in ages
                 if r["migrants"][s][a] != 0]
        comp += [["baseline", period, "X", "total", s, a, "floor_adjustment", repr(v)]
                 for a, v in enumerate(r["floor"][s]) if v]
        lt = tables[t][s]
        ind.append(["baseline", t + 1, "X", "total", "e0_" + s, repr(lt["lt_ex"][0])])
    births = r["births"]["female"] + r["births"]["male"]
    ind += [["baseline", t + 1, "X", "total", "births", repr(births)],
            ["baseline", t + 1, "X", "total", "deaths", repr(sum(sum(r["deaths"][s]) for s in R.SEXES))],
            ["baseline", t + 1, "X", "total", "net_migration", repr(sum(sum(r["migrants"][s]) for s in R.SEXES))],
            ["baseline", t + 1, "X", "total", "population", repr(sum(sum(r["end"][s]) for s in R.SEXES))],
            ["baseline", t + 1, "X", "total", "tfr", repr(sum(asfr[t]))],
            ["baseline", t + 1, "X", "total", "srb_per_100_females", repr(100 * srb[t])]]
ind.append(["baseline", base_year, "X", "total", "population", repr(sum(sum(base[s]) for s in R.SEXES))])
R.write_csv(os.path.join(here, "expected.csv"), ["variant", "year", "zone", "group", "sex", "age", "population"], pop)
R.write_csv(os.path.join(here, "expected_components.csv"),
            ["variant", "period", "zone", "group", "sex", "age", "component", "persons"], comp)
R.write_csv(os.path.join(here, "expected_indicators.csv"), ["variant", "year", "zone", "group", "indicator", "value"],
            ind)

# ccmppWPP's workflow outputs (../outside12_ccmppwpp_outputs.py derives them from the run by scenarios/README.md's
# recipe): the growth, crude-rate, 5x1 and percentage tables of outside15_reference.workflow_outputs, and fert_mac,
# fert_gross and fert_net (R/fert_helper_functions_wpp.R:54-73, 94-113, 136-166: on single years, width 1)
wf = R.workflow_outputs(base, steps, base_year)
for t in years:
    f, L = asfr[t], tables[t]["female"]["lt_nLx"]
    wf.append(("fert_mean_age", t, "female", "", sum(v * (a + 0.5) for a, v in enumerate(f)) / sum(f)))
    wf.append(("fert_rate_gross", t, "female", "", sum(v / (1 + srb[t]) for v in f)))
    wf.append(("fert_rate_net", t, "female", "", sum(v / (1 + srb[t]) * L[a] / 100000 for a, v in enumerate(f))))
R.write_csv(os.path.join(here, "expected_ccmppwpp.csv"), ["indicator", "time_start", "sex", "age_start", "value"],
            [[i, t, s, a, repr(v)] for i, t, s, a, v in wf])

R.write_csv(os.path.join(here, "pop_count_age_sex_base.csv"), ["time_start", "sex", "age_start", "value"],
            [[base_year, s, a, repr(base[s][a])] for s in R.SEXES for a in ages])
R.write_csv(os.path.join(here, "life_table_age_sex.csv"), ["indicator", "time_start", "sex", "age_start", "value"],
            [[i, t, s, a, repr(tables[t][s][i][a])] for i in ("lt_nMx", "lt_lx", "lt_nLx") for t in years
             for s in R.SEXES for a in ages])
R.write_csv(os.path.join(here, "fert_rate_age_f.csv"), ["time_start", "age_start", "value"],
            [[t, a, repr(asfr[t][a])] for t in years for a in ages if 10 <= a <= 54])
R.write_csv(os.path.join(here, "srb.csv"), ["time_start", "value"], [[t, v] for t, v in srb.items()])
R.write_csv(os.path.join(here, "mig_net_count_age_sex.csv"), ["time_start", "sex", "age_start", "value"],
            [[t, s, a, repr(counts[t][s][a])] for t in years for s in R.SEXES for a in ages
             if mig_type[t] == "counts" or (s, a) == ("female", 0)])  # one row of 0 in the other years
R.write_csv(os.path.join(here, "mig_net_rate_age_sex.csv"), ["time_start", "sex", "age_start", "value"],
            [[t, s, a, repr(rates[t][s][a])] for t in years for s in R.SEXES for a in ages
             if mig_type[t] == "rates" or (s, a) == ("female", 0)])
R.write_csv(os.path.join(here, "mig_net_count_tot_b.csv"), ["time_start", "value"],
            [[t, repr(v)] for t, v in total.items()])
R.write_csv(os.path.join(here, "mig_parameter.csv"), ["time_start", "indicator", "value"],
            [[t, i, v[t]] for t in years for i, v in (("mig_type", mig_type), ("mig_assumption", assumption))])

if "--mutant" in sys.argv:  # the growth rate of the unrounded totals (ccmppWPP rounds the population first)
    out = sys.argv[sys.argv.index("--mutant") + 1]
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(here, out, ignore=shutil.ignore_patterns("make_case.py", "__pycache__"))
    path = os.path.join(out, "expected_ccmppwpp.csv")
    p = [sum(sum(x[s]) for s in R.SEXES) for x in [base] + [r["end"] for r in steps]]
    lines = open(path).read().splitlines()
    for k, t in enumerate(years):
        lines = [f"pop_change_rate_tot,{t},both,,{math.log(p[k + 1] / p[k]) * 100!r}"
                 if ln.startswith(f"pop_change_rate_tot,{t},both,,") else ln for ln in lines]
    open(path, "w").write("\n".join(lines) + "\n")
