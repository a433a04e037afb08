# SPDX-License-Identifier: Apache-2.0
"""ccmppWPP on its own grid (single years 0..130+, annual steps 2020 -> 2023) where every input changes every
time_start: lt_Sx, ASFR at ages 10..54 (non-zero at 10 and 54), SRB, net migration rates (mig_type "rates") and
mig_assumption even, end, even. The base population holds women only (ccmppWPP's extended base would hold 0 men;
the file has no male rows at all). Written from scenarios/README.md alone; expected.csv from ccmppWPP's loop as
../ccmppwpp_reference.py re-implements it (rates times each sex's own start population, then the override
P + M <= 0 -> M = 0.00001 - P, which gives every male cell 0.00001 migrants in the first step), never calling
cohortgis.
Run: /usr/bin/python3 make_case.py
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import ccmpp_reference as lt  # noqa: E402
import ccmppwpp_reference as wpp  # noqa: E402

W, BASE = 130, 2020
YEARS = [BASE, BASE + 1, BASE + 2]
ASSUME = {2020: "even", 2021: "end", 2022: "even"}
A = np.arange(W + 1)
SEXES = ("female", "male")
path = lambda name: os.path.join(HERE, name)  # noqa: E731
HDR = ["time_start", "time_span", "sex", "age_start", "age_span", "value"]
span = lambda x: 1000 if x == W else 1  # noqa: E731

# lt_Sx by time_start (DemoTools' lt_single_mx closes 130+ with nAx = 0.5) plus a "both" table the filter drops.
Sx = {}
rows = []
for k, t in enumerate(YEARS):
    for s, (c0, c1, c2, c3) in (("female", (0.006, 1.2e-4, 2.5e-5, 0.098)), ("male", (0.008, 2.8e-4, 4.9e-5, 0.092))):
        mx = (c0 * np.exp(-1.5 * A) + c1 + c2 * np.exp(c3 * A) / (1 + c2 * np.exp(c3 * A))) * (1.0 - 0.02 * k)
        _, _, lx, Lx = lt.single_year_table_from_mx(mx, s == "female")
        Lx[W] = 0.5 * lx[W]
        Sx[(t, s)] = lt.survival_from_Lx(Lx, lx[0], 1)
        for sex in (s, "both") if s == "male" else (s,):
            rows += [["lt_Sx", t, 1, sex, int(x), span(x), float(Sx[(t, s)][x])] for x in A]
lt.write_csv(path("life_table_age_sex.csv"), ["indicator"] + HDR, rows)

# Women only; no male rows (missing cells are 0).
Pf = 7000.0 * np.exp(-0.01 * A) / (1 + np.exp(0.1 * (A - 86.0)))
lt.write_csv(path("pop_count_age_sex_base.csv"), HDR, [[BASE, 0, "female", int(x), span(x), float(Pf[x])] for x in A])

# ASFR at 10..54 by time_start: every age of 10..54 non-zero (0.0004 at 10, 0.0002 at 54), rows 0..130.
def asfr(k, lo=10, hi=54):
    f = 0.12 * np.exp(-0.5 * ((A - (28.0 + 0.3 * k)) / 6.5) ** 2) * (1 - 0.05 * k)
    f[10], f[54] = 0.0004, 0.0002
    return np.where((A >= lo) & (A <= hi), f, 0.0)


lt.write_csv(path("fert_rate_age_f.csv"), ["time_start", "time_span", "age_start", "age_span", "value"],
             [[t, 1, int(x), span(x), float(asfr(k)[x])] for k, t in enumerate(YEARS) for x in A])
# The same rates cut to 15..49, with rows at 15..49 only (variant asfr-15-49).
lt.write_csv(path("fert_rate_age_f_15_49.csv"), ["time_start", "time_span", "age_start", "age_span", "value"],
             [[t, 1, int(x), 1, float(asfr(k, 15, 49)[x])] for k, t in enumerate(YEARS) for x in range(15, 50)])
SRB = {2020: 1.03, 2021: 1.062, 2022: 1.081}
lt.write_csv(path("srb.csv"), ["time_start", "time_span", "value"], [[t, 1, SRB[t]] for t in YEARS])

# Net migration rates per step by time_start; female 97 at -1 in 2021 (the override), every row to 130 equal past 100.
R = {}
for k, t in enumerate(YEARS):
    for s in SEXES:
        r = (0.015 if s == "female" else 0.03) * np.exp(-0.5 * ((A - 26.0) / 8.0) ** 2) - 0.002 * (k + 1)
        if t == 2021 and s == "female":
            r[97] = -1.0
        R[(t, s)] = r
lt.write_csv(path("mig_net_rate_age_sex.csv"), HDR,
             [[t, 1, s, int(x), span(x), float(R[(t, s)][x])] for t in YEARS for s in SEXES for x in A])
lt.write_csv(path("mig_parameter.csv"), ["indicator", "time_start", "time_span", "value"],
             [[ind, t, 1, v] for t in YEARS for ind, v in (("mig_type", "rates"), ("mig_assumption", ASSUME[t]))])


def project(fert_lo, fert_hi):
    P = {"female": Pf.copy(), "male": np.zeros(W + 1)}
    out = {BASE: {s: P[s].copy() for s in SEXES}}
    for k, t in enumerate(YEARS):
        M = {s: R[(t, s)] * P[s] for s in SEXES}
        for s in SEXES:
            bad = P[s] + M[s] <= 0
            M[s][bad] = 0.00001 - P[s][bad]
        f, m = wpp.step(1, P["female"], P["male"], Sx[(t, "female")], Sx[(t, "male")], asfr(k, fert_lo, fert_hi),
                        SRB[t], M["female"], M["male"], ASSUME[t])
        P = {"female": f, "male": m}
        out[t + 1] = {s: P[s].copy() for s in SEXES}
    return out


base = project(10, 54)
assert 0 < base[2021]["male"][50] <= 0.00001  # the override on the 0 cells
pops = {("baseline", y): p for y, p in base.items()}
pops.update({("asfr-15-49", y): p for y, p in project(15, 49).items()})
assert not np.allclose(pops[("asfr-15-49", 2023)]["female"][:3], base[2023]["female"][:3])
lt.write_expected(path("expected.csv"), pops, "X", "total", 1)
