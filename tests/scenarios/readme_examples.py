# SPDX-License-Identifier: Apache-2.0
"""Every ```toml example of scenarios/README.md through `cohortgis validate` (used by readme_keys_test.py --cohortgis).

The README's complete single-year case ("A complete single-year case") is the base: it runs as written on the files
of tests/conformance/un-open-age-130, which have its file names. Every other example is a fragment: its sections
replace the base's sections of the same name (`[base_population.fit]` replaces `[base_population]` with the rest of
the fragment's `[base_population]`), and the files it names are written into the folder from the same fixture
(tables below, in the layout the README gives each). An example with a spec in SPECS may also change the base's
`[projection]` and `[geography]`, drop base sections it conflicts with, or use the five-year base (the same case
with `step = 5` on tests/conformance/un-five-year-mig-parameter), or take one of scenarios/examples as its base
(`example`: its scenario and files, `rename`d where the README names a file otherwise; `data:` paths from data/), or
have a NetCDF cube written (`netcdf`). An example no spec covers is an error: a new example needs a spec here (or a
reason in SKIP), so that every example stays one that runs as written.
"""
import csv
import math
import os
import pathlib
import re
import shutil
import subprocess
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
CONFORMANCE = ROOT / "tests" / "conformance"
EXAMPLES = ROOT / "scenarios" / "examples"
SINGLE = CONFORMANCE / "un-open-age-130"
FIVE = CONFORMANCE / "un-five-year-mig-parameter"
SEXES = ("female", "male")


