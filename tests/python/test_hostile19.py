# SPDX-License-Identifier: Apache-2.0
"""What the round-19 hostile probe (tests/probe/hostile_round19.py) found in the module: an object made with
`T.__new__(T)`, skipping __init__, was handed to the methods as raw unconstructed memory by pybind11 (a Scenario's
fields read as garbage, a StepSchedules passed to set_step_schedules crashed with SIGSEGV); a broadcast view of 2^41
values as base_population was called "objects that are not all numbers"."""
import numpy as np
import pytest

import cohortgis as cg


@pytest.fixture()
def scenario(default_set):
    return default_set.baseline.copy()


def test_objects_made_without_init_are_refused(scenario):
    with pytest.raises(TypeError, match=r"without __init__"):
        cg.Scenario.__new__(cg.Scenario).base_population
    schedules = type(scenario.step_schedules(0))
    with pytest.raises(TypeError, match=r"without __init__"):
        scenario.set_step_schedules(0, schedules.__new__(schedules))
    with pytest.raises(TypeError, match=r"without __init__"):
        cg.OdFlow.__new__(cg.OdFlow).rate_per_year


def test_subclasses_and_constructed_objects_still_work(scenario):
    class Mine(cg.Scenario):
        pass

    assert isinstance(Mine().base_population, np.ndarray)
    assert cg.OdFlow(0, 1, 0.25).rate_per_year == 0.25


def test_a_huge_broadcast_base_population_names_its_shape(scenario):
    with pytest.raises(ValueError, match=r"base population: an array of shape \(1048576, 1048576, 2, 5\)"):
        scenario.base_population = np.broadcast_to(np.float64(1), (2 ** 20, 2 ** 20, 2, 5))
