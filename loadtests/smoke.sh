#!/usr/bin/env bash
# CI smoke of the load tests: the sniping and market scenarios, ~5 s of load each at small user counts,
# on SQLite and on PostgreSQL (127.0.0.1:5432, user postgres), through the runner. The two database lanes
# run side by side (each lane's scenarios one after the other). Fails (non-zero) on any invariant
# violation or on a run that could not complete. Creates .venv-load if missing (locust stays out of the
# test venv). Total: about a minute.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv-load/bin/locust ]; then
    echo "smoke: creating .venv-load (pip install -e '.[load]')"
    python3 -m venv .venv-load
    .venv-load/bin/pip install -q -e '.[load]'
fi
if [ ! -x .venv/bin/auction-service ]; then
    echo "smoke: .venv/bin/auction-service is missing: install the project first (./scripts/test does)" >&2
    exit 2
fi

logs=$(mktemp -d)
lane() {
    local db=$1 rc=0
    .venv-load/bin/python -m loadtests.run --scenario sniping --db "$db" --duration 5 --users 15 || rc=1
    # the market's invariants are read through the public API alone on SQLite (as for --url)
    local check=db
    [ "$db" = sqlite ] && check=api
    .venv-load/bin/python -m loadtests.run --scenario market --db "$db" --duration 5 --users 20 --auctions 20 \
        --clock-speed 60 --check "$check" || rc=1
    return $rc
}
lane sqlite >"$logs/sqlite.log" 2>&1 &
sqlite_pid=$!
lane postgresql >"$logs/postgresql.log" 2>&1 &
pg_pid=$!
failed=0
wait "$sqlite_pid" || failed=1
wait "$pg_pid" || failed=1
for db in sqlite postgresql; do
    echo "=================== smoke lane: $db"
    cat "$logs/$db.log"
done
rm -rf "$logs"
if [ "$failed" != 0 ]; then
    echo "smoke: FAILED (an invariant was violated or a run did not complete; see above)" >&2
else
    echo "smoke: OK"
fi
exit "$failed"
