#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Hostile-input probe of round 15 (helper h50): the code round 15 changed. Base-population tables over the parallel
CSV reader's threshold (StreamOptions::parallel_min_bytes, 8 MiB), whose parts are now split by GDAL's CSV
tokenizer: quoted cells with separators and line breaks, a BOM, CRLF, bare CR, mixed separators, rows longer and
shorter than the header, NUL bytes, invalid UTF-8, a 10 MB and a 70 MB line, numbers spelt 1e309/-0/nan/inf/0x10/
"1,5", errors in the first and last rows, blank lines only, a 2 GB sparse file; small tables that are empty or a
header only; files of formats the scenario does not accept (KML, MapInfo, GML, a VRT pointing at /vsicurl/ or at a
file outside, a GeoPackage with broken geometry, a Shapefile without .shx or .dbf) now that only the accepted
formats' GDAL drivers are registered; GDAL/PROJ/CPL options in the environment; links to /dev/zero, FIFOs and /proc
files as tables; --out that is a file, a link, the scenario's folder or the table itself; SIGTERM/SIGINT while the
large table loads and while outputs are written; Python misuse around a large table (threads, a second run, a set
deleted). A case fails on a crash, a hang, an exit other than the expected, a message that does not name what was
expected, a crash-like or huge message, a network connection, a file written outside --out, or output left after an
error. About 2 minutes; WORK (about 500 MB, a sparse 2 GB file) is left for inspection: delete it afterwards.
Usage: PYTHONPATH=build/python /usr/bin/python3 tests/probe/hostile_round15.py [BUILD_DIR [WORK_DIR]] [PREFIX ...]"""
import os, signal, subprocess, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe_common import CliProbe, FIX, make, snapshot, changes

PROBE = CliProbe('cohortgis-hostile-probe15-')
BUILD, ROOT, EXE, NET, ENV, LOG, run = PROBE.build, PROBE.root, PROBE.exe, PROBE.net, PROBE.env, PROBE.log, PROBE.run
results, record, check, wanted = LOG.results, LOG.record, LOG.check, PROBE.wanted

N_ZONES = 5000
AGES = list(range(0, 101, 5))  # step 5, open age 100: 21 ages x 2 sexes = 42 rows a zone
PAD = '.' + '0' * 24  # 1000.000… : each row about 45 bytes, 5000 zones about 9.5 MB, over the 8 MiB threshold


def zone(i):
    return 'Z%05d' % i


def toml(table='base.csv', extra=''):
    zones = ', '.join('{ id = "%s" }' % zone(i) for i in range(N_ZONES))
    return ('[scenario]\nname = "big"\n[geography]\nzones = [ %s ]\n[projection]\nbase_year = 2020\nhorizon = 2025\n'
            'step = 5\nopen_age = 100\n[base_population]\ntable = "%s"\n[fertility]\nschedule = { path = "asfr.csv" }\n'
            'tfr = { "2020" = 1.5 }\nsrb = 105\n[mortality]\nmx = { path = "mx.csv", columns = { value = "mx" } }\n%s'
            % (zones, table, extra))


def rows(sep=',', eol='\n'):
    """The data rows of a valid large table, as a list of lines (no line ends)."""
    return [sep.join((zone(i), s, str(a), '1000' + PAD)) for i in range(N_ZONES) for s in ('female', 'male')
            for a in AGES]


GOOD = rows()
HEAD = 'zone,sex,age,population'
MID = len(GOOD) // 2  # a row well inside a middle part


def body(lines, head=HEAD, eol='\n'):
    return (head + eol + eol.join(lines) + eol).encode('utf-8', 'surrogateescape') if isinstance(lines, list) else lines


def replaced(k, line):
    out = list(GOOD)
    out[k] = line
    return out


SMALL = {f: open(os.path.join(FIX, f)).read() for f in ['asfr.csv', 'mx.csv']}
MX = 'age,sex,mx\n' + ''.join('%d,%s,0.01\n' % (a, s) for s in ('female', 'male') for a in [0, 1] + AGES[1:])


def case(name, files, expect, pattern=None, args=('validate',), env=None, toml_text=None, timeout=60,
         signal_after=None, out_check=True):
    """A scenario folder with the large scenario's good.toml and files {name: bytes | str | 'FIFO' | 'SYMLINK:…'};
    `cohortgis ARGS good.toml [--out OUT]`; the tree outside OUT must not change, nor OUT exist after an error."""
    if not wanted(name):
        return
    d = os.path.join(ROOT, 'cases', name)
    base = dict(SMALL, **{'mx.csv': MX, 'good.toml': toml_text or toml()})
    base.update({k: v for k, v in files.items() if v != 'FIFO'})
    make(d, base)
    for k, v in files.items():
        if v == 'FIFO':
            os.mkfifo(os.path.join(d, k))
    out = os.path.join(d, 'out')
    cmd = [EXE, args[0], 'good.toml'] + list(args[1:])
    if args[0] == 'run':
        cmd += ['--quiet', '--no-report'] + ([] if '--out' in args else ['--out', out])
    before = snapshot(d)
    hits = len(NET.hits)
    rc, o, e, secs, rss = run(cmd, d, timeout, dict(ENV, **(env or {})), signal_after)
    extra = changes(before, snapshot(d), [out] if rc == 0 else [])
    if rc != 0 and out_check and os.path.lexists(out) and args[0] == 'run' and '--out' not in args:
        extra.append('LEFT %s' % out)
    if len(NET.hits) > hits:
        extra.append('NETWORK')
    check(name, rc, o, e, secs, rss, expect, pattern, extra)


ROW = lambda k: r'row %d\b' % (k + 1)  # data rows are counted from 1 in messages

# --- The large table through the parallel reader -------------------------------------------------------------
case('big_ok', {'base.csv': body(GOOD)}, 'ok')
case('big_ok_run', {'base.csv': body(GOOD)}, 'ok', args=('run',))
case('big_crlf_bom', {'base.csv': b'\xef\xbb\xbf' + body(GOOD, eol='\r\n')}, 'ok')
case('big_bare_cr', {'base.csv': body(GOOD, eol='\r')}, 'any')
case('big_semicolon', {'base.csv': body([r.replace(',', ';') for r in GOOD], HEAD.replace(',', ';'))}, 'ok')
case('big_tab', {'base.csv': body([r.replace(',', '\t') for r in GOOD], HEAD.replace(',', '\t'))}, 'ok')
case('big_quoted_cells', {'base.csv': body(['"%s","%s",%s,"%s"' % tuple(r.split(',')) for r in GOOD])}, 'ok')
case('big_quoted_header', {'base.csv': body(GOOD, '"zone","sex","age","population"')}, 'ok')
case('big_quoted_sep_mid', {'base.csv': body(replaced(MID, '"Z0,001",female,0,1'))}, 'bad', ROW(MID))
case('big_quoted_newline_mid', {'base.csv': body(replaced(MID, '"Z0\n001",female,0,1'))}, 'bad', ROW(MID))
case('big_unclosed_quote_mid', {'base.csv': body(replaced(MID, '"Z00001,female,0,1'))}, 'bad')
case('big_mixed_sep_mid', {'base.csv': body(replaced(MID, GOOD[MID].replace(',', ';')))}, 'bad', ROW(MID))
case('big_long_row_mid', {'base.csv': body(replaced(MID, GOOD[MID] + ',extra,more'))}, 'bad', ROW(MID))
case('big_short_row_mid', {'base.csv': body(replaced(MID, zone(1) + ',female'))}, 'bad', ROW(MID))
case('big_nul_mid', {'base.csv': body(replaced(MID, GOOD[MID][:3] + '\0' + GOOD[MID][3:]))}, 'bad')
case('big_bad_utf8_mid', {'base.csv': body(replaced(MID, '\udcff' + GOOD[MID]))}, 'bad', ROW(MID))
case('big_first_row_bad', {'base.csv': body(replaced(0, 'Z00000,female,0,-5'))}, 'bad', ROW(0))
case('big_last_row_bad', {'base.csv': body(replaced(len(GOOD) - 1, GOOD[-1].rsplit(',', 1)[0] + ',x'))}, 'bad',
     ROW(len(GOOD) - 1))
case('big_last_row_no_eol', {'base.csv': body(GOOD)[:-1]}, 'ok')
case('big_dup_row_mid', {'base.csv': body(replaced(MID, GOOD[MID - 1]))}, 'bad')
case('big_unknown_zone_mid', {'base.csv': body(replaced(MID, 'NOPE,female,0,1'))}, 'bad', ROW(MID))
for label, value in [('1e309', '1e309'), ('minus0', '-0'), ('nan', 'nan'), ('inf', 'inf'), ('hex', '0x10'),
                     ('comma', '"1,5"'), ('minus1', '-1'), ('empty', ''), ('space', ' 7 '),
                     ('2p64', '18446744073709551616')]:
    expect = 'ok' if label in ('minus0', 'empty', 'space', '2p64') else 'bad'
    case('big_num_%s' % label, {'base.csv': body(replaced(MID, GOOD[MID].rsplit(',', 1)[0] + ',' + value))}, expect
         if label not in ('space', '2p64', 'empty') else 'any', ROW(MID) if expect == 'bad' else None)
case('big_age_1e309', {'base.csv': body(replaced(MID, '%s,female,1e309,1' % zone(1)))}, 'bad', ROW(MID))
case('big_10mb_line_mid', {'base.csv': body(replaced(MID, 'Z' * (11 << 20)))}, 'bad')
case('big_70mb_line_mid', {'base.csv': body(replaced(MID, 'Z' * (70 << 20)))}, 'bad', timeout=120)
case('big_70mb_line_no_eol', {'base.csv': (HEAD + '\n' + 'Z' * (70 << 20)).encode()}, 'bad', timeout=120)
case('big_blank_lines', {'base.csv': (HEAD + '\n' + '\n' * (9 << 20)).encode()}, 'bad')
case('big_crlf_blank_lines', {'base.csv': (HEAD + '\r\n' + '\r\n' * (5 << 20)).encode()}, 'bad')
case('big_commas', {'base.csv': (HEAD + '\n' + ',' * (9 << 20) + '\n').encode()}, 'bad')
case('big_bom_lines', {'base.csv': body(['\ufeff' + r if i % 7 == 0 else r for i, r in enumerate(GOOD)])}, 'any')


def sparse_base(p):
    with open(p, 'wb') as f:
        f.write((HEAD + '\n').encode())
        f.truncate(2 << 30)


if wanted('big_sparse_2g'):
    d = os.path.join(ROOT, 'cases', 'big_sparse_2g_src')
    os.makedirs(d, exist_ok=True)
    sparse_base(os.path.join(d, 'base.csv'))
    case('big_sparse_2g', {'base.csv': 'HARDLINK:' + os.path.join(d, 'base.csv')}, 'bad', timeout=120)

# --- Formats the scenario does not accept, and indirections ---------------------------------------------------
KML = ('<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>A</name>'
       '<ExtendedData><Data name="zone"><value>Z00000</value></Data></ExtendedData>'
       '<Point><coordinates>1,2</coordinates>'
       '</Point></Placemark></Document></kml>')
MIF = 'Version 300\nCharset "Neutral"\nDelimiter ","\nColumns 1\n  zone Char(10)\nData\n\nNone\n'
GML = ('<?xml version="1.0"?><ogr:FeatureCollection xmlns:ogr="http://ogr.maptools.org/" '
       'xmlns:gml="http://www.opengis.net/gml"><gml:featureMember><ogr:x><ogr:zone>Z00000</ogr:zone></ogr:x>'
       '</gml:featureMember></ogr:FeatureCollection>')
for ext, text in [('kml', KML), ('mif', MIF), ('gml', GML), ('json', '{"type": "FeatureCollection", "features": []}'),
                  ('xlsx', b'PK\x03\x04' + b'\0' * 100), ('dbf', b'\x03' + b'\0' * 40), ('txt', HEAD + '\n')]:
    case('format_%s' % ext, {'base.' + ext: text}, 'any' if ext in ('txt', 'dbf', 'xlsx') else 'bad',
         r'base\.%s' % ext, toml_text=toml('base.' + ext))
VRT = '<OGRVRTDataSource><OGRVRTLayer name="b"><SrcDataSource>%s</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>'
case('vrt_vsicurl', {'base.vrt': VRT % ('/vsicurl/%s/b.csv' % NET.url)}, 'bad', r'base\.vrt',
     toml_text=toml('base.vrt'))
case('vrt_http', {'base.vrt': VRT % ('%s/b.csv' % NET.url)}, 'bad', r'base\.vrt', toml_text=toml('base.vrt'))
case('vrt_passwd', {'base.vrt': VRT % '/etc/passwd'}, 'bad', r'base\.vrt', toml_text=toml('base.vrt'))
case('vrt_self', {'base.vrt': VRT % 'base.vrt'}, 'bad', r'base\.vrt', toml_text=toml('base.vrt'))
REL_VRT = VRT.replace('<SrcDataSource>', '<SrcDataSource relativeToVRT="1">')
case('vrt_sibling_big', {'b.csv': body(GOOD), 'base.vrt': REL_VRT % 'b.csv'}, 'any', toml_text=toml('base.vrt'))
case('vrt_vsizip_out', {'base.vrt': VRT % '/vsizip//etc/x.zip/b.csv'}, 'bad', r'base\.vrt', toml_text=toml('base.vrt'))
case('table_vsicurl', {}, 'bad', r'vsicurl|base_population', toml_text=toml('/vsicurl/%s/b.csv' % NET.url))
case('table_vsimem', {}, 'bad', r'vsimem|base_population', toml_text=toml('/vsimem/x.csv'))
case('table_csv_prefix', {'base.csv': body(GOOD[:42])}, 'bad', toml_text=toml('CSV:base.csv'))
SRC = '[geography.source]\npath = "%s"\nid_field = "zone"\n'
if wanted('gpkg_'):
    gdir = os.path.join(ROOT, 'gpkg_src')
    os.makedirs(gdir, exist_ok=True)
    src = os.path.join(gdir, 'z.csv')
    open(src, 'w').write('zone,WKT\n' + ''.join('%s,"POINT (%d 0)"\n' % (zone(i), i) for i in range(N_ZONES)))
    g = os.path.join(gdir, 'z.gpkg')
    subprocess.run(['ogr2ogr', '-q', '-f', 'GPKG', g, src, '-oo', 'GEOM_POSSIBLE_NAMES=WKT', '-a_srs', 'EPSG:4326',
                    '-lco', 'SPATIAL_INDEX=NO'],
                   check=True)
    raw = open(g, 'rb').read()
    # Broken geometry blobs: the GPKG header kept, the WKB after it overwritten (sqlite3 edits, then the bytes).
    broken = os.path.join(gdir, 'broken.gpkg')
    open(broken, 'wb').write(raw)
    subprocess.run(['sqlite3', broken, "UPDATE z SET geom = X'4750000100000000FFFFFFFFFFFF' WHERE fid % 2 = 0;"],
                   check=True)
    case('gpkg_broken_geom', {'z.gpkg': open(broken, 'rb').read(), 'base.csv': body(GOOD)}, 'any',
         toml_text=toml(extra=SRC % 'z.gpkg'))
    case('gpkg_truncated', {'z.gpkg': raw[:len(raw) // 2], 'base.csv': body(GOOD)}, 'bad', r'z\.gpkg',
         toml_text=toml(extra=SRC % 'z.gpkg'))
    shp = os.path.join(gdir, 'shp')
    subprocess.run(['ogr2ogr', '-q', '-f', 'ESRI Shapefile', shp, g], check=True)
    files = {f: open(os.path.join(shp, f), 'rb').read() for f in os.listdir(shp)}
    for missing in ('shx', 'dbf'):
        fs = {'shp/' + f: v for f, v in files.items() if not f.endswith('.' + missing)}
        case('shp_no_%s' % missing, dict(fs, **{'base.csv': body(GOOD)}), 'bad', r'z\.shp|z\.%s' % missing,
             toml_text=toml(extra=SRC % 'shp/z.shp'))

# --- The environment ---------------------------------------------------------------------------------------
small = {'base.csv': body(GOOD[:42] * 1)}
for label, env in [('proj_network', {'PROJ_NETWORK': 'ON', 'PROJ_NETWORK_ENDPOINT': NET.url}),
                   ('gdal_http', {'GDAL_HTTP_PROXY': NET.url[7:], 'GDAL_HTTP_TIMEOUT': '1'}),
                   ('cpl_vsil_curl', {'CPL_VSIL_CURL_ALLOWED_EXTENSIONS': '.csv', 'CPL_VSIL_CURL_USE_HEAD': 'NO'}),
                   ('csv_max_line', {'OGR_CSV_MAX_LINE_SIZE': '10'}),
                   ('gdal_skip_csv', {'GDAL_SKIP': 'CSV'}),
                   ('gdal_driver_path', {'GDAL_DRIVER_PATH': '/nonexistent'}),
                   ('cpl_debug', {'CPL_DEBUG': 'ON'}),
                   ('proj_lib_missing', {'PROJ_LIB': '/nonexistent', 'PROJ_DATA': '/nonexistent'}),
                   ('gdal_num_threads', {'GDAL_NUM_THREADS': '1000000'}),
                   ('gdal_cachemax', {'GDAL_CACHEMAX': '1'})]:
    case('env_%s' % label, {'base.csv': body(GOOD)}, 'any', env=env)
case('env_cpl_log_outside', {'base.csv': body(GOOD[:42])}, 'any', env={'CPL_LOG': os.path.join(ROOT, 'cpl.log'),
                                                                       'CPL_DEBUG': 'ON'})
case('env_csv_max_line_big', {'base.csv': body(GOOD)}, 'bad', env={'OGR_CSV_MAX_LINE_SIZE': '10'})

# --- Special files as tables ----------------------------------------------------------------------------------
case('special_dev_zero', {'base.csv': 'SYMLINK:/dev/zero'}, 'bad', r'base', timeout=30)
case('special_dev_urandom', {'base.csv': 'SYMLINK:/dev/urandom'}, 'bad', r'base', timeout=30)
case('special_fifo', {'base.csv': 'FIFO'}, 'bad', r'base', timeout=30)
case('special_proc_environ', {}, 'bad', r'base', toml_text=toml('/proc/self/environ'), timeout=30)
case('special_proc_link', {'base.csv': 'SYMLINK:/proc/self/maps'}, 'bad', r'base', timeout=30)
case('special_folder', {'base.csv/': None}, 'bad', r'base', timeout=30)
case('special_dev_stdin', {}, 'bad', r'base', toml_text=toml('/dev/stdin'), timeout=30)

# --- The output folder ----------------------------------------------------------------------------------------
TOML1 = toml().replace(', '.join('{ id = "%s" }' % zone(i) for i in range(N_ZONES)), '{ id = "Z00000" }')
# --- Small tables ------------------------------------------------------------------------------------------
case('small_empty', {'base.csv': b''}, 'bad', r'base\.csv', toml_text=TOML1)
case('small_header_only', {'base.csv': (HEAD + '\n').encode()}, 'bad', r'empty', toml_text=TOML1)
case('small_bom_only', {'base.csv': b'\xef\xbb\xbf'}, 'bad', r'base\.csv', toml_text=TOML1)
case('small_nul_only', {'base.csv': b'\0' * 100}, 'bad', r'base\.csv', toml_text=TOML1)
case('base_most_zones_missing', {'base.csv': body(GOOD[:42])}, 'bad', r'no rows for zones Z00001, .* and 4979 more')

case('asfr_empty', {'asfr.csv': b'', 'base.csv': body(GOOD[:42])}, 'bad', r'asfr\.csv', toml_text=TOML1)
case('mx_header_only', {'mx.csv': b'age,sex,mx\n', 'base.csv': body(GOOD[:42])}, 'bad', r'mx', toml_text=TOML1)

case('out_is_file', {'base.csv': body(GOOD[:42]), 'f.txt': 'x'}, 'bad', r'f\.txt', args=('run', '--out', 'f.txt'),
     toml_text=TOML1)
case('out_is_table', {'base.csv': body(GOOD[:42])}, 'bad', r'base\.csv', args=('run', '--out', 'base.csv'),
     toml_text=TOML1)
case('out_is_scenario_folder', {'base.csv': body(GOOD[:42])}, 'bad', args=('run', '--out', '.'), toml_text=TOML1)
case('out_link_elsewhere', {'base.csv': body(GOOD[:42]), 'o': 'SYMLINK:/tmp'}, 'bad', args=('run', '--out', 'o'),
     toml_text=TOML1)
case('out_under_file', {'base.csv': body(GOOD[:42]), 'f.txt': 'x'}, 'bad', args=('run', '--out', 'f.txt/o'),
     toml_text=TOML1)
case('out_dev_null', {'base.csv': body(GOOD[:42])}, 'bad', args=('run', '--out', '/dev/null'), toml_text=TOML1)

# --- Signals while the large table loads and while outputs are written ------------------------------------------
for sig, code in [(signal.SIGTERM, 143), (signal.SIGINT, 130)]:
    for when in (0.02, 0.06, 0.1, 0.15, 0.2, 0.3):  # a Release run of the 9.5 MB table takes about 0.5 s
        # -N: killed before main() installs the handlers (the default action; nothing is written yet).
        case('signal_%s_%.2f' % (sig.name, when), {'base.csv': body(GOOD)}, (0, code, -sig), args=('run',),
             signal_after=(sig, when), timeout=60)

# --- Python around the large table -----------------------------------------------------------------------------
PY_DIR = os.path.join(ROOT, 'py')
make(PY_DIR, dict(SMALL, **{'mx.csv': MX, 'good.toml': toml(), 'base.csv': body(GOOD)}))
PY_PRELUDE = 'import sys, threading, numpy as np, cohortgis as cg\nP = %r\n' % os.path.join(PY_DIR, 'good.toml')


PROBE.py_prelude, PROBE.py_dir, PROBE.py_watched = PY_PRELUDE, ROOT, [PY_DIR]


def py_case(name, code, expect, pattern=''):
    PROBE.py(name, code, expect, pattern, timeout=120)


py_case('py_load_big', 'sc = cg.load_scenario(P)\nlen(sc.baseline.zone_ids)', 'ok', r'RETURNED 5000')
py_case('py_load_big_threads', 'out = []\ndef go():\n    out.append(len(cg.load_scenario(P).baseline.zone_ids))\n'
        'ts = [threading.Thread(target=go) for _ in range(4)]\n[t.start() for t in ts]\n[t.join() for t in ts]\nout',
        'ok', r'RETURNED \[5000, 5000, 5000, 5000\]')
py_case('py_run_twice', 'sc = cg.load_scenario(P)\na = cg.run(sc)\nb = cg.run(sc)\nTrue', 'ok')
py_case('py_run_after_del', 'sc = cg.load_scenario(P)\nr = cg.run(sc)\ndel sc\nimport gc; gc.collect()\nr is not None',
        'ok')
py_case('py_load_threads_arg_huge', 'cg.load_scenario(P, threads=2**64)', 'ValueError', r'threads')
py_case('py_load_path_int', 'cg.load_scenario(12345)', 'TypeError')
py_case('py_load_path_none', 'cg.load_scenario(None)', 'TypeError')
py_case('py_load_path_array', 'cg.load_scenario(np.array([P]))', 'TypeError')
py_case('py_load_path_nul', 'cg.load_scenario(P + "\\0x")', 'ValueError')
py_case('py_load_dir', 'cg.load_scenario(%r)' % PY_DIR, 'ValueError')
py_case('py_load_dev_zero', 'cg.load_scenario("/dev/zero")', 'ValueError')
py_case('py_run_none', 'cg.run(None)', 'TypeError', r'expected a cohortgis.Scenario')
py_case('py_set_of_none', 'cg.ScenarioSet([None])', 'TypeError', r'expected a cohortgis.Scenario')
py_case('py_run_str', 'cg.run(P)', 'TypeError')
py_case('py_write_outputs_into_scenario', 'cg.write_outputs(P, %r)' % PY_DIR, 'ValueError')
py_case('py_write_outputs_to_table', 'cg.write_outputs(P, %r)' % os.path.join(PY_DIR, 'base.csv'), 'ValueError')

PROBE.finish()
