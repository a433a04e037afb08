#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Hostile-input probe of round 24 (helper h138), the command line: what rounds 3 to 23 did not try or tried thinly. (a)
The grammar of the command line itself: `--opt=value`, abbreviated and ambiguous options, `--` ending the options,
bundled short options, an option missing its value or given a value that is itself an option, a flag given a value, the
command in capitals, with a space, empty, an em dash for `--`, `@file` words, 100,000 words; (b) an MPI launcher's
environment without the launcher (`OMPI_COMM_WORLD_SIZE`, `PMI_SIZE` set to 2, 1, 0, −1, text, 2^70): the run must
finish as one process or stop with a message, never hang, crash or leave `OUT.tmp-PID`; (c) a working folder that
another process deleted (`rm -rf` of the shell's folder) under `run`, `validate`, `info`, `map`, `report`, `estimate`
and `backtest`, with absolute paths (must work) and relative ones (a clear error, not an "internal error"); (d) every
top-level section of scenarios/README.md given as a number, a date, an array of tables (`[[projection]]`) or, for the
arrays, a single table (`[targets]`), and a variant's sections as a number, a string or an array; (e) an unknown key in
every table the good scenario has, inline tables included (a typo must never be ignored); (f) hostile values of options
no probe tried: `--lang`, `info --layer`/`--encoding`, `--components`, `--format`, `estimate
--zones`/`--floating`/`--asfr-filter`; (g) resource limits not tried: a process count (`RLIMIT_NPROC`, for `nobody`: no
thread can start) under `run`, `run default`, an ensemble, `validate`, `map` and `report`, and a data-segment limit
(`RLIMIT_DATA`); (h) signals (timed from when the process has its handlers, read from /proc/PID/status): SIGTSTP then
SIGCONT (the run completes), SIGINT or SIGTERM while stopped then SIGCONT, SIGTERM, SIGINT and SIGHUP to the whole
process group, SIGTTOU; (i) inherited descriptors: 1100 open descriptors (numbers past FD_SETSIZE for every file
cohortgis opens), `--out /dev/fd/N` of a folder, the scenario as `/dev/fd/N`.
A case fails on a crash, a hang, an exit other than the expected, a message that does not match, a crash-like, huge
or raw-control message, a network connection, a file written, changed or deleted outside the output, or staging
folders left after an error.
Usage: PYTHONPATH=build/python /usr/bin/python3 tests/probe/hostile_round24.py [BUILD_DIR [WORK_DIR]] [PREFIX ...]"""
import os, signal, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe_common import (EST, EST_FILES, MAP, NOBODY, OBS, RUN, RUNR, VAL, ZONES_GJ, CliProbe, changes, leftovers,
                          limits, make, snapshot)

PROBE = CliProbe('cohortgis-hostile-probe24-')
ROOT, EXE, URL, ENV, LOG = PROBE.root, PROBE.exe, PROBE.url, PROBE.env, PROBE.log
record, wanted, cli = LOG.record, PROBE.wanted, PROBE.cli
GOOD, INPUTS, SHARED = PROBE.good, PROBE.inputs, PROBE.shared
BASE, MX, ASFR = INPUTS['base.csv'], INPUTS['mx.csv'], INPUTS['asfr.csv']
G, BASEREF, ZSRC = PROBE.g, PROBE.baseref, PROBE.zsrc
with_results = PROBE.with_results  # res/ for `map` and `report` (probe_common.CliProbe.with_results)
make(SHARED, {'victim/thesis.txt': 'precious\n'})
os.chmod(ROOT, 0o755)  # nobody's cases (g) go through it


# --- (a) The grammar of the command line ------------------------------------------------------------------------------
NR = ['--quiet', '--no-report']
cli('argv_out_equals', ['run', 'sc.toml', '--out=out'] + NR, expect='ok')
cli('argv_out_abbreviated', ['run', 'sc.toml', '--ou', 'out'] + NR, expect='any', pattern=r'--ou')
cli('argv_no_ambiguous', ['run', 'sc.toml', '--no', '--out', 'out', '--quiet'], expect='bad', pattern=r'--no')
cli('argv_double_dash_then_options', ['run', '--', 'sc.toml', '--out', 'out'] + NR, expect='bad',
    pattern=r'scenario|--out')
cli('argv_double_dash_scenario', ['run', '--out', 'out', '--quiet', '--no-report', '--', 'sc.toml'], expect='ok')
cli('argv_short_bundle', ['run', 'sc.toml', '-qj1', '-o', 'out', '--no-report'], expect='ok')
cli('argv_short_sticky_value', ['run', 'sc.toml', '-oout', '-q', '--no-report'], expect='ok')
cli('argv_out_missing_value', ['run', 'sc.toml', '--quiet', '--out'], expect='bad', pattern=r'--out')
cli('argv_out_value_is_option', ['run', 'sc.toml', '--out', '--quiet'], expect='bad', pattern=r'--out')
cli('argv_variant_no_value', ['run', 'sc.toml', '--variant', '--out', 'out'] + NR, expect='bad', pattern=r'variant')
cli('argv_flag_with_value', ['run', 'sc.toml', '--quiet=yes', '--out', 'out'], expect='bad', pattern=r'quiet')
cli('argv_help_with_bad_threads', ['run', '--help', '--threads', 'x'], expect='any', pattern=r'threads')
cli('argv_command_capitals', ['RUN', 'sc.toml', '--out', 'out'], expect='bad', pattern=r'RUN')
cli('argv_command_trailing_space', ['run ', 'sc.toml', '--out', 'out'], expect='bad', pattern=r'run')
cli('argv_command_empty', ['', 'sc.toml'], expect='bad', pattern=r'command')
cli('argv_command_prefix', ['ru', 'sc.toml'], expect='bad', pattern=r"'ru'")
cli('argv_at_file', ['run', '@args.txt', '--out', 'out'] + NR, {'args.txt': 'sc.toml\n'}, expect='bad',
    pattern=r'@args\.txt')
cli('argv_em_dash_option', ['run', 'sc.toml', '\u2014out', 'out'] + NR, expect='bad', pattern=r'scenario|\u2014out')
cli('argv_unicode_minus_threads', ['run', 'sc.toml', '--threads', '\u22121', '--out', 'out'] + NR, expect='bad',
    pattern=r'threads')
cli('argv_100k_words', ['run'] + ['sc.toml'] * 100000 + ['--out', 'out'], expect='bad',
    pattern=r'one scenario|command-line words', timeout=10)
cli('argv_info_50k_files', ['info'] + ['base.csv'] * 50000, expect='bad', pattern=r'one file|command-line words',
    timeout=10)
cli('argv_threads_equals_empty', ['run', 'sc.toml', '--threads=', '--out', 'out'] + NR, expect='bad',
    pattern=r'threads')
cli('argv_years_equals_twice', EST[:5] + ['--years=2000:2010=', '--out', 'out'], EST_FILES, expect='bad',
    pattern=r'years')
cli('argv_version_and_help', ['--version', '--help'], expect='ok', out=None)
cli('argv_help_after_command_words', ['run', 'sc.toml', 'extra', '--help'], expect='ok', out=None)
cli('argv_lang_equals_empty', ['run', 'sc.toml', '--lang=', '--out', 'out'] + NR, expect='bad', pattern=r'lang')
cli('argv_dash_as_map_dir', ['map', '-', '--year', '2025'], expect='bad', pattern=r"'-'|-")
cli('argv_option_100kb_name', ['run', 'sc.toml', '--' + 'x' * 100000], expect='bad', pattern=r'unrecognised|unknown|'
    r'unrecognized')

# --- (b) An MPI launcher's environment without the launcher -----------------------------------------------------------
for label, env in [('ompi_2', {'OMPI_COMM_WORLD_SIZE': '2'}), ('ompi_1', {'OMPI_COMM_WORLD_SIZE': '1'}),
                   ('ompi_0', {'OMPI_COMM_WORLD_SIZE': '0'}), ('ompi_neg', {'OMPI_COMM_WORLD_SIZE': '-1'}),
                   ('ompi_text', {'OMPI_COMM_WORLD_SIZE': 'many'}),
                   ('ompi_huge', {'OMPI_COMM_WORLD_SIZE': '1180591620717411303424'}),
                   ('pmi_2', {'PMI_SIZE': '2'}), ('pmi_rank_1', {'PMI_SIZE': '2', 'PMI_RANK': '1'})]:
    cli('mpi_env_%s_run' % label, RUN, env=env, expect='any', timeout=90)
for label, env in [('ompi_2', {'OMPI_COMM_WORLD_SIZE': '2'}), ('pmi_2', {'PMI_SIZE': '2', 'PMI_RANK': '1'})]:
    cli('mpi_env_%s_ensemble' % label, RUN + ['--trajectories', '20'], env=env, expect='any', timeout=90)

# --- (c) A working folder another process deleted ---------------------------------------------------------------------
GONE = 'mkdir -p "$G" && cd "$G" && rmdir "$G" && exec "$0" "$@"'


def gone_case(name, args, expect, pattern=None, files=None, pre=None, out='out'):
    """`cohortgis ARGS` (CASE in them: the case folder's absolute path) run from a folder removed just before."""
    if not wanted(name):
        return
    d = os.path.join(ROOT, 'cases', name)
    words = [a.replace('CASE', d) for a in args]
    cli(name, words, files, expect, pattern, pre=pre, out=out, env={'G': os.path.join(ROOT, 'gone', name)},
        prefix=['sh', '-c', GONE])


gone_case('cwd_gone_run_absolute', ['run', 'CASE/sc.toml', '--out', 'CASE/out', '--quiet'], 'ok')
gone_case('cwd_gone_run_relative_out', ['run', 'CASE/sc.toml', '--out', 'out', '--quiet', '--no-report'], 'bad',
          r'out|folder|working')
gone_case('cwd_gone_run_relative_scenario', ['run', 'sc.toml', '--out', 'CASE/out', '--quiet'], 'bad',
          r'sc\.toml|working')
gone_case('cwd_gone_run_default', ['run', 'default', '--out', 'CASE/out', '--quiet', '--no-report'], 'ok')
gone_case('cwd_gone_validate', ['validate', 'CASE/sc.toml'], 'ok', out=None)
gone_case('cwd_gone_info', ['info', 'CASE/base.csv'], 'ok', out=None)
gone_case('cwd_gone_info_relative', ['info', 'base.csv'], 'bad', r'base\.csv|working', out=None)
gone_case('cwd_gone_estimate', ['estimate', '--first', 'CASE/c1.csv', '--second', 'CASE/c2.csv', '--years',
                                '2000:2010', '--out', 'CASE/out'], 'ok', files=EST_FILES)
gone_case('cwd_gone_backtest', ['backtest', 'CASE/sc.toml', '--observed', 'CASE/obs.csv', '--out', 'CASE/out',
                                '--quiet', '--no-report'], 'ok', files={'obs.csv': OBS})
gone_case('cwd_gone_map', ['map', 'CASE/res', '--year', '2025', '--out', 'CASE/m.png'], 'ok', pre=with_results,
          out='m.png')
gone_case('cwd_gone_map_relative', ['map', 'res', '--year', '2025'], 'bad', r'res|working', pre=with_results,
          out=None)
gone_case('cwd_gone_map_into_results', ['map', 'CASE/res', '--year', '2025'], 'ok', pre=with_results, out='res')
gone_case('cwd_gone_report', ['report', 'CASE/res'], 'ok', pre=with_results, out='res')
gone_case('cwd_gone_estimate_relative_out', ['estimate', '--first', 'CASE/c1.csv', '--second', 'CASE/c2.csv',
                                             '--years', '2000:2010', '--out', 'out'], 'bad', r'out|working',
          files=EST_FILES)
gone_case('cwd_gone_backtest_relative_out', ['backtest', 'CASE/sc.toml', '--observed', 'CASE/obs.csv', '--out', 'out',
                                             '--quiet', '--no-report'], 'bad', r'out|working', files={'obs.csv': OBS})
gone_case('cwd_gone_map_relative_out', ['map', 'CASE/res', '--year', '2025', '--out', 'm.png'], 'bad',
          r'm\.png|working', pre=with_results, out=None)
gone_case('cwd_gone_allow_read_relative', ['validate', 'CASE/sc.toml', '--allow-read', 'elsewhere'], 'any',
          r'elsewhere|working', out=None)
gone_case('cwd_gone_levels_relative_out', ['estimate', '--levels', 'CASE/f.csv', '--out', 'out'], 'bad',
          r'out|working|f\.csv', files={'f.csv': 'zone,e0\nA,75\n'})
gone_case('cwd_gone_validate_results', ['validate', 'CASE/sc.toml', '--results', 'CASE/res'], 'ok', pre=with_results,
          out=None)


# --- (d) Every top-level section of the wrong kind --------------------------------------------------------------------
def without(text, section):
    """The scenario text without the block of [section] or of every [[section]] (header to the next header)."""
    out, skip = [], False
    for line in text.split('\n'):
        if line.startswith('['):
            skip = line.strip() in ('[%s]' % section, '[[%s]]' % section)
        if not skip:
            out.append(line)
    return '\n'.join(out)


def block(text, section):
    """The lines of the block [section] or the first [[section]], header excluded."""
    lines, inside = [], False
    for line in text.split('\n'):
        if line.startswith('['):
            if inside:
                break
            inside = line.strip() in ('[%s]' % section, '[[%s]]' % section)
            continue
        if inside:
            lines.append(line)
    return '\n'.join(lines)


TABLES = ['scenario', 'geography', 'projection', 'base_population', 'fertility', 'mortality', 'migration',
          'plan_periods', 'outputs', 'stochastic', 'monitoring', 'controls', 'capacity', 'households', 'registers']
ARRAYS = ['relocation', 'targets', 'variants', 'transitions', 'newborn', 'services']
for s in TABLES + ARRAYS:
    rest = without(GOOD, s)
    dated = s in ('projection', 'fertility', 'outputs', 'targets')
    kinds = [('number', '5')] + ([('date', '2020-01-01')] if dated else [])
    for kind, value in kinds:
        cli('section_%s_%s' % (s, kind), VAL, toml='%s = %s\n%s' % (s, value, rest), expect='bad', pattern=s, out=None)
    if s in TABLES:
        body = block(GOOD, s) if ('[%s]' % s) in GOOD else 'zzz = 1'
        cli('section_%s_array_of_tables' % s, VAL, toml='%s\n[[%s]]\n%s\n' % (rest, s, body), expect='bad',
            pattern=s, out=None)
    else:
        body = block(GOOD, s) if ('[[%s]]' % s) in GOOD else 'name = "x"'
        cli('section_%s_single_table' % s, VAL, toml='%s\n[%s]\n%s\n' % (rest, s, body), expect='bad', pattern=s,
            out=None)

for s in ('fertility', 'mortality', 'migration'):
    for kind, value in [('number', '5'), ('string', '"high"'), ('array', '[]')]:
        cli('section_variant_%s_%s' % (s, kind), VAL, toml=G('name = "more"\nfertility = { tfr = 3.0 }',
                                                            'name = "more"\n%s = %s' % (s, value)), expect='bad',
            pattern=r'variants\[\d\]\.%s' % s, out=None)

# --- (e) An unknown key in every table of the good scenario -----------------------------------------------------------
Z = 'zzz_unknown = 1'
for label, old, new in [
        ('scenario', 'name = "tiny"', 'name = "tiny"\n' + Z),
        ('zone', '{ id = "A", name = "Zone A" }', '{ id = "A", name = "Zone A", %s }' % Z),
        ('geography', '[geography]', '[geography]\n' + Z),
        ('projection', 'open_age = 20', 'open_age = 20\n' + Z),
        ('base_population', 'table = "base.csv"', 'table = "base.csv"\n' + Z),
        ('base_table_inline', 'table = "base.csv"', 'table = { path = "base.csv", %s }' % Z),
        ('fertility', 'srb = 105', 'srb = 105\n' + Z),
        ('schedule_inline', '{ path = "asfr.csv" }', '{ path = "asfr.csv", %s }' % Z),
        ('tfr_key', '"2030" = 2.0', '"2030" = 2.0, zzz_unknown = 1.0'),
        ('mortality_columns', 'columns = { value = "mx" }', 'columns = { value = "mx", zzz_unknown = "x" }'),
        ('mortality', 'mx = { path', Z + '\nmx = { path'),
        ('flow', 'years = [2021, 2025] }', 'years = [2021, 2025], %s }' % Z),
        ('migration', 'flows = [', Z + '\nflows = ['),
        ('relocation', 'persons_per_year = 20', 'persons_per_year = 20\n' + Z),
        ('plan_period', '"2026-2030" = "second"', '"2026-2030" = "second"\nzzz_unknown = "third"'),
        ('target', 'max = 100000', 'max = 100000\n' + Z),
        ('variant', 'name = "more"', 'name = "more"\n' + Z),
        ('variant_fertility', 'fertility = { tfr = 3.0 }', 'fertility = { tfr = 3.0, %s }' % Z)]:
    cli('unknown_key_%s' % label, VAL, toml=G(old, new), expect='bad', pattern=r'zzz_unknown', out=None)
for label, extra in [('outputs', '[outputs]\n' + Z), ('stochastic', '[stochastic]\ntrajectories = 10\n' + Z),
                     ('stochastic_tfr', '[stochastic]\ntrajectories = 10\n[stochastic.tfr]\nsd = 0.1\n' + Z),
                     ('variant_mortality', None), ('geography_source', None)]:
    if label == 'variant_mortality':
        text = G('fertility = { tfr = 3.0 }', 'fertility = { tfr = 3.0 }\nmortality = { %s }' % Z)
    elif label == 'geography_source':
        text = PROBE.zsrc('zones.geojson', Z)
    else:
        text = GOOD + '\n' + extra + '\n'
    cli('unknown_key_%s' % label, VAL, {'zones.geojson': ZONES_GJ}, toml=text, expect='bad', pattern=r'zzz_unknown',
        out=None)

# --- (f) Hostile values of options no probe tried ---------------------------------------------------------------------
for label, value, expect in [('empty', '', 'bad'), ('capitals', 'ZH', 'any'), ('zh_tw', 'zh-TW', 'any'),
                             ('locale', 'en_US.UTF-8', 'any'), ('100k', 'x' * 100000, 'bad'),
                             ('escape', 'zh\x1b[2J', 'bad'), ('path', '../../etc/passwd', 'bad')]:
    cli('lang_%s_run' % label, RUN + ['--lang', value], expect=expect, pattern=r'lang|language')
    if label in ('empty', '100k'):
        cli('lang_%s_report' % label, ['report', 'res', '--lang', value], pre=with_results, expect=expect,
            pattern=r'lang|language', out='res')
for label, value in [('sql', "x'; DROP TABLE t; --"), ('zero', '0'), ('negative', '-1'), ('100k', 'y' * 100000),
                     ('nul_like', 'a\\0b'), ('path', '../sc.toml'), ('url', URL + '/l')]:
    cli('info_layer_%s' % label, ['info', 'base.csv', '--layer', value], expect='any', pattern=r'layer|base\.csv',
        out=None)
for label, value in [('utf7', 'UTF-7'), ('5000', 'E' * 5000), ('passwd', '/etc/passwd'), ('translit', 'GBK//TRANSLIT'),
                     ('utf16', 'UTF-16')]:
    cli('info_encoding_%s' % label, ['info', 'base.csv', '--encoding', value], expect='any',
        pattern=r'encoding|base\.csv', out=None)
for label, value, expect in [('commas', ',,', 'bad'), ('twice', 'births,births', 'any'), ('capitals', 'ALL', 'any'),
                             ('10k', ','.join(['births'] * 10000), 'any'), ('space', ' births', 'any'),
                             ('all_and_none', 'all,none', 'bad')]:
    cli('components_%s' % label, RUN + ['--components', value], expect=expect, pattern=r'components')
for label, value in [('capitals', 'CSV'), ('two', 'csv,netcdf'), ('space', 'both '), ('empty', '')]:
    cli('format_%s' % label, RUN + ['--format', value], expect='bad', pattern=r'format')
CENSUS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                      'data/census/census2020_districts.csv')
CENSUS_TEXT = open(CENSUS, 'rb').read() if os.path.exists(CENSUS) else b''
for label, opt, value in [('zones_empty', '--zones', ''), ('zones_percent', '--zones', '%'),
                          ('zones_100k', '--zones', '1' * 100000), ('zones_star', '--zones', '*'),
                          ('floating_empty', '--floating', ''), ('floating_100k', '--floating', 'f' * 100000)]:
    cli('group_split_%s' % label, ['estimate', '--group-split', 'census.csv', opt, value, '--out', 'out'],
        {'census.csv': CENSUS_TEXT}, expect='any', pattern=r'zones|floating|census')
for label, value in [('no_column', '=x'), ('no_value', 'age='), ('two_equals', 'age==5'),
                     ('100k', 'a=' + 'b' * 100000)]:
    cli('mx_filter_%s' % label, EST + ['--mx', 'mx.csv', '--mx-filter', value], dict(EST_FILES, **{'mx.csv': MX}),
        expect='bad', pattern=r'mx|filter')


# --- (g) Resource limits not tried ------------------------------------------------------------------------------------
def owned_by_nobody(with_res=False):
    def pre(d):
        if with_res:
            with_results(d)
        subprocess.run(['chown', '-R', '65534:65534', d], check=True)
    return pre


if os.geteuid() == 0:
    for n in (1, 2, 4):
        cli('nproc_%d_run' % n, RUN + ['--threads', '4'], expect='any', pattern=r'thread|process',
            prefix=NOBODY + limits(nproc=n), pre=owned_by_nobody(), timeout=120)
    cli('nproc_1_run_report', RUNR, expect='any', pattern=r'thread|process', prefix=NOBODY + limits(nproc=1),
        pre=owned_by_nobody(), timeout=120)
    cli('nproc_1_run_default', ['run', 'default', '--out', 'out', '--quiet', '--threads', '2'], expect='any',
        pattern=r'thread|process', prefix=NOBODY + limits(nproc=1), pre=owned_by_nobody(), timeout=300)
    cli('nproc_1_ensemble', RUN + ['--trajectories', '50', '--threads', '2'], expect='any', pattern=r'thread|process',
        prefix=NOBODY + limits(nproc=1), pre=owned_by_nobody(), timeout=120)
    cli('nproc_1_validate', VAL + ['--threads', '2'], expect='any', pattern=r'thread|process',
        prefix=NOBODY + limits(nproc=1), pre=owned_by_nobody(), out=None)
    cli('nproc_1_map', MAP + ['--out', 'm.png'], expect='any', pattern=r'thread|process',
        prefix=NOBODY + limits(nproc=1), pre=owned_by_nobody(True), out='m.png', timeout=120)
    cli('nproc_1_report', ['report', 'res'], expect='any', pattern=r'thread|process',
        prefix=NOBODY + limits(nproc=1), pre=owned_by_nobody(True), out='res', timeout=120)
    cli('nproc_1_estimate', EST, EST_FILES, expect='any', pattern=r'thread|process',
        prefix=NOBODY + limits(nproc=1), pre=owned_by_nobody(), timeout=120)
for mb in (40, 120, 400):
    cli('data_limit_%dmb_run_report' % mb, RUNR, expect='any', pattern=r'memory|limit', prefix=limits(data=mb << 20),
        timeout=180)
cli('data_limit_40mb_run_default', ['run', 'default', '--out', 'out', '--quiet'], expect='any',
    pattern=r'memory|limit', prefix=limits(data=40 << 20), timeout=180)


# --- (h) Signals not tried --------------------------------------------------------------------------------------------
def caught(pid, sig):
    """Whether process pid has a handler for sig (SigCgt of /proc/PID/status)."""
    try:
        for line in open('/proc/%d/status' % pid):
            if line.startswith('SigCgt:'):
                return bool(int(line.split()[1], 16) >> (int(sig) - 1) & 1)
    except (OSError, ValueError):
        pass
    return False


def signal_case(name, args, steps, expect, files=None, pre=None, group=False, timeout=240, out='out'):
    """`cohortgis ARGS` in a case folder sent `steps` [(seconds after its handlers are installed, signal)], to the
    process or (group) its process group. Exit `expect`; after an error nothing may change, after 0 only `out`."""
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
                         stdin=subprocess.DEVNULL, start_new_session=group)
    pending, rc, armed = list(steps), None, None
    while rc is None:
        # The times count from when the process catches SIGINT (its handlers installed): a signal in the loader's
        # first 0.1-0.4 s ends it by the default action, a window rounds 19 and 20 left as it is.
        if armed is None and caught(p.pid, signal.SIGINT):
            armed = time.time()
        now = time.time() - (armed or t0) if armed else -1.0
        while pending and now >= pending[0][0]:
            sig = pending.pop(0)[1]
            try:
                os.killpg(p.pid, sig) if group else p.send_signal(sig)
            except ProcessLookupError:
                pass
        if time.time() - t0 > timeout:
            p.kill()
            p.wait()
            rc = 124
            break
        rc = p.poll()
        time.sleep(0.01)
    o, err = (x.decode('utf-8', 'replace') for x in p.communicate())
    secs = time.time() - t0
    after = dict(snapshot(d), **snapshot(SHARED))
    extra = changes(before, after, [os.path.join(d, out)] if rc == 0 and out else []) + leftovers(d, names)
    LOG.check(name, rc, o, err, secs, 0, expect, None, extra)


