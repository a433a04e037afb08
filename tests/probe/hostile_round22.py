#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Hostile-input probe of round 22 (helper h117), the command line: what rounds 3 to 21 did not try. (a) Messages
that show what the input holds: C1 controls (CSI U+009B, NEL U+0085), bidi overrides and isolates (U+202E, U+2066),
zero-width characters and a BOM in table cells, paths and the command line's own values must come out escaped, never
raw (a raw ESC, C1 or bidi control in any error message is a problem in every case of this probe); (b) every
command's numeric options at their edges: 0, negative, inf, NaN, hex, 1e400, a decimal comma, spaces; (c) options
given twice, conflicting and the same variant twice; (d) an input that is also the output: `estimate --out` a census,
the censuses' folder or its parent, `backtest --out` the scenario's folder, `map --out` onto results.gpkg,
report.html, zones.csv or indicators.csv of the results it reads; `validate --results` a folder that is not results;
(e) paths: `link/..` after a symbolic link in a table path, the scenario's path and `--out` (the kernel's `..` is the
link target's parent, a lexical one is not), a working folder deeper than PATH_MAX, names with RTL, zero-width and
line separators; (f) inputs cut while read (a 9.5 MB base population truncated and grown during `run`); (g) formats
with malformed insides: XLSX whose relationships point at `/etc/passwd`, `../../..` or the listener, a 1 GB sheet or
shared strings zipped to 1 MB, an ODS content.xml of 1 GB zipped; Shapefiles whose `.dbf` has more or fewer records
than the `.shp`; a GeoPackage whose header claims 2^31 pages; (h) resources: a CPU-time limit (SIGXCPU), `ulimit -f`
and `-n` for `estimate`, `backtest`, `map` and `report`, a full tmpfs under `backtest` and `map --format svg`;
(i) SIGINT/SIGTERM at random times while `run`, `backtest`, `estimate` and `report` replace earlier results: the
earlier folder must be intact (or a complete new one), nothing `.tmp-`/`.old-` left, exit within 1 s of the signal.
A case fails on a crash, a hang, an exit other than the expected, a message that does not match, a crash-like, huge
or raw-control message, a network connection, /etc/passwd quoted, a file written, changed or deleted outside the
output, or staging folders left after an error.
Usage: PYTHONPATH=build/python /usr/bin/python3 tests/probe/hostile_round22.py [BUILD_DIR [WORK_DIR]] [PREFIX ...]"""
import os, random, re, shutil, signal, struct, subprocess, sys, threading, time, zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe_common import (BT, C1, EST, EST_FILES, MAP, OBS, RUN, VAL, ZONES_GJ, CliProbe, leftovers, make, reseal,
                          run_measured, snapshot)
from probe_common import limits as lim

PROBE = CliProbe('cohortgis-hostile-probe22-')
ROOT, EXE, URL, ENV, LOG = PROBE.root, PROBE.exe, PROBE.url, PROBE.env, PROBE.log
record, wanted, cli = LOG.record, PROBE.wanted, PROBE.cli
PROBE.quoted = ('root', 'daemon', '/bin/bash', '/usr/sbin')
GOOD, INPUTS, SHARED = PROBE.good, PROBE.inputs, PROBE.shared
BASE, MX, ASFR = INPUTS['base.csv'], INPUTS['mx.csv'], INPUTS['asfr.csv']
G, BASEREF, ZSRC = PROBE.g, PROBE.baseref, PROBE.zsrc
make(SHARED, {'victim/thesis.txt': 'precious\n'})
random.seed(22)

# Every error message of every case: no raw terminal control (ESC, BEL, C1) nor invisible reordering or zero-width
# character (what a message quotes must be seen as it is).
RAW = re.compile('[\x07\x1b\u0080-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200b-\u200f\u2060\ufeff]')
_check = LOG.check


def check_raw(name, rc, out, err, secs, rss, expect, pattern=None, extra=()):
    extra = list(extra)
    if rc != 0 and RAW.search(err):
        m = RAW.search(err)
        extra.append('RAW U+%04X in the message' % ord(m.group(0)))
    return _check(name, rc, out, err, secs, rss, expect, pattern, extra)


LOG.check = check_raw



def with_results(d):
    """Results in res/ of the good scenario with zone boundaries (so `map` has shapes to draw)."""
    make(d, {'zones.geojson': ZONES_GJ, 'sc.toml': ZSRC('zones.geojson')})
    subprocess.run([EXE, 'run', 'sc.toml', '--out', 'res', '--quiet'], cwd=d, env=ENV, capture_output=True, timeout=300)



# --- (a) What messages quote: invisible and control characters escaped ---------------------------------------------
for label, ch in [('csi_c1', '\u009b2J'), ('nel', '\u0085'), ('rlo', '\u202e'), ('isolate', '\u2066'),
                  ('zwsp', '\u200b'), ('bom', '\ufeff'), ('line_sep', '\u2028'), ('word_joiner', '\u2060')]:
    cli('esc_zone_cell_' + label, VAL, {'base.csv': BASE.replace('\nB,female,0,', '\nB%s,female,0,' % ch, 1)}, 'bad',
        r'base\.csv')
    cli('esc_sex_cell_' + label, VAL, {'base.csv': BASE.replace('A,female,0,', 'A,fe%smale,0,' % ch, 1)}, 'bad',
        r'base\.csv')
    cli('esc_table_path_' + label, VAL, {}, 'bad', r'\.csv', toml=BASEREF('"b%s.csv"' % ch))
    cli('esc_info_path_' + label, ['info', 'x%s.csv' % ch], {}, 'bad', r'x')
cli('esc_toml_key_rlo', VAL, {}, 'bad', r'sc\.toml', toml=G('srb = 105', 'srb = 105\n"x\u202e" = 1'))
cli('esc_variant_unknown_rlo', RUN + ['--variant', 'mo\u202ere'], {}, 'bad', r'variant')
# The command line's own values.
ESC = '\x1b[2J\x1b]0;owned\x07'
for label, args in [('years', EST[:6] + ['2000:2010' + ESC] + EST[7:]),
                    ('mx_filter', EST + ['--mx', 'mx.csv', '--mx-filter', ESC]),
                    ('floating', ['estimate', '--group-split', 'c1.csv', '--floating', ESC, '--out', 'out']),
                    ('threads', RUN + ['--threads', ESC]), ('dpi', MAP + ['--dpi', ESC]),
                    ('change', MAP[:-2] + ['--change', ESC]), ('period', MAP[:-2] + ['--period', ESC]),
                    ('lang', RUN + ['--lang', ESC]), ('format', RUN + ['--format', ESC]),
                    ('classes', MAP + ['--classes', ESC]), ('components', RUN + ['--components', ESC]),
                    ('variant', RUN + ['--variant', ESC]), ('indicator',
                                                            MAP[:2] + ['--indicator', ESC, '--year', '2025']),
                    ('group', MAP + ['--group', ESC]), ('map_variant', MAP + ['--variant', ESC]),
                    ('map_format', MAP + ['--format', ESC]),
                    ('layer', ['info', 'base.csv', '--layer', ESC]),
                    ('encoding', ['info', 'base.csv', '--encoding', ESC]),
                    ('allow_read', RUN + ['--allow-read', ESC]), ('allow_db', RUN + ['--allow-db', ESC]),
                    ('unknown_option', RUN + ['--x' + ESC]), ('unknown_command', [ESC]),
                    ('seed', RUN + ['--seed', ESC]), ('report_lang', ['report', 'res', '--lang', ESC]),
                    ('scenario_path', ['validate', 's' + ESC + '.toml'])]:
    needs_res = label in ('dpi', 'change', 'period', 'classes', 'indicator', 'group', 'map_variant', 'map_format',
                          'report_lang')
    cli('esc_arg_' + label, args, dict(EST_FILES, **{'mx.csv': MX}), 'bad', None,
        pre=with_results if needs_res else None)
cli('esc_arg_out', RUN[:3] + ['o' + ESC] + RUN[4:], {}, 'any', None, out='o' + ESC)

# --- (b) Numbers at their edges ---------------------------------------------------------------------------------------
for label, extra, expect in [('dpi_0', ['--dpi', '0'], 'bad'), ('dpi_minus', ['--dpi', '-96'], 'bad'),
                             ('dpi_inf', ['--dpi', 'inf'], 'bad'), ('dpi_hex', ['--dpi', '0x60'], 'bad'),
                             ('dpi_tiny', ['--dpi', '1e-300'], 'bad'), ('dpi_1e400', ['--dpi', '1e400'], 'bad'),
                             ('dpi_comma', ['--dpi', '96,5'], 'bad'), ('n_classes_hex', ['--n-classes', '0x5'], 'bad'),
                             ('n_classes_10', ['--n-classes', '10'], 'bad'), ('n_classes_space', ['--n-classes', ' 5 '],
                                                                              'any')]:
    cli('num_map_' + label, MAP + ['--out', 'm.png'] + extra, {}, expect, r'--|dpi|classes', pre=with_results,
        allowed=('m.png',), timeout=120)
for label, extra, expect in [('mem_inf', ['--ensemble-memory', 'inf'], 'bad'),
                             ('mem_1e400', ['--ensemble-memory', '1e400'], 'bad'),
                             ('mem_hex', ['--ensemble-memory', '0x10'], 'any'),
                             ('mem_minus_0', ['--ensemble-memory', '-0'], 'bad'),
                             ('mem_comma', ['--ensemble-memory', '1,5'], 'bad'),
                             ('trajectories_minus', ['--trajectories', '-1'], 'bad'),
                             ('trajectories_0', ['--trajectories', '0'], 'any'),
                             ('trajectories_space', ['--trajectories', '2 '], 'any'),
                             ('threads_minus_0', ['--threads', '-0'], 'any'),
                             ('threads_4g_plus_1', ['--threads', '4294967297'], 'bad')]:
    cli('num_run_' + label, RUN + extra, {}, expect, r'--|memory|trajector|thread')
for label, extra, expect in [('ngr_nan', ['--natural-growth-per-1000', 'nan'], 'bad'),
                             ('ngr_inf', ['--natural-growth-per-1000', 'inf'], 'bad'),
                             ('ngr_1e308', ['--natural-growth-per-1000', '1e308'], 'bad'),
                             ('ngr_minus_1001', ['--natural-growth-per-1000', '-1001'], 'bad'),
                             ('female_share_nan', ['--female-share', 'nan'], 'bad'),
                             ('female_share_minus', ['--female-share', '-0.1'], 'bad'),
                             ('female_share_1_5', ['--female-share', '1.5'], 'bad'),
                             ('step_0', ['--step', '0'], 'bad'), ('step_3', ['--step', '3'], 'bad'),
                             ('step_minus', ['--step', '-5'], 'bad'), ('open_age_minus', ['--open-age', '-1'], 'bad'),
                             ('open_age_0', ['--open-age', '0'], 'bad'),
                             ('open_age_int_max', ['--open-age', '2147483647'], 'bad')]:
    cli('num_est_' + label, EST + extra, EST_FILES, expect, r'--|growth|share|step|open')
for label, years, expect in [('reversed', '2010:2000', 'bad'), ('equal', '2000:2000', 'bad'),
                             ('far', '2000:2000000000', 'any'), ('int_min', '-2147483648:2010', 'bad'),
                             ('spaces', ' 2000 : 2010 ', 'any'), ('hex', '0x7d0:2010', 'bad'),
                             ('fullwidth', '２０００:2010', 'bad'), ('three', '2000:2005:2010', 'bad')]:
    cli('num_est_years_' + label, EST[:6] + [years] + EST[7:], EST_FILES, expect, r'--years|year')
LEV = {'lev.csv': 'zone,indicator,value\nA,e0,75\nB,tfr,1.5\n', 'mx.csv': MX, 'asfr.csv': ASFR}
for label, srb, expect in [('nan', 'nan', 'bad'), ('zero', '0', 'bad'), ('minus', '-105', 'bad'), ('inf', 'inf', 'bad'),
                           ('huge', '1e308', 'bad')]:
    cli('num_est_srb_' + label, ['estimate', '--levels', 'lev.csv', '--mx', 'mx.csv', '--asfr', 'asfr.csv', '--srb',
                                 srb, '--out', 'out'], LEV, expect, r'--srb|srb|males')
cli('num_backtest_threads_minus', BT + ['--threads', '-1'], {'obs.csv': OBS}, 'bad', r'thread')

# --- (c) Options twice, in conflict -----------------------------------------------------------------------------------
for label, args, expect in [('out', RUN + ['--out', 'o2'], 'bad'),
                            ('lang', RUN + ['--lang', 'zh', '--lang', 'en'], 'bad'),
                            ('format', RUN + ['--format', 'csv', '--format', 'netcdf'], 'bad'),
                            ('seed', RUN + ['--seed', '1', '--seed', '2'], 'bad'),
                            ('map_year_and_period', MAP + ['--period', '2021-2025', '--out', 'm.png'], 'bad'),
                            ('map_year_and_change', MAP + ['--change', '2020:2030', '--out', 'm.png'], 'bad'),
                            ('est_levels_and_first', EST + ['--levels', 'c1.csv', '--mx', 'c1.csv'], 'bad'),
                            ('info_two_files', ['info', 'base.csv', 'mx.csv'], 'bad'),
                            ('components_twice_same', RUN + ['--components', 'births,births'], 'any')]:
    cli('twice_' + label, args, EST_FILES, expect, None, pre=with_results if label.startswith('map') else None,
        allowed=('m.png',), timeout=120)


def no_duplicate_rows(d, rc):
    p = os.path.join(d, 'out', 'population.csv')
    if rc != 0 or not os.path.exists(p):
        return []
    lines = open(p).read().splitlines()
    return ['DUPLICATE ROWS %d' % (len(lines) - len(set(lines)))] if len(lines) != len(set(lines)) else []


cli('twice_variant_same', RUN + ['--variant', 'more', '--variant', 'more'], {}, 'any', r'variant',
    post=no_duplicate_rows)
cli('twice_variant_baseline', RUN + ['--variant', 'baseline'], {}, 'any', r'variant', post=no_duplicate_rows)
cli('twice_backtest_variant_same', BT + ['--variant', 'more', '--variant', 'more'], {'obs.csv': OBS}, 'any', r'variant',
    post=no_duplicate_rows)

# --- (d) An input that is also the output -----------------------------------------------------------------------------
for label, out, cwd_rel, files in [('census_file', 'c1.csv', '', {}), ('censuses_folder', '.', '', {}),
                                   ('censuses_parent', '..', 'sub', {'sub/': None}),
                                   ('user_folder_with_census', 'u', '', {'u/c1.csv': C1})]:
    args = [a if a not in ('c1.csv', 'c2.csv') or cwd_rel == '' else '../' + a for a in EST[:-1]] + [out]
    if label == 'user_folder_with_census':
        args = [a if a != 'c1.csv' else 'u/c1.csv' for a in args]
    cli('same_est_out_' + label, args, dict(EST_FILES, **files), 'bad', r'out|folder|c1\.csv|\.\.|\'\.\'',
        cwd_rel=cwd_rel)
cli('same_backtest_out_scenario_folder', BT[:-3] + ['.', '--quiet', '--no-report'], {'obs.csv': OBS}, 'bad',
    r'folder|\.')
cli('same_backtest_observed_in_out', ['backtest', 'sc.toml', '--observed', 'res/population.csv', '--out', 'res',
                                      '--quiet', '--no-report'], {}, 'any', None, pre=with_results, out='res')
for target in ('results.gpkg', 'report.html', 'zones.csv', 'indicators.csv', 'manifest.json', 'maps/legend.json',
               'res.tmp-1'):
    cli('same_map_out_' + target.replace('.', '_').replace('/', '_').replace('-', '_'),
        MAP + ['--out', 'res/' + target], {}, 'bad', r'res|' + re.escape(target), pre=with_results, timeout=120)
cli('same_validate_results_scenario_folder', ['validate', 'sc.toml', '--results', '.'], {}, 'bad', r'manifest|results')
cli('same_validate_results_file', ['validate', 'sc.toml', '--results', 'base.csv'], {}, 'bad', r'base\.csv|folder')
cli('same_run_from_inside_out', ['run', '../sc.toml', '--out', '../res', '--quiet'], {}, 'any', None, pre=with_results,
    cwd_rel='res', out='res', post=lambda d, rc: [] if rc != 0 or os.path.exists(os.path.join(d, 'res/report.html'))
    else ['NO report.html in the new results'])
cli('same_backtest_from_inside_out', ['backtest', '../sc.toml', '--observed', '../obs.csv', '--out', '../res',
                                      '--quiet'], {'obs.csv': OBS}, 'any', None, pre=with_results, cwd_rel='res',
    out='res')
cli('same_estimate_from_inside_out', ['estimate', '--first', '../c1.csv', '--second', '../c2.csv', '--years',
                                      '2000:2010', '--out', '../eo'], EST_FILES, 'any', None,
    pre=lambda d: (subprocess.run([EXE] + EST[:-1] + ['eo'], cwd=d, env=ENV, capture_output=True)), cwd_rel='eo',
    out='eo')
cli('same_report_in_cwd', ['report', '.'], {}, 'any', None, pre=with_results, cwd_rel='res', out='res',
    allowed=('res',))

# --- (e) Paths: `..` after a symbolic link, PATH_MAX, odd characters --------------------------------------------------
OTHER_BASE = BASE.replace(',1000', ',3000')


def elsewhere(d):
    """d/far/deep/ the link target; d/far/sc.toml and d/far/base.csv a second scenario whose population is 3000."""
    make(d, {'far/deep/': None, 'far/sc.toml': GOOD, 'far/base.csv': OTHER_BASE, 'far/asfr.csv': ASFR,
             'far/mx.csv': MX, 'far/secret.csv': OTHER_BASE})
    os.symlink(os.path.join(d, 'far/deep'), os.path.join(d, 'l'))


def base_used(want):
    def post(d, rc):
        p = os.path.join(d, 'out', 'population.csv')
        if rc != 0 or not os.path.exists(p):
            return []
        first = open(p).read().splitlines()[1]
        return [] if first.endswith(',' + want) or (',' + want + '.') in first else ['READ THE WRONG FILE: %s' % first]
    return post


cli('dotdot_link_table', VAL, {}, 'bad', r'secret\.csv|outside', toml=BASEREF('"l/../secret.csv"'), pre=elsewhere)
cli('dotdot_link_scenario_run', ['run', 'l/../sc.toml', '--out', 'out', '--quiet', '--no-report'], {}, 'any',
    r'sc\.toml', pre=elsewhere, post=base_used('3000'))
cli('dotdot_link_out', ['run', 'sc.toml', '--out', 'l/../o', '--quiet', '--no-report'], {}, 'any', None,
    pre=elsewhere, allowed=('far/o', 'o'),
    post=lambda d, rc: [] if rc != 0 or os.path.exists(os.path.join(d, 'far/o/manifest.json')) else
    ['WROTE %s' % os.listdir(d)])
cli('dotdot_link_map_out', MAP + ['--out', 'l/../m.png'], {}, 'any', None,
    pre=lambda d: (with_results(d), elsewhere(d)), allowed=('far/m.png', 'm.png'), timeout=120)
cli('dotdot_link_estimate_out', EST[:-1] + ['l/../eo'], EST_FILES, 'any', None, pre=elsewhere,
    allowed=('far/eo', 'eo'))


def deep_case(name, args, depth=22, expect='any', pat=None):
    """`cohortgis ARGS` run in a folder whose absolute path is longer than PATH_MAX (depth parts of 200 bytes)."""
    if not wanted(name):
        return
    d = os.path.join(ROOT, 'cases', name)
    os.makedirs(d)
    fd = os.open(d, os.O_RDONLY)
    part = 'p' * 200
    for _ in range(depth):
        os.mkdir(part, dir_fd=fd)
        nfd = os.open(part, os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = nfd
    for f, text in dict(INPUTS, **{'sc.toml': GOOD}).items():
        with os.fdopen(os.open(f, os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), 'w') as fh:
            fh.write(text)
    os.close(fd)
    here = os.getcwd()
    os.chdir(d)
    for _ in range(depth):  # one part at a time: no path of the whole depth is ever passed to the system
        os.chdir(part)
    try:
        rc, o, err, secs, rss = run_measured([EXE] + args, '.', ENV, 120)
    finally:
        os.chdir(here)
    names = []
    fd = os.open(d, os.O_RDONLY)
    for _ in range(depth):
        nfd = os.open(part, os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = nfd
    names = os.listdir(fd)
    os.close(fd)
    extra = ['LEFT %s' % n for n in names if '.tmp-' in n or '.old-' in n]
    LOG.check(name, rc, o, err, secs, rss, expect, pat, extra)


deep_case('path_max_cwd_validate', VAL, pat=r'PATH_MAX|too long')
deep_case('path_max_cwd_run', RUN)
deep_case('path_max_cwd_info', ['info', 'base.csv'])
deep_case('path_max_cwd_run_report', ['run', 'sc.toml', '--out', 'out', '--quiet'])
deep_case('path_max_cwd_estimate', ['estimate', '--first', 'base.csv', '--second', 'base.csv', '--years', '2000:2010',
                                    '--out', 'eo'])
for label, name in [('rtl', 'o\u202eut'), ('zwsp', 'o\u200but'), ('line_sep', 'o\u2028ut'), ('nel', 'o\u0085ut'),
                    ('bidi_isolate', '\u2067out\u2069')]:
    cli('name_out_' + label, RUN[:3] + [name] + RUN[4:], {}, 'any', r'out|control|name', out=name)
    cli('name_table_' + label, VAL, {name + '.csv': BASE}, 'any', None, toml=BASEREF('"%s.csv"' % name))

# --- (f) Inputs cut and grown while they are read --------------------------------------------------------------------
PAD = '.' + '0' * 24
BIG_ZONES = ['Z%04d' % i for i in range(5000)]
BIG_BASE = 'zone,sex,age,population\n' + ''.join('%s,%s,%d,1000%s\n' % (z, s, a, PAD) for z in BIG_ZONES
                                                 for s in ('female', 'male') for a in range(0, 25, 5))
BIG_TOML = G('zones = [ { id = "A", name = "Zone A" }, { id = "B", name = "Zone B" } ]',
             'zones = [ %s ]' % ', '.join('{ id = "%s" }' % z for z in BIG_ZONES)).replace(
    'zone = "A"', 'zone = "Z0000"').replace('from = "A"', 'from = "Z0000"').replace('to = "B"', 'to = "Z0001"')


def cut_case(name, action, at, args=RUN):
    if not wanted(name):
        return
    d = os.path.join(ROOT, 'cases', name)
    make(d, dict(INPUTS, **{'sc.toml': BIG_TOML, 'base.csv': BIG_BASE}))
    names = set(os.listdir(d))

    def act():
        time.sleep(at)
        try:
            action(os.path.join(d, 'base.csv'))
        except OSError:
            pass
    t = threading.Thread(target=act, daemon=True)
    t.start()
    rc, o, err, secs, rss = run_measured([EXE] + args, d, ENV, 120)
    t.join()
    extra = leftovers(d, names)
    if rc != 0 and os.path.exists(os.path.join(d, 'out')):
        extra.append('PARTIAL out left after an error')
    LOG.check(name, rc, o, err, secs, rss, 'any', r'base\.csv|changed' if rc == 1 else None, extra)


def truncate_to(n):
    return lambda p: os.truncate(p, n)


def grow(p):
    with open(p, 'a') as f:
        f.write('Z0000,female,0,1%s\n' % PAD * 1000)


for at in (0.02, 0.08, 0.2, 0.4):
    cut_case('cut_base_half_%dms' % (at * 1000), truncate_to(len(BIG_BASE) // 2 + 7), at)
    cut_case('cut_base_zero_%dms' % (at * 1000), truncate_to(0), at)
    cut_case('cut_base_grown_%dms' % (at * 1000), grow, at)
    cut_case('cut_base_validate_%dms' % (at * 1000), truncate_to(len(BIG_BASE) // 3), at, VAL + ['--threads', '2'])

# --- (g) Formats with malformed insides -------------------------------------------------------------------------------
XLSX_CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
           'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships'
           '+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
           'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
           'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
           'spreadsheetml.worksheet+xml"/></Types>')
R_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'
S_NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'
XROWS = [r.split(',') for r in BASE.strip().split('\n')]


def xlsx(sheet_target='worksheets/sheet1.xml', pad_sheet=0, pad_strings=0, strings_target='sharedStrings.xml'):
    strings, rows = [], []
    for i, r in enumerate(XROWS, 1):
        cells = []
        for j, v in enumerate(r):
            ref = '%s%d' % ('ABCD'[j], i)
            if i == 1 or j < 2:
                strings.append(v)
                cells.append('<c r="%s" t="s"><v>%d</v></c>' % (ref, len(strings) - 1))
            else:
                cells.append('<c r="%s"><v>%s</v></c>' % (ref, v))
        rows.append('<row r="%d">%s</row>' % (i, ''.join(cells)))

    def f(p):
        with zipfile.ZipFile(p, 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as z:
            z.writestr('[Content_Types].xml', XLSX_CT)
            z.writestr('_rels/.rels', '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                       'package/2006/relationships"><Relationship Id="rId1" Type="%s/officeDocument" Target="xl/'
                       'workbook.xml"/></Relationships>' % R_NS)
            z.writestr('xl/workbook.xml', '<?xml version="1.0"?><workbook xmlns="%s" xmlns:r="%s"><sheets><sheet '
                       'name="base" sheetId="1" r:id="rId1"/></sheets></workbook>' % (S_NS, R_NS))
            z.writestr('xl/_rels/workbook.xml.rels', '<?xml version="1.0"?><Relationships xmlns="http://schemas.'
                       'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="%s/worksheet" '
                       'Target="%s"/><Relationship Id="rId2" Type="%s/sharedStrings" Target="%s"/></Relationships>'
                       % (R_NS, sheet_target, R_NS, strings_target))
            with z.open('xl/sharedStrings.xml', 'w', force_zip64=True) as w:
                w.write(('<?xml version="1.0"?><sst xmlns="%s">' % S_NS).encode())
                w.write(''.join('<si><t>%s</t></si>' % s for s in strings).encode())
                for _ in range(pad_strings):
                    w.write(b' ' * (1 << 20))
                w.write(b'</sst>')
            with z.open('xl/worksheets/sheet1.xml', 'w', force_zip64=True) as w:
                w.write(('<?xml version="1.0"?><worksheet xmlns="%s"><sheetData>' % S_NS).encode())
                w.write(''.join(rows).encode())
                for _ in range(pad_sheet):
                    w.write(b' ' * (1 << 20))
                w.write(b'</sheetData></worksheet>')
    return f


XT = BASEREF('"b.xlsx"')
cli('fmt_xlsx_ok', VAL, {'b.xlsx': xlsx()}, 'ok', toml=XT)
for label, kw in [('sheet_abs_passwd', dict(sheet_target='/etc/passwd')),
                  ('sheet_dotdot_passwd', dict(sheet_target='../../../../../../../../etc/passwd')),
                  ('sheet_url', dict(sheet_target=URL + '/s.xml')),
                  ('sheet_vsicurl', dict(sheet_target='/vsicurl/%s/s.xml' % URL)),
                  ('strings_dotdot_shared',
                   dict(strings_target='../../../../../../../../%s/victim/thesis.txt' % SHARED)),
                  ('strings_abs_passwd', dict(strings_target='/etc/passwd'))]:
    cli('fmt_xlsx_rels_' + label, VAL, {'b.xlsx': xlsx(**kw)}, 'any', r'b\.xlsx', toml=XT)
    cli('fmt_xlsx_info_rels_' + label, ['info', 'b.xlsx'], {'b.xlsx': xlsx(**kw)}, 'any', None)
cli('fmt_xlsx_sheet_bomb_1g', VAL, {'b.xlsx': xlsx(pad_sheet=1024)}, 'any', r'b\.xlsx', toml=XT, timeout=120)
cli('fmt_xlsx_strings_bomb_1g', VAL, {'b.xlsx': xlsx(pad_strings=1024)}, 'any', r'b\.xlsx', toml=XT, timeout=120)
cli('fmt_xlsx_info_sheet_bomb_1g', ['info', 'b.xlsx'], {'b.xlsx': xlsx(pad_sheet=1024)}, 'bad', r'zip', timeout=120)


def ods_bomb(p):
    body = ('<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:'
            '1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:'
            'opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="b">')
    rows = ''.join('<table:table-row>%s</table:table-row>' % ''.join(
        '<table:table-cell office:value-type="string"><text:p>%s</text:p></table:table-cell>' % v for v in r)
        for r in XROWS)
    with zipfile.ZipFile(p, 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr(zipfile.ZipInfo('mimetype'), 'application/vnd.oasis.opendocument.spreadsheet')
        with z.open('content.xml', 'w', force_zip64=True) as w:
            w.write((body + rows).encode())
            for _ in range(1024):
                w.write(b' ' * (1 << 20))
            w.write(b'</table:table></office:spreadsheet></office:body></office:document-content>')


cli('fmt_ods_content_bomb_1g', VAL, {'b.ods': ods_bomb}, 'any', r'b\.ods', toml=BASEREF('"b.ods"'), timeout=120)


def shapefile(shapes, records):
    """z.shp/.shx/.dbf/.prj of `shapes` squares and `records` attribute rows (ids Z0, Z1 …)."""
    def f(p):
        d = os.path.dirname(p)
        tmp = os.path.join(d, 'src.geojson')
        feats = ','.join('{"type":"Feature","properties":{"id":"Z%d"},"geometry":{"type":"Polygon","coordinates":'
                         '[[[%d,0],[%d,0],[%d,1],[%d,1],[%d,0]]]}}' % (i, i, i + 1, i + 1, i, i)
                         for i in range(max(shapes, records)))
        open(tmp, 'w').write('{"type":"FeatureCollection","features":[%s]}' % feats)
        subprocess.run(['ogr2ogr', '-q', '-f', 'ESRI Shapefile', os.path.join(d, 'z.shp'), tmp, '-a_srs', 'EPSG:4326'],
                       check=True, capture_output=True)
        os.remove(tmp)
        n = max(shapes, records)
        if records < n:  # fewer .dbf records: the header's count and the file cut
            with open(os.path.join(d, 'z.dbf'), 'r+b') as fh:
                head = fh.read(12)
                hlen, rlen = struct.unpack('<HH', head[8:12])
                fh.seek(4)
                fh.write(struct.pack('<I', records))
                fh.truncate(hlen + rlen * records)
        if shapes < n:  # fewer shapes: the .shx cut (and its header's length)
            with open(os.path.join(d, 'z.shx'), 'r+b') as fh:
                fh.seek(24)
                fh.write(struct.pack('>I', (100 + 8 * shapes) // 2))
                fh.truncate(100 + 8 * shapes)
    return f


def zone_toml(n):
    ids = ['Z%d' % i for i in range(n)]
    return ZSRC('z.shp').replace('zone = "A"', 'zone = "Z0"').replace('from = "A"', 'from = "Z0"').replace(
        'to = "B"', 'to = "Z1"'), 'zone,sex,age,population\n' + ''.join(
        '%s,%s,%d,1000\n' % (z, s, a) for z in ids for s in ('female', 'male') for a in range(0, 25, 5))


for label, shapes, records in [('dbf_fewer', 3, 2), ('shp_fewer', 2, 3), ('dbf_none', 2, 0)]:
    t, b = zone_toml(min(shapes, records) or 2)
    cli('fmt_shp_' + label, VAL, {'z.shp': shapefile(shapes, records), 'base.csv': b}, 'bad', r'z\.(shp|dbf|shx)',
        toml=t.replace('[geography]\nzones = [ { id = "A", name = "Zone A" }, { id = "B", name = "Zone B" } ]\n',
                       '[geography]\n'))
    cli('fmt_shp_info_' + label, ['info', 'z.shp'], {'z.shp': shapefile(shapes, records)}, 'bad', r'z\.(shp|dbf|shx)')


def gpkg_pages(p):
    d = os.path.dirname(p)
    open(os.path.join(d, 's.csv'), 'w').write(BASE)
    subprocess.run(['ogr2ogr', '-q', '-f', 'GPKG', p, os.path.join(d, 's.csv'), '-nln', 'base'], check=True,
                   capture_output=True)
    os.remove(os.path.join(d, 's.csv'))
    with open(p, 'r+b') as fh:
        fh.seek(28)
        fh.write(struct.pack('>I', 0x7fffffff))


cli('fmt_gpkg_header_pages_2p31', VAL, {'b.gpkg': gpkg_pages}, 'any', r'b\.gpkg', toml=BASEREF('"b.gpkg"'))
cli('fmt_gpkg_info_header_pages', ['info', 'b.gpkg'], {'b.gpkg': gpkg_pages}, 'any', None)

# --- (h) Resources ----------------------------------------------------------------------------------------------------
for label, args, files, pre in [('run_default', ['run', 'default', '--out', 'out', '--quiet'], {}, None),
                                ('backtest', BT, {'obs.csv': OBS}, None)]:
    cli('res_cpu_1s_' + label, args, files, (0, 152), None, prefix=['prlimit', '--cpu=1:30', '--'], timeout=120,
        pre=pre)
for label, args, files, pre, out in [
        ('estimate', EST, EST_FILES, None, 'out'), ('backtest', BT[:-1], {'obs.csv': OBS}, None, 'out'),
        ('map', MAP + ['--out', 'm.png'], {}, with_results, 'm.png'), ('report', ['report', 'res'], {}, with_results,
                                                                        'res'),
        ('levels', ['estimate', '--levels', 'lev.csv', '--mx', 'mx.csv', '--asfr', 'asfr.csv', '--srb', '105',
                    '--open-age', '20', '--out',
                    'out'], LEV, None, 'out')]:
    cli('res_fsize_16k_' + label, args, files, 'any', r'write|space|large|size|limit', prefix=lim(fsize=16384),
        pre=pre, out=out, timeout=120)
    cli('res_nofile_8_' + label, args, files, 'any', r'open files|descriptor|Too many', prefix=lim(nofile=8),
        pre=pre, out=out, timeout=120)

MOUNTS = []


def tmpfs(size_kb):
    p = os.path.join(ROOT, 'tmpfs%d' % len(MOUNTS))
    os.makedirs(p)
    if subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=%dk' % size_kb, 'tmpfs', p], capture_output=True).returncode:
        return None
    MOUNTS.append(p)
    return p


def full_case(name, args_of, size_kb, pre=None, files=None):
    if not wanted(name):
        return
    fs_ = tmpfs(size_kb)
    if fs_ is None:
        record(name, True, 'skipped: cannot mount a tmpfs (not root)')
        return
    d = os.path.join(ROOT, 'cases', name)
    make(d, dict(INPUTS, **{'sc.toml': GOOD}, **(files or {})))
    if pre:
        pre(d, fs_)
    before = snapshot(fs_)
    rc, o, err, secs, rss = run_measured([EXE] + args_of(fs_), d, ENV, 180)
    after = snapshot(fs_)
    extra = ['LEFT %s' % n for n in os.listdir(fs_) if '.tmp-' in n or '.old-' in n]
    if rc != 0:
        extra += ['CHANGED %s' % p for p in before if after.get(p) != before[p]]
        extra += ['NEW %s' % p for p in after if p not in before]
    LOG.check(name, rc, o, err, secs, rss, 'any', r'No space|space|disk|full|write|[Rr]ead-only' if rc == 1 else None,
              extra)


def fill_to(kb_left):
    def pre(d, f):
        with_results(d)
        shutil.copytree(os.path.join(d, 'res'), os.path.join(f, 'res'))
        st = os.statvfs(f)
        fill = st.f_bavail * st.f_frsize - kb_left * 1024
        if fill > 0:
            with open(os.path.join(f, 'filler'), 'wb') as fh:
                fh.write(b'\0' * fill)
    return pre


for kb in (32, 256, 1024):
    full_case('full_backtest_%dk' % kb, lambda f: ['backtest', 'sc.toml', '--observed', 'obs.csv', '--out', f + '/out',
                                                    '--quiet'], kb, files={'obs.csv': OBS})
    full_case('full_levels_%dk' % kb, lambda f: ['estimate', '--levels', 'lev.csv', '--mx', 'mx.csv', '--asfr',
                                                  'asfr.csv', '--srb', '105', '--open-age', '20', '--out', f + '/out'],
              kb, files=LEV)
for fmt, left in (('svg', 8), ('pdf', 8), ('svg', 64)):
    full_case('full_map_%s_%dk' % (fmt, left), lambda f, fmt=fmt: ['map', f + '/res', '--indicator', 'population',
                                                                   '--year', '2025', '--format', fmt, '--out',
                                                                   f + '/m.' + fmt], 32768, pre=fill_to(left))
    full_case('full_map_default_out_%s_%dk' % (fmt, left), lambda f, fmt=fmt: [
        'map', f + '/res', '--indicator', 'population', '--year', '2025', '--format', fmt], 32768, pre=fill_to(left))


def read_only(with_res):
    """A tmpfs (with res/ of the good scenario when with_res) remounted read-only."""
    def pre(d, f):
        if with_res:
            with_results(d)
            shutil.copytree(os.path.join(d, 'res'), os.path.join(f, 'res'))
        subprocess.run(['mount', '-o', 'remount,ro', f], check=True, capture_output=True)
    return pre


for label, args_of, with_res in [
        ('run_new', lambda f: RUN[:3] + [f + '/out'] + RUN[4:], False),
        ('run_replace', lambda f: RUN[:3] + [f + '/res'] + RUN[4:], True),
        ('run_report', lambda f: ['run', 'sc.toml', '--out', f + '/res', '--quiet'], True),
        ('report', lambda f: ['report', f + '/res'], True),
        ('map_default', lambda f: MAP[:1] + [f + '/res'] + MAP[2:], True),
        ('map_out', lambda f: MAP[:1] + [f + '/res'] + MAP[2:] + ['--out', f + '/m.png'], True),
        ('estimate', lambda f: EST[:-1] + [f + '/out'], False),
        ('backtest', lambda f: BT[:-3] + [f + '/out', '--quiet'], False)]:
    full_case('ro_mount_' + label, args_of, 32768, pre=read_only(with_res), files=dict(EST_FILES, **{'obs.csv': OBS}))
for m in MOUNTS:
    subprocess.run(['umount', m], capture_output=True)

for label, target in [('pagemap', '/proc/self/pagemap'), ('kcore', '/proc/kcore'), ('sys_kernel', '/sys/kernel/notes')]:
    cli('kernel_info_' + label, ['info', target], {}, 'bad', None, timeout=60)
    cli('kernel_validate_' + label, ['validate', target], {}, 'bad', None, timeout=60)
    cli('kernel_allow_read_table_' + label, VAL + ['--allow-read', os.path.dirname(target)], {}, 'bad', None,
        toml=BASEREF('"%s"' % target), timeout=60)

# --- (j) A results folder from someone else: manifest.json's inputs and names forged and resealed --------------------


def forged(edit):
    """res/ of the good scenario whose manifest.json text goes through edit(text) and is resealed as a forger would."""
    def pre(d):
        with_results(d)
        m = os.path.join(d, 'res', 'manifest.json')
        text = edit(open(m).read())
        open(m, 'w').write(text)
        reseal(os.path.join(d, 'res'))
    return pre


def opened(target):
    """Every input's recorded "opened" path replaced by target (a JSON string's text)."""
    return lambda t: re.sub(r'"opened": "[^"]*"', '"opened": "%s"' % target, t)


def forged_case(name, args, edit, expect='any', timeout=60):
    """cli() on forged results; stdout is checked for raw controls too (info and the warnings print what the
    manifest says)."""
    if not wanted(name):
        return
    d = os.path.join(ROOT, 'cases', name)
    make(d, dict(INPUTS, **{'sc.toml': GOOD}))
    forged(edit)(d)
    names = set(os.listdir(d))
    before = dict(snapshot(d), **snapshot(SHARED))
    rc, o, err, secs, rss = run_measured([EXE] + args, d, ENV, timeout)
    after = dict(snapshot(d), **snapshot(SHARED))
    extra = leftovers(d, names)
    if rc != 0:
        extra += ['CHANGED %s' % p for p in before if after.get(p) != before[p]]
    if RAW.search(o):
        extra.append('RAW U+%04X in the output' % ord(RAW.search(o).group(0)))
    if rc == 0 and RAW.search(err):
        extra.append('RAW U+%04X in a warning' % ord(RAW.search(err).group(0)))
    LOG.check(name, rc, o, err, secs, rss, expect, None, extra)


FORGE_ARGS = [('info', ['info', 'res']), ('report', ['report', 'res']),
              ('map', MAP + ['--out', 'm.png']), ('validate', ['validate', 'sc.toml', '--results', 'res'])]
for label, edit in [('opened_pagemap', opened('/proc/self/pagemap')), ('opened_kcore', opened('/proc/kcore')),
                    ('opened_root', opened('/')), ('opened_proc', opened('/proc')),
                    ('opened_sys', opened('/sys/kernel')), ('opened_dev_zero', opened('/dev/zero')),
                    ('opened_shared', opened(SHARED)), ('opened_url', opened('/vsicurl/%s/x.csv' % URL)),
                    ('input_path_escape', lambda t: t.replace('"path": "base.csv"', '"path": "b\\u001b[2J\\u202e.csv"')
                     .replace('"opened": "', '"opened": "/nonexistent\\u001b]0;x\\u0007', 1)),
                    ('scenario_name_escape', lambda t: t.replace('"name": "tiny"', '"name": "tiny\\u001b[2J\\u009b"')),
                    ('variant_escape', lambda t: t.replace('"more"', '"mo\\u001b[31mre"')),
                    ('title_rlo', lambda t: re.sub(r'"title": "[^"]*"', lambda m: '"title": "x\\u202e\\u2066y"', t,
                                                   count=1))]:
    for alabel, args in FORGE_ARGS:
        forged_case('forged_%s_%s' % (label, alabel), args, edit,
                    timeout=120 if alabel in ('report', 'map') else 60)

# --- (i) Signals while earlier results are replaced -------------------------------------------------------------------


def replace_case(name, args, first, sig, at, files=None, pre=None, target='out'):
    """`first` makes target; `args` replaces it and is stopped by `sig` `at` seconds in: exit 128+sig within 1 s of the
    signal with the earlier folder as it was, or exit 0 with a complete new one; nothing staged left."""
    if not wanted(name):
        return
    d = os.path.join(ROOT, 'cases', name)
    make(d, dict(INPUTS, **{'sc.toml': GOOD}, **(files or {})))
    if pre:
        pre(d)
    subprocess.run([EXE] + first, cwd=d, env=ENV, capture_output=True, timeout=300)
    tdir = os.path.join(d, target)
    if not os.path.exists(os.path.join(tdir, 'manifest.json')):
        record(name, False, 'SETUP the first run made no %s' % target)
        return
    before = snapshot(tdir)
    names = set(os.listdir(d))
    t_sig = []

    def when(_):
        if time.time() - t0 > at:
            t_sig.append(time.time())
            return True
        return False
    t0 = time.time()
    rc, o, err, secs, rss = run_measured([EXE] + args, d, ENV, 120, (sig, when))
    extra = leftovers(d, names)
    if os.path.isdir(tdir):
        extra += [n for n in os.listdir(tdir) if '.tmp-' in n or '.old-' in n]
    if rc in (128 + sig, -sig):
        after = snapshot(tdir) if os.path.isdir(tdir) else {}
        diff = [p for p in set(before) | set(after) if before.get(p) != after.get(p)]
        if diff:
            extra.append('EARLIER RESULTS CHANGED %s' % sorted(os.path.relpath(p, d) for p in diff)[:3])
        if t_sig and t0 + secs - t_sig[0] > 1.0:
            extra.append('SLOW STOP %.2f s' % (t0 + secs - t_sig[0]))
    elif rc == 0 and args[0] == 'estimate':
        if not os.path.exists(os.path.join(tdir, 'net_migration.csv')):
            extra.append('NEW RESULTS BROKEN: %s' % os.listdir(tdir))
    elif rc == 0:
        chk = subprocess.run([EXE, 'info', target], cwd=d, env=ENV, capture_output=True, timeout=60)
        if chk.returncode != 0:
            extra.append('NEW RESULTS BROKEN: %s' % chk.stderr.decode()[-150:])
    LOG.check(name, rc, o, err, secs, rss, (0, 128 + sig), None, extra)


RUNQ = ['run', 'sc.toml', '--out', 'out', '--quiet']
for i in range(6):
    at = random.uniform(0.15, 1.5)
    sig = random.choice([signal.SIGINT, signal.SIGTERM])
    replace_case('sig_replace_run_%d_%s_%dms' % (i, sig.name, at * 1000), RUNQ + ['--format', 'both'], RUNQ, sig, at,
                 pre=lambda d: make(d, {'zones.geojson': ZONES_GJ, 'sc.toml': ZSRC('zones.geojson')}))
for i in range(4):
    at = random.uniform(0.15, 1.2)
    sig = random.choice([signal.SIGINT, signal.SIGTERM])
    replace_case('sig_replace_backtest_%d_%s_%dms' % (i, sig.name, at * 1000), BT[:-1], BT[:-1], sig, at,
                 files={'obs.csv': OBS})
    replace_case('sig_replace_report_%d_%s_%dms' % (i, sig.name, at * 1000), ['report', 'out', '--lang', 'en'], RUNQ,
                 sig, at, pre=lambda d: make(d, {'zones.geojson': ZONES_GJ, 'sc.toml': ZSRC('zones.geojson')}))
for i in range(3):
    at = random.uniform(0.1, 0.6)
    sig = random.choice([signal.SIGINT, signal.SIGTERM])
    replace_case('sig_replace_estimate_%d_%s_%dms' % (i, sig.name, at * 1000), EST, EST, sig, at, files=EST_FILES)
    replace_case('sig_replace_run_default_%d_%s_%dms' % (i, sig.name, at * 1000),
                 ['run', 'default', '--out', 'out', '--quiet'], ['run', 'default', '--out', 'out', '--quiet'], sig,
                 random.uniform(0.3, 3.0))

for p in ('/vsimem', '/vsistdin', '/vsizip'):
    if os.path.isdir(p):
        record('cleanup_' + p.strip('/'), False, 'a real folder %s was created: %s' % (p, os.listdir(p)))
PROBE.finish()
