#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Size and CPU time of results.nc's cubes rewritten with shuffle + deflate at levels 0-9, same chunks, year by year
as cohortgis writes them: the measurement behind kNetcdfCompressLevel (docs/results.md "results.nc").

Usage: netcdf_deflate_levels.py RESULTS_NC"""
import os
import sys
import time

import netCDF4
import numpy as np

src = netCDF4.Dataset(sys.argv[1])
data = {k: src[k][:].filled(np.nan) if np.ma.isMaskedArray(src[k][:]) else src[k][:] for k in
        ["population", "deaths", "net_migration", "transfer_in", "transfer_out", "floor_adjustment", "indicators"]}
chunks = {k: src[k].chunking() for k in data}
for level in [0, 1, 2, 4, 6, 9]:
    t0 = time.process_time()
    d = netCDF4.Dataset(f"/tmp/cohortgis_deflate_lvl{level}.nc", "w")
    for name, dim in src.dimensions.items():
        d.createDimension(name, None if dim.isunlimited() else len(dim))
    for k, a in data.items():
        v = d.createVariable(k, "f8", src[k].dimensions, zlib=level > 0, complevel=max(level, 1), shuffle=level > 0,
                             chunksizes=chunks[k], fill_value=np.nan)
        for y in range(a.shape[1]):  # year by year, as cohortgis writes
            v[:, y] = a[:, y]
    d.close()

    print(f"level {level}: {os.path.getsize(f'/tmp/cohortgis_deflate_lvl{level}.nc') / 1e6:.1f} MB, {time.process_time() - t0:.2f} s CPU")
    os.remove(f"/tmp/cohortgis_deflate_lvl{level}.nc")
