#!/usr/bin/env bash
# Start Newswire's local Airflow 3 stack in the background (no Docker): the
# Procfile's processes, run by honcho, after preparing the Airflow home.
# See docs/operations.md; stop with scripts/down.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
export AIRFLOW_HOME="${AIRFLOW_HOME:-$PWD/.airflow}"
exec "${NEWSWIRE_PYTHON:-.venv/bin/python}" -m newswire.ops.stack up
