#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Ninth Python misuse probe (round 27, helper h169): classes hostile_python{,2,…,8}.py and the Python parts of
hostile_round*.py do not cover. Each case runs in a fresh interpreter (probe_common.PythonProbe) with TMPDIR a folder
of its own, so a crash, an abort, a hang or a temporary file left behind is seen as such; a raised message that reads
as C++ or pybind11 internals is a problem too, and so is a connection to the probe's listener.
Zone boundaries read for the notebook's maps and zones() ([geography.source] with make_valid, crs, encoding; the file
swapped for a link out, a VRT at the listener, a FIFO, or deleted after the load; a Shapefile folder from
scenario_from_frames(geometry=)); the zones GeoDataFrame sorted in place, given in another row order, missing a row,
holding a row twice, without names, not a GeoDataFrame, read by 8 threads at once; Scenario.set_grid with open ages of
2^31 − 1, 10^9, 135 and 130; end_year and repr with base years and steps near 2^31; StepSchedules.set_od with counts
of 2^31 and 2^30, an OD matrix set for other zones, groups or ages than its scenario's (run, write_outputs, an
ensemble, backtest, through copies and the schedules list); years given as whole and half text, bools, NumPy ints
and bools, Fractions, NaN and 2^63 to the Results' frames and figures; Ensemble.trajectories with a str subclass
whose __eq__ lies and bytes, pickling and copying an Ensemble, its quantiles after the set is collected and from
threads while another ensemble runs; estimate's years as a set, a dict, a NumPy array, NumPy NaN and float32 rates;
backtest(report=numpy.bool_); reordered and renamed runs given to write_outputs, run and backtest.
Usage: PYTHONPATH=build/python /usr/bin/python3 tests/probe/hostile_python9.py [WORK_DIR] [CASE_PREFIX ...]
(about 4 min on a loaded 2-core VM). Run it in the foreground (tests/probe/README.md)."""
import os, shutil, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe_common import FIX, RAW_PYTHON, REPO, PythonProbe  # noqa: E402

# GEO: scenarios with [geography.source] (cases swap their files: not watched); a connection to the listener (a VRT
# at its URL) is a problem.
PROBE = PythonProbe('cohortgis-hostile-python9-', RAW_PYTHON + '|int too large to convert', unwatched=('geo',),
                    listen=True)
IN, GEO, OUT, USER = (PROBE.dirs[d] for d in ('in', 'geo', 'out', 'user'))
with open(os.path.join(USER, 'keep.txt'), 'w') as f:
    f.write('a user file\n')
shutil.copy(os.path.join(REPO, 'tests/fixtures/backtest/observed_tiny.csv'), os.path.join(IN, 'observed.csv'))
with open(os.path.join(IN, 'c1.csv'), 'w') as f:
    f.write('zone,sex,age,population\nA,all,all,1000\nB,all,all,2000\n')
with open(os.path.join(IN, 'c2.csv'), 'w') as f:
    f.write('zone,sex,age,population\nA,all,all,1100\nB,all,all,1900\n')


def geo_scenario(name, source, make, zone_ids=('A', 'B')):
    """GEO/name: good.toml and its tables, zones renamed to zone_ids, with [geography.source] `source`; make(folder)
    writes the source's files."""
    d = os.path.join(GEO, name)
    os.makedirs(d)
    for f in ('asfr.csv', 'mx.csv'):
        shutil.copy(os.path.join(FIX, f), d)
    text = open(os.path.join(FIX, 'good.toml')).read()
    base = open(os.path.join(FIX, 'base.csv')).read()
    for old, new in zip(('A', 'B'), zone_ids):
        text = text.replace('"%s"' % old, '"%s"' % new)
        base = base.replace('\n%s,' % old, '\n%s,' % new)
    with open(os.path.join(d, 'base.csv'), 'w', encoding='utf-8') as f:
        f.write(base)
    with open(os.path.join(d, 'sc.toml'), 'w', encoding='utf-8') as f:
        f.write(text.replace('[geography]\n', '[geography]\nsource = %s\n' % source, 1))
    make(d)


