# SPDX-License-Identifier: Apache-2.0
"""Writes the tables and expected.csv of un-interp-linear-mx-asfr from ../outside11_reference.py: inputs given at
2020 and 2025 only, interpolated to each year by DemoTools' interp(method = "linear") (ASFR, death rates, net
migrant counts, SRB), the life tables made by lt_single_mx (AK a0) from the interpolated rates, projected by
ccmppWPP's loop. Never calls cohortgis.

    /usr/bin/python3 make_case.py            # the case
    /usr/bin/python3 make_case.py --mutant D # expected.csv from the interpolated Sx instead of the rates (must fail)
"""
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import outside11_reference as r  # noqa: E402

GIVEN = [2020, 2025]
YEARS = [2020, 2021, 2022, 2023, 2024]
TFR = {2020: 2.6, 2025: 2.1}
SRB = {2020: 1.07, 2025: 1.05}


def mx_of(sex, year):
    """Rates falling faster at older ages between the two given years (so rates and survival ratios interpolate
    apart)."""
    t = (year - 2020) / 5.0
    return [m * math.exp(-t * (0.1 + 0.25 * x / 130.0)) for x, m in enumerate(r.mx_schedule(sex, 2019))]


def main(out_dir, mutant=False):
    mx = {(y, s): mx_of(s, y) for y in GIVEN for s in r.SEXES}
    asfr = {y: r.asfr_schedule(y, TFR[y]) for y in GIVEN}
    asfr[2025] = [0.0] * 3 + asfr[2025][:-3]  # a later schedule: interpolation in age-specific rates, not in shape
    mig = {}
    for y in GIVEN:
        for s in r.SEXES:
            c = 27 if y == 2020 else 32
            mig[y, s] = [(1.0 if y == 2020 else -0.5) * 400.0 * math.exp(-((x - c) / 8.0) ** 2) for x in r.AGES]
    P0 = r.base_population()

    out, P = {2020: P0}, P0
    for y in YEARS:
        F = r.interp_linear(GIVEN, [asfr[g] for g in GIVEN], y)
        srb = r.interp_linear(GIVEN, [[SRB[g]] for g in GIVEN], y)[0]
        S, M = {}, {}
        for s in r.SEXES:
            if mutant:  # survival ratios interpolated instead of the rates
                ends = [r.survival_ratios(r.lt_single_mx(mx[g, s], s, r.a0_andreev_kingkade)[1]) for g in GIVEN]
                S[s] = r.interp_linear(GIVEN, ends, y)
            else:
                m = r.interp_linear(GIVEN, [mx[g, s] for g in GIVEN], y)
                S[s] = r.survival_ratios(r.lt_single_mx(m, s, r.a0_andreev_kingkade)[1])
            M[s] = r.interp_linear(GIVEN, [mig[g, s] for g in GIVEN], y)
        P = r.un_step(P, S, F, srb, M, "even")
        out[y + 1] = P
    r.write_expected(os.path.join(out_dir, "expected.csv"), [("baseline", out)])

    r.write_csv(os.path.join(out_dir, "life_table_age_sex.csv"),
                ["indicator", "time_start", "sex", "age_start", "value"],
                [["lt_nMx", y, s, x, repr(mx[y, s][x])] for y in GIVEN for s in r.SEXES for x in r.AGES])
    r.write_csv(os.path.join(out_dir, "pop_count_age_sex_base.csv"), ["sex", "age_start", "value"],
                [[s, x, repr(P0[s][x])] for s in r.SEXES for x in r.AGES])
    r.write_csv(os.path.join(out_dir, "fert_rate_age_f.csv"), ["time_start", "age_start", "value"],
                [[y, x, repr(asfr[y][x])] for y in GIVEN for x in r.AGES])
    r.write_csv(os.path.join(out_dir, "srb.csv"), ["time_start", "value"], [[y, repr(SRB[y])] for y in GIVEN])
    r.write_csv(os.path.join(out_dir, "mig_net_count_age_sex.csv"), ["time_start", "sex", "age_start", "value"],
                [[y, s, x, repr(mig[y, s][x])] for y in GIVEN for s in r.SEXES for x in r.AGES])


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--mutant":
        os.makedirs(sys.argv[2], exist_ok=True)
        main(sys.argv[2], mutant=True)
    else:
        main(HERE)