signal_case('sig_tstp_cont_run', RUNR[:-1] + ['--quiet'], [(0.3, signal.SIGTSTP), (1.5, signal.SIGCONT)], 'ok')
signal_case('sig_stop_int_cont_default', ['run', 'default', '--out', 'out', '--quiet'],
            [(0.3, signal.SIGSTOP), (0.6, signal.SIGINT), (1.2, signal.SIGCONT)], 130)
signal_case('sig_stop_term_cont_default', ['run', 'default', '--out', 'out', '--quiet'],
            [(1.0, signal.SIGSTOP), (1.3, signal.SIGTERM), (1.8, signal.SIGCONT)], 143)
signal_case('sig_group_term_default', ['run', 'default', '--out', 'out', '--quiet'], [(1.5, signal.SIGTERM)], 143,
            group=True)
signal_case('sig_group_int_default_report', ['run', 'default', '--out', 'out', '--quiet'], [(4.0, signal.SIGINT)],
            130, group=True)
signal_case('sig_group_hup_report', ['report', 'res'], [(0.4, signal.SIGHUP)], (0, 129), pre=with_results, group=True,
            out='res')
signal_case('sig_tstp_cont_report', ['report', 'res'], [(0.3, signal.SIGTSTP), (1.0, signal.SIGCONT)], 0,
            pre=with_results, out='res')
