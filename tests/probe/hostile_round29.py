#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Hostile-input probe of round 29 (helper h184), the command line: the scenario keys rounds 3 to 28 gave no case.
(a) `[mortality]`'s other forms (`qx`, `lx`, `Lx`, `Sx`, `life_table`), which no probe gave: NaN, ±inf, −0,
subnormals, 1e308, probabilities past 1, ax past the row's width, an open row without its rate, an increasing lx,
person-years that overflow only when the rows past the open age are summed into T(w), a radix of 1e-320; the tables
through a BOM, UTF-16, a NUL byte, a FIFO, `/proc/self/environ`, a link to /etc/passwd and an OGR VRT naming it.
(b) The life-table settings (`a0`, `ax_method`, `coale_demeny_region`, `radix`, `open_ax`, `e0`, `fit`) mistyped,
misspelt, at and past their bounds, NaN, 1e308, subnormal, 2^63. (c) `[base_population] records` (a register of
persons): `base_date` and `age_date` no date, outside the base year, with a time, 2^63; `max_age` 0, 151, NaN, 1e308;
`records_crs` unknown, a URL, empty, a file in the folder and outside it, `/etc/passwd`, `/proc/self/environ`, a PROJ
string whose grid is /etc/passwd; children ever born of −0, 1e308, 31; coordinates `x`/`y` of NaN, 1e308, subnormal;
the register as a FIFO, `/proc/self/environ`, UTF-16, with a NUL byte, a BOM or 100,000 columns. (d) `[registers]`
births by the mother's date of birth (after the birth, 29 February, 2^63), `years` reversed, past int or past the base
year, `max_age` past its bounds, exposure that overflows only when summed. (e) Options given twice (`--out`,
`--threads`, `--format`, `--lang`) to `run`, `estimate`, `backtest`, `map`, `report`, `info`.
A case fails on a crash, a hang, an exit other than the expected, a message that does not match (file, key, row or
option named), a crash-like or huge message, /etc/passwd quoted, a network connection, a file written, changed or
deleted outside the output, or staging folders left after an error.
Usage: PYTHONPATH=build/python /usr/bin/python3 tests/probe/hostile_round29.py [BUILD_DIR [WORK_DIR]] [PREFIX ...]"""
import os, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe_common import BT, EST, EST_FILES, MAP, OBS, RUN, VAL, ZONES_GJ, CliProbe, make

PROBE = CliProbe('cohortgis-hostile-probe29-')
ROOT, EXE, URL, ENV, LOG = PROBE.root, PROBE.exe, PROBE.url, PROBE.env, PROBE.log
record, wanted, cli = LOG.record, PROBE.wanted, PROBE.cli
PROBE.quoted = ('root', 'daemon', '/bin/bash', '/usr/sbin')
GOOD, INPUTS, SHARED, G = PROBE.good, PROBE.inputs, PROBE.shared, PROBE.g
MX_LINE = 'mx = { path = "mx.csv", columns = { value = "mx" } }'
PASSWD_VRT = ('<OGRVRTDataSource><OGRVRTLayer name="t"><SrcDataSource>CSV:/etc/passwd</SrcDataSource>'
              '</OGRVRTLayer></OGRVRTDataSource>')


def mort(line, extra=''):
    """The good scenario with its [mortality] mx line replaced by `line` (and `extra` keys after it)."""
    return G(MX_LINE, line + ('\n' + extra if extra else ''))


# --- (a) [mortality] qx, lx, Lx, Sx, life_table ---------------------------------------------------------------------
# The good scenario's rates (0.01 at every age, five-year rows 0 … 15, open 20+) as each form: q = 5m/(1 + 2.5m).
Q5 = 5 * 0.01 / (1 + 2.5 * 0.01)


def life_rows():
    """{sex: [(age, q, ax, l, L)]} of the good scenario's rates on five-year rows, radix 100000, and the open row."""
    out = {}
    for s in ('female', 'male'):
        lx, rows = 100000.0, []
        for a in (0, 5, 10, 15):
            d = lx * Q5
            rows.append((a, Q5, 2.5, lx, 5 * (lx - d) + 2.5 * d))
            lx -= d
        rows.append((20, 1.0, None, lx, lx / 0.01))
        out[s] = rows
    return out


