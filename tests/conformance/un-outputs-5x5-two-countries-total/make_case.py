# SPDX-License-Identifier: Apache-2.0
"""Writes the case's tables, expected.csv, expected_components.csv and expected_indicators.csv with
../outside12_reference.py (ccmppWPP's loop and step for each country alone, the `total` rows summed as
ccmppWPP_aggregate sums countries; see README.md). Never calls cohortgis.

    make_case.py [--mutant DIR]   (DIR: every table and a deliberately wrong expected_indicators.csv)
"""
import math
import os
import shutil
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(here))
import outside12_reference as R  # noqa: E402

z, W, base_year = 5, 100, 2020
ages = list(range(0, W + 1, 5))
years = (2020, 2025)
countries = {"156": (52000.0, 0.0006, 0.07), "392": (31000.0, 0.0002, 0.045)}  # size, infant hazard, fertility


def five_year_lx(m_young, lift):
    """lt_nLx by five-year rows 0, 5, ..., 100+ (the 100+ row T100) and the matching lt_Sx (DemoTools' lt_id_Ll_S:
    row 0 = L0 / (5 l0), row x = L_x / L_{x-5}, the open row T100 / T95)."""
    h = [lift * (m_young + 0.0001 * math.exp(0.088 * a)) for a in ages]
    lx = [100000.0]
    for m in h[:-1]:
        lx.append(lx[-1] * math.exp(-5 * m))
    L = [(lx[i] - lx[i + 1]) / h[i] for i in range(len(ages) - 1)] + [lx[-1] / h[-1]]  # constant hazard
    sx = [L[0] / (5 * lx[0])] + [L[i] / L[i - 1] for i in range(1, len(ages) - 1)] + [L[-1] / (L[-2] + L[-1])]
    return L, sx


runs, tables, inputs = [], {}, {}
for zone, (size, m_young, fert) in countries.items():
    shape = [math.exp(-0.015 * a) * (1 + 0.08 * math.cos(a / 11.0)) for a in ages]
    base = {"female": [size * v for v in shape], "male": [size * 1.03 * v for v in shape]}
    tables[zone] = {t: {s: five_year_lx(m_young * (1 - 0.1 * k), lift) for s, lift in (("female", 1.0),
                                                                                          ("male", 1.3))}
                    for k, t in enumerate(years)}
    asfr = {t: [fert * (1 - 0.05 * k) * math.exp(-((a + 2.5 - 30.0) / 7.0) ** 2) if 15 <= a <= 45 else 0.0
                for a in ages] for k, t in enumerate(years)}
    srb = {2020: 1.06 if zone == "156" else 1.05, 2025: 1.05}
    counts = {t: {s: [(900.0 if 15 <= a <= 30 else (-400.0 if a >= 60 else 0.0)) * (1 if zone == "156" else -0.5)
                      for a in ages] for s in R.SEXES} for t in years}
    counts[2025]["male"][-1] = -1.0e7  # 100+ emptied in one country: the override
    steps = [{"time_start": t, "sx": {s: tables[zone][t][s][1] for s in R.SEXES}, "asfr": asfr[t], "srb": srb[t],
              "mig_type": "counts", "mig_assumption": "even", "counts": counts[t]} for t in years]
    results = R.loop(z, base, steps)
    runs.append(("baseline", zone, base, results, asfr))
    inputs[zone] = (base, asfr, srb, counts)
e0 = [["baseline", t + z, zone, "total", "e0_" + s, repr(sum(tables[zone][t][s][0]) / 100000.0)]
      for zone in countries for t in years for s in R.SEXES]
R.write_expected(here, runs, ages, z, base_year, extra_indicators=e0)

R.write_csv(os.path.join(here, "pop_count_age_sex_base.csv"), ["LocID", "time_start", "sex", "age_start", "value"],
            [[zone, base_year, s, a, repr(inputs[zone][0][s][i])] for zone in countries for s in R.SEXES
             for i, a in enumerate(ages)])
R.write_csv(os.path.join(here, "life_table_age_sex.csv"),
            ["LocID", "indicator", "time_start", "sex", "age_start", "value"],
            [[zone, ind, t, s, a, repr(tables[zone][t][s][j][i])] for zone in countries
             for j, ind in ((0, "lt_nLx"), (1, "lt_Sx")) for t in years for s in R.SEXES for i, a in enumerate(ages)])
R.write_csv(os.path.join(here, "fert_rate_age_f.csv"), ["LocID", "time_start", "age_start", "value"],
            [[zone, t, a, repr(inputs[zone][1][t][i])] for zone in countries for t in years
             for i, a in enumerate(ages) if 15 <= a <= 45])
R.write_csv(os.path.join(here, "srb.csv"), ["LocID", "time_start", "value"],
            [[zone, t, v] for zone in countries for t, v in inputs[zone][2].items()])
R.write_csv(os.path.join(here, "mig_net_count_age_sex.csv"), ["LocID", "time_start", "sex", "age_start", "value"],
            [[zone, t, s, a, repr(inputs[zone][3][t][s][i])] for zone in countries for t in years for s in R.SEXES
             for i, a in enumerate(ages)])

if "--mutant" in sys.argv:  # the `total` deaths of 2030 as one country's only
    out = sys.argv[sys.argv.index("--mutant") + 1]
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(here, out, ignore=shutil.ignore_patterns("make_case.py", "__pycache__"))
    path = os.path.join(out, "expected_indicators.csv")
    rows = open(path).read().splitlines()
    one = next(ln.split(",")[-1] for ln in rows if ln.startswith("baseline,2030,156,total,deaths,"))
    rows = [ln if not ln.startswith("baseline,2030,total,total,deaths,") else f"baseline,2030,total,total,deaths,{one}"
            for ln in rows]
    open(path, "w").write("\n".join(rows) + "\n")
