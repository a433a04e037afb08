# SPDX-License-Identifier: Apache-2.0
# pytest set-up for the Python bindings. ctest (python/CMakeLists.txt) runs this with Debian's /usr/bin/python3 and
# PYTHONPATH=build/python; COHORTGIS_CLI names the command-line binary of the same build.
import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def pytest_configure(config):
    config.addinivalue_line("markers", "notebook: executes a notebook of python/examples with nbclient")


@pytest.fixture(scope="session")
def cg():
    import cohortgis

    return cohortgis


@pytest.fixture(scope="session")
def default_set(cg):
    return cg.load_scenario("default")


@pytest.fixture(scope="session")
def default_results(default_set):
    return default_set.run(threads=2)


@pytest.fixture(scope="session")
def cli():
    path = os.environ.get("COHORTGIS_CLI")
    if not path or not os.path.exists(path):
        pytest.skip("COHORTGIS_CLI (the cohortgis binary) not set; ctest sets it")
    return path


@pytest.fixture()
def toy(cg):
    """A small scenario built from pandas objects (4 zones, 2 groups, five-year steps): see toy_frames.py."""
    from toy_frames import toy_frames

    return cg.scenario_from_frames(**toy_frames())
