# SPDX-License-Identifier: Apache-2.0
"""What the round-24 Python probe (tests/probe/hostile_python6.py) found: pybind11's int conversion cut a NumPy
float32, a Decimal or a Fraction to an int and took True as 1 in every int of the compiled classes (OdFlow,
GroupTransition, NewbornRule, Scenario.base_year/steps, set_grid, step_schedules, total_fertility, set_step_schedules,
set_od, plan_periods, external_pairs), and answered a str or None with its "incompatible function arguments" listing;
an __index__ or __float__ interrupted by Ctrl-C became a TypeError; text and NumPy datetimes in an object array were
read as numbers ("1000", datetime64 as days since 1970); a pandas Series with integer labels gave zone ids,
group names and assumptions in label order; a zero-stride view of 10^8 values was copied (1.6 GB) before its size was
refused; legend_decimals=2.5 reached pybind11, 2.7 was cut to 2, an int subclass's comparisons let 50 classes through;
a list as a variant or zone was "unhashable type: 'list'"; data_dir=0 or [] was the default folder; trajectories=2**63
was pybind11's listing; Figure.save wrote through a symbolic link (a user's file replaced, a dangling link's target
created) and over the user's file in place (a write that failed left it truncated); pickling an OdFlow,
GroupTransition or NewbornRule with protocol 0 or 1 aborted the interpreter (std::terminate); a RunResult pickle state
whose sizes overflow was "cannot create std::vector larger than max_size()"; Ctrl-C waited for the end of a scenario
load (5 s at 40,000 zones) and of a map being drawn."""
import decimal
import fractions
import os
import pathlib
import resource
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

import cohortgis as cg
from toy_frames import toy_frames

FIX = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "scenarios"
GOOD = str(FIX / "good.toml")


class Interrupted:
    """A number whose conversions are interrupted, as by Ctrl-C arriving in them."""

    def __index__(self):
        raise KeyboardInterrupt

    __float__ = __int__ = __index__


@pytest.fixture(scope="module")
def good():
    return cg.load_scenario(GOOD)


@pytest.mark.parametrize("value", [np.float32(1.7), decimal.Decimal("1.5"), fractions.Fraction(3, 2), True, "1", None])
def test_ints_of_the_compiled_classes_are_ints(value):
    name = type(value).__name__
    with pytest.raises(TypeError, match=f"origin: .*{name}.*expected an int"):
        cg.OdFlow(value, 0, 0.1)
    with pytest.raises(TypeError, match="group: .*expected an int"):
        cg.OdFlow(0, 1, 0.1, group=value)
    with pytest.raises(TypeError, match="from_group: .*expected an int"):
        cg.GroupTransition(value, 1, [0.1])
    with pytest.raises(TypeError, match="child_group: .*expected an int"):
        cg.NewbornRule(0, value, 0.5)
    flow, rule = cg.OdFlow(0, 1, 0.1), cg.NewbornRule(0, 1, 0.5)
    with pytest.raises(TypeError, match="destination: .*expected an int"):
        flow.destination = value
    with pytest.raises(TypeError, match="mother_group: .*expected an int"):
        rule.mother_group = value
    assert (flow.destination, rule.mother_group) == (1, 0)
    # NumPy's ints are ints.
    flow = cg.OdFlow(np.int64(1), np.int32(0), 0.1, group=np.uint8(0))
    assert (flow.origin, flow.destination, flow.group) == (1, 0, 0)
    with pytest.raises(ValueError, match="origin: 1099511627776 is out of range"):
        cg.OdFlow(2 ** 40, 0, 0.1)


def test_scenario_ints_and_steps_are_ints(good):
    sc = good.baseline.copy()
    for value in (np.float32(2020.6), decimal.Decimal("2020"), True):
        with pytest.raises(TypeError, match="base_year: .*expected an int"):
            sc.base_year = value
    with pytest.raises(TypeError, match="steps: True .*expected an int"):
        sc.steps = True
    assert (sc.base_year, sc.steps) == (2020, 2)
    sc.base_year = np.int16(2020)
    with pytest.raises(TypeError, match="step_years: 5.0 .*expected an int"):
        sc.set_grid(np.float32(5.0), 85)
    with pytest.raises(TypeError, match="open_age: .*expected an int"):
        sc.set_grid(5, decimal.Decimal("85.5"))
    with pytest.raises(TypeError, match="step: '0' .*expected an int"):
        sc.step_schedules("0")
    with pytest.raises(TypeError, match="step: 1.9 .*expected an int"):
        sc.step_schedules(np.float32(1.9))
    with pytest.raises(TypeError, match="step: True .*expected an int"):
        sc.total_fertility(True)
    with pytest.raises(TypeError, match="step: .*Fraction.*expected an int"):
        sc.total_fertility(fractions.Fraction(1, 2))
    with pytest.raises(TypeError, match="step: True"):
        sc.set_step_schedules(True, sc.step_schedules(0))
    with pytest.raises(TypeError, match="schedules: expected a cohortgis.StepSchedules .*got NoneType"):
        sc.set_step_schedules(0, None)
    assert sc.total_fertility(np.int64(1)).shape == (2,)
    with pytest.raises(TypeError, match=r"^plan_periods: row 0, first_year: 2021\.5 \(float32\) is not an int; expected an int"):
        sc.plan_periods = [(np.float32(2021.5), 2025, "x")]
    sc.plan_periods = [(np.int64(2021), 2025, "first")]
    assert sc.plan_periods == [(2021, 2025, "first")]


