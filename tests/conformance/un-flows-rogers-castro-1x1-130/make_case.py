# SPDX-License-Identifier: Apache-2.0
"""Writes the tables and expected.csv of the conformance case un-flows-rogers-castro-1x1-130 from
tests/conformance/outside13_reference.py: net emigration and immigration flows spread by Rogers-Castro profiles
(scenarios/README.md: the schedule integrated by Simpson's rule over each single year, the open group 130+ over
[130, 150)) with the parameters of DemoTools' mig_calculate_rc example (R/mig_rc.R 32-34, its retirement family
left out) and one without the childhood and constant terms; variant: the same emigration spread by DemoTools' own
point values mig_calculate_rc(0:130, pars) with the retirement family, as a profile table. Life tables from lt_nMx to
130 as lt_single_mx (AK a0, open_ax = 0.5); ccmppWPP's step, override and floor. Never calls cohortgis.

`--mutant DIR` writes the same inputs with an expected.csv whose Rogers-Castro shares are the point values at each
single age (mig_calculate_rc) instead of the integrals over the year, which run_case.py must fail."""
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import outside13_reference as r  # noqa: E402

YEARS = [2020, 2021, 2022]
OPEN = 130
AGES = list(range(OPEN + 1))
TIMING = {2020: "even", 2021: "even", 2022: "end"}
RC_EXAMPLE = dict(a1=0.09, alpha1=0.1, a2=0.2, alpha2=0.1, mu2=21.0, lambda2=0.39, c=0.01)  # R/mig_rc.R 32-34
RC_EXAMPLE_11 = dict(RC_EXAMPLE, a3=0.001, alpha3=1.0, mu3=67.0, lambda3=0.6)  # with its retirement family
RC_LABOUR = dict(a1=0.0, a2=0.25, alpha2=0.08, mu2=30.0, lambda2=0.25, c=0.0)  # alpha1 left at its default
EMIGRATION, IMMIGRATION = -2500.0, 1200.0  # persons per year: 2021-2023, and 2022 only


def mx_single(sex, year):
    f = 1.0 if sex == "female" else 1.2
    m = [0.011 * f * (0.95 ** (year - 2020))]
    for x in range(1, 131):
        g = 3e-5 * f * math.exp(0.1 * x)
        m.append(0.0004 * f + g / (1 + 0.7 * g))
    return m


def asfr(year):
    F = [0.0] * (OPEN + 1)
    for a in range(15, 50):
        F[a] = 0.105 * math.exp(-((a - 28.5) / 6.5) ** 2) * (1 - 0.02 * (year - 2020))
    return F


def base_population():
    P = {}
    for s in r.SEXES:
        f = 1.0 if s == "female" else 0.97
        P[s] = [300.0 * f * math.exp(-0.02 * x) * (1.0 if x < 90 else math.exp(-0.35 * (x - 90))) for x in AGES]
        P[s][OPEN] = 0.0
    return P


def point_shares(params):
    """The mutant: mig_calculate_rc's point values at 0 ... 130 as the shares."""
    p = dict(r.RC_DEFAULTS)
    p.update(params)
    v = r.mig_calculate_rc(AGES, p)
    t = sum(v)
    return [x / t for x in v]


def profiles(mutant=False):
    if mutant:
        em = {"female": [0.45 * v for v in point_shares(RC_EXAMPLE)],
              "male": [0.55 * v for v in point_shares(RC_EXAMPLE)]}
        im = {"female": point_shares(RC_LABOUR), "male": [0.0] * (OPEN + 1)}
        return em, im
    return r.rc_profile(RC_EXAMPLE, 0.45, 1, OPEN), r.rc_profile(RC_LABOUR, 1.0, 1, OPEN)


def table_values():
    v = r.mig_calculate_rc(AGES, RC_EXAMPLE_11)
    return {"female": [0.45 * x for x in v], "male": [0.55 * x for x in v]}


def project(flows_by_year):
    lt = {}
    P = base_population()
    out = {2020: P}
    for y in YEARS:
        S = {}
        for s in r.SEXES:
            lt = r.lt_single_mx(mx_single(s, y), s, "ak")
            S[s] = r.survival_single(lt["L"], 100000.0)
        M = flows_by_year(y)
        P = r.un_step(P, S, asfr(y), 1.05, M, TIMING[y], 1)
        out[y + 1] = P
    return out


def main(out_dir, mutant=False):
    r.write_csv(os.path.join(out_dir, "life_table_age_sex.csv"),
                ["indicator", "time_start", "sex", "age_start", "value"],
                [["lt_nMx", y, s, x, repr(v)] for y in YEARS for s in r.SEXES for x, v in enumerate(mx_single(s, y))])
    r.write_csv(os.path.join(out_dir, "fert_rate_age_f.csv"), ["time_start", "age_start", "value"],
                [[y, x, repr(v)] for y in YEARS for x, v in enumerate(asfr(y)) if v > 0])
    P0 = base_population()
    r.write_csv(os.path.join(out_dir, "pop_count_age_sex_base.csv"), ["sex", "age_start", "value"],
                [[s, x, repr(P0[s][x])] for s in r.SEXES for x in AGES])
    tv = table_values()
    r.write_csv(os.path.join(out_dir, "mig_rc_profile.csv"), ["sex", "age_start", "value"],
                [[s, x, repr(tv[s][x])] for s in r.SEXES for x in AGES])

    em, im = profiles(mutant)

    def baseline(y):
        M = r.flow_migrants(EMIGRATION, 1, em)
        if y == 2021:
            inflow = r.flow_migrants(IMMIGRATION, 1, im)
            M = {s: [M[s][x] + inflow[s][x] for x in AGES] for s in r.SEXES}
        return M

    table = r.table_profile(tv)

    def variant(y):
        return r.flow_migrants(EMIGRATION, 1, table)

    r.write_expected(os.path.join(out_dir, "expected.csv"),
                     [("baseline", project(baseline)), ("mig-rc-table", project(variant))], AGES)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--mutant":
        os.makedirs(sys.argv[2], exist_ok=True)
        main(sys.argv[2], mutant=True)
    else:
        main(HERE)