def boxes(ids, crs='EPSG:4326', bow_tie=False):
    import geopandas
    import shapely.geometry as sg
    first = sg.Polygon([(116, 39), (116.5, 39.5), (116.5, 39), (116, 39.5)]) if bow_tie else \
        sg.box(116, 39, 116.5, 39.5)
    return geopandas.GeoDataFrame({'code': list(ids)}, geometry=[first, sg.box(116.5, 39, 117, 39.5)], crs=crs)


def shp_without(gdf, path, drop, **kw):
    gdf.to_file(path, **kw)
    for ext in drop:
        p = path[:-4] + ext
        if os.path.exists(p):
            os.remove(p)


GPKG = '{ path = "z.gpkg", layer = "z", id_field = "code" }'
geo_scenario('plain', GPKG, lambda d: boxes('AB').to_file(d + '/z.gpkg', layer='z', driver='GPKG'))
geo_scenario('valid', '{ path = "z.gpkg", layer = "z", id_field = "code", make_valid = true }',
             lambda d: boxes('AB', bow_tie=True).to_file(d + '/z.gpkg', layer='z', driver='GPKG'))
geo_scenario('crs', '{ path = "z.shp", id_field = "code", crs = "EPSG:4326" }',
             lambda d: shp_without(boxes('AB', crs=None), d + '/z.shp', ['.prj']))
geo_scenario('gbk', '{ path = "z.shp", id_field = "code", encoding = "GBK" }',
             lambda d: shp_without(boxes(['东城', '西城']), d + '/z.shp', ['.cpg'], encoding='GBK'),
             zone_ids=('东城', '西城'))
for k in range(7):  # one per case that changes the source after the load
    geo_scenario('swap%d' % k, GPKG, lambda d: boxes('AB').to_file(d + '/z.gpkg', layer='z', driver='GPKG'))
boxes('AB').to_file(os.path.join(USER, 'outside.gpkg'), layer='z', driver='GPKG')
VRT_OUT = ('<OGRVRTDataSource><OGRVRTLayer name="z"><SrcDataSource>%s/outside.gpkg</SrcDataSource><SrcLayer>z'
           '</SrcLayer></OGRVRTLayer></OGRVRTDataSource>' % USER)
VRT = ('<OGRVRTDataSource><OGRVRTLayer name="z"><SrcDataSource>/vsicurl/%s/z.gpkg</SrcDataSource>'
       '</OGRVRTLayer></OGRVRTDataSource>' % PROBE.net.url)

BAD = ('TypeError', 'ValueError')
# The cases' prelude: their own modules, then PythonProbe.cases_prelude's names, then the probe's own.
PROBE.prelude = PROBE.cases_prelude('import copy, fractions, gc, os, pickle, signal, sys, threading, time\n') + f'''\
GEO = {GEO!r}
VRT, VRT_OUT = {VRT!r}, {VRT_OUT!r}
def base():
    return cg.load_scenario(GOOD).baseline
def geo(name):
    return cg.load_scenario(GEO + "/" + name + "/sc.toml")
def left():
    return sorted(x for x in os.listdir(OUT) if ".tmp-" in x or ".old-" in x)
class Liar(str):
    """A str whose == says yes to anything (its hash is str's)."""
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False
    __hash__ = str.__hash__
def od_bad(sc, flows, zones, groups, n_ages, step=0):
    """sc with step `step` holding an OD matrix set for the counts given."""
    ss = sc.step_schedules(step)
    ss.set_od(flows, zones, groups, n_ages)
    sc.set_step_schedules(step, ss)
    return sc
'''


py = PROBE.py

PNG = r"RETURNED b'\\x89PNG'"

# ---- zone boundaries for the notebook: the source's own options, the file changed after the load
py('geo_plain_map', 'geo("plain").run(threads=1).map().data("png")[:4]', 'ok', PNG)
py('geo_make_valid_map', 'geo("valid").run(threads=1).map().data("png")[:4]', 'ok', PNG)
py('geo_make_valid_zones_valid', 'bool(geo("valid").zones().geometry.is_valid.all())', 'ok', 'RETURNED True')
py('geo_assumed_crs_map', 'geo("crs").run(threads=1).map().data("png")[:4]', 'ok', PNG)
py('geo_assumed_crs_epsg', 'geo("crs").zones().crs.to_epsg()', 'ok', 'RETURNED 4326')
py('geo_gbk_zones_ids', 'list(geo("gbk").zones().index)', 'ok', r"RETURNED \['东城', '西城'\]")
py('geo_gbk_zones_frame', 'int(geo("gbk").run(threads=1).zones_frame()["population"].notna().sum())', 'ok',
   'RETURNED 2')
