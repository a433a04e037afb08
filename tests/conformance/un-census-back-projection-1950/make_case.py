#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the tables and expected files of un-census-back-projection-1950 (README.md here). Plain Python, never
cohortgis.

    make_case.py               this folder's CSV files and expected*.csv
    make_case.py --mutant DIR  the same scenario into DIR with a base population back-projected the textbook way
                               (each cohort divided by its own survival ratio, lt_Sx[x + 1]) and the expected.csv
                               of the tables here: run_case.py --case DIR must fail

The 1950 base population is made as ccmppWPP's `census_back_project_1950` makes it from a census of 1953.5 already
on 0 … 130 (R/ccmppWPP_input_file.R:1296-1365, `project_backwards_no_mig` 1368-1385; DemoTools' `interpolatePop`),
then projected forward five years with the same life tables; ../outside16_reference.py holds the arithmetic, each
line with its source.
"""
import math
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import outside16_reference as ref  # noqa: E402

ZONE = "901"
CENSUS_DATE = 1953.5
LT_YEARS = [1950, 1951, 1952, 1953, 1954]
BASE, HORIZON = 1950, 1955
AGES = list(range(131))


def rates(year, sex):
    """High mortality of the 1950s (e0 about 45-50), falling 2 % a year: infant rates past the Andreev–Kingkade
    upper bounds (a0 the constant 0.29915 / 0.31411), a childhood slope, a Gompertz slope to 130."""
    t = year - 1950
    male = sex == "m"
    out = []
    for x in AGES:
        if x == 0:
            m = 0.165 if male else 0.142
        else:
            m = 0.030 * math.exp(-0.62 * (x - 1)) + 0.0028 + (0.00021 if male else 0.00016) * math.exp(0.085 * x)
        out.append(min(m * 0.98 ** t, 1.9))
    return out


def life_tables():
    return {y: {"m": ref.lt_single_mx(rates(y, "m"), "m"), "f": ref.lt_single_mx(rates(y, "f"), "f")}
            for y in LT_YEARS}


def census():
    """The census of mid-1953 by single age 0 … 130 (as OPAG and the blending would return it): a young,
    growing population with an age heaping wave; men slightly fewer from 40."""
    m, f = [], []
    for a in AGES:
        base = 41000.0 * math.exp(-0.028 * a) * math.exp(-0.0000025 * math.exp(0.14 * a))
        wave = 1.0 + 0.05 * math.cos(a * math.pi / 5.0)
        f.append(base * wave)
        m.append(base * wave * (1.02 if a < 40 else 0.97))
    return m, f


def asfr(year):
    tfr = 6.1 - 0.05 * (year - 1950)
    shape = [math.exp(-((a - 28.0) / 7.5) ** 2) if 12 <= a <= 50 else 0.0 for a in AGES]
    s = sum(shape)
    return [tfr * v / s for v in shape]


SRB = 1.05


def back_projected(lt, textbook=False):
    sx = {y: {s: lt[y][s]["Sx"] for s in ("m", "f")} for y in LT_YEARS}
    cm, cf = census()
    if not textbook:
        bm, bf, _ = ref.census_back_project(cm, cf, CENSUS_DATE, sx)
        return bm, bf
    # the mutant: each cohort divided by the survival ratio of its own arrival (sx[x + 1]), not ccmppWPP's sx[x]
    steps = int(math.floor(CENSUS_DATE - 1949))
    pm, pf = list(cm), list(cf)
    hist = [(CENSUS_DATE, pm, pf)]
    for i in range(1, steps + 1):
        dt = CENSUS_DATE - i
        year = max(1950, int(math.floor(dt)))
        pm = [pm[x + 1] / sx[year]["m"][x + 1] for x in range(130)] + [0.0]
        pf = [pf[x + 1] / sx[year]["f"][x + 1] for x in range(130)] + [0.0]
        hist.append((dt, pm, pf))
    (d1, m1, f1), (d2, m2, f2) = hist[-1], hist[-2]
    k = (1950.0 - d1) / (d2 - d1)
    return [a + (b - a) * k for a, b in zip(m1, m2)], [a + (b - a) * k for a, b in zip(f1, f2)]


def project(lt, base):
    pm, pf = base
    pops = {BASE: (pm, pf)}
    comps = []
    zero = [0.0] * 131
    for y in range(BASE, HORIZON):
        res = ref.ccmpp_step(pm, pf, lt[y]["m"]["Sx"], lt[y]["f"]["Sx"], asfr(y), SRB, zero, zero, "even")
        pm, pf = res[0], res[1]
        pops[y + 1] = (pm, pf)
        comps.append((y + 1, res))
    return pops, comps


VARIANTS = ("baseline", "mx-open-half")


def write_expected(folder, pops, comps):
    rows = []
    for year in sorted(pops):
        pm, pf = pops[year]
        for name, p in (("female", pf), ("male", pm)):
            for a in AGES:
                for v in VARIANTS:
                    rows.append([v, year, ZONE, "total", name, a, p[a]])
    ref.write_csv(os.path.join(folder, "expected.csv"),
                  ["variant", "year", "zone", "group", "sex", "age", "population"], rows)
    crow = []
    for period, res in comps:
        _, _, dm, df, bm, bf, mm, mf = res
        for v in VARIANTS:
            crow.append([v, period, ZONE, "total", "female", "", "births", bf])
            crow.append([v, period, ZONE, "total", "male", "", "births", bm])
            for name, d, m in (("female", df, mf), ("male", dm, mm)):
                for a in AGES:
                    crow.append([v, period, ZONE, "total", name, a, "deaths", d[a]])
                    crow.append([v, period, ZONE, "total", name, a, "net_migration", m[a]])
    ref.write_csv(os.path.join(folder, "expected_components.csv"),
                  ["variant", "period", "zone", "group", "sex", "age", "component", "persons"], crow)


def write_base(folder, base):
    bm, bf = base
    # census_back_project_1950's data frame (lines 1357-1362): 131 male rows, then 131 female rows
    rows = [[1950, 0, name, a, 1000 if a == 130 else 1, p[a]] for name, p in (("male", bm), ("female", bf))
            for a in AGES]
    ref.write_csv(os.path.join(folder, "pop_count_age_sex_base.csv"),
                  ["time_start", "time_span", "sex", "age_start", "age_span", "value"], rows)


def write_inputs(folder, lt):
    rows = []
    for y in LT_YEARS:
        for sex, name in (("f", "female"), ("m", "male")):
            t = lt[y][sex]
            for ind in ("nMx", "nAx", "nqx", "lx", "ndx", "nLx", "Sx", "Tx", "ex"):
                for a in AGES:
                    rows.append([y, 1, name, a, 1000 if a == 130 else 1, "lt_" + ind, t[ind][a]])
    ref.write_csv(os.path.join(folder, "life_table_age_sex.csv"),
                  ["time_start", "time_span", "sex", "age_start", "age_span", "indicator", "value"], rows)
    cm, cf = census()
    rows = [[1953.5, name, a, p[a]] for name, p in (("male", cm), ("female", cf)) for a in AGES]
    ref.write_csv(os.path.join(folder, "census_1953_extended.csv"), ["reference_date", "sex", "age_start", "value"],
                  rows)
    rows = [[y, 1, "female", a, 1 if a < 130 else 1000, asfr(y)[a]] for y in range(BASE, HORIZON)
            for a in range(10, 55)]
    ref.write_csv(os.path.join(folder, "fert_rate_age_f.csv"),
                  ["time_start", "time_span", "sex", "age_start", "age_span", "value"], rows)


def main():
    lt = life_tables()
    if len(sys.argv) == 3 and sys.argv[1] == "--mutant":
        out = sys.argv[2]
        os.makedirs(out, exist_ok=True)
        for f in os.listdir(HERE):
            if f.endswith(".csv") or f in ("scenario.toml", "README.md"):
                shutil.copy(os.path.join(HERE, f), os.path.join(out, f))
        write_base(out, back_projected(lt, textbook=True))
        return
    if len(sys.argv) != 1:
        sys.exit(__doc__)
    write_inputs(HERE, lt)
    base = back_projected(lt)
    write_base(HERE, base)
    pops, comps = project(lt, base)
    write_expected(HERE, pops, comps)


if __name__ == "__main__":
    main()
