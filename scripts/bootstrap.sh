# Sourced by scripts/demo and scripts/test: make (or reuse) the project's virtualenv.
# GITDESK_VENV overrides where it lives (default: .venv in the repo).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${GITDESK_VENV:-$REPO/.venv}"
EXTRAS="${1:-}"
if [ ! -x "$VENV/bin/python" ]; then
  echo "bootstrap: creating virtualenv $VENV" >&2
  python3 -m venv "$VENV"
fi
stamp="$VENV/.gitdesk-installed$EXTRAS"
if [ ! -f "$stamp" ] || [ "$REPO/pyproject.toml" -nt "$stamp" ]; then
  echo "bootstrap: installing gitdesk${EXTRAS:+[$EXTRAS]} into $VENV" >&2
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null 2>&1 || true
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e "$REPO${EXTRAS:+[$EXTRAS]}"
  touch "$stamp"
fi
export PATH="$VENV/bin:$PATH"