py('geo_source_link_swapped_out', 's = cg.load_scenario(GEO + "/swap0/sc.toml")\nr = s.run(threads=1)\n'
   'os.remove(GEO + "/swap0/z.gpkg")\nos.symlink(USER + "/outside.gpkg", GEO + "/swap0/z.gpkg")\nr.map()',
   'ValueError', 'changed after it was checked|outside')
py('geo_source_deleted', 's = cg.load_scenario(GEO + "/swap1/sc.toml")\nos.remove(GEO + "/swap1/z.gpkg")\ns.zones()',
   'ValueError', 'z.gpkg')
py('geo_source_now_vrt_at_listener', 's = cg.load_scenario(GEO + "/swap2/sc.toml")\n'
   'open(GEO + "/swap2/z.gpkg", "w").write(VRT)\ns.zones()', 'ValueError', 'z.gpkg')
py('geo_source_now_vrt_out_of_folders', 's = cg.load_scenario(GEO + "/swap6/sc.toml")\n'
   'open(GEO + "/swap6/z.gpkg", "w").write(VRT_OUT)\ns.zones()', 'ValueError', 'outside')
py('geo_source_now_fifo', 's = cg.load_scenario(GEO + "/swap3/sc.toml")\nos.remove(GEO + "/swap3/z.gpkg")\n'
   'os.mkfifo(GEO + "/swap3/z.gpkg")\ns.zones()', 'ValueError', 'z.gpkg', timeout=30)
py('geo_source_now_folder', 's = cg.load_scenario(GEO + "/swap4/sc.toml")\nos.remove(GEO + "/swap4/z.gpkg")\n'
   'os.mkdir(GEO + "/swap4/z.gpkg")\ns.zones()', 'ValueError', 'z.gpkg')
py('geo_source_rewritten_other_ids', 's = cg.load_scenario(GEO + "/swap5/sc.toml")\n'
   'from shapely.geometry import box\nimport geopandas\n'
   'geopandas.GeoDataFrame({"code": ["X", "Y"]}, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], '
   'crs="EPSG:4326").to_file(GEO + "/swap5/z.gpkg", layer="z", driver="GPKG")\ns.zones()', 'ValueError', "'A'|A")
py('geo_frames_geometry_file_map', 'd = toy_frames(zones=2, migration=False)\n'
   'd["zones"].to_file(OUT + "/toy_zones.gpkg", layer="zones", driver="GPKG")\n'
   'd["zones"] = pd.DataFrame(d["zones"].drop(columns="geometry"))\n'
   's = cg.scenario_from_frames(geometry=OUT + "/toy_zones.gpkg", **d)\n'
   '(list(s.zones().index), s.run(threads=1).map().data("png")[:4])', 'ok',
   r"RETURNED \(\['Z000', 'Z001'\], b'\\x89PNG'\)")
py('geo_zones_8_threads_first_read', 's = geo("plain")\nout, errs = [], []\ndef f():\n    try:\n'
   '        out.append(tuple(s.zones().index))\n    except BaseException as e:\n        errs.append(repr(e))\n'
   'ts = [threading.Thread(target=f) for _ in range(8)]\n[t.start() for t in ts]\n[t.join() for t in ts]\n'
   '(errs, sorted(set(out)))', 'ok', r"RETURNED \(\[\], \[\('A', 'B'\)\]\)")
py('geo_zones_ctrl_c', 's = geo("plain")\nsignal.setitimer(signal.ITIMER_REAL, 0.001)\n'
   'signal.signal(signal.SIGALRM, lambda *a: (_ for _ in ()).throw(KeyboardInterrupt()))\n'
   'try:\n    s.zones()\nexcept KeyboardInterrupt:\n    pass\nsignal.setitimer(signal.ITIMER_REAL, 0)\n'
   'list(s.zones().index)', 'ok', r"RETURNED \['A', 'B'\]")

