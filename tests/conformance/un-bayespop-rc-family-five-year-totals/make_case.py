#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the tables, scenario.toml and expected files of un-bayespop-rc-family-five-year-totals (README.md here).
Plain Python, never cohortgis; reads bayesPop's, wpp2024's and DemoTools' files from git
(../outside18_reference.py).

    make_case.py               this folder's files
    make_case.py --mutant DIR  the same tables into DIR with an expected.csv whose family is grouped as the ages
                               read (0-4 = single ages 0 … 4, …, 100+ = 100 … 120) instead of by R's right-closed
                               `cut` (0-4 = 0 … 5, 5-9 = 6 … 10, …, 100+ = 101 … 105): run_case.py must fail

bayesPop's national five-year projection (`pop.predict(inputs = list(popM, popF, mig = totals), mig.age.method =
"rc", mig.rc.fam = <DemoTools' "Male Labor" family>)`, `fixed.mx = TRUE`, `fixed.pasfr = TRUE`, one trajectory at
WPP 2024's medium TFR) of Canada, its total net migration of each period spread over sex and age by the family's
immigration profile (a positive total) or emigration profile (a negative one).
"""
import argparse
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import outside17_reference as ref17  # noqa: E402
import outside18_reference as ref  # noqa: E402

PERIODS = [2020, 2025, 2030]
ZONE = "124"
ALL_REGIONS = ["658", "659", "660", "661", "662", "663", "664", "665", "666", "667", "668", "669", "670"]
FAMILY = "Male Labor"
# the `mig` input: WPP 2024's medium totals (thousands over the period), except 2025-2030, a made-up net emigration
# that takes the family's emigration profile (Canada's own totals are all positive)
EMIGRATION_2025 = -612.5


def national_data():
    data = ref.canada_inputs(PERIODS, ALL_REGIONS)
    # Canada's 2020 population: the sum of the package's 13 regions (CANpopM/CANpopF; Alberta's men 100+ -0.007)
    data["national"] = {s: [ref.rsum([data["pop"][(r, s)][i] for r in ALL_REGIONS]) for i in range(len(ref.RC5))]
                        for s in ("m", "f")}
    data["totals"] = dict(data["migration"])
    data["totals"][2025] = EMIGRATION_2025
    return data


def props_of(mode):
    rows = ref.un_migration_family(FAMILY)
    if mode == "naive":
        # the mutant: each single age summed into the group its label names (0-4 = 0 … 4, 100+ = 100 … 120);
        # rc_family_five_year's right-closed grouping takes the age 5k + 1 to group k and 101 to 100+
        rows = [(s, m, 5 * (a // 5) + 1 if a < 100 else 101, p) for s, m, a, p in rows]
    return ref.rc_family_five_year(rows)


def project(data, props, wpp_age_migration=None):
    """bayesPop's trajectory with the `mig` totals spread by the family, or (`wpp_age_migration`, the variant) with
    no migration input: wpp2024's migrationM5/migrationF5 of the projection periods."""
    mig = {}
    for y in PERIODS:
        if wpp_age_migration is not None:
            mig[y] = {(ZONE, "m"): wpp_age_migration[y][0], (ZONE, "f"): wpp_age_migration[y][1]}
        else:
            mig[y] = {(ZONE, s): ref.totals_to_ages_family(data["totals"][y], props, s.upper()) for s in ("m", "f")}
    data = dict(data)
    data["pop"] = {(ZONE, s): data["national"][s] for s in ("m", "f")}
    return ref.project_regions(data, PERIODS, [ZONE], mig)


def write_inputs(folder, data, props):
    ref.write_country_inputs(folder, data, PERIODS)
    rows = []
    for s in ("f", "m"):
        p = ref17.pad_observed(data["national"][s])
        rows += [[ref.SEX_NAME[s], a, p[i]] for i, a in enumerate(ref17.GROUPS)]
    ref17.write_csv(os.path.join(folder, "population_2020.csv"), ["sex", "age", "population"], rows)
    # wpp2024's migrationM5/F5 reshaped into rows as an outside author would: the UN's period label kept in a
    # `period` column (switched off in the scenario: "2020-2025" is not cohortgis's inclusive calendar period),
    # the age labels as published but the open 100+ written 100-104 (bayesPop pads it to the group 100-104)
    rows = []
    for y, (mig_m, mig_f) in sorted(ref.wpp2024_age_migration(PERIODS, ZONE).items()):
        for s, mig in (("female", mig_f), ("male", mig_m)):
            rows += [[ref.p_label(y), y, s, "100-104" if lab == "100+" else lab, v]
                     for lab, v in zip(ref.AGE_LABELS, mig)]
    ref17.write_csv(os.path.join(folder, "wpp2024_migration5.csv"),
                    ["period", "period_start", "sex", "age", "migrants"], rows)
    for sign, name in (("I", "immigration"), ("E", "emigration")):
        rows = [[ref.SEX_NAME[s], 5 * i, v] for s in ("f", "m") for i, v in enumerate(props[(s.upper(), sign)])]
        ref17.write_csv(os.path.join(folder, "profile_%s.csv" % name), ["sex", "age", "share"], rows)


SCENARIO = """[migration]
timing = "end"                         # Canada's MigCode 9
%s"""


def scenario(data):
    flows = ref.total_flows(data["totals"], 5, "thousand")
    head = ref.scenario_head(["bayesPop's national five-year projection",
                              "of Canada whose total net migration is spread by DemoTools' UN migration family "
                              "\"Male Labor\" (mig.rc.fam)."],
                             "un-bayespop-rc-family-five-year-totals",
                             "bayesPop 5x5 to 130+: total net migration spread by a UN Rogers-Castro family "
                             "(mig.rc.fam)", '{ id = "124", name = "Canada" }', 2020, 2035, 5)
    return head + ref.FIVE_YEAR_INPUTS + SCENARIO % flows + VARIANT


VARIANT = """
[[variants]]
name = "wpp-age-migration"
description = "no migration input: bayesPop takes wpp2024's migrationM5/F5, the UN's net migrants by sex and age"

[variants.migration]
flows = []

[variants.migration.net]
path = "wpp2024_migration5.csv"
per = "step"
ages = "labels"
columns = { year = "period_start", period = "", value = "migrants" }
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mutant")
    args = ap.parse_args()
    data = national_data()
    props = props_of("bayespop")
    res = project(data, props)
    wpp = project(data, props, ref.wpp2024_age_migration(PERIODS, ZONE))
    if args.mutant:
        os.makedirs(args.mutant, exist_ok=True)
        shutil.copytree(HERE, args.mutant, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("expected*", "make_case.py", "__pycache__"))
        ref.write_expected(args.mutant, [("baseline", project(data, props_of("naive"))), ("wpp-age-migration", wpp)],
                           with_components=False)
        return
    write_inputs(HERE, data, props)
    with open(os.path.join(HERE, "scenario.toml"), "w", encoding="utf-8") as f:
        f.write(scenario(data))
    ref.write_expected(HERE, [("baseline", res), ("wpp-age-migration", wpp)])


if __name__ == "__main__":
    main()
