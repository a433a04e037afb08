#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Derives two input tables of the default scenario (scenarios/examples/beijing-2020) from the census data in data/.

Run from the source tree after building: /usr/bin/python3 scripts/derive_beijing_2020.py build/cli/cohortgis [OUT]
It writes beijing2020_group_profiles.csv and beijing2020_district_net_migration.csv into OUT (default data/census);
tests/scenarios/derive_beijing_2020_test.py checks that the committed tables are what this script writes.

1. Group age profiles (ecological regression, Goodman 1953, "Ecological regressions and behavior of individuals",
   Am. Sociol. Rev. 18:663): the census gives each district's residents by sex and age and, separately, its number
   of residents whose hukou is in another province (floating), but not the floating population by age. Assuming the
   floating and registered age-sex profiles are the same in every district, each census cell is
   P_d(s, a) = F_d f(s, a) + R_d r(s, a) over the 16 districts d; f and r are fitted per cell by least squares with
   f, r >= 0 (a non-negative least-squares fit of two unknowns: the unconstrained fit, or the better of the two
   one-variable fits where it has a negative coefficient). The scenario's [base_population] fit uses f and r as the
   profiles of iterative proportional fitting, which then meets every census cell and every district's group totals.
2. District net migration (census-survival residual between the 2010 and 2020 censuses, `cohortgis estimate`, on the
   2020 districts through the 2010->2020 crosswalk, survival from China's WPP 2022 abridged life table of 2010-2015):
   the annual net migrants of each district over 2010-2020. Beijing's recent total is lower than that decade's: the
   city total is set to the net migration of 2021, N = P(2021) - P(2020) - natural increase(2021), from the 2021
   statistical bulletin (resident population at the end of 2021, natural growth rate) and the 2020 census; the 2021
   figures are `fitted` in the scenario's monitoring. Each district keeps its 2010-2020 rate relative to the others:
   m_d = M_d + (N - sum M) * P_d / sum P (one common shift of the net migration rate, P the 2020 census population).
   Each district's net migrants are split over the two groups by its 2020 floating share (no census table gives
   migrants by hukou). Bulletin figures of 2022-2024 are never read here (they are the checked years).
