# SPDX-License-Identifier: Apache-2.0
"""cohortgis for Python and Jupyter: cohort-component population projections by zone, group, sex and age.

A thin layer over the C++ API the ``cohortgis`` command line uses (the compiled ``_cohortgis`` module)::

    import cohortgis as cg
    sset = cg.load_scenario("default")           # scenarios/examples/beijing-2020/scenario.toml
    low = sset.add_variant("low-tfr")            # a copy of the baseline
    low.set_tfr({2020: 1.0, 2035: 0.8})          # a dict, a pandas Series or a number
    res = sset.run(progress=True)                # GIL released; Ctrl-C stops cleanly
    res.population("low-tfr")                    # NumPy view [year][zone][group][sex][age], no copy
    res.population_frame()                       # long DataFrame, as population.csv
    res.zones_frame(2035)                        # GeoDataFrame of zones with indicators
    res.map("population", 2035, variant="low-tfr", minus="baseline")   # inline map in Jupyter

Bad input raises ValueError with the command line's message; a failed projection raises RuntimeError.
"""
from __future__ import annotations

import os
import sys
from typing import Callable, Dict, Iterator, List, Mapping, Optional, Sequence, Union

import numpy as np

from . import _cohortgis
from ._cohortgis import (  # noqa: F401  (re-exported)
    MAX_THREADS,
    GroupTransition,
    NewbornRule,
    OdFlow,
    RunResult,
    Scenario,
    StepSchedules,
    __version__,
)
from ._build import scenario_from_frames
from ._ensemble import Ensemble
from ._jobs import backtest, estimate, estimate_group_split, estimate_levels
from ._frames import (MAX_LIST_ITEMS, Flag, Results, bounded, check_layout, copy_instance, distinct_names, flag,
                      shown_value, text_arg, whole_int, year_path)
from ._plot import Figure

__all__ = [
    "MAX_LIST_ITEMS",
    "MAX_THREADS",
    "Ensemble",
    "Figure",
    "GroupTransition",
    "NewbornRule",
    "OdFlow",
    "Results",
    "RunResult",
    "Scenario",
    "ScenarioSet",
    "StepSchedules",
    "backtest",
    "estimate",
    "estimate_group_split",
    "estimate_levels",
    "load_scenario",
    "run",
    "scenario_from_frames",
    "write_outputs",
    "__version__",
]

PathLike = Union[float, int, Mapping[int, float], "pandas.Series"]  # noqa: F821
Progress = Union[None, bool, Callable[[int, int], object]]


def _path_points(path: PathLike, what: str, scenario: Scenario) -> Dict[int, float]:
    """set_tfr's path as set_*_path takes it (year_path: years whole and in the scenario's horizon, as in a scenario
    file; values are checked by the engine): a number is the one point {0: value}, constant at every year."""
    points = year_path(path, what, scenario.base_year, scenario.end_year)
    return points if isinstance(points, dict) else {0: points}


def _path(value: object, what: str) -> str:
    """A path argument as text: str or os.PathLike, without NUL characters (C++ would cut the path there and open
    another file: "ms.toml\\0x" read ms.toml). None and other types are TypeErrors (str(None) is the folder "None")."""
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{what}: expected a path (str or os.PathLike), got {type(value).__name__}")
    text = os.fspath(value)
    if not isinstance(text, str):
        raise TypeError(f"{what}: expected a text path, got {type(text).__name__}")
    # Checked as a plain str: a subclass's own __contains__, encode or split could hide a NUL or a length (hostile
    # probe 4: "good.toml\0junk" loaded good.toml).
    text = str.__str__(text)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # surrogate escapes of bytes that are not UTF-8 (os.fsdecode of such a name)
        raise ValueError(f"{what}: {text!r} is not UTF-8 text (a name holding bytes that are not UTF-8); expected a "
                         f"path in UTF-8") from None
    if "\0" in text:
        raise ValueError(f"{what}: {text!r} holds a NUL character; expected a path")
    # As the command line (geodata::check_path_length): no file has a path of PATH_MAX bytes or more, or a part of
    # more than NAME_MAX bytes; such a path is too long, not "not found" or "cannot be created".
    size = len(os.fsencode(text))
    if size >= 4096:
        raise ValueError(f"{what}: {text[:40]!r}…: a path of {size} bytes is too long; expected at most 4095 bytes "
                         f"(PATH_MAX)")
    for part in text.split("/"):
        if len(os.fsencode(part)) > 255:
            raise ValueError(f"{what}: {part[:40]!r}…: a file or folder name of {len(os.fsencode(part))} bytes is too "
                             f"long; expected at most 255 bytes (NAME_MAX)")
    return text


