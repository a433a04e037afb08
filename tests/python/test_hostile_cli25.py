# SPDX-License-Identifier: Apache-2.0
"""What the round-25 hostile probe (tests/probe/hostile_round25.py) found in Python: a figure drawn with TMPDIR
naming no folder (missing, a file) was "RuntimeError: filesystem error: temp_directory_path: No such file or
directory", an empty TMPDIR the same, and a folder that cannot be written to named no reason; the message now names
TMPDIR and what to do, and an empty TMPDIR means /tmp, as for Python's tempfile. A title set in aggregate_titles for
an aggregate the scenario does not have was dropped without a word."""
import pathlib

import pytest

import cohortgis as cg

FIX = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "scenarios"


@pytest.fixture(scope="module")
def results():
    return cg.load_scenario(str(FIX / "good.toml")).run()


@pytest.mark.parametrize("where", ["missing", "file"])
def test_a_tmpdir_that_is_no_folder_is_named(results, monkeypatch, tmp_path, where):
    tmp = tmp_path / "no-such-folder"
    if where == "file":
        tmp.write_text("x")
    monkeypatch.setenv("TMPDIR", str(tmp))
    with pytest.raises(RuntimeError, match=r"cannot draw the figure: TMPDIR '.*no-such-folder' is not a folder .*; "
                                           r"set TMPDIR to a folder you can write to") as e:
        results.pyramid()._repr_png_()
    assert "temp_directory_path" not in str(e.value)


def test_a_tmpdir_that_cannot_be_written_is_named(results, monkeypatch):
    monkeypatch.setenv("TMPDIR", "/proc")
    with pytest.raises(RuntimeError, match=r"cannot draw the figure: cannot create a folder in TMPDIR '/proc' \(.+\); "
                                           r"set TMPDIR"):
        results.pyramid()._repr_png_()


def test_an_empty_tmpdir_is_tmp(results, monkeypatch):
    monkeypatch.setenv("TMPDIR", "")
    assert results.pyramid()._repr_png_().startswith(b"\x89PNG")


def test_a_title_of_no_aggregate_is_refused():
    # A misspelt aggregate's title named nothing and was dropped without a word.
    s = cg.load_scenario(str(FIX / "good.toml"))
    s.baseline.aggregate_titles = {"nope": ("标题", "title")}
    with pytest.raises(ValueError, match=r"aggregate_titles names \"nope\", which is not an aggregate of the scenario"):
        s.run()