def test_schedule_ints_are_ints():
    st = cg.StepSchedules()
    with pytest.raises(TypeError, match="zones: 2.0 .*expected an int"):
        st.set_od([cg.OdFlow(0, 1, 0.1)], 2.0, 1, 5)
    with pytest.raises(TypeError, match="n_ages: 5.5 .*expected an int"):
        st.set_od([cg.OdFlow(0, 1, 0.1)], 2, 1, np.float32(5.5))
    with pytest.raises(TypeError, match="flows: expected a list of cohortgis.OdFlow, got one NoneType"):
        st.set_od([None], 2, 1, 5)
    with pytest.raises(TypeError, match="flows: expected a list of cohortgis.OdFlow, got str"):
        st.set_od("flows", 2, 1, 5)
    for pair in [(np.float32(1.5), 0, 1.0), (True, 0, 1.0)]:
        with pytest.raises(TypeError, match=r"^external_pairs: row 0, from_cell: .* is not an int; expected an int "
                                            r"from 0 to"):
            st.external_pairs = [pair]
    st.external_pairs = [(np.int64(1), 0, 1.0)]
    assert st.external_pairs == [(1, 0, 1.0)]


def test_an_interrupted_conversion_is_a_keyboard_interrupt(good):
    with pytest.raises(KeyboardInterrupt):
        cg.OdFlow(Interrupted(), 0, 0.1)
    sc = good.baseline.copy()
    with pytest.raises(KeyboardInterrupt):
        sc.set_tfr_path({2030: Interrupted()})
    with pytest.raises(KeyboardInterrupt):
        sc.set_tfr_path({Interrupted(): 1.5})
    population = sc.base_population.astype(object)
    population.flat[2] = Interrupted()
    with pytest.raises(KeyboardInterrupt):
        sc.base_population = population
    with pytest.raises(KeyboardInterrupt):
        cg.StepSchedules().asfr = np.array([0.1, Interrupted()], dtype=object)


def test_text_and_datetimes_inside_object_arrays_are_not_numbers(good):
    sc = good.baseline.copy()
    for item in ("1000", b"1000", np.datetime64("2020-01-01"), np.timedelta64(5, "D")):
        population = sc.base_population.astype(object)
        population.flat[0] = item
        with pytest.raises(TypeError, match="base population: an array holding .*; expected real numbers"):
            sc.base_population = population


def test_lists_are_read_in_iteration_order(good):
    sc = cg.Scenario()
    sc.set_zones(pd.Series(["A", "B"], index=[1, 0]), pd.Series(["zone A", "zone B"], index=[1, 0]))
    assert (sc.zone_ids, sc.zone_names) == (["A", "B"], ["zone A", "zone B"])
    b = good.baseline.copy()
    b.assumptions = pd.Series(["one", "two"], index=[1, 0])
    b.group_names = pd.Series(["x"], index=[5])  # seq[0] was a KeyError
    assert (b.assumptions, b.group_names) == (["one", "two"], ["x"])

    class Lying(list):
        def __len__(self):
            return 5

    sc.set_zones(Lying(["A", "B"]))  # an IndexError before
    assert sc.zone_ids == ["A", "B"]

    class Endless:
        def __len__(self):
            return 3

        def __iter__(self):
            while True:
                yield "g"

    with pytest.raises(ValueError, match="group_names: iterating it gives more than the 3 items its len"):
        b.group_names = Endless()


def test_a_huge_view_is_refused_before_it_is_copied(good):
    sc = good.baseline.copy()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    view = np.lib.stride_tricks.as_strided(np.zeros(1), shape=(2 * 10 ** 8,), strides=(0,))
    with pytest.raises(ValueError, match=r"base population: 200000000 values; expected 20 "):
        sc.base_population = view
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 400_000  # kB: it copied 1.6 GB