def _data_dir(value: object) -> str:
    """data_dir= as a path; None (only) is "" (the default data folder): 0, False or [] was the default folder too."""
    return _path(value if value is not None else "", "data_dir")


# Names (variants, zones) as in a scenario file (scenarios/README.md): at most 200 characters.
MAX_NAME_CHARS = 200


def _check_name(name: str, what: str) -> None:
    if len(name) > MAX_NAME_CHARS:
        raise ValueError(f"{what} {name[:40]!r}…: {len(name)} characters; expected at most {MAX_NAME_CHARS}")


def _check_variant_name(name: str, what: str) -> None:
    """A variant's name as a scenario file's (add_variant, and every run before a set runs): the name rule of the
    reader and Scenario.validate (_cohortgis.check_name: not empty, not only spaces, no tab, line break, NUL, U+0085,
    U+2028 …; this checked C0 controls only), at most MAX_NAME_CHARS."""
    _cohortgis.check_name(name, what)
    _check_name(name, what)


def _check_run(run: object, k: int) -> None:
    """Run k of a set: a Scenario (ScenarioSet(runs), and self.runs again before a set runs: a plain list)."""
    if not isinstance(run, Scenario):
        raise TypeError(f"run {k}: expected a cohortgis.Scenario (from load_scenario), not {type(run).__name__}")


def _paths(values: Optional[Sequence[str]], what: str) -> List[str]:
    """allow_read / allow_db: a list of paths or names; one str is one entry (iterating it would grant its
    characters, '/' among them: the whole file system)."""
    if values is None:
        return []
    if isinstance(values, (str, os.PathLike)):
        values = [values]
    return [_path(v, what) for v in bounded(values, what)]


def _threads(threads: object) -> int:
    """threads as the engine takes it: 0 (all cores) or 1 to MAX_THREADS, an int (not a bool or a float) read once
    (whole_int: an int subclass's __int__ was asked twice, and could answer a second time what the check had not
    seen); out of range, the engine's own message (check_threads)."""
    value = whole_int(threads, "threads", f"an int from 0 to {MAX_THREADS} (0: all cores)")
    if not 0 <= value <= MAX_THREADS:
        raise ValueError(f"threads: {shown_value(value)}; expected 0 (all cores) or 1 to {MAX_THREADS} worker threads")
    return value


def _set_tfr(self: Scenario, path: PathLike) -> Scenario:
    """Rescales the fertility schedules to a TFR path (number, {year: TFR} or Series by year); returns self.

    Linear between points and constant outside them; a step covering years t+1 … t+z uses the path's mean over
    those years, as ``fertility.tfr`` in a scenario file.
    """
    self.set_tfr_path(_path_points(path, "tfr", self))
    return self


def _set_mean_age(self: Scenario, path: PathLike) -> Scenario:
    """Shifts the fertility schedules to a mean age at childbearing path; returns self."""
    self.set_mean_age_path(_path_points(path, "mean_age", self))
    return self


def _set_srb(self: Scenario, path: PathLike) -> Scenario:
    """Sets the sex ratio at birth (males per 100 females) as a path; returns self."""
    self.set_srb_path(_path_points(path, "srb", self))
    return self


# Python-friendly spellings on the compiled class (they take pandas Series as well as dicts).
Scenario.set_tfr = _set_tfr
Scenario.set_mean_age = _set_mean_age
Scenario.set_srb = _set_srb


