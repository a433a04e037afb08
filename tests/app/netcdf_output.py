#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""results.nc against the CSV files of the same run (issue #16): one run of the default scenario (every variant, two
groups, aggregates) with --format both; xarray must find exactly the numbers of population.csv, components.csv and
indicators.csv (the CSVs hold shortest round-trip text, so equality is exact), the zone ids and names of zones.csv, and
the manifest must list results.nc. A second run with --format netcdf --compress must give the same numbers from a
deflated file and leave out the two CSV cubes; a run at 1 thread must write the same bytes as one at 2. With
BENCH_TOOL, a scenario of 1,500 zones (several chunks a year, the last one shorter): the whole chunks written straight
into the file give the same bytes as every chunk through netCDF-C (--no-direct-chunks), with and without min_cell;
the base year's part of results.nc is out of the page cache after the run (dropped behind the writer and hashed with
direct reads) and the manifest's SHA-256 is the file's.

Usage: netcdf_output.py COHORTGIS_EXE [BENCH_TOOL]
"""
import ctypes
import hashlib
import json
import mmap
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd
import xarray as xr

from cli_checks import check, finish

EXE = sys.argv[1]


def run(out, *opts):
    p = subprocess.run([EXE, "run", "default", "--out", out, "--quiet", "--no-report", *opts],
                       capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"cohortgis run {' '.join(opts)}: exit {p.returncode}: {p.stderr}")


def cached_mib(path):
    """MiB of the file in the page cache (mincore of a read-only mapping); None where it cannot be told (tmpfs keeps
    every page)."""
    kind = subprocess.run(["stat", "-f", "-c", "%T", path], capture_output=True, text=True).stdout.strip()
    if kind == "tmpfs":
        return None
    try:  # without O_DIRECT the digest reads the file through mappings (file_digests.cpp): nothing to tell here
        os.close(os.open(path, os.O_RDONLY | os.O_DIRECT))
    except OSError:
        return None
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
    libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p]
    libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    size = os.path.getsize(path)
    page = mmap.PAGESIZE
    fd = os.open(path, os.O_RDONLY)
    try:
        addr = libc.mmap(None, size, mmap.PROT_READ, mmap.MAP_SHARED, fd, 0)
        if addr in (None, ctypes.c_void_p(-1).value):
            return None
        vec = (ctypes.c_ubyte * ((size + page - 1) // page))()
        ok = libc.mincore(addr, size, vec) == 0
        libc.munmap(addr, size)
    finally:
        os.close(fd)
    return sum(b & 1 for b in vec) * page / 2**20 if ok else None


def same(a, b):
    """Equal as doubles, NaN equal to NaN."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.all((a == b) | (np.isnan(a) & np.isnan(b))))


