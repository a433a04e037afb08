# SPDX-License-Identifier: Apache-2.0
"""Round 29 Python and scenario-input backlog (h188): StepSchedules' setters refuse asfr, srb, radix_l0, l65, person
years, external pairs' persons, transition rates and newborn shares that a scenario file's reader refuses, in its
words; one limit for migration counts (persons over a step), which a file's counts per year on five-year steps passed
five times over; run() of a Scenario (a copy, an added variant) and ensembles stop at a population that overflowed,
naming the `[migration] net_rate` row as the command line does (run() returned inf and NaN without a word)."""
import copy
import math
import pathlib
import re
import warnings

import numpy as np
import pytest

import cohortgis as cg
from toy_frames import toy_frames

FIX = pathlib.Path(__file__).resolve().parents[1] / "fixtures"
OVERFLOW = str(FIX / "bad" / "migration_net_rate_overflow.toml")
OVERFLOW_ROW = (r"first the net migration rates reach 1e\+300 persons per person over a step in zone 'B' "
                r"\(.*migration_net_rate_overflow\.toml:27:12: key 'migration\.net_rate': .*net_rate_overflow\.csv, "
                r"layer 'net_rate_overflow', data row 3 \(row 4 counting the header row\), column 'value'\)$")
CELL = (r"year 2030: the population of zone 'B', group 'total', sex female, age 10 is not a finite number "
        r"\(it overflowed\); check the inputs' magnitudes, ")


# ---- 1. StepSchedules' setters in the scenario reader's ranges and words -----------------------------------------
def person_years():
    st = cg.StepSchedules()
    st.mortality_kind = "person_years"
    return st


def with_radix():
    st = cg.StepSchedules()
    st.radix_l0 = [1e5, 1e5]
    return st


CASES = [
    ("asfr", cg.StepSchedules, [0.1, 95.0],
     "index 1: expected births per woman per year from 0 to 1, got 95 (a rate per 1000 women? divide by 1000)"),
    ("asfr", cg.StepSchedules, [-0.1], "index 0: expected births per woman per year from 0 to 1, got -0.1"),
    ("asfr", cg.StepSchedules, [math.nan], "index 0: expected births per woman per year from 0 to 1, got nan"),
    ("srb", cg.StepSchedules, [1.05, 106.0], "index 1: expected a sex ratio at birth from 0.9 to 1.3 males per female, "
                                             "got 106 (males per 100 females? divide by 100)"),
    ("srb", cg.StepSchedules, [0.0], "index 0: expected a sex ratio at birth from 0.9 to 1.3 males per female, got 0"),
    ("radix_l0", cg.StepSchedules, [1e5, 0.0], "index 1: expected a radix l0 from 1e-09 to 1000000000000, got 0"),
    ("radix_l0", cg.StepSchedules, [math.inf], "index 0: expected a radix l0 from 1e-09 to 1000000000000, got inf"),
    ("l65", with_radix, [8e4, 2e5], "index 1: lx at age 65 is 200000; expected 0 to the radix l0 = 100000"),
    ("l65", cg.StepSchedules, [-1.0], "index 0: lx at age 65 is -1; expected a number >= 0"),
    ("mortality", person_years, [4.9e5, -1.0], "index 1: expected person-years Lx >= 0, got -1"),
    ("mortality", person_years, [math.inf], "index 0: expected person-years Lx >= 0, got inf"),
]


@pytest.mark.parametrize("field, make, values, message", CASES, ids=[f"{c[0]}-{k}" for k, c in enumerate(CASES)])
def test_schedule_values_past_the_readers_ranges_are_refused(field, make, values, message):
    # Taken before (asfr 95, srb 106, a radix of 0, Lx of -1, l(65) past l(0)): projected, or refused by a run in
    # other words, or not at all (an e65 from an l(65) above the radix).
    st = make()
    before = np.array(getattr(st, field))
    with pytest.raises(ValueError, match="^" + re.escape(f"{field}: {message}") + "$"):
        setattr(st, field, np.array(values))
    np.testing.assert_array_equal(getattr(st, field), before)  # unchanged


