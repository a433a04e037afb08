# SPDX-License-Identifier: Apache-2.0
"""Results of a run as NumPy views, long pandas DataFrames (the CLI's CSV layouts) and GeoDataFrames."""
from __future__ import annotations

import math
import numbers
import operator
from typing import (TYPE_CHECKING, Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, TypeVar,
                    Union)

import numpy as np

from . import _cohortgis, _plot

# pandas is imported by the methods that build frames, not here: `import cohortgis` then costs no pandas (0.17 s, the
# most of what load_scenario took beyond the command line's load), and running a scenario needs none.
if TYPE_CHECKING:  # pragma: no cover
    import geopandas
    import pandas as pd

    from . import ScenarioSet
    from ._cohortgis import RunResult

SEXES = ("female", "male")
T = TypeVar("T")
# A switch argument as flag() takes it: True or False, NumPy's bool_ too (the type the public signatures give).
Flag = Union[bool, np.bool_]


# The most items a list argument (groups, variants, indicators, allow_read, a set's runs, …) may have: far more than
# any needs, few enough that an endless iterator (itertools.count()) stops within a second instead of filling memory.
MAX_LIST_ITEMS = 100_000


def bounded(values: Iterable[T], what: str, limit: Optional[int] = None, expected: str = "") -> Iterator[T]:
    """The items of an iterable argument, one at a time, read at most limit + 1 of them (default MAX_LIST_ITEMS): past
    `limit` a ValueError naming `what` (an endless iterator was read into a list until memory ran out). `expected`
    says what the limit means where it is not MAX_LIST_ITEMS."""
    if limit is None:
        limit = MAX_LIST_ITEMS
    for k, v in enumerate(values):
        if k == limit:
            raise ValueError(f"{what}: more than {limit:,} items; expected " +
                             (expected or f"at most {limit:,} (cohortgis.MAX_LIST_ITEMS)") +
                             " (an endless iterator, such as itertools.count(), is read no further)")
        yield v


def text_arg(value: object, what: str) -> str:
    """A text argument (a title, a name, a label) as the C++ side takes it: a str in UTF-8. Another type is a
    TypeError, a str holding lone surrogates (os.fsdecode of bytes that are not UTF-8, '\\udcff') or a NUL character
    a ValueError, each naming `what`: pybind11 answered either with its "incompatible function arguments" listing,
    which for scenario_from_frames repeated every table cell."""
    if not isinstance(value, str):
        raise TypeError(f"{what}: expected a str, got {type(value).__name__}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"{what}: {value[:60]!r} is not UTF-8 text (it holds a lone surrogate, as os.fsdecode makes "
                         f"of bytes that are not UTF-8); expected text in UTF-8") from None
    # C++ reads such text up to its first NUL in places (Pango drew a title "A\0B" as "A", silently).
    if "\0" in value:
        raise ValueError(f"{what}: {value[:60]!r} holds a NUL character; expected text without one")
    # The plain str it holds: a subclass's own __eq__ (one saying yes to anything) matched the first indicator, zone
    # or variant whatever was asked for, and its own __hash__ missed the dicts.
    return str.__str__(value)


def plain_int(value: numbers.Integral) -> int:
    """An Integral as a plain int: an int subclass's value (its own __index__, __int__ and comparisons not asked),
    NumPy's ints by int()."""
    return int.__index__(value) if isinstance(value, int) else int(value)


def shown_value(value: object) -> str:
    """A value as the argument checks show it, as the compiled classes' (python/src/arguments.hpp): its repr, cut at
    60 characters; an int past 64 bits by its size (its digits could fill the message, and past 4300 digits repr
    raises)."""
    if isinstance(value, int) and not -2 ** 63 <= int.__index__(value) < 2 ** 63:
        return f"an int of {int.__index__(value).bit_length()} bits"
    try:
        text = repr(value)
    except Exception:  # a repr that fails (a Fraction of huge terms) is no reason to lose the message
        return f"a {type(value).__name__}"
    return text if len(text) <= 60 else text[:60] + "…"


def whole_int(value: object, what: str, expected: str = "an int", lo: Optional[int] = None,
              hi: Optional[int] = None) -> int:
    """The one check of an int argument: an Integral, not a bool, read once as its own value (plain_int); anything
    else (2.5, "5", True) a TypeError, and one outside lo … hi (where given) a ValueError, each naming `what`, the
    value and `expected`, in the words of the compiled classes' int_of (python/src/arguments.hpp): "step: 2.5 (float)
    is not an int; expected 1 or 5", "classes: 50 is out of range; expected an int from 2 to 9"."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{what}: {shown_value(value)} ({type(value).__name__}) is not an int; expected {expected}")
    v = plain_int(value)
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        raise ValueError(f"{what}: {shown_value(v)} is out of range; expected {expected}")
    return v


def flag(value: object, what: str) -> bool:
    """The one check of a switch argument (report=, compress=, components_by_age=, by_age=, progress=True): True or
    False, NumPy's bool_ too (a comparison of NumPy values gives one), as a plain bool; anything else (1, 0, None,
    "no") a TypeError naming `what`, in the words of the compiled functions' flag_of (python/src/arguments.hpp):
    "report: 1 (int) is not a bool; expected True or False". As whole_int takes no bool for an int, this takes no int
    for a bool; bool("no") is True (a string switched indicators.csv on)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{what}: {shown_value(value)} ({type(value).__name__}) is not a bool; expected True or False")
    return bool(value)


