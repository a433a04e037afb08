# SPDX-License-Identifier: Apache-2.0
"""What the round-16 hostile probe (tests/probe/hostile_round16.py) found in the module: write_outputs held Ctrl-C
until every file was written (9 s for the default scenario, then KeyboardInterrupt with the folder complete)."""
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
