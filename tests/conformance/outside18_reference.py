# SPDX-License-Identifier: Apache-2.0
"""An eighteenth outside author's reference (round 30), plain Python (no numpy): bayesPop's **subnational**
projection (`pop.predict.subnat`) of regions that are given no migration of their own, whose migrants bayesPop
makes from the country's national total, which no earlier reference computed.

Written from scenarios/README.md (the scenario format only) and the UN Population Division's own code and data,
read anew; no code was copied, each function re-expresses the arithmetic of the lines it names:

* PPgp/bayesPop at e361b87 (GPL-3):
  - R/predict_subnat.R `load.subnat.inputs` (lines 183-340): the regions' base population from the `popM`/`popF`
    files (`reg_code`, `age`, one column per year; the `present.year` column, NA read as 0), and, with a
    `default.country`, every other input the country's (`create.dataset.from.wpp` repeats its rows for each region:
    lines 83-101); `.get.mig.data.subnat` (lines 513-633): without `migM`/`migF`/`mig` inputs the country's total
    net migration of each period (wpp's `migration5`, thousands over the period) is spread over the 21 observed
    age groups by `migration.totals2age(mignat, annual = FALSE)` with its defaults (lines 588-591) and over the
    regions and sexes (a) by the regions' base population of each age group, P_{r,s}[x] / Σ_{r', s'} P_{r',s'}[x]
    (lines 609-618: the same shares in every period), or (b) where the `patterns` file has migration share columns,
    by those shares, the `inmig` ones in a period whose national total is ≥ 0, the `outmig` ones where it is
    negative (lines 597-604, 617-618); `.get.mig.shares` (lines 140-180): `inmigrationM_share`,
    `inmigrationF_share`, `outmigrationM_share`, `outmigrationF_share` (or `inmigration_share` … for both sexes, or
    `migration_share` for all four) divided by their sum over the projected regions and both sexes, per direction.
  - R/predict.pop.R `migration.totals2age` (lines 950-1193): with `method = "rc"`, no `rc.data` and `scale = 1`
    every period is an "NA record" (line 1154) and is filled with the model Rogers–Castro schedule `rcastro5.schedule`
    (lines 3423-3427; its 21 values, 0 from 85-89 on), prop = rc[x] / Σ rc (lines 1157-1163; the same schedule for
    in and out), migrants = total · prop (line 1171).
  - src/projection_functions.c `CCM` with `MIGratecode` 0 and `MIGtype` 9 (all migrants at the end: the country's
    `MigCode` in data-raw/vwBaseYear2024.txt, Canada 9, repeated for its regions) — `../outside17_reference.py`
    `ccm_step`, imported, not written twice; R/predict.pop.R `StoPopProj` (the 21 observed groups padded with zeros
    to 27), the trajectory loop (asfr = TFR · PASFR / 100 per period), `KannistoAxBx.joint`, `survival.fromLT`
    (outside17's `kannisto_abridged`, `survival_from_lt_5`).
  - inst/extdata/CANpopM.txt, CANpopF.txt (the 13 provinces and territories of Canada, 5-year groups 0-4 … 100+,
    thousands) and CANpatterns.txt (their in/out-migration shares by sex): the package's own subnational example.
* PPgp/wpp2024 at 2da7768 (the UN's WPP 2024 data as bayesPop reads them): data-raw/mxM5.txt, mxF5.txt (abridged
  rates 0, 1, 5, …, 100+ by period), percentASFR55.txt (PASFR by period), tfrprojMed5.txt, sexRatio5.txt,
  migrationprojMed5.txt (the national net migration of each projection period, thousands): what `fixed.mx = TRUE`,
  `fixed.pasfr = TRUE` and the WPP medium TFR give every region.
"""
import math
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import outside17_reference as ref17  # noqa: E402

BAYESPOP_GIT = "/work/.mirror/PPgp+bayesPop/repo"
BAYESPOP_COMMIT = "e361b87"
WPP2024_GIT = "/work/.mirror/PPgp+wpp2024/repo"
WPP2024_COMMIT = "2da7768"