ROWS = life_rows()


def qx_table(change=None):
    """qx.csv: sex, age, value (q), ax, mx (open row only); change(sex, age, cells) edits a row's cells."""
    text = 'sex,age,value,ax,mx\n'
    for s, rows in ROWS.items():
        for a, q, ax, _, _ in rows:
            cells = [s, str(a), '%.10g' % q, '' if ax is None else '%g' % ax, '0.01' if ax is None else '']
            if change:
                change(s, a, cells)
            text += ','.join(cells) + '\n'
    return text


def lx_table(change=None):
    text = 'sex,age,value,ax,mx\n'
    for s, rows in ROWS.items():
        for a, _, ax, l, _ in rows:
            cells = [s, str(a), '%.10g' % l, '' if ax is None else '%g' % ax, '0.01' if ax is None else '']
            if change:
                change(s, a, cells)
            text += ','.join(cells) + '\n'
    return text


def big_lx_table(change=None, extra_rows=()):
    """Lx.csv: sex, age, value (L; T at the open row), lx (l0 on the age-0 row); extra_rows: (age, L) past 20."""
    text = 'sex,age,value,lx\n'
    for s, rows in ROWS.items():
        for a, _, _, l, big_l in rows:
            cells = [s, str(a), '%.10g' % big_l, '100000' if a == 0 else '']
            if change:
                change(s, a, cells)
            text += ','.join(cells) + '\n'
        for a, v in extra_rows:
            text += '%s,%d,%s,\n' % (s, a, v)
    return text


def sx_table(change=None):
    """Sx.csv: sex, age, value (survival ratios by the age group at the end of the step, rows 0 … 20)."""
    text = 'sex,age,value\n'
    for s in ('female', 'male'):
        for a in (0, 5, 10, 15, 20):
            cells = [s, str(a), '0.95']
            if change:
                change(s, a, cells)
            text += ','.join(cells) + '\n'
    return text


def cell(sex, age, col, value):
    """change(): cell `col` of the row (sex, age) set to value (sex None: both sexes)."""
    def change(s, a, cells):
        if (sex is None or s == sex) and a == age:
            cells[col] = value
    return change


QX = mort('qx = "qx.csv"')
LX = mort('lx = "lx.csv"')
BIG_LX = mort('Lx = "Lx.csv"')
SX = mort('Sx = "Sx.csv"')
for name, toml, files in [('qx', QX, {'qx.csv': qx_table()}), ('lx', LX, {'lx.csv': lx_table()}),
                          ('big_lx', BIG_LX, {'Lx.csv': big_lx_table()}), ('sx', SX, {'Sx.csv': sx_table()})]:
    cli('mort29_%s_good' % name, RUN, files, toml=toml, expect='ok')

for label, change, expect in [
        ('q_nan', cell('female', 5, 2, 'nan'), 'bad'),
        ('q_inf', cell('female', 5, 2, 'inf'), 'bad'),
        ('q_1e308', cell('female', 5, 2, '1e308'), 'bad'),
        ('q_past_1', cell('female', 5, 2, '1.0000001'), 'bad'),
        ('q_negative', cell('female', 5, 2, '-0.01'), 'bad'),
        ('q_minus_zero', cell('female', 5, 2, '-0'), 'ok'),
        ('q_subnormal', cell('female', 5, 2, '4.9e-324'), 'ok'),
        ('q_one_closed', cell('male', 10, 2, '1'), 'bad'),
        ('ax_nan', cell('female', 5, 3, 'nan'), 'bad'),
        ('ax_past_width', cell('female', 5, 3, '6'), 'bad'),
        ('ax_negative', cell('female', 5, 3, '-0.5'), 'bad'),
        ('ax_1e308', cell('female', 5, 3, '1e308'), 'bad'),
        ('ax_missing', cell('female', 5, 3, ''), 'bad'),
        ('open_mx_missing', cell('male', 20, 4, ''), 'bad'),
        ('open_mx_zero', cell('male', 20, 4, '0'), 'bad'),
        ('open_mx_subnormal', cell('male', 20, 4, '1e-320'), 'bad'),
        ('open_mx_1e308', cell('male', 20, 4, '1e308'), 'bad'),
        ('open_mx_minus_zero', cell('male', 20, 4, '-0'), 'bad')]:
    cli('mort29_qx_' + label, RUN, {'qx.csv': qx_table(change)}, toml=QX, expect=expect, pattern=r'qx\.csv')

