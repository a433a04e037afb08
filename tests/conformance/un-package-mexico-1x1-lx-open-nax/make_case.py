# SPDX-License-Identifier: Apache-2.0
"""Writes this case's tables and expected files from ccmppWPP's data set
data/mexico_wpp_1950_2020_ccmpp_inputs_1x1.rda (Mexico, WPP 2019 estimates, single years 0 ... 100+; read with
../ccmppwpp_rda.py) and projects them with ../outside15_reference.py (ccmppWPP 09739c8's loop and step reading the
table's own lt_Sx, as R/project_ccmpp_loop_over_time.R:13 does). Never calls cohortgis.

    make_case.py [--ccmppwpp-git DIR] [--mutant DIR]

--mutant DIR: every table, but the open row's `mx` cell holding the table's lt_nMx instead of 1 / lt_nAx (the
person-years of 100+ then are l / lt_nMx, not the table's lt_nLx): `run_case.py --case DIR` must fail.
"""
import argparse
import os
import shutil
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(here))
import ccmppwpp_rda  # noqa: E402
import outside15_reference as R  # noqa: E402

FIRST, STEPS, W = 1950, 3, 100
ZONE = "484"  # Mexico's LocID
COLUMNS = ("lt_nAx", "lt_lx", "lt_nLx", "lt_Sx", "lt_ex", "lt_nMx")  # lt_nMx is read, not written


def cells(frame, **where):
    """The `value` cells of the rows matching `where`, by age_start 0 ... (which must all be there)."""
    rows = sorted((frame["age_start"][i], frame["value"][i]) for i in range(len(frame["value"]))
                  if all(frame[k][i] == v for k, v in where.items()))
    assert [a for a, _ in rows] == [float(a) for a in range(len(rows))], where
    return [v for _, v in rows]


