# SPDX-License-Identifier: Apache-2.0
"""What the round-25 Python probe (tests/probe/hostile_python7.py) found: estimate, estimate_levels and
estimate_group_split answered years, steps and open ages past a C int, and a zone prefix holding a lone surrogate, with
pybind11's "incompatible function arguments" listing, and 10**400 as a rate with a bare OverflowError; census years
2147483647:-2147483648 overflowed int in the estimate and were read as an interval of one year; backtest read a
generator of variants twice (the second time empty: every variant ran) and an endless one into a list; a seed, threads
and trajectories were read twice through an int subclass's __int__ (a seed checked as 3 ran as -1, the file's seed);
a variant name that is a str subclass with its own __hash__ missed the runs' dict (a bare KeyError); a KeyboardInterrupt
or MemoryError raised in __float__ (OdFlow and NewbornRule rates, external_pairs) or in an array-like's __array__ or a
sequence's __getitem__ became a TypeError "does not convert"; the masked cells of a NumPy masked array were read as the
data under the mask; a NUL in a title or label cut the text Pango drew; the compiled functions of _cohortgis.pyi
called directly read a path up to a NUL ("good.toml\\0junk" loaded good.toml)."""
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import cohortgis as cg
from toy_frames import toy_frames

FIX = pathlib.Path(__file__).resolve().parents[1] / "fixtures"
GOOD = str(FIX / "scenarios" / "good.toml")
STO = str(FIX / "scenarios" / "stochastic.toml")
OBSERVED = str(FIX / "backtest" / "observed_tiny.csv")


class Interrupted:
    """A number whose conversions are interrupted, as by Ctrl-C arriving in them."""

    def __index__(self):
        raise KeyboardInterrupt

    __float__ = __int__ = __index__


class Flip(int):
    """An int whose int() and __index__ say 3 the first time and -1 after: read once, it is what it holds (3)."""

    def __new__(cls, value):
        obj = super().__new__(cls, value)
        obj.calls = 0
        return obj

    def __int__(self):
        self.calls += 1
        return 3 if self.calls == 1 else -1

    __index__ = __int__


class Hash0(str):
    """A str whose hash is not str's (its equality is)."""

    def __hash__(self):
        return 0

    __eq__ = str.__eq__


@pytest.fixture
def censuses(tmp_path):
    first, second = tmp_path / "census1.csv", tmp_path / "census2.csv"
    first.write_text("zone,sex,age,population\nA,all,all,1000\nB,all,all,2000\n")
    second.write_text("zone,sex,age,population\nA,all,all,1100\nB,all,all,1900\n")
    return str(first), str(second)


@pytest.mark.parametrize("args, what", [(dict(step=2 ** 40), "step"), (dict(open_age=2 ** 40), "open_age"),
                                        (dict(years=(2 ** 40, 2020)), "years"),
                                        (dict(years=(2010, -2 ** 63)), "years")])
def test_estimate_ints_past_c_int_are_named(censuses, tmp_path, args, what):
    years = args.pop("years", (2010, 2020))
    with pytest.raises(ValueError, match=f"^{what}: -?\\d+ is out of range; expected"):
        cg.estimate(*censuses, years, str(tmp_path / "out"), **args)
    assert not (tmp_path / "out").exists()


def test_estimate_numbers_past_a_float_and_lying_ints(censuses, tmp_path):
    for name in ("natural_growth_per_1000", "female_share"):
        with pytest.raises(ValueError, match=f"^{name}: a number past a float's range"):
            cg.estimate(*censuses, (2010, 2020), str(tmp_path / "out"), **{name: -10 ** 400})

    class Huge(int):  # an int subclass whose __int__ and __index__ say 2**40: its value (2010) is the year
        def __int__(self):
            return 2 ** 40

        __index__ = __int__

    s = cg.estimate(*censuses, (Huge(2010), 2020), str(tmp_path / "huge"), step=Huge(5))
    assert s["method"] == "totals"
    assert '"years": [2010, 2020]' in (tmp_path / "huge" / "manifest.json").read_text()


