# SPDX-License-Identifier: Apache-2.0
"""``cohortgis estimate`` (net migration from two censuses; ``--group-split``, ``--levels``) and ``cohortgis
backtest`` from Python: the command line's jobs themselves (cohortgis::app::estimate, ::group_split,
::estimate_levels and ::backtest), writing the same files (docs/cli.md)."""
from __future__ import annotations

import warnings
from collections.abc import Set
from typing import TYPE_CHECKING, Mapping, Optional, Sequence, Tuple

import numpy as np

if TYPE_CHECKING:  # pragma: no cover  (annotations only: the functions import what they use)
    from ._frames import Flag


def _job_int(value: object, what: str, expected: str) -> int:
    """An int argument of a job as the C++ job takes it (a C int), by whole_int: past a C int a ValueError naming `what`
    (pybind11 answered with its "incompatible function arguments" listing). The job checks the meaning (`expected`)
    of values inside that range."""
    from ._frames import whole_int

    return whole_int(value, what, f"{expected} (an int)", -2 ** 31, 2 ** 31 - 1)


def _year_pair(years: object) -> Tuple[int, int]:
    # An ordered pair: a set (or a dict's keys) gave its two years in its own order ({2010, 2003} as 2010:2003).
    if isinstance(years, (str, bytes, Set, Mapping)) or not hasattr(years, "__len__") or \
            len(years) != 2:  # type: ignore[arg-type]
        raise TypeError(f"years: expected (first, second) census years, e.g. (2000, 2010), got {years!r}")
    out = [_job_int(y, "years", "whole census years") for y in years]  # type: ignore[union-attr]
    return out[0], out[1]


def estimate(first: str, second: str, years: Sequence[int], out_dir: str, first_crosswalk: Optional[str] = None,
             second_crosswalk: Optional[str] = None, mx: Optional[str] = None,
             mx_filter: Optional[Mapping[str, str]] = None, step: int = 5, open_age: int = 85,
             natural_growth_per_1000: float = 0.0, female_share: float = 0.5) -> dict:
    """Net migration by zone, sex and age between two censuses: ``cohortgis estimate --first … --second … --years
    Y1:Y2 --out DIR`` (docs/cli.md "estimate"). Writes net_migration.csv (the scenario format, persons per year),
    population_<Y2>.csv (when the second census has ages), estimate_report.md and manifest.json into ``out_dir``
    (complete or not at all), and returns the summary: ``out_dir``, ``method`` ("residual" or "totals"),
    ``zones``, ``files``, ``inputs`` and ``net_per_year`` (by zone).

    ``first``/``second``: census tables (zone, sex, age, population; sex and age may be 'all' for zone totals);
    ``years``: (first, second); ``first_crosswalk``/``second_crosswalk``: as --first-crosswalk/--second-crosswalk;
    ``mx``: death rates of the period (the residual method's life table) with ``mx_filter`` {column: value} as
    --mx-filter; ``step``, ``open_age``: the tables' age grid; ``natural_growth_per_1000``, ``female_share``: zone
    totals only. Bad input raises ValueError with the command line's message.
    """
    from . import _cohortgis, _path
    from ._frames import real_number

    first_year, second_year = _year_pair(years)
    step = _job_int(step, "step", "1 or 5")
    open_age = _job_int(open_age, "open_age", "a multiple of step from 10 to 130")
    natural_growth_per_1000 = real_number(natural_growth_per_1000, "natural_growth_per_1000")
    female_share = real_number(female_share, "female_share")
    pairs = _filter_pairs(mx_filter, "mx_filter")
    opt = {"first_crosswalk": first_crosswalk, "second_crosswalk": second_crosswalk, "mx": mx}
    return _cohortgis.app_estimate(_path(first, "first"), _path(second, "second"), first_year, second_year,
                                   _path(out_dir, "out_dir"),
                                   *[_path(v, k) if v is not None else "" for k, v in opt.items()],
                                   pairs, step, open_age, natural_growth_per_1000, female_share)


def _filter_pairs(value: Optional[Mapping[str, str]], what: str) -> "list[tuple[str, str]]":
    if value is None:
        return []
    if not isinstance(value, Mapping):
        raise TypeError(f"{what}: expected a {{column: value}} dict, got {type(value).__name__}")
    from ._frames import bounded, text_arg

    pairs = list(bounded(value.items(), what))
    for k, v in pairs:  # str(None) filtered on the text "None"
        if k is None or v is None:
            raise TypeError(f"{what}: {k!r}: {v!r}; expected {{column: value}} of text or numbers, not None")
    return [(text_arg(str(k), what), text_arg(str(v), what)) for k, v in pairs]


# --floating's two spellings (cli/estimate_command.cpp); the underscore forms as Python users write them.
_FLOATING = {"other-province": False, "other_province": False, "other-district": True, "other_district": True}


