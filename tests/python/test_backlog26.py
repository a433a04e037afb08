# SPDX-License-Identifier: Apache-2.0
"""Round 26 Python backlog (h161): Results keyed by non-names; endless iterators as list arguments; renderer errors
naming the private scratch file; one check (and one message) per kind of int or number argument; a fork from an
in-place run()'s progress callback going on with the parent's thread pool."""
import itertools
import os
import pathlib
import subprocess
import sys
import textwrap

import pytest

from toy_frames import toy_frames

FIX = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "scenarios"
GOOD = str(FIX / "good.toml")


@pytest.fixture(scope="module")
def good_results():
    import cohortgis as cg

    return cg.load_scenario(GOOD).run(threads=1)


# ---- 1. Results keyed by variant names ------------------------------------------------------------------------------
@pytest.mark.parametrize("key", [1, None, 2.5, ("baseline",), b"baseline"])
def test_results_keys_are_variant_names(cg, good_results, key):
    # {1: run} was taken: its frames had a variant column of ints that no name could select.
    with pytest.raises(TypeError, match=r"^runs: key .* expected a variant name \(str\)"):
        cg.Results({key: good_results["baseline"]})


def test_results_keys_are_plain_names(cg, good_results):
    class Named(str):
        def __hash__(self):
            return 0

    res = cg.Results({Named("mine"): good_results["baseline"]})
    assert type(res.variants[0]) is str and res.variants == ["mine"]
    assert res.population("mine").ndim == 5
    with pytest.raises(ValueError, match="runs: variant 'mine' is listed twice"):
        cg.Results({Named("mine"): good_results["baseline"], "mine": good_results["more"]})


# ---- 2. endless iterators --------------------------------------------------------------------------------------------
def _frames(**kw):
    f = toy_frames(zones=2)
    f.update(kw)
    return f


def test_endless_groups_and_aggregates_are_refused(cg):
    # Each was read into a list until memory ran out.
    with pytest.raises(ValueError, match=r"^groups: more than 100,000 items; expected at most 100,000 "
                                         r"\(cohortgis.MAX_LIST_ITEMS\) \(an endless iterator"):
        cg.scenario_from_frames(**_frames(groups=itertools.count()))
    # An aggregate's members are zones, each once: no more than the scenario's zones.
    with pytest.raises(ValueError, match=r"^aggregates: 'west': zone 'Z000' is listed twice; expected each zone once"):
        cg.scenario_from_frames(**_frames(aggregates={"west": itertools.cycle(["Z000", "Z001"])}))
    assert cg.scenario_from_frames(**_frames(aggregates={"west": iter(["Z001", "Z000"])})).baseline.aggregates == \
        [("west", ["Z001", "Z000"])]


class EndlessMapping(dict):
    """A Mapping whose items() never ends."""

    def items(self):
        return ((f"k{k}", "v") for k in itertools.count())


def test_every_list_argument_is_bounded(cg, good_results, monkeypatch, tmp_path):
    import cohortgis._frames as frames

    monkeypatch.setattr(frames, "MAX_LIST_ITEMS", 50)  # the same check, reached sooner
    sto = cg.load_scenario(str(FIX / "stochastic.toml"))
    names = lambda: (f"n{k}" for k in itertools.count())  # noqa: E731  (distinct, so no "given twice" stops it)
    cases = [
        ("allow_read", lambda: cg.load_scenario(GOOD, allow_read=names())),
        ("allow_db", lambda: cg.load_scenario(GOOD, allow_db=names())),
        ("variants", lambda: cg.backtest(GOOD, GOOD, str(tmp_path / "bt"), variants=names())),
        ("indicators", lambda: sto.run(threads=1, trajectories=2, indicators=names())),
        ("runs", lambda: cg.Results(EndlessMapping())),
        ("mx_filter", lambda: cg.estimate(GOOD, GOOD, (2010, 2020), str(tmp_path / "e"), mx_filter=EndlessMapping())),
        ("aggregates", lambda: cg.scenario_from_frames(**_frames(aggregates=EndlessMapping()))),
    ]
    for what, call in cases:
        with pytest.raises(ValueError, match=f"^{what}: more than 50 items"):
            call()
    s = cg.load_scenario(GOOD)
    with pytest.raises(ValueError, match="^runs: more than 50 items"):
        cg.ScenarioSet(s.baseline.copy() for _ in itertools.count())
    assert not os.listdir(tmp_path)


