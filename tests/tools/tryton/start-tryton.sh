#!/usr/bin/env bash
# Start a REAL Tryton 8.2 server (trytond, SQLite) on 127.0.0.1 for
# integration tests of the Tryton connector.
#
#   start-tryton.sh DATA_DIR [PORT]      build/copy DB if needed, start server
#   start-tryton.sh --stop DATA_DIR      stop the server started for DATA_DIR
#
# PORT defaults to a free port. What it leaves in DATA_DIR:
#   trytond.conf   db/<DB>.sqlite   trytond.pid   trytond.log   seed.json
#   tryton.env     (TRYTON_URL, TRYTON_DB, TRYTON_USER, TRYTON_PASSWORD,
#                   TRYTON_CLERK_*, TRYTON_PID, TRYTON_PORT: source it)
#
# Environment knobs (all optional):
#   TRYTON_VENV      venv to create/reuse        (default: DATA_DIR/../tryton-venv)
#   TRYTON_DB        database name               (default: erp)
#   TRYTON_ADMIN_PASSWORD / TRYTON_CLERK_PASSWORD (defaults below)
#   TRYTON_TEMPLATE  path of a seeded template .sqlite: copied when it exists
#                    (~2 ms), written after a fresh build when it does not
#   TRYTON_BULK      extra draft purchases to seed for volume tests (default 0)
#   TRYTON_BASE_TEMPLATE  a seeded template without bulk purchases: when
#                    TRYTON_TEMPLATE is missing and TRYTON_BULK > 0, this is
#                    copied and only the bulk purchases are added (~15 s per
#                    1000) instead of building from scratch (~60 s more)
#   TRYTON_VERBOSE   trytond -v count: 1 = warnings, 2 = every RPC call (default 1)
#   PYTHON           interpreter for the venv (>= 3.10; default python3)
#
# Timings on 2 cores (Python 3.11): venv+pip 18-21 s, module activation
# 30-38 s, seed 20-25 s (cold total ~70 s); template copy 2 ms, server ready
# 1.2-2.5 s after launch. server.py beside this file runs it for the tests (one
# server per test session, tests/integration/connectors/conftest.py) and for
# bench/connectors.py; seed_tryton.py beside this file says what it seeds.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TRYTON_SERIES="8.2"

die() { echo "start-tryton: $*" >&2; exit 1; }

stop_server() {
    local dir="$1" pid
    [ -f "$dir/trytond.pid" ] || { echo "no pid file in $dir"; return 0; }
    pid="$(cat "$dir/trytond.pid")"
    if kill -0 "$pid" 2>/dev/null; then
        kill "$pid"
        for _ in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" || true; fi
        echo "stopped trytond pid $pid"
    fi
    # trytond does not remove its --pidfile when killed by a signal
    rm -f "$dir/trytond.pid"
}

if [ "${1:-}" = "--stop" ]; then
    [ -n "${2:-}" ] || die "usage: $0 --stop DATA_DIR"
    [ -d "$2" ] || { echo "no such directory $2"; exit 0; }
    stop_server "$(cd "$2" && pwd)"
    exit 0
fi

[ -n "${1:-}" ] || die "usage: $0 DATA_DIR [PORT] | --stop DATA_DIR"
mkdir -p "$1"
DATA="$(cd "$1" && pwd)"
PORT="${2:-}"
DB="${TRYTON_DB:-erp}"
VENV="${TRYTON_VENV:-$(dirname "$DATA")/tryton-venv}"
ADMIN_PW="${TRYTON_ADMIN_PASSWORD:-Adm1n-Secret-Pass}"
CLERK_PW="${TRYTON_CLERK_PASSWORD:-Clerk-Pass-2024!}"
VERBOSE="${TRYTON_VERBOSE:-1}"
PY="${PYTHON:-python3}"
# SQLite timestamps (create_date/write_date) are the server's *local* time:
# pin UTC so that incremental-sync cursors are UTC like on PostgreSQL.
export TZ=UTC

ts() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(ts)" 'BEGIN{printf "%.2f", b-a}'; }

