# SPDX-License-Identifier: Apache-2.0
"""A scenario built from Python objects: pandas DataFrames for the tables and a GeoDataFrame for the zones.

The frames go through the scenario-file loader itself (cohortgis::scenarios::load_scenario_text): this module writes
the scenario as TOML text whose tables are the frames ("frame:NAME"), so a frame is read exactly as a file with the
same columns — the same roles, forms, checks, messages and bits (scenarios/README.md). The checks here come first
only to name pandas rows by their position and index label.
"""
from __future__ import annotations

import json
import os
import re
import sys
import weakref

from typing import TYPE_CHECKING, List, Mapping, Optional, Sequence, Union

import numpy as np

from . import _cohortgis
from ._frames import bounded, distinct_names, text_arg, whole_int, year_path

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd  # imported by the functions that use it (see _frames.py)
    from . import ScenarioSet

def _need(df: pd.DataFrame, what: str, columns: Sequence[str]) -> None:
    """The checks every frame gets first: a DataFrame, with these columns, and at least one row."""
    import pandas as pd
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{what}: expected a pandas DataFrame, got {type(df).__name__}")
    # A column is one Series, as a table's column is one header (the command line refuses a header given twice):
    # df[col] of a repeated or MultiIndex name is a DataFrame (AttributeError 'dtype' deep in the checks).
    if isinstance(df.columns, pd.MultiIndex):
        raise ValueError(f"{what}: columns of {df.columns.nlevels} levels (a MultiIndex); expected one name per column "
                         f"(e.g. df.columns = df.columns.get_level_values(0))")
    twice = df.columns[df.columns.duplicated()]
    if len(twice):
        raise ValueError(f"{what}: column {twice[0]!r} appears twice; expected each column once")
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
        # A complex number's float() is its real part (NumPy's with only a ComplexWarning): not a number here; nor an
        # array as a cell, which float() takes when it holds one value of any dtype (np.array(True) was 1).
        if isinstance(v, (bool, np.bool_, complex, np.complexfloating)) or v is None or \
                (isinstance(v, np.ndarray) and (v.ndim != 0 or v.dtype.kind not in "iuf")):
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


def _toml(v) -> str:
    """A value in TOML: strings as JSON strings (valid TOML basic strings), numbers exactly, lists and dicts inline."""
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        return repr(float(v))
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_toml(str(k))} = {_toml(x)}" for k, x in v.items()) + " }"
    return "[" + ", ".join(_toml(x) for x in v) + "]"


def _cells(values: np.ndarray) -> list:
    """Numbers as the text a CSV cell would hold, exactly (shortest round-trip digits)."""
    return [repr(float(x)) for x in values]


def _table(df: pd.DataFrame, what: str, numbers: Mapping[str, dict], text: Sequence[str]) -> tuple:
    """A frame as (columns, rows of text cells) for the loader: the number columns checked here first (finite,
    whole ages, bounds), the text columns as strings; other columns are left out."""
    cols, data = [], []
    for c, opts in numbers.items():
        if c in df.columns:
            cols.append(c)
            v = _numbers(df, c, what, **opts)
            data.append([str(int(x)) for x in v] if opts.get("whole") else _cells(v))
    for c in text:
        if c in df.columns:
            if df[c].isna().any():
                pos = int(np.flatnonzero(df[c].isna().to_numpy())[0])
                raise ValueError(f"{what}: {_row(df, pos)}, column {c!r}: empty; expected a value")
            cols.append(c)
            data.append([str(x) for x in df[c].tolist()])
    return cols, [list(r) for r in zip(*data)]


_MORTALITY_FORMS = ("mx", "qx", "lx", "Lx", "Sx")


# The generated file's keys → the argument the user passed them as (scenario_from_frames's errors named a line and
# column of that text, which the user never saw).
_ARGUMENT_OF_KEY = {"scenario.name": "name", "scenario.title": "title", "geography.zones": "zones",
                    "geography.aggregates": "aggregates", "projection.base_year": "base_year",
                    "projection.horizon": "horizon", "projection.step": "step", "projection.open_age": "open_age",
                    "projection.groups": "groups", "projection.migration_timing": "migration_timing",
                    "projection.flow_policy": "flow_policy", "base_population": "base_population",
                    "fertility.schedule": "fertility", "fertility.srb": "srb", "fertility.tfr": "tfr",
                    "mortality": "mortality", "migration.net": "net_migration"}