for label, change, expect in [
        ('l_increasing', cell('female', 10, 2, '99999'), 'bad'),
        ('l0_zero', cell('female', 0, 2, '0'), 'bad'),
        ('l0_subnormal', cell(None, 0, 2, '1e-320'), 'bad'),
        ('l0_1e308', cell(None, 0, 2, '1e308'), 'bad'),
        ('l_nan', cell('male', 15, 2, 'nan'), 'bad'),
        ('l_zero_after', cell('male', 15, 2, '0'), 'bad'),
        ('l_minus_zero_open', cell('male', 20, 2, '-0'), 'bad'),
        ('l_negative', cell('male', 15, 2, '-5'), 'bad')]:
    cli('mort29_lx_' + label, RUN, {'lx.csv': lx_table(change)}, toml=LX, expect=expect, pattern=r'lx\.csv')

for label, files, expect in [
        ('big_l_nan', {'Lx.csv': big_lx_table(cell('female', 5, 2, 'nan'))}, 'bad'),
        ('big_l_inf', {'Lx.csv': big_lx_table(cell('female', 5, 2, 'inf'))}, 'bad'),
        ('big_l_1e308', {'Lx.csv': big_lx_table(cell('female', 5, 2, '1e308'))}, 'bad'),
        ('big_l_negative', {'Lx.csv': big_lx_table(cell('female', 5, 2, '-1'))}, 'bad'),
        ('big_l_subnormal', {'Lx.csv': big_lx_table(cell('female', 10, 2, '1e-320'))}, 'bad'),
        ('big_l_zero_open', {'Lx.csv': big_lx_table(cell('female', 20, 2, '0'))}, 'bad'),
        ('big_l_minus_zero_open', {'Lx.csv': big_lx_table(cell('female', 20, 2, '-0'))}, 'bad'),
        ('radix_subnormal', {'Lx.csv': big_lx_table(cell(None, 0, 3, '1e-320'))}, 'bad'),
        ('radix_1e308', {'Lx.csv': big_lx_table(cell(None, 0, 3, '1e308'))}, 'any'),
        # T(w) = the sum of the rows from w on: each row finite, their sum past the largest double.
        ('tail_sum_overflows', {'Lx.csv': big_lx_table(extra_rows=[(25, '1e308'), (30, '1e308')])}, 'bad'),
        ('tail_nan', {'Lx.csv': big_lx_table(extra_rows=[(25, 'nan')])}, 'bad'),
        ('tail_negative', {'Lx.csv': big_lx_table(extra_rows=[(25, '-1e6')])}, 'bad'),
        # Every row 1.5e308 on a radix of 1e308 (not increasing, each finite): T(20) = 4.5e308 is not.
        ('tail_sum_overflows_flat', {'Lx.csv': 'sex,age,value,lx\n' + ''.join(
            '%s,%d,1.5e308,%s\n' % (s, a, '1e308' if a == 0 else '') for s in ('female', 'male')
            for a in range(0, 35, 5))}, 'bad')]:
    cli('mort29_' + label, RUN, files, toml=BIG_LX, expect=expect, pattern=r'Lx\.csv')

for label, change, expect in [
        ('s_nan', cell('female', 5, 2, 'nan'), 'bad'),
        ('s_past_1', cell('female', 5, 2, '1.0000001'), 'bad'),
        ('s_minus_zero', cell('female', 5, 2, '-0'), 'any'),
        ('s_subnormal', cell('female', 5, 2, '4.9e-324'), 'any'),
        ('s_missing_row', lambda s, a, c: c.__setitem__(1, '25') if (s, a) == ('male', 20) else None, 'bad')]:
    cli('mort29_sx_' + label, RUN, {'Sx.csv': sx_table(change)}, toml=SX, expect=expect, pattern=r'Sx\.csv')

