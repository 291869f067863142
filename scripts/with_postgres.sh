#!/usr/bin/env bash
# Run a command against a throw-away PostgreSQL cluster, then remove the cluster.
#
#   scripts/with_postgres.sh CMD [ARG...]   start a cluster, export DATABASE_URL, run CMD, stop, delete
#   scripts/with_postgres.sh --check        exit 0 when PostgreSQL server binaries are available
#
# The cluster lives in a fresh temporary directory, listens on 127.0.0.1 only (a free port, its unix
# socket inside that directory), trusts its one local role and is stopped and deleted on every exit:
# success, failure or Ctrl-C. Exits with CMD's status.
set -euo pipefail

# Server binaries: initdb on PATH first, else the newest Debian/Ubuntu install (not on PATH there).
find_bindir() {
    local initdb
    if initdb=$(command -v initdb); then
        dirname "$(readlink -f "$initdb")"  # a symlink on PATH: its siblings (createdb) live by the target
        return
    fi
    initdb=$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1)
    [ -n "$initdb" ] && dirname "$initdb"
}

if ! BINDIR=$(find_bindir); then
    echo "with_postgres: PostgreSQL server binaries not found (initdb on PATH or /usr/lib/postgresql/*/bin)" >&2
    exit 1
fi
if [ "${1:-}" = "--check" ]; then
    exit 0
fi
if [ $# -eq 0 ]; then
    echo "usage: $0 CMD [ARG...] | --check" >&2
    exit 2
fi

# initdb and postgres refuse to run as root: run the server as an unprivileged user instead.
as_server_user() { "$@"; }
if [ "$(id -u)" -eq 0 ]; then
    SERVER_USER=postgres
    id -u "$SERVER_USER" >/dev/null 2>&1 || SERVER_USER=nobody
    # runuser lives in sbin, which a minimal PATH (cron, CI) may leave out.
    RUNUSER=$(command -v runuser || ls /usr/sbin/runuser /sbin/runuser 2>/dev/null | head -n 1)
    as_server_user() { "$RUNUSER" -u "$SERVER_USER" -- "$@"; }
fi

CLUSTER_DIR=$(mktemp -d "${TMPDIR:-/tmp}/with_postgres.XXXXXX")
DATA_DIR="$CLUSTER_DIR/data"
ROLE=preference_center
DB_NAME=preference_center

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [ -f "$DATA_DIR/postmaster.pid" ]; then
        (cd "$CLUSTER_DIR" && as_server_user "$BINDIR/pg_ctl" -D "$DATA_DIR" -m immediate -w stop >/dev/null 2>&1) || true
    fi
    rm -rf "$CLUSTER_DIR"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ "$(id -u)" -eq 0 ]; then chown "$SERVER_USER" "$CLUSTER_DIR"; fi

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

CALLER_DIR=$PWD
# cd: the server user may not be allowed into the caller's working directory.
cd "$CLUSTER_DIR"
as_server_user "$BINDIR/initdb" --pgdata="$DATA_DIR" --username="$ROLE" --auth=trust \
    --encoding=UTF8 --no-locale >"$CLUSTER_DIR/initdb.log" 2>&1 \
    || { cat "$CLUSTER_DIR/initdb.log" >&2; exit 1; }

# Durability is pointless for a cluster deleted in a minute: turn it off for speed.
start_server() {
    as_server_user "$BINDIR/pg_ctl" -D "$DATA_DIR" -l "$CLUSTER_DIR/server.log" -w -t 60 start -o "\
        -c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories=$CLUSTER_DIR \
        -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null
}
# The free port may be taken before the server binds it (parallel runs): try another, twice.
for attempt in 1 2 3; do
    PORT=$(free_port)
    start_server && break
    if [ "$attempt" -eq 3 ]; then cat "$CLUSTER_DIR/server.log" >&2; exit 1; fi
done

"$BINDIR/createdb" --host=127.0.0.1 --port="$PORT" --username="$ROLE" "$DB_NAME"

cd "$CALLER_DIR"
export DATABASE_URL="postgres://$ROLE@127.0.0.1:$PORT/$DB_NAME"
echo "with_postgres: $("$BINDIR/postgres" --version) at $DATABASE_URL" >&2
"$@"
