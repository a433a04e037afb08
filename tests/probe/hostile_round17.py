#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Hostile-input probe of round 17 (helper h72): what the earlier probes touched least. (a) Zone boundaries loaded
through GDAL ([geography.source]): every accepted format (GeoPackage, GeoJSON, GeoJSONSeq, FlatGeobuf, OpenFileGDB,
Shapefile, a folder of Shapefiles, CSV with WKT, XLSX), odd geometries (points, lines, empty, collections, curves,
3D, bow-ties with and without make_valid, slivers, a million vertices), empty layers, duplicate, blank, trimmed and
numeric zone keys, two fields differing in case, CRS oddities (unknown EPSG, garbage .prj, a local CS, a PROJ string
naming grids), huge, NaN and out-of-range coordinates drawn into maps, zipped Shapefiles (traversal, a bomb, a VRT
inside), folders holding FIFOs and sockets, OGR VRTs with <OpenOptions> (GeoPackage PRELUDE_STATEMENTS attaching a
file outside the scenario's folders, FlatGeobuf VERIFY_BUFFERS=NO), unions of 1000 sources, .gpkg-wal/.aux.xml
FIFOs; (b) the commands other than run: estimate (an interval of 2^31 years, crosswalks with NaN/1e308/negative
weights, levels with 1e308 figures, group-split with 1e300 counts, 10,000 --mx-filter), backtest (observed far in
the future, 2^63 persons, the scenario as the observed table, --out a link), map (--change reversed or equal,
--n-classes 2^63, --dpi nan, --out through a link, a name too long for its temporary name), report, info (FIFOs,
/dev/zero, a folder of Shapefiles, a GeoPackage of 2000 layers), validate --results on a file, the nonexistent
`monitor`/`ensemble` commands, --trajectories with a tiny --ensemble-memory stopped by SIGTERM; (c) Python: the
newer functions (write_outputs' format/components/compress/indicators_csv, load_scenario's threads, Ensemble's
trajectories and indicators, map's classes/method/legend_decimals/ax, add_variant, pyramid, lines) with wrong types
and huge values, a run or write_outputs started from a progress callback, results used after their set is gone,
threads; (d) overflow: years near INT_MAX, step 2^31-1, open_age 2^31, 100,000 groups, 20,000 TFR points, 1e6
steps; (e) output folders: --out a link to a user's folder, a dangling link, the folder of the scenario's tables,
a results folder whose maps/ is a link to a user's folder or whose manifest lists a user's file, names with a line
break, a leading dash, Chinese text, 250 bytes. A case fails on a crash, a hang, an exit other than the expected, a
message that does not match, a crash-like or huge message, a network connection, a file written, changed or
deleted outside the output, output or staging folders left after an error, or a signal honoured after more than 1 s.
About 8 minutes on a loaded 2-core VM (213 cases); WORK (about 600 MB: the results folders of the map and report
cases are hard links to one copy) is left for inspection: delete it afterwards.
Usage: PYTHONPATH=build/python /usr/bin/python3 tests/probe/hostile_round17.py [BUILD_DIR [WORK_DIR]] [PREFIX ...]"""
import os, shutil, signal, sqlite3, subprocess, sys, zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe_common import (CliProbe, FIX, REPO, leftovers, make, message_problems, place, run_measured, snapshot,
                          changes)

PROBE = CliProbe('cohortgis-hostile-probe17-')
BUILD, ROOT, EXE, NET, URL, ENV, LOG = PROBE.build, PROBE.root, PROBE.exe, PROBE.net, PROBE.url, PROBE.env, PROBE.log
results, record, check, wanted, cli = LOG.results, LOG.record, LOG.check, PROBE.wanted, PROBE.cli
SIG_LATENCY_S = 1.0

GOOD, INPUTS, SHARED = PROBE.good, PROBE.inputs, PROBE.shared
BASE, MX, ASFR = INPUTS['base.csv'], INPUTS['mx.csv'], INPUTS['asfr.csv']
G = lambda old, new: GOOD.replace(old, new)  # noqa: E731
SRCKEY = lambda p, extra='': G('[projection]', '[geography.source]\npath = "%s"\nid_field = "id"\n%s\n'  # noqa: E731
                               '[projection]'
                               % (p, extra))
RUN = ['run', 'sc.toml', '--out', 'out', '--quiet', '--no-report']
RUNR = ['run', 'sc.toml', '--out', 'out', '--quiet']  # with the report: results.gpkg and maps draw the zones
VAL = ['validate', 'sc.toml']


def kept(*rels):
    return lambda d, rc: ['LOST %s' % r for r in rels if not os.path.exists(os.path.join(d, r))]


make(SHARED, {'victim/thesis.txt': 'precious\n', 'victim/maps/mine.png': b'\x89PNG mine'})
SHARED_KEPT = lambda d, rc: ['LOST shared/%s' % r for r in ('victim/thesis.txt', 'victim/maps/mine.png')  # noqa: E731
                             if not os.path.exists(os.path.join(SHARED, r))]

# --- (a) Zone boundaries through GDAL --------------------------------------------------------------------------------
SRC = os.path.join(ROOT, 'src')
SQ = lambda x0, y0, s=1: 'POLYGON ((%s %s,%s %s,%s %s,%s %s,%s %s))' % (  # noqa: E731
    x0, y0, x0 + s, y0, x0 + s, y0 + s, x0, y0 + s, x0, y0)
TWO = [('A', SQ(0, 0)), ('B', SQ(1, 0))]


def ogr(name, rows, fmt='GPKG', srs='EPSG:4326', header='id', extra=()):
    """A vector file SRC/name from (id, WKT) rows, written by ogr2ogr; returns its path."""
    csv = os.path.join(SRC, name + '.csv')
    make(SRC, {name + '.csv': '%s,WKT\n' % header + ''.join('"%s","%s"\n' % r for r in rows)})
    dst = os.path.join(SRC, name)
    args = ['ogr2ogr', '-q', '-f', fmt, dst, csv, '-oo', 'GEOM_POSSIBLE_NAMES=WKT', '-oo', 'KEEP_GEOM_COLUMNS=NO',
            '-nln', 'z'] + (['-a_srs', srs] if srs else []) + list(extra)
    subprocess.run(args, check=True, capture_output=True)
    return dst


def files_of(path, prefix=''):
    """{relative name: bytes} of a file or of every file of a folder (a Shapefile folder, a .gdb)."""
    if os.path.isfile(path):
        return {prefix + os.path.basename(path): open(path, 'rb').read()}
    out = {}
    for dp, _, fns in os.walk(path):
        for f in fns:
            p = os.path.join(dp, f)
            out[os.path.join(prefix, os.path.relpath(p, os.path.dirname(path)))] = open(p, 'rb').read()
    return out


make(SRC, {})
GPKG = files_of(ogr('z.gpkg', TWO))
SHPDIR = files_of(ogr('shp', TWO, 'ESRI Shapefile'))  # {'shp/z.shp': …}
SHP = {k[4:]: v for k, v in SHPDIR.items()}
for label, fname, fmt in [('gpkg', 'z.gpkg', 'GPKG'), ('geojson', 'z.geojson', 'GeoJSON'),
                          ('geojsonseq', 'z.geojsonl', 'GeoJSONSeq'), ('fgb', 'z.fgb', 'FlatGeobuf'),
                          ('gdb', 'z.gdb', 'OpenFileGDB')]:
    fs_ = files_of(ogr(fname, TWO, fmt, extra=['-nlt', 'POLYGON'] if fmt == 'OpenFileGDB' else ()))
    cli('geo_format_' + label, RUNR, fs_, 'ok', toml=SRCKEY(fname), timeout=90)
cli('geo_format_shp_folder', VAL, SHPDIR, 'ok', toml=SRCKEY('shp', 'layer = "z"'))
cli('geo_format_csv_wkt_no_crs', VAL, {'z.csv': 'id,WKT\nA,"%s"\nB,"%s"\n' % (SQ(0, 0), SQ(1, 0))}, 'bad',
    r'coordinate reference system', toml=SRCKEY('z.csv'))
cli('geo_format_xlsx', VAL, files_of(ogr('z.xlsx', TWO, 'XLSX', srs=None)), 'bad', r'z\.xlsx|geometry',
    toml=SRCKEY('z.xlsx'))
cli('geo_format_kml_refused', VAL, {'z.kml': '<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2">'
                                    '<Document><Placemark><name>A</name><Polygon><outerBoundaryIs><LinearRing>'
                                    '<coordinates>0,0 1,0 1,1 0,0</coordinates></LinearRing></outerBoundaryIs>'
                                    '</Polygon></Placemark></Document></kml>'}, 'bad', r'z\.kml', toml=SRCKEY('z.kml'))

# Odd geometries (GeoPackages from WKT).
for label, rows, expect, pat, extra in [
        ('points', [('A', 'POINT (0 0)'), ('B', 'POINT (1 1)')], 'bad', r'not a polygon', ''),
        ('lines', [('A', 'LINESTRING (0 0,1 1)'), ('B', SQ(1, 0))], 'bad', r'not a polygon', ''),
        ('empty_polygon', [('A', 'POLYGON EMPTY'), ('B', SQ(1, 0))], 'bad', r'empty geometry|without a geometry', ''),
        ('no_geometry', [('A', ''), ('B', SQ(1, 0))], 'bad', r'without a geometry|empty geometry', ''),
        ('collection_of_polygons', [('A', 'GEOMETRYCOLLECTION (%s,%s)' % (SQ(0, 0), SQ(5, 5))), ('B', SQ(1, 0))],
         'any', None, ''),
        ('collection_with_point', [('A', 'GEOMETRYCOLLECTION (%s,POINT (9 9))' % SQ(0, 0)), ('B', SQ(1, 0))], 'bad',
         r'not a polygon', ''),
        ('curvepolygon', [('A', 'CURVEPOLYGON (CIRCULARSTRING (0 0,1 1,2 0,1 -1,0 0))'), ('B', SQ(3, 0))], 'any', None,
         ''),
        ('polygon_z', [('A', 'POLYGON Z ((0 0 5,1 0 5,1 1 5,0 1 5,0 0 5))'), ('B', SQ(1, 0))], 'any', None, ''),
        ('bowtie', [('A', 'POLYGON ((0 0,1 1,1 0,0 1,0 0))'), ('B', SQ(2, 0))], 'bad', r'invalid geometry', ''),
        ('bowtie_make_valid', [('A', 'POLYGON ((0 0,1 1,1 0,0 1,0 0))'), ('B', SQ(2, 0))], 'ok', None,
         'make_valid = true'),
        ('sliver_make_valid', [('A', 'POLYGON ((0 0,1 0,2 0,0 0))'), ('B', SQ(2, 0))], 'bad', r'could not repair',
         'make_valid = true'),
        ('unclosed_ring', [('A', 'POLYGON ((0 0,1 0,1 1,0 1))'), ('B', SQ(2, 0))], 'bad', r'sc\.toml', ''),
        ('dup_ids', [('A', SQ(0, 0)), ('A', SQ(1, 0)), ('B', SQ(2, 0))], 'bad', r'duplicate ids', ''),
        ('ids_trim_to_dup', [('A', SQ(0, 0)), (' A ', SQ(1, 0)), ('B', SQ(2, 0))], 'bad', r'duplicate ids', ''),
        ('blank_id', [('   ', SQ(0, 0)), ('A', SQ(1, 0)), ('B', SQ(2, 0))], 'bad', r'empty id', ''),
        ('extra_zone', TWO + [('C', SQ(5, 5))], 'bad', r'C', ''),
        ('missing_zone', TWO[:1], 'bad', r'B', ''),
        ('id_with_newline', [('A\nB', SQ(0, 0)), ('B', SQ(1, 0))], 'bad', r'sc\.toml', ''),
        ('id_300_chars', [('A' * 300, SQ(0, 0)), ('B', SQ(1, 0))], 'bad', r'200', '')]:
    try:
        fs_ = files_of(ogr('odd_%s.gpkg' % label, rows))
    except subprocess.CalledProcessError as e:
        record('geo_' + label, True, 'ogr2ogr refused to make it: %s' % e.stderr.decode()[:100])
        continue
    cli('geo_' + label, VAL if expect != 'ok' else RUNR, {'z.gpkg': list(fs_.values())[0]}, expect, pat,
        toml=SRCKEY('z.gpkg', extra), timeout=90)
MILLION = ','.join('[%r,%r]' % (i * 1e-6, (i % 2) * 1e-7) for i in range(1000000))
cli('geo_million_vertices_maps', RUNR, {'z.geojson': '{"type":"FeatureCollection","features":[{"type":"Feature",'
                                        '"properties":{"id":"A"},"geometry":{"type":"Polygon","coordinates":[[%s,'
                                        '[1,1],[0,1],[0,0]]]}},{"type":"Feature","properties":{"id":"B"},"geometry":'
                                        '{"type":"Polygon","coordinates":[[[2,0],[3,0],[3,1],[2,1],[2,0]]]}}]}'
                                        % MILLION}, 'any', toml=SRCKEY('z.geojson'), timeout=120)
del MILLION
cli('geo_empty_layer_geojson', VAL, {'z.geojson': '{"type":"FeatureCollection","features":[]}'}, 'bad',
    r'no features', toml=SRCKEY('z.geojson'))
GJ = ('{"type":"FeatureCollection",%s"features":[{"type":"Feature","properties":%s,"geometry":{"type":'
      '"Polygon","coordinates":[[[%s,%s],[%s,%s],[%s,%s],[%s,%s],[%s,%s]]]}},{"type":"Feature","properties":'
      '{"id":"B"},"geometry":{"type":"Polygon","coordinates":[[[1,0],[2,0],[2,1],[1,1],[1,0]]]}}]}')


def gj(props='{"id":"A"}', crs='', x0=0, y0=0, x1=1, y1=1):
    return GJ % (crs, props, x0, y0, x1, y0, x1, y1, x0, y1, x0, y0)


cli('geo_id_object', VAL, {'z.geojson': gj('{"id":{"a":1}}')}, 'bad', r'z\.geojson|A', toml=SRCKEY('z.geojson'))
cli('geo_id_two_fields_case', VAL, {'z.geojson': gj('{"id":"A","ID":"X"}')}, 'any', toml=SRCKEY('z.geojson'))
cli('geo_id_real', VAL, {'z.geojson': gj('{"id":1.0}').replace('"id":"B"', '"id":2.5')}, 'bad', r'1|2\.5',
    toml=SRCKEY('z.geojson'))
cli('geo_id_field_missing', VAL, {'z.geojson': gj()}, 'bad', r'missing field', toml=SRCKEY('z.geojson').replace(
    'id_field = "id"', 'id_field = "code"'))
cli('geo_coords_1e300_maps', RUNR, {'z.geojson': gj(x0=-1e300, y0=-1e300, x1=1e300, y1=1e300)}, 'any',
    toml=SRCKEY('z.geojson'), timeout=90)
cli('geo_coords_1e400', VAL, {'z.geojson': gj(x1='1e400')}, 'any', toml=SRCKEY('z.geojson'))
cli('geo_lat_200_maps', RUNR, {'z.geojson': gj(y0=150, y1=200)}, 'any', toml=SRCKEY('z.geojson'), timeout=90)
cli('geo_crs_unknown_epsg', VAL, {'z.geojson': gj(crs='"crs":{"type":"name","properties":{"name":"EPSG:999999"}},')},
    'any', toml=SRCKEY('z.geojson'))
cli('geo_crs_local_cs_maps', RUNR, {'z.gpkg': list(files_of(ogr('local.gpkg', TWO, srs='LOCAL_CS["x",UNIT["m",1]]'))
                                                 .values())[0]}, 'any', toml=SRCKEY('z.gpkg'), timeout=90)
cli('geo_crs_proj_grid_passwd', RUNR, {'z.gpkg': list(files_of(ogr(
    'grid.gpkg', TWO, srs='+proj=longlat +ellps=WGS84 +nadgrids=/etc/passwd +no_defs')).values())[0]}, 'any',
    toml=SRCKEY('z.gpkg'), timeout=90)
cli('geo_crs_proj_grid_url', RUNR, {'z.gpkg': list(files_of(ogr(
    'gridurl.gpkg', TWO, srs='+proj=longlat +ellps=WGS84 +nadgrids=%s/g.tif +no_defs' % URL)).values())[0]}, 'any',
    toml=SRCKEY('z.gpkg'), timeout=90)
cli('geo_prj_garbage', VAL, dict(SHP, **{'z.prj': 'hello, world'}), 'any', toml=SRCKEY('z.shp'))
cli('geo_prj_missing', VAL, {k: v for k, v in SHP.items() if not k.endswith('.prj')}, 'bad',
    r'coordinate reference system', toml=SRCKEY('z.shp'))
cli('geo_dbf_truncated', VAL, dict(SHP, **{'z.dbf': SHP['z.dbf'][:40]}), 'bad', r'z\.shp', toml=SRCKEY('z.shp'))
cli('geo_shx_huge_count', VAL, dict(SHP, **{'z.shx': SHP['z.shx'][:24] + b'\x7f\xff\xff\xff' + SHP['z.shx'][28:]}),
    'any', toml=SRCKEY('z.shp'))
cli('geo_dbf_2p31_records', VAL, dict(SHP, **{'z.dbf': SHP['z.dbf'][:4] + b'\xff\xff\xff\x7f' + SHP['z.dbf'][8:]}),
    'any', toml=SRCKEY('z.shp'), timeout=30)
FGB = list(files_of(ogr('t.fgb', TWO, 'FlatGeobuf')).values())[0]
cli('geo_fgb_truncated', VAL, {'z.fgb': FGB[:len(FGB) // 2]}, 'bad', r'z\.fgb', toml=SRCKEY('z.fgb'))
cli('geo_fgb_garbage_body', VAL, {'z.fgb': FGB[:200] + b'\xff' * (len(FGB) - 200)}, 'bad', r'z\.fgb',
    toml=SRCKEY('z.fgb'))

# Zipped Shapefiles: GDAL reads z.shp.zip / .shz; members named ../ must not be written anywhere.


def zipped(members):
    def f(p):
        with zipfile.ZipFile(p, 'w', zipfile.ZIP_DEFLATED) as z:
            for n, data in members.items():
                z.writestr(n, data)
    return f


cli('geo_zip_shp', VAL, {'z.shp.zip': zipped(SHP)}, 'any', toml=SRCKEY('z.shp.zip'))
cli('geo_zip_traversal', VAL, {'z.shp.zip': zipped({'../../shared/victim/z.' + k[2:]: v for k, v in SHP.items()})},
    'any', toml=SRCKEY('z.shp.zip'))
cli('geo_zip_bomb', VAL, {'z.shp.zip': zipped(dict(SHP, **{'z.dbf': SHP['z.dbf'] + b' ' * (300 << 20)}))}, 'bad',
    r'zip', toml=SRCKEY('z.shp.zip'), timeout=60)
cli('geo_zip_with_vrt', VAL, {'z.zip': zipped({'z.vrt': '<OGRVRTDataSource><OGRVRTLayer name="z"><SrcDataSource>'
                                               '%s/z.geojson</SrcDataSource></OGRVRTLayer>'
                                               '</OGRVRTDataSource>' % SHARED})},
    'bad', r'z\.zip', toml=SRCKEY('z.zip'))
make(SHARED, {'z.geojson': gj()})

# Folders as sources: a Shapefile folder or .gdb with a FIFO or socket inside (GDAL opens every .shp it lists).
cli('geo_folder_fifo_shp', VAL, dict(SHPDIR, **{'shp/y.shp': 'FIFO'}), 'bad', r'shp', toml=SRCKEY('shp', 'layer = "z"'),
    timeout=20)
cli('geo_folder_fifo_dbf', VAL, dict(SHPDIR, **{'shp/y.dbf': 'FIFO', 'shp/y.shp': SHP['z.shp'],
                                                'shp/y.shx': SHP['z.shx']}),
    'bad', r'shp', toml=SRCKEY('shp', 'layer = "z"'), timeout=20)
cli('geo_folder_socket', VAL, dict(SHPDIR, **{'shp/y.shp': 'SOCKET'}), 'bad', r'shp', toml=SRCKEY('shp', 'layer = "z"'),
    timeout=20)
GDB = files_of(os.path.join(SRC, 'z.gdb'))
gdb_table = sorted(k for k in GDB if k.endswith('.gdbtable'))[-1]
cli('geo_gdb_fifo_table', VAL, dict(GDB, **{gdb_table: 'FIFO'}), 'bad', r'gdb', toml=SRCKEY('z.gdb'), timeout=20)
cli('geo_folder_link_out', VAL, dict(SHPDIR, **{'shp/y.shp': 'SYMLINK:' + os.path.join(SHARED, 'victim/thesis.txt')}),
    'bad', r'shp', toml=SRCKEY('shp', 'layer = "z"'), timeout=20)
cli('geo_gpkg_wal_fifo', VAL, dict(GPKG, **{'z.gpkg-wal': 'FIFO'}), 'bad', r'z\.gpkg', toml=SRCKEY('z.gpkg'),
    timeout=20)
cli('geo_gpkg_aux_xml_fifo', VAL, dict(GPKG, **{'z.gpkg.aux.xml': 'FIFO'}), 'bad', r'z\.gpkg', toml=SRCKEY('z.gpkg'),
    timeout=20)

# OGR VRTs: open options (GeoPackage SQL run before anything else; FlatGeobuf without its buffer checks), many sources.
OUTSIDE_GPKG = os.path.join(SHARED, 'other.gpkg')
shutil.copy(ogr('other.gpkg', [('A', SQ(0, 0, 5)), ('B', SQ(5, 0, 5))]), OUTSIDE_GPKG)
VRT_OO = ('<OGRVRTDataSource><OGRVRTLayer name="z"><SrcDataSource relativeToVRT="1">%s</SrcDataSource><OpenOptions>'
          '<OOI key="%s">%s</OOI></OpenOptions><SrcLayer>z</SrcLayer></OGRVRTLayer></OGRVRTDataSource>')
cli('geo_vrt_oo_prelude_attach', RUNR, dict(GPKG, **{'z.vrt': VRT_OO % (
    'z.gpkg', 'PRELUDE_STATEMENTS', "ATTACH DATABASE '%s' AS o; CREATE TEMP VIEW z AS SELECT * FROM "
                                                                        "o.z" % OUTSIDE_GPKG)}),
    'bad', r'z\.vrt', toml=SRCKEY('z.vrt'))
cli('geo_vrt_oo_prelude_pragma', VAL, dict(GPKG, **{'z.vrt': VRT_OO % ('z.gpkg', 'PRELUDE_STATEMENTS',
                                                                       'PRAGMA journal_mode=WAL')}),
    'bad', r'z\.vrt', toml=SRCKEY('z.vrt'))
cli('geo_vrt_oo_fgb_no_verify', VAL, {'z.fgb': FGB[:200] + b'\xff' * (len(FGB) - 200), 'z.vrt': VRT_OO % (
    'z.fgb', 'VERIFY_BUFFERS', 'NO')}, 'bad', r'z\.vrt|z\.fgb', toml=SRCKEY('z.vrt'))
cli('geo_vrt_oo_lowercase', VAL, dict(GPKG, **{'z.vrt': (VRT_OO % ('z.gpkg', 'PRELUDE_STATEMENTS', 'SELECT 1'))
                                               .replace('OpenOptions>', 'openoptions>')}), 'any', toml=SRCKEY('z.vrt'))
# GDAL finds a VRT's elements whatever their case: lower-case ones must be checked as the documented ones.
cli('geo_vrt_lowercase_source_outside', RUNR, {'z.vrt': '<OGRVRTDataSource><OGRVRTLayer name="z"><srcdatasource>%s'
                                               '</srcdatasource><SrcLayer>z</SrcLayer></OGRVRTLayer></OGRVRTDataSource>'
                                               % OUTSIDE_GPKG}, 'bad', r'outside the folders', toml=SRCKEY('z.vrt'))
cli('geo_vrt_lowercase_srcsql', VAL, dict(GPKG, **{'z.vrt': '<OGRVRTDataSource><OGRVRTLayer name="z"><SrcDataSource '
                                                   'relativeToVRT="1">z.gpkg</SrcDataSource><srcsql>SELECT * FROM z'
                                                   '</srcsql></OGRVRTLayer></OGRVRTDataSource>'}), 'bad', r'SrcSQL',
    toml=SRCKEY('z.vrt'))
cli('geo_vrt_uppercase_layersrs_file', VAL, dict(GPKG, **{'z.vrt': (VRT_OO % ('z.gpkg', 'x', 'y')).replace(
    '<OpenOptions><OOI key="x">y</OOI></OpenOptions>', '<LAYERSRS>%s</LAYERSRS>' % OUTSIDE_GPKG)}), 'bad', r'SRS',
    toml=SRCKEY('z.vrt'))
cli('geo_vrt_source_folder_fifo', VAL, dict(SHPDIR, **{'shp/y.shp': 'FIFO', 'z.vrt': (
    '<OGRVRTDataSource><OGRVRTLayer name="z"><SrcDataSource relativeToVRT="1">shp</SrcDataSource><SrcLayer>z'
    '</SrcLayer></OGRVRTLayer></OGRVRTDataSource>')}), 'bad', r'z\.vrt|shp', toml=SRCKEY('z.vrt'), timeout=20)
cli('geo_vrt_union_1000', VAL, dict(GPKG, **{'z.vrt': '<OGRVRTDataSource><OGRVRTUnionLayer name="z">' + ''.join(
    '<OGRVRTLayer name="l%d"><SrcDataSource relativeToVRT="1">z.gpkg</SrcDataSource><SrcLayer>z</SrcLayer>'
    '</OGRVRTLayer>' % i for i in range(1000)) + '</OGRVRTUnionLayer></OGRVRTDataSource>'}), 'bad', r'duplicate|z\.vrt',
    toml=SRCKEY('z.vrt'), timeout=60)
cli('geo_vrt_srcregion_huge', VAL, dict(GPKG, **{'z.vrt': (
    '<OGRVRTDataSource><OGRVRTLayer name="z"><SrcDataSource relativeToVRT="1">z.gpkg</SrcDataSource><SrcLayer>z'
    '</SrcLayer><SrcRegion>POLYGON ((' + ','.join('%d 0' % i for i in range(300000)) + ',0 0))</SrcRegion>'
    '</OGRVRTLayer></OGRVRTDataSource>')}), 'any', toml=SRCKEY('z.vrt'), timeout=60)


def gpkg_sql(sql):
    def f(p):
        open(p, 'wb').write(GPKG['z.gpkg'])
        c = sqlite3.connect(p)
        c.executescript(sql)
        c.commit()
        c.close()
    return f


cli('geo_gpkg_srs_definition_10mb', VAL, {'z.gpkg': gpkg_sql(
    "UPDATE gpkg_spatial_ref_sys SET definition = 'GEOGCS[\"' || hex(randomblob(5000000)) || '\"]' WHERE srs_id = "
                                                             "4326")},
    'any', toml=SRCKEY('z.gpkg'), timeout=60)
cli('geo_gpkg_2000_layers', VAL, {'z.gpkg': gpkg_sql(''.join(
    "CREATE TABLE t%d (fid INTEGER PRIMARY KEY, geom BLOB, id TEXT); INSERT INTO gpkg_contents (table_name, data_type, "
    "identifier, srs_id) VALUES ('t%d', 'features', 't%d', 4326); INSERT INTO gpkg_geometry_columns VALUES "
    "('t%d', 'geom', 'POLYGON', 4326, 0, 0);" % (i, i, i, i) for i in range(2000)))}, 'bad', r'layers',
    toml=SRCKEY('z.gpkg'),
    timeout=60)
cli('geo_gpkg_trigger_on_read', VAL, {'z.gpkg': gpkg_sql(
    "CREATE TABLE log (x); CREATE TRIGGER tr AFTER UPDATE ON z BEGIN INSERT INTO log VALUES (1); END;")}, 'ok',
    toml=SRCKEY('z.gpkg', 'layer = "z"'))

# --- (b) The commands other than run ---------------------------------------------------------------------------------
census = 'zone,sex,age,population\nA,all,all,1000\nB,all,all,2000\n'
EST_FILES = {'c1.csv': census, 'c2.csv': census.replace('1000', '1100')}
EST = ['estimate', '--first', 'c1.csv', '--second', 'c2.csv', '--out', 'out']
cli('est_interval_2p31_years', EST + ['--years', '1:2147483647'], EST_FILES, 'any', timeout=30)
cli('est_years_int_min', EST + ['--years', '-2147483648:2010'], EST_FILES, 'bad', r'years')
cli('est_years_int_max_plus', EST + ['--years', '2000:2147483648'], EST_FILES, 'bad', r'years')
cli('est_mx_filter_10000', EST + ['--years', '2000:2010', '--mx', 'mx.csv'] + ['--mx-filter', 'sex=female'] * 10000,
    EST_FILES, 'any', timeout=60)
cw = 'from,to,weight\nA,A,%s\nA,B,%s\nB,B,1\n'
for label, w, expect in [('nan', ('nan', '0.5'), 'bad'), ('1e308', ('1e308', '-1e308'), 'bad'),
                         ('negative', ('1.5', '-0.5'), 'bad'), ('tiny_off', ('0.5000001', '0.5'), 'any')]:
    cli('est_crosswalk_' + label, EST + ['--years', '2000:2010', '--second-crosswalk', 'cw.csv'],
        dict(EST_FILES, **{'cw.csv': cw % w}), expect, r'cw\.csv')
cli('est_crosswalk_fifo', EST + ['--years', '2000:2010', '--first-crosswalk', 'cw.csv'],
    dict(EST_FILES, **{'cw.csv': 'FIFO'}),
    'bad', r'cw\.csv', timeout=20)
cli('est_census_1e300', EST + ['--years', '2000:2010'], dict(EST_FILES, **{'c2.csv': census.replace('1000', '1e300')}),
    'bad', r'c2\.csv')
cli('est_census_2p63', EST + ['--years', '2000:2010'],
    dict(EST_FILES, **{'c2.csv': census.replace('1000', '9223372036854775808')}),
    'bad', r'c2\.csv')
LEV = open(os.path.join(REPO, 'tests/fixtures/estimate/levels_figures.csv')).read()
LEV_FILES = {f: open(os.path.join(REPO, 'tests/fixtures/estimate', f)).read()
             for f in ('levels_mx.csv', 'levels_asfr.csv', 'levels_population.csv')}
LEVARGS = ['estimate', '--levels', 'fig.csv', '--mx', 'levels_mx.csv', '--asfr', 'levels_asfr.csv', '--population',
           'levels_population.csv', '--srb', '105', '--out', 'out']
fig_head, fig_first = LEV.splitlines()[0], LEV.splitlines()[1]
for label, val in [('1e308', '1e308'), ('denormal', '1e-320'), ('nan', 'nan'), ('2p63', '9223372036854775808')]:
    cells = fig_first.split(',')
    cells[-1] = val
    cli('est_levels_value_' + label, LEVARGS, dict(LEV_FILES, **{'fig.csv': fig_head + '\n' + ','.join(cells) + '\n'}),
        'bad', r'fig\.csv')
cli('est_levels_srb_nan', LEVARGS[:-4] + ['--srb', 'nan', '--out', 'out'], dict(LEV_FILES, **{'fig.csv': LEV}), 'bad',
    r'srb')
cli('est_levels_10000_zones', LEVARGS, dict(LEV_FILES, **{'fig.csv': fig_head + '\n' + ''.join(
    'Z%d,tfr,1.5\n' % i for i in range(10000))}), 'any', timeout=60)
GS = 'code,indicator,value\n' + ''.join('Z,%s,%s\n' % (k, v) for k, v in [
    ('pop_resident', '1e300'), ('pop_hukou_elsewhere_same_district', '1'),
    ('pop_hukou_elsewhere_other_district_same_province', '1'), ('pop_hukou_elsewhere_other_province', '1')])
cli('est_group_split_1e300', ['estimate', '--group-split', 'g.csv', '--out', 'out'], {'g.csv': GS}, 'bad', r'g\.csv')
cli('est_group_split_nan', ['estimate', '--group-split', 'g.csv', '--out', 'out'],
    {'g.csv': GS.replace('1e300', 'nan')},
    'bad', r'g\.csv')
cli('est_group_split_zones_10k_prefix', ['estimate', '--group-split', 'g.csv', '--zones', 'x' * 10000, '--out', 'out'],
    {'g.csv': GS.replace('1e300', '10')}, 'bad', r'zones')
cli('est_out_link_to_user_folder', EST + ['--years', '2000:2010'], dict(EST_FILES, **{
    'out': 'SYMLINK:' + os.path.join(SHARED, 'victim')}), 'bad', r'out', post=SHARED_KEPT)

OBS = 'year,zone,group,sex,age,population\n2030,A,all,all,all,900\n2030,B,all,all,all,1200\n'
BT = ['backtest', 'sc.toml', '--observed', 'obs.csv', '--out', 'out', '--quiet', '--no-report']
cli('bt_observed_year_9999', BT, {'obs.csv': OBS.replace('2030', '9999')}, 'bad', r'obs\.csv')
cli('bt_observed_year_int_max', BT, {'obs.csv': OBS.replace('2030', '2147483647')}, 'bad', r'obs\.csv')
cli('bt_observed_2p63_persons', BT, {'obs.csv': OBS.replace('900', '9223372036854775808')}, 'bad', r'obs\.csv')
cli('bt_observed_is_scenario', BT[:3] + ['sc.toml'] + BT[4:], {}, 'bad', r'sc\.toml')
cli('bt_earlier_after_launch', BT + ['--earlier', 'e.csv'], {'obs.csv': OBS, 'e.csv': OBS.replace('2030', '2025')},
    'bad', r'e\.csv')
cli('bt_earlier_is_observed', BT + ['--earlier', 'obs.csv'], {'obs.csv': OBS}, 'bad', r'obs\.csv')
cli('bt_out_link_to_user_folder', BT[:4] + ['--out', 'lnk'] + BT[6:], {'obs.csv': OBS, 'lnk': 'SYMLINK:' + os.path.join(
    SHARED, 'victim')}, 'any', out='lnk', post=SHARED_KEPT)
cli('bt_threads_2p64', BT + ['--threads', '18446744073709551616'], {'obs.csv': OBS}, 'bad', r'threads')
cli('bt_variant_10000', BT + ['--variant'] + ['v%d' % i for i in range(10000)], {'obs.csv': OBS}, 'bad', r'variant')

DEFRES = os.path.join(ROOT, 'default_results')
subprocess.run([EXE, 'run', 'default', '--out', DEFRES, '--quiet'], cwd=ROOT, env=ENV, check=True)


def with_results(d):
    """A copy of the default results (hard links: 100 MB each otherwise; cohortgis replaces files, never edits them,
    and a file changed in place would show as a changed results file in every later case)."""
    shutil.copytree(DEFRES, os.path.join(d, 'res'), copy_function=os.link)


MAP = ['map', 'res']
P_ = ['--indicator', 'population']
for label, extra, expect, pat in [
        ('change_reversed', P_ + ['--change', '2035:2020'], 'any', r'change'),
        ('change_same_year', P_ + ['--change', '2020:2020'], 'any', r'change'),
        ('change_unknown_year', P_ + ['--change', '2020:2999'], 'bad', r'2999'),
        ('change_int_overflow', P_ + ['--change', '2020:99999999999'], 'bad', r'change'),
        ('change_percent_from_zero', ['--indicator', 'births', '--change', '2020:2035', '--percent'], 'any', None),
        ('n_classes_2p63', P_ + ['--year', '2035', '--n-classes', '9223372036854775808'], 'bad', r'n-classes'),
        ('n_classes_1', P_ + ['--year', '2035', '--n-classes', '1'], 'bad', r'n-classes'),
        ('dpi_nan', P_ + ['--year', '2035', '--dpi', 'nan'], 'bad', r'dpi'),
        ('dpi_9_5', P_ + ['--year', '2035', '--dpi', '9.5'], 'bad', r'dpi'),
        ('period_bogus', ['--indicator', 'growth_rate_percent', '--period', '../../etc'], 'bad', r'period'),
        ('year_and_change', P_ + ['--year', '2035', '--change', '2020:2035'], 'bad', r'year|change'),
        ('variant_path', P_ + ['--year', '2035', '--variant', '../victim'], 'bad', r'variant'),
        ('out_250_name', P_ + ['--year', '2035', '--out', 'm' * 251 + '.png'], 'bad', r'no room for the temporary'),
        ('out_newline', P_ + ['--year', '2035', '--out', 'a\nb.png'], 'any', None),
        ('out_folder_png', P_ + ['--year', '2035', '--out', 'd.png'], 'bad', r'd\.png'),
        ('out_link_to_user_file', P_ + ['--year', '2035', '--out', 'l.png'], 'any', r'l\.png'),
        ('out_format_mismatch', P_ + ['--year', '2035', '--format', 'svg', '--out', 'm.png'], 'bad', r'svg|png')]:
    files = {'d.png/': None, 'l.png': 'SYMLINK:' + os.path.join(SHARED, 'victim/maps/mine.png')}
    cli('map_' + label, MAP + extra, files, expect, pat, pre=with_results, out=None, post=SHARED_KEPT,
        allowed=['res', 'a\nb.png', 'l.png'])
cli('report_lang_xx', ['report', 'res', '--lang', 'xx'], {}, 'bad', r'lang', pre=with_results, out=None)
cli('report_folder_link', ['report', 'lnk'], {'lnk': 'SYMLINK:res'}, 'any', pre=with_results, out=None,
    allowed=['res'], timeout=90)
cli('report_maps_link_to_user', ['report', 'res'], {}, 'any', out=None, timeout=90, allowed=['res'], post=SHARED_KEPT,
    pre=lambda d: (with_results(d), shutil.rmtree(os.path.join(d, 'res/maps')),
                   os.symlink(os.path.join(SHARED, 'victim/maps'), os.path.join(d, 'res/maps'))))
cli('info_fifo', ['info', 'f.gpkg'], {'f.gpkg': 'FIFO'}, 'bad', r'f\.gpkg', timeout=20, out=None)
cli('info_fifo_toml', ['info', 'f.toml'], {'f.toml': 'FIFO'}, 'bad', r'f\.toml', timeout=20, out=None)
cli('info_dev_zero', ['info', '/dev/zero'], {}, 'bad', r'/dev/zero', timeout=20, out=None)
cli('info_shp_folder', ['info', 'shp'], SHPDIR, 'bad', r'shp', out=None)
cli('info_shp_folder_fifo', ['info', 'shp/z.shp'], dict(SHPDIR, **{'shp/y.shp': 'FIFO', 'shp/z.dbf': 'FIFO'}), 'bad',
    r'shp', timeout=20, out=None)
cli('info_gpkg_2000_layers', ['info', 'z.gpkg'], {'z.gpkg': gpkg_sql(''.join(
    "CREATE TABLE t%d (fid INTEGER PRIMARY KEY, geom BLOB, id TEXT); INSERT INTO gpkg_contents (table_name, data_type, "
    "identifier, srs_id) VALUES ('t%d', 'features', 't%d', 4326);" % (i, i, i) for i in range(2000)))}, 'any',
    out=None, timeout=60)
cli('info_layer_unknown', ['info', 'z.gpkg', '--layer', 'nope'], GPKG, 'bad', r'nope', out=None)
cli('info_geojson_1e300', ['info', 'z.geojson'], {'z.geojson': gj(x0=-1e300, y0=-1e300, x1=1e300, y1=1e300)}, 'any',
    out=None)
cli('validate_results_is_file', ['validate', 'sc.toml', '--results', 'base.csv'], {}, 'bad', r'base\.csv', out=None)
cli('cmd_monitor', ['monitor', 'sc.toml'], {}, 'bad', r'monitor', out=None)
cli('cmd_ensemble', ['ensemble', 'sc.toml'], {}, 'bad', r'ensemble', out=None)
STO = open(os.path.join(FIX, 'stochastic.toml')).read()
cli('run_ensemble_memory_nan', RUN + ['--trajectories', '10', '--ensemble-memory', 'nan'], {}, 'bad',
    r'ensemble-memory',
    toml=STO)
cli('run_ensemble_memory_denormal', RUN + ['--trajectories', '10', '--ensemble-memory', '1e-320'], {}, 'any',
    r'ensemble-memory', toml=STO)
cli('run_seed_2p31', RUN + ['--trajectories', '10', '--seed', '2147483648'], {}, 'bad', r'seed', toml=STO)

# --- (d) Overflow in sizes ---------------------------------------------------------------------------------------
for label, old, new, pat in [
        ('years_near_int_max', 'base_year = 2020\nhorizon = 2030', 'base_year = 2147483640\nhorizon = 2147483647',
         r'base_year|horizon|year'),
        ('years_span_int', 'base_year = 2020\nhorizon = 2030', 'base_year = -2147483648\nhorizon = 2147483647',
         r'base_year|horizon'),
        ('step_int_max', 'step = 5', 'step = 2147483647', r'step'),
        ('step_1_horizon_1e6', 'horizon = 2030\nstep = 5', 'horizon = 1002020\nstep = 1', r'horizon|step'),
        ('open_age_2p31', 'open_age = 20', 'open_age = 2147483648', r'open_age'),
        ('open_age_int_max_minus', 'open_age = 20', 'open_age = 2147483645', r'open_age'),
        ('groups_100000', 'step = 5', 'step = 5\ngroups = [%s]' % ','.join('"g%d"' % i for i in range(100000)),
         r'groups|base'),
        ('tfr_20000_points', '"2020" = 1.0, "2030" = 2.0', ', '.join('"%d" = 1.5' % y for y in range(1, 20001)),
         r'tfr')]:
    cli('ovf_' + label, VAL, {}, 'bad', pat, toml=G(old, new), timeout=60)
cli('ovf_ages_x_years_run', RUN, {'base.csv': 'zone,sex,age,population\n' + ''.join(
    '%s,%s,%d,10\n' % (z, s, a) for z in 'AB' for s in ('female', 'male') for a in range(0, 131))}, 'any',
    toml=G('open_age = 20', 'open_age = 130').replace('step = 5', 'step = 1').replace(
        'horizon = 2030', 'horizon = 2320').replace('"2030" = 2.0', '"2320" = 2.0'), timeout=120)


def sig_case(name, args, files, sig, after_s, toml=GOOD):
    """`cohortgis ARGS` in a fresh case folder, sig sent after after_s: exit 128 + sig within SIG_LATENCY_S (or 0 when
    it finished first), nothing new or changed left."""
    if not wanted(name):
        return
    d = os.path.join(ROOT, 'cases', name)
    make(d, dict(INPUTS, **{'sc.toml': toml}))
    place(d, files)
    before = snapshot(d)
    names = set(os.listdir(d))
    rc, _, err, secs, _ = run_measured([EXE] + args, d, ENV, 60, (sig, after_s))
    probs = []
    finished_first = rc == 1 and secs < after_s  # a clear error before the signal was sent: checked as a message
    if rc not in (0, 128 + sig, -sig) and not finished_first:  # -sig: validate writes nothing, default action
        probs.append('EXIT %d (expected %d)' % (rc, 128 + sig))
    if rc == 128 + sig and secs - after_s > SIG_LATENCY_S:
        probs.append('SLOW: exit %.2f s after the signal' % (secs - after_s))
    if rc != 0:
        probs += changes(before, snapshot(d)) + leftovers(d, names)
    probs += message_problems(rc if rc not in (128 + sig, -sig) else 0, '', err)
    record(name, not probs, ('; '.join(probs) + ' | ' if probs else '') + 'exit %d after %.2f s' % (rc, secs))


sig_case('sig_term_trajectories_1e7_in_memory', RUN + ['--trajectories', '10000000', '--ensemble-memory', '1048576'],
         {}, signal.SIGTERM, 3.0, toml=STO)
sig_case('sig_term_ensemble_scratch', RUN + ['--trajectories', '10000000', '--ensemble-memory', '0.01'], {},
         signal.SIGTERM, 2.0, toml=STO)
sig_case('sig_int_backtest', BT, {'obs.csv': OBS}, signal.SIGINT, 0.15)
sig_case('sig_term_estimate_levels', LEVARGS, dict(LEV_FILES, **{'fig.csv': fig_head + '\n' + ''.join(
    'Z%d,tfr,1.5\n' % i for i in range(10000))}), signal.SIGTERM, 0.3)
sig_case('sig_term_validate_big_source', VAL, {'z.gpkg': list(files_of(ogr('big.gpkg', [('Z%d' % i, SQ(i, 0)) for i in
                                                                                      range(20000)])).values())[0]},
         signal.SIGTERM, 0.1, toml=SRCKEY('z.gpkg'))

# --- (e) Output folders ------------------------------------------------------------------------------------------
cli('out_link_to_user_folder', ['run', 'sc.toml', '--out', 'lnk', '--quiet', '--no-report'],
    {'lnk': 'SYMLINK:' + os.path.join(SHARED, 'victim')}, 'any', out='lnk', post=SHARED_KEPT)
cli('out_dangling_link', ['run', 'sc.toml', '--out', 'lnk', '--quiet', '--no-report'],
    {'lnk': 'SYMLINK:' + os.path.join(SHARED, 'nowhere')}, 'any', out='lnk',
    post=lambda d, rc: ['WROTE THROUGH THE LINK'] if os.path.exists(os.path.join(SHARED, 'nowhere')) else [])
TABLES = G('table = "base.csv"', 'table = "t/base.csv"').replace('path = "asfr.csv"', 'path = "t/asfr.csv"').replace(
    'path = "mx.csv"', 'path = "t/mx.csv"')
cli('out_is_tables_folder', ['run', 'sc.toml', '--out', 't', '--quiet', '--no-report'],
    {'t/' + k: v for k, v in INPUTS.items()}, 'bad', r"'?t'?|inputs?", toml=TABLES, out=None,
    post=kept('t/base.csv', 't/asfr.csv', 't/mx.csv'))
cli('out_inside_tables_folder', ['run', 'sc.toml', '--out', 't/out', '--quiet', '--no-report'],
    {'t/' + k: v for k, v in INPUTS.items()}, 'ok', toml=TABLES, out='t/out')


def results_then(fn):
    def pre(d):
        subprocess.run([EXE, 'run', 'sc.toml', '--out', 'out', '--quiet'], cwd=d, env=ENV, check=True)
        fn(d)
    return pre


def maps_link(d):
    shutil.rmtree(os.path.join(d, 'out/charts'))
    os.symlink(os.path.join(SHARED, 'victim/maps'), os.path.join(d, 'out/charts'))


def manifest_lists_user_file(d):
    p = os.path.join(d, 'out/manifest.json')
    text = open(p).read().replace('"population.csv"', '"../../../shared/victim/thesis.txt"', 1)
    open(p, 'w').write(text)


cli('out_results_maps_link', RUNR, {}, 'any', pre=results_then(maps_link), post=SHARED_KEPT, timeout=90)
cli('out_results_manifest_lists_user_file', RUNR, {}, 'any', pre=results_then(manifest_lists_user_file),
    post=SHARED_KEPT, timeout=90)
for label, name, expect in [('newline', 'a\nb', 'any'), ('leading_dash', '-x', 'any'), ('chinese', '结果 ✓', 'any'),
                            ('name_239', 'n' * 239, 'ok'), ('name_250', 'n' * 250, 'bad'),
                            ('name_255', 'n' * 255, 'bad'),
                            ('backslash', 'a\\b', 'any'), ('trailing_space', 'out ', 'any')]:
    cli('out_name_' + label, ['run', 'sc.toml', '--out', './' + name if name.startswith('-') else name, '--quiet',
                              '--no-report'], {}, expect, out=name, pattern=r'no room for the temporary folder')
cli('out_under_proc_self', ['run', 'sc.toml', '--out', '/proc/self/cwd/out', '--quiet', '--no-report'], {}, 'any')

# --- (c) Python ------------------------------------------------------------------------------------------------------
PY_DIR = os.path.join(ROOT, 'py')
make(PY_DIR, dict(INPUTS, **{'good.toml': GOOD, 'sto.toml': STO}))
PYOUT = os.path.join(ROOT, 'pyout')
os.makedirs(PYOUT)
# Python cases (PROBE.py): nothing under the Python folder or SHARED may change (outputs go to WORK/pyout).
PROBE.py_prelude = ('import gc, os, signal, sys, threading, time, numpy as np, cohortgis as cg\nP = %r\nOUT = %r\n'
                    's = cg.load_scenario(P)\nsc = s.baseline\n' % (os.path.join(PY_DIR, 'good.toml'), PYOUT))
PROBE.py_dir, PROBE.py_watched = PY_DIR, [PY_DIR, SHARED]
py = PROBE.py


BAD = ('TypeError', 'ValueError')
W = 'cg.write_outputs(P, os.path.join(OUT, %r), %s)'
py('py_load_threads_huge', 'cg.load_scenario(P, threads=10**6)', 'ValueError', r'threads')
py('py_load_threads_float', 'cg.load_scenario(P, threads=2.5)', 'TypeError', r'threads')
py('py_load_allow_read_str_is_one_folder', "cg.load_scenario(P, allow_read=OUT + '/nope')", 'ValueError', r'nope')
py('py_load_data_dir_file', 'cg.load_scenario(P, data_dir=P)', ('ok',) + BAD)
py('py_write_format_bytes', W % ('f1', "format=b'csv'"), 'TypeError', r'format')
py('py_write_format_unknown', W % ('f2', "format='xlsx'"), 'ValueError', r'format|xlsx')
py('py_write_components_int', W % ('f3', 'components=5'), 'TypeError', r'components')
py('py_write_components_unknown', W % ('f4', "components=['births', 'nope']"), 'ValueError', r'nope')
py('py_write_components_10000', W % ('f5', "components=['births'] * 10000"), ('ok',) + BAD)
py('py_write_compress_str', W % ('f6', "format='netcdf', compress='no'"), 'TypeError', r'compress')
py('py_write_compress_csv', W % ('f7', "format='csv', compress=True"), 'ValueError', r'compress|netcdf')
py('py_write_indicators_csv_none', W % ('f8', 'indicators_csv=None'), 'TypeError', r'indicators_csv')
py('py_write_out_is_file', 'cg.write_outputs(P, os.path.join(%r, "base.csv"))' % PY_DIR, 'ValueError', r'base\.csv')
py('py_write_out_link_to_user', 'os.symlink(%r, os.path.join(OUT, "lnk"))\n'
   'cg.write_outputs(P, os.path.join(OUT, "lnk"))'
   % os.path.join(SHARED, 'victim'), ('ok',) + BAD)
py('py_write_from_progress', "def cb(d, t):\n    cg.write_outputs(P, os.path.join(OUT, 'nested'))\n"
   "cg.run(sc, progress=cb)",
   ('ok', 'RuntimeError') + BAD, timeout=90)
py('py_run_from_progress', 'def cb(d, t):\n    cg.run(sc, threads=1)\ncg.run(sc, progress=cb)', ('ok', 'RuntimeError'),
   timeout=60)
py('py_load_from_progress', 'def cb(d, t):\n    cg.load_scenario(P)\nlen(cg.run(s, progress=cb).variants)', 'ok')
E_ = "t = cg.load_scenario(%r)\n" % os.path.join(PY_DIR, 'sto.toml')
py('py_ensemble_trajectories_0', E_ + 't.run(trajectories=0)', 'ValueError', r'trajector')
py('py_ensemble_trajectories_2p63', E_ + 't.run(trajectories=2**63)', BAD + ('OverflowError',), r'trajector')
py('py_ensemble_trajectories_float', E_ + 't.run(trajectories=2.0)', 'TypeError', r'trajector')
py('py_ensemble_seed_2p31', E_ + 't.run(trajectories=2, seed=2**31)', 'ValueError', r'seed')
py('py_ensemble_indicators_unknown', E_ + "t.run(trajectories=2, indicators=['nope'])", 'ValueError', r'nope')
py('py_ensemble_indicators_str', E_ + "t.run(trajectories=2, indicators='tfr')", BAD)
py('py_ensemble_indicators_100000', E_ + "t.run(trajectories=2, indicators=['tfr'] * 100000)", ('ok',) + BAD)
py('py_ensemble_trajectories_unknown', E_ + "t.run(trajectories=2).trajectories('nope')", 'ValueError', r'nope')
py('py_ensemble_no_stochastic', 's.run(trajectories=2).quantiles.shape[0] > 0', ('ok',) + BAD)
py('py_ensemble_after_set_deleted', E_ + 'e = t.run(trajectories=2)\ndel t\ngc.collect()\ne.quantiles.shape[0] > 0',
   'ok')
R_ = 'r = cg.run(s, threads=1)\n'
py('py_map_classes_2p63', R_ + "r.map('population', classes=2**63)", 'ValueError', r'classes')
py('py_map_method_bogus', "r = cg.run(cg.load_scenario('default'), threads=2)\n"
   "r.map('population', method='bogus').data()",
   'ValueError', r'bogus|method', timeout=120)
py('py_map_legend_decimals_huge', R_ + "r.map('population', legend_decimals=10**9).data()", BAD + ('OverflowError',))
py('py_map_legend_decimals_neg', R_ + "r.map('population', legend_decimals=-5).data()", ('ok',) + BAD)
py('py_map_ax_wrong', R_ + "r.map('population', ax='x')", ('TypeError', 'AttributeError', 'ValueError'))
py('py_map_minus_self', R_ + "len(r.map('population', minus='baseline').data()) > 0", ('ok',) + BAD)
py('py_map_no_zones', R_ + "r.map('population')", 'ValueError', r'geometry|zones')
py('py_pyramid_zone_unknown', R_ + "r.pyramid('nope')", ('KeyError', 'ValueError'), r'nope')
py('py_pyramid_year_2p63', R_ + "r.pyramid('A', year=2**63)", ('KeyError', 'ValueError', 'OverflowError'))
py('py_lines_indicator_unknown', R_ + "r.lines('nope')", ('KeyError', 'ValueError'), r'nope')
py('py_lines_title_10mb', R_ + "len(r.lines('population', title='x' * 10**7).data()) > 0", ('ok',) + BAD, timeout=60)
py('py_add_variant_base_unknown', "s.add_variant('x', base='nope')", ('KeyError', 'ValueError'), r'nope')
py('py_add_variant_twice', "s.add_variant('x')\ns.add_variant('x')", ('ValueError', 'KeyError'))
py('py_add_variant_description_bytes', "s.add_variant('x', description=b'd')", ('ok',) + BAD)
py('py_indicator_values_group_unknown', R_ + "r.indicator_values('population', group='nope')",
   ('KeyError', 'ValueError'))
py('py_figure_after_results_deleted', R_ + "f = r.lines('population')\ndel r, s, sc\ngc.collect()\n"
   "len(f.data('svg')) > 0",
   'ok')
py('py_arrays_after_set_and_results_deleted', R_ + 'a = r.population()\ndel r, s, sc\ngc.collect()\nfloat(a.sum()) > 0',
   'ok')
py('py_threads_run_and_write', 'errs = []\ndef w(i):\n    try:\n'
   '        cg.write_outputs(P, os.path.join(OUT, "t%d" % i), '
   'threads=1)\n    except Exception as e:\n        errs.append(repr(e))\nths = [threading.Thread(target=w, args=(i,)) '
   'for i in range(3)]\n[t.start() for t in ths]\nfor _ in range(3):\n    cg.run(sc, threads=2)\n'
   '[t.join() for t in ths]\n'
   'errs == [] or errs', 'ok', r'RETURNED True', timeout=120)
py('py_scenario_copy_during_run', 'errs = []\nstop = threading.Event()\ndef poke():\n    while not stop.is_set():\n'
   '        sc.copy()\nth = threading.Thread(target=poke)\nth.start()\ntry:\n    for _ in range(10):\n'
   '        cg.run(sc, threads=2)\nfinally:\n    stop.set()\n    th.join()\nTrue', 'ok')
py('py_step_schedules_2p63', 'sc.step_schedules(2**63)', ('IndexError', 'OverflowError', 'ValueError', 'TypeError'))
py('py_set_step_schedules_other_scenario', "o = cg.load_scenario('default').baseline\n"
   'sc.set_step_schedules(0, o.step_schedules(0))\ncg.run(sc)', BAD + ('RuntimeError',))

PROBE.finish()
