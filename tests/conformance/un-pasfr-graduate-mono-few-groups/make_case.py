# SPDX-License-Identifier: Apache-2.0
"""Writes the tables and expected.csv of the conformance case un-pasfr-graduate-mono-few-groups from
tests/conformance/outside13_reference.py: five-year pasfr by time_start, each year with its own groups (nine groups
10-54 with empty ends; two; one; three with an empty middle group), graduated to single years by DemoTools'
graduate_mono (R's splinefun(method = "hyman"): fmm slopes, a parabola through three knots, a line through two,
Hyman's filter), times a TFR path, projected 1x1 on 100+ by ccmppWPP's step. Never calls cohortgis.

`--mutant DIR` writes the same inputs with an expected.csv whose graduation takes the natural spline's slopes
(S'' = 0 at both ends) instead of fmm's, which run_case.py must fail."""
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import outside13_reference as r  # noqa: E402

YEARS = [2020, 2021, 2022, 2023]
OPEN = 100
AGES = list(range(OPEN + 1))
PASFR5 = {  # percent of the TFR by five-year group: (first age, values)
    2020: (10, [0.0, 4.0, 18.5, 30.2, 27.0, 14.3, 5.2, 0.8, 0.0]),
    2021: (20, [55.0, 45.0]),
    2022: (25, [100.0]),
    2023: (20, [40.0, 0.0, 60.0]),
}
TFR = {2021: 1.9, 2022: 1.8, 2023: 1.7, 2024: 1.65}  # calendar-year keys: time_start + 1


def natural_slopes(x, y):
    """Natural cubic spline's knot slopes (S'' = 0 at both ends), for the mutant only."""
    n = len(x)
    if n == 2:
        t = (y[1] - y[0]) / (x[1] - x[0])
        return [t, t]
    h = [x[i + 1] - x[i] for i in range(n - 1)]
    A = [[0.0] * n for _ in range(n)]
    rhs = [0.0] * n
    A[0][0] = A[n - 1][n - 1] = 1.0
    for i in range(1, n - 1):
        A[i][i - 1], A[i][i], A[i][i + 1] = h[i - 1], 2 * (h[i - 1] + h[i]), h[i]
        rhs[i] = 6 * ((y[i + 1] - y[i]) / h[i] - (y[i] - y[i - 1]) / h[i - 1])
    for i in range(1, n):
        f = A[i][i - 1] / A[i - 1][i - 1]
        for j in range(n):
            A[i][j] -= f * A[i - 1][j]
        rhs[i] -= f * rhs[i - 1]
    M = [0.0] * n
    for i in range(n - 1, -1, -1):
        M[i] = (rhs[i] - sum(A[i][j] * M[j] for j in range(i + 1, n))) / A[i][i]
    b = [(y[i + 1] - y[i]) / h[i] - h[i] * (2 * M[i] + M[i + 1]) / 6 for i in range(n - 1)]
    b.append((y[n - 1] - y[n - 2]) / h[n - 2] + h[n - 2] * (M[n - 2] + 2 * M[n - 1]) / 6)
    return b


def mx_single(sex, year):
    f = 1.0 if sex == "female" else 1.3
    m = [0.004 * f * (0.97 ** (year - 2020))]
    for x in range(1, 131):
        g = 2.5e-5 * f * math.exp(0.1 * x)
        m.append(0.00025 * f + g / (1 + 0.9 * g))
    return m


def asfr_single(year, mutant=False):
    first, vals = PASFR5[year]
    if mutant:
        saved = r.fmm_spline
        r.fmm_spline = natural_slopes
        g = r.graduate_mono(vals, first)
        r.fmm_spline = saved
    else:
        g = r.graduate_mono(vals, first)
    tfr = TFR[year + 1]
    total = sum(g)
    F = [0.0] * (OPEN + 1)
    for i, v in enumerate(g):
        F[first + i] = tfr * v / total
    return F


def base_population():
    P = {}
    for s in r.SEXES:
        f = 1.0 if s == "female" else 1.03
        P[s] = [1500.0 * f * math.exp(-0.00035 * x * x) for x in AGES[:-1]]
        P[s].append(12.0 if s == "female" else 5.0)
    return P


def main(out_dir, mutant=False):
    lt = {(y, s): r.lt_single_mx(mx_single(s, y), s, "ak") for y in YEARS for s in r.SEXES}
    r.write_csv(os.path.join(out_dir, "life_table_age_sex.csv"),
                ["indicator", "time_start", "sex", "age_start", "value"],
                [["lt_nLx", y, s, x, repr(v)] for (y, s) in sorted(lt) for x, v in enumerate(lt[y, s]["L"])])
    r.write_csv(os.path.join(out_dir, "fert_pct_age_5x5.csv"), ["time_start", "age_start", "age_span", "value"],
                [[y, PASFR5[y][0] + 5 * i, 5, repr(v)] for y in YEARS for i, v in enumerate(PASFR5[y][1])])
    P = base_population()
    r.write_csv(os.path.join(out_dir, "pop_count_age_sex_base.csv"), ["sex", "age_start", "value"],
                [[s, x, repr(P[s][x])] for s in r.SEXES for x in AGES])
    zero = {s: [0.0] * (OPEN + 1) for s in r.SEXES}
    out = {2020: P}
    for y in YEARS:
        S = {}
        for s in r.SEXES:
            L = lt[y, s]["L"]
            S[s] = r.survival_single(L[:OPEN] + [sum(L[OPEN:])], 100000.0)  # T100: rows 100 ... 130 summed
        P = r.un_step(P, S, asfr_single(y, mutant), 1.05, zero, "end", 1)
        out[y + 1] = P
    r.write_expected(os.path.join(out_dir, "expected.csv"), [("baseline", out)], AGES)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--mutant":
        os.makedirs(sys.argv[2], exist_ok=True)
        main(sys.argv[2], mutant=True)
    else:
        main(HERE)
