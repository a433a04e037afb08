# SPDX-License-Identifier: Apache-2.0
"""Writes the case's workbook and expected.csv (outside7_reference.py; see README.md). `--mutant DIR`: the same
inputs with the female rates multiplied by the male population (ccmppWPP's loop before 4d84a0c)."""
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(here))
import numpy as np  # noqa: E402

import outside7_reference as R  # noqa: E402

out, mutant = R.out_dir(here, sys.argv)
z, w = 5, 85
ages5 = np.arange(0, w + 1, z)
n = len(ages5)
countries = {"4": dict(level=2.0, pop=1400.0, tfr=4.6, srb=1.06), "8": dict(level=0.9, pop=140.0, tfr=1.4, srb=1.09)}
pattern = np.array([0, 0, 0, 0.08, 0.22, 0.26, 0.21, 0.14, 0.07, 0.02] + [0] * 8)  # ASFR shape 15-49, sums to 1
sheets = {"pop_count_age_sex_base": [], "fert_rate_age_f": [], "srb": [], "life_table_age_sex": [],
          "mig_net_rate_age_sex": []}
rows = []
for loc, c in countries.items():
    Lg, l0, S = R.five_year_lt(c["level"], w)
    base = c["pop"] * np.exp(-0.045 * ages5 * (1 if loc == "4" else 0.4))
    pop = {"female": base, "male": base * 1.02}
    F = c["tfr"] / z * pattern
    # net migration rates per period (time_span 5), signed; -1 empties a cohort (the override keeps 0.00001)
    rate = {2020: {"female": -0.02 * np.exp(-((ages5 - 22) / 9.0) ** 2),
                   "male": -0.035 * np.exp(-((ages5 - 25) / 9.0) ** 2)},
            2025: {"female": 0.015 * np.exp(-((ages5 - 30) / 12.0) ** 2),
                   "male": 0.01 * np.exp(-((ages5 - 30) / 12.0) ** 2)}}
    if loc == "8":
        rate[2020]["male"][5] = -1.0
        rate[2025]["female"][6] = -1.0
    for variant in ("baseline", "zero-migration"):
        P = {s: pop[s].copy() for s in R.SEXES}
        for t in (2020, 2025):
            if variant == "baseline":
                M = {s: rate[t][s] * (P["male"] if mutant else P[s]) for s in R.SEXES}
            else:
                M = {s: np.zeros(n) for s in R.SEXES}
            P, _, _ = R.un_step(P, S, F, c["srb"], M, z, "end")
            rows += R.expected_rows(variant, t + z, loc, "total", P, ages5)
    for s in R.SEXES:
        for i, a in enumerate(ages5):
            span = 1000 if i == n - 1 else 5
            sheets["pop_count_age_sex_base"].append([loc, 2020, 5, s, int(a), span, float(pop[s][i])])
            sheets["life_table_age_sex"].append([loc, "lt_nLx", 2020, 5, s, int(a), span, float(Lg[s][i])])
            for t in (2020, 2025):
                sheets["mig_net_rate_age_sex"].append([loc, t, 5, s, int(a), span, float(rate[t][s][i])])
    for t in (2020, 2025):
        sheets["fert_rate_age_f"] += [[loc, t, 5, int(a), 5, float(F[i])] for i, a in enumerate(ages5) if F[i] > 0]
        sheets["srb"].append([loc, t, 5, c["srb"]])
R.save_expected(here, out, mutant, rows)
if not mutant:
    by_age = ["LocID", "time_start", "time_span", "sex", "age_start", "age_span", "value"]
    R.write_xlsx(os.path.join(here, "ccmpp_input.xlsx"), [
        ("pop_count_age_sex_base", by_age, sheets["pop_count_age_sex_base"]),
        ("fert_rate_age_f", ["LocID", "time_start", "time_span", "age_start", "age_span", "value"],
         sheets["fert_rate_age_f"]),
        ("srb", ["LocID", "time_start", "time_span", "value"], sheets["srb"]),
        ("life_table_age_sex", ["LocID", "indicator"] + by_age[1:], sheets["life_table_age_sex"]),
        ("mig_net_rate_age_sex", by_age, sheets["mig_net_rate_age_sex"])])
