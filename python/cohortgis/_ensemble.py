# SPDX-License-Identifier: Apache-2.0
"""Probabilistic projections from Python: :meth:`ScenarioSet.run` with ``trajectories=N``.

The trajectories come from the same C++ ensemble as ``cohortgis run --trajectories N`` (scenarios/README.md
"Probabilistic projections"), so the same seed gives the same numbers as the command line.
"""

from __future__ import annotations

import math
from typing import Dict, List, Sequence

QUANTILES = {"q025": 0.025, "q10": 0.10, "q50": 0.50, "q90": 0.90, "q975": 0.975}


def type7_quantile(sorted_values: "np.ndarray", p: float) -> "np.ndarray":
    """quantiles.csv's type-7 quantile along axis 0 of sorted values, in the command line's arithmetic (app/src/
    ensemble.cpp type7_quantile): x[f] + (h − f)(x[f+1] − x[f]), h = (n − 1)p, f = ⌊h⌋; NaN where a value is NaN.
    numpy's "linear" method computes x[f+1] − (1 − h + f)(x[f+1] − x[f]) above the midpoint: one ulp off."""
    import numpy as np

    n = sorted_values.shape[0]
    h = (n - 1) * p
    f = math.floor(h)
    q = sorted_values[-1] if f + 1 >= n else sorted_values[f] + (h - f) * (sorted_values[f + 1] - sorted_values[f])
    return np.where(np.isnan(sorted_values).any(axis=0), np.nan, q)


class Ensemble:
    """Trajectories of the summary indicators of every run.

    ``quantiles``: a pandas DataFrame with the columns of quantiles.csv (variant, year, zone, group, indicator, q025,
    q10, q50, q90, q975, mean; type-7 quantiles, the command line's numbers bit for bit).
    ``trajectories(indicator)``: an ``xarray.DataArray`` over (variant, trajectory, year, zone). ``results``: the
    deterministic runs' Results.
    """

    def __init__(self, parts: List[Dict[str, object]], results: object) -> None:
        # Checked here (an Ensemble built by hand): [] failed in trajectories() with "list index out of range", None
        # in quantiles with "'NoneType' object is not iterable".
        keys = {"variant", "years", "units", "indicators", "values"}
        if not isinstance(parts, list) or not all(isinstance(p, dict) and keys <= p.keys() for p in parts):
            raise TypeError(f"parts: expected a list of run_ensemble's dicts (keys {', '.join(sorted(keys))}), got "
                            f"{type(parts).__name__}")
        if not parts:
            raise ValueError("parts: no runs; expected one dict per run (ScenarioSet.run(trajectories=N) makes them)")
        self._parts = parts
        self.results = results

    def __repr__(self) -> str:
        first = self._parts[0] if self._parts else {}
        n = len(first.get("values", []))  # type: ignore[arg-type]
        return (f"<cohortgis.Ensemble {n} trajectories, variants {', '.join(self.variants)}, "
                f"indicators {', '.join(map(str, first.get('indicators', [])))}>")  # type: ignore[call-overload]

    @property
    def variants(self) -> List[str]:
        """Names of the runs, as in ``results``."""
        return [str(p["variant"]) for p in self._parts]

    def trajectories(self, indicator: str = "population") -> "xarray.DataArray":  # noqa: F821
        """One indicator of every trajectory: an xarray.DataArray over (variant, trajectory, year, zone)."""
        import numpy as np
        import xarray as xr

        from ._frames import text_arg

        # The plain str: a subclass's own __eq__ (one saying yes to anything) matched the first indicator, so
        # trajectories(that) gave the population's values under the name asked for.
        indicator = text_arg(indicator, "indicator")
        first = self._parts[0]
        names = list(first["indicators"])  # type: ignore[arg-type]
        if indicator not in names:
            raise ValueError(f"indicator {indicator!r}: not among the ensemble's indicators {names}")
        k = names.index(indicator)
        data = np.stack([np.asarray(p["values"])[:, :, :, k] for p in self._parts])
        return xr.DataArray(data, dims=("variant", "trajectory", "year", "zone"),
                            coords={"variant": self.variants, "trajectory": np.arange(data.shape[1]),
                                    "year": list(first["years"]), "zone": list(first["units"])},  # type: ignore
                            name=indicator)

    # copy.copy / copy.deepcopy as before pickling was refused (the copy module tries these before __reduce_ex__).
    def __copy__(self) -> "Ensemble":
        from ._frames import copy_instance
        return copy_instance(self)  # type: ignore[return-value]

    def __deepcopy__(self, memo: dict) -> "Ensemble":
        from ._frames import copy_instance
        return copy_instance(self, memo)  # type: ignore[return-value]

    # Refused with its own reason (pickle named the Results inside it, "cannot pickle cohortgis.Results").
    def __reduce_ex__(self, protocol: object) -> object:
        raise TypeError("cannot pickle cohortgis.Ensemble: its deterministic results hold their ScenarioSet, whose "
                        "scenarios cannot be pickled. Pickle its numbers instead: ens.quantiles (a DataFrame) or "
                        "ens.trajectories(indicator) (an xarray DataArray), and dict(ens.results) (each RunResult "
                        "pickles)")

    @property
    def quantiles(self) -> "pandas.DataFrame":  # noqa: F821
        """quantiles.csv's rows: variant, year, zone, group, indicator, q025, q10, q50, q90, q975, mean."""
        import numpy as np
        import pandas as pd

        rows = []
        for p in self._parts:
            v = np.asarray(p["values"])  # [trajectory, year, unit, indicator]
            ordered = np.sort(v, axis=0)
            q = {c: type7_quantile(ordered, pr) for c, pr in QUANTILES.items()}
            mean = v.mean(axis=0)
            for y, year in enumerate(p["years"]):  # type: ignore[arg-type]
                for u, zone in enumerate(p["units"]):  # type: ignore[arg-type]
                    for k, ind in enumerate(p["indicators"]):  # type: ignore[arg-type]
                        row = {"variant": p["variant"], "year": year, "zone": zone, "group": "all", "indicator": ind}
                        row.update({c: float(q[c][y, u, k]) for c in QUANTILES})
                        row["mean"] = float(mean[y, u, k])
                        rows.append(row)
        return pd.DataFrame(rows, columns=["variant", "year", "zone", "group", "indicator", *QUANTILES, "mean"])