def estimate_group_split(census: str, out_dir: str, registry: Optional[str] = None, zones: Optional[str] = None,
                         floating: str = "other-province") -> dict:
    """Registered and floating residents by zone from the census's hukou-elsewhere (人户分离) counts: ``cohortgis
    estimate --group-split CENSUS --out DIR`` (docs/cli.md "estimate --group-split"). Writes group_split.csv,
    group_split_report.md and manifest.json into ``out_dir`` (complete or not at all) and returns the summary:
    ``out_dir``, ``zones``, ``files`` and ``warnings``; ``pandas.read_csv(summary["out_dir"] + "/group_split.csv")``
    is the table. Each warning (registry codes that are no zone of the census, zones of 0 residents) is also issued
    as a ``UserWarning``, as the command line prints it.

    ``census``: a long table (code, indicator, value with pop_resident and pop_hukou_elsewhere_*); ``registry``: the
    registry's 户籍人口 by zone as a cross-check (--registry); ``zones``: only codes starting with this, e.g.
    ``"1101"`` (--zones); ``floating``: ``"other-province"`` (hukou outside the province, the default) or
    ``"other-district"`` (also another district of it), as --floating. Bad input raises ValueError with the command
    line's message.
    """
    from . import _cohortgis, _path

    # A value of another type is a TypeError, as the other arguments' are (floating=5 was a ValueError).
    if not isinstance(floating, str):
        raise TypeError(f"floating: expected 'other-province' or 'other-district' (a str), got "
                        f"{type(floating).__name__}")
    if floating not in _FLOATING:
        raise ValueError(f"floating: {floating!r}; expected 'other-province' or 'other-district'")
    if zones is not None and not isinstance(zones, str):
        raise TypeError(f"zones: expected a code prefix (str), e.g. '1101', got {type(zones).__name__}")
    if zones is not None:
        from ._frames import text_arg

        text_arg(zones, "zones")  # lone surrogates reached pybind11's listing; a NUL cut the prefix in C++
    summary = _cohortgis.app_estimate_group_split(_path(census, "census"), _path(out_dir, "out_dir"),
                                                  _path(registry, "registry") if registry is not None else "",
                                                  zones or "", _FLOATING[floating])
    for w in summary["warnings"]:
        warnings.warn(w, UserWarning, stacklevel=2)
    return summary


def estimate_levels(figures: str, mx: Optional[str] = None, out_dir: Optional[str] = None,
                    population: Optional[str] = None,
                    asfr: Optional[str] = None, mx_filter: Optional[Mapping[str, str]] = None,
                    asfr_filter: Optional[Mapping[str, str]] = None, srb: Optional[float] = None,
                    open_age: int = 85) -> dict:
    """Mortality and fertility levels of each zone relative to a standard schedule: ``cohortgis estimate --levels
    FIGURES --mx MX --out DIR`` (docs/cli.md "estimate --levels"). Writes levels.csv, mx_by_zone.csv (zones with a
    mortality figure), asfr_by_zone.csv (zones with a fertility figure), levels_report.md and manifest.json into
    ``out_dir`` (complete or not at all) and returns the summary: ``out_dir``, ``files``, ``inputs`` and ``levels``,
    one dict per zone figure (zone, component, indicator, target, fitted, level, e0_female, e0_male, tfr);
    ``pandas.DataFrame(summary["levels"])`` is levels.csv's numbers.

    ``figures``: zone, indicator, value (e0, deaths, cdr_per_1000; tfr, births, cbr_per_1000); ``mx``: the standard
    death rates (--mx; needed only for mortality figures, as on the command line: without it figures of fertility
    alone are fitted and a mortality figure is a ValueError) and ``mx_filter`` {column: value} (--mx-filter);
    ``out_dir`` is required (--out); ``asfr``/``asfr_filter``: the standard ASFR
    (--asfr, --asfr-filter); ``population``: the exposure by zone, sex and age (needed for deaths, cdr, births, cbr);
    ``srb``: males per 100 females at birth (needed for a both-sexes e0); ``open_age``: the tables' five-year grid.
    Bad input raises ValueError with the command line's message.
    """
    from . import _cohortgis, _path
    from ._frames import real_number

    open_age = _job_int(open_age, "open_age", "a multiple of 5 from 10 to 130")
    srb = real_number(srb, "srb", "a real number (males per 100 females)") if srb is not None else None
    # 0 is the job's "not given" (srb=None here): srb=0 (and -0.0) was taken as no sex ratio, silently, where -1 and
    # 200 are refused.
    if srb == 0.0:
        raise ValueError(f"srb: {srb!r}; expected a sex ratio at birth of 90 to 130 males per 100 females (used by e0 "
                         f"figures), or None when not given")
    if out_dir is None:  # after mx, which may be left out: required as --out is
        raise TypeError("estimate_levels: out_dir is required (the folder levels.csv is written to, as --out)")
    return _cohortgis.app_estimate_levels(_path(figures, "figures"), _path(mx, "mx") if mx is not None else "",
                                          _path(out_dir, "out_dir"),
                                          _path(population, "population") if population is not None else "",
                                          _path(asfr, "asfr") if asfr is not None else "",
                                          _filter_pairs(mx_filter, "mx_filter"),
                                          _filter_pairs(asfr_filter, "asfr_filter"),
                                          srb if srb is not None else 0.0, open_age)


