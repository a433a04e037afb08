# SPDX-License-Identifier: Apache-2.0
"""Misuse from Python: frames go through the checks a scenario file's tables get, with messages that name the
frame, the row and the column; thread counts and names are checked before anything runs, never a crash."""
import pathlib

import numpy as np
import pandas as pd
import pytest

from toy_frames import toy_frames


def _frames(**change):
    f = toy_frames()
    f.update(change)
    return f


def _base_with(value):
    base = toy_frames()["base_population"].astype({"population": object})
    base.at[3, "population"] = value
    return base


# ---- threads ----

@pytest.mark.parametrize("threads", [10**6, -1, 257])
def test_thread_counts_out_of_range_are_value_errors(cg, toy, threads):
    with pytest.raises(ValueError, match=r"threads: .*expected 0 \(all cores\) or 1 to 256"):
        cg.run(toy, threads=threads)
    # The compiled module checks too (before the engine asks for threads).
    with pytest.raises(ValueError, match="threads"):
        cg._cohortgis.run(toy.baseline, threads)


@pytest.mark.parametrize("threads", ["x", 2.5, None, True])
def test_thread_counts_of_the_wrong_type_are_type_errors(cg, toy, threads):
    with pytest.raises(TypeError, match="threads"):
        toy.run(threads=threads)


def test_huge_thread_count_is_refused_by_the_binding(cg, toy):
    with pytest.raises((TypeError, ValueError)):
        cg._cohortgis.run(toy.baseline, 10**20)
    with pytest.raises(TypeError):
        cg._cohortgis.run(toy.baseline, "x")
    assert cg.MAX_THREADS == 256


def test_write_outputs_checks_threads_before_writing(cg, tmp_path):
    with pytest.raises(ValueError, match="threads"):
        cg.write_outputs("default", str(tmp_path / "out"), threads=10**6)
    assert not (tmp_path / "out").exists() and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("option, value, message", [
    # bool("no") is True: a string switched indicators.csv on without a word.
    ("indicators_csv", "no", r"indicators_csv: 'no' \(str\) is not a bool; expected True or False"),
    ("compress", "yes", r"compress: 'yes' \(str\) is not a bool; expected True or False"),
    ("format", None, r"format: expected 'csv', 'netcdf', 'both' or '' \(by size\), got NoneType"),
])
def test_write_outputs_options_of_the_wrong_type_are_type_errors(cg, tmp_path, option, value, message):
    with pytest.raises(TypeError, match=message):
        cg.write_outputs("default", str(tmp_path / "out"), **{option: value})
    assert list(tmp_path.iterdir()) == []


def test_write_outputs_compress_with_csv_is_refused(cg, tmp_path):
    # As `cohortgis run --format csv --compress`: there is no results.nc to compress (the flag did nothing).
    with pytest.raises(ValueError, match="--compress: --format csv writes no results.nc to compress"):
        cg.write_outputs("default", str(tmp_path / "out"), format="csv", compress=True)
    assert list(tmp_path.iterdir()) == []


# ---- frames ----

@pytest.mark.parametrize("value, message", [
    (np.nan, r"base_population: row 3 \(index 3\), column 'population': nan is not a finite number"),
    (np.inf, r"base_population: row 3 \(index 3\), column 'population': inf is not a finite number"),
    (-5.0, r"base_population: row 3 \(index 3\), column 'population': expected persons >= 0, got -5"),
    ("about 1000", r"base_population: row 3 \(index 3\), column 'population': 'about 1000' is not a number"),
    (None, r"base_population: row 3 \(index 3\), column 'population': None is not a number"),
])
def test_bad_population_values(cg, value, message):
    with pytest.raises(ValueError, match=message):
        cg.scenario_from_frames(**_frames(base_population=_base_with(value)))


