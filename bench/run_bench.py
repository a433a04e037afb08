#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The whole cohortgis benchmark in one command: memory copy bandwidth, the engine at W3k and W40k (and any other
sizes) at 1 … all cores, the NumPy peer on the same inputs, and the table of bench/README.md.

  /usr/bin/python3 bench/run_bench.py [--build build] [--zones 3000,40000] [--steps 50] [--numpy-steps 10]
                                      [--repeat 3] [--numpy-repeat 2] [--numpy-full 1] [--threads 1,2]
                                      [--user-path SIZES] [--cli SIZES] [--cli-steps 10] [--cli-report 1]
                                      [--cli-population-form auto|csv|netcdf] [--cli-repeat N] [--cli-python 1]
                                      [--cli-components LIST] [--five-year 1]
                                      [--stream-steps 10] [--workdir DIR] [--json FILE]

Rows per size: the lean kernel at each thread count, the user path, the command line and Python run(), the kernel
streaming to disk, the NumPy peer (lean: populations, births, deaths) and the NumPy peer with the user path's
per-cell components and indicators (--numpy-full 1), and the bandwidth floor itself. "vs NumPy" is the lean peer's
time per year over the row's; "vs NumPy (components + indicators)" the full peer's over the row's, for the rows that
compute what it computes (user path, command line, Python).

