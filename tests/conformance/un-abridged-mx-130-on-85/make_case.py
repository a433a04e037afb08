# SPDX-License-Identifier: Apache-2.0
"""The UN's abridged lt_nMx to 130+ (rows 0, 1, 5, …, 130) on a five-year projection to 85+: the engine builds the
abridged table on the table's own rows and cuts it at 85 (DemoTools' lt_abridged(OAnew = 85) order: rows below 85 as
the whole table's, 80-84's Greville nax from its own 85-89 rate, 85+ with T85; expected.csv regenerated in round 22,
it held the earlier closure, 80-84's m_next = l85 / T85), and takes five-year survival ratios (5L0 = 1L0 + 4L1). Base population and counts per year in five-year rows to 130, summed into 85+. Baseline
a0 Andreev-Kingkade; variant a0 Coale-Demeny east; variant AK a0 with coale_demeny_region north (its 4a1). expected.csv: ../abridged_reference.py (the life tables, from
scenarios/README.md) and ../ccmpp_reference.py (docs/ccmpp.md Part A), never calling cohortgis.
Run: /usr/bin/python3 make_case.py
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import abridged_reference as ab  # noqa: E402
import ccmpp_reference as ref  # noqa: E402

Z, W, TOP, BASE, STEPS = 5, 85, 130, 2020, 2
A5 = np.arange(0, W + 1, Z)
AT = np.arange(0, TOP + 1, Z)  # the tables' five-year rows 0 … 130
XA = ab.abridged_ages(28)  # 0, 1, 5, …, 130
SEXES = ("female", "male")
path = lambda name: os.path.join(HERE, name)  # noqa: E731
HDR = ["time_start", "time_span", "sex", "age_start", "age_span", "value"]
spanA = lambda x: 1000 if x == TOP else (1 if x == 0 else (4 if x == 1 else 5))  # noqa: E731
span5 = lambda x: 1000 if x == TOP else Z  # noqa: E731
mid = np.array([0.5, 3.0] + [x + 2.5 for x in XA[2:-1]] + [132.0])
fold = lambda v: np.concatenate([v[: len(A5) - 1], [v[len(A5) - 1:].sum()]])  # noqa: E731

MX = {}
rows = []
for t, lev in ((2020, 1.0), (2025, 0.95)):
    for s in SEXES:
        c, b, base = (2.3e-5, 0.099, 1.8e-4) if s == "female" else (4.7e-5, 0.093, 3.7e-4)
        m = base + c * np.exp(b * mid) / (1.0 + 0.9 * c * np.exp(b * mid))
        m[0], m[1] = (0.021, 0.0018) if s == "female" else (0.026, 0.0021)
        MX[(t, s)] = lev * m
        rows += [["lt_nMx", t, Z, s, int(x), spanA(x), float(v)] for x, v in zip(XA, MX[(t, s)])]
ref.write_csv(path("life_table_age_sex.csv"), ["indicator"] + HDR, rows)

P = {"female": 52000.0 * np.exp(-0.010 * AT) / (1 + np.exp(0.105 * (AT - 80.0))),
     "male": 53000.0 * np.exp(-0.013 * AT) / (1 + np.exp(0.115 * (AT - 76.0)))}
ref.write_csv(path("pop_count_age_sex_base.csv"), HDR, [[BASE, Z, s, int(x), span5(x), float(P[s][i])]
                                                        for s in SEXES for i, x in enumerate(AT)])
F = np.where((AT >= 15) & (AT <= 45), np.exp(-0.5 * ((AT + 2.5 - 29.0) / 6.5) ** 2), 0.0)
F *= 2.1 / (Z * F.sum())
ref.write_csv(path("fert_rate_age_f.csv"), ["time_start", "time_span", "age_start", "age_span", "value"],
              [[BASE, Z, int(x), span5(x), float(F[i])] for i, x in enumerate(AT)])
ref.write_csv(path("srb.csv"), ["time_start", "time_span", "value"], [[BASE, Z, 1.05]])
# Net migrants per year (the default per = "year": x 5 for a step), signed, with rows to 130.
prof = np.exp(-0.5 * ((AT + 2.5 - 28.0) / 9.0) ** 2)
M = {"female": 120.0 * prof, "male": -60.0 * prof}
M["female"][AT >= 90] = 2.0
M["male"][AT >= 90] = -1.0
ref.write_csv(path("mig_net_count_age_sex.csv"), HDR, [[BASE, Z, s, int(x), span5(x), float(M[s][i])]
                                                       for s in SEXES for i, x in enumerate(AT)])

expected = {}
for variant, method in (("baseline", {}), ("cd-east", {"a0_rule": "coale-demeny", "region": "east"}),
                       ("ak-north", {"region": "north"})):
    pop = {s: fold(P[s]) for s in SEXES}
    expected[(variant, BASE)] = pop
    for k in range(STEPS):
        t = BASE + Z * k
        S = {}
        for s in SEXES:
            lx, Lx = ab.closed_table(MX[(t, s)], s == "female", W, **method)
            S[s] = ref.survival_from_Lx(Lx, lx[0], Z, "abridged")
        pop = ref.step(pop, S, F[: len(A5)], 1.05, {s: Z * fold(M[s]) for s in SEXES}, Z, "even")
        expected[(variant, t + Z)] = pop
ref.write_expected(path("expected.csv"), expected, "X", "total", Z)
