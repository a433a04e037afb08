# SPDX-License-Identifier: Apache-2.0
"""A twelfth outside author's reference (round 25): ccmppWPP's outputs beyond population.

Written from scenarios/README.md (the scenario format and where each output goes) and the UN's R source read anew:
markalava/ccmppWPP at 09739c8 (GPL-3; conventions only, no code copied). Each function names the R file and lines
it follows; plain Python floats, no numpy, never cohortgis:

- `z_by_z`: R/project_ccmpp_z_by_z.R:46-158, one step: population at the end, cohort deaths (by the age at the end,
  row 0 the births'), births by age of mother and by sex;
- `loop`: R/project_ccmpp_loop_over_time.R:22-123, the steps with mig_type counts / rates / totals and the override
  of lines 89-90; it keeps the migrants as the loop returns them (lines 106-109);
- `period_deaths`, `exposures`: R/death_helper_functions.R:15-34 (cohort deaths to deaths by age in the period with
  Buettner's separation factors from lx and nLx) and R/exposure_helper_functions.R:14-18 with
  R/ccmppWPP_workflow_one_country_variant.R:95 (exposure = period deaths / nMx, 0 replaced by 1e-8);
- `five_year`: R/sum_last_column.R `sum_five_year_age_groups` (floor(age / 5) * 5, the last group open);
- `write_expected`: the files tests/conformance/run_case.py compares, mapped as scenarios/README.md "Births,
  deaths and migrants" says: population labelled time_start + z; components of the period "Y+1" (z = 1) or
  "Y+1-Y+z": `births` by sex = birth_count_tot_f / _m, `deaths` by age = death_count_cohort_f / _m,
  `net_migration` by age = the loop's mig_net_count_age_sex, `floor_adjustment` = what line 142-143's floor adds;
  indicators `births`, `deaths` (ccmppWPP's death_count_tot_sex, the sum of its period deaths = of its cohort
  deaths), `net_migration` (mig_net_count_tot_sex), `population`, `tfr` (z * sum of ASFR), `srb_per_100_females`,
  and the person-years z * (P_start + P_end) / 2 that scenarios/README.md says cohortgis's `cbr_per_1000` and
  `cdr_per_1000` divide by (not ccmppWPP's exposures).
"""
import csv
import math
import os

SEXES = ("female", "male")
OVERRIDE = 0.00001  # R/project_ccmpp_loop_over_time.R:89-90
FLOOR = 0.0005  # R/project_ccmpp_z_by_z.R:142-143


def z_by_z(z, pop_m, pop_f, s_m, s_f, asfr, srb, mig_m, mig_f, assumption):
    """R/project_ccmpp_z_by_z.R:46-158 line by line (vectors are Python lists; R's index 1 is [0])."""
    nage = len(pop_m)
    assert all(len(v) == nage for v in (pop_f, s_m, s_f, asfr, mig_m, mig_f))  # lines 58-65
    if assumption == "end":  # lines 79-87
        adj_m, adj_f = list(pop_m), list(pop_f)
        end_m, end_f = [0.0] * nage, [0.0] * nage
    elif assumption == "even":  # lines 89-98
        adj_m = [p + m / 2 for p, m in zip(pop_m, mig_m)]
        adj_f = [p + m / 2 for p, m in zip(pop_f, mig_f)]
        end_m, end_f = [m / 2 for m in mig_m], [m / 2 for m in mig_f]
    else:
        raise ValueError(assumption)
    out = {}
    for sex, adj, s, end in (("m", adj_m, s_m, end_m), ("f", adj_f, s_f, end_f)):
        lag = [math.nan] + adj[:-1]  # lines 103-104
        deaths = [(1 - s[x]) * lag[x] for x in range(nage)]  # line 107 / 110
        deaths[nage - 1] = (1 - s[nage - 1]) * (adj[nage - 2] + adj[nage - 1])  # line 108 / 111
        pop_end = [lag[x] - deaths[x] + end[x] for x in range(nage)]  # line 114 / 117
        pop_end[nage - 1] = adj[nage - 2] + adj[nage - 1] - deaths[nage - 1] + end[nage - 1]  # line 115 / 118
        out["deaths_" + sex], out["pop_end_" + sex] = deaths, pop_end
    # births by age of mother from the women at the start (migration-adjusted) and at the end, line 121-125
    births_age = [z * asfr[x] * (adj_f[x] + out["pop_end_f"][x]) / 2 for x in range(nage)]
    births_age[0] = births_age[nage - 1] = 0.0  # line 122
    births_b = sum(births_age)  # line 123
    births_f = births_b * (1 / (1 + srb))  # line 124
    births_m = births_b - births_f  # line 125
    for sex, s, births, end, mig in (("m", s_m, births_m, end_m, mig_m), ("f", s_f, births_f, end_f, mig_f)):
        out["deaths_" + sex][0] = (1 - s[0]) * births  # lines 128-129
        out["pop_end_" + sex][0] = births - out["deaths_" + sex][0] + end[0]  # lines 132-133
        if assumption == "end":  # lines 136-139
            out["pop_end_" + sex] = [p + m for p, m in zip(out["pop_end_" + sex], mig)]
        before = out["pop_end_" + sex]
        out["floor_" + sex] = [FLOOR - p if p < 0 else 0.0 for p in before]  # what lines 142-143 add
        out["pop_end_" + sex] = [FLOOR if p < 0 else p for p in before]  # lines 142-143
    out.update(birth_count_age_b=births_age, birth_count_tot_b=births_b, birth_count_tot_f=births_f,
               birth_count_tot_m=births_m)
    return out


