# SPDX-License-Identifier: Apache-2.0
"""A fourteenth outside author's reference (round 26), written from scenarios/README.md (the format only) and the
UN's R source, markalava/ccmppWPP at commit 09739c8 (20 April 2022; GPL (>= 3), copyright United Nations): the
arithmetic is re-expressed here, no R text is copied. Each function names the file and lines it follows. Plain
Python (no numpy), so that the order of the operations is the R code's, one cell at a time.

The `un-package-*` cases read the data sets that ccmppWPP ships (data/wpp_input_example.rda,
data/wpp_output_example.rda: Canada, WPP 2019, 1x1 on 0 … 100+; data/kuwait_wpp_1950_2020_ccmpp_inputs_1x1.rda)
with ccmppwpp_rda.py.
"""
import argparse
import os
import shutil
import subprocess

import ccmppwpp_rda

SEXES = ("female", "male")
OVERRIDE = 0.00001  # R/project_ccmpp_loop_over_time.R:89-90
FLOOR = 0.0005  # R/project_ccmpp_z_by_z.R:142-143
COMMIT = "09739c8"


def package_data(git_dir, name):
    """{table: {column: cells}} of ccmppWPP's data/<name>.rda at COMMIT, read from a clone (bare or not)."""
    blob = subprocess.run(["git", "--git-dir", git_dir, "show", "%s:data/%s.rda" % (COMMIT, name)],
                          check=True, capture_output=True).stdout
    return ccmppwpp_rda.read_list(blob)


def case_inputs(here, *names, copied=("scenario.toml", "README.md")):
    """What every un-package-* make_case.py reads first: its options (--ccmppwpp-git DIR, a clone of ccmppWPP
    holding COMMIT, bare is fine; --mutant DIR), the data sets `names` (package_data) and the folder its files go
    to: its own (`here`), or the --mutant folder, made if missing, with the case's `copied` files.
    Returns (args, folder, [data set …])."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--ccmppwpp-git", default="/work/.mirror/markalava+ccmppWPP/repo")
    ap.add_argument("--mutant")
    args = ap.parse_args()
    data = [package_data(args.ccmppwpp_git, name) for name in names]
    folder = args.mutant or here
    os.makedirs(folder, exist_ok=True)
    if args.mutant:
        for f in copied:
            shutil.copy(os.path.join(here, f), folder)
    return args, folder, data


_INDEX = {}


def _rows(frame, keys):
    """{values of `keys`: [row numbers]} of a frame, built once per frame and key set."""
    tag = (id(frame), keys)
    if tag not in _INDEX:
        index = {}
        for i in range(len(frame["value"])):
            index.setdefault(tuple(frame[k][i] for k in keys), []).append(i)
        _INDEX[tag] = (frame, index)  # the frame is kept alive, so its id is not reused
    return _INDEX[tag][1]


def by_age(frame, **where):
    """The `value` cells of the rows matching `where`, in the order of `age_start` (which must run 0, 1, …)."""
    keys = tuple(sorted(where))
    found = _rows(frame, keys).get(tuple(where[k] for k in keys), [])
    rows = sorted((frame["age_start"][i], frame["value"][i]) for i in found)
    assert [a for a, _ in rows] == [float(a) for a in range(len(rows))], where
    return [v for _, v in rows]


def one(frame, **where):
    """The single `value` of the rows matching `where`."""
    keys = tuple(sorted(where))
    (i,) = _rows(frame, keys)[tuple(where[k] for k in keys)]
    return frame["value"][i]


def override(P, M):
    """R/project_ccmpp_loop_over_time.R:89-90: where P + M <= 0, M := 0.00001 - P."""
    return [OVERRIDE - p if p + m <= 0 else m for p, m in zip(P, M)]


def migrants(kind, P, counts=None, rates=None, total=None):
    """R/project_ccmpp_loop_over_time.R:60-86: the step's migrants M by sex before the override.
    counts: as given (62-67); rates: r · that sex's start population (71-77); totals: T · P_s[i] / (ΣP_f + ΣP_m)
    (81-84)."""
    if kind == "counts":
        return {s: list(counts[s]) for s in SEXES}
    if kind == "rates":
        return {s: [r * p for r, p in zip(rates[s], P[s])] for s in SEXES}
    if kind == "totals":
        pop_tot = sum(P["female"]) + sum(P["male"])
        return {s: [total * p / pop_tot for p in P[s]] for s in SEXES}
    raise ValueError(kind)


def step(z, P, S, asfr, srb, M, assumption):
    """R/project_ccmpp_z_by_z.R:79-143, one step. P, S, M: {sex: by row}; M after the override.
    Returns the end population, cohort deaths (row 0 the births'), births by sex and by age of the mother,
    the floor's additions (0.0005 − Q where Q < 0; ccmppWPP has no such output, cohortgis's floor_adjustment)."""
    n = len(P["female"])
    A, E, Q, D = {}, {}, {}, {}
    for s in SEXES:
        if assumption == "end":  # lines 79-87
            A[s], E[s] = list(P[s]), [0.0] * n
        elif assumption == "even":  # lines 89-97
            A[s] = [p + m / 2 for p, m in zip(P[s], M[s])]
            E[s] = [m / 2 for m in M[s]]
        else:
            raise ValueError(assumption)
        lag = [None] + A[s][:-1]  # lines 103-104
        d = [None] + [(1 - S[s][x]) * lag[x] for x in range(1, n)]  # lines 107, 110
        d[n - 1] = (1 - S[s][n - 1]) * (A[s][n - 2] + A[s][n - 1])  # lines 108, 111
        q = [None] + [lag[x] - d[x] + E[s][x] for x in range(1, n)]  # lines 114, 117
        q[n - 1] = A[s][n - 2] + A[s][n - 1] - d[n - 1] + E[s][n - 1]  # lines 115, 118
        D[s], Q[s] = d, q
    births_by_age = [0.0] + [z * asfr[x] * (A["female"][x] + Q["female"][x]) / 2 for x in range(1, n - 1)] + [0.0]
    births_tot = sum(births_by_age)  # lines 121-123 (rows 1 and nage set to 0)
    births = {"female": births_tot * (1 / (1 + srb))}  # line 124
    births["male"] = births_tot - births["female"]  # line 125
    floor = {}
    for s in SEXES:
        D[s][0] = (1 - S[s][0]) * births[s]  # lines 128-129
        Q[s][0] = births[s] - D[s][0] + E[s][0]  # lines 132-133
        if assumption == "end":  # lines 136-139
            Q[s] = [q + m for q, m in zip(Q[s], M[s])]
        floor[s] = [FLOOR - q if q < 0 else 0.0 for q in Q[s]]  # lines 142-143
        Q[s] = [FLOOR if q < 0 else q for q in Q[s]]
    return {"population": Q, "deaths": D, "births": births, "births_by_age": births_by_age, "floor": floor,
            "migrants": M, "start_adjusted": A}


def loop(z, base, steps):
    """R/project_ccmpp_loop_over_time.R:24-122: for each step (dict: S, asfr, srb, mig_type, mig_assumption and
    the migrant inputs), the migrants, the override and project_ccmpp_z_by_z from the previous end population."""
    P, results = {s: list(base[s]) for s in SEXES}, []
    for st in steps:
        M0 = migrants(st["mig_type"], P, st.get("counts"), st.get("rates"), st.get("total"))
        M = {s: override(P[s], M0[s]) for s in SEXES}
        r = step(z, P, st["S"], st["asfr"], st["srb"], M, st["mig_assumption"])
        r["start"] = P
        results.append(r)
        P = r["population"]
    return results


def fert_mac(asfr, width):
    """R/fert_helper_functions_wpp.R:54-73 (fert_mac): Σ f · (x + width/2) / Σ f, x the rows' first ages."""
    return sum(f * (x * width + width / 2) for x, f in enumerate(asfr)) / sum(asfr)


