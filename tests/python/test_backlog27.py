# SPDX-License-Identifier: Apache-2.0
"""Round 27 Python backlog (h172): one check of a switch argument (True or False, NumPy's bool_ too) in the package
(flag) and the compiled functions (flag_of); assigning StepSchedules.mortality clears the old table's radix_l0 and
l65; one wording for a path's year keys, compiled and Python; external_pairs named by row and field (and the run's
check by zone); one reading of a list of names (distinct_names) for variants, indicators, groups and aggregates."""
import itertools
import math
import pathlib
import warnings

import numpy as np
import pytest

import cohortgis as cg
from toy_frames import toy_frames

FIX = pathlib.Path(__file__).resolve().parents[1] / "fixtures"
GOOD = str(FIX / "scenarios" / "good.toml")
OBSERVED = str(FIX / "backtest" / "observed_tiny.csv")


def _not_a_bool(what, shown, type_name):
    return rf"^{what}: {shown} \({type_name}\) is not a bool; expected True or False$"


# ---- 1. switches: True or False, NumPy's bool_ too, nothing else --------------------------------------------------
def test_backtest_takes_numpy_bools_as_write_outputs_does(tmp_path):
    # backtest(report=np.False_) was "report: expected True or False, got bool_" while write_outputs took NumPy bools.
    summary = cg.backtest(GOOD, OBSERVED, str(tmp_path / "bt"), report=np.False_, threads=1)
    assert summary["scores"][0]["forecast"] == "cohortgis"
    assert not (tmp_path / "bt" / "report.html").exists()  # np.False_ is False: no report
    for bad, shown, type_name in [(1, "1", "int"), (None, "None", "NoneType"), ("no", "'no'", "str")]:
        with pytest.raises(TypeError, match=_not_a_bool("report", shown, type_name)):
            cg.backtest(GOOD, OBSERVED, str(tmp_path / "bad"), report=bad, threads=1)
    assert not (tmp_path / "bad").exists()


def test_every_switch_of_the_package_says_the_same(tmp_path):
    sset = cg.load_scenario(GOOD)
    res = sset.run(threads=1, components_by_age=np.True_)
    assert res["baseline"].components_by_age is not None
    assert len(res.components_frame(by_age=np.True_)) > 0
    calls = {
        "components_by_age": lambda v: sset.run(threads=1, components_by_age=v),
        "by_age": lambda v: res.components_frame(by_age=v),
        "compress": lambda v: cg.write_outputs(GOOD, str(tmp_path / "w"), compress=v),
        "indicators_csv": lambda v: cg.write_outputs(GOOD, str(tmp_path / "w"), indicators_csv=v),
        "results_nc_hash": lambda v: cg.write_outputs(GOOD, str(tmp_path / "w"), results_nc_hash=v),
        "report": lambda v: cg.backtest(GOOD, OBSERVED, str(tmp_path / "w"), report=v),
    }
    for what, call in calls.items():
        for bad, shown, type_name in [(1, "1", "int"), (0, "0", "int"), (np.int64(1), "1", "int64"),
                                      ("yes", "'yes'", "str")]:
            with pytest.raises(TypeError, match=_not_a_bool(what, shown, type_name)):
                call(bad)
    assert not (tmp_path / "w").exists()


def test_progress_takes_numpy_bools(capfd):
    # np.True_ was "progress: expected None, True or a callable".
    sset = cg.load_scenario(GOOD)
    sset.run(threads=1, progress=np.True_)
    assert "cohortgis: baseline: step 1/" in capfd.readouterr().err
    sset.run(threads=1, progress=np.False_)
    assert capfd.readouterr().err == ""
    with pytest.raises(TypeError, match=r"^progress: 1 \(int\) is not a bool or a callable; expected None, True, "
                                        r"False or a callable"):
        sset.run(threads=1, progress=1)


