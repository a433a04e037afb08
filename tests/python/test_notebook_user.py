# SPDX-License-Identifier: Apache-2.0
"""What a demographer in a notebook meets: names given as one str, years that are not whole, the Ensemble's name and
repr, and components_frame's numbers against the command line's components.csv."""
import pathlib
import subprocess

import pandas as pd
import pytest

from conftest import FIVE_YEAR


def test_indicators_as_one_str_is_a_type_error(default_set, default_results):
    # A str was iterated: zones_frame(indicators="population") said "indicator 'p': not one of …".
    with pytest.raises(TypeError, match=r"indicators: expected a list of indicator names, got the str 'population'"):
        default_results.zones_frame(2035, indicators="population")
    assert list(default_results.zones_frame(2035, indicators=["population"]).columns)[-1] == "population"
    with pytest.raises(TypeError, match=r"indicators: expected a list of indicator names, got the str 'tfr'"):
        default_set.run(trajectories=2, indicators="tfr")


@pytest.mark.parametrize("year", [2030.5, "2030.5", "x", True, float("inf")])
def test_a_year_that_is_not_whole_is_refused(default_results, year):
    # int(2030.5) is 2030: map(year=2030.5) drew 2030 without a word.
    with pytest.raises(ValueError, match=r"not a whole year"):
        default_results.indicator_values("population", year)
    with pytest.raises(ValueError, match=r"not a whole year"):
        default_results.pyramid("total", 2035, compare_year=year)


def test_whole_years_in_other_types_still_work(default_results):
    import numpy as np

    expected = default_results.indicator_values("population", 2030)
    for year in (2030.0, np.int64(2030), "2030"):
        assert default_results.indicator_values("population", year).equals(expected)


def test_the_ensemble_is_public_and_says_what_it_holds(cg, default_set):
    with pytest.warns(UserWarning, match="no \\[stochastic\\] section"):  # the example's scenario.toml has none
        e = default_set.run(trajectories=3, seed=1, indicators=["population", "tfr"])
    assert isinstance(e, cg.Ensemble) and "Ensemble" in cg.__all__
    assert repr(e) == ("<cohortgis.Ensemble 3 trajectories, variants baseline, higher-fertility, core-relocation, "
                       "indicators population, tfr>")


def test_components_frame_against_components_csv(cli, default_results, tmp_path):
    # components_frame's net_migration includes the moves between groups (the engine's net migrants by state):
    # components.csv's net_migration + transfer_in − transfer_out; births and deaths are its sums over age.
    out = tmp_path / "cli"
    subprocess.run([cli, "run", FIVE_YEAR, "--out", str(out), "--quiet", "--no-report", "--components",
                    "births,deaths,net_migration,transfer_in,transfer_out"], check=True)
    keys = ["variant", "period", "zone", "group", "sex"]
    c = pd.read_csv(out / "components.csv", dtype={"zone": str, "period": str}, float_precision="round_trip")
    c = c.pivot_table(index=keys, columns="component", values="persons", aggfunc="sum", sort=False).fillna(0.0)
    assert (c["transfer_in"] != 0).any()  # the case the note is about
    py = default_results.components_frame().pivot_table(index=keys, columns="component", values="persons",
                                                        sort=False)
    assert len(py) == len(c)
    c = c.loc[py.index]
    moves = c["net_migration"] + c["transfer_in"] - c["transfer_out"]
    for name, cli_value in (("births", c["births"]), ("deaths", c["deaths"]), ("net_migration", moves)):
        assert py[name].to_numpy() == pytest.approx(cli_value.to_numpy(), rel=1e-9, abs=1e-6), name


def test_a_constant_path_out_of_range_says_every_year(default_set):
    # It said "tfr: year 0: expected a value from 0.000000 to 10.000000, got -1.000000".
    s = default_set.baseline.copy()
    with pytest.raises(ValueError, match=r"^tfr, every year: expected a value from 0\.0 to 10\.0, got -1\.0$"):
        s.set_tfr(-1)
    with pytest.raises(ValueError, match=r"^srb: year 2025: expected a value from 90\.0 to 130\.0, got 1\.06 "
                                         r"\(SRB is males per 100 females: 106, not 1\.06\)$"):
        s.set_srb({2025: 1.06})


def test_a_map_with_no_value_in_any_zone_is_an_error(default_results):
    # As `cohortgis map --indicator tfr --year 2020`: the base year has no births; Python drew every zone grey.
    with pytest.raises(ValueError, match=r"map: 'tfr' has no value in any zone for baseline, 2020 \(rates of births"):
        default_results.map("tfr", 2020)
    assert default_results.map("tfr", 2025)._repr_png_()[:4] == b"\x89PNG"


