# SPDX-License-Identifier: Apache-2.0
"""Round 28 Python backlog (h179): one rule for a path's year keys, compiled and Python (a whole float taken by both,
anything not whole a ValueError in both); one reading of a path (year_path) for set_tfr and scenario_from_frames;
"listed twice" everywhere; list and dict setters name the row or key they could not convert; switches typed as
NumPy's bool_ too in the stubs; StepSchedules' arrays refused past the scenario reader's ranges, in its words; and a
variant's name checked by the reader's name rule."""
import math
import pathlib
import re
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

import cohortgis as cg
from toy_frames import toy_frames

FIX = pathlib.Path(__file__).resolve().parents[1] / "fixtures"
GOOD = str(FIX / "scenarios" / "good.toml")
STUBS = pathlib.Path(cg.__file__).with_name("_cohortgis.pyi")
YEAR_EXPECTED = "; expected a year (a whole number from -2147483648 to 2147483647)"


@pytest.fixture(scope="module")
def baseline():
    return cg.load_scenario(GOOD).baseline


# ---- 1. a path's year keys: one rule, compiled and Python --------------------------------------------------------
@pytest.mark.parametrize("year", [2030.0, np.float64(2030.0), np.float32(2030.0), np.int64(2030), Decimal("2030"),
                                  "2030"],
                         ids=["float", "float64", "float32", "int64", "Decimal", "text"])
def test_a_whole_year_key_is_taken_by_both(baseline, year):
    # set_tfr_path refused 2030.0 with a TypeError ("is not a whole year") that set_tfr took.
    package, compiled = baseline.copy(), baseline.copy()
    package.set_tfr({year: 1.3})
    compiled.set_tfr_path({year: 1.3})
    assert np.array_equal(package.total_fertility(1), compiled.total_fertility(1))
    assert np.allclose(compiled.total_fertility(1), 1.3)


@pytest.mark.parametrize("year", [2030.5, np.float32(2030.5), Decimal("2030.5"), "soon", "2030.0", True, np.True_,
                                  math.inf, math.nan, None, 2 ** 40, 2 ** 1000, 1e300, -2 ** 31 - 1],
                         ids=["half", "float32-half", "Decimal-half", "text", "text-float", "bool", "numpy-bool", "inf",
                              "nan", "None", "2**40", "2**1000", "1e300", "below-int"])
def test_a_key_that_is_not_a_year_is_a_value_error_in_both(baseline, year):
    # The compiled set_*_path raised TypeError for 2030.5 where the package raised ValueError.
    with pytest.raises(ValueError) as package:
        baseline.set_tfr({year: 1.5})
    with pytest.raises(ValueError) as compiled:
        baseline.set_tfr_path({year: 1.5})
    assert str(package.value) == str(compiled.value)
    assert str(compiled.value).startswith("tfr: year ") and str(compiled.value).endswith(YEAR_EXPECTED)


def test_a_year_given_by_two_keys_is_listed_twice_in_both(baseline):
    class Year:  # a key equal to no int, whose __index__ says 2030
        def __index__(self):
            return 2030

    with pytest.raises(ValueError, match=r"^srb: year 2030 is listed twice; expected each year once$"):
        baseline.set_srb_path({2030: 105.0, Year(): 106.0})
    with pytest.raises(ValueError, match=r"^srb: year 2030 is listed twice; expected each year once$"):
        baseline.set_srb(pd.Series([105.0, 106.0], index=[2030, 2030]))
    with pytest.raises(ValueError, match=r"^tfr: no years; expected \{year: value, …\}$"):
        baseline.set_tfr_path({})


# ---- 2. one reading of a path: set_tfr and scenario_from_frames -------------------------------------------------
@pytest.mark.parametrize("path", [np.array(105.0), np.array(105), np.float32(105.0), np.int64(105)],
                         ids=["0-d float", "0-d int", "float32", "int64"])
def test_a_constant_path_is_read_alike_by_set_srb_and_scenario_from_frames(baseline, path):
    # _year_points (scenario_from_frames) refused a 0-d array that _path_points (set_srb) took.
    frames = toy_frames(zones=2, migration=False)
    frames["srb"] = path
    built = cg.scenario_from_frames(**frames).baseline
    assert np.allclose(built.schedules[0].srb, 1.05)
    s = baseline.copy()
    s.set_srb(path)
    assert np.allclose(s.schedules[0].srb, 1.05)


@pytest.mark.parametrize("path", [np.array(True), True, np.True_, "105", [105.0]],
                         ids=["0-d bool", "bool", "numpy-bool", "text", "list"])
