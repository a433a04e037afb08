#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Times what a Python user runs: cohortgis.load_scenario(FILE) and ScenarioSet.run() (bench/run_bench.py calls it).

  PYTHONPATH=build/python /usr/bin/python3 bench/python_run.py SCENARIO.toml [--threads K]

Prints one JSON object: load_s, run_s (ScenarioSet.run(): the projection with indicators
every year, and the Results object), steps, zones and peak_rss_bytes (this process).
"""
import argparse
import json
import resource
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("scenario")
    ap.add_argument("--threads", type=int, default=0)
    a = ap.parse_args()
    t0 = time.perf_counter()
    import cohortgis as cg  # the import (loading the extension) counts as loading
    s = cg.load_scenario(a.scenario)
    t1 = time.perf_counter()
    res = s.run(threads=a.threads)
    t2 = time.perf_counter()
    base = s.baseline
    print(json.dumps({"load_s": t1 - t0, "run_s": t2 - t1, "steps": base.steps, "zones": len(base.zone_ids),
                      "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                      "results": type(res).__name__}))


if __name__ == "__main__":
    main()
