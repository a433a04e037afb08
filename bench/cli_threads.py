#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Where one `cohortgis run` spends the time after its last step, thread by thread (issue #16).

    bench/cli_threads.py OUT -- BIN run SCENARIO --out OUT --threads 2 [more options]

Runs the command (without --quiet: the "drawing" line marks the report's start), removes OUT and syncs first and
removes OUT afterwards (KEEP=1 keeps it), and samples every thread's /proc/PID/task/TID/stat and schedstat every
20 ms. Prints manifest.json's phases, each thread's CPU, and, for the report's window (from the "drawing" line for
report_seconds) and for results.nc's digest thread (the busy thread started at the end of the steps), the wall time
split into on a CPU + waiting for a CPU (the run queue) + blocked (I/O, joins, sleeps). On the shared VM the wall
seconds move with the load; the split says whether a thread waited for the disk or for a core (bench/HISTORY.md
"Round 30: the command line at W40k, the digest and the report").
"""
import json
import os
import shutil
import subprocess
import sys
import time


def sample(pid, t0, threads):
    """Each thread's user and system CPU (stat) and its time on a CPU and in the run queue (schedstat) now."""
    tick = os.sysconf("SC_CLK_TCK")
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return
    now = time.perf_counter() - t0
    for tid in tids:
        try:
            fields = open(f"/proc/{pid}/task/{tid}/stat").read().rsplit(")", 1)[1].split()
            on_cpu_ns, queued_ns, _ = map(int, open(f"/proc/{pid}/task/{tid}/schedstat").read().split())
        except (OSError, ValueError):
            continue
        rec = threads.setdefault(tid, {"first": now, "series": []})
        rec.update(user=int(fields[11]) / tick, sys=int(fields[12]) / tick, last=now)
        rec["series"].append((now, on_cpu_ns / 1e9, queued_ns / 1e9))


def split(series, a, b):
    """wall = on a CPU + waiting for a CPU + blocked, between the samples nearest to a and b."""
    pa = min(series, key=lambda x: abs(x[0] - a))
    pb = min(series, key=lambda x: abs(x[0] - b))
    wall, cpu, queued = pb[0] - pa[0], pb[1] - pa[1], pb[2] - pa[2]
    return f"{wall:.2f} s = on a CPU {cpu:.2f} + waiting for a CPU {queued:.2f} + blocked {wall - cpu - queued:.2f}"


def main():
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        sys.exit(__doc__)
    out, cmd = sys.argv[1], sys.argv[3:]
    shutil.rmtree(out, ignore_errors=True)
    subprocess.run(["sync"], check=False)
    load_before = os.getloadavg()[0]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE)
    os.set_blocking(proc.stderr.fileno(), False)
    threads, lines, pending = {}, [], ""
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid == proc.pid:
            break
        sample(proc.pid, t0, threads)
        chunk = proc.stderr.read()  # None while nothing came (non-blocking)
        if chunk:
            pending += chunk.decode(errors="replace")
            *done, pending = pending.split("\n")
            lines += [(time.perf_counter() - t0, line) for line in done]
        time.sleep(0.02)
    wall = time.perf_counter() - t0
    rest = (proc.stderr.read() or b"").decode(errors="replace")
    lines += [(wall, line) for line in (pending + rest).split("\n") if line]
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(cmd)} failed: " + "\n".join(line for _, line in lines[-5:]))
    timings = json.load(open(os.path.join(out, "manifest.json")))["timings"]
    project = sum(s["compute_seconds"] for s in timings["steps"])
    write = sum(s["write_seconds"] for s in timings["steps"])
    print(f"wall {wall:.2f} s (load average {load_before:.1f} -> {os.getloadavg()[0]:.1f}), load "
          f"{timings['load_seconds']:.2f}, project {project:.2f}, write {write:.2f}, finish "
          f"{timings['finish_seconds']:.2f}, report {timings['report_seconds']:.2f}; (wall - load) / project "
          f"{(wall - timings['load_seconds']) / project:.2f}; CPU user {usage.ru_utime:.2f} + sys {usage.ru_stime:.2f}")
    for tid, r in sorted(threads.items(), key=lambda kv: kv[1]["first"]):
        if r["user"] + r["sys"] >= 0.05:
            print(f"  thread {tid}: {r['first']:.2f}-{r['last']:.2f} s, user {r['user']:.2f} + sys {r['sys']:.2f}")
    drawing = next((t for t, line in lines if "drawing maps and charts" in line), None)
    last_step = max((t for t, line in lines if " done" in line and "step " in line), default=None)
    main_thread = threads.get(str(proc.pid))
    if drawing is not None and main_thread:
        print("  report (main thread):", split(main_thread["series"], drawing, drawing + timings["report_seconds"]))
    if last_step is not None:
        for tid, r in threads.items():
            if r["first"] >= last_step - 1 and r["user"] >= 1.0:
                print(f"  thread {tid} (results.nc's digest):", split(r["series"], r["first"], r["last"]))
    if os.environ.get("KEEP") != "1":
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
