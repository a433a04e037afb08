# SPDX-License-Identifier: Apache-2.0
# pytest set-up for the Python bindings. ctest (python/CMakeLists.txt) runs this with Debian's /usr/bin/python3 and
# PYTHONPATH=build/python; COHORTGIS_CLI names the command-line binary of the same build.
import os
import pathlib
import threading

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
# The five-year Beijing scenario (the default before issue #19): the binding tests' fixture, three steps keep them
# fast; the default itself (annual, monitored) is tested in tests/app/test_default_review.cpp.
FIVE_YEAR = str(ROOT / "scenarios" / "examples" / "beijing-2020-five-year" / "scenario.toml")


def pytest_configure(config):
    config.addinivalue_line("markers", "notebook: executes a notebook of python/examples with nbclient")


@pytest.fixture(scope="session")
def cg():
    import cohortgis

    return cohortgis


@pytest.fixture(scope="session")
def default_set(cg):
    return cg.load_scenario(FIVE_YEAR)


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


@pytest.fixture
def in_threads():
    """in_threads(work, n): calls work(k) for k = 0 … n-1, each on a thread of its own, all at once, and fails the
    test with every exception they raised."""
    def run(work, n):
        errors = []

        def one(k):
            try:
                work(k)
            except BaseException as e:  # noqa: B036 (reported below)
                errors.append(e)

        threads = [threading.Thread(target=one, args=(k,)) for k in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors
    return run
