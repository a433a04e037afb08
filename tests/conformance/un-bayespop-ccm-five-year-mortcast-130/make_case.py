#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the tables and expected files of un-bayespop-ccm-five-year-mortcast-130 (README.md here). Plain Python,
never cohortgis.

    make_case.py               this folder's CSV files and expected*.csv
    make_case.py --mutant DIR  the same tables into DIR with an expected.csv from a life table with Greville's ax
                               at 5-9 and 10-14 (where MortCast sets 2.5): run_case.py must fail

One trajectory of bayesPop's five-year projection (its C function `CCM` with `abridged = 1`, migration counts) from
abridged rates to 100+ extended to 130 as bayesPop does (cokannisto on 80, 85, 90, 95) and made into survival
ratios by MortCast's abridged life table; ../outside17_reference.py holds the arithmetic, each part with its source.
"""
import math
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import outside14_reference as ref14  # noqa: E402  (case_inputs: the options and the folder)
import outside16_reference as ref16  # noqa: E402  (ccmppWPP's step, for the cross-check)
import outside17_reference as ref  # noqa: E402

ZONE = "905"
PERIODS = [2020, 2025, 2030]                 # time_start of each five-year step
BASE = 2020
RUNS = {"baseline": 0, "end": 9, "sx": 0}    # bayesPop's MIGtype of each run (the variant sx reads MortCast's sx)


def migrants(year, sex):
    """Net counts over the period on the 21 observed groups (the 100+ row is CCM's 100-104): emigration of young
    adults and their children, a return flow at 60-74. No count empties a cell."""
    t = (year - 2020) // 5
    out = []
    for a in ref.OBSERVED:
        mid = a + 2.5
        v = -5200.0 * (1.12 if sex == "m" else 1.0) * math.exp(-((mid - 26.0) / 9.0) ** 2)
        v -= 900.0 * math.exp(-mid / 7.0)
        if 60 <= a <= 70:
            v += 400.0 + 60.0 * t
        out.append(v * (1.0 - 0.1 * t))
    return out


def tables(year, greville_from_5=False):
    mm, mf = ref.rates_130(year)
    return (ref.mortcast_life_table_abridged(mm, "m", greville_from_5),
            ref.mortcast_life_table_abridged(mf, "f", greville_from_5))


def project(mig_type, greville_from_5=False):
    bm, bf = ref.base_population()
    pm, pf = ref.pad_observed(bm), ref.pad_observed(bf)
    pops = {BASE: (pm, pf)}
    comps = []
    for y in PERIODS:
        mm, mf = ref.rates_130(y)
        srm = ref.survival_from_lt_5(mm, "m", greville_from_5)[0]
        srf = ref.survival_from_lt_5(mf, "f", greville_from_5)[0]
        migm, migf = ref.pad_observed(migrants(y, "m")), ref.pad_observed(migrants(y, "f"))
        res = ref.ccm_step(pm, pf, srm, srf, ref.asfr_ccm(y), ref.SRB[y], migm, migf, mig_type=mig_type)
        if res["acted"]:
            raise SystemExit(f"{y}: {res['acted']}: the case must stay where bayesPop's cut does not act")
        if any(p + m < 0 for p, m in zip(pm + pf, migm + migf)):
            raise SystemExit(f"{y}: a count empties a cell")
        if any(v < 0 for v in res["end_m"] + res["end_f"]):
            raise SystemExit(f"{y}: a negative end cell")
        # CCM "should match" ccmppWPP's project_ccmpp_z_by_z: with ASFR per year (asfr / 5) and z = 5, where no
        # cell is empty (ccmppWPP's override gives an empty cell 0.00001; bayesPop leaves it 0)
        other = ref16.ccmpp_step(pm, pf, srm, srf, [v / 5 for v in ref.asfr_ccm(y)], ref.SRB[y], migm, migf,
                                 "even" if mig_type == 0 else "end", z=5)
        for a, b, p in zip(res["end_m"] + res["end_f"], other[0] + other[1], pm + pf):
            if p > 0 and abs(a - b) > 1e-12 * max(abs(b), 1.0):
                raise SystemExit(f"{y}: bayesPop's step and ccmppWPP's differ: {a} vs {b}")
        pm, pf = res["end_m"], res["end_f"]
        pops[y + 5] = (pm, pf)
        comps.append((f"{y + 1}-{y + 5}", res))
    return pops, comps


def write_expected(folder, greville_from_5=False):
    rows, crow, irow = [], [], []
    for variant, mig_type in RUNS.items():
        pops, comps = project(mig_type, greville_from_5)
        for year in sorted(pops):
            pm, pf = pops[year]
            for name, p in (("female", pf), ("male", pm)):
                for i, a in enumerate(ref.GROUPS):
                    rows.append([variant, year, ZONE, "total", name, a, p[i]])
        if greville_from_5:
            continue
        for period, res in comps:
            crow.append([variant, period, ZONE, "total", "female", "", "births", res["births_f"]])
            crow.append([variant, period, ZONE, "total", "male", "", "births", res["births_m"]])
            for name, s in (("female", "f"), ("male", "m")):
                for i, a in enumerate(ref.GROUPS):
                    crow.append([variant, period, ZONE, "total", name, a, "deaths", res["cdeaths_" + s][i]])
                    crow.append([variant, period, ZONE, "total", name, a, "net_migration", res["mig_" + s][i]])
        if variant != "sx":        # survival ratios hold no life table: e0 is empty from Sx
            for y in PERIODS:
                ltm, ltf = tables(y)
                irow.append([variant, y + 5, ZONE, "total", "e0_female", ltf["ex"][0]])
                irow.append([variant, y + 5, ZONE, "total", "e0_male", ltm["ex"][0]])
    ref.write_csv(os.path.join(folder, "expected.csv"),
                  ["variant", "year", "zone", "group", "sex", "age", "population"], rows)
    if not greville_from_5:
        ref.write_csv(os.path.join(folder, "expected_components.csv"),
                      ["variant", "period", "zone", "group", "sex", "age", "component", "persons"], crow)
        ref.write_csv(os.path.join(folder, "expected_indicators.csv"),
                      ["variant", "year", "zone", "group", "indicator", "value"], irow)


def write_inputs(folder):
    rows = []
    for y in PERIODS:
        ltm, ltf = tables(y)
        for name, lt in (("female", ltf), ("male", ltm)):
            for r, a in enumerate([0, 1] + ref.GROUPS[1:]):
                rows.append([y, name, a, lt["Lx"][r], lt["sx"][r]])
    ref.write_csv(os.path.join(folder, "life_table.csv"), ["year", "sex", "age", "Lx", "sx"], rows)
    bm, bf = ref.base_population()
    rows = [[name, a, p[i]] for name, p in (("female", ref.pad_observed(bf)), ("male", ref.pad_observed(bm)))
            for i, a in enumerate(ref.GROUPS)]
    ref.write_csv(os.path.join(folder, "population_2020.csv"), ["sex", "age", "population"], rows)
    rows = [[y, 15 + 5 * k, v] for y in PERIODS for k, v in enumerate(ref.pasfr(y))]
    ref.write_csv(os.path.join(folder, "pasfr.csv"), ["year", "age", "pasfr"], rows)
    ref.write_csv(os.path.join(folder, "srb.csv"), ["year", "srb"], [[y, ref.SRB[y]] for y in PERIODS])
    rows = [[y, name, a, migrants(y, s)[i]] for y in PERIODS for name, s in (("female", "f"), ("male", "m"))
            for i, a in enumerate(ref.OBSERVED)]
    ref.write_csv(os.path.join(folder, "migration_counts.csv"), ["year", "sex", "age", "migrants"], rows)


def main():
    args, folder, _ = ref14.case_inputs(HERE)
    if args.mutant:
        for f in os.listdir(HERE):
            if f.endswith(".csv") and not f.startswith("expected"):
                shutil.copy(os.path.join(HERE, f), folder)
        write_expected(folder, greville_from_5=True)
        return
    write_inputs(folder)
    write_expected(folder)


if __name__ == "__main__":
    main()