"""
import csv
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "data")
AGES = [0, 1] + list(range(5, 90, 5))  # census rows: 0, 1-4, 5-9, ..., 80-84, 85+


def age_label(a):
    return {0: "0", 1: "1_4", 85: "85p"}.get(a, f"{a}_{a + 4}")


def read_long(path, prefix="1101"):
    v = {}
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["code"].startswith(prefix):
                v[(row["code"], row["indicator"])] = float(row["value"])
    return v


def nnls2(x1, x2, y):
    """Least squares y ~ b1 x1 + b2 x2 with b1, b2 >= 0 (two unknowns: check the unconstrained and the edge fits)."""
    s11 = sum(a * a for a in x1)
    s22 = sum(a * a for a in x2)
    s12 = sum(a * b for a, b in zip(x1, x2))
    s1y = sum(a * b for a, b in zip(x1, y))
    s2y = sum(a * b for a, b in zip(x2, y))
    det = s11 * s22 - s12 * s12
    b1 = (s22 * s1y - s12 * s2y) / det
    b2 = (s11 * s2y - s12 * s1y) / det
    if b1 >= 0 and b2 >= 0:
        return b1, b2
    cands = [(max(s1y / s11, 0.0), 0.0), (0.0, max(s2y / s22, 0.0))]
    sse = lambda b: sum((yy - b[0] * a - b[1] * c) ** 2 for a, c, yy in zip(x1, x2, y))
    return min(cands, key=sse)


def group_profiles(census):
    codes = sorted({c for c, _ in census})
    floating = [census[(c, "pop_hukou_elsewhere_other_province")] for c in codes]
    registered = [census[(c, "pop_resident")] - f for c, f in zip(codes, floating)]
    rows = []
    for sex, s in (("female", "f"), ("male", "m")):
        for a in AGES:
            y = [census[(c, f"pop_{s}_{age_label(a)}")] for c in codes]
            bf, br = nnls2(floating, registered, y)
            rows.append((sex, a, bf, br))
    tf = sum(r[2] for r in rows)
    tr = sum(r[3] for r in rows)
    out = []
    for sex, a, bf, br in rows:
        out.append(("floating", sex, a, bf / tf))
        out.append(("registered", sex, a, br / tr))
    return out


def estimate_long(census, path, codes_prefix):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["zone", "sex", "age", "population"])
        for c in sorted({c for c, _ in census if c.startswith(codes_prefix)}):
            for sex, s in (("female", "f"), ("male", "m")):
                for a in [0] + list(range(5, 90, 5)):
                    if a == 0:
                        p = census[(c, "pop_" + s + "_0")] + census[(c, "pop_" + s + "_1_4")]
                    else:
                        p = census[(c, f"pop_{s}_{age_label(a)}")]
                    w.writerow([c, sex, a, f"{p:.0f}"])


def district_net_migration(cli, census2020):
    census2010 = read_long(os.path.join(DATA, "census", "census2010_districts_age.csv"), "11")
    with tempfile.TemporaryDirectory() as tmp:
        first, second = os.path.join(tmp, "c2010.csv"), os.path.join(tmp, "c2020.csv")
        estimate_long(census2010, first, "11")
        estimate_long(census2020, second, "1101")
        est = os.path.join(tmp, "est")
        subprocess.run([cli, "estimate", "--first", first, "--second", second, "--years", "2010:2020",
                        "--first-crosswalk", os.path.join(DATA, "census", "census2010_to_2020_crosswalk.csv"),
                        "--mx", os.path.join(DATA, "wpp", "mortality_mx_abridged_2010_2020.csv"),
                        "--mx-filter", "iso3=CHN", "--mx-filter", "period_start=2010", "--step", "5",
                        "--open-age", "85", "--out", est],
                       check=True, stdout=subprocess.DEVNULL)
        decade = {}
        with open(os.path.join(est, "net_migration.csv"), encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                decade[row["zone"]] = decade.get(row["zone"], 0.0) + float(row["value"])
    codes = sorted(decade)
    pop2020 = {c: census2020[(c, "pop_resident")] for c in codes}
    # 2021 bulletin (fitted): resident population at the end of 2021 and its natural growth rate.
    bulletin = {}
    with open(os.path.join(DATA, "geo", "beijing_bulletins_2021_2024.csv"), encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["year"] == "2021" and row["zone"] == "110000":
                bulletin[row["indicator"]] = float(row["value"])
    p2020 = sum(pop2020.values())
    p2021 = bulletin["population_resident"] * 1e4  # 10k persons
    natural = bulletin["natural_growth_per_1000"] / 1000 * (p2020 + p2021) / 2
    city = p2021 - p2020 - natural
    shift = city - sum(decade.values())
    rows = []
    for c in codes:
        shifted = decade[c] + shift * pop2020[c] / p2020
        floating_share = census2020[(c, "pop_hukou_elsewhere_other_province")] / pop2020[c]
        rows.append((c, decade[c], shifted, shifted * floating_share, shifted * (1 - floating_share)))
    return rows, city, sum(decade.values())


def main():
    cli = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "cli", "cohortgis")
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(DATA, "census")
    census2020 = read_long(os.path.join(DATA, "census", "census2020_districts.csv"))
    with open(os.path.join(out, "beijing2020_group_profiles.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["group", "sex", "age", "share"])
        # Single years (the scenario's grid): each census group's share spread evenly over its years; only the
        # ratio of the two groups' profiles at each age matters to the fit.
        for g, sex, a, share in group_profiles(census2020):
            width = {0: 1, 1: 4, 85: 1}.get(a, 5)
            for x in range(a, a + width):
                w.writerow([g, sex, x, f"{share / width:.12g}"])
    rows, city, decade_total = district_net_migration(cli, census2020)
    with open(os.path.join(out, "beijing2020_district_net_migration.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["zone", "net_2010_2020_per_year", "persons_per_year", "floating_per_year", "registered_per_year"])
        for c, m, shifted, fl, rg in rows:
            w.writerow([c, f"{m:.0f}", f"{shifted:.0f}", f"{fl:.0f}", f"{rg:.0f}"])
    print(f"city net migration 2021 {city:.0f}; 2010-2020 per year {decade_total:.0f}")


if __name__ == "__main__":
    main()
