#!/usr/bin/env bash
# Zones and tables from a real PostgreSQL/PostGIS server (issue #18), allowed with --allow-db SERVICE. The script
# installs Debian's postgresql + postgis (apt-get, not scripts/setup.sh), starts a throw-away server as the
# unprivileged user `postgres` (runuser) on a Unix socket in a temporary folder, loads the Beijing districts and the
# 2020 census table with ogr2ogr, writes a pg_service file, and runs beijing-2020 with its zones, zone table and base
# population read from the database. Exit 77 (ctest: skipped) with a message where no server can be started.
# Usage: postgis.sh COHORTGIS_EXE DATA_DIR EXAMPLES_DIR
set -uo pipefail
EXE=$1
export COHORTGIS_DATA_DIR=$2
EXAMPLES=$3
skip() { echo "SKIPPED: $* (no PostgreSQL/PostGIS server could be started here)"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
have_postgis() { [ -n "$PGBIN" ] && ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1; }
if ! have_postgis; then
  [ "$(id -u)" = 0 ] || skip "postgresql/postgis are not installed and installing them needs root"
  export DEBIAN_FRONTEND=noninteractive
  apt_install() {
    apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "$@" >>/tmp/cohortgis_postgis_apt.log 2>&1 ||
      skip "apt-get install $* failed (see /tmp/cohortgis_postgis_apt.log)"
  }
  apt_install postgresql postgis
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  # The extension itself is in postgresql-MAJOR-postgis-3 (Debian 12: 15).
  [ -n "$PGBIN" ] && apt_install "postgresql-$(basename "$(dirname "$PGBIN")")-postgis-3"
  have_postgis || skip "postgis is not installed after apt-get"
fi
command -v ogr2ogr >/dev/null || skip "ogr2ogr (gdal-bin) is missing"
id postgres >/dev/null 2>&1 || skip "no user 'postgres' to run the server as"

WORK=$(mktemp -d)
chmod 755 "$WORK"
DB="$WORK/db"
mkdir "$DB" && chown postgres "$DB" || skip "cannot give the server folder to user postgres"
as_pg() { if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi; }
cleanup() {
  as_pg "$PGBIN/pg_ctl" -D "$DB/data" -m immediate stop >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT

PORT=$((20000 + RANDOM % 20000))
as_pg "$PGBIN/initdb" -D "$DB/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$WORK/initdb.log" 2>&1 ||
  skip "initdb failed: $(tail -3 "$WORK/initdb.log")"
as_pg "$PGBIN/pg_ctl" -D "$DB/data" -l "$DB/server.log" -w -t 60 \
  -o "-k $DB -p $PORT -c listen_addresses=''" start >/dev/null 2>&1 ||
  skip "the server did not start: $(tail -3 "$DB/server.log" 2>/dev/null)"
"$PGBIN/psql" -h "$DB" -p "$PORT" -U postgres -qAt -c "CREATE DATABASE gis" postgres >/dev/null ||
  fail "CREATE DATABASE"
"$PGBIN/psql" -h "$DB" -p "$PORT" -U postgres -qAt -c "CREATE EXTENSION postgis" gis >/dev/null ||
  skip "CREATE EXTENSION postgis failed"
echo "ok: PostgreSQL $("$PGBIN/psql" -h "$DB" -p "$PORT" -U postgres -qAt -c 'SHOW server_version' gis), PostGIS \
$("$PGBIN/psql" -h "$DB" -p "$PORT" -U postgres -qAt -c 'SELECT postgis_lib_version()' gis) on $DB:$PORT"

# The scenario names only the service; where the server is, and as whom, is the user's pg_service file.
export PGSERVICEFILE="$WORK/pg_service.conf"
printf '[cohortgis_test]\nhost=%s\nport=%s\ndbname=gis\nuser=postgres\n' "$DB" "$PORT" >"$PGSERVICEFILE"
ogr2ogr -f PostgreSQL PG:service=cohortgis_test "$COHORTGIS_DATA_DIR/geo/beijing_districts.gpkg" beijing_districts \
  -nln beijing_districts -lco GEOMETRY_NAME=geom || fail "ogr2ogr: loading the districts"
ogr2ogr -f PostgreSQL PG:service=cohortgis_test "$COHORTGIS_DATA_DIR/census/census2020_districts.csv" \
  -nln census2020_districts -oo AUTODETECT_TYPE=NO || fail "ogr2ogr: loading the census table"

cp -r "$EXAMPLES/beijing-2020" "$WORK/scenario"
S="$WORK/scenario/scenario.toml"
sed -i -e 's|path = "data:geo/beijing_districts.gpkg"|path = "db:cohortgis_test", layer = "beijing_districts"|' \
  -e 's|, layer = "beijing_districts", layer = "beijing_districts"|, layer = "beijing_districts"|' \
  -e 's|^table = "data:census/census2020_districts.csv"|table = { path = "PG:service=cohortgis_test", layer = "census2020_districts" }|' "$S"
[ "$(grep -c 'cohortgis_test' "$S")" = 3 ] || fail "the scenario edit did not take: $(grep -n 'db:\|PG:' "$S")"

# Without --allow-db: refused, naming the source and the option.
"$EXE" validate "$S" >"$WORK/out" 2>&1 && fail "a database source was read without --allow-db"
grep -q "the database service 'cohortgis_test' is not allowed.*--allow-db cohortgis_test" "$WORK/out" ||
  fail "unexpected refusal: $(cat "$WORK/out")"
echo "ok: refused without --allow-db"

# With maps and report: results.gpkg and the maps are drawn from the database's zones.
"$EXE" run "$S" --allow-db cohortgis_test --out "$WORK/db_run" --quiet >"$WORK/out" 2>&1 ||
  fail "run with --allow-db: $(cat "$WORK/out")"
"$EXE" run "$EXAMPLES/beijing-2020/scenario.toml" --out "$WORK/file_run" --quiet --no-report >"$WORK/out" 2>&1 ||
  fail "run from files: $(cat "$WORK/out")"
for f in population.csv indicators.csv zones.csv; do
  cmp -s "$WORK/db_run/$f" "$WORK/file_run/$f" || fail "$f from the database differs from the run on the files"
done
grep -q '东城区' "$WORK/db_run/zones.csv" || fail "zone names from PostGIS are not in zones.csv"
grep -q '"path": "db:cohortgis_test"' "$WORK/db_run/manifest.json" || fail "manifest.json does not list db:cohortgis_test"
[ -s "$WORK/db_run/results.gpkg" ] || fail "no results.gpkg from the PostGIS zones"
ls "$WORK/db_run/maps/"*.png >/dev/null 2>&1 || fail "no maps from the PostGIS zones"
echo "ok: zones, zone table and base population from PostGIS give the same results as the files"
echo "postgis checked"
