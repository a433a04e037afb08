# SPDX-License-Identifier: Apache-2.0
"""Writes this case's tables and expected files from ccmppWPP's data set
data/kuwait_wpp_1950_2020_ccmpp_inputs_1x1.rda: the loop (../outside14_reference.py, ccmppWPP 09739c8) from the
UN's 1950 base with the data set's own mig_parameter (counts, end) to time_start 1988 (this case's base), then the
32 steps 1988–2019 with `mig_type` "rates" and the data set's mig_net_rate_age_sex of each year as ccmppWPP reads
them (M = r · P for every rate, then the override; rates from −2.88 to 4.44, 553 below −1 and 688 above 1 over these
years), as cohortgis reads them since round 26: every rate as it is. Never calls cohortgis.

    make_case.py [--ccmppwpp-git DIR] [--mutant DIR]

--mutant DIR: every table and an expected.csv computed with the rates above 1 taken as 1 (must fail).
"""
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(here))
import outside14_reference as R  # noqa: E402

FIRST, YEAR, LAST, W, ZONE = 1950, 1988, 2019, 100, "414"


def main():
    args, folder, (inp,) = R.case_inputs(here, "kuwait_wpp_1950_2020_ccmpp_inputs_1x1")
    lt, mp = inp["life_table_age_sex"], inp["mig_parameter"]

    def inputs(t):
        return {"S": {s: R.by_age(lt, indicator="lt_Sx", time_start=float(t), sex=s) for s in R.SEXES},
                "asfr": R.by_age(inp["fert_rate_age_f"], time_start=float(t)),
                "srb": R.one(inp["srb"], time_start=float(t)),
                "counts": {s: R.by_age(inp["mig_net_count_age_sex"], time_start=float(t), sex=s) for s in R.SEXES},
                "rates": {s: R.by_age(inp["mig_net_rate_age_sex"], time_start=float(t), sex=s) for s in R.SEXES},
                "mig_type": R.one(mp, time_start=float(t), indicator="mig_type"),
                "mig_assumption": R.one(mp, time_start=float(t), indicator="mig_assumption")}
    before = [inputs(t) for t in range(FIRST, YEAR)]
    base = {s: R.by_age(inp["pop_count_age_sex_base"], sex=s) for s in R.SEXES}
    P = R.loop(1, base, before)[-1]["population"]  # the loop's population at time_start 1988
    steps = [dict(inputs(t), mig_type="rates") for t in range(YEAR, LAST + 1)]
    below = sum(r < -1 for st in steps for s in R.SEXES for r in st["rates"][s])
    above = sum(r > 1 for st in steps for s in R.SEXES for r in st["rates"][s])
    assert below == 553 and above == 688, (below, above)
    # The mutant's expected values: the rates above 1 taken as 1 (the tables keep the real ones).
    clamp = lambda st: dict(st, rates={s: [min(x, 1.0) for x in st["rates"][s]] for s in R.SEXES})  # noqa: E731
    results = R.loop(1, P, [clamp(st) for st in steps] if args.mutant else steps)

    span = lambda a: 1000.0 if a == W else 1.0  # noqa: E731
    head = ["time_start", "time_span", "sex", "age_start", "age_span", "value"]
    R.write_csv(folder, "pop_count_age_sex_base.csv", head,
                [[float(YEAR), 0.0, s, float(a), span(a), P[s][a]] for s in R.SEXES for a in range(W + 1)])
    years = range(YEAR, LAST + 1)
    R.write_csv(folder, "life_table_age_sex.csv", ["indicator"] + head,
                [["lt_Sx", float(t), 1.0, s, float(a), span(a), st["S"][s][a]] for t, st in zip(years, steps)
                 for s in R.SEXES for a in range(W + 1)])
    R.write_csv(folder, "fert_rate_age_f.csv", ["time_start", "time_span", "age_start", "age_span", "value"],
                [[float(t), 1.0, float(a), span(a), x] for t, st in zip(years, steps) for a, x in enumerate(st["asfr"])
                 if x != 0.0])
    R.write_csv(folder, "srb.csv", ["time_start", "time_span", "value"],
                [[float(t), 1.0, st["srb"]] for t, st in zip(years, steps)])
    R.write_csv(folder, "mig_net_rate_age_sex.csv", head,
                [[float(t), 1.0, s, float(a), span(a), x] for t, st in zip(years, steps) for s in R.SEXES
                 for a, x in enumerate(st["rates"][s])])
    R.write_csv(folder, "expected.csv", ["variant", "year", "zone", "group", "sex", "age", "population"],
                [["baseline", t + 1, ZONE, "total", s, a, r["population"][s][a]] for t, r in zip(years, results)
                 for s in R.SEXES for a in range(W + 1)])
    comp = []
    for t, r in zip(years, results):
        for s in R.SEXES:
            comp += [["baseline", t + 1, ZONE, "total", s, a, "net_migration", x]
                     for a, x in enumerate(r["migrants"][s])]
            comp += [["baseline", t + 1, ZONE, "total", s, a, "floor_adjustment", x]
                     for a, x in enumerate(r["floor"][s]) if x > 0]
    R.write_csv(folder, "expected_components.csv",
                ["variant", "period", "zone", "group", "sex", "age", "component", "persons"], comp)


if __name__ == "__main__":
    main()
