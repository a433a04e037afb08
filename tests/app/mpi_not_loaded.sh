#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A plain run (no MPI launcher) loads none of Open MPI's libraries: MPI lives in libcohortgis_mpi.so, which the
# command loads only under mpirun (cli/mpi_comm.hpp; issue #16: their pages counted in every run's RSS). The
# dynamic loader's own list (LD_DEBUG=files) of every library the process loads, on a run that projects and writes.
# Usage: mpi_not_loaded.sh COHORTGIS SCENARIO
set -euo pipefail
exe=$1
scenario=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
LD_DEBUG=files LD_DEBUG_OUTPUT="$work/ld" "$exe" run "$scenario" --out "$work/out" --no-report -q
loaded=$(cat "$work"/ld.* | grep -o 'file=[^ ]*' | sort -u)
[ -n "$loaded" ] || { echo "FAIL: LD_DEBUG listed no libraries"; exit 1; }
if grep -E 'file=lib(mpi|open-pal|open-rte|hwloc|cohortgis_mpi)' <<< "$loaded"; then
  echo "FAIL: a run without an MPI launcher loaded the libraries above"; exit 1
fi
echo "mpi not loaded: $(wc -l <<< "$loaded") libraries, none of MPI's"
