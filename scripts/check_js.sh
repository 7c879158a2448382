#!/usr/bin/env bash
# The web client's checks: eslint over bidder_client/web (and the JS tests), then its pure parts' unit
# tests under Node's own runner (tests/web/*.test.mjs). The JS tools live in node_modules/ at the repo
# root (package.json, package-lock.json), never under bidder_client/web (that folder ships in the wheel);
# they are installed with `npm ci` on the first run and again whenever package-lock.json changes.
# Exit status: non-zero if a tool is missing or a check fails. One summary line per check at the end.
set -uo pipefail
cd "$(dirname "$0")/.."

for tool in node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "check_js: $tool is not installed (Node.js 20 or later is needed: apt-get install nodejs npm)" >&2
    exit 2
  fi
done

stamp=node_modules/.package-lock.sha256
wanted=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -d node_modules ] || [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
  echo "check_js: installing the JS tools (npm ci)"
  if ! npm ci --no-audit --no-fund --loglevel=error; then
    echo "check_js: npm ci failed" >&2
    exit 2
  fi
  echo "$wanted" > "$stamp"
fi

failed=0
summary=()

start=$SECONDS
if npx --no-install eslint bidder_client/web tests/web eslint.config.js; then
  summary+=("eslint     ok     $((SECONDS - start))s")
else
  summary+=("eslint     FAILED $((SECONDS - start))s")
  failed=1
fi

start=$SECONDS
out=$(mktemp)
if node --test --test-reporter=spec tests/web/ >"$out" 2>&1; then
  summary+=("node-test  ok     $((SECONDS - start))s  $(grep -E '^ℹ (pass|fail) ' "$out" | tr -d 'ℹ' | xargs)")
else
  cat "$out"
  summary+=("node-test  FAILED $((SECONDS - start))s  $(grep -E '^ℹ (pass|fail) ' "$out" | tr -d 'ℹ' | xargs)")
  failed=1
fi
rm -f "$out"

echo "check_js summary:"
printf '  %s\n' "${summary[@]}"
exit "$failed"
