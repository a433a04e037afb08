# SPDX-License-Identifier: Apache-2.0
"""1x1 on the table's own 100+, three annual steps 2020 -> 2023, flow_policy = "wpp": the UN's life table reshaped
into columns under its own names (lt_nMx, lt_nqx, lt_lx, lt_ndx, lt_Sx, lt_Tx, lt_ex, lt_nAx) read by `life_table`
without an lt_nLx column, so its Sx are used (not its mx); rows by time_start 2020 and 2022. Variant `with-Lx`: a
table with an lt_nLx column (radix 1 in lt_lx) beside an lt_Sx column of another table: the Lx are used. Written
from scenarios/README.md alone; expected.csv from numpy (../outside5_reference.py), never calling cohortgis.
Run: /usr/bin/python3 make_case.py   (mutant: make_case.py --mutant DIR, the variant's Sx column used instead of
its Lx)
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import outside5_reference as o5  # noqa: E402

OUT, MUTANT = o5.out_dir(HERE, sys.argv)
Z, W, BASE, HORIZON, GIVEN = 1, 100, 2020, 2023, (2020, 2022)
N = W // Z + 1
AGES = np.arange(N)
HEAD = ["time_start", "sex", "age_start", "lt_nMx", "lt_nqx", "lt_lx", "lt_ndx", "lt_Sx", "lt_Tx", "lt_ex", "lt_nAx"]


def table(a, d, radix):
    l, L = o5.gm_single_L(W, radix, a=a, d=d)
    dx = np.append(l[:-1] - l[1:], l[-1])
    mx = dx / L
    qx = np.append(dx[:-1] / l[:-1], 1.0)
    T = np.cumsum(L[::-1])[::-1]
    ax = np.append(np.full(W, 0.5), L[-1] / l[-1])
    return l, L, dx, mx, qx, T, T / l, ax, o5.survival_from_L(L, radix, Z)


S_BASE, S_VAR, rows_a, rows_b = {}, {}, [], []
for t, f in ((2020, 1.0), (2022, 0.9)):
    for s, (a, d) in (("female", (0.012, 2.6e-5)), ("male", (0.016, 4.4e-5))):
        l, L, dx, mx, qx, T, ex, ax, S = table(a * f, d * f, 100000.0)
        S_BASE[(t, s)] = S
        rows_a += [[t, s, int(i), float(mx[i]), float(qx[i]), float(l[i]), float(dx[i]), float(S[i]), float(T[i]),
                    float(ex[i]), float(ax[i])] for i in range(N)]
        lb, Lb, dxb, mxb, qxb, Tb, exb, axb, Sb = table(a * f * 1.5, d * f * 1.3, 1.0)  # another table, radix 1
        S_VAR[(t, s)] = S if MUTANT else Sb
        rows_b += [[t, s, int(i), float(mxb[i]), float(qxb[i]), float(lb[i]), float(dxb[i]), float(Lb[i]), float(S[i]),
                    float(Tb[i]), float(exb[i]), float(axb[i])] for i in range(N)]
o5.write_csv(os.path.join(OUT, "life_table_wide.csv"), HEAD, rows_a)
o5.write_csv(os.path.join(OUT, "life_table_wide_Lx.csv"), HEAD[:7] + ["lt_nLx"] + HEAD[7:], rows_b)

P0 = {"female": 400.0 * np.exp(-0.006 * AGES) / (1 + np.exp(0.1 * (AGES - 84.0))),
      "male": 410.0 * np.exp(-0.008 * AGES) / (1 + np.exp(0.1 * (AGES - 80.0)))}
P0["female"][W] = 0.0
o5.write_csv(os.path.join(OUT, "pop_count_age_sex_base.csv"), ["sex", "age_start", "value"],
             [[s, int(i), float(P0[s][i])] for s in o5.SEXES for i in range(N)])
pat = np.where((AGES >= 15) & (AGES < 50), np.exp(-0.5 * ((AGES - 31.0) / 5.5) ** 2), 0.0)
F = 1.45 * pat / pat.sum()
o5.write_csv(os.path.join(OUT, "fert_rate_age_f.csv"), ["age_start", "value"], [[int(i), float(F[i])] for i in range(15, 50)])
NET = {s: np.where((AGES >= 20) & (AGES < 40), 1.5 if s == "female" else 2.0, 0.0) for s in o5.SEXES}
o5.write_csv(os.path.join(OUT, "mig_net_count_age_sex.csv"), ["sex", "age_start", "value"],
             [[s, int(i), float(NET[s][i])] for s in o5.SEXES for i in range(N) if NET[s][i]])

rows = []
for variant, SS in (("baseline", S_BASE), ("with-Lx", S_VAR)):
    P = {s: P0[s].copy() for s in o5.SEXES}
    rows += o5.expected_rows(variant, BASE, "X", "total", P, AGES)
    for t in range(BASE, HORIZON):
        g = max(y for y in GIVEN if y <= t)
        P = o5.wpp_step(P, {s: SS[(g, s)] for s in o5.SEXES}, F, 1.05, NET, Z, "end")
        rows += o5.expected_rows(variant, t + Z, "X", "total", P, AGES)
o5.write_expected(os.path.join(OUT, "expected.csv"), rows)
o5.finish_mutant(HERE, OUT, MUTANT)
