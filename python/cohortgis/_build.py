# SPDX-License-Identifier: Apache-2.0
"""A scenario built from Python objects: pandas DataFrames for the tables and a GeoDataFrame for the zones.

The tables use the roles of scenario files (scenarios/README.md): a long base population (zone, group, sex, age,
population), fertility by age of mother, mortality mx by life-table row and sex, net migration per year.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Mapping, Optional, Sequence, Union

import numpy as np
import pandas as pd

from . import _cohortgis

if TYPE_CHECKING:  # pragma: no cover
    from . import ScenarioSet

_SEX = {"female": 0, "f": 0, "male": 1, "m": 1}


def _sex_index(values: pd.Series, what: str) -> np.ndarray:
    keys = values.astype(str).str.lower()
    bad = sorted(set(keys) - set(_SEX))
    if bad:
        raise ValueError(f"{what}: sex {bad[0]!r}; expected 'female' or 'male'")
    return keys.map(_SEX).to_numpy()


def _index_of(values: pd.Series, names: Sequence[str], what: str, role: str) -> np.ndarray:
    pos = {n: k for k, n in enumerate(names)}
    keys = values.astype(str)
    bad = sorted(set(keys) - set(pos))
    if bad:
        raise ValueError(f"{what}: {role} {bad[0]!r} is not one of {', '.join(names)}")
    return keys.map(pos).to_numpy()


def _need(df: pd.DataFrame, what: str, columns: Sequence[str]) -> None:
    """The checks every frame gets first: a DataFrame, with these columns, and at least one row."""
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{what}: expected a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{what}: missing column {missing[0]!r} (columns: {', '.join(map(str, df.columns))})")
    if len(df) == 0:
        raise ValueError(f"{what}: the frame is empty; expected at least one row")


def _row(df: pd.DataFrame, pos: int) -> str:
    """A row as messages name it: its position (0 = the first row) and its index label."""
    return f"row {pos} (index {df.index[pos]!r})"


def _numbers(df: pd.DataFrame, col: str, what: str, *, whole: bool = False, minimum: Optional[float] = None,
             expected: str = "a number") -> np.ndarray:
    """A numeric column as float64, as the command line reads a table: every value a finite number (whole numbers
    for ages, >= minimum where given); else ValueError naming the frame, the row and the column."""
    s = df[col]
    kind = s.dtype.kind
    if kind not in "iufO":
        raise ValueError(f"{what}: column {col!r} has dtype {s.dtype}; expected {expected}s")
    values = np.empty(len(s))
    for pos, v in enumerate(s.to_numpy()):
        if isinstance(v, (bool, np.bool_)) or v is None:
            raise ValueError(f"{what}: {_row(df, pos)}, column {col!r}: {v!r} is not a number; expected {expected}")
        try:
            values[pos] = float(v)
        except (TypeError, ValueError):
            raise ValueError(f"{what}: {_row(df, pos)}, column {col!r}: {v!r} is not a number; expected {expected}") \
                from None
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        pos = int(bad[0])
        raise ValueError(f"{what}: {_row(df, pos)}, column {col!r}: {values[pos]} is not a finite number; expected "
                         f"a finite number")
    if whole:
        bad = np.flatnonzero(values != np.floor(values))
        if bad.size:
            pos = int(bad[0])
            raise ValueError(f"{what}: {_row(df, pos)}, column {col!r}: {values[pos]} is not a whole number; "
                             f"expected {expected}")
    if minimum is not None:
        bad = np.flatnonzero(values < minimum)
        if bad.size:
            pos = int(bad[0])
            raise ValueError(f"{what}: {_row(df, pos)}, column {col!r}: expected {expected} >= {minimum:g}, got "
                             f"{values[pos]:g}")
    return values


def _no_duplicates(df: pd.DataFrame, what: str, keys: Sequence[np.ndarray], names: str) -> None:
    """Refuses a second row for the same cell (the command line refuses it too: a long table lists each cell once)."""
    first = {}
    for pos, key in enumerate(zip(*[np.asarray(k).tolist() for k in keys])):
        if key in first:
            raise ValueError(f"{what}: {_row(df, pos)}: a second row for this {names} (the first is "
                             f"{_row(df, first[key])})")
        first[key] = pos


def _age_index(ages: pd.Series, starts: Sequence[int], what: str) -> np.ndarray:
    df = ages.to_frame("age")
    keys = _numbers(df, "age", what, whole=True, minimum=0, expected="the first age of an age group").astype(int)
    pos = {a: k for k, a in enumerate(starts)}
    bad = sorted(set(keys.tolist()) - set(pos))
    if bad:
        listed = f"{starts[0]}, {starts[1]}, …, {starts[-1]}" if len(starts) > 2 else ", ".join(map(str, starts))
        raise ValueError(f"{what}: age {bad[0]} is not the first age of an age group ({listed})")
    return np.array([pos[a] for a in keys.tolist()], dtype=int)


def _year_points(path, base_year: int, horizon: int, what: str):
    """A number, or a {year: value} mapping / Series whose years lie in the projection horizon."""
    if isinstance(path, (int, float, np.integer, np.floating)) and not isinstance(path, bool):
        return path
    items = path.items() if hasattr(path, "items") else None
    if items is None:
        raise TypeError(f"{what}: expected a number, a {{year: value}} dict or a pandas Series, got "
                        f"{type(path).__name__}")
    out = {}
    for k, v in items:
        if isinstance(k, bool) or float(k) != int(float(k)):
            raise ValueError(f"{what}: year {k!r} is not a whole year")
        if not base_year <= int(k) <= horizon:
            raise ValueError(f"{what}: year {int(k)} is outside the projection horizon {base_year}-{horizon}")
        out[int(k)] = v
    if not out:
        raise ValueError(f"{what}: no years; expected {{year: value, …}}")
    return out


def scenario_from_frames(*, zones: Union[pd.DataFrame, "geopandas.GeoDataFrame"],  # noqa: F821
                         base_population: pd.DataFrame, mortality: pd.DataFrame, fertility: pd.DataFrame,
                         base_year: int, horizon: int, step: int = 5, open_age: Optional[int] = None,
                         groups: Optional[Sequence[str]] = None, srb: Union[float, Mapping[int, float], pd.Series] = 105.0,
                         tfr: Union[None, float, Mapping[int, float], pd.Series] = None,
                         net_migration: Optional[pd.DataFrame] = None, aggregates: Optional[Mapping[str, Sequence[str]]] = None,
                         id_column: str = "id", name_column: Optional[str] = "name",
                         name_en_column: Optional[str] = None, name: str = "python", title: str = "",
                         migration_timing: str = "even", flow_policy: str = "conserve") -> "ScenarioSet":
    """Builds a one-run :class:`ScenarioSet` from pandas objects.

    zones
        A GeoDataFrame (its geometry is used for maps) or a DataFrame, one row per zone in projection order, with
        ``id_column`` (and optionally ``name_column``, ``name_en_column``).
    base_population
        Long table: columns zone, group (optional with one group), sex ('female'/'male'), age (first age of the age
        group), population: persons at the end of ``base_year``. Missing cells are 0; a cell given twice is an
        error (as in a scenario file's table).
    mortality
        Columns age, sex, mx and optionally zone, group: death rates by life-table row (abridged rows 0, 1, 5, 10, …,
        open for five-year steps; 0 … open for single years). Rows without zone/group apply to every state.
    fertility
        Columns age, asfr and optionally zone, group: births per woman per year by first age of the mother's age
        group. Ages not given have no births.
    srb, tfr
        Sex ratio at birth (males per 100 females) and, optionally, a TFR path to rescale the fertility schedule to:
        numbers, {year: value} dicts or pandas Series by year.
    net_migration
        Optional columns zone, group, sex, age, persons_per_year: net migrants per year (given net counts).
    aggregates
        Optional {name: [zone ids]} reported like zones ('total' is added).
    """
    import cohortgis  # the package's path helpers (set_tfr, set_srb) live on Scenario

    for k, v in (("base_year", base_year), ("horizon", horizon), ("step", step)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"{k}: expected a whole number (int), got {type(v).__name__}")
    if step not in (1, 5):
        raise ValueError(f"step: {step}; expected 1 or 5")
    if (horizon - base_year) <= 0 or (horizon - base_year) % step != 0:
        raise ValueError(f"horizon {horizon}: expected a year after {base_year} on the {step}-year steps")
    _need(zones, "zones", [id_column])
    _need(base_population, "base_population", ["zone", "sex", "age", "population"])
    _need(mortality, "mortality", ["age", "sex", "mx"])
    _need(fertility, "fertility", ["age", "asfr"])
    if zones[id_column].isna().any():
        pos = int(np.flatnonzero(zones[id_column].isna().to_numpy())[0])
        raise ValueError(f"zones: {_row(zones, pos)}, column {id_column!r}: no zone id (NaN); expected an id")
    srb = _year_points(srb, base_year, horizon, "srb")
    if tfr is not None:
        tfr = _year_points(tfr, base_year, horizon, "tfr")

    sc = _cohortgis.Scenario()
    sc.name = name
    sc.title = title or name
    sc.base_year = int(base_year)
    sc.steps = (horizon - base_year) // step
    sc.set_grid(step, open_age if open_age is not None else (85 if step == 5 else 100))
    ids = [str(i) for i in zones[id_column]]
    names = [str(n) for n in zones[name_column]] if name_column and name_column in zones.columns else []
    names_en = [str(n) for n in zones[name_en_column]] if name_en_column and name_en_column in zones.columns else []
    sc.set_zones(ids, names, names_en)
    if groups is None:
        groups = (list(dict.fromkeys(base_population["group"].astype(str))) if "group" in base_population.columns
                  else ["total"])
    sc.group_names = list(groups)
    sc.migration_timing = migration_timing
    sc.flow_policy = flow_policy
    Z, G, A = len(ids), len(groups), sc.n_ages
    ages = sc.age_starts

    def state_index(df: pd.DataFrame, what: str):
        z = _index_of(df["zone"], ids, what, "zone") if "zone" in df.columns else None
        if "group" in df.columns:
            g = _index_of(df["group"], groups, what, "group")
        elif G == 1 or what in ("mortality", "fertility"):
            g = None  # every group
        else:
            raise ValueError(f"{what}: no 'group' column but the scenario has groups {', '.join(groups)}")
        return z, g

    # Base population [zone][group][sex][age]: one row per cell, as in a scenario file's table (a second row for
    # the same cell is an error there, and here).
    pop = np.zeros((Z, G, 2, A))
    z, g = state_index(base_population, "base_population")
    persons = _numbers(base_population, "population", "base_population", minimum=0, expected="persons")
    sx = _sex_index(base_population["sex"], "base_population")
    ai = _age_index(base_population["age"], ages, "base_population")
    g0 = g if g is not None else np.zeros(len(base_population), dtype=int)
    _no_duplicates(base_population, "base_population", [z, g0, sx, ai], "zone, group, sex and age")
    pop[z, g0, sx, ai] = persons
    sc.base_population = pop

    s = _cohortgis.StepSchedules()
    # Mortality [zone][group][sex][row]: abridged rows 0, 1, 5, … for five-year grids (life_table_rows = A + 1).
    rows = [0, 1] + list(range(5, ages[-1] + 1, 5)) if step == 5 else list(ages)
    mx = np.full((Z, G, 2, len(rows)), np.nan)
    z, g = state_index(mortality, "mortality")
    rates = _numbers(mortality, "mx", "mortality", minimum=0, expected="a death rate")
    ri = _age_index(mortality["age"], rows, "mortality")
    sxs = _sex_index(mortality["sex"], "mortality")
    none = np.full(len(mortality), -1)
    _no_duplicates(mortality, "mortality", [z if z is not None else none, g if g is not None else none, sxs, ri],
                   "zone, group, sex and age")
    for k in range(len(mortality)):
        mx[(z[k] if z is not None else slice(None)), (g[k] if g is not None else slice(None)), sxs[k], ri[k]] = rates[k]
    if np.isnan(mx).any():
        zi, gi, sx, r = map(int, np.argwhere(np.isnan(mx))[0])
        raise ValueError(f"mortality: no mx for zone {ids[zi]}, group {groups[gi]}, {('female', 'male')[sx]}, "
                         f"age {rows[r]}")
    s.mortality_kind = "death_rates"
    s.mortality = mx.reshape(-1)

    # Fertility [zone][group][age].
    asfr = np.zeros((Z, G, A))
    z, g = state_index(fertility, "fertility")
    a = _age_index(fertility["age"], ages, "fertility")
    rates = _numbers(fertility, "asfr", "fertility", minimum=0, expected="a rate")
    none = np.full(len(fertility), -1)
    _no_duplicates(fertility, "fertility", [z if z is not None else none, g if g is not None else none, a],
                   "zone, group and age")
    for k in range(len(fertility)):
        asfr[(z[k] if z is not None else slice(None)), (g[k] if g is not None else slice(None)), a[k]] = rates[k]
    s.asfr = asfr.reshape(-1)
    s.srb = np.full(Z, 1.05)

    if net_migration is not None:
        _need(net_migration, "net_migration", ["zone", "sex", "age", "persons_per_year"])
        net = np.zeros((Z, G, 2, A))
        z, g = state_index(net_migration, "net_migration")
        per_year = _numbers(net_migration, "persons_per_year", "net_migration", expected="persons")
        sx = _sex_index(net_migration["sex"], "net_migration")
        ai = _age_index(net_migration["age"], ages, "net_migration")
        g0 = g if g is not None else np.zeros(len(net_migration), dtype=int)
        _no_duplicates(net_migration, "net_migration", [z, g0, sx, ai], "zone, group, sex and age")
        net[z, g0, sx, ai] = per_year * step
        s.net_migrants = net.reshape(-1)

    sc.schedules = [s]
    if aggregates:
        sc.aggregates = [(n, [str(i) for i in members]) for n, members in aggregates.items()]
    sc.assumptions = [f"Built in Python with cohortgis.scenario_from_frames ({Z} zones, groups {', '.join(groups)})."]
    sc.set_srb(srb)
    if tfr is not None:
        sc.set_tfr(tfr)
    sc.validate()

    gdf = zones if hasattr(zones, "geometry") and getattr(zones, "crs", None) is not None else None
    if gdf is not None:
        import geopandas

        gdf = geopandas.GeoDataFrame({"name": names or ids, "name_en": names_en or [""] * Z},
                                     index=pd.Index(ids, name="id"), geometry=zones.geometry.values, crs=zones.crs)
    return cohortgis.ScenarioSet([sc], zones=gdf)
