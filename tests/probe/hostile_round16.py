#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Hostile-input probe of round 16 (helper h60): cases the earlier probes do not have. Network indirection through
OGR connection strings not tried before (OAPIF:, WMS:, WMTS:, ES:, CARTO:, NGW:), /vsisparse/ and /vsicrypt/, WFS
and WMS service XML files under table names, a GeoPackage with a VirtualOGR table, GeoJSON and .prj sidecars naming
URLs, a .csvt sidecar that retypes the base population, a PAM .aux.xml with an external entity, and the
environment (COHORTGIS_DATA_DIR as a URL, AWS_S3_ENDPOINT, GDAL_PAM_PROXY_DIR, OGR_SQLITE_ALLOW_EXTERNAL_ACCESS,
GDAL_HTTP_HEADER_FILE, PROJ_USER_WRITABLE_DIRECTORY); special files (a Unix socket, /dev/stdin with stdin left
open, /proc/self/cwd escapes, /dev/tcp paths, /proc/net/tcp, /sys files, a 2 GB sparse scenario); output folders
(a results folder the user added files to, stale-looking .tmp-/.old- folders of the user's, the input folder's
parent, the cwd spelt absolute or as sub/.., hidden files only, a read-only parent for an unprivileged user);
signals in each phase of `run default` (load, CSV writing, results.gpkg, maps, report.html, results.xlsx) and of
`map`, `report` and `validate --results`, with the time from the signal to the exit (at most 1 s) and nothing
partial left; overflow (arrays nested 100,000 deep in TOML, TOML's own nan/inf, 2^63 and 1e308 in integer keys,
5000 variants, --variant 10,000 times, asfr 1e308, a population of 1e300, NaN spelt three ways in mx, 100,000
columns, 300,000 zones from a table); Python misuse (generators and endless iterators as variants and runs, a
monkeypatched MAX_THREADS, __index__ that raises, StepSchedules/OdFlow/GroupTransition/NewbornRule with wrong
shapes, types, NaN and 2^63, set_grid/set_zones extremes, scenario_from_frames with TOML-breaking zone ids, NaN and
2^63 ages, Figure.save onto a folder or /proc, pickling, set_tfr from another thread during a run, a progress
callback raising KeyboardInterrupt, SIGINT latency in run and write_outputs, write_outputs onto a user's folder or
the cwd). A case fails on a crash, a hang, an exit other than the expected, a message that does not match, a
crash-like or huge message, a network connection, a file written, changed or deleted outside the output, output
or staging folders left after an error, or a signal honoured after more than 1 s.
About 4 minutes on a loaded 2-core VM (168 cases); WORK (about 300 MB and a sparse 2 GB file) is left for
inspection: delete it afterwards.
Usage: PYTHONPATH=build/python /usr/bin/python3 tests/probe/hostile_round16.py [BUILD_DIR [WORK_DIR]] [PREFIX ...]"""
import glob, os, re, shutil, signal, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe_common import CliProbe, FIX, make, message_problems, snapshot, changes

PROBE = CliProbe('cohortgis-hostile-probe16-')
BUILD, ROOT, EXE, NET, URL, ENV, LOG = PROBE.build, PROBE.root, PROBE.exe, PROBE.net, PROBE.url, PROBE.env, PROBE.log
results, record, check, wanted = LOG.results, LOG.record, LOG.check, PROBE.wanted
SIG_LATENCY_S = 1.0  # the product's rule: a signal is honoured within 1 s

GOOD, INPUTS, SHARED = PROBE.good, PROBE.inputs, PROBE.shared
BASE, MX, ASFR = INPUTS['base.csv'], INPUTS['mx.csv'], INPUTS['asfr.csv']
make(SHARED, {'outside.csv': BASE, 'victim/thesis.txt': 'precious\n', 'pam/': None, 'proj/': None})
G = lambda old, new: GOOD.replace(old, new)  # noqa: E731
BASEKEY = lambda p: G('table = "base.csv"', 'table = "%s"' % p)  # noqa: E731
ASFRKEY = lambda p: G('schedule = { path = "asfr.csv" }', 'schedule = { path = "%s" }' % p)  # noqa: E731
MXKEY = lambda p: G('mx = { path = "mx.csv"', 'mx = { path = "%s"' % p)  # noqa: E731
ZONESKEY = lambda p: G('zones = [ { id = "A", name = "Zone A" }, { id = "B", name = "Zone B" } ]',  # noqa: E731
                       'zones = "%s"' % p)
SRCKEY = lambda p, extra='': G('[projection]', '[geography.source]\npath = "%s"\nid_field = "id"\n%s\n'  # noqa: E731
                               '[projection]'
                               % (p, extra))


def population(d):
    p = os.path.join(d, 'population.csv')
    return open(p, 'rb').read() if os.path.isfile(p) else None


REF_POP = None


def cli(name, args, files=None, expect='bad', pattern=None, toml=GOOD, env=None, timeout=60, stdin=None, out='out',
        pre=None, prefix=(), post=None):
    """PROBE.cli() (probe_common.py), plus expect 'same': exit 0 with population.csv as the good scenario's, or 1."""
    def same(d, rc):
        bad = rc == 0 and population(os.path.join(d, out)) != REF_POP
        return (['SILENTLY DIFFERENT population.csv'] if bad else []) + (post(d, rc) if post else [])
    PROBE.cli(name, args, files, 'any' if expect == 'same' else expect, pattern, toml=toml, env=env, timeout=timeout,
              stdin=stdin, out=out, pre=pre, prefix=prefix, post=same if expect == 'same' else post)


