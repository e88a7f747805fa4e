{#- Seed loading for DuckDB with explicit CSV dialect.

    dbt-duckdb's fast path runs `COPY ... (FORMAT CSV, HEADER TRUE)` and lets
    DuckDB sniff the quote character from a sample of rows. Our large seeds
    (cameo_verb_patterns, cameo_actors) have their first quoted field after the
    sample, so the sniffer picks "no quote" and the load fails. Same fast path,
    with RFC 4180 quoting stated explicitly. -#}
{% macro duckdb__load_csv_rows(model, agate_table) %}
    {% set seed_file_path = adapter.get_seed_file_path(model) %}
    {% set delimiter = config.get('delimiter', ',') %}
    {% set sql %}
      copy {{ this.render() }} from '{{ seed_file_path }}'
      (format csv, header true, delimiter '{{ delimiter }}', quote '"', escape '"')
    {% endset %}
    {% do adapter.add_query(sql, abridge_sql_log=True) %}
    {{ return(sql) }}
{% endmacro %}
