"""Default passwords and secrets of `make up` and docker-compose.yml: warn, or refuse in production.

Both stacks start with something a laptop can live with (a generated admin
password for `make up`; `admin`, `airflow` and fixed "change-me" keys in
docker-compose.yml). Each such default is named with the variable that
changes it; with ``NEWSWIRE_ENV=production`` any of them stops the start.
"""

from __future__ import annotations

from collections.abc import Mapping

#: Passwords nobody may keep in production (compared case-insensitively).
WELL_KNOWN_PASSWORDS = frozenset({"", "admin", "airflow", "password", "changeme", "change-me", "newswire", "secret"})
#: docker-compose.yml's placeholder keys contain this marker.
PLACEHOLDER_MARK = "change-me"


class DefaultCredentialsError(RuntimeError):
    """A default password or secret was about to be used with NEWSWIRE_ENV=production."""


def is_production(env: Mapping[str, str]) -> bool:
    return env.get("NEWSWIRE_ENV", "").strip().lower() in ("production", "prod")


def _db_password(url: str) -> str | None:
    if not url or url.startswith("sqlite"):
        return None
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).password or ""
    except Exception:  # noqa: BLE001 - an unparsable URL is Airflow's to report
        return None


def default_credentials(env: Mapping[str, str], *, generated_password: bool = False) -> list[str]:
    """One line per default credential in ``env``, each saying how to replace it."""
    found: list[str] = []
    password = env.get("NEWSWIRE_ADMIN_PASSWORD")
    user = env.get("NEWSWIRE_ADMIN_USER") or "admin"
    if generated_password:
        found.append(
            f"the Airflow password of {user!r} was generated and is kept in plain text in the Airflow home; "
            "choose one with NEWSWIRE_ADMIN_PASSWORD=... make up"
        )
    elif password is not None and (password.lower() in WELL_KNOWN_PASSWORDS or len(password) < 8):
        found.append(
            f"the Airflow password of {user!r} is a well-known or short one; set NEWSWIRE_ADMIN_PASSWORD "
            "(in .env for docker compose) to at least 8 characters"
        )
    for key, hint in (
        ("AIRFLOW__API__SECRET_KEY", "AIRFLOW_SECRET_KEY"),
        ("AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW_JWT_SECRET"),
    ):
        if PLACEHOLDER_MARK in env.get(key, ""):
            found.append(f"{key} is the placeholder from docker-compose.yml; set {hint} in .env")
    if "AIRFLOW__CORE__FERNET_KEY" in env and not env["AIRFLOW__CORE__FERNET_KEY"]:
        found.append("no Fernet key: connection passwords are stored unencrypted; set AIRFLOW_FERNET_KEY in .env")
    db_password = _db_password(env.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", ""))
    if db_password is not None and db_password.lower() in WELL_KNOWN_PASSWORDS:
        found.append("the metadata database password is a well-known one; set POSTGRES_PASSWORD in .env")
    return found


def check(env: Mapping[str, str], *, generated_password: bool = False, log=print) -> list[str]:
    """Print every default with how to change it; raise DefaultCredentialsError in production."""
    found = default_credentials(env, generated_password=generated_password)
    if not found:
        return found
    if is_production(env):
        lines = "\n  - ".join(found)
        raise DefaultCredentialsError(
            f"NEWSWIRE_ENV=production and default credentials are in use:\n  - {lines}\n"
            "Set them, or unset NEWSWIRE_ENV for a local trial."
        )
    for line in found:
        log(f"NOTE: {line}")
    log("NOTE: these defaults are for a trial on this machine; NEWSWIRE_ENV=production refuses them.")
    return found
