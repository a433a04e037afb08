#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the tables, scenario.toml and expected files of un-bayespop-subnat-canada-national-migration (README.md
here). Plain Python, never cohortgis; reads bayesPop's and wpp2024's files from git (../outside18_reference.py).

    make_case.py               this folder's files
    make_case.py --mutant DIR  the same tables into DIR with an expected.csv whose baseline spreads each age
                               group's migrants by the regions' **total** base population (one share per region and
                               sex, as `allocation = "base_population"` would) instead of bayesPop's shares of
                               that age group: run_case.py must fail

bayesPop's subnational projection (`pop.predict.subnat`, `default.country = 124`, `fixed.mx = TRUE`,
`fixed.pasfr = TRUE`, one trajectory at WPP 2024's medium TFR, five-year periods 2020-2035) of Canada's provinces and
territories, given no migration of their own: the national net migration of each period is spread over age by
bayesPop's model Rogers–Castro schedule and over the regions and sexes by (baseline) the regions' base population
of each age group or (variant `shares`) the package's CANpatterns.txt in-migration shares.
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
# Alberta (658) is left out: CANpopM.txt holds -0.007 (thousand) men aged 100+ in 2020, which bayesPop projects
# and cohortgis refuses (a base-population cell below 0); the other 12 regions are projected, and bayesPop
# normalises the migration shares over the regions it projects (.get.mig.shares line 143).
REGIONS = ["659", "660", "661", "662", "663", "664", "665", "666", "667", "668", "669", "670"]
SEX = ref.SEX_NAME


def migrants(data, mode):
    """{period: {(region, sex): [21]}}: "population" (bayesPop's default), "shares" (CANpatterns.txt), or the
    mutant's "total" (each region's total base population instead of its age group's)."""
    out = {}
    if mode == "population":
        shares = ref.population_shares(data["pop"], REGIONS)
    elif mode == "total":
        tot = {k: ref.rsum(v) for k, v in data["pop"].items()}
        s = ref.rsum([tot[(r, x)] for x in ("m", "f") for r in REGIONS])
        shares = {k: [tot[k] / s] * len(ref.RC5) for k in tot if k[0] in REGIONS}
    for y in PERIODS:
        if mode == "shares":
            out[y] = ref.regional_migration(data["migration"][y], REGIONS,
                                            mig_shares=ref.migration_shares(data["patterns"], REGIONS))
        else:
            out[y] = ref.regional_migration(data["migration"][y], REGIONS, pop_shares=shares)
    return out


def write_inputs(folder, data, mig):
    ref.write_country_inputs(folder, data, PERIODS)
    rows = []
    for r in REGIONS:
        for sex in ("f", "m"):
            p = ref17.pad_observed(data["pop"][(r, sex)])
            rows += [[r, SEX[sex], a, p[i]] for i, a in enumerate(ref17.GROUPS)]
    ref17.write_csv(os.path.join(folder, "population_2020.csv"), ["zone", "sex", "age", "population"], rows)
    rows = []
    for y in PERIODS:
        for r in REGIONS:
            for sex in ("f", "m"):
                rows += [[r, y, SEX[sex], 5 * i, v] for i, v in enumerate(mig[y][(r, sex)]) if v != 0.0]
    ref17.write_csv(os.path.join(folder, "migration_counts.csv"), ["zone", "year", "sex", "age", "migrants"], rows)
    # the variants' profiles: bayesPop's model Rogers–Castro shares for each sex of a region, weighted by the
    # region's in- (or out-) migration shares of the two sexes (a profile table is normalised over both sexes)
    os.makedirs(os.path.join(folder, "profiles"), exist_ok=True)
    for what, shares in ref.migration_shares(data["patterns"], REGIONS).items():
        for r in REGIONS:
            rows = [[SEX[s], 5 * i, rc * shares[(r, s)]] for s in ("f", "m") for i, rc in enumerate(ref.RC5)]
            ref17.write_csv(os.path.join(folder, "profiles", "rc_%s_%s.csv" % (what, r)), ["sex", "age", "share"],
                            rows)


SCENARIO_BASELINE = """[migration]
# bayesPop's default: each age group's national migrants shared by the regions' base population of that group
net = { path = "migration_counts.csv", per = "step", columns = { value = "migrants" } }
timing = "end"                         # Canada's MigCode 9

[[variants]]
name = "shares"
description = "the patterns file's in-migration shares (CANpatterns.txt): one flow per region and period"
"""


def flows(data):
    """One flow per region and period: N · (s_M + s_F) / 5 persons per year of the region, signed, spread by the
    region's profile of the period's direction."""
    shares = ref.migration_shares(data["patterns"], REGIONS)
    out = []
    for y in PERIODS:
        total = data["migration"][y]
        what = "out" if total < 0 else "in"
        for r in REGIONS:
            per_year = total * (shares[what][(r, "m")] + shares[what][(r, "f")]) / 5.0
            out.append('  { kind = "net", zones = { "%s" = %r }, years = [%d, %d], profile = { path = '
                       '"profiles/rc_%s_%s.csv" } },' % (r, per_year, y + 1, y + 5, what, r))
    return "migration = { net = false, flows = [\n" + "\n".join(out) + "\n] }\n"


def scenario(data, emigration):
    text = ref.scenario_head(["bayesPop's subnational projection of",
                              "Canada's provinces and territories (Alberta aside) with the national net migration "
                              "spread over the regions."],
                             "un-bayespop-subnat-canada-national-migration",
                             "bayesPop pop.predict.subnat, Canada 5x5 to 130+: national migration by Rogers-Castro "
                             "and regional shares", ", ".join('{ id = "%s" }' % r for r in REGIONS), 2020, 2035, 5)
    text += ref.FIVE_YEAR_INPUTS + SCENARIO_BASELINE + flows(data)
    text += EMIGRATION_HEAD + flows(emigration)
    return text


EMIGRATION_HEAD = """
[[variants]]
name = "emigration"
description = "made up: a national net emigration of a fifth of WPP's totals, shared by the out-migration shares"
"""


def emigration_data(data):
    """The variant `emigration`: Canada's totals are all positive; to reach bayesPop's `outmig` branch the national
    total of each period is replaced by −N / 5 (made up; at −0.3 N the end cut of CCM would act in the Northwest
    Territories)."""
    out = dict(data)
    out["migration"] = {y: -0.2 * v for y, v in data["migration"].items()}
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mutant")
    args = ap.parse_args()
    data = ref.canada_inputs(PERIODS, REGIONS)
    emig = emigration_data(data)
    base = ref.project_regions(data, PERIODS, REGIONS, migrants(data, "population"))
    runs = [("shares", ref.project_regions(data, PERIODS, REGIONS, migrants(data, "shares"))),
            ("emigration", ref.project_regions(emig, PERIODS, REGIONS, migrants(emig, "shares")))]
    if args.mutant:
        os.makedirs(args.mutant, exist_ok=True)
        shutil.copytree(HERE, args.mutant, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("expected*", "make_case.py", "__pycache__"))
        wrong = ref.project_regions(data, PERIODS, REGIONS, migrants(data, "total"))
        ref.write_expected(args.mutant, [("baseline", wrong)] + runs, with_components=False)
        return
    write_inputs(HERE, data, migrants(data, "population"))
    with open(os.path.join(HERE, "scenario.toml"), "w", encoding="utf-8") as f:
        f.write(scenario(data, emig))
    # components of the baseline (counts by zone) and of `emigration` (signed flows): those of `shares` add nothing
    ref.write_expected(HERE, [("baseline", base)] + runs, components_of=("baseline", "emigration"))


if __name__ == "__main__":
    main()
