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
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{what}: missing column {missing[0]!r} (columns: {', '.join(map(str, df.columns))})")


def _age_index(ages: pd.Series, starts: Sequence[int], what: str) -> np.ndarray:
    pos = {a: k for k, a in enumerate(starts)}
    keys = ages.astype(int)
    bad = sorted(set(keys) - set(pos))
    if bad:
        raise ValueError(f"{what}: age {bad[0]} is not the first age of an age group ({starts[0]}, {starts[1]}, …, "
                         f"{starts[-1]})")
    return keys.map(pos).to_numpy()


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
        group), population: persons at the end of ``base_year``. Missing cells are 0.
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

    if step not in (1, 5):
        raise ValueError(f"step: {step}; expected 1 or 5")
    if (horizon - base_year) <= 0 or (horizon - base_year) % step != 0:
        raise ValueError(f"horizon {horizon}: expected a year after {base_year} on the {step}-year steps")
    _need(zones, "zones", [id_column])
    _need(base_population, "base_population", ["zone", "sex", "age", "population"])
    _need(mortality, "mortality", ["age", "sex", "mx"])
    _need(fertility, "fertility", ["age", "asfr"])

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

    # Base population [zone][group][sex][age]; duplicate cells add up (a long table may list parts of a cell).
    pop = np.zeros((Z, G, 2, A))
    z, g = state_index(base_population, "base_population")
    np.add.at(pop, (z, g if g is not None else 0, _sex_index(base_population["sex"], "base_population"),
                    _age_index(base_population["age"], ages, "base_population")),
              base_population["population"].to_numpy(dtype=float))
    sc.base_population = pop

    s = _cohortgis.StepSchedules()
    # Mortality [zone][group][sex][row]: abridged rows 0, 1, 5, … for five-year grids (life_table_rows = A + 1).
    rows = [0, 1] + list(range(5, ages[-1] + 1, 5)) if step == 5 else list(ages)
    mx = np.full((Z, G, 2, len(rows)), np.nan)
    z, g = state_index(mortality, "mortality")
    for k, (_, row) in enumerate(mortality.iterrows()):
        r = _age_index(pd.Series([row["age"]]), rows, "mortality")[0]
        sx = _sex_index(pd.Series([row["sex"]]), "mortality")[0]
        mx[(z[k] if z is not None else slice(None)), (g[k] if g is not None else slice(None)), sx, r] = float(row["mx"])
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
    for k in range(len(fertility)):
        asfr[(z[k] if z is not None else slice(None)), (g[k] if g is not None else slice(None)), a[k]] = \
            float(fertility["asfr"].iloc[k])
    s.asfr = asfr.reshape(-1)
    s.srb = np.full(Z, 1.05)

    if net_migration is not None:
        _need(net_migration, "net_migration", ["zone", "sex", "age", "persons_per_year"])
        net = np.zeros((Z, G, 2, A))
        z, g = state_index(net_migration, "net_migration")
        np.add.at(net, (z, g if g is not None else 0,
                        _sex_index(net_migration["sex"], "net_migration"),
                        _age_index(net_migration["age"], ages, "net_migration")),
                  net_migration["persons_per_year"].to_numpy(dtype=float) * step)
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
