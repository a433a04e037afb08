# SPDX-License-Identifier: Apache-2.0
"""What the round-10 hostile probe (tests/probe/hostile_round10.py) found in the module: total_fertility(step) took any
step when one schedule set holds for every step (and gave C++'s range message, or an empty array for schedules of
another size, otherwise); a Scenario's steps and base year could be set to anything: steps = 10**9 then
set_step_schedules asked for terabytes (MemoryError), a million steps ran five million years, base_year = 2**31 - 1
overflowed the end year."""
import pathlib
import shutil

import numpy as np
import pytest

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "scenarios"


@pytest.fixture()
def folder(tmp_path):
    for f in ("good.toml", "asfr.csv", "mx.csv", "base.csv"):
        shutil.copy(FIXTURES / f, tmp_path)
    return tmp_path


@pytest.fixture()
def one_set(cg, folder):
    """good.toml without its TFR path, migration and relocation: one schedule set held for both steps."""
    text = (folder / "good.toml").read_text().replace('tfr = { "2020" = 1.0, "2030" = 2.0 }\n', "")
    text = text[:text.index("[migration]")] + text[text.index("[plan_periods]"):text.index("[[variants]]")]
    (folder / "one.toml").write_text(text)
    sc = cg.load_scenario(str(folder / "one.toml")).baseline
    assert len(sc.schedules) == 1 and sc.steps == 2
    return sc


def test_total_fertility_checks_the_step_like_step_schedules(cg, folder, one_set):
    assert one_set.total_fertility(1).tolist() == one_set.total_fertility(0).tolist()
    for step in (2, 99, -1, -2**31):
        with pytest.raises(IndexError, match=r"scenario 'tiny': step -?[0-9]+ outside 0 … 1"):
            one_set.total_fertility(step)
        with pytest.raises(IndexError, match=r"outside 0 … 1"):
            one_set.step_schedules(step)
    sc = cg.load_scenario(str(folder / "good.toml")).baseline  # one set per step
    with pytest.raises(IndexError, match=r"step -1 outside 0 … 1"):
        sc.total_fertility(-1)
    sc.schedules = []
    with pytest.raises(IndexError, match=r"0 schedule sets for 2 steps"):
        sc.total_fertility(0)


def test_total_fertility_refuses_schedules_of_another_size(cg, folder):
    sc = cg.load_scenario(str(folder / "good.toml")).baseline
    x = sc.step_schedules(0)
    x.asfr = np.ones(3)
    sc.set_step_schedules(0, x)  # taken as it is; run() refuses it
    with pytest.raises(ValueError, match=r"step 0: schedule 'asfr' has 3 values; expected zones × groups × ages = 10"):
        sc.total_fertility(0)
    with pytest.raises(ValueError, match=r"schedule 'asfr' has 3 values"):
        cg.run(sc)


def test_steps_and_base_year_stay_within_the_calendar(cg, one_set):
    sc = one_set.copy()
    sc.steps = 10**9
    with pytest.raises(ValueError, match=r"1000000000 steps of 5 years from 2020 end in 5000002020; expected an end "
                                         r"year of at most 9999"):
        sc.set_step_schedules(5, sc.step_schedules(0))
    with pytest.raises(ValueError, match=r"end in 5000002020"):
        sc.set_srb_path({2020: 105})
    sc.steps = 10**6
    with pytest.raises(ValueError, match=r"1000000 steps of 5 years from 2020 end in 5002020"):
        cg.run(sc)
    for year in (2**31 - 1, -2**31, 0):
        sc = one_set.copy()
        sc.base_year = year
        with pytest.raises(ValueError, match=r"base year %d; expected a year from 1 to 9999" % year):
            cg.run(sc)
    sc = one_set.copy()
    sc.steps = (9999 - 2020) // 5  # the last end year allowed
    sc.set_step_schedules(0, sc.step_schedules(0))
    assert len(sc.schedules) == sc.steps
