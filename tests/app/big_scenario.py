#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes a scenario of ZONES zones without geometry into DIR (scenario.toml and its tables), 2020-2030 in five-year
steps to 85+: large enough to take time where a signal test needs it (signal_drawing.sh: a 20,000-zone base table
being read; signal_xlsx.sh: a 540,000-row population sheet being zipped). Usage: big_scenario.py DIR ZONES"""
import sys

d, zones = sys.argv[1], int(sys.argv[2])
with open(f"{d}/base.csv", "w") as f:
    f.write("zone,sex,age,population\n")
    for z in range(zones):
        for sex in ("female", "male"):
            for age in range(0, 90, 5):
                f.write(f"Z{z},{sex},{age},{1000 - age}\n")
with open(f"{d}/zones.csv", "w") as f:
    f.write("id,name\n" + "".join(f"Z{z},zone {z}\n" for z in range(zones)))
with open(f"{d}/asfr.csv", "w") as f:
    f.write("age,value\n20,0.1\n25,0.1\n30,0.1\n")
with open(f"{d}/mx.csv", "w") as f:
    f.write("age,sex,mx\n" + "".join(f"{a},{s},0.01\n" for s in ("female", "male") for a in [0, 1] + list(range(5, 90, 5))))
with open(f"{d}/scenario.toml", "w") as f:
    f.write('[scenario]\nname = "big"\n[geography]\nzones = "zones.csv"\n'
            '[projection]\nbase_year = 2020\nhorizon = 2030\nstep = 5\nopen_age = 85\n'
            '[base_population]\ntable = "base.csv"\n[fertility]\nschedule = "asfr.csv"\nsrb = 105\n'
            '[mortality]\nmx = { path = "mx.csv", columns = { value = "mx" } }\n')
