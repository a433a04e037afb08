# SPDX-License-Identifier: Apache-2.0
"""`estimate_group_split` says what it passes over (round 28, h180), as the command line's "cohortgis: warning:"
lines: registry codes within `zones` that are no zone of the census, and census zones of 0 residents (their floating
share left empty). Each is a UserWarning and an entry of the summary's `warnings`."""
import warnings

import pytest

import cohortgis as cg


def _zone(code, residents):
    h = residents // 10
    return "".join(f"{code},{ind},{v}\n" for ind, v in [
        ("pop_resident", residents), ("pop_hukou_elsewhere_same_district", h),
        ("pop_hukou_elsewhere_other_district_same_province", h), ("pop_hukou_elsewhere_other_province", h)])


def test_registry_codes_that_are_no_zone_and_zones_of_nobody_are_warned(tmp_path):
    census = tmp_path / "census.csv"
    census.write_text("code,indicator,value\n" + _zone("110101", 1000) + _zone("110199", 0) + _zone("120101", 500))
    registry = tmp_path / "registry.csv"
    registry.write_text("code,registered\n110101,900\n110103,700\n120101,400\n")
    with pytest.warns(UserWarning) as caught:
        summary = cg.estimate_group_split(str(census), str(tmp_path / "out"), registry=str(registry), zones="1101")
    shown = [str(w.message) for w in caught]
    assert shown == summary["warnings"]
    assert len(shown) == 2
    assert shown[0].endswith(': 1 row of codes starting with 1101 that are no zone of the census ("110103") passed '
                             "over: their 户籍人口 cross-checks nothing; check that the registry's codes are the "
                             "census's (the same year's divisions)")
    assert shown[1].endswith(': 1 zone of 0 residents ("110199"): written with 0 registered and 0 floating and no '
                             "floating share (floating_share_percent empty); check that the code is a zone of the area")
    rows = (tmp_path / "out" / "group_split.csv").read_text().splitlines()
    assert "110199,,0,0,0,0,0,0,," in rows
    # A registry and census that agree: nothing to say.
    registry.write_text("code,registered\n110101,900\n120101,400\n")
    census.write_text("code,indicator,value\n" + _zone("110101", 1000) + _zone("120101", 500))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        quiet = cg.estimate_group_split(str(census), str(tmp_path / "quiet"), registry=str(registry), zones="1101")
    assert quiet["warnings"] == []
