# Sourced by bin/up and bin/test: make .venv exist and match requirements.txt.
set -euo pipefail
PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
if [ ! -x .venv/bin/python ]; then
  echo "Creating the virtualenv in .venv ..."
  "$PYTHON" -m venv .venv
fi
want="$(sha256sum requirements.txt | cut -d' ' -f1)"
have="$(cat .venv/.requirements.sha256 2>/dev/null || true)"
if [ "$want" != "$have" ]; then
  echo "Installing requirements.txt ..."
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt 2> >(grep -v "^WARNING: Location" >&2)
  echo "$want" > .venv/.requirements.sha256
fi
mkdir -p var
