#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# MPI ensembles: `mpirun -np 3 cohortgis run … --trajectories N` gives the same quantiles.csv and targets.csv, byte for
# byte, as one process; a bad input on every rank still exits 1, said once, without MPI_ABORT's banner. Usage:
# ensemble_mpi.sh COHORTGIS FIXTURES
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
# …said once (by rank 0), every rank ending cleanly: no MPI_ABORT banner, no "interrupted by SIGTERM" from ranks that
# mpirun killed after another's abort (planner audit, round 21: three messages and a banner for one typo).
said=$(grep -c "cohortgis: error:" "$work/err.txt" || true)
[ "$said" -eq 1 ] || { echo "FAIL: the error said $said times (rank 0 says it once)"; cat "$work/err.txt"; exit 1; }
! grep -q -e "MPI_ABORT" -e "interrupted" "$work/err.txt" || { echo "FAIL: abort banner"; cat "$work/err.txt"; exit 1; }
[ ! -e "$work/bad" ] || { echo "FAIL: $work/bad written"; exit 1; }
# SIGTERM to every rank (as a batch scheduler's cancel sends it; mpirun forwards SIGINT and SIGTERM the same way):
# every rank stops as one process does, exit status 143 (not the 1 of an error), nothing written, nothing left.
"${mpirun[@]}" "$exe" run "$scenario" --out "$work/sig" --trajectories 300000 --seed 11 --no-report -q -j 1 \
  2> "$work/sig.txt" &
pid=$!
for _ in $(seq 100); do compgen -G "$work/sig.tmp-*" > /dev/null && break; sleep 0.1; done
sleep 0.5
ranks=$(pgrep -P "$pid")
[ -n "$ranks" ] || { echo "FAIL: no ranks found under mpirun"; exit 1; }
kill -TERM $ranks
rc=0
wait "$pid" || rc=$?
[ "$rc" -eq 143 ] || { echo "FAIL: SIGTERM to the ranks: exit $rc (expected 143)"; cat "$work/sig.txt"; exit 1; }
! grep -q "error:" "$work/sig.txt" || { echo "FAIL: a signal reported as an error"; cat "$work/sig.txt"; exit 1; }
said=$(grep -c "interrupted by SIGTERM" "$work/sig.txt" || true)
[ "$said" -le 1 ] || { echo "FAIL: 'interrupted' said $said times (rank 0 says it once)"; cat "$work/sig.txt"; exit 1; }
! compgen -G "$work/sig*" | grep -v 'sig.txt$' || { echo "FAIL: output left after SIGTERM"; ls -la "$work"; exit 1; }
echo "mpi ensemble checked: 1 process and 3 ranks give the same bytes"
