# SPDX-License-Identifier: Apache-2.0
"""What the round-27 Python probe (tests/probe/hostile_python9.py) found: the notebook's maps and zones() read
[geography.source] with geopandas, without the source's make_valid, crs and encoding (a repaired bow-tie was refused as
invalid, a Shapefile without .prj had no CRS, a GBK Shapefile's ids were "not in the source") while the command line's
maps drew them; zones_frame and the maps set each zone's value by row position in the frame zones() handed out (sorted
in place by a notebook, or given to ScenarioSet in another order: each value on another zone, silently); an OD matrix
set for other counts than the scenario's (set_od(flows, 3, …) on two zones) read past the engine's tables (SIGSEGV)
or lost the migrants sent to a zone the scenario lacks; set_od's counts of 2^31 reached std::vector's words or 16 GB
of zeros; set_grid(1, 2**31 - 1) overflowed the grid's count of ages and set_grid(5, 10**9) made 2·10^8 age groups;
Scenario.end_year overflowed an int; Ensemble.trajectories matched a str subclass whose __eq__ says yes to the first
indicator; pickling an Ensemble was refused naming Results; estimate
took its two census years from a set in the set's own order; backtest(report=numpy.bool_) was refused."""
import copy
import os
import pathlib
import pickle
import shutil

import numpy as np
import pytest

import cohortgis as cg

FIX = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "scenarios"
GOOD = str(FIX / "good.toml")
STO = str(FIX / "stochastic.toml")
RAW = ("std::", "vector", "bad_alloc", "Unable to cast", "incompatible")


class Liar(str):
    """A str whose == says yes to anything (its hash is str's)."""

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = str.__hash__


def scenario_with_source(folder, source, zone_ids=("A", "B")):
    """good.toml and its tables in `folder`, its zones renamed to `zone_ids` and given [geography.source] `source`."""
    for f in ("base.csv", "asfr.csv", "mx.csv"):
        shutil.copy(FIX / f, folder)
    text = (FIX / "good.toml").read_text()
    base = (folder / "base.csv").read_text()
    for old, new in zip(("A", "B"), zone_ids):
        text = text.replace(f'"{old}"', f'"{new}"')
        base = base.replace(f"\n{old},", f"\n{new},")
    (folder / "base.csv").write_text(base, encoding="utf-8")
    text = text.replace("[geography]\n", f"[geography]\nsource = {source}\n", 1)
    (folder / "sc.toml").write_text(text, encoding="utf-8")
    return str(folder / "sc.toml")


def two_boxes(ids, crs="EPSG:4326", bow_tie=False):
    import geopandas
    import shapely.geometry as sg

    first = sg.Polygon([(116, 39), (116.5, 39.5), (116.5, 39), (116, 39.5)]) if bow_tie else \
        sg.box(116, 39, 116.5, 39.5)
    return geopandas.GeoDataFrame({"code": list(ids)}, geometry=[first, sg.box(116.5, 39, 117, 39.5)], crs=crs)


def test_zone_sources_are_read_as_the_command_line_reads_them(tmp_path):
    pytest.importorskip("geopandas")
    # make_valid: the command line draws the repaired zone; the notebook's map refused it as invalid.
    (tmp_path / "mv").mkdir()
    two_boxes("AB", bow_tie=True).to_file(tmp_path / "mv" / "z.gpkg", layer="z", driver="GPKG")
    res = cg.load_scenario(scenario_with_source(
        tmp_path / "mv", '{ path = "z.gpkg", layer = "z", id_field = "code", make_valid = true }')).run(threads=1)
    assert res.map().data("png")[:4] == b"\x89PNG"
    # crs: a Shapefile without .prj, the CRS the scenario assumes (the map said "the GeoDataFrame has no CRS").
    (tmp_path / "crs").mkdir()
    two_boxes("AB", crs=None).to_file(tmp_path / "crs" / "z.shp")
    for f in (tmp_path / "crs").glob("z.prj"):
        f.unlink()
    sset = cg.load_scenario(scenario_with_source(tmp_path / "crs", '{ path = "z.shp", id_field = "code", crs = '
                                                 '"EPSG:4326" }'))
    assert sset.zones().crs is not None and sset.zones().crs.to_epsg() == 4326
    assert sset.run(threads=1).map().data("png")[:4] == b"\x89PNG"
    # encoding: a GBK Shapefile without .cpg (its ids were "not in the source").
    (tmp_path / "gbk").mkdir()
    two_boxes(["东城", "西城"]).to_file(tmp_path / "gbk" / "z.shp", encoding="GBK")
    for f in (tmp_path / "gbk").glob("z.cpg"):
        f.unlink()
    sset = cg.load_scenario(scenario_with_source(tmp_path / "gbk", '{ path = "z.shp", id_field = "code", encoding = '
                                                 '"GBK" }', zone_ids=("东城", "西城")))
    assert list(sset.zones().index) == ["东城", "西城"]
    assert sset.run(threads=1).zones_frame()["population"].notna().all()