def loop(z, base, steps):
    """R/project_ccmpp_loop_over_time.R:22-123.

    base = {"female": [...], "male": [...]} (pop_count_age_sex_base); steps = list of dicts by time_start in order,
    each {"time_start", "sx": {sex: [...]}, "asfr": [...], "srb", "mig_type", "mig_assumption", "counts": {sex},
    "rates": {sex}, "total"}. Returns the list of step results (the loop's fwd_1_step) with the migrants it used.
    """
    pop_f, pop_m = list(base["female"]), list(base["male"])  # lines 37-42
    results = []
    for st in steps:  # line 34
        if st["mig_type"] == "counts":  # lines 62-67
            mig_f, mig_m = list(st["counts"]["female"]), list(st["counts"]["male"])
        elif st["mig_type"] == "rates":  # lines 69-77: each sex's rates times that sex's start population
            mig_f = [r * p for r, p in zip(st["rates"]["female"], pop_f)]
            mig_m = [r * p for r, p in zip(st["rates"]["male"], pop_m)]
        elif st["mig_type"] == "totals":  # lines 79-84
            pop_tot = sum(pop_f) + sum(pop_m)
            mig_f = [st["total"] * p / pop_tot for p in pop_f]
            mig_m = [st["total"] * p / pop_tot for p in pop_m]
        else:
            raise ValueError(st["mig_type"])
        # the override, lines 89-90: where the start population plus migrants is <= 0
        mig_f = [OVERRIDE - p if p + m <= 0 else m for p, m in zip(pop_f, mig_f)]
        mig_m = [OVERRIDE - p if p + m <= 0 else m for p, m in zip(pop_m, mig_m)]
        r = z_by_z(z, pop_m, pop_f, st["sx"]["male"], st["sx"]["female"], st["asfr"], st["srb"], mig_m, mig_f,
                   st["mig_assumption"])  # lines 93-102
        r["mig_net_count_age_m"], r["mig_net_count_age_f"] = mig_m, mig_f  # lines 108-109
        r["time_start"], r["time_span"] = st["time_start"], z  # lines 112-113
        r["pop_start_f"], r["pop_start_m"] = pop_f, pop_m
        pop_f, pop_m = r["pop_end_f"], r["pop_end_m"]  # lines 116-117
        results.append(r)
    return results


def period_deaths(cohort, lx, nLx):
    """R/death_helper_functions.R:15-34: deaths by age in the period from cohort deaths (by the age at the end)."""
    nage = len(cohort)
    c = [0.0] * nage
    for i in range(nage - 1):  # line 20 (R's 1:(nage-1))
        den = nLx[i] - nLx[i + 1]
        c[i] = (nLx[i] - lx[i + 1]) / den if den != 0 else math.nan
    c[nage - 2] = (nLx[nage - 2] - lx[nage - 1]) / nLx[nage - 2]  # line 21
    c[nage - 1] = 1.0  # line 22
    c = [1.0 if math.isnan(v) else v for v in c]  # line 23
    out = [0.0] * nage
    out[0] = cohort[0] + cohort[1] * c[0]  # line 27
    for k in range(1, nage - 1):  # lines 28-29
        out[k] = cohort[k] * (1 - c[k - 1]) + cohort[k + 1] * c[k]
    out[nage - 1] = cohort[nage - 1] * (1 - c[nage - 2])  # line 30
    return out


