# SPDX-License-Identifier: Apache-2.0
"""write_outputs(format=…, compress=…): results.nc holds the same population as the Python API's run (issue #16)."""
import numpy as np
import pytest

from conftest import FIVE_YEAR

xr = pytest.importorskip("xarray")


def test_netcdf_population_equals_the_python_run(cg, default_results, tmp_path):
    summary = cg.write_outputs(FIVE_YEAR, str(tmp_path / "out"), threads=2, format="netcdf", compress=True)
    assert "results.nc" in summary["files"] and "population.csv" not in summary["files"]
    with xr.open_dataset(tmp_path / "out" / "results.nc") as ds:
        assert ds["population"].encoding.get("zlib") is True
        cube = ds["population"].to_series().reset_index()
    py = default_results.population_frame()
    merged = py.merge(cube, on=["variant", "year", "zone", "group", "sex", "age"], suffixes=("", "_nc"))
    assert len(merged) == len(py) == len(cube)
    assert np.array_equal(merged["population"].to_numpy(), merged["population_nc"].to_numpy())


def test_results_nc_listed_by_size_when_not_hashed(cg, tmp_path):
    # write_outputs(results_nc_hash=False) as `cohortgis run --no-results-nc-hash`: results.nc in manifest.json by its
    # size with an empty sha256 (not read back to hash it), the same bytes; every other file keeps its hash.
    import hashlib
    import json
    cg.write_outputs(FIVE_YEAR, str(tmp_path / "hashed"), threads=2, format="netcdf")
    cg.write_outputs(FIVE_YEAR, str(tmp_path / "size"), threads=2, format="netcdf", results_nc_hash=False)

    def listed(folder):
        with open(tmp_path / folder / "manifest.json", encoding="utf-8") as f:
            manifest = json.load(f)
        return {e["path"]: e for e in manifest["files"]}

    hashed, size = listed("hashed"), listed("size")
    nc = (tmp_path / "size" / "results.nc").read_bytes()
    assert nc == (tmp_path / "hashed" / "results.nc").read_bytes()
    assert hashed["results.nc"]["sha256"] == hashlib.sha256(nc).hexdigest()
    assert size["results.nc"]["sha256"] == "" and size["results.nc"]["size"] == len(nc)
    assert all(e["sha256"] for p, e in size.items() if p != "results.nc")
    cg.write_outputs(cg.load_scenario(FIVE_YEAR), str(tmp_path / "set"), threads=2, format="netcdf",
                     results_nc_hash=False)  # a ScenarioSet: the same switch
    assert listed("set")["results.nc"]["sha256"] == ""
    with pytest.raises(TypeError, match=r"results_nc_hash: 'no' \(str\) is not a bool; expected True or False"):
        cg.write_outputs(FIVE_YEAR, str(tmp_path / "bad"), results_nc_hash="no")


def test_unknown_format_is_refused_before_writing(cg, tmp_path):
    with pytest.raises(ValueError, match="--format: 'xml'; expected csv, netcdf or both"):
        cg.write_outputs("default", str(tmp_path / "out"), format="xml")
    assert not (tmp_path / "out").exists()


def test_threads_writing_results_nc_at_once(cg, tmp_path, in_threads):
    # netCDF-C keeps process-wide state without locks: without cohortgis' lock around every use of it, threads
    # writing results.nc at once could corrupt each other's files or crash (geodata/netcdf_lock.hpp).
    in_threads(lambda i: cg.write_outputs(FIVE_YEAR, str(tmp_path / f"out{i}"), threads=1, format="netcdf"), 4)
    with xr.open_dataset(tmp_path / "out0" / "results.nc") as ds:
        first = ds["population"].values.copy()
    for i in range(1, 4):
        with xr.open_dataset(tmp_path / f"out{i}" / "results.nc") as ds:
            assert np.array_equal(ds["population"].values, first, equal_nan=True)


