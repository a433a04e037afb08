# SPDX-License-Identifier: Apache-2.0
"""StepSchedules.mortality_next: the rate of the group above a five-year grid's open age (rates given past it)."""
import numpy as np


def _by_sex_at(step, rows, age_row):
    """The [zone][group][sex] rates of one life-table row of a step's mortality array."""
    return step.mortality.reshape(-1, rows)[:, age_row]


def test_mortality_next_is_read_and_set_like_the_other_arrays(cg, default_set):
    # The five-year Beijing example gives WPP's abridged rates to 100+ on an 85+ grid: the 85-89 rate travels with
    # the grid's rates (19 rows: 0, 1-4, 5-9, ..., 80-84, 85+), one per zone, group and sex.
    sc = default_set.baseline
    step = sc.step_schedules(0)
    zones, groups = len(sc.zone_ids), len(sc.group_names)
    nxt = step.mortality_next
    assert nxt.shape == (zones * groups * 2,)
    assert np.all(nxt > 0)
    # WPP's 85-89 rate lies between 80-84's and the open rate m(85+) = l(85)/T(85) of the whole table.
    assert np.all(nxt > _by_sex_at(step, 19, 17)) and np.all(nxt < _by_sex_at(step, 19, 18))
    assert "mortality_next " + str(zones * groups * 2) in repr(step)

    # Dropping it gives the grid's own table (the open rate as 80-84's next rate): other survivors at 85+; the
    # values read back give the first run's figures to the bit.
    first = cg.run(sc, threads=1).population()
    changed = sc.copy()
    schedules = changed.schedules
    for s in schedules:
        s.mortality_next = []
    changed.schedules = schedules
    dropped = cg.run(changed, threads=1).population()
    assert not np.array_equal(first, dropped)
    for s in schedules:
        s.mortality_next = nxt
    changed.schedules = schedules
    assert np.array_equal(cg.run(changed, threads=1).population(), first)