def test_a_frame_without_a_needed_column_names_no_layer(cg):
    # A frame has no layer: "table 'base_population', layer '': no column 'group'" (several groups need the column).
    from toy_frames import toy_frames

    f = toy_frames()
    base = f["base_population"]
    f["base_population"] = base[base["group"] == "local"].drop(columns="group")
    with pytest.raises(ValueError, match=r"table 'base_population': no column 'group'; columns found: ") as e:
        cg.scenario_from_frames(**f)
    assert "layer" not in str(e.value)


def test_schedules_and_od_flows_have_reprs(cg, default_set):
    # Both showed <cohortgis._cohortgis.StepSchedules object at 0x…> in a notebook.
    # mortality_next: WPP's 85-89 rate of each zone, group and sex (rates to 100+ on the 85+ grid).
    assert repr(default_set.baseline.step_schedules(0)) == (
        "<cohortgis.StepSchedules death_rates, mortality 1216, mortality_next 64, asfr 576, srb 16, net_migrants 1152, "
        "transitions 1>")
    assert repr(cg.StepSchedules()) == "<cohortgis.StepSchedules death_rates>"
    assert repr(cg.OdFlow(0, 1, 0.01)) == "<cohortgis.OdFlow 0 -> 1, every group, 0.01 per year>"
    assert repr(cg.OdFlow(2, 0, 0.5, group=1)) == "<cohortgis.OdFlow 2 -> 0, group 1, 0.5 per year>"


def test_write_outputs_of_a_set_says_what_writes_it(cg, default_set, default_results, tmp_path):
    # "scenario: expected a path (str or os.PathLike), got ScenarioSet" left a notebook user without a way on. A
    # ScenarioSet is written since round 20 (test_notebook_gaps.py); one Scenario or the Results say what to pass.
    with pytest.raises(TypeError, match=r"got a Scenario; pass the ScenarioSet it belongs to"):
        cg.write_outputs(default_set.baseline, str(tmp_path / "unused"))
    with pytest.raises(TypeError, match=r"got Results; .*pass the ScenarioSet the results came from"):
        cg.write_outputs(default_results, str(tmp_path / "unused"))
    assert not (tmp_path / "unused").exists()


def test_a_pyramid_of_an_aggregate(cg, default_results, monkeypatch):
    # The command line draws charts/pyramid_aggregate_core.png; Python said "zone 'core': not a zone of the results".
    fig = default_results.pyramid("core", 2035, compare_year=2020)
    # Named by its title, as the command line's caption (首都功能核心区人口金字塔); "core" before round 24.
    assert fig.title == "首都功能核心区, baseline, 2035" and fig._repr_png_()[:4] == b"\x89PNG"
    drawn = {}
    monkeypatch.setattr(cg._plot, "pyramid", lambda stacked, outline, *a, **k: drawn.update(s=stacked, o=outline))
    default_results.pyramid("core", 2035, compare_year=2020)
    persons = sum(sum(f) + sum(m) for _, f, m in drawn["s"])
    assert persons == pytest.approx(default_results.indicator_values("population", 2035)["core"], rel=1e-12)
    _, f, m = drawn["o"][0]
    assert sum(f) + sum(m) == pytest.approx(default_results.indicator_values("population", 2020)["core"], rel=1e-12)
    with pytest.raises(ValueError, match=r"zone 'nowhere': not a zone or aggregate of the results \(110101, .*, core, "
                                         r"total\)"):
        default_results.pyramid("nowhere")


def test_transitions_and_newborn_rules_have_reprs_and_counts_agree(cg, default_set):
    # Both showed <cohortgis._cohortgis.GroupTransition object at 0x…>; a one-group scenario said "1 groups".
    assert repr(cg.GroupTransition(0, 1, [0.1] * 4)) == "<cohortgis.GroupTransition 0 -> 1, rate_per_year 4 values>"
    assert repr(cg.GroupTransition(0, 1, [0.1] * 4, [1.0, 2.0])) == (
        "<cohortgis.GroupTransition 0 -> 1, rate_per_year 4 values, zone_multiplier 2 zones>")
    assert repr(cg.NewbornRule(0, 1, 0.5)) == "<cohortgis.NewbornRule mother group 0 -> child group 1, share 0.5>"
    rule = cg.NewbornRule(0, 1, 0.5)
    rule.zone_share = [0.25]
    assert repr(rule) == "<cohortgis.NewbornRule mother group 0 -> child group 1, zone_share 1 zone>"
    tiny = cg.load_scenario(str(pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "scenarios" / "good.toml"))
    assert ": 2 zones, 1 group, 2020-2030" in repr(tiny.baseline)


def test_figure_draw_without_axes_is_a_type_error(default_results):
    fig = default_results.pyramid("total", 2035)
    with pytest.raises(TypeError, match=r"ax: expected a matplotlib Axes .*got NoneType"):
        fig.draw(None)
