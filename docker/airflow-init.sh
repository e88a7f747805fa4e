#!/usr/bin/env bash
# One-shot set-up for docker-compose.yml's `airflow-init` service (runs as root):
# metadata DB, the DuckDB writer pool, the admin password file, the docs sites,
# and ownership of the shared folders for the Airflow user.
set -euo pipefail
uid="${AIRFLOW_UID:-50000}"

mkdir -p /data/inbox /data/warehouse "${AIRFLOW_HOME}/logs" "$(dirname "${AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE}")"
if [ -z "$(ls -A /data/inbox)" ] && [ "${NEWSWIRE_SEED_INBOX:-true}" = "true" ]; then
  echo "inbox is empty: copying the seed articles into it"
  cp /opt/newswire/seeds/* /data/inbox/
fi

# First: names every default password or key (and refuses them with NEWSWIRE_ENV=production),
# then the password file and the docs sites.
python -m newswire.ops.stack prepare
airflow db migrate
airflow pools set "${NEWSWIRE_WRITER_POOL:-duckdb_writer}" 1 "DuckDB allows one writing process"

chown -R "${uid}:0" /data/inbox /data/warehouse "${AIRFLOW_HOME}/logs" \
  "$(dirname "${AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE}")" /opt/newswire/dbt_project
chmod -R g+rwX /data/inbox /data/warehouse "${AIRFLOW_HOME}/logs"
echo "airflow-init: done"
