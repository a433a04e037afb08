# SPDX-License-Identifier: Apache-2.0
"""scenario_from_frames goes through the scenario-file loader: the same frames written as CSV files beside a scenario
file give the same scenario and the same bits, and a frame is refused for the same reason as the file."""
import numpy as np
import pytest

from toy_frames import toy_frames


def _as_files(tmp_path, f):
    f["base_population"].to_csv(tmp_path / "base.csv", index=False)
    f["mortality"].to_csv(tmp_path / "mx.csv", index=False)
    f["fertility"].to_csv(tmp_path / "asfr.csv", index=False)
    f["net_migration"].to_csv(tmp_path / "net.csv", index=False)
    zones = ", ".join(f'{{ id = "{i}", name = "{n}" }}' for i, n in zip(f["zones"]["id"], f["zones"]["name"]))
    groups = ", ".join(f'"{g}"' for g in dict.fromkeys(f["base_population"]["group"]))
    (tmp_path / "scenario.toml").write_text(f"""
[scenario]
name = "toy"
[geography]
zones = [{zones}]
aggregates = [{{ name = "west", zones = [{", ".join(f'"{i}"' for i in f["aggregates"]["west"])}] }}]
[projection]
base_year = {f["base_year"]}
horizon = {f["horizon"]}
step = 5
groups = [{groups}]
[base_population]
table = "base.csv"
[fertility]
schedule = {{ path = "asfr.csv", columns = {{ value = "asfr" }} }}
srb = {f["srb"]}
tfr = {f["tfr"]}
[mortality]
mx = {{ path = "mx.csv", columns = {{ value = "mx" }} }}
[migration]
net = {{ path = "net.csv", columns = {{ value = "persons_per_year" }} }}
""")
    return tmp_path / "scenario.toml"


def test_frames_and_files_give_the_same_bits(cg, tmp_path):
    f = toy_frames()
    from_frames = cg.scenario_from_frames(**f)
    from_file = cg.load_scenario(str(_as_files(tmp_path, f)))
    a = from_frames.run(threads=1)["baseline"].population
    b = from_file.run(threads=2)["baseline"].population
    assert a.shape == b.shape
    assert np.array_equal(a, b)  # bit for bit


def test_a_frame_is_refused_as_its_file_is(cg, tmp_path):
    f = toy_frames()
    f["mortality"].loc[3, "mx"] = 2.5
    with pytest.raises(ValueError) as from_frames:
        cg.scenario_from_frames(**f)
    with pytest.raises(ValueError) as from_file:
        cg.load_scenario(str(_as_files(tmp_path, f)))
    reason = "expected a death rate from 0 to 2 per person-year, got 2.5 (a rate per 1000? divide by 1000)"
    assert reason in str(from_frames.value) and reason in str(from_file.value)