def text(v):
    """repr of a float, a whole number without '.0' (as R's write.csv)."""
    if not isinstance(v, float):
        return str(v)
    return str(int(v)) if v == int(v) and abs(v) < 1e15 else repr(v)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ccmppwpp-git", default="/work/.mirror/markalava+ccmppWPP/repo")
    ap.add_argument("--mutant")
    args = ap.parse_args()
    blob = subprocess.run(["git", "--git-dir", args.ccmppwpp_git, "show",
                           "09739c8:data/mexico_wpp_1950_2020_ccmpp_inputs_1x1.rda"], check=True,
                          capture_output=True).stdout
    d = ccmppwpp_rda.read_list(blob)
    years = list(range(FIRST, FIRST + STEPS))
    mp = d["mig_parameter"]
    for i in range(len(mp["value"])):  # the data set's parameters: counts, end in every year
        if mp["time_start"][i] in years:
            assert mp["value"][i] == {"mig_type": "counts", "mig_assumption": "end"}[mp["indicator"][i]]
    lt = d["life_table_age_sex"]
    table = {t: {s: {c: cells(lt, indicator=c, time_start=float(t), sex=s) for c in COLUMNS} for s in R.SEXES}
             for t in years}
    for t in years:
        for s in R.SEXES:
            tb = table[t][s]  # the open row: L = l * nAx exactly, far from l / nMx (README.md)
            assert tb["lt_nLx"][W] == tb["lt_lx"][W] * tb["lt_nAx"][W]
            assert abs(tb["lt_nLx"][W] / (tb["lt_lx"][W] / tb["lt_nMx"][W]) - 1) > 0.2
    base = {s: cells(d["pop_count_age_sex_base"], sex=s) for s in R.SEXES}
    asfr = {t: cells(d["fert_rate_age_f"], time_start=float(t)) for t in years}
    srb = {t: [v for v, y in zip(d["srb"]["value"], d["srb"]["time_start"]) if y == t][0] for t in years}
    counts = {t: {s: cells(d["mig_net_count_age_sex"], time_start=float(t), sex=s) for s in R.SEXES} for t in years}
    steps = R.loop(base, [{"time_start": t, "tables": table[t], "asfr": asfr[t], "srb": srb[t],
                           "mig_type": "counts", "mig_assumption": "end", "counts": counts[t]} for t in years])

    def write(folder, name, header, rows):
        R.write_csv(os.path.join(folder, name), header, [[text(c) for c in r] for r in rows])

    pop, comp, ind = [], [], []
    for v in ("baseline", "sx"):
        pop += [[v, FIRST, ZONE, "total", s, a, base[s][a]] for s in R.SEXES for a in range(W + 1)]
        ind.append([v, FIRST, ZONE, "total", "population", sum(sum(base[s]) for s in R.SEXES)])
        for r in steps:
            t = r["time_start"]
            pop += [[v, t + 1, ZONE, "total", s, a, r["end"][s][a]] for s in R.SEXES for a in range(W + 1)]
            for s in R.SEXES if v == "baseline" else ():  # (the variant's components are the same)
                comp.append([v, t + 1, ZONE, "total", s, "", "births", r["births"][s]])
                comp += [[v, t + 1, ZONE, "total", s, a, "deaths", r["deaths"][s][a]] for a in range(W + 1)]
                comp += [[v, t + 1, ZONE, "total", s, a, "net_migration", r["migrants"][s][a]] for a in range(W + 1)
                         if r["migrants"][s][a]]
                comp += [[v, t + 1, ZONE, "total", s, a, "floor_adjustment", x] for a, x in enumerate(r["floor"][s])
                         if x]
            f, L = asfr[t], table[t]["female"]["lt_nLx"]
            ind += [[v, t + 1, ZONE, "total", "births", r["births"]["female"] + r["births"]["male"]],
                    [v, t + 1, ZONE, "total", "deaths", sum(sum(r["deaths"][s]) for s in R.SEXES)],
                    [v, t + 1, ZONE, "total", "net_migration", sum(sum(r["migrants"][s]) for s in R.SEXES)],
                    [v, t + 1, ZONE, "total", "population", sum(sum(r["end"][s]) for s in R.SEXES)],
                    [v, t + 1, ZONE, "total", "tfr", sum(f)],
                    # R/fert_helper_functions_wpp.R:94-113 (fert_gross), 54-73 (fert_mac), width 1
                    [v, t + 1, ZONE, "total", "grr", sum(x / (1 + srb[t]) for x in f)],
                    [v, t + 1, ZONE, "total", "mean_age_childbearing",
                     sum(x * (a + 0.5) for a, x in enumerate(f)) / sum(f)]]
            if v == "baseline":  # the stored lt_ex and fert_net (136-166): the table's own L over 100000
                nrr = sum(x / (1 + srb[t]) * L[a] / 100000 for a, x in enumerate(f))
                ind += [[v, t + 1, ZONE, "total", "nrr", nrr]]
                ind += [[v, t + 1, ZONE, "total", f"e{age}_{s}", table[t][s]["lt_ex"][age]]
                        for s in R.SEXES for age in (0, 65)]
            else:  # from survival ratios cohortgis has no life table (scenarios/README.md): empty
                ind += [[v, t + 1, ZONE, "total", name, ""] for name in ("nrr", "e0_female", "e0_male")]
    write(here, "expected.csv", ["variant", "year", "zone", "group", "sex", "age", "population"], pop)
    write(here, "expected_components.csv",
          ["variant", "period", "zone", "group", "sex", "age", "component", "persons"], comp)
    write(here, "expected_indicators.csv", ["variant", "year", "zone", "group", "indicator", "value"], ind)

    def tables(folder, open_mx):
        write(folder, "pop_count_age_sex_base.csv", ["time_start", "sex", "age_start", "value"],
              [[FIRST, s, a, base[s][a]] for s in R.SEXES for a in range(W + 1)])
        rows = []
        for t in years:
            for s in R.SEXES:
                tb = table[t][s]
                for a in range(W + 1):
                    mx = open_mx(tb) if a == W else tb["lt_nMx"][a]  # `mx` is read at the open row only
                    rows.append([t, s, a] + [tb[c][a] for c in COLUMNS[:-1]] + [mx])
        write(folder, "life_table_age_sex.csv", ["time_start", "sex", "age_start", *COLUMNS[:-1], "mx"], rows)
        write(folder, "fert_rate_age_f.csv", ["time_start", "age_start", "value"],
              [[t, a, asfr[t][a]] for t in years for a in range(W + 1) if 10 <= a <= 54])
        write(folder, "srb.csv", ["time_start", "value"], [[t, srb[t]] for t in years])
        write(folder, "mig_net_count_age_sex.csv", ["time_start", "sex", "age_start", "value"],
              [[t, s, a, counts[t][s][a]] for t in years for s in R.SEXES for a in range(W + 1)])

    tables(here, lambda tb: 1 / tb["lt_nAx"][W])
    if args.mutant:
        shutil.rmtree(args.mutant, ignore_errors=True)
        shutil.copytree(here, args.mutant, ignore=shutil.ignore_patterns("make_case.py", "__pycache__"))
        tables(args.mutant, lambda tb: tb["lt_nMx"][W])


if __name__ == "__main__":
    main()
