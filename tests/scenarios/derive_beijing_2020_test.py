#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""scripts/derive_beijing_2020.py: the committed tables in data/census are what the script writes; its ecological
regression recovers known profiles; the district migration meets the city total of 2021 (the projection's accounting
identity with the bulletin's 2021 population).
Usage: derive_beijing_2020_test.py CLI (the cohortgis executable)."""
import csv
import filecmp
import importlib.util
import os
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
spec = importlib.util.spec_from_file_location("derive", os.path.join(ROOT, "scripts", "derive_beijing_2020.py"))
derive = importlib.util.module_from_spec(spec)
spec.loader.exec_module(derive)
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAIL:", what)


# 1. Non-negative least squares of two unknowns on exact data recovers them; where the unconstrained fit has a
# negative coefficient, the optimum lies on the boundary.
b1, b2 = derive.nnls2([1, 2, 3, 4], [4, 1, 3, 2], [1 * 0.3 + 4 * 0.1, 2 * 0.3 + 1 * 0.1, 3 * 0.3 + 3 * 0.1, 4 * 0.3 + 2 * 0.1])
check(abs(b1 - 0.3) < 1e-12 and abs(b2 - 0.1) < 1e-12, f"nnls2 exact: {b1} {b2}")
# Hand case: y = x1 − 0.5 x2 exactly, so b2 < 0 unconstrained; on b2 = 0, b1 = Σx1y / Σx1² = 9/14 (SSE 1.714), which
# beats b1 = 0, b2 = Σx2y / Σx2² = 3/14 (SSE 6.86).
b1, b2 = derive.nnls2([1, 2, 3], [3, 2, 1], [-0.5, 1.0, 2.5])
check(abs(b1 - 9 / 14) < 1e-12 and b2 == 0.0, f"nnls2 on the boundary: {b1} {b2}")

# 2. Ecological regression on a synthetic census: two districts' cells built from known profiles f, r.
f, r = {}, {}
for i, a in enumerate(derive.AGES):
    f[("f", a)], f[("m", a)] = 1.0 + (i % 5), 2.0 + (i % 4)
    r[("f", a)], r[("m", a)] = 1.0 + (i % 3), 1.5 + (i % 2)
sf, sr = sum(f.values()), sum(r.values())
census = {}
for code, F, R in (("110101", 1000.0, 3000.0), ("110102", 5000.0, 2000.0), ("110105", 800.0, 9000.0)):
    census[(code, "pop_hukou_elsewhere_other_province")] = F
    census[(code, "pop_resident")] = F + R
    for s in "fm":
        for a in derive.AGES:
            census[(code, f"pop_{s}_{derive.age_label(a)}")] = F * f[(s, a)] / sf + R * r[(s, a)] / sr
for g, sex, a, share in derive.group_profiles(census):
    want = (f if g == "floating" else r)[(sex[0], a)] / (sf if g == "floating" else sr)
    check(abs(share - want) < 1e-12, f"profile {g} {sex} {a}: {share} != {want}")

# 3. Persistence of district growth differentials, 2000-2010 -> 2010-2020 (slope through the origin). Independent
# figure: 0.3144, the same slope computed with pandas from another file's 2010 totals, the bulletin's 10k-rounded
# resident_2010_10k of beijing_registered2010_districts.csv (the script uses the census units summed exactly).
lam = derive.differential_persistence(derive.read_long(os.path.join(ROOT, "data", "census", "census2020_districts.csv")))
check(abs(lam - 0.3144) < 0.002, f"persistence {lam}")

# 4. The committed tables are the script's output, and the migration adds up to the city's 2021 net migration:
# 21,886,000 (end of 2021) − 21,893,095 (2020 census) − 0.96‰ × their mean = −28,108.97 per year.
with tempfile.TemporaryDirectory() as tmp:
    sys.argv = ["derive", sys.argv[1], tmp]
    derive.main()
    for name in ("beijing2020_group_profiles.csv", "beijing2020_net_migration.csv",
                 "beijing2020_district_net_migration.csv", "beijing2020_households.csv"):
        check(filecmp.cmp(os.path.join(tmp, name), os.path.join(ROOT, "data", "census", name), shallow=False),
              f"data/census/{name} differs from the script's output (rerun scripts/derive_beijing_2020.py)")
    with open(os.path.join(tmp, "beijing2020_net_migration.csv"), encoding="utf-8") as fh:
        cells = list(csv.DictReader(fh))
    # The city total is the 2021 net migration at which the projection reaches the bulletin's 21,886,000 at the end
    # of 2021: by the projection's accounting identity P(2021) - P(2020) = B - D + N, with its own births and deaths
    # of 2021 (the committed tables' run), N = 21,886,000 - 21,893,095 (2020 census) - (B - D).
    run = derive.projected_2021(sys.argv[1], os.path.join(ROOT, "data"),
                                ("population", "births", "deaths", "net_migration"))
    city = 21886000 - 21893095 - (run["births"] - run["deaths"])
    total = sum(float(x["value"]) for x in cells)
    check(len(cells) == 16 * 2 * 2 * 86, f"{len(cells)} cells")
    check(abs(total - city) < 1.0, f"net migration {total} != city {city}")
    check(abs(run["net_migration"] - total) < 1e-3, f"the run's net migration {run['net_migration']} != {total}")
    check(abs(run["population"] / 21886000 - 1) < 1e-6, f"the run's 2021 population {run['population']}")
    with open(os.path.join(tmp, "beijing2020_district_net_migration.csv"), encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    check(len(rows) == 16, f"{len(rows)} districts")
    for x in rows:
        zone = [float(c["value"]) for c in cells if c["zone"] == x["zone"]]
        check(abs(sum(zone) - float(x["persons_per_year"])) <= 0.5, f"district sum of {x['zone']}")
        split = float(x["floating_per_year"]) + float(x["registered_per_year"])
        check(abs(split - float(x["persons_per_year"])) <= 1.0, f"group split of {x['zone']}")
    # The core districts lost residents over 2010-2020 (东城 with 崇文: 91.9万 → 70.9万), outer ones gained.
    by = {x["zone"]: float(x["net_2010_2020_per_year"]) for x in rows}
    check(by["110101"] < 0 and by["110102"] < 0 and by["110112"] > 0, "signs of the 2010-2020 residuals")

# 5. Households: residents / family households, so the scenario's households of 2020 are the census's 8,230,792
# family households (家庭户, the sum of households_family over the 16 districts of census2020_districts.csv).
with open(os.path.join(ROOT, "data", "census", "beijing2020_households.csv"), encoding="utf-8") as fh:
    hh = list(csv.DictReader(fh))
check(len(hh) == 16, f"{len(hh)} household rows")
check(abs(sum(float(x["pop_resident"]) / float(x["persons_per_household"]) for x in hh) - 8230792) < 1e-3,
      "households of 2020 = the census's family households")

print("failures:", len(failures))
sys.exit(1 if failures else 0)