# The tables through indirection and odd encodings.
QX_TEXT = qx_table()
make(SHARED, {'qx.csv': QX_TEXT})
for label, files, pattern in [
        ('qx_bom', {'qx.csv': b'\xef\xbb\xbf' + QX_TEXT.encode()}, None),
        ('qx_utf16', {'qx.csv': ('\ufeff' + QX_TEXT).encode('utf-16-le')}, r'qx\.csv'),
        ('qx_nul', {'qx.csv': QX_TEXT.replace('0.0487', '0.0\x00487')}, r'qx\.csv'),
        ('qx_overlong_utf8', {'qx.csv': QX_TEXT.encode().replace(b'female', b'fem\xc1\xa1le')}, r'qx\.csv'),
        ('qx_fifo', {'qx.csv': 'FIFO'}, r'qx\.csv'),
        ('qx_folder', {'qx.csv/': None}, r'qx\.csv'),
        ('qx_proc_environ', {'qx.csv': 'SYMLINK:/proc/self/environ'}, r'qx\.csv'),
        ('qx_link_passwd', {'qx.csv': 'SYMLINK:/etc/passwd'}, r'qx\.csv'),
        ('qx_vrt_passwd', {'qx.vrt': PASSWD_VRT}, r'qx\.vrt'),
        ('qx_link_shared', {'qx.csv': 'SYMLINK:' + os.path.join(SHARED, 'qx.csv')}, r'qx\.csv')]:
    toml = QX.replace('qx.csv', 'qx.vrt') if 'vrt' in label else QX
    cli('mort29_in_' + label, RUN, files, toml=toml, expect='ok' if label == 'qx_bom' else 'bad', pattern=pattern)

LT = 'sex,age,Lx,lx,Tx\n' + ''.join('%s,%d,%.10g,%.10g,1\n' % (s, a, big_l, l) for s, rows in ROWS.items()
                                     for a, _, _, l, big_l in rows)
for label, line, expect, pattern in [
        ('good', 'life_table = "lt.csv"', 'ok', None),
        ('tx_mapped', 'life_table = { path = "lt.csv", columns = { Tx = "Tx" } }', 'bad', r'Tx'),
        # One column read for two roles (Lx mapped onto the survivors, which the lx role reads too): the user's own
        # mapping, taken as written (tables do not refuse a column given two roles).
        ('lx_mapped_to_lx', 'life_table = { path = "lt.csv", columns = { Lx = "lx" } }', 'any', None),
        ('beside_mx', 'life_table = "lt.csv"\n' + MX_LINE, 'bad', r'mortality'),
        ('false_alone', 'mx = false', 'bad', r'mortality')]:
    cli('mort29_life_table_' + label, RUN, {'lt.csv': LT}, toml=mort(line), expect=expect, pattern=pattern)