def run_good(d, out):
    subprocess.run([EXE, 'run', 'sc.toml', '--out', out, '--quiet', '--no-report'], cwd=d, env=ENV, check=True)


# The good scenario's population.csv, against which 'same' cases are compared.
make(os.path.join(ROOT, 'ref'), dict(INPUTS, **{'sc.toml': GOOD}))
run_good(os.path.join(ROOT, 'ref'), 'out')
REF_POP = population(os.path.join(ROOT, 'ref/out'))
RUN = ['run', 'sc.toml', '--out', 'out', '--quiet', '--no-report']
VAL = ['validate', 'sc.toml']

# --- Network indirection: connection strings and virtual file systems not tried before -----------------------------
for label, key, value in [('oapif_base', BASEKEY, 'OAPIF:%s/collections/x' % URL),
                          ('wms_source', SRCKEY, 'WMS:%s/wms?SERVICE=WMS' % URL),
                          ('wmts_zones', ZONESKEY, 'WMTS:%s/wmts' % URL),
                          ('es_mx', MXKEY, 'ES:%s' % URL),
                          ('carto_asfr', ASFRKEY, 'CARTO:x?host=%s' % URL),
                          ('ngw_source', SRCKEY, 'NGW:%s/resource/1' % URL),
                          ('vsis3_streaming', BASEKEY, '/vsis3_streaming/b/base.csv'),
                          ('vsicrypt_passwd', BASEKEY, '/vsicrypt/key=x,file=/etc/passwd'),
                          ('vsisparse_xml', BASEKEY, '/vsisparse/sparse.xml')]:
    cli('net_' + label, VAL, {'sparse.xml': '<VSISparseFile><Length>4000</Length><SubfileRegion><Filename '
                              'relative="0">/etc/passwd</Filename><DestinationOffset>0</DestinationOffset>'
                              '<SourceOffset>0</SourceOffset><RegionLength>4000</RegionLength></SubfileRegion>'
                              '</VSISparseFile>'}, 'bad', r'sc\.toml|table|path|source', toml=key(value))
cli('net_vsis3_endpoint_env', VAL, {}, 'bad', r'base_population|vsis3', toml=BASEKEY('/vsis3/b/base.csv'),
    env={'AWS_S3_ENDPOINT': URL[7:], 'AWS_HTTPS': 'NO', 'AWS_NO_SIGN_REQUEST': 'YES', 'AWS_VIRTUAL_HOSTING': 'FALSE'})
WFS_XML = '<OGRWFSDataSource><URL>%s/wfs?SERVICE=WFS</URL></OGRWFSDataSource>' % URL
WMS_XML = ('<GDAL_WMS><Service name="WMS"><ServerUrl>%s/wms</ServerUrl><Layers>x</Layers></Service><DataWindow>'
           '<UpperLeftX>0</UpperLeftX><UpperLeftY>1</UpperLeftY><LowerRightX>1</LowerRightX>'
           '<LowerRightY>0</LowerRightY>'
           '<SizeX>10</SizeX><SizeY>10</SizeY></DataWindow></GDAL_WMS>' % URL)
cli('net_wfs_xml_source', VAL, {'z.xml': WFS_XML}, 'bad', r'z\.xml', toml=SRCKEY('z.xml'))
cli('net_wfs_xml_as_geojson', VAL, {'z.geojson': WFS_XML}, 'bad', r'z\.geojson', toml=SRCKEY('z.geojson'))
cli('net_wms_xml_as_csv', VAL, {'base.csv': WMS_XML}, 'bad', r'base\.csv')
cli('net_wfs_xml_as_mx', VAL, {'mx.csv': WFS_XML}, 'bad', r'mx\.csv')
# GeoJSON and .prj naming URLs for the CRS: read without a connection (or refused).
PTS = ('{"type":"FeatureCollection",%s"features":[{"type":"Feature","properties":{"id":"A"},"geometry":{"type":'
       '"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}},{"type":"Feature","properties":{"id":"B"},'
       '"geometry":{"type":"Polygon","coordinates":[[[1,0],[2,0],[2,1],[1,1],[1,0]]]}}]}')
cli('net_geojson_crs_name_url', VAL, {'z.geojson': PTS % ('"crs":{"type":"name","properties":{"name":"%s/crs"}},' %
                                                          URL)}, 'any', toml=SRCKEY('z.geojson'))
cli('net_geojson_crs_urn_url', VAL, {'z.geojson': PTS % ('"crs":{"type":"name","properties":{"name":'
                                                         '"urn:ogc:def:crs:%s/x"}},' % URL)}, 'any',
    toml=SRCKEY('z.geojson'))
DEEP = 100000
cli('deep_geojson_coordinates', VAL, {'z.geojson': PTS.replace('[[[0,0]', '[[[' + '[' * DEEP + '0' + ']' * DEEP) % ''},
    'bad',
    r'z\.geojson', toml=SRCKEY('z.geojson'))

# Shapefile and GeoPackage sources made once (ogr2ogr), then given sidecars and tricks.
SRC = os.path.join(ROOT, 'src')
make(SRC, {'z.csv': 'id,WKT\nA,"POLYGON ((0 0,1 0,1 1,0 1,0 0))"\nB,"POLYGON ((1 0,2 0,2 1,1 1,1 0))"\n'})
subprocess.run(['ogr2ogr', '-q', '-f', 'ESRI Shapefile', os.path.join(SRC, 'shp'), os.path.join(SRC, 'z.csv'),
                '-oo', 'GEOM_POSSIBLE_NAMES=WKT', '-a_srs', 'EPSG:4326', '-nln', 'z'], check=True)
