#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Hostile-input probe of round 23 (helper h127), the command line: what rounds 3 to 22 did not try. (a) The names
cohortgis writes to before renaming taken in advance: a shell that makes `NAME.tmp-$$` and then `exec`s cohortgis
hands it the same process id, so `map --out m.png` meets `m.png.tmp-PID` (and `.svg`/`.pdf`), `report` meets
`res/report.html.tmp-PID`, `res/manifest.json.tmp-PID` and a chart's `.tmp-PID`, `map` into the results meets
`res/maps/…png.tmp-PID`, and `run`, `estimate` and `backtest` meet `out.tmp-PID` and `out.old-PID`, each as a
symbolic link to a user's file, a dangling link, a hard link to a user's file, a named pipe, a user's file, an empty
folder and a folder holding a file: the user's file must stay as it was (not written through the link or the hard
link, not renamed into place, not deleted), nothing may hang on the pipe, and the output must be a regular file;
(b) the names a results folder may hold without being listed (`.cohortgis-staging`, `manifest.json.tmp-N`,
`report.html.tmp-N`) as a hard link to a user's file, a named pipe or a folder while `run` replaces the results and
`report`/`map` rewrite them; (c) locks held by another program: a GeoPackage table, zone source or `info` file under
an exclusive SQLite lock (another program writing it), the results' parent folder under an `flock` that is never let
go (the run goes on after a wait; SIGTERM and SIGINT during the wait are honoured within 1 s); (d) a umask of 0222,
0077 and 0777 for `nobody` under `run`, `estimate`, `backtest`, `map` and `report`; (e) standard output a pipe in
non-blocking mode that is never read (EAGAIN) under `info` of a large table and `--help`: the listing must not be
cut short with exit 0; (f) XML with a billion laughs, an external entity to /etc/passwd and a DTD at the listener as
a KML, GML and GPX zone source and `info`; compressed tables (`.csv.gz` bomb, `.zip` holding a CSV, `.geojson.gz`).
A case fails on a crash, a hang, an exit other than the expected, a message that does not match, a crash-like, huge
or raw-control message, a network connection, /etc/passwd quoted, a file written, changed or deleted outside the
output (a user's file reached through a link or a hard link included), or staging folders left after an error.
Usage: PYTHONPATH=build/python /usr/bin/python3 tests/probe/hostile_round23.py [BUILD_DIR [WORK_DIR]] [PREFIX ...]"""
import gzip, os, re, signal, stat, subprocess, sys, threading, time, zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe_common import (BT, EST, EST_FILES, MAP, NOBODY, OBS, RUN, VAL, ZONES_GJ, CliProbe, changes, leftovers, make,
                          run_measured, snapshot)

PROBE = CliProbe('cohortgis-hostile-probe23-')
ROOT, EXE, URL, ENV, LOG = PROBE.root, PROBE.exe, PROBE.url, PROBE.env, PROBE.log
record, wanted, cli = LOG.record, PROBE.wanted, PROBE.cli
PROBE.quoted = ('root', 'daemon', '/bin/bash', '/usr/sbin')
GOOD, INPUTS, SHARED = PROBE.good, PROBE.inputs, PROBE.shared
BASE, MX, ASFR = INPUTS['base.csv'], INPUTS['mx.csv'], INPUTS['asfr.csv']
G, BASEREF, ZSRC = PROBE.g, PROBE.baseref, PROBE.zsrc
with_results = PROBE.with_results  # res/ for `map` and `report` (probe_common.CliProbe.with_results)
VICTIM = os.path.join(SHARED, 'victim', 'thesis.txt')
make(SHARED, {'victim/thesis.txt': 'precious\n'})
os.chmod(ROOT, 0o755)  # nobody's cases (d) go through it
RAW = re.compile('[\x07\x1b\u0080-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200b-\u200f\u2060\ufeff]')


def victim_intact(d, rc):
    """The user's file outside every case folder as it was (restored in place for the next case if not)."""
    data = open(VICTIM, 'rb').read()
    if data == b'precious\n':
        return []
    with open(VICTIM, 'wb') as f:
        f.write(b'precious\n')
    return ['VICTIM OVERWRITTEN (%d bytes: %r)' % (len(data), data[:12])]


# --- (a) The names cohortgis writes before renaming, taken in advance (exec keeps the process id) ---------------------
# What a shell puts at the name (P, relative to the case folder) before it execs cohortgis.
KINDS = {
    'link': 'ln -s "%s" "$P"' % VICTIM,
    'dangling': 'ln -s "%s" "$P"' % os.path.join(SHARED, 'victim', 'created.txt'),
    'hard': 'ln "%s" "$P"' % VICTIM,
    'fifo': 'mkfifo "$P"',
    'file': 'printf "mine\\n" > "$P"',
    'emptydir': 'mkdir "$P"',
    'dir': 'mkdir "$P" && printf "mine\\n" > "$P/keep.txt"',
}


def placed_ok(p, kind):
    """What is wrong with the user's entry p (of `kind`) after the run: it must be there as it was placed."""
    try:
        st = os.lstat(p)
    except OSError:
        return ['USER %s %s GONE' % (kind, os.path.basename(p))]
    base = os.path.basename(p)
    if kind in ('link', 'dangling'):
        want = VICTIM if kind == 'link' else os.path.join(SHARED, 'victim', 'created.txt')
        if not stat.S_ISLNK(st.st_mode) or os.readlink(p) != want:
            return ['USER LINK %s CHANGED' % base]
    elif kind == 'hard':
        if not stat.S_ISREG(st.st_mode) or st.st_ino != os.stat(VICTIM).st_ino:
            return ['USER HARD LINK %s CHANGED' % base]
    elif kind == 'fifo':
        if not stat.S_ISFIFO(st.st_mode):
            return ['USER FIFO %s CHANGED' % base]
    elif kind == 'file':
        if not stat.S_ISREG(st.st_mode) or open(p).read() != 'mine\n':
            return ['USER FILE %s CHANGED' % base]
    elif kind == 'emptydir':
        if not stat.S_ISDIR(st.st_mode) or os.listdir(p):
            return ['USER FOLDER %s CHANGED' % base]
    elif kind == 'dir':
        if not stat.S_ISDIR(st.st_mode) or os.listdir(p) != ['keep.txt'] or \
                open(os.path.join(p, 'keep.txt')).read() != 'mine\n':
            return ['USER FOLDER %s CHANGED' % base]
    return []


def taken_case(name, args, where, kind, outputs, expect='any', pattern=None, pre=None, files=None, timeout=120,
               regular=()):
    """`cohortgis ARGS` exec'd by a shell that first put a `kind` entry at `where` (a shell word; $$ is the process id
    cohortgis will have). After the run: the entry as it was, the victim file unchanged, nothing written outside
    `outputs` (case-relative; only after exit 0), no staging or backup folder left but the user's entry, and each of
    `regular` (case-relative) a regular file after exit 0."""
    if not wanted(name):
        return
    d = os.path.join(ROOT, 'cases', name)
    make(d, dict(INPUTS, **{'sc.toml': GOOD}, **(files or {})))
    if pre:
        pre(d)
    note = os.path.join(ROOT, 'placed', name)
    os.makedirs(os.path.dirname(note), exist_ok=True)
    script = 'P=%s; %s || exit 99; printf "%%s" "$P" > "%s"; exec "$0" "$@"' % (where, KINDS[kind], note)
    names = set(os.listdir(d))
    before = dict(snapshot(d), **snapshot(SHARED))
    hits = len(PROBE.net.hits)
    rc, o, err, secs, rss = run_measured(['sh', '-c', script, EXE] + list(args), d, ENV,
                                         45 if kind == 'fifo' else timeout)
    if rc == 99 or not os.path.exists(note):
        record(name, False, 'SETUP could not place %s at %s: %s' % (kind, where, err[-200:]))
        return
    p = os.path.join(d, open(note).read())
    after = dict(snapshot(d), **snapshot(SHARED))
    mine = lambda q: q == p or q.startswith(p + '/')  # noqa: E731
    before = {k: v for k, v in before.items() if not mine(k)}
    after = {k: v for k, v in after.items() if not mine(k)}
    allowed = [os.path.join(d, x) for x in outputs] if rc == 0 else []
    extra = placed_ok(p, kind) + changes(before, after, allowed)
    extra += [x for x in leftovers(d, names) if x != 'LEFT ' + os.path.basename(p)]
    for sub in {os.path.dirname(x) for x in outputs} | set(outputs):
        sd = os.path.join(d, sub)
        if sub and os.path.isdir(sd) and not os.path.islink(sd):
            extra += ['LEFT %s/%s' % (sub, n) for n in os.listdir(sd)
                      if ('.tmp-' in n or '.old-' in n) and os.path.join(sd, n) != p]
    extra += victim_intact(d, rc)
    if os.path.lexists(os.path.join(SHARED, 'victim', 'created.txt')):
        extra.append('CREATED A FILE THROUGH A DANGLING LINK')
        os.remove(os.path.join(SHARED, 'victim', 'created.txt'))
    if rc == 0:
        for r in regular:
            if not stat.S_ISREG(os.lstat(os.path.join(d, r)).st_mode):
                extra.append('OUTPUT %s NOT A REGULAR FILE' % r)
    if len(PROBE.net.hits) > hits:
        extra.append('NETWORK')
    if rc != 0 and RAW.search(err):
        extra.append('RAW control in the message')
    LOG.check(name, rc, o, err, secs, rss, expect, pattern if rc == 1 else None, extra)


ALL_KINDS = ['link', 'dangling', 'hard', 'fifo', 'file', 'emptydir', 'dir']
for kind in ALL_KINDS:
    taken_case('taken_map_out_png_' + kind, MAP + ['--out', 'm.png'], '"m.png.tmp-$$"', kind, ['m.png'],
               pre=with_results, regular=['m.png'])
for fmt in ('svg', 'pdf'):
    for kind in ('link', 'hard', 'fifo', 'file'):
        taken_case('taken_map_out_%s_%s' % (fmt, kind), MAP + ['--format', fmt, '--out', 'm.' + fmt],
                   '"m.%s.tmp-$$"' % fmt, kind, ['m.' + fmt], pre=with_results, regular=['m.' + fmt])
for kind in ('link', 'hard', 'fifo', 'emptydir'):
    taken_case('taken_map_default_' + kind, MAP, '"res/maps/population_2025.png.tmp-$$"', kind, ['res'],
               pre=with_results, regular=['res/maps/population_2025.png'])
    taken_case('taken_map_manifest_' + kind, MAP, '"res/manifest.json.tmp-$$"', kind, ['res'], pre=with_results,
               regular=['res/manifest.json'])
for kind in ('link', 'hard', 'fifo', 'file', 'emptydir'):
    taken_case('taken_report_html_' + kind, ['report', 'res'], '"res/report.html.tmp-$$"', kind, ['res'],
               pre=with_results, regular=['res/report.html'])
    taken_case('taken_report_manifest_' + kind, ['report', 'res'], '"res/manifest.json.tmp-$$"', kind, ['res'],
               pre=with_results, regular=['res/manifest.json'])
for kind in ('link', 'hard', 'fifo'):
    taken_case('taken_report_chart_' + kind, ['report', 'res'], '"$(ls res/charts/*.png | head -1).tmp-$$"', kind,
               ['res'], pre=with_results, regular=['res/report.html'])
for kind in ('link', 'fifo', 'dir'):
    taken_case('taken_run_staging_' + kind, RUN, '"out.tmp-$$"', kind, ['out'], regular=['out/manifest.json'])
    taken_case('taken_run_backup_' + kind, ['run', 'sc.toml', '--out', 'res', '--quiet'], '"res.old-$$"', kind,
               ['res'], pre=with_results, regular=['res/manifest.json'])
    taken_case('taken_estimate_staging_' + kind, EST, '"out.tmp-$$"', kind, ['out'], files=EST_FILES,
               regular=['out/manifest.json'])
    taken_case('taken_backtest_staging_' + kind, BT, '"out.tmp-$$"', kind, ['out'], files={'obs.csv': OBS},
               regular=['out/manifest.json'])


# --- (b) Names a results folder may hold without listing them ---------------------------------------------------------
def in_results(rel, kind):
    """res/ of the good scenario with `kind` at res/REL (a hard link to the victim, a FIFO, a folder)."""
    def pre(d):
        with_results(d)
        p = os.path.join(d, 'res', rel)
        if kind == 'hard':
            os.link(VICTIM, p)
        elif kind == 'fifo':
            os.mkfifo(p)
        elif kind == 'dir':
            os.makedirs(p)
    return pre


for rel in ('.cohortgis-staging', 'manifest.json.tmp-1', 'report.html.tmp-1'):
    tag = rel.strip('.').split('.')[0].replace('-', '_')
    for kind in ('hard', 'fifo', 'dir'):
        wait = 45 if kind == 'fifo' else 120
        cli('exempt_%s_%s_run_replace' % (tag, kind), ['run', 'sc.toml', '--out', 'res', '--quiet'], {}, 'any', None,
            pre=in_results(rel, kind), out='res', post=victim_intact, timeout=wait)
        cli('exempt_%s_%s_report' % (tag, kind), ['report', 'res'], {}, 'any', None, pre=in_results(rel, kind),
            out='res', post=victim_intact, timeout=wait)
        cli('exempt_%s_%s_map' % (tag, kind), MAP, {}, 'any', None, pre=in_results(rel, kind), out='res',
            post=victim_intact, timeout=wait)


# --- (c) Locks held by another program --------------------------------------------------------------------------------
HOLDERS = []


def locked_gpkg(rel, source_csv, layer):
    """A GeoPackage at REL made from source_csv, then held under an exclusive SQLite lock by another process (as
    another program writing it does) until the probe ends."""
    def pre(d):
        p = os.path.join(d, rel)
        src = os.path.join(d, 'src_' + os.path.basename(source_csv))
        subprocess.run(['ogr2ogr', '-q', '-f', 'GPKG', p, os.path.join(d, source_csv), '-nln', layer], check=True,
                       capture_output=True)
        code = ('import sqlite3, sys, time\nc = sqlite3.connect(%r, isolation_level=None)\n'
                'c.execute("PRAGMA journal_mode=DELETE")\nc.execute("BEGIN EXCLUSIVE")\nprint("locked", flush=True)\n'
                'time.sleep(300)\n' % p)
        h = subprocess.Popen(['/usr/bin/python3', '-c', code], stdout=subprocess.PIPE)
        h.stdout.readline()
        HOLDERS.append(h)
        if os.path.exists(src):
            os.remove(src)
    return pre


def release(d, rc):
    while HOLDERS:
        h = HOLDERS.pop()
        h.kill()
        h.wait()
    return []


cli('lock_gpkg_table_validate', VAL, {}, 'any', r'b\.gpkg', toml=BASEREF('{ path = "b.gpkg", layer = "base" }'),
    pre=locked_gpkg('b.gpkg', 'base.csv', 'base'), post=release, timeout=60)
cli('lock_gpkg_table_run', RUN, {}, 'any', r'b\.gpkg', toml=BASEREF('{ path = "b.gpkg", layer = "base" }'),
    pre=locked_gpkg('b.gpkg', 'base.csv', 'base'), post=release, timeout=60)
cli('lock_gpkg_info', ['info', 'b.gpkg'], {}, 'any', r'b\.gpkg', pre=locked_gpkg('b.gpkg', 'base.csv', 'base'),
    post=release, timeout=60)
cli('lock_gpkg_zones_run', RUN, {'zones.geojson': ZONES_GJ}, 'any', r'z\.gpkg', toml=ZSRC('z.gpkg'),
    pre=locked_gpkg('z.gpkg', 'zones.geojson', 'zones'), post=release, timeout=60)


def flocked(d):
    """The case folder (the parent of --out) under an flock another process never lets go."""
    h = subprocess.Popen(['flock', '-x', d, 'sh', '-c', 'echo locked; sleep 300'], stdout=subprocess.PIPE)
    h.stdout.readline()
    HOLDERS.append(h)


cli('lock_parent_flock_run', RUN, {}, 'ok', None, pre=flocked, post=release, timeout=120)
cli('lock_parent_flock_estimate', EST, EST_FILES, 'ok', None, pre=flocked, post=release, timeout=120)


def signal_case(name, args, sig, at, pre=None, files=None):
    """`cohortgis ARGS` sent `sig` `at` seconds in: exit 128+sig (or 0) within 1 s of the signal, nothing left."""
    if not wanted(name):
        return
    d = os.path.join(ROOT, 'cases', name)
    make(d, dict(INPUTS, **{'sc.toml': GOOD}, **(files or {})))
    if pre:
        pre(d)
    names = set(os.listdir(d))
    before = snapshot(d)
    rc, o, err, secs, rss = run_measured([EXE] + args, d, ENV, 60, (sig, at))
    release(d, rc)
    extra = leftovers(d, names)
    if rc == 128 + sig:
        extra += changes(before, snapshot(d))
        if secs - at > 1.0:
            extra.append('SLOW STOP %.2f s' % (secs - at))
    LOG.check(name, rc, o, err, secs, rss, (0, 128 + sig), None, extra)


for sig in (signal.SIGTERM, signal.SIGINT):
    signal_case('lock_parent_flock_%s_run' % sig.name, RUN, sig, 2.0, pre=flocked)
    signal_case('lock_parent_flock_%s_estimate' % sig.name, EST, sig, 2.0, pre=flocked, files=EST_FILES)


# --- (d) A umask for nobody -------------------------------------------------------------------------------------------
def owned_by_nobody(with_res):
    def pre(d):
        if with_res:
            with_results(d)
        for dp, dns, fns in os.walk(d):
            for n in [dp] + [os.path.join(dp, x) for x in fns + dns]:
                os.lchown(n, 65534, 65534)
    return pre


for mask in ('0222', '0077', '0777'):
    for label, args, files, with_res, out in [
            ('run', ['run', 'sc.toml', '--out', 'out', '--quiet'], {}, False, 'out'),
            ('estimate', EST, EST_FILES, False, 'out'), ('backtest', BT, {'obs.csv': OBS}, False, 'out'),
            ('map', MAP, {}, True, 'res'), ('report', ['report', 'res'], {}, True, 'res')]:
        cli('umask_%s_%s' % (mask, label), args, files, 'any', r'[Pp]ermission|cannot|read-only|write|umask',
            pre=owned_by_nobody(with_res), out=out, timeout=120,
            prefix=NOBODY + ['sh', '-c', 'umask %s; exec "$0" "$@"' % mask])


# --- (e) Standard output a pipe in non-blocking mode that is never read -----------------------------------------------
def nonblocking_case(name, args, files=None):
    """stdout a non-blocking pipe nobody reads until cohortgis exits: a write meets EAGAIN once the pipe is full.
    Exit 0 must mean the whole text arrived; otherwise exit 1 with a message."""
    if not wanted(name):
        return
    d = os.path.join(ROOT, 'cases', name)
    make(d, dict(INPUTS, **{'sc.toml': GOOD}, **(files or {})))
    r, w = os.pipe()
    os.set_blocking(w, False)
    t0 = time.time()
    p = subprocess.Popen([EXE] + args, cwd=d, env=ENV, stdout=w, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    os.close(w)
    try:
        _, err = p.communicate(timeout=60)
        rc = p.returncode
    except subprocess.TimeoutExpired:
        p.kill()
        _, err = p.communicate()
        rc = 124
    got = b''
    os.set_blocking(r, False)
    try:
        while True:
            chunk = os.read(r, 1 << 16)
            if not chunk:
                break
            got += chunk
    except BlockingIOError:
        pass
    os.close(r)
    full = subprocess.run([EXE] + args, cwd=d, env=ENV, capture_output=True).stdout
    err = err.decode('utf-8', 'replace')
    extra = []
    if rc == 0 and got != full:
        extra.append('CUT SHORT WITH EXIT 0: %d of %d bytes' % (len(got), len(full)))
    LOG.check(name, rc, '', err, time.time() - t0, 0, 'any', r'output|write' if rc == 1 else None, extra)


BIG = 'zone,sex,age,population\n' + ''.join('Z%d,%s,%d,1\n' % (i, s, a) for i in range(20000) for s in
                                               ('female', 'male') for a in range(0, 25, 5))
nonblocking_case('stdout_nonblocking_info_big', ['info', 'big.csv'], {'big.csv': BIG})
nonblocking_case('stdout_nonblocking_info_zones', ['info', 'z.geojson'], {'z.geojson': '{"type":"FeatureCollection",'
                 '"features":[' + ','.join('{"type":"Feature","properties":{"id":"Z%d"},"geometry":null}' % i
                                           for i in range(20000)) + ']}'})
nonblocking_case('stdout_nonblocking_help', ['run', '--help'])


def full_stdout(name, args, files=None):
    """stdout /dev/full: the text cannot be written; exit 0 would say it was."""
    cli(name, args, files, 'bad', r'output|write|space', prefix=['sh', '-c', 'exec "$0" "$@" >/dev/full'])


full_stdout('stdout_full_info_small', ['info', 'base.csv'])
full_stdout('stdout_full_validate', VAL)
full_stdout('stdout_full_version', ['--version'])


def intact(rel):
    """After exit 0: every file manifest.json (or the file REL itself, a PNG) lists holds what cohortgis wrote: the
    size and SHA-256 the manifest records (a closed standard stream's descriptor reused by an output file gets the
    messages written into it)."""
    def post(d, rc):
        if rc != 0:
            return []
        p = os.path.join(d, rel)
        if rel.endswith('.png'):
            data = open(p, 'rb').read()
            return [] if data.startswith(b'\x89PNG') and b'cohortgis' not in data else ['PNG CORRUPT']
        text = open(os.path.join(p, 'manifest.json')).read()
        bad = []
        for m in re.finditer(r'\{"path": "([^"]+)", "size": (\d+), "sha256": "([0-9a-f]{64})"\}', text):
            f = os.path.join(p, m.group(1))
            data = open(f, 'rb').read() if os.path.isfile(f) else b''
            if len(data) != int(m.group(2)) or __import__('hashlib').sha256(data).hexdigest() != m.group(3):
                bad.append('CORRUPT %s (%d bytes, %r)' % (m.group(1), len(data), data[:60]))
        return bad[:3]
    return post


CLOSE = {'stdin': 'exec <&-', 'stdout': 'exec >&-', 'stderr': 'exec 2>&-', 'all': 'exec <&- >&- 2>&-'}
for which, how in CLOSE.items():
    pre_ = ['sh', '-c', how + '; exec "$0" "$@"']
    cli('fd_closed_%s_run' % which, ['run', 'sc.toml', '--out', 'out'], {'zones.geojson': ZONES_GJ}, 'ok', None,
        toml=ZSRC('zones.geojson'), prefix=pre_, post=intact('out'), timeout=180)
    cli('fd_closed_%s_run_netcdf' % which, ['run', 'sc.toml', '--out', 'out', '--format', 'both', '--no-report'], {},
        'ok', None, prefix=pre_, post=intact('out'))
    cli('fd_closed_%s_estimate' % which, EST, EST_FILES, 'ok', None, prefix=pre_, post=intact('out'))
    cli('fd_closed_%s_backtest' % which, BT[:-2], {'obs.csv': OBS}, 'ok', None, prefix=pre_, post=intact('out'),
        timeout=180)
    cli('fd_closed_%s_report' % which, ['report', 'res'], {}, 'ok', None, prefix=pre_, pre=with_results, out='res',
        post=intact('res'), timeout=180)
    cli('fd_closed_%s_map_out' % which, MAP + ['--out', 'm.png'], {}, 'ok', None, prefix=pre_, pre=with_results,
        out='m.png', post=intact('m.png'), timeout=120)

# --- (f) XML entities in zone sources, compressed tables --------------------------------------------------------------
LOL = '<!DOCTYPE k [<!ENTITY a "aaaaaaaaaa">' + ''.join(
    '<!ENTITY %s "%s">' % (chr(98 + i), ('&%s;' % chr(97 + i)) * 10) for i in range(9)) + ']>'
KML = ('<?xml version="1.0"?>%s<kml xmlns="http://www.opengis.net/kml/2.2"><Document>' + ''.join(
    '<Placemark><name>%s</name><ExtendedData><Data name="id"><value>%s%%s</value></Data></ExtendedData><Polygon>'
    '<outerBoundaryIs><LinearRing><coordinates>%g,39 %g,39 %g,39.1 %g,39.1 %g,39</coordinates></LinearRing>'
    '</outerBoundaryIs></Polygon></Placemark>' % (z, z, x, x + .1, x + .1, x, x) for z, x in (('A', 116), ('B', 116.1)))
       + '</Document></kml>')
for label, doctype, ref in [('laughs', LOL, '&j;'),
                            ('passwd', '<!DOCTYPE k [<!ENTITY e SYSTEM "file:///etc/passwd">]>', '&e;'),
                            ('url_dtd', '<!DOCTYPE k SYSTEM "%s/k.dtd">' % URL, ''),
                            ('param_url', '<!DOCTYPE k [<!ENTITY %% p SYSTEM "%s/p.dtd"> %%p;]>' % URL, '')]:
    text = KML % ((doctype,) + (ref,) * 2)
    cli('xml_kml_%s_zones' % label, RUN, {'z.kml': text}, 'any', r'z\.kml', toml=ZSRC('z.kml'), timeout=60)
    cli('xml_kml_%s_info' % label, ['info', 'z.kml'], {'z.kml': text}, 'any', r'z\.kml', timeout=60)
GML = ('<?xml version="1.0"?>%s<ogr:FeatureCollection xmlns:ogr="http://ogr.maptools.org/" '
       'xmlns:gml="http://www.opengis.net/gml" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
       'xsi:schemaLocation="http://ogr.maptools.org/ %s/z.xsd">' + ''.join(
           '<gml:featureMember><ogr:z><ogr:geometryProperty><gml:Polygon><gml:outerBoundaryIs><gml:LinearRing>'
           '<gml:coordinates>%g,39 %g,39 %g,39.1 %g,39.1 %g,39</gml:coordinates></gml:LinearRing></gml:outerBoundaryIs>'
           '</gml:Polygon></ogr:geometryProperty><ogr:id>%s%%s</ogr:id></ogr:z></gml:featureMember>' % (
               x, x + .1, x + .1, x, x, z) for z, x in (('A', 116), ('B', 116.1))) + '</ogr:FeatureCollection>')
for label, doctype, ref in [('laughs', LOL.replace('DOCTYPE k', 'DOCTYPE ogr:FeatureCollection'), '&j;'),
                            ('passwd', '<!DOCTYPE ogr:FeatureCollection [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
                             '&e;'), ('schema_url', '', '')]:
    text = GML % (doctype, URL, ref, ref)
    cli('xml_gml_%s_zones' % label, RUN, {'z.gml': text}, 'any', r'z\.gml', toml=ZSRC('z.gml'), timeout=60)
    cli('xml_gml_%s_info' % label, ['info', 'z.gml'], {'z.gml': text}, 'any', r'z\.gml', timeout=60)

BOMB = gzip.compress(BASE.encode() + b'\n' * (64 << 20), 6)
cli('gz_bomb_table', VAL, {'b.csv.gz': BOMB}, 'bad', r'b\.csv\.gz', toml=BASEREF('"b.csv.gz"'), timeout=60)
cli('gz_bomb_info', ['info', 'b.csv.gz'], {'b.csv.gz': BOMB}, 'bad', r'b\.csv\.gz', timeout=60)
cli('gz_geojson_zones', VAL, {'z.geojson.gz': gzip.compress(ZONES_GJ.encode())}, 'any', r'z\.geojson\.gz',
    toml=ZSRC('z.geojson.gz'))


def zipped(p):
    with zipfile.ZipFile(p, 'w') as z:
        z.writestr('base.csv', BASE)


cli('zip_csv_table', VAL, {'b.zip': zipped}, 'bad', r'b\.zip', toml=BASEREF('"b.zip"'))
cli('zip_csv_info', ['info', 'b.zip'], {'b.zip': zipped}, 'bad', r'b\.zip')

release(None, 0)
for p in ('/vsimem', '/vsistdin', '/vsizip'):
    if os.path.isdir(p):
        record('cleanup_' + p.strip('/'), False, 'a real folder %s was created: %s' % (p, os.listdir(p)))
PROBE.finish()