def exposures(deaths_by_age, nmx):
    """R/exposure_helper_functions.R:14-18 and R/ccmppWPP_workflow_one_country_variant.R:95."""
    out = [d / m for d, m in zip(deaths_by_age, nmx)]
    return [1e-8 if v == 0 else v for v in out]


def five_year(ages, values):
    """R/sum_last_column.R sum_five_year_age_groups: sums by floor(age / 5) * 5."""
    out = {}
    for a, v in zip(ages, values):
        g = int(a // 5 * 5)
        out[g] = out.get(g, 0.0) + v
    return out


def period_label(t, z):
    """scenarios/README.md "Births, deaths and migrants": the step of time_start t is Y+1 or Y+1-Y+z."""
    return str(t + 1) if z == 1 else f"{t + 1}-{t + z}"


def fmt(v):
    return repr(float(v))


def write_csv(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def write_expected(folder, runs, ages, z, base_year, group="total", extra_indicators=None, open_sum=None):
    """Writes expected.csv, expected_components.csv and expected_indicators.csv.

    runs = [(variant, zone, base, results, asfr_by_step)]: one loop per variant and zone. `open_sum` (an age) also
    checks nothing more; the population rows are every age. extra_indicators: rows appended as they are."""
    pop_rows, comp_rows, ind_rows = [], [], []
    totals = {}  # (variant, year) -> sums over zones for the `total` rows

    def add_total(variant, year, name, value):
        key = (variant, year, name)
        totals[key] = totals.get(key, 0.0) + value

    for variant, zone, base, results, _asfr in runs:
        for s in SEXES:
            for a, v in zip(ages, base[s]):
                pop_rows.append([variant, base_year, zone, group, s, a, fmt(v)])
        ind_rows.append([variant, base_year, zone, group, "population", fmt(sum(base["female"]) + sum(base["male"]))])
        add_total(variant, base_year, "population", sum(base["female"]) + sum(base["male"]))
        for r in results:
            t = r["time_start"]
            year, period = t + z, period_label(t, z)
            for s, k in (("female", "f"), ("male", "m")):
                for a, v in zip(ages, r["pop_end_" + k]):
                    pop_rows.append([variant, year, zone, group, s, a, fmt(v)])
                comp_rows.append([variant, period, zone, group, s, "", "births", fmt(r["birth_count_tot_" + k])])
                for a, v in zip(ages, r["deaths_" + k]):
                    comp_rows.append([variant, period, zone, group, s, a, "deaths", fmt(v)])
                for a, v in zip(ages, r["mig_net_count_age_" + k]):
                    comp_rows.append([variant, period, zone, group, s, a, "net_migration", fmt(v)])
                for a, v in zip(ages, r["floor_" + k]):
                    comp_rows.append([variant, period, zone, group, s, a, "floor_adjustment", fmt(v)])
            pf, pm = sum(r["pop_end_f"]), sum(r["pop_end_m"])
            p0 = sum(r["pop_start_f"]) + sum(r["pop_start_m"])
            births = r["birth_count_tot_b"]
            deaths = sum(r["deaths_f"]) + sum(r["deaths_m"])
            # ccmppWPP's death_count_tot_sex sums its period deaths (workflow.R:326): the same total
            net = sum(r["mig_net_count_age_f"]) + sum(r["mig_net_count_age_m"])
            person_years = z * (p0 + pf + pm) / 2
            values = {
                "population": pf + pm, "population_female": pf, "population_male": pm,
                "births": births, "births_female": r["birth_count_tot_f"], "births_male": r["birth_count_tot_m"],
                "deaths": deaths, "net_migration": net, "person_years": person_years,
                "cbr_per_1000": 1000 * births / person_years, "cdr_per_1000": 1000 * deaths / person_years,
                "tfr": z * sum(_asfr[t]),
                "srb_per_100_females": 100 * r["birth_count_tot_m"] / r["birth_count_tot_f"],
            }
            for name, v in values.items():
                ind_rows.append([variant, year, zone, group, name, fmt(v)])
                if name in ("population", "births", "deaths", "net_migration", "person_years"):
                    add_total(variant, year, name, v)
    if len({run[1] for run in runs}) > 1:  # several zones: the `total` rows are the sums (ccmppWPP_aggregate.R)
        for (variant, year, name), v in totals.items():
            ind_rows.append([variant, year, "total", group, name, fmt(v)])
    ind_rows += extra_indicators or []
    write_csv(os.path.join(folder, "expected.csv"), ["variant", "year", "zone", "group", "sex", "age", "population"],
              pop_rows)
    write_csv(os.path.join(folder, "expected_components.csv"),
              ["variant", "period", "zone", "group", "sex", "age", "component", "persons"], comp_rows)
    write_csv(os.path.join(folder, "expected_indicators.csv"), ["variant", "year", "zone", "group", "indicator",
                                                                "value"], ind_rows)


def life_table(mx, radix=100000.0, a0=0.1, open_half=False):
    """A single-year life table from mx (ax = 0.5 at ages 1 and over, a0 given): the UN's lt_nMx, lt_lx, lt_nLx,
    lt_Sx columns as data (the cases give them as inputs; only their consistency matters here).
    lt_Sx as DemoTools' lt_id_Ll_S: row 0 = L0 / l0, row x = L_x / L_{x-1}, the open row T_w / T_{w-1}."""
    n = len(mx)
    lx, L = [radix], []
    for x in range(n - 1):
        ax = a0 if x == 0 else 0.5
        q = mx[x] / (1 + (1 - ax) * mx[x])
        d = lx[x] * q
        lx.append(lx[x] - d)
        L.append(lx[x + 1] + ax * d)
    L.append(lx[-1] / 2 if open_half else lx[-1] / mx[-1])
    sx = [L[0] / radix] + [L[x] / L[x - 1] for x in range(1, n - 1)] + [L[n - 1] / (L[n - 2] + L[n - 1])]
    return {"lt_nMx": list(mx), "lt_lx": lx, "lt_nLx": L, "lt_Sx": sx}


def ak_a0(m0, sex):
    """DemoTools R/lt_rule.R:314-323 lt_rule_ak_m0_a0 (Andreev-Kingkade from m0)."""
    if sex == "male":
        return 0.14929 - 1.99545 * m0 if m0 < 0.0230 else (0.02832 + 3.26021 * m0 if m0 < 0.08307 else 0.29915)
    return 0.14903 - 2.05527 * m0 if m0 < 0.01724 else (0.04667 + 3.88089 * m0 if m0 < 0.06891 else 0.31411)


def lt_single_mx(mx, sex, radix=100000.0):
    """DemoTools R/lt_single.R:23-168 lt_single_mx for rates already at 0 ... 130 (no extrapolation, line 93) with
    a0rule "ak" (lines 117-126), nAx = 0.5 elsewhere (the open age too), R/lt_id.R lt_id_ma_q (closeout: q = 1 at
    the open age; q > 1 -> 1 - exp(-m)), lt_id_q_l, lt_id_l_d, lt_id_lda_L (open L = l * nAx), lt_id_L_T, ex = T / l,
    and lt_id_Ll_S with N = 1 (row 0 = L0 / radix, row x = L_x / L_{x-1}, the open row L_w / (L_{w-1} + L_w))."""
    n = len(mx)
    ax = [0.5] * n
    ax[0] = ak_a0(mx[0], sex)
    qx = [m / (1 + (1 - a) * m) for m, a in zip(mx, ax)]
    qx[-1] = 1.0
    qx = [1 - math.exp(-m) if q > 1 else q for q, m in zip(qx, mx)]
    qx = [min(q, 1.0) for q in qx]
    lx = [radix]
    for q in qx[:-1]:
        lx.append(lx[-1] * (1 - q))
    dx = [lx[i] - (lx[i + 1] if i + 1 < n else 0.0) for i in range(n)]
    L = [lx[i + 1] + ax[i] * dx[i] for i in range(n - 1)] + [lx[-1] * ax[-1]]
    T = [0.0] * n
    acc = 0.0
    for i in range(n - 1, -1, -1):
        acc += L[i]
        T[i] = acc
    ex = [t / l for t, l in zip(T, lx)]
    sx = [L[0] / radix] + [L[x] / L[x - 1] for x in range(1, n - 1)] + [L[-1] / (L[-2] + L[-1])]
    return {"lt_nMx": list(mx), "lt_lx": lx, "lt_nLx": L, "lt_Tx": T, "lt_ex": ex, "lt_Sx": sx}


def ccmppwpp_outputs(results, tables, z, oanew=100, asfr=None, srb=None):
    """ccmppWPP's published outputs beyond population from the loop's results, on its grid to 130, as
    R/ccmppWPP_workflow_one_country_variant.R builds them: period deaths (lines 87-89, death_helper_functions.R),
    exposures (lines 92-95), both sexes (lines 97-121; data_reshape_ccmpp_output.R:53-56 for the cohort deaths),
    the cut at 100+ (`ccmppWPP_truncate_OAG`, lines 157-246: sums of the rows from 100 on), the five-year sums
    (lines 290-315, `sum_five_year_age_groups`) and the crude rates (lines 345-353: per 1000 of the exposures).
    tables[time_start][sex] holds lt_lx, lt_nLx, lt_nMx. Rows: (indicator, time_start, sex, age_start, value).
    With asfr[time_start] (by age) and srb[time_start] (males per female) also the fertility summaries of lines
    404-426 (R/fert_helper_functions_wpp.R): `fert_rate_gross` = Σ f_a / (1 + srb) · age_span (fert_gross),
    `fert_rate_net` = Σ f_a / (1 + srb) · age_span · nLx_a / 100000 with the female lt_nLx (fert_net: it assumes the
    radix 100000) and `fert_mean_age` = Σ (a + age_span / 2) f_a / Σ f_a (fert_mac), sex "female", no age."""
    rows = []

    def cut(values):  # ccmppWPP_truncate_OAG: the rows from oanew on summed into oanew
        return values[:oanew] + [sum(values[oanew:])]

    for r in results:
        t = r["time_start"]
        by = {}
        for k, s in (("f", "female"), ("m", "male")):
            lt = tables[t][s]
            per = period_deaths(r["deaths_" + k], lt["lt_lx"], lt["lt_nLx"])
            by[("death_count_age_sex", s)] = per
            by[("exposure_count_age_sex", s)] = exposures(per, lt["lt_nMx"])
            by[("death_count_cohort_sex", s)] = r["deaths_" + k]
            by[("mig_net_count_age_sex", s)] = r["mig_net_count_age_" + k]
        for ind in ("death_count_age_sex", "exposure_count_age_sex", "death_count_cohort_sex",
                    "mig_net_count_age_sex"):
            by[(ind, "both")] = [a + b for a, b in zip(by[(ind, "female")], by[(ind, "male")])]
        by[("birth_count_age", "both")] = r["birth_count_age_b"]
        for (ind, s), values in by.items():
            one = cut(values)
            rows += [(ind + "_1x1", t, s, a, v) for a, v in enumerate(one)]
            rows += [(ind + "_5x1", t, s, a, v) for a, v in sorted(five_year(range(len(one)), one).items())]
        exposure_b = sum(cut(by[("exposure_count_age_sex", "both")]))
        rows.append(("birth_rate_crude", t, "both", "", r["birth_count_tot_b"] / exposure_b * 1000))
        rows.append(("death_rate_crude", t, "both", "", sum(by[("death_count_age_sex", "both")]) / exposure_b * 1000))
        if asfr is not None:
            span = z
            maternity = [f / (1 + srb[t]) * span for f in asfr[t]]
            rows.append(("fert_rate_gross", t, "female", "", sum(maternity)))
            rows.append(("fert_rate_net", t, "female", "",
                         sum(m * L / 100000 for m, L in zip(maternity, tables[t]["female"]["lt_nLx"]))))
            rows.append(("fert_mean_age", t, "female", "",
                         sum(f * (a * span + span / 2) for a, f in enumerate(asfr[t])) / sum(asfr[t])))
    return rows
