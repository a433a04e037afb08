# SPDX-License-Identifier: Apache-2.0
"""Writes the case's tables and expected.csv (../outside8_reference.py; see README.md): the inputs of
../un-abridged-pas-midpoint-cd-north with the senescent rates rising to a plateau of 1 instead of 0.3, so that from
100-104 (men) and 105-109 (women) on 2.5 m > 1 and DemoTools' lt_id_ma_q takes q = 1 - exp(-5 m) with nax = 2.5 kept.
`--mutant DIR`: the same inputs with the expected values of the rule cohortgis had before (the constant-hazard nax
5 + 1/m - 5/(1 - exp(-5 m)) in those rows as well, so that d/L = m): `run_case.py --case DIR` must fail."""
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(here))
import numpy as np  # noqa: E402

import outside8_reference as R  # noqa: E402

out, mutant = R.case_folder(sys.argv, here)
if mutant:  # the old rule: where q would pass 1, the constant-hazard nax replaces the row's nax before L is made
    kept_nax_table = R._table

    def constant_hazard_nax_table(m, ax, n, radix):
        ax = ax.copy()
        with np.errstate(divide="ignore", invalid="ignore"):
            over = (n * m) / (1 + (n - ax) * m) > 1
        over[-1] = False
        ax[over] = n[over] + 1 / m[over] - n[over] / (1 - np.exp(-n[over] * m[over]))
        return kept_nax_table(m, ax, n, radix)

    R._table = constant_hazard_nax_table
z, years = 5, (2020, 2025, 2030)
ages = np.arange(0, 131, z)
level = {2020: 1.0, 2025: 0.92, 2030: 0.85}
lab = R.abridged_ages(28)
mx = {y: {s: R.abridged_mx(s, level[y], plateau=1.0)[1] for s in R.SEXES} for y in years}
shape = np.exp(-0.028 * ages) * (1 + 0.15 * np.sin(ages / 11.0))
pop = {"female": np.where(ages <= 100, 5120.25 * shape, 0.0), "male": np.where(ages <= 95, 5302.5 * shape, 0.0)}
asfr_ages = (15, 20, 25, 30, 35, 40, 45)
asfr = {2020: (0.011, 0.072, 0.118, 0.101, 0.052, 0.013, 0.0011), 2025: (0.010, 0.066, 0.112, 0.104, 0.057, 0.015,
                                                                          0.0012),
        2030: (0.009, 0.060, 0.108, 0.106, 0.061, 0.017, 0.0013)}
srb = {2020: 1.05, 2025: 1.062, 2030: 1.057}
timing = {2020: "even", 2025: "end", 2030: "even"}
mig = {y: {"female": 60.0 * np.exp(-((ages - 25) / 10.0) ** 2) - 8.0 * (ages == 0) * (y == 2025),
           "male": 75.0 * np.exp(-((ages - 28) / 11.0) ** 2) - 20.0 * np.exp(-((ages - 65) / 6.0) ** 2)}
       for y in years}

E = R.Expected()
for variant, rule, region in (("baseline", "cd", "n"), ("ak-west", "ak", "w")):
    P = {s: pop[s].copy() for s in R.SEXES}
    for y in years:
        S = {s: R.lt_abridged(mx[y][s], s, axmethod="pas", a0rule=rule, region=region)["Sx"] for s in R.SEXES}
        F = np.array([asfr[y][asfr_ages.index(a)] if a in asfr_ages else 0.0 for a in ages])
        P, _, _, _ = R.ccmpp_step(P, S, F, srb[y], mig[y], z, timing[y])
        E.add(variant, y + z, P, z)
E.write(out)
if mutant:
    R.copy_inputs(here, out)
else:
    R.write_csv("pop_count_age_sex_base.csv", ["time_start", "sex", "age_start", "value"],
                R.long_rows([2020], pop, ages))
    R.write_csv("life_table_age_sex.csv", ["time_start", "sex", "age_start", "indicator", "value"],
                [[y, s, int(a), "lt_nMx", float(mx[y][s][i])] for y in years for s in R.SEXES
                 for i, a in enumerate(lab)])
    R.write_csv("fert_rate_age_f.csv", ["time_start", "age_start", "value"],
                [[y, a, asfr[y][i]] for y in years for i, a in enumerate(asfr_ages)])
    R.write_csv("srb.csv", ["time_start", "value"], [[y, srb[y]] for y in years])
    R.write_csv("mig_net_count_age_sex.csv", ["time_start", "sex", "age_start", "value"], R.long_rows(years, mig, ages))
