# SPDX-License-Identifier: Apache-2.0
"""An independent implementation of docs/ccmpp.md Part A (A1-A3), the UN's ccmppWPP step, in plain numpy.

It does not import or call cohortgis. The cases' make_case.py scripts use it to compute expected.csv from the same
tables the scenario reads. Arrays are by age index i = 0 .. w (w = the open group); z is the step and age width.
"""
import csv

import numpy as np


def survival_from_Lx(L, l0, z, layout="single_year"):
    """A1: survival ratios from person-years. layout: "single_year" (rows 0, 1, ..., w; z = 1), "five_year"
    (rows 0, 5, ..., w) or "abridged" (rows 0, 1, 5, 10, ...; 1L0 + 4L1 make 5L0). The last row holds T_w."""
    L = np.asarray(L, dtype=float)
    if layout == "abridged":
        L = np.concatenate([[L[0] + L[1]], L[2:]])
    S = np.empty_like(L)
    S[0] = L[0] / (z * l0)
    S[1:-1] = L[1:-1] / L[:-2]
    S[-1] = L[-1] / (L[-2] + L[-1])
    return S


def single_year_table_from_mx(mx, female, radix=100000.0):
    """A single-year life table from mx with the conventions of docs/ccmpp.md A1 and scenarios/README.md: a0 by
    Andreev & Kingkade (2015, the m0 version), ax = 0.5 at ages 1 .. w-1, qx = mx / (1 + (1 - ax) mx),
    L = l(x+1) + ax d, and the open group L_w = l_w / m_w. Returns (ax, qx, lx, Lx)."""
    mx = np.asarray(mx, dtype=float)
    m0 = mx[0]
    if female:
        a0 = 0.14903 - 2.05527 * m0 if m0 < 0.01724 else (0.04667 + 3.88089 * m0 if m0 < 0.06891 else 0.31411)
    else:
        a0 = 0.14929 - 1.99545 * m0 if m0 < 0.0230 else (0.02832 + 3.26021 * m0 if m0 < 0.08307 else 0.29915)
    w = len(mx) - 1
    ax = np.full(w + 1, 0.5)
    ax[0] = a0
    qx = mx / (1.0 + (1.0 - ax) * mx)
    qx[w] = 1.0
    ax[w] = 1.0 / mx[w]
    lx = np.empty(w + 1)
    lx[0] = radix
    for i in range(w):
        lx[i + 1] = lx[i] * (1.0 - qx[i])
    Lx = np.empty(w + 1)
    for i in range(w):
        Lx[i] = lx[i + 1] + ax[i] * (lx[i] - lx[i + 1])
    Lx[w] = lx[w] / mx[w]
    return ax, qx, lx, Lx


def step(P, S, F, srb, M, z, timing="even", wpp=True):
    """A2 + A3: one step. P, S, M: dicts {"female": array, "male": array}; F: annual ASFR by index (women);
    srb: male births per female birth. Returns the end population {"female": array, "male": array}."""
    M = {s: np.array(M[s], dtype=float) for s in P}
    if wpp:  # A2, the WPP override: a cell that migration would empty keeps 0.00001 persons.
        for s in P:
            bad = P[s] + M[s] <= 0
            M[s][bad] = 0.00001 - P[s][bad]
    A, E, Q = {}, {}, {}
    for s in P:
        if timing == "even":  # 1. half the migrants at the start, half at the end
            A[s], E[s] = P[s] + M[s] / 2, M[s] / 2
        else:
            A[s], E[s] = P[s].copy(), np.zeros_like(P[s])
        Sx, a = S[s], A[s]
        D = np.zeros_like(a)
        D[1:-1] = (1 - Sx[1:-1]) * a[:-2]  # 2. cohort deaths
        D[-1] = (1 - Sx[-1]) * (a[-2] + a[-1])
        Q[s] = np.zeros_like(a)
        Q[s][1:-1] = a[:-2] - D[1:-1] + E[s][1:-1]  # 3. a subtraction of deaths, not S * A
        Q[s][-1] = a[-2] + a[-1] - D[-1] + E[s][-1]
    F = np.asarray(F, dtype=float).copy()
    F[0] = F[-1] = 0.0
    Bi = z * F * (A["female"] + Q["female"]) / 2  # 4. births by age of mother
    B = Bi[1:-1].sum()
    births = {"female": B * (1 / (1 + srb))}
    births["male"] = B - births["female"]
    out = {}
    for s in P:
        Q[s][0] = births[s] - (1 - S[s][0]) * births[s] + E[s][0]  # 5. newborns
        if timing == "end":
            Q[s] += M[s]  # 6.
        out[s] = np.where(Q[s] >= 0, Q[s], 0.0005)  # 7. the floor
    return out


def write_csv(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for r in rows:
            w.writerow([repr(float(v)) if isinstance(v, (float, np.floating)) else v for v in r])


def age_starts(z, w_index):
    return [z * i for i in range(w_index + 1)]


def write_expected(path, pops, zone, group, z):
    """expected.csv in the layout of population.csv from {(variant, year): {"female": arr, "male": arr}} (all in
    `zone`) or {(variant, year, zone): ...}."""
    rows = []
    for key, pop in pops.items():
        variant, year, zid = key if len(key) == 3 else (*key, zone)
        for s in ("female", "male"):
            for i, v in enumerate(pop[s]):
                rows.append([variant, year, zid, group, s, z * i, float(v)])
    write_csv(path, ["variant", "year", "zone", "group", "sex", "age", "population"], rows)
