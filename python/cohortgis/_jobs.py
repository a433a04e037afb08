# SPDX-License-Identifier: Apache-2.0
"""``cohortgis estimate`` (net migration from two censuses) and ``cohortgis backtest`` from Python: the command
line's jobs themselves (cohortgis::app::estimate and ::backtest), writing the same files (docs/cli.md)."""
from __future__ import annotations

import numbers
import warnings
from typing import Mapping, Optional, Sequence, Tuple


def _year_pair(years: object) -> Tuple[int, int]:
    if isinstance(years, str) or not hasattr(years, "__len__") or len(years) != 2:  # type: ignore[arg-type]
        raise TypeError(f"years: expected (first, second) census years, e.g. (2000, 2010), got {years!r}")
    out = []
    for y in years:  # type: ignore[union-attr]
        if isinstance(y, bool) or not isinstance(y, numbers.Integral):
            raise TypeError(f"years: expected whole years (int), got {type(y).__name__} {y!r}")
        out.append(int(y))
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

    first_year, second_year = _year_pair(years)
    for name, value in (("step", step), ("open_age", open_age)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(f"{name}: expected an int, got {type(value).__name__} {value!r}")
    for name, value in (("natural_growth_per_1000", natural_growth_per_1000), ("female_share", female_share)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{name}: expected a number, got {type(value).__name__} {value!r}")
    if mx_filter is not None and not isinstance(mx_filter, Mapping):
        raise TypeError(f"mx_filter: expected a {{column: value}} dict, got {type(mx_filter).__name__}")
    pairs = [(str(k), str(v)) for k, v in (mx_filter or {}).items()]
    opt = {"first_crosswalk": first_crosswalk, "second_crosswalk": second_crosswalk, "mx": mx}
    return _cohortgis.app_estimate(_path(first, "first"), _path(second, "second"), first_year, second_year,
                                   _path(out_dir, "out_dir"),
                                   *[_path(v, k) if v is not None else "" for k, v in opt.items()],
                                   pairs, int(step), int(open_age), float(natural_growth_per_1000),
                                   float(female_share))


def backtest(scenario: str, observed: str, out_dir: str = "results", earlier: Optional[str] = None,
             threads: int = 0, variants: Optional[Sequence[str]] = None, data_dir: Optional[str] = None,
             allow_read: Optional[Sequence[str]] = None, allow_db: Optional[Sequence[str]] = None,
             report: bool = True, language: Optional[str] = None) -> dict:
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
    (as --lang); ``threads``, ``data_dir``, ``allow_read``, ``allow_db``: as for :func:`write_outputs`. The
    scenario is a file: a ScenarioSet changed in Python cannot be back-tested (TypeError).
    """
    from . import ScenarioSet, _cohortgis, _path, _paths, _threads
    from ._frames import variant_names

    if isinstance(scenario, ScenarioSet):
        raise TypeError("scenario: expected a scenario file (.toml); backtest loads the file as `cohortgis backtest` "
                        "does (a ScenarioSet changed in Python cannot be back-tested)")
    if not isinstance(report, bool):
        raise TypeError(f"report: expected True or False, got {type(report).__name__}")
    names = variant_names(variants, list(variants or []), "") if variants is not None else []
    summary = _cohortgis.app_backtest(_path(scenario, "scenario"), _path(observed, "observed"),
                                      _path(earlier, "earlier") if earlier is not None else "",
                                      _path(out_dir, "out_dir"), _threads(threads), names,
                                      _path(data_dir or "", "data_dir"), _paths(allow_read, "allow_read"),
                                      _paths(allow_db, "allow_db"), report, language or "")
    for w in summary["warnings"]:
        warnings.warn(w, UserWarning, stacklevel=2)
    return summary
