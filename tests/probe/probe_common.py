# SPDX-License-Identifier: Apache-2.0
"""What the hostile-input probes share (tests/probe/README.md): the command line and work folder, a TCP listener
that stands in for every URL (a connection is a network access), case folders made from a dict of files, snapshots
of a folder tree (what changed, appeared or vanished), the checks of a command's exit status and messages, and the
probe() of the Python scripts, and CliProbe: the set-up, the case runner cli(), the Python case runner py() and the
summary that the command-line probes from round 10 on share. Every probe uses this module."""
import hashlib, os, re, shutil, socket, sqlite3, subprocess, sys, tempfile, threading, time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIX = os.path.join(REPO, 'tests/fixtures/scenarios')


def work_folder(prefix, work=None):
    """The probe's WORK folder: `work` made if missing, or a new temporary folder; exits if it is not empty."""
    work = work or tempfile.mkdtemp(prefix=prefix)
    os.makedirs(work, exist_ok=True)
    if os.listdir(work):
        sys.exit(f'{work}: not empty; give a new or empty folder (the probe deletes nothing)')
    return work


def copy_scenarios(folder, long=True):
    """The good and the stochastic scenarios with their tables copied into `folder`, and (long) long.toml: the
    stochastic one with 200,000 trajectories."""
    for f in ['good.toml', 'stochastic.toml', 'base.csv', 'asfr.csv', 'mx.csv']:
        shutil.copy(os.path.join(FIX, f), folder)
    if long:
        with open(os.path.join(folder, 'long.toml'), 'w') as f:
            text = open(os.path.join(FIX, 'stochastic.toml')).read()
            f.write(text.replace('trajectories = 5', 'trajectories = 200000'))


def python_work(prefix):
    """The WORK folder of a Python probe (its first argument, or a new temporary folder) holding copy_scenarios':
    (WORK, the good scenario's path, the stochastic one's)."""
    work = work_folder(prefix, sys.argv[1] if len(sys.argv) > 1 else None)
    copy_scenarios(work)
    return work, os.path.join(work, 'good.toml'), os.path.join(work, 'stochastic.toml')


def python_env():
    """The environment of a Python probe's cases: the repository's data folder, and PYTHONPATH made absolute (the
    cases run in other folders)."""
    paths = os.environ.get('PYTHONPATH', '').split(os.pathsep)
    return dict(os.environ, COHORTGIS_DATA_DIR=os.path.join(REPO, 'data'),
                PYTHONPATH=os.pathsep.join(os.path.abspath(p) for p in paths if p))


def command_line(prefix):
    """[BUILD_DIR [WORK_DIR]] [CASE_PREFIX ...] → (build, work, exe, prefixes); WORK must be new or empty."""
    args = sys.argv[1:]
    build = args.pop(0) if args and os.path.isdir(os.path.join(args[0], 'cli')) else os.path.join(REPO, 'build')
    work = work_folder(prefix, args.pop(0) if args and '/' in args[0] else None)
    return build, work, os.path.abspath(os.path.join(build, 'cli/cohortgis')), set(args)


class Listener:
    """A TCP listener on 127.0.0.1; every URL of the probe points at it, so an attempted download is counted."""

    def __init__(self):
        self.hits = []
        self.sock = socket.socket()
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(50)
        self.port = self.sock.getsockname()[1]
        self.url = 'http://127.0.0.1:%d' % self.port
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                c, _ = self.sock.accept()
                self.hits.append(time.time())
                c.close()
            except OSError:
                return

    def close(self):
        self.sock.close()


