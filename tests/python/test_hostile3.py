# SPDX-License-Identifier: Apache-2.0
"""What the third hostile probe (tests/probe/hostile_python3.py, round 6) found in the module: variant names of any
length were accepted (10 MB names went into every result key), so were zone names set from Python, and paths of any
length reached C++ and failed as "not found". Names have at most 200 characters (as in a scenario file), paths fewer
than 4096 bytes with parts of at most 255 (as on the command line)."""
import pathlib
import shutil

import pytest

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "scenarios"


@pytest.fixture()
def good(tmp_path):
    for f in ("good.toml", "asfr.csv", "mx.csv", "base.csv"):
        shutil.copy(FIXTURES / f, tmp_path)
    return tmp_path / "good.toml"


def test_variant_names_are_capped_at_200_characters(cg, good):
    s = cg.load_scenario(str(good))
    assert s.add_variant("京" * 200).variant == "京" * 200  # characters, not bytes: 600 bytes pass
    with pytest.raises(ValueError, match="201 characters; expected at most 200"):
        s.add_variant("v" * 201)
    with pytest.raises(ValueError, match="10000000 characters; expected at most 200") as e:
        s.add_variant("v" * 10_000_000)
    assert len(str(e.value)) < 200  # quoted cut, not echoed
    # A name changed on the scenario afterwards is checked when the set runs.
    s = cg.load_scenario(str(good))
    v = s.add_variant("x")
    v.set_tfr({2020: 1.5, 2030: 1.5})
    v.variant = "w" * 201
    with pytest.raises(ValueError, match=r"variant [0-9]+ name .*201 characters; expected at most 200"):
        s.run(threads=1)


def test_zone_names_set_from_python_are_capped(cg, good):
    s = cg.load_scenario(str(good))
    s.baseline.set_zones(["A", "B"], ["n" * 201, "Zone B"])
    with pytest.raises(ValueError, match="zone 0 .*201 characters; expected at most 200"):
        s.run(threads=1)
    s = cg.load_scenario(str(good))
    s.baseline.set_zones(["A", "B"], ["n" * 200, "Zone B"])
    assert s.run(threads=1).population().shape[1] == 2  # [year][zone]…: both zones projected


@pytest.mark.parametrize(
    "where, path, message",
    [
        ("scenario", "./" * 2500 + "good.toml", r"a path of [0-9]+ bytes is too long; expected at most 4095 bytes \(PATH_MAX\)"),
        ("scenario", "g" * 300 + ".toml", r"a file or folder name of 305 bytes is too long; expected at most 255 bytes"),
        ("out_dir", "o/" * 2100, r"a path of [0-9]+ bytes is too long; expected at most 4095 bytes \(PATH_MAX\)"),
        ("out_dir", "o" * 300, r"a file or folder name of 300 bytes is too long; expected at most 255 bytes"),
    ],
)
def test_paths_are_length_capped_as_on_the_command_line(cg, good, tmp_path, where, path, message):
    out = tmp_path / "out"
    with pytest.raises(ValueError, match=message):
        if where == "scenario":
            cg.load_scenario(f"{good.parent}/{path}")  # as text: pathlib would drop the "./" parts
        else:
            cg.write_outputs(str(good), f"{tmp_path}/{path}")
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["asfr.csv", "base.csv", "good.toml", "mx.csv"]
    # A path of 4095 bytes is not refused as too long (it is simply not there).
    with pytest.raises(ValueError) as e:
        cg.load_scenario("/" + "d/" * 2044 + "x.tom")
    assert "too long" not in str(e.value)


def test_a_negative_seed_is_refused_not_taken_for_the_files(cg, good):
    # seed=-1 was the binding's "no override" and ran with the scenario file's seed, silently.
    s = cg.load_scenario(str(FIXTURES / "stochastic.toml"))
    for seed, shown in ((-1, "-1"), (-5, "-5"), (2**31, "2147483648"), (2**64, "an int of 65 bits")):
        with pytest.raises(ValueError, match=f"^seed: {shown} is out of range; expected an int from 0 to 2147483647$"):
            s.run(threads=1, trajectories=2, seed=seed)


def test_an_empty_scenario_path_is_refused(cg, cli, tmp_path):
    # "" (an unset shell or Python variable) ran the shipped default scenario, as if no scenario were given.
    import subprocess

    with pytest.raises(ValueError, match="scenario: an empty path"):
        cg.load_scenario("")
    p = subprocess.run([cli, "validate", ""], capture_output=True, text=True)
    assert p.returncode == 1 and "scenario: an empty path; expected a file or folder" in p.stderr
