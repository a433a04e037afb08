#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Hostile-input probe of round 10 (engineer h17): the code issue 16 added lately. Results folders made by hand for
`info` (which reads them as they are) and `report` (which first checks them against manifest.json, so each is
resealed as a forger would): indicators.csv read in parts on several threads (quotes and line breaks at the part
boundaries, an unclosed quote, NUL bytes, 10^6 columns, 100 MB of commas, a 2 GB sparse file, ids past the packed
key's bits, names split over the parts), a FIFO, a link to /dev/zero or a folder where indicators.csv or results.nc
goes, results.nc with transposed, oversized or mistyped dimensions and ages past int; a NetCDF base population that
is a FIFO, a URL, /vsicurl/, a GDAL connection string, strings or huge ages; --threads out of range; SIGTERM and
SIGINT while a report reads a large indicators.csv and while results.nc is written; Python's step_schedules,
set_step_schedules and total_fertility with bad steps, shapes and values, from a progress callback and from a thread
it starts, steps and years past what a scenario file allows. Each case runs under a timeout in a fresh folder; a case
fails on a crash, a hang, an exit other than the expected, a message that does not name what was expected, a
crash-like or huge message, a peak RSS over 1.5 GB, a network connection or a change to the results folder after an
error. About 1 minute and 3 GB of disk (sparse files; WORK is left for inspection: delete it afterwards).
Usage: PYTHONPATH=build/python /usr/bin/python3 tests/probe/hostile_round10.py [BUILD_DIR [WORK_DIR]]
[CASE_PREFIX ...]"""
import json, os, shutil, signal, subprocess, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe_common import CliProbe, FIX, REPO, make, reseal, snapshot, changes

PROBE = CliProbe('cohortgis-hostile-probe10-')
BUILD, ROOT, EXE, NET, ENV, LOG, run = PROBE.build, PROBE.root, PROBE.exe, PROBE.net, PROBE.env, PROBE.log, PROBE.run
results, record, check, wanted = LOG.results, LOG.record, LOG.check, PROBE.wanted
SCEN = os.path.join(ROOT, 'scenario')
make(SCEN, {f: open(os.path.join(FIX, f)).read() for f in ['good.toml', 'base.csv', 'asfr.csv', 'mx.csv']})
# The netcdf folder keeps indicators.csv (--indicators-csv, round 12): its cases are about results.nc's population.
for name, fmt in [('csv', ['csv']), ('nc', ['netcdf', '--indicators-csv'])]:
    subprocess.run([EXE, 'run', 'good.toml', '--out', os.path.join(ROOT, name), '--quiet', '--no-report', '--format',
                    *fmt], cwd=SCEN, env=ENV, check=True)
IND = open(os.path.join(ROOT, 'csv/indicators.csv')).read()
HEADER, ROWS = IND.split('\n', 1)

def results_case(name, base, files, expect, pattern=None, commands=('info', 'report'), seal=True, timeout=60):
    """A copy of results folder `base` with `files` ({name: text | bytes | 'SYMLINK:…' | 'FIFO' | 'DIR' | callable(path)
    | None to delete}) run through `commands`; the folder must be as it was after an error."""
    for cmd in commands:
        full = '%s_%s' % (name, cmd)
        if not wanted(full):
            continue
        d = os.path.join(ROOT, 'cases', full)
        shutil.copytree(os.path.join(ROOT, base), d)
        for rel, content in files.items():
            p = os.path.join(d, rel)
            if os.path.lexists(p):
                os.remove(p)
            if content is None:
                continue
            if content == 'FIFO':
                os.mkfifo(p)
            elif content == 'DIR':
                os.mkdir(p)
            elif callable(content):
                content(p)
            else:
                make(d, {rel: content})
        if cmd == 'report' and seal:
            reseal(d)
        before = snapshot(d)
        rc, out, err, secs, rss = run([EXE, cmd, d], ROOT, timeout)
        extra = []
        if rc != 0:
            extra = changes(before, snapshot(d))
        e = expect[cmd] if isinstance(expect, dict) else expect
        pat = pattern[cmd] if isinstance(pattern, dict) else pattern
        check(full, rc, out, err, secs, rss, e, pat, extra)
        if sum(os.lstat(os.path.join(d, n)).st_size for n in os.listdir(d)) > (50 << 20):
            shutil.rmtree(d)  # big scratch files go at once


def rows_for(n_bytes, make_row):
    """Data rows from make_row(i) until about n_bytes."""
    out, size, i = [], 0, 0
    while size < n_bytes:
        r = make_row(i)
        out.append(r)
        size += len(r)
        i += 1
    return ''.join(out)


def filler_row(i, zone=None):
    return 'baseline,2020,%s,total,population,%d\n' % (zone or 'F%d' % i, i)


# ---- indicators.csv read in parts (17 MB: at least two parts on two or more cores)
BIG = 17 << 20
quoted_names = HEADER + '\n' + rows_for(BIG, lambda i: filler_row(i, '"zone\n%d, ""q""\n%s"' % (i, 'x' * 150))) + ROWS
results_case('ind_quotes_at_cuts', 'csv', {'indicators.csv': quoted_names}, 'ok')
if wanted('ind_quotes_same_at_1_thread'):
    d = os.path.join(ROOT, 'cases', 'ind_quotes_at_cuts_info')
    if os.path.isdir(d):
        many = run([EXE, 'info', d], ROOT)
        one = run(['taskset', '-c', '0', EXE, 'info', d], ROOT)
        record('ind_quotes_same_at_1_thread', many[1] == one[1] and many[0] == 0,
               'info on all cores and on one give %s output' % ('the same' if many[1] == one[1] else 'DIFFERENT'))
half = BIG // 2
unclosed = HEADER + '\n' + rows_for(half, filler_row) + 'baseline,2020,"never closed,total,population,1\n' + \
    rows_for(half, filler_row) + ROWS
results_case('ind_unclosed_quote_mid', 'csv', {'indicators.csv': unclosed}, 'bad', r'indicators\.csv: ')
results_case('ind_nul_in_value', 'csv',
             {'indicators.csv': HEADER + '\nbaseline,2020,A,total,population,1\x002\n' + ROWS},
             'bad', r"indicators\.csv: row 2, column 'value': expected a number, got '1\\x002'")
results_case('ind_nul_block_mid', 'csv',
             {'indicators.csv': HEADER + '\n' + rows_for(half, filler_row) + '\0' * (1 << 20)
                                          + '\n' + rows_for(half, filler_row) + ROWS}, 'bad',
             r'indicators\.csv: row \d+')
results_case('ind_1e6_columns', 'csv', {'indicators.csv': HEADER + ',' + ','.join('c%d' % i for i in range(10 ** 6)) +
                                        '\n' + ROWS}, 'bad', r'indicators\.csv: row 1 holds more than 100000 fields')
results_case('ind_100MB_commas', 'csv', {'indicators.csv': HEADER + '\n' + ',' * (100 << 20) + '\n' + ROWS}, 'bad',
             r'indicators\.csv: row 2')


def sparse(size, head=''):
    def f(p):
        with open(p, 'w') as fh:
            fh.write(head)
        os.truncate(p, size)
    return f


results_case('ind_sparse_2GB_after_header', 'csv', {'indicators.csv': sparse(2 << 30, HEADER + '\n')}, 'bad',
             r'indicators\.csv: row 2', commands=('info',))
results_case('ind_sparse_2GB_no_header', 'csv', {'indicators.csv': sparse(2 << 30)}, 'bad', r'indicators\.csv: ',
             commands=('info',))
results_case('ind_year_past_int', 'csv', {'indicators.csv': HEADER + '\nbaseline,99999999999,A,total,population,1\n'},
             'bad', r"row 2, column 'year': expected a whole number, got '99999999999'")
results_case('ind_year_40000', 'csv', {'indicators.csv': HEADER + '\nbaseline,40000,A,total,population,1\n'}, 'bad',
             r"row 2, column 'year': 40000 is not a calendar year")
for what, col, n in [('variants', 0, 257), ('groups', 3, 257), ('indicators', 4, 1025)]:
    rows = ''.join(','.join(['baseline', '2020', 'A', 'total', 'population', '1'][:col] + ['n%d' % i] +
                            ['baseline', '2020', 'A', 'total', 'population', '1'][col + 1:]) + '\n' for i in range(n))
    results_case('ind_%d_%s' % (n, what), 'csv', {'indicators.csv': HEADER + '\n' + rows}, 'bad',
                 r'more than %d different %s' % (n - 1, what))
# 200 groups in each half: neither part alone is over 256, together they are.
split_groups = HEADER + '\n' + rows_for(half, lambda i: filler_row(i).replace(',total,', ',g%d,' % (i % 200))) + \
    rows_for(half, lambda i: filler_row(i).replace(',total,', ',h%d,' % (i % 200)))
results_case('ind_groups_over_in_parts', 'csv', {'indicators.csv': split_groups}, 'bad',
             r'more than 256 different groups')
results_case('ind_value_100k_text', 'csv',
             {'indicators.csv': HEADER + '\nbaseline,2020,A,total,population,' + 'x' * 100000
                                            + '\n'}, 'bad', r"column 'value': expected a number, got 'x{10,60}…'$")
results_case('ind_year_100k_digits', 'csv', {'indicators.csv': HEADER + '\nbaseline,' + '9' * 100000 +
                                             ',A,total,population,1\n'}, 'bad',
             r"column 'year': expected a whole number")
results_case('ind_fifo', 'csv', {'indicators.csv': 'FIFO'}, 'bad', r'indicators\.csv(: | \(now )')
results_case('ind_link_dev_zero', 'csv', {'indicators.csv': 'SYMLINK:/dev/zero'}, 'bad', r'indicators\.csv(: | \(now )')
results_case('ind_folder', 'csv', {'indicators.csv': 'DIR'}, 'bad', r'indicators\.csv(: | \(now )')
results_case('ind_bom_crlf', 'csv', {'indicators.csv': '\ufeff' + IND.replace('\n', '\r\n')}, 'ok')
trunc = (HEADER + '\n' + rows_for(BIG, filler_row))[:-12]  # the last row cut inside 'population'
results_case('ind_truncated_big', 'csv', {'indicators.csv': trunc}, 'bad', r'indicators\.csv: row \d+ has \d fields')
results_case('ind_empty', 'csv', {'indicators.csv': ''}, 'bad', r'indicators\.csv: empty file')
results_case('ind_header_only', 'csv', {'indicators.csv': HEADER + '\n'}, 'any')
pop = open(os.path.join(ROOT, 'csv/population.csv')).read()
results_case('pop_age_int_max', 'csv',
             {'population.csv': pop.replace(',20,', ',2147483647,').replace(',0,', ',-2147483648,')},
             'bad', r"population\.csv: row \d+, column 'age'")
results_case('pop_fifo', 'csv', {'population.csv': 'FIFO'}, {'info': 'bad', 'report': 'bad'}, r'population\.csv')
results_case('pop_link_outside', 'csv', {'population.csv': 'SYMLINK:' + os.path.join(ROOT, 'csv/population.csv')},
             'bad', r'population\.csv(: a symbolic link| \(now a symbolic link)')

# ---- results.nc (the population of a --format netcdf folder)
NCF = os.path.join(ROOT, 'nc/results.nc')
results_case('nc_link_dev_zero', 'nc', {'results.nc': 'SYMLINK:/dev/zero'}, 'bad', r'results\.nc')
results_case('nc_fifo', 'nc', {'results.nc': 'FIFO'}, 'bad', r'results\.nc')
results_case('nc_folder', 'nc', {'results.nc': 'DIR'}, 'bad', r'results\.nc')
results_case('nc_link_passwd', 'nc', {'results.nc': 'SYMLINK:/etc/passwd'}, 'bad', r'results\.nc')
results_case('nc_link_outside', 'nc', {'results.nc': 'SYMLINK:' + NCF}, 'bad',
             r'results\.nc(: a symbolic link| \(now a symbolic link)')
results_case('nc_truncated', 'nc', {'results.nc': open(NCF, 'rb').read()[:40000]}, 'bad', r'results\.nc: ')
results_case('nc_garbage', 'nc', {'results.nc': os.urandom(4096)}, 'bad', r'results\.nc: ')


def nc_file(dims, variables, pop_dims=('variant', 'year', 'zone', 'group', 'sex', 'age'), pop_value=1.0,
            unlimited=()):
    """A writer of a hand-made results.nc: dims {name: length}, variables {name: (type, dims, values)}."""
    def f(p):
        import netCDF4
        import numpy as np
        with netCDF4.Dataset(p, 'w') as d:
            for n, k in dims.items():
                d.createDimension(n, None if n in unlimited else k)
            for n, (t, ds, vals) in variables.items():
                v = d.createVariable(n, t, ds)
                if t is str:
                    for i, x in enumerate(vals):
                        v[i] = x
                elif vals is not None:
                    v[:] = np.array(vals)
            shape = [dims[x] for x in pop_dims]
            pv = d.createVariable('population', 'f8', pop_dims)
            if np.prod(shape) < 10 ** 7:
                pv[:] = np.full(shape, pop_value)
    return f


STD_DIMS = {'variant': 1, 'year': 2, 'zone': 2, 'group': 1, 'sex': 2, 'age': 5}


def std_vars(**over):
    v = {'variant': (str, ('variant',), ['baseline']), 'zone': (str, ('zone',), ['A', 'B']),
         'group': (str, ('group',), ['total']), 'sex': (str, ('sex',), ['female', 'male']),
         'year': ('i4', ('year',), [2020, 2030]), 'age': ('i4', ('age',), [0, 5, 10, 15, 20])}
    v.update(over)
    return v


results_case('nc_population_transposed', 'nc', {'results.nc': nc_file(
    dict(STD_DIMS, zone=5), std_vars(zone=(str, ('zone',), ['A', 'B', 'C', 'D', 'E'])),
    pop_dims=('variant', 'year', 'age', 'group', 'sex', 'zone'))}, {'info': 'any', 'report': 'bad'},
    {'info': None, 'report': r'results\.nc: variable population'}, commands=('report',))
results_case('nc_population_other_dims', 'nc', {'results.nc': nc_file(
    dict(STD_DIMS, z2=9), std_vars(), pop_dims=('variant', 'year', 'z2', 'group', 'sex', 'age'))}, 'bad',
    r'results\.nc: variable population', commands=('report',))
results_case('nc_huge_zone_dim', 'nc', {'results.nc': nc_file(dict(STD_DIMS, zone=3 * 10 ** 8), std_vars(
    zone=(str, ('zone',), [])))}, 'bad', r'results\.nc: ', commands=('report',))
results_case('nc_year_strings', 'nc', {'results.nc': nc_file(STD_DIMS, std_vars(year=(str, ('year',), ['a', 'b'])))},
             'bad', r'results\.nc: ', commands=('report',))
results_case('nc_age_past_int', 'nc', {'results.nc': nc_file(STD_DIMS, std_vars(
    age=('i4', ('age',), [-2147483648, 0, 5, 10, 2147483647])))}, 'bad', r'results\.nc: variable age holds',
             commands=('report',))
results_case('nc_age_descending', 'nc', {'results.nc': nc_file(STD_DIMS,
                                                               std_vars(age=('i4', ('age',), [20, 15, 10, 5, 0])))},
             'bad', r'results\.nc: variable age holds', commands=('report',))
results_case('nc_zero_years', 'nc', {'results.nc': nc_file(dict(STD_DIMS, year=0),
                                                           std_vars(year=('i4', ('year',), None)),
                                                            unlimited=('year',))}, 'any', commands=('report',))
results_case('nc_nan_negative', 'nc', {'results.nc': nc_file(STD_DIMS, std_vars(), pop_value=float('nan'))}, 'any',
             commands=('report',))
results_case('nc_zone_names_int', 'nc', {'results.nc': nc_file(STD_DIMS, std_vars(zone=('i4', ('zone',), [1, 2])))},
             'bad', r'results\.nc: ', commands=('report',))

# ---- the NetCDF base population of a scenario
GOOD_NC = os.path.join(REPO, 'tests/fixtures/bad/netcdf/good.nc')
toml = open(os.path.join(FIX, 'good.toml')).read()


def base_nc_case(name, path, files, pattern, expect='bad'):
    if not wanted(name):
        return
    d = os.path.join(ROOT, 'cases', name)
    shutil.copytree(SCEN, d)
    t = toml.replace('[base_population]\ntable = "base.csv"',
                     '[base_population]\nformat = "netcdf"\ntable = %s' % json.dumps(path))
    make(d, dict({'good.toml': t}, **{k: v for k, v in files.items() if v != 'FIFO'}))
    for k, v in files.items():
        if v == 'FIFO':
            os.mkfifo(os.path.join(d, k))
    hits = len(NET.hits)
    rc, out, err, secs, rss = run([EXE, 'validate', 'good.toml'], d, 30)
    check(name, rc, out, err, secs, rss, expect, pattern, ['NETWORK'] if len(NET.hits) > hits else [])


base_nc_case('base_nc_ok', 'pop.nc', {'pop.nc': open(GOOD_NC, 'rb').read()}, None, 'ok')
base_nc_case('base_nc_fifo', 'pop.nc', {'pop.nc': 'FIFO'}, r'named pipe')
base_nc_case('base_nc_vsicurl', '/vsicurl/%s/pop.nc' % NET.url, {}, r"base_population\.table")
base_nc_case('base_nc_http', '%s/pop.nc' % NET.url, {}, r"base_population\.table")
base_nc_case('base_nc_gdal_string', 'NETCDF:"pop.nc":population', {'pop.nc': open(GOOD_NC, 'rb').read()},
             r"base_population\.table")
base_nc_case('base_nc_link_out', 'pop.nc', {'pop.nc': 'SYMLINK:' + GOOD_NC}, r'outside the folders')


def base_nc(pop_type='f8', age=(0, 5, 10, 15, 20), value=100.0):
    def f(p):
        import netCDF4
        import numpy as np
        with netCDF4.Dataset(p, 'w') as d:
            for n, k in [('zone', 2), ('group', 1), ('sex', 2), ('age', len(age))]:
                d.createDimension(n, k)
            for n, vals in [('zone', ['A', 'B']), ('group', ['total']), ('sex', ['female', 'male'])]:
                v = d.createVariable(n, str, (n,))
                for i, x in enumerate(vals):
                    v[i] = x
            d.createVariable('age', 'f8' if any(a != int(a) or abs(a) > 2 ** 62 for a in age) else 'i8',
                             ('age',))[:] = \
                np.array(age)
            v = d.createVariable('population', pop_type, ('zone', 'group', 'sex', 'age'))
            if pop_type is str:
                for i in np.ndindex(2, 1, 2, len(age)):
                    v[i] = 'x'
            else:
                v[:] = np.full((2, 1, 2, len(age)), value)
    return f


def nc_bytes(writer):
    p = os.path.join(ROOT, 'tmp.nc')
    if os.path.exists(p):
        os.remove(p)
    writer(p)
    return open(p, 'rb').read()


base_nc_case('base_nc_strings', 'pop.nc', {'pop.nc': nc_bytes(base_nc(pop_type=str))}, r'is not numeric')
base_nc_case('base_nc_age_2p40', 'pop.nc', {'pop.nc': nc_bytes(base_nc(age=(0, 5, 10, 15, 2 ** 40)))},
             r"coordinate 'age'")
base_nc_case('base_nc_age_fraction', 'pop.nc', {'pop.nc': nc_bytes(base_nc(age=(0, 5, 10, 15, 17.5)))},
             r"coordinate 'age'")
base_nc_case('base_nc_inf', 'pop.nc', {'pop.nc': nc_bytes(base_nc(value=float('inf')))}, r'inf')
base_nc_case('base_nc_int64_huge', 'pop.nc', {'pop.nc': nc_bytes(base_nc(pop_type='i8', value=2 ** 62))},
             r'expected at most')

# ---- --threads
for name, t, exp, pat in [('threads_100000', '100000', 'bad', r'--threads: 100000; expected 0'),
                          ('threads_minus1', '-1', 'bad', r'--threads: -1; expected 0'),
                          ('threads_2p31', '2147483648', 'bad', r'threads'),
                          ('threads_max', '256', 'ok', None)]:
    if wanted(name):
        d = os.path.join(ROOT, 'cases', name)
        shutil.copytree(SCEN, d)
        rc, out, err, secs, rss = run([EXE, 'run', 'good.toml', '--out', 'out', '--quiet', '--threads', t], d, 60)
        extra = ['LEFT out'] if rc and os.path.exists(os.path.join(d, 'out')) else []
        check(name, rc, out, err, secs, rss, exp, pat, extra + (['STDERR under --quiet'] if rc == 0 and err else []))
for name, extra in [('threads_max_ensemble', ['--trajectories', '4', '--no-report']),
                    ('threads_max_netcdf', ['--format', 'both'])]:
    if wanted(name):
        d = os.path.join(ROOT, 'cases', name)
        shutil.copytree(SCEN, d)
        rc, out, err, secs, rss = run([EXE, 'run', 'good.toml', '--out', 'out', '--quiet', '--threads', '256'] + extra,
                                      d, 60)
        check(name, rc, out, err, secs, rss, 'ok', None, ['STDERR under --quiet'] if err else [])

# ---- a file-size limit while results.nc and the CSVs are written by the writer thread (TeeSink): exit 1, no
# staging folder left, nothing else touched
import resource
for name, fmt in [('fsize_netcdf', 'netcdf'), ('fsize_both', 'both')]:
    if wanted(name):
        d = os.path.join(ROOT, 'cases', name)
        shutil.copytree(SCEN, d)
        before = snapshot(d)
        p = subprocess.run([EXE, 'run', 'default', '--out', 'out', '--quiet', '--no-report', '--format', fmt], cwd=d,
                           env=ENV, capture_output=True, text=True, timeout=120,
                           preexec_fn=lambda: (resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20)),
                                               signal.signal(signal.SIGXFSZ, signal.SIG_DFL)))
        extra = changes(before, snapshot(d))
        check(name, p.returncode, p.stdout, p.stderr, 0, 0, (1, 128 + signal.SIGXFSZ, -signal.SIGXFSZ), None,
              ['LEFT %s' % x for x in extra if '/out' in x] or (['CHANGED %s' % extra] if extra else []))

# ---- signals
big = HEADER + '\n' + rows_for(60 << 20, filler_row) + ROWS
for name, sig, cmd in [('sigterm_report_big', signal.SIGTERM, 'report'), ('sigint_info_big', signal.SIGINT, 'info')]:
    if not wanted(name):
        continue
    d = os.path.join(ROOT, 'cases', name)
    shutil.copytree(os.path.join(ROOT, 'csv'), d)
    make(d, {'indicators.csv': big})
    reseal(d)
    before = snapshot(d)
    rc, out, err, secs, rss = run([EXE, cmd, d], ROOT, 60, signal_after=(sig, 0.4))
    # info writes nothing: it may end by the signal's default action
    ok_rc = (0, 128 + sig) if cmd == 'report' else (0, 1, 128 + sig, -sig)
    check(name, rc, out, err, secs, rss, ok_rc, None, changes(before, snapshot(d)) if rc else [])
    shutil.rmtree(d)
if wanted('sigterm_netcdf_write'):
    d = os.path.join(ROOT, 'cases', 'sigterm_netcdf_write')
    os.makedirs(d)
    started = lambda cwd: any(n.startswith('out.tmp-') for n in os.listdir(cwd))
    rc, out, err, secs, rss = run([EXE, 'run', 'default', '--out', 'out', '--quiet', '--format', 'netcdf'], d, 60,
                                  signal_after=(signal.SIGTERM, started))
    left = [n for n in os.listdir(d)]
    check('sigterm_netcdf_write', rc, out, err, secs, rss, (0, 143), None, ['LEFT %s' % left] if rc and left else [])

# ---- Python
PY_PRELUDE = '''
import cohortgis as cg, numpy as np, threading
s = cg.load_scenario(%r)
sc = s.baseline
one = cg.load_scenario(%r).baseline
''' % (os.path.join(SCEN, 'good.toml'), os.path.join(ROOT, 'one', 'one.toml'))
one = toml.replace('tfr = { "2020" = 1.0, "2030" = 2.0 }\n', '')
one = one[:one.index('[migration]')] + one[one.index('[plan_periods]'):one.index('[[variants]]')]
make(os.path.join(ROOT, 'one'), {f: open(os.path.join(FIX, f)).read() for f in ['base.csv', 'asfr.csv', 'mx.csv']})
make(os.path.join(ROOT, 'one'), {'one.toml': one})


PROBE.py_prelude, PROBE.py_dir = PY_PRELUDE, ROOT
py_case = PROBE.py


py_case('py_step_schedules_2p63', 'sc.step_schedules(2**63)', 'TypeError')
py_case('py_step_schedules_minus1', 'sc.step_schedules(-1)', 'IndexError', r'step -1 outside 0 … 1')
py_case('py_step_schedules_steps', 'sc.step_schedules(sc.steps)', 'IndexError', r'step 2 outside')
py_case('py_step_schedules_single_far', 'one.step_schedules(99)', 'IndexError', r'step 99 outside 0 … 1')
py_case('py_set_step_schedules_none', 'sc.set_step_schedules(0, None)', 'TypeError')
py_case('py_set_step_schedules_out', 'x = sc.step_schedules(0)\nsc.set_step_schedules(2, x)', 'IndexError')
py_case('py_set_step_schedules_float', 'sc.set_step_schedules(0.5, sc.step_schedules(0))', 'TypeError')
py_case('py_set_step_schedules_short_asfr', 'x = sc.step_schedules(0)\nx.asfr = np.ones(3)\n'
        'sc.set_step_schedules(0, x)\n'
        'cg.run(sc)', 'ValueError', r"schedule 'asfr' has 3 values")
py_case('py_set_step_schedules_nan', 'x = sc.step_schedules(1)\nx.asfr = x.asfr * np.nan\nsc.set_step_schedules(1, x)\n'
        'cg.run(sc)', 'ValueError', r'fertility rate \(asfr\) nan')
py_case('py_set_step_schedules_empty', 'sc.set_step_schedules(0, cg.StepSchedules())\ncg.run(sc)', 'ValueError')
py_case('py_set_step_schedules_single', 'one.set_step_schedules(1, one.step_schedules(0))\nlen(one.schedules)', 'ok',
        r'RETURNED 2')
py_case('py_total_fertility_single_99', 'one.total_fertility(99)', 'IndexError', r'step 99 outside 0 … 1')
py_case('py_total_fertility_single_minus1', 'one.total_fertility(-1)', 'IndexError', r'step -1 outside')
py_case('py_total_fertility_minus1', 'sc.total_fertility(-1)', 'IndexError', r'step -1 outside')
py_case('py_total_fertility_2p63', 'sc.total_fertility(2**63)', 'TypeError')
py_case('py_total_fertility_no_sets', 'sc.schedules = []\nsc.total_fertility(0)', 'IndexError', r'0 schedule sets')
py_case('py_total_fertility_short_asfr', 'x = sc.step_schedules(0)\nx.asfr = np.ones(3)\nsc.set_step_schedules(0, x)\n'
        'sc.total_fertility(0)', 'ValueError', r"asfr' has 3 values")
py_case('py_steps_1e9_then_set', 'one.steps = 10**9\none.set_step_schedules(5, one.step_schedules(0))', 'ValueError',
        r'steps')
py_case('py_steps_1e6_run', 'one.steps = 10**6\ncg.run(one)', 'ValueError', r'steps')
py_case('py_base_year_int_max', 'sc.base_year = 2**31 - 1\ncg.run(sc)', 'ValueError', r'base year')
py_case('py_base_year_minus', 'sc.base_year = -2**31\ncg.run(sc)', 'ValueError', r'base year')
py_case('py_set_in_callback', 'def cb(d, t):\n    sc.set_step_schedules(0, sc.step_schedules(0))\n'
        'cg.run(sc, progress=cb)',
        'RuntimeError')
py_case('py_read_in_callback', 'got = []\ndef cb(d, t):\n    got.append(sc.step_schedules(0).asfr.sum())\n'
        'cg.run(sc, progress=cb)\nlen(got) > 0', 'ok', r'RETURNED True')
py_case('py_thread_from_callback', 'errs = []\ndef work():\n    try:\n'
        '        sc.set_step_schedules(0, sc.step_schedules(0))\n'
        '    except Exception as e:\n        errs.append(type(e).__name__)\ndef cb(d, t):\n'
        '    th = threading.Thread(target=work); th.start(); th.join()\ncg.run(sc, progress=cb)\nerrs[:1]', 'ok',
        r"RETURNED \['RuntimeError'\]")
py_case('py_run_threads_100000', 'cg.run(sc, threads=100000)', 'ValueError', r'threads')
py_case('py_run_threads_minus1', 'cg.run(sc, threads=-1)', 'ValueError', r'threads')
py_case('py_run_threads_2p63', 'cg.run(sc, threads=2**63)', 'ValueError', r'threads')
py_case('py_write_outputs_threads', 'cg.write_outputs(%r, %r, threads=100000)' % (os.path.join(SCEN, 'good.toml'),
                                                                                  os.path.join(ROOT, 'py_out')),
        'ValueError', r'threads')
py_case('py_set_after_failed_run', 'x = sc.step_schedules(1)\nx.asfr = x.asfr * np.nan\nsc.set_step_schedules(1, x)\n'
        'try:\n    cg.run(sc)\nexcept ValueError:\n    pass\nsc.set_step_schedules(1, sc.step_schedules(0))\n'
        'cg.run(sc) is not None', 'ok', r'RETURNED True')

PROBE.finish()
