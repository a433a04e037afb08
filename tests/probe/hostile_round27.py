#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Hostile-input probe of round 27 (helper h168), the command line: scenario keys and tables rounds 3 to 26 gave no
hostile values. (a) `zone_factors` of `[mortality]` and `[fertility]` (scenarios/README.md "Zone factors on standard
schedules"): factors NaN, ±inf, 0, -0, 1e308, subnormal (1e-310: a product that underflows at the open age), hex,
empty, repeated, missing, unknown zones, standards and groups, a factor table that is a folder or a FIFO, with
`unit`/`between`, a number, `/vsicurl/`, `../`, a standard table with a `zone` column. (b) `[outputs]`: `min_cell` at
and past its bounds, fractions, NaN, text, 2^63; `population` as text and false (with `backtest`); `indicators`
repeated, empty, in capitals, nested, a string, one whose ages the grid lacks; `components` mixed types, "all";
`[[outputs]]`; targets on fertility summaries not asked for or in the base year. (c) Age profiles: a Rogers–Castro
schedule of zeros (every term 0, or a labour peak that underflows), a profile table whose shares sum past the
largest double (two of 1e308: every share / inf is 0), a subnormal share. (d) `[stochastic]` tables: a Lee–Carter
history with subnormal and 1e300 rates, years past the bounds, a fit of a constant history; `bx` NaN and `bx`/`k_sd`
at the ends of their ranges (trajectories with no survivors); correlation matrices with NaN, repeated, missing and
extra zones; `tfr_trajectories` numbers 2^53, 2^63, fractional, negative; `e0_trajectories` with a sex given twice.
(e) Migration rates (`net_rate` 1e300 and a subnormal), `[households]`, `[capacity]` and `[controls]` with 0,
subnormal and 1e300. (f) `backtest` observed and earlier tables: a repeated cell, two years, negative, zero totals,
unknown zones and groups, ages inside a group, the launch year, `--earlier` after the launch year, an unknown variant.
(g) `estimate --levels` figures whose fit needs more than 1 birth per woman per year (a crude birth rate of 999 per
1000, a TFR of 20), subnormal figures, `--srb` NaN/-5/1e300 with and without an e0 figure, an `--asfr` age past int;
`estimate --group-split` with an empty code, 1e300 and NaN residents, a registry with two `registered*` columns, 1e300
万人, a negative count, a zone twice, codes of other areas. (h) `[registers] exposure` person-years of 1e300, 1e13,
NaN, -1, a subnormal, 1e12, and a path written as a plain string. (i) Names of targets, services, relocations and
plan periods: empty, blank, with a line break, NEL, U+2028, an escape sequence, a tab, 300 characters (a comma, a quote
and a zero-width space stay names); `[[services]]` ages reversed or into the open group, `births` beside `ages`, a NaN
in a path, capacities keyed `total`, of 1e11, repeated or of 1e300 in a table, an enrolment of 1.6. (j) Gravity
distances subnormal, 1e300, 0 and NaN; centroids at one point, in degrees with x and y swapped, a longitude of 500,
antipodes, planar metres.
A case fails on a crash, a hang, an exit other than the expected, a message that does not match (file, key, row,
zone or trajectory named), a crash-like, huge or raw-control message, a network connection, a file written, changed
or deleted outside the output, or staging folders left after an error.
Usage: PYTHONPATH=build/python /usr/bin/python3 tests/probe/hostile_round27.py [BUILD_DIR [WORK_DIR]] [PREFIX ...]"""
import os, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe_common import FIX, RUN, VAL, CliProbe, make

PROBE = CliProbe('cohortgis-hostile-probe27-')
ROOT, URL, cli = PROBE.root, PROBE.url, PROBE.cli
GOOD, INPUTS, SHARED, G = PROBE.good, PROBE.inputs, PROBE.shared, PROBE.g
make(SHARED, {'victim/thesis.txt': 'precious\n'})


def fixture(folder):
    """{name: text} of a fixture folder of tests/fixtures/scenarios."""
    d = os.path.join(FIX, folder)
    return {f: open(os.path.join(d, f)).read() for f in os.listdir(d) if os.path.isfile(os.path.join(d, f))}


# --- (a) zone factors ------------------------------------------------------------------------------------------------
ZF = fixture('zone_factors')
ZF_TOML = ZF.pop('scenario.toml')
ZFH = 'zone,group,standard,value\n'


def zf_mx(v):
    return {'mx_factors.csv': ZFH + 'A,,north,%s\nB,,south,0.8\nC,,north,2\n' % v}


for label, v, expect, pattern in [
        ('nan', 'nan', 'bad', r"mx_factors\.csv.*data row 1.*column 'value'.*finite"),
        ('inf', 'inf', 'bad', r"mx_factors\.csv.*data row 1.*finite"),
        ('neg_inf', '-inf', 'bad', r"mx_factors\.csv.*data row 1"),
        ('zero', '0', 'bad', r"mx_factors\.csv.*data row 1.*factor > 0"),
        ('neg_zero', '-0', 'bad', r"mx_factors\.csv.*data row 1.*factor > 0"),
        ('1e308', '1e308', 'bad', r"mx_factors\.csv.*data row 1.*at most 2"),
        # A factor above 0 whose product with the open age's rate underflows: the open group's L = l / m overflows.
        ('subnormal', '1e-310', 'bad', r"zone 'A'.*sex \w+: life table from mx: .*open group.*so small"),
        ('tiny_ok', '1e-30', 'ok', None),
        ('hex_float', '0x1p1', 'bad', r"mx_factors\.csv.*data row 1.*not a number"),
        ('empty', '', 'bad', r"mx_factors\.csv.*data row 1.*empty")]:
    files = dict(ZF, **zf_mx(v))
    cli('zf27_mx_%s' % label, RUN, files, toml=ZF_TOML, expect=expect, pattern=pattern)
for label, rows, pattern in [
        ('repeated', 'A,,north,1\nA,,north,1\nB,,south,0.8\nC,,north,2\n', r'data row 2.*second factor for zone A'),
        ('missing_zone', 'A,,north,1\nB,,south,0.8\n', r'no factor for zone C'),
        ('unknown_zone', 'A,,north,1\nB,,south,0.8\nC,,north,2\nD,,north,2\n', r'data row 4.*unknown zone "D"'),
        ('unknown_standard', 'A,,west,1\nB,,south,0.8\nC,,north,2\n', r'unknown standard "west".*north, south'),
        ('empty_standard', 'A,,,1\nB,,south,0.8\nC,,north,2\n', r'column .standard.'),
        ('unknown_group', 'A,floating,north,1\nA,,north,1\nB,,south,0.8\nC,,north,2\n', r'unknown group "floating"'),
        ('header_only', '', r'empty')]:
    cli('zf27_mx_%s' % label, VAL, dict(ZF, **{'mx_factors.csv': ZFH + rows}), toml=ZF_TOML, out=None,
        pattern=r'mortality\.zone_factors.*' + pattern)
cli('zf27_no_standard_column', VAL, dict(ZF, **{'mx_factors.csv': 'zone,value\nA,1\nB,1\nC,1\n'}), toml=ZF_TOML,
    out=None, pattern=r"no 'standard' column")
cli('zf27_factor_table_folder', VAL, dict({k: v for k, v in ZF.items() if k != 'mx_factors.csv'},
                                          **{'mx_factors.csv/': None}), toml=ZF_TOML, out=None,
    pattern=r'mx_factors\.csv: is a folder')
cli('zf27_factor_table_fifo', VAL, dict({k: v for k, v in ZF.items() if k != 'mx_factors.csv'},
                                        **{'mx_factors.csv': 'FIFO'}), toml=ZF_TOML, out=None,
    pattern=r'mx_factors\.csv')
for label, ref, pattern in [
        ('unit', '{ path = "mx_factors.csv", unit = "per_1000" }', r'zone_factors\.unit.*no unit'),
        ('between', '{ path = "mx_factors.csv", between = "linear" }', r'zone_factors\.between'),
        ('number', '5', r'expected a table path'),
        ('vsicurl', '"/vsicurl/%s/f.csv"' % URL, r'virtual file systems'),
        ('parent', '"../mx_factors.csv"', r'outside the folders'),
        ('pg', '"PG:dbname=x host=127.0.0.1"', r'zone_factors'),
        ('data_parent', '"data:../../../etc/passwd"', r'outside|zone_factors')]:
    cli('zf27_ref_%s' % label, VAL, ZF, toml=ZF_TOML.replace('zone_factors = "mx_factors.csv"',
                                                            'zone_factors = %s' % ref), out=None, pattern=pattern)
cli('zf27_standard_has_zone_column', VAL, dict(ZF, **{'mx_standard.csv': ZF['mx_standard.csv'].replace(
    'year,standard', 'zone,standard').replace('2020,', 'A,').replace('2030,', 'A,')}), toml=ZF_TOML, out=None,
    pattern=r"mx_standard\.csv: has a 'zone' column")
for label, v, expect in [('nan', 'nan', 'bad'), ('1e300', '1e300', 'bad'), ('50', '50', 'bad'), ('10', '10', 'ok'),
                         ('subnormal', '1e-310', 'ok')]:
    cli('zf27_asfr_%s' % label, RUN, dict(ZF, **{'asfr_factors.csv': 'zone,standard,value\nA,north,%s\nB,south,0.75\n'
                                                 'C,south,1.5\n' % v}), toml=ZF_TOML, expect=expect,
        pattern=r'fertility\.zone_factors.*asfr_factors\.csv.*data row 1')

# --- (b) [outputs] ---------------------------------------------------------------------------------------------------
for label, text, expect, pattern in [
        ('min_cell_1e308', 'min_cell = 1e308', 'bad', r'outputs\.min_cell.*0 to 1000'),
        ('min_cell_negative', 'min_cell = -1', 'bad', r'outputs\.min_cell'),
        ('min_cell_1001', 'min_cell = 1001', 'bad', r'outputs\.min_cell'),
        ('min_cell_half', 'min_cell = 0.5', 'bad', r'outputs\.min_cell'),
        ('min_cell_nan', 'min_cell = nan', 'bad', r'outputs\.min_cell'),
        ('min_cell_text', 'min_cell = "10"', 'bad', r'outputs\.min_cell'),
        ('min_cell_2p63', 'min_cell = 9223372036854775807', 'bad', r'outputs\.min_cell'),
        ('min_cell_1000', 'min_cell = 1000', 'ok', None),
        ('population_text', 'population = "no"', 'bad', r'outputs\.population'),
        ('population_false', 'population = false', 'ok', None),
        ('indicators_twice', 'indicators = ["grr", "grr"]', 'bad', r'outputs\.indicators\[1\].*twice'),
        ('indicators_empty_name', 'indicators = [""]', 'bad', r'outputs\.indicators\[0\]'),
        ('indicators_capitals', 'indicators = ["GRR"]', 'bad', r'outputs\.indicators\[0\]'),
        ('indicators_nested', 'indicators = [["grr"]]', 'bad', r'outputs\.indicators\[0\]'),
        ('indicators_string', 'indicators = "grr"', 'bad', r'outputs\.indicators'),
        ('indicators_80_on_open_20', 'indicators = ["age_80_plus"]', 'bad', r'open_age'),
        ('components_mixed', 'components = ["births", 1]', 'bad', r'outputs\.components\[1\]'),
        ('components_all', 'components = ["all"]', 'bad', r'outputs\.components\[0\]'),
        ('components_twice', 'components = ["births", "births"]', 'ok', None),
        ('unknown_key', 'format = "netcdf"', 'bad', r'outputs\.format.*unknown key')]:
    cli('out27_%s' % label, RUN, toml=GOOD + '\n[outputs]\n%s\n' % text, expect=expect, pattern=pattern)
cli('out27_table_array', VAL, toml=GOOD + '\n[[outputs]]\npopulation = true\n', out=None,
    pattern=r"key 'outputs': expected a table")
cli('out27_target_grr_not_asked', VAL, toml=GOOD + '\n[[targets]]\nname = "g"\nindicator = "grr"\nzone = "A"\n'
    'year = 2025\nmin = 0.5\n', out=None, pattern=r'only when asked for')
cli('out27_target_nrr_base_year', VAL, toml=GOOD + '\n[outputs]\nindicators = ["nrr"]\n[[targets]]\nname = "n"\n'
    'indicator = "nrr"\nzone = "A"\nyear = 2020\nmin = 0.5\n', out=None, pattern=r'base year')
OBS = 'year,zone,sex,age,population\n2025,A,all,all,5000\n2025,B,all,all,5000\n'
BT = ['backtest', 'sc.toml', '--observed', 'obs.csv', '--out', 'out', '--quiet', '--no-report']
cli('out27_backtest_population_false', BT, {'obs.csv': OBS}, toml=GOOD + '\n[outputs]\npopulation = false\n',
    pattern=r'outputs\.population')

# --- (c) age profiles ------------------------------------------------------------------------------------------------
FLOW = 'profile = "uniform", years = [2021, 2025]'
for label, profile, files, expect, pattern in [
        ('rc_all_zero', '{ rogers_castro = { a1 = 0, a2 = 0, c = 0 } }', {}, 'bad',
         r"sc\.toml:\d+:\d+: key 'migration\.flows\[0\]\.profile\.rogers_castro'.*zero at every age"),
        ('rc_peak_underflows', '{ rogers_castro = { a1 = 0, c = 0, alpha2 = 5, mu2 = 100, lambda2 = 5 } }', {}, 'bad',
         r"key 'migration\.flows\[0\]\.profile\.rogers_castro'.*zero at every age"),
        ('rc_subnormal_a1', '{ rogers_castro = { a1 = 1e-320, a2 = 0, c = 0 } }', {}, 'any', r'rogers_castro'),
        ('table_overflow', '"p.csv"', {'p.csv': 'sex,age,share\nfemale,0,1e308\nmale,0,1e308\n'}, 'bad',
         r"key 'migration\.flows\[0\]\.profile'.*sum to more than the largest number"),
        ('table_subnormal', '"p.csv"', {'p.csv': 'sex,age,share\nfemale,0,1e-320\nmale,0,0\n'}, 'ok', None),
        ('table_zero', '"p.csv"', {'p.csv': 'sex,age,share\nfemale,0,0\nmale,0,0\n'}, 'bad', r'sums to 0'),
        ('table_nan', '"p.csv"', {'p.csv': 'sex,age,share\nfemale,0,nan\nmale,0,1\n'}, 'bad', r"p\.csv.*'share'")]:
    cli('prof27_%s' % label, RUN, files, toml=G(FLOW, 'profile = %s, years = [2021, 2025]' % profile),
        expect=expect, pattern=pattern)

# --- (d) [stochastic] tables ------------------------------------------------------------------------------------------
STO = open(os.path.join(FIX, 'stochastic.toml')).read()
LC = 'lee_carter = { k_sd = 1.0 }'
AGES = [0, 1, 5, 10, 15, 20]


def history(rate, years=(2000, 2005, 2010, 2015)):
    return 'year,age,value\n' + ''.join('%s,%d,%s\n' % (y, a, rate(y, a)) for y in years for a in AGES)


def declining(y, a):
    return 0.01 * (1 + a / 10) * (1 - (int(y) - 2000) / 100)


for label, text, expect, pattern in [
        ('ok', history(declining), 'ok', None),
        ('constant', history(lambda y, a: 0.01), 'any', r'lee_carter'),
        ('subnormal_year', history(lambda y, a: '1e-320' if y == 2000 else 0.01), 'any', r'h\.csv|life table'),
        ('rate_1e300', history(lambda y, a: '1e300' if y == 2000 else 0.01), 'bad', r'h\.csv.*data row 1'),
        ('year_int_max', history(declining, (2000, 2005, 2147483647)), 'bad', r"h\.csv.*column 'year'"),
        ('year_int_min', history(declining, (-2147483648, 2005, 2010)), 'bad', r"h\.csv.*column 'year'"),
        ('same_year_twice', history(declining, (2000, 2000, 2005, 2010)), 'bad', r'second row for year 2000')]:
    cli('sto27_lc_fit_%s' % label, RUN, {'h.csv': text}, toml=STO.replace(LC, 'lee_carter = { fit = "h.csv" }'),
        expect=expect, pattern=pattern)
# The deterministic Lee–Carter drift at the ends of its range (-50 to 50): no survivors in the first step, or an open
# rate so small after 80 years that L = l / m overflows; each must name its year, zone and sex.
for label, drift, horizon in [('50', 50, 2030), ('minus_50_to_2300', -50, 2300)]:
    cli('sto27_lc_drift_%s' % label, RUN, toml=G('mx = { path = "mx.csv", columns = { value = "mx" } }',
                                                'mx = { path = "mx.csv", columns = { value = "mx" } }\n'
                                                'lee_carter = { drift = %d }' % drift).replace(
        'horizon = 2030', 'horizon = %d' % horizon).replace('"2030" = 2.0', '"%d" = 2.0' % horizon),
        pattern=r"year \d+–\d+, zone 'A', group 'total', sex female: life table from mx", timeout=300)
cli('sto27_lc_bx_nan', VAL, toml=STO.replace(LC, 'lee_carter = { k_sd = 1.0, bx = [nan, 0, 0, 0, 0, 0] }'),
    out=None, pattern=r'lee_carter\.bx\[0\]')
# bx and k_sd at the top of their ranges: a trajectory's walk raises the death rates until no one survives; the message
# must name the trajectory, year, zone and sex (it said "survival_ratios: person-years L at row 1 is 0.000000").
cli('sto27_lc_extremes', RUN + ['--trajectories', '50'],
    toml=STO.replace(LC, 'lee_carter = { k_sd = 10.0, bx = [10, 10, 10, 10, 10, 10] }'),
    pattern=r"\[stochastic\] trajectory \d+ of \w+ \(seed 7\): year \d+–\d+, zone '[AB]'.*sex \w+")
CORR = 'correlation = 0.5'
for label, text, expect, pattern in [
        ('nan', 'zone,A,B\nA,1,nan\nB,nan,1\n', 'bad', r"stochastic\.migration\.correlation.*c\.csv.*column 'B'"),
        ('repeated_column', 'zone,A,B,B\nA,1,0,0\nB,0,1,1\n', 'bad', r'same name'),
        ('extra_zone', 'zone,A,B,C\nA,1,0,0\nB,0,1,0\nC,0,0,1\n', 'bad', r'got "C"'),
        ('missing_column', 'zone,A\nA,1\nB,0\n', 'bad', r"missing column 'B'"),
        ('minus_one', 'zone,A,B\nA,1,-1\nB,-1,1\n', 'ok', None),
        ('asymmetric', 'zone,A,B\nA,1,0.5\nB,0.4,1\n', 'bad', r'symmetric'),
        ('subnormal', 'zone,A,B\nA,1,1e-320\nB,1e-320,1\n', 'ok', None)]:
    cli('sto27_corr_%s' % label, RUN, {'c.csv': text}, toml=STO.replace(CORR, 'correlation = "c.csv"'),
        expect=expect, pattern=pattern)
TFR = 'tfr = { sd = 0.1, ar1 = 0.8 }'
for label, numbers, pattern in [
        ('2p63', (0, 1, 2, 3, 9223372036854775808), r"t\.csv.*column 'trajectory'"),
        ('2p53', (0, 1, 2, 9007199254740992, 9007199254740993), r"t\.csv.*column 'trajectory'"),
        ('fraction', (0, 1, 2, 3, 3.5), r"t\.csv.*column 'trajectory'"),
        ('negative', (0, 1, 2, 3, -1), r"t\.csv.*column 'trajectory'")]:
    cli('sto27_tfr_traj_%s' % label, RUN, {'t.csv': 'trajectory,year,value\n' + ''.join(
        '%s,%d,1.5\n' % (i, y) for i in numbers for y in (2025, 2030))}, toml=STO.replace(TFR, 'tfr_trajectories = '
                                                                                         '"t.csv"'), pattern=pattern)
cli('sto27_e0_traj_sex_twice', RUN, {'e.csv': 'trajectory,year,sex,value\n' + ''.join(
    '%d,%d,%s,70\n' % (i, y, s) for i in range(5) for y in (2025, 2030) for s in ('female', 'f', 'male'))},
    toml=STO.replace(LC, 'e0_trajectories = "e.csv"'), pattern=r'e\.csv.*second row for trajectory 0')
cli('sto27_e0_traj_120', RUN, {'e.csv': 'trajectory,year,value\n' + ''.join(
    '%d,%d,120\n' % (i, y) for i in range(5) for y in (2025, 2030))}, toml=STO.replace(LC, 'e0_trajectories = "e.csv"'),
    expect='any', pattern=r'e\.csv|e0')

# --- (e) migration rates, households, capacity, controls --------------------------------------------------------------
NR = ''.join('A,%s,%d,%%s\n' % (s, a) for s in ('female', 'male') for a in (0, 5, 10, 15, 20))
for label, v, expect in [('1e300', '1e300', 'bad'), ('subnormal', '1e-320', 'ok'), ('nan', 'nan', 'bad')]:
    cli('mig27_net_rate_%s' % label, RUN, {'m.csv': 'zone,sex,age,value\n' + NR.replace('%s', v)},
        toml=G('[migration]\n', '[migration]\nnet_rate = { path = "m.csv", per = "step" }\n'), expect=expect,
        pattern=r'm\.csv|zone|overflow')
HH = '[households]\naverage_size = "h.csv"\n[plan_periods]'
for label, v in [('zero', '0'), ('subnormal', '1e-320'), ('1e300', '1e300')]:
    cli('hh27_size_%s' % label, VAL, {'h.csv': 'zone,persons_per_household\nA,%s\nB,3\n' % v},
        toml=G('[plan_periods]', HH), out=None, pattern=r"h\.csv.*data row 1.*persons_per_household")
for section, col in [('capacity', 'max_population'), ('controls', 'persons')]:
    zone = 'A' if section == 'capacity' else 'total'
    cli('plan27_%s_1e300' % section, VAL, {'c.csv': 'zone,year,%s\n%s,2025,1e300\n' % (col, zone)},
        toml=G('[plan_periods]', '[%s]\ntable = "c.csv"\n[plan_periods]' % section), out=None,
        pattern=r"c\.csv.*data row 1.*%s" % col)
cli('plan27_capacity_all_bind', RUN, {'c.csv': 'zone,year,max_population\nA,2025,10\nB,2025,10\n'},
    toml=G('[plan_periods]', '[capacity]\ntable = "c.csv"\n[plan_periods]'), pattern=r'caps of every zone bind')

# --- (f) backtest's observed and earlier tables -----------------------------------------------------------------------
H = 'year,zone,sex,age,population\n'
for label, rows, extra, pattern in [
        ('repeated_cell', '2025,A,all,all,5000\n2025,A,all,all,5000\n2025,B,all,all,5000\n', [], r'data row 2'),
        ('two_years', '2025,A,all,all,5000\n2030,B,all,all,5000\n', [], r"data row 2.*'year'"),
        ('negative', '2025,A,all,all,-5\n2025,B,all,all,5000\n', [], r"data row 1.*'population'"),
        ('zero_totals', '2025,A,all,all,0\n2025,B,all,all,0\n', [], r'zone A.*total of 0'),
        ('unknown_zone', '2025,A,all,all,5000\n2025,C,all,all,5000\n', [], r"zone 'C'"),
        ('age_inside_group', '2025,A,all,3,5000\n2025,B,all,all,5000\n', [], r"age '3'"),
        ('launch_year', '2020,A,all,all,5000\n2020,B,all,all,5000\n', [], r"'year'.*launch year"),
        ('earlier_after_launch', '2025,A,all,all,5000\n2025,B,all,all,5000\n', ['--earlier', 'e.csv'],
         r"e\.csv.*before the launch year"),
        ('earlier_is_observed', '2025,A,all,all,5000\n2025,B,all,all,5000\n', ['--earlier', 'obs.csv'],
         r'before the launch year'),
        ('variant_unknown', '2025,A,all,all,5000\n2025,B,all,all,5000\n', ['--variant', 'nope'], r"'nope'")]:
    cli('bt27_%s' % label, BT + extra, {'obs.csv': H + rows, 'e.csv': H + '2026,A,all,all,5\n2026,B,all,all,5\n'},
        pattern=pattern, timeout=120)
cli('bt27_group_unknown', BT, {'obs.csv': 'year,zone,group,sex,age,population\n2025,A,floating,all,all,5000\n'
                                          '2025,B,total,all,all,5000\n'}, pattern=r"group 'floating'", timeout=120)

# --- (g) estimate --levels and --group-split --------------------------------------------------------------------------
EST = os.path.join(os.path.dirname(FIX), 'estimate')
LEV_FILES = {f: open(os.path.join(EST, f)).read() for f in ('levels_mx.csv', 'levels_asfr.csv',
                                                              'levels_population.csv')}
LEV = ['estimate', '--levels', 'f.csv', '--mx', 'levels_mx.csv', '--asfr', 'levels_asfr.csv', '--population',
       'levels_population.csv', '--open-age', '50', '--out', 'out']
for label, rows, extra, expect, pattern in [
        ('ok', 'A,e0,65\nA,tfr,1.5\nB,deaths,150\nB,births,300\n', ['--srb', '105'], 'ok', None),
        # A fertility figure that needs more than 1 birth per woman per year (k = 90.8 × the standard; TFR 110).
        ('cbr_999', 'A,cbr_per_1000,999\n', ['--srb', '105'], 'bad',
         r"f\.csv.*data row 1.*column 'value': zone 'A': cbr_per_1000 999 needs .*at most 1"),
        ('tfr_20', 'A,tfr,20\n', [], 'bad', r"data row 1.*zone 'A': tfr 20 needs"),
        ('tfr_subnormal', 'A,tfr,1e-320\n', [], 'any', r'f\.csv'),
        ('deaths_subnormal', 'A,deaths,1e-320\n', [], 'bad', r"f\.csv.*data row 1.*zone 'A'"),
        ('e0_10', 'A,e0,10\n', ['--srb', '105'], 'bad', r"data row 1.*life expectancy 10"),
        ('indicator_capitals', 'A,E0,65\n', ['--srb', '105'], 'bad', r"indicator 'E0'"),
        # --srb out of its range was ignored when no figure is an e0.
        ('srb_nan_births', 'A,births,300\n', ['--srb', 'nan'], 'bad', r'--srb'),
        ('srb_negative_births', 'A,births,300\n', ['--srb', '-5'], 'bad', r'--srb: -5'),
        ('srb_1e300_e0', 'A,e0,65\n', ['--srb', '1e300'], 'bad', r'--srb'),
        ('asfr_age_past_int', 'A,tfr,1.5\n', ['--srb', '105'], 'bad', r"asfr\.csv.*age 4294967300")]:
    files = dict(LEV_FILES, **{'f.csv': 'zone,indicator,value\n' + rows})
    if label == 'asfr_age_past_int':
        files['levels_asfr.csv'] = 'age,asfr\n25,0.1\n4294967300,0.1\n'
    cli('lev27_%s' % label, LEV + extra, files, toml=None, expect=expect, pattern=pattern)


def hukou(code, residents=1000):
    return ''.join('%s,%s,%s\n' % (code, i, v) for i, v in [
        ('pop_resident', residents), ('pop_hukou_elsewhere_same_district', 100),
        ('pop_hukou_elsewhere_other_district_same_province', 100), ('pop_hukou_elsewhere_other_province', 100)])


GS = ['estimate', '--group-split', 'c.csv', '--out', 'out']
CENSUS = 'code,indicator,value\n' + hukou('110101') + hukou('110102')
for label, census, registry, expect, pattern in [
        ('ok', CENSUS, 'code,registered\n110101,900\n110102,800\n', 'ok', None),
        ('empty_code', CENSUS + hukou(''), None, 'bad', r"c\.csv.*data row 9.*column 'code': the cell is empty"),
        ('residents_1e300', 'code,indicator,value\n' + hukou('110101', '1e300'), None, 'bad', r'at most 1e12'),
        ('residents_nan', 'code,indicator,value\n' + hukou('110101', 'nan'), None, 'bad', r"c\.csv.*'value'"),
        ('registry_two_columns', CENSUS, 'code,registered,registered_10k\n110101,5,6\n', 'bad',
         r"r\.csv: two columns whose names start with 'registered'"),
        ('registry_1e300', CENSUS, 'code,registered_10k\n110101,1e300\n', 'bad',
         r"r\.csv.*data row 1.*'registered_10k': 1e\+304 persons"),
        ('registry_negative', CENSUS, 'code,registered\n110101,-1\n', 'bad', r"r\.csv.*data row 1.*-1 persons"),
        ('registry_twice', CENSUS, 'code,registered\n110101,900\n110101,700\n', 'bad',
         r"r\.csv.*data row 2.*second row for zone 110101"),
        ('registry_other_codes', CENSUS, 'code,registered\n999999,5\n', 'ok', None),
        ('floating_unknown', CENSUS, None, 'bad', r'--floating')]:
    args = GS + (['--registry', 'r.csv'] if registry else []) + (['--floating', 'x'] if 'floating' in label else [])
    cli('gs27_%s' % label, args, dict({'c.csv': census}, **({'r.csv': registry} if registry else {})), toml=None,
        expect=expect, pattern=pattern)

# --- (h) registers' exposure ------------------------------------------------------------------------------------------
REG = G('[plan_periods]', '[registers]\n'
        'deaths = { path = "d.csv", columns = { date = "died", age = "age", sex = "sex", '
        'zone = "zone" } }\nexposure = { path = "e.csv" }\n\n[plan_periods]')
for label, value, expect in [('1e300', '1e300', 'bad'), ('1e13', '1e13', 'bad'), ('nan', 'nan', 'bad'),
                             ('negative', '-1', 'bad'), ('subnormal', '1e-320', 'ok'), ('1e12', '1e12', 'ok')]:
    cli('reg27_exposure_%s' % label, RUN, {'d.csv': 'died,age,sex,zone\n2020-03-01,20,female,A\n',
                                          'e.csv': 'year,zone,sex,age,value\n2020,A,female,20,%s\n' % value},
        toml=REG, expect=expect, pattern=r"key 'registers\.exposure'.*e\.csv.*data row 1.*column 'value'")
cli('reg27_exposure_as_string', VAL, toml=REG.replace('exposure = { path = "e.csv" }', 'exposure = "e.csv"'),
    out=None, pattern=r'registers\.exposure')

# --- (i) labels: target, service, relocation and plan period names; [[services]] values -------------------------------
SERVICE = '\n[[services]]\nname = %s\nages = [5, 14]\nper_person = 1\n'
LABELS = [('empty', '""'), ('spaces', '"   "'), ('line_break', '"a\\nb"'), ('nel', '"a\\u0085b"'),
          ('line_separator', '"a\\u2028b"'), ('escape', '"a\\u001b[31mb"'), ('tab', '"a\\tb"'),
          ('comma_quote', '"a,\\"b"'), ('zero_width_space', '"a\\u200bb"'), ('chars_300', '"%s"' % ('x' * 300))]
for label, text in LABELS:
    fine = label in ('comma_quote', 'zero_width_space')
    for where, toml in [('target', G('name = "population of A"', 'name = %s' % text)),
                        ('service', GOOD + SERVICE % text),
                        ('relocation', G('from = "A"', 'name = %s\nfrom = "A"' % text)),
                        ('plan_period', G('"2021-2025" = "first"', '"2021-2025" = %s' % text))]:
        ok = fine or (where == 'plan_period' and label in ('empty', 'chars_300'))
        cli('label27_%s_%s' % (where, label), VAL, toml=toml, out=None, expect='ok' if ok else 'bad',
            pattern=r"key '(targets\[0\]|services\[0\]|relocation\[0\])\.name'|key 'plan_periods\.2021-2025'")
for label, body, files, expect, pattern in [
        ('ages_reversed', 'ages = [14, 5]\nper_person = 1', {}, 'bad', r'services\[0\]\.ages'),
        ('ages_into_open_group', 'ages = [5, 20]\nper_person = 1', {}, 'bad', r'open age group'),
        ('ages_and_births', 'ages = [5, 14]\nbirths = true\nper_person = 1', {}, 'bad', r'services\[0\]'),
        ('per_1000_path_nan', 'ages = [5, 14]\nper_1000 = { "2020" = nan }', {}, 'bad', r'per_1000\.2020'),
        ('capacity_total_key', 'ages = [5, 14]\nper_person = 1\ncapacity = { total = 5 }', {}, 'bad',
         r'capacity\.total'),
        ('capacity_1e11', 'ages = [5, 14]\nper_person = 1\ncapacity = 1e11', {}, 'bad', r'services\[0\]\.capacity'),
        ('capacity_table_twice', 'ages = [5, 14]\nper_person = 1\ncapacity = "c.csv"',
         {'c.csv': 'zone,capacity\nA,5\nA,6\n'}, 'bad', r'c\.csv.*data row 2.*second capacity'),
        ('capacity_table_1e300', 'ages = [5, 14]\nper_person = 1\ncapacity = "c.csv"',
         {'c.csv': 'zone,capacity\nA,1e300\n'}, 'bad', r'c\.csv.*data row 1'),
        ('enrolment_1_6', 'ages = [5, 14]\nper_person = 1\nenrolment = 1.6', {}, 'bad', r'enrolment')]:
    cli('svc27_%s' % label, VAL, files, toml=GOOD + '\n[[services]]\nname = "s"\n%s\n' % body, out=None,
        expect=expect, pattern=pattern)

# --- (j) gravity distances and centroids ------------------------------------------------------------------------------
GRAV = 'gravity = { out_rate = 0.02, %s }\nflows = ['
for label, spec, files, expect, pattern in [
        ('distance_subnormal_decay_5', 'distances = "d.csv", distance_decay = 5',
         {'d.csv': 'origin,destination,distance\nA,B,1e-320\n'}, 'ok', None),
        ('distance_1e300', 'distances = "d.csv", distance_decay = 5',
         {'d.csv': 'origin,destination,distance\nA,B,1e300\n'},
         'bad', r'too large for its weight'),
        ('distance_zero', 'distances = "d.csv"', {'d.csv': 'origin,destination,distance\nA,B,0\n'}, 'bad',
         r'no positive distance'),
        ('distance_nan', 'distances = "d.csv"', {'d.csv': 'origin,destination,distance\nA,B,nan\n'}, 'bad', r'd\.csv'),
        ('centroids_same_point', 'centroids = "c.csv", coordinates = "planar"', {'c.csv': 'zone,x,y\nA,0,0\nB,0,0\n'},
         'bad', r'no positive distance'),
        # x and y swapped in degrees: latitude 116.4 is no place on Earth.
        ('centroids_lat_lon_swapped', 'centroids = "c.csv"', {'c.csv': 'zone,x,y\nA,39.9,116.4\nB,39.8,116.3\n'}, 'bad',
         r"c\.csv.*data row 1.*column 'y': latitude 116\.4 outside -90 to 90"),
        ('centroids_longitude_500', 'centroids = "c.csv"', {'c.csv': 'zone,x,y\nA,0,0\nB,500,10\n'}, 'bad',
         r"c\.csv.*data row 2.*column 'x': longitude 500"),
        ('centroids_antipodes', 'centroids = "c.csv"', {'c.csv': 'zone,x,y\nA,0,0\nB,180,0\n'}, 'ok', None),
        ('centroids_planar_huge_ok', 'centroids = "c.csv", coordinates = "planar"',
         {'c.csv': 'zone,x,y\nA,0,0\nB,500000,100000\n'}, 'ok', None)]:
    cli('grav27_%s' % label, RUN, files, toml=G('flows = [', GRAV % spec), expect=expect,
        pattern=pattern and r'migration\.gravity.*' + pattern)

PROBE.finish()
