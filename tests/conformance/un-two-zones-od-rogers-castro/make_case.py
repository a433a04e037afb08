# SPDX-License-Identifier: Apache-2.0
"""Two zones, 5x5 on 85+, three periods 2020 -> 2035: ccmppWPP's step per zone (five-year lt_Sx by time_start,
ASFR, SRB) with migration between the zones as OD rates per pair spread by `od_profile = "rogers-castro"` (rescaled
by c so that z * r * sum P leave), external in-migrants as a flow of total_per_year shared by base population and
spread by a Rogers-Castro profile with its own parameters and female_share (years [2021, 2027]: 5 then 2 years),
external out-migrants per zone spread uniformly; timing even (2020) then end (2025). Written from scenarios/README.md
alone; expected.csv from numpy (../readme_reference.py), never calling cohortgis. Run: /usr/bin/python3 make_case.py
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import readme_reference as rr  # noqa: E402

Z, W, BASE, YEARS = 5, 85, 2020, [2020, 2025, 2030]
N = W // Z + 1
AGES = np.arange(N) * Z
ZONES = ("A", "B")
OD = {("A", "B"): 0.012, ("B", "A"): 0.005}
TIMING = {2020: "even", 2025: "end", 2030: "end"}
IN_TOTAL, IN_YEARS, IN_FEMALE = 400.0, (2021, 2027), 0.45
IN_RC = dict(a1=0.015, alpha1=0.12, a2=0.08, alpha2=0.12, mu2=22.0, lambda2=0.35, c=0.002)
OUT = {"A": 60.0, "B": 90.0}
path = lambda name: os.path.join(HERE, name)  # noqa: E731
HDR = ["time_start", "time_span", "sex", "age_start", "age_span", "value"]

# five-year lt_Sx from a single-year table grouped (PHG 2001 ch. 6: S = 5L(x)/5L(x-5), S0 = 5L0/(5 l0), Sw = Tw/T(w-5))
SX, rows = rr.gompertz_lt_sx(YEARS, W, HDR)
rr.write_csv(path("life_table_age_sex.csv"), ["indicator"] + HDR, rows)

P0 = {}
for zi, zone in enumerate(ZONES):
    P0[(zone, "total", "female")] = (8000.0 - 3000 * zi) * np.exp(-0.01 * AGES) / (1 + np.exp(0.1 * (AGES - 80.0)))
    P0[(zone, "total", "male")] = (8200.0 - 2800 * zi) * np.exp(-0.013 * AGES) / (1 + np.exp(0.11 * (AGES - 76.0)))
rr.write_csv(path("pop_count_age_sex_base.csv"), ["zone"] + HDR,
             [[zone, BASE, 0, s, int(AGES[i]), 1000 if i == N - 1 else 5, float(P0[(zone, "total", s)][i])]
              for zone in ZONES for s in rr.SEXES for i in range(N)])
F = {(t, zone): np.where((AGES >= 15) & (AGES < 50), (0.06 + 0.01 * zi) * np.exp(-0.5 * ((AGES - 28.0) / 7.0) ** 2),
                         0.0) * (1 - 0.03 * k)
     for k, t in enumerate(YEARS) for zi, zone in enumerate(ZONES)}
rr.write_csv(path("fert_rate_age_f.csv"), ["zone", "time_start", "time_span", "age_start", "age_span", "value"],
             [[zone, t, 5, int(AGES[i]), 5, float(F[(t, zone)][i])] for zone in ZONES for t in YEARS
              for i in range(3, 10)])
rr.write_csv(path("srb.csv"), ["time_start", "time_span", "value"], [[2020, 5, 1.06], [2025, 5, 1.05]])
rr.write_csv(path("od_rates.csv"), ["origin", "destination", "rate"], [[o, d, r] for (o, d), r in OD.items()])

od_prof = rr.rc_shares(Z, W) * N  # the engine's default schedule, shares x the number of age groups
in_shares = rr.rc_shares(Z, W, **IN_RC)
base_tot = {zone: sum(P0[(zone, "total", s)].sum() for s in rr.SEXES) for zone in ZONES}
in_zone_share = {zone: base_tot[zone] / sum(base_tot.values()) for zone in ZONES}


def project():
    P = {k: v.copy() for k, v in P0.items()}
    out = [(BASE, P)]
    for t in YEARS:
        z_in = sum(1 for y in range(t + 1, t + Z + 1) if IN_YEARS[0] <= y <= IN_YEARS[1])
        M = {k: np.zeros(N) for k in P}
        for (o, d), r in OD.items():
            num = sum(P[(o, "total", s)].sum() for s in rr.SEXES)
            den = sum((od_prof * P[(o, "total", s)]).sum() for s in rr.SEXES)
            c = num / den
            for s in rr.SEXES:
                X = Z * r * c * od_prof * P[(o, "total", s)]
                M[(o, "total", s)] -= X
                M[(d, "total", s)] += X
        for zone in ZONES:
            for s in rr.SEXES:
                fs = IN_FEMALE if s == "female" else 1.0 - IN_FEMALE
                M[(zone, "total", s)] += IN_TOTAL * z_in * in_zone_share[zone] * fs * in_shares
                M[(zone, "total", s)] -= Z * OUT[zone] * 0.5 / N
        S = {(zone, "total", s): SX[(t, s)] for zone in ZONES for s in rr.SEXES}
        srb = {zone: 1.06 if t < 2025 else 1.05 for zone in ZONES}
        P, _ = rr.step(P, S, {(zone, "total"): F[(t, zone)] for zone in ZONES}, srb, M, TIMING[t], Z)
        out.append((t + Z, P))
    return out


rr.write_expected(path("expected.csv"), {"baseline": project()}, AGES)