# --- (b) life-table settings ------------------------------------------------------------------------------------------
for label, extra, expect, pattern in [
        ('a0_empty', 'a0 = ""', 'bad', r'a0'),
        ('a0_capitals', 'a0 = "AK"', 'bad', r'a0'),
        ('a0_number', 'a0 = 5', 'bad', r'a0'),
        ('a0_cd', 'a0 = "cd"', 'ok', None),
        ('ax_method_pas', 'ax_method = "pas"', 'ok', None),
        ('ax_method_nope', 'ax_method = "nope"', 'bad', r'ax_method'),
        ('region_w', 'coale_demeny_region = "w"', 'ok', None),
        ('region_x', 'coale_demeny_region = "x"', 'bad', r'coale_demeny_region'),
        ('region_array', 'coale_demeny_region = ["west"]', 'bad', r'coale_demeny_region'),
        ('radix_zero', 'radix = 0', 'bad', r'radix'),
        ('radix_nan', 'radix = nan', 'bad', r'radix'),
        ('radix_1e308', 'radix = 1e308', 'any', r'radix'),
        ('radix_subnormal', 'radix = 1e-320', 'bad', r'radix'),
        ('radix_string', 'radix = "100000"', 'bad', r'radix'),
        ('open_ax_below', 'open_ax = 0.4999', 'bad', r'open_ax'),
        ('open_ax_above', 'open_ax = 100.0001', 'bad', r'open_ax'),
        ('open_ax_nan', 'open_ax = nan', 'bad', r'open_ax'),
        ('open_ax_inf', 'open_ax = inf', 'bad', r'open_ax'),
        ('open_ax_minus_zero', 'open_ax = -0.0', 'bad', r'open_ax'),
        ('e0_nan', 'e0 = { female = nan, male = 70 }', 'bad', r'e0'),
        ('e0_1e308', 'e0 = { female = 1e308, male = 70 }', 'bad', r'e0'),
        ('e0_minus_zero', 'e0 = { female = -0.0, male = 70 }', 'bad', r'e0'),
        ('e0_subnormal', 'e0 = { female = 1e-320, male = 70 }', 'bad', r'e0'),
        ('e0_2p63', 'e0 = { female = 9223372036854775807, male = 70 }', 'bad', r'e0'),
        ('e0_gain_1e308', 'e0_gain_per_year = { female = 1e308, male = 0.1 }', 'bad', r'e0_gain_per_year'),
        ('e0_gain_nan', 'e0_gain_per_year = { female = nan, male = 0.1 }', 'bad', r'e0_gain_per_year'),
        ('fit_e0_1e308', 'fit = { e0 = 1e308, srb = 105, year = 2025 }', 'bad', r'fit'),
        ('fit_srb_nan', 'fit = { e0 = 60, srb = nan, year = 2025 }', 'bad', r'fit'),
        ('fit_year_2p63', 'fit = { e0 = 60, srb = 105, year = 9223372036854775807 }', 'bad', r'fit'),
        ('fit_year_float', 'fit = { e0 = 60, srb = 105, year = 2025.5 }', 'bad', r'fit')]:
    cli('lt29_' + label, RUN, toml=mort(MX_LINE, extra), expect=expect, pattern=pattern)
cli('lt29_e0_path_inf', RUN, {'e0.csv': 'year,value\n2025,inf\n'},
    toml=mort(MX_LINE, 'e0 = { female = "e0.csv", male = 70 }'), pattern=r'e0\.csv')
cli('lt29_e0_path_fifo', RUN, {'e0.csv': 'FIFO'}, toml=mort(MX_LINE, 'e0 = { female = "e0.csv", male = 70 }'),
    pattern=r'e0\.csv')
cli('lt29_radix_beside_lx_table', RUN, {'lx.csv': lx_table()}, toml=mort('lx = "lx.csv"', 'radix = nan'),
    pattern=r'radix')

# --- (c) records (a register of persons) ------------------------------------------------------------------------------
REC_ROWS = ''.join('%d,%d-%02d-15,%s,%s,%s\n' % (i, 1950 + i % 60, 1 + i % 12, 'F' if i % 2 else 'M', 'AB'[i % 3 == 0],
                                                  i % 4) for i in range(1, 121))
REC = 'pid,dob,sex,zone,ceb\n' + REC_ROWS
REC_LINE = ('records = { path = "r.csv", columns = { id = "pid", birth_date = "dob", sex = "sex", zone = "zone", '
            'children = "ceb" } }')


RELOCATION = GOOD[GOOD.index('[[relocation]]'):GOOD.index('[plan_periods]')]


def rec(extra='', line=REC_LINE, toml=GOOD):
    """toml (the good scenario) with its base population the register `line` (and `extra` keys) and no relocation
    (the register's 120 persons have too few children to move)."""
    return toml.replace(RELOCATION, '').replace('table = "base.csv"', line + ('\n' + extra if extra else ''))