subprocess.run(['ogr2ogr', '-q', '-f', 'GPKG', os.path.join(SRC, 'z.gpkg'), os.path.join(SRC, 'z.csv'), '-oo',
                'GEOM_POSSIBLE_NAMES=WKT', '-a_srs', 'EPSG:4326', '-nln', 'z'], check=True)
SHP = {'z.' + e: open(os.path.join(SRC, 'shp/z.' + e), 'rb').read() for e in ('shp', 'shx', 'dbf', 'prj')}
cli('shp_ok', VAL, SHP, 'ok', toml=SRCKEY('z.shp'))
cli('shp_prj_url', VAL, dict(SHP, **{'z.prj': '%s/crs.prj' % URL}), 'any', toml=SRCKEY('z.shp'))
cli('shp_prj_deep', VAL, dict(SHP, **{'z.prj': 'GEOGCS["a",' * DEEP + ']' * DEEP}), 'any', toml=SRCKEY('z.shp'))
cli('shp_prj_projjson_url', VAL, dict(SHP, **{'z.prj': '{"$schema": "%s/s.json", "type": "GeographicCRS", '
                                                      '"name": "x", "datum": {"$ref": "%s/d"}}' % (URL, URL)}), 'any',
    toml=SRCKEY('z.shp'))
cli('shp_cpg_bogus', VAL, dict(SHP, **{'z.cpg': 'UTF-7' * 1000}), 'any', toml=SRCKEY('z.shp'))
cli('shp_aux_xml_entity', VAL, dict(SHP, **{'z.shp.aux.xml': '<!DOCTYPE x [<!ENTITY e SYSTEM "%s/e">]><PAMDataset>'
                                                             '<Metadata><MDI key="k">&e;</MDI></Metadata></PAMDataset>'
                                                             % URL}), 'any', toml=SRCKEY('z.shp'))


def gpkg_with(sql):
    def f(p):
        shutil.copy(os.path.join(SRC, 'z.gpkg'), p)
        subprocess.run(['sqlite3', p, sql], check=True, capture_output=True)
    return f


VIRTUAL = ("PRAGMA writable_schema=ON; INSERT INTO sqlite_master VALUES('table','evil','evil',0,'CREATE VIRTUAL TABLE "
           "evil USING VirtualOGR(''/vsicurl/%s/x.csv'')'); PRAGMA writable_schema=OFF;" % URL)
REGISTER = ("INSERT INTO gpkg_contents (table_name, data_type, identifier) VALUES ('evil', 'attributes', 'evil');")
for label, env in [('', {}), ('_external_env', {'OGR_SQLITE_ALLOW_EXTERNAL_ACCESS': 'YES'})]:
    cli('gpkg_virtualogr_layer' + label, VAL, {'z.gpkg': gpkg_with(VIRTUAL + REGISTER)}, 'bad', r'z\.gpkg',
        toml=SRCKEY('z.gpkg', 'layer = "evil"'), env=env)
cli('gpkg_view_load_extension', VAL, {'z.gpkg': gpkg_with(
    "CREATE VIEW ev AS SELECT fid, geom, id, load_extension('/tmp/nope.so') AS x FROM z; INSERT INTO gpkg_contents "
    "(table_name, data_type, identifier, srs_id) VALUES ('ev', 'features', 'ev', 4326); INSERT INTO "
    "gpkg_geometry_columns VALUES ('ev', 'geom', 'POINT', 4326, 0, 0);")}, 'bad', r'z\.gpkg',
    toml=SRCKEY('z.gpkg', 'layer = "ev"'))
cli('gpkg_ok', VAL, {'z.gpkg': gpkg_with('SELECT 1;')}, 'ok', toml=SRCKEY('z.gpkg'))

# Sidecars of the base population: a .csvt that retypes columns, a PAM .aux.xml with an external entity.
for label, csvt in [('integer_zone', 'Integer,Integer,Integer,Integer'),
                    ('date_population', 'String,String,Integer,Date'),
                    ('huge', ','.join(['String'] * 100000))]:
    cli('csvt_' + label, RUN, {'base.csvt': csvt}, 'same')
cli('aux_xml_entity_base', RUN, {'base.csv.aux.xml': '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                                                     '<PAMDataset><Metadata><MDI key="k">&e;</MDI></Metadata>'
                                                     '</PAMDataset>'}, 'same')

# The environment.
cli('env_data_dir_vsicurl', ['run', 'default', '--out', 'out', '--quiet'], {}, 'bad', r'data',
    env={'COHORTGIS_DATA_DIR': '/vsicurl/%s/data' % URL})
cli('env_data_dir_url', ['validate', 'default'], {}, 'bad', r'data', env={'COHORTGIS_DATA_DIR': '%s/data' % URL})
cli('env_data_dir_proc', ['validate', 'default'], {}, 'bad', r'/proc/self', env={'COHORTGIS_DATA_DIR': '/proc/self'})
cli('env_gdal_pam_proxy', RUN, {'z.gpkg': gpkg_with('SELECT 1;')}, 'ok', toml=SRCKEY('z.gpkg'),
    env={'GDAL_PAM_ENABLED': 'YES', 'GDAL_PAM_PROXY_DIR': os.path.join(SHARED, 'pam')})
cli('env_http_header_file', VAL, {}, 'bad', r'base_population', toml=BASEKEY('/vsicurl/%s/b.csv' % URL),
    env={'GDAL_HTTP_HEADER_FILE': '/etc/passwd', 'CPL_CURL_VERBOSE': 'YES'})