# ---- the zones frame: taken by zone id, whatever a notebook did to it
py('zones_sorted_in_place_then_frame', 's = geo("plain")\nr = s.run(threads=1)\n'
   's.zones().sort_index(ascending=False, inplace=True)\n'
   'r.zones_frame()["population"].to_dict() == r.indicator_values("population")[["A", "B"]].to_dict()', 'ok',
   'RETURNED True')
py('zones_dropped_in_place_then_map', 's = geo("plain")\nr = s.run(threads=1)\n'
   's.zones().drop(index="A", inplace=True)\nr.map().data("png")[:4]', 'ok', PNG)
py('zones_given_reversed', 'z = geo("plain").zones().iloc[::-1]\nr = cg.ScenarioSet(geo("plain").runs, zones=z)'
   '.run(threads=1)\nr.zones_frame()["population"].to_dict() == r.indicator_values("population")[["A", "B"]]'
   '.to_dict()', 'ok', 'RETURNED True')
py('zones_given_missing_row', 'z = geo("plain").zones().iloc[:1]\n'
   'cg.ScenarioSet(geo("plain").runs, zones=z).run(threads=1).map()', 'ValueError', "no row for zone 'B'")
py('zones_given_row_twice', 'z = geo("plain").zones().iloc[[0, 1, 1]]\ncg.ScenarioSet(geo("plain").runs, zones=z)'
   '.zones()', 'ValueError', 'two rows')
py('zones_given_extra_rows', 'import geopandas, shapely.geometry\nz = geo("plain").zones()\n'
   'extra = pd.concat([z, geopandas.GeoDataFrame({"name": ["x"]}, index=pd.Index(["C"], name="id"), '
   'geometry=[shapely.geometry.box(117, 39, 118, 40)], crs=z.crs)])\n'
   'list(cg.ScenarioSet(geo("plain").runs, zones=extra).zones().index)', 'ok', r"RETURNED \['A', 'B'\]")
py('zones_given_without_names_map', 'z = geo("plain").zones()[["geometry"]]\n'
   'cg.ScenarioSet(geo("plain").runs, zones=z).run(threads=1).map().data("png")[:4]', 'ok', PNG)
py('zones_given_int', 'cg.ScenarioSet(geo("plain").runs, zones=5)', 'TypeError', 'GeoDataFrame')
py('zones_given_dataframe', 'cg.ScenarioSet(geo("plain").runs, zones=pd.DataFrame({"a": [1]}))', 'TypeError',
   'GeoDataFrame')
py('zones_frame_threads_sorting', 's = geo("plain")\nr = s.run(threads=1)\n'
   'want = r.indicator_values("population")[["A", "B"]].to_dict()\nbad = []\ndef f(k):\n    for _ in range(20):\n'
   '        if k % 2:\n            s.zones().sort_index(ascending=False, inplace=True)\n        else:\n'
   '            bad.append(r.zones_frame()["population"].to_dict() != want)\n'
   'ts = [threading.Thread(target=f, args=(k,)) for k in range(4)]\n[t.start() for t in ts]\n[t.join() for t in ts]\n'
   'any(bad)', 'ok', 'RETURNED False', timeout=120)

# ---- the age grid and the calendar at int's edges
py('grid_open_age_int_max', 'base().set_grid(1, 2 ** 31 - 1)', 'ValueError', 'open age 2147483647')
py('grid_open_age_int_max_less_1', 's = base()\ns.set_grid(1, 2 ** 31 - 2)\ns.base_population.shape', 'ValueError',
   'open age')
py('grid_open_age_1e9_age_starts', 's = base()\ns.set_grid(5, 10 ** 9)\nlen(s.age_starts)', 'ValueError',
   'open age')
py('grid_open_age_135', 'base().set_grid(5, 135)', 'ValueError', '10 to 130')
py('grid_open_age_130_ok', 's = base()\ns.set_grid(1, 130)\n(s.n_ages, s.open_age)', 'ok', r'RETURNED \(131, 130\)')
py('end_year_base_year_int_max', 's = base()\ns.base_year = 2 ** 31 - 1\ns.end_year', 'ok', 'RETURNED 2147483657')
py('end_year_steps_int_max', 's = base()\ns.steps = 2 ** 31 - 1\ns.end_year', 'ok', 'RETURNED 10737420255')
py('repr_steps_int_max', 's = base()\ns.steps = 2 ** 31 - 1\nrepr(s).split(", ")[-1]', 'ok',
   '2020-10737420255 in 5-year steps')