def backtest(scenario: "str | ScenarioSet", observed: str, out_dir: str = "results", earlier: Optional[str] = None,
             threads: int = 0, variants: Optional[Sequence[str]] = None, data_dir: Optional[str] = None,
             allow_read: Optional[Sequence[str]] = None, allow_db: Optional[Sequence[str]] = None,
             report: Flag = True, language: Optional[str] = None) -> dict:
    """A back-test: ``cohortgis backtest SCENARIO --observed TABLE --out DIR`` (docs/cli.md "backtest"). Runs the
    scenario file from its (past) launch year, writes the run's files plus backtest.csv and backtest_summary.csv
    into ``out_dir``, and returns the summary: ``launch_year``, ``observed_year``, ``earlier_year`` (0: no
    ``earlier`` table), ``scores`` (one dict per forecast, "cohortgis" and "cohortgis:<variant>" first, then the
    benchmarks no-change, constant-share and, with ``earlier``, linear: ``mape_percent``, ``malpe_percent``,
    ``weighted_mape_percent``, ``median_ape_percent``, ``rmse_persons``, ``worst_zone``, ``worst_error_percent``,
    ``share_within_5_percent``, ``share_within_10_percent``, ``total_error_percent``, ``zones``;
    ``pandas.DataFrame(summary["scores"])`` is backtest_summary.csv's numbers), ``warnings``, ``out_dir`` and
    ``files``. A look-ahead the command line prints as a warning (a level fitted to a figure after the launch
    year, a control total of a year up to the observed one) is a ``UserWarning`` here.

    ``observed``, ``earlier``: tables in population.csv's layout (as --observed, --earlier); ``variants``: names
    besides the baseline (as --variant; default all); ``report``: False as --no-report; ``language``: 'zh' or 'en'
    (as --lang); ``threads``, ``data_dir``, ``allow_read``, ``allow_db``: as for :func:`write_outputs`.

    ``scenario``: a scenario file (.toml) or 'default', loaded as ``cohortgis backtest`` loads it; or a
    :class:`ScenarioSet` (from load_scenario or scenario_from_frames, changed in Python or not): its runs as they are
    now, with the file's other parts, as :func:`write_outputs` takes one (``data_dir``, ``allow_read`` and
    ``allow_db`` then default to those the set was loaded with; manifest.json's ``scenario.note`` says the runs came
    from Python).
    """
    from . import _PYTHON_SET_NOTE, Scenario, ScenarioSet, _cohortgis, _data_dir, _path, _paths, _threads
    from ._frames import distinct_names, flag, text_arg

    if isinstance(scenario, Scenario):
        raise TypeError("scenario: expected a scenario file (.toml), 'default' or a ScenarioSet, got a Scenario; "
                        "pass the ScenarioSet it belongs to, or cohortgis.ScenarioSet([scenario])")
    report = flag(report, "report")  # np.True_ was a TypeError here, as write_outputs took it
    if language is not None and not isinstance(language, str):
        raise TypeError(f"language: expected 'zh' or 'en' (or None), got {type(language).__name__}")
    if language is not None:  # a lone surrogate reached pybind11's "incompatible function arguments" listing
        language = text_arg(language, "language")
    # Read once (a generator read twice was empty the second time: every variant ran); the job checks the names.
    names = distinct_names(variants, "variants", "variant", "variant names")
    if variants is not None and not names:  # [] is the job's "every variant": it ran them all, silently
        raise ValueError("variants: none given; expected names of the scenario's variants besides the baseline (or "
                         "None for all)")
    common = (_path(observed, "observed"), _path(earlier, "earlier") if earlier is not None else "",
              _path(out_dir, "out_dir"), _threads(threads), names)
    if isinstance(scenario, ScenarioSet):
        runs = scenario._check_names()
        loaded_dir, loaded_read, loaded_db = scenario._loaded_with
        summary = _cohortgis.app_backtest(
            scenario.file, *common, _path(data_dir, "data_dir") if data_dir is not None else loaded_dir,
            _paths(allow_read, "allow_read") if allow_read is not None else list(loaded_read),
            _paths(allow_db, "allow_db") if allow_db is not None else list(loaded_db), bool(report), language or "",
            loaded=scenario._loaded, runs=runs, note=_PYTHON_SET_NOTE)
    else:
        summary = _cohortgis.app_backtest(_path(scenario, "scenario"), *common, _data_dir(data_dir),
                                          _paths(allow_read, "allow_read"), _paths(allow_db, "allow_db"), bool(report),
                                          language or "")
    for w in summary["warnings"]:
        warnings.warn(w, UserWarning, stacklevel=2)
    return summary
