# SPDX-License-Identifier: Apache-2.0
"""Round 24 backlog (h142): schedules set from Python get the scenario loader's refusal of abridged rates whose
person-years DemoTools' lt_id_Ll_S refuses; default plot titles name zones and aggregates as the command line does."""
import copy
import os
import warnings

import numpy as np
import pytest


def _with_zero_1_4(sc, step, table):
    """`sc`'s schedules of `step` with the 1-4 rate of life table `table` ([zone][group][sex]) set to 0."""
    s = sc.step_schedules(step)
    rows = len(sc.age_starts) + 1  # abridged rows 0, 1-4, 5-9, ..., open
    nxt = s.mortality_next
    m = s.mortality.reshape(-1, rows)
    m[table, 1] = 0.0
    with warnings.catch_warnings():  # assigning mortality clears mortality_next (a UserWarning): set again below
        warnings.simplefilter("ignore", UserWarning)
        s.mortality = m.reshape(-1)
    s.mortality_next = nxt
    sc.set_step_schedules(step, s)
    return sc


ZERO_1_4 = (r"step 1 \(2026-2030\), zone '110102', group 'registered', male: StepSchedules.mortality: the death rate is "
            r"0 at ages 1-4 and \S+ at ages 10-14, which gives ages 5-9 Greville's nax = 1[0-9][0-9]\.[0-9]+ years, "
            r"outside the group's 0-5, and person-years outside 0 to 5 years a person \(DemoTools' lt_id_Ll_S stops on "
            r"such a table\); expected a death rate > 0 there")


def test_python_schedules_get_the_loaders_zero_rate_refusal(cg, default_set):
    # Before: run() projected the table (survival 0-4 -> 5-9 above 1), as the loader refused it from a file since
    # round 23 (bad_input_mx_zero_1_4).
    sc = default_set.baseline.copy()
    assert sc.zone_ids[1] == "110102" and sc.group_names[0] == "registered"
    groups = len(sc.group_names)
    _with_zero_1_4(sc, 1, (1 * groups + 0) * 2 + 1)
    with pytest.raises(ValueError, match=ZERO_1_4):
        cg.run(sc, threads=1)
    # A rate of 0 at 10-14 (5-9 nax about -151) passes DemoTools' check and is projected, as from a file.
    ok = default_set.baseline.copy()
    s = ok.step_schedules(1)
    rows = len(ok.age_starts) + 1
    nxt = s.mortality_next
    m = s.mortality.reshape(-1, rows)
    m[3, 3] = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        s.mortality = m.reshape(-1)
    s.mortality_next = nxt
    ok.set_step_schedules(1, s)
    cg.run(ok, threads=1)


def test_written_and_ensemble_runs_get_the_refusal_too(cg, default_set, tmp_path):
    # write_outputs of a set changed in Python (HostSet) and run_ensemble read the runs as they are now.
    changed = copy.deepcopy(default_set)
    groups = len(changed.baseline.group_names)
    _with_zero_1_4(changed.baseline, 1, (1 * groups + 0) * 2 + 1)
    with pytest.raises(ValueError, match=ZERO_1_4):
        cg.write_outputs(changed, str(tmp_path / "out"), threads=1)
    assert not os.path.exists(tmp_path / "out")
    with pytest.raises(ValueError, match=ZERO_1_4):
        cg._cohortgis.run_ensemble([changed.baseline], default_set.file, "", 2, 1, 1, [], [], [], [])


def test_default_plot_titles_name_zones_and_aggregates(cg, default_set, default_results):
    # The command line's figures name a zone by its name and an aggregate by its title; Python gave the ids
    # ("110105, baseline, 2035", "core, baseline, 2035", "population, 110105").
    assert default_set.baseline.aggregate_titles == {"core": ("首都功能核心区", "Core districts")}
    assert default_results.pyramid("110105", 2035).title == "朝阳区, baseline, 2035"
    assert default_results.pyramid("core", 2035).title == "首都功能核心区, baseline, 2035"
    assert default_results.pyramid("total", 2035).title == "all zones, baseline, 2035"
    assert default_results.lines("population", zone="110105").title == "population, 朝阳区"
    assert default_results.lines("population", zone="core").title == "population, 首都功能核心区"
    # Set from Python: the title, else title_en, else the name; a title on two lines is refused when a run starts.
    sc = default_set.baseline.copy()
    sc.aggregate_titles = {"core": ("", "Core")}
    assert sc.aggregate_titles == {"core": ("", "Core")}
    sc.aggregate_titles = {"core": ("核心\n区", "")}
    with pytest.raises(ValueError, match=r'aggregate "core" title .*: holds a control character'):
        cg.run(sc, threads=1)
    with pytest.raises(TypeError, match=r"^aggregate_titles: 'core': expected \(title, title_en\), got str$"):
        sc.aggregate_titles = {"core": "core"}
