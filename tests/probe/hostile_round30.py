#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Hostile-input probe of round 30 (helper h193), the command line: the `[migration]` tables by cell and the
settings of given flows, which rounds 3 to 29 gave almost no case, and `[households]`/`[controls]`/`[capacity]`.
(a) `net`, `net_total`, `in`, `out`, `out_rate`, `net_rate` as files: NaN, ±inf, −0, subnormals, 1e308, 1e400,
hex, an empty cell, negative counts where counts are ≥ 0, rates past 1; `per` and `unit` mistyped, misspelt,
in capitals, on `net_total`; `year` columns of 2020.5, 2^31, −1, the base year, past the horizon, and `period`
columns reversed, with an en dash, not a step, of three years; `net_total`'s `sex` column `Both`, empty; `between =
"linear"` with and without a year column; the tables as a FIFO, a folder, `/proc/self/environ`, a link to
/etc/passwd, a VRT naming it, `/vsicurl/`. (b) `timing` keyed by a year that starts no step, past int, `2020.0`,
without the base year, valued `End`, `5`, `[]`, `{}`; `migration_timing` and `flow_policy` mistyped, in capitals,
empty; `flow_policy = "error"` with out-flows past a cell. (c) `od.counts` negative, NaN, 1e308, past the start
population, origin = destination, an unknown zone, `sex` without `age`, `per` and `unit` mistyped; `od.rates` with
`per`, `unit = "thousands"`, a rate past 1, an unknown group. (d) `flows` of `kind = "net"` and `"out_rate"`: rates
NaN, −0, 1e308, 1.0000001, `years` reversed, past the horizon, at the base year, of one element, of floats;
`zones` tables with NaN, 1e308, a text number, an unknown zone, a repeated zone. (e) `[households]` `headship` rates
past 1, NaN, a missing cell, a repeated cell, `average_size` 0.5, 21, NaN, both and neither; `vacancy_percent`
50.0001, −0, NaN; `[controls]` persons NaN, −1, 1e308, a year that ends no step, an unknown set, `method` unknown,
`ipf` without sex and age; `[capacity]` max_population NaN, −1, dwellings without `[households]`.
(f) `info`/`validate --results`/`report` on a run's folder after `run` with `--format both --indicators-csv`,
`--format netcdf` and `--components none`; signals under `estimate --group-split`; `estimate --levels` options.
(g) Results folders forged and resealed, read by `report`, `info` and `map`: the `year` of service_demand.csv,
households.csv, probabilities.csv and quantiles.csv as text, empty, 2^36 or 2020.5, a plan period of manifest.json
as text, empty, reversed or another, a variant no file holds. (h) The table references of a `[migration]` table:
`columns` switching the value off or naming a missing column, `filter` empty or keeping no row, `values` leaving a
sex out or mapping it to `both`, `ages`, `wpp`, `layer`, `encoding`, `path` missing, empty, a number or with a NUL.
(j) Empty inline tables and arrays where a list of something goes (`zones = {}` of a flow, a service's `capacity =
{}`, a target's `variants = []`, `filter`/`columns`/`values`/`od`/`gravity` = {}, `groups`/`flows` = []).
(i) `estimate --years` with blanks, a sign, a tab, a full-width colon, past int.
A case fails on a crash, a hang, an exit other than the expected, a message that does not match (file, key, row or
option named), a crash-like or huge message, /etc/passwd quoted, a network connection, a file written, changed or
deleted outside the output, or staging folders left after an error.
Usage: PYTHONPATH=build/python /usr/bin/python3 tests/probe/hostile_round30.py [BUILD_DIR [WORK_DIR]] [PREFIX ...]"""
import os, shutil, signal, subprocess, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe_common import EST, EST_FILES, FIX, MAP, RUN, ZONES_GJ, CliProbe, make, reseal, run_measured

PROBE = CliProbe('cohortgis-hostile-probe30-')
ROOT, EXE, URL, ENV, LOG = PROBE.root, PROBE.exe, PROBE.url, PROBE.env, PROBE.log
record, wanted, cli = LOG.record, PROBE.wanted, PROBE.cli
PROBE.quoted = ('root', 'daemon', '/bin/bash', '/usr/sbin')
GOOD, INPUTS, SHARED, G = PROBE.good, PROBE.inputs, PROBE.shared, PROBE.g
make(SHARED, {'victim/thesis.txt': 'precious\n'})
FLOWS = ('flows = [ { kind = "in", total_per_year = 100, allocation = "equal", profile = "uniform", '
         'years = [2021, 2025] } ]')
PASSWD_VRT = ('<OGRVRTDataSource><OGRVRTLayer name="t"><SrcDataSource>CSV:/etc/passwd</SrcDataSource>'
              '</OGRVRTLayer></OGRVRTDataSource>')
AGES = (0, 5, 10, 15, 20)


def mig(extra, flows=True):
    """The good scenario with `extra` lines in [migration] (its flow kept unless flows is False)."""
    return G(FLOWS, (FLOWS + '\n' if flows else '') + extra)


def by_cell(value='10', change=None, head='zone,sex,age,value', extra_cols=''):
    """A [migration] table by cell: zones A and B, both sexes, ages 0 … 20, `value` in every row; change(zone, sex,
    age, cells) edits a row's cells; extra_cols: cells appended to every row (after a header's extra names)."""
    text = head + '\n'
    for z in ('A', 'B'):
        for s in ('female', 'male'):
            for a in AGES:
                cells = [z, s, str(a), value] + ([extra_cols] if extra_cols else [])
                if change:
                    change(z, s, a, cells)
                text += ','.join(cells) + '\n'
    return text


def at(zone, sex, age, col, value):
    """change(): cell `col` of the row (zone, sex, age) set to value."""
    def change(z, s, a, cells):
        if (z, s, a) == (zone, sex, age):
            cells[col] = value
    return change


def totals(value_a='50', value_b='50', head='zone,value', sex=None):
    """net_total.csv: zone, value (and a sex column when sex is given)."""
    if sex is None:
        return '%s\nA,%s\nB,%s\n' % (head, value_a, value_b)
    return 'zone,sex,value\nA,%s,%s\nB,%s,%s\n' % (sex, value_a, sex, value_b)


KEY_MSG = r"key 'migration\.%s'.*(row|cell|column)"

# --- (a) [migration] tables by cell -----------------------------------------------------------------------------------
for key in ('net', 'in', 'out', 'out_rate', 'net_rate'):
    value = '0.001' if 'rate' in key else '10'
    cli('mig30_%s_good' % key, RUN, {'t.csv': by_cell(value)}, toml=mig('%s = "t.csv"' % key), expect='ok')
    for label, cellv, expect in [('nan', 'nan', 'bad'), ('inf', 'inf', 'bad'), ('minus_inf', '-inf', 'bad'),
                                 ('1e308', '1e308', 'bad'), ('1e400', '1e400', 'bad'), ('hex', '0x10', 'bad'),
                                 ('empty', '', 'bad'), ('minus_zero', '-0', 'ok'), ('subnormal', '4.9e-324', 'ok'),
                                 ('text', 'ten', 'bad')]:
        pattern = KEY_MSG % key
        cli('mig30_%s_%s' % (key, label), RUN, {'t.csv': by_cell(value, at('A', 'female', 5, 3, cellv))},
            toml=mig('%s = "t.csv"' % key), expect=expect, pattern=pattern)
for key, cellv, expect in [('in', '-1', 'bad'), ('out', '-1', 'bad'), ('out_rate', '-0.01', 'bad'),
                           ('out_rate', '1.0000001', 'bad'), ('net', '-1e10', 'bad'), ('net_rate', '-0.5', 'ok'),
                           ('net', '1e9', 'bad'), ('out', '1e9', 'bad')]:
    cli('mig30_%s_value_%s' % (key, cellv.replace('.', '_')), RUN,
        {'t.csv': by_cell('0.001' if 'rate' in key else '10', at('A', 'female', 5, 3, cellv))},
        toml=mig('%s = "t.csv"' % key), expect=expect, pattern=KEY_MSG % key)

# per and unit
for label, ref, expect in [
        ('per_step', '{ path = "t.csv", per = "step" }', 'ok'),
        ('per_Step', '{ path = "t.csv", per = "Step" }', 'bad'),
        ('per_month', '{ path = "t.csv", per = "month" }', 'bad'),
        ('per_number', '{ path = "t.csv", per = 5 }', 'bad'),
        ('per_empty', '{ path = "t.csv", per = "" }', 'bad'),
        ('per_array', '{ path = "t.csv", per = ["step"] }', 'bad'),
        ('unit_thousands', '{ path = "t.csv", unit = "thousands" }', 'ok'),
        ('unit_10k', '{ path = "t.csv", unit = "10k" }', 'ok'),
        ('unit_Thousands', '{ path = "t.csv", unit = "Thousands" }', 'bad'),
        ('unit_per_person', '{ path = "t.csv", unit = "per_person" }', 'bad'),
        ('unit_per_1000', '{ path = "t.csv", unit = "per_1000" }', 'bad'),
        ('between_linear_no_year', '{ path = "t.csv", between = "linear" }', 'bad'),
        ('between_Hold', '{ path = "t.csv", between = "Hold" }', 'bad')]:
    cli('mig30_net_%s' % label, RUN, {'t.csv': by_cell('10')}, toml=mig('net = %s' % ref), expect=expect,
        pattern=r"migration\.net")
cli('mig30_net_rate_unit_per_1000', RUN, {'t.csv': by_cell('1')},
    toml=mig('net_rate = { path = "t.csv", unit = "per_1000" }'), expect='any')
cli('mig30_out_rate_unit_thousands', RUN, {'t.csv': by_cell('0.01')},
    toml=mig('out_rate = { path = "t.csv", unit = "thousands" }'), expect='bad', pattern=r"migration\.out_rate")

# year and period columns
for label, year, expect in [('2020', '2020', 'ok'), ('2025', '2025', 'bad'), ('2020_5', '2020.5', 'bad'),
                            ('2020_0', '2020.0', 'any'), ('int_max', '2147483648', 'bad'), ('minus_1', '-1', 'bad'),
                            ('past_horizon', '2400', 'any'), ('empty', '', 'bad'), ('nan', 'nan', 'bad'),
                            ('2022', '2022', 'any')]:
    text = by_cell('10', head='zone,sex,age,value,year', extra_cols=year)
    cli('mig30_year_%s' % label, RUN, {'t.csv': text}, toml=mig('net = "t.csv"'), expect=expect,
        pattern=r"migration\.net")
for label, period, expect in [('one_step', '2021-2025', 'bad'), ('reversed', '2025-2021', 'bad'),
                              ('en_dash', '2021\u20132025', 'any'), ('not_a_step', '2021-2026', 'bad'),
                              ('three', '2021-2025-2030', 'bad'), ('spaces', '2021 - 2025', 'any'),
                              ('one_year', '2021', 'bad'), ('past_int', '2021-99999999999', 'bad'),
                              ('empty', '', 'bad'), ('fullwidth', '２０２１-２０２５', 'bad')]:
    text = by_cell('10', head='zone,sex,age,value,period', extra_cols=period)
    cli('mig30_period_%s' % label, RUN, {'t.csv': text}, toml=mig('net = "t.csv"'), expect=expect,
        pattern=r"migration\.net")
cli('mig30_year_and_period', RUN, {'t.csv': by_cell('10', head='zone,sex,age,value,year,period',
                                                    extra_cols='2020,2021-2025')},
    toml=mig('net = "t.csv"'), expect='bad', pattern=r"migration\.net")
cli('mig30_linear_with_year', RUN, {'t.csv': by_cell('10', head='zone,sex,age,value,year', extra_cols='2020')
                                    + by_cell('20', head='', extra_cols='2030')[1:]},
    toml=mig('net = { path = "t.csv", between = "linear" }'), expect='ok')

# net_total
cli('mig30_total_good', RUN, {'t.csv': totals()}, toml=mig('net_total = "t.csv"'), expect='ok')
for label, files, ref, expect in [
        ('sex_both', totals(sex='both'), '"t.csv"', 'ok'),
        ('sex_Both', totals(sex='Both'), '"t.csv"', 'ok'),  # the UN's spelling too
        ('sex_empty', totals(sex=''), '"t.csv"', 'bad'),
        ('nan', totals('nan'), '"t.csv"', 'bad'),
        ('inf', totals('inf'), '"t.csv"', 'bad'),
        ('1e308', totals('1e308'), '"t.csv"', 'bad'),
        ('minus_1e9', totals('-1e9'), '"t.csv"', 'bad'),
        ('minus_zero', totals('-0'), '"t.csv"', 'ok'),
        ('subnormal', totals('4.9e-324'), '"t.csv"', 'ok'),
        ('repeated', totals() + 'A,5\n', '"t.csv"', 'bad'),
        ('unknown_zone', totals() + 'C,5\n', '"t.csv"', 'bad'),
        ('age_column', 'zone,age,value\nA,0,5\nB,0,5\n', '"t.csv"', 'ok'),
        ('per_step', totals(), '{ path = "t.csv", per = "step" }', 'ok'),
        ('unit_10k_big', totals('1e6'), '{ path = "t.csv", unit = "10k" }', 'bad'),
        ('between_linear', totals(), '{ path = "t.csv", between = "linear" }', 'bad'),
        ('no_value', 'zone,persons\nA,5\nB,5\n', '"t.csv"', 'bad'),
        ('header_only', 'zone,value\n', '"t.csv"', 'any')]:
    cli('mig30_total_%s' % label, RUN, {'t.csv': files}, toml=mig('net_total = %s' % ref), expect=expect,
        pattern=r"migration\.net_total")

# the tables as special files and paths
for label, files, ref in [
        ('fifo', {'t.csv': 'FIFO'}, '"t.csv"'),
        ('folder', {'t.csv/': None}, '"t.csv"'),
        ('proc_environ', {}, '"/proc/self/environ"'),
        ('link_passwd', {'t.csv': 'SYMLINK:/etc/passwd'}, '"t.csv"'),
        ('vrt_passwd', {'t.vrt': PASSWD_VRT}, '"t.vrt"'),
        ('vsicurl', {}, '"/vsicurl/%s/t.csv"' % URL),
        ('url', {}, '"%s/t.csv"' % URL),
        ('dotdot', {}, '"../t.csv"')]:
    for key in ('net_total', 'out_rate'):
        cli('mig30_path_%s_%s' % (key, label), RUN, files, toml=mig('%s = %s' % (key, ref)), expect='bad',
            pattern=r"migration\.%s" % key, timeout=30)

# --- (b) timing, migration_timing, flow_policy ------------------------------------------------------------------------
for label, timing, expect in [
        ('good', '{ "2020" = "even", "2025" = "end" }', 'ok'),
        ('all_end', '"end"', 'ok'),
        ('End', '"End"', 'bad'),
        ('number', '5', 'bad'),
        ('array', '[]', 'bad'),
        ('empty_table', '{}', 'bad'),
        ('no_base_year', '{ "2025" = "end" }', 'bad'),
        ('key_2020_0', '{ "2020.0" = "end" }', 'bad'),
        ('key_past_int', '{ "2020" = "end", "4294967296" = "even" }', 'bad'),
        ('key_past_horizon', '{ "2020" = "end", "2035" = "even" }', 'bad'),
        ('key_empty', '{ "2020" = "end", "" = "even" }', 'bad'),
        ('value_table', '{ "2020" = { a = 1 } }', 'bad'),
        ('key_plus', '{ "+2020" = "end" }', 'bad'),
        ('key_02020', '{ "02020" = "end" }', 'any'),  # as a path's year keys (round 18: tfr)
        ('key_twice', '{ "2020" = "end", "02020" = "even" }', 'bad'),
        ('key_blank', '{ " 2020" = "end" }', 'bad')]:
    cli('timing30_%s' % label, RUN, toml=mig('timing = %s' % timing), expect=expect, pattern=r"migration\.timing")
for label, line, expect in [
        ('mt_End', 'migration_timing = "End"', 'bad'),
        ('mt_empty', 'migration_timing = ""', 'bad'),
        ('mt_number', 'migration_timing = 1', 'bad'),
        ('fp_wpp', 'flow_policy = "wpp"', 'ok'),
        ('fp_error', 'flow_policy = "error"', 'ok'),
        ('fp_WPP', 'flow_policy = "WPP"', 'bad'),
        ('fp_empty', 'flow_policy = ""', 'bad'),
        ('fp_bool', 'flow_policy = true', 'bad'),
        ('fp_array', 'flow_policy = ["wpp"]', 'bad')]:
    cli('proj30_%s' % label, RUN, toml=G('open_age = 20', 'open_age = 20\n' + line), expect=expect,
        pattern=r"projection\.")
# out-flows past a cell under each policy: 1e6 emigrants a year from cells of 1000 persons
for policy, expect in [('error', 'bad'), ('wpp', 'any'), ('conserve', 'any')]:  # the relocation may fail then
    cli('proj30_outflow_%s' % policy, RUN, {'t.csv': by_cell('100000')},
        toml=G('open_age = 20', 'open_age = 20\nflow_policy = "%s"' % policy).replace(
            FLOWS, FLOWS + '\nout = "t.csv"'), expect=expect, pattern=r'out|exceed|zone')

# --- (c) od.counts and od.rates ---------------------------------------------------------------------------------------


def od_counts(value='5', change=None, head='origin,destination,sex,age,value'):
    text = head + '\n'
    for o, d in (('A', 'B'), ('B', 'A')):
        for s in ('female', 'male'):
            for a in AGES:
                cells = [o, d, s, str(a), value]
                if change:
                    change(o, s, a, cells)
                text += ','.join(cells) + '\n'
    return text


cli('od30_counts_good', RUN, {'c.csv': od_counts()}, toml=mig('od = { counts = "c.csv" }'), expect='ok')
for label, files, ref, expect in [
        ('negative', od_counts(change=at('A', 'female', 5, 4, '-1')), '"c.csv"', 'bad'),
        ('nan', od_counts(change=at('A', 'female', 5, 4, 'nan')), '"c.csv"', 'bad'),
        ('1e308', od_counts(change=at('A', 'female', 5, 4, '1e308')), '"c.csv"', 'bad'),
        ('minus_zero', od_counts(change=at('A', 'female', 5, 4, '-0')), '"c.csv"', 'ok'),
        ('past_cell', od_counts(change=at('A', 'female', 5, 4, '1000000')), '"c.csv"', 'bad'),
        ('same_zone', od_counts(change=at('A', 'female', 5, 1, 'A')), '"c.csv"', 'bad'),
        ('unknown_zone', od_counts(change=at('A', 'female', 5, 1, 'C')), '"c.csv"', 'bad'),
        ('no_age', 'origin,destination,sex,value\nA,B,female,5\n', '"c.csv"', 'bad'),
        ('age_off_grid', od_counts(change=at('A', 'female', 5, 3, '7')), '"c.csv"', 'bad'),
        ('sex_both', od_counts(change=at('A', 'female', 5, 2, 'both')), '"c.csv"', 'bad'),
        ('repeated', od_counts() + 'A,B,female,5,1\n', '"c.csv"', 'bad'),
        ('per_step', od_counts(), '{ path = "c.csv", per = "step" }', 'ok'),
        ('per_Year', od_counts(), '{ path = "c.csv", per = "Year" }', 'bad'),
        ('unit_per_person', od_counts(), '{ path = "c.csv", unit = "per_person" }', 'bad'),
        ('unit_10k', od_counts(), '{ path = "c.csv", unit = "10k" }', 'any')]:
    cli('od30_counts_%s' % label, RUN, {'c.csv': files}, toml=mig('od = { counts = %s }' % ref), expect=expect,
        pattern=r"od|origin|zone")
RATES = 'origin,destination,rate\nA,B,0.01\nB,A,0.02\n'
for label, files, ref, expect in [
        ('good', RATES, '"r.csv"', 'ok'),
        ('per', RATES, '{ path = "r.csv", per = "step" }', 'bad'),
        ('unit_thousands', RATES, '{ path = "r.csv", unit = "thousands" }', 'bad'),
        ('unit_per_person', RATES, '{ path = "r.csv", unit = "per_person" }', 'ok'),
        ('past_1', RATES.replace('0.01', '1.5'), '"r.csv"', 'bad'),
        ('sum_past_1', 'origin,destination,rate\nA,B,0.6\nA,B,0.6\n', '"r.csv"', 'bad'),
        ('unknown_group', 'origin,destination,group,rate\nA,B,nope,0.01\n', '"r.csv"', 'bad'),
        ('nan', RATES.replace('0.01', 'nan'), '"r.csv"', 'bad'),
        ('subnormal', RATES.replace('0.01', '4.9e-324'), '"r.csv"', 'ok'),
        ('sex_only', 'origin,destination,sex,rate\nA,B,female,0.01\n', '"r.csv"', 'bad')]:
    cli('od30_rates_%s' % label, RUN, {'r.csv': files}, toml=mig('od = { rates = %s }' % ref), expect=expect,
        pattern=r"od|origin|rate")

# --- (d) flows of kind net and out_rate -------------------------------------------------------------------------------
for label, flow, expect in [
        ('net_good', 'kind = "net", total_per_year = -50, allocation = "equal", profile = "uniform"', 'ok'),
        ('net_past', 'kind = "net", total_per_year = -1e9, profile = "uniform"', 'any'),  # the relocation fails
        ('net_nan', 'kind = "net", total_per_year = nan, profile = "uniform"', 'bad'),
        ('net_minus_zero', 'kind = "net", total_per_year = -0.0, profile = "uniform"', 'ok'),
        ('net_NET', 'kind = "NET", total_per_year = 5, profile = "uniform"', 'bad'),
        ('out_rate_good', 'kind = "out_rate", rate = 0.01', 'ok'),
        ('out_rate_nan', 'kind = "out_rate", rate = nan', 'bad'),
        ('out_rate_past_1', 'kind = "out_rate", rate = 1.0000001', 'bad'),
        ('out_rate_1e308', 'kind = "out_rate", rate = 1e308', 'bad'),
        ('out_rate_minus_zero', 'kind = "out_rate", rate = -0.0', 'ok'),
        ('out_rate_missing', 'kind = "out_rate"', 'bad'),
        ('out_rate_text', 'kind = "out_rate", rate = "0.01"', 'bad'),
        ('out_rate_female_share', 'kind = "out_rate", rate = 0.01, female_share = 0.5', 'bad'),
        ('years_reversed', 'kind = "in", total_per_year = 5, years = [2025, 2021]', 'bad'),
        ('years_base', 'kind = "in", total_per_year = 5, years = [2020, 2025]', 'bad'),
        ('years_past_horizon', 'kind = "in", total_per_year = 5, years = [2021, 2031]', 'bad'),
        ('years_one', 'kind = "in", total_per_year = 5, years = [2021]', 'bad'),
        ('years_three', 'kind = "in", total_per_year = 5, years = [2021, 2025, 2030]', 'bad'),
        ('years_floats', 'kind = "in", total_per_year = 5, years = [2021.0, 2025.0]', 'any'),
        ('years_fraction', 'kind = "in", total_per_year = 5, years = [2021.5, 2025]', 'bad'),
        ('years_empty', 'kind = "in", total_per_year = 5, years = []', 'bad'),
        ('zones_table_nan', 'kind = "in", zones = "z.csv"', 'bad'),
        ('zones_inline_nan', 'kind = "in", zones = { A = nan }', 'bad'),
        ('zones_inline_unknown', 'kind = "in", zones = { C = 5 }', 'bad'),
        ('zones_inline_text', 'kind = "in", zones = { A = "5" }', 'bad'),
        ('zones_inline_1e308', 'kind = "in", zones = { A = 1e308 }', 'bad'),
        ('zones_inline_empty', 'kind = "in", zones = {}', 'bad'),  # a flow of no zone
        ('female_share_nan', 'kind = "in", total_per_year = 5, female_share = nan', 'bad'),
        ('female_share_1', 'kind = "in", total_per_year = 5, female_share = 1, profile = "uniform"', 'ok'),
        ('profile_population', 'kind = "in", total_per_year = 5, profile = "population"', 'bad')]:
    cli('flow30_%s' % label, RUN, {'z.csv': 'zone,persons_per_year\nA,nan\n'},
        toml=G(FLOWS, "flows = [ { %s } ]" % flow), expect=expect, pattern=r"migration\.flows|relocation")

# --- (e) [households], [controls], [capacity] -----------------------------------------------------------------------


def headship(rate='0.4', change=None, zone=True):
    text = ('zone,' if zone else '') + 'sex,age,rate\n'
    for z in (('A', 'B') if zone else ('',)):
        for s in ('female', 'male'):
            for a in AGES:
                cells = ([z] if zone else []) + [s, str(a), rate]
                if change:
                    change(z, s, a, cells)
                text += ','.join(cells) + '\n'
    return text


HH = '\n[households]\n'
for label, files, section, expect in [
        ('headship_good', {'h.csv': headship()}, 'headship = "h.csv"', 'ok'),
        ('headship_no_zone', {'h.csv': headship(zone=False)}, 'headship = "h.csv"', 'ok'),
        ('headship_past_1', {'h.csv': headship(change=at('A', 'female', 5, 3, '1.5'))}, 'headship = "h.csv"', 'bad'),
        ('headship_nan', {'h.csv': headship(change=at('A', 'female', 5, 3, 'nan'))}, 'headship = "h.csv"', 'bad'),
        ('headship_negative', {'h.csv': headship(change=at('A', 'female', 5, 3, '-0.1'))}, 'headship = "h.csv"',
         'bad'),
        ('headship_missing', {'h.csv': headship().replace('A,female,5,0.4\n', '')}, 'headship = "h.csv"', 'bad'),
        ('headship_repeated', {'h.csv': headship() + 'A,female,5,0.4\n'}, 'headship = "h.csv"', 'bad'),
        ('headship_age_off', {'h.csv': headship(change=at('A', 'female', 5, 2, '7'))}, 'headship = "h.csv"', 'bad'),
        ('headship_unit', {'h.csv': headship()}, 'headship = { path = "h.csv", unit = "thousands" }', 'bad'),
        ('headship_per', {'h.csv': headship()}, 'headship = { path = "h.csv", per = "step" }', 'bad'),
        ('headship_year_2020_5', {'h.csv': headship().replace('\n', ',2020.5\n').replace('rate,2020.5', 'rate,year')},
         'headship = "h.csv"', 'bad'),
        ('avg_good', {'s.csv': 'zone,persons_per_household\nA,2.5\nB,3\n'}, 'average_size = "s.csv"', 'ok'),
        ('avg_half', {'s.csv': 'zone,persons_per_household\nA,0.5\nB,3\n'}, 'average_size = "s.csv"', 'bad'),
        ('avg_21', {'s.csv': 'zone,persons_per_household\nA,21\nB,3\n'}, 'average_size = "s.csv"', 'bad'),
        ('avg_nan', {'s.csv': 'zone,persons_per_household\nA,nan\nB,3\n'}, 'average_size = "s.csv"', 'bad'),
        ('avg_missing_zone', {'s.csv': 'zone,persons_per_household\nA,2\n'}, 'average_size = "s.csv"', 'bad'),
        ('avg_unknown_zone', {'s.csv': 'zone,persons_per_household\nA,2\nB,2\nC,2\n'}, 'average_size = "s.csv"',
         'bad'),
        ('both', {'s.csv': 'zone,persons_per_household\nA,2\nB,2\n', 'h.csv': headship()},
         'average_size = "s.csv"\nheadship = "h.csv"', 'bad'),
        ('neither', {}, 'vacancy_percent = 3', 'bad'),
        ('vacancy_past', {'s.csv': 'zone,persons_per_household\nA,2\nB,2\n'},
         'average_size = "s.csv"\nvacancy_percent = 50.0001', 'bad'),
        ('vacancy_nan', {'s.csv': 'zone,persons_per_household\nA,2\nB,2\n'},
         'average_size = "s.csv"\nvacancy_percent = nan', 'bad'),
        ('vacancy_minus_zero', {'s.csv': 'zone,persons_per_household\nA,2\nB,2\n'},
         'average_size = "s.csv"\nvacancy_percent = -0.0', 'ok'),
        ('vacancy_text', {'s.csv': 'zone,persons_per_household\nA,2\nB,2\n'},
         'average_size = "s.csv"\nvacancy_percent = "3"', 'bad'),
        ('headship_false', {}, 'headship = false', 'bad')]:
    cli('hh30_%s' % label, RUN, files, toml=GOOD + HH + section, expect=expect, pattern=r"households")

CT = '\n[controls]\n'
for label, table, extra, expect in [
        ('good', 'zone,year,persons\ntotal,2025,9000\n', '', 'ok'),
        ('nan', 'zone,year,persons\ntotal,2025,nan\n', '', 'bad'),
        ('negative', 'zone,year,persons\ntotal,2025,-1\n', '', 'bad'),
        ('1e308', 'zone,year,persons\ntotal,2025,1e308\n', '', 'bad'),
        ('minus_zero', 'zone,year,persons\nA,2025,-0\n', '', 'any'),  # relocation
        ('year_no_step', 'zone,year,persons\ntotal,2023,9000\n', '', 'bad'),
        ('year_base', 'zone,year,persons\ntotal,2020,9000\n', '', 'bad'),
        ('year_past_int', 'zone,year,persons\ntotal,4294967297,9000\n', '', 'bad'),
        ('unknown_set', 'zone,year,persons\nnope,2025,9000\n', '', 'bad'),
        ('method_unknown', 'zone,year,persons\ntotal,2025,9000\n', 'method = "IPF"', 'bad'),
        ('ipf_no_ages', 'zone,year,persons\ntotal,2025,9000\n', 'method = "ipf"', 'bad'),
        ('repeated', 'zone,year,persons\ntotal,2025,9000\ntotal,2025,9000\n', '', 'bad'),
        ('per', 'zone,year,persons\ntotal,2025,9000\n', 'per = "step"', 'bad')]:
    ref = 'table = "c.csv"' if 'per' not in extra else 'table = { path = "c.csv", per = "step" }'
    cli('ctl30_%s' % label, RUN, {'c.csv': table}, toml=GOOD + CT + ref + '\n' + (extra if label != 'per' else ''),
        expect=expect, pattern=r"controls|relocation")
CAP = '\n[capacity]\ntable = "k.csv"\n'
for label, table, extra, expect in [
        ('good', 'zone,year,max_population\nA,2025,1e6\n', '', 'ok'),
        ('nan', 'zone,year,max_population\nA,2025,nan\n', '', 'bad'),
        ('negative', 'zone,year,max_population\nA,2025,-1\n', '', 'bad'),
        ('inf', 'zone,year,max_population\nA,2025,inf\n', '', 'bad'),
        ('dwellings_no_households', 'zone,year,dwellings\nA,2025,100\n', '', 'bad'),
        ('dwellings_nan', 'zone,year,dwellings\nA,2025,nan\n',
         '[households]\naverage_size = "s.csv"\n', 'bad'),
        ('all_bind', 'zone,year,max_population\nA,2025,1\nB,2025,1\n', '', 'bad'),
        ('empty_cells', 'zone,year,max_population,dwellings\nA,2025,,\n', '', 'any'),
        ('unknown_zone', 'zone,year,max_population\nC,2025,10\n', '', 'bad')]:
    cli('cap30_%s' % label, RUN, {'k.csv': table, 's.csv': 'zone,persons_per_household\nA,2\nB,2\n'},
        toml=GOOD + CAP + extra, expect=expect, pattern=r"capacity|households|cap")

# --- (f) a results folder of --format both --indicators-csv / --components none, then the other commands --------------
for label, options in [('both', ['--format', 'both', '--indicators-csv']), ('none', ['--components', 'none']),
                       ('netcdf', ['--format', 'netcdf'])]:
    def post(d, rc, options=options):
        if rc != 0:
            return []
        bad = []
        for c in (['info', 'out'], ['validate', 'sc.toml', '--results', 'out'], ['report', 'out']):
            r = PROBE.run([EXE] + c, d, timeout=180)
            if r[0] != 0 or 'warning' in r[2]:
                bad.append('THEN %s: exit %d %s' % (c[0], r[0], r[2].strip()[-150:]))
        return bad
    cli('out30_%s_then' % label, ['run', 'sc.toml', '--out', 'out', '--quiet', '--no-report'] + options,
        expect='ok', post=post, timeout=180)


# --- (h) table references of the [migration] tables: columns, filter, values, ages, wpp, layer, encoding -------------
NET_Y = by_cell('10', head='zone,sex,age,value,kind', extra_cols='x')
for label, ref, expect in [
        ('columns_value_off', '{ path = "t.csv", columns = { value = "" } }', 'bad'),
        ('columns_value_zone', '{ path = "t.csv", columns = { value = "zone" } }', 'bad'),
        ('columns_unknown_role', '{ path = "t.csv", columns = { nope = "value" } }', 'bad'),
        ('columns_missing_column', '{ path = "t.csv", columns = { value = "persons" } }', 'bad'),
        ('columns_year_kind', '{ path = "t.csv", columns = { year = "kind" } }', 'bad'),
        ('filter_empty_list', '{ path = "t.csv", filter = { kind = [] } }', 'bad'),
        ('filter_no_row', '{ path = "t.csv", filter = { kind = "y" } }', 'bad'),
        ('filter_prefix', '{ path = "t.csv", filter = { kind = "x*" } }', 'ok'),
        ('filter_missing_column', '{ path = "t.csv", filter = { nope = "x" } }', 'bad'),
        ('filter_nan', '{ path = "t.csv", filter = { kind = nan } }', 'bad'),
        ('values_sex_unlisted', '{ path = "t.csv", values = { sex = { female = "female" } } }', 'bad'),
        ('values_sex_both', '{ path = "t.csv", values = { sex = { female = "both", male = "male" } } }', 'bad'),
        ('values_value_role', '{ path = "t.csv", values = { value = { "10" = "20" } } }', 'any'),
        ('ages_labels', '{ path = "t.csv", ages = "labels" }', 'any'),
        ('ages_Labels', '{ path = "t.csv", ages = "Labels" }', 'bad'),
        ('wpp', '{ path = "t.csv", wpp = { location = "CHN" } }', 'bad'),
        ('layer_csv', '{ path = "t.csv", layer = "nope" }', 'bad'),
        ('encoding_unknown', '{ path = "t.csv", encoding = "NOPE-8" }', 'bad'),
        ('encoding_gbk', '{ path = "t.csv", encoding = "GBK" }', 'ok'),
        ('path_missing', '{ columns = { value = "value" } }', 'bad'),
        ('path_empty', '{ path = "" }', 'bad'),
        ('path_number', '{ path = 5 }', 'bad'),
        ('path_nul', '{ path = "t.csv\\u0000x" }', 'bad'),
        ('unknown_key', '{ path = "t.csv", sheet = "x" }', 'bad')]:
    cli('ref30_net_%s' % label, RUN, {'t.csv': NET_Y}, toml=mig('net = %s' % ref), expect=expect,
        pattern=r"migration\.net")

# --- (j) empty inline tables and arrays where a table or list of something is expected --------------------------------
for label, old, new, expect in [
        ('service_capacity_empty', '[projection]', '[[services]]\nname = "s"\nages = [5, 14]\nper_person = 1\n'
         'capacity = {}\n\n[projection]', 'bad'),
        ('filter_empty', 'table = "base.csv"', 'table = { path = "base.csv", filter = {} }', 'any'),
        ('columns_empty', 'table = "base.csv"', 'table = { path = "base.csv", columns = {} }', 'any'),
        ('values_empty', 'table = "base.csv"', 'table = { path = "base.csv", values = {} }', 'any'),
        ('od_empty', FLOWS, FLOWS + '\nod = {}', 'any'),
        ('gravity_empty', FLOWS, FLOWS + '\ngravity = {}', 'bad'),
        ('flows_empty', FLOWS, 'flows = []', 'any'),
        ('plan_periods_empty', '"2021-2025" = "first"\n"2026-2030" = "second"', '', 'any'),
        ('groups_empty', 'open_age = 20', 'open_age = 20\ngroups = []', 'bad'),
        ('aggregates_empty', '[projection]', '[geography.x]\n[projection]', 'bad'),
        ('tfr_empty', 'tfr = { "2020" = 1.0, "2030" = 2.0 }', 'tfr = {}', 'bad'),
        ('variant_fertility_empty', 'fertility = { tfr = 3.0 }', 'fertility = {}', 'any'),
        ('variant_empty', '[[variants]]\nname = "more"\nfertility = { tfr = 3.0 }', '[[variants]]', 'bad'),
        ('target_variants_empty', 'max = 100000', 'max = 100000\nvariants = []', 'bad'),
        ('relocation_years_empty', 'years = [2023, 2027]', 'years = []', 'bad'),
        ('outputs_indicators_empty', '[projection]', '[outputs]\nindicators = []\n\n[projection]', 'any'),
        ('outputs_components_empty', '[projection]', '[outputs]\ncomponents = []\n\n[projection]', 'any'),
        ('stochastic_empty', '[[variants]]', '[stochastic]\n\n[[variants]]', 'any'),
        ('monitoring_empty', '[[variants]]', '[monitoring]\n\n[[variants]]', 'any'),
        ('monitoring_names_empty', '[[variants]]', '[monitoring]\nobserved = "obs.csv"\nnames = {}\n\n[[variants]]',
         'any'),
        ('monitoring_fitted_empty', '[[variants]]',
         '[monitoring]\nobserved = "obs.csv"\nfitted = { population = [] }\n\n[[variants]]', 'any'),
        ('monitoring_tolerances_empty', '[[variants]]',
         '[monitoring]\nobserved = "obs.csv"\ntolerances = { population = {} }\n\n[[variants]]', 'bad'),
        ('stochastic_tfr_empty', '[[variants]]', '[stochastic]\ntrajectories = 2\ntfr = {}\n\n[[variants]]', 'bad'),
        ('stochastic_migration_empty', '[[variants]]', '[stochastic]\ntrajectories = 2\nmigration = {}\n\n[[variants]]',
         'bad'),
        ('stochastic_lee_carter_empty', '[[variants]]',
         '[stochastic]\ntrajectories = 2\nlee_carter = {}\n\n[[variants]]', 'bad'),
        ('relocation_profile_empty', 'profile = "uniform"\n', 'profile = {}\n', 'bad'),
        ('flow_profile_empty', 'profile = "uniform", years', 'profile = {}, years', 'bad'),
        ('variant_migration_empty', 'fertility = { tfr = 3.0 }', 'migration = {}', 'bad'),
        ('outputs_population_empty', '[projection]', '[outputs]\npopulation = []\n\n[projection]', 'any'),
        ('aggregate_zones_empty', 'zones = [ { id = "A", name = "Zone A" }, { id = "B", name = "Zone B" } ]',
         'zones = [ { id = "A", name = "Zone A" }, { id = "B", name = "Zone B" } ]\n'
         'aggregates = [ { name = "AB", zones = [] } ]', 'bad'),
        ('aggregates_list_empty', 'zones = [ { id = "A", name = "Zone A" }, { id = "B", name = "Zone B" } ]',
         'zones = [ { id = "A", name = "Zone A" }, { id = "B", name = "Zone B" } ]\naggregates = []', 'any')]:
    cli('empty30_%s' % label, RUN, {'obs.csv': 'zone,year,indicator,value,unit\nA,2025,population,10000,persons\n'},
        toml=G(old, new), expect=expect)

# --- (i) options that take years, written with blanks and signs --------------------------------------------------
for label, years, expect in [('blank_first', ' 2000:2010', 'any'), ('plus', '+2000:2010', 'any'),
                             ('blank_second', '2000: 2010', 'any'), ('tab', '2000:2010\t', 'bad'),
                             ('fullwidth_colon', '2000：2010', 'bad'), ('reversed', '2010:2000', 'bad'),
                             ('past_int', '2000:99999999999', 'bad'), ('same', '2000:2000', 'bad')]:
    cli('years30_estimate_%s' % label, EST[:6] + [years] + EST[7:], EST_FILES, toml=None, expect=expect,
        pattern=r'--years')

# --- (g) forged results folders (edited, then resealed as a forger would) read by `report`, `map` and `info` ----------
FORGE_TOML = (PROBE.zsrc('zones.geojson') + '\n[households]\naverage_size = "s.csv"\n'
              '\n[[services]]\nname = "school"\nages = [5, 14]\nper_person = 1\ncapacity = 500\n')
STO_TOML = open(os.path.join(FIX, 'stochastic.toml')).read().replace(
    '[projection]', '[geography.source]\npath = "zones.geojson"\nid_field = "id"\n\n[projection]')
FORGE_FILES = dict(INPUTS, **{'zones.geojson': ZONES_GJ, 's.csv': 'zone,persons_per_household\nA,2\nB,2\n',
                              'sc.toml': FORGE_TOML, 'sto.toml': STO_TOML})
TEMPLATES = {}


def forged(kind):
    """A results folder of FORGE_TOML ('plan') or STO_TOML ('sto', with trajectories), made once and copied."""
    if kind not in TEMPLATES:
        src = os.path.join(ROOT, 'forge-template-' + kind)
        make(src, FORGE_FILES)
        r = subprocess.run([EXE, 'run', 'sc.toml' if kind == 'plan' else 'sto.toml', '--out', 'res', '--quiet'],
                           cwd=src, env=ENV, capture_output=True, timeout=600)
        if r.returncode:
            print('forge template %s: %s' % (kind, r.stderr.decode()[-300:]))
        TEMPLATES[kind] = os.path.join(src, 'res')
    return TEMPLATES[kind]


def edit_column(file, column, value, row=1):
    """pre(): data row `row` of results CSV `file`: cell of `column` set to value; then resealed."""
    def pre(d):
        p = os.path.join(d, 'res', file)
        lines = open(p, encoding='utf-8').read().split('\n')
        head = lines[0].lstrip('\ufeff').split(',')
        cells = lines[row].split(',')
        cells[head.index(column)] = value
        lines[row] = ','.join(cells)
        open(p, 'w', encoding='utf-8').write('\n'.join(lines))
        reseal(os.path.join(d, 'res'))
    return pre


def edit_manifest(old, new):
    def pre(d):
        p = os.path.join(d, 'res', 'manifest.json')
        text = open(p, encoding='utf-8').read()
        assert old in text, old
        open(p, 'w', encoding='utf-8').write(text.replace(old, new, 1))
        reseal(os.path.join(d, 'res'))
    return pre


def with_forged(kind, edit):
    def pre(d):
        make(d, FORGE_FILES)
        shutil.copytree(forged(kind), os.path.join(d, 'res'), symlinks=True)
        edit(d)
    return pre


for label, kind, edit in [
        ('service_year_text', 'plan', edit_column('service_demand.csv', 'year', 'x')),
        ('service_year_empty', 'plan', edit_column('service_demand.csv', 'year', '')),
        ('service_year_huge', 'plan', edit_column('service_demand.csv', 'year', '99999999999')),
        ('service_year_fraction', 'plan', edit_column('service_demand.csv', 'year', '2020.5')),
        ('households_year_text', 'plan', edit_column('households.csv', 'year', 'x')),
        ('households_year_huge', 'plan', edit_column('households.csv', 'year', '99999999999')),
        ('households_year_empty', 'plan', edit_column('households.csv', 'year', '')),
        ('plan_label_text', 'plan', edit_manifest('"period": "2026-2030"', '"period": "x-y"')),
        ('plan_label_huge', 'plan', edit_manifest('"period": "2026-2030"', '"period": "2026-99999999999"')),
        ('plan_label_empty', 'plan', edit_manifest('"period": "2026-2030"', '"period": ""')),
        ('plan_label_reversed', 'plan', edit_manifest('"period": "2026-2030"', '"period": "2030-2026"')),
        ('plan_label_other', 'plan', edit_manifest('"period": "2026-2030"', '"period": "2031-2035"')),
        ('variant_unknown', 'plan', edit_manifest('"variants": [', '"variants": ["ghost", ')),
        ('service_capacity_text', 'plan', edit_column('service_demand.csv', 'capacity', 'x')),
        ('service_zone_total_missing', 'plan', edit_column('service_demand.csv', 'zone', 'totalx')),
        ('households_value_text', 'plan', edit_column('households.csv', 'households', 'x')),
        ('plan_periods_csv_period', 'plan', edit_column('plan_periods.csv', 'period', '1-2')),
        ('indicators_year_fraction', 'plan', edit_column('indicators.csv', 'year', '2020.5')),
        ('prob_year_text', 'sto', edit_column('probabilities.csv', 'year', 'x')),
        ('prob_year_huge', 'sto', edit_column('probabilities.csv', 'year', '99999999999')),
        ('prob_year_empty', 'sto', edit_column('probabilities.csv', 'year', '')),
        ('prob_value_nan', 'sto', edit_column('probabilities.csv', 'probability', 'nan')),
        ('quantile_year_text', 'sto', edit_column('quantiles.csv', 'year', 'x'))]:
    for command in (['report', 'res'], ['info', 'res'], MAP[:4] + ['--year', '2030']):
        # A forged file may be read or passed over; what fails is a crash, an internal error or a crash-like message.
        cli('forge30_%s_%s' % (label, command[0]), command, toml=None, pre=with_forged(kind, edit), expect='any',
            pattern=r'res/|\.csv|manifest', timeout=180, out='res')


# signals under estimate --levels and --group-split (128 + N, nothing left)
LEVELS = {'f.csv': 'zone,indicator,value\nA,tfr,1.5\nB,tfr,1.2\n',
          'asfr5.csv': 'age,asfr\n15,0.01\n20,0.05\n25,0.08\n30,0.05\n35,0.02\n40,0.005\n45,0.001\n'}
GSPLIT = {'g.csv': ''.join('%d,%s,%s\n' % (110000 + i, ind, v) for i in range(60000) for ind, v in
                           (('pop_resident', 1000), ('pop_hukou_elsewhere_same_district', 10),
                            ('pop_hukou_elsewhere_other_district_same_province', 20),
                            ('pop_hukou_elsewhere_other_province', 30)))}
GSPLIT['g.csv'] = 'code,indicator,value\n' + GSPLIT['g.csv']
for sig, code in ((signal.SIGTERM, 143), (signal.SIGINT, 130), (signal.SIGHUP, 129)):
    name = 'sig30_group_split_%s' % sig.name
    if wanted(name):
        d = os.path.join(ROOT, 'cases', name)
        make(d, GSPLIT)
        rc, o, e, secs, rss = run_measured([EXE, 'estimate', '--group-split', 'g.csv', '--out', 'out'], d, ENV, 60,
                                           (sig, 0.6))
        left = [n for n in os.listdir(d) if n != 'g.csv']
        # -N: the signal came while the system still loaded the program, before its handlers (docs/cli.md; on a
        # loaded 2-core VM that takes over 0.3 s); 0: the estimate was done first (or SIGHUP ignored under nohup).
        LOG.check(name, rc, o, e, secs, rss, (code, -sig, 0), None, ['LEFT %s' % left] if rc != 0 and left else [])
cli('est30_levels_good', ['estimate', '--levels', 'f.csv', '--asfr', 'asfr5.csv', '--out', 'out'], LEVELS,
    expect='ok', toml=None)
for label, extra, expect in [('srb_text', ['--srb', 'abc'], 'bad'), ('open_age_odd', ['--open-age', '87'], 'bad'),
                             ('out_dot', ['--out', '.'], 'bad')]:
    cli('est30_levels_%s' % label, ['estimate', '--levels', 'f.csv', '--asfr', 'asfr5.csv', '--out', 'out'] + extra,
        LEVELS, expect=expect, toml=None)
cli('est30_census_nan_total', EST[:-2] + ['--out', 'out'], {'c1.csv': EST_FILES['c1.csv'].replace('1000', 'nan'),
                                                          'c2.csv': EST_FILES['c2.csv']},
    expect='bad', toml=None, pattern=r'c1\.csv')
PROBE.finish()
