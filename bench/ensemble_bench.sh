#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Ensemble throughput (bench/README.md "Probabilistic projections"): trajectories per second of `cohortgis run
# --trajectories N` on the W3k workload over 10 years (ten one-year steps), at 1 and 2 threads in one process and at
# 1, 2 and 4 MPI ranks of one thread each (oversubscribed on a 2-core machine: labelled so), the efficiency against one
# rank and the bytes each trajectory sends to rank 0. Reads the line run_ensembles prints
# ("ensemble of N trajectories in S s (R trajectories per second); B bytes per trajectory to rank 0, K rank(s)").
#
# usage: [ONLY=threads|mpi] bench/ensemble_bench.sh BUILD_DIR [TRAJECTORIES=16] [ZONES=3000]
# BUILD_DIR needs bench_tool and a cohortgis built with -DCOHORTGIS_MPI=ON for the MPI rows (skipped otherwise).
set -euo pipefail
build=$(cd "${1:?usage: ensemble_bench.sh BUILD_DIR [TRAJECTORIES] [ZONES]}" && pwd)
n=${2:-16}
zones=${3:-3000}
work=$(mktemp -d "${TMPDIR:-/tmp}/cohortgis_ensemble_bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$build/bench/bench_tool" scenario --zones "$zones" --steps 10 --out "$work/w" >/dev/null
# Deviations of every kind (the cost of a trajectory does not depend on their size).
cat >>"$work/w/scenario.toml" <<'TOML'

[stochastic]
seed = 1
tfr = { sd = 0.1, ar1 = 0.9 }
lee_carter = { k_sd = 1.0 }
migration = { sd = 0.1, correlation = 0.5 }
TOML
cli="$build/cli/cohortgis"
echo "# W${zones} zones, 10 years, N = $n trajectories; $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| setting | trajectories per second | efficiency vs 1 rank | bytes per trajectory to rank 0 |"
echo "|---|---|---|---|"
rate() {  # the rate and bytes of the last ensemble line in $1
  sed -n 's/.*(\([0-9.]*\) trajectories per second); \([0-9]*\) bytes per trajectory.*/\1 \2/p' "$1" | tail -1
}
one_rank=""
run_case() {  # label, command…
  local label=$1
  shift
  rm -rf "$work/out"
  "$@" >"$work/log" 2>&1 || { echo "| $label | failed: $(tail -1 "$work/log") | | |"; return; }
  read -r r b < <(rate "$work/log")
  local eff=""
  if [[ $label == "MPI 1 rank"* ]]; then one_rank=$r; fi
  if [[ -n $one_rank && $label == MPI* ]]; then eff=$(awk -v r="$r" -v o="$one_rank" -v k="${label//[^0-9]/}" \
    'BEGIN { printf "%.2f", r / (o * substr(k, 1, 1)) }'); fi
  echo "| $label | $r | $eff | $b |"
}
for t in 1 2; do
  [[ ${ONLY:-} == mpi ]] && break
  run_case "1 process, $t thread(s)" "$cli" run "$work/w/scenario.toml" --out "$work/out" --no-report \
    --trajectories "$n" --threads "$t"
done
# grep -c reads to the end (grep -q would close the pipe early: a SIGPIPE failure under pipefail).
if [[ ${ONLY:-} != threads ]] && command -v mpirun >/dev/null && ldd "$cli" | grep -c libmpi >/dev/null; then
  for k in 1 2 4; do
    run_case "MPI $k rank(s), 1 thread each$([[ $k -gt $(nproc) ]] && echo ', oversubscribed')" \
      mpirun --allow-run-as-root --oversubscribe -np "$k" "$cli" run "$work/w/scenario.toml" --out "$work/out" \
      --no-report --trajectories "$n" --threads 1
  done
else
  echo "(no MPI rows: $cli was built without -DCOHORTGIS_MPI=ON, or mpirun is missing)"
fi