def compare_cubes(folder, ds):
    """results.nc's zones, population and components against the CSVs of the same run (suppressed cells: empty in
    the CSVs, NaN in results.nc; both read as NaN)."""
    variants = [str(v) for v in ds["variant"].values]
    years = [int(y) for y in ds["year"].values]
    zones = [str(z) for z in ds["zone"].values]
    groups = [str(g) for g in ds["group"].values]
    sexes = [str(s) for s in ds["sex"].values]
    ages = [int(a) for a in ds["age"].values]

    zcsv = pd.read_csv(os.path.join(folder, "zones.csv"), dtype=str, keep_default_na=False)
    check(zones == list(zcsv["zone"]), "zone ids as in zones.csv")
    check([str(n) for n in ds["zone_name"].values] == list(zcsv["name"]), "zone names as in zones.csv")

    # population.csv: every cell of every variant and year.
    pop = pd.read_csv(os.path.join(folder, "population.csv"), dtype={"zone": str}, float_precision="round_trip")
    check(variants == list(dict.fromkeys(pop["variant"])), "variants in run order")
    check(years == sorted(set(pop["year"])), "years")
    idx = lambda values, names: pd.Index(names).get_indexer(values)
    want = np.full(ds["population"].shape, np.nan)
    want[idx(pop["variant"], variants), idx(pop["year"], years), idx(pop["zone"], zones), idx(pop["group"], groups),
         idx(pop["sex"], sexes), idx(pop["age"], ages)] = pop["population"].to_numpy()
    check(len(pop) == want.size, f"population.csv has {len(pop)} rows for {want.size} cells")
    check(same(ds["population"].values, want), "population equals population.csv")

    # components.csv: rows of exactly 0 are left out there (0 in results.nc); the base year has no components (NaN).
    comp = pd.read_csv(os.path.join(folder, "components.csv"), dtype={"zone": str}, float_precision="round_trip")
    comp["year"] = comp["period"].astype(str).str.split("-").str[-1].astype(int)
    for name in ["deaths", "net_migration", "transfer_in", "transfer_out", "floor_adjustment", "births",
                 "newborn_transfer_in", "newborn_transfer_out"]:
        var = ds[name]
        want = np.zeros(var.shape)
        want[:, 0] = np.nan
        rows = comp[comp["component"] == name]
        at = [idx(rows["variant"], variants), idx(rows["year"], years), idx(rows["zone"], zones),
              idx(rows["group"], groups), idx(rows["sex"], sexes)]
        if var.ndim == 6:
            at.append(idx(rows["age"].astype(int), ages))
        want[tuple(at)] = rows["persons"].to_numpy()
        check(same(var.values, want), f"{name} equals components.csv ({len(rows)} rows)")
    return variants, years, idx


