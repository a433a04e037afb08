# SPDX-License-Identifier: Apache-2.0
"""A fifth outside author's reference (round 20): the UN's cohort-component step (ccmppWPP's
`project_ccmpp_z_by_z`) written in numpy from scenarios/README.md and docs/ccmpp.md Part A alone, for the
`un-*` cases whose make_case.py imports it. Never calls cohortgis.

Grid: index i = 0 … w (w the open group), ages i·z. A population is {sex: array}, sexes "female", "male".
"""
import csv
import os
import shutil
import zipfile
from xml.sax.saxutils import escape

import numpy as np

SEXES = ("female", "male")
OVERRIDE = 0.00001  # the UN's override: a cell that migration would empty keeps this (docs/ccmpp.md A2)
FLOOR = 0.0005  # the UN's floor of a negative end cell (A3 step 7)


def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for r in rows:
            w.writerow([repr(float(v)) if isinstance(v, (float, np.floating)) else v for v in r])


def fold_L(ages, L, z, w):
    """Person-years by life-table row (abridged 0, 1, 5, … or by grid row), rows past w folded into T(w), 1L0 and
    4L1 summed into 5L0 on a five-year grid: the grid's L (index i = ages i·z), the last one T(w)."""
    n = w // z + 1
    out = np.zeros(n)
    for a, v in zip(ages, L):
        i = min(int(a) // z, n - 1)
        out[i] += v
    return out


def survival_from_L(L, l0, z):
    """docs/ccmpp.md A1: S[0] = L0 / (z l0), S[i] = L_i / L_{i-1}, S[w] = T_w / (L_{w-1} + T_w)."""
    n = len(L)
    S = np.zeros(n)
    S[0] = L[0] / (z * l0)
    S[1:n - 1] = L[1:n - 1] / L[0:n - 2]
    S[n - 1] = L[n - 1] / (L[n - 2] + L[n - 1])
    return S


def lx_table_L(l, ax, m_open, widths):
    """A life table from lx (or qx made into lx) with ax by closed row and the open row's mx (README "Mortality":
    d = l(x) − l(x+n), L = n·l(x+n) + a·d, open L = l / m)."""
    k = len(l)
    L = np.zeros(k)
    for j in range(k - 1):
        d = l[j] - l[j + 1]
        L[j] = widths[j] * l[j + 1] + ax[j] * d
    L[k - 1] = l[k - 1] / m_open
    return L


def wpp_step(P, S, F, srb_per_female, M, z, timing, policy="wpp"):
    """One step of every sex (docs/ccmpp.md A2–A3, in its order). P, S, M: {sex: array}; F: annual ASFR by index.
    Returns the end population {sex: array}."""
    n = len(F)
    A, E, Q, Mu = {}, {}, {}, {}
    for s in SEXES:
        m = M[s].copy()
        if policy == "wpp":
            m = np.where(P[s] + m <= 0, OVERRIDE - P[s], m)
        Mu[s] = m
        if timing == "even":
            A[s] = P[s] + m / 2
            E[s] = m / 2
        else:
            A[s] = P[s].copy()
            E[s] = np.zeros(n)
        a = A[s]
        q = np.zeros(n)
        D = np.zeros(n)
        D[1:n - 1] = (1 - S[s][1:n - 1]) * a[0:n - 2]
        D[n - 1] = (1 - S[s][n - 1]) * (a[n - 2] + a[n - 1])
        q[1:n - 1] = a[0:n - 2] - D[1:n - 1] + E[s][1:n - 1]
        q[n - 1] = a[n - 2] + a[n - 1] - D[n - 1] + E[s][n - 1]
        Q[s] = q
    B = 0.0
    for i in range(1, n - 1):
        B += z * F[i] * (A["female"][i] + Q["female"][i]) / 2
    Bf = B * (1 / (1 + srb_per_female))
    Bs = {"female": Bf, "male": B - Bf}
    out = {}
    for s in SEXES:
        q = Q[s]
        q[0] = Bs[s] - (1 - S[s][0]) * Bs[s] + E[s][0]
        if timing == "end":
            q = q + Mu[s]
        if policy == "wpp":
            q = np.where(q < 0, FLOOR, q)
        out[s] = q
    return out


def expected_rows(variant, year, zone, group, P, ages):
    return [[variant, year, zone, group, s, int(ages[i]), float(P[s][i])] for s in SEXES for i in range(len(ages))]


def write_expected(path, rows):
    write_csv(path, ["variant", "year", "zone", "group", "sex", "age", "population"], rows)


def _col(j):
    name = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        name = chr(65 + r) + name
    return name


def write_xlsx(path, sheets):
    """A minimal Office Open XML workbook (no library): sheets = [(name, header, rows)], strings shared, numbers
    written with repr (read back bit for bit)."""
    strings, index = [], {}

    def sid(text):
        if text not in index:
            index[text] = len(strings)
            strings.append(text)
        return index[text]

    sheet_xml = []
    for name, header, rows in sheets:
        lines = []
        for r, row in enumerate([header] + list(rows)):
            cells = []
            for c, v in enumerate(row):
                ref = f"{_col(c)}{r + 1}"
                if isinstance(v, str):
                    cells.append(f'<c r="{ref}" t="s"><v>{sid(v)}</v></c>')
                else:
                    cells.append(f'<c r="{ref}"><v>{repr(float(v)) if isinstance(v, float) else int(v)}</v></c>')
            lines.append(f'<row r="{r + 1}">{"".join(cells)}</row>')
        sheet_xml.append('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                         '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                         f'<sheetData>{"".join(lines)}</sheetData></worksheet>')
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'
    ct = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types '
          'xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/xl/workbook.xml" '
          'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
          '<Override PartName="/xl/sharedStrings.xml" '
          'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>']
    for k in range(len(sheets)):
        ct.append(f'<Override PartName="/xl/worksheets/sheet{k + 1}.xml" '
                  'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
    ct.append("</Types>")
    wb = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook {ns} xmlns:r="{rel}"><sheets>']
    wbrels = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">']
    for k, (name, _, _) in enumerate(sheets):
        wb.append(f'<sheet name="{escape(name)}" sheetId="{k + 1}" r:id="rId{k + 1}"/>')
        wbrels.append(f'<Relationship Id="rId{k + 1}" Type="{rel}/worksheet" Target="worksheets/sheet{k + 1}.xml"/>')
    wb.append("</sheets></workbook>")
    wbrels.append(f'<Relationship Id="rId{len(sheets) + 1}" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>')
    wbrels.append("</Relationships>")
    sst = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst {ns} count="{len(strings)}" '
           f'uniqueCount="{len(strings)}">'] + [f"<si><t>{escape(t)}</t></si>" for t in strings] + ["</sst>"]
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in (("[Content_Types].xml", "".join(ct)), ("_rels/.rels", rels),
                           ("xl/workbook.xml", "".join(wb)), ("xl/_rels/workbook.xml.rels", "".join(wbrels)),
                           ("xl/sharedStrings.xml", "".join(sst))):
            zinfo = zipfile.ZipInfo(name, date_time=(2026, 12, 6, 0, 0, 0))  # fixed: the same bytes every run
            zf.writestr(zinfo, text, zipfile.ZIP_DEFLATED)
        for k, text in enumerate(sheet_xml):
            zinfo = zipfile.ZipInfo(f"xl/worksheets/sheet{k + 1}.xml", date_time=(2026, 12, 6, 0, 0, 0))
            zf.writestr(zinfo, text, zipfile.ZIP_DEFLATED)