def test_compiled_switches_are_the_packages(tmp_path):
    # pybind11's bool took any object with __bool__: None was False and 2 True, silently.
    sc = cg.load_scenario(GOOD).baseline
    assert cg._cohortgis.run(sc, 1, None, np.True_).components_by_age is not None
    assert cg._cohortgis.run(sc, 1, None, np.False_).components_by_age is None
    out = str(tmp_path / "out")
    calls = {
        "components_by_age": lambda v: cg._cohortgis.run(sc, 1, None, v),
        "compress": lambda v: cg._cohortgis.app_run(GOOD, out, 1, compress=v),
        "indicators_csv": lambda v: cg._cohortgis.app_run(GOOD, out, 1, indicators_csv=v),
        "results_nc_hash": lambda v: cg._cohortgis.app_run(GOOD, out, 1, results_nc_hash=v),
        "report": lambda v: cg._cohortgis.app_backtest(GOOD, OBSERVED, out_dir=out, threads=1, report=v),
        "other_district": lambda v: cg._cohortgis.app_estimate_group_split(GOOD, out, other_district=v),
        "diverging": lambda v: cg._cohortgis.render_choropleth([], [], "", [], diverging=v),
    }
    for what, call in calls.items():
        for bad, shown, type_name in [(None, "None", "NoneType"), (2, "2", "int"), (0.5, "0.5", "float")]:
            with pytest.raises(TypeError, match=_not_a_bool(what, shown, type_name)):
                call(bad)
    assert not pathlib.Path(out).exists()
    # The package's words (flag) for the same value.
    with pytest.raises(TypeError) as package:
        cg.load_scenario(GOOD).run(threads=1, components_by_age=None)
    with pytest.raises(TypeError) as compiled:
        cg._cohortgis.run(sc, 1, None, None)
    assert str(package.value) == str(compiled.value)


# ---- 2. StepSchedules.mortality and the old table's radix_l0 and l65 ----------------------------------------------
MU = (0.02, 0.04)  # constant forces of mortality: e(x) = 1 / mu at every age (below)


def _person_years(sc, mu, radix):
    """Person-years L of the abridged rows 0, 1-4, 5-9, …, open of a life table of constant force `mu` from l(0) =
    `radix`, with its l(65): l(x) = radix·exp(−mu·x); L of [x, x+n) = l(x)(1 − exp(−mu·n)) / mu, of the open group
    l(w) / mu (Preston et al. 2001, §3.1 with a constant hazard). T(x) = l(x) / mu, so e0 = e65 = 1 / mu exactly."""
    starts = [0, 1] + list(sc.age_starts[1:])  # 0, 1, 5, 10, …, the open age
    rows = [radix * math.exp(-mu * a) * (1 - math.exp(-mu * (b - a))) / mu for a, b in zip(starts, starts[1:])]
    rows.append(radix * math.exp(-mu * starts[-1]) / mu)
    tables = len(sc.zone_ids) * len(sc.group_names) * 2
    return np.tile(rows, tables), np.full(tables, float(radix)), np.full(tables, radix * math.exp(-mu * 65))


