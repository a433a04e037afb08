# SPDX-License-Identifier: Apache-2.0
"""What the round-16 hostile probe (tests/probe/hostile_round16.py) found in the module: write_outputs held Ctrl-C
until every file was written (9 s for the default scenario, then KeyboardInterrupt with the folder complete);
variants= as one str asked for its letters ("no variant 'm'"; now a TypeError), [] raised a bare StopIteration, and
an endless iterator (itertools.repeat) as variants= of run or of the frames, or as the runs of a ScenarioSet, filled
memory without end."""
import itertools
import os
import signal
import time

import pytest


def test_write_outputs_stops_within_a_second_of_ctrl_c(cg, tmp_path):
    """SIGINT 1 s into write_outputs (the default scenario writes for about 4 s more: maps, report, results.xlsx):
    KeyboardInterrupt within a second, and no output or staging folder left."""
    out = tmp_path / "out"
    old = signal.signal(signal.SIGALRM, lambda *a: os.kill(os.getpid(), signal.SIGINT))
    signal.setitimer(signal.ITIMER_REAL, 1.0)
    t0 = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            cg.write_outputs("default", str(out), threads=2)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    assert time.monotonic() - t0 < 2.0
    assert os.listdir(tmp_path) == []


def test_variants_str_is_refused_not_read_letter_by_letter(cg, default_set, default_results):
    name = default_set.variants[-1]
    with pytest.raises(TypeError, match=r"variants: expected a list of variant names, got the str"):
        default_set.run(threads=1, variants=name)
    with pytest.raises(TypeError, match=r"got the str 'baseline' \(write \['baseline'\]\)"):
        default_results.population_frame(variants="baseline")
    assert list(default_set.run(threads=1, variants=[name])) == [name]


def test_variants_empty_twice_or_endless_raise(cg, default_set, default_results):
    with pytest.raises(ValueError, match=r"variants: none given; expected names of baseline"):
        default_set.run(threads=1, variants=[])
    with pytest.raises(ValueError, match=r"variants: variant 'baseline' is listed twice; expected each variant once"):
        default_set.run(threads=1, variants=itertools.repeat("baseline"))
    with pytest.raises(ValueError, match=r"listed twice"):
        default_results.population_frame(variants=itertools.repeat("baseline"))
    with pytest.raises(KeyError, match=r"no variant 'nope'; the results have baseline"):
        default_results.indicator_frame(variants=itertools.cycle(["nope"]))
    with pytest.raises(TypeError, match=r"variants: expected a str, got int"):
        default_set.run(threads=1, variants=[0])


def test_scenario_set_refuses_one_scenario_twice(cg, default_set):
    with pytest.raises(ValueError, match=r"run 1: the same Scenario object as run 0; expected a run of its own"):
        cg.ScenarioSet(itertools.repeat(default_set.baseline))
    with pytest.raises(ValueError, match="needs at least a baseline"):
        cg.ScenarioSet(r for r in [])
    assert cg.ScenarioSet(r for r in default_set.runs).variants == default_set.variants
