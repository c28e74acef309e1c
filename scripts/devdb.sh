#!/usr/bin/env bash
# Prints the DATABASE_URL of Revdesk's private PostgreSQL cluster, creating and starting
# it first when needed. Used by `make run` and `make test` when DATABASE_URL is unset.
#
# The cluster lives in .data/pg (git-ignored), listens on 127.0.0.1 only, on a free port
# chosen at creation and kept in .data/pg.port, with a generated password kept in
# .data/pg.password. Everything it says goes to stderr; stdout is only the URL.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
state="$root/.data"
data="$state/pg"
log() { printf 'devdb: %s\n' "$*" >&2; }

pg_bin() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && printf '%s' "$dir"
}

bin="$(pg_bin || true)"
if [ -z "$bin" ]; then
  log "installing PostgreSQL from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  as_root=""
  [ "$(id -u)" -eq 0 ] || as_root="sudo"
  $as_root apt-get update -qq >&2
  $as_root apt-get install -y -qq postgresql >&2
  bin="$(pg_bin)"
fi

# initdb refuses to run as root: run the server as the postgres user then.
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  as_pg=(runuser -u postgres --)
fi

mkdir -p "$state"
chmod 755 "$state"
if [ ! -e "$data" ]; then
  target="$data"
  # The postgres user must be able to reach the data directory; a checkout under a
  # private home directory is not, so keep the cluster outside and link it in.
  if [ "${#as_pg[@]}" -gt 0 ] && ! "${as_pg[@]}" test -x "$state"; then
    target="/var/tmp/revdesk-pg-$(printf '%s' "$root" | sha256sum | cut -c1-12)"
    ln -s "$target" "$data"
  fi
  mkdir -p "$target"
  [ "${#as_pg[@]}" -gt 0 ] && chown postgres: "$target"
  chmod 700 "$target"
  password="$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 24)"
  pwfile="$(mktemp)"
  printf '%s\n' "$password" >"$pwfile"
  chmod 644 "$pwfile"
  log "creating a private PostgreSQL cluster in $data"
  "${as_pg[@]}" "$bin/initdb" -D "$target" -U revdesk --pwfile="$pwfile" \
    --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$state/initdb.log" 2>&1 ||
    { cat "$state/initdb.log" >&2; rm -f "$pwfile"; exit 1; }
  rm -f "$pwfile"
  (umask 077 && printf '%s' "$password" >"$state/pg.password")
  port=55432
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  printf '%s' "$port" >"$state/pg.port"
fi

port="$(cat "$state/pg.port")"
password="$(cat "$state/pg.password")"
datadir="$(readlink -f "$data")"
if ! "${as_pg[@]}" "$bin/pg_ctl" -D "$datadir" status >/dev/null 2>&1; then
  log "starting PostgreSQL on 127.0.0.1:$port"
  "${as_pg[@]}" "$bin/pg_ctl" -D "$datadir" -l "$datadir/server.log" -w -t 60 \
    -o "-p $port -c listen_addresses=127.0.0.1 -k $datadir -c max_connections=200" start >/dev/null
fi

export PGPASSWORD="$password"
if ! "$bin/psql" -h 127.0.0.1 -p "$port" -U revdesk -d postgres -tAc \
  "select 1 from pg_database where datname = 'revdesk'" | grep -q 1; then
  "$bin/createdb" -h 127.0.0.1 -p "$port" -U revdesk revdesk
fi
printf 'postgres://revdesk:%s@127.0.0.1:%s/revdesk\n' "$password" "$port"
