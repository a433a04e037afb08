# SPDX-License-Identifier: Apache-2.0
"""Writes the tables and expected.csv of un-medium-mx-ak-constant-sx from ../outside11_reference.py: a country whose
MORT_PARAMS names a Coale-Demeny family (CD_West) projected as ccmppWPP_input_file_medium prepares its medium
variant (life tables from lt_nMx by DemoTools' lt_single_mx with its default a0 rule "ak", lines 612-620; net
counts with "end" in every year, lines 667-670), and its constant-mortality variant (the estimates' complete life
table of 2019, whose lt_Sx the loop reads: ccmppWPP_input_file_extend keeps a complete table as it is, lines
207-209; proj_variants 850-863). Never calls cohortgis.

    /usr/bin/python3 make_case.py            # the case
    /usr/bin/python3 make_case.py --mutant D # expected.csv with the medium tables' a0 by Coale-Demeny West (must fail)
"""
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import outside11_reference as r  # noqa: E402

YEARS = [2020, 2021, 2022]
TFR = {2020: 3.4, 2021: 3.3, 2022: 3.2}
SRB = {2020: 1.04, 2021: 1.04, 2022: 1.04}
LT_INDICATORS = ("lt_nMx", "lt_nAx", "lt_nqx", "lt_lx", "lt_ndx", "lt_nLx", "lt_Sx", "lt_Tx", "lt_ex")


def mx_high_child(sex, year):
    """Rates with m0 of 0.03-0.045: the AK rule's middle branch (0.0230 <= m0 < 0.08307 men, 0.01724 <= m0 < 0.06891
    women), where AK and CD West differ most."""
    base = r.mx_schedule(sex, year)
    t = year - 2019
    m0 = (0.045 if sex == "male" else 0.038) * math.exp(-0.04 * t)
    return [m0] + [m * (1.0 + 2.5 * math.exp(-0.5 * x)) for x, m in enumerate(base)][1:]


def full_table(mx, sex, rule):
    lx, Lx = r.lt_single_mx(mx, sex, rule)
    ax = [rule(mx[0], sex)] + [0.5] * r.OPEN
    dx = [lx[x] - (lx[x + 1] if x < r.OPEN else 0.0) for x in r.AGES]
    qx = [dx[x] / lx[x] for x in r.AGES]
    Tx = [sum(Lx[x:]) for x in r.AGES]
    return {"lt_nMx": mx, "lt_nAx": ax, "lt_nqx": qx, "lt_lx": lx, "lt_ndx": dx, "lt_nLx": Lx,
            "lt_Sx": r.survival_ratios(Lx), "lt_Tx": Tx, "lt_ex": [Tx[x] / lx[x] for x in r.AGES]}


def main(out_dir, mutant=False):
    medium_rule = r.a0_coale_demeny_west if mutant else r.a0_andreev_kingkade
    medium = {(y, s): full_table(mx_high_child(s, y), s, medium_rule) for y in YEARS for s in r.SEXES}
    estimates = {(2019, s): full_table(mx_high_child(s, 2019), s, r.a0_coale_demeny_west) for s in r.SEXES}
    asfr = {y: r.asfr_schedule(y, TFR[y]) for y in YEARS}
    P0 = r.base_population()
    mig = {}
    for y in YEARS:
        for s in r.SEXES:
            mig[y, s] = [-(150.0 * math.exp(-((x - 24) / 6.0) ** 2)) + 5.0 for x in r.AGES]
            mig[y, s][r.OPEN] = 0.0

    # the medium variant's input: lt_nMx rows (the scenario reads only these) beside the rest of its table
    r.write_csv(os.path.join(out_dir, "life_table_age_sex.csv"),
                ["indicator", "time_start", "time_span", "sex", "age_start", "age_span", "value"],
                [[ind, y, 1, s, x, 1000 if x == r.OPEN else 1,
                  repr(mx_high_child(s, y)[x] if ind == "lt_nMx" else medium[y, s][ind][x])]
                 for ind in LT_INDICATORS for (y, s) in sorted(medium) for x in r.AGES])
    r.write_csv(os.path.join(out_dir, "life_table_age_sex_estimates.csv"),
                ["indicator", "time_start", "time_span", "sex", "age_start", "age_span", "value"],
                [[ind, y, 1, s, x, 1000 if x == r.OPEN else 1, repr(estimates[y, s][ind][x])]
                 for ind in LT_INDICATORS for (y, s) in sorted(estimates) for x in r.AGES])
    r.write_csv(os.path.join(out_dir, "pop_count_age_sex_base.csv"),
                ["time_start", "time_span", "sex", "age_start", "age_span", "value"],
                [[2020, 0, s, x, 1000 if x == r.OPEN else 1, repr(P0[s][x])] for s in r.SEXES for x in r.AGES])
    r.write_csv(os.path.join(out_dir, "fert_rate_age_f.csv"),
                ["time_start", "time_span", "age_start", "age_span", "value"],
                [[y, 1, x, 1000 if x == r.OPEN else 1, repr(asfr[y][x])] for y in YEARS for x in r.AGES])
    r.write_csv(os.path.join(out_dir, "srb.csv"), ["time_start", "time_span", "value"],
                [[y, 1, repr(SRB[y])] for y in YEARS])
    r.write_csv(os.path.join(out_dir, "mig_net_count_age_sex.csv"),
                ["time_start", "time_span", "sex", "age_start", "age_span", "value"],
                [[y, 1, s, x, 1000 if x == r.OPEN else 1, repr(mig[y, s][x])]
                 for y in YEARS for s in r.SEXES for x in r.AGES])

    def run(table):
        out, P = {2020: P0}, P0
        for y in YEARS:
            S = {s: table(y, s)["lt_Sx"] for s in r.SEXES}
            P = r.un_step(P, S, asfr[y], SRB[y], {s: mig[y, s] for s in r.SEXES}, "end")
            out[y + 1] = P
        return out

    r.write_expected(os.path.join(out_dir, "expected.csv"), [
        ("baseline", run(lambda y, s: medium[y, s])),
        ("constant-mortality", run(lambda y, s: estimates[2019, s])),
    ])


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--mutant":
        os.makedirs(sys.argv[2], exist_ok=True)
        main(sys.argv[2], mutant=True)
    else:
        main(HERE)
