# SPDX-License-Identifier: Apache-2.0
"""Round 28's hostile probe of the command line (tests/probe/hostile_round28.py), the same job from Python:
write_outputs(results_nc_hash=False, format="csv") did nothing without a word; estimate_levels(mx_filter=…) without mx
and (asfr_filter=…) without asfr likewise, and a filter that kept no row named neither the filter nor the cells; an
encoding other than UTF-8 declared for a GeoJSON zone source recoded its UTF-8 names (海淀 read as 娴锋穩)."""
import os
import shutil

import pytest

import cohortgis as cg

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "..", "fixtures")
GOOD = os.path.join(FIX, "scenarios", "good.toml")
ZONES = ('{"type": "FeatureCollection", "features": [' + ", ".join(
    '{"type": "Feature", "properties": {"id": "%s", "name": "%s"}, "geometry": {"type": "Polygon", "coordinates": '
    '[[[%g, 39], [%g, 39], [%g, 39.1], [%g, 39.1], [%g, 39]]]}}' % (z, n, x, x + .1, x + .1, x, x)
    for z, n, x in (("A", "海淀", 116), ("B", "西城", 116.1))) + "]}\n")


def test_results_nc_hash_off_with_csv_is_refused(tmp_path):
    with pytest.raises(ValueError, match=r"--no-results-nc-hash: --format csv writes no results\.nc"):
        cg.write_outputs(GOOD, str(tmp_path / "out"), threads=1, format="csv", results_nc_hash=False)
    assert not (tmp_path / "out").exists()
    cg.write_outputs(GOOD, str(tmp_path / "both"), threads=1, format="both", results_nc_hash=False)


def test_level_filters_need_their_tables_and_name_what_they_missed(tmp_path):
    est = os.path.join(FIX, "estimate")
    mortality, fertility = tmp_path / "m.csv", tmp_path / "f.csv"
    mortality.write_text("zone,indicator,value\nA,e0,65\n")
    fertility.write_text("zone,indicator,value\nA,tfr,1.5\n")
    out = str(tmp_path / "out")
    with pytest.raises(ValueError, match=r"^--asfr-filter: given without --asfr"):
        cg.estimate_levels(str(mortality), out_dir=out, mx=os.path.join(est, "levels_mx.csv"), srb=105, open_age=50,
                           asfr_filter={"age": "15"})
    with pytest.raises(ValueError, match=r"^--mx-filter: given without --mx"):
        cg.estimate_levels(str(fertility), out_dir=out, asfr=os.path.join(est, "levels_asfr.csv"), open_age=50,
                           mx_filter={"sex": "female"})
    with pytest.raises(ValueError, match=r"levels_asfr\.csv: no rows after --asfr-filter \(no cell of column 'age' is "
                                         r"\"99\" \(it holds \"15\", \"20\", \"25\", \"30\", \"35\", …\)\)"):
        cg.estimate_levels(str(fertility), out_dir=out, asfr=os.path.join(est, "levels_asfr.csv"), open_age=50,
                           asfr_filter={"age": "99"})
    assert not os.path.exists(out)


def test_an_encoding_declared_for_a_geojson_zone_source_is_refused(tmp_path):
    for f in ("good.toml", "base.csv", "asfr.csv", "mx.csv"):
        shutil.copy(os.path.join(FIX, "scenarios", f), tmp_path)
    (tmp_path / "zones.geojson").write_text(ZONES, encoding="utf-8")
    text = (tmp_path / "good.toml").read_text(encoding="utf-8")
    source = '[geography.source]\npath = "zones.geojson"\nid_field = "id"\nname_field = "name"\nencoding = "%s"\n\n'
    (tmp_path / "gbk.toml").write_text(text.replace("[projection]", source % "GBK" + "[projection]"),
                                       encoding="utf-8")
    (tmp_path / "utf8.toml").write_text(text.replace("[projection]", source % "UTF-8" + "[projection]"),
                                        encoding="utf-8")
    with pytest.raises(ValueError, match=r"zones\.geojson: encoding 'GBK' declared, but the text of a GeoJSON source "
                                         r"is UTF-8 by its format"):
        cg.load_scenario(str(tmp_path / "gbk.toml"))
    cg.load_scenario(str(tmp_path / "utf8.toml"))  # UTF-8 in any spelling is what the format holds