def ensemble_arguments(runs: Sequence[object], trajectories: object, seed: object,
                       indicators: object) -> "tuple[int, int | None, List[str]]":
    """trajectories, seed and indicators as run_ensemble takes them, checked against the runs as the compiled ensemble
    checks them (_cohortgis.check_ensemble: trajectories 1 to the most, each indicator name one of every run's), so a
    mistake is said before anything runs: (trajectories, seed or None, indicator names)."""
    from . import _cohortgis
    from ._frames import distinct_names, whole_int

    # int("5") and int(2.5) would run 5 and 2 trajectories: a str or a float is a mistake, said as one. Each read once,
    # as its own value: an int subclass's __int__ asked again after the check could answer -1, the binding's "the
    # file's seed", and the run took the file's seed silently.
    trajectories = whole_int(trajectories, "trajectories")
    # -1 tells the binding "the file's seed": seed=-1 ran with the file's seed silently (hostile probe 3). The
    # command line's range (--seed).
    seed = None if seed is None else whole_int(seed, "seed", "an int from 0 to 2147483647", 0, 2147483647)
    # None (only) is the default indicators: `indicators or []` took [] as the default too, where zones_frame and the
    # frames refuse none given, and a NumPy array or pandas Series of two names raised "The truth value of an array
    # with more than one element is ambiguous", naming no argument.
    names = distinct_names(indicators, "indicators", "indicator", "indicator names")
    if indicators is not None and not names:
        raise ValueError("indicators: none given; expected names of indicators.csv (or None for the default: "
                         "population, births, deaths, net_migration, share_65_plus_percent)")
    _cohortgis.check_ensemble(list(runs), trajectories, -1 if seed is None else seed, names)
    return trajectories, seed, names


def run_ensemble(runs: Sequence[object], file: str, trajectories: int, seed: "int | None", threads: int,
                 indicators: "Sequence[str] | None", results: object, progress: object = None,
                 loaded_with: "tuple[str, list[str], list[str]]" = ("", [], [])) -> Ensemble:
    from . import _cohortgis
    from ._frames import distinct_names, whole_int
    from . import _progress_callback

    # As ensemble_arguments (ScenarioSet.run checks them there first); the binding checks the range of trajectories
    # (1 to scenarios::kMaxTrajectories), in whole_int's words.
    trajectories = whole_int(trajectories, "trajectories")
    seed = None if seed is None else whole_int(seed, "seed", "an int from 0 to 2147483647", 0, 2147483647)

    # As the deterministic runs' progress, counted in trajectories (about once a second and at the end).
    data_dir, allow_read, allow_db = loaded_with  # the folders load_scenario was given: the file is read again
    parts = _cohortgis.run_ensemble(list(runs), file or "", data_dir, trajectories,
                                    -1 if seed is None else seed, threads,
                                    distinct_names(indicators, "indicators", "indicator", "indicator names"),
                                    [_progress_callback(progress, r.variant, "trajectory") for r in runs],
                                    list(allow_read), list(allow_db))
    return Ensemble(parts, results)
