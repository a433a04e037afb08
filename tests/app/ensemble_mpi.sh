#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# MPI ensembles: `mpirun -np 3 cohortgis run … --trajectories N` gives the same quantiles.csv and targets.csv, byte for
# byte, as one process; a bad input on every rank still exits 1. Usage: ensemble_mpi.sh COHORTGIS FIXTURES
set -euo pipefail
exe=$1
fixtures=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
scenario=$fixtures/scenarios/stochastic.toml
mpirun=(mpirun --allow-run-as-root --oversubscribe -np 3)
"$exe" run "$scenario" --out "$work/one" --trajectories 50 --seed 11 --no-report -q -j 1
"${mpirun[@]}" "$exe" run "$scenario" --out "$work/three" --trajectories 50 --seed 11 --no-report -q -j 2
for f in quantiles.csv probabilities.csv targets.csv indicators.csv; do
  cmp "$work/one/$f" "$work/three/$f" || { echo "FAIL: $f differs between 1 process and 3 ranks"; exit 1; }
done
# Only rank 0 writes: the folder holds exactly the files its manifest lists (no second folder, no stray files).
n=$(ls "$work" | wc -l)
[ "$n" -eq 2 ] || { echo "FAIL: $n entries in $work (expected one and three)"; ls -la "$work"; exit 1; }
# Bad input under mpirun: every rank stops, exit status non-zero, nothing written.
if "${mpirun[@]}" "$exe" run "$scenario" --out "$work/bad" --trajectories 0 -q 2> "$work/err.txt"; then
  echo "FAIL: --trajectories 0 under mpirun succeeded"; exit 1
fi
grep -q -- "--trajectories 0: expected a number of trajectories from 1 to" "$work/err.txt" || { echo "FAIL: message"; cat "$work/err.txt"; exit 1; }
[ ! -e "$work/bad" ] || { echo "FAIL: $work/bad written"; exit 1; }
echo "mpi ensemble checked: 1 process and 3 ranks give the same bytes"