# rcastro5.schedule() (R/predict.pop.R:3423-3427): bayesPop's model Rogers–Castro shares of the 21 groups 0-4 … 100+
RC5 = [0.06133, 0.02667, 0.02067, 0.10467, 0.188, 0.18067, 0.13733, 0.09533, 0.064, 0.04267, 0.028, 0.01867, 0.012,
       0.008, 0.00533, 0.00333, 0.00333, 0.0, 0.0, 0.0, 0.0]
AGE_LABELS = ["%d-%d" % (a, a + 4) for a in range(0, 100, 5)] + ["100+"]


def git_text(git_dir, commit, path):
    return subprocess.run(["git", "--git-dir", git_dir, "show", "%s:%s" % (commit, path)], check=True,
                          capture_output=True, text=True).stdout


def read_wide(text):
    """A tab-separated wide table as bayesPop's `read.pop.file` (read.delim) reads it: a list of {column: cell},
    quotes taken off."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    head = [c.strip('"') for c in lines[0].split("\t")]
    return [dict(zip(head, [c.strip('"') for c in ln.split("\t")])) for ln in lines[1:]]


def rsum(values):
    """R's sum() of doubles accumulates in long double; math.fsum (exactly rounded) is that to the last bit or
    within one ulp, far inside the cases' tolerance."""
    return math.fsum(values)


def totals_to_ages_rc(total):
    """migration.totals2age(total, annual = FALSE) with its defaults (lines 1154-1171): total · rc[x] / Σ rc on the
    21 observed groups."""
    s = rsum(RC5)
    return [total * (r / s) for r in RC5]


def population_shares(pop, regions):
    """.get.mig.data.subnat lines 609-618: {(region, sex): [share by group]} with share = P_{r,s}[x] /
    Σ over every region and both sexes of P[x] (pop: {(region, sex): [21 groups]}, sex "m"/"f"; R's order: the
    men of every region, then the women)."""
    out = {}
    for i in range(len(RC5)):
        cells = [pop[(r, "m")][i] for r in regions] + [pop[(r, "f")][i] for r in regions]
        s = rsum(cells)
        for r in regions:
            for sex in ("m", "f"):
                out.setdefault((r, sex), []).append(pop[(r, sex)][i] / s)
    return out


def migration_shares(patterns, regions):
    """.get.mig.shares (R/predict_subnat.R:140-180) with the four sex- and direction-specific columns: {direction:
    {(region, sex): share}}, each direction's shares divided by their sum over the regions and both sexes. (With
    a `migrationM_share` column its line 154 reads `ds[, colname]` before `colname` is set: avoided here.)"""
    rows = {row["reg_code"]: row for row in patterns}
    out = {}
    for what in ("in", "out"):
        raw = {(r, sex): float(rows[r]["%smigration%s_share" % (what, sex.upper())]) for r in regions
               for sex in ("m", "f")}
        s = rsum([raw[(r, "m")] + raw[(r, "f")] for r in regions])
        out[what] = {k: v / s for k, v in raw.items()}
    return out


def regional_migration(national_total, regions, pop_shares=None, mig_shares=None):
    """.get.mig.data.subnat lines 588-619 for one period: {(region, sex): [21 groups]} of net migrants over the
    period, the national total spread by `totals_to_ages_rc` and then by the population shares of each age group
    (pop_shares) or by the migration shares of the period's direction (mig_shares; `outmig` where the total is
    negative, line 598)."""
    by_age = totals_to_ages_rc(national_total)
    out = {}
    for r in regions:
        for sex in ("m", "f"):
            if mig_shares is not None:
                share = mig_shares["out" if national_total < 0 else "in"][(r, sex)]
                out[(r, sex)] = [v * share for v in by_age]
            else:
                out[(r, sex)] = [v * s for v, s in zip(by_age, pop_shares[(r, sex)])]
    return out


# ---------------------------------------------------------------- the UN's data as bayesPop reads it

