#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the tables and expected files of un-bayespop-ccm-mortcast-1x1-130 (README.md here). Plain Python, never
cohortgis.

    make_case.py               this folder's CSV files and expected*.csv
    make_case.py --mutant DIR  the same tables into DIR with expected.csv from DemoTools' closure of 130+
                               (L130 = l130 / 2, what `open_ax = 0.5` does) instead of MortCast's l130 / m130:
                               run_case.py must fail

One trajectory of bayesPop's projection on single years (its `CCM`, src/projection_functions.c, with migration
counts) from rates to 100+ extended to 130 as bayesPop extends them (cokannisto on 90 … 99) and made into survival
ratios by MortCast's life table; ../outside16_reference.py holds the arithmetic, each line with its source, and
../outside17_reference.py the step `ccm_step` (bayesPop's CCM on any grid, here single years).
"""
import math
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import outside16_reference as ref  # noqa: E402
import outside17_reference as ref17  # noqa: E402

ZONE = "902"
YEARS = [2021, 2022, 2023, 2024, 2025]        # the steps start at these years
BASE, HORIZON = 2021, 2026
AGES = list(range(131))
RUNS = {"baseline": 0, "end": 9}              # bayesPop's MIGtype: 0 even, 9 end


def given_rates(year, sex):
    """Rates to 100+ (0 … 99, open 100) of a country with e0 near 70: falling 1 % a year."""
    t = year - 2021
    male = sex == "m"
    out = []
    for x in range(101):
        infant = (0.021 if male else 0.017) if x == 0 else 0.0
        child = 0.0024 * math.exp(-0.45 * x) if x >= 1 else 0.0
        hump = (0.0014 if male else 0.0004) * math.exp(-((x - 24.0) / 8.0) ** 2)
        gm = (0.00005 if male else 0.00003) * math.exp(0.092 * x) * (1.0 - 0.0009 * max(x - 80, 0) ** 1.5)
        out.append((infant + child + hump + 0.00025 + gm) * 0.99 ** t)
    out[100] = out[99] * 1.1
    return out


def rates_130(year):
    return ref.bayespop_kannisto_annual(given_rates(year, "m"), given_rates(year, "f"))


def base_population():
    m, f = [], []
    for a in AGES:
        size = 52000.0 * math.exp(-0.012 * a) * math.exp(-0.00006 * math.exp(0.1 * a))
        f.append(size * (1.0 + 0.03 * math.sin(a / 4.0)) + 1e-3)
        m.append(size * 1.03 * math.exp(-0.00003 * math.exp(0.1 * a)) + 1e-3)
    return m, f


def asfr(year):
    tfr = 2.45 - 0.04 * (year - 2021)
    shape = [math.exp(-((a - 27.5) / 6.2) ** 2) if 10 <= a <= 54 else 0.0 for a in AGES]
    s = sum(shape)
    return [tfr * v / s for v in shape]


SRB = {2021: 1.06, 2022: 1.058, 2023: 1.056, 2024: 1.054, 2025: 1.052}


def migrants(year, sex):
    """Net emigration of young adults and children with their parents, a small return at 60 … 70: no count
    empties a cell (bayesPop's CCM has no override; cohortgis's `wpp` one is then never used)."""
    out = [0.0] * 131
    for a in range(0, 90):
        out[a] = -650.0 * math.exp(-((a - 25.0) / 8.0) ** 2) * (1.1 if sex == "m" else 1.0) - 12.0 * math.exp(-a / 6.0)
    for a in range(60, 71):
        out[a] += 35.0 + (year - 2021)
    return out


def survival(year, closure="mortcast"):
    mm, mf = rates_130(year)
    if closure == "mortcast":
        return ref.mortcast_life_table_1y(mm, "m")[2], ref.mortcast_life_table_1y(mf, "f")[2]
    return ref.lt_single_mx(mm, "m")["Sx"], ref.lt_single_mx(mf, "f")["Sx"]


def project(mig_code, closure="mortcast"):
    pm, pf = base_population()
    pops = {BASE: (pm, pf)}
    comps = []
    for y in YEARS:
        srm, srf = survival(y, closure)
        mm, mf = migrants(y, "m"), migrants(y, "f")
        step = ref17.ccm_step(pm, pf, srm, srf, asfr(y), SRB[y], mm, mf, mig_type=mig_code, fertile=ref17.FERTILE_1)
        res = (step["end_m"], step["end_f"], step["cdeaths_m"], step["cdeaths_f"], step["births_m"], step["births_f"],
               step["mig_m"], step["mig_f"])
        if step["acted"]:
            raise SystemExit(f"{y}: bayesPop's end cut acts; the case must stay where cohortgis's override does not")
        if any(p + m <= 0 for p, m in zip(pm + pf, mm + mf)):
            raise SystemExit(f"{y}: a count empties a cell: ccmppWPP's override would act, bayesPop has none")
        if any(v < 0 for v in res[0] + res[1]):
            raise SystemExit(f"{y}: a negative end cell (bayesPop keeps it, the floor would not)")
        # bayesPop's CCM says it "should match" ccmppWPP's project_ccmpp_z_by_z: check that here, to 1e-12
        other = ref.ccmpp_step(pm, pf, srm, srf, asfr(y), SRB[y], mm, mf, "even" if mig_code == 0 else "end")
        for a, b in zip(res[0] + res[1], other[0] + other[1]):
            if abs(a - b) > 1e-12 * max(abs(b), 1.0):
                raise SystemExit(f"{y}: bayesPop's step and ccmppWPP's differ: {a} vs {b}")
        pm, pf = res[0], res[1]
        pops[y + 1] = (pm, pf)
        comps.append((y + 1, res))
    return pops, comps


def write_expected(folder, closure="mortcast"):
    rows, crow = [], []
    for variant, code in RUNS.items():
        pops, comps = project(code, closure)
        for year in sorted(pops):
            pm, pf = pops[year]
            for name, p in (("female", pf), ("male", pm)):
                for a in AGES:
                    rows.append([variant, year, ZONE, "total", name, a, p[a]])
        for period, res in comps:
            bm, bf = res[4], res[5]
            crow.append([variant, period, ZONE, "total", "female", "", "births", bf])
            crow.append([variant, period, ZONE, "total", "male", "", "births", bm])
            for name, d, m in (("female", res[3], res[7]), ("male", res[2], res[6])):
                for a in AGES:
                    crow.append([variant, period, ZONE, "total", name, a, "deaths", d[a]])
                    crow.append([variant, period, ZONE, "total", name, a, "net_migration", m[a]])
    ref.write_csv(os.path.join(folder, "expected.csv"),
                  ["variant", "year", "zone", "group", "sex", "age", "population"], rows)
    if closure == "mortcast":
        ref.write_csv(os.path.join(folder, "expected_components.csv"),
                      ["variant", "period", "zone", "group", "sex", "age", "component", "persons"], crow)


def write_inputs(folder):
    rows = []
    for y in YEARS:
        mm, mf = rates_130(y)
        for name, r in (("female", mf), ("male", mm)):
            for a in AGES:
                rows.append([y, name, a, r[a]])
    ref.write_csv(os.path.join(folder, "mx_extended.csv"), ["year", "sex", "age", "mx"], rows)
    pm, pf = base_population()
    rows = [[name, a, p[a]] for name, p in (("female", pf), ("male", pm)) for a in AGES]
    ref.write_csv(os.path.join(folder, "population_2021.csv"), ["sex", "age", "population"], rows)
    rows = [[y, a, asfr(y)[a]] for y in YEARS for a in range(10, 55)]
    ref.write_csv(os.path.join(folder, "asfr.csv"), ["year", "age", "asfr"], rows)
    ref.write_csv(os.path.join(folder, "srb.csv"), ["year", "srb"], [[y, SRB[y]] for y in YEARS])
    rows = [[y, name, a, migrants(y, s)[a]] for y in YEARS for name, s in (("female", "f"), ("male", "m"))
            for a in AGES if migrants(y, s)[a] != 0.0]
    ref.write_csv(os.path.join(folder, "migration_counts.csv"), ["year", "sex", "age", "migrants"], rows)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--mutant":
        out = sys.argv[2]
        os.makedirs(out, exist_ok=True)
        for f in os.listdir(HERE):
            if f.endswith(".csv") or f in ("scenario.toml", "README.md"):
                shutil.copy(os.path.join(HERE, f), os.path.join(out, f))
        os.remove(os.path.join(out, "expected_components.csv"))
        write_expected(out, closure="demotools")
        return
    if len(sys.argv) != 1:
        sys.exit(__doc__)
    write_inputs(HERE)
    write_expected(HERE)


if __name__ == "__main__":
    main()
