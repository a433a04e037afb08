#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Second hostile-input probe of the cohortgis command line (issue of round 4, engineer h8): cases that
hostile_cli.py does not cover, on the tiny scenario tests/fixtures/scenarios/good.toml: links (symlinked files,
parents, chains, loops, a hard link, a link swapped during the run), `..`, absolute, `~` and `data:` paths in every
path key, GDAL virtual file systems, driver prefixes and connection strings, VRTs pointing out, GDAL options in the
environment, --out on inputs, `/`, foreign folders, links and fake manifests, spelled-out NaN/inf and overflowing
numbers, deep TOML nesting, 10 MB strings, duplicates, BOM/CRLF/UTF-16/invalid UTF-8, and signals (HUP, PIPE with
stdout closed, QUIT, USR1, INT twice, INT while loading/reporting).
Each case runs in a fresh folder; a local TCP listener stands in for every URL, so any network attempt is seen.
A case fails on: a hang (60 s), an exit other than 0/1 (or the signal's code), a bad input accepted, output left
after an error, a crash-like message, a connection to the listener, a file outside the case folder's expected
output changed, created or deleted, or /etc/passwd content echoed. About 2 minutes.
Usage: /usr/bin/python3 tests/probe/hostile_cli2.py [BUILD_DIR [WORK_DIR]] [CASE_PREFIX ...]"""
import os, shutil, subprocess, sys, re, signal, time, threading
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe_common import CRASHY, FIX, Listener, command_line, make, snapshot  # noqa: E402
BUILD, ROOT, EXE, ONLY = command_line('cohortgis-hostile-probe2-')

# ---- a listener for every URL: any connection is a network access
NET = Listener()
hits, PORT, URL = NET.hits, NET.port, NET.url

# A German locale (decimal comma) built into WORK, for the careless user's LC_ALL=de_DE.UTF-8.
LOC = os.path.join(ROOT, 'locale')
subprocess.run(['localedef', '-i', 'de_DE', '-f', 'UTF-8', os.path.join(LOC, 'de_DE.UTF-8')], capture_output=True)
GOOD = open(os.path.join(FIX, 'good.toml')).read()
BASE = open(os.path.join(FIX, 'base.csv')).read()
# A file outside every case folder, a valid base table: reading it through a trick would be accepted silently.
OUTSIDE = os.path.join(ROOT, 'outside.csv')
open(OUTSIDE, 'w').write(BASE)
VICTIM = os.path.join(ROOT, 'victim')
os.makedirs(VICTIM); open(os.path.join(VICTIM, 'thesis.txt'), 'w').write('precious\n')

def setup(d):
    os.makedirs(d)
    for f in ['base.csv', 'asfr.csv', 'mx.csv']:
        shutil.copy(os.path.join(FIX, f), d)

cases = []
def case(name, files, args, expect='bad', special=None, env=None, out='out'):
    cases.append(dict(name=name, files=files, args=args, expect=expect, special=special, env=env, out=out))
def run_sc(name, toml, extra=None, expect='bad', special=None, env=None, args_extra=(), cmd='run'):
    files = {'sc.toml': toml}; files.update(extra or {})
    a = [cmd, 'sc.toml'] + (['--out', 'out', '--no-report', '--quiet'] if cmd == 'run' else []) + list(args_extra)
    case(name, files, a, expect, special, env)
G = lambda old, new: GOOD.replace(old, new)
BASEKEY = lambda p: G('table = "base.csv"', 'table = "%s"' % p)
ASFRKEY = lambda p: G('schedule = { path = "asfr.csv" }', 'schedule = { path = "%s" }' % p)
MXKEY = lambda p: G('mx = { path = "mx.csv"', 'mx = { path = "%s"' % p)
TFRKEY = lambda p: G('tfr = { "2020" = 1.0, "2030" = 2.0 }', 'tfr = "%s"' % p)
SRBKEY = lambda p: G('srb = 105', 'srb = { path = "%s" }' % p)
ZONESKEY = lambda p: G('zones = [ { id = "A", name = "Zone A" }, { id = "B", name = "Zone B" } ]', 'zones = "%s"' % p)
SRCKEY = lambda p: G('[projection]', '[geography.source]\npath = "%s"\nid_field = "id"\n\n[projection]' % p)
KEYS = dict(base=BASEKEY, asfr=ASFRKEY, mx=MXKEY, tfr=TFRKEY, srb=SRBKEY, zones=ZONESKEY, source=SRCKEY)

run_sc('ok_good', GOOD, expect='ok')

# ---- links
run_sc('ln_base_to_passwd', BASEKEY('b.csv'), {'b.csv': 'SYMLINK:/etc/passwd'})
run_sc('ln_asfr_parent_etc', ASFRKEY('sub/passwd'), {'sub': 'SYMLINK:/etc'})
run_sc('ln_mx_parent_up', MXKEY('up/outside.csv'), {'up': 'SYMLINK:..'})
run_sc('ln_base_parent_up_ok_file', BASEKEY('up/outside.csv'), {'up': 'SYMLINK:..'})
run_sc('ln_chain_out', BASEKEY('a.csv'), {'a.csv': 'SYMLINK:b.csv', 'b.csv': 'SYMLINK:' + OUTSIDE})
run_sc('ln_relative_escape', BASEKEY('l.csv'), {'l.csv': 'SYMLINK:../../../../../../etc/passwd'})
run_sc('ln_proc_environ', BASEKEY('l.csv'), {'l.csv': 'SYMLINK:/proc/self/environ'})
run_sc('ln_dev_zero', BASEKEY('l.csv'), {'l.csv': 'SYMLINK:/dev/zero'})
run_sc('ln_loop', BASEKEY('l.csv'), {'l.csv': 'SYMLINK:l.csv'})
run_sc('ln_dangling', BASEKEY('l.csv'), {'l.csv': 'SYMLINK:nowhere.csv'})
run_sc('ln_inside_ok', BASEKEY('l.csv'), {'l.csv': 'SYMLINK:base.csv'}, expect='ok')
run_sc('ln_dir_inside_to_out', BASEKEY('d/outside.csv'), {'d': 'SYMLINK:' + ROOT})
run_sc('ln_hard_passwd', BASEKEY('h.csv'), {'h.csv': 'HARDLINK:/etc/passwd'})
run_sc('ln_scenario_itself_link', GOOD, {'real.toml': GOOD}, expect='any')
run_sc('ln_race_passwd', GOOD, expect='any', special=('race', 'base.csv', '/etc/passwd'))
run_sc('ln_proc_fd', BASEKEY('/proc/self/fd/0'))
run_sc('ln_dev_stdin', BASEKEY('/dev/stdin'))

# ---- a table path that is not a file
for p in ['dir', '.', '', '/', 'dir/', 'base.csv/', 'base.csv/.', './base.csv/..']:
    run_sc('notfile_base_%s' % (p.replace('/', 'S').replace('.', 'D') or 'empty'), BASEKEY(p), {'dir/': None})

# ---- .. / absolute / ~ / data: in every path key
for k, f in KEYS.items():
    run_sc('dotdot_%s' % k, f('../outside.csv'))
    run_sc('abs_%s' % k, f(OUTSIDE))
    run_sc('tilde_%s' % k, f('~/outside.csv'))
    run_sc('data_escape_%s' % k, f('data:../../../../../etc/passwd'))
run_sc('dotdot_inside_out_in', BASEKEY('sub/../../%s/base.csv' % 'x'), {'sub/': None})
run_sc('abs_double_slash', BASEKEY('//etc/passwd'))
run_sc('abs_dot', BASEKEY('/./etc/../etc/passwd'))
run_sc('abs_env_var', BASEKEY('$HOME/.bashrc'))
run_sc('data_absolute', BASEKEY('data:/etc/passwd'))
run_sc('data_empty', BASEKEY('data:'))
run_sc('path_nul', BASEKEY('base.csv\\u0000.txt'))
run_sc('path_newline', BASEKEY('base.csv\\n'))
run_sc('path_10mb', BASEKEY('a' * 10_000_000))
run_sc('path_long_component', BASEKEY('a' * 300 + '.csv'))

# ---- GDAL virtual file systems, driver prefixes, connection strings (every URL goes to the local listener)
VS = ['/vsistdin/', '/vsimem/base.csv', '/vsizip//vsicurl/%s/a.zip/base.csv' % URL, '/vsisubfile/0_100,/etc/passwd',
      '/vsigzip//etc/passwd', '/vsitar/x.tar/base.csv', '/vsis3/bucket/base.csv', '/vsicurl_streaming/%s/b.csv' % URL,
      '/vsicached?file=/vsicurl/%s/b.csv' % URL, '/vsiaz/c/b.csv', '/vsihdfs/x', '/vsiwebhdfs/%s/x' % URL,
      '/VSICURL/%s/b.csv' % URL, 'PG:host=127.0.0.1 port=%d dbname=x' % PORT, 'PG:service=nope', 'db:nope',
      'WFS:%s/' % URL, '%s/b.csv' % URL, 'HTTPS://127.0.0.1:%d/b.csv' % PORT, 'file:///etc/passwd',
      'FILE:' + OUTSIDE, 'CSV:' + OUTSIDE, 'CSV:base.csv', 'GPKG:x.gpkg:layer', 'GeoJSON:%s/x.json' % URL,
      'ESRIJSON:%s/x' % URL, 'SQLite:x.db', 'MySQL:db,host=127.0.0.1,port=%d' % PORT, 'ODBC:x', 'MSSQL:server=x',
      'OCI:x', '%%2Fvsicurl%%2F%s' % URL.replace(':', '%3A').replace('/', '%2F'), 'ftp://127.0.0.1:%d/b.csv' % PORT,
      '<OGRVRTDataSource><OGRVRTLayer '
      'name=\\"x\\"><SrcDataSource>/etc/passwd</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>',
      '{\\"type\\": \\"FeatureCollection\\", \\"features\\": []}', 'OGR_GMT:x', 'vsicurl/%s' % URL,
      '/vsicurl?url=%s/b.csv' % URL.replace(':', '%3A'), '/vsiadls/x', '/vsioss/x', '/vsigs/x', '/vsiswift/x']
for i, v in enumerate(VS):
    k = list(KEYS)[i % len(KEYS)]
    run_sc('vsi_%02d_%s' % (i, k), KEYS[k](v))

# ---- VRT files in the folder that point out
VRT = lambda src, rel='0': ('<OGRVRTDataSource><OGRVRTLayer name="base"><SrcDataSource relativeToVRT="%s">%s'
                            '</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>' % (rel, src))
run_sc('vrt_rel_dotdot', BASEKEY('b.vrt'), {'b.vrt': VRT('../outside.csv', '1')})
run_sc('vrt_csv_prefix', BASEKEY('b.vrt'), {'b.vrt': VRT('CSV:' + OUTSIDE)})
run_sc('vrt_vsicurl_named_csv', BASEKEY('b2.csv'), {'b2.csv': VRT('/vsicurl/%s/b.csv' % URL)})
run_sc('vrt_wfs', BASEKEY('b.vrt'), {'b.vrt': VRT('WFS:%s/' % URL)})
run_sc('vrt_self_loop', BASEKEY('b.vrt'), {'b.vrt': VRT('b.vrt', '1')})
run_sc('vrt_two_loop', BASEKEY('a.vrt'), {'a.vrt': VRT('b.vrt', '1'), 'b.vrt': VRT('a.vrt', '1')})
run_sc('vrt_inside_symlink_out', BASEKEY('b.vrt'), {'b.vrt': VRT('l.csv', '1'), 'l.csv': 'SYMLINK:' + OUTSIDE})
run_sc('vrt_entity_passwd', BASEKEY('b.vrt'),
       {'b.vrt': '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + VRT('&e;')})
run_sc('vrt_inside_ok', BASEKEY('b.vrt'), {'b.vrt': VRT('base.csv', '1')}, expect='any')
run_sc('csvt_symlink_out', BASEKEY('base.csv'), {'base.csvt': 'SYMLINK:/etc/passwd'})
run_sc('gpkg_is_vrt_remote', BASEKEY('b.gpkg'), {'b.gpkg': VRT('/vsicurl/%s/x.csv' % URL)})
run_sc('geojson_remote_crs', SRCKEY('z.geojson'),
       {'z.geojson': '{"type":"FeatureCollection","crs":{"type":"link","properties":{"href":"%s/crs","type":"proj4"}},'
                     '"features":[{"type":"Feature","properties":{"id":"A"},"geometry":{"type":"Point","coordinates":'
                     '[0,0]}},{"type":"Feature","properties":{"id":"B"},"geometry":{"type":"Point","coordinates":'
                     '[1,1]}}]}' % URL}, expect='any')

# ---- GDAL/PROJ options from the environment
run_sc('env_cpl_debug', GOOD, expect='ok', env={'CPL_DEBUG': 'ON'})
run_sc('env_http_proxy_url', BASEKEY('%s/b.csv' % URL), env={'GDAL_HTTP_PROXY': '127.0.0.1:%d' % PORT,
                                                             'http_proxy': URL})
run_sc('env_vsicurl_allowed', BASEKEY('/vsicurl/%s/b.csv' % URL),
       env={'CPL_VSIL_CURL_ALLOWED_EXTENSIONS': '.csv', 'GDAL_HTTP_UNSAFESSL': 'YES'})
run_sc('env_gdal_skip_csv', GOOD, expect='any', env={'GDAL_SKIP': 'CSV', 'OGR_SKIP': 'CSV'})
run_sc('env_driver_path', GOOD, expect='ok', env={'GDAL_DRIVER_PATH': '/nonexistent', 'GDAL_DATA': '/nonexistent'})
run_sc('env_proj_network', GOOD, expect='ok', env={'PROJ_NETWORK': 'ON', 'PROJ_NETWORK_ENDPOINT': URL})
run_sc('env_locale_comma', GOOD, expect='same', env={'LOCPATH': LOC, 'LC_ALL': 'de_DE.UTF-8',
                                                     'LC_NUMERIC': 'de_DE.UTF-8', 'LANG': 'de_DE.UTF-8'})
run_sc('env_csv_options', GOOD, expect='same', env={'OGR_CSV_SEPARATOR': ';', 'GDAL_CSV_DELIMITER': ';'})
run_sc('env_tmpdir_missing', GOOD, expect='ok', env={'TMPDIR': '/nonexistent'})
run_sc('env_home_unset', BASEKEY('~/x.csv'), env={'HOME': ''})

# ---- --out
def out_case(name, out, files=None, expect='bad', extra=()):
    f = {'sc.toml': GOOD}; f.update(files or {})
    case('out_' + name, f, ['run', 'sc.toml', '--out', out, '--no-report', '--quiet'] + list(extra), expect, out=out)
out_case('dot', '.')
out_case('root', '/')
out_case('foreign_folder', 'mine', {'mine/notes.txt': 'my notes\n'})
out_case('foreign_manifest', 'mine',
         {'mine/manifest.json': '{"cohortgis_results": {"format": 1}, "files": [{"path": "../../outside.csv"}]}'})
out_case('file', 'sc.toml')
out_case('symlink_to_victim', 'lnk', {'lnk': 'SYMLINK:' + VICTIM})
out_case('symlink_to_etc', 'lnk', {'lnk': 'SYMLINK:/etc'})
out_case('symlink_dangling', 'lnk', {'lnk': 'SYMLINK:' + os.path.join(ROOT, 'nothing-here')}, expect='any')
out_case('parent_symlink', 'lnk/out', {'lnk': 'SYMLINK:' + VICTIM}, expect='trusted')
out_case('empty', '')
out_case('dotdot', '..')
out_case('proc_fd', '/proc/self/fd/1')
out_case('dev_full', '/dev/full/x')
out_case('deep_new_parents', 'a/b/c/d', expect='any')
out_case('inside_input_folder_ok', 'sub/out', {'sub/': None}, expect='ok')
out_case('trailing_slash_ok', 'out/', expect='ok')
out_case('nul_in_out', 'o\x01ut', expect='any')
out_case('stale_tmp_symlink', 'out', {'out.tmp-999999': 'SYMLINK:' + VICTIM, 'out.old-999998': 'SYMLINK:' + VICTIM},
         expect='ok')
out_case('out_is_data_file', 'base.csv')
out_case('out_is_stdout_dash', '-', expect='any')

# ---- numbers in table cells (the base population's first count)
BV = lambda v: BASE.replace('A,female,0,1000', 'A,female,0,%s' % v, 1)
for i, v in enumerate(['1e309', 'NaN', '-nan', '+NaN', 'NAN(123)', 'Infinity', '-Infinity', '+inf', '1.#INF', '1.#QNAN',
                       'nan%', '0x1p10', '1,000', '1 000', '1_000', '\uff11\uff10\uff10', '\u0661\u0660\u0660',
                       '1e-400',
                       '-', '.', 'e5', '1e', '--5', '1e99999999999999999999', '"1000"x']):
    run_sc('num_pop_%02d' % i, GOOD, {'base.csv': BV(v)})
run_sc('num_pop_tab_after', GOOD, {'base.csv': BV('1000\t')}, expect='same')  # blanks around a number: read
run_sc('num_pop_minus_zero', GOOD, {'base.csv': BV('-0')}, expect='any')
run_sc('num_age_2p63', GOOD, {'base.csv': BASE + 'A,female,9223372036854775808,1\n'})
run_sc('num_age_2p64', GOOD, {'base.csv': BASE + 'A,female,18446744073709551616,1\n'})
run_sc('num_age_minus_zero', GOOD, {'base.csv': BASE.replace('A,female,0,', 'A,female,-0,', 1)}, expect='any')
run_sc('num_mx_1e309', GOOD, {'mx.csv': open(os.path.join(FIX, 'mx.csv')).read().replace('0,female,0.01',
                                                                                         '0,female,1e309', 1)})
run_sc('num_asfr_neg_zero', GOOD, {'asfr.csv': open(os.path.join(FIX, 'asfr.csv')).read().replace('5,0', '5,-0', 1)},
       expect='any')
for i, (k, v) in enumerate([('open_age = 20', 'open_age = 9223372036854775807'), ('step = 5', 'step = -0'),
                            ('step = 5', 'step = 0'), ('step = 5', 'step = 9223372036854775807'),
                            ('base_year = 2020', 'base_year = -0'), ('srb = 105', 'srb = 1e309'),
                            ('srb = 105', 'srb = -0.0'), ('srb = 105', 'srb = -nan'), ('srb = 105', 'srb = +inf'),
                            ('"2030" = 2.0', '"9223372036854775808" = 2.0'), ('"2030" = 2.0', '"2030" = 1e-320'),
                            ('"2030" = 2.0', '"\uff12\uff10\uff13\uff10" = 2.0'), ('"2030" = 2.0', '"2030.0" = 2.0'),
                            ('persons_per_year = 20', 'persons_per_year = 1e308'),
                            ('persons_per_year = 20', 'persons_per_year = -0'), ('max = 100000', 'max = nan'),
                            ('years = [2023, 2027]', 'years = [2023, 9223372036854775807]'),
                            ('total_per_year = 100', 'total_per_year = 9223372036854775807'),
                            ('"2021-2025"', '"2021-9223372036854775807"'),
                            ('year = 2030', 'year = 0x7FFFFFFFFFFFFFFF')]):
    run_sc('num_toml_%02d' % i, G(k, v), expect='any' if v in ('srb = -0.0', 'persons_per_year = -0',
                                                               '"2030" = 1e-320') else 'bad')
run_sc('num_many_zones_small_file', G('zones = [ { id = "A", name = "Zone A" }, { id = "B", name = "Zone B" } ]',
       'zones = [ ' + ', '.join('{ id = "Z%d" }' % i for i in range(200000)) + ' ]'))

# ---- TOML structure
run_sc('toml_deep_inline', 'x = ' + '{ a = ' * 100000 + '1' + ' }' * 100000 + '\n')
run_sc('toml_deep_dotted', '.'.join(['a'] * 100000) + ' = 1\n')
run_sc('toml_deep_headers', '[' + '.'.join(['a'] * 100000) + ']\n')
run_sc('toml_deep_array_tables', '[[' + '.'.join(['a'] * 50000) + ']]\n')
run_sc('toml_10mb_name', G('name = "tiny"', 'name = "%s"' % ('x' * 10_000_000)))  # names: at most 200 characters
run_sc('toml_200_chinese_name', G('name = "tiny"', 'name = "%s"' % ('京' * 200)), expect='ok')
run_sc('toml_10mb_title', G('name = "tiny"', 'name = "tiny"\ntitle = "%s"' % ('t' * 10_000_000)))
run_sc('toml_10mb_comment', '#' + 'c' * 10_000_000 + '\n' + GOOD, expect='ok')
run_sc('toml_dup_table', GOOD + '\n[projection]\nbase_year = 2020\n')
run_sc('toml_dup_key', G('horizon = 2030', 'horizon = 2030\nhorizon = 2035'))
run_sc('toml_dup_zone', G('{ id = "B", name = "Zone B" }', '{ id = "A", name = "Zone B" }'))
run_sc('toml_dup_variant', GOOD + '\n[[variants]]\nname = "more"\nfertility = { tfr = 1.0 }\n')
run_sc('toml_dup_tfr_year', G('"2030" = 2.0', '"2030" = 2.0, "2030.0" = 3.0'))
run_sc('toml_crlf', GOOD.replace('\n', '\r\n'), expect='ok')
run_sc('toml_cr_only', GOOD.replace('\n', '\r'))
run_sc('toml_utf16', GOOD.encode('utf-16'))
run_sc('toml_utf16be_nobom', GOOD.encode('utf-16-be'))
run_sc('toml_bom_twice', b'\xef\xbb\xbf\xef\xbb\xbf' + GOOD.encode())
run_sc('toml_invalid_utf8_zone_name', G('name = "Zone A"', 'name = "Zone \udcff"').encode('utf-8', 'surrogateescape'))
run_sc('toml_overlong_utf8', G('name = "Zone A"', 'name = "Zone \udcc0\udcaf"').encode('utf-8', 'surrogateescape'))
run_sc('toml_surrogate_utf8', G('name = "Zone A"', 'name = "Zone \udced\udca0\udc80"').encode('utf-8',
                                                                                              'surrogateescape'))
run_sc('toml_escape_surrogate', G('name = "Zone A"', 'name = "Zone \\uD800"'))
run_sc('toml_zone_id_rtl', G('id = "A", name', 'id = "A\\u202e", name'))
run_sc('toml_empty', '')
run_sc('toml_only_bom', b'\xef\xbb\xbf')

# ---- table encodings
run_sc('csv_bom', GOOD, {'base.csv': b'\xef\xbb\xbf' + BASE.encode()}, expect='ok')
run_sc('csv_crlf', GOOD, {'base.csv': BASE.replace('\n', '\r\n')}, expect='same')
run_sc('csv_cr_only', GOOD, {'base.csv': BASE.replace('\n', '\r')}, expect='same')
run_sc('csv_utf16', GOOD, {'base.csv': BASE.encode('utf-16')})
run_sc('csv_invalid_utf8_zone', GOOD, {'base.csv': BASE.replace('A,female,0', 'A\udcff,female,0',
                                                                1).encode('utf-8', 'surrogateescape')})
run_sc('csv_dup_row', GOOD, {'base.csv': BASE + BASE.splitlines()[1] + '\n'})
run_sc('csv_dup_column', GOOD, {'base.csv': BASE.replace('zone,sex,age,population',
                                                         'zone,sex,age,population,population',
                                                         1).replace('\n', ',1\n').replace('population,1\n',
                                                                                          'population\n', 1)})
run_sc('csv_10mb_zone', GOOD, {'base.csv': BASE + 'Z' * 10_000_000 + ',female,0,1\n'})
run_sc('csv_10mb_header', GOOD, {'base.csv': 'h' * 10_000_000 + ',' + BASE})
run_sc('csv_unterminated_quote', GOOD, {'base.csv': BASE + '"A,female,0,1\n'})
run_sc('csv_zone_is_url', GOOD, {'base.csv': BASE + '%s/x,female,0,1\n' % URL})
run_sc('csv_formula_zone', GOOD, {'base.csv': BASE + '=cmd|\' /C calc\'!A0,female,0,1\n'})

# ---- signals (phase by delay; nothing partial may remain, exit 128+N or 1)
STO = open(os.path.join(FIX, 'stochastic.toml')).read().replace('trajectories = 5', 'trajectories = 20000')
for sig, delay in [('HUP', 0.3), ('HUP', 1.0), ('PIPE', 0.3), ('INT2', 0.3), ('STOPTERM', 0.3)]:
    case('sig_%s_%g' % (sig, delay), {'sc.toml': STO}, ['run', 'sc.toml', '--out', 'out', '--quiet'], 'signal',
         ('sig', sig, delay))
# Every other catchable terminating signal stops the run like SIGTERM (round 5; they killed it before).
for sig in ('QUIT', 'USR1', 'USR2', 'ALRM', 'VTALRM', 'XCPU', 'PROF'):
    case('sig_%s_0.3' % sig, {'sc.toml': STO}, ['run', 'sc.toml', '--out', 'out', '--quiet'], 'signal',
         ('sig', sig, 0.3))
# A signal that kills without asking (kill -9): the staging folder stays, and the next run must remove it.
for sig in ('KILL',):
    case('sig_%s_then_rerun' % sig, {'sc.toml': STO}, ['run', 'sc.toml', '--out', 'out', '--quiet'], 'killed',
         ('sig', sig, 0.3))
case('sig_stdout_closed', {'sc.toml': GOOD}, ['run', 'sc.toml', '--out', 'out'], 'any', ('closed_stdout',))
BIG = '\n'.join(l + ',' + ('n' * 4_000_000 if k else 'note') for k, l in enumerate(BASE.splitlines())) + '\n'
case('sig_INT_loading', {'sc.toml': GOOD, 'base.csv': BIG},  # a valid table of 40 MB: a note column of 4 MB a row
     ['run', 'sc.toml', '--out', 'out', '--quiet'], 'signal', ('sig', 'INT', 0.5))
case('sig_INT_report', {'sc.toml': GOOD}, ['run', 'sc.toml', '--out', 'out', '--quiet'], 'signal', ('sig', 'INT', 0.6))
case('sig_TERM_report', {'sc.toml': GOOD}, ['run', 'sc.toml', '--out', 'out', '--quiet'], 'signal',
     ('sig', 'TERM', 1.2))


def race(path, target, stop):
    tmp = path + '.swap'
    real = open(path, 'rb').read()
    while not stop.is_set():
        try:
            os.symlink(target, tmp); os.replace(tmp, path)
            time.sleep(0.0005)
            open(tmp, 'wb').write(real); os.replace(tmp, path)
            time.sleep(0.0005)
        except OSError:
            pass
    open(tmp, 'wb').write(real); os.replace(tmp, path)

ok_population = None
results = []
for c in cases:
    if ONLY and not any(c['name'].startswith(o) for o in ONLY):
        continue
    d = os.path.join(ROOT, c['name'])
    setup(d); make(d, c['files'])
    env = dict(os.environ); env.update(c['env'] or {})
    outer_before = {k: v for k, v in snapshot(ROOT).items() if not k.startswith(d + '/')}
    before = snapshot(d)
    hits_before = len(hits)
    t0 = time.time(); sp = c['special']; rc = None
    try:
        if sp and sp[0] == 'sig':
            sig, delay = sp[1], sp[2]
            pr = subprocess.Popen([EXE] + c['args'], cwd=d, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
            time.sleep(delay)
            if sig == 'INT2':
                pr.send_signal(signal.SIGINT); time.sleep(0.05); pr.send_signal(signal.SIGINT)
            elif sig == 'STOPTERM':
                pr.send_signal(signal.SIGSTOP); time.sleep(0.2); pr.send_signal(signal.SIGTERM)
                pr.send_signal(signal.SIGCONT)
            else:
                pr.send_signal(getattr(signal, 'SIG' + sig))
            out, err = pr.communicate(timeout=60); rc = pr.returncode
        elif sp and sp[0] == 'closed_stdout':
            r, w = os.pipe(); os.close(r)
            pr = subprocess.Popen([EXE] + c['args'], cwd=d, stdout=w, stderr=subprocess.PIPE, env=env)
            os.close(w)
            out = b''; err = pr.communicate(timeout=60)[1]; rc = pr.returncode
        elif sp and sp[0] == 'race':
            stop = threading.Event()
            th = threading.Thread(target=race, args=(os.path.join(d, sp[1]), sp[2], stop)); th.start()
            try:
                p = subprocess.run([EXE] + c['args'], cwd=d, capture_output=True, timeout=60, env=env)
            finally:
                stop.set(); th.join()
            rc, out, err = p.returncode, p.stdout, p.stderr
        else:
            p = subprocess.run([EXE] + c['args'], cwd=d, capture_output=True, timeout=60, env=env)
            rc, out, err = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        try: pr.kill(); pr.communicate()
        except Exception: pass
        rc, out, err = 'TIMEOUT', b'', (getattr(e, 'stderr', None) or b'')
    dt = time.time() - t0
    err_s = err.decode('utf-8', 'replace').strip()
    outname = c['out'] if c['out'] else 'out'
    outdir = os.path.normpath(os.path.join(d, outname)) if outname not in ('/', '.', '..') else None
    after = snapshot(d)
    # files that existed before and changed or vanished (inputs, foreign files), and new files outside --out
    problems = []
    for p, v in before.items():
        if p not in after: problems.append('DELETED %s' % os.path.relpath(p, ROOT))
        elif after[p] != v and not (outdir and p.startswith(outdir + '/')) and not (sp and sp[0] == 'race'):
            problems.append('CHANGED %s' % os.path.relpath(p, ROOT))
    newfiles = [p for p in after if p not in before and not (outdir and (p == outdir or p.startswith(outdir + '/')))
                and not (c['expect'] == 'killed' and '/out.tmp-' in p)]
    if newfiles: problems.append('WROTE OUTSIDE OUT %s' % [os.path.relpath(p, ROOT) for p in newfiles[:3]])
    outer_after = {k: v for k, v in snapshot(ROOT).items() if not k.startswith(d + '/')}
    if c['expect'] == 'trusted':
        outer_after = {k: v for k, v in outer_after.items() if not k.startswith(VICTIM + '/out/')}
    if outer_after != outer_before:
        problems.append('TOUCHED OUTSIDE '
                        'CASE %s' % sorted(set(outer_after) ^ set(outer_before) |
                                           {k for k in outer_before if outer_after.get(k) != outer_before[k]})[:3])
    wrote = outdir and os.path.isdir(outdir) and not os.path.islink(outdir) and os.listdir(outdir) and \
        c['name'] not in ('out_foreign_folder', 'out_foreign_manifest')
    if rc == 'TIMEOUT': problems.append('HANG')
    elif c['expect'] == 'signal':
        # 128 + N: the run stopped itself; a negative rc: the signal killed it (nothing cleaned up).
        if rc not in (1, 129, 130, 131, 138, 140, 141, 142, 143, 152, 154, 155) and rc != 0:
            problems.append('rc=%s' % rc)
        if rc in (-6, 134, -11, 139): problems.append('CORE/CRASH rc=%s' % rc)
        leftover = [x for x in os.listdir(d) if '.tmp-' in x or '.old-' in x]
        complete = wrote and os.path.exists(os.path.join(outdir, 'manifest.json'))
        if wrote and not complete: problems.append('PARTIAL OUTPUT')
        if leftover: problems.append('LEFTOVER %s' % leftover)
    elif c['expect'] == 'killed':
        if rc == 0: problems.append('NOT KILLED (run too short)')
        again = subprocess.run([EXE, 'run', 'sc.toml', '--out', 'out', '--quiet', '--trajectories', '2'], cwd=d,
                               capture_output=True, timeout=60)
        leftover = [x for x in os.listdir(d) if '.tmp-' in x or '.old-' in x]
        if again.returncode != 0 or leftover: problems.append('RERUN rc=%s LEFTOVER %s' % (again.returncode, leftover))
        newfiles = []
    elif rc not in (0, 1): problems.append('rc=%s' % rc)
    if c['expect'] == 'bad':
        if rc == 0: problems.append('ACCEPTED')
        if wrote: problems.append('WROTE OUTPUT')
        if rc == 1 and not err_s: problems.append('NO MESSAGE')
    if c['expect'] in ('ok', 'same') and rc != 0: problems.append('FAILED OK CASE')
    if c['expect'] == 'same' and rc == 0:
        pop = open(os.path.join(outdir, 'population.csv'),
                   'rb').read() if os.path.exists(os.path.join(outdir, 'population.csv')) else None
        if ok_population is not None and pop != ok_population: problems.append('DIFFERENT RESULTS')
    if c['name'] == 'ok_good' and rc == 0:
        ok_population = open(os.path.join(outdir, 'population.csv'), 'rb').read()
    if len(hits) != hits_before: problems.append('NETWORK ACCESS (%d connections)' % (len(hits) - hits_before))
    if re.search(r'root:x?:0:0|/bin/bash|/usr/sbin/nologin', err_s + out.decode('utf-8', 'replace')):
        problems.append('LEAKED /etc/passwd')
    if CRASHY.search(err_s):
        problems.append('CRASHY MESSAGE')
    if len(err_s) > 20000: problems.append('HUGE MESSAGE %d' % len(err_s))
    last = err_s.splitlines()[-1][:300] if err_s else ''
    results.append((c['name'], rc, problems))
    print('%-32s rc=%-7s %5.1fs %s\n    %s' % (c['name'], rc, dt, ' '.join(problems) or 'ok', last), flush=True)
NET.close()
print('\n%d cases, %d with problems' % (len(results), sum(1 for r in results if r[2])))
for r in results:
    if r[2]: print('PROBLEM', r[0], r[1], r[2])
