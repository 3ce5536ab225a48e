#!/usr/bin/env bash
# Sets everything up, then runs the linter and the whole test suite (the command CI runs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check .
export CALLASSIST_TEST_PG_URL="$(bash scripts/start-postgres.sh)"  # team store tests
.venv/bin/python -m pytest -q "$@"
