#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Hostile-input probe of round 19 (helper h88): angles the earlier probes left. (a) Resource limits: an address-space
limit (ulimit -v) from 300 MB to 2 GB with 1 to 256 threads on run, map, report, validate, estimate; few file
descriptors (ulimit -n 6 to 64) on run with the report, map, report and info; a file-size limit (ulimit -f) hitting
results.gpkg, results.xlsx, the maps, report.html, a map and an estimate; a small stack (ulimit -s) under deep TOML
and a whole run; a CPU-time limit (SIGXCPU); (b) standard streams: `| head -1` on info, --help, validate and a run's
summary, stdout and stderr closed or /dev/full, stdin a FIFO nobody writes; (c) signals: SIGHUP/SIGQUIT/SIGUSR1/
SIGUSR2 during map, report and estimate, two and three signals in a row, SIGWINCH/SIGCHLD/SIGURG/SIGCONT/SIGPIPE sent
to a run (ignored: it must finish), a real-time signal; (d) special files made inside the scenario's folder (where
the sandbox lets them through): character devices (mknod of /dev/null, /dev/zero, /dev/random), a block device, a
FIFO as the scenario itself, a 60 MB table truncated, grown or replaced while it is read; (e) TOML: inline tables
nested 100,000 deep, 1e400, nan and inf spelt as TOML allows where numbers go, surrogate escapes, a 60,000-byte key,
dates where numbers go, 100,000 tfr points; (f) zone ids with RLM/LRM/RTL override, U+2028, U+0085, NBSP, a BOM,
Cyrillic lookalikes, tabs, emoji, only spaces; (g) paths: --out empty, '-', with a trailing slash, '//./', a
cwd deeper than PATH_MAX, table paths of 4095 bytes, names of 239/240 bytes; (h) where outputs go: --out the
inputs' parent, a character device, an empty mount point, a read-only bind mount, map --out onto a device, a FIFO, a
folder, estimate --out onto its own input; (i) GDAL: a plain SQLite database (not a GeoPackage) with a view, a
virtual table over /etc/passwd, a recursive view; SQL in a layer name; a zip holding a VRT; /vsisubfile in a VRT;
URLs in a Shapefile's .cpg and .prj; PROJ_NETWORK=ON with a NAD27 source, OGR_SQLITE_* and GDAL_* options in the
environment; (j) Python: runs from threads, interpreter exit during a run in a daemon thread, read-only, 0-d and
huge broadcast arrays whose copy would be terabytes, `__init__` called twice, objects made without `__init__`,
bools and NumPy scalars as threads and seeds, a progress callback raising SystemExit or MemoryError, an address
-space limit on the interpreter. A case fails on a crash (a signal other than the one sent, an abort, SIGTRAP), a
hang, an exit other than the expected, a crash-like or huge message, a network connection, /etc/passwd quoted, a
file written, changed or deleted outside the output, or staging folders left after an error.
About 15 minutes on a loaded 2-core VM (228 cases); the device and mount cases need root and are skipped otherwise.
Usage: PYTHONPATH=build/python /usr/bin/python3 tests/probe/hostile_round19.py [BUILD_DIR [WORK_DIR]] [PREFIX ...]"""
import os, shutil, signal, subprocess, sys, threading, time, zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe_common import (FIX, REPO, CaseLog, Listener, command_line, leftovers, make, place,
                          python_case, run_measured, snapshot, changes, sqlite_file)

BUILD, ROOT, EXE, ONLY = command_line('cohortgis-hostile-probe19-')
BUILD = os.path.abspath(BUILD)
NET = Listener()
URL = NET.url
ENV = dict(os.environ, COHORTGIS_DATA_DIR=os.path.join(REPO, 'data'), PYTHONPATH=os.path.join(BUILD, 'python'))
LOG = CaseLog()
results, record, check = LOG.results, LOG.record, LOG.check
ROOT_USER = os.geteuid() == 0

GOOD = open(os.path.join(FIX, 'good.toml')).read()
INPUTS = {f: open(os.path.join(FIX, f)).read() for f in ['base.csv', 'asfr.csv', 'mx.csv']}
BASE = INPUTS['base.csv']
SHARED = os.path.join(ROOT, 'shared')
G = lambda old, new: GOOD.replace(old, new)  # noqa: E731
BASEREF = lambda ref: G('table = "base.csv"', 'table = %s' % ref)  # noqa: E731
VAL = ['validate', 'sc.toml']
RUN = ['run', 'sc.toml', '--out', 'out', '--quiet', '--no-report']
RUNR = ['run', 'sc.toml', '--out', 'out', '--quiet']
PASSWD_TEXT = ('root', 'daemon', '/bin/bash', '/usr/sbin')
CRASH_SIGNALS = {signal.SIGSEGV, signal.SIGABRT, signal.SIGBUS, signal.SIGFPE, signal.SIGILL, signal.SIGTRAP,
                 signal.SIGSYS}


def wanted(name):
    return not ONLY or any(name.startswith(p) for p in ONLY)


def crash_of(rc):
    """A crash whatever the expected exit: killed by (or 128 + ) a signal of a bug (SEGV, ABRT, BUS, TRAP …)."""
    n = -rc if rc < 0 else rc - 128 if 128 < rc < 160 else 0
    return ['CRASH signal %d' % n] if n in CRASH_SIGNALS else []


def cli(name, args, files=None, expect='bad', pattern=None, toml=GOOD, env=None, timeout=60, out='out', pre=None,
        post=None, allowed=(), cwd_rel='', wrap=(), stdin=subprocess.DEVNULL, mine=(), silent=False):
    """As hostile_round18.py's cli(), and `wrap` put before the command (prlimit, or bash -c '…"$@"…' for pipes and
    closed streams): a case folder with good.toml's tables, sc.toml = toml and files; nothing may change outside OUT
    (after exit 0) and nothing at all after an error but the files in `mine` (the case's own changes); no staging
    folder left; no connection to the listener. silent: stderr is closed, an error cannot have a message."""
    if not wanted(name):
        return
    d = os.path.join(ROOT, 'cases', name)
    make(d, dict(INPUTS, **{'sc.toml': toml}) if toml is not None else dict(INPUTS))
    place(d, files or {})
    if pre:
        pre(d)
    names = set(os.listdir(d))
    before = dict(snapshot(d), **snapshot(SHARED))
    hits = len(NET.hits)
    rc, o, err, secs, rss = run_measured(list(wrap) + [EXE] + list(args), os.path.join(d, cwd_rel),
                                         dict(ENV, **(env or {})), timeout, stdin=stdin)
    after = dict(snapshot(d), **snapshot(SHARED))
    ok_paths = ([os.path.join(d, out)] if out else []) + [os.path.join(d, a) for a in allowed] if rc == 0 else []
    found = changes(before, after, ok_paths + [os.path.join(d, m) for m in mine])
    staged = [c for c in found if '.tmp-' in c]
    extra = [c for c in found if '.tmp-' not in c] + (['%d files in a staging folder' % len(staged)] if staged else [])
    extra += leftovers(d, names) + crash_of(rc)
    if len(NET.hits) > hits:
        extra.append('NETWORK %d' % (len(NET.hits) - hits))
    if any(("'%s'" % w) in err or ('"%s"' % w) in err for w in PASSWD_TEXT):
        extra.append('QUOTED /etc/passwd')
    if post:
        extra += post(d, rc)
    if silent and rc == 1 and not err.strip():
        err = '(stderr closed)'
    check(name, rc, o, err, secs, rss, expect, pattern if rc == 1 else None, extra)


make(SHARED, {'victim/thesis.txt': 'precious\n'})
RES = os.path.join(ROOT, 'results_default')  # one run of the shipped scenario for map and report
subprocess.run([EXE, 'run', 'default', '--out', RES, '--quiet'], env=ENV, capture_output=True, timeout=600)


def with_results(d):
    shutil.copytree(RES, os.path.join(d, 'res'), symlinks=True)


def lim(**kw):
    """prlimit's options: lim(as_=300e6, nofile=16, fsize=10000, stack=262144, cpu=1)."""
    return ['prlimit'] + ['--%s=%d' % (k.rstrip('_'), v) for k, v in kw.items()] + ['--']


# --- (a) Resource limits ----------------------------------------------------------------------------------------------
# An address-space limit (batch systems set one: `ulimit -v`, vmem): each worker thread reserves its stack and a
# malloc arena. The run either works or says it is out of memory; it never aborts, and leaves no staging folder.
for mb in (300, 600, 1000, 2000):
    for threads in (1, 16, 256):
        cli('as_run_default_%dmb_t%d' % (mb, threads), ['run', 'default', '--out', 'out', '--quiet', '--threads',
                                                          str(threads)], {}, 'any', r'memory|ulimit',
            wrap=lim(as_=mb * 1000000), timeout=120)
cli('as_run_good_400mb', RUNR, {}, 'any', r'memory|ulimit', wrap=lim(as_=400000000))
cli('as_validate_200mb', VAL, {}, 'any', r'memory|ulimit', wrap=lim(as_=200000000))
cli('as_map_400mb', ['map', 'res', '--indicator', 'population', '--year', '2025', '--out', 'm.png'], {}, 'any',
    r'memory|ulimit', wrap=lim(as_=400000000), pre=with_results, out='m.png', toml=None)
cli('as_report_600mb', ['report', 'res'], {}, 'any', r'memory|ulimit', wrap=lim(as_=600000000), pre=with_results,
    out='res', toml=None)
cli('as_run_ensemble_500mb', RUN + ['--trajectories', '200', '--threads', '4'], {}, 'any', r'memory|ulimit',
    wrap=lim(as_=500000000), timeout=120)
# Few file descriptors: 0, 1, 2 and a handful more.
for n in (6, 10, 16, 32, 64):
    cli('nofile_run_report_%d' % n, RUNR, {}, 'any', r'open files|descriptor|Too many|out', wrap=lim(nofile=n))
cli('nofile_run_default_24', ['run', 'default', '--out', 'out', '--quiet'], {}, 'any', r'open files|Too many',
    wrap=lim(nofile=24), timeout=120)
cli('nofile_map_8', ['map', 'res', '--indicator', 'population', '--year', '2025', '--out', 'm.png'], {}, 'any',
    r'open files|Too many|m\.png', wrap=lim(nofile=8), pre=with_results, out='m.png', toml=None)
cli('nofile_report_12', ['report', 'res'], {}, 'any', r'open files|Too many', wrap=lim(nofile=12), pre=with_results,
    out='res', toml=None)
cli('nofile_info_4', ['info', 'base.csv'], {}, 'any', None, wrap=lim(nofile=4))
cli('nofile_validate_5', VAL, {}, (0, 1, 127), None, wrap=lim(nofile=5))  # 127: the loader finds no descriptor
# A file-size limit (SIGXFSZ ignored, EFBIG): each writer reports the file and nothing is left.
for kb in (2, 40, 200, 1500):
    cli('fsize_run_default_%dk' % kb, ['run', 'default', '--out', 'out', '--quiet'], {}, 'bad', r'File too large|write',
        wrap=lim(fsize=kb * 1024), timeout=120)
cli('fsize_run_xlsx_both', ['run', 'default', '--out', 'out', '--quiet', '--format', 'both'], {}, 'bad',
    r'File too large|write', wrap=lim(fsize=300 * 1024), timeout=120)
cli('fsize_map', ['map', 'res', '--indicator', 'population', '--year', '2025', '--out', 'm.png'], {}, 'bad',
    r'File too large|write|m\.png', wrap=lim(fsize=4096), pre=with_results, toml=None)
cli('fsize_report', ['report', 'res'], {}, 'bad', r'File too large|write', wrap=lim(fsize=8192), pre=with_results,
    toml=None, post=lambda d, rc: [] if os.path.exists(os.path.join(d, 'res/manifest.json')) else ['LOST manifest'])
census = 'zone,sex,age,population\nA,all,all,1000\nB,all,all,2000\n'
EST_FILES = {'c1.csv': census, 'c2.csv': census.replace('1000', '1100')}
EST = ['estimate', '--first', 'c1.csv', '--second', 'c2.csv', '--years', '2000:2010', '--out', 'out']
cli('fsize_estimate', EST, EST_FILES, 'bad', r'File too large|write', wrap=lim(fsize=16))
# A small stack: the main thread's and (glibc's default) every thread's stack size.
DEEP_INLINE = G('srb = 105', 'srb = 105\nx = ' + '{ a = ' * 100000 + '1' + ' }' * 100000)
# Below about 512 kB of stack toml++'s 256 levels of nesting overflow it (left: tests/probe/README.md).
cli('stack_1m_deep_inline_tables', VAL, {}, 'bad', r'sc\.toml', toml=DEEP_INLINE, wrap=lim(stack=1048576))
cli('stack_1m_deep_arrays', VAL, {}, 'bad', r'sc\.toml', toml=G('srb = 105', 'srb = 105\nx = ' + '[' * 100000 +
                                                               ']' * 100000), wrap=lim(stack=1048576))
cli('stack_256k_run_report', RUNR, {}, 'any', None, wrap=lim(stack=262144), timeout=120)
cli('stack_deep_inline_tables', VAL, {}, 'bad', r'sc\.toml|nested', toml=DEEP_INLINE)
cli('cpu_1s_ensemble', RUN + ['--trajectories', '2000000'], {}, (1, 152), None, wrap=['prlimit', '--cpu=1:5', '--'],
    timeout=60)

# --- (b) Standard streams ---------------------------------------------------------------------------------------------
PIPE_HEAD = ['bash', '-c', '"$@" | head -1 >/dev/null; exit ${PIPESTATUS[0]}', 'sh']
BIG = 'zone,sex,age,population\n' + ''.join('Z%d,%s,%d,1\n' % (i, s, a) for i in range(20000) for s in
                                               ('female', 'male') for a in range(0, 25, 5))
cli('pipe_head_info_big', ['info', 'big.csv'], {'big.csv': BIG}, 'any', wrap=PIPE_HEAD)
cli('pipe_head_help', ['--help'], {}, 'ok', wrap=PIPE_HEAD)
cli('pipe_head_run_help', ['run', '--help'], {}, 'ok', wrap=PIPE_HEAD)
cli('pipe_head_validate', VAL, {}, 'ok', wrap=PIPE_HEAD)
cli('pipe_head_run_summary', ['run', 'sc.toml', '--out', 'out', '--no-report'], {}, 'any', wrap=PIPE_HEAD,
    post=lambda d, rc: [] if rc != 0 or os.path.exists(os.path.join(d, 'out/manifest.json')) else ['NO manifest'])
cli('stdout_closed_info', ['info', 'base.csv'], {}, 'any', wrap=['bash', '-c', 'exec >&-; exec "$@"', 'sh'])
cli('stderr_closed_error', ['validate', 'nope.toml'], {}, 'bad', wrap=['bash', '-c', 'exec 2>&-; exec "$@"', 'sh'],
    silent=True)
cli('stderr_closed_run', RUN, {}, 'ok', wrap=['bash', '-c', 'exec 2>&-; exec "$@"', 'sh'])
cli('both_closed_run', RUNR, {}, 'ok', wrap=['bash', '-c', 'exec >&- 2>&-; exec "$@"', 'sh'])
cli('stdout_full_info_big', ['info', 'big.csv'], {'big.csv': BIG}, 'any', wrap=['bash', '-c', 'exec "$@" >/dev/full',
                                                                                'sh'])
cli('stdout_full_run_summary', ['run', 'sc.toml', '--out', 'out', '--no-report'], {}, 'any',
    wrap=['bash', '-c', 'exec "$@" >/dev/full', 'sh'])
cli('stdin_fifo_scenario_dash', ['run', '-', '--out', 'out', '--quiet'], {'f': 'FIFO'}, 'bad', None, timeout=20,
    wrap=['bash', '-c', 'exec "$@" <f', 'sh'], toml=None,
    pre=lambda d: threading.Thread(target=lambda: open(os.path.join(d, 'f'), 'w').close(), daemon=True).start())


# --- (c) Signals ------------------------------------------------------------------------------------------------------
def sig_case(name, args, sigs, ok_rcs, files=None, toml=GOOD, pre=None, out_ok='out', timeout=60):
    """sigs: [(signal, seconds after the start)], sent in order; exit in ok_rcs within 1 s of the first; after an
    exit other than 0 nothing changed and nothing left."""
    if not wanted(name):
        return
    d = os.path.join(ROOT, 'cases', name)
    make(d, dict(INPUTS, **{'sc.toml': toml}))
    place(d, files or {})
    if pre:
        pre(d)
    before = snapshot(d)
    names = set(os.listdir(d))
    p = subprocess.Popen([EXE] + args, cwd=d, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         stdin=subprocess.DEVNULL)
    t0 = time.time()
    for sig, at in sigs:
        time.sleep(max(0.0, at - (time.time() - t0)))
        if p.poll() is None:
            p.send_signal(sig)
    try:
        _, err = p.communicate(timeout=timeout)
        rc = p.returncode
    except subprocess.TimeoutExpired:
        p.kill()
        _, err = p.communicate()
        rc = 124
    secs = time.time() - t0
    err = err.decode('utf-8', 'replace')
    probs = crash_of(rc)
    # Before main() installs its handlers (the libraries load for about 0.1 s) the signal's default action ends it.
    if rc not in ok_rcs and not (rc == -sigs[0][0] and secs < 0.5):
        probs.append('EXIT %d (expected one of %s)' % (rc, ok_rcs))
    if rc not in (0, 124) and secs - sigs[0][1] > 1.5:
        probs.append('SLOW: exit %.2f s after the signal' % (secs - sigs[0][1]))
    probs += changes(before, snapshot(d), [os.path.join(d, out_ok)] if rc == 0 and out_ok else []) + leftovers(d, names)
    if rc == 0 and out_ok == 'out' and not os.path.exists(os.path.join(d, 'out/manifest.json')):
        probs.append('exit 0 without results')
    record(name, not probs, ('; '.join(probs) + ' | ' if probs else '') + 'exit %d after %.2f s %s' % (
        rc, secs, err.strip()[-120:]))


MAP = ['map', 'res', '--indicator', 'population', '--year', '2025', '--out', 'm.png']
for sig in (signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2):
    nm = sig.name.lower()
    sig_case('sig_%s_map' % nm, MAP, [(sig, 0.15)], (0, 128 + sig), pre=with_results, out_ok=None)
    sig_case('sig_%s_report' % nm, ['report', 'res'], [(sig, 0.3)], (0, 128 + sig), pre=with_results, out_ok=None)
    sig_case('sig_%s_run_default' % nm, ['run', 'default', '--out', 'out', '--quiet'], [(sig, 1.0)], (0, 128 + sig))
sig_case('sig_int_then_term', ['run', 'default', '--out', 'out', '--quiet'],
         [(signal.SIGINT, 0.8), (signal.SIGTERM, 0.82)], (0, 130, 143))
sig_case('sig_term_twice', ['run', 'default', '--out', 'out', '--quiet'],
         [(signal.SIGTERM, 0.8), (signal.SIGTERM, 0.8)], (0, 143))
sig_case('sig_int_thrice_report', ['report', 'res'], [(signal.SIGINT, 0.3), (signal.SIGINT, 0.31),
                                                      (signal.SIGINT, 0.32)], (0, 130), pre=with_results, out_ok=None)
sig_case('sig_hup_then_kill_term', ['run', 'default', '--out', 'out', '--quiet'],
         [(signal.SIGHUP, 0.5), (signal.SIGTERM, 0.5)], (0, 129, 143))
for sig in (signal.SIGWINCH, signal.SIGCHLD, signal.SIGURG, signal.SIGCONT, signal.SIGPIPE):
    sig_case('sig_ignored_%s_run' % sig.name.lower(), ['run', 'sc.toml', '--out', 'out', '--quiet'],
             [(sig, 0.2), (sig, 0.4), (sig, 0.6)], (0,))
sig_case('sig_rtmin3_run', ['run', 'default', '--out', 'out', '--quiet'], [(signal.SIGRTMIN + 3, 0.8)],
         (0, 128 + signal.SIGRTMIN + 3))
sig_case('sig_term_estimate', EST, [(signal.SIGTERM, 0.05)], (0, 143), files=EST_FILES)
sig_case('sig_usr1_validate', VAL, [(signal.SIGUSR1, 0.05)], (0, 138, -10), out_ok=None)

# --- (d) Special files inside the scenario's folder -------------------------------------------------------------------


def node(kind, major, minor):
    def f(p):
        os.mknod(p, kind | 0o644, os.makedev(major, minor))
    return f


if ROOT_USER:
    for label, f in [('chardev_null', node(0o020000, 1, 3)), ('chardev_zero', node(0o020000, 1, 5)),
                     ('chardev_random', node(0o020000, 1, 8)), ('blockdev_loop', node(0o060000, 7, 0))]:
        cli('dev_%s_as_table' % label, VAL, {'d.csv': f}, 'bad', r'd\.csv', toml=BASEREF('"d.csv"'), timeout=20)
        cli('dev_%s_as_scenario' % label, ['validate', 'd.toml'], {'d.toml': f}, 'bad', r'd\.toml', timeout=20)
    cli('dev_chardev_zero_zone_source', VAL, {'z.gpkg': node(0o020000, 1, 5)}, 'bad', r'z\.gpkg', timeout=20,
        toml=G('[projection]', '[geography.source]\npath = "z.gpkg"\nid_field = "id"\n\n[projection]'))
    cli('dev_chardev_as_out', RUN, {'out': node(0o020000, 1, 3)}, 'bad', r'out')
    cli('dev_chardev_as_map_out', MAP, {'m.png': node(0o020000, 1, 3)}, 'bad', r'm\.png', pre=with_results,
        toml=None)
    cli('dev_chardev_as_info', ['info', 'd.csv'], {'d.csv': node(0o020000, 1, 5)}, 'bad', r'd\.csv', timeout=20)
    cli('dev_chardev_as_observed', ['backtest', 'sc.toml', '--observed', 'd.csv', '--earlier', 'sc.toml', '--out',
                                    'out'], {'d.csv': node(0o020000, 1, 5)}, 'bad', r'd\.csv', timeout=20)
    cli('dev_chardev_as_census', EST, dict(EST_FILES, **{'c2.csv': node(0o020000, 1, 8)}), 'bad', r'c2\.csv',
        timeout=20)
else:
    record('dev_nodes', True, 'skipped: mknod needs root')
cli('fifo_as_scenario_no_writer', ['validate', 'f.toml'], {'f.toml': 'FIFO'}, 'bad', r'f\.toml', timeout=20)
cli('fifo_as_run_scenario', ['run', 'f.toml', '--out', 'out'], {'f.toml': 'FIFO'}, 'bad', r'f\.toml', timeout=20)
cli('socket_as_scenario', ['validate', 's.toml'], {'s.toml': 'SOCKET'}, 'bad', r's\.toml', timeout=20)
LARGE = 'zone,sex,age,population\n' + ''.join('A,%s,%d,1\n' % (s, a) for s in ('female', 'male')
                                                for a in range(0, 25, 5)) + 'B,female,0,1\n' * 2500000


def mutate_later(what, after_s):
    """A pre-hook starting a thread that changes big.csv after_s seconds later (the run is then reading it)."""
    def pre(d):
        p = os.path.join(d, 'big.csv')

        def act():
            time.sleep(after_s)
            if what == 'truncate':
                os.truncate(p, 1000)
            elif what == 'grow':
                with open(p, 'a') as f:
                    for _ in range(50):
                        f.write('B,female,0,1\n' * 20000)
            elif what == 'replace':
                with open(p + '.new', 'w') as f:
                    f.write(BASE)
                os.replace(p + '.new', p)
        threading.Thread(target=act, daemon=True).start()
    return pre


for what in ('truncate', 'grow', 'replace'):
    for at in (0.05, 0.3):
        cli('file_%s_while_read_%dms' % (what, at * 1000), VAL, {'big.csv': LARGE}, 'bad' if what != 'replace' else
            'any', r'big\.csv',
            toml=BASEREF('"big.csv"'), pre=mutate_later(what, at), timeout=60, mine=['big.csv', 'big.csv.new'])
cli('file_truncate_during_run', RUN, {'big.csv': LARGE}, 'bad', r'big\.csv', toml=BASEREF('"big.csv"'),
    pre=mutate_later('truncate', 0.2), timeout=60, mine=['big.csv'])

# --- (e) TOML ---------------------------------------------------------------------------------------------------------
for label, old, new, pat in [
        ('tfr_1e400', '"2030" = 2.0', '"2030" = 1e400', r'sc\.toml'),
        ('tfr_plus_nan', '"2030" = 2.0', '"2030" = +nan', r'sc\.toml'),
        ('tfr_minus_nan', '"2030" = 2.0', '"2030" = -nan', r'sc\.toml'),
        ('tfr_NaN_capital', '"2030" = 2.0', '"2030" = NaN', r'sc\.toml'),
        ('tfr_minus_inf', '"2030" = 2.0', '"2030" = -inf', r'sc\.toml'),
        ('srb_inf', 'srb = 105', 'srb = inf', r'sc\.toml'),
        ('srb_minus_zero', 'srb = 105', 'srb = -0.0', r'sc\.toml'),
        ('horizon_1e400', 'horizon = 2030', 'horizon = 1e400', r'sc\.toml'),
        ('horizon_date', 'horizon = 2030', 'horizon = 2030-01-01', r'sc\.toml'),
        ('base_year_time', 'base_year = 2020', 'base_year = 20:20:00', r'sc\.toml'),
        ('step_minus_zero', 'step = 5', 'step = -0', r'sc\.toml'),
        ('persons_nan', 'persons_per_year = 20', 'persons_per_year = nan', r'sc\.toml'),
        ('total_per_year_inf', 'total_per_year = 100', 'total_per_year = inf', r'sc\.toml'),
        ('zone_id_surrogate', 'id = "A"', 'id = "\\uD800"', r'sc\.toml'),
        ('zone_id_past_unicode', 'id = "A"', 'id = "\\U00110000"', r'sc\.toml'),
        ('name_nul_escape', 'name = "tiny"', 'name = "ti\\u0000ny"', r'sc\.toml'),
        ('key_60000_bytes', 'srb = 105', 'srb = 105\n%s = 1' % ('k' * 60000), r'sc\.toml'),
        ('tfr_100000_points', 'tfr = { "2020" = 1.0, "2030" = 2.0 }', 'tfr = { %s }' % ', '.join(
            '"%d" = 1.0' % y for y in range(2020, 102020)), r'sc\.toml|year')]:
    cli('toml_' + label, VAL, {}, 'bad', pat, toml=G(old, new), timeout=60)
cli('toml_tfr_1e_minus_400', VAL, {}, 'ok', toml=G('"2030" = 2.0', '"2030" = 1e-400'))  # 0: no births
cli('toml_cr_only_lines', VAL, {}, 'bad', r'sc\.toml', toml=GOOD.replace('\n', '\r'))
cli('toml_bom_mid_file', VAL, {}, 'bad', r'sc\.toml', toml=G('[projection]', '\ufeff[projection]'))

# --- (f) Zone ids that look alike or hold invisible or line-breaking characters --------------------------------------
for label, zid in [('rlm', 'A\u200f'), ('lrm', '\u200eA'), ('rtl_override', '\u202eA'), ('line_separator', 'A\u2028B'),
                   ('paragraph_separator', 'A\u2029B'), ('nel_c1', 'A\u0085B'), ('csi_c1', 'A\u009bB'),
                   ('nbsp', 'A\u00a0'), ('bom', '\ufeffA'), ('only_spaces', '   '), ('tab', 'A\tB'),
                   ('emoji_zwj', '\U0001f468\u200d\U0001f469'), ('combining_only', '\u0301')]:
    toml = G('{ id = "B", name = "Zone B" }', '{ id = "B", name = "Zone B" }, { id = "%s" }' % zid)
    expect = 'bad' if label in ('line_separator', 'paragraph_separator', 'nel_c1', 'csi_c1', 'tab', 'only_spaces') \
        else 'any'
    # (round 21: an id that differs from another only by a no-break space at its end is refused naming both zones)
    cli('zone_id_' + label, VAL, {'base.csv': BASE + '%s,female,0,5\n' % zid}, expect,
        r'zone 3 id|base\.csv|\(zone 3\) read alike',
        toml=toml)
cli('zone_id_cyrillic_lookalike_in_table', VAL, {'base.csv': BASE + '\u0410,female,0,5\n'}, 'bad', r'base\.csv')
cli('zone_id_fullwidth_in_table', VAL, {'base.csv': BASE + '\uff21,female,0,5\n'}, 'bad', r'base\.csv')
cli('zone_id_c1_in_run_outputs', RUN, {'base.csv': BASE + 'A\u0085B,female,0,5\n'}, 'bad', r'zone 3 id',
    toml=G('{ id = "B", name = "Zone B" }', '{ id = "B", name = "Zone B" }, { id = "A\u0085B" }'))
cli('zone_name_line_separator', VAL, {}, 'any', None, toml=G('name = "Zone A"', 'name = "Zone\u2028A"'))  # a label

# --- (g) Paths --------------------------------------------------------------------------------------------------------
cli('out_empty', ['run', 'sc.toml', '--out', '', '--quiet'], {}, 'bad', r'out')
cli('out_dash', ['run', 'sc.toml', '--out', '-', '--quiet', '--no-report'], {}, 'any', None, out='-')
cli('out_trailing_slash', ['run', 'sc.toml', '--out', 'out/', '--quiet', '--no-report'], {}, 'ok')
cli('out_slash_dot_slash', ['run', 'sc.toml', '--out', 'out//./', '--quiet', '--no-report'], {}, 'ok')
cli('out_tilde_literal', ['run', 'sc.toml', '--out', '~', '--quiet', '--no-report'], {}, 'ok', out='~')
cli('out_239_bytes', ['run', 'sc.toml', '--out', 'o' * 239, '--quiet', '--no-report'], {}, 'ok', out='o' * 239)
cli('out_240_bytes', ['run', 'sc.toml', '--out', 'o' * 240, '--quiet', '--no-report'], {}, 'bad', r'239')


def deep_cwd(d):
    """d/x…/x…/… 25 levels of 200-byte names (an absolute path past PATH_MAX) holding the scenario and its tables."""
    fd = os.open(d, os.O_RDONLY)
    for _ in range(25):
        os.mkdir('x' * 200, dir_fd=fd)
        nfd = os.open('x' * 200, os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = nfd
    for f, text in dict(INPUTS, **{'sc.toml': GOOD}).items():
        with open(os.open(f, os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), 'w') as fh:
            fh.write(text)
    os.close(fd)


def run_in_deep(name, args, expect, pattern):
    if not wanted(name):
        return
    d = os.path.join(ROOT, 'cases', name)
    os.makedirs(d)
    deep_cwd(d)
    script = 'cd "$1" && shift && for i in $(seq 25); do cd x*; done && exec "$@"'
    rc, o, err, secs, rss = run_measured(['bash', '-c', script, 'sh', d, EXE] + args, ROOT, ENV, 60)
    extra = crash_of(rc)
    check(name, rc, o, err, secs, rss, expect, pattern if rc == 1 else None, extra)


run_in_deep('path_cwd_past_path_max_run', ['run', 'sc.toml', '--out', 'out', '--quiet', '--no-report'], 'any',
            r'long|PATH_MAX|out')
run_in_deep('path_cwd_past_path_max_validate', VAL, 'any', r'long|PATH_MAX|sc\.toml')
TP = '/'.join(['d' * 200] * 19) + '/' + 'd' * 286 + '/b.csv'  # 4095 bytes with the last name too long
cli('table_path_4095_bytes', VAL, {}, 'bad', r'too long|NAME_MAX|PATH_MAX', toml=BASEREF('"%s"' % TP[:4095]))

# --- (h) Where outputs go ---------------------------------------------------------------------------------------------
cli('out_parent_of_inputs', ['run', 'sc.toml', '--out', '..', '--quiet', '--no-report'], {}, 'bad', r'\.\.|folder|out')
cli('out_is_allow_read_folder', ['run', 'sc.toml', '--out', os.path.join(SHARED, 'victim'), '--allow-read', SHARED,
                                 '--quiet', '--no-report'], {}, 'bad', r'victim')
cli('out_inside_allow_read_folder', ['run', 'sc.toml', '--out', 'tabs/out', '--allow-read', 'tabs', '--quiet',
                                     '--no-report'], {'tabs/x.csv': BASE}, 'ok', out='tabs/out')
cli('est_out_onto_input', ['estimate', '--first', 'c1.csv', '--second', 'c2.csv', '--years', '2000:2010', '--out',
                           'c1.csv'], EST_FILES, 'bad', r'c1\.csv')
cli('map_out_fifo', MAP, {'m.png': 'FIFO'}, 'bad', r'm\.png', pre=with_results, toml=None, timeout=20)
cli('map_out_folder', MAP, {'m.png/': None}, 'bad', r'm\.png', pre=with_results, toml=None)
cli('map_out_into_results_maps', MAP[:-1] + ['res/maps/extra.png'], {}, 'any', None, pre=with_results, toml=None,
    out='res')
if ROOT_USER:
    def mounted(opts, ro=False):
        def pre(d):
            os.makedirs(os.path.join(d, 'out'))
            src = os.path.join(d, 'src_of_bind')
            if ro:
                os.makedirs(src)
                subprocess.run(['mount', '--bind', '-o', 'ro', src, os.path.join(d, 'out')], check=True)
            else:
                subprocess.run(['mount', '-t', 'tmpfs', '-o', opts, 'tmpfs', os.path.join(d, 'out')], check=True)
        return pre

    def unmount(d, rc):
        subprocess.run(['umount', os.path.join(d, 'out')], capture_output=True)
        return []
    cli('out_empty_mount_point', RUN, {}, 'any', r'out|mount|busy', pre=mounted('size=20m'), post=unmount)
    cli('out_readonly_bind_mount', RUN, {}, 'bad', r'out', pre=mounted('', ro=True), post=unmount)
    cli('out_inside_readonly_bind_mount', ['run', 'sc.toml', '--out', 'out/o', '--quiet', '--no-report'], {}, 'bad',
        r'out', pre=mounted('', ro=True), post=unmount)
else:
    record('out_mounts', True, 'skipped: mount needs root')

# --- (i) GDAL: plain SQLite databases, SQL in layer names, zips and sidecars ------------------------------------------
SRC = os.path.join(ROOT, 'src')
make(SRC, {'base.csv': BASE})


def sqlite_db(name, statements, driver='SQLite'):
    return sqlite_file(os.path.join(SRC, name), os.path.join(SRC, 'base.csv'), statements, driver)


REC = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c)"
VT = "INSERT INTO sqlite_master(type, name, tbl_name, rootpage, sql) VALUES('table', 'base', 'base', 0, '%s')"
SQ = lambda ext, layer, extra='': BASEREF('{ path = "b.%s", layer = "%s"%s }' % (ext, layer, extra))  # noqa: E731
COLS = ', columns = { zone = "COL001", sex = "COL002", age = "COL003", population = "COL004" }'
# Round 20: a plain SQLite database is named as such (it was 'cannot be read as a table').
PLAIN_SQLITE = r'cannot be read|SQLite database that is not a GeoPackage'
for ext in ('sqlite', 'db'):
    cli('sqlite_%s_plain' % ext, VAL, {'b.%s' % ext: sqlite_db('p.%s' % ext, [])}, 'bad', PLAIN_SQLITE,
        toml=SQ(ext, 'real'))
    cli('sqlite_%s_view_endless' % ext, VAL, {'b.%s' % ext: sqlite_db('v.%s' % ext, [
        "CREATE VIEW base AS %s SELECT 'A' AS zone, 'female' AS sex, x AS age, 1 AS population FROM c" % REC])},
        'bad', PLAIN_SQLITE, toml=SQ(ext, 'base'), timeout=40)
    cli('sqlite_%s_virtualtext_passwd' % ext, VAL, {'b.%s' % ext: sqlite_db('t.%s' % ext, [
        VT % "CREATE VIRTUAL TABLE base USING VirtualText(''/etc/passwd'', ''UTF-8'', 0, POINT, NONE, '':'')"])},
        'bad', PLAIN_SQLITE, toml=SQ(ext, 'base', COLS), timeout=40)
    cli('sqlite_%s_generated_zeroblob' % ext, VAL, {'b.%s' % ext: sqlite_db('g.%s' % ext, [
        "CREATE TABLE base (zone TEXT, sex TEXT, age INTEGER, population REAL, junk BLOB GENERATED ALWAYS AS "
        "(zeroblob(100000000)) VIRTUAL)", "INSERT INTO base(zone, sex, age, population) SELECT zone, sex, age, "
        "population FROM real"])}, 'bad', PLAIN_SQLITE, toml=SQ(ext, 'base'), timeout=40)
cli('sqlite_view_via_vrt', VAL, {'b.sqlite': sqlite_db('vv.sqlite', [
    "CREATE VIEW base AS %s SELECT 'A' AS zone, 'female' AS sex, x AS age, 1 AS population FROM c" % REC]),
    'b.vrt': '<OGRVRTDataSource><OGRVRTLayer name="base"><SrcDataSource relativeToVRT="1">b.sqlite</SrcDataSource>'
             '<SrcLayer>base</SrcLayer></OGRVRTLayer></OGRVRTDataSource>'}, 'bad', r'SQLite', toml=BASEREF('"b.vrt"'),
    timeout=40)
cli('sqlite_view_as_zone_source', VAL, {'z.sqlite': sqlite_db('zv.sqlite', [
    "CREATE VIEW zv AS %s SELECT 'A' AS id, x FROM c" % REC])}, 'bad', r'z\.sqlite', timeout=40,
    toml=G('[projection]', '[geography.source]\npath = "z.sqlite"\nlayer = "zv"\nid_field = "id"\n\n[projection]'))
GPK = os.path.join(SRC, 'g.gpkg')
subprocess.run(['ogr2ogr', '-q', '-f', 'GPKG', GPK, os.path.join(SRC, 'base.csv'), '-nln', 'real'], check=True,
               capture_output=True)
GPB = open(GPK, 'rb').read()
for label, layer in [('select', 'SELECT * FROM real'), ('quote_union', "real' UNION SELECT 1,2,3,4,5 --"),
                     ('pragma', 'PRAGMA writable_schema'), ('semicolon', 'real; DROP TABLE real'),
                     ('load_extension', "SELECT load_extension('/tmp/x')")]:
    cli('layer_sql_' + label, VAL, {'b.gpkg': GPB}, 'bad', r'b\.gpkg|layer', toml=BASEREF(
        '{ path = "b.gpkg", layer = "%s" }' % layer.replace("'", "\\u0027")))
cli('layer_sql_dialect_key', VAL, {'b.gpkg': GPB}, 'bad', r'dialect|unknown key',
    toml=BASEREF('{ path = "b.gpkg", layer = "real", dialect = "SQLITE" }'))
cli('layer_sql_key', VAL, {'b.gpkg': GPB}, 'bad', r'sql|unknown key',
    toml=BASEREF('{ path = "b.gpkg", sql = "SELECT * FROM real" }'))


def zip_of(members):
    def f(p):
        with zipfile.ZipFile(p, 'w') as z:
            for k, v in members.items():
                z.writestr(k, v)
    return f


VRT_PASSWD = ('<OGRVRTDataSource><OGRVRTLayer name="b"><SrcDataSource>/etc/passwd</SrcDataSource></OGRVRTLayer>'
              '</OGRVRTDataSource>')
cli('zip_holding_vrt_as_table', VAL, {'b.zip': zip_of({'b.vrt': VRT_PASSWD})}, 'bad', r'b\.zip',
    toml=BASEREF('"b.zip"'))
cli('zip_holding_vrt_vsizip_path', VAL, {'b.zip': zip_of({'b.vrt': VRT_PASSWD})}, 'bad', r'vsi|b\.zip',
    toml=BASEREF('"/vsizip/b.zip/b.vrt"'))
cli('zip_holding_csv_as_table', VAL, {'b.zip': zip_of({'base.csv': BASE})}, 'any', r'b\.zip', toml=BASEREF('"b.zip"'))
cli('gz_csv_as_table', VAL, {'b.csv.gz': __import__('gzip').compress(BASE.encode())}, 'any', r'b\.csv\.gz',
    toml=BASEREF('"b.csv.gz"'))
cli('vrt_vsisubfile_source', VAL, {'b.vrt': VRT_PASSWD.replace('/etc/passwd', '/vsisubfile/0_2000,/etc/passwd')},
    'bad', r'b\.vrt', toml=BASEREF('"b.vrt"'))
cli('vrt_relative_vsisubfile_source', VAL, {'b.vrt': VRT_PASSWD.replace('<SrcDataSource>/etc/passwd',
                                                                        '<SrcDataSource relativeToVRT="1">/vsisubfile/'
                                                                        '0_2000,base.csv')}, 'bad', r'b\.vrt',
    toml=BASEREF('"b.vrt"'))
SHP = os.path.join(SRC, 'shp')
make(SRC, {'z.csv': 'id,WKT\nA,"POLYGON ((0 0,1 0,1 1,0 1,0 0))"\nB,"POLYGON ((1 0,2 0,2 1,1 1,1 0))"\n'})
subprocess.run(['ogr2ogr', '-q', '-f', 'ESRI Shapefile', SHP, os.path.join(SRC, 'z.csv'), '-nln', 'z', '-a_srs',
                'EPSG:4326', '-oo', 'GEOM_POSSIBLE_NAMES=WKT'], check=True, capture_output=True)
SHPF = {'z' + e: open(os.path.join(SHP, 'z' + e), 'rb').read() for e in ('.shp', '.shx', '.dbf', '.prj')}
ZS = G('[projection]', '[geography.source]\npath = "z.shp"\nid_field = "id"\n\n[projection]')
cli('shp_ok', VAL, SHPF, 'ok', toml=ZS)
cli('shp_cpg_vsicurl', VAL, dict(SHPF, **{'z.cpg': '/vsicurl/%s/enc' % URL}), 'any', r'z\.', toml=ZS)
cli('shp_prj_vsicurl', VAL, dict(SHPF, **{'z.prj': '/vsicurl/%s/x.prj' % URL}), 'bad', r'z\.(prj|shp)', toml=ZS)
cli('shp_qix_garbage', VAL, dict(SHPF, **{'z.qix': b'\x00' * 100}), 'any', r'z\.', toml=ZS)
cli('shp_shp_xml_url', VAL, dict(SHPF, **{'z.shp.xml': '<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM '
                                          '"%s/x">]><metadata>&x;</metadata>' % URL}), 'any', r'z\.', toml=ZS)
NAD27 = G('[projection]', '[geography.source]\npath = "z.gpkg"\nid_field = "id"\n\n[projection]')
ZN = os.path.join(SRC, 'z27.gpkg')
subprocess.run(['ogr2ogr', '-q', '-f', 'GPKG', ZN, os.path.join(SHP, 'z.shp'), '-a_srs', 'EPSG:4267', '-nln', 'z'],
               check=True, capture_output=True)
for label, env in [('proj_network_on', {'PROJ_NETWORK': 'ON', 'PROJ_NETWORK_ENDPOINT': URL}),
                   ('proj_network_cdn', {'PROJ_NETWORK': 'ON', 'PROJ_NETWORK_ENDPOINT': URL,
                                         'PROJ_USER_WRITABLE_DIRECTORY': os.path.join(ROOT, 'projcache')}),
                   ('ogr_sqlite_load_ext', {'OGR_SQLITE_LOAD_EXTENSIONS': 'ENABLE_SQL_LOAD_EXTENSION'}),
                   ('gdal_http_everything', {'GDAL_HTTP_PROXY': URL[7:], 'CPL_VSIL_CURL_ALLOWED_EXTENSIONS': '',
                                             'GDAL_DISABLE_READDIR_ON_OPEN': 'NO', 'OSR_USE_NON_DEPRECATED': 'NO'})]:
    cli('env_%s_nad27_run' % label, RUNR, {'z.gpkg': open(ZN, 'rb').read()}, 'any', None, toml=NAD27, env=env,
        timeout=120)
cli('env_gdal_data_is_url', VAL, {}, 'ok', env={'GDAL_DATA': URL, 'PROJ_DATA': URL, 'PROJ_LIB': URL})
cli('env_cpl_tmpdir_fifo_folder', RUNR, {}, 'ok', env={'CPL_TMPDIR': '/proc/self/fd/0', 'TMPDIR': '/nonexistent'})

# --- (j) Python -------------------------------------------------------------------------------------------------------
PY_DIR = os.path.join(ROOT, 'py')
make(PY_DIR, dict(INPUTS, **{'good.toml': GOOD}))
PYOUT = os.path.join(ROOT, 'pyout')
os.makedirs(PYOUT)
PY_PRELUDE = ('import gc, os, pickle, resource, signal, sys, threading, time, numpy as np, cohortgis as cg\nP = %r\n'
              'OUT = %r\ns = cg.load_scenario(P)\nsc = s.baseline\nbp = sc.base_population\n'
              'ref = cg.run(sc, threads=1)["baseline"].population.copy()\n' % (os.path.join(PY_DIR, 'good.toml'),
                                                                               PYOUT))


def py(name, code, expect, pattern='', timeout=60):
    if wanted(name):
        python_case(LOG, name, code, expect, PY_PRELUDE, PY_DIR, ENV, [PY_DIR, SHARED], pattern, timeout)


BAD = ('TypeError', 'ValueError')
A_ = '\n"assigned"'
SAME = '\nbool(np.array_equal(cg.run(sc, threads=1)["baseline"].population, ref))'
py('py_bp_readonly_ok', 'a = bp.copy()\na.setflags(write=False)\nsc.base_population = a' + SAME, 'ok', r'True')
py('py_bp_zero_d', 'sc.base_population = np.array(5.0)' + A_, BAD, r'shape|base population')
py('py_bp_broadcast_huge', 'sc.base_population = np.broadcast_to(np.float64(1), (2 ** 20, 2 ** 20, 2, 5))' + A_,
   'ValueError', r'shape')
py('py_bp_zero_size_huge_dims', 'sc.base_population = np.empty((0, 2 ** 28, 2 ** 28))' + A_, 'ValueError',
   r'0 values; expected')
py('py_bp_get_is_copy', 'a = sc.base_population\na[...] = 1e9' + SAME, 'ok', r'True')
py('py_sched_asfr_broadcast_huge', 'st = sc.step_schedules(0)\nst.asfr = np.broadcast_to(0.1, (2 ** 40,))' + A_, BAD,
   r'asfr')
py('py_sched_asfr_zero_d', 'st = sc.step_schedules(0)\nst.asfr = np.array(0.1)\nsc.set_step_schedules(0, st)\n'
   'cg.run(sc)', BAD, r'asfr')
py('py_sched_mortality_negative_stride_ok', 'st = sc.step_schedules(0)\nst.mortality = st.mortality[::-1][::-1]\n'
   'sc.set_step_schedules(0, st)' + SAME, 'ok', r'True')
py('py_od_profile_broadcast_huge', 'st = sc.step_schedules(0)\nst.set_od([cg.OdFlow(0, 1, 0.01)], 2, 1, 5, '
   'profile=np.broadcast_to(1.0, (2 ** 40,)))', BAD, r'profile')
py('py_threads_bool', 'cg.run(sc, threads=True)', ('ok', 'TypeError'))
py('py_threads_float', 'cg.run(sc, threads=2.0)', 'TypeError', r'thread')
py('py_threads_numpy_int8', 'len(cg.run(sc, threads=np.int8(2)))', ('ok', 'TypeError'))
py('py_threads_numpy_float', 'cg.run(sc, threads=np.float64(2))', 'TypeError', r'thread')
py('py_trajectories_bool', 'cg.run(s, threads=2) and s.run(trajectories=True)', BAD + ('ok',))
py('py_seed_uint64_max', 's.run(trajectories=3, seed=np.uint64(2 ** 64 - 1))', BAD, r'seed')
py('py_seed_bool', 's.run(trajectories=3, seed=True)', BAD + ('ok',))
py('py_runs_from_8_threads_same_scenario', 'outs = []\ndef w(k):\n    outs.append(cg.run(sc, threads=1 + k % 3)'
   '["baseline"].population.copy())\nts = [threading.Thread(target=w, args=(k,)) for k in range(8)]\n'
   '[t.start() for t in ts]\n[t.join() for t in ts]\nall(np.array_equal(o, ref) for o in outs) and len(outs) == 8',
   'ok', r'True', timeout=120)
py('py_exit_during_daemon_run', 'd = cg.load_scenario("default")\nth = threading.Thread(target=lambda: cg.run(d, '
   'threads=2), daemon=True)\nth.start()\ntime.sleep(0.5)\nsys.exit(0)', 'SystemExit', timeout=120)
py('py_os_exit_during_run', 'import subprocess\nsubprocess.run([sys.executable, "-c", "import os, threading, time, '
   'cohortgis as cg\\nd = cg.load_scenario(\'default\')\\nthreading.Thread(target=lambda: cg.run(d), daemon=True)'
   '.start()\\ntime.sleep(0.3)\\nos._exit(0)"]).returncode', ('ok',), r'RETURNED 0', timeout=120)
py('py_keyboardinterrupt_main_while_thread_runs', 'd = cg.load_scenario("default")\nth = threading.Thread(target='
   'lambda: cg.run(d, threads=2))\nth.start()\n'
   'signal.signal(signal.SIGALRM, lambda *a: (_ for _ in ()).throw(KeyboardInterrupt()))\n'
   'signal.setitimer(signal.ITIMER_REAL, 0.3)\ntry:\n    th.join()\nexcept KeyboardInterrupt:\n    th.join()\n'
   '"interrupted, thread joined"', ('ok',), timeout=120)
py('py_set_init_twice', 's.__init__([sc])\nlen(s)', ('ok',) + BAD)
py('py_results_init_twice', 'r = cg.run(sc)\ntype(r).__init__(r)', BAD + ('ok', 'AttributeError'))
py('py_scenario_new_without_init', 'x = cg.Scenario.__new__(cg.Scenario)\nx.base_population', 'TypeError',
   r'__init__')
py('py_scenario_new_without_init_run', 'x = cg.Scenario.__new__(cg.Scenario)\ncg.run(x)', BAD + ('RuntimeError',
                                                                                                'AttributeError'))
py('py_stepschedules_new_without_init', 'x = type(sc.step_schedules(0)).__new__(type(sc.step_schedules(0)))\n'
   'sc.set_step_schedules(0, x)', 'TypeError', r'__init__')
py('py_odflow_new_without_init', 'x = cg.OdFlow.__new__(cg.OdFlow)\nx.rate_per_year', 'TypeError', r'__init__')
py('py_subclass_scenario_still_ok', 'class My(cg.Scenario):\n    pass\ntype(My().base_population).__name__', 'ok',
   r'ndarray')
py('py_progress_sysexit', 'cg.run(sc, progress=lambda *a: sys.exit(3))', ('SystemExit',))
py('py_progress_memoryerror', 'cg.run(sc, progress=lambda *a: (_ for _ in ()).throw(MemoryError()))',
   ('MemoryError',))
py('py_progress_gc_and_del_set', 'def cb(*a):\n    global s\n    s = None\n    gc.collect()\ncg.run(sc, progress=cb) '
   'and "ran"', ('ok',))
py('py_pickle_step_schedules', 'pickle.dumps(sc.step_schedules(0))', ('TypeError', 'PicklingError', 'ok'))
py('py_pickle_odflow', 'pickle.loads(pickle.dumps(cg.OdFlow(0, 1, 0.01)))', ('TypeError', 'PicklingError', 'ok'))
py('py_address_space_limit_run', 'resource.setrlimit(resource.RLIMIT_AS, (900 * 2 ** 20, resource.RLIM_INFINITY))\n'
   'd = cg.load_scenario("default")\ncg.run(d, threads=16) and "ran"', ('ok', 'MemoryError', 'RuntimeError',
                                                                         'ValueError'), timeout=120)
py('py_address_space_limit_write_outputs', 'resource.setrlimit(resource.RLIMIT_AS, (1200 * 2 ** 20, '
   'resource.RLIM_INFINITY))\ncg.write_outputs("default", os.path.join(OUT, "as"), threads=16)',
   ('ok', 'MemoryError', 'RuntimeError', 'ValueError', 'OSError'), timeout=120)
py('py_write_outputs_pathlike_proc', 'class PL:\n    def __fspath__(self):\n        return "/proc/self/h88out"\n'
   'cg.write_outputs(P, PL())', BAD + ('OSError', 'PermissionError'))
py('py_recursionlimit_low', 'sys.setrecursionlimit(60)\ncg.run(sc) and "ran"', ('ok', 'RecursionError'))

for p in ('/vsimem', '/vsizip'):
    if os.path.isdir(p):
        record('cleanup_' + p.strip('/'), False, 'a real folder %s was created: %s' % (p, os.listdir(p)))
bad = [n for n, ok, _ in results if not ok]
print('\n%d cases, %d problems: %s\nWORK: %s (delete it when done)' % (len(results), len(bad), bad, ROOT))
NET.close()
sys.exit(1 if bad else 0)
