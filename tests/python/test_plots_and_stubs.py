# SPDX-License-Identifier: Apache-2.0
"""Plots through geodata's renderers, and the type stubs of the compiled module."""
import ast
import pathlib
import re

import pytest


def test_map_displays_inline(default_results, tmp_path):
    fig = default_results.map("population", 2035, variant="higher-fertility", minus="baseline")
    assert fig._repr_png_()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in fig._repr_svg_()[:400]
    assert len(fig.breaks) >= 2
    assert fig.save(str(tmp_path / "map.pdf")).endswith(".pdf")
    assert (tmp_path / "map.pdf").read_bytes()[:4] == b"%PDF"
    with pytest.raises(ValueError):
        fig.save(str(tmp_path / "map.gif"))


def test_pyramid_and_lines(default_results):
    assert default_results.pyramid("110105", 2035, compare_year=2020)._repr_png_()[:4] == b"\x89PNG"
    assert default_results.pyramid()._repr_png_()[:4] == b"\x89PNG"
    assert "<svg" in default_results.lines("tfr")._repr_svg_()[:400]
    with pytest.raises(ValueError, match="not a zone"):
        default_results.pyramid("nowhere")._repr_png_()


def test_map_classes_and_lines_zone_are_checked(toy):
    res = toy.run()
    # 1 or 50 classes were drawn without a word (the command line's --n-classes takes 2 to 9: the palettes' colours).
    for classes in (1, 10, 50):
        with pytest.raises(ValueError, match=f"classes: {classes} is out of range; expected an int from 2 to 9"):
            res.map("population", classes=classes)
    with pytest.raises(TypeError, match=r"classes: 5\.0 \(float\) is not an int; expected an int from 2 to 9"):
        res.map("population", classes=5.0)
    # An unknown zone was a bare KeyError from pandas.
    with pytest.raises(ValueError, match="zone 'nowhere': not a zone or aggregate of the results"):
        res.lines("population", zone="nowhere")


def test_map_of_a_python_scenario(toy):
    res = toy.run()
    fig = res.map("share_65_plus_percent", 2040)
    assert fig._repr_png_()[:4] == b"\x89PNG"


def test_stubs_match_the_module(cg):
    stub = pathlib.Path(cg.__file__).with_name("_cohortgis.pyi")
    tree = ast.parse(stub.read_text(encoding="utf-8"))
    declared = {n.name for n in tree.body if isinstance(n, (ast.ClassDef, ast.FunctionDef))}
    declared |= {t.id for n in tree.body if isinstance(n, ast.AnnAssign) for t in [n.target]}
    public = {n for n in dir(cg._cohortgis) if not n.startswith("_")} | {"__version__"}
    assert public == declared - {"_PathLike"}
    # Every public member of every class is in its stub.
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        members = {n.name for n in node.body if isinstance(n, ast.FunctionDef)}
        members |= {n.target.id for n in node.body if isinstance(n, ast.AnnAssign)}
        cls = getattr(cg._cohortgis, node.name)
        actual = {n for n in dir(cls) if not n.startswith("__")} - {"_pybind11_conduit_v1_"}
        assert actual - members == set(), node.name
        assert {m for m in members if not m.startswith("__")} - actual == set(), node.name


def _bound_parameters(obj):
    """The parameter names of each overload in a pybind11 docstring: 'name(a: int, b: str = ...) -> T' lines."""
    out = []
    for line in (obj.__doc__ or "").splitlines():
        m = re.match(r"^(?:\d+\. )?\w+\((.*)\) ->", line.strip())
        if not m:
            continue
        names, depth, part = [], 0, ""
        for ch in m.group(1) + ",":
            depth += (ch in "[(") - (ch in "])")
            if ch == "," and depth == 0:
                if part.strip():
                    names.append(part.split(":")[0].split("=")[0].strip())
                part = ""
            else:
                part += ch
        out.append(names)
    return out


def test_stub_parameters_are_the_bindings(cg):
    # app_run's stub lacked indicators_csv: a call type-checked against the stub was refused.
    tree = ast.parse(pathlib.Path(cg.__file__).with_name("_cohortgis.pyi").read_text(encoding="utf-8"))

    def declared(fn):
        return [a.arg for a in fn.args.posonlyargs + fn.args.args + fn.args.kwonlyargs]

    checked = 0
    for node in tree.body:
        owner, fns = cg._cohortgis, [node]
        if isinstance(node, ast.ClassDef):
            owner, fns = getattr(cg._cohortgis, node.name), node.body
        for fn in fns:
            properties = [d for d in getattr(fn, "decorator_list", []) if getattr(d, "id", "") == "property"]
            if not isinstance(fn, ast.FunctionDef) or properties:
                continue
            bound = _bound_parameters(getattr(owner, fn.name))
            if bound:  # the package's own Python methods (set_tfr …) have no pybind11 signature
                assert declared(fn) in bound, (getattr(owner, "__name__", ""), fn.name, declared(fn), bound)
                checked += 1
    assert checked > 20


def test_public_api_has_docstrings(cg):
    for name in cg.__all__:
        obj = getattr(cg, name)
        if callable(obj):
            assert obj.__doc__, name
    # Every public method and property of the package's own classes (help() showed Ensemble.trajectories,
    # Results.variants and ScenarioSet.baseline without a word).
    for cls in (cg.ScenarioSet, cg.Results, cg.Ensemble, cg.Figure):
        for member, value in vars(cls).items():
            if not member.startswith("_") and (callable(value) or isinstance(value, property)):
                assert value.__doc__, f"{cls.__name__}.{member}"
