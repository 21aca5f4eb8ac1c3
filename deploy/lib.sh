# Shared by deploy/run and deploy/test: find Python 3.11+ and keep .venv in
# step with requirements.lock (reinstalled only when the lock file changes).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${MUTUALS_VENV:-$ROOT/.venv}"

find_python() {
  local candidate
  for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  echo "mutuals: Python 3.11 or newer is required (set PYTHON=/path/to/python3.11)" >&2
  return 1
}

quiet_pip() {
  # Some machines list missing local package folders in pip's configuration;
  # pip warns about each one, which says nothing about this install.
  "$VENV/bin/python" -m pip "$@" 2> >(grep -v "is neither a file nor a directory" >&2)
}

ensure_venv() {
  local python stamp want
  want="$(cat "$ROOT/requirements.lock" "$ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1)"
  stamp="$VENV/.mutuals-lock"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  python="$(find_python)"
  if [ ! -x "$VENV/bin/python" ]; then
    echo "mutuals: creating $VENV with $python" >&2
    "$python" -m venv "$VENV"
  fi
  echo "mutuals: installing dependencies from requirements.lock" >&2
  quiet_pip install --quiet --upgrade pip
  quiet_pip install --quiet --requirement "$ROOT/requirements.lock"
  echo "$want" > "$stamp"
}