def _run_to_xarray(self: RunResult) -> "xarray.Dataset":  # noqa: F821
    """This run as an ``xarray.Dataset`` in results.nc's layout without its ``variant`` dimension (``variant`` a
    scalar coordinate): ``population`` (year, zone, group, sex, age) and ``indicators`` (year, unit,
    indicator_group, indicator) are this run's arrays (read-only, no copy); ``births``, ``deaths`` and
    ``net_migration_and_transfers`` (year, zone, group, sex) are summed over age, NaN in the base year. See
    :meth:`Results.to_xarray`."""
    from ._xarray import run_dataset
    return run_dataset(self)


RunResult.to_xarray = _run_to_xarray


def _run_result_from_state(state: dict) -> RunResult:
    """Unpickles a RunResult (RunResult.__reduce__ names this function; ValueError for a damaged state)."""
    return _cohortgis._run_result_from_state(state)


def _progress_callback(progress: Progress, variant: str, unit: str = "step") -> Optional[Callable[[int, int], object]]:
    """progress= as a callable(done, total), or None (quiet): None or False, True (steps printed to stderr; NumPy's
    bool_ as flag takes it) or a callable; anything else a TypeError."""
    if progress is None:
        return None
    if isinstance(progress, (bool, np.bool_)):
        if not flag(progress, "progress"):
            return None

        def report(done: int, total: int) -> None:
            print(f"cohortgis: {variant}: {unit} {done}/{total}", file=sys.stderr, flush=True)
        return report
    if not callable(progress):
        raise TypeError(f"progress: {shown_value(progress)} ({type(progress).__name__}) is not a bool or a callable; "
                        f"expected None, True, False or a callable(done_steps, total_steps)")
    return progress


