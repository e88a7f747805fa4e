-- The articles the per-article incremental models rebuild in this run: new
-- articles (in staging, not yet in marts.articles) and deleted ones (in
-- marts.articles, no longer in staging: quarantined, say). marts.articles is
-- built last, so it records which articles the previous build finished; it is
-- read by name, not ref(), since it is downstream. On a first build every
-- article is new.

{%- set built_relation = newswire_existing_relation('marts', 'articles') %}

with

articles as (
    select article_id from {{ ref('stg_newswire__articles') }}
),

built as (
    {%- if built_relation is not none %}
        select article_id from {{ built_relation }}
    {%- else %}
        select cast(null as varchar) as article_id
        where false
    {%- endif %}
),

new_articles as (
    select
        articles.article_id,
        'new' as change_kind
    from articles
    left join built on articles.article_id = built.article_id
    where built.article_id is null
),

deleted_articles as (
    select
        built.article_id,
        'deleted' as change_kind
    from built
    left join articles on built.article_id = articles.article_id
    where articles.article_id is null
),

final as (
    select * from new_articles
    union all
    select * from deleted_articles
)

select * from final
