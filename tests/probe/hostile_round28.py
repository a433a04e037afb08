#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Hostile-input probe of round 28 (helper h176), the command line: the options and tables rounds 3 to 27 gave the
fewest cases. (a) `run`'s output options no probe gave: `--csv-bom` (with netcdf, then `report`, `map`, `info` and
`validate --results` on its results), `--no-write-thread` and `--no-direct-chunks` (the same files as without them),
`--no-results-nc-hash` (a truncated results.nc then read by `info` and `report`), `--indicators-csv`, `--compress`,
`--components` spelt with a trailing comma, a space, capitals, `all`/`none` with others, 100,000 names; options that
do nothing for the run asked for (`--no-results-nc-hash`/`--no-direct-chunks` with `--format csv`, `--seed` without
an ensemble), `--lang` with `--no-report`. (b) `estimate --levels --asfr-filter` (no `=`, no column, an unknown
column, no row kept, a line break, 10,000 of them) and `--mx-filter`/`--asfr-filter` without the table they filter,
or given to another form. (c) `estimate` inputs through indirection: `--registry` and crosswalks as a FIFO, a folder,
a link to /etc/passwd, `/proc/self/environ`, an OGR VRT naming /etc/passwd, a PAM `.aux.xml` with an external entity,
a `.csvt` retyping the counts, UTF-16 and GBK text. (d) `info --encoding` on sources whose text is UTF-8 by their
format (GeoPackage, GeoJSON), `--layer` with SQL quotes or an index; Shapefile sidecars (`.cpg` as a FIFO, a link to
/proc/self/environ or naming UTF-16, garbage `.sbn`/`.sbx`, `.shp.xml` with an external entity); GeoPackages with a
future `user_version`, a foreign `application_id`, `gpkg_data_columns` constraints. (e) `map` `--group`, `--classes`,
`--percent`, `--period` and `--variant` values no probe gave. (f) `backtest` given `run`'s output options. (g)
`--allow-read` a file, a FIFO, missing, a link to a folder outside, 10,000 times; `--allow-db` names with spaces, `=`
or empty, `db:` paths with `..`, `PGSERVICEFILE` at /etc/passwd. (h) `[fertility]` parity tables (`parity_rates`,
`parity_progression`, `parity_base`, `srb_by_order`), which no probe gave hostile values: NaN, ±inf, −0, subnormal,
1e308, rates past 1, ratios past 2/3, parities `4`, `-1`, `3 +`, ages past int, shares not summing to 1, women not
summing to the base, duplicate keys, keys of `srb_by_order` missing or unknown. (i) `--out` raced: made a link to a
user's folder, a user's file or a user's folder with a file while the run projects. (j) SIGTERM and SIGINT under
`--no-write-thread` and `--compress`.
A case fails on a crash, a hang, an exit other than the expected, a message that does not match (file, key, row or
option named), a crash-like or huge message, /etc/passwd quoted, a network connection, a file written, changed or
deleted outside the output, or staging folders left after an error.
Usage: PYTHONPATH=build/python /usr/bin/python3 tests/probe/hostile_round28.py [BUILD_DIR [WORK_DIR]] [PREFIX ...]"""
import os, shutil, sqlite3, subprocess, sys, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe_common import (BT, EST, EST_FILES, FIX, OBS, RUN, RUNR, VAL, ZONES_GJ, CliProbe, changes, leftovers, make,
                          snapshot)

PROBE = CliProbe('cohortgis-hostile-probe28-')
ROOT, EXE, URL, ENV, LOG = PROBE.root, PROBE.exe, PROBE.url, PROBE.env, PROBE.log
record, wanted, cli = LOG.record, PROBE.wanted, PROBE.cli
PROBE.quoted = ('root', 'daemon', '/bin/bash', '/usr/sbin')
GOOD, INPUTS, SHARED, G, ZSRC = PROBE.good, PROBE.inputs, PROBE.shared, PROBE.g, PROBE.zsrc
make(SHARED, {'victim/thesis.txt': 'precious\n', 'tables/base.csv': INPUTS['base.csv'],
              'reg.csv': 'code,registered\n110101,900\n'})
STO = open(os.path.join(FIX, 'stochastic.toml')).read()
BOM = b'\xef\xbb\xbf'


def then(*commands, want_rc=0):
    """post(): after an exit 0, each command (words after `cohortgis`) run in the case folder must exit want_rc."""
    def post(d, rc):
        if rc != 0:
            return []
        bad = []
        for c in commands:
            r = PROBE.run([EXE] + list(c), d, timeout=120)
            if r[0] != want_rc:
                bad.append('THEN %s: exit %d %s' % (' '.join(c[:2]), r[0], r[2].strip()[-150:]))
        return bad
    return post


def same_files(args, files):
    """post(): after an exit 0, `files` under out/ are byte for byte those of a run of `args` into out-plain/."""
    def post(d, rc):
        if rc != 0:
            return []
        PROBE.run([EXE] + args, d, timeout=300)
        bad = []
        for f in files:
            a, b = os.path.join(d, 'out', f), os.path.join(d, 'out-plain', f)
            if not os.path.isfile(a) or not os.path.isfile(b) or open(a, 'rb').read() != open(b, 'rb').read():
                bad.append('DIFFERS: ' + f)
        shutil.rmtree(os.path.join(d, 'out-plain'), ignore_errors=True)
        return bad
    return post


def starts_with_bom(*names):
    def post(d, rc):
        return [] if rc != 0 else ['NO BOM: ' + n for n in names
                                   if not open(os.path.join(d, 'out', n), 'rb').read(3) == BOM]
    return post


# --- (a) run's output options ----------------------------------------------------------------------------------------
ZTOML = ZSRC('zones.geojson')
ZFILES = {'zones.geojson': ZONES_GJ}
cli('opt28_nc_hash_with_format_csv', RUN + ['--no-results-nc-hash', '--format', 'csv'],
    pattern=r'--no-results-nc-hash.*--format csv')
cli('opt28_direct_chunks_with_format_csv', RUN + ['--no-direct-chunks', '--format', 'csv'],
    pattern=r'--no-direct-chunks.*--format csv')
cli('opt28_seed_without_ensemble', RUN + ['--seed', '5'], pattern=r'--seed.*trajectories')
cli('opt28_seed_with_trajectories', RUN + ['--seed', '5', '--trajectories', '3'], toml=STO, expect='ok')
cli('opt28_seed_stochastic_scenario', RUN + ['--seed', '2147483647'], toml=STO, expect='ok')
cli('opt28_compress_with_format_csv', RUN + ['--compress', '--format', 'csv'], pattern=r'--compress')
cli('opt28_csv_bom_netcdf', RUN + ['--csv-bom', '--format', 'netcdf'], expect='ok',
    post=starts_with_bom('plan_periods.csv', 'zones.csv'))
cli('opt28_csv_bom_then_report', RUNR + ['--csv-bom'], ZFILES, toml=ZTOML, expect='ok', timeout=180,
    post=then(['report', 'out', '--lang', 'en']))
cli('opt28_csv_bom_then_map', RUNR + ['--csv-bom'], ZFILES, toml=ZTOML, expect='ok', timeout=180,
    post=then(['map', 'out', '--year', '2025', '--indicator', 'tfr', '--out', 'out/t.png']))
cli('opt28_csv_bom_then_map_period', RUNR + ['--csv-bom'], ZFILES, toml=ZTOML, expect='ok', timeout=180,
    post=then(['map', 'out', '--period', '2021-2025', '--indicator', 'growth_rate_percent', '--out', 'out/p.png']))
cli('opt28_csv_bom_then_validate', RUN + ['--csv-bom'], expect='ok', post=then(['validate', 'sc.toml', '--results',
                                                                               'out']))
cli('opt28_csv_bom_then_info', RUN + ['--csv-bom', '--format', 'both'], expect='ok', post=then(['info', 'out']))
cli('opt28_no_write_thread_same_files', RUN + ['--no-write-thread', '--format', 'both'], expect='ok',
    post=same_files(RUN[:3] + ['out-plain', '--quiet', '--no-report', '--format', 'both'],
                    ['population.csv', 'indicators.csv', 'components.csv']))
cli('opt28_no_write_thread_stochastic', RUN + ['--no-write-thread', '--trajectories', '50'], toml=STO, expect='ok',
    post=same_files(RUN[:3] + ['out-plain', '--quiet', '--no-report', '--trajectories', '50'],
                    ['population.csv', 'quantiles.csv', 'probabilities.csv']))
cli('opt28_all_writer_flags', RUN + ['--format', 'both', '--compress', '--no-direct-chunks', '--no-write-thread',
                                     '--no-results-nc-hash', '--indicators-csv', '--csv-bom'], expect='ok',
    post=then(['info', 'out'], ['validate', 'sc.toml', '--results', 'out']))


def truncate_nc_then(*commands):
    """post(): results.nc (listed by size only) cut by a byte: each command exits 1, and `validate --results` warns
    (exit 0, docs/cli.md) naming results.nc."""
    def post(d, rc):
        if rc != 0:
            return []
        nc = os.path.join(d, 'out', 'results.nc')
        os.truncate(nc, os.path.getsize(nc) - 1)
        r = PROBE.run([EXE, 'validate', 'sc.toml', '--results', 'out'], d, timeout=120)
        warned = [] if r[0] == 0 and 'results.nc' in r[2] else ['VALIDATE --results: exit %d %s' % (r[0], r[2][-150:])]
        return then(*commands, want_rc=1)(d, 0) + warned
    return post


cli('opt28_no_nc_hash_truncated_info', RUNR + ['--format', 'netcdf', '--no-results-nc-hash'], ZFILES, toml=ZTOML,
    expect='ok', timeout=180, post=truncate_nc_then(['info', 'out'], ['report', 'out']))
cli('opt28_indicators_csv_netcdf', RUN + ['--format', 'netcdf', '--indicators-csv'], expect='ok',
    post=lambda d, rc: [] if rc or os.path.isfile(os.path.join(d, 'out/indicators.csv')) else ['NO indicators.csv'])
for label, value in [('trailing_comma', 'births,'), ('leading_space', ' births'), ('capitals', 'Births'),
                     ('all_and_births', 'all,births'), ('none_and_births', 'none,births'), ('empty', ''),
                     ('semicolon', 'births;deaths'), ('line_break', 'births\ndeaths')]:
    cli('opt28_components_' + label, RUN + ['--components', value], pattern=r'--components')
# 15,000 names: 104 kB, under Linux's 128 kB for one argument.
cli('opt28_components_15000', RUN + ['--components', ','.join(['births'] * 15000)], expect='any', timeout=60)
cli('opt28_components_none_netcdf', RUN + ['--components', 'none', '--format', 'netcdf'], expect='ok')
cli('opt28_lang_unknown_no_report', RUN + ['--lang', 'fr'], pattern=r'--lang')

# --- (b) estimate's filters -------------------------------------------------------------------------------------------
EST_DIR = os.path.join(os.path.dirname(FIX), 'estimate')
LEV_FILES = {f: open(os.path.join(EST_DIR, f)).read() for f in ('levels_mx.csv', 'levels_asfr.csv',
                                                                  'levels_population.csv', 'levels_figures.csv')}
LEV = ['estimate', '--levels', 'levels_figures.csv', '--mx', 'levels_mx.csv', '--asfr', 'levels_asfr.csv',
       '--population', 'levels_population.csv', '--srb', '105', '--open-age', '50', '--out', 'out']
ASFR2 = 'age,asfr,src\n' + ''.join('%d,%s,x\n' % (a, v) for a, v in zip(range(15, 50, 5), (
    .01, .05, .08, .06, .03, .01, .002))) + ''.join('%d,0.9,y\n' % a for a in range(15, 50, 5))
LEV2 = dict(LEV_FILES, **{'a2.csv': ASFR2})
LEV_A2 = [w if w != 'levels_asfr.csv' else 'a2.csv' for w in LEV]
for label, f, pattern in [('no_equals', 'src', r"--asfr-filter: 'src'; expected COLUMN=VALUE"),
                          ('no_column', '=x', r"--asfr-filter: '=x'"),
                          ('unknown_column', 'nope=x', r"a2\.csv.*no column 'nope'"),
                          ('no_row_kept', 'src=z', r"a2\.csv: no rows.*--asfr-filter"),
                          ('line_break', 'src=x\ny', r"a2\.csv: no rows")]:
    cli('lev28_asfr_filter_' + label, LEV_A2 + ['--asfr-filter', f], LEV2, toml=None, pattern=pattern)
cli('lev28_asfr_filter_keeps_x', LEV_A2 + ['--asfr-filter', 'src=x'], LEV2, toml=None, expect='ok')
cli('lev28_asfr_filter_unfiltered_twice', LEV_A2, LEV2, toml=None, pattern=r'a2\.csv.*a second row for age 15')
cli('lev28_asfr_filter_10000', LEV_A2 + ['--asfr-filter', 'src=x'] * 10000, LEV2, toml=None, expect='ok',
    timeout=60)
MORT_ONLY = 'zone,indicator,value\nA,e0,65\n'
FERT_ONLY = 'zone,indicator,value\nA,tfr,1.5\n'
cli('lev28_asfr_filter_without_asfr', ['estimate', '--levels', 'f.csv', '--mx', 'levels_mx.csv', '--srb', '105',
                                       '--open-age', '50', '--asfr-filter', 'src=x', '--out', 'out'],
    dict(LEV_FILES, **{'f.csv': MORT_ONLY}), toml=None, pattern=r'--asfr-filter.*--asfr')
cli('lev28_mx_filter_without_mx', ['estimate', '--levels', 'f.csv', '--asfr', 'levels_asfr.csv', '--open-age', '50',
                                   '--mx-filter', 'sex=female', '--out', 'out'],
    dict(LEV_FILES, **{'f.csv': FERT_ONLY}), toml=None, pattern=r'--mx-filter.*--mx')
cli('lev28_asfr_filter_residual_form', EST + ['--asfr-filter', 'src=x'], EST_FILES, toml=None,
    pattern=r'--asfr-filter')
cli('lev28_asfr_filter_group_split', ['estimate', '--group-split', 'c.csv', '--asfr-filter', 'a=b', '--out', 'out'],
    {'c.csv': 'code,indicator,value\n'}, toml=None, pattern=r'--asfr-filter')

# --- (c) estimate's inputs through indirection ------------------------------------------------------------------------
GS = ['estimate', '--group-split', 'c.csv', '--registry', 'r.csv', '--out', 'out']
CENSUS = 'code,indicator,value\n' + ''.join('110101,%s,%s\n' % kv for kv in [
    ('pop_resident', 1000), ('pop_hukou_elsewhere_same_district', 100),
    ('pop_hukou_elsewhere_other_district_same_province', 100), ('pop_hukou_elsewhere_other_province', 100)])
PASSWD_VRT = ('<OGRVRTDataSource><OGRVRTLayer name="r"><SrcDataSource>CSV:/etc/passwd</SrcDataSource>'
              '</OGRVRTLayer></OGRVRTDataSource>')
ENTITY_AUX = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
              '<PAMDataset><Metadata><MDI key="k">&e;</MDI></Metadata></PAMDataset>')
for label, files, expect, pattern in [
        ('registry_fifo', {'r.csv': 'FIFO'}, 'bad', r'r\.csv'),
        ('registry_folder', {'r.csv/': None}, 'bad', r'r\.csv'),
        # A path typed on the command line is trusted (docs/cli.md): a link to a user's table is read.
        ('registry_link_shared', {'r.csv': 'SYMLINK:' + os.path.join(SHARED, 'reg.csv')}, 'ok', None),
        ('registry_link_environ', {'r.csv': 'SYMLINK:/proc/self/environ'}, 'bad', r'r\.csv'),
        ('registry_utf16', {'r.csv': '\ufeffcode,registered\n110101,900\n'.encode('utf-16-le')}, 'bad', r'r\.csv'),
        ('registry_gbk_code', {'r.csv': 'code,registered\n北京,900\n'.encode('gbk')}, 'bad', r'r\.csv.*UTF-8'),
        ('registry_aux_entity', {'r.csv': 'code,registered\n110101,900\n', 'r.csv.aux.xml': ENTITY_AUX}, 'ok', None),
        ('registry_csvt_integer', {'r.csv': 'code,registered\n110101,900.7\n', 'r.csvt': '"String","Integer"'}, 'bad',
         r"r\.csv.*data row 1.*'900\.7' is not a whole number.*\.csvt"),
        ('registry_hardlink_shared', {'r.csv': 'HARDLINK:' + os.path.join(SHARED, 'reg.csv')}, 'ok', None)]:
    cli('est28_' + label, GS, dict({'c.csv': CENSUS}, **files), toml=None, expect=expect, pattern=pattern, timeout=30)
cli('est28_registry_vrt_passwd', GS[:4] + ['r.vrt', '--out', 'out'], {'c.csv': CENSUS, 'r.vrt': PASSWD_VRT},
    toml=None, pattern=r'r\.vrt')
CW = 'from,to,weight\nA,A,1\nB,B,1\n'
cli('est28_second_crosswalk_folder', EST + ['--second-crosswalk', 'cw.csv'], dict(EST_FILES, **{'cw.csv/': None}),
    toml=None, pattern=r'cw\.csv')
cli('est28_second_crosswalk_gbk', EST + ['--second-crosswalk', 'cw.csv'],
    dict(EST_FILES, **{'cw.csv': 'from,to,weight\n北京,A,1\n'.encode('gbk')}), toml=None, pattern=r'cw\.csv')
cli('est28_first_crosswalk_link_out', EST + ['--first-crosswalk', 'cw.csv'],
    dict(EST_FILES, **{'cw.csv': 'SYMLINK:' + os.path.join(SHARED, 'victim/thesis.txt')}), toml=None,
    pattern=r'cw\.csv')
cli('est28_census_utf16', EST, dict(EST_FILES, **{'c1.csv': ('\ufeff' + EST_FILES['c1.csv']).encode('utf-16-le')}),
    toml=None, pattern=r'c1\.csv')
cli('est28_census_aux_entity', EST, dict(EST_FILES, **{'c1.csv.aux.xml': ENTITY_AUX}), toml=None, expect='ok')

# --- (d) info's options, Shapefile sidecars, GeoPackage features ------------------------------------------------------
CN_CSV = 'zone,sex,age,population\n海淀,female,0,1000\n'


def ogr(src, dst, *extra):
    def pre(d):
        subprocess.run(['ogr2ogr', '-q', os.path.join(d, dst), os.path.join(d, src)] + list(extra), check=True,
                       capture_output=True)
    return pre


def sql(path, *statements):
    def pre(d):
        c = sqlite3.connect(os.path.join(d, path))
        for s in statements:
            c.execute(s)
        c.commit()
        c.close()
    return pre


def chain(*pres):
    def pre(d):
        for p in pres:
            p(d)
    return pre


CN_GJ = ZONES_GJ.replace('"id":"A"', '"id":"海淀"')
cli('info28_encoding_gbk_gpkg', ['info', 'cn.gpkg', '--encoding', 'GBK'], {'cn.csv': CN_CSV}, toml=None, out=None,
    pre=ogr('cn.csv', 'cn.gpkg', '-f', 'GPKG', '-nln', 'cn'), pattern=r'cn\.gpkg.*UTF-8')
cli('info28_encoding_gb18030_geojson', ['info', 'cn.geojson', '--encoding', 'GB18030'], {'cn.geojson': CN_GJ},
    toml=None, out=None, pattern=r'cn\.geojson.*UTF-8')
cli('info28_encoding_utf8_gpkg', ['info', 'cn.gpkg', '--encoding', 'utf8'], {'cn.csv': CN_CSV}, toml=None,
    out=None, expect='ok', pre=ogr('cn.csv', 'cn.gpkg', '-f', 'GPKG', '-nln', 'cn'))
cli('info28_encoding_gbk_csv', ['info', 'cn.csv', '--encoding', 'GBK'], {'cn.csv': CN_CSV.encode('gbk')}, toml=None,
    out=None, expect='ok')
cli('info28_encoding_translit', ['info', 'base.csv', '--encoding', 'ASCII//TRANSLIT'], toml=None, out=None,
    pattern=r'unknown text encoding')
cli('info28_encoding_utf16_csv', ['info', 'base.csv', '--encoding', 'UTF-16'], toml=None, out=None,
    pattern=r'base\.csv')
cli('info28_layer_sql_quote', ['info', 'b.gpkg', '--layer', 'base"; DROP TABLE base; --'], toml=None, out=None,
    pre=ogr('base.csv', 'b.gpkg', '-f', 'GPKG', '-nln', 'base'), pattern=r"no layer or sheet")
cli('info28_layer_index', ['info', 'b.gpkg', '--layer', '0'], toml=None, out=None,
    pre=ogr('base.csv', 'b.gpkg', '-f', 'GPKG', '-nln', 'base'), pattern=r"no layer or sheet '0'")
cli('info28_gpkg_future_user_version', ['info', 'b.gpkg'], toml=None, out=None, expect='any',
    pre=chain(ogr('base.csv', 'b.gpkg', '-f', 'GPKG', '-nln', 'base'), sql('b.gpkg', 'PRAGMA user_version=999999')))
cli('info28_gpkg_foreign_application_id', ['info', 'b.gpkg'], toml=None, out=None, expect='any',
    pre=chain(ogr('base.csv', 'b.gpkg', '-f', 'GPKG', '-nln', 'base'),
              sql('b.gpkg', 'PRAGMA application_id=1')))
cli('info28_gpkg_data_columns', ['info', 'b.gpkg'], toml=None, out=None, expect='ok',
    pre=chain(ogr('base.csv', 'b.gpkg', '-f', 'GPKG', '-nln', 'base'), sql(
        'b.gpkg', 'CREATE TABLE IF NOT EXISTS gpkg_data_columns (table_name TEXT, column_name TEXT, name TEXT, '
        'title TEXT, description TEXT, mime_type TEXT, constraint_name TEXT)',
        "INSERT INTO gpkg_data_columns VALUES ('base', 'population', 'p', 't', 'd', NULL, 'nope')")))
cli('run28_gpkg_encoding_gbk', VAL, {'cn.csv': CN_CSV.replace('海淀', 'A')},
    toml=PROBE.baseref('{ path = "b.gpkg", encoding = "GBK" }'), out=None,
    pre=ogr('base.csv', 'b.gpkg', '-f', 'GPKG', '-nln', 'base'), pattern=r'b\.gpkg.*UTF-8')
cli('run28_zone_source_geojson_encoding_gbk', VAL, ZFILES, toml=ZSRC('zones.geojson', 'encoding = "GBK"'), out=None,
    pattern=r'zones\.geojson.*UTF-8')
cli('run28_zone_source_gpkg_encoding_utf8', VAL, ZFILES, toml=ZSRC('z.gpkg', 'encoding = "UTF-8"'), out=None,
    expect='ok', pre=ogr('zones.geojson', 'z.gpkg', '-f', 'GPKG'))


def shapefile(d):
    subprocess.run(['ogr2ogr', '-q', '-f', 'ESRI Shapefile', os.path.join(d, 'z.shp'),
                    os.path.join(d, 'zones.geojson')], check=True, capture_output=True)


for label, side, content, expect in [
        ('cpg_fifo', 'z.cpg', 'FIFO', 'any'),
        ('cpg_link_environ', 'z.cpg', 'SYMLINK:/proc/self/environ', 'any'),
        ('cpg_utf16', 'z.cpg', 'UTF-16', 'any'),
        ('cpg_1mb', 'z.cpg', 'x' * 1000000, 'any'),
        ('sbn_garbage', 'z.sbn', b'\x00\x01garbage' * 100, 'ok'),
        ('sbx_garbage', 'z.sbx', b'\xff' * 5000, 'ok'),
        ('shp_xml_entity', 'z.shp.xml', ENTITY_AUX, 'ok'),
        ('aux_xml_entity', 'z.shp.aux.xml', ENTITY_AUX, 'ok')]:
    def pre(d, side=side, content=content):
        shapefile(d)
        p = os.path.join(d, side)
        if os.path.lexists(p):
            os.remove(p)
        if content == 'FIFO':
            os.mkfifo(p)
        else:
            make(d, {side: content})
    cli('shp28_%s_info' % label, ['info', 'z.shp'], ZFILES, toml=None, out=None, expect=expect, pre=pre, timeout=30)
    cli('shp28_%s_source' % label, VAL, ZFILES, toml=ZSRC('z.shp'), out=None, expect=expect, pre=pre, timeout=30)

# --- (e) map ----------------------------------------------------------------------------------------------------------
MAPB = ['map', 'res', '--out', 'm.png']
for label, extra, expect, pattern in [
        ('group_unknown', ['--year', '2025', '--group', 'registered'], 'bad', r"--group: 'registered'"),
        ('group_empty', ['--year', '2025', '--group', ''], 'bad', r'--group'),
        ('group_line_break', ['--year', '2025', '--group', 'a\nb'], 'bad', r'--group'),
        ('classes_capital', ['--year', '2025', '--classes', 'Jenks'], 'bad', r'--classes'),
        ('jenks_9_of_2_zones', ['--year', '2025', '--classes', 'jenks', '--n-classes', '9'], 'ok', None),
        ('percent_with_year', ['--year', '2025', '--percent'], 'bad', r'--percent'),
        ('percent_with_period', ['--period', '2021-2025', '--percent'], 'bad', r'--percent'),
        ('period_and_year', ['--period', '2021-2025', '--year', '2025'], 'bad', r'--year, --period or --change'),
        ('period_indicator_tfr', ['--period', '2021-2025', '--indicator', 'tfr'], 'bad', r"--indicator: 'tfr'"),
        ('period_trailing_space', ['--period', '2021-2025 '], 'bad', r'--period'),
        ('period_variant_more', ['--period', '2026-2030', '--variant', 'more', '--indicator', 'growth_rate_percent'],
         'ok', None),
        ('period_default_indicator', ['--period', '2026-2030'], 'bad', r"--indicator: 'population' is not a column"),
        ('variant_empty', ['--year', '2025', '--variant', ''], 'bad', r'--variant'),
        ('format_pdf_out_png', ['--year', '2025', '--format', 'pdf'], 'bad', r'\.pdf')]:
    cli('map28_' + label, MAPB + extra, expect=expect, pattern=pattern, pre=PROBE.with_results, out='m.png')

# --- (f) backtest given run's output options --------------------------------------------------------------------------
for opt in (['--csv-bom'], ['--seed', '3'], ['--format', 'csv'], ['--trajectories', '5'], ['--compress'],
            ['--no-write-thread']):
    cli('bt28_option_%s' % opt[0].strip('-').replace('-', '_'), BT + opt, {'obs.csv': OBS}, pattern=opt[0])

# --- (g) --allow-read and --allow-db ----------------------------------------------------------------------------------
SHARED_BASE = G('table = "base.csv"', 'table = "%s"' % os.path.join(SHARED, 'tables/base.csv'))
for label, folder, expect, pattern in [
        ('file', 'base.csv', 'bad', r"--allow-read: 'base\.csv' is not a folder"),
        ('fifo', 'p', 'bad', r"--allow-read: 'p'"),
        ('missing', 'nope', 'bad', r"--allow-read: 'nope'"),
        ('link_to_shared_tables', 'lnk', 'ok', None),
        ('dangling_link', 'dang', 'bad', r"--allow-read: 'dang'")]:
    cli('ar28_' + label, VAL + ['--allow-read', folder], {'p': 'FIFO', 'lnk': 'SYMLINK:' + os.path.join(
        SHARED, 'tables'), 'dang': 'SYMLINK:' + os.path.join(SHARED, 'gone')}, toml=SHARED_BASE, out=None,
        expect=expect, pattern=pattern, timeout=30)
cli('ar28_10000_times', VAL + ['--allow-read', '.'] * 10000, toml=SHARED_BASE, out=None, pattern=r'outside')
cli('ar28_shared_not_allowed', VAL, toml=SHARED_BASE, out=None, pattern=r'outside the folders')
for label, name in [('spaces', 'x host=127.0.0.1'), ('equals', 'host=127.0.0.1'), ('empty', ''),
                    ('slash', '../x'), ('line_break', 'x\ny')]:
    cli('db28_allow_db_' + label, VAL + ['--allow-db', name], out=None, pattern=r'--allow-db')
for label, ref in [('dotdot', 'db:../x'), ('spaces', 'db:x y'), ('not_allowed', 'db:x'),
                   ('pg_host', 'PG:service=x host=%s' % URL[7:].split(':')[0])]:
    cli('db28_table_' + label, VAL + (['--allow-db', 'y'] if label == 'not_allowed' else []),
        toml=PROBE.baseref('"%s"' % ref), out=None, pattern=r'base_population\.table')
cli('db28_pgservicefile_passwd', VAL + ['--allow-db', 'svc'], toml=PROBE.baseref('"db:svc"'), out=None,
    env={'PGSERVICEFILE': '/etc/passwd', 'PGSYSCONFDIR': '/etc'}, pattern=r'base_population\.table')

# --- (h) parity tables ------------------------------------------------------------------------------------------------
PAR_DIR = os.path.join(FIX, 'parity')
PAR = {f: open(os.path.join(PAR_DIR, f)).read() for f in os.listdir(PAR_DIR)}
PAR_TOML = PAR.pop('scenario.toml')
PAR_RATES, PAR_SHARES = PAR['rates.csv'], PAR['base_shares.csv']
PRUN = RUN
for label, old, new, expect, pattern in [
        ('nan', '18,1,0.05', '18,1,nan', 'bad', r"rates\.csv.*data row 6.*column 'value'"),
        ('inf', '18,1,0.05', '18,1,inf', 'bad', r"rates\.csv.*data row 6"),
        ('neg_zero', '18,1,0.05', '18,1,-0', 'ok', None),
        ('negative', '18,1,0.05', '18,1,-0.01', 'bad', r"rates\.csv.*data row 6"),
        ('subnormal', '18,1,0.05', '18,1,1e-320', 'ok', None),
        ('above_1', '18,1,0.05', '18,1,1.5', 'bad', r"rates\.csv.*data row 6.*0 to 1"),
        ('1e308', '18,1,0.05', '18,1,1e308', 'bad', r"rates\.csv.*data row 6"),
        ('parity_4', '18,3+,0.01', '18,4,0.01', 'bad', r"rates\.csv.*data row 8.*parity"),
        ('parity_minus_1', '18,3+,0.01', '18,-1,0.01', 'bad', r"rates\.csv.*data row 8.*parity"),
        ('parity_3_space_plus', '18,3+,0.01', '18,3 +,0.01', 'bad', r"rates\.csv.*data row 8.*parity"),
        ('parity_empty', '18,3+,0.01', '18,,0.01', 'bad', r"rates\.csv.*data row 8"),
        ('age_past_int', '19,0,0.1', '4294967315,0,0.1', 'bad', r"rates\.csv.*data row 5.*age"),
        ('age_open', '19,0,0.1', '20,0,0.1', 'bad', r"rates\.csv.*data row 5"),
        ('age_first', '19,0,0.1', '0,0,0.1', 'bad', r"rates\.csv.*data row 5"),
        ('age_fraction', '19,0,0.1', '18.5,0,0.1', 'bad', r"rates\.csv.*data row 5.*age"),
        ('duplicate_key', '19,0,0.1', '18,0,0.1', 'bad', r"rates\.csv.*data row 5")]:
    cli('par28_rates_' + label, PRUN, dict(PAR, **{'rates.csv': PAR_RATES.replace(old, new)}), toml=PAR_TOML,
        expect=expect, pattern=pattern)
for label, old, new, expect, pattern in [
        ('sum_2', '15,0,0.6', '15,0,1.6', 'bad', r"base_shares\.csv.*data row 1"),
        ('nan', '15,0,0.6', '15,0,nan', 'bad', r"base_shares\.csv.*data row 1"),
        ('negative', '15,1,0.3\n', '15,1,0.9\n15,4,-0.6\n', 'bad', r"base_shares\.csv.*data row"),
        ('subnormal_off', '15,3+,0', '15,3+,1e-320', 'ok', None),
        ('duplicate_key', '16,3+,0', '15,3+,0', 'bad', r"base_shares\.csv.*data row 8")]:
    cli('par28_shares_' + label, PRUN, dict(PAR, **{'base_shares.csv': PAR_SHARES.replace(old, new)}), toml=PAR_TOML,
        expect=expect, pattern=pattern)
WOMEN = 'age,parity,women\n' + ''.join('%d,%s,%s\n' % (a, p, v) for a in range(15, 21)
                                       for p, v in (('0', 600), ('1', 300), ('2', 100), ('3+', 0)))
PAR_WOMEN_TOML = PAR_TOML.replace('parity_base = { path = "base_shares.csv" }', 'parity_base = { path = "w.csv" }')
for label, table, expect, pattern in [
        ('women_2p63', WOMEN.replace('15,0,600', '15,0,9223372036854775808'), 'bad', r"w\.csv.*data row 1"),
        ('women_1e308', WOMEN.replace('15,0,600', '15,0,1e308'), 'bad', r"w\.csv.*data row 1"),
        ('women_inf', WOMEN.replace('15,0,600', '15,0,inf'), 'bad', r"w\.csv.*data row 1")]:
    cli('par28_base_' + label, PRUN, dict(PAR, **{'w.csv': table}), toml=PAR_WOMEN_TOML, expect=expect,
        pattern=pattern)
for label, srb, pattern in [('missing_3plus', '{ "1" = 104, "2" = 110 }', r'srb_by_order'),
                            ('key_4', '{ "1" = 104, "2" = 110, "3+" = 130, "4" = 140 }', r'srb_by_order'),
                            ('nan', '{ "1" = nan, "2" = 110, "3+" = 130 }', r'srb_by_order'),
                            ('zero', '{ "1" = 0, "2" = 110, "3+" = 130 }', r'srb_by_order'),
                            ('1e308', '{ "1" = 1e308, "2" = 110, "3+" = 130 }', r'srb_by_order'),
                            ('text', '{ "1" = "104", "2" = 110, "3+" = 130 }', r'srb_by_order'),
                            ('array', '[104, 110, 130]', r'srb_by_order')]:
    cli('par28_srb_by_order_' + label, VAL, PAR, toml=PAR_TOML.replace(
        'srb_by_order = { "1" = 104, "2" = 110, "3+" = 130 }', 'srb_by_order = %s' % srb), out=None, pattern=pattern)
PROG = PAR['progression.csv']
PROG_TOML = PAR_TOML.replace('parity_rates = { path = "rates.csv" }',
                             'parity_progression = { path = "progression.csv", unit = "ratio" }')
for label, v, expect, pattern in [('two_thirds', '0.6666666', 'ok', None), ('0.7', '0.7', 'bad', r'2/3'),
                                  ('1', '1', 'bad', r'progression\.csv.*data row 1'),
                                  ('nan', 'nan', 'bad', r'progression\.csv.*data row 1'),
                                  ('subnormal', '1e-320', 'ok', None)]:
    cli('par28_progression_' + label, PRUN, dict(PAR, **{'progression.csv': PROG.replace('2020,15,0,0.2',
                                                                                          '2020,15,0,' + v, 1)}),
        toml=PROG_TOML, expect=expect, pattern=pattern)
cli('par28_progression_unit_per_woman', VAL, PAR, toml=PROG_TOML.replace('unit = "ratio"', 'unit = "per_woman"'),
    out=None, pattern=r'parity_progression.*unit')


# --- (i) --out raced while the run projects ---------------------------------------------------------------------------
def out_race(name, action, user_check):
    """`run long.toml --out out` (200,000 trajectories: seconds) while a thread waits for its staging folder and then
    does action(d): exit 0 or 1 with a message; SHARED unchanged; user_check(d, rc) lists what of the user's was
    lost."""
    if not wanted(name):
        return
    d = os.path.join(ROOT, 'cases', name)
    make(d, dict(INPUTS, **{'long.toml': STO.replace('trajectories = 5', 'trajectories = 200000')}))
    before, names = snapshot(SHARED), set(os.listdir(d))
    done = threading.Event()

    def watch():
        while not done.is_set():
            if any('.tmp-' in n for n in os.listdir(d)):
                time.sleep(0.3)
                action(d)
                return
            time.sleep(0.02)
    t = threading.Thread(target=watch)
    t.start()
    rc, o, err, secs, rss = PROBE.run([EXE, 'run', 'long.toml', '--out', 'out', '--quiet', '--no-report',
                                       '--threads', '2'], d, timeout=300)
    done.set()
    t.join()
    extra = changes(before, snapshot(SHARED)) + leftovers(d, names | {'out'}) + user_check(d, rc)
    LOG.check(name, rc, o, err, secs, rss, 'any', None, extra)


def lost(path, text):
    return lambda d, rc: [] if os.path.isfile(path if path.startswith('/') else os.path.join(d, path)) and open(
        path if path.startswith('/') else os.path.join(d, path)).read() == text else ['LOST ' + path]


out_race('race28_out_made_link_to_user_folder',
         lambda d: os.symlink(os.path.join(SHARED, 'victim'), os.path.join(d, 'out')),
         lambda d, rc: lost(os.path.join(SHARED, 'victim/thesis.txt'), 'precious\n')(d, rc) + (
             ['OUT STILL A LINK AFTER EXIT 0'] if rc == 0 and os.path.islink(os.path.join(d, 'out')) else []))
out_race('race28_out_made_user_file', lambda d: make(d, {'out': 'mine\n'}), lost('out', 'mine\n'))
out_race('race28_out_made_user_folder', lambda d: make(d, {'out/notes.txt': 'mine\n'}), lost('out/notes.txt', 'mine\n'))


# --- (j) signals under the writer options -----------------------------------------------------------------------------
def stop_after(sig, secs):
    return ['timeout', '--preserve-status', '-s', sig, str(secs)]


LONG = STO.replace('trajectories = 5', 'trajectories = 200000')
cli('sig28_term_no_write_thread', RUN + ['--no-write-thread'], toml=LONG, prefix=stop_after('TERM', 1.5),
    expect=(0, 143), timeout=120)
cli('sig28_int_compress_netcdf', RUN + ['--format', 'netcdf', '--compress', '--no-direct-chunks'], toml=LONG,
    prefix=stop_after('INT', 1.5), expect=(0, 130), timeout=120)
cli('sig28_term_levels_10000_zones', ['estimate', '--levels', 'f.csv', '--asfr', 'levels_asfr.csv', '--open-age',
                                      '50', '--out', 'out'],
    dict(LEV_FILES, **{'f.csv': 'zone,indicator,value\n' + ''.join('Z%d,tfr,1.5\n' % i for i in range(10000))}),
    toml=None, prefix=stop_after('TERM', 0.5), expect=(0, 143), timeout=60)

PROBE.finish()
