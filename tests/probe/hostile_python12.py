#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Twelfth Python misuse probe (round 30, helper h194): parts of the public API hostile_python{,2,…,11}.py and the
Python parts of hostile_round*.py do not reach. Each case runs in a fresh interpreter (probe_common.python_case) with
TMPDIR a folder of its own, so a crash, an abort, a hang or a temporary file left behind is seen as such; a raised
message that reads as C++ or pybind11 internals (std::, vector::, _M_range_check, "incompatible function arguments")
is a problem too.
A scenario's aggregates after set_zones gave it fewer zones, other ids or another order (they are kept by zone index);
reserved and repeated names set from Python (a zone 'total', a group 'all', a zone twice, an aggregate named as a
zone, titles of no aggregate); steps of 0 and -1, plan periods reversed or of bools; NumPy, bool and float grid and
step arguments; NaN, inf, -0 and 10**400 paths; run(trajectories=N) with indicators=[] or as a NumPy array or pandas
Series, NumPy seeds and trajectories; write_outputs' format and components and backtest's language as lone
surrogates, NUL, capitals, an empty name; out_dir an existing user file; estimate with equal or reversed years and NaN
or inf shares and growth; estimate_levels' srb of NaN and inf; maps with an unknown method, legend titles of other
types; pyramids of an aggregate the set changed or dropped after the run; RunResult pickled at protocol 0 and with
components by age, _buffer_address of other types; the compiled functions called directly with an int, None or a
lone surrogate where text goes; a scenario changed from another thread while a run waits in its callback, a set's
frames, maps, loads and estimates from threads at once, variants added from a callback; a run, write_outputs and
estimate re-entered from a progress callback; a callback raising ValueError or KeyboardInterrupt, then the same
scenario run again; SIGINT during write_outputs of a long ensemble, during an ensemble, during backtest; fork after a
run (the child runs and writes); sets, scenarios, results and figures used after their parents were collected;
copies and pickles of schedules, flows and results; str, int, float, list, ndarray and DataFrame subclasses that lie;
bools as numbers; lone surrogates in aggregate titles, plan names and indicator names; frames with nullable,
categorical, float-id and duplicated columns, two mortality forms, an extra group; 300,000 zone ids, steps of 10**6.
Findings and their tests: tests/python/test_hostile_python30.py.
Usage: PYTHONPATH=build/python /usr/bin/python3 tests/probe/hostile_python12.py [WORK_DIR] [CASE_PREFIX ...]
(about 12 min on a loaded 2-core VM). Run it in the foreground (tests/probe/README.md)."""
import os, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe_common import EST_FILES, OBS, RAW_PYTHON, PythonProbe  # noqa: E402

PROBE = PythonProbe('cohortgis-hostile-python12-', RAW_PYTHON + r'|_M_range_check|Unable to cast')
IN, OUT, USER = (PROBE.dirs[d] for d in ('in', 'out', 'user'))
for name, text in dict(EST_FILES, **{'obs.csv': OBS}).items():  # two censuses (estimate), observed figures (backtest)
    with open(os.path.join(IN, name), 'w') as f:
        f.write(text)
with open(os.path.join(IN, 'figures.csv'), 'w') as f:  # estimate_levels: an e0 figure of each zone
    f.write('zone,indicator,value\nA,e0,75\nB,e0,78\n')
with open(os.path.join(USER, 'keep.txt'), 'w') as f:
    f.write('a user file\n')

IMPORTS = 'import copy, gc, math, os, pickle, signal, sys, threading, time, warnings\n'
PROBE.prelude = PROBE.cases_prelude(IMPORTS) + '''\
warnings.simplefilter("ignore")
C = cg._cohortgis
def toy():
    """The two-group (local, migrant), two-zone scenario of toy_frames (zones Z000, Z001; aggregate west = Z000)."""
    return fr().baseline
def good_set():
    return cg.load_scenario(GOOD)
def pop(sc):
    return float(cg.run(sc, threads=1)["baseline"].population.sum())
def alarm(seconds):
    """SIGALRM after `seconds`, raising KeyboardInterrupt."""
    def on_alarm(sig, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
def left(d=None):
    """Staging or backup folders left in OUT."""
    return sorted(x for x in os.listdir(d or OUT) if ".tmp-" in x or ".old-" in x)
def while_running(change):
    """sc run on a thread that waits in its first progress call while change(sc) runs here: 'changed' or what it
    raised, and whether the run finished."""
    sc, ev, go, done = toy(), threading.Event(), threading.Event(), []
    def p(d, t):
        if d == 0:
            ev.set()
            go.wait(20)
    th = threading.Thread(target=lambda: done.append(cg.run(sc, threads=1, progress=p)))
    th.start()
    ev.wait(20)
    try:
        change(sc)
        out = "changed"
    except Exception as e:
        out = type(e).__name__ + ": " + str(e)[:70]
    go.set()
    th.join()
    return out, len(done)
SQ = "POLYGON((0 0,1 0,1 1,0 1,0 0))"
SERIES = [("a", [1.0, 2.0], [1.0, 3.0])]
'''
py = PROBE.py

# ---- aggregates are zone indexes: set_zones with fewer zones, other ids or another order
AGG = 'sc = toy()\nsc.aggregates = [("w", ["Z001"])]\n'
py('agg_fewer_zones', AGG + 'sc.set_zones(["Z000"])\nsc.aggregates', 'ValueError', "aggregate 'w'.*Z001")
py('agg_fewer_zones_unchanged', AGG + 'try:\n    sc.set_zones(["Z000"])\nexcept ValueError:\n    pass\n'
   '(sc.zone_ids, sc.aggregates)', 'ok', r"RETURNED \(\['Z000', 'Z001'\], \[\('w', \['Z001'\]\)\]\)")
py('agg_reordered_zones', AGG + 'sc.set_zones(["Z001", "Z000"])\nsc.aggregates', 'ok',
   r"RETURNED \[\('w', \['Z001'\]\)\]")
py('agg_renamed_ids', AGG + 'sc.set_zones(["X", "Y"])', 'ValueError', "aggregate 'w'.*Z001")
py('agg_reordered_run', 'sc = toy()\nsc.aggregates = [("w", ["Z000"])]\nb = sc.base_population\n'
   'sc.set_zones(["Z001", "Z000"], ["one", "zero"])\nsc.base_population = b[::-1].copy()\n'
   'r = cg.run(sc, threads=1)["baseline"]\nu = list(r.unit_names)\n'
   'r.indicators[-1, u.index("w"), -1, 0] == r.indicators[-1, u.index("Z000"), -1, 0]', 'ok', 'RETURNED True')
py('agg_cleared_then_fewer', AGG + 'sc.aggregates = []\nsc.set_zones(["Z000"])\nsc.zone_ids', 'ok',
   r"RETURNED \['Z000'\]")
py('agg_titles_kept', AGG + 'sc.aggregate_titles = {"w": ("西", "West")}\nsc.set_zones(["Z001", "Z000"])\n'
   'sc.aggregate_titles', 'ok', r"RETURNED \{'w': \('西', 'West'\)\}")

# ---- reserved and repeated names set from Python: refused when the run starts
py('name_zone_total', 'sc = toy()\nsc.aggregates = []\nsc.set_zones(["total", "Z001"])\ncg.run(sc, threads=1)',
   'ValueError', 'reserved')
py('name_group_all', 'sc = toy()\nsc.group_names = ["all", "migrant"]\ncg.run(sc, threads=1)', 'ValueError',
   'reserved')
py('name_zone_twice', 'sc = toy()\nsc.aggregates = []\nsc.set_zones(["Z000", "Z000"])\ncg.run(sc, threads=1)',
   'ValueError', 'twice')
py('name_aggregate_is_zone', 'sc = toy()\nsc.aggregates = [("Z000", ["Z001"])]\ncg.run(sc, threads=1)', 'ValueError',
   'also a zone id')
py('name_aggregate_titles_unknown', 'sc = toy()\nsc.aggregate_titles = {"nope": ("a", "b")}\ncg.run(sc, threads=1)',
   'ValueError', 'nope')
py('name_group_twice', 'sc = toy()\nsc.group_names = ["local", "local"]\ncg.run(sc, threads=1)', 'ValueError',
   'twice')

# ---- grid, steps and plan periods: NumPy, bools, floats, 0 and negative
py('num_grid_numpy', 'sc = toy()\nsc.set_grid(np.int64(5), np.uint8(85))\nsc.n_ages', 'ok', 'RETURNED 18')
py('num_grid_bool', 'toy().set_grid(True, 85)', 'TypeError', 'step_years: True')
py('num_grid_float', 'toy().set_grid(5.0, 85)', 'TypeError', r'step_years: 5\.0')
py('num_total_fertility_numpy_neg', 'toy().total_fertility(np.int8(-1))', 'IndexError', 'step -1')
py('num_step_schedules_bool', 'toy().step_schedules(True)', 'TypeError', 'step: True')
py('num_steps_zero', 'sc = toy()\nsc.steps = 0\ncg.run(sc, threads=1)', ('ValueError', 'ok'), '')
py('num_steps_negative', 'sc = toy()\nsc.steps = -1\ncg.run(sc, threads=1)', 'ValueError', 'step')
py('num_steps_million_path', 'sc = toy()\nsc.steps = 10 ** 6\nsc.set_srb(105)', 'ValueError', '')
py('num_base_year_numpy', 'sc = toy()\nsc.base_year = np.int32(2021)\nsc.end_year', 'ok', 'RETURNED 2041')
py('num_tfr_minus_zero', 'sc = toy()\nsc.set_tfr(-0.0)\nfloat(sc.total_fertility(0).max())', 'ok', 'RETURNED 0.0')
py('num_tfr_float32_nan', 'toy().set_tfr(np.float32("nan"))', 'ValueError', 'tfr')
py('num_srb_inf', 'toy().set_srb(float("inf"))', 'ValueError', 'srb')
py('num_tfr_year_nan', 'toy().set_tfr({float("nan"): 1.5})', 'ValueError', 'year nan')
py('num_srb_10_400', 'toy().set_srb(10 ** 400)', 'ValueError', 'srb')
py('num_mean_age_bool_value', 'toy().set_mean_age({2025: True})', 'TypeError', 'mean_age')
py('num_plan_reversed', 'sc = toy()\nsc.plan_periods = [(2030, 2021, "x")]\ncg.run(sc, threads=1)', 'ValueError',
   'plan')
py('num_plan_bool_year', 'setattr(toy(), "plan_periods", [(True, 2025, "x")])', 'TypeError', 'first_year')
py('num_odflow_rate_bool', 'cg.OdFlow(0, 1, True)', 'TypeError', 'rate')
py('num_newborn_share_numpy_bool', 'cg.NewbornRule(0, 1, np.bool_(True))', 'TypeError', 'share')
py('num_transition_group_bool', 'cg.GroupTransition(True, 1, [0.1])', 'TypeError', 'from_group')
py('num_transition_group_numpy_bool', 'cg.GroupTransition(np.True_, 0, [0.1])', 'TypeError', 'from_group')
py('num_step_numpy_bool', 'toy().step_schedules(np.True_)', 'TypeError', 'step: True')
py('num_odflow_rate_numpy_bool', 'cg.OdFlow(0, 1, np.False_)', 'TypeError', 'rate_per_year')
py('num_external_pairs_numpy_bool', 's = toy().step_schedules(0)\nsetattr(s, "external_pairs", [(0, 1, np.True_)])',
   'TypeError', 'external_pairs')

# ---- the ensemble's indicators: none given, NumPy and pandas lists; NumPy seeds and counts
ST = 'cg.load_scenario(STO)'
py('ens_indicators_empty', f'{ST}.run(threads=1, trajectories=2, indicators=[])', 'ValueError',
   'indicators: none given')
py('ens_indicators_empty_function', 'cg.run(toy(), threads=1, trajectories=2, indicators=())', 'ValueError',
   'indicators: none given')
py('ens_indicators_numpy', f'e = {ST}.run(threads=1, trajectories=2, indicators=np.array(["births", "deaths"]))\n'
   'e.trajectories("deaths").shape[1]', 'ok', 'RETURNED 2')
py('ens_indicators_series', f'e = {ST}.run(threads=1, trajectories=2, indicators=pd.Series(["births", "deaths"]))\n'
   'e.trajectories("births").shape[1]', 'ok', 'RETURNED 2')
py('ens_seed_numpy', f'{ST}.run(threads=1, trajectories=2, seed=np.int64(7)).trajectories().shape[1]', 'ok',
   'RETURNED 2')
py('ens_seed_bool', f'{ST}.run(threads=1, trajectories=2, seed=True)', 'TypeError', 'seed')
py('ens_trajectories_numpy_uint', f'{ST}.run(threads=1, trajectories=np.uint8(3)).trajectories().shape[1]', 'ok',
   'RETURNED 3')

# ---- write_outputs and backtest: text arguments the job takes as they are
WO = 'cg.write_outputs(GOOD, OUT + "/{0}", threads=1, {1})'
py('wo_format_surrogate', WO.format('w1', 'format="\\udcff"'), 'ValueError', 'format')
py('wo_format_nul', WO.format('w2', 'format="csv\\0x"'), 'ValueError', 'format')
py('wo_format_capitals', WO.format('w3', 'format="CSV"'), 'ValueError', 'format')
py('wo_components_empty_name', WO.format('w4', 'components="births,,deaths"'), 'ValueError', 'components')
py('wo_components_twice', WO.format('w5', 'components=["births", "births"]') + '["out_dir"].endswith("w5")',
   ('ok', 'ValueError'), 'births|RETURNED True')
py('wo_components_surrogate', WO.format('w6', 'components=["\\udcff"]'), 'ValueError', 'components')
py('wo_out_dir_user_file', 'cg.write_outputs(GOOD, USER + "/keep.txt", threads=1)', 'ValueError', 'keep.txt')
py('wo_set_format_surrogate', 'cg.write_outputs(good_set(), OUT + "/w7", threads=1, format="\\udcff")', 'ValueError',
   'format')
BT = 'cg.backtest(GOOD, IN + "/obs.csv", OUT + "/{0}", threads=1, report=False, {1})'
py('bt_language_surrogate', BT.format('b1', 'language="\\udcff"'), 'ValueError', 'language')
py('bt_language_nul', BT.format('b2', 'language="en\\0"'), 'ValueError', 'language')
py('bt_language_set_surrogate', 'cg.backtest(good_set(), IN + "/obs.csv", OUT + "/b3", report=False, '
   'language="\\udcff")', 'ValueError', 'language')
py('bt_language_klingon', BT.format('b4', 'language="tlh"'), 'ValueError', 'language')

# ---- estimate and estimate_levels: years and numbers the job divides by or multiplies with
EST = 'cg.estimate(IN + "/c1.csv", IN + "/c2.csv", {0}, OUT + "/{1}"{2})'
py('est_years_equal', EST.format('(2000, 2000)', 'e1', ''), 'ValueError', '2000')
py('est_years_reversed', EST.format('(2010, 2000)', 'e2', ''), 'ValueError', '2010')
py('est_female_share_nan', EST.format('(2000, 2010)', 'e3', ', female_share=float("nan")'), 'ValueError',
   'female_share|female')
py('est_female_share_inf', EST.format('(2000, 2010)', 'e4', ', female_share=float("inf")'), 'ValueError',
   'female_share|female')
py('est_female_share_two', EST.format('(2000, 2010)', 'e5', ', female_share=2.0'), 'ValueError', 'female')
py('est_growth_nan', EST.format('(2000, 2010)', 'e6', ', natural_growth_per_1000=float("nan")'), 'ValueError',
   'natural_growth|growth')
py('est_growth_inf', EST.format('(2000, 2010)', 'e7', ', natural_growth_per_1000=-float("inf")'), 'ValueError',
   'natural_growth|growth')
py('est_years_numpy', EST.format('np.array([2000, 2010])', 'e8', '') + '["method"]', 'ok', "RETURNED 'totals'")
py('est_years_bool', EST.format('(True, 2010)', 'e9', ''), 'TypeError', 'years')
LV = 'cg.estimate_levels(IN + "/figures.csv", IN + "/mx.csv", OUT + "/{0}", {1})'
py('lv_srb_nan', LV.format('l1', 'srb=float("nan")'), 'ValueError', 'srb')
py('lv_srb_inf', LV.format('l2', 'srb=float("inf")'), 'ValueError', 'srb')
py('lv_srb_numpy_nan', LV.format('l3', 'srb=np.float64("nan")'), 'ValueError', 'srb')
py('lv_open_age_bool', LV.format('l4', 'open_age=True'), 'TypeError', 'open_age')

# ---- maps and pyramids: methods, legend titles; aggregates the set changed after the run
py('map_method_bogus', 'fr().run(threads=1).map(method="bogus")', 'ValueError', 'bogus')
py('map_method_capitals', 'fr().run(threads=1).map(method="Quantile")', ('ValueError', 'ok'), 'Quantile|RETURNED')
py('map_legend_title_int', 'fr().run(threads=1).map(legend_title=5)', 'TypeError', 'legend_title')
py('map_title_surrogate', 'fr().run(threads=1).map(title="\\udcff")', 'ValueError', 'title')
py('map_minus_numpy_str', 's = fr()\ns.add_variant("v")\nr = s.run(threads=1)\n'
   'r.map(minus=np.str_("baseline"), variant="v").data("svg")[:5]', 'ok', 'RETURNED')
PYR = ('s = fr()\nr = s.run(threads=1)\nseen = []\n'
       'cg._frames._plot.pyramid = lambda st, ol, *a, **k: seen.append([list(x[1]) for x in st])\n')
py('pyr_aggregate_changed_after_run', PYR + 's.baseline.aggregates = [("west", ["Z001"])]\nr.pyramid("west")\n'
   'seen[0][0] == list(r.population()[-1, 0, 0, 0])', 'ok', 'RETURNED True')
py('pyr_aggregate_dropped_after_run', PYR + 's.baseline.aggregates = []\nr.pyramid("west")\nlen(seen)', 'ok',
   'RETURNED 1')
py('pyr_aggregate_added_after_run', PYR + 's.baseline.aggregates = [("west", ["Z000"]), ("east", ["Z001"])]\n'
   'r.pyramid("east")', 'ValueError', "zone 'east'")
py('pyr_zone_numpy_str', PYR + 'r.pyramid(np.str_("Z001"))\nlen(seen)', 'ok', 'RETURNED 1')

# ---- RunResult: pickles, copies, _buffer_address
RR = 'r = cg.run(toy(), threads=1, components_by_age=True)["baseline"]\n'
py('rr_pickle_protocol0', RR + 'r2 = pickle.loads(pickle.dumps(r, protocol=0))\n'
   'bool((r2.population == r.population).all())', 'ok', 'RETURNED True')
py('rr_pickle_components_by_age', RR + 'r2 = pickle.loads(pickle.dumps(r))\n'
   'sorted(r2.components_by_age) == sorted(r.components_by_age) and '
   'all((r2.components_by_age[k] == v).all() for k, v in r.components_by_age.items())', 'ok', 'RETURNED True')
py('rr_deepcopy_indicators', RR + 'r2 = copy.deepcopy(r)\nbool(np.array_equal(r2.indicators, r.indicators, '
   'equal_nan=True))', 'ok', 'RETURNED True')
py('rr_buffer_address_int', RR + 'r._buffer_address(5)', 'TypeError', 'name')
py('rr_buffer_address_unknown', RR + 'r._buffer_address("nope")', 'ValueError', 'nope')
py('rr_results_from_pickles', 'r = fr().run(threads=1)\nruns = pickle.loads(pickle.dumps(dict(r)))\n'
   'bool(cg.Results(runs).population_frame()["population"].equals(r.population_frame()["population"]))', 'ok',
   'RETURNED True')

# ---- the compiled functions called directly with an int, None or a lone surrogate where text goes
py('c_load_file_int', 'C.load_scenario_file(5)', 'TypeError', 'scenario')
py('c_load_file_data_dir_none', 'C.load_scenario_file(GOOD, None)', 'TypeError', 'data_dir')
py('c_load_text_int', 'C.load_scenario_text(5, "x", "", {})', 'TypeError', 'text')
py('c_app_run_threads_str', 'C.app_run(GOOD, OUT + "/c1", "1")', 'TypeError', 'threads')
py('c_app_run_format_int', 'C.app_run(GOOD, OUT + "/c2", 1, format=5)', 'TypeError', 'format')
py('c_run_threads_float', 'C.run(toy(), 1.5)', 'TypeError', 'threads')
py('c_run_scenario_int', 'C.run(5)', 'TypeError', 'scenario')
py('c_lines_title_int', 'C.render_lines(SERIES, title=5)', 'TypeError', 'title')
py('c_lines_width_str', 'C.render_lines(SERIES, width_px="900")', 'TypeError', 'width_px')
py('c_choro_crs_none', 'C.render_choropleth(["a"], [SQ], None, [1.0])', 'TypeError', 'crs')
py('c_pyramid_divisor_str', 'C.render_pyramid([("a", [1.0], [1.0])], age_labels=["0+"], axis_divisor="2")',
   'TypeError', 'axis_divisor')
py('c_resolve_data_dir_int', 'C.resolve_data_dir(5)', 'TypeError', 'configured|data_dir')
py('c_estimate_first_int', 'C.app_estimate(5, IN + "/c2.csv", 2000, 2010, OUT + "/c3")', 'TypeError', 'first')
py('c_estimate_year_str', 'C.app_estimate(IN + "/c1.csv", IN + "/c2.csv", "2000", 2010, OUT + "/c4")', 'TypeError',
   'first_year')
py('c_group_split_prefix_int', 'C.app_estimate_group_split(IN + "/c1.csv", OUT + "/c5", zone_prefix=5)',
   'TypeError', 'zone_prefix')
py('c_zone_geometry_int', 'C.zone_geometry(5, ["A"])', 'TypeError', 'scenario_set')
py('c_run_ensemble_file_int', 'C.run_ensemble([toy()], 5, "", 2, 1, 1, [])', 'TypeError', 'file')
py('c_backtest_language_surrogate', 'C.app_backtest(GOOD, IN + "/obs.csv", out_dir=OUT + "/c6", '
   'language="\\udcff")', 'ValueError', 'language')
py('c_check_ensemble_seed_str', 'C.check_ensemble([toy()], 2, "1", [])', 'TypeError', 'seed')

# ---- a scenario changed from another thread while its run waits in the progress callback
py('thr_set_zones_while_running', 'while_running(lambda sc: sc.set_zones(["Q", "R"]))', 'ok',
   r"RETURNED \(.RuntimeError: scenario 'toy' .*being projected.*, 1\)")
py('thr_aggregates_while_running', 'while_running(lambda sc: setattr(sc, "aggregates", []))', 'ok',
   r"RETURNED \(.RuntimeError.*being projected.*, 1\)")
py('thr_step_schedules_while_running', 'while_running(lambda sc: sc.set_step_schedules(0, sc.step_schedules(1)))',
   'ok', r"RETURNED \(.RuntimeError.*being projected.*, 1\)")
py('thr_set_grid_while_running', 'while_running(lambda sc: sc.set_grid(1, 100))', 'ok',
   r"RETURNED \(.RuntimeError.*being projected.*, 1\)")
py('thr_reading_while_running', 'while_running(lambda sc: (sc.aggregates, sc.base_population.sum(), '
   'sc.step_schedules(0).asfr.sum()))', 'ok', r"RETURNED \('changed', 1\)")
py('thr_frames_concurrent', 'r = fr().run(threads=1)\nout = []\n'
   'ts = [threading.Thread(target=lambda: out.append(r.population_frame()["population"].sum())) for _ in range(4)]\n'
   '[t.start() for t in ts]\n[t.join() for t in ts]\nlen(set(out)) == 1 and len(out) == 4', 'ok', 'RETURNED True')
py('thr_maps_concurrent', 'r = fr().run(threads=1)\nout = []\n'
   'ts = [threading.Thread(target=lambda: out.append(r.map().data("png"))) for _ in range(4)]\n'
   '[t.start() for t in ts]\n[t.join() for t in ts]\nlen(set(out)) == 1 and len(out) == 4', 'ok', 'RETURNED True')
py('thr_load_run_concurrent', 'out = []\n'
   'ts = [threading.Thread(target=lambda: out.append(float(good_set().run(threads=1).population().sum()))) '
   'for _ in range(4)]\n[t.start() for t in ts]\n[t.join() for t in ts]\nlen(set(out)) == 1 and len(out) == 4', 'ok',
   'RETURNED True')
py('thr_estimate_concurrent', 'out = []\n'
   'ts = [threading.Thread(target=lambda k=k: out.append(cg.estimate(IN + "/c1.csv", IN + "/c2.csv", (2000, 2010), '
   'OUT + "/te%d" % k)["method"])) for k in range(3)]\n[t.start() for t in ts]\n[t.join() for t in ts]\nout', 'ok',
   r"RETURNED \['totals', 'totals', 'totals'\]")
py('thr_add_variant_from_callback', 's = good_set()\nn = []\ndef p(d, t):\n    if not n:\n'
   '        n.append(s.add_variant("late"))\nr = s.run(threads=1, progress=p)\n(r.variants, s.variants)', 'ok',
   r"RETURNED \(\['baseline', 'more'\], \['baseline', 'more', 'late'\]\)")

# ---- progress callbacks re-entering the module
py('cb_run_copy_inside', 'sc = toy()\nn = []\ndef p(d, t):\n    if not n:\n        n.append(pop(sc.copy()))\n'
   'r = cg.run(sc, threads=1, progress=p)\nabs(n[0] - float(r.population().sum())) < 1e-6', 'ok', 'RETURNED True')
py('cb_write_outputs_inside', 'n = []\ndef p(d, t):\n    if not n:\n'
   '        n.append(cg.write_outputs(GOOD, OUT + "/nested", threads=1)["out_dir"])\n'
   'good_set().run(threads=1, progress=p)\n(os.path.basename(n[0]), left())', 'ok', r"RETURNED \('nested', \[\]\)")
py('cb_estimate_inside', 'n = []\ndef p(d, t):\n    if not n:\n'
   '        n.append(cg.estimate(IN + "/c1.csv", IN + "/c2.csv", (2000, 2010), OUT + "/cbe")["method"])\n'
   'cg.run(toy(), threads=1, progress=p)\nn', 'ok', r"RETURNED \['totals'\]")
py('cb_set_tfr_on_running', 'sc = toy()\ndef p(d, t):\n    sc.set_tfr(2.0)\ncg.run(sc, threads=1, progress=p)',
   'RuntimeError', 'being projected')
py('cb_set_zones_on_running', 'sc = toy()\ndef p(d, t):\n    sc.set_zones(["a", "b"])\n'
   'cg.run(sc, threads=1, progress=p)', 'RuntimeError', 'being projected')
py('cb_value_error_then_rerun', 'sc = toy()\nfirst = pop(sc)\ndef p(d, t):\n    if d == 1:\n'
   '        raise ValueError("stop")\ntry:\n    cg.run(sc, threads=1, progress=p)\nexcept ValueError:\n    pass\n'
   'pop(sc) == first', 'ok', 'RETURNED True')
py('cb_interrupt_then_rerun', 'sc = toy()\nfirst = pop(sc)\ndef p(d, t):\n    if d == 1:\n'
   '        raise KeyboardInterrupt\ntry:\n    cg.run(sc, threads=1, progress=p)\nexcept KeyboardInterrupt:\n    pass\n'
   '(pop(sc) == first, sc.base_population.sum() > 0)', 'ok', r'RETURNED \(True, True\)')
py('cb_interrupt_then_set_changed', 'sc = toy()\ndef p(d, t):\n    raise KeyboardInterrupt\ntry:\n'
   '    cg.run(sc, threads=1, progress=p)\nexcept KeyboardInterrupt:\n    pass\nsc.set_tfr(2.0)\nsc.name = "after"\n'
   'sc.name', 'ok', "RETURNED 'after'")
py('cb_gc_collect_inside', 'def p(d, t):\n    gc.collect()\n'
   'float(cg.run(toy(), threads=1, progress=p).population().sum()) > 0', 'ok', 'RETURNED True')
py('cb_drop_set_inside', 'g = {"s": good_set()}\ndef p(d, t):\n    g.clear()\n    gc.collect()\n'
   'r = g["s"].run(threads=1, progress=p)\nr.variants', 'ok', r"RETURNED \['baseline', 'more'\]")

# ---- Ctrl-C (SIGINT raised as KeyboardInterrupt) during write_outputs, an ensemble, backtest
py('ki_write_outputs_long', 'alarm(1.0)\ntry:\n    cg.write_outputs(LONG, OUT + "/kl", threads=1, format="csv")\n'
   '    r = "finished"\nexcept KeyboardInterrupt:\n    r = "interrupted"\n(r, os.path.exists(OUT + "/kl"), left())',
   'ok', r"RETURNED \('interrupted', False, \[\]\)", timeout=120)
py('ki_ensemble_then_rerun', 's = cg.load_scenario(LONG)\nfirst = float(s.run(threads=1).population().sum())\n'
   'alarm(1.0)\ntry:\n    s.run(threads=1, trajectories=200000)\nexcept KeyboardInterrupt:\n    pass\n'
   'signal.setitimer(signal.ITIMER_REAL, 0)\nfloat(s.run(threads=1).population().sum()) == first', 'ok',
   'RETURNED True', timeout=120)
py('ki_backtest_early', 'alarm(0.05)\ntry:\n'
   '    cg.backtest(GOOD, IN + "/obs.csv", OUT + "/kb", threads=1)\n    r = "finished"\n'
   'except KeyboardInterrupt:\n    r = "interrupted"\nsignal.setitimer(signal.ITIMER_REAL, 0)\n'
   '(os.path.exists(OUT + "/kb") == (r == "finished"), left())', 'ok', r"RETURNED \(True, \[\]\)")

# ---- fork after a run: the child runs and writes, the parent goes on
py('fork_child_runs', 'first = pop(toy())\npid = os.fork()\nif pid == 0:\n'
   '    os._exit(0 if pop(toy()) == first else 3)\nos.waitpid(pid, 0)[1]', 'ok', 'RETURNED 0')
py('fork_child_writes', 'pop(toy())\npid = os.fork()\nif pid == 0:\n'
   '    cg.write_outputs(GOOD, OUT + "/fw", threads=1)\n    os._exit(0)\n'
   '(os.waitpid(pid, 0)[1], os.path.exists(OUT + "/fw/manifest.json"), pop(toy()) > 0)', 'ok',
   r'RETURNED \(0, True, True\)')
py('fork_frames_child_writes', 's = fr()\npid = os.fork()\nif pid == 0:\n'
   '    cg.write_outputs(s, OUT + "/ff", threads=1, format="csv")\n    os._exit(0)\n'
   '(os.waitpid(pid, 0)[1], os.path.exists(OUT + "/ff/results.gpkg"))', 'ok', r'RETURNED \(0, True\)')

# ---- parents collected while children live
py('gc_baseline_of_collected_set', 'sc = good_set().baseline\ngc.collect()\npop(sc) > 0', 'ok', 'RETURNED True')
py('gc_runs_of_collected_loaded', 'runs = C.load_scenario_file(GOOD).runs\ngc.collect()\n[r.variant for r in runs]',
   'ok', r"RETURNED \['baseline', 'more'\]")
py('gc_schedules_of_collected_scenario', 's = toy().step_schedules(0)\ngc.collect()\nfloat(s.asfr.sum()) > 0', 'ok',
   'RETURNED True')
py('gc_figure_of_collected_results', 'f = good_set().run(threads=1).pyramid()\ngc.collect()\n'
   'f.data("svg")[:4]', 'ok', "RETURNED b'<svg|RETURNED b'<\\?xm")
py('gc_zones_frame_after_set_dropped', 'r = fr().run(threads=1)\ngc.collect()\nlen(r.zones_frame())', 'ok',
   'RETURNED 2')
py('gc_variant_of_collected_set', 'v = good_set()["more"]\ngc.collect()\nv.variant', 'ok', "RETURNED 'more'")
py('gc_indicators_view_after_all', 'a = good_set().run(threads=1)["baseline"].indicators\ngc.collect()\n'
   'a.shape[0]', 'ok', 'RETURNED 3')

# ---- copies and pickles
py('cp_schedules_pickle', 'pickle.dumps(toy().step_schedules(0))', 'TypeError',
   'cannot pickle cohortgis.StepSchedules')
py('cp_schedules_deepcopy_independent', 's = toy().step_schedules(0)\nt = copy.deepcopy(s)\n'
   't.srb = t.srb * 1.01\nbool((s.srb != t.srb).all())', 'ok', 'RETURNED True')
py('cp_odflow_protocol0', 'f = cg.OdFlow(0, 1, 0.01, 1)\ng = pickle.loads(pickle.dumps(f, 0))\n'
   '(g.origin, g.destination, g.rate_per_year, g.group)', 'ok', r'RETURNED \(0, 1, 0\.01, 1\)')
py('cp_deepcopy_set_write', 's = copy.deepcopy(good_set())\ncg.write_outputs(s, OUT + "/dc", threads=1, '
   'format="csv")["out_dir"].endswith("dc")', 'ok', 'RETURNED True')
py('cp_deepcopy_results_map', 'r = copy.deepcopy(fr().run(threads=1))\nr.map().data("png")[:4]', 'ok',
   r"RETURNED b'\\x89PNG'")
py('cp_scenario_deepcopy_memo', 'sc = toy()\nd = copy.deepcopy([sc, sc])\nd[0] is d[1]', 'ok', 'RETURNED True')

# ---- subclasses that lie
py('lie_str_str_name', 'class S(str):\n    def __str__(self):\n        return "other"\nsc = toy()\nsc.name = S("x")\n'
   'sc.name', 'ok', "RETURNED 'x'")
py('lie_int_index_step', 'class I(int):\n    n = 0\n    def __index__(self):\n        I.n += 1\n'
   '        return 0 if I.n == 1 else 99\ntoy().step_schedules(I(0)).asfr.size > 0', 'ok', 'RETURNED True')
py('lie_float_float_tfr', 'class F(float):\n    def __float__(self):\n        return 99.0\ntoy().set_tfr(F(1.5))',
   ('ValueError', 'ok'), 'tfr|RETURNED')
py('lie_list_iter_zones', 'class L(list):\n    def __iter__(self):\n        return iter(["Q", "R", "S"])\n'
   'sc = toy()\nsc.aggregates = []\nsc.set_zones(L(["Q", "R"]))\nsc.zone_ids', ('ok', 'ValueError'),
   r"RETURNED \[|zone ids: iterating it gives more than the 2 items")
py('lie_dict_items_titles', 'class D(dict):\n    def items(self):\n        return [("zz", ("a", "b"))]\n'
   'sc = toy()\nsc.aggregate_titles = D({"west": ("W", "W")})\nsc.aggregate_titles', 'ok', r"RETURNED \{'west'")
py('lie_ndarray_len_base', 'class A(np.ndarray):\n    def __len__(self):\n        return 0\nsc = toy()\n'
   'sc.base_population = sc.base_population.view(A)\npop(sc) > 0', 'ok', 'RETURNED True')
py('lie_str_eq_indicator_values', 'class S(str):\n    def __eq__(self, o):\n        return True\n'
   '    __hash__ = str.__hash__\nr = fr().run(threads=1)\n'
   'r.indicator_values(S("births")).name', 'ok', "RETURNED 'births'")
py('lie_dataframe_len', 'd = toy_frames(zones=2, migration=False)\nclass F(pd.DataFrame):\n'
   '    def __len__(self):\n        return 0\nd["fertility"] = F(d["fertility"])\ncg.scenario_from_frames(**d)',
   ('ValueError', 'ok'), 'fertility|RETURNED')
py('lie_index_raises_classes', 'class I(int):\n    def __index__(self):\n        raise RuntimeError("no")\n'
   'fr().run(threads=1).map(classes=I(5)).data("png")[:4]', ('ok', 'RuntimeError'), '')

# ---- lone surrogates in titles, plans and names
py('utf_aggregate_title', 'setattr(toy(), "aggregate_titles", {"west": ("\\udcff", "")})', 'ValueError',
   'aggregate_titles')
py('utf_plan_name', 'setattr(toy(), "plan_periods", [(2021, 2025, "\\udcff")])', 'ValueError', 'plan')
py('utf_check_name', 'C.check_name("\\udcff", "x")', 'ValueError', 'name')
py('utf_indicator_values', 'res().indicator_values("\\udcff")', 'ValueError', 'indicator')
py('utf_group_split_zones', 'cg.estimate_group_split(IN + "/c1.csv", OUT + "/gs", zones="\\udcff")', 'ValueError',
   'zones')

# ---- frames: nullable, categorical, float ids, duplicated columns, two mortality forms, an extra group
py('fr_nullable_age_na', 'd = toy_frames(zones=2, migration=False)\nb = d["base_population"]\n'
   'b["age"] = b["age"].astype("Int64")\nb.loc[3, "age"] = pd.NA\ncg.scenario_from_frames(**d)', 'ValueError',
   "base_population: row 3.*age")
py('fr_categorical_population', 'd = toy_frames(zones=2, migration=False)\nb = d["base_population"]\n'
   'b["population"] = b["population"].round().astype("category")\nlen(cg.scenario_from_frames(**d).baseline.zone_ids)',
   ('ok', 'ValueError'), 'RETURNED 2|population')
py('fr_float_zone_ids', 'd = toy_frames(zones=2, migration=False)\nd["aggregates"] = None\n'
   'd["zones"] = pd.DataFrame({"id": [1.0, 2.0]})\nb = d["base_population"]\n'
   'b["zone"] = b["zone"].map({"Z000": 1, "Z001": 2})\ncg.scenario_from_frames(**d)', ('ValueError', 'ok'),
   "zone|RETURNED")
py('fr_duplicate_columns', 'd = toy_frames(zones=2, migration=False)\nm = d["mortality"]\n'
   'd["mortality"] = pd.concat([m, m[["mx"]]], axis=1)\ncg.scenario_from_frames(**d)', 'ValueError',
   "mortality: column 'mx' appears twice")
py('fr_two_mortality_forms', 'd = toy_frames(zones=2, migration=False)\nm = d["mortality"]\nm["qx"] = 0.5\n'
   'cg.scenario_from_frames(**d)', ('ValueError', 'ok'), 'qx|RETURNED')
py('fr_extra_group', 'd = toy_frames(zones=2, migration=False)\nd["groups"] = ["local", "migrant", "extra"]\n'
   'cg.scenario_from_frames(**d).baseline.group_names', ('ok', 'ValueError'), 'extra')
py('fr_aggregate_numpy_members', 'd = toy_frames(zones=2, migration=False)\n'
   'd["aggregates"] = {"w": np.array(["Z000"])}\ncg.scenario_from_frames(**d).baseline.aggregates', 'ok',
   r"RETURNED \[\('w', \['Z000'\]\)\]")
py('fr_aggregate_empty', 'd = toy_frames(zones=2, migration=False)\nd["aggregates"] = {"w": []}\n'
   'cg.scenario_from_frames(**d)', 'ValueError', "aggregates: 'w'")
py('fr_srb_series_text_years', 'd = toy_frames(zones=2, migration=False)\n'
   'd["srb"] = pd.Series({"2025": 105.0, "2040": 106.0})\nlen(cg.scenario_from_frames(**d).runs)', 'ok', 'RETURNED 1')
py('fr_sex_categorical_unused', 'd = toy_frames(zones=2, migration=False)\nb = d["base_population"]\n'
   'b["sex"] = pd.Categorical(b["sex"], categories=["female", "male", "other"])\n'
   'len(cg.scenario_from_frames(**d).runs)', 'ok', 'RETURNED 1')

# ---- very large sizes
py('big_zone_ids', 'sc = toy()\nsc.aggregates = []\nsc.set_zones(["z%d" % k for k in range(300000)])\n'
   'len(sc.zone_ids)', 'ok', 'RETURNED 300000')
py('big_assumption', 'sc = toy()\nsc.assumptions = ["x" * 10 ** 7]\nlen(sc.assumptions[0])', 'ok', 'RETURNED 10000000')
py('big_year_index', 'res().indicator_values("population", year=2 ** 63)', 'ValueError', 'year')
py('big_plan_periods', 'sc = toy()\nsc.plan_periods = [(2021, 2025, "p%d" % k) for k in range(100000)]\n'
   'len(sc.plan_periods)', 'ok', 'RETURNED 100000')

PROBE.finish()