def test_schedule_values_within_the_readers_ranges_are_taken():
    st = cg.StepSchedules()
    st.asfr = [0.0, 0.12, 1.0]
    st.srb = [0.9, 1.05, 1.3]
    st.mortality_kind = "person_years"
    st.mortality = [4.9e5, 0.0]
    st.radix_l0 = [1e-9, 1e5, 1e12]
    st.l65 = [math.nan, 8e4, 1e12]  # NaN: the table gives no l(65) (e65 is not computed there)
    st.l65 = [-0.0]  # a radix of another length: checked as a number >= 0
    st.external_pairs = [(0, 1, 0.0), (0, 1, 1e9)]
    st.transitions = [cg.GroupTransition(0, 1, [0.0, 1.0, -0.0])]
    st.newborn_rules = [cg.NewbornRule(0, 1, 1.0), cg.NewbornRule(1, 0, 0.0)]
    assert list(st.srb) == [0.9, 1.05, 1.3] and st.external_pairs[1] == (0, 1, 1e9)


def zone_shares(values):
    r = cg.NewbornRule(0, 1, 0.5)
    r.zone_share = values
    return r


ROWS = [
    ("external_pairs", [(0, 1, 5.0), (0, 1, -1.0)],
     "external_pairs: row 1, persons: -1 is outside the range for a count (0 to 1e9 persons over a step)"),
    ("external_pairs", [(0, 1, 1e12)],
     "external_pairs: row 0, persons: 1000000000000 is outside the range for a count (0 to 1e9 persons over a step)"),
    ("transitions", [cg.GroupTransition(0, 1, [0.1]), cg.GroupTransition(0, 1, [0.1, 1.5])],
     "transitions: row 1, rate_per_year: index 1: expected a rate per person per year from 0 to 1, got 1.5"),
    ("transitions", [cg.GroupTransition(0, 1, [math.nan])],
     "transitions: row 0, rate_per_year: index 0: expected a rate per person per year from 0 to 1, got nan"),
    ("newborn_rules", [cg.NewbornRule(0, 1, 0.5), cg.NewbornRule(0, 1, 1.5)],
     "newborn_rules: row 1, share: expected a share from 0 to 1, got 1.5"),
    ("newborn_rules", [zone_shares([0.1, -0.2])],
     "newborn_rules: row 0, zone_share: index 1: expected a share from 0 to 1, got -0.2"),
]


@pytest.mark.parametrize("field, rows, message", ROWS, ids=[f"{c[0]}-{k}" for k, c in enumerate(ROWS)])
def test_rows_past_the_readers_ranges_are_refused_naming_the_row(field, rows, message):
    # A pair of 1e12 or -1 persons was refused only by a run; a transition rate of 1.5 or 1e300 and a share of 1.5
    # (more births moved than there were) were projected as given; NaN ones refused by the run in other words.
    st = cg.StepSchedules()
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
        setattr(st, field, rows)
    assert getattr(st, field) == []


# ---- 2. one limit for migration counts: persons over a step ------------------------------------------------------
def test_a_files_counts_per_year_are_checked_over_the_step_as_the_setters_check_them():
    # toy_frames' net migrants are persons per year on five-year steps: 3e8 a year are 1.5e9 over a step, which the
    # setter (persons over the step) refused while the file took them (it checked the value per year).
    frames = toy_frames(zones=2)
    frames["net_migration"] = frames["net_migration"].assign(persons_per_year=3e8)
    words = "is outside the range for a signed count (at most 1e9 persons over a step)"
    with pytest.raises(ValueError) as reader:
        cg.scenario_from_frames(**frames)
    assert str(reader.value).endswith("300000000 (1500000000 persons over the step) " + words), str(reader.value)
    with pytest.raises(ValueError, match=re.escape("net_migrants: index 0: 1500000000 " + words)):
        cg.StepSchedules().net_migrants = [1.5e9]
    # At the limit both take it: 2e8 a year over five years, 1e9 over the step.
    frames["net_migration"] = frames["net_migration"].assign(persons_per_year=2e8)
    sc = cg.scenario_from_frames(**frames).baseline
    assert np.max(np.abs(sc.step_schedules(0).net_migrants)) == 1e9
    cg.StepSchedules().net_migrants = [1e9, -1e9]


# ---- 3. a scenario's net_rate rows through Python's copies and run() ---------------------------------------------
def copies():
    base = cg.load_scenario(OVERFLOW).baseline
    added = cg.load_scenario(OVERFLOW)
    added.add_variant("v")
    return {"copy.copy": copy.copy(base), "copy.deepcopy": copy.deepcopy(base), "Scenario.copy": base.copy(),
            "add_variant": added["v"], "as loaded": base}