def canada_inputs(periods, regions):
    """Canada's inputs (country code 124) and its regions' base populations of 2020, from the packages' files.
    Returns a dict: pop {(region, sex): [21]}, mx {period: (male 22, female 22)}, pasfr {period: [7]},
    tfr, srb, migration {period: thousands}, patterns (rows of CANpatterns.txt)."""
    def country_rows(name):
        return wpp2024_rows(name, "124")

    pop = {}
    for sex, name in (("m", "CANpopM"), ("f", "CANpopF")):
        rows = read_wide(git_text(BAYESPOP_GIT, BAYESPOP_COMMIT, "inst/extdata/%s.txt" % name))
        for r in regions:
            cells = {row["age"]: row["2020"] for row in rows if row["reg_code"] == r}
            pop[(r, sex)] = [float(cells[a]) if cells[a] not in ("", "NA") else 0.0 for a in AGE_LABELS]
    labels = [p_label(y) for y in periods]
    mx = {}
    for y, lab in zip(periods, labels):
        pair = []
        for name in ("mxM5", "mxF5"):
            rows = country_rows(name)
            by_age = {row["age"]: float(row[lab]) for row in rows}
            pair.append([by_age[a] for a in ["0", "1"] + [str(a) for a in range(5, 100, 5)] + ["100+"]])
        mx[y] = tuple(pair)
    pasfr_rows = country_rows("percentASFR55")
    pasfr = {y: [float({row["age"]: row[lab] for row in pasfr_rows}["%d-%d" % (a, a + 4)]) for a in range(15, 50, 5)]
             for y, lab in zip(periods, labels)}
    tfr = {y: float(country_rows("tfrprojMed5")[0][lab]) for y, lab in zip(periods, labels)}
    srb = {y: float(country_rows("sexRatio5")[0][lab]) for y, lab in zip(periods, labels)}
    mig = {y: float(country_rows("migrationprojMed5")[0][lab]) for y, lab in zip(periods, labels)}
    patterns = read_wide(git_text(BAYESPOP_GIT, BAYESPOP_COMMIT, "inst/extdata/CANpatterns.txt"))
    return {"pop": pop, "mx": mx, "pasfr": pasfr, "tfr": tfr, "srb": srb, "migration": mig, "patterns": patterns}


def wpp2024_rows(name, country_code):
    """The rows of one country in a wide file of the wpp2024 package (data-raw/<name>.txt at WPP2024_COMMIT)."""
    return [row for row in read_wide(git_text(WPP2024_GIT, WPP2024_COMMIT, "data-raw/%s.txt" % name))
            if row["country_code"] == country_code]


def wpp2024_age_migration(periods, country_code):
    """wpp2024's `migrationM5` / `migrationF5` (data/migrationM5.R: data-raw/migrationM5.txt, migrationF5.txt): the
    UN's net migrants of each projection period by sex and five-year group 0-4 … 100+, thousands over the period,
    which bayesPop takes for the projection periods when no migration input is given (R/predict.pop.R `.get.mig.data`
    lines 1290-1312). {period: (male 21, female 21)}."""
    out = {}
    rows_m, rows_f = wpp2024_rows("migrationM5", country_code), wpp2024_rows("migrationF5", country_code)
    for y in periods:
        pair = []
        for rows in (rows_m, rows_f):
            by_age = {row["age"]: float(row[p_label(y)]) for row in rows}
            pair.append([by_age[a] for a in AGE_LABELS])
        out[y] = tuple(pair)
    return out


def p_label(year):
    return "%d-%d" % (year, year + 5)


def asfr_ccm(pasfr, tfr):
    """The trajectory loop (R/predict.pop.R:225-233): TFR · PASFR / 100 per fertile group, births per woman over
    the period, on CCM's 27 groups."""
    out = [0.0] * len(ref17.GROUPS)
    for i, share in zip(ref17.FERTILE_5, pasfr):
        out[i] = tfr * (share / 100.0)
    return out


