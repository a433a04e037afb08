# SPDX-License-Identifier: Apache-2.0
"""Writes the case's tables and expected.csv (outside7_reference.py; see README.md): a closed population under
constant rates for 100 years (20 five-year steps), which must converge to the stable population. Checks here (not by
run_case.py): the projected growth ratio of the last step equals the dominant eigenvalue of the female Leslie matrix
of these rates, and their intrinsic rate lies near Lotka's r. `--mutant DIR`: the same inputs with the boys' and
girls' shares of the births swapped (srb read as females per male)."""
import math
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(here))
import numpy as np  # noqa: E402

import outside7_reference as R  # noqa: E402

out, mutant = R.out_dir(here, sys.argv)
z, w = 5, 85
ages5 = np.arange(0, w + 1, z)
n = len(ages5)
Lg, l0, S = R.five_year_lt(0.8, w)
pop = {"female": np.array([300., 340., 500., 620., 610., 580., 560., 700., 720., 650., 600., 520., 430., 350., 260.,
                           170., 90., 40.])}
pop["male"] = pop["female"] * np.linspace(1.05, 0.7, n)
asfr = {15: 0.02, 20: 0.09, 25: 0.13, 30: 0.11, 35: 0.05, 40: 0.012, 45: 0.001}
F = np.array([asfr.get(int(a), 0.0) for a in ages5])
srb = 1.05
years = list(range(2020, 2120, z))
rows = []
P = {s: pop[s].copy() for s in R.SEXES}
zero = {s: np.zeros(n) for s in R.SEXES}
for t in years:
    prev = P
    P, B, _ = R.un_step(P, S, F, 1 / srb if mutant else srb, zero, z, "even")
    if t + z in (2025, 2070, 2120):
        rows += R.expected_rows("baseline", t + z, "X", "total", P, ages5)
if not mutant:
    # the female Leslie matrix of the same step: B = z/2 Σ F_i (P_i + S_i P_{i-1}), girls B/(1+srb) survive S_0
    Lm = np.zeros((n, n))
    Sf = S["female"]
    for j in range(n):
        f = F[j] + (F[j + 1] * Sf[j + 1] if j + 1 < n else 0.0)
        Lm[0, j] = z / 2 * f * Sf[0] / (1 + srb)
    for i in range(1, n):
        Lm[i, i - 1] = Sf[i]
    Lm[n - 1, n - 1] += Sf[n - 1]
    lam = max(abs(np.linalg.eigvals(Lm)))
    ratio = P["female"].sum() / prev["female"].sum()
    assert abs(ratio / lam - 1) < 2e-3, (ratio, lam)  # the damped oscillation of an irregular base: 8.6e-4 left
    # Lotka: Σ e^(-r (a + 2.5)) (5L_a / l0) F_a / (1 + srb) = 1, by bisection
    g = lambda r: sum(math.exp(-r * (a + 2.5)) * Lg["female"][i] / l0["female"] * F[i] / (1 + srb)
                      for i, a in enumerate(ages5)) - 1
    lo, hi = -0.1, 0.1
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if g(mid) > 0 else (lo, mid)
    print(f"last step's growth ratio {ratio!r}, Leslie eigenvalue {lam!r}; per year {math.log(lam) / z!r}; "
          f"Lotka r {lo!r}; NRR {g(0.0) + 1!r}")
R.save_expected(here, out, mutant, rows)
if not mutant:
    R.write_base(here, pop, ages5)
    R.write_csv(os.path.join(here, "life_table_age_sex.csv"), ["indicator", "time_start", "sex", "age_start", "value"],
                [["lt_nLx", 2020, s, int(a), float(Lg[s][i])] for s in R.SEXES for i, a in enumerate(ages5)])
    R.write_csv(os.path.join(here, "fert_rate_age_f.csv"), ["time_start", "age_start", "value"],
                [[2020, a, v] for a, v in asfr.items()])