def test_population_above_the_cell_bound_names_the_cell(cg):
    base = toy_frames()["base_population"].copy()
    base.loc[0, "population"] = 1e300
    # Read as a scenario file's table would be: the cell's row and column, and the plausible bound of its unit.
    with pytest.raises(ValueError, match=r"table 'base_population', row 0, column 'population': 1e\+300 in unit "
                                         r"\"persons\" is 1e\+300 persons; expected at most 100000000"):
        cg.scenario_from_frames(**_frames(base_population=base))
    base.loc[0, "population"] = 1.7e308
    base.loc[1, "population"] = 1.7e308
    with pytest.raises(ValueError, match="1.7e\\+308 persons; expected at most 100000000"):
        cg.scenario_from_frames(**_frames(base_population=base))


def test_non_integer_and_negative_ages(cg):
    base = toy_frames()["base_population"].copy()
    base["age"] = base["age"].astype(float)
    base.loc[2, "age"] = 0.5
    with pytest.raises(ValueError, match=r"base_population: row 2 \(index 2\), column 'age': 0.5 is not a whole number"):
        cg.scenario_from_frames(**_frames(base_population=base))
    base.loc[2, "age"] = -5
    with pytest.raises(ValueError, match=r"column 'age': expected the first age of an age group >= 0, got -5"):
        cg.scenario_from_frames(**_frames(base_population=base))


def test_duplicated_base_row_is_refused_not_summed(cg):
    base = toy_frames()["base_population"]
    base = pd.concat([base, base.iloc[[5]]], ignore_index=True)
    with pytest.raises(ValueError, match=r"base_population: row 288 \(index 288\): a second row for this zone, group, "
                                         r"sex and age \(the first is row 5 \(index 5\)\)"):
        cg.scenario_from_frames(**_frames(base_population=base))


def test_duplicated_schedule_rows_are_refused(cg):
    f = toy_frames()
    mort = pd.concat([f["mortality"], f["mortality"].iloc[[0]]], ignore_index=True)
    with pytest.raises(ValueError, match="mortality: .*a second row for this zone, group, sex and age"):
        cg.scenario_from_frames(**_frames(mortality=mort))
    fert = pd.concat([f["fertility"], f["fertility"].iloc[[0]]], ignore_index=True)
    with pytest.raises(ValueError, match="fertility: .*a second row for this zone, group and age"):
        cg.scenario_from_frames(**_frames(fertility=fert))


@pytest.mark.parametrize("name", ["base_population", "mortality", "fertility", "zones", "net_migration"])
def test_empty_frames_are_value_errors(cg, name):
    f = toy_frames()
    with pytest.raises(ValueError, match=f"{name}: the frame is empty; expected at least one row"):
        cg.scenario_from_frames(**_frames(**{name: f[name].iloc[0:0]}))


def test_nan_in_schedules_is_not_no_births(cg):
    f = toy_frames()
    fert = f["fertility"].copy()
    fert.loc[1, "asfr"] = np.nan
    with pytest.raises(ValueError, match=r"fertility: row 1 \(index 1\), column 'asfr': nan is not a finite number"):
        cg.scenario_from_frames(**_frames(fertility=fert))
    mort = f["mortality"].copy()
    mort.loc[4, "mx"] = np.nan
    with pytest.raises(ValueError, match=r"mortality: row 4 \(index 4\), column 'mx': nan is not a finite number"):
        cg.scenario_from_frames(**_frames(mortality=mort))
    mort.loc[4, "mx"] = -0.01
    with pytest.raises(ValueError, match=r"column 'mx': expected a death rate >= 0, got -0.01"):
        cg.scenario_from_frames(**_frames(mortality=mort))
    net = f["net_migration"].copy()
    net.loc[0, "persons_per_year"] = np.inf
    with pytest.raises(ValueError, match="net_migration: row 0 .*column 'persons_per_year': inf is not a finite"):
        cg.scenario_from_frames(**_frames(net_migration=net))


