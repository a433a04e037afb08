#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Eleventh Python misuse probe (round 29, helper h185): parts of the public API hostile_python{,2,…,10}.py and the
Python parts of hostile_round*.py do not reach. Each case runs in a fresh interpreter (probe_common.python_case) with
TMPDIR a folder of its own, so a crash, an abort, a hang or a temporary file left behind is seen as such; a raised
message that reads as C++ or pybind11 internals (std::, vector::, bad_alloc, "Unable to cast") is a problem too.
The compiled functions of _cohortgis.pyi called directly with list subclasses whose __len__ says 2^62, 2^40 or 0
(validate_runs, render_lines, render_pyramid, render_choropleth, load_scenario_file, load_scenario_text, run_ensemble,
app_run, app_run_set, app_estimate, app_estimate_levels, app_backtest, zone_geometry), with series of two items,
numbers that are text, bools or None, names that are ints, runs that are ints, a `loaded` that is no set, filter pairs
of three items, and a choropleth's classes and legend_decimals out of the command line's range; Scenario.language
unknown, in capitals, as a name, of another type, set during a run, copied; ScenarioSet.run and run with
trajectories and a bad indicator, trajectories 0, 2^63, text or a float, a seed of -1 or 2^31, an indicator twice or a
str, each watched by a progress callback (nothing may run before the refusal), and a run after such a refusal;
variants=[] and indicators=[] given to the frames, to_xarray and backtest; a pyramid's compare_year as a float;
Figure titles of other types. Findings and their tests: tests/python/test_hostile_python29.py.
Usage: PYTHONPATH=build/python /usr/bin/python3 tests/probe/hostile_python11.py [WORK_DIR] [CASE_PREFIX ...]
(about 4 min on a loaded 2-core VM). Run it in the foreground (tests/probe/README.md)."""
import os, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe_common import EST_FILES, RAW_PYTHON, PythonProbe  # noqa: E402

PROBE = PythonProbe('cohortgis-hostile-python11-', RAW_PYTHON + '|vector::reserve|std::bad_alloc|Unable to cast',
                    long=False)
IN, OUT, USER = (PROBE.dirs[d] for d in ('in', 'out', 'user'))
for name, text in EST_FILES.items():  # two censuses of zone totals (estimate)
    with open(os.path.join(IN, name), 'w') as f:
        f.write(text)
with open(os.path.join(USER, 'keep.txt'), 'w') as f:
    f.write('a user file\n')

IMPORTS = 'import copy, os, pickle, signal, sys, threading, warnings\n'
PROBE.prelude = PROBE.cases_prelude(IMPORTS) + '''\
warnings.simplefilter("ignore")
C = cg._cohortgis
class LongLie(list):
    def __len__(self):
        return 2 ** 62
class HugeLie(list):
    def __len__(self):
        return 2 ** 40
class ShortLie(list):
    def __len__(self):
        return 0
def toy():
    """The two-group (local, migrant), two-zone scenario of toy_frames."""
    return fr().baseline
def good_set():
    return cg.load_scenario(GOOD)
SERIES = [("a", [1.0, 2.0], [1.0, 3.0])]
SQ = "POLYGON((0 0,1 0,1 1,0 1,0 0))"
SQ2 = "POLYGON((1 0,2 0,2 1,1 1,1 0))"
def png(b):
    return isinstance(b, bytes) and b[:4] == b"\\x89PNG"
def choro(**kw):
    a = dict(ids=["a", "b"], wkt=[SQ, SQ2], crs="EPSG:4326", values=[1.0, 2.0])
    a.update(kw)
    return png(C.render_choropleth(**a)[0])
def watched(call):
    """call(progress) run; (the progress calls it made, the exception's type and its message's start)."""
    calls = []
    try:
        call(lambda done, total: calls.append(done))
        return (calls, "returned")
    except Exception as e:
        return (calls, type(e).__name__, str(e)[:60])
'''
py = PROBE.py

# ---- validate_runs called directly: lists that lie about their length, items that are no Scenario
py('c_validate_runs_long', 'C.validate_runs(LongLie([cg.Scenario()]))', 'ValueError', 'no zones')
py('c_validate_runs_huge', 'C.validate_runs(HugeLie([cg.Scenario()]))', 'ValueError', 'no zones')
py('c_validate_runs_short', 'C.validate_runs(ShortLie([cg.Scenario()]))', 'ValueError',
   'runs: iterating it gives more than the 0 items')
py('c_validate_runs_item_int', 'C.validate_runs([5])', 'TypeError', 'runs: row 0')
py('c_validate_runs_none', 'C.validate_runs(None)', 'TypeError', 'runs: expected a list')
py('c_validate_runs_toy_long', 'C.validate_runs(LongLie([toy()]))', 'ok', 'RETURNED None')

# ---- render_lines: series read by their items
py('c_lines_long', 'png(C.render_lines(LongLie(SERIES)))', 'ok', 'RETURNED True')
py('c_lines_huge', 'png(C.render_lines(HugeLie(SERIES)))', 'ok', 'RETURNED True')
py('c_lines_short', 'C.render_lines(ShortLie(SERIES))', 'ValueError', 'series: iterating it gives more than the 0')
py('c_lines_x_long', 'png(C.render_lines([("a", LongLie([1.0, 2.0]), [1.0, 3.0])]))', 'ok', 'RETURNED True')
py('c_lines_y_short', 'C.render_lines([("a", [1.0, 2.0], ShortLie([1.0, 3.0]))])', 'ValueError', 'series 0, y')
py('c_lines_two_items', 'C.render_lines([("a", [1.0, 2.0])])', 'ValueError',
   r'series 0: 2 items; expected \(name, x, y\)')
py('c_lines_value_text', 'C.render_lines([("a", [1.0, "2"], [1.0, 3.0])])', 'TypeError', 'series 0, x 1')
py('c_lines_value_bool', 'C.render_lines([("a", [1.0, 2.0], [True, 3.0])])', 'TypeError', 'series 0, y 0')
py('c_lines_value_none', 'C.render_lines([("a", [1.0, None], [1.0, 3.0])])', 'TypeError', 'series 0, x 1')
py('c_lines_name_int', 'C.render_lines([(5, [1.0, 2.0], [1.0, 3.0])])', 'TypeError', 'series 0, name')
py('c_lines_numpy', 'png(C.render_lines([("a", np.arange(3.0), np.arange(3.0) ** 2)]))', 'ok', 'RETURNED True')
py('c_lines_numpy_int', 'png(C.render_lines([("a", np.arange(3), np.arange(3))]))', 'ok', 'RETURNED True')
py('c_lines_str', 'C.render_lines("abc")', 'TypeError', 'series: expected a list')
py('c_lines_float_mutated', 'class F(float):\n    def __float__(self):\n        xs.clear()\n        return 2.0\n'
   'xs = [1.0, F(2.0), 3.0]\npng(C.render_lines([("a", xs, [1.0, 2.0, 3.0])]))', 'ok', 'RETURNED True')

# ---- render_pyramid: stacked, outline and age labels
PYR = '[("a", [1.0, 2.0], [2.0, 1.0])]'
py('c_pyramid_long', f'png(C.render_pyramid(LongLie({PYR}), age_labels=["0", "5+"]))', 'ok', 'RETURNED True')
py('c_pyramid_outline_short', f'C.render_pyramid({PYR}, ShortLie({PYR}), age_labels=["0", "5+"])', 'ValueError',
   'outline: iterating')
py('c_pyramid_labels_long', f'png(C.render_pyramid({PYR}, age_labels=LongLie(["0", "5+"])))', 'ok', 'RETURNED True')
py('c_pyramid_labels_short', f'C.render_pyramid({PYR}, age_labels=ShortLie(["0", "5+"]))', 'ValueError',
   'age_labels: iterating')
py('c_pyramid_female_huge', 'png(C.render_pyramid([("a", HugeLie([1.0, 2.0]), [2.0, 1.0])], age_labels=["0", "5+"]))',
   'ok', 'RETURNED True')
py('c_pyramid_male_text', 'C.render_pyramid([("a", [1.0, 2.0], [2.0, "1"])], age_labels=["0", "5+"])', 'TypeError',
   'stacked 0, male 1')
py('c_pyramid_label_int', f'C.render_pyramid({PYR}, age_labels=["0", 5])', 'TypeError', 'age_labels 1')

# ---- render_choropleth: ids, geometries, values, labels; classes and decimals in the command line's range
py('c_choro_ids_long', 'choro(ids=LongLie(["a", "b"]))', 'ok', 'RETURNED True')
py('c_choro_wkt_huge', 'choro(wkt=HugeLie([SQ, SQ2]))', 'ok', 'RETURNED True')
py('c_choro_values_short', 'choro(values=ShortLie([1.0, 2.0]))', 'ValueError', 'values: iterating')
py('c_choro_labels_long', 'choro(labels=LongLie(["A", "B"]))', 'ok', 'RETURNED True')
py('c_choro_values_none', 'choro(values=[None, 2.0])', 'TypeError', 'values 0')
py('c_choro_values_numpy', 'choro(values=np.array([1.0, np.nan]))', 'ok', 'RETURNED True')
py('c_choro_classes_100', 'choro(classes=100)', 'ValueError',
   'classes: 100 is out of range; expected an int from 1 to 9')
py('c_choro_classes_0', 'choro(classes=0)', 'ValueError', 'classes: 0 is out of range')
py('c_choro_classes_1', 'choro(classes=1)', 'ok', 'RETURNED True')
py('c_choro_classes_float', 'choro(classes=5.0)', 'TypeError', r'classes: 5\.0 \(float\) is not an int')
py('c_choro_classes_numpy', 'choro(classes=np.int64(4))', 'ok', 'RETURNED True')
py('c_choro_decimals_negative', 'choro(legend_decimals=-3)', 'ValueError', 'legend_decimals: -3 is out of range')
py('c_choro_decimals_21', 'choro(legend_decimals=21)', 'ValueError', 'legend_decimals: 21')
py('c_choro_ids_int', 'choro(ids=["a", 2])', 'TypeError', 'ids 1')

# ---- the loaders and jobs called directly: path lists, filters, runs
py('c_load_allow_read_long', 'C.load_scenario_file(GOOD, "", LongLie([IN])).runs[0].variant', 'ok',
   "RETURNED 'baseline'")
py('c_load_allow_read_short', 'C.load_scenario_file(GOOD, "", ShortLie([IN]))', 'ValueError', 'allow_read: iterating')
py('c_load_allow_db_huge', 'len(C.load_scenario_file(GOOD, "", [], HugeLie([])).runs)', 'ok', 'RETURNED 2')
py('c_load_allow_read_bytes', 'C.load_scenario_file(GOOD, "", [b"/tmp"])', 'TypeError', 'allow_read 0: expected a str')
# Round 30 (h196's tables_of): the columns read by their items, as every other list here (a len() that says more
# than the items is not believed, c_ensemble_indicators_long); the empty text is then what is refused.
py('c_load_text_tables_lie', 'C.load_scenario_text("", "x", "", {"t": (LongLie(["a"]), [["1"]])})', 'ValueError',
   "key 'geography'")
py('c_load_text_tables_int', 'C.load_scenario_text("", "x", "", 5)', 'TypeError', 'tables')
py('c_ensemble_indicators_long', 'len(C.run_ensemble([toy()], "", "", 2, 1, 1, LongLie(["population"])))', 'ok',
   'RETURNED 1')
py('c_ensemble_runs_short', 'C.run_ensemble(ShortLie([toy()]), "", "", 2, 1, 1, [])', 'ValueError', 'runs: iterating')
py('c_ensemble_runs_int', 'C.run_ensemble([5], "", "", 2, 1, 1, [])', 'TypeError', 'runs: row 0')
py('c_ensemble_progress_huge', 'n = []\n'
   'C.run_ensemble([toy()], "", "", 2, 1, 1, [], HugeLie([lambda d, t: n.append(d)]))\nn[-1]', 'ok', 'RETURNED 2')
py('c_ensemble_indicator_unknown', 'C.run_ensemble([toy()], "", "", 2, 1, 1, ["nope"])', 'ValueError',
   "indicators: 'nope' is not an indicator")
py('c_check_ensemble_ok', 'C.check_ensemble([toy()], 2, -1, ["population", "age_80_plus"])', 'ok', 'RETURNED None')
py('c_check_ensemble_unknown', 'C.check_ensemble([toy()], 2, -1, ["nope"])', 'ValueError', "indicators: 'nope'")
py('c_check_ensemble_runs_int', 'C.check_ensemble([toy(), 5], 2, -1, [])', 'TypeError', 'runs: run 1')
py('c_app_run_components_short', 'C.app_run(GOOD, OUT + "/ar1", 1, "", [], [], "csv", False, ShortLie(["births"]))',
   'ValueError', 'components: iterating')
py('c_app_run_allow_read_huge', 'C.app_run(IN + "/none.toml", OUT + "/ar2", 1, "", HugeLie([IN]))', 'ValueError',
   'none.toml')
py('c_app_run_set_runs_long', 'C.app_run_set(None, LongLie([toy()]), "n", OUT + "/ars1", 1, format="csv")["out_dir"]'
   '.endswith("ars1")', 'ok', 'RETURNED True')
py('c_app_run_set_runs_fresh', 'class Fresh:\n    def __len__(self):\n        return 1\n    def __iter__(self):\n'
   '        yield toy()\nC.app_run_set(None, Fresh(), "n", OUT + "/ars5", 1, format="csv")["out_dir"].endswith("ars5")',
   'ok', 'RETURNED True')
py('c_app_run_set_runs_int', 'C.app_run_set(None, [5], "n", OUT + "/ars2", 1)', 'TypeError',
   'write_outputs: run 0: expected a cohortgis.Scenario, got int')
py('c_app_run_set_loaded_int', 'C.app_run_set(5, [toy()], "n", OUT + "/ars3", 1)', 'TypeError',
   'write_outputs: loaded: expected')
py('c_app_run_set_runs_short', 'C.app_run_set(None, ShortLie([toy()]), "n", OUT + "/ars4", 1)', 'ValueError',
   'write_outputs: runs: iterating')
py('c_estimate_filter_short', 'C.app_estimate(IN + "/c1.csv", IN + "/c2.csv", 2000, 2010, OUT + "/e1", '
   'mx_filter=ShortLie([("sex", "all")]))', 'ValueError', 'mx_filter: iterating')
py('c_estimate_filter_triple', 'C.app_estimate(IN + "/c1.csv", IN + "/c2.csv", 2000, 2010, OUT + "/e2", '
   'mx_filter=[("sex", "all", "x")])', 'ValueError', r'mx_filter 0: 3 items')
py('c_estimate_filter_int', 'C.app_estimate(IN + "/c1.csv", IN + "/c2.csv", 2000, 2010, OUT + "/e3", '
   'mx_filter=[("sex", 5)])', 'TypeError', 'mx_filter 0, value')
py('c_levels_filter_huge', 'C.app_estimate_levels(IN + "/none.csv", "", OUT + "/l1", mx_filter=HugeLie([("a", "b")]))',
   'ValueError', '--mx-filter: given without --mx')
py('c_levels_asfr_filter_short', 'C.app_estimate_levels(IN + "/none.csv", "", OUT + "/l2", '
   'asfr_filter=ShortLie([("a", "b")]))', 'ValueError', 'asfr_filter: iterating')
py('c_backtest_variants_long', 'C.app_backtest(GOOD, IN + "/none.csv", out_dir=OUT + "/b1", '
   'variants=LongLie(["more"]))',
   'ValueError', 'none.csv')
py('c_backtest_variants_short', 'C.app_backtest(GOOD, IN + "/none.csv", out_dir=OUT + "/b2", '
   'variants=ShortLie(["more"]))', 'ValueError', 'variants: iterating')
py('c_backtest_runs_int', 'C.app_backtest(GOOD, IN + "/none.csv", out_dir=OUT + "/b3", runs=[5])', 'TypeError',
   'backtest: run 0')
py('c_zone_geometry_ids_short', 'C.zone_geometry(good_set()._loaded, ShortLie(["A"]))', 'ValueError',
   'ids: iterating')
py('c_zone_geometry_ids_long', 'C.zone_geometry(good_set()._loaded, LongLie(["A"]))', 'ValueError',
   'no zone geometry')

# ---- Scenario.language: refused when set (it was refused only by write_outputs)
py('sc_language_unknown', 'setattr(toy(), "language", "klingon")', 'ValueError',
   "language: 'klingon'; expected zh .* or en")
py('sc_language_unknown_kept', 'sc = toy()\nsc.language = "en"\ntry:\n    sc.language = "xx"\nexcept ValueError:\n'
   '    pass\nsc.language', 'ok', "RETURNED 'en'")
py('sc_language_capitals', 'sc = toy()\nsc.language = "EN"\nsc.language', 'ok', "RETURNED 'EN'")
py('sc_language_zh_cn', 'sc = toy()\nsc.language = "zh-CN"\nsc.language', 'ok', "RETURNED 'zh-CN'")
py('sc_language_english', 'sc = toy()\nsc.language = "english"\nsc.language', 'ok', "RETURNED 'english'")
py('sc_language_empty', 'sc = toy()\nsc.language = ""\nsc.language', 'ok', "RETURNED ''")
py('sc_language_int', 'setattr(toy(), "language", 5)', 'TypeError', 'language: expected a str')
py('sc_language_nul', 'setattr(toy(), "language", "en\\0x")', 'ValueError', 'language')
py('sc_language_copied', 'sc = toy()\nsc.language = "zh"\n(sc.copy().language, copy.deepcopy(sc).language)', 'ok',
   r"RETURNED \('zh', 'zh'\)")
py('sc_language_in_run', 'sc = toy()\ndef p(d, t):\n    sc.language = "en"\ncg.run(sc, threads=1, progress=p)',
   'RuntimeError', 'being projected')
py('sc_language_unknown_in_run', 'sc = toy()\ndef p(d, t):\n    sc.language = "xx"\ncg.run(sc, threads=1, progress=p)',
   ('ValueError', 'RuntimeError'), 'language|being projected')
py('sc_language_variant_write', 'setattr(good_set().add_variant("v"), "language", "tlh")', 'ValueError',
   "language: 'tlh'")

# ---- run(trajectories=N, …): the ensemble's arguments refused before the deterministic runs (none may run)
ST = 'cg.load_scenario(STO)'
py('ens_bad_indicator_first', f'watched(lambda p: {ST}.run(threads=1, trajectories=3, indicators=["nope"], '
   'progress=p))',
   'ok', r"RETURNED \(\[\], 'ValueError', \"indicators: 'nope'")
py('ens_trajectories_zero_first', f'watched(lambda p: {ST}.run(threads=1, trajectories=0, progress=p))', 'ok',
   r"RETURNED \(\[\], 'ValueError', 'trajectories: 0 is out of range")
py('ens_trajectories_2_63_first', f'watched(lambda p: {ST}.run(threads=1, trajectories=2 ** 63, progress=p))', 'ok',
   r"RETURNED \(\[\], 'ValueError', 'trajectories")
py('ens_trajectories_text_first', f'watched(lambda p: {ST}.run(threads=1, trajectories="3", progress=p))', 'ok',
   r"RETURNED \(\[\], 'TypeError', \"trajectories: '3' \(str\)")
py('ens_trajectories_float_first', f'watched(lambda p: {ST}.run(threads=1, trajectories=3.0, progress=p))', 'ok',
   r"RETURNED \(\[\], 'TypeError', 'trajectories: 3\.0")
py('ens_seed_minus_one_first', f'watched(lambda p: {ST}.run(threads=1, trajectories=2, seed=-1, progress=p))', 'ok',
   r"RETURNED \(\[\], 'ValueError', 'seed: -1 is out of range")
py('ens_seed_2_31_first', f'watched(lambda p: {ST}.run(threads=1, trajectories=2, seed=2 ** 31, progress=p))', 'ok',
   r"RETURNED \(\[\], 'ValueError', 'seed: 2147483648")
py('ens_indicator_twice_first', f'watched(lambda p: {ST}.run(threads=1, trajectories=2, '
   'indicators=["births", "births"], progress=p))', 'ok', r"RETURNED \(\[\], 'ValueError', \"indicators: indicator")
py('ens_indicators_str_first', f'watched(lambda p: {ST}.run(threads=1, trajectories=2, indicators="births", '
   'progress=p))', 'ok', r"RETURNED \(\[\], 'TypeError', .indicators: expected a list")
py('ens_indicator_int_first', f'watched(lambda p: {ST}.run(threads=1, trajectories=2, indicators=[5], progress=p))',
   'ok', r"RETURNED \(\[\], 'TypeError', 'indicators: expected a str")
py('ens_function_bad_indicator_first', 'watched(lambda p: cg.run(toy(), threads=1, trajectories=2, indicators=["x"], '
   'progress=p))', 'ok', r"RETURNED \(\[\], 'ValueError', \"indicators: 'x'")
py('ens_variant_bad_indicator_first', f'watched(lambda p: {ST}.run(threads=1, variants=["baseline"], trajectories=2, '
   'indicators=["nope"], progress=p))', 'ok', r"RETURNED \(\[\], 'ValueError'")
py('ens_opt_in_indicator', f'e = {ST}.run(threads=1, trajectories=2, indicators=["age_80_plus"])\n'
   'e.trajectories("age_80_plus").shape[1]', 'ok', 'RETURNED 2')
py('ens_run_after_refusal', f's = {ST}\ntry:\n    s.run(threads=1, trajectories=2, indicators=["nope"])\n'
   'except ValueError:\n    pass\nlen(s.run(threads=1, trajectories=2).variants)', 'ok', 'RETURNED 1')
py('ens_lying_int_trajectories', 'class Lie(int):\n    n = 0\n    def __int__(self):\n        Lie.n += 1\n'
   '        return -1 if Lie.n > 1 else 2\n'
   f'e = {ST}.run(threads=1, trajectories=Lie(2), seed=Lie(5))\ne.trajectories().shape[1]', 'ok', 'RETURNED 2')

# ---- variants=[] and indicators=[]: none given is a ValueError, as ScenarioSet.run(variants=[]) (it gave all)
py('res_population_frame_none', 'res().population_frame(variants=[])', 'ValueError', 'variants: none given')
py('res_indicator_frame_none', 'res().indicator_frame(variants=[])', 'ValueError', 'variants: none given')
py('res_components_frame_none', 'res().components_frame(variants=[])', 'ValueError', 'variants: none given')
py('res_parity_frame_none', 'res().parity_frame(variants=())', 'ValueError', 'variants: none given')
py('res_to_xarray_none', 'res().to_xarray(variants=[])', 'ValueError', 'variants: none given')
py('res_frame_variants_generator_empty', 'res().population_frame(variants=(v for v in []))', 'ValueError',
   'variants: none given')
py('res_frame_variants_none_all', 'sorted(set(res().population_frame(variants=None)["variant"]))', 'ok',
   r"RETURNED \['baseline', 'more'\]")
py('res_zones_frame_indicators_none', 'fr().run(threads=1).zones_frame(indicators=[])', 'ValueError',
   'indicators: none given')
py('res_zones_frame_indicators_one', 'list(fr().run(threads=1).zones_frame(indicators=["births"]).columns)[-1]', 'ok',
   "RETURNED 'births'")
py('bt_variants_none_given', 'cg.backtest(GOOD, IN + "/none.csv", OUT + "/bt1", variants=[])', 'ValueError',
   'variants: none given')
py('bt_variants_none_given_set', 'cg.backtest(good_set(), IN + "/none.csv", OUT + "/bt2", variants=())', 'ValueError',
   'variants: none given')

# ---- figures: the pyramid's comparison year as the results have it; titles of other types
py('fig_pyramid_compare_float', 'seen = []\norig = cg._frames._plot.pyramid\n'
   'cg._frames._plot.pyramid = lambda st, ol, *a, **k: seen.append(ol[0][0])\n'
   'r = res()\nr.pyramid(compare_year=float(r.years[0]))\nseen[0] == "total %d" % r.years[0]', 'ok', 'RETURNED True')
py('fig_pyramid_compare_numpy', 'seen = []\ncg._frames._plot.pyramid = lambda st, ol, *a, **k: seen.append(ol[0][0])\n'
   'r = res()\nr.pyramid(compare_year=np.int64(r.years[0]))\nseen[0] == "total %d" % r.years[0]', 'ok', 'RETURNED True')
py('fig_title_int', 'cg.Figure(lambda f: b"x", title=5)', 'TypeError', 'title: expected a str, got int')
py('fig_title_none', 'cg.Figure(lambda f: b"x", title=None)', 'TypeError', 'title')
py('fig_title_kept', 'repr(cg.Figure(lambda f: b"x", title="t"))', 'ok', "RETURNED \"<cohortgis.Figure 't'>\"")

PROBE.finish()
