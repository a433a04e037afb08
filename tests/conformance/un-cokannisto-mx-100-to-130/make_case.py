#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the tables and expected files of un-cokannisto-mx-100-to-130 (README.md here). Plain Python, never cohortgis.

    make_case.py               this folder's CSV files and expected*.csv
    make_case.py --mutant DIR  the same tables into DIR with expected.csv from a wrong extension (each sex's own
                               Kannisto fit, MortCast's `kannisto`, not ccmppWPP's `cokannisto`): run_case.py must fail

The UN's rates to 100+ (`lt_nMx` 0 … 100 by time_start) are extended to 130 as ccmppWPP_input_file_extend does
(MortCast's sex-coherent Kannisto fitted to 80 … 99, the ages 100 … 130 predicted, 100 included) and made into
DemoTools' lt_single_mx tables on 0 … 130+; ../outside16_reference.py holds the arithmetic, each line with its source.
"""
import math
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import outside16_reference as ref  # noqa: E402

ZONE = "900"
YEARS = [2020, 2021, 2022, 2023]           # time_start of the four annual steps
BASE, HORIZON = 2020, 2024
TIMING = {2020: "even", 2021: "even", 2022: "end", 2023: "end"}
AGES = list(range(131))


def given_rates(year, sex):
    """The rates a country's estimates give to 100+ (0 … 99 single ages, the open row 100): infancy, childhood,
    an accident hump and a Gompertz–Makeham slope with a little curvature past 85 (so that logit m is not a line and
    the fit matters); improving by 1.5 % a year, men higher."""
    t = year - 2020
    male = sex == "m"
    out = []
    for x in range(101):
        infant = (0.0062 if male else 0.0051) if x == 0 else 0.0
        child = 0.0011 * math.exp(-0.55 * x) if x >= 1 else 0.0
        hump = (0.0009 if male else 0.0003) * math.exp(-((x - 22.0) / 6.5) ** 2)
        gompertz = (0.000032 if male else 0.000019) * math.exp(0.0975 * x) / (1.0 + 0.00045 * max(x - 85, 0) ** 2)
        m = (infant + child + hump + 0.00012 + gompertz) * (0.985 ** t)
        out.append(m)
    # the given open rate (100+): l/T of the country's own closure; ccmppWPP overwrites it with the fitted 100
    out[100] = out[99] * 1.12
    return out


def tables(coherent=True):
    lt = {}
    rows = []
    for y in YEARS:
        mm, mf = given_rates(y, "m"), given_rates(y, "f")
        em, ef = ref.extend_to_130(mm, mf, coherent=coherent)
        lt[y] = {"m": ref.lt_single_mx(em, "m"), "f": ref.lt_single_mx(ef, "f")}
        for sex, name in (("f", "female"), ("m", "male")):
            t = lt[y][sex]
            for ind in ("nMx", "nAx", "nqx", "lx", "ndx", "nLx", "Sx", "Tx", "ex"):
                for a in AGES:
                    rows.append([y, 1, name, a, 1000 if a == 130 else 1, "lt_" + ind, t[ind][a]])
    return lt, rows


def base_population():
    m, f = [], []
    for a in AGES:
        size = 61000.0 * math.exp(-0.0035 * a) * (1.0 + 0.06 * math.sin(a / 6.0))
        surv = math.exp(-0.00012 * math.exp(0.095 * a))
        f.append(size * surv * (1.0 + 0.004 * a))
        m.append(size * 1.04 * surv ** 1.35)
    return m, f


def asfr(year):
    tfr = 1.72 - 0.03 * (year - 2020)
    shape = [math.exp(-((a - 30.5) / 5.8) ** 2) if 10 <= a <= 54 else 0.0 for a in AGES]
    s = sum(shape)
    return [tfr * v / s for v in shape]


SRB = {2020: 1.052, 2021: 1.054, 2022: 1.05, 2023: 1.049}


def migrants(year, sex):
    """Signed net counts by age over the step (`mig_net_count_age_sex`, time_span 1): young adults in, some
    pensioners out, and in 2022 (end) a loss at 112 larger than the cell (the override)."""
    out = [0.0] * 131
    for a in range(0, 80):
        out[a] = 900.0 * math.exp(-((a - 27.0) / 9.0) ** 2) * (1.0 if sex == "m" else 0.9) - 25.0
    for a in range(60, 75):
        out[a] -= 40.0
    if year == 2022:
        out[112] = -5000.0
    if year == 2021:
        out[0] = -30.0
    return out


def project(lt):
    pm, pf = base_population()
    pops = {BASE: (pm, pf)}
    comps = []
    for y in YEARS:
        sx_m, sx_f = lt[y]["m"]["Sx"], lt[y]["f"]["Sx"]
        res = ref.ccmpp_step(pm, pf, sx_m, sx_f, asfr(y), SRB[y], migrants(y, "m"), migrants(y, "f"), TIMING[y])
        pm, pf = res[0], res[1]
        pops[y + 1] = (pm, pf)
        comps.append((y + 1, res))
    return pops, comps


def write_expected(folder, pops, comps):
    rows = []
    for year in sorted(pops):
        pm, pf = pops[year]
        for name, p in (("female", pf), ("male", pm)):
            for a in AGES:
                for variant in ("baseline", "lt-sx"):
                    rows.append([variant, year, ZONE, "total", name, a, p[a]])
    ref.write_csv(os.path.join(folder, "expected.csv"),
                  ["variant", "year", "zone", "group", "sex", "age", "population"], rows)
    crow = []
    for period, res in comps:
        _, _, dm, df, bm, bf, mm, mf = res
        for variant in ("baseline", "lt-sx"):
            crow.append([variant, period, ZONE, "total", "female", "", "births", bf])
            crow.append([variant, period, ZONE, "total", "male", "", "births", bm])
            for name, d, m in (("female", df, mf), ("male", dm, mm)):
                for a in AGES:
                    crow.append([variant, period, ZONE, "total", name, a, "deaths", d[a]])
                    crow.append([variant, period, ZONE, "total", name, a, "net_migration", m[a]])
    ref.write_csv(os.path.join(folder, "expected_components.csv"),
                  ["variant", "period", "zone", "group", "sex", "age", "component", "persons"], crow)


def write_inputs(folder, lt_rows):
    ref.write_csv(os.path.join(folder, "life_table_age_sex.csv"),
                  ["time_start", "time_span", "sex", "age_start", "age_span", "indicator", "value"], lt_rows)
    pm, pf = base_population()
    rows = [[BASE, 0, name, a, 1000 if a == 130 else 1, p[a]] for name, p in (("male", pm), ("female", pf))
            for a in AGES]
    ref.write_csv(os.path.join(folder, "pop_count_age_sex_base.csv"),
                  ["time_start", "time_span", "sex", "age_start", "age_span", "value"], rows)
    rows = [[y, 1, "female", a, 1000 if a == 130 else 1, asfr(y)[a]] for y in YEARS for a in range(10, 55)]
    ref.write_csv(os.path.join(folder, "fert_rate_age_f.csv"),
                  ["time_start", "time_span", "sex", "age_start", "age_span", "value"], rows)
    ref.write_csv(os.path.join(folder, "srb.csv"), ["time_start", "time_span", "value"],
                  [[y, 1, SRB[y]] for y in YEARS])
    rows = [[y, 1, name, a, 1000 if a == 130 else 1, migrants(y, s)[a]] for y in YEARS
            for name, s in (("female", "f"), ("male", "m")) for a in AGES]
    ref.write_csv(os.path.join(folder, "mig_net_count_age_sex.csv"),
                  ["time_start", "time_span", "sex", "age_start", "age_span", "value"], rows)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--mutant":
        out = sys.argv[2]
        os.makedirs(out, exist_ok=True)
        for f in os.listdir(HERE):
            if f.endswith(".csv") or f in ("scenario.toml", "README.md"):
                shutil.copy(os.path.join(HERE, f), os.path.join(out, f))
        lt_wrong, _ = tables(coherent=False)
        pops, comps = project(lt_wrong)
        write_expected(out, pops, comps)
        os.remove(os.path.join(out, "expected_components.csv"))
        return
    if len(sys.argv) != 1:
        sys.exit(__doc__)
    lt, lt_rows = tables()
    write_inputs(HERE, lt_rows)
    pops, comps = project(lt)
    write_expected(HERE, pops, comps)


if __name__ == "__main__":
    main()
