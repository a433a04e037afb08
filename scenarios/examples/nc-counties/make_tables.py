#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Builds the two derived tables of the North Carolina example from shipped data (run from this folder with
Debian's /usr/bin/python3; needs python3-gdal). The outputs are checked in; rerun only on purpose.

nc_base_1984.csv  zone, sex, age, population: a stationary population per county (Preston et al. 2001, §3.5:
                  P(x) = B · nLx / l0) with B = the county's average annual births 1979-84 (BIR79 / 5, from
                  nc_counties.gpkg) and nLx from Germany's WPP 2022 2010-2015 abridged death rates as a stand-in
                  low-mortality life table (ax = n/2; 1a0 = 0.1). Five-year groups 0-4 ... 80-84, 85+.
nc_asfr.csv       zone, age, value: China's WPP 2022 2010-2015 age pattern (pasfr) as a stand-in pattern, scaled per
                  county to TFR_c = 1.8 × (BIR79_c / BIR74_c) / (Σ BIR79 / Σ BIR74): the state's early-1980s TFR (about
                  1.8, an assumption) moved by the county's change in births between 1974-78 and 1979-84.
"""
import csv
import os

from osgeo import ogr

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "..", "data")
SRB = 1.05

ds = ogr.Open(os.path.join(DATA, "geo", "nc_counties.gpkg"))
layer = ds.GetLayerByName("nc.gpkg")
counties = [(f["FIPS"], f["NAME"], float(f["BIR74"]), float(f["BIR79"])) for f in layer]

def rows(name):
    with open(os.path.join(DATA, "wpp", name), newline="") as fh:
        return list(csv.DictReader(fh))

# Abridged life table (rows 0, 1-4, 5-9, ..., 100+) → 5L0, 5L5, ..., 5L80, T85.
def five_year_L(mx):
    n = [1, 4] + [5] * (len(mx) - 3) + [None]
    l, L = 100000.0, []
    for i, m in enumerate(mx):
        if n[i] is None:
            L.append(l / m)
            break
        a = 0.1 if i == 0 else n[i] / 2
        q = n[i] * m / (1 + (n[i] - a) * m)
        d = l * q
        L.append(n[i] * (l - d) + a * d)
        l -= d
    five = [L[0] + L[1]] + L[2:]          # 0-4, 5-9, ..., 95-99, 100+
    return five[:17] + [sum(five[17:])]  # ... 80-84, 85+ (T85)

mx = {s: [float(r["mx"]) for r in rows("mortality_mx_abridged_2010_2020.csv")
          if r["iso3"] == "DEU" and r["period_start"] == "2010" and r["sex"] == s] for s in ("female", "male")}
L = {s: five_year_L(mx[s]) for s in mx}
with open(os.path.join(HERE, "nc_base_1984.csv"), "w", newline="") as fh:
    w = csv.writer(fh, lineterminator="\n")
    w.writerow(["zone", "sex", "age", "population"])
    for fips, _, _, b79 in counties:
        births = b79 / 5
        for s, share in (("female", 1 / (1 + SRB)), ("male", SRB / (1 + SRB))):
            for i, Lx in enumerate(L[s]):
                w.writerow([fips, s, 5 * i, f"{births * share * Lx / 100000:.3f}"])

pasfr = [(int(r["age_start"]), float(r["pasfr_percent"])) for r in rows("fertility_asfr_5y_2010_2020.csv")
         if r["iso3"] == "CHN" and r["period_start"] == "2010"]
state = sum(c[3] for c in counties) / sum(c[2] for c in counties)
with open(os.path.join(HERE, "nc_asfr.csv"), "w", newline="") as fh:
    w = csv.writer(fh, lineterminator="\n")
    w.writerow(["zone", "age", "value"])
    for fips, _, b74, b79 in counties:
        tfr = 1.8 * (b79 / b74) / state
        for age, pct in pasfr:
            w.writerow([fips, age, f"{tfr * pct / 100 / 5:.8f}"])
