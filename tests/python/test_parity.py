# SPDX-License-Identifier: Apache-2.0
"""Parity scenarios ([fertility] parity_rates) need the run job, which projects the parity states beside the engine:
the in-memory cohortgis.run() refuses them instead of projecting with no births."""
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_in_memory_run_refuses_parity(cg):
    s = cg.load_scenario(str(ROOT / "scenarios" / "examples" / "core-districts-parity" / "scenario.toml"))
    with pytest.raises(ValueError, match="parity_rates is not supported by cohortgis.run"):
        cg.run(s)
