# Newswire's Airflow image: the runtime pins only (requirements.lock; tests and linters are
# in requirements-dev.lock, not installed here) plus the Celery/Postgres/Redis extras of docker-compose.yml.
# The GX Data Docs pages' CSS and JS from the npm registry (vendor/data-docs), so they render offline.
FROM node:20-slim AS data-docs-assets
WORKDIR /assets
COPY vendor/data-docs/package.json vendor/data-docs/package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    AIRFLOW_HOME=/opt/airflow \
    NEWSWIRE_HOME=/opt/newswire \
    GX_ANALYTICS_ENABLED=False \
    DO_NOT_TRACK=1 \
    SCARF_ANALYTICS=false

# libgomp1: spaCy/blis wheels; tini: a PID 1 that forwards signals to Airflow.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 tini \
    && rm -rf /var/lib/apt/lists/*

# The same user id as the official Airflow image; group 0 so that an arbitrary
# AIRFLOW_UID (compose's `user:`) can still write where the group may.
RUN useradd --uid 50000 --gid 0 --home-dir /opt/airflow --create-home --shell /bin/bash airflow

WORKDIR /opt/newswire

# Dependencies first: this layer is reused until the pins change.
COPY requirements.lock ./requirements.lock
COPY docker/requirements-celery.txt ./docker/requirements-celery.txt
RUN pip install -r requirements.lock -r docker/requirements-celery.txt

# The package, editable so that newswire.config.PROJECT_ROOT is /opt/newswire
# and the default paths (dags/, dbt_project/, seeds/) resolve inside the image.
COPY pyproject.toml README.md ./
COPY newswire ./newswire
RUN pip install --no-deps -e .

COPY dags ./dags
COPY dbt_project ./dbt_project
COPY seeds ./seeds
COPY --from=data-docs-assets /assets/node_modules ./vendor/data-docs/node_modules
COPY docker/airflow-init.sh /usr/local/bin/newswire-airflow-init

RUN mkdir -p /data/inbox /data/warehouse /opt/airflow/logs /opt/airflow/auth \
    && chmod 0755 /usr/local/bin/newswire-airflow-init \
    && chown -R 50000:0 /opt/airflow /opt/newswire/dbt_project /data \
    && chmod -R g+rwX /opt/airflow /opt/newswire/dbt_project /data

ENV AIRFLOW__CORE__DAGS_FOLDER=/opt/newswire/dags \
    AIRFLOW__CORE__LOAD_EXAMPLES=False \
    NEWSWIRE_INBOX=/data/inbox \
    NEWSWIRE_WAREHOUSE=/data/warehouse/newswire.duckdb

USER 50000
EXPOSE 8080
ENTRYPOINT ["/usr/bin/tini", "--", "airflow"]
CMD ["version"]