def test_wrong_dtypes(cg):
    base = toy_frames()["base_population"].copy()
    base["population"] = base["population"] > 0
    with pytest.raises(ValueError, match="base_population: column 'population' has dtype bool; expected persons"):
        cg.scenario_from_frames(**_frames(base_population=base))
    base = toy_frames()["base_population"].copy()
    base["age"] = pd.to_datetime("2020-01-01")
    with pytest.raises(ValueError, match="base_population: column 'age' has dtype datetime64"):
        cg.scenario_from_frames(**_frames(base_population=base))
    with pytest.raises(TypeError, match="base_population: expected a pandas DataFrame, got dict"):
        cg.scenario_from_frames(**_frames(base_population={"zone": ["Z000"]}))
    with pytest.raises(TypeError, match=r"horizon: 2040\.5 \(float\) is not an int; expected a year \(an int\)"):
        cg.scenario_from_frames(**_frames(horizon=2040.5))


def test_years_outside_the_horizon(cg):
    with pytest.raises(ValueError, match="tfr: year 2100 is outside the projection horizon 2020-2040"):
        cg.scenario_from_frames(**_frames(tfr={2020: 1.5, 2100: 1.2}))
    with pytest.raises(ValueError, match="srb: year 1990 is outside the projection horizon 2020-2040"):
        cg.scenario_from_frames(**_frames(srb=pd.Series({1990: 105.0})))
    sc = cg.scenario_from_frames(**toy_frames()).baseline
    with pytest.raises(ValueError, match="tfr: year 2050 is outside the projection horizon 2020-2040"):
        sc.set_tfr({2050: 1.2})
    with pytest.raises(ValueError, match=r"tfr: year 2030\.5 \(float\) is not a whole year; expected a year \(a whole "
                                          r"number from"):
        sc.set_tfr({2030.5: 1.2})


# ---- names ----

def test_reserved_and_empty_names(cg):
    f = toy_frames()
    zones = f["zones"].copy()
    base = f["base_population"].copy()
    zones.loc[0, "id"] = "total"
    base.loc[base["zone"] == "Z000", "zone"] = "total"
    net = f["net_migration"].replace({"Z000": "total"})
    with pytest.raises(ValueError, match=r"zone id \"total\" is reserved for the whole area"):
        cg.scenario_from_frames(**_frames(zones=zones, base_population=base, net_migration=net,
                                          aggregates={"west": ["total"]}))
    zones.loc[0, "id"] = ""
    base.loc[base["zone"] == "total", "zone"] = ""
    with pytest.raises(ValueError, match="zone 1 id: empty; expected a name"):
        cg.scenario_from_frames(**_frames(zones=zones, base_population=base, net_migration=None, aggregates=None))
    zones.loc[0, "id"] = np.nan
    with pytest.raises(ValueError, match=r"zones: row 0 \(index 0\), column 'id': no zone id"):
        cg.scenario_from_frames(**_frames(zones=zones))
    with pytest.raises(ValueError, match=r"^scenario_from_frames: aggregates: \"total\" is already a zone id or the whole area"):
        cg.scenario_from_frames(**_frames(aggregates={"total": ["Z000"]}))
    with pytest.raises(ValueError, match=r"^scenario_from_frames: aggregates: \"Z001\" is already a zone id"):
        cg.scenario_from_frames(**_frames(aggregates={"Z001": ["Z000"]}))
    base = f["base_population"].replace({"migrant": "all"})
    net = f["net_migration"].replace({"migrant": "all"})
    with pytest.raises(ValueError, match=r"^scenario_from_frames: groups: group \"all\" is empty, repeated or the reserved name"):
        cg.scenario_from_frames(**_frames(base_population=base, net_migration=net, groups=["local", "all"]))


def test_variant_names(cg, toy):
    with pytest.raises(ValueError, match="^variant name: empty; expected a name$"):  # Scenario.validate's words
        toy.add_variant("")
    with pytest.raises(ValueError, match="already exists"):
        toy.add_variant("baseline")
    v = toy.add_variant("ok")
    v.variant = ""
    with pytest.raises(ValueError, match="variant 1 name: empty; expected a name"):
        toy.run(threads=1)
    v.variant = "baseline"
    with pytest.raises(ValueError, match="variant 1 name 'baseline': a second run of that name"):
        toy.run(threads=1)
    # A variant run on its own is fine; the compiled check of a whole set wants the baseline first.
    v.variant = "ok"
    assert list(cg.run(v, threads=1).variants) == ["ok"]
    with pytest.raises(ValueError, match="the first run is \"ok\"; expected the baseline"):
        cg._cohortgis.validate_runs([v])


