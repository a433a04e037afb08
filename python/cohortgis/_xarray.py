# SPDX-License-Identifier: Apache-2.0
"""Deterministic results as xarray Datasets in results.nc's layout (docs/results.md "results.nc").

``RunResult.to_xarray()`` (one run) and ``Results.to_xarray()`` (a ``variant`` dimension, as results.nc): the same
dimension, coordinate and variable names as the file ``write_outputs(format="netcdf")`` writes, so code written for
``xarray.open_dataset("results.nc")`` works on a run in memory. tests/python/test_to_xarray.py compares the two.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, List, Sequence

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import xarray

    from ._cohortgis import RunResult

SEXES = ("female", "male")

# results.nc's attributes of the variables it shares with a run in memory (app/src/netcdf_output.cpp), so that
# ds["population"].attrs reads the same in both.
_COORD_ATTRS = {
    "variant": {"long_name": "scenario variant"},
    "zone": {"long_name": "zone id"},
    "group": {"long_name": "population group"},
    "sex": {"long_name": "sex"},
    "unit": {"long_name": "zone id or aggregate name ('total' = the whole area)"},
    "indicator_group": {"long_name": "population group ('all' = every group)"},
    "indicator": {"long_name": "indicator (names as in indicators.csv)"},
    "age": {"long_name": "first age of the age group (the last group is open-ended)", "units": "years"},
    "parity": {"long_name": "children ever born (3+ = three or more)"},
    "year": {"long_name": "year (populations at the end of the year)", "axis": "T"},
}
_POPULATION_ATTRS = {"long_name": "persons at the end of the year", "units": "1"}
_PARITY_ATTRS = {"long_name": "women at the end of the year by children ever born (NaN: a variant without parity)",
                 "units": "1"}
PARITY_STATES = ("0", "1", "2", "3+")
_INDICATOR_ATTRS = {"long_name": "indicator values (as in indicators.csv; NaN = not defined)"}
# The components a run keeps are sums over age (RunResult.births, deaths, net_migration): CF's cell_methods says so.
# births has no age in results.nc either; deaths is results.nc's deaths summed over age. The run's net migration
# includes moves between groups, so it is not results.nc's net_migration (which leaves them out): its own name.
_COMPONENT_ATTRS = {
    "births": {"long_name": "births of the period ending with the year, by sex of the child", "units": "1"},
    "deaths": {"long_name": "deaths of the period", "units": "1", "cell_methods": "age: sum"},
    "net_migration_and_transfers": {
        "long_name": "net migrants of the period, moves between groups included (results.nc's net_migration + "
                     "transfer_in - transfer_out)", "units": "1", "cell_methods": "age: sum"},
}


# run(components_by_age=True): results.nc's per-cell components (app/src/netcdf_output.cpp), by age; NaN in the base
# year, as there.
_CELL_COMPONENT_ATTRS = {
    "deaths": {"long_name": "deaths of the period by age at its end", "units": "1"},
    "net_migration": {"long_name": "net migrants of the period by age at its start (transfers between groups left "
                                   "out)", "units": "1"},
    "transfer_in": {"long_name": "persons moved in from other groups", "units": "1"},
    "transfer_out": {"long_name": "persons moved out to other groups", "units": "1"},
    "floor_adjustment": {"long_name": "persons added by the non-negativity floor", "units": "1"},
}


def _text(values: Sequence[str]) -> np.ndarray:
    """Strings as results.nc's string variables read back: an object array (xarray's decoding of NetCDF strings)."""
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def _with_base_year(per_step: np.ndarray) -> np.ndarray:
    """[step]… → [year]…, the base year NaN (results.nc's components in the base year)."""
    out = np.full((per_step.shape[0] + 1,) + per_step.shape[1:], np.nan)
    out[1:] = per_step
    return out


def run_dataset(r: "RunResult", by_age: bool = True) -> "xarray.Dataset":
    """One run as a Dataset in results.nc's layout without the variant dimension (``variant`` a scalar coordinate).
    ``population`` and ``indicators`` are the run's arrays themselves (read-only views, no copy). A run made with
    ``components_by_age=True`` (and ``by_age``) has results.nc's per-cell components instead of sums over age:
    ``deaths``, ``net_migration``, ``transfer_in``, ``transfer_out``, ``floor_adjustment`` (year, zone, group, sex,
    age), besides ``net_migration_and_transfers``."""
    import xarray as xr

    coords = {
        "variant": ((), r.variant, _COORD_ATTRS["variant"]),
        "year": ("year", np.asarray(r.years, dtype=np.int32), _COORD_ATTRS["year"]),
        "zone": ("zone", _text(r.zone_ids), _COORD_ATTRS["zone"]),
        "group": ("group", _text(r.group_names), _COORD_ATTRS["group"]),
        "sex": ("sex", _text(SEXES), _COORD_ATTRS["sex"]),
        "age": ("age", np.asarray(r.age_starts, dtype=np.int32), _COORD_ATTRS["age"]),
        "unit": ("unit", _text(r.unit_names), _COORD_ATTRS["unit"]),
        "indicator_group": ("indicator_group", _text(r.group_slots), _COORD_ATTRS["indicator_group"]),
        "indicator": ("indicator", _text(r.indicator_names), _COORD_ATTRS["indicator"]),
    }
    state = ("year", "zone", "group", "sex")
    data = {
        "zone_name": ("zone", _text(r.zone_names), {"long_name": "zone name"}),
        "zone_name_en": ("zone", _text(r.zone_names_en), {"long_name": "zone name in English"}),
        "population": (state + ("age",), r.population, _POPULATION_ATTRS),
        "births": (state, _with_base_year(r.births), _COMPONENT_ATTRS["births"]),
        "deaths": (state, _with_base_year(r.deaths), _COMPONENT_ATTRS["deaths"]),
        "net_migration_and_transfers": (state, _with_base_year(r.net_migration),
                                        _COMPONENT_ATTRS["net_migration_and_transfers"]),
        "indicators": (("year", "unit", "indicator_group", "indicator"), r.indicators, _INDICATOR_ATTRS),
    }
    cells = r.components_by_age if by_age else None
    if cells is not None:
        for name, values in cells.items():
            data[name] = (state + ("age",), _with_base_year(np.asarray(values)), _CELL_COMPONENT_ATTRS[name])
    if r.parity_shares is not None:
        # results.nc's product (app/src/netcdf_output.cpp put_parity): the women of the cell times each share.
        women = r.population[:, :, :, 0, None, :] * r.parity_shares
        coords["parity"] = ("parity", _text(PARITY_STATES), _COORD_ATTRS["parity"])
        data["women_by_parity"] = (("year", "zone", "group", "parity", "age"), women, _PARITY_ATTRS)
    attrs = {"title": r.title, "scenario": r.scenario,
             "comment": "population at the end of each year; components of the period ending with the year (NaN "
                        "in the base year), " + ("by age" if cells is not None else "summed over age") +
                        "; layout and conventions in docs/results.md (results.nc)"}
    return xr.Dataset({k: xr.Variable(*v) for k, v in data.items()},
                      coords={k: xr.Variable(*v) for k, v in coords.items()}, attrs=attrs)


def results_dataset(runs: List["RunResult"]) -> "xarray.Dataset":
    """Several runs of one scenario along a ``variant`` dimension, in the order given (results.nc's)."""
    import xarray as xr

    # zone_name and zone_name_en do not vary by variant (results.nc: dims (zone)): set aside, then put back.
    names = ["zone_name", "zone_name_en"]
    # Components by age when every run kept them; else the sums over age of all (one layout for the variants).
    by_age = all(r.components_by_age is not None for r in runs)
    first = run_dataset(runs[0], by_age)
    parts = [first.drop_vars(names).expand_dims("variant")]
    parts += [run_dataset(r, by_age).drop_vars(names).expand_dims("variant") for r in runs[1:]]
    # women_by_parity when a run of the set has parity, NaN for the variants without (as results.nc).
    parity = next((p for p in parts if "women_by_parity" in p), None)
    if parity is not None:
        for k, p in enumerate(parts):
            if "women_by_parity" not in p:
                nan = xr.full_like(parity["women_by_parity"].isel(variant=[0]), np.nan).assign_coords(
                    variant=p["variant"].values)
                parts[k] = p.assign_coords(parity=parity["parity"]).assign(women_by_parity=nan)
    ds = xr.concat(parts, dim="variant") if len(parts) > 1 else parts[0]
    for name in names:
        ds[name] = first[name]
    ds = ds.assign_coords(variant=("variant", _text([r.variant for r in runs]), _COORD_ATTRS["variant"]))
    return ds[names + [v for v in ds.data_vars if v not in names]]
