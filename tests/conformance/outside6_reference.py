# SPDX-License-Identifier: Apache-2.0
"""A sixth outside author's reference (round 21), written from scenarios/README.md and docs/ccmpp.md Part A alone
(the UN's ccmppWPP conventions as the README states them), for the `un-*` cases whose make_case.py imports it. Never
calls cohortgis. The arithmetic (the step, life tables from lx/qx, the ASFR graduation, the ODS writer) is this
author's own, not outside5_reference.py's: a second reading of the same text is the point of the case; the file
helpers (CSV, expected rows, mutant folders) are shared with it.

Grid: index i = 0 … w (w the open group), ages i·z. A population is {sex: array}.
"""
import zipfile
from xml.sax.saxutils import escape

import numpy as np

from outside5_reference import SEXES, expected_rows, finish_mutant, out_dir, write_csv, write_expected  # noqa: F401

UN_OVERRIDE = 1e-5  # a cell that migration would empty keeps 0.00001 (README "Reproducing": flow_policy = "wpp")
UN_FLOOR = 5e-4  # a negative end cell becomes 0.0005


def grid_L(ages, L, z, w):
    """A life table's person-years by row onto the grid: abridged 0 and 1-4 summed on a five-year grid, rows from w on
    summed into T(w) (README "Mortality": T(w) = the sum of the person-years L from w on)."""
    g = np.zeros(w // z + 1)
    for a, v in zip(ages, L):
        g[min(int(a), w) // z] += v
    return g


def ratios(g, l0, z):
    """docs/ccmpp.md A1 on grid person-years g (the last T(w)): births L0/(z l0), L_i/L_{i-1}, T_w/(L_{w-1}+T_w)."""
    s = np.empty_like(g)
    s[0] = g[0] / (z * l0)
    s[1:-1] = g[1:-1] / g[:-2]
    s[-1] = g[-1] / (g[-2] + g[-1])
    return s


def table_from_lx(ages, lx, ax, m_open):
    """README "Mortality", form lx (qx made into lx first): d = l(x) - l(x+n), L = n l(x+n) + a d, open L = l / m."""
    ages = np.asarray(ages, float)
    n = np.diff(ages)
    L = np.empty(len(lx))
    L[:-1] = n * lx[1:] + np.asarray(ax[:-1]) * (lx[:-1] - lx[1:])
    L[-1] = lx[-1] / m_open
    return L


def project(P, S, F, srb, M, z, timing):
    """One ccmppWPP step under flow_policy = "wpp" (docs/ccmpp.md A2-A3): override, split by timing, cohort deaths
    subtracted, births from the mean of start and provisional female exposure, newborns, end migrants, floor."""
    used = {s: np.where(P[s] + M[s] <= 0, UN_OVERRIDE - P[s], M[s]) for s in SEXES}
    half = 0.5 if timing == "even" else 0.0
    start = {s: P[s] + half * used[s] for s in SEXES}
    late = {s: half * used[s] for s in SEXES}
    prov = {}
    for s in SEXES:
        a = start[s]
        older = np.zeros_like(a)  # the cohort arriving at each index: a[i-1], the open one a[w-1] + a[w]
        older[1:] = a[:-1]
        older[-1] += a[-1]
        prov[s] = older - (1 - S[s]) * older + late[s]
        prov[s][0] = 0.0
    expo = (start["female"] + prov["female"]) / 2
    births = z * float(np.sum(F[1:-1] * expo[1:-1]))
    bf = births * (1 / (1 + srb))
    out = {}
    for s, b in (("female", bf), ("male", births - bf)):
        q = prov[s].copy()
        q[0] = b - (1 - S[s][0]) * b + late[s][0]
        if timing == "end":
            q = q + used[s]
        out[s] = np.where(q < 0, UN_FLOOR, q)
    return out


def hyman_graduate(first_age, rates5, top_single):
    """README "Fertility", schedule_age_width = 5: cumulative births C = sum 5 F at the groups' bounds (0 at the first),
    a cubic Hermite spline with the natural spline's slopes filtered as Hyman (1983), single-age rate C(a+1) - C(a).
    Returns single-year rates at ages 0 … top_single."""
    k = len(rates5)
    x = first_age + 5.0 * np.arange(k + 1)
    C = np.concatenate([[0.0], np.cumsum(5.0 * np.asarray(rates5, float))])
    h = np.diff(x)
    sec = np.diff(C) / h
    # natural cubic spline: second derivatives M with M0 = Mk = 0
    n = k + 1
    A = np.zeros((n, n))
    rhs = np.zeros(n)
    A[0, 0] = A[-1, -1] = 1.0
    for i in range(1, n - 1):
        A[i, i - 1] = h[i - 1]
        A[i, i] = 2 * (h[i - 1] + h[i])
        A[i, i + 1] = h[i]
        rhs[i] = 6 * (sec[i] - sec[i - 1])
    Mpp = np.linalg.solve(A, rhs)
    d = np.empty(n)
    for i in range(n - 1):
        d[i] = sec[i] - h[i] * (2 * Mpp[i] + Mpp[i + 1]) / 6
    d[-1] = sec[-1] + h[-1] * (Mpp[-2] + 2 * Mpp[-1]) / 6
    for i in range(n):
        lo = sec[i - 1] if i > 0 else sec[0]
        hi = sec[i] if i < n - 1 else sec[-1]
        if lo * hi < 0 or d[i] * (lo + hi) < 0:
            d[i] = 0.0
        else:
            cap = 3 * min(abs(lo), abs(hi))
            if abs(d[i]) > cap:
                d[i] = np.sign(d[i]) * cap

    def C_at(a):
        if a <= x[0]:
            return 0.0
        if a >= x[-1]:
            return C[-1]
        j = min(int((a - x[0]) // 5), k - 1)
        t = (a - x[j]) / h[j]
        h00, h10, h01, h11 = 2 * t**3 - 3 * t**2 + 1, t**3 - 2 * t**2 + t, -2 * t**3 + 3 * t**2, t**3 - t**2
        return h00 * C[j] + h10 * h[j] * d[j] + h01 * C[j + 1] + h11 * h[j] * d[j + 1]

    return np.array([C_at(a + 1) - C_at(a) for a in range(top_single + 1)])


def write_ods(path, sheets, trailing_blank_rows=0):
    """A minimal OpenDocument spreadsheet (no library), as LibreOffice writes one: the `mimetype` member first and
    stored, numbers as office:value-type="float" with office:value written by repr (read back bit for bit), runs of
    equal numbers with table:number-columns-repeated, and optionally a trailing run of empty rows
    (table:number-rows-repeated) as LibreOffice leaves below the data."""
    body = []
    for name, header, rows in sheets:
        out = [f'<table:table table:name="{escape(name)}">']
        for row in [header] + list(rows):
            cells, j = [], 0
            while j < len(row):
                v, rep = row[j], 1
                while j + rep < len(row) and not isinstance(v, str) and row[j + rep] == v and \
                        not isinstance(row[j + rep], str):
                    rep += 1
                attr = f' table:number-columns-repeated="{rep}"' if rep > 1 else ""
                if isinstance(v, str):
                    cells.append(f'<table:table-cell office:value-type="string"{attr}><text:p>{escape(v)}</text:p>'
                                 '</table:table-cell>')
                else:
                    num = repr(float(v)) if isinstance(v, (float, np.floating)) else str(int(v))
                    cells.append(f'<table:table-cell office:value-type="float" office:value="{num}"{attr}>'
                                 f'<text:p>{num}</text:p></table:table-cell>')
                j += rep
            out.append(f'<table:table-row>{"".join(cells)}</table:table-row>')
        if trailing_blank_rows:
            out.append(f'<table:table-row table:number-rows-repeated="{trailing_blank_rows}">'
                       '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>')
        out.append("</table:table>")
        body.append("".join(out))
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')
    content = ('<?xml version="1.0" encoding="UTF-8"?>\n'
               f'<office:document-content {ns} office:version="1.2"><office:body><office:spreadsheet>'
               f'{"".join(body)}</office:spreadsheet></office:body></office:document-content>')
    manifest = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
                'manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" manifest:version="1.2" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '</manifest:manifest>')
    stamp = (2026, 12, 6, 0, 0, 0)  # fixed: the same bytes every run
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype", date_time=stamp), "application/vnd.oasis.opendocument.spreadsheet",
                    zipfile.ZIP_STORED)
        for name, text in (("content.xml", content), ("META-INF/manifest.xml", manifest)):
            zf.writestr(zipfile.ZipInfo(name, date_time=stamp), text, zipfile.ZIP_DEFLATED)
