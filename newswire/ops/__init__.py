"""Operations: start and stop a local Airflow stack for Newswire (`make up` / `make down`)."""