@pytest.mark.parametrize("how", ["copy.copy", "copy.deepcopy", "Scenario.copy", "add_variant", "as loaded"])
def test_run_of_a_scenario_copy_names_the_net_rate_row(how):
    # run() of a Scenario returned populations of inf and NaN without a word; write_outputs stopped naming the row.
    # Copies carry the rows (Scenario's copy holds the same NetRateRows), so each names it.
    sc = copies()[how]
    with pytest.raises(RuntimeError, match="^" + CELL + OVERFLOW_ROW):
        cg.run(sc, threads=1)


def test_write_outputs_of_a_copied_set_names_the_net_rate_row(tmp_path):
    sset = copy.deepcopy(cg.load_scenario(OVERFLOW))
    with pytest.raises(RuntimeError, match=CELL + OVERFLOW_ROW):
        cg.write_outputs(sset, str(tmp_path / "out"), threads=1)


# ---- 4. ensembles' overflow named as the deterministic run's ------------------------------------------------------
def test_an_ensemble_that_overflows_names_the_net_rate_row():
    # The trajectories' summaries were inf and NaN and the quantiles NaN, without a word. (ScenarioSet.run and the
    # command line run the deterministic projections first, which stop at such a scenario: the trajectories meet it
    # where their deviations take a population past the largest number. The compiled ensemble is called here.)
    sset = cg.load_scenario(OVERFLOW)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # no [stochastic] deviations: every trajectory the deterministic one
        with pytest.raises(RuntimeError, match=r"^\[stochastic\] trajectory 0 of baseline \(seed 1\): " + CELL +
                           OVERFLOW_ROW):
            cg._cohortgis.run_ensemble([sset.baseline], OVERFLOW, "", 1, -1, 1, [])


# ---- set_tfr_path over a schedule without births (round 29's outside author) -------------------------------------
def test_a_tfr_path_over_a_step_without_births_names_it_and_changes_nothing():
    # It said only "fertility: the schedule has no births (sum 0); cannot scale it to a TFR", naming no step, zone or
    # group, and left the steps before it rescaled.
    sc = cg.load_scenario(str(FIX / "scenarios" / "good.toml")).baseline
    st = sc.step_schedules(1)
    st.asfr = np.zeros(len(st.asfr))
    sc.set_step_schedules(1, st)
    before = [np.array(sc.step_schedules(k).asfr) for k in range(sc.steps)]
    with pytest.raises(ValueError, match=r"^scenario '[^']+': step 2 \(years \d{4}–\d{4}\), (zone '[^']+'|every zone)"
                                         r"(, group '[^']+')?: fertility: the schedule has no births \(sum 0\); "
                                         r"cannot scale it to a TFR; no schedule was changed$"):
        sc.set_tfr_path({2020: 1.5})
    assert all(np.array_equal(b, sc.step_schedules(k).asfr) for k, b in enumerate(before))


def test_a_tfr_path_scaling_a_rate_past_1_names_step_zone_group_and_age():
    # Round 30 (h196): a rate above 1 birth per woman per year was kept, and refused only when the step's schedules
    # were assigned back ("asfr: index 3: …", a flat index). Now refused by set_tfr_path itself, naming the step, its
    # years, the zone, the group and the age, and changing no schedule.
    sc = cg.load_scenario(str(FIX / "scenarios" / "good.toml")).baseline
    st = sc.step_schedules(1)
    rates = np.zeros(len(st.asfr)).reshape(-1, sc.n_ages)
    rates[:, 3] = 0.1  # every birth in the age group 3 (15-19 on good.toml's grid): a TFR of 0.1 · step_years
    st.asfr = rates.ravel()
    sc.set_step_schedules(1, st)
    before = [np.array(sc.step_schedules(k).asfr) for k in range(sc.steps)]
    tfr = 1.2 * sc.step_years  # the group's rate becomes 1.2
    with pytest.raises(ValueError, match=r"^scenario '[^']+': step 2 \(years \d{4}–\d{4}\), (zone '[^']+'|every zone)"
                                         r"(, group '[^']+')?: age %d: the schedule scaled to a TFR of [0-9.]+: "
                                         r"expected births per woman per year from 0 to 1, got 1.2[0-9]*; no schedule "
                                         r"was changed$" % (3 * sc.step_years)):
        sc.set_tfr_path({2020: tfr})
    assert all(np.array_equal(b, sc.step_schedules(k).asfr) for k, b in enumerate(before))
    sc.set_tfr_path({2020: tfr * 0.8})  # a rate of 0.96 is taken, and assigned back
    st = sc.step_schedules(1)
    st.asfr = st.asfr
