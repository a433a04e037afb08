# SPDX-License-Identifier: Apache-2.0
"""One single-year life table given as Lx (baseline), mx, qx, lx and Sx (variants): all must give the same
projection. The table is built here from mx with the engine's documented conventions for single years (a0 by
Andreev-Kingkade, ax = 0.5 at ages 1..w-1, L_w = l_w / m_w; see ../ccmpp_reference.py), so every form describes the
same person-years. expected.csv is computed independently from Lx by ../ccmpp_reference.py (no cohortgis).
Run: /usr/bin/python3 make_case.py
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import ccmpp_reference as ref  # noqa: E402

W, BASE, STEPS = 100, 2020, 3
AGES = np.arange(W + 1)
# Death rates: an infant term decaying over childhood plus Gompertz-Makeham; m0 = 0.0106 (female) and 0.0126
# (male) fall on the first branch of the Andreev-Kingkade a0 rule, as most low-mortality tables do.
mx = {"female": 0.01 * np.exp(-1.5 * AGES) + 2e-4 + 3e-5 * np.exp(0.098 * AGES),
      "male": 0.012 * np.exp(-1.4 * AGES) + 4e-4 + 7e-5 * np.exp(0.090 * AGES)}
lt = {s: ref.single_year_table_from_mx(mx[s], s == "female") for s in mx}  # (ax, qx, lx, Lx), radix 100000
S = {s: ref.survival_from_Lx(lt[s][3], 100000.0, 1) for s in lt}

rows = lambda f: [[s, int(x)] + f(s, x) for s in ("female", "male") for x in AGES]  # noqa: E731
ref.write_csv(os.path.join(HERE, "mx.csv"), ["sex", "age", "value"], rows(lambda s, x: [float(mx[s][x])]))
# qx and lx with their ax on the closed rows and mx on the open row (L = l/m there).
for name, col in (("qx", 1), ("lx", 2)):
    ref.write_csv(os.path.join(HERE, name + ".csv"), ["sex", "age", "value", "ax", "mx"],
                  rows(lambda s, x: [float(lt[s][col][x]), float(lt[s][0][x]) if x < W else "",
                                     float(mx[s][x]) if x == W else ""]))
ref.write_csv(os.path.join(HERE, "Lx.csv"), ["sex", "age", "value", "lx"],
              rows(lambda s, x: [float(lt[s][3][x]), float(lt[s][2][x])]))
ref.write_csv(os.path.join(HERE, "Sx.csv"), ["sex", "age", "value"], rows(lambda s, x: [float(S[s][x])]))

P = {"female": 9000.0 * np.exp(-0.005 * AGES), "male": 9300.0 * np.exp(-0.007 * AGES)}
shape = np.where((AGES >= 16) & (AGES <= 45), np.exp(-0.5 * ((AGES - 30.0) / 6.0) ** 2), 0.0)
F = 1.8 * shape / shape.sum()
M = {"female": np.where((AGES >= 20) & (AGES <= 30), 40.0, 0.0), "male": np.where((AGES >= 20) & (AGES <= 30), -25.0, 0.0)}
ref.write_csv(os.path.join(HERE, "base_population.csv"), ["zone", "group", "sex", "age", "population"],
              [["LT", "total", s, int(x), float(P[s][x])] for s in P for x in AGES])
ref.write_csv(os.path.join(HERE, "asfr.csv"), ["age", "value"], [[int(x), float(F[x])] for x in range(15, 50)])
ref.write_csv(os.path.join(HERE, "net_migration.csv"), ["sex", "age", "value"],
              [[s, int(x), float(M[s][x])] for s in M for x in AGES if M[s][x] != 0])

pops = {BASE: P}
for k in range(STEPS):
    pops[BASE + k + 1] = ref.step(pops[BASE + k], S, F, 1.05, M, 1, "even")
ref.write_expected(os.path.join(HERE, "expected.csv"),
                   {(v, y): p for v in ("baseline", "mx", "qx", "lx", "Sx") for y, p in pops.items()}, "LT", "total", 1)
print("e0 female %.4f male %.4f" % tuple(lt[s][3].sum() / 1e5 for s in ("female", "male")))