Per row: time per projected year (engine only: the sink's hashing is timed and left out; the first step, which alone
faults in the run's fresh pages, is in it, and a line per lean row gives the later years' rate apart), cohort-cells
per second, NumPy time per year / engine time per year, time per year / bandwidth floor (bytes a year must move at
the least: the population read and written once, plus one year of the zone-varying schedules read once, at the
measured copy bandwidth), and peak RSS / (state + one year of schedules). Each engine row is the fastest of --repeat runs, each
NumPy time the fastest of --numpy-repeat runs (a shared machine only ever slows a run down). The script fails if results at different thread counts
are not bit-identical (hash of every step's end population and births). A last row streams every year's population
to a file on disk and reports the peak RSS of that run. "user path" rows run the configuration of `cohortgis run`
and ScenarioSet.run() (per-cell components and indicators every year) and give its time over the lean kernel's of
the same thread count, measured in the same run; "CPU ms / year" is the process's CPU time (all threads) per year,
steadier than the wall clock on a shared machine.

"command line" rows run `cohortgis run` end to end on the workload written as a scenario folder (`bench_tool scenario`,
--cli-steps years, outputs on, to --workdir, --quiet, all cores) and split its time by phase from manifest.json
(project = Σ compute_seconds, write = Σ write_seconds of its timings, or with the writer thread Σ handover_seconds,
the writing the projection waited for; load = the rest of a --no-report run of the same folder; report + draw = what the full run adds over that); "Python" rows time cohortgis.load_scenario() and
ScenarioSet.run() of the same folder (bench/python_run.py with the built module, all cores). Both are per projected
year, against the lean kernel of the same thread count measured in the same run. The scenario folder holds the base
population as base_population.csv below 10,000 zones and as the NetCDF cube base_population.nc from 10,000 zones
(--cli-population-form auto; a researcher with 40,000 zones would not keep a 725 MB CSV table: the cube loads in a
fifteenth of the CPU, bench/HISTORY.md "Round 7"). The output floor of a command-line row is the bytes the run wrote
over the write rate of this disk measured in the same run (a file of the same size, at most 4 GiB, written in 1 MiB
blocks to --workdir and closed without fsync, as the run writes; deleted after).

W40k command line (about 2 minutes per run and 10 GB of outputs at 10 years; the Python row at W40k holds every
year's cubes in memory, hence --cli-python 0):

  /usr/bin/python3 bench/run_bench.py --zones 40000 --steps 10 --numpy-steps 2 --numpy-repeat 1 --repeat 1 \
      --threads 2 --user-path none --stream-steps 0 --cli 40000 --cli-python 0
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def run_json(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def run_timed(cmd, env=None, cpu=None):
    """Runs cmd; returns (wall seconds, stdout, peak RSS bytes of that child from its own rusage). cpu: a dict that
    gets the child's user and system CPU seconds."""
    import time
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=err, text=True, env=env)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        if cpu is not None:
            cpu.update(user_s=usage.ru_utime, sys_s=usage.ru_stime)
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if p.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed ({p.returncode}): {err.read().strip()[-2000:]}")
        return wall, out.read(), usage.ru_maxrss * 1024


WRITE_RATE_MAX = 4 << 30


def write_rate(folder, nbytes):
    """Bytes per second of writing a file of nbytes (at most 4 GiB) to folder in 1 MiB blocks, closed without fsync
    (as `cohortgis run` writes its outputs): the page cache's rate for small files, the disk's under dirty-page
    throttling for large ones."""
    import time
    n = max(1, min(nbytes, WRITE_RATE_MAX) >> 20)
    block = b"\x5a" * (1 << 20)
    path = os.path.join(folder, "write-rate.bin")
    t0 = time.perf_counter()
    with open(path, "wb", buffering=0) as f:
        for _ in range(n):
            f.write(block)
    seconds = time.perf_counter() - t0
    os.remove(path)
    return n * (1 << 20) / seconds


def cli_phases(cli, scenario, out_dir, threads, report, fmt="", components=""):
    """`cohortgis run` of a scenario folder: wall seconds and the manifest's phases."""
    import shutil
    shutil.rmtree(out_dir, ignore_errors=True)
    cmd = [cli, "run", scenario, "--out", out_dir, "--threads", str(threads), "--quiet"] + ([] if report else ["--no-report"])
    cmd += ["--format", fmt] if fmt else []
    cmd += ["--components", components] if components else []
    cpu = {}
    wall, _, rss = run_timed(cmd, cpu=cpu)
    m = json.load(open(os.path.join(out_dir, "manifest.json")))
    t = m["timings"]
    project = sum(x["compute_seconds"] for x in t["steps"])
    write = sum(x["write_seconds"] for x in t["steps"])
    # With the writer thread (the default) writing overlaps projecting: what the run waited for is the hand-over.
    overlapped = any("handover_seconds" in x for x in t["steps"])
    handover = sum(x.get("handover_seconds", 0.0) for x in t["steps"])
    size = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(out_dir) for f in fs)
    shutil.rmtree(out_dir, ignore_errors=True)
    # The manifest's own phases (docs/results.md "manifest.json"), where this version writes them.
    named = {k: t[k] for k in ("load_seconds", "finish_seconds", "report_seconds", "manifest_hash_seconds") if k in t}
    return {"wall_s": wall, "total_s": t["total_seconds"], "project_s": project, "write_s": write,
            "steps": len(t["steps"]), "output_bytes": size, "user_s": cpu["user_s"], "sys_s": cpu["sys_s"], "peak_rss_bytes": rss, "phases": named,
            "overlapped": overlapped, "handover_s": handover,
            # the wall time writing added to the run: all of it in line, only the hand-overs with the writer thread
            "write_serial_s": handover if overlapped else write}


def run_row(name, threads, r, bw):
    """A table row of one bench_tool run with no peer columns: time, rate, × floor, RSS, CPU."""
    floor_s = r["floor_bytes_per_year"] / bw
    return [name, str(threads), f"{r['s_per_year'] * 1e3:.2f}", f"{r['cells_per_s'] / 1e6:.0f}", "", "",
            f"{r['s_per_year'] / floor_s:.1f}×", f"{r['peak_rss_bytes'] / 2**20:.0f} MiB",
            f"{r['peak_rss_bytes'] / (r['state_bytes'] + r['schedule_bytes']):.2f}×",
            f"{r['cpu_s_per_year'] * 1e3:.2f}", "", ""]


def cpu_model():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def label(z):
    return f"W{z // 1000}k" if z % 1000 == 0 and z >= 1000 else f"{z} zones"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--zones", default="3000,40000")
    ap.add_argument("--steps", type=int, default=50, help="projected years per engine run")
    ap.add_argument("--numpy-steps", type=int, default=10, help="projected years per NumPy run (it is slow)")
    ap.add_argument("--threads", default="", help="comma list; default 1, 2, … all cores")
    ap.add_argument("--stream-steps", type=int, default=10, help="years of the disk-streaming run (0: skip)")
    ap.add_argument("--repeat", type=int, default=3, help="engine runs per row; the fastest counts")
    ap.add_argument("--numpy-repeat", type=int, default=2, help="NumPy runs per size; the fastest counts")
    ap.add_argument("--numpy-full", type=int, default=1,
                    help="1: the NumPy peer also runs with per-cell components and indicators (the user path's work)")
    ap.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "cohortgis-bench"))
    ap.add_argument("--json", help="also write the raw results here")
    ap.add_argument("--cli", default="3000",
                    help="comma list of zone counts that get the command-line and Python rows (default 3000: at W40k "
                         "the scenario folder is ~2.6 GB of CSV and the CSV outputs ~40 GB; '' every size, 'none' none)")
    ap.add_argument("--cli-steps", type=int, default=10, help="projected years of the command-line and Python runs")
    ap.add_argument("--cli-report", type=int, default=1, help="1: the command-line run draws maps and the report")
    ap.add_argument("--cli-format", default="", choices=["", "csv", "netcdf", "both"],
                    help="--format of the command-line run (default: the run's size rule, docs/cli.md)")
    ap.add_argument("--cli-population-form", default="auto", choices=["auto", "csv", "netcdf"],
                    help="base population of the command-line scenario folder (auto: netcdf from 10,000 zones)")
    ap.add_argument("--cli-repeat", type=int, default=0, help="command-line and Python runs per row (0: --repeat)")
    ap.add_argument("--cli-python", type=int, default=1, help="1: the command-line sizes also get the Python row")
    ap.add_argument("--cli-components", default="", help="--components of the command-line run (default: all)")
    ap.add_argument("--five-year", type=int, default=1,
                    help="1: a lean row of five-year steps (bench_tool run --step-years 5) over --steps years")
    ap.add_argument("--user-path", default="",
                    help="comma list of zone counts that also get the user-path rows (default: every size; 'none' none)")
    a = ap.parse_args()

    tool = os.path.join(a.build, "bench", "bench_tool")
    peer = os.path.join(HERE, "peers", "numpy_peer.py")
    if not os.path.exists(tool):
        sys.exit(f"{tool} not found: build first (cmake -S . -B build -G Ninja && ninja -C build bench_tool)")
    cores = os.cpu_count() or 1
    threads = [int(t) for t in a.threads.split(",")] if a.threads else sorted({1, *range(2, cores + 1, 2), cores})
    zones = [int(z) for z in a.zones.split(",")]
    os.makedirs(a.workdir, exist_ok=True)

    bw = max(run_json([tool, "stream", "--mib", "1024", "--threads", str(t)])["copy_bytes_per_s"] for t in threads)
    rows, raw, failures, phases = [], {"copy_bytes_per_s": bw, "runs": [], "numpy": []}, [], []
    for z in zones:
        nps = [run_json(["/usr/bin/python3", peer, "--tool", tool, "--zones", str(z), "--steps", str(a.numpy_steps),
                         "--workdir", os.path.join(a.workdir, f"numpy-{z}"), "--time", "--full", str(a.numpy_full)])
               for _ in range(max(1, a.numpy_repeat))]
        npr = min(nps, key=lambda r: r["s_per_year"])
        if a.numpy_full:  # the fastest full run, whichever run it came in
            best = min(nps, key=lambda r: r["full_s_per_year"])
            npr = dict(npr, **{k: best[k] for k in ("full_s", "full_s_per_year", "full_cpu_s_per_year",
                                                    "full_peak_rss_bytes")})
        raw["numpy"].append(dict(npr, zones=z))
        # The user path, the command line and Python against the NumPy peer that computes what they compute.
        # In CPU time too where the row has it (on a loaded machine the steadier ratio): NumPy runs on one thread.
        def vs_full(s_per_year, cpu_s_per_year=None):
            if not a.numpy_full:
                return ""
            cpu = f" ({npr['full_cpu_s_per_year'] / cpu_s_per_year:.1f}× CPU)" if cpu_s_per_year else ""
            return f"{npr['full_s_per_year'] / s_per_year:.1f}×{cpu}"
        hashes = {}
        lean_by_threads = {}
        for t in threads:
            runs = [run_json([tool, "run", "--zones", str(z), "--steps", str(a.steps), "--threads", str(t)])
                    for _ in range(max(1, a.repeat))]
            hashes[t] = runs[0]["hash"]
            if len({x["hash"] for x in runs}) != 1:
                failures.append(f"{label(z)}, {t} threads: repeated runs differ")
            r = min(runs, key=lambda x: x["s_per_year"])
            lean_by_threads[t] = r
            raw["runs"].append(r)
            floor_s = r["floor_bytes_per_year"] / bw
            rows.append([label(z), str(t), f"{r['s_per_year'] * 1e3:.2f}", f"{r['cells_per_s'] / 1e6:.0f}",
                         f"{npr['s_per_year'] / r['s_per_year']:.1f}×", "", f"{r['s_per_year'] / floor_s:.1f}×",
                         f"{r['peak_rss_bytes'] / 2**20:.0f} MiB",
                         f"{r['peak_rss_bytes'] / (r['state_bytes'] + r['schedule_bytes']):.2f}×",
                         f"{r['cpu_s_per_year'] * 1e3:.2f}", ""])
        # Five-year ages and steps over the same years (a fifth of the steps): the lean kernel where a user's data
        # are abridged; its times and floor are per projected year, so the row reads as the annual ones.
        if a.five_year:
            five_hashes = set()
            for t in threads:
                runs = [run_json([tool, "run", "--zones", str(z), "--steps", str(max(1, a.steps // 5)), "--threads",
                                  str(t), "--step-years", "5"]) for _ in range(max(1, a.repeat))]
                five_hashes |= {x["hash"] for x in runs}
                r = min(runs, key=lambda x: x["s_per_year"])
                raw["runs"].append(dict(r, five_year=True))
                rows.append(run_row(label(z) + " five-year steps", t, r, bw))
            if len(five_hashes) != 1:
                failures.append(f"{label(z)} five-year steps: results differ between runs or thread counts")
        # The user path: what `cohortgis run` and ScenarioSet.run() configure (per-cell components, indicators every
        # year, the survival ratios in a cache of their own), against the lean kernel of the same thread count
        # measured just before; its populations and births must hash as the lean kernel's.
        user_sizes = ([] if a.user_path == "none" else [int(x) for x in a.user_path.split(",")] if a.user_path
                      else zones)
        if z in user_sizes:
            for t in threads:
                runs = [run_json([tool, "run", "--zones", str(z), "--steps", str(a.steps), "--threads", str(t),
                                  "--indicators", "1", "--cell-components", "1", "--mortality-in-place", "0"])
                        for _ in range(max(1, a.repeat))]
                if len({x["hash"] for x in runs} | {hashes[t]}) != 1:
                    failures.append(f"{label(z)} user path, {t} threads: results differ from the lean kernel's")
                r = min(runs, key=lambda x: x["s_per_year"])
                raw["runs"].append(dict(r, user_path=True))
                lean = lean_by_threads[t]
                floor_s = r["floor_bytes_per_year"] / bw
                rows.append([label(z) + " user path", str(t), f"{r['s_per_year'] * 1e3:.2f}",
                             f"{r['cells_per_s'] / 1e6:.0f}", f"{npr['s_per_year'] / r['s_per_year']:.1f}×",
                             vs_full(r["s_per_year"], r["cpu_s_per_year"]), f"{r['s_per_year'] / floor_s:.1f}×",
                             f"{r['peak_rss_bytes'] / 2**20:.0f} MiB",
                             f"{r['peak_rss_bytes'] / (r['state_bytes'] + r['schedule_bytes']):.2f}×",
                             f"{r['cpu_s_per_year'] * 1e3:.2f}",
                             f"{r['s_per_year'] / lean['s_per_year']:.2f}× ({r['cpu_s_per_year'] / lean['cpu_s_per_year']:.2f}× CPU)"])
        cli_sizes = [] if a.cli == "none" else [int(x) for x in a.cli.split(",")] if a.cli else zones
        if z in cli_sizes:
            cli = os.path.join(a.build, "cli", "cohortgis")
            folder = os.path.join(a.workdir, f"scenario-{z}")
            form = a.cli_population_form if a.cli_population_form != "auto" else "netcdf" if z >= 10000 else "csv"
            gen = run_json([tool, "scenario", "--zones", str(z), "--steps", str(a.cli_steps), "--out", folder] +
                           (["--population-form", "netcdf"] if form == "netcdf" else []))
            scenario = gen["scenario"]
            lean = lean_by_threads[cores] if cores in lean_by_threads else lean_by_threads[max(threads)]
            floor_s = lean["floor_bytes_per_year"] / bw
            out_dir = os.path.join(a.workdir, f"cli-out-{z}")
            cli_repeat = max(1, a.cli_repeat or a.repeat)
            runs = [cli_phases(cli, scenario, out_dir, cores, a.cli_report, a.cli_format, a.cli_components)
                    for _ in range(cli_repeat)]
            r = min(runs, key=lambda x: x["wall_s"])
            # A --no-report run of the same folder only where the manifest has no phases of its own (old versions).
            bare = (cli_phases(cli, scenario, out_dir, cores, False, a.cli_format, a.cli_components)
                    if a.cli_report and not r["phases"] else r)
            # The output floor: this run's bytes at this disk's write rate, measured now with a file of their size.
            rate = write_rate(a.workdir, r["output_bytes"])
            r.update(write_rate_bytes_per_s=rate, population_form=form)
            load_s = bare["total_s"] - bare["project_s"] - bare["write_serial_s"]
            r.update(zones=z, threads=cores, command_line=True, load_s=load_s,
                     report_s=max(0.0, r["total_s"] - r["project_s"] - r["write_serial_s"] - load_s))
            ph = r["phases"]
            if ph:  # the run's own split: load, finish (closing files, other outputs), report, hashing, the rest
                r.update(load_s=ph["load_seconds"], report_s=ph["report_seconds"], finish_s=ph["finish_seconds"],
                         hash_s=ph["manifest_hash_seconds"])
            raw["runs"].append(r)
            n = r["steps"]
            rows.append([label(z) + " command line", str(cores), f"{r['wall_s'] / n * 1e3:.2f}",
                         f"{lean['state_bytes'] / 8 * n / r['wall_s'] / 1e6:.0f}",
                         f"{npr['s_per_year'] / (r['wall_s'] / n):.1f}×", vs_full(r["wall_s"] / n),
                         f"{r['wall_s'] / n / floor_s:.1f}×",
                         f"{r['peak_rss_bytes'] / 2**20:.0f} MiB",
                         f"{r['peak_rss_bytes'] / (lean['state_bytes'] + lean['schedule_bytes']):.2f}×",
                         "", f"{r['wall_s'] / n / lean['s_per_year']:.2f}×", ""])
            if "hash_s" in r:
                tail = (f"+ finish {r['finish_s']:.2f} s + report and drawing {r['report_s']:.2f} s + other "
                        f"{r['total_s'] - r['load_s'] - r['project_s'] - r['write_serial_s'] - r['finish_s'] - r['report_s']:.2f}"
                        f" s + manifest hashing {r['hash_s']:.2f} s + rename and exit "
                        f"{r['wall_s'] - r['total_s'] - r['hash_s']:.2f} s")
            else:
                tail = (f"+ report and drawing {r['report_s']:.2f} s + process {r['wall_s'] - r['total_s']:.2f} s")
            wt = (f" (hand-overs to the writer thread, which wrote for {r['write_s']:.2f} s while the next years "
                  f"were projected)" if r["overlapped"] else "")
            phases.append(f"{label(z)} command line ({n} years, {cores} threads, fastest of {len(runs)}): "
                          f"{r['wall_s']:.2f} s wall = load {r['load_s']:.2f} s + project {r['project_s']:.2f} s "
                          f"({r['project_s'] / n * 1e3:.1f} ms/year, {r['project_s'] / n / lean['s_per_year']:.2f}× the "
                          f"lean kernel) + write {r['write_serial_s']:.2f} s{wt} {tail}; outputs "
                          f"{r['output_bytes'] / 2**20:.0f} MiB; end to end (wall − load) / project = "
                          f"{(r['wall_s'] - r['load_s']) / r['project_s']:.2f}×; CPU {r['user_s']:.2f} s user + "
                          f"{r['sys_s']:.2f} s system; wall / project = "
                          f"{r['wall_s'] / r['project_s']:.2f}× (base population {form})")
            out_floor = r["output_bytes"] / rate
            phases.append(f"{label(z)} command line output floor: {r['output_bytes'] / 1e6:.0f} MB written / "
                          f"{rate / 1e6:.0f} MB/s (this disk, a file of {min(r['output_bytes'], WRITE_RATE_MAX) / 2**20:.0f} "
                          f"MiB written in this run) = {out_floor:.2f} s; write phase {r['write_serial_s']:.2f} s = "
                          f"{r['write_serial_s'] / out_floor:.2f}× it, wall = {r['wall_s'] / out_floor:.2f}× it")
            if not a.cli_python:
                continue
            env = dict(os.environ, PYTHONPATH=os.path.join(a.build, "python"))
            pys = []
            for _ in range(cli_repeat):
                _, out, _ = run_timed(["/usr/bin/python3", os.path.join(HERE, "python_run.py"), scenario,
                                    "--threads", str(cores)], env=env)
                pys.append(json.loads(out.strip().splitlines()[-1]))
            py = min(pys, key=lambda x: x["run_s"])
            raw["runs"].append(dict(py, zones=z, threads=cores, python=True))
            rows.append([label(z) + " Python run()", str(cores), f"{py['run_s'] / n * 1e3:.2f}",
                         f"{lean['state_bytes'] / 8 * n / py['run_s'] / 1e6:.0f}",
                         f"{npr['s_per_year'] / (py['run_s'] / n):.1f}×", vs_full(py["run_s"] / n),
                         f"{py['run_s'] / n / floor_s:.1f}×",
                         f"{py['peak_rss_bytes'] / 2**20:.0f} MiB",
                         f"{py['peak_rss_bytes'] / (lean['state_bytes'] + lean['schedule_bytes']):.2f}×", "",
                         f"{py['run_s'] / n / lean['s_per_year']:.2f}×", ""])
            phases.append(f"{label(z)} Python ({n} years, {cores} threads, fastest of {len(pys)}): "
                          f"load_scenario {py['load_s']:.2f} s, ScenarioSet.run() {py['run_s']:.2f} s")
        same = len(set(hashes.values())) == 1
        if not same:
            failures.append(f"{label(z)}: results differ between thread counts: {hashes}")
        for row in rows:
            if row[0] == label(z) and len(row) == 11:
                row.append("yes" if same else "NO")
            elif row[0] == label(z) + " user path" and len(row) == 11:
                row.append("yes" if same and not any(label(z) + " user path" in f for f in failures) else "NO")
        # The NumPy peer itself (one thread as NumPy runs it) and the floor, on the same machine in the same run.
        lean1 = lean_by_threads[min(threads)]
        state, sched = lean1["state_bytes"], lean1["schedule_bytes"]
        floor_s = lean1["floor_bytes_per_year"] / bw
        cells = state / 8
        peer_rows = [(" NumPy peer", npr["s_per_year"], npr["cpu_s_per_year"], npr["peak_rss_bytes"])]
        if a.numpy_full:
            peer_rows.append((" NumPy peer, components + indicators", npr["full_s_per_year"],
                              npr["full_cpu_s_per_year"], npr["full_peak_rss_bytes"]))
        for name, spy, cpu, rss in peer_rows:
            rows.append([label(z) + name, "1", f"{spy * 1e3:.2f}", f"{cells / spy / 1e6:.0f}", "", "",
                         f"{spy / floor_s:.1f}×", f"{rss / 2**20:.0f} MiB", f"{rss / (state + sched):.2f}×",
                         f"{cpu * 1e3:.2f}", "", ""])
        rows.append([label(z) + " floor", "", f"{floor_s * 1e3:.2f}", f"{cells / floor_s / 1e6:.0f}", "", "", "1.0×",
                     "", "", "", "", ""])
        if a.stream_steps > 0:
            path = os.path.join(a.workdir, f"stream-{z}.f64")
            r = run_json([tool, "run", "--zones", str(z), "--steps", str(a.stream_steps), "--threads", str(cores),
                          "--stream", path])
            os.remove(path)
            raw["runs"].append(dict(r, streamed=True))
            rows.append(run_row(label(z) + " → disk", cores, r, bw))

    print(f"machine: {cpu_model()}, {cores} cores; memory copy bandwidth {bw / 1e9:.1f} GB/s "
          f"(read + write, best of 5, {max(threads)} threads)")
    print(f"engine: {a.steps} annual steps per run, fastest of {a.repeat}; NumPy peer: {a.numpy_steps} steps, "
          f"fastest of {a.numpy_repeat}, numpy "
          f"{raw['numpy'][0]['numpy_version'] if raw['numpy'] else '?'}")
    for z in zones:
        r = next(x for x in raw["runs"] if x["zones"] == z)
        print(f"{label(z)}: {r['state_bytes'] / 1e6:.0f} MB state, {r['schedule_bytes'] / 1e6:.0f} MB schedules/year, "
              f"floor {r['floor_bytes_per_year'] / 1e6:.0f} MB/year = {r['floor_bytes_per_year'] / bw * 1e3:.2f} ms")
    # Where the floor comes into reach: the one-thread time per year over the floor is the number of cores that, at
    # this machine's per-core speed and with perfect scaling, would bring a year down to the floor itself (half that
    # many to 2× the floor), were the memory system to deliver the bandwidth measured here. An extrapolation, said so.
    for z in zones:
        one = next((x for x in raw["runs"] if x["zones"] == z and x["threads"] == 1 and not x.get("streamed")
                    and not x.get("user_path") and not x.get("five_year")), None)
        if one:
            ratio = one["s_per_year"] / (one["floor_bytes_per_year"] / bw)
            print(f"{label(z)}: one core is {ratio:.1f}× the floor ({1e9 / one['cells_per_s']:.1f} ns per cohort-cell); "
                  f"2× the floor needs ≈ {ratio / 2:.0f} cores at this per-core speed (extrapolated, not measured)")
    # The first step alone faults in the run's fresh pages (the next population, the first period's schedules), which
    # this project's VM backs at 0.3–0.8 GB/s (bench/HISTORY.md "Round 30: the lean kernel's first step"): the lean
    # kernel's later years apart, against the same floor.
    for r in raw["runs"]:
        lean = not any(r.get(k) for k in ("streamed", "user_path", "five_year", "python", "command_line"))
        if not lean or r.get("steps", 0) < 2 or "later_s_per_year" not in r:
            continue
        floor_s = r["floor_bytes_per_year"] / bw
        print(f"{label(r['zones'])} lean kernel, {r['threads']} threads: first step {r['first_step_s'] * 1e3:.0f} ms "
              f"({r['first_step_cpu_s'] * 1e3:.0f} ms CPU), the later {r['steps'] - 1} years "
              f"{r['later_s_per_year'] * 1e3:.2f} ms a year = {r['later_s_per_year'] / floor_s:.1f}× the floor "
              f"({r['later_cpu_s_per_year'] * 1e3:.2f} CPU ms a year)")
    head = ["workload", "threads", "ms / year", "Mcells/s", "vs NumPy", "vs NumPy (components + indicators)",
            "× floor", "peak RSS", "RSS / (state+sched)",
            "CPU ms / year", "vs lean kernel", "bit-identical"]
    table = [head, ["---"] * len(head)] + rows
    print()
    for row in table:
        print("| " + " | ".join(row) + " |")
    if phases:
        print()
        for line in phases:
            print(line)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(raw, f, indent=1)
    for msg in failures:
        print("FAIL:", msg, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