def project_regions(data, periods, regions, migration):
    """Each region's trajectory by CCM (MIGtype 9, MIGratecode 0): {region: {"pop": {year: (m, f)}, "comps":
    [(year, res)]}}; migration {period: {(region, sex): [21]}}. The survival ratios, ASFR and SRB are the country's,
    the same for every region."""
    surv = {}
    for y in periods:
        mm, mf = ref17.kannisto_abridged(*data["mx"][y])
        surv[y] = (ref17.survival_from_lt_5(mm, "m")[0], ref17.survival_from_lt_5(mf, "f")[0])
    out = {}
    for r in regions:
        pm, pf = ref17.pad_observed(data["pop"][(r, "m")]), ref17.pad_observed(data["pop"][(r, "f")])
        pops, comps = {periods[0]: (pm, pf)}, []
        for y in periods:
            res = ref17.ccm_step(pm, pf, surv[y][0], surv[y][1], asfr_ccm(data["pasfr"][y], data["tfr"][y]),
                                 data["srb"][y], ref17.pad_observed(migration[y][(r, "m")]),
                                 ref17.pad_observed(migration[y][(r, "f")]), mig_type=9)
            if res["acted"]:
                raise SystemExit("%s %d: CCM cut a count (%s): not what this case is about" % (r, y, res["acted"]))
            # cohortgis's `conserve` scales a net count that exceeds its start cell (bayesPop does not): none may
            if any(m < -p for m, p in zip(res["mig_m"] + res["mig_f"], pm + pf)):
                raise SystemExit("%s %d: a count exceeds its start cell: conserve would scale it" % (r, y))
            pm, pf = res["end_m"], res["end_f"]
            pops[y + 5] = (pm, pf)
            comps.append((y, res))
        out[r] = {"pop": pops, "comps": comps, "surv": surv}
    return out


# ---------------------------------------------------------------- a user's Rogers–Castro family (`mig.rc.fam`)

DEMOTOOLS_GIT = "/work/.mirror/timriffe+DemoTools/repo"
DEMOTOOLS_COMMIT = "806cdc3"


def un_migration_family(family):
    """DemoTools' data set `mig_un_families` (data/mig_un_families.rda at 806cdc3, bzip2-compressed XDR; the UN's
    "UNPD_Migration Age Profiles.xlsx"), the rows of one `family`: [(sex, mig_sign, age, prop)] in the file's order
    (single ages 0 … 120; emigration props negative)."""
    import bz2
    import gzip
    import ccmppwpp_rda
    blob = subprocess.run(["git", "--git-dir", DEMOTOOLS_GIT, "show", "%s:data/mig_un_families.rda" % DEMOTOOLS_COMMIT],
                          check=True, capture_output=True).stdout
    (obj,) = ccmppwpp_rda.read_objects(gzip.compress(bz2.decompress(blob))).values()
    f = ccmppwpp_rda.frame(obj)
    return [(s, m, int(a), p) for fa, s, m, a, p in zip(f["family"], f["sex"], f["mig_sign"], f["age"], f["prop"])
            if fa == family]


def rc_family_five_year(rows):
    """migration.totals2age(method = "rc", rc.data = rows, annual = FALSE) on the 21 observed groups 0-4 … 100+
    (R/predict.pop.R): {(sex "M"/"F", sign "I"/"E"): [21 props]}, each sign's props summing to 1 over both sexes.

    * lines 1001-1005: the ages made text, "100" renamed "100+"; lines 1012-1014: sign and sex by their first letter;
    * lines 1016-1021 (ages not in "0-4" form on a five-year run): "100+" back to 100, then
      `cut(age, breaks = seq(0, by = 5, length = 28), labels = FALSE, include.lowest = TRUE)`: R's `cut` closes the
      intervals on the **right** ([0, 5], (5, 10], …), so group 0-4 sums the single ages 0 … 5, group 5-9 the ages
      6 … 10, …, group 100+ the ages 101 … 105; ages 106 … 120 fall in groups 22 … 24 that the merge with the
      21 observed groups drops (line 1021);
    * line 1028: the props divided by their sum over both sexes and every kept group, per sign."""
    sums = {}
    for sex, sign, age, prop in rows:
        key = (sex[0].upper(), sign[0].upper())
        idx = max(1, math.ceil(age / 5.0))          # cut(): right-closed, 0 included in the first interval
        if idx > len(RC5):
            continue
        sums.setdefault(key, [[] for _ in RC5])[idx - 1].append(prop)
    return normalise_by_sign({k: [rsum(c) for c in v] for k, v in sums.items()})


