# SPDX-License-Identifier: Apache-2.0
"""What the round-15 hostile probe (tests/probe/hostile_round15.py) found in the module: run() and ScenarioSet took
anything as a scenario and failed later with an AttributeError ("'NoneType' object has no attribute 'variant'")."""
import pytest


@pytest.mark.parametrize("bad", [None, "scenario.toml", 3, object()])
def test_run_refuses_what_is_not_a_scenario(cg, bad):
    with pytest.raises(TypeError, match="expected a cohortgis.Scenario"):
        cg.run(bad)


def test_scenario_set_refuses_what_is_not_a_scenario(cg, default_set):
    with pytest.raises(TypeError, match=r"run 1: expected a cohortgis.Scenario \(from load_scenario\), not NoneType"):
        cg.ScenarioSet([default_set.baseline, None])
