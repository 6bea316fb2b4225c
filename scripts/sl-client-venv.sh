#!/usr/bin/env bash
# Creates (idempotently) the Python virtual environment the LLUDP integration test runs its
# independent Second Life client in, and installs Tests/sl-clients/requirements.txt into it.
#   scripts/sl-client-venv.sh [VENV_DIR]      (default: .build/sl-venv)
# Needs a Python >= 3.12 (~/.pyenv/versions/3.12.1/bin/python3, python3.12 or python3) with its
# venv module and C headers, a C compiler (recordclass 0.23.1, which hippolyzer pins, is published
# only as source) and a reachable package index. About 50 s the first time without a pip cache,
# 20 s with one, nothing when the venv is already up to date. Prints the venv's python path as its
# last line (everything else goes to stderr).
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${1:-.build/sl-venv}"
requirements="Tests/sl-clients/requirements.txt"

is_312() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; }

python=""
for candidate in "$HOME/.pyenv/versions/3.12.1/bin/python3" python3.12 python3; do
  if command -v "$candidate" >/dev/null 2>&1 && is_312 "$candidate"; then
    python="$(command -v "$candidate")"
    break
  fi
done
if [ -z "$python" ]; then
  echo "error: no Python >= 3.12 found (tried ~/.pyenv/versions/3.12.1/bin/python3, python3.12, python3)" >&2
  exit 1
fi

# The stamp records what was installed; a venv whose stamp matches the requirements is reused.
stamp="$venv/.tessera-requirements"
if [ -x "$venv/bin/python3" ] && is_312 "$venv/bin/python3" && [ -f "$stamp" ] && cmp -s "$stamp" "$requirements"; then
  echo "$venv/bin/python3"
  exit 0
fi

if ! [ -x "$venv/bin/python3" ] || ! is_312 "$venv/bin/python3"; then
  rm -rf "$venv"
  "$python" -m venv "$venv"
fi
"$venv/bin/python3" -m pip install --disable-pip-version-check --quiet --upgrade pip >&2
"$venv/bin/python3" -m pip install --disable-pip-version-check --quiet -r "$requirements" >&2
cp "$requirements" "$stamp"
echo "$venv/bin/python3"
