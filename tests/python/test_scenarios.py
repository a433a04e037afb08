# SPDX-License-Identifier: Apache-2.0
"""Scenarios from Python: changing assumptions, variants, scenarios built from pandas objects, errors."""
import pathlib
import subprocess

import numpy as np
import pandas as pd
import pytest

from conftest import FIVE_YEAR


def test_tfr_path_from_a_series_matches_the_file_variant(cg):
    s = cg.load_scenario(FIVE_YEAR)
    # The file's variant "higher-fertility": fertility.tfr = { "2020" = 1.0, "2030" = 1.4 }.
    mine = s.add_variant("python-higher-fertility", description="the file's variant, set from Python")
    assert mine.set_tfr(pd.Series({2020: 1.0, 2030: 1.4})) is mine
    assert s.variants == ["baseline", "higher-fertility", "core-relocation", "python-higher-fertility"]
    for k, expected in enumerate([np.mean([1.0 + 0.04 * (y - 2020) for y in range(2021, 2026)]),
                                  np.mean([1.0 + 0.04 * (y - 2020) for y in range(2026, 2031)]), 1.4]):
        np.testing.assert_allclose(mine.total_fertility(k), expected, rtol=1e-12)
    res = s.run(variants=["higher-fertility", "python-higher-fertility"])
    np.testing.assert_allclose(res.population("python-higher-fertility"), res.population("higher-fertility"),
                               rtol=1e-12, atol=0)
    # The baseline object was not changed by the variant.
    np.testing.assert_allclose(s.baseline.total_fertility(0), 1.0, rtol=1e-12)


def test_assumption_setters_check_their_input(cg):
    sc = cg.load_scenario("default").baseline
    with pytest.raises(ValueError, match="tfr"):
        sc.set_tfr({2020: 12.5})
    with pytest.raises(ValueError, match="srb"):
        sc.set_srb(200)
    with pytest.raises(TypeError):
        sc.set_tfr("high")
    sc.set_srb(105)
    assert sc.schedules[0].srb == pytest.approx(np.full(16, 1.05))


def test_scenario_built_from_frames_keeps_the_books(cg, toy):
    sc = toy.baseline
    assert sc.zone_ids == ["Z000", "Z001", "Z002", "Z003"] and sc.group_names == ["local", "migrant"]
    res = toy.run(threads=1)
    r = res["baseline"]
    assert r.years == [2020, 2025, 2030, 2035, 2040]
    pop = r.population
    # end = start + births − deaths + net migration, per zone, group and sex, every step (no floors here).
    for k in range(r.steps):
        change = pop[k + 1].sum(axis=-1) - pop[k].sum(axis=-1)
        np.testing.assert_allclose(change, r.births[k] - r.deaths[k] + r.net_migration[k], rtol=0, atol=1e-6)
    # 20 (zone + 1) persons a year at each of 5 ages and 2 sexes of the migrant group, over 5-year steps.
    np.testing.assert_allclose(r.net_migration[:, :, 1, :].sum(axis=-1),
                               np.broadcast_to(1000.0 * np.arange(1, 5), (4, 4)), rtol=1e-9)
    tfr = res.indicator_values("tfr", 2025)
    assert tfr["total"] == pytest.approx(1.6, rel=1e-9)
    assert "west" in tfr.index
    gdf = res.zones_frame()
    assert gdf.crs.to_epsg() == 32650 and list(gdf.index) == sc.zone_ids


def test_bad_frames_raise_value_error(cg):
    from toy_frames import toy_frames

    f = toy_frames()
    f["base_population"] = f["base_population"].assign(age=f["base_population"]["age"] + 1)
    with pytest.raises(ValueError, match=r"table 'base_population', row 0, column 'age': age 1 is not the start of an age group of the grid"):
        cg.scenario_from_frames(**f)
    f = toy_frames()
    f["mortality"] = f["mortality"][f["mortality"]["age"] != 40]
    with pytest.raises(ValueError, match=r"^scenario_from_frames: mortality: table 'mortality', row \d+, column 'age' \(female\): abridged mx rows must be 0, 1, 5, 10, …; missing age 40"):
        cg.scenario_from_frames(**f)