def run_measured(args, cwd, env, timeout=60, signal_after=None, stdin=subprocess.DEVNULL):
    """args run in cwd under env: (rc, out, err, seconds, max RSS in kB); rc 124 on a timeout; signal_after: (signal,
    seconds or a callable that says when)."""
    t0 = time.time()
    p = subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=stdin)
    out_f, err_f = [], []
    ts = [threading.Thread(target=lambda s, o: o.append(s.read()), args=(p.stdout, out_f)),
          threading.Thread(target=lambda s, o: o.append(s.read()), args=(p.stderr, err_f))]
    for t in ts:
        t.start()
    sent = False
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        now = time.time() - t0
        if signal_after and not sent and (signal_after[1](cwd) if callable(signal_after[1]) else now > signal_after[1]):
            p.send_signal(signal_after[0])
            sent = True
        if now > timeout:
            p.kill()
            pid, status, ru = os.wait4(p.pid, 0)
            status = 124 << 8
            break
        time.sleep(0.01)
    for t in ts:
        t.join()
    p.returncode = os.waitstatus_to_exitcode(status) if status != 124 << 8 else 124
    dec = lambda b: b[0].decode('utf-8', 'replace') if b else ''
    return p.returncode, dec(out_f), dec(err_f), time.time() - t0, ru.ru_maxrss


def make(d, files):
    """Writes files {relative path: str | bytes | 'SYMLINK:target' | 'HARDLINK:target' | None for a folder ('x/':
    None)} into d; a link replaces what is there (a hard link that cannot be made is written as a copy)."""
    os.makedirs(d, exist_ok=True)
    for rel, content in files.items():
        p = os.path.join(d, rel)
        if rel.endswith('/') or content is None:
            os.makedirs(p, exist_ok=True)
            continue
        os.makedirs(os.path.dirname(p), exist_ok=True)
        link = isinstance(content, str) and content.startswith(('SYMLINK:', 'HARDLINK:'))
        if link and os.path.lexists(p):
            os.remove(p)
        if isinstance(content, str) and content.startswith('SYMLINK:'):
            os.symlink(content[8:], p)
            continue
        if isinstance(content, str) and content.startswith('HARDLINK:'):
            try:
                os.link(content[9:], p)
            except OSError:
                with open(content[9:], 'rb') as src, open(p, 'wb') as dst:
                    dst.write(src.read())
            continue
        with open(p, 'wb') as f:
            f.write(content if isinstance(content, bytes) else content.encode('utf-8', 'surrogateescape'))


def snapshot(top):
    """{path: (size, mtime_ns)} of every file and link under top (links not followed)."""
    snap = {}
    for dp, dns, fns in os.walk(top):
        for n in fns + [x for x in dns if os.path.islink(os.path.join(dp, x))]:
            p = os.path.join(dp, n)
            try:
                st = os.lstat(p)
                snap[p] = (st.st_size, st.st_mtime_ns)
            except OSError:
                pass
    return snap


def changes(before, after, allowed=()):
    """Problems between two snapshots: files deleted or changed, new files; paths under `allowed` prefixes pass."""
    ok = lambda p: any(p == a or p.startswith(a.rstrip('/') + '/') for a in allowed)
    out = ['DELETED %s' % p for p in before if p not in after and not ok(p)]
    out += ['CHANGED %s' % p for p in before if p in after and after[p] != before[p] and not ok(p)]
    out += ['NEW %s' % p for p in after if p not in before and not ok(p)]
    return out


CRASHY = re.compile(r'terminate called|std::|what\(\)|Segmentation|bad_alloc|Assertion|internal error|stoi|stod|'
                    r'boost::|Traceback|core dumped')
PASSWD = re.compile(r'root:x?:0:0|/usr/sbin/nologin')
# Exit statuses of a command stopped cleanly by a signal (128 + N for the signals the probes send).
SIGNAL_EXITS = {129, 130, 131, 138, 140, 141, 142, 143, 152, 154, 155}


def message_problems(rc, out, err):
    """What is wrong with a command's exit status and messages whatever the case: a crash, a C++ or Python
    traceback, a huge message, /etc/passwd echoed, an error without a message."""
    p = []
    if rc in (-6, -11, -7, -8, -4, 134, 139, 135, 136, 132):
        p.append('CRASH rc=%s' % rc)
    if CRASHY.search(err):
        p.append('CRASHY MESSAGE')
    if PASSWD.search(err + out):
        p.append('LEAKED /etc/passwd')
    if len(err) > 20000:
        p.append('HUGE MESSAGE %d' % len(err))
    if rc == 1 and not err.strip():
        p.append('NO MESSAGE')
    return p


