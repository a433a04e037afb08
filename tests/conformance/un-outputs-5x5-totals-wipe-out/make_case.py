# SPDX-License-Identifier: Apache-2.0
"""Writes the case's tables, expected.csv, expected_components.csv and expected_indicators.csv with
../outside12_reference.py (ccmppWPP's loop and step, R file and line there; see README.md). Never calls cohortgis.

    make_case.py [--mutant DIR]   (DIR: every table and a deliberately wrong expected_indicators.csv)
"""
import math
import os
import shutil
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(here))
import outside12_reference as R  # noqa: E402

z, W, base_year = 5, 85, 2020
ages = list(range(0, W + 1, 5))
years = (2020, 2025, 2030)
shape = [math.exp(-0.012 * a) * (1 + 0.1 * math.sin(a / 9.0)) for a in ages]
base = {"female": [9000.0 * v for v in shape], "male": [9300.0 * v for v in shape]}


def five_year_sx(m_young, slope, lift):
    """A five-year table's lt_Sx (DemoTools' lt_id_Ll_S): row 0 = L0 / (5 l0), row x = L_x / L_{x-5}, the open row
    T85 / T80; l from a Gompertz hazard, closed L = 5 (l_x + l_x+5) / 2, the open L = l85 / m85."""
    h = [lift * (m_young + 0.00015 * math.exp(slope * a)) for a in ages]
    lx = [100000.0]
    for a, m in zip(ages[:-1], h[:-1]):
        lx.append(lx[-1] * math.exp(-5 * m))
    L = [5 * (lx[i] + lx[i + 1]) / 2 for i in range(len(ages) - 1)] + [lx[-1] / h[-1]]
    return [L[0] / (5 * lx[0])] + [L[i] / L[i - 1] for i in range(1, len(ages) - 1)] + [L[-1] / (L[-2] + L[-1])]


sx = {t: {"female": five_year_sx(0.0009, 0.09 - 0.001 * k, 1.0), "male": five_year_sx(0.0012, 0.09, 1.3 - 0.02 * k)}
      for k, t in enumerate(years)}
asfr = {t: [lv * math.exp(-((a + 2.5 - 29.0) / 7.0) ** 2) if 10 <= a <= 45 else 0.0 for a in ages]
        for t, lv in zip(years, (0.09, 0.07, 0.08))}
srb = {2020: 1.05, 2025: 1.06, 2030: 1.04}
# mig_net_count_tot_b by period: in at the end; out, 1.2 times the population, spread evenly (every cell overridden,
# then the floor where a cohort is larger than the survivors of the one before it); in again at the end
total = {2020: 25000.0, 2025: -1.2 * 1.0e9, 2030: 4000.0}
assumption = {2020: "end", 2025: "even", 2030: "end"}
steps = [{"time_start": t, "sx": sx[t], "asfr": asfr[t], "srb": srb[t], "mig_type": "totals",
          "mig_assumption": assumption[t], "total": total[t]} for t in years]
# the 2025 total: -1.2 times the population at the start of 2025 (from a first run of the 2020 step)
first = R.loop(z, base, steps[:1])[0]
total[2025] = -1.2 * (sum(first["pop_end_f"]) + sum(first["pop_end_m"]))
steps[1]["total"] = total[2025]
results = R.loop(z, base, steps)
assert all(m == R.OVERRIDE - p for m, p in zip(results[1]["mig_net_count_age_f"], results[1]["pop_start_f"]))
assert any(v > 0 for v in results[1]["floor_f"] + results[1]["floor_m"])
R.write_expected(here, [("baseline", "X", base, results, asfr)], ages, z, base_year)

R.write_csv(os.path.join(here, "pop_count_age_sex_base.csv"), ["time_start", "sex", "age_start", "value"],
            [[base_year, s, a, repr(base[s][i])] for s in R.SEXES for i, a in enumerate(ages)])
R.write_csv(os.path.join(here, "life_table_age_sex.csv"), ["indicator", "time_start", "sex", "age_start", "value"],
            [["lt_Sx", t, s, a, repr(sx[t][s][i])] for t in years for s in R.SEXES for i, a in enumerate(ages)])
R.write_csv(os.path.join(here, "fert_rate_age_f.csv"), ["time_start", "age_start", "value"],
            [[t, a, repr(asfr[t][i])] for t in years for i, a in enumerate(ages) if 10 <= a <= 45])
R.write_csv(os.path.join(here, "srb.csv"), ["time_start", "value"], [[t, v] for t, v in srb.items()])
R.write_csv(os.path.join(here, "mig_net_count_tot_b.csv"), ["time_start", "value"],
            [[t, repr(v)] for t, v in total.items()])

if "--mutant" in sys.argv:  # the TFR of five-year rates without the factor z = 5 (the plain sum of the ASFR)
    out = sys.argv[sys.argv.index("--mutant") + 1]
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(here, out, ignore=shutil.ignore_patterns("make_case.py", "__pycache__"))
    path = os.path.join(out, "expected_indicators.csv")
    lines = [ln if not ln.startswith("baseline,2030,X,total,tfr,") else
             f"baseline,2030,X,total,tfr,{sum(asfr[2025])!r}" for ln in open(path).read().splitlines()]
    open(path, "w").write("\n".join(lines) + "\n")