# ---- 3. renderer errors ----------------------------------------------------------------------------------------------
def test_renderer_errors_do_not_name_the_scratch_file(cg):
    # "image /tmp/cohortgis-py-Xq3b/image.png: width, height and dpi must be positive": a file the user never named.
    with pytest.raises(ValueError) as e:
        cg._cohortgis.render_lines([("a", [1.0, 2.0], [1.0, 3.0])], "t", "", "", 0, 200, "png")
    assert str(e.value) == "image: width, height and dpi must be positive", str(e.value)
    with pytest.raises(ValueError) as e:
        cg._cohortgis.render_pyramid([], [], "t", [], "persons", 1.0, 300, 300, "svg")
    assert str(e.value) == "pyramid: no ages or no series to draw", str(e.value)


def test_figure_save_names_the_users_file(cg, good_results, tmp_path):
    # Under a umask that takes the owner's permissions the renderer refuses to write; its message named the scratch
    # file. Figure.save names the user's file; a figure shown inline (data()) the image alone.
    out = tmp_path / "lines.png"
    fig = good_results.lines("population")
    old = os.umask(0o277)
    try:
        with pytest.raises(ValueError) as e:
            fig.save(out)
        with pytest.raises(ValueError) as shown:
            fig.data("svg")
    finally:
        os.umask(old)
    assert str(e.value).startswith(f"{out}: cannot draw the figure: image: the umask 0277 "), str(e.value)
    assert str(shown.value).startswith("image: the umask 0277 "), str(shown.value)
    for message in (str(e.value), str(shown.value)):
        assert "cohortgis-py-" not in message and "image.png" not in message and "image.svg" not in message
    assert not out.exists()
    assert fig.save(out) == str(out) and out.read_bytes()[:4] == b"\x89PNG"


# ---- 4. one check per kind of argument, one message per mistake ----------------------------------------------------
def test_an_int_argument_that_is_not_an_int_is_said_alike(cg, good_results, tmp_path):
    # The package's checks and the compiled classes' said one mistake in four ways ("threads: expected an int (0 =
    # all cores, or 1 to 256), got float", "trajectories: expected an int, got float 2.5", "base_year: expected a
    # whole number (int), got float", "origin: 2.5 (float) is not an int; expected an int from …").
    s = cg.load_scenario(GOOD)
    sto = cg.load_scenario(str(FIX / "stochastic.toml"))
    calls = {
        "origin": lambda: cg.OdFlow(2.5, 0, 0.1),
        "threads": lambda: s.run(threads=2.5),
        "trajectories": lambda: sto.run(threads=1, trajectories=2.5),
        "seed": lambda: sto.run(threads=1, trajectories=2, seed=2.5),
        "classes": lambda: good_results.map(classes=2.5),
        "legend_decimals": lambda: good_results.map(legend_decimals=2.5),
        "step": lambda: cg.estimate(GOOD, GOOD, (2010, 2020), str(tmp_path / "e"), step=2.5),
        "base_year": lambda: cg.scenario_from_frames(**_frames(base_year=2.5)),
        "open_age": lambda: cg.scenario_from_frames(**_frames(open_age=2.5)),  # was the TOML float 2.5
    }
    for what, call in calls.items():
        with pytest.raises(TypeError, match=rf"^{what}: 2\.5 \(float\) is not an int; expected "):
            call()


