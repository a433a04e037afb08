#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Hostile-input probe of round 26 (helper h158), the command line: what rounds 3 to 25 did not try. (a) Whole
numbers of the scenario file written as fractions, booleans or in TOML's hex, octal and binary forms (`base_year =
2020.5`, `step = 5.0`, `open_age = 0x14`, a target's `year = 2030.5`, `years = [2021.5, 2025]`, `seed = 7.5`); numbers
at the edges (-0, nan, ±inf, 1e308) in keys no probe gave them (`radix`, `open_ax`, a flow's `female_share` and
`total_per_year`, a target's `min`, `mean_age`, `e0_gain_per_year`). (b) TOML's structure: a table made implicitly by a
dotted key and then declared, an inline table extended by a header, a table array and a table of one name, a 64 KiB
key, 100,000 assumptions, path separators and parent steps written as `\\u` escapes (`\\u002e\\u002e\\u002f`), the
division slash and the fullwidth solidus, a backslash, a path with a trailing space, `file:` paths. (c) CSV shapes: a
header with an empty column name, a trailing comma on every line, column names differing only in case, a quoted zone
id holding a line break, a quote left open at the end, a last row cut after its comma, a `;` file, NUL bytes inside a
quoted cell. (d) Tables of `[registers]` and `[monitoring]` with hostile dates, ages and values (a year past 2^63, 25
o'clock, 29 February of a common year, a mother aged 2^31, 1e308 persons observed, a tolerance of 1e308); network and
GDAL virtual file system paths in keys no probe gave them (`registers.births`, `monitoring.observed`, `[[services]]
capacity`, `[households]`, `gravity.centroids`, `od.rates`, `[stochastic] tfr_trajectories`). (e) The environment: time
zones far from UTC (register ages and rates must not change), `OGR_SQLITE_PRAGMA` and `OGR_SQLITE_JOURNAL` with a
GeoPackage table and zone source (nothing may be written beside them), `SHAPE_ENCODING` with an undeclared GBK
Shapefile (must still be refused, not read as Latin-1), `OSR_DEFAULT_AXIS_MAPPING_STRATEGY` and
`OGR_CT_FORCE_TRADITIONAL_GIS_ORDER` (same results), `GDAL_FILENAME_IS_UTF8=NO` with a Chinese file name,
`PROJ_AUX_DB` naming /etc/passwd, a FIFO and a listener's URL, `FONTCONFIG_FILE` naming a FIFO, /etc/passwd or a
missing file under `map`/`report`, `XDG_CACHE_HOME` a file. (f) Odd operands of every command: `info`, `report`,
`map` and `validate` of `''`, `/`, `.`, `--`; thread counts of 256 and 10^6 past the CPU count; `--seed -0`;
`estimate --years 2000:2000`. (g) Inputs changed while read: the scenario renamed over, a table's link swapped to
/etc/passwd in a loop (nothing of it may be quoted). (h) SIGPIPE (standard output a closed pipe) under `estimate`,
`backtest` and `report`; SIGHUP during `estimate` and `backtest`.
A case fails on a crash, a hang, an exit other than the expected, a message that does not match, a crash-like, huge
or raw-control message, a network connection, /etc/passwd quoted, a file written, changed or deleted outside the
output, results that differ where they must not, or staging folders left after an error.
Usage: PYTHONPATH=build/python /usr/bin/python3 tests/probe/hostile_round26.py [BUILD_DIR [WORK_DIR]] [PREFIX ...]"""
import os, shutil, signal, subprocess, sys, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe_common import (BT, EST, EST_FILES, FIX, MAP, OBS, RUN, RUNR, VAL, ZONES_GJ, CliProbe, changes, leftovers,
                          make, snapshot)

PROBE = CliProbe('cohortgis-hostile-probe26-')
ROOT, EXE, URL, ENV, LOG = PROBE.root, PROBE.exe, PROBE.url, PROBE.env, PROBE.log
record, wanted, cli = LOG.record, PROBE.wanted, PROBE.cli
PROBE.quoted = ('root', 'daemon', '/bin/bash', '/usr/sbin')
GOOD, INPUTS, SHARED = PROBE.good, PROBE.inputs, PROBE.shared
BASE, MX, ASFR = INPUTS['base.csv'], INPUTS['mx.csv'], INPUTS['asfr.csv']
G, BASEREF, ZSRC = PROBE.g, PROBE.baseref, PROBE.zsrc
with_results = PROBE.with_results  # res/ for `map` and `report` (probe_common.CliProbe.with_results)
make(SHARED, {'victim/thesis.txt': 'precious\n'})

NUM = r'base_year|horizon|step|open_age|year|seed|trajectories|whole|integer|number'


# --- (a) Whole numbers as fractions, booleans, hex; edge values in keys no probe tried -------------------------------
for label, old, new, expect in [
        ('base_year_half', 'base_year = 2020', 'base_year = 2020.5', 'bad'),
        ('base_year_float_whole', 'base_year = 2020', 'base_year = 2020.0', 'any'),
        ('base_year_hex', 'base_year = 2020', 'base_year = 0x7E4', 'ok'),
        ('horizon_octal', 'horizon = 2030', 'horizon = 0o3756', 'ok'),
        ('step_binary', 'step = 5', 'step = 0b101', 'ok'),
        ('step_float', 'step = 5', 'step = 5.0', 'any'),
        ('step_true', 'step = 5', 'step = true', 'bad'),
        ('open_age_half', 'open_age = 20', 'open_age = 20.5', 'bad'),
        ('open_age_1e308', 'open_age = 20', 'open_age = 1e308', 'bad'),
        ('horizon_half', 'horizon = 2030', 'horizon = 2030.5', 'bad'),
        ('target_year_half', 'year = 2030', 'year = 2030.5', 'bad'),
        ('flow_years_half', 'years = [2021, 2025]', 'years = [2021.5, 2025]', 'bad'),
        ('relocation_years_1e308', 'years = [2023, 2027]', 'years = [2023, 1e308]', 'bad'),
        ('target_max_neg_inf', 'max = 100000', 'max = -inf', 'bad'),
        ('target_min_inf', 'max = 100000', 'min = inf', 'bad'),
        ('target_max_neg_zero', 'max = 100000', 'max = -0.0', 'any'),
        ('flow_total_1e308', 'total_per_year = 100', 'total_per_year = 1e308', 'bad'),
        ('flow_total_nan', 'total_per_year = 100', 'total_per_year = nan', 'bad'),
        ('flow_female_share_nan', 'profile = "uniform", years = [2021',
         'profile = "uniform", female_share = nan, years = [2021', 'bad'),
        ('radix_nan', 'columns = { value = "mx" } }', 'columns = { value = "mx" } }\nradix = nan', 'bad'),
        ('radix_1e308', 'columns = { value = "mx" } }', 'columns = { value = "mx" } }\nradix = 1e308', 'bad'),
        ('open_ax_neg_zero', 'columns = { value = "mx" } }', 'columns = { value = "mx" } }\nopen_ax = -0.0', 'bad'),
        ('open_ax_inf', 'columns = { value = "mx" } }', 'columns = { value = "mx" } }\nopen_ax = inf', 'bad'),
        ('e0_gain_nan', 'columns = { value = "mx" } }',
         'columns = { value = "mx" } }\ne0_gain_per_year = { female = nan, male = 0.1 }', 'bad'),
        ('mean_age_neg_inf', 'srb = 105', 'srb = 105\nmean_age = -inf', 'bad'),
        ('tfr_year_key_hexlike', '"2030" = 2.0', '"0x7EE" = 2.0', 'bad'),
        ('plan_period_neg_zero', '"2021-2025" = "first"', '"-0-2025" = "first"', 'bad')]:
    cli('frac_%s' % label, VAL, toml=G(old, new), expect=expect, out=None,
        pattern=r'%s|expected|number|whole|year' % label.split('_')[0])

STO = open(os.path.join(FIX, 'stochastic.toml')).read()
for label, old, new in [('seed_half', 'seed = 7', 'seed = 7.5'), ('trajectories_half', 'trajectories = 5',
                                                                   'trajectories = 5.5'),
                        ('trajectories_float_huge', 'trajectories = 5', 'trajectories = 1e300')]:
    cli('frac_sto_%s' % label, VAL, toml=STO.replace(old, new), expect='bad', out=None,
        pattern=r'seed|trajectories')

# --- (b) TOML's structure ---------------------------------------------------------------------------------------------
cli('toml26_dotted_then_table', VAL, toml='projection.horizon = 2035\n' + GOOD, expect='bad', out=None,
    pattern=r'projection|sc\.toml')
cli('toml26_inline_table_extended', VAL, toml=G('[migration]', '[mortality.mx.columns]\nage = "age"\n\n[migration]'),
    expect='bad', out=None, pattern=r'mx|mortality|sc\.toml')
cli('toml26_table_array_and_table', VAL, toml=GOOD + '\n[variants]\nname = "x"\n', expect='bad', out=None,
    pattern=r'variants|sc\.toml')
cli('toml26_key_64k', VAL, toml=G('[projection]', '[projection]\n%s = 1' % ('k' * 65536)), expect='bad', out=None,
    pattern=r'unknown|projection')
cli('toml26_assumptions_100k', RUN, toml=G('name = "tiny"', 'name = "tiny"\nassumptions = [%s]' %
                                           ', '.join('"a%d"' % i for i in range(100000))), expect='any',
    pattern=r'assumptions')
cli('toml26_crlf_bom_nul_comment', VAL, toml=b'\xef\xbb\xbf' + GOOD.replace('\n', '\r\n').encode() + b'# x\x00y\r\n',
    expect='bad', out=None, pattern=r'sc\.toml|NUL|control')
for label, path, expect, files in [
        ('escaped_parent', '\\u002e\\u002e\\u002fbase.csv', 'bad', {}),
        ('escaped_slash_ok', 'sub\\u002fbase.csv', 'ok', {'sub/base.csv': BASE}),
        ('division_slash', '\\u2215etc\\u2215passwd', 'bad', {}),
        ('fullwidth_parent', '\\uff0e\\uff0e\\uff0fbase.csv', 'bad', {}),
        ('backslash', 'sub\\\\base.csv', 'bad', {'sub/base.csv': BASE}),
        ('trailing_space', 'base.csv ', 'bad', {}),
        ('leading_dot_slash_many', './' * 2000 + 'base.csv', 'any', {}),
        ('file_scheme_relative', 'file:base.csv', 'bad', {}),
        ('file_scheme_localhost', 'file://localhost/etc/passwd', 'bad', {}),
        ('escaped_absolute', '\\u002fetc\\u002fpasswd', 'bad', {})]:
    cli('path26_%s' % label, VAL, files, toml=BASEREF('"%s"' % path), expect=expect, out=None,
        pattern=r'base_population|base\.csv|passwd|outside|local')

# --- (c) CSV shapes ---------------------------------------------------------------------------------------------------
B_LINES = BASE.strip('\n').split('\n')
for label, text, expect in [
        ('empty_column_name', B_LINES[0] + ',\n' + '\n'.join(l + ',x' for l in B_LINES[1:]) + '\n', 'any'),
        ('trailing_comma', '\n'.join(l + ',' for l in B_LINES) + '\n', 'any'),
        ('case_twin_columns', B_LINES[0] + ',Population\n' + '\n'.join(l + ',5' for l in B_LINES[1:]) + '\n', 'any'),
        ('quoted_zone_newline', B_LINES[0] + '\n"A\nB",female,0,10\n' + '\n'.join(B_LINES[1:]) + '\n', 'bad'),
        ('open_quote_at_end', BASE + '"B,female,0,10\n', 'bad'),
        ('cut_after_comma', BASE.rstrip('\n') + '\nB,female,0,', 'bad'),
        ('semicolons', BASE.replace(',', ';'), 'any'),  # GDAL's CSV reader takes `;` when the header has it
        ('nul_in_quoted_cell', BASE + 'B,"fe\x00male",0,10\n', 'bad'),
        ('only_commas_row', BASE + ',,,\n', 'bad'),
        ('quoted_number_spaces', BASE + 'B,female,0," 1e3 "\n', 'any'),
        ('plus_sign_count', BASE + 'B,female,20,+10\n', 'any'),
        ('hex_count', BASE + 'B,female,20,0x10\n', 'bad')]:
    # A second row for a cell is an error, so the added rows are new cells where they can be.
    cli('csv26_%s' % label, RUN, {'base.csv': text}, expect=expect, pattern=r'base\.csv')
cli('csv26_semicolons_decimal_comma', RUN, {'mx.csv': MX.replace(',', ';').replace('0.0', '0,0')}, expect='bad',
    pattern=r'mx\.csv')

# --- (d) [registers] and [monitoring] with hostile values ------------------------------------------------------------
REG = G('[plan_periods]', '[registers]\nbirths = { path = "b.csv", columns = { date = "born", mother_age = "age", '
        'zone = "zone" } }\n\n[plan_periods]')
for label, row, expect in [
        ('feb29_common_year', '2019-02-29,28,A', 'bad'),
        ('feb29_leap_year', '2020-02-29,28,A', 'ok'),
        ('hour_25', '2020-05-01T25:00,28,A', 'bad'),
        ('year_2p63', '9223372036854775808-01-01,28,A', 'bad'),
        ('year_zero', '0000-01-01,28,A', 'bad'),
        ('negative_year', '-2020-01-01,28,A', 'bad'),
        ('age_2p31', '2020-05-01,2147483648,A', 'bad'),
        ('age_negative', '2020-05-01,-1,A', 'bad'),
        ('age_nan', '2020-05-01,nan,A', 'bad'),
        ('age_fraction', '2020-05-01,28.5,A', 'bad'),
        ('offset_99', '2020-05-01T10:00+99:99,28,A', 'bad'),
        ('last_second', '2020-12-31T23:59:60,28,A', 'any'),
        ('fullwidth_date', '\uff12\uff10\uff12\uff10-05-01,28,A', 'bad'),
        ('minute_60', '2020-05-01 10:60,28,A', 'bad'),
        ('pm_13', '2020-05-01 13:00 PM,28,A', 'bad'),
        ('hour_24_new_year', '2020-12-31T24:00,28,A', 'bad')]:
    cli('reg_%s' % label, RUN, {'b.csv': 'born,age,zone\n2020-03-01,30,B\n' + row + '\n'}, toml=REG, expect=expect,
        pattern=r'b\.csv')
MON = G('[plan_periods]', '[monitoring]\nobserved = "o.csv"\nwhole_area = "900000"\n'
        'names = { population_resident = "population" }\n%s\n[plan_periods]')
OH = 'year,zone,indicator,value,unit\n'
for label, rows, extra, expect in [
        ('value_1e308', '2025,900000,population_resident,1e308,persons\n', '', 'bad'),
        ('value_neg_zero', '2025,900000,population_resident,-0,persons\n', '', 'any'),
        ('value_overflow_in_unit', '2025,900000,population_resident,1e306,10k persons\n', '', 'bad'),
        ('year_fraction', '2025.5,900000,population_resident,10000,persons\n', '', 'bad'),
        ('empty_unit', '2025,900000,population_resident,10000,\n', '', 'bad'),
        ('tolerance_1e308', '2025,900000,population_resident,10000,persons\n',
         'tolerances = { population_resident = { relative = 1e308 } }', 'any'),
        ('tolerance_neg_zero', '2025,900000,population_resident,10000,persons\n',
         'tolerances = { population_resident = { absolute = -0.0 } }', 'any'),
        ('fitted_twice', '2025,900000,population_resident,10000,persons\n',
         'fitted = { population_resident = [2025, 2025] }', 'any'),
        ('whole_area_empty', '2025,,population_resident,10000,persons\n', '', 'bad'),
        ('zone_cell_empty', '2025,,population_resident,10000,persons\n', '', 'bad')]:
    toml = MON % extra
    if label == 'whole_area_empty':
        toml = toml.replace('whole_area = "900000"', 'whole_area = ""')
    if label == 'zone_cell_empty':  # no whole_area: an empty zone cell matched the empty default
        toml = toml.replace('whole_area = "900000"\n', '')
    cli('mon26_%s' % label, RUN, {'o.csv': OH + rows}, toml=toml, expect=expect,
        pattern=r'o\.csv|monitoring|whole_area')

# Network and virtual file system paths in keys no probe gave them: refused before anything is opened.
NET_KEYS = [
    ('registers_births', lambda p: G('[plan_periods]', '[registers]\nbirths = { path = "%s", columns = { date = "d", '
                                     'mother_age = "a", zone = "z" } }\n\n[plan_periods]' % p)),
    ('monitoring_observed', lambda p: G('[plan_periods]', '[monitoring]\nobserved = "%s"\nwhole_area = "9"\n\n'
                                        '[plan_periods]' % p)),
    ('services_capacity', lambda p: G('[plan_periods]', '[[services]]\nname = "school"\nages = [5, 14]\n'
                                      'per_person = 1\ncapacity = "%s"\n\n[plan_periods]' % p)),
    ('gravity_centroids', lambda p: G('flows = [', 'gravity = { out_rate = 0.01, centroids = "%s", distance_decay = 1 }'
                                      '\nflows = [' % p)),
    ('od_rates', lambda p: G('flows = [', 'od = { rates = "%s" }\nflows = [' % p)),
    ('zones_table', lambda p: G('zones = [ { id = "A", name = "Zone A" }, { id = "B", name = "Zone B" } ]',
                                'zones = "%s"' % p)),
]
for key, make_toml in NET_KEYS:
    for label, path in [('vsicurl', '/vsicurl/%s/t.csv' % URL), ('vsigzip_vsis3', '/vsigzip//vsis3/b/t.csv.gz')]:
        cli('netkey_%s_%s' % (key, label), VAL, toml=make_toml(path), expect='bad', out=None,
            pattern=r'local file|virtual file|outside|URL')
STO_NET = STO.replace('tfr = { sd = 0.1, ar1 = 0.8 }', 'tfr_trajectories = "/vsicurl/%s/t.csv"' % URL)
cli('netkey_stochastic_tfr_trajectories', VAL, toml=STO_NET, expect='bad', out=None,
    pattern=r'local file|virtual file|URL')


# --- (e) The environment ----------------------------------------------------------------------------------------------
def same_as_plain(files, args):
    """post(): the same bytes in `files` (under out/) as a twin folder run without the case's environment."""
    def post(d, rc):
        if rc != 0:
            return []
        twin = d + '-plain'
        shutil.copytree(d, twin, ignore=shutil.ignore_patterns('out'), symlinks=True)
        subprocess.run([EXE] + args, cwd=twin, env=ENV, capture_output=True, timeout=300)
        bad = []
        for f in files:
            a, b = os.path.join(d, 'out', f), os.path.join(twin, 'out', f)
            if not os.path.exists(a) or not os.path.exists(b) or open(a, 'rb').read() != open(b, 'rb').read():
                bad.append('DIFFERS FROM THE PLAIN RUN: ' + f)
        return bad
    return post


REG_FILES = {'b.csv': 'born,age,zone\n2020-01-01,30,A\n2020-12-31,25,B\n2020-06-30,22,A\n'}
for tz in ('Pacific/Kiritimati', 'Pacific/Pago_Pago', 'UTC+25', 'Asia/Kathmandu'):
    cli('tz_%s_registers' % tz.replace('/', '_').replace('+', 'p'), RUN, REG_FILES, toml=REG, env={'TZ': tz},
        expect='ok', post=same_as_plain(['register_rates.csv', 'register_observed.csv', 'population.csv'], RUN))


def gpkg_base(d):
    subprocess.run(['ogr2ogr', '-q', '-f', 'GPKG', os.path.join(d, 'base.gpkg'), os.path.join(d, 'base.csv'),
                    '-nln', 'base', '-oo', 'AUTODETECT_TYPE=YES'], check=True, capture_output=True)


def gpkg_zones(d):
    subprocess.run(['ogr2ogr', '-q', '-f', 'GPKG', os.path.join(d, 'z.gpkg'), os.path.join(d, 'zones.geojson')],
                   check=True, capture_output=True)


GPKG_TOML = BASEREF('{ path = "base.gpkg", layer = "base" }')
for label, env in [('pragma_wal', {'OGR_SQLITE_PRAGMA': 'journal_mode=WAL'}),
                   ('pragma_writable_schema', {'OGR_SQLITE_PRAGMA': 'writable_schema=ON,journal_mode=DELETE'}),
                   ('pragma_huge_cache', {'OGR_SQLITE_PRAGMA': 'cache_size=-1000000000,mmap_size=1099511627776'}),
                   ('journal_wal', {'OGR_SQLITE_JOURNAL': 'WAL'}),
                   ('integrity_check', {'OGR_GPKG_INTEGRITY_CHECK': 'YES', 'OGR_SQLITE_CACHE': '100000'})]:
    cli('env_sqlite_%s_table' % label, RUN, {}, toml=GPKG_TOML, pre=gpkg_base, env=env, expect='ok',
        post=same_as_plain(['population.csv'], RUN))
    cli('env_sqlite_%s_zones' % label, VAL, {'zones.geojson': ZONES_GJ}, toml=ZSRC('z.gpkg'), pre=gpkg_zones,
        env=env, expect='ok', out=None)

GBK_NAMES = ('\u5317\u4eac', '\u4e0a\u6d77')  # 北京, 上海


def gbk_shapefile(d):
    """zones.shp/.dbf/.shx of A and B whose names are GBK bytes, with no .cpg (undeclared)."""
    src = os.path.join(d, 'named.geojson')
    text = ZONES_GJ.replace('"id":"A"', '"id":"A","name":"%s"' % GBK_NAMES[0]).replace(
        '"id":"B"', '"id":"B","name":"%s"' % GBK_NAMES[1])
    open(src, 'w', encoding='utf-8').write(text)
    subprocess.run(['ogr2ogr', '-q', '-f', 'ESRI Shapefile', os.path.join(d, 'zones.shp'), src, '-lco', 'ENCODING=GBK'],
                   check=True, capture_output=True)
    for ext in ('cpg', 'CPG'):
        p = os.path.join(d, 'zones.' + ext)
        if os.path.exists(p):
            os.remove(p)
    os.remove(src)
    with open(os.path.join(d, 'zones.dbf'), 'r+b') as f:  # language driver id 0: no code page declared either
        f.seek(29)
        f.write(b'\x00')


SHP_TOML = ZSRC('zones.shp', 'name_field = "name"')
for enc in ('CP1252', 'ISO-8859-1', 'UTF-8'):
    cli('env_shape_encoding_%s_gbk_undeclared' % enc.replace('-', '_').lower(), VAL, toml=SHP_TOML, pre=gbk_shapefile,
        env={'SHAPE_ENCODING': enc}, expect='bad', out=None, pattern=r'UTF-8|encoding|GBK')
cli('env_shape_encoding_declared_gbk_ok', VAL, toml=ZSRC('zones.shp', 'name_field = "name"\nencoding = "GBK"'),
    pre=gbk_shapefile, env={'SHAPE_ENCODING': 'CP1252'}, expect='ok', out=None)

ZG = ZSRC('zones.geojson')
for label, env in [('osr_authority', {'OSR_DEFAULT_AXIS_MAPPING_STRATEGY': 'AUTHORITY_COMPLIANT'}),
                   ('ct_not_traditional', {'OGR_CT_FORCE_TRADITIONAL_GIS_ORDER': 'NO',
                                           'OSR_DEFAULT_AXIS_MAPPING_STRATEGY': 'AUTHORITY_COMPLIANT'})]:
    cli('env_axis_%s_run' % label, RUN + ['--format', 'csv'], {'zones.geojson': ZONES_GJ}, toml=ZG, env=env,
        expect='ok', post=same_as_plain(['population.csv', 'zones.csv'], RUN + ['--format', 'csv']))
cli('env_filename_not_utf8', RUN, {'\u4eba\u53e3.csv': BASE}, toml=BASEREF('"\u4eba\u53e3.csv"'),
    env={'GDAL_FILENAME_IS_UTF8': 'NO', 'LC_ALL': 'C'}, expect='ok')


def fifo_at(name):
    return lambda d: os.mkfifo(os.path.join(d, name))


for label, value, pre in [('passwd', '/etc/passwd', None), ('url', URL + '/aux.db', None),
                          ('fifo', 'aux.fifo', fifo_at('aux.fifo'))]:
    cli('env_proj_aux_db_%s_report' % label, RUNR, {'zones.geojson': ZONES_GJ}, toml=ZG,
        env={'PROJ_AUX_DB': value}, expect='any', pre=pre, timeout=90, pattern=r'PROJ|aux|CRS')
for label, value, pre in [('fifo', 'fc.fifo', fifo_at('fc.fifo')), ('passwd', '/etc/passwd', None),
                          ('missing', '/nonexistent-probe26/fonts.conf', None)]:
    cli('env_fontconfig_file_%s_map' % label, MAP + ['--out', 'm.png'], pre=lambda d, p=pre: (with_results(d),
                                                                                            p and p(d)),
        env={'FONTCONFIG_FILE': value}, expect='any', out='m.png', timeout=90, pattern=r'font|FONTCONFIG')
cli('env_xdg_cache_is_file_report', ['report', 'res'], pre=with_results, env={'XDG_CACHE_HOME': '/etc/hostname'},
    expect='ok', out='res', timeout=120)

# --- (f) Odd operands of every command --------------------------------------------------------------------------------
for label, args in [('info_empty', ['info', '']), ('info_root', ['info', '/']), ('info_dot', ['info', '.']),
                    ('info_double_dash', ['info', '--']), ('report_empty', ['report', '']),
                    ('report_root', ['report', '/']), ('report_dot', ['report', '.']),
                    ('map_root', ['map', '/', '--year', '2025', '--out', 'm.png']),
                    ('map_dot', ['map', '.', '--year', '2025', '--out', 'm.png']),
                    ('validate_empty', ['validate', '']), ('validate_root', ['validate', '/']),
                    ('validate_results_root', ['validate', 'sc.toml', '--results', '/']),
                    ('backtest_observed_empty', ['backtest', 'sc.toml', '--observed', '', '--out', 'out']),
                    ('estimate_years_same', EST[:5] + ['--years', '2000:2000', '--out', 'out']),
                    ('estimate_years_backwards', EST[:5] + ['--years', '2010:2000', '--out', 'out']),
                    ('estimate_first_empty', ['estimate', '--first', '', '--second', 'c2.csv', '--years', '2000:2010',
                                              '--out', 'out'])]:
    cli('operand_%s' % label, args, EST_FILES, expect='bad', out=None, timeout=30,
        pattern=r"''|/|\.|--|results|scenario|years|observed|first|folder|empty")
cli('operand_threads_256_run', RUN + ['--threads', '256'], expect='ok')
cli('operand_threads_1e6_run', RUN + ['--threads', '1000000'], expect='bad', pattern=r'threads')
cli('operand_threads_256_validate', VAL + ['--threads', '256'], expect='ok', out=None)
cli('operand_threads_1e6_backtest', BT + ['--threads', '2000000'], {'obs.csv': OBS}, expect='bad',
    pattern=r'threads')
cli('operand_seed_neg_zero', RUN + ['--trajectories', '3', '--seed', '-0'], expect='any', pattern=r'seed')
cli('operand_variant_empty', RUN + ['--variant', ''], expect='bad', pattern=r'variant')
cli('operand_lang_dash', RUN + ['--lang', '-'], expect='bad', pattern=r'lang')


# --- (g) Inputs changed while read ------------------------------------------------------------------------------------
def swapper(d, link, targets, stop):
    """Swaps the link `link` in d between targets until stop is set (rename over it: never missing)."""
    i = 0
    p = os.path.join(d, link)
    while not stop.is_set():
        tmp = p + '.swap'
        try:
            os.symlink(targets[i % len(targets)], tmp)
            os.replace(tmp, p)
        except OSError:
            pass
        i += 1


def race_case(name, args, link, targets, runs=15, toml=GOOD, files=None):
    """`cohortgis ARGS` run `runs` times while a thread swaps `link` between targets (the first, under real/, is
    the file as it should be): every run exits 0 or 1 with a message, nothing of /etc/passwd (or SHARED's secret) is
    quoted, nothing outside out/ changes."""
    if not wanted(name):
        return
    d = os.path.join(ROOT, 'cases', name)
    make(d, dict(INPUTS, **{'sc.toml': toml, 'real/base.csv': BASE}))
    make(d, files or {})
    if os.path.lexists(os.path.join(d, link)):
        os.remove(os.path.join(d, link))
    os.symlink(targets[0], os.path.join(d, link))
    names = set(os.listdir(d)) | {link + '.swap'}
    before = snapshot(SHARED)
    stop = threading.Event()
    t = threading.Thread(target=swapper, args=(d, link, targets, stop))
    t.start()
    probs, outcomes = [], {}
    t0 = time.time()
    try:
        for _ in range(runs):
            rc, o, err, secs, rss = PROBE.run([EXE] + args, d, timeout=60)
            outcomes[rc] = outcomes.get(rc, 0) + 1
            if rc not in (0, 1):
                probs.append('EXIT %d' % rc)
            if rc == 1 and not err.strip():
                probs.append('NO MESSAGE')
            if any(("'%s'" % w) in err or ('"%s"' % w) in err for w in PROBE.quoted) or 'root:x' in err + o or \
                    'SECRET' in err + o:
                probs.append('QUOTED /etc/passwd')
    finally:
        stop.set()
        t.join()
    probs += changes(before, snapshot(SHARED)) + [x for x in leftovers(d, names)]
    record(name, not probs, ('; '.join(sorted(set(probs))) + ' | ' if probs else '') +
           '%.1f s, exits %s' % (time.time() - t0, outcomes))


race_case('race_link_swap_passwd_validate', VAL, 'base.csv', ['real/base.csv', '/etc/passwd'])
race_case('race_link_swap_outside_run', RUN, 'base.csv', ['real/base.csv', os.path.join(SHARED, 'victim/thesis.txt')],
          runs=8)
make(SHARED, {'secret.geojson': ZONES_GJ.replace('"id":"A"', '"id":"SECRET_A"')})
race_case('race_link_swap_zone_source_validate', VAL, 'zones.geojson',
          ['real/zones.geojson', os.path.join(SHARED, 'secret.geojson')], toml=ZSRC('zones.geojson'),
          files={'real/zones.geojson': ZONES_GJ})


def rename_scenario_later(d):
    """A thread that renames a different scenario over sc.toml 0.2 s from now (while the run loads it)."""
    make(d, {'other.toml': G('horizon = 2030', 'horizon = 2035')})
    threading.Timer(0.2, lambda: os.replace(os.path.join(d, 'other.toml'), os.path.join(d, 'sc.toml'))).start()


def scenario_hash_matches(d, rc):
    """The manifest's SHA-256 of sc.toml is that of the text the results come from (horizon 2035 or 2030)."""
    if rc != 0:
        return []
    import hashlib, json
    used = GOOD.replace('horizon = 2030', 'horizon = 2035') if ',2035,' in open(
        os.path.join(d, 'out', 'population.csv')).read() else GOOD
    m = json.load(open(os.path.join(d, 'out', 'manifest.json')))
    rec = [i.get('sha256') for i in m.get('inputs', []) if os.path.basename(i.get('path', '')) == 'sc.toml']
    want = hashlib.sha256(used.encode()).hexdigest()
    return [] if rec == [want] else ['MANIFEST RECORDS ANOTHER SCENARIO THAN THE ONE RUN: %s' % rec]


cli('race_scenario_renamed_over', RUN, pre=rename_scenario_later, expect='ok', allowed=('sc.toml', 'other.toml'),
    post=scenario_hash_matches)


# --- (h) SIGPIPE and SIGHUP in commands no probe sent them to --------------------------------------------------------
def piped_case(name, args, expect, files=None, pre=None, out='out'):
    """`cohortgis ARGS | head -c1` (standard output a pipe whose reader leaves after one byte)."""
    if not wanted(name):
        return
    d = os.path.join(ROOT, 'cases', name)
    make(d, dict(INPUTS, **{'sc.toml': GOOD}))
    make(d, files or {})
    if pre:
        pre(d)
    names = set(os.listdir(d))
    before = dict(snapshot(d), **snapshot(SHARED))
    t0 = time.time()
    cmd = ' '.join("'%s'" % a for a in [EXE] + args) + ' | head -c1 >/dev/null; echo "${PIPESTATUS[0]}" >&2'
    r = subprocess.run(['bash', '-c', cmd], cwd=d, env=ENV, capture_output=True, text=True, timeout=300)
    lines = r.stderr.strip().splitlines()
    rc = int(lines[-1]) if lines and lines[-1].isdigit() else -1
    err = '\n'.join(lines[:-1])
    extra = changes(before, dict(snapshot(d), **snapshot(SHARED)), [os.path.join(d, out)] if rc == 0 else []) + \
        leftovers(d, names)
    LOG.check(name, rc, '', err, time.time() - t0, 0, expect, None, extra)


piped_case('pipe26_estimate', EST, (0, 141), EST_FILES)
piped_case('pipe26_backtest', BT[:-2], (0, 141), {'obs.csv': OBS})
piped_case('pipe26_report', ['report', 'res'], (0, 141), pre=with_results, out='res')
piped_case('pipe26_map', MAP + ['--out', 'm.png'], (0, 141), pre=with_results, out='m.png')


def caught(pid, sig):
    """Whether process pid catches sig (its handlers are installed), from /proc/PID/status."""
    try:
        for line in open('/proc/%d/status' % pid):
            if line.startswith('SigCgt:'):
                return bool(int(line.split()[1], 16) >> (int(sig) - 1) & 1)
    except (OSError, ValueError):
        pass
    return False


def hup_case(name, args, at, files=None, pre=None, out='out'):
    """SIGHUP `at` seconds after cohortgis installed its handlers: exit 0 (done first) or 129, nothing left behind
    (a signal before the handlers ends it by the default action, as rounds 19 and 20 left it)."""
    if not wanted(name):
        return
    d = os.path.join(ROOT, 'cases', name)
    make(d, dict(INPUTS, **{'sc.toml': GOOD}))
    make(d, files or {})
    if pre:
        pre(d)
    names = set(os.listdir(d))
    before = dict(snapshot(d), **snapshot(SHARED))
    t0 = time.time()
    p = subprocess.Popen([EXE] + args, cwd=d, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         stdin=subprocess.DEVNULL)
    armed, sent, rc = None, False, None
    while rc is None:
        if armed is None and caught(p.pid, signal.SIGHUP):
            armed = time.time()
        if armed and not sent and time.time() - armed >= at:
            p.send_signal(signal.SIGHUP)
            sent = True
        if time.time() - t0 > 120:
            p.kill()
            p.wait()
            rc = 124
            break
        rc = p.poll()
        time.sleep(0.005)
    o, err = (x.decode('utf-8', 'replace') for x in p.communicate())
    extra = changes(before, dict(snapshot(d), **snapshot(SHARED)), [os.path.join(d, out)] if rc == 0 else []) + \
        leftovers(d, names)
    LOG.check(name, rc, o, err, time.time() - t0, 0, (0, 129), None, extra)


for at in (0.0, 0.1, 0.4):
    hup_case('hup26_estimate_%dms' % (at * 1000), EST, at, EST_FILES)
    hup_case('hup26_backtest_%dms' % (at * 1000), BT[:-1], at, {'obs.csv': OBS})

PROBE.finish()
