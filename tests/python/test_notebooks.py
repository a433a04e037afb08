# SPDX-License-Identifier: Apache-2.0
"""Executes the example notebooks (python/examples) with nbclient and Debian's ipykernel, so they cannot rot."""
import os
import pathlib
import time

import pytest

EXAMPLES = pathlib.Path(os.environ.get("COHORTGIS_EXAMPLES", pathlib.Path(__file__).resolve().parents[2] / "python" / "examples"))
NOTEBOOKS = sorted(EXAMPLES.glob("*.ipynb"))


def test_there_are_notebooks():
    assert [p.name for p in NOTEBOOKS] == ["built_in_python.ipynb", "default_scenario.ipynb"]


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, tmp_path, cg):
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    # The kernel (kernel.json "python3": /usr/bin/python3 -m ipykernel_launcher) inherits this environment: the
    # build tree's package goes first on its PYTHONPATH.
    package_dir = str(pathlib.Path(cg.__file__).resolve().parents[1])
    os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"  # ipykernel 6 + Python 3.11: a debugger notice, not a problem
    os.environ["PYTHONPATH"] = os.pathsep.join([package_dir] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])
    t0 = time.monotonic()
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    seconds = time.monotonic() - t0
    print(f"{path.name}: executed in {seconds:.1f} s")
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    # Maps and pyramids came back as inline images.
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 3, [o.get("data", {}).keys() for o in outputs]
    assert all("image/svg+xml" in o["data"] for o in images)
