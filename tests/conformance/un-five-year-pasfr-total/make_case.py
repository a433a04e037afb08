# SPDX-License-Identifier: Apache-2.0
"""The UN's 5x5 inputs (five-year age groups and steps, ccmppWPP with z = 5) in the UN's long layouts, on a grid to
85+: an abridged life table (rows 0, 1, 5, ..., 100+) in long form with "both" rows, folded into 85+; fertility as
pasfr by five-year age group (percent, summing to 100) and a TFR by period (time_start 2020 and 2025, time_span 5);
net migration as counts by age and sex over the whole period (mig_net_count_age_sex, time_span 5) and, in a
variant, as one total per period for both sexes (mig_net_count_tot_b), spread in proportion to the start
population; the "even" assumption. expected.csv is computed independently by ../ccmpp_reference.py
(docs/ccmpp.md Part A), never calling cohortgis.
Run: /usr/bin/python3 make_case.py
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import ccmpp_reference as ref  # noqa: E402

Z, W_IDX, BASE, STEPS = 5, 17, 2020, 2  # grid 0, 5, ..., 85+
GRID = np.arange(W_IDX + 1) * Z
ONE = np.arange(131)
kan = lambda c, b: c * np.exp(b * ONE) / (1.0 + c * np.exp(b * ONE))  # noqa: E731  Kannisto (logistic) term
PERIODS = (2020, 2025)


def abridged_Lx(year):
    """The UN's abridged lt_nLx (rows 0, 1, 5, 10, ..., 100+) of a single-year table from mx (0..130+)."""
    k = 0.95 ** ((year - 2020) / 5)
    out = {}
    for s, mx in (("female", k * (0.012 * np.exp(-1.5 * ONE) + 2e-4 + kan(3e-5, 0.098))),
                  ("male", k * (0.015 * np.exp(-1.4 * ONE) + 4e-4 + kan(7e-5, 0.090)))):
        L = ref.single_year_table_from_mx(mx, s == "female")[3]
        out[s] = np.array([L[0], L[1:5].sum()] + [L[a:a + 5].sum() for a in range(5, 100, 5)] + [L[100:].sum()])
    return out


ABR = [0, 1] + list(range(5, 101, 5))
lt_rows, S = [], {}
for y in PERIODS:
    Lx = abridged_Lx(y)
    for s in ("female", "male", "both"):
        src = "female" if s == "both" else s  # the UN's "both" rows: present in its files, not used here
        lt_rows += [["lt_nLx", y, 5, s, a, (1000 if a == 100 else (1 if a == 0 else (4 if a == 1 else 5))),
                     float(Lx[src][i])] for i, a in enumerate(ABR)]
    # A1 (abridged): 5L0 = 1L0 + 4L1; the 85+ row holds T85 = 5L85 + ... + T100.
    S[y] = {s: ref.survival_from_Lx(np.concatenate([Lx[s][:18], [Lx[s][18:].sum()]]), 100000.0, Z, "abridged")
            for s in ("female", "male")}
ref.write_csv(os.path.join(HERE, "life_table_age_sex.csv"),
              ["indicator", "time_start", "time_span", "sex", "age_start", "age_span", "value"], lt_rows)

P = {"female": 40000.0 * np.exp(-0.02 * GRID), "male": 41000.0 * np.exp(-0.024 * GRID)}
ref.write_csv(os.path.join(HERE, "pop_count_age_sex_base.csv"),
              ["time_start", "time_span", "sex", "age_start", "age_span", "value"],
              [[BASE, 0, s, int(a), 1000 if a == GRID[-1] else 5, float(P[s][i])] for s in P for i, a in enumerate(GRID)])

# pasfr by five-year group 15..45 (percent of the TFR) and the TFR of each period: ASFR = TFR * pasfr / 100 / 5
# (the TFR of five-year rates is 5 * their sum).
TFR = {2020: 1.7, 2025: 1.55}
PG = np.arange(15, 50, 5)
pasfr, F = {}, {}
for y in TFR:
    shape = np.exp(-0.5 * ((PG + 2.5 - 29.0 - 0.5 * (y - 2020) / 5) / 6.0) ** 2)
    pasfr[y] = 100.0 * shape / shape.sum()
    F[y] = np.zeros(W_IDX + 1)
    F[y][PG // Z] = TFR[y] * pasfr[y] / 100.0 / Z
ref.write_csv(os.path.join(HERE, "fert_pct_age_5x5.csv"), ["time_start", "time_span", "age_start", "age_span", "value"],
              [[y, 5, int(a), 5, float(pasfr[y][i])] for y in TFR for i, a in enumerate(PG)])
SRB = {2020: 1.06, 2025: 1.05}
ref.write_csv(os.path.join(HERE, "srb.csv"), ["time_start", "time_span", "value"], [[y, 5, SRB[y]] for y in SRB])

# Net migrants over each period by sex and age group (signed), and the same periods' totals for both sexes.
M = {2020: {"female": np.where((GRID >= 15) & (GRID <= 35), 900.0, 0.0),
            "male": np.where((GRID >= 15) & (GRID <= 35), -700.0, 0.0)},
     2025: {"female": np.where((GRID >= 20) & (GRID <= 40), 600.0, 0.0),
            "male": np.where((GRID >= 20) & (GRID <= 40), 400.0, 0.0)}}
ref.write_csv(os.path.join(HERE, "mig_net_count_age_sex.csv"),
              ["time_start", "time_span", "sex", "age_start", "age_span", "value"],
              [[y, 5, s, int(a), 1000 if a == GRID[-1] else 5, float(M[y][s][i])] for y in M for s in ("female", "male")
               for i, a in enumerate(GRID)])
TOT = {2020: 4000.0, 2025: -2500.0}
ref.write_csv(os.path.join(HERE, "mig_net_count_tot_b.csv"), ["time_start", "time_span", "value"],
              [[y, 5, TOT[y]] for y in TOT])

pops = {("baseline", BASE): P, ("tot_b", BASE): P}
for k in range(STEPS):
    t = BASE + Z * k
    p = pops[("baseline", t)]
    pops[("baseline", t + Z)] = ref.step(p, S[t], F[t], SRB[t], M[t], Z, "even")
    p = pops[("tot_b", t)]
    total = sum(p[s].sum() for s in p)
    pops[("tot_b", t + Z)] = ref.step(p, S[t], F[t], SRB[t], {s: TOT[t] * p[s] / total for s in p}, Z, "even")
ref.write_expected(os.path.join(HERE, "expected.csv"), pops, "X", "total", Z)
