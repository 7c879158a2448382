#!/usr/bin/env bash
# CI: the platform runs from its built wheel, outside the checkout. Builds the wheel from a clean copy of
# the repository's files, installs it into a fresh venv in a temporary folder, and from another temporary
# folder runs: --version, db upgrade, staff add, serve (polls /healthz and the web client, then stops it),
# serve --demo (polls until the demo has auctions, then stops it), audit verify on the demo's database,
# and audit verify on a missing database (must refuse, exit 2, and create nothing). About 1-3 minutes
# (the venv's dependencies come from pip's cache after the first run). Exits non-zero on any failure.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-python3}"
work="$(mktemp -d "${TMPDIR:-/tmp}/check-wheel.XXXXXX")"
server_pid=""
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
step() { echo "check_wheel: $*"; }
fail() {
    for log in "$work"/run/*.log; do
        [ -f "$log" ] && { echo "--- $(basename "$log") (last 40 lines)" >&2; tail -n 40 "$log" >&2; }
    done
    echo "check_wheel: FAILED: $*" >&2
    exit 1
}
# pip's notes about this machine's package index settings are noise here; errors still show.
quiet_pip() { "$@" 2>&1 | { grep -v "^WARNING: Location .* is ignored" || true; }; return "${PIPESTATUS[0]}"; }

step "copying the repository's files to $work/src"
mkdir -p "$work/src" "$work/dist" "$work/run"
(cd "$ROOT" && git ls-files -z --cached --others --exclude-standard) | "$PY" -c '
import shutil, sys
from pathlib import Path
root, dest = Path(sys.argv[1]), Path(sys.argv[2])
for name in filter(None, sys.stdin.buffer.read().decode().split("\0")):
    if (root / name).is_file():  # a file deleted in the work tree is still listed by git
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / name, dest / name)
' "$ROOT" "$work/src"
step "building the wheel"
quiet_pip timeout 300 "$PY" -m pip wheel -q --disable-pip-version-check --no-deps -w "$work/dist" "$work/src" >/dev/null
wheel="$(ls "$work"/dist/*.whl)"
step "built $(basename "$wheel")"
"$PY" -c 'import sys, zipfile; print("\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))' "$wheel" >"$work/contents.txt"
for inside in auction_service/db/migrations/env.py auction_service/db/migrations/versions/0001_initial_schema.py \
    bidder_client/web/index.html auction_sim/scenarios/demo-history.toml; do
    grep -qx "$inside" "$work/contents.txt" || fail "$inside is not in the wheel"
done
step "installing it into a fresh venv (runtime dependencies only)"
"$PY" -m venv "$work/venv"
quiet_pip timeout 600 "$work/venv/bin/python" -m pip install -q --disable-pip-version-check "$wheel"
for tool in pytest playwright hypothesis locust; do
    if "$work/venv/bin/python" -c "import $tool" 2>/dev/null; then fail "$tool is installed without the test/load extras"; fi
done
cli="$work/venv/bin/auction-service"

cd "$work/run"  # outside the checkout: nothing of the repository is importable from here
free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# Wait until $1 answers 200 (at most $2 seconds) while the server ($server_pid) lives.
wait_for() {
    local url=$1 limit=$2 start=$SECONDS
    while (( SECONDS - start < limit )); do
        kill -0 "$server_pid" 2>/dev/null || fail "the server stopped before $url answered"
        if "$PY" - "$url" <<'PY' 2>/dev/null; then return 0; fi
import sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=5) as r:
    sys.exit(0 if r.status == 200 else 1)
PY
        sleep 1
    done
    fail "$url did not answer within $limit s"
}
stop_server() {
    kill -INT "$server_pid"
    local start=$SECONDS
    while kill -0 "$server_pid" 2>/dev/null; do
        (( SECONDS - start < 30 )) || { kill -KILL "$server_pid"; fail "the server did not stop within 30 s"; }
        sleep 0.2
    done
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
}
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
unset AUCTION_DATABASE_URL AUCTION_REDIS_URL AUCTION_RULES

step "$("$cli" --version)"
export AUCTION_DATABASE_URL="sqlite+aiosqlite:///$work/run/auction.db"
timeout 120 "$cli" db upgrade
AUCTION_NEW_PASSWORD='a-long-password' timeout 120 "$cli" staff add --court "深圳市中级人民法院" --username clerk

port="$(free_port)"
step "serve on 127.0.0.1:$port"
"$cli" serve --host 127.0.0.1 --port "$port" >serve.log 2>&1 &
server_pid=$!
wait_for "http://127.0.0.1:$port/healthz" 60
wait_for "http://127.0.0.1:$port/" 10
stop_server

port="$(free_port)"
step "serve --demo on 127.0.0.1:$port (its data in $work/run/demo.db)"
unset AUCTION_DATABASE_URL
AUCTION_RULES=sandbox AUCTION_CLOCK_SPEED=10 "$cli" serve --demo --host 127.0.0.1 --port "$port" >demo.log 2>&1 &
server_pid=$!
wait_for "http://127.0.0.1:$port/healthz" 180
"$PY" - "http://127.0.0.1:$port/api/v1/auctions?limit=1" <<'PY' || fail "the demo has no auctions"
import json, sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=10) as r:
    total = json.load(r)["total"]
print(f"check_wheel: the demo lists {total} auctions")
sys.exit(0 if total > 0 else 1)
PY
stop_server
[ -f demo.db ] || fail "the demo did not keep its data in ./demo.db"

step "audit verify on the demo's database"
timeout 120 "$cli" audit verify --database-url sqlite:///demo.db | tail -1

step "audit verify on a database that does not exist must refuse and create nothing"
rc=0
AUCTION_DATABASE_URL="sqlite:///$work/run/missing.db" timeout 60 "$cli" audit verify 2>refusal.txt >/dev/null || rc=$?
[ "$rc" = 2 ] || fail "audit verify on a missing database exited $rc, not 2"
[ "$(wc -l <refusal.txt)" = 1 ] || fail "the refusal is not one line: $(cat refusal.txt)"
[ ! -e missing.db ] || fail "audit verify created missing.db"
step "refused as it should: $(cat refusal.txt)"
step "OK"
