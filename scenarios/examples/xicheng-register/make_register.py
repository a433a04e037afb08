#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Writes a synthetic person-level register of 西城区 (Xicheng, 110102) whose counts by sex and census age group
equal the district's 2020 census (data/census/census2020_districts.csv) exactly: one row per person, with a
person id, date of birth, sex, zone code, hukou status and, for women, children ever born.

Fixed seed: the same file every time. Ages at the base date 2020-12-31 are in completed years, so a person aged k
was born in 2020 - k; within a census cell (e.g. 5-9) single years are drawn uniformly, in 85+ from 85 to 100 with
weights falling 20% a year. The register is made up: no row is a real person.

    /usr/bin/python3 make_register.py [--census data/census/census2020_districts.csv] [--out register.csv]
"""
import argparse
import csv
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
CODE = "110102"
BASE_YEAR = 2020  # base date 2020-12-31: age k <=> born in BASE_YEAR - k


def census_cells(path, code):
    """[(sex, first_age, last_age, persons)] of the district: pop_f_0, pop_f_1_4, ..., pop_f_85p."""
    cells = []
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            ind = row["indicator"]
            if row["code"] != code or not (ind.startswith("pop_f_") or ind.startswith("pop_m_")):
                continue
            sex, ages = ind[4], ind[6:]
            if ages.endswith("p"):
                first, last = int(ages[:-1]), 100
            elif "_" in ages:
                first, last = (int(a) for a in ages.split("_"))
            else:
                first = last = int(ages)
            cells.append((sex, first, last, int(row["value"])))
    if not cells:
        sys.exit(f"{path}: no pop_f_/pop_m_ rows for {code}")
    return cells


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--census", default=os.path.join(HERE, "..", "..", "..", "data", "census", "census2020_districts.csv"))
    ap.add_argument("--out", default=os.path.join(HERE, "register.csv"))
    ap.add_argument("--seed", type=int, default=20201231)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    sexes, ages = [], []
    for sex, first, last, n in census_cells(a.census, CODE):
        span = np.arange(first, last + 1)
        w = 0.8 ** (span - first) if last == 100 else np.ones(len(span))
        ages.append(rng.choice(span, size=n, p=w / w.sum()))
        sexes.append(np.full(n, sex))
    age = np.concatenate(ages)
    sex = np.concatenate(sexes)
    n = len(age)
    order = rng.permutation(n)  # a register is not sorted by age
    age, sex = age[order], sex[order]
    year = BASE_YEAR - age
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    day = (rng.random(n) * np.where(leap, 366, 365)).astype(np.int64)  # day of the year, 0-based
    born = np.array([f"{y}-01-01" for y in range(BASE_YEAR - 100, BASE_YEAR + 1)], dtype="datetime64[D]")
    dob = (born[year - (BASE_YEAR - 100)] + day).astype(str)
    hukou = np.where(rng.random(n) < 0.3, "floating", "registered")
    # Children ever born, women 15+ only (the rest empty): more with age, capped at 6.
    lam = np.clip((age - 15) / 20.0, 0, 1.6)
    ceb = np.minimum(rng.poisson(lam), 6).astype(str)
    ceb = np.where((sex == "f") & (age >= 15), ceb, "")
    pid = np.char.add("XC", np.char.zfill((np.arange(n) + 1).astype(str), 7))
    sex_out = np.where(sex == "f", "女", "男")
    with open(a.out, "w", encoding="utf-8") as f:
        f.write("person_id,birth_date,sex,district,hukou,children_ever_born\n")
        chunk = 200000
        for s in range(0, n, chunk):
            e = min(n, s + chunk)
            f.write("".join(f"{p},{d},{x},{CODE},{h},{c}\n" for p, d, x, h, c in
                            zip(pid[s:e], dob[s:e], sex_out[s:e], hukou[s:e], ceb[s:e])))
    print(f"{a.out}: {n} persons", file=sys.stderr)


if __name__ == "__main__":
    main()
