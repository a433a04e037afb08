# SPDX-License-Identifier: Apache-2.0
"""Writes the case's tables, expected.csv, expected_components.csv and expected_indicators.csv with
../outside12_reference.py (ccmppWPP's loop and step, R file and line there; see README.md). Never calls cohortgis.

    make_case.py [--mutant DIR]   (DIR: every table and a deliberately wrong expected_components.csv)
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
rows = [0, 1] + ages[1:]  # the abridged life table's rows 0, 1, 5, ..., 100+
years = (2020, 2025, 2030)
shape = [math.exp(-0.014 * a - 0.0004 * max(a - 50, 0) ** 2) * (1 + 0.07 * math.sin(a / 8.0)) for a in ages]
base = {"female": [40000.0 * v for v in shape], "male": [41000.0 * v for v in shape]}


def abridged(m0, m1_4, lift):
    """An abridged table's lt_lx at 0 and lt_nLx on rows 0, 1, 5, ..., 100+ (T100) and, from them, the five-year
    lt_Sx of DemoTools' lt_id_Ll_S with N = 5 (R/lt_id.R: row 0 = (1L0 + 4L1) / (5 l0), row 5 = 5L5 / (1L0 + 4L1),
    row x = L_x / L_{x-5}, the open row T100 / (L95 + T100))."""
    width = [1, 4] + [5] * (len(rows) - 3) + [None]
    h = [m0, m1_4] + [lift * (0.0002 + 0.00008 * math.exp(0.09 * a)) for a in rows[2:]]
    lx = [100000.0]
    for m, n in zip(h[:-1], width[:-1]):
        lx.append(lx[-1] * math.exp(-n * m))
    L = [(lx[i] - lx[i + 1]) / h[i] for i in range(len(rows) - 1)] + [lx[-1] / h[-1]]  # constant hazard
    sx = [(L[0] + L[1]) / (5 * lx[0]), L[2] / (L[0] + L[1])] + [L[i] / L[i - 1] for i in range(3, len(rows) - 1)]
    sx.append(L[-1] / (L[-2] + L[-1]))
    return L, sx


tables = {t: {"female": abridged(0.02 * (1 - 0.1 * k), 0.002, 1.0), "male": abridged(0.025 * (1 - 0.1 * k), 0.0025,
                                                                                          1.4)}
          for k, t in enumerate(years)}
asfr = {t: [lv * math.exp(-((a + 2.5 - 28.0) / 7.0) ** 2) if 15 <= a <= 45 else 0.0 for a in ages]
        for t, lv in zip(years, (0.1, 0.085, 0.08))}
srb = {2020: 1.07, 2025: 1.06, 2030: 1.05}
rates = {t: {s: [(0.03 if 15 <= a <= 30 else (-0.01 if a >= 65 else 0.0)) * (1 - 0.2 * k) for a in ages]
             for s in R.SEXES} for k, t in enumerate(years)}
rates[2025]["female"][0] = -1.0  # the start's girls 0-4 leave: the override, half of it with the newborns (even)
rates[2030]["male"][-1] = -1.0  # 100+ men leave at the end: the override, then the floor
assumption = {2020: "even", 2025: "even", 2030: "end"}
steps = [{"time_start": t, "sx": {s: tables[t][s][1] for s in R.SEXES}, "asfr": asfr[t], "srb": srb[t],
          "mig_type": "rates", "mig_assumption": assumption[t], "rates": rates[t]} for t in years]
results = R.loop(z, base, steps)
assert results[2]["floor_m"][-1] > 0
e0 = [["baseline", t + z, "X", "total", "e0_" + s, repr(sum(tables[t][s][0]) / 100000.0)] for t in years
      for s in R.SEXES]
R.write_expected(here, [("baseline", "X", base, results, asfr)], ages, z, base_year, extra_indicators=e0)

R.write_csv(os.path.join(here, "pop_count_age_sex_base.csv"), ["time_start", "sex", "age_start", "value"],
            [[base_year, s, a, repr(base[s][i])] for s in R.SEXES for i, a in enumerate(ages)])
R.write_csv(os.path.join(here, "life_table_age_sex.csv"), ["indicator", "time_start", "sex", "age_start", "value"],
            [["lt_nLx", t, s, a, repr(tables[t][s][0][i])] for t in years for s in R.SEXES
             for i, a in enumerate(rows)])
R.write_csv(os.path.join(here, "fert_rate_age_f.csv"), ["time_start", "age_start", "value"],
            [[t, a, repr(asfr[t][i])] for t in years for i, a in enumerate(ages) if 15 <= a <= 45])
R.write_csv(os.path.join(here, "srb.csv"), ["time_start", "value"], [[t, v] for t, v in srb.items()])
R.write_csv(os.path.join(here, "mig_net_rate_age_sex.csv"), ["time_start", "sex", "age_start", "value"],
            [[t, s, a, repr(rates[t][s][i])] for t in years for s in R.SEXES for i, a in enumerate(ages)])

if "--mutant" in sys.argv:  # the deaths of the period's births with the survival of 0-4 -> 5-9 (row 5's ratio)
    out = sys.argv[sys.argv.index("--mutant") + 1]
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(here, out, ignore=shutil.ignore_patterns("make_case.py", "__pycache__"))
    path = os.path.join(out, "expected_components.csv")
    wrong = (1 - tables[2020]["female"][1][1]) * results[0]["birth_count_tot_f"]
    lines = [ln if not ln.startswith("baseline,2021-2025,X,total,female,0,deaths,") else
             f"baseline,2021-2025,X,total,female,0,deaths,{wrong!r}" for ln in open(path).read().splitlines()]
    open(path, "w").write("\n".join(lines) + "\n")
