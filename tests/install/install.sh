#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# cohortgis as a library others use: installs the build into a temporary prefix, then
#  1. builds a CMake project outside the tree with find_package(cohortgis) (cohortgis::app) and runs it;
#  2. builds the same program with pkg-config (cohortgis.pc) and runs it;
#  3. runs the installed `cohortgis` command, which must find the installed data and examples;
#  4. makes the Debian package with CPack and checks its contents and dependencies.
# Both programs print the baseline's 2035 population, which must equal indicators.csv of the installed command.
# Usage: install.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/cohortgis_install.XXXXXX")
trap 'rm -rf "$work"' EXIT
unset COHORTGIS_DATA_DIR COHORTGIS_EXAMPLES_DIR
prefix=$work/prefix
fail() { echo "install.sh: FAIL: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$prefix" >"$work/install.log" || { cat "$work/install.log"; fail "cmake --install"; }
libdir=$(dirname "$(find "$prefix" -name 'libcohortgis_engine.so*' -type f | head -1)")
[ -d "$libdir" ] || fail "no libcohortgis_engine.so installed"
# Versioned shared libraries: real file .so.X.Y.Z, soname .so.X.Y, development link .so.
soname=$(objdump -p "$libdir"/libcohortgis_engine.so | awk '/SONAME/ {print $2}')
[[ $soname =~ ^libcohortgis_engine\.so\.[0-9]+\.[0-9]+$ ]] || fail "soname '$soname'"
[ -e "$libdir/$soname" ] || fail "$soname not installed"
for f in include/cohortgis/engine/projection.hpp include/cohortgis/app/project.hpp share/cohortgis/data/census \
         share/cohortgis/examples/beijing-2020/scenario.toml bin/cohortgis; do
  [ -e "$prefix/$f" ] || fail "$f not installed"
done

# 1. CMake: find_package(cohortgis).
mkdir -p "$work/consumer"
cp "$src/tests/install/consumer.cpp" "$work/consumer/"
cp "$src/tests/install/CMakeLists.txt.in" "$work/consumer/CMakeLists.txt"
cmake -S "$work/consumer" -B "$work/consumer/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix" >"$work/consumer.log" 2>&1 || { cat "$work/consumer.log"; fail "consumer configure"; }
cmake --build "$work/consumer/build" >>"$work/consumer.log" 2>&1 || { cat "$work/consumer.log"; fail "consumer build"; }
out_cmake=$("$work/consumer/build/consumer")
echo "$out_cmake"

# 2. pkg-config.
export PKG_CONFIG_PATH="$libdir/pkgconfig"
pkg-config --exists cohortgis || fail "pkg-config does not find cohortgis.pc"
[ "$(pkg-config --modversion cohortgis)" = "$(grep -o 'project(cohortgis VERSION [0-9.]*' "$src/CMakeLists.txt" | cut -d' ' -f3)" ] ||
  fail "cohortgis.pc version"
# shellcheck disable=SC2046
g++ -std=c++20 -O1 "$src/tests/install/consumer.cpp" -o "$work/consumer_pc" $(pkg-config --cflags --libs cohortgis) \
  -Wl,-rpath,"$libdir" || fail "pkg-config build"
out_pc=$("$work/consumer_pc")
[ "$out_pc" = "$out_cmake" ] || fail "pkg-config program printed '$out_pc', the CMake one '$out_cmake'"

# Both found the installed examples and data (not the source tree's).
grep -qx "scenario $prefix/share/cohortgis/examples/beijing-2020/scenario.toml" <<<"$out_cmake" ||
  fail "the consumer did not use the installed examples"
grep -qx "data $prefix/share/cohortgis/data" <<<"$out_cmake" || fail "the consumer did not use the installed data"

# 3. The installed command on the installed data; its 2035 total equals the consumer's.
"$prefix/bin/cohortgis" run default --out "$work/results" --no-report -q -j 2
grep -q "\"data_dir\": \"$prefix/share/cohortgis/data\"" "$work/results/manifest.json" ||
  fail "the installed command did not use the installed data folder"
csv=$(awk -F, '$1=="baseline" && $2=="2035" && $3=="total" && $4=="all" && $5=="population" {print $6}' \
  "$work/results/indicators.csv")
mine=$(tail -1 <<<"$out_cmake" | cut -d' ' -f2)
/usr/bin/python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); sys.exit(abs(a - b) > 1e-6 * b)" \
  "$csv" "$mine" || fail "2035 total: indicators.csv $csv, consumer $mine"
[ "$(tail -1 <<<"$out_cmake" | cut -d' ' -f1)" = 2035 ] || fail "last year"
# …and its report's maps and charts: the installed geodata library finds its drawing module in <libdir>/cohortgis.
[ -e "$libdir/cohortgis/libcohortgis_draw.so" ] || fail "the drawing module is not installed"
"$prefix/bin/cohortgis" run default --out "$work/drawn" -q -j 2 || fail "the installed command could not draw its report"
[ -n "$(find "$work/drawn" -name '*.png' | head -1)" ] || fail "the installed command's report has no PNG"

# 4. The Debian package.
(cd "$work" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/deb" >"$work/cpack.log" 2>&1) ||
  { cat "$work/cpack.log"; fail "cpack"; }
deb=$(ls "$work"/deb/cohortgis_*.deb)
dpkg-deb -c "$deb" >"$work/deb.list"
for f in ./usr/bin/cohortgis "/$soname" /cohortgis/libcohortgis_draw.so ./usr/share/cohortgis/data/ ./usr/share/cohortgis/examples/beijing-2020/scenario.toml \
         ./usr/include/cohortgis/app/project.hpp /cmake/cohortgis/cohortgisConfig.cmake /pkgconfig/cohortgis.pc; do
  grep -q -- "$f" "$work/deb.list" || fail "$f not in $(basename "$deb")"
done
depends=$(dpkg-deb -f "$deb" Depends)
grep -q libgdal <<<"$depends" || fail "Depends '$depends' lacks libgdal"
echo "install.sh: OK ($(basename "$deb"): Depends $depends)"