def write(path, header, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def read(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


class Fixture:
    """The base case's tables by sex and age (first time_start only)."""

    def __init__(self, folder):
        self.folder = folder
        self.pop = {(r["sex"], int(r["age_start"])): float(r["value"]) for r in read(folder / "pop_count_age_sex_base.csv")}
        self.ages = sorted({a for _, a in self.pop})
        self.z = self.ages[1] - self.ages[0]
        lt = read(folder / "life_table_age_sex.csv")
        first = min(int(r["time_start"]) for r in lt)
        self.lt = {}
        for r in lt:
            if int(r["time_start"]) == first and r["sex"] in SEXES:
                self.lt.setdefault(r["indicator"], {})[(r["sex"], int(r["age_start"]))] = float(r["value"])
        self.lt_ages = sorted({a for _, a in self.lt["lt_nLx"]})
        fert = read(folder / "fert_rate_age_f.csv")
        first = min(int(r["time_start"]) for r in fert)
        self.asfr = {int(r["age_start"]): float(r["value"]) for r in fert if int(r["time_start"]) == first}

    def mx(self):
        """Death rates by life-table row: lt_nMx where given, else d / L from lt_lx and lt_nLx (open row l / T)."""
        if "lt_nMx" in self.lt:
            return self.lt["lt_nMx"]
        l, L, out = self.lt["lt_lx"], self.lt["lt_nLx"], {}
        for s in SEXES:
            for i, a in enumerate(self.lt_ages):
                nxt = l[(s, self.lt_ages[i + 1])] if i + 1 < len(self.lt_ages) else 0.0
                out[(s, a)] = (l[(s, a)] - nxt) / L[(s, a)]
        return out

    def cells(self):
        return [(s, a) for s in SEXES for a in self.ages]


def tables(fx, d, zones, groups):
    """Every file the fragments name, written into d (zones, groups: the scenario's)."""
    t = lambda name: d / name  # noqa: E731
    pop, mx = fx.pop, fx.mx()
    last = fx.ages[-1]
    zg = [(z, g) for z in zones for g in groups]
    share = 1.0 / (len(zones) * len(groups))
    write(t("base_by_group.csv"), ["zone", "group", "sex", "age", "population"],
          [(z, g, s, a, pop[(s, a)] * share / 1e4) for z, g in zg for s, a in fx.cells()])
    write(t("residents.csv"), ["zone", "sex", "age", "population"],
          [(z, s, a, pop[(s, a)] / len(zones)) for z in zones for s, a in fx.cells()])
    write(t("hukou_elsewhere_by_age.csv"), ["zone", "sex", "age", "population"],
          [(z, s, a, 0.25 * pop[(s, a)] / len(zones)) for z in zones for s, a in fx.cells()])
    label = lambda a: f"{a}岁及以上" if a == last else (f"{a}岁" if fx.z == 1 else f"{a}～{a + fx.z - 1}岁")  # noqa: E731
    write(t("人口.csv"), ["区县", "户口", "性别", "年龄", "人数"],
          [(z, {"registered": "户籍", "floating": "流动"}.get(g, g), {"female": "2", "male": "1"}[s], label(a), pop[(s, a)] * share)
           for z, g in zg for s, a in fx.cells()])
    # A register of persons (records) and of births and deaths (registers): a few persons in every zone and group.
    people, births, deaths = [], [], []
    for i, (z, g) in enumerate(zg * 20):
        sex = "女" if i % 2 else "男"
        people.append((f"P{i}", f"{1950 + i % 60}-0{1 + i % 9}-1{i % 10}", sex, z, {"registered": "本地", "floating": "外来"}.get(g, "本地"), i % 3))
        births.append((f"B{i}", f"2020-0{1 + i % 9}-15", f"{1985 + i % 15}-03-01", "female" if i % 2 else "male", z, g))
        deaths.append((f"2020-0{1 + i % 9}-20", f"{1930 + i % 50}-05-05", "female" if i % 2 else "male", z, g))
    write(t("register.csv"), ["person_id", "birth_date", "xb", "district", "hukou", "ceb"], people)
    write(t("births.csv"), ["birth_id", "birth_date", "mother_dob", "child_sex", "district", "hukou"], births)
    write(t("deaths.csv"), ["death_date", "dob", "xb", "district", "hukou"], deaths)
    # Fertility.
    write(t("asfr.csv"), ["age", "value"], [(a, v) for a, v in fx.asfr.items()])
    write(t("asfr_standard.csv"), ["age", "value"], [(a, v) for a, v in fx.asfr.items()])
    write(t("asfr_factors.csv"), ["zone", "value"], [(z, 1.0 + 0.1 * i) for i, z in enumerate(zones)])
    tfr = fx.z * sum(fx.asfr.values())
    write(t("fert_pct_age_1x1.csv"), ["time_start", "age_start", "value"],
          [(2020, a, 100 * fx.z * v / tfr) for a, v in fx.asfr.items()])
    fertile = [a for a, v in fx.asfr.items() if v > 0]
    write(t("parity_rates.csv"), ["age", "parity", "value"],
          [(a, p, min(0.9, 2 * fx.asfr[a])) for a in fertile for p in ("0", "1", "2", "3+")])
    write(t("parity_base.csv"), ["age", "parity", "share"],
          [(a, p, 0.25) for a in range(15, last + 1, 5) for p in ("0", "1", "2", "3+")])
    # Mortality.
    L, lx, ax = fx.lt["lt_nLx"], fx.lt["lt_lx"], fx.lt.get("lt_nAx")
    write(t("life_table.csv"), ["indicator", "time_start", "sex", "age_start", "value"],
          [(ind, 2020, s, a, v) for ind, tab in fx.lt.items() for (s, a), v in tab.items()])
    write(t("mx_standard.csv"), ["sex", "age", "value"], [(s, a, v) for (s, a), v in mx.items()])
    write(t("mx_factors.csv"), ["zone", "value"], [(z, 1.0 - 0.1 * i) for i, z in enumerate(zones)])
    qrows, wide = [], []
    for s in SEXES:
        for i, a in enumerate(fx.lt_ages):
            n = fx.lt_ages[i + 1] - a if i + 1 < len(fx.lt_ages) else 0
            l1 = lx[(s, fx.lt_ages[i + 1])] if n else 0.0
            q = 1 - l1 / lx[(s, a)]
            a_x = (L[(s, a)] - n * l1) / (lx[(s, a)] - l1) if n else L[(s, a)] / lx[(s, a)]
            open_m = 1 / a_x if not n else ""
            qrows.append((2020, s, a, q, a_x if n else "", open_m))
            wide.append((2020, s, a, mx[(s, a)], q, a_x, lx[(s, a)], L[(s, a)]))
    write(t("qx.csv"), ["year", "sex", "age", "value", "ax", "mx"], [r for r in qrows])
    write(t("life_table_qx_columns.csv"), ["time_start", "sex", "age_start", "value", "ax", "mx"], qrows)
    write(t("life_table_wide.csv"), ["time_start", "sex", "age_start", "lt_nMx", "lt_nqx", "lt_nAx", "lt_lx", "lt_nLx"], wide)
    # Migration.
    cells = [(z, g, s, a) for z, g in zg for s, a in fx.cells()]
    write(t("net_migrants.csv"), ["zone", "group", "sex", "age", "value"], [c + (1.0,) for c in cells])
    write(t("net_rates.csv"), ["zone", "group", "sex", "age", "value"], [c + (0.001,) for c in cells])
    write(t("totals.csv"), ["zone", "group", "value"], [(z, g, 0.5) for z, g in zg])
    write(t("immigrants.csv"), ["zone", "group", "sex", "age", "value"], [c + (2.0,) for c in cells])
    write(t("emigrants.csv"), ["zone", "group", "sex", "age", "value"], [c + (1.0,) for c in cells])
    write(t("emigration_rates.csv"), ["zone", "group", "sex", "age", "value"], [c + (0.001,) for c in cells])
    write(t("distances.csv"), ["origin", "destination", "distance"],
          [(o, de, 10.0 + i + j) for i, o in enumerate(zones) for j, de in enumerate(zones) if i < j])
    write(t("hukou_rates.csv"), ["sex", "age", "value"], [(s, a, 0.01) for s, a in fx.cells() if a < 85])  # open at 85
    write(t("mig_age_pattern.csv"), ["sex", "age_start", "value"], [(s, a, 1.0) for s, a in fx.cells()])
    # [stochastic] tables: trajectories to 2040 (rows of years no step ends in are ignored), a history of mx.
    write(t("tfr_trajectories.csv"), ["trajectory", "year", "LocID", "tfr"],
          [(k, y, z, 1.5 + 0.01 * k) for k in range(3) for y in range(2020, 2041) for z in zones])
    write(t("e0_trajectories.csv"), ["trajectory", "year", "value"], [(k, y, 78 + 0.1 * k) for k in range(3) for y in range(2020, 2041)])
    write(t("mx_history.csv"), ["year", "sex", "age", "mx"],
          [(y, s, a, v * math.exp(-0.01 * (y - 2010) * (1 + a / 100))) for y in (2010, 2015, 2020) for (s, a), v in mx.items()
           if s == "female"])  # one sex, as the README's example reads it
    write(t("zone_correlation.csv"), ["zone"] + list(zones),
          [[z] + [1.0 if z == w else 0.5 for w in zones] for z in zones])
    # [controls], [capacity], [households].
    step_end = 2020 + fx.z
    write(t("controls.csv"), ["zone", "year", "persons"], [("total", step_end, sum(pop.values()))])
    write(t("caps.csv"), ["zone", "year", "max_population", "dwellings"], [(z, step_end, 1e9, "") for z in zones])
    write(t("headship.csv"), ["zone", "sex", "age", "rate", "year"],
          [(z, s, a, 0.4 if a >= 20 else 0.0, 2020) for z in zones for s, a in fx.cells()])
    # `cohortgis estimate` outputs.
    write(t("estimated/population_2010.csv"), ["zone", "sex", "age", "population"],
          [(z, s, a, pop[(s, a)] / len(zones)) for z in zones for s, a in fx.cells()])
    write(t("estimated/net_migration.csv"), ["zone", "sex", "age", "value"],
          [(z, s, a, 1.0) for z in zones for s, a in fx.cells()])
    write(t("estimated/mx_by_zone.csv"), ["zone", "sex", "age", "value"], [(z, s, a, v) for z in zones for (s, a), v in mx.items()])
    write(t("estimated/asfr_by_zone.csv"), ["zone", "age", "value"], [(z, a, v) for z in zones for a, v in fx.asfr.items()])


def netcdf_cube(fx, d, zones, groups):
    """population.nc: the base case's population as the README's cube population(zone, group, sex, age)."""
    import netCDF4
    import numpy as np

    with netCDF4.Dataset(d / "population.nc", "w", format="NETCDF4") as nc:
        for name, values in (("zone", zones), ("group", groups), ("sex", list(SEXES))):
            nc.createDimension(name, len(values))
            v = nc.createVariable(name, str, (name,))
            for i, x in enumerate(values):
                v[i] = x
        nc.createDimension("age", len(fx.ages))
        nc.createVariable("age", "i4", ("age",))[:] = np.array(fx.ages, dtype="i4")
        pop = nc.createVariable("population", "f8", ("zone", "group", "sex", "age"))
        share = 1.0 / (len(zones) * len(groups))
        pop[:] = np.array([[[[fx.pop[(s, a)] * share for a in fx.ages] for s in SEXES] for _ in groups] for _ in zones])


def wpp_files(d):
    """tests/fixtures/wpp2022's files; its life tables end in 2019, whose rows stand for 2020 here (the example's
    Time = 2020, the base year)."""
    fixtures = CONFORMANCE.parent / "fixtures" / "wpp2022"
    for f in fixtures.glob("*.csv"):
        shutil.copy(f, d / f.name)
    lt = d / "WPP2022_Life_Table_Abridged_Medium_1950-2021.csv"
    with open(lt, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    time = rows[0].index("Time")
    extra = [r[:time] + ["2020"] + r[time + 1:] for r in rows[1:] if r[time] == "2019"]
    write(lt, rows[0], rows[1:] + extra)


# How each fragment is run, by a text of its first key line (a prefix). `projection`: keys set in the base's
# [projection]; `zones`: the base's zone ids; `drop`: base sections left out (a table without a zone or group column
# that the fragment's zones or groups would make ambiguous); `five`: the five-year base.
# Two groups: the base population by group (a table without a `group` column is refused with several groups).
GROUPS = {"projection": {"groups": '["registered", "floating"]'}, "drop": ["migration", "base_population"],
          "base": 'table = { path = "base_by_group.csv", unit = "10k" }'}
SRB = {"keep": {"fertility": ["srb"]}}  # a [fertility] fragment without srb goes beside the base's
SPECS = {
    'path = "人口.csv"': {"projection": GROUPS["projection"], "drop": ["migration"]},
    'table = { path = "base_by_group.csv"': {"projection": GROUPS["projection"], "drop": ["migration"]},
    'table = "residents.csv"': {"projection": GROUPS["projection"], "drop": ["migration"]},
    'records = { path = "register.csv"': {"projection": GROUPS["projection"], "drop": ["migration"]},
    'births = { path = "births.csv"': GROUPS,
    'schedule = { path = "asfr.csv"': {},
    'parity_rates = { path = "parity_rates.csv"': {},
    'Lx = { path = "life_table.csv"': {},
    'qx = "qx.csv"': {},
    'mx = "mx_standard.csv"': {"zones": ["A", "B"], "drop": ["migration", "base_population"],
                               "base": 'table = "residents.csv"', **SRB},
    'net = { path = "net_migrants.csv"': {"five": True},  # timing keys 2020 and 2030: step starts
    'kind = "in"': GROUPS,
    "gravity = {": {"zones": ["A", "B"], "drop": ["base_population"], "base": 'table = "residents.csv"'},
    "base_year = 2020": dict(GROUPS, five=True),
    "trajectories = 1000": {"mortality": 'mx = { path = "mx_standard.csv" }\nopen_ax = 0.5'},
    "tfr_trajectories = {": {"mortality": 'mx = { path = "mx_standard.csv" }\nopen_ax = 0.5'},
    'qx = { path = "life_table_qx_columns.csv"': {},
    'life_table = { path = "life_table_wide.csv"': {},
    'schedule = { path = "fert_pct_age_1x1.csv"': SRB,
    'timing = { "2020" = "even", "2022" = "end" }': {},
    'kind = "net"': {},
    'name = "un-case"': {},
    "population = true": {},
    'zones = [ { id = "A"': {"drop": ["migration", "base_population"], "base": 'table = "residents.csv"',
                              "zones": ["A", "B", "C"]},
    'table = "estimated/population_2010.csv"': {},
    'mx = "estimated/mx_by_zone.csv"': dict(SRB, five=True),
    # The UN's WPP 2022 files: tests/fixtures/wpp2022 (China and Japan), zone CHN (the ISO3 code) on five-year steps.
    'table = { path = "WPP2022_': dict(SRB, five=True, zones=["CHN"], wpp=True, projection={"open_age": "85"}),  # the excerpt ends at 95+
    # A census_long table fitted to groups: examples/foshan-2011's census (its zones and groups), under the name the
    # README gives it.
    'table = "census2010.csv"': {"example": "foshan-2011", "rename": {"census2010_foshan.csv": "census2010.csv"}},
    'format = "netcdf"': {"netcdf": True},
    # The Beijing bulletins: examples/beijing-2020's zones and groups, its [monitoring] replaced by the README's.
    'observed = "data:geo/': {"example": "beijing-2020"},
}
SKIP = {
    # Not TOML: `a | b` alternatives and `…`; each form it lists is in an example of its own below it.
    "{ path = ": "the pattern of a table reference (alternatives written `a | b`), not a scenario",
}


def first_key_line(block):
    return next(l.strip() for l in block.splitlines() if "=" in l and not l.lstrip().startswith("#"))


def sections(text):
    """[(top-level name, text)] of a TOML text, a section's sub-tables with it; '' for lines before the first."""
    out, name, buf = [], "", []
    for line in text.splitlines(keepends=True):
        m = re.match(r'\s*\[\[?\s*([A-Za-z_]+)', line)
        if m and (m.group(1) != name or not buf):
            if buf:
                out.append((name, "".join(buf)))
            name, buf = m.group(1), []
        buf.append(line)
    if buf:
        out.append((name, "".join(buf)))
    return out


def merged(base, fragment, spec):
    """The base scenario with the fragment's sections in place of its own, changed as the spec says."""
    names = {n for n, _ in sections(fragment) if n}
    out = []
    for name, text in sections(base):
        if name in names or name in spec.get("drop", []):
            if name == "base_population" and name not in names and "base" in spec:
                out.append("[base_population]\n" + spec["base"] + "\n\n")
            continue
        if name == "geography" and "zones" in spec:
            text = "[geography]\nzones = [" + ", ".join(f'{{ id = "{z}", name = "{z}" }}' for z in spec["zones"]) + "]\n\n"
        if name == "projection":
            for k, v in spec.get("projection", {}).items():
                line = re.compile(r'^' + k + r'\s*=.*$', re.M)
                text = line.sub(f"{k} = {v}", text) if line.search(text) else text.rstrip("\n") + f"\n{k} = {v}\n\n"
        if name == "mortality" and "mortality" in spec:
            text = "[mortality]\n" + spec["mortality"] + "\n\n"
        out.append(text)
    for sec, ks in spec.get("keep", {}).items():
        lines = [l for n, t in sections(base) if n == sec for l in t.splitlines()
                 if re.match(r'\s*(' + "|".join(ks) + r')\s*=', l)]
        fragment = re.sub(r'^\[' + sec + r'\]\n', lambda m: m.group(0) + "\n".join(lines) + "\n", fragment, flags=re.M)
    return "".join(out) + "\n" + fragment


def validate_examples(readme, binary):
    """Problems (strings) of the README's toml examples under `cohortgis validate`, and the number validated."""
    blocks = [(readme.count("\n", 0, m.start()) + 2, m.group(1)) for m in re.finditer(r'```toml\n(.*?)```', readme, re.S)]
    complete = [b for _, b in blocks if re.search(r'^\[scenario\]', b, re.M) and re.search(r'^\[projection\]', b, re.M)]
    if len(complete) != 1:
        return [f"expected one complete example scenario in the README, found {len(complete)}"], 0
    base1 = complete[0]
    problems, n = [], 0
    for line, block in blocks:
        key = first_key_line(block)
        if any(key.startswith(s) for s in SKIP):
            continue
        spec = next((v for s, v in SPECS.items() if key.startswith(s)), None)
        if spec is None:
            problems.append(f"README line {line}: example `{key}` has no spec in tests/scenarios/readme_examples.py "
                            "(SPECS: how to run it through cohortgis validate; SKIP: why not)")
            continue
        env = dict(os.environ, LC_ALL="C.UTF-8")
        if spec.get("example"):
            with tempfile.TemporaryDirectory(prefix="readme-example-") as d:
                d, folder = pathlib.Path(d), EXAMPLES / spec["example"]
                for f in folder.iterdir():
                    if f.is_file():
                        shutil.copy(f, d / f.name)
                for src, dst in spec.get("rename", {}).items():
                    shutil.copy(folder / src, d / dst)
                text = merged((folder / "scenario.toml").read_text(encoding="utf-8"), block, spec)
                (d / "scenario.toml").write_text(text, encoding="utf-8")
                r = subprocess.run([binary, "validate", str(d / "scenario.toml")], capture_output=True, text=True,
                                   env=dict(env, COHORTGIS_DATA_DIR=str(ROOT / "data")), timeout=120)
                n += 1
                if r.returncode != 0:
                    problems.append(f"README line {line}: example `{key}` fails `cohortgis validate` in scenarios/"
                                    f"examples/{spec['example']} ({d.name}/scenario.toml):\n{text}\n{r.stdout}{r.stderr}")
            continue
        fx = Fixture(FIVE if spec.get("five") else SINGLE)
        with tempfile.TemporaryDirectory(prefix="readme-example-") as d:
            d = pathlib.Path(d)
            for f in fx.folder.glob("*.csv"):
                shutil.copy(f, d / f.name)
            base = base1 if not spec.get("five") else base1.replace("step = 1\n", "step = 5\n").replace(
                "open_age = 130 ", "open_age = 100 ").replace("horizon = 2030\n", "horizon = 2035\n")
            text = block if block is base1 else merged(base, block, spec)
            zones = spec.get("zones", ["X"])
            groups = re.search(r'groups = \[([^\]]*)\]', text)
            groups = re.findall(r'"([^"]+)"', groups.group(1)) if groups else ["total"]
            tables(fx, d, zones, groups)
            if spec.get("wpp"):
                wpp_files(d)
            if spec.get("netcdf"):
                netcdf_cube(fx, d, zones, groups)
            (d / "scenario.toml").write_text(text, encoding="utf-8")
            r = subprocess.run([binary, "validate", str(d / "scenario.toml")], capture_output=True, text=True,
                               env=env, timeout=120)
            n += 1
            if r.returncode != 0:
                problems.append(f"README line {line}: example `{key}` fails `cohortgis validate` "
                                f"(run as {d.name}/scenario.toml):\n{text}\n{r.stdout}{r.stderr}")
    return problems, n
