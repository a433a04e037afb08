#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the tables, scenario.toml and expected files of un-bayespop-rc-family-annual-totals (README.md here).
Plain Python, never cohortgis; reads DemoTools' `mig_un_families` from git (../outside18_reference.py) and the
made-up country of ../un-bayespop-ccm-mortcast-1x1-130 (its rates to 130, base, ASFR and SRB, copied here).

    make_case.py               this folder's files
    make_case.py --mutant DIR  the same tables into DIR with an expected.csv whose 100+ takes the family's shares of
                               the ages 100 … 120 (as a five-year table's open group would) instead of age 100's
                               alone: run_case.py must fail

bayesPop's single-year projection (`pop.predict(annual = TRUE, inputs = list(…, mig = totals), mig.age.method =
"rc", mig.rc.fam = <DemoTools' "Female Labor" family>)`, `MigCode` 0), its yearly total net migration spread over
sex and age by the family's shares of the single ages 0 … 100.
"""
import argparse
import csv
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CONF = os.path.dirname(HERE)
sys.path.insert(0, CONF)
import outside16_reference as ref16  # noqa: E402
import outside18_reference as ref  # noqa: E402

SOURCE = os.path.join(CONF, "un-bayespop-ccm-mortcast-1x1-130")
COPIED = ("mx_extended.csv", "population_2021.csv", "asfr.csv", "srb.csv")
ZONE = "902"
YEARS = [2021, 2022, 2023]
FAMILY = "Female Labor"
TOTALS = {2021: 24000.0, 2022: -18000.0, 2023: 9000.0}   # made up: persons over each year, both sexes
AGES = list(range(131))


def read_inputs():
    """The copied tables as {year: {(sex, age): value}} (mx, asfr by year), base {(sex, age)}, srb {year}."""
    def rows(name):
        with open(os.path.join(SOURCE, name), encoding="utf-8") as f:
            return list(csv.DictReader(f))
    mx = {}
    for r in rows("mx_extended.csv"):
        mx.setdefault(int(r["year"]), {})[(r["sex"], int(r["age"]))] = float(r["mx"])
    asfr = {}
    for r in rows("asfr.csv"):
        asfr.setdefault(int(r["year"]), {})[int(r["age"])] = float(r["asfr"])
    base = {(r["sex"], int(r["age"])): float(r["population"]) for r in rows("population_2021.csv")}
    srb = {int(r["year"]): float(r["srb"]) for r in rows("srb.csv")}
    return mx, asfr, base, srb


def props_of(mode):
    rows = ref.un_migration_family(FAMILY)
    if mode == "open-sum":   # the mutant: 100+ the sum of the ages 100 … 120
        rows = [(s, m, min(a, 100), p) for s, m, a, p in rows]
        summed = {}
        for s, m, a, p in rows:
            summed[(s, m, a)] = summed.get((s, m, a), 0.0) + p
        rows = [(s, m, a, p) for (s, m, a), p in summed.items()]
    return ref.rc_family_annual(rows)


def project(props):
    mx, asfr, base, srb = read_inputs()
    pm = [base.get(("male", a), 0.0) for a in AGES]
    pf = [base.get(("female", a), 0.0) for a in AGES]
    pops, comps = {YEARS[0]: (pm, pf)}, []
    for y in YEARS:
        srm = ref16.mortcast_life_table_1y([mx[y][("male", a)] for a in AGES], "m")[2]
        srf = ref16.mortcast_life_table_1y([mx[y][("female", a)] for a in AGES], "f")[2]
        mm = ref.totals_to_ages_family(TOTALS[y], props, "M") + [0.0] * 30   # 101 observed ages padded to 131
        mf = ref.totals_to_ages_family(TOTALS[y], props, "F") + [0.0] * 30
        out = ref16.bayespop_ccm_step(pm, pf, srm, srf, [asfr[y].get(a, 0.0) for a in AGES], srb[y], mm, mf, 0)
        if any(m < -p for m, p in zip(mm + mf, pm + pf)) or any(v < 0 for v in out[0] + out[1]):
            raise SystemExit("%d: a count exceeds its start cell or an end cell is negative" % y)
        pm, pf = out[0], out[1]
        pops[y + 1] = (pm, pf)
        comps.append((y, {"births_m": out[4], "births_f": out[5], "cdeaths_m": out[2], "cdeaths_f": out[3],
                          "mig_m": out[6], "mig_f": out[7]}))
    return pops, comps


def write_expected(folder, pops, comps, with_components=True):
    rows = []
    for year in sorted(pops):
        pm, pf = pops[year]
        for sex, p in (("female", pf), ("male", pm)):
            rows += [["baseline", year, ZONE, "total", sex, a, p[a]] for a in AGES]
    ref16.write_csv(os.path.join(folder, "expected.csv"),
                    ["variant", "year", "zone", "group", "sex", "age", "population"], rows)
    if not with_components:
        return
    crow = []
    for y, c in comps:
        crow.append(["baseline", str(y + 1), ZONE, "total", "female", "", "births", c["births_f"]])
        crow.append(["baseline", str(y + 1), ZONE, "total", "male", "", "births", c["births_m"]])
        for s, name in (("f", "female"), ("m", "male")):
            for a in AGES:
                crow.append(["baseline", str(y + 1), ZONE, "total", name, a, "deaths", c["cdeaths_" + s][a]])
                crow.append(["baseline", str(y + 1), ZONE, "total", name, a, "net_migration", c["mig_" + s][a]])
    ref16.write_csv(os.path.join(folder, "expected_components.csv"),
                    ["variant", "period", "zone", "group", "sex", "age", "component", "persons"], crow)


SCENARIO = """[base_population]
table = "population_2021.csv"

[fertility]
schedule = { path = "asfr.csv", columns = { value = "asfr" } }
srb = { path = "srb.csv", unit = "per_female", columns = { value = "srb" } }

[mortality]
mx = { path = "mx_extended.csv", columns = { value = "mx" } }   # MortCast's table: L130 = l130 / m130, no open_ax
a0 = "andreev-kingkade"

[migration]
timing = "even"                        # MigCode 0
%s"""


def scenario():
    flows = ref.total_flows(TOTALS, 1, "persons")
    head = ref.scenario_head(["bayesPop's single-year projection whose",
                              "yearly total net migration is spread by DemoTools' UN migration family "
                              "\"Female Labor\" (mig.rc.fam)."],
                             "un-bayespop-rc-family-annual-totals",
                             "bayesPop 1x1 to 130+: yearly total net migration spread by a UN Rogers-Castro family "
                             "(mig.rc.fam)", '{ id = "902", name = "Outside16 bayesPop country" }', 2021, 2024, 1)
    return head + SCENARIO % flows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mutant")
    args = ap.parse_args()
    pops, comps = project(props_of("bayespop"))
    if args.mutant:
        os.makedirs(args.mutant, exist_ok=True)
        shutil.copytree(HERE, args.mutant, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("expected*", "make_case.py", "__pycache__"))
        wrong_pops, _ = project(props_of("open-sum"))
        write_expected(args.mutant, wrong_pops, None, with_components=False)
        return
    for name in COPIED:
        shutil.copy(os.path.join(SOURCE, name), HERE)
    props = props_of("bayespop")
    for sign, name in (("I", "immigration"), ("E", "emigration")):
        rows = [[sex, a, props[(sex[0].upper(), sign)][a]] for sex in ("female", "male") for a in range(101)]
        ref16.write_csv(os.path.join(HERE, "profile_%s.csv" % name), ["sex", "age", "share"], rows)
    with open(os.path.join(HERE, "scenario.toml"), "w", encoding="utf-8") as f:
        f.write(scenario())
    write_expected(HERE, pops, comps)


if __name__ == "__main__":
    main()
