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


def test_unknown_format_is_refused_before_writing(cg, tmp_path):
    with pytest.raises(ValueError, match="--format: 'xml'; expected csv, netcdf or both"):
        cg.write_outputs("default", str(tmp_path / "out"), format="xml")
    assert not (tmp_path / "out").exists()
