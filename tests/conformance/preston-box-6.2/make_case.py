# SPDX-License-Identifier: Apache-2.0
"""Preston, Heuveline & Guillot (2001), Box 6.2: reformats the published inputs and figures for the scenario.

No computation: base_population.csv is pop_count_age_sex_base.csv with the zone and group columns the scenario
needs; expected.csv is published_preston_pop_count_age_sex_rounded.csv in the layout of population.csv.
Run: /usr/bin/python3 make_case.py
"""
import csv
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def rows(name):
    with open(os.path.join(HERE, name), newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write(name, header, body):
    with open(os.path.join(HERE, name), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(body)


write("base_population.csv", ["zone", "group", "sex", "age", "population"],
      [["SWE", "total", r["sex"], r["age"], r["value"]] for r in rows("pop_count_age_sex_base.csv")])
write("expected.csv", ["variant", "year", "zone", "group", "sex", "age", "population"],
      [["baseline", r["year"], "SWE", "total", r["sex"], r["age"], r["value"]]
       for r in rows("published_preston_pop_count_age_sex_rounded.csv")])
