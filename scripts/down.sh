#!/usr/bin/env bash
# Stop what scripts/up.sh started: its honcho (which stops the Procfile's
# processes), then any process still tagged with that start's run id.
set -euo pipefail
cd "$(dirname "$0")/.."
export AIRFLOW_HOME="${AIRFLOW_HOME:-$PWD/.airflow}"
exec "${NEWSWIRE_PYTHON:-.venv/bin/python}" -m newswire.ops.stack down
