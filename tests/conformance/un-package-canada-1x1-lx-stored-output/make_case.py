# SPDX-License-Identifier: Apache-2.0
"""Writes this case's tables and expected files from the data sets that ccmppWPP ships (see README.md):
data/wpp_input_example.rda (Canada, WPP 2019, the workflow's inputs) and data/wpp_output_example.rda (what
`ccmppWPP_workflow_one_country_variant(wpp_input = wpp_input_example)` returned, data.R:71-78). The expected
population, components and most indicators are the UN's stored numbers; grr and nrr follow
R/fert_helper_functions_wpp.R (`../outside14_reference.py`). Never calls cohortgis.

    make_case.py [--ccmppwpp-git DIR] [--mutant DIR]

DIR of --ccmppwpp-git: a clone of github.com/markalava/ccmppWPP holding commit 09739c8 (bare is fine).
--mutant DIR: every table and an expected_indicators.csv whose first e0_female is the lt_ex at age 1 (must fail).
"""
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(here))
import outside14_reference as R  # noqa: E402

FIRST, STEPS, W = 1950, 5, 100  # time_start 1950 … 1954: five annual steps; the example's grid is 0 … 100+
ZONE = "124"  # the example's attribute locid (Canada)
LT_COLUMNS = ("lt_nMx", "lt_nAx", "lt_nqx", "lt_lx", "lt_nLx", "lt_Sx", "lt_ex")