def test_a_path_that_is_no_number_nor_mapping_is_refused_alike(baseline, path):
    frames = toy_frames(zones=2, migration=False)
    frames["srb"] = path
    with pytest.raises(TypeError) as built:
        cg.scenario_from_frames(**frames)
    with pytest.raises(TypeError) as package:
        baseline.set_srb(path)
    assert str(built.value) == str(package.value)
    assert str(package.value).startswith("srb: ")


# ---- 3. one wording for a name or year given twice ----------------------------------------------------------------
def test_twice_is_said_as_listed_twice(default_results):
    run = default_results["baseline"]

    class Other(str):
        def __hash__(self):
            return 1

    with pytest.raises(ValueError, match=r"^runs: variant 'mine' is listed twice; expected each variant once$"):
        cg.Results({"mine": run, Other("mine"): run})
    frames = toy_frames(zones=2, migration=False)
    frames["tfr"] = pd.Series([1.5, 1.6], index=[2030, 2030.0])
    with pytest.raises(ValueError, match=r"^tfr: year 2030 is listed twice; expected each year once$"):
        cg.scenario_from_frames(**frames)


# ---- 4. setters converted by value_of name the row or key ---------------------------------------------------------
def test_list_setters_name_the_row_they_could_not_convert(baseline):
    st = cg.StepSchedules()
    tr = cg.GroupTransition(0, 1, [0.0] * 4)
    with pytest.raises(TypeError, match=r"^transitions: row 1: a NoneType that does not convert; expected a "
                                        r"cohortgis\.GroupTransition$"):
        st.transitions = [tr, None]
    with pytest.raises(TypeError, match=r"^newborn_rules: row 0: a int that does not convert; expected a "
                                        r"cohortgis\.NewbornRule$"):
        st.newborn_rules = [5]
    assert st.transitions == [] and st.newborn_rules == []
    s = baseline.copy()
    with pytest.raises(TypeError, match=r"^schedules: row 1: a str that does not convert; expected a "
                                        r"cohortgis\.StepSchedules$"):
        s.schedules = [st, "x"]
    with pytest.raises(TypeError, match=r"^transitions: expected a list of cohortgis\.GroupTransition, got NoneType$"):
        st.transitions = None


def test_aggregates_and_titles_name_the_row_or_key(baseline):
    s = baseline.copy()
    ids = s.zone_ids
    with pytest.raises(TypeError, match=r"^aggregates: row 1, zones 1: expected a str, got int$"):
        s.aggregates = [("a", [ids[0]]), ("b", [ids[1], 5])]
    with pytest.raises(TypeError, match=r"^aggregates: row 0: \('a',\) holds 1 item; expected \(name, \[zone ids\]\)$"):
        s.aggregates = [("a",)]
    with pytest.raises(TypeError, match=r"^aggregates: row 0, name: expected a str, got NoneType$"):
        s.aggregates = [(None, [ids[0]])]
    s.aggregates = [("west", [ids[0]])]
    with pytest.raises(TypeError, match=r"^aggregate_titles: 'west', title_en: expected a str, got int$"):
        s.aggregate_titles = {"west": ("West", 5)}
    with pytest.raises(TypeError, match=r"^aggregate_titles: 'west': \('West',\) holds 1 item; expected \(title, "
                                        r"title_en\)$"):
        s.aggregate_titles = {"west": ("West",)}
    with pytest.raises(TypeError, match=r"^aggregate_titles: expected a dict \{aggregate name: \(title, title_en\)\}"):
        s.aggregate_titles = [("west", ("West", ""))]
    s.aggregate_titles = {"west": ("西部", "West")}
    assert s.aggregate_titles == {"west": ("西部", "West")}


# ---- 5. the stubs type switches as they are taken ----------------------------------------------------------------
def test_stubs_type_switches_as_true_false_or_numpy_bool():
    # A parameter typed `bool` made a type checker refuse np.True_, which every switch takes (flag_of).
    text = STUBS.read_text()
    assert not re.findall(r"\w+: bool\b", text), re.findall(r"\w+: bool\b", text)
    assert "_Flag = Union[bool, np.bool_]" in text
    assert "def set_tfr_path(self, points: Dict[_Year, float])" in text
    import inspect

    for fn in (cg.write_outputs, cg.run, cg.ScenarioSet.run, cg.backtest, cg.Results.components_frame):
        for name, p in inspect.signature(fn).parameters.items():
            assert p.annotation != "bool", (fn.__name__, name)


