# SPDX-License-Identifier: Apache-2.0
"""Writes this case's tables and expected files from ccmppWPP's Canada example output
(data/wpp_output_example.rda: `ccmppWPP_workflow_one_country_variant(wpp_input = wpp_input_example)`, data.R:71-78)
and its inputs (data/wpp_input_example.rda): the UN's output tables as the workflow returns them (long, "both"
rows included), cut to the years this case reads. The expected numbers are the stored ones. Never calls cohortgis.

    make_case.py [--ccmppwpp-git DIR] [--mutant DIR]

--mutant DIR: every table and an expected.csv of the populations one year later (must fail).
"""
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(here))
import outside14_reference as R  # noqa: E402

FIRST, LAST, W, ZONE = 2015, 2020, 100, "124"


def main():
    args, folder, (inp, out) = R.case_inputs(here, "wpp_input_example", "wpp_output_example")
    years = range(FIRST, LAST)

    def rows_of(frame, columns, keep):
        return [[frame[c][i] for c in columns] for i in range(len(frame["value"])) if keep(i)]

    pop, lt = out["pop_count_age_sex_1x1"], out["lt_complete_age_sex"]
    cols = ["time_start", "time_span", "sex", "age_start", "age_span", "value"]
    # the output's population, every sex ("both" too) of 2014 … 2016: the base is filtered out of it
    R.write_csv(folder, "pop_count_age_sex_1x1.csv", cols,
                rows_of(pop, cols, lambda i: FIRST - 1 <= pop["time_start"][i] <= FIRST + 1))
    R.write_csv(folder, "lt_complete_age_sex.csv", ["indicator"] + cols,
                rows_of(lt, ["indicator"] + cols, lambda i: FIRST <= lt["time_start"][i] < LAST and
                        lt["indicator"][i] in ("lt_nLx", "lt_Sx")))
    fr = inp["fert_rate_age_f"]
    R.write_csv(folder, "fert_rate_age_f.csv", cols[:2] + cols[3:],
                rows_of(fr, cols[:2] + cols[3:], lambda i: FIRST <= fr["time_start"][i] < LAST and fr["value"][i] != 0))
    R.write_csv(folder, "srb.csv", ["time_start", "time_span", "value"],
                rows_of(inp["srb"], ["time_start", "time_span", "value"],
                        lambda i: FIRST <= inp["srb"]["time_start"][i] < LAST))
    mig = inp["mig_net_count_age_sex"]
    R.write_csv(folder, "mig_net_count_age_sex.csv", cols,
                rows_of(mig, cols, lambda i: FIRST <= mig["time_start"][i] < LAST))
    shift = 1 if args.mutant else 0
    variants = ("baseline", "sx")
    R.write_csv(folder, "expected.csv", ["variant", "year", "zone", "group", "sex", "age", "population"],
                [[v, y, ZONE, "total", s, a, R.by_age(pop, time_start=float(min(y + shift, LAST)), sex=s)[a]]
                 for v in variants for y in range(FIRST, LAST + 1) for s in R.SEXES for a in range(W + 1)
                 if v == "baseline" or y == LAST])
    ind = []
    for v in variants:
        for t in years:
            e0 = [R.by_age(lt, indicator="lt_ex", time_start=float(t), sex=s)[0] for s in R.SEXES]
            if v == "sx":
                e0 = ["", ""]
            ind += [[v, t + 1, ZONE, "total", k, x] for k, x in (
                ("population", R.one(out["pop_count_tot_sex"], time_start=float(t + 1), sex="both")),
                ("births", R.one(out["birth_count_tot_sex"], time_start=float(t), sex="both")),
                ("deaths", R.one(out["death_count_tot_sex"], time_start=float(t), sex="both")),
                ("tfr", R.one(out["fert_rate_tot_f"], time_start=float(t))),
                ("mean_age_childbearing", R.one(out["fert_mean_age_f"], time_start=float(t))),
                ("e0_female", e0[0]), ("e0_male", e0[1]))]
    R.write_csv(folder, "expected_indicators.csv", ["variant", "year", "zone", "group", "indicator", "value"], ind)


if __name__ == "__main__":
    main()