if [ -f "$DATA/trytond.pid" ]; then
    old_pid="$(cat "$DATA/trytond.pid")"
    if [ -n "$old_pid" ] && kill -0 "$old_pid" 2>/dev/null; then
        die "trytond (pid $old_pid) already runs for $DATA; --stop it first"
    fi
    rm -f "$DATA/trytond.pid"   # stale: trytond died without cleanup
fi

# ---------------------------------------------------------------- 1. venv
if [ ! -x "$VENV/bin/trytond" ] || [ ! -x "$VENV/bin/python" ]; then
    t0="$(ts)"
    echo "creating venv $VENV"
    "$PY" -c 'import sys; assert sys.version_info >= (3, 10), sys.version' \
        || die "$PY is older than 3.10"
    "$PY" -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check \
        "trytond~=${TRYTON_SERIES}.0" \
        "trytond-purchase~=${TRYTON_SERIES}.0" \
        "trytond-stock~=${TRYTON_SERIES}.0" \
        "trytond-production~=${TRYTON_SERIES}.0" \
        "trytond-production-work~=${TRYTON_SERIES}.0" \
        "proteus~=${TRYTON_SERIES}.0" \
        "httpx>=0.27"
    echo "venv ready in $(since "$t0") s ($(du -sh "$VENV" | cut -f1))"
fi

# ----------------------------------------------------------- 2. config
mkdir -p "$DATA/db"
cat > "$DATA/trytond.conf" <<EOF
[database]
uri = sqlite://
path = $DATA/db
# keep database listing on (common.db.list); harmless on loopback
list = True

[session]
# 30 days (default); the IP address of the login is bound to the session
max_age = 2592000
EOF
# [web] listen is given by TRYTOND_WEB__LISTEN below: a value in the
# config file would override the environment variable.

# -------------------------------------------------------- 3. database
DBFILE="$DATA/db/$DB.sqlite"
if [ -f "$DBFILE" ]; then
    echo "reusing database $DBFILE"
elif [ -n "${TRYTON_TEMPLATE:-}" ] && [ -f "$TRYTON_TEMPLATE" ]; then
    t0="$(ts)"
    cp "$TRYTON_TEMPLATE" "$DBFILE"
    [ -f "${TRYTON_TEMPLATE%.sqlite}.seed.json" ] \
        && cp "${TRYTON_TEMPLATE%.sqlite}.seed.json" "$DATA/seed.json"
    echo "copied template $TRYTON_TEMPLATE in $(since "$t0") s"
elif [ "${TRYTON_BULK:-0}" -gt 0 ] && [ -n "${TRYTON_BASE_TEMPLATE:-}" ] \
        && [ -f "$TRYTON_BASE_TEMPLATE" ]; then
    t0="$(ts)"
    cp "$TRYTON_BASE_TEMPLATE" "$DBFILE"
    [ -f "${TRYTON_BASE_TEMPLATE%.sqlite}.seed.json" ] \
        && cp "${TRYTON_BASE_TEMPLATE%.sqlite}.seed.json" "$DATA/seed.json"
    if ! "$VENV/bin/python" "$HERE/seed_tryton.py" \
            --config "$DATA/trytond.conf" --database "$DB" \
            --bulk "$TRYTON_BULK" --bulk-only \
            > "$DATA/seed-bulk.json" 2> "$DATA/seed.log"; then
        tail -30 "$DATA/seed.log" >&2
        rm -f "$DBFILE" "$DBFILE-wal" "$DBFILE-shm"
        die "bulk seeding failed"
    fi
    echo "added $TRYTON_BULK bulk purchases to $TRYTON_BASE_TEMPLATE in $(since "$t0") s"
    if [ -n "${TRYTON_TEMPLATE:-}" ]; then
        mkdir -p "$(dirname "$TRYTON_TEMPLATE")"
        cp "$DBFILE" "$TRYTON_TEMPLATE.tmp"
        mv "$TRYTON_TEMPLATE.tmp" "$TRYTON_TEMPLATE"
        [ -f "$DATA/seed.json" ] && cp "$DATA/seed.json" "${TRYTON_TEMPLATE%.sqlite}.seed.json"
        echo "saved template $TRYTON_TEMPLATE"
    fi
