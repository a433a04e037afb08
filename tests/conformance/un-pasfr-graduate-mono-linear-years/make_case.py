# SPDX-License-Identifier: Apache-2.0
"""Writes the tables and expected.csv of the conformance case un-pasfr-graduate-mono-linear-years from
tests/conformance/outside13_reference.py: a five-year pasfr given at time_start 2020 and 2025 only, each graduated
to single years by DemoTools' graduate_mono and then interpolated linearly between the two years for the steps
2021-2024 (scenarios/README.md: `between = "linear"` interpolates each given year's schedule as placed on the grid;
DemoTools' interp(method = "linear") at t), times a TFR path keyed at time_start + 1; 1x1 on 100+, ccmppWPP's step.
The pasfr has an empty group at one end in each year (10-14 in 2025, 50-54 in 2020), where Hyman's filter acts, so
graduating the interpolated pasfr would give other single-year rates. Never calls cohortgis.

`--mutant DIR` writes the same inputs with an expected.csv made the other way round (the five-year pasfr
interpolated first, then graduated), which run_case.py must fail."""
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import outside13_reference as r  # noqa: E402

STEPS = [2020, 2021, 2022, 2023, 2024, 2025]
GIVEN = {2020: [0.6, 6.5, 22.0, 31.0, 24.4, 11.5, 3.6, 0.4, 0.0],  # percent, 10-14 ... 50-54
         2025: [0.0, 2.1, 12.8, 27.5, 30.2, 18.9, 6.8, 1.2, 0.5]}
TFR = {2021: 1.62, 2026: 1.41}  # linear between: the UN's TFR of time_start Y at Y + 1
OPEN = 100
AGES = list(range(OPEN + 1))


def mx_single(sex, year):
    f = 1.0 if sex == "female" else 1.25
    m = [0.0035 * f * (0.98 ** (year - 2020))]
    for x in range(1, 131):
        g = 2.8e-5 * f * math.exp(0.099 * x) * (0.99 ** (year - 2020))
        m.append(0.0002 * f + g / (1 + 0.8 * g))
    return m


def tfr_at(year):
    (y1, v1), (y2, v2) = sorted(TFR.items())
    return v1 + (v2 - v1) * (min(max(year, y1), y2) - y1) / (y2 - y1)


def weights(t):
    return (2025 - t) / 5, (t - 2020) / 5


def asfr_single(t, mutant=False):
    w1, w2 = weights(t)
    if mutant:
        p5 = [w1 * a + w2 * b for a, b in zip(GIVEN[2020], GIVEN[2025])]
        g = r.graduate_mono(p5, 10)
    else:
        g1, g2 = r.graduate_mono(GIVEN[2020], 10), r.graduate_mono(GIVEN[2025], 10)
        g = [w1 * a + w2 * b for a, b in zip(g1, g2)]
        if t == 2020:
            g = g1
        elif t == 2025:
            g = g2
    tfr = tfr_at(t + 1)  # the path's value at the step's one calendar year t + 1
    total = sum(g)
    F = [0.0] * (OPEN + 1)
    for i, v in enumerate(g):
        F[10 + i] = tfr * v / total
    return F


def base_population():
    P = {}
    for s in r.SEXES:
        f = 1.0 if s == "female" else 1.04
        P[s] = [2000.0 * f * (1 + 0.4 * math.sin(x / 4.0)) * math.exp(-0.0003 * x * x) for x in AGES[:-1]]
        P[s].append(20.0 if s == "female" else 8.0)
    return P


def main(out_dir, mutant=False):
    lt = {(y, s): r.lt_single_mx(mx_single(s, y), s, "ak") for y in STEPS for s in r.SEXES}
    r.write_csv(os.path.join(out_dir, "life_table_age_sex.csv"),
                ["indicator", "time_start", "sex", "age_start", "value"],
                [["lt_nLx", y, s, x, repr(v)] for (y, s) in sorted(lt) for x, v in enumerate(lt[y, s]["L"])])
    r.write_csv(os.path.join(out_dir, "fert_pct_age_5x5.csv"), ["time_start", "age_start", "value"],
                [[y, 10 + 5 * i, repr(v)] for y in sorted(GIVEN) for i, v in enumerate(GIVEN[y])])
    P = base_population()
    r.write_csv(os.path.join(out_dir, "pop_count_age_sex_base.csv"), ["sex", "age_start", "value"],
                [[s, x, repr(P[s][x])] for s in r.SEXES for x in AGES])
    zero = {s: [0.0] * (OPEN + 1) for s in r.SEXES}
    out = {2020: P}
    for y in STEPS:
        S = {}
        for s in r.SEXES:
            L = lt[y, s]["L"]
            S[s] = r.survival_single(L[:OPEN] + [sum(L[OPEN:])], 100000.0)
        P = r.un_step(P, S, asfr_single(y, mutant), 1.05, zero, "even", 1)
        out[y + 1] = P
    r.write_expected(os.path.join(out_dir, "expected.csv"), [("baseline", out)], AGES)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--mutant":
        os.makedirs(sys.argv[2], exist_ok=True)
        main(sys.argv[2], mutant=True)
    else:
        main(HERE)