def test_estimate_years_whose_difference_overflows_int(censuses, tmp_path):
    # second − first = −2^32 + 1 overflowed int (undefined behaviour; it read as an interval of one year)
    with pytest.raises(ValueError, match="--years: 2147483647:-2147483648; expected FIRST:SECOND"):
        cg.estimate(*censuses, (2 ** 31 - 1, -2 ** 31), str(tmp_path / "wrap"))
    assert not (tmp_path / "wrap").exists()


def test_levels_and_group_split_arguments_are_named(censuses, tmp_path):
    with pytest.raises(ValueError, match="^open_age: an int of 64 bits"):
        cg.estimate_levels(censuses[0], out_dir=str(tmp_path / "l1"), open_age=2 ** 63)
    with pytest.raises(ValueError, match="^srb: a number past a float's range"):
        cg.estimate_levels(censuses[0], out_dir=str(tmp_path / "l2"), srb=10 ** 400)
    with pytest.raises(ValueError, match="^zones: .*not UTF-8"):
        cg.estimate_group_split(censuses[0], str(tmp_path / "g1"), zones="11\udcff")
    with pytest.raises(ValueError, match="^zones: .*NUL"):
        cg.estimate_group_split(censuses[0], str(tmp_path / "g2"), zones="11\0x")


def test_backtest_reads_variants_once(tmp_path):
    def bt(out, variants):
        s = cg.backtest(GOOD, OBSERVED, str(tmp_path / out), variants=variants, report=False, threads=1)
        return [x["forecast"] for x in s["scores"]]

    # A generator was read twice, empty the second time: every variant ran, an unknown one unseen.
    with pytest.raises(ValueError, match="'nope' is not a variant"):
        bt("nope", (v for v in ["nope"]))
    assert bt("base", (v for v in ["baseline"])) == ["cohortgis", "no-change", "constant-share"]
    assert bt("more", (v for v in ["more"])) == ["cohortgis", "cohortgis:more", "no-change", "constant-share"]
    # An endless iterator was read into a list until memory ran out (here a MemoryError under a 2 GB address space,
    # in a process of its own); it stops at the first name listed twice.
    code = ("import itertools, resource, cohortgis as cg\n"
            "resource.setrlimit(resource.RLIMIT_AS, (2 << 30, resource.RLIM_INFINITY))\n"
            "try:\n"
            f"    cg.backtest({GOOD!r}, {OBSERVED!r}, {str(tmp_path / 'endless')!r}, report=False, threads=1,\n"
            "                variants=itertools.repeat('more'))\n"
            "except ValueError as e:\n"
            "    print(e)\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0 and "'more' is listed twice" in p.stdout, p.stderr[-300:]


def test_ints_are_read_once():
    s = cg.load_scenario(STO)
    ref = s.run(threads=1, trajectories=4, seed=3).quantiles
    # The check saw 3, the binding got -1: "the file's seed" (7), silently.
    assert s.run(threads=1, trajectories=4, seed=Flip(3)).quantiles.equals(ref)
    assert s.run(threads=1, trajectories=Flip(3)).trajectories().shape[1] == 3
    assert type(s.run(threads=Flip(3))).__name__ == "Results"  # was "threads: -1; expected 0 …"


def test_variant_names_of_str_subclasses(tmp_path):
    s = cg.load_scenario(GOOD)
    res = s.run(threads=1, variants=[Hash0("more")])  # was KeyError 'more'
    assert res.variants == ["more"]
    assert res.population(Hash0("more")).ndim == 5  # was "no variant 'more'; the results have more"


@pytest.mark.parametrize("set_value", [
    lambda: cg.OdFlow(0, 1, Interrupted()),
    lambda: setattr(cg.OdFlow(0, 1, 0.1), "rate_per_year", Interrupted()),
    lambda: cg.NewbornRule(0, 1, Interrupted()),
    lambda: setattr(cg.NewbornRule(0, 1, 0.5), "share", Interrupted()),
    lambda: setattr(cg.StepSchedules(), "external_pairs", [(0, 1, Interrupted())]),
    lambda: setattr(cg.StepSchedules(), "external_pairs", [(Interrupted(), 1, 5.0)]),
], ids=["odflow", "odflow_setter", "newborn", "newborn_setter", "pair_persons", "pair_cell"])
def test_ctrl_c_in_a_float_conversion_goes_on(set_value):
    with pytest.raises(KeyboardInterrupt):
        set_value()


def test_float_conversions_say_what_went_wrong():
    class NoMemory:
        def __float__(self):
            raise MemoryError

    with pytest.raises(MemoryError):
        cg.OdFlow(0, 1, NoMemory())
    with pytest.raises(ValueError, match="rate_per_year: a number past a float's range"):
        cg.OdFlow(0, 1, 10 ** 400)
    with pytest.raises(TypeError, match=r"share: '0\.5' \(str\) is not a real number; expected a real number"):
        cg.NewbornRule(0, 1, "0.5")
    st = cg.StepSchedules()
    st.external_pairs = [(np.int64(0), 1, np.float32(5.0))]
    assert st.external_pairs == [(0, 1, 5.0)]
    # Named by row and field since round 27 (it was "external_pairs: (0, True, 1.0) does not convert; …").
    for bad, error, match in [([(0, 1)], TypeError, r"^external_pairs: row 0: \(0, 1\) holds 2 items"),
                              ([(-1, 0, 1.0)], ValueError, r"^external_pairs: row 0, from_cell: -1 is out of range"),
                              ([(0, True, 1.0)], TypeError, r"^external_pairs: row 0, to_cell: True \(bool\) is not an "
                                                            r"int"),
                              ([(0, 1, "5")], TypeError, r"persons: '5' \(str\) is not a real number")]:
        with pytest.raises(error, match=match):
            st.external_pairs = bad
    assert st.external_pairs == [(0, 1, 5.0)]


def test_ctrl_c_in_an_array_conversion_goes_on():
    s = cg.load_scenario(GOOD).baseline

    class ArrayLike:
        def __array__(self, dtype=None, copy=None):
            raise KeyboardInterrupt

    class Sequence:
        def __len__(self):
            return 3

        def __getitem__(self, k):
            if k == 1:
                raise KeyboardInterrupt
            if k > 2:
                raise IndexError
            return 0.1

    with pytest.raises(KeyboardInterrupt):
        s.base_population = ArrayLike()
    with pytest.raises(KeyboardInterrupt):
        cg.StepSchedules().asfr = Sequence()
    with pytest.raises(TypeError, match="base population: not an array of numbers"):  # a ragged list, as before
        s.base_population = [[1.0], [1.0, 2.0]]


def test_masked_cells_are_refused():
    s = cg.load_scenario(GOOD).baseline
    b = s.base_population
    m = np.ma.masked_array(b.copy(), mask=np.zeros(b.shape, bool))
    m.mask.flat[0] = True
    m.data.flat[0] = 1e6  # the hidden value under the mask was projected
    with pytest.raises(ValueError, match="base population: a masked array with masked"):
        s.base_population = m
    assert float(s.base_population.flat[0]) == float(b.flat[0])
    with pytest.raises(ValueError, match="asfr: a masked array with masked"):
        cg.StepSchedules().asfr = np.ma.masked_invalid([0.1, np.nan])
    s.base_population = np.ma.masked_array(b * 2)  # nothing masked: its values
    assert (s.base_population == b * 2).all()


def test_nul_in_plot_text_is_refused():
    res = cg.scenario_from_frames(**toy_frames(zones=2, migration=False)).run(threads=1)
    for call, what in [(lambda: res.map(title="Population\0 of the west"), "title"),
                       (lambda: res.map(legend_title="persons\0x"), "legend_title"),
                       (lambda: res.pyramid(title="A\0B"), "title"), (lambda: res.lines(title="A\0B"), "title")]:
        with pytest.raises(ValueError, match=f"^{what}: .*holds a NUL character"):
            call()
    with pytest.raises(ValueError, match="^description: .*NUL"):
        cg.load_scenario(GOOD).add_variant("v2", description="low\0x")


def test_compiled_functions_refuse_nul_in_paths(tmp_path, censuses):
    R = cg._cohortgis
    with pytest.raises(ValueError, match="^scenario: a path holding a NUL"):
        R.load_scenario_file(GOOD + "\0junk")  # loaded good.toml
    with pytest.raises(ValueError, match="^allow_read: a path holding a NUL"):
        R.load_scenario_file(GOOD, "", [str(tmp_path) + "\0x"])
    with pytest.raises(ValueError, match="^configured: a path holding a NUL"):
        R.resolve_data_dir(str(tmp_path) + "\0x")
    with pytest.raises(ValueError, match="^out_dir: a path holding a NUL"):
        R.app_run(GOOD, str(tmp_path / "run") + "\0x", threads=1)
    with pytest.raises(ValueError, match="^first: a path holding a NUL"):
        R.app_estimate(censuses[0] + "\0x", censuses[1], 2010, 2020, str(tmp_path / "est"))
    with pytest.raises(ValueError, match="^scenario: a path holding a NUL"):
        R.app_backtest(GOOD + "\0x", OBSERVED, out_dir=str(tmp_path / "bt"), threads=1, report=False)
    with pytest.raises(ValueError, match="^file: a path holding a NUL"):
        R.run_ensemble(cg.load_scenario(STO).runs, STO + "\0x", "", 2, 1, 1, [])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["census1.csv", "census2.csv"]


def test_renderers_called_directly_refuse_nul_in_text():
    R = cg._cohortgis
    series = [("a", [1.0, 2.0], [1.0, 2.0])]
    with pytest.raises(ValueError, match="^title: text holding a NUL"):
        R.render_lines(series, title="A\0B")  # drawn as "A"
    with pytest.raises(ValueError, match="^series name: text holding a NUL"):
        R.render_lines([("a\0b", [1.0, 2.0], [1.0, 2.0])])
    with pytest.raises(ValueError, match="^age_labels: text holding a NUL"):
        R.render_pyramid([("a", [1.0, 2.0], [1.0, 2.0])], age_labels=["0-4", "5\0+"])
    wkt = ["POLYGON((0 0,1 0,1 1,0 1,0 0))", "POLYGON((1 0,2 0,2 1,1 1,1 0))"]
    with pytest.raises(ValueError, match="^legend_title: text holding a NUL"):
        R.render_choropleth(["a", "b"], wkt, "EPSG:32650", [1.0, 2.0], legend_title="x\0y")
    assert R.render_lines(series, title="A B")[:4] == b"\x89PNG"


def test_figure_save_needs_a_name_and_mx_filter_a_value(tmp_path, monkeypatch, censuses):
    f = cg.load_scenario(GOOD).run(threads=1).pyramid()
    monkeypatch.chdir(tmp_path)
    for name in ("png", ".png", str(tmp_path) + "/"):
        with pytest.raises(ValueError, match="expected a .png, .svg or .pdf file name"):
            f.save(name)  # "png" was written as a PNG named "png"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["census1.csv", "census2.csv"]
    assert f.save("fig.PNG") == "fig.PNG" and (tmp_path / "fig.PNG").read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(TypeError, match="mx_filter: 'sex': None; expected"):
        cg.estimate(*censuses, (2010, 2020), str(tmp_path / "e"), mx=str(FIX / "scenarios" / "mx.csv"),
                    mx_filter={"sex": None})  # filtered on the text "None"
