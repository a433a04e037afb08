# SPDX-License-Identifier: Apache-2.0
"""The input sandbox from Python (issue #17): load_scenario reads only inside the scenario's folder, the data folder
and allow_read folders, databases only among allow_db services, with the command line's messages."""
import pathlib
import shutil
import subprocess

import pytest

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "scenarios"


def _scenario(tmp_path, base):
    folder = tmp_path / "scenario"
    folder.mkdir()
    for f in ("asfr.csv", "mx.csv"):
        shutil.copy(FIXTURES / f, folder)
    text = (FIXTURES / "good.toml").read_text(encoding="utf-8").replace('table = "base.csv"', f'table = "{base}"')
    path = folder / "s.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_allow_read_grants_a_folder(cg, cli, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shutil.copy(FIXTURES / "base.csv", shared)
    path = _scenario(tmp_path, "../shared/base.csv")
    with pytest.raises(ValueError, match="'../shared/base.csv' is outside the folders this scenario may read") as e:
        cg.load_scenario(str(path))
    p = subprocess.run([cli, "validate", str(path)], capture_output=True, text=True)
    assert p.returncode == 1 and p.stderr == "cohortgis: error: " + str(e.value) + "\n"
    s = cg.load_scenario(str(path), allow_read=[shared])
    assert s.baseline.zone_ids == ["A", "B"]
    assert subprocess.run([cli, "validate", str(path), "--allow-read", str(shared)], capture_output=True).returncode == 0
    with pytest.raises(ValueError, match="allow_read: '.*nope' is not a folder"):
        cg.load_scenario(str(path), allow_read=[tmp_path / "nope"])


def test_databases_only_when_allowed(cg, tmp_path):
    path = _scenario(tmp_path, "db:census")
    with pytest.raises(ValueError, match="the database service 'census' is not allowed.*allow_db"):
        cg.load_scenario(str(path))
