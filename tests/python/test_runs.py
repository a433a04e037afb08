# SPDX-License-Identifier: Apache-2.0
"""Runs from Python: progress, the GIL released while the engine works, Ctrl-C stopping cleanly."""
import os
import signal
import subprocess
import sys
import textwrap
import threading

import numpy as np
import pytest


@pytest.fixture(scope="module")
def long_scenario(cg):
    """40 single-year steps of 300 zones: long enough (about 0.3 s) for things to happen during a run."""
    from toy_frames import toy_frames

    return cg.scenario_from_frames(**toy_frames(zones=300, step=1, open_age=100, horizon=2060)).baseline


def test_progress_reports_every_step(cg, default_set):
    seen = []
    r = cg._cohortgis.run(default_set.baseline, 1, lambda done, total: seen.append((done, total)))
    assert seen == [(0, 3), (1, 3), (2, 3), (3, 3)]
    assert r.years == [2020, 2025, 2030, 2035]


@pytest.fixture(scope="module")
def slow_steps(cg):
    """12 single-year steps of 1,200 zones, about 10 ms each: since round 8 (no per-cell components for Python runs)
    a step of long_scenario takes about 2 ms, about the time a thread waiting for the GIL takes to wake up on a
    loaded machine, so the counter below could miss a released step."""
    from toy_frames import toy_frames

    return cg.scenario_from_frames(**toy_frames(zones=1200, step=1, open_age=100, horizon=2032)).baseline


def test_the_gil_is_released_while_the_engine_works(cg, slow_steps):
    counter = [0]
    stop = threading.Event()

    def count():
        while not stop.is_set():
            counter[0] += 1

    t = threading.Thread(target=count)
    t.start()
    samples = []
    try:
        # The callback runs with the GIL between steps; between two calls the engine runs without it.
        cg._cohortgis.run(slow_steps, 1, lambda done, total: samples.append(counter[0]))
    finally:
        stop.set()
        t.join()
    grew = sum(1 for a, b in zip(samples[1:-1], samples[2:]) if b > a)
    assert grew >= (len(samples) - 2) // 2, samples


def test_an_exception_in_progress_stops_the_run(cg, long_scenario):
    calls = []

    def progress(done, total):
        calls.append(done)
        if done == 3:
            raise RuntimeError("stop here")

    with pytest.raises(RuntimeError, match="stop here"):
        cg._cohortgis.run(long_scenario, 2, progress)
    assert calls == [0, 1, 2, 3]


def test_sigint_during_a_step_raises_keyboard_interrupt(cg, long_scenario):
    steps = []

    def progress(done, total):
        steps.append(done)
        if done == 2:
            # Sent from another thread while the main thread is inside the engine with the GIL released: Python's
            # C handler only sets a flag, which the binding checks between steps.
            threading.Thread(target=os.kill, args=(os.getpid(), signal.SIGINT)).start()

    try:
        cg._cohortgis.run(long_scenario, 2, progress)
        pytest.fail("the run finished despite SIGINT")
    except KeyboardInterrupt:
        pass
    assert 2 <= steps[-1] < long_scenario.steps, steps  # stopped at the next step boundary, not at the end
    # The engine and the module are still usable.
    r = cg._cohortgis.run(long_scenario, 2)
    assert r.years[-1] == 2060 and np.isfinite(r.population).all()


def test_ctrl_c_in_a_real_process(tmp_path):
    """A child process is interrupted with SIGINT mid-run (as Ctrl-C in a terminal or Jupyter's "interrupt")."""
    script = tmp_path / "child.py"
    script.write_text(textwrap.dedent("""
        import sys
        import cohortgis as cg
        from toy_frames import toy_frames

        sc = cg.scenario_from_frames(**toy_frames(zones=200, step=1, open_age=100, horizon=2100)).baseline
        result = None
        def progress(done, total):
            print(f"step {done}", flush=True)
        try:
            result = cg._cohortgis.run(sc, 1, progress)
            print("finished", flush=True)
        except KeyboardInterrupt:
            print("interrupted; result", result, flush=True)
            again = cg._cohortgis.run(sc, 1)
            print("second run", again.years[-1], flush=True)
    """))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.path.dirname(__file__), os.environ.get("PYTHONPATH", "")]))
    p = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env=env)
    for line in p.stdout:
        if line.startswith("step 1"):
            p.send_signal(signal.SIGINT)
            break
    out, err = p.communicate(timeout=120)
    assert p.returncode == 0, err
    assert "interrupted; result None" in out and "second run 2100" in out, out + err
    assert "finished" not in out