# ---- 6. StepSchedules' arrays in the scenario reader's ranges ----------------------------------------------------
CASES = [
    ("net_migrants_total", [0.0, 1e300], "index 1: 1e+300 is outside the range for a signed count (at most 1e9 "
                                         "persons over a step)"),
    ("net_migrants", [-2e9], "index 0: -2000000000 is outside the range for a signed count (at most 1e9 persons "
                             "over a step)"),
    ("external_in", [5.0, -1.0], "index 1: -1 is outside the range for a count (0 to 1e9 persons over a step)"),
    ("external_out", [1e300], "index 0: 1e+300 is outside the range for a count (0 to 1e9 persons over a step)"),
    ("external_out_rate", [0.5, 1.5], "index 1: 1.5 is outside the range for an out-rate (0 to 1 per person per "
                                      "year)"),
    ("net_migrants_per_person", [math.inf], "index 0: inf is outside the range for a net rate (a finite number of "
                                            "persons per person)"),
    ("mortality_next", [0.1, 1e300], "index 1: expected a death rate from 0 to 2 per person-year, got 1e+300 (a "
                                     "rate per 1000? divide by 1000)"),
    ("mortality", [0.01, -0.5], "index 1: expected a death rate from 0 to 2 per person-year, got -0.5"),
]


@pytest.mark.parametrize("field, values, message", CASES, ids=[c[0] for c in CASES])
def test_schedule_values_past_the_readers_ranges_are_refused(field, values, message):
    st = cg.StepSchedules()
    with pytest.raises(ValueError, match="^" + re.escape(f"{field}: {message}") + "$"):
        setattr(st, field, np.array(values))
    assert len(getattr(st, field)) == 0  # unchanged


def test_schedule_values_at_the_readers_bounds_are_taken():
    st = cg.StepSchedules()
    st.net_migrants_total = [1e9, -1e9]
    st.external_in = st.external_out = [0.0, 1e9]
    st.external_out_rate = [0.0, 1.0]
    st.net_migrants_per_person = [-3.0, 4.4]  # any finite net rate, as ccmppWPP
    cg.StepSchedules().mortality_next = [0.0, 2.0]
    st.mortality_kind = "survival_ratios"
    with pytest.raises(ValueError, match=r"^mortality: index 0: expected a survival ratio from 0 to 1, got 1\.5$"):
        st.mortality = [1.5]
    st.mortality = [1.0, 0.5]
    st.mortality_kind = "person_years"
    st.mortality = [4.9e5, 4.8e5]  # person-years of a radix of 100,000: checked against it when a run starts
    assert list(st.net_migrants_total) == [1e9, -1e9] and list(st.mortality) == [4.9e5, 4.8e5]


def test_the_setter_says_what_the_scenario_reader_says():
    frames = toy_frames(zones=2)
    frames["net_migration"] = frames["net_migration"].assign(persons_per_year=1e300)
    with pytest.raises(ValueError) as reader:
        cg.scenario_from_frames(**frames)
    with pytest.raises(ValueError) as setter:
        cg.StepSchedules().net_migrants = [1e300]
    # (The reader's value is per year: it adds what the value is over the step, "1e+300 (5e+300 persons over the step)".)
    words = "is outside the range for a signed count (at most 1e9 persons over a step)"
    assert str(reader.value).endswith(words) and str(setter.value).endswith(words)


# ---- 7. a variant's name by the reader's name rule ---------------------------------------------------------------
@pytest.mark.parametrize("name", ["a\u2028b", "a\u2029b", "a\x85b", "a\tb", "a\nb", " ", "   ", ""],
                         ids=["U+2028", "U+2029", "NEL", "tab", "newline", "space", "spaces", "empty"])
def test_add_variant_refuses_what_a_scenario_file_refuses(name):
    # add_variant refused C0 controls only: "a\u2028b" and "a\x85b" were taken (a variant's name is a key of every
    # result, and breaks the line of the outputs that show it), " " too.
    sset = cg.load_scenario(GOOD)
    with pytest.raises(ValueError, match=r"^variant name"):
        sset.add_variant(name)
    assert sset.variants == ["baseline"] + [v for v in sset.variants[1:]]
    assert name not in sset.variants
    with pytest.raises(ValueError, match=r"^bad(: empty| \"|: )"):
        cg._cohortgis.check_name(name, "bad")  # the words of Scenario.validate and the reader
    sset.add_variant("a b")  # a space inside is a name