def test_an_int_out_of_range_is_said_alike(cg, good_results, tmp_path):
    # The compiled classes said "is out of range" as a TypeError, the jobs "an int of 41 bits" as a ValueError.
    for what, call in {"origin": lambda: cg.OdFlow(2 ** 40, 0, 0.1),
                       "step": lambda: cg.estimate(GOOD, GOOD, (2010, 2020), str(tmp_path / "e"), step=2 ** 40),
                       "classes": lambda: good_results.map(classes=2 ** 40)}.items():
        with pytest.raises(ValueError, match=rf"^{what}: 1099511627776 is out of range; expected "):
            call()
    for what, call in {"origin": lambda: cg.OdFlow(2 ** 70, 0, 0.1),
                       "step": lambda: cg.estimate(GOOD, GOOD, (2010, 2020), str(tmp_path / "e"),
                                                   step=2 ** 70)}.items():
        with pytest.raises(ValueError, match=rf"^{what}: an int of 71 bits is out of range; expected "):
            call()
    assert not os.listdir(tmp_path)


def test_a_number_argument_that_is_not_a_number_is_said_alike(cg, tmp_path):
    # real_number said ValueError "… is not a number", _job_real TypeError "expected a number, got str '0.5'", the
    # compiled classes TypeError "a str that does not convert".
    s = cg.load_scenario(GOOD).baseline
    calls = {
        "share": lambda: cg.NewbornRule(0, 1, "0.5"),
        "female_share": lambda: cg.estimate(GOOD, GOOD, (2010, 2020), str(tmp_path / "e"), female_share="0.5"),
        "srb": lambda: cg.estimate_levels(GOOD, out_dir=str(tmp_path / "l"), srb="0.5"),
        "tfr: year 2021": lambda: s.set_tfr({2021: "0.5"}),
        "srb: year 2021": lambda: s.set_srb_path({2021: "0.5"}),  # the compiled method itself
    }
    for what, call in calls.items():
        with pytest.raises(TypeError, match=rf"^{what}: '0\.5' \(str\) is not a real number; expected a real number"):
            call()
    for what, call in {"rate_per_year": lambda: cg.OdFlow(0, 1, 10 ** 400),
                       "natural_growth_per_1000": lambda: cg.estimate(GOOD, GOOD, (2010, 2020), str(tmp_path / "e"),
                                                                      natural_growth_per_1000=10 ** 400),
                       "tfr": lambda: cg.scenario_from_frames(**_frames(tfr=10 ** 400))}.items():
        with pytest.raises(ValueError, match=rf"^{what}: a number past a float's range; expected a real number"):
            call()
    with pytest.raises(TypeError, match=r"^share: True \(bool\) is not a real number"):
        cg.NewbornRule(0, 1, True)
    with pytest.raises(TypeError, match=r"^female_share: True \(bool\) is not a real number"):
        cg.estimate(GOOD, GOOD, (2010, 2020), str(tmp_path / "e"), female_share=True)
    assert not os.listdir(tmp_path)


# ---- 5. a fork in run()'s progress callback -------------------------------------------------------------------------
@pytest.mark.parametrize("at_step", [0, 1, 2])
def test_a_child_forked_in_runs_progress_raises(at_step):
    # The child went on projecting with the parent's oneTBB thread pool (its workers are not in the child; an idle one
    # may have held the pool's lock at the fork). It now raises RuntimeError when the callback returns (the last
    # report, 2 of 2, included), with no parallel work; the parent's run goes on to its result.
    code = textwrap.dedent(f"""
        import os, signal, warnings, numpy as np, cohortgis as cg
        warnings.simplefilter("ignore", DeprecationWarning)
        s = cg.load_scenario({GOOD!r})
        ref = s.run(threads=2, variants=["baseline"])["baseline"].population.copy()
        state = {{"child": None}}
        def progress(done, total):
            if done == {at_step} and state["child"] is None:
                pid = os.fork()
                if pid == 0:
                    signal.alarm(30)
                    state["child"] = 0
                    return
                state["child"] = pid
        try:
            res = s.run(threads=2, progress=progress, variants=["baseline"])
        except RuntimeError as e:
            if state["child"] == 0:
                os._exit(0 if "forked" in str(e) and "os._exit" in str(e) else 4)
            raise
        if state["child"] == 0:
            os._exit(3)  # the child went on and got a result of its own
        same = np.array_equal(res["baseline"].population, ref)
        print("child", os.waitstatus_to_exitcode(os.waitpid(state["child"], 0)[1]), "same", same)
        """)
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr[-2000:]
    assert "child 0 same True" in p.stdout, (p.stdout, p.stderr[-2000:])
