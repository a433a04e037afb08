# SPDX-License-Identifier: Apache-2.0
"""Writes the tables and expected.csv of un-estimates-then-medium-one-run from ../outside11_reference.py: the UN's two
stages — the estimates from the workbook (Base_Year 2017 to Projection_First_Year 2020, ccmppWPP_input_file_estimates)
and the medium variant from the estimates' population at 2020 (ccmppWPP_input_file_medium line 439) — as one
projection. Never calls cohortgis.

    /usr/bin/python3 make_case.py            # the case
    /usr/bin/python3 make_case.py --mutant D # expected.csv with the workbook's 2019 net rates applied (must fail)
"""
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import outside11_reference as r  # noqa: E402

BASE_YEAR, FIRST_PROJECTION, LAST_PROJECTION = 2017, 2020, 2021
ESTIMATES = [2017, 2018, 2019]
MEDIUM = [2020, 2021]
WORKBOOK_YEARS = [2015, 2016] + ESTIMATES  # the workbook's sheets also hold years before Base_Year
TFR = {2015: 2.3, 2016: 2.25, 2017: 2.2, 2018: 2.1, 2019: 2.05, 2020: 2.0, 2021: 1.95}
SRB = {y: 1.05 + 0.002 * (y - 2015) for y in TFR}
# the estimates' mig_parameter (workbook sheet) and the medium's (counts, end: ccmppWPP_input_file_medium 667-670)
MIG_TYPE = {2015: "counts", 2016: "counts", 2017: "counts", 2018: "counts", 2019: "rates", 2020: "counts",
            2021: "counts"}
MIG_ASSUMPTION = {2015: "even", 2016: "even", 2017: "even", 2018: "end", 2019: "even", 2020: "end", 2021: "end"}


def main(out_dir, mutant=False):
    years = sorted(TFR)
    lt = {(y, s): r.survival_ratios(r.single_life_table(r.mx_schedule(s, y))[1]) for y in years for s in r.SEXES}
    asfr = {y: r.asfr_schedule(y, TFR[y]) for y in years}
    P0 = r.base_population()
    counts = {}
    for y in years:
        for s in r.SEXES:
            m = [(1.0 if s == "female" else 1.2) * 500.0 * math.exp(-((x - 25) / 8.0) ** 2) - 30.0 for x in r.AGES]
            m[r.OPEN] = 0.0
            counts[y, s] = m if MIG_TYPE[y] == "counts" else [0.0] * (r.OPEN + 1)
    workbook_rates = {(y, s): [0.004 * math.exp(-((x - 30) / 10.0) ** 2) for x in r.AGES]
                      for y in WORKBOOK_YEARS for s in r.SEXES}

    def migrants(y, P):
        if MIG_TYPE[y] == "counts":
            return {s: counts[y, s] for s in r.SEXES}
        # "rates": ccmppWPP_input_file_estimates lines 89-91 replace the workbook's rates by 0 (placeholder)
        rates = workbook_rates if mutant else {k: [0.0] * (r.OPEN + 1) for k in workbook_rates}
        return {s: [rates[y, s][x] * P[s][x] for x in r.AGES] for s in r.SEXES}  # loop 69-78: r * P

    out, P = {BASE_YEAR: P0}, P0
    for y in ESTIMATES + MEDIUM:  # the medium base is the estimates' 2020 population (medium line 439)
        P = r.un_step(P, {s: lt[y, s] for s in r.SEXES}, asfr[y], SRB[y], migrants(y, P), MIG_ASSUMPTION[y])
        out[y + 1] = P
    r.write_expected(os.path.join(out_dir, "expected.csv"), [("baseline", out)])

    r.write_csv(os.path.join(out_dir, "life_table_age_sex.csv"),
                ["indicator", "time_start", "time_span", "sex", "age_start", "age_span", "value"],
                [["lt_Sx", y, 1, s, x, 1000 if x == r.OPEN else 1, repr(lt[y, s][x])]
                 for y in years for s in r.SEXES for x in r.AGES])
    r.write_csv(os.path.join(out_dir, "pop_count_age_sex_base.csv"),
                ["time_start", "time_span", "sex", "age_start", "age_span", "value"],
                [[BASE_YEAR, 0, s, x, 1000 if x == r.OPEN else 1, repr(P0[s][x])] for s in r.SEXES for x in r.AGES])
    r.write_csv(os.path.join(out_dir, "fert_rate_age_f.csv"),
                ["time_start", "time_span", "age_start", "age_span", "value"],
                [[y, 1, x, 1000 if x == r.OPEN else 1, repr(asfr[y][x])] for y in years for x in r.AGES])
    r.write_csv(os.path.join(out_dir, "srb.csv"), ["time_start", "time_span", "value"],
                [[y, 1, repr(SRB[y])] for y in years])
    r.write_csv(os.path.join(out_dir, "mig_net_count_age_sex.csv"),
                ["time_start", "time_span", "sex", "age_start", "age_span", "value"],
                [[y, 1, s, x, 1000 if x == r.OPEN else 1, repr(counts[y, s][x])]
                 for y in years for s in r.SEXES for x in r.AGES])
    r.write_csv(os.path.join(out_dir, "mig_net_rate_age_sex.csv"),  # the workbook sheet ccmppWPP does not read
                ["time_start", "time_span", "sex", "age_start", "age_span", "value"],
                [[y, 1, s, x, 1000 if x == r.OPEN else 1, repr(workbook_rates[y, s][x])]
                 for y in WORKBOOK_YEARS for s in r.SEXES for x in r.AGES])
    r.write_csv(os.path.join(out_dir, "mig_parameter.csv"), ["indicator", "time_start", "time_span", "value"],
                [["mig_type", y, 1, MIG_TYPE[y]] for y in years] +
                [["mig_assumption", y, 1, MIG_ASSUMPTION[y]] for y in years])
    r.write_csv(os.path.join(out_dir, "parameters.csv"), ["parameter", "value"],
                [["Base Year", BASE_YEAR], ["Projection First Year", FIRST_PROJECTION],
                 ["Projection Last Year", LAST_PROJECTION], ["LocationID", 999], ["Location", "Country"]])


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--mutant":
        os.makedirs(sys.argv[2], exist_ok=True)
        main(sys.argv[2], mutant=True)
    else:
        main(HERE)
