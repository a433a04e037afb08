# SPDX-License-Identifier: Apache-2.0
"""The UN's extended inputs (single years 0..130+, as ccmppWPP_input_file_extend writes them) projected on a grid
to 100+: every table runs to 130 and cohortgis sums the rows past the open age into the open group. The base
population and net migrant counts are summed (persons of ages 100..130 into 100+), the life table's lt_nLx rows give
T100 = L100 + ... + L130, and net migration rates past 100 equal the rate at 100. The base population is given as the
UN's output table pop_count_age_sex (two time_start values and a "both" table), selected with a filter.
expected.csv is computed independently: the folding is done here on the arrays and the step is ../ccmpp_reference.py
(docs/ccmpp.md Part A), never calling cohortgis.
Run: /usr/bin/python3 make_case.py
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import ccmpp_reference as ref  # noqa: E402

W130, W, BASE, STEPS = 130, 100, 2020, 3
AGES = np.arange(W130 + 1)
kan = lambda c, b: c * np.exp(b * AGES) / (1.0 + c * np.exp(b * AGES))  # noqa: E731  Kannisto (logistic) term


def fold(v):
    """The open group 100+ of a vector by single age 0..130: the sum of ages 100..130."""
    return np.concatenate([v[:W], [v[W:].sum()]])


# Life tables by time_start (mortality falls by 2 % a year), every lt_* indicator, female, male and "both".
lt_rows, S = [], {}
for k in range(STEPS):
    t = BASE + k
    mx = {"female": (0.008 * np.exp(-1.5 * AGES) + 1.4e-4 + kan(2.4e-5, 0.1)) * 0.98 ** k,
          "male": (0.010 * np.exp(-1.4 * AGES) + 3.2e-4 + kan(5.5e-5, 0.093)) * 0.98 ** k}
    lt = {s: ref.single_year_table_from_mx(mx[s], s == "female") for s in mx}  # (ax, qx, lx, Lx), radix 100000
    S[t] = {s: ref.survival_from_Lx(fold(lt[s][3]), 100000.0, 1) for s in lt}  # A1 with T100 in the open row
    for s in ("female", "male", "both"):
        src = "male" if s == "both" else s  # the UN's "both" rows: present in its files, not projected
        ax, qx, lx, Lx = lt[src]
        for ind, v in (("lt_nMx", mx[src]), ("lt_nAx", ax), ("lt_nqx", qx), ("lt_lx", lx), ("lt_nLx", Lx)):
            lt_rows += [[ind, t, 1, s, int(x), 1000 if x == W130 else 1, float(v[x])] for x in AGES]
ref.write_csv(os.path.join(HERE, "life_table_age_sex.csv"),
              ["indicator", "time_start", "time_span", "sex", "age_start", "age_span", "value"], lt_rows)

# The base population as the UN's output pop_count_age_sex: time_start 2019 and 2020, female, male and both.
P130 = {"female": 9000.0 * np.exp(-0.005 * AGES) * np.minimum(1.0, np.exp(-0.11 * (AGES - 82.0))),
        "male": 9300.0 * np.exp(-0.006 * AGES) * np.minimum(1.0, np.exp(-0.13 * (AGES - 80.0)))}
pop_rows = []
for t, scale in ((BASE - 1, 0.99), (BASE, 1.0)):
    for s in ("female", "male", "both"):
        v = P130["female"] + P130["male"] if s == "both" else P130[s]
        pop_rows += [[t, 0, s, int(x), 1000 if x == W130 else 1, float(scale * v[x])] for x in AGES]
ref.write_csv(os.path.join(HERE, "pop_count_age_sex.csv"),
              ["time_start", "time_span", "sex", "age_start", "age_span", "value"], pop_rows)

F = np.zeros(W130 + 1)
F[15:50] = np.exp(-0.5 * ((np.arange(15, 50) - 29.0) / 5.0) ** 2)
F *= 1.55 / F.sum()
ref.write_csv(os.path.join(HERE, "fert_rate_age_f.csv"), ["time_start", "time_span", "age_start", "age_span", "value"],
              [[BASE, 1, int(a), 1000 if a == W130 else 1, float(F[a])] for a in AGES])
ref.write_csv(os.path.join(HERE, "srb.csv"), ["time_start", "time_span", "value"], [[BASE, 1, 1.05]])

# Signed counts per step by single age 0..130, by time_start; persons arrive and leave past 100 too.
M130 = {}
for k in range(STEPS):
    f = np.where((AGES >= 18) & (AGES <= 40), 25.0 + 5 * k, 0.0)
    m = np.where((AGES >= 18) & (AGES <= 40), -15.0, 0.0)
    f[100:106], f[120] = 0.5, -0.25
    m[101:111], m[130] = -0.2, 0.125
    M130[BASE + k] = {"female": f, "male": m}
ref.write_csv(os.path.join(HERE, "mig_net_count_age_sex.csv"),
              ["time_start", "time_span", "sex", "age_start", "age_span", "value"],
              [[t, 1, s, int(x), 1000 if x == W130 else 1, float(M130[t][s][x])] for t in M130 for s in ("female", "male")
               for x in AGES])
# Net rates per step (mig_type "rates"): past 100 the rate of 100 repeated (a rate cannot be summed; it must agree).
R130 = {"female": np.where((AGES >= 18) & (AGES <= 40), 0.004, -0.0005), "male": np.where(AGES <= 60, -0.002, 0.001)}
R130["female"][W:] = -0.003
R130["male"][W:] = 0.0015
ref.write_csv(os.path.join(HERE, "mig_net_rate_age_sex.csv"),
              ["time_start", "time_span", "sex", "age_start", "age_span", "value"],
              [[BASE, 1, s, int(x), 1000 if x == W130 else 1, float(R130[s][x])] for s in R130 for x in AGES])

# mig_parameter: mig_assumption "even" for time_start 2020, "end" from 2021.
timing = {BASE: "even", BASE + 1: "end", BASE + 2: "end"}
P = {s: fold(P130[s]) for s in P130}
Fw = F[:W + 1]
pops = {}
for variant in ("baseline", "rates"):
    pop = {BASE: P}
    for k in range(STEPS):
        t = BASE + k
        start = pop[t]
        if variant == "baseline":
            M = {s: fold(M130[t][s]) for s in start}
        else:
            M = {s: R130[s][:W + 1] * start[s] for s in start}  # the open group's rate times its persons
        pop[t + 1] = ref.step(start, S[t], Fw, 1.05, M, 1, timing[t])
    for y, p in pop.items():
        pops[(variant, y)] = p
ref.write_expected(os.path.join(HERE, "expected.csv"), pops, "X", "total", 1)
