# SPDX-License-Identifier: Apache-2.0
"""The UN's own open age: ccmppWPP extends every input to single years 0..130+ (ccmppWPP_input_file_extend, OAnew =
130), projects there, and publishes 100+ as the sum of ages 100..130. This case projects on that grid
(open_age = 130) from the UN's long life table given as lt_Sx (the UN's survival ratios, used as given), lt_nMx (the
engine builds the table) and lt_nLx; net migration as counts by age and sex (mig_net_count_age_sex) with the
"end" assumption, one of them emptying a cell (WPP override); base-population cells that are 0 written as 0.00001,
as ccmppWPP does. It also prints how far the 100+ group of a projection on a 100+ grid is from the sum of ages
100..130 (the reason to use open_age = 130).
expected.csv is computed independently by ../ccmpp_reference.py (docs/ccmpp.md Part A), never calling cohortgis.
Run: /usr/bin/python3 make_case.py
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import ccmpp_reference as ref  # noqa: E402

W, BASE, STEPS = 130, 2020, 3
AGES = np.arange(W + 1)
kan = lambda c, b: c * np.exp(b * AGES) / (1.0 + c * np.exp(b * AGES))  # noqa: E731  Kannisto (logistic) term
mx = {"female": 0.009 * np.exp(-1.5 * AGES) + 1.5e-4 + kan(2.5e-5, 0.1),
      "male": 0.011 * np.exp(-1.4 * AGES) + 3.5e-4 + kan(6e-5, 0.092)}
lt = {s: ref.single_year_table_from_mx(mx[s], s == "female") for s in mx}  # (ax, qx, lx, Lx), radix 100000
S = {s: ref.survival_from_Lx(lt[s][3], 100000.0, 1) for s in lt}
lt_rows = []
for s in ("female", "male", "both"):
    src = "female" if s == "both" else s  # the UN's "both" rows: present in its files, not used here
    ax, qx, lx, Lx = lt[src]
    for ind, v in (("lt_nMx", mx[src]), ("lt_nAx", ax), ("lt_nqx", qx), ("lt_lx", lx), ("lt_nLx", Lx), ("lt_Sx", S[src])):
        lt_rows += [[ind, BASE, 1, s, int(x), 1000 if x == W else 1, float(v[x])] for x in AGES]
ref.write_csv(os.path.join(HERE, "life_table_age_sex.csv"),
              ["indicator", "time_start", "time_span", "sex", "age_start", "age_span", "value"], lt_rows)

P = {"female": np.where(AGES <= 110, 8000.0 * np.exp(-0.004 * AGES) * np.minimum(1.0, np.exp(-0.12 * (AGES - 80.0))), 0.0),
     "male": np.where(AGES <= 108, 8400.0 * np.exp(-0.006 * AGES) * np.minimum(1.0, np.exp(-0.14 * (AGES - 78.0))), 0.0)}
for s in P:
    P[s][P[s] == 0.0] = 0.00001  # ccmppWPP: "replace any zero values with a very small number"
ref.write_csv(os.path.join(HERE, "pop_count_age_sex_base.csv"),
              ["time_start", "time_span", "sex", "age_start", "age_span", "value"],
              [[BASE, 0, s, int(x), 1000 if x == W else 1, float(P[s][x])] for s in P for x in AGES])

F = np.zeros(W + 1)
F[15:50] = np.exp(-0.5 * ((np.arange(15, 50) - 30.0) / 5.5) ** 2)
F *= 1.7 / F.sum()
ref.write_csv(os.path.join(HERE, "fert_rate_age_f.csv"), ["time_start", "time_span", "age_start", "age_span", "value"],
              [[BASE, 1, int(a), 1000 if a == W else 1, float(F[a])] for a in AGES])
ref.write_csv(os.path.join(HERE, "srb.csv"), ["time_start", "time_span", "value"], [[BASE, 1, 1.05]])

# Signed counts per step by single age; the male count at 101 empties its cell (the WPP override applies).
M = {"female": np.where((AGES >= 20) & (AGES <= 34), 30.0, 0.0), "male": np.where((AGES >= 20) & (AGES <= 34), -20.0, 0.0)}
M["male"][101] = -1000.0
ref.write_csv(os.path.join(HERE, "mig_net_count_age_sex.csv"),
              ["time_start", "time_span", "sex", "age_start", "age_span", "value"],
              [[BASE, 1, s, int(x), 1000 if x == W else 1, float(M[s][x])] for s in M for x in AGES])

pops = {BASE: P}
for k in range(STEPS):
    pops[BASE + k + 1] = ref.step(pops[BASE + k], S, F, 1.05, M, 1, "end")
ref.write_expected(os.path.join(HERE, "expected.csv"),
                   {(v, y): p for v in ("baseline", "mx", "Lx") for y, p in pops.items()}, "X", "total", 1)

# The same inputs without migration on a 100+ grid (A1 with T100 in the open row) and on the 130+ grid: 100+.
w = 100
S100 = {s: ref.survival_from_Lx(np.concatenate([lt[s][3][:w], [lt[s][3][w:].sum()]]), 100000.0, 1) for s in lt}
fold = lambda v: np.concatenate([v[:w], [v[w:].sum()]])  # noqa: E731
p100, p130 = {s: fold(P[s]) for s in P}, P
zero = {s: np.zeros(W + 1) for s in P}
for k in range(STEPS):
    p100 = ref.step(p100, S100, F[:w + 1], 1.05, {s: zero[s][:w + 1] for s in P}, 1, "end")
    p130 = ref.step(p130, S, F, 1.05, zero, 1, "end")
last = p130
for s in ("female", "male"):
    print("%s 100+ in %d: open age 130, summed %.6f; open age 100 %.6f (%+.3f %%)" %
          (s, BASE + STEPS, last[s][w:].sum(), p100[s][w], 100 * (p100[s][w] / last[s][w:].sum() - 1)))
