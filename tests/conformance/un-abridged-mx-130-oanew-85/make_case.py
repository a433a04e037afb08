# SPDX-License-Identifier: Apache-2.0
"""lt_nMx to 130+ on a five-year projection to 85+ in DemoTools' lt_abridged(..., OAnew = 85) order (the whole table
from every given rate, then cut at 85: 80-84's Greville nax takes the table's own 85-89 rate; 85+ keeps T(85)), with
a Lee-Carter variant that moves the schedule on the grid's rows and the 85-89 rate at the same pace. expected.csv:
../demotools_oanew_reference.py (written from DemoTools' R sources) and ../ccmpp_reference.py (docs/ccmpp.md Part
A); never calls cohortgis.
Run: /usr/bin/python3 make_case.py   (mutant: make_case.py --mutant DIR: the same inputs, expected.csv with the
closure before round 22, 80-84's Greville m_next = l(85) / T(85); run_case.py --case DIR fails)
"""
import os
import shutil
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import ccmpp_reference as ref  # noqa: E402
import demotools_oanew_reference as dt  # noqa: E402

MUTANT = sys.argv[sys.argv.index("--mutant") + 1] if "--mutant" in sys.argv else None
OUT = MUTANT or HERE
Z, W, TOP, BASE, STEPS = 5, 85, 130, 2020, 2
DRIFT = -2.5  # lee_carter.drift: b_x = 1 / 19 (the grid's rows 0, 1, 5, ..., 85+), t = 3 and 8
A5 = np.arange(0, W + 1, Z)
AT = np.arange(0, TOP + 1, Z)
XA = np.array([0, 1] + list(range(5, TOP + 1, 5)))  # 0, 1, 5, ..., 130: 28 rows
R85 = int(np.flatnonzero(XA == W)[0])  # row 18
SEXES = ("female", "male")
path = lambda name: os.path.join(HERE, name)  # noqa: E731
HDR = ["time_start", "time_span", "sex", "age_start", "age_span", "value"]
spanA = lambda x: 1000 if x == TOP else (1 if x == 0 else (4 if x == 1 else 5))  # noqa: E731
span5 = lambda x: 1000 if x == TOP else Z  # noqa: E731
mid = np.array([0.5, 3.0] + [x + 2.5 for x in XA[2:-1]] + [132.0])
fold = lambda v: np.concatenate([v[: len(A5) - 1], [v[len(A5) - 1:].sum()]])  # noqa: E731

MX = {}
rows = []
for t, lev in ((2020, 1.0), (2025, 0.93)):
    for s in SEXES:
        c, b, base = (2.1e-5, 0.101, 1.6e-4) if s == "female" else (4.4e-5, 0.095, 3.4e-4)
        m = base + c * np.exp(b * mid) / (1.0 + 0.85 * c * np.exp(b * mid))
        m[0], m[1] = (0.018, 0.0015) if s == "female" else (0.023, 0.0019)
        MX[(t, s)] = lev * m
        rows += [["lt_nMx", t, Z, s, int(x), spanA(x), float(v)] for x, v in zip(XA, MX[(t, s)])]
if not MUTANT:
    ref.write_csv(path("life_table_age_sex.csv"), ["indicator"] + HDR, rows)

P = {"female": 51000.0 * np.exp(-0.011 * AT) / (1 + np.exp(0.10 * (AT - 82.0))),
     "male": 52500.0 * np.exp(-0.014 * AT) / (1 + np.exp(0.11 * (AT - 78.0)))}
F = np.where((AT >= 15) & (AT <= 45), np.exp(-0.5 * ((AT + 2.5 - 29.0) / 6.5) ** 2), 0.0)
F *= 1.9 / (Z * F.sum())
if not MUTANT:
    ref.write_csv(path("pop_count_age_sex_base.csv"), HDR, [[BASE, Z, s, int(x), span5(x), float(P[s][i])]
                                                            for s in SEXES for i, x in enumerate(AT)])
    ref.write_csv(path("fert_rate_age_f.csv"), ["time_start", "time_span", "age_start", "age_span", "value"],
                  [[BASE, Z, int(x), span5(x), float(F[i])] for i, x in enumerate(AT)])
    ref.write_csv(path("srb.csv"), ["time_start", "time_span", "value"], [[BASE, Z, 1.05]])


def survival(t, s, variant):
    sx = s[0]
    a0rule, region = ("cd", "e") if variant == "cd-east" else ("ak", "w")
    m = MX[(t, s)]
    # The whole table cut at 85 (lt_abridged OAnew): the grid's schedule is rows 0 ... 80 and m(85+) = l(85) / T(85).
    _, _, _, lx, L, T = dt.lt_abridged_oanew(m, sx, W, a0rule, region)
    grid, nxt = np.concatenate([m[:R85], [lx[-1] / T[-1]]]), m[R85]
    if variant == "lee-carter":
        k = np.exp((1.0 / len(grid)) * DRIFT * ((t + 1 + t + Z) / 2 - BASE))
        grid, nxt = grid * k, nxt * k
    if variant == "lee-carter" or MUTANT:
        lx, L = dt.grid_table(grid, None if MUTANT else nxt, sx, a0rule, region)
    return ref.survival_from_Lx(L, lx[0], Z, "abridged")


expected = {}
for variant in ("baseline", "cd-east", "lee-carter"):
    pop = {s: fold(P[s]) for s in SEXES}
    expected[(variant, BASE)] = pop
    for k in range(STEPS):
        t = BASE + Z * k
        S = {s: survival(t, s, variant) for s in SEXES}
        pop = ref.step(pop, S, F[: len(A5)], 1.05, {s: np.zeros(len(A5)) for s in SEXES}, Z, "even")
        expected[(variant, t + Z)] = pop
if MUTANT:
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(HERE):
        if f != "expected.csv" and os.path.isfile(path(f)):
            shutil.copy(path(f), os.path.join(OUT, f))
ref.write_expected(os.path.join(OUT, "expected.csv"), expected, "X", "total", Z)
