# SPDX-License-Identifier: Apache-2.0
"""What the round-18 hostile probe (tests/probe/hostile_round18.py) found in the module: Scenario.base_population
took datetime64 arrays as seconds since 1970, complex arrays without their imaginary part, booleans as 0/1 and
strings by their text, and an array of the right size in another axis order (ages first) was read in the wrong
order, all silently; StepSchedules' arrays and set_od's profile took the same dtypes; write_outputs into /vsimem/…
wrote the CSVs into a real folder /vsimem while the figures went to GDAL's memory, and returned as if complete."""
import os

import numpy as np
import pytest


@pytest.fixture()
def scenario(default_set):
    return default_set.baseline.copy()


@pytest.mark.parametrize("make", [
    lambda bp: np.full(bp.shape, np.datetime64("2020-01-01T00:00:00")),
    lambda bp: bp.astype(complex),
    lambda bp: np.ones(bp.shape, dtype=bool),
    lambda bp: bp.astype(str),
    lambda bp: np.zeros(bp.shape, dtype=[("a", "f8")]),
], ids=["datetime64", "complex", "bool", "str", "structured"])
def test_base_population_of_non_numbers_is_refused(scenario, make):
    with pytest.raises(TypeError, match=r"base population: an array of dtype .*; expected numbers"):
        scenario.base_population = make(scenario.base_population)


def test_base_population_in_another_axis_order_is_refused(scenario):
    bp = scenario.base_population
    z, g, _, a = bp.shape
    with pytest.raises(ValueError, match=rf"base population: an array of shape \({g}, 2, {a}, {z}\); expected shape "
                                         rf"\({z}, {g}, 2, {a}\) \[zone\]\[group\]\[sex\]\[age\], or a flat array"):
        scenario.base_population = np.ascontiguousarray(np.moveaxis(bp, 0, 3))  # ages before zones


def test_base_population_views_lists_and_number_dtypes_still_work(scenario):
    bp = scenario.base_population
    big = np.zeros(tuple(2 * n for n in bp.shape))
    big[::2, ::2, ::2, ::2] = bp
    for value in (bp.ravel().tolist(), big[::2, ::2, ::2, ::2], np.asfortranarray(bp), bp[::-1][::-1],
                  bp.astype(object)):
        scenario.base_population = value
        assert np.array_equal(scenario.base_population, bp)
    scenario.base_population = np.round(bp).astype(np.int64)
    assert np.array_equal(scenario.base_population, np.round(bp))


def test_step_schedule_arrays_of_non_numbers_are_refused(cg, scenario):
    st = scenario.step_schedules(0)
    with pytest.raises(TypeError, match=r"asfr: an array of dtype datetime64"):
        st.asfr = np.full(len(st.asfr), np.datetime64(1, "s"))
    with pytest.raises(TypeError, match=r"srb: an array of dtype <U4"):
        st.srb = ["1.05"] * len(st.srb)
    with pytest.raises(TypeError, match=r"profile: an array of dtype complex128"):
        st.set_od([cg.OdFlow(0, 1, 0.01)], 2, 1, 5, profile=np.ones(10, dtype=complex))
    with pytest.raises(TypeError, match=r"asfr: an array of objects that are not all numbers"):
        st.asfr = np.array([object()] * 3)
    with pytest.raises(TypeError, match=r"asfr: (not an array of numbers|an array of objects)"):
        st.asfr = [[1.0], [1.0, 2.0]]  # ragged
    st.asfr = list(st.asfr)  # a list of numbers still converts


def test_write_outputs_into_gdal_memory_is_refused(cg, tmp_path):
    with pytest.raises(ValueError, match=r"output folder /vsimem/h82_test_out: a GDAL virtual file system path"):
        cg.write_outputs("default", "/vsimem/h82_test_out", threads=1)
    assert not os.path.exists("/vsimem/h82_test_out")
