#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Writes a synthetic scenario folder with N zones (a grid of 1 km squares with boundaries, so maps are drawn), one
group, five-year ages to 85+, national fertility and mortality, no migration: the workload behind the memory and
signal measurements of docs/results.md ("Memory of large runs").

Usage: make_large_scenario.py OUT_DIR [--zones 50000] [--horizon 2070]
"""
import argparse
import math
import os

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import box

ap = argparse.ArgumentParser()
ap.add_argument("out")
ap.add_argument("--zones", type=int, default=50000)
ap.add_argument("--horizon", type=int, default=2070)
a = ap.parse_args()
os.makedirs(a.out, exist_ok=True)

n = a.zones
side = math.ceil(math.sqrt(n))
ids = [f"Z{i:06d}" for i in range(n)]
gpd.GeoDataFrame({"id": ids, "name": [f"zone {i}" for i in range(n)]},
                 geometry=[box((i % side) * 1000.0, (i // side) * 1000.0, (i % side + 1) * 1000.0,
                               (i // side + 1) * 1000.0) for i in range(n)],
                 crs="EPSG:32650").to_file(os.path.join(a.out, "zones.gpkg"), layer="zones", driver="GPKG")

ages = np.arange(0, 90, 5)
rng = np.random.default_rng(16)
size = rng.uniform(200.0, 2000.0, n)  # persons per age group and sex, per zone
shape = np.exp(-ages / 60.0)
rows = []
for sex in ("female", "male"):
    pop = np.round(np.outer(size, shape), 3)
    rows.append(pd.DataFrame({"zone": np.repeat(ids, len(ages)), "sex": sex, "age": np.tile(ages, n),
                              "population": pop.ravel()}))
pd.concat(rows).to_csv(os.path.join(a.out, "base.csv"), index=False)

pd.DataFrame({"age": [15, 20, 25, 30, 35, 40, 45],
              "value": [0.01, 0.06, 0.10, 0.08, 0.03, 0.008, 0.001]}).to_csv(os.path.join(a.out, "asfr.csv"),
                                                                              index=False)
# Abridged death rates (ages 0, 1-4, 5-9, …, 85+).
mx_ages = np.concatenate([[0, 1], ages[1:]])
mx = [0.004, 0.0003, 0.0002, 0.0002, 0.0004, 0.0006, 0.0007, 0.0009, 0.0012, 0.0018, 0.0028, 0.0045, 0.007,
      0.011, 0.018, 0.03, 0.05, 0.085, 0.16]
pd.DataFrame({"age": np.concatenate([mx_ages, mx_ages]), "sex": ["female"] * 19 + ["male"] * 19,
              "mx": mx + [m * 1.3 for m in mx]}).to_csv(os.path.join(a.out, "mx.csv"), index=False)

with open(os.path.join(a.out, "scenario.toml"), "w") as f:
    f.write(f"""# Synthetic: {n} zones on a 1 km grid (bench/make_large_scenario.py).
[scenario]
name = "large-{n}"
language = "en"

[geography]
source = {{ path = "zones.gpkg", layer = "zones", id_field = "id", name_field = "name" }}

[projection]
base_year = 2020
horizon = {a.horizon}
step = 5
open_age = 85

[base_population]
table = "base.csv"

[fertility]
schedule = {{ path = "asfr.csv" }}
srb = 105

[mortality]
mx = {{ path = "mx.csv", columns = {{ value = "mx" }} }}
""")
print(f"{a.out}: {n} zones, base.csv {n * 36} rows")