def test_components_subset_and_bad_name(cg, tmp_path):
    # write_outputs(components=…) as `cohortgis run --components` (issue #16, round 11): only those variables.
    cg.write_outputs(FIVE_YEAR, str(tmp_path / "sub"), threads=2, format="netcdf", components=["deaths", "births"])
    with xr.open_dataset(tmp_path / "sub" / "results.nc") as ds:
        assert {"births", "deaths", "population", "indicators"} <= set(ds.data_vars)
        assert not {"net_migration", "transfer_in", "transfer_out", "floor_adjustment"} & set(ds.data_vars)
    cg.write_outputs(FIVE_YEAR, str(tmp_path / "none"), threads=2, format="csv", components="none")
    with open(tmp_path / "none" / "components.csv") as f:
        assert len(f.read().strip().splitlines()) == 1  # the header
    with pytest.raises(ValueError, match=r"--components: 'death' is not a component \(valid: births, .*none\)"):
        cg.write_outputs(FIVE_YEAR, str(tmp_path / "bad"), components="births,death")
    for wrong in (5, ["births", 3], {"births"}):
        with pytest.raises(TypeError, match="components: expected a string or a list of strings"):
            cg.write_outputs(FIVE_YEAR, str(tmp_path / "bad"), components=wrong)
    assert not (tmp_path / "bad").exists()
    assert not (tmp_path / "bad").exists()


def test_components_of_the_scenario_file(cg, tmp_path):
    # [outputs] components = [...] in the scenario file: write_outputs() without components= takes it, and
    # components=… overrides it, as `cohortgis run --components` (the five-year example reads data: paths only).
    with open(FIVE_YEAR, encoding="utf-8") as f:
        text = f.read()
    scenario = tmp_path / "scenario.toml"
    scenario.write_text(text + '\n[outputs]\ncomponents = ["deaths", "births"]\n', encoding="utf-8")
    cg.write_outputs(str(scenario), str(tmp_path / "file"), threads=2, format="netcdf")
    with xr.open_dataset(tmp_path / "file" / "results.nc") as ds:
        assert {"births", "deaths"} <= set(ds.data_vars)
        assert not {"net_migration", "transfer_in", "transfer_out", "floor_adjustment"} & set(ds.data_vars)
    cg.write_outputs(str(scenario), str(tmp_path / "over"), threads=2, format="netcdf", components=["net_migration"])
    with xr.open_dataset(tmp_path / "over" / "results.nc") as ds:
        assert "net_migration" in ds.data_vars and not {"births", "deaths"} & set(ds.data_vars)
    scenario.write_text(text + '\n[outputs]\ncomponents = ["births", "death"]\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"key 'outputs.components\[1\]': \"death\" is not a component \(valid: "):
        cg.write_outputs(str(scenario), str(tmp_path / "bad"))
    assert not (tmp_path / "bad").exists()


def test_netcdf_format_writes_no_indicators_csv(cg, tmp_path):
    # The netcdf format keeps the indicators in results.nc only (issue #16, round 12); indicators_csv=True writes the
    # csv format's indicators.csv too. The five-year example has no parity, households or monitoring.
    summary = cg.write_outputs(FIVE_YEAR, str(tmp_path / "nc"), threads=2, format="netcdf")
    assert "indicators.csv" not in summary["files"] and "results.nc" in summary["files"]
    assert not (tmp_path / "nc" / "indicators.csv").exists()
    summary = cg.write_outputs(FIVE_YEAR, str(tmp_path / "both"), threads=2, format="netcdf", indicators_csv=True)
    assert "indicators.csv" in summary["files"]
    cg.write_outputs(FIVE_YEAR, str(tmp_path / "csv"), threads=2, format="csv")
    assert (tmp_path / "both" / "indicators.csv").read_bytes() == (tmp_path / "csv" / "indicators.csv").read_bytes()
    with xr.open_dataset(tmp_path / "nc" / "results.nc") as ds:
        cube = ds["indicators"].to_series().dropna()
    pd = pytest.importorskip("pandas")
    csv = pd.read_csv(tmp_path / "csv" / "indicators.csv", dtype={"zone": str}, float_precision="round_trip")
    csv = csv.dropna(subset=["value"]).set_index(["variant", "year", "zone", "group", "indicator"])["value"]
    cube.index = cube.index.set_names(["variant", "year", "zone", "group", "indicator"])
    assert len(cube) == len(csv)
    assert np.array_equal(cube.sort_index().to_numpy(), csv.sort_index().to_numpy())
