# SPDX-License-Identifier: Apache-2.0
"""The WPP tables of data/wpp (data/wpp/DATA.md) as the conformance cases' make_case.py scripts read them: one
reader for all. Plain csv, no cohortgis."""
import csv
import os

WPP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data", "wpp")


def rows(name, iso):
    """The rows of data/wpp/`name` of one country (column iso3 = `iso`), as dicts of strings."""
    with open(os.path.join(WPP, name), newline="", encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if r["iso3"] == iso]
