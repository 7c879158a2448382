# Sourced by the scripts: make (once) the project's virtualenv and install the project into it.
# The extras to install with it come from VENV_EXTRAS ("test", "load"; unset for the demo, which needs
# only the runtime dependencies), never from arguments: a script sourced without arguments sees its
# caller's, and `./scripts/demo --reset` once asked pip for the extra "[--reset]".
#   VENV_EXTRAS=test source scripts/_venv.sh
# Run as a command (`bash scripts/_venv.sh test`), its own first argument names the extras.
# Installing again happens only when pyproject.toml or the extras change.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
EXTRAS="${VENV_EXTRAS:-}"
if [ "${BASH_SOURCE[0]}" = "$0" ]; then  # run, not sourced: the arguments are ours
  EXTRAS="${1:-$EXTRAS}"
fi
case "$EXTRAS" in
  "" | test | load) ;;
  *) echo "_venv.sh: VENV_EXTRAS must be test, load or empty, not '$EXTRAS'" >&2; exit 2 ;;
esac
STAMP=".venv/.installed-${EXTRAS:-runtime}-$(sha1sum pyproject.toml | cut -c1-12)"
if [ ! -f "$STAMP" ]; then
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
  # quiet: setuptools warns (a banner of stars) on every editable install; nothing a user can act on
  PYTHONWARNINGS=ignore .venv/bin/python -m pip install -q --disable-pip-version-check -e ".${EXTRAS:+[$EXTRAS]}"
  touch "$STAMP"
fi