def test_python_wrappers_check_their_ints(good):
    res = cg.scenario_from_frames(**toy_frames(zones=2, migration=False)).run(threads=1)
    for value in (2.5, np.float32(2.7), True):
        with pytest.raises(TypeError, match="legend_decimals: .* is not an int; expected an int"):
            res.map(legend_decimals=value)

    class Lying(int):
        def __le__(self, other):
            return True

        __ge__ = __le__

    with pytest.raises(ValueError, match="classes: 50 is out of range; expected an int from 2 to 9"):
        res.map(classes=Lying(50))
    assert res.map(legend_decimals=np.int64(2), classes=np.int64(3)).breaks
    # Past the 0-20 digits the legend prints: clamped without a word (or pybind11's listing past a C int) before.
    for value in (-1, 21, 10 ** 6, 2 ** 31):
        with pytest.raises(ValueError, match=r"legend_decimals: .* is out of range; expected an int from 0 to 20"):
            res.map(legend_decimals=value)
    assert res.map(legend_decimals=0).breaks and res.map(legend_decimals=20).breaks
    for call in (lambda: res.population(["baseline"]), lambda: res[{}], lambda: res.indicators(variant=["x"])):
        with pytest.raises(TypeError, match="variant: expected a variant name \\(str\\)"):
            call()
    with pytest.raises(TypeError, match="zone: expected a str, got list"):
        res.pyramid(zone=["Z000"])
    with pytest.raises(TypeError, match="zone: expected a str, got list"):
        res.lines(zone=["Z000"])


def test_data_dir_is_a_path_or_none(tmp_path):
    for value in (0, False, []):
        with pytest.raises(TypeError, match="data_dir: expected a path"):
            cg.load_scenario(GOOD, data_dir=value)
    with pytest.raises(TypeError, match="data_dir: expected a path"):
        cg.write_outputs(GOOD, str(tmp_path / "out"), data_dir=False)
    with pytest.raises(TypeError, match="data_dir: expected a path"):
        cg.backtest(GOOD, str(FIX / "base.csv"), str(tmp_path / "bt"), data_dir=[])
    assert not (tmp_path / "out").exists()


def test_trajectories_past_long_long(good):
    for n, shown in ((2 ** 63, "an int of 64 bits"), (np.uint64(2 ** 64 - 1), "an int of 64 bits")):
        with pytest.raises(ValueError, match=f"^trajectories: {shown} is out of range; expected an int from 1 to"):
            good.run(threads=1, trajectories=n)


def test_figure_save_is_all_or_nothing_and_never_through_a_link(good, tmp_path):
    fig = good.run(threads=1).pyramid()
    user = tmp_path / "user.png"
    user.write_bytes(b"a user image")
    (tmp_path / "link.png").symlink_to(user)
    with pytest.raises(ValueError, match="link.png: a symbolic link \\(to .*user.png'\\)"):
        fig.save(str(tmp_path / "link.png"))
    (tmp_path / "dangling.png").symlink_to(tmp_path / "new.png")
    with pytest.raises(ValueError, match="a symbolic link"):
        fig.save(str(tmp_path / "dangling.png"))
    assert user.read_bytes() == b"a user image" and not (tmp_path / "new.png").exists()
    # A write that fails (a file-size limit) leaves the user's file as it was and no temporary file.
    old = tmp_path / "old.png"
    old.write_bytes(b"old image " * 1000)
    os.chmod(old, 0o640)
    fig.data("png")  # rendered before the limit
    code = ("import resource, sys\nresource.setrlimit(resource.RLIMIT_FSIZE, (4096, resource.RLIM_INFINITY))\n"
            "data = sys.stdin.buffer.read()\nimport cohortgis as cg\nf = cg.Figure(lambda fmt: data)\n"
            "try:\n    f.save(sys.argv[1])\nexcept OSError as e:\n    print('OSError', e.errno)\n")
    out = subprocess.run([sys.executable, "-c", code, str(old)], input=fig.data("png"), capture_output=True)
    assert out.stdout.startswith(b"OSError"), out
    assert old.read_bytes() == b"old image " * 1000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dangling.png", "link.png", "old.png", "user.png"]
    fig.save(str(old))  # replaced whole, its permissions kept
    assert old.read_bytes()[:4] == b"\x89PNG" and (old.stat().st_mode & 0o777) == 0o640