cli('rec29_good', RUN, {'r.csv': REC}, toml=rec(), expect='ok')
for label, extra, expect, pattern in [
        ('base_date_feb30', 'base_date = "2020-02-30"', 'bad', r'base_date'),
        ('base_date_other_year', 'base_date = "2019-12-31"', 'bad', r'base_date'),
        ('base_date_toml_date', 'base_date = 2020-12-31', 'bad', r'base_date'),
        ('base_date_with_time', 'base_date = "2020-12-31T23:59"', 'any', r'base_date'),
        ('base_date_year_2p63', 'base_date = "9223372036854775808-12-31"', 'bad', r'base_date'),
        ('base_date_nul', 'base_date = "2020-12-31\\u0000"', 'bad', r'base_date'),
        ('base_date_empty', 'base_date = ""', 'bad', r'base_date'),
        ('age_date_beside_dates', 'age_date = "2019-12-31"', 'bad', r'age_date'),
        ('max_age_zero', 'max_age = 0', 'bad', r'max_age'),
        ('max_age_151', 'max_age = 151', 'bad', r'max_age'),
        ('max_age_nan', 'max_age = nan', 'bad', r'max_age'),
        ('max_age_1e308', 'max_age = 1e308', 'bad', r'max_age'),
        ('max_age_2p63', 'max_age = 9223372036854775807', 'bad', r'max_age'),
        ('records_crs_with_zones', 'records_crs = "EPSG:4326"', 'bad', r'records_crs'),
        ('exclude_unknown', 'exclude = ["nope"]', 'bad', r'exclude'),
        ('exclude_twice', 'exclude = ["duplicate_id", "duplicate_id"]', 'any', r'exclude'),
        ('exclude_string', 'exclude = "duplicate_id"', 'bad', r'exclude')]:
    cli('rec29_' + label, RUN, {'r.csv': REC}, toml=rec(extra), expect=expect, pattern=pattern)

AGE_LINE = 'records = { path = "r.csv", columns = { id = "pid", age = "age", sex = "sex", zone = "zone" } }'
AGE_REC = 'pid,age,sex,zone\n' + ''.join('%d,%d,%s,%s\n' % (i, i % 60, 'FM'[i % 2], 'AB'[i % 3 == 0])
                                         for i in range(1, 121))
for label, extra, expect, pattern in [
        ('age_date_earlier', 'age_date = "2019-12-31"', 'ok', None),
        ('age_date_other_day', 'age_date = "2019-06-30"', 'bad', r'age_date'),
        ('age_date_later', 'age_date = "2021-12-31"', 'bad', r'age_date'),
        ('age_date_year_zero', 'age_date = "0000-12-31"', 'bad', r'age_date'),
        ('age_date_far_past', 'age_date = "0001-12-31"', 'bad', r'age 2020 at 2020-12-31 is over')]:
    cli('rec29_' + label, RUN, {'r.csv': AGE_REC}, toml=rec(extra, AGE_LINE), expect=expect, pattern=pattern)

for label, row, expect in [
        ('children_minus_zero', '999,1980-01-01,F,A,-0', 'any'),
        ('children_1e308', '999,1980-01-01,F,A,1e308', 'bad'),
        ('children_31', '999,1980-01-01,F,A,31', 'bad'),
        ('children_nan', '999,1980-01-01,F,A,nan', 'bad'),
        ('children_fraction', '999,1980-01-01,F,A,1.5', 'bad'),
        ('dob_subnormal_text', '999,4.9e-324,F,A,1', 'bad'),
        ('id_nul', '9\x0099,1980-01-01,F,A,1', 'bad'),
        ('sex_nul', '999,1980-01-01,F\x00,A,1', 'bad'),
        ('zone_overlong_utf8', '999,1980-01-01,F,\xc1\x81,1', 'bad')]:
    cli('rec29_row_' + label, RUN, {'r.csv': REC + row + '\n'}, toml=rec(), expect=expect, pattern=r'r\.csv')

ZONES = PROBE.zsrc('zones.geojson')
WGS84_WKT = ('GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],PRIMEM["Greenwich",0],'
             'UNIT["degree",0.0174532925199433]]')
make(SHARED, {'crs.prj': WGS84_WKT})
XY_LINE = 'records = { path = "r.csv", columns = { id = "pid", age = "age", sex = "sex", x = "x", y = "y" } }'
XY_REC = 'pid,age,sex,x,y\n' + ''.join('%d,%d,%s,%s,39.05\n' % (i, i % 60, 'FM'[i % 2], '116.05' if i % 2 else
                                                                 '116.15') for i in range(1, 121))
