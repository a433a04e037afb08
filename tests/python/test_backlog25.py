# SPDX-License-Identifier: Apache-2.0
"""Round 25 backlog (h152): figures name a variant by its title, as the command line's do (h142's note: the slug);
census_long counts on a one-year grid keep the natural spline under schedule_graduation = "graduate_mono", as
scenarios/README.md says (h144's note)."""
import copy
import pathlib

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_map_pyramid_and_lines_name_variants_by_title(cg, default_set, default_results, monkeypatch):
    # The file's [[variants]] title ("生育率回升", title_en "Higher fertility"), as `cohortgis map` names it; the
    # subtitle was "higher-fertility, 2035" and the lines' legend the slugs.
    assert default_set["higher-fertility"].variant_title == "生育率回升"
    assert default_set["higher-fertility"].variant_title_en == "Higher fertility"
    seen = {}
    monkeypatch.setattr(cg._plot, "choropleth", lambda *a, **k: seen.setdefault("map", []).append(k["subtitle"]))
    monkeypatch.setattr(cg._plot, "lines", lambda series, **k: seen.update(lines=[s[0] for s in series]))
    default_results.map("population", 2035, variant="higher-fertility")
    default_results.map("population", 2035, variant="higher-fertility", minus="core-relocation")
    default_results.map("population", 2035)
    assert seen["map"] == ["生育率回升, 2035", "生育率回升 minus 核心区疏解, 2035", "baseline, 2035"]
    default_results.lines("population")
    assert seen["lines"] == ["baseline", "生育率回升", "核心区疏解"]
    assert default_results.pyramid("total", 2035, variant="core-relocation").title == "all zones, 核心区疏解, 2035"
    # Without a scenario set (runs unpickled into Results(runs)): the names, as before.
    bare = cg.Results(dict(default_results))
    bare.lines("population")
    assert seen["lines"] == ["baseline", "higher-fertility", "core-relocation"]


def test_variant_titles_set_copied_and_bounded(cg, default_set):
    s = copy.deepcopy(default_set)
    # A variant added from a titled one is named by its own name, not the other's title.
    v = s.add_variant("mine", base="higher-fertility")
    assert (v.variant_title, v.variant_title_en) == ("", "")
    v.variant_title = "我的"
    assert v.copy().variant_title == "我的"
    v.variant_title_en = "x" * 501  # as a file's [[variants]] title_en: at most 500 characters
    with pytest.raises(ValueError, match=r"variant \"mine\" title_en of 501 characters; expected at most 500"):
        cg.run(v, threads=1)


def test_titles_on_two_lines_are_refused(cg, default_set):
    # As an aggregate's title (round 25 backlog, h155): a line break made two lines of a charts' legend entry.
    s = copy.deepcopy(default_set)
    v = s.add_variant("mine", base="higher-fertility")
    v.variant_title = "我的\n方案"
    with pytest.raises(ValueError, match=r'variant "mine" title "我的\\x0a方案": holds a control character'):
        cg.run(v, threads=1)
    sc = default_set.baseline.copy()
    sc.title = "北京\u2028规划"
    with pytest.raises(ValueError, match=r": title \"北京.*\": holds a control character .*expected a title on one line"):
        cg.run(sc, threads=1)


def test_census_long_single_years_keep_the_natural_spline(cg, tmp_path):
    # scenarios/README.md: schedule_graduation applies to the fertility schedule only; census_long counts on a
    # one-year grid keep the natural spline (DemoTools' graduate_mono of counts is not offered).
    src = ROOT / "scenarios" / "examples" / "beijing-2020" / "scenario.toml"
    text = src.read_text(encoding="utf-8")
    assert 'format = "census_long"' in text and "\nstep = 1" in text
    mono = tmp_path / "mono.toml"
    mono.write_text(text.replace("[fertility]\n", '[fertility]\nschedule_graduation = "graduate_mono"\n', 1),
                    encoding="utf-8")
    plain, graduated = cg.load_scenario(str(src)).baseline, cg.load_scenario(str(mono)).baseline
    assert np.array_equal(plain.base_population, graduated.base_population)
    assert not np.array_equal(plain.step_schedules(0).asfr, graduated.step_schedules(0).asfr)  # the key is read
