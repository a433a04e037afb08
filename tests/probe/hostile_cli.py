#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Hostile-input probe of the cohortgis command line (issue 16, round 3): 187 cases on the inputs of issue 15 and
earlier ([[transitions]]/multistate, parity, [stochastic], [monitoring], estimate --levels, backtest) and on files
that are not what they claim (pipes, folders, NUL bytes, non-UTF-8, huge numbers, paths out of the sandbox, URLs),
plus SIGINT/SIGTERM mid-run. Each case runs in a fresh folder under WORK; a case fails on a hang (60 s), an exit
code other than 0/1, a bad input accepted or leaving an output folder, or a message that looks like a crash. Not a
ctest (about 4 minutes); the findings became cases of tests/fixtures/bad/cases.tsv and tests/app/special_files.sh.
Usage: /usr/bin/python3 tests/probe/hostile_cli.py [BUILD_DIR [WORK_DIR]] [CASE_PREFIX ...]"""
import os, shutil, subprocess, sys, signal, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe_common import CRASHY, REPO, command_line  # noqa: E402
BUILD, ROOT, EXE, ONLY = command_line('cohortgis-hostile-probe-')
FIX = os.path.join(REPO, 'tests/fixtures')

MS = open(os.path.join(FIX, 'bad/multistate_negative_probability.toml')).read()
MS = MS.split('[[transitions]]')[0] + '[[transitions]]\nfrom = "floating"\nto = "registered"\nrate = 0.02\n'
PAR = open(os.path.join(FIX, 'scenarios/parity/scenario.toml')).read()
STO = open(os.path.join(FIX, 'scenarios/stochastic.toml')).read()
MON = open(os.path.join(FIX, 'bad/monitoring_bad_unit.toml')).read()

def setup(d):
    os.makedirs(d)
    for f in ['base_two_groups.csv', 'asfr.csv', 'mx.csv', 'base.csv']:
        shutil.copy(os.path.join(FIX, 'bad', f), d)
    for f in os.listdir(os.path.join(FIX, 'scenarios/parity')):
        if f.endswith('.csv'):
            shutil.copy(os.path.join(FIX, 'scenarios/parity', f), os.path.join(d, 'p_' + f))
    for f in ['base.csv', 'asfr.csv', 'mx.csv']:
        shutil.copy(os.path.join(FIX, 'scenarios', f), os.path.join(d, 's_' + f))
    for f in os.listdir(os.path.join(FIX, 'estimate')):
        shutil.copy(os.path.join(FIX, 'estimate', f), os.path.join(d, 'e_' + f))
    for f in os.listdir(os.path.join(FIX, 'backtest')):
        shutil.copy(os.path.join(FIX, 'backtest', f), os.path.join(d, 'b_' + f))

def par(s):
    s = s.replace('"base.csv"', '"p_base.csv"').replace('"rates.csv"', '"p_rates.csv"')
    s = s.replace('"base_shares.csv"', '"p_base_shares.csv"').replace('"mx.csv"', '"p_mx.csv"')
    return s.replace('"rates_three_child.csv"', '"p_rates_three_child.csv"')
PAR = par(PAR)
STO = STO.replace('"base.csv"', '"s_base.csv"').replace('"asfr.csv"', '"s_asfr.csv"').replace('"mx.csv"', '"s_mx.csv"')
MON = MON.replace('"base.csv"', '"s_base.csv"').replace('"asfr.csv"', '"s_asfr.csv"').replace('"mx.csv"', '"s_mx.csv"')
MON = MON.replace('monitoring_bad_unit.csv', 'obs.csv')
OBS_OK = 'year,zone,indicator,value,unit\n2025,900000,population_resident,1.05,10k persons\n'

cases = []
def case(name, files, args, expect='bad', pattern=None, special=None):
    cases.append(dict(name=name, files=files, args=args, expect=expect, pattern=pattern, special=special))

def run_sc(name, toml, extra_files=None, cmd='run', expect='bad', pattern=None, special=None, args_extra=()):
    files = {'sc.toml': toml}
    files.update(extra_files or {})
    args = [cmd, 'sc.toml'] + (['--out', 'out', '--no-report', '--quiet'] if cmd == 'run' else []) + list(args_extra)
    case(name, files, args, expect, pattern, special)

# ---- sanity: the base scenarios run
run_sc('ok_multistate', MS, expect='ok')
run_sc('ok_parity', PAR, expect='ok')
run_sc('ok_stochastic', STO, expect='ok')
run_sc('ok_monitoring', MON, {'obs.csv': OBS_OK}, expect='ok')

# ---- multistate / transitions
T = lambda body: MS.split('[[transitions]]')[0] + '[[transitions]]\n' + body
run_sc('ms_unknown_from', T('from = "nobody"\nto = "registered"\nrate = 0.02\n'))
run_sc('ms_from_equals_to', T('from = "floating"\nto = "floating"\nrate = 0.02\n'))
run_sc('ms_rate_negative', T('from = "floating"\nto = "registered"\nrate = -0.02\n'))
run_sc('ms_rate_nan', T('from = "floating"\nto = "registered"\nrate = nan\n'))
run_sc('ms_rate_inf', T('from = "floating"\nto = "registered"\nrate = inf\n'))
run_sc('ms_rate_string', T('from = "floating"\nto = "registered"\nrate = "0.02"\n'))
run_sc('ms_ages_reversed', T('from = "floating"\nto = "registered"\nrate = 0.02\nages = [30, 10]\n'))
run_sc('ms_ages_negative', T('from = "floating"\nto = "registered"\nrate = 0.02\nages = [-5, 10]\n'))
run_sc('ms_ages_huge', T('from = "floating"\nto = "registered"\nrate = 0.02\nages = [0, 9223372036854775807]\n'))
run_sc('ms_years_outside', T('from = "floating"\nto = "registered"\nrate = 0.02\nyears = [2050, 2060]\n'))
run_sc('ms_years_huge', T('from = "floating"\nto = "registered"\nrate = 0.02\nyears = [2020, 9223372036854775807]\n'))
run_sc('ms_open_age_bad', MS.replace('method = "multistate"', 'method = "multistate"\nmultistate_open_age = "maybe"'))
run_sc('ms_method_case', MS.replace('method = "multistate"', 'method = "Multistate"'))
run_sc('ms_method_int', MS.replace('method = "multistate"', 'method = 2'))
run_sc('ms_quota', T('from = "floating"\nto = "registered"\nquota_per_year = 100\n'))
run_sc('ms_rates_traversal', T('from = "floating"\nto = "registered"\nrates = "../../../../etc/passwd"\n'))
run_sc('ms_rates_absolute', T('from = "floating"\nto = "registered"\nrates = "/etc/passwd"\n'))
run_sc('ms_rates_http', T('from = "floating"\nto = "registered"\nrates = "http://example.com/r.csv"\n'))
run_sc('ms_rates_vsicurl', T('from = "floating"\nto = "registered"\nrates = "/vsicurl/http://example.com/r.csv"\n'))
run_sc('ms_rates_folder', T('from = "floating"\nto = "registered"\nrates = "dir"\n'), {'dir/': None})
run_sc('ms_rates_fifo', T('from = "floating"\nto = "registered"\nrates = "fifo.csv"\n'), {'fifo.csv': 'FIFO'})
run_sc('ms_rates_symlink_out', T('from = "floating"\nto = "registered"\nrates = "link.csv"\n'),
       {'link.csv': 'SYMLINK:/etc/hostname'})
run_sc('ms_rates_empty', T('from = "floating"\nto = "registered"\nrates = "r.csv"\n'), {'r.csv': ''})
run_sc('ms_rates_header_only', T('from = "floating"\nto = "registered"\nrates = "r.csv"\n'),
       {'r.csv': 'sex,age,value\n'})
run_sc('ms_rates_nul', T('from = "floating"\nto = "registered"\nrates = "r.csv"\n'),
       {'r.csv': b'sex,age,value\nfemale,0,0.0\x001\n'})
run_sc('ms_rates_latin1', T('from = "floating"\nto = "registered"\nrates = "r.csv"\n'),
       {'r.csv': b'sex,age,value\nf\xe9male,0,0.01\n'})
run_sc('ms_rates_huge', T('from = "floating"\nto = "registered"\nrates = "r.csv"\n'),
       {'r.csv': 'sex,age,value\nfemale,0,1e400\n'})
run_sc('ms_rates_nan', T('from = "floating"\nto = "registered"\nrates = "r.csv"\n'),
       {'r.csv': 'sex,age,value\nfemale,0,nan\n'})
run_sc('ms_rates_neg', T('from = "floating"\nto = "registered"\nrates = "r.csv"\n'),
       {'r.csv': 'sex,age,value\nfemale,0,-0.1\n'})
run_sc('ms_rates_age_huge', T('from = "floating"\nto = "registered"\nrates = "r.csv"\n'),
       {'r.csv': 'sex,age,value\nfemale,99999999999999999999,0.01\n'})
run_sc('ms_rates_age_off_grid', T('from = "floating"\nto = "registered"\nrates = "r.csv"\n'),
       {'r.csv': 'sex,age,value\nfemale,3,0.01\n'})
run_sc('ms_rates_bad_sex', T('from = "floating"\nto = "registered"\nrates = "r.csv"\n'),
       {'r.csv': 'sex,age,value\nwoman,0,0.01\n'})
run_sc('ms_rates_dup', T('from = "floating"\nto = "registered"\nrates = "r.csv"\n'),
       {'r.csv': 'sex,age,value\nfemale,0,0.01\nfemale,0,0.02\n'})
run_sc('ms_rates_and_rate', T('from = "floating"\nto = "registered"\nrate = 0.01\nrates = "r.csv"\n'),
       {'r.csv': 'sex,age,value\nfemale,0,0.01\n'})
run_sc('ms_rates_missing', T('from = "floating"\nto = "registered"\nrates = "nothere.csv"\n'))
run_sc('ms_no_rate', T('from = "floating"\nto = "registered"\n'))
run_sc('ms_transitions_table', MS.split('[[transitions]]')[0] + '[transitions]\nfrom = "floating"\nto = "registered"\n'
       'rate = 0.02\n')
g17 = ', '.join('"g%d"' % i for i in range(17))
run_sc('ms_17_groups', MS.replace('groups = ["registered", "floating"]', 'groups = [%s]' % g17))
run_sc('ms_threads_huge', MS, args_extra=['--threads', '99999999999999999999'])
run_sc('ms_threads_zero', MS, args_extra=['--threads', '0'], expect='any')
run_sc('ms_horizon_huge', MS.replace('horizon = 2030', 'horizon = 9223372036854775807'))
run_sc('ms_base_year_huge', MS.replace('base_year = 2020', 'base_year = -9223372036854775808'))
run_sc('ms_open_age_huge', MS.replace('open_age = 20', 'open_age = 4000000000'))
run_sc('ms_step_huge', MS.replace('step = 5', 'step = 1e308'))

# ---- parity
P = lambda old, new: PAR.replace(old, new)
run_sc('par_rates_traversal', P('"p_rates.csv"', '"../../../../etc/passwd"'))
run_sc('par_rates_http', P('"p_rates.csv"', '"http://example.com/r.csv"'))
run_sc('par_rates_vsicurl', P('"p_rates.csv"', '"/vsicurl/https://example.com/r.csv"'))
run_sc('par_rates_folder', P('"p_rates.csv"', '"dir"'), {'dir/': None})
run_sc('par_rates_fifo', P('"p_rates.csv"', '"fifo.csv"'), {'fifo.csv': 'FIFO'})
run_sc('par_rates_empty', P('"p_rates.csv"', '"r.csv"'), {'r.csv': ''})
run_sc('par_rates_nul', P('"p_rates.csv"', '"r.csv"'), {'r.csv': b'age,parity,value\n20,0\x00,0.1\n'})
run_sc('par_rates_neg', P('"p_rates.csv"', '"r.csv"'), {'r.csv': 'age,parity,value\n20,0,-0.1\n'})
run_sc('par_rates_nan', P('"p_rates.csv"', '"r.csv"'), {'r.csv': 'age,parity,value\n20,0,nan\n'})
run_sc('par_rates_parity_4', P('"p_rates.csv"', '"r.csv"'), {'r.csv': 'age,parity,value\n20,4,0.1\n'})
run_sc('par_rates_parity_neg', P('"p_rates.csv"', '"r.csv"'), {'r.csv': 'age,parity,value\n20,-1,0.1\n'})
run_sc('par_rates_age_huge', P('"p_rates.csv"', '"r.csv"'), {'r.csv': 'age,parity,value\n1e300,0,0.1\n'})
run_sc('par_rates_year_huge', P('"p_rates.csv"', '"r.csv"'), {'r.csv': 'age,parity,value,year\n20,0,0.1,99999999999\n'})
run_sc('par_rates_year_neg', P('"p_rates.csv"', '"r.csv"'), {'r.csv': 'age,parity,value,year\n20,0,0.1,-2020\n'})
run_sc('par_rates_unit_bad', P('{ path = "p_rates.csv" }', '{ path = "p_rates.csv", unit = "per_million" }'))
run_sc('par_rates_first_age', P('"p_rates.csv"', '"r.csv"'), {'r.csv': 'age,parity,value\n0,0,0.1\n'})
run_sc('par_base_share_above_1', P('"p_base_shares.csv"', '"b.csv"'),
       {'b.csv': 'age,parity,share\n15,0,1.5\n15,1,-0.5\n15,2,0\n15,3+,0\n'})
run_sc('par_base_women_nan', P('"p_base_shares.csv"', '"b.csv"'), {'b.csv': 'age,parity,women\n15,0,nan\n'})
run_sc('par_base_both_cols', P('"p_base_shares.csv"', '"b.csv"'), {'b.csv': 'age,parity,women,share\n15,0,1,1\n'})
run_sc('par_base_bogus_string', P('parity_base = { path = "p_base_shares.csv" }', 'parity_base = "guess"'))
run_sc('par_srb_missing_key', P('srb_by_order = { "1" = 104, "2" = 110, "3+" = 130 }',
                                'srb_by_order = { "1" = 104, "2" = 110 }'))
run_sc('par_srb_huge', P('"3+" = 130', '"3+" = 1e308'))
run_sc('par_srb_nan', P('"3+" = 130', '"3+" = nan'))
run_sc('par_srb_extra_key', P('"3+" = 130', '"3+" = 130, "4" = 140'))
run_sc('par_progression_high', P('parity_rates = { path = "p_rates.csv" }', 'parity_progression = { path = "r.csv" }'),
       {'r.csv': 'age,parity,value\n20,0,0.9\n'})
run_sc('par_progression_nan', P('parity_rates = { path = "p_rates.csv" }', 'parity_progression = { path = "r.csv" }'),
       {'r.csv': 'age,parity,value\n20,0,nan\n'})
run_sc('par_variant_traversal', P('"p_rates_three_child.csv"', '"../../../etc/shadow"'))
run_sc('par_variant_http', P('"p_rates_three_child.csv"', '"http://x/y.csv"'))

# ---- stochastic
S = lambda old, new: STO.replace(old, new)
run_sc('sto_traj_zero', S('trajectories = 5', 'trajectories = 0'))
run_sc('sto_traj_neg', S('trajectories = 5', 'trajectories = -5'))
run_sc('sto_traj_huge', S('trajectories = 5', 'trajectories = 9223372036854775807'))
run_sc('sto_traj_float', S('trajectories = 5', 'trajectories = 5.5'))
run_sc('sto_seed_neg', S('seed = 7', 'seed = -7'))
run_sc('sto_seed_huge', S('seed = 7', 'seed = 9223372036854775807'))
run_sc('sto_tfr_sd_nan', S('sd = 0.1, ar1', 'sd = nan, ar1'))
run_sc('sto_tfr_sd_inf', S('sd = 0.1, ar1', 'sd = inf, ar1'))
run_sc('sto_tfr_sd_huge', S('sd = 0.1, ar1', 'sd = 1e308, ar1'), expect='any')
run_sc('sto_ar1_2', S('ar1 = 0.8', 'ar1 = 2'))
run_sc('sto_k_sd_nan', S('k_sd = 1.0', 'k_sd = nan'))
run_sc('sto_k_sd_huge', S('k_sd = 1.0', 'k_sd = 1e300'))
run_sc('sto_bx_wrong_count', S('k_sd = 1.0', 'k_sd = 1.0, bx = [0.5, 0.5]'))
run_sc('sto_bx_nan', S('k_sd = 1.0', 'k_sd = 1.0, bx = [nan, nan, nan, nan, nan, nan]'))
run_sc('sto_mig_sd_nan', S('sd = 0.2, correlation', 'sd = nan, correlation'))
run_sc('sto_mig_sd_huge', S('sd = 0.2, correlation', 'sd = 1e10, correlation'))
run_sc('sto_corr_nan', S('correlation = 0.5', 'correlation = nan'))
run_sc('sto_unknown_key', S('seed = 7', 'seed = 7\nsedd = 8'))
run_sc('sto_cli_traj_neg', STO, args_extra=['--trajectories', '-5'])
run_sc('sto_cli_traj_text', STO, args_extra=['--trajectories', 'many'])
run_sc('sto_cli_traj_huge', STO, args_extra=['--trajectories', '99999999999999999999999'])
run_sc('sto_cli_traj_overflow_int', STO, args_extra=['--trajectories', '4294967297'])
run_sc('sto_cli_seed_neg', STO, args_extra=['--seed', '-1'])
run_sc('sto_cli_seed_huge', STO, args_extra=['--seed', '99999999999999999999'])
run_sc('sto_cli_seed_trailing', STO, args_extra=['--seed', '12abc'])
run_sc('sto_tfr_traj_traversal', S('seed = 7', 'seed = 7\ntfr_trajectories = "../../../../etc/passwd"'))
run_sc('sto_tfr_traj_fifo', S('seed = 7', 'seed = 7\ntfr_trajectories = "fifo.csv"'), {'fifo.csv': 'FIFO'})
run_sc('sto_tfr_traj_http', S('seed = 7', 'seed = 7\ntfr_trajectories = "http://example.com/t.csv"'))
run_sc('sto_tfr_traj_huge_id', S('seed = 7', 'seed = 7\ntfr_trajectories = "t.csv"'),
       {'t.csv': 'trajectory,year,value\n99999999999999999999,2025,1.5\n'})
run_sc('sto_tfr_traj_nan', S('seed = 7', 'seed = 7\ntfr_trajectories = "t.csv"'),
       {'t.csv': 'trajectory,year,value\n1,2025,nan\n'})
run_sc('sto_e0_traj_neg', S('seed = 7', 'seed = 7\ne0_trajectories = "t.csv"'),
       {'t.csv': 'trajectory,year,value\n1,2025,-70\n1,2030,-70\n2,2025,-70\n2,2030,-70\n'})

# ---- monitoring
M = lambda obs: {'obs.csv': obs}
H = 'year,zone,indicator,value,unit\n'
run_sc('mon_value_nan', MON, M(H + '2025,900000,population_resident,nan,10k persons\n'))
run_sc('mon_value_inf', MON, M(H + '2025,900000,population_resident,inf,10k persons\n'))
run_sc('mon_value_huge', MON, M(H + '2025,900000,population_resident,1e400,10k persons\n'))
run_sc('mon_year_huge', MON, M(H + '99999999999999999999,900000,population_resident,1.0,10k persons\n'))
run_sc('mon_year_frac', MON, M(H + '2025.5,900000,population_resident,1.0,10k persons\n'))
run_sc('mon_dup', MON, M(H + '2025,900000,population_resident,1.0,10k persons\n'
                         '2025,900000,population_resident,1.1,10k persons\n'))
run_sc('mon_empty', MON, M(''))
run_sc('mon_header_only', MON, M(H), expect='any')
run_sc('mon_nul', MON, M(b'year,zone,indicator,value,unit\n2025,900000,population_resident,1\x00.0,10k persons\n'))
run_sc('mon_latin1', MON, M(b'year,zone,indicator,value,unit\n2025,900000,population_resident,1.0,10k p\xe9rsons\n'))
run_sc('mon_unknown_group', MON, M('year,zone,indicator,value,unit,group\n'
                                   '2025,900000,population_resident,1.0,10k persons,ghosts\n'))
run_sc('mon_traversal', MON.replace('"obs.csv"', '"../../../../etc/passwd"'))
run_sc('mon_http', MON.replace('"obs.csv"', '"https://example.com/o.csv"'))
run_sc('mon_fifo', MON.replace('"obs.csv"', '"fifo.csv"'), {'fifo.csv': 'FIFO'})
run_sc('mon_folder', MON.replace('"obs.csv"', '"dir"'), {'dir/': None})
run_sc('mon_tol_negative', MON.replace('relative = 0.01', 'relative = -0.01'), M(OBS_OK))
run_sc('mon_tol_nan', MON.replace('relative = 0.01', 'relative = nan'), M(OBS_OK))
run_sc('mon_fitted_year_huge', MON + 'fitted = { population_resident = [99999999999] }\n', M(OBS_OK))
run_sc('mon_names_unknown_target', MON.replace('names = { population_resident = "population" }',
                                               'names = { population_resident = "gdp" }'), M(OBS_OK))

# ---- estimate --levels
E = lambda figs, extra=(): case('est_' + figs[0], {'f.csv': figs[1]},
                                ['estimate', '--levels', 'f.csv', '--mx', 'e_levels_mx.csv', '--asfr',
                                 'e_levels_asfr.csv', '--population', 'e_levels_population.csv', '--srb', '105',
                                 '--open-age', '50', '--out', 'out'] + list(extra))
FH = 'zone,indicator,value\n'
case('est_ok', {}, ['estimate', '--levels', 'e_levels_figures.csv', '--mx', 'e_levels_mx.csv', '--asfr',
                    'e_levels_asfr.csv', '--population', 'e_levels_population.csv', '--srb', '105', '--open-age', '50',
                    '--out', 'out'], expect='ok')
zone = None
E(('nan', FH + 'A,e0,nan\n'))
E(('inf', FH + 'A,tfr,inf\n'))
E(('huge', FH + 'A,deaths,1e308\n'))
E(('neg', FH + 'A,tfr,-1\n'))
E(('empty', ''))
E(('header_only', FH))
E(('nul', b'zone,indicator,value\nA,tfr\x00,1.5\n'))
E(('latin1', b'zone,indicator,value\nZ\xe91,tfr,1.5\n'))
case('est_srb_zero', {}, ['estimate', '--levels', 'e_levels_figures.csv', '--mx', 'e_levels_mx.csv', '--asfr',
                          'e_levels_asfr.csv', '--population', 'e_levels_population.csv', '--srb', '0', '--open-age',
                          '50', '--out', 'out'])
case('est_srb_nan', {}, ['estimate', '--levels', 'e_levels_figures.csv', '--mx', 'e_levels_mx.csv', '--asfr',
                         'e_levels_asfr.csv', '--population', 'e_levels_population.csv', '--srb', 'nan', '--open-age',
                         '50', '--out', 'out'])
case('est_srb_text', {}, ['estimate', '--levels', 'e_levels_figures.csv', '--mx', 'e_levels_mx.csv', '--asfr',
                          'e_levels_asfr.csv', '--population', 'e_levels_population.csv', '--srb', 'lots', '--open-age',
                          '50', '--out', 'out'])
case('est_open_age_huge', {}, ['estimate', '--levels', 'e_levels_figures.csv', '--mx', 'e_levels_mx.csv', '--asfr',
                               'e_levels_asfr.csv', '--population', 'e_levels_population.csv', '--srb', '105',
                               '--open-age', '99999999999', '--out', 'out'])
case('est_open_age_neg', {}, ['estimate', '--levels', 'e_levels_figures.csv', '--mx', 'e_levels_mx.csv', '--asfr',
                              'e_levels_asfr.csv', '--population', 'e_levels_population.csv', '--srb', '105',
                              '--open-age', '-5', '--out', 'out'])
case('est_figures_fifo', {'fifo.csv': 'FIFO'}, ['estimate', '--levels', 'fifo.csv', '--mx', 'e_levels_mx.csv', '--asfr',
                                                'e_levels_asfr.csv', '--population', 'e_levels_population.csv', '--srb',
                                                '105', '--open-age', '50', '--out', 'out'])
case('est_figures_folder', {'dir/': None}, ['estimate', '--levels', 'dir', '--mx', 'e_levels_mx.csv', '--srb', '105',
                                            '--open-age', '50', '--out', 'out'])
case('est_mx_http', {}, ['estimate', '--levels', 'e_levels_figures.csv', '--mx', 'http://example.com/mx.csv', '--srb',
                         '105', '--open-age', '50', '--out', 'out'])
case('est_mx_vsicurl', {}, ['estimate', '--levels', 'e_levels_figures.csv', '--mx',
                            '/vsicurl/http://example.com/mx.csv', '--srb', '105', '--open-age', '50', '--out', 'out'])
case('est_mx_traversal', {}, ['estimate', '--levels', 'e_levels_figures.csv', '--mx', '../../../../etc/passwd', '--srb',
                              '105', '--open-age', '50', '--out', 'out'])
case('est_mx_nan', {'m.csv': 'sex,age,mx\nfemale,0,nan\n'},
     ['estimate', '--levels', 'e_levels_figures.csv', '--mx', 'm.csv', '--asfr', 'e_levels_asfr.csv', '--population',
      'e_levels_population.csv', '--srb', '105', '--open-age', '50', '--out', 'out'])
case('est_pop_neg', {'p.csv': 'zone,sex,age,population\nA,female,0,-100\n'},
     ['estimate', '--levels', 'e_levels_figures.csv', '--mx', 'e_levels_mx.csv', '--asfr', 'e_levels_asfr.csv',
      '--population', 'p.csv', '--srb', '105', '--open-age', '50', '--out', 'out'])
case('est_out_is_file', {'outfile': 'x'}, ['estimate', '--levels', 'e_levels_figures.csv', '--mx', 'e_levels_mx.csv',
                                           '--asfr', 'e_levels_asfr.csv', '--population', 'e_levels_population.csv',
                                           '--srb', '105', '--open-age', '50', '--out', 'outfile'])
case('est_out_devnull', {}, ['estimate', '--levels', 'e_levels_figures.csv', '--mx', 'e_levels_mx.csv', '--asfr',
                             'e_levels_asfr.csv', '--population', 'e_levels_population.csv', '--srb', '105',
                             '--open-age', '50', '--out', '/dev/null'])
case('est_levels_missing_arg', {}, ['estimate', '--levels'])
case('est_filter_no_eq', {}, ['estimate', '--levels', 'e_levels_figures.csv', '--mx', 'e_levels_mx.csv', '--mx-filter',
                              'iso3', '--srb', '105', '--open-age', '50', '--out', 'out'])

# ---- backtest (on the tiny stochastic-free scenario good.toml)
GOOD = open(os.path.join(FIX, 'scenarios/good.toml')).read().replace('"base.csv"', '"s_base.csv"').replace(
    '"asfr.csv"', '"s_asfr.csv"').replace('"mx.csv"', '"s_mx.csv"')
def B(name, obs, extra=(), expect='bad'):
    case('bt_' + name, {'sc.toml': GOOD, 'o.csv': obs}, ['backtest', 'sc.toml', '--observed', 'o.csv', '--out', 'out',
                                                         '--no-report'] + list(extra), expect)
OB = 'year,zone,group,sex,age,population\n'
B('ok', OB + '2025,A,all,all,all,10000\n2025,B,all,all,all,10000\n', expect='ok')
B('pop_nan', OB + '2025,A,all,all,all,nan\n2025,B,all,all,all,10000\n')
B('pop_neg', OB + '2025,A,all,all,all,-5\n2025,B,all,all,all,10000\n')
B('pop_huge', OB + '2025,A,all,all,all,1e308\n2025,B,all,all,all,1e308\n', expect='any')
B('pop_inf', OB + '2025,A,all,all,all,inf\n2025,B,all,all,all,10000\n')
B('pop_zero', OB + '2025,A,all,all,all,0\n2025,B,all,all,all,0\n', expect='any')
B('year_huge', OB + '99999999999999999999,A,all,all,all,100\n')
B('year_frac', OB + '2025.5,A,all,all,all,100\n2025.5,B,all,all,all,100\n')
B('year_two', OB + '2025,A,all,all,all,100\n2030,B,all,all,all,100\n')
B('empty', '')
B('header_only', OB)
B('nul', b'year,zone,group,sex,age,population\n2025,A\x00,all,all,all,100\n')
B('age_huge', OB + '2025,A,all,all,99999999999999999999,100\n2025,B,all,all,all,100\n')
B('earlier_nan', OB + '2025,A,all,all,all,10000\n2025,B,all,all,all,10000\n', ['--earlier', 'e.csv'])
cases[-1]['files']['e.csv'] = OB + '2015,A,all,all,all,nan\n2015,B,all,all,all,100\n'
B('earlier_same_year', OB + '2025,A,all,all,all,10000\n2025,B,all,all,all,10000\n', ['--earlier', 'e.csv'])
cases[-1]['files']['e.csv'] = OB + '2020,A,all,all,all,100\n2020,B,all,all,all,100\n'
case('bt_observed_fifo', {'sc.toml': GOOD, 'fifo.csv': 'FIFO'},
     ['backtest', 'sc.toml', '--observed', 'fifo.csv', '--out', 'out', '--no-report'])
case('bt_observed_http', {'sc.toml': GOOD}, ['backtest', 'sc.toml', '--observed', 'http://example.com/o.csv', '--out',
                                             'out', '--no-report'])
case('bt_observed_traversal', {'sc.toml': GOOD}, ['backtest', 'sc.toml', '--observed', '../../../../etc/passwd',
                                                  '--out', 'out', '--no-report'])
case('bt_observed_folder', {'sc.toml': GOOD, 'dir/': None},
     ['backtest', 'sc.toml', '--observed', 'dir', '--out', 'out', '--no-report'])
case('bt_variant_unknown', {'sc.toml': GOOD, 'o.csv': OB + '2025,A,all,all,all,10000\n2025,B,all,all,all,10000\n'},
     ['backtest', 'sc.toml', '--observed', 'o.csv', '--out', 'out', '--no-report', '--variant', 'nope'])

# ---- scenario file itself
case('sc_fifo', {'fifo.toml': 'FIFO'}, ['validate', 'fifo.toml'])
case('sc_folder', {'dir/': None}, ['run', 'dir', '--out', 'out'])
case('sc_devzero', {}, ['validate', '/dev/zero'])
case('sc_devurandom', {}, ['validate', '/dev/urandom'])
case('sc_nul_in_string', {'sc.toml': MS.replace('name = "multistate_negative_probability"', 'name = "a\\u0000b"')},
     ['run', 'sc.toml', '--out', 'out', '--no-report'])
case('sc_deep_nesting', {'sc.toml': 'x = ' + '[' * 100000 + ']' * 100000 + '\n'}, ['validate', 'sc.toml'])
case('sc_huge_key', {'sc.toml': 'a' * 5_000_000 + ' = 1\n'}, ['validate', 'sc.toml'])
case('sc_bom_latin1', {'sc.toml': b'\xef\xbb\xbf[scenario]\nname = "\xe9"\n'}, ['validate', 'sc.toml'])
case('sc_out_traversal_devnull', {'sc.toml': MS}, ['run', 'sc.toml', '--out', '/dev/null', '--no-report'])
case('sc_out_proc', {'sc.toml': MS}, ['run', 'sc.toml', '--out', '/proc/self', '--no-report'])

# ---- signals during run (SIGINT / SIGTERM while projecting / writing)
for sig in ('INT', 'TERM'):
    for delay in (0.05, 0.3, 1.0):
        case('sig_%s_%g' % (sig, delay), {'sc.toml': STO.replace('trajectories = 5', 'trajectories = 20000')},
             ['run', 'sc.toml', '--out', 'out', '--quiet'], expect='signal', special=(sig, delay))

def make(d, files):
    for rel, content in files.items():
        p = os.path.join(d, rel)
        if rel.endswith('/'):
            os.makedirs(p, exist_ok=True); continue
        if content == 'FIFO':
            os.mkfifo(p); continue
        if isinstance(content, str) and content.startswith('SYMLINK:'):
            os.symlink(content[8:], p); continue
        with open(p, 'wb') as f:
            f.write(content if isinstance(content, bytes) else content.encode())

results = []
for c in cases:
    if ONLY and not any(c['name'].startswith(o) for o in ONLY):
        continue
    d = os.path.join(ROOT, c['name'])
    setup(d); make(d, c['files'])
    t0 = time.time()
    if c['special']:
        sig, delay = c['special']
        pr = subprocess.Popen([EXE] + c['args'], cwd=d, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(delay)
        pr.send_signal(getattr(signal, 'SIG' + sig))
        try:
            out, err = pr.communicate(timeout=60); rc = pr.returncode
        except subprocess.TimeoutExpired:
            pr.kill(); out, err = pr.communicate(); rc = 'TIMEOUT'
    else:
        try:
            p = subprocess.run([EXE] + c['args'], cwd=d, capture_output=True, timeout=60)
            rc, out, err = p.returncode, p.stdout, p.stderr
        except subprocess.TimeoutExpired as e:
            rc, out, err = 'TIMEOUT', e.stdout or b'', e.stderr or b''
    dt = time.time() - t0
    err_s = err.decode('utf-8', 'replace').strip()
    outdir = os.path.join(d, 'out')
    wrote = os.path.exists(outdir) and (os.listdir(outdir) if os.path.isdir(outdir) else ['<file>'])
    problems = []
    if rc == 'TIMEOUT': problems.append('HANG')
    elif rc not in (0, 1) and c['expect'] != 'signal': problems.append('rc=%s' % rc)
    if c['expect'] == 'bad':
        if rc == 0: problems.append('ACCEPTED')
        if wrote: problems.append('WROTE %s' % wrote[:3])
        if rc == 1 and not err_s: problems.append('NO MESSAGE')
    if c['expect'] == 'ok' and rc != 0: problems.append('FAILED OK CASE')
    if c['expect'] == 'signal':
        staging = [x for x in os.listdir(d) if x.startswith('.') or 'tmp' in x or 'stag' in x]
        complete = wrote and 'manifest.json' in (os.listdir(outdir) if os.path.isdir(outdir) else [])
        if wrote and not complete: problems.append('PARTIAL OUTPUT %s' % wrote[:5])
        if staging: problems.append('LEFTOVER %s' % staging)
        if rc == 'TIMEOUT': problems.append('HANG')
    if CRASHY.search(err_s):
        problems.append('CRASHY MESSAGE')
    results.append((c['name'], rc, '%.1fs' % dt, problems, err_s.splitlines()[-1][:300] if err_s else ''))
    print('%-28s rc=%-7s %5.1fs %s\n    %s' % (c['name'], rc, dt, ' '.join(problems) or 'ok',
                                               (err_s.splitlines()[-1][:400] if err_s else '')), flush=True)
print('\n%d cases, %d with problems' % (len(results), sum(1 for r in results if r[3])))
for r in results:
    if r[3]: print('PROBLEM', r[0], r[3])
