#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Hostile-input probe of round 20 (helper h99): what rounds 3 to 19 left. (a) The leftovers of round 19: a small
stack (ulimit -s 32 kB to 256 kB) under the shipped scenario and arrays or inline tables nested 16, 17, 64 and 200
deep, few descriptors (ulimit -n 3 to 5), plain SQLite databases (`.sqlite`, `.db`, `.sqlite3`, one named `.gpkg`)
as table, zone source, `info`, census and observed table, a GeoPackage left in WAL mode (read-only folder too);
(b) numbers in cells spelt with thousands separators (`1,000`, NBSP, narrow NBSP, apostrophe, `1.000,5`), in other
scripts' digits (Arabic-Indic, Devanagari, superscripts), as MSVC prints NaN and infinity (`1.#QNAN`, `nan(ind)`),
with units (`5%`, `$5`, `5 persons`), half an exponent, `0b101`, `∞`, and 1e308, 1e12 and subnormals where counts
and rates go; (c) zone ids and sexes that are compatibility or canonical twins (ligature ﬁ, Angstrom and Kelvin
signs, Hangul syllables against jamo), a BOM or zero-width space inside a cell, full-width `ｆｅｍａｌｅ`; (d) a 1 MB
zone id, sex, count, age and column name, a quoted id of 100,000 lines, a 30 MB comment in the scenario; (e) outputs:
`--out` a link to itself, under a link loop, under a dangling link, under a FIFO, `/proc/self/fd/1`, the scenario or
a table, `out/.`, results holding a user's link loop, four runs into one folder at once, a run and a report at once;
(f) years: horizons 1000 to 5000 steps away, base years −2000, 0 and 9999, a horizon before or equal to the base
year, plan periods and years past the calendar; (g) no zones: `zones = []`, a header-only table, a filter leaving
nothing, an empty aggregate; (h) GDAL virtual paths not tried before: /vsizip/ nested, /vsisubfile/, /vsitar/,
/vsigzip/, /vsistdin/, /vsimem/, /vsicurl_streaming/, cloud stores (az, gs, oss, swift, adls, webhdfs, hdfs), 7z and
rar, upper case, a doubled slash, a leading space; (i) GeoJSON with a `link` CRS at the listener, an OGC CRS URL, a
`$schema`, TopoJSON and Esri JSON at the listener, duplicate property keys, ids of 1.0 and true, properties nested
10,000 deep; OGR VRTs reading /vsistdin/, chained 40 deep, with XInclude, in UTF-16, with a LayerSRS URL and a
`GPKG:` source; GeoPackages whose CRS definition is 1 MB or names a grid at the listener; (j) Python: objects used
again after an error (load, run, write_outputs, set_zones, set_grid, add_variant), KeyboardInterrupt during run and
write_outputs and the set run again, threads loading, running and writing at once, two threads writing one folder,
scenario_from_frames with no zones, NFD ids, base years ±10^9, write_outputs into a link loop, /proc or a NUL path,
long double and 1e308 populations. A case fails on a crash, a hang, an exit other than the expected, a message that
does not match, a crash-like or huge message, a network connection, /etc/passwd quoted, a file written, changed or
deleted outside the output, or staging folders left after an error.
Usage: PYTHONPATH=build/python /usr/bin/python3 tests/probe/hostile_round20.py [BUILD_DIR [WORK_DIR]] [PREFIX ...]"""
import gzip, io, os, signal, sqlite3, subprocess, sys, tarfile, threading, time, unicodedata, zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe_common import CliProbe, changes, leftovers, make, place, run_measured, snapshot, sqlite_file

PROBE = CliProbe('cohortgis-hostile-probe20-')
BUILD, ROOT, EXE, NET, URL, ENV, LOG = PROBE.build, PROBE.root, PROBE.exe, PROBE.net, PROBE.url, PROBE.env, PROBE.log
record, wanted, cli = LOG.record, PROBE.wanted, PROBE.cli
PROBE.quoted = ('root', 'daemon', '/bin/bash', '/usr/sbin')
GOOD, INPUTS, SHARED = PROBE.good, PROBE.inputs, PROBE.shared
BASE, MX, ASFR = INPUTS['base.csv'], INPUTS['mx.csv'], INPUTS['asfr.csv']
G = lambda old, new: GOOD.replace(old, new)  # noqa: E731
BASEREF = lambda ref: G('table = "base.csv"', 'table = %s' % ref)  # noqa: E731
ZSRC = lambda path, extra='': G('[projection]', '[geography.source]\npath = "%s"\nid_field = "id"\n%s\n'  # noqa: E731
                                '[projection]'
                                % (path, extra))
VAL = ['validate', 'sc.toml']
RUN = ['run', 'sc.toml', '--out', 'out', '--quiet', '--no-report']
RUNR = ['run', 'sc.toml', '--out', 'out', '--quiet']
ROOT_USER = os.geteuid() == 0
lim = lambda **kw: ['prlimit'] + ['--%s=%d' % (k, v) for k, v in kw.items()] + ['--']  # noqa: E731
make(SHARED, {'victim/thesis.txt': 'precious\n'})
SRC = os.path.join(ROOT, 'src')
ZONES_GEOJSON = ('{"type":"FeatureCollection","features":[\n'
                 '{"type":"Feature","properties":{"id":"A"},"geometry":{"type":"Polygon","coordinates":'
                 '[[[116,39],[116.1,39],[116.1,39.1],[116,39.1],[116,39]]]}},\n'
                 '{"type":"Feature","properties":{"id":"B"},"geometry":{"type":"Polygon","coordinates":'
                 '[[[116.1,39],[116.2,39],[116.2,39.1],[116.1,39.1],[116.1,39]]]}}]}\n')
make(SRC, {'base.csv': BASE, 'zones.geojson': ZONES_GEOJSON})


def base_with(cell_of):
    """base.csv with the population cell of its 3rd data row replaced by cell_of (already quoted if needed)."""
    lines = BASE.splitlines()
    parts = lines[3].split(',')
    parts[3] = cell_of
    lines[3] = ','.join(parts)
    return '\n'.join(lines) + '\n'


def read(p):
    with open(p, 'rb') as f:
        return f.read()


# --- (a) Round 19's leftovers -----------------------------------------------------------------------------------------
def nested(n, inline=False):
    return G('srb = 105', 'srb = 105\nx = ' + ('{ a = ' * n + '1' + ' }' * n if inline else '[' * n + ']' * n))


for kb in (32, 64, 128, 256):
    cli('stack_%dk_validate_good' % kb, VAL, {}, 'ok', prefix=lim(stack=kb * 1024))
for kb, n, inline, pat in [(64, 16, False, r"unknown key|'fertility\.x'"), (64, 17, False, r'nested more than 16'),
                           (64, 64, True, r'nested more than 16'), (256, 200, True, r'nested more than 16'),
                           (128, 17, True, r'nested more than 16'), (32, 200, False, r'nested more than 16')]:
    cli('stack_%dk_%s_%d' % (kb, 'inline' if inline else 'arrays', n), VAL, {}, 'bad', pat, toml=nested(n, inline),
        prefix=lim(stack=kb * 1024))
cli('stack_64k_dotted_64', VAL, {}, 'bad', r'sc\.toml', toml=G('srb = 105', 'srb = 105\n' + '.'.join(['a'] * 64) +
                                                               ' = 1'), prefix=lim(stack=65536))
cli('stack_128k_run_report', RUNR, {}, 'any', prefix=lim(stack=131072), timeout=120)
# At 64 kB GDAL's streaming GeoJSON reader builds up to 1024 levels and json-c frees them recursively: SIGSEGV in
# about 1 run in 6 (left, tests/probe/README.md); 128 kB holds.
cli('stack_128k_info_geojson_deep', ['info', 'z.geojson'], {'z.geojson': '{"type":"FeatureCollection","features":[{'
                                                                        '"type":"Feature","properties":{"id":"A"},'
                                                                        '"geometry":{"type":"Polygon","coordinates":' +
                                                                        '[' * 5000 + ']' * 5000 + '}}]}'},
    'any', prefix=lim(stack=131072))
cli('nofile_3_validate', VAL, {}, (1, 127), prefix=lim(nofile=3))  # 127: ld.so has no descriptor (before main)
cli('nofile_4_validate', VAL, {}, 'bad', r'open files|descriptor', prefix=lim(nofile=4))
cli('nofile_5_run', RUN, {}, 'any', r'open files|descriptor', prefix=lim(nofile=5))
cli('nofile_4_info', ['info', 'base.csv'], {}, 'any', r'open files|descriptor', prefix=lim(nofile=4))

sqlite_file(os.path.join(SRC, 'plain.sqlite'), os.path.join(SRC, 'base.csv'), [], 'SQLite', 'base')
sqlite_file(os.path.join(SRC, 'zplain.sqlite'), os.path.join(SRC, 'zones.geojson'), [], 'SQLite', 'z')
PLAIN, ZPLAIN = read(os.path.join(SRC, 'plain.sqlite')), read(os.path.join(SRC, 'zplain.sqlite'))
SQLITE_PAT = r'SQLite database that is not a GeoPackage'
for ext in ('sqlite', 'db', 'sqlite3', 'gpkg'):
    cli('sqlite_plain_table_%s' % ext, VAL, {'b.' + ext: PLAIN}, 'bad', SQLITE_PAT,
        toml=BASEREF('{ path = "b.%s", layer = "base" }' % ext))
cli('sqlite_plain_zone_source', VAL, {'z.sqlite': ZPLAIN}, 'bad', SQLITE_PAT, toml=ZSRC('z.sqlite'))
cli('sqlite_plain_info', ['info', 'b.db'], {'b.db': PLAIN}, 'bad', SQLITE_PAT)
CENSUS = 'zone,sex,age,population\nA,all,all,1000\nB,all,all,2000\n'
make(SRC, {'c1.csv': CENSUS})
sqlite_file(os.path.join(SRC, 'c2.db'), os.path.join(SRC, 'c1.csv'), [], 'SQLite', 'c')
EST = ['estimate', '--first', 'c1.csv', '--second', 'c2.db', '--years', '2000:2010', '--out', 'out']
cli('sqlite_plain_census', EST, {'c1.csv': CENSUS, 'c2.db': read(os.path.join(SRC, 'c2.db'))}, 'bad', SQLITE_PAT)
cli('sqlite_plain_observed', ['backtest', 'sc.toml', '--observed', 'o.db', '--earlier', 'sc.toml', '--out', 'out'],
    {'o.db': PLAIN}, 'bad', r'o\.db')


def wal_gpkg(name):
    """A GeoPackage of the base population left in WAL journal mode (header bytes 18/19 = 2), no -wal beside it."""
    p = sqlite_file(os.path.join(SRC, name), os.path.join(SRC, 'base.csv'), [], 'GPKG', 'base')
    c = sqlite3.connect(os.path.join(SRC, name))
    c.execute('PRAGMA journal_mode=WAL')
    c.close()
    return read(os.path.join(SRC, name)) if p else b''


WAL = wal_gpkg('wal.gpkg')
GPCOLS = BASEREF('{ path = "b.gpkg", layer = "base" }')
cli('gpkg_wal_mode_validate', VAL, {'b.gpkg': WAL}, 'any', r'b\.gpkg', toml=GPCOLS)
cli('gpkg_wal_mode_run', RUN, {'b.gpkg': WAL}, 'any', r'b\.gpkg', toml=GPCOLS)


def read_only_folder(d):
    os.chmod(d, 0o555)


if not ROOT_USER:
    cli('gpkg_wal_mode_read_only_folder', VAL, {'b.gpkg': WAL}, 'any', r'b\.gpkg', toml=GPCOLS, pre=read_only_folder)

# --- (b) Numbers in cells ---------------------------------------------------------------------------------------------
ROW = r'base\.csv.*(row|line)'
for label, cell, expect in [
        ('thousands_comma', '"1,000"', 'bad'), ('thousands_nbsp', '1\u00a0000', 'bad'),
        ('thousands_narrow_nbsp', '1\u202f000', 'bad'), ('thousands_apostrophe', "1'000", 'bad'),
        ('german_decimal', '"1.000,5"', 'bad'), ('arabic_indic_digits', '\u0661\u0660\u0660\u0660', 'bad'),
        ('devanagari_digits', '\u0967\u0966\u0966\u0966', 'bad'), ('superscript', '5\u00b2', 'bad'),
        ('msvc_qnan', '1.#QNAN', 'bad'), ('msvc_inf', '1.#INF', 'bad'), ('nan_ind', 'nan(ind)', 'bad'),
        ('minus_nan_ind', '-nan(ind)', 'bad'), ('infinity_sign', '\u221e', 'bad'), ('percent', '5%', 'bad'),
        ('dollar', '$5', 'bad'), ('unit_word', '5 persons', 'bad'), ('half_exponent', '5e', 'bad'),
        ('exponent_sign_only', '5e+', 'bad'), ('binary_literal', '0b101', 'bad'), ('plus_minus', '+-5', 'bad'),
        ('trailing_minus', '5-', 'bad'), ('pop_1e308', '1e308', 'bad'), ('pop_1e13', '1e13', 'bad'),
        ('pop_subnormal', '4.9e-324', 'ok'), ('pop_minus_zero_float', '-0.0', 'ok'), ('pop_9e11', '9e11', 'bad'),
        ('pop_1e8', '100000000', 'ok'),
        ('pop_fraction', '0.5', 'ok'), ('pop_leading_zeros', '000000000000000000000000001000', 'ok')]:
    cli('num_' + label, VAL, {'base.csv': base_with(cell)}, expect, ROW)
MXROW = r'mx\.csv.*(row|line)'
mx_lines = MX.splitlines()
for label, cell, expect in [('1e308', '1e308', 'bad'), ('subnormal', '4.9e-324', 'any'), ('nan_ind', 'nan(ind)', 'bad'),
                            ('arabic', '\u0660.\u0660\u0661', 'bad'), ('thousands', '"0,010"', 'bad')]:
    lines = list(mx_lines)
    cells = lines[2].split(',')
    cells[2] = cell
    lines[2] = ','.join(cells)
    cli('mx_' + label, VAL, {'mx.csv': '\n'.join(lines) + '\n'}, expect, MXROW)
for label, cell, expect in [('5.0', '5.0', 'any'), ('5e0', '5e0', 'any'), ('hex', '0x5', 'bad'),
                            ('arabic', '\u0665', 'bad'), ('nbsp_after', '5\u00a0', 'bad'), ('1e9', '1e9', 'bad')]:
    lines = BASE.splitlines()
    cells = lines[2].split(',')
    cells[2] = cell
    lines[2] = ','.join(cells)
    cli('age_' + label, VAL, {'base.csv': '\n'.join(lines) + '\n'}, expect, ROW)

# --- (c) Unicode twins and invisible characters in ids ----------------------------------------------------------------


def zone_case(name, toml_id, csv_id, expect, pat):
    """Zone B spelt toml_id in the scenario and csv_id in base.csv (and relocation's `to`)."""
    toml = G('{ id = "B"', '{ id = "%s"' % toml_id).replace('to = "B"', 'to = "%s"' % toml_id)
    cli(name, VAL, {'base.csv': BASE.replace('\nB,', '\n%s,' % csv_id)}, expect, pat, toml=toml)


NOROWS = r'base\.csv|zone'
zone_case('id_ligature_fi_vs_f_i', 'o\ufb01ce', 'office', 'bad', NOROWS)
zone_case('id_angstrom_sign_vs_a_ring', '\u212b', '\u00c5', 'bad', NOROWS)
zone_case('id_kelvin_sign_vs_k', '\u212a', 'K', 'bad', NOROWS)
zone_case('id_hangul_syllable_vs_jamo', '\ud55c', unicodedata.normalize('NFD', '\ud55c'), 'bad', NOROWS)
zone_case('id_bom_inside_cell', 'B', 'B\ufeff', 'bad', NOROWS)
zone_case('id_zero_width_space', 'B', 'B\u200b', 'bad', NOROWS)
zone_case('id_variation_selector', 'B', 'B\ufe0f', 'bad', NOROWS)
zone_case('id_same_nfc_both_ok', unicodedata.normalize('NFC', 'Caf\u00e9'), unicodedata.normalize('NFC', 'Caf\u00e9'),
          'ok', None)
cli('sex_fullwidth', VAL, {'base.csv': BASE.replace('A,female,0,', 'A,\uff46\uff45\uff4d\uff41\uff4c\uff45,0,')},
    'bad', ROW)
cli('sex_zero_width', VAL, {'base.csv': BASE.replace('A,female,0,', 'A,female\u200b,0,')}, 'bad', ROW)
cli('sex_combining_e', VAL, {'base.csv': BASE.replace('A,female,0,', 'A,femal\u0065\u0301,0,')}, 'bad', ROW)
cli('bom_at_row_start_mid_file', VAL, {'base.csv': BASE.replace('\nB,', '\n\ufeffB,', 1)}, 'any', ROW)
cli('bom_before_number', VAL, {'base.csv': base_with('\ufeff1000')}, 'bad', ROW)

# --- (d) Long fields --------------------------------------------------------------------------------------------------
MB = 1 << 20
for label, files, pat in [
        ('zone_id_1mb', {'base.csv': BASE.replace('\nB,', '\n%s,' % ('Z' * MB), 1)}, r'base\.csv'),
        ('sex_1mb', {'base.csv': BASE.replace('A,female,0,', 'A,%s,0,' % ('f' * MB))}, ROW),
        ('count_1mb_digits', {'base.csv': base_with('1' * MB)}, ROW),
        ('age_1mb_zeros', {'base.csv': BASE.replace('A,female,0,', 'A,female,%s5,' % ('0' * MB))}, r'base\.csv'),
        ('quoted_id_100k_lines', {'base.csv': BASE.replace('\nB,', '\n"%s",' % ('B\n' * 100000), 1)}, r'base\.csv'),
        ('column_name_1mb', {'base.csv': BASE.replace('population', 'p' * MB, 1)}, r'base\.csv'),
        ('mx_header_1mb_bom', {'mx.csv': '\ufeff' * (MB // 3) + MX}, r'mx\.csv')]:
    cli('long_' + label, VAL, files, 'bad', pat, timeout=120)
cli('long_zone_name_1mb_toml', VAL, {}, 'bad', r'sc\.toml', toml=G('name = "Zone A"', 'name = "%s"' % ('n' * MB)))
cli('long_comment_30mb_toml', VAL, {}, 'ok', toml='#' + 'c' * (30 * MB) + '\n' + GOOD, timeout=120)

# --- (e) Where outputs go ---------------------------------------------------------------------------------------------
cli('out_link_to_itself', RUN, {'out': 'SYMLINK:out'}, 'bad', r'out')
cli('out_under_link_loop', ['run', 'sc.toml', '--out', 'loop/out', '--quiet', '--no-report'],
    {'loop': 'SYMLINK:loop'}, 'bad', r'loop')
cli('out_under_dangling_link', ['run', 'sc.toml', '--out', 'gone/out', '--quiet', '--no-report'],
    {'gone': 'SYMLINK:nowhere/x'}, 'bad', r'gone')
cli('out_under_fifo', ['run', 'sc.toml', '--out', 'f/out', '--quiet', '--no-report'], {'f': 'FIFO'}, 'bad',
    r'f/out|f\b',
    timeout=20)
cli('out_proc_self_fd', ['run', 'sc.toml', '--out', '/proc/self/fd/1', '--quiet', '--no-report'], {}, 'bad',
    r'/proc/self/fd/1')
cli('out_is_scenario', ['run', 'sc.toml', '--out', 'sc.toml', '--quiet', '--no-report'], {}, 'bad', r'sc\.toml')
cli('out_is_table', ['run', 'sc.toml', '--out', 'base.csv', '--quiet', '--no-report'], {}, 'bad', r'base\.csv')
cli('out_dot_suffix', ['run', 'sc.toml', '--out', 'out/.', '--quiet', '--no-report'], {}, 'any', r'out')
cli('out_dotdot_back', ['run', 'sc.toml', '--out', 'sub/../out', '--quiet', '--no-report'], {'sub/': None}, 'any',
    r'out')


def results_with_loop(d):
    subprocess.run([EXE, 'run', 'sc.toml', '--out', 'out', '--quiet', '--no-report'], cwd=d, env=ENV,
                   capture_output=True, timeout=120)
    os.symlink('loop', os.path.join(d, 'out', 'loop'))
    os.symlink('..', os.path.join(d, 'out', 'up'))


def user_links_kept(d, rc):
    gone = [n for n in ('loop', 'up') if not os.path.lexists(os.path.join(d, 'out', n))]
    return ['DELETED the user\'s out/%s' % n for n in gone] if rc == 0 else []


cli('out_results_with_user_link_loop', RUN, {}, 'any', r'out', pre=results_with_loop, post=user_links_kept)


def concurrent(name, commands, check_results=True, timeout=180):
    """commands (argument lists) started at once in one case folder; each exits 0 or 1 with a message; afterwards
    out/ is one whole result (validate --results passes) and nothing is left beside it."""
    if not wanted(name):
        return
    d = os.path.join(ROOT, 'cases', name)
    make(d, dict(INPUTS, **{'sc.toml': GOOD}))
    names = set(os.listdir(d))
    t0 = time.time()
    outs = []
    ts = [threading.Thread(target=lambda a: outs.append(run_measured([EXE] + a, d, ENV, timeout)), args=(c,))
          for c in commands]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    probs = []
    for rc, _, err, _, _ in outs:
        if rc not in (0, 1) or (rc == 1 and not err.strip()):
            probs.append('EXIT %d %s' % (rc, err.strip()[-100:]))
    probs += leftovers(d, names)
    if check_results and any(o[0] == 0 for o in outs):
        rc, _, err, _, _ = run_measured([EXE, 'validate', 'sc.toml', '--results', 'out'], d, ENV, 120)
        if rc != 0:
            probs.append('RESULTS BROKEN: %s' % err.strip()[-150:])
    record(name, not probs, ('; '.join(probs) + ' | ' if probs else '') + 'exits %s in %.1f s' % (
        sorted(o[0] for o in outs), time.time() - t0))


concurrent('concurrent_four_runs_one_out', [RUN + ['--variant', v] for v in ('baseline', 'more', 'baseline', 'more')])
concurrent('concurrent_run_and_report', [RUNR, ['report', 'out']], check_results=True)

# --- (f) Years --------------------------------------------------------------------------------------------------------
for label, old, new, expect in [
        ('horizon_1000_steps', 'horizon = 2030', 'horizon = 7020', 'any'),
        ('horizon_5000_steps', 'horizon = 2030', 'horizon = 27020', 'any'),
        ('base_year_minus_2000', 'base_year = 2020', 'base_year = -2000', 'bad'),
        ('base_year_zero', 'base_year = 2020', 'base_year = 0', 'bad'),
        ('base_year_9999', 'base_year = 2020', 'base_year = 9999', 'bad'),
        ('horizon_before_base', 'horizon = 2030', 'horizon = 2015', 'bad'),
        ('horizon_equals_base', 'horizon = 2030', 'horizon = 2020', 'bad'),
        ('plan_period_past_calendar', '"2026-2030" = "second"', '"2026-99999" = "second"', 'bad'),
        ('migration_years_intmax', 'years = [2021, 2025]', 'years = [2021, 2147483647]', 'bad'),
        ('tfr_year_1000_and_3000', '"2020" = 1.0, "2030" = 2.0', '"1000" = 1.0, "3000" = 2.0', 'any')]:
    cli('year_' + label, VAL if 'steps' not in label else RUN, {}, expect, r'sc\.toml', toml=G(old, new), timeout=120)
cli('year_step_1_horizon_1000', RUN, {}, 'any', r'sc\.toml',
    toml=G('step = 5', 'step = 1').replace('horizon = 2030', 'horizon = 3020'), timeout=120)

# Keys given twice in one file by different spellings (the scenario has no includes: one file holds every key).
for label, toml in [
        ('dotted_and_table', G('srb = 105', 'srb = 105\n[fertility.schedule]\npath = "asfr.csv"')),
        ('quoted_and_bare', G('srb = 105', 'srb = 105\n"srb" = 106')),
        ('unicode_escape_twin', G('srb = 105', 'srb = 105\n"\\u0073rb" = 106')),
        ('variant_twice', GOOD + '\n[[variants]]\nname = "more"\nfertility = { tfr = 2.5 }\n'),
        ('zone_twice', G('{ id = "B", name = "Zone B" } ]',
                         '{ id = "B", name = "Zone B" }, { id = "A", name = "A2" } ]')),
        ('plan_period_twice_spelt', G('"2026-2030" = "second"', '"2026-2030" = "second"\n"2026 - 2030" = "third"'))]:
    cli('dupkey_' + label, VAL, {}, 'bad', r'sc\.toml|twice|duplicate|appears', toml=toml)

# --- (g) No zones -----------------------------------------------------------------------------------------------------
NOZ = G('zones = [ { id = "A", name = "Zone A" }, { id = "B", name = "Zone B" } ]', 'zones = []')
cli('zones_empty_list', VAL, {}, 'bad', r'sc\.toml', toml=NOZ)
cli('zones_empty_run', RUN, {}, 'bad', r'sc\.toml', toml=NOZ)
cli('base_header_only', VAL, {'base.csv': 'zone,sex,age,population\n'}, 'bad', r'base\.csv')
cli('base_filter_leaves_nothing', VAL, {}, 'bad', r'base\.csv|filter',
    toml=BASEREF('{ path = "base.csv", filter = { zone = "C" } }'))
cli('aggregate_empty', VAL, {}, 'bad', r'aggregates', toml=G('{ id = "B", name = "Zone B" } ]',
                                                                '{ id = "B", name = "Zone B" } ]\n'
                                                                'aggregates = [ { name = "none", zones = [] } ]'))
cli('zone_source_empty_layer', VAL, {'z.geojson': '{"type":"FeatureCollection","features":[]}'}, 'bad', r'z\.geojson',
    toml=ZSRC('z.geojson'))

# --- (h) GDAL virtual paths -------------------------------------------------------------------------------------------
inner = io.BytesIO()
with zipfile.ZipFile(inner, 'w') as z:
    z.writestr('base.csv', BASE)
outer = io.BytesIO()
with zipfile.ZipFile(outer, 'w') as z:
    z.writestr('inner.zip', inner.getvalue())
tarb = io.BytesIO()
with tarfile.open(fileobj=tarb, mode='w') as t:
    info = tarfile.TarInfo('base.csv')
    info.size = len(BASE)
    t.addfile(info, io.BytesIO(BASE.encode()))
ARCH = {'outer.zip': outer.getvalue(), 'b.tar': tarb.getvalue(), 'base.csv.gz': gzip.compress(BASE.encode())}
VSI = r'local|virtual|vsi|not found|no such file|expected'
for label, path in [
        ('vsizip_nested', '/vsizip//vsizip/outer.zip/inner.zip/base.csv'),
        ('vsizip_nested_relative', '/vsizip/{/vsizip/outer.zip/inner.zip}/base.csv'),
        ('vsisubfile', '/vsisubfile/0_200,base.csv'), ('vsitar', '/vsitar/b.tar/base.csv'),
        ('vsigzip', '/vsigzip/base.csv.gz'), ('vsistdin', '/vsistdin/'), ('vsimem', '/vsimem/base.csv'),
        ('vsicurl_streaming', '/vsicurl_streaming/%s/base.csv' % URL), ('vsiaz', '/vsiaz/c/base.csv'),
        ('vsigs', '/vsigs/b/base.csv'), ('vsioss', '/vsioss/b/base.csv'), ('vsiswift', '/vsiswift/c/base.csv'),
        ('vsiadls', '/vsiadls/c/base.csv'), ('vsiwebhdfs', '/vsiwebhdfs/%s/base.csv' % URL),
        ('vsihdfs', '/vsihdfs/hdfs://127.0.0.1:%d/base.csv' % NET.port), ('vsi7z', '/vsi7z/b.7z/base.csv'),
        ('vsirar', '/vsirar/b.rar/base.csv'), ('upper_vsicurl', '/VSICURL/%s/base.csv' % URL),
        ('double_slash_vsicurl', '//vsicurl/%s/base.csv' % URL), ('leading_space_vsicurl', ' /vsicurl/%s/b.csv' % URL),
        ('vsicurl_query', '/vsicurl?url=%s/base.csv' % URL.replace(':', '%3A')),
        ('vsicached', '/vsicached?file=/vsicurl/%s/base.csv' % URL)]:
    cli('vsi_table_' + label, VAL, ARCH, 'bad', VSI, toml=BASEREF('"%s"' % path))
    if label in ('vsizip_nested', 'vsisubfile', 'vsistdin', 'vsigzip', 'upper_vsicurl', 'vsicached'):
        cli('vsi_info_' + label, ['info', path], ARCH, 'bad', VSI)
        cli('vsi_zone_source_' + label, VAL, ARCH, 'bad', VSI, toml=ZSRC(path))

# --- (i) GeoJSON, VRT and GeoPackage tricks ---------------------------------------------------------------------------
GJ = ZONES_GEOJSON[:-2]  # without the closing brace and line break


def gj(extra):
    return GJ + ',' + extra + '}\n'


for label, text, expect in [
        ('crs_link_listener', gj('"crs":{"type":"link","properties":{"href":"%s/crs.wkt","type":"ogcwkt"}}' % URL),
         'any'),
        ('crs_ogc_url', gj('"crs":{"type":"name","properties":{"name":"http://www.opengis.net/def/crs/EPSG/0/4326"}}'),
         'ok'),
        ('crs_name_listener', gj('"crs":{"type":"name","properties":{"name":"%s/def/crs/EPSG/0/4326"}}' % URL), 'any'),
        ('schema_listener', gj('"$schema":"%s/schema.json","$ref":"%s/more.json"' % (URL, URL)), 'ok'),
        ('dup_property_keys', ZONES_GEOJSON.replace('{"id":"A"}', '{"id":"A","id":"B"}'), 'any'),
        ('id_float', ZONES_GEOJSON.replace('"id":"A"', '"id":1.0').replace('"id":"B"', '"id":2.0'), 'any'),
        ('id_bool', ZONES_GEOJSON.replace('"id":"A"', '"id":true').replace('"id":"B"', '"id":false'), 'any'),
        ('properties_deep', ZONES_GEOJSON.replace('{"id":"A"}', '{"id":"A","x":' + '{"a":' * 10000 + '1' + '}' * 10000
                                                  + '}'), 'any'),
        ('features_number', '{"type":"FeatureCollection","features":1e308}', 'bad')]:
    cli('geojson_' + label, VAL, {'z.geojson': text}, expect, r'z\.geojson|zone', toml=ZSRC('z.geojson'))
cli('topojson_listener', VAL, {'z.json': '{"type":"Topology","objects":{"z":{"type":"GeometryCollection","geometries"'
                                         ':[]}},"arcs":[],"transform":{"scale":[1,1],"translate":[0,0]},"$ref":"%s"}'
                               % URL}, 'bad', r'z\.json', toml=ZSRC('z.json'))
cli('esrijson_listener', VAL, {'z.json': '{"geometryType":"esriGeometryPolygon","spatialReference":{"wkid":4326},'
                                         '"fields":[{"name":"id","type":"esriFieldTypeString"}],"features":[],'
                                         '"exceededTransferLimit":true,"next":"%s/page2"}' % URL}, 'bad', r'z\.json',
    toml=ZSRC('z.json'))


def vrt(src, extra='', attrs='relativeToVRT="1"'):
    return ('<OGRVRTDataSource><OGRVRTLayer name="base"><SrcDataSource %s>%s</SrcDataSource>%s</OGRVRTLayer>'
            '</OGRVRTDataSource>\n' % (attrs, src, extra))


chain = {'v0.vrt': vrt('base.csv')}
for i in range(1, 40):
    chain['v%d.vrt' % i] = vrt('v%d.vrt' % (i - 1))
VRT_REF = BASEREF('"v.vrt"')
for label, files, expect, pat in [
        ('vsistdin_source', {'v.vrt': vrt('/vsistdin/')}, 'bad', r'v\.vrt'),
        ('chain_40', dict(chain, **{'v.vrt': vrt('v39.vrt')}), 'bad', r'v\.vrt|deep|nested'),
        ('xinclude', {'v.vrt': '<OGRVRTDataSource xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="%s/x"/>'
                               '<OGRVRTLayer name="base"><SrcDataSource relativeToVRT="1">base.csv</SrcDataSource>'
                               '</OGRVRTLayer></OGRVRTDataSource>\n' % URL}, 'any', r'v\.vrt'),
        ('utf16', {'v.vrt': vrt('base.csv').encode('utf-16')}, 'any', r'v\.vrt'),
        ('layer_srs_url', {'v.vrt': vrt('base.csv', '<LayerSRS>%s/srs.wkt</LayerSRS>' % URL)}, 'any', r'v\.vrt'),
        ('gpkg_prefix_source', {'v.vrt': vrt('GPKG:b.gpkg:base'), 'b.gpkg': read(os.path.join(SRC, 'wal.gpkg'))},
         'bad', r'v\.vrt|GPKG'),
        ('csv_prefix_passwd', {'v.vrt': vrt('CSV:/etc/passwd', attrs='relativeToVRT="0"')}, 'bad', r'v\.vrt'),
        ('src_layer_sql_injection', {'v.vrt': vrt('base.csv', '<SrcLayer>base" UNION SELECT * FROM x --</SrcLayer>')},
         'bad', r'v\.vrt|layer')]:
    cli('vrt_' + label, VAL, files, expect, pat, toml=VRT_REF)


def gpkg_srs(definition):
    p = os.path.join(SRC, 'srs.gpkg')
    sqlite_file(p, os.path.join(SRC, 'zones.geojson'), [], 'GPKG', 'z')
    c = sqlite3.connect(p)
    c.execute("UPDATE gpkg_spatial_ref_sys SET definition = ? WHERE srs_id = 4326", (definition,))
    c.commit()
    c.close()
    return read(p)


cli('gpkg_srs_1mb_garbage', VAL, {'z.gpkg': gpkg_srs('X' * MB)}, 'any', r'z\.gpkg', toml=ZSRC('z.gpkg'))
cli('gpkg_srs_grid_at_listener', VAL, {'z.gpkg': gpkg_srs('+proj=longlat +datum=WGS84 +nadgrids=%s/g.tif '
                                                             '+no_defs' % URL)}, 'any', r'z\.gpkg',
    toml=ZSRC('z.gpkg'), env={'PROJ_NETWORK': 'ON'})
cli('gpkg_srs_projjson_ref', VAL, {'z.gpkg': gpkg_srs('{"$ref":"%s/crs.json"}' % URL)}, 'any', r'z\.gpkg',
    toml=ZSRC('z.gpkg'))



def gpkg_custom_srs(definition):
    """Zones in a GeoPackage whose layer's CRS is srs_id 99999 of organisation NONE with this definition."""
    p = os.path.join(SRC, 'srs2.gpkg')
    sqlite_file(p, os.path.join(SRC, 'zones.geojson'), [], 'GPKG', 'z')
    c = sqlite3.connect(p)
    c.execute("INSERT INTO gpkg_spatial_ref_sys VALUES ('custom', 99999, 'NONE', 99999, ?, NULL)", (definition,))
    c.execute("UPDATE gpkg_contents SET srs_id = 99999")
    c.execute("UPDATE gpkg_geometry_columns SET srs_id = 99999")
    c.commit()
    c.close()
    return read(p)


cli('gpkg_custom_srs_grid_at_listener', VAL, {'z.gpkg': gpkg_custom_srs(
    '+proj=longlat +ellps=clrk66 +nadgrids=%s/g.tif +no_defs' % URL)}, 'any', r'z\.gpkg', toml=ZSRC('z.gpkg'),
    env={'PROJ_NETWORK': 'ON'})
cli('gpkg_custom_srs_garbage', VAL, {'z.gpkg': gpkg_custom_srs('X' * MB)}, 'bad', r'z\.gpkg', toml=ZSRC('z.gpkg'))
cli('gpkg_custom_srs_passwd_grid', VAL, {'z.gpkg': gpkg_custom_srs('+proj=longlat +ellps=clrk66 '
                                                                   '+nadgrids=/etc/passwd +no_defs')}, 'any',
    r'z\.gpkg', toml=ZSRC('z.gpkg'))

# --- (k) Values quoted in messages: cut when long, control characters escaped -----------------------------------------
X = 'x' * 100000
for label, toml, files in [
        ('timing_100k', G('open_age = 20', 'open_age = 20\nmigration_timing = "%s"' % X), {}),
        ('kind_100k', G('kind = "in"', 'kind = "%s"' % X), {}),
        ('target_zone_100k', G('zone = "A"\nyear', 'zone = "%s"\nyear' % X), {}),
        ('target_indicator_100k', G('indicator = "population"', 'indicator = "%s"' % X), {}),
        ('layer_100k', BASEREF('{ path = "base.csv", layer = "%s" }' % X), {}),
        ('values_sex_100k', BASEREF('{ path = "base.csv", values = { sex = { "female" = "%s" } } }' % X), {}),
        ('tfr_key_100k', G('"2020" = 1.0', '"%s" = 1.0' % X), {}),
        ('language_escape', G('language = "zh-CN"', 'language = "zh\\u001b[31mRED"'), {}),
        ('timing_newline', G('open_age = 20', 'open_age = 20\nmigration_timing = "even\\nend"'), {}),
        ('sex_cell_newline', GOOD, {'base.csv': BASE.replace('A,female,0,', 'A,"fe\nmale",0,', 1)}),
        ('sex_cell_escape_seq', GOOD, {'base.csv': BASE.replace('A,female,0,', 'A,fe\x1b[2Jmale,0,', 1)})]:
    name = 'msg_' + label
    if wanted(name):
        d = os.path.join(ROOT, 'cases', name)
        make(d, dict(INPUTS, **{'sc.toml': toml}, **files))
        rc, o, err, secs, rss = run_measured([EXE] + VAL, d, ENV, 60)
        body = err.rstrip('\n')
        extra = (['RAW CONTROL CHARACTER in the message'] if any(ord(c) < 0x20 for c in body) else []) + \
            (['LONG MESSAGE %d' % len(err)] if len(err) > 2000 else [])
        LOG.check(name, rc, o, err, secs, rss, 'bad', r'sc\.toml|base\.csv', extra)
# --- (j) Python -------------------------------------------------------------------------------------------------------
PY_DIR = os.path.join(ROOT, 'py')
PYOUT = os.path.join(ROOT, 'pyout')
make(PY_DIR, dict(INPUTS, **{'good.toml': GOOD, 'bad.toml': G('srb = 105', 'srb = -5'),
                             'long.toml': G('[projection]', '[stochastic]\ntrajectories = 3000\nseed = 1\n'
                                                            'tfr = { sd = 0.1, ar1 = 0.8 }\n\n[projection]')}))
os.makedirs(PYOUT)
os.symlink('loop', os.path.join(PYOUT, 'loop'))
PROBE.py_prelude = ('import gc, os, signal, sys, threading, time, numpy as np, pandas as pd, cohortgis as cg\n'
                    'P = %r\nD = os.path.dirname(P)\nOUT = %r\n'
                    's = cg.load_scenario(P)\nsc = s.baseline\nbp = sc.base_population\n'
                    'ref = cg.run(sc, threads=1)["baseline"].population.copy()\n' % (os.path.join(PY_DIR, 'good.toml'),
                                                                                     PYOUT))
PROBE.py_dir, PROBE.py_watched = PY_DIR, [PY_DIR, SHARED]
py = PROBE.py
BAD = ('TypeError', 'ValueError')
SAME = '\nbool(np.array_equal(cg.run(sc, threads=1)["baseline"].population, ref))'
py('py_reuse_after_bad_load', "try:\n    cg.load_scenario(os.path.join(D, 'bad.toml'))\nexcept ValueError:\n    pass\n"
   "s2 = cg.load_scenario(P)\nbool(np.array_equal(cg.run(s2.baseline, threads=1)['baseline'].population, ref))", 'ok',
   r'True')
py('py_reuse_after_bad_tfr', 'try:\n    sc.set_tfr(float("nan"))\nexcept (ValueError, TypeError):\n    pass' + SAME,
   'ok',
   r'True')
py('py_reuse_after_bad_zones', 'sc2 = sc.copy()\ntry:\n    sc2.set_zones(["A", "A"])\n    cg.run(sc2)\n'
   'except (ValueError, TypeError):\n    pass' + SAME,
   'ok', r'True')
py('py_reuse_after_bad_grid', 'try:\n    sc.set_grid(7, 20)\nexcept (ValueError, TypeError):\n    pass' + SAME, 'ok',
   r'True')
py('py_reuse_after_duplicate_variant', 'try:\n    s.add_variant("more")\nexcept (ValueError, TypeError):\n'
   '    pass' + SAME,
   'ok', r'True')
py('py_write_outputs_into_file_then_ok', "open(os.path.join(OUT, 'afile'), 'w').close()\ntry:\n"
   "    cg.write_outputs(P, os.path.join(OUT, 'afile'))\nexcept (ValueError, OSError):\n    pass\n"
   "r = cg.write_outputs(P, os.path.join(OUT, 'after_file'))\nos.path.exists(os.path.join(OUT, 'after_file', "
   "'manifest.json'))", 'ok', r'True', timeout=120)
py('py_write_outputs_link_loop', "cg.write_outputs(P, os.path.join(OUT, 'loop'))", BAD + ('OSError',), r'loop')
py('py_write_outputs_under_link_loop', "cg.write_outputs(P, os.path.join(OUT, 'loop', 'x'))", BAD + ('OSError',),
   r'loop')
py('py_write_outputs_proc', "cg.write_outputs(P, '/proc/self/h99')", BAD + ('OSError',), r'/proc')
py('py_write_outputs_nul', "cg.write_outputs(P, 'a\\0b')", BAD, r'NUL|null|control')
py('py_kbint_run_then_again', "sl = cg.load_scenario(os.path.join(D, 'long.toml'))\n"
   "signal.setitimer(signal.ITIMER_REAL, 0.3)\nsignal.signal(signal.SIGALRM, lambda *a: (_ for _ in ()).throw("
   "KeyboardInterrupt()))\ntry:\n    cg.run(sl, threads=2)\nexcept KeyboardInterrupt:\n    pass\n"
   "signal.setitimer(signal.ITIMER_REAL, 0)" + SAME, 'ok', r'True', timeout=120)
py('py_kbint_write_then_again', "signal.signal(signal.SIGALRM, lambda *a: (_ for _ in ()).throw(KeyboardInterrupt()))\n"
   "signal.setitimer(signal.ITIMER_REAL, 0.4)\no = os.path.join(OUT, 'kb')\ntry:\n"
   "    cg.write_outputs('default', o)\nexcept KeyboardInterrupt:\n    pass\nsignal.setitimer(signal.ITIMER_REAL, 0)\n"
   "left = [n for n in os.listdir(OUT) if '.tmp-' in n or '.old-' in n]\ncg.write_outputs(P, o)\n"
   "(left, os.path.exists(os.path.join(o, 'manifest.json')))", 'ok', r"\(\[\], True\)", timeout=180)
py('py_threads_load_run_write', "errs = []\ndef w(i):\n    try:\n        s_ = cg.load_scenario(P)\n"
   "        assert np.array_equal(cg.run(s_.baseline, threads=1)['baseline'].population, ref)\n"
   "        cg.write_outputs(P, os.path.join(OUT, 't%d' % i))\n    except BaseException as e:\n"
   "        errs.append(repr(e))\nts = [threading.Thread(target=w, args=(i,)) for i in range(4)]\n"
   "[t.start() for t in ts]\n[t.join() for t in ts]\nerrs", 'ok', r'\[\]', timeout=180)
py('py_threads_write_one_folder', "errs = []\ndef w():\n    try:\n"
   "        cg.write_outputs(P, os.path.join(OUT, 'same'))\n"
   "    except (ValueError, OSError) as e:\n        errs.append(str(e)[:80])\n"
   "ts = [threading.Thread(target=w) for i in range(3)]\n[t.start() for t in ts]\n[t.join() for t in ts]\n"
   "(os.path.exists(os.path.join(OUT, 'same', 'manifest.json')), [n for n in os.listdir(OUT) if '.tmp-' in n or "
   "'.old-' in n])", 'ok', r"\(True, \[\]\)", timeout=180)
FR = ("zones = pd.DataFrame({'id': ['A', 'B']})\n"
      "bpf = pd.DataFrame({'zone': ['A'] * 4 + ['B'] * 4, 'sex': ['female', 'female', 'male', 'male'] * 2, "
      "'age': [0, 10] * 4, 'population': [100.0] * 8})\n"
      "mxf = pd.DataFrame({'age': [0, 1, 5, 10] * 2, 'sex': ['female'] * 4 + ['male'] * 4, 'mx': [0.01] * 8})\n"
      "ff = pd.DataFrame({'age': [0], 'asfr': [0.0]})\n")
py('py_frames_ok', FR + "len(cg.scenario_from_frames(zones=zones, base_population=bpf, mortality=mxf, fertility=ff, "
   "base_year=2020, horizon=2030, open_age=10).runs)", 'ok', r'1')
py('py_frames_no_zones', FR + "cg.scenario_from_frames(zones=zones.iloc[:0], base_population=bpf.iloc[:0], "
   "mortality=mxf, fertility=ff, base_year=2020, horizon=2030, open_age=10)", BAD, r'zone')
py('py_frames_nfd_ids', FR + "import unicodedata\nzones = pd.DataFrame({'id': ['Caf\\u00e9', 'B']})\n"
   "bpf['zone'] = [unicodedata.normalize('NFD', 'Caf\\u00e9')] * 4 + ['B'] * 4\n"
   "cg.scenario_from_frames(zones=zones, base_population=bpf, mortality=mxf, fertility=ff, base_year=2020, "
   "horizon=2030, open_age=10)", BAD, r'zone|Caf')
py('py_frames_base_year_minus_1e9', FR + "cg.scenario_from_frames(zones=zones, base_population=bpf, mortality=mxf, "
   "fertility=ff, base_year=-10**9, horizon=2030, open_age=10)", BAD + ('OverflowError',), r'year')
py('py_frames_horizon_1e9', FR + "cg.scenario_from_frames(zones=zones, base_population=bpf, mortality=mxf, "
   "fertility=ff, base_year=2020, horizon=10**9, open_age=10)", BAD + ('OverflowError',), r'horizon|year')
py('py_frames_pop_1e308', FR + "bpf['population'] = 1e308\ncg.scenario_from_frames(zones=zones, base_population=bpf, "
   "mortality=mxf, fertility=ff, base_year=2020, horizon=2030, open_age=10)", BAD, r'population|1e\+?308')
py('py_bp_1e308_run', 'a = bp.copy()\na[0, 0, 0, 0] = 1e308\nsc.base_population = a\ncg.run(sc)', BAD,
   r'population|1e\+?308|bound|finite')
py('py_bp_longdouble', 'sc.base_population = bp.astype(np.longdouble)' + SAME, ('ok',) + BAD, r'True|dtype|double')
py('py_bp_subnormal_ok', 'a = bp.copy()\na[-1, 0, -1, -1] = 5e-324\nsc.base_population = a\n'
   'bool(np.isfinite(cg.run(sc, threads=1)["baseline"].population).all())', 'ok', r'True')
py('py_set_zones_empty_then_run', 'sc2 = sc.copy()\nsc2.set_zones([])\ncg.run(sc2)', BAD + ('RuntimeError',), r'zone')
py('py_results_after_failed_write', "r = cg.run(s, threads=1)\ntry:\n    cg.write_outputs(P, '/proc/self/x')\n"
   "except (ValueError, OSError):\n    pass\nbool(np.array_equal(r['baseline'].population, ref))", 'ok', r'True')

for p in ('/vsimem', '/vsistdin', '/vsizip'):
    if os.path.isdir(p):
        record('cleanup_' + p.strip('/'), False, 'a real folder %s was created: %s' % (p, os.listdir(p)))
PROBE.finish()