py('set_repr_base_year_int_max', 's = cg.load_scenario(GOOD)\ns.baseline.base_year = 2 ** 31 - 1\nrepr(s)', 'ok',
   '2147483647-2147483657')
py('set_tfr_base_year_int_max', 's = base()\ns.base_year = 2 ** 31 - 1\ns.set_tfr({2030: 1.5})', 'ValueError',
   'year')
py('set_srb_steps_int_max', 's = base()\ns.steps = 2 ** 31 - 1\ns.set_srb(105)', 'ValueError', 'end in')

# ---- OD matrices: counts no scenario has, and counts of another scenario
py('od_counts_int_max_both', 'cg.StepSchedules().set_od([cg.OdFlow(0, 1, 0.1)], 2 ** 31 - 1, 2 ** 31 - 1, 1)',
   'ValueError', 'set_od: zones')
py('od_zones_int_max', 'cg.StepSchedules().set_od([cg.OdFlow(0, 1, 0.1)], 2 ** 31 - 1, 1, 1)', 'ValueError',
   'set_od: zones')
py('od_groups_2p30', 'cg.StepSchedules().set_od([cg.OdFlow(0, 1, 0.1)], 2, 2 ** 30, 1)', 'ValueError',
   'set_od: zones')
py('od_n_ages_int_max', 'cg.StepSchedules().set_od([cg.OdFlow(0, 1, 0.1)], 2, 1, 2 ** 31 - 1)', 'ValueError',
   'set_od: zones')
py('od_origin_outside_scenario', 's = base()\ncg.run(od_bad(s, [cg.OdFlow(2, 0, 0.5)], 3, 1, s.n_ages), threads=1)',
   'ValueError', 'set_od')
py('od_destination_outside_scenario', 's = base()\n'
   'cg.run(od_bad(s, [cg.OdFlow(0, 2, 0.1)], 3, 1, s.n_ages), threads=1)', 'ValueError', 'set_od')
py('od_far_zone_outside_scenario', 's = base()\n'
   'cg.run(od_bad(s, [cg.OdFlow(999, 0, 0.5)], 1000, 1, s.n_ages), threads=1)', 'ValueError', 'set_od')
py('od_other_groups', 's = base()\ncg.run(od_bad(s, [cg.OdFlow(0, 1, 0.1, 1)], 2, 2, s.n_ages), threads=1)',
   'ValueError', 'set_od')
py('od_other_ages_profile', 's = base()\nss = s.step_schedules(0)\n'
   'ss.set_od([cg.OdFlow(0, 1, 0.1)], 2, 1, s.n_ages + 3, profile=np.ones(2 * (s.n_ages + 3)))\n'
   's.set_step_schedules(0, ss)\ncg.run(s, threads=1)', 'ValueError', 'set_od')
py('od_other_counts_write_outputs', 's = cg.load_scenario(GOOD)\nod_bad(s.baseline, [cg.OdFlow(2, 0, 0.5)], 3, 1, '
   's.baseline.n_ages)\ndef w():\n    try:\n        cg.write_outputs(s, OUT + "/od_w", threads=1)\n    finally:\n'
   '        assert not os.path.exists(OUT + "/od_w") and not left(), left()\nw()', 'ValueError', 'set_od')
py('od_other_counts_ensemble', 's = cg.load_scenario(STO)\nod_bad(s.baseline, [cg.OdFlow(2, 0, 0.5)], 3, 1, '
   's.baseline.n_ages)\ns.run(threads=1, trajectories=3)', 'ValueError', 'set_od')
py('od_other_counts_backtest', 's = cg.load_scenario(GOOD)\nod_bad(s.runs[1], [cg.OdFlow(2, 0, 0.5)], 3, 1, '
   's.baseline.n_ages)\ncg.backtest(s, IN + "/observed.csv", OUT + "/od_bt", threads=1)', 'ValueError', 'set_od')
