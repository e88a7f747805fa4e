"""The docs stage: the sites generated for people who read rather than query.

* dbt docs: ``dbt docs generate`` into ``warehouse/dbt_docs/`` by the transform
  DAG's ``dbt_docs`` task (``newswire.docs.dbt_docs``), also served
  inside the Airflow UI by Cosmos behind the Airflow login
  (``newswire.orchestration.docs_auth``);
* GX Data Docs: built by Great Expectations at each validation, then made to
  work offline by ``newswire.docs.data_docs``.
"""