def main():
    args, folder, (inp, out) = R.case_inputs(here, "wpp_input_example", "wpp_output_example",
                                             copied=("scenario.toml",))
    years = list(range(FIRST, FIRST + STEPS))
    lt = out["lt_complete_age_sex"]  # the tables the workflow projected with (README.md: not the input's lt_Sx)
    table = {(t, s, ind): R.by_age(lt, indicator=ind, time_start=float(t), sex=s)
             for t in range(FIRST, 2020) for s in R.SEXES for ind in LT_COLUMNS}
    asfr = {t: R.by_age(inp["fert_rate_age_f"], time_start=float(t)) for t in range(FIRST, 2020)}
    srb = {t: R.one(inp["srb"], time_start=float(t)) for t in range(FIRST, 2020)}
    counts = {t: {s: R.by_age(inp["mig_net_count_age_sex"], time_start=float(t), sex=s) for s in R.SEXES}
              for t in range(FIRST, 2020)}
    for t in range(FIRST, 2020):
        assert R.one(inp["mig_parameter"], time_start=float(t), indicator="mig_type") == "counts"
        assert R.one(inp["mig_parameter"], time_start=float(t), indicator="mig_assumption") == "end"
    base = {s: R.by_age(inp["pop_count_age_sex_base"], sex=s) for s in R.SEXES}

    # Cross-check: ccmppWPP 09739c8's loop and step (outside14_reference.py) on these inputs reproduce all 70
    # stored years of pop_count_age_sex_1x1 (the example is older than the package's rounding of it, workflow
    # line 288), its cohort deaths, births and migrants.
    steps = [{"S": {s: table[(t, s, "lt_Sx")] for s in R.SEXES}, "asfr": asfr[t], "srb": srb[t],
              "mig_type": "counts", "counts": counts[t], "mig_assumption": "end"} for t in range(FIRST, 2020)]
    run = R.loop(1, base, steps)
    pop = out["pop_count_age_sex_1x1"]
    worst = 0.0
    for k, t in enumerate(range(FIRST, 2020)):
        for s in R.SEXES:
            stored = R.by_age(pop, time_start=float(t + 1), sex=s)
            worst = max(worst, max(abs(a - b) / max(abs(b), 1) for a, b in zip(run[k]["population"][s], stored)))
            stored = R.by_age(out["death_count_cohort_sex_1x1"], time_start=float(t), sex=s)
            worst = max(worst, max(abs(a - b) / max(abs(b), 1) for a, b in zip(run[k]["deaths"][s], stored)))
            b = R.one(out["birth_count_tot_sex"], time_start=float(t), sex=s)
            worst = max(worst, abs(run[k]["births"][s] - b) / b)
    assert worst < 1e-12, worst
    print("ccmppWPP's loop (outside14_reference.py) vs the stored output, 1951-2020: largest difference %.1e" % worst)

    # The UN's e65 is its table's ex at 65 = Tx / lx (DemoTools' lt_single_mx, which made these tables;
    # lt_helper_functions_wpp.R:81 takes lt_ex at 65 as lt_e65): T(65) the sum of lt_nLx from 65 on (the open row
    # holds T of 100+). cohortgis's e65 from person-years is that quotient (scenarios/README.md).
    for t in years:
        for s in R.SEXES:
            T65 = sum(table[(t, s, "lt_nLx")][65:])
            e65 = table[(t, s, "lt_ex")][65]
            assert abs(T65 / table[(t, s, "lt_lx")][65] - e65) / e65 < 1e-14, (t, s)

    head = ["time_start", "time_span", "sex", "age_start", "age_span", "value"]
    span = lambda a: 1000.0 if a == W else 1.0  # noqa: E731
    R.write_csv(folder, "pop_count_age_sex_base.csv", head,
          [[float(FIRST), 0.0, s, float(a), span(a), base[s][a]] for s in R.SEXES for a in range(W + 1)])
    R.write_csv(folder, "life_table_age_sex.csv", head[:5] + list(LT_COLUMNS[:-1]),
          [[float(t), 1.0, s, float(a), span(a)] + [table[(t, s, c)][a] for c in LT_COLUMNS[:-1]]
           for t in years for s in R.SEXES for a in range(W + 1)])
    R.write_csv(folder, "fert_rate_age_f.csv", ["time_start", "time_span", "age_start", "age_span", "value"],
          [[float(t), 1.0, float(a), span(a), asfr[t][a]] for t in years for a in range(W + 1)])
    R.write_csv(folder, "srb.csv", ["time_start", "time_span", "value"], [[float(t), 1.0, srb[t]] for t in years])
    R.write_csv(folder, "mig_net_count_age_sex.csv", head,
          [[float(t), 1.0, s, float(a), span(a), counts[t][s][a]] for t in years for s in R.SEXES
           for a in range(W + 1)])

    variants = ("baseline", "qx", "life-table", "sx")
    R.write_csv(folder, "expected.csv", ["variant", "year", "zone", "group", "sex", "age", "population"],
          [[v, y, ZONE, "total", s, a, R.by_age(pop, time_start=float(y), sex=s)[a]]
           for v in variants for y in range(FIRST, FIRST + STEPS + 1) for s in R.SEXES for a in range(W + 1)
           if v == "baseline" or y == FIRST + STEPS])  # the variants: the last year (a smaller file)
    comp = []
    for v in variants[:1]:  # components of the baseline (the variants' are the same numbers)
        for t in years:
            for s in R.SEXES:
                comp.append([v, t + 1, ZONE, "total", s, "", "births", R.one(out["birth_count_tot_sex"],
                                                                             time_start=float(t), sex=s)])
                for c, src in (("deaths", "death_count_cohort_sex_1x1"),
                               ("net_migration", "mig_net_count_age_sex_1x1")):
                    comp += [[v, t + 1, ZONE, "total", s, a, c, x]
                             for a, x in enumerate(R.by_age(out[src], time_start=float(t), sex=s))]
    R.write_csv(folder, "expected_components.csv", ["variant", "period", "zone", "group", "sex", "age", "component",
                                              "persons"], comp)
    ind = []
    for v in variants:
        for t in years:
            y = t + 1
            rows = [("births", R.one(out["birth_count_tot_sex"], time_start=float(t), sex="both")),
                    ("births_female", R.one(out["birth_count_tot_sex"], time_start=float(t), sex="female")),
                    ("births_male", R.one(out["birth_count_tot_sex"], time_start=float(t), sex="male")),
                    ("deaths", R.one(out["death_count_tot_sex"], time_start=float(t), sex="both")),
                    ("net_migration", R.one(out["mig_net_count_tot_sex"], time_start=float(t), sex="both")),
                    ("population", R.one(out["pop_count_tot_sex"], time_start=float(y), sex="both")),
                    ("population_female", R.one(out["pop_count_tot_sex"], time_start=float(y), sex="female")),
                    ("population_male", R.one(out["pop_count_tot_sex"], time_start=float(y), sex="male")),
                    ("tfr", R.one(out["fert_rate_tot_f"], time_start=float(t))),
                    ("srb_per_100_females", 100 * R.one(out["srb"], time_start=float(t))),
                    ("mean_age_childbearing", R.one(out["fert_mean_age_f"], time_start=float(t))),
                    ("grr", R.fert_gross(asfr[t], srb[t], 1))]
            life = [("e0_female", table[(t, "female", "lt_ex")][0]), ("e0_male", table[(t, "male", "lt_ex")][0]),
                    ("e65_female", table[(t, "female", "lt_ex")][65]), ("e65_male", table[(t, "male", "lt_ex")][65]),
                    ("nrr", R.fert_net(asfr[t], srb[t], table[(t, "female", "lt_nLx")], 1))]
            if v == "sx":  # survival ratios hold no life table: e0, e65 and nrr are empty (README.md)
                life = [(k, "") for k, _ in life]
            if args.mutant and v == "baseline" and t == FIRST:
                life[0] = ("e0_female", table[(t, "female", "lt_ex")][1])
            ind += [[v, y, ZONE, "total", k, x] for k, x in rows + life]
    R.write_csv(folder, "expected_indicators.csv", ["variant", "year", "zone", "group", "indicator", "value"], ind)


if __name__ == "__main__":
    main()