def fert_gross(asfr, srb, width):
    """R/fert_helper_functions_wpp.R:94-114 (fert_gross): Σ f / (1 + srb) · age_span."""
    return sum(f / (1 + srb) * width for f in asfr)


def fert_net(asfr, srb, nLx, width):
    """R/fert_helper_functions_wpp.R:136-163 (fert_net): Σ f / (1 + srb) · age_span · nLx / 100000 (the UN's radix
    written in; nLx the female `lt_nLx` of the same time_start and age)."""
    return sum(f / (1 + srb) * width * L / 100000 for f, L in zip(asfr, nLx))


def life_table_lx(lx, ax, m_open, widths):
    """scenarios/README.md, the `lx` form: d = l(x) − l(x+n), L = n · l(x+n) + a · d, the open row L = l / m;
    T by summing L from the top; e = T / l. Returns (L, T, e)."""
    k = len(lx)
    L = [widths[x] * lx[x + 1] + ax[x] * (lx[x] - lx[x + 1]) for x in range(k - 1)] + [lx[-1] / m_open]
    T = [0.0] * k
    acc = 0.0
    for x in range(k - 1, -1, -1):
        acc += L[x]
        T[x] = acc
    return L, T, [T[x] / lx[x] for x in range(k)]


def write_csv(folder, name, header, rows):
    """A CSV with every float written by repr (the shortest text that reads back as the same double), a whole
    number without ".0" as R's write.csv writes it (a `filter = { time_start = 2015 }` compares the cell's text)."""
    import csv
    with open(os.path.join(folder, name), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows([[(str(int(c)) if c == int(c) and abs(c) < 1e15 else repr(c)) if isinstance(c, float) else c
                      for c in r] for r in rows])


def survival_from_abridged_L(l0, L):
    """Five-year S by the age group at the end from abridged person-years L (rows 0, 1, 5, …, w, the last T(w)),
    scenarios/README.md (`Sx` of the UN's abridged files; docs/ccmpp.md A1): births → 0–4 (L0 + L1) / (5 l0),
    0–4 → 5–9 L5 / (L0 + L1), x−5 → x L(x) / L(x−5), the open group T(w) / (L(w−5) + T(w))."""
    five = [L[0] + L[1]] + L[2:]  # grid groups 0, 5, …, w
    S = [five[0] / (5 * l0)] + [five[i] / five[i - 1] for i in range(1, len(five) - 1)]
    return S + [five[-1] / (five[-2] + five[-1])]
