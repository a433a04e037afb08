#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Hostile-input probe of round 21 (helper h107): what rounds 3 to 20 left, and what they did not try. (a) Round 20's
leftovers: `info` of GeoJSON nested 5000 deep under `ulimit -s 64` (repeated: it crashed 1 run in 6), as a zone
source, a VRT's source, GeoJSONSeq, deep properties, 60 and 70 levels; keys given twice (quoted, escaped, dotted,
headers, arrays of tables, Chinese, control characters): the message must name the key as written; zone ids that
differ only in Unicode normalisation (NFC/NFD, Hangul), by spaces at their ends or by a tab, in the geography, a
table, a relocation and a target; few descriptors (`ulimit -n` 3 to 7) for `info`, `validate`, `map`, `report`;
(b) every scalar scenario key with a string, a boolean, an array, a table, NaN, ±inf, −1, a subnormal, 1e308, 2^31,
−2^31−1 and 2^63; (c) special files: `/proc/self/mem`, `/proc/self/environ`, `/dev/full`, `/dev/random` as table,
scenario and zone source, a 3 GB sparse table, a scenario that is a link loop or a link to `/proc/self/fd/0`;
(d) outputs: `--out` with a trailing slash, `..`, the folder of a table, `out/sub` under existing results, inside
`data:`, the scenario's folder spelt through `/proc/self/cwd`; (e) inputs changed during the run (a table rewritten,
removed, replaced by a FIFO, the scenario rewritten); (f) signals USR1/USR2/QUIT/ALRM/PIPE at several points of
`run`; (g) command-line numbers (`--seed` 2^64, `--year` past int in `map`, `--trajectories 1e3`, `--threads 0x10`);
(h) Python: methods from eight threads at once, objects deleted while iterating, base populations of float16, int8,
uint64, object, read-only, 0-strided and byte-swapped arrays, str/int subclasses as ids, threads and years, an
`__index__` that lies, KeyboardInterrupt in `load_scenario`. A case fails on a crash, a hang, an exit other than
the expected, a message that does not match, a crash-like or huge message, a network connection, /etc/passwd quoted,
a file written, changed or deleted outside the output, or staging folders left after an error.
Usage: PYTHONPATH=build/python /usr/bin/python3 tests/probe/hostile_round21.py [BUILD_DIR [WORK_DIR]] [PREFIX ...]"""
import os, signal, subprocess, sys, threading, time, unicodedata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe_common import RUN, RUNR, VAL, CliProbe, make, run_measured
from probe_common import limits as lim

PROBE = CliProbe('cohortgis-hostile-probe21-')
ROOT, EXE, URL, ENV, LOG = PROBE.root, PROBE.exe, PROBE.url, PROBE.env, PROBE.log
record, wanted, cli = LOG.record, PROBE.wanted, PROBE.cli
PROBE.quoted = ('root', 'daemon', '/bin/bash', '/usr/sbin')
GOOD, INPUTS, SHARED = PROBE.good, PROBE.inputs, PROBE.shared
BASE, MX, ASFR = INPUTS['base.csv'], INPUTS['mx.csv'], INPUTS['asfr.csv']
G, BASEREF, ZSRC = PROBE.g, PROBE.baseref, PROBE.zsrc
make(SHARED, {'victim/thesis.txt': 'precious\n'})


def feature(coords='[[[116,39],[116.1,39],[116.1,39.1],[116,39.1],[116,39]]]', zid='A', props=''):
    return ('{"type":"Feature","properties":{"id":"%s"%s},"geometry":{"type":"Polygon","coordinates":%s}}'
            % (zid, props, coords))


def collection(*features):
    return '{"type":"FeatureCollection","features":[' + ','.join(features) + ']}\n'


ZONES_GJ = collection(feature(), feature('[[[116.1,39],[116.2,39],[116.2,39.1],[116.1,39.1],[116.1,39]]]', 'B'))
deep = lambda n: '[' * n + ']' * n  # noqa: E731
DEEP = 'JSON nested more than 64 levels'

# --- (a) Round 20's leftovers -----------------------------------------------------------------------------------------
for i in range(6):  # it crashed in about 1 run in 6
    cli('stack_64k_info_geojson_5000_deep_%d' % i, ['info', 'z.geojson'],
        {'z.geojson': collection(feature(deep(5000)))},
        'bad', DEEP, prefix=lim(stack=65536))
cli('stack_64k_zone_source_geojson_deep', VAL, {'z.geojson': collection(feature(deep(5000)))}, 'bad', DEEP,
    toml=ZSRC('z.geojson'), prefix=lim(stack=65536))
cli('stack_64k_run_geojson_deep', RUN, {'z.geojson': collection(feature(deep(5000)))}, 'bad', DEEP,
    toml=ZSRC('z.geojson'), prefix=lim(stack=65536))
cli('geojson_deep_as_table', VAL, {'z.geojson': collection(feature(deep(5000)))}, 'bad', DEEP,
    toml=BASEREF('"z.geojson"'))
cli('geojson_deep_via_vrt', VAL, {'z.geojson': collection(feature(deep(5000))),
                                   'v.vrt': '<OGRVRTDataSource><OGRVRTLayer name="z"><SrcDataSource relativeToVRT="1">'
                                            'z.geojson</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>\n'},
    'bad', DEEP, toml=ZSRC('v.vrt'))
cli('geojsonseq_deep', ['info', 'z.geojsonl'], {'z.geojsonl': '\x1e' + feature(deep(3000)) + '\n'}, 'bad', DEEP,
    prefix=lim(stack=65536))
cli('geojson_props_70_deep', VAL, {'z.geojson': collection(feature(props=',"x":' + deep(70)),
                                                           feature(zid='B', props=''))}, 'bad', DEEP,
    toml=ZSRC('z.geojson'))
cli('geojson_props_50_deep_ok', VAL, {'z.geojson': ZONES_GJ.replace('"id":"A"', '"id":"A","x":' + deep(50))}, 'ok',
    toml=ZSRC('z.geojson'))
cli('geojson_brackets_in_strings_ok', VAL, {'z.geojson': ZONES_GJ.replace('"id":"A"', '"id":"A","x":"%s\\"%s"'
                                                                             % ('[' * 500, '{' * 500))}, 'ok',
    toml=ZSRC('z.geojson'))
cli('geojson_bom_deep', ['info', 'z.geojson'], {'z.geojson': '\ufeff  \n' + collection(feature(deep(200)))}, 'bad',
    DEEP)
cli('esrijson_deep', ['info', 'z.json'], {'z.json': '{"features":[{"geometry":{"rings":' + deep(4000) + '}}]}'}, 'bad',
    DEEP, prefix=lim(stack=65536))
cli('topojson_deep', ['info', 'z.topojson'], {'z.topojson': '{"type":"Topology","arcs":' + deep(4000) + '}'}, 'bad',
    DEEP, prefix=lim(stack=65536))

TWICE = r"sc\.toml:\d+:\d+: (key '%s' is set twice|table \[%s\] is defined twice)"
for label, toml, key in [
        ('quoted', G('srb = 105', 'srb = 105\n"srb" = 106'), 'srb'),
        ('literal_quoted', G('srb = 105', "srb = 105\n'srb' = 106"), 'srb'),
        ('escaped', G('srb = 105', 'srb = 105\n"\\u0073rb" = 106'), 'srb'),
        ('spaces_around', G('srb = 105', 'srb = 105\n   srb    =   106'), 'srb'),
        ('chinese', G('srb = 105', 'srb = 105\n"出生" = 1\n"出生" = 2'), '出生'),
        ('control_char', G('srb = 105', 'srb = 105\n"\\u0007" = 1\n"\\u0007" = 2'), r'\\x07'),
        ('equals_in_key', G('srb = 105', 'srb = 105\n"a=b" = 1\n"a=b" = 2'), 'a=b'),
        ('dotted', G('srb = 105', 'srb = 105\nx.y = 1\nx."y" = 2'), r'x\.y'),
        ('header_twice', GOOD + '\n[fertility]\nsrb = 1\n', 'fertility'),
        ('header_quoted', GOOD + '\n["fertility"]\n', 'fertility'),
        ('header_after_dotted', G('srb = 105', 'srb = 105\nfit.cbr_per_1000 = 6') + '\n[fertility.fit]\n',
         r'fertility\.fit'),
        ('array_then_table', GOOD + '\n[variants]\n', 'variants'),
        ('long_key_100k', G('srb = 105', 'srb = 105\n"%s" = 1\n"%s" = 2' % ('k' * 100000, 'k' * 100000)), 'k+…?')]:
    cli('dupkey21_' + label, VAL, {}, 'bad', TWICE % (key, key), toml=toml)


def twin(name, toml_id, csv_id, pat, toml_ids=None):
    """Zone B spelt toml_id in the scenario and csv_id in base.csv; toml_ids: extra zones in the geography."""
    toml = G('{ id = "B"', '{ id = "%s"' % toml_id).replace('to = "B"', 'to = "%s"' % toml_id)
    if toml_ids:
        toml = toml.replace('{ id = "A", name = "Zone A" }', '{ id = "A", name = "Zone A" }, ' + ', '.join(
            '{ id = "%s" }' % i for i in toml_ids))
    cli(name, VAL, {'base.csv': BASE.replace('\nB,', '\n%s,' % csv_id)}, 'bad', pat, toml=toml)


NFC, NFD = unicodedata.normalize('NFC', 'Caf\u00e9'), unicodedata.normalize('NFD', 'Caf\u00e9')
ALIKE = r'read alike|reads alike'
twin('twin_nfd_in_table', NFC, NFD, r'base\.csv.*row.*reads alike.*normalisation')
twin('twin_nfc_in_table_nfd_in_toml', NFD, NFC, r'base\.csv.*row.*reads alike.*normalisation')
twin('twin_trailing_space_in_table', 'B', 'B ', r'base\.csv.*row.*reads alike.*spaces')
twin('twin_leading_space_in_table', 'B', ' B', r'base\.csv.*row.*reads alike.*spaces')
twin('twin_tab_in_table', 'B', 'B\t', r'base\.csv.*row.*reads alike.*spaces')
twin('twin_hangul_nfd_in_table', '\ud55c', unicodedata.normalize('NFD', '\ud55c'), r'reads alike.*normalisation')
twin('twin_nfc_nfd_in_geography', 'B', 'B', r'sc\.toml.*zone ids.*read alike.*normalisation', [NFC, NFD])
twin('twin_space_in_geography', 'B', 'B', r'sc\.toml.*zone ids.*read alike.*spaces', ['C', 'C '])
twin('twin_both_nfd_ok', 'B', 'B', r'base\.csv|zone', [NFD])  # one NFD zone: no rows for it, but no twin
cli('twin_relocation_to_nfd', VAL, {}, 'bad', ALIKE + r'|sc\.toml', toml=G('{ id = "B"', '{ id = "%s"' % NFC)
    .replace('to = "B"', 'to = "%s"' % NFD))
cli('twin_target_zone_space', VAL, {}, 'bad', ALIKE + r'|sc\.toml', toml=G('zone = "A"\nyear', 'zone = "A "\nyear'))
cli('twin_zone_source_nfd', VAL, {'z.geojson': ZONES_GJ.replace('"id":"B"', '"id":"%s"' % NFD)}, 'bad',
    ALIKE + r'|z\.geojson', toml=ZSRC('z.geojson'))

with open(os.path.join(ROOT, 'res_seed.txt'), 'w'):
    pass


def with_results(d):
    """Results in res/ of the good scenario with zone boundaries (so `map` has shapes to draw)."""
    make(d, {'zones.geojson': ZONES_GJ, 'sc.toml': ZSRC('zones.geojson')})
    subprocess.run([EXE, 'run', 'sc.toml', '--out', 'res', '--quiet'], cwd=d, env=ENV, capture_output=True, timeout=300)


for n in (3, 4, 5, 6, 7):
    cli('nofile_%d_info_csv' % n, ['info', 'base.csv'], {}, (0, 1, 127), r'open files|descriptor|Too many',
        prefix=lim(nofile=n))
for n in (6, 7):
    cli('nofile_%d_map' % n, ['map', 'res', '--indicator', 'population', '--year', '2025', '--out', 'm.png'], {},
        'any', r'open files|descriptor|Too many', prefix=lim(nofile=n), pre=with_results, allowed=('m.png',),
        timeout=120)
    cli('nofile_%d_validate_results' % n, ['validate', 'sc.toml', '--results', 'res'], {}, 'any',
        r'open files|descriptor|Too many', prefix=lim(nofile=n), pre=with_results)

# --- (b) Every scalar key with every wrong value ----------------------------------------------------------------------
VALUES = [('str', '"x"'), ('bool', 'true'), ('array', '[1]'), ('table', '{ a = 1 }'), ('nan', 'nan'), ('inf', 'inf'),
          ('minus_inf', '-inf'), ('minus_1', '-1'), ('subnormal', '5e-324'), ('1e308', '1e308'),
          ('int_max', '2147483647'), ('int_2p31', '2147483648'), ('int_minus_2p31m1', '-2147483649'),
          ('int_2p63m1', '9223372036854775807')]
KEYS = [('base_year', 'base_year = 2020'), ('horizon', 'horizon = 2030'), ('step', 'step = 5'),
        ('open_age', 'open_age = 20'), ('srb', 'srb = 105'), ('tfr_2030', '"2030" = 2.0'),
        ('total_per_year', 'total_per_year = 100'), ('persons_per_year', 'persons_per_year = 20'),
        ('target_year', 'year = 2030\nmax'), ('target_max', 'max = 100000'), ('variant_tfr', 'tfr = 3.0')]
OK_VALUES = {('persons_per_year', 'subnormal'), ('total_per_year', 'subnormal'), ('target_max', '1e308'),
             ('target_max', 'subnormal'), ('target_max', 'int_2p31'), ('target_max', 'int_2p63m1'),
             ('target_max', 'inf'), ('tfr_2030', 'subnormal'), ('variant_tfr', 'subnormal'),
             ('target_max', 'minus_1'), ('target_max', 'int_minus_2p31m1'), ('target_max', 'int_max')}
for kname, line in KEYS:
    k, _, rest = line.partition(' = ')
    tail = rest[rest.index('\n'):] if '\n' in rest else ''
    for vname, v in VALUES:
        expect = 'any' if (kname, vname) in OK_VALUES else 'bad'
        cli('key_%s_%s' % (kname, vname), VAL, {}, expect, r'sc\.toml:\d+', toml=G(line, '%s = %s%s' % (k, v, tail)))

# Ages and values of the schedules beyond the grid and the int range.
ASFR_ROW, MX_ROW = r'asfr\.csv.*(row|line)|asfr\.csv', r'mx\.csv.*(row|line)|mx\.csv'
for label, row, expect in [('age_131', '131,0.01', 'any'), ('age_minus_5', '-5,0.01', 'bad'),
                           ('age_int_max', '2147483647,0.01', 'bad'), ('age_2p63', '9223372036854775808,0.01', 'bad'),
                           ('age_half', '12.5,0.01', 'bad'), ('value_1e308', '20,1e308', 'bad'),
                           ('value_minus', '20,-0.01', 'bad'), ('value_nan', '20,nan', 'bad')]:
    cli('asfr_' + label, VAL, {'asfr.csv': ASFR + row + '\n'}, expect, ASFR_ROW)
for label, row, expect in [('age_131', '131,female,0.5', 'any'), ('age_int_max', '2147483647,female,0.5', 'bad'),
                           ('age_minus', '-1,female,0.5', 'bad'), ('sex_all', '30,all,0.5', 'any'),
                           ('value_above_1e3', '30,female,1e4', 'bad'), ('value_inf', '30,female,inf', 'bad')]:
    cli('mx_' + label, VAL, {'mx.csv': MX + row + '\n'}, expect, MX_ROW)

# --- (c) Special files ------------------------------------------------------------------------------------------------
for label, target in [('proc_self_mem', '/proc/self/mem'), ('proc_self_environ', '/proc/self/environ'),
                      ('dev_full', '/dev/full'), ('dev_random', '/dev/random'), ('proc_self_fd0', '/proc/self/fd/0'),
                      ('proc_self_exe', '/proc/self/exe')]:
    cli('special_table_link_' + label, VAL, {'t.csv': 'SYMLINK:' + target}, 'bad', r't\.csv',
        toml=BASEREF('"t.csv"'), timeout=20)
    cli('special_scenario_' + label, ['validate', target], {}, 'bad', None, timeout=20)
    cli('special_info_' + label, ['info', target], {}, 'bad', None, timeout=20)
cli('special_zone_source_proc_mem', VAL, {'z.geojson': 'SYMLINK:/proc/self/mem'}, 'bad', r'z\.geojson',
    toml=ZSRC('z.geojson'), timeout=20)
cli('special_scenario_link_loop', ['validate', 'l.toml'], {'l.toml': 'SYMLINK:m.toml', 'm.toml': 'SYMLINK:l.toml'},
    'bad', r'l\.toml', timeout=20)


def sparse(size, head=BASE):
    def f(p):
        with open(p, 'wb') as fh:
            fh.write(head.encode())
            fh.truncate(size)
    return f


cli('special_sparse_3gb_table', VAL, {'big.csv': sparse(3 << 30)}, 'bad', r'big\.csv', toml=BASEREF('"big.csv"'),
    timeout=120)
cli('special_sparse_3gb_info', ['info', 'big.csv'], {'big.csv': sparse(3 << 30)}, 'bad', r'big\.csv', timeout=120)
cli('special_sparse_3gb_geojson', VAL, {'z.geojson': sparse(3 << 30, ZONES_GJ[:-3])}, 'bad', r'z\.geojson',
    toml=ZSRC('z.geojson'), timeout=120)
cli('special_scenario_sparse_70mb', ['validate', 's.toml'], {'s.toml': sparse(70 << 20, GOOD)}, 'bad', r's\.toml')

# --- (d) Outputs ------------------------------------------------------------------------------------------------------
cli('out_trailing_slash', ['run', 'sc.toml', '--out', 'out/', '--quiet', '--no-report'], {}, 'ok')
cli('out_dotdot', ['run', '../sc.toml', '--out', '..', '--quiet', '--no-report'], {'sub/': None}, 'bad',
    r'\.\.|folder|out', cwd_rel='sub')
cli('out_tables_folder', ['run', 'sc.toml', '--out', 't', '--quiet', '--no-report'],
    {'t/base.csv': BASE}, 'bad', r"'?t'?|folder", toml=BASEREF('"t/base.csv"'))
cli('out_under_results', ['run', 'sc.toml', '--out', 'res/sub', '--quiet', '--no-report'], {}, 'any', r'res',
    pre=with_results, out='res/sub')
cli('out_data_prefix', ['run', 'sc.toml', '--out', 'data:x', '--quiet', '--no-report'], {}, 'any', None,
    out='data:x')
cli('out_proc_self_cwd_dot', ['run', 'sc.toml', '--out', '/proc/self/cwd', '--quiet', '--no-report'], {}, 'bad',
    r'/proc/self/cwd|folder')
cli('out_scenario_with_slash', ['run', 'sc.toml', '--out', 'sc.toml/', '--quiet', '--no-report'], {}, 'bad',
    r'sc\.toml')
cli('out_empty_string', ['run', 'sc.toml', '--out', '', '--quiet', '--no-report'], {}, 'bad', r'out')
cli('out_dash', ['run', 'sc.toml', '--out', '-', '--quiet', '--no-report'], {}, 'any', None, out='-')
cli('out_read_only_existing_results', RUN, {}, 'bad', r'out|permission|read-only',
    pre=lambda d: (subprocess.run([EXE] + RUN, cwd=d, env=ENV, capture_output=True), os.chmod(os.path.join(d, 'out'),
                                                                                             0o555))) \
    if os.geteuid() != 0 else None

# --- (e) Inputs changed during the run --------------------------------------------------------------------------------
BIG_BASE = 'zone,sex,age,population\n' + ''.join('%s,%s,%d,%d\n' % (z, s, a, 1000) for z in 'AB'
                                                  for s in ('female', 'male') for a in range(0, 25, 5))


def changing(name, action, at):
    """A run whose input `action(d)` changes `at` seconds in: exit 0 or 1 with a message naming the file, no crash, no
    staging folder left, and after an error no out/."""
    if not wanted(name):
        return
    d = os.path.join(ROOT, 'cases', name)
    make(d, dict(INPUTS, **{'sc.toml': GOOD}))
    names = set(os.listdir(d))

    def act():
        time.sleep(at)
        try:
            action(d)
        except OSError:
            pass
    t = threading.Thread(target=act, daemon=True)
    t.start()
    rc, o, err, secs, rss = run_measured([EXE] + RUNR, d, ENV, 120)
    t.join()
    extra = ['LEFT %s' % n for n in os.listdir(d) if ('.tmp-' in n or '.old-' in n) and n not in names]
    if rc != 0 and os.path.exists(os.path.join(d, 'out')):
        extra.append('PARTIAL out left after an error')
    LOG.check(name, rc, o, err, secs, rss, 'any',
              r'sc\.toml|base\.csv|asfr\.csv|mx\.csv|changed|out' if rc == 1 else None,
              extra)


def rewrite(f, text):
    return lambda d: open(os.path.join(d, f), 'w').write(text)


def to_fifo(f):
    def act(d):
        os.remove(os.path.join(d, f))
        os.mkfifo(os.path.join(d, f))
    return act


for at in (0.05, 0.3, 1.0):
    changing('change_base_rewritten_%dms' % (at * 1000), rewrite('base.csv', BASE.replace('1000', '2000')), at)
    changing('change_asfr_removed_%dms' % (at * 1000), lambda d: os.remove(os.path.join(d, 'asfr.csv')), at)
    changing('change_mx_to_fifo_%dms' % (at * 1000), to_fifo('mx.csv'), at)
    changing('change_scenario_rewritten_%dms' % (at * 1000), rewrite('sc.toml', 'garbage = [\n'), at)

# --- (f) Signals at several points ------------------------------------------------------------------------------------


def sig_case(name, args, sig, at, files=None, pre=None):
    if not wanted(name):
        return
    d = os.path.join(ROOT, 'cases', name)
    make(d, dict(INPUTS, **{'sc.toml': GOOD}, **(files or {})))
    if pre:
        pre(d)
    names = set(os.listdir(d))
    rc, o, err, secs, rss = run_measured([EXE] + args, d, ENV, 120, (sig, at))
    extra = ['LEFT %s' % n for n in os.listdir(d) if ('.tmp-' in n or '.old-' in n) and n not in names]
    if rc not in (0, 128 + sig, -sig):
        extra.append('EXIT %d' % rc)
    if rc == 128 + sig or rc == -sig:
        # stopped: either nothing, or a whole earlier result
        outd = os.path.join(d, 'out')
        if os.path.exists(outd) and 'out' not in names:
            extra.append('PARTIAL out left')
    LOG.check(name, rc, o, err, secs, rss, (rc,), None, extra)


for sig in (signal.SIGUSR1, signal.SIGUSR2, signal.SIGQUIT, signal.SIGALRM, signal.SIGPIPE):
    for at in (0.25, 0.8, 2.0):
        sig_case('sig_%s_run_default_%dms' % (sig.name.lower(), at * 1000),
                 ['run', 'default', '--out', 'out', '--quiet'], sig, at)
sig_case('sig_term_estimate', ['estimate', '--first', 'c1.csv', '--second', 'c2.csv', '--years', '2000:2010', '--out',
                               'out'], signal.SIGTERM, 0.3,
         {'c1.csv': 'zone,sex,age,population\nA,all,all,1000\n', 'c2.csv': 'zone,sex,age,population\nA,all,all,2000\n'})
sig_case('sig_int_validate_results', ['validate', 'sc.toml', '--results', 'res'], signal.SIGINT, 0.2, pre=with_results)

# --- (g) Numbers on the command line ----------------------------------------------------------------------------------
for label, args, expect in [
        ('seed_2p64', RUN + ['--trajectories', '2', '--seed', '18446744073709551616'], 'bad'),
        ('seed_minus_0', RUN + ['--trajectories', '2', '--seed', '-0'], 'any'),
        ('trajectories_1e3', RUN + ['--trajectories', '1e3'], 'bad'),
        ('trajectories_hex', RUN + ['--trajectories', '0x10'], 'bad'),
        ('threads_hex', RUN + ['--threads', '0x10'], 'bad'),
        ('threads_plus', RUN + ['--threads', '+2'], 'any'),
        ('threads_space', RUN + ['--threads', ' 2'], 'any'),
        ('threads_fullwidth', RUN + ['--threads', '\uff12'], 'bad'),
        ('variant_empty', RUN + ['--variant', ''], 'bad'),
        ('variant_nul_like', RUN + ['--variant', 'more\\x00'], 'bad')]:
    cli('argnum_' + label, args, {}, expect, r'--|seed|trajectories|threads|variant')
MAP = ['map', 'res', '--indicator', 'population', '--out', 'm.png']
for label, extra, expect in [('year_2p31', ['--year', '2147483648'], 'bad'), ('year_minus', ['--year', '-2025'], 'bad'),
                             ('year_float', ['--year', '2025.0'], 'bad'),
                             ('dpi_1e3', ['--year', '2025', '--dpi', '1e3'],
                                                                          'any'),
                             ('n_classes_minus', ['--year', '2025', '--n-classes', '-3'], 'bad')]:
    cli('argnum_map_' + label, MAP + extra, {}, expect, r'--|year|dpi|classes', pre=with_results, allowed=('m.png',),
        timeout=120)

# --- (i) URLs and /vsicurl/ in the command line's own paths (trusted, but never fetched) -----------------------------
C1 = 'zone,sex,age,population\nA,all,all,1000\nB,all,all,2000\n'
EST_FILES = {'c1.csv': C1, 'c2.csv': C1.replace('1000', '1100')}
RES_C = 'zone,sex,age,population\n' + ''.join('%s,%s,%d,1000\n' % (z, x, a) for z in 'AB' for x in ('female', 'male')
                                              for a in range(0, 25, 5))
RES_FILES = {'c1.csv': RES_C, 'c2.csv': RES_C.replace(',1000', ',1100')}
EST = ['estimate', '--first', 'c1.csv', '--second', 'c2.csv', '--years', '2000:2010', '--out', 'out']
NET = r'URL|virtual|vsi|network|not found|no such|local|cannot|residual method only'
for label, path in [('vsicurl', '/vsicurl/%s/c.csv' % URL), ('http', '%s/c.csv' % URL),
                    ('vsicurl_streaming', '/vsicurl_streaming/%s/c.csv' % URL), ('vsis3', '/vsis3/b/c.csv')]:
    for opt in ('--first', '--second', '--first-crosswalk', '--mx'):
        args = [a if a != 'c1.csv' or opt != '--first' else path for a in EST]
        if opt == '--second':
            args = [a if a != 'c2.csv' else path for a in EST]
        elif opt in ('--first-crosswalk', '--mx'):
            args = EST + [opt, path]
        cli('net_estimate_%s_%s' % (opt.strip('-').replace('-', '_'), label), args, EST_FILES, 'bad', NET)
    # Censuses by sex and age (the residual method reads --mx).
    cli('net_estimate_residual_mx_%s' % label, EST + ['--step', '5', '--open-age', '20', '--mx', path], RES_FILES,
        'bad',
        NET)
    cli('net_backtest_observed_%s' % label, ['backtest', 'sc.toml', '--observed', path, '--earlier', 'sc.toml',
                                             '--out', 'out'], {}, 'bad', NET)
    cli('net_group_split_%s' % label, ['estimate', '--group-split', path, '--out', 'out'], {}, 'bad', NET)
    cli('net_levels_%s' % label, ['estimate', '--levels', path, '--out', 'out'], {}, 'bad', NET)
    cli('net_scenario_%s' % label, ['validate', path], {}, 'bad', NET)

# --- (j) A full disk (a small tmpfs; root only) ---------------------------------------------------------------------
MOUNTS = []


def tmpfs(size_kb, inodes=None):
    """A fresh tmpfs of size_kb under WORK, or None when it cannot be mounted (not root)."""
    p = os.path.join(ROOT, 'tmpfs%d' % len(MOUNTS))
    os.makedirs(p)
    opts = 'size=%dk' % size_kb + (',nr_inodes=%d' % inodes if inodes else '')
    if subprocess.run(['mount', '-t', 'tmpfs', '-o', opts, 'tmpfs', p], capture_output=True).returncode != 0:
        return None
    MOUNTS.append(p)
    return p


def full_case(name, args_of, size_kb, inodes=None, pre=None, timeout=120):
    """args_of(tmpfs) run in a case folder; on a tmpfs too small the run must fail with a message saying so and leave
    nothing on the tmpfs (or succeed)."""
    if not wanted(name):
        return
    fs_ = tmpfs(size_kb, inodes)
    if fs_ is None:
        record(name, True, 'skipped: cannot mount a tmpfs (not root)')
        return
    d = os.path.join(ROOT, 'cases', name)
    make(d, dict(INPUTS, **{'sc.toml': GOOD}))
    if pre:
        pre(d, fs_)
    before = set(os.listdir(fs_))
    rc, o, err, secs, rss = run_measured([EXE] + args_of(fs_), d, ENV, timeout)
    left = sorted(set(os.listdir(fs_)) - before)
    extra = ['LEFT on the full disk: %s' % left] if rc != 0 and left else []
    extra += ['LEFT %s' % n for n in os.listdir(fs_) if '.tmp-' in n or '.old-' in n]
    LOG.check(name, rc, o, err, secs, rss, 'any', r'No space|space|disk|full|write|inode' if rc == 1 else None, extra)


for kb in (16, 128, 512, 2048):
    full_case('full_run_report_%dk' % kb, lambda f: ['run', 'sc.toml', '--out', f + '/out', '--quiet'], kb)
full_case('full_run_default_8m', lambda f: ['run', 'default', '--out', f + '/out', '--quiet'], 8192, timeout=300)
full_case('full_run_xlsx_1m', lambda f: ['run', 'sc.toml', '--out', f + '/out', '--quiet', '--format', 'both'], 1024)
full_case('full_run_ensemble_512k', lambda f: ['run', 'sc.toml', '--out', f + '/out', '--quiet', '--no-report',
                                               '--trajectories', '50'], 512)
full_case('full_inodes_run', lambda f: ['run', 'sc.toml', '--out', f + '/out', '--quiet'], 8192, inodes=12)
full_case('full_estimate_8k', lambda f: EST[:-1] + [f + '/out'], 8, pre=lambda d, f: make(d, EST_FILES))


def results_on(size_kb_left):
    def pre(d, f):
        make(d, {'zones.geojson': ZONES_GJ, 'sc.toml': ZSRC('zones.geojson')})
        subprocess.run([EXE, 'run', 'sc.toml', '--out', f + '/res', '--quiet'], cwd=d, env=ENV,
                       capture_output=True, timeout=300)
        st = os.statvfs(f)
        fill = st.f_bavail * st.f_frsize - size_kb_left * 1024
        if fill > 0:
            with open(os.path.join(f, 'filler'), 'wb') as fh:
                fh.write(b'\0' * fill)
    return pre


full_case('full_map_into_tmpfs', lambda f: ['map', f + '/res', '--indicator', 'population', '--year', '2025',
                                            '--out', f + '/m.png'], 32768, pre=results_on(4))
full_case('full_report_in_results', lambda f: ['report', f + '/res'], 32768, pre=results_on(8))
full_case('full_run_replacing_results', lambda f: ['run', 'sc.toml', '--out', f + '/res', '--quiet', '--no-report'],
          32768, pre=results_on(16))
if wanted('py_full_write_outputs'):
    fs_ = tmpfs(256)
    if fs_:
        PY_FULL = fs_

# --- (h) Python -------------------------------------------------------------------------------------------------------
PY_DIR = os.path.join(ROOT, 'py')
make(PY_DIR, dict(INPUTS, **{'good.toml': GOOD}))
PROBE.py_prelude = ('import gc, os, signal, sys, threading, time, numpy as np, cohortgis as cg\n'
                    'P = %r\ns = cg.load_scenario(P)\nsc = s.baseline\nbp = sc.base_population\n'
                    'ref = cg.run(sc, threads=1)["baseline"].population.copy()\n' % os.path.join(PY_DIR, 'good.toml'))
PROBE.py_dir, PROBE.py_watched = PY_DIR, [PY_DIR, SHARED]
py = PROBE.py
BAD = ('TypeError', 'ValueError')
SAME = '\nbool(np.array_equal(cg.run(sc, threads=1)["baseline"].population, ref))'
for dt in ('float16', 'int8', 'uint64', 'object', 'complex64', 'bool', 'datetime64[s]', 'U3', 'V8'):
    py('py_bp_dtype_' + dt.replace('[', '_').replace(']', ''), 'sc.base_population = bp.astype(%r)\n'
       'bool(np.array_equal(cg.run(sc, threads=1)["baseline"].population, ref))' % dt, ('ok',) + BAD,
       r'True|False|dtype|number|type|persons|complex|date')
py('py_bp_read_only', 'a = bp.copy()\na.flags.writeable = False\nsc.base_population = a' + SAME, 'ok', r'True')
py('py_bp_zero_stride', 'a = np.lib.stride_tricks.as_strided(bp[..., :1], shape=bp.shape, strides=bp.strides[:-1] + '
   '(0,))\nsc.base_population = a\nbool(np.isfinite(cg.run(sc)["baseline"].population).all())', ('ok',) + BAD, '')
py('py_bp_byteswapped', 'sc.base_population = bp.astype(bp.dtype.newbyteorder(">"))' + SAME, ('ok',) + BAD,
   r'True|byte|dtype')
py('py_bp_huge_wrong_shape', 'sc.base_population = np.zeros((10**4, 10**4))\nNone', BAD, r'shape|base')
py('py_bp_0d', 'sc.base_population = np.float64(5)\nNone', BAD, r'shape|base|dimension')
py('py_bp_memoryview', 'sc.base_population = memoryview(bp.copy())' + SAME, ('ok',) + BAD, r'True|type')
py('py_bp_negative_zero_everywhere', 'sc.base_population = -np.zeros_like(bp)\n'
   'float(cg.run(sc)["baseline"].population.sum())', ('ok', 'RuntimeError') + BAD, r'relocation|\d')


class_defs = ("class S(str):\n    def __eq__(self, o):\n        return True\n    def __hash__(self):\n"
              "        return 0\n"
              "class I(int):\n    def __index__(self):\n        return 10**30\n    def __int__(self):\n"
              "        return 10**30\n")
py('py_set_zones_str_subclass', class_defs + 'sc2 = sc.copy()\nsc2.set_zones([S("A"), S("B")])\n'
   'sorted(cg.run(sc2)["baseline"].zone_ids)', ('ok',) + BAD, r"\['A', 'B'\]|zone")
py('py_threads_int_subclass_lying', class_defs + 'cg.run(sc, threads=I(2))', ('ok',) + BAD + ('OverflowError',),
   r'thread|int|large|<')
py('py_threads_bool', 'cg.run(sc, threads=True)', ('ok',) + BAD, '')
py('py_threads_numpy_float', 'cg.run(sc, threads=np.float64(2.0))', BAD, r'thread|int|float')
py('py_load_path_str_subclass', class_defs + 'len(cg.load_scenario(S(P)).runs)', ('ok',) + BAD + ('OSError',), '')
py('py_eight_threads_set_tfr_and_run', "errs = []\ndef w(i):\n    try:\n        for _ in range(5):\n"
   "            c = sc.copy()\n            c.set_tfr(1.0 + i / 10)\n            cg.run(c, threads=1)\n"
   "    except BaseException as e:\n        errs.append(repr(e))\n"
   "ts = [threading.Thread(target=w, args=(i,)) for i in range(8)]\n[t.start() for t in ts]\n[t.join() for t in ts]\n"
   "errs" + SAME.replace('\n', '\nerrs == [] and '), 'ok', r'True', timeout=180)
py('py_threads_read_bp_while_set', "stop = [False]\nerrs = []\ndef rd():\n    while not stop[0]:\n        try:\n"
   "            float(sc.base_population.sum())\n        except BaseException as e:\n            errs.append(repr(e))\n"
   "ts = [threading.Thread(target=rd) for _ in range(4)]\n[t.start() for t in ts]\n"
   "for k in range(50):\n    sc.base_population = bp * (1 + k % 2)\nstop[0] = True\n[t.join() for t in ts]\n"
   "sc.base_population = bp\nerrs" + SAME.replace('\n', '\nerrs == [] and '), 'ok', r'True', timeout=120)
py('py_del_set_while_iterating_runs', "s2 = cg.load_scenario(P)\nout = []\nfor r in s2.runs:\n    del s2\n"
   "    gc.collect()\n"
   "    out.append(cg.run(r, threads=1)['baseline'].population.shape)\n    break\nout", ('ok',) + BAD, r'\(')
py('py_del_results_while_iterating', "r = cg.run(s, threads=1)\nit = iter(r)\nfirst = next(it)\ndel r\ngc.collect()\n"
   "[k for k in it]", ('ok',) + BAD + ('RuntimeError', 'StopIteration', 'KeyError'), '')
py('py_results_array_after_gc', "a = cg.run(sc, threads=1)['baseline'].population\ngc.collect()\n"
   "bool(np.array_equal(a, ref))", 'ok', r'True')
py('py_kbint_load_scenario', "signal.signal(signal.SIGALRM, lambda *a: (_ for _ in ()).throw(KeyboardInterrupt()))\n"
   "signal.setitimer(signal.ITIMER_REAL, 0.001)\ntry:\n    for _ in range(200):\n        cg.load_scenario(P)\n"
   "except KeyboardInterrupt:\n    pass\nsignal.setitimer(signal.ITIMER_REAL, 0)" + SAME, 'ok', r'True', timeout=120)
py('py_set_tfr_nan_str', 'sc.set_tfr("nan")', BAD, r'tfr|float|str')
py('py_set_tfr_subnormal', 'sc.set_tfr(5e-324)\nbool(np.isfinite(cg.run(sc)["baseline"].population).all())',
   ('ok',) + BAD, '')
py('py_run_trajectories_numpy_uint64_max', 'cg.run(s, trajectories=np.uint64(2**64 - 1))', BAD + ('OverflowError',),
   r'trajector|large|int')
py('py_write_outputs_out_is_input_folder', "cg.write_outputs(P, os.path.dirname(P))", BAD + ('OSError',),
   r'folder|results|scenario|input|files')
py('py_write_outputs_out_is_table', "cg.write_outputs(P, os.path.join(os.path.dirname(P), 'base.csv'))",
   BAD + ('OSError',), r'base\.csv')

if wanted('py_full_write_outputs') and MOUNTS:
    py('py_full_write_outputs', "import errno\ntry:\n    cg.write_outputs(P, %r)\nexcept OSError as e:\n"
       "    raise ValueError(str(e))\nNone" % os.path.join(MOUNTS[-1], 'o'), BAD + ('OSError',),
       r'space|disk|write|full')
    left = os.listdir(MOUNTS[-1])
    if left:
        record('py_full_write_outputs_left', False, 'left on the full tmpfs: %s' % left)
for m in MOUNTS:
    subprocess.run(['umount', m], capture_output=True)
for p in ('/vsimem', '/vsistdin', '/vsizip'):
    if os.path.isdir(p):
        record('cleanup_' + p.strip('/'), False, 'a real folder %s was created: %s' % (p, os.listdir(p)))
PROBE.finish()