def gm_single_L(top, radix, a=0.02, b=1.1, c=2e-4, d=3e-5, e=0.1):
    """A single-year life table to `top`+ from a Gompertz–Makeham hazard with an infant term: l(x+1) = l(x)·e^(−m),
    L = (l(x) + l(x+1)) / 2, open L = l / m. Returns (l, L) by single age 0 … top (the last L is T(top))."""
    x = np.arange(top + 1, dtype=float)
    m = a * np.exp(-b * x) + c + d * np.exp(e * x)
    l = np.zeros(top + 1)
    l[0] = radix
    for k in range(top):
        l[k + 1] = l[k] * np.exp(-m[k])
    L = np.zeros(top + 1)
    L[:top] = (l[:top] + l[1:]) / 2
    L[top] = l[top] / m[top]
    return l, L


def abridge(single, top):
    """Rows 0, 1, 5, 10, …, top of a single-year column of person-years (sums; the last row is the open one)."""
    ages = [0, 1] + list(range(5, top + 1, 5))
    vals = [single[0], single[1:5].sum()] + [single[a:a + 5].sum() for a in range(5, top, 5)] + [single[top:].sum()]
    return ages, np.array(vals)


def out_dir(here, argv):
    """make_case.py [--mutant DIR]: the case's own folder, or DIR for the mutant (its expected.csv must fail)."""
    if len(argv) > 2 and argv[1] == "--mutant":
        return argv[2], True
    return here, False


def finish_mutant(here, out, mutant):
    """A mutant folder gets the case's scenario.toml and README.md beside its own expected.csv."""
    if mutant:
        for f in ("scenario.toml", "README.md"):
            shutil.copy(os.path.join(here, f), out)
