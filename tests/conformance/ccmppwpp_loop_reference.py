# SPDX-License-Identifier: Apache-2.0
"""An outside author's re-reading of ccmppWPP's projection (round 23), written from the R source of markalava/ccmppWPP
at commit 09739c8 (GPL-3; the arithmetic only, no code copied) and scenarios/README.md, without reading the engine or
the other references here. Line numbers are of that commit.

* R/project_ccmpp_loop_over_time.R:62-86 (`migrants`): mig_type "counts" as given; "rates" times each sex's own
  population at the start of the step; "totals" (both sexes) spread as the start population of both sexes.
* R/project_ccmpp_loop_over_time.R:89-90 (`override`): where P + M <= 0 (an empty cell without migrants included),
  M := 0.00001 - P, computed on the start population (for age 0: the infants at the start, not the newborns).
* R/project_ccmpp_z_by_z.R:79-143 (`step`): half the migrants join at the start under "even" (and are survived
  with the cohort), the other half at the end (row 0's half joins the newborns); under "end" all at the end. The open
  row survives both the last closed group and itself with the open row's Sx. Births: z * ASFR * the mean of the
  women at the start (migration-adjusted) and at the end (before row 0 is set and before the floor), same age
  index, with the first and the open group's births set to 0; girls = B / (1 + srb). Negative end cells: 0.0005.
It does not call cohortgis.
"""
import csv
import os

import numpy as np

SEXES = ("female", "male")


def migrants(kind, P, value):
    """M by sex for one step: kind "counts" (value: {sex: vector}), "rates" ({sex: vector}) or "totals" (a number)."""
    if kind == "counts":
        return {s: np.array(value[s], dtype=float) for s in SEXES}
    if kind == "rates":
        return {s: np.array(value[s], dtype=float) * P[s] for s in SEXES}
    total = sum(P[s].sum() for s in SEXES)
    return {s: value * P[s] / total for s in SEXES}


def override(P, M):
    out = {}
    for s in SEXES:
        m = M[s].copy()
        bad = P[s] + m <= 0
        m[bad] = 0.00001 - P[s][bad]
        out[s] = m
    return out


def step(z, P, S, F, srb, M, assumption):
    """One project_ccmpp_z_by_z call: returns ({sex: end population}, total births)."""
    n = len(P["female"])
    even = assumption == "even"
    A, E, Q = {}, {}, {}
    for s in SEXES:
        A[s] = P[s] + M[s] / 2 if even else P[s].copy()
        E[s] = M[s] / 2 if even else np.zeros(n)
        q = np.empty(n)
        q[1:] = A[s][:-1] * S[s][1:] + E[s][1:]  # lag - (1 - S) lag = S lag
        q[n - 1] = (A[s][n - 2] + A[s][n - 1]) * S[s][n - 1] + E[s][n - 1]
        Q[s] = q
    births_by_age = z * F * (A["female"] + Q["female"]) / 2
    births_by_age[0] = 0.0
    births_by_age[n - 1] = 0.0
    B = births_by_age.sum()
    girls = B / (1 + srb)
    newborn = {"female": girls, "male": B - girls}
    for s in SEXES:
        Q[s][0] = newborn[s] * S[s][0] + E[s][0]
        if not even:
            Q[s] = Q[s] + M[s]
        Q[s] = np.where(Q[s] < 0, 0.0005, Q[s])
    return Q, B


def project(z, base_year, P, S, F, srb, mig, timing, steps):
    """The loop: S, F, srb, mig ((kind, value)) and timing keyed by time_start. Returns {year: {sex: vector}}."""
    out = {base_year: P}
    for k in range(steps):
        t = base_year + z * k
        kind, value = mig[t]
        M = override(P, migrants(kind, P, value))
        P, _ = step(z, P, S[t], F[t], srb[t], M, timing[t])
        out[t + z] = P
    return out


def write_csv(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for r in rows:
            w.writerow([repr(float(v)) if isinstance(v, (float, np.floating)) else v for v in r])


def write_expected(here, series, ages, variant="baseline", zone="X", mode="w"):
    rows = [[variant, y, zone, "total", s, int(a), float(series[y][s][i])]
            for y in sorted(series) if y != min(series) for s in SEXES for i, a in enumerate(ages)]
    path = os.path.join(here, "expected.csv")
    with open(path, mode, newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        if mode == "w":
            w.writerow(["variant", "year", "zone", "group", "sex", "age", "population"])
        for r in rows:
            w.writerow(r[:6] + [repr(r[6])])
