# SPDX-License-Identifier: Apache-2.0
"""Writes the tables and expected.csv of the conformance case un-flows-mig-rc-13-five-year-85 from
tests/conformance/outside13_reference.py: 5x5 on 85+, a net immigration flow spread by DemoTools'
mig_calculate_rc with all 13 parameters (a different set for each sex), its single-age values summed into the
five-year groups and 85+ (as mig_un_fam groups single ages, R/mig_un_fam.R 63-70), given as a profile table; an
emigration ("out") flow of men only by an extreme Rogers-Castro profile (alpha1 = 0, mu2 = 0, lambda2 = 5; integrated
by Simpson's rule over each group, 85+ over [85, 105)) whose years cut the second step; life tables: lt_abridged's
default axmethod "pas" on lt_nMx to 130, read as its lt_nLx folded into T85. ccmppWPP's step, even (variant end).
Never calls cohortgis.

`--mutant DIR` writes the same inputs with an expected.csv in which the out-flow of the step 2025-2030 counts all
five years of the step (its years [2021, 2027] hold two of them), which run_case.py must fail."""
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import outside13_reference as r  # noqa: E402

YEARS = [2020, 2025, 2030]
OPEN = 85
GRID = list(range(0, OPEN + 1, 5))
AB = r.ABRIDGED_AGES
RC13 = {  # (female, male): every family of R/mig_rc.R 17
    "female": dict(a1=0.02, alpha1=0.08, a2=0.06, alpha2=0.11, mu2=19.0, lambda2=0.45, a3=0.0008, alpha3=0.9,
                   mu3=62.0, lambda3=0.5, a4=0.00005, lambda4=0.04, c=0.003),
    "male": dict(a1=0.015, alpha1=0.1, a2=0.09, alpha2=0.09, mu2=23.0, lambda2=0.35, a3=0.0012, alpha3=1.1,
                 mu3=65.0, lambda3=0.7, a4=0.00002, lambda4=0.05, c=0.002),
}
RC_EXTREME = dict(a1=0.03, alpha1=0.0, a2=0.1, alpha2=0.05, mu2=0.0, lambda2=5.0, c=0.5)
IMMIGRATION, EMIGRATION, OUT_YEARS = 4000.0, 3000.0, (2021, 2027)


def mx_abridged(sex, year):
    f = 1.0 if sex == "female" else 1.15
    out = [0.006 * f * (0.9 ** ((year - 2020) / 5)), 0.0004 * f]
    for x in AB[2:]:
        g = 3e-5 * f * math.exp(0.1 * x) * (0.95 ** ((year - 2020) / 5))
        out.append(0.0003 * f + g / (1 + 0.6 * g))
    return out


def asfr5(year):
    base = {15: 0.012, 20: 0.06, 25: 0.1, 30: 0.095, 35: 0.05, 40: 0.012, 45: 0.001}
    return [base.get(x, 0.0) * (1 + 0.03 * (year - 2020) / 5) for x in GRID]


def base_population():
    P = {}
    for s in r.SEXES:
        f = 1.0 if s == "female" else 1.02
        P[s] = [9000.0 * f * math.exp(-0.0005 * x * x) for x in GRID]
        P[s][-1] = 60.0 if s == "female" else 2.0
    return P


def grouped_rc13():
    """mig_calculate_rc at single ages 0 ... 130 summed into 0-4, ..., 80-84 and 85+."""
    out = {}
    for s in r.SEXES:
        v = r.mig_calculate_rc(list(range(131)), RC13[s])
        out[s] = [sum(v[x:x + 5]) for x in GRID[:-1]] + [sum(v[OPEN:])]
    return out


def years_inside(t, first, last, z=5):
    return sum(1 for y in range(t + 1, t + z + 1) if first <= y <= last)


def project(timing, mutant=False):
    net = r.table_profile(grouped_rc13())
    out_profile = r.rc_profile(RC_EXTREME, 0.0, 5, OPEN)
    P = base_population()
    out = {2020: P}
    for y in YEARS:
        S = {}
        for s in r.SEXES:
            lt = r.lt_abridged_mx(mx_abridged(s, y), s, "pas", "ak", "w", 130)
            L = lt["L"]
            k = AB.index(OPEN)
            S[s] = r.survival_abridged(L[:k] + [sum(L[k:])], 100000.0)
        inflow = r.flow_migrants(IMMIGRATION, 5, net)
        n_out = 5 if (mutant and y == 2025) else years_inside(y, *OUT_YEARS)
        outflow = r.flow_migrants(EMIGRATION, n_out, out_profile)
        M = {s: [inflow[s][i] - outflow[s][i] for i in range(len(GRID))] for s in r.SEXES}
        P = r.un_step(P, S, asfr5(y), 1.06, M, timing, 5)
        out[y + 5] = P
    return out


def main(out_dir, mutant=False):
    rows = []
    for y in YEARS:
        for s in r.SEXES:
            lt = r.lt_abridged_mx(mx_abridged(s, y), s, "pas", "ak", "w", 130)
            rows += [["lt_nLx", y, s, x, repr(v)] for x, v in zip(lt["age"], lt["L"])]
            rows += [["lt_lx", y, s, x, repr(v)] for x, v in zip(lt["age"], lt["l"])]
    r.write_csv(os.path.join(out_dir, "life_table_age_sex.csv"),
                ["indicator", "time_start", "sex", "age_start", "value"], rows)
    r.write_csv(os.path.join(out_dir, "fert_rate_age_f.csv"), ["time_start", "age_start", "value"],
                [[y, x, repr(v)] for y in YEARS for x, v in zip(GRID, asfr5(y)) if v > 0])
    P0 = base_population()
    r.write_csv(os.path.join(out_dir, "pop_count_age_sex_base.csv"), ["sex", "age_start", "value"],
                [[s, x, repr(P0[s][i])] for s in r.SEXES for i, x in enumerate(GRID)])
    g = grouped_rc13()
    r.write_csv(os.path.join(out_dir, "mig_rc13_age5.csv"), ["sex", "age_start", "value"],
                [[s, x, repr(g[s][i])] for s in r.SEXES for i, x in enumerate(GRID)])
    r.write_expected(os.path.join(out_dir, "expected.csv"),
                     [("baseline", project("even", mutant)), ("end", project("end", mutant))], GRID)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--mutant":
        os.makedirs(sys.argv[2], exist_ok=True)
        main(sys.argv[2], mutant=True)
    else:
        main(HERE)