else
    t0="$(ts)"
    touch "$DBFILE"   # the SQLite backend refuses a missing file
    PASSFILE="$(mktemp)"
    printf '%s\n' "$ADMIN_PW" > "$PASSFILE"
    # --email avoids an interactive prompt; TRYTONPASSFILE avoids getpass
    if ! TRYTONPASSFILE="$PASSFILE" "$VENV/bin/trytond-admin" \
            -c "$DATA/trytond.conf" -d "$DB" \
            -u purchase stock production production_work \
            --activate-dependencies --email admin@example.com \
            </dev/null > "$DATA/admin.log" 2>&1; then
        rm -f "$PASSFILE" "$DBFILE"
        tail -30 "$DATA/admin.log" >&2
        die "trytond-admin failed"
    fi
    rm -f "$PASSFILE"
    echo "modules activated in $(since "$t0") s"
    t1="$(ts)"
    if ! "$VENV/bin/python" "$HERE/seed_tryton.py" \
            --config "$DATA/trytond.conf" --database "$DB" \
            --clerk-password "$CLERK_PW" --bulk "${TRYTON_BULK:-0}" \
            > "$DATA/seed.json" 2> "$DATA/seed.log"; then
        tail -30 "$DATA/seed.log" >&2
        rm -f "$DBFILE" "$DBFILE-wal" "$DBFILE-shm"
        die "seeding failed"
    fi
    echo "seeded in $(since "$t1") s (total build $(since "$t0") s)"
    if [ -n "${TRYTON_TEMPLATE:-}" ]; then
        # nothing has the file open now: no -wal/-shm, a plain copy is safe
        mkdir -p "$(dirname "$TRYTON_TEMPLATE")"
        cp "$DBFILE" "$TRYTON_TEMPLATE.tmp"
        mv "$TRYTON_TEMPLATE.tmp" "$TRYTON_TEMPLATE"
        cp "$DATA/seed.json" "${TRYTON_TEMPLATE%.sqlite}.seed.json"
        echo "saved template $TRYTON_TEMPLATE"
    fi
fi

# ------------------------------------------------------------ 4. start
if [ -z "$PORT" ]; then
    PORT="$("$VENV/bin/python" -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
fi
VFLAG="$(printf -- '-%*s' "$VERBOSE" '' | tr ' ' v)"
[ "$VERBOSE" -gt 0 ] || VFLAG=""
t0="$(ts)"
TRYTOND_WEB__LISTEN="127.0.0.1:$PORT" nohup "$VENV/bin/trytond" \
    -c "$DATA/trytond.conf" -d "$DB" --pidfile "$DATA/trytond.pid" $VFLAG \
    >> "$DATA/trytond.log" 2>&1 < /dev/null &
PID=$!
echo "$PID" > "$DATA/trytond.pid"

URL="http://127.0.0.1:$PORT"
ready=""
for _ in $(seq 1 600); do   # up to 60 s
    if ! kill -0 "$PID" 2>/dev/null; then
        tail -30 "$DATA/trytond.log" >&2
        rm -f "$DATA/trytond.pid"
        die "trytond exited during start-up"
    fi
    if "$VENV/bin/python" - "$URL" <<'PYEOF' 2>/dev/null
import json, sys, urllib.request
req = urllib.request.Request(sys.argv[1] + '/rpc/', method='POST',
    data=b'{"id":0,"method":"common.server.version","params":[]}',
    headers={'Content-Type': 'application/json'})
sys.exit(0 if 'result' in json.load(urllib.request.urlopen(req, timeout=1))
    else 1)
PYEOF
    then ready=1; break; fi
    sleep 0.1
done
[ -n "$ready" ] || { kill "$PID" || true; rm -f "$DATA/trytond.pid";
    die "trytond did not answer on $URL within 60 s"; }

cat > "$DATA/tryton.env" <<EOF
TRYTON_URL=$URL
TRYTON_PORT=$PORT
TRYTON_DB=$DB
TRYTON_USER=admin
TRYTON_PASSWORD=$ADMIN_PW
TRYTON_CLERK_USER=clerk
TRYTON_CLERK_PASSWORD=$CLERK_PW
TRYTON_PID=$PID
TRYTON_DATA=$DATA
EOF
echo "trytond pid $PID ready on $URL/$DB/rpc/ after $(since "$t0") s"
