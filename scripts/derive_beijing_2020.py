#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Derives the input tables of the default scenario (scenarios/examples/beijing-2020) from the census data in data/.

Run from the source tree after building: /usr/bin/python3 scripts/derive_beijing_2020.py build/cli/cohortgis [OUT]
It writes beijing2020_group_profiles.csv, beijing2020_net_migration.csv, beijing2020_district_net_migration.csv and
beijing2020_households.csv (3. below) into OUT (default data/census);
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
   the net migrants per year M_d(sex, age) of each district over 2010-2020 (none for those born in the decade).
   Beijing's recent total is far below that decade's (+179,725 a year): the city total N is the net migration of 2021
   at which the projection itself reaches the 2021 statistical bulletin's resident population at the end of 2021
   (21,886,000; `fitted` in the scenario's monitoring): N = P(2021) - P(2020) - the projection's natural increase of
   2021. The projection's 2021 population is linear in N, so N follows from two runs of the scenario (`cohortgis
   run`, baseline, on a copy of data/ with the trial tables): the first at N0 from the bulletin's natural growth rate
   of 2021, the second at N0 + the first run's miss, then the secant through both. Each cell: m = N / P * P_d(s, a) + lambda * (M_d(s, a) - M / P * P_d(s, a)), the city's 2021 rate
   plus the district's 2010-2020 differential (its migrants beyond the city's mean rate) damped by lambda, the
   persistence of district growth differentials from 2000-2010 to 2010-2020 (least-squares slope through the origin
   over the 16 districts; census totals of 2000, 2010, 2020). The differentials add up to 0, so the districts add up
   to N. Counts per year, constant. Each cell is split over the groups by the district's odds of being floating at
   that age under the fitted profiles (1.). Bulletin figures of 2022-2024 are never read here (the checked years).
3. Households ([households] average_size): each district's residents per family household of the 2020 census,
   pop_resident / households_family, held constant by the scenario.
"""
import csv
import math
import os
import shutil
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


def district_net_migration(cli, census2020, profiles, city=None):
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
        decade = {}  # (zone, sex, five-year age) -> net migrants per year, by age at the start of a year
        with open(os.path.join(est, "net_migration.csv"), encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                decade[(row["zone"], row["sex"][0], int(row["age"]))] = float(row["value"])
    codes = sorted({k[0] for k in decade})
    pop2020 = {c: census2020[(c, "pop_resident")] for c in codes}
    # 2021 bulletin (fitted): resident population at the end of 2021 and its natural growth rate.
    bulletin = {}
    with open(os.path.join(DATA, "geo", "beijing_bulletins_2021_2024.csv"), encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["year"] == "2021" and row["zone"] == "110000":
                bulletin[row["indicator"]] = float(row["value"])
    p2020 = sum(pop2020.values())
    p2021 = bulletin["population_resident"] * 1e4  # 10k persons
    if city is None:  # the start value N0: the bulletin's natural growth rate of 2021
        natural = bulletin["natural_growth_per_1000"] / 1000 * (p2020 + p2021) / 2
        city = p2021 - p2020 - natural
    decade_total = sum(decade.values())
    persistence = differential_persistence(census2020)
    decade_rate = decade_total / p2020  # the city's mean net migration rate of 2010-2020
    share = {(g, sx[0], a): v for g, sx, a, v in profiles}
    cells, summary = [], []
    for c in codes:
        floating = census2020[(c, "pop_hukou_elsewhere_other_province")]
        registered = pop2020[c] - floating
        sums = {"decade": 0.0, "all": 0.0, "floating": 0.0, "registered": 0.0}
        for s, sex in (("f", "female"), ("m", "male")):
            for x in range(0, 86):
                a = 0 if x == 0 else 1 if x < 5 else min(5 * (x // 5), 85)
                pop = census2020[(c, f"pop_{s}_{age_label(a)}")] / {0: 1, 1: 4, 85: 1}.get(a, 5)
                five = min(5 * (x // 5), 85)
                m_decade = decade.get((c, s, five), 0.0) / (1 if five == 85 else 5)
                # The city's 2021 rate, plus the district's 2010-2020 differential damped by its persistence.
                m = city / p2020 * pop + persistence * (m_decade - decade_rate * pop)
                # Split over the groups by the district's odds of being floating at this age (the fitted profiles).
                wf, wr = floating * share[("floating", s, a)], registered * share[("registered", s, a)]
                fs = wf / (wf + wr) if wf + wr > 0 else 0.0
                for g, v in (("floating", m * fs), ("registered", m * (1 - fs))):
                    cells.append((c, g, sex, x, v))
                    sums[g] += v
                sums["decade"] += m_decade
                sums["all"] += m
        summary.append((c, sums["decade"], sums["all"], sums["floating"], sums["registered"]))
    return cells, summary, city, decade_total, persistence, p2021


def write_migration(out, cells, summary):
    with open(os.path.join(out, "beijing2020_net_migration.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["zone", "group", "sex", "age", "value"])
        for c, g, sex, x, v in cells:
            w.writerow([c, g, sex, x, f"{v:.6f}"])
    with open(os.path.join(out, "beijing2020_district_net_migration.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["zone", "net_2010_2020_per_year", "persons_per_year", "floating_per_year", "registered_per_year"])
        for c, m, n, fl, rg in summary:
            w.writerow([c, f"{m:.0f}", f"{n:.0f}", f"{fl:.0f}", f"{rg:.0f}"])


def projected_2021(cli, data_dir, what=("population",)):
    """The default scenario's baseline figures of 2021 for the whole area (indicators.csv), run on data_dir."""
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, COHORTGIS_DATA_DIR=data_dir)
        subprocess.run([cli, "run", os.path.join(ROOT, "scenarios", "examples", "beijing-2020", "scenario.toml"),
                        "--out", os.path.join(tmp, "run"), "--variant", "baseline", "--no-report", "--quiet"],
                       check=True, stdout=subprocess.DEVNULL, env=env)
        got = {}
        with open(os.path.join(tmp, "run", "indicators.csv"), encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                if row["year"] == "2021" and row["zone"] == "total" and row["group"] == "all" and row["indicator"] in what:
                    got[row["indicator"]] = float(row["value"])
        return got


def fit_city_to_2021_population(cli, census2020, profiles, out_profiles):
    """N such that the projection's resident population at the end of 2021 is the bulletin's (see 2. above)."""
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "data")
        shutil.copytree(DATA, data)
        shutil.copy(out_profiles, os.path.join(data, "census", "beijing2020_group_profiles.csv"))
        tried = []
        city = None
        for _ in range(2):
            cells, summary, city, _, _, target = district_net_migration(cli, census2020, profiles, city)
            write_migration(os.path.join(data, "census"), cells, summary)
            tried.append((city, projected_2021(cli, data)["population"]))
            city = city + (target - tried[-1][1])  # the miss, one for one (the start of the secant)
        (n0, p0), (n1, p1) = tried
        return n1 + (target - p1) * (n1 - n0) / (p1 - p0)


def differential_persistence(census2020):
    """How much of a district's growth differential (its growth rate less the city's) carried over from 2000-2010 to
    2010-2020: the least-squares slope through the origin over the 16 districts of d(2010-2020) on d(2000-2010),
    d = ln(P_end / P_start) / 10 less the city's. Totals: the 2000 census bulletin (10k persons), the 2010 census units
    through the crosswalk, the 2020 census."""
    p2000, p2010 = {}, {}
    with open(os.path.join(DATA, "census", "beijing_census2000_districts.csv"), encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            p2000[row["code_2020"]] = p2000.get(row["code_2020"], 0.0) + float(row["pop_2000_10k"]) * 1e4
    to2020 = {}
    with open(os.path.join(DATA, "census", "census2010_to_2020_crosswalk.csv"), encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            to2020[row["code_2010"]] = row["code_2020"]
    for (c, ind), v in read_long(os.path.join(DATA, "census", "census2010_districts_age.csv"), "11").items():
        if ind == "pop_resident":
            p2010[to2020[c]] = p2010.get(to2020[c], 0.0) + v
    codes = sorted(p2000)
    p2020 = {c: census2020[(c, "pop_resident")] for c in codes}
    city1 = math.log(sum(p2010.values()) / sum(p2000.values())) / 10
    city2 = math.log(sum(p2020.values()) / sum(p2010.values())) / 10
    d1 = [math.log(p2010[c] / p2000[c]) / 10 - city1 for c in codes]
    d2 = [math.log(p2020[c] / p2010[c]) / 10 - city2 for c in codes]
    return sum(a * b for a, b in zip(d1, d2)) / sum(a * a for a in d1)


def write_households(out, census2020):
    """Residents per family household (家庭户) of each district in 2020, the scenario's [households] average_size:
    pop_resident / households_family, so that the scenario's households of 2020 are the census's family households.
    The census's own average size (户规模, avg_family_household_size, kept beside it) divides only the persons living
    in family households: applied to all residents it would make households of the collective ones (集体户)."""
    codes = sorted({c for c, ind in census2020 if ind == "households_family"})
    with open(os.path.join(out, "beijing2020_households.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["zone", "persons_per_household", "pop_resident", "households_family", "avg_family_household_size"])
        for c in codes:
            pop, hh = census2020[(c, "pop_resident")], census2020[(c, "households_family")]
            w.writerow([c, repr(pop / hh), f"{pop:.0f}", f"{hh:.0f}", f"{census2020[(c, 'avg_family_household_size')]:g}"])


def main():
    cli = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "cli", "cohortgis")
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(DATA, "census")
    census2020 = read_long(os.path.join(DATA, "census", "census2020_districts.csv"))
    write_households(out, census2020)
    profiles = group_profiles(census2020)
    with open(os.path.join(out, "beijing2020_group_profiles.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["group", "sex", "age", "share"])
        # Single years (the scenario's grid): each census group's share spread evenly over its years; only the
        # ratio of the two groups' profiles at each age matters to the fit.
        for g, sex, a, share in profiles:
            width = {0: 1, 1: 4, 85: 1}.get(a, 5)
            for x in range(a, a + width):
                w.writerow([g, sex, x, f"{share / width:.12g}"])
    city = fit_city_to_2021_population(cli, census2020, profiles, os.path.join(out, "beijing2020_group_profiles.csv"))
    cells, summary, city, decade_total, persistence, _ = district_net_migration(cli, census2020, profiles, city)
    write_migration(out, cells, summary)
    print(f"city net migration 2021 {city:.0f}; 2010-2020 per year {decade_total:.0f}; persistence {persistence:.4f}")


if __name__ == "__main__":
    main()
