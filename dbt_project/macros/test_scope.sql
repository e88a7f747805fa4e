{#- Data tests that cost in proportion to the articles a build changed, not to history.

    dbt wraps the model a generic test reads in get_where_subquery(); this override
    adds, to any `where` the test configures, the scope of the build:

    * a per-article incremental model built incrementally in this invocation
      (intermediate.newswire_model_builds, written by its post-hook): the rows of its
      scope, the same filter its `newswire_scoped` strategy deleted and rebuilt
      (meta.scope / meta.scope_key). Rows outside it were not touched by this build
      and were tested when they were built. Keys embed the article id (events and
      entities: the key is the scope), so a duplicate key can only arise inside the scope;
    * a staging view with an article_id: the articles ingested since the newest
      article of marts.articles (the last build's), a superset of the new ones;
    * a test of the table as a whole (not_empty), anything else, a full refresh, a first build, or a model rebuilt in full
      (fingerprint changed): the whole table, as before.

    `dbt test` alone (no build in the invocation) tests every row of the incremental
    models; the staging views stay limited to the articles newer than the marts. -#}
{% macro duckdb__get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- set scope = newswire_test_scope() -%}
    {%- if where and scope -%}
        {%- set where = '(' ~ where ~ ') and (' ~ scope ~ ')' -%}
    {%- elif scope -%}
        {%- set where = scope -%}
    {%- endif -%}
    {%- if where -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}

{#- The SQL filter limiting the current test to this build's changes, or none. -#}
{% macro newswire_test_scope() -%}
    {%- if not execute or flags.FULL_REFRESH or model is not mapping
        or model.get('resource_type') != 'test' -%}
        {{ return(none) }}
    {%- endif -%}
    {#- a test about the table as a whole (not_empty) is never limited to a scope -#}
    {%- if (model.get('test_metadata') or {}).get('name') in ('not_empty',) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set attached = model.get('attached_node') or (model.depends_on.nodes | first) -%}
    {%- set node = graph.nodes.get(attached) if attached else none -%}
    {%- if node is none or node.resource_type != 'model' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if node.config.materialized == 'incremental' -%}
        {{ return(newswire_incremental_test_scope(node)) }}
    {%- elif node.config.materialized == 'view' and 'staging' in node.fqn and 'article_id' in node.columns -%}
        {{ return(newswire_staging_test_scope()) }}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}

{% macro newswire_incremental_test_scope(node) -%}
    {%- set scopes = newswire_scopes() -%}
    {%- set meta = node.config.get('meta') or {} -%}
    {%- set scope_name = meta.get('scope', 'articles') -%}
    {%- if scope_name not in scopes -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set scope_model, scope_column = scopes[scope_name] -%}
    {%- set builds = newswire_existing_relation('intermediate', 'newswire_model_builds') -%}
    {%- set scope_relation = newswire_existing_relation('intermediate', scope_model) -%}
    {%- if builds is none or scope_relation is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set result = run_query(
        "select count(*) from " ~ builds ~ " where model_id = '" ~ node.unique_id
        ~ "' and invocation_id = '" ~ invocation_id ~ "' and is_incremental"
    ) -%}
    {%- if result.columns[0].values()[0] == 0 -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return((meta.get('scope_key') or scope_column) ~ ' in (select ' ~ scope_column ~ ' from ' ~ scope_relation ~ ')') }}
{%- endmacro %}

{% macro newswire_staging_test_scope() -%}
    {%- set raw_articles = newswire_existing_relation('raw', 'articles') -%}
    {%- set built = newswire_existing_relation('marts', 'articles') -%}
    {%- if raw_articles is none or built is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set result = run_query("select max(ingested_at) is not null from " ~ built) -%}
    {%- if not result.columns[0].values()[0] -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(
        'article_id in (select article_id from ' ~ raw_articles ~ ' where ingested_at >= (select max(ingested_at) from '
        ~ built ~ ') or ingested_at is null)'
    ) }}
{%- endmacro %}
