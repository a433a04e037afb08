#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Third hostile-input probe of the cohortgis command line (round 6, engineer h5): cases hostile_cli.py and
hostile_cli2.py do not cover. Every subcommand (run, validate, info, map, report, estimate, backtest) with missing,
extra, duplicated and unknown options, values of the wrong type or huge (threads 10^9, --trajectories 2^63, negative
seeds, --dpi 1e9, years past int), paths of 5000 bytes or with a 300-byte name; results folders made by hand for
report/map/validate --results/info (manifest.json truncated, not JSON, nested 100,000 deep, listing ../ and absolute
files, a symbolic link; CSVs with NaN, 200,000 zones, truncated); output on a read-only file system, a file-size
limit (ulimit -f), --out under a file; stdin closed, stdout closed or /dev/full; SIGSTOP/SIGCONT; two runs to one
--out at once; the environment (HOME unset, LANG=C and zh_CN.UTF-8, TMPDIR missing, GDAL_DATA/PROJ_LIB elsewhere,
GDAL/CPL/PROJ options and proxies that would enable the network). Each case runs in a fresh folder under WORK; a local
TCP listener stands in for every URL. A case fails on a hang (60 s), a crash, an exit other than the expected, an
output left after an error, a crash-like or huge message, a network connection, a file outside the case's output
written, changed or deleted. About 1 minute.
Usage: /usr/bin/python3 tests/probe/hostile_cli3.py [BUILD_DIR [WORK_DIR]] [CASE_PREFIX ...]"""
import json, os, resource, shutil, signal, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe_common import FIX, REPO, Listener, changes, command_line, make, message_problems, snapshot, SIGNAL_EXITS

BUILD, ROOT, EXE, ONLY = command_line('cohortgis-hostile-probe3-')
NET = Listener()
URL = NET.url
DATA = os.path.join(REPO, 'data')
ENV0 = dict(os.environ, COHORTGIS_DATA_DIR=DATA)
GOOD = open(os.path.join(FIX, 'good.toml')).read()
INPUTS = {f: open(os.path.join(FIX, f)).read() for f in ['base.csv', 'asfr.csv', 'mx.csv']}
VICTIM = os.path.join(ROOT, 'victim')
make(VICTIM, {'thesis.txt': 'precious\n'})

# A results folder with zone boundaries (results.gpkg) for map/report/validate --results, made once.
RES = os.path.join(ROOT, 'reference')
subprocess.run([EXE, 'run', os.path.join(REPO, 'scenarios/examples/nc-counties/scenario.toml'), '--out', RES,
                '--quiet'],
               env=ENV0, check=True, capture_output=True)
RES_FILES = {}
for dp, _, fns in os.walk(RES):
    for n in fns:
        p = os.path.join(dp, n)
        RES_FILES[os.path.relpath(p, RES)] = open(p, 'rb').read()
MANIFEST = json.loads(RES_FILES['manifest.json'])
YEAR = '2004'

cases = []


def case(name, args, expect='bad', files=None, env=None, res=None, out='out', io=None, special=None, limit=None):
    """args: the command line after `cohortgis` (in the case folder); files: more files; res: a results folder 'res'
    (a dict of replaced/extra files over the reference, None values delete); out: the folder the command may write."""
    cases.append(dict(name=name, args=args, expect=expect, files=files or {}, env=env, res=res, out=out, io=io,
                      special=special, limit=limit))


RUN = ['run', 'sc.toml', '--out', 'out', '--quiet', '--no-report']
ok_map = ['map', 'res', '--indicator', 'population', '--year', YEAR]

# ---- options of every subcommand: missing, extra, duplicated, unknown, wrong type, huge
case('run_ok', RUN, 'ok')
for name, extra in [('threads_1e9', ['--threads', '1000000000']), ('threads_2p31', ['--threads', '2147483648']),
                    ('threads_text', ['--threads', 'four']), ('threads_float', ['--threads', '2.5']),
                    ('threads_empty', ['--threads', '']), ('traj_2p63', ['--trajectories', '9223372036854775808']),
                    ('traj_max', ['--trajectories', '9223372036854775807']), ('traj_neg', ['--trajectories', '-5']),
                    ('traj_1e12', ['--trajectories', '1000000000000']), ('seed_neg', ['--seed', '-1']),
                    ('seed_2p31', ['--seed', '2147483648']), ('seed_2p64', ['--seed', '18446744073709551616']),
                    ('seed_text', ['--seed', '0x10']), ('ensmem_nan', ['--ensemble-memory', 'nan']),
                    ('ensmem_inf', ['--ensemble-memory', 'inf']), ('ensmem_neg', ['--ensemble-memory', '-1']),
                    ('ensmem_huge', ['--ensemble-memory', '1e308']),
                    ('format_twice', ['--format', 'csv', '--format', 'netcdf']),
                    ('out_twice', ['--out', 'other']), ('lang_xx', ['--lang', 'xx']), ('lang_empty', ['--lang', '']),
                    ('unknown_option', ['--bogus']), ('two_scenarios', ['sc.toml']),
                    ('variant_unknown', ['--variant', 'nope']), ('variant_empty', ['--variant', '']),
                    ('variant_10000', ['--variant'] + ['v%d' % i for i in range(10000)]),
                    ('allow_read_missing', ['--allow-read', 'nowhere']), ('allow_db_url', ['--allow-db', URL]),
                    ('format_huge', ['--format', 'x' * 100000]), ('quiet_value', ['--quiet=yes'])]:
    case('run_' + name, RUN + extra)
case('run_lang_missing_value', ['run', 'sc.toml', '--out', 'out', '--lang'])
case('run_out_missing_value', ['run', 'sc.toml', '--quiet', '--out'])
case('run_out_empty', ['run', 'sc.toml', '--out', '', '--quiet'], out=None)
case('run_out_5000_bytes', ['run', 'sc.toml', '--out', 'd/' * 2500 + 'out', '--quiet'], out=None)
case('run_out_300_name', ['run', 'sc.toml', '--out', 'o' * 300, '--quiet'], out=None)
case('run_scenario_300_name', ['run', 's' * 300 + '.toml', '--out', 'out', '--quiet'])
case('run_scenario_5000_bytes', ['run', './' * 2500 + 'sc.toml', '--out', 'out', '--quiet'])
case('run_allow_read_5000', RUN + ['--allow-read', 'a/' * 2500])
case('run_out_under_file', ['run', 'sc.toml', '--out', 'base.csv/out', '--quiet'], out=None)
case('run_out_proc', ['run', 'sc.toml', '--out', '/proc/cohortgis-out', '--quiet'], out=None)
case('run_out_sys', ['run', 'sc.toml', '--out', '/sys/cohortgis-out', '--quiet'], out=None)
case('run_out_dev_null', ['run', 'sc.toml', '--out', '/dev/null', '--quiet'], out=None)
case('run_file_size_limit', RUN, 'bad', limit=(resource.RLIMIT_FSIZE, 4096))
case('run_open_files_limit', RUN, 'any', limit=(resource.RLIMIT_NOFILE, 12))
for name, extra in [('none', []), ('two', ['sc.toml', 'sc.toml']),
                    ('results_5000', ['sc.toml', '--results', 'r/' * 2500]),
                    ('unknown', ['sc.toml', '--trajectories', '2']), ('dir', ['.']), ('dev_zero', ['/dev/zero']),
                    ('results_etc', ['sc.toml', '--results', '/etc'])]:
    case('validate_' + name, ['validate'] + extra, 'bad' if name != 'results_etc' else 'any', out=None)
for name, extra in [('none', []), ('two', ['sc.toml', 'base.csv']), ('5000', ['f/' * 2500]), ('300', ['f' * 300]),
                    ('layer_huge', ['base.csv', '--layer', 'L' * 100000]), ('fifo', ['fifo']),
                    ('dev_zero', ['/dev/zero'])]:
    case('info_' + name, ['info'] + extra, 'bad', files={'fifo': 'FIFO'} if name == 'fifo' else None, out=None)
case('info_results_ok', ['info', 'res'], 'ok', res={}, out=None)

# ---- map and report on the reference results (a copy per case)
case('map_ok', ok_map, 'ok', res={}, out='res')
for name, extra in [('year_text', ['--year', 'last']), ('year_huge', ['--year', '99999999999']),
                    ('year_twice', ['--year', YEAR, '--year', YEAR]), ('year_and_period', ['--period', '2000-2004']),
                    ('n_classes_1000', ['--n-classes', '1000']), ('n_classes_neg', ['--n-classes', '-3']),
                    ('dpi_1e9', ['--dpi', '1e9']), ('dpi_nan', ['--dpi', 'nan']), ('dpi_neg', ['--dpi', '-96']),
                    ('dpi_zero', ['--dpi', '0']), ('dpi_inf', ['--dpi', 'inf']), ('dpi_5000', ['--dpi', '5000']),
                    ('format_gif', ['--format', 'gif']), ('classes_x', ['--classes', 'kmeans']),
                    ('indicator_huge', ['--indicator', 'i' * 100000]), ('variant_traversal', ['--variant', '../../x']),
                    ('group_unknown', ['--group', 'nope']), ('lang_xx', ['--lang', 'xx']),
                    ('out_5000', ['--out', 'm/' * 2500 + 'x.png']), ('out_300', ['--out', 'm' * 300 + '.png']),
                    ('out_victim', ['--out', os.path.join(VICTIM, 'thesis.txt')]),
                    ('out_res_manifest', ['--out', 'res/manifest.json']),
                    ('out_res_csv', ['--out', 'res/population.csv']),
                    ('out_dir', ['--out', 'res']), ('out_txt', ['--out', 'notes.txt'])]:
    case('map_' + name, ok_map + extra, 'bad', res={}, out='res')
for name, extra in [('change_open', ['--change', '1984:']), ('change_three', ['--change', '1984:1994:2004']),
                    ('change_huge', ['--change', '99999999999:1984']), ('change_same', ['--change', '1984:1984']),
                    ('percent_alone', ['--year', YEAR, '--percent']), ('none', [])]:
    case('map_' + name, ['map', 'res', '--indicator', 'population'] + extra, 'bad' if name != 'change_same' else 'any',
         res={}, out='res')
case('map_out_dotdot_inside', ok_map + ['--out', 'res/maps/../../res/maps/t.png'], 'ok', res={}, out='res')
case('map_two_dirs', ['map', 'res', 'res'] + ok_map[2:], res={}, out='res')
case('map_no_dir', ['map', '--year', YEAR])
case('report_ok', ['report', 'res'], 'ok', res={}, out='res')
case('report_two_dirs', ['report', 'res', 'res'], res={}, out='res')
case('report_lang_xx', ['report', 'res', '--lang', 'xx'], res={}, out='res')
case('report_dir_5000', ['report', 'r/' * 2500])

# ---- results folders made by hand (map, report, validate --results, info)
zones_csv = RES_FILES.get('zones.csv', b'').decode()
nested = '[' * 100000 + ']' * 100000
hostile = {
    'manifest_truncated': {'manifest.json': RES_FILES['manifest.json'][: len(RES_FILES['manifest.json']) // 2]},
    'manifest_not_json': {'manifest.json': 'not json'},
    'manifest_empty': {'manifest.json': ''},
    'manifest_nested': {'manifest.json': nested},
    'manifest_nested_obj': {'manifest.json': '{"a":' * 100000 + '1' + '}' * 100000},
    'manifest_missing': {'manifest.json': None},
    'manifest_symlink': {'manifest.json': 'SYMLINK:' + os.path.join(RES, 'manifest.json')},
    'manifest_dev_zero': {'manifest.json': 'SYMLINK:/dev/zero'},
    'manifest_traversal': {'manifest.json': json.dumps(dict(MANIFEST, files=[dict(f, path='../../victim/thesis.txt')
                                                                               if i == 0 else f for i, f in
                                                                               enumerate(MANIFEST.get('files', []))]))},
    'manifest_absolute': {'manifest.json': json.dumps(dict(MANIFEST,
                                                           files=[dict(f, path=os.path.join(VICTIM, 'thesis.txt'))
                                                                              if i == 0 else f for i, f in
                                                                              enumerate(MANIFEST.get('files', []))]))},
    'manifest_huge_string': {'manifest.json': json.dumps(dict(MANIFEST, scenario='s' * 5_000_000))},
    'manifest_wrong_types': {'manifest.json': json.dumps(dict(MANIFEST, files=7, years='x', language=[1]))},
    'indicators_nan': {'indicators.csv': RES_FILES['indicators.csv'].decode().replace(',', ',NaN,', 3)},
    'indicators_truncated': {'indicators.csv': RES_FILES['indicators.csv'][: len(RES_FILES['indicators.csv']) // 3]},
    'indicators_empty': {'indicators.csv': ''},
    'indicators_symlink_passwd': {'indicators.csv': 'SYMLINK:/etc/passwd'},
    'zones_200000': {'zones.csv': zones_csv.splitlines()[0] + '\n' + ''.join('Z%d,zone '
                                                                             '%d\n' % (i, i) for i in range(200000))
                     if zones_csv else 'id,name\n'},
    'gpkg_garbage': {'results.gpkg': b'\x00' * 4096},
    'gpkg_symlink_out': {'results.gpkg': 'SYMLINK:' + os.path.join(RES, 'results.gpkg')},
    'maps_symlink_victim': {'maps': 'SYMLINK:' + VICTIM},
    'population_missing': {'population.csv': None},
}
for hname, files in hostile.items():
    for cmd, args in [('map', ok_map), ('report', ['report', 'res']),
                      ('validate', ['validate', 'sc.toml', '--results', 'res']),
                      ('info', ['info', 'res'])]:
        case('res_%s_%s' % (hname, cmd), args, 'any' if cmd in ('validate', 'info') else 'bad', res=files,
             out='res' if cmd in ('map', 'report') else None)

# ---- estimate and backtest options
EST = ['estimate', '--first', 'c1.csv', '--second', 'c2.csv', '--years', '2000:2010', '--out', 'out']
census = 'zone,sex,age,population\nA,all,all,1000\nB,all,all,2000\n'
est_files = {'c1.csv': census, 'c2.csv': census.replace('1000', '1100')}
for name, extra in [('years_one', ['--years', '2000']), ('years_text', ['--years', '2000:x']),
                    ('years_huge', ['--years', '99999999999:2010']), ('years_reversed', ['--years', '2010:2000']),
                    ('years_neg', ['--years', '-5:2010']), ('step_0', ['--step', '0']), ('step_3', ['--step', '3']),
                    ('open_age_neg', ['--open-age', '-5']), ('open_age_huge', ['--open-age', '100000']),
                    ('female_share_2', ['--female-share', '2']), ('female_share_nan', ['--female-share', 'nan']),
                    ('growth_inf', ['--natural-growth-per-1000', 'inf']),
                    ('growth_huge', ['--natural-growth-per-1000', '1e300']),
                    ('mx_filter_bad', ['--mx-filter', '=x']),
                    ('floating_x', ['--group-split', 'c1.csv', '--floating', 'x']),
                    ('levels_and_split', ['--levels', 'c1.csv', '--group-split', 'c1.csv']),
                    ('srb_neg', ['--levels', 'c1.csv', '--srb', '-1']),
                    ('extra_positional', ['stray']), ('first_5000', ['--first', 'f/' * 2500]),
                    ('out_300', ['--out', 'o' * 300]), ('first_fifo', ['--first', 'fifo']),
                    ('first_dir', ['--first', '.'])]:
    files = dict(est_files)
    if name == 'first_fifo':
        files['fifo'] = 'FIFO'
    case('estimate_' + name, EST + extra, files=files, out='out' if name != 'out_300' else None)
case('estimate_nothing', ['estimate'])
case('estimate_no_out', EST[:-2], files=est_files, out=None)
BT = ['backtest', 'sc.toml', '--observed', 'obs.csv', '--out', 'out', '--quiet']
obs = 'year,zone,group,sex,age,population\n2030,A,all,all,all,900\n2030,B,all,all,all,1200\n'
for name, extra in [('no_observed', None), ('no_out', None), ('observed_missing', ['--observed', 'nope.csv']),
                    ('observed_dev_zero', ['--observed', '/dev/zero']), ('observed_5000', ['--observed', 'o/' * 2500]),
                    ('observed_dir', ['--observed', '.']), ('earlier_300', ['--earlier', 'e' * 300 + '.csv']),
                    ('threads_neg', ['--threads', '-5']), ('out_scenario_folder', ['--out', '.']),
                    ('observed_nan', ['--observed', 'nan.csv']), ('observed_url', ['--observed', URL + '/o.csv'])]:
    args = list(BT)
    if name == 'no_observed':
        args = ['backtest', 'sc.toml', '--out', 'out']
    elif name == 'no_out':
        args = ['backtest', 'sc.toml', '--observed', 'obs.csv']
    else:
        args += extra
    case('backtest_' + name, args, files={'obs.csv': obs, 'nan.csv': obs.replace('900', 'NaN')})
case('unknown_command', ['frobnicate'])
case('no_command', [])
case('version_extra', ['--version', 'x'])

# ---- standard streams, signals, concurrency
case('io_stdin_closed', RUN, 'ok', io='stdin_closed')
case('io_stdout_dev_full', ['run', 'sc.toml', '--out', 'out', '--no-report'], 'any', io='stdout_full')
case('io_stderr_dev_full', RUN + ['--threads', 'x'], 'bad', io='stderr_full')
case('io_stdout_closed_info', ['info', 'sc.toml'], 'any', io='stdout_closed', out=None)
case('io_stdout_closed_map', ok_map, 'any', res={}, io='stdout_closed', out='res')
case('sig_stop_cont', ['run', 'sc.toml', '--out', 'out', '--quiet', '--trajectories', '200'], 'ok', special='stopcont')
case('sig_term_map', ok_map + ['--dpi', '600'], 'signal', res={}, special=('sig', signal.SIGTERM, 0.4), out='res')
case('sig_int_validate', ['validate', 'sc.toml'], 'any', special=('sig', signal.SIGINT, 0.05), out=None)
case('sig_term_estimate', EST, 'signal', files=est_files, special=('sig', signal.SIGTERM, 0.05))
case('two_runs_one_out', ['run', 'sc.toml', '--out', 'out', '--quiet', '--trajectories', '50'], 'any', special='twice')

# ---- the environment
for name, env in [('home_unset', {'HOME': None}), ('lang_c', {'LANG': 'C', 'LC_ALL': 'C'}),
                  ('lang_zh', {'LANG': 'zh_CN.UTF-8', 'LC_ALL': 'zh_CN.UTF-8'}),
                  ('lang_bogus', {'LC_ALL': 'xx_YY.BOGUS'}),
                  ('tmpdir_missing', {'TMPDIR': '/nonexistent/tmp'}), ('tmpdir_file', {'TMPDIR': '/etc/passwd'}),
                  ('gdal_data_elsewhere', {'GDAL_DATA': '/nonexistent'}),
                  ('proj_lib_elsewhere', {'PROJ_LIB': '/tmp', 'PROJ_DATA': '/tmp'}),
                  ('proj_network', {'PROJ_NETWORK': 'ON', 'PROJ_NETWORK_ENDPOINT': URL}),
                  ('http_proxy', {'http_proxy': URL, 'https_proxy': URL, 'HTTP_PROXY': URL, 'ALL_PROXY': URL}),
                  ('gdal_http_proxy', {'GDAL_HTTP_PROXY': '127.0.0.1:%d' % NET.port, 'CPL_CURL_VERBOSE': 'YES'}),
                  ('cpl_vsil_curl', {'CPL_VSIL_CURL_ALLOWED_EXTENSIONS': '.csv', 'GDAL_DISABLE_READDIR_ON_OPEN': 'NO',
                                     'CPL_VSIL_CURL_USE_HEAD': 'YES'}),
                  ('gdal_config_file', {'GDAL_CONFIG_FILE': 'gdalrc'}),
                  ('gdal_driver_path', {'GDAL_DRIVER_PATH': '/tmp', 'OGR_SKIP': 'CSV'}),
                  ('data_dir_url', {'COHORTGIS_DATA_DIR': URL}),
                  ('data_dir_missing', {'COHORTGIS_DATA_DIR': '/nonexistent'}),
                  ('omp_huge', {'OMP_NUM_THREADS': '100000'}), ('malloc_check', {'MALLOC_CHECK_': '3'})]:
    files = {'gdalrc': '[configoptions]\nGDAL_HTTP_PROXY=127.0.0.1:%d\n'
             'CPL_VSIL_CURL_ALLOWED_EXTENSIONS=.csv\n' % NET.port}
    expect = 'bad' if name in ('data_dir_url', 'tmpdir_file') else 'ok'
    if name in ('data_dir_missing', 'tmpdir_missing', 'tmpdir_file', 'gdal_driver_path', 'data_dir_url'):
        expect = 'any'
    case('env_' + name, RUN, expect, files=files, env=env)
case('env_run_default_no_data', ['run', 'default', '--out', 'out', '--quiet', '--no-report'], 'any',
     env={'COHORTGIS_DATA_DIR': '/nonexistent'})


def build(d, c):
    make(d, dict(INPUTS, **{'sc.toml': GOOD}))
    for rel, content in c['files'].items():
        if content == 'FIFO':
            os.mkfifo(os.path.join(d, rel))
        else:
            make(d, {rel: content})
    if c['res'] is not None:
        shutil.copytree(RES, os.path.join(d, 'res'), symlinks=True)
        for rel, content in c['res'].items():
            p = os.path.join(d, 'res', rel)
            if os.path.lexists(p):
                shutil.rmtree(p) if os.path.isdir(p) and not os.path.islink(p) else os.remove(p)
            if content is not None:
                make(os.path.join(d, 'res'), {rel: content})


def execute(c, d, env):
    argv = [EXE] + c['args']
    kw = dict(cwd=d, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    if c['limit']:
        kw['preexec_fn'] = lambda: resource.setrlimit(c['limit'][0], (c['limit'][1], c['limit'][1]))
    io, sp = c['io'], c['special']
    if io == 'stdin_closed':
        kw['preexec_fn'] = lambda: os.close(0)
        del kw['stdin']
    if io == 'stdout_full':
        kw['stdout'] = open('/dev/full', 'wb')
    if io == 'stderr_full':
        kw['stderr'] = open('/dev/full', 'wb')
    if io == 'stdout_closed':
        r, w = os.pipe()
        os.close(r)
        kw['stdout'] = w
    pr = subprocess.Popen(argv, **kw)
    if io == 'stdout_closed':
        os.close(w)
    other = None
    if sp == 'stopcont':
        time.sleep(0.2)
        pr.send_signal(signal.SIGSTOP)
        time.sleep(0.5)
        pr.send_signal(signal.SIGCONT)
    elif sp == 'twice':
        other = subprocess.Popen(argv, cwd=d, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    elif sp and sp[0] == 'sig':
        # After the command's handlers are installed (SigCgt holds the signal's bit; a command without handlers,
        # such as validate, gets the signal after 3 s at most): earlier, the default action decides, not cohortgis.
        for _ in range(1500):
            try:
                cgt = [l for l in open('/proc/%d/status' % pr.pid) if l.startswith('SigCgt')][0].split()[1]
            except (OSError, IndexError):
                break
            if int(cgt, 16) & (1 << (int(sp[1]) - 1)):
                break
            time.sleep(0.002)
        time.sleep(sp[2])
        pr.send_signal(sp[1])
    out, err = pr.communicate(timeout=60)
    rc = pr.returncode
    if other:
        o2, e2 = other.communicate(timeout=60)
        rc = (rc, other.returncode)
        err = (err or b'') + (e2 or b'')
    return rc, out or b'', err or b''


results = []
for c in cases:
    if ONLY and not any(c['name'].startswith(o) for o in ONLY):
        continue
    d = os.path.join(ROOT, c['name'])
    build(d, c)
    env = dict(ENV0)
    for k, v in (c['env'] or {}).items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    outer_before = {k: v for k,
                    v in snapshot(ROOT).items() if not k.startswith(d + '/') and not k.startswith(RES + '/')}
    before = snapshot(d)
    hits0 = len(NET.hits)
    t0 = time.time()
    try:
        rc, out, err = execute(c, d, env)
    except subprocess.TimeoutExpired:
        rc, out, err = 'TIMEOUT', b'', b''
    dt = time.time() - t0
    err_s, out_s = err.decode('utf-8', 'replace'), out.decode('utf-8', 'replace')
    after = snapshot(d)
    outdir = os.path.join(d, c['out']) if c['out'] else None
    problems = []
    rcs = rc if isinstance(rc, tuple) else (rc,)
    # Killed by the signal sent (validate installs no handlers and writes nothing; a closed stdout's SIGPIPE, as any
    # Unix tool): the shell's 128 + N.
    sent = {int(c['special'][1])} if c['special'] and c['special'][0] == 'sig' else set()
    if c['io'] == 'stdout_closed':
        sent.add(int(signal.SIGPIPE))
    rcs = tuple(128 - r if isinstance(r, int) and r < 0 and -r in sent else r for r in rcs)
    if c['io'] == 'stderr_full':
        err_s = 'written to /dev/full'
    for r in rcs:
        problems += message_problems(r, out_s, err_s)
    if rc == 'TIMEOUT':
        problems.append('HANG')
    elif c['expect'] == 'ok' and rcs != (0,):
        problems.append('FAILED OK CASE rc=%s' % (rc,))
    elif c['expect'] == 'bad' and rcs != (1,):
        problems.append('ACCEPTED' if rcs == (0,) else 'rc=%s' % (rc,))
    elif c['expect'] == 'any' and any(r not in (0, 1) and not (isinstance(r, int) and r - 128 in sent) for r in rcs):
        problems.append('rc=%s' % (rc,))
    elif c['expect'] == 'signal' and any(r not in SIGNAL_EXITS and r != 0 for r in rcs):
        problems.append('rc=%s' % (rc,))
    # Files: an error leaves nothing (not even a new --out); success may write only under the case's output folder.
    allowed = [] if c['expect'] == 'bad' and c['out'] != 'res' else ([outdir] if outdir else [])
    if c['res'] is not None and c['expect'] == 'bad':
        allowed = []
        # map/report refusing a folder must leave it as it was
    found = changes(before, after, allowed)
    if c['name'].startswith('io_stdout_closed_map') or c['name'] == 'map_ok' or c['name'] == 'report_ok':
        found = changes(before, after, [os.path.join(d, 'res')])
    if c['expect'] in ('any', 'signal', 'ok') and outdir:
        found = changes(before, after, [outdir])
    problems += found[:3]
    leftover = [x for x in after if '.tmp-' in x or '.old-' in x]
    if leftover:
        problems.append('LEFTOVER %s' % [os.path.relpath(x, d) for x in leftover[:3]])
    outer_after = {k: v for k, v in snapshot(ROOT).items() if not k.startswith(d + '/') and not k.startswith(RES + '/')}
    if outer_after != outer_before:
        problems.append('TOUCHED OUTSIDE THE CASE %s' % changes(outer_before, outer_after)[:3])
    if len(NET.hits) != hits0:
        problems.append('NETWORK ACCESS (%d connections)' % (len(NET.hits) - hits0))
    last = err_s.strip().splitlines()[-1][:300] if err_s.strip() else ''
    results.append((c['name'], rc, problems))
    print('%-40s rc=%-9s %5.1fs %s\n    %s' % (c['name'], rc, dt, ' '.join(problems) or 'ok', last), flush=True)
NET.close()
print('\n%d cases, %d with problems' % (len(results), sum(1 for r in results if r[2])))
for r in results:
    if r[2]:
        print('PROBLEM', r[0], r[1], r[2])
sys.exit(1 if any(r[2] for r in results) else 0)