cli('env_proj_writable_dir', RUN, {'z.gpkg': gpkg_with('SELECT 1;')}, 'ok', toml=SRCKEY('z.gpkg'),
    env={'PROJ_USER_WRITABLE_DIRECTORY': os.path.join(SHARED, 'proj'), 'PROJ_NETWORK': 'ON',
         'PROJ_NETWORK_ENDPOINT': URL})
cli('env_cpl_tmpdir_root', RUN, {}, 'same', env={'CPL_TMPDIR': '/', 'TMPDIR': '/proc'})

# --- Special files ---------------------------------------------------------------------------------------------
cli('special_socket_base', VAL, {'base.csv': 'SOCKET'}, 'bad', r'base\.csv', timeout=20)
cli('special_dev_tcp_link', VAL, {'base.csv': 'SYMLINK:/dev/tcp/127.0.0.1/%d' % NET.port}, 'bad', r'base\.csv',
    timeout=20)
cli('special_proc_net_tcp', VAL, {'base.csv': 'SYMLINK:/proc/net/tcp'}, 'bad', r'base\.csv', timeout=20)
cli('special_sys_file', VAL, {'base.csv': 'SYMLINK:/sys/kernel/mm/transparent_hugepage/enabled'}, 'bad', r'base\.csv',
    timeout=20)
cli('special_proc_cwd_escape', VAL, {}, 'bad', r'base_population|outside',
    toml=BASEKEY('/proc/self/cwd/../../../shared/outside.csv'), timeout=20)
cli('special_proc_root_link', VAL, {'base.csv': 'SYMLINK:/proc/self/root' + os.path.join(SHARED, 'outside.csv')},
    'bad', r'base\.csv', timeout=20)
# stdin a pipe that never ends: a scenario read from it would hang.
for label, path in [('dev_stdin', '/dev/stdin'), ('proc_fd0', '/proc/self/fd/0'), ('dash', '-')]:
    if wanted('special_scenario_' + label):
        r, w = os.pipe()
        os.write(w, GOOD.encode())
        cli('special_scenario_' + label, ['validate', path], {}, 'bad', timeout=20, stdin=r)
        os.close(r)
        os.close(w)
cli('special_scenario_dev_null', ['validate', '/dev/null'], {}, 'bad', r'/dev/null', timeout=20)
cli('special_scenario_sparse_2g', ['validate', 'big.toml'],
    {'big.toml': lambda p: (open(p, 'w').close(), os.truncate(p, 2 << 30))},
    'bad', r'big\.toml', timeout=60)

# --- Output folders -----------------------------------------------------------------------------------------------


def user_files_in_results(d):
    run_good(d, 'out')
    make(d, {'out/notes.txt': 'my notes\n', 'out/maps/mine.png': b'\x89PNG mine'})


def kept(*rels):
    def post(d, rc):
        return ['LOST %s' % r for r in rels if not os.path.exists(os.path.join(d, r))]
    return post


cli('out_results_with_user_files', RUN, {}, 'any', pre=user_files_in_results,
    post=kept('out/notes.txt', 'out/maps/mine.png'), out=None)
cli('out_user_tmp_old_folders', RUN, {'out.tmp-1/thesis.txt': 'mine\n', 'out.old-1/thesis.txt': 'mine\n',
                                      'out.tmp-99999999/x.txt': 'mine\n'}, 'ok',
    post=kept('out.tmp-1/thesis.txt', 'out.old-1/thesis.txt', 'out.tmp-99999999/x.txt'))


def project_below(d):
    make(os.path.join(d, 'proj'), dict(INPUTS, **{'sc.toml': GOOD}))


for label, out in [('parent_of_input', '..'), ('input_abs', None), ('sub_dotdot', 'sub/..'), ('dot_slashes', './/.'),
                   ('input_abs_trailing', '/')]:
    name = 'out_' + label
    if not wanted(name):
        continue
    d = os.path.join(ROOT, 'cases', name)
    target = {'..': '..', None: os.path.join(d, 'proj'), 'sub/..': 'sub/..', './/.': './/.',
              '/': os.path.join(d, 'proj') + '//'}[out]
    cli(name, ['run', 'sc.toml', '--out', target, '--quiet', '--no-report'], {'proj/sub/': None}, 'bad',
        pre=project_below, toml=None, out=None, timeout=30, prefix=['sh', '-c', 'cd proj && exec "$0" "$@"'])
cli('out_hidden_files_only', RUN, {'out/.git/config': '[core]\n', 'out/.keep': ''}, 'bad', r'out',
    post=kept('out/.git/config', 'out/.keep'), out=None)
cli('out_empty_user_folder', RUN, {'out/': None}, 'ok')
cli('backtest_out_dot', ['backtest', 'sc.toml', '--observed', 'base.csv', '--out', '.', '--no-report'], {}, 'bad',
    out=None)
cli('estimate_out_is_input_folder', ['estimate', '--first', 'base.csv', '--second', 'base.csv', '--years', '2010:2020',
                                     '--out', '.'], {}, 'bad', out=None)
# An unprivileged user (the probe may run as root, for whom permissions do not apply).
NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']


def read_only_parent(d):
    os.chmod(d, 0o755)
    make(d, {'ro/': None})
    os.chmod(os.path.join(d, 'ro'), 0o555)


cli('out_read_only_parent_nobody', ['run', 'sc.toml', '--out', 'ro/out', '--quiet', '--no-report'], {}, 'bad',
    r'ro/out', pre=read_only_parent, prefix=NOBODY, out=None)


def read_only_results(d):
    run_good(d, 'out')
    subprocess.run(['chown', '-R', '65534:65534', d], check=True)
    os.chmod(os.path.join(d, 'out'), 0o555)