def real_number(value: object, what: str, expected: str = "a real number") -> float:
    """The one check of a number argument (a path's value, a rate, a share), as float: an int, a float, NumPy's,
    Decimal, Fraction (a 0-d array of a number dtype too). A bool, a complex number, text and anything else float()
    does not take are a TypeError naming `what`, and a number past a float's range (10**400) a ValueError, in the words
    of the compiled classes' real_of (python/src/arguments.hpp): float() took the real part of NumPy's complex numbers
    with only a ComplexWarning, True as 1, "1.5" and a 0-d array of text as 1.5, and 2**1000 raised a bare
    OverflowError. What __float__ raises besides TypeError and ValueError (KeyboardInterrupt) goes on."""
    kind = getattr(getattr(value, "dtype", None), "kind", None)
    refused = TypeError(f"{what}: {shown_value(value)} ({type(value).__name__}) is not a real number; expected "
                        f"{expected}")
    if isinstance(value, (bool, np.bool_, str, bytes, complex, np.complexfloating)) or \
            (kind is not None and kind not in "iuf"):
        raise refused
    try:
        return float(value)  # type: ignore[arg-type]
    except OverflowError:
        raise ValueError(f"{what}: a number past a float's range; expected {expected}") from None
    except (TypeError, ValueError):
        raise refused from None


# What a year takes, in the words of the compiled set_*_path (python/src/arguments.hpp kYearExpected).
YEAR_EXPECTED = "a year (a whole number from -2147483648 to 2147483647)"


def whole_year(value: object) -> Optional[int]:
    """The one rule for a year given as a value (a path's year key here and in the compiled set_*_path, whose year_of
    in python/src/arguments.hpp applies it too; a year of the results): an int or an object with __index__ (NumPy's
    ints), at any size; else a value whose int() and float() agree (2030.0, NumPy's float32(2030), Decimal("2030"),
    the text "2030"); never a bool (NumPy's neither). None when it is not a whole year (2030.5, inf, NaN, "soon"):
    int() cut 2030.5 to 2030. What __index__, __int__ or __float__ raise besides TypeError, ValueError and
    OverflowError (KeyboardInterrupt) goes on."""
    if isinstance(value, (bool, np.bool_)):
        return None
    try:
        return operator.index(value)  # type: ignore[arg-type]
    except TypeError:  # not an int, or an __index__ that raises TypeError: read by int() and float()
        pass
    try:
        year = int(value)  # type: ignore[call-overload]
        return year if float(value) == year else None  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):  # inf, NaN, 2**2000, text that is no number
        return None


def year_value_points(items: object, what: str, first_year: Optional[int] = None,
                      last_year: Optional[int] = None) -> Dict[int, float]:
    """{year: value} from the (key, value) pairs of a dict or a pandas Series: whole years (whole_year; inside
    first_year … last_year where given), each once (a Series may repeat an index label: the last of two values was kept
    without a word, and an endless items() ran without end), values as real_number. ValueError naming `what` otherwise
    (a value that is no number: real_number's TypeError), in the words of the compiled set_*_path."""
    out: Dict[int, float] = {}
    for k, v in items:  # type: ignore[attr-defined]
        year = whole_year(k)
        if year is None:
            raise ValueError(f"{what}: year {shown_value(k)} ({type(k).__name__}) is not a whole year; expected "
                             f"{YEAR_EXPECTED}")
        if not -2 ** 31 <= year < 2 ** 31:  # shown_value: its digits (2**100000: 30,103) would be the message
            raise ValueError(f"{what}: year {shown_value(year)} is out of range; expected {YEAR_EXPECTED}")
        if first_year is not None and last_year is not None and not first_year <= year <= last_year:
            raise ValueError(f"{what}: year {year} is outside the projection horizon {first_year}-{last_year}")
        if year in out:
            raise ValueError(f"{what}: year {year} is listed twice; expected each year once")
        out[year] = real_number(v, f"{what}: year {year}")
    if not out:
        raise ValueError(f"{what}: no years; expected {{year: value, …}}")
    return out


def year_path(path: object, what: str, first_year: Optional[int] = None,
              last_year: Optional[int] = None) -> Union[float, Dict[int, float]]:
    """A path over years as set_tfr, set_srb, set_mean_age and scenario_from_frames's srb and tfr take it: a number,
    constant at every year (real_number: an int, a float, NumPy's, a Fraction, a 0-d array of a number dtype), as a
    float; or a {year: value} mapping or pandas Series by year, as year_value_points reads it (inside first_year …
    last_year where given). A bool or anything else is a TypeError naming `what`."""
    if isinstance(path, (bool, np.bool_)):
        raise TypeError(f"{what}: expected a number, a {{year: value}} dict or a pandas Series, got bool")
    if isinstance(path, numbers.Real) or (hasattr(path, "dtype") and getattr(path, "ndim", 1) == 0):
        return real_number(path, what)
    items = path.items() if hasattr(path, "items") else None  # type: ignore[attr-defined]
    if items is None:
        raise TypeError(f"{what}: expected a number, a {{year: value}} dict or a pandas Series, got "
                        f"{type(path).__name__}")
    return year_value_points(items, what, first_year, last_year)


