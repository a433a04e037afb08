# SPDX-License-Identifier: Apache-2.0
"""Writes this case's tables and expected files from ccmppWPP's data set
data/kuwait_wpp_1950_2020_ccmpp_inputs_1x1.rda (Kuwait, WPP 2019 estimates: every input of the 1x1 loop on
0 … 100+) with ../outside14_reference.py (ccmppWPP 09739c8's loop and step). Never calls cohortgis.

    make_case.py [--ccmppwpp-git DIR] [--mutant DIR]

--mutant DIR: every table and an expected_components.csv whose net_migration are the given counts, not the
override's (must fail).
"""
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(here))
import outside14_reference as R  # noqa: E402

FIRST, WINDOW, LAST, W, ZONE = 1950, 1966, 1973, 100, "414"


def main():
    args, folder, (inp,) = R.case_inputs(here, "kuwait_wpp_1950_2020_ccmpp_inputs_1x1")
    lt, mp = inp["life_table_age_sex"], inp["mig_parameter"]
    years = range(FIRST, LAST)
    steps = []
    for t in years:
        assert R.one(mp, time_start=float(t), indicator="mig_type") == "counts"
        steps.append({"S": {s: R.by_age(lt, indicator="lt_Sx", time_start=float(t), sex=s) for s in R.SEXES},
                      "asfr": R.by_age(inp["fert_rate_age_f"], time_start=float(t)),
                      "srb": R.one(inp["srb"], time_start=float(t)), "mig_type": "counts",
                      "counts": {s: R.by_age(inp["mig_net_count_age_sex"], time_start=float(t), sex=s)
                                 for s in R.SEXES},
                      "mig_assumption": R.one(mp, time_start=float(t), indicator="mig_assumption")})
    base = {s: R.by_age(inp["pop_count_age_sex_base"], sex=s) for s in R.SEXES}
    run = R.loop(1, base, steps)  # 1950 → 1973 from the UN's base
    k0 = WINDOW - FIRST
    start = run[k0]["start"]  # the loop's population at time_start 1966: this case's base
    window = run[k0:]
    overridden = sum(M != C for r, st in zip(window, steps[k0:]) for s in R.SEXES
                     for M, C in zip(r["migrants"][s], st["counts"][s]))
    floored = sum(f > 0 for r in window for s in R.SEXES for f in r["floor"][s])
    assert overridden >= 40 and floored >= 8, (overridden, floored)
    print("1966-1972: %d cells overridden, %d floored" % (overridden, floored))

    head = ["time_start", "time_span", "sex", "age_start", "age_span", "value"]
    span = lambda a: 1000.0 if a == W else 1.0  # noqa: E731
    ts = range(WINDOW, LAST)
    R.write_csv(folder, "pop_count_age_sex_base.csv", head,
                [[float(WINDOW), 0.0, s, float(a), span(a), start[s][a]] for s in R.SEXES for a in range(W + 1)])
    R.write_csv(folder, "life_table_age_sex.csv", ["indicator"] + head,
                [["lt_Sx", float(t), 1.0, s, float(a), span(a), steps[t - FIRST]["S"][s][a]]
                 for t in ts for s in R.SEXES for a in range(W + 1)])
    R.write_csv(folder, "fert_rate_age_f.csv", ["time_start", "time_span", "age_start", "age_span", "value"],
                [[float(t), 1.0, float(a), span(a), steps[t - FIRST]["asfr"][a]] for t in ts for a in range(W + 1)
                 if steps[t - FIRST]["asfr"][a] != 0.0])
    R.write_csv(folder, "srb.csv", ["time_start", "time_span", "value"],
                [[float(t), 1.0, steps[t - FIRST]["srb"]] for t in ts])
    R.write_csv(folder, "mig_net_count_age_sex.csv", head,
                [[float(t), 1.0, s, float(a), span(a), steps[t - FIRST]["counts"][s][a]] for t in ts
                 for s in R.SEXES for a in range(W + 1)])
    assert all(steps[t - FIRST]["mig_assumption"] == "end" for t in ts)
    R.write_csv(folder, "expected.csv", ["variant", "year", "zone", "group", "sex", "age", "population"],
                [["baseline", WINDOW, ZONE, "total", s, a, start[s][a]] for s in R.SEXES for a in range(W + 1)] +
                [["baseline", t + 1, ZONE, "total", s, a, window[t - WINDOW]["population"][s][a]]
                 for t in ts for s in R.SEXES for a in range(W + 1)])
    comp = []
    for t in ts:
        r = window[t - WINDOW]
        for s in R.SEXES:
            comp.append(["baseline", t + 1, ZONE, "total", s, "", "births", r["births"][s]])
            mig = steps[t - FIRST]["counts"][s] if args.mutant else r["migrants"][s]
            for c, v in (("deaths", r["deaths"][s]), ("net_migration", mig), ("floor_adjustment", r["floor"][s])):
                comp += [["baseline", t + 1, ZONE, "total", s, a, c, x] for a, x in enumerate(v)
                         if c != "floor_adjustment" or x > 0]  # the floor's rows where it acted
    R.write_csv(folder, "expected_components.csv",
                ["variant", "period", "zone", "group", "sex", "age", "component", "persons"], comp)


if __name__ == "__main__":
    main()