signal_case('sig_ttou_run', RUNR, [(0.3, signal.SIGTTOU), (1.0, signal.SIGCONT)], 'ok')


# --- (i) Inherited descriptors ----------------------------------------------------------------------------------------
def many_fds_case(name, args, expect, pre=None, out='out', n=1100):
    """`cohortgis ARGS` inheriting n open descriptors (so every file it opens gets a number past FD_SETSIZE)."""
    if not wanted(name):
        return
    d = os.path.join(ROOT, 'cases', name)
    make(d, dict(INPUTS, **{'sc.toml': GOOD}))
    if pre:
        pre(d)
    names = set(os.listdir(d))
    before = dict(snapshot(d), **snapshot(SHARED))
    fds = [os.open('/dev/null', os.O_RDONLY) for _ in range(n)]
    try:
        t0 = time.time()
        r = subprocess.run(limits(nofile=4096) + [EXE] + args, cwd=d, env=ENV, capture_output=True, pass_fds=fds,
                           timeout=300)
        rc, o, err = r.returncode, r.stdout.decode('utf-8', 'replace'), r.stderr.decode('utf-8', 'replace')
    except subprocess.TimeoutExpired:
        rc, o, err = 124, '', ''
    finally:
        for f in fds:
            os.close(f)
    after = dict(snapshot(d), **snapshot(SHARED))
    extra = changes(before, after, [os.path.join(d, out)] if rc == 0 and out else []) + leftovers(d, names)
    LOG.check(name, rc, o, err, time.time() - t0, 0, expect, None, extra)


