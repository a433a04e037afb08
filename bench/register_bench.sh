#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Times `[base_population] records` on a synthetic register of N persons (bench/make_register.py): the register is
# aggregated by `cohortgis validate` (load only, no projection), on 2 cores (taskset), with peak memory from
# /usr/bin/time. Usage: bench/register_bench.sh BUILD_DIR [PERSONS] [WORK_DIR]
set -euo pipefail
BUILD=${1:?build folder}
PERSONS=${2:-20000000}
WORK=${3:-/tmp/cohortgis_register_bench}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$WORK"
REG="$WORK/register_$PERSONS.csv"
[ -f "$REG" ] || /usr/bin/python3 "$ROOT/bench/make_register.py" --persons "$PERSONS" --zones 16 --out "$REG"
zones=""
for z in $(seq 0 15); do zones+="{ id = \"Z$(printf %04d "$z")\" }, "; done
cat > "$WORK/scenario.toml" <<TOML
[scenario]
name = "register-bench"
[geography]
zones = [ ${zones%, } ]
[projection]
base_year = 2020
horizon = 2025
step = 5
open_age = 85
groups = ["registered", "floating"]
[base_population]
records = { path = "$(basename "$REG")", columns = { id = "person_id", birth_date = "birth_date", sex = "sex", zone = "zone", group = "hukou", children = "children_ever_born" } }
[fertility]
schedule = { path = "data:wpp/fertility_asfr_5y_2010_2020.csv", filter = { iso3 = "CHN", period_start = 2015 }, columns = { year = "period_start", age = "age_start", value = "pasfr_percent" } }
tfr = 1.0
srb = 112.3
[mortality]
mx = { path = "data:wpp/mortality_mx_abridged_2010_2020.csv", filter = { iso3 = "CHN", period_start = 2015 }, columns = { year = "period_start", age = "age_start", sex = "sex", value = "mx" } }
TOML
echo "register: $REG ($(du -h "$REG" | cut -f1))"
COHORTGIS_DATA_DIR="$ROOT/data" /usr/bin/time -f "wall %e s, user %U s, sys %S s, peak RSS %M KiB" \
  taskset -c 0,1 "$BUILD/cli/cohortgis" validate "$WORK/scenario.toml"
