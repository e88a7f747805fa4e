-- The articles whose event mentions int_events_coded rebuilds in this run: the
-- changed articles, plus older articles that event-date corroboration ties to
-- them. An undated mention takes the date of the one dated mention in another
-- article with the same actor entities, base code and negation, so a changed
-- article can change an older undated mention (and the dated mentions competing
-- for it must be read again to keep the match unique). A superset is safe:
-- rebuilding an unaffected article gives the same rows.

{%- set coded_relation = newswire_existing_relation('intermediate', 'int_events_coded') %}

with

changed as (
    select article_id from {{ ref('int_articles_changed') }}
),

articles as (
    select
        article_id,
        is_published_at_known
    from {{ ref('stg_newswire__articles') }}
),

changed_entities as (
    -- entities named in the changed articles as they are now
    select distinct
        mentions.article_id,
        mentions.entity_id,
        articles.is_published_at_known
    from {{ ref('int_entity_mentions_resolved') }} as mentions
    inner join changed on mentions.article_id = changed.article_id
    inner join articles on mentions.article_id = articles.article_id
    where mentions.entity_id is not null
),

previous as (
    -- dyadic event mentions of the last build
    {%- if coded_relation is not none %}
        select
            coded.article_id,
            coded.actor1_entity_id,
            coded.actor2_entity_id,
            coded.event_base_code,
            coded.is_negated,
            coalesce(articles.is_published_at_known, false) as is_published_at_known
        from {{ coded_relation }} as coded
        left join articles on coded.article_id = articles.article_id
        where coded.actor1_entity_id is not null and coded.actor2_entity_id is not null
    {%- else %}
        select
            cast(null as varchar) as article_id,
            cast(null as varchar) as actor1_entity_id,
            cast(null as varchar) as actor2_entity_id,
            cast(null as varchar) as event_base_code,
            cast(null as boolean) as is_published_at_known,
            cast(null as boolean) as is_negated
        where false
    {%- endif %}
),

paired_now as (
    -- older mentions of the other kind (dated / undated) whose two actors are
    -- entities of one changed article
    select distinct
        previous.article_id,
        previous.actor1_entity_id,
        previous.actor2_entity_id,
        previous.event_base_code,
        previous.is_negated,
        previous.is_published_at_known
    from previous
    inner join changed_entities as actor1
        on
            previous.actor1_entity_id = actor1.entity_id
            and previous.is_published_at_known != actor1.is_published_at_known
    inner join changed_entities as actor2
        on
            previous.actor2_entity_id = actor2.entity_id
            and actor1.article_id = actor2.article_id
),

paired_before as (
    -- older mentions matching what the changed articles said in the last build
    -- (a deleted article's dated mention may have been the unique match; whether
    -- a deleted article was dated is no longer known, so both kinds are taken)
    select distinct
        other.article_id,
        other.actor1_entity_id,
        other.actor2_entity_id,
        other.event_base_code,
        other.is_negated,
        other.is_published_at_known
    from previous as other
    inner join previous as before
        on
            other.actor1_entity_id = before.actor1_entity_id
            and other.actor2_entity_id = before.actor2_entity_id
            and other.event_base_code = before.event_base_code
            and other.is_negated = before.is_negated
    inner join changed on before.article_id = changed.article_id
),

paired as (
    select * from paired_now
    union
    select * from paired_before
),

rescoped as (
    select article_id from changed
    union
    select article_id from paired
),

undated_keys as (
    -- every undated mention of an article rebuilt here needs all its dated
    -- candidates, not only the ones of the mention that brought the article in
    select distinct
        previous.actor1_entity_id,
        previous.actor2_entity_id,
        previous.event_base_code,
        previous.is_negated
    from previous
    inner join rescoped on previous.article_id = rescoped.article_id
    where not previous.is_published_at_known
),

competing as (
    select distinct previous.article_id
    from previous
    inner join undated_keys
        on
            previous.actor1_entity_id = undated_keys.actor1_entity_id
            and previous.actor2_entity_id = undated_keys.actor2_entity_id
            and previous.event_base_code = undated_keys.event_base_code
            and previous.is_negated = undated_keys.is_negated
    where previous.is_published_at_known
),

final as (
    select article_id from rescoped
    union
    select article_id from competing
)

select * from final
