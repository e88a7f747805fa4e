#!/usr/bin/env bash
# Stop exactly the processes scripts/up.sh started (by the PIDs in $AIRFLOW_HOME/pids).
set -euo pipefail
cd "$(dirname "$0")/.."
export AIRFLOW_HOME="${AIRFLOW_HOME:-$PWD/.airflow}"
exec "${NEWSWIRE_PYTHON:-.venv/bin/python}" -m newswire.ops.stack down