def test_input_error_is_value_error_at_the_boundary(cg):
    sc = cg.Scenario()
    with pytest.raises(ValueError, match="no zones"):
        sc.validate()
    with pytest.raises(ValueError, match="threads"):
        cg._cohortgis.app_run("default", "unused", -1, "")


# ---- paths (issue 16, hostile-input probe) ----

def test_paths_with_nul_or_of_the_wrong_type(cg, tmp_path):
    from conftest import FIVE_YEAR
    # C++ cut the path at the NUL and loaded another file ("scenario.toml\0x" loaded scenario.toml).
    with pytest.raises(ValueError, match="scenario: .* holds a NUL character; expected a path"):
        cg.load_scenario(FIVE_YEAR + "\0x")
    with pytest.raises(TypeError, match="scenario: expected a path .str or os.PathLike., got NoneType"):
        cg.load_scenario(None)
    # str(None) wrote the results into a folder called "None".
    with pytest.raises(TypeError, match="out_dir: expected a path .str or os.PathLike., got NoneType"):
        cg.write_outputs(FIVE_YEAR, None)
    assert not (tmp_path / "None").exists()


def test_allow_read_as_one_string_is_one_folder(cg, tmp_path):
    from conftest import FIVE_YEAR
    # Iterated, the string granted its characters ('/' the whole file system) and refused the first non-folder one.
    missing = str(tmp_path / "no_such_folder")
    with pytest.raises(ValueError, match=f"allow_read: '{missing}' is not a folder"):
        cg.load_scenario(FIVE_YEAR, allow_read=missing)
    assert cg.load_scenario(FIVE_YEAR, allow_read=str(tmp_path)).baseline.name


def test_a_missing_data_folder_is_named(cg, tmp_path):
    # load_scenario(data_dir="/nonexistent") said "…/geo/beijing_districts.gpkg: file not found".
    missing = str(tmp_path / "nonexistent")
    with pytest.raises(ValueError, match=r"^data folder .*nonexistent does not exist; expected the folder with "):
        cg.load_scenario(data_dir=missing)
    # A scenario that reads nothing from the data folder still loads.
    good = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "scenarios" / "good.toml"
    assert cg.load_scenario(str(good), data_dir=missing).variants


def test_an_srb_given_as_a_ratio_says_per_100_females(cg):
    # set_srb(1.06) said only "expected a value from 90.0 to 130.0, got 1.06".
    good = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "scenarios" / "good.toml"
    b = cg.load_scenario(str(good)).baseline
    with pytest.raises(ValueError, match=r"got 1.06 \(SRB is males per 100 females: 106, not 1.06\)$"):
        b.set_srb(1.06)
    with pytest.raises(ValueError, match=r"got 140.0$"):  # no hint where it does not apply
        b.set_srb(140)


@pytest.mark.parametrize("argument, value, message", [
    ("srb", {2025: 105, 2030: 1.07}, r"^scenario_from_frames: srb, year 2030: expected a sex ratio at birth"),
    ("open_age", 7, r"^scenario_from_frames: open_age: expected an age from 10 to 130, got 7$"),
    ("aggregates", {"x": ["nope"]}, r"^scenario_from_frames: aggregates: expected a zone id of the geography"),
])
def test_scenario_from_frames_errors_name_the_argument(cg, argument, value, message):
    # They began with a line and column of the generated TOML ("scenario_from_frames:24:34: key 'fertility.srb.2030'").
    f = toy_frames()
    f[argument] = value
    with pytest.raises(ValueError, match=message):
        cg.scenario_from_frames(**f)