class ScenarioSet:
    """A baseline scenario and its variants (what a scenario file describes), plus the zones' geometry.

    ``runs`` is a plain list of :class:`Scenario` (baseline first); change them in place, or add variants.
    """

    def __init__(self, runs: Sequence[Scenario], zones: "Optional[geopandas.GeoDataFrame]" = None,  # noqa: F821
                 file: str = "", zones_loader: Optional[Callable[[], object]] = None) -> None:
        # Checked here, not on first use: run(None) failed with "'NoneType' object has no attribute 'variant'". One at
        # a time: a Scenario given twice is one object under two names (a change to one changes the other), and
        # stopping there keeps an endless iterator (itertools.repeat(scenario)) from filling memory.
        self.runs: List[Scenario] = []
        seen: Dict[int, int] = {}
        # One Scenario, or anything not iterable, failed with Python's "'int' object is not iterable", naming no
        # argument.
        if isinstance(runs, Scenario) or not hasattr(runs, "__iter__"):
            raise TypeError(f"runs: expected a list of cohortgis.Scenario (the baseline first), got "
                            f"{type(runs).__name__}" + (" (write [scenario])" if isinstance(runs, Scenario) else ""))
        for k, r in enumerate(bounded(runs, "runs")):
            _check_run(r, k)
            if id(r) in seen:
                raise ValueError(f"run {k}: the same Scenario object as run {seen[id(r)]}; expected a run of its own "
                                 f"(Scenario.copy())")
            seen[id(r)] = k
            self.runs.append(r)
        if not self.runs:
            raise ValueError("a scenario set needs at least a baseline")
        # The scenario file an ensemble and write_outputs read ("" for none); file=5 was kept and reached the
        # ensemble as pybind11's "incompatible function arguments" listing.
        self.file = "" if isinstance(file, str) and file == "" else _path(file, "file")
        # A GeoDataFrame indexed by zone id (any row order: zones() and the maps take the rows by id). Checked here:
        # zones=5 failed in map() with "'int' object is not subscriptable".
        if zones is not None and not _is_geodataframe(zones):
            raise TypeError(f"zones: expected a geopandas.GeoDataFrame indexed by zone id (or None), got "
                            f"{type(zones).__name__}")
        self._zones = zones
        self._zones_loader = zones_loader
        self._loaded_with: "tuple[str, list[str], list[str]]" = ("", [], [])  # load_scenario's folders
        # The C++ set the runs came from (load_scenario, scenario_from_frames): write_outputs takes its targets,
        # services, [outputs], [stochastic], [monitoring] and zone geometry; None for a set built from Scenarios.
        self._loaded: Optional[object] = None

    @property
    def baseline(self) -> Scenario:
        """The first run (the scenario file's baseline)."""
        return self.runs[0]

    @property
    def variants(self) -> List[str]:
        """Names of the runs: 'baseline', then the variants."""
        return [r.variant for r in self._runs_checked()]

    def _runs_checked(self) -> List[Scenario]:
        """The runs, each a Scenario (self.runs is a plain list: a notebook's runs.append(5) made variants and
        set[name] fail with "'int' object has no attribute 'variant'")."""
        runs = list(self.runs)
        for k, r in enumerate(runs):
            _check_run(r, k)
        return runs

    def __getitem__(self, variant: str) -> Scenario:
        if isinstance(variant, str):  # as the plain str it holds: a subclass's own __eq__ matched the baseline
            variant = str.__str__(variant)
        for r in self._runs_checked():
            if r.variant == variant:
                return r
        raise KeyError(f"no variant '{variant}'; the set has {', '.join(self.variants)}")

    def __iter__(self) -> Iterator[Scenario]:
        return iter(self.runs)

    def __len__(self) -> int:
        return len(self.runs)

    def __repr__(self) -> str:
        b = self.baseline
        return (f"<cohortgis.ScenarioSet '{b.name}': {len(b.zone_ids)} zones, {b.base_year}-{b.end_year}, "
                f"runs {', '.join(self.variants)}>")

    def add_variant(self, name: str, base: str = "baseline", description: Optional[str] = None) -> Scenario:
        """Adds a copy of run ``base`` named ``name`` and returns it, to be changed (e.g. ``set_tfr``)."""
        name = text_arg(name, "variant name")
        base = text_arg(base, "base")  # base=5 was a KeyError, "no variant '5'"
        if description is not None:
            description = text_arg(description, "description")
        _check_variant_name(name, "variant name")
        if name in self.variants:
            raise ValueError(f"variant '{name}' already exists")
        v = self[base].copy()
        v.variant = name
        v.variant_title = v.variant_title_en = ""  # not the base variant's title: maps and report name it `name`
        if description:
            v.assumptions = list(v.assumptions) + [f"Variant {name}: {description}"]
        self.runs.append(v)
        return v

    # copy.copy / copy.deepcopy as before pickling was refused (the copy module tries these before __reduce_ex__).
    def __copy__(self) -> "ScenarioSet":
        return copy_instance(self)

    def __deepcopy__(self, memo: dict) -> "ScenarioSet":
        # The loaded C++ set (the file's [outputs], targets, services, geometry for write_outputs) is only read: the
        # copy shares it; the runs, which a notebook changes, are copied.
        if self._loaded is not None:
            memo.setdefault(id(self._loaded), self._loaded)
        return copy_instance(self, memo)

    # Refused with the reason (pickle named only the first Scenario it met).
    def __reduce_ex__(self, protocol: object) -> object:
        raise TypeError("cannot pickle cohortgis.ScenarioSet: its scenarios hold C++ state that pickle cannot carry "
                        "(population-dependent schedules and other inputs of the scenario file). Pass the scenario "
                        "file's path to the other process and load_scenario it there, or run here and pickle the "
                        "results' runs (pickle.dumps(dict(res)); each RunResult pickles)")

    def zones(self) -> "geopandas.GeoDataFrame":  # noqa: F821
        """The zones as a GeoDataFrame (index: zone id; columns name, name_en, geometry), in the scenario's order: a
        new frame each call (changing it changes no map).

        Raises ValueError when the scenario has no zone geometry (no ``[geography.source]``).
        """
        return self._zones_for(self.baseline.zone_ids)

    def _zones_for(self, ids: Sequence[str]) -> "geopandas.GeoDataFrame":  # noqa: F821
        """The zones' rows for `ids`, in that order, taken by zone id: the maps and zones_frame set values by
        position, and the frame they read was the one zones() handed out (sorted in place by a notebook, it put each
        zone's value on another zone, silently), or a GeoDataFrame given in another row order."""
        if self._zones is None and self._zones_loader is not None:
            self._zones = self._zones_loader()
        if self._zones is None:
            raise ValueError(f"scenario '{self.baseline.name}' has no zone geometry (no [geography.source])")
        gdf = self._zones
        rows: Dict[str, int] = {}
        twice = []
        for k, i in enumerate(gdf.index):
            if str(i) in rows:
                twice.append(str(i))
            rows.setdefault(str(i), k)
        missing = [i for i in ids if i not in rows]
        if missing:
            raise ValueError(f"zones: no row for zone {', '.join(map(repr, missing[:5]))}"
                             f"{' …' if len(missing) > 5 else ''} of the scenario; expected a GeoDataFrame indexed by "
                             f"zone id with a row for each zone")
        wanted = set(ids)
        twice = [i for i in twice if i in wanted]
        if twice:
            raise ValueError(f"zones: zone {twice[0]!r} has two rows; expected one row for each zone id")
        out = gdf.iloc[[rows[i] for i in ids]].copy()
        out.index = out.index.map(str)
        return out

    def has_zones(self) -> bool:
        """Whether the set has zone geometry (needed by maps and zones_frame)."""
        return self._zones is not None or self._zones_loader is not None

    def run(self, threads: int = 0, progress: Progress = None, variants: Optional[Sequence[str]] = None,
            trajectories: Optional[int] = None, seed: Optional[int] = None,
            indicators: Optional[Sequence[str]] = None, components_by_age: Flag = False) -> Results:
        """Projects every run (or those named) and returns their :class:`Results`.

        With ``trajectories=N``: a probabilistic projection (scenarios/README.md "Probabilistic projections") of the
        ``[stochastic]`` assumptions of the scenario file the set came from; returns an :class:`Ensemble` (its
        ``quantiles`` frame, ``trajectories(indicator)`` as an xarray DataArray, and the deterministic ``results``).
        ``seed`` overrides the file's; ``indicators``: names of indicators.csv to keep (default: population, births,
        deaths, net_migration, share_65_plus_percent): its standard columns, the bands of the file's
        ``[outputs] indicators``, and the opt-in ones (age_15_17, age_80_plus, share_80_plus_percent,
        child_dependency_ratio, mean_age_childbearing, grr, nrr) even where the file does not ask for them, each once
        (a name given twice is a
        ``ValueError``, as in ``[outputs] indicators``). ``seed`` and ``indicators`` without ``trajectories``: a
        ``ValueError`` (a deterministic run draws nothing). A set without ``[stochastic]``
        deviations (or not loaded from a file) gives N copies of the deterministic run: a ``UserWarning`` says so
        before they run.

        The engine runs with the GIL released on ``threads`` worker threads (0: all cores). ``progress``: True to
        print steps to stderr, or a callable(done_steps, total_steps); with ``trajectories=N`` each run's ensemble then
        reports finished trajectories the same way (``trajectory 40/1000``, or callable(done, N)), about once a
        second and at the end. Ctrl-C raises KeyboardInterrupt after the engine has stopped; nothing is returned then.

        ``components_by_age=True`` keeps components.csv's per-cell components as well (each RunResult's
        ``components_by_age``, ``Results.components_frame(by_age=True)``): five arrays the size of the population's
        steps, so off by default (the runs keep the components summed over age).
        """
        threads = _threads(threads)
        components_by_age = flag(components_by_age, "components_by_age")
        # seed and indicators belong to the ensemble: without trajectories they were taken and ignored, silently
        # (run(seed="x") ran as run()).
        if trajectories is None:
            for what, value in (("seed", seed), ("indicators", indicators)):
                if value is not None:
                    raise ValueError(f"{what}: given without trajectories; {what} is for a probabilistic projection "
                                     f"(run(trajectories=N, {what}=…)), a deterministic run has none")
        # The runs as they are now (a progress callback or another thread adding variants to self.runs made the
        # loop below run them too, without end when each step added one).
        runs = self._check_names()
        by_name = {r.variant: r for r in runs}
        chosen = [by_name[v] for v in distinct_names(variants, "variants", "variant", "variant names",
                                                     known=list(by_name), holder="the set has")] \
            if variants is not None else runs
        if not chosen:
            raise ValueError(f"variants: none given; expected names of {', '.join(by_name)} (or None for all)")
        check_layout(chosen, f"scenario '{chosen[0].name}', variant")
        if trajectories is not None:
            # The ensemble's arguments checked before the deterministic runs it comes after: a misspelt indicator,
            # trajectories=0 or a seed of -1 was refused only once every run had been projected (minutes at
            # thousands of zones). Each read once, as its own value.
            from ._ensemble import ensemble_arguments
            trajectories, seed, indicators = ensemble_arguments(chosen, trajectories, seed, indicators)
        out = {}
        for sc in chosen:
            out[sc.variant] = _cohortgis.run(sc, threads, _progress_callback(progress, sc.variant), components_by_age)
        if trajectories is not None:
            from ._ensemble import run_ensemble
            return run_ensemble(chosen, self.file, trajectories, seed, threads, indicators,  # type: ignore[return-value]
                                Results(out, self), progress, self._loaded_with)
        return Results(out, self)

    def _check_names(self) -> List[Scenario]:
        """The runs, as a new list: Scenario objects (self.runs is a plain list a notebook may have appended anything
        to), at least one, with variant names as a scenario file's: non-empty, on one line, unique (they key every
        result); each run's own names and base population are checked by the engine's Scenario.validate
        (ValueError, before it runs)."""
        runs = self._runs_checked()
        if not runs:
            raise ValueError("a scenario set needs at least a baseline; its runs are empty")
        seen = set()
        for k, r in enumerate(runs):
            name = r.variant
            _check_variant_name(name, f"scenario '{r.name}': variant {k} name")
            # Each of r.zone_ids / zone_names / zone_names_en is a fresh list of every zone's string: read once (the
            # message was formatted for every name, reading zone_ids again: 9,000 × 3,000 strings copied at W3k).
            ids = list(r.zone_ids)
            n_zones = max(1, len(ids))
            for z, zone_name in enumerate(ids + list(r.zone_names) + list(r.zone_names_en)):
                if len(zone_name) > MAX_NAME_CHARS:
                    _check_name(zone_name, f"scenario '{r.name}', variant {name!r}: zone {z % n_zones}")
            if name in seen:
                raise ValueError(f"scenario '{r.name}': variant {k} name {name!r}: a second run of that name; expected "
                                 f"a name of its own")
            seen.add(name)
        return runs