def _cli_error(cli, *args):
    p = subprocess.run([cli, *args], capture_output=True, text=True)
    assert p.returncode == 1, p.stderr
    prefix = "cohortgis: error: "
    assert p.stderr.startswith(prefix), p.stderr
    return p.stderr[len(prefix):].rstrip("\n")


def test_bad_scenario_file_gives_the_cli_message(cg, cli, tmp_path):
    good = pathlib.Path(cg._cohortgis.default_scenario_file()).read_text(encoding="utf-8")
    bad = tmp_path / "scenario.toml"
    bad.write_text(good.replace("tfr = 1.0", "tfr = 12.5"), encoding="utf-8")
    with pytest.raises(ValueError) as e:
        cg.load_scenario(str(bad))
    assert str(e.value) == _cli_error(cli, "run", str(bad), "--out", str(tmp_path / "out"), "--quiet")
    assert "fertility.tfr" in str(e.value)
    missing = str(tmp_path / "nope.toml")
    with pytest.raises(ValueError) as e:
        cg.load_scenario(missing)
    assert str(e.value) == _cli_error(cli, "run", missing, "--quiet")


def test_projection_error_is_runtime_error(cg):
    from toy_frames import toy_frames

    f = toy_frames(migration=False)
    f["flow_policy"] = "error"
    f["net_migration"] = pd.DataFrame([("Z001", "local", "female", 60, -1e6)],
                                      columns=["zone", "group", "sex", "age", "persons_per_year"])
    s = cg.scenario_from_frames(**f)
    with pytest.raises(RuntimeError, match="Z001"):
        s.run()


def test_invalid_scenario_is_value_error(cg):
    sc = cg.Scenario()
    with pytest.raises(ValueError, match="no zones"):
        cg.run(sc)


