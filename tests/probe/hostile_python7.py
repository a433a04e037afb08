#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Seventh Python misuse probe (round 25, helper h148): classes hostile_python{,2,3,4,5,6}.py and the Python parts of
hostile_round*.py do not cover. Each case runs in a fresh interpreter (probe_common.python_case) with TMPDIR a folder
of its own, so a crash, an abort, a hang or a temporary file left behind is seen as such; a raised message that reads
as C++ or pybind11 internals (std::, "Unable to cast", "incompatible function arguments") is a problem too.
The jobs' numbers (estimate, estimate_levels, estimate_group_split: years, steps and open ages past int, int
subclasses whose __int__ lies, 10**400 as a rate, census years whose difference overflows); ints read twice (a seed,
threads or trajectories whose __int__ answers differently the second time); variants= of backtest as a generator
(read twice) and endless; str subclasses with their own __hash__ as variant names; Ctrl-C (KeyboardInterrupt) or
MemoryError raised inside a conversion: __float__ of OdFlow/NewbornRule rates, external_pairs, __array__ of an
array-like and __getitem__ of a sequence; NumPy masked arrays with masked cells; NUL characters in plot titles and
labels; signal handlers, __del__ and threads calling into cohortgis while a run is in flight; a scenario after a
write that failed or was interrupted; PathLike objects whose __fspath__ changes; Results keyed by non-str; pickling
and copying the compiled classes under every protocol; Figure.save("png"); None as an estimate's filter value; the
compiled functions of _cohortgis.pyi called directly with a NUL in a path or in a renderer's title or labels.
Usage: PYTHONPATH=build/python /usr/bin/python3 tests/probe/hostile_python7.py [WORK_DIR] [CASE_PREFIX ...]
(about 5 min on a loaded 2-core VM)."""
import os, shutil, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe_common import FIX, RAW_PYTHON, PythonProbe  # noqa: E402

PROBE = PythonProbe('cohortgis-hostile-python7-', RAW_PYTHON + '|int too large to convert')
IN, OUT, USER = (PROBE.dirs[d] for d in ('in', 'out', 'user'))
shutil.copy(os.path.join(FIX, '..', 'backtest', 'observed_tiny.csv'), IN)
with open(os.path.join(IN, 'census1.csv'), 'w') as f:  # censuses of zone totals (estimate's "totals" method)
    f.write('zone,sex,age,population\nA,all,all,1000\nB,all,all,2000\n')
with open(os.path.join(IN, 'census2.csv'), 'w') as f:
    f.write('zone,sex,age,population\nA,all,all,1100\nB,all,all,1900\n')
with open(os.path.join(USER, 'keep.png'), 'w') as f:
    f.write('a user image\n')

BAD = ('TypeError', 'ValueError')
# The cases' prelude: their own modules, then PythonProbe.cases_prelude's names, then the probe's own.
IMPORTS = ('import copy, decimal, fractions, gc, itertools, os, pickle, resource, signal, sys, threading, time\n'
           'import warnings\n')
PRELUDE = PROBE.cases_prelude(IMPORTS) + '''\
OBS = IN + '/observed_tiny.csv'
def base():
    return cg.load_scenario(GOOD).baseline
def est(out, years=(2010, 2020), **kw):
    return cg.estimate(IN + "/census1.csv", IN + "/census2.csv", years, OUT + "/" + out, **kw)
def levels(out, **kw):
    return cg.estimate_levels(IN + "/census1.csv", out_dir=OUT + "/" + out, **kw)
def bt(out, variants):
    s = cg.backtest(GOOD, OBS, OUT + "/" + out, variants=variants, report=False, threads=1)
    return [x["forecast"] for x in s["scores"]]
def cap_memory(mb=1500):
    """An endless iterator read into a list fills memory: end it with MemoryError, not the machine's swap."""
    resource.setrlimit(resource.RLIMIT_AS, (mb * 2 ** 20, resource.RLIM_INFINITY))
class KI:
    """An object whose conversions are interrupted (as Ctrl-C arriving in them)."""
    def __index__(self):
        raise KeyboardInterrupt
    __float__ = __int__ = __index__
class Flip(int):
    """An int whose int() and __index__ answer 3 the first time, -1 after: read once, it is 3."""
    calls = 0
    def __int__(self):
        Flip.calls += 1
        return 3 if Flip.calls == 1 else -1
    __index__ = __int__
