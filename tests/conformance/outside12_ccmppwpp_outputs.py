# SPDX-License-Identifier: Apache-2.0
"""ccmppWPP's published outputs beyond population, derived from a cohortgis run by scenarios/README.md's recipe
("ccmppWPP's other outputs from cohortgis's results") and compared with the case's expected_ccmppwpp.csv, which
../outside12_reference.py computes from ccmppWPP's R code (`ccmppwpp_outputs`).

    outside12_ccmppwpp_outputs.py --exe cohortgis --case tests/conformance/<case> --work <tmp>

The case is on the UN's grid (single years, open age 130, one zone and group, the baseline) and holds the UN's
input tables: life_table_age_sex.csv (lt_lx, lt_nLx, lt_nMx by time_start), fert_rate_age_f.csv and
mig_parameter.csv (mig_assumption by time_start). This file reads only those, population.csv, components.csv and
indicators.csv (the case asks for `[outputs] indicators = ["mean_age_childbearing", "grr", "nrr"]`: ccmppWPP's
fert_mean_age, fert_rate_gross and fert_rate_net of time_start Y are those of the step ending in Y + 1), never the
reference. Since round 27 (h170) it also derives the published population's rounded totals and shares, the growth
rate, the crude net migration rate, the natural increase, five-year ASFR and pasfr (the README's recipe; checked
against ../outside15_reference.py in un-outputs-1x1-130-growth-pasfr-5x1). Tolerance 1e-9 on |derived - expected| /
max(|expected|, 1). Standard library only.
"""
import argparse
import collections
import csv
import math
import os
import subprocess
import sys

OPEN, CUT, SEXES = 130, 100, ("female", "male")


def rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def cut(by_age):
    """Ages 100 ... 130 summed into 100+ (ccmppWPP_truncate_OAG)."""
    return by_age[:CUT] + [sum(by_age[CUT:])]


