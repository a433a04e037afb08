#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Figures of a scenario with more zones than the per-zone limit (issue #16, docs/results.md "Figures of large
scenarios"): the 100-county example gets pyramids for the whole area, each named aggregate and the 24 counties with
the largest baseline population at the horizon (computed here from indicators.csv), no other per-zone pyramid, and a
report whose zone table has those 24 counties and the aggregates; maps are still drawn. The Beijing example (16 zones)
keeps a pyramid for every zone.

Usage: figures_scale.py COHORTGIS_EXE EXAMPLES_DIR
"""
import os
import re
import subprocess
import sys
import tempfile

import pandas as pd

from cli_checks import check, finish

EXE, EXAMPLES = sys.argv[1], sys.argv[2]
LIMIT = 24


def run(scenario, out, *opts):
    p = subprocess.run([EXE, "run", scenario, "--out", out, "--quiet", *opts], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"cohortgis run {scenario}: exit {p.returncode}: {p.stderr}")


with tempfile.TemporaryDirectory() as work:
    out = os.path.join(work, "nc")
    run(os.path.join(EXAMPLES, "nc-counties", "scenario.toml"), out, "--variant", "baseline")
    ind = pd.read_csv(os.path.join(out, "indicators.csv"), dtype={"zone": str}, float_precision="round_trip")
    zones = pd.read_csv(os.path.join(out, "zones.csv"), dtype=str, keep_default_na=False)
    last = ind["year"].max()
    pop = ind[(ind.variant == "baseline") & (ind.year == last) & (ind.group == "all") &
              (ind.indicator == "population")].set_index("zone")["value"]
    ids = list(zones["zone"])
    check(len(ids) == 100, "the example has 100 zones")
    ranked = sorted(range(len(ids)), key=lambda i: (-pop[ids[i]], i))
    top = {ids[i] for i in ranked[:LIMIT]}
    charts = set(os.listdir(os.path.join(out, "charts")))
    aggregates = {c for c in charts if c.startswith("pyramid_aggregate_")}
    check(any(c.startswith("pyramid_aggregate_Research_Triangle") for c in aggregates) and
          "pyramid_aggregate_Mecklenburg.png" in aggregates and len(aggregates) == 2, f"aggregate pyramids {aggregates}")
    pyramids = {c for c in charts if c.startswith("pyramid_")} - aggregates
    want = {"pyramid_total.png"} | {f"pyramid_{z}.png" for z in top}
    check(pyramids == want, f"pyramids: extra {sorted(pyramids - want)}, missing {sorted(want - pyramids)}")
    check(len(os.listdir(os.path.join(out, "maps"))) >= 5, "maps are drawn at any zone count")
    html = open(os.path.join(out, "report.html"), encoding="utf-8").read()
    names = {z: (en or n) for z, n, en in zip(zones["zone"], zones["name"], zones["name_en"])}
    start = html.find('<section id="zones">')
    check(start >= 0, "the report has a zone table")
    table = html[start:html.find("</section>", start)]
    rows = set(re.findall(r"<tr><td>([^<]*)</td>", table))
    check(all(names[z] in rows for z in top), "the report's zone table has the 24 most populous counties")
    check(not any(names[z] in rows for z in ids if z not in top), "and no other county")

    bj = os.path.join(work, "bj")
    run("default", bj, "--variant", "baseline")
    bj_zones = pd.read_csv(os.path.join(bj, "zones.csv"), dtype=str)["zone"]
    bj_charts = set(os.listdir(os.path.join(bj, "charts")))
    check(all(f"pyramid_{z}.png" in bj_charts for z in bj_zones), "Beijing (16 zones) keeps every zone's pyramid")

finish()
print("figures scale checked")