def test_a_zone_source_rewritten_after_the_load_is_checked_again(tmp_path):
    # The maps read the source long after the load: a file rewritten meanwhile as an OGR VRT naming a file outside the
    # scenario's folders was read through (the binding of checked files follows the path, not what the file names).
    pytest.importorskip("geopandas")
    (tmp_path / "sc").mkdir()
    (tmp_path / "user").mkdir()
    two_boxes("AB").to_file(tmp_path / "sc" / "z.gpkg", layer="z", driver="GPKG")
    two_boxes("AB").to_file(tmp_path / "user" / "outside.gpkg", layer="z", driver="GPKG")
    sset = cg.load_scenario(scenario_with_source(tmp_path / "sc", '{ path = "z.gpkg", layer = "z", id_field = '
                                                 '"code" }'))
    (tmp_path / "sc" / "z.gpkg").write_text(
        f'<OGRVRTDataSource><OGRVRTLayer name="z"><SrcDataSource>{tmp_path}/user/outside.gpkg</SrcDataSource>'
        f'<SrcLayer>z</SrcLayer></OGRVRTLayer></OGRVRTDataSource>')
    with pytest.raises(ValueError, match=r"a source named in the VRT .* is outside the folders this scenario may "
                                         r"read"):
        sset.zones()


def test_zones_are_taken_by_id_not_by_row(tmp_path):
    pytest.importorskip("geopandas")
    two_boxes("AB").to_file(tmp_path / "z.gpkg", layer="z", driver="GPKG")
    path = scenario_with_source(tmp_path, '{ path = "z.gpkg", layer = "z", id_field = "code" }')
    sset = cg.load_scenario(path)
    res = sset.run(threads=1)
    want = res.indicator_values("population")[["A", "B"]].to_dict()
    # zones() is a new frame: sorting it in place changes no map (zones_frame put A's value on B).
    sset.zones().sort_index(ascending=False, inplace=True)
    assert res.zones_frame()["population"].to_dict() == want
    assert list(sset.zones().index) == ["A", "B"]
    # A GeoDataFrame given in another row order: taken by zone id.
    reversed_zones = cg.load_scenario(path).zones().iloc[::-1]
    other = cg.ScenarioSet(cg.load_scenario(path).runs, zones=reversed_zones).run(threads=1)
    assert other.zones_frame()["population"].to_dict() == want
    assert other.map().data("png")[:4] == b"\x89PNG"
    with pytest.raises(ValueError, match=r"zones: no row for zone 'A'"):
        cg.ScenarioSet(cg.load_scenario(path).runs, zones=reversed_zones.iloc[:1]).run(threads=1).map()
    twice = reversed_zones.iloc[[0, 1, 1]]
    with pytest.raises(ValueError, match=r"zones: zone 'A' has two rows"):
        cg.ScenarioSet(cg.load_scenario(path).runs, zones=twice).zones()
    with pytest.raises(TypeError, match=r"zones: expected a geopandas.GeoDataFrame"):
        cg.ScenarioSet(cg.load_scenario(path).runs, zones=5)


