{#- Incremental builds of the per-article chain (see dbt_project/README.md, "Incremental builds").

    Scopes: each incremental model rebuilds only the rows of one scope, a table
    computed at the start of the run:
      articles        int_articles_changed        articles new or deleted since the last build
      event_articles  int_event_articles_changed  those plus articles whose undated events a new
                                                  article may corroborate (cross-article)
      events          int_events_changed          event ids with a mention in event_articles
      entities        int_entities_changed        entity ids with a mention in articles
      event_days      int_events_changed          the days of those events (country_pair_daily)

    The rows of a scope are deleted and rebuilt (strategy `newswire_scoped`), so a
    deleted (quarantined) article or an event that lost a mention is handled too.

    Recoding: a model is fully rebuilt when the fingerprint of what it is built from
    changed since its last build: the code of the model and of every model upstream of
    it, and the content of every upstream seed (hashed in DuckDB after loading, since dbt
    checksums a large seed by its path only). So a dictionary edit followed by a plain
    `dbt build` recodes all of history, and only the models downstream of that seed. -#}

{#- The scopes of the incremental models: name -> (scope model, its key column). The
    strategy, the import-CTE filter and the scoped data tests (test_scope.sql) read it. -#}
{% macro newswire_scopes() -%}
    {{ return({
        'articles': ('int_articles_changed', 'article_id'),
        'event_articles': ('int_event_articles_changed', 'article_id'),
        'events': ('int_events_changed', 'event_id'),
        'entities': ('int_entities_changed', 'entity_id'),
        'event_days': ('int_events_changed', "coalesce(event_date, date '0001-01-01')"),
    }) }}
{%- endmacro %}

{#- The SQL filter of an import CTE: `true` on a full build, else "key in the scope".
    The ref is taken on every render so dbt knows the dependency.

    `relation` (the ref the CTE reads) lets an article-keyed scope skip most of a
    table: rows are appended as articles arrive, so a scope of recent articles sits at
    the end of the table, and `rowid >= (the first row of the scope)` lets DuckDB skip
    the row groups before it by their row ranges without reading them. Without it,
    the semi join reads every column of every row of history. The prefilter only
    narrows what the scope filter keeps anyway (a scope row's rowid is at least the
    minimum), so it is exact whatever the physical order; views have no rowid and
    keep the scope filter alone. -#}
{% macro incremental_filter(scope='articles', key=none, relation=none) -%}
    {%- set scopes = newswire_scopes() -%}
    {%- set scope_model, scope_column = scopes[scope] -%}
    {#- a unit test mocks the model's inputs and builds it in full: no scope -#}
    {%- if model is mapping and model.get('resource_type') == 'unit_test' -%}
        {{ return('true') }}
    {%- endif -%}
    {%- set scope_relation = ref(scope_model) -%}
    {%- if is_incremental() -%}
        {%- set in_scope = (key or scope_column) ~ ' in (select ' ~ scope_column ~ ' from ' ~ scope_relation ~ ')' -%}
        {%- if relation is not none and scope_column == 'article_id' and not key
            and newswire_is_table(relation) -%}
            (rowid >= (select min(rowid) from {{ relation }} where {{ in_scope }}) and {{ in_scope }})
        {%- else -%}
            {{ in_scope }}
        {%- endif -%}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- True when `relation` exists as a table (not a view); false while parsing. -#}
{% macro newswire_is_table(relation) -%}
    {%- if not execute -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set found = adapter.get_relation(database=relation.database, schema=relation.schema,
                                         identifier=relation.identifier) -%}
    {{ return(found is not none and found.is_table) }}
{%- endmacro %}

{#- An existing relation of this database by schema and name (no ref, so no dependency);
    none when it does not exist yet, and always none while parsing. -#}
{% macro newswire_existing_relation(schema, identifier) -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(adapter.get_relation(database=target.database, schema=schema, identifier=identifier)) }}
{%- endmacro %}

{#- Strategy `newswire_scoped`: delete the rows of the model's scope, insert the rebuilt ones.
    meta.scope names the scope, meta.scope_key the SQL expression of the row's key. -#}
{% macro get_incremental_newswire_scoped_sql(arg_dict) -%}
    {%- set meta = config.get('meta') or {} -%}
    {%- set dest_cols_csv = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ arg_dict['target_relation'] }}
    where {{ incremental_filter(meta.get('scope', 'articles'), meta.get('scope_key')) }};

    insert into {{ arg_dict['target_relation'] }} ({{ dest_cols_csv }})
    select {{ dest_cols_csv }} from {{ arg_dict['temp_relation'] }}
{%- endmacro %}

{#- True when every article of the scope `articles_changed` is new (none deleted): the
    aggregates of the older articles can then be merged with the new ones (int_entity_stats). -#}
{% macro newswire_only_new_articles(articles_changed) -%}
    {%- if not execute -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set result = run_query("select count(*) from " ~ articles_changed ~ " where change_kind != 'new'") -%}
    {{ return(result.columns[0].values()[0] == 0) }}
{%- endmacro %}

{#- DuckDB's memory limit and threads from NEWSWIRE_DUCKDB_MEMORY_LIMIT / NEWSWIRE_DUCKDB_THREADS
    when set (settings of the database instance, so every connection of the run gets them);
    DuckDB's defaults otherwise (80 % of RAM, one thread per core). -#}
{% macro newswire_duckdb_limits() -%}
    {%- set memory_limit = env_var('NEWSWIRE_DUCKDB_MEMORY_LIMIT', '') -%}
    {%- set threads = env_var('NEWSWIRE_DUCKDB_THREADS', '') -%}
    {%- if memory_limit %}set memory_limit = '{{ memory_limit }}';{% endif -%}
    {%- if threads %}set threads = {{ threads | int }};{% endif -%}
    {%- if not memory_limit and not threads %}select 1{% endif -%}
{%- endmacro %}

{#- State of the incremental models: the fingerprint each was last built from. -#}
{% macro newswire_create_state() -%}
    create schema if not exists intermediate;
    create table if not exists intermediate.newswire_seed_state (
        seed_name varchar primary key, content_hash varchar, loaded_at timestamptz
    );
    create table if not exists intermediate.newswire_model_state (
        model_id varchar primary key, fingerprint varchar, built_at timestamptz
    );
    {#- how each incremental model was last built, by which invocation: the data tests
        of a model built incrementally are limited to its scope (macros/test_scope.sql) -#}
    create table if not exists intermediate.newswire_model_builds (
        model_id varchar primary key, invocation_id varchar, is_incremental boolean
    );
{%- endmacro %}

{#- Seed post-hook: the content hash of the table just loaded. -#}
{% macro newswire_record_seed_state() -%}
    insert or replace into intermediate.newswire_seed_state
    select
        '{{ this.identifier }}',
        md5(cast(count(*) as varchar) || ':' || cast(coalesce(sum(hash(seed_row)), 0) as varchar)),
        now()
    from {{ this }} as seed_row
{%- endmacro %}

{#- SQL for the fingerprint of the current model: its code, the code of every model
    upstream, and the content hashes of every seed upstream. -#}
{% macro newswire_fingerprint_sql() -%}
    {%- set code = [] -%}
    {%- set seeds = [] -%}
    {%- set seen = [] -%}
    {%- set queue = [model.unique_id] -%}
    {%- for uid in queue -%}
        {%- if uid not in seen -%}
            {%- do seen.append(uid) -%}
            {%- set node = graph.nodes.get(uid) -%}
            {%- if node is not none -%}
                {%- if node.resource_type == 'seed' -%}
                    {%- do seeds.append(node.name) -%}
                {%- elif node.resource_type == 'model' -%}
                    {%- do code.append(uid ~ '=' ~ node.checksum.checksum) -%}
                    {%- for parent in node.depends_on.nodes -%}
                        {%- do queue.append(parent) -%}
                    {%- endfor -%}
                {%- endif -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    select md5(
        '{{ local_md5(code | sort | join(",")) }}'
        || coalesce((
            select string_agg(seed_name || ':' || content_hash, ',' order by seed_name)
            from intermediate.newswire_seed_state
            where seed_name in ({% for s in seeds | sort %}'{{ s }}'{% if not loop.last %}, {% endif %}{% endfor %}{% if not seeds %}''{% endif %})
        ), '')
    )
{%- endmacro %}

{#- True when an incremental model's fingerprint differs from the one it was built from. -#}
{% macro newswire_fingerprint_changed() -%}
    {%- if model.get('_newswire_refresh') is not none -%}
        {{ return(model['_newswire_refresh']) }}
    {%- endif -%}
    {%- set state = newswire_existing_relation('intermediate', 'newswire_model_state') -%}
    {%- if state is none -%}
        {%- set changed = true -%}
    {%- else -%}
        {%- set result = run_query(
            "select count(*) from intermediate.newswire_model_state where model_id = '"
            ~ model.unique_id ~ "' and fingerprint = (" ~ newswire_fingerprint_sql() ~ ")"
        ) -%}
        {%- set changed = result.columns[0].values()[0] == 0 -%}
    {%- endif -%}
    {%- if changed -%}
        {{ log("newswire: " ~ model.name ~ " is rebuilt in full (its code, an upstream model or a seed changed)", info=true) }}
    {%- endif -%}
    {%- do model.update({'_newswire_refresh': changed}) -%}
    {{ return(changed) }}
{%- endmacro %}

{#- Post-hook of the incremental models, inside the model's transaction. -#}
{% macro newswire_record_model_state() -%}
    {%- if execute and model.config.materialized == 'incremental' -%}
        insert or replace into intermediate.newswire_model_state
        select '{{ model.unique_id }}', ({{ newswire_fingerprint_sql() }}), now();
        insert or replace into intermediate.newswire_model_builds
        values ('{{ model.unique_id }}', '{{ invocation_id }}', {{ 'true' if is_incremental() else 'false' }})
    {%- endif -%}
{%- endmacro %}

{#- dbt's own, plus: an incremental model whose fingerprint changed is rebuilt in full. -#}
{% macro should_full_refresh() -%}
    {%- set config_full_refresh = config.get('full_refresh') -%}
    {%- if config_full_refresh is none -%}
        {%- set config_full_refresh = flags.FULL_REFRESH -%}
    {%- endif -%}
    {%- if not config_full_refresh and execute and model is defined and model is mapping
        and model.get('resource_type') == 'model' and model.config.materialized == 'incremental' -%}
        {%- set config_full_refresh = newswire_fingerprint_changed() -%}
    {%- endif -%}
    {%- do return(config_full_refresh) -%}
{%- endmacro %}