def test_load_and_run_import_no_pandas():
    # pandas (0.17 s to import, most of what load_scenario took beyond the command line's load) is imported by the
    # methods that build frames, not by `import cohortgis`, load_scenario or run; a frame still works.
    import os
    import sys
    code = ("import sys, cohortgis as cg\n"
            f"s = cg.load_scenario({FIVE_YEAR!r})\n"
            "assert 'pandas' not in sys.modules, 'imported by import/load_scenario'\n"
            "r = s.run(threads=1)\n"
            "assert 'pandas' not in sys.modules, 'imported by run'\n"
            "assert len(r.population_frame()) > 0 and 'pandas' in sys.modules\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ))
    assert p.returncode == 0, p.stderr


def _big_scenario(d, bad_zone=None):
    # A base population of 10 MB (above the 8 MB from which a CSV table is parsed in parts on several threads).
    with open(d / "base.csv", "w") as f:
        f.write("zone,sex,age,population\n")
        for z in range(13000):
            for sex in ("female", "male"):
                for age in range(0, 90, 5):
                    pop = "n/a" if (z == bad_zone and sex == "male" and age == 40) else f"{1000 - age}.{z % 7}5"
                    f.write(f"Z{z},{sex},{age},{pop}\n")
    (d / "zones.csv").write_text("id,name\n" + "".join(f"Z{z},zone {z}\n" for z in range(13000)))
    (d / "asfr.csv").write_text("age,value\n20,0.1\n25,0.1\n30,0.1\n")
    (d / "mx.csv").write_text("age,sex,mx\n" + "".join(
        f"{a},{s},0.01\n" for s in ("female", "male") for a in [0, 1] + list(range(5, 90, 5))))
    (d / "scenario.toml").write_text(
        '[scenario]\nname = "big"\n[geography]\nzones = "zones.csv"\n'
        '[projection]\nbase_year = 2020\nhorizon = 2030\nstep = 5\nopen_age = 85\n'
        '[base_population]\ntable = "base.csv"\n[fertility]\nschedule = "asfr.csv"\nsrb = 105\n'
        '[mortality]\nmx = { path = "mx.csv", columns = { value = "mx" } }\n')
    assert (d / "base.csv").stat().st_size > 9 * 2**20
    return str(d / "scenario.toml")


def test_load_scenario_threads_give_the_same_set_and_errors(cg, tmp_path):
    # load_scenario(threads=) parses a large CSV table on that many threads; the set is the same bits, and a bad
    # cell near the end is the same message (file, data row, column) as with one thread.
    good = _big_scenario(tmp_path)
    one = cg.load_scenario(good, threads=1).baseline.base_population
    for threads in (2, 3, 0):
        assert np.array_equal(cg.load_scenario(good, threads=threads).baseline.base_population, one)
    bad_dir = tmp_path / "bad"
    bad_dir.mkdir()
    bad = _big_scenario(bad_dir, bad_zone=12990)
    messages = []
    for threads in (1, 3):
        with pytest.raises(ValueError) as e:
            cg.load_scenario(bad, threads=threads)
        messages.append(str(e.value))
    assert messages[0] == messages[1]
    assert "data row 467667 (row 467668 counting the header row), column 'population'" in messages[0], messages[0]
    with pytest.raises(ValueError, match="threads"):
        cg.load_scenario(good, threads=-1)


def _scenario_past_open_age(d):
    # Abridged death rates to 30+ on a five-year grid to 20+: the 20-24 rate travels as StepSchedules.mortality_next.
    (d / "base.csv").write_text("zone,sex,age,population\n" + "".join(
        f"{z},{s},{a},{1000 - 10 * a}\n" for z in ("A", "B") for s in ("female", "male") for a in range(0, 25, 5)))
    (d / "asfr.csv").write_text("age,value\n15,0.1\n")
    (d / "mx.csv").write_text("age,sex,mx\n" + "".join(
        f"{a},{s},{m}\n" for s in ("female", "male")
        for a, m in zip([0, 1, 5, 10, 15, 20, 25, 30], [0.01, 0.001, 0.0005, 0.0005, 0.001, 0.002, 0.004, 0.2])))
    (d / "scenario.toml").write_text(
        '[scenario]\nname = "next"\n[geography]\nzones = [ { id = "A" }, { id = "B" } ]\n'
        '[projection]\nbase_year = 2020\nhorizon = 2030\nstep = 5\nopen_age = 20\n'
        '[base_population]\ntable = "base.csv"\n[fertility]\nschedule = "asfr.csv"\nsrb = 105\n'
        '[mortality]\nmx = { path = "mx.csv", columns = { value = "mx" } }\n')
    return str(d / "scenario.toml")


def test_assigning_mortality_clears_the_stale_mortality_next(cg, tmp_path):
    # Round 23: mortality_next (the rate above the open age that closes the life table) stayed in place, unseen, when
    # mortality was assigned, so new rates were closed with the old table's next rate. Assigning mortality now clears
    # it with a UserWarning; assigned after mortality, it is kept.
    import warnings
    sc = cg.load_scenario(_scenario_past_open_age(tmp_path)).baseline
    st = sc.step_schedules(0)
    np.testing.assert_array_equal(st.mortality_next, [0.002] * 4)  # zones A, B × female, male: the 20-24 rate
    assert "mortality_next 4" in repr(st)
    old = st.mortality
    with warnings.catch_warnings():  # a filter of "error": refused before anything changes
        warnings.simplefilter("error")
        with pytest.raises(UserWarning, match="assign mortality_next after mortality"):
            st.mortality = old * 2
    np.testing.assert_array_equal(st.mortality, old)
    np.testing.assert_array_equal(st.mortality_next, [0.002] * 4)
    with pytest.warns(UserWarning, match=r"^StepSchedules.mortality assigned: mortality_next .* is cleared"):
        st.mortality = old * 2
    assert st.mortality_next.size == 0
    np.testing.assert_array_equal(st.mortality, old * 2)
    st.mortality_next = [0.004] * 4  # after mortality: kept, and a later assignment without one warns of nothing
    np.testing.assert_array_equal(st.mortality_next, [0.004] * 4)
    sc.set_step_schedules(0, st)
    np.testing.assert_array_equal(sc.step_schedules(0).mortality_next, [0.004] * 4)
    st.mortality_next = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        st.mortality = old
    # The run takes the binding: the next rate closes the open group (T(20) differs with and without it).
    both = sc.copy()
    with_next = sc.step_schedules(0)
    without = with_next.copy()
    without.mortality_next = []
    both.set_step_schedules(0, without)
    assert not np.array_equal(cg.run(sc).population, cg.run(both).population)