cli('out_read_only_results_nobody', RUN, {}, 'any', pre=read_only_results, prefix=NOBODY, out='out',
    post=lambda d, rc: [] if population(os.path.join(d, 'out')) == REF_POP else ['RESULTS LOST'])

# --- Overflow ----------------------------------------------------------------------------------------------------
cli('toml_deep_arrays', VAL, {}, 'bad', r'sc\.toml', toml='x = ' + '[' * DEEP + ']' * DEEP + '\n')
cli('toml_deep_arrays_known_key', VAL, {}, 'bad', r'sc\.toml', toml=G('srb = 105', 'srb = ' + '[' * DEEP + '1' +
                                                                      ']' * DEEP))
cli('toml_deep_mixed', VAL, {}, 'bad', r'sc\.toml',
    toml='x = ' + '[{a = ' * (DEEP // 2) + '1' + '}]' * (DEEP // 2) + '\n')
for label, old, new, pat in [('tfr_nan_native', '"2020" = 1.0', '"2020" = nan', r'tfr|nan'),
                             ('tfr_minus_inf_native', '"2030" = 2.0', '"2030" = -inf', r'tfr|inf'),
                             ('srb_nan_native', 'srb = 105', 'srb = +nan', r'srb'),
                             ('srb_int_max', 'srb = 105', 'srb = 9223372036854775807', r'srb'),
                             ('horizon_int_max', 'horizon = 2030', 'horizon = 9223372036854775807', r'horizon'),
                             ('horizon_1e308', 'horizon = 2030', 'horizon = 1e308', r'horizon'),
                             ('horizon_float', 'horizon = 2030', 'horizon = 2030.5', r'horizon'),
                             ('base_year_int_min', 'base_year = 2020', 'base_year = -9223372036854775808',
                              r'base_year'),
                             ('step_string', 'step = 5', 'step = "5"', r'step'),
                             ('open_age_1e308', 'open_age = 20', 'open_age = 1e308', r'open_age'),
                             ('tfr_year_minus0', '"2030" = 2.0', '"-0" = 2.0', r'tfr'),
                             ('tfr_year_2p64', '"2030" = 2.0', '"18446744073709551616" = 2.0', r'tfr'),
                             ('int_2p64_literal', 'horizon = 2030', 'horizon = 18446744073709551616', r'sc\.toml'),
                             ('max_nan_native', 'max = 100000', 'max = nan', r'max|target')]:
    cli('toml_' + label, VAL, {}, 'bad', pat, toml=G(old, new))
STO = open(os.path.join(FIX, 'stochastic.toml')).read()
cli('toml_trajectories_int_max', VAL, {}, 'bad', r'trajector',
    toml=STO.replace('trajectories = 5', 'trajectories = 9223372036854775807'))
cli('toml_5000_variants', VAL, {}, 'any', toml=GOOD + ''.join('\n[[variants]]\nname = "v%d"\n'
                                                              'fertility = { tfr = 2.0 }\n'
                                                           % i for i in range(5000)), timeout=60)
cli('cli_variant_10000_times', RUN + ['--variant', 'more'] * 10000, {}, 'any', timeout=60)
cli('cli_variant_10000_unknown', RUN + sum([['--variant', 'n%d' % i] for i in range(10000)], []), {}, 'bad',
    r'variant', timeout=60)
for label, text in [('nan_paren', 'nan(0x8000)'), ('NaN', 'NaN'), ('minus_nan', '-nan')]:
    cli('csv_mx_' + label, VAL, {'mx.csv': MX.replace('0,female,0.01', '0,female,%s' % text, 1)}, 'bad', r'mx\.csv')
cli('csv_asfr_1e308', RUN, {'asfr.csv': re.sub(r'(?m)^(\d+),([0-9.]+)$', lambda m: m.group(1) + ',1e308', ASFR)},
    'bad', r'asfr|fertility')
cli('csv_population_1e300', RUN, {'base.csv': BASE.replace('A,female,0,1000', 'A,female,0,1e300', 1)}, 'bad',
    r'base\.csv')
cli('csv_mx_denormal', RUN, {'mx.csv': MX.replace('0,female,0.01', '0,female,1e-320', 1)}, 'any')
cli('csv_100000_columns', VAL, {'base.csv': BASE.replace('\n', ',' + ','.join('c%d' % i for i in range(100000)) + '\n',
                                                         1)}, 'any', timeout=60)
cli('csv_1e6_duplicate_rows', VAL, {'base.csv': BASE + 'A,female,0,1\n' * 1000000}, 'bad', r'base\.csv', timeout=60)
cli('zones_table_300000', VAL, {'zones.csv': 'id,name\n' + ''.join('Z%d,Z%d\n' % (i, i) for i in range(300000))},
    'bad', r'zones|base', toml=ZONESKEY('zones.csv'), timeout=60)

# --- Signals in each phase, timed from the signal to the exit ----------------------------------------------------
DEFRES = os.path.join(ROOT, 'default_results')
subprocess.run([EXE, 'run', 'default', '--out', DEFRES, '--quiet'], cwd=ROOT, env=ENV, check=True)


def tmp(pattern):
    return lambda d: glob.glob(os.path.join(d, 'out.tmp-*', pattern))


def after(secs):
    t0 = []
    return lambda d: (t0.append(time.time()) if not t0 else None) or time.time() - t0[0] > secs


def sig_case(name, args, sig, when, copy_results=False, wants_out=True):
    """`cohortgis ARGS` in a fresh folder; sig sent when when(folder) first holds; the exit must be 128 + sig
    within SIG_LATENCY_S of it (or 0 if it finished first), with no staging folder, no out and no change to a
    results folder it read."""
    if not wanted(name):
        return
    d = os.path.join(ROOT, 'cases', name)
    os.makedirs(d)
    if copy_results:
        shutil.copytree(DEFRES, os.path.join(d, 'res'))
    before = snapshot(d)
    p = subprocess.Popen([EXE] + args, cwd=d, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    t0, sent = time.time(), None
    while p.poll() is None and time.time() - t0 < 60:
        if sent is None and when(d):
            p.send_signal(sig)
            sent = time.time()
        time.sleep(0.002)
    if p.poll() is None:
        p.kill()
    p.wait()
    end = time.time()
    err = p.stderr.read().decode('utf-8', 'replace')
    rc = p.returncode
    probs = []
    if sent is None:
        probs.append('FINISHED BEFORE THE PHASE (exit %d): no signal sent' % rc)
    elif rc == 0:
        pass  # finished between the phase's start and the signal's delivery
    elif rc not in (128 + sig, -sig):  # -sig: ended by the default action (nothing may be left either way)
        probs.append('EXIT %d (expected %d)' % (rc, 128 + sig))
    if sent is not None and end - sent > SIG_LATENCY_S:
        probs.append('SLOW: exit %.2f s after the signal' % (end - sent))
    left = [n for n in os.listdir(d) if '.tmp-' in n or '.old-' in n]
    probs += ['LEFT %s' % n for n in left]
    if rc != 0:
        probs += changes(before, snapshot(d))
        if wants_out and os.path.exists(os.path.join(d, 'out')):
            probs.append('PARTIAL out')
    probs += message_problems(rc if rc not in (128 + sig, -sig) else 0, '', err)
    record(name, not probs, ('; '.join(probs) + ' | ' if probs else '') + 'exit %d, signal->exit %s' %
           (rc, '%.2f s' % (end - sent) if sent else '-'))


RUN_DEFAULT = ['run', 'default', '--out', 'out', '--quiet']
for sig in (signal.SIGTERM, signal.SIGINT):
    s = sig.name[3:].lower()
    sig_case('sig_%s_load' % s, RUN_DEFAULT, sig, after(0.02))
    sig_case('sig_%s_load_late' % s, RUN_DEFAULT, sig, after(0.045))
    sig_case('sig_%s_csv_write' % s, RUN_DEFAULT, sig, tmp('population.csv'))
    sig_case('sig_%s_gpkg' % s, RUN_DEFAULT, sig, tmp('results.gpkg'))
    sig_case('sig_%s_maps' % s, RUN_DEFAULT, sig, tmp('maps/*.png'))
    sig_case('sig_%s_report_html' % s, RUN_DEFAULT, sig, tmp('report.html'))
    sig_case('sig_%s_xlsx' % s, RUN_DEFAULT, sig, tmp('results.xlsx'))
sig_case('sig_hup_xlsx', RUN_DEFAULT, signal.SIGHUP, tmp('results.xlsx'))
sig_case('sig_term_project_stochastic', ['run', 'default', '--out', 'out', '--quiet', '--trajectories', '2000'],
         signal.SIGTERM, after(1.0))
sig_case('sig_term_map_cmd', ['map', 'res', '--indicator', 'population', '--year', '2035', '--out', 'm.png'],
         signal.SIGTERM, after(0.15), copy_results=True, wants_out=False)
sig_case('sig_int_report_cmd', ['report', 'res'], signal.SIGINT, after(0.4), copy_results=True, wants_out=False)
sig_case('sig_term_validate_results', ['validate', 'default', '--results', 'res'], signal.SIGTERM, after(0.1),
         copy_results=True, wants_out=False)

# --- Python ------------------------------------------------------------------------------------------------------
PY_DIR = os.path.join(ROOT, 'py')
make(PY_DIR, dict(INPUTS, **{'good.toml': GOOD, 'mine/notes.txt': 'mine\n'}))
# Python cases (PROBE.py): nothing under the Python folder may change (outputs go to WORK/pyout).
PROBE.py_prelude = ('import gc, itertools, os, pickle, signal, sys, threading, time, numpy as np, pandas as pd, '
                    'cohortgis as cg\nP = %r\ns = cg.load_scenario(P)\nsc = s.baseline\n'
                    % os.path.join(PY_DIR, 'good.toml'))
PROBE.py_dir, PROBE.py_watched = PY_DIR, [PY_DIR]
py = PROBE.py


PYOUT = os.path.join(ROOT, 'pyout')
os.makedirs(PYOUT)
BAD = ('TypeError', 'ValueError')
py('py_variants_generator', "len(s.run(threads=1, variants=(v for v in ['baseline', 'more'])))", 'ok', r'RETURNED 2')
py('py_variants_endless', "s.run(threads=1, variants=itertools.repeat('baseline'))", BAD, timeout=30)
py('py_variants_str', "s.run(threads=1, variants='more')", 'TypeError', r'variants')
py('py_variants_empty', "s.run(threads=1, variants=[])", 'ValueError', r'variants')
py('py_set_of_generator', 'len(cg.ScenarioSet(r for r in s.runs))', ('ok',) + BAD)
py('py_set_of_endless', 'cg.ScenarioSet(itertools.repeat(sc))', BAD, timeout=30)
py('py_set_of_endless_copies_capped', 'cg.ScenarioSet(itertools.islice((sc.copy() for _ in itertools.count()), 300))'
   '.run(threads=1)', 'ValueError', r'a second run of that name')
py('py_set_zones_generator', "sc.set_zones(iter(['A', 'B']))\nsc.zone_ids", ('ok',) + BAD)
py('py_set_tfr_generator', 'sc.set_tfr(x for x in [1.0])', BAD)
py('py_max_threads_patched', 'cg.MAX_THREADS = 10**9\ncg.run(sc, threads=10**6)', 'ValueError', r'threads')
py('py_threads_index_raises', 'class I:\n    def __index__(self):\n        raise RuntimeError("no")\n'
   'cg.run(sc, threads=I())',
   BAD + ('RuntimeError',))
py('py_threads_numpy_uint64_max', 'cg.run(sc, threads=np.uint64(2**64 - 1))', 'ValueError', r'threads')
r_ = 'r = cg.run(s, threads=1)\n'
py('py_results_getitem_int', r_ + 'r[0]', ('KeyError', 'TypeError'))
py('py_results_getitem_none', r_ + 'r[None]', ('KeyError', 'TypeError'))
py('py_results_getitem_bytes', r_ + "r[b'baseline']", ('KeyError', 'TypeError'))
py('py_indicator_values_year_2p1000', r_ + "r.indicator_values('population', year=2**1000)",
   ('KeyError', 'ValueError', 'OverflowError'))
py('py_zones_frame_year_bool', r_ + 'r.zones_frame(True)', ('KeyError', 'ValueError', 'TypeError'))
py('py_population_frame_endless', r_ + "r.population_frame(variants=itertools.repeat('baseline'))", BAD + ('KeyError',),
   timeout=30)
x_ = 'x = sc.step_schedules(0)\n'
py('py_schedules_asfr_str', x_ + "setattr(x, 'asfr', 'abc')", BAD)
py('py_schedules_asfr_2d', x_ + 'x.asfr = np.ones((2, 3))\nsc.set_step_schedules(0, x)\ncg.run(sc)', BAD)
py('py_schedules_asfr_object', x_ + "setattr(x, 'asfr', np.array([object()] * 3))", BAD)
py('py_schedules_asfr_inf', x_ + 'x.asfr = x.asfr * np.inf\nsc.set_step_schedules(0, x)\ncg.run(sc)', 'ValueError',
   r'asfr')
py('py_set_od_huge_zones', x_ + 'x.set_od([], 2**62, 1, 5)', BAD + ('OverflowError', 'MemoryError'))
py('py_set_od_2p63_zones', x_ + 'x.set_od([], 2**63, 1, 5)', BAD + ('OverflowError',))
py('py_odflow_origin_2p63', 'cg.OdFlow(2**63, 0, 0.1)', BAD + ('OverflowError',))
py('py_odflow_origin_outside', x_ + 'x.set_od([cg.OdFlow(99, 0, 0.1)], len(sc.zone_ids), 1, sc.n_ages)\n'
   'sc.set_step_schedules(0, x)\ncg.run(sc)', BAD + ('IndexError',))
py('py_odflow_rate_nan', x_ + "x.set_od([cg.OdFlow(0, 1, float('nan'))], len(sc.zone_ids), 1, sc.n_ages)\n"
   'sc.set_step_schedules(0, x)\ncg.run(sc)', BAD)
py('py_group_transition_nan', "cg.GroupTransition(0, 1, [float('nan')] * 5)\nx = sc.step_schedules(0)\n"
   "x.transitions = [cg.GroupTransition(0, 1, [float('nan')] * sc.n_ages)]\nsc.set_step_schedules(0, x)\ncg.run(sc)",
   BAD + ('AttributeError',))
py('py_newborn_share_1e308', 'x = sc.step_schedules(0)\nx.newborn_rules = [cg.NewbornRule(0, 0, 1e308)]\n'
   'sc.set_step_schedules(0, x)\ncg.run(sc)', BAD + ('AttributeError',))
py('py_set_grid_2p31', 'sc.set_grid(2**31, 100)', BAD + ('OverflowError',))
py('py_set_grid_zero', 'sc.set_grid(0, 0)\ncg.run(sc)', BAD + ('RuntimeError',))
py('py_set_grid_then_run', 'sc.set_grid(1, 100)\ncg.run(sc)', BAD + ('RuntimeError',))
py('py_set_zones_duplicate', "sc.set_zones(['A', 'A'])\ncg.run(sc)", BAD)
py('py_set_zones_1e6_then_run', 'sc.set_zones([str(i) for i in range(10**6)])\ncg.run(sc)', BAD, timeout=60)
py('py_set_zones_names_longer', "sc.set_zones(['A', 'B'], ['a', 'b', 'c'])", BAD)
FR = ("zones = pd.DataFrame({'id': ['A', 'B']})\n"
      "pop = pd.DataFrame([(z, x, a, 100.0) for z in ['A', 'B'] for x in ['female', 'male'] for a in range(0, 25, 5)], "
      "columns=['zone', 'sex', 'age', 'population'])\n"
      "mort = pd.DataFrame([(a, x, 0.01) for x in ['female', 'male'] for a in (0, 1, 5, 10, 15, 20)], columns=['age', "
      "'sex', 'mx'])\n"
      "fert = pd.DataFrame({'age': [15], 'asfr': [0.05]})\n"
      "kw = dict(zones=zones, base_population=pop, mortality=mort, fertility=fert, base_year=2020, horizon=2025, "
      "open_age=20)\n")
py('py_frames_ok', FR + 'cg.scenario_from_frames(**kw).baseline.zone_ids', 'ok')
py('py_frames_toml_injection_id', FR + "bad = 'A\"\\n[evil]\\nx = \"'\nzones['id'] = [bad, 'B']\n"
   "pop['zone'] = pop['zone'].replace('A', bad)\nids = cg.scenario_from_frames(**kw).baseline.zone_ids\n"
   "ids == [bad, 'B'] or 1 / 0",
   ('ok',) + BAD)
py('py_frames_toml_injection_name', FR + "zones['name'] = ['x\"\"\"\\n[fertility]\\ntfr = 9', 'y']\n"
   "cg.scenario_from_frames(**kw).baseline.zone_names[0] == zones['name'][0] or 1 / 0", ('ok',) + BAD)
py('py_frames_nan_population', FR + "pop.loc[0, 'population'] = float('nan')\ncg.scenario_from_frames(**kw)",
   'ValueError', r'population')
py('py_frames_age_2p63', FR + "pop.loc[0, 'age'] = 2**63 - 1\ncg.scenario_from_frames(**kw)", 'ValueError', r'age')
py('py_frames_none', FR + 'kw["zones"] = None\ncg.scenario_from_frames(**kw)', BAD + ('AttributeError',))
py('py_frames_name_path', FR + "cg.scenario_from_frames(name='../../etc/passwd', **kw).baseline.name",
   ('ok',) + BAD)
FIG = r_ + 'f = r.lines()\n'
py('py_figure_save_folder', FIG + 'f.save(%r)' % os.path.join(PY_DIR, 'mine'), BAD + ('OSError', 'IsADirectoryError'))
py('py_figure_save_proc', FIG + "f.save('/proc/cohortgis.png')", BAD + ('OSError', 'PermissionError',
                                                                       'FileNotFoundError'))
py('py_figure_save_none', FIG + 'f.save(None)', BAD)
py('py_pickle_step_schedules', 'x = pickle.loads(pickle.dumps(sc.step_schedules(0)))\nlen(x.asfr) > 0',
   ('ok', 'TypeError', 'PicklingError'))
py('py_pickle_figure', FIG + 'pickle.loads(pickle.dumps(f)).data()[:4]', ('ok', 'TypeError', 'PicklingError',
                                                                         'AttributeError'))
py('py_set_tfr_during_run', 'errs = []\nstop = threading.Event()\ndef poke():\n    while not stop.is_set():\n'
   '        try:\n            sc.set_tfr(3.0)\n        except Exception as e:\n'
   '            errs.append(type(e).__name__)\n'
   'th = threading.Thread(target=poke)\nth.start()\ntry:\n    for _ in range(20):\n        cg.run(sc, threads=2)\n'
   'finally:\n    stop.set()\n    th.join()\nset(errs) <= {"RuntimeError"}', 'ok', r'RETURNED True')
py('py_progress_raises_keyboardinterrupt', 'def cb(d, t):\n    raise KeyboardInterrupt\ncg.run(sc, progress=cb)',
   'KeyboardInterrupt')
py('py_results_after_scenario_changed', 'r = cg.run(sc, threads=1)\na = np.array(r.population())\nsc.set_tfr(5.0)\n'
   'cg.run(sc, threads=1)\nnp.array_equal(a, np.array(r.population()))', 'ok', r'RETURNED True')
py('py_write_outputs_user_folder', 'cg.write_outputs(P, %r)' % os.path.join(PY_DIR, 'mine'), 'ValueError', r'mine')
py('py_write_outputs_cwd', "cg.write_outputs(P, '.')", 'ValueError')
py('py_write_outputs_components_generator', "cg.write_outputs(P, %r, components=(c for c in ['births']))"
   % os.path.join(PYOUT, 'gen'), BAD)
# SIGINT latency: KeyboardInterrupt within 1 s of the signal, nothing left. write_outputs with threads=1 goes through
# its phases one after the other (CSVs while projecting, results.xlsx, results.gpkg, maps), each signalled as its
# file appears. Left out: the final compression of results.xlsx (libxlsxwriter's workbook_close, about 1 s of CPU for
# the default scenario), which nothing can stop; the command line's watchdog exits 0.5 s after a signal there too.
# The watcher waits for "started" too: a signal sent before the try begins (the ensemble case's pattern '/' matches at
# once) would raise outside it.
LAT = ('t = {}\ndef watch():\n    while "started" not in t or not glob.glob(%r):\n        time.sleep(0.002)\n'
       '    t["sent"] = time.time()\n'
       '    os.kill(os.getpid(), signal.SIGINT)\nthreading.Thread(target=watch, daemon=True).start()\n'
       'try:\n    t["started"] = True\n    %s\n    t["end"] = None\nexcept KeyboardInterrupt:\n'
       '    t["end"] = time.time()\n'
       'left = os.listdir(%r)\n'
       '(t["end"] is not None and t["end"] - t["sent"] <= %s and not left) or ("sent" in t and t["end"] and '
       't["end"] - t["sent"], left)')
PROBE.py_prelude = 'import glob\n' + PROBE.py_prelude
py('py_sigint_latency_ensemble', LAT % ('/', 's.run(threads=2, trajectories=100000)', PYOUT, SIG_LATENCY_S), 'ok',
   r'RETURNED True')
for phase, pattern in [('csv', 'population.csv'), ('gpkg', 'results.tmp-*.gpkg'), ('maps', 'maps/*.png')]:
    d = os.path.join(PYOUT, 'lat_' + phase)
    os.makedirs(d)
    py('py_sigint_latency_write_outputs_' + phase,
       LAT % (os.path.join(d, 'out.tmp-*', pattern), "cg.write_outputs('default', %r, threads=1)"
              % os.path.join(d, 'out'), d, SIG_LATENCY_S), 'ok', r'RETURNED True')

PROBE.finish()