def distinct_names(values: object, what: str, noun: str, names: str, *, known: Optional[Sequence[str]] = None,
                   holder: str = "", most: Optional[int] = None, convert: Optional[Callable[[object], str]] = None
                   ) -> List[str]:
    """The one reading of a list of names (variants=, indicators=, groups, an aggregate's zone ids): None gives [];
    a str (or bytes) is a TypeError, not its characters ('more' asked for variants 'm', 'o' …, 'local' made groups of
    its letters), as is an object that is not iterable; `names` says what the list holds ("variant names"). Each item
    is read once, one at a time, as `convert` makes it a name (default text_arg: a str, as the plain str it holds: a
    str subclass's own __hash__ missed the runs' dict), and reading stops at the first name not in `known` (where
    given: a KeyError saying what `holder` has, "the set has"), given twice (a ValueError, as a scenario file's lists
    refuse it) or past `most` names (default MAX_LIST_ITEMS): an endless iterator (itertools.repeat) raises instead of
    growing a list until memory runs out. `noun`: one name's kind ("variant"), for the messages."""
    if values is None:
        return []
    if isinstance(values, (str, bytes)):
        shown = values[:40]
        raise TypeError(f"{what}: expected a list of {names}, got the {type(values).__name__} {shown!r} (write "
                        f"[{shown!r}])")
    try:
        items = iter(values)  # type: ignore[call-overload]
    except TypeError:
        raise TypeError(f"{what}: expected a list of {names}, got {type(values).__name__}") from None
    out: List[str] = []
    seen = set()
    for v in bounded(items, what) if most is None else items:
        name = convert(v) if convert is not None else text_arg(v, what)
        if known is not None and name not in known:
            raise KeyError(f"no {noun} '{name}'; {holder} {', '.join(known)}")
        if name in seen:
            raise ValueError(f"{what}: {noun} {name!r} is listed twice; expected each {noun} once")
        if most is not None and len(out) == most:
            raise ValueError(f"{what}: more than {most} {noun}s; expected at most {most} (each once)")
        seen.add(name)
        out.append(name)
    return out


def check_layout(runs: Sequence[object], what: str) -> None:
    """Runs kept together (a set's run(), a Results: its frames, maps and to_xarray index every run by the first's
    zones, years, groups and ages) in the first's layout, as a scenario file's variants are and write_outputs checks
    (app check_host_set): a variant given other zones had its rows labelled with the baseline's zone ids. `runs`:
    Scenario or RunResult objects (both have these attributes)."""
    def layout(r: object) -> tuple:
        return (list(r.zone_ids), list(r.group_names), r.step_years, list(r.age_starts), r.base_year, r.steps)

    first = layout(runs[0]) if runs else None
    for r in runs[1:]:
        if layout(r) != first:
            raise ValueError(f"{what} '{r.variant}': its zones, groups, age grid or years differ from those of "
                             f"'{runs[0].variant}'; expected every run of a set in the baseline's layout (change a "
                             f"variant's assumptions, not its shape)")


PARITY_STATES = ("0", "1", "2", "3+")  # children ever born (population.csv's parity column)


def _with_parity(df: pd.DataFrame, population: np.ndarray, shares: np.ndarray, variant: str, res) -> pd.DataFrame:
    """population.csv's rows of a parity run: the women of each (year, zone, group, age) as four rows by parity (the
    cell times its share, the C++ writer's product), the men as one row 'all'; women before men in each block."""
    import pandas as pd
    n_ages = len(res.age_starts)
    women = population[:, :, :, 0, :, None] * np.moveaxis(shares, 3, 4)  # [year][zone][group][age][parity]
    idx = pd.MultiIndex.from_product(
        [[variant], res.years, res.zone_ids, res.group_names, ["female"], res.age_starts, list(PARITY_STATES)],
        names=list(df.columns[:-1]))
    f = pd.DataFrame({"population": women.reshape(-1)}, index=idx).reset_index()
    m = df[df["sex"] == "male"].reset_index(drop=True)
    blocks = len(res.years) * len(res.zone_ids) * len(res.group_names)
    per_block = (len(PARITY_STATES) + 1) * n_ages  # rows of one (year, zone, group) in population.csv
    f_key = np.repeat(np.arange(blocks), len(PARITY_STATES) * n_ages) * per_block + \
        np.tile(np.arange(len(PARITY_STATES) * n_ages), blocks)
    m_key = np.repeat(np.arange(blocks), n_ages) * per_block + len(PARITY_STATES) * n_ages + \
        np.tile(np.arange(n_ages), blocks)
    out = pd.concat([f, m], ignore_index=True)
    order = np.argsort(np.concatenate([f_key, m_key]), kind="stable")
    return out.iloc[order].reset_index(drop=True)