py('od_other_counts_through_copies', 's = base()\nss = s.step_schedules(0)\n'
   'ss.set_od([cg.OdFlow(2, 0, 0.5)], 3, 1, s.n_ages)\ns.schedules = [copy.deepcopy(ss.copy())] * s.steps\n'
   'cg.run(s.copy(), threads=1)', 'ValueError', 'set_od')
py('od_other_counts_variant_run', 's = cg.load_scenario(GOOD)\nv = s.add_variant("odv")\n'
   'od_bad(v, [cg.OdFlow(0, 2, 0.1)], 3, 1, v.n_ages, step=1)\ns.run(threads=1)', 'ValueError', 'set_od')
py('od_own_counts_run_ok', 's = base()\nr = cg.run(od_bad(s, [cg.OdFlow(0, 1, 0.1)], 2, 1, s.n_ages), threads=1)\n'
   'round(float(r.population().sum()) / float(res().population().sum()), 6)', 'ok', 'RETURNED ')
py('od_other_counts_thread_runs', 's = base()\nod_bad(s, [cg.OdFlow(2, 0, 0.5)], 3, 1, s.n_ages)\nerrs = []\n'
   'def f():\n    try:\n        cg.run(s, threads=1)\n    except ValueError as e:\n'
   '        errs.append("set_od" in str(e))\n'
   'ts = [threading.Thread(target=f) for _ in range(4)]\n[t.start() for t in ts]\n[t.join() for t in ts]\nerrs',
   'ok', r'RETURNED \[True, True, True, True\]')

# ---- years given to the results' frames and figures (text that is a whole year is one: test_notebook_user.py)
py('year_text_indicator_values_ok', 'float(res().indicator_values("population", "2030").sum()) > 0', 'ok',
   'RETURNED True')
py('year_text_half_map', 'geo("plain").run(threads=1).map(year="2030.5")', 'ValueError', 'whole year')
py('year_bool_pyramid', 'res().pyramid(year=True)', 'ValueError', 'whole year')
py('year_numpy_bool', 'res().indicator_values("population", np.bool_(True))', 'ValueError', 'year')
py('year_numpy_int_ok', 'float(res().indicator_values("population", np.int16(2030)).sum()) > 0', 'ok', 'RETURNED True')
py('year_fraction_ok', 'float(res().indicator_values("population", fractions.Fraction(4060, 2)).sum()) > 0', 'ok',
   'RETURNED True')
py('year_float_half', 'res().indicator_values("population", 2030.5)', 'ValueError', 'whole year')
py('year_nan_zones_frame', 'geo("plain").run(threads=1).zones_frame(float("nan"))', 'ValueError', 'whole year')
py('year_int_max_pyramid', 'res().pyramid(compare_year=2 ** 63)', 'ValueError', 'year')

# ---- ensembles
py('ens_trajectories_liar', 'e = cg.load_scenario(STO).run(threads=1, trajectories=2)\n'
   'float(e.trajectories(Liar("deaths")).sum()) == float(e.trajectories("deaths").sum())', 'ok', 'RETURNED True')
py('ens_trajectories_bytes', 'cg.load_scenario(STO).run(threads=1, trajectories=2).trajectories(b"deaths")',
   'TypeError', 'indicator')
py('ens_trajectories_list', 'cg.load_scenario(STO).run(threads=1, trajectories=2).trajectories(["deaths"])',
   'TypeError', 'indicator')
py('ens_pickle', 'pickle.dumps(cg.load_scenario(STO).run(threads=1, trajectories=2))', 'TypeError',
   'cannot pickle cohortgis.Ensemble')
py('ens_pickle_protocol_0', 'pickle.dumps(cg.load_scenario(STO).run(threads=1, trajectories=2), 0)', 'TypeError',
   'Ensemble')
py('ens_deepcopy', 'e = cg.load_scenario(STO).run(threads=1, trajectories=2)\nd = copy.deepcopy(e)\n'
   '(d is not e, d.quantiles.equals(e.quantiles))', 'ok', r'RETURNED \(True, True\)')
py('ens_copy', 'e = cg.load_scenario(STO).run(threads=1, trajectories=2)\ncopy.copy(e).variants == e.variants', 'ok',
   'RETURNED True')