class CaseLog:
    """The outcome of each case of a command-line probe: record() prints and keeps it, check() judges a command's
    exit status, message, peak RSS and extra problems."""

    def __init__(self, max_rss_kb=1_500_000):
        self.results = []
        self.max_rss_kb = max_rss_kb

    def record(self, name, ok, detail):
        self.results.append((name, ok, detail))
        print('%-5s %-34s %s' % ('ok' if ok else 'FAIL', name, detail.replace('\n', ' ')[:230]), flush=True)

    def check(self, name, rc, out, err, secs, rss, expect, pattern=None, extra=()):
        """expect: 'ok' (exit 0), 'bad' (exit 1), 'any' (0 or 1), an exit status or a tuple of them."""
        probs = message_problems(rc, out, err) + list(extra)
        want = {'ok': (0,), 'bad': (1,), 'any': (0, 1)}.get(expect, (expect,) if isinstance(expect, int) else expect)
        if rc == 124:
            probs.append('HANG')
        elif rc not in want:
            probs.append('EXIT %d (expected %s)' % (rc, expect))
        if pattern and not re.search(pattern, err):
            probs.append('MESSAGE does not match %r' % pattern)
        if rss > self.max_rss_kb:
            probs.append('RSS %d MB' % (rss // 1024))
        last = (err.strip().splitlines() or [''])[-1]
        self.record(name, not probs, ('; '.join(probs) + ' | ' if probs else '') + 'exit %d, %.1f s, %d MB: %s' %
                    (rc, secs, rss // 1024, last))


class Prober:
    """probe(name, fn, expect): fn() must raise one of `expect` (None: must return). Counts and lists failures."""

    def __init__(self):
        self.n = 0
        self.bad = []

    def probe(self, name, fn, expect=(ValueError, TypeError)):
        self.n += 1
        try:
            r = fn()
            if expect is None:
                print('ok   ', name, flush=True)
                return r
            print('ACCEPTED', name, repr(r)[:100], flush=True)
            self.bad.append(name)
        except BaseException as e:  # noqa: B036 (KeyboardInterrupt and SystemExit are outcomes to judge too)
            text = str(e)
            if expect is not None and isinstance(e, expect) and not CRASHY.search(text) and len(text) < 20000:
                print('ok   ', name, type(e).__name__, text[:160], flush=True)
            else:
                print('WRONG', name, type(e).__name__, text[:300], flush=True)
                self.bad.append(name)
        return None

    def summary(self, what):
        print('\n%d %s cases, %d problems: %s' % (self.n, what, len(self.bad), self.bad))
        return 1 if self.bad else 0


def reseal(d):
    """A results folder's manifest.json made to match its files again, as a forger would: the size and SHA-256 of
    every listed regular file and the manifest's seal recomputed."""
    text = open(os.path.join(d, 'manifest.json')).read()
    out = []
    for line in text.split('\n'):
        m = re.match(r'(\s*)\{"path": "([^"]+)", "size": \d+, "sha256": "[0-9a-f]{64}"\}(,?)$', line)
        p = m and os.path.join(d, m.group(2))
        if m and os.path.isfile(p) and not os.path.islink(p):
            h = hashlib.sha256()
            with open(p, 'rb') as f:
                for block in iter(lambda: f.read(1 << 22), b''):
                    h.update(block)
            line = '%s{"path": "%s", "size": %d, "sha256": "%s"}%s' % (m.group(1), m.group(2), os.path.getsize(p),
                                                                        h.hexdigest(), m.group(3))
        out.append(line)
    text = '\n'.join(out)
    key = '  "manifest_sha256": "'
    head = text[:text.index(key)]
    text = head + re.sub(r'[0-9a-f]{64}', hashlib.sha256(head.encode()).hexdigest(), text[len(head):], count=1)
    open(os.path.join(d, 'manifest.json'), 'w').write(text)


SOCKETS = []  # the Unix sockets place() bound, kept open for the probe's life


def place(d, files):
    """make() plus 'FIFO', 'SOCKET' (a bound Unix socket, not listening) and callables (called with the path)."""
    make(d, {k: v for k, v in files.items() if not (v in ('FIFO', 'SOCKET') or callable(v))})
    for k, v in files.items():
        p = os.path.join(d, k)
        if v in ('FIFO', 'SOCKET') or callable(v):
            os.makedirs(os.path.dirname(p), exist_ok=True)
            if v in ('FIFO', 'SOCKET') and os.path.lexists(p):
                os.remove(p)
        if v == 'FIFO':
            os.mkfifo(p)
        elif v == 'SOCKET':
            s = socket.socket(socket.AF_UNIX)
            s.bind(p)
            SOCKETS.append(s)
        elif callable(v):
            v(p)


def leftovers(d, before_names):
    """Staging (.tmp-) and backup (.old-) folders in d that were not there before."""
    return ['LEFT %s' % n for n in os.listdir(d) if ('.tmp-' in n or '.old-' in n) and n not in before_names]


def python_case(log, name, code, expect, prelude, cwd, env, watched, pattern='', timeout=60):
    """A Python case of the probes: prelude + code run by /usr/bin/python3 in cwd; code's last line is an expression
    whose value or exception is the outcome. expect: an exception name, a tuple of names, or 'ok'. Nothing under the
    `watched` folders may change. The outcome goes to log.record()."""
    head, _, last = code.rpartition('\n')
    body = ''.join('    %s\n' % ln for ln in head.split('\n') if head)
    text = prelude + 'try:\n' + body + '    r = (%s)\n    print("RETURNED", repr(r)[:200])\n' \
        'except BaseException as e:\n    print("RAISED", type(e).__name__, str(e)[:300].replace(chr(10), " "))\n' % last
    snap = lambda: {k: v for w in watched for k, v in snapshot(w).items()}  # noqa: E731
    before = snap()
    rc, out, err, secs, rss = run_measured(['/usr/bin/python3', '-c', text], cwd, env, timeout)
    probs = message_problems(rc, out, err) + changes(before, snap())
    line = (out.strip().splitlines() or [''])[-1]
    names = (expect,) if isinstance(expect, str) else expect
    if rc == 124:
        probs.append('HANG')
    elif rc != 0:
        probs.append('EXIT %d' % rc)
    elif 'ok' in names and line.startswith('RETURNED'):
        pass
    elif not any((line + ' ').startswith('RAISED %s ' % n) for n in names if n != 'ok'):
        probs.append('expected %s' % '/'.join(names))
    if pattern and not re.search(pattern, line):
        probs.append('MESSAGE does not match %r' % pattern)
    log.record(name, not probs, ('; '.join(probs) + ' | ' if probs else '') + line[:200] + ' ' + err.strip()[-200:])


# Messages of the Python module that are C++ or pybind11 internals, not a sentence about the argument (PythonProbe's
# RAW MESSAGE; each probe passes what its round added).
RAW_PYTHON = (r'std::|vector::|basic_string|bad_alloc|Unable to cast|incompatible \w+ arguments|filesystem error|_M_|'
              r'pybind11|max_size\(\)')


class PythonProbe:
    """What the Python probes from round 23 on (hostile_python5.py …) set up and share: WORK (the first argument that
    holds a '/', else a new temporary folder) with in/ (copy_scenarios: the scenarios and tables, which nothing may
    change), out/ (where cases write), user/ (a user's folder: nothing may change there), tmp/ (a TMPDIR a case),
    the folders in `more` (watched as in/) and those in `unwatched` (inputs the cases may change); the case prefixes
    asked for (the other arguments); the cases' environment (python_env) and log; py(), the case runner, and finish(),
    the summary. `raw`: the regular expression of messages in C++ or pybind11 words; `prelude`: the cases' Python
    prelude (set once the folders are known); `listen`: a Listener (self.net, None without) standing in for the URLs
    of the cases, to which a connection during a case is a problem."""

    def __init__(self, prefix, raw, long=True, more=(), unwatched=(), listen=False):
        args = sys.argv[1:]
        self.root = work_folder(prefix, args.pop(0) if args and '/' in args[0] else None)
        self.only = set(args)
        self.dirs = {d: os.path.join(self.root, d)
                     for d in ('in',) + tuple(more) + tuple(unwatched) + ('out', 'user', 'tmp')}
        for d in self.dirs.values():
            os.makedirs(d)
        copy_scenarios(self.dirs['in'], long)
        self.watched = [self.dirs['in']] + [self.dirs[d] for d in more] + [self.dirs['user']]
        self.env, self.log, self.raw, self.prelude = python_env(), CaseLog(), re.compile(raw), ''
        self.net = Listener() if listen else None

    def cases_prelude(self, imports):
        """The start of the cases' prelude: `imports` (the probe's modules), NumPy, pandas and cohortgis, the test
        frames (tests/python/toy_frames.py), the folders IN, OUT, USER, the scenarios GOOD, STO, LONG (copy_scenarios),
        fr(**kw) (a two-zone scenario from toy_frames with kw replaced) and res() (the good scenario run)."""
        return imports + f'''import numpy as np, pandas as pd, cohortgis as cg
sys.path.insert(0, {os.path.join(REPO, 'tests/python')!r})
from toy_frames import toy_frames
IN, OUT, USER = {self.dirs['in']!r}, {self.dirs['out']!r}, {self.dirs['user']!r}
GOOD, STO, LONG = IN + '/good.toml', IN + '/stochastic.toml', IN + '/long.toml'
def fr(**kw):
    d = toy_frames(zones=2, migration=False)
    d.update(kw)
    return cg.scenario_from_frames(**d)
def res():
    return cg.load_scenario(GOOD).run(threads=1)
'''

    def py(self, name, code, expect, pattern='', timeout=90, env=None):
        """A case (python_case) with TMPDIR a folder of its own that must be empty again afterwards, no raised message
        in C++ or pybind11 words and (listen) no connection to the listener; env: variables added for this case (as
        set before cohortgis is imported)."""
        if self.only and not any(name.startswith(p) for p in self.only):
            return
        tmp = os.path.join(self.dirs['tmp'], name)
        os.makedirs(tmp)
        case_env = dict(self.env, TMPDIR=tmp, **(env or {}))
        hits = len(self.net.hits) if self.net else 0
        python_case(self.log, name, code, expect, self.prelude, self.dirs['out'], case_env, self.watched, pattern,
                    timeout)
        name_, ok, detail = self.log.results[-1]
        extra = []
        if os.listdir(tmp):
            extra.append('LEFT IN TMPDIR %s' % os.listdir(tmp)[:3])
        if self.raw.search(detail.split(' | ')[-1][:400]):
            extra.append('RAW MESSAGE')
        if self.net and len(self.net.hits) != hits:
            extra.append('NETWORK (%d connections)' % (len(self.net.hits) - hits))
        if extra:
            self.log.results[-1] = (name_, False, '; '.join(extra) + ' | ' + detail)
            print('FAIL  %-34s %s' % (name_, '; '.join(extra)), flush=True)

    def finish(self):
        """Closes the listener, prints the count of cases and problems and exits (1 if a case failed)."""
        if self.net:
            self.net.close()
        bad = [n for n, ok, _ in self.log.results if not ok]
        print('\n%d python cases, %d problems: %s\nWORK: %s (delete it when done)' % (len(self.log.results), len(bad),
                                                                                     bad, self.root))
        sys.exit(1 if bad else 0)


# The command lines most cases run in a case folder (sc.toml the scenario, out the results).
VAL = ['validate', 'sc.toml']
RUN = ['run', 'sc.toml', '--out', 'out', '--quiet', '--no-report']
RUNR = ['run', 'sc.toml', '--out', 'out', '--quiet']

# What the command-line probes from round 22 on give the other commands: the good scenario's two zones as GeoJSON
# (so that `map` and `report` have shapes: CliProbe.with_results), two censuses of zone totals for `estimate`, the
# observed figures of 2025 for `backtest`, their command lines, and the words that run a command as `nobody`.
ZONES_GJ = ('{"type":"FeatureCollection","features":[' + ','.join(
    '{"type":"Feature","properties":{"id":"%s"},"geometry":{"type":"Polygon","coordinates":[[[%g,39],[%g,39],'
    '[%g,39.1],[%g,39.1],[%g,39]]]}}' % (z, x, x + .1, x + .1, x, x) for z, x in (('A', 116), ('B', 116.1))) + ']}\n')
C1 = 'zone,sex,age,population\nA,all,all,1000\nB,all,all,2000\n'
EST_FILES = {'c1.csv': C1, 'c2.csv': C1.replace('1000', '1100')}
EST = ['estimate', '--first', 'c1.csv', '--second', 'c2.csv', '--years', '2000:2010', '--out', 'out']
OBS = 'year,zone,sex,age,population\n2025,A,all,all,5000\n2025,B,all,all,5000\n'
BT = ['backtest', 'sc.toml', '--observed', 'obs.csv', '--out', 'out', '--quiet', '--no-report']
MAP = ['map', 'res', '--indicator', 'population', '--year', '2025']
NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']


def limits(**kw):
    """prlimit's words that run a command under the limits kw (stack=65536, nofile=4 …)."""
    return ['prlimit'] + ['--%s=%d' % (k, v) for k, v in kw.items()] + ['--']


class CliProbe:
    """What a command-line probe from round 10 on sets up and shares: the command line (command_line(prefix)), the
    listener for every URL, the environment of every command (the repository's data, the build's Python module), the
    case log, the good scenario's text and tables (tests/fixtures/scenarios), the SHARED folder outside every case
    folder, the case runners cli() and py() and the summary finish()."""

    def __init__(self, prefix, max_rss_kb=1_500_000):
        self.build, self.root, self.exe, self.only = command_line(prefix)
        self.build = os.path.abspath(self.build)
        self.net = Listener()
        self.url = self.net.url
        self.env = dict(os.environ, COHORTGIS_DATA_DIR=os.path.join(REPO, 'data'),
                        PYTHONPATH=os.path.join(self.build, 'python'))
        self.log = CaseLog(max_rss_kb)
        self.good = open(os.path.join(FIX, 'good.toml')).read()
        self.inputs = {f: open(os.path.join(FIX, f)).read() for f in ['base.csv', 'asfr.csv', 'mx.csv']}
        # Outside every case folder: reading or changing it is a problem.
        self.shared = os.path.join(self.root, 'shared')
        self.quoted = ()  # words whose quotation in a message is a problem (round 18: /etc/passwd's user names)
        self.py_prelude, self.py_dir, self.py_watched = '', self.root, ()
        self.results_options = ['--quiet']  # the run that makes with_results()' folder
        self._results = None

    def g(self, old, new):
        """The good scenario with `old` replaced by `new`."""
        return self.good.replace(old, new)

    def baseref(self, ref):
        """The good scenario whose base population table is `ref` (TOML text: a quoted path or an inline table)."""
        return self.g('table = "base.csv"', 'table = %s' % ref)

    def zsrc(self, path, extra=''):
        """The good scenario with [geography.source] at `path` (id field `id`) and `extra` keys in it."""
        return self.g('[projection]', '[geography.source]\npath = "%s"\nid_field = "id"\n%s\n'
                      '[projection]' % (path, extra))

    def with_results(self, d):
        """res/ of the good scenario with zone boundaries (ZONES_GJ: so that `map` and `report` have shapes and
        charts) in the case folder d, beside its zones.geojson and sc.toml: made once by `run` with
        results_options, and copied (hard links would share inodes with the other cases)."""
        make(d, {'zones.geojson': ZONES_GJ, 'sc.toml': self.zsrc('zones.geojson')})
        if self._results is None:
            src = os.path.join(self.root, 'results-template')
            make(src, dict(self.inputs, **{'zones.geojson': ZONES_GJ, 'sc.toml': self.zsrc('zones.geojson')}))
            subprocess.run([self.exe, 'run', 'sc.toml', '--out', 'res'] + self.results_options, cwd=src, env=self.env,
                           capture_output=True, timeout=600)
            self._results = os.path.join(src, 'res')
        shutil.copytree(self._results, os.path.join(d, 'res'), symlinks=True)

    def wanted(self, name):
        """Whether the case runs: no CASE_PREFIX given, or name starts with one."""
        return not self.only or any(name.startswith(p) for p in self.only)

    def run(self, args, cwd, timeout=60, env=None, signal_after=None, stdin=subprocess.DEVNULL):
        """run_measured() under the probe's environment (env replaces it whole)."""
        return run_measured(args, cwd, env or self.env, timeout, signal_after, stdin)

    def cli(self, name, args, files=None, expect='bad', pattern=None, toml=..., env=None, timeout=60, out='out',
            pre=None, post=None, allowed=(), cwd_rel='', stdin=None, prefix=()):
        """A case folder with good.toml's tables, sc.toml = toml (the good scenario unless given; None: no sc.toml)
        and files (as place()); `cohortgis ARGS` run in it (in its sub-folder cwd_rel, after the `prefix` command
        words; stdin a path, a file or None for /dev/null). expect: as CaseLog.check(); pattern: the last message must
        match when the exit is 1. After an exit other than 0 nothing under the case folder or SHARED may have changed;
        after 0 only OUT (and `allowed`, relative to the case folder) may have. pre(d) prepares, post(d, rc) returns
        extra problems. A network connection, staging or backup folders left, or a message quoting a word of
        self.quoted is a problem too."""
        if not self.wanted(name):
            return
        d = os.path.join(self.root, 'cases', name)
        toml = self.good if toml is ... else toml
        make(d, dict(self.inputs, **{'sc.toml': toml}) if toml is not None else dict(self.inputs))
        place(d, files or {})
        if pre:
            pre(d)
        names = set(os.listdir(d))
        before = dict(snapshot(d), **snapshot(self.shared))
        hits = len(self.net.hits)
        stdin_f = open(stdin, 'rb') if isinstance(stdin, str) else (subprocess.DEVNULL if stdin is None else stdin)
        try:
            rc, o, err, secs, rss = run_measured(list(prefix) + [self.exe] + list(args), os.path.join(d, cwd_rel),
                                                 dict(self.env, **(env or {})), timeout, None, stdin_f)
        finally:
            if isinstance(stdin, str):
                stdin_f.close()
        after = dict(snapshot(d), **snapshot(self.shared))
        ok_paths = ([os.path.join(d, out)] if out else []) + [os.path.join(d, a) for a in allowed] if rc == 0 else []
        extra = changes(before, after, ok_paths) + leftovers(d, names)
        if len(self.net.hits) > hits:
            extra.append('NETWORK %d' % (len(self.net.hits) - hits))
        if any(("'%s'" % w) in err or ('"%s"' % w) in err for w in self.quoted):
            extra.append('QUOTED /etc/passwd')
        if post:
            extra += post(d, rc)
        self.log.check(name, rc, o, err, secs, rss, expect, pattern if rc == 1 else None, extra)

    def py(self, name, code, expect, pattern='', timeout=60):
        """python_case() with the probe's py_prelude, run in py_dir; nothing under py_watched may change."""
        if self.wanted(name):
            python_case(self.log, name, code, expect, self.py_prelude, self.py_dir, self.env, self.py_watched, pattern,
                        timeout)

    def finish(self):
        """Prints the count of cases and problems, closes the listener and exits (1 if a case failed)."""
        bad = [n for n, ok, _ in self.log.results if not ok]
        print('\n%d cases, %d problems: %s\nWORK: %s (delete it when done)' % (len(self.log.results), len(bad), bad,
                                                                              self.root))
        self.net.close()
        sys.exit(1 if bad else 0)


def sqlite_file(path, source, statements, driver='GPKG', layer='real', extra=()):
    """path: ogr2ogr's SQLite-based file (GeoPackage, SQLite) of the table `source` as layer `layer`, then
    `statements` run by sqlite3 with writable_schema on (views, virtual tables written into the schema); its bytes."""
    if os.path.exists(path):
        os.remove(path)
    subprocess.run(['ogr2ogr', '-q', '-f', driver, path, source, '-nln', layer] + list(extra), check=True,
                   capture_output=True)
    c = sqlite3.connect(path)
    c.execute('PRAGMA writable_schema=ON')
    for s in statements:
        c.execute(s)
    c.commit()
    c.close()
    return open(path, 'rb').read()
