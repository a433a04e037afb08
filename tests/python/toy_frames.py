# SPDX-License-Identifier: Apache-2.0
"""Tables of a small synthetic scenario (tests only): Gompertz-like mortality, a bell-shaped fertility schedule."""
import numpy as np
import pandas as pd


def toy_frames(zones=4, groups=("local", "migrant"), horizon=2040, step=5, open_age=85, migration=True,
               size=1.0):
    import geopandas
    from shapely.geometry import box

    ids = [f"Z{k:03d}" for k in range(zones)]
    # Squares of 10 km in UTM zone 50N, side by side in a row.
    gdf = geopandas.GeoDataFrame({"id": ids, "name": [f"zone {k}" for k in range(zones)]},
                                 geometry=[box(400000 + 10000 * k, 4400000, 410000 + 10000 * k, 4410000)
                                           for k in range(zones)], crs="EPSG:32650")
    ages = list(range(0, open_age + 1, step))
    rows = []
    for z, zid in enumerate(ids):
        for g, grp in enumerate(groups):
            for sex in ("female", "male"):
                for a in ages:
                    persons = size * (1000.0 + 100 * z) * (1.0 if g == 0 else 0.4) * np.exp(-a / 40.0) * step
                    rows.append((zid, grp, sex, a, persons))
    base = pd.DataFrame(rows, columns=["zone", "group", "sex", "age", "population"])
    lt_rows = [0, 1] + list(range(5, open_age + 1, 5)) if step == 5 else ages
    # Gompertz death rates, capped at 1.9: above 2 per person-year a rate is refused as in scenario files.
    mort = pd.DataFrame([(a, sex, min(1.9, 0.0005 * np.exp(0.085 * a) * (1.0 if sex == "female" else 1.3) + (0.004 if a == 0 else 0)))
                         for sex in ("female", "male") for a in lt_rows], columns=["age", "sex", "mx"])
    fert = pd.DataFrame([(a, 0.09 * np.exp(-((a + step / 2 - 29) / 6.0) ** 2)) for a in ages if 15 <= a < 50],
                        columns=["age", "asfr"])
    net = None
    if migration:
        net = pd.DataFrame([(zid, groups[-1], sex, a, 20.0 * (z + 1) if 15 <= a < 40 else 0.0)
                            for z, zid in enumerate(ids) for sex in ("female", "male") for a in ages],
                           columns=["zone", "group", "sex", "age", "persons_per_year"])
    return dict(zones=gdf, base_population=base, mortality=mort, fertility=fert, base_year=2020, horizon=horizon,
                step=step, open_age=open_age, groups=list(groups), srb=106.0, tfr=1.6, net_migration=net,
                name="toy", aggregates={"west": ids[: max(1, zones // 2)]})
