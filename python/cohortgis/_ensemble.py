# SPDX-License-Identifier: Apache-2.0
"""Probabilistic projections from Python: :meth:`ScenarioSet.run` with ``trajectories=N``.

The trajectories come from the same C++ ensemble as ``cohortgis run --trajectories N`` (scenarios/README.md
"Probabilistic projections"), so the same seed gives the same numbers as the command line.
"""

from __future__ import annotations

from typing import Dict, List, Sequence

QUANTILES = {"q025": 0.025, "q10": 0.10, "q50": 0.50, "q90": 0.90, "q975": 0.975}


class Ensemble:
    """Trajectories of the summary indicators of every run.

    ``quantiles``: a pandas DataFrame with the columns of quantiles.csv (variant, year, zone, group, indicator, q025,
    q10, q50, q90, q975, mean; type-7 quantiles, the file's bits). ``trajectories(indicator)``: an
    ``xarray.DataArray`` over (variant, trajectory, year, zone). ``results``: the deterministic runs' Results.
    """

    def __init__(self, parts: List[Dict[str, object]], results: object) -> None:
        self._parts = parts
        self.results = results

    @property
    def variants(self) -> List[str]:
        return [str(p["variant"]) for p in self._parts]

    def trajectories(self, indicator: str = "population") -> "xarray.DataArray":  # noqa: F821
        import numpy as np
        import xarray as xr

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

    @property
    def quantiles(self) -> "pandas.DataFrame":  # noqa: F821
        import numpy as np
        import pandas as pd

        rows = []
        for p in self._parts:
            v = np.asarray(p["values"])  # [trajectory, year, unit, indicator]
            q = {c: _type7(v, pr) for c, pr in QUANTILES.items()}
            mean = v.mean(axis=0)
            for y, year in enumerate(p["years"]):  # type: ignore[arg-type]
                for u, zone in enumerate(p["units"]):  # type: ignore[arg-type]
                    for k, ind in enumerate(p["indicators"]):  # type: ignore[arg-type]
                        row = {"variant": p["variant"], "year": year, "zone": zone, "group": "all", "indicator": ind}
                        row.update({c: float(q[c][y, u, k]) for c in QUANTILES})
                        row["mean"] = float(mean[y, u, k])
                        rows.append(row)
        return pd.DataFrame(rows, columns=["variant", "year", "zone", "group", "indicator", *QUANTILES, "mean"])


def _type7(v: "numpy.ndarray", p: float) -> "numpy.ndarray":  # noqa: F821
    """quantiles.csv's type-7 quantile over axis 0, bit for bit: x[lo] + (h - lo)(x[lo+1] - x[lo]) with
    h = (N - 1)p over the sorted values, NaN where a trajectory has no value. (numpy's "linear" computes
    b - (b - a)(1 - t) for t >= 0.5, the same number up to the last bit.)"""
    import numpy as np

    n = v.shape[0]
    s = np.sort(v, axis=0)
    h = (n - 1) * p
    lo = int(np.floor(h))
    r = s[-1].copy() if lo + 1 >= n else s[lo] + (h - lo) * (s[lo + 1] - s[lo])
    r[np.isnan(v).any(axis=0)] = np.nan
    return r


def run_ensemble(runs: Sequence[object], file: str, trajectories: int, seed: "int | None", threads: int,
                 indicators: "Sequence[str] | None", results: object) -> Ensemble:
    from . import _cohortgis
    import numbers

    # int("5") and int(2.5) would run 5 and 2 trajectories: a str or a float is a mistake, said as one.
    for name, value in (("trajectories", trajectories), ("seed", seed)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, numbers.Integral)):
            raise TypeError(f"{name}: expected an int, got {type(value).__name__} {value!r}")
    # -1 tells the binding "the file's seed": seed=-1 ran with the file's seed silently (hostile probe 3). The
    # command line's range (--seed).
    if seed is not None and not 0 <= int(seed) <= 2147483647:
        raise ValueError(f"seed: {int(seed)}; expected 0 to 2147483647")
    parts = _cohortgis.run_ensemble(list(runs), file or "", "", int(trajectories),
                                    -1 if seed is None else int(seed), threads, list(indicators or []))
    return Ensemble(parts, results)