for label, xy, expect in [('good', None, 'ok'), ('x_nan', 'nan,39.05', 'bad'), ('x_1e308', '1e308,39.05', 'bad'),
                          ('y_inf', '116.05,inf', 'bad'), ('x_subnormal', '4.9e-324,39.05', 'bad'),
                          ('x_minus_zero', '-0,39.05', 'bad'), ('x_hex', '0x74,39.05', 'bad')]:
    text = XY_REC + ('999,30,F,%s\n' % xy if xy else '')
    cli('rec29_xy_' + label, RUN, {'r.csv': text, 'zones.geojson': ZONES_GJ}, toml=rec('', XY_LINE, ZONES),
        expect=expect, pattern=r'r\.csv')
for label, crs, expect in [('unknown', 'EPSG:99999', 'bad'), ('url', URL + '/crs', 'bad'),
                           ('proj_passwd', '+proj=longlat +nadgrids=/etc/passwd', 'bad'),
                           ('empty', '', 'bad'), ('blank', '  ', 'bad'), ('same', 'EPSG:4326', 'ok'),
                           # A path is never read as the CRS (GDAL would open it wherever it leads).
                           ('file_outside', os.path.join(SHARED, 'crs.prj'), 'bad'),
                           ('file_inside', 'crs.prj', 'bad'), ('etc_passwd', '/etc/passwd', 'bad'),
                           ('proc_environ', '/proc/self/environ', 'bad')]:
    cli('rec29_crs_' + label, RUN, {'r.csv': XY_REC, 'zones.geojson': ZONES_GJ, 'crs.prj': WGS84_WKT},
        toml=rec('records_crs = "%s"' % crs, XY_LINE, ZONES), expect=expect, pattern=r'records_crs')

for label, files, pattern in [
        ('fifo', {'r.csv': 'FIFO'}, r'r\.csv'),
        ('proc_environ', {'r.csv': 'SYMLINK:/proc/self/environ'}, r'r\.csv'),
        ('proc_fd', {'r.csv': 'SYMLINK:/proc/self/fd/0'}, r'r\.csv'),
        ('utf16', {'r.csv': ('\ufeff' + REC).encode('utf-16-le')}, r'r\.csv'),
        ('nul_header', {'r.csv': REC.replace('pid', 'p\x00id', 1)}, r'r\.csv'),
        ('columns_100000', {'r.csv': REC.replace('ceb\n', 'ceb,' + ','.join('c%d' % i for i in range(100000)) + '\n',
                                                 1)}, r'r\.csv'),
        ('vrt_passwd', {'r.vrt': PASSWD_VRT}, r'r\.vrt'),
        ('aux_entity', {'r.csv': REC, 'r.csv.aux.xml': '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM '
                        '"file:///etc/passwd">]><PAMDataset><Metadata><MDI key="k">&e;</MDI></Metadata></PAMDataset>'},
         None)]:
    toml = rec(line=REC_LINE.replace('r.csv', 'r.vrt')) if 'vrt' in label else rec()
    expect = 'ok' if label == 'aux_entity' else ('any' if label == 'columns_100000' else 'bad')
    cli('rec29_in_' + label, RUN, files, toml=toml, expect=expect, pattern=pattern, timeout=60)

# --- (d) [registers]: births by the mother's date of birth, years, max_age ------------------------------------------
REGB = G('[plan_periods]', '[registers]\nbirths = { path = "b.csv", columns = { date = "born", mother_birth_date = '
         '"mdob", zone = "zone" } }\n%s\n\n[plan_periods]')