def _is_geodataframe(value: object) -> bool:
    geopandas = sys.modules.get("geopandas")  # a GeoDataFrame cannot exist unless geopandas was imported
    return geopandas is not None and isinstance(value, geopandas.GeoDataFrame)


def _zones_from_set(loaded: object, ids: Sequence[str], names: Sequence[str],
                    names_en: Sequence[str]) -> "geopandas.GeoDataFrame":  # noqa: F821
    """The zones of a loaded set's [geography.source] as a GeoDataFrame (index: zone id; name, name_en, geometry), in
    scenario order: read by the C++ reader the command line's maps use (_cohortgis.zone_geometry), with the source's
    encoding, crs and make_valid."""
    import geopandas
    import pandas as pd

    wkb, crs = _cohortgis.zone_geometry(loaded, list(ids))
    return geopandas.GeoDataFrame({"name": list(names), "name_en": list(names_en)},
                                  index=pd.Index(list(ids), name="id"),
                                  geometry=geopandas.GeoSeries.from_wkb(wkb).values, crs=crs)


def load_scenario(scenario: str = "default", data_dir: Optional[str] = None,
                  allow_read: Optional[Sequence[str]] = None, allow_db: Optional[Sequence[str]] = None,
                  threads: int = 0) -> ScenarioSet:
    """Loads a scenario file (.toml) or 'default' exactly as ``cohortgis run`` does.

    ``data_dir``: the folder with census/, geo/ and wpp/ (default, as ``cohortgis run``: $COHORTGIS_DATA_DIR, else
    the installed data folder (pip: ``cohortgis/share/data``), else the source tree's data/). The scenario reads files only inside its own folder, the data folder and the ``allow_read`` folders
    (``--allow-read``), and databases only among the ``allow_db`` PostgreSQL services (``--allow-db``); see
    scenarios/README.md "Where inputs may come from". Errors raise ValueError with the command line's message
    (file:line:column: key …). ``threads``: how many threads parse a large CSV table at once (0: all cores, as
    :meth:`ScenarioSet.run`); the set is the same for any.
    """
    if scenario == "":  # as on the command line: "" is a mistake (an unset variable), not the default scenario
        raise ValueError("scenario: an empty path; expected a scenario file or 'default'")
    # Each read once: the set keeps the folders it was loaded with (write_outputs, an ensemble and backtest read the
    # file again with them), and a generator read a second time was empty (allow_read=(p for p in [dir]) loaded, then
    # the ensemble's second load was refused its tables), a PathLike whose __fspath__ changes another folder.
    path = _path(scenario, "scenario")
    loaded_with = (_data_dir(data_dir), _paths(allow_read, "allow_read"), _paths(allow_db, "allow_db"))
    s = _cohortgis.load_scenario_file(path, loaded_with[0], list(loaded_with[1]), list(loaded_with[2]),
                                      _threads(threads))
    runs = s.runs
    b = runs[0]
    loader = None
    if s.zones_source_path:
        args = (s, b.zone_ids, b.zone_names, b.zone_names_en)
        loader = lambda: _zones_from_set(*args)  # noqa: E731  (read on first use: maps need it, runs do not)
    sset = ScenarioSet(runs, file=s.file, zones_loader=loader)
    sset._loaded = s
    sset._loaded_with = loaded_with
    return sset