def _argument_message(message: str) -> str:
    """'scenario_from_frames:24:34: key 'fertility.srb.2030': …' → 'scenario_from_frames: srb, year 2030: …'."""
    m = re.match(r"scenario_from_frames:\d+:\d+: (?:key '([^']*)': )?(.*)", message, re.S)
    if not m:
        return message
    key, rest = m.group(1), m.group(2)
    if key is None:
        return f"scenario_from_frames: {rest}"
    for prefix in sorted(_ARGUMENT_OF_KEY, key=len, reverse=True):
        if key == prefix or key.startswith(prefix + ".") or key.startswith(prefix + "["):
            tail = key[len(prefix):].lstrip(".")
            where = f", year {tail}" if tail.isdigit() else ""
            return f"scenario_from_frames: {_ARGUMENT_OF_KEY[prefix]}{where}: {rest}"
    return f"scenario_from_frames: key '{key}': {rest}"


def scenario_from_frames(*, zones: Union[pd.DataFrame, "geopandas.GeoDataFrame"],  # noqa: F821
                         base_population: pd.DataFrame, mortality: pd.DataFrame, fertility: pd.DataFrame,
                         base_year: int, horizon: int, step: int = 5, open_age: Optional[int] = None,
                         groups: Optional[Sequence[str]] = None, srb: Union[float, Mapping[int, float], pd.Series] = 105.0,
                         tfr: Union[None, float, Mapping[int, float], pd.Series] = None,
                         net_migration: Optional[pd.DataFrame] = None, aggregates: Optional[Mapping[str, Sequence[str]]] = None,
                         id_column: str = "id", name_column: Optional[str] = "name",
                         name_en_column: Optional[str] = None, name: str = "python", title: str = "",
                         migration_timing: str = "even", flow_policy: str = "conserve",
                         geometry: Union[None, str, "os.PathLike[str]"] = None, geometry_layer: Optional[str] = None,
                         geometry_id_field: Optional[str] = None) -> "ScenarioSet":
    """Builds a one-run :class:`ScenarioSet` from pandas objects, through the scenario-file loader.

    zones
        A GeoDataFrame (its geometry is used for maps, and by :func:`write_outputs` and :func:`backtest` for
        results.gpkg, the maps and the report's maps) or a DataFrame, one row per zone in projection order, with
        ``id_column`` (and optionally ``name_column``, ``name_en_column``; a missing name, None or NaN, is no name:
        '').
    geometry, geometry_layer, geometry_id_field
        Instead of a GeoDataFrame: a file of the zones' boundaries (GeoPackage, Shapefile, GeoJSON, …), its layer
        and the field holding the zone ids (default ``id_column``), as ``[geography.source]`` of a scenario file:
        every zone must be in it. A GeoDataFrame's geometry is written to a GeoPackage in a temporary folder (kept
        until Python exits) that the set reads the same way.
    base_population
        Long table: columns zone (optional with one zone), group (optional with one group), sex ('female'/'male'),
        age (first age of the age group), population: persons at the end of ``base_year``. Missing cells are 0; a
        cell given twice is an error (as in a scenario file's table).
    mortality
        Columns age, sex and one of mx, qx, lx, Lx, Sx (the forms of [mortality] in scenarios/README.md; qx and lx
        with ax and the open row's mx, Lx with an lx column or radix 100000), optionally zone, group, year or
        period, ax: rows without zone/group apply to every state.
    fertility
        Columns age, asfr and optionally zone, group, year or period: births per woman per year by first age of
        the mother's age group. Ages not given have no births.
    srb, tfr
        Sex ratio at birth (males per 100 females) and, optionally, a TFR path to rescale the fertility schedule to:
        numbers, {year: value} dicts or pandas Series by year.
    net_migration
        Optional columns zone, group, sex, age, persons_per_year (optionally year or period): net migrants per year.
    aggregates
        Optional {name: [zone ids]} reported like zones ('total' is added).
    base_year, horizon, step, open_age
        The base population is the end of ``base_year``; steps of ``step`` years (1 or 5, also the width of the age
        groups) up to ``horizon``; ``open_age`` as ``[projection] open_age`` (None: 85 for five-year steps, 100 for
        one-year).
    groups
        Names of the population groups, in order (None: those of base_population's group column, else one group
        'total').
    name, title, migration_timing, flow_policy
        As ``[scenario] name``/``title`` and ``[projection] migration_timing`` ('even' or 'end') and ``flow_policy``
        ('conserve', 'wpp' or 'error') of a scenario file (scenarios/README.md).
    """
    import pandas as pd
    import cohortgis

    # Each read once as its own value (an int subclass's __int__ could answer otherwise the second time); the loader
    # checks their ranges.
    base_year = whole_int(base_year, "base_year", "a year (an int)")
    horizon = whole_int(horizon, "horizon", "a year (an int)")
    step = whole_int(step, "step", "1 or 5 (an int)")
    if open_age is not None:  # 2.5 reached the loader as the TOML float 2.5, True as true
        open_age = whole_int(open_age, "open_age", "a multiple of step from 10 to 130 (an int)")
    # str(None) was the scenario "None", a str of groups its letters (distinct_names), and an aggregate's str its
    # letters' zones.
    for k, v in (("name", name), ("title", title)):
        if not isinstance(v, str):
            raise TypeError(f"{k}: expected a str, got {type(v).__name__}")
    if groups is not None:  # names as str() makes them (a group column of ints), read once, each once
        groups = distinct_names(groups, "groups", "group", "group names", convert=str)
    if aggregates is not None:
        if not isinstance(aggregates, Mapping):
            raise TypeError(f"aggregates: expected a {{name: [zone ids]}} dict, got {type(aggregates).__name__}")
        aggregates = dict(bounded(aggregates.items(), "aggregates"))
    if step not in (1, 5):
        raise ValueError(f"step: {step}; expected 1 or 5")
    if (horizon - base_year) <= 0 or (horizon - base_year) % step != 0:
        raise ValueError(f"horizon {horizon}: expected a year after {base_year} on the {step}-year steps")
    _need(zones, "zones", [id_column])
    _need(base_population, "base_population", ["sex", "age", "population"])
    _need(mortality, "mortality", ["age", "sex"])
    _need(fertility, "fertility", ["age", "asfr"])
    form = next((f for f in _MORTALITY_FORMS if f in mortality.columns), None)
    if form is None:
        raise ValueError(f"mortality: no column of {', '.join(_MORTALITY_FORMS)} (columns: "
                         f"{', '.join(map(str, mortality.columns))}); expected one mortality form")
    if zones[id_column].isna().any():
        pos = int(np.flatnonzero(zones[id_column].isna().to_numpy())[0])
        raise ValueError(f"zones: {_row(zones, pos)}, column {id_column!r}: no zone id (NaN); expected an id")
    srb = year_path(srb, "srb", base_year, horizon)
    if tfr is not None:
        tfr = year_path(tfr, "tfr", base_year, horizon)
    ids = [str(i) for i in zones[id_column]]
    # A missing name (None, NaN, pd.NA) is no name, '' as in a scenario file: str() made it the name "nan" or
    # "<NA>", drawn on the maps and written to the report.
    names = [("" if pd.api.types.is_scalar(n) and pd.isna(n) else str(n)) for n in zones[name_column]] \
        if name_column and name_column in zones.columns else []
    names_en = [("" if pd.api.types.is_scalar(n) and pd.isna(n) else str(n)) for n in zones[name_en_column]] \
        if name_en_column and name_en_column in zones.columns else []
    if groups is None:
        groups = (list(dict.fromkeys(base_population["group"].astype(str))) if "group" in base_population.columns
                  else ["total"])
    if aggregates:
        aggregates = {n: distinct_names(m, f"aggregates: {n!r}", "zone", "zone ids", most=len(ids), convert=str)
                      for n, m in aggregates.items()}
        # Named here: the loader's "aggregates: an empty list" named no aggregate (its key's index was dropped).
        for n, m in aggregates.items():
            if not m:
                raise ValueError(f"aggregates: {n!r}: no zone ids; expected at least one zone id of the zones")
    # Text that is not UTF-8 named here, before a GeoDataFrame's geometry is written (GDAL's UnicodeEncodeError named
    # no argument); the tables' cells are looked at only if the loader refuses them (_check_utf8).
    for what, values in (("name", [name]), ("title", [title]), ("zones: id", ids), ("zones: name", names),
                         ("zones: name_en", names_en), ("groups", groups)):
        for v in values:
            text_arg(v, what)

    age = {"whole": True, "minimum": 0, "expected": "the first age of an age group"}
    year = {"whole": True, "expected": "a year"}
    keys = ["zone", "group", "sex"]
    tables = {"base_population": _table(base_population, "base_population",
                                        {"age": age, "population": {"minimum": 0, "expected": "persons"}}, keys)}
    mort_numbers = {"age": age, "year": year, form: {"minimum": 0, "expected": "a " + ("death rate" if form == "mx" else form)}}
    for extra in ("ax", "mx", "lx"):
        if extra != form:
            mort_numbers[extra] = {"minimum": 0, "expected": extra}
    tables["mortality"] = _table(mortality, "mortality", mort_numbers, keys + ["period"])
    tables["fertility"] = _table(fertility, "fertility",
                                 {"age": age, "year": year, "asfr": {"minimum": 0, "expected": "a rate"}},
                                 ["zone", "group", "period"])
    for what, df, key_cols in (("base_population", base_population, ["zone", "group", "sex", "age"]),
                               ("mortality", mortality, ["zone", "group", "sex", "age", "year", "period"]),
                               ("fertility", fertility, ["zone", "group", "age", "year", "period"])):
        present = [c for c in key_cols if c in df.columns]
        names_of = {"base_population": "zone, group, sex and age", "mortality": "zone, group, sex and age",
                    "fertility": "zone, group and age"}[what]
        _no_duplicates(df, what, [df[c].astype(str).to_numpy() for c in present], names_of)
    if net_migration is not None:
        _need(net_migration, "net_migration", ["sex", "age", "persons_per_year"])
        tables["net_migration"] = _table(net_migration, "net_migration",
                                         {"age": age, "year": year, "persons_per_year": {"expected": "persons"}},
                                         keys + ["period"])
        present = [c for c in ["zone", "group", "sex", "age", "year", "period"] if c in net_migration.columns]
        _no_duplicates(net_migration, "net_migration", [net_migration[c].astype(str).to_numpy() for c in present],
                       "zone, group, sex and age")

    zone_rows = [{"id": i, **({"name": names[k]} if names else {}), **({"name_en": names_en[k]} if names_en else {})}
                 for k, i in enumerate(ids)]
    lines = ["[scenario]", f"name = {_toml(str(name))}", f"title = {_toml(str(title or name))}",
             "assumptions = " + _toml([f"Built in Python with cohortgis.scenario_from_frames ({len(ids)} zones, "
                                       f"groups {', '.join(groups)})."]),
             "", "[geography]", "zones = " + _toml(zone_rows)]
    if aggregates:
        lines.append("aggregates = " + _toml([{"name": str(n), "zones": [str(i) for i in m]}
                                              for n, m in aggregates.items()]))
    lines += ["", "[projection]", f"base_year = {int(base_year)}", f"horizon = {int(horizon)}", f"step = {int(step)}"]
    if open_age is not None:
        lines.append(f"open_age = {_toml(open_age)}")
    lines += [f"groups = {_toml(groups)}", f"migration_timing = {_toml(str(migration_timing))}",
              f"flow_policy = {_toml(str(flow_policy))}",
              "", "[base_population]", 'table = "frame:base_population"',
              "", "[fertility]", 'schedule = { path = "frame:fertility", columns = { value = "asfr" } }',
              "srb = " + _toml(srb if not isinstance(srb, dict) else {str(k): float(v) for k, v in srb.items()})]
    if tfr is not None:
        lines.append("tfr = " + _toml(tfr if not isinstance(tfr, dict) else {str(k): float(v) for k, v in tfr.items()}))
    lines += ["", "[mortality]", f'{form} = {{ path = "frame:mortality", columns = {{ value = "{form}" }} }}']
    if net_migration is not None:
        lines += ["", "[migration]", 'net = { path = "frame:net_migration", columns = { value = "persons_per_year" } }']
    geopandas_module = sys.modules.get("geopandas")  # zones cannot be a GeoDataFrame unless geopandas was imported
    if geopandas_module is not None and isinstance(zones, geopandas_module.GeoDataFrame) and zones.crs is None:
        # Its geometry was left out without a word (no maps, no results.gpkg), as if a plain DataFrame.
        raise ValueError("zones: a GeoDataFrame without a CRS: its coordinates cannot be placed; set it "
                         "(zones.set_crs('EPSG:…')) or pass the zones as a DataFrame without geometry")
    gdf = zones if hasattr(zones, "geometry") and getattr(zones, "crs", None) is not None else None
    if gdf is not None:
        import geopandas

        if geometry is not None:
            raise ValueError("geometry: the zones are a GeoDataFrame with geometry already; give one or the other")
        gdf = geopandas.GeoDataFrame({"name": names or ids, "name_en": names_en or [""] * len(ids)},
                                     index=pd.Index(ids, name="id"), geometry=zones.geometry.values, crs=zones.crs)
    # The boundaries as [geography.source], so that the C++ set (write_outputs, backtest) has them as a file's has:
    # the loader checks every zone is there, the run writes results.gpkg and draws the maps.
    base_dir = ""
    source = _geometry_source(gdf, geometry, geometry_layer, geometry_id_field or id_column)
    text = "\n".join(lines) + "\n"
    if source is not None:
        base_dir, entry = source
        text += "\n[geography.source]\n" + "".join(f"{k} = {_toml(v)}\n" for k, v in entry.items())
    try:
        loaded = _cohortgis.load_scenario_text(text, "scenario_from_frames", "", tables, base_dir=base_dir)
    except BaseException as e:
        if gdf is not None:
            _drop_geometry_dir(base_dir)
        # Text that is not UTF-8 said where it is in the frames (by column name): pybind11's listing of every cell
        # (a TypeError) for the scenario's text, the compiled reader's "tables['t'], row 5, cell 2" for a cell.
        if isinstance(e, TypeError) or (isinstance(e, ValueError) and str(e).startswith("tables['")):
            _check_utf8(text, tables, {"name": name, "title": title, "migration_timing": migration_timing,
                                       "flow_policy": flow_policy})
        if not isinstance(e, ValueError):
            raise
        message = _argument_message(str(e))
        if gdf is not None:
            # The source is read before the zones: a bad id (empty, 'total', twice) is said about the frame, not
            # about the GeoPackage written from it, by loading without it (on this error path only).
            try:
                _cohortgis.load_scenario_text("\n".join(lines) + "\n", "scenario_from_frames", "", tables)
            except ValueError as own:
                raise ValueError(_argument_message(str(own))) from None
            message = message.replace(os.path.join(base_dir, "zones.gpkg") + ", layer 'zones'",
                                      "zones (the GeoDataFrame's geometry)")
        raise ValueError(message) from None

    loader = None
    if gdf is None and geometry is not None:
        from . import _zones_from_set

        args = (loaded, ids, names or ids, names_en or [""] * len(ids))
        loader = lambda: _zones_from_set(*args)  # noqa: E731  (read on first use, as load_scenario's)
    sset = cohortgis.ScenarioSet(loaded.runs, zones=gdf, zones_loader=loader)
    sset._loaded = loaded  # write_outputs: the set's [outputs] and other parts
    if gdf is not None:
        # The GeoPackage goes when the C++ set reading it goes (its runs keep it alive), not only at exit: a process
        # that leaves by os._exit (a fork-started multiprocessing worker, a forked child) left one folder in the
        # temporary folder per call, for ever. Only by the process that wrote it, as _remove_geometry_dirs.
        weakref.finalize(loaded, _drop_own_geometry_dir, os.getpid(), base_dir)
    return sset