def age_labels(age_starts: Sequence[int], step_years: int) -> List[str]:
    """'0-4' … '85+' (five-year grids) or '0' … '100+' (single years), as the CLI's charts label ages."""
    out = []
    for k, a in enumerate(age_starts):
        if k == len(age_starts) - 1:
            out.append(f"{a}+")
        elif step_years == 1:
            out.append(str(a))
        else:
            out.append(f"{a}-{a + step_years - 1}")
    return out


def copy_instance(obj: object, memo: Optional[dict] = None) -> object:
    """A copy of a Python-level cohortgis object by its __dict__: shallow without memo, deep with it (copy.deepcopy's
    memo). For the classes whose __reduce_ex__ refuses pickling, which copy.copy and copy.deepcopy would otherwise
    reach."""
    import copy

    cls = type(obj)
    out = cls.__new__(cls)
    if memo is None:
        out.__dict__.update(obj.__dict__)
        return out
    memo[id(obj)] = out
    for k, v in obj.__dict__.items():
        out.__dict__[k] = copy.deepcopy(v, memo)
    return out


class Results(Mapping[str, "RunResult"]):
    """The runs of one projection, by variant ('baseline' first). ``results[variant]`` is the C++ RunResult."""

    def __init__(self, runs: Dict[str, "RunResult"], scenario_set: Optional["ScenarioSet"] = None) -> None:
        # Checked here (Results(runs) rebuilds pickled runs): {} raised StopIteration, None an AttributeError, and runs
        # of other layouts gave frames of mislabelled rows or pandas' length errors.
        if not isinstance(runs, Mapping):
            raise TypeError(f"runs: expected a {{variant: RunResult}} dict, got {type(runs).__name__}")
        # Keys are variant names, as plain str (a str subclass's own __hash__ missed them in __getitem__): {1: run}
        # was taken, and its frames had a variant column of ints that no name could select.
        self._runs = {}
        for name, r in bounded(runs.items(), "runs"):
            if not isinstance(name, str):
                raise TypeError(f"runs: key {name!r} ({type(name).__name__}): expected a variant name (str) as each "
                                f"key, e.g. {{'baseline': run}}")
            name = str.__str__(name)
            if name in self._runs:  # two keys of one name (a str subclass hashing otherwise beside the str)
                raise ValueError(f"runs: variant {name!r} is listed twice; expected each variant once")
            self._runs[name] = r
        if not self._runs:
            raise ValueError("runs: no runs; expected a {variant: RunResult} dict (e.g. pickle.loads(pickle.dumps("
                             "dict(results))))")
        for name, r in self._runs.items():
            if not isinstance(r, _cohortgis.RunResult):
                raise TypeError(f"runs: variant {name!r}: expected a cohortgis.RunResult, got {type(r).__name__}")
        check_layout(list(self._runs.values()), "runs: variant")
        from . import ScenarioSet

        # Checked here: Results(runs, 5) failed in map() and pyramid() with "'int' object has no attribute 'zones'".
        if scenario_set is not None and not isinstance(scenario_set, ScenarioSet):
            raise TypeError(f"scenario_set: expected the cohortgis.ScenarioSet the runs came from (or None), got "
                            f"{type(scenario_set).__name__}")
        self._set = scenario_set
        first = next(iter(self._runs.values()))
        # The aggregates' zones as the runs had them (pyramid): read from the set's baseline when it was changed after
        # the run, an aggregate the runs report was refused once dropped there, and drawn of the zones it was given
        # since, beside indicators of the old ones. Only those the runs report (their unit_names).
        units = set(first.unit_names)
        base = scenario_set.runs[0] if scenario_set is not None and len(scenario_set.runs) else None
        self._aggregates: Dict[str, List[str]] = (
            {name: list(zones) for name, zones in base.aggregates if name in units}
            if isinstance(base, _cohortgis.Scenario) else {})
        self.years: List[int] = list(first.years)
        self.zone_ids: List[str] = list(first.zone_ids)
        self.group_names: List[str] = list(first.group_names)
        self.age_starts: List[int] = list(first.age_starts)
        self.step_years: int = first.step_years

    # Mapping interface: results["baseline"] → RunResult
    def __getitem__(self, variant: str) -> "RunResult":
        try:  # a str subclass as the plain str it holds (its own __hash__ missed the dict's keys)
            return self._runs[str.__str__(variant) if isinstance(variant, str) else variant]
        except TypeError:  # a list or a dict: "unhashable type: 'list'" named neither the variant nor the fix
            raise TypeError(f"variant: expected a variant name (str), got {type(variant).__name__}; the results have "
                            f"{', '.join(self._runs)}") from None
        except KeyError:
            raise KeyError(f"no variant '{variant}'; the results have {', '.join(self._runs)}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._runs)

    def __len__(self) -> int:
        return len(self._runs)

    def __repr__(self) -> str:
        return (f"<cohortgis.Results {self.years[0]}-{self.years[-1]}, {len(self.zone_ids)} zones, "
                f"variants {', '.join(self._runs)}>")

    @property
    def variants(self) -> List[str]:
        """Names of the runs, in run order ('baseline' first when it was run)."""
        return list(self._runs)

    def _variant_names(self, variants: Optional[Sequence[str]]) -> List[str]:
        """variants= of the frames and to_xarray: names of these runs, each once (every run for None). None given
        ([]) is a ValueError, as ScenarioSet.run(variants=[]) is: it gave every run, silently."""
        names = distinct_names(variants, "variants", "variant", "variant names", known=self.variants,
                               holder="the results have")
        if variants is not None and not names:
            raise ValueError(f"variants: none given; expected names of {', '.join(self.variants)} (or None for all)")
        return names or self.variants

    def _year_index(self, year: Optional[int]) -> int:
        if year is None:
            return len(self.years) - 1
        # int(2030.5) is 2030: a year that is not whole is refused, not cut to another year (whole_year's rule).
        whole = whole_year(year)
        if whole is None:
            raise ValueError(f"year {shown_value(year)} ({type(year).__name__}) is not a whole year; expected one of "
                             f"the results' years ({', '.join(map(str, self.years))})")
        try:
            return self.years.index(whole)
        except ValueError:
            raise ValueError(f"year {year}: not a year of the results ({', '.join(map(str, self.years))})") from None

    # ---- NumPy ---------------------------------------------------------------------------------------------------
    def population(self, variant: str = "baseline") -> np.ndarray:
        """Persons [year][zone][group][sex][age]: a read-only view of the C++ result buffer (no copy)."""
        return self[variant].population

    def indicators(self, variant: str = "baseline") -> np.ndarray:
        """Indicators [year][unit][group slot][indicator]: a read-only view (names on the RunResult)."""
        return self[variant].indicators

    # ---- xarray (results.nc's layout) --------------------------------------------------------------------------------
    def to_xarray(self, variants: Optional[Sequence[str]] = None) -> "xarray.Dataset":  # noqa: F821
        """The runs as an ``xarray.Dataset`` with results.nc's dimensions, coordinates and names (docs/results.md
        "results.nc"): ``population`` (variant, year, zone, group, sex, age), ``indicators`` (variant, year, unit,
        indicator_group, indicator), ``zone_name``, ``zone_name_en`` and the components a run keeps, summed over age
        (``cell_methods = "age: sum"``; NaN in the base year): ``births`` (as results.nc's), ``deaths`` (results.nc's
        summed over age) and ``net_migration_and_transfers`` (results.nc's net_migration + transfer_in −
        transfer_out, summed over age). Runs made with ``run(components_by_age=True)`` have results.nc's components
        by age instead: ``deaths``, ``net_migration``, ``transfer_in``, ``transfer_out`` and ``floor_adjustment``
        (variant, year, zone, group, sex, age), as the file's. ``variants``:
        names, in that order (default: every run). The arrays are copied into the variant dimension; for one run
        without a copy, ``results[variant].to_xarray()``."""
        from ._xarray import results_dataset
        return results_dataset([self[v] for v in self._variant_names(variants)
                                or self.variants])

    # copy.copy / copy.deepcopy as before pickling was refused (the copy module tries these before __reduce_ex__).
    def __copy__(self) -> "Results":
        return copy_instance(self)

    def __deepcopy__(self, memo: dict) -> "Results":
        return copy_instance(self, memo)

    # Refused with the reason: a Results holds its ScenarioSet (maps and pyramids read its zones), whose C++
    # scenarios cannot be pickled.
    def __reduce_ex__(self, protocol: object) -> object:
        raise TypeError("cannot pickle cohortgis.Results: it holds its ScenarioSet (for maps), whose scenarios "
                        "cannot be pickled. Pickle its runs instead, pickle.dumps(dict(res)) (each RunResult pickles), "
                        "and rebuild with cohortgis.Results(runs) (frames and to_xarray; maps need the zones: "
                        "cohortgis.Results(runs, scenario_set))")

    # ---- long DataFrames (the CLI's CSV layouts) --------------------------------------------------------------------
    def population_frame(self, variants: Optional[Sequence[str]] = None) -> pd.DataFrame:
        """Columns variant, year, zone, group, sex, age, parity, population: population.csv's rows, in its order.
        parity is 'all', except for the women of a run with [fertility] parity_rates: four rows per cell, '0', '1',
        '2', '3+' (children ever born), each the cell's persons times its share (RunResult.parity_shares)."""
        import pandas as pd
        frames = []
        names = ["variant", "year", "zone", "group", "sex", "age", "parity"]
        for v in self._variant_names(variants) or self.variants:
            r = self[v]
            idx = pd.MultiIndex.from_product(
                [[v], self.years, self.zone_ids, self.group_names, list(SEXES), self.age_starts, ["all"]], names=names)
            df = pd.DataFrame({"population": r.population.reshape(-1)}, index=idx).reset_index()
            shares = r.parity_shares
            if shares is not None:
                frames.append(_with_parity(df, r.population, shares, v, self))
            else:
                frames.append(df)
        return pd.concat(frames, ignore_index=True)

    def indicator_frame(self, variants: Optional[Sequence[str]] = None) -> pd.DataFrame:
        """Columns variant, year, zone, group, indicator, value: indicators.csv's rows (zone = zone id or aggregate;
        group 'all' = every group). The base year has the stock indicators only, as in indicators.csv. A parity run
        ([fertility] parity_rates) has parity.csv's indicators after the engine's, group 'all', as indicators.csv."""
        import pandas as pd
        frames = []
        for v in self._variant_names(variants) or self.variants:
            r = self[v]
            idx = pd.MultiIndex.from_product(
                [[v], self.years, list(r.unit_names), list(r.group_slots), list(r.indicator_names)],
                names=["variant", "year", "zone", "group", "indicator"])
            df = pd.DataFrame({"value": r.indicators.reshape(-1)}, index=idx).reset_index()
            stock = dict(zip(r.indicator_names, r.indicator_is_stock))
            keep = (df["year"] != self.years[0]) | df["indicator"].map(stock)
            frames.append(df[keep])
        # indicators.csv appends them after every variant's engine rows
        for v in self._variant_names(variants) or self.variants:
            r = self[v]
            if r.parity_indicators is None:
                continue
            idx = pd.MultiIndex.from_product(
                [[v], self.years[1:], list(r.unit_names), ["all"], list(r.parity_indicator_names)],
                names=["variant", "year", "zone", "group", "indicator"])
            frames.append(pd.DataFrame({"value": r.parity_indicators.reshape(-1)}, index=idx).reset_index())
        return pd.concat(frames, ignore_index=True)

    def parity_frame(self, variants: Optional[Sequence[str]] = None) -> pd.DataFrame:
        """Columns variant, zone, year, then births_order_1 … mothers_lost_only_child_60plus: parity.csv's rows, in its
        order (per variant and step's end year: the zones, then the aggregates, 'total' last; all groups pooled). Empty
        (no rows) when no run has [fertility] parity_rates."""
        import pandas as pd
        frames = []
        for v in self._variant_names(variants) or self.variants:
            r = self[v]
            if r.parity_indicators is None:
                continue
            values = np.array(r.parity_indicators)  # [step][unit][indicator]
            idx = pd.MultiIndex.from_product([[v], self.years[1:], list(r.unit_names)],
                                             names=["variant", "year", "zone"])
            df = pd.DataFrame(values.reshape(-1, values.shape[2]), index=idx,
                              columns=list(r.parity_indicator_names)).reset_index()
            frames.append(df[["variant", "zone", "year"] + list(r.parity_indicator_names)])
        if not frames:
            return pd.DataFrame(columns=["variant", "zone", "year"])
        return pd.concat(frames, ignore_index=True)

    def components_frame(self, variants: Optional[Sequence[str]] = None, by_age: Flag = False) -> pd.DataFrame:
        """Columns variant, period, zone, group, sex, component (births, deaths, net_migration), persons per step.
        Period 'a-b' covers the years a … b (the step from the end of a-1 to the end of b). Sums over age of
        components.csv, except net_migration: all net moves of the (zone, group), those between groups included
        (components.csv's net_migration + transfer_in − transfer_out; indicators.csv's net_migration).

        ``by_age=True``: components.csv's rows themselves (columns variant, period, zone, group, sex, age,
        component, persons; ``age`` an Int64 column, <NA> for births; components births, deaths, net_migration
        without the moves between groups, transfer_in, transfer_out, floor_adjustment; rows of exactly 0 persons
        left out, as there), for runs made with ``run(components_by_age=True)`` (ValueError otherwise)."""
        import pandas as pd
        frames = []
        periods = [f"{y0 + 1}-{y1}" if y1 > y0 + 1 else str(y1) for y0, y1 in zip(self.years[:-1], self.years[1:])]
        by_age = flag(by_age, "by_age")
        if by_age:
            return self._components_by_age(variants, periods)
        for v in self._variant_names(variants) or self.variants:
            r = self[v]
            for comp in ("births", "deaths", "net_migration"):
                idx = pd.MultiIndex.from_product(
                    [[v], periods, self.zone_ids, self.group_names, list(SEXES), [comp]],
                    names=["variant", "period", "zone", "group", "sex", "component"])
                frames.append(pd.DataFrame({"persons": getattr(r, comp).reshape(-1)}, index=idx).reset_index())
        return pd.concat(frames, ignore_index=True)

    def _components_by_age(self, variants: Optional[Sequence[str]], periods: List[str]) -> pd.DataFrame:
        import pandas as pd
        frames = []
        columns = ["variant", "period", "zone", "group", "sex", "age", "component", "persons"]
        for v in self._variant_names(variants) or self.variants:
            r = self[v]
            cells = r.components_by_age
            if cells is None:
                raise ValueError(f"variant '{v}': run without components by age; run it with "
                                 f"run(components_by_age=True) (or read components.csv of write_outputs)")
            idx = pd.MultiIndex.from_product([[v], periods, self.zone_ids, self.group_names, list(SEXES)],
                                             names=columns[:5])
            births = pd.DataFrame({"persons": np.asarray(r.births).reshape(-1)}, index=idx).reset_index()
            births.insert(5, "age", pd.array([pd.NA] * len(births), dtype="Int64"))
            births.insert(6, "component", "births")
            frames.append(births)
            ages = list(r.age_starts)
            for comp, values in cells.items():
                idx = pd.MultiIndex.from_product([[v], periods, self.zone_ids, self.group_names, list(SEXES), ages],
                                                 names=columns[:6])
                df = pd.DataFrame({"persons": np.asarray(values).reshape(-1)}, index=idx).reset_index()
                df.insert(6, "component", comp)
                df["age"] = df["age"].astype("Int64")
                frames.append(df)
        out = pd.concat(frames, ignore_index=True)
        return out[out["persons"] != 0.0].reset_index(drop=True)

    def indicator_values(self, indicator: str, year: Optional[int] = None, variant: str = "baseline",
                         group: str = "all") -> pd.Series:
        """One indicator of every unit (zones, then aggregates) in one year, as a Series indexed by unit name."""
        import pandas as pd
        indicator, group = text_arg(indicator, "indicator"), text_arg(group, "group")
        r = self[variant]
        names = list(r.indicator_names)
        if indicator not in names:
            raise ValueError(f"indicator '{indicator}': not one of {', '.join(names)}")
        slots = list(r.group_slots)
        if group not in slots:
            raise ValueError(f"group '{group}': not one of {', '.join(slots)}")
        vals = r.indicators[self._year_index(year), :, slots.index(group), names.index(indicator)]
        return pd.Series(np.array(vals), index=list(r.unit_names), name=indicator)

    # ---- GeoDataFrame ------------------------------------------------------------------------------------------------
    def _zones(self) -> "geopandas.GeoDataFrame":
        if self._set is None:
            raise ValueError("these results have no zone geometry")
        return self._set._zones_for(self.zone_ids)  # a new frame, its rows in the results' zone order

    def zones_frame(self, year: Optional[int] = None, variant: str = "baseline", group: str = "all",
                    indicators: Optional[Sequence[str]] = None) -> "geopandas.GeoDataFrame":
        """The zones (index: zone id; name, name_en, geometry) with one column per indicator of ``year`` (default:
        the last), ``variant`` and ``group`` ('all' = every group)."""
        gdf = self._zones()
        r = self[variant]
        names = distinct_names(indicators, "indicators", "indicator", "indicator names")
        if indicators is not None and not names:  # [] gave every indicator, silently
            raise ValueError(f"indicators: none given; expected names of {', '.join(r.indicator_names)} (or None "
                             f"for all)")
        for ind in names or list(r.indicator_names):
            s = self.indicator_values(ind, year, variant, group)
            gdf[ind] = s.loc[self.zone_ids].values
        gdf.attrs["year"] = self.years[self._year_index(year)]
        gdf.attrs["variant"] = variant
        return gdf

    # ---- plots (geodata's renderers, as the CLI) ---------------------------------------------------------------------
    def map(self, indicator: str = "population", year: Optional[int] = None, variant: str = "baseline",
            group: str = "all", minus: Optional[str] = None, title: Optional[str] = None, legend_title: str = "",
            classes: int = 5, method: str = "quantile", legend_decimals: int = 1, ax=None) -> _plot.Figure:
        """Choropleth of one indicator by zone; ``minus`` (a variant): the difference variant − minus, drawn on a
        diverging palette (break at 0). ``classes``: 2 to 9 (as ``cohortgis map --n-classes``); ``method``:
        "quantile", "equal_interval" or "natural_breaks". Displays inline in Jupyter; ``ax``: a matplotlib Axes to
        draw it into."""
        # As the command line: the palettes have 9 colours; 50 classes were drawn without a word.
        # Compared as the plain int the renderer gets (an int subclass's own comparisons let 50 classes through), and
        # legend_decimals checked here (2.5 reached pybind11's "incompatible function arguments" listing, NumPy's
        # float32(2.7) was cut to 2 and True taken as 1).
        classes = whole_int(classes, "classes", "an int from 2 to 9", 2, 9)
        # 0 to 20 digits, what the legend's number format prints (geodata/number_format.hpp): -1 and 10**6 were
        # clamped there without a word, 2**31 reached pybind11's listing.
        legend_decimals = whole_int(legend_decimals, "legend_decimals",
                                    "an int from 0 to 20 (digits after the decimal point)", 0, 20)
        y = self.years[self._year_index(year)]
        values = self.indicator_values(indicator, y, variant, group).loc[self.zone_ids]
        subtitle = f"{self._variant_name(variant)}, {y}" + (f", group {group}" if group != "all" else "")
        if minus is not None:
            values = values - self.indicator_values(indicator, y, minus, group).loc[self.zone_ids]
            subtitle = (f"{self._variant_name(variant)} minus {self._variant_name(minus)}, {y}" +
                        (f", group {group}" if group != "all" else ""))
        # As `cohortgis map`: every zone "no data" (a rate in the base year) answers nothing; it drew a grey map.
        if not np.isfinite(values.to_numpy(dtype=float)).any():
            raise ValueError(f"map: '{indicator}' has no value in any zone for {subtitle} (rates of births and deaths "
                             f"start with the first step after the base year {self.years[0]}); nothing to map")
        gdf = self._zones()
        names = gdf["name"] if "name" in gdf.columns else [""] * len(gdf)  # a GeoDataFrame given without names
        labels = [n if isinstance(n, str) and n else i for n, i in zip(names, gdf.index)]
        return _plot.choropleth(gdf, [float(v) for v in values], labels,
                                title=title if title is not None else indicator.replace("_", " "),
                                subtitle=subtitle, legend_title=legend_title or indicator, classes=classes,
                                method=method, legend_decimals=legend_decimals, diverging=minus is not None, ax=ax)

    def _variant_name(self, variant: str) -> str:
        """A variant as the figures name it, as the command line's do: by its title ([[variants]] title, else
        title_en), else its name; its name where the results have no scenario set (a pickle's runs)."""
        if isinstance(variant, str):  # the plain str: a subclass's own __eq__ matched the baseline's title
            variant = str.__str__(variant)
        if self._set is not None:
            for r in self._set.runs:
                if r.variant == variant:
                    return r.variant_title or r.variant_title_en or variant
        return variant

    def _unit_name(self, unit: str) -> str:
        """A zone or aggregate as the default titles name it, as the command line's figures do: a zone by its name
        (its id where it has none, as the map's labels), an aggregate by its title (else title_en, else its name)."""
        if unit in self.zone_ids:
            return self[self.variants[0]].zone_names[self.zone_ids.index(unit)] or unit
        titles = dict(self._set.baseline.aggregate_titles) if self._set is not None else {}
        title, title_en = titles.get(unit, ("", ""))
        return title or title_en or unit

    def pyramid(self, zone: str = "total", year: Optional[int] = None, variant: str = "baseline",
                compare_year: Optional[int] = None, title: Optional[str] = None, ax=None) -> _plot.Figure:
        """Population pyramid of a zone id, an aggregate or 'total' (every zone): groups stacked for ``year``
        (default: the last), optionally the total of ``compare_year`` as an outline. ``ax``: a matplotlib Axes to
        draw it into."""
        zone = text_arg(zone, "zone")  # a list was "unhashable type: 'list'" from the aggregates' dict
        pop = self.population(variant)
        # The scenario's aggregates, as the command line's charts/pyramid_aggregate_<name>.png: those of the runs.
        aggregates = self._aggregates if zone != "total" else {}
        if zone != "total" and zone not in self.zone_ids and zone not in aggregates:
            raise ValueError(f"zone '{zone}': not a zone or aggregate of the results "
                             f"({', '.join(list(self.zone_ids) + list(aggregates) + ['total'])})")

        def by_sex(yi: int) -> np.ndarray:  # [group][sex][age]
            if zone == "total":
                return pop[yi].sum(axis=0)
            if zone in self.zone_ids:
                return pop[yi, self.zone_ids.index(zone)]
            return pop[yi, [self.zone_ids.index(z) for z in aggregates[zone]]].sum(axis=0)

        yi = self._year_index(year)
        p = by_sex(yi)
        stacked = [(f"{g} {self.years[yi]}", list(p[k, 0]), list(p[k, 1])) for k, g in enumerate(self.group_names)]
        outline = []
        if compare_year is not None:
            ci = self._year_index(compare_year)
            c = by_sex(ci).sum(axis=0)
            # The year as the results have it: compare_year=2020.0 was labelled "total 2020.0".
            outline = [(f"total {self.years[ci]}", list(c[0]), list(c[1]))]
        name = "all zones" if zone == "total" else self._unit_name(zone)
        shown = f"{name}, {self._variant_name(variant)}, {self.years[yi]}"
        return _plot.pyramid(stacked, outline, age_labels(self.age_starts, self.step_years),
                             title=title if title is not None else shown, ax=ax)

    def lines(self, indicator: str = "population", zone: str = "total", group: str = "all",
              title: Optional[str] = None, ax=None) -> _plot.Figure:
        """An indicator over the years, one line per variant (years with no value are left out). ``ax``: a
        matplotlib Axes to draw it into."""
        zone = text_arg(zone, "zone")
        units = list(self[self.variants[0]].unit_names)
        if zone not in units:  # a bare KeyError from pandas before
            raise ValueError(f"zone '{zone}': not a zone or aggregate of the results ({', '.join(units)})")
        series = []
        for v in self.variants:
            xs, ys = [], []
            for y in self.years:
                val = float(self.indicator_values(indicator, y, v, group).loc[zone])
                if not math.isnan(val):
                    xs.append(float(y))
                    ys.append(val)
            series.append((self._variant_name(v), xs, ys))
        return _plot.lines(series, title=title if title is not None else f"{indicator}, {self._unit_name(zone)}",
                           x_label="year", y_label=indicator, ax=ax)