many_fds_case('fds_1100_run_report', RUNR, 'ok')
many_fds_case('fds_1100_run_netcdf', RUN + ['--format', 'both'], 'ok')
many_fds_case('fds_1100_report', ['report', 'res'], 'ok', pre=with_results, out='res')
many_fds_case('fds_1100_info_gpkg', ['info', 'res/results.gpkg'], 'ok', pre=with_results, out=None)


def fd_case(name, args, opened, expect, pattern=None, pre=None):
    """`cohortgis ARGS` with descriptor 7 open on the case folder's `opened` (a folder or file)."""
    cli(name, args, expect=expect, pattern=pattern, prefix=['sh', '-c', 'exec 7<"%s"; exec "$0" "$@"' % opened],
        out=None, pre=pre)


fd_case('fd_out_dev_fd_folder', ['run', 'sc.toml', '--out', '/dev/fd/7', '--quiet', '--no-report'], '.', 'bad',
        r'/dev/fd/7|out')
fd_case('fd_out_proc_fd_folder', ['run', 'sc.toml', '--out', '/proc/self/fd/7', '--quiet', '--no-report'], '.',
        'bad', r'/proc/self/fd/7|out')
fd_case('fd_scenario_dev_fd', ['validate', '/dev/fd/7'], 'sc.toml', 'bad', r'/dev/fd/7|base\.csv')
fd_case('fd_map_out_dev_fd', ['map', 'res', '--year', '2025', '--out', '/dev/fd/7'], 'sc.toml', 'bad',
        r'/dev/fd/7|out', pre=with_results)

PROBE.finish()
