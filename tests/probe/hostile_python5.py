#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Fifth Python misuse probe (round 23, helper h128): classes hostile_python{,2,3,4}.py and the Python parts of
hostile_round*.py do not cover. Each case runs in a fresh interpreter (probe_common.python_case) with TMPDIR a folder
of its own, so a crash, an abort, a hang or a temporary file left behind is seen as such; a raised message that reads
as C++ or pybind11 internals (std::, "Unable to cast", "incompatible function arguments") is a problem too.
Figure.save onto a FIFO, /dev/null, a folder's link, with a render that fails (nothing written, a user's file kept);
text that is not UTF-8 (lone surrogates) in every str a scenario, a figure, scenario_from_frames or an ensemble
takes; complex, NumPy-bool, 2^1000 and duplicated years in set_tfr/set_srb paths and frames; set_tfr_path given a
dict that a key's __index__ empties; NumPy arrays byte-swapped, float16, longdouble, read-only, memory-mapped,
0-d, of Decimal or complex objects, a memmap whose file was truncated, as base_population and schedules; lists of None,
negative cells and surrogates in a scenario's and a schedule's lists; __init__ called again on live objects; Results
and Ensemble built by hand with wrong parts; a forked child's exit removing the parent's temporary zones; a progress
callback changing the working folder or calling sys.exit; an address-space limit with many threads; SIGINT while a
thread calls; recursion limits; pickling and copying every class.
Usage: PYTHONPATH=build/python /usr/bin/python3 tests/probe/hostile_python5.py [WORK_DIR] [CASE_PREFIX ...]
(about 3 min on a loaded 2-core VM)."""
import os, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe_common import PythonProbe  # noqa: E402

# Its messages in C++ or pybind11 words as round 23 knew them (RAW_PYTHON has the later rounds').
PROBE = PythonProbe('cohortgis-hostile-python5-', r'std::|vector::|basic_string|bad_alloc|Unable to cast|'
                    r'incompatible function arguments|filesystem error|_M_|pybind11')
IN, OUT, USER = (PROBE.dirs[d] for d in ('in', 'out', 'user'))
os.makedirs(os.path.join(USER, 'out'))
with open(os.path.join(USER, 'out', 'notes.txt'), 'w') as f:
    f.write('a user file\n')
with open(os.path.join(USER, 'keep.png'), 'w') as f:
    f.write('a user image\n')
BAD = ('TypeError', 'ValueError')
# The cases' prelude: their own modules, then PythonProbe.cases_prelude's names, then the probe's own.
IMPORTS = 'import copy, gc, os, pickle, signal, subprocess, sys, threading, time, warnings\n'
PRELUDE = PROBE.cases_prelude(IMPORTS) + '''\
def pop(s):
    return float(cg.run(s, threads=1).population().sum())
def child(code, timeout=60):
    p = subprocess.run([sys.executable, '-c', 'import os, sys, threading, time, cohortgis as cg\\n' + code],
                       capture_output=True, text=True, timeout=timeout)
    bad = [w for w in ('terminate called', 'Segmentation', 'Aborted', 'Fatal Python') if w in p.stderr]
    if p.returncode != 0 or bad:
        raise AssertionError('exit %d %s %s' % (p.returncode, bad, p.stderr[-300:]))
    return p.stdout.strip()
'''
PROBE.prelude = PRELUDE
py = PROBE.py


# ---- Figure.save: special files, a render that fails, a user's file
FIG = 'f = res().pyramid()\n'
py('fig_save_fifo', FIG + 'os.mkfifo(OUT + "/fifo.png")\nf.save(OUT + "/fifo.png")', ('ValueError', 'OSError'),
   timeout=20)
py('fig_save_dev_null', FIG + 'f.save("/dev/null")\nimport stat\nstat.S_ISCHR(os.stat("/dev/null").st_mode)',
   ('ok', 'ValueError', 'OSError'))
py('fig_save_render_fails_no_file', 'f = res().pyramid(title="\\udcff")\ndef g():\n    try:\n'
   '        f.save(OUT + "/bad_title.png")\n    finally:\n        assert not os.path.exists(OUT + "/bad_title.png")\n'
   'g()', BAD, 'title')
py('fig_save_render_fails_keeps_user_file', 'f = res().pyramid(title="\\udcff")\ndef g():\n    try:\n'
   '        f.save(USER + "/keep.png")\n    finally:\n'
   '        assert open(USER + "/keep.png").read() == "a user image\\n"\ng()', BAD)
py('fig_save_missing_folder', 'f = res().lines()\ndef g():\n    try:\n        f.save(OUT + "/dir_missing/x.svg")\n'
   '    finally:\n        assert not os.path.exists(OUT + "/dir_missing")\ng()',
   ('OSError', 'FileNotFoundError', 'ValueError'))
py('fig_save_pathlike', FIG + 'import pathlib\nf.save(pathlib.Path(OUT) / "p.png")\n'
   'os.path.getsize(OUT + "/p.png") > 0',
   'ok', 'RETURNED True')
py('fig_save_bytes_path', FIG + 'f.save((OUT + "/b.png").encode())', ('ok', 'TypeError', 'ValueError'))
py('fig_data_format_none', FIG + 'f.data(None)', BAD, 'format')
py('fig_data_format_surrogate', FIG + 'f.data("\\udcff")', BAD, 'format')
py('fig_pickle', FIG + 'pickle.loads(pickle.dumps(f)).data()[:4]', ('ok', 'TypeError', 'PicklingError'))
py('fig_deepcopy', FIG + 'copy.deepcopy(f).data()[:4]', 'ok')

# ---- text that is not UTF-8 (lone surrogates): a message naming the field, not pybind11's listing
SUR = '"x\\udcff"'
for field in ('name', 'title', 'language', 'variant', 'migration_timing', 'flow_policy'):
    py('surrogate_scenario_' + field, 's = cg.load_scenario(GOOD).baseline\ns.%s = %s\n"accepted"' % (field, SUR), BAD,
       field)
py('surrogate_group_names', 's = cg.load_scenario(GOOD).baseline\ns.group_names = [%s]\n"accepted"' % SUR, BAD, 'group')
py('surrogate_assumptions', 's = cg.load_scenario(GOOD).baseline\ns.assumptions = [%s]\n"accepted"' % SUR, BAD,
   'assumptions')
py('surrogate_set_zones', 's = cg.load_scenario(GOOD).baseline\ns.set_zones(["A", %s])' % SUR, BAD, 'zone')
py('surrogate_add_variant', 'cg.load_scenario(GOOD).add_variant(%s)' % SUR, BAD, 'variant')
py('surrogate_mortality_kind', 'st = cg.StepSchedules()\nst.mortality_kind = %s\n"accepted"' % SUR, BAD,
   'mortality_kind')
py('surrogate_map_title', 'fr().run(threads=1).map(title=%s)' % SUR, BAD, 'title')
py('surrogate_lines_title_data', 'res().lines(title=%s).data()' % SUR, BAD, 'title')
py('surrogate_frames_name', 'fr(name=%s)' % SUR, BAD, 'name')
py('surrogate_frames_zone_id', 'd = toy_frames(zones=2, migration=False)\nz = d["zones"].copy()\n'
   'bp = d["base_population"].copy()\nz.loc[1, "id"] = %s\nbp.loc[bp.zone == "Z001", "zone"] = %s\n'
   'd.update(zones=z, base_population=bp)\ncg.scenario_from_frames(**d)' % (SUR, SUR), BAD, 'zone')
py('surrogate_frames_group', 'fr(groups=["local", %s])' % SUR, BAD, 'group')
py('surrogate_ensemble_indicator', 'cg.load_scenario(STO).run(threads=1, trajectories=2, indicators=[%s])' % SUR,
   BAD + ('KeyError',), 'indicator')
py('surrogate_write_components', 'cg.write_outputs(GOOD, OUT + "/sur_comp", components=[%s])' % SUR, BAD,
   'component')
py('surrogate_estimate_filter', 'cg.estimate(IN + "/base.csv", IN + "/base.csv", (2010, 2020), OUT + "/sur_est", '
   'mx=IN + "/mx.csv", mx_filter={"sex": %s})' % SUR, BAD, 'filter')

# ---- year paths: complex, NumPy bool, 2^1000, a year twice
py('tfr_complex_scalar', 's = cg.load_scenario(GOOD).baseline\ns.set_tfr(np.complex128(1.5 + 1j))', BAD, 'tfr')
py('tfr_complex_value', 's = cg.load_scenario(GOOD).baseline\ns.set_tfr({2030: np.complex128(1.5 + 1j)})', BAD,
   'tfr')
py('tfr_numpy_bool', 's = cg.load_scenario(GOOD).baseline\ns.set_tfr(np.bool_(True))', BAD, 'tfr')
py('tfr_bool_value', 's = cg.load_scenario(GOOD).baseline\ns.set_tfr({2030: True})', BAD, 'tfr')
py('tfr_year_2p1000', 's = cg.load_scenario(GOOD).baseline\ns.set_tfr({2 ** 1000: 1.5})', BAD, 'tfr')
py('tfr_value_2p1000', 's = cg.load_scenario(GOOD).baseline\ns.set_tfr({2030: 2 ** 1000})', BAD, 'tfr')
py('srb_series_year_twice', 's = cg.load_scenario(GOOD).baseline\n'
   's.set_srb(pd.Series([105.0, 120.0], index=[2030, 2030]))', 'ValueError', '2030')
py('tfr_items_endless', 'import itertools\nclass P:\n    def items(self):\n'
   '        return itertools.repeat((2030, 1.5))\n'
   's = cg.load_scenario(GOOD).baseline\ns.set_tfr(P())', BAD, 'tfr', timeout=30)
py('tfr_series_0d_array_str', 's = cg.load_scenario(GOOD).baseline\ns.set_tfr(np.array("1.5"))', BAD, 'tfr')
py('frames_tfr_complex', 'fr(tfr={2030: np.complex128(1.5 + 1j)})', BAD, 'tfr')
py('frames_tfr_year_twice', 'fr(tfr=pd.Series([1.5, 2.5], index=[2030, 2030]))', 'ValueError', '2030')
py('frames_srb_2p1000', 'fr(srb={2030: 2 ** 1000})', BAD, 'srb')
py('frames_population_complex_objects', 'bp = toy_frames(zones=2)["base_population"].astype({"population": object})\n'
   'bp.loc[0, "population"] = np.complex128(5 + 3j)\nfr(base_population=bp)', BAD, 'population')
py('frames_population_decimal_ok', 'import decimal\nbp = toy_frames(zones=2)["base_population"].astype({"population": '
   'object})\nbp["population"] = [decimal.Decimal(repr(x)) for x in bp["population"]]\n'
   'float(fr(base_population=bp).baseline.base_population.sum()) == float(fr().baseline.base_population.sum())',
   'ok', 'RETURNED True')
py('frames_age_tz_datetime', 'bp = toy_frames(zones=2)["base_population"].copy()\n'
   'bp["age"] = pd.to_datetime(bp["age"], utc=True)\nfr(base_population=bp)', BAD, 'age')
py('frames_population_sparse_ok', 'bp = toy_frames(zones=2)["base_population"].copy()\n'
   'bp["population"] = pd.arrays.SparseArray(bp["population"])\nfr(base_population=bp).baseline.name', 'ok')
py('frames_duplicated_index_ok', 'bp = toy_frames(zones=2)["base_population"].copy()\nbp.index = [0] * len(bp)\n'
   'fr(base_population=bp).baseline.name', 'ok')

# ---- set_tfr_path given a dict that a key's __index__ empties (pybind11's dict iteration holds borrowed items)
py('tfr_path_index_clears_dict', 'd = {}\nclass K:\n    def __index__(self):\n        d.clear()\n        gc.collect()\n'
   '        return 2030\nd[K()] = float("1.5")\nd[2025] = 1.7\ns = cg.load_scenario(GOOD).baseline\n'
   'junk = [float(i) + 0.5 for i in range(100000)]\ns.set_tfr_path(d)\nsorted(float(x) for x in s.total_fertility(1))',
   ('ok',) + BAD + ('RuntimeError',))
py('tfr_path_index_raises', 'class K:\n    def __index__(self):\n        raise RuntimeError("index exploded")\n'
   's = cg.load_scenario(GOOD).baseline\ns.set_tfr_path({K(): 1.5})', BAD + ('RuntimeError',), 'index|tfr|points')
# A whole float is a year, as set_tfr takes it (round 28); 2030.5 is a ValueError.
py('tfr_path_float_key', 's = cg.load_scenario(GOOD).baseline\ns.set_tfr_path({2030.0: 1.5})', ('ok',))
py('tfr_path_half_key', 's = cg.load_scenario(GOOD).baseline\ns.set_tfr_path({2030.5: 1.5})', ('ValueError',),
   'not a whole year')

# ---- NumPy arrays of every layout and dtype as base_population and schedules
BP = 's = cg.load_scenario(GOOD).baseline\nref = pop(s)\nb = s.base_population\n'
for name, expr in [('byteswapped', 'b.astype(">f8")'), ('float16', 'b.astype(np.float16).astype(np.float16)'),
                   ('longdouble', 'b.astype(np.longdouble)'),
                   ('readonly', '(lambda a: (a.setflags(write=False), a)[1])(b.copy())'),
                   ('fortran', 'np.asfortranarray(b)'), ('negative_strides', 'b.ravel()[::-1][::-1]'),
                   ('uint8', 'b.astype(np.uint8)'), ('decimal_objects',
                                                     'np.array([__import__("decimal").Decimal(repr(float(x))) for x in '
                                                     'b.ravel()], dtype=object)')]:
    same = 'pop(s) == ref' if name not in ('float16', 'uint8') else 'pop(s) > 0'
    py('bp_' + name, BP + 's.base_population = %s\n%s' % (expr, same), 'ok', 'RETURNED True')
py('bp_memmap', BP + 'm = np.memmap(OUT + "/bp.mm", dtype="f8", mode="w+", shape=b.shape)\nm[:] = b\nm.flush()\n'
   's.base_population = np.memmap(OUT + "/bp.mm", dtype="f8", mode="r", shape=b.shape)\npop(s) == ref', 'ok',
   'RETURNED True')
py('bp_memmap_truncated', BP + 'm = np.memmap(OUT + "/bp_t.mm", dtype="f8", mode="w+", shape=(b.size * 1000,))\n'
   'm.flush()\nos.truncate(OUT + "/bp_t.mm", 0)\ns.base_population = m[: b.size]\n"accepted"', BAD, 'base population')
py('asfr_memmap_truncated', 'm = np.memmap(OUT + "/asfr_t.mm", dtype="f8", mode="w+", shape=(100000,))\nm.flush()\n'
   'os.truncate(OUT + "/asfr_t.mm", 4096)\nst = cg.StepSchedules()\nst.asfr = m[::-1]\n"accepted"', BAD, 'asfr')
py('bp_zero_d', BP + 's.base_population = np.array(5.0)\n"accepted"', 'ValueError', 'base population')
py('bp_complex_objects', BP + 'a = b.astype(object)\na.flat[0] = np.complex128(5 + 3j)\ns.base_population = a\n'
   '"accepted"', BAD,
   'base population')
py('bp_fraction_objects_ok', BP + 'import fractions\na = b.astype(object)\na.flat[0] = fractions.Fraction(b.flat[0])\n'
   's.base_population = a\npop(s) == ref', 'ok', 'RETURNED True')
py('bp_pd_na_objects', BP + 'a = b.astype(object)\na.flat[3] = pd.NA\ns.base_population = a\n"accepted"', BAD,
   'base population')
py('bp_float_raises_objects', BP + 'class F:\n    def __float__(self):\n        raise RuntimeError("float exploded")\n'
   'a = b.astype(object)\na.flat[0] = F()\ns.base_population = a\n"accepted"', BAD + ('RuntimeError',))
py('bp_array_interface_lies', BP + 'class A:\n    @property\n    def __array_interface__(self):\n'
   '        return {"shape": (10 ** 9,), "typestr": "<f8", "data": (0, True), "version": 3}\n'
   's.base_population = A()\n"accepted"', BAD + ('MemoryError',))
py('asfr_complex', 'st = cg.StepSchedules()\nst.asfr = np.ones(3, dtype=complex)\n"accepted"', 'TypeError', 'asfr')
py('asfr_structured', 'st = cg.StepSchedules()\nst.asfr = np.zeros(3, dtype=[("a", "f8")])\n"accepted"', 'TypeError',
   'asfr')
py('asfr_complex_objects', 'st = cg.StepSchedules()\nst.asfr = np.array([np.complex128(1 + 1j)], dtype=object)\n'
   '"accepted"', BAD,
   'asfr')
py('group_transition_rates_complex', 'cg.GroupTransition(0, 1, [np.complex128(0.1 + 1j)])', BAD, '')
py('schedules_list_of_none', 's = cg.load_scenario(GOOD).baseline\ns.schedules = [None]\n"accepted"', BAD, 'schedules')
py('transitions_list_of_none', 'st = cg.StepSchedules()\nst.transitions = [None]\n"accepted"', BAD, 'transitions')
py('external_pairs_negative', 'st = cg.StepSchedules()\nst.external_pairs = [(-1, 0, 1.0)]\n"accepted"', BAD,
   'external_pairs')
py('aggregates_surrogate', 's = cg.load_scenario(GOOD).baseline\ns.aggregates = [(%s, ["A"])]\n"accepted"' % SUR, BAD,
   'aggregates')
py('plan_periods_surrogate', 's = cg.load_scenario(GOOD).baseline\ns.plan_periods = [(2021, 2025, %s)]\n'
   '"accepted"' % SUR,
   BAD, 'plan_periods')
py('set_od_negative_zones', 'st = cg.StepSchedules()\nst.set_od([cg.OdFlow(0, 1, 0.1)], -1, 1, 5)', BAD, 'zones')
py('odflow_rate_complex', 'cg.OdFlow(0, 1, np.complex128(0.1 + 1j))', BAD, 'rate_per_year')
py('newborn_share_complex', 'cg.NewbornRule(0, 1, np.complex128(0.5 + 1j))', BAD, 'share')
py('od_profile_byteswapped_ok', 'st = cg.StepSchedules()\n'
   'st.set_od([cg.OdFlow(0, 1, 0.01)], 2, 1, 5, np.ones(10, dtype=">f8"))\nlen(st.od_flows)', 'ok', 'RETURNED 1$')

# ---- __init__ again on live objects, methods of default-constructed ones
py('reinit_scenario_loaded', 's = cg.load_scenario(GOOD).baseline\ns.__init__()\ns.name', ('ok', 'TypeError'))
py('reinit_scenario_running', 's = cg.load_scenario(LONG)\nb = s.baseline\nout = []\n'
   'def cb(d, t):\n    try:\n        b.__init__()\n    except Exception as e:\n        out.append(type(e).__name__)\n'
   'r = s.run(threads=1, progress=cb)\n(out[:1], float(r.population().sum()) > 0)', 'ok')
py('reinit_stepschedules_loop', 'import resource\nst = cg.load_scenario(GOOD).baseline.step_schedules(0)\n'
   'for _ in range(20000):\n    try:\n        st.__init__()\n    except TypeError:\n        break\n'
   'resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < 1_000_000', 'ok', 'RETURNED True')
py('reinit_odflow', 'o = cg.OdFlow(0, 1, 0.1)\no.__init__(1, 0, 0.2)\n(o.origin, o.destination)', ('ok', 'TypeError'))
py('default_scenario_total_fertility', 'cg.Scenario().total_fertility()', BAD + ('IndexError',))
py('default_scenario_set_tfr', 'cg.Scenario().set_tfr(1.5)', BAD + ('IndexError',))
py('default_scenario_write_outputs', 'cg.write_outputs(cg.ScenarioSet([cg.Scenario()]), OUT + "/default_set")', BAD)
py('default_scenario_backtest', 'cg.backtest(cg.ScenarioSet([cg.Scenario()]), IN + "/base.csv", OUT + "/default_bt")',
   BAD)
py('default_stepschedules_copy_repr', 'repr(cg.StepSchedules().copy())', 'ok')

# ---- Results and Ensemble built by hand
py('results_set_int_map', 'r = res()\ncg.Results(dict(r), 5).map()', BAD, 'scenario_set')
py('results_set_str_pyramid', 'r = res()\ncg.Results(dict(r), "set").pyramid(zone="A")', BAD, 'scenario_set')
py('ensemble_empty_trajectories', 'cg.Ensemble([], None).trajectories()', BAD, '')
py('ensemble_parts_none', 'cg.Ensemble(None, None).quantiles', BAD, '')
py('ensemble_pickle', 'e = cg.load_scenario(STO).run(threads=1, trajectories=2)\npickle.dumps(e)',
   ('ok', 'TypeError', 'PicklingError'))
py('ensemble_deepcopy', 'e = cg.load_scenario(STO).run(threads=1, trajectories=2)\n'
   'copy.deepcopy(e).quantiles.shape == e.quantiles.shape', 'ok', 'RETURNED True')
py('stepschedules_subclass_no_super_init', 'class S(cg.StepSchedules):\n    def __init__(self):\n        pass\n'
   'S().asfr', ('TypeError',))
py('runresult_subclass', 'class R(cg.RunResult):\n    pass\nR()', ('TypeError',))
py('pickle_odflow_state_2p40', 'o = cg.OdFlow(0, 1, 0.1)\nf, a, st = o.__reduce_ex__(2)[:3]\n'
   'o2 = cg.OdFlow.__new__(cg.OdFlow)\no2.__setstate__((2 ** 40, 1, 0.1, -1))', BAD)
py('pickle_transition_state_str', 't = cg.GroupTransition.__new__(cg.GroupTransition)\n'
   't.__setstate__(("a", 1, [0.1], []))', BAD)

# ---- fork: a child's exit must not remove the parent's temporary zones (scenario_from_frames' GeoPackage)
py('fork_child_exit_keeps_parent_zones', 's = fr()\npid = os.fork()\n'
   'if pid == 0:\n    sys.exit(0)\nos.waitpid(pid, 0)\n'
   'cg.write_outputs(s, OUT + "/fork_zones")["out_dir"]', 'ok')
py('fork_child_runs_frames_set', 's = fr()\npid = os.fork()\n'
   'if pid == 0:\n    try:\n        float(s.run(threads=2).population().sum())\n        os._exit(0)\n'
   '    except BaseException:\n        os._exit(7)\nos.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])', 'ok',
   'RETURNED 0$')

# ---- callbacks that change the process: the working folder, sys.exit, signals
py('progress_chdir_write_outputs', 'os.makedirs(OUT + "/cwd_a", exist_ok=True)\nos.chdir(OUT + "/cwd_a")\n'
   'def cb(d, t):\n    os.chdir(USER)\n'
   'def g():\n    try:\n        cg.write_outputs(GOOD, "out", threads=1, progress=cb)\n    finally:\n'
   '        os.chdir(OUT)\n'
   'g()\nsorted(os.listdir(OUT + "/cwd_a"))', ('ok',) + BAD + ('OSError',))
py('thread_chdir_write_outputs', 'for d in ("cwd_b", "cwd_c"):\n    os.makedirs(OUT + "/" + d, exist_ok=True)\n'
   'os.chdir(OUT + "/cwd_b")\nstop = threading.Event()\n'
   'def m():\n    while not stop.is_set():\n        os.chdir(OUT + "/cwd_c")\n        time.sleep(0.001)\n'
   '        os.chdir(OUT + "/cwd_b")\nth = threading.Thread(target=m)\nth.start()\n'
   'def g():\n    try:\n        for k in range(3):\n            cg.write_outputs(GOOD, "out%d" % k, threads=1)\n'
   '    finally:\n        stop.set()\n        th.join()\ng()\n'
   'found = [d for k in range(3) for d in ("cwd_b", "cwd_c") if os.path.exists("%s/%s/out%d/manifest.json" % (OUT, d, '
   'k))]\n'
   'left = [x for d in ("cwd_b", "cwd_c") for x in os.listdir(OUT + "/" + d) if ".tmp-" in x or ".old-" in x]\n'
   '(len(found), left)', 'ok', r"RETURNED \(3, \[\]\)$")
py('progress_sys_exit_run', 'cg.load_scenario(GOOD).run(threads=1, progress=lambda d, t: sys.exit(4))', 'SystemExit')
py('progress_sys_exit_write', 'def g():\n    try:\n        cg.write_outputs(GOOD, OUT + "/sysexit_cb", threads=1, '
   'progress=lambda d, t: sys.exit(4))\n    finally:\n'
   '        assert not [x for x in os.listdir(OUT) if x.startswith("sysexit_cb")]\ng()', 'SystemExit')
py('ensemble_progress_raises', 's = cg.load_scenario(LONG)\n'
   's.run(threads=2, trajectories=20000, progress=lambda d, t: 1 / 0)', 'ZeroDivisionError', timeout=60)
py('ensemble_progress_reenters', 's = cg.load_scenario(STO)\nn = []\n'
   'def cb(d, t):\n    if not n:\n        n.append(1)\n        s.run(threads=1, trajectories=3)\n'
   'type(s.run(threads=1, trajectories=5, progress=cb)).__name__', 'ok', 'Ensemble')
py('sigint_thread_run', 's = cg.load_scenario(LONG)\n'
   'th = threading.Thread(target=lambda: s.run(threads=1, trajectories=3000))\nth.start()\ntime.sleep(0.2)\n'
   'os.kill(os.getpid(), signal.SIGINT)\ndef g():\n    try:\n        time.sleep(30)\n    finally:\n        th.join()\n'
   'g()',
   'KeyboardInterrupt',
   timeout=60)
py('recursion_limit_low', 'sys.setrecursionlimit(60)\ndef deep(n):\n    return deep(n + 1) if n < 40 else '
   'cg.load_scenario(GOOD).run(threads=1).population_frame().shape\ndeep(0)', ('ok', 'RecursionError'))
py('address_space_many_threads', 'import resource\ns = cg.load_scenario(GOOD)\n'
   'resource.setrlimit(resource.RLIMIT_AS, (600_000_000, resource.RLIM_INFINITY))\n'
   'type(s.run(threads=cg.MAX_THREADS)).__name__', ('ok', 'MemoryError', 'ValueError', 'RuntimeError'))
py('address_space_write_outputs', 'import resource\n'
   'resource.setrlimit(resource.RLIMIT_AS, (700_000_000, resource.RLIM_INFINITY))\n'
   'def g():\n    try:\n        return cg.write_outputs(GOOD, OUT + "/as_out", threads=64)["out_dir"]\n'
   '    except BaseException:\n        assert not [x for x in os.listdir(OUT) if x.startswith("as_out")]\n'
   '        raise\ng()',
   ('ok', 'MemoryError', 'ValueError', 'RuntimeError', 'OSError'))
py('address_space_broadcast_population', 'import resource\ns = cg.load_scenario(GOOD).baseline\n'
   'resource.setrlimit(resource.RLIMIT_AS, (1_000_000_000, resource.RLIM_INFINITY))\n'
   's.base_population = np.broadcast_to(np.float64(1.0), (10 ** 5, 10 ** 4))\n"accepted"',
   ('MemoryError', 'ValueError'),
   'base population|memory')

PROBE.finish()
