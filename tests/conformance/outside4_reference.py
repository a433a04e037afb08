# SPDX-License-Identifier: Apache-2.0
"""A fourth outside author's reference (round 19), written from scenarios/README.md and the docs it points to
(docs/ccmpp.md Part A and B) alone, never from cohortgis's source: one cohort-component step over states (zone,
group) with the step's net migrants M assembled from every flow, the policies of docs/ccmpp.md B2 (`wpp`: the override
M := 0.00001 - P where P + M <= 0, A2; `conserve`: a cell's out-flows scaled by one factor to max(P - 0.00001, 0)
when they exceed P; both: the floor 0.0005 of A3 step 7), births with a newborn rule, srb by zone. The step follows A3 as
written: deaths D = (1 - S) * A subtracted, not S * A. Plain numpy; used by the make_case.py of the "h89" cases.
"""
import numpy as np

from readme_reference import newborn_groups

OVERRIDE, FLOOR = 0.00001, 0.0005


def conserve_scale(P, outs):
    """docs/ccmpp.md B2 `conserve`: outs is a list of out-flow arrays of one state and sex (each >= 0, by age at the
    start). Where their sum exceeds P, every one of them is scaled by max(P - 0.00001, 0) / sum (0 where P is
    0.00001 or less: docs/ccmpp.md B2 as corrected in round 19). Returns the scaled list."""
    tot = np.sum(outs, axis=0)
    f = np.where(tot > P, np.maximum(P - OVERRIDE, 0.0) / np.where(tot > 0, tot, 1.0), 1.0)
    return [o * f for o in outs]


def step(P, S, F, srb, M, timing, z, policy="wpp", newborn=None):
    """One step (docs/ccmpp.md A3) of every state: P[(zone, group, sex)] by age index 0 .. w (w open); S likewise
    (row 0 = births); F[(zone, group)] ASFR per woman per year; srb[zone] boys per girl; M[(zone, group, sex)] the
    step's net migrants (missing = 0; conserve scaling is the caller's, with conserve_scale); timing "even"/"end";
    policy "wpp" (override, then floor) or "conserve" (floor only). newborn: [(mother_group, child_group, share)].
    Returns (end population, births by (zone, group) of the mothers)."""
    Mk = {k: np.array(M.get(k, np.zeros_like(P[k])), float) for k in P}
    if policy == "wpp":
        for k in P:
            bad = P[k] + Mk[k] <= 0.0
            Mk[k][bad] = OVERRIDE - P[k][bad]
    A, E, Q = {}, {}, {}
    for k in P:
        A[k] = P[k] + Mk[k] / 2.0 if timing == "even" else P[k].astype(float).copy()
        E[k] = Mk[k] / 2.0 if timing == "even" else np.zeros_like(Mk[k])
        s, a = S[k], A[k]
        D = np.zeros_like(a)
        D[1:-1] = (1.0 - s[1:-1]) * a[:-2]
        D[-1] = (1.0 - s[-1]) * (a[-2] + a[-1])
        q = np.zeros_like(a)
        q[1:-1] = a[:-2] - D[1:-1] + E[k][1:-1]
        q[-1] = a[-2] + a[-1] - D[-1] + E[k][-1]
        Q[k] = q
    births = {}
    for (zone, g, sex) in P:
        if sex == "female":
            f = np.asarray(F.get((zone, g), np.zeros_like(P[(zone, g, sex)])), float)
            Af, Qf = A[(zone, g, sex)], Q[(zone, g, sex)]
            births[(zone, g)] = float(np.sum(z * f[1:-1] * (Af[1:-1] + Qf[1:-1]) / 2.0))
    for (zone, g), b in newborn_groups(births, newborn).items():
        bf = b * (1.0 / (1.0 + srb[zone]))
        for sex, bs in (("female", bf), ("male", b - bf)):
            k = (zone, g, sex)
            Q[k][0] = bs - (1.0 - S[k][0]) * bs + E[k][0]
    for k in Q:
        if timing == "end":
            Q[k] = Q[k] + Mk[k]
        Q[k] = np.where(Q[k] >= 0.0, Q[k], FLOOR)
    return Q, births
