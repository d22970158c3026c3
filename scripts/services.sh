#!/usr/bin/env bash
# Installs (when missing) and starts the Redis and PostgreSQL servers the integration tests use, on 127.0.0.1,
# then prints the URLs to export. Safe to run again: it only does what is not done yet.
#   eval "$(scripts/services.sh)"   # exports REDIS_URL and DATABASE_URL into this shell
set -euo pipefail

REDIS_PORT=6379
PG_PORT=5432
PG_USER=posthog_test
PG_PASSWORD=posthog_test
PG_DB=posthog_test
log() { echo "services: $*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
# PgBouncer: the fleet tests start their own one (transaction mode) in front of PostgreSQL; only the binary is needed.
command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ] || missing+=(pgbouncer)

if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq >&2
  as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# Redis: a private instance without persistence, started only if nothing answers on the port.
if ! redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  log "starting redis-server on 127.0.0.1:$REDIS_PORT"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no --daemonize yes \
    --logfile /tmp/posthog-node-redis.log >&2
  for _ in $(seq 1 50); do redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi
redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null || { log "redis did not start (see /tmp/posthog-node-redis.log)"; exit 1; }

# PostgreSQL: Debian's cluster, started through pg_ctlcluster; the test role logs in with a password over TCP.
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
pg_version=$(basename "$(dirname "$pg_bin")")
if ! pg_lsclusters -h 2>/dev/null | grep -q .; then
  log "creating PostgreSQL $pg_version cluster"
  as_root pg_createcluster "$pg_version" main >&2
fi
if ! "$pg_bin/pg_isready" -h 127.0.0.1 -p "$PG_PORT" -q; then
  log "starting PostgreSQL $pg_version on 127.0.0.1:$PG_PORT"
  cluster=$(pg_lsclusters -h | awk 'NR==1 {print $1" "$2}')
  as_root pg_ctlcluster $cluster start >&2 || true
  for _ in $(seq 1 100); do "$pg_bin/pg_isready" -h 127.0.0.1 -p "$PG_PORT" -q && break; sleep 0.1; done
fi
"$pg_bin/pg_isready" -h 127.0.0.1 -p "$PG_PORT" -q || { log "PostgreSQL did not start"; exit 1; }

psql_admin() { as_root su postgres -c "psql -v ON_ERROR_STOP=1 -q -p $PG_PORT $*" >&2; }
if ! as_root su postgres -c "psql -p $PG_PORT -tAc \"SELECT 1 FROM pg_roles WHERE rolname='$PG_USER'\"" | grep -q 1; then
  log "creating role $PG_USER"
  psql_admin "-c \"CREATE ROLE $PG_USER LOGIN PASSWORD '$PG_PASSWORD'\""
fi
if ! as_root su postgres -c "psql -p $PG_PORT -tAc \"SELECT 1 FROM pg_database WHERE datname='$PG_DB'\"" | grep -q 1; then
  log "creating database $PG_DB"
  psql_admin "-c \"CREATE DATABASE $PG_DB OWNER $PG_USER\""
fi

echo "export REDIS_URL=redis://127.0.0.1:$REDIS_PORT"
echo "export DATABASE_URL=postgres://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/$PG_DB"
