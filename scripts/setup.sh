#!/usr/bin/env bash
# Installs every Debian 12 package cohortgis needs and builds it (Release) into build/.
# Usage: scripts/setup.sh            (as root, or a user with sudo)
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential cmake ninja-build pkg-config
  libeigen3-dev libtbb-dev libboost-program-options-dev
  libboost-dev  # Boost's headers: the engine's Boost.Graph (header-only: no libboost-graph-dev), the app's Boost::headers
  libgdal-dev gdal-bin libproj-dev proj-bin
  libtomlplusplus-dev
  libcairo2-dev libpango1.0-dev libpng-dev fonts-noto-cjk
  python3-numpy python3-dev pybind11-dev python3-pandas python3-geopandas python3-pytest
  python3-nbclient python3-ipykernel python3-nbformat
  chromium
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  clang-14 libclang-rt-14-dev
  libnetcdf-dev libhdf5-dev python3-xarray python3-netcdf4
  libssl-dev libicu-dev
  locales  # localedef and de_DE: ReportTest.FilesAreTheSameUnderADecimalCommaLocale (a decimal-comma host)
  librandom123-dev libopenmpi-dev openmpi-bin
  libxlsxwriter-dev poppler-utils python3-matplotlib
  python3-setuptools python3-wheel python3-venv python3-pip
  util-linux  # prlimit and setpriv: cli_command_line_round24 (Essential in Debian, listed so the need is written down)
  ccache
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# ccache: the pip-install test (tests/install/pip.sh) compiles the same sources again and takes build/'s objects.
# Paths are hashed relative to the source root (base_dir), wherever the checkout is, as pip.sh's copy hashes them.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DCOHORTGIS_MPI=ON -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
  ${COHORTGIS_CMAKE_ARGS:-}
cmake --build build --parallel
echo "setup: built build/cli/cohortgis"
