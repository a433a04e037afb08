#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Results folders made by hand for `info` and `report` (hostile probe, round 10; tests/probe/hostile_round10.py;
round 30: tests/probe/hostile_round30.py, at the end):
what each did before its fix is in the comment above it. `report` first checks a folder against manifest.json, so
its cases are resealed as a forger would (every listed file's size and SHA-256, and the manifest's own seal). Each
must exit 1 with a message naming the file and what was expected, and leave the folder as it was.

Usage: hostile_round10.py COHORTGIS_EXE FIXTURES_DIR
"""
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile

import netCDF4
import numpy as np

# reseal(): the hostile probes' forger of a results folder's manifest (tests/probe/probe_common.py).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "probe"))
from probe_common import ZONES_GJ, reseal  # noqa: E402

EXE, FIX = os.path.abspath(sys.argv[1]), sys.argv[2]
WORK = tempfile.mkdtemp(prefix="cohortgis-round10-")
failures = []
# Under AddressSanitizer (scripts/test.sh's second pass) a 1 GiB address-space limit leaves no room for the shadow
# memory, and LeakSanitizer adds its list of suppressions used to stderr.
SANITIZED = b"__asan_init" in open(EXE, "rb").read()


def own_stderr(text):
    return re.sub(r"-{20,}\nSuppressions used:\n(?:.*\n)*?-{20,}\n\n?", "", text)


def listing(d, files=False):
    """d's entries (name, size, mtime); files: every file under d instead (a report's error puts the files of maps/
    and charts/ back, but those folders' own times change)."""
    if files:
        paths = [os.path.join(p, n) for p, _, names in os.walk(d) for n in names]
        return sorted((f, os.lstat(f).st_size, os.lstat(f).st_mtime_ns) for f in paths)
    return sorted((n, os.lstat(os.path.join(d, n)).st_size, os.lstat(os.path.join(d, n)).st_mtime_ns)
                  for n in os.listdir(d))


def expect(name, cmd, base, change, pattern, seal=False, memory=None, files=False):
    """A copy of results folder `base`, change(dir) applied, then `cohortgis cmd dir`: exit 1 matching pattern."""
    d = os.path.join(WORK, name)
    shutil.copytree(os.path.join(WORK, base), d)
    change(d)
    if seal:
        reseal(d)
    before = listing(d, files)
    limit = (lambda: resource.setrlimit(resource.RLIMIT_AS, (memory, memory))) if memory and not SANITIZED else None
    p = subprocess.run([EXE, cmd, d], capture_output=True, text=True, errors="replace", timeout=60,
                       preexec_fn=limit)
    problems = []
    if p.returncode != 1:
        problems.append("exit %d" % p.returncode)
    if not re.search(pattern, p.stderr):
        problems.append("message %r does not match %r" % (p.stderr[-400:], pattern))
    if len(p.stderr) > 2000:
        problems.append("a message of %d bytes" % len(p.stderr))
    if listing(d, files) != before:
        problems.append("the folder changed")
    print(("FAIL: " if problems else "ok: ") + name + ": " + "; ".join(problems or [p.stderr.strip()[-200:]]))
    failures.extend(name for _ in problems[:1])


def replace(rel, text):
    def f(d):
        open(os.path.join(d, rel), "w").write(text)
    return f


def special(rel, kind, target=None):
    def f(d):
        p = os.path.join(d, rel)
        os.remove(p)
        if kind == "fifo":
            os.mkfifo(p)
        else:
            os.symlink(target, p)
    return f


def results_nc(pop_dims=("variant", "year", "zone", "group", "sex", "age"), zones=2, ages=(0, 5, 10, 15, 20)):
    def f(d):
        p = os.path.join(d, "results.nc")
        os.remove(p)
        with netCDF4.Dataset(p, "w") as n:
            for name, k in [("variant", 1), ("year", 2), ("zone", zones), ("group", 1), ("sex", 2), ("age", len(ages))]:
                n.createDimension(name, k)
            for name, values in [("variant", ["baseline"]), ("zone", ["Z%d" % i for i in range(zones)]),
                                 ("group", ["total"]), ("sex", ["female", "male"])]:
                v = n.createVariable(name, str, (name,))
                for i, x in enumerate(values):
                    v[i] = x
            n.createVariable("year", "i4", ("year",))[:] = [2020, 2030]
            n.createVariable("age", "i4", ("age",))[:] = np.array(ages, dtype="i4")
            shape = [len(n.dimensions[x]) for x in pop_dims]
            n.createVariable("population", "f8", pop_dims)[:] = np.ones(shape)
    return f


