# SPDX-License-Identifier: Apache-2.0
"""The round-24 audit's backlog (h139, tests/probe/hostile_python6.py; round 25, h151), continued from
test_interrupt_fork.py: Ctrl-C during a line chart and during a pyramid of many series waited for the whole drawing.
A file of its own (round 29) so that ctest runs these two long drawings (python.api.1) beside the rest of that file
(python.api.3; python/CMakeLists.txt): each first draws its whole chart to know how long that takes here."""
import time

import pytest

import cohortgis as cg
from test_hostile24 import _latency  # seconds from a SIGALRM raising KeyboardInterrupt to the KeyboardInterrupt


def test_ctrl_c_stops_a_long_line_chart():
    # 400 series of 3000 points (1.2 million points with their markers): the chart was drawn to its end after Ctrl-C.
    series = [("s%d" % k, [float(i) for i in range(3000)], [float((i * (k + 3)) % 1000) for i in range(3000)])
              for k in range(400)]

    def draw():
        return cg._cohortgis.render_lines(series, "many points", "", "", 900, 600, "png")

    started = time.monotonic()
    draw()
    took = time.monotonic() - started
    if took < 1.2:
        pytest.skip("the chart is drawn too quickly here to tell")
    late = _latency(draw, 0.3)
    assert late is not None and late < max(0.6, 0.4 * took), (late, took)


def test_ctrl_c_stops_a_pyramid_of_many_series():
    # 60,000 stacked series of 101 ages: the pyramid was drawn to its end after Ctrl-C; it now stops before the next
    # age row (PyramidStyle::cancel).
    ages = [str(a) for a in range(101)]
    stacked = [("s%d" % k, [1.0 + k % 7] * 101, [1.0 + k % 5] * 101) for k in range(60000)]

    def draw():
        return cg._cohortgis.render_pyramid(stacked, [], "many series", ages, "persons", 1.0, 900, 900, "png")

    started = time.monotonic()
    draw()
    took = time.monotonic() - started
    if took < 1.5:
        pytest.skip("the pyramid is drawn too quickly here to tell")
    late = _latency(draw, 0.6)  # after the series are converted (a few tenths of a second, not interruptible)
    assert late is not None and late < max(0.6, 0.4 * took), (late, took)
