# SPDX-License-Identifier: Apache-2.0
"""1x1 on 100+, seven annual steps 2020 -> 2027 from inputs given only at time_start 2020 and 2025 (the UN's period
inputs used for annual steps) with `between = "linear"` on every table: lt_nLx to 110 (folded into T100, interpolated
before the survival ratios), ASFR (age 15 missing in 2025: rate 0 there), SRB, net counts; after 2025 the 2025 rows
hold. Variant "mx": each year's lt_nMx closed at 100 keeping person-years, then the grid's rates interpolated;
variant "qx": the table reshaped into qx + ax columns, each year's person-years interpolated (not its qx). Written from scenarios/README.md alone;
expected.csv from numpy (../readme_reference.py), never calling cohortgis. Run: /usr/bin/python3 make_case.py
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import readme_reference as rr  # noqa: E402

Z, W, WT, BASE, HORIZON = 1, 100, 110, 2020, 2027
KEYS = [2020, 2025]
N = W + 1
AGES = np.arange(N)
AT = np.arange(WT + 1)
RADIX = 100000.0
path = lambda name: os.path.join(HERE, name)  # noqa: E731
HDR = ["time_start", "time_span", "sex", "age_start", "age_span", "value"]

MX, LX, QX, rows, qrows = {}, {}, {}, [], []
for k, t in enumerate(KEYS):
    for s, (c0, c1, c2, c3) in (("female", (0.01, 1.2e-4, 2.5e-5, 0.1)), ("male", (0.014, 2.5e-4, 5e-5, 0.097))):
        mx = (c0 * np.exp(-1.5 * AT) + c1 + c2 * np.exp(c3 * AT)) * (1 - 0.1 * k)
        mx[0] = c0 * (1 - 0.15 * k)
        mx = np.minimum(mx, 1.5)
        MX[(t, s)] = mx
        _, l, L = rr.single_table(mx, s == "female")
        LX[(t, s)] = RADIX * L
        rows += [["lt_nMx", t, 5, s, int(a), 1000 if a == WT else 1, float(mx[a])] for a in AT]
        ax = np.full(WT + 1, 0.5)
        ax[0] = 0.08 + 0.03 * k  # the qx table's own ax (not the AK a0)
        q = mx / (1.0 + (1.0 - ax) * mx)
        q[-1] = 1.0
        QX[(t, s)] = (q, ax, mx[-1])
        qrows += [[t, s, int(a), float(q[a]), float(ax[a]), float(mx[a]) if a == WT else ""] for a in AT]
        rows += [["lt_nLx", t, 5, s, int(a), 1000 if a == WT else 1, float(RADIX * L[a])] for a in AT]
rr.write_csv(path("life_table_age_sex.csv"), ["indicator"] + HDR, rows)
rr.write_csv(path("life_table_qx_columns.csv"), ["time_start", "sex", "age_start", "value", "ax", "mx"], qrows)


def person_years_from_qx(t, s):
    """Each given year's table from its qx, ax and open mx (radix 100000), folded into T100."""
    q, ax, m_open = QX[(t, s)]
    l = np.empty(WT + 1)
    L = np.empty(WT + 1)
    l[0] = RADIX
    for a in range(WT):
        l[a + 1] = l[a] * (1.0 - q[a])
        L[a] = l[a + 1] + ax[a] * (l[a] - l[a + 1])
    L[WT] = l[WT] / m_open
    return np.concatenate([L[:W], [L[W:].sum()]])


LQ = {(t, s): person_years_from_qx(t, s) for t in KEYS for s in rr.SEXES}
F = {2020: np.where((AGES >= 15) & (AGES <= 49), 0.1 * np.exp(-0.5 * ((AGES - 28.0) / 6.0) ** 2), 0.0),
     2025: np.where((AGES >= 16) & (AGES <= 49), 0.085 * np.exp(-0.5 * ((AGES - 30.0) / 6.0) ** 2), 0.0)}
rr.write_csv(path("fert_rate_age_f.csv"), ["time_start", "time_span", "age_start", "age_span", "value"],
             [[t, 5, int(a), 1, float(F[t][a])] for t in KEYS for a in AGES if F[t][a] > 0])
SRB = {2020: 1.08, 2025: 1.05}
rr.write_csv(path("srb.csv"), ["time_start", "time_span", "value"], [[t, 5, SRB[t]] for t in KEYS])
MIG = {(t, s): (3.0 - 5.0 * k) * np.exp(-0.5 * ((AGES - 26.0) / 7.0) ** 2) for k, t in enumerate(KEYS)
       for s in rr.SEXES}
rr.write_csv(path("mig_net_count_age_sex.csv"), HDR,
             [[t, 5, s, int(a), 1000 if a == W else 1, float(MIG[(t, s)][a])] for t in KEYS for s in rr.SEXES
              for a in AGES])
P0 = {"female": 1000.0 * np.exp(-0.01 * AGES) / (1 + np.exp(0.11 * (AGES - 84.0))),
      "male": 1030.0 * np.exp(-0.012 * AGES) / (1 + np.exp(0.12 * (AGES - 80.0)))}
rr.write_csv(path("pop_count_age_sex_base.csv"), HDR,
             [[BASE, 0, s, int(a), 1000 if a == W else 1, float(P0[s][a])] for s in rr.SEXES for a in AGES])


def lin(table, t, key=lambda y: y):
    """README "Schedules that change over time", between = "linear": weights (Y2 - t)/(Y2 - Y1) and
    (t - Y1)/(Y2 - Y1) between the given years; after the last given year the last holds."""
    if t >= KEYS[-1]:
        return table[key(KEYS[-1])]
    y1, y2 = KEYS[0], KEYS[1]
    return (y2 - t) / (y2 - y1) * table[key(y1)] + (t - y1) / (y2 - y1) * table[key(y2)]


def project(variant):
    P = {("X", "total", s): P0[s].copy() for s in rr.SEXES}
    out = [(BASE, P)]
    for t in range(BASE, HORIZON):
        S = {}
        for s in rr.SEXES:
            if variant == "baseline":
                Lt = lin(LX, t, lambda y: (y, s))
                L = np.concatenate([Lt[:W], [Lt[W:].sum()]]) / RADIX  # folded into T100
            elif variant == "qx":  # the person-years of each year's table are interpolated, not its qx
                L = lin(LQ, t, lambda y: (y, s)) / RADIX
            else:  # each year's rates closed at 100 keeping person-years, then the grid's rates interpolated
                CL = {}
                for y in KEYS:
                    _, l, Lfull = rr.single_table(MX[(y, s)], s == "female")
                    CL[y] = np.concatenate([MX[(y, s)][:W], [l[W] / Lfull[W:].sum()]])
                m = lin(CL, t)
                L = rr.single_table(m, s == "female")[2]
            S[("X", "total", s)] = rr.survival_single(L)
        M = {("X", "total", s): lin(MIG, t, lambda y: (y, s)) for s in rr.SEXES}
        P, _ = rr.step(P, S, {("X", "total"): lin(F, t)}, {"X": lin(SRB, t)}, M, "even", Z)
        out.append((t + Z, P))
    return out


rr.write_expected(path("expected.csv"), {v: project(v) for v in ("baseline", "mx", "qx")}, AGES)
