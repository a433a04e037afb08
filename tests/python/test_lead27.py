# SPDX-License-Identifier: Apache-2.0
"""Round 27, lead: write_outputs(components=[]) was read as None (the scenario file's components: all of them), while
a scenario file's `[outputs] components = []` writes none; an empty list or tuple now writes none, as "none" does."""
import os

import pytest

import cohortgis as cg

HERE = os.path.dirname(os.path.abspath(__file__))
GOOD = os.path.join(HERE, "..", "fixtures", "scenarios", "good.toml")


def component_rows(out):
    with open(out / "components.csv", encoding="utf-8") as f:
        return f.read().splitlines()[1:]


@pytest.mark.parametrize("empty", [[], ()])
def test_an_empty_components_list_writes_none_as_the_file_does(tmp_path, empty):
    cg.write_outputs(GOOD, str(tmp_path / "empty"), threads=1, components=empty, format="csv")
    cg.write_outputs(GOOD, str(tmp_path / "none"), threads=1, components="none", format="csv")
    cg.write_outputs(GOOD, str(tmp_path / "file"), threads=1, format="csv")
    assert component_rows(tmp_path / "empty") == component_rows(tmp_path / "none") == []
    assert len(component_rows(tmp_path / "file")) > 0  # the fixture's file says nothing: all components
