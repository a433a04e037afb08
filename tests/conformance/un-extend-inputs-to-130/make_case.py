# SPDX-License-Identifier: Apache-2.0
"""Writes the tables and expected.csv of un-extend-inputs-to-130 from ../outside11_reference.py: inputs as a UN
analyst's workbook holds them before ccmppWPP_input_file_extend (ASFR on 15 ... 49 only, net migrant counts on
0 ... 100+), extended to 130 as that function does (rows of 0: R/ccmppWPP_input_file.R 302-322, 343-371), then
projected by the UN's loop. Never calls cohortgis.

    /usr/bin/python3 make_case.py            # the case
    /usr/bin/python3 make_case.py --mutant D # expected.csv with the 100+ migrants spread over 100 ... 130 (must fail)
"""
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import outside11_reference as r  # noqa: E402

YEARS = [2020, 2021, 2022]
TFR = {2020: 2.1, 2021: 2.05, 2022: 2.0}
SRB = {2020: 1.05, 2021: 1.05, 2022: 1.05}
MIG_OPEN = 100  # the workbook's migrant table ends with an open 100+ row


def main(out_dir, mutant=False):
    lt = {}
    for y in YEARS:
        for s in r.SEXES:
            lx, Lx = r.single_life_table(r.mx_schedule(s, y))
            lt[y, s] = {"lt_lx": lx, "lt_nLx": Lx, "lt_Sx": r.survival_ratios(Lx)}
    asfr = {y: r.asfr_schedule(y, TFR[y]) for y in YEARS}
    P0 = r.base_population()
    # the workbook's migrants by single age 0 ... 99 and 100+ (large, so that age 100's count matters)
    mig_in = {}
    for y in YEARS:
        for s in r.SEXES:
            m = [300.0 * math.exp(-((x - 28) / 9.0) ** 2) - 20.0 for x in range(MIG_OPEN)]
            m.append(-900.0 if s == "male" else 700.0)  # 100+
            mig_in[y, s] = m
    # ccmppWPP_input_file_extend 343-365: rows of 0 for ages 101 ... 130; the 100+ count stays at age 100
    mig = {}
    for key, m in mig_in.items():
        if mutant:  # what the extension does NOT do: spread 100+ over 100 ... 130
            mig[key] = m[:MIG_OPEN] + [m[MIG_OPEN] / 31.0] * 31
        else:
            mig[key] = m + [0.0] * (r.OPEN - MIG_OPEN)
    # ASFR ages 50 ... 130 likewise 0 (302-322); ages 0 ... 14 absent from the workbook are 0 in the loop's vector
    rows = []
    for (y, s), cols in sorted(lt.items()):
        for ind in ("lt_lx", "lt_nLx", "lt_Sx"):
            for x in r.AGES:
                rows.append([y, 1, s, x, 1000 if x == r.OPEN else 1, ind, repr(cols[ind][x])])
    r.write_csv(os.path.join(out_dir, "life_table_age_sex.csv"),
                ["time_start", "time_span", "sex", "age_start", "age_span", "indicator", "value"], rows)
    r.write_csv(os.path.join(out_dir, "pop_count_age_sex_base.csv"),
                ["time_start", "time_span", "sex", "age_start", "age_span", "value"],
                [[2020, 0, s, x, 1000 if x == r.OPEN else 1, repr(P0[s][x])] for s in r.SEXES for x in r.AGES])
    r.write_csv(os.path.join(out_dir, "fert_rate_age_f.csv"),
                ["time_start", "time_span", "age_start", "age_span", "value"],
                [[y, 1, x, 1, repr(asfr[y][x])] for y in YEARS for x in range(15, 50)])
    r.write_csv(os.path.join(out_dir, "srb.csv"), ["time_start", "time_span", "value"],
                [[y, 1, repr(SRB[y])] for y in YEARS])
    r.write_csv(os.path.join(out_dir, "mig_net_count_age_sex.csv"),
                ["time_start", "time_span", "sex", "age_start", "age_span", "value"],
                [[y, 1, s, x, 1000 if x == MIG_OPEN else 1, repr(mig_in[y, s][x])]
                 for y in YEARS for s in r.SEXES for x in range(MIG_OPEN + 1)])

    out, P = {2020: P0}, P0
    for y in YEARS:
        S = {s: lt[y, s]["lt_Sx"] for s in r.SEXES}
        P = r.un_step(P, S, asfr[y], SRB[y], {s: mig[y, s] for s in r.SEXES}, "even")
        out[y + 1] = P
    r.write_expected(os.path.join(out_dir, "expected.csv"), [("baseline", out)])


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--mutant":
        os.makedirs(sys.argv[2], exist_ok=True)
        main(sys.argv[2], mutant=True)
    else:
        main(HERE)
