# SPDX-License-Identifier: Apache-2.0
"""Writes this case's tables and expected files from ccmppWPP's Canada example (data/wpp_input_example.rda: its
mig_net_rate_age_sex and mig_net_count_tot_b, which the example's own mig_parameter never selects; the life tables
the example's workflow projected with, data/wpp_output_example.rda) with ../outside14_reference.py (ccmppWPP
09739c8's loop and step, mig_type and mig_assumption changed by time_start). Never calls cohortgis.

    make_case.py [--ccmppwpp-git DIR] [--mutant DIR]

--mutant DIR: every table and an expected.csv projected with the female rates times the male population (the
loop before ccmppWPP's commit 4d84a0c; must fail).
"""
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(here))
import outside14_reference as R  # noqa: E402

FIRST, W, ZONE = 1950, 100, "124"
TYPES = {1950: ("rates", "even"), 1951: ("rates", "end"), 1952: ("totals", "even"), 1953: ("totals", "end"),
         1954: ("counts", "even")}


def main():
    args, folder, (inp, out) = R.case_inputs(here, "wpp_input_example", "wpp_output_example")
    lt = out["lt_complete_age_sex"]
    years = sorted(TYPES)
    rates = {t: {s: R.by_age(inp["mig_net_rate_age_sex"], time_start=float(t), sex=s) for s in R.SEXES} for t in years}
    counts = {t: {s: R.by_age(inp["mig_net_count_age_sex"], time_start=float(t), sex=s) for s in R.SEXES}
              for t in years}
    totals = {t: R.one(inp["mig_net_count_tot_b"], time_start=float(t)) for t in years}
    steps = [{"S": {s: R.by_age(lt, indicator="lt_Sx", time_start=float(t), sex=s) for s in R.SEXES},
              "asfr": R.by_age(inp["fert_rate_age_f"], time_start=float(t)),
              "srb": R.one(inp["srb"], time_start=float(t)), "mig_type": TYPES[t][0], "mig_assumption": TYPES[t][1],
              "counts": counts[t], "rates": rates[t], "total": totals[t]} for t in years]
    base = {s: R.by_age(inp["pop_count_age_sex_base"], sex=s) for s in R.SEXES}
    if args.mutant:  # ccmppWPP before 4d84a0c: mig_f <- mig_f * pop_m_start
        original = R.migrants

        def swapped(kind, P, counts=None, rates=None, total=None):
            M = original(kind, P, counts, rates, total)
            if kind == "rates":
                M["female"] = [r * p for r, p in zip(rates["female"], P["male"])]
            return M
        R.migrants = swapped
    run = R.loop(1, base, steps)

    head = ["time_start", "time_span", "sex", "age_start", "age_span", "value"]
    span = lambda a: 1000.0 if a == W else 1.0  # noqa: E731
    R.write_csv(folder, "pop_count_age_sex_base.csv", head,
                [[float(FIRST), 0.0, s, float(a), span(a), base[s][a]] for s in R.SEXES for a in range(W + 1)])
    R.write_csv(folder, "life_table_age_sex.csv", ["indicator"] + head,
                [["lt_Sx", float(t), 1.0, s, float(a), span(a), st["S"][s][a]]
                 for t, st in zip(years, steps) for s in R.SEXES for a in range(W + 1)])
    R.write_csv(folder, "fert_rate_age_f.csv", ["time_start", "time_span", "age_start", "age_span", "value"],
                [[float(t), 1.0, float(a), span(a), st["asfr"][a]] for t, st in zip(years, steps)
                 for a in range(W + 1) if st["asfr"][a] != 0.0])
    R.write_csv(folder, "srb.csv", ["time_start", "time_span", "value"],
                [[float(t), 1.0, st["srb"]] for t, st in zip(years, steps)])
    # every type's table has rows for every time_start, 0 in the years of the other types (README.md)
    R.write_csv(folder, "mig_net_rate_age_sex.csv", head,
                [[float(t), 1.0, s, float(a), span(a), rates[t][s][a] if TYPES[t][0] == "rates" else 0.0]
                 for t in years for s in R.SEXES for a in range(W + 1)])
    R.write_csv(folder, "mig_net_count_age_sex.csv", head,
                [[float(t), 1.0, s, float(a), span(a), counts[t][s][a] if TYPES[t][0] == "counts" else 0.0]
                 for t in years for s in R.SEXES for a in range(W + 1)])
    R.write_csv(folder, "mig_net_count_tot_b.csv", ["time_start", "time_span", "value"],
                [[float(t), 1.0, totals[t] if TYPES[t][0] == "totals" else 0.0] for t in years])
    R.write_csv(folder, "mig_parameter.csv", ["indicator", "time_start", "time_span", "value"],
                [[k, float(t), 1.0, TYPES[t][i]] for t in years for i, k in enumerate(("mig_type", "mig_assumption"))])
    R.write_csv(folder, "expected.csv", ["variant", "year", "zone", "group", "sex", "age", "population"],
                [["baseline", t + 1, ZONE, "total", s, a, r["population"][s][a]]
                 for t, r in zip(years, run) for s in R.SEXES for a in range(W + 1)])
    comp = []
    for t, r in zip(years, run):
        for s in R.SEXES:
            comp.append(["baseline", t + 1, ZONE, "total", s, "", "births", r["births"][s]])
            comp += [["baseline", t + 1, ZONE, "total", s, a, "net_migration", x]
                     for a, x in enumerate(r["migrants"][s])]
    R.write_csv(folder, "expected_components.csv",
                ["variant", "period", "zone", "group", "sex", "age", "component", "persons"], comp)
    R.write_csv(folder, "expected_indicators.csv", ["variant", "year", "zone", "group", "indicator", "value"],
                [["baseline", t + 1, ZONE, "total", "net_migration",
                  sum(sum(r["migrants"][s]) for s in R.SEXES)] for t, r in zip(years, run)])


if __name__ == "__main__":
    main()