def normalise_by_sign(props):
    """Line 1028, `prop := prop / sum(prop), by = "mig_sign"`: each sign's props over both sexes and every age."""
    out = {}
    for sign in ("I", "E"):
        total = rsum(props[("M", sign)] + props[("F", sign)])
        for sex in ("M", "F"):
            out[(sex, sign)] = [v / total for v in props[(sex, sign)]]
    return out


def rc_family_annual(rows):
    """migration.totals2age(method = "rc", rc.data = rows, annual = TRUE) on the 101 observed single ages 0 … 100+:
    the family is not grouped (line 1016 is for five-year runs only) but subset to the observed ages (line 1023,
    `rc.sched[age %in% agedf$age]`; with text ages "100" was renamed "100+" by lines 1001-1005): 100+ keeps the share
    of single age 100 alone and the ages 101 … 120 are dropped, then each sign's props are divided by their sum
    over both sexes and the kept ages (line 1028). {(sex, sign): [101 props]}."""
    kept = {}
    for sex, sign, age, prop in rows:
        if age <= 100:
            kept.setdefault((sex[0].upper(), sign[0].upper()), [0.0] * 101)[age] = prop
    return normalise_by_sign(kept)


def totals_to_ages_family(total, props, sex):
    """The rest of migration.totals2age for one sex with `scale = 0.5` (a total of both sexes, lines 1039-1046 and
    1154-1171): sex.ratio = Σ this sex's props / Σ both sexes' (= Σ this sex's, the props summing to 1), prop =
    sex.ratio · props[x] / Σ props, the immigration ones for a total ≥ 0, else the emigration ones; migrants =
    total · prop, i.e. total · props[x]: the total shared by sex and age as the family's props over both sexes."""
    sign = "I" if total >= 0 else "E"
    mine = props[(sex, sign)]
    other = props[("F" if sex == "M" else "M", sign)]
    ratio = rsum(mine) / rsum(mine + other)
    s = rsum(mine)
    return [total * (ratio * v / s) for v in mine]


# ---------------------------------------------------------------- the cases' files

SEX_NAME = {"m": "male", "f": "female"}


def write_country_inputs(folder, data, periods):
    """sx.csv (MortCast's abridged sx of the country's rates extended by KannistoAxBx.joint, the UN's abridged
    layout: rows 0, 1, 5, …, 125 and 0 at 130), asfr.csv (TFR · PASFR / 100 / 5 per year) and srb.csv."""
    rows = []
    for y in periods:
        mm, mf = ref17.kannisto_abridged(*data["mx"][y])
        for sex, mx, code in (("female", mf, "f"), ("male", mm, "m")):
            lt = ref17.mortcast_life_table_abridged(mx, code)
            rows += [[y, sex, a, lt["sx"][i]] for i, a in enumerate([0, 1] + ref17.GROUPS[1:])]
    ref17.write_csv(os.path.join(folder, "sx.csv"), ["year", "sex", "age", "sx"], rows)
    rows = [[y, 15 + 5 * j, asfr_ccm(data["pasfr"][y], data["tfr"][y])[3 + j] / 5] for y in periods for j in range(7)]
    ref17.write_csv(os.path.join(folder, "asfr.csv"), ["year", "age", "asfr"], rows)
    ref17.write_csv(os.path.join(folder, "srb.csv"), ["year", "srb"], [[y, data["srb"][y]] for y in periods])


