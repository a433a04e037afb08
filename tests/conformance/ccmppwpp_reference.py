# SPDX-License-Identifier: Apache-2.0
"""A second independent reference: ccmppWPP's projection loop re-implemented in plain numpy from a reading of its R
source, markalava/ccmppWPP at commit 09739c867fda6d85f6d092592ef2bbb6e3cd2e13 (20 April 2022, GPL-3; no code copied,
the conventions only):

* R/project_ccmpp_loop_over_time.R: per step, the inputs are the rows whose time_start is the step's start: lt_Sx
  rows of life_table_age_sex by sex (used as given), fert_rate_age_f, srb, and mig_parameter's two indicators
  mig_type ("counts", "rates" or "totals") and mig_assumption ("even" or "end"); counts are taken as they are, rates
  multiply each sex's own start population, a total (mig_net_count_tot_b, both sexes) is spread as the start
  population of both sexes; then a cell with P + M <= 0 gets M = 0.00001 - P.
* R/project_ccmpp_z_by_z.R: the step with z = time_span (see step()).

Unlike docs/ccmpp.md's reference (ccmpp_reference.py) it reads the long tables the scenario reads (the UN's column
names), so it also checks how a scenario written from scenarios/README.md maps them. It does not call cohortgis.
ccmppWPP's loop advances time by one year (time_start:(time_end - time_span)); with time_span 5 its steps are the
chained calls of project_ccmpp_z_by_z that this loop makes at time_start, time_start + 5, ...
"""
import csv
from collections import defaultdict

import numpy as np


def read_long(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def by_time_sex_age(rows, indicator=None):
    """{(time_start, sex): vector by increasing age_start} of a long table (sex "" where the table has none)."""
    cells = defaultdict(dict)
    for r in rows:
        if indicator is not None and r.get("indicator") != indicator:
            continue
        cells[(int(r["time_start"]), r.get("sex", ""))][float(r["age_start"])] = float(r["value"])
    return {k: np.array([v[a] for a in sorted(v)]) for k, v in cells.items()}


def by_time(rows, indicator=None):
    out = {}
    for r in rows:
        if indicator is None or r.get("indicator") == indicator:
            out[int(r["time_start"])] = r["value"]
    return out


def step(z, Pf, Pm, Sf, Sm, F, srb, Mf, Mm, assumption, components=None):
    """One call of project_ccmpp_z_by_z: returns (female, male) at the end of the step. `components`, a dict, gets
    its other results: births by sex and cohort deaths by sex (index = age group at the end of the step)."""
    n = len(Pf)
    out = []
    deaths = {}
    half = assumption == "even"
    starts, ends, Q = {}, {}, {}
    for s, P, S, M in (("f", Pf, Sf, Mf), ("m", Pm, Sm, Mm)):
        A = P + M / 2 if half else P.copy()
        E = M / 2 if half else np.zeros(n)
        lagA = np.concatenate([[np.nan], A[:-1]])
        D = (1 - S) * lagA
        D[n - 1] = (1 - S[n - 1]) * (A[n - 2] + A[n - 1])
        end = lagA - D + E
        end[n - 1] = A[n - 2] + A[n - 1] - D[n - 1] + E[n - 1]
        starts[s], ends[s], Q[s], deaths[s] = A, E, end, D
    B_age = z * F * (starts["f"] + Q["f"]) / 2
    B_age[0] = 0.0
    B_age[n - 1] = 0.0
    B = B_age.sum()
    Bf = B * (1 / (1 + srb))
    births = {"f": Bf, "m": B - Bf}
    for s, S, M in (("f", Sf, Mf), ("m", Sm, Mm)):
        deaths[s][0] = (1 - S[0]) * births[s]
        Q[s][0] = births[s] - deaths[s][0] + ends[s][0]
        if not half:
            Q[s] = Q[s] + M
        Q[s] = np.where(Q[s] < 0, 0.0005, Q[s])
        out.append(Q[s])
    if components is not None:
        components.update(births={"female": births["f"], "male": births["m"]},
                          deaths={"female": deaths["f"], "male": deaths["m"]})
    return out[0], out[1]


def project(files, z, base_year, steps, components=None):
    """files: {"pop": base population, "life_table": ..., "fert": ..., "srb": ..., "mig_parameter": ...,
    optional "counts", "rates", "totals"}: paths of the UN's long tables. Returns {year: {"female", "male"}};
    `components`, a dict, gets {time_start: {"births", "deaths", "migrants"}} (migrants after the override)."""
    pop = by_time_sex_age(read_long(files["pop"]))
    Pf, Pm = pop[(base_year, "female")], pop[(base_year, "male")]
    Sx = by_time_sex_age(read_long(files["life_table"]), "lt_Sx")
    asfr = by_time_sex_age(read_long(files["fert"]))
    srb = {t: float(v) for t, v in by_time(read_long(files["srb"])).items()}
    mp = read_long(files["mig_parameter"])
    mig_type, assumption = by_time(mp, "mig_type"), by_time(mp, "mig_assumption")
    counts = by_time_sex_age(read_long(files["counts"])) if "counts" in files else {}
    rates = by_time_sex_age(read_long(files["rates"])) if "rates" in files else {}
    totals = {t: float(v) for t, v in by_time(read_long(files["totals"])).items()} if "totals" in files else {}
    out = {base_year: {"female": Pf, "male": Pm}}
    for k in range(steps):
        t = base_year + z * k
        kind = mig_type[t]
        if kind == "counts":
            Mf, Mm = counts[(t, "female")].copy(), counts[(t, "male")].copy()
        elif kind == "rates":
            Mf, Mm = rates[(t, "female")] * Pf, rates[(t, "male")] * Pm
        else:  # "totals"
            tot = Pf.sum() + Pm.sum()
            Mf, Mm = totals[t] * Pf / tot, totals[t] * Pm / tot
        for P, M in ((Pf, Mf), (Pm, Mm)):
            bad = P + M <= 0
            M[bad] = 0.00001 - P[bad]
        got = {"migrants": {"female": Mf, "male": Mm}}
        Pf, Pm = step(z, Pf, Pm, Sx[(t, "female")], Sx[(t, "male")], asfr[(t, "")], srb[t], Mf, Mm, assumption[t],
                      got)
        if components is not None:
            components[t] = got
        out[t + z] = {"female": Pf, "male": Pm}
    return out