def run(scenario: Union[Scenario, ScenarioSet], threads: int = 0, progress: Progress = None,
        variants: Optional[Sequence[str]] = None, trajectories: Optional[int] = None, seed: Optional[int] = None,
        indicators: Optional[Sequence[str]] = None, components_by_age: Flag = False) -> Results:
    """Projects a :class:`Scenario` or every run of a :class:`ScenarioSet` (or those named in ``variants``), with
    the same arguments as :meth:`ScenarioSet.run` (``trajectories=N``: an :class:`Ensemble`)."""
    sset = scenario if isinstance(scenario, ScenarioSet) else ScenarioSet([scenario])
    return sset.run(threads=threads, progress=progress, variants=variants, trajectories=trajectories, seed=seed,
                    indicators=indicators, components_by_age=components_by_age)


def write_outputs(scenario: Union[str, "os.PathLike[str]", ScenarioSet] = "default", out_dir: str = "results",
                  threads: int = 0,
                  data_dir: Optional[str] = None, allow_read: Optional[Sequence[str]] = None,
                  allow_db: Optional[Sequence[str]] = None, format: str = "", compress: Flag = False,
                  components: Union[str, Sequence[str], None] = None, indicators_csv: Flag = False,
                  progress: Progress = None, results_nc_hash: Flag = True) -> dict:
    """Runs the ``cohortgis run`` job itself (cohortgis::app::run): writes population.csv, indicators.csv, … and
    manifest.json into ``out_dir`` (replaced only when complete). Returns the run's summary as a dict.
    ``scenario``: a scenario file (.toml) or 'default', loaded as ``cohortgis run`` loads it; or a
    :class:`ScenarioSet` (from load_scenario or scenario_from_frames, changed in Python or not): its runs as they are
    now, with the targets, services, ``[outputs]``, ``[stochastic]``, ``[monitoring]`` and zone geometry of the file
    it came from, projected and written by the same job (an unchanged set writes the command line's files; its
    manifest.json has ``scenario.note`` saying the runs came from Python). ``data_dir``, ``allow_read`` and
    ``allow_db`` default to those the set was loaded with.
    ``threads``, ``data_dir``, ``allow_read``/``allow_db``: as for :func:`load_scenario`. The report (results.gpkg,
    results.xlsx, maps, charts, report.html) is written as by ``cohortgis run`` without ``--no-report``. ``format``: population and components as ``"csv"``,
    ``"netcdf"`` (results.nc), ``"both"``, or ``""`` (by size, docs/results.md); ``compress``: results.nc deflated.
    In the netcdf format (asked for or by size) the indicators are in results.nc's ``indicators`` only, with no
    indicators.csv unless ``indicators_csv=True`` (``cohortgis run --indicators-csv``).
    ``components``: the per-cell components written to components.csv / results.nc, names as written there (e.g.
    ``["births", "deaths"]`` or ``"births,deaths"``), ``"all"`` or ``"none"`` (``cohortgis run --components``);
    ``None`` (default): the scenario file's ``[outputs] components`` (``true`` when it says nothing: all). An unknown
    name raises ValueError listing the valid ones; an empty list is ``"none"``, as ``[outputs] components = []``. ``compress``, ``indicators_csv`` and ``results_nc_hash`` are True
    or False (NumPy's ``bool_`` too), ``format`` a str (another type, 0 and 1 too: TypeError). ``progress``: as for :meth:`ScenarioSet.run` (True: steps on stderr, or a
    callable(done_steps, total_steps)), for each variant's projection; None (default) or False: quiet.
    ``results_nc_hash=False`` (``cohortgis run --no-results-nc-hash``): manifest.json lists results.nc by its size,
    with an empty sha256, instead of reading the file back to hash it (gigabytes at tens of thousands of zones);
    ``report``/``map``/``info`` then check its size only (docs/results.md); with ``format="csv"`` (no results.nc) it
    is a ValueError, as ``compress=True`` is."""
    # One Scenario or the results are not what the job projects: say what to pass instead of "expected a path".
    if isinstance(scenario, Scenario):
        raise TypeError("scenario: expected a scenario file (.toml), 'default' or a ScenarioSet, got a Scenario; "
                        "pass the ScenarioSet it belongs to (load_scenario's), or cohortgis.ScenarioSet([scenario]) "
                        "for a baseline built in Python")
    if isinstance(scenario, Results):
        raise TypeError("scenario: expected a scenario file (.toml), 'default' or a ScenarioSet, got Results; "
                        "write_outputs projects and writes in one job: pass the ScenarioSet the results came from")
    # Checked here (flag): bool("no") is True (a string switched indicators.csv on), None reached pybind11 as an
    # "incompatible function arguments" listing.
    compress, indicators_csv = flag(compress, "compress"), flag(indicators_csv, "indicators_csv")
    results_nc_hash = flag(results_nc_hash, "results_nc_hash")
    if not isinstance(format, str):
        raise TypeError(f"format: expected 'csv', 'netcdf', 'both' or '' (by size), got {type(format).__name__}")
    # As text the job takes (text_arg): a lone surrogate reached pybind11's "incompatible function arguments" listing,
    # a NUL was shown cut in the job's message.
    format = text_arg(format, "format")
    if components is None:
        components = []
    elif isinstance(components, str):
        components = components.split(",")
    elif not isinstance(components, (list, tuple)) or not all(isinstance(c, str) for c in components):
        raise TypeError(f"components: expected a string or a list of strings, not {type(components).__name__}")
    elif not components:  # none, as the file's `[outputs] components = []` (it was read as None: all of them)
        components = ["none"]
    components = [text_arg(c, "components") for c in components]
    report = None
    if _progress_callback(progress, "") is not None:  # a bad progress is a TypeError before the run
        def report(variant: str, done: int, total: int) -> None:
            _progress_callback(progress, variant)(done, total)  # type: ignore[misc]
    if isinstance(scenario, ScenarioSet):
        runs = scenario._check_names()
        loaded_dir, loaded_read, loaded_db = scenario._loaded_with
        return _cohortgis.app_run_set(
            scenario._loaded, runs, _PYTHON_SET_NOTE, _path(out_dir, "out_dir"), _threads(threads),
            _path(data_dir, "data_dir") if data_dir is not None else loaded_dir,
            _paths(allow_read, "allow_read") if allow_read is not None else list(loaded_read),
            _paths(allow_db, "allow_db") if allow_db is not None else list(loaded_db), format, compress,
            list(components), indicators_csv, report, results_nc_hash)
    return _cohortgis.app_run(_path(scenario, "scenario"), _path(out_dir, "out_dir"), _threads(threads),
                              _data_dir(data_dir), _paths(allow_read, "allow_read"),
                              _paths(allow_db, "allow_db"), format, compress, list(components),
                              indicators_csv, report, results_nc_hash)


# manifest.json's scenario.note of write_outputs(ScenarioSet): the inputs it lists are the file's, the runs Python's.
_PYTHON_SET_NOTE = ("projected from a cohortgis.ScenarioSet by write_outputs: its runs as they were in Python, which "
                    "may differ from the scenario file whose inputs are listed")