def write_expected(folder, runs, with_components=True, components_of=None):
    """expected.csv (and expected_components.csv, of the variants `components_of`, default all) of runs
    [(variant, project_regions' result)]."""
    rows, crow = [], []
    for variant, res in runs:
        for zone in res:
            for year in sorted(res[zone]["pop"]):
                pm, pf = res[zone]["pop"][year]
                for sex, p in (("female", pf), ("male", pm)):
                    rows += [[variant, year, zone, "total", sex, a, p[i]] for i, a in enumerate(ref17.GROUPS)]
            for y, c in res[zone]["comps"] if components_of is None or variant in components_of else []:
                period = "%d-%d" % (y + 1, y + 5)
                crow.append([variant, period, zone, "total", "female", "", "births", c["births_f"]])
                crow.append([variant, period, zone, "total", "male", "", "births", c["births_m"]])
                for s in ("f", "m"):
                    for i, a in enumerate(ref17.GROUPS):
                        crow.append([variant, period, zone, "total", SEX_NAME[s], a, "deaths", c["cdeaths_" + s][i]])
                        crow.append([variant, period, zone, "total", SEX_NAME[s], a, "net_migration",
                                     c["mig_" + s][i]])
    ref17.write_csv(os.path.join(folder, "expected.csv"),
                    ["variant", "year", "zone", "group", "sex", "age", "population"], rows)
    if with_components:
        ref17.write_csv(os.path.join(folder, "expected_components.csv"),
                        ["variant", "period", "zone", "group", "sex", "age", "component", "persons"], crow)


def scenario_head(comment, name, title, zones, base_year, horizon, step):
    """The start of a case's scenario.toml (its make_case.py writes the file): the comment lines, [scenario],
    [geography] (`zones` the TOML of the zone list) and [projection] on CCM's grid to 130+ with `flow_policy =
    "conserve"` (bayesPop has no override: its empty cells stay empty)."""
    lines = ["# SPDX-License-Identifier: Apache-2.0",
             "# Conformance case (independent computation), written by make_case.py: " + comment[0]]
    lines += ["# " + c for c in comment[1:]]
    lines += ["# Written by an eighteenth outside author from scenarios/README.md (the format) and the UN's code. "
              "README.md: source.", "", "[scenario]", 'name = "%s"' % name, 'title = "%s"' % title, 'language = "en"',
              "", "[geography]", "zones = [%s]" % zones, "", "[projection]", "base_year = %d" % base_year,
              "horizon = %d" % horizon, "step = %d" % step, "open_age = 130", 'flow_policy = "conserve"', ""]
    return "\n".join(lines) + "\n"


# the five-year cases' inputs as write_country_inputs writes them (the base population in thousands, no unit)
FIVE_YEAR_INPUTS = """[base_population]
table = "population_2020.csv"          # thousands, as bayesPop's files: no unit

[fertility]
schedule = { path = "asfr.csv", columns = { value = "asfr" } }   # TFR x PASFR / 100 / 5
srb = { path = "srb.csv", unit = "per_female", columns = { value = "srb" } }

[mortality]
Sx = { path = "sx.csv", columns = { value = "sx" } }   # MortCast's abridged sx of Canada's WPP 2024 rates

"""


def total_flows(totals, z, unit):
    """The TOML of one `[[migration.flows]]` per step for bayesPop's `mig` totals {step start: T over the step}:
    `kind = "net"`, T / z per year over the step's calendar years, the family's immigration or emigration shares
    (profile_immigration.csv / profile_emigration.csv) by the sign of T."""
    out = ""
    for y in sorted(totals):
        t = totals[y]
        out += """
[[migration.flows]]                    # the `mig` total of %s: %r %s
kind = "net"
total_per_year = %r
years = [%d, %d]
profile = { path = "profile_%s.csv" }
""" % (p_label(y) if z == 5 else str(y), t, unit, t / z, y + 1, y + z, "immigration" if t >= 0 else "emigration")
    return out