def test_old_pickle_protocols_of_the_plain_structs():
    # In a child: without the fix the interpreter aborted (std::terminate).
    code = ("import pickle, cohortgis as cg\n"
            "for p in (0, 1):\n"
            "    o = pickle.loads(pickle.dumps(cg.OdFlow(0, 1, 0.1, 0), protocol=p))\n"
            "    t = pickle.loads(pickle.dumps(cg.GroupTransition(0, 1, [0.1], [2.0]), protocol=p))\n"
            "    r = pickle.loads(pickle.dumps(cg.NewbornRule(0, 1, 0.5), protocol=p))\n"
            "    print((o.origin, o.destination, o.group, o.rate_per_year), (t.to_group, t.zone_multiplier), r.share)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-500:]
    assert out.stdout.split("\n")[:2] == ["(0, 1, 0, 0.1) (1, [2.0]) 0.5"] * 2


def test_a_pickle_state_whose_sizes_overflow(good):
    r = good.run(threads=1)["baseline"]
    restore, (state,) = r.__reduce__()
    state = dict(state)
    n = 2 ** 20  # 2^20 years × 2^20 zones × 2^14 groups × 2 sexes × 64 ages = 2^61 doubles: 8 × 2^61 bytes wrap to 0
    state.update(steps=n - 1, years=list(range(n)), zone_ids=[""] * n, zone_names=[""] * n, zone_names_en=[""] * n,
                 group_names=[""] * 2 ** 14, width_years=1, n_ages=64, population=b"", unit_names=[], indicators=b"")
    with pytest.raises(ValueError, match="RunResult pickle: 1048576 years, 1048576 zones, 16384 groups and 64 ages "
                                         "make arrays too large"):
        restore(state)


def _latency(call, seconds):
    """Seconds from a SIGALRM (raising KeyboardInterrupt) `seconds` into call() to the KeyboardInterrupt; None when
    the call returned first."""
    def on_alarm(sig, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, on_alarm)
    due = time.monotonic() + seconds
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        call()
        return None
    except KeyboardInterrupt:
        return time.monotonic() - due
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_ctrl_c_stops_waiting_for_a_long_load(tmp_path):
    # 40,000 zones: about 2.7 s to load on a loaded 2-core VM, with the GIL released; Ctrl-C was held until the end.
    text = (FIX / "good.toml").read_text()
    ids = ["A", "B"] + ["Z%05d" % k for k in range(39998)]
    cells = [r.split(",", 1)[1] for r in (FIX / "base.csv").read_text().split("\n")[1:] if r.startswith("A,")]
    (tmp_path / "big_base.csv").write_text("zone,sex,age,population\n" +
                                           "".join("%s,%s\n" % (z, c) for z in ids for c in cells))
    zones = "zones = [ " + ", ".join('{ id = "%s" }' % z for z in ids) + " ]"
    text = text.replace('zones = [ { id = "A", name = "Zone A" }, { id = "B", name = "Zone B" } ]', zones)
    (tmp_path / "big.toml").write_text(text.replace('table = "base.csv"', 'table = "big_base.csv"'))
    for f in ("asfr.csv", "mx.csv"):
        (tmp_path / f).write_text((FIX / f).read_text())
    started = time.monotonic()
    assert len(cg.load_scenario(str(tmp_path / "big.toml")).baseline.zone_ids) == 40000
    took = time.monotonic() - started
    if took < 1.0:
        pytest.skip("the load is too quick here to tell")
    late = _latency(lambda: cg.load_scenario(str(tmp_path / "big.toml")), 0.2)  # without: the rest, took - 0.2 s
    assert late is not None and late < max(0.5, 0.3 * took), (late, took)
    assert cg.load_scenario(GOOD).baseline.name == "tiny"  # the module goes on


def test_ctrl_c_stops_a_map_being_drawn():
    import pyproj

    # 16,000 squares on a 3000 × 2250 px map: about 1.8 s on a loaded 2-core VM; Ctrl-C waited for the whole map (1.6 s
    # late 0.3 s in). It now stops the drawing within 256 zones (a large PNG's encoding at the end is not cut short).
    n = 16000
    ids = ["Z%05d" % k for k in range(n)]
    wkt = ["POLYGON((%d %d,%d %d,%d %d,%d %d,%d %d))" % (x, y, x + 1000, y, x + 1000, y + 1000, x, y + 1000, x, y)
           for k in range(n) for x, y in [(400000 + 1000 * (k % 126), 4400000 + 1000 * (k // 126))]]
    crs, values = pyproj.CRS("EPSG:32650").to_wkt(), [float(k % 97) for k in range(n)]

    def draw():
        return cg._cohortgis.render_choropleth(ids, wkt, crs, values, [""] * n, "many zones", "", "", "", 5,
                                               "quantile", 3000, 2250, 1, "", False, "png")

    started = time.monotonic()
    draw()
    took = time.monotonic() - started
    if took < 1.2:
        pytest.skip("the map is drawn too quickly here to tell")
    late = _latency(draw, 0.3)  # without the checks: the rest of the map, took - 0.3 s
    assert late is not None and late < max(0.6, 0.4 * took), (late, took)