for label, row, extra, expect in [
        ('mother_born_after', '2020-03-01,2020-04-01,A', '', 'bad'),
        ('mother_feb29_common', '2020-03-01,1990-02-29,A', '', 'bad'),
        ('mother_feb29_leap', '2020-03-01,1992-02-29,A', '', 'ok'),
        ('mother_year_2p63', '2020-03-01,9223372036854775808-01-01,A', '', 'bad'),
        ('mother_same_day', '2020-03-01,2020-03-01,A', '', 'any'),
        ('years_reversed', '2020-03-01,1990-01-01,A', 'years = [2020, 2019]', 'bad'),
        ('years_past_base', '2020-03-01,1990-01-01,A', 'years = [2020, 2021]', 'bad'),
        ('years_past_int', '2020-03-01,1990-01-01,A', 'years = [-2147483649, 2020]', 'bad'),
        ('years_float', '2020-03-01,1990-01-01,A', 'years = [2020.0, 2020]', 'bad'),
        ('max_age_151', '2020-03-01,1990-01-01,A', 'max_age = 151', 'bad'),
        ('max_age_nan', '2020-03-01,1990-01-01,A', 'max_age = nan', 'bad'),
        ('exclude_all_reasons', '2020-03-01,2020-04-01,A', 'exclude = ["born_after_event"]', 'ok')]:
    cli('reg29_' + label, RUN, {'b.csv': 'born,mdob,zone\n2020-05-01,1990-01-01,B\n' + row + '\n'},
        toml=REGB % extra, expect=expect,
        pattern=r'got the number 2020\.0' if label == 'years_float' else r'b\.csv|registers')
REGE = G('[plan_periods]', '[registers]\ndeaths = { path = "d.csv", columns = { date = "died", age = "age", sex = '
         '"sex", zone = "zone" } }\nexposure = { path = "e.csv" }\n\n[plan_periods]')
for label, rows, expect in [
        ('exposure_two_rows_sum', '2020,A,female,20,9e11\n2020,A,female,20,9e11\n', 'bad'),
        ('exposure_minus_zero', '2020,A,female,20,-0\n', 'ok'),
        ('exposure_unit_overflow', None, 'bad')]:
    e = 'year,zone,sex,age,value\n' + (rows or '2020,A,female,20,1e12\n')
    toml = REGE if rows else REGE.replace('exposure = { path = "e.csv" }',
                                          'exposure = { path = "e.csv", unit = "10k" }')
    cli('reg29_' + label, RUN, {'d.csv': 'died,age,sex,zone\n2020-03-01,20,female,A\n', 'e.csv': e}, toml=toml,
        expect=expect, pattern=r'e\.csv')

# A whole number written with a decimal point where a whole number goes: the message shows the point.
for label, old, new in [('horizon', 'horizon = 2030', 'horizon = 2030.0'),
                        ('relocation_year', 'years = [2023, 2027]', 'years = [2023.0, 2027]')]:
    cli('toml29_point_' + label, VAL, toml=G(old, new), out=None, pattern=r'got the number 20\d\d\.0')

# --- (e) options given twice ------------------------------------------------------------------------------------------
cli('twice29_run_out', RUN + ['--out', 'out2'], pattern=r'--out')
cli('twice29_run_threads', RUN + ['--threads', '1', '--threads', '2'], pattern=r'--threads')
cli('twice29_run_format', RUN + ['--format', 'csv', '--format', 'netcdf'], pattern=r'--format')
cli('twice29_validate_results', VAL + ['--results', 'a', '--results', 'b'], out=None, pattern=r'--results')
cli('twice29_estimate_years', EST + ['--years', '2000:2005'], EST_FILES, toml=None, pattern=r'--years')
cli('twice29_backtest_observed', BT + ['--observed', 'obs.csv'], {'obs.csv': OBS}, pattern=r'--observed')


def with_res(d):
    PROBE.with_results(d)


cli('twice29_map_year', MAP + ['--year', '2030', '--out', 'm.png'], pre=with_res, out='m.png', pattern=r'--year')
cli('twice29_map_out', MAP + ['--out', 'm.png', '--out', 'n.png'], pre=with_res, out='m.png', pattern=r'--out')
cli('twice29_report_lang', ['report', 'res', '--lang', 'en', '--lang', 'zh-CN'], pre=with_res, out='res',
    pattern=r'--lang')
cli('twice29_info_layer', ['info', 'base.csv', '--layer', 'base', '--layer', 'x'], out=None, pattern=r'--layer')

PROBE.finish()