def test_assigning_mortality_clears_the_old_tables_l0_and_l65():
    sc = cg.scenario_from_frames(**toy_frames(zones=2, horizon=2030)).baseline
    assert sc.open_age == 85 and sc.step_years == 5
    old_lx, old_l0, old_l65 = _person_years(sc, MU[0], 100000.0)
    new_lx, new_l0, new_l65 = _person_years(sc, MU[1], 1.0)  # another table, of another radix
    schedules = sc.schedules
    for s in schedules:
        s.mortality_kind = "person_years"
        s.mortality = old_lx
        s.radix_l0, s.l65 = old_l0, old_l65
    sc.schedules = schedules
    first = cg.run(sc, threads=1)["baseline"]
    names = list(first.indicator_names)

    def zones_groups(indicators, name):  # [year][unit][group slot]: the zones' own groups (aggregates are pooled)
        return indicators[:, :len(sc.zone_ids), :len(sc.group_names), names.index(name)]

    for name in ("e0_female", "e65_female", "e0_male", "e65_male"):
        np.testing.assert_allclose(zones_groups(first.indicators, name)[1:], 1 / MU[0], rtol=1e-9)

    # Before: radix_l0 and l65 stayed the old table's: e0 = T(0) / 100000 and e65 = T(65) / l_old(65) of the new
    # table's rows (2.5e-4 and 6.8e-5 years here), and the births' survival L(0) / l(0) the same, silently.
    s = sc.step_schedules(0)
    with warnings.catch_warnings():  # a filter of "error": refused before anything changes
        warnings.simplefilter("error")
        with pytest.raises(UserWarning):
            s.mortality = new_lx
    np.testing.assert_array_equal(s.l65, old_l65)
    with pytest.warns(UserWarning, match=r"^StepSchedules.mortality assigned: radix_l0 and l65 \(the old table's l\(0\) "
                                         r"and l\(65\)\) are cleared.*assign the new table's radix_l0"):
        s.mortality = new_lx
    assert s.radix_l0.size == 0 and s.l65.size == 0
    assert "radix_l0" not in repr(s) and "l65" not in repr(s)
    sc.set_step_schedules(0, s)
    with pytest.raises(ValueError, match=r"schedule 'radix_l0' has 0 values; expected zones × groups × 2 sexes"):
        cg.run(sc, threads=1)  # not the old l(0): a clear error
    s.radix_l0 = new_l0
    sc.set_step_schedules(0, s)
    without_l65 = cg.run(sc, threads=1)["baseline"].indicators
    assert np.isnan(zones_groups(without_l65, "e65_female")[1]).all()  # unknown, not the old table's
    np.testing.assert_allclose(zones_groups(without_l65, "e0_female")[1], 1 / MU[1], rtol=1e-9)
    s.l65 = new_l65
    sc.set_step_schedules(0, s)
    second = cg.run(sc, threads=1)["baseline"].indicators
    for name in ("e0_female", "e65_female", "e0_male", "e65_male"):
        np.testing.assert_allclose(zones_groups(second, name)[1], 1 / MU[1], rtol=1e-9)
        np.testing.assert_allclose(zones_groups(second, name)[2:], 1 / MU[0], rtol=1e-9)  # later steps: the old
    # Only what was set is named, and a death-rate table (none of the three) warns of nothing.
    s.l65 = []
    with pytest.warns(UserWarning, match=r"^StepSchedules.mortality assigned: radix_l0 \(the old table's l\(0\)\) is "
                                         r"cleared"):
        s.mortality = new_lx
    rates = cg.load_scenario(GOOD).baseline.step_schedules(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rates.mortality = rates.mortality * 1.01


# ---- 3. a path's year keys: one wording, compiled and Python --------------------------------------------------------
@pytest.mark.parametrize("year", [2030.5, "soon", True, math.inf, math.nan, np.float32(2030.5), 2 ** 40, 2 ** 1000,
                                  -2 ** 31 - 1],
                         ids=["half", "text", "bool", "inf", "nan", "float32", "2**40", "2**1000", "below-int"])
def test_year_keys_get_one_message(year):
    # set_tfr (the package) said "tfr: year 2030.5 is not a whole year" and "tfr: a year of 1001 bits; expected a
    # year of the projection"; set_tfr_path (compiled) "tfr: year 2030.5: expected a whole year (an int)" and
    # "tfr: year: 1099511627776 is out of range; expected an int from …".
    sc = cg.load_scenario(GOOD).baseline
    with pytest.raises((TypeError, ValueError)) as package:
        sc.set_tfr({year: 1.5})
    with pytest.raises((TypeError, ValueError)) as compiled:
        sc.set_tfr_path({year: 1.5})
    assert str(package.value) == str(compiled.value)
    assert str(compiled.value).startswith("tfr: year ")
    assert str(compiled.value).endswith("; expected a year (a whole number from -2147483648 to 2147483647)")
    assert ("is not a whole year" in str(compiled.value)) != ("is out of range" in str(compiled.value))


# ---- 4. external_pairs named as the other cells are -------------------------------------------------------------
def test_external_pairs_name_row_and_field():
    st = cg.StepSchedules()
    for bad, error, match in [
            ([(0, 1, 2.0), (0, 1)], TypeError,
             r"^external_pairs: row 1: \(0, 1\) holds 2 items; expected \(from_cell, to_cell, persons\)$"),
            ([(1.5, 0, 1.0)], TypeError, r"^external_pairs: row 0, from_cell: 1\.5 \(float\) is not an int; expected "
                                         r"an int from 0 to"),
            ([(0, 1, 2.0), (0, True, 1.0)], TypeError, r"^external_pairs: row 1, to_cell: True \(bool\) is not an int"),
            ([(-1, 0, 1.0)], ValueError, r"^external_pairs: row 0, from_cell: -1 is out of range; expected an int from 0"),
            ([(0, 1, "5")], TypeError, r"^external_pairs: row 0, persons: '5' \(str\) is not a real number"),
            ([5], TypeError, r"^external_pairs: row 0: expected \(from_cell, to_cell, persons\), got int")]:
        with pytest.raises(error, match=match):
            st.external_pairs = bad
    assert st.external_pairs == []
    sc = cg.load_scenario(GOOD).baseline
    for bad, error, match in [
            ([(2021, 2025)], TypeError, r"^plan_periods: row 0: \(2021, 2025\) holds 2 items; expected \(first_year, "
                                        r"last_year, plan\)$"),
            ([(2021, 2025, "a"), (2026, 2030.5, "b")], TypeError, r"^plan_periods: row 1, last_year: 2030\.5 \(float\) "
                                                                  r"is not an int"),
            ([(2021, 2025, 5)], TypeError, r"^plan_periods: row 0, plan: expected a str, got int$")]:
        with pytest.raises(error, match=match):
            sc.plan_periods = bad


# ---- 5. one reading of a list of names ---------------------------------------------------------------------------
def test_names_given_twice_get_one_message():
    # variants said "'baseline' given twice; expected each variant at most once", indicators "'population' is listed
    # twice; expected each name once", groups and aggregates "group 'local' is listed twice; expected each group once".
    sset = cg.load_scenario(GOOD)
    res = sset.run(threads=1)
    with pytest.raises(ValueError, match=r"^variants: variant 'baseline' is listed twice; expected each variant once$"):
        res.population_frame(variants=["baseline", "baseline"])
    # indicators were read whole before a name given twice was looked for: an endless iterator stopped only at
    # MAX_LIST_ITEMS.
    frames = toy_frames(zones=2)
    toy = cg.scenario_from_frames(**frames).run(threads=1)  # zones_frame needs the zones' geometry
    with pytest.raises(ValueError, match=r"^indicators: indicator 'population' is listed twice; expected each "
                                         r"indicator once$"):
        toy.zones_frame(indicators=itertools.repeat("population"))
    with pytest.raises(ValueError, match=r"^groups: group 'local' is listed twice; expected each group once$"):
        cg.scenario_from_frames(**{**frames, "groups": ["local", "local"]})
    with pytest.raises(TypeError, match=r"^indicators: expected a list of indicator names, got the str 'population'"):
        toy.zones_frame(indicators="population")
    with pytest.raises(TypeError, match=r"^groups: expected a list of group names, got int"):
        cg.scenario_from_frames(**{**frames, "groups": 5})
    with pytest.raises(TypeError, match=r"^variants: expected a list of variant names, got the bytes b'more'"):
        sset.run(threads=1, variants=b"more")