# Refused by the engine's step checks (StepRunner::validate_sizes) for every caller; in round 27 the binding checked
# them before the run and named the variant and schedule set, now the step's years and both sets of counts.
def test_od_matrices_of_other_counts_are_refused_by_the_run(tmp_path):
    sset = cg.load_scenario(GOOD)
    sc = sset.baseline
    ages = sc.n_ages
    for flows, zones, groups, n_ages in (([cg.OdFlow(2, 0, 0.5)], 3, 1, ages),  # SIGSEGV before
                                         ([cg.OdFlow(0, 2, 0.1)], 3, 1, ages),  # its migrants lost before
                                         ([cg.OdFlow(0, 1, 0.1, 1)], 2, 2, ages),
                                         ([cg.OdFlow(0, 1, 0.1)], 2, 1, ages + 3)):
        ss = sc.step_schedules(0)
        ss.set_od(flows, zones, groups, n_ages)
        bad = sc.copy()
        bad.set_step_schedules(1, ss)
        with pytest.raises(ValueError, match=r"year 2025–2030: OD migration built for \d+ zones?, \d+ groups? and "
                                             r"\d+ age groups; expected the projection's 2 zones, 1 group and %d age "
                                             r"groups \(the counts an OD matrix is built with: OdMigration, Python's "
                                             r"set_od\)$" % ages):
            cg.run(bad, threads=1)
    # the same check in write_outputs, backtest's set and an ensemble
    ss = sc.step_schedules(0)
    ss.set_od([cg.OdFlow(0, 2, 0.1)], 3, 1, ages)
    sset.baseline.set_step_schedules(0, ss)
    with pytest.raises(ValueError, match=r"year 2020–2025: OD migration built for 3 zones"):
        cg.write_outputs(sset, str(tmp_path / "out"), threads=1)
    assert not os.path.exists(tmp_path / "out") and os.listdir(tmp_path) == []
    with pytest.raises(ValueError, match=r"year 2020–2025: OD migration built for 3 zones"):
        sset.run(threads=1, trajectories=2)
    # An ensemble whose migration is drawn: each step's matrix is rebuilt with the trajectory's multipliers by the
    # scenario's counts, which read past a matrix of others (a multiplier of zone 2 of 2); the engine refuses it.
    sto = cg.load_scenario(STO)
    ss = sto.baseline.step_schedules(0)
    ss.set_od([cg.OdFlow(2, 0, 0.5)], 3, 1, sto.baseline.n_ages)
    sto.baseline.set_step_schedules(0, ss)
    with pytest.raises(ValueError, match=r"OD migration built for 3 zones, 1 group and \d+ age groups; expected the "
                                         r"projection's 2 zones"):
        sto.run(threads=1, trajectories=2)
    # the scenario's own counts still run
    ss.set_od([cg.OdFlow(0, 1, 0.1)], 2, 1, ages)
    sset.baseline.set_step_schedules(0, ss)
    assert sset.run(threads=1).population().shape[1] == 2


def test_set_od_and_set_grid_refuse_counts_no_scenario_has():
    ss = cg.StepSchedules()
    for zones, groups, n_ages in ((2 ** 31 - 1, 2 ** 31 - 1, 1), (2 ** 31 - 1, 1, 1), (2, 2 ** 30, 1),
                                  (2, 1, 2 ** 31 - 1)):
        with pytest.raises(ValueError, match=r"set_od: zones %d, groups %d, n_ages %d; expected the scenario's counts"
                                             % (zones, groups, n_ages)) as e:
            ss.set_od([cg.OdFlow(0, 1, 0.1)], zones, groups, n_ages)
        assert not any(w in str(e.value) for w in RAW)
    sc = cg.load_scenario(GOOD).baseline
    for step, open_age in ((1, 2 ** 31 - 1), (1, 2 ** 31 - 2), (5, 10 ** 9), (5, 135), (1, 5)):
        with pytest.raises(ValueError, match=r"age grid: open age %d; expected a multiple of the step from 10 to 130"
                                             % open_age):
            sc.copy().set_grid(step, open_age)
    grid = sc.copy()
    grid.set_grid(1, 130)
    assert grid.n_ages == 131 and grid.open_age == 130


def test_end_year_is_the_year_without_overflow():
    sc = cg.load_scenario(GOOD).baseline.copy()
    sc.base_year = 2 ** 31 - 1
    assert sc.end_year == 2 ** 31 - 1 + 10  # 2 steps of 5 years (it read -2147483639)
    assert str(2 ** 31 + 9) in repr(sc)
    sc.base_year, sc.steps = 2020, 2 ** 31 - 1
    assert sc.end_year == 2020 + 5 * (2 ** 31 - 1)
    with pytest.raises(ValueError, match="end in"):
        cg.run(sc, threads=1)


def test_ensemble_names_its_indicator_and_its_pickle():
    ens = cg.load_scenario(STO).run(threads=1, trajectories=2)
    deaths = ens.trajectories("deaths")
    assert float(ens.trajectories(Liar("deaths")).sum()) == float(deaths.sum())  # the population's before
    with pytest.raises(TypeError, match=r"indicator: expected a str, got bytes"):
        ens.trajectories(b"deaths")
    with pytest.raises(TypeError, match=r"cannot pickle cohortgis.Ensemble"):
        pickle.dumps(ens)
    again = copy.deepcopy(ens)
    assert again is not ens and float(again.trajectories("deaths").sum()) == float(deaths.sum())
    assert copy.copy(ens).variants == ens.variants


def test_job_arguments(tmp_path):
    for years in ({2010, 2003}, {2000: 1, 2010: 2}):
        with pytest.raises(TypeError, match=r"years: expected \(first, second\) census years"):
            cg.estimate("c1.csv", "c2.csv", years, str(tmp_path / "est"))
    # NumPy's bool as report=, as write_outputs' switches take it: the job goes on to the observed table
    with pytest.raises(ValueError, match=r"missing\.csv"):
        cg.backtest(GOOD, str(tmp_path / "missing.csv"), str(tmp_path / "bt"), report=np.bool_(False))
