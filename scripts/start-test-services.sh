#!/usr/bin/env bash
# Installs (if missing) and starts (if not running) the PostgreSQL and Redis servers that the
# postgres and redis projects' test suites run against, on 127.0.0.1 only, and creates the
# test role and database. Safe to run again. Needs root on Debian 12; asks nothing.
#
# For test machines only: PostgreSQL is started without fsync (the tests create and drop a schema
# per test; durability would only slow them down) and Redis without persistence.
#
# Prints the variables to export on its last two lines:
#   DATABASE_URL=postgres://mcp:mcp@127.0.0.1:5432/mcp
#   REDIS_URL=redis://127.0.0.1:6379
set -euo pipefail

PG_PORT=5432
PG_ROLE=mcp
PG_PASSWORD=mcp
PG_DATABASE=mcp
REDIS_PORT=6379

export DEBIAN_FRONTEND=noninteractive

log() { echo "[start-test-services] $*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
  log "run this as root (it installs packages and starts system services)"
  exit 1
fi

install_missing_packages() {
  local missing=()
  dpkg -s postgresql >/dev/null 2>&1 || missing+=(postgresql)
  dpkg -s redis-server >/dev/null 2>&1 || missing+=(redis-server)
  if [ "${#missing[@]}" -gt 0 ]; then
    log "installing ${missing[*]}"
    apt-get update -qq </dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null
  fi
}

# The newest installed PostgreSQL major version (Debian 12 ships 15).
postgres_version() {
  ls /usr/lib/postgresql | sort -n | tail -n 1
}

start_postgres() {
  local version
  version="$(postgres_version)"
  # The package creates the "main" cluster unless createcluster.conf says otherwise.
  if [ ! -d "/etc/postgresql/$version/main" ]; then
    log "creating PostgreSQL $version cluster main"
    pg_createcluster "$version" main --port "$PG_PORT" >/dev/null
  fi
  if ! pg_ctlcluster "$version" main status >/dev/null 2>&1; then
    log "starting PostgreSQL $version on 127.0.0.1:$PG_PORT"
    pg_ctlcluster "$version" main start -- -o "-c listen_addresses=127.0.0.1 -c port=$PG_PORT \
      -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  fi
  for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p "$PG_PORT" && return 0
    sleep 1
  done
  log "PostgreSQL did not accept connections on 127.0.0.1:$PG_PORT within 30 s"
  tail -n 20 "/var/log/postgresql/postgresql-$version-main.log" >&2 || true
  exit 1
}

psql_as_postgres() {
  runuser -u postgres -- psql -h 127.0.0.1 -p "$PG_PORT" -X -q -v ON_ERROR_STOP=1 "$@" </dev/null
}

create_postgres_database() {
  # Connect over the Unix socket as the postgres superuser (peer authentication).
  local has_role has_db
  has_role="$(runuser -u postgres -- psql -p "$PG_PORT" -X -tAc \
    "SELECT 1 FROM pg_roles WHERE rolname = '$PG_ROLE'" </dev/null)"
  if [ "$has_role" != "1" ]; then
    log "creating role $PG_ROLE"
    runuser -u postgres -- psql -p "$PG_PORT" -X -q -v ON_ERROR_STOP=1 \
      -c "CREATE ROLE $PG_ROLE WITH LOGIN PASSWORD '$PG_PASSWORD'" </dev/null
  fi
  has_db="$(runuser -u postgres -- psql -p "$PG_PORT" -X -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '$PG_DATABASE'" </dev/null)"
  if [ "$has_db" != "1" ]; then
    log "creating database $PG_DATABASE owned by $PG_ROLE"
    runuser -u postgres -- createdb -p "$PG_PORT" -O "$PG_ROLE" "$PG_DATABASE" </dev/null
  fi
  # Checks the password login the tests use, over TCP.
  PGPASSWORD="$PG_PASSWORD" psql -h 127.0.0.1 -p "$PG_PORT" -U "$PG_ROLE" -d "$PG_DATABASE" -X -tAc 'SELECT 1' \
    </dev/null >/dev/null
}

start_redis() {
  if redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; then
    return 0
  fi
  log "starting Redis on 127.0.0.1:$REDIS_PORT (no persistence)"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no \
    --logfile /tmp/redis-test-services.log --pidfile /tmp/redis-test-services.pid
  for _ in $(seq 1 30); do
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG && return 0
    sleep 1
  done
  log "Redis did not answer PING on 127.0.0.1:$REDIS_PORT within 30 s"
  tail -n 20 /tmp/redis-test-services.log >&2 || true
  exit 1
}

install_missing_packages
start_postgres
create_postgres_database
start_redis

echo "DATABASE_URL=postgres://$PG_ROLE:$PG_PASSWORD@127.0.0.1:$PG_PORT/$PG_DATABASE"
echo "REDIS_URL=redis://127.0.0.1:$REDIS_PORT"
