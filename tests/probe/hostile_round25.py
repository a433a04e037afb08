#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Hostile-input probe of round 25 (helper h147), the command line and Python: what rounds 3 to 24 did not try. (a)
Code loaded from folders the environment names: `GDAL_DRIVER_PATH` and `GDAL_PYTHON_DRIVER_PATH` holding a driver
(a shared library with a constructor, a `ogr_*.py` script) while a VRT names a source of no format cohortgis reads,
a zone source, `info` and a whole run with the report; `HDF5_PLUGIN_PATH` holding a filter library while the base
population is a NetCDF-4 cube (or a results folder's results.nc, resealed) whose variable names an HDF5 filter that
is not built in, under `validate`, `run`, `info`, `report`, `map` and Python; the same cubes without the variable
(the message must name the filter) and with HDF5's own filters (deflate, shuffle, fletcher32: must still be read);
`HDF5_DRIVER`/`HDF5_VOL_CONNECTOR` naming plugins; a plugin that ran is a file written into SHARED. (b) TMPDIR
missing, a file or unwritable under Python's figures and the command line's run, report and ensemble. (c) The
keys of round 24: `schedule_graduation` with hostile values and grids, aggregate titles holding HTML, Pango markup,
controls, 10 MB. (d) One command's folder given to another: `report`, `map`, `info`, `validate --results` on an
`estimate` or `backtest` folder, `run`/`estimate`/`backtest --out` onto another command's folder. (e) Concurrency:
two `report`, `report` with `map`, two `estimate` and two `backtest` into one folder at once. (f) Locales: the command
line under `LC_ALL=tr_TR.UTF-8` and `de_DE.UTF-8` (same bytes as under C), Python after `locale.setlocale(LC_ALL,
"tr_TR.UTF-8")` (same answers as the command line). (g) `--allow-read` of `/`, `/dev`, `/proc`, a file, a FIFO.
A case fails on a crash, a hang, an exit other than the expected, a message that does not match, a crash-like, huge
or raw-control message, a network connection, a file written, changed or deleted outside the output (SHARED
included: the plugins write there), or staging folders left after an error.
Usage: PYTHONPATH=build/python /usr/bin/python3 tests/probe/hostile_round25.py [BUILD_DIR [WORK_DIR]] [PREFIX ...]"""
import os, shutil, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe_common import (BT, EST, EST_FILES, MAP, OBS, RUN, RUNR, VAL, ZONES_GJ, CliProbe, changes, leftovers, make,
                          python_case, reseal, snapshot)

PROBE = CliProbe('cohortgis-hostile-probe25-')
ROOT, EXE, URL, ENV, LOG = PROBE.root, PROBE.exe, PROBE.url, PROBE.env, PROBE.log
record, wanted, cli = LOG.record, PROBE.wanted, PROBE.cli
GOOD, INPUTS, SHARED = PROBE.good, PROBE.inputs, PROBE.shared
G, BASEREF, ZSRC = PROBE.g, PROBE.baseref, PROBE.zsrc
PROBE.results_options = ['--quiet', '--format', 'both']  # res/ with results.nc and the CSVs
with_results = PROBE.with_results  # res/ for `map` and `report` (probe_common.CliProbe.with_results)
make(SHARED, {'victim/thesis.txt': 'precious\n'})
TOOLS = os.path.join(ROOT, 'tools')
MARK = os.path.join(SHARED, 'plugin_ran')  # a plugin that runs writes it: a NEW file in SHARED


# --- Tools: a plugin (shared library) that records that it ran, a GDAL Python driver, a NetCDF cube writer ---------
PLUGIN_C = r'''
#include <stdio.h>
#include <stdlib.h>
__attribute__((constructor)) static void ran(void) {
  const char* m = getenv("PROBE_MARK");
  FILE* f = m ? fopen(m, "a") : NULL;
  if (f) { fputs("a plugin ran\n", f); fclose(f); }
}
int H5PLget_plugin_type(void) { return 0; }
const void* H5PLget_plugin_info(void) { return 0; }
void GDALRegisterMe(void) {}
'''
PY_DRIVER = '''# gdal: DRIVER_NAME = "PROBEPY"
# gdal: DRIVER_SUPPORTED_API_VERSION = [1]
# gdal: DRIVER_DCAP_VECTOR = "YES"
import os
open(os.environ["PROBE_MARK"], "a").write("a Python driver ran\\n")
from gdal_python_driver import BaseDriver
class Driver(BaseDriver):
    def identify(self, filename, first_bytes, open_flags, open_options={}):
        return False
    def open(self, filename, first_bytes, open_flags, open_options={}):
        return None
'''
# cube FILE MODE [GROUP]: the good scenario's base population as a NetCDF-4 cube population(zone, group, sex, age);
# MODE plain, deflate (deflate + shuffle), fletcher (Fletcher-32) or plugin (HDF5 filter 40000, registered here as an
# identity filter, so the file names a filter that only a plugin gives).
CUBE_C = r'''
#include <hdf5.h>
#include <netcdf.h>
#include <netcdf_filter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static size_t same(unsigned f, size_t n, const unsigned v[], size_t nb, size_t* bs, void** b) { return nb; }
static const H5Z_class2_t kFilter = {H5Z_CLASS_T_VERS, (H5Z_filter_t)40000, 1, 1, "probe", NULL, NULL, same};
#define C(x) do { int s_ = (x); if (s_) { fprintf(stderr, "%s: %s\n", #x, nc_strerror(s_)); return 1; } } while (0)
int main(int argc, char** argv) {
  if (argc < 3 || H5Zregister(&kFilter) < 0) return 2;
  int nc, dz, dg, ds, da, vz, vg, vs, va, vp;
  C(nc_create(argv[1], NC_NETCDF4 | NC_CLOBBER, &nc));
  C(nc_def_dim(nc, "zone", 2, &dz)); C(nc_def_dim(nc, "group", 1, &dg));
  C(nc_def_dim(nc, "sex", 2, &ds)); C(nc_def_dim(nc, "age", 5, &da));
  C(nc_def_var(nc, "zone", NC_STRING, 1, &dz, &vz)); C(nc_def_var(nc, "group", NC_STRING, 1, &dg, &vg));
  C(nc_def_var(nc, "sex", NC_STRING, 1, &ds, &vs)); C(nc_def_var(nc, "age", NC_INT, 1, &da, &va));
  int dims[4] = {dz, dg, ds, da};
  C(nc_def_var(nc, "population", NC_DOUBLE, 4, dims, &vp));
  size_t chunks[4] = {2, 1, 2, 5};
  C(nc_def_var_chunking(nc, vp, NC_CHUNKED, chunks));
  if (!strcmp(argv[2], "plugin")) C(nc_def_var_filter(nc, vp, 40000, 0, NULL));
  if (!strcmp(argv[2], "deflate")) C(nc_def_var_deflate(nc, vp, 1, 1, 4));
  if (!strcmp(argv[2], "fletcher")) C(nc_def_var_fletcher32(nc, vp, 1));
  C(nc_enddef(nc));
  const char* z[2] = {"A", "B"};
  const char* g[1] = {argc > 3 ? argv[3] : "total"};
  const char* s[2] = {"female", "male"};
  int ages[5] = {0, 5, 10, 15, 20};
  double p[20];
  for (int i = 0; i < 20; ++i) p[i] = 1000;
  C(nc_put_var_string(nc, vz, z)); C(nc_put_var_string(nc, vg, g)); C(nc_put_var_string(nc, vs, s));
  C(nc_put_var_int(nc, va, ages)); C(nc_put_var_double(nc, vp, p));
  C(nc_close(nc));
  return 0;
}
'''


def tools():
    """Compiles the plugin into TOOLS/plugins (as gdal_, ogr_ and lib names) and the cube writer; writes the Python
    driver into TOOLS/pydrivers. False when a compiler or the netCDF/HDF5 headers are missing."""
    os.makedirs(os.path.join(TOOLS, 'plugins'), exist_ok=True)
    os.makedirs(os.path.join(TOOLS, 'pydrivers'), exist_ok=True)
    make(TOOLS, {'plugin.c': PLUGIN_C, 'cube.c': CUBE_C, 'pydrivers/ogr_probe.py': PY_DRIVER,
                 'pydrivers/gdal_probe.py': PY_DRIVER})
    so = os.path.join(TOOLS, 'plugins', 'ogr_Probe.so')
    r = subprocess.run(['gcc', '-shared', '-fPIC', '-o', so, os.path.join(TOOLS, 'plugin.c')], capture_output=True)
    if r.returncode:
        return False
    for n in ('gdal_Probe.so', 'libprobe_filter.so'):
        shutil.copy(so, os.path.join(TOOLS, 'plugins', n))
    flags = subprocess.run(['sh', '-c', 'nc-config --cflags --libs'], capture_output=True, text=True).stdout.split()
    r = subprocess.run(['gcc', '-o', os.path.join(TOOLS, 'cube'), os.path.join(TOOLS, 'cube.c'),
                        '-I/usr/include/hdf5/serial'] + flags + ['-L/usr/lib/x86_64-linux-gnu/hdf5/serial', '-lhdf5'],
                       capture_output=True)
    return r.returncode == 0


HAVE_TOOLS = tools()
PLUGIN_ENV = {'PROBE_MARK': MARK, 'GDAL_DRIVER_PATH': os.path.join(TOOLS, 'plugins'),
              'GDAL_PYTHON_DRIVER_PATH': os.path.join(TOOLS, 'pydrivers'),
              'HDF5_PLUGIN_PATH': os.path.join(TOOLS, 'plugins')}


def cube(name, mode, group='total'):
    """A callable for place(): the cube of `mode` written at the path."""
    return lambda p: subprocess.run([os.path.join(TOOLS, 'cube'), p, mode, group], check=True)


def results_nc_plugin(d):
    """res/ whose results.nc names the plugin filter (resealed, as a forger would)."""
    with_results(d)
    subprocess.run([os.path.join(TOOLS, 'cube'), os.path.join(d, 'res', 'results.nc'), 'plugin'], check=True)
    reseal(os.path.join(d, 'res'))


BLOB = bytes(range(256)) * 12  # no format GDAL reads
VRT = '<OGRVRTDataSource><OGRVRTLayer name="t"><SrcDataSource>blob.dat</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>'
CUBE_TOML = G('table = "base.csv"', 'format = "netcdf"\ntable = "pop.nc"')

# --- (a) Plugins named by the environment -----------------------------------------------------------------------------
if HAVE_TOOLS:
    cli('plugin_gdal_vrt_unknown_source', VAL, {'blob.dat': BLOB, 't.vrt': VRT}, toml=BASEREF('"t.vrt"'),
        env=PLUGIN_ENV, expect='bad', pattern=r'blob\.dat', out=None)
    cli('plugin_gdal_zone_source_vrt', VAL, {'blob.dat': BLOB, 't.vrt': VRT}, toml=ZSRC('t.vrt'), env=PLUGIN_ENV,
        expect='bad', pattern=r'blob\.dat|t\.vrt', out=None)
    cli('plugin_gdal_info_blob', ['info', 'blob.dat'], {'blob.dat': BLOB}, env=PLUGIN_ENV, expect='bad',
        pattern=r'blob\.dat', out=None)
    cli('plugin_gdal_info_vrt', ['info', 't.vrt'], {'blob.dat': BLOB, 't.vrt': VRT}, env=PLUGIN_ENV, expect='bad',
        pattern=r'blob\.dat|t\.vrt', out=None)
    cli('plugin_gdal_run_report', RUNR, {'zones.geojson': ZONES_GJ}, toml=ZSRC('zones.geojson'), env=PLUGIN_ENV,
        expect='ok', timeout=180)
    cli('plugin_hdf5_cube_validate', VAL, {'pop.nc': cube('pop.nc', 'plugin')}, toml=CUBE_TOML, env=PLUGIN_ENV,
        expect='bad', pattern=r'filter', out=None)
    cli('plugin_hdf5_cube_run', RUN, {'pop.nc': cube('pop.nc', 'plugin')}, toml=CUBE_TOML, env=PLUGIN_ENV,
        expect='bad', pattern=r'filter')
    cli('plugin_hdf5_cube_no_env_names_filter', VAL, {'pop.nc': cube('pop.nc', 'plugin')}, toml=CUBE_TOML,
        expect='bad', pattern=r'filter 40000|40000', out=None)
    cli('plugin_hdf5_cube_wrong_group', VAL, {'pop.nc': cube('pop.nc', 'plugin', 'all')}, toml=CUBE_TOML,
        env=PLUGIN_ENV, expect='bad', pattern=r'filter|group', out=None)
    for mode in ('plain', 'deflate', 'fletcher'):
        cli('hdf5_cube_%s_is_read' % mode, VAL, {'pop.nc': cube('pop.nc', mode)}, toml=CUBE_TOML, env=PLUGIN_ENV,
            expect='ok', out=None)
    cli('hdf5_results_compressed_info', ['info', 'out'], toml=GOOD, env=PLUGIN_ENV, expect='ok', out=None,
        pre=lambda d: subprocess.run([EXE] + RUN + ['--format', 'netcdf', '--compress'], cwd=d, env=ENV, check=True))
    # results.nc of another layout: `info` may list the folder and `report` redraw from the CSVs (--format both);
    # what counts is that no plugin runs.
    cli('plugin_hdf5_results_info', ['info', 'res'], pre=results_nc_plugin, env=PLUGIN_ENV, expect='any',
        pattern=r'filter|results\.nc', out=None)
    cli('plugin_hdf5_results_report', ['report', 'res'], pre=results_nc_plugin, env=PLUGIN_ENV, expect='any',
        pattern=r'filter|results\.nc', out='res')
    cli('plugin_hdf5_results_map', MAP + ['--out', 'm.png'], pre=results_nc_plugin, env=PLUGIN_ENV, expect='any',
        pattern=r'filter|results\.nc', out='m.png')
    cli('plugin_hdf5_results_validate', ['validate', 'sc.toml', '--results', 'res'], pre=results_nc_plugin,
        env=PLUGIN_ENV, expect='any', pattern=r'filter|results\.nc', out=None)
    for label, env in [('hdf5_driver_ros3', {'HDF5_DRIVER': 'ros3'}),
                       ('hdf5_vol_connector', {'HDF5_VOL_CONNECTOR': 'probe under_vol=0;under_info={}'}),
                       ('hdf5_driver_config', {'HDF5_DRIVER': 'probe', 'HDF5_DRIVER_CONFIG': URL})]:
        cli('plugin_%s_run_netcdf' % label, RUN + ['--format', 'netcdf'], env=dict(PLUGIN_ENV, **env), expect='ok')

PY_DIR = os.path.join(ROOT, 'py')
make(PY_DIR, dict(INPUTS, **{'good.toml': GOOD, 'obs.csv': OBS, 'vrt.toml': BASEREF('"t.vrt"'), 't.vrt': VRT,
                             'blob.dat': BLOB, 'cube.toml': CUBE_TOML,
                             'english.toml': G('language = "zh-CN"', 'language = "ENGLISH"'),
                             'zones.geojson': ZONES_GJ, 'zsrc.toml': ZSRC('zones.geojson')}))
if HAVE_TOOLS:
    cube('pop.nc', 'plugin')(os.path.join(PY_DIR, 'pop.nc'))
PRELUDE = 'import locale, os, sys, cohortgis as cg\n'
os.makedirs(os.path.join(ROOT, 'pyout'), exist_ok=True)  # outside PY_DIR: what Python cases may write


def py(name, code, expect, pattern='', env=None, timeout=120):
    """A Python case in PY_DIR under ENV + env; nothing under PY_DIR or SHARED may change."""
    if wanted(name):
        python_case(LOG, name, code, expect, PRELUDE, PY_DIR, dict(ENV, **(env or {})), [PY_DIR, SHARED], pattern,
                    timeout)


py('py_aggregate_title_of_no_aggregate', 's = cg.load_scenario("good.toml")\n'
   's.baseline.aggregate_titles = {"nope": ("t", "t")}\ns.run() and 1', 'ValueError', r'nope')
if HAVE_TOOLS:
    py('py_plugin_gdal_vrt', 'cg.load_scenario("vrt.toml")', 'ValueError', r'blob\.dat', env=PLUGIN_ENV)
    py('py_plugin_hdf5_cube', 'cg.load_scenario("cube.toml")', 'ValueError', r'filter', env=PLUGIN_ENV)

# --- (b) TMPDIR that cannot be used -----------------------------------------------------------------------------------
FIG = 's = cg.load_scenario("good.toml")\nr = s.run()\nlen(r.pyramid()._repr_png_())'
for label, tmp in [('missing', '/nonexistent-probe25'), ('file', os.path.join(PY_DIR, 'good.toml')),
                   ('proc', '/proc'), ('empty', '')]:
    py('py_tmpdir_%s_pyramid' % label, FIG, ('ok', 'RuntimeError', 'OSError'), r'^RETURNED|TMPDIR|temporary',
       env={'TMPDIR': tmp})
py('py_tmpdir_missing_map_save', 's = cg.load_scenario("zsrc.toml")\nr = s.run()\nf = r.map("population", 2025)\n'
   'f.save(os.path.join(os.environ["OUTSIDE"], "m.png"))', ('ok', 'RuntimeError', 'OSError'),
   r'^RETURNED|TMPDIR|temporary', env={'TMPDIR': '/nonexistent-probe25', 'OUTSIDE': os.path.join(ROOT, 'pyout')})
for label, tmp in [('missing', '/nonexistent-probe25'), ('file', '/etc/hostname'), ('proc', '/proc')]:
    cli('tmpdir_%s_run_report' % label, RUNR, {'zones.geojson': ZONES_GJ}, toml=ZSRC('zones.geojson'),
        env={'TMPDIR': tmp}, expect='ok', timeout=180)
    cli('tmpdir_%s_ensemble_scratch' % label, RUN + ['--trajectories', '50', '--ensemble-memory', '0.001'],
        env={'TMPDIR': tmp}, expect='any', pattern=r'TMPDIR|scratch|temporary', timeout=180)

# --- (c) Round 24's keys with hostile values --------------------------------------------------------------------------
ONE_YEAR = G('step = 5', 'step = 1')
for label, value, expect in [('capitals', '"GRADUATE_MONO"', 'any'), ('empty', '""', 'bad'), ('number', '5', 'bad'),
                             ('trailing_space', '"graduate_mono "', 'bad'), ('array', '["graduate_mono"]', 'bad'),
                             ('escape', '"graduate\\u001b[2Jmono"', 'bad')]:
    cli('graduation_%s' % label, VAL, toml=ONE_YEAR.replace('srb = 105', 'srb = 105\nschedule_age_width = 5\n'
                                                           'schedule_graduation = %s' % value), expect=expect,
        pattern=r'schedule_graduation', out=None)
cli('graduation_five_year_grid', VAL, toml=G('srb = 105', 'srb = 105\nschedule_graduation = "graduate_mono"'),
    expect='any', pattern=r'schedule_graduation', out=None)
cli('graduation_width_one', VAL, toml=ONE_YEAR.replace('srb = 105', 'srb = 105\nschedule_age_width = 1\n'
                                                       'schedule_graduation = "graduate_mono"'), expect='bad',
    pattern=r'schedule_graduation|schedule_age_width', out=None)
for label, rows in [('zeros', '5,0\n10,0\n15,0\n'), ('denormal', '5,0\n10,5e-320\n15,0\n'),
                    ('one_group', '5,0\n10,0\n15,0.4\n'), ('huge', '5,0\n10,1e300\n15,0\n'),
                    ('alternating', '5,0.3\n10,0\n15,0.3\n')]:
    cli('graduation_rows_%s' % label, RUN, {'asfr.csv': 'age,value\n' + rows},
        toml=ONE_YEAR.replace('srb = 105', 'srb = 105\nschedule_age_width = 5\nschedule_graduation = "graduate_mono"'),
        expect='any', pattern=r'too small' if label == 'denormal' else r'asfr|schedule|tfr|fertility')


def no_raw_html(d, rc):
    """report.html must not hold the title's markup raw."""
    p = os.path.join(d, 'out', 'report.html')
    if rc == 0 and os.path.exists(p) and '<script>alert' in open(p, encoding='utf-8', errors='replace').read():
        return ['RAW <script> IN report.html']
    return []


for label, title, expect in [('html', '"<script>alert(1)</script>"', 'ok'),
                             ('markup', '"<b>&amp; core</span> &"', 'ok'),
                             ('escape', '"core\\u001b[2J"', 'bad'), ('newline', '"a\\nb"', 'bad'),
                             ('10mb', '"%s"' % ('x' * 10_000_000), 'bad'), ('empty', '""', 'any'),
                             ('rlo', '"\\u202ecore"', 'any')]:
    for key in ('title', 'title_en'):
        text = G('{ id = "B", name = "Zone B" } ]', '{ id = "B", name = "Zone B" } ]\naggregates = [ { name = "core", '
                 'zones = ["A", "B"], %s = %s } ]' % (key, title))
        if key == 'title_en':
            text = text.replace('language = "zh-CN"', 'language = "en"')
        cli('aggregate_%s_%s' % (key, label), RUNR, {'zones.geojson': ZONES_GJ},
            toml=text.replace('[projection]', '[geography.source]\npath = "zones.geojson"\nid_field = "id"\n\n'
                              '[projection]', 1), expect=expect, pattern=r'\b%s\b' % key, post=no_raw_html,
            timeout=180)


# --- (d) One command's folder given to another ------------------------------------------------------------------------
def with_estimate(d):
    make(d, EST_FILES)
    subprocess.run([EXE] + EST[:-1] + ['est'], cwd=d, env=ENV, capture_output=True, check=True)


def with_backtest(d):
    make(d, {'obs.csv': OBS})
    subprocess.run([EXE] + BT[:5] + ['bt', '--quiet'], cwd=d, env=ENV, capture_output=True, check=True)


# The folder is cohortgis's own: named as an estimate's, never "not a cohortgis manifest".
EST_MSG = r'cohortgis estimate'
cli('cross_report_on_estimate', ['report', 'est'], pre=with_estimate, expect='bad', pattern=EST_MSG, out=None)
cli('cross_map_on_estimate', ['map', 'est', '--year', '2010', '--out', 'm.png'], pre=with_estimate, expect='bad',
    pattern=EST_MSG, out=None)
cli('cross_info_on_estimate', ['info', 'est'], pre=with_estimate, expect='any', pattern=EST_MSG, out=None)
cli('cross_validate_results_estimate', ['validate', 'sc.toml', '--results', 'est'], pre=with_estimate,
    expect='any', pattern=EST_MSG, out=None)
cli('cross_report_on_backtest', ['report', 'bt'], pre=with_backtest, expect='any', pattern=r'bt', out='bt',
    timeout=180)
cli('cross_map_on_backtest', ['map', 'bt', '--year', '2025', '--out', 'm.png'], pre=with_backtest, expect='any',
    pattern=r'bt', out='m.png')
cli('cross_info_on_backtest', ['info', 'bt'], pre=with_backtest, expect='ok', out=None)
cli('cross_run_out_estimate', ['run', 'sc.toml', '--out', 'est', '--quiet', '--no-report'], pre=with_estimate,
    expect='any', pattern=r'est', out='est')
cli('cross_estimate_out_results', EST[:-1] + ['res'], EST_FILES, pre=with_results, expect='any', pattern=r'res',
    out='res')
cli('cross_backtest_out_results', BT[:5] + ['res', '--quiet', '--no-report'], {'obs.csv': OBS}, pre=with_results,
    expect='any', pattern=r'res', out='res')
cli('cross_run_out_backtest', ['run', 'sc.toml', '--out', 'bt', '--quiet', '--no-report'], pre=with_backtest,
    expect='any', pattern=r'bt', out='bt')
cli('cross_estimate_levels_out_estimate', ['estimate', '--levels', 'f.csv', '--out', 'est'],
    {'f.csv': 'zone,indicator,value\nA,e0,75\nB,e0,76\n', 'mx.csv': PROBE.inputs['mx.csv']}, pre=with_estimate,
    expect='any', pattern=r'est|f\.csv|mx|srb', out='est')


# --- (e) Concurrency --------------------------------------------------------------------------------------------------
def together(name, commands, pre=None, files=None, out='out', check=None, stagger=0.0):
    """The commands (argument lists) started at once in one case folder: each must end 0 or 1 with a message, none
    crash or hang; nothing outside `out` may change; no staging folders left; check(d) gives more problems."""
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
    ps = []
    for c in commands:
        ps.append(subprocess.Popen([EXE] + c, cwd=d, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   stdin=subprocess.DEVNULL))
        time.sleep(stagger)
    outs, probs = [], []
    for p in ps:
        try:
            o, e = p.communicate(timeout=300)
        except subprocess.TimeoutExpired:
            p.kill()
            o, e = p.communicate()
            probs.append('HANG')
        outs.append((p.returncode, e.decode('utf-8', 'replace')))
    for rc, e in outs:
        if rc not in (0, 1):
            probs.append('EXIT %d' % rc)
        if rc == 1 and not e.strip():
            probs.append('NO MESSAGE')
    after = dict(snapshot(d), **snapshot(SHARED))
    probs += changes(before, after, [os.path.join(d, out)]) + leftovers(d, names)
    if check:
        probs += check(d)
    detail = '; '.join('exit %d: %s' % (rc, (e.strip().splitlines() or [''])[-1][:90]) for rc, e in outs)
    record(name, not probs, ('; '.join(probs) + ' | ' if probs else '') + '%.1f s, %s' % (time.time() - t0, detail))


def intact(folder):
    def check(d):
        r = subprocess.run([EXE, 'info', folder], cwd=d, env=ENV, capture_output=True, text=True)
        ok = r.returncode == 0 and 'as cohortgis wrote them' in r.stdout
        return [] if ok else ['NOT INTACT: ' + (r.stdout + r.stderr).strip().splitlines()[-1][:120]]
    return check


together('together_two_reports', [['report', 'res'], ['report', 'res']], pre=with_results, out='res',
         check=intact('res'))
together('together_report_and_map', [['report', 'res'], MAP], pre=with_results, out='res', check=intact('res'))
together('together_two_maps_into_results', [MAP, MAP + ['--format', 'svg']], pre=with_results, out='res',
         check=intact('res'))
def sealed(folder):
    """Every file manifest.json lists has its size and SHA-256 (an estimate's folder is not `info`'s)."""
    def check(d):
        import hashlib, json
        try:
            m = json.load(open(os.path.join(d, folder, 'manifest.json')))
            bad = [f['path'] for f in m['files'] if hashlib.sha256(open(os.path.join(d, folder, f['path']), 'rb')
                                                                    .read()).hexdigest() != f['sha256']]
        except (OSError, ValueError, KeyError) as e:
            return ['NOT SEALED: %s' % e]
        return ['CHANGED SINCE WRITTEN: %s' % bad] if bad else []
    return check


together('together_two_estimates', [EST, EST], files=EST_FILES, check=sealed('out'))
together('together_two_backtests', [BT, BT], files={'obs.csv': OBS}, check=intact('out'))
together('together_run_and_report_staggered', [['run', 'sc.toml', '--out', 'res', '--quiet'], ['report', 'res']],
         pre=with_results, out='res', check=intact('res'), stagger=0.3)

# --- (f) Locales ------------------------------------------------------------------------------------------------------
LOCALES = os.path.join(ROOT, 'locales')
os.makedirs(LOCALES, exist_ok=True)
for loc in ('tr_TR', 'de_DE'):
    subprocess.run(['localedef', '-i', loc, '-f', 'UTF-8', os.path.join(LOCALES, loc + '.UTF-8')],
                   capture_output=True)


def same_as_c(files):
    """The same files (bytes) as the run under LC_ALL=C in a twin folder."""
    def post(d, rc):
        if rc != 0:
            return []
        twin = d + '-C'
        shutil.copytree(d, twin, ignore=shutil.ignore_patterns('out'))
        args = [a for a in (LAST_ARGS[d])]
        subprocess.run([EXE] + args, cwd=twin, env=dict(ENV, LC_ALL='C'), capture_output=True)
        bad = []
        for f in files:
            a, b = os.path.join(d, 'out', f), os.path.join(twin, 'out', f)
            if not os.path.exists(a) or not os.path.exists(b) or open(a, 'rb').read() != open(b, 'rb').read():
                bad.append('DIFFERS FROM C: ' + f)
        return bad
    return post


LAST_ARGS = {}
for loc in ('tr_TR', 'de_DE'):
    env = {'LOCPATH': LOCALES, 'LC_ALL': loc + '.UTF-8', 'LANG': loc + '.UTF-8'}
    for label, args, files, extra in [
            ('run', RUN, ['population.csv', 'indicators.csv'], {}),
            ('estimate', EST, ['net_migration.csv'], EST_FILES),
            ('upper_case_language', RUN, ['population.csv'], None)]:
        name = 'locale_%s_%s' % (loc, label)
        LAST_ARGS[os.path.join(ROOT, 'cases', name)] = args
        toml = G('language = "zh-CN"', 'language = "ENGLISH"') if extra is None else GOOD
        # scenario.language takes zh, zh-CN or en only (in every locale): ENGLISH is refused alike.
        cli(name, args, extra or {}, toml=toml, env=env, expect='bad' if extra is None else 'ok',
            pattern=r'scenario\.language', post=same_as_c(files))
for label, code in [
        ('english', 'cg.load_scenario("english.toml") is not None'),
        ('backtest_language', 'cg.backtest("good.toml", "obs.csv", os.path.join(os.environ["OUTSIDE"], "bt"), '
                              'language="ENGLISH", report=False) and 1'),
        ('run_same', 'a = cg.load_scenario("good.toml").run()\nlocale.setlocale(locale.LC_ALL, "C")\n'
                     'b = cg.load_scenario("good.toml").run()\n'
                     '(a.population_frame().equals(b.population_frame())) or 1/0')]:
    # As under C: english.toml is refused (scenario.language), --lang ENGLISH / language="ENGLISH" taken as en.
    py('py_locale_tr_%s' % label, 'locale.setlocale(locale.LC_ALL, "tr_TR.UTF-8")\n' + code,
       'ValueError' if label == 'english' else 'ok', env={'LOCPATH': LOCALES, 'OUTSIDE': os.path.join(ROOT, 'pyout')})

# --- (g) --allow-read of system folders -------------------------------------------------------------------------------
for label, folder, table in [('root_environ', '/', '/proc/self/environ'), ('dev_zero', '/dev', '/dev/zero'),
                             ('proc_status', '/proc', '/proc/self/status'), ('root_passwd', '/', '/etc/passwd')]:
    cli('allow_read_%s' % label, VAL + ['--allow-read', folder], toml=BASEREF('"%s"' % table), expect='bad',
        pattern=r'%s|allow' % table.replace('.', r'\.'), out=None)
cli('allow_read_file', VAL + ['--allow-read', 'base.csv'], expect='bad', pattern=r'allow-read', out=None)
cli('allow_read_fifo', VAL + ['--allow-read', 'p'], {'p': 'FIFO'}, expect='bad', pattern=r'allow-read', out=None,
    timeout=20)
cli('allow_read_empty', VAL + ['--allow-read', ''], expect='bad', pattern=r'allow-read', out=None)

PROBE.finish()