# Folders of the GeoPackages written for GeoDataFrame zones, with the process that wrote them: the sets read them
# again when they write their outputs, so they stay until that process exits. A forked child inherits the list and the
# atexit hook; its exit removed the parent's folders (the parent's write_outputs then found no zones.gpkg), so each
# process removes only its own.
_GEOMETRY_DIRS: "list[tuple[int, str]]" = []


def _remove_geometry_dirs() -> None:
    import shutil

    for pid, d in _GEOMETRY_DIRS:
        if pid == os.getpid():
            shutil.rmtree(d, ignore_errors=True)


def _check_utf8(text: str, tables: Mapping[str, tuple], arguments: Mapping[str, object]) -> None:
    """ValueError naming the argument, or the frame, row and column, of a str that is not UTF-8 (lone surrogates:
    pybind11 refused the whole scenario with a TypeError listing every cell); nothing when all are UTF-8. Looked for
    only after the loader refused its arguments, so that a good call pays nothing."""
    for what, value in arguments.items():
        if isinstance(value, str):
            text_arg(value, what)
    for what, (columns, rows) in tables.items():
        for c in columns:
            text_arg(c, f"{what}: column name")
        for pos, row in enumerate(rows):
            for c, cell in zip(columns, row):
                text_arg(cell, f"{what}: row {pos}, column {c!r}")
    for number, line in enumerate(text.split("\n"), 1):  # zones, groups, aggregates: the generated text's lines
        key = line.split(" = ", 1)[0] if " = " in line else "scenario"
        text_arg(line, {"zones": "zones", "groups": "groups", "aggregates": "aggregates"}.get(key, key))