for f in ("good.toml", "base.csv", "asfr.csv", "mx.csv"):
    shutil.copy(os.path.join(FIX, "scenarios", f), WORK)
# The netcdf folder keeps indicators.csv (--indicators-csv, round 12): its hand-made results.nc cases are about the
# population read from it, not the indicators (tests/app/indicators_in_netcdf.py has those).
for out, fmt in (("csv", ["csv"]), ("nc", ["netcdf", "--indicators-csv"])):
    subprocess.run([EXE, "run", "good.toml", "--out", out, "--quiet", "--no-report", "--format", *fmt], cwd=WORK,
                   check=True)
header = open(os.path.join(WORK, "csv", "indicators.csv")).readline()

# An indicators.csv of a header only: report read the first of no years (SIGSEGV).
expect("header_only", "report", "csv", replace("indicators.csv", header), r"indicators\.csv: no rows", seal=True)
# 2 GB of NUL bytes after the header (a sparse file): 4 GB of memory before the error (std::bad_alloc, exit 2,
# under this 1 GiB limit); now refused once a row passes 64 MiB.
expect("sparse_2GB", "info", "csv", lambda d: (replace("indicators.csv", header)(d),
                                               os.truncate(os.path.join(d, "indicators.csv"), 2 << 30)),
       r"indicators\.csv: row 2 holds more than 64 MiB", memory=1 << 30)
# A 100,000-character value was quoted whole in the message.
expect("long_cell", "info", "csv", replace("indicators.csv", header + "baseline,2020,A,total,population,1" +
                                           "x" * 100000 + "\n"), r"column 'value': expected a number, got '1x{39}…'")
# population.csv or results.nc that is a FIFO was passed over (report drew no pyramids, exit 0), a link to another
# results.nc was read.
expect("population_fifo_info", "info", "csv", special("population.csv", "fifo"),
       r"population\.csv: a symbolic link or not a regular file")
expect("results_nc_fifo_report", "report", "nc", special("results.nc", "fifo"),
       r"results\.nc \(now not a regular file: a pipe or device\) changed since the run", seal=True)
expect("results_nc_link_info", "info", "nc", special("results.nc", "link", os.path.join(WORK, "nc", "results.nc")),
       r"results\.nc: a symbolic link or not a regular file")
# population with its dimensions in another order (same lengths) or along another dimension was read as
# (variant, year, zone, group, sex, age): a silent wrong pyramid.
expect("results_nc_transposed", "report", "nc",
       results_nc(("variant", "year", "age", "group", "sex", "zone"), zones=5),
       r"results\.nc: variable population does not have the dimensions \(variant, year, zone, group, sex, age\)",
       seal=True)
# Ages past int's range (the pyramids' labels subtract neighbouring ages) or out of order.
expect("results_nc_age_int_max", "report", "nc", results_nc(ages=(0, 5, 10, 15, 2147483647)),
       r"results\.nc: variable age holds 2147483647 at index 4, not an age from 0 to 1000 above", seal=True)
expect("results_nc_age_descending", "report", "nc", results_nc(ages=(20, 15, 10, 5, 0)),
       r"results\.nc: variable age holds 15 at index 1, not an age from 0 to 1000 above the one before it",
       seal=True)

# --threads above the cores (256, the cap): the report's drawing and an ensemble's arena printed "TBB Warning: The
# number of workers is currently limited …" on stderr, --quiet or not.
for name, extra in (("threads_report", []), ("threads_ensemble", ["--trajectories", "4", "--no-report"])):
    p = subprocess.run([EXE, "run", "good.toml", "--out", name, "--quiet", "--threads", "256", *extra], cwd=WORK,
                       capture_output=True, text=True, timeout=120)
    ok = p.returncode == 0 and own_stderr(p.stderr) == ""
    print(("ok: " if ok else "FAIL: ") + name + ": exit %d, stderr %r" % (p.returncode, p.stderr[:200]))
    failures.extend([name] if not ok else [])

