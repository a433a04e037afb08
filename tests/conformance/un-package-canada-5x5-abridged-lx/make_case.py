# SPDX-License-Identifier: Apache-2.0
"""Writes this case's tables and expected files from ccmppWPP's Canada example: its abridged life tables as the
workflow published them (data/wpp_output_example.rda `lt_abridged_age_sex`, DemoTools' `lt_single2abridged` of the
projected single-year tables, workflow lines 250-275), its five-year ASFR (`fert_rate_age_f_5x1`), SRB, base
population (data/wpp_input_example.rda, summed into five-year groups) and its single-year migrant counts summed
into each period's five-year groups. The projection is ccmppWPP 09739c8's step with z = 5
(../outside14_reference.py); e0 are the stored `lt_ex` at age 0. Never calls cohortgis.

    make_case.py [--ccmppwpp-git DIR] [--mutant DIR]

--mutant DIR: every table and an expected.csv projected with the survival ratios of the abridged rows taken by
the age at the start (row x → group x, not DemoTools' one row earlier; must fail).
"""
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(here))
import outside14_reference as R  # noqa: E402

PERIODS, W, ZONE = (1950, 1955), 100, "124"
ROWS = [0, 1] + list(range(5, W + 1, 5))  # abridged rows 0, 1, 5, …, 100+
GROUPS = list(range(0, W + 1, 5))


def five(single):
    """Single ages 0 … 100+ summed into the groups 0, 5, …, 95 and 100+."""
    return [sum(single[g:g + 5]) if g < W else single[W] for g in GROUPS]


def main():
    args, folder, (inp, out) = R.case_inputs(here, "wpp_input_example", "wpp_output_example")
    ab = out["lt_abridged_age_sex"]

    def abridged(ind, t, s):
        keys = sorted((ab["age_start"][i], ab["value"][i]) for i in R._rows(ab, ("indicator", "sex", "time_start"))
                      [(ind, s, float(t))])
        assert [int(a) for a, _ in keys] == ROWS, (ind, t, s)
        return [v for _, v in keys]

    lt = {(t, s): {k: abridged(k, t, s) for k in ("lt_lx", "lt_nAx", "lt_nMx", "lt_nLx", "lt_ex")}
          for t in PERIODS for s in R.SEXES}
    widths = [1, 4] + [5] * (len(ROWS) - 3) + [None]
    steps = []
    for t in PERIODS:
        S = {}
        for s in R.SEXES:
            g = lt[(t, s)]
            L, T, e = R.life_table_lx(g["lt_lx"], g["lt_nAx"], g["lt_nMx"][-1], widths)
            assert max(abs(a / b - 1) for a, b in zip(L, g["lt_nLx"])) < 1e-12  # the engine's L are the UN's nLx
            assert abs(e[0] / g["lt_ex"][0] - 1) < 1e-12
            S[s] = R.survival_from_abridged_L(g["lt_lx"][0], L)
            if args.mutant:
                S[s] = [g_ / l_ for g_, l_ in zip(L, [g["lt_lx"][0]] + L[:-1])][1:]
        fr = out["fert_rate_age_f_5x1"]
        asfr5 = [v for _, v in sorted((fr["age_start"][i], fr["value"][i]) for i in R._rows(fr, ("time_start",))
                                      [(float(t),)])]
        assert len(asfr5) == len(GROUPS)
        counts = {s: [0.0] * len(GROUPS) for s in R.SEXES}
        for y in range(t, t + 5):
            for s in R.SEXES:
                c = five(R.by_age(inp["mig_net_count_age_sex"], time_start=float(y), sex=s))
                counts[s] = [a + b for a, b in zip(counts[s], c)]
        steps.append({"S": S, "asfr": asfr5, "srb": R.one(inp["srb"], time_start=float(t)), "mig_type": "counts",
                      "counts": counts, "mig_assumption": "even" if t == 1950 else "end"})
    base = {s: five(R.by_age(inp["pop_count_age_sex_base"], sex=s)) for s in R.SEXES}
    run = R.loop(5, base, steps)

    span = lambda g: 1000.0 if g == W else 5.0  # noqa: E731
    head = ["time_start", "time_span", "sex", "age_start", "age_span", "value"]
    R.write_csv(folder, "pop_count_age_sex_base.csv", head,
                [[1950.0, 0.0, s, float(g), span(g), base[s][i]] for s in R.SEXES for i, g in enumerate(GROUPS)])
    R.write_csv(folder, "lt_abridged_age_sex.csv", ["time_start", "time_span", "sex", "age_start", "age_span",
                                                    "lt_lx", "lt_nAx", "lt_nMx", "lt_nLx"],
                [[float(t), 5.0, s, float(a), float(w or 1000), lt[(t, s)]["lt_lx"][i], lt[(t, s)]["lt_nAx"][i],
                  lt[(t, s)]["lt_nMx"][i], lt[(t, s)]["lt_nLx"][i]]
                 for t in PERIODS for s in R.SEXES for i, (a, w) in enumerate(zip(ROWS, widths))])
    R.write_csv(folder, "fert_rate_age_f.csv", ["time_start", "time_span", "age_start", "age_span", "value"],
                [[float(t), 5.0, float(g), span(g), st["asfr"][i]] for t, st in zip(PERIODS, steps)
                 for i, g in enumerate(GROUPS) if st["asfr"][i] != 0.0])
    R.write_csv(folder, "srb.csv", ["time_start", "time_span", "value"],
                [[float(t), 5.0, st["srb"]] for t, st in zip(PERIODS, steps)])
    R.write_csv(folder, "mig_net_count_age_sex.csv", head,
                [[float(t), 5.0, s, float(g), span(g), st["counts"][s][i]] for t, st in zip(PERIODS, steps)
                 for s in R.SEXES for i, g in enumerate(GROUPS)])
    R.write_csv(folder, "expected.csv", ["variant", "year", "zone", "group", "sex", "age", "population"],
                [["baseline", t + 5, ZONE, "total", s, g, r["population"][s][i]]
                 for t, r in zip(PERIODS, run) for s in R.SEXES for i, g in enumerate(GROUPS)])
    comp, ind = [], []
    for t, r, st in zip(PERIODS, run, steps):
        period = "%d-%d" % (t + 1, t + 5)
        for s in R.SEXES:
            comp.append(["baseline", period, ZONE, "total", s, "", "births", r["births"][s]])
            comp += [["baseline", period, ZONE, "total", s, g, "deaths", r["deaths"][s][i]]
                     for i, g in enumerate(GROUPS)]
        ind += [["baseline", t + 5, ZONE, "total", k, x] for k, x in (
            ("e0_female", lt[(t, "female")]["lt_ex"][0]), ("e0_male", lt[(t, "male")]["lt_ex"][0]),
            ("tfr", 5 * sum(st["asfr"])), ("mean_age_childbearing", R.fert_mac(st["asfr"], 5)),
            ("grr", R.fert_gross(st["asfr"], st["srb"], 5)))]
    R.write_csv(folder, "expected_components.csv",
                ["variant", "period", "zone", "group", "sex", "age", "component", "persons"], comp)
    R.write_csv(folder, "expected_indicators.csv", ["variant", "year", "zone", "group", "indicator", "value"], ind)


if __name__ == "__main__":
    main()
