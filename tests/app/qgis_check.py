#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""results.gpkg as QGIS sees it (run by qgis.sh): the wide layers' default styles loaded from the GeoPackage's
layer_styles table by QGIS itself, compared with the PNG maps' classes (maps/legend.json) and with figures computed
here independently (type-7 quantiles of indicators.csv with numpy, ColorBrewer's published hex colours, the legend
text "lo – hi unit"). Then one layer is rendered offscreen and the image must show the class colours.

Usage: qgis_check.py RESULTS_DIR zh|en WORK_DIR"""
import json
import os
import sys

import numpy as np
import pandas as pd
from qgis.core import (QgsApplication, QgsGraduatedSymbolRenderer, QgsMapRendererCustomPainterJob, QgsMapSettings,
                       QgsPalLayerSettings, QgsVectorLayer)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor, QImage, QPainter

run_dir, lang, work = sys.argv[1], sys.argv[2], sys.argv[3]
gpkg = os.path.join(run_dir, "results.gpkg")
YLGNBU5 = ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"]  # ColorBrewer YlGnBu, 5 classes
failures = []


def check(ok, what):
    print(("ok: " if ok else "FAIL: ") + what)
    if not ok:
        failures.append(what)


QgsApplication.setPrefixPath("/usr", True)
app = QgsApplication([], False)
app.initQgis()


def layer(name):
    lyr = QgsVectorLayer(f"{gpkg}|layername={name}", name, "ogr")  # loads the default style of layer_styles
    if not lyr.isValid():
        sys.exit(f"FAIL: QGIS cannot open layer {name} of {gpkg}")
    return lyr


def ranges(lyr):
    r = lyr.renderer()
    if not isinstance(r, QgsGraduatedSymbolRenderer):
        sys.exit(f"FAIL: {lyr.name()}: the default style is {r.type() if r else None}, not graduatedSymbol "
                 "(QGIS did not load the style from layer_styles)")
    return r, [(x.lowerValue(), x.upperValue(), x.label(), x.symbol().color().name()) for x in r.ranges()]


def label_text(lo, hi, decimals, unit):
    return f"{lo:,.{decimals}f} – {hi:,.{decimals}f}" + (f" {unit}" if unit else "")


def type7(values, k):
    """Hyndman & Fan type 7 quantiles at c/k (numpy's default 'linear'), NaN dropped, tied breaks merged."""
    v = np.sort(np.asarray(values, dtype=float)[np.isfinite(values)])
    return list(dict.fromkeys(np.quantile(v, [c / k for c in range(k + 1)]).tolist()))


legend = {m["file"]: m for m in json.load(open(os.path.join(run_dir, "maps", "legend.json"), encoding="utf-8"))["maps"]}
manifest = open(os.path.join(run_dir, "manifest.json"), encoding="utf-8").read()
check('"maps/legend.json"' in manifest, "maps/legend.json is listed in manifest.json")

zone_ids = [f["id"] for f in layer("zones").getFeatures()]
ind = pd.read_csv(os.path.join(run_dir, "indicators.csv"), dtype={"zone": str})
years = sorted(ind["year"].unique()) if "year" in ind.columns else None
horizon = max(years)
variants = list(dict.fromkeys(ind["variant"]))
scale, unit, decimals = (1e-4, "万人", 1) if lang == "zh" else (1.0, "persons", 0)

# ---- population layers: every year and variant in the classes of the PNG maps ----
base = layer(f"zones_{horizon}")
renderer, got = ranges(base)
check(renderer.classAttribute() == ('"population" * 0.0001' if lang == "zh" else "population"),
      f"zones_{horizon} is classed by population in {unit}: {renderer.classAttribute()}")
png = legend[f"maps/population_{horizon}.png"]
check([lo for lo, *_ in got] + [got[-1][1]] == png["breaks"],
      f"zones_{horizon}: QGIS's class breaks {[g[0] for g in got] + [got[-1][1]]} are the PNG map's {png['breaks']}")
check([c for *_, c in got] == png["colours"], f"zones_{horizon}: QGIS's colours are the PNG map's {png['colours']}")
check(png["colours"] == YLGNBU5, "population: ColorBrewer YlGnBu, 5 classes")
small = legend[f"maps/population_{horizon}_variants.png"]
check(small["breaks"] == png["breaks"], "the variants' small multiples have the same classes")
pop = ind[(ind["indicator"] == "population") & (ind["group"] == "all") & ind["zone"].isin(zone_ids)]
expected = type7(pop["value"].to_numpy() * scale, 5)
check(len(expected) == len(got) + 1 and np.allclose([g[0] for g in got] + [got[-1][1]], expected, rtol=1e-12, atol=0),
      f"population breaks = type-7 quantiles of every zone, year and variant ({expected})")
labels = [g[2] for g in got]
check(labels == [label_text(lo, hi, decimals, unit) for lo, hi, *_ in got], f"legend text {labels}")
check(all("e+" not in x for x in labels), "no scientific notation in the legend")
for v in variants[1:]:
    name = f"zones_{v.replace('-', '_')}_{horizon}"
    check(ranges(layer(name))[1] == got, f"{name} has the classes of zones_{horizon}")
check(ranges(layer(f"zones_{years[0]}"))[1] == got, f"zones_{years[0]} has the classes of zones_{horizon}")

# ---- labels, halo, aliases ----
check(base.labelsEnabled(), "labels are on")
labeling = base.labeling()  # kept alive: settings() refers into it
settings = QgsPalLayerSettings(labeling.settings()) if labeling else None
check(settings is not None and settings.fieldName == "name", "labelled with the zone names")
text_format = settings.format() if settings else None  # kept: buffer() refers into it
buffer = text_format.buffer() if text_format else None
check(buffer is not None and buffer.enabled() and buffer.color().name() == "#ffffff",
      "labels have a white halo (text buffer)")
fields = base.fields()
alias = base.attributeAlias(fields.indexOf("population"))
if lang == "zh":
    check(alias == "常住人口（人）", f"Chinese alias of population: {alias!r}")
    check(base.attributeAlias(fields.indexOf("name")) == "名称", "Chinese alias of name")
else:
    check(alias in ("", "population") or "人" not in alias, f"no Chinese alias in an English run: {alias!r}")

# ---- plan periods: by their growth, diverging at 0 ----
periods = [p for p in pd.read_csv(os.path.join(run_dir, "plan_periods.csv"))["period"].unique()]
last = periods[-1]
plan = layer(f"zones_{last.replace('-', '_')}")
pr, pgot = ranges(plan)
check(pr.classAttribute() == "growth_rate_percent", f"plan period {last} styled by growth_rate_percent")
pl = legend[f"maps/growth_rate_percent_{last}.png"]
check([g[0] for g in pgot] + [pgot[-1][1]] == pl["breaks"], f"growth classes are the PNG map's {pl['breaks']}")
check([g[3] for g in pgot] == pl["colours"], f"growth colours are the PNG map's {pl['colours']}")
lows, highs = pl["breaks"][0], pl["breaks"][-1]
reds = [QColor(c).red() > QColor(c).blue() for c in pl["colours"]]
if lows < 0 < highs:
    check(0.0 in pl["breaks"], "a class break at 0")
    check(all(r == (pl["breaks"][i + 1] <= 0) for i, r in enumerate(reds)), "reds below 0, blues above")
elif highs <= 0:
    check(all(reds), "all-negative growth in reds")
else:
    check(not any(reds), "all-positive growth in blues")
check(all(g[2].endswith(" %") for g in pgot), "growth legend in %")

# ---- render a layer offscreen: not blank, in the class colours ----
settings_map = QgsMapSettings()
settings_map.setLayers([base])
settings_map.setDestinationCrs(base.crs())
settings_map.setExtent(base.extent())
settings_map.setOutputSize(QSize(800, 600))
settings_map.setBackgroundColor(QColor(255, 255, 255))
image = QImage(QSize(800, 600), QImage.Format_ARGB32)
image.fill(QColor(255, 255, 255))
painter = QPainter(image)
job = QgsMapRendererCustomPainterJob(settings_map, painter)
job.start()
job.waitForFinished()
painter.end()
out = os.path.join(work, f"qgis_{lang}_zones_{horizon}.png")
image.save(out)
seen = {}
for y in range(0, 600, 3):
    for x in range(0, 800, 3):
        c = QColor(image.pixel(x, y)).name()
        seen[c] = seen.get(c, 0) + 1
non_white = sum(n for c, n in seen.items() if c != "#ffffff") / sum(seen.values())
classes_drawn = [c for c in png["colours"] if seen.get(c, 0) > 20]
check(non_white > 0.2, f"rendered {out}: {non_white:.0%} of the image is not background")
check(len(classes_drawn) >= 3, f"rendered with the class colours {classes_drawn}")

if failures:
    print(f"{len(failures)} check(s) failed", flush=True)
else:
    print(f"qgis_check {lang}: all checks passed", flush=True)
# Without QGIS's teardown: PyQGIS 3.22 can crash in exitQgis()/interpreter exit while layers are still referenced.
os._exit(1 if failures else 0)
