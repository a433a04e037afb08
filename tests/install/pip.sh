#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# `pip install --no-build-isolation .` into a fresh virtual environment (Debian's python3 -m venv
# --system-site-packages): builds the module with setup.py + CMake from a copy of the sources, deletes the copy, then
# imports the installed package from outside any source tree and runs the default scenario. The result must equal
# that of the build tree's module (BUILD_DIR/python), bit for bit.
# Usage: pip.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$(cd "$1" && pwd) build=$(cd "$2" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/cohortgis_pip.XXXXXX")
trap 'rm -rf "$work"' EXIT
unset COHORTGIS_DATA_DIR COHORTGIS_EXAMPLES_DIR PYTHONPATH
fail() { echo "pip.sh: FAIL: $*" >&2; exit 1; }
start=$(date +%s)

# The sources as committed (plus new files not ignored), without build folders. The list goes to one tar on its
# standard input: through xargs, a list past 128 KiB (2,580 files in round 28) became two archives end to end, and
# the reading tar stopped at the first one's end.
mkdir "$work/src"
(cd "$src" && git ls-files -z --cached --others --exclude-standard | tar --null --files-from=- -cf -) |
  tar -xf - -C "$work/src"
/usr/bin/python3 -m venv --system-site-packages "$work/venv"
export CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-2}
# ccache: paths inside the copy are hashed relative to the build folder, as build/'s are (base_dir), so the objects
# of the project's own build are reused.
export CCACHE_BASEDIR="$work/src"
# and with build/'s flags where setup.py's differ (-Werror in CI): the same compile commands, so the same ccache keys
# (without this the pip build recompiled every file: 292 of the test's 293 s in CI).
werror=$(sed -n 's/^COHORTGIS_WERROR:BOOL=//p' "$build/CMakeCache.txt")
export COHORTGIS_PIP_CMAKE_ARGS="-DCOHORTGIS_WERROR=${werror:-OFF}"
export CCACHE_STATSLOG="$work/ccache-stats.log"
(cd "$work" && "$work/venv/bin/pip" install --no-build-isolation --no-deps --no-index -q "$work/src") \
  >"$work/pip.log" 2>&1 || { grep -B2 -A8 -E "error|FAILED" "$work/pip.log" | head -60; fail "pip install"; }
rm -rf "$work/src"
echo "pip.sh: built and installed in $(( $(date +%s) - start )) s"
# How many compiles ccache served (its log of this build's compiles only).
[ -s "$CCACHE_STATSLOG" ] && ccache --show-log-stats 2>/dev/null | grep -E "^ *(Hits|Misses)" | sed 's/^ */pip.sh: ccache /' || true


cat >"$work/use.py" <<'PY'
import sys
import cohortgis as cg
if len(sys.argv) > 1:
    assert cg.__file__.startswith(sys.argv[1]), cg.__file__
s = cg.load_scenario("default")
r = s.run(threads=2)
pop = r.population("baseline")
print(s.baseline.name, pop.shape, repr(float(pop[-1].sum())), repr(float(r.population("core-relocation")[-1].sum())))
PY
cd "$work"
installed=$("$work/venv/bin/python" "$work/use.py" "$work/venv/lib/") || fail "the installed package does not run"
built=$(PYTHONPATH="$build/python" /usr/bin/python3 "$work/use.py") || fail "the build tree's module does not run"
echo "installed: $installed"
[ "$installed" = "$built" ] || fail "installed '$installed' != build tree '$built'"
# Self-contained: the module links the libraries statically and carries the data and examples.
so=$(ls "$work"/venv/lib/python3*/site-packages/cohortgis/_cohortgis*.so)
! ldd "$so" | grep -q libcohortgis || fail "the module needs libcohortgis_*.so: $(ldd "$so" | grep libcohortgis)"
[ -f "$(dirname "$so")/share/examples/beijing-2020/scenario.toml" ] || fail "examples not in the package"
echo "pip.sh: OK"
