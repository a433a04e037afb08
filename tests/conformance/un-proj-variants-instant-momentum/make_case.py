# SPDX-License-Identifier: Apache-2.0
"""Writes the tables and expected.csv of un-proj-variants-instant-momentum from ../outside11_reference.py (the UN's
ccmpp_input_file_proj_variants and projection loop re-done in Python; never calls cohortgis).

    /usr/bin/python3 make_case.py            # the case
    /usr/bin/python3 make_case.py --mutant D # expected.csv with the medium lx in momentum's factor (must fail)
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import outside11_reference as r  # noqa: E402

ESTIMATE_YEAR = 2019           # the estimates' last year: first projection time_start - 1 (proj_variants 811, 850)
YEARS = [2020, 2021, 2022]     # projection time_starts (steps 2020 -> 2023)
TFR = {2019: 1.71, 2020: 1.64, 2021: 1.6, 2022: 1.58}
SRB = {2020: 1.06, 2021: 1.055, 2022: 1.05}
TIMING = {2020: "even", 2021: "even", 2022: "end"}


def main(out_dir, mutant=False):
    lt = {}
    for y in [ESTIMATE_YEAR] + YEARS:
        for s in r.SEXES:
            mx = r.mx_schedule(s, y)
            lx, Lx = r.single_life_table(mx)
            lt[y, s] = {"lt_nMx": mx, "lt_lx": lx, "lt_nLx": Lx, "lt_Sx": r.survival_ratios(Lx)}
    asfr = {y: r.asfr_schedule(y, TFR[y]) for y in TFR}
    P0 = r.base_population()
    mig = {}
    for y in YEARS:
        for s in r.SEXES:
            k = 1.0 if s == "female" else 1.1
            m = [k * (60.0 + 900.0 * r.math.exp(-((x - 26 - (y - 2020)) / 7.0) ** 2)) - 40.0 for x in r.AGES]
            m[r.OPEN] = 0.0
            mig[y, s] = m
    mig[2021, "male"][110] = -50000.0  # empties the cell: the override leaves 0.00001 (loop 89-90)

    # the inputs as the UN's long files
    rows = []
    for (y, s), cols in sorted(lt.items()):
        for ind in ("lt_nMx", "lt_lx", "lt_nLx", "lt_Sx"):
            for x in r.AGES:
                rows.append([y, 1, s, x, 1000 if x == r.OPEN else 1, ind, repr(cols[ind][x])])
    for y in [ESTIMATE_YEAR] + YEARS:  # the UN's "both" rows, which the filter must drop
        for x in r.AGES:
            rows.append([y, 1, "both", x, 1000 if x == r.OPEN else 1, "lt_Sx",
                         repr((lt[y, "female"]["lt_Sx"][x] + lt[y, "male"]["lt_Sx"][x]) / 2)])
    r.write_csv(os.path.join(out_dir, "life_table_age_sex.csv"),
                ["time_start", "time_span", "sex", "age_start", "age_span", "indicator", "value"], rows)
    r.write_csv(os.path.join(out_dir, "pop_count_age_sex_base.csv"),
                ["time_start", "time_span", "sex", "age_start", "age_span", "value"],
                [[2020, 0, s, x, 1000 if x == r.OPEN else 1, repr(P0[s][x])] for s in r.SEXES for x in r.AGES])
    r.write_csv(os.path.join(out_dir, "fert_rate_age_f.csv"),
                ["time_start", "time_span", "age_start", "age_span", "value"],
                [[y, 1, x, 1000 if x == r.OPEN else 1, repr(asfr[y][x])] for y in YEARS for x in r.AGES])
    r.write_csv(os.path.join(out_dir, "fert_rate_age_1x1_estimates.csv"),
                ["time_start", "time_span", "age_start", "age_span", "value"],
                [[ESTIMATE_YEAR, 1, x, 1000 if x == r.OPEN else 1, repr(asfr[ESTIMATE_YEAR][x])] for x in r.AGES])
    r.write_csv(os.path.join(out_dir, "srb.csv"), ["time_start", "time_span", "value"],
                [[y, 1, repr(SRB[y])] for y in YEARS])
    r.write_csv(os.path.join(out_dir, "mig_net_count_age_sex.csv"),
                ["time_start", "time_span", "sex", "age_start", "age_span", "value"],
                [[y, 1, s, x, 1000 if x == r.OPEN else 1, repr(mig[y, s][x])]
                 for y in YEARS for s in r.SEXES for x in r.AGES])

    zero = [0.0] * (r.OPEN + 1)

    def inputs(fert, life, migrate):
        def at(y):
            S = {s: lt[life(y), s]["lt_Sx"] for s in r.SEXES}
            M = {s: (mig[y, s] if migrate else zero) for s in r.SEXES}
            return S, fert(y), SRB[y], M
        return at

    def run(fert, life, migrate):
        out, P = {2020: P0}, P0
        for y in YEARS:
            S, F, srb, M = inputs(fert, life, migrate)(y)
            P = r.un_step(P, S, F, srb, M, TIMING[y])
            out[y + 1] = P
        return out

    medium_life = lambda y: y  # noqa: E731
    constant_life = lambda y: ESTIMATE_YEAR  # noqa: E731  proj_variants 850-863
    # instant replacement (821-843): medium ASFR x factor from the medium female lx and the medium SRB
    instant = {y: r.replacement_factor(lt[y, "female"]["lt_lx"], asfr[y], SRB[y]) for y in YEARS}
    # momentum (867-889): the same with the constant-mortality lx (the 2019 table relabelled y)
    momentum_lx_year = (lambda y: y) if mutant else constant_life
    momentum = {y: r.replacement_factor(lt[momentum_lx_year(y), "female"]["lt_lx"], asfr[y], SRB[y])
                for y in YEARS}
    runs = [
        ("baseline", run(lambda y: asfr[y], medium_life, True)),
        ("constant-fertility", run(lambda y: asfr[ESTIMATE_YEAR], medium_life, True)),  # 809-817
        ("constant-mortality", run(lambda y: asfr[y], constant_life, True)),
        ("instant-replacement", run(lambda y: [f * instant[y] for f in asfr[y]], medium_life, True)),
        ("momentum", run(lambda y: [f * momentum[y] for f in asfr[y]], constant_life, False)),  # 950
    ]
    r.write_expected(os.path.join(out_dir, "expected.csv"), runs)
    # the TFR paths of the scenario: the UN's TFR of time_start Y times the factor, keyed at Y + 1
    for name, factor in (("instant-replacement", instant), ("momentum", momentum)):
        print(name, "tfr = {", ", ".join(f'"{y + 1}" = {TFR[y] * factor[y]!r}' for y in YEARS), "}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--mutant":
        os.makedirs(sys.argv[2], exist_ok=True)
        main(sys.argv[2], mutant=True)
    else:
        main(HERE)
