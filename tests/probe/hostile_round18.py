#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Hostile-input probe of round 18 (helper h82): what the earlier probes left. (a) GeoPackages whose rows SQL in the
file computes (a recursive view without end, a view of 500 MB blobs, a column GENERATED … VIRTUAL of zeroblob(8e8),
SpatiaLite's VirtualText/VirtualDBF over /etc/passwd, an FTS table, a virtual table dressed as an R-tree, a view
calling OGR's SQL functions) as tables, zone sources and VRT sources; a hot journal and a WAL file beside one, a
feature count of 2^63; (b) spreadsheets' own indirections: ODS cells repeated 10^9 times, rows repeated 10^8 times,
XXE and a billion laughs in content.xml and sharedStrings.xml, formulas (circular, over the whole sheet), a linked
sheet and an external workbook link pointing at the listener, an XLSX cell at XFD1048576, row numbers past int;
(c) the table reference's own keys: `encoding` spelt as a path, with //TRANSLIT or //IGNORE, 5000 bytes, UTF-16,
UTF-7, stateful ISO-2022-JP; `values` maps colliding, to unknown zones, to 1e400/NaN/hex, with 100,000 entries;
`ages = "labels"` past int, negative, reversed, full-width; `filter` with 2^63, 1.5, a table, true, "*", a missing
column, 100,000 values; `wpp` with 2^63, −1, a float, an empty variant; (d) numbers: hex floats, denormals, −0,
`+5`, `1_000`, `.5`, `5.` in CSV cells; TOML floats where integers go, hex integers, −0.0, tfr keys `02020` and
`2020.0`, duplicated and reversed years in tables and in `years = [..]`, ages and years near INT_MAX, zero and
negative rates, populations and caps; (e) files: UTF-16/UTF-32 with BOM, a BOM in the middle, empty, a million blank
lines, invalid UTF-8 and NFC/NFD twins as zone ids, a symlink loop; (f) outputs: `--out` and `map --out` under
/vsimem/ (GDAL's memory) and a real folder of that name, a full tmpfs, a tmpfs out of inodes, an immutable parent,
two `map` into one file at once; signals during `info` and `validate`; (g) Python: base_population as datetime64,
complex, bool, str, transposed, non-contiguous, Fortran-ordered, negative-stride and broadcast arrays; StepSchedules
arrays and set_od's profile of the wrong dtype; write_outputs and Figure.save under /vsimem/; a GeoPackage with a
virtual table loaded from Python. A case fails on a crash, a hang, an exit other than the expected, a message that
does not match, a crash-like or huge message, a network connection, /etc/passwd's text in a message, a file written,
changed or deleted outside the output, or output or staging folders left after an error.
About 3 minutes on a loaded 2-core VM (189 cases); WORK is left for inspection: delete it afterwards. The
tmpfs cases need root (mount) and are recorded as skipped otherwise.
Usage: PYTHONPATH=build/python /usr/bin/python3 tests/probe/hostile_round18.py [BUILD_DIR [WORK_DIR]] [PREFIX ...]"""
import os, shutil, signal, sqlite3, subprocess, sys, zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe_common import CliProbe, leftovers, make, place, run_measured, snapshot, changes, sqlite_file

PROBE = CliProbe('cohortgis-hostile-probe18-')
BUILD, ROOT, EXE, NET, URL, ENV, LOG = PROBE.build, PROBE.root, PROBE.exe, PROBE.net, PROBE.url, PROBE.env, PROBE.log
results, record, check, wanted, cli = LOG.results, LOG.record, LOG.check, PROBE.wanted, PROBE.cli
PROBE.quoted = ('root', 'daemon', '/bin/bash', '/usr/sbin')  # /etc/passwd's words: a message must not quote them

GOOD, INPUTS, SHARED = PROBE.good, PROBE.inputs, PROBE.shared
BASE, MX, ASFR = INPUTS['base.csv'], INPUTS['mx.csv'], INPUTS['asfr.csv']
G = lambda old, new: GOOD.replace(old, new)  # noqa: E731
BASEREF = lambda ref: G('table = "base.csv"', 'table = %s' % ref)  # noqa: E731
VAL = ['validate', 'sc.toml']
RUN = ['run', 'sc.toml', '--out', 'out', '--quiet', '--no-report']
RUNR = ['run', 'sc.toml', '--out', 'out', '--quiet']

make(SHARED, {'victim/thesis.txt': 'precious\n'})

# --- (a) GeoPackages whose rows are computed by SQL in the file ------------------------------------------------------
SRC = os.path.join(ROOT, 'src')
make(SRC, {'base.csv': BASE, 'z.csv': 'id,WKT\nA,"POLYGON ((0 0,1 0,1 1,0 1,0 0))"\n'
           'B,"POLYGON ((1 0,2 0,2 1,1 1,1 0))"\n'})


def gpkg(name, statements, layer_src='base.csv', nln='real', extra=()):
    """SRC/name: ogr2ogr's GeoPackage of layer_src (as layer nln), then statements run by sqlite3 (writable_schema on
    while they run); returns its bytes."""
    return sqlite_file(os.path.join(SRC, name), os.path.join(SRC, layer_src), statements, 'GPKG', nln, extra)


REG = "INSERT INTO gpkg_contents(table_name, data_type, identifier) VALUES('base', 'attributes', 'base')"
VT = "INSERT INTO sqlite_master(type, name, tbl_name, rootpage, sql) VALUES('table', 'base', 'base', 0, '%s')"
VTN = lambda name, sql: VT.replace("'base', 'base'", "'%s', '%s'" % (name, name)) % sql  # noqa: E731
GP = BASEREF('{ path = "b.gpkg", layer = "base" }')
GPCOLS = BASEREF('{ path = "b.gpkg", layer = "base", columns = { zone = "COL001", sex = "COL002", age = "COL003", '
                 'population = "COL004" } }')
REC = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c)"
for label, stmts, toml, pat in [
        ('view_endless_filtered', ["CREATE VIEW base AS SELECT zone, sex, age, population, 1 AS keep FROM real UNION "
                                   "ALL SELECT * FROM (%s SELECT 'A', 'female', 0, 1, 0 FROM c)" % REC, REG],
         BASEREF('{ path = "b.gpkg", layer = "base", filter = { keep = 1 } }'), r'view'),
        ('view_endless', ["CREATE VIEW base AS %s SELECT 'A' AS zone, 'female' AS sex, x AS age, 1 AS population "
                          "FROM c" % REC, REG], GP, r'view'),
        ('view_randomblob', ["CREATE VIEW base AS SELECT *, randomblob(500000000) AS junk FROM real", REG], GP,
         r'view'),
        ('view_plain', ["CREATE VIEW base AS SELECT * FROM real", REG], GP, r'view'),
        ('view_ogr_geocode', ["CREATE VIEW base AS SELECT *, ogr_geocode('Paris') AS g FROM real", REG], GP, None),
        ('generated_zeroblob', ["CREATE TABLE base (fid INTEGER PRIMARY KEY, zone TEXT, sex TEXT, age INTEGER, "
                                "population REAL, junk BLOB GENERATED ALWAYS AS (zeroblob(100000000)) VIRTUAL)",
                                "INSERT INTO base(zone, sex, age, population) SELECT zone, sex, age, population "
                                "FROM real", REG], GP, r'generated column'),
        ('generated_shorthand', ["CREATE TABLE base (fid INTEGER PRIMARY KEY, zone TEXT, sex TEXT, age INTEGER, "
                                 "population REAL, junk AS (zeroblob(100000000)))",
                                 "INSERT INTO base(zone, sex, age, population) SELECT zone, sex, age, population "
                                 "FROM real", REG], GP, r'generated column'),
        ('virtualtext_passwd', [VT % "CREATE VIRTUAL TABLE base USING VirtualText(''/etc/passwd'', ''UTF-8'', 0, "
                                "POINT, NONE, '':'')", REG], GPCOLS, r'virtual table'),
        ('virtualdbf_passwd', [VT % "CREATE VIRTUAL TABLE base USING VirtualDBF(''/etc/passwd'', ''UTF-8'')", REG],
         GP, r'virtual table'),
        ('virtual_fts4', ["CREATE VIRTUAL TABLE base USING fts4(zone, sex, age, population)", REG], GP,
         r'virtual table'),
        ('virtual_as_rtree_comment', [VTN('rtree_base',
                                          "CREATE VIRTUAL TABLE rtree_base USING VirtualText(''/etc/passwd'', "
                                      "''UTF-8'', 0, POINT, NONE, '':'') /* USING rtree( */"), REG.replace(
                                          "'base', 'attributes', 'base'", "'rtree_base', 'attributes', 'rtree_base'")],
         BASEREF('{ path = "b.gpkg", layer = "rtree_base", columns = { zone = "COL001", sex = "COL002", '
                 'age = "COL003", population = "COL004" } }'), r'virtual table'),
        ('virtual_beside_real', [VTN('other',
                                     "CREATE VIRTUAL TABLE other USING VirtualText(''/etc/passwd'', ''UTF-8'', "
                                     "0, POINT, NONE, '':'')")], BASEREF('{ path = "b.gpkg", layer = "real" }'),
         r'virtual table'),
        ('generated_stored_ok', ["CREATE TABLE base (fid INTEGER PRIMARY KEY, zone TEXT, sex TEXT, age INTEGER, "
                                 "population REAL, twice REAL GENERATED ALWAYS AS (population * 2) STORED)",
                                 "INSERT INTO base(zone, sex, age, population) SELECT zone, sex, age, population "
                                 "FROM real", REG], GP, None),
        ('feature_count_2p63', ["UPDATE gpkg_ogr_contents SET feature_count = 9223372036854775807"],
         BASEREF('{ path = "b.gpkg", layer = "real" }'), None)]:
    cli('gpkg_' + label, VAL, {'b.gpkg': gpkg('%s.gpkg' % label, stmts)},
        'ok' if label.endswith('_ok') or label == 'feature_count_2p63' else 'bad', pat, toml=toml, timeout=40)
# The same files reached other ways: as the zone source, through an OGR VRT, and from `run`.
ZSRC = lambda p, layer: G('[projection]', '[geography.source]\npath = "%s"\nlayer = "%s"\nid_field = "id"\n\n'  # noqa
                          '[projection]' % (p, layer))
ZVT = gpkg('zvt.gpkg', [VTN('zones', "CREATE VIRTUAL TABLE zones USING VirtualText(''/etc/passwd'', ''UTF-8'', 0, "
                               "POINT, NONE, '':'')"), REG.replace(
                            "'base', 'attributes', 'base'", "'zones', 'attributes', 'zones'")], 'z.csv', 'z',
           ['-oo', 'GEOM_POSSIBLE_NAMES=WKT', '-a_srs', 'EPSG:4326'])
cli('gpkg_zone_source_virtualtext', VAL, {'z.gpkg': ZVT}, 'bad', r'virtual table', toml=ZSRC('z.gpkg', 'zones'))
ZVIEW = gpkg('zview.gpkg', ["CREATE VIEW zv AS SELECT * FROM z", REG.replace("'base', 'attributes', 'base'",
                                                                               "'zv', 'features', 'zv'")],
             'z.csv', 'z', ['-oo', 'GEOM_POSSIBLE_NAMES=WKT', '-a_srs', 'EPSG:4326'])
cli('gpkg_zone_source_view', VAL, {'z.gpkg': ZVIEW}, 'bad', r'view', toml=ZSRC('z.gpkg', 'zv'))
VRT = ('<OGRVRTDataSource><OGRVRTLayer name="base"><SrcDataSource relativeToVRT="1">b.gpkg</SrcDataSource>'
       '<SrcLayer>base</SrcLayer></OGRVRTLayer></OGRVRTDataSource>')
cli('gpkg_through_vrt_virtualtext', VAL, {'b.gpkg': gpkg('vrt_vt.gpkg', [VT % "CREATE VIRTUAL TABLE base USING "
                                                         "VirtualText(''/etc/passwd'', ''UTF-8'', 0, POINT, NONE, "
                                                         "'':'')", REG]), 'b.vrt': VRT}, 'bad', r'virtual table',
    toml=BASEREF('{ path = "b.vrt", columns = { zone = "COL001", sex = "COL002", age = "COL003", population = '
                 '"COL004" } }'))
cli('gpkg_run_view_endless', RUN, {'b.gpkg': gpkg('run_view.gpkg', ["CREATE VIEW base AS SELECT zone, sex, age, "
                                                   "population, 1 AS keep FROM real UNION ALL SELECT * FROM (%s "
                                                   "SELECT 'A', 'female', 0, 1, 0 FROM c)" % REC, REG])}, 'bad',
    r'view', toml=BASEREF('{ path = "b.gpkg", layer = "base", filter = { keep = 1 } }'), timeout=40)


def hot_journal(d):
    """b.gpkg with a hot rollback journal beside it (copied in the middle of a transaction)."""
    src = os.path.join(d, 'src.gpkg')
    shutil.copy(os.path.join(SRC, 'feature_count_2p63.gpkg'), src)
    c = sqlite3.connect(src, isolation_level=None)
    c.execute('PRAGMA journal_mode=DELETE')
    c.execute('PRAGMA cache_size=1')
    c.execute('BEGIN IMMEDIATE')
    c.execute('UPDATE real SET population = population * 2')
    c.execute("CREATE TABLE big AS %s SELECT x, hex(randomblob(100)) h FROM c LIMIT 20000" % REC)
    shutil.copy(src, os.path.join(d, 'b.gpkg'))
    shutil.copy(src + '-journal', os.path.join(d, 'b.gpkg-journal'))
    c.execute('ROLLBACK')
    c.close()
    os.remove(src)


cli('gpkg_hot_journal', VAL, {}, 'bad', r'b\.gpkg', toml=BASEREF('{ path = "b.gpkg", layer = "real" }'),
    pre=hot_journal)


def wal_left(d):
    """b.gpkg in WAL mode with its -wal file holding a change (the writer killed before a checkpoint)."""
    p = os.path.join(d, 'b.gpkg')
    shutil.copy(os.path.join(SRC, 'feature_count_2p63.gpkg'), p)
    code = ('import sqlite3, os\nc = sqlite3.connect(%r)\nc.execute("PRAGMA journal_mode=WAL")\nc.execute("PRAGMA '
            'wal_autocheckpoint=0")\nc.execute("UPDATE real SET population = population + 1")\nc.commit()\n'
            'os._exit(0)\n' % p)
    subprocess.run(['/usr/bin/python3', '-c', code], check=True)
    shm = p + '-shm'
    if os.path.exists(shm):
        os.remove(shm)


cli('gpkg_wal_file_beside', VAL, {}, 'bad', r'write-ahead log', toml=BASEREF('{ path = "b.gpkg", layer = "real" }'),
    pre=wal_left)

# --- (b) Spreadsheets' own indirections -------------------------------------------------------------------------------
ODS_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:'
          'opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:xlink='
          '"http://www.w3.org/1999/xlink" xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2"')


def ods(body, doctype=''):
    def f(p):
        with zipfile.ZipFile(p, 'w', zipfile.ZIP_DEFLATED) as z:
            z.writestr(zipfile.ZipInfo('mimetype'), 'application/vnd.oasis.opendocument.spreadsheet')
            z.writestr('META-INF/manifest.xml', '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:'
                       'manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:'
                       'full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                       '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                       '</manifest:manifest>')
            z.writestr('content.xml', '<?xml version="1.0" encoding="UTF-8"?>%s<office:document-content %s office:'
                       'version="1.2"><office:body><office:spreadsheet><table:table table:name="base">%s</table:table>'
                       '</office:spreadsheet></office:body></office:document-content>' % (doctype, ODS_NS, body))
    return f


def oc(v, extra=''):
    if isinstance(v, (int, float)):
        return ('<table:table-cell office:value-type="float" office:value="%s"%s><text:p>%s</text:p>'
                '</table:table-cell>' % (v, extra, v))
    return '<table:table-cell office:value-type="string"%s><text:p>%s</text:p></table:table-cell>' % (extra, v)


def orow(cells, extra=''):
    return '<table:table-row%s>%s</table:table-row>' % (extra, ''.join(cells))


ROWS = [ln.split(',') for ln in BASE.split()]
OHDR = orow([oc(c) for c in ROWS[0]])
ODATA = ''.join(orow([oc(r[0]), oc(r[1]), oc(int(r[2])), oc(int(r[3]))]) for r in ROWS[1:])
OTOML = BASEREF('"b.ods"')
LAUGHS = '<!DOCTYPE x [<!ENTITY l0 "AAAAAAAAAA">%s]>' % ''.join(
    '<!ENTITY l%d "%s">' % (i, ('&l%d;' % (i - 1)) * 10) for i in range(1, 10))
cli('ods_plain_ok', VAL, {'b.ods': ods(OHDR + ODATA)}, 'ok', toml=OTOML)
cli('ods_columns_repeated_1e9', VAL, {'b.ods': ods(OHDR + ODATA + orow(
    [oc('x', ' table:number-columns-repeated="1000000000"')]))}, 'any', toml=OTOML)
cli('ods_rows_repeated_3', VAL, {'b.ods': ods(OHDR + ODATA + orow([oc('A'), oc('female'), oc(0), oc(1)],
                                                                      ' table:number-rows-repeated="3"'))},
    'bad', r'second row', toml=OTOML)
cli('ods_rows_repeated_1e8', VAL, {'b.ods': ods(OHDR + ODATA + orow([oc('A'), oc('female'), oc(0), oc(1)],
                                                                        ' table:number-rows-repeated="100000000"'))},
    'any', toml=OTOML)
cli('ods_empty_rows_before_header', VAL, {'b.ods': ods(orow([oc('')], ' table:number-rows-repeated="1048576"') + OHDR +
                                                       ODATA)}, 'bad', r'b\.ods', toml=OTOML)
cli('ods_xxe_passwd', VAL, {'b.ods': ods(OHDR + ODATA.replace('<text:p>A</text:p>', '<text:p>&x;</text:p>', 1),
                                         '<!DOCTYPE x [<!ENTITY x SYSTEM "file:///etc/passwd">]>')}, 'bad', r'b\.ods',
    toml=OTOML)
cli('ods_xxe_url', VAL, {'b.ods': ods(OHDR + ODATA.replace('<text:p>A</text:p>', '<text:p>&x;</text:p>', 1),
                                      '<!DOCTYPE x [<!ENTITY x SYSTEM "%s/x">]>' % URL)}, 'bad', r'b\.ods', toml=OTOML)
cli('ods_billion_laughs', VAL, {'b.ods': ods(OHDR + ODATA.replace('<text:p>A</text:p>', '<text:p>&l9;</text:p>', 1),
                                             LAUGHS)}, 'bad', r'b\.ods', toml=OTOML)
cli('ods_formula_circular', VAL, {'b.ods': ods(OHDR + ODATA.replace(
    '<table:table-cell office:value-type="float" office:value="1000"',
    '<table:table-cell table:formula="of:=[.D2]" office:value-type="float" office:value="1000"', 3))}, 'any',
    toml=OTOML)
cli('ods_formula_whole_sheet', VAL, {'b.ods': ods(OHDR + ODATA.replace(
    '<table:table-cell office:value-type="float" office:value="1000"', '<table:table-cell table:formula="of:=SUM('
    '[.A1:.AMJ1048576])" office:value-type="float" office:value="1000"', 1))}, 'any', toml=OTOML)
cli('ods_linked_sheet_url', VAL, {'b.ods': ods(OHDR + ODATA + '<table:table-source xlink:href="%s/x.ods" table:'
                                               'table-name="x"/>' % URL)}, 'ok', toml=OTOML)
XLSX_CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
           'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships'
           '+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
           'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
           'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
           'spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
           'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
R_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'
S_NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'


def xlsx(rows, doctype='', extra_cells='', external=False):
    """An XLSX of one sheet 'base': rows of cells (str → shared strings, numbers); extra_cells raw XML appended."""
    strings, out = [], []
    for i, r in enumerate(rows, 1):
        cells = []
        for j, v in enumerate(r):
            ref = '%s%d' % ('ABCDEFGH'[j], i)
            if isinstance(v, str):
                strings.append(v)
                cells.append('<c r="%s" t="s"><v>%d</v></c>' % (ref, len(strings) - 1))
            else:
                cells.append('<c r="%s"><v>%s</v></c>' % (ref, v))
        out.append('<row r="%d">%s</row>' % (i, ''.join(cells)))

    def f(p):
        with zipfile.ZipFile(p, 'w', zipfile.ZIP_DEFLATED) as z:
            z.writestr('[Content_Types].xml', XLSX_CT)
            z.writestr('_rels/.rels', '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                       'package/2006/relationships"><Relationship Id="rId1" Type="%s/officeDocument" Target="xl/'
                       'workbook.xml"/></Relationships>' % R_NS)
            z.writestr('xl/workbook.xml', '<?xml version="1.0"?><workbook xmlns="%s" xmlns:r="%s"><sheets><sheet '
                       'name="base" sheetId="1" r:id="rId1"/></sheets>%s</workbook>' % (
                           S_NS, R_NS, '<externalReferences><externalReference r:id="rId9"/></externalReferences>'
                           if external else ''))
            z.writestr('xl/_rels/workbook.xml.rels', '<?xml version="1.0"?><Relationships xmlns="http://schemas.'
                       'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="%s/worksheet" '
                       'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="%s/sharedStrings" Target='
                       '"sharedStrings.xml"/>%s</Relationships>' % (R_NS, R_NS, (
                           '<Relationship Id="rId9" Type="%s/externalLink" Target="%s/book.xlsx" TargetMode='
                           '"External"/>' % (R_NS, URL)) if external else ''))
            z.writestr('xl/sharedStrings.xml', '<?xml version="1.0"?>%s<sst xmlns="%s">%s</sst>' % (
                doctype, S_NS, ''.join('<si><t>%s</t></si>' % s for s in strings)))
            z.writestr('xl/worksheets/sheet1.xml', '<?xml version="1.0"?><worksheet xmlns="%s"><sheetData>%s%s'
                       '</sheetData></worksheet>' % (S_NS, ''.join(out), extra_cells))
    return f


XROWS = [ROWS[0]] + [[r[0], r[1], int(r[2]), int(r[3])] for r in ROWS[1:]]
XTOML = BASEREF('"b.xlsx"')
cli('xlsx_plain_ok', VAL, {'b.xlsx': xlsx(XROWS)}, 'ok', toml=XTOML)
XXE_ROWS = [XROWS[0]] + [['&x;' if i == 0 else r[0]] + r[1:] for i, r in enumerate(XROWS[1:])]
cli('xlsx_xxe_passwd_shared_strings', VAL, {'b.xlsx': xlsx(XXE_ROWS, '<!DOCTYPE x [<!ENTITY x SYSTEM '
                                                           '"file:///etc/passwd">]>')}, 'bad', r'b\.xlsx', toml=XTOML)
cli('xlsx_billion_laughs', VAL, {'b.xlsx': xlsx([XROWS[0]] + [['&l9;' if i == 0 else r[0]] + r[1:] for i, r in
                                                              enumerate(XROWS[1:])], LAUGHS)}, 'bad', r'b\.xlsx',
    toml=XTOML)
cli('xlsx_cell_xfd1048576', VAL, {'b.xlsx': xlsx(XROWS, extra_cells='<row r="1048576"><c r="XFD1048576"><v>1</v>'
                                                 '</c></row>')}, 'any', toml=XTOML)
cli('xlsx_row_past_int', VAL, {'b.xlsx': xlsx(XROWS, extra_cells='<row r="4294967297"><c r="A4294967297"><v>1</v>'
                                              '</c></row>')}, 'any', toml=XTOML)
cli('xlsx_external_link_url', VAL, {'b.xlsx': xlsx(XROWS, external=True)}, 'ok', toml=XTOML)
cli('xlsx_formula_external', VAL, {'b.xlsx': xlsx(XROWS, extra_cells='<row r="30"><c r="A30"><f>[1]Sheet1!A1</f>'
                                                  '</c><c r="B30"><f>WEBSERVICE("%s/w")</f></c></row>' % URL)},
    'any', toml=XTOML)

# --- (c) The table reference's own keys -------------------------------------------------------------------------------
for label, enc, expect, pat in [('as_path', '../../../../etc/passwd', 'bad', r'unknown text encoding'),
                                ('translit', 'ASCII//TRANSLIT', 'bad', r'unknown text encoding'),
                                ('ignore', 'UTF-8//IGNORE', 'bad', r'unknown text encoding'),
                                ('5000_bytes', 'A' * 5000, 'bad', r'unknown text encoding'),
                                ('utf16_on_utf8', 'UTF-16', 'bad', r'UTF-16'),
                                ('utf7', 'UTF-7', 'any', None), ('iso2022jp', 'ISO-2022-JP', 'any', None),
                                ('empty', '', 'ok', None), ('gconv_name', 'libGB', 'bad', r'unknown text encoding')]:
    cli('enc_' + label, VAL, {}, expect, pat, toml=BASEREF('{ path = "base.csv", encoding = "%s" }' % enc))
cli('enc_gbk_declared_invalid_bytes', VAL, {'g.csv': b'zone,sex,age,population\n\xff\xff,female,0,1\n'}, 'bad',
    r'g\.csv', toml=BASEREF('{ path = "g.csv", encoding = "GBK" }'))
V2 = 'zone,sex,age,population\nA1,female,0,1000\nA2,female,0,1000\n' + BASE.split('\n', 1)[1]
VREF = lambda m: BASEREF('{ path = "v.csv", values = { zone = { %s } } }' % m)  # noqa: E731
cli('values_two_onto_one_zone', VAL, {'v.csv': V2}, 'bad', r'second row',
    toml=VREF('"A1" = "A", "A2" = "A", "A" = "A", "B" = "B"'))
cli('values_to_unknown_zone', VAL, {'v.csv': V2}, 'bad', r'"Q"', toml=VREF('"A1" = "Q", "A2" = "A", "A" = "A", '
                                                                           '"B" = "B"'))
cli('values_100000_entries', VAL, {}, 'ok',
    toml=BASEREF('{ path = "base.csv", values = { zone = { %s } } }' % ', '.join(
    ['"A" = "A", "B" = "B"'] + ['"k%d" = "A"' % i for i in range(100000)])), timeout=60)
cli('values_population_1e400', VAL, {}, 'bad', r'1e400', toml=BASEREF('{ path = "base.csv", values = { population = '
                                                                      '{ "1000" = "1e400" } } }'))
cli('values_age_hex', VAL, {}, 'bad', r'0x0', toml=BASEREF('{ path = "base.csv", values = { age = { "0" = "0x0", '
                                                           '"5" = "5", "10" = "10", "15" = "15", "20" = "20" } } }'))
cli('values_empty_key_and_value', VAL, {}, 'bad', r'base\.csv', toml=BASEREF(
    '{ path = "base.csv", values = { zone = { "" = "", "A" = "A" } } }'))
for label, cell in [('past_int', '2147483648岁'), ('huge', '99999999999999999999岁'), ('negative', '-5岁'),
                    ('reversed', '9～5岁'), ('fullwidth_huge', '１２３４５６７８９０１２岁'), ('nul_like', '5\x01岁'),
                    ('rtl_override', '\u202e5岁')]:
    cli('ages_label_' + label, VAL, {'l.csv': 'zone,sex,age,population\nA,female,%s,1000\n' % cell}, 'bad',
        r'not an age label|control', toml=BASEREF('{ path = "l.csv", ages = "labels" }'))
FREF = lambda f: BASEREF('{ path = "base.csv", filter = { %s } }' % f)  # noqa: E731
for label, f, pat in [('2p63', 'age = 9223372036854775807', r'no rows match'), ('float', 'age = 1.5', r'1\.5'),
                      ('table', 'zone = { a = 1 }', r'table'), ('bool', 'zone = true', r'true'),
                      ('missing_column', 'nope = 1', r'nope'), ('empty_list', 'zone = []', r'empty|list'),
                      ('list_100000', 'zone = [%s]' % ', '.join('"z%d"' % i for i in range(100000)),
                       r'no rows match'), ('nan', 'age = nan', r'nan|number')]:
    cli('filter_' + label, VAL, {}, 'bad', pat, toml=FREF(f), timeout=60)
cli('filter_star_only', VAL, {}, 'ok', toml=FREF('zone = "*"'))
for label, w, pat in [('location_2p63', 'location = 9223372036854775807', r'location|missing'),
                      ('location_negative', 'location = -1', r'location|missing'),
                      ('location_float', 'location = 156.0', r'location'),
                      ('variant_empty', 'location = "CHN", variant = ""', r'variant|missing'),
                      ('location_nul', 'location = "C\\u0000N"', r'location|control|missing')]:
    cli('wpp_' + label, VAL, {}, 'bad', pat, toml=BASEREF('{ path = "base.csv", wpp = { %s } }' % w))

# --- (d) Numbers ------------------------------------------------------------------------------------------------------
for label, cell, expect in [('hex_float', '0x1p3', 'bad'), ('hex_int', '0x10', 'bad'), ('denormal', '4.9e-324', 'any'),
                            ('below_denormal', '1e-330', 'bad'), ('minus_zero', '-0', 'ok'), ('plus', '+5', 'any'),
                            ('underscore', '1_000', 'bad'), ('leading_dot', '.5', 'any'), ('trailing_dot', '5.', 'any'),
                            ('max_double', '1.7976931348623157e308', 'bad'), ('nan_payload', 'nan(0x1)', 'bad'),
                            ('infinity_word', 'Infinity', 'bad'), ('comma_decimal', '"1,5"', 'bad'),
                            ('thin_space', '1\u2009000', 'bad'), ('fullwidth_digits', '１０００', 'bad')]:
    cli('num_pop_' + label, VAL, {'base.csv': BASE.replace('A,female,0,1000', 'A,female,0,%s' % cell)}, expect,
        r'population|base\.csv')
cli('num_mx_age_int_max', VAL, {'mx.csv': MX + '2147483647,female,0.5\n'}, 'bad', r'2147483647|age')
cli('num_mx_age_past_int', VAL, {'mx.csv': MX + '2147483648,female,0.5\n'}, 'bad', r'2147483648|age')
cli('num_base_age_int_min', VAL, {'base.csv': BASE + 'A,male,-2147483648,5\n'}, 'bad', r'-2147483648|age')
cli('num_mx_negative', VAL, {'mx.csv': MX.replace('0,female,0.01', '0,female,-0.01', 1)}, 'bad', r'mx|-0\.01')
cli('num_mx_zero', VAL, {'mx.csv': MX.replace('0,female,0.01', '0,female,0', 1)}, 'any')
cli('num_asfr_negative', VAL, {'asfr.csv': ASFR.replace('10,0.05', '10,-0.05')}, 'bad', r'-0\.05|asfr')
for label, old, new, expect in [
        ('horizon_float', 'horizon = 2030', 'horizon = 2030.0', 'bad'),
        ('base_year_hex', 'base_year = 2020', 'base_year = 0x7E4', 'ok'),
        ('base_year_octal', 'base_year = 2020', 'base_year = 0o3744', 'ok'),
        ('step_exponent', 'step = 5', 'step = 5e0', 'bad'),
        ('srb_minus_zero', 'srb = 105', 'srb = -0.0', 'bad'),
        ('srb_zero', 'srb = 105', 'srb = 0', 'bad'),
        ('tfr_key_leading_zero', '"2020" = 1.0', '"02020" = 1.0', 'any'),
        ('tfr_key_float', '"2020" = 1.0', '"2020.0" = 1.0', 'bad'),
        ('tfr_key_spaced', '"2020" = 1.0', '" 2020" = 1.0', 'bad'),
        ('tfr_key_plus', '"2020" = 1.0', '"+2020" = 1.0', 'bad'),
        ('tfr_key_past_int', '"2030" = 2.0', '"4294969326" = 2.0', 'bad'),
        ('tfr_reversed_keys', 'tfr = { "2020" = 1.0, "2030" = 2.0 }', 'tfr = { "2030" = 2.0, "2020" = 1.0 }', 'bad'),
        ('tfr_denormal', '"2030" = 2.0', '"2030" = 5e-324', 'any'),
        ('tfr_hex_float_toml', '"2030" = 2.0', '"2030" = 0x1p1', 'bad'),
        ('flows_years_reversed', 'years = [2021, 2025]', 'years = [2025, 2021]', 'bad'),
        ('flows_years_int_max', 'years = [2021, 2025]', 'years = [2021, 2147483647]', 'bad'),
        ('flows_total_negative', 'total_per_year = 100', 'total_per_year = -100', 'any'),
        ('relocation_negative', 'persons_per_year = 20', 'persons_per_year = -20', 'bad'),
        ('relocation_1e308', 'persons_per_year = 20', 'persons_per_year = 1e308', 'bad'),
        ('plan_period_reversed', '"2021-2025" = "first"', '"2025-2021" = "first"', 'bad'),
        ('plan_period_int_max', '"2026-2030" = "second"', '"2026-2147483647" = "second"', 'bad'),
        ('target_year_past_int', 'year = 2030\nmax', 'year = 2147483648\nmax', 'bad'),
        ('target_max_nan', 'max = 100000', 'max = nan', 'bad'),
        ('target_min_above_max', 'max = 100000', 'max = 100000\nmin = 200000', 'bad'),
        ('variant_tfr_minus_zero', 'fertility = { tfr = 3.0 }', 'fertility = { tfr = -0.0 }', 'any')]:
    cli('toml_' + label, VAL, {}, expect, r'sc\.toml', toml=G(old, new))
MXY = 'age,sex,mx,year\n' + ''.join('%s,%s\n' % (ln, y) for y in (2020, 2020) for ln in MX.split('\n')[1:] if ln)
cli('table_duplicated_year', VAL, {'mxy.csv': MXY}, 'bad', r'mxy\.csv',
    toml=G('mx = { path = "mx.csv", columns = { value = "mx" } }', 'mx = { path = "mxy.csv", columns = '
           '{ value = "mx" } }'))
MXR = 'age,sex,mx,year\n' + ''.join('%s,%s\n' % (ln, y) for y in (2025, 2020) for ln in MX.split('\n')[1:] if ln)
cli('table_reversed_years_linear', VAL, {'mxr.csv': MXR}, 'ok',
    toml=G('mx = { path = "mx.csv", columns = { value = "mx" } }', 'mx = { path = "mxr.csv", between = "linear", '
           'columns = { value = "mx" } }'))
MXI = 'age,sex,mx,year\n' + ''.join('%s,%s\n' % (ln, y) for y in (2020, 2147483648) for ln in MX.split('\n')[1:] if ln)
cli('table_year_past_int', VAL, {'mxi.csv': MXI}, 'bad', r'mxi\.csv',
    toml=G('mx = { path = "mx.csv", columns = { value = "mx" } }', 'mx = { path = "mxi.csv", between = "linear", '
           'columns = { value = "mx" } }'))
CTRL = '\n[controls]\ntable = "c.csv"\n'
for label, rows, pat in [('nan', 'total,2025,nan\n', r'nan'), ('1e308', 'total,2025,1e308\n', r'c\.csv'),
                         ('negative', 'total,2025,-5\n', r'c\.csv'), ('year_past_int', 'total,2147483648,5\n',
                                                                         r'c\.csv'),
                         ('year_not_step_end', 'total,2023,20000\n', r'c\.csv')]:
    cli('controls_' + label, VAL, {'c.csv': 'zone,year,persons\n' + rows}, 'bad', pat,
        toml=GOOD.replace('[[variants]]', CTRL + '\n[[variants]]'))
CAP = '\n[capacity]\ntable = "cap.csv"\n'
cli('capacity_negative', VAL, {'cap.csv': 'zone,year,max_population\nA,2025,-1\n'}, 'bad', r'cap\.csv',
    toml=GOOD.replace('[[variants]]', CAP + '\n[[variants]]'))
cli('capacity_zero_everywhere', RUN, {'cap.csv': 'zone,year,max_population\nA,2025,0\nB,2025,0\n'}, 'bad', r'cap',
    toml=GOOD.replace('[[variants]]', CAP + '\n[[variants]]'))
HH = '\n[households]\naverage_size = "hh.csv"\n'
cli('households_size_zero', VAL, {'hh.csv': 'zone,persons_per_household\nA,0\nB,3\n'}, 'bad', r'hh\.csv',
    toml=GOOD.replace('[[variants]]', HH + '\n[[variants]]'))
cli('households_size_denormal', VAL, {'hh.csv': 'zone,persons_per_household\nA,5e-324\nB,3\n'}, 'bad', r'hh\.csv',
    toml=GOOD.replace('[[variants]]', HH + '\n[[variants]]'))
cli('gravity_centroids_1e308', VAL, {'cen.csv': 'zone,x,y\nA,1e308,0\nB,-1e308,0\n'}, 'bad', r'cen\.csv|sc\.toml',
    toml=G('flows = [', 'gravity = { out_rate = 0.01, centroids = "cen.csv", coordinates = "planar", '
           'distance_decay = 2 }\nflows = ['))
cli('gravity_decay_1e308', VAL, {'cen.csv': 'zone,x,y\nA,0,0\nB,1,0\n'}, 'bad', r'sc\.toml',
    toml=G('flows = [', 'gravity = { out_rate = 0.01, centroids = "cen.csv", coordinates = "planar", '
           'distance_decay = 1e308 }\nflows = ['))

# --- (e) Files -------------------------------------------------------------------------------------------------------
cli('file_utf16_bom', VAL, {'base.csv': b'\xff\xfe' + BASE.encode('utf-16-le')}, 'bad', r'base\.csv')
cli('file_utf32_bom', VAL, {'base.csv': b'\xff\xfe\x00\x00' + BASE.encode('utf-32-le')}, 'bad', r'base\.csv')
cli('file_bom_mid_file', VAL, {'base.csv': BASE.replace('A,female,5', '\ufeffA,female,5')}, 'ok')
cli('file_empty', VAL, {'base.csv': ''}, 'bad', r'base\.csv')
cli('file_million_newlines', VAL, {'base.csv': '\n' * 1000000}, 'bad', r'base\.csv', timeout=60)
cli('file_bom_crlf_ok', VAL, {'base.csv': '\ufeff' + BASE.replace('\n', '\r\n')}, 'ok')
cli('file_invalid_utf8_zone', VAL, {'base.csv': BASE.replace('A,female,0', 'A\xff,female,0').encode('latin-1')},
    'bad', r'UTF-8|base\.csv')
NFD = 'e\u0301'
cli('ids_nfc_nfd_twins', VAL, {}, 'any', toml=G('{ id = "A", name = "Zone A" }', '{ id = "A", name = "Zone A" }, '
                                               '{ id = "\u00e9" }, { id = "%s" }' % NFD))
cli('ids_nfd_in_table', VAL, {'base.csv': BASE + '%s,female,0,5\n' % NFD}, 'bad', r'base\.csv',
    toml=G('{ id = "B", name = "Zone B" }', '{ id = "B", name = "Zone B" }, { id = "\u00e9" }'))
cli('ids_case_twins', VAL, {'base.csv': BASE + 'a,female,0,5\n'}, 'bad', r'"a"')
cli('ids_zero_width', VAL, {'base.csv': BASE + 'A\u200b,female,0,5\n'}, 'bad', r'base\.csv')
cli('link_loop', VAL, {'base.csv': 'SYMLINK:loop2.csv', 'loop2.csv': 'SYMLINK:base.csv'}, 'bad',
    r'loop of symbolic links')
cli('link_loop_folder_allow_read', ['validate', 'sc.toml', '--allow-read', 'l1/x'], {'l1': 'SYMLINK:l2',
                                                                                   'l2': 'SYMLINK:l1'}, 'any')

# --- (f) Outputs ------------------------------------------------------------------------------------------------------
cli('out_vsimem', ['run', 'sc.toml', '--out', '/vsimem/h18out', '--quiet'], {}, 'bad', r'vsi',
    post=lambda d, rc: ['CREATED /vsimem/h18out'] if os.path.exists('/vsimem/h18out') else [])
cli('out_vsimem_relative_from_root', ['run', os.path.join(ROOT, 'cases', 'out_vsimem_relative_from_root', 'sc.toml'),
                                      '--out', 'vsimem/h18rel', '--quiet'], {}, 'bad', r'vsi', cwd_rel='../../../../..',
    post=lambda d, rc: ['CREATED /vsimem/h18rel'] if os.path.exists('/vsimem/h18rel') else [])
cli('out_vsizip', ['run', 'sc.toml', '--out', '/vsizip/h18.zip/o', '--quiet', '--no-report'], {}, 'bad', r'vsi',
    post=lambda d, rc: ['CREATED /vsizip'] if os.path.exists('/vsizip') else [])
for p in ('/vsimem', '/vsizip'):
    if os.path.isdir(p) and not os.listdir(p):
        os.rmdir(p)
TMPFS = os.path.join(ROOT, 'tmpfs')
os.makedirs(TMPFS)
mounted = subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=300k,nr_inodes=400', 'tmpfs', TMPFS],
                         capture_output=True).returncode == 0
TMPFS_INODES = os.path.join(ROOT, 'tmpfs_inodes')
os.makedirs(TMPFS_INODES)
mounted_i = mounted and subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=50m,nr_inodes=6', 'tmpfs', TMPFS_INODES],
                                       capture_output=True).returncode == 0


def empty_after(path):
    return lambda d, rc: ['LEFT on %s: %s' % (path, os.listdir(path))] if os.listdir(path) else []


if mounted:
    cli('out_full_disk', ['run', 'sc.toml', '--out', os.path.join(TMPFS, 'o'), '--quiet'], {}, 'bad',
        r'No space left|space', post=empty_after(TMPFS))
else:
    record('out_full_disk', True, 'skipped: no tmpfs (not root)')
if mounted_i:
    cli('out_no_inodes', ['run', 'sc.toml', '--out', os.path.join(TMPFS_INODES, 'o'), '--quiet'], {}, 'bad',
        r'o\b|space|inode', post=empty_after(TMPFS_INODES))
else:
    record('out_no_inodes', True, 'skipped: no tmpfs (not root)')
if shutil.which('chattr'):
    def immutable(d):
        os.makedirs(os.path.join(d, 'frozen'))
        if subprocess.run(['chattr', '+i', os.path.join(d, 'frozen')], capture_output=True).returncode != 0:
            os.rmdir(os.path.join(d, 'frozen'))

    cli('out_immutable_parent', ['run', 'sc.toml', '--out', 'frozen/o', '--quiet', '--no-report'], {}, 'bad',
        r'frozen', pre=immutable, post=lambda d, rc: subprocess.run(['chattr', '-i', os.path.join(d, 'frozen')],
                                                                     capture_output=True) and [])
cli('out_fifo_named_tmp', RUN, {'out.tmp-1': 'FIFO'}, 'ok', allowed=['out.tmp-1'])
# map --out into GDAL's memory, and two maps drawn into one file at once (each must leave a whole PNG or nothing).
if wanted('map_'):
    rdir = os.path.join(ROOT, 'results_default')
    subprocess.run([EXE, 'run', 'default', '--out', rdir, '--quiet'], env=ENV, capture_output=True, timeout=300)
    cli('map_out_vsimem', ['map', rdir, '--indicator', 'population', '--year', '2025', '--out', '/vsimem/h18m.png'], {},
        'bad', r'vsi',
        toml=None, post=lambda d, rc: ['CREATED /vsimem/h18m.png'] if os.path.exists('/vsimem/h18m.png') else [])

    def two_maps(name):
        if not wanted(name):
            return
        d = os.path.join(ROOT, 'cases', name)
        os.makedirs(d)
        args = [EXE, 'map', rdir, '--indicator', 'population', '--year', '2025', '--out', os.path.join(d, 'm.png')]
        ps = [subprocess.Popen(args, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
        outs = [p.communicate(timeout=120) for p in ps]
        rcs = [p.returncode for p in ps]
        png = os.path.join(d, 'm.png')
        probs = ['EXIT %s' % rcs] if any(r not in (0, 1) for r in rcs) or 0 not in rcs else []
        if not os.path.exists(png) or open(png, 'rb').read(8) != b'\x89PNG\r\n\x1a\n':
            probs.append('NO WHOLE PNG')
        probs += ['LEFT %s' % n for n in os.listdir(d) if n != 'm.png']
        record(name, not probs, ('; '.join(probs) + ' | ' if probs else '') + 'exits %s %s' % (
            rcs, ' '.join(o[1].decode()[-100:] for o in outs)))

    two_maps('map_two_into_one_file')


# --- Signals during commands the earlier probes did not time ----------------------------------------------------------
def sig_case(name, args, files, sig, after_s, ok_rcs, toml=GOOD):
    if not wanted(name):
        return
    d = os.path.join(ROOT, 'cases', name)
    make(d, dict(INPUTS, **{'sc.toml': toml}))
    place(d, files)
    before = snapshot(d)
    names = set(os.listdir(d))
    rc, _, err, secs, _ = run_measured([EXE] + args, d, ENV, 60, (sig, after_s))
    probs = []
    if rc not in ok_rcs:
        probs.append('EXIT %d (expected one of %s)' % (rc, ok_rcs))
    if rc != 0 and secs - after_s > 1.0:
        probs.append('SLOW: exit %.2f s after the signal' % (secs - after_s))
    probs += changes(before, snapshot(d)) + leftovers(d, names)
    record(name, not probs, ('; '.join(probs) + ' | ' if probs else '') + 'exit %d after %.2f s %s' % (
        rc, secs, err.strip()[-120:]))


BIG = 'zone,sex,age,population\n' + ''.join('Z%d,%s,%d,1\n' % (i, s, a) for i in range(60000) for s in
                                               ('female', 'male') for a in range(0, 25, 5))
sig_case('sig_int_info_big_csv', ['info', 'big.csv'], {'big.csv': BIG}, signal.SIGINT, 0.2, (0, 130, -2))
sig_case('sig_term_validate_view_endless', VAL, {'b.gpkg': gpkg('sig_view.gpkg', [
    "CREATE VIEW base AS SELECT zone, sex, age, population, 1 AS keep FROM real UNION ALL SELECT * FROM (%s SELECT "
    "'A', 'female', 0, 1, 0 FROM c)" % REC, REG])}, signal.SIGTERM, 1.0, (1, 143, -15),
    toml=BASEREF('{ path = "b.gpkg", layer = "base", filter = { keep = 1 } }'))

# --- (g) Python -------------------------------------------------------------------------------------------------------
PY_DIR = os.path.join(ROOT, 'py')
make(PY_DIR, dict(INPUTS, **{'good.toml': GOOD, 'vt.toml': GPCOLS.replace('b.gpkg', 'vt.gpkg')}))
with open(os.path.join(PY_DIR, 'vt.gpkg'), 'wb') as f_:
    f_.write(gpkg('py_vt.gpkg', [VT % "CREATE VIRTUAL TABLE base USING VirtualText(''/etc/passwd'', ''UTF-8'', 0, "
                                 "POINT, NONE, '':'')", REG]))
PYOUT = os.path.join(ROOT, 'pyout')
os.makedirs(PYOUT)
# Python cases (PROBE.py): nothing under the Python folder or SHARED may change (outputs go to WORK/pyout).
PROBE.py_prelude = ('import gc, os, signal, sys, threading, time, numpy as np, cohortgis as cg\nP = %r\nOUT = %r\n'
                    's = cg.load_scenario(P)\nsc = s.baseline\nbp = sc.base_population\n'
                    'ref = cg.run(sc, threads=1)["baseline"].population.copy()\n'
                    % (os.path.join(PY_DIR, 'good.toml'), PYOUT))
PROBE.py_dir, PROBE.py_watched = PY_DIR, [PY_DIR, SHARED]
py = PROBE.py


BAD = ('TypeError', 'ValueError')
A_ = '\n"assigned"'  # python_case's last line is an expression
SAME = '\nbool(np.array_equal(cg.run(sc, threads=1)["baseline"].population, ref))'
py('py_bp_datetime64', "sc.base_population = np.full(bp.shape, np.datetime64('2020-01-01T00:00:00'))" + A_, 'TypeError',
   r'datetime|dtype')
py('py_bp_timedelta', "sc.base_population = np.full(bp.shape, np.timedelta64(5, 's'))" + A_, 'TypeError', r'dtype')
py('py_bp_complex', 'sc.base_population = bp.astype(complex)' + A_, 'TypeError', r'complex|dtype')
py('py_bp_bool', 'sc.base_population = np.ones(bp.shape, dtype=bool)' + A_, 'TypeError', r'bool|dtype')
py('py_bp_str_numbers', "sc.base_population = bp.astype(str)" + A_, 'TypeError', r'dtype')
py('py_bp_structured', "sc.base_population = np.zeros(bp.shape, dtype=[('a', 'f8')])" + A_, 'TypeError', r'dtype')
py('py_bp_transposed_same_size', 'sc.base_population = np.ascontiguousarray(np.moveaxis(bp, 3, 0))' + A_, 'ValueError',
   r'shape')
py('py_bp_2d_same_size', 'sc.base_population = bp.reshape(2, -1)' + A_, 'ValueError', r'shape')
py('py_bp_flat_ok', 'sc.base_population = bp.ravel().copy()' + SAME, 'ok', r'True')
py('py_bp_noncontiguous_ok', 'big = np.zeros(tuple(2 * n for n in bp.shape))\nbig[::2, ::2, ::2, ::2] = bp\n'
   'sc.base_population = big[::2, ::2, ::2, ::2]' + SAME, 'ok', r'True')
py('py_bp_fortran_ok', 'sc.base_population = np.asfortranarray(bp)' + SAME, 'ok', r'True')
py('py_bp_negative_strides_ok', 'sc.base_population = bp[::-1, :, ::-1, ::-1][::-1, :, ::-1, ::-1]' + SAME, 'ok',
   r'True')
py('py_bp_float32_ok', 'sc.base_population = bp.astype(np.float32)' + SAME, 'ok', r'True')
py('py_bp_int_ok', 'sc.base_population = bp.astype(np.int64)' + SAME, 'ok', r'True')
py('py_bp_object_of_floats_ok', 'sc.base_population = bp.astype(object)' + SAME, 'ok', r'True')
py('py_bp_object_with_none', 'a = bp.astype(object)\na[0, 0, 0, 0] = None\nsc.base_population = a\ncg.run(sc)', BAD,
   r'finite')
py('py_bp_broadcast_readonly', 'sc.base_population = np.broadcast_to(np.float64(5), bp.shape)\n'
   'float(sc.base_population.sum())', 'ok', r'100\.0')
py('py_bp_list_ok', 'sc.base_population = bp.ravel().tolist()' + SAME, 'ok', r'True')
py('py_bp_masked_array', 'sc.base_population = np.ma.masked_array(bp, mask=True)\nfloat(sc.base_population.sum())',
   ('ok',) + BAD)
py('py_bp_set_from_thread_during_run', 'errs = []\nstop = threading.Event()\ndef poke():\n'
   '    while not stop.is_set():\n'
   '        try:\n            sc.base_population = bp\n        except RuntimeError:\n            pass\n'
   'th = threading.Thread(target=poke)\nth.start()\ntry:\n    for _ in range(20):\n        cg.run(sc, threads=2)\n'
   'finally:\n    stop.set()\n    th.join()' + SAME, 'ok', r'True', timeout=120)
py('py_sched_asfr_datetime', 'st = sc.step_schedules(0)\nst.asfr = np.full(len(st.asfr), np.datetime64(1, "s"))' + A_,
   'TypeError', r'asfr')
py('py_sched_mortality_complex', 'st = sc.step_schedules(0)\nst.mortality = st.mortality.astype(complex)' + A_,
   'TypeError',
   r'mortality')
py('py_sched_srb_strings', 'st = sc.step_schedules(0)\nst.srb = ["1.05"] * len(st.srb)' + A_, 'TypeError', r'srb')
py('py_sched_asfr_objects', 'st = sc.step_schedules(0)\nst.asfr = np.array([object()] * 3)' + A_, 'TypeError', r'asfr')
py('py_bp_ragged_list', 'sc.base_population = [[1.0], [1.0, 2.0]]' + A_, 'TypeError', r'base population')
py('py_sched_asfr_noncontiguous_ok', 'st = sc.step_schedules(0)\nb = np.zeros(2 * len(st.asfr))\nb[::2] = st.asfr\n'
   'st.asfr = b[::2]\nsc.set_step_schedules(0, st)' + SAME, 'ok', r'True')
py('py_set_od_profile_complex', 'st = sc.step_schedules(0)\nst.set_od([cg.OdFlow(0, 1, 0.01)], 2, 1, 5, '
   'profile=np.ones(10, dtype=complex))', 'TypeError', r'profile')
py('py_write_outputs_vsimem', "cg.write_outputs(P, '/vsimem/h18py')", 'ValueError', r'vsi')
py('py_figure_save_vsimem', "f_ = cg.run(cg.load_scenario('default'), threads=2).map('population').save("
   "'/vsimem/h18py.png')\nos.remove(f_)\nos.rmdir('/vsimem')\nf_", ('ok', 'FileNotFoundError') + BAD, timeout=120)
py('py_load_virtualtext_gpkg', "cg.load_scenario(os.path.join(os.path.dirname(P), 'vt.toml'))", 'ValueError',
   r'virtual table')

for p in ('/vsimem', '/vsizip'):
    if os.path.isdir(p):
        record('cleanup_' + p.strip('/'), False, 'a real folder %s was created: %s' % (p, os.listdir(p)))
for m in (TMPFS, TMPFS_INODES):
    subprocess.run(['umount', m], capture_output=True)
PROBE.finish()
