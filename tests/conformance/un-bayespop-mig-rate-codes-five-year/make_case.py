#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the tables and expected files of un-bayespop-mig-rate-codes-five-year (README.md here). Plain Python,
never cohortgis.

    make_case.py               this folder's CSV files and expected*.csv
    make_case.py --mutant DIR  the same tables into DIR with an expected.csv in which the code-3 values of 2030 are
                               read as rates (times the population after deaths and births, as the code's comment
                               "final age-specific rates" suggests) instead of the counts CCM adds: run_case.py
                               must fail

One trajectory of bayesPop's five-year projection whose migration is given by **rate codes** (`MIGratecode`, one
per period: 1 in 2020-2025, 2 in 2025-2030, 3 in 2030-2035), made into counts inside `CCM` from the population at
the end of each period and added there; cohortgis is given the counts the step returns (`finmigm`/`finmigf`) as
`net` at the end. ../outside17_reference.py holds the arithmetic, each part with its source.
"""
import math
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import outside14_reference as ref14  # noqa: E402  (case_inputs: the options and the folder)
import outside17_reference as ref  # noqa: E402

ZONE = "906"
PERIODS = [2020, 2025, 2030]
BASE = 2020
CODES = {2020: 1, 2025: 2, 2030: 3}
RATES = {2020: (-0.018, -0.015), 2025: (0.012, 0.011), 2030: (0.0, 0.0)}   # (male, female) per period
N = len(ref.GROUPS)


def schedule(year):
    """(male, female) on the 27 groups as CCM receives them: code 1 |proportions| summing to 1 over both sexes
    (migration.totals2age); code 2 signed counts; code 3 the values CCM adds (bayesPop's migM/migF files)."""
    code = CODES[year]
    m, f = [0.0] * N, [0.0] * N
    for i, a in enumerate(ref.OBSERVED):
        mid = a + 2.5
        shape = math.exp(-((mid - 27.0) / 8.0) ** 2) + 0.15 * math.exp(-mid / 6.0)
        if code == 1:
            m[i], f[i] = 1.1 * shape, shape
        elif code == 2:
            m[i] = 3000.0 * shape - (900.0 if 60 <= a <= 70 else 0.0)
            f[i] = 2600.0 * shape - (700.0 if 60 <= a <= 70 else 0.0)
        else:
            m[i] = -4100.0 * shape + (300.0 if 55 <= a <= 65 else 0.0)
            f[i] = -3900.0 * shape + (250.0 if 55 <= a <= 65 else 0.0)
    if code == 1:
        m[ref.OBSERVED.index(100)] = 9.0     # a share that asks more than 80 % of men 100-104: the cap acts
        total = sum(m) + sum(f)
        m, f = [v / total for v in m], [v / total for v in f]
    if code == 3:
        f[ref.OBSERVED.index(20)] = -1.0e6   # more than 80 % of the women 20-24: the cap acts
    return m, f


def project(code3_as_rates=False):
    bm, bf = ref.base_population()
    pm, pf = ref.pad_observed(bm), ref.pad_observed(bf)
    pops = {BASE: (pm, pf)}
    comps = []
    acted = []
    for y in PERIODS:
        mm, mf = ref.rates_130(y)
        srm = ref.survival_from_lt_5(mm, "m")[0]
        srf = ref.survival_from_lt_5(mf, "f")[0]
        sm, sf = schedule(y)
        res = ref.ccm_step(pm, pf, srm, srf, ref.asfr_ccm(y), ref.SRB[y], sm, sf,
                           rate_code=CODES[y], rate_m=RATES[y][0], rate_f=RATES[y][1])
        if code3_as_rates and CODES[y] == 3:
            # the mutant: the same values read as rates of the population after deaths and births
            q_m = [e - m for e, m in zip(res["end_m"], res["mig_m"])]
            q_f = [e - m for e, m in zip(res["end_f"], res["mig_f"])]
            res = ref.ccm_step(pm, pf, srm, srf, ref.asfr_ccm(y), ref.SRB[y],
                               [v / 1e4 * q for v, q in zip(sm, q_m)], [v / 1e4 * q for v, q in zip(sf, q_f)],
                               rate_code=3)
        acted += ["%d: %s" % (y, a) for a in res["acted"]]
        # cohortgis's conserve policy scales a cell's net out-flow only where it exceeds the start cell
        if any(p + m < 0 for p, m in zip(pm + pf, res["mig_m"] + res["mig_f"])):
            raise SystemExit(f"{y}: a count exceeds its start cell: conserve would scale it, CCM does not")
        if any(v < 0 for v in res["end_m"] + res["end_f"]):
            raise SystemExit(f"{y}: a negative end cell")
        pm, pf = res["end_m"], res["end_f"]
        pops[y + 5] = (pm, pf)
        comps.append((y, f"{y + 1}-{y + 5}", res))
    if not code3_as_rates and sorted(a.split(":")[1].strip() for a in acted) != ["code 1", "code 3"]:
        raise SystemExit(f"the caps should act once in 2020 and once in 2030: {acted}")
    return pops, comps


def write_expected(folder, code3_as_rates=False):
    pops, comps = project(code3_as_rates)
    rows, crow = [], []
    for year in sorted(pops):
        pm, pf = pops[year]
        for name, p in (("female", pf), ("male", pm)):
            for i, a in enumerate(ref.GROUPS):
                rows.append(["baseline", year, ZONE, "total", name, a, p[i]])
    ref.write_csv(os.path.join(folder, "expected.csv"),
                  ["variant", "year", "zone", "group", "sex", "age", "population"], rows)
    if code3_as_rates:
        return comps
    for _, period, res in comps:
        crow.append(["baseline", period, ZONE, "total", "female", "", "births", res["births_f"]])
        crow.append(["baseline", period, ZONE, "total", "male", "", "births", res["births_m"]])
        for name, s in (("female", "f"), ("male", "m")):
            for i, a in enumerate(ref.GROUPS):
                crow.append(["baseline", period, ZONE, "total", name, a, "deaths", res["cdeaths_" + s][i]])
                crow.append(["baseline", period, ZONE, "total", name, a, "net_migration", res["mig_" + s][i]])
    ref.write_csv(os.path.join(folder, "expected_components.csv"),
                  ["variant", "period", "zone", "group", "sex", "age", "component", "persons"], crow)
    return comps


def write_inputs(folder, comps):
    rows = []
    for y in PERIODS:
        mm, mf = ref.rates_130(y)
        for name, lt in (("female", ref.mortcast_life_table_abridged(mf, "f")),
                         ("male", ref.mortcast_life_table_abridged(mm, "m"))):
            for r, a in enumerate([0, 1] + ref.GROUPS[1:]):
                rows.append([y, name, a, lt["sx"][r]])
    ref.write_csv(os.path.join(folder, "sx.csv"), ["year", "sex", "age", "sx"], rows)
    bm, bf = ref.base_population()
    rows = [[name, a, p[i]] for name, p in (("female", ref.pad_observed(bf)), ("male", ref.pad_observed(bm)))
            for i, a in enumerate(ref.GROUPS)]
    ref.write_csv(os.path.join(folder, "population_2020.csv"), ["sex", "age", "population"], rows)
    rows = [[y, 15 + 5 * k, ref.asfr_ccm(y)[3 + k] / 5] for y in PERIODS for k in range(7)]
    ref.write_csv(os.path.join(folder, "asfr.csv"), ["year", "age", "asfr"], rows)
    ref.write_csv(os.path.join(folder, "srb.csv"), ["year", "srb"], [[y, ref.SRB[y]] for y in PERIODS])
    rows = []
    for y, _, res in comps:
        for name, s in (("female", "f"), ("male", "m")):
            rows += [[y, name, a, res["mig_" + s][i]] for i, a in enumerate(ref.GROUPS) if res["mig_" + s][i] != 0]
    ref.write_csv(os.path.join(folder, "migration_counts.csv"), ["year", "sex", "age", "migrants"], rows)


def main():
    args, folder, _ = ref14.case_inputs(HERE)
    if args.mutant:
        for f in os.listdir(HERE):
            if f.endswith(".csv") and not f.startswith("expected"):
                shutil.copy(os.path.join(HERE, f), folder)
        write_expected(folder, code3_as_rates=True)
        return
    comps = write_expected(folder)
    write_inputs(folder, comps)


if __name__ == "__main__":
    main()