# A file-size limit (`ulimit -f`, a full disk alike) while results.nc is written: after its error the process died
# with SIGSEGV in HDF5's exit handler (the half-closed file), and HDF5 printed a 40-line error stack first.
p = subprocess.run([EXE, "run", "good.toml", "--out", "fsize", "--quiet", "--no-report", "--format", "netcdf"],
                   cwd=WORK, capture_output=True, text=True, timeout=120,
                   preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (60 << 10, 60 << 10)))
# (A run of several variants names the one whose year was written: app::project_runs, round 29.)
ok = (p.returncode == 1 and re.fullmatch(r"cohortgis: error: (variant '[^']+': )?\S+/results\.nc: writing \S+ \S* ?"
                                         r"failed \(NetCDF: HDF error\)\n", own_stderr(p.stderr)) is not None and
      not [n for n in os.listdir(WORK) if n.startswith("fsize")])
print(("ok: " if ok else "FAIL: ") + "fsize_netcdf: exit %d, stderr %r" % (p.returncode, p.stderr[-300:]))
failures.extend([] if ok else ["fsize_netcdf"])

# Round 30 (tests/probe/hostile_round30.py): the years of service_demand.csv, households.csv and probabilities.csv and
# the plan periods of manifest.json were read with std::stoi, so a forged cell or period ("x", "", 99999999999) made
# `report` "internal error: stoi", exit 2. One run with zone shapes (the maps), households, a service and trajectories.
with open(os.path.join(WORK, "good.toml")) as f:
    good = f.read()
with open(os.path.join(WORK, "plan.toml"), "w") as f:
    source = '[geography.source]\npath = "zones.geojson"\nid_field = "id"\n\n[projection]'
    f.write(good.replace("[projection]", source) + '\n[households]\naverage_size = "hh.csv"\n\n'
            '[[services]]\nname = "school"\nages = [5, 14]\nper_person = 1\n')
replace("zones.geojson", ZONES_GJ)(WORK)
replace("hh.csv", "zone,persons_per_household\nA,2\nB,2.5\n")(WORK)
subprocess.run([EXE, "run", "plan.toml", "--out", "plan", "--quiet", "--trajectories", "2"], cwd=WORK, check=True)


def cell(rel, column, value):
    """Data row 1's cell of `column` in the results CSV rel set to value."""
    def f(d):
        with open(os.path.join(d, rel)) as src:
            lines = src.read().split("\n")
        head = lines[0].split(",")
        cells = lines[1].split(",")
        cells[head.index(column)] = value
        lines[1] = ",".join(cells)
        replace(rel, "\n".join(lines))(d)
    return f


def manifest(old, new):
    def f(d):
        with open(os.path.join(d, "manifest.json")) as src:
            replace("manifest.json", src.read().replace(old, new, 1))(d)
    return f


expect("service_year_text", "report", "plan", cell("service_demand.csv", "year", "x"),
       r"service_demand\.csv: row 2, column 'year': expected a whole number, got 'x'", seal=True, files=True)
expect("households_year_huge", "report", "plan", cell("households.csv", "year", "99999999999"),
       r"households\.csv: row 2, column 'year': expected a whole number, got '99999999999'", seal=True, files=True)
expect("probabilities_year_empty", "report", "plan", cell("probabilities.csv", "year", ""),
       r"probabilities\.csv: row 2, column 'year': expected a whole number, got ''", seal=True, files=True)
expect("plan_period_label", "report", "plan", manifest('"period": "2026-2030"', '"period": "x-y"'),
       r"manifest\.json: projection\.plan_periods: period 'x-y'; expected a year or years such as \"2026-2030\"",
       seal=True, files=True)

shutil.rmtree(WORK)
if failures:
    sys.exit("FAILED: " + ", ".join(failures))
print("round 10 results folders handled")