with tempfile.TemporaryDirectory() as work:
    both, packed, single = os.path.join(work, "both"), os.path.join(work, "packed"), os.path.join(work, "single")
    run(both, "--format", "both", "--threads", "2")
    run(packed, "--format", "netcdf", "--compress")
    run(single, "--format", "netcdf", "--threads", "1")
    # Reproducible: the same bytes at 1 and 2 threads, with or without the CSVs beside it.
    with open(os.path.join(both, "results.nc"), "rb") as f1, open(os.path.join(single, "results.nc"), "rb") as f2:
        check(f1.read() == f2.read(), "results.nc byte-identical at 1 and 2 threads")

    ds = xr.open_dataset(os.path.join(both, "results.nc"))
    check(ds.attrs.get("Conventions") == "CF-1.8", "global attribute Conventions = CF-1.8")
    check(ds["population"].dims == ("variant", "year", "zone", "group", "sex", "age"), "population dimensions")
    check(ds["indicators"].dims == ("variant", "year", "unit", "indicator_group", "indicator"), "indicator dimensions")
    check(ds["births"].dims == ("variant", "year", "zone", "group", "sex"), "births dimensions")
    variants, years, idx = compare_cubes(both, ds)
    # Components that are mostly 0 (transfers, floor adjustments, newborn transfers) have fill value 0 and no
    # _FillValue attribute (xarray would mask every 0): their chunks of only +0.0 are not stored. Count the bytes of
    # the chunks that must be stored (any value not +0.0 in those variables; any non-NaN value elsewhere, where the
    # fill is NaN and the base year's components are not written) and require the file to be no larger than those
    # plus 256 KiB of metadata, while the zero chunks alone are larger than that (the check can fail).
    sparse = {"transfer_in", "transfer_out", "floor_adjustment", "newborn_transfer_in", "newborn_transfer_out"}
    stored = skipped = 0
    for name, var in ds.data_vars.items():
        if var.dtype != np.float64 or var.ndim < 3:
            continue
        check(("_FillValue" in var.encoding) == (name not in sparse), f"{name}: _FillValue only where not sparse")
        chunks = var.encoding["chunksizes"]
        values = var.values
        chunk_bytes = 8 * int(np.prod(chunks))
        for at in np.ndindex(*[-(-n // c) for n, c in zip(values.shape, chunks)]):
            block = values[tuple(slice(i * c, (i + 1) * c) for i, c in zip(at, chunks))]
            if name in sparse:
                empty = not np.any(np.signbit(block) | (block != 0) | np.isnan(block))
            else:
                empty = bool(np.all(np.isnan(block)))
            if empty:
                skipped += chunk_bytes if name in sparse else 0
            else:
                stored += chunk_bytes
    size = os.path.getsize(os.path.join(both, "results.nc"))
    check(skipped > 256 * 1024, f"the run has zero chunks to leave out ({skipped} bytes)")
    check(size <= stored + 256 * 1024, f"results.nc {size} bytes: only the {stored} bytes of non-empty chunks stored")
    check(float(np.nansum(ds["deaths"].values)) > 0 and float(np.nansum(np.abs(ds["net_migration"].values))) > 0,
          "the run has deaths and migration (the comparison is not of zeros)")

    # indicators.csv: an empty value is NaN; indicators not in the CSV (flows of the base year) are NaN.
    ind = pd.read_csv(os.path.join(both, "indicators.csv"), dtype={"zone": str, "group": str},
                      float_precision="round_trip")
    var = ds["indicators"]
    units = [str(u) for u in ds["unit"].values]
    igroups = [str(g) for g in ds["indicator_group"].values]
    names = [str(k) for k in ds["indicator"].values]
    # The rows of [households] are appended to indicators.csv after the run and are not in results.nc
    # (docs/results.md): the default has [households] since round 22.
    appended = ~ind["indicator"].isin(names)
    check(set(ind["indicator"][appended]) == {"households", "dwellings_needed"},
          f"indicators.csv rows beyond results.nc: {sorted(set(ind['indicator'][appended]))}")
    ind = ind[~appended]
    want = np.full(var.shape, np.nan)
    want[idx(ind["variant"], variants), idx(ind["year"], years), idx(ind["zone"], units), idx(ind["group"], igroups),
         idx(ind["indicator"], names)] = ind["value"].to_numpy()
    check(set(ind["zone"]) == set(units) and "total" in units, "indicator units (zones and aggregates)")
    check(same(var.values, want), "indicators equal indicators.csv")
    ds.close()

    manifest = json.load(open(os.path.join(both, "manifest.json")))
    listed = [f["path"] for f in manifest["files"]]
    check("results.nc" in listed and "population.csv" in listed, "manifest lists results.nc and the CSVs")

    # --format netcdf --compress: the same numbers, deflated; no population.csv or components.csv.
    a = xr.open_dataset(os.path.join(both, "results.nc"))
    b = xr.open_dataset(os.path.join(packed, "results.nc"))
    for name in ["population", "deaths", "births", "indicators"]:
        check(same(a[name].values, b[name].values), f"--compress: {name} unchanged")
    check(b["population"].encoding.get("zlib") is True and b["population"].encoding.get("shuffle") is True,
          "--compress: shuffle + deflate")
    check(not a["population"].encoding.get("zlib"), "uncompressed by default")
    a.close()
    b.close()
    check(not os.path.exists(os.path.join(packed, "population.csv")) and
          not os.path.exists(os.path.join(packed, "components.csv")), "--format netcdf: no CSV cubes")
    listed = [f["path"] for f in json.load(open(os.path.join(packed, "manifest.json")))["files"]]
    check("results.nc" in listed and "population.csv" not in listed, "--format netcdf: manifest")

    # manifest.json: every file's SHA-256 (hashed as written, not read back) is the file's own, read here with
    # hashlib; the timings split the run into phases that add up to no more than its total.
    for folder in (both, packed):
        m = json.load(open(os.path.join(folder, "manifest.json")))
        for f in m["files"]:
            with open(os.path.join(folder, f["path"]), "rb") as fh:
                data = fh.read()
            check(hashlib.sha256(data).hexdigest() == f["sha256"] and len(data) == f["size"],
                  f"manifest: sha256 and size of {f['path']}")
        t = m["timings"]
        phases = ["load_seconds", "finish_seconds", "report_seconds", "manifest_hash_seconds"]
        check(all(isinstance(t.get(k), (int, float)) and t[k] >= 0 for k in phases), f"timings phases {phases}")
        # A step written by the writer thread (it has handover_seconds) overlaps its write_seconds with the next
        # step: its share of the run's wall time is the projection's compute + hand-over (docs/results.md).
        parts = t["load_seconds"] + t["finish_seconds"] + t["report_seconds"] + sum(
            x["compute_seconds"] + x.get("handover_seconds", x["write_seconds"]) for x in t["steps"])
        check(parts <= t["total_seconds"] + 1e-6, f"phases {parts} s within total_seconds {t['total_seconds']} s")
        check(parts >= 0.5 * t["total_seconds"], f"phases {parts} s cover most of total_seconds {t['total_seconds']} s")

    # Without migration and with [outputs] min_cell (tests/fixtures/scenarios/good.toml less its migration): the
    # arrays results.nc writes from no array (net_migration) or with suppressed small cells go through a buffer of
    # one chunk at a time; the numbers are still those of the CSVs, and some cells are suppressed.
    fixture = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "scenarios")
    small = os.path.join(work, "small_cells")
    shutil.copytree(fixture, small)
    kept, skip = [], False
    for line in open(os.path.join(fixture, "good.toml")):
        if line.startswith("["):  # a table header: the migration tables are left out up to the next header
            skip = line.strip() in ("[migration]", "[[relocation]]")
        if not skip:
            kept.append(line)
    toml = "".join(kept)
    with open(os.path.join(small, "small_cells.toml"), "w") as f:
        f.write(toml + "\n[outputs]\nmin_cell = 1000\n")
    small_out = os.path.join(work, "small_out")
    p = subprocess.run([EXE, "run", os.path.join(small, "small_cells.toml"), "--out", small_out, "--quiet",
                        "--no-report", "--format", "both"], capture_output=True, text=True)
    check(p.returncode == 0, f"min_cell run: exit {p.returncode}: {p.stderr}")
    if p.returncode == 0:
        ds = xr.open_dataset(os.path.join(small_out, "results.nc"))
        compare_cubes(small_out, ds)
        pop = ds["population"].values
        check(bool(np.isnan(pop).any()) and not np.any((pop > 0) & (pop < 1000)),
              "min_cell: small cells suppressed (NaN)")
        nm = ds["net_migration"].values
        check(bool(np.all(nm[:, 1:] == 0)) and bool(np.all(np.isnan(nm[:, 0]))), "no migration: net_migration 0")
        ds.close()

# Many zones (bench_tool's workload of 1,500 zones in two groups with transfers: population chunks of 324 zones, the
# last one shorter; the sparse variables' chunks of 648 zones and one group): uncompressed, a variable's whole chunks
# after a year's first go straight into the file (H5Dwrite_chunk), the others through netCDF-C. The file must be the
# same bytes as with every chunk through netCDF-C (--no-direct-chunks), with and without [outputs] min_cell (chunks
# through a buffer), and hold the numbers of the CSVs and (plain) of a compressed file (netCDF-C's path only).
if len(sys.argv) > 2:
    with tempfile.TemporaryDirectory() as work:
        folder = os.path.join(work, "w1500")
        p = subprocess.run([sys.argv[2], "scenario", "--zones", "1500", "--steps", "1", "--out", folder],
                           capture_output=True, text=True)
        check(p.returncode == 0, f"bench_tool scenario: exit {p.returncode}: {p.stderr}")
        plain = os.path.join(folder, "scenario.toml")
        small = os.path.join(folder, "small_cells.toml")
        with open(small, "w") as f:
            f.write(open(plain).read() + "\n[outputs]\nmin_cell = 50\n")
        for toml in (plain, small):
            out = {}
            runs = [("direct", ["--format", "both"]), ("through", ["--format", "netcdf", "--no-direct-chunks"])]
            if toml == plain:
                runs.append(("packed", ["--format", "netcdf", "--compress"]))
            for name, opts in runs:
                out[name] = os.path.join(work, name)
                shutil.rmtree(out[name], ignore_errors=True)
                p = subprocess.run([EXE, "run", toml, "--out", out[name], "--quiet", "--no-report", "--threads", "2",
                                    *opts], capture_output=True, text=True)
                check(p.returncode == 0, f"{os.path.basename(toml)} {name}: exit {p.returncode}: {p.stderr}")
                # Uncompressed, the base year's part of results.nc was written back and dropped from the page cache
                # during the run (DropBehind), and the manifest's SHA-256 read it directly (O_DIRECT): still out of
                # the cache after the run, and the digest is the file's (hashlib reads it only after this check).
                nc = os.path.join(out[name], "results.nc")
                cached = cached_mib(nc) if name != "packed" else None
                if cached is not None:
                    left = max(0.0, os.path.getsize(nc) / 2**20 - cached)
                    check(left >= 8, f"{os.path.basename(toml)} {name}: {left:.1f} MiB of results.nc out of the "
                          f"page cache after the run; expected the base year's (dropped, then hashed directly)")
                if name != "packed":
                    listed = {f["path"]: f for f in json.load(open(os.path.join(out[name], "manifest.json")))["files"]}
                    with open(nc, "rb") as fh:
                        check(hashlib.sha256(fh.read()).hexdigest() == listed["results.nc"]["sha256"],
                              f"{os.path.basename(toml)} {name}: manifest's SHA-256 of results.nc")
                # population.csv and components.csv (--format both: 70 and 120 MiB here) written back and dropped from
                # the page cache behind the writer every 32 MiB (results_writer.hpp): the stretch submitted before the
                # last is out of the cache after the run; the manifest's SHA-256 (taken as written) is the file's.
                for csv in (("population.csv", "components.csv") if name == "direct" else ()):
                    path = os.path.join(out[name], csv)
                    cached = cached_mib(path)
                    if cached is not None:
                        left = max(0.0, os.path.getsize(path) / 2**20 - cached)
                        check(left >= 24, f"{os.path.basename(toml)}: {left:.1f} MiB of {csv} out of the page cache "
                              f"after the run; expected about what was written back 32 MiB before the end")
                    with open(path, "rb") as fh:
                        check(hashlib.sha256(fh.read()).hexdigest() == listed[csv]["sha256"],
                              f"{os.path.basename(toml)}: manifest's SHA-256 of {csv}")
            label = os.path.basename(toml)
            with open(os.path.join(out["direct"], "results.nc"), "rb") as f1, \
                    open(os.path.join(out["through"], "results.nc"), "rb") as f2:
                check(f1.read() == f2.read(), f"{label}: results.nc the same bytes with and without direct chunks")
            ds = xr.open_dataset(os.path.join(out["direct"], "results.nc"))
            rows = ds["population"].encoding["chunksizes"][2]
            check(2 * rows < 1500 and 1500 % rows != 0, f"{label}: whole chunks and a shorter last one ({rows} zones)")
            compare_cubes(out["direct"], ds)
            if "packed" in out:
                packed = xr.open_dataset(os.path.join(out["packed"], "results.nc"))
                for name in ["population", "deaths", "net_migration", "transfer_in", "births", "indicators"]:
                    check(same(ds[name].values, packed[name].values), f"{label}: {name} as in the compressed file")
                packed.close()
            if toml == small:
                pop = ds["population"].values
                check(bool(np.isnan(pop[:, 1:]).any()) and not np.any((pop > 0) & (pop < 50)),
                      f"{label}: small cells suppressed")
            ds.close()

finish()
print("results.nc matches the CSV output")
