# SPDX-License-Identifier: Apache-2.0
"""Writes the tables and expected.csv of the conformance case un-abridged-ak-famine-south-oanew-100 from
tests/conformance/outside13_reference.py: abridged lt_nMx to 130+ made into life tables as DemoTools'
lt_abridged(axmethod = "un", a0rule = "ak", region = "s", OAnew = 100) makes them (variants "pas", region "e",
a0rule "cd"), projected 5x5 on 100+ by ccmppWPP's step with net rates. Never calls cohortgis.

`--mutant DIR` writes the same inputs with an expected.csv in which every row whose nax times its rate exceeds 1
(65-69 in 2030 under "un"; every rate above 0.4 under "pas") takes the constant-hazard nax instead of keeping its
own (DemoTools' lt_id_ma_q keeps it), which run_case.py must fail."""
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import outside13_reference as r  # noqa: E402

YEARS = [2020, 2025, 2030]
OPEN = 100
GRID = list(range(0, OPEN + 1, 5))
AB = r.ABRIDGED_AGES
RUNS = {  # variant: (axmethod, a0rule, region)
    "baseline": ("un", "ak", "s"),
    "pas": ("pas", "ak", "s"),
    "east": ("un", "ak", "e"),
    "cd-south": ("un", "cd", "s"),
}


def mx_abridged(sex, year):
    f = 1.0 if sex == "female" else 1.2
    m0 = {2020: 0.12, 2025: 0.05, 2030: 0.02}[year] * f  # famine: AK's constants; recovery: its middle segment
    m1 = {2020: 0.035, 2025: 0.008, 2030: 0.002}[year] * f
    out = [m0, m1]
    for x in AB[2:]:
        level = {2020: 2.2, 2025: 1.1, 2030: 1.0}[year]
        senescent = 4e-5 * f * level * math.exp(0.098 * x)
        out.append(min(0.0015 * f * level + senescent / (1 + 0.55 * senescent), 1.8))
    if year == 2025 and sex == "female":
        out[AB.index(5)] = 0.0  # no girl aged 5-9 died: Greville's k beside it uses DBL_MIN
    if year == 2025 and sex == "male":  # no boy aged 1-4 died, few aged 5-9: 5a5 = +156, yet 5L5 < 5 l0
        out[1], out[2] = 0.0, 0.0002
    if year == 2030:  # a ramp: 65-69's Greville nax (2.17) times its rate (0.5) exceeds 1
        i = AB.index(60)
        out[i], out[i + 1], out[i + 2] = 0.05, 0.5, 1.5
        for j in range(i + 3, len(AB)):
            out[j] = max(out[j], 1.6 + 0.02 * (j - i - 3) * f)
    return out


def asfr5(year):
    base = {15: 0.05, 20: 0.16, 25: 0.17, 30: 0.12, 35: 0.07, 40: 0.03, 45: 0.008}
    k = {2020: 0.9, 2025: 1.05, 2030: 0.95}[year]
    return [base.get(x, 0.0) * k for x in GRID]


def srb(year):
    return {2020: 1.03, 2025: 1.06, 2030: 1.05}[year]


def net_rates(sex, year):
    """Net migrants per person over the step by group at the start (ccmppWPP's rates)."""
    out = []
    for x in GRID:
        v = 0.06 * math.exp(-((x - 22.5) / 9.0) ** 2) - 0.01
        if x >= 80:
            v = -0.6 if sex == "male" else -0.2
        if year == 2025 and x == 0:
            v = -1.0  # every infant leaves: the override keeps 0.00001
        out.append(v)
    return out


def base_population():
    P = {}
    for s in r.SEXES:
        f = 1.0 if s == "female" else 1.05
        P[s] = [8000.0 * f * math.exp(-0.045 * x) for x in GRID]
        P[s][-1] = 3.0 if s == "female" else 1.0
    return P


def tables(variant, mutant=False):
    axm, rule, region = RUNS[variant]
    lt = {}
    for y in YEARS:
        for s in r.SEXES:
            mx = mx_abridged(s, y)
            if mutant:  # the constant-hazard nax where nax m > 1 (cohortgis before December 2026)
                old = r.life_table_columns

                def patched(m, a, n, radix):
                    a = [n[i] + 1 / m[i] - n[i] / (1 - math.exp(-n[i] * m[i]))
                         if i < len(m) - 1 and a[i] * m[i] > 1 else a[i] for i in range(len(m))]
                    return old(m, a, n, radix)
                r.life_table_columns = patched
                lt[y, s] = r.lt_abridged_mx(mx, s, axm, rule, region, OPEN)
                r.life_table_columns = old
            else:
                lt[y, s] = r.lt_abridged_mx(mx, s, axm, rule, region, OPEN)
    return lt


def project(lt):
    P = base_population()
    out = {2020: P}
    for y in YEARS:
        S = {s: r.survival_abridged(lt[y, s]["L"], 100000.0) for s in r.SEXES}
        M = {s: [rt * p for rt, p in zip(net_rates(s, y), P[s])] for s in r.SEXES}
        P = r.un_step(P, S, asfr5(y), srb(y), M, "even", 5)
        out[y + 5] = P
    return out


def main(out_dir, mutant=False):
    r.write_csv(os.path.join(out_dir, "life_table_age_sex.csv"),
                ["indicator", "time_start", "time_span", "sex", "age_start", "age_span", "value"],
                [["lt_nMx", y, 5, s, x, (1 if x == 0 else 4 if x == 1 else 1000 if x == 130 else 5), repr(v)]
                 for y in YEARS for s in r.SEXES for x, v in zip(AB, mx_abridged(s, y))])
    r.write_csv(os.path.join(out_dir, "fert_rate_age_f.csv"), ["time_start", "age_start", "value"],
                [[y, x, repr(v)] for y in YEARS for x, v in zip(GRID, asfr5(y)) if v > 0])
    r.write_csv(os.path.join(out_dir, "srb.csv"), ["time_start", "value"], [[y, repr(srb(y))] for y in YEARS])
    r.write_csv(os.path.join(out_dir, "mig_net_rate_age_sex.csv"), ["time_start", "sex", "age_start", "value"],
                [[y, s, x, repr(v)] for y in YEARS for s in r.SEXES for x, v in zip(GRID, net_rates(s, y))])
    P0 = base_population()
    r.write_csv(os.path.join(out_dir, "pop_count_age_sex_base.csv"), ["sex", "age_start", "value"],
                [[s, x, repr(P0[s][i])] for s in r.SEXES for i, x in enumerate(GRID)])
    runs = [(v, project(tables(v, mutant))) for v in RUNS]
    r.write_expected(os.path.join(out_dir, "expected.csv"), runs, GRID)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--mutant":
        os.makedirs(sys.argv[2], exist_ok=True)
        main(sys.argv[2], mutant=True)
    else:
        main(HERE)