class Huge(int):
    """An int subclass whose __int__ and __index__ say 2**40 (its value is another)."""
    def __int__(self):
        return 2 ** 40
    __index__ = __int__
class Hash0(str):
    """A str whose hash is not str's (its equality is)."""
    def __hash__(self):
        return 0
    __eq__ = str.__eq__
'''
PROBE.prelude = PRELUDE
py = PROBE.py


# ---- the jobs' numbers: ints past C's int reached pybind11's listing, 10**400 a bare OverflowError
py('est_step_2p40', 'est("e_step", step=2 ** 40)', BAD, 'step')
py('est_open_age_2p40', 'est("e_open", open_age=2 ** 40)', BAD, 'open_age')
py('est_years_2p40', 'est("e_years", years=(2 ** 40, 2020))', BAD, 'years')
py('est_years_minus_2p63', 'est("e_years2", years=(2010, -2 ** 63))', BAD, 'years')
py('est_year_int_subclass_lies_ok', 'est("e_huge", years=(Huge(2010), 2020))["method"]', ('ok',) + BAD, 'totals|years')
py('est_step_int_subclass_lies', 'est("e_step_huge", step=Huge(5))["method"]', ('ok',) + BAD, 'totals|step')
py('est_natural_growth_10p400', 'est("e_ng", natural_growth_per_1000=10 ** 400)', BAD, 'natural_growth')
py('est_female_share_10p400', 'est("e_fs", female_share=-10 ** 400)', BAD, 'female_share')
# 2147483647:-2147483648: second − first overflowed int and read as one year later
py('est_years_difference_overflows', 'est("e_wrap", years=(2 ** 31 - 1, -2 ** 31))', 'ValueError', 'years')
py('est_mx_filter_none', 'est("e_mxn", mx=IN + "/mx.csv", mx_filter={"sex": None})', 'TypeError', 'mx_filter')
py('est_years_numpy_ok', 'est("e_np", years=np.array([2010, 2020]))["method"]', 'ok', 'totals')
py('levels_open_age_2p63', 'levels("l_open", open_age=2 ** 63)', BAD, 'open_age')
py('levels_srb_10p400', 'levels("l_srb", srb=10 ** 400)', BAD, 'srb')
py('group_split_zones_surrogate', 'cg.estimate_group_split(IN + "/census1.csv", OUT + "/gs_sur", zones="11\\udcff")',
   BAD, 'zones')
py('group_split_zones_nul', 'cg.estimate_group_split(IN + "/census1.csv", OUT + "/gs_nul", zones="11\\x00x")', BAD,
   'zones')

# ---- backtest's variants: a generator was read twice (the second time empty: every variant ran), an endless
# iterator read into a list
py('backtest_variants_generator_unknown', 'bt("bt_gen_nope", (v for v in ["nope"]))', 'ValueError', 'nope')
py('backtest_variants_generator_ok', 'bt("bt_gen_ok", (v for v in ["baseline"]))', 'ok',
   r"RETURNED \['cohortgis', 'no-change', 'constant-share'\]")
py('backtest_variants_endless', 'cap_memory()\nbt("bt_endless", itertools.repeat("more"))', BAD, 'more', timeout=60)
py('backtest_variants_dict_values', 'bt("bt_dict", {"more": 1}.values())', BAD, 'variant')

# ---- ints read twice: the checked value was not the value used
py('seed_int_read_twice', 's = cg.load_scenario(STO)\nref = s.run(threads=1, trajectories=4, seed=3).quantiles\n'
   'Flip.calls = 0\ngot = s.run(threads=1, trajectories=4, seed=Flip(3)).quantiles\ngot.equals(ref)', 'ok',
   'RETURNED True')
py('threads_int_read_twice', 'Flip.calls = 0\ntype(cg.load_scenario(GOOD).run(threads=Flip(3))).__name__', 'ok',
   'Results')
py('trajectories_int_read_twice', 'Flip.calls = 0\ne = cg.load_scenario(STO).run(threads=1, trajectories=Flip(3))\n'
   'e.trajectories().shape[1]', ('ok',) + BAD, 'RETURNED 3$|trajectories')
py('write_threads_int_read_twice', 'Flip.calls = 0\n'
   'cg.write_outputs(GOOD, OUT + "/w_flip", threads=Flip(3))["threads"]',
   'ok', 'RETURNED 3$')

# ---- str subclasses with their own hash as names
py('variants_hash_subclass', 'cg.load_scenario(GOOD).run(threads=1, variants=[Hash0("more")]).variants', 'ok',
   r"RETURNED \['more'\]")
py('results_population_hash_subclass', 'res().population(Hash0("more")).ndim', ('ok', 'KeyError'), 'RETURNED 5|more')
py('add_variant_hash_subclass', 's = cg.load_scenario(GOOD)\ns.add_variant(Hash0("v2"), base=Hash0("more"))\n'
   '[type(n).__name__ for n in s.variants]', 'ok', r"RETURNED \['str', 'str', 'str'\]")

# ---- KeyboardInterrupt and MemoryError raised inside a conversion: not a TypeError "does not convert"
py('odflow_rate_interrupted', 'cg.OdFlow(0, 1, KI())', 'KeyboardInterrupt')
py('odflow_rate_setter_interrupted', 'o = cg.OdFlow(0, 1, 0.1)\no.rate_per_year = KI()\n"accepted"',
   'KeyboardInterrupt')
py('newborn_share_interrupted', 'cg.NewbornRule(0, 1, KI())', 'KeyboardInterrupt')
py('newborn_share_setter_interrupted', 'r = cg.NewbornRule(0, 1, 0.5)\nr.share = KI()\n"accepted"', 'KeyboardInterrupt')
py('external_pairs_persons_interrupted', 'st = cg.StepSchedules()\nst.external_pairs = [(0, 1, KI())]\n"accepted"',
   'KeyboardInterrupt')
py('external_pairs_cell_interrupted', 'st = cg.StepSchedules()\nst.external_pairs = [(KI(), 1, 5.0)]\n"accepted"',
   'KeyboardInterrupt')
py('external_pairs_ok', 'st = cg.StepSchedules()\nst.external_pairs = [(np.int64(0), 1, np.float32(5.0))]\n'
   'st.external_pairs', 'ok', r'RETURNED \[\(0, 1, 5\.0\)\]')
py('odflow_rate_float_raises_memory', 'class M:\n    def __float__(self):\n        raise MemoryError\n'
   'cg.OdFlow(0, 1, M())', 'MemoryError')
py('bp_array_interrupted', 's = base()\nclass A:\n    def __array__(self, dtype=None, copy=None):\n'
   '        raise KeyboardInterrupt\ns.base_population = A()\n"accepted"', 'KeyboardInterrupt')
py('asfr_sequence_interrupted', 'class G:\n    def __len__(self):\n        return 3\n    def __getitem__(self, k):\n'
   '        if k == 1:\n            raise KeyboardInterrupt\n        if k > 2:\n            raise IndexError\n'
   '        return 0.1\nst = cg.StepSchedules()\nst.asfr = G()\n"accepted"', 'KeyboardInterrupt')
py('mortality_array_memory_error', 'st = cg.StepSchedules()\nclass A:\n'
   '    def __array__(self, dtype=None, copy=None):\n'
   '        raise MemoryError\nst.mortality = A()\n"accepted"', ('MemoryError', 'ValueError'))
py('bp_ragged_still_typeerror', 's = base()\ns.base_population = [[1.0], [1.0, 2.0]]\n"accepted"', 'TypeError',
   'base population')

# ---- NumPy masked arrays: the masked (missing) cells were read as their hidden data
py('bp_masked_cell', 's = base()\nb = s.base_population\nm = np.ma.masked_array(b, mask=np.zeros(b.shape, bool))\n'
   'm.mask.flat[0] = True\nm.data.flat[0] = 1e6\ns.base_population = m\nfloat(s.base_population.flat[0])',
   'ValueError', 'mask')
py('asfr_masked_invalid', 'st = cg.StepSchedules()\nst.asfr = np.ma.masked_invalid([0.1, np.nan])\nst.asfr',
   'ValueError',
   'asfr')
py('bp_masked_nothing_ok', 's = base()\nb = s.base_population\ns.base_population = np.ma.masked_array(b * 2)\n'
   'bool((s.base_population == b * 2).all())', 'ok', 'RETURNED True')
py('bp_masked_nomask_ok', 's = base()\nb = s.base_population\n'
   's.base_population = np.ma.masked_array(b, mask=np.ma.nomask)\n'
   'bool((s.base_population == b).all())', 'ok', 'RETURNED True')

# ---- NUL in plot text: Pango drew the text up to the NUL, silently
py('map_title_nul', 'fr().run(threads=1).map(title="Population\\x00 of the west")', 'ValueError', 'title')
py('map_legend_title_nul', 'fr().run(threads=1).map(legend_title="persons\\x00x")', 'ValueError', 'legend_title')
py('pyramid_title_nul', 'res().pyramid(title="A\\x00B").data("png")[:4]', 'ValueError', 'title')
py('lines_title_nul', 'res().lines(title="A\\x00B").data("svg")[:4]', 'ValueError', 'title')
py('add_variant_description_nul', 'cg.load_scenario(GOOD).add_variant("v2", description="low\\x00x")', 'ValueError',
   'description')

# ---- calls into cohortgis from a signal handler, __del__ and threads while a run is in flight
py('signal_handler_runs_during_run', 'inner = []\ndef h(sig, frame):\n'
   '    inner.append(float(cg.load_scenario(GOOD).run(threads=1).population().sum()))\n'
   'signal.signal(signal.SIGALRM, h)\nsignal.setitimer(signal.ITIMER_REAL, 0.01, 0.05)\n'
   'try:\n    e = cg.load_scenario(LONG).run(threads=1, trajectories=20000)\nfinally:\n'
   '    signal.setitimer(signal.ITIMER_REAL, 0)\n(type(e).__name__, len(inner) > 0)', 'ok',
   r"RETURNED \('Ensemble', True\)", timeout=120)
py('signal_handler_writes_during_write', 'busy, done = [], []\ndef h(sig, frame):\n    if busy or done:\n'
   '        return\n'
   '    busy.append(1)\n    try:\n'
   '        done.append(cg.write_outputs(GOOD, OUT + "/sig_inner", threads=1)["out_dir"])\n'
   '    finally:\n        busy.clear()\nsignal.signal(signal.SIGALRM, h)\n'
   'signal.setitimer(signal.ITIMER_REAL, 0.05, 0.05)\n'
   'try:\n    out = cg.write_outputs(GOOD, OUT + "/sig_outer", threads=1)["out_dir"]\nfinally:\n'
   '    signal.setitimer(signal.ITIMER_REAL, 0)\n'
   'left = [x for x in os.listdir(OUT) if x.startswith("sig_") and ".tmp-" in x or ".old-" in x]\n(len(done), left)',
   'ok', r'RETURNED \(1, \[\]\)', timeout=120)
py('del_runs_during_progress', 'inner = []\nclass D:\n    def __del__(self):\n'
   '        inner.append(cg.load_scenario(GOOD).run(threads=1).variants)\n'
   'def cb(d, t):\n    x = D()\n    x.self = x\n    del x\n    gc.collect()\n'
   'r = cg.load_scenario(GOOD).run(threads=1, progress=cb)\n(r.variants, len(inner) > 0)', 'ok',
   r"RETURNED \(\['baseline', 'more'\], True\)")
py('threads_write_one_set_two_folders', 's = cg.load_scenario(GOOD)\ns.baseline.set_tfr(1.2)\nerrs, outs = [], []\n'
   'def w(k):\n    try:\n        outs.append(cg.write_outputs(s, OUT + "/two_%d" % k, threads=1)["total_population"])\n'
   '    except BaseException as e:\n        errs.append(repr(e))\n'
   'ts = [threading.Thread(target=w, args=(k,)) for k in range(2)]\n[t.start() for t in ts]\n[t.join() for t in ts]\n'
   '(errs, len(outs), len(set(map(str, outs))))', 'ok', r'RETURNED \(\[\], 2, 1\)', timeout=120)
py('thread_changes_set_during_write', 's = cg.load_scenario(GOOD)\nstop = threading.Event()\nseen = set()\n'
   'def m():\n    while not stop.is_set():\n        try:\n            s.baseline.set_tfr(1.5)\n'
   '        except RuntimeError as e:\n            seen.add("RuntimeError")\n        time.sleep(0.001)\n'
   'th = threading.Thread(target=m)\nth.start()\ntry:\n'
   '    out = cg.write_outputs(s, OUT + "/changing", threads=1)["out_dir"]\nfinally:\n    stop.set()\n    th.join()\n'
   '(out.endswith("changing"), sorted(seen))', 'ok', r"RETURNED \(True, \['RuntimeError'\]\)", timeout=120)

# ---- a scenario after a write that failed or was interrupted: its setters work again
py('set_after_failed_write', 's = cg.load_scenario(GOOD)\nv = s.add_variant("v2")\nst = v.step_schedules(0)\n'
   'st.mortality_kind = "person_years"\nv.set_step_schedules(0, st)\n'  # refused by the run (no radix_l0)
   'try:\n    cg.write_outputs(s, OUT + "/failed_set", threads=1)\nexcept ValueError:\n    pass\n'
   's.baseline.set_tfr(1.3)\nround(float(s.baseline.total_fertility(1)[0]), 6)', 'ok', r'RETURNED 1\.3$')
py('set_after_interrupted_write', 's = cg.load_scenario(GOOD)\n'
   'def h(sig, frame):\n    raise KeyboardInterrupt\nsignal.signal(signal.SIGALRM, h)\n'
   'signal.setitimer(signal.ITIMER_REAL, 0.2)\n'
   'try:\n    cg.write_outputs(s, OUT + "/interrupted_set", threads=1)\nexcept KeyboardInterrupt:\n    pass\n'
   'signal.setitimer(signal.ITIMER_REAL, 0)\ns.baseline.set_tfr(1.3)\n'
   '(round(float(s.baseline.total_fertility(1)[0]), 6), [x for x in os.listdir(OUT) if ".tmp-" in x or ".old-" in x])',
   'ok', r'RETURNED \(1\.3, \[\]\)')
py('run_after_interrupted_ensemble', 's = cg.load_scenario(LONG)\n'
   'def h(sig, frame):\n    raise KeyboardInterrupt\nsignal.signal(signal.SIGALRM, h)\n'
   'signal.setitimer(signal.ITIMER_REAL, 0.3)\n'
   'try:\n    s.run(threads=2, trajectories=100000)\nexcept KeyboardInterrupt:\n    pass\n'
   'signal.setitimer(signal.ITIMER_REAL, 0)\ns.baseline.set_tfr(1.4)\ntype(s.run(threads=1)).__name__', 'ok',
   'Results', timeout=120)

# ---- paths whose __fspath__ changes, and writes over a user's files
py('figure_save_fspath_changes', 'f = res().pyramid()\nclass P(os.PathLike):\n    n = 0\n    def __fspath__(self):\n'
   '        P.n += 1\n        return OUT + ("/first.png" if P.n == 1 else "/second.png")\n'
   'f.save(P())\nsorted(x for x in os.listdir(OUT) if x.endswith(".png"))', 'ok', r"RETURNED \['first.png'\]")
py('write_outputs_fspath_changes', 'class P(os.PathLike):\n    n = 0\n    def __fspath__(self):\n'
   '        P.n += 1\n        return OUT + ("/wfs_first" if P.n == 1 else "/wfs_second")\n'
   'cg.write_outputs(GOOD, P(), threads=1)\nsorted(x for x in os.listdir(OUT) if x.startswith("wfs_"))', 'ok',
   r"RETURNED \['wfs_first'\]")
py('figure_save_extension_only', 'f = res().pyramid()\nos.chdir(OUT)\ndef g():\n    try:\n        f.save("png")\n'
   '    finally:\n        assert not os.path.exists(OUT + "/png")\ng()', 'ValueError', 'file name')
py('figure_save_over_user_file_in_place_dir', 'f = res().pyramid()\nos.chdir(USER)\n'
   'os.symlink(USER + "/keep.png", OUT + "/alias.png")\nf.save(OUT + "/alias.png")', 'ValueError', 'link')

# ---- Results keyed by what is not a variant name; the compiled classes pickled and copied under every protocol
py('results_int_keys', 'r = res()\ncg.Results({1: r["baseline"]}).population_frame().shape[0] > 0',
   ('ok', 'TypeError', 'ValueError'))
py('pickle_flows_every_protocol', 'out = []\nfor p in range(pickle.HIGHEST_PROTOCOL + 1):\n'
   '    o = pickle.loads(pickle.dumps(cg.OdFlow(0, 1, 0.25, 0), protocol=p))\n'
   '    t = pickle.loads(pickle.dumps(cg.GroupTransition(0, 1, [0.1], [1.0, 2.0]), protocol=p))\n'
   '    n = pickle.loads(pickle.dumps(cg.NewbornRule(0, 1, 0.5), protocol=p))\n'
   '    out.append((o.rate_per_year, tuple(t.zone_multiplier), n.share))\nlen(set(out))', 'ok', 'RETURNED 1$')
py('pickle_run_result_every_protocol', 'r = res()["baseline"]\n'
   'ok = [float(pickle.loads(pickle.dumps(r, protocol=p)).population.sum()) == float(r.population.sum()) '
   'for p in range(pickle.HIGHEST_PROTOCOL + 1)]\nall(ok)', 'ok', 'RETURNED True')
py('deepcopy_step_schedules_independent', 'st = base().step_schedules(0)\nc = copy.deepcopy(st)\n'
   'c.asfr = c.asfr * 2\nbool((st.asfr * 2 == c.asfr).all()) and not bool((st.asfr == c.asfr).all())', 'ok',
   'RETURNED True')
py('copy_scenario_during_run', 's = base()\ncopies = []\n'
   'def cb(d, t):\n    copies.append(copy.deepcopy(s).name)\ncg.run(s, threads=1, progress=cb)\nlen(copies) > 0', 'ok',
   'RETURNED True')
py('ensemble_copy_and_pickle', 'e = cg.load_scenario(STO).run(threads=1, trajectories=3)\nc = copy.deepcopy(e)\n'
   'q = pickle.loads(pickle.dumps(e.quantiles))\nc.quantiles.equals(q)', ('ok', 'TypeError', 'PicklingError'),
   'True|pickle')

# ---- the compiled functions of _cohortgis.pyi called directly: a NUL cut a path, and another file was read
C = 'R = cg._cohortgis\n'
py('compiled_load_scenario_file_nul', C + 'R.load_scenario_file(GOOD + "\\x00junk").runs[0].name', 'ValueError', 'NUL')
py('compiled_load_scenario_file_allow_read_nul', C + 'R.load_scenario_file(GOOD, "", [IN + "\\x00x"]).runs[0].name',
   'ValueError', 'allow_read')
py('compiled_app_run_out_dir_nul', C + 'R.app_run(GOOD, OUT + "/c_run\\x00x", threads=1)', 'ValueError', 'out_dir')
py('compiled_app_estimate_nul', C + 'R.app_estimate(IN + "/census1.csv\\x00x", IN + "/census2.csv", 2010, 2020, '
   'OUT + "/c_est")["method"]', 'ValueError', 'first')
py('compiled_app_backtest_nul', C + 'R.app_backtest(GOOD + "\\x00x", OBS, out_dir=OUT + "/c_bt", threads=1, '
   'report=False)["launch_year"]', 'ValueError', 'scenario')
py('compiled_run_ensemble_nul', C + 'len(R.run_ensemble(cg.load_scenario(STO).runs, STO + "\\x00x", "", 2, 1, 1, []))',
   'ValueError', 'file')
py('compiled_render_lines_title_nul', C + 'R.render_lines([("a", [1.0, 2.0], [1.0, 2.0])], title="A\\x00B")[:4]',
   'ValueError', 'title')
py('compiled_render_choropleth_label_nul', C + 'R.render_choropleth(["a", "b"], ["POLYGON((0 0,1 0,1 1,0 1,0 0))", '
   '"POLYGON((1 0,2 0,2 1,1 1,1 0))"], "EPSG:32650", [1.0, 2.0], labels=["a\\x00x", "b"])[1]', 'ValueError', 'labels')
py('compiled_resolve_data_dir_nul', C + 'R.resolve_data_dir(IN + "\\x00x")', 'ValueError', 'NUL')

# ---- generators that raise midway, as every list argument
py('set_zones_generator_raises', 'def g():\n    yield "A"\n    raise RuntimeError("midway")\n'
   's = cg.Scenario()\ns.set_zones(g())', ('RuntimeError',) + BAD, 'midway|zone')
py('variants_generator_raises', 'def g():\n    yield "baseline"\n    raise RuntimeError("midway")\n'
   'cg.load_scenario(GOOD).run(threads=1, variants=g())', 'RuntimeError', 'midway')
py('components_generator_raises', 'def g():\n    yield "births"\n    raise RuntimeError("midway")\n'
   'def w():\n    try:\n        cg.write_outputs(GOOD, OUT + "/gen_comp", components=g())\n    finally:\n'
   '        assert not os.path.exists(OUT + "/gen_comp")\nw()', ('RuntimeError', 'TypeError'), 'midway|components')
py('allow_read_generator_raises', 'def g():\n    yield IN\n    raise RuntimeError("midway")\n'
   'cg.load_scenario(GOOD, allow_read=g())', ('RuntimeError', 'TypeError'), 'midway|allow_read')

PROBE.finish()