py('ens_quantiles_after_set_collected', 'e = cg.load_scenario(STO).run(threads=1, trajectories=3)\ngc.collect()\n'
   'e.quantiles.shape[0] > 0 and e.results.population_frame().shape[0] > 0', 'ok', 'RETURNED True')
py('ens_read_while_another_runs', 'e = cg.load_scenario(STO).run(threads=1, trajectories=3)\nout = []\n'
   'def f():\n    for _ in range(5):\n        out.append(e.quantiles.shape)\n'
   't = threading.Thread(target=f)\nt.start()\n'
   'cg.load_scenario(STO).run(threads=1, trajectories=20)\nt.join()\nlen(set(out))', 'ok', 'RETURNED 1')
py('ens_progress_reads_previous', 'e = cg.load_scenario(STO).run(threads=1, trajectories=2)\nseen = []\n'
   'def cb(d, t):\n    seen.append(float(e.trajectories("population").sum()))\n'
   'cg.load_scenario(STO).run(threads=1, trajectories=2, progress=cb)\nlen(set(seen))', 'ok', 'RETURNED 1')

# ---- jobs: years, rates and switches of other types
py('estimate_years_set', 'cg.estimate(IN + "/c1.csv", IN + "/c2.csv", {2010, 2003}, OUT + "/est_set")', 'TypeError',
   'years')
py('estimate_years_dict', 'cg.estimate(IN + "/c1.csv", IN + "/c2.csv", {2000: 1, 2010: 2}, OUT + "/est_dict")',
   'TypeError', 'years')
py('estimate_years_frozenset', 'cg.estimate(IN + "/c1.csv", IN + "/c2.csv", frozenset([2000, 2010]), OUT + "/est_fs")',
   'TypeError', 'years')
py('estimate_years_numpy_ints_ok', 'cg.estimate(IN + "/c1.csv", IN + "/c2.csv", np.array([2000, 2010]), '
   'OUT + "/est_np")["net_per_year"]', 'ok', r'RETURNED \[10.0, -10.0\]')
py('estimate_years_numpy_floats', 'cg.estimate(IN + "/c1.csv", IN + "/c2.csv", np.array([2000.0, 2010.0]), '
   'OUT + "/est_npf")', 'TypeError', 'years')
py('estimate_growth_numpy_nan', 'cg.estimate(IN + "/c1.csv", IN + "/c2.csv", (2000, 2010), OUT + "/est_nan", '
   'natural_growth_per_1000=np.float64("nan"))', 'ValueError', 'growth')
py('estimate_share_float32_ok', 'cg.estimate(IN + "/c1.csv", IN + "/c2.csv", (2000, 2010), OUT + "/est_f32", '
   'female_share=np.float32(0.5))["method"]', 'ok', "RETURNED 'totals'")
py('backtest_report_numpy_bool', 'cg.backtest(GOOD, IN + "/missing.csv", OUT + "/bt_np", report=np.bool_(False))',
   'ValueError', 'missing.csv')
py('backtest_report_int', 'cg.backtest(GOOD, IN + "/observed.csv", OUT + "/bt_int", report=1)', 'TypeError', 'report')

# ---- runs reordered or renamed in Python
py('write_reversed_runs', 's = cg.load_scenario(GOOD)\ns.runs.reverse()\ncg.write_outputs(s, OUT + "/rev", threads=1)',
   'ValueError', 'baseline')
py('run_reversed_runs_frames', 's = cg.load_scenario(GOOD)\ns.runs.reverse()\nr = s.run(threads=1)\n'
   '(r.variants, r.population_frame().variant.unique().tolist())', 'ok',
   r"RETURNED \(\['more', 'baseline'\], \['more', 'baseline'\]\)")
py('backtest_baseline_renamed', 's = cg.load_scenario(GOOD)\ns.baseline.variant = "zzz"\n'
   'cg.backtest(s, IN + "/observed.csv", OUT + "/bt_ren", threads=1)', 'ValueError', 'baseline')
py('ensemble_variant_only', 's = cg.load_scenario(STO)\nr = s.run(threads=1, variants=["more"], trajectories=2) '
   'if "more" in s.variants else s.run(threads=1, trajectories=2)\nsorted(r.quantiles.variant.unique())', 'ok',
   'RETURNED ')

PROBE.finish()
