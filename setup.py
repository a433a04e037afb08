# SPDX-License-Identifier: Apache-2.0
"""setuptools driving CMake (no scikit-build-core: not in Debian 12). Metadata is in pyproject.toml.

The extension `cohortgis._cohortgis` is built by the project's own CMake build (target _cohortgis) with static
libraries, so the module needs no libcohortgis_*.so at run time; the interpreter is the one running pip (any
Python 3 with pybind11 and NumPy, not only /usr/bin/python3). The data folder and the example scenarios are copied
into the package (cohortgis/share/), where the module finds them (geodata::installed_share_dir).

Environment: COHORTGIS_PIP_BUILD_DIR (CMake build folder; default build-pip/ in the source tree, which keeps
ccache's relative paths those of build/), CMAKE_BUILD_PARALLEL_LEVEL (compile jobs), COHORTGIS_PIP_CMAKE_ARGS (more
CMake configure arguments, split as a shell would; the install test passes build/'s -DCOHORTGIS_WERROR so that every
compile command equals build/'s and ccache serves its objects).
"""
import os
import pathlib
import shlex
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = pathlib.Path(__file__).resolve().parent


class CMakeBuild(build_ext):
    def build_extension(self, ext: Extension) -> None:
        build_dir = pathlib.Path(os.environ.get("COHORTGIS_PIP_BUILD_DIR", ROOT / "build-pip")).resolve()
        configure = [
            "cmake", "-S", str(ROOT), "-B", str(build_dir), "-DCMAKE_BUILD_TYPE=Release",
            "-DCOHORTGIS_SHARED=OFF", "-DCOHORTGIS_BUILD_TESTS=OFF", "-DCOHORTGIS_BUILD_BENCH=OFF",
            "-DCOHORTGIS_BUILD_PYTHON=ON", f"-DPython3_EXECUTABLE={sys.executable}",
            # The module sits in the package folder; data/ and examples/ in its share/.
            "-DCOHORTGIS_RELATIVE_SHARE_DIR=share",
        ] + shlex.split(os.environ.get("COHORTGIS_PIP_CMAKE_ARGS", ""))
        if shutil.which("ninja"):
            configure += ["-G", "Ninja"]
        if shutil.which("ccache"):
            configure.append("-DCMAKE_CXX_COMPILER_LAUNCHER=ccache")
        subprocess.run(configure, check=True)
        jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL", str(os.cpu_count() or 1))
        subprocess.run(["cmake", "--build", str(build_dir), "--target", "_cohortgis", "-j", jobs], check=True)
        built = sorted((build_dir / "python" / "cohortgis").glob("_cohortgis*.so"))
        if not built:
            raise RuntimeError(f"CMake built no _cohortgis module in {build_dir / 'python' / 'cohortgis'}")
        target = pathlib.Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(built[-1], target)
        share = target.parent / "share"
        for src, dst in ((ROOT / "data", share / "data"), (ROOT / "scenarios" / "examples", share / "examples")):
            shutil.rmtree(dst, ignore_errors=True)
            shutil.copytree(src, dst)


setup(ext_modules=[Extension("cohortgis._cohortgis", sources=[])], cmdclass={"build_ext": CMakeBuild})
