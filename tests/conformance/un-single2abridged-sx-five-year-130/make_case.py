# SPDX-License-Identifier: Apache-2.0
"""Writes the tables and expected.csv of the conformance case un-single2abridged-sx-five-year-130 from
tests/conformance/outside13_reference.py: single-year rates to 130 made into life tables by DemoTools' lt_single_mx
(AK a0), regrouped by lt_single2abridged (the WPP abridged tables' Sx layout, rows 0, 1, 5, ..., 125 and a 0 at 130),
projected 5x5 on 130+ by ccmppWPP's step. Never calls cohortgis.

`--mutant DIR` writes the same inputs with an expected.csv that reads the abridged Sx rows as the grid's groups
one to one (row 1 as group 1 would be: group 5 takes row 5), which run_case.py must fail."""
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import outside13_reference as r  # noqa: E402

YEARS = [2020, 2025, 2030]
GRID = list(range(0, 131, 5))  # 0, 5, ..., 130+
SRB_PATH = {2021: 104.0, 2035: 108.0}  # males per 100 females, calendar years


def mx_single(sex, year):
    k = (year - 2020) / 5
    f = 1.0 if sex == "female" else 1.25
    m = [(0.021 if sex == "female" else 0.026) * (0.85 ** k)]
    for x in range(1, 131):
        senescent = 3e-5 * f * (0.93 ** k) * math.exp(0.1 * x)
        m.append(0.0025 * math.exp(-1.1 * x) * f + 0.0003 * f + senescent / (1 + senescent))
    return m


def asfr5(year):
    base = [0.0, 0.0, 0.0, 0.022, 0.095, 0.118, 0.081, 0.036, 0.009, 0.001, 0.0]  # 0 ... 50
    scale = {2020: 1.0, 2025: 0.93, 2030: 0.9}[year]
    return [v * scale for v in base] + [0.0] * (len(GRID) - len(base))


def net_counts(sex, year):
    """Signed migrants per step by five-year group at the start; emigration empties some old cells (override)."""
    out = []
    for i, x in enumerate(GRID):
        v = 900.0 * math.exp(-((x - 27.5) / 11.0) ** 2) - 60.0
        if x >= 100:
            v = -400.0 if (sex == "male" or year == 2025) else 3.0
        out.append(v * (1.0 if year != 2030 else -0.5))
    return out


def base_population():
    P = {}
    for s in r.SEXES:
        f = 1.0 if s == "female" else 1.04
        P[s] = [5200.0 * f * math.exp(-0.0009 * x * x / 5) + 30.0 for x in GRID]
        P[s][-1] = 0.0 if s == "male" else 0.4  # 130+: no man, 0.4 women
        P[s][-2] = 2.5
    return P


def srb_path_mean(t, z=5):
    (y1, v1), (y2, v2) = sorted(SRB_PATH.items())
    vals = [v1 + (v2 - v1) * (min(max(y, y1), y2) - y1) / (y2 - y1) for y in range(t + 1, t + z + 1)]
    return sum(vals) / z


def tables():
    lt = {}
    for y in YEARS:
        for s in r.SEXES:
            lt[y, s] = r.lt_single2abridged(r.lt_single_mx(mx_single(s, y), s, "ak"))
    return lt


def write_inputs(out_dir, lt):
    rows = []
    for (y, s) in sorted(lt):
        t = lt[y, s]
        for ind, key in (("lt_Sx", "S"), ("lt_nLx", "L"), ("lt_lx", "l"), ("lt_nqx", "q"), ("lt_nAx", "a"),
                         ("lt_nMx", "m")):
            rows += [[ind, y, 5, s, x, repr(v)] for x, v in zip(t["age"], t[key])]
    r.write_csv(os.path.join(out_dir, "life_table_age_sex.csv"),
                ["indicator", "time_start", "time_span", "sex", "age_start", "value"], rows)
    wide = []
    for (y, s) in sorted(lt):
        t = lt[y, s]
        for i, x in enumerate(t["age"]):
            wide.append([y, s, x, repr(t["q"][i]), repr(t["a"][i]), repr(t["m"][i]), repr(t["l"][i]),
                         repr(t["L"][i]), repr(t["S"][i])])
    r.write_csv(os.path.join(out_dir, "life_table_wide.csv"),
                ["time_start", "sex", "age_start", "lt_nqx", "lt_nAx", "lt_nMx", "lt_lx", "lt_nLx", "lt_Sx"], wide)
    r.write_csv(os.path.join(out_dir, "fert_rate_age_f.csv"), ["time_start", "age_start", "value"],
                [[y, x, repr(v)] for y in YEARS for x, v in zip(GRID, asfr5(y)) if v > 0])
    r.write_csv(os.path.join(out_dir, "mig_net_count_age_sex.csv"), ["time_start", "sex", "age_start", "value"],
                [[y, s, x, repr(v)] for y in YEARS for s in r.SEXES for x, v in zip(GRID, net_counts(s, y))])
    P0 = base_population()
    r.write_csv(os.path.join(out_dir, "pop_count_age_sex_base.csv"), ["sex", "age_start", "value"],
                [[s, x, repr(P0[s][i])] for s in r.SEXES for i, x in enumerate(GRID)])


def project(lt, mutant=False):
    P = base_population()
    out = {2020: P}
    for y in YEARS:
        if mutant:  # the abridged rows read one to one: group 5 takes row 5's ratio (5-9 -> 10-14)
            S = {s: [lt[y, s]["S"][0]] + lt[y, s]["S"][2:] for s in r.SEXES}
        else:  # row 0 -> group 0, row 1 -> group 5, row x -> group x + 5; the placeholder row 130 unused
            S = {s: lt[y, s]["S"][:-1] for s in r.SEXES}
        M = {s: net_counts(s, y) for s in r.SEXES}
        P = r.un_step(P, S, asfr5(y), srb_path_mean(y) / 100, M, "even", 5)
        out[y + 5] = P
    return out


def main(out_dir, mutant=False):
    lt = tables()
    write_inputs(out_dir, lt)
    runs = [("baseline", project(lt, mutant))]
    for v in ("nlx", "qx-columns", "life-table-wide"):
        runs.append((v, runs[0][1]))
    r.write_expected(os.path.join(out_dir, "expected.csv"), runs, GRID)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--mutant":
        os.makedirs(sys.argv[2], exist_ok=True)
        main(sys.argv[2], mutant=True)
    else:
        main(HERE)