def _drop_own_geometry_dir(pid: int, folder: str) -> None:
    """_drop_geometry_dir in the process that wrote the folder (a forked child's copy of the set is not its owner)."""
    if os.getpid() == pid:
        _drop_geometry_dir(folder)


def _drop_geometry_dir(folder: str) -> None:
    """A folder of _GEOMETRY_DIRS no set reads (scenario_from_frames failed): removed now, not at exit (a notebook's
    failed calls each left a GeoPackage in the temporary folder until Python exited)."""
    import shutil

    _GEOMETRY_DIRS[:] = [e for e in _GEOMETRY_DIRS if e[1] != folder]
    shutil.rmtree(folder, ignore_errors=True)


def _geometry_source(gdf, geometry, layer: Optional[str], id_field: str) -> "Optional[tuple[str, dict]]":
    """[geography.source]'s keys and the folder it is read from (the loader reads only inside the scenario's
    folder, which for frames is this one): a GeoDataFrame written to a GeoPackage, or the file given."""
    if gdf is not None:
        import atexit
        import tempfile

        if not _GEOMETRY_DIRS:
            atexit.register(_remove_geometry_dirs)
        folder = tempfile.mkdtemp(prefix="cohortgis-zones-")
        _GEOMETRY_DIRS.append((os.getpid(), folder))
        try:
            out = gdf.reset_index()[["id", "geometry"]]
            out.to_file(os.path.join(folder, "zones.gpkg"), layer="zones", driver="GPKG")
        except BaseException:
            _drop_geometry_dir(folder)
            raise
        return folder, {"path": "zones.gpkg", "layer": "zones", "id_field": "id"}
    if geometry is None:
        return None
    from . import _path

    path = os.path.abspath(_path(geometry, "geometry"))
    if not os.path.isfile(path):
        raise ValueError(f"geometry: {path}: no such file; expected the zones' boundaries (GeoPackage, Shapefile, …)")
    for what, value in (("geometry_layer", layer), ("geometry_id_field", id_field)):
        if value is not None and not isinstance(value, str):
            raise TypeError(f"{what}: expected a str, got {type(value).__name__}")
    entry = {"path": os.path.basename(path), "id_field": id_field}
    if layer:
        entry["layer"] = layer
    return os.path.dirname(path), entry
