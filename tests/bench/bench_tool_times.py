#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# `bench_tool run`'s split of the engine's time (bench/HISTORY.md "Round 30: the lean kernel's first step"): the first
# step's wall and CPU time, the later years' per year, the provider's and the sink's process CPU, consistent with the
# totals it reports. Usage: bench_tool_times.py BENCH_TOOL
import json
import subprocess
import sys

tool = sys.argv[1]


def run(*args):
    p = subprocess.run([tool, "run", "--zones", "30", *args], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"bench_tool run {' '.join(args)}: exit {p.returncode}: {p.stderr}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def check(ok, what):
    if not ok:
        sys.exit("FAIL: " + what)


for args, years_per_step in ((("--steps", "6", "--threads", "2"), 1), (("--steps", "2", "--step-years", "5"), 5),
                             (("--steps", "1"), 1)):
    r = run(*args)
    name = " ".join(args)
    steps = r["steps"]
    # (engine_s is printed to 0.1 ms, the parts to 1 µs.)
    check(0 < r["first_step_s"] <= r["engine_s"] + 1e-4, f"{name}: first step {r['first_step_s']} of {r['engine_s']} s")
    check(r["first_step_cpu_s"] > 0, f"{name}: first step's CPU {r['first_step_cpu_s']}")
    # The workload's schedules are made inside the run (a new period at steps 0 and 5).
    check(0 < r["provider_s"] <= r["engine_s"] + 1e-4, f"{name}: provider {r['provider_s']} of {r['engine_s']} s")
    check(r["provider_cpu_s"] >= 0, f"{name}: provider CPU {r['provider_cpu_s']}")
    # The process's CPU while the sink hashes includes the calling thread's.
    check(r["sink_process_cpu_s"] >= r["sink_cpu_s"] - 1e-3, f"{name}: sink CPU {r['sink_process_cpu_s']} < "
          f"{r['sink_cpu_s']}")
    later_years = (steps - 1) * years_per_step
    if later_years == 0:
        check(r["later_s_per_year"] == 0 and r["later_cpu_s_per_year"] == 0, f"{name}: later years of a 1-step run")
    else:
        want = (r["engine_s"] - r["first_step_s"]) / later_years
        check(abs(r["later_s_per_year"] - want) <= 1e-4 + 1e-3 * want,
              f"{name}: later years {r['later_s_per_year']} s a year, expected {want}")
        # The mean per year is the first step's and the later years' together.
        total = r["first_step_s"] + r["later_s_per_year"] * later_years
        check(abs(total - r["s_per_year"] * steps * years_per_step) <= 1e-3 + 1e-3 * total,
              f"{name}: first step + later years {total} s, engine {r['s_per_year'] * steps * years_per_step} s")
print("bench_tool run: first step, later years, provider and sink times consistent")
