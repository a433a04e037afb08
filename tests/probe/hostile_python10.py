#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Tenth Python misuse probe (round 28, helper h177): parts of the public API hostile_python{,2,…,9}.py and the Python
parts of hostile_round*.py do not reach. Each case runs in a fresh interpreter (probe_common.python_case) with TMPDIR a
folder of its own, so a crash, an abort, a hang or a temporary file left behind is seen as such; a raised message that
reads as C++ or pybind11 internals (std::, vector::, bad_alloc, "Unable to cast") is a problem too.
GroupTransition rates and zone multipliers of NaN, ±inf, −1, −0, 1e300 and subnormals, the same group twice, groups
past the scenario's, short rate lists; NewbornRule shares of one mother group summing past 1 (by share and by zone
share), exactly 1, unknown mother and child groups, a rule onto its own group; list subclasses whose __len__ says 2^62,
2^40 or 0 as transitions, newborn rules, external pairs, assumptions, group names, aggregates (and their members), plan
periods, zones, schedules, OD flows and rates; ScenarioSet(runs=5 or one Scenario, file=5 or a PathLike),
add_variant(base=5), a set's runs with an int appended (variants, set[name]); run(seed=, indicators=) without
trajectories; run(components_by_age=) from threads, pickled, mixed with runs without; estimate_group_split(floating=)
of other types, estimate_levels(srb=0, −0.0, NaN, True); Figure made by hand (render None, returning an int, a str,
None, raising KeyboardInterrupt); StepSchedules' mortality_next, radix_l0, l65, external_out_rate and
net_migrants_per_person with NaN, inf and wrong lengths, mortality_kind switched without its arrays; the compiled
functions validate_runs, default_scenario_file, examples_dir, resolve_data_dir, load_scenario_text, zone_geometry and
app_run_set called directly; Scenario fields (language, variant_title, steps, group_names) that only a run or a write
checks. Findings and their tests: tests/python/test_hostile_python28.py.
Usage: PYTHONPATH=build/python /usr/bin/python3 tests/probe/hostile_python10.py [WORK_DIR] [CASE_PREFIX ...]
(about 4 min on a loaded 2-core VM). Run it in the foreground (tests/probe/README.md)."""
import os, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe_common import RAW_PYTHON, PythonProbe  # noqa: E402

PROBE = PythonProbe('cohortgis-hostile-python10-', RAW_PYTHON + '|vector::reserve|std::bad_alloc', long=False)
IN, OUT, USER = (PROBE.dirs[d] for d in ('in', 'out', 'user'))
with open(os.path.join(IN, 'census.csv'), 'w') as f:  # estimate_group_split's census (incomplete: refused later)
    f.write('code,indicator,value\n110101,pop_resident,1000\n')
with open(os.path.join(IN, 'figures.csv'), 'w') as f:  # estimate_levels' figures
    f.write('zone,indicator,value\nA,e0,75\n')
with open(os.path.join(USER, 'keep.txt'), 'w') as f:
    f.write('a user file\n')

BAD = ('TypeError', 'ValueError')
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
def proj(change, sc=None):
    """sc (toy's) copied, its first step's schedules changed by change(schedules), projected: the total population."""
    sc = (sc or toy()).copy()
    s = sc.step_schedules(0)
    change(s)
    sc.set_step_schedules(0, s)
    return round(float(cg.run(sc, threads=1)["baseline"].population.sum()))
def rates(v, n=None):
    return [v] * (n or 2 * toy().n_ages)
def gt(rate=0.01, mult=(), last=None, a=0, b=1):
    r = rates(rate)
    if last is not None:
        r[-1] = last
    return cg.GroupTransition(a, b, r, list(mult))
def nb(share, zone_share=None, a=0, b=1):
    r = cg.NewbornRule(a, b, share)
    if zone_share is not None:
        r.zone_share = zone_share
    return r
def good_set():
    return cg.load_scenario(GOOD)
'''
py = PROBE.py

# ---- GroupTransition: rates and multipliers the engine took as given (the scenario file refuses them)
# (Refused when assigned since round 29, in a scenario file's words: StepSchedules.transitions, test_backlog29.py.)
py('gt_rate_nan', 'proj(lambda s: setattr(s, "transitions", [gt(last=float("nan"))]))', 'ValueError',
   r"transitions: row 0, rate_per_year: index 35: expected a rate per person per year from 0 to 1, got nan")
py('gt_rate_inf', 'proj(lambda s: setattr(s, "transitions", [gt(float("inf"))]))', 'ValueError',
   r"rate_per_year: index 0: expected a rate per person per year from 0 to 1, got inf")
py('gt_rate_negative', 'proj(lambda s: setattr(s, "transitions", [gt(last=-0.5)]))', 'ValueError',
   r"rate_per_year: index 35: .*got -0\.5")
py('gt_rate_minus_inf', 'proj(lambda s: setattr(s, "transitions", [gt(float("-inf"))]))', 'ValueError',
   'got -inf')
py('gt_rate_minus_zero', 'base = proj(lambda s: None)\nproj(lambda s: setattr(s, "transitions", [gt(-0.0)])) == base',
   'ok', 'RETURNED True')
py('gt_rate_subnormal', 'proj(lambda s: setattr(s, "transitions", [gt(5e-324)])) > 0', 'ok', 'RETURNED True')
py('gt_rate_1e300', 'proj(lambda s: setattr(s, "transitions", [gt(1e300)]))', 'ValueError',
   r"index 0: expected a rate per person per year from 0 to 1, got 1e\+300")
py('gt_mult_nan', 'proj(lambda s: setattr(s, "transitions", [gt(mult=[1.0, float("nan")])]))', 'ValueError',
   r"zone 'Z001', group transition 'local' → 'migrant': zone_multiplier nan")
py('gt_mult_negative', 'proj(lambda s: setattr(s, "transitions", [gt(mult=[-1.0, 1.0])]))', 'ValueError',
   r"zone 'Z000', .*zone_multiplier -1")
py('gt_mult_inf', 'proj(lambda s: setattr(s, "transitions", [gt(mult=[float("inf"), 1.0])]))', 'ValueError',
   'zone_multiplier inf')
py('gt_mult_zero', 'proj(lambda s: setattr(s, "transitions", [gt(mult=[0.0, 0.0])])) == proj(lambda s: None)', 'ok',
   'RETURNED True')
py('gt_same_group', 'proj(lambda s: setattr(s, "transitions", [gt(b=0)]))', 'ValueError', 'two different groups')
py('gt_group_past', 'proj(lambda s: setattr(s, "transitions", [gt(b=2)]))', 'ValueError', 'two different groups')
py('gt_rates_short', 'proj(lambda s: setattr(s, "transitions", [cg.GroupTransition(0, 1, [0.1])]))', 'ValueError',
   r"transition rate_per_year' has 1 values")
py('gt_mult_long', 'proj(lambda s: setattr(s, "transitions", [gt(mult=[1.0] * 3)]))', 'ValueError',
   r"zone_multiplier' has 3 values")
py('gt_rates_complex', 'cg.GroupTransition(0, 1, [1j])', 'TypeError', 'rate_per_year')

# ---- NewbornRule: shares of one mother group past all its births (births from nothing), unknown groups
py('nb_sum_past_one', 'proj(lambda s: setattr(s, "newborn_rules", [nb(0.8), nb(0.8)]))', 'ValueError',
   r"schedules 0, zone 'Z000': the newborn rules of mother group 'local' move shares summing to 1\.6")
py('nb_zone_share_past_one', 'proj(lambda s: setattr(s, "newborn_rules", [nb(0.5), nb(0.0, [0.1, 0.7])]))',
   'ValueError', r"zone 'Z001': .*mother group 'local' .*summing to 1\.2")
py('nb_sum_exactly_one', 'proj(lambda s: setattr(s, "newborn_rules", [nb(0.5), nb(0.25), nb(0.25)])) > 0', 'ok',
   'RETURNED True')
py('nb_tenths_sum_one', 'proj(lambda s: setattr(s, "newborn_rules", [nb(0.1)] * 10)) > 0', 'ok', 'RETURNED True')
py('nb_two_mothers_each_one', 'proj(lambda s: setattr(s, "newborn_rules", [nb(1.0), nb(1.0, a=1, b=0)])) > 0', 'ok',
   'RETURNED True')
py('nb_unknown_mother', 'proj(lambda s: setattr(s, "newborn_rules", [nb(0.1, a=7)]))', 'ValueError',
   r"newborn rule 0, mother_group 7: expected a group index from 0 to 1")
py('nb_unknown_child', 'proj(lambda s: setattr(s, "newborn_rules", [nb(0.1), nb(0.1, b=-1)]))', 'ValueError',
   r"newborn rule 1, child_group -1")
py('nb_share_nan', 'proj(lambda s: setattr(s, "newborn_rules", [nb(float("nan"))]))', 'ValueError',
   r"newborn_rules: row 0, share: expected a share from 0 to 1, got nan")
py('nb_zone_share_short', 'proj(lambda s: setattr(s, "newborn_rules", [nb(0.1, [0.1])]))', 'ValueError',
   r"zone_share' has 1 values")

# ---- list subclasses whose __len__ lies: read by their items, never reserved by what len() says
py('lie_transitions_2_62', 's = toy().step_schedules(0)\ns.transitions = LongLie([gt()])\n'
   '[t.to_group for t in s.transitions]', 'ok', r'RETURNED \[1\]')
py('lie_transitions_2_40', 's = toy().step_schedules(0)\ns.transitions = HugeLie([gt()])\nlen(s.transitions)', 'ok',
   'RETURNED 1')
py('lie_transitions_short', 's = toy().step_schedules(0)\ns.transitions = ShortLie([gt()])\nlen(s.transitions)',
   'ValueError', 'transitions: iterating it gives more than the 0 items')
py('lie_newborn_rules', 's = toy().step_schedules(0)\ns.newborn_rules = LongLie([nb(0.5)])\n'
   '[r.share for r in s.newborn_rules]', 'ok', r'RETURNED \[0\.5\]')
py('lie_external_pairs', 's = toy().step_schedules(0)\ns.external_pairs = HugeLie([(0, 1, 2.0)])\ns.external_pairs',
   'ok', r'RETURNED \[\(0, 1, 2\.0\)\]')
py('lie_external_pairs_2_62', 's = toy().step_schedules(0)\ns.external_pairs = LongLie([])\ns.external_pairs', 'ok',
   r'RETURNED \[\]')
py('lie_assumptions', 'sc = toy()\nsc.assumptions = LongLie(["one"])\nsc.assumptions', 'ok', r"RETURNED \['one'\]")
py('lie_group_names', 'sc = toy()\nsc.group_names = HugeLie(["a", "b"])\nsc.group_names', 'ok',
   r"RETURNED \['a', 'b'\]")
py('lie_aggregates', 'sc = toy()\nsc.aggregates = LongLie([("w", ["Z000"])])\nsc.aggregates', 'ok',
   r"RETURNED \[\('w', \['Z000'\]\)\]")
py('lie_aggregate_members_2_62', 'sc = toy()\nsc.aggregates = [("w", LongLie(["Z000"]))]\nsc.aggregates', 'ok',
   r"RETURNED \[\('w', \['Z000'\]\)\]")
py('lie_aggregate_members_2_40', 'sc = toy()\nsc.aggregates = [("w", HugeLie(["Z000"]))]\nsc.aggregates', 'ok',
   r"RETURNED \[\('w', \['Z000'\]\)\]")
py('lie_plan_periods', 'sc = toy()\nsc.plan_periods = LongLie([(2021, 2025, "p")])\nsc.plan_periods', 'ok',
   r"RETURNED \[\(2021, 2025, 'p'\)\]")
py('lie_set_zones', 'sc = toy()\nsc.set_zones(LongLie(["Z000", "Z001"]), HugeLie(["a", "b"]))\nsc.zone_names', 'ok',
   r"RETURNED \['a', 'b'\]")
py('lie_schedules', 'sc = toy()\nsc.schedules = HugeLie([sc.step_schedules(0)])\n'
   'round(float(cg.run(sc, threads=1)["baseline"].population.sum())) > 0', 'ok', 'RETURNED True')
py('lie_set_od', 'sc = toy()\ns = sc.step_schedules(0)\ns.set_od(LongLie([cg.OdFlow(0, 1, 0.01)]), 2, 2, sc.n_ages)\n'
   'len(s.od_flows)', 'ok', 'RETURNED 1')
py('lie_transition_rates', 'len(cg.GroupTransition(0, 1, LongLie([0.1, 0.2])).rate_per_year)', 'ok', 'RETURNED 2')
py('lie_asfr', 's = toy().step_schedules(0)\ns.asfr = HugeLie([0.1])\nlen(s.asfr)', 'ok', 'RETURNED 1')

# ---- ScenarioSet built and changed by hand
py('set_runs_int', 'cg.ScenarioSet(5)', 'TypeError', r'runs: expected a list of cohortgis\.Scenario.*got int')
py('set_runs_one_scenario', 'cg.ScenarioSet(toy())', 'TypeError', r'got Scenario \(write \[scenario\]\)')
py('set_runs_generator', 'len(cg.ScenarioSet(s for s in [toy()]))', 'ok', 'RETURNED 1')
py('set_file_int', 'cg.ScenarioSet([toy()], file=5)', 'TypeError', 'file: expected a path')
py('set_file_nul', 'cg.ScenarioSet([toy()], file="a\\0b")', 'ValueError', 'file')
py('set_file_pathlike', 'import pathlib\ncg.ScenarioSet([toy()], file=pathlib.Path(GOOD)).file == GOOD', 'ok',
   'RETURNED True')
py('set_add_variant_base_int', 'good_set().add_variant("v", base=5)', 'TypeError', 'base: expected a str, got int')
py('set_add_variant_base_none', 'good_set().add_variant("v", base=None)', 'TypeError', 'base: expected a str')
py('set_variants_after_append', 's = good_set()\ns.runs.append(5)\ns.variants', 'TypeError',
   r'run 2: expected a cohortgis\.Scenario')
py('set_getitem_after_append', 's = good_set()\ns.runs.append(None)\ns["more"]', 'TypeError',
   r'run 2: expected a cohortgis\.Scenario')
py('set_repr_after_append', 's = good_set()\ns.runs.append("x")\nrepr(s)', 'TypeError', 'run 2')

# ---- run(): ensemble arguments without an ensemble, components by age
py('run_seed_without_trajectories', 'good_set().run(threads=1, seed=5)', 'ValueError',
   'seed: given without trajectories')
py('run_indicators_without_trajectories', 'good_set().run(threads=1, indicators=["population"])', 'ValueError',
   'indicators: given without trajectories')
py('run_function_seed_without_trajectories', 'cg.run(toy(), threads=1, seed="x")', 'ValueError', 'seed: given')
py('run_seed_none', 'good_set().run(threads=1, seed=None, indicators=None).variants', 'ok',
   r"RETURNED \['baseline', 'more'\]")
py('run_cba_str', 'good_set().run(threads=1, components_by_age="yes")', 'TypeError', 'components_by_age')
py('run_cba_numpy_bool', 'sorted(good_set().run(threads=1, components_by_age=np.bool_(True))["baseline"]'
   '.components_by_age)', 'ok', 'deaths')
py('run_cba_threads', 's = good_set()\nout = []\n'
   'ts = [threading.Thread(target=lambda: out.append(float(s.run(threads=1, components_by_age=True)["baseline"]'
   '.components_by_age["deaths"].sum()))) for _ in range(4)]\n[t.start() for t in ts]\n[t.join() for t in ts]\n'
   'len(out) == 4 and len(set(out)) == 1', 'ok', 'RETURNED True')
py('run_cba_pickled_frame', 'r = good_set().run(threads=1, components_by_age=True)\n'
   'again = cg.Results({k: pickle.loads(pickle.dumps(v)) for k, v in r.items()})\n'
   'again.components_frame(by_age=True).equals(r.components_frame(by_age=True))', 'ok', 'RETURNED True')
py('run_cba_mixed_frame', 's = good_set()\na = s.run(threads=1, components_by_age=True)\nb = s.run(threads=1)\n'
   'cg.Results({"baseline": a["baseline"], "more": b["more"]}).components_frame(by_age=True)', 'ValueError',
   "variant 'more': run without components by age")
py('run_cba_frame_by_age_none', 'good_set().run(threads=1).components_frame(by_age=None)', 'TypeError', 'by_age')

# ---- the jobs: types and the values that mean "not given"
py('gs_floating_int', 'cg.estimate_group_split(IN + "/census.csv", OUT + "/gs1", floating=5)', 'TypeError',
   r"floating: expected 'other-province' or 'other-district' \(a str\), got int")
py('gs_floating_none', 'cg.estimate_group_split(IN + "/census.csv", OUT + "/gs2", floating=None)', 'TypeError',
   'floating')
py('gs_floating_bytes', 'cg.estimate_group_split(IN + "/census.csv", OUT + "/gs3", floating=b"other-district")',
   'TypeError', 'got bytes')
py('gs_floating_unknown', 'cg.estimate_group_split(IN + "/census.csv", OUT + "/gs4", floating="elsewhere")',
   'ValueError', "floating: 'elsewhere'")
py('lv_srb_zero', 'cg.estimate_levels(IN + "/figures.csv", out_dir=OUT + "/lv1", srb=0)', 'ValueError',
   r'srb: 0\.0; expected a sex ratio at birth of 90 to 130')
py('lv_srb_minus_zero', 'cg.estimate_levels(IN + "/figures.csv", out_dir=OUT + "/lv2", srb=-0.0)', 'ValueError',
   r'srb: -0\.0')
py('lv_srb_nan', 'cg.estimate_levels(IN + "/figures.csv", out_dir=OUT + "/lv3", srb=float("nan"))', 'ValueError',
   'srb')
py('lv_srb_bool', 'cg.estimate_levels(IN + "/figures.csv", out_dir=OUT + "/lv4", srb=True)', 'TypeError', 'srb')

# ---- Figure made by hand
py('fig_render_none', 'cg.Figure(None)', 'TypeError', 'render: expected a callable')
py('fig_render_int', 'cg.Figure(lambda f: 5).data()', 'TypeError', "render: returned int for format 'png'")
py('fig_render_str_save', 'try:\n    cg.Figure(lambda f: "text").save(OUT + "/f.png")\nexcept TypeError:\n'
   '    pass\nos.path.exists(OUT + "/f.png") or os.listdir(OUT)', 'ok', r'RETURNED \[\]')
py('fig_render_none_svg', 'cg.Figure(lambda f: None)._repr_svg_()', 'TypeError', 'returned NoneType')
py('fig_render_keyboard_interrupt', 'def r(f):\n    raise KeyboardInterrupt\ncg.Figure(r).data("svg")',
   'KeyboardInterrupt')
py('fig_bytes_cached', 'n = []\nfig = cg.Figure(lambda f: n.append(f) or b"img")\n'
   '(fig.data(), fig.data(), fig.data("pdf"), n)', 'ok', r"RETURNED \(b'img', b'img', b'img', \['png', 'pdf'\]\)")

# ---- StepSchedules arrays no probe gave hostile values
py('sch_mortality_next_inf', 'proj(lambda s: setattr(s, "mortality_next", [float("inf")] * 8))', 'ValueError',
   r'mortality_next: index 0: expected a death rate from 0 to 2 per person-year, got inf')
py('sch_mortality_next_short', 'proj(lambda s: setattr(s, "mortality_next", [0.1] * 3))', 'ValueError',
   r"'mortality_next' has 3 values")
py('sch_external_out_rate_nan', 'sc = toy()\nn = 2 * 2 * 2 * sc.n_ages\n'
   'proj(lambda s: setattr(s, "external_out_rate", [float("nan")] * n), sc)', 'ValueError',
   r'external_out_rate: index 0: nan is outside the range for an out-rate')
py('sch_external_out_rate_short', 'proj(lambda s: setattr(s, "external_out_rate", [0.1] * 5))', 'ValueError',
   r"'external_out_rate' has 5 values")
py('sch_net_per_person_inf', 'sc = toy()\nn = 2 * 2 * 2 * sc.n_ages\n'
   'proj(lambda s: setattr(s, "net_migrants_per_person", [float("inf")] * n), sc)', 'ValueError',
   r'net_migrants_per_person: index 0: inf is outside the range for a net rate')
py('sch_kind_person_years_no_radix', 'proj(lambda s: setattr(s, "mortality_kind", "person_years"))', 'ValueError',
   r"'radix_l0' has 0 values")
py('sch_kind_survival_rows', 'proj(lambda s: setattr(s, "mortality_kind", "survival_ratios"))', 'ValueError',
   r"'mortality' has \d+ values")
py('sch_kind_capitals', 'setattr(toy().step_schedules(0), "mortality_kind", "DEATH_RATES")', 'ValueError',
   'mortality_kind')
py('sch_kind_none', 'setattr(toy().step_schedules(0), "mortality_kind", None)', 'TypeError', 'mortality_kind')

# ---- the compiled functions of _cohortgis.pyi called directly
py('c_validate_runs_empty', 'C.validate_runs([])', 'ValueError', 'no runs')
py('c_validate_runs_default', 'C.validate_runs([cg.Scenario()])', 'ValueError', 'no zones')
py('c_default_scenario_file', 'os.path.isfile(C.default_scenario_file())', 'ok', 'RETURNED True')
py('c_examples_dir', 'os.path.isdir(C.examples_dir())', 'ok', 'RETURNED True')
py('c_resolve_data_dir_nul', 'C.resolve_data_dir("a\\0b")', 'ValueError', 'NUL')
py('c_load_scenario_text_garbage', 'C.load_scenario_text("[[[", "x", "", {})', 'ValueError', 'TOML syntax error')
py('c_load_scenario_text_empty', 'C.load_scenario_text("", "x", "", {})', 'ValueError', 'geography')
py('c_zone_geometry_no_source', 'C.zone_geometry(good_set()._loaded, ["A"])', 'ValueError', 'no zone geometry')
py('c_app_run_set_no_runs', 'C.app_run_set(None, [], "n", OUT + "/ars")', 'ValueError', 'without runs')

# ---- Scenario fields that a run or a write checks
py('sc_language_unknown_write', 's = good_set()\ns.baseline.language = "klingon"\ncg.write_outputs(s, OUT + "/lang")',
   'ValueError', "language: 'klingon'")
py('sc_variant_title_escape_write', 's = good_set()\ns["more"].variant_title = "a\\x1b[31mb"\n'
   'cg.write_outputs(s, OUT + "/vt")', 'ValueError', 'control character')
py('sc_steps_negative_run', 'sc = toy()\nsc.steps = -1\ncg.run(sc, threads=1)', 'ValueError',
   'negative number of steps')
py('sc_group_names_twice_run', 'sc = toy()\nsc.group_names = ["a", "a"]\ncg.run(sc, threads=1)', 'ValueError',
   'appears twice')

PROBE.finish()