def fives(by_age):
    """Sums by floor(age / 5) * 5 (sum_five_year_age_groups)."""
    out = [0.0] * ((len(by_age) - 1) // 5 + 1)
    for a, v in enumerate(by_age):
        out[a // 5] += v
    return out


def pct(rates, width):
    """fert_pasfr: 100 * rate * width / the sum of rate * width."""
    total = sum(r * width for r in rates)
    return [100 * r * width / total for r in rates]


def derive(case, work):
    """Every row of expected_ccmppwpp.csv's layout: {(indicator, time_start, sex, age_start): value}."""
    lt = collections.defaultdict(lambda: [0.0] * (OPEN + 1))  # (indicator, time_start, sex) -> by age
    for r in rows(os.path.join(case, "life_table_age_sex.csv")):
        lt[(r["indicator"], int(r["time_start"]), r["sex"])][int(r["age_start"])] = float(r["value"])
    asfr = collections.defaultdict(lambda: [0.0] * (OPEN + 1))
    for r in rows(os.path.join(case, "fert_rate_age_f.csv")):
        asfr[int(r["time_start"])][int(r["age_start"])] = float(r["value"])
    timing = {int(r["time_start"]): r["value"] for r in rows(os.path.join(case, "mig_parameter.csv"))
              if r["indicator"] == "mig_assumption"}
    pop = collections.defaultdict(lambda: [0.0] * (OPEN + 1))  # (year, sex) -> by age
    for r in rows(os.path.join(work, "population.csv")):
        if r["variant"] == "baseline":
            pop[(int(r["year"]), r["sex"])][int(r["age"])] += float(r["population"])
    comp = collections.defaultdict(lambda: [0.0] * (OPEN + 1))  # (component, step start, sex) -> by age; absent = 0
    births = {}
    for r in rows(os.path.join(work, "components.csv")):
        if r["variant"] != "baseline":
            continue
        start = int(r["period"].split("-")[0]) - 1  # "Y+1" is the step of time_start Y (z = 1)
        if r["component"] == "births":
            births[(start, r["sex"])] = float(r["persons"])
        else:
            comp[(r["component"], start, r["sex"])][int(r["age"])] = float(r["persons"])

    out = {}

    def put(indicator, t, sex, by_age):
        one = by_age[:CUT] + [sum(by_age[CUT:])]  # ages 100 ... 130 summed into 100+
        five = collections.defaultdict(float)
        for a, v in enumerate(one):
            five[a // 5 * 5] += v
            out[(indicator + "_1x1", t, sex, str(a))] = v
        for a, v in five.items():
            out[(indicator + "_5x1", t, sex, str(a))] = v

    for t in sorted(timing):
        both, exposures = collections.defaultdict(lambda: [0.0] * (OPEN + 1)), {}
        for s in SEXES:
            d = comp[("deaths", t, s)]  # cohort deaths, by the age at the end
            l, L = lt[("lt_lx", t, s)], lt[("lt_nLx", t, s)]
            c = [(L[x] - l[x + 1]) / (L[x] - L[x + 1]) if L[x] != L[x + 1] else 1.0 for x in range(OPEN - 1)]
            c.append((L[OPEN - 1] - l[OPEN]) / L[OPEN - 1])
            period = [d[0] + c[0] * d[1]] + [(1 - c[x - 1]) * d[x] + c[x] * d[x + 1] for x in range(1, OPEN)]
            period.append((1 - c[OPEN - 1]) * d[OPEN])
            exposure = [p / m for p, m in zip(period, lt[("lt_nMx", t, s)])]
            exposure = [1e-8 if v == 0 else v for v in exposure]
            exposures[s] = exposure
            m = comp[("net_migration", t, s)]
            for name, v in (("death_count_age_sex", period), ("exposure_count_age_sex", exposure),
                            ("death_count_cohort_sex", d), ("mig_net_count_age_sex", m)):
                put(name, t, s, v)
                both[name] = [a + b for a, b in zip(both[name], v)]
        for name, v in both.items():
            put(name, t, "both", v)
        m, floor = comp[("net_migration", t, "female")], comp[("floor_adjustment", t, "female")]
        start, end = pop[(t, "female")], pop[(t + 1, "female")]
        even = timing[t] == "even"
        a = [p + mi / 2 if even else p for p, mi in zip(start, m)]
        q = [e - f - (0.0 if even else mi) for e, f, mi in zip(end, floor, m)]
        by_mother = [0.0] + [asfr[t][x] * (a[x] + q[x]) / 2 for x in range(1, OPEN)] + [0.0]  # z = 1
        put("birth_count_age", t, "both", by_mother)
        exposure_b = sum(both["exposure_count_age_sex"])
        cbr = 1000 * (births[(t, "female")] + births[(t, "male")]) / exposure_b
        cdr = 1000 * sum(both["death_count_cohort_sex"]) / exposure_b
        out[("birth_rate_crude", t, "both", "")], out[("death_rate_crude", t, "both", "")] = cbr, cdr
        # round 27 (h170): the rest of ccmppWPP_compute_WPP_outputs by the README's recipe
        out[("pop_change_rate_natural", t, "both", "")] = cbr - cdr
        for s in ("female", "male", "both"):
            e = both["exposure_count_age_sex"] if s == "both" else exposures[s]
            m = both["mig_net_count_age_sex"] if s == "both" else comp[("net_migration", t, s)]
            out[("exposure_count_tot_sex", t, s, "")] = sum(e)
            out[("mig_net_count_tot_sex", t, s, "")] = sum(m)
        out[("mig_net_rate_crude", t, "both", "")] = 1000 * sum(both["mig_net_count_age_sex"]) / exposure_b
        births5 = fives(cut(by_mother))
        asfr5 = [b / e for b, e in zip(births5, fives(cut(exposures["female"])))]
        for g, v in enumerate(asfr5):
            out[("fert_rate_age_5x1", t, "female", str(5 * g))] = v
        for g, v in enumerate(pct(asfr5, 5)):
            out[("fert_pct_age_5x1", t, "female", str(5 * g))] = v
        for a, v in enumerate(pct(asfr[t][:CUT + 1], 1)):
            out[("fert_pct_age_1x1", t, "female", str(a))] = v
    # the published population rounded after 100+ is summed, its totals, shares and growth rate (in percent)
    total_b = {}
    for year in sorted({y for y, _ in pop}):
        by_sex = {s: pop[(year, s)] for s in SEXES}
        by_sex["both"] = [f + m for f, m in zip(by_sex["female"], by_sex["male"])]
        for s, v in by_sex.items():
            one = [float(round(x)) for x in cut(v)]
            total = sum(one)
            out[("pop_count_tot_sex", year, s, "")] = total
            for a, x in enumerate(one):
                out[("pop_pct_age_sex_1x1", year, s, str(a))] = 100 * x / total
            for g, x in enumerate(fives(one)):
                out[("pop_pct_age_sex_5x1", year, s, str(5 * g))] = 100 * x / total
        total_b[year] = out[("pop_count_tot_sex", year, "both", "")]
    for year in total_b:
        if year + 1 in total_b:
            out[("pop_change_rate_tot", year, "both", "")] = 100 * math.log(total_b[year + 1] / total_b[year])
    fertility = {"grr": "fert_rate_gross", "nrr": "fert_rate_net", "mean_age_childbearing": "fert_mean_age"}
    for r in rows(os.path.join(work, "indicators.csv")):  # the one zone's "all" group
        if r["variant"] == "baseline" and r["group"] == "all" and r["indicator"] in fertility and r["value"] != "":
            out[(fertility[r["indicator"]], int(r["year"]) - 1, "female", "")] = float(r["value"])
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--exe", required=True)
    ap.add_argument("--case", required=True)
    ap.add_argument("--work", required=True)
    a = ap.parse_args()
    cmd = [a.exe, "run", os.path.join(a.case, "scenario.toml"), "--out", a.work, "--no-report", "--quiet",
           "--format", "csv"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"{' '.join(cmd)} exited with {r.returncode}\n{r.stdout}{r.stderr}")
    got = derive(a.case, a.work)
    worst, where, missing = -1.0, None, []
    expected = rows(os.path.join(a.case, "expected_ccmppwpp.csv"))
    for line, e in enumerate(expected, start=2):
        key = (e["indicator"], int(e["time_start"]), e["sex"], e["age_start"])
        if key not in got:
            missing.append(key)
            continue
        want = float(e["value"])
        measure = abs(got[key] - want) / max(abs(want), 1.0)
        if measure > worst:
            worst, where = measure, (line, key, want, got[key])
    print(f"{os.path.basename(os.path.normpath(a.case))}: {len(expected)} rows of ccmppWPP's outputs")
    if where:
        line, key, want, p = where
        print(f"largest difference {worst:.3e} (relative) at expected_ccmppwpp.csv:{line} {key}: "
              f"expected {want!r}, derived {p!r}")
    if missing:
        print(f"FAIL: {len(missing)} rows not derived, e.g. {missing[0]}")
        return 1
    if worst > 1e-9:
        print("FAIL: above the tolerance 1e-9")
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
